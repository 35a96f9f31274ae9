/* emit/emit.h — one function per output. Each stages its files in
 * ctx->out (written only when the whole build succeeded). */
#ifndef DTPASS_EMIT_H
#define DTPASS_EMIT_H

#include "dtpass.h"

int emit_guest_dt(struct dtpass_ctx *ctx);   /* <guest>.dts, <guest>.dtb */
int emit_smmu(struct dtpass_ctx *ctx);       /* smmu-<name>.bin */
int emit_stage2(struct dtpass_ctx *ctx);     /* s2-<guest>.bin */
int emit_hvdata(struct dtpass_ctx *ctx);     /* hvdata.bin */
int emit_blob(struct dtpass_ctx *ctx);       /* system.dtpb */
int emit_xen(struct dtpass_ctx *ctx);        /* xen/ */
int emit_report(struct dtpass_ctx *ctx);     /* report.html */

/* Stages `name` (relative to the output directory, e.g. "xen/host.dtb");
 * reports an I/O failure and returns -1. */
int emit_file(struct dtpass_ctx *ctx, const char *name, const void *data, size_t len);

/* `dtpass dump FILE`: decodes a .dtpb, a stream table or an hvdata image. */
int dump_file(struct dtpass_ctx *ctx);

#endif
