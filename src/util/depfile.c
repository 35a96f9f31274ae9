/* util/depfile.c — writes the Make rule listing every input a build read. */
#include <string.h>

#include "util/depfile.h"

/* Make needs spaces, '#' and '$' escaped in file names. */
static void put_escaped(struct strbuf *sb, const char *s)
{
    for (; *s; s++) {
        if (*s == ' ' || *s == '#')
            sb_putc(sb, '\\');
        else if (*s == '$')
            sb_putc(sb, '$');
        sb_putc(sb, *s);
    }
}

int depfile_write(struct outputs *out, const char *depfile, char *const *sys_inputs,
                  size_t nsys, char *const *board_inputs, size_t nboard)
{
    char *const *lists[2] = {sys_inputs, board_inputs};
    size_t counts[2] = {nsys, nboard};
    struct strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < out->files.n; i++) {
        if (i)
            sb_puts(&sb, " \\\n ");
        put_escaped(&sb, out->files.v[i].final);
    }
    sb_puts(&sb, ":");
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < counts[l]; i++) {
            sb_puts(&sb, " \\\n  ");
            put_escaped(&sb, lists[l][i]);
        }
    sb_puts(&sb, "\n");
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < counts[l]; i++) {
            sb_puts(&sb, "\n");
            put_escaped(&sb, lists[l][i]);
            sb_puts(&sb, ":\n");
        }
    int rc = outputs_add(out, depfile, sb.s, sb.len);
    sb_free(&sb);
    return rc;
}
