/* checks/irq.c — interrupts: irq-owner (a physical SPI used by devices of
 * different owners) and virq-conflict (two virtual interrupts of one guest
 * on one INTID, or a virtual SPI the GIC cannot have). Sorting, no pairs. */
#include <inttypes.h>

#include "checks/internal.h"

static int irq_use_cmp(const void *pa, const void *pb)
{
    const struct ck_irq_use *a = pa, *b = pb;
    if (a->intid != b->intid)
        return a->intid < b->intid ? -1 : 1;
    if (a->owner != b->owner)
        return a->owner < b->owner ? -1 : 1;
    return a->node->index < b->node->index ? -1 : a->node->index > b->node->index;
}

/* SGIs and PPIs (INTID < 32) are banked per CPU: owners on different CPUs
 * never share them. Only shared peripheral interrupts can be fought over.
 * The SMMUs' own interrupts are the hypervisor's. */
size_t ck_irq_uses(const struct ck *c, struct ck_irq_use **out)
{
    const struct board *b = c->b;
    VEC(struct ck_irq_use) uses = {0};
    for (uint32_t i = 0; i < b->nnodes; i++) {
        const struct board_node *n = b->nodes[i];
        uint32_t o = c->owner[n->index];
        if (o == OWNER_NONE && board_smmu_of(c->b, n))
            o = OWNER_HYP;
        if (o == OWNER_NONE)
            continue;
        for (uint32_t k = 0; k < n->nirqs; k++)
            if (n->irqs[k].gic && n->irqs[k].intid >= 32)
                VEC_PUSH(&uses, ((struct ck_irq_use){n->irqs[k].intid, o, n}));
    }
    ck_sort(uses.v, uses.n, sizeof(*uses.v), irq_use_cmp);
    *out = uses.v;
    return uses.n;
}

int check_irq_owner(struct ck *c)
{
    struct { struct ck_irq_use *v; size_t n; } uses;
    uses.n = ck_irq_uses(c, &uses.v);
    for (size_t i = 0; i < uses.n;) {
        size_t j = i + 1;
        while (j < uses.n && uses.v[j].intid == uses.v[i].intid)
            j++;
        /* Sorted by owner inside the group: another owner is a later entry. */
        size_t k = i + 1;
        while (k < j && uses.v[k].owner == uses.v[i].owner)
            k++;
        if (k < j) {
            const struct ck_irq_use *x = &uses.v[k], *y = &uses.v[i];
            /* Point at a written claim: prefer a guest over the implicit SMMU. */
            if (!c->owner_ref[x->node->index] && c->owner_ref[y->node->index]) {
                const struct ck_irq_use *t = x;
                x = y;
                y = t;
            }
            char ox[64], oy[64];
            const struct sys_ref *rx = c->owner_ref[x->node->index];
            const struct sys_ref *ry = c->owner_ref[y->node->index];
            struct diag *d = ck_report(
                c, "irq-owner", rx ? rx->pos : NOPOS,
                "interrupt INTID %" PRIu32 " (SPI %" PRIu32 ") is used by %s (%s) and %s (%s)",
                x->intid, x->intid - 32, x->node->path, ck_owner_str(c, x->owner, ox, sizeof(ox)),
                y->node->path, ck_owner_str(c, y->owner, oy, sizeof(oy)));
            ck_node(d, x->node);
            ck_node(d, y->node);
            if (ry)
                ck_note(d, ry->pos, y->node, "%s is given to %s here", y->node->path, oy);
            /* Every further owner of the line, once. */
            for (size_t m = k + 1; m < j; m++)
                if (uses.v[m].owner != uses.v[m - 1].owner) {
                    const struct sys_ref *rm = c->owner_ref[uses.v[m].node->index];
                    char om[64];
                    ck_note(d, rm ? rm->pos : NOPOS, uses.v[m].node, "also used by %s (%s)",
                            uses.v[m].node->path,
                            ck_owner_str(c, uses.v[m].owner, om, sizeof(om)));
                }
            diag_fix(d, "a shared interrupt line cannot be split: give these devices to one owner");
        }
        i = j;
    }
    free(uses.v);
    return 0;
}

/* --- virq-conflict --------------------------------------------------------- */

struct virq {
    uint32_t vintid;
    uint32_t pintid; /* UINT32_MAX for a doorbell */
    struct srcpos pos;
    const struct board_node *node; /* NULL for a doorbell */
    const char *shm;               /* doorbell: the shared region */
    uint32_t order;
};

static int virq_cmp(const void *pa, const void *pb)
{
    const struct virq *a = pa, *b = pb;
    if (a->vintid != b->vintid)
        return a->vintid < b->vintid ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static struct srcpos remap_pos(const struct sys_device *dev, uint32_t pintid)
{
    for (size_t i = 0; i < dev->irqs.n; i++)
        if (dev->irqs.v[i].phys + 32 == pintid)
            return dev->irqs.v[i].pos;
    return dev->ref.pos;
}

static char *virq_desc(const struct virq *v)
{
    if (!v->node)
        return xasprintf("the doorbell of shared region %s", v->shm);
    if (v->pintid != v->vintid)
        return xasprintf("%s (physical INTID %" PRIu32 ", remapped)", v->node->path, v->pintid);
    return xasprintf("%s (physical INTID %" PRIu32 ")", v->node->path, v->pintid);
}

int check_virq_conflict(struct ck *c)
{
    const struct system *s = c->sys;
    size_t ng = s->guests.n;
    /* The SPI range first, where it is written. */
    for (size_t g = 0; g < ng; g++)
        for (size_t i = 0; i < s->guests.v[g].devices.n; i++) {
            const struct sys_device *dev = &s->guests.v[g].devices.v[i];
            for (size_t k = 0; k < dev->irqs.n; k++)
                if (dev->irqs.v[k].virt > CK_SPI_MAX)
                    diag_fix(ck_report(c, "virq-conflict", dev->irqs.v[k].pos,
                                       "virtual SPI %" PRIu32 " is outside 0..%u (INTID 32..1019)",
                                       dev->irqs.v[k].virt, CK_SPI_MAX),
                             "remap to a free SPI of guest %s", s->guests.v[g].name);
        }
    VEC(struct virq) *by_guest = xcalloc(ng ? ng : 1, sizeof(*by_guest));
    uint32_t order = 0;
    for (size_t i = 0; i < s->shared.n; i++)
        for (size_t j = 0; j < s->shared.v[i].peers.n; j++) {
            const struct sys_peer *p = &s->shared.v[i].peers.v[j];
            if (!p->has_doorbell)
                continue;
            if (p->doorbell > CK_SPI_MAX) {
                ck_report(c, "virq-conflict", p->doorbell_pos,
                          "doorbell SPI %" PRIu32 " is outside 0..%u (INTID 32..1019)", p->doorbell,
                          CK_SPI_MAX);
                continue;
            }
            if (p->guest_index >= 0 && (size_t)p->guest_index < ng)
                VEC_PUSH(&by_guest[p->guest_index],
                         ((struct virq){p->doorbell + 32, UINT32_MAX, p->doorbell_pos, NULL,
                                        s->shared.v[i].name, order++}));
        }
    for (size_t g = 0; g < ng; g++) {
        const struct sys_guest *gu = &s->guests.v[g];
        for (size_t i = 0; i < gu->devices.n; i++) {
            const struct sys_device *dev = &gu->devices.v[i];
            for (size_t k = 0; k < dev->rirqs.n; k++) {
                const struct res_irq *r = &dev->rirqs.v[k];
                if (r->vintid > CK_SPI_MAX + 32)
                    continue; /* reported above */
                VEC_PUSH(&by_guest[g],
                         ((struct virq){r->vintid, r->pintid,
                                        r->vintid != r->pintid ? remap_pos(dev, r->pintid)
                                                               : dev->ref.pos,
                                        dev->ref.node, NULL, order++}));
            }
        }
        struct virq *v = by_guest[g].v;
        size_t n = by_guest[g].n;
        ck_sort(v, n, sizeof(*v), virq_cmp);
        for (size_t i = 0; i < n;) {
            size_t j = i + 1;
            while (j < n && v[j].vintid == v[i].vintid)
                j++;
            /* One physical line reaching several devices of the guest (a
             * shared interrupt) is one virtual interrupt: only a different
             * source on the same INTID collides. */
            for (size_t k = i + 1; k < j; k++) {
                if (v[k].pintid == v[i].pintid && v[k].pintid != UINT32_MAX)
                    continue;
                char *dk = virq_desc(&v[k]), *di = virq_desc(&v[i]);
                struct diag *d = ck_report(c, "virq-conflict", v[k].pos,
                                           "virtual INTID %" PRIu32 " (SPI %" PRIu32
                                           ") of guest %s is used by %s and by %s",
                                           v[k].vintid, v[k].vintid - 32, gu->name, dk, di);
                ck_node(d, v[k].node);
                ck_note(d, v[i].pos, v[i].node, "%s is here", di);
                const struct virq *dv = v[k].node ? &v[k] : v[i].node ? &v[i] : NULL;
                if (dv)
                    diag_fix(d, "remap %s to a free SPI (irqs: { %" PRIu32 ": N })",
                             dv->node->path, dv->pintid - 32);
                else
                    diag_fix(d, "give one doorbell another SPI");
                free(dk);
                free(di);
                break; /* one finding per INTID */
            }
            i = j;
        }
    }
    for (size_t g = 0; g < ng; g++)
        VEC_FREE(&by_guest[g]);
    free(by_guest);
    return 0;
}
