/* diag/diag.c — the diagnostic sink: collects findings with their check id,
 * severity (from the check table and -W options), positions, nodes, notes
 * and fixes; interns file names and keeps source texts for quoting. */
#include <stdlib.h>
#include <string.h>

#include "diag/diag.h"

void diag_init(struct diag_sink *s)
{
    memset(s, 0, sizeof(*s));
    strmap_init(&s->names);
    strmap_init(&s->sources);
    s->sev = xcalloc(check_table_len, sizeof(*s->sev));
    s->werror_id = xcalloc(check_table_len, sizeof(*s->werror_id));
    for (size_t i = 0; i < check_table_len; i++)
        s->sev[i] = check_table[i].sev;
}

static void free_diag(struct diag *d)
{
    free(d->msg);
    free(d->fix);
    for (size_t i = 0; i < d->nodes.n; i++)
        free(d->nodes.v[i]);
    VEC_FREE(&d->nodes);
    for (size_t i = 0; i < d->notes.n; i++) {
        free(d->notes.v[i].msg);
        free(d->notes.v[i].node);
    }
    VEC_FREE(&d->notes);
    free(d);
}

void diag_free(struct diag_sink *s)
{
    for (size_t i = 0; i < s->diags.n; i++)
        free_diag(s->diags.v[i]);
    VEC_FREE(&s->diags);
    for (size_t i = 0; i < s->owned.n; i++)
        free(s->owned.v[i]);
    VEC_FREE(&s->owned);
    strmap_free(&s->names);
    strmap_free(&s->sources);
    free(s->sev);
    s->sev = NULL;
    free(s->werror_id);
    s->werror_id = NULL;
}

const char *diag_intern(struct diag_sink *s, const char *file)
{
    const char *name = strmap_get(&s->names, file);
    if (name)
        return name;
    char *copy = xstrdup(file);
    VEC_PUSH(&s->owned, copy);
    strmap_put(&s->names, copy, copy);
    return copy;
}

void diag_add_source(struct diag_sink *s, const char *file, const char *text, size_t len)
{
    const char *name = diag_intern(s, file);
    char *copy = xstrndup(text, len);
    VEC_PUSH(&s->owned, copy);
    strmap_put(&s->sources, name, copy);
}

const struct check_info *check_lookup(const char *id)
{
    for (size_t i = 0; i < check_table_len; i++)
        if (!strcmp(check_table[i].id, id))
            return &check_table[i];
    return NULL;
}

enum severity diag_severity(const struct diag_sink *s, const char *check)
{
    const struct check_info *ci = check_lookup(check);
    if (!ci)
        return SEV_ERROR;
    enum severity sev = s->sev[ci - check_table];
    if (s->werror && sev == SEV_WARNING)
        sev = SEV_ERROR;
    return sev;
}

/* Messages quote what the user wrote (names, paths, values); a hostile
 * input can make those megabytes long. A message, note or fix is cut to
 * this many bytes, at a character boundary, with "..." to say so. */
#define DIAG_MSG_MAX 1000

static char *clipped(char *m)
{
    size_t n = strlen(m);
    if (n <= DIAG_MSG_MAX)
        return m;
    n = DIAG_MSG_MAX;
    while (n > 0 && ((unsigned char)m[n] & 0xc0) == 0x80)
        n--;
    memcpy(m + n, "...", 4);
    return m;
}

static struct diag *add(struct diag_sink *s, const char *check, enum severity sev,
                        struct srcpos pos, const char *fmt, va_list ap)
{
    struct diag *d = xcalloc(1, sizeof(*d));
    d->check = check;
    d->sev = sev;
    d->pos = pos;
    d->msg = clipped(xvasprintf(fmt, ap));
    VEC_PUSH(&s->diags, d);
    return d;
}

static struct diag *report(struct diag_sink *s, const char *check, enum severity sev,
                           struct srcpos pos, const char *fmt, va_list ap)
{
    if (sev == SEV_OFF)
        return NULL;
    if (sev == SEV_ERROR)
        s->nerrors++;
    else if (sev == SEV_WARNING)
        s->nwarnings++;
    struct diag *d = add(s, check, sev, pos, fmt, ap);
    if (d && sev != SEV_ERROR && s->warnings_hidden)
        d->hidden = true;
    return d;
}

struct diag *diag_report(struct diag_sink *s, const char *check, struct srcpos pos,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct diag *d = report(s, check, diag_severity(s, check), pos, fmt, ap);
    va_end(ap);
    return d;
}

struct diag *diag_vreport_sev(struct diag_sink *s, const char *check, enum severity sev,
                              struct srcpos pos, const char *fmt, va_list ap)
{
    enum severity cur = diag_severity(s, check);
    const struct check_info *ci = check_lookup(check);
    /* A finding is never louder than its check allows... */
    if (cur == SEV_OFF || sev == SEV_OFF)
        return NULL;
    if (sev > cur)
        sev = cur;
    /* ...but -Werror and -Werror=<id> apply to downgraded findings too. */
    if (sev == SEV_WARNING && (s->werror || (ci && s->werror_id[ci - check_table])))
        sev = SEV_ERROR;
    return report(s, check, sev, pos, fmt, ap);
}

struct diag *diag_report_sev(struct diag_sink *s, const char *check, enum severity sev,
                             struct srcpos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct diag *d = diag_vreport_sev(s, check, sev, pos, fmt, ap);
    va_end(ap);
    return d;
}

struct diag *diag_fatal(struct diag_sink *s, struct srcpos pos, const char *fmt, ...)
{
    s->nfatal++;
    va_list ap;
    va_start(ap, fmt);
    struct diag *d = add(s, NULL, SEV_ERROR, pos, fmt, ap);
    va_end(ap);
    return d;
}

void diag_node(struct diag *d, const char *path)
{
    if (d && path)
        VEC_PUSH(&d->nodes, xstrdup(path));
}

void diag_note(struct diag *d, struct srcpos pos, const char *node, const char *fmt, ...)
{
    if (!d)
        return;
    struct diag_note *n = VEC_ADD(&d->notes);
    va_list ap;
    va_start(ap, fmt);
    n->msg = clipped(xvasprintf(fmt, ap));
    va_end(ap);
    n->pos = pos;
    n->node = node ? xstrdup(node) : NULL;
}

void diag_fix(struct diag *d, const char *fmt, ...)
{
    if (!d)
        return;
    va_list ap;
    va_start(ap, fmt);
    free(d->fix);
    d->fix = clipped(xvasprintf(fmt, ap));
    va_end(ap);
}

int diag_option(struct diag_sink *s, const char *opt)
{
    const char *id;
    enum severity sev;
    if (!strncmp(opt, "-W", 2))
        opt += 2;
    if (!strcmp(opt, "error")) {
        s->werror = true;
        return 0;
    }
    if (!strncmp(opt, "error=", 6)) {
        id = opt + 6;
        sev = SEV_ERROR;
    } else if (!strncmp(opt, "no-", 3)) {
        id = opt + 3;
        sev = SEV_OFF;
    } else {
        id = opt;
        sev = SEV_WARNING;
    }
    const struct check_info *ci = check_lookup(id);
    if (!ci)
        return -1;
    /* -W<id> enables a check at its default severity (a warning if it is off
     * by default); it never downgrades an error. */
    if (sev == SEV_WARNING && ci->sev > SEV_WARNING)
        sev = ci->sev;
    /* Errors that make the model meaningless cannot be switched off. */
    if (sev == SEV_OFF && (!strcmp(id, "syntax") || !strcmp(id, "schema") ||
                           !strcmp(id, "board-invalid") || !strcmp(id, "ref-unknown")))
        return -1;
    s->sev[ci - check_table] = sev;
    s->werror_id[ci - check_table] = sev == SEV_ERROR && !strncmp(opt, "error=", 6);
    return 0;
}

int diag_exit_status(const struct diag_sink *s)
{
    if (s->nfatal)
        return 2;
    if (s->nerrors)
        return 1;
    return 0;
}

void diag_render(const struct diag_sink *s, FILE *out, enum diag_format fmt, bool color)
{
    switch (fmt) {
    case DIAG_TEXT: diag_render_text(s, out, color); break;
    case DIAG_JSON: diag_render_json(s, out); break;
    case DIAG_SARIF: diag_render_sarif(s, out); break;
    }
}

void diag_inherit(struct diag_sink *dst, const struct diag_sink *src)
{
    memcpy(dst->sev, src->sev, check_table_len * sizeof(*dst->sev));
    memcpy(dst->werror_id, src->werror_id, check_table_len * sizeof(*dst->werror_id));
    dst->werror = src->werror;
    dst->quiet = src->quiet;
    dst->srcroot = src->srcroot;
}
