/* checks/owners.c — who owns what: dev-owner (a device claimed twice, or a
 * device the hypervisor needs for isolation given away), cpu-owner, vmid
 * and shm-peer. Duplicates are found by sorting or through the ownership
 * table built in run.c, never by comparing all pairs. */
#include <inttypes.h>

#include "checks/internal.h"

static void dev_claim(struct ck *c, const struct sys_ref *ref, uint32_t owner)
{
    const struct board_node *n = ref->node;
    if (!n || n->index >= c->b->nnodes)
        return;
    char ob[64], ow[64];
    if (owner != OWNER_HYP && (n == c->b->gic.node || board_smmu_of(c->b, n))) {
        struct diag *d = ck_report(c, CK_DEV_OWNER, ref->pos,
                                   "%s is the %s the hypervisor uses to isolate the guests; it "
                                   "cannot be given to %s",
                                   n->path, n == c->b->gic.node ? "interrupt controller" : "SMMU",
                                   ck_owner_str(c, owner, ob, sizeof(ob)));
        ck_node(d, n);
        diag_fix(d, "remove %s from the guest's devices", ref->text);
        return;
    }
    const struct sys_ref *first = c->owner_ref[n->index];
    if (first == ref) {
        /* An assigned node comes with its subtree: a node inside another
         * owner's device would be in both. */
        for (const struct board_node *a = n->parent; a; a = a->parent) {
            uint32_t ao = c->owner[a->index];
            if (ao == OWNER_NONE)
                continue;
            if (ao != owner) {
                struct diag *d = ck_report(c, CK_DEV_OWNER, ref->pos,
                                           "%s is given to %s but it is inside %s, which %s owns "
                                           "with everything below it",
                                           n->path, ck_owner_str(c, owner, ob, sizeof(ob)), a->path,
                                           ck_owner_str(c, ao, ow, sizeof(ow)));
                ck_node(d, n);
                ck_note(d, c->owner_ref[a->index]->pos, a, "%s is given to %s here", a->path, ow);
                diag_fix(d, "give %s and %s to one owner", a->path, n->path);
            }
            break;
        }
        return;
    }
    if (!first)
        return;
    uint32_t fo = c->owner[n->index];
    struct diag *d;
    if (fo == owner)
        d = ck_report(c, CK_DEV_OWNER, ref->pos, "%s is listed twice for %s", n->path,
                      ck_owner_str(c, owner, ob, sizeof(ob)));
    else
        d = ck_report(c, CK_DEV_OWNER, ref->pos, "%s is given to %s but %s already owns it",
                      n->path, ck_owner_str(c, owner, ob, sizeof(ob)),
                      ck_owner_str(c, fo, ow, sizeof(ow)));
    ck_node(d, n);
    ck_note(d, first->pos, NULL, "first given to %s here", ck_owner_str(c, fo, ow, sizeof(ow)));
    diag_fix(d, "a device has one owner: remove one of the two entries");
}

int check_dev_owner(struct ck *c)
{
    const struct system *s = c->sys;
    for (size_t i = 0; i < s->hyp_devices.n; i++)
        dev_claim(c, &s->hyp_devices.v[i], OWNER_HYP);
    for (size_t g = 0; g < s->guests.n; g++)
        for (size_t i = 0; i < s->guests.v[g].devices.n; i++)
            dev_claim(c, &s->guests.v[g].devices.v[i].ref, owner_guest(g));
    return 0;
}

/* --- cpu-owner ----------------------------------------------------------- */

struct cpu_use {
    uint32_t index;
    uint32_t g;
    const struct sys_cpu *cpu;
};

static int pos_cmp(struct srcpos a, struct srcpos b)
{
    if (a.line != b.line)
        return a.line < b.line ? -1 : 1;
    return a.col < b.col ? -1 : a.col > b.col;
}

static int cpu_use_cmp(const void *pa, const void *pb)
{
    const struct cpu_use *a = pa, *b = pb;
    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    if (a->g != b->g)
        return a->g < b->g ? -1 : 1;
    return pos_cmp(a->cpu->pos, b->cpu->pos);
}

int check_cpu_owner(struct ck *c)
{
    const struct system *s = c->sys;
    VEC(struct cpu_use) v = {0};
    for (size_t g = 0; g < s->guests.n; g++)
        for (size_t i = 0; i < s->guests.v[g].cpus.n; i++)
            VEC_PUSH(&v, ((struct cpu_use){s->guests.v[g].cpus.v[i].index, (uint32_t)g,
                                           &s->guests.v[g].cpus.v[i]}));
    ck_sort(v.v, v.n, sizeof(*v.v), cpu_use_cmp);
    for (size_t i = 1; i < v.n; i++) {
        const struct cpu_use *a = &v.v[i - 1], *b = &v.v[i];
        if (a->index != b->index)
            continue;
        /* Compare with the first claim of the CPU. */
        size_t f = i - 1;
        while (f > 0 && v.v[f - 1].index == b->index)
            f--;
        a = &v.v[f];
        const char *ga = s->guests.v[a->g].name, *gb = s->guests.v[b->g].name;
        struct diag *d;
        if (a->g == b->g)
            d = ck_report(c, CK_CPU_OWNER, b->cpu->pos, "CPU %" PRIu32 " is listed twice for guest %s",
                          b->index, gb);
        else
            d = ck_report(c, CK_CPU_OWNER, b->cpu->pos,
                          "CPU %" PRIu32 " is given to guest %s but guest %s already has it",
                          b->index, gb, ga);
        if (c->b->cpus && b->index < c->b->ncpus)
            ck_node(d, c->b->cpus[b->index].node);
        ck_note(d, a->cpu->pos, NULL, "first given to guest %s here", ga);
        diag_fix(d, "a physical CPU runs one guest: pick another CPU (the board has %" PRIu32 ")",
                 c->b->ncpus);
    }
    VEC_FREE(&v);
    return 0;
}

/* --- vmid ------------------------------------------------------------------ */

/* 16-bit VMIDs need FEAT_VMID16 (Armv8.1: VTCR_EL2.VS) in every CPU and the
 * optional 16-bit VMID extension of an SMMUv2 (CBA2R.VMID16); SMMUv3's
 * S2VMID is always 16 bits. A board whose CPUs are Armv8.0 cores, or that
 * has an SMMUv2, is limited to 8-bit VMIDs. */
static const char *const v80_cores[] = {
    "arm,cortex-a35", "arm,cortex-a53", "arm,cortex-a57", "arm,cortex-a72",
    "arm,cortex-a73", "cavium,thunder", "apm,potenza",    "nvidia,denver",
};

static uint32_t vmid_limit(const struct ck *c, char **why)
{
    for (uint32_t i = 0; i < c->b->nsmmus; i++)
        if (c->b->smmus[i].version == SMMU_V2) {
            *why = xasprintf("the SMMUv2 %s programs 8-bit VMIDs in its context banks",
                             c->b->smmus[i].node->path);
            return CK_VMID_MAX;
        }
    for (uint32_t i = 0; i < c->b->ncpus; i++) {
        const char *compat = c->b->cpus[i].node ? c->b->cpus[i].node->compatible : NULL;
        for (size_t k = 0; compat && k < ARRAY_SIZE(v80_cores); k++)
            if (!strcmp(compat, v80_cores[k])) {
                *why = xasprintf("%s (%s) is an Armv8.0 core: VMIDs are 8 bits without "
                                 "FEAT_VMID16",
                                 c->b->cpus[i].node->path, compat);
                return CK_VMID_MAX;
            }
    }
    *why = NULL;
    return 65535;
}

struct vmid_use {
    uint32_t vmid;
    uint32_t g;
};

static int vmid_cmp(const void *pa, const void *pb)
{
    const struct vmid_use *a = pa, *b = pb;
    if (a->vmid != b->vmid)
        return a->vmid < b->vmid ? -1 : 1;
    return a->g < b->g ? -1 : a->g > b->g;
}

static struct srcpos vmid_pos(const struct sys_guest *g)
{
    return g->has_vmid ? g->vmid_pos : g->name_pos;
}

int check_vmid(struct ck *c)
{
    const struct system *s = c->sys;
    char *why;
    uint32_t limit = vmid_limit(c, &why);
    VEC(struct vmid_use) v = {0};
    for (size_t g = 0; g < s->guests.n; g++) {
        const struct sys_guest *gu = &s->guests.v[g];
        if (gu->vmid == 0 || gu->vmid > limit) {
            struct diag *d = ck_report(
                c, CK_VMID, vmid_pos(gu), "%sVMID %" PRIu32 " of guest %s is out of range 1..%" PRIu32,
                gu->has_vmid ? "" : "default ", gu->vmid, gu->name, limit);
            if (why)
                ck_note(d, NOPOS, NULL, "%s", why);
            if (!gu->vmid)
                ck_note(d, NOPOS, NULL, "VMID 0 is reserved for the hypervisor's own context");
            diag_fix(d, "give guest %s an unused VMID in 1..%" PRIu32, gu->name, limit);
            continue;
        }
        VEC_PUSH(&v, ((struct vmid_use){gu->vmid, (uint32_t)g}));
    }
    ck_sort(v.v, v.n, sizeof(*v.v), vmid_cmp);
    for (size_t i = 1; i < v.n; i++) {
        if (v.v[i].vmid != v.v[i - 1].vmid)
            continue;
        size_t f = i - 1;
        while (f > 0 && v.v[f - 1].vmid == v.v[i].vmid)
            f--;
        const struct sys_guest *a = &s->guests.v[v.v[f].g], *b = &s->guests.v[v.v[i].g];
        struct diag *d = ck_report(c, CK_VMID, vmid_pos(b),
                                   "guest %s has VMID %" PRIu32 ", already used by guest %s: "
                                   "their TLB entries and SMMU contexts would mix",
                                   b->name, b->vmid, a->name);
        ck_note(d, vmid_pos(a), NULL, "guest %s has VMID %" PRIu32 " here", a->name, a->vmid);
        diag_fix(d, "give every guest its own VMID");
    }
    free(why);
    VEC_FREE(&v);
    return 0;
}

/* --- shm-peer --------------------------------------------------------------- */

struct peer_use {
    int g;
    const struct sys_peer *p;
};

static int peer_use_cmp(const void *pa, const void *pb)
{
    const struct peer_use *a = pa, *b = pb;
    if (a->g != b->g)
        return a->g < b->g ? -1 : 1;
    return pos_cmp(a->p->pos, b->p->pos);
}

/* Some earlier stage reported a finding at pos (rare path: linear). */
static bool reported_at(const struct ck *c, struct srcpos pos)
{
    for (size_t i = 0; i < c->d->diags.n; i++) {
        const struct diag *d = c->d->diags.v[i];
        if (d->pos.file == pos.file && d->pos.line == pos.line && d->pos.col == pos.col)
            return true;
    }
    return false;
}

int check_shm_peer(struct ck *c)
{
    const struct system *s = c->sys;
    VEC(struct peer_use) v = {0};
    for (size_t i = 0; i < s->shared.n; i++) {
        const struct sys_shared *sh = &s->shared.v[i];
        v.n = 0;
        for (size_t j = 0; j < sh->peers.n; j++) {
            const struct sys_peer *p = &sh->peers.v[j];
            if (p->guest_index < 0 || (size_t)p->guest_index >= s->guests.n) {
                /* resolve may already have said so (ref-unknown): one
                 * finding per mistake. */
                if (!reported_at(c, p->pos)) {
                    struct diag *d = ck_report(c, CK_SHM_PEER, p->pos,
                                               "peer '%s' of shared region %s is not a guest",
                                               p->guest ? p->guest : "", sh->name);
                    diag_fix(d, "name one of the %zu guests", s->guests.n);
                } else {
                    c->found++;
                }
                continue;
            }
            VEC_PUSH(&v, ((struct peer_use){p->guest_index, p}));
        }
        ck_sort(v.v, v.n, sizeof(*v.v), peer_use_cmp);
        for (size_t k = 1; k < v.n; k++)
            if (v.v[k].g == v.v[k - 1].g) {
                struct diag *d = ck_report(c, CK_SHM_PEER, v.v[k].p->pos,
                                           "guest %s is listed twice as a peer of shared region %s",
                                           v.v[k].p->guest, sh->name);
                ck_note(d, v.v[k - 1].p->pos, NULL, "first listed here");
                diag_fix(d, "list each guest once; one window per guest and region");
            }
    }
    VEC_FREE(&v);
    return 0;
}
