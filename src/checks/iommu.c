/* checks/iommu.c — DMA isolation: sid-owner (a stream ID, SMMUv2 ID/mask
 * match or PCI requester-ID alias reachable by devices of different
 * owners), sid-range (beyond the SMMU's sid-bits), dma-no-iommu (a bus
 * master the SMMU does not translate) and dma-reset (a bus master nothing
 * can stop). smmu-capacity is reported by the SMMUv2 lowering. */
#include <inttypes.h>

#include "checks/internal.h"

static int sid_use_cmp(const void *pa, const void *pb)
{
    const struct ck_sid_use *a = pa, *b = pb;
    if (a->smmu != b->smmu)
        return a->smmu < b->smmu ? -1 : 1;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static uint32_t smmu_index(const struct ck *c, const struct board_smmu *sm)
{
    return sm && sm >= c->b->smmus && sm < c->b->smmus + c->b->nsmmus
               ? (uint32_t)(sm - c->b->smmus)
               : UINT32_MAX;
}

/* Every stream-ID set of every owned device: guests' from resolve (board
 * `iommus`/`iommu-map` or `stream-ids:`), the hypervisor's from the board,
 * and those of nodes owned without a claim in the system (the units of
 * units.c, where each device is its own owner) from the board too. */
size_t ck_collect_sids(const struct ck *c, struct ck_sid_use **out)
{
    const struct system *s = c->sys;
    VEC(struct ck_sid_use) v = {0};
    uint32_t order = 0;
    for (size_t i = 0; i < s->hyp_devices.n; i++) {
        const struct board_node *n = s->hyp_devices.v[i].node;
        if (!n || c->owner_ref[n->index] != &s->hyp_devices.v[i])
            continue;
        for (uint32_t k = 0; k < n->nsids; k++) {
            const struct board_sid *bs = &n->sids[k];
            struct ck_sid_use u = {smmu_index(c, board_smmu_of(c->b, bs->smmu)),
                                {bs->sid, bs->mask, bs->count},
                                0, 0, OWNER_HYP, n, s->hyp_devices.v[i].pos, order++};
            if (u.smmu != UINT32_MAX)
                VEC_PUSH(&v, u);
        }
    }
    for (size_t g = 0; g < s->guests.n; g++)
        for (size_t i = 0; i < s->guests.v[g].devices.n; i++) {
            const struct sys_device *dev = &s->guests.v[g].devices.v[i];
            const struct board_node *n = dev->ref.node;
            if (!n || c->owner_ref[n->index] != &dev->ref)
                continue;
            for (size_t k = 0; k < dev->rsids.n; k++) {
                const struct res_sid *rs = &dev->rsids.v[k];
                struct ck_sid_use u = {smmu_index(c, rs->smmu),
                                    {rs->sid, rs->mask, rs->count},
                                    0, 0, owner_guest(g), n,
                                    dev->stream_ids.n ? dev->sids_pos : dev->ref.pos, order++};
                if (u.smmu != UINT32_MAX)
                    VEC_PUSH(&v, u);
            }
        }
    for (uint32_t i = 0; i < c->b->nnodes; i++) {
        const struct board_node *n = c->b->nodes[i];
        if (c->owner[i] == OWNER_NONE || c->owner_ref[i])
            continue;
        for (uint32_t k = 0; k < n->nsids; k++) {
            const struct board_sid *bs = &n->sids[k];
            struct ck_sid_use u = {smmu_index(c, board_smmu_of(c->b, bs->smmu)),
                                   {bs->sid, bs->mask, bs->count},
                                   0, 0, c->owner[i], n, NOPOS, order++};
            if (u.smmu != UINT32_MAX)
                VEC_PUSH(&v, u);
        }
    }
    for (size_t i = 0; i < v.n; i++) {
        v.v[i].lo = ck_sid_lo(v.v[i].set);
        v.v[i].hi = ck_sid_hi(v.v[i].set);
    }
    *out = v.v;
    return v.n;
}

static void sid_text(char *buf, size_t len, struct ck_sidset s)
{
    if (s.mask)
        snprintf(buf, len, "0x%" PRIx32 " mask 0x%" PRIx32, s.sid, s.mask);
    else if (s.count > 1)
        snprintf(buf, len, "0x%" PRIx32 "-0x%" PRIx64, s.sid, (uint64_t)s.sid + s.count - 1);
    else
        snprintf(buf, len, "0x%" PRIx32, s.sid);
}

static void check_pci_alias(struct ck *c);

/* Per SMMU, sorted by the smallest ID a set can match: a set can only meet
 * sets whose span [lo, hi] reaches it, kept in an active list pruned as the
 * sweep advances; the exact test (ck_sid_intersect) runs on those only. */
void ck_sid_sweep(struct ck_sid_use *u, size_t n, bool every, ck_sid_pair_fn fn, void *arg)
{
    ck_sort(u, n, sizeof(*u), sid_use_cmp);
    VEC(size_t) active = {0};
    for (size_t i = 0; i < n; i++) {
        if (i && u[i].smmu != u[i - 1].smmu)
            active.n = 0;
        size_t keep = 0;
        bool hit = false;
        for (size_t k = 0; k < active.n; k++) {
            const struct ck_sid_use *a = &u[active.v[k]];
            if (a->hi < u[i].lo)
                continue; /* never reaches a later set: drop */
            active.v[keep++] = active.v[k];
            if ((every || !hit) && a->owner != u[i].owner && ck_sid_intersect(a->set, u[i].set)) {
                fn(arg, &u[i], a);
                hit = true;
            }
        }
        active.n = keep;
        VEC_PUSH(&active, i);
    }
    VEC_FREE(&active);
}

static void sid_pair(void *arg, const struct ck_sid_use *x, const struct ck_sid_use *y)
{
    struct ck *c = arg;
    char sx[48], sy[48], ox[64], oy[64];
    sid_text(sx, sizeof(sx), x->set);
    sid_text(sy, sizeof(sy), y->set);
    const struct board_smmu *sm = &c->b->smmus[x->smmu];
    struct diag *d = ck_report(c, "sid-owner", x->pos,
                               "stream ID %s of %s (%s) and stream ID %s of %s (%s) match the "
                               "same stream on %s: DMA of one owner would be translated for the "
                               "other",
                               sx, x->node->path, ck_owner_str(c, x->owner, ox, sizeof(ox)), sy,
                               y->node->path, ck_owner_str(c, y->owner, oy, sizeof(oy)),
                               sm->node->path);
    ck_node(d, x->node);
    ck_node(d, y->node);
    ck_note(d, y->pos, y->node, "%s is given to %s here", y->node->path, oy);
    diag_fix(d, "devices behind one stream ID form one IOMMU group: give them to one owner");
}

int check_sid_owner(struct ck *c)
{
    struct ck_sid_use *u;
    size_t n = ck_collect_sids(c, &u);
    ck_sid_sweep(u, n, false, sid_pair, c);
    free(u);
    check_pci_alias(c);
    return 0;
}

/* PCI: iommu-map-mask folds requester IDs together before the lookup, so
 * endpoints whose masked RIDs are equal share a stream ID (an IOMMU group the
 * DT does not spell out). An endpoint's RID is bus/device/function from the
 * first cell of its `reg` (phys.hi bits 23..8); the bridge node itself
 * stands for every RID. */
static int pci_use_cmp(const void *pa, const void *pb)
{
    const struct ck_pci_use *a = pa, *b = pb;
    if (a->bridge != b->bridge)
        return a->bridge < b->bridge ? -1 : 1;
    if (a->rid != b->rid)
        return a->rid < b->rid ? -1 : 1;
    if (a->owner != b->owner)
        return a->owner < b->owner ? -1 : 1;
    return a->node->index < b->node->index ? -1 : a->node->index > b->node->index;
}

const struct board_sid *ck_pci_aliasing_map(const struct board_node *p)
{
    for (uint32_t k = 0; p->pci_host && k < p->nsids; k++)
        if (p->sids[k].from_map && p->sids[k].map_mask != 0xffffffffu)
            return &p->sids[k];
    return NULL;
}

static void pci_alias_report(struct ck *c, const struct board_node *br, const struct board_node *x,
                             const struct board_node *y, uint32_t mask)
{
    char ox[64], oy[64];
    const struct sys_ref *rx = c->owner_ref[x->index], *ry = c->owner_ref[y->index];
    struct diag *d = ck_report(c, "sid-owner", rx ? rx->pos : NOPOS,
                               "%s (%s) and %s (%s) are behind host bridge %s, whose "
                               "iommu-map-mask 0x%" PRIx32 " gives their requester IDs one stream ID",
                               x->path, ck_owner_str(c, c->owner[x->index], ox, sizeof(ox)), y->path,
                               ck_owner_str(c, c->owner[y->index], oy, sizeof(oy)), br->path, mask);
    ck_node(d, br);
    if (ry)
        ck_note(d, ry->pos, y, "%s is given to %s here", y->path, oy);
    diag_fix(d, "endpoints that share a stream ID form one IOMMU group: give them to one owner");
}

size_t ck_pci_uses(const struct ck *c, struct ck_pci_use **out, const struct board_node ***whole_out)
{
    const struct board *b = c->b;
    VEC(struct ck_pci_use) v = {0};
    const struct board_node **whole = xcalloc(b->nnodes ? b->nnodes : 1, sizeof(*whole));
    for (uint32_t i = 0; i < b->nnodes; i++) {
        const struct board_node *n = b->nodes[i];
        if (c->owner[n->index] == OWNER_NONE)
            continue;
        const struct board_node *br = NULL;
        const struct board_sid *map = NULL;
        for (const struct board_node *p = n; p && !br; p = p->parent)
            if ((map = ck_pci_aliasing_map(p)))
                br = p;
        if (!br)
            continue;
        if (br == n) {
            if (!whole[br->index])
                whole[br->index] = n;
            continue;
        }
        struct board_prop reg = board_prop(n, "reg");
        if (!reg.name || reg.len < 4)
            continue;
        uint32_t rid = (get_be32(reg.val) >> 8) & 0xffff;
        VEC_PUSH(&v, ((struct ck_pci_use){br->index, rid & map->map_mask, c->owner[n->index], n}));
    }
    ck_sort(v.v, v.n, sizeof(*v.v), pci_use_cmp);
    *out = v.v;
    *whole_out = whole;
    return v.n;
}

static void check_pci_alias(struct ck *c)
{
    const struct board *b = c->b;
    struct { struct ck_pci_use *v; size_t n; } v;
    const struct board_node **whole;
    v.n = ck_pci_uses(c, &v.v, &whole);
    for (size_t i = 0; i < v.n; i++) {
        const struct ck_pci_use *u = &v.v[i];
        const struct board_node *br = b->nodes[u->bridge];
        const struct board_node *w = whole[u->bridge];
        if (w && c->owner[w->index] != u->owner) {
            pci_alias_report(c, br, u->node, w, ck_pci_aliasing_map(br)->map_mask);
            continue;
        }
        /* Sorted by owner inside a (bridge, RID) group: compare with its first. */
        size_t f = i;
        while (f > 0 && v.v[f - 1].bridge == u->bridge && v.v[f - 1].rid == u->rid)
            f--;
        if (v.v[f].owner != u->owner)
            pci_alias_report(c, br, u->node, v.v[f].node, ck_pci_aliasing_map(br)->map_mask);
    }
    free(v.v);
    free(whole);
}

int check_sid_range(struct ck *c)
{
    struct ck_sid_use *u;
    size_t n = ck_collect_sids(c, &u);
    for (size_t i = 0; i < n; i++) {
        const struct board_smmu *sm = &c->b->smmus[u[i].smmu];
        uint32_t bits = ck_sid_bits(c, sm);
        uint64_t max = bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
        if (u[i].hi <= max)
            continue;
        char sx[48];
        sid_text(sx, sizeof(sx), u[i].set);
        struct diag *d = ck_report(c, "sid-range", u[i].pos,
                                   "stream ID %s of %s does not fit the %" PRIu32
                                   "-bit stream IDs of %s (SMMUv%d, largest 0x%" PRIx64 ")",
                                   sx, u[i].node->path, bits, sm->node->path, (int)sm->version, max);
        ck_node(d, u[i].node);
        ck_node(d, sm->node);
        diag_fix(d, "check the stream ID, or set `sid-bits` for %s under platform smmus",
                 sm->node->path);
    }
    free(u);
    return 0;
}

/* The first node below n (depth first) with stream IDs, or NULL. */
static const struct board_node *subtree_with_sids(const struct board_node *n)
{
    for (const struct board_node *p = n->first_child; p;) {
        if (p->nsids)
            return p;
        if (p->first_child) {
            p = p->first_child;
            continue;
        }
        while (p && p != n && !p->next_sibling)
            p = p->parent;
        p = p && p != n ? p->next_sibling : NULL;
    }
    return NULL;
}

int check_dma_no_iommu(struct ck *c)
{
    const struct system *s = c->sys;
    for (size_t g = 0; g < s->guests.n; g++)
        for (size_t i = 0; i < s->guests.v[g].devices.n; i++) {
            const struct sys_device *dev = &s->guests.v[g].devices.v[i];
            /* One finding per device: a second claim is dev-owner's. */
            if (!dev->is_dma || dev->rsids.n || !dev->ref.node ||
                c->owner_dev[dev->ref.node->index] != dev)
                continue;
            const char *why = dev->dma_reason ? dev->dma_reason
                              : dev->ref.node->dma_reason ? dev->ref.node->dma_reason
                                                          : "a DMA master";
            struct diag *d;
            if (dev->unsafe_no_iommu && dev->unsafe_no_iommu[0]) {
                d = ck_report_sev(c, "dma-no-iommu", SEV_WARNING,
                                  dev->unsafe_pos.line ? dev->unsafe_pos : dev->ref.pos,
                                  "%s of guest %s is a DMA master (%s) without IOMMU translation, "
                                  "accepted as unsafe: \"%s\"",
                                  dev->ref.node->path, s->guests.v[g].name, why,
                                  dev->unsafe_no_iommu);
                ck_node(d, dev->ref.node);
                continue;
            }
            d = ck_report(c, "dma-no-iommu", dev->ref.pos,
                          "%s of guest %s is a DMA master (%s) without IOMMU translation: it can "
                          "read and write any physical memory",
                          dev->ref.node->path, s->guests.v[g].name, why);
            ck_node(d, dev->ref.node);
            /* A wrapper node (a USB glue block) whose child carries the
             * `iommus`: say where the stream IDs are. */
            const struct board_node *sub = subtree_with_sids(dev->ref.node);
            if (sub) {
                char sx[48];
                sid_text(sx, sizeof(sx),
                         (struct ck_sidset){sub->sids[0].sid, sub->sids[0].mask, sub->sids[0].count});
                ck_note(d, NOPOS, sub, "%s below it has stream ID %s on %s", sub->path, sx,
                        sub->sids[0].smmu ? sub->sids[0].smmu->path : "?");
            }
            if (dev->unsafe_no_iommu)
                ck_note(d, dev->unsafe_pos, NULL, "unsafe-no-iommu needs a reason");
            if (c->b->nsmmus)
                diag_fix(d, "give its stream IDs (`stream-ids:` and `smmu: %s`), set `dma: false` "
                            "if it is not a bus master, or accept the risk with "
                            "`unsafe-no-iommu: \"reason\"`",
                         c->b->smmus[0].node->path);
            else
                diag_fix(d, "the board has no SMMU: set `dma: false` if it is not a bus master, or "
                            "accept the risk with `unsafe-no-iommu: \"reason\"`");
        }
    return 0;
}

int check_dma_reset(struct ck *c)
{
    const struct system *s = c->sys;
    for (size_t g = 0; g < s->guests.n; g++)
        for (size_t i = 0; i < s->guests.v[g].devices.n; i++) {
            const struct sys_device *dev = &s->guests.v[g].devices.v[i];
            const struct board_node *n = dev->ref.node;
            if (!n || !dev->is_dma || dev->rsids.n || n->has_resets || n->has_power_domains ||
                c->owner_dev[n->index] != dev)
                continue;
            struct diag *d = ck_report(c, "dma-reset", dev->ref.pos,
                                       "nothing can stop the DMA of %s (guest %s): its quiesce plan "
                                       "has no SMMU step (no stream ID), no reset step (no `resets`) "
                                       "and no power-off step (no `power-domains`), so it is listed "
                                       "as a hazard; after a crash or reboot of guest %s it may keep "
                                       "writing memory",
                                       n->path, s->guests.v[g].name, s->guests.v[g].name);
            ck_node(d, n);
            diag_fix(d, "put it behind the SMMU, or give the board node its `resets` or "
                        "`power-domains` so the hypervisor can quiesce it");
        }
    return 0;
}
