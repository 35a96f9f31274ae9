/* checks/memory.c — the memory checks: align, range-wrap, mem-not-ram,
 * mem-overlap and ipa-overlap. Every range of the system (guest RAM,
 * hypervisor memory, shared regions, shared-region windows, device windows)
 * becomes an item with its owner and position; the overlap checks sort and
 * sweep them (checks/sweep.c). */
#include <inttypes.h>

#include "checks/internal.h"

enum item_type { IT_GMEM, IT_HMEM, IT_SHM, IT_PEER, IT_DEV, IT_VGIC };

struct item {
    enum item_type t;
    size_t g;     /* guest index (IT_GMEM, IT_PEER, IT_DEV) */
    size_t s;     /* shared region index (IT_SHM, IT_PEER) */
    const struct board_node *node; /* IT_DEV, IT_VGIC */
    struct srcpos pos;
    uint64_t lo, hi; /* closed range */
};

static const char *gname(const struct ck *c, size_t g)
{
    return c->sys->guests.v[g].name ? c->sys->guests.v[g].name : "?";
}

/* "memory [0x48000000-0x67ffffff] of guest linux" and friends. */
static char *describe(const struct ck *c, const struct item *it)
{
    char r[48];
    snprintf(r, sizeof(r), "[0x%" PRIx64 "-0x%" PRIx64 "]", it->lo, it->hi);
    switch (it->t) {
    case IT_GMEM: return xasprintf("memory %s of guest %s", r, gname(c, it->g));
    case IT_HMEM: return xasprintf("hypervisor memory %s", r);
    case IT_SHM: return xasprintf("shared region %s %s", c->sys->shared.v[it->s].name, r);
    case IT_PEER:
        return xasprintf("the window %s of shared region %s", r, c->sys->shared.v[it->s].name);
    case IT_DEV: return xasprintf("the register window %s of %s", r, it->node->path);
    case IT_VGIC: return xasprintf("the virtual GIC %s", r);
    }
    return xstrdup("?");
}

static uint64_t pa_limit(const struct ck *c)
{
    uint32_t bits = c->sys->pa_bits ? c->sys->pa_bits : MODEL_DEFAULT_PA_BITS;
    return bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
}

static uint64_t ipa_limit(const struct ck *c)
{
    uint32_t bits = c->sys->ipa_bits ? c->sys->ipa_bits : MODEL_DEFAULT_IPA_BITS;
    return bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
}

/* --- align --------------------------------------------------------------- */

static void align_value(struct ck *c, uint64_t v, struct srcpos pos, const char *what,
                        const char *owner)
{
    if (is_aligned(v, CK_PAGE))
        return;
    struct diag *d = ck_report(c, CK_ALIGN, pos, "%s 0x%" PRIx64 " of %s is not 4 KiB aligned",
                               what, v, owner);
    uint64_t down = v & ~(CK_PAGE - 1), up;
    if (u64_add(down, CK_PAGE, &up))
        diag_fix(d, "use 0x%" PRIx64 " or 0x%" PRIx64, down, up);
    else
        diag_fix(d, "use 0x%" PRIx64, down);
}

static void align_size(struct ck *c, uint64_t v, struct srcpos pos, const char *owner)
{
    if (is_aligned(v, CK_PAGE))
        return;
    struct diag *d = ck_report(c, CK_ALIGN, pos,
                               "size 0x%" PRIx64 " of %s is not a multiple of 4 KiB", v, owner);
    uint64_t up;
    if (u64_add(v & ~(CK_PAGE - 1), CK_PAGE, &up))
        diag_fix(d, "round the size up to 0x%" PRIx64, up);
}

static void align_mem(struct ck *c, const struct sys_mem *m, const char *owner, bool ipa)
{
    align_value(c, m->base, m->base_pos.line ? m->base_pos : m->pos, "base", owner);
    align_size(c, m->size, m->size_pos.line ? m->size_pos : m->pos, owner);
    if (ipa && m->has_ipa)
        align_value(c, m->ipa, m->ipa_pos.line ? m->ipa_pos : m->pos, "guest address", owner);
}

/* The first register range of a device as the guest sees it. */
static bool first_reg(const struct sys_device *dev, uint64_t *pa)
{
    if (dev->regs.n) {
        *pa = dev->regs.v[0].pa;
        return true;
    }
    if (dev->ref.node && dev->ref.node->nmmio) {
        *pa = dev->ref.node->mmio[0].base;
        return true;
    }
    return false;
}

int check_align(struct ck *c)
{
    const struct system *s = c->sys;
    for (size_t i = 0; i < s->hyp_memory.n; i++)
        align_mem(c, &s->hyp_memory.v[i], "hypervisor memory", false);
    for (size_t g = 0; g < s->guests.n; g++) {
        const struct sys_guest *gu = &s->guests.v[g];
        char *owner = xasprintf("guest %s memory", gname(c, g));
        for (size_t i = 0; i < gu->memory.n; i++)
            align_mem(c, &gu->memory.v[i], owner, true);
        free(owner);
        /* A device window keeps its page offset: stage 2 maps pages, so
         * the guest address must sit at the same offset in its page as the
         * registers do in theirs (QEMU virt's virtio-mmio slots start at
         * 0x200 steps). */
        for (size_t i = 0; i < gu->devices.n; i++) {
            const struct sys_device *dev = &gu->devices.v[i];
            uint64_t pa;
            if (!dev->has_ipa || !first_reg(dev, &pa))
                continue;
            if ((dev->ipa & (CK_PAGE - 1)) == (pa & (CK_PAGE - 1)))
                continue;
            struct diag *d = ck_report(
                c, CK_ALIGN, dev->ipa_pos.line ? dev->ipa_pos : dev->ref.pos,
                "guest address 0x%" PRIx64 " of %s is at page offset 0x%" PRIx64
                " but its registers (0x%" PRIx64 ") are at page offset 0x%" PRIx64,
                dev->ipa, dev->ref.text, dev->ipa & (CK_PAGE - 1), pa, pa & (CK_PAGE - 1));
            ck_node(d, dev->ref.node);
            diag_fix(d, "use 0x%" PRIx64, (dev->ipa & ~(CK_PAGE - 1)) | (pa & (CK_PAGE - 1)));
        }
    }
    for (size_t i = 0; i < s->shared.n; i++) {
        const struct sys_shared *sh = &s->shared.v[i];
        char *owner = xasprintf("shared region %s", sh->name ? sh->name : "?");
        align_value(c, sh->base, sh->base_pos.line ? sh->base_pos : sh->pos, "base", owner);
        align_size(c, sh->size, sh->size_pos.line ? sh->size_pos : sh->pos, owner);
        for (size_t j = 0; j < sh->peers.n; j++)
            if (sh->peers.v[j].has_ipa)
                align_value(c, sh->peers.v[j].ipa, sh->peers.v[j].pos, "guest address", owner);
        free(owner);
    }
    return 0;
}

/* --- range-wrap ------------------------------------------------------------ */

/* One range: empty, wrapping, or beyond the address width. */
static void wrap_one(struct ck *c, uint64_t base, uint64_t size, uint64_t limit, bool ipa,
                     struct srcpos pos, const char *what)
{
    uint64_t last;
    if (size == 0) {
        ck_report(c, CK_RANGE_WRAP, pos, "%s at 0x%" PRIx64 " has size 0", what, base);
        return;
    }
    if (!range_end(base, size, &last)) {
        ck_report(c, CK_RANGE_WRAP, pos,
                  "%s: 0x%" PRIx64 " + 0x%" PRIx64 " overflows the 64-bit address space", what,
                  base, size);
        return;
    }
    if (last > limit) {
        struct diag *d = ck_report(
            c, CK_RANGE_WRAP, pos,
            "%s [0x%" PRIx64 "-0x%" PRIx64 "] exceeds the %s address width (%s %u: up to 0x%" PRIx64
            ")",
            what, base, last, ipa ? "guest physical" : "physical", ipa ? "ipa-bits" : "pa-bits",
            (unsigned)(64 - __builtin_clzll(limit)), limit);
        diag_fix(d, "place it below 0x%" PRIx64 " or raise platform %s", (uint64_t)(limit + 1),
                 ipa ? "ipa-bits" : "pa-bits");
    }
}

int check_range_wrap(struct ck *c)
{
    const struct system *s = c->sys;
    uint64_t pal = pa_limit(c), ipal = ipa_limit(c);
    for (size_t i = 0; i < s->hyp_memory.n; i++) {
        const struct sys_mem *m = &s->hyp_memory.v[i];
        wrap_one(c, m->base, m->size, pal, false, m->pos, "hypervisor memory");
    }
    for (size_t g = 0; g < s->guests.n; g++) {
        const struct sys_guest *gu = &s->guests.v[g];
        char *what = xasprintf("memory of guest %s", gname(c, g));
        for (size_t i = 0; i < gu->memory.n; i++) {
            const struct sys_mem *m = &gu->memory.v[i];
            size_t before = c->found;
            wrap_one(c, m->base, m->size, pal, false, m->pos, what);
            /* An empty or wrapping range is reported once, not twice. */
            if (c->found == before)
                wrap_one(c, m->ipa, m->size, ipal, true,
                         m->has_ipa && m->ipa_pos.line ? m->ipa_pos : m->pos, what);
        }
        free(what);
        for (size_t i = 0; i < gu->devices.n; i++) {
            const struct sys_device *dev = &gu->devices.v[i];
            for (size_t r = 0; r < dev->regs.n; r++) {
                const struct res_reg *rg = &dev->regs.v[r];
                uint64_t pl, il;
                /* The message is built only for a bad window: 10k devices. */
                if (range_end(rg->pa, rg->size, &pl) && pl <= pal &&
                    range_end(rg->ipa, rg->size, &il) && il <= ipal)
                    continue;
                char *w = xasprintf("register window %zu of %s in guest %s", r, dev->ref.text,
                                    gname(c, g));
                size_t before = c->found;
                wrap_one(c, rg->pa, rg->size, pal, false, dev->ref.pos, w);
                if (c->found == before)
                    wrap_one(c, rg->ipa, rg->size, ipal, true,
                             dev->has_ipa ? dev->ipa_pos : dev->ref.pos, w);
                free(w);
            }
        }
    }
    for (size_t i = 0; i < s->shared.n; i++) {
        const struct sys_shared *sh = &s->shared.v[i];
        char *what = xasprintf("shared region %s", sh->name ? sh->name : "?");
        size_t before = c->found;
        wrap_one(c, sh->base, sh->size, pal, false, sh->pos, what);
        for (size_t j = 0; c->found == before && j < sh->peers.n; j++) {
            char *w = xasprintf("the window of guest %s on shared region %s",
                                sh->peers.v[j].guest ? sh->peers.v[j].guest : "?",
                                sh->name ? sh->name : "?");
            wrap_one(c, sh->peers.v[j].ipa, sh->size, ipal, true, sh->peers.v[j].pos, w);
            free(w);
        }
        free(what);
    }
    return 0;
}

/* Ranges that passed range-wrap (the overlap checks' prerequisite) cannot
 * wrap; this guards those checks when range-wrap is disabled. */
static bool closed(uint64_t base, uint64_t size, uint64_t *hi)
{
    return range_end(base, size, hi);
}

/* --- mem-not-ram ----------------------------------------------------------- */

static int range_cmp(const void *pa, const void *pb)
{
    const struct board_range *a = pa, *b = pb;
    return a->base < b->base ? -1 : a->base > b->base;
}

/* Board RAM as sorted, merged closed intervals. */
static size_t merged_ram(const struct board *b, struct ck_ival **out)
{
    struct board_range *r = xmalloc((b->nram ? b->nram : 1) * sizeof(*r));
    if (b->nram)
        memcpy(r, b->ram, b->nram * sizeof(*r));
    ck_sort(r, b->nram, sizeof(*r), range_cmp);
    struct ck_ival *v = xcalloc(b->nram ? b->nram : 1, sizeof(*v));
    size_t n = 0;
    for (uint32_t i = 0; i < b->nram; i++) {
        uint64_t hi;
        if (!range_end(r[i].base, r[i].size, &hi))
            continue;
        if (n && (v[n - 1].hi == UINT64_MAX || r[i].base <= v[n - 1].hi + 1)) {
            if (hi > v[n - 1].hi)
                v[n - 1].hi = hi;
        } else {
            v[n].lo = r[i].base;
            v[n++].hi = hi;
        }
    }
    free(r);
    *out = v;
    return n;
}

/* The reserved-memory node describing a no-map range, for the message. */
static const struct board_node *nomap_node(const struct board *b, uint64_t base)
{
    for (uint32_t i = 0; i < b->nnodes; i++) {
        const struct board_node *n = b->nodes[i];
        if (n->parent && n->parent->parent == b->root && !strcmp(n->parent->name, "reserved-memory"))
            for (uint32_t k = 0; k < n->nmmio; k++)
                if (n->mmio[k].base == base)
                    return n;
    }
    return NULL;
}

static void not_ram_one(struct ck *c, const struct ck_ival *ram, size_t nram, const struct item *it)
{
    /* The last RAM segment starting at or below lo. */
    size_t lo = 0, hi = nram;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ram[mid].lo <= it->lo)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && ram[lo - 1].hi >= it->hi)
        return; /* inside one merged RAM segment */
    char *what = describe(c, it);
    /* Inside no-map reserved memory? Say which. */
    for (uint32_t k = 0; k < c->b->nnomap; k++) {
        const struct board_range *nm = &c->b->nomap[k];
        uint64_t nhi;
        if (!range_end(nm->base, nm->size, &nhi) || nm->base > it->hi || nhi < it->lo)
            continue;
        const struct board_node *node = nomap_node(c->b, nm->base);
        struct diag *d = ck_report(c, CK_MEM_NOT_RAM, it->pos,
                                   "%s overlaps no-map reserved memory [0x%" PRIx64 "-0x%" PRIx64
                                   "]%s%s",
                                   what, nm->base, nhi, node ? " " : "", node ? node->path : "");
        ck_node(d, node);
        diag_fix(d, "move it out of the reserved region: firmware or another agent uses that "
                    "memory");
        free(what);
        return;
    }
    /* The first address not covered, for the message. */
    uint64_t gap = it->lo;
    if (lo > 0 && ram[lo - 1].hi >= it->lo)
        gap = ram[lo - 1].hi + 1;
    struct diag *d = ck_report(c, CK_MEM_NOT_RAM, it->pos,
                               "%s is not board RAM: 0x%" PRIx64 " lies outside every /memory range",
                               what, gap);
    for (size_t k = 0; d && k < nram && k < 8; k++)
        diag_note(d, NOPOS, NULL, "board RAM: [0x%" PRIx64 "-0x%" PRIx64 "]", ram[k].lo, ram[k].hi);
    free(what);
}

int check_mem_not_ram(struct ck *c)
{
    const struct system *s = c->sys;
    struct ck_ival *ram;
    size_t nram = merged_ram(c->b, &ram);
    struct item it = {0};
    for (size_t i = 0; i < s->hyp_memory.n; i++) {
        const struct sys_mem *m = &s->hyp_memory.v[i];
        it = (struct item){.t = IT_HMEM, .pos = m->pos, .lo = m->base};
        if (closed(m->base, m->size, &it.hi))
            not_ram_one(c, ram, nram, &it);
    }
    for (size_t g = 0; g < s->guests.n; g++)
        for (size_t i = 0; i < s->guests.v[g].memory.n; i++) {
            const struct sys_mem *m = &s->guests.v[g].memory.v[i];
            it = (struct item){.t = IT_GMEM, .g = g, .pos = m->pos, .lo = m->base};
            if (closed(m->base, m->size, &it.hi))
                not_ram_one(c, ram, nram, &it);
        }
    for (size_t i = 0; i < s->shared.n; i++) {
        const struct sys_shared *sh = &s->shared.v[i];
        it = (struct item){.t = IT_SHM, .s = i, .pos = sh->pos, .lo = sh->base};
        if (closed(sh->base, sh->size, &it.hi))
            not_ram_one(c, ram, nram, &it);
    }
    free(ram);
    return 0;
}

/* --- mem-overlap and ipa-overlap ------------------------------------------ */

struct sweep_arg {
    struct ck *c;
    const struct item *items;
    enum check_id check;
    const char *space; /* "physical" or "guest physical (IPA)" */
    const char *guest; /* ipa-overlap: whose map */
};

static void overlap_pair(void *arg, const struct ck_ival *a, const struct ck_ival *b)
{
    struct sweep_arg *sa = arg;
    const struct item *x = &sa->items[b->idx], *y = &sa->items[a->idx];
    /* Point at what the user wrote, not at the implicit virtual GIC. */
    if (x->t == IT_VGIC) {
        const struct item *t = x;
        x = y;
        y = t;
    }
    char *dx = describe(sa->c, x), *dy = describe(sa->c, y);
    uint64_t lo = a->lo > b->lo ? a->lo : b->lo, hi = a->hi < b->hi ? a->hi : b->hi;
    struct diag *d;
    if (sa->guest)
        d = ck_report(sa->c, sa->check, x->pos,
                      "in the address map of guest %s, %s overlaps %s at [0x%" PRIx64 "-0x%" PRIx64
                      "]",
                      sa->guest, dx, dy, lo, hi);
    else
        d = ck_report(sa->c, sa->check, x->pos, "%s overlaps %s at [0x%" PRIx64 "-0x%" PRIx64 "]",
                      dx, dy, lo, hi);
    if (x->node)
        ck_node(d, x->node);
    if (y->t == IT_VGIC)
        ck_note(d, NOPOS, y->node, "every guest has its virtual GIC at the board GIC's address (%s)",
                y->node->path);
    else if (y->pos.line || y->node)
        ck_note(d, y->pos, y->node, "%s is given here", dy);
    uint64_t after;
    if (d && u64_add(y->hi, 1, &after) && x->t != IT_DEV && x->t != IT_VGIC)
        diag_fix(d, "place it entirely at or above 0x%" PRIx64 " (after %s) or below 0x%" PRIx64, after,
                 dy, y->lo);
    else if (d)
        diag_fix(d, "move %s out of the way", dy);
    free(dx);
    free(dy);
}

int check_mem_overlap(struct ck *c)
{
    const struct system *s = c->sys;
    VEC(struct item) items = {0};
    VEC(struct ck_ival) iv = {0};
    struct item *it;
    for (size_t i = 0; i < s->hyp_memory.n; i++) {
        const struct sys_mem *m = &s->hyp_memory.v[i];
        it = VEC_ADD(&items);
        *it = (struct item){.t = IT_HMEM, .pos = m->pos, .lo = m->base};
        if (!closed(m->base, m->size, &it->hi))
            items.n--;
        else
            VEC_PUSH(&iv, ((struct ck_ival){it->lo, it->hi, OWNER_HYP, 0, (uint32_t)items.n - 1}));
    }
    for (size_t g = 0; g < s->guests.n; g++)
        for (size_t i = 0; i < s->guests.v[g].memory.n; i++) {
            const struct sys_mem *m = &s->guests.v[g].memory.v[i];
            it = VEC_ADD(&items);
            *it = (struct item){.t = IT_GMEM, .g = g, .pos = m->pos, .lo = m->base};
            if (!closed(m->base, m->size, &it->hi))
                items.n--;
            else
                VEC_PUSH(&iv, ((struct ck_ival){it->lo, it->hi, owner_guest(g), 0,
                                                (uint32_t)items.n - 1}));
        }
    for (size_t i = 0; i < s->shared.n; i++) {
        const struct sys_shared *sh = &s->shared.v[i];
        it = VEC_ADD(&items);
        *it = (struct item){.t = IT_SHM, .s = i, .pos = sh->pos, .lo = sh->base};
        if (!closed(sh->base, sh->size, &it->hi))
            items.n--;
        else /* each shared region is its own owner */
            VEC_PUSH(&iv, ((struct ck_ival){it->lo, it->hi, i, 1, (uint32_t)items.n - 1}));
    }
    struct sweep_arg sa = {c, items.v, CK_MEM_OVERLAP, "physical", NULL};
    ck_sweep(iv.v, iv.n, overlap_pair, &sa);
    VEC_FREE(&items);
    VEC_FREE(&iv);
    return 0;
}

/* Within one guest every RAM range and shared window is its own owner; a
 * device window is owned by its translation (ipa - pa): two devices in the
 * same physical page mapped at the same guest page are one mapping (QEMU
 * virt's virtio-mmio slots), while the same guest page pointing at two
 * different physical pages is a conflict. */
enum { K_RAM = 1, K_SHM, K_DEV, K_VGIC };

int check_ipa_overlap(struct ck *c)
{
    const struct system *s = c->sys;
    size_t ng = s->guests.n;
    /* Shared windows bucketed by guest: one pass over the peers. */
    struct peer_ref {
        size_t s, p;
    };
    typedef VEC(struct peer_ref) peer_vec;
    peer_vec *by_guest = xcalloc(ng ? ng : 1, sizeof(*by_guest));
    for (size_t i = 0; i < s->shared.n; i++)
        for (size_t j = 0; j < s->shared.v[i].peers.n; j++) {
            int gi = s->shared.v[i].peers.v[j].guest_index;
            if (gi >= 0 && (size_t)gi < ng)
                VEC_PUSH(&by_guest[gi], ((struct peer_ref){i, j}));
        }
    const struct board_node *gic = c->b->gic.node;
    VEC(struct item) items = {0};
    VEC(struct ck_ival) iv = {0};
    for (size_t g = 0; g < ng; g++) {
        const struct sys_guest *gu = &s->guests.v[g];
        items.n = iv.n = 0;
        struct item *it;
#define ADD(kind_, owner_)                                                                        \
    VEC_PUSH(&iv, ((struct ck_ival){it->lo, it->hi, (owner_), (kind_), (uint32_t)items.n - 1}))
        for (size_t i = 0; i < gu->memory.n; i++) {
            const struct sys_mem *m = &gu->memory.v[i];
            it = VEC_ADD(&items);
            *it = (struct item){.t = IT_GMEM, .g = g, .pos = m->pos, .lo = m->ipa};
            if (closed(m->ipa, m->size, &it->hi))
                ADD(K_RAM, i);
            else
                items.n--;
        }
        for (size_t k = 0; k < by_guest[g].n; k++) {
            const struct sys_shared *sh = &s->shared.v[by_guest[g].v[k].s];
            const struct sys_peer *p = &sh->peers.v[by_guest[g].v[k].p];
            it = VEC_ADD(&items);
            *it = (struct item){.t = IT_PEER, .g = g, .s = by_guest[g].v[k].s, .pos = p->pos,
                                .lo = p->ipa};
            if (closed(p->ipa, sh->size, &it->hi))
                ADD(K_SHM, k);
            else
                items.n--;
        }
        for (size_t i = 0; i < gu->devices.n; i++) {
            const struct sys_device *dev = &gu->devices.v[i];
            for (size_t r = 0; r < dev->regs.n; r++) {
                const struct res_reg *rg = &dev->regs.v[r];
                uint64_t hi;
                if (!closed(rg->ipa, rg->size, &hi) || !closed(rg->pa, rg->size, &(uint64_t){0}))
                    continue;
                it = VEC_ADD(&items);
                *it = (struct item){.t = IT_DEV, .g = g, .node = dev->ref.node,
                                    .pos = dev->has_ipa ? dev->ipa_pos : dev->ref.pos,
                                    .lo = rg->ipa & ~(CK_PAGE - 1), .hi = hi | (CK_PAGE - 1)};
                ADD(K_DEV, rg->ipa - rg->pa);
            }
        }
        /* The virtual GIC sits at the board GIC's distributor and
         * redistributor (GICv3: two 64 KiB frames per vCPU, SPEC §5) or CPU
         * interface (GICv2) addresses. */
        for (uint32_t r = 0; gic && r < gic->nmmio && r < 2; r++) {
            uint64_t size = gic->mmio[r].size;
            uint64_t frames = (uint64_t)(gu->cpus.n ? gu->cpus.n : 1) * 0x20000;
            if (r == 1 && c->b->gic.version == 3 && frames < size)
                size = frames;
            it = VEC_ADD(&items);
            *it = (struct item){.t = IT_VGIC, .g = g, .node = gic, .pos = gu->name_pos,
                                .lo = gic->mmio[r].base & ~(CK_PAGE - 1)};
            if (closed(gic->mmio[r].base, size, &it->hi)) {
                it->hi |= CK_PAGE - 1;
                ADD(K_VGIC, 0);
            } else {
                items.n--;
            }
        }
#undef ADD
        struct sweep_arg sa = {c, items.v, CK_IPA_OVERLAP, "guest physical", gname(c, g)};
        ck_sweep(iv.v, iv.n, overlap_pair, &sa);
    }
    for (size_t g = 0; g < ng; g++)
        VEC_FREE(&by_guest[g]);
    free(by_guest);
    VEC_FREE(&items);
    VEC_FREE(&iv);
    return 0;
}
