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

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

void *arena_alloc(struct arena *a, size_t n)
{
    if (n == 0)
        return NULL;
    if (n > SIZE_MAX - 64)
        n = SIZE_MAX; /* xmalloc reports it */
    n = (n + 15) & ~(size_t)15;
    struct arena_block *blk = a->head;
    if (!blk || blk->cap - blk->used < n) {
        size_t cap = n > (256u << 10) ? n : (256u << 10);
        blk = xmalloc(sizeof(*blk) + cap);
        blk->used = 0;
        blk->cap = cap;
        /* A big allocation goes behind the current block so the current
         * block's free space is not wasted. */
        if (a->head && n > (256u << 10)) {
            blk->next = a->head->next;
            a->head->next = blk;
        } else {
            blk->next = a->head;
            a->head = blk;
        }
    }
    void *p = (char *)blk->data + blk->used;
    blk->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = arena_alloc(a, n);
    memcpy(p, s, n);
    return p;
}

void arena_free(struct arena *a)
{
    struct arena_block *blk = a->head;
    while (blk) {
        struct arena_block *next = blk->next;
        free(blk);
        blk = next;
    }
    a->head = NULL;
}

/* ---- diagnostics ---- */

struct diag *board_invalid(struct bload *c, const struct board_node *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    struct srcpos pos = {.file = c->b->file};
    if (n && n->src.file)
        pos = n->src;
    struct diag *dg;
    if (n) {
        dg = diag_report(c->d, "board-invalid", pos, "%s: %s", n->path, msg);
        diag_node(dg, n->path);
    } else {
        dg = diag_report(c->d, "board-invalid", pos, "%s", msg);
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
    struct srcpos pos = n->src.file ? n->src : (struct srcpos){.file = c->b->file};
    struct diag *dg = diag_report_sev(c->d, "board-invalid", SEV_WARNING, pos, "%s: %s", n->path, msg);
    diag_node(dg, n->path);
    free(msg);
    return dg;
}

/* ---- property helpers ---- */

const struct board_prop *board_prop(const struct board_node *n, const char *name)
{
    if (!n)
        return NULL;
    for (uint32_t i = 0; i < n->nprops; i++)
        if (!strcmp(n->props[i].name, name))
            return &n->props[i];
    return NULL;
}

bool board_prop_u32(const struct board_node *n, const char *name, uint32_t *out)
{
    const struct board_prop *p = board_prop(n, name);
    if (!p || p->len != 4)
        return false;
    *out = prop_cell(p, 0);
    return true;
}

static bool is_string(const struct board_prop *p)
{
    return p && p->len > 0 && p->val[p->len - 1] == '\0';
}

const char *board_prop_str(const struct board_node *n, const char *name)
{
    const struct board_prop *p = board_prop(n, name);
    return is_string(p) && memchr(p->val, '\0', p->len) == p->val + p->len - 1
               ? (const char *)p->val
               : NULL;
}

bool board_prop_has_str(const struct board_node *n, const char *name, const char *s)
{
    const struct board_prop *p = board_prop(n, name);
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

static uint32_t cells_prop(struct bload *c, struct board_node *n, const char *name)
{
    const struct board_prop *p = board_prop(n, name);
    if (!p)
        return CELLS_ABSENT;
    if (p->len != 4) {
        node_defect(c, n, "%s must be one cell, not %u bytes", name, p->len);
        return CELLS_ABSENT;
    }
    uint32_t v = prop_cell(p, 0);
    if (v == CELLS_ABSENT) {
        node_defect(c, n, "%s = <0x%x> is not a cell count", name, v);
        return CELLS_ABSENT;
    }
    return v;
}

/* Walks the blob twice: once to size the arrays, once to fill them, so the
 * nodes and properties each live in one allocation. */
static int build_tree(struct bload *c)
{
    struct board *b = c->b;
    struct board_store *s = c->s;
    const void *fdt = b->fdt;
    size_t nn = 0, np = 0, path_bytes = 0, pathlen[BOARD_MAX_DEPTH + 1];
    int off, depth = 0, poff;

    /* fdt_next_node() returns a non-negative offset with depth -1 after
     * the root's end: the walk stops on either. */
    for (off = 0; off >= 0 && depth >= 0; off = fdt_next_node(fdt, off, &depth)) {
        nn++;
        /* Paths are built per node: unbounded nesting would make them
         * quadratic in the blob size (a 1 MiB blob, 100k levels: 10 GB). */
        if (depth > BOARD_MAX_DEPTH) {
            board_invalid(c, NULL, "nodes nested deeper than %d levels (Linux's limit too)", BOARD_MAX_DEPTH);
            return -1;
        }
        /* Long names nested 64 deep still multiply: bound the paths'
         * total size by the blob's (real boards: well under 1x). */
        int nl = 0;
        (void)fdt_get_name(fdt, off, &nl);
        pathlen[depth] = (depth ? pathlen[depth - 1] : 0) + 1 + (size_t)(nl > 0 ? nl : 0);
        path_bytes += pathlen[depth] + 1;
        if (path_bytes > 8 * b->fdt_size + (1u << 20)) {
            board_invalid(c, NULL, "node paths add up to more than 8 times the blob: names too long");
            return -1;
        }
        fdt_for_each_property_offset(poff, fdt, off) np++;
        if (poff != -FDT_ERR_NOTFOUND) {
            board_invalid(c, NULL, "broken property list in the blob (%s)", fdt_strerror(poff));
            return -1;
        }
    }
    if ((off < 0 && off != -FDT_ERR_NOTFOUND) || nn > UINT32_MAX / 2) {
        board_invalid(c, NULL, "broken node structure in the blob (%s)",
                      off < 0 ? fdt_strerror(off) : "depth");
        return -1;
    }

    s->node_array = xcalloc(nn, sizeof(*s->node_array));
    s->prop_array = np ? xcalloc(np, sizeof(*s->prop_array)) : NULL;
    b->nodes = xcalloc(nn, sizeof(*b->nodes));
    s->acells = xmalloc(nn * sizeof(uint32_t));
    s->scells = xmalloc(nn * sizeof(uint32_t));
    s->icells = xmalloc(nn * sizeof(uint32_t));

    /* stack[d] = the open node at depth d; last[d] = its last child so far. */
    VEC(struct board_node *) stack = {0};
    VEC(struct board_node *) last = {0};
    size_t pi = 0;
    uint32_t i = 0;
    depth = 0;
    for (off = 0; off >= 0 && depth >= 0 && i < nn; off = fdt_next_node(fdt, off, &depth), i++) {
        struct board_node *n = &s->node_array[i];
        b->nodes[i] = n;
        n->index = i;
        n->depth = depth;
        n->offset = off;
        int len;
        const char *name = fdt_get_name(fdt, off, &len);
        n->name = name ? name : "";
        if ((size_t)depth > stack.n) { /* fdt_next_node never skips a level */
            board_invalid(c, NULL, "broken node nesting in the blob");
            VEC_FREE(&stack);
            VEC_FREE(&last);
            return -1;
        }
        stack.n = (size_t)depth;
        last.n = (size_t)depth + 1;
        VEC_GROW(&last, last.n);
        last.v[depth] = NULL;
        if (depth == 0) {
            n->path = "/";
            b->root = n;
        } else {
            struct board_node *parent = stack.v[depth - 1];
            n->parent = parent;
            n->path = child_path(&s->arena, parent->path, n->name);
            if (last.v[depth - 1])
                last.v[depth - 1]->next_sibling = n;
            else
                parent->first_child = n;
            last.v[depth - 1] = n;
        }
        VEC_PUSH(&stack, n);

        n->props = s->prop_array ? &s->prop_array[pi] : NULL;
        fdt_for_each_property_offset(poff, fdt, off) {
            const char *pname = NULL;
            int plen = 0;
            const void *val = fdt_getprop_by_offset(fdt, poff, &pname, &plen);
            if (!val || !pname || plen < 0 || pi >= np) {
                board_invalid(c, NULL, "unreadable property in node %s", n->path);
                VEC_FREE(&stack);
                VEC_FREE(&last);
                return -1;
            }
            struct board_prop *p = &s->prop_array[pi++];
            p->name = pname;
            p->val = val;
            p->len = (uint32_t)plen;
            n->nprops++;
        }

        uint32_t ph;
        if (board_prop_u32(n, "phandle", &ph) || board_prop_u32(n, "linux,phandle", &ph)) {
            if (ph == 0 || ph == UINT32_MAX)
                node_defect(c, n, "phandle 0x%x is reserved", ph);
            else
                n->phandle = ph;
        } else if (board_prop(n, "phandle") || board_prop(n, "linux,phandle")) {
            node_defect(c, n, "phandle must be one cell");
        }
        const struct board_prop *compat = board_prop(n, "compatible");
        if (compat) {
            if (is_string(compat))
                n->compatible = (const char *)compat->val;
            else
                node_defect(c, n, "compatible is not a NUL-terminated string list");
        }
        const char *status = board_prop_str(n, "status");
        n->disabled = board_prop(n, "status") && !(status && (!strcmp(status, "okay") || !strcmp(status, "ok")));
        n->interrupt_controller = board_prop(n, "interrupt-controller") != NULL;
        n->has_resets = board_prop(n, "resets") != NULL;
        n->has_power_domains = board_prop(n, "power-domains") != NULL;
        s->acells[i] = cells_prop(c, n, "#address-cells");
        s->scells[i] = cells_prop(c, n, "#size-cells");
        s->icells[i] = cells_prop(c, n, "#interrupt-cells");
    }
    VEC_FREE(&stack);
    VEC_FREE(&last);
    b->nnodes = i;
    if (i != nn || !b->root) {
        board_invalid(c, NULL, "the blob changed between two walks");
        return -1;
    }
    return 0;
}

static void index_tree(struct bload *c)
{
    struct board *b = c->b;
    for (uint32_t i = 0; i < b->nnodes; i++) {
        struct board_node *prev = strmap_put(&b->by_path, b->nodes[i]->path, b->nodes[i]);
        if (prev) { /* a hand-made blob can repeat a sibling name; paths would be ambiguous */
            struct diag *dg = board_invalid(c, b->nodes[i], "two nodes have the path %s", b->nodes[i]->path);
            diag_node(dg, prev->path);
        }
    }

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
        for (uint32_t k = 0; k < n->nprops; k++) {
            const struct board_prop *p = &n->props[k];
            if (!strcmp(p->name, "phandle") || !strcmp(p->name, "linux,phandle") || !strcmp(p->name, "name"))
                continue;
            if (!is_string(p) || strlen((const char *)p->val) + 1 != p->len)
                continue; /* not a path: nothing to resolve */
            struct board_node *t = strmap_get(&b->by_path, (const char *)p->val);
            if (!t)
                continue; /* dtc warns about dangling aliases; Linux ignores them */
            if (symbols) {
                strmap_put(&b->by_label, p->name, t);
                if (!t->label)
                    t->label = p->name;
            } else {
                strmap_put(&b->by_alias, p->name, t);
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
    int err = fdt_check_full(data, len);
    if (err) {
        board_invalid(c, NULL, "%s is not a valid device tree blob: %s", file, fdt_strerror(err));
        return -1;
    }
    return 0;
}

void board_free(struct board *b)
{
    if (b->store) {
        board_classes_free(b->store);
        arena_free(&b->store->arena);
        free(b->store->node_array);
        free(b->store->prop_array);
        free(b->store->acells);
        free(b->store->scells);
        free(b->store->icells);
        free(b->store->irq_parent);
        free(b->store->irq_parent_state);
        free(b->store->annotated);
        free(b->store);
    }
    free(b->fdt);
    free(b->nodes);
    free(b->by_phandle_sorted);
    strmap_free(&b->by_path);
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
    strmap_init(&b->by_path);
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
        return strmap_get(&b->by_path, ref);
    if (ref[0] == '&') {
        /* &{/path} is dtc's path reference syntax. */
        if (ref[1] == '{') {
            size_t n = strlen(ref);
            if (n < 4 || ref[n - 1] != '}')
                return NULL;
            char *p = xstrndup(ref + 2, n - 3);
            struct board_node *r = strmap_get(&b->by_path, p);
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
    const struct board_prop *dt = board_prop(n, "device_type");
    if (dt && dt->len == 7 && !memcmp(dt->val, "memory", 7))
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

int board_cpu_index(const struct board *b, uint64_t mpidr)
{
    for (uint32_t i = 0; i < b->ncpus; i++)
        if (b->cpus[i].mpidr == mpidr)
            return (int)i;
    return -1;
}
