/* front/dsl_internal.h — what the DSL scanner (grammar/dtpass.l), parser
 * (grammar/dtpass.y) and driver (front/dsl.c) share: the parse state of one
 * file, the constant table and the action helpers. Not for other stages. */
#ifndef DTPASS_DSL_INTERNAL_H
#define DTPASS_DSL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"
#include "model/model.h"
#include "util/util.h"

#define DSL_MAX_INCLUDE_DEPTH 16
#define DSL_MAX_SYNTAX_ERRORS 50 /* per file: then the parse is abandoned */

/* The bison location type (dtpass.y declares YYLTYPE as this). */
typedef struct dsl_loc {
    int first_line, first_column, last_line, last_column;
} dsl_loc;

/* A constant expression's value; ok is false after an error (reported
 * once, where it happened), so one mistake does not cascade. */
struct dsl_val {
    uint64_t v;
    bool ok;
    dsl_loc loc;
};

struct dsl_const {
    char *name;
    uint64_t value;
    struct srcpos pos;
};

/* Everything shared by a file and the files it includes. */
struct dsl_shared {
    struct system *sys;
    struct diag_sink *d;
    struct strmap consts;  /* name -> struct dsl_const * */
    VEC(struct dsl_const *) const_list; /* owner of the constants */
    VEC(char *) stack;     /* canonical paths being parsed: cycle detection */
    bool board_seen;
    struct srcpos board_pos;
    struct srcpos seen_ipa_bits, seen_pa_bits; /* once per system, across includes */
    struct srcpos seen_qnx_version;
};

/* One file being parsed. */
struct dsl_state {
    struct dsl_shared *sh;
    const char *file; /* interned */
    const char *dir;  /* includes are relative to this; allocated */
    int depth;        /* include depth */
    int line, col;    /* scanner position of the next byte */
    dsl_loc comment_start;
    size_t nsyntax;   /* syntax errors in this file */
    bool first_stmt_seen, version_seen;
    /* the object being filled: indices, because vectors move */
    size_t guest, device, shared;
    bool in_guest, in_device, in_shared;
    size_t smmu;
    bool in_smmu;
    /* singletons already given inside the current block */
    struct srcpos seen_vmid, seen_bootargs, seen_stdout, seen_kernel, seen_ramdisk;
    struct srcpos seen_ipa, seen_dma, seen_smmu_ref, seen_unsafe;
    struct srcpos seen_sid_bits, seen_smrs, seen_cbs;
    size_t peer;
    bool in_peer;
    struct srcpos seen_access, seen_at, seen_doorbell;
};

struct srcpos dsl_pos(const struct dsl_state *st, const dsl_loc *loc);
void dsl_step(struct dsl_state *st, dsl_loc *loc, const char *text, size_t len);
void dsl_error_at(struct dsl_state *st, const dsl_loc *loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
char *dsl_unescape(struct dsl_state *st, const dsl_loc *loc, const char *s, size_t len);
/* Parses one file (the top one or an include) with a fresh scanner. */
int dsl_parse_file(struct dsl_shared *sh, const char *path, int depth);

#endif
