/* emit/tables.h — shared by the table emitters (smmuv3.c, smmuv2.c,
 * stage2.c, hvdata.c, blob.c, dump.c): the writer that streams hvdata.bin
 * and the span files, and the encoders of SMMU structures. The placement itself is lower/place.h. */
#ifndef DTPASS_EMIT_TABLES_H
#define DTPASS_EMIT_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "dtpass.h"
#include "emit/emit.h"
#include "lower/place.h"

/* SMMUv3 STE fields (Arm IHI 0070, "Stream Table Entry"; the same
 * positions as Linux drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h). */
#define STE0_V (1ull << 0)                 /* STRTAB_STE_0_V */
#define STE0_CONFIG(x) ((uint64_t)(x) << 1) /* STRTAB_STE_0_CFG [3:1] */
#define STE_CONFIG_ABORT 0x0u
#define STE_CONFIG_BYPASS 0x4u
#define STE_CONFIG_S2 0x6u                 /* S1 bypass, S2 translate */
#define STE1_SHCFG_INCOMING (1ull << 44)   /* STRTAB_STE_1_SHCFG [45:44] = 0b01 */
#define STE2_S2VMID(x) ((uint64_t)(x) & 0xffff) /* [15:0] */
#define STE2_VTCR(x) (((uint64_t)(x) & 0x7ffff) << 32) /* [50:32] */
#define STE2_S2AA64 (1ull << 51)
#define STE2_S2PTW (1ull << 54)
#define STE2_S2R (1ull << 58)
#define STE3_S2TTB_MASK UINT64_C(0x000ffffffffffff0) /* [51:4] */
/* Level-1 stream table descriptor: L2Ptr [51:6], Span [4:0]. */
#define L1STD_SPAN(x) ((uint64_t)(x) & 0x1f)
#define L1STD_L2PTR_MASK UINT64_C(0x000fffffffffffc0)

/* SMMUv2 programming-list file (smmu-<name>.bin for SMMUv2). */
#define S2PL_MAGIC "DTS2"
#define S2PL_HEADER 16u
#define S2PL_RECORD 16u
enum s2pl_space { S2PL_GR0 = 0, S2PL_GR1 = 1, S2PL_CB = 2 };
/* GR0/GR1/context-bank register offsets (Linux arm-smmu.h). */
#define SMMU_GR0_sCR0 0x0u
#define SMMU_GR0_SMR(n) (0x800u + 4u * (n))
#define SMMU_GR0_S2CR(n) (0xc00u + 4u * (n))
#define SMMU_GR1_CBAR(n) (0x0u + 4u * (n))
#define SMMU_GR1_CBA2R(n) (0x800u + 4u * (n))
#define SMMU_CB_SCTLR 0x0u
#define SMMU_CB_TTBR0 0x20u
#define SMMU_CB_TCR 0x30u
#define SMR_VALID (1u << 31)

/* Where table bytes go while the spans of hvdata.bin are generated in
 * address order (hvdata.c): hvdata.bin (a staged file, or an in-memory
 * image for hvdata_image), and the file of the span being written
 * (s2-<guest>.bin, smmu-<name>.bin). Any of them may be absent. */
struct tab_writer {
    struct emit_out *hv;   /* hvdata.bin */
    uint8_t *mem;          /* or all of it in memory (place->size bytes) */
    struct emit_out *span; /* the current span's own file */
    uint64_t at;           /* offset in hvdata.bin, counted even when not written */
};
/* 0, or -1 after an I/O failure (reported). */
int tab_write(struct tab_writer *w, const void *data, size_t len);
int tab_zeros(struct tab_writer *w, uint64_t len);
/* Writes one SMMUv3's span (sp->span_size bytes at sp->span_pa). */
int smmuv3_stream(const struct placement *p, const struct smmu_place *sp, struct tab_writer *w);
/* Builds one guest's stage-2 tables again into t (at most one guest's
 * tables exist at a time), finalises them at gp->pa and writes its span. */
int stage2_stream(struct dtpass_ctx *ctx, const struct guest_place *gp, struct s2_tables *t,
                  struct tab_writer *w);
/* All of hvdata.bin in memory (*out, place->size bytes, allocated): for
 * the unit tests' walker; a build streams it instead. 0 or -1 (reported). */
int hvdata_image(struct dtpass_ctx *ctx, uint8_t **out);
/* SMMUv2 register values of an SMR. */
uint32_t smmuv2_smr_value(const struct smr_place *s);
uint32_t smmuv2_s2cr_value(const struct smr_place *s);
/* The SMMUv2 programming list; returns its size, *out allocated. */
size_t smmuv2_program(const struct smmu_place *sp, uint8_t **out);
/* Emits smmu-<name>.bin for SMMUv2 entries (called by emit_tables). */
int smmuv2_emit(struct dtpass_ctx *ctx, const struct smmu_place *sp);
/* Serialises system.dtpb; returns its size, *out allocated. Needs
 * lower_place and lower_quiesce (without the plan the quiesce sections are
 * empty, which the reader rejects: every guest has a scrub step). */
size_t blob_serialise(const struct dtpass_ctx *ctx, uint8_t **out);
/* "<outdir>/<name>" (allocated). */

#endif
