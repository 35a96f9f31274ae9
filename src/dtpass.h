/* dtpass.h — the context that travels through the pipeline (no global
 * mutable state) and the command-line options that shape it. Each stage's
 * own header is in its folder; main.c calls them in order. */
#ifndef DTPASS_H
#define DTPASS_H

#include <stdbool.h>

#include "board/board.h"
#include "diag/diag.h"
#include "model/model.h"
#include "util/util.h"

#define DTPASS_VERSION "0.1.0"

/* Output targets of `dtpass build` (--target) that are not hypervisor
 * targets; those are data in targets/registry.c (dtpass_options.hv_targets). */
enum target {
    T_DTS = 1u << 0,
    T_DTB = 1u << 1,
    T_SMMU = 1u << 2,
    T_S2 = 1u << 3,
    T_HVDATA = 1u << 4,
    T_BLOB = 1u << 5,
    T_REPORT = 1u << 7,
};
#define T_DEFAULT (T_DTS | T_DTB | T_SMMU | T_S2 | T_HVDATA | T_BLOB)

struct dtpass_options {
    const char *command;     /* build, check, dump, board */
    const char *input;       /* SYSTEM, or FILE for dump/board, OLD for diff */
    const char *input2;      /* NEW for diff */
    const char *board;       /* --board, or NULL */
    const char *outdir;      /* -o, default "out" */
    unsigned targets;        /* enum target bits */
    unsigned hv_targets;     /* bit i: hypervisor target hv_targets[i] (targets/target.h) */
    VEC(const char *) incdirs; /* -I */
    const char *depfile;     /* -M */
    const char *classes;     /* --classes: extra device-class data */
    enum diag_format format; /* --format */
    bool color;
    bool quiet;
    bool json;               /* --json (board, dump) */
    bool groups;             /* --groups (board): the assignable units */
    uint32_t guests;         /* --guests (init), 0: the default */
    const char *init_out;    /* -o of init: a file, or NULL for stdout */
    bool dump_model;         /* --dump-model: print the model after resolve */
    bool time_report;        /* --time-report: per-stage timings to stderr */
    bool no_wait;            /* --no-wait: fail while another build holds -o DIR */
};

struct gt_owners;  /* lower/guest_tree.h */
struct placement;  /* lower/place.h */
struct quiesce_plan; /* lower/quiesce.h */

struct dtpass_ctx {
    struct dtpass_options opt;
    struct diag_sink diag;
    struct board board;
    bool board_loaded;
    struct system sys;
    struct gt_owners *owners;  /* who owns each assigned board node, from lower_guest_trees */
    struct placement *place;   /* tables in hypervisor memory, from lower_place */
    struct quiesce_plan *quiesce; /* per guest, how to stop its DMA, from lower_quiesce */
    struct outputs out;        /* staged output files */
};

/* The board file a system uses: --board, else `board:` relative to the
 * system file. Returns an allocated path or NULL (reported). */
char *dtpass_board_path(struct dtpass_ctx *ctx);

#endif
