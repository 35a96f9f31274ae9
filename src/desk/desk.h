/* desk/desk.h — the commands for the desk, before a system exists or
 * between two of them: `board --groups` (the assignable units), `init` (a
 * starter system written from them) and `diff` (what a change does to
 * isolation). Each reads what the pipeline's stages computed; none writes
 * build outputs. */
#ifndef DTPASS_DESK_H
#define DTPASS_DESK_H

#include <stdio.h>

#include "checks/units.h"
#include "dtpass.h"

/* `dtpass board FILE --groups [--json]`. */
void desk_groups(const struct board *b, FILE *out, bool json);
/* A unit's reasons, needs and DMA protection, one line each after indent. */
void unit_describe(struct strbuf *sb, const struct unit *u, const char *indent);
/* "stoppable by SMMU stream, reset" or "nothing can stop its DMA". */
const char *unit_protection(const struct unit *u, char *buf, size_t len);

/* `dtpass init --board FILE [--guests N] [-o FILE]`: the board is loaded;
 * writes the starter system to -o (never over an existing file) or stdout.
 * Returns 0, or -1 with a diagnostic. */
#define DESK_GUESTS_MAX 64
int desk_init(struct dtpass_ctx *ctx);

/* `dtpass diff OLD NEW`: both systems analysed (parse..checks). Reports
 * each change as an isolation-change diagnostic into out and, when text is
 * not NULL, as one line there. Returns the number of changes. */
size_t desk_diff(const struct dtpass_ctx *old, const struct dtpass_ctx *new, struct diag_sink *out,
                 FILE *text);

#endif
