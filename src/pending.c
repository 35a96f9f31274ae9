/* pending.c — weak placeholders for pipeline stages that have not landed
 * yet. Each reports that its stage is missing (exit 2) rather than
 * pretending to succeed; a real definition anywhere in src/ overrides it.
 * This file disappears when every stage exists. */
#include <string.h>

#include "board/board.h"
#include "checks/checks.h"
#include "emit/emit.h"
#include "front/front.h"
#include "lower/lower.h"
#include "resolve/resolve.h"

#define PENDING(what) diag_fatal(&ctx->diag, NOPOS, "%s is not implemented yet", what)

__attribute__((weak)) int front_load(struct system *sys, const char *file, struct diag_sink *d)
{
    (void)sys;
    diag_fatal(d, NOPOS, "reading %s: the front ends are not implemented yet", file);
    return -1;
}
__attribute__((weak)) void system_init(struct system *s) { memset(s, 0, sizeof(*s)); }
__attribute__((weak)) void system_free(struct system *s) { (void)s; }
__attribute__((weak)) void model_dump(const struct system *s, FILE *out, bool resolved)
{
    (void)s, (void)out, (void)resolved;
}
__attribute__((weak)) int board_load(struct board *b, const char *file,
                                     const struct board_options *opt, struct diag_sink *d)
{
    (void)b, (void)opt;
    diag_fatal(d, NOPOS, "reading %s: the board reader is not implemented yet", file);
    return -1;
}
__attribute__((weak)) void board_free(struct board *b) { (void)b; }
__attribute__((weak)) void board_describe(const struct board *b, FILE *out, bool json)
{
    (void)b, (void)out, (void)json;
}
__attribute__((weak)) int resolve(struct dtpass_ctx *ctx) { PENDING("resolve"); return -1; }
__attribute__((weak)) int checks_run(struct dtpass_ctx *ctx) { PENDING("checks"); return -1; }
__attribute__((weak)) int lower_guest_trees(struct dtpass_ctx *ctx) { PENDING("guest trees"); return -1; }
__attribute__((weak)) int lower_place(struct dtpass_ctx *ctx) { PENDING("placement"); return -1; }
__attribute__((weak)) void lower_free(struct dtpass_ctx *ctx) { (void)ctx; }
__attribute__((weak)) int emit_guest_dt(struct dtpass_ctx *ctx) { PENDING("target dts/dtb"); return -1; }
__attribute__((weak)) int emit_smmu(struct dtpass_ctx *ctx) { PENDING("target smmu"); return -1; }
__attribute__((weak)) int emit_stage2(struct dtpass_ctx *ctx) { PENDING("target s2"); return -1; }
__attribute__((weak)) int emit_hvdata(struct dtpass_ctx *ctx) { PENDING("target hvdata"); return -1; }
__attribute__((weak)) int emit_blob(struct dtpass_ctx *ctx) { PENDING("target blob"); return -1; }
__attribute__((weak)) int emit_xen(struct dtpass_ctx *ctx) { PENDING("target xen"); return -1; }
__attribute__((weak)) int emit_report(struct dtpass_ctx *ctx) { PENDING("target report"); return -1; }
__attribute__((weak)) int dump_file(struct dtpass_ctx *ctx) { PENDING("dump"); return -1; }
