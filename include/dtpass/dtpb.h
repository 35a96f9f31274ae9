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
 * All multi-byte fields are little-endian. Version 1.1 (1.0 plus the
 * quiesce plan, sections 15 and 16, which a 1.0 reader skips).
 *
 * Each record layout is one table below (DTPB_<RECORD>_FIELDS): the struct
 * a getter fills, the getter itself, the reference checks of dtpb_open(),
 * the writer in dtpass (src/emit/blob.c) and the tables of docs/dtpb.md all
 * come from it. */
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
#define DTPB_VERSION_MINOR 1
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
    DTPB_SEC_QUIESCE = 15, /* since 1.1 */
    DTPB_SEC_QCELLS = 16,  /* since 1.1 */
    DTPB_SEC_MAX = 16
};

/* Record size of each section in version 1.1 (a later minor version may
 * append fields: readers use the entsize of the blob). Each field table
 * below tiles its record exactly (a compile-time check in the reader; the
 * unit test compares offsets with docs/dtpb.md). */
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
#define DTPB_ENT_QSTEP 56u
#define DTPB_ENT_QCELL 4u

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
/* Quiesce step kinds, in the order a guest's steps are performed. */
#define DTPB_Q_ABORT_STE 1u  /* SMMUv3: STEs sid..sid+count-1 -> V=1, Config=abort */
#define DTPB_Q_FAULT_S2CR 2u /* SMMUv2: S2CRn (n = sid) -> TYPE=fault */
#define DTPB_Q_RESET 3u      /* assert the reset line (provider, cells) */
#define DTPB_Q_POWER_OFF 4u  /* switch the power domain (provider, cells) off */
#define DTPB_Q_HAZARD 5u     /* a DMA master none of the above can stop */
#define DTPB_Q_SCRUB 6u      /* the guest's RAM may now be scrubbed and reused */
/* Quiesce holders besides a guest index. */
#define DTPB_HOLDER_HYP 0xffffffffu    /* the hypervisor keeps the provider */
#define DTPB_HOLDER_NOBODY 0xfffffffeu /* no one was given the provider */

/* ------------------------------------------------------------------ */
/* The record layouts, one table per section:
 *
 *   F(name, offset, width, check, arg, meaning)   a field
 *   R(offset, width)                              reserved bytes (zero)
 *
 * width is 4 (u32) or 8 (u64); check says what dtpb_open() proves of the
 * field before any getter runs:
 *   VAL  nothing by itself (a plain value, or a relation checked by hand)
 *   STR  a string offset inside the strings section
 *   IDX  the index of a record of section DTPB_SEC_<arg>
 *   OPT  the same, or DTPB_NONE
 *   IN   a value in the inclusive range arg = (lo, hi)
 * meaning is the "field" cell of the section's table in docs/dtpb.md, word
 * for word (tests/unit/test_dtpb.c compares them). */

#define DTPB_GUEST_FIELDS(F, R) \
    F(name, 0, 4, STR, 0, "name (string)") \
    F(vmid, 4, 4, VAL, 0, "VMID") \
    F(ncpus, 8, 4, VAL, 0, "ncpus: number of vCPUs") \
    F(first_vcpu, 12, 4, VAL, 0, "first_vcpu: index of its first vcpus record (its vCPUs are consecutive)") \
    F(s2_root, 16, 8, VAL, 0, "s2_root: PA of the stage-2 root table (VTTBR_EL2.BADDR, STE S2TTB)") \
    F(vtcr, 24, 8, VAL, 0, "vtcr: VTCR_EL2 value for this guest") \
    F(s2_size, 32, 8, VAL, 0, "s2_size: bytes of its stage-2 tables (the span at s2_root, = `s2-<guest>.bin`)") \
    F(kernel_ipa, 40, 8, VAL, 0, "kernel_ipa: kernel load IPA = entry point (valid with flag bit 0)") \
    F(ramdisk_ipa, 48, 8, VAL, 0, "ramdisk_ipa (valid with flag bit 1)") \
    F(dtb_ipa, 56, 8, VAL, 0, "dtb_ipa: guest DTB IPA (x0 at entry)") \
    F(flags, 64, 4, VAL, 0, "flags: bit 0 has kernel, bit 1 has ramdisk") \
    F(start_level, 68, 4, IN, (0, 3), "start_level: stage-2 start level (0..2)") \
    F(bootargs, 72, 4, STR, 0, "bootargs (string; also in the guest DTB)") \
    R(76, 4)

#define DTPB_VCPU_FIELDS(F, R) \
    F(guest, 0, 4, IDX, GUESTS, "guest (index)") \
    F(vcpu, 4, 4, VAL, 0, "vCPU number within the guest (0..ncpus−1; the guest DT's `reg`)") \
    F(pcpu, 8, 4, VAL, 0, "physical CPU index (board `/cpus` order)") \
    R(12, 4) \
    F(mpidr, 16, 8, VAL, 0, "MPIDR of the physical CPU (from its `reg`)")

#define DTPB_MEMMAP_FIELDS(F, R) \
    F(guest, 0, 4, IDX, GUESTS, "guest (index)") \
    F(kind, 4, 4, IN, (1, 3), "kind: 1 RAM, 2 shared-region window, 3 device MMIO") \
    F(ipa, 8, 8, VAL, 0, "IPA") \
    F(pa, 16, 8, VAL, 0, "PA") \
    F(size, 24, 8, VAL, 0, "size (> 0, 4 KiB multiple)") \
    F(perm, 32, 4, VAL, 0, "perm: bit 0 read, bit 1 write, bit 2 execute, bit 3 Device-nGnRE (else Normal write-back)") \
    F(ref, 36, 4, VAL, 0, "ref: device index (kind 3), shared-region index (kind 2), `0xffffffff` (kind 1)")

#define DTPB_DEVICE_FIELDS(F, R) \
    F(guest, 0, 4, OPT, GUESTS, "guest (index), `0xffffffff` for the hypervisor") \
    F(path, 4, 4, STR, 0, "board node path (string)") \
    F(flags, 8, 4, VAL, 0, "flags: bit 0 DMA master") \
    R(12, 4)

#define DTPB_DEVREG_FIELDS(F, R) \
    F(device, 0, 4, IDX, DEVICES, "device (index)") \
    R(4, 4) \
    F(pa, 8, 8, VAL, 0, "PA") \
    F(size, 16, 8, VAL, 0, "size") \
    F(ipa, 24, 8, VAL, 0, "IPA")

#define DTPB_IRQ_FIELDS(F, R) \
    F(pintid, 0, 4, VAL, 0, "physical INTID") \
    F(guest, 4, 4, IDX, GUESTS, "guest (index)") \
    F(vintid, 8, 4, VAL, 0, "virtual INTID injected into the guest") \
    F(flags, 12, 4, VAL, 0, "flags: the GIC specifier's trigger cell (1 edge rising, 4 level high...)") \
    F(device, 16, 4, OPT, DEVICES, "device (index) or `0xffffffff`")

#define DTPB_SID_FIELDS(F, R) \
    F(smmu, 0, 4, IDX, SMMUS, "SMMU (index)") \
    F(sid, 4, 4, VAL, 0, "stream ID") \
    F(mask, 8, 4, VAL, 0, "mask (SMMUv2 2-cell specifiers: IDs s with `(s & ~mask) == (sid & ~mask)`), else 0") \
    F(count, 12, 4, VAL, 0, "count: IDs sid..sid+count−1 (`iommu-map` ranges), else 1") \
    F(guest, 16, 4, IDX, GUESTS, "guest (index)") \
    F(device, 20, 4, OPT, DEVICES, "device (index) or `0xffffffff`")

#define DTPB_SMMU_FIELDS(F, R) \
    F(name, 0, 4, STR, 0, "name (string): the output name, `smmu-<name>.bin`") \
    F(path, 4, 4, STR, 0, "board node path (string)") \
    F(version, 8, 4, IN, (2, 3), "version: 2 (SMMUv2 family) or 3") \
    F(sid_bits, 12, 4, IN, (0, 32), "sid_bits") \
    F(reg_base, 16, 8, VAL, 0, "PA of the register frame (first `reg` of the node)") \
    F(reg_size, 24, 8, VAL, 0, "size of the register frame") \
    F(table_pa, 32, 8, VAL, 0, "v3: PA of the stream table (linear table or L1 table) in hvdata; v2: 0") \
    F(table_size, 40, 8, VAL, 0, "v3: bytes of the stream-table span (= `smmu-<name>.bin`); v2: 0") \
    F(strtab_base, 48, 8, VAL, 0, "v3: SMMU_STRTAB_BASE value") \
    F(strtab_base_cfg, 56, 4, VAL, 0, "v3: SMMU_STRTAB_BASE_CFG value") \
    F(cr0, 60, 4, VAL, 0, "v3: SMMU_CR0 value to write last; v2: sCR0 value") \
    F(cr1, 64, 4, VAL, 0, "v3: SMMU_CR1; v2: 0") \
    F(cr2, 68, 4, VAL, 0, "v3: SMMU_CR2; v2: 0") \
    F(nsmrs_max, 72, 4, VAL, 0, "SMRs available (v2)") \
    F(ncbs_max, 76, 4, VAL, 0, "context banks available (v2)")

#define DTPB_SMR_FIELDS(F, R) \
    F(smmu, 0, 4, IDX, SMMUS, "SMMU (index)") \
    F(index, 4, 4, VAL, 0, "n: stream-match register index") \
    F(smr, 8, 4, VAL, 0, "SMRn value (VALID bit 31, MASK [30:16], ID [14:0])") \
    F(s2cr, 12, 4, VAL, 0, "S2CRn value (TYPE [17:16] = 0 translate, CBNDX [7:0])") \
    F(guest, 16, 4, IDX, GUESTS, "guest (index)") \
    F(cb, 20, 4, VAL, 0, "context bank index")

#define DTPB_CB_FIELDS(F, R) \
    F(smmu, 0, 4, IDX, SMMUS, "SMMU (index)") \
    F(index, 4, 4, VAL, 0, "n: context bank index") \
    F(guest, 8, 4, IDX, GUESTS, "guest (index)") \
    F(cbar, 12, 4, VAL, 0, "CBARn value") \
    F(cba2r, 16, 4, VAL, 0, "CBA2Rn value") \
    F(tcr, 20, 4, VAL, 0, "CB TCR value") \
    F(sctlr, 24, 4, VAL, 0, "CB SCTLR value") \
    F(vmid, 28, 4, VAL, 0, "VMID") \
    F(ttbr0, 32, 8, VAL, 0, "CB TTBR0 value (the guest's stage-2 root)")

#define DTPB_SHARED_FIELDS(F, R) \
    F(name, 0, 4, STR, 0, "name (string)") \
    R(4, 4) \
    F(base, 8, 8, VAL, 0, "PA") \
    F(size, 16, 8, VAL, 0, "size")

#define DTPB_PEER_FIELDS(F, R) \
    F(shared, 0, 4, IDX, SHARED, "shared region (index)") \
    F(guest, 4, 4, IDX, GUESTS, "guest (index)") \
    F(access, 8, 4, IN, (0, 1), "access: 0 read-write, 1 read-only") \
    F(doorbell, 12, 4, VAL, 0, "doorbell: the INTID raised in this guest when a peer signals, or `0xffffffff`") \
    F(ipa, 16, 8, VAL, 0, "IPA of the window in this guest")

#define DTPB_LOAD_FIELDS(F, R) \
    F(kind, 0, 4, IN, (1, 4), "kind: 1 `hvdata.bin`, 2 guest DTB, 3 kernel, 4 ramdisk") \
    F(guest, 4, 4, OPT, GUESTS, "guest (index), `0xffffffff` for hvdata") \
    F(file, 8, 4, STR, 0, "file name in the output directory / as given in `boot:` (string)") \
    R(12, 4) \
    F(pa, 16, 8, VAL, 0, "PA to load at (`0xffffffffffffffff` when the IPA is not in guest RAM)") \
    F(ipa, 24, 8, VAL, 0, "IPA (0 for hvdata)") \
    F(size, 32, 8, VAL, 0, "size: hvdata bytes; DTB: the window reserved for it (2 MiB); images: 0 (unknown)")

#define DTPB_QSTEP_FIELDS(F, R) \
    F(guest, 0, 4, IDX, GUESTS, "guest (index)") \
    F(kind, 4, 4, IN, (1, 6), "kind: 1 abort STEs (SMMUv3), 2 fault S2CR (SMMUv2), 3 assert reset, 4 power off, 5 hazard (nothing stops the device), 6 scrub the guest's RAM") \
    F(device, 8, 4, OPT, DEVICES, "device (index); `0xffffffff` for kind 6") \
    F(smmu, 12, 4, OPT, SMMUS, "kinds 1, 2: SMMU (index); else `0xffffffff`") \
    F(sid, 16, 4, VAL, 0, "kind 1: first stream ID; kind 2: n, the SMR/S2CR index; else 0") \
    F(count, 20, 4, VAL, 0, "kind 1: stream IDs (STEs sid..sid+count−1); kind 2: 1; else 0") \
    F(provider, 24, 4, STR, 0, "kinds 3, 4: board node path of the reset or power-domain provider (string); else 0") \
    F(holder, 28, 4, VAL, 0, "kinds 3, 4: who holds the provider: guest (index), `0xffffffff` the hypervisor, `0xfffffffe` no one; else `0xffffffff`") \
    F(reg_base, 32, 8, VAL, 0, "kinds 3, 4: PA of the provider's first register range, 0 when it has none") \
    F(reg_size, 40, 8, VAL, 0, "kinds 3, 4: size of that range") \
    F(first_cell, 48, 4, VAL, 0, "kinds 3, 4: index of the specifier's first cell in section 16") \
    F(ncells, 52, 4, VAL, 0, "kinds 3, 4: number of cells (the provider's `#reset-cells` / `#power-domain-cells`)")

#define DTPB_QCELL_FIELDS(F, R) \
    F(value, 0, 4, VAL, 0, "a specifier cell, as in the board's `resets` / `power-domains`")

/* The record sections, id order: S(ID, rec, REC, title) ties DTPB_SEC_<ID>
 * to struct dtpb_<rec>, its getter dtpb_<rec>(), DTPB_ENT_<REC>,
 * DTPB_<REC>_FIELDS and the title of its docs/dtpb.md section. */
#define DTPB_SECTIONS(S) \
    S(GUESTS, guest, GUEST, "guests") \
    S(VCPUS, vcpu, VCPU, "vcpus") \
    S(MEMMAP, memmap, MEMMAP, "memory map") \
    S(DEVICES, device, DEVICE, "devices") \
    S(DEVREGS, devreg, DEVREG, "device registers") \
    S(IRQS, irq, IRQ, "interrupt routes") \
    S(SIDS, sid, SID, "stream IDs") \
    S(SMMUS, smmu, SMMU, "SMMUs") \
    S(SMRS, smr, SMR, "SMMUv2 SMRs") \
    S(CBS, cb, CB, "SMMUv2 context banks") \
    S(SHARED, shared, SHARED, "shared regions") \
    S(PEERS, peer, PEER, "shared-region peers") \
    S(LOADMAP, load, LOAD, "load map") \
    S(QUIESCE, qstep, QSTEP, "quiesce steps") \
    S(QCELLS, qcell, QCELL, "quiesce cells")

/* One struct per record, a member per field in offset order (reserved
 * bytes have none). */
#define DTPB_TYPE_4 uint32_t
#define DTPB_TYPE_8 uint64_t
#define DTPB_MEMBER_(name, off, width, check, arg, doc) DTPB_TYPE_##width name;
#define DTPB_NOTHING_(off, width)
#define DTPB_STRUCT_(ID, rec, REC, title) \
    struct dtpb_##rec { DTPB_##REC##_FIELDS(DTPB_MEMBER_, DTPB_NOTHING_) };
DTPB_SECTIONS(DTPB_STRUCT_)
#undef DTPB_STRUCT_

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

/* Validates the whole blob and fills b; on failure b is zeroed. Checks, in
 * this order, and returns the first failure:
 *   DTPB_ERR_BADARG      b or data is NULL
 *   DTPB_ERR_TRUNCATED   len < 32, or total_size > len
 *   DTPB_ERR_BADMAGIC    the first four bytes are not "DTPB"
 *   DTPB_ERR_BADVERSION  major version is not 1
 *   DTPB_ERR_BADHEADER   total_size or header_size too small or not a
 *                        multiple of 8, header_size > total_size, flags != 0
 *   DTPB_ERR_BADCRC      the CRC-32 does not match
 *   DTPB_ERR_BADSECTAB   the section table is out of bounds, misaligned or
 *                        longer than 64 entries
 *   DTPB_ERR_BADSECTION  a section out of bounds, misaligned, overlapping
 *                        or out of offset order
 *   DTPB_ERR_DUPSECTION  a known section id twice
 *   DTPB_ERR_BADENTSIZE  a known section's entsize below this version's
 *                        record size, or strings entsize != 1
 *   DTPB_ERR_MISSING     strings, guests or load map absent
 *   DTPB_ERR_BADSTRINGS  strings empty or not starting and ending with NUL
 *   DTPB_ERR_BADSTRREF   a STR field outside the strings section
 *   DTPB_ERR_BADREF      an IDX/OPT field out of range, a guest whose vCPU
 *                        records are not its own numbered 0..ncpus-1, a
 *                        memory-map ref that does not match its kind, a
 *                        quiesce step whose device, SMMU, holder or cells
 *                        do not fit its kind and guest
 *   DTPB_ERR_BADVALUE    an IN field out of its range, an empty or
 *                        wrapping memory mapping, quiesce steps out of
 *                        (guest, kind) order, a guest without exactly one
 *                        scrub step, stream IDs beyond the SMMU's sid_bits
 * Unknown section ids (a later minor version's) are skipped. */
int dtpb_open(struct dtpb *b, const void *data, size_t len);
/* A short English description of an error code (any int; never NULL). */
const char *dtpb_strerror(int err);
/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320, init and final
 * xor 0xFFFFFFFF), continuing from crc (start with 0). No error. */
uint32_t dtpb_crc32(uint32_t crc, const void *data, size_t len);

/* Number of records in a section: 0 when the section is absent, b is NULL
 * or section is not a known id. No error. */
uint32_t dtpb_count(const struct dtpb *b, unsigned section);
/* The string at a string-table offset (validated by dtpb_open); "" when off
 * is out of range. No error. */
const char *dtpb_str(const struct dtpb *b, uint32_t off);

/* The record getters: fill *out with record i of the section and return 0.
 * They only read a blob dtpb_open() accepted, so every string and index in
 * *out is valid. Each returns exactly these errors, leaving *out untouched:
 *   DTPB_ERR_BADARG  out is NULL
 *   DTPB_ERR_RANGE   b is NULL, or i >= dtpb_count(b, <its section>)
 *                    (also every i when the section is absent) */

/* DTPB_SEC_GUESTS. 0, DTPB_ERR_BADARG, DTPB_ERR_RANGE. */
int dtpb_guest(const struct dtpb *b, uint32_t i, struct dtpb_guest *out);
/* DTPB_SEC_VCPUS; a guest's are first_vcpu..first_vcpu+ncpus-1.
 * 0, DTPB_ERR_BADARG, DTPB_ERR_RANGE. */
int dtpb_vcpu(const struct dtpb *b, uint32_t i, struct dtpb_vcpu *out);
/* DTPB_SEC_MEMMAP. 0, DTPB_ERR_BADARG, DTPB_ERR_RANGE. */
int dtpb_memmap(const struct dtpb *b, uint32_t i, struct dtpb_memmap *out);
/* DTPB_SEC_DEVICES. 0, DTPB_ERR_BADARG, DTPB_ERR_RANGE. */
int dtpb_device(const struct dtpb *b, uint32_t i, struct dtpb_device *out);
/* DTPB_SEC_DEVREGS. 0, DTPB_ERR_BADARG, DTPB_ERR_RANGE. */
int dtpb_devreg(const struct dtpb *b, uint32_t i, struct dtpb_devreg *out);
/* DTPB_SEC_IRQS. 0, DTPB_ERR_BADARG, DTPB_ERR_RANGE. */
int dtpb_irq(const struct dtpb *b, uint32_t i, struct dtpb_irq *out);
/* DTPB_SEC_SIDS. 0, DTPB_ERR_BADARG, DTPB_ERR_RANGE. */
int dtpb_sid(const struct dtpb *b, uint32_t i, struct dtpb_sid *out);
/* DTPB_SEC_SMMUS. 0, DTPB_ERR_BADARG, DTPB_ERR_RANGE. */
int dtpb_smmu(const struct dtpb *b, uint32_t i, struct dtpb_smmu *out);
/* DTPB_SEC_SMRS. 0, DTPB_ERR_BADARG, DTPB_ERR_RANGE. */
int dtpb_smr(const struct dtpb *b, uint32_t i, struct dtpb_smr *out);
/* DTPB_SEC_CBS. 0, DTPB_ERR_BADARG, DTPB_ERR_RANGE. */
int dtpb_cb(const struct dtpb *b, uint32_t i, struct dtpb_cb *out);
/* DTPB_SEC_SHARED. 0, DTPB_ERR_BADARG, DTPB_ERR_RANGE. */
int dtpb_shared(const struct dtpb *b, uint32_t i, struct dtpb_shared *out);
/* DTPB_SEC_PEERS. 0, DTPB_ERR_BADARG, DTPB_ERR_RANGE. */
int dtpb_peer(const struct dtpb *b, uint32_t i, struct dtpb_peer *out);
/* DTPB_SEC_LOADMAP. 0, DTPB_ERR_BADARG, DTPB_ERR_RANGE. */
int dtpb_load(const struct dtpb *b, uint32_t i, struct dtpb_load *out);
/* DTPB_SEC_QUIESCE (1.1): the steps sorted by guest, then kind; every
 * version-1.0 blob has none (count 0: every i is DTPB_ERR_RANGE).
 * 0, DTPB_ERR_BADARG, DTPB_ERR_RANGE. */
int dtpb_qstep(const struct dtpb *b, uint32_t i, struct dtpb_qstep *out);
/* DTPB_SEC_QCELLS (1.1): a quiesce step's cells are first_cell..+ncells.
 * 0, DTPB_ERR_BADARG, DTPB_ERR_RANGE. */
int dtpb_qcell(const struct dtpb *b, uint32_t i, struct dtpb_qcell *out);

#ifdef __cplusplus
}
#endif

#endif
