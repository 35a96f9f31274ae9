/* diag/diag.h — source positions and the diagnostic sink.
 *
 * Every stage reports through one sink. A finding carries a check id (the
 * stable name used by -W, JSON, SARIF and docs), a severity taken from the
 * check table and -W options, a primary position in the system file, the
 * board nodes involved, notes with further positions, and an optional fix.
 * Nothing is printed until diag_render(), so the same findings come out as
 * gcc-style text, JSON or SARIF. */
#ifndef DTPASS_DIAG_H
#define DTPASS_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/util.h"

/* A place in an input file. line == 0 means "no position" (file may still be
 * set: a whole-file problem). file is interned by the sink or static. */
struct srcpos {
    const char *file;
    uint32_t line, col;
};
#define NOPOS ((struct srcpos){0})

enum severity { SEV_OFF = 0, SEV_NOTE, SEV_WARNING, SEV_ERROR };

/* The static description of one check id (table in checks/registry.c). */
struct check_info {
    const char *id;
    enum severity sev;   /* default */
    const char *summary; /* one line, for SARIF shortDescription */
    const char *help;    /* a paragraph, for SARIF fullDescription */
};
extern const struct check_info check_table[];
extern const size_t check_table_len;

struct diag_note {
    struct srcpos pos;
    char *node; /* board node path involved, or NULL */
    char *msg;
};

struct diag {
    const char *check; /* id from check_table, or NULL for I/O and usage errors */
    enum severity sev;
    struct srcpos pos;
    char *msg;
    VEC(char *) nodes; /* board node paths involved */
    VEC(struct diag_note) notes;
    char *fix; /* suggested fix, or NULL */
    bool hidden; /* a warning that will not be shown (diag_sink.warnings_hidden) */
};

enum diag_format { DIAG_TEXT, DIAG_JSON, DIAG_SARIF };

struct diag_sink {
    VEC(struct diag *) diags;
    enum severity *sev; /* per check_table entry, after -W options */
    bool *werror_id;    /* per check_table entry: -Werror=<id> was given */
    bool werror;
    size_t nerrors, nwarnings, nfatal;
    struct strmap names;   /* interned file names */
    struct strmap sources; /* file name -> text, for source lines with carets */
    VEC(char *) owned;     /* interned names and source texts */
    /* Where rendered paths are relative to (SARIF uriBaseId): NULL = as given. */
    const char *srcroot;
    /* -q: the text format shows errors only (JSON and SARIF stay complete). */
    bool quiet;
    /* Known before any finding: -q with the text format, so a warning will
     * never be shown and may skip costly detail (a DTS board's node
     * position needs a second dtc run). */
    bool warnings_hidden;
};

void diag_init(struct diag_sink *s);
void diag_free(struct diag_sink *s);

/* Interns a file name; the result lives as long as the sink. */
const char *diag_intern(struct diag_sink *s, const char *file);
/* Remembers the text of an input so findings can quote its lines. The text
 * is copied. */
void diag_add_source(struct diag_sink *s, const char *file, const char *text, size_t len);

/* Reports a finding of check `check` (an id of check_table). Returns the
 * finding so nodes, notes and a fix can be attached, or NULL when the check
 * is disabled (the helpers below accept NULL). */
struct diag *diag_report(struct diag_sink *s, const char *check, struct srcpos pos,
                         const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Like diag_report, for a finding whose severity is decided by the
 * configuration rather than the check table (dma-no-iommu under
 * unsafe-no-iommu is a warning): sev is at most the check's current
 * severity, -Wno-<id> still silences it, and -Werror or -Werror=<id> still
 * promote it to an error. */
struct diag *diag_report_sev(struct diag_sink *s, const char *check, enum severity sev,
                             struct srcpos pos, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
struct diag *diag_vreport_sev(struct diag_sink *s, const char *check, enum severity sev,
                              struct srcpos pos, const char *fmt, va_list ap);
/* An error that is not a finding about the configuration: usage, I/O, an
 * internal limit. Makes the exit status 2. */
struct diag *diag_fatal(struct diag_sink *s, struct srcpos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_node(struct diag *d, const char *path);
void diag_note(struct diag *d, struct srcpos pos, const char *node, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_fix(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* -Wid, -Wno-id, -Werror, -Werror=id. Returns 0, or -1 for an unknown id. */
int diag_option(struct diag_sink *s, const char *opt);
/* Gives dst the -W options of src (a second system analysed by one command). */
void diag_inherit(struct diag_sink *dst, const struct diag_sink *src);
const struct check_info *check_lookup(const char *id);
/* Current severity of a check (after options). */
enum severity diag_severity(const struct diag_sink *s, const char *check);

/* Number of errors reported so far (a pipeline stage stops on these). */
static inline size_t diag_errors(const struct diag_sink *s) { return s->nerrors + s->nfatal; }
/* 0 success, 1 configuration errors, 2 usage/I/O/internal errors. */
int diag_exit_status(const struct diag_sink *s);

/* Renders every finding. color: use ANSI colour (text format only). */
void diag_render(const struct diag_sink *s, FILE *out, enum diag_format fmt, bool color);
void diag_render_text(const struct diag_sink *s, FILE *out, bool color);
void diag_render_json(const struct diag_sink *s, FILE *out);
void diag_render_sarif(const struct diag_sink *s, FILE *out);

#endif
