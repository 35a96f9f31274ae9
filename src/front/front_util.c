/* front/front_util.c — reference and property-name syntax, "did you mean"
 * (shared by both front ends and by resolve/ for unknown nodes). */
#include <stdlib.h>
#include <string.h>

#include "front/front_util.h"
#include "util/util.h"

const char *front_closest(const char *word, const char *const *cands, size_t n)
{
    size_t len = strlen(word);
    size_t cap = len / 3 > 1 ? len / 3 : 1;
    const char *best = NULL;
    size_t bestd = cap + 1;
    for (size_t i = 0; i < n; i++) {
        size_t dist = edit_distance(word, cands[i], cap);
        if (dist < bestd) {
            bestd = dist;
            best = cands[i];
        }
    }
    return best;
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool front_valid_ref(struct diag_sink *d, struct srcpos pos, const char *text, size_t len,
                     const char *what)
{
    const char *why = NULL;
    if (len == 0 || memchr(text, '\0', len)) {
        why = "it is empty";
    } else if (text[0] == '/') {
        for (size_t i = 0; i < len && !why; i++)
            if ((unsigned char)text[i] <= ' ' || text[i] == 0x7f)
                why = "a path cannot contain spaces or control characters";
        if (!why && len > 1 && text[len - 1] == '/')
            why = "a path does not end with '/'";
    } else if (text[0] == '&') {
        if (len == 1 || !(is_alnum(text[1]) || text[1] == '_') || (text[1] >= '0' && text[1] <= '9'))
            why = "a label is '&' followed by [a-zA-Z_][a-zA-Z0-9_]*";
        for (size_t i = 1; i < len && !why; i++)
            if (!(is_alnum(text[i]) || text[i] == '_'))
                why = "a label is '&' followed by [a-zA-Z_][a-zA-Z0-9_]*";
    } else {
        for (size_t i = 0; i < len && !why; i++)
            if (!(is_alnum(text[i]) || text[i] == '_' || text[i] == '-'))
                why = "write an absolute path (/soc/uart@...), a label (&uart0) or an alias (serial0)";
    }
    if (!why)
        return true;
    diag_report(d, CK_SCHEMA, pos, "%s: invalid node reference '%.*s': %s", what,
                (int)(len > 200 ? 200 : len), text, why);
    return false;
}

bool front_valid_propname(struct diag_sink *d, struct srcpos pos, const char *text, size_t len)
{
    bool ok = len > 0 && len <= 255;
    for (size_t i = 0; i < len && ok; i++) {
        char c = text[i];
        ok = is_alnum(c) || strchr(",._+?#-", c) != NULL;
        if (c == '\0')
            ok = false;
    }
    if (!ok)
        diag_report(d, CK_SCHEMA, pos, "invalid property name '%.*s'",
                    (int)(len > 200 ? 200 : len), text);
    return ok;
}
