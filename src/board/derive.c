/* board/derive.c — the DT rules dtpass relies on, applied once to the whole
 * tree after loading (Devicetree Specification v0.4 and the Linux
 * conventions where the specification is silent; docs/board-json.md lists
 * the choices):
 *   - platform nodes: GIC and its version, SMMUs, the architected timer,
 *     PCI host bridges;
 *   - every node's reg as CPU physical ranges, through every `ranges` level;
 *   - CPUs (MPIDR), RAM minus no-map reserved memory;
 *   - interrupts (interrupt-parent inheritance as Linux's of_irq_find_parent,
 *     interrupts-extended, GIC specifiers to INTIDs, PCI interrupt-map);
 *   - stream IDs (iommus, iommu-map), phandle dependencies, DMA masters.
 * Problems are board-invalid findings on the node; nothing is guessed. */
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "board/internal.h"

/* ---- cells ---- */

/* While loading, from the per-node cache; afterwards (board_translate)
 * from the blob. */
static uint32_t bus_acells(struct bload *c, const struct board_node *bus)
{
    if (!c->s->acells)
        return board_addr_cells(bus);
    uint32_t v = c->s->acells[bus->index];
    return v == CELLS_ABSENT ? 2 : v; /* DT spec 2.3.5 defaults */
}

static uint32_t bus_scells(struct bload *c, const struct board_node *bus)
{
    if (!c->s->scells)
        return board_size_cells(bus);
    uint32_t v = c->s->scells[bus->index];
    return v == CELLS_ABSENT ? 1 : v;
}

/* A bus address: up to 64 bits of address plus, for 3-cell (PCI)
 * addresses, the phys.hi cell whose space code selects a ranges entry. */
struct busaddr {
    uint64_t addr;
    uint32_t hi;
};

static void read_addr(const uint8_t *p, uint32_t n, struct busaddr *a)
{
    a->hi = 0;
    if (n == 1) {
        a->addr = get_be32(p);
    } else if (n == 2) {
        a->addr = (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
    } else {
        a->hi = get_be32(p);
        a->addr = (uint64_t)get_be32(p + 4) << 32 | get_be32(p + 8);
    }
}

static uint64_t read_size(const uint8_t *p, uint32_t n)
{
    if (n == 0)
        return 0;
    if (n == 1)
        return get_be32(p);
    return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* PCI space code of phys.hi: 0 config, 1 I/O, 2 memory (32- and 64-bit
 * memory match each other, as in Linux's of_bus_pci_map). */
static uint32_t pci_space(uint32_t hi)
{
    uint32_t s = (hi >> 24) & 3;
    return s == 3 ? 2 : s;
}

/* Buses whose children are memory mapped by definition: a missing `ranges`
 * there is a broken board, not a private address space. */
static bool is_mmio_bus(const struct board_node *n)
{
    return board_prop_has_str(n, "compatible", "simple-bus") ||
           board_prop_has_str(n, "compatible", "simple-pm-bus") ||
           board_prop_has_str(n, "compatible", "arm,amba-bus");
}

enum xlate { X_OK, X_NOT_MMIO, X_FAIL };

/* Translates a (ac cells) in the child address space of bus to a CPU
 * physical address. A direct parent without `ranges` that is not a
 * memory-mapped bus (an I2C or SPI controller, a flash with partitions, a
 * syscon with register offsets) means the address is private to that
 * device (X_NOT_MMIO) when lenient; anywhere else it is untranslatable. */
static enum xlate translate(struct bload *c, const struct board_node *bus, uint32_t ac,
                            struct busaddr *a, bool lenient, char **why)
{
    for (int level = 0; bus && bus->parent; level++, bus = bus->parent) {
        struct board_prop r = board_prop(bus, "ranges");
        if (!r.name) {
            if (level == 0 && lenient && !is_mmio_bus(bus))
                return X_NOT_MMIO;
            *why = xasprintf("%s has no `ranges`, so the address 0x%llx does not reach the CPU", bus->path,
                             (unsigned long long)a->addr);
            return X_FAIL;
        }
        uint32_t pac = bus_acells(c, bus->parent), rsc = bus_scells(c, bus);
        if (r.len == 0) { /* identity */
            if (pac < 3)
                a->hi = 0;
            if (pac < 2 && a->addr > UINT32_MAX) {
                *why = xasprintf("address 0x%llx does not fit the 1-cell addresses of %s",
                                 (unsigned long long)a->addr, bus->parent->path);
                return X_FAIL;
            }
            ac = pac;
            continue;
        }
        if (ac < 1 || ac > 3 || pac < 1 || pac > 3 || rsc < 1 || rsc > 2) {
            *why = xasprintf("`ranges` of %s uses #address-cells %u, parent #address-cells %u, "
                             "#size-cells %u (supported: 1..3, 1..3, 1..2)",
                             bus->path, ac, pac, rsc);
            return X_FAIL;
        }
        size_t ent = (size_t)(ac + pac + rsc) * 4;
        if (r.len % ent) {
            *why = xasprintf("`ranges` of %s is %u bytes, not a multiple of %zu", bus->path, r.len, ent);
            return X_FAIL;
        }
        bool found = false;
        for (size_t off = 0; off < r.len; off += ent) {
            struct busaddr cb, pb;
            read_addr(r.val + off, ac, &cb);
            read_addr(r.val + off + 4 * ac, pac, &pb);
            uint64_t len = read_size(r.val + off + 4 * (ac + pac), rsc);
            if (ac == 3 && pci_space(cb.hi) != pci_space(a->hi))
                continue;
            if (a->addr < cb.addr || a->addr - cb.addr >= len)
                continue;
            uint64_t na;
            if (!u64_add(pb.addr, a->addr - cb.addr, &na)) {
                *why = xasprintf("translating 0x%llx through `ranges` of %s overflows 64 bits",
                                 (unsigned long long)a->addr, bus->path);
                return X_FAIL;
            }
            a->addr = na;
            a->hi = pb.hi;
            found = true;
            break;
        }
        if (!found) {
            *why = xasprintf("address 0x%llx is outside every `ranges` window of %s",
                             (unsigned long long)a->addr, bus->path);
            return X_FAIL;
        }
        ac = pac;
    }
    return X_OK;
}

/* What a property name is, decided once per name: its table rule, or the
 * cells property of the general rule (only when some node of the board
 * declares it), or neither. */
struct name_rule {
    const struct board_ref_rule *rule;
    const char *general_cells;
};

/* Scratch vectors reused for every node, copied into the arena. */
struct scratch {
    VEC(struct board_range) ranges;
    VEC(struct board_irq) irqs;
    VEC(struct board_sid) sids;
    VEC(struct board_dep) deps;
    struct strmap dep_rules; /* property name -> its struct name_rule (ref_rule_cached) */
    struct strmap cells_names; /* every "#...-cells" name in the strings block */
    VEC(struct name_rule *) name_rules; /* owned by the scratch */
};

#define ARENA_COPY(c, vec, outp, outn)                                                \
    do {                                                                              \
        (outn) = (uint32_t)(vec)->n;                                                  \
        (outp) = arena_alloc(&(c)->s->arena, (vec)->n * sizeof(*(vec)->v));           \
        if ((vec)->n)                                                                 \
            memcpy((outp), (vec)->v, (vec)->n * sizeof(*(vec)->v));                   \
    } while (0)

static void untranslatable(struct bload *c, struct board_node *n, char *why)
{
    if (!n->untranslatable)
        node_defect(c, n, "untranslatable reg: %s", why);
    n->untranslatable = true;
    free(why);
}

static void push_range(struct bload *c, struct board_node *n, struct scratch *sc, uint64_t base, uint64_t size)
{
    uint64_t last;
    if (!range_end(base, size, &last)) {
        if (!n->untranslatable)
            node_defect(c, n, "reg region 0x%llx + 0x%llx wraps around the address space",
                          (unsigned long long)base, (unsigned long long)size);
        n->untranslatable = true;
        return;
    }
    VEC_PUSH(&sc->ranges, ((struct board_range){base, size}));
}

/* reg (and a PCI host's outbound windows) as CPU physical ranges. */
static void node_mmio(struct bload *c, struct board_node *n, struct scratch *sc)
{
    sc->ranges.n = 0;
    struct board_prop reg = board_prop(n, "reg");
    if (reg.name && n->parent) {
        struct board_node *bus = n->parent;
        uint32_t ac = bus_acells(c, bus), szc = bus_scells(c, bus);
        if (szc == 0) {
            /* CPUs, I2C/SPI/MDIO devices: addresses without sizes are not MMIO. */
        } else if (ac < 1 || ac > 3 || szc > 2) {
            node_defect(c, n, "reg cannot be decoded with #address-cells %u and #size-cells %u of %s", ac,
                          szc, bus->path);
            n->untranslatable = true;
        } else if (reg.len % ((ac + szc) * 4)) {
            node_defect(c, n, "reg is %u bytes, not a multiple of %u (#address-cells %u + #size-cells %u of %s)",
                          reg.len, (ac + szc) * 4, ac, szc, bus->path);
            n->untranslatable = true;
        } else {
            size_t ent = (size_t)(ac + szc) * 4;
            for (size_t off = 0; off < reg.len; off += ent) {
                struct busaddr a;
                read_addr(reg.val + off, ac, &a);
                uint64_t size = read_size(reg.val + off + 4 * ac, szc);
                if (size == 0)
                    continue; /* nothing mapped (PCI config-space entries, placeholders) */
                if (ac == 3 && (pci_space(a.hi) == 0 || !(a.hi & 0x80000000u)))
                    continue; /* PCI configuration space, or a relocatable BAR the OS
                               * assigns: no fixed CPU address */
                char *why = NULL;
                enum xlate x = translate(c, bus, ac, &a, true, &why);
                if (x == X_NOT_MMIO) {
                    sc->ranges.n = 0;
                    break;
                }
                if (x == X_FAIL) {
                    untranslatable(c, n, why);
                    sc->ranges.n = 0;
                    break;
                }
                push_range(c, n, sc, a.addr, size);
            }
        }
    }

    /* A PCI host's outbound windows are CPU addresses it decodes. */
    struct board_prop rv = n->pci_host && n->parent ? board_prop(n, "ranges") : (struct board_prop){0};
    const struct board_prop *r = &rv;
    if (r->name && r->len) {
        uint32_t ac = bus_acells(c, n), pac = bus_acells(c, n->parent), rsc = bus_scells(c, n);
        size_t ent = (size_t)(ac + pac + rsc) * 4;
        if (ac < 1 || ac > 3 || pac < 1 || pac > 3 || rsc < 1 || rsc > 2 || r->len % ent) {
            node_defect(c, n, "`ranges` cannot be decoded (%u bytes; #address-cells %u, parent "
                          "#address-cells %u, #size-cells %u)", r->len, ac, pac, rsc);
        } else {
            for (size_t off = 0; off < r->len; off += ent) {
                struct busaddr pb;
                read_addr(r->val + off + 4 * ac, pac, &pb);
                uint64_t len = read_size(r->val + off + 4 * (ac + pac), rsc);
                if (!len)
                    continue;
                char *why = NULL;
                if (translate(c, n->parent, pac, &pb, false, &why) != X_OK) {
                    untranslatable(c, n, why);
                    break;
                }
                push_range(c, n, sc, pb.addr, len);
            }
        }
    }
    ARENA_COPY(c, &sc->ranges, n->mmio, n->nmmio);
}

/* ---- platform nodes ---- */

static const char *const gic_v3_compat[] = {"arm,gic-v3"};
static const char *const gic_v2_compat[] = {
    "arm,gic-400",   "arm,cortex-a15-gic", "arm,cortex-a9-gic", "arm,cortex-a7-gic",
    "arm,pl390",     "arm,arm11mp-gic",    "arm,arm1176jzf-devchip-gic", "arm,eb11mp-gic",
    "arm,tc11mp-gic", "qcom,msm-8660-qgic", "qcom,msm-qgic2",
};
static const char *const smmu_v3_compat[] = {"arm,smmu-v3"};
static const char *const smmu_v2_compat[] = {
    "arm,mmu-500",    "arm,smmu-v2", "arm,mmu-401", "qcom,smmu-500", "nvidia,smmu-500",
    "arm,smmu-v1",    "arm,mmu-400", "qcom,smmu-v2",
};

static bool compat_any(const struct board_node *n, const char *const *list, size_t len)
{
    if (!n->compatible)
        return false;
    struct board_prop p = board_prop(n, "compatible"); /* once, not per list entry */
    for (size_t i = 0; i < len; i++)
        if (prop_list_has(&p, list[i]))
            return true;
    return false;
}
#define COMPAT_ANY(n, list) compat_any(n, list, ARRAY_SIZE(list))

static int gic_version(const struct board_node *n)
{
    if (COMPAT_ANY(n, gic_v3_compat))
        return 3;
    if (COMPAT_ANY(n, gic_v2_compat))
        return 2;
    return 0;
}

static void find_platform(struct bload *c)
{
    struct board *b = c->b;
    VEC(struct board_smmu) smmus = {0};
    struct strmap names;
    strmap_init(&names);
    struct board_node *first_gic = NULL;

    for (uint32_t i = 0; i < b->nnodes; i++) {
        struct board_node *n = b->nodes[i];
        const char *dt = board_prop_str(n, "device_type");
        if (dt && (!strcmp(dt, "pci") || !strcmp(dt, "pciex")) && n->parent) {
            const char *pdt = board_prop_str(n->parent, "device_type");
            n->pci_host = !(pdt && (!strcmp(pdt, "pci") || !strcmp(pdt, "pciex")));
        }
        if (!n->compatible)
            continue;
        if (!first_gic && n->interrupt_controller && gic_version(n))
            first_gic = n;
        if (!b->timer && (board_prop_has_str(n, "compatible", "arm,armv8-timer") ||
                          board_prop_has_str(n, "compatible", "arm,armv7-timer")))
            b->timer = n;
        enum smmu_version v = COMPAT_ANY(n, smmu_v3_compat) ? SMMU_V3 : COMPAT_ANY(n, smmu_v2_compat) ? SMMU_V2 : 0;
        if (!v)
            continue;
        uint32_t ic = 0;
        if (!board_prop_u32(n, "#iommu-cells", &ic)) {
            node_defect(c, n, "SMMU without a one-cell #iommu-cells");
            continue;
        }
        if ((v == SMMU_V3 && ic != 1) || (v == SMMU_V2 && (ic < 1 || ic > 2))) {
            node_defect(c, n, "#iommu-cells = <%u> on an SMMUv%d (expected %s)", ic, (int)v,
                          v == SMMU_V3 ? "1" : "1 or 2");
            continue;
        }
        /* Output names must be unique: a second SMMU with the same node
         * name (on another bus) gets its index appended. */
        char *name = arena_strdup(&c->s->arena, n->name);
        for (char *p = name; *p; p++)
            if (*p == '@')
                *p = '-';
        if (strmap_get(&names, name)) {
            char *alt = xasprintf("%s-%zu", name, smmus.n);
            name = arena_strdup(&c->s->arena, alt);
            free(alt);
        }
        strmap_put(&names, name, n);
        VEC_PUSH(&smmus, ((struct board_smmu){.node = n, .version = v, .iommu_cells = ic, .name = name}));
    }
    strmap_free(&names);
    b->nsmmus = (uint32_t)smmus.n;
    b->smmus = arena_alloc(&c->s->arena, smmus.n * sizeof(*smmus.v));
    if (smmus.n)
        memcpy(b->smmus, smmus.v, smmus.n * sizeof(*smmus.v));
    VEC_FREE(&smmus);

    /* The GIC: the root's interrupt parent when that is a GIC (boards with a
     * secondary GIC for a coprocessor), else the first one. */
    uint32_t ph;
    struct board_node *g = NULL;
    if (board_prop_u32(b->root, "interrupt-parent", &ph))
        g = board_by_phandle(b, ph);
    if (!g || !gic_version(g))
        g = first_gic;
    b->gic.node = g;
    b->gic.version = g ? gic_version(g) : 0;
}

/* ---- CPUs and RAM ---- */

static void find_cpus(struct bload *c)
{
    struct board *b = c->b;
    struct board_node *cpus = board_lookup(b, "/cpus");
    if (!cpus)
        return;
    uint32_t ac = bus_acells(c, cpus);
    VEC(struct board_cpu) v = {0};
    for (struct board_node *n = cpus->first_child; n; n = n->next_sibling) {
        const char *dt = board_prop_str(n, "device_type");
        if (strncmp(n->name, "cpu@", 4) && strcmp(n->name, "cpu"))
            continue;
        if (dt && strcmp(dt, "cpu"))
            continue;
        struct board_prop reg = board_prop(n, "reg");
        if (ac < 1 || ac > 2) {
            board_invalid(c, n, "/cpus has #address-cells %u; an MPIDR needs 1 or 2", ac);
            break;
        }
        if (!reg.name || reg.len < ac * 4) {
            board_invalid(c, n, "CPU without a reg (its MPIDR)");
            continue;
        }
        struct busaddr a;
        read_addr(reg.val, ac, &a);
        int dup = -1;
        for (size_t i = 0; i < v.n; i++) /* a handful of CPUs */
            if (v.v[i].mpidr == a.addr)
                dup = (int)i;
        if (dup >= 0) {
            struct diag *dg = board_invalid(c, n, "MPIDR 0x%llx also belongs to %s",
                                            (unsigned long long)a.addr, v.v[dup].node->path);
            diag_node(dg, v.v[dup].node->path);
            continue;
        }
        VEC_PUSH(&v, ((struct board_cpu){.node = n, .mpidr = a.addr}));
    }
    b->ncpus = (uint32_t)v.n;
    b->cpus = arena_alloc(&c->s->arena, v.n * sizeof(*v.v));
    if (v.n)
        memcpy(b->cpus, v.v, v.n * sizeof(*v.v));
    VEC_FREE(&v);
}

static int cmp_range(const void *x, const void *y)
{
    const struct board_range *a = x, *b = y;
    if (a->base != b->base)
        return a->base < b->base ? -1 : 1;
    return a->size < b->size ? -1 : a->size > b->size;
}

static void find_ram(struct bload *c)
{
    struct board *b = c->b;
    VEC(struct board_range) ram = {0}, nomap = {0}, out = {0};
    for (struct board_node *n = b->root->first_child; n; n = n->next_sibling) {
        const char *dt = board_prop_str(n, "device_type");
        if (dt && !strcmp(dt, "memory") && !n->disabled)
            for (uint32_t i = 0; i < n->nmmio; i++)
                VEC_PUSH(&ram, n->mmio[i]);
        if (!strcmp(n->name, "reserved-memory"))
            for (struct board_node *r = n->first_child; r; r = r->next_sibling)
                if (board_has_prop(r, "no-map") && !r->disabled)
                    for (uint32_t i = 0; i < r->nmmio; i++)
                        VEC_PUSH(&nomap, r->mmio[i]);
    }
    if (ram.n)
        qsort(ram.v, ram.n, sizeof(*ram.v), cmp_range);
    if (nomap.n)
        qsort(nomap.v, nomap.n, sizeof(*nomap.v), cmp_range);

    /* Merge overlapping or adjacent RAM banks, then subtract no-map regions
     * in one sweep (both sorted). Ends are inclusive: range_end() held. */
    VEC(struct board_range) merged = {0};
    for (size_t i = 0; i < ram.n; i++) {
        uint64_t last = ram.v[i].base + (ram.v[i].size - 1);
        if (merged.n) {
            struct board_range *m = &merged.v[merged.n - 1];
            uint64_t mlast = m->base + (m->size - 1);
            if (ram.v[i].base <= mlast || ram.v[i].base - mlast == 1) {
                if (last > mlast)
                    m->size = last - m->base + 1; /* cannot be 2^64: range_end held */
                continue;
            }
        }
        VEC_PUSH(&merged, ram.v[i]);
    }
    size_t j = 0;
    for (size_t i = 0; i < merged.n; i++) {
        uint64_t cur = merged.v[i].base, last = merged.v[i].base + (merged.v[i].size - 1);
        bool done = false;
        while (j < nomap.n && nomap.v[j].base + (nomap.v[j].size - 1) < cur)
            j++;
        for (size_t k = j; k < nomap.n && !done; k++) {
            uint64_t nb = nomap.v[k].base, nl = nomap.v[k].base + (nomap.v[k].size - 1);
            if (nb > last)
                break;
            if (nl < cur)
                continue;
            if (nb > cur)
                VEC_PUSH(&out, ((struct board_range){cur, nb - cur}));
            if (nl >= last)
                done = true;
            else
                cur = nl + 1;
        }
        if (!done)
            VEC_PUSH(&out, ((struct board_range){cur, last - cur + 1}));
    }
    b->nram = (uint32_t)out.n;
    b->ram = arena_alloc(&c->s->arena, out.n * sizeof(*out.v));
    if (out.n)
        memcpy(b->ram, out.v, out.n * sizeof(*out.v));
    /* /memreserve/: checked by fdt_check_full, read with libfdt. */
    VEC(struct board_range) rsv = {0};
    int nrsv = fdt_num_mem_rsv(b->fdt);
    for (int i = 0; i < nrsv; i++) {
        uint64_t base, size, last;
        if (fdt_get_mem_rsv(b->fdt, i, &base, &size) == 0 && size) {
            if (range_end(base, size, &last))
                VEC_PUSH(&rsv, ((struct board_range){base, size}));
            else
                board_invalid(c, NULL, "/memreserve/ 0x%llx + 0x%llx wraps around the address space",
                              (unsigned long long)base, (unsigned long long)size);
        }
    }
    if (rsv.n)
        qsort(rsv.v, rsv.n, sizeof(*rsv.v), cmp_range);
    b->nmemrsv = (uint32_t)rsv.n;
    b->memrsv = arena_alloc(&c->s->arena, rsv.n * sizeof(*rsv.v));
    if (rsv.n)
        memcpy(b->memrsv, rsv.v, rsv.n * sizeof(*rsv.v));
    VEC_FREE(&rsv);

    b->nnomap = (uint32_t)nomap.n;
    b->nomap = arena_alloc(&c->s->arena, nomap.n * sizeof(*nomap.v));
    if (nomap.n)
        memcpy(b->nomap, nomap.v, nomap.n * sizeof(*nomap.v));
    VEC_FREE(&ram);
    VEC_FREE(&nomap);
    VEC_FREE(&merged);
    VEC_FREE(&out);
}

/* ---- interrupts ---- */

/* Linux's of_irq_find_parent: follow interrupt-parent (or the tree parent)
 * until a node with #interrupt-cells. Every node on the way has the same
 * answer, so it is memoised: linear overall. */
static struct board_node *irq_parent(struct bload *c, struct board_node *n)
{
    struct board_store *s = c->s;
    VEC(struct board_node *) chain = {0};
    struct board_node *cur = n, *res = NULL;
    for (;;) {
        if (s->irq_parent_state[cur->index] == 2) {
            res = s->irq_parent[cur->index];
            break;
        }
        if (s->irq_parent_state[cur->index] == 1)
            break; /* a cycle of interrupt-parent references */
        s->irq_parent_state[cur->index] = 1;
        VEC_PUSH(&chain, cur);
        struct board_node *p;
        uint32_t ph;
        if (board_has_prop(cur, "interrupt-parent"))
            p = board_prop_u32(cur, "interrupt-parent", &ph) ? board_by_phandle(c->b, ph) : NULL;
        else
            p = cur->parent;
        if (!p)
            break;
        if (s->icells[p->index] != CELLS_ABSENT) {
            res = p;
            break;
        }
        cur = p;
    }
    for (size_t i = 0; i < chain.n; i++) {
        s->irq_parent[chain.v[i]->index] = res;
        s->irq_parent_state[chain.v[i]->index] = 2;
    }
    VEC_FREE(&chain);
    return res;
}

/* One specifier of controller p; returns NULL or a message (allocated). */
static char *decode_irq(struct bload *c, struct board_node *p, const uint8_t *cells, uint32_t ncells,
                        struct board_irq *out)
{
    memset(out, 0, sizeof(*out));
    out->parent = p;
    if (p != c->b->gic.node) {
        out->intid = ncells ? get_be32(cells) : 0;
        out->flags = ncells > 1 ? get_be32(cells + 4) : 0;
        return NULL;
    }
    if (ncells < 3)
        return xasprintf("the GIC %s has #interrupt-cells = <%u>; its specifiers need 3 cells", p->path, ncells);
    uint32_t type = get_be32(cells), num = get_be32(cells + 4);
    out->flags = get_be32(cells + 8);
    out->gic = true;
    switch (type) {
    case 0:
        if (num > 987)
            return xasprintf("SPI %u is beyond the GIC's 988 SPIs (INTID 1019)", num);
        out->intid = num + 32;
        return NULL;
    case 1:
        if (num > 15)
            return xasprintf("PPI %u is beyond the 16 PPIs", num);
        out->intid = num + 16;
        return NULL;
    case 2: /* GICv3.1 extended SPI range */
        if (c->b->gic.version < 3 || num > 1023)
            return xasprintf("extended SPI %u is not available on this GICv%d", num, c->b->gic.version);
        out->intid = 4096 + num;
        return NULL;
    case 3: /* extended PPI range */
        if (c->b->gic.version < 3 || num > 63)
            return xasprintf("extended PPI %u is not available on this GICv%d", num, c->b->gic.version);
        out->intid = 1056 + num;
        return NULL;
    default:
        return xasprintf("GIC interrupt type %u (0 = SPI, 1 = PPI)", type);
    }
}

static void push_dep_full(struct scratch *sc, const char *prop, struct board_node *provider,
                          struct board_node *target, const struct board_ref_rule *rule, bool undecodable)
{
    /* The same node named again by the same property (every clock of one
     * controller) is one dependency; repeats are adjacent in practice. */
    for (size_t i = sc->deps.n; i > 0 && i + 8 > sc->deps.n; i--)
        if (sc->deps.v[i - 1].target == target->index && !strcmp(sc->deps.v[i - 1].prop, prop))
            return;
    VEC_PUSH(&sc->deps, ((struct board_dep){.prop = prop, .provider = provider->index,
                                            .target = target->index & (BOARD_MAX_NODES - 1),
                                            .kind = (uint32_t)(rule ? rule->kind : BREF_ARGS) & 15,
                                            .undecodable = undecodable}));
}

/* The interrupt and IOMMU rows of the table, decoded by their own rules
 * below: their kind is known without a lookup (every node asks). */
static const struct board_ref_rule irq_row = {"interrupts", NULL, 0, NULL, BREF_IRQ, false};
static const struct board_ref_rule iommu_row = {"iommus", NULL, 0, NULL, BREF_IOMMU, false};

static void push_dep(struct scratch *sc, const char *prop, struct board_node *provider)
{
    push_dep_full(sc, prop, provider, provider, prop[0] == 'i' && prop[1] == 'o' ? &iommu_row : &irq_row, false);
}

/* Interrupt nexus (interrupt-map), as Linux's of_irq_parse_raw: while the
 * specifier's parent has an interrupt-map, match (child unit address,
 * specifier) under interrupt-map-mask and continue with the entry's parent
 * and parent specifier. The first unit address is the node's reg. On
 * success *p, *spec and *ncells name the final controller's specifier
 * (pointing into the map). Returns NULL or a message (allocated). */
static char *resolve_nexus(struct bload *c, const struct board_node *n, struct board_node **p,
                           const uint8_t **spec, uint32_t *ncells)
{
    const uint8_t *addr = NULL;
    uint32_t naddr = 0;
    struct board_prop reg = board_prop(n, "reg");
    if (reg.name) {
        addr = reg.val;
        naddr = reg.len / 4;
    }
    /* Controllers whose drivers parse their own interrupt-map (Linux's
     * of_irq_imap_abusers): the map is not a nexus for the generic rules. */
    static const char *const imap_abusers[] = {
        "CBEA,platform-spider-pic", "sti,platform-spider-pic", "realtek,rtl-intc", "fsl,ls1021a-extirq",
        "fsl,ls1043a-extirq",       "fsl,ls1088a-extirq",      "renesas,rza1-irqc",
    };
    for (int depth = 0; depth < 16; depth++) {
        struct board_prop map = board_prop(*p, "interrupt-map");
        if (!map.name || ((*p)->interrupt_controller && COMPAT_ANY(*p, imap_abusers)))
            return NULL;
        /* The nexus's #address-cells, inherited as Linux does, default 2. */
        uint32_t ac = 2;
        for (const struct board_node *q = *p; q; q = q->parent)
            if (c->s->acells[q->index] != CELLS_ABSENT) {
                ac = c->s->acells[q->index];
                break;
            }
        uint32_t ic = c->s->icells[(*p)->index];
        if (ic == CELLS_ABSENT || ic != *ncells || ac > 3)
            return xasprintf("the interrupt nexus %s has #interrupt-cells %u and #address-cells %u for a "
                             "%u-cell specifier", (*p)->path, ic, ac, *ncells);
        if (naddr < ac)
            return xasprintf("routing through the interrupt nexus %s needs a %u-cell unit address (reg)",
                             (*p)->path, ac);
        struct board_prop mp = board_prop(*p, "interrupt-map-mask");
        if (mp.name && mp.len != 4 * (ac + ic))
            return xasprintf("interrupt-map-mask of %s is %u bytes, not %u", (*p)->path, mp.len, 4 * (ac + ic));
        uint32_t key[6], total = map.len / 4, i = 0;
        for (uint32_t k = 0; k < ac + ic; k++) {
            uint32_t v = k < ac ? get_be32(addr + 4 * k) : get_be32(*spec + 4 * (k - ac));
            key[k] = mp.name ? v & prop_cell(&mp, k) : v;
        }
        bool found = false;
        while (i < total && !found) {
            if (c->nexus_budget == 0)
                return xasprintf("interrupt-map of %s is too large to resolve for every specifier", (*p)->path);
            c->nexus_budget--;
            if ((uint64_t)i + ac + ic + 1 > total)
                return xasprintf("interrupt-map of %s is cut short", (*p)->path);
            bool match = true;
            for (uint32_t k = 0; k < ac + ic; k++)
                match &= prop_cell(&map, i + k) == key[k];
            uint32_t ph = prop_cell(&map, i + ac + ic);
            struct board_node *np = board_by_phandle(c->b, ph);
            if (!np || c->s->icells[np->index] == CELLS_ABSENT)
                return xasprintf("interrupt-map of %s: phandle 0x%x is not an interrupt controller", (*p)->path, ph);
            uint32_t pac = c->s->acells[np->index] == CELLS_ABSENT ? 0 : c->s->acells[np->index];
            uint32_t pic = c->s->icells[np->index];
            uint32_t at = i + ac + ic + 1;
            if ((uint64_t)at + pac + pic > total || pac > 3)
                return xasprintf("interrupt-map of %s is cut short", (*p)->path);
            if (match) {
                addr = map.val + 4 * (size_t)at;
                naddr = pac;
                *spec = map.val + 4 * (size_t)(at + pac);
                *ncells = pic;
                *p = np;
                found = true;
            }
            i = at + pac + pic;
        }
        if (!found)
            return xasprintf("no interrupt-map entry of %s matches", (*p)->path);
    }
    return xasprintf("interrupt-map nesting deeper than 16 levels");
}

static int cmp_irq(const void *x, const void *y)
{
    const struct board_irq *a = x, *b = y;
    uint32_t pa = a->parent ? a->parent->index : 0, pb = b->parent ? b->parent->index : 0;
    if (pa != pb)
        return pa < pb ? -1 : 1;
    if (a->intid != b->intid)
        return a->intid < b->intid ? -1 : 1;
    return a->flags < b->flags ? -1 : a->flags > b->flags;
}

static void node_irqs(struct bload *c, struct board_node *n, struct scratch *sc)
{
    sc->irqs.n = 0;
    struct board_prop ext = board_prop(n, "interrupts-extended");
    struct board_prop ints = board_prop(n, "interrupts");
    if (ext.name) { /* takes precedence, as in Linux */
        uint32_t total = ext.len / 4, i = 0;
        if (ext.len % 4)
            node_defect(c, n, "interrupts-extended is not a list of cells");
        while (i < total) {
            uint32_t ph = prop_cell(&ext, i);
            struct board_node *p = board_by_phandle(c->b, ph);
            if (!p) {
                node_defect(c, n, "interrupts-extended: phandle 0x%x is not a node", ph);
                break;
            }
            uint32_t ic = c->s->icells[p->index];
            if (ic == CELLS_ABSENT || ic > total - i - 1) {
                node_defect(c, n, "interrupts-extended: %s %s", p->path,
                              ic == CELLS_ABSENT ? "has no #interrupt-cells" : "specifier is cut short");
                break;
            }
            struct board_irq irq;
            struct board_node *ctl = p;
            const uint8_t *spec = ext.val + 4 * (i + 1);
            uint32_t nc = ic;
            char *why = resolve_nexus(c, n, &ctl, &spec, &nc);
            if (!why)
                why = decode_irq(c, ctl, spec, nc, &irq);
            if (why) {
                node_defect(c, n, "interrupts-extended: %s", why);
                free(why);
            } else {
                irq.named = p->index;
                irq.cells_off = (uint32_t)(ext.val + 4 * (i + 1) - (const uint8_t *)c->b->fdt);
                VEC_PUSH(&sc->irqs, irq);
            }
            n->nirq_specs++;
            push_dep(sc, "interrupts-extended", p);
            i += 1 + ic;
        }
    } else if (ints.name && ints.len) {
        struct board_node *p = irq_parent(c, n);
        uint32_t ic = p ? c->s->icells[p->index] : 0;
        if (!p) {
            node_defect(c, n, "interrupts without an interrupt controller (no interrupt-parent leads to a "
                                "node with #interrupt-cells)");
        } else if (ic == 0 || ints.len % (4 * (size_t)ic)) {
            node_defect(c, n, "interrupts is %u bytes, not a multiple of #interrupt-cells = <%u> of %s",
                          ints.len, ic, p->path);
        } else {
            for (uint32_t off = 0; off < ints.len; off += 4 * ic) {
                struct board_irq irq;
                struct board_node *ctl = p;
                const uint8_t *spec = ints.val + off;
                uint32_t nc = ic;
                char *why = resolve_nexus(c, n, &ctl, &spec, &nc);
                n->nirq_specs++;
                if (!why)
                    why = decode_irq(c, ctl, spec, nc, &irq);
                if (why) {
                    node_defect(c, n, "interrupts: %s", why);
                    free(why);
                    continue;
                }
                irq.named = p->index;
                irq.cells_off = (uint32_t)(ints.val + off - (const uint8_t *)c->b->fdt);
                VEC_PUSH(&sc->irqs, irq);
            }
            push_dep(sc, "interrupt-parent", p);
        }
    }

    /* A PCI host's legacy INTx lines are the SPIs its interrupt-map names. */
    struct board_prop map = n->pci_host ? board_prop(n, "interrupt-map") : (struct board_prop){0};
    if (map.name && map.len) {
        uint32_t cac = bus_acells(c, n), cic = c->s->icells[n->index];
        uint32_t total = map.len / 4, i = 0;
        size_t first = sc->irqs.n;
        if (cic == CELLS_ABSENT || map.len % 4) {
            node_defect(c, n, "interrupt-map without #interrupt-cells, or not a list of cells");
            total = 0;
        }
        while (i < total) {
            if ((uint64_t)i + cac + cic >= total) {
                node_defect(c, n, "interrupt-map entry is cut short");
                break;
            }
            i += cac + cic;
            uint32_t ph = prop_cell(&map, i++);
            struct board_node *p = board_by_phandle(c->b, ph);
            if (!p || c->s->icells[p->index] == CELLS_ABSENT) {
                node_defect(c, n, "interrupt-map: phandle 0x%x is not an interrupt controller", ph);
                break;
            }
            uint32_t pac = c->s->acells[p->index] == CELLS_ABSENT ? 0 : c->s->acells[p->index];
            uint32_t pic = c->s->icells[p->index];
            if ((uint64_t)i + pac + pic > total) {
                node_defect(c, n, "interrupt-map entry is cut short");
                break;
            }
            struct board_irq irq;
            char *why = decode_irq(c, p, map.val + 4 * (size_t)(i + pac), pic, &irq);
            i += pac + pic;
            push_dep(sc, "interrupt-map", p);
            if (why) {
                node_defect(c, n, "interrupt-map: %s", why);
                free(why);
                continue;
            }
            irq.from_map = true;
            irq.named = p->index;
            VEC_PUSH(&sc->irqs, irq);
        }
        /* One line per (controller, INTID): sorted, then unique. */
        size_t cnt = sc->irqs.n - first, w = first;
        if (cnt > 1)
            qsort(sc->irqs.v + first, cnt, sizeof(*sc->irqs.v), cmp_irq);
        for (size_t k = first; k < sc->irqs.n; k++)
            if (w == first || sc->irqs.v[w - 1].parent != sc->irqs.v[k].parent ||
                sc->irqs.v[w - 1].intid != sc->irqs.v[k].intid)
                sc->irqs.v[w++] = sc->irqs.v[k];
        sc->irqs.n = w;
    }
    ARENA_COPY(c, &sc->irqs, n->irqs, n->nirqs);
}

/* ---- IOMMU ---- */

static void node_sids(struct bload *c, struct board_node *n, struct scratch *sc)
{
    sc->sids.n = 0;
    struct board_prop p = board_prop(n, "iommus");
    if (p.name) {
        uint32_t total = p.len / 4, i = 0;
        if (p.len % 4 || !p.len)
            node_defect(c, n, "iommus is not a list of cells");
        while (i < total) {
            uint32_t ph = prop_cell(&p, i), ic;
            struct board_node *t = board_by_phandle(c->b, ph);
            if (!t) {
                node_defect(c, n, "iommus: phandle 0x%x is not a node", ph);
                break;
            }
            if (!board_prop_u32(t, "#iommu-cells", &ic) || ic > total - i - 1) {
                node_defect(c, n, "iommus: %s %s", t->path,
                              board_has_prop(t, "#iommu-cells") ? "specifier is cut short" : "has no #iommu-cells");
                break;
            }
            push_dep(sc, "iommus", t);
            const struct board_smmu *sm = board_smmu_of(c->b, t);
            if (sm && ic >= 1) {
                struct board_sid s = {.smmu = t, .count = 1};
                uint32_t a0 = prop_cell(&p, i + 1);
                if (sm->version == SMMU_V3) {
                    s.sid = a0;
                } else {
                    /* Linux arm-smmu: SMR ID from the first cell, mask from
                     * the second or from the SMMU's stream-match-mask. */
                    uint32_t m = 0;
                    s.sid = a0 & 0xffff;
                    if (ic >= 2)
                        m = prop_cell(&p, i + 2);
                    else
                        board_prop_u32(t, "stream-match-mask", &m);
                    s.mask = m & 0xffff;
                }
                VEC_PUSH(&sc->sids, s);
            }
            i += 1 + ic;
        }
    }
    p = board_prop(n, "iommu-map");
    if (p.name) {
        /* Entries are always (rid-base, phandle, iommu-base, length): four
         * cells whatever the IOMMU's #iommu-cells (Linux of_map_id). */
        uint32_t mask = UINT32_MAX;
        if (board_has_prop(n, "iommu-map-mask") && !board_prop_u32(n, "iommu-map-mask", &mask))
            node_defect(c, n, "iommu-map-mask must be one cell");
        if (p.len % 16 || !p.len)
            node_defect(c, n, "iommu-map is %u bytes, not a list of (rid-base, iommu, iommu-base, length)",
                        p.len);
        for (uint32_t i = 0; i + 4 <= p.len / 4; i += 4) {
            uint32_t rid = prop_cell(&p, i), ph = prop_cell(&p, i + 1);
            uint32_t base = prop_cell(&p, i + 2), len = prop_cell(&p, i + 3);
            struct board_node *t = board_by_phandle(c->b, ph);
            if (!t || !board_has_prop(t, "#iommu-cells")) {
                node_defect(c, n, "iommu-map: phandle 0x%x is not an IOMMU", ph);
                break;
            }
            uint64_t last;
            if (len && (!range_end(rid, len, &last) || last > UINT32_MAX || !range_end(base, len, &last) ||
                        last > UINT32_MAX)) {
                node_defect(c, n, "iommu-map entry (0x%x, 0x%x, length 0x%x) overflows 32-bit IDs", rid, base, len);
                continue;
            }
            push_dep(sc, "iommu-map", t);
            if (board_smmu_of(c->b, t) && len)
                VEC_PUSH(&sc->sids, ((struct board_sid){.smmu = t, .sid = base, .count = len, .from_map = true,
                                                        .rid_base = rid, .map_mask = mask}));
        }
    }
    ARENA_COPY(c, &sc->sids, n->sids, n->nsids);
}

/* ---- phandle dependencies ---- */

/* The binding table: every phandle-bearing property of the Devicetree
 * Specification (v0.4 §2.4, §4) and of the Linux bindings
 * (Documentation/devicetree/bindings) dtpass knows. One row per property
 * (or pattern: a leading '-' is a suffix), with the provider's cells
 * property, the companion -names property and the kind. Anything else
 * with a phandle is found by the general rule (board_ref_general_cells). */
static const struct board_ref_rule ref_rules[] = {
    {"clocks", "#clock-cells", 0, "clock-names", BREF_ARGS, false},
    {"assigned-clocks", "#clock-cells", 0, NULL, BREF_ARGS, false},
    {"assigned-clock-parents", "#clock-cells", 0, NULL, BREF_ARGS, false},
    {"resets", "#reset-cells", 0, "reset-names", BREF_ARGS, false},
    {"power-domains", "#power-domain-cells", 0, "power-domain-names", BREF_ARGS, false},
    {"phys", "#phy-cells", 0, "phy-names", BREF_ARGS, false},
    {"dmas", "#dma-cells", 0, "dma-names", BREF_ARGS, false},
    {"interconnects", "#interconnect-cells", 0, "interconnect-names", BREF_ARGS, false},
    {"mboxes", "#mbox-cells", 0, "mbox-names", BREF_ARGS, false},
    {"pwms", "#pwm-cells", 0, "pwm-names", BREF_ARGS, false},
    {"io-channels", "#io-channel-cells", 0, "io-channel-names", BREF_ARGS, false},
    {"sound-dai", "#sound-dai-cells", 0, NULL, BREF_ARGS, false},
    {"thermal-sensors", "#thermal-sensor-cells", 0, NULL, BREF_ARGS, false},
    {"cooling-device", "#cooling-cells", 0, NULL, BREF_ARGS, false},
    {"hwlocks", "#hwlock-cells", 0, "hwlock-names", BREF_ARGS, false},
    {"mux-controls", "#mux-control-cells", 0, "mux-control-names", BREF_ARGS, false},
    {"mux-states", "#mux-state-cells", 0, "mux-state-names", BREF_ARGS, false},
    {"nvmem-cells", NULL, 0, "nvmem-cell-names", BREF_NVMEM, false},
    {"nvmem", NULL, 0, "nvmem-names", BREF_LIST, false},
    {"gpios", "#gpio-cells", 0, NULL, BREF_ARGS, false},
    {"gpio", "#gpio-cells", 0, NULL, BREF_ARGS, true}, /* fixed regulators; also a common label */
    {"-gpios", "#gpio-cells", 0, NULL, BREF_ARGS, true},
    {"-gpio", "#gpio-cells", 0, NULL, BREF_ARGS, true},
    {"gpio-ranges", NULL, 3, "gpio-ranges-group-names", BREF_FIXED, false},
    {"-supply", NULL, 0, NULL, BREF_LIST, true},
    {"memory-region", NULL, 0, "memory-region-names", BREF_MEMORY, false},
    {"msi-parent", "#msi-cells", 0, NULL, BREF_MSI, false},
    {"msi-map", NULL, 0, NULL, BREF_IDMAP, false},
    {"remote-endpoint", NULL, 0, NULL, BREF_LINK, false},
    {"leds", NULL, 0, NULL, BREF_LIST, false},
    {"backlight", NULL, 0, NULL, BREF_LIST, false},
    {"phy-handle", NULL, 0, NULL, BREF_LIST, false},
    {"pcs-handle", NULL, 0, NULL, BREF_LIST, false},
    {"i2c-bus", NULL, 0, NULL, BREF_LIST, false},
    {"ddc-i2c-bus", NULL, 0, NULL, BREF_LIST, false},
    {"sram", NULL, 0, NULL, BREF_LIST, false},
    {"operating-points-v2", NULL, 0, NULL, BREF_LIST, false},
    {"interrupt-parent", NULL, 0, NULL, BREF_IRQ, false},
    {"interrupts-extended", NULL, 0, "interrupt-names", BREF_IRQ, false},
    {"interrupt-map", NULL, 0, NULL, BREF_IRQ, false},
    {"iommus", NULL, 0, NULL, BREF_IOMMU, false},
    {"iommu-map", NULL, 0, NULL, BREF_IOMMU, false},
};

static bool is_pinctrl_n(const char *name)
{
    if (strncmp(name, "pinctrl-", 8) || !name[8])
        return false;
    for (const char *p = name + 8; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

static const struct board_ref_rule pinctrl_rule = {"pinctrl-N", NULL, 0, "pinctrl-names", BREF_PINCTRL,
                                                   false};

/* Counts that only look like GPIO references: nr-gpios, snps,nr-gpios,
 * ngpios, gpio-count, and every #...-cells. */
static bool is_count(const char *name)
{
    return name[0] == '#' || strstr(name, "nr-gpio") || strstr(name, "ngpio") ||
           !strcmp(name, "gpio-line-names") || !strcmp(name, "gpio-reserved-ranges");
}

const struct board_ref_rule *board_ref_rule(const char *name)
{
    if (is_pinctrl_n(name))
        return &pinctrl_rule;
    if (is_count(name))
        return NULL;
    size_t nl = strlen(name);
    for (size_t i = 0; i < ARRAY_SIZE(ref_rules); i++) {
        const char *r = ref_rules[i].name;
        size_t rl = strlen(r);
        if (r[0] == '-' ? (nl > rl && !strcmp(name + nl - rl, r)) : !strcmp(name, r))
            return &ref_rules[i];
    }
    return NULL;
}

const char *board_ref_general_cells(const char *name, char *buf, size_t size)
{
    size_t nl = strlen(name);
    if (!nl || is_count(name) || strchr(name, ',') || nl + 8 > size)
        return NULL; /* vendor properties (a ',') follow their own bindings */
    /* The cells of the standard address and interrupt properties are
     * numbers: #address-cells, #size-cells, #interrupt-cells size them. */
    static const char *const numeric[] = {"address", "addresses", "size", "sizes", "interrupt", "interrupts"};
    for (size_t i = 0; i < ARRAY_SIZE(numeric); i++)
        if (!strcmp(name, numeric[i]))
            return NULL;
    if (nl > 1 && name[nl - 1] == 's')
        nl--;
    snprintf(buf, size, "#%.*s-cells", (int)nl, name);
    return buf;
}

/* board_ref_rule and the general rule, remembered per property name (a
 * board has a few hundred distinct names and every node asks). */
static const struct name_rule *ref_rule_cached(struct bload *c, struct scratch *sc, const char *name)
{
    struct name_rule *r = strmap_get(&sc->dep_rules, name);
    if (r)
        return r;
    r = xcalloc(1, sizeof(*r));
    VEC_PUSH(&sc->name_rules, r);
    r->rule = board_ref_rule(name);
    char buf[256];
    const char *g = r->rule ? NULL : board_ref_general_cells(name, buf, sizeof(buf));
    if (g && strmap_get(&sc->cells_names, g))
        r->general_cells = arena_strdup(&c->s->arena, g);
    strmap_put(&sc->dep_rules, name, r);
    return r;
}

/* Every "#...-cells" string of the strings block: the general rule applies
 * only to names some node declares cells for (a cheap filter for the
 * thousands of properties that are no reference). */
static void collect_cells_names(struct bload *c, struct scratch *sc)
{
    const char *s = c->b->dt_strings;
    int sz = fdt_size_dt_strings(c->b->fdt);
    for (int off = 0; off < sz;) {
        const char *str = s + off;
        size_t l = strnlen(str, (size_t)(sz - off));
        if (l > 7 && str[0] == '#' && !strcmp(str + l - 6, "-cells") && off + (int)l < sz)
            strmap_put(&sc->cells_names, str, (void *)str);
        off += (int)l + 1;
    }
}

/* The device behind a pin configuration or nvmem cell node: the nearest
 * node from n upwards with a reg (the pin controller's registers), else the
 * nearest with a compatible (a firmware-driven controller), else n. */
static struct board_node *device_above(struct board_node *n)
{
    struct board_node *compat = NULL;
    for (struct board_node *p = n; p && p->parent; p = p->parent) {
        if (board_has_prop(p, "reg"))
            return p;
        if (!compat && p->compatible)
            compat = p;
    }
    return compat ? compat : n;
}

/* The device an OF graph endpoint belongs to: the nearest node above it
 * with a compatible (endpoint -> port -> ports -> device). */
static struct board_node *graph_device(struct board_node *n)
{
    for (struct board_node *p = n; p && p->parent; p = p->parent)
        if (p->compatible)
            return p;
    return n;
}

/* A property that matched a rule but does not decode: every node one of
 * its cells could name is recorded, so the carving can copy it only when
 * all of them are in the guest, and the checks can say which. */
static void push_undecodable(struct bload *c, struct scratch *sc, const struct board_prop *p,
                             const struct board_ref_rule *r)
{
    for (uint32_t i = 0; i < p->len / 4; i++) {
        uint32_t ph = prop_cell(p, i);
        struct board_node *t = ph ? board_by_phandle(c->b, ph) : NULL;
        if (t)
            push_dep_full(sc, p->name, t, t, r, true);
    }
}

static void node_deps(struct bload *c, struct board_node *n, struct scratch *sc)
{
    /* The nodes of names and paths: their properties are strings. */
    static const char *const string_nodes[] = {"__symbols__", "__fixups__", "__local_fixups__", "aliases"};
    if (n->parent && !n->parent->parent)
        for (size_t i = 0; i < ARRAY_SIZE(string_nodes); i++)
            if (!strcmp(n->name, string_nodes[i]))
                return;
    for (const struct board_node *a = n->parent; a; a = a->parent)
        if (a->parent && !a->parent->parent && !strcmp(a->name, "__local_fixups__"))
            return;
    for (struct board_prop pv = board_prop_first(n); pv.name; pv = board_prop_next(n, pv)) {
        const struct board_prop *p = &pv;
        const struct name_rule *nr = ref_rule_cached(c, sc, p->name);
        const struct board_ref_rule *r = nr->rule;
        const char *cells = NULL;
        bool general = false;
        if (!r && !nr->general_cells)
            continue;
        if (r) {
            if (r->kind == BREF_IRQ || r->kind == BREF_IOMMU)
                continue; /* decoded by node_irqs / node_sids */
            if (r->kind == BREF_ARGS && !strcmp(r->cells, "#gpio-cells") && board_has_prop(n, "gpio-hog"))
                continue; /* a hog's gpios are line numbers of its parent, not phandles */
            cells = r->cells;
        } else {
            /* The general rule: cells that begin with a phandle to a node
             * declaring the matching #<name>-cells. */
            cells = nr->general_cells;
            if (p->len < 4 || p->len % 4)
                continue;
            struct board_node *t0 = board_by_phandle(c->b, prop_cell(p, 0));
            if (!t0 || !board_has_prop(t0, cells))
                continue;
            general = true;
        }
        bool lenient = r ? r->lenient : false;
        if (p->len % 4 || !p->len) {
            if (!lenient)
                node_defect(c, n, "%s is not a list of phandles", p->name);
            continue;
        }
        uint32_t total = p->len / 4, i = 0;
        size_t first = sc->deps.n;
        const char *why = NULL;
        if (r && r->kind == BREF_IDMAP) {
            /* (id-base, phandle, out-base, length), whatever the
             * controller's #msi-cells (Linux of_map_id). */
            for (; i < total && !why; i += 4) {
                struct board_node *t = total - i >= 4 ? board_by_phandle(c->b, prop_cell(p, i + 1)) : NULL;
                if (!t)
                    why = total - i < 4 ? "is cut short" : "names no node";
                else
                    push_dep_full(sc, p->name, t, t, r, false);
            }
            total = 0;
        }
        while (i < total) {
            uint32_t ph = prop_cell(p, i);
            if (ph == 0) { /* an empty entry, as in Linux */
                i++;
                continue;
            }
            struct board_node *t = board_by_phandle(c->b, ph);
            if (!t) {
                why = "names no node";
                break;
            }
            uint32_t args = 0;
            enum board_ref_kind kind = r ? r->kind : BREF_ARGS;
            if (kind == BREF_ARGS || kind == BREF_MSI) {
                if (!board_prop_u32(t, cells, &args)) {
                    if (kind == BREF_ARGS) {
                        why = "has no cells property";
                        break;
                    }
                    args = 0;
                }
            } else if (kind == BREF_FIXED) {
                args = r->fixed;
            }
            if (args > total - i - 1) {
                why = "is cut short";
                break;
            }
            struct board_node *prov = t;
            if (kind == BREF_PINCTRL)
                prov = device_above(t);
            else if (kind == BREF_NVMEM)
                prov = t->parent && t->parent->parent ? device_above(t->parent) : t;
            else if (kind == BREF_LINK)
                prov = graph_device(t);
            push_dep_full(sc, p->name, prov, t, general ? NULL : r, false);
            i += 1 + args;
        }
        if (!why)
            continue;
        sc->deps.n = first;
        if (lenient || general) {
            /* A pattern match that does not decode is no reference, as in
             * Linux (a vendor "-gpio" flag); the cells that happen to be
             * phandles are still recorded so the carving never guesses. */
            push_undecodable(c, sc, p, r);
            continue;
        }
        node_defect(c, n, "%s: entry at cell %u %s (%s)", p->name, i, why, cells ? cells : "phandles");
        push_undecodable(c, sc, p, r);
    }
}

/* ---- DMA masters ---- */

static void node_dma(struct bload *c, struct board_node *n)
{
    const char *why = NULL;
    if (board_has_prop(n, "iommus"))
        why = "iommus";
    else if (board_has_prop(n, "iommu-map"))
        why = "iommu-map";
    else if (board_has_prop(n, "dma-coherent"))
        why = "dma-coherent";
    else if (board_has_prop(n, "#dma-cells"))
        why = "#dma-cells (a DMA controller)";
    if (why) {
        n->dma_master = true;
        n->dma_reason = why;
        return;
    }
    const char *matched = NULL;
    const struct dev_class *cl = board_class_match(c, n, &matched);
    if (cl && cl->dma_master) {
        n->dma_master = true;
        char *r = xasprintf("device class %s (%s)", cl->name, matched);
        n->dma_reason = arena_strdup(&c->s->arena, r);
        free(r);
    }
}

void board_derive(struct bload *c)
{
    struct board *b = c->b;
    struct scratch sc = {0};
    c->s->irq_parent = xcalloc(b->nnodes, sizeof(*c->s->irq_parent));
    c->s->irq_parent_state = xcalloc(b->nnodes, 1);

    find_platform(c);
    collect_cells_names(c, &sc);
    for (uint32_t i = 0; i < b->nnodes; i++)
        node_mmio(c, b->nodes[i], &sc);
    find_cpus(c);
    find_ram(c);
    for (uint32_t i = 0; i < b->nnodes; i++) {
        struct board_node *n = b->nodes[i];
        sc.deps.n = 0;
        node_irqs(c, n, &sc); /* adds interrupt-parent / interrupts-extended deps */
        node_sids(c, n, &sc); /* adds iommus / iommu-map deps */
        node_deps(c, n, &sc);
        ARENA_COPY(c, &sc.deps, n->deps, n->ndeps);
        n->resource_free = !board_has_prop(n, "reg") && !board_has_prop(n, "interrupts") &&
                           !board_has_prop(n, "interrupts-extended");
        node_dma(c, n);
    }

    VEC_FREE(&sc.ranges);
    VEC_FREE(&sc.irqs);
    VEC_FREE(&sc.sids);
    VEC_FREE(&sc.deps);
    strmap_free(&sc.dep_rules);
    strmap_free(&sc.cells_names);
    for (size_t i = 0; i < sc.name_rules.n; i++)
        free(sc.name_rules.v[i]);
    VEC_FREE(&sc.name_rules);
}

/* ---- exported walks ---- */

/* Read from the blob, not kept per node after loading: the carving asks
 * for a few nodes per device. */
uint32_t board_addr_cells(const struct board_node *bus)
{
    uint32_t v;
    return board_prop_u32(bus, "#address-cells", &v) ? v : 2;
}

uint32_t board_size_cells(const struct board_node *bus)
{
    uint32_t v;
    return board_prop_u32(bus, "#size-cells", &v) ? v : 1;
}

bool board_translate(const struct board *b, const struct board_node *bus, uint32_t ac, uint64_t addr,
                     uint32_t hi, uint64_t *out)
{
    struct bload c = {.b = (struct board *)b, .s = b->store};
    struct busaddr a = {.addr = addr, .hi = hi};
    char *why = NULL;
    enum xlate x = translate(&c, bus, ac, &a, false, &why);
    free(why);
    if (x != X_OK)
        return false;
    *out = a.addr;
    return true;
}


static const char *const bus_compat[] = {
    "simple-bus", "simple-pm-bus", "simple-mfd", "isa", "arm,amba-bus", "syscon-bus",
};

bool board_bus_compatible(const char *compat)
{
    for (size_t i = 0; i < ARRAY_SIZE(bus_compat); i++)
        if (!strcmp(compat, bus_compat[i]))
            return true;
    return false;
}

bool board_is_bus(const struct board_node *n)
{
    if (!n->compatible)
        return board_has_prop(n, "ranges") || !n->parent;
    const char *dt = board_prop_str(n, "device_type");
    if (n->pci_host || (dt && (!strcmp(dt, "pci") || !strcmp(dt, "pciex"))))
        return true; /* PCI functions below a host bridge are devices of their own */
    return COMPAT_ANY(n, bus_compat);
}

bool board_has_resources(const struct board_node *n)
{
    return n->nmmio || board_has_prop(n, "interrupts") || board_has_prop(n, "interrupts-extended") ||
           board_has_prop(n, "mboxes");
}

const struct board_node *board_resource_holder(const struct board_node *n)
{
    for (const struct board_node *p = n; p && p->parent; p = p->parent) {
        if (p != n && board_has_prop(p, "ranges"))
            return NULL; /* a bus: what is above is not part of the copy */
        if (board_has_resources(p) || (p->compatible && board_has_prop(p, "reg")))
            return p; /* resources, or a device addressed on its own bus (an I2C expander) */
    }
    return NULL;
}

const struct board_node *board_device_parent(const struct board_node *n)
{
    const struct board_node *p = n->parent;
    if (!p || !p->parent || !p->compatible || board_is_bus(p) || !board_has_resources(p))
        return NULL;
    return p;
}

/* ---- specifiers on demand ---- */

/* The entries of a phandle + #<cells> property (`resets`, `power-domains`
 * ...), decoded by the same rule as the dependency graph, for the stages
 * that need the arguments (the quiesce plan): nothing is stored per node.
 * A malformed property yields the entries before the defect (load already
 * reported it). */
uint32_t board_specifiers(const struct board_node *n, const char *prop, struct board_spec *out,
                          uint32_t max)
{
    const struct board_ref_rule *r = board_ref_rule(prop);
    struct board_prop p = board_prop(n, prop);
    if (!r || r->kind != BREF_ARGS || !r->cells || !p.name || p.len % 4)
        return 0;
    uint32_t total = p.len / 4, i = 0, count = 0;
    while (i < total) {
        uint32_t ph = prop_cell(&p, i), args;
        if (ph == 0) {
            i++;
            continue;
        }
        struct board_node *t = board_by_phandle(n->board, ph);
        if (!t || !board_prop_u32(t, r->cells, &args) || args > total - i - 1)
            break;
        if (count < max)
            out[count] = (struct board_spec){.provider = t, .cells = p.val + 4 * (i + 1), .ncells = args};
        count++;
        i += 1 + args;
    }
    return count;
}

bool board_gic_spec(const struct board *b, const uint8_t *cells, uint32_t ncells, uint32_t *intid,
                    uint32_t *flags)
{
    struct bload c = {.b = (struct board *)b, .s = b->store};
    struct board_irq irq;
    char *why = decode_irq(&c, b->gic.node, cells, ncells, &irq);
    free(why);
    if (why)
        return false;
    *intid = irq.intid;
    *flags = irq.flags;
    return true;
}
