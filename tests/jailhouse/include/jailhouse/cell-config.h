/* tests/jailhouse/include/jailhouse/cell-config.h — a minimal header of our
 * own with the published layout of Jailhouse's configuration structures
 * (include/jailhouse/cell-config.h and console.h, configuration revision
 * 14), written independently of dtpass's field table
 * (src/targets/jailhouse/layout.def) so that compiling a generated <name>.c
 * against it and comparing the bytes with the generated .cell checks both.
 * Only what dtpass's C output uses is here. */
#ifndef DTPASS_TEST_JAILHOUSE_CELL_CONFIG_H
#define DTPASS_TEST_JAILHOUSE_CELL_CONFIG_H

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define JAILHOUSE_ARM64 2
#define JAILHOUSE_CONFIG_REVISION 14
#define JAILHOUSE_SYSTEM_SIGNATURE "JHSYS"
#define JAILHOUSE_CELL_DESC_SIGNATURE "JHCLL"

#define JAILHOUSE_CELL_PASSIVE_COMMREG 0x00000001
#define JAILHOUSE_CELL_TEST_DEVICE 0x00000002
#define JAILHOUSE_CELL_AARCH32 0x00000004
#define JAILHOUSE_CELL_VIRTUAL_CONSOLE_PERMITTED 0x40000000
#define JAILHOUSE_CELL_VIRTUAL_CONSOLE_ACTIVE 0x80000000
#define JAILHOUSE_SYS_VIRTUAL_DEBUG_CONSOLE 0x0001

#define JAILHOUSE_MEM_READ 0x0001
#define JAILHOUSE_MEM_WRITE 0x0002
#define JAILHOUSE_MEM_EXECUTE 0x0004
#define JAILHOUSE_MEM_DMA 0x0008
#define JAILHOUSE_MEM_IO 0x0010
#define JAILHOUSE_MEM_COMM_REGION 0x0020
#define JAILHOUSE_MEM_LOADABLE 0x0040
#define JAILHOUSE_MEM_ROOTSHARED 0x0080
#define JAILHOUSE_MEM_NO_HUGEPAGES 0x0100
#define JAILHOUSE_MEM_IO_UNALIGNED 0x8000
#define JAILHOUSE_MEM_IO_8 (1 << 16)
#define JAILHOUSE_MEM_IO_16 (2 << 16)
#define JAILHOUSE_MEM_IO_32 (4 << 16)
#define JAILHOUSE_MEM_IO_64 (8 << 16)

#define JAILHOUSE_CON_TYPE_NONE 0x0000
#define JAILHOUSE_CON_TYPE_8250 0x0002
#define JAILHOUSE_CON_TYPE_PL011 0x0003
#define JAILHOUSE_CON_TYPE_XUARTPS 0x0004
#define JAILHOUSE_CON_TYPE_MVEBU 0x0005
#define JAILHOUSE_CON_TYPE_HSCIF 0x0006
#define JAILHOUSE_CON_TYPE_SCIFA 0x0007
#define JAILHOUSE_CON_TYPE_IMX 0x0008
#define JAILHOUSE_CON_TYPE_IMX_LPUART 0x0009
#define JAILHOUSE_CON_TYPE_SCIF 0x000a
#define JAILHOUSE_CON_ACCESS_MMIO 0x0001
#define JAILHOUSE_CON_REGDIST_4 0x0002
#define JAILHOUSE_CON_INVERTED_GATE 0x1000
#define JAILHOUSE_CON_MDR_QUIRK 0x2000

#define JAILHOUSE_IOMMU_SMMUV3 3
#define JAILHOUSE_IOMMU_ARM_MMU500 5

#define JAILHOUSE_PCI_TYPE_DEVICE 0x01
#define JAILHOUSE_PCI_TYPE_BRIDGE 0x02
#define JAILHOUSE_PCI_TYPE_IVSHMEM 0x03
#define JAILHOUSE_SHMEM_PROTO_UNDEFINED 0x0000
#define JAILHOUSE_SHMEM_PROTO_VETH 0x0001

#define PACKED __attribute__((packed))

struct jailhouse_console {
    __u64 address;
    __u32 size;
    __u16 type, flags;
    __u32 divider, gate_nr;
    __u64 clock_reg;
} PACKED;

struct jailhouse_cell_desc {
    char signature[5];
    __u8 architecture;
    __u16 revision;
    char name[32];
    __u32 id, flags;
    __u32 cpu_set_size, num_memory_regions, num_cache_regions, num_irqchips;
    __u32 num_pio_regions, num_pci_devices, num_pci_caps, num_stream_ids;
    __u32 vpci_irq_base;
    __u64 cpu_reset_address, msg_reply_timeout;
    struct jailhouse_console console;
} PACKED;

struct jailhouse_memory {
    __u64 phys_start, virt_start, size, flags;
} PACKED;

struct jailhouse_irqchip {
    __u64 address;
    __u32 id, pin_base;
    __u32 pin_bitmap[4];
} PACKED;

struct jailhouse_pci_device {
    __u8 type, iommu;
    __u16 domain, bdf;
    __u32 bar_mask[6];
    __u16 caps_start, num_caps;
    __u8 num_msi_vectors;
    __u8 msi_64bits : 1;
    __u8 msi_maskable : 1;
    __u16 num_msix_vectors, msix_region_size;
    __u64 msix_address;
    __u32 shmem_regions_start;
    __u8 shmem_dev_id, shmem_peers;
    __u16 shmem_protocol;
} PACKED;

struct jailhouse_iommu {
    __u32 type;
    __u64 base;
    __u32 size;
    union {
        struct { __u16 bdf; __u8 base_cap, msi_cap; __u32 features; } PACKED amd;
        struct { __u64 tlb_base; __u32 tlb_size; } PACKED tipvu;
    };
} PACKED;

union jailhouse_stream_id {
    __u32 id;
    struct { __u16 id, mask_out; } PACKED mmu500;
} PACKED;

struct jailhouse_system {
    char signature[5];
    __u8 architecture;
    __u16 revision;
    __u32 flags;
    struct jailhouse_memory hypervisor_memory;
    struct jailhouse_console debug_console;
    struct {
        __u64 pci_mmconfig_base;
        __u8 pci_mmconfig_end_bus, pci_is_virtual;
        __u16 pci_domain;
        struct jailhouse_iommu iommu_units[8];
        union {
            struct { __u16 pm_timer_address; __u8 apic_mode, padding; __u32 vtd_interrupt_limit, tsc_khz, apic_khz; } PACKED x86;
            struct { u8 maintenance_irq, gic_version; u8 padding[2]; u64 gicd_base, gicc_base, gich_base, gicv_base, gicr_base; } PACKED arm;
        } PACKED;
    } PACKED platform_info;
    struct jailhouse_cell_desc root_cell;
} PACKED;

_Static_assert(sizeof(struct jailhouse_cell_desc) == 132, "cell_desc");
_Static_assert(sizeof(struct jailhouse_system) == 488, "system");
_Static_assert(sizeof(struct jailhouse_pci_device) == 56, "pci_device");
_Static_assert(sizeof(struct jailhouse_iommu) == 28, "iommu");

#endif
