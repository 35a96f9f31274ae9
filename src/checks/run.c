/* checks/run.c — checks_run(): builds the check context once (who owns
 * which board node), then runs the check table of registry.c in order,
 * skipping a check whose prerequisite found a problem (dtc's rule: a check
 * never runs on data another check has shown to be broken). Also the
 * reporting helpers the families share. */
#include <time.h>

#include "checks/internal.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

const char *ck_owner_str(const struct ck *c, uint32_t owner, char *buf, size_t len)
{
    if (owner == OWNER_HYP || owner == OWNER_NONE)
        snprintf(buf, len, "%s", ck_owner_name(c, owner));
    else
        snprintf(buf, len, "guest %s", ck_owner_name(c, owner));
    return buf;
}

const char *ck_owner_name(const struct ck *c, uint32_t owner)
{
    if (owner == OWNER_HYP || owner == OWNER_NONE)
        return owner == OWNER_HYP ? "the hypervisor" : "nobody";
    if (owner - 1 < c->sys->guests.n) {
        const char *n = c->sys->guests.v[owner - 1].name;
        return n ? n : "?";
    }
    return "?";
}

struct diag *ck_report(struct ck *c, const char *id, struct srcpos pos, const char *fmt, ...)
{
    va_list ap;
    c->found++;
    va_start(ap, fmt);
    struct diag *d = diag_vreport_sev(c->d, id, SEV_ERROR, pos, fmt, ap);
    va_end(ap);
    return d;
}

struct diag *ck_report_sev(struct ck *c, const char *id, enum severity sev, struct srcpos pos,
                           const char *fmt, ...)
{
    va_list ap;
    c->found++;
    va_start(ap, fmt);
    struct diag *d = diag_vreport_sev(c->d, id, sev, pos, fmt, ap);
    va_end(ap);
    return d;
}

void ck_node(struct diag *d, const struct board_node *n)
{
    if (!d || !n)
        return;
    diag_node(d, n->path);
    if (d->hidden) /* never shown: no need for the position (a dtc run for a DTS) */
        return;
    struct srcpos at = board_node_pos(n);
    if (at.file && at.line)
        diag_note(d, at, n->path, "board node %s is defined here", n->path);
}

void ck_note(struct diag *d, struct srcpos pos, const struct board_node *n, const char *fmt, ...)
{
    if (!d)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    diag_note(d, pos, n ? n->path : NULL, "%s", msg);
    free(msg);
}

uint32_t ck_sid_bits(const struct ck *c, const struct board_smmu *smmu)
{
    return c->sys->smmu_limits[smmu - c->b->smmus].sid_bits;
}

static void claim(struct ck *c, const struct board_node *n, uint32_t owner,
                  const struct sys_ref *ref, const struct sys_device *dev)
{
    if (!n || n->index >= c->b->nnodes || c->owner[n->index] != OWNER_NONE)
        return;
    c->owner[n->index] = owner;
    c->owner_ref[n->index] = ref;
    c->owner_dev[n->index] = dev;
}

/* The hypervisor's claims come first: a device it keeps is its own, and a
 * guest listing it is the mistake. */
void ck_init(struct ck *c, struct dtpass_ctx *ctx)
{
    memset(c, 0, sizeof(*c));
    c->ctx = ctx;
    c->sys = &ctx->sys;
    c->b = &ctx->board;
    c->d = &ctx->diag;
    size_t n = c->b->nnodes ? c->b->nnodes : 1;
    c->owner = xmalloc(n * sizeof(*c->owner));
    for (size_t i = 0; i < n; i++)
        c->owner[i] = OWNER_NONE;
    c->owner_ref = xcalloc(n, sizeof(*c->owner_ref));
    c->owner_dev = xcalloc(n, sizeof(*c->owner_dev));
    for (size_t i = 0; i < c->sys->hyp_devices.n; i++)
        claim(c, c->sys->hyp_devices.v[i].node, OWNER_HYP, &c->sys->hyp_devices.v[i], NULL);
    for (size_t g = 0; g < c->sys->guests.n; g++) {
        const struct sys_guest *gu = &c->sys->guests.v[g];
        for (size_t i = 0; i < gu->devices.n; i++)
            claim(c, gu->devices.v[i].ref.node, owner_guest(g), &gu->devices.v[i].ref,
                  &gu->devices.v[i]);
    }
}

void ck_free(struct ck *c)
{
    free(c->owner);
    free(c->owner_ref);
    free(c->owner_dev);
}

static size_t def_index(const char *id)
{
    for (size_t i = 0; i < check_defs_len; i++)
        if (!strcmp(check_defs[i].id, id))
            return i;
    return SIZE_MAX;
}

int checks_run(struct dtpass_ctx *ctx)
{
    struct ck c;
    size_t errors0 = ctx->diag.nerrors;
    ck_init(&c, ctx);
    /* found[i]: problems check i found; SIZE_MAX when it was skipped. */
    size_t *found = xcalloc(check_defs_len, sizeof(*found));
    for (size_t i = 0; i < check_defs_len; i++) {
        const struct check_def *cd = &check_defs[i];
        bool skip = false;
        for (size_t p = 0; p < CK_MAX_PREREQS && cd->prereqs[p]; p++) {
            size_t j = def_index(cd->prereqs[p]);
            /* The table lists prerequisites first (a unit test checks it). */
            if (j < i && found[j])
                skip = true;
        }
        if (skip) {
            found[i] = SIZE_MAX;
            continue;
        }
        c.found = 0;
        double t0 = ctx->opt.time_report ? now_ms() : 0;
        cd->fn(&c);
        found[i] = c.found;
        /* --time-report: per check, so a slow one stands out. */
        if (ctx->opt.time_report)
            fprintf(stderr, "time:   %-16s %7.3f ms\n", cd->id, now_ms() - t0);
    }
    free(found);
    ck_free(&c);
    return (int)(ctx->diag.nerrors - errors0);
}
