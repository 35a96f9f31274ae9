/* model/model.h — the system model both front ends build (SPEC §3): the
 * platform facts, the hypervisor's share, the guests with their CPUs, memory
 * and devices, and the shared regions. Every object keeps the position it
 * came from so any later stage can point at it.
 *
 * The fields under "resolved" are filled by resolve/ (binding the model to
 * the board); the front ends leave them zero. Checks read the model and
 * never change it. */
#ifndef DTPASS_MODEL_H
#define DTPASS_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "diag/diag.h"
#include "util/util.h"

struct board;
struct board_node;
struct board_smmu;

#define MODEL_VERSION 1
#define MODEL_DEFAULT_IPA_BITS 40
#define MODEL_DEFAULT_PA_BITS 40

/* A memory range as written. For guest memory, ipa is the guest address
 * (== base unless `ipa:`/`at` was given). */
struct sys_mem {
    uint64_t base, size, ipa;
    bool has_ipa;
    struct srcpos pos, base_pos, size_pos, ipa_pos;
};

/* A node reference as written: "/soc/x@0", "&label" or an alias name. */
struct sys_ref {
    char *text;
    struct srcpos pos;
    struct board_node *node; /* resolved */
};

struct sys_irqmap {
    uint32_t phys, virt; /* SPI numbers (not INTIDs), as in the system file */
    struct srcpos pos;
};

/* --- resolved per-device resources (filled by resolve/) --- */

/* One reg entry of an assigned device: CPU physical range and guest address. */
struct res_reg {
    uint64_t pa, size, ipa;
};
/* One interrupt of an assigned device routed to its guest. */
struct res_irq {
    uint32_t pintid; /* physical INTID */
    uint32_t vintid; /* guest INTID after the irqs: remap */
    uint32_t flags;  /* trigger cell */
};
/* One stream-ID set of an assigned device (from the board or `stream-ids:`). */
struct res_sid {
    const struct board_smmu *smmu;
    uint32_t sid, mask, count;
};

struct sys_device {
    struct sys_ref ref;
    uint64_t ipa; /* guest address of the first reg region */
    bool has_ipa;
    struct srcpos ipa_pos;
    VEC(struct sys_irqmap) irqs;
    int dma; /* -1 unset, 0 false, 1 true */
    struct srcpos dma_pos;
    VEC(uint32_t) stream_ids;
    struct srcpos sids_pos;
    struct sys_ref smmu; /* text NULL when absent */
    VEC(char *) drop;
    struct srcpos drop_pos;
    char *unsafe_no_iommu; /* the reason, or NULL */
    struct srcpos unsafe_pos;

    /* resolved */
    VEC(struct res_reg) regs;
    VEC(struct res_irq) rirqs;
    VEC(struct res_sid) rsids;
    bool is_dma; /* the final DMA-master decision */
    const char *dma_reason;
};

struct sys_cpu {
    uint32_t index; /* physical CPU number: index in the board's /cpus */
    struct srcpos pos;
};

struct sys_image {
    char *file; /* NULL when absent */
    uint64_t load;
    struct srcpos pos;
};

struct sys_guest {
    char *name;
    struct srcpos pos, name_pos;
    uint32_t vmid;
    bool has_vmid;
    struct srcpos vmid_pos;
    VEC(struct sys_cpu) cpus;
    VEC(struct sys_mem) memory;
    VEC(struct sys_device) devices;
    char *bootargs;
    struct srcpos bootargs_pos;
    struct sys_ref stdout_ref; /* text NULL when absent */
    struct sys_image kernel, ramdisk;
};

enum shm_access { SHM_RW, SHM_RO };

struct sys_peer {
    char *guest;
    struct srcpos pos;
    uint64_t ipa;
    bool has_ipa; /* default: ipa = region base */
    enum shm_access access;
    uint32_t doorbell; /* guest SPI number */
    bool has_doorbell;
    struct srcpos doorbell_pos;
    int guest_index; /* resolved, -1 when unknown */
};

struct sys_shared {
    char *name;
    struct srcpos pos;
    uint64_t base, size;
    struct srcpos base_pos, size_pos;
    VEC(struct sys_peer) peers;
};

struct sys_smmu_param {
    struct sys_ref node;
    uint32_t sid_bits, smrs, context_banks;
    bool has_sid_bits, has_smrs, has_context_banks;
    struct srcpos pos;
};

/* What dtpass uses for one board SMMU: the platform's `smmus:` entry where
 * there is one, else the defaults (sid-bits 16 for SMMUv3, 15 for SMMUv2;
 * 128 SMRs, 64 context banks), clamped to what lower/ programs (32 bits;
 * 15 for SMMUv2, whose SMRs hold 15-bit IDs without EXIDS). Filled once, by
 * resolve; every later stage reads it. */
struct smmu_limits {
    uint32_t sid_bits, smrs, context_banks;
    struct srcpos pos; /* the `smmus:` entry, NOPOS for the defaults */
};

struct system {
    const char *file; /* the system file (interned), "<stdin>" for - */
    uint32_t version;
    struct srcpos version_pos;
    char *board;      /* as written, or NULL */
    struct srcpos board_pos;
    uint32_t ipa_bits, pa_bits;
    struct srcpos ipa_bits_pos, pa_bits_pos;
    VEC(struct sys_smmu_param) smmus;
    VEC(struct sys_mem) hyp_memory;
    VEC(struct sys_ref) hyp_devices;
    /* `hypervisor: root-cell:` — the guest that boots first and creates the
     * others (the Jailhouse root cell, docs/jailhouse.md); NULL when absent. */
    char *root_cell;
    struct srcpos root_cell_pos;
    /* `hypervisor: qnx-version:`: the QNX SDP release target qnx writes for
     * (MODEL_QNX_*), MODEL_QNX_UNSET when not given (docs/qnx.md). */
    uint32_t qnx_version;
    struct srcpos qnx_version_pos;
    VEC(struct sys_guest) guests;
    VEC(struct sys_shared) shared;
    VEC(char *) inputs; /* every file read: the system file and DSL includes (for -M) */
    struct smmu_limits *smmu_limits; /* resolved: one per board SMMU, in board order */
};

void system_init(struct system *s);
void system_free(struct system *s);

/* Stable text form of the model, without positions: the same system in
 * YAML and in the DSL dumps identically (tests rely on it). Resolved fields
 * are printed only when `resolved` is set. */
void model_dump(const struct system *s, FILE *out, bool resolved);

/* QNX SDP releases target qnx can write for (`qnx-version`). */
#define MODEL_QNX_UNSET 0u
#define MODEL_QNX_7_1 710u
#define MODEL_QNX_8_0 800u
/* "7.1" or "8.0" -> MODEL_QNX_*; false for anything else. Shared by both
 * front ends so the two syntaxes accept the same spellings. */
bool model_qnx_version(const char *text, uint32_t *out);
/* The rule for guest and shared-region names, as the front ends' messages
 * quote it, and its test. */
#define MODEL_NAME_RULE "[a-z][a-z0-9_-]{0,31}"
bool model_valid_name(const char *name);

/* Called by both front ends after a parse: rules spanning several objects
 * that need no board (unique guest and shared-region names, one remap per
 * physical SPI), and the defaults both syntaxes share (vmid = position + 1,
 * memory and peer ipa = base): the one place they are filled. Reports
 * `schema`. */
void model_finish(struct system *s, struct diag_sink *d);

#endif
