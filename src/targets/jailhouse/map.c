/* targets/jailhouse/map.c — the mapping from a checked system to Jailhouse
 * configurations (docs/jailhouse.md has the table): guests become cells,
 * RAM and device registers memory regions, interrupts irqchip pin bitmaps,
 * stream IDs stream_ids, shared regions with doorbells ivshmem devices.
 * The root cell also holds every resource of the other cells, because
 * Jailhouse creates a cell by taking its resources from the root and gives
 * them back when the cell is destroyed. What the format cannot express is
 * reported at the system file's line; nothing here changes the model. */
#include <inttypes.h>

#include "targets/jailhouse/jailhouse.h"

#define JH_PAGE UINT64_C(0x1000)
/* Where Jailhouse's inmate library expects the communication region
 * (inmates/lib/arm-common/include/inmate.h, COMM_REGION_BASE). */
#define JH_COMM_REGION UINT64_C(0x80000000)
/* ivshmem.c: IVSHMEM_MAX_PEERS. */
#define JH_IVSHMEM_MAX_PEERS 12
/* The GIC's maintenance interrupt when the board's GIC node does not give
 * one: PPI 9, what Arm's SBSA and every board Jailhouse supports use. */
#define JH_DEFAULT_MAINT_IRQ 25
#define JH_MAX_SIDS 4096u

struct jh_map {
    struct dtpass_ctx *ctx;
    struct jh_config *cfg;
    const struct system *sys;
    const struct board *b;
    /* Every board MMIO range, sorted by base: for the sub-page decision and
     * the free window of the virtual PCI host. */
    struct mmio_item { uint64_t lo, hi; const struct board_node *n; } *mmio;
    uint64_t *maxhi; /* maxhi[k]: the furthest end among mmio[0..k] */
    size_t nmmio;
    uint32_t *board_intids; /* every GIC interrupt a board node uses, sorted */
    size_t nintids;
    /* Shared regions with doorbells, in system order: their ivshmem device
     * number on the virtual PCI bus (-1: plain shared memory). */
    int *ivdev;
    uint32_t nivdev;
    bool failed;
    bool quiet;
    struct diag_sink scratch; /* when quiet */
};

static struct diag *report(struct jh_map *m, const char *id, struct srcpos pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static struct diag *report(struct jh_map *m, const char *id, struct srcpos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    /* Quiet: the findings (with the notes and fixes callers add) go to a
     * scratch sink; the check already reported them. */
    struct diag *d = diag_report(m->quiet ? &m->scratch : &m->ctx->diag, id, pos, "%s", msg);
    free(msg);
    if (diag_severity(&m->ctx->diag, id) == SEV_ERROR)
        m->failed = true;
    return d;
}

static const char *keep(struct jh_cell *c, char *s)
{
    VEC_PUSH(&c->strings, s);
    return s;
}

static uint64_t page_down(uint64_t v) { return v & ~(JH_PAGE - 1); }

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}
static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}
static int mmio_cmp(const void *a, const void *b)
{
    const struct mmio_item *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo ? 1 : (x->n->index > y->n->index) - (x->n->index < y->n->index);
}

/* --- the board's address map and interrupt lines ------------------------ */

static void index_board(struct jh_map *m)
{
    const struct board *b = m->b;
    VEC(struct mmio_item) v = {0};
    VEC(uint32_t) irq = {0};
    for (uint32_t i = 0; i < b->nnodes; i++) {
        const struct board_node *n = b->nodes[i];
        for (uint32_t r = 0; r < n->nmmio; r++) {
            uint64_t hi;
            if (range_end(n->mmio[r].base, n->mmio[r].size, &hi))
                VEC_PUSH(&v, ((struct mmio_item){n->mmio[r].base, hi, n}));
        }
        for (uint32_t k = 0; k < n->nirqs; k++)
            if (n->irqs[k].gic && n->irqs[k].intid >= 32)
                VEC_PUSH(&irq, n->irqs[k].intid);
    }
    if (v.n)
        qsort(v.v, v.n, sizeof(*v.v), mmio_cmp);
    if (irq.n)
        qsort(irq.v, irq.n, sizeof(*irq.v), u32_cmp);
    m->mmio = v.v, m->nmmio = v.n;
    m->maxhi = xmalloc((v.n ? v.n : 1) * sizeof(*m->maxhi));
    for (size_t k = 0; k < v.n; k++)
        m->maxhi[k] = k && m->maxhi[k - 1] > v.v[k].hi ? m->maxhi[k - 1] : v.v[k].hi;
    m->board_intids = irq.v, m->nintids = irq.n;
}

static bool related(const struct board_node *a, const struct board_node *b)
{
    for (const struct board_node *p = a; p; p = p->parent)
        if (p == b)
            return true;
    for (const struct board_node *p = b; p; p = p->parent)
        if (p == a)
            return true;
    return false;
}

/* Whether [lo, hi] holds registers of a board node that is not n, nor
 * one of its ancestors or descendants. The list is sorted by base; the walk
 * back over ranges that start before the page stops as soon as no earlier
 * range reaches it (maxhi), so a query costs the ranges near the page. */
static bool page_has_other(const struct jh_map *m, const struct board_node *n, uint64_t lo, uint64_t hi)
{
    size_t l = 0, h = m->nmmio;
    while (l < h) { /* first range starting after hi */
        size_t mid = l + (h - l) / 2;
        if (m->mmio[mid].lo <= hi)
            l = mid + 1;
        else
            h = mid;
    }
    /* Ranges that start within the page. */
    for (size_t k = l; k-- > 0 && m->mmio[k].lo >= lo;)
        if (!related(m->mmio[k].n, n))
            return true;
    /* Ranges that start before the page and reach into it. */
    for (size_t k = l; k-- > 0 && m->maxhi[k] >= lo;) {
        if (m->mmio[k].lo >= lo)
            continue;
        if (m->mmio[k].hi >= lo && !related(m->mmio[k].n, n))
            return true;
    }
    return false;
}

static bool board_intid_used(const struct jh_map *m, uint32_t intid)
{
    return m->nintids && bsearch(&intid, m->board_intids, m->nintids, sizeof(uint32_t), u32_cmp);
}

/* --- consoles ----------------------------------------------------------- */

/* The UARTs Jailhouse's debug-console drivers drive (console.h), by the
 * compatible strings of their Linux bindings. */
static const struct {
    const char *compatible;
    uint16_t type;
    bool regdist4; /* registers 4 bytes apart (else from reg-shift) */
} uarts[] = {
    {"arm,pl011", 0x0003, true},         /* JAILHOUSE_CON_TYPE_PL011 */
    {"arm,sbsa-uart", 0x0003, true},
    {"xlnx,xuartps", 0x0004, true},      /* JAILHOUSE_CON_TYPE_XUARTPS */
    {"cdns,uart-r1p12", 0x0004, true},
    {"cdns,uart-r1p8", 0x0004, true},
    {"ns16550a", 0x0002, false},         /* JAILHOUSE_CON_TYPE_8250 */
    {"ns16550", 0x0002, false},
    {"ns8250", 0x0002, false},
    {"snps,dw-apb-uart", 0x0002, false},
    {"ti,am654-uart", 0x0002, false},
    {"ti,j721e-uart", 0x0002, false},
    {"fsl,imx6q-uart", 0x0008, true},    /* JAILHOUSE_CON_TYPE_IMX */
    {"fsl,imx8qm-lpuart", 0x0009, true}, /* JAILHOUSE_CON_TYPE_IMX_LPUART */
};

static bool console_of(const struct board_node *n, uint64_t address, struct jh_console *out)
{
    for (size_t i = 0; i < ARRAY_SIZE(uarts); i++) {
        if (!board_prop_has_str(n, "compatible", uarts[i].compatible))
            continue;
        uint32_t shift = 0;
        bool four = uarts[i].regdist4 || (board_prop_u32(n, "reg-shift", &shift) && shift == 2);
        *out = (struct jh_console){0};
        out->address = address;
        out->size = (uint32_t)JH_PAGE;
        out->type = uarts[i].type;
        out->flags = (uint16_t)(JAILHOUSE_CON_ACCESS_MMIO | (four ? JAILHOUSE_CON_REGDIST_4 : 0));
        return true;
    }
    return false;
}

/* --- cells -------------------------------------------------------------- */

static void add_region(struct jh_cell *c, uint64_t phys, uint64_t virt, uint64_t size, uint64_t flags,
                       const char *what)
{
    struct jh_region *r = VEC_ADD(&c->mem);
    r->m.phys_start = phys;
    r->m.virt_start = virt;
    r->m.size = size;
    r->m.flags = flags;
    r->what = what;
}

static void add_cpus(struct jh_cell *c, const struct sys_guest *g)
{
    for (size_t i = 0; i < g->cpus.n; i++) {
        uint32_t cpu = g->cpus.v[i].index;
        size_t word = cpu / 64;
        while (c->cpus.n <= word)
            VEC_PUSH(&c->cpus, 0);
        c->cpus.v[word] |= 1ull << (cpu % 64);
    }
}

/* One device region before merging: page-granular unless sub-page. */
struct devreg {
    uint64_t phys, virt, size;
    bool subpage;
    const char *what;
};

typedef VEC(struct devreg) devreg_vec;

static int devreg_cmp(const void *a, const void *b)
{
    const struct devreg *x = a, *y = b;
    return x->phys < y->phys ? -1 : x->phys > y->phys;
}

static void device_regions(struct jh_map *m, struct jh_cell *c, const struct sys_guest *g, bool identity,
                           devreg_vec *out)
{
    for (size_t d = 0; d < g->devices.n; d++) {
        const struct sys_device *dev = &g->devices.v[d];
        if (!dev->ref.node)
            continue;
        for (size_t r = 0; r < dev->regs.n; r++) {
            const struct res_reg *rr = &dev->regs.v[r];
            uint64_t last;
            if (!rr->size || !range_end(rr->pa, rr->size, &last))
                continue;
            uint64_t ipa = identity ? rr->pa : rr->ipa;
            uint64_t plo = page_down(rr->pa), phi = page_down(last) + JH_PAGE - 1;
            bool partial = (rr->pa & (JH_PAGE - 1)) || ((last + 1) & (JH_PAGE - 1));
            struct devreg dr;
            if (partial && page_has_other(m, dev->ref.node, plo, phi)) {
                /* The rest of the page belongs to other devices: give only
                 * the registers, trapped and forwarded by Jailhouse. */
                dr = (struct devreg){rr->pa, ipa, rr->size, true, NULL};
            } else {
                dr = (struct devreg){plo, ipa - (rr->pa - plo), phi - plo + 1, false, NULL};
            }
            dr.what = keep(c, xstrdup(dev->ref.node->path));
            VEC_PUSH(out, dr);
        }
    }
}

/* Sorts device regions and merges those that overlap (regs of one device,
 * or devices of one cell, in one page). */
static void merge_device_regions(struct jh_map *m, struct jh_cell *c, devreg_vec *v,
                                 struct srcpos pos)
{
    if (!v->n)
        return;
    qsort(v->v, v->n, sizeof(*v->v), devreg_cmp);
    size_t w = 0;
    for (size_t i = 1; i < v->n; i++) {
        struct devreg *a = &v->v[w], *b = &v->v[i];
        uint64_t aend = a->phys + a->size;
        if (b->phys < aend || (!a->subpage && !b->subpage && b->phys == aend)) {
            if (b->virt - b->phys != a->virt - a->phys) {
                report(m, "jailhouse-inexpressible", pos,
                       "%s and %s share the page 0x%" PRIx64 " but are placed at different guest "
                       "addresses in cell '%s': a Jailhouse memory region maps one range",
                       a->what, b->what, page_down(b->phys), c->desc.name);
                continue;
            }
            uint64_t bend = b->phys + b->size;
            if (bend > aend)
                a->size = bend - a->phys;
            a->subpage = (a->phys | a->size) & (JH_PAGE - 1);
            if (strcmp(a->what, b->what))
                a->what = keep(c, xasprintf("%s, %s", a->what, b->what));
            continue;
        }
        v->v[++w] = *b;
    }
    v->n = w + 1;
    for (size_t i = 0; i < v->n; i++) {
        const struct devreg *r = &v->v[i];
        uint64_t flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE | JAILHOUSE_MEM_IO;
        if (r->subpage)
            flags |= JAILHOUSE_MEM_IO_8 | JAILHOUSE_MEM_IO_16 | JAILHOUSE_MEM_IO_32 | JAILHOUSE_MEM_IO_64;
        add_region(c, r->phys, r->virt, r->size, flags, r->what);
    }
}

static void irq_set(struct jh_cell *c, uint32_t intid)
{
    /* Blocks of 128 pins from INTID 32; the last block starts at 896 so that
     * pin_base + 128 stays within Jailhouse's 1024 (irqchip_cell_init). */
    uint32_t base = 32 + (intid - 32) / 128 * 128;
    if (base + 128 > 1024)
        base = 896;
    size_t k;
    for (k = 0; k < c->irqchips.n && c->irqchips.v[k].pin_base != base; k++)
        ;
    if (k == c->irqchips.n) {
        struct jh_irqchip *ic = VEC_ADD(&c->irqchips);
        ic->pin_base = base;
    }
    uint32_t bit = intid - base;
    c->irqchips.v[k].pin_bitmap[bit / 32] |= 1u << (bit % 32);
}

static int irqchip_cmp(const void *a, const void *b)
{
    const struct jh_irqchip *x = a, *y = b;
    return x->pin_base < y->pin_base ? -1 : x->pin_base > y->pin_base;
}

static void device_irqs(struct jh_cell *c, const struct sys_guest *g)
{
    for (size_t d = 0; d < g->devices.n; d++) {
        const struct sys_device *dev = &g->devices.v[d];
        for (size_t i = 0; i < dev->rirqs.n; i++) {
            const struct res_irq *ri = &dev->rirqs.v[i];
            if (ri->pintid < 32 || ri->pintid >= 1020)
                continue; /* SGIs and PPIs: every cell has its own CPUs' */
            if (ri->vintid != ri->pintid)
                continue; /* reported by the remap check */
            irq_set(c, ri->pintid);
        }
    }
}

/* own: g is the cell's own guest (not another cell's, listed in the
 * root): only then are the problems reported, once per device. */
static void device_sids(struct jh_map *m, struct jh_cell *c, const struct sys_guest *g, bool own)
{
    for (size_t d = 0; d < g->devices.n; d++) {
        const struct sys_device *dev = &g->devices.v[d];
        for (size_t i = 0; i < dev->rsids.n; i++) {
            const struct res_sid *rs = &dev->rsids.v[i];
            bool v2 = rs->smmu && rs->smmu->version == SMMU_V2;
            uint32_t count = rs->count ? rs->count : 1;
            if (count > JH_MAX_SIDS || c->sids.n + count > JH_MAX_SIDS) {
                if (own)
                    report(m, "jailhouse-inexpressible", dev->ref.pos,
                       "%s needs %" PRIu32 " stream IDs: more than the %u dtpass lists in one "
                       "Jailhouse cell",
                       dev->ref.node ? dev->ref.node->path : dev->ref.text, count, JH_MAX_SIDS);
                return;
            }
            if (v2) {
                c->mmu500 = true;
                /* MMU-500 entries are 15-bit id/mask pairs; a run of
                 * count IDs becomes aligned power-of-two blocks. */
                uint32_t sid = rs->sid, left = count;
                while (left) {
                    uint32_t blk = 1;
                    while (blk * 2 <= left && !(sid & (blk * 2 - 1)))
                        blk *= 2;
                    uint32_t mask = (blk - 1) | rs->mask;
                    if (sid > 0x7fff || mask > 0x7fff) {
                        if (own)
                            report(m, "jailhouse-inexpressible", dev->ref.pos,
                               "stream ID 0x%" PRIx32 " (mask 0x%" PRIx32 ") of %s does not fit "
                               "the 15-bit id and mask_out of Jailhouse's MMU-500 stream IDs",
                               sid, mask, dev->ref.node ? dev->ref.node->path : dev->ref.text);
                        return;
                    }
                    VEC_PUSH(&c->sids, (sid & ~mask) | (mask << 16));
                    sid += blk;
                    left -= blk;
                }
            } else {
                for (uint32_t k = 0; k < count; k++)
                    VEC_PUSH(&c->sids, rs->sid + k);
            }
        }
    }
}

/* Removes duplicates (the root lists every cell's IDs) and sorts. */
static void sort_sids(struct jh_cell *c)
{
    if (c->sids.n < 2)
        return;
    qsort(c->sids.v, c->sids.n, sizeof(uint32_t), u32_cmp);
    size_t w = 0;
    for (size_t i = 1; i < c->sids.n; i++)
        if (c->sids.v[i] != c->sids.v[w])
            c->sids.v[++w] = c->sids.v[i];
    c->sids.n = w + 1;
}

/* The shared regions a guest is a peer of: ivshmem (state table, the
 * read/write section, one empty output section per peer) or plain shared
 * memory. ROOTSHARED keeps a region the root shares mapped in the root
 * when the cell is created. */
static void shared_regions(struct jh_map *m, struct jh_cell *c, uint32_t gi, bool is_root)
{
    const struct system *s = m->sys;
    for (size_t i = 0; i < s->shared.n; i++) {
        const struct sys_shared *sh = &s->shared.v[i];
        int peer = -1;
        bool root_peer = false;
        for (size_t p = 0; p < sh->peers.n; p++) {
            if (sh->peers.v[p].guest_index == (int)gi)
                peer = (int)p;
            if (sh->peers.v[p].guest_index == (int)m->cfg->root)
                root_peer = true;
        }
        if (peer < 0)
            continue;
        const struct sys_peer *p = &sh->peers.v[peer];
        uint64_t rs = !is_root && root_peer ? JAILHOUSE_MEM_ROOTSHARED : 0;
        uint64_t rw = p->access == SHM_RW ? JAILHOUSE_MEM_WRITE : 0;
        uint64_t ipa = is_root ? sh->base : p->ipa;
        if (m->ivdev[i] < 0) {
            add_region(c, sh->base, ipa, sh->size, JAILHOUSE_MEM_READ | rw | rs,
                       keep(c, xasprintf("shared memory %s", sh->name)));
            continue;
        }
        struct jh_pcidev *pd = VEC_ADD(&c->pci);
        pd->d.type = (uint8_t)JAILHOUSE_PCI_TYPE_IVSHMEM;
        pd->d.domain = 0;
        pd->d.bdf = (uint16_t)(m->ivdev[i] << 3);
        pd->d.bar_mask[0] = 0xfffff000; /* JAILHOUSE_IVSHMEM_BAR_MASK_INTX */
        pd->d.shmem_regions_start = (uint32_t)c->mem.n;
        pd->d.shmem_dev_id = (uint8_t)peer;
        pd->d.shmem_peers = (uint8_t)sh->peers.n;
        pd->d.shmem_protocol = (uint16_t)JAILHOUSE_SHMEM_PROTO_UNDEFINED;
        pd->what = keep(c, xasprintf("IVSHMEM 00:%02x.0 (%s)", m->ivdev[i], sh->name));
        add_region(c, sh->base, ipa, JH_PAGE, JAILHOUSE_MEM_READ | rs,
                   keep(c, xasprintf("%s: state table", sh->name)));
        add_region(c, sh->base + JH_PAGE, ipa + JH_PAGE, sh->size - JH_PAGE,
                   JAILHOUSE_MEM_READ | rw | rs, keep(c, xasprintf("%s: read/write section", sh->name)));
        for (size_t k = 0; k < sh->peers.n; k++)
            add_region(c, 0, 0, 0, 0, k ? NULL : keep(c, xasprintf("%s: no output sections", sh->name)));
    }
}

/* The ivshmem devices: one per shared region with a doorbell, numbered in
 * system order; Jailhouse raises device d's INTx at INTID 32 +
 * vpci_irq_base + (d & 3) (arch/arm-common/ivshmem.c), so each cell's
 * doorbells fix its vpci_irq_base. */
static void plan_ivshmem(struct jh_map *m)
{
    const struct system *s = m->sys;
    m->ivdev = xcalloc(s->shared.n + 1, sizeof(*m->ivdev));
    for (size_t i = 0; i < s->shared.n; i++) {
        const struct sys_shared *sh = &s->shared.v[i];
        m->ivdev[i] = -1;
        size_t bells = 0;
        for (size_t p = 0; p < sh->peers.n; p++)
            bells += sh->peers.v[p].has_doorbell;
        if (!bells)
            continue;
        if (bells != sh->peers.n) {
            for (size_t p = 0; p < sh->peers.n; p++)
                if (!sh->peers.v[p].has_doorbell)
                    report(m, "jailhouse-inexpressible", sh->peers.v[p].pos,
                           "shared region %s has doorbells, so Jailhouse makes it an ivshmem "
                           "device, which interrupts every peer: give %s a doorbell too",
                           sh->name, sh->peers.v[p].guest);
            continue;
        }
        if (sh->peers.n > JH_IVSHMEM_MAX_PEERS) {
            report(m, "jailhouse-inexpressible", sh->pos,
                   "shared region %s has %zu peers; a Jailhouse ivshmem device connects at most %d",
                   sh->name, sh->peers.n, JH_IVSHMEM_MAX_PEERS);
            continue;
        }
        if (sh->size < 2 * JH_PAGE) {
            report(m, "jailhouse-inexpressible", sh->size_pos,
                   "shared region %s is an ivshmem device: it needs a 4 KiB state table and a "
                   "read/write section, at least 8 KiB",
                   sh->name);
            continue;
        }
        if (m->nivdev == 32) {
            report(m, "jailhouse-inexpressible", sh->pos,
                   "more than 32 shared regions with doorbells: Jailhouse's virtual PCI bus 0 "
                   "has 32 device slots");
            continue;
        }
        m->ivdev[i] = (int)m->nivdev++;
    }
}

static void cell_vpci(struct jh_map *m, struct jh_cell *c, uint32_t gi)
{
    const struct system *s = m->sys;
    bool have = false;
    const struct sys_peer *first = NULL;
    const char *first_region = NULL;
    for (size_t i = 0; i < s->shared.n; i++) {
        if (m->ivdev[i] < 0)
            continue;
        const struct sys_shared *sh = &s->shared.v[i];
        for (size_t p = 0; p < sh->peers.n; p++) {
            const struct sys_peer *pe = &sh->peers.v[p];
            if (pe->guest_index != (int)gi)
                continue;
            uint32_t pin = (uint32_t)m->ivdev[i] & 3;
            uint32_t intid = pe->doorbell + 32;
            if (pe->doorbell < pin) {
                report(m, "jailhouse-inexpressible", pe->doorbell_pos,
                       "ivshmem device 00:%02x.0 (%s) raises vpci_irq_base + %" PRIu32
                       ": its doorbell cannot be SPI %" PRIu32,
                       m->ivdev[i], sh->name, pin, pe->doorbell);
                continue;
            }
            if (!have) {
                have = true;
                first = pe;
                first_region = sh->name;
                c->desc.vpci_irq_base = pe->doorbell - pin;
            } else if (c->desc.vpci_irq_base + pin != pe->doorbell) {
                struct diag *d = report(
                    m, "jailhouse-inexpressible", pe->doorbell_pos,
                    "cell '%s' has one vpci_irq_base (%" PRIu32 ", from the doorbell of %s), so "
                    "ivshmem device 00:%02x.0 (%s) rings SPI %" PRIu32 ", not SPI %" PRIu32,
                    c->desc.name, c->desc.vpci_irq_base, first_region, m->ivdev[i], sh->name,
                    c->desc.vpci_irq_base + pin, pe->doorbell);
                diag_note(d, first->doorbell_pos, NULL, "the first doorbell of the cell");
                diag_fix(d, "give doorbell SPI %" PRIu32, c->desc.vpci_irq_base + pin);
                continue;
            }
            if (board_intid_used(m, intid))
                report(m, "jailhouse-doorbell", pe->doorbell_pos,
                       "doorbell SPI %" PRIu32 " of %s in %s is an interrupt line of a board "
                       "device; Jailhouse raises ivshmem interrupts by setting the physical SPI "
                       "pending, so the line must be unused",
                       pe->doorbell, sh->name, pe->guest);
            irq_set(c, intid);
        }
    }
}

static void check_guest(struct jh_map *m, uint32_t gi, bool is_root)
{
    const struct sys_guest *g = &m->sys->guests.v[gi];
    if (strlen(g->name) > 31)
        report(m, "jailhouse-inexpressible", g->name_pos,
               "guest name '%s' is longer than Jailhouse's 31-character cell names", g->name);
    for (size_t d = 0; d < g->devices.n; d++) {
        const struct sys_device *dev = &g->devices.v[d];
        if (dev->ref.node && dev->ref.node->pci_host)
            report(m, "jailhouse-inexpressible", dev->ref.pos,
                   "%s is a PCI host bridge: Jailhouse wants its ECAM as the system's "
                   "pci_mmconfig_base and every PCI function behind it in pci_devices, which "
                   "dtpass does not write",
                   dev->ref.node->path);
        for (size_t i = 0; i < dev->irqs.n; i++)
            if (dev->irqs.v[i].phys != dev->irqs.v[i].virt)
                report(m, "jailhouse-inexpressible", dev->irqs.v[i].pos,
                       "Jailhouse passes interrupts through with their physical number: SPI %" PRIu32
                       " cannot appear as SPI %" PRIu32 " in %s",
                       dev->irqs.v[i].phys, dev->irqs.v[i].virt, g->name);
        if (is_root && dev->has_ipa && dev->regs.n && dev->regs.v[0].ipa != dev->regs.v[0].pa)
            report(m, "jailhouse-inexpressible", dev->ipa_pos,
                   "%s is the root cell, which Jailhouse maps 1:1: its devices keep their "
                   "physical address",
                   g->name);
    }
    if (is_root) {
        for (size_t i = 0; i < g->memory.n; i++)
            if (g->memory.v[i].ipa != g->memory.v[i].base)
                report(m, "jailhouse-inexpressible", g->memory.v[i].ipa_pos,
                       "%s is the root cell, which Jailhouse maps 1:1: its memory cannot move "
                       "to guest address 0x%" PRIx64,
                       g->name, g->memory.v[i].ipa);
        for (size_t i = 0; i < m->sys->shared.n; i++) {
            const struct sys_shared *sh = &m->sys->shared.v[i];
            for (size_t p = 0; p < sh->peers.n; p++)
                if (sh->peers.v[p].guest_index == (int)gi && sh->peers.v[p].ipa != sh->base)
                    report(m, "jailhouse-inexpressible", sh->peers.v[p].pos,
                           "%s is the root cell, which Jailhouse maps 1:1: it sees %s at 0x%" PRIx64,
                           g->name, sh->name, sh->base);
        }
    }
}

static uint64_t reset_address(const struct sys_guest *g)
{
    if (g->kernel.file)
        for (size_t i = 0; i < g->memory.n; i++) {
            const struct sys_mem *mm = &g->memory.v[i];
            if (g->kernel.load >= mm->base && g->kernel.load - mm->base < mm->size)
                return mm->ipa + (g->kernel.load - mm->base);
        }
    return g->memory.n ? g->memory.v[0].ipa : 0;
}

static void build_cell(struct jh_map *m, struct jh_cell *c, uint32_t gi)
{
    const struct system *s = m->sys;
    const struct sys_guest *g = &s->guests.v[gi];
    bool is_root = gi == m->cfg->root;
    c->guest = gi;
    c->root = is_root;
    snprintf(c->desc.name, sizeof(c->desc.name), "%s", g->name);
    if (!is_root) {
        memcpy(c->desc.signature, JAILHOUSE_CELL_DESC_SIGNATURE, sizeof(c->desc.signature));
        c->desc.architecture = (uint8_t)JAILHOUSE_ARM64;
        c->desc.revision = (uint16_t)JAILHOUSE_CONFIG_REVISION;
        /* The cell's OS need not speak Jailhouse's message protocol. */
        c->desc.flags = (uint32_t)JAILHOUSE_CELL_PASSIVE_COMMREG;
        c->desc.cpu_reset_address = reset_address(g);
    }
    check_guest(m, gi, is_root);

    /* CPUs: the root's set holds every cell's, which Jailhouse takes. */
    for (uint32_t o = 0; o < s->guests.n; o++)
        if (o == gi || is_root)
            add_cpus(c, &s->guests.v[o]);
    if (!c->cpus.n)
        VEC_PUSH(&c->cpus, 0);

    /* RAM. */
    for (uint32_t o = 0; o < s->guests.n; o++) {
        if (o != gi && !is_root)
            continue;
        const struct sys_guest *og = &s->guests.v[o];
        for (size_t i = 0; i < og->memory.n; i++) {
            const struct sys_mem *mm = &og->memory.v[i];
            uint64_t flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE | JAILHOUSE_MEM_EXECUTE |
                             JAILHOUSE_MEM_DMA;
            if (!is_root)
                flags |= JAILHOUSE_MEM_LOADABLE;
            add_region(c, mm->base, is_root ? mm->base : mm->ipa, mm->size, flags,
                       o == gi ? "RAM" : keep(c, xasprintf("RAM of cell %s", og->name)));
        }
    }
    shared_regions(m, c, gi, is_root);

    devreg_vec dv = {0};
    for (uint32_t o = 0; o < s->guests.n; o++)
        if (o == gi || is_root)
            device_regions(m, c, &s->guests.v[o], is_root, &dv);
    merge_device_regions(m, c, &dv, g->pos);
    VEC_FREE(&dv);

    if (!is_root) {
        for (size_t i = 0; i < c->mem.n; i++) {
            const struct jh_memory *r = &c->mem.v[i].m;
            if (r->size && ranges_overlap(r->virt_start, r->size, JH_COMM_REGION, JH_PAGE)) {
                report(m, "jailhouse-inexpressible", g->pos,
                       "cell '%s' uses guest address 0x%" PRIx64 ", where Jailhouse's inmate "
                       "library expects the communication region",
                       g->name, JH_COMM_REGION);
                break;
            }
        }
        add_region(c, 0, JH_COMM_REGION, JH_PAGE,
                   JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE | JAILHOUSE_MEM_COMM_REGION,
                   "communication region");
        /* The inmate console: the UART of `stdout:` when Jailhouse knows it. */
        const struct board_node *so = g->stdout_ref.node;
        for (size_t d = 0; so && d < g->devices.n; d++) {
            const struct sys_device *dev = &g->devices.v[d];
            if (dev->ref.node == so && dev->regs.n)
                console_of(so, dev->regs.v[0].ipa, &c->desc.console);
        }
        if (c->desc.console.type)
            c->desc.console.size = 0; /* an inmate's console names only the UART */
    }

    for (uint32_t o = 0; o < s->guests.n; o++)
        if (o == gi || is_root)
            device_irqs(c, &s->guests.v[o]);
    cell_vpci(m, c, gi);
    for (size_t i = 0; i < c->irqchips.n; i++)
        c->irqchips.v[i].address = m->cfg->sys.platform_info.arm.gicd_base;
    if (c->irqchips.n > 1)
        qsort(c->irqchips.v, c->irqchips.n, sizeof(*c->irqchips.v), irqchip_cmp);

    for (uint32_t o = 0; o < s->guests.n; o++)
        if (o == gi || is_root)
            device_sids(m, c, &s->guests.v[o], o == gi);
    sort_sids(c);

    c->desc.cpu_set_size = (uint32_t)(c->cpus.n * 8);
    c->desc.num_memory_regions = (uint32_t)c->mem.n;
    c->desc.num_irqchips = (uint32_t)c->irqchips.n;
    c->desc.num_pci_devices = (uint32_t)c->pci.n;
    c->desc.num_stream_ids = (uint32_t)c->sids.n;
}

/* --- the system --------------------------------------------------------- */

static void platform(struct jh_map *m)
{
    const struct board *b = m->b;
    const struct system *s = m->sys;
    struct jh_system *sys = &m->cfg->sys;
    struct jh_arm_info *arm = &sys->platform_info.arm;
    const struct board_node *gic = b->gic.node;
    if (!gic || gic->nmmio < 2 || (b->gic.version != 2 && b->gic.version != 3)) {
        report(m, "jailhouse-inexpressible", s->version_pos,
               "Jailhouse on arm64 needs a GICv2 or GICv3 with its distributor and %s in the "
               "board",
               b->gic.version == 2 ? "CPU interface" : "redistributors");
        return;
    }
    arm->gic_version = (uint8_t)b->gic.version;
    arm->gicd_base = gic->mmio[0].base;
    if (b->gic.version == 3) {
        arm->gicr_base = gic->mmio[1].base;
    } else if (gic->nmmio >= 4) {
        /* A GIC-400 wired with 64 KiB-aligned frames (ZynqMP) shows a
         * 128 KiB CPU-interface window whose 4 KiB pages repeat every
         * 64 KiB; the two pages Jailhouse uses are contiguous only from
         * offset 0xf000, which is also where Linux's GIC driver looks
         * (gic_check_eoimode) and what Jailhouse's zynqmp-zcu102.c says. */
        uint64_t alias = gic->mmio[1].size == 0x20000 ? 0xf000 : 0;
        arm->gicc_base = gic->mmio[1].base + alias;
        arm->gich_base = gic->mmio[2].base;
        arm->gicv_base = gic->mmio[3].base + (gic->mmio[3].size == 0x20000 ? 0xf000 : 0);
    } else {
        report(m, "jailhouse-inexpressible", s->version_pos,
               "the board's GICv2 %s has no virtual interface (GICH, GICV) in its reg; Jailhouse "
               "needs both",
               gic->path);
    }
    arm->maintenance_irq = JH_DEFAULT_MAINT_IRQ;
    if (gic->nirqs && gic->irqs[0].intid >= 16 && gic->irqs[0].intid < 32)
        arm->maintenance_irq = (uint8_t)gic->irqs[0].intid;

    uint32_t nunits = 0;
    bool v3 = false, mmu500 = false;
    for (uint32_t i = 0; i < b->nsmmus; i++) {
        const struct board_smmu *sm = &b->smmus[i];
        const struct board_node *n = sm->node;
        uint32_t type;
        if (sm->version == SMMU_V3)
            type = (uint32_t)JAILHOUSE_IOMMU_SMMUV3, v3 = true;
        else if (board_prop_has_str(n, "compatible", "arm,mmu-500"))
            type = (uint32_t)JAILHOUSE_IOMMU_ARM_MMU500, mmu500 = true;
        else {
            report(m, "jailhouse-inexpressible", s->version_pos,
                   "%s is an SMMUv2 other than the MMU-500, which Jailhouse has no driver for",
                   n->path);
            continue;
        }
        if (!n->nmmio || n->mmio[0].size > UINT32_MAX)
            continue;
        if (nunits == 8) {
            report(m, "jailhouse-inexpressible", s->version_pos,
                   "the board has more than Jailhouse's 8 IOMMU units");
            break;
        }
        struct jh_iommu *u = &sys->platform_info.iommu_units[nunits++];
        u->type = type;
        u->base = n->mmio[0].base;
        u->size = (uint32_t)n->mmio[0].size;
    }
    if (v3 && mmu500)
        report(m, "jailhouse-inexpressible", s->version_pos,
               "the board has SMMUv3 and MMU-500 units; Jailhouse's stream_ids entries would be "
               "read by both drivers in two different layouts");
}

static void console(struct jh_map *m)
{
    const struct system *s = m->sys;
    for (size_t i = 0; i < s->hyp_devices.n; i++) {
        const struct board_node *n = s->hyp_devices.v[i].node;
        if (n && n->nmmio && console_of(n, n->mmio[0].base, &m->cfg->sys.debug_console))
            return;
    }
    report(m, "jailhouse-console", s->hyp_devices.n ? s->hyp_devices.v[0].pos : s->version_pos,
           "the hypervisor keeps no UART Jailhouse can drive (PL011, 8250, XUARTPS, i.MX), so the "
           "system configuration has no debug console");
}

/* The virtual PCI host of the ivshmem devices: its ECAM window for bus 0
 * (1 MiB) and, right after it, the BARs (2 pages per device, what
 * Jailhouse's driver gives the root cell, driver/pci.c). It must lie below
 * 4 GiB (32-bit memory space) where no board device, no RAM and no cell
 * region is: the highest such 1 MiB-aligned window. */
static void vpci_window(struct jh_map *m)
{
    if (!m->nivdev)
        return;
    const struct system *s = m->sys;
    uint64_t need = (1ull << 20) + (uint64_t)m->nivdev * 2 * JH_PAGE;
    VEC(uint64_t) busy = {0}; /* pairs lo, hi */
#define BUSY(lo_, size_)                                                  \
    do {                                                                  \
        uint64_t hi_;                                                     \
        if ((size_) && range_end((lo_), (size_), &hi_)) {                 \
            VEC_PUSH(&busy, (lo_));                                       \
            VEC_PUSH(&busy, hi_);                                         \
        }                                                                 \
    } while (0)
    for (size_t i = 0; i < m->nmmio; i++)
        BUSY(m->mmio[i].lo, m->mmio[i].hi - m->mmio[i].lo + 1);
    for (uint32_t i = 0; i < m->b->nram; i++)
        BUSY(m->b->ram[i].base, m->b->ram[i].size);
    for (size_t i = 0; i < s->hyp_memory.n; i++)
        BUSY(s->hyp_memory.v[i].base, s->hyp_memory.v[i].size);
    for (size_t c = 0; c < m->cfg->ncells; c++)
        for (size_t i = 0; i < m->cfg->cells[c].mem.n; i++) {
            const struct jh_memory *r = &m->cfg->cells[c].mem.v[i].m;
            BUSY(r->phys_start, r->size);
            BUSY(r->virt_start, r->size);
        }
#undef BUSY
    /* Sort the intervals by start, merge them into disjoint ones, then
     * walk the gaps down from 4 GiB. */
    size_t n = busy.n / 2;
    struct ival { uint64_t lo, hi; } *iv = (struct ival *)xmalloc((n ? n : 1) * sizeof(*iv));
    for (size_t i = 0; i < n; i++)
        iv[i] = (struct ival){busy.v[2 * i], busy.v[2 * i + 1]};
    VEC_FREE(&busy);
    qsort(iv, n, sizeof(*iv), u64_cmp); /* lo is the first member */
    size_t w = 0;
    for (size_t i = 1; i < n; i++) {
        if (iv[i].lo <= iv[w].hi || iv[i].lo == iv[w].hi + 1) {
            if (iv[i].hi > iv[w].hi)
                iv[w].hi = iv[i].hi;
        } else {
            iv[++w] = iv[i];
        }
    }
    if (n)
        n = w + 1;
    const uint64_t top = 1ull << 32, mib = 1ull << 20;
    uint64_t found = 0;
    bool ok = false;
    for (size_t k = n + 1; k-- > 0 && !ok;) {
        /* The gap below interval k (k == n: below 4 GiB, above the last). */
        uint64_t gap_end = k == n ? top : iv[k].lo; /* exclusive */
        uint64_t gap_lo = k ? iv[k - 1].hi + 1 : 0;
        if (k && iv[k - 1].hi == UINT64_MAX)
            continue;
        if (gap_end > top)
            gap_end = top;
        if (gap_lo >= gap_end || gap_end - gap_lo < need)
            continue;
        uint64_t base = (gap_end - need) & ~(mib - 1);
        if (base >= gap_lo) {
            ok = true;
            found = base;
        }
    }
    free(iv);
    if (!ok) {
        struct srcpos at = s->version_pos; /* the first region that needs it */
        for (size_t i = 0; i < s->shared.n; i++)
            if (m->ivdev[i] >= 0) {
                at = s->shared.v[i].pos;
                break;
            }
        report(m, "jailhouse-vpci", at,
               "no free %" PRIu64 " KiB window below 4 GiB for the virtual PCI host of the "
               "ivshmem devices",
               need / 1024);
        return;
    }
    struct jh_system *sys = &m->cfg->sys;
    sys->platform_info.pci_mmconfig_base = found;
    sys->platform_info.pci_mmconfig_end_bus = 0;
    sys->platform_info.pci_is_virtual = 1;
    sys->platform_info.pci_domain = 0;
}

/* A stream ID that two cells own on different IOMMU units: Jailhouse's
 * stream_ids carry no unit, every unit's driver programs every ID. */
static void sid_alias(struct jh_map *m)
{
    const struct system *s = m->sys;
    VEC(uint64_t) v = {0}; /* sid << 32 | guest */
    for (size_t g = 0; g < s->guests.n; g++) {
        struct jh_cell tmp = {0};
        device_sids(m, &tmp, &s->guests.v[g], false);
        for (size_t i = 0; i < tmp.sids.n; i++)
            VEC_PUSH(&v, (uint64_t)tmp.sids.v[i] << 32 | g);
        VEC_FREE(&tmp.sids);
        for (size_t i = 0; i < tmp.strings.n; i++)
            free(tmp.strings.v[i]);
        VEC_FREE(&tmp.strings);
    }
    if (v.n > 1)
        qsort(v.v, v.n, sizeof(uint64_t), u64_cmp);
    for (size_t i = 1; i < v.n; i++) {
        uint32_t sa = (uint32_t)(v.v[i - 1] >> 32), sb = (uint32_t)(v.v[i] >> 32);
        uint32_t ga = (uint32_t)v.v[i - 1], gb = (uint32_t)v.v[i];
        if (sa == sb && ga != gb)
            report(m, "jailhouse-sid-alias", s->guests.v[gb].pos,
                   "stream ID 0x%" PRIx32 " belongs to %s and to %s on different IOMMUs; "
                   "Jailhouse programs every cell's stream IDs on every unit",
                   sa & 0xffff, s->guests.v[ga].name, s->guests.v[gb].name);
    }
    VEC_FREE(&v);
}

static char *system_base_name(const char *file)
{
    const char *b = strrchr(file, '/');
    b = b ? b + 1 : file;
    if (!strcmp(b, "<stdin>"))
        return xstrdup("system");
    const char *dot = strrchr(b, '.');
    return xstrndup(b, dot && dot != b ? (size_t)(dot - b) : strlen(b));
}

int jh_map(struct dtpass_ctx *ctx, struct jh_config *cfg, bool quiet)
{
    struct jh_map m = {.ctx = ctx, .cfg = cfg, .sys = &ctx->sys, .b = &ctx->board, .quiet = quiet};
    diag_init(&m.scratch);
    const struct system *s = &ctx->sys;
    memset(cfg, 0, sizeof(*cfg));
    if (!s->guests.n) {
        report(&m, "jailhouse-inexpressible", s->version_pos,
               "a Jailhouse system needs a guest to be its root cell");
        diag_free(&m.scratch);
        return -1;
    }
    cfg->root = 0;
    if (s->root_cell)
        for (uint32_t g = 0; g < s->guests.n; g++)
            if (s->guests.v[g].name && !strcmp(s->guests.v[g].name, s->root_cell))
                cfg->root = g;
    char *base = system_base_name(s->file ? s->file : "system");
    cfg->source = NULL;

    struct jh_system *sys = &cfg->sys;
    memcpy(sys->signature, JAILHOUSE_SYSTEM_SIGNATURE, sizeof(sys->signature));
    sys->architecture = (uint8_t)JAILHOUSE_ARM64;
    sys->revision = (uint16_t)JAILHOUSE_CONFIG_REVISION;
    /* The root cell may read the hypervisor's console (jailhouse console). */
    sys->flags = (uint32_t)JAILHOUSE_SYS_VIRTUAL_DEBUG_CONSOLE;
    if (s->hyp_memory.n != 1) {
        report(&m, "jailhouse-inexpressible",
               s->hyp_memory.n ? s->hyp_memory.v[1].pos : s->version_pos,
               s->hyp_memory.n ? "Jailhouse has one hypervisor memory region, not %zu"
                               : "Jailhouse needs its memory: give `hypervisor: memory:`%.0zu",
               s->hyp_memory.n);
    } else {
        sys->hypervisor_memory.phys_start = s->hyp_memory.v[0].base;
        sys->hypervisor_memory.size = s->hyp_memory.v[0].size;
    }
    console(&m);
    platform(&m);

    index_board(&m);
    plan_ivshmem(&m);
    cfg->ncells = s->guests.n;
    cfg->cells = xcalloc(cfg->ncells, sizeof(*cfg->cells));
    for (uint32_t g = 0; g < s->guests.n; g++) {
        struct jh_cell *c = &cfg->cells[g];
        c->file = xstrdup(g == cfg->root ? base : s->guests.v[g].name);
        if (g != cfg->root && !strcmp(c->file, base))
            report(&m, "jailhouse-inexpressible", s->guests.v[g].name_pos,
                   "guest '%s' has the name of the system configuration %s.cell: rename the guest "
                   "or the system file",
                   s->guests.v[g].name, base);
        build_cell(&m, c, g);
    }
    vpci_window(&m);
    sid_alias(&m);
    sys->root_cell = cfg->cells[cfg->root].desc;
    free(base);
    free(m.mmio);
    free(m.maxhi);
    free(m.board_intids);
    free(m.ivdev);
    diag_free(&m.scratch);
    return m.failed ? -1 : 0;
}

void jh_config_free(struct jh_config *cfg)
{
    for (size_t i = 0; i < cfg->ncells; i++) {
        struct jh_cell *c = &cfg->cells[i];
        free(c->file);
        VEC_FREE(&c->cpus);
        VEC_FREE(&c->mem);
        VEC_FREE(&c->irqchips);
        VEC_FREE(&c->pci);
        VEC_FREE(&c->sids);
        for (size_t k = 0; k < c->strings.n; k++)
            free(c->strings.v[k]);
        VEC_FREE(&c->strings);
    }
    free(cfg->cells);
    memset(cfg, 0, sizeof(*cfg));
}
