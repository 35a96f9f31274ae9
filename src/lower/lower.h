/* lower/lower.h — from the checked model to what the emitters write:
 * per-guest device trees carved from the board (guest_tree.c) and the
 * placement of every table inside hypervisor memory (place.c). */
#ifndef DTPASS_LOWER_H
#define DTPASS_LOWER_H

#include "dtpass.h"

struct guest_tree; /* lower/guest_tree.h */

/* What every guest's tree shares: checks the board can carry guest trees
 * (it has a GIC) and records who owns each assigned board node
 * (ctx->owners). The trees themselves are carved one at a time by
 * lower_guest_tree, so only one is ever in memory (docs/performance.md). */
int lower_guest_trees(struct dtpass_ctx *ctx);
/* Guest i's device tree, carved from the board; the caller frees it with
 * gt_free. Needs lower_guest_trees first. */
struct guest_tree *lower_guest_tree(const struct dtpass_ctx *ctx, uint32_t i);
int lower_place(struct dtpass_ctx *ctx);
void lower_free(struct dtpass_ctx *ctx);

#endif
