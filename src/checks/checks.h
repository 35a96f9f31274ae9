/* checks/checks.h — the isolation checks (SPEC §4). Each check is data in
 * diag/checks.def (id, default severity, function, prerequisites), run in
 * the order of checks/registry.c's check_order[]. They run
 * read-only over the resolved model and report every finding. */
#ifndef DTPASS_CHECKS_H
#define DTPASS_CHECKS_H

#include "dtpass.h"

/* Runs every enabled check; returns the number of errors found. */
int checks_run(struct dtpass_ctx *ctx);

#endif
