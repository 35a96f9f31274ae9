/* board/classes.c — device-class data: which compatibles are DMA masters
 * when the DT does not say so (no iommus, no dma-coherent). The built-in
 * data is schemas/device-classes.yaml, compiled into the binary; --classes
 * adds a user file whose classes are tried first. The loader validates the
 * data itself (unknown keys, wrong types, missing keys are errors at their
 * line:col). Matching is cached per compatible string, so a board with
 * 100k nodes costs one fnmatch sweep per distinct compatible. */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "board/internal.h"

extern const char device_classes_yaml[];
extern const unsigned long device_classes_yaml_len;

#define CLASSES_MAX_SIZE (4u << 20)

struct cl_ctx {
    struct bload *c;
    const char *file; /* interned */
    bool builtin;
    yaml_document_t *doc;
    int errors;
};

static void cl_error(struct cl_ctx *x, const yaml_node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cl_error(struct cl_ctx *x, const yaml_node_t *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    struct srcpos pos = {.file = x->file};
    if (at) {
        pos.line = (uint32_t)at->start_mark.line + 1;
        pos.col = (uint32_t)at->start_mark.column + 1;
    }
    if (x->builtin)
        diag_fatal(x->c->d, pos, "built-in device-class data: %s", msg);
    else
        diag_report(x->c->d, CK_SCHEMA, pos, "device-class data: %s", msg);
    free(msg);
    x->errors++;
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static char *own(struct cl_ctx *x, const char *s)
{
    char *p = xstrdup(s);
    VEC_PUSH(&x->c->s->owned, p);
    return p;
}

/* Duplicate keys in a mapping are errors (libyaml accepts them). */
static void check_dup_keys(struct cl_ctx *x, yaml_node_t *m)
{
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++)
        for (yaml_node_pair_t *q = m->data.mapping.pairs.start; q < p; q++) {
            const char *a = scalar(yaml_document_get_node(x->doc, p->key));
            const char *b = scalar(yaml_document_get_node(x->doc, q->key));
            if (a && b && !strcmp(a, b))
                cl_error(x, yaml_document_get_node(x->doc, p->key), "duplicate key '%s'", a);
        }
}

static struct class_pattern compile_pattern(const char *glob)
{
    struct class_pattern p = {.glob = glob, .len = (uint32_t)strlen(glob)};
    p.fnmatch = glob[strcspn(glob, "?[\\")] != '\0';
    const char *first = strchr(glob, '*'), *last = strrchr(glob, '*');
    p.head = first ? (uint32_t)(first - glob) : p.len;
    p.tail = last ? (uint32_t)(p.len - (last - glob) - 1) : 0;
    for (const char *c = glob; *c; c++)
        p.stars += *c == '*';
    return p;
}

static void load_class(struct cl_ctx *x, yaml_node_t *m)
{
    if (m->type != YAML_MAPPING_NODE) {
        cl_error(x, m, "a class is a mapping with name, dma-master and compatible");
        return;
    }
    check_dup_keys(x, m);
    struct dev_class cl = {.dma_master = true};
    bool have_compat = false;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(x->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(x->doc, p->value);
        const char *key = scalar(k);
        if (!key) {
            cl_error(x, k, "keys are plain names");
        } else if (!strcmp(key, "name")) {
            if (!scalar(v) || !*scalar(v))
                cl_error(x, v, "name must be a non-empty string");
            else
                cl.name = own(x, scalar(v));
        } else if (!strcmp(key, "description")) {
            if (!scalar(v))
                cl_error(x, v, "description must be a string");
        } else if (!strcmp(key, "dma-master")) {
            const char *s = scalar(v);
            if (s && !strcmp(s, "true"))
                cl.dma_master = true;
            else if (s && !strcmp(s, "false"))
                cl.dma_master = false;
            else
                cl_error(x, v, "dma-master must be true or false");
        } else if (!strcmp(key, "compatible")) {
            have_compat = true;
            if (!v || v->type != YAML_SEQUENCE_NODE) {
                cl_error(x, v, "compatible must be a list of patterns");
                continue;
            }
            for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
                yaml_node_t *e = yaml_document_get_node(x->doc, *it);
                if (!scalar(e) || !*scalar(e))
                    cl_error(x, e, "a compatible pattern is a non-empty string");
                else
                    VEC_PUSH(&cl.patterns, compile_pattern(own(x, scalar(e))));
            }
        } else {
            cl_error(x, k, "unknown key '%s' in a class (name, description, dma-master, compatible)", key);
        }
    }
    if (!cl.name)
        cl_error(x, m, "a class needs a name");
    if (!have_compat)
        cl_error(x, m, "a class needs a compatible list");
    if (cl.name && have_compat)
        VEC_PUSH(&x->c->s->classes, cl);
    else
        VEC_FREE(&cl.patterns);
}

static int load_data(struct bload *c, const char *file, bool builtin, const char *text, size_t len)
{
    struct cl_ctx x = {.c = c, .file = diag_intern(c->d, file), .builtin = builtin};
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!builtin)
        diag_add_source(c->d, x.file, text, len);
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        struct srcpos pos = {.file = x.file, .line = (uint32_t)parser.problem_mark.line + 1,
                             .col = (uint32_t)parser.problem_mark.column + 1};
        if (builtin)
            diag_fatal(c->d, pos, "built-in device-class data: %s", parser.problem ? parser.problem : "bad YAML");
        else
            diag_report(c->d, CK_SYNTAX, pos, "device-class data: %s",
                        parser.problem ? parser.problem : "bad YAML");
        yaml_parser_delete(&parser);
        return -1;
    }
    x.doc = &doc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root || root->type != YAML_MAPPING_NODE) {
        cl_error(&x, root, "expected a mapping with dtpass-device-classes: 1 and classes");
    } else {
        bool version = false;
        check_dup_keys(&x, root);
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(&doc, p->key);
            yaml_node_t *v = yaml_document_get_node(&doc, p->value);
            const char *key = scalar(k);
            if (key && !strcmp(key, "dtpass-device-classes")) {
                version = true;
                if (!scalar(v) || strcmp(scalar(v), "1"))
                    cl_error(&x, v, "dtpass-device-classes must be 1");
            } else if (key && !strcmp(key, "classes")) {
                if (v->type != YAML_SEQUENCE_NODE) {
                    cl_error(&x, v, "classes must be a list");
                    continue;
                }
                for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
                    load_class(&x, yaml_document_get_node(&doc, *it));
            } else {
                cl_error(&x, k, "unknown key '%s' (dtpass-device-classes, classes)", key ? key : "?");
            }
        }
        if (!version)
            cl_error(&x, root, "missing dtpass-device-classes: 1");
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return x.errors ? -1 : 0;
}

int board_classes_load(struct bload *c)
{
    if (c->opt->classes_file) {
        size_t len;
        char *text = read_file(c->opt->classes_file, CLASSES_MAX_SIZE, &len);
        if (!text) {
            diag_fatal(c->d, NOPOS, "cannot read device classes %s: %s", c->opt->classes_file, strerror(errno));
            return -1;
        }
        int rc = load_data(c, c->opt->classes_file, false, text, len);
        free(text);
        VEC_PUSH(&c->b->inputs, xstrdup(c->opt->classes_file));
        if (rc)
            return -1;
    }
    return load_data(c, "schemas/device-classes.yaml", true, device_classes_yaml,
                     (size_t)device_classes_yaml_len);
}

void board_classes_free(struct board_store *s)
{
    for (size_t i = 0; i < s->classes.n; i++)
        VEC_FREE(&s->classes.v[i].patterns);
    VEC_FREE(&s->classes);
    for (size_t i = 0; i < s->owned.n; i++)
        free(s->owned.v[i]);
    VEC_FREE(&s->owned);
    strmap_free(&s->class_cache);
}

/* The cache stores class index + 1, or NO_CLASS for a miss (never NULL,
 * which means "not cached yet"). */
#define NO_CLASS ((void *)(uintptr_t)SIZE_MAX)

/* fnmatch(3) with flags 0 for a pattern of literal text and '*' (with
 * flags 0 a '*' matches any bytes, '/' and a leading '.' included, so
 * this is fnmatch's answer); fnmatch itself, far slower, was a quarter of
 * a small board's build. The literal head and tail are compared first:
 * with at most one '*' (nearly every pattern: "*-phy", "*mdio*" has two)
 * they decide alone. */
static bool glob_match(const struct class_pattern *cp, const char *s, size_t slen)
{
    if (cp->fnmatch)
        return fnmatch(cp->glob, s, 0) == 0;
    if (!cp->stars)
        return slen == cp->len && !memcmp(s, cp->glob, slen);
    if (cp->head + cp->tail > slen || memcmp(s, cp->glob, cp->head) ||
        memcmp(s + slen - cp->tail, cp->glob + cp->len - cp->tail, cp->tail))
        return false;
    if (cp->stars == 1)
        return true;
    const char *p = cp->glob, *star = NULL, *resume = NULL;
    while (*s) {
        if (*p == '*') {
            star = p++;
            resume = s; /* the star matches nothing so far */
        } else if (*p == *s) {
            p++;
            s++;
        } else if (star) {
            p = star + 1; /* let the last star take one more byte */
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

static const struct dev_class *match_one(struct bload *c, const char *compat)
{
    struct board_store *s = c->s;
    void *hit = strmap_get(&s->class_cache, compat);
    if (!hit) {
        hit = NO_CLASS;
        size_t len = strlen(compat);
        for (size_t i = 0; i < s->classes.n && hit == NO_CLASS; i++)
            for (size_t k = 0; k < s->classes.v[i].patterns.n; k++)
                if (glob_match(&s->classes.v[i].patterns.v[k], compat, len)) {
                    hit = (void *)(uintptr_t)(i + 1);
                    break;
                }
        /* Keys are not copied: compat points into the blob, which lives as
         * long as the cache. */
        strmap_put(&s->class_cache, compat, hit);
    }
    return hit == NO_CLASS ? NULL : &s->classes.v[(uintptr_t)hit - 1];
}

const struct dev_class *board_class_match(struct bload *c, const struct board_node *n, const char **matched)
{
    struct board_prop p = board_prop(n, "compatible");
    if (!p.name || !n->compatible)
        return NULL;
    const char *v = (const char *)p.val, *end = v + p.len;
    while (v < end) {
        const struct dev_class *cl = match_one(c, v);
        if (cl) {
            *matched = v;
            return cl;
        }
        v += strlen(v) + 1;
    }
    return NULL;
}
