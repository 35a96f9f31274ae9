#!/usr/bin/python3
# tests/invalid/checks/gen-fixtures.py — writes the check corpus of this folder
# (every <check>.yaml and its twin <check>.ok.yaml) from the case table below:
#   /usr/bin/python3 tests/invalid/checks/gen-fixtures.py tests/invalid/checks
# Markers «id» or «id!warning» in a body mark where the finding must point
# (line:col of the text right after the marker); they become `# expect:`
# lines with the right numbers and are removed from the body.
import os, re, sys
OUT = sys.argv[1]

VIRT = """dtpass: 1
board: ../../../examples/qemu-virt/board/virt.dts
platform:
  smmus:
    - { node: /smmuv3@9050000, sid-bits: 16 }
hypervisor:
  memory:
    - { base: 0x40000000, size: 64M }
guests:
  - name: linux
    vmid: 1
    cpus: [ 0, 1 ]
    memory:
      - { base: 0x48000000, size: 512M }
    devices:
      - /pl011@9000000
@LINUXDEV@
  - name: rtos
    vmid: 2
    cpus: [ 2, 3 ]
    memory:
      - { base: 0x68000000, size: 128M, ipa: 0x40000000 }
    devices:
      - /pl061@9030000
      - node: /pl031@9010000
        irqs: { 2: 10 }
@RTOSDEV@
shared:
  - name: ivc0
    base: 0x70000000
    size: 2M
    peers:
      - { guest: linux, ipa: 0x70000000, access: rw, doorbell: 40 }
      - { guest: rtos, ipa: 0x50000000, access: rw, doorbell: 41 }
"""

ZCU = """dtpass: 1
board: ../../../examples/zcu102/board/zynqmp-zcu102-rev1.0.dts
platform:
  smmus:
    - { node: /axi/iommu@fd800000, sid-bits: 15, smrs: 48, context-banks: 16 }
hypervisor:
  memory:
    - { base: 0x40000000, size: 64M }
guests:
  - name: linux
    cpus: [ 0, 1, 2 ]
    memory:
      - { base: 0x10000000, size: 512M }
    devices:
      - node: serial0
        drop: [ pinctrl-0, pinctrl-names ]
@LINUXDEV@
  - name: rtos
    vmid: 7
    cpus: [ 3 ]
    memory:
      - { base: 0x60000000, size: 64M, ipa: 0x0 }
    devices:
      - node: /axi/serial@ff010000
        drop: [ pinctrl-0, pinctrl-names ]
@RTOSDEV@
"""

TINY = """dtpass: 1
board: boards/tiny.dts
hypervisor:
  memory:
    - { base: 0x40000000, size: 64M }
guests:
  - name: linux
    cpus: [ 0, 1 ]
    memory:
      - { base: 0x48000000, size: 256M }
    devices:
      - /soc/serial@9100000
@LINUXDEV@
  - name: rtos
    cpus: [ 2 ]
    memory:
      - { base: 0x60000000, size: 64M }
    devices:
@RTOSDEV@
"""

PCI = """dtpass: 1
board: boards/pci.dts
hypervisor:
  memory: [ { base: 0x40000000, size: 64M } ]
guests:
  - name: linux
    cpus: [ 0 ]
    memory: [ { base: 0x48000000, size: 64M } ]
    devices:
      - "/pcie@10000000/ep@0,0"
@LINUXDEV@
  - name: rtos
    cpus: [ 1 ]
    memory: [ { base: 0x50000000, size: 64M } ]
    devices:
@RTOSDEV@
"""

QUIESCE = """dtpass: 1
board: ../../fixtures/boards/quiesce.dts
hypervisor:
  memory:
    - { base: 0x40000000, size: 64M }
  devices:
    - /soc/reset-controller@9400000
guests:
  - name: linux
    cpus: [ 0, 1 ]
    memory:
      - { base: 0x48000000, size: 256M }
    devices:
@LINUXDEV@
  - name: rtos
    cpus: [ 2 ]
    memory:
      - { base: 0x60000000, size: 64M }
    devices:
@RTOSDEV@
"""

def body(base, linux="", rtos="", subs=()):
    if base is TINY and not rtos:
        rtos = "      - /soc/gpio@9130000\n"
    b = base.replace("@LINUXDEV@\n", linux).replace("@RTOSDEV@\n", rtos)
    for old, new in subs:
        assert old in b, old
        b = b.replace(old, new, 1)
    return b

cases = []
def case(name, desc, text, command=None):
    cases.append((name, desc, text, command))

# ---- align
case("align", "a guest memory base that is not 4 KiB aligned",
     body(VIRT, subs=[("{ base: 0x48000000, size: 512M }", "{ base: «align»0x47fff800, size: 512M }")]))
case("align.ok", "twin of align.yaml: the base is page aligned", body(VIRT))
case("align-size", "a shared region size that is not a multiple of 4 KiB",
     body(VIRT, subs=[("    size: 2M\n", "    size: «align»0x1ff800\n")]))
case("align-size.ok", "twin of align-size.yaml: 2 MiB", body(VIRT))
case("align-dev-ipa", "a device window whose page offset differs from its registers' (virtio-mmio slots are 0x200 apart)",
     body(VIRT, linux="      - node: /virtio_mmio@a000200\n        dma: false\n        ipa: «align»0x20000000\n"))
case("align-dev-ipa.ok", "twin of align-dev-ipa.yaml: the window keeps offset 0x200",
     body(VIRT, linux="      - node: /virtio_mmio@a000200\n        dma: false\n        ipa: 0x20000200\n"))
# ---- range-wrap
case("range-wrap", "a guest window beyond ipa-bits 40",
     body(VIRT, subs=[("{ base: 0x68000000, size: 128M, ipa: 0x40000000 }", "{ base: 0x68000000, size: 128M, ipa: «range-wrap»0xfffc000000 }"),
                      ("ipa: 0x50000000", "ipa: 0x80000000")]))
case("range-wrap.ok", "twin of range-wrap.yaml: the window ends below 2^40",
     body(VIRT, subs=[("{ base: 0x68000000, size: 128M, ipa: 0x40000000 }", "{ base: 0x68000000, size: 128M, ipa: 0xfff0000000 }"),
                      ("ipa: 0x50000000", "ipa: 0x80000000")]))
case("range-wrap-overflow", "hypervisor memory whose end overflows 64 bits (mem-not-ram and mem-overlap are skipped: their prerequisite failed)",
     body(VIRT, subs=[("    - { base: 0x40000000, size: 64M }", "    - «range-wrap»{ base: 0xfffffffffc000000, size: 128M }")]))
case("range-wrap-overflow.ok", "twin of range-wrap-overflow.yaml", body(VIRT))
# ---- mem-not-ram
case("mem-not-ram", "guest memory above the board's 2 GiB of RAM",
     body(VIRT, subs=[("      - { base: 0x48000000, size: 512M }", "      - «mem-not-ram»{ base: 0x100000000, size: 512M, ipa: 0x48000000 }")]))
case("mem-not-ram.ok", "twin of mem-not-ram.yaml: inside RAM",
     body(VIRT, subs=[("      - { base: 0x48000000, size: 512M }", "      - { base: 0x48000000, size: 512M, ipa: 0x48000000 }")]))
case("mem-not-ram-nomap", "guest memory over no-map reserved memory (OP-TEE)",
     body(TINY, rtos="      - /soc/serial@9110000\n", subs=[("      - { base: 0x60000000, size: 64M }", "      - «mem-not-ram»{ base: 0x7c000000, size: 64M }")]))
case("mem-not-ram-nomap.ok", "twin of mem-not-ram-nomap.yaml: below the reserved region",
     body(TINY, rtos="      - /soc/serial@9110000\n", subs=[("      - { base: 0x60000000, size: 64M }", "      - { base: 0x7a000000, size: 64M }")]))
case("mem-not-ram-hyp", "hypervisor memory outside RAM",
     body(VIRT, subs=[("    - { base: 0x40000000, size: 64M }", "    - «mem-not-ram»{ base: 0x30000000, size: 64M }")]))
case("mem-not-ram-hyp.ok", "twin of mem-not-ram-hyp.yaml", body(VIRT))
# ---- mem-overlap
case("mem-overlap", "the RTOS's RAM overlaps the end of Linux's",
     body(VIRT, subs=[("{ base: 0x68000000, size: 128M, ipa: 0x40000000 }", "«mem-overlap»{ base: 0x60000000, size: 128M, ipa: 0x40000000 }")]))
case("mem-overlap.ok", "twin of mem-overlap.yaml: right after Linux's RAM", body(VIRT))
case("mem-overlap-shm", "a shared region inside the hypervisor's memory",
     body(VIRT, subs=[("  - name: ivc0\n    base: 0x70000000", "  - «mem-overlap»name: ivc0\n    base: 0x43000000")]))
case("mem-overlap-shm.ok", "twin of mem-overlap-shm.yaml", body(VIRT))
# ---- ipa-overlap
case("ipa-overlap", "the RTOS's shared-memory window lands inside its RAM",
     body(VIRT, subs=[("{ guest: rtos, ipa: 0x50000000", "«ipa-overlap»{ guest: rtos, ipa: 0x44000000")]))
case("ipa-overlap.ok", "twin of ipa-overlap.yaml: the window is above the RAM", body(VIRT))
case("ipa-overlap-dev", "Linux's RAM placed over its UART window and the virtual GIC",
     body(VIRT, subs=[("      - { base: 0x48000000, size: 512M }", "      - «ipa-overlap»{ base: 0x48000000, size: 512M, ipa: 0x8000000 }")]))
case("ipa-overlap-dev.ok", "twin of ipa-overlap-dev.yaml: the RAM is at 0x48000000",
     body(VIRT, subs=[("      - { base: 0x48000000, size: 512M }", "      - { base: 0x48000000, size: 512M, ipa: 0x48000000 }")]))
# ---- dev-owner
case("dev-owner", "the UART given to both guests",
     body(VIRT, rtos="      - «dev-owner»/pl011@9000000\n"))
case("dev-owner.ok", "twin of dev-owner.yaml: the RTOS has its own devices only", body(VIRT))
case("dev-owner-hyp", "a device the hypervisor keeps, given to a guest",
     body(VIRT, subs=[("    - { base: 0x40000000, size: 64M }\n", "    - { base: 0x40000000, size: 64M }\n  devices: [ /pl031@9010000 ]\n"),
                      ("      - node: /pl031@9010000\n        irqs: { 2: 10 }\n", "      - node: «dev-owner»/pl031@9010000\n        irqs: { 2: 10 }\n")]))
case("dev-owner-hyp.ok", "twin of dev-owner-hyp.yaml: the hypervisor keeps the RTC, the RTOS does not list it",
     body(VIRT, subs=[("    - { base: 0x40000000, size: 64M }\n", "    - { base: 0x40000000, size: 64M }\n  devices: [ /pl031@9010000 ]\n"),
                      ("      - node: /pl031@9010000\n        irqs: { 2: 10 }\n", "")]))
case("dev-owner-nested", "a ZynqMP IPI mailbox channel given to Linux while the RTOS owns /zynqmp_ipi and with it every channel below",
     body(ZCU, linux="      - «dev-owner»/zynqmp_ipi/mailbox@ff990400\n", rtos="      - /zynqmp_ipi\n"))
case("dev-owner-nested.ok", "twin of dev-owner-nested.yaml: the channel goes to the RTOS with its parent",
     body(ZCU, rtos="      - /zynqmp_ipi\n      - /zynqmp_ipi/mailbox@ff990400\n"))
# ---- mmio-page-shared
case("mmio-page-shared", "two virtio-mmio slots in one 4 KiB page given to different guests",
     body(VIRT, linux="      - { node: /virtio_mmio@a000000, dma: false }\n",
          rtos="      - { node: «mmio-page-shared»/virtio_mmio@a000200, dma: false }\n"))
case("mmio-page-shared.ok", "twin of mmio-page-shared.yaml: the RTOS's slot is in the next page",
     body(VIRT, linux="      - { node: /virtio_mmio@a000000, dma: false }\n",
          rtos="      - { node: /virtio_mmio@a001000, dma: false }\n"))
case("mmio-page-shared-hyp", "a guest virtio slot in the page of a slot the hypervisor keeps",
     body(VIRT, subs=[("    - { base: 0x40000000, size: 64M }\n", "    - { base: 0x40000000, size: 64M }\n  devices: [ /virtio_mmio@a000000 ]\n")],
          rtos="      - { node: «mmio-page-shared»/virtio_mmio@a000200, dma: false }\n"))
case("mmio-page-shared-hyp.ok", "twin of mmio-page-shared-hyp.yaml",
     body(VIRT, subs=[("    - { base: 0x40000000, size: 64M }\n", "    - { base: 0x40000000, size: 64M }\n  devices: [ /virtio_mmio@a000000 ]\n")],
          rtos="      - { node: /virtio_mmio@a001000, dma: false }\n"))
# ---- mmio-in-ram
case("mmio-in-ram", "guest memory over the flash at 0 (also not RAM)",
     body(VIRT, subs=[("{ base: 0x68000000, size: 128M, ipa: 0x40000000 }", "«mmio-in-ram»«mem-not-ram»{ base: 0x0, size: 64M, ipa: 0x40000000 }")]))
case("mmio-in-ram.ok", "twin of mmio-in-ram.yaml", body(VIRT))
# ---- irq-owner
case("irq-owner", "uart1 and the SP804 timer share SPI 2; they go to different guests",
     body(TINY, linux="      - /soc/serial@9110000\n", rtos="      - «irq-owner»/soc/timer@9120000\n"))
case("irq-owner.ok", "twin of irq-owner.yaml: both devices of the shared line go to Linux",
     body(TINY, linux="      - /soc/serial@9110000\n      - /soc/timer@9120000\n", rtos="      - /soc/gpio@9130000\n"))
case("irq-owner-zcu102", "ZCU102: the PMU firmware's power-management node and the IPI mailbox share SPI 35; the mailbox goes to the RTOS (and with it the channel zynqmp-power uses)",
     body(ZCU, linux="      - «dep-unowned»/firmware/zynqmp-firmware/zynqmp-power\n", rtos="      - «irq-owner»/zynqmp_ipi\n"))
case("irq-owner-zcu102.ok", "twin of irq-owner-zcu102.yaml: Linux has both, and the mailbox channel under /zynqmp_ipi comes with it",
     body(ZCU, linux="      - /firmware/zynqmp-firmware/zynqmp-power\n      - /zynqmp_ipi\n"))
# ---- virq-conflict
case("virq-conflict", "the RTC remapped onto the GPIO's SPI 7 in the RTOS",
     body(VIRT, subs=[("irqs: { 2: 10 }", "irqs: { «virq-conflict»2: 7 }")]))
case("virq-conflict.ok", "twin of virq-conflict.yaml: SPI 10 is free", body(VIRT))
case("virq-conflict-doorbell", "a doorbell on the SPI the RTOS's RTC is remapped to",
     body(VIRT, subs=[("{ guest: rtos, ipa: 0x50000000, access: rw, doorbell: 41 }", "{ guest: rtos, ipa: 0x50000000, access: rw, doorbell: 10 }"), ("irqs: { 2: 10 }", "irqs: { «virq-conflict»2: 10 }")]))
case("virq-conflict-doorbell.ok", "twin of virq-conflict-doorbell.yaml", body(VIRT))
case("virq-conflict-range", "a virtual SPI beyond 987",
     body(VIRT, subs=[("irqs: { 2: 10 }", "irqs: { «virq-conflict»2: 988 }")]))
case("virq-conflict-range.ok", "twin of virq-conflict-range.yaml: SPI 987 is the last",
     body(VIRT, subs=[("irqs: { 2: 10 }", "irqs: { 2: 987 }")]))
# ---- sid-owner
case("sid-owner", "two virtio-mmio devices given the same stream ID by the system file",
     body(VIRT, linux="      - node: /virtio_mmio@a003e00\n        smmu: /smmuv3@9050000\n        stream-ids: [ 0x10 ]\n",
          rtos="      - node: /virtio_mmio@a002e00\n        smmu: /smmuv3@9050000\n        stream-ids: «sid-owner»[ 0x10 ]\n"))
case("sid-owner.ok", "twin of sid-owner.yaml: different stream IDs",
     body(VIRT, linux="      - node: /virtio_mmio@a003e00\n        smmu: /smmuv3@9050000\n        stream-ids: [ 0x10 ]\n",
          rtos="      - node: /virtio_mmio@a002e00\n        smmu: /smmuv3@9050000\n        stream-ids: [ 0x11 ]\n"))
case("sid-owner-pci", "the PCIe host bridge's iommu-map covers RIDs 0..0xffff = stream IDs 0..0xffff; a stream ID inside it goes to another guest",
     body(VIRT, linux="      - /pcie@10000000\n",
          rtos="      - node: /virtio_mmio@a003c00\n        smmu: /smmuv3@9050000\n        stream-ids: «sid-owner»[ 0x100 ]\n"))
case("sid-owner-pci.ok", "twin of sid-owner-pci.yaml: the stream ID is beyond the bridge's map",
     body(VIRT, linux="      - /pcie@10000000\n",
          rtos="      - node: /virtio_mmio@a003c00\n        smmu: /smmuv3@9050000\n        stream-ids: [ 0x10000 ]\n",
          subs=[("sid-bits: 16", "sid-bits: 20")]))
case("sid-owner-mask", "SMMUv2 ID/mask: stream ID 0x150 matches ID 0x140 mask 0x3f of the other guest's DMA controller",
     body(TINY, linux="      - /soc/dma-controller@9210000\n", rtos="      - «sid-owner»/soc/ethernet@9220000\n"))
case("sid-owner-mask.ok", "twin of sid-owner-mask.yaml: stream ID 0x180 is just outside the mask",
     body(TINY, linux="      - /soc/dma-controller@9210000\n", rtos="      - /soc/ethernet@9230000\n"))
case("sid-owner-mask2", "SMMUv2 ID/mask with a non-contiguous mask: ID 0x200 mask 0x100 matches 0x300",
     body(TINY, linux="      - /soc/dma-controller@9240000\n", rtos="      - «sid-owner»/soc/mmc@9250000\n"))
case("sid-owner-mask2.ok", "twin of sid-owner-mask2.yaml: 0x280 matches neither 0x200 nor 0x300",
     body(TINY, linux="      - /soc/dma-controller@9240000\n", rtos="      - /soc/mmc@9260000\n"))
case("sid-owner-pci-alias", "iommu-map-mask 0xfff8 folds PCI functions: function 1 of device 0 has function 0's stream ID",
     body(PCI, rtos='      - «sid-owner»"/pcie@10000000/ep@0,1"\n'))
case("sid-owner-pci-alias.ok", "twin of sid-owner-pci-alias.yaml: device 1 has its own stream ID",
     body(PCI, rtos='      - "/pcie@10000000/ep@1,0"\n'))
case("sid-owner-pci-bridge", "the host bridge itself (every requester ID) to Linux, an endpoint under it to the RTOS",
     body(PCI, linux='      - /pcie@10000000\n', rtos='      - «sid-owner»«dev-owner»"/pcie@10000000/ep@1,0"\n',
          subs=[('      - "/pcie@10000000/ep@0,0"\n', "")]))
case("sid-owner-pci-bridge.ok", "twin of sid-owner-pci-bridge.yaml: the RTOS has no endpoint of that bridge",
     body(PCI, linux='      - /pcie@10000000\n', rtos="",
          subs=[('      - "/pcie@10000000/ep@0,0"\n', ""),
                ("0x50000000, size: 64M } ]\n    devices:\n", "0x50000000, size: 64M } ]\n")]))
# ---- sid-range
case("sid-range", "a stream ID beyond the SMMUv3's 16 bits",
     body(VIRT, linux="      - node: /virtio_mmio@a003e00\n        smmu: /smmuv3@9050000\n        stream-ids: «sid-range»[ 0x10000 ]\n"))
case("sid-range.ok", "twin of sid-range.yaml: 0xffff is the largest",
     body(VIRT, linux="      - node: /virtio_mmio@a003e00\n        smmu: /smmuv3@9050000\n        stream-ids: [ 0xffff ]\n"))
case("sid-range-v2", "a stream ID beyond the MMU-500's 15 bits (the SMMUv2 default)",
     body(ZCU, linux="      - node: /axi/dma-controller@fd4c0000\n        smmu: /axi/iommu@fd800000\n        stream-ids: «sid-range»[ 0x8000 ]\n"))
case("sid-range-v2.ok", "twin of sid-range-v2.yaml",
     body(ZCU, linux="      - node: /axi/dma-controller@fd4c0000\n        smmu: /axi/iommu@fd800000\n        stream-ids: [ 0x7fff ]\n"))
# ---- dma-no-iommu
case("dma-no-iommu", "ZynqMP DisplayPort DMA: a DMA controller without `iommus` in the board",
     body(ZCU, linux="      - «dma-no-iommu»/axi/dma-controller@fd4c0000\n"))
case("dma-no-iommu.ok", "twin of dma-no-iommu.yaml: the stream ID is given in the system file",
     body(ZCU, linux="      - node: /axi/dma-controller@fd4c0000\n        smmu: /axi/iommu@fd800000\n        stream-ids: [ 0xce3 ]\n"))
case("dma-no-iommu-unsafe", "unsafe-no-iommu downgrades dma-no-iommu to a warning",
     body(ZCU, linux="      - node: /axi/dma-controller@fd4c0000\n        unsafe-no-iommu: «dma-no-iommu!warning»\"display DMA only reads the frame buffer\"\n"))
case("dma-no-iommu-unsafe.ok", "twin of dma-no-iommu-unsafe.yaml",
     body(ZCU, linux="      - node: /axi/dma-controller@fd4c0000\n        smmu: /axi/iommu@fd800000\n        stream-ids: [ 0xce3 ]\n"))
# ---- dma-reset
case("dma-reset", "a virtio-mmio DMA master accepted without IOMMU: nothing can stop its DMA",
     body(VIRT, linux="      - node: «dma-reset!warning»/virtio_mmio@a003e00\n        unsafe-no-iommu: «dma-no-iommu!warning»\"test only\"\n"))
case("dma-reset.ok", "twin of dma-reset.yaml: behind the SMMU the hypervisor can abort its stream",
     body(VIRT, linux="      - node: /virtio_mmio@a003e00\n        smmu: /smmuv3@9050000\n        stream-ids: [ 0x20 ]\n"))
case("dma-reset-tiny", "a PL330 with no IOMMU, resets or power domains",
     body(TINY, linux="      - node: «dma-reset!warning»/soc/dma-controller@9270000\n        unsafe-no-iommu: «dma-no-iommu!warning»\"test only\"\n"))
case("dma-reset-tiny.ok", "twin of dma-reset-tiny.yaml: a PL330 behind the SMMU",
     body(TINY, linux="      - node: /soc/dma-controller@9200000\n"))
# ---- quiesce-shared
# The hypervisor holds the reset controller: the guests' trees drop their
# `resets` (dep-unowned otherwise); the plan still uses the board's lines.
case("quiesce-shared", "a PL330 of linux shares reset line 5 with a UART of the RTOS",
     body(QUIESCE, linux="      - node: «quiesce-shared!warning»/soc/dma-controller@9540000\n        unsafe-no-iommu: «dma-no-iommu!warning»\"test only\"\n        drop: [ resets ]\n",
          rtos="      - { node: /soc/serial@9550000, drop: [ resets ] }\n"))
case("quiesce-shared.ok", "twin of quiesce-shared.yaml: the RTOS's UART has its own reset line",
     body(QUIESCE, linux="      - node: /soc/dma-controller@9540000\n        unsafe-no-iommu: «dma-no-iommu!warning»\"test only\"\n        drop: [ resets ]\n",
          rtos="      - { node: /soc/serial@9560000, drop: [ resets ] }\n"))
# ---- dep-unowned
case("dep-unowned", "the I2C controller's recovery GPIOs (scl-gpios, sda-gpios) are on a GPIO block Linux does not own",
     body(ZCU, linux="      - «dep-unowned»/axi/i2c@ff020000\n"))
case("dep-unowned.ok", "twin of dep-unowned.yaml: the recovery GPIOs are dropped",
     body(ZCU, linux="      - node: /axi/i2c@ff020000\n        drop: [ scl-gpios, sda-gpios ]\n"))
case("dep-unowned-assigned.ok", "twin of dep-unowned.yaml: Linux owns the GPIO block too",
     body(ZCU, linux="      - /axi/i2c@ff020000\n      - /axi/gpio@ff0a0000\n"))
case("dep-unowned-other", "the GPIO block belongs to the RTOS",
     body(ZCU, linux="      - «dep-unowned»/axi/i2c@ff020000\n", rtos="      - /axi/gpio@ff0a0000\n"))
case("dep-unowned-other.ok", "twin of dep-unowned-other.yaml",
     body(ZCU, linux="      - node: /axi/i2c@ff020000\n        drop: [ scl-gpios, sda-gpios ]\n", rtos="      - /axi/gpio@ff0a0000\n"))
case("dep-unowned-via", "the UART's clock is a fixed-factor divider (copied into the guest) of a clock controller with registers",
     body(TINY, linux="      - «dep-unowned»/soc/serial@9150000\n"))
case("dep-unowned-via.ok", "twin of dep-unowned-via.yaml: Linux owns the clock controller",
     body(TINY, linux="      - /soc/serial@9150000\n      - /soc/clock-controller@9300000\n"))
case("dep-unowned-memory-region", "the DSP's memory-region (a reserved buffer) is not in Linux's memory",
     body(TINY, linux="      - «dep-unowned»/soc/dsp@9160000\n"))
case("dep-unowned-memory-region.ok", "twin of dep-unowned-memory-region.yaml: Linux's memory includes the buffer",
     body(TINY, linux="      - /soc/dsp@9160000\n",
          subs=[("      - { base: 0x48000000, size: 256M }\n", "      - { base: 0x48000000, size: 256M }\n      - { base: 0x7c000000, size: 16M }\n")]))
# ---- irq-parent
case("irq-parent", "the sensor's interrupt goes through the PL061 GPIO controller, which Linux does not own",
     body(TINY, linux="      - «irq-parent»/soc/sensor@9140000\n", rtos="      - /soc/gpio@9130000\n"))
case("irq-parent.ok", "twin of irq-parent.yaml: Linux owns the GPIO controller",
     body(TINY, linux="      - /soc/sensor@9140000\n      - /soc/gpio@9130000\n", rtos="      - /soc/serial@9110000\n"))
case("irq-parent-pcie.ok", "ZCU102 PCIe: INTx through the bridge's own legacy-interrupt-controller child is fine",
     body(ZCU, linux="      - /axi/pcie@fd0e0000\n"))
# ---- cpu-owner
case("cpu-owner", "CPU 1 given to both guests",
     body(VIRT, subs=[("cpus: [ 2, 3 ]", "cpus: [ «cpu-owner»1, 3 ]")]))
case("cpu-owner.ok", "twin of cpu-owner.yaml", body(VIRT))
# ---- vmid
case("vmid", "two guests with VMID 1",
     body(VIRT, subs=[("    vmid: 2\n", "    vmid: «vmid»1\n")]))
case("vmid.ok", "twin of vmid.yaml", body(VIRT))
case("vmid-range", "VMID 256 on a board with an MMU-500 and Cortex-A53s (8-bit VMIDs)",
     body(ZCU, subs=[("    vmid: 7\n", "    vmid: «vmid»256\n")]))
case("vmid-range.ok", "twin of vmid-range.yaml: 255 is the largest 8-bit VMID",
     body(ZCU, subs=[("    vmid: 7\n", "    vmid: 255\n")]))
# ---- shm-peer
case("shm-peer", "Linux listed twice as a peer",
     body(VIRT, subs=[("      - { guest: rtos, ipa: 0x50000000, access: rw, doorbell: 41 }", "      - «shm-peer»{ guest: linux, ipa: 0x70200000, access: rw, doorbell: 41 }")]))
case("shm-peer.ok", "twin of shm-peer.yaml", body(VIRT))
# ---- status-disabled
case("status-disabled", "TTC0 is status = \"disabled\" on the ZCU102",
     body(ZCU, rtos="      - «status-disabled!warning»/axi/timer@ff110000\n"))
case("status-disabled.ok", "twin of status-disabled.yaml: the (enabled) FPD watchdog",
     body(ZCU, rtos="      - /axi/watchdog@fd4d0000\n"))

# ---- reported by the lowering (dtpass build)
case("smmu-capacity", "three SMMUv2 masters with unrelated stream IDs and an SMMU with a single SMR",
     body(TINY, linux="      - /soc/dma-controller@9200000\n      - /soc/ethernet@9230000\n      - /soc/mmc@9250000\n",
          subs=[("hypervisor:\n", "platform:\n  smmus:\n    - «smmu-capacity»{ node: /soc/iommu@9000000, smrs: 1 }\nhypervisor:\n")]),
     command="build")
case("smmu-capacity.ok", "twin of smmu-capacity.yaml: the MMU-500's real 48 SMRs",
     body(TINY, linux="      - /soc/dma-controller@9200000\n      - /soc/ethernet@9230000\n      - /soc/mmc@9250000\n",
          subs=[("hypervisor:\n", "platform:\n  smmus:\n    - { node: /soc/iommu@9000000, smrs: 48 }\nhypervisor:\n")]),
     command="build")
case("hv-memory", "4 KiB of hypervisor memory cannot hold the stage-2 tables",
     body(TINY, subs=[("    - { base: 0x40000000, size: 64M }", "    - «hv-memory»{ base: 0x40000000, size: 4K }")]),
     command="build")
case("hv-memory.ok", "twin of hv-memory.yaml: 64 MiB", body(TINY), command="build")

os.makedirs(OUT, exist_ok=True)
for name, desc, text, command in cases:
    expects = []
    lines = text.split("\n")
    hdr = ["# " + desc]
    marks = []
    for i, l in enumerate(lines):
        while True:
            m = re.search("«([a-z-]+)(!warning)?»", l)
            if not m:
                break
            marks.append((i, m.start(), m.group(1), m.group(2)))
            l = l[:m.start()] + l[m.end():]
        lines[i] = l
    nh = len(hdr) + max(1, len(marks)) + (1 if command else 0)
    ex = []
    for (i, col, cid, warn) in marks:
        ex.append("# expect: %s %d:%d%s" % (cid, i + 1 + nh, col + 1, " warning" if warn else ""))
    if not marks:
        ex.append("# expect: clean")
    if command:
        ex.append("# command: " + command)
    out = "\n".join(hdr + ex + lines)
    with open(os.path.join(OUT, name + ".yaml"), "w") as f:
        f.write(out)
print(len(cases), "cases")
