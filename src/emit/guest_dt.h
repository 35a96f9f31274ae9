/* emit/guest_dt.h — serialising a lowered guest tree (lower/guest_tree.h):
 * the DTB through libfdt's sequential-write API and the DTS in dtc's style.
 * Also used by the Xen emitter for its passthrough fragments. */
#ifndef DTPASS_EMIT_GUEST_DT_H
#define DTPASS_EMIT_GUEST_DT_H

#include <stddef.h>

#include "util/util.h"

struct guest_tree;

/* Builds the blob (malloc'd). Returns 0, or a negative libfdt error. */
int gt_to_dtb(const struct guest_tree *t, void **blob, size_t *len);
/* Appends the DTS source of the tree. */
void gt_to_dts(const struct guest_tree *t, struct strbuf *sb);

struct dtpass_ctx;
/* Stages the tree as "<base>.dtb" and "<base>.dts" (emit_dt_pair), those
 * of `which` (T_DTB, T_DTS). A blob libfdt itself rejects is never staged:
 * "<who>cannot build the device tree of guest NAME" is reported instead
 * (who: "" or the target's "qnx: "). Returns 0, or -1 after reporting. */
int gt_emit(struct dtpass_ctx *ctx, const struct guest_tree *t, const char *base, unsigned which,
            const char *who);

#endif
