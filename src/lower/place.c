/* lower/place.c — lower_place: decides what the hypervisor's tables contain
 * and where they live. Per guest, the page-granular stage-2 mappings (RAM,
 * shared windows, device MMIO) and their tables (s2build.c); per SMMU, the
 * stream IDs each guest owns, the SMMUv3 stream-table geometry or the SMMUv2
 * SMR cover and context banks; then one deterministic allocation of every
 * table inside the first hypervisor memory range, which is hvdata.bin's
 * load address (docs/tables.md). Register values that depend on addresses
 * (STRTAB_BASE, TTBR0) are computed here too, so every emitter only
 * serialises. */
#include <stdlib.h>
#include <string.h>

#include "lower/lower.h"
#include "lower/place.h"

#define NO_REF 0xffffffffu

/* ------------------------------------------------------------------ */
/* guest mappings */

static int cmp_map(const void *a, const void *b)
{
    const struct s2_map *x = a, *y = b;
    if (x->ipa != y->ipa)
        return x->ipa < y->ipa ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->ref != y->ref)
        return x->ref < y->ref ? -1 : 1;
    return 0;
}

static void add_map(struct guest_place *gp, enum map_kind kind, uint32_t perm, uint32_t ref,
                    uint64_t ipa, uint64_t pa, uint64_t size)
{
    *VEC_ADD(&gp->maps) =
        (struct s2_map){.ipa = ipa, .pa = pa, .size = size, .kind = kind, .perm = perm, .ref = ref};
}

/* Sorts and merges touching maps of the same object with the same
 * translation (two reg entries of one device in one page). */
static void merge_maps(struct guest_place *gp)
{
    if (gp->maps.n)
        qsort(gp->maps.v, gp->maps.n, sizeof(gp->maps.v[0]), cmp_map);
    size_t out = 0;
    for (size_t i = 0; i < gp->maps.n; i++) {
        struct s2_map *m = &gp->maps.v[i];
        if (out) {
            struct s2_map *p = &gp->maps.v[out - 1];
            uint64_t pend = p->ipa + p->size;
            if (p->kind == m->kind && p->ref == m->ref && p->perm == m->perm &&
                m->ipa <= pend && m->ipa - p->ipa == m->pa - p->pa) {
                uint64_t mend = m->ipa + m->size;
                if (mend > pend)
                    p->size = mend - p->ipa;
                continue;
            }
        }
        gp->maps.v[out++] = *m;
    }
    gp->maps.n = out;
}

static bool page_round(uint64_t base, uint64_t size, uint64_t *rb, uint64_t *rs)
{
    uint64_t last;
    if (!range_end(base, size, &last) || last > UINT64_MAX - 0xfff)
        return false;
    *rb = base & ~0xfffull;
    *rs = ((last | 0xfff) - *rb) + 1;
    return true;
}

/* Every guest's mappings in one pass over RAM, shared-region peers and
 * devices (linear in the model), then sorted and merged per guest. */
static int guest_maps(struct dtpass_ctx *ctx, struct placement *p)
{
    struct system *s = &ctx->sys;
    int bad = 0;

    for (size_t gi = 0; gi < s->guests.n; gi++) {
        const struct sys_guest *g = &s->guests.v[gi];
        for (size_t i = 0; i < g->memory.n; i++) {
            const struct sys_mem *m = &g->memory.v[i];
            uint64_t ipa = m->has_ipa ? m->ipa : m->base;
            if (m->size)
                add_map(&p->guests[gi], MAP_RAM, MAP_R | MAP_W | MAP_X, NO_REF, ipa, m->base,
                        m->size);
        }
    }
    for (size_t r = 0; r < s->shared.n; r++) {
        const struct sys_shared *sh = &s->shared.v[r];
        for (size_t k = 0; k < sh->peers.n; k++) {
            const struct sys_peer *pe = &sh->peers.v[k];
            if (pe->guest_index < 0 || (size_t)pe->guest_index >= p->nguests || !sh->size)
                continue;
            uint64_t ipa = pe->has_ipa ? pe->ipa : sh->base;
            add_map(&p->guests[pe->guest_index], MAP_SHARED,
                    MAP_R | (pe->access == SHM_RW ? MAP_W : 0), (uint32_t)r, ipa, sh->base,
                    sh->size);
        }
    }
    for (size_t d = 0; d < p->devices.n; d++) {
        uint32_t gi = p->devices.v[d].guest;
        const struct sys_guest *g = &s->guests.v[gi];
        const struct sys_device *dev = p->devices.v[d].dev;
        for (size_t k = 0; k < dev->regs.n; k++) {
            const struct res_reg *rg = &dev->regs.v[k];
            uint64_t ib, is, pb, ps;
            if (!rg->size)
                continue;
            if ((rg->ipa & 0xfff) != (rg->pa & 0xfff) || !page_round(rg->ipa, rg->size, &ib, &is) ||
                !page_round(rg->pa, rg->size, &pb, &ps) || is != ps) {
                struct diag *dg = diag_report(&ctx->diag, CK_ALIGN, dev->ref.pos,
                    "guest '%s': device registers at 0x%llx cannot be mapped at guest address "
                    "0x%llx: stage 2 maps whole 4 KiB pages, so both must have the same offset "
                    "in their page", g->name, (unsigned long long)rg->pa,
                    (unsigned long long)rg->ipa);
                if (dg && dev->ref.node)
                    diag_node(dg, dev->ref.node->path);
                bad = 1;
                continue;
            }
            add_map(&p->guests[gi], MAP_DEVICE, MAP_R | MAP_W | MAP_DEV, (uint32_t)d, ib, pb, is);
        }
    }
    for (size_t gi = 0; gi < p->nguests; gi++)
        merge_maps(&p->guests[gi]);
    return bad;
}

/* ------------------------------------------------------------------ */
/* stream IDs */

static int cmp_run(const void *a, const void *b)
{
    const struct sid_run *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    if (x->hi != y->hi)
        return x->hi < y->hi ? -1 : 1;
    return x->guest < y->guest ? -1 : x->guest > y->guest;
}

static uint32_t sid_limit(uint32_t bits) { return bits >= 32 ? 0xffffffffu : (1u << bits) - 1; }

/* At most this many IDs from one masked specifier (2^16). */
#define MAX_MASK_BITS 16

static int popcount32(uint32_t v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

static void add_runs(struct smmu_place *sp, uint32_t guest, const struct res_sid *rs,
                     struct dtpass_ctx *ctx, const struct sys_device *dev)
{
    uint32_t lim = sid_limit(sp->sid_bits);
    uint32_t mask = rs->mask & lim;
    uint32_t count = rs->count ? rs->count : 1;
    if (popcount32(mask) > MAX_MASK_BITS) {
        diag_report(&ctx->diag, CK_SID_RANGE, dev->ref.pos,
                    "stream ID 0x%x mask 0x%x on %s matches more than 2^%d IDs", rs->sid, rs->mask,
                    sp->smmu->name, MAX_MASK_BITS);
        return;
    }
    uint32_t base = rs->sid & ~mask;
    uint32_t sub = 0;
    do { /* every submask of mask: the IDs the specifier matches */
        uint32_t s = base | sub;
        if (s > lim || count - 1 > lim - s) {
            diag_report(&ctx->diag, CK_SID_RANGE, dev->ref.pos,
                        "stream IDs 0x%x..0x%llx do not fit the %u sid-bits of %s", s,
                        (unsigned long long)s + count - 1, sp->sid_bits, sp->smmu->name);
        } else {
            struct sid_run *r = VEC_ADD(&sp->sids);
            r->lo = s;
            r->hi = s + count - 1;
            r->guest = guest;
        }
        sub = (sub - mask) & mask;
    } while (sub);
}

/* Sorts the runs and merges overlapping or adjacent runs of one guest; an
 * ID claimed by two guests is the sid-owner check's finding, repeated here
 * because tables for it cannot be built. */
static int merge_runs(struct dtpass_ctx *ctx, struct smmu_place *sp)
{
    if (sp->sids.n)
        qsort(sp->sids.v, sp->sids.n, sizeof(sp->sids.v[0]), cmp_run);
    size_t out = 0;
    int bad = 0;
    for (size_t i = 0; i < sp->sids.n; i++) {
        struct sid_run r = sp->sids.v[i];
        if (out) {
            struct sid_run *p = &sp->sids.v[out - 1];
            if (r.lo <= p->hi || (p->hi != UINT32_MAX && r.lo == p->hi + 1 && r.guest == p->guest)) {
                if (r.guest != p->guest && r.lo <= p->hi) {
                    diag_report(&ctx->diag, CK_SID_OWNER, NOPOS,
                                "stream ID 0x%x on %s is used by guests '%s' and '%s'", r.lo,
                                sp->smmu->name, ctx->sys.guests.v[p->guest].name,
                                ctx->sys.guests.v[r.guest].name);
                    bad = 1;
                    continue;
                }
                if (r.guest == p->guest) {
                    if (r.hi > p->hi)
                        p->hi = r.hi;
                    continue;
                }
            }
        }
        sp->sids.v[out++] = r;
    }
    sp->sids.n = out;
    return bad;
}

size_t place_first_run(const struct smmu_place *sp, uint64_t sid)
{
    size_t lo = 0, hi = sp->sids.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sp->sids.v[mid].hi < sid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The guest owning sid, or -1. */
static int sid_owner(const struct smmu_place *sp, uint32_t sid)
{
    size_t lo = place_first_run(sp, sid);
    if (lo < sp->sids.n && sp->sids.v[lo].lo <= sid)
        return (int)sp->sids.v[lo].guest;
    return -1;
}

/* ------------------------------------------------------------------ */
/* SMMUv2: the SMR cover */

struct bitmap {
    uint64_t *w;
};
static bool bm_get(const struct bitmap *b, uint32_t i) { return (b->w[i >> 6] >> (i & 63)) & 1; }
static void bm_set(struct bitmap *b, uint32_t i) { b->w[i >> 6] |= 1ull << (i & 63); }


/* SMRs matching exactly each guest's IDs: first the board's own masked
 * specifiers (a mask is a set the hardware designers meant to be matched by
 * one SMR), then the remaining IDs of every run split into the largest
 * aligned power-of-two blocks (one SMR per block: id = block start, mask =
 * block size - 1). Blocks only contain uncovered IDs of that one guest, so
 * every assigned ID matches exactly one SMR and no other ID matches any. */
static void smmuv2_cover(struct placement *p, struct smmu_place *sp)
{
    uint32_t lim = sid_limit(sp->sid_bits);
    struct bitmap covered = {xcalloc(((size_t)lim >> 6) + 1, sizeof(uint64_t))};
    /* guest -> its context bank (every guest with IDs here has one) */
    uint32_t *cb_of = xcalloc(p->nguests ? p->nguests : 1, sizeof(*cb_of));
    for (size_t i = 0; i < sp->cbs.n; i++)
        cb_of[sp->cbs.v[i].guest] = (uint32_t)i;

    for (size_t d = 0; d < p->devices.n; d++) {
        const struct sys_device *dev = p->devices.v[d].dev;
        uint32_t g = p->devices.v[d].guest;
        for (size_t k = 0; k < dev->rsids.n; k++) {
            const struct res_sid *rs = &dev->rsids.v[k];
            uint32_t mask = rs->mask & lim;
            if (rs->smmu != sp->smmu || !mask || (rs->count && rs->count != 1) ||
                popcount32(mask) > MAX_MASK_BITS)
                continue;
            uint32_t base = rs->sid & ~mask & lim, sub = 0;
            bool ok = true;
            do {
                if (bm_get(&covered, base | sub) || sid_owner(sp, base | sub) != (int)g)
                    ok = false;
                sub = (sub - mask) & mask;
            } while (sub && ok);
            if (!ok)
                continue;
            sub = 0;
            do {
                bm_set(&covered, base | sub);
                sub = (sub - mask) & mask;
            } while (sub);
            struct smr_place *smr = VEC_ADD(&sp->smrs);
            smr->id = base;
            smr->mask = mask;
            smr->guest = g;
            smr->cb = cb_of[g];
        }
    }
    for (size_t i = 0; i < sp->sids.n; i++) {
        const struct sid_run *r = &sp->sids.v[i];
        uint64_t s = r->lo;
        while (s <= r->hi) {
            if (bm_get(&covered, (uint32_t)s)) {
                s++;
                continue;
            }
            uint64_t e = s; /* [s, e) uncovered */
            while (e <= r->hi && !bm_get(&covered, (uint32_t)e))
                e++;
            while (s < e) {
                uint64_t blk = 1;
                while (!(s & blk) && s + blk * 2 <= e)
                    blk *= 2;
                struct smr_place *smr = VEC_ADD(&sp->smrs);
                smr->id = (uint32_t)s;
                smr->mask = (uint32_t)(blk - 1);
                smr->guest = r->guest;
                smr->cb = cb_of[r->guest];
                s += blk;
            }
        }
    }
    free(covered.w);
    free(cb_of);
}

static int cmp_smr(const void *a, const void *b)
{
    const struct smr_place *x = a, *y = b;
    if (x->guest != y->guest)
        return x->guest < y->guest ? -1 : 1;
    if (x->mask != y->mask)
        return x->mask < y->mask ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Fewer SMRs: two SMRs of one guest with the same mask whose IDs differ in
 * exactly one bit outside the mask match, together, exactly the set of the
 * SMR with that bit added to the mask (their disjoint union), so they merge
 * ({0x10, 0x11} + {0x30, 0x31} -> id 0x10 mask 0x21). Repeated until
 * nothing merges (at most sid-bits rounds, each a sort and a sweep with
 * binary searches); exactness and disjointness are preserved. */
static void smmuv2_merge(struct smmu_place *sp)
{
    uint32_t lim = sid_limit(sp->sid_bits);
    for (bool changed = true; changed && sp->smrs.n > 1;) {
        changed = false;
        size_t n = sp->smrs.n;
        struct smr_place *v = sp->smrs.v;
        qsort(v, n, sizeof(*v), cmp_smr);
        bool *dead = xcalloc(n, sizeof(*dead));
        size_t out = 0;
        for (size_t i = 0; i < n; i++) {
            if (dead[i])
                continue;
            struct smr_place m = v[i];
            for (uint32_t bit = 1; bit && bit <= lim; bit <<= 1) {
                if ((m.mask | m.id) & bit)
                    continue;
                struct smr_place key = m;
                key.id = m.id | bit;
                const struct smr_place *hit = bsearch(&key, v + i + 1, n - i - 1, sizeof(*v), cmp_smr);
                if (!hit || dead[hit - v])
                    continue;
                dead[hit - v] = true;
                m.mask |= bit;
                changed = true;
                break;
            }
            dead[i] = true;
            v[out++] = m; /* out <= i: never overwrites an unread entry */
        }
        sp->smrs.n = out;
        free(dead);
    }
    if (sp->smrs.n > 1)
        qsort(sp->smrs.v, sp->smrs.n, sizeof(sp->smrs.v[0]), cmp_smr);
}

/* ------------------------------------------------------------------ */
/* allocation */

struct alloc_item {
    uint64_t size, align;
    uint64_t *pa;
    size_t order;
};

static int cmp_item(const void *a, const void *b)
{
    const struct alloc_item *x = a, *y = b;
    if (x->align != y->align)
        return x->align > y->align ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static uint64_t pow2_at_least(uint64_t v)
{
    uint64_t p = 1;
    while (p < v)
        p <<= 1;
    return p;
}

static void smmuv3_geometry(struct smmu_place *sp, struct alloc_item *it)
{
    uint64_t linear = (uint64_t)STE_SIZE << sp->sid_bits;
    if (linear <= STRTAB_LINEAR_MAX) {
        sp->two_level = false;
        sp->strtab_size = linear;
        it->size = linear;
        it->align = linear;
        return;
    }
    sp->two_level = true;
    sp->nl1 = 1u << (sp->sid_bits - STRTAB_SPLIT);
    sp->strtab_size = (uint64_t)sp->nl1 * 8;
    uint64_t l2sz = (uint64_t)STE_SIZE << STRTAB_SPLIT; /* 16 KiB */
    /* One L2 table per L1 index that holds an assigned ID; counted first so
     * an absurd stream-ID range is refused before anything is allocated. */
    uint64_t count = 0, last = UINT64_MAX;
    for (size_t i = 0; i < sp->sids.n; i++) {
        uint64_t a = sp->sids.v[i].lo >> STRTAB_SPLIT, b = sp->sids.v[i].hi >> STRTAB_SPLIT;
        count += b - a + 1 - (a == last);
        last = b;
    }
    if (count * l2sz + sp->strtab_size > HVDATA_MAX) {
        it->size = count * l2sz + sp->strtab_size;
        it->align = l2sz;
        return;
    }
    for (size_t i = 0; i < sp->sids.n; i++) {
        uint32_t a = sp->sids.v[i].lo >> STRTAB_SPLIT, b = sp->sids.v[i].hi >> STRTAB_SPLIT;
        for (uint64_t k = a; k <= b; k++) {
            if (sp->l2.n && sp->l2.v[sp->l2.n - 1].l1_index == k)
                continue;
            struct l2_place *l = VEC_ADD(&sp->l2);
            l->l1_index = (uint32_t)k;
        }
    }
    uint64_t l1alloc = sp->strtab_size < 64 ? 64 : sp->strtab_size;
    uint64_t head = (l1alloc + l2sz - 1) / l2sz * l2sz; /* L1, padded to an L2 boundary */
    it->size = sp->l2.n ? head + (uint64_t)sp->l2.n * l2sz : l1alloc;
    it->align = l1alloc > l2sz ? l1alloc : l2sz;
}

void place_free(struct placement *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nguests; i++) {
        VEC_FREE(&p->guests[i].maps);
    }
    for (size_t i = 0; i < p->nsmmus; i++) {
        VEC_FREE(&p->smmus[i].sids);
        VEC_FREE(&p->smmus[i].l2);
        VEC_FREE(&p->smmus[i].smrs);
        VEC_FREE(&p->smmus[i].cbs);
    }
    free(p->guests);
    free(p->smmus);
    VEC_FREE(&p->devices);
    free(p);
}

static void guest_dtb(struct guest_place *gp)
{
    const struct sys_guest *g = gp->g;
    if (!g->memory.n)
        return;
    const struct sys_mem *m = &g->memory.v[0];
    uint64_t ipa = m->has_ipa ? m->ipa : m->base;
    uint64_t off = 0;
    /* The last 2 MiB of the first RAM region, 2 MiB aligned (Linux wants the
     * DTB 8-byte aligned, at most 2 MiB, and not across a 512 MiB boundary
     * on older kernels: a 2 MiB aligned window satisfies all of these). */
    if (m->size >= 2 * GUEST_DTB_SIZE)
        off = ((ipa + m->size - GUEST_DTB_SIZE) & ~(GUEST_DTB_SIZE - 1)) - ipa;
    gp->dtb_ipa = ipa + off;
    gp->dtb_pa = m->base + off;
    gp->dtb_size = m->size - off < GUEST_DTB_SIZE ? m->size - off : GUEST_DTB_SIZE;
}

/* SMMUv2 register values once the guests' roots are placed. */
static void smmuv2_registers(struct placement *p, struct smmu_place *sp)
{
    bool vmid16 = false;
    for (size_t i = 0; i < sp->cbs.n; i++) {
        struct cb_place *cb = &sp->cbs.v[i];
        const struct guest_place *gp = &p->guests[cb->guest];
        if (cb->vmid > 0xff)
            vmid16 = true;
        /* Linux arm-smmu.h: CBAR TYPE [17:16] = 0 (stage-2 translation),
         * VMID [7:0]; CBA2R VA64 bit 0, VMID16 [31:16]. */
        cb->cbar = (0u << 16) | (cb->vmid & 0xff);
        cb->cba2r = 1u | (cb->vmid > 0xff ? cb->vmid << 16 : 0);
        /* Stage-2 TCR: the VTCR layout without VS (T0SZ, SL0, IRGN0, ORGN0,
         * SH0, TG0, PASize [18:16], bit 31 RES1). */
        cb->tcr = (uint32_t)(gp->vtcr & ~(1ull << 19));
        /* SCTLR: M | TRE | AFE | CFRE | CFIE: translate, report faults. */
        cb->sctlr = 0x1u | 0x2u | 0x4u | 0x20u | 0x40u;
        cb->ttbr0 = gp->pa;
    }
    /* sCR0: GFRE | GFIE | GCFGFRE | GCFGFIE | USFCFG (unmatched streams
     * fault), CLIENTPD = 0 (translation on), VMID16EN when needed. */
    sp->cr0 = 0x2u | 0x4u | 0x10u | 0x20u | 0x400u | (vmid16 ? 1u << 31 : 0);
}

static void smmuv3_registers(struct smmu_place *sp)
{
    sp->strtab_pa = sp->span_pa;
    uint64_t l2sz = (uint64_t)STE_SIZE << STRTAB_SPLIT;
    uint64_t l1alloc = sp->strtab_size < 64 ? 64 : sp->strtab_size;
    uint64_t head = (l1alloc + l2sz - 1) / l2sz * l2sz;
    for (size_t i = 0; i < sp->l2.n; i++)
        sp->l2.v[i].pa = sp->span_pa + head + (uint64_t)i * l2sz;
    /* SMMU_STRTAB_BASE: ADDR [51:6], RA bit 62 (IHI 0070 6.3.23). */
    sp->strtab_base = (sp->strtab_pa & 0x000fffffffffffc0ull) | (1ull << 62);
    /* SMMU_STRTAB_BASE_CFG: FMT [17:16] (0 linear, 1 2-level), SPLIT
     * [10:6], LOG2SIZE [5:0]. */
    sp->strtab_base_cfg = (sp->two_level ? (1u << 16) | (STRTAB_SPLIT << 6) : 0) | sp->sid_bits;
    /* CR0: SMMUEN bit 0, EVTQEN bit 2, CMDQEN bit 3 (the hypervisor sets up
     * the queues first). CR1: TABLE_SH [11:10] = ISH, TABLE_OC [9:8] and
     * TABLE_IC [7:6] = WB, QUEUE_SH/OC/IC [5:0] likewise. CR2: PTM bit 2,
     * RECINVSID bit 1. */
    sp->cr0 = 0x1u | 0x4u | 0x8u;
    sp->cr1 = (3u << 10) | (1u << 8) | (1u << 6) | (3u << 4) | (1u << 2) | 1u;
    sp->cr2 = (1u << 2) | (1u << 1);
}

/* Guests and their devices: the device list, each guest's stage-2
 * geometry and mappings, and its table count (the tables themselves are
 * built again by the emitter). Returns nonzero after reporting. */
static int place_guests(struct dtpass_ctx *ctx, struct placement *p)
{
    struct system *s = &ctx->sys;
    int bad = 0;
    p->nguests = s->guests.n;
    p->guests = xcalloc(p->nguests ? p->nguests : 1, sizeof(*p->guests));
    for (size_t gi = 0; gi < s->guests.n; gi++) {
        const struct sys_guest *g = &s->guests.v[gi];
        for (size_t d = 0; d < g->devices.n; d++) {
            struct dev_place *dp = VEC_ADD(&p->devices);
            dp->guest = (uint32_t)gi;
            dp->dev = &g->devices.v[d];
        }
    }
    for (size_t gi = 0; gi < s->guests.n; gi++) {
        struct guest_place *gp = &p->guests[gi];
        gp->g = &s->guests.v[gi];
        gp->vmid = gp->g->vmid;
        s2_geometry(p->ipa_bits, &gp->start_level, &gp->nroot);
        gp->vtcr = s2_vtcr(p->ipa_bits, p->pa_bits, gp->start_level, gp->vmid > 0xff);
    }
    int mapbad = guest_maps(ctx, p);
    bad |= mapbad;
    /* Placement needs only each guest's table count: build, count, and let
     * the next guest reuse the memory (the emitter builds them again). */
    struct s2_tables tabs = {0};
    for (size_t gi = 0; gi < s->guests.n; gi++) {
        struct guest_place *gp = &p->guests[gi];
        const char *why = NULL;
        uint64_t where = 0;
        int rc = mapbad ? 0 : s2_build(gp, &tabs, &why, &where);
        gp->ntables = rc || mapbad ? 0 : tabs.n;
        gp->size = (uint64_t)gp->ntables * 4096;
        if (rc) {
            diag_report(&ctx->diag,
                        rc == -2 ? CK_RANGE_WRAP : rc == -3 ? CK_HV_MEMORY : CK_IPA_OVERLAP, gp->g->pos,
                        "guest '%s': %s at guest address 0x%llx", gp->g->name, why,
                        (unsigned long long)where);
            bad = 1;
        }
        guest_dtb(gp);
    }
    s2_tables_free(&tabs);

    return bad;
}

/* SMMUs, in board order: the stream-ID runs each guest owns and, for an
 * SMMUv2, the context banks and the SMR cover within the SMMU's capacity.
 * Returns nonzero after reporting. */
static int place_smmus(struct dtpass_ctx *ctx, struct placement *p)
{
    struct system *s = &ctx->sys;
    struct board *b = &ctx->board;
    int bad = 0;
    p->nsmmus = b->nsmmus;
    p->smmus = xcalloc(p->nsmmus ? p->nsmmus : 1, sizeof(*p->smmus));
    for (size_t i = 0; i < b->nsmmus; i++) {
        struct smmu_place *sp = &p->smmus[i];
        const struct board_smmu *bs = &b->smmus[i];
        const struct smmu_limits *lim = &s->smmu_limits[i];
        sp->smmu = bs;
        sp->version = bs->version == SMMU_V2 ? 2 : 3;
        sp->sid_bits = lim->sid_bits;
        sp->nsmrs_max = lim->smrs;
        sp->ncbs_max = lim->context_banks;
        if (bs->node && bs->node->nmmio) {
            sp->reg_base = bs->node->mmio[0].base;
            sp->reg_size = bs->node->mmio[0].size;
        }
        for (size_t d = 0; d < p->devices.n; d++) {
            const struct sys_device *dev = p->devices.v[d].dev;
            for (size_t k = 0; k < dev->rsids.n; k++)
                if (dev->rsids.v[k].smmu == bs)
                    add_runs(sp, p->devices.v[d].guest, &dev->rsids.v[k], ctx, dev);
        }
        bad |= merge_runs(ctx, sp);
        if (sp->version == 2) {
            /* One context bank per guest with IDs here, in guest order. */
            bool *has = xcalloc(p->nguests ? p->nguests : 1, sizeof(*has));
            for (size_t r = 0; r < sp->sids.n; r++)
                has[sp->sids.v[r].guest] = true;
            for (size_t gi = 0; gi < p->nguests; gi++) {
                if (!has[gi])
                    continue;
                struct cb_place *cb = VEC_ADD(&sp->cbs);
                cb->guest = (uint32_t)gi;
                cb->vmid = p->guests[gi].vmid;
            }
            free(has);
            smmuv2_cover(p, sp);
            smmuv2_merge(sp);
            if (sp->smrs.n > sp->nsmrs_max || sp->cbs.n > sp->ncbs_max) {
                struct diag *dg = diag_report(&ctx->diag, CK_SMMU_CAPACITY,
                    s->smmu_limits[i].pos,
                    "%s needs %zu stream-match registers and %zu context banks, but has %u and %u",
                    bs->name, sp->smrs.n, sp->cbs.n, sp->nsmrs_max, sp->ncbs_max);
                if (dg && bs->node)
                    diag_node(dg, bs->node->path);
                if (dg)
                    diag_fix(dg, "give fewer stream IDs to guests on this SMMU, use contiguous "
                                 "aligned stream-ID ranges, or set the real capacity under "
                                 "platform: smmus:");
                bad = 1;
            }
        }
    }
    return bad;
}

/* Allocation: every SMMUv3 stream table and every guest's tables, by
 * alignment (largest first, then SMMUs in board order, then guests in
 * model order), bumped up from the start of the first hypervisor range.
 * Sizes are multiples of 4 KiB or of their alignment, so there is
 * little padding, and the result depends only on the inputs. Returns -1
 * after reporting when the tables do not fit. */
static int place_allocate(struct dtpass_ctx *ctx, struct placement *p)
{
    struct system *s = &ctx->sys;
    VEC(struct alloc_item) items = {0};
    for (size_t i = 0; i < p->nsmmus; i++) {
        struct smmu_place *sp = &p->smmus[i];
        if (sp->version != 3)
            continue;
        struct alloc_item *it = VEC_ADD(&items);
        smmuv3_geometry(sp, it);
        sp->span_size = it->size;
        it->pa = &sp->span_pa;
        it->order = items.n;
    }
    for (size_t gi = 0; gi < p->nguests; gi++) {
        struct guest_place *gp = &p->guests[gi];
        struct alloc_item *it = VEC_ADD(&items);
        it->size = gp->size;
        it->align = (uint64_t)gp->nroot * 4096;
        it->pa = &gp->pa;
        it->order = items.n;
    }
    if (items.n)
        qsort(items.v, items.n, sizeof(items.v[0]), cmp_item);
    uint64_t base = s->hyp_memory.n ? s->hyp_memory.v[0].base : 0;
    uint64_t avail = s->hyp_memory.n ? s->hyp_memory.v[0].size : 0;
    uint64_t cur = base;
    bool overflow = false;
    for (size_t i = 0; i < items.n; i++) {
        uint64_t a = pow2_at_least(items.v[i].align);
        uint64_t aligned, end;
        if (!u64_add(cur, a - 1, &aligned)) {
            overflow = true;
            break;
        }
        aligned &= ~(a - 1);
        if (!u64_add(aligned, items.v[i].size, &end)) {
            overflow = true;
            break;
        }
        *items.v[i].pa = aligned;
        cur = end;
    }
    VEC_FREE(&items);
    uint64_t need = cur - base;
    if (!overflow && s->hyp_memory.n && need <= avail && need > HVDATA_MAX) {
        char nb[32];
        format_size(nb, sizeof(nb), need);
        diag_report(&ctx->diag, CK_HV_MEMORY, s->hyp_memory.v[0].pos,
                    "the generated tables would need %s; dtpass generates at most 1G of tables", nb);
        return -1;
    }
    if (overflow || !s->hyp_memory.n || need > avail) {
        char nb[32], ab[32];
        format_size(nb, sizeof(nb), need);
        format_size(ab, sizeof(ab), avail);
        struct srcpos pos = s->hyp_memory.n ? s->hyp_memory.v[0].pos : NOPOS;
        struct diag *dg;
        if (overflow)
            dg = diag_report(&ctx->diag, CK_HV_MEMORY, pos,
                             "the generated tables do not fit in the address space");
        else if (!s->hyp_memory.n)
            dg = diag_report(&ctx->diag, CK_HV_MEMORY, pos,
                             "no hypervisor memory: the generated tables need %s", nb);
        else
            dg = diag_report(&ctx->diag, CK_HV_MEMORY, pos,
                             "the generated tables need %s of hypervisor memory, but the first "
                             "hypervisor range has %s", nb, ab);
        if (dg)
            diag_fix(dg, "give `hypervisor: memory:` a first range of at least %s", nb);
        return -1;
    }
    p->load_pa = base;
    p->size = need;
    return 0;
}

/* The register values that depend on the allocation (STRTAB_BASE,
 * TTBR0), so the emitters only serialise. */
static void place_registers(struct placement *p)
{
    for (size_t i = 0; i < p->nsmmus; i++) {
        if (p->smmus[i].version == 3)
            smmuv3_registers(&p->smmus[i]);
        else
            smmuv2_registers(p, &p->smmus[i]);
    }
}

int lower_place(struct dtpass_ctx *ctx)
{
    struct system *s = &ctx->sys;
    struct placement *p = xcalloc(1, sizeof(*p));
    place_free(ctx->place);
    ctx->place = p;
    p->ipa_bits = s->ipa_bits ? s->ipa_bits : MODEL_DEFAULT_IPA_BITS;
    p->pa_bits = s->pa_bits ? s->pa_bits : MODEL_DEFAULT_PA_BITS;
    if (p->pa_bits > 48) {
        diag_report(&ctx->diag, CK_RANGE_WRAP, s->pa_bits_pos,
                    "pa-bits %u needs 52-bit descriptors, which dtpass does not generate; use 48 "
                    "or less", p->pa_bits);
        return -1;
    }
    int bad = place_guests(ctx, p);
    bad |= place_smmus(ctx, p);
    if (bad || place_allocate(ctx, p))
        return -1;
    place_registers(p);
    return 0;
}
