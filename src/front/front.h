/* front/front.h — the two front ends. Both build the same struct system
 * (model/model.h); front_load picks one by the file name: `.dtpass` is the
 * DSL, anything else (and `-`, stdin) is YAML. */
#ifndef DTPASS_FRONT_H
#define DTPASS_FRONT_H

#include "diag/diag.h"
#include "model/model.h"

/* Parses file into sys. Returns 0 on success, -1 when errors were reported. */
int front_load(struct system *sys, const char *file, struct diag_sink *d);
int front_yaml(struct system *sys, const char *file, const char *text, size_t len,
               struct diag_sink *d);
int front_dsl(struct system *sys, const char *file, struct diag_sink *d);

#endif
