/* emit/smmuv3.c — SMMUv3 stream tables (Arm IHI 0070), the span of
 * hvdata.bin that is also smmu-<name>.bin (SMMUv2 ones are smmuv2.c's).
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
 * L1 index order, as placed in memory (docs/tables.md). Both are written by
 * emit_tables (hvdata.c) as the span is generated. */
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
    /* Assigned runs overlapping [first, first + n), from the first run
     * ending at or after `first`. */
    size_t lo = place_first_run(sp, first);
    uint64_t last = first + n - 1;
    for (size_t r = lo; r < sp->sids.n && sp->sids.v[r].lo <= last; r++) {
        const struct sid_run *run = &sp->sids.v[r];
        uint64_t a = run->lo > first ? run->lo : first;
        uint64_t b = (uint64_t)run->hi < last ? run->hi : last;
        for (uint64_t s = a; s <= b; s++)
            put_ste_s2(dst + (s - first) * STE_SIZE, &p->guests[run->guest]);
    }
}

int smmuv3_stream(const struct placement *p, const struct smmu_place *sp, struct tab_writer *w)
{
    /* Generated a piece at a time (at most one L2 table, 16 KiB), never
     * the whole table: a 100k-SID SMMU has megabytes of them. */
    const uint64_t per = 1ull << STRTAB_SPLIT;
    const uint64_t base = sp->span_pa - p->load_pa;
    uint8_t *buf = xmalloc((size_t)(per * STE_SIZE));
    int rc = 0;
    if (!sp->two_level) {
        uint64_t n = sp->strtab_size / STE_SIZE;
        for (uint64_t first = 0; first < n && !rc; first += per) {
            uint64_t k = n - first < per ? n - first : per;
            fill_stes(p, sp, buf, first, k);
            rc = tab_write(w, buf, (size_t)(k * STE_SIZE));
        }
    } else {
        /* L1: all invalid (Span 0) but one valid descriptor per L2 table. */
        const uint64_t chunk = per * STE_SIZE / 8;
        uint64_t nl1 = sp->strtab_size / 8;
        size_t j = 0;
        for (uint64_t first = 0; first < nl1 && !rc; first += chunk) {
            uint64_t k = nl1 - first < chunk ? nl1 - first : chunk;
            memset(buf, 0, (size_t)(k * 8));
            for (; j < sp->l2.n && sp->l2.v[j].l1_index < first + k; j++)
                put_le64(buf + (size_t)(sp->l2.v[j].l1_index - first) * 8,
                         (sp->l2.v[j].pa & L1STD_L2PTR_MASK) | L1STD_SPAN(STRTAB_SPLIT + 1));
            rc = tab_write(w, buf, (size_t)(k * 8));
        }
        /* Then each L2 table at its place (the L1 is padded to 16 KiB). */
        for (size_t i = 0; i < sp->l2.n && !rc; i++) {
            const struct l2_place *l2 = &sp->l2.v[i];
            rc = tab_zeros(w, l2->pa - p->load_pa - w->at);
            fill_stes(p, sp, buf, (uint64_t)l2->l1_index * per, per);
            rc = rc ? rc : tab_write(w, buf, (size_t)(per * STE_SIZE));
        }
    }
    if (!rc)
        rc = tab_zeros(w, base + sp->span_size - w->at);
    free(buf);
    return rc;
}
