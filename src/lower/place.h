/* lower/place.h — where the hypervisor's tables live and what they hold:
 * the SMMU stream configuration (SMMUv3 stream tables, SMMUv2 SMR/S2CR/
 * context-bank programming), each guest's stage-2 translation tables, and
 * the single image hvdata.bin that holds all of them at fixed physical
 * addresses inside hypervisor memory (docs/tables.md).
 *
 * lower_place() (place.c) fills a struct placement on ctx->place; the
 * emitters (emit/smmuv3.c, smmuv2.c, stage2.c, hvdata.c, blob.c) only
 * serialise it. Everything is deterministic: board order for SMMUs, model
 * order for guests, sorted SIDs and IPAs. */
#ifndef DTPASS_PLACE_H
#define DTPASS_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board/board.h"
#include "model/model.h"

/* --- stage-2 descriptor bits (VMSAv8-64, 4 KiB granule, Arm ARM D8) --- */
#define S2_VALID (1ull << 0)
#define S2_TABLE (1ull << 1)          /* levels 0-2: table; level 3: page */
#define S2_MEMATTR(x) ((uint64_t)(x) << 2) /* MemAttr[3:0], bits [5:2] */
#define S2_MEMATTR_NORMAL_WB 0xfu     /* outer WB 0b11, inner WB 0b11 */
#define S2_MEMATTR_DEVICE_nGnRE 0x1u  /* 0b00 device, 0b01 nGnRE */
#define S2_AP(x) ((uint64_t)(x) << 6) /* S2AP, bits [7:6] */
#define S2_AP_RO 0x1u
#define S2_AP_RW 0x3u
#define S2_SH(x) ((uint64_t)(x) << 8) /* SH, bits [9:8] */
#define S2_SH_INNER 0x3u
#define S2_AF (1ull << 10)
#define S2_XN (2ull << 53)            /* XN[1:0] bits [54:53] = 0b10: no execution */
#define S2_OA_MASK UINT64_C(0x0000fffffffff000) /* output address bits [47:12] */

/* What one stage-2 mapping is (also the blob's memory-map kinds). */
enum map_kind { MAP_RAM = 1, MAP_SHARED = 2, MAP_DEVICE = 3 };
#define MAP_R 0x1u      /* readable */
#define MAP_W 0x2u      /* writable */
#define MAP_X 0x4u      /* executable */
#define MAP_DEV 0x8u    /* Device-nGnRE (else Normal write-back) */

/* A page-granular mapping IPA -> PA, what the guest's tables implement. */
struct s2_map {
    uint64_t ipa, pa, size;
    enum map_kind kind;
    uint32_t perm;  /* MAP_* */
    uint32_t ref;   /* MAP_DEVICE: index in place.devices; MAP_SHARED: shared index; else ~0 */
};

/* One assigned device, flattened (guest, model device). */
struct dev_place {
    uint32_t guest;
    const struct sys_device *dev;
};

struct guest_place {
    const struct sys_guest *g;
    uint32_t vmid;
    int start_level;      /* 0..2 */
    uint32_t nroot;       /* concatenated root tables (1..16) */
    uint64_t vtcr;        /* VTCR_EL2 value (also SMMUv2 CB TCR, SMMUv3 STE VTCR) */
    VEC(struct s2_map) maps; /* sorted by IPA */
    /* The tables are not kept: lower_place builds them once to count them
     * and the emitter builds them again, one guest at a time (s2_build is
     * deterministic). ntables 4 KiB tables, root first (nroot of them), at
     * pa..pa+ntables*4K. */
    size_t ntables;
    uint64_t pa, size;    /* the span in hvdata; pa is the root (VTTBR/S2TTB) */
    uint64_t dtb_ipa, dtb_pa, dtb_size; /* where the guest DTB goes */
};

/* A run of stream IDs [lo, hi] owned by one guest on one SMMU. */
struct sid_run {
    uint32_t lo, hi, guest;
};

struct smr_place {
    uint32_t id, mask; /* matches s when (s & ~mask) == (id & ~mask) */
    uint32_t cb;       /* context bank index */
    uint32_t guest;
};

struct cb_place {
    uint32_t guest, vmid;
    uint32_t cbar, cba2r, tcr, sctlr;
    uint64_t ttbr0;
};

struct l2_place {
    uint32_t l1_index;
    uint64_t pa;
};

struct smmu_place {
    const struct board_smmu *smmu;
    int version;             /* 2 or 3 */
    uint32_t sid_bits, nsmrs_max, ncbs_max;
    uint64_t reg_base, reg_size; /* the SMMU's register frame (first mmio) */
    VEC(struct sid_run) sids;    /* sorted, disjoint */

    /* SMMUv3 */
    bool two_level;
    uint64_t strtab_pa, strtab_size; /* linear table, or the L1 table */
    uint32_t nl1;                    /* L1 descriptors (2-level) */
    VEC(struct l2_place) l2;         /* sorted by l1_index */
    uint64_t span_pa, span_size;     /* all of this SMMU's tables in hvdata */
    uint64_t strtab_base;            /* SMMU_STRTAB_BASE */
    uint32_t strtab_base_cfg;        /* SMMU_STRTAB_BASE_CFG */
    uint32_t cr0, cr1, cr2;          /* SMMU_CR0 (v3) or sCR0 (v2, in cr0) */

    /* SMMUv2 */
    VEC(struct smr_place) smrs; /* SMR n / S2CR n */
    VEC(struct cb_place) cbs;   /* context bank n */
};

struct placement {
    uint64_t load_pa, size; /* hvdata.bin */
    uint32_t ipa_bits, pa_bits;
    struct guest_place *guests;
    size_t nguests;
    struct smmu_place *smmus;
    size_t nsmmus;
    VEC(struct dev_place) devices; /* every assigned device, guest order */
};

/* SMMUv3 stream table geometry (IHI 0070: 64-byte STEs, SPLIT = 8). */
#define STE_SIZE 64u
#define STRTAB_SPLIT 8u
#define STRTAB_LINEAR_MAX (64u * 1024u)
/* The guest DTB window: the last 2 MiB of the guest's first RAM region. */
#define GUEST_DTB_SIZE (2ull << 20)

/* Stage-2 geometry for an IPA width: the start level with the fewest
 * levels using at most 16 concatenated root tables (as Linux KVM does). */
void s2_geometry(uint32_t ipa_bits, int *start_level, uint32_t *nroot);
/* VTCR_EL2 for ipa/pa width and start level (4 KiB granule, inner-shareable
 * write-back walks). vmid16 sets VS. */
uint64_t s2_vtcr(uint32_t ipa_bits, uint32_t pa_bits, int start_level, bool vmid16);
/* PS/PASize encoding for an output address width (rounded up). */
uint32_t s2_ps(uint32_t pa_bits);

/* Limits on what dtpass generates (hostile inputs must not make it
 * allocate without bound): 128 MiB of stage-2 tables per guest (64 GiB
 * mapped with 4 KiB pages; blocks need far fewer), 1 GiB of
 * hvdata.bin. */
#define S2_MAX_TABLES (1u << 15)
#define HVDATA_MAX (1ull << 30)

/* One guest's stage-2 tables while they exist: n 4 KiB tables of 512
 * descriptors, root first. Reusable from guest to guest (s2_build resets
 * n and keeps the allocation); grown by doubling unless reserved. */
struct s2_tables {
    uint64_t *desc;  /* n * 512 descriptors */
    uint8_t *levels; /* level of each table */
    size_t n, cap;
};

/* Builds gp's tables from its maps into t (table descriptors hold table
 * indices until s2_finalize). Returns 0; -1 with *why set when two maps
 * disagree about the same IPA; -2 when a map lies beyond the IPA space or
 * 48-bit PAs; -3 when the tables would exceed S2_MAX_TABLES. */
int s2_build(const struct guest_place *gp, struct s2_tables *t, const char **why,
             uint64_t *where);
/* Makes room for exactly n tables (when the count is known in advance). */
void s2_reserve(struct s2_tables *t, size_t n);
/* Rewrites table descriptors to physical addresses once gp->pa is known. */
void s2_finalize(const struct guest_place *gp, struct s2_tables *t);
void s2_tables_free(struct s2_tables *t);

void place_free(struct placement *p);
/* The index of the first of sp's stream-ID runs that ends at or after sid
 * (sp->sids.n when none): a binary search, the runs being sorted and
 * disjoint. */
size_t place_first_run(const struct smmu_place *sp, uint64_t sid);

#endif
