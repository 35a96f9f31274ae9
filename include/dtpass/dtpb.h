/* dtpass/dtpb.h — the system.dtpb hypervisor configuration blob: its
 * layout (docs/dtpb.md, byte by byte) and a freestanding reader a
 * hypervisor can compile in: no allocation, no libc (only <stdint.h> and
 * <stddef.h> types), every offset bounds-checked, the CRC verified, every
 * cross reference validated by dtpb_open() before anything is read.
 *
 *   struct dtpb b;
 *   int err = dtpb_open(&b, data, len);
 *   if (err < 0) panic(dtpb_strerror(err));
 *   for (uint32_t i = 0; i < dtpb_count(&b, DTPB_SEC_GUESTS); i++) {
 *       struct dtpb_guest g;
 *       dtpb_guest(&b, i, &g);
 *       ... dtpb_str(&b, g.name) ...
 *   }
 *
 * All multi-byte fields are little-endian. Version 1.0. */
#ifndef DTPASS_DTPB_H
#define DTPASS_DTPB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DTPB_MAGIC0 'D'
#define DTPB_MAGIC1 'T'
#define DTPB_MAGIC2 'P'
#define DTPB_MAGIC3 'B'
#define DTPB_VERSION_MAJOR 1
#define DTPB_VERSION_MINOR 0
#define DTPB_HEADER_SIZE 32u
#define DTPB_SECENT_SIZE 16u
#define DTPB_MAX_SECTIONS 64u
#define DTPB_NONE 0xffffffffu /* "no index" in reference fields */

/* Header offsets. */
#define DTPB_H_MAGIC 0
#define DTPB_H_MAJOR 4
#define DTPB_H_MINOR 6
#define DTPB_H_TOTAL 8
#define DTPB_H_CRC 12
#define DTPB_H_HSIZE 16
#define DTPB_H_NSEC 20
#define DTPB_H_SECOFF 24
#define DTPB_H_FLAGS 28

enum dtpb_section_id {
    DTPB_SEC_STRINGS = 1, /* NUL-terminated strings; entsize 1; starts and ends with NUL */
    DTPB_SEC_GUESTS = 2,
    DTPB_SEC_VCPUS = 3,
    DTPB_SEC_MEMMAP = 4,
    DTPB_SEC_DEVICES = 5,
    DTPB_SEC_DEVREGS = 6,
    DTPB_SEC_IRQS = 7,
    DTPB_SEC_SIDS = 8,
    DTPB_SEC_SMMUS = 9,
    DTPB_SEC_SMRS = 10,
    DTPB_SEC_CBS = 11,
    DTPB_SEC_SHARED = 12,
    DTPB_SEC_PEERS = 13,
    DTPB_SEC_LOADMAP = 14,
    DTPB_SEC_MAX = 14
};

/* Minimum record size of each section in version 1.0 (a later minor
 * version may append fields: readers use the entsize of the blob). */
#define DTPB_ENT_GUEST 80u
#define DTPB_ENT_VCPU 24u
#define DTPB_ENT_MEMMAP 40u
#define DTPB_ENT_DEVICE 16u
#define DTPB_ENT_DEVREG 32u
#define DTPB_ENT_IRQ 20u
#define DTPB_ENT_SID 24u
#define DTPB_ENT_SMMU 80u
#define DTPB_ENT_SMR 24u
#define DTPB_ENT_CB 40u
#define DTPB_ENT_SHARED 24u
#define DTPB_ENT_PEER 24u
#define DTPB_ENT_LOAD 40u

/* Error codes (negative; 0 is success). Each names one malformation. */
#define DTPB_ERR_TRUNCATED -1   /* shorter than its header or its total_size */
#define DTPB_ERR_BADMAGIC -2    /* not "DTPB" */
#define DTPB_ERR_BADVERSION -3  /* major version not 1 */
#define DTPB_ERR_BADHEADER -4   /* header_size, total_size or flags invalid */
#define DTPB_ERR_BADCRC -5      /* CRC-32 mismatch */
#define DTPB_ERR_BADSECTAB -6   /* section table out of bounds, misaligned or too long */
#define DTPB_ERR_BADSECTION -7  /* a section out of bounds, misaligned or overlapping another */
#define DTPB_ERR_BADENTSIZE -8  /* a record size below the version's minimum */
#define DTPB_ERR_DUPSECTION -9  /* a section id present twice */
#define DTPB_ERR_MISSING -10    /* a required section (strings, guests, load map) is absent */
#define DTPB_ERR_BADSTRINGS -11 /* string table empty or not NUL-delimited at both ends */
#define DTPB_ERR_BADSTRREF -12  /* a string offset outside the string table */
#define DTPB_ERR_BADREF -13     /* an index to a guest/device/SMMU/shared region out of range */
#define DTPB_ERR_BADVALUE -14   /* an enumerated field (kind, version, access) out of range */
#define DTPB_ERR_RANGE -15      /* (getters) record index out of range */
#define DTPB_ERR_BADARG -16     /* NULL pointer or length too large */

/* Memory-map kinds and permission bits. */
#define DTPB_MAP_RAM 1u
#define DTPB_MAP_SHARED 2u
#define DTPB_MAP_DEVICE 3u
#define DTPB_PERM_R 0x1u
#define DTPB_PERM_W 0x2u
#define DTPB_PERM_X 0x4u
#define DTPB_PERM_DEVICE 0x8u /* Device-nGnRE (else Normal write-back) */
/* Load-map kinds. */
#define DTPB_LOAD_HVDATA 1u
#define DTPB_LOAD_DTB 2u
#define DTPB_LOAD_KERNEL 3u
#define DTPB_LOAD_RAMDISK 4u
/* Guest flags. */
#define DTPB_GUEST_KERNEL 0x1u
#define DTPB_GUEST_RAMDISK 0x2u
/* Device flags. */
#define DTPB_DEV_DMA 0x1u

struct dtpb_guest {
    uint32_t name, vmid, ncpus, first_vcpu;
    uint64_t s2_root, vtcr, s2_size;
    uint64_t kernel_ipa, ramdisk_ipa, dtb_ipa;
    uint32_t flags, start_level, bootargs;
};
struct dtpb_vcpu {
    uint32_t guest, vcpu, pcpu;
    uint64_t mpidr;
};
struct dtpb_memmap {
    uint32_t guest, kind;
    uint64_t ipa, pa, size;
    uint32_t perm, ref; /* ref: device index (DEVICE), shared index (SHARED), else DTPB_NONE */
};
struct dtpb_device {
    uint32_t guest, path, flags; /* guest DTPB_NONE: a device the hypervisor keeps */
};
struct dtpb_devreg {
    uint32_t device;
    uint64_t pa, size, ipa;
};
struct dtpb_irq {
    uint32_t pintid, guest, vintid, flags, device;
};
struct dtpb_sid {
    uint32_t smmu, sid, mask, count, guest, device;
};
struct dtpb_smmu {
    uint32_t name, path, version, sid_bits;
    uint64_t reg_base, reg_size;
    uint64_t table_pa, table_size; /* SMMUv3 stream table (L1 base for 2-level) */
    uint64_t strtab_base;          /* SMMUv3 SMMU_STRTAB_BASE */
    uint32_t strtab_base_cfg;      /* SMMUv3 SMMU_STRTAB_BASE_CFG */
    uint32_t cr0, cr1, cr2;        /* SMMUv3 CR0/CR1/CR2; SMMUv2 sCR0 in cr0 */
    uint32_t nsmrs_max, ncbs_max;
};
struct dtpb_smr {
    uint32_t smmu, index, smr, s2cr, guest, cb;
};
struct dtpb_cb {
    uint32_t smmu, index, guest, cbar, cba2r, tcr, sctlr, vmid;
    uint64_t ttbr0;
};
struct dtpb_shared {
    uint32_t name;
    uint64_t base, size;
};
struct dtpb_peer {
    uint32_t shared, guest, access, doorbell; /* access 0 rw, 1 ro; doorbell: INTID or DTPB_NONE */
    uint64_t ipa;
};
struct dtpb_load {
    uint32_t kind, guest, file;
    uint64_t pa, ipa, size;
};

struct dtpb_section {
    uint32_t off, count, entsize;
};

/* An opened, validated blob. Points into the caller's buffer. */
struct dtpb {
    const uint8_t *data;
    uint32_t size;
    uint16_t major, minor;
    struct dtpb_section sec[DTPB_SEC_MAX + 1];
};

/* Validates everything (header, CRC, section table, every record's string
 * and index references) and fills b. Returns 0 or a DTPB_ERR_*. */
int dtpb_open(struct dtpb *b, const void *data, size_t len);
/* A short English description of an error code. */
const char *dtpb_strerror(int err);
/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320, init and final
 * xor 0xFFFFFFFF), continuing from crc (start with 0). */
uint32_t dtpb_crc32(uint32_t crc, const void *data, size_t len);

/* Number of records in a section (0 when absent). */
uint32_t dtpb_count(const struct dtpb *b, unsigned section);
/* The string at a string-table offset (validated by dtpb_open); "" when off
 * is out of range. */
const char *dtpb_str(const struct dtpb *b, uint32_t off);

int dtpb_guest(const struct dtpb *b, uint32_t i, struct dtpb_guest *out);
int dtpb_vcpu(const struct dtpb *b, uint32_t i, struct dtpb_vcpu *out);
int dtpb_memmap(const struct dtpb *b, uint32_t i, struct dtpb_memmap *out);
int dtpb_device(const struct dtpb *b, uint32_t i, struct dtpb_device *out);
int dtpb_devreg(const struct dtpb *b, uint32_t i, struct dtpb_devreg *out);
int dtpb_irq(const struct dtpb *b, uint32_t i, struct dtpb_irq *out);
int dtpb_sid(const struct dtpb *b, uint32_t i, struct dtpb_sid *out);
int dtpb_smmu(const struct dtpb *b, uint32_t i, struct dtpb_smmu *out);
int dtpb_smr(const struct dtpb *b, uint32_t i, struct dtpb_smr *out);
int dtpb_cb(const struct dtpb *b, uint32_t i, struct dtpb_cb *out);
int dtpb_shared(const struct dtpb *b, uint32_t i, struct dtpb_shared *out);
int dtpb_peer(const struct dtpb *b, uint32_t i, struct dtpb_peer *out);
int dtpb_load(const struct dtpb *b, uint32_t i, struct dtpb_load *out);

#ifdef __cplusplus
}
#endif

#endif
