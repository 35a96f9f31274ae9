/* tests/unit/front_test.h — helpers shared by the front-end unit tests:
 * parse a snippet, look for a finding by check id and line:col. */
#ifndef DTPASS_FRONT_TEST_H
#define DTPASS_FRONT_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag/diag.h"
#include "front/front.h"
#include "model/model.h"

struct fx {
    struct diag_sink d;
    struct system s;
    char dir[64];
};

static inline int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    diag_init(&f->d);
    system_init(&f->s);
    snprintf(f->dir, sizeof(f->dir), "/tmp/dtpass-unit-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    *state = f;
    return 0;
}

static inline int fx_teardown(void **state)
{
    struct fx *f = *state;
    char cmd[128];
    system_free(&f->s);
    diag_free(&f->d);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

/* Writes name (inside the fixture's directory) and returns its path. */
static inline char *fx_write(struct fx *f, const char *name, const char *text)
{
    char *path = malloc(strlen(f->dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "w");
    if (!fp)
        abort();
    fputs(text, fp);
    fclose(fp);
    return path;
}

/* The finding with this check at line:col, or NULL. */
static inline const struct diag *fx_find(const struct fx *f, const char *check, uint32_t line,
                                         uint32_t col)
{
    for (size_t i = 0; i < f->d.diags.n; i++) {
        const struct diag *d = f->d.diags.v[i];
        if (d->check && !strcmp(d->check, check) && d->pos.line == line && d->pos.col == col)
            return d;
    }
    return NULL;
}

/* Prints every finding (to explain a failed assertion). */
static inline void fx_print(const struct fx *f)
{
    for (size_t i = 0; i < f->d.diags.n; i++) {
        const struct diag *d = f->d.diags.v[i];
        fprintf(stderr, "  %u:%u [%s] %s\n", d->pos.line, d->pos.col, d->check ? d->check : "-",
                d->msg);
    }
}

/* Resets the fixture between table rows. */
static inline void fx_reset(struct fx *f)
{
    system_free(&f->s);
    diag_free(&f->d);
    diag_init(&f->d);
    system_init(&f->s);
}

/* One invalid snippet: the check id and position it must produce. */
struct bad {
    const char *text;
    const char *check;
    uint32_t line, col;
};

/* Runs every row through parse; returns how many did not fail with their
 * finding (each one printed). */
static inline int fx_run_bad(struct fx *f, const struct bad *cases, size_t n,
                             int (*parse)(struct fx *, const char *))
{
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        const struct bad *b = &cases[i];
        fx_reset(f);
        int rc = parse(f, b->text);
        if (rc != -1 || !fx_find(f, b->check, b->line, b->col)) {
            fprintf(stderr, "case %zu: expected [%s] at %u:%u in:\n%s--- got rc %d:\n", i,
                    b->check, b->line, b->col, b->text, rc);
            fx_print(f);
            failures++;
        }
    }
    return failures;
}

#endif
