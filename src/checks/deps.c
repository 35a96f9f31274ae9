/* checks/deps.c — what a passthrough device needs beyond itself:
 * dep-unowned (a provider with registers or interrupts the guest does not
 * own, reached through a property the guest keeps, directly or through
 * resource-free providers that are copied into the guest) and irq-parent
 * (interrupts routed through a controller other than the GIC that the
 * guest does not own). Each dependency edge is visited once per device. */
#include <inttypes.h>

#include "checks/internal.h"

/* Edges another check owns: interrupt routing (irq-parent) and IOMMU/MSI
 * plumbing (sid-owner, dma-no-iommu); the emitter rewrites or removes them. */
static bool dep_handled_elsewhere(const char *prop)
{
    static const char *const props[] = {
        "interrupt-parent", "interrupts-extended", "interrupt-map",
        "iommus",           "iommu-map",           "msi-parent",
        "msi-map",
    };
    for (size_t i = 0; i < ARRAY_SIZE(props); i++)
        if (!strcmp(prop, props[i]))
            return true;
    return false;
}

static bool dropped(const struct sys_device *dev, const char *prop)
{
    for (size_t i = 0; i < dev->drop.n; i++)
        if (!strcmp(dev->drop.v[i], prop))
            return true;
    return false;
}

static bool is_ancestor(const struct board_node *a, const struct board_node *n)
{
    for (const struct board_node *p = n->parent; p; p = p->parent)
        if (p == a)
            return true;
    return false;
}

/* A node's owner, or its nearest owned ancestor's: an assigned node comes
 * with its subtree (the ZynqMP IPI mailbox channels under /zynqmp_ipi). */
static uint32_t owner_of(const struct ck *c, const struct board_node *p, const struct board_node **at)
{
    for (const struct board_node *a = p; a; a = a->parent)
        if (c->owner[a->index] != OWNER_NONE) {
            *at = a;
            return c->owner[a->index];
        }
    *at = p;
    return OWNER_NONE;
}

struct violation {
    const struct board_node *provider;
    const char *prop;             /* the device's own property (what `drop:` removes) */
    const struct board_node *via; /* resource-free provider in between, or NULL */
    bool memory;                  /* memory-region outside the guest's memory */
};

static int violation_cmp(const void *pa, const void *pb)
{
    const struct violation *a = pa, *b = pb;
    if (a->provider->index != b->provider->index)
        return a->provider->index < b->provider->index ? -1 : 1;
    return strcmp(a->prop, b->prop);
}

/* A memory-region provider is memory, not a device: the guest needs it in
 * its own RAM (the device DMAs there, the driver maps it). */
static bool region_in_guest(const struct sys_guest *g, const struct board_node *p)
{
    for (uint32_t r = 0; r < p->nmmio; r++) {
        uint64_t hi, mhi;
        bool in = false;
        if (!range_end(p->mmio[r].base, p->mmio[r].size, &hi))
            continue;
        for (size_t i = 0; i < g->memory.n && !in; i++)
            in = range_end(g->memory.v[i].base, g->memory.v[i].size, &mhi) &&
                 g->memory.v[i].base <= p->mmio[r].base && hi <= mhi;
        if (!in)
            return false;
    }
    return true;
}

struct edge {
    const struct board_node *n;
    const char *prop;
    const struct board_node *via;
};

struct walk {
    struct ck *c;
    uint32_t *stamp; /* by node index: last device serial that visited it */
    uint32_t serial;
    VEC(struct edge) stack;
    VEC(struct violation) out;
};

static void device_deps(struct walk *w, size_t g, const struct sys_device *dev)
{
    struct ck *c = w->c;
    const struct sys_guest *gu = &c->sys->guests.v[g];
    const struct board_node *n = dev->ref.node;
    w->serial++;
    w->stack.n = w->out.n = 0;
    w->stamp[n->index] = w->serial;
    /* Seeds: the device's own edges, filtered by drop:. */
    for (uint32_t k = 0; k < n->ndeps; k++) {
        const struct board_dep *e = &n->deps[k];
        if (!e->provider || dep_handled_elsewhere(e->prop) || dropped(dev, e->prop))
            continue;
        VEC_PUSH(&w->stack, ((struct edge){e->provider, e->prop, NULL}));
    }
    while (w->stack.n) {
        struct edge it = w->stack.v[--w->stack.n];
        const struct board_node *p = it.n;
        if (!strcmp(it.prop, "memory-region")) {
            if (p->nmmio && !region_in_guest(gu, p))
                VEC_PUSH(&w->out, ((struct violation){p, it.prop, it.via, true}));
            continue;
        }
        if (is_ancestor(p, n) || is_ancestor(n, p))
            continue; /* buses above the device and nodes below it come along */
        if (p == c->b->gic.node || board_smmu_of(c->b, p))
            continue; /* virtualised or programmed by the hypervisor */
        const struct board_node *at;
        uint32_t o = owner_of(c, p, &at);
        if (o == owner_guest(g) || o == OWNER_HYP)
            continue; /* its own device (checked in its own right), or the hypervisor's */
        if (p->resource_free) {
            /* Copied into the guest, so its own edges come too (once:
             * provider graphs can have cycles and shared subtrees). */
            if (w->stamp[p->index] == w->serial)
                continue;
            w->stamp[p->index] = w->serial;
            for (uint32_t k = 0; k < p->ndeps; k++) {
                const struct board_dep *e = &p->deps[k];
                if (e->provider && !dep_handled_elsewhere(e->prop) &&
                    strcmp(e->prop, "memory-region") != 0)
                    VEC_PUSH(&w->stack, ((struct edge){e->provider, it.prop, it.via ? it.via : p}));
            }
            continue;
        }
        VEC_PUSH(&w->out, ((struct violation){p, it.prop, it.via, false}));
    }
    if (!w->out.n)
        return;
    struct violation *v = w->out.v;
    ck_sort(v, w->out.n, sizeof(*v), violation_cmp);
    for (size_t i = 0; i < w->out.n;) {
        size_t j = i + 1;
        while (j < w->out.n && v[j].provider == v[i].provider)
            j++;
        /* The distinct properties leading to this provider, for message and fix. */
        struct strbuf props;
        sb_init(&props);
        for (size_t k = i; k < j; k++) {
            if (k > i && !strcmp(v[k].prop, v[k - 1].prop))
                continue;
            sb_printf(&props, "%s`%s`", props.len ? ", " : "", v[k].prop);
        }
        const struct board_node *p = v[i].provider;
        struct diag *d;
        if (v[i].memory) {
            uint64_t rhi = p->mmio[0].base;
            range_end(p->mmio[0].base, p->mmio[0].size, &rhi);
            d = ck_report(c, "dep-unowned", dev->ref.pos,
                          "%s (guest %s) uses reserved memory %s [0x%" PRIx64 "-0x%" PRIx64
                          "] through %s, outside the memory of guest %s",
                          n->path, gu->name, p->path, p->mmio[0].base, rhi, props.s, gu->name);
            ck_node(d, n);
            ck_node(d, p);
            diag_fix(d, "give guest %s memory covering %s, or drop %s", gu->name, p->path, props.s);
        } else {
            const struct board_node *at;
            uint32_t o = owner_of(c, p, &at);
            char ob[64];
            d = ck_report(c, "dep-unowned", dev->ref.pos,
                          "%s (guest %s) depends through %s on %s, which has registers or "
                          "interrupts and %s",
                          n->path, gu->name, props.s, p->path,
                          o == OWNER_NONE ? "is not assigned to the guest"
                                          : "belongs to another owner");
            ck_node(d, n);
            ck_node(d, p);
            if (v[i].via)
                ck_note(d, NOPOS, v[i].via, "reached through %s, which is copied into the guest",
                        v[i].via->path);
            if (o != OWNER_NONE) {
                const struct sys_ref *r = c->owner_ref[at->index];
                ck_note(d, r ? r->pos : NOPOS, at, "%s is given to %s here", at->path,
                        ck_owner_str(c, o, ob, sizeof(ob)));
                diag_fix(d, "drop %s", props.s);
            } else {
                diag_fix(d, "drop %s or assign %s to guest %s", props.s, p->path, gu->name);
            }
        }
        sb_free(&props);
        i = j;
    }
}

int check_dep_unowned(struct ck *c)
{
    const struct system *s = c->sys;
    struct walk w = {.c = c, .stamp = xcalloc(c->b->nnodes ? c->b->nnodes : 1, sizeof(uint32_t))};
    for (size_t g = 0; g < s->guests.n; g++)
        for (size_t i = 0; i < s->guests.v[g].devices.n; i++) {
            const struct sys_device *dev = &s->guests.v[g].devices.v[i];
            if (dev->ref.node && c->owner_dev[dev->ref.node->index] == dev)
                device_deps(&w, g, dev);
        }
    VEC_FREE(&w.stack);
    VEC_FREE(&w.out);
    free(w.stamp);
    return 0;
}

/* Only the GIC is virtualised: an interrupt that reaches the CPU through
 * another controller (a GPIO block, a combiner) arrives there only if the
 * guest drives that controller itself. */
int check_irq_parent(struct ck *c)
{
    const struct system *s = c->sys;
    for (size_t g = 0; g < s->guests.n; g++)
        for (size_t i = 0; i < s->guests.v[g].devices.n; i++) {
            const struct sys_device *dev = &s->guests.v[g].devices.v[i];
            const struct board_node *n = dev->ref.node;
            if (!n || c->owner_dev[n->index] != dev)
                continue;
            if (dropped(dev, "interrupts") || dropped(dev, "interrupts-extended"))
                continue;
            for (uint32_t k = 0; k < n->nirqs; k++) {
                const struct board_node *p = n->irqs[k].parent;
                const struct board_node *at;
                if (n->irqs[k].gic || !p || p == n || is_ancestor(n, p))
                    continue; /* a controller inside the device comes along */
                uint32_t o = p ? owner_of(c, p, &at) : OWNER_NONE;
                if (o == owner_guest(g))
                    continue;
                bool seen = false; /* one finding per controller */
                for (uint32_t m = 0; m < k && !seen; m++)
                    seen = n->irqs[m].parent == p && !n->irqs[m].gic;
                if (seen)
                    continue;
                char ob[64], whose[96];
                if (o == OWNER_NONE)
                    snprintf(whose, sizeof(whose), "which the guest does not own");
                else
                    snprintf(whose, sizeof(whose), "which belongs to %s",
                             ck_owner_str(c, o, ob, sizeof(ob)));
                struct diag *d = ck_report(
                    c, "irq-parent", dev->ref.pos,
                    "the interrupts of %s (guest %s) go through %s, %s; only GIC interrupts "
                    "are forwarded",
                    n->path, s->guests.v[g].name, p->path, whose);
                ck_node(d, n);
                ck_node(d, p);
                if (o == OWNER_NONE)
                    diag_fix(d, "assign %s to guest %s, or drop `interrupts`", p->path,
                             s->guests.v[g].name);
                else
                    diag_fix(d, "drop `interrupts` (and poll the device), or give both to one owner");
            }
        }
    return 0;
}
