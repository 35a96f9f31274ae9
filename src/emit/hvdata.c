/* emit/hvdata.c — hvdata.bin: one image holding every SMMUv3 stream table
 * and every guest's stage-2 tables at the physical addresses lower_place
 * chose, to be loaded at place->load_pa (the start of the first hypervisor
 * memory range). Bytes not covered by a table are zero padding. Every
 * pointer inside (S2TTB, L1 stream descriptors, table descriptors) is final
 * (docs/tables.md).
 *
 * emit_tables writes it as a stream, span by span in address order, and
 * each span's own file (s2-<guest>.bin, smmu-<name>.bin) in the same pass:
 * no span is held whole in memory, and only one guest's stage-2 tables
 * exist at a time. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emit/emit.h"
#include "emit/tables.h"

int tab_write(struct tab_writer *w, const void *data, size_t len)
{
    if (w->hv && emit_write(w->hv, data, len))
        return -1;
    if (w->mem)
        memcpy(w->mem + w->at, data, len);
    if (w->span && emit_write(w->span, data, len))
        return -1;
    w->at += len;
    return 0;
}

int tab_zeros(struct tab_writer *w, uint64_t len)
{
    if (w->hv && emit_zeros(w->hv, len))
        return -1;
    if (w->mem)
        memset(w->mem + w->at, 0, (size_t)len);
    if (w->span && emit_zeros(w->span, len))
        return -1;
    w->at += len;
    return 0;
}

/* A span of hvdata.bin: an SMMUv3's tables or a guest's. */
struct span {
    uint64_t pa;
    const struct smmu_place *sp;
    const struct guest_place *gp;
};

static int cmp_span(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    return x->pa < y->pa ? -1 : x->pa > y->pa;
}

/* The spans `targets` asks for, in address order, into w (and their own
 * files for T_SMMU / T_S2); padding only where hvdata itself is written. */
static int write_spans(struct dtpass_ctx *ctx, unsigned targets, struct tab_writer *w)
{
    const struct placement *p = ctx->place;
    bool whole = w->hv || w->mem;
    VEC(struct span) spans = {0};
    size_t maxtables = 0;
    for (size_t i = 0; i < p->nsmmus; i++)
        if (p->smmus[i].version == 3 && (whole || (targets & T_SMMU)))
            VEC_PUSH(&spans, ((struct span){p->smmus[i].span_pa, &p->smmus[i], NULL}));
    for (size_t i = 0; i < p->nguests; i++) {
        if (!whole && !(targets & T_S2))
            break;
        VEC_PUSH(&spans, ((struct span){p->guests[i].pa, NULL, &p->guests[i]}));
        if (p->guests[i].ntables > maxtables)
            maxtables = p->guests[i].ntables;
    }
    if (spans.n)
        qsort(spans.v, spans.n, sizeof(spans.v[0]), cmp_span);
    struct s2_tables t = {0};
    s2_reserve(&t, maxtables); /* the largest guest's, exactly: never grown */
    int rc = 0;
    for (size_t i = 0; i < spans.n && !rc; i++) {
        const struct span *s = &spans.v[i];
        uint64_t off = s->pa - p->load_pa;
        if (whole)
            rc = tab_zeros(w, off - w->at);
        else
            w->at = off;
        bool own = s->sp ? (targets & T_SMMU) : (targets & T_S2);
        struct emit_out f = {0};
        if (!rc && own) {
            char *name = s->sp ? xasprintf("smmu-%s.bin", s->sp->smmu->name)
                               : xasprintf("s2-%s.bin", s->gp->g->name);
            rc = emit_open(ctx, &f, name);
            free(name);
            /* w->span is cleared below, before f goes out of scope. */
            if (!rc)
                /* cppcheck-suppress autoVariables */
                w->span = &f;
        }
        if (!rc)
            rc = s->sp ? smmuv3_stream(p, s->sp, w) : stage2_stream(ctx, s->gp, &t, w);
        if (w->span) {
            w->span = NULL;
            if (emit_close(&f))
                rc = -1;
        }
    }
    if (!rc && whole)
        rc = tab_zeros(w, p->size - w->at);
    s2_tables_free(&t);
    VEC_FREE(&spans);
    return rc;
}

static int placed(struct dtpass_ctx *ctx)
{
    if (ctx->place)
        return 0;
    diag_fatal(&ctx->diag, NOPOS, "internal error: tables were not placed");
    return -1;
}

int emit_tables(struct dtpass_ctx *ctx, unsigned targets)
{
    if (placed(ctx))
        return -1;
    const struct placement *p = ctx->place;
    if (targets & T_SMMU)
        for (size_t i = 0; i < p->nsmmus; i++)
            if (p->smmus[i].version == 2 && smmuv2_emit(ctx, &p->smmus[i]))
                return -1;
    if (!(targets & (T_SMMU | T_S2 | T_HVDATA)))
        return 0;
    struct emit_out hv;
    struct tab_writer w = {0};
    if (targets & T_HVDATA) {
        if (emit_open(ctx, &hv, "hvdata.bin"))
            return -1;
        w.hv = &hv;
    }
    int rc = write_spans(ctx, targets, &w);
    if (w.hv && emit_close(&hv))
        rc = -1;
    return rc;
}

int hvdata_image(struct dtpass_ctx *ctx, uint8_t **out)
{
    *out = NULL;
    if (placed(ctx))
        return -1;
    if (ctx->place->size > SIZE_MAX) {
        diag_fatal(&ctx->diag, NOPOS, "hvdata image of %llu bytes is too large for this host",
                   (unsigned long long)ctx->place->size);
        return -1;
    }
    struct tab_writer w = {.mem = xcalloc(ctx->place->size ? (size_t)ctx->place->size : 1, 1)};
    if (write_spans(ctx, 0, &w)) {
        free(w.mem);
        return -1;
    }
    *out = w.mem;
    return 0;
}
