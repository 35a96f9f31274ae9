/* front/front.c — picks the front end by file name (`.dtpass` is the DSL,
 * anything else and `-` is YAML), reads the file with the size cap, registers
 * its text with the diagnostic sink (for source lines under findings) and
 * records it in sys->inputs (for -M). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "front/front.h"
#include "front/front_util.h"

/* stdin with the same cap as a file; NULL with errno on failure. */
static char *read_stdin(size_t max, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap > max) {
                free(buf);
                errno = EFBIG;
                return NULL;
            }
            cap *= 2;
            buf = xrealloc(buf, cap + 1);
        }
        size_t r = fread(buf + n, 1, cap - n, stdin);
        n += r;
        if (r == 0) {
            if (ferror(stdin)) {
                free(buf);
                errno = EIO;
                return NULL;
            }
            break;
        }
    }
    if (n > max) {
        free(buf);
        errno = EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int front_load(struct system *sys, const char *file, struct diag_sink *d)
{
    if (str_ends_with(file, ".dtpass"))
        return front_dsl(sys, file, d);

    bool is_stdin = !strcmp(file, "-");
    const char *name = is_stdin ? "<stdin>" : file;
    size_t len = 0;
    char *text = is_stdin ? read_stdin(FRONT_MAX_FILE, &len) : read_file(file, FRONT_MAX_FILE, &len);
    if (!text) {
        if (errno == EFBIG)
            diag_fatal(d, (struct srcpos){diag_intern(d, name), 0, 0},
                       "the system file is larger than %u MiB", FRONT_MAX_FILE >> 20);
        else
            diag_fatal(d, (struct srcpos){diag_intern(d, name), 0, 0}, "cannot read %s: %s", name,
                       strerror(errno));
        return -1;
    }
    sys->file = diag_intern(d, name);
    if (!is_stdin)
        VEC_PUSH(&sys->inputs, xstrdup(file));
    diag_add_source(d, sys->file, text, len);
    int rc = front_yaml(sys, name, text, len, d);
    free(text);
    return rc;
}
