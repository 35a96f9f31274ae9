/* lower/quiesce.c — lower_quiesce: the per-guest plan that stops every DMA
 * master of a guest before its memory is reused (lower/quiesce.h). It reads
 * what the earlier stages decided — the DMA-master flag and stream IDs from
 * resolve, the `resets` and `power-domains` specifiers from the board, the
 * SMMUv2 SMR cover from the placement — and only orders it. */
#include <stdlib.h>
#include <string.h>

#include "dtpass.h"
#include "lower/place.h"
#include "lower/quiesce.h"

const char *qs_kind_name(enum qs_kind k)
{
    switch (k) {
    case QS_ABORT_STE: return "abort-ste";
    case QS_FAULT_S2CR: return "fault-s2cr";
    case QS_RESET: return "reset";
    case QS_POWER_OFF: return "power-off";
    case QS_HAZARD: return "hazard";
    case QS_SCRUB: return "scrub";
    }
    return "?";
}

static uint32_t smmu_index(const struct board *b, const struct board_smmu *s)
{
    return s && s >= b->smmus && s < b->smmus + b->nsmmus ? (uint32_t)(s - b->smmus) : QS_NONE;
}

/* Whether SMR r matches any stream ID of the set (sid, mask, count): two
 * masked sets meet when they agree on the bits neither masks; a range
 * (iommu-map on an SMMUv2, at most 2^16 IDs) is tried ID by ID. */
static bool smr_meets(const struct smr_place *r, const struct res_sid *s)
{
    uint32_t count = s->count ? s->count : 1;
    if (count == 1)
        return ((r->id ^ s->sid) & ~(r->mask | s->mask)) == 0;
    for (uint64_t id = s->sid; id < (uint64_t)s->sid + count && id <= 0xffff; id++)
        if ((((uint32_t)id ^ r->id) & ~r->mask) == 0)
            return true;
    return false;
}

static bool is_master(const struct sys_device *dev)
{
    return dev->ref.node && (dev->is_dma || dev->rsids.n);
}

/* A step of kind 1-4 stops its device; a master with none is a hazard. */
static void push_step(struct quiesce_plan *q, bool *stopped, const struct qs_step *st)
{
    if (st->kind != QS_HAZARD && st->kind != QS_SCRUB)
        stopped[st->device] = true;
    VEC_PUSH(&q->steps, *st);
}

static void add_specs(struct quiesce_plan *q, bool *stopped, const uint32_t *holder,
                      const struct qs_step *base, const char *prop, enum qs_kind kind)
{
    const struct board_node *n = base->dev->ref.node;
    uint32_t count = board_specifiers(n, prop, NULL, 0);
    if (!count)
        return;
    struct board_spec *sp = xcalloc(count, sizeof(*sp));
    board_specifiers(n, prop, sp, count);
    for (uint32_t k = 0; k < count; k++) {
        struct qs_step st = *base;
        st.kind = kind;
        st.provider = sp[k].provider;
        st.holder = holder[sp[k].provider->index];
        if (sp[k].provider->nmmio) {
            st.reg_base = sp[k].provider->mmio[0].base;
            st.reg_size = sp[k].provider->mmio[0].size;
        }
        st.first_cell = (uint32_t)q->cells.n;
        st.ncells = sp[k].ncells;
        for (uint32_t c = 0; c < sp[k].ncells; c++)
            VEC_PUSH(&q->cells, board_spec_cell(&sp[k], c));
        push_step(q, stopped, &st);
    }
    free(sp);
}

/* The steps of kind for device d (guest gi). */
static void device_steps(struct quiesce_plan *q, const struct dtpass_ctx *ctx, bool *stopped,
                         const uint32_t *holder, uint32_t gi, uint32_t d, enum qs_kind kind)
{
    const struct placement *p = ctx->place;
    const struct sys_device *dev = p->devices.v[d].dev;
    struct qs_step base = {.kind = kind, .guest = gi, .device = d, .dev = dev, .smmu = QS_NONE,
                           .holder = QS_NONE};
    const struct board_node *n = dev->ref.node;
    switch (kind) {
    case QS_ABORT_STE:
    case QS_FAULT_S2CR:
        for (size_t k = 0; k < dev->rsids.n; k++) {
            const struct res_sid *rs = &dev->rsids.v[k];
            uint32_t si = smmu_index(&ctx->board, rs->smmu);
            if (si == QS_NONE || si >= p->nsmmus)
                continue;
            const struct smmu_place *sp = &p->smmus[si];
            struct qs_step st = base;
            st.smmu = si;
            if (kind == QS_ABORT_STE && sp->version == 3) {
                st.sid = rs->sid;
                st.count = rs->count ? rs->count : 1;
                push_step(q, stopped, &st);
            } else if (kind == QS_FAULT_S2CR && sp->version == 2) {
                for (size_t r = 0; r < sp->smrs.n; r++)
                    if (sp->smrs.v[r].guest == gi && smr_meets(&sp->smrs.v[r], rs)) {
                        st.sid = (uint32_t)r;
                        st.count = 1;
                        push_step(q, stopped, &st);
                    }
            }
        }
        break;
    case QS_RESET:
        if (n->has_resets)
            add_specs(q, stopped, holder, &base, "resets", QS_RESET);
        break;
    case QS_POWER_OFF:
        if (n->has_power_domains)
            add_specs(q, stopped, holder, &base, "power-domains", QS_POWER_OFF);
        break;
    case QS_HAZARD:
        /* Whatever the reason no step above could be made (the dma-reset
         * finding, or a specifier that does not decode): listed, not hidden. */
        if (!stopped[d])
            push_step(q, stopped, &base);
        break;
    case QS_SCRUB:
        break;
    }
}

int lower_quiesce(struct dtpass_ctx *ctx)
{
    const struct placement *p = ctx->place;
    const struct board *b = &ctx->board;
    const struct system *s = &ctx->sys;
    struct quiesce_plan *q = xcalloc(1, sizeof(*q));
    q->nguests = p->nguests;
    q->guests = xcalloc(p->nguests ? p->nguests : 1, sizeof(*q->guests));

    /* Who holds each board node a reset or power line may come from. */
    uint32_t *holder = xmalloc((b->nnodes ? b->nnodes : 1) * sizeof(*holder));
    for (uint32_t i = 0; i < b->nnodes; i++)
        holder[i] = QS_HOLDER_NOBODY;
    for (size_t i = 0; i < s->hyp_devices.n; i++)
        if (s->hyp_devices.v[i].node)
            holder[s->hyp_devices.v[i].node->index] = QS_HOLDER_HYP;
    for (size_t d = 0; d < p->devices.n; d++)
        if (p->devices.v[d].dev->ref.node)
            holder[p->devices.v[d].dev->ref.node->index] = p->devices.v[d].guest;

    bool *stopped = xcalloc(p->devices.n ? p->devices.n : 1, sizeof(*stopped));
    /* place->devices is in guest order: one contiguous run per guest. */
    size_t d0 = 0;
    for (uint32_t gi = 0; gi < p->nguests; gi++) {
        size_t d1 = d0;
        while (d1 < p->devices.n && p->devices.v[d1].guest == gi)
            d1++;
        struct qs_guest *qg = &q->guests[gi];
        qg->first = q->steps.n;
        for (size_t d = d0; d < d1; d++)
            if (is_master(p->devices.v[d].dev))
                qg->nmasters++;
        for (enum qs_kind k = QS_ABORT_STE; k <= QS_HAZARD; k++)
            for (size_t d = d0; d < d1; d++)
                if (is_master(p->devices.v[d].dev))
                    device_steps(q, ctx, stopped, holder, gi, (uint32_t)d, k);
        for (size_t i = qg->first; i < q->steps.n; i++)
            qg->nhazards += q->steps.v[i].kind == QS_HAZARD;
        VEC_PUSH(&q->steps, ((struct qs_step){.kind = QS_SCRUB, .guest = gi, .device = QS_NONE,
                                              .smmu = QS_NONE, .holder = QS_NONE}));
        qg->n = q->steps.n - qg->first;
        d0 = d1;
    }
    free(holder);
    free(stopped);
    ctx->quiesce = q;
    return 0;
}

void quiesce_free(struct quiesce_plan *q)
{
    if (!q)
        return;
    VEC_FREE(&q->steps);
    VEC_FREE(&q->cells);
    free(q->guests);
    free(q);
}
