/* checks/registry.c — the isolation checks as data (dtc's checks.c
 * style): each check's function and prerequisites, expanded from the one
 * list of check ids (diag/checks.def), and the order checks_run() walks
 * them in. docs/checks.md documents each one. */
#include "checks/internal.h"
#include "diag/diag.h"

const struct check_def check_defs[CK_COUNT] = {
#define CHECK(name, id, sev, family, fn, prereqs, summary, help) [CK_##name] = {fn, prereqs},
#include "diag/checks.def"
#undef CHECK
};

/* The isolation checks in the order they run. A check whose prerequisite
 * found a problem is skipped: overlap checks need ranges that do not wrap;
 * dependency checks need every device to have one owner, so a check comes
 * after its prerequisites (a unit test holds the list to that, and to
 * naming every ISOLATION check of checks.def once). The other ids are
 * reported by other stages: syntax and schema (front ends), board-invalid
 * (board reader), ref-unknown (resolve), smmu-capacity (SMMUv2 lowering),
 * hv-memory (placement), the targets' ids (src/targets/), isolation-change
 * (dtpass diff). */
const enum check_id check_order[] = {
    CK_ALIGN,
    CK_RANGE_WRAP,
    CK_VMID,
    CK_CPU_OWNER,
    CK_SHM_PEER,
    CK_DEV_OWNER,
    CK_STATUS_DISABLED,
    CK_MEM_NOT_RAM,
    CK_MEM_OVERLAP,
    CK_IPA_OVERLAP,
    CK_MMIO_PAGE_SHARED,
    CK_MMIO_IN_RAM,
    CK_IRQ_OWNER,
    CK_VIRQ_CONFLICT,
    CK_IRQ_PARENT,
    CK_DEP_UNOWNED,
    CK_DEV_PARENT,
    CK_BUS_REDUCED,
    CK_SID_RANGE,
    CK_SID_OWNER,
    CK_DMA_NO_IOMMU,
    CK_DMA_RESET,
    CK_QUIESCE_SHARED,
};
const size_t check_order_len = ARRAY_SIZE(check_order);
