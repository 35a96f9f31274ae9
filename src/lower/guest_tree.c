/* lower/guest_tree.c — carves each guest's device tree out of the board
 * (SPEC §5): the in-memory tree that emit/guest_dt.c serialises to DTS and
 * DTB, and the reusable carving steps (copy an assigned device with its
 * rewrites, copy the resource-free providers it references). Every rule and
 * the reasons for choices the spec leaves open are in docs/guest-dt.md.
 *
 * Cost: each guest touches only its own devices, their subtrees, the
 * providers they reference and the ancestors of those; lookups are hash
 * maps (board path -> guest node) and binary searches (interrupt remaps),
 * so a build is linear in the size of the output. */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lower/guest_tree.h"
#include "util/arena.h"
#include "lower/lower.h"
#include "lower/place.h"

/* --- arena: every name and rewritten value of one tree, freed at once --- */

void *gt_alloc(struct guest_tree *t, size_t n)
{
    return arena_alloc(t->arena, n ? n : 1); /* never NULL, even for an empty value */
}

char *gt_strdup(struct guest_tree *t, const char *s)
{
    return arena_strdup(t->arena, s);
}

static char *gt_printf(struct guest_tree *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static char *gt_printf(struct guest_tree *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    char *r = gt_strdup(t, s);
    free(s);
    return r;
}

/* --- nodes and properties --- */

/* A sibling name not taken yet: name, else name-2, name-3 ... (two board
 * nodes hoisted to the same parent can share a name). Registers it. */
static char *unique_name(struct guest_tree *t, const struct gt_node *parent, const char *name)
{
    char *n = gt_strdup(t, name);
    if (!parent)
        return n;
    for (unsigned k = 2;; k++) {
        char *key = gt_printf(t, "%p/%s", (const void *)parent, n);
        if (!strmap_get(&t->names, key)) {
            strmap_put(&t->names, key, n);
            return n;
        }
        n = gt_printf(t, "%s-%u", name, k);
    }
}

struct gt_node *gt_node_add(struct guest_tree *t, struct gt_node *parent, const char *name,
                            enum gt_kind kind, const struct board_node *bn)
{
    struct gt_node *n = gt_alloc(t, sizeof(*n));
    n->name = unique_name(t, parent, name);
    n->parent = parent;
    n->kind = kind;
    n->bn = bn;
    n->order = kind == GT_SYNTH || !bn ? t->nsynth++ : bn->index;
    if (parent)
        VEC_PUSH(&parent->children, n);
    if (bn && kind != GT_SYNTH)
        strmap_put(&t->by_board_path, bn->path, n);
    return n;
}

static void prop_put(struct gt_node *n, const char *name, const void *val, uint32_t len)
{
    for (size_t i = 0; i < n->props.n; i++)
        if (!strcmp(n->props.v[i].name, name)) {
            n->props.v[i].val = val;
            n->props.v[i].len = len;
            return;
        }
    struct gt_prop p = {.name = name, .val = val, .len = len};
    VEC_PUSH(&n->props, p);
}

void gt_prop_set(struct guest_tree *t, struct gt_node *n, const char *name, const void *val,
                 uint32_t len)
{
    void *copy = len ? gt_alloc(t, len) : NULL;
    if (len)
        memcpy(copy, val, len);
    prop_put(n, gt_strdup(t, name), copy, len);
}

static uint8_t *cells_be(struct guest_tree *t, const uint32_t *cells, size_t ncells)
{
    uint8_t *v = gt_alloc(t, ncells ? ncells * 4 : 1);
    for (size_t i = 0; i < ncells; i++) {
        v[4 * i] = (uint8_t)(cells[i] >> 24);
        v[4 * i + 1] = (uint8_t)(cells[i] >> 16);
        v[4 * i + 2] = (uint8_t)(cells[i] >> 8);
        v[4 * i + 3] = (uint8_t)cells[i];
    }
    return v;
}

void gt_prop_cells(struct guest_tree *t, struct gt_node *n, const char *name,
                   const uint32_t *cells, size_t ncells)
{
    prop_put(n, gt_strdup(t, name), cells_be(t, cells, ncells), (uint32_t)(ncells * 4));
}

void gt_prop_str(struct guest_tree *t, struct gt_node *n, const char *name, const char *s)
{
    gt_prop_set(t, n, name, s, (uint32_t)strlen(s) + 1);
}

void gt_prop_empty(struct guest_tree *t, struct gt_node *n, const char *name)
{
    prop_put(n, gt_strdup(t, name), NULL, 0);
}

static void gt_prop_u32(struct guest_tree *t, struct gt_node *n, const char *name, uint32_t v)
{
    gt_prop_cells(t, n, name, &v, 1);
}

const struct gt_prop *gt_prop_get(const struct gt_node *n, const char *name)
{
    for (size_t i = 0; i < n->props.n; i++)
        if (!strcmp(n->props.v[i].name, name))
            return &n->props.v[i];
    return NULL;
}

bool gt_prop_del(struct gt_node *n, const char *name)
{
    for (size_t i = 0; i < n->props.n; i++)
        if (!strcmp(n->props.v[i].name, name)) {
            memmove(&n->props.v[i], &n->props.v[i + 1], (n->props.n - i - 1) * sizeof(n->props.v[0]));
            n->props.n--;
            return true;
        }
    return false;
}

char *gt_path(const struct gt_node *n)
{
    if (!n->parent)
        return xstrdup("/");
    size_t len = 0;
    for (const struct gt_node *p = n; p->parent; p = p->parent)
        len += strlen(p->name) + 1;
    char *s = xmalloc(len + 1);
    s[len] = '\0';
    for (const struct gt_node *p = n; p->parent; p = p->parent) {
        size_t l = strlen(p->name);
        len -= l;
        memcpy(s + len, p->name, l);
        s[--len] = '/';
    }
    return s;
}

static int child_cmp(const void *a, const void *b)
{
    const struct gt_node *x = *(const struct gt_node *const *)a, *y = *(const struct gt_node *const *)b;
    /* Synthesized nodes first (creation order), then board nodes in board order. */
    int cx = x->kind == GT_SYNTH ? 0 : 1, cy = y->kind == GT_SYNTH ? 0 : 1;
    if (cx != cy)
        return cx - cy;
    return x->order < y->order ? -1 : x->order > y->order;
}

void gt_sort(struct gt_node *n)
{
    if (n->children.n > 1)
        qsort(n->children.v, n->children.n, sizeof(n->children.v[0]), child_cmp);
    for (size_t i = 0; i < n->children.n; i++)
        gt_sort(n->children.v[i]);
}

static void node_free(struct gt_node *n)
{
    for (size_t i = 0; i < n->children.n; i++)
        node_free(n->children.v[i]);
    VEC_FREE(&n->children);
    VEC_FREE(&n->props);
}

void gt_node_remove(struct gt_node *n)
{
    struct gt_node *p = n->parent;
    for (size_t i = 0; p && i < p->children.n; i++)
        if (p->children.v[i] == n) {
            memmove(&p->children.v[i], &p->children.v[i + 1],
                    (p->children.n - i - 1) * sizeof(p->children.v[0]));
            p->children.n--;
            break;
        }
    node_free(n);
}

static void build_irqmap(struct guest_tree *t);
static void build_pawin(struct guest_tree *t);

struct guest_tree *gt_new(const struct dtpass_ctx *ctx, uint32_t guest_index)
{
    struct guest_tree *t = xcalloc(1, sizeof(*t));
    t->arena = xcalloc(1, sizeof(*t->arena));
    t->arena->block = 16384; /* a tree's names and values: small */
    t->g = &ctx->sys.guests.v[guest_index];
    t->guest_index = guest_index;
    strmap_init(&t->by_board_path);
    strmap_init(&t->names);
    /* Fresh phandles start above every board phandle, so the board's own
     * values can be kept on copied nodes without a clash. */
    const struct board *b = &ctx->board;
    t->next_phandle = b->nphandles ? b->by_phandle_sorted[b->nphandles - 1]->phandle + 1 : 1;
    if (t->next_phandle == 0 || t->next_phandle == UINT32_MAX)
        t->next_phandle = 1; /* a hostile maximum: wrap into the low range */
    t->root = gt_node_add(t, NULL, "", GT_SYNTH, NULL);
    build_irqmap(t);
    build_pawin(t);
    return t;
}

void gt_free(struct guest_tree *t)
{
    if (!t)
        return;
    node_free(t->root);
    strmap_free(&t->by_board_path);
    strmap_free(&t->names);
    free(t->irqmap);
    free(t->pawin);
    VEC_FREE(&t->pending);
    for (size_t i = 0; i < t->lost.n; i++)
        free(t->lost.v[i]);
    VEC_FREE(&t->lost);
    arena_free(t->arena);
    free(t->arena);
    free(t);
}

/* --- owners --- */

void gt_owners_build(struct gt_owners *o, const struct dtpass_ctx *ctx)
{
    strmap_init(&o->by_path);
    for (size_t i = 0; i < ctx->sys.hyp_devices.n; i++) {
        const struct board_node *n = ctx->sys.hyp_devices.v[i].node;
        if (n)
            strmap_put(&o->by_path, n->path, (void *)(uintptr_t)GT_OWNER_HYP);
    }
    for (size_t g = 0; g < ctx->sys.guests.n; g++) {
        const struct sys_guest *sg = &ctx->sys.guests.v[g];
        for (size_t d = 0; d < sg->devices.n; d++) {
            const struct board_node *n = sg->devices.v[d].ref.node;
            if (n)
                strmap_put(&o->by_path, n->path, (void *)(uintptr_t)(g + 1));
        }
    }
}

void gt_owners_free(struct gt_owners *o) { strmap_free(&o->by_path); }

/* Guest index + 1, GT_OWNER_HYP, or 0 when nobody owns the node itself. */
static uintptr_t owner_of(const struct gt_owners *o, const struct board_node *n)
{
    return (uintptr_t)strmap_get(&o->by_path, n->path);
}

/* --- board reading helpers --- */

/* The board's rules, from src/board/ (the one interpreter of bindings). */
static uint32_t addr_cells(const struct board_node *n) { return board_addr_cells(n); }
static uint32_t size_cells(const struct board_node *n) { return board_size_cells(n); }

static uint64_t read_cells(const uint8_t *p, uint32_t n)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < n; i++)
        v = (v << 32) | get_be32(p + 4 * i);
    return v;
}

/* An address in the child address space of `bus` to a CPU physical
 * address (board_translate: every `ranges` up to the root). */
static bool translate(const struct board_node *bus, uint64_t addr, uint64_t *out)
{
    return board_translate(bus->board, bus, board_addr_cells(bus), addr, 0, out);
}

/* A property, or part of one, that cannot reach the guest as the board has
 * it: the build fails (emit_guest_dt reports each), never a silent loss. */
static void gt_lost(struct guest_tree *t, const struct gt_node *gn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void gt_lost(struct guest_tree *t, const struct gt_node *gn, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *what = xvasprintf(fmt, ap);
    va_end(ap);
    VEC_PUSH(&t->lost, xasprintf("%s: %s", gn->bn ? gn->bn->path : gn->name, what));
    free(what);
}

/* --- interrupts --- */

static int irqmap_cmp(const void *a, const void *b)
{
    const struct gt_irqmap *x = a, *y = b;
    return x->pintid < y->pintid ? -1 : x->pintid > y->pintid;
}

static int range_cmp(const void *a, const void *b)
{
    const struct board_range *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

static void build_pawin(struct guest_tree *t)
{
    size_t n = 0;
    for (size_t d = 0; d < t->g->devices.n; d++)
        n += t->g->devices.v[d].regs.n;
    t->pawin = xmalloc((n ? n : 1) * sizeof(*t->pawin));
    n = 0;
    for (size_t d = 0; d < t->g->devices.n; d++)
        for (size_t r = 0; r < t->g->devices.v[d].regs.n; r++)
            t->pawin[n++] = (struct board_range){t->g->devices.v[d].regs.v[r].pa,
                                                 t->g->devices.v[d].regs.v[r].size};
    if (n > 1)
        qsort(t->pawin, n, sizeof(*t->pawin), range_cmp);
    t->npawin = n;
}

/* Whether [base, base+size) lies inside one of the guest's device windows
 * (the windows do not overlap: checked). */
static bool guest_maps(const struct guest_tree *t, uint64_t base, uint64_t size)
{
    size_t lo = 0, hi = t->npawin;
    while (lo < hi) { /* the last window starting at or below base */
        size_t mid = lo + (hi - lo) / 2;
        if (t->pawin[mid].base <= base)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return false;
    const struct board_range *w = &t->pawin[lo - 1];
    return base - w->base < w->size && size <= w->size - (base - w->base);
}

static void build_irqmap(struct guest_tree *t)
{
    size_t n = 0;
    for (size_t d = 0; d < t->g->devices.n; d++)
        n += t->g->devices.v[d].rirqs.n;
    t->irqmap = n ? xmalloc(n * sizeof(*t->irqmap)) : NULL;
    n = 0;
    for (size_t d = 0; d < t->g->devices.n; d++) {
        const struct sys_device *dev = &t->g->devices.v[d];
        for (size_t i = 0; i < dev->rirqs.n; i++)
            t->irqmap[n++] = (struct gt_irqmap){dev->rirqs.v[i].pintid, dev->rirqs.v[i].vintid};
    }
    if (n > 1)
        qsort(t->irqmap, n, sizeof(*t->irqmap), irqmap_cmp);
    t->nirqmap = n;
}

uint32_t gt_map_intid(const struct guest_tree *t, uint32_t pintid)
{
    struct gt_irqmap key = {.pintid = pintid};
    const struct gt_irqmap *m =
        t->nirqmap ? bsearch(&key, t->irqmap, t->nirqmap, sizeof(key), irqmap_cmp) : NULL;
    return m ? m->vintid : pintid;
}

/* The guest's <type num flags> for a physical INTID (decoded by the board
 * from its GIC specifier) and its trigger cell. */
static bool gic_spec_rewrite(const struct dtpass_ctx *ctx, const struct guest_tree *t, uint32_t intid,
                             uint32_t flags, uint32_t out[3])
{
    uint32_t v = gt_map_intid(t, intid);
    if (v >= 16 && v < 32) {
        out[0] = 1, out[1] = v - 16;
        /* GICv2 PPI specifiers carry a CPU mask (bits 15:8): the guest's vCPUs. */
        if (ctx->board.gic.version == 2 && (flags & 0xff00)) {
            size_t n = t->g->cpus.n < 8 ? t->g->cpus.n : 8;
            flags = (flags & ~0xff00u) | ((((1u << n) - 1) & 0xff) << 8);
        }
    } else if (v >= 32 && v < 1020) {
        out[0] = 0, out[1] = v - 32;
    } else if (v >= 4096) {
        out[0] = 2, out[1] = v - 4096;
    } else if (v >= 1056 && v < 1120) {
        out[0] = 3, out[1] = v - 1056;
    } else {
        return false;
    }
    out[2] = flags;
    return true;
}

/* Whether a board node is present in the tree as itself: not as a bus
 * above a device, which is re-created or, kept as on the board, lacks its
 * own resources and interrupt routing (a reference to it, or an interrupt
 * through its interrupt-map, cannot be carried). */
static struct gt_node *present(const struct guest_tree *t, const struct board_node *n)
{
    struct gt_node *g = strmap_get(&t->by_board_path, n->path);
    return g && g->kind != GT_BUS ? g : NULL;
}

typedef VEC(uint32_t) cellvec;

/* interrupts / interrupts-extended of board node bn, rewritten into gn from
 * the board's decoded lines (bn->irqs): GIC specifiers go to the vGIC with
 * the guest's numbers; specifiers of a controller (or nexus) the guest has
 * stay as written. Any other line cannot be written: the build fails
 * (gt_lost) — the checks (irq-parent) refuse such a system first. */
static void rewrite_interrupts(const struct dtpass_ctx *ctx, struct guest_tree *t,
                               struct gt_node *gn, const struct board_node *bn)
{
    const struct board *b = &ctx->board;
    const struct board_node *common = NULL;
    bool mixed = false;
    cellvec out = {0};    /* interrupts-extended form: phandle, cells... */
    cellvec starts = {0}; /* where each specifier starts in out */
    uint32_t nspecs = 0, nlines = 0;
    for (uint32_t k = 0; k < bn->nirqs; k++) {
        const struct board_irq *irq = &bn->irqs[k];
        if (irq->from_map)
            continue; /* a PCI host's INTx lines: its interrupt-map */
        nlines++;
        const struct board_node *par = board_irq_named(bn, irq);
        uint32_t ph, spec[3], n;
        const uint8_t *raw = NULL;
        if (par == b->gic.node) {
            if (!gic_spec_rewrite(ctx, t, irq->intid, irq->flags, spec)) {
                gt_lost(t, gn, "interrupt %u has no number in the guest's vGIC", irq->intid);
                continue;
            }
            ph = t->opt.gic_phandle, n = 3;
        } else {
            struct gt_node *g = present(t, par);
            /* A nexus parent without a phandle (a PCI host above its
             * children) is reached by inheritance: phandle 0 says so. */
            if (!g || (!g->phandle && g != gn->parent)) {
                gt_lost(t, gn, "an interrupt goes through %s, which the guest does not get", par->path);
                continue;
            }
            if (!board_prop_u32(par, "#interrupt-cells", &n) || n > 64) {
                gt_lost(t, gn, "%s has no usable #interrupt-cells", par->path);
                continue;
            }
            ph = g->phandle, raw = board_irq_cells(bn, irq);
        }
        if (nspecs && common != par)
            mixed = true;
        if (!nspecs)
            common = par;
        nspecs++;
        VEC_PUSH(&starts, (uint32_t)out.n);
        VEC_PUSH(&out, ph);
        for (uint32_t i = 0; i < n; i++)
            VEC_PUSH(&out, raw ? get_be32(raw + 4 * i) : spec[i]);
    }
    if (nlines < bn->nirq_specs)
        gt_lost(t, gn, "%u interrupt specifier(s) do not decode", bn->nirq_specs - nlines);
    bool same_width = true;
    for (size_t i = 1; i < starts.n; i++)
        same_width &= starts.v[i] - starts.v[i - 1] == starts.v[1] - starts.v[0];
    if (nspecs && !mixed && same_width) {
        /* One parent: the plain form, the parent written explicitly. */
        uint32_t ph = out.v[0], per = (uint32_t)(out.n / nspecs);
        cellvec plain = {0};
        for (size_t i = 0; i < out.n; i++)
            if (i % per)
                VEC_PUSH(&plain, out.v[i]);
        if (ph)
            gt_prop_u32(t, gn, "interrupt-parent", ph);
        gt_prop_cells(t, gn, "interrupts", plain.v, plain.n);
        VEC_FREE(&plain);
    } else if (nspecs) {
        /* interrupts-extended names every parent: an entry that relied on
         * inheritance (phandle 0) cannot be written. */
        cellvec xout = {0};
        for (size_t i = 0; i < starts.n; i++) {
            size_t from = starts.v[i], to = i + 1 < starts.n ? starts.v[i + 1] : out.n;
            if (!out.v[from]) {
                gt_lost(t, gn, "an interrupt inherits its nexus parent, which interrupts-extended "
                               "cannot name");
                continue;
            }
            for (size_t k = from; k < to; k++)
                VEC_PUSH(&xout, out.v[k]);
        }
        if (xout.n)
            gt_prop_cells(t, gn, "interrupts-extended", xout.v, xout.n);
        VEC_FREE(&xout);
    }
    VEC_FREE(&starts);
    VEC_FREE(&out);
}

/* interrupt-map of a nexus (PCI host bridges): GIC entries to the vGIC
 * (which has #address-cells = 0), entries of controllers the guest has
 * kept, others dropped. */
static void rewrite_interrupt_map(const struct dtpass_ctx *ctx, struct guest_tree *t,
                                  struct gt_node *gn, const struct board_node *bn,
                                  const struct board_prop *map)
{
    const struct board *b = &ctx->board;
    uint32_t ca = addr_cells(bn), ic;
    if (!board_prop_u32(bn, "#interrupt-cells", &ic) || ca > 4 || ic > 16)
        return;
    cellvec out = {0};
    size_t off = 0, child = 4u * (ca + ic);
    while (map->len - off >= child + 4) {
        const uint8_t *ent = map->val + off;
        off += child;
        const struct board_node *par = board_by_phandle(b, get_be32(map->val + off));
        off += 4;
        uint32_t pac = 0, pic;
        if (!par || !board_prop_u32(par, "#interrupt-cells", &pic) || pic > 16)
            break;
        board_prop_u32(par, "#address-cells", &pac);
        if (pac > 4 || map->len - off < 4u * (pac + pic))
            break;
        const uint8_t *pspec = map->val + off + 4u * pac;
        const uint8_t *paddr = map->val + off;
        off += 4u * (pac + pic);
        uint32_t spec[3], intid, flags;
        struct gt_node *g = NULL;
        if (par == b->gic.node ? !(board_gic_spec(b, pspec, pic, &intid, &flags) &&
                                   gic_spec_rewrite(ctx, t, intid, flags, spec))
                               : !((g = present(t, par)) && g->phandle)) {
            gt_lost(t, gn, "an interrupt-map entry goes to %s, which the guest cannot have", par->path);
            continue;
        }
        for (size_t i = 0; i < ca + ic; i++)
            VEC_PUSH(&out, get_be32(ent + 4 * i));
        if (par == b->gic.node) {
            VEC_PUSH(&out, t->opt.gic_phandle);
            for (int i = 0; i < 3; i++)
                VEC_PUSH(&out, spec[i]);
        } else {
            VEC_PUSH(&out, g->phandle);
            for (size_t i = 0; i < pac + pic; i++)
                VEC_PUSH(&out, get_be32(paddr + 4 * i));
        }
    }
    if (out.n)
        gt_prop_cells(t, gn, "interrupt-map", out.v, out.n);
    else {
        gt_prop_del(gn, "interrupt-map");
        gt_prop_del(gn, "interrupt-map-mask");
    }
    VEC_FREE(&out);
}

/* A CPU physical address inside one of the device's regs -> guest address;
 * identity outside them. */
static uint64_t dev_pa2ipa(const struct sys_device *dev, uint64_t pa)
{
    for (size_t i = 0; i < dev->regs.n; i++) {
        const struct res_reg *r = &dev->regs.v[i];
        if (pa >= r->pa && pa - r->pa < r->size)
            return r->ipa + (pa - r->pa);
    }
    return pa;
}

static void push_u64(cellvec *v, uint64_t x)
{
    VEC_PUSH(v, (uint32_t)(x >> 32));
    VEC_PUSH(v, (uint32_t)x);
}

/* A device's `ranges;` (its children use the parent's address space): kept
 * when its cells match the new parent's 2+2; else an explicit window over
 * its children's regs, translated to the guest address (dtc rejects an
 * empty ranges between spaces of different cell counts). */
static void empty_ranges(struct guest_tree *t, struct gt_node *gn, const struct board_node *bn,
                         const struct sys_device *dev)
{
    uint32_t ca = addr_cells(bn), sc = size_cells(bn);
    if (ca == 2 && sc == 2) {
        gt_prop_empty(t, gn, "ranges");
        return;
    }
    if (ca < 1 || ca > 2 || sc < 1 || sc > 2)
        return;
    uint64_t lo = UINT64_MAX, hi = 0, last;
    for (const struct board_node *c = bn->first_child; c; c = c->next_sibling) {
        struct board_prop r = board_prop(c, "reg");
        if (!r.name || r.len % (4u * (ca + sc)))
            continue;
        for (size_t off = 0; off < r.len; off += 4u * (ca + sc)) {
            uint64_t a = read_cells(r.val + off, ca), s = read_cells(r.val + off + 4 * ca, sc);
            if (!range_end(a, s, &last))
                continue;
            lo = a < lo ? a : lo;
            hi = last > hi ? last : hi;
        }
    }
    uint64_t cpu, cpu_last;
    if (lo > hi || !translate(bn->parent, lo, &cpu) || !translate(bn->parent, hi, &cpu_last) ||
        cpu_last - cpu != hi - lo || (sc == 1 && hi - lo >= UINT32_MAX))
        return; /* nothing addressed below, or no linear window: no ranges */
    cellvec out = {0};
    if (ca == 2)
        VEC_PUSH(&out, (uint32_t)(lo >> 32));
    VEC_PUSH(&out, (uint32_t)lo);
    push_u64(&out, dev_pa2ipa(dev, cpu));
    if (sc == 2)
        VEC_PUSH(&out, (uint32_t)((hi - lo + 1) >> 32));
    VEC_PUSH(&out, (uint32_t)(hi - lo + 1));
    gt_prop_cells(t, gn, "ranges", out.v, out.n);
    VEC_FREE(&out);
}

/* A device's own dma-ranges: the parent side re-encoded in the new
 * parent's 2 cells, its value kept (the guest's buses translate DMA 1:1 and
 * stage 2 makes DMA addresses IPAs). */
static void rewrite_dma_ranges(struct guest_tree *t, struct gt_node *gn, const struct board_node *bn,
                               const struct board_prop *r)
{
    uint32_t ca = addr_cells(bn), pa = addr_cells(bn->parent), sc = size_cells(bn);
    size_t ent = 4u * (ca + pa + sc);
    if (pa == 2 || ca > 4 || pa > 2 || sc > 2 || !ent || r->len % ent) {
        prop_put(gn, "dma-ranges", r->val, r->len);
        return;
    }
    cellvec out = {0};
    for (size_t off = 0; off < r->len; off += ent) {
        for (uint32_t i = 0; i < ca; i++)
            VEC_PUSH(&out, get_be32(r->val + off + 4 * i));
        push_u64(&out, read_cells(r->val + off + 4 * ca, pa));
        for (uint32_t i = 0; i < sc; i++)
            VEC_PUSH(&out, get_be32(r->val + off + 4 * (ca + pa + i)));
    }
    gt_prop_cells(t, gn, "dma-ranges", out.v, out.n);
    VEC_FREE(&out);
}

/* A device's own non-empty `ranges`: the parent side is translated to a
 * CPU address and then to the guest address, in the new parent's 2 cells. */
static void rewrite_device_ranges(struct guest_tree *t, struct gt_node *gn,
                                  const struct board_node *bn, const struct sys_device *dev)
{
    struct board_prop r = board_prop(bn, "ranges");
    if (!r.name)
        return;
    if (r.len == 0) {
        empty_ranges(t, gn, bn, dev);
        return;
    }
    uint32_t ca = addr_cells(bn), pa = addr_cells(bn->parent), sc = size_cells(bn);
    if (ca > 4 || pa > 2 || sc > 2 || ca + pa + sc == 0)
        return;
    size_t ent = 4u * (ca + pa + sc);
    cellvec out = {0};
    for (size_t off = 0; off + ent <= r.len; off += ent) {
        uint64_t cpu;
        if (!translate(bn->parent, read_cells(r.val + off + 4 * ca, pa), &cpu))
            continue;
        for (uint32_t i = 0; i < ca; i++)
            VEC_PUSH(&out, get_be32(r.val + off + 4 * i));
        push_u64(&out, dev_pa2ipa(dev, cpu));
        for (uint32_t i = 0; i < sc; i++)
            VEC_PUSH(&out, get_be32(r.val + off + 4 * (ca + pa + i)));
    }
    if (out.n)
        gt_prop_cells(t, gn, "ranges", out.v, out.n);
    VEC_FREE(&out);
}

/* --- copying board nodes --- */

static bool in_list(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(name, list[i]))
            return true;
    return false;
}

/* Properties never carried into a guest: the IOMMU wiring belongs to the
 * hypervisor (stage 2 makes DMA addresses IPAs), and linux,phandle is the
 * legacy spelling of phandle. */
static const char *const removed_props[] = {
    "iommus", "iommu-map", "iommu-map-mask", "linux,phandle",
};

/* Whether every entry of bn's msi-parent / msi-map names an MSI frame of
 * the GIC (its ITS, a GICv2m frame): the vGIC has none, so the property is
 * removed. One naming any other MSI controller (a TI INTA) is a reference
 * like any other: kept when the controller is in the guest, else the build
 * fails (the checks say dep-unowned first). */
static bool names_gic_msi_only(const struct board_node *bn, const char *prop)
{
    bool any = false;
    for (uint32_t k = 0; k < bn->ndeps; k++) {
        const struct board_dep *e = &bn->deps[k];
        if (strcmp(e->prop, prop))
            continue;
        if (!board_gic_msi(bn->board, board_dep_target(bn, e)))
            return false;
        any = true;
    }
    return any;
}

static bool removed_prop(const struct board_node *bn, const char *name)
{
    if (in_list(name, removed_props, ARRAY_SIZE(removed_props)))
        return true;
    if (!strcmp(name, "msi-parent") || !strcmp(name, "msi-map"))
        return names_gic_msi_only(bn, name);
    return !strcmp(name, "msi-map-mask") && names_gic_msi_only(bn, "msi-map");
}

/* A container or provider must not bring resources the guest does not own. */
static const char *const resource_props[] = {"reg", "reg-names", "interrupts",
                                             "interrupts-extended", "interrupt-names",
                                             "dma-ranges", "ranges"};


/* The device's reg, entry by entry as on the board, each translated to a
 * CPU address and then to the guest address (the resolved regs give the
 * relocation). Entries without a CPU address (size 0, untranslatable) keep
 * their bus address. Not the resolved list itself: for a PCI host bridge it
 * also holds the outbound windows, which are `ranges`, not `reg`. */
static void device_reg(const struct board_node *bn, const struct sys_device *dev, cellvec *out)
{
    struct board_prop r = board_prop(bn, "reg");
    if (!r.name || !bn->parent)
        return;
    uint32_t ac = addr_cells(bn->parent), sc = size_cells(bn->parent);
    if (ac > 2 || sc > 2 || ac + sc == 0 || r.len % (4u * (ac + sc)))
        return;
    for (size_t off = 0; off < r.len; off += 4u * (ac + sc)) {
        uint64_t a = read_cells(r.val + off, ac), size = read_cells(r.val + off + 4 * ac, sc), cpu;
        if (!translate(bn->parent, a, &cpu))
            cpu = a;
        push_u64(out, dev_pa2ipa(dev, cpu));
        push_u64(out, size);
    }
}

/* A node copied without reg or ranges keeps its unit address as "-<unit>":
 * a unit address without reg/ranges is a DT error (dtc warns), and the
 * board's unit addresses keep sibling names unique. */
static const char *regless_name(struct guest_tree *t, const char *name)
{
    const char *at = strchr(name, '@');
    return at ? gt_printf(t, "%.*s-%s", (int)(at - name), name, at + 1) : name;
}

enum copy_mode { COPY_DEVICE_TOP, COPY_SUBTREE, COPY_NO_RESOURCES, COPY_BUS };

/* What a bus copied as on the board leaves out: its own registers and
 * interrupts (an AIPS or interconnect configuration block is not the
 * guest's), and interrupt routing through it (its children's interrupts
 * are written explicitly, as under a re-created bus). */
static const char *const bus_resource_props[] = {"reg", "reg-names", "interrupts",
                                                 "interrupts-extended", "interrupt-names",
                                                 "interrupt-map", "interrupt-map-mask"};

/* Whether the device's reg, ranges and dma-ranges are kept as the board
 * writes them: its parent is the root or a bus copied as on the board, so
 * the board's cells and (identity) addresses hold in the guest. */
static bool keeps_board_addresses(const struct guest_tree *t, const struct board_node *bn)
{
    return t->board_buses && bn->parent && (!bn->parent->parent || board_has_prop(bn->parent, "ranges"));
}

/* A reg that is not MMIO (graph ports, CPU numbers: the parent has
 * #size-cells = 0) is no resource: containers and providers keep it. */
static bool keeps_reg(const struct board_node *bn)
{
    uint32_t sc;
    return board_has_prop(bn, "reg") && bn->parent && board_prop_u32(bn->parent, "#size-cells", &sc) && sc == 0;
}

/* The name of a container or provider: its board name, the unit address
 * made a suffix when its reg does not come along. */
static const char *copied_name(struct guest_tree *t, const struct board_node *bn)
{
    /* A board node with a unit address and no reg at all (a regulator
     * named cp0_sd_vcc@0) keeps its name: nothing was removed, and dtc
     * draws the same warning on the board. */
    return keeps_reg(bn) || !board_has_prop(bn, "reg") ? bn->name : regless_name(t, bn->name);
}

/* Copies bn's properties into gn (board order), with the rewrites of the
 * mode. The top node of a device gets its reg and ranges from top_reg/
 * top_ranges (already rewritten) at their original position. */
static void copy_props(const struct dtpass_ctx *ctx, struct guest_tree *t, struct gt_node *gn,
                       const struct board_node *bn, enum copy_mode mode,
                       const struct sys_device *dev)
{
    (void)ctx; /* the rewrites needing the whole context run later (finish_interrupts) */
    bool irqs_done = false;
    gn->phandle = bn->phandle;
    for (struct board_prop pv = board_prop_first(bn); pv.name; pv = board_prop_next(bn, pv)) {
        const struct board_prop *p = &pv;
        const char *name = p->name;
        if (removed_prop(bn, name) || !strcmp(name, "interrupt-parent"))
            continue;
        if (mode == COPY_BUS && in_list(name, bus_resource_props, ARRAY_SIZE(bus_resource_props)))
            continue;
        if (mode == COPY_NO_RESOURCES &&
            in_list(name, resource_props, ARRAY_SIZE(resource_props)) &&
            !(keeps_reg(bn) && (!strcmp(name, "reg") || !strcmp(name, "reg-names"))))
            continue;
        if (mode == COPY_DEVICE_TOP && dev) {
            bool drop = false;
            for (size_t d = 0; d < dev->drop.n && !drop; d++)
                drop = !strcmp(dev->drop.v[d], name);
            if (drop)
                continue;
        }
        if (!strcmp(name, "interrupts") || !strcmp(name, "interrupts-extended")) {
            /* Written once the whole device is in the tree (finish_interrupts):
             * the controller can be a node of its subtree copied later. */
            if (!irqs_done) {
                gn->irq_slot = (uint32_t)gn->props.n;
                gn->irq_pending = true;
            }
            irqs_done = true;
            continue;
        }
        bool rewrite = mode == COPY_DEVICE_TOP && dev && !keeps_board_addresses(t, bn);
        if (rewrite && !strcmp(name, "reg") && size_cells(bn->parent) != 0) {
            cellvec reg = {0};
            device_reg(bn, dev, &reg);
            if (reg.n)
                gt_prop_cells(t, gn, "reg", reg.v, reg.n);
            VEC_FREE(&reg);
            continue;
        }
        if (rewrite && !strcmp(name, "dma-ranges") && p->len) {
            rewrite_dma_ranges(t, gn, bn, p);
            continue;
        }
        if (rewrite && !strcmp(name, "ranges")) {
            rewrite_device_ranges(t, gn, bn, dev);
            continue;
        }
        prop_put(gn, name, p->val, p->len);
        if (!strcmp(name, "interrupt-map"))
            gn->map_pending = true; /* finish_interrupts, for the same reason */
    }
    if (gn->phandle && !gt_prop_get(gn, "phandle")) /* the board used linux,phandle only */
        gt_prop_u32(t, gn, "phandle", gn->phandle);
}

/* The guest node under which board node bp's children go: the root, the
 * flat parent, or bp placed (a bus kept or re-created, a container) with
 * its ancestors.
 * Providers (no registers) are never put under a re-created bus: a node
 * without reg below a simple-bus is a DT error, and the bus exists for
 * addresses; their chain is hoisted to the root at the first bus. */
static struct gt_node *place_parent(const struct dtpass_ctx *ctx, struct guest_tree *t,
                                    const struct board_node *bp, bool provider)
{
    if (t->opt.flat_parent)
        return t->opt.flat_parent;
    /* The chain of missing ancestors, nearest first; created top-down. */
    VEC(const struct board_node *) chain = {0};
    struct gt_node *g = NULL;
    for (const struct board_node *p = bp; p; p = p->parent) {
        if (!p->parent || (provider && board_has_prop(p, "ranges"))) {
            g = t->root;
            break;
        }
        if ((g = strmap_get(&t->by_board_path, p->path)))
            break;
        VEC_PUSH(&chain, p);
    }
    for (size_t i = chain.n; i-- > 0;) {
        const struct board_node *p = chain.v[i];
        if (board_has_prop(p, "ranges") && t->board_buses) {
            /* An address bus, every device at its board address: the bus
             * as on the board, its references followed like any copied
             * node's (gt_copy_providers). */
            g = gt_node_add(t, g, p->name, GT_BUS, p);
            g->board_bus = true;
            copy_props(ctx, t, g, p, COPY_BUS, NULL);
            VEC_PUSH(&t->pending, g);
        } else if (board_has_prop(p, "ranges")) {
            /* An address bus: re-created as an identity-mapped simple-bus
             * in the root's 2+2-cell space; its window and unit address are
             * set once every child is in (finish_buses). */
            g = gt_node_add(t, g, p->name, GT_BUS, p);
            static const char sb[] = "simple-bus";
            gt_prop_set(t, g, "compatible", sb, sizeof(sb));
            gt_prop_u32(t, g, "#address-cells", 2);
            gt_prop_u32(t, g, "#size-cells", 2);
            gt_prop_empty(t, g, "ranges");
        } else {
            g = gt_node_add(t, g, copied_name(t, p), GT_CONTAINER, p);
            copy_props(ctx, t, g, p, COPY_NO_RESOURCES, NULL);
            VEC_PUSH(&t->pending, g);
        }
    }
    VEC_FREE(&chain);
    return g;
}

/* A subtree node with MMIO of its own (a separate device nested in the
 * assigned one, like SRAM regions inside a syscon) comes along only when
 * the guest's windows cover it: a guest DT never describes registers the
 * guest cannot reach. */
static bool subtree_mapped(const struct guest_tree *t, const struct board_node *c)
{
    for (uint32_t i = 0; i < c->nmmio; i++)
        if (!guest_maps(t, c->mmio[i].base, c->mmio[i].size))
            return false;
    return true;
}

static void copy_children(const struct dtpass_ctx *ctx, struct guest_tree *t,
                          const struct gt_owners *owners, struct gt_node *gn,
                          const struct board_node *bn)
{
    for (const struct board_node *c = bn->first_child; c; c = c->next_sibling) {
        uintptr_t o = owner_of(owners, c);
        if (o && o != t->guest_index + 1)
            continue; /* a node someone else owns never rides along */
        if (!o && !subtree_mapped(t, c))
            continue; /* MMIO of its own the guest cannot reach: another device */
        if (strmap_get(&t->by_board_path, c->path))
            continue; /* already in the guest (a vCPU, the vGIC) */
        struct gt_node *g = gt_node_add(t, gn, c->name, GT_DEVICE, c);
        copy_props(ctx, t, g, c, COPY_SUBTREE, NULL);
        VEC_PUSH(&t->pending, g);
        copy_children(ctx, t, owners, g, c);
    }
}

/* "serial@ff000000" -> "serial" + "@<addr>" */
static char *unit_name(struct guest_tree *t, const char *name, uint64_t addr)
{
    const char *at = strchr(name, '@');
    int len = at ? (int)(at - name) : (int)strlen(name);
    return gt_printf(t, "%.*s@%" PRIx64, len, name, addr);
}

/* The interrupts and interrupt-maps of a copied device and its subtree,
 * written at the position the board has them, now that every controller
 * the device brings is in the tree. */
static void finish_interrupts(const struct dtpass_ctx *ctx, struct guest_tree *t, struct gt_node *gn)
{
    if (gn->irq_pending) {
        gn->irq_pending = false;
        size_t slot = gn->irq_slot < gn->props.n ? gn->irq_slot : gn->props.n;
        size_t ntail = gn->props.n - slot;
        struct gt_prop *tail = xmalloc((ntail ? ntail : 1) * sizeof(*tail));
        if (ntail)
            memcpy(tail, gn->props.v + slot, ntail * sizeof(*tail));
        gn->props.n = slot;
        rewrite_interrupts(ctx, t, gn, gn->bn);
        for (size_t i = 0; i < ntail; i++)
            if (!gt_prop_get(gn, tail[i].name))
                VEC_PUSH(&gn->props, tail[i]);
        free(tail);
    }
    if (gn->map_pending) {
        gn->map_pending = false;
        struct board_prop map = board_prop(gn->bn, "interrupt-map");
        if (map.name)
            rewrite_interrupt_map(ctx, t, gn, gn->bn, &map);
    }
    for (size_t i = 0; i < gn->children.n; i++)
        if (gn->children.v[i]->kind == GT_DEVICE)
            finish_interrupts(ctx, t, gn->children.v[i]);
}

struct gt_node *gt_copy_device(const struct dtpass_ctx *ctx, struct guest_tree *t,
                               const struct gt_owners *owners, const struct sys_device *dev)
{
    const struct board_node *bn = dev->ref.node;
    struct gt_node *parent = place_parent(ctx, t, bn->parent, false);
    if (parent->kind == GT_SYNTH && parent->parent && !gt_prop_get(parent, "#address-cells")) {
        /* A device in a node dtpass made (/chosen): the same 2+2 identity
         * space as a re-created bus. */
        gt_prop_u32(t, parent, "#address-cells", 2);
        gt_prop_u32(t, parent, "#size-cells", 2);
        gt_prop_empty(t, parent, "ranges");
    }
    const char *name = bn->name;
    cellvec reg = {0};
    struct board_prop breg = board_prop(bn, "reg");
    uint32_t ac = addr_cells(bn->parent);
    if (size_cells(bn->parent) == 0) {
        /* a reg that is no address: copied as it is, the name too */
    } else if (!keeps_board_addresses(t, bn)) {
        device_reg(bn, dev, &reg);
    } else if (breg.name && ac >= 1 && ac <= 2 && breg.len >= 4 * ac) {
        /* The board's reg as it is: the unit address is its first address
         * in the parent's cells (what the name says on a correct board). */
        uint64_t a = read_cells(breg.val, ac);
        push_u64(&reg, a);
    }
    if (reg.n)
        name = unit_name(t, bn->name, ((uint64_t)reg.v[0] << 32) | reg.v[1]);
    VEC_FREE(&reg);
    struct gt_node *gn = gt_node_add(t, parent, name, GT_DEVICE, bn);
    copy_props(ctx, t, gn, bn, COPY_DEVICE_TOP, dev);
    VEC_PUSH(&t->pending, gn);
    copy_children(ctx, t, owners, gn, bn);
    finish_interrupts(ctx, t, gn);
    return gn;
}

/* --- phandle references --- */

static struct gt_node *copy_provider(const struct dtpass_ctx *ctx, struct guest_tree *t,
                                     const struct board_node *p)
{
    struct gt_node *parent = place_parent(ctx, t, p->parent, true);
    struct gt_node *g = gt_node_add(t, parent, copied_name(t, p), GT_PROVIDER, p);
    copy_props(ctx, t, g, p, COPY_NO_RESOURCES, NULL);
    VEC_PUSH(&t->pending, g);
    return g;
}

/* Whether the carving may copy a node a reference names: decoded, not
 * reserved memory, not re-created as a bus already, and no resources in it
 * or in the containers above it (board_resource_holder) — the same rule
 * the checks apply (checks/deps.c). */
static bool copyable(const struct guest_tree *t, const struct board *b, const struct board_dep *e,
                     const struct board_node *n)
{
    return !e->undecodable && e->kind != BREF_MEMORY && n->parent &&
           !strmap_get(&t->by_board_path, n->path) && !board_resource_holder(n) &&
           !board_machine_node(b, n);
}

/* A CPU physical range inside one of the guest's RAM regions -> its IPA. */
static bool guest_ram_ipa(const struct guest_tree *t, uint64_t pa, uint64_t size, uint64_t *ipa)
{
    for (size_t i = 0; i < t->g->memory.n; i++) {
        const struct sys_mem *m = &t->g->memory.v[i];
        if (pa >= m->base && pa - m->base < m->size && size <= m->size - (pa - m->base)) {
            *ipa = m->ipa + (pa - m->base);
            return true;
        }
    }
    return false;
}

/* A board reserved-memory region a device names through memory-region,
 * inside the guest's RAM (dep-unowned checked it): copied into the guest's
 * /reserved-memory with its reg as guest addresses (2+2 cells) and the
 * unit address following; everything else byte for byte. False when it
 * cannot be (not a child of /reserved-memory, or outside the guest's RAM). */
static bool copy_reserved(const struct dtpass_ctx *ctx, struct guest_tree *t, const struct board_node *r)
{
    if (!r->parent || strcmp(r->parent->path, "/reserved-memory"))
        return false;
    cellvec reg = {0};
    uint64_t first = 0;
    for (uint32_t i = 0; i < r->nmmio; i++) {
        uint64_t ipa;
        if (!guest_ram_ipa(t, r->mmio[i].base, r->mmio[i].size, &ipa)) {
            VEC_FREE(&reg);
            return false;
        }
        if (!i)
            first = ipa;
        push_u64(&reg, ipa);
        push_u64(&reg, r->mmio[i].size);
    }
    struct gt_node *rm = NULL;
    for (size_t i = 0; i < t->root->children.n && !rm; i++)
        if (!strcmp(t->root->children.v[i]->name, "reserved-memory"))
            rm = t->root->children.v[i];
    if (!rm) {
        rm = gt_node_add(t, t->root, "reserved-memory", GT_SYNTH, NULL);
        gt_prop_u32(t, rm, "#address-cells", 2);
        gt_prop_u32(t, rm, "#size-cells", 2);
        gt_prop_empty(t, rm, "ranges");
    }
    const char *name = reg.n && strchr(r->name, '@') ? unit_name(t, r->name, first) : r->name;
    struct gt_node *g = gt_node_add(t, rm, name, GT_PROVIDER, r);
    copy_props(ctx, t, g, r, COPY_SUBTREE, NULL);
    if (reg.n)
        gt_prop_cells(t, g, "reg", reg.v, reg.n);
    VEC_FREE(&reg);
    VEC_PUSH(&t->pending, g);
    return true;
}

/* A bus copied as on the board whose own reference names a node the guest
 * cannot get (i.MX8M's soc@0 and its nvmem-cells in the OCOTP, a
 * simple-pm-bus's power domain): the bus is still needed for its
 * children, so the reference goes with its -names companion, and the bus
 * keeps only its generic bus compatibles (simple-bus …; "simple-bus" when
 * it had none) — the vendor driver bound to the others needs what was
 * removed. A documented rewrite (docs/guest-dt.md), never a guess. */
static void bus_unref(struct guest_tree *t, struct gt_node *gn, const char *prop)
{
    const struct board_ref_rule *r = board_ref_rule(prop);
    gt_prop_del(gn, prop);
    if (r && r->names)
        gt_prop_del(gn, r->names);
    const struct gt_prop *c = gt_prop_get(gn, "compatible");
    struct strbuf keep;
    sb_init(&keep);
    for (uint32_t off = 0; c && off < c->len;) {
        const char *s = (const char *)c->val + off;
        size_t l = strnlen(s, c->len - off);
        if (off + l < c->len && board_bus_compatible(s))
            sb_putn(&keep, s, l + 1);
        off += (uint32_t)l + 1;
    }
    if (!keep.len)
        sb_putn(&keep, "simple-bus", sizeof("simple-bus"));
    gt_prop_set(t, gn, "compatible", keep.s, (uint32_t)keep.len);
    sb_free(&keep);
}

void gt_copy_providers(const struct dtpass_ctx *ctx, struct guest_tree *t,
                       const struct gt_owners *owners)
{
    (void)owners;
    const struct board *b = &ctx->board;
    /* A work list: copying a provider queues it, so references are followed
     * transitively; each node is scanned once. The references are the
     * board's decoded ones (bn->deps); a property still on the guest node
     * keeps every one: its targets are in the tree, or copied, or the build
     * fails. */
    while (t->pending.n) {
        struct gt_node *gn = t->pending.v[--t->pending.n];
        if (gn->scanned || !gn->bn)
            continue;
        gn->scanned = true;
        const struct board_node *bn = gn->bn;
        for (uint32_t k = 0; k < bn->ndeps; k++) {
            const struct board_dep *e = &bn->deps[k];
            if (e->kind == BREF_IRQ || e->kind == BREF_IOMMU)
                continue; /* rewritten (interrupts) or removed (IOMMU wiring) by their own rules */
            if (!gt_prop_get(gn, e->prop))
                continue; /* dropped: drop:, a removed property, a container's resources */
            const struct board_node *tn = board_dep_target(bn, e);
            if (tn == b->gic.node || present(t, tn))
                continue; /* the vGIC keeps the GIC's phandle */
            if (copyable(t, b, e, tn)) {
                copy_provider(ctx, t, tn);
                continue;
            }
            if (e->kind == BREF_MEMORY && !e->undecodable && copy_reserved(ctx, t, tn))
                continue;
            if (gn->board_bus) {
                bus_unref(t, gn, e->prop);
                continue;
            }
            gt_lost(t, gn, "`%s` names %s, which the guest does not get%s", e->prop, tn->path,
                    e->undecodable ? " (the property does not decode)" : "");
        }
    }
}

/* --- the guest DT --- */

static int dev_order_cmp(const void *a, const void *b)
{
    const struct sys_device *x = *(const struct sys_device *const *)a;
    const struct sys_device *y = *(const struct sys_device *const *)b;
    return x->ref.node->index < y->ref.node->index ? -1 : x->ref.node->index > y->ref.node->index;
}

static void bus_rename(struct guest_tree *t, struct gt_node *n, const char *name)
{
    if (strcmp(n->name, name))
        n->name = unique_name(t, n->parent, name);
}

/* Bus windows, bottom-up: the span of the children's guest addresses. A bus
 * whose board name has a unit address is named after its window. */
static bool finish_buses(struct guest_tree *t, struct gt_node *n, uint64_t *lo, uint64_t *hi)
{
    bool any = false;
    uint64_t l = UINT64_MAX, h = 0;
    for (size_t i = 0; i < n->children.n; i++) {
        struct gt_node *c = n->children.v[i];
        uint64_t cl, ch;
        if (c->kind == GT_BUS) {
            if (!finish_buses(t, c, &cl, &ch))
                continue;
        } else {
            const struct gt_prop *r = gt_prop_get(c, "reg");
            if (!r || c->kind != GT_DEVICE || r->len % 16 || !r->len)
                continue;
            cl = UINT64_MAX, ch = 0;
            for (size_t o = 0; o < r->len; o += 16) {
                uint64_t base = read_cells(r->val + o, 2), size = read_cells(r->val + o + 8, 2), last;
                if (!range_end(base, size, &last))
                    continue;
                cl = base < cl ? base : cl;
                ch = last > ch ? last : ch;
            }
            if (cl > ch)
                continue;
        }
        any = true;
        l = cl < l ? cl : l;
        h = ch > h ? ch : h;
    }
    if (n->kind != GT_BUS || n->board_bus)
        return any;
    bool unit = strchr(n->bn->name, '@') != NULL;
    if (any && unit && h - l != UINT64_MAX) {
        cellvec r = {0};
        push_u64(&r, l);
        push_u64(&r, l);
        push_u64(&r, h - l + 1);
        gt_prop_cells(t, n, "ranges", r.v, r.n);
        VEC_FREE(&r);
        bus_rename(t, n, unit_name(t, n->bn->name, l));
    } else if (unit) {
        /* Nothing with an address below: no unit address without reg/ranges. */
        bus_rename(t, n, regless_name(t, n->bn->name));
    }
    *lo = l, *hi = h;
    return any;
}

static void add_cpus(const struct dtpass_ctx *ctx, struct guest_tree *t)
{
    struct gt_node *cpus = gt_node_add(t, t->root, "cpus", GT_SYNTH, NULL);
    gt_prop_u32(t, cpus, "#address-cells", 1);
    gt_prop_u32(t, cpus, "#size-cells", 0);
    for (size_t i = 0; i < t->g->cpus.n; i++) {
        char name[32];
        snprintf(name, sizeof(name), "cpu@%zx", i);
        struct gt_node *c = gt_node_add(t, cpus, name, GT_SYNTH, NULL);
        static const char cpu[] = "cpu", psci[] = "psci";
        gt_prop_set(t, c, "device_type", cpu, sizeof(cpu));
        uint32_t pi = t->g->cpus.v[i].index;
        const struct board_node *bc = pi < ctx->board.ncpus ? ctx->board.cpus[pi].node : NULL;
        struct board_prop compat = bc ? board_prop(bc, "compatible") : (struct board_prop){0};
        if (compat.name)
            prop_put(c, "compatible", compat.val, compat.len);
        else
            gt_prop_str(t, c, "compatible", "arm,armv8");
        gt_prop_u32(t, c, "reg", (uint32_t)i);
        gt_prop_set(t, c, "enable-method", psci, sizeof(psci));
        /* The vCPU stands for its physical CPU: references to it stay valid. */
        if (bc && bc->phandle) {
            c->phandle = bc->phandle;
            gt_prop_u32(t, c, "phandle", bc->phandle);
            strmap_put(&t->by_board_path, bc->path, c);
        }
    }
}

static void add_gic(const struct dtpass_ctx *ctx, struct guest_tree *t)
{
    const struct board *b = &ctx->board;
    const struct board_node *bg = b->gic.node;
    uint64_t dist = 0, dsize = 0x10000, second = 0, ssize = 0;
    if (bg && bg->nmmio >= 1)
        dist = bg->mmio[0].base, dsize = bg->mmio[0].size;
    if (bg && bg->nmmio >= 2)
        second = bg->mmio[1].base, ssize = bg->mmio[1].size;
    const char *name = bg ? bg->name : "interrupt-controller";
    struct gt_node *g = gt_node_add(t, t->root, bg && bg->nmmio ? unit_name(t, name, dist) : name,
                                    GT_SYNTH, bg);
    g->phandle = t->opt.gic_phandle;
    if (b->gic.version == 3) {
        static const char v3[] = "arm,gic-v3";
        gt_prop_set(t, g, "compatible", v3, sizeof(v3));
        ssize = 0x20000ull * t->g->cpus.n; /* one RD + SGI frame pair per vCPU */
        gt_prop_u32(t, g, "#redistributor-regions", 1);
    } else {
        struct board_prop c = bg ? board_prop(bg, "compatible") : (struct board_prop){0};
        if (c.name)
            prop_put(g, "compatible", c.val, c.len);
        else
            gt_prop_str(t, g, "compatible", "arm,cortex-a15-gic");
    }
    gt_prop_u32(t, g, "#interrupt-cells", 3);
    gt_prop_u32(t, g, "#address-cells", 0);
    gt_prop_empty(t, g, "interrupt-controller");
    cellvec reg = {0};
    push_u64(&reg, dist);
    push_u64(&reg, dsize);
    if (ssize) {
        push_u64(&reg, second);
        push_u64(&reg, ssize);
    }
    gt_prop_cells(t, g, "reg", reg.v, reg.n);
    VEC_FREE(&reg);
    gt_prop_u32(t, g, "phandle", t->opt.gic_phandle);
    if (bg)
        strmap_put(&t->by_board_path, bg->path, g);
}

static void add_timer(const struct dtpass_ctx *ctx, struct guest_tree *t)
{
    const struct board_node *bt = ctx->board.timer;
    struct gt_node *n = gt_node_add(t, t->root, "timer", GT_SYNTH, NULL);
    if (bt && ctx->board.gic.node) {
        copy_props(ctx, t, n, bt, COPY_NO_RESOURCES, NULL);
        n->phandle = 0;
        gt_prop_del(n, "phandle");
        rewrite_interrupts(ctx, t, n, bt);
        if (gt_prop_get(n, "interrupts"))
            return;
    }
    /* No usable board timer: the architected PPIs (secure, non-secure,
     * virtual, hypervisor), level-high. */
    static const char c[] = "arm,armv8-timer";
    gt_prop_set(t, n, "compatible", c, sizeof(c));
    uint32_t f = 4;
    if (ctx->board.gic.version == 2)
        f |= (((1u << (t->g->cpus.n < 8 ? t->g->cpus.n : 8)) - 1) & 0xff) << 8;
    uint32_t ints[] = {1, 13, f, 1, 14, f, 1, 11, f, 1, 10, f};
    gt_prop_u32(t, n, "interrupt-parent", t->opt.gic_phandle);
    gt_prop_cells(t, n, "interrupts", ints, ARRAY_SIZE(ints));
}

static int mem_cmp(const void *a, const void *b)
{
    const struct sys_mem *x = *(const struct sys_mem *const *)a, *y = *(const struct sys_mem *const *)b;
    return x->ipa < y->ipa ? -1 : x->ipa > y->ipa;
}

static void add_memory(struct guest_tree *t)
{
    size_t n = t->g->memory.n;
    const struct sys_mem **m = xmalloc((n ? n : 1) * sizeof(*m));
    for (size_t i = 0; i < n; i++)
        m[i] = &t->g->memory.v[i];
    qsort(m, n, sizeof(*m), mem_cmp);
    for (size_t i = 0; i < n; i++) {
        struct gt_node *mn = gt_node_add(t, t->root, unit_name(t, "memory", m[i]->ipa), GT_SYNTH, NULL);
        static const char mem[] = "memory";
        gt_prop_set(t, mn, "device_type", mem, sizeof(mem));
        uint32_t reg[] = {(uint32_t)(m[i]->ipa >> 32), (uint32_t)m[i]->ipa,
                          (uint32_t)(m[i]->size >> 32), (uint32_t)m[i]->size};
        gt_prop_cells(t, mn, "reg", reg, 4);
    }
    free(m);
}

struct win {
    const struct sys_shared *s;
    const struct sys_peer *p;
};

static int win_cmp(const void *a, const void *b)
{
    const struct win *x = a, *y = b;
    return x->p->ipa < y->p->ipa ? -1 : x->p->ipa > y->p->ipa;
}

static void add_shared(const struct dtpass_ctx *ctx, struct guest_tree *t,
                       const struct gt_hooks *hooks)
{
    VEC(struct win) w = {0};
    for (size_t i = 0; i < ctx->sys.shared.n; i++) {
        const struct sys_shared *s = &ctx->sys.shared.v[i];
        for (size_t k = 0; k < s->peers.n; k++)
            if (s->peers.v[k].guest_index == (int)t->guest_index) {
                struct win x = {s, &s->peers.v[k]};
                VEC_PUSH(&w, x);
            }
    }
    if (!w.n)
        return;
    qsort(w.v, w.n, sizeof(w.v[0]), win_cmp);
    if (hooks && hooks->shared_peer) {
        /* The target describes the windows its own way (gt_hooks). */
        for (size_t i = 0; i < w.n; i++)
            hooks->shared_peer(hooks->arg, t, w.v[i].s, w.v[i].p);
        VEC_FREE(&w);
        return;
    }
    struct gt_node *rm = gt_node_add(t, t->root, "reserved-memory", GT_SYNTH, NULL);
    gt_prop_u32(t, rm, "#address-cells", 2);
    gt_prop_u32(t, rm, "#size-cells", 2);
    gt_prop_empty(t, rm, "ranges");
    for (size_t i = 0; i < w.n; i++) {
        const struct sys_peer *p = w.v[i].p;
        struct gt_node *r = gt_node_add(t, rm, unit_name(t, w.v[i].s->name, p->ipa), GT_SYNTH, NULL);
        uint32_t reg[] = {(uint32_t)(p->ipa >> 32), (uint32_t)p->ipa,
                          (uint32_t)(w.v[i].s->size >> 32), (uint32_t)w.v[i].s->size};
        gt_prop_cells(t, r, "reg", reg, 4);
        gt_prop_empty(t, r, "no-map");
        if (p->access == SHM_RO)
            gt_prop_empty(t, r, "read-only");
        if (!p->has_doorbell)
            continue;
        r->phandle = t->next_phandle++;
        gt_prop_u32(t, r, "phandle", r->phandle);
        struct gt_node *d = gt_node_add(t, t->root, gt_printf(t, "shmem-%s", w.v[i].s->name),
                                        GT_SYNTH, NULL);
        static const char c[] = "dtpass,shmem";
        gt_prop_set(t, d, "compatible", c, sizeof(c));
        gt_prop_u32(t, d, "memory-region", r->phandle);
        gt_prop_u32(t, d, "interrupt-parent", t->opt.gic_phandle);
        uint32_t ints[] = {0, p->doorbell, 4};
        gt_prop_cells(t, d, "interrupts", ints, 3);
    }
    VEC_FREE(&w);
}

/* "serial0:115200n8" -> the node it names and the options after ':'. */
static struct gt_node *console_node(const struct dtpass_ctx *ctx, const struct guest_tree *t,
                                    const char *text, const struct board_node *bound,
                                    const char **opts)
{
    const char *colon = strchr(text, ':');
    *opts = colon ? colon + 1 : NULL;
    const struct board_node *bn = bound;
    if (!bn) {
        char *ref = colon ? xstrndup(text, (size_t)(colon - text)) : xstrdup(text);
        bn = board_lookup(&ctx->board, ref);
        free(ref);
    }
    return bn ? present(t, bn) : NULL;
}

static void add_chosen_aliases(const struct dtpass_ctx *ctx, struct guest_tree *t,
                               struct gt_node *chosen, struct gt_node *aliases)
{
    const struct board *b = &ctx->board;
    const struct board_node *ba = board_lookup(b, "/aliases");
    for (struct board_prop pv = ba ? board_prop_first(ba) : (struct board_prop){0}; pv.name;
         pv = board_prop_next(ba, pv)) {
        const struct board_prop *p = &pv;
        if (!p->len || p->val[p->len - 1] || memchr(p->val, 0, p->len - 1) || !strcmp(p->name, "phandle"))
            continue;
        const struct board_node *bn = board_lookup(b, (const char *)p->val);
        struct gt_node *g = bn ? present(t, bn) : NULL;
        if (!g || g->kind == GT_SYNTH)
            continue;
        char *path = gt_path(g);
        gt_prop_str(t, aliases, p->name, path);
        free(path);
    }

    if (t->g->bootargs)
        gt_prop_str(t, chosen, "bootargs", t->g->bootargs);
    const char *opts = NULL;
    struct gt_node *con = NULL;
    if (t->g->stdout_ref.text) {
        con = console_node(ctx, t, t->g->stdout_ref.text, t->g->stdout_ref.node, &opts);
    } else {
        /* No stdout: the board's console, when the guest has it. */
        const struct board_node *bc = board_lookup(b, "/chosen");
        struct board_prop sp = bc ? board_prop(bc, "stdout-path") : (struct board_prop){0};
        if (sp.name && sp.len && !sp.val[sp.len - 1])
            con = console_node(ctx, t, (const char *)sp.val, NULL, &opts);
    }
    if (con) {
        char *path = gt_path(con);
        char *v = opts && *opts ? xasprintf("%s:%s", path, opts) : xstrdup(path);
        gt_prop_str(t, chosen, "stdout-path", v);
        free(v);
        free(path);
    }
}

struct guest_tree *gt_build_guest(const struct dtpass_ctx *ctx, const struct gt_owners *owners,
                                  uint32_t gi)
{
    return gt_build_guest_hooked(ctx, owners, gi, NULL);
}

struct guest_tree *gt_build_guest_hooked(const struct dtpass_ctx *ctx, const struct gt_owners *owners,
                                         uint32_t gi, const struct gt_hooks *hooks)
{
    const struct board *b = &ctx->board;
    struct guest_tree *t = gt_new(ctx, gi);
    const struct sys_guest *g = t->g;
    t->opt.gic_phandle = b->gic.node && b->gic.node->phandle ? b->gic.node->phandle : t->next_phandle++;
    /* Buses as on the board when every device sits at its board address
     * and the board's root has the guest root's 2+2 cells (what the top
     * buses' ranges are written in); else re-created (docs/guest-dt.md). */
    t->board_buses = board_addr_cells(b->root) == 2 && board_size_cells(b->root) == 2;
    for (size_t d = 0; d < g->devices.n && t->board_buses; d++)
        for (size_t r = 0; r < g->devices.v[d].regs.n; r++)
            t->board_buses &= g->devices.v[d].regs.v[r].ipa == g->devices.v[d].regs.v[r].pa;

    /* The root: identity of the board, 2+2 cells (every address below is a
     * 64-bit guest address). */
    struct gt_node *root = t->root;
    struct board_prop compat = board_prop(b->root, "compatible");
    if (compat.name)
        prop_put(root, "compatible", compat.val, compat.len);
    char *model = xasprintf("%s (%s)", b->model ? b->model : "dtpass", g->name);
    gt_prop_str(t, root, "model", model);
    free(model);
    gt_prop_u32(t, root, "#address-cells", 2);
    gt_prop_u32(t, root, "#size-cells", 2);
    gt_prop_u32(t, root, "interrupt-parent", t->opt.gic_phandle);

    struct gt_node *chosen = gt_node_add(t, root, "chosen", GT_SYNTH, NULL);
    /* Devices under the board's /chosen (a firmware framebuffer) go into
     * this one. */
    const struct board_node *bchosen = board_lookup(b, "/chosen");
    if (bchosen)
        strmap_put(&t->by_board_path, bchosen->path, chosen);
    struct gt_node *aliases = gt_node_add(t, root, "aliases", GT_SYNTH, NULL);
    add_cpus(ctx, t);
    struct gt_node *psci = gt_node_add(t, root, "psci", GT_SYNTH, NULL);
    static const char psci_c[] = "arm,psci-1.0\0arm,psci-0.2", hvc[] = "hvc";
    gt_prop_set(t, psci, "compatible", psci_c, sizeof(psci_c));
    gt_prop_set(t, psci, "method", hvc, sizeof(hvc));
    add_memory(t);
    add_shared(ctx, t, hooks);
    add_gic(ctx, t);
    add_timer(ctx, t);

    /* Devices in board order: a device inside another assigned device's
     * subtree comes with it. */
    const struct sys_device **devs = xmalloc((g->devices.n ? g->devices.n : 1) * sizeof(*devs));
    size_t nd = 0;
    for (size_t i = 0; i < g->devices.n; i++)
        if (g->devices.v[i].ref.node)
            devs[nd++] = &g->devices.v[i];
    qsort(devs, nd, sizeof(*devs), dev_order_cmp);
    for (size_t i = 0; i < nd; i++)
        if (!strmap_get(&t->by_board_path, devs[i]->ref.node->path) &&
            !board_machine_node(&ctx->board, devs[i]->ref.node))
            gt_copy_device(ctx, t, owners, devs[i]);
    free(devs);
    gt_copy_providers(ctx, t, owners);

    uint64_t lo, hi;
    finish_buses(t, root, &lo, &hi);
    gt_sort(root);
    add_chosen_aliases(ctx, t, chosen, aliases);
    if (!aliases->props.n)
        gt_node_remove(aliases); /* an empty /aliases says nothing */
    return t;
}

/* --- the stage --- */

int lower_guest_trees(struct dtpass_ctx *ctx)
{
    if (!ctx->board.gic.node) {
        diag_report(&ctx->diag, CK_BOARD_INVALID, NOPOS,
                    "the board has no GIC: a guest device tree needs one to describe interrupts");
        return -1;
    }
    if (!ctx->owners) {
        ctx->owners = xmalloc(sizeof(*ctx->owners));
        gt_owners_build(ctx->owners, ctx);
    }
    return 0;
}

struct guest_tree *lower_guest_tree(const struct dtpass_ctx *ctx, uint32_t i)
{
    return gt_build_guest(ctx, ctx->owners, i);
}

void lower_free(struct dtpass_ctx *ctx)
{
    if (ctx->owners) {
        gt_owners_free(ctx->owners);
        free(ctx->owners);
        ctx->owners = NULL;
    }
    if (ctx->place) {
        place_free(ctx->place);
        ctx->place = NULL;
    }
}

/* --- phandle cells (for the DTS writer and the tests) --- */

static bool gprop_u32(const struct gt_node *n, const char *name, uint32_t *v)
{
    const struct gt_prop *p = gt_prop_get(n, name);
    if (!p || p->len != 4)
        return false;
    *v = get_be32(p->val);
    return true;
}

bool gt_prop_phandles(const struct gt_node *n, const struct gt_prop *p,
                      const struct gt_node *(*lookup)(void *arg, uint32_t phandle), void *arg,
                      bool *isph)
{
    if (!p->len || p->len % 4)
        return false;
    size_t nc = p->len / 4;
    memset(isph, 0, nc * sizeof(*isph));
#define CELL(i) get_be32(p->val + 4 * (i))
    if (!strcmp(p->name, "interrupt-parent")) {
        isph[0] = nc == 1;
        return nc == 1;
    }
    if (!strcmp(p->name, "interrupts-extended")) {
        for (size_t i = 0; i < nc;) {
            const struct gt_node *prov = lookup(arg, CELL(i));
            uint32_t ic;
            if (!prov || !gprop_u32(prov, "#interrupt-cells", &ic) || ic > nc - i - 1)
                return false;
            isph[i] = true;
            i += 1 + ic;
        }
        return true;
    }
    if (!strcmp(p->name, "interrupt-map")) {
        uint32_t ca = 2, ic;
        gprop_u32(n, "#address-cells", &ca);
        if (!gprop_u32(n, "#interrupt-cells", &ic) || ca > 4 || ic > 16)
            return false;
        for (size_t i = 0; i < nc;) {
            i += ca + ic;
            if (i >= nc)
                return false;
            const struct gt_node *prov = lookup(arg, CELL(i));
            uint32_t pac = 0, pic;
            if (!prov || !gprop_u32(prov, "#interrupt-cells", &pic))
                return false;
            gprop_u32(prov, "#address-cells", &pac);
            if (pac > 4 || pic > 16 || pac + pic > nc - i - 1)
                return false;
            isph[i] = true;
            i += 1 + pac + pic;
        }
        return true;
    }
    const struct board_ref_rule *rk = board_ref_rule(p->name);
    char gbuf[256];
    const char *cells_prop = rk ? rk->cells : board_ref_general_cells(p->name, gbuf, sizeof(gbuf));
    if (rk && (rk->kind == BREF_IRQ || rk->kind == BREF_IOMMU))
        return false;
    if (rk && rk->cells && !strcmp(rk->cells, "#gpio-cells") && gt_prop_get(n, "gpio-hog"))
        return false; /* a hog's gpios are line numbers of its parent */
    if (!rk) { /* the general rule: the first cell names a node with the cells property */
        const struct gt_node *prov = cells_prop ? lookup(arg, CELL(0)) : NULL;
        if (!prov || !gt_prop_get(prov, cells_prop))
            return false;
    }
    enum board_ref_kind kind = rk ? rk->kind : BREF_ARGS;
    if (kind == BREF_IDMAP) { /* (id-base, phandle, out-base, length) entries */
        if (nc % 4)
            return false;
        for (size_t i = 1; i < nc; i += 4) {
            if (!lookup(arg, CELL(i)))
                return false;
            isph[i] = true;
        }
        return true;
    }
    for (size_t i = 0; i < nc;) {
        uint32_t ph = CELL(i), cells = 0;
        i++;
        if (ph == 0 || ph == UINT32_MAX)
            continue;
        const struct gt_node *prov = lookup(arg, ph);
        if (!prov)
            return false;
        if (kind == BREF_ARGS && !gprop_u32(prov, cells_prop, &cells))
            return false;
        if (kind == BREF_MSI)
            gprop_u32(prov, cells_prop, &cells);
        if (kind == BREF_FIXED)
            cells = rk->fixed;

        if (cells > nc - i)
            return false;
        isph[i - 1] = true;
        i += cells;
    }
#undef CELL
    return true;
}
