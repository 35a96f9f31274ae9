/* front/dsl.c — placeholder */
#include "front/front.h"
int front_dsl(struct system *sys, const char *file, struct diag_sink *d)
{
    (void)sys;
    diag_fatal(d, NOPOS, "%s: DSL not yet", file);
    return -1;
}
