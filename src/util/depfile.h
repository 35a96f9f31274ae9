/* util/depfile.h — the Make dependency rule of -M DEPFILE. */
#ifndef DTPASS_DEPFILE_H
#define DTPASS_DEPFILE_H

#include "util/util.h"

/* Stages DEPFILE in out: "<every staged output>: <every input>", plus an
 * empty rule per input so a deleted include does not break make. */
int depfile_write(struct outputs *out, const char *depfile, char *const *sys_inputs,
                  size_t nsys, char *const *board_inputs, size_t nboard);

#endif
