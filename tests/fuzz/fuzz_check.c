/* tests/fuzz/fuzz_check.c — libFuzzer target: the whole pipeline on a fixed,
 * real board (the QEMU virt DTB from the board cache, or $DTPASS_FUZZ_BOARD)
 * with the fuzzer's bytes as the YAML system: parse, resolve, every check,
 * and — when the checks pass — lowering and every emitter. Outputs are
 * staged in a scratch directory and then aborted, never committed: the same
 * calls main.c makes for `dtpass build`, minus the rename. */
#include "checks/checks.h"
#include "dtpass.h"
#include "emit/emit.h"
#include "front/front.h"
#include "fuzz_common.h"
#include "lower/lower.h"
#include "lower/quiesce.h"
#include "resolve/resolve.h"
#include "targets/target.h"

static char board_path[4096];
static char out_dir[4200];

static void pipeline(struct dtpass_ctx *ctx, const char *text)
{
    if (front_yaml(&ctx->sys, "fuzz.yaml", text, strlen(text), &ctx->diag))
        return;
    if (board_load(&ctx->board, board_path, NULL, &ctx->diag))
        return;
    ctx->board_loaded = true;
    if (resolve(ctx))
        return;
    model_dump(&ctx->sys, fuzz_devnull(), true);
    if (checks_run(ctx) || diag_errors(&ctx->diag))
        return;
    /* As main.c: placement and the quiesce plan, the target checks (they
     * read them), then the guest trees. */
    if (lower_place(ctx) || lower_quiesce(ctx))
        return;
    for (size_t i = 0; i < hv_targets_len; i++)
        if (hv_targets[i]->check)
            hv_targets[i]->check(ctx);
    if (diag_errors(&ctx->diag))
        return;
    if (lower_guest_trees(ctx) || emit_guest_dt(ctx))
        return;
    if (emit_tables(ctx, T_SMMU | T_S2 | T_HVDATA))
        return;
    int (*const emitters[])(struct dtpass_ctx *) = {emit_blob, emit_report};
    for (size_t i = 0; i < ARRAY_SIZE(emitters); i++)
        if (emitters[i](ctx))
            return;
    for (size_t i = 0; i < hv_targets_len; i++)
        if (hv_targets[i]->emit(ctx))
            return;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!board_path[0]) {
        const char *b = getenv("DTPASS_FUZZ_BOARD");
        const char *home = getenv("HOME");
        if (b && *b)
            snprintf(board_path, sizeof board_path, "%s", b);
        else
            snprintf(board_path, sizeof board_path, "%s/.cache/dtpass/qemu/virt-gicv3-smmuv3.dtb",
                     home ? home : "");
        if (access(board_path, R_OK)) {
            fprintf(stderr, "fuzz_check: no board at %s (run tools/fetch-boards or set "
                            "DTPASS_FUZZ_BOARD)\n", board_path);
            abort();
        }
        snprintf(out_dir, sizeof out_dir, "%s/out", fuzz_dir());
    }
    /* The front end wants NUL-free text of known length; keep the bytes as
     * they are, up to the first NUL (libyaml rejects NULs anyway). */
    char *text = xstrndup((const char *)data, size);

    struct dtpass_ctx ctx = {0};
    diag_init(&ctx.diag);
    system_init(&ctx.sys);
    outputs_init(&ctx.out);
    ctx.opt.command = "build";
    ctx.opt.input = "fuzz.yaml";
    ctx.opt.board = board_path;
    ctx.opt.outdir = out_dir;
    ctx.opt.targets = T_DEFAULT | T_REPORT;
    ctx.opt.hv_targets = (1u << hv_targets_len) - 1;
    diag_add_source(&ctx.diag, diag_intern(&ctx.diag, "fuzz.yaml"), text, strlen(text));

    pipeline(&ctx, text);

    outputs_abort(&ctx.out);
    fuzz_render(&ctx.diag);
    lower_free(&ctx);
    quiesce_free(ctx.quiesce);
    if (ctx.board_loaded)
        board_free(&ctx.board);
    system_free(&ctx.sys);
    diag_free(&ctx.diag);
    free(text);
    return 0;
}
