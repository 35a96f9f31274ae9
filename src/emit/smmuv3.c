/* emit/smmuv3.c — SMMUv3 stream tables (Arm IHI 0070) and emit_smmu, the
 * smmu-<name>.bin output of every SMMU (SMMUv2 ones are smmuv2.c's).
 *
 * Every STE is valid. An assigned stream ID gets Config = 0b110 (stage 1
 * bypass, stage 2 translate) with its guest's VMID, VTCR fields and S2TTB;
 * every other STE is Config = 0b000 (abort) — never bypass. In a two-level
 * table, an L1 descriptor without an L2 table has Span = 0, which the SMMU
 * treats as invalid: transactions of those stream IDs are terminated (an
 * invalid-STE event, C_BAD_STE), so they abort too.
 *
 * smmu-<name>.bin is this SMMU's span of hvdata.bin: the linear table, or
 * the L1 table (padded to 16 KiB) followed by the L2 tables in increasing
 * L1 index order, as placed in memory (docs/tables.md). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emit/emit.h"
#include "emit/tables.h"

static void put_ste_abort(uint8_t *ste)
{
    memset(ste, 0, STE_SIZE);
    put_le64(ste, STE0_V | STE0_CONFIG(STE_CONFIG_ABORT));
}

static void put_ste_s2(uint8_t *ste, const struct guest_place *gp)
{
    memset(ste, 0, STE_SIZE);
    put_le64(ste, STE0_V | STE0_CONFIG(STE_CONFIG_S2));
    put_le64(ste + 8, STE1_SHCFG_INCOMING);
    /* VTCR: S2T0SZ, S2SL0, S2IR0 = S2OR0 = WB, S2SH0 = inner, S2TG = 4K,
     * S2PS: the low 19 bits of VTCR_EL2 have the same layout. */
    put_le64(ste + 16, STE2_S2VMID(gp->vmid) | STE2_VTCR(gp->vtcr) | STE2_S2AA64 | STE2_S2R);
    put_le64(ste + 24, gp->pa & STE3_S2TTB_MASK);
}

/* Writes STEs for stream IDs [first, first + n) at dst. */
static void fill_stes(const struct placement *p, const struct smmu_place *sp, uint8_t *dst,
                      uint64_t first, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        put_ste_abort(dst + i * STE_SIZE);
    /* Assigned runs overlapping [first, first + n): binary search for the
     * first run ending at or after `first` (runs are sorted, disjoint). */
    size_t lo = 0, hi = sp->sids.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sp->sids.v[mid].hi < first)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint64_t last = first + n - 1;
    for (size_t r = lo; r < sp->sids.n && sp->sids.v[r].lo <= last; r++) {
        const struct sid_run *run = &sp->sids.v[r];
        uint64_t a = run->lo > first ? run->lo : first;
        uint64_t b = (uint64_t)run->hi < last ? run->hi : last;
        for (uint64_t s = a; s <= b; s++)
            put_ste_s2(dst + (s - first) * STE_SIZE, &p->guests[run->guest]);
    }
}

void smmuv3_write(const struct placement *p, const struct smmu_place *sp, uint8_t *image)
{
    uint8_t *base = image + (sp->span_pa - p->load_pa);
    if (!sp->two_level) {
        fill_stes(p, sp, base, 0, sp->strtab_size / STE_SIZE);
        return;
    }
    /* L1: all invalid (Span 0), then one valid descriptor per L2 table. */
    memset(base, 0, (size_t)sp->strtab_size);
    uint64_t per = 1ull << STRTAB_SPLIT;
    for (size_t i = 0; i < sp->l2.n; i++) {
        const struct l2_place *l2 = &sp->l2.v[i];
        put_le64(base + (size_t)l2->l1_index * 8,
                 (l2->pa & L1STD_L2PTR_MASK) | L1STD_SPAN(STRTAB_SPLIT + 1));
        fill_stes(p, sp, image + (l2->pa - p->load_pa), (uint64_t)l2->l1_index * per, per);
    }
}

int emit_smmu(struct dtpass_ctx *ctx)
{
    if (hvdata_build(ctx))
        return -1;
    const struct placement *p = ctx->place;
    for (size_t i = 0; i < p->nsmmus; i++) {
        const struct smmu_place *sp = &p->smmus[i];
        if (sp->version == 2) {
            if (smmuv2_emit(ctx, sp))
                return -1;
            continue;
        }
        char *name = xasprintf("smmu-%s.bin", sp->smmu->name);
        int rc = emit_file(ctx, name, p->image + (sp->span_pa - p->load_pa), (size_t)sp->span_size);
        free(name);
        if (rc)
            return -1;
    }
    return 0;
}
