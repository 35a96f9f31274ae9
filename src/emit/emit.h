/* emit/emit.h — one function per output (the three table outputs share
 * one pass). Each stages its files in ctx->out (written only when the
 * whole build succeeded). */
#ifndef DTPASS_EMIT_H
#define DTPASS_EMIT_H

#include "dtpass.h"

int emit_guest_dt(struct dtpass_ctx *ctx);   /* <guest>.dts, <guest>.dtb */
/* smmu-<name>.bin, s2-<guest>.bin, hvdata.bin: those of `targets`
 * (T_SMMU, T_S2, T_HVDATA), in one pass over the tables (hvdata.c). */
int emit_tables(struct dtpass_ctx *ctx, unsigned targets);
int emit_blob(struct dtpass_ctx *ctx);       /* system.dtpb */
int emit_report(struct dtpass_ctx *ctx);     /* report.html */

/* Stages `name` (relative to the output directory, e.g. "xen/host.dtb");
 * reports an I/O failure and returns -1. */
int emit_file(struct dtpass_ctx *ctx, const char *name, const void *data, size_t len);

/* Stages one device tree as "<base>.dtb" (unless dtb is NULL) and then
 * "<base>.dts" (unless dts is NULL); base is the path without the extension
 * ("qnx/linux"). Every DTB/DTS pair dtpass writes, of guests, inmates or
 * the Xen host, is staged here. Returns 0, or -1 after reporting. */
int emit_dt_pair(struct dtpass_ctx *ctx, const char *base, const void *dtb, size_t len,
                 const struct strbuf *dts);

/* The same for a file written in pieces, so an emitter need not hold the
 * whole file in memory: emit_open, emit_write / emit_zeros..., emit_close.
 * Each returns 0 or -1, reporting the first I/O failure once; after a
 * successful emit_open, emit_close must be called, even after a failure
 * (it then releases the file and returns -1). */
struct emit_out {
    struct dtpass_ctx *ctx;
    char *path;
    struct outfile f;
};
int emit_open(struct dtpass_ctx *ctx, struct emit_out *e, const char *name);
int emit_write(struct emit_out *e, const void *data, size_t len);
int emit_zeros(struct emit_out *e, uint64_t len); /* len zero bytes */
int emit_close(struct emit_out *e);

#endif
