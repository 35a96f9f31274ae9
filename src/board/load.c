/* board/load.c — board_load() and the live tree: reads a DTB (or compiles a
 * DTS through dtc.c), checks it with fdt_check_full, builds the node arrays
 * in one linear walk of the blob, and owns the lookups (path, label, alias,
 * phandle) and board_free(). The DT rules themselves are in derive.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "board/internal.h"

/* A DTB larger than this is not a board (the largest real ones are ~300 KiB;
 * a generated 100k-node board is ~15 MiB). */
#define BOARD_MAX_SIZE (64u << 20)
/* Nesting depth: Linux's unflatten_device_tree() stops at 64 (FDT_MAX_DEPTH). */
#define BOARD_MAX_DEPTH 64

/* ---- arena ---- */

/* ---- diagnostics ---- */

struct diag *board_invalid(struct bload *c, const struct board_node *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    struct srcpos pos = {.file = c->b->file};
    if (n && board_node_pos(n).file)
        pos = board_node_pos(n);
    struct diag *dg;
    if (n) {
        dg = diag_report(c->d, CK_BOARD_INVALID, pos, "%s: %s", n->path, msg);
        diag_node(dg, n->path);
    } else {
        dg = diag_report(c->d, CK_BOARD_INVALID, pos, "%s", msg);
    }
    free(msg);
    return dg;
}

struct diag *node_defect(struct bload *c, struct board_node *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    if (n->defect && !strcmp(n->defect, msg)) { /* eleven identical bad specifiers: one finding */
        free(msg);
        return NULL;
    }
    if (!n->defect)
        n->defect = arena_strdup(&c->s->arena, msg);
    struct diag *dg = diag_report_sev(c->d, CK_BOARD_INVALID, SEV_WARNING, (struct srcpos){.file = c->b->file},
                                      "%s: %s", n->path, msg);
    /* The node's DTS line, unless the warning is never shown (a DTS board's
     * positions cost a second dtc run). */
    if (dg && !dg->hidden && board_node_pos(n).file)
        dg->pos = board_node_pos(n);
    diag_node(dg, n->path);
    free(msg);
    return dg;
}

/* ---- properties, read from the blob ---- */

#define ALIGN4(x) (((x) + 3u) & ~3u)

/* The property at structure-block offset off (NOPs skipped), or name NULL
 * when the node's properties end there. fdt_check_full has proven the
 * structure block well formed, so tags, lengths and name offsets are
 * trusted here. */
static struct board_prop prop_at(const struct board *b, uint32_t off)
{
    struct board_prop p = {0};
    uint32_t tag;
    while ((tag = get_be32(b->dt_struct + off)) == FDT_NOP)
        off += 4;
    if (tag != FDT_PROP)
        return p;
    p.len = get_be32(b->dt_struct + off + 4);
    p.name = b->dt_strings + get_be32(b->dt_struct + off + 8);
    p.val = b->dt_struct + off + 12;
    p.next = off + 12 + ALIGN4(p.len);
    return p;
}

struct board_prop board_prop_first(const struct board_node *n)
{
    return prop_at(n->board, n->prop_off);
}

struct board_prop board_prop_next(const struct board_node *n, struct board_prop p)
{
    return prop_at(n->board, p.next);
}

struct board_prop board_prop(const struct board_node *n, const char *name)
{
    struct board_prop none = {0};
    if (!n)
        return none;
    const struct board *b = n->board;
    if (b->names_unique) {
        /* Every property names its string by one offset: compare pointers,
         * and a name no property has is answered at once. */
        const char *want = strmap_get(&b->prop_names, name);
        if (!want)
            return none;
        for (struct board_prop p = board_prop_first(n); p.name; p = board_prop_next(n, p))
            if (p.name == want)
                return p;
        return none;
    }
    for (struct board_prop p = board_prop_first(n); p.name; p = board_prop_next(n, p))
        if (!strcmp(p.name, name))
            return p;
    return none;
}

bool board_has_prop(const struct board_node *n, const char *name)
{
    return board_prop(n, name).name != NULL;
}

bool board_prop_u32(const struct board_node *n, const char *name, uint32_t *out)
{
    struct board_prop p = board_prop(n, name);
    if (!p.name || p.len != 4)
        return false;
    *out = prop_cell(&p, 0);
    return true;
}

static bool is_string(const struct board_prop *p)
{
    return p->name && p->len > 0 && p->val[p->len - 1] == '\0';
}

static const char *prop_string(const struct board_prop *p)
{
    return is_string(p) && memchr(p->val, '\0', p->len) == p->val + p->len - 1 ? (const char *)p->val
                                                                                : NULL;
}

const char *board_prop_str(const struct board_node *n, const char *name)
{
    struct board_prop p = board_prop(n, name);
    return prop_string(&p);
}

bool board_prop_has_str(const struct board_node *n, const char *name, const char *s)
{
    struct board_prop p = board_prop(n, name);
    return prop_list_has(&p, s);
}

bool prop_list_has(const struct board_prop *p, const char *s)
{
    if (!is_string(p))
        return false;
    const char *v = (const char *)p->val, *end = v + p->len;
    while (v < end) {
        if (!strcmp(v, s))
            return true;
        v += strlen(v) + 1;
    }
    return false;
}

/* ---- the tree ---- */

static int cmp_phandle(const void *a, const void *b)
{
    uint32_t x = (*(struct board_node *const *)a)->phandle;
    uint32_t y = (*(struct board_node *const *)b)->phandle;
    if (x != y)
        return x < y ? -1 : 1;
    /* Stable order among duplicates (reported), by blob position. */
    uint32_t i = (*(struct board_node *const *)a)->index, j = (*(struct board_node *const *)b)->index;
    return i < j ? -1 : i > j;
}

static char *child_path(struct arena *a, const char *parent, const char *name)
{
    size_t pl = strlen(parent), nl = strlen(name);
    bool root = pl == 1; /* "/" */
    char *p = arena_alloc(a, pl + nl + 2);
    size_t at = 0;
    if (!root) {
        memcpy(p, parent, pl);
        at = pl;
    }
    p[at++] = '/';
    memcpy(p + at, name, nl + 1);
    return p;
}

static uint32_t cells_prop(struct bload *c, struct board_node *n, const struct board_prop *p)
{
    if (!p->name)
        return CELLS_ABSENT;
    if (p->len != 4) {
        node_defect(c, n, "%s must be one cell, not %u bytes", p->name, p->len);
        return CELLS_ABSENT;
    }
    uint32_t v = prop_cell(p, 0);
    if (v == CELLS_ABSENT) {
        node_defect(c, n, "%s = <0x%x> is not a cell count", p->name, v);
        return CELLS_ABSENT;
    }
    return v;
}

/* The properties every node's fields come from, read in one pass over the
 * node's properties. */
enum { K_PHANDLE, K_LINUX_PHANDLE, K_COMPATIBLE, K_STATUS, K_INTC, K_RESETS, K_POWER_DOMAINS,
       K_ACELLS, K_SCELLS, K_ICELLS, K_COUNT };
static const char *const known_names[K_COUNT] = {
    "phandle", "linux,phandle", "compatible", "status", "interrupt-controller", "resets",
    "power-domains", "#address-cells", "#size-cells", "#interrupt-cells"};

static int known_id(const struct board *b, const char *const *known, const char *name)
{
    for (int k = 0; k < K_COUNT; k++)
        if (b->names_unique ? name == known[k] : !strcmp(name, known_names[k]))
            return k;
    return -1;
}

static void node_fields(struct bload *c, struct board_node *n, const char *const *known)
{
    struct board *b = c->b;
    struct board_store *s = c->s;
    struct board_prop k[K_COUNT] = {{0}};
    for (struct board_prop p = board_prop_first(n); p.name; p = board_prop_next(n, p)) {
        int id = known_id(b, known, p.name);
        if (id >= 0 && !k[id].name) /* a repeated property: the first counts, as in libfdt */
            k[id] = p;
    }
    /* phandle, or the old linux,phandle, when one cell */
    struct board_prop *ph = k[K_PHANDLE].name && k[K_PHANDLE].len == 4 ? &k[K_PHANDLE] : &k[K_LINUX_PHANDLE];
    if (ph->name && ph->len == 4) {
        uint32_t v = prop_cell(ph, 0);
        if (v == 0 || v == UINT32_MAX)
            node_defect(c, n, "phandle 0x%x is reserved", v);
        else
            n->phandle = v;
    } else if (k[K_PHANDLE].name || k[K_LINUX_PHANDLE].name) {
        node_defect(c, n, "phandle must be one cell");
    }
    if (k[K_COMPATIBLE].name) {
        if (is_string(&k[K_COMPATIBLE]))
            n->compatible = (const char *)k[K_COMPATIBLE].val;
        else
            node_defect(c, n, "compatible is not a NUL-terminated string list");
    }
    const char *status = prop_string(&k[K_STATUS]);
    n->disabled = k[K_STATUS].name && !(status && (!strcmp(status, "okay") || !strcmp(status, "ok")));
    n->interrupt_controller = k[K_INTC].name != NULL;
    n->has_resets = k[K_RESETS].name != NULL;
    n->has_power_domains = k[K_POWER_DOMAINS].name != NULL;
    s->acells[n->index] = cells_prop(c, n, &k[K_ACELLS]);
    s->scells[n->index] = cells_prop(c, n, &k[K_SCELLS]);
    s->icells[n->index] = cells_prop(c, n, &k[K_ICELLS]);
}

/* Walks the structure block twice — once to count the nodes and learn the
 * property names, once to fill the node array — reading the tags directly
 * (fdt_check_full has proven them). The nodes live in one allocation; the
 * properties stay in the blob. */
static int build_tree(struct bload *c)
{
    struct board *b = c->b;
    struct board_store *s = c->s;
    const uint8_t *st = b->dt_struct;
    size_t nn = 0, path_bytes = 0, pathlen[BOARD_MAX_DEPTH + 1];
    int depth = -1;
    uint32_t off = 0, tag;

    /* Pass 1: count, bound the paths, and map each property name to the
     * one offset its properties use (when there is just one). */
    uint32_t strings_size = fdt_size_dt_strings(b->fdt);
    uint8_t *seen = xcalloc(strings_size / 8 + 1, 1); /* name offsets met so far */
    b->names_unique = true;
    while ((tag = get_be32(st + off)) != FDT_END) {
        off += 4;
        if (tag == FDT_BEGIN_NODE) {
            const char *name = (const char *)st + off;
            size_t nl = strlen(name);
            off += ALIGN4((uint32_t)nl + 1);
            nn++;
            /* Paths are built per node: unbounded nesting would make them
             * quadratic in the blob size (a 1 MiB blob, 100k levels: 10 GB). */
            if (++depth > BOARD_MAX_DEPTH) {
                free(seen);
                board_invalid(c, NULL, "nodes nested deeper than %d levels (Linux's limit too)", BOARD_MAX_DEPTH);
                return -1;
            }
            /* Long names nested 64 deep still multiply: bound the paths'
             * total size by the blob's (real boards: well under 1x). */
            pathlen[depth] = (depth ? pathlen[depth - 1] : 0) + 1 + nl;
            path_bytes += pathlen[depth] + 1;
            if (path_bytes > 8 * b->fdt_size + (1u << 20)) {
                free(seen);
                board_invalid(c, NULL, "node paths add up to more than 8 times the blob: names too long");
                return -1;
            }
        } else if (tag == FDT_END_NODE) {
            if (--depth < 0)
                break; /* the root's end: what follows is not part of the tree */
        } else if (tag == FDT_PROP) {
            uint32_t len = get_be32(st + off), nameoff = get_be32(st + off + 4);
            off += 8 + ALIGN4(len);
            if (!(seen[nameoff / 8] & (1u << (nameoff % 8)))) {
                seen[nameoff / 8] |= (uint8_t)(1u << (nameoff % 8));
                const char *name = b->dt_strings + nameoff;
                if (strmap_get(&b->prop_names, name))
                    b->names_unique = false; /* one name, two offsets: compare strings */
                else
                    strmap_put(&b->prop_names, name, (void *)name);
            }
        }
        /* FDT_NOP: nothing; anything else fdt_check_full refused */
    }
    free(seen);
    if (nn == 0 || nn > UINT32_MAX / 2) {
        board_invalid(c, NULL, "broken node structure in the blob (%zu nodes)", nn);
        return -1;
    }
    if (nn > BOARD_MAX_NODES) { /* board_dep and board_irq keep node indices in 27 bits */
        board_invalid(c, NULL, "the blob has %zu nodes; dtpass reads at most %u", nn, BOARD_MAX_NODES);
        return -1;
    }
    const char *known[K_COUNT];
    for (int k = 0; k < K_COUNT; k++)
        known[k] = strmap_get(&b->prop_names, known_names[k]);

    s->node_array = xcalloc(nn, sizeof(*s->node_array));
    b->nodes = xmalloc(nn * sizeof(*b->nodes));
    s->acells = xmalloc(nn * sizeof(uint32_t));
    s->scells = xmalloc(nn * sizeof(uint32_t));
    s->icells = xmalloc(nn * sizeof(uint32_t));

    /* Pass 2: stack[d] = the open node at depth d; last[d] = its last
     * child so far. */
    struct board_node *stack[BOARD_MAX_DEPTH + 1], *last[BOARD_MAX_DEPTH + 1];
    uint32_t i = 0;
    depth = -1;
    off = 0;
    while ((tag = get_be32(st + off)) != FDT_END) {
        off += 4;
        if (tag == FDT_PROP) {
            off += 8 + ALIGN4(get_be32(st + off));
            continue;
        }
        if (tag == FDT_END_NODE) {
            if (--depth < 0)
                break;
            continue;
        }
        if (tag != FDT_BEGIN_NODE)
            continue;
        struct board_node *n = &s->node_array[i];
        b->nodes[i] = n;
        n->board = b;
        n->index = i++;
        n->depth = ++depth;
        n->name = (const char *)st + off;
        off += ALIGN4((uint32_t)strlen(n->name) + 1);
        n->prop_off = off;
        last[depth] = NULL;
        if (depth == 0) {
            n->path = "/";
            b->root = n;
        } else {
            struct board_node *parent = stack[depth - 1];
            n->parent = parent;
            n->path = child_path(&s->arena, parent->path, n->name);
            if (last[depth - 1])
                last[depth - 1]->next_sibling = n;
            else
                parent->first_child = n;
            last[depth - 1] = n;
        }
        stack[depth] = n;
        node_fields(c, n, known);
    }
    b->nnodes = i;
    return 0;
}

/* ---- the path index: node index + 1 by path hash, open addressing ---- */

static uint32_t path_hash(const char *p)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    return h;
}

static struct board_node *pathmap_get(const struct board *b, const char *path)
{
    if (!b->by_path.cap)
        return NULL;
    size_t mask = b->by_path.cap - 1;
    for (size_t at = path_hash(path) & mask;; at = (at + 1) & mask) {
        uint32_t v = b->by_path.slots[at];
        if (!v)
            return NULL;
        if (!strcmp(b->nodes[v - 1]->path, path))
            return b->nodes[v - 1];
    }
}

static void index_paths(struct bload *c)
{
    struct board *b = c->b;
    size_t cap = 16;
    while (cap < 2 * (size_t)b->nnodes) /* at most half full */
        cap *= 2;
    b->by_path.slots = xcalloc(cap, sizeof(*b->by_path.slots));
    b->by_path.cap = cap;
    for (uint32_t i = 0; i < b->nnodes; i++) {
        struct board_node *n = b->nodes[i];
        size_t at = path_hash(n->path) & (cap - 1);
        for (; b->by_path.slots[at]; at = (at + 1) & (cap - 1))
            if (!strcmp(b->nodes[b->by_path.slots[at] - 1]->path, n->path))
                break;
        if (b->by_path.slots[at]) { /* a hand-made blob can repeat a sibling name; paths would be ambiguous */
            struct diag *dg = board_invalid(c, n, "two nodes have the path %s", n->path);
            diag_node(dg, n->path);
            continue;
        }
        b->by_path.slots[at] = i + 1;
    }
}

static void index_tree(struct bload *c)
{
    struct board *b = c->b;
    index_paths(c);

    /* Phandles: a sorted array, duplicates reported (dtc refuses them; a
     * hand-made blob may not). */
    uint32_t nph = 0;
    for (uint32_t i = 0; i < b->nnodes; i++)
        nph += b->nodes[i]->phandle != 0;
    b->by_phandle_sorted = nph ? xmalloc(nph * sizeof(*b->by_phandle_sorted)) : NULL;
    nph = 0;
    for (uint32_t i = 0; i < b->nnodes; i++)
        if (b->nodes[i]->phandle)
            b->by_phandle_sorted[nph++] = b->nodes[i];
    if (nph)
        qsort(b->by_phandle_sorted, nph, sizeof(*b->by_phandle_sorted), cmp_phandle);
    uint32_t w = 0;
    for (uint32_t r = 0; r < nph; r++) {
        if (w && b->by_phandle_sorted[w - 1]->phandle == b->by_phandle_sorted[r]->phandle) {
            struct diag *dg = board_invalid(c, b->by_phandle_sorted[r], "duplicate phandle 0x%x (also on %s)",
                                            b->by_phandle_sorted[r]->phandle,
                                            b->by_phandle_sorted[w - 1]->path);
            diag_node(dg, b->by_phandle_sorted[w - 1]->path);
            continue;
        }
        b->by_phandle_sorted[w++] = b->by_phandle_sorted[r];
    }
    b->nphandles = w;

    /* Labels from __symbols__ (dtc -@), aliases from /aliases: both map a
     * name to a path string. */
    for (struct board_node *n = b->root->first_child; n; n = n->next_sibling) {
        bool symbols = !strcmp(n->name, "__symbols__");
        if (!symbols && strcmp(n->name, "aliases"))
            continue;
        for (struct board_prop p = board_prop_first(n); p.name; p = board_prop_next(n, p)) {
            if (!strcmp(p.name, "phandle") || !strcmp(p.name, "linux,phandle") || !strcmp(p.name, "name"))
                continue;
            if (!is_string(&p) || strlen((const char *)p.val) + 1 != p.len)
                continue; /* not a path: nothing to resolve */
            struct board_node *t = pathmap_get(b, (const char *)p.val);
            if (!t)
                continue; /* dtc warns about dangling aliases; Linux ignores them */
            if (symbols) {
                strmap_put(&b->by_label, p.name, t);
                if (!b->labels)
                    b->labels = xcalloc(b->nnodes, sizeof(*b->labels));
                if (!b->labels[t->index])
                    b->labels[t->index] = p.name;
            } else {
                strmap_put(&b->by_alias, p.name, t);
            }
        }
    }
    b->model = board_prop_str(b->root, "model");
}

static bool is_dtb(const void *data, size_t len)
{
    return len >= 4 && get_be32(data) == FDT_MAGIC;
}

static int read_dtb(struct bload *c, const char *file)
{
    struct board *b = c->b;
    size_t len = 0;
    char *data = read_file(file, BOARD_MAX_SIZE, &len);
    if (!data) {
        if (errno == EFBIG)
            board_invalid(c, NULL, "%s is larger than %u MiB: not a device tree", file, BOARD_MAX_SIZE >> 20);
        else
            diag_fatal(c->d, NOPOS, "cannot read board %s: %s", file, strerror(errno));
        return -1;
    }
    if (!is_dtb(data, len)) {
        if (memchr(data, '\0', len)) {
            board_invalid(c, NULL, "%s is neither a device tree blob (no FDT magic) nor DTS source (binary)",
                          file);
            free(data);
            return -1;
        }
        /* Not a blob: a DTS source. */
        free(data);
        b->from_dts = true;
        void *blob = NULL;
        if (board_compile_dts(c, file, &blob, &len))
            return -1;
        data = blob;
    }
    b->fdt = data;
    b->fdt_size = len;
    /* Versions before 17 (full-path node names, no structure size) are
     * refused before libfdt walks them: its fdt_check_full crashes on some.
     * dtc has written version 17 since 2007. */
    int err = len >= sizeof(struct fdt_header) ? fdt_check_header(data) : -FDT_ERR_TRUNCATED;
    if (!err && fdt_version(data) < 17) {
        board_invalid(c, NULL, "%s is a version %u device tree blob; dtpass reads version 17", file,
                      fdt_version(data));
        return -1;
    }
    if (!err)
        err = fdt_check_full(data, len);
    if (err) {
        board_invalid(c, NULL, "%s is not a valid device tree blob: %s", file, fdt_strerror(err));
        return -1;
    }
    b->dt_struct = (const uint8_t *)data + fdt_off_dt_struct(data);
    b->dt_strings = (const char *)data + fdt_off_dt_strings(data);
    return 0;
}

static void free_scratch(struct board_store *s)
{
    free(s->acells);
    free(s->scells);
    free(s->icells);
    free(s->irq_parent);
    free(s->irq_parent_state);
    s->acells = s->scells = s->icells = NULL;
    s->irq_parent = NULL;
    s->irq_parent_state = NULL;
}

void board_free(struct board *b)
{
    if (b->store) {
        board_classes_free(b->store);
        arena_free(&b->store->arena);
        free(b->store->node_array);
        free_scratch(b->store);
        board_positions_free(b->store->positions);
        free(b->store);
    }
    free(b->fdt);
    free(b->nodes);
    free(b->by_phandle_sorted);
    free(b->src);
    free(b->labels);
    free(b->by_path.slots);
    strmap_free(&b->prop_names);
    strmap_free(&b->by_label);
    strmap_free(&b->by_alias);
    for (size_t i = 0; i < b->inputs.n; i++)
        free(b->inputs.v[i]);
    VEC_FREE(&b->inputs);
    memset(b, 0, sizeof(*b));
}

int board_load(struct board *b, const char *file, const struct board_options *opt,
               struct diag_sink *d)
{
    static const struct board_options no_opt = {0};
    memset(b, 0, sizeof(*b));
    b->file = diag_intern(d, file);
    b->store = xcalloc(1, sizeof(*b->store));
    strmap_init(&b->prop_names);
    strmap_init(&b->by_label);
    strmap_init(&b->by_alias);
    strmap_init(&b->store->class_cache);
    VEC_PUSH(&b->inputs, xstrdup(file));
    struct bload c = {.b = b, .d = d, .s = b->store, .opt = opt ? opt : &no_opt, .nexus_budget = 200000000};
    size_t errs = diag_errors(d);

    int rc = read_dtb(&c, file) || build_tree(&c);
    board_apply_positions(&c);
    if (rc || board_classes_load(&c)) {
        board_free(b);
        return -1;
    }
    index_tree(&c);
    board_derive(&c);
    /* What only loading needed: the cell counts and interrupt-parent memo
     * (board_irq_parent keeps its answers in the arena). */
    free_scratch(b->store);
    if (diag_errors(d) > errs) {
        board_free(b);
        return -1;
    }
    return 0;
}

/* ---- lookups ---- */

struct board_node *board_lookup(const struct board *b, const char *ref)
{
    if (!ref || !*ref)
        return NULL;
    if (ref[0] == '/')
        return pathmap_get(b, ref);
    if (ref[0] == '&') {
        /* &{/path} is dtc's path reference syntax. */
        if (ref[1] == '{') {
            size_t n = strlen(ref);
            if (n < 4 || ref[n - 1] != '}')
                return NULL;
            char *p = xstrndup(ref + 2, n - 3);
            struct board_node *r = pathmap_get(b, p);
            free(p);
            return r;
        }
        return strmap_get(&b->by_label, ref + 1);
    }
    return strmap_get(&b->by_alias, ref);
}

struct board_node *board_by_phandle(const struct board *b, uint32_t phandle)
{
    size_t lo = 0, hi = b->nphandles;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t v = b->by_phandle_sorted[mid]->phandle;
        if (v == phandle)
            return b->by_phandle_sorted[mid];
        if (v < phandle)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct board_smmu *board_smmu_of(const struct board *b, const struct board_node *n)
{
    for (uint32_t i = 0; i < b->nsmmus; i++)
        if (b->smmus[i].node == n)
            return &b->smmus[i];
    return NULL;
}

bool board_machine_node(const struct board *b, const struct board_node *n)
{
    if (!n->parent || n == b->timer)
        return true;
    struct board_prop dt = board_prop(n, "device_type");
    if (dt.name && dt.len == 7 && !memcmp(dt.val, "memory", 7))
        return true;
    if (n->compatible && !strncmp(n->compatible, "arm,psci", 8))
        return true;
    if (!n->parent->parent && !strcmp(n->name, "chosen"))
        return true; /* its children (simple-framebuffer) are devices */
    for (const struct board_node *p = n; p->parent; p = p->parent) {
        if (p == b->gic.node)
            return true;
        if (!p->parent->parent && (!strcmp(p->name, "cpus") || !strcmp(p->name, "aliases") ||
                                   !strcmp(p->name, "reserved-memory")))
            return true;
    }
    return false;
}

bool board_gic_msi(const struct board *b, const struct board_node *n)
{
    return b->gic.node && (n == b->gic.node || n->parent == b->gic.node);
}

struct srcpos board_node_pos(const struct board_node *n)
{
    /* A DTS board's positions cost a second dtc run: made on first use. */
    const struct srcpos *src = n->board->src ? n->board->src : board_lazy_positions(n->board);
    return src ? src[n->index] : NOPOS;
}

const char *board_node_label(const struct board_node *n)
{
    return n->board->labels ? n->board->labels[n->index] : NULL;
}

int board_cpu_index(const struct board *b, uint64_t mpidr)
{
    for (uint32_t i = 0; i < b->ncpus; i++)
        if (b->cpus[i].mpidr == mpidr)
            return (int)i;
    return -1;
}
