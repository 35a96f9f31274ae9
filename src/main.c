/* main.c — the command line and the pipeline:
 *
 *   load board -> parse system (YAML | DSL) -> resolve -> checks
 *              -> target checks -> lower (guest trees, placement) -> emit
 *              -> commit outputs
 *
 * Each stage is a plain function in its own folder; a stage that reports
 * errors stops the pipeline before anything is written. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "board/board.h"
#include "checks/checks.h"
#include "dtpass.h"
#include "emit/emit.h"
#include "front/front.h"
#include "lower/lower.h"
#include "desk/desk.h"
#include "lower/quiesce.h"
#include "resolve/resolve.h"
#include "targets/target.h"
#include "util/depfile.h"
#include "dtpass/dtpb.h"

/* The outputs that are not hypervisor targets; those come from the
 * registry in targets/registry.c (targets/target.h). */
static const struct target_info {
    const char *name;
    unsigned bit;
    int (*emit)(struct dtpass_ctx *);
} targets[] = {
    {"dts", T_DTS, NULL}, /* dts and dtb come from one emitter */
    {"dtb", T_DTB, NULL},
    {"smmu", T_SMMU, NULL}, /* smmu, s2 and hvdata come from one pass over the tables */
    {"s2", T_S2, NULL},
    {"hvdata", T_HVDATA, NULL},
    {"blob", T_BLOB, emit_blob},
    {"report", T_REPORT, emit_report},
};

static const char usage_text[] =
    "usage: dtpass build  SYSTEM [--board FILE] [-o DIR] [--target LIST] [-I DIR]... [-M DEPFILE]\n"
    "                     [--no-wait]  (fail, not wait, while another build writes DIR)\n"
    "       dtpass check  SYSTEM [--board FILE] [-I DIR]... [--dump-model]\n"
    "       dtpass dump   FILE [--json]\n"
    "       dtpass board  FILE [--json] [--groups]\n"
    "       dtpass init   --board FILE [--guests N] [-o FILE]\n"
    "       dtpass diff   OLD NEW [--board FILE]\n"
    "       dtpass --help | --version\n"
    "common: --format text|json|sarif  -W<check> -Wno-<check> -Werror[=<check>]\n"
    "        --color auto|always|never  -q  --classes FILE  --time-report\n"
    "exit status: 0 success, 1 configuration errors, 2 usage, I/O or internal error\n";

/* The target list of --help, from the two tables. */
static void print_usage(void)
{
    fputs(usage_text, stdout);
    fputs("targets: ", stdout);
    for (size_t i = 0; i < ARRAY_SIZE(targets); i++)
        printf("%s%s", i ? "," : "", targets[i].name);
    fputs(" (default: all but report)\nhypervisor targets (also `check --target NAME`):\n", stdout);
    for (size_t i = 0; i < hv_targets_len; i++)
        printf("  %-10s %s\n", hv_targets[i]->name, hv_targets[i]->summary);
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "dtpass: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'dtpass --help'.\n");
    return 2;
}

static int parse_targets(const char *list, unsigned *out, unsigned *hv_out)
{
    unsigned bits = 0, hv = 0;
    char *copy = xstrdup(list), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        size_t i, k;
        for (i = 0; i < ARRAY_SIZE(targets); i++)
            if (!strcmp(t, targets[i].name))
                break;
        if (i < ARRAY_SIZE(targets)) {
            bits |= targets[i].bit;
        } else if (hv_target_find(t, &k)) {
            hv |= 1u << k;
        } else {
            usage_error("unknown target '%s'", t);
            free(copy);
            return -1;
        }
    }
    free(copy);
    *out = bits;
    *hv_out = hv;
    return 0;
}

/* What the selected hypervisor targets need lowered (HV_NEEDS_*). */
static unsigned hv_needs(unsigned sel)
{
    unsigned needs = 0;
    for (size_t i = 0; i < hv_targets_len; i++)
        if (sel & (1u << i))
            needs |= hv_targets[i]->needs;
    return needs;
}

/* Options take their value as the next argument or after '='. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (!strcmp(argv[*i], name)) {
        if (*i + 1 >= argc)
            return NULL;
        return argv[++*i];
    }
    return NULL;
}

static bool is_opt(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return !strncmp(arg, name, n) && (arg[n] == '\0' || arg[n] == '=');
}

static int parse_args(struct dtpass_ctx *ctx, int argc, char **argv)
{
    struct dtpass_options *o = &ctx->opt;
    const char *color = "auto";
    o->outdir = "out";
    o->targets = T_DEFAULT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            print_usage();
            exit(0);
        } else if (!strcmp(a, "--version")) {
            printf("dtpass %s (dtpb format %d.%d)\n", DTPASS_VERSION, DTPB_VERSION_MAJOR, DTPB_VERSION_MINOR);
            exit(0);
        } else if (!strcmp(a, "--list-checks")) {
            /* For scripts and the bash completion (not in --help): every
             * check id -W takes, one a line, from the one table. */
            for (size_t k = 0; k < check_table_len; k++)
                printf("%s\n", check_table[k].id);
            exit(0);
        } else if (!strcmp(a, "--list-targets")) {
            for (size_t k = 0; k < ARRAY_SIZE(targets); k++)
                printf("%s\n", targets[k].name);
            exit(0);
        } else if (is_opt(a, "--board")) {
            if (!(o->board = opt_value(argc, argv, &i, "--board")))
                return usage_error("%s needs a file", a);
        } else if (!strcmp(a, "-o")) {
            if (i + 1 >= argc)
                return usage_error("%s needs a directory", a);
            o->outdir = o->init_out = argv[++i];
        } else if (is_opt(a, "--guests")) {
            v = opt_value(argc, argv, &i, "--guests");
            char *end = NULL;
            unsigned long g = v ? strtoul(v, &end, 10) : 0;
            if (!v || !*v || *end || g < 1 || g > DESK_GUESTS_MAX)
                return usage_error("--guests takes a number from 1 to 64, not '%s'", v ? v : "");
            o->guests = (uint32_t)g;
        } else if (is_opt(a, "--target")) {
            if (!(v = opt_value(argc, argv, &i, "--target")) ||
                parse_targets(v, &o->targets, &o->hv_targets))
                return 2;
        } else if (!strncmp(a, "-I", 2)) {
            const char *dir = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
            if (!dir)
                return usage_error("%s needs a directory", a);
            VEC_PUSH(&o->incdirs, dir);
        } else if (!strcmp(a, "-M")) {
            if (i + 1 >= argc)
                return usage_error("%s needs a file", a);
            o->depfile = argv[++i];
        } else if (is_opt(a, "--format")) {
            v = opt_value(argc, argv, &i, "--format");
            if (v && !strcmp(v, "text"))
                o->format = DIAG_TEXT;
            else if (v && !strcmp(v, "json"))
                o->format = DIAG_JSON;
            else if (v && !strcmp(v, "sarif"))
                o->format = DIAG_SARIF;
            else
                return usage_error("--format takes text, json or sarif, not '%s'", v ? v : "");
        } else if (is_opt(a, "--color") || is_opt(a, "--colour")) {
            if (!(color = opt_value(argc, argv, &i, a[7] == 'u' ? "--colour" : "--color")))
                return usage_error("%s takes auto, always or never", a);
        } else if (is_opt(a, "--classes")) {
            if (!(o->classes = opt_value(argc, argv, &i, "--classes")))
                return usage_error("%s needs a file", a);
        } else if (!strcmp(a, "-q")) {
            o->quiet = true;
        } else if (!strcmp(a, "--json")) {
            o->json = true;
        } else if (!strcmp(a, "--groups")) {
            o->groups = true;
        } else if (!strcmp(a, "--dump-model")) {
            o->dump_model = true;
        } else if (!strcmp(a, "--no-wait")) {
            o->no_wait = true;
        } else if (!strcmp(a, "--time-report")) {
            o->time_report = true;
        } else if (!strncmp(a, "-W", 2)) {
            if (diag_option(&ctx->diag, a))
                return usage_error("unknown check in '%s'", a);
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error("unknown option '%s'", a);
        } else if (!o->command) {
            o->command = a;
        } else if (!o->input) {
            o->input = a;
        } else if (!o->input2 && !strcmp(o->command, "diff")) {
            o->input2 = a;
        } else {
            return usage_error("unexpected argument '%s'", a);
        }
    }
    if (!o->command)
        return usage_error("%s", "no command given (build, check, dump, board, init or diff)");
    if (strcmp(o->command, "build") && strcmp(o->command, "check") &&
        strcmp(o->command, "dump") && strcmp(o->command, "board") && strcmp(o->command, "init") &&
        strcmp(o->command, "diff"))
        return usage_error("unknown command '%s'", o->command);
    if (!strcmp(o->command, "init")) {
        if (o->input)
            return usage_error("unexpected argument '%s' (init takes --board FILE)", o->input);
        if (!o->board)
            return usage_error("%s", "init needs --board FILE");
    } else if (!o->input) {
        return usage_error("'%s' needs an input file", o->command);
    } else if (!strcmp(o->command, "diff") && !o->input2) {
        return usage_error("%s", "diff needs two systems: OLD NEW");
    }
    if (!strcmp(color, "always"))
        o->color = true;
    else if (!strcmp(color, "never"))
        o->color = false;
    else if (!strcmp(color, "auto"))
        o->color = isatty(STDERR_FILENO) && getenv("NO_COLOR") == NULL;
    else
        return usage_error("--color takes auto, always or never, not '%s'", color);
    return 0;
}

/* --time-report: wall time per stage on stderr. */
struct stage_clock {
    bool on;
    struct timespec t;
};

static void stage_done(struct stage_clock *c, const char *stage)
{
    struct timespec now;
    if (!c->on)
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (double)(now.tv_sec - c->t.tv_sec) * 1e3 + (double)(now.tv_nsec - c->t.tv_nsec) / 1e6;
    fprintf(stderr, "time: %-12s %9.3f ms\n", stage, ms);
    c->t = now;
}

char *dtpass_board_path(struct dtpass_ctx *ctx)
{
    if (ctx->opt.board)
        return xstrdup(ctx->opt.board);
    if (ctx->sys.board) {
        char *dir = path_dirname(ctx->sys.file && strcmp(ctx->sys.file, "<stdin>") ? ctx->sys.file : ".");
        char *p = path_join(dir, ctx->sys.board);
        free(dir);
        return p;
    }
    diag_report(&ctx->diag, "board-invalid", ctx->sys.version_pos,
                "no board: give --board FILE or `board:` in the system file");
    return NULL;
}

static int load_board(struct dtpass_ctx *ctx, const char *file)
{
    struct board_options bo = {
        .incdirs = ctx->opt.incdirs.v,
        .nincdirs = ctx->opt.incdirs.n,
        .classes_file = ctx->opt.classes,
    };
    if (board_load(&ctx->board, file, &bo, &ctx->diag))
        return -1;
    ctx->board_loaded = true;
    return 0;
}

/* The front of the pipeline, for build, check and diff: parse, board,
 * resolve, checks. Returns 0 when the system is clean, 1 when resolve or a
 * check found errors, 2 when the system or its board could not be read. */
static int analyse(struct dtpass_ctx *ctx, struct stage_clock *clk, const struct dtpass_ctx *same)
{
    if (front_load(&ctx->sys, ctx->opt.input, &ctx->diag))
        return 2;
    stage_done(clk, "parse");

    char *board = dtpass_board_path(ctx);
    if (!board)
        return 2;
    /* diff: a second system on the same board file reads the board the
     * first one loaded (nothing after board_load changes it). */
    struct stat a, b;
    int rc = 0;
    if (same && same->board_loaded && stat(board, &a) == 0 && stat(same->board.file, &b) == 0 &&
        a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        ctx->board = same->board;
    else
        rc = load_board(ctx, board);
    free(board);
    if (rc)
        return 2;
    stage_done(clk, "board");

    if (resolve(ctx))
        return 1;
    stage_done(clk, "resolve");
    if (ctx->opt.dump_model)
        model_dump(&ctx->sys, stdout, true);

    if (checks_run(ctx) || diag_errors(&ctx->diag))
        return 1;
    stage_done(clk, "checks");
    return 0;
}

/* build and check: the whole pipeline; check stops after the checks. */
static void run_system(struct dtpass_ctx *ctx, bool build)
{
    struct stage_clock clk = {.on = ctx->opt.time_report};
    if (clk.on)
        clock_gettime(CLOCK_MONOTONIC, &clk.t);
    if (analyse(ctx, &clk, NULL))
        return;
    /* Placement and the quiesce plan: what the tables, the blob and the
     * targets' checks read (Xen's reboot findings come from the plan). In
     * check, only with hypervisor memory: capacity is part of the lint
     * (placing the tables finds an SMMUv2 out of SMRs or hypervisor memory
     * too small); a system without it builds only device trees. */
    unsigned hv = ctx->opt.hv_targets;
    unsigned t = ctx->opt.targets, needs = hv_needs(hv);
    bool place = build ? (t & (T_SMMU | T_S2 | T_HVDATA | T_BLOB | T_REPORT)) || (needs & HV_NEEDS_PLACE)
                       : ctx->sys.hyp_memory.n > 0;
    if (place) {
        if (lower_place(ctx))
            return;
        stage_done(&clk, "lower-place");
        if (lower_quiesce(ctx))
            return;
        stage_done(&clk, "lower-quiesce");
    }
    /* Target checks: only on a system the isolation checks accept, in
     * build and in check (CI lints for a target with `check --target`). */
    for (size_t i = 0; i < hv_targets_len; i++)
        if ((hv & (1u << i)) && hv_targets[i]->check) {
            hv_targets[i]->check(ctx);
            stage_done(&clk, hv_targets[i]->name);
        }
    if (diag_errors(&ctx->diag) || !build)
        return;

    if ((t & (T_DTS | T_DTB)) || (needs & HV_NEEDS_GUEST_TREES)) {
        /* What the guest trees share; emit-dt carves each guest's tree,
         * writes it and frees it before the next. */
        if (lower_guest_trees(ctx))
            return;
        stage_done(&clk, "lower-owners");
    }
    /* The output directory's lock, before the first output is staged. */
    ctx->out.dir = ctx->opt.outdir;
    ctx->out.no_wait = ctx->opt.no_wait;
    if (outputs_begin(&ctx->out)) {
        diag_fatal(&ctx->diag, NOPOS, "%s", ctx->out.msg);
        return;
    }
    if ((t & (T_DTS | T_DTB)) && emit_guest_dt(ctx))
        return;
    stage_done(&clk, "emit-dt");
    if ((t & (T_SMMU | T_S2 | T_HVDATA)) && emit_tables(ctx, t))
        return;
    stage_done(&clk, "emit-tables");
    for (size_t i = 0; i < ARRAY_SIZE(targets); i++) {
        if (!(t & targets[i].bit) || !targets[i].emit)
            continue;
        if (targets[i].emit(ctx))
            return;
        stage_done(&clk, targets[i].name);
    }
    for (size_t i = 0; i < hv_targets_len; i++) {
        if (!(hv & (1u << i)))
            continue;
        if (hv_targets[i]->emit(ctx))
            return;
        stage_done(&clk, hv_targets[i]->name);
    }
    if (diag_errors(&ctx->diag))
        return;

    /* Commit only now: a failed build never overwrites the last good outputs. */
    if (ctx->opt.depfile &&
        depfile_write(&ctx->out, ctx->opt.depfile, ctx->sys.inputs.v, ctx->sys.inputs.n,
                      ctx->board.inputs.v, ctx->board.inputs.n)) {
        diag_fatal(&ctx->diag, NOPOS, "cannot write %s: %s", ctx->opt.depfile, strerror(errno));
        return;
    }
    if (outputs_commit(&ctx->out, ctx->sys.inputs.v, ctx->sys.inputs.n, ctx->board.inputs.v,
                       ctx->board.inputs.n))
        diag_fatal(&ctx->diag, NOPOS, "%s", ctx->out.msg);
    stage_done(&clk, "commit");
}

/* diff: both systems through the front of the pipeline, then compared.
 * Exit 0 when nothing changed, 1 when something did, 2 when either system
 * or its board cannot be read. */
static int run_diff(struct dtpass_ctx *ctx)
{
    struct dtpass_ctx nw = {.opt = ctx->opt};
    nw.opt.input = ctx->opt.input2;
    diag_init(&nw.diag);
    diag_inherit(&nw.diag, &ctx->diag);
    system_init(&nw.sys);
    outputs_init(&nw.out);
    struct stage_clock clk = {0};
    int status = 0;
    if (analyse(ctx, &clk, NULL) == 2 || analyse(&nw, &clk, ctx) == 2) {
        diag_render(&ctx->diag, stderr, ctx->opt.format, ctx->opt.color);
        diag_render(&nw.diag, stderr, ctx->opt.format, ctx->opt.color);
        status = 2;
    } else {
        struct diag_sink out;
        diag_init(&out);
        diag_inherit(&out, &ctx->diag);
        size_t n = desk_diff(ctx, &nw, &out, ctx->opt.format == DIAG_TEXT ? stdout : NULL);
        if (ctx->opt.format != DIAG_TEXT)
            diag_render(&out, stdout, ctx->opt.format, false);
        diag_free(&out);
        status = n ? 1 : 0;
    }
    if (nw.board_loaded)
        board_free(&nw.board);
    system_free(&nw.sys);
    diag_free(&nw.diag);
    return status;
}

int main(int argc, char **argv)
{
    struct dtpass_ctx ctx = {0};
    diag_init(&ctx.diag);
    system_init(&ctx.sys);
    outputs_init(&ctx.out);

    int status = parse_args(&ctx, argc, argv), forced = 0;
    bool rendered = false;
    ctx.diag.warnings_hidden = ctx.opt.quiet && ctx.opt.format == DIAG_TEXT;
    if (status == 0) {
        const char *cmd = ctx.opt.command;
        if (!strcmp(cmd, "board")) {
            if (load_board(&ctx, ctx.opt.input) == 0 && ctx.opt.groups)
                desk_groups(&ctx.board, stdout, ctx.opt.json);
            else if (ctx.board_loaded)
                board_describe(&ctx.board, stdout, ctx.opt.json);
        } else if (!strcmp(cmd, "diff")) {
            forced = run_diff(&ctx); /* renders its report and diagnostics itself */
            rendered = true;
        } else if (!strcmp(cmd, "init")) {
            /* No board, no starter system: exit 2 even for board-invalid. */
            if (load_board(&ctx, ctx.opt.board) || desk_init(&ctx))
                forced = 2;
        } else if (!strcmp(cmd, "dump")) {
            dump_file(&ctx);
        } else {
            run_system(&ctx, !strcmp(cmd, "build"));
        }
        outputs_abort(&ctx.out); /* removes temporaries left by a failed build */
        ctx.diag.quiet = ctx.opt.quiet;
        if (!rendered)
            diag_render(&ctx.diag, stderr, ctx.opt.format, ctx.opt.color);
        status = rendered || forced ? forced : diag_exit_status(&ctx.diag);
    }

    lower_free(&ctx);
    quiesce_free(ctx.quiesce);
    if (ctx.board_loaded)
        board_free(&ctx.board);
    system_free(&ctx.sys);
    diag_free(&ctx.diag);
    VEC_FREE(&ctx.opt.incdirs);
    return status;
}
