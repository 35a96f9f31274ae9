/* emit/smmuv2.c — SMMUv2 / MMU-500 stream mapping: smmu-<name>.bin is a
 * register programming list (docs/tables.md): a 16-byte header ("DTS2",
 * version 1, record count, 0) and 16-byte records {u16 space, u16 index,
 * u32 offset, u64 value}, space 0 = global register space 0 (offset from
 * the SMMU base), 1 = global register space 1, 2 = context bank `index`.
 * Offsets and fields follow Linux drivers/iommu/arm/arm-smmu/arm-smmu.h.
 *
 * Order: per context bank CBAR, CBA2R, TCR, TTBR0, SCTLR (SCTLR last: it
 * enables translation); then per stream-match group S2CR n, SMR n (S2CR
 * first, so a valid SMR never points at a stale S2CR); sCR0 last (with
 * USFCFG = 1 unmatched streams fault; CLIENTPD = 0). The hypervisor starts
 * from reset state (every SMR invalid). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emit/emit.h"
#include "emit/tables.h"

uint32_t smmuv2_smr_value(const struct smr_place *s)
{
    /* SMR: VALID bit 31, MASK [30:16], ID [14:0] (15-bit stream IDs). */
    return SMR_VALID | ((s->mask & 0x7fffu) << 16) | (s->id & 0x7fffu);
}

uint32_t smmuv2_s2cr_value(const struct smr_place *s)
{
    /* S2CR: TYPE [17:16] = 0 (translate), CBNDX [7:0]. */
    return (0u << 16) | (s->cb & 0xffu);
}

struct plist {
    uint8_t *buf;
    size_t n, cap;
};

static void rec(struct plist *l, unsigned space, unsigned index, uint32_t off, uint64_t val)
{
    if (l->n + S2PL_RECORD > l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->buf = xrealloc(l->buf, l->cap);
    }
    uint8_t *r = l->buf + l->n;
    put_le16(r, (uint16_t)space);
    put_le16(r + 2, (uint16_t)index);
    put_le32(r + 4, off);
    put_le64(r + 8, val);
    l->n += S2PL_RECORD;
}

size_t smmuv2_program(const struct smmu_place *sp, uint8_t **out)
{
    struct plist l = {0};
    rec(&l, 0, 0, 0, 0); /* header placeholder */
    for (size_t i = 0; i < sp->cbs.n; i++) {
        const struct cb_place *cb = &sp->cbs.v[i];
        rec(&l, S2PL_GR1, 0, SMMU_GR1_CBAR((uint32_t)i), cb->cbar);
        rec(&l, S2PL_GR1, 0, SMMU_GR1_CBA2R((uint32_t)i), cb->cba2r);
        rec(&l, S2PL_CB, (unsigned)i, SMMU_CB_TCR, cb->tcr);
        rec(&l, S2PL_CB, (unsigned)i, SMMU_CB_TTBR0, cb->ttbr0);
        rec(&l, S2PL_CB, (unsigned)i, SMMU_CB_SCTLR, cb->sctlr);
    }
    for (size_t i = 0; i < sp->smrs.n; i++) {
        rec(&l, S2PL_GR0, 0, SMMU_GR0_S2CR((uint32_t)i), smmuv2_s2cr_value(&sp->smrs.v[i]));
        rec(&l, S2PL_GR0, 0, SMMU_GR0_SMR((uint32_t)i), smmuv2_smr_value(&sp->smrs.v[i]));
    }
    rec(&l, S2PL_GR0, 0, SMMU_GR0_sCR0, sp->cr0);
    memcpy(l.buf, S2PL_MAGIC, 4);
    put_le32(l.buf + 4, 1);
    put_le32(l.buf + 8, (uint32_t)(l.n / S2PL_RECORD - 1));
    put_le32(l.buf + 12, 0);
    *out = l.buf;
    return l.n;
}

int smmuv2_emit(struct dtpass_ctx *ctx, const struct smmu_place *sp)
{
    uint8_t *buf;
    size_t n = smmuv2_program(sp, &buf);
    char *name = xasprintf("smmu-%s.bin", sp->smmu->name);
    int rc = emit_file(ctx, name, buf, n);
    free(buf);
    free(name);
    return rc;
}
