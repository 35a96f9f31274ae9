/* desk/diff.c — `dtpass diff OLD NEW`: what a change does to isolation.
 * Both systems went through the front of the pipeline (parse, board,
 * resolve, checks); here each becomes a list of isolation facts — who owns
 * each device, stream ID, interrupt line, CPU, physical memory range and
 * shared window — plus its findings, and the two lists are compared
 * sorted. Every difference becomes one `isolation-change` diagnostic at the
 * line that causes it (NEW's, or OLD's for what disappeared), so text,
 * JSON and SARIF come from the renderers every other command uses. Sorting
 * and one merge: linear but for the sorts. */
#include <inttypes.h>
#include <string.h>

#include "board/board.h"
#include "desk/desk.h"

struct fact {
    const char *kind; /* "device", "stream-id", "interrupt", "cpu", "memory", "shared" */
    char *key;
    char *owner;
    struct srcpos pos;
};

typedef VEC(struct fact) factvec;

static void add(factvec *v, const char *kind, struct srcpos pos, const char *owner, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));
static void add(factvec *v, const char *kind, struct srcpos pos, const char *owner, const char *fmt,
                ...)
{
    struct strbuf sb;
    sb_init(&sb);
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    VEC_PUSH(v, ((struct fact){kind, sb.s, xstrdup(owner), pos}));
}

static void sid_key(struct strbuf *sb, const struct board_node *smmu, uint32_t sid, uint32_t mask,
                    uint32_t count)
{
    if (mask)
        sb_printf(sb, "0x%" PRIx32 " mask 0x%" PRIx32, sid, mask);
    else if (count > 1)
        sb_printf(sb, "0x%" PRIx32 "-0x%" PRIx64, sid, (uint64_t)sid + count - 1);
    else
        sb_printf(sb, "0x%" PRIx32, sid);
    sb_printf(sb, " on %s", smmu ? smmu->path : "?");
}

/* A device and what comes with it: its node, stream IDs and interrupt lines. */
static void device_facts(factvec *v, const struct board_node *n, const struct sys_device *dev,
                         const struct sys_ref *ref, const char *owner)
{
    add(v, "device", ref->pos, owner, "%s", n->path);
    struct strbuf sb;
    if (dev) {
        for (size_t k = 0; k < dev->rsids.n; k++) {
            const struct res_sid *rs = &dev->rsids.v[k];
            sb_init(&sb);
            sid_key(&sb, rs->smmu ? rs->smmu->node : NULL, rs->sid, rs->mask, rs->count);
            add(v, "stream-id", dev->stream_ids.n ? dev->sids_pos : ref->pos, owner, "%s", sb.s);
            sb_free(&sb);
        }
        for (size_t k = 0; k < dev->rirqs.n; k++)
            if (dev->rirqs.v[k].pintid >= 32)
                add(v, "interrupt", ref->pos, owner, "SPI %" PRIu32, dev->rirqs.v[k].pintid - 32);
        return;
    }
    for (uint32_t k = 0; k < n->nsids; k++) {
        sb_init(&sb);
        sid_key(&sb, n->sids[k].smmu, n->sids[k].sid, n->sids[k].mask, n->sids[k].count);
        add(v, "stream-id", ref->pos, owner, "%s", sb.s);
        sb_free(&sb);
    }
    for (uint32_t k = 0; k < n->nirqs; k++)
        if (n->irqs[k].gic && n->irqs[k].intid >= 32)
            add(v, "interrupt", ref->pos, owner, "SPI %" PRIu32, n->irqs[k].intid - 32);
}

static void collect(const struct system *s, factvec *v)
{
    for (size_t i = 0; i < s->hyp_memory.n; i++) {
        const struct sys_mem *m = &s->hyp_memory.v[i];
        add(v, "memory", m->pos, "the hypervisor", "0x%" PRIx64 "+0x%" PRIx64, m->base, m->size);
    }
    for (size_t i = 0; i < s->hyp_devices.n; i++)
        if (s->hyp_devices.v[i].node)
            device_facts(v, s->hyp_devices.v[i].node, NULL, &s->hyp_devices.v[i], "the hypervisor");
    for (size_t g = 0; g < s->guests.n; g++) {
        const struct sys_guest *gu = &s->guests.v[g];
        char owner[64];
        snprintf(owner, sizeof(owner), "guest %s", gu->name ? gu->name : "?");
        for (size_t i = 0; i < gu->cpus.n; i++)
            add(v, "cpu", gu->cpus.v[i].pos, owner, "CPU %" PRIu32, gu->cpus.v[i].index);
        for (size_t i = 0; i < gu->memory.n; i++) {
            const struct sys_mem *m = &gu->memory.v[i];
            add(v, "memory", m->pos, owner, "0x%" PRIx64 "+0x%" PRIx64, m->base, m->size);
        }
        for (size_t i = 0; i < gu->devices.n; i++) {
            const struct sys_device *d = &gu->devices.v[i];
            if (d->ref.node)
                device_facts(v, d->ref.node, d, &d->ref, owner);
        }
    }
    for (size_t i = 0; i < s->shared.n; i++) {
        const struct sys_shared *sh = &s->shared.v[i];
        char owner[64];
        snprintf(owner, sizeof(owner), "shared region %s", sh->name ? sh->name : "?");
        add(v, "memory", sh->pos, owner, "0x%" PRIx64 "+0x%" PRIx64, sh->base, sh->size);
        for (size_t k = 0; k < sh->peers.n; k++) {
            const struct sys_peer *p = &sh->peers.v[k];
            char how[96];
            snprintf(how, sizeof(how), "guest %s %s at 0x%" PRIx64 "%s", p->guest ? p->guest : "?",
                     p->access == SHM_RO ? "ro" : "rw", p->has_ipa ? p->ipa : sh->base,
                     p->has_doorbell ? "" : ", no doorbell");
            if (p->has_doorbell)
                snprintf(how + strlen(how), sizeof(how) - strlen(how), ", doorbell SPI %" PRIu32,
                         p->doorbell);
            add(v, "shared", p->pos, how, "%s peer %s", sh->name ? sh->name : "?",
                p->guest ? p->guest : "?");
        }
    }
}

/* Findings, by check and message: positions move with every edit. */
static void findings(const struct diag_sink *d, factvec *v)
{
    for (size_t i = 0; i < d->diags.n; i++) {
        const struct diag *g = d->diags.v[i];
        if (!g->check || g->sev == SEV_OFF)
            continue;
        add(v, "finding", g->pos, g->sev == SEV_ERROR ? "error" : "warning", "[%s] %s", g->check,
            g->msg);
    }
}

static int fact_cmp(const void *pa, const void *pb)
{
    const struct fact *a = pa, *b = pb;
    int c = strcmp(a->kind, b->kind);
    if (!c)
        c = strcmp(a->key, b->key);
    return c ? c : strcmp(a->owner, b->owner);
}

static void facts_free(factvec *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->v[i].key);
        free(v->v[i].owner);
    }
    VEC_FREE(v);
}

/* Facts of one (kind, key) as "owner[, owner]..." (a device given twice is
 * one key with two owners). Advances *i past them. */
static char *owners_of(const factvec *v, size_t *i, const struct fact **first)
{
    struct strbuf sb;
    sb_init(&sb);
    size_t j = *i;
    *first = &v->v[j];
    for (; j < v->n && !strcmp(v->v[j].kind, v->v[*i].kind) && !strcmp(v->v[j].key, v->v[*i].key);
         j++) {
        if (j > *i && !strcmp(v->v[j].owner, v->v[j - 1].owner))
            continue;
        sb_printf(&sb, "%s%s", j > *i ? ", " : "", v->v[j].owner);
    }
    *i = j;
    return sb.s;
}

static void change(struct diag_sink *out, FILE *text, const struct fact *at, const char *what)
{
    diag_report(out, CK_ISOLATION_CHANGE, at->pos, "%s", what);
    if (text) {
        if (at->pos.file)
            fprintf(text, "%s:%" PRIu32 ": %s\n", at->pos.file, at->pos.line, what);
        else
            fprintf(text, "%s\n", what);
    }
}

size_t desk_diff(const struct dtpass_ctx *old, const struct dtpass_ctx *new, struct diag_sink *out,
                 FILE *text)
{
    factvec a = {0}, b = {0};
    collect(&old->sys, &a);
    collect(&new->sys, &b);
    findings(&old->diag, &a);
    findings(&new->diag, &b);
    if (a.n > 1)
        qsort(a.v, a.n, sizeof(*a.v), fact_cmp);
    if (b.n > 1)
        qsort(b.v, b.n, sizeof(*b.v), fact_cmp);
    size_t i = 0, j = 0, changes = 0;
    struct strbuf msg;
    while (i < a.n || j < b.n) {
        int c = i == a.n ? 1 : j == b.n ? -1 : strcmp(a.v[i].kind, b.v[j].kind);
        if (!c)
            c = strcmp(a.v[i].key, b.v[j].key);
        const struct fact *fa = NULL, *fb = NULL;
        char *oa = c <= 0 ? owners_of(&a, &i, &fa) : NULL;
        char *ob = c >= 0 ? owners_of(&b, &j, &fb) : NULL;
        const struct fact *f = fb ? fb : fa; /* c <= 0 sets fa, c >= 0 fb: one is set */
        sb_init(&msg);
        if (!strcmp(f->kind, "finding")) { /* key: "[id] message", owner: severity */
            if (!oa)
                sb_printf(&msg, "new %s finding: %s", ob, f->key);
            else if (!ob)
                sb_printf(&msg, "gone %s finding: %s", oa, f->key);
            else if (strcmp(oa, ob))
                sb_printf(&msg, "finding %s: %s -> %s", f->key, oa, ob);
        } else if (!oa) {
            sb_printf(&msg, "%s %s: new, %s", f->kind, f->key, ob);
        } else if (!ob) {
            sb_printf(&msg, "%s %s: gone, was %s", f->kind, f->key, oa);
        } else if (strcmp(oa, ob)) {
            sb_printf(&msg, "%s %s: %s -> %s", f->kind, f->key, oa, ob);
        }
        if (msg.len) {
            change(out, text, f, msg.s);
            changes++;
        }
        sb_free(&msg);
        free(oa);
        free(ob);
    }
    facts_free(&a);
    facts_free(&b);
    return changes;
}
