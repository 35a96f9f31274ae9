/* targets/target.h — the hypervisor-target interface. A hypervisor target
 * (xen, qnx, jailhouse ...) lives in src/targets/<name>/ and is one
 * `struct hv_target` constant, listed in the registry table of
 * targets/registry.c; nothing else knows its name. main.c parses
 * `--target` from that table, runs the lowering a target asks for, runs
 * its checks after the isolation checks (in `dtpass build --target NAME`
 * and in `dtpass check --target NAME`, so CI can lint for a target) and
 * calls its emitter. How to add one: /work/notes/target-interface.md and
 * docs/contributing.md.
 *
 * The order for one build: front end -> resolve -> isolation checks ->
 * placement and the quiesce plan (when the build or a selected target needs
 * them) -> target checks (they may read ctx->place and ctx->quiesce) ->
 * guest-tree lowering (ctx->owners) -> every emitter -> commit.
 * Any error reported before the commit leaves the previous outputs as they
 * were (outputs are staged in ctx->out). */
#ifndef DTPASS_TARGETS_TARGET_H
#define DTPASS_TARGETS_TARGET_H

#include <stddef.h>

struct dtpass_ctx;

/* Shared lowering a target's emitter needs (lower/lower.h); main.c runs
 * each at most once, whoever asks. */
enum hv_target_needs {
    HV_NEEDS_GUEST_TREES = 1u << 0, /* lower_guest_trees(): ctx->owners */
    HV_NEEDS_PLACE = 1u << 1,       /* lower_place(): ctx->place (tables in hypervisor memory) */
};

struct hv_target {
    /* The --target name ("xen"); lowercase, unique among all targets. */
    const char *name;
    /* One line for --help and the docs: what the target writes. */
    const char *summary;
    /* The subdirectory of the output directory (-o) that the target owns
     * and writes all its files into ("xen" -> DIR/xen/). No two targets
     * share one, and no other output writes there. */
    const char *outdir;
    /* The files it writes inside outdir, NULL-terminated, for the docs and
     * --help; "<guest>" stands for each guest's name. */
    const char *const *outputs;
    /* HV_NEEDS_* bits: the lowering to run before emit. */
    unsigned needs;
    /* The target's own checks, or NULL: read-only over the resolved model
     * and the placement and quiesce plan its `needs` asked for (never
     * modify ctx->sys, the board or the lowering), reporting through ctx->diag with check ids
     * from checks/registry.c (documented in docs/checks.md) at the
     * system-file position concerned. Runs only when the isolation checks
     * and the placement found no error; an error it reports stops the build
     * before anything is staged. In `dtpass check`, ctx->place and
     * ctx->quiesce exist only when the system has hypervisor memory. */
    void (*check)(struct dtpass_ctx *ctx);
    /* The emitter: stages every file under outdir with emit_file() /
     * emit_open() (emit/emit.h) and returns 0, or -1 after reporting. May
     * still report what only building the outputs shows (an image that
     * does not fit); nothing is written unless the whole build succeeds. */
    int (*emit)(struct dtpass_ctx *ctx);
};

/* The registry, in --help order. hv_targets[i] is selected by bit i of
 * dtpass_options.hv_targets. */
extern const struct hv_target *const hv_targets[];
extern const size_t hv_targets_len;

/* The target called `name`, or NULL; its registry index in *index. */
const struct hv_target *hv_target_find(const char *name, size_t *index);

#endif
