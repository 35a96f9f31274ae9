/* checks/registry.c — every check id dtpass knows, with its default
 * severity and descriptions (used by -W, the renderers and SARIF rules),
 * and the table of check functions with their prerequisites that
 * checks_run() walks (dtc's checks.c style: checks are data).
 * docs/checks.md documents each one; ids are stable. */
#include "checks/internal.h"
#include "diag/diag.h"

const struct check_info check_table[] = {
    {"syntax", SEV_ERROR, "Malformed system description",
     "The system file is not well-formed YAML or DSL: dtpass cannot read it."},
    {"schema", SEV_ERROR, "Invalid system description",
     "The system file is well-formed but does not follow the format: an unknown or duplicate key, "
     "a value of the wrong type or out of range, or a missing required key."},
    {"board-invalid", SEV_ERROR, "Board device tree unusable",
     "The board DTS/DTB cannot be read or compiled, or breaks a devicetree rule dtpass relies on "
     "(cells, ranges, phandles)."},
    {"ref-unknown", SEV_ERROR, "Unknown reference",
     "A node path, label, alias, guest or CPU named by the system does not exist."},
    {"align", SEV_ERROR, "Unaligned base or size",
     "A memory base, size or guest address is not 4 KiB aligned; stage-2 translation maps whole "
     "4 KiB pages, so the partition cannot be enforced at that granularity."},
    {"range-wrap", SEV_ERROR, "Address range overflows",
     "base + size overflows 64 bits, or exceeds the guest (ipa-bits) or physical (pa-bits) "
     "address width."},
    {"mem-not-ram", SEV_ERROR, "Memory outside board RAM",
     "Guest or shared memory lies outside the board's RAM or inside no-map reserved memory."},
    {"mem-overlap", SEV_ERROR, "Physical memory of different owners overlaps",
     "Physical ranges of different owners (guests, hypervisor, shared regions) overlap, so one "
     "could read or corrupt another's memory."},
    {"ipa-overlap", SEV_ERROR, "Guest address map overlaps",
     "Within one guest, RAM, shared-memory windows and device windows overlap in the guest "
     "physical (IPA) space."},
    {"dev-owner", SEV_ERROR, "Device owned twice",
     "A device is assigned to two guests, or to a guest and kept by the hypervisor."},
    {"mmio-page-shared", SEV_ERROR, "Devices of different owners share an MMIO page",
     "Stage-2 translation works on 4 KiB pages; two devices of different owners inside one page "
     "cannot be isolated."},
    {"mmio-in-ram", SEV_ERROR, "Device MMIO overlaps guest memory",
     "A device's registers overlap physical memory given to a guest."},
    {"irq-owner", SEV_ERROR, "Interrupt line shared between owners",
     "A physical interrupt line is used by devices of different owners; one guest could mask or "
     "flood another's interrupt."},
    {"virq-conflict", SEV_ERROR, "Virtual interrupt collision",
     "Two virtual interrupts (devices, doorbells) of one guest use the same INTID, or a virtual "
     "SPI falls outside 0..987."},
    {"sid-owner", SEV_ERROR, "Stream ID reachable by different owners",
     "A stream ID (or an SMMUv2 ID/mask match, or a PCI requester-ID alias) is used by devices of "
     "different owners: an IOMMU group is split and DMA cannot be isolated."},
    {"sid-range", SEV_ERROR, "Stream ID beyond the SMMU's width",
     "A stream ID does not fit the SMMU's sid-bits."},
    {"dma-no-iommu", SEV_ERROR, "DMA master without IOMMU",
     "A bus-mastering device has no IOMMU translation: it can read and write any physical "
     "memory, including other guests'. Downgraded to a warning by unsafe-no-iommu with a reason."},
    {"dma-reset", SEV_WARNING, "DMA master that cannot be stopped",
     "A DMA master has no resets, no power-domains and no SMMU stream the hypervisor can set to "
     "abort: after a guest crash or reboot its DMA may keep running into memory now owned by "
     "someone else."},
    {"quiesce-shared", SEV_WARNING, "DMA master sharing a reset line or power domain",
     "A guest's DMA master shares a reset line or power domain with another owner's device: the "
     "quiesce plan's reset or power-off step for one also stops the other."},
    {"dep-unowned", SEV_ERROR, "Dependency on a provider the guest does not own",
     "A passthrough device references a provider (clock, reset, pinctrl, regulator...) with "
     "registers or interrupts that its guest does not own and that is not dropped."},
    {"irq-parent", SEV_ERROR, "Interrupt routed through a foreign controller",
     "A device's interrupts go through an interrupt controller the guest does not own."},
    {"dev-parent", SEV_ERROR, "Device assigned without the device it is part of",
     "A device's parent is itself a device (a compatible that is not a bus, and registers, "
     "interrupts or mailboxes of its own): the driver binds to the parent, so the child alone is "
     "not assignable."},
    {"cpu-owner", SEV_ERROR, "CPU given twice", "A physical CPU is given to two guests."},
    {"vmid", SEV_ERROR, "Bad VMID", "Two guests share a VMID, or a VMID is out of range."},
    {"shm-peer", SEV_ERROR, "Bad shared-region peer",
     "A shared region names a peer that is not a guest, or lists a guest twice."},
    {"smmu-capacity", SEV_ERROR, "SMMU capacity exceeded",
     "More stream-match registers or context banks are needed than the SMMUv2 has."},
    {"hv-memory", SEV_ERROR, "Hypervisor memory too small",
     "The generated tables (stream tables, stage-2 tables) do not fit in hypervisor memory."},
    {"status-disabled", SEV_WARNING, "Assigned device is disabled",
     "An assigned device has status = \"disabled\" in the board; the guest will not probe it "
     "unless the status is changed."},
    {"isolation-change", SEV_WARNING, "What a change does to isolation",
     "Reported by dtpass diff, not by check or build: a device, stream ID, interrupt line, CPU, "
     "memory range or shared window changed owner, appeared or disappeared between two systems, "
     "or a check's findings changed (docs/desk.md)."},
    {"xen-unenforced", SEV_WARNING, "Not enforced by the Xen target",
     "Target xen: Xen decides part of the partition itself (Debian's Xen 4.17 has no static "
     "memory, static shared memory or boot-time cpupools, and routes passthrough interrupts "
     "1:1), so a guest's physical RAM, CPU list, shared regions or interrupt remaps are not "
     "honoured as written (docs/xen.md)."},
    {"jailhouse-inexpressible", SEV_ERROR, "Not expressible in Jailhouse's configuration",
     "Target jailhouse: the system asks for something Jailhouse's cell configuration format "
     "cannot say (an interrupt remap, a root cell that is not mapped 1:1, doorbells that do not "
     "fit one vpci_irq_base per cell ...; docs/jailhouse.md)."},
    {"jailhouse-doorbell", SEV_ERROR, "Doorbell on a wired interrupt line",
     "Target jailhouse: Jailhouse raises an ivshmem doorbell by setting its physical SPI "
     "pending, so a doorbell SPI that a board device drives would mix device and doorbell "
     "interrupts."},
    {"jailhouse-sid-alias", SEV_ERROR, "Stream ID owned by two cells on different IOMMUs",
     "Target jailhouse: a cell's stream_ids name no IOMMU unit, so Jailhouse programs each of "
     "them on every unit; one ID used by two cells on different units cannot be isolated."},
    {"jailhouse-vpci", SEV_ERROR, "No room for the virtual PCI host",
     "Target jailhouse: the ivshmem devices sit on a virtual PCI host that needs a free window "
     "below 4 GiB (1 MiB of ECAM plus two pages per device) that no RAM, device or cell uses."},
    {"jailhouse-console", SEV_WARNING, "No debug console for Jailhouse",
     "Target jailhouse: the hypervisor keeps no UART Jailhouse has a driver for, so the system "
     "configuration has no debug console."},
    {"qnx-unenforced", SEV_WARNING, "Not enforced by the QNX target",
     "Target qnx: QNX decides part of the partition itself (it allocates guest RAM and shared "
     "memory from the host, so no physical address is honoured; the host's SMMU manager, not "
     "the VM configuration, confines DMA), or dtpass writes no line for an item (docs/qnx.md)."},
    {"qnx-inexpressible", SEV_ERROR, "Not expressible in a QNX VM configuration",
     "Target qnx: the documented qvm configuration syntax cannot say what the system file "
     "asks (a register region at another page offset in the guest, a host page at two guest "
     "addresses, a private interrupt, a shared region without a doorbell, a path or command "
     "line qvm would split), so no configuration is written (docs/qnx.md)."},
    {"qnx-vdev-collide", SEV_ERROR, "QNX virtual device collides with the guest's resources",
     "Target qnx: a `vdev shmem` factory page falls in a page passed through to, or in the RAM "
     "of, the same guest, or its doorbell is an interrupt passed through to it or another "
     "doorbell of it, as the qvm configuration would write them (docs/qnx.md)."},
};
const size_t check_table_len = ARRAY_SIZE(check_table);

/* The isolation checks in the order they run. A check whose prerequisite
 * found a problem is skipped: overlap checks need ranges that do not wrap;
 * dependency checks need every device to have one owner. Ids without a
 * function here are reported by other stages: syntax and schema (front
 * ends), board-invalid (board reader), ref-unknown (resolve), smmu-capacity
 * (SMMUv2 lowering), hv-memory (placement). */
const struct check_def check_defs[] = {
    {"align", check_align, {NULL}},
    {"range-wrap", check_range_wrap, {NULL}},
    {"vmid", check_vmid, {NULL}},
    {"cpu-owner", check_cpu_owner, {NULL}},
    {"shm-peer", check_shm_peer, {NULL}},
    {"dev-owner", check_dev_owner, {NULL}},
    {"status-disabled", check_status_disabled, {NULL}},
    {"mem-not-ram", check_mem_not_ram, {"range-wrap"}},
    {"mem-overlap", check_mem_overlap, {"range-wrap"}},
    {"ipa-overlap", check_ipa_overlap, {"range-wrap"}},
    {"mmio-page-shared", check_mmio_page_shared, {NULL}},
    {"mmio-in-ram", check_mmio_in_ram, {"range-wrap"}},
    {"irq-owner", check_irq_owner, {NULL}},
    {"virq-conflict", check_virq_conflict, {NULL}},
    {"irq-parent", check_irq_parent, {"dev-owner"}},
    {"dep-unowned", check_dep_unowned, {"dev-owner"}},
    {"dev-parent", check_dev_parent, {"dev-owner"}},
    {"sid-range", check_sid_range, {NULL}},
    {"sid-owner", check_sid_owner, {NULL}},
    {"dma-no-iommu", check_dma_no_iommu, {NULL}},
    {"dma-reset", check_dma_reset, {NULL}},
    {"quiesce-shared", check_quiesce_shared, {"dev-owner"}},
};
const size_t check_defs_len = ARRAY_SIZE(check_defs);
