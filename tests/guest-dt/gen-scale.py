#!/usr/bin/python3
"""gen-scale: a generated board and system for the guest-DT scale test
(tests/suite-guest-dt-scale.sh).

    gen-scale.py -g GUESTS -n DEVICES -o DIR    -> DIR/board.dts, DIR/system.yaml

The board: GICv3, GUESTS CPUs, RAM at 0x40000000 (16 MiB per guest plus
room), an SMMUv3, a fixed clock, the architected timer, and DEVICES devices
on simple-buses of 1,000 behind offset `ranges`. Device i: one 4 KiB page,
SPI 100 + (i mod 800) (the SMMU keeps 74..77, doorbells use 950, 951), stream ID i, the fixed clock.
Device i goes to guest (i mod 800) mod GUESTS, so no interrupt line is split
between guests; guest k owns CPU k and 16 MiB of RAM; guests 2j and 2j+1
share a 64 KiB window with doorbells. Deterministic.
"""
import argparse
import os

PH_GIC, PH_SMMU, PH_CLK = 1, 2, 3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-g", type=int, required=True)
    ap.add_argument("-n", type=int, required=True)
    ap.add_argument("-o", required=True)
    a = ap.parse_args()
    os.makedirs(a.o, exist_ok=True)
    ram = 0x40000000
    ramsize = (a.g * 16 + 256) << 20
    b = []
    w = b.append
    w("/dts-v1/;\n/ {\n\tcompatible = \"dtpass,scale\";\n\tmodel = \"dtpass scale board\";\n")
    w("\t#address-cells = <2>;\n\t#size-cells = <2>;\n\tinterrupt-parent = <%d>;\n" % PH_GIC)
    w("\tcpus {\n\t\t#address-cells = <1>;\n\t\t#size-cells = <0>;\n")
    for c in range(a.g):
        mpidr = (c // 16) << 8 | (c % 16)
        w("\t\tcpu@%x { device_type = \"cpu\"; compatible = \"arm,cortex-a53\"; reg = <0x%x>; "
          "enable-method = \"psci\"; };\n" % (mpidr, mpidr))
    w("\t};\n")
    w("\tmemory@%x { device_type = \"memory\"; reg = <0x0 0x%x 0x%x 0x%x>; };\n"
      % (ram, ram, ramsize >> 32, ramsize & 0xffffffff))
    w("\tclk: clk { compatible = \"fixed-clock\"; #clock-cells = <0>; "
      "clock-frequency = <24000000>; phandle = <%d>; };\n" % PH_CLK)
    w("\ttimer { compatible = \"arm,armv8-timer\"; "
      "interrupts = <1 13 4>, <1 14 4>, <1 11 4>, <1 10 4>; };\n")
    w("\tgic: interrupt-controller@8000000 { compatible = \"arm,gic-v3\"; #interrupt-cells = <3>; "
      "#address-cells = <0>; interrupt-controller; "
      "reg = <0x0 0x8000000 0x0 0x10000>, <0x0 0x80a0000 0x0 0x%x>; phandle = <%d>; };\n"
      % (0x20000 * a.g, PH_GIC))
    w("\tsmmu: iommu@9000000 { compatible = \"arm,smmu-v3\"; reg = <0x0 0x9000000 0x0 0x20000>; "
      "#iommu-cells = <1>; interrupts = <0 74 1>, <0 75 1>, <0 76 1>, <0 77 1>; "
      "dma-coherent; phandle = <%d>; };\n" % PH_SMMU)
    w("\tsoc {\n\t\tcompatible = \"simple-bus\";\n\t\t#address-cells = <2>;\n"
      "\t\t#size-cells = <2>;\n\t\tranges;\n")
    paths = []
    for bus in range((a.n + 999) // 1000):
        base = 0x1000000000 + bus * 0x10000000
        w("\t\tbus@%x {\n\t\t\tcompatible = \"simple-bus\";\n\t\t\t#address-cells = <1>;\n"
          "\t\t\t#size-cells = <1>;\n\t\t\tranges = <0x0 0x%x 0x%x 0x10000000>;\n"
          % (base, base >> 32, base & 0xffffffff))
        for k in range(min(1000, a.n - bus * 1000)):
            i = bus * 1000 + k
            paths.append("/soc/bus@%x/dev@%x" % (base, k * 0x1000))
            w("\t\t\tdev@%x { compatible = \"dtpass,scale-dev\"; reg = <0x%x 0x1000>; "
              "interrupts = <0 %d 4>; iommus = <%d 0x%x>; clocks = <%d>; };\n"
              % (k * 0x1000, k * 0x1000, 100 + i % 800, PH_SMMU, i, PH_CLK))
        w("\t\t};\n")
    w("\t};\n};\n")
    with open(os.path.join(a.o, "board.dts"), "w") as f:
        f.write("".join(b))

    s = []
    w = s.append
    w("dtpass: 1\nboard: board.dts\n")
    w("platform:\n  smmus:\n    - { node: /iommu@9000000, sid-bits: 16 }\n")
    w("hypervisor:\n  memory:\n    - { base: 0x%x, size: 64M }\nguests:\n" % ram)
    devs = [[] for _ in range(a.g)]
    for i, p in enumerate(paths):
        devs[(i % 800) % a.g].append(p)
    for k in range(a.g):
        w("  - name: g%d\n    cpus: [ %d ]\n" % (k, k))
        w("    memory:\n      - { base: 0x%x, size: 16M, ipa: 0x40000000 }\n"
          % (ram + (64 << 20) + (k << 24)))
        w("    devices:\n")
        for p in devs[k]:
            w("      - %s\n" % p)
        w("    bootargs: \"console=ttyAMA0\"\n")
    shm = ram + (64 << 20) + (a.g << 24)
    w("shared:\n")
    for j in range(a.g // 2):
        w("  - name: ring%d\n    base: 0x%x\n    size: 64K\n    peers:\n" % (j, shm + j * 0x10000))
        w("      - { guest: g%d, ipa: 0x60000000, access: rw, doorbell: 950 }\n" % (2 * j))
        w("      - { guest: g%d, ipa: 0x60000000, access: ro, doorbell: 951 }\n" % (2 * j + 1))
    with open(os.path.join(a.o, "system.yaml"), "w") as f:
        f.write("".join(s))


if __name__ == "__main__":
    main()
