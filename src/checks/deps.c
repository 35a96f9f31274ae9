/* checks/deps.c — what a passthrough device needs beyond itself:
 * dep-unowned (a provider with registers or interrupts the guest does not
 * own, reached through a property the guest keeps, directly or through
 * resource-free providers that are copied into the guest) and irq-parent
 * (interrupts routed through a controller other than the GIC that the
 * guest does not own). Each dependency edge is visited once per device. */
#include <inttypes.h>

#include "checks/internal.h"

/* Edges another check owns: interrupt routing (irq-parent) and IOMMU
 * plumbing (sid-owner, dma-no-iommu); the emitter rewrites or removes them.
 * msi-parent and msi-map are dependencies like any other, except on the
 * GIC's own MSI frames (board_gic_msi, skipped below). */
static bool dep_handled_elsewhere(const char *prop)
{
    static const char *const props[] = {
        "interrupt-parent", "interrupts-extended", "interrupt-map", "iommus", "iommu-map",
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
    const char *prop;             /* the property of the device or subnode that needs it */
    const struct board_node *from; /* the node carrying prop (the device or a subnode) */
    const struct board_node *via; /* resource-free provider in between, or NULL */
    const struct board_node *target; /* the node the phandle names, when not the provider */
    bool memory;                  /* memory-region outside the guest's memory */
    bool undecodable;             /* prop matched a binding but does not decode */
};

static int violation_cmp(const void *pa, const void *pb)
{
    const struct violation *a = pa, *b = pb;
    if (a->provider->index != b->provider->index)
        return a->provider->index < b->provider->index ? -1 : 1;
    if (a->from->index != b->from->index)
        return a->from->index < b->from->index ? -1 : 1;
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
    const struct board_dep *dep;
    const struct board_node *from; /* the device or subnode whose property it is */
    const char *prop;              /* that property */
    const struct board_node *via;
};

struct walk {
    struct ck *c;
    uint32_t *stamp; /* by node index: last device serial that visited it */
    uint32_t serial;
    VEC(struct edge) stack;
    VEC(struct violation) out;
    VEC(const struct board_node *) nodes; /* the device and the subnodes that ride along */
};

/* Whether the guest's device windows cover [base, base+size). */
static bool guest_covers(const struct sys_guest *g, uint64_t base, uint64_t size)
{
    for (size_t d = 0; d < g->devices.n; d++)
        for (size_t r = 0; r < g->devices.v[d].regs.n; r++) {
            const struct res_reg *w = &g->devices.v[d].regs.v[r];
            if (base >= w->pa && base - w->pa < w->size && size <= w->size - (base - w->pa))
                return true;
        }
    return false;
}

/* The subnodes that come into the guest with an assigned device: the same
 * rule as lower/guest_tree.c's copy_children — not owned by anyone (an owned
 * node is checked in its own right, or belongs to another owner), and no
 * MMIO of its own outside the guest's device windows. */
static void riding_subnodes(struct walk *w, const struct sys_guest *g, const struct board_node *n)
{
    for (const struct board_node *ch = n->first_child; ch; ch = ch->next_sibling) {
        if (w->c->owner[ch->index] != OWNER_NONE)
            continue;
        bool mapped = true;
        for (uint32_t i = 0; i < ch->nmmio && mapped; i++)
            mapped = guest_covers(g, ch->mmio[i].base, ch->mmio[i].size);
        if (!mapped)
            continue;
        VEC_PUSH(&w->nodes, ch);
        riding_subnodes(w, g, ch);
    }
}

static bool in_subtree(const struct board_node *top, const struct board_node *n)
{
    return n == top || is_ancestor(top, n);
}

/* Pushes the edges of a copied node (a provider, or a container copied
 * above it), once per device. */
static void push_node_edges(struct walk *w, const struct board_node *p, const struct edge *it)
{
    if (w->stamp[p->index] == w->serial)
        return;
    w->stamp[p->index] = w->serial;
    for (uint32_t k = 0; k < p->ndeps; k++) {
        const struct board_dep *e = &p->deps[k];
        if (!dep_handled_elsewhere(e->prop) && strcmp(e->prop, "memory-region") != 0)
            VEC_PUSH(&w->stack, ((struct edge){e, it->from, it->prop, it->via ? it->via : p}));
    }
}

static void device_deps(struct walk *w, size_t g, const struct sys_device *dev)
{
    struct ck *c = w->c;
    const struct sys_guest *gu = &c->sys->guests.v[g];
    const struct board_node *n = dev->ref.node;
    w->serial++;
    w->stack.n = w->out.n = w->nodes.n = 0;
    VEC_PUSH(&w->nodes, n);
    riding_subnodes(w, gu, n);
    /* Seeds: the edges of the device (filtered by drop:) and of every
     * subnode that comes along. */
    for (size_t i = 0; i < w->nodes.n; i++) {
        const struct board_node *s = w->nodes.v[i];
        w->stamp[s->index] = w->serial;
        for (uint32_t k = 0; k < s->ndeps; k++) {
            const struct board_dep *e = &s->deps[k];
            if (dep_handled_elsewhere(e->prop) || (s == n && dropped(dev, e->prop)))
                continue;
            VEC_PUSH(&w->stack, ((struct edge){e, s, e->prop, NULL}));
        }
    }
    while (w->stack.n) {
        struct edge it = w->stack.v[--w->stack.n];
        const struct board_node *p = board_dep_provider(it.from, it.dep), *t = board_dep_target(it.from, it.dep);
        if (!strcmp(it.dep->prop, "memory-region")) {
            if (p->nmmio && !region_in_guest(gu, p))
                VEC_PUSH(&w->out, ((struct violation){p, it.prop, it.from, it.via, NULL, true, false}));
            continue;
        }
        if (in_subtree(n, t) || is_ancestor(t, n))
            continue; /* nodes below the device come along; buses above it are re-created */
        if (board_gic_msi(c->b, p) || board_smmu_of(c->b, p))
            continue; /* virtualised (the GIC; its ITS is the hypervisor's) or programmed by it */
        const struct board_node *at;
        uint32_t o = owner_of(c, t, &at);
        if (o == owner_guest(g))
            continue; /* its own device (checked in its own right); a provider the
                       * hypervisor keeps is not in the guest either: a finding */
        const struct board_node *holder = board_resource_holder(t);
        if (!holder && !it.dep->undecodable) {
            /* Copied into the guest with the containers above it (up to
             * the first bus), so their own edges come too (once: provider
             * graphs can have cycles and shared subtrees). */
            push_node_edges(w, t, &it);
            for (const struct board_node *a = t->parent; a && a->parent && !board_has_prop(a, "ranges");
                 a = a->parent)
                push_node_edges(w, a, &it);
            continue;
        }
        VEC_PUSH(&w->out, ((struct violation){holder ? holder : p, it.prop, it.from, it.via,
                                              holder && holder != t ? t : NULL, false,
                                              it.dep->undecodable}));
    }
    if (!w->out.n)
        return;
    struct violation *v = w->out.v;
    ck_sort(v, w->out.n, sizeof(*v), violation_cmp);
    for (size_t i = 0; i < w->out.n;) {
        size_t j = i + 1;
        while (j < w->out.n && v[j].provider == v[i].provider && v[j].from == v[i].from)
            j++;
        /* The distinct properties leading to this provider, for message and fix. */
        struct strbuf props;
        sb_init(&props);
        bool undecodable = false;
        for (size_t k = i; k < j; k++) {
            undecodable |= v[k].undecodable;
            if (k > i && !strcmp(v[k].prop, v[k - 1].prop))
                continue;
            sb_printf(&props, "%s`%s`", props.len ? ", " : "", v[k].prop);
        }
        const struct board_node *p = v[i].provider, *from = v[i].from;
        /* A subnode's property: say whose, and the fix cannot be drop:. */
        char *fromtxt = from == n ? xasprintf("%s (guest %s)", n->path, gu->name)
                                  : xasprintf("%s (guest %s), in its subnode %s,", n->path, gu->name, from->path);
        struct diag *d;
        if (v[i].memory) {
            uint64_t rhi = p->mmio[0].base;
            range_end(p->mmio[0].base, p->mmio[0].size, &rhi);
            d = ck_report(c, CK_DEP_UNOWNED, dev->ref.pos,
                          "%s uses reserved memory %s [0x%" PRIx64 "-0x%" PRIx64
                          "] through %s, outside the memory of guest %s",
                          fromtxt, p->path, p->mmio[0].base, rhi, props.s, gu->name);
            ck_node(d, n);
            ck_node(d, p);
            diag_fix(d, "give guest %s memory covering %s, or drop %s", gu->name, p->path, props.s);
        } else {
            const struct board_node *at;
            uint32_t o = owner_of(c, p, &at);
            char ob[64];
            d = ck_report(c, CK_DEP_UNOWNED, dev->ref.pos,
                          undecodable ? "%s has %s, which dtpass cannot decode and which may "
                                        "name %s, a node the guest does not get and %s"
                                      : "%s depends through %s on %s, which has registers or "
                                        "interrupts and %s",
                          fromtxt, props.s, p->path,
                          o == OWNER_NONE ? "is not assigned to the guest" : "belongs to another owner");
            ck_node(d, n);
            if (from != n)
                ck_node(d, from);
            ck_node(d, p);
            if (v[i].target)
                ck_note(d, NOPOS, v[i].target, "the reference names %s, part of %s: a copy without "
                        "%s's resources would not work", v[i].target->path, p->path, p->path);
            if (v[i].via)
                ck_note(d, NOPOS, v[i].via, "reached through %s, which is copied into the guest",
                        v[i].via->path);
            if (o != OWNER_NONE) {
                const struct sys_ref *r = c->owner_ref[at->index];
                ck_note(d, r ? r->pos : NOPOS, at, "%s is given to %s here", at->path,
                        ck_owner_str(c, o, ob, sizeof(ob)));
                if (from == n)
                    diag_fix(d, "drop %s", props.s);
                else
                    diag_fix(d, "give %s and %s to one owner", n->path, at->path);
            } else if (from == n) {
                diag_fix(d, "drop %s or assign %s to guest %s", props.s, p->path, gu->name);
            } else {
                diag_fix(d, "assign %s to guest %s too", p->path, gu->name);
            }
        }
        free(fromtxt);
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
    VEC_FREE(&w.nodes);
    free(w.stamp);
    return 0;
}

/* Only the GIC is virtualised: an interrupt that reaches the CPU through
 * another controller (a GPIO block, a combiner) arrives there only if the
 * guest drives that controller itself. */
int check_irq_parent(struct ck *c)
{
    const struct system *s = c->sys;
    struct walk w = {.c = c};
    for (size_t g = 0; g < s->guests.n; g++)
        for (size_t i = 0; i < s->guests.v[g].devices.n; i++) {
            const struct sys_device *dev = &s->guests.v[g].devices.v[i];
            const struct board_node *top = dev->ref.node;
            if (!top || c->owner_dev[top->index] != dev)
                continue;
            /* The device and every subnode that comes along: a subnode's
             * interrupts are rewritten for the guest the same way. */
            w.nodes.n = 0;
            VEC_PUSH(&w.nodes, top);
            riding_subnodes(&w, &s->guests.v[g], top);
            for (size_t si = 0; si < w.nodes.n; si++) {
                const struct board_node *n = w.nodes.v[si];
                if (n == top && (dropped(dev, "interrupts") || dropped(dev, "interrupts-extended")))
                    continue;
                for (uint32_t k = 0; k < n->nirqs; k++) {
                    const struct board_node *p = n->irqs[k].parent;
                    const struct board_node *at;
                    if (n->irqs[k].gic || !p || in_subtree(top, p))
                        continue; /* a controller inside the device comes along */
                    uint32_t o = owner_of(c, p, &at);
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
                    char *what = n == top ? xasprintf("%s (guest %s)", n->path, s->guests.v[g].name)
                                          : xasprintf("%s (guest %s), in its subnode %s,", top->path,
                                                      s->guests.v[g].name, n->path);
                    struct diag *d = ck_report(
                        c, CK_IRQ_PARENT, dev->ref.pos,
                        "the interrupts of %s go through %s, %s; only GIC interrupts "
                        "are forwarded",
                        what, p->path, whose);
                    free(what);
                    ck_node(d, top);
                    if (n != top)
                        ck_node(d, n);
                    ck_node(d, p);
                    if (o == OWNER_NONE)
                        diag_fix(d, "assign %s to guest %s%s", p->path, s->guests.v[g].name,
                                 n == top ? ", or drop `interrupts`" : "");
                    else if (n == top)
                        diag_fix(d, "drop `interrupts` (and poll the device), or give both to one owner");
                    else
                        diag_fix(d, "give %s and %s to one owner", top->path, p->path);
                }
            }
        }
    VEC_FREE(&w.nodes);
    return 0;
}

/* A bus above a guest's device (an ancestor with `ranges`) is placed in
 * the guest for its addresses, not assigned: a reference of its own to a
 * node with resources the guest does not own (i.MX8M's soc@0 and the SoC
 * ID fuse in the OCOTP, a simple-pm-bus's power domain) cannot come along,
 * so the guest gets the bus with its generic bus compatibles only and
 * without that reference (lower/guest_tree.c, bus_unref; re-created buses
 * carry none of the bus's properties). Its children are unaffected; what
 * bound to the vendor compatible (a SoC-ID driver, the bus's power) is not
 * there. A warning, once per guest, bus and property. */
static void bus_reduced(struct ck *c, uint32_t *stamp, size_t g, const struct sys_device *dev)
{
    const struct board_node *n = dev->ref.node, *at;
    const char *guest = c->sys->guests.v[g].name;
    for (const struct board_node *a = n->parent; a && a->parent; a = a->parent) {
        if (stamp[a->index] == g + 1 || !board_has_prop(a, "ranges"))
            continue;
        stamp[a->index] = (uint32_t)g + 1;
        if (owner_of(c, a, &at) == owner_guest(g))
            return; /* the guest owns the bus (and what is above it is checked with it) */
        for (uint32_t k = 0; k < a->ndeps; k++) {
            const struct board_dep *e = &a->deps[k];
            const struct board_node *p = board_dep_provider(a, e), *t = board_dep_target(a, e);
            if (dep_handled_elsewhere(e->prop) || (k && !strcmp(a->deps[k - 1].prop, e->prop)))
                continue;
            if (is_ancestor(t, a) || board_gic_msi(c->b, p) || board_smmu_of(c->b, p) ||
                owner_of(c, t, &at) == owner_guest(g))
                continue;
            const struct board_node *holder = board_resource_holder(t);
            if (!holder && !e->undecodable)
                continue; /* resource-free: copied with the bus */
            struct diag *d = ck_report(
                c, CK_BUS_REDUCED, dev->ref.pos,
                "%s (guest %s) sits on the bus %s, whose `%s` names %s, which the guest does not "
                "get: the guest gets %s for its addresses, with its generic bus compatibles only "
                "and without `%s`",
                n->path, guest, a->path, e->prop, t->path, a->name, e->prop);
            ck_node(d, n);
            ck_node(d, a);
            ck_node(d, holder ? holder : p);
            diag_fix(d, "assign %s to guest %s to keep the bus whole, or -Wno-bus-reduced if the "
                     "guest does not need it", holder ? holder->path : p->path, guest);
        }
    }
}

int check_bus_reduced(struct ck *c)
{
    uint32_t *stamp = xcalloc(c->b->nnodes ? c->b->nnodes : 1, sizeof(uint32_t));
    for (size_t g = 0; g < c->sys->guests.n; g++)
        for (size_t i = 0; i < c->sys->guests.v[g].devices.n; i++) {
            const struct sys_device *dev = &c->sys->guests.v[g].devices.v[i];
            if (dev->ref.node && c->owner_dev[dev->ref.node->index] == dev)
                bus_reduced(c, stamp, g, dev);
        }
    free(stamp);
    return 0;
}

/* A node whose parent is a device (a compatible that is not a bus, and
 * resources of its own) is part of that device: its driver binds to the
 * parent (ZynqMP IPI channels, I2C clients, PCI functions), so the child
 * alone gives a guest a node nothing binds to. */
int check_dev_parent(struct ck *c)
{
    const struct system *s = c->sys;
    for (size_t g = 0; g < s->guests.n; g++)
        for (size_t i = 0; i < s->guests.v[g].devices.n; i++) {
            const struct sys_device *dev = &s->guests.v[g].devices.v[i];
            const struct board_node *n = dev->ref.node;
            if (!n || c->owner_dev[n->index] != dev)
                continue;
            const struct board_node *p = board_device_parent(n), *at;
            if (!p || owner_of(c, p, &at) == owner_guest(g))
                continue; /* the parent comes to this guest anyway */
            struct diag *d = ck_report(c, CK_DEV_PARENT, dev->ref.pos,
                                       "%s (guest %s) is part of the device %s (%s), which has "
                                       "resources of its own and is not a bus: the child alone is "
                                       "not a device a driver binds to",
                                       n->path, s->guests.v[g].name, p->path, p->compatible);
            ck_node(d, n);
            ck_node(d, p);
            diag_fix(d, "assign %s to guest %s instead", p->path, s->guests.v[g].name);
        }
    return 0;
}
