/* resolve/resolve.c — binds the system model to the board (docs/yaml.md,
 * "Resolution"): every node reference (platform SMMUs, hypervisor devices,
 * guest devices and their `smmu:`, stdout), guest CPU indices, shared-region
 * peers, and per assigned device the resolved resources:
 *
 *   regs   every board reg entry as CPU physical range; the guest address is
 *          the PA (identity) unless `ipa:` moves the first entry, in which
 *          case every other entry keeps its offset from the first;
 *   rirqs  the interrupts that reach the GIC, physical INTID -> guest INTID
 *          (`irqs:` remaps SPI numbers: INTID = SPI + 32; PPIs and
 *          unremapped SPIs are identity); interrupts through other
 *          controllers are left to the irq-parent check;
 *   rsids  `stream-ids:` on the `smmu:` node when given, else the board's
 *          `iommus`/`iommu-map` entries on SMMUs dtpass knows;
 *   is_dma `dma:` from the system file, else the board's decision.
 *
 * One pass over the model with hash lookups on the board: linear. Returns
 * -1 when a reference could not be bound, since the checks need every
 * reference resolved; everything else is left to the checks. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "front/front_util.h"
#include "resolve/resolve.h"

#define MAX_HINTS 16 /* unknown references that get a "did you mean" search */

struct rctx {
    struct dtpass_ctx *ctx;
    const struct board *b;
    struct diag_sink *d;
    size_t failures;
    size_t hints;
};

/* The last path component of a missing path, compared with the children of
 * its parent (when that exists): catches a wrong unit address or a typo. */
static const char *hint_path(const struct board *b, const char *path, char **owned)
{
    const char *slash = strrchr(path, '/');
    *owned = NULL;
    if (!slash || !slash[1])
        return NULL;
    char *parent = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
    struct board_node *p = board_lookup(b, parent);
    free(parent);
    if (!p)
        return NULL;
    const char *best = NULL;
    size_t bestd = (size_t)-1, cap = strlen(slash + 1) / 2 + 1;
    for (struct board_node *c = p->first_child; c; c = c->next_sibling) {
        size_t dist = front_edit_distance(slash + 1, c->name, cap);
        if (dist <= cap && (dist < bestd || (dist == bestd && strcmp(c->path, best) < 0))) {
            bestd = dist;
            best = c->path;
        }
    }
    return best;
}

static const char *hint_label(const struct board *b, const char *label)
{
    const char *best = NULL;
    size_t bestd = (size_t)-1, cap = strlen(label) / 3 + 1;
    for (uint32_t i = 0; i < b->nnodes; i++) {
        const char *l = board_node_label(b->nodes[i]);
        if (!l)
            continue;
        size_t dist = front_edit_distance(label, l, cap);
        if (dist <= cap && (dist < bestd || (dist == bestd && strcmp(l, best) < 0))) {
            bestd = dist;
            best = l;
        }
    }
    return best;
}

static const char *hint_alias(const struct board *b, const char *alias)
{
    struct board_node *al = board_lookup(b, "/aliases");
    const char *best = NULL;
    size_t bestd = (size_t)-1, cap = strlen(alias) / 3 + 1;
    for (struct board_prop p = al ? board_prop_first(al) : (struct board_prop){0}; p.name;
         p = board_prop_next(al, p)) {
        const char *n = p.name;
        size_t dist = front_edit_distance(alias, n, cap);
        if (dist <= cap && (dist < bestd || (dist == bestd && strcmp(n, best) < 0))) {
            bestd = dist;
            best = n;
        }
    }
    return best;
}

static bool board_has_labels(const struct board *b)
{
    for (uint32_t i = 0; i < b->nnodes; i++)
        if (board_node_label(b->nodes[i]))
            return true;
    return false;
}

static struct board_node *bind(struct rctx *r, struct sys_ref *ref, const char *what)
{
    ref->node = NULL;
    if (!ref->text)
        return NULL;
    ref->node = board_lookup(r->b, ref->text);
    if (ref->node)
        return ref->node;
    r->failures++;
    const char *kind = ref->text[0] == '/' ? "node" : ref->text[0] == '&' ? "label" : "alias";
    struct diag *dg = diag_report(r->d, "ref-unknown", ref->pos, "%s: the board has no %s '%s'",
                                  what, kind, ref->text);
    if (r->hints++ >= MAX_HINTS)
        return NULL;
    char *owned = NULL;
    const char *hint = NULL;
    if (ref->text[0] == '/')
        hint = hint_path(r->b, ref->text, &owned);
    else if (ref->text[0] == '&')
        hint = hint_label(r->b, ref->text + 1);
    else
        hint = hint_alias(r->b, ref->text);
    if (hint)
        diag_fix(dg, "did you mean '%s%s'?", ref->text[0] == '&' ? "&" : "", hint);
    else if (ref->text[0] == '&' && !board_has_labels(r->b))
        diag_note(dg, NOPOS, NULL,
                  "this board defines no labels: use a path or an alias (labels need the "
                  "board's DTS source, or a DTB built with `dtc -@`)");
    else if (ref->text[0] != '/' && ref->text[0] != '&' && !board_lookup(r->b, "/aliases"))
        diag_note(dg, NOPOS, NULL, "this board has no /aliases node: use a path");
    free(owned);
    return NULL;
}

static const struct board_smmu *bind_smmu(struct rctx *r, struct sys_ref *ref, const char *what)
{
    struct board_node *n = bind(r, ref, what);
    if (!n)
        return NULL;
    const struct board_smmu *s = board_smmu_of(r->b, n);
    if (!s) {
        r->failures++;
        struct diag *dg;
        if (strcmp(ref->text, n->path))
            dg = diag_report(r->d, "ref-unknown", ref->pos,
                             "%s: '%s' (%s) is not an SMMU dtpass knows", what, ref->text,
                             n->path);
        else
            dg = diag_report(r->d, "ref-unknown", ref->pos, "%s: %s is not an SMMU dtpass knows",
                             what, n->path);
        diag_node(dg, n->path);
    }
    return s;
}

static int rirq_cmp(const void *a, const void *b)
{
    const struct res_irq *x = a, *y = b;
    /* total order, so the kept entry does not depend on qsort's stability */
    if (x->pintid != y->pintid)
        return x->pintid < y->pintid ? -1 : 1;
    if (x->vintid != y->vintid)
        return x->vintid < y->vintid ? -1 : 1;
    return x->flags < y->flags ? -1 : x->flags > y->flags;
}

static int irqmap_cmp(const void *a, const void *b)
{
    const struct sys_irqmap *x = a, *y = b;
    return x->phys < y->phys ? -1 : x->phys > y->phys;
}

/* Assigning a node assigns its subtree (a USB glue node and its DWC3 core,
 * a bus with its devices): the nodes of the subtree are the contiguous run
 * of board.nodes after n (depth-first order) deeper than n. */
static uint32_t subtree_end(const struct board *b, const struct board_node *n)
{
    uint32_t i = n->index + 1;
    while (i < b->nnodes && b->nodes[i]->depth > n->depth)
        i++;
    return i;
}

/* The regs of the device's subtree: identity, or moved as a block by
 * `ipa:` (the first reg lands at ipa, the others keep their offsets). */
static void resolve_regs(struct rctx *r, struct sys_device *dev, const struct board_node *n)
{
    uint32_t end = subtree_end(r->b, n);
    bool have_first = false;
    uint64_t first = 0;
    for (uint32_t k = n->index; k < end; k++) {
        const struct board_node *c = r->b->nodes[k];
        for (uint32_t i = 0; i < c->nmmio; i++) {
            struct res_reg rr = {.pa = c->mmio[i].base, .size = c->mmio[i].size, .ipa = c->mmio[i].base};
            if (!have_first) {
                first = rr.pa;
                have_first = true;
            }
            if (dev->has_ipa) {
                bool ok;
                if (rr.pa >= first)
                    ok = u64_add(dev->ipa, rr.pa - first, &rr.ipa);
                else if ((ok = dev->ipa >= first - rr.pa))
                    rr.ipa = dev->ipa - (first - rr.pa);
                if (!ok) {
                    diag_report(r->d, "range-wrap", dev->ipa_pos,
                                "ipa 0x%" PRIx64 " moves reg %" PRIu32 " of %s (0x%" PRIx64
                                ") outside the 64-bit address space",
                                dev->ipa, i, c->path, rr.pa);
                    continue;
                }
            }
            VEC_PUSH(&dev->regs, rr);
        }
    }
    if (dev->has_ipa && !have_first)
        diag_report(r->d, "schema", dev->ipa_pos, "ipa given for %s, which has no registers",
                    n->path);
}

static void resolve_irqs(struct rctx *r, struct sys_device *dev, const struct board_node *n)
{
    /* A sorted copy of the remaps, with a flag per entry: used or not. */
    size_t nmap = dev->irqs.n;
    struct sys_irqmap *map = nmap ? xmalloc(nmap * sizeof(*map)) : NULL;
    bool *used = nmap ? xcalloc(nmap, sizeof(*used)) : NULL;
    if (nmap) {
        memcpy(map, dev->irqs.v, nmap * sizeof(*map));
        qsort(map, nmap, sizeof(*map), irqmap_cmp);
    }
    uint32_t end = subtree_end(r->b, n);
    for (uint32_t k = n->index; k < end; k++) {
        for (uint32_t i = 0; i < r->b->nodes[k]->nirqs; i++) {
            const struct board_irq *bi = &r->b->nodes[k]->irqs[i];
            if (!bi->gic)
                continue;
            struct res_irq ri = {.pintid = bi->intid, .vintid = bi->intid, .flags = bi->flags};
            if (bi->intid >= 32 && nmap) {
                struct sys_irqmap key = {.phys = bi->intid - 32};
                struct sys_irqmap *m = bsearch(&key, map, nmap, sizeof(*map), irqmap_cmp);
                if (m) {
                    ri.vintid = m->virt + 32;
                    used[m - map] = true;
                }
            }
            VEC_PUSH(&dev->rirqs, ri);
        }
    }
    /* A line listed twice in `interrupts` (ZynqMP GEM: queue and wake-up on
     * one SPI) is one route: sort by INTID and keep the first of each. */
    if (dev->rirqs.n > 1) {
        qsort(dev->rirqs.v, dev->rirqs.n, sizeof(*dev->rirqs.v), rirq_cmp);
        size_t k = 1;
        for (size_t i = 1; i < dev->rirqs.n; i++)
            if (dev->rirqs.v[i].pintid != dev->rirqs.v[k - 1].pintid)
                dev->rirqs.v[k++] = dev->rirqs.v[i];
        dev->rirqs.n = k;
    }
    for (size_t i = 0; i < nmap; i++)
        if (!used[i]) {
            struct diag *dg = diag_report(r->d, "ref-unknown", map[i].pos,
                                          "%s has no interrupt SPI %" PRIu32
                                          " (INTID %" PRIu64 ") to remap",
                                          n->path, map[i].phys, (uint64_t)map[i].phys + 32);
            diag_node(dg, n->path);
        }
    free(map);
    free(used);
}

static void resolve_sids(struct rctx *r, struct sys_device *dev, const struct board_node *n)
{
    if (dev->stream_ids.n) {
        const struct board_smmu *s = dev->smmu.node ? board_smmu_of(r->b, dev->smmu.node) : NULL;
        if (!s)
            return; /* reported: no smmu: (model) or not an SMMU (bind_smmu) */
        for (size_t i = 0; i < dev->stream_ids.n; i++) {
            struct res_sid rs = {.smmu = s, .sid = dev->stream_ids.v[i], .mask = 0, .count = 1};
            VEC_PUSH(&dev->rsids, rs);
        }
        return;
    }
    uint32_t end = subtree_end(r->b, n);
    for (uint32_t k = n->index; k < end; k++) {
        for (uint32_t i = 0; i < r->b->nodes[k]->nsids; i++) {
            const struct board_sid *bs = &r->b->nodes[k]->sids[i];
            const struct board_smmu *s = bs->smmu ? board_smmu_of(r->b, bs->smmu) : NULL;
            if (!s) /* an IOMMU dtpass cannot program: the device counts as unprotected */
                continue;
            struct res_sid rs = {.smmu = s, .sid = bs->sid, .mask = bs->mask, .count = bs->count};
            VEC_PUSH(&dev->rsids, rs);
        }
    }
}

static void resolve_device(struct rctx *r, struct sys_device *dev)
{
    struct board_node *n = bind(r, &dev->ref, "device");
    if (dev->smmu.text)
        bind_smmu(r, &dev->smmu, "smmu");
    if (!n)
        return;
    if (board_machine_node(r->b, n)) {
        struct diag *dg = diag_report(r->d, "schema", dev->ref.pos,
                                      "%s describes the machine, not a device: dtpass writes it "
                                      "for every guest",
                                      n->path);
        diag_node(dg, n->path);
        return;
    }
    /* A defect the board reader only warned about (real vendor DTBs carry
     * some) matters once a guest owns the node: its resources would be
     * guessed, so the assignment is an error. */
    uint32_t end = subtree_end(r->b, n);
    for (uint32_t k = n->index; k < end; k++) {
        const struct board_node *c = r->b->nodes[k];
        if (!c->defect)
            continue;
        struct diag *dg = diag_report(r->d, "board-invalid", dev->ref.pos,
                                      "%s cannot be assigned: the board describes %s wrongly (%s)",
                                      n->path, c->path, c->defect);
        diag_node(dg, c->path);
    }
    resolve_regs(r, dev, n);
    resolve_irqs(r, dev, n);
    resolve_sids(r, dev, n);
    if (dev->dma >= 0) {
        dev->is_dma = dev->dma;
        dev->dma_reason = dev->dma ? "dma: true in the system file" : "dma: false in the system file";
    } else {
        /* The first DMA master of the subtree decides (a glue node's core). */
        for (uint32_t k = n->index; k < end && !dev->is_dma; k++) {
            dev->is_dma = r->b->nodes[k]->dma_master;
            dev->dma_reason = r->b->nodes[k]->dma_reason;
        }
    }
}

void resolve_smmu_limits(struct system *sys, const struct board *b)
{
    free(sys->smmu_limits);
    sys->smmu_limits = xcalloc(b->nsmmus ? b->nsmmus : 1, sizeof(*sys->smmu_limits));
    for (uint32_t i = 0; i < b->nsmmus; i++) {
        bool v2 = b->smmus[i].version == SMMU_V2;
        struct smmu_limits l = {v2 ? 15 : 16, 128, 64, NOPOS};
        for (size_t k = 0; k < sys->smmus.n; k++) {
            const struct sys_smmu_param *p = &sys->smmus.v[k];
            if (p->node.node != b->smmus[i].node)
                continue;
            if (p->has_sid_bits)
                l.sid_bits = v2 && p->sid_bits > 15 ? 15 : p->sid_bits > 32 ? 32 : p->sid_bits;
            if (p->has_smrs)
                l.smrs = p->smrs;
            if (p->has_context_banks)
                l.context_banks = p->context_banks;
            l.pos = p->pos;
            break;
        }
        sys->smmu_limits[i] = l;
    }
}

int resolve(struct dtpass_ctx *ctx)
{
    struct system *sys = &ctx->sys;
    struct rctx r = {.ctx = ctx, .b = &ctx->board, .d = &ctx->diag};

    for (size_t i = 0; i < sys->smmus.n; i++)
        bind_smmu(&r, &sys->smmus.v[i].node, "platform smmu");
    resolve_smmu_limits(sys, r.b);
    for (size_t i = 0; i < sys->hyp_devices.n; i++)
        bind(&r, &sys->hyp_devices.v[i], "hypervisor device");

    struct strmap names;
    strmap_init(&names);
    for (size_t gi = 0; gi < sys->guests.n; gi++) {
        struct sys_guest *g = &sys->guests.v[gi];
        if (g->name && !strmap_get(&names, g->name))
            strmap_put(&names, g->name, (void *)(uintptr_t)(gi + 1));
        for (size_t j = 0; j < g->cpus.n; j++) {
            struct sys_cpu *c = &g->cpus.v[j];
            if (c->index < r.b->ncpus)
                continue;
            r.failures++;
            if (r.b->ncpus)
                diag_report(r.d, "ref-unknown", c->pos,
                            "guest %s: CPU %" PRIu32 " does not exist; the board has %" PRIu32
                            " CPUs (0..%" PRIu32 ")",
                            g->name ? g->name : "?", c->index, r.b->ncpus, r.b->ncpus - 1);
            else
                diag_report(r.d, "ref-unknown", c->pos,
                            "guest %s: CPU %" PRIu32 " does not exist; the board has no /cpus",
                            g->name ? g->name : "?", c->index);
        }
        for (size_t j = 0; j < g->devices.n; j++)
            resolve_device(&r, &g->devices.v[j]);
        if (g->stdout_ref.text)
            bind(&r, &g->stdout_ref, "stdout");
    }

    const char **gnames = xmalloc((sys->guests.n + 1) * sizeof(*gnames));
    size_t ngn = 0;
    for (size_t gi = 0; gi < sys->guests.n; gi++)
        if (sys->guests.v[gi].name)
            gnames[ngn++] = sys->guests.v[gi].name;
    for (size_t i = 0; i < sys->shared.n; i++) {
        struct sys_shared *sh = &sys->shared.v[i];
        for (size_t j = 0; j < sh->peers.n; j++) {
            struct sys_peer *p = &sh->peers.v[j];
            p->guest_index = -1;
            if (!p->guest)
                continue;
            uintptr_t v = (uintptr_t)strmap_get(&names, p->guest);
            if (v) {
                p->guest_index = (int)(v - 1);
                continue;
            }
            r.failures++;
            struct diag *dg = diag_report(r.d, "shm-peer", p->pos,
                                          "shared region %s: peer '%s' is not a guest",
                                          sh->name ? sh->name : "?", p->guest);
            const char *best = front_closest(p->guest, gnames, ngn);
            if (best)
                diag_fix(dg, "did you mean '%s'?", best);
        }
    }
    free(gnames);
    strmap_free(&names);
    return r.failures ? -1 : 0;
}
