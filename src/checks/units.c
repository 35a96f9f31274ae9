/* checks/units.c — the board's assignable units (`dtpass board --groups`):
 * the smallest sets of devices that cannot have different owners. A unit is
 * what the isolation checks would find if every device had an owner of its
 * own: the same collectors (ck_page_ivals, ck_irq_uses, ck_collect_sids +
 * ck_sid_sweep, ck_pci_uses) run with owner = the device, and a union-find
 * joins each pair they report, keeping the pair as the reason. A device
 * owns its subtree (assigning a node assigns its subtree, and a child of a
 * device is not assignable alone: dev-parent), so a device is a node whose
 * parent is the root or a bus. The GIC and the SMMUs are the hypervisor's
 * (the checks' implicit owner): a unit that shares a page or a line with
 * them is the hypervisor's too.
 *
 * Linear in the board but for the sorts the collectors do. */
#include <string.h>

#include "checks/internal.h"
#include "checks/units.h"

/* Union-find over node indices; element 0 (the root, never a device) stands
 * for the hypervisor. */
struct uf {
    uint32_t *up;
};

static uint32_t uf_find(struct uf *u, uint32_t x)
{
    while (u->up[x] != x) {
        u->up[x] = u->up[u->up[x]];
        x = u->up[x];
    }
    return x;
}

/* A reason with the union-find element of one of its devices. */
struct why {
    struct unit_reason r;
    uint32_t elem;
};

struct ubuild {
    const struct board *b;
    struct uf uf;
    VEC(struct why) why; /* reasons of the unions that joined two sets */
};

/* The union-find element of an owner: the hypervisor, or its device. */
static uint32_t elem_of(uint32_t owner)
{
    return owner == OWNER_HYP ? 0 : owner - 1;
}

static void join(struct ubuild *ub, uint32_t oa, uint32_t ob, struct unit_reason r)
{
    uint32_t a = uf_find(&ub->uf, elem_of(oa)), b = uf_find(&ub->uf, elem_of(ob));
    if (a == b)
        return;
    /* The smaller index is the representative: the hypervisor stays 0. */
    if (a < b)
        ub->uf.up[b] = a;
    else
        ub->uf.up[a] = b;
    VEC_PUSH(&ub->why, ((struct why){r, a}));
}

struct page_join {
    struct ubuild *ub;
    const struct board_node **nodes;
};

static void page_cb(void *arg, const struct ck_ival *a, const struct ck_ival *b)
{
    struct page_join *pj = arg;
    uint64_t page = a->lo > b->lo ? a->lo : b->lo;
    join(pj->ub, (uint32_t)a->owner, (uint32_t)b->owner,
         (struct unit_reason){UNIT_PAGE, pj->nodes[b->idx], pj->nodes[a->idx], page, NULL});
}

/* The smallest stream ID two intersecting sets both match: the exact ID
 * to name in the reason. */
static uint64_t sid_common(struct ck_sidset a, struct ck_sidset b)
{
    if (a.mask && b.mask)
        return (a.sid & ~a.mask) | (b.sid & ~b.mask);
    if (!a.mask && !b.mask)
        return a.sid > b.sid ? a.sid : b.sid;
    if (a.mask) {
        struct ck_sidset t = a;
        a = b;
        b = t;
    }
    return ck_sid_next_match(a.sid, b.sid, b.mask);
}

static void sid_cb(void *arg, const struct ck_sid_use *x, const struct ck_sid_use *y)
{
    struct ubuild *ub = arg;
    join(ub, x->owner, y->owner,
         (struct unit_reason){UNIT_SID, x->node, y->node, sid_common(x->set, y->set),
                              ub->b->smmus[x->smmu].node});
}

static uint32_t subtree_end(const struct board *b, const struct board_node *n)
{
    uint32_t e = n->index + 1;
    while (e < b->nnodes && b->nodes[e]->depth > n->depth)
        e++;
    return e;
}

/* Every device's owner id (node index + 1, so 0 stays the hypervisor's),
 * over its whole subtree; OWNER_NONE outside devices. */
static void device_owners(const struct board *b, uint32_t *owner, bool *is_dev)
{
    for (uint32_t i = 0; i < b->nnodes; i++) {
        const struct board_node *n = b->nodes[i];
        const struct board_node *p = n->parent;
        owner[i] = OWNER_NONE;
        if (!p)
            continue;
        bool on_bus = !p->parent || board_is_bus(p); /* the root, a bus, a PCI host bridge */
        if (owner[p->index] != OWNER_NONE && !on_bus) {
            owner[i] = owner[p->index]; /* inside a device */
            continue;
        }
        if (!on_bus || board_machine_node(b, n) || board_smmu_of(b, n))
            continue;
        if (board_is_bus(n) && !n->pci_host)
            continue; /* a bus is no unit: its devices are */
        owner[i] = i + 1;
        is_dev[i] = true;
    }
}

/* Whether anything in n's subtree is a resource, or n is a consumer of
 * something (gpio-keys, whose keys reference a GPIO controller), or is a
 * PCI function below a host bridge:
 * resource-free providers (a phandle, nothing of their own) come along by
 * themselves and are no unit of their own. */
static bool worth_a_unit(const struct board *b, const struct board_node *n, uint32_t end)
{
    bool deps = false;
    if (n->parent && n->parent->pci_host)
        return true; /* a PCI function the DT names: assignable by its requester ID */
    for (uint32_t k = n->index; k < end; k++) {
        const struct board_node *m = b->nodes[k];
        if (m->nmmio || m->nirqs || m->nsids)
            return true;
        deps |= m->ndeps > 0;
    }
    return n->compatible && !n->phandle && deps;
}

static int reason_cmp(const void *pa, const void *pb)
{
    const struct unit_reason *a = pa, *b = pb;
    if (a->x->index != b->x->index)
        return a->x->index < b->x->index ? -1 : 1;
    return a->y->index < b->y->index ? -1 : a->y->index > b->y->index;
}

/* The providers a unit references, outside it: resource-free ones come
 * along (and what they reference, transitively), the others hold
 * resources the guest must be given too, or the property dropped. */
static void unit_needs(const struct board *b, struct unit *u, const uint32_t *unit_of,
                       uint32_t *stamp, uint32_t mark)
{
    VEC(const struct board_node *) todo = {0};
    for (size_t m = 0; m < u->devices.n; m++) {
        const struct board_node *d = u->devices.v[m];
        for (uint32_t k = d->index, end = subtree_end(b, d); k < end; k++)
            VEC_PUSH(&todo, b->nodes[k]);
    }
    for (size_t t = 0; t < todo.n; t++) {
        const struct board_node *n = todo.v[t];
        for (uint32_t k = 0; k < n->ndeps; k++) {
            const struct board_dep *dep = &n->deps[k];
            const struct board_node *p = board_dep_provider(n, dep);
            if (!p || board_machine_node(b, p) || board_smmu_of(b, p))
                continue; /* interrupt and IOMMU wiring: rewritten, not needed */
            if (dep->kind == BREF_IRQ || dep->kind == BREF_IOMMU || dep->kind == BREF_MEMORY)
                continue;
            const struct board_node *h = board_resource_holder(p);
            const struct board_node *key = h ? h : p;
            if (unit_of[key->index] == u->id || stamp[key->index] == mark)
                continue;
            stamp[key->index] = mark;
            if (h) {
                VEC_PUSH(&u->needs, ((struct unit_need){h, n, dep->prop, unit_of[h->index]}));
            } else {
                VEC_PUSH(&u->comes, ((struct unit_need){p, n, dep->prop, UINT32_MAX}));
                for (uint32_t q = p->index, end = subtree_end(b, p); q < end; q++)
                    VEC_PUSH(&todo, b->nodes[q]);
            }
        }
    }
    VEC_FREE(&todo);
}

int board_units(const struct board *b, struct units *out)
{
    memset(out, 0, sizeof(*out));
    uint32_t nn = b->nnodes ? b->nnodes : 1;
    struct system empty;
    system_init(&empty);
    struct ck c = {.b = b, .sys = &empty};
    c.owner = xmalloc(nn * sizeof(*c.owner));
    c.owner_ref = xcalloc(nn, sizeof(*c.owner_ref));
    c.owner_dev = xcalloc(nn, sizeof(*c.owner_dev));
    bool *is_dev = xcalloc(nn, sizeof(*is_dev));
    device_owners(b, c.owner, is_dev);

    struct ubuild ub = {.b = b};
    ub.uf.up = xmalloc(nn * sizeof(*ub.uf.up));
    for (uint32_t i = 0; i < nn; i++)
        ub.uf.up[i] = i;

    struct ck_ival *iv;
    const struct board_node **nodes;
    size_t n = ck_page_ivals(&c, &iv, &nodes);
    struct page_join pj = {&ub, nodes};
    ck_sweep(iv, n, page_cb, &pj);
    free(iv);
    free(nodes);

    struct ck_irq_use *iu;
    n = ck_irq_uses(&c, &iu);
    for (size_t i = 1; i < n; i++)
        if (iu[i].intid == iu[i - 1].intid && iu[i].owner != iu[i - 1].owner)
            join(&ub, iu[i - 1].owner, iu[i].owner,
                 (struct unit_reason){UNIT_IRQ, iu[i].node, iu[i - 1].node, iu[i].intid, NULL});
    free(iu);

    struct ck_sid_use *su;
    n = ck_collect_sids(&c, &su);
    ck_sid_sweep(su, n, true, sid_cb, &ub);
    free(su);

    struct ck_pci_use *pu;
    const struct board_node **whole;
    n = ck_pci_uses(&c, &pu, &whole);
    for (size_t i = 0; i < n; i++) {
        const struct board_node *br = b->nodes[pu[i].bridge];
        const struct board_node *w = whole[pu[i].bridge];
        if (w && c.owner[w->index] != pu[i].owner)
            join(&ub, c.owner[w->index], pu[i].owner,
                 (struct unit_reason){UNIT_PCI, pu[i].node, w, pu[i].rid, br});
        if (i && pu[i - 1].bridge == pu[i].bridge && pu[i - 1].rid == pu[i].rid &&
            pu[i - 1].owner != pu[i].owner)
            join(&ub, pu[i - 1].owner, pu[i].owner,
                 (struct unit_reason){UNIT_PCI, pu[i].node, pu[i - 1].node, pu[i].rid, br});
    }
    free(pu);
    free(whole);

    /* The units, in board order of their first device. */
    uint32_t *unit_of = xmalloc(nn * sizeof(*unit_of));
    uint32_t *slot = xmalloc(nn * sizeof(*slot)); /* representative -> unit + 1 */
    memset(slot, 0, nn * sizeof(*slot));
    VEC(struct unit) units = {0};
    for (uint32_t i = 0; i < b->nnodes; i++) {
        unit_of[i] = UINT32_MAX;
        if (!is_dev[i] || !worth_a_unit(b, b->nodes[i], subtree_end(b, b->nodes[i])))
            continue;
        uint32_t r = uf_find(&ub.uf, i);
        if (!slot[r]) {
            struct unit *u = VEC_ADD(&units);
            memset(u, 0, sizeof(*u));
            u->id = (uint32_t)units.n - 1;
            u->hypervisor = r == 0;
            slot[r] = (uint32_t)units.n;
        }
        struct unit *u = &units.v[slot[r] - 1];
        VEC_PUSH(&u->devices, b->nodes[i]);
        unit_of[i] = u->id;
    }
    /* A subtree node belongs to its device's unit (for needs). */
    for (uint32_t i = 0; i < b->nnodes; i++)
        if (unit_of[i] == UINT32_MAX && c.owner[i] != OWNER_NONE && c.owner[i] != i + 1)
            unit_of[i] = unit_of[c.owner[i] - 1];

    for (size_t k = 0; k < ub.why.n; k++) {
        uint32_t e = uf_find(&ub.uf, ub.why.v[k].elem);
        if (slot[e])
            VEC_PUSH(&units.v[slot[e] - 1].why, ub.why.v[k].r);
    }
    uint32_t *stamp = xcalloc(nn, sizeof(*stamp));
    for (size_t k = 0; k < units.n; k++) {
        struct unit *u = &units.v[k];
        ck_sort(u->why.v, u->why.n, sizeof(*u->why.v), reason_cmp);
        for (size_t m = 0; m < u->devices.n; m++) {
            const struct board_node *d = u->devices.v[m];
            for (uint32_t q = d->index, end = subtree_end(b, d); q < end; q++) {
                const struct board_node *s = b->nodes[q];
                u->dma |= s->dma_master;
                u->smmu |= s->nsids > 0;
                u->reset |= s->has_resets;
                u->power_domain |= s->has_power_domains;
            }
        }
        unit_needs(b, u, unit_of, stamp, (uint32_t)k + 1);
    }
    free(stamp);
    out->v = units.v;
    out->n = units.n;

    free(unit_of);
    free(slot);
    VEC_FREE(&ub.why);
    free(ub.uf.up);
    free(is_dev);
    free(c.owner);
    free(c.owner_ref);
    free(c.owner_dev);
    system_free(&empty);
    return 0;
}

void units_free(struct units *u)
{
    for (size_t i = 0; i < u->n; i++) {
        VEC_FREE(&u->v[i].devices);
        VEC_FREE(&u->v[i].why);
        VEC_FREE(&u->v[i].needs);
        VEC_FREE(&u->v[i].comes);
    }
    free(u->v);
    memset(u, 0, sizeof(*u));
}
