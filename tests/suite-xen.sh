#!/bin/sh
# tests/suite-xen.sh — target xen (docs/xen.md), proven on the real thing:
# examples/qemu-virt/xen.{yaml,dtpass} are compiled for Xen on Arm in
# dom0less mode, the outputs are checked (both syntaxes give the same files,
# the build is deterministic, the DTBs are well-formed, the module nodes
# carry the real file sizes), and then Debian's Xen 4.17 (tools/fetch-xen)
# boots them under QEMU virt (virtualization=on, GICv3, no SMMU): two Linux
# domUs with the vCPU and memory counts of the system file, each reaching
# the root-fs panic, the passthrough PL061 and PL031 probed in the rtos
# domU only. A second boot with busybox initramfs guests proves from inside
# that the PL061's interrupt reaches its owner through Xen and that another
# guest's access to its registers faults. Debian's arm64 kernel
# (tools/fetch-boards) is every guest's kernel. Each boot is bounded by
# XEN_BOOT_TIMEOUT seconds (default 120); KEEP=1 keeps the work directory.
. "$(dirname "$0")/lib.sh"
ROOT=$PWD
CACHE=${DTPASS_CACHE:-$(sh tools/fetch-boards)} || { echo "not ok - cannot fetch the boards"; exit 1; }
TIMEOUT=${XEN_BOOT_TIMEOUT:-120}
qpid=
cleanup() {
    [ -n "$qpid" ] && kill "$qpid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap 'echo "# kept $tmp"' EXIT
check() { # description command...
    d=$1; shift
    if "$@" >/dev/null 2>&1; then ok "$d"; else notok "$d"; fi
}

XENDIR=$(DTPASS_CACHE=$CACHE sh tools/fetch-xen) || { echo "not ok - cannot fetch Debian's Xen (tools/fetch-xen)"; exit 1; }
XEN=$XENDIR/xen
KERNEL=$CACHE/kernel/Image
[ -f "$XEN" ] || { echo "not ok - no Xen image in $XENDIR"; exit 1; }
[ -f "$KERNEL" ] || { echo "not ok - no kernel in $CACHE/kernel"; exit 1; }
command -v qemu-system-aarch64 >/dev/null || { echo "not ok - qemu-system-aarch64 is needed"; exit 1; }

# The system files name `Image` next to themselves: a copy of the example
# with the kernel beside it. Everything runs from $tmp, so the relative
# paths in qemu-loader.args are valid there.
mkdir -p "$tmp/sys"
cp examples/qemu-virt/xen.yaml examples/qemu-virt/xen.dtpass "$tmp/sys/"
ln -s "$KERNEL" "$tmp/sys/Image"
BOARD=$ROOT/examples/qemu-virt/board/virt-el2.dts
cd "$tmp" || exit 1

build() { # system outdir -> status; diagnostics in outdir.err
    "$DTPASS" build "$1" --board "$BOARD" -o "$2" --target xen --color never 2>"$2.err"
}

build sys/xen.yaml out
rc=$?
if [ $rc -eq 0 ]; then ok "xen.yaml builds for target xen"; else notok "xen.yaml builds for target xen (exit $rc)"; sed 's/^/    # /' out.err | head -n 30; exit 1; fi
for f in host.dtb host.dts rtos-passthrough.dtb rtos-passthrough.dts boot.scr.txt qemu-loader.args; do
    check "xen/$f written" test -s "out/xen/$f"
done
check "no passthrough DTB for a guest without devices" test ! -e out/xen/linux-passthrough.dtb
# Warnings: what Debian's Xen cannot enforce is said, at the system file.
check "warns that the shared region is not set up" grep -q "shared region 'ivc0' is not set up.*\[xen-unenforced\]" out.err
check "warns that guest RAM is placed by Xen" grep -q "Xen allocates guest 'linux' RAM itself.*\[xen-unenforced\]" out.err
check "warnings point into the system file" grep -q '^sys/xen.yaml:[0-9]*:[0-9]*: warning: ' out.err

build sys/xen.dtpass out-dsl
rc=$?
if [ $rc -eq 0 ]; then ok "xen.dtpass builds for target xen"; else notok "xen.dtpass builds (exit $rc)"; sed 's/^/    # /' out-dsl.err | head -n 20; fi
same=1
for f in host.dtb host.dts rtos-passthrough.dtb rtos-passthrough.dts boot.scr.txt; do
    cmp -s "out/xen/$f" "out-dsl/xen/$f" || { same=0; echo "    # $f differs"; }
done
[ $same -eq 1 ] && ok "YAML and DSL give identical Xen outputs" || notok "YAML and DSL give identical Xen outputs"
build sys/xen.yaml out-again
same=1
for f in out/xen/*; do
    case $f in
    *.args) sed 's|out-again/|out/|' "out-again/xen/$(basename "$f")" | cmp -s "$f" - || same=0 ;;
    *) cmp -s "$f" "out-again/xen/$(basename "$f")" || same=0 ;;
    esac
done
[ $same -eq 1 ] && ok "the xen target is deterministic" || notok "the xen target is deterministic"

# Well-formed DTBs: a dtc round trip without warnings (the passthrough
# fragment's providers sit on /passthrough without reg, as Xen requires).
check "host.dtb round-trips through dtc without warnings" sh -c \
    '[ -z "$(dtc -I dtb -O dtb -o /dev/null out/xen/host.dtb 2>&1)" ]'
check "rtos-passthrough.dtb round-trips through dtc" sh -c \
    '[ -z "$(dtc -W no-simple_bus_reg -I dtb -O dtb -o /dev/null out/xen/rtos-passthrough.dtb 2>&1)" ]'
check "host.dts compiles to the same tree as host.dtb" sh -c \
    "dtc -q -I dts -O dtb -o host-rt.dtb out/xen/host.dts &&
     dtc -q -I dtb -O dts -o host-rt.txt host-rt.dtb && dtc -q -I dtb -O dts out/xen/host.dtb | cmp -s - host-rt.txt"
dtc -q -I dtb -O dts -o host.txt out/xen/host.dtb
dtc -q -I dtb -O dts -o pt.txt out/xen/rtos-passthrough.dtb
dtc -q -I dts -O dts -o board.txt "$BOARD"
check "the host DT is the board plus Xen's additions (nothing removed or changed)" sh -c \
    "diff board.txt host.txt >host.diff; ! grep -q '^[<|]' host.diff && grep -q '^>' host.diff"
# A board without /chosen gets one.
/usr/bin/python3 - "$BOARD" nochosen.dts <<'PY'
import re, sys
s = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(re.sub(r"\n\tchosen \{.*?\n\t\};", "", s, flags=re.S))
PY
"$DTPASS" build sys/xen.yaml --board nochosen.dts -o out-nochosen --target xen -q 2>/dev/null
check "a board without /chosen gets one with the domains" sh -c \
    "dtc -q -I dtb -O dts out-nochosen/xen/host.dtb | grep -q 'domU2 {' && ! grep -q 'chosen' nochosen.dts"
ksize=$(printf '0x%x' "$(wc -c <"$KERNEL")")
check "domU1 is a xen,domain with 2 vCPUs, 512 MiB in KiB and a vpl011" sh -c \
    "sed -n '/domU1 {/,/};/p' host.txt | tr -d '\t' | grep -q '^memory = <0x00 0x80000>;' &&
     sed -n '/domU1 {/,/};/p' host.txt | tr -d '\t' | grep -q '^cpus = <0x02>;' &&
     sed -n '/domU1 {/,/};/p' host.txt | tr -d '\t' | grep -q '^vpl011;' &&
     sed -n '/domU1 {/,/};/p' host.txt | grep -q 'compatible = \"xen,domain\"'"
check "kernel module nodes carry the load address and the file's size" \
    grep -q "reg = <0x00 0x50000000 0x00 $ksize>;" host.txt
check "Xen's console is the hypervisor's PL011" \
    grep -q 'xen,xen-bootargs = "console=dtuart dtuart=/pl011@9000000' host.txt
check "the passthrough devices are marked xen,passthrough in the host DT" sh -c \
    "sed -n '/pl061@9030000 {/,/};/p' host.txt | grep -q 'xen,passthrough;'"
check "passthrough DTB: /gic placeholder with phandle 65000" sh -c \
    "sed -n '/gic {/,/};/p' pt.txt | grep -q 'phandle = <0xfde8>;'"
check "passthrough DTB: pl061 with xen,reg, xen,path and the GIC as parent" sh -c \
    "sed -n '/pl061@9030000 {/,/};/p' pt.txt | tr -d '\t' >pl061.txt &&
     grep -q '^xen,reg = <0x00 0x9030000 0x00 0x1000 0x00 0x9030000>;' pl061.txt &&
     grep -q '^xen,path = \"/pl061@9030000\";' pl061.txt &&
     grep -q '^interrupt-parent = <0xfde8>;' pl061.txt &&
     grep -q '^xen,force-assign-without-iommu;' pl061.txt"
check "passthrough DTB: the fixed clock the devices use is copied" grep -q 'compatible = "fixed-clock";' pt.txt
check "boot.scr.txt loads every image and boots Xen with the host DTB" sh -c \
    "grep -c '^ *load ' out/xen/boot.scr.txt | grep -qx 5 && grep -q '^ *booti 0x40200000 - 0x' out/xen/boot.scr.txt"

# A missing boot file is an I/O error (exit 2), and nothing is written.
sed 's/file: Image, load: 0x68000000/file: NoSuchImage, load: 0x68000000/' sys/xen.yaml >sys/missing.yaml
build sys/missing.yaml out-missing
rc=$?
if [ $rc -eq 2 ] && grep -q 'NoSuchImage' out-missing.err && [ ! -e out-missing/xen ]; then
    ok "a missing kernel file is an I/O error"
else
    notok "a missing kernel file is an I/O error (exit $rc)"
fi

# Errors the xen target adds (exit 1, nothing written).
xen_err() { # description check-id sed-expression
    sed "$3" sys/xen.yaml >sys/bad.yaml
    rm -rf out-bad
    build sys/bad.yaml out-bad
    rc=$?
    if [ $rc -eq 1 ] && grep -q "^sys/bad.yaml:[0-9]*:[0-9]*: error: .*\[$2\]" out-bad.err && [ ! -e out-bad/xen ]; then
        ok "$1 [$2]"
    else
        notok "$1 [$2] (exit $rc)"
        sed 's/^/    # /' out-bad.err | grep -v warning | head -n 10
    fi
}
xen_err "two kernels loaded over each other" mem-overlap 's/load: 0x68000000/load: 0x50100000/'
xen_err "a kernel outside board RAM" mem-not-ram 's/load: 0x68000000/load: 0x10000000/'
xen_err "a device window over Xen's virtual GIC" ipa-overlap 's|      - /pl061@9030000|      - { node: /pl061@9030000, ipa: 0x03010000 }|'
xen_err "hypervisor memory too small for Xen and the boot area" hv-memory 's/size: 64M }    # Xen/size: 4M }    # Xen/'
xen_err "a guest owning the UART Xen falls back to as console" dev-owner \
    's|^  devices: \[ /pl011@9000000 \].*|  devices: []|; s|^    vmid: 1$|    vmid: 1\n    devices: [ /pl011@9000000 ]|'
# -M lists the boot files the build read.
"$DTPASS" build sys/xen.yaml --board "$BOARD" -o out-dep --target xen -M out-dep.d -q 2>/dev/null
check "-M lists the kernel image" grep -q 'sys/Image' out-dep.d

# A real vendor board: the ZCU102 (MMU-500, which Xen drives) with two DMA
# masters for Linux and a UART for the RTOS; boot images are stand-ins.
mkdir -p zcu
head -c 65536 /dev/zero >zcu/Image
cat >zcu/xen.yaml <<'SYS'
dtpass: 1
platform:
  smmus:
    - { node: /axi/iommu@fd800000, sid-bits: 15, smrs: 48, context-banks: 16 }
hypervisor:
  memory: [ { base: 0x40000000, size: 64M } ]
  devices: [ serial0 ]
guests:
  - name: linux
    cpus: [ 0, 1, 2 ]
    memory: [ { base: 0x10000000, size: 512M } ]
    devices:
      - { node: ethernet0, drop: [ pinctrl-0, pinctrl-names ] }
      - { node: mmc0, drop: [ pinctrl-0, pinctrl-names ] }
    boot:
      kernel: { file: Image, load: 0x10200000 }
  - name: rtos
    cpus: [ 3 ]
    memory: [ { base: 0x60000000, size: 64M } ]
    devices:
      - { node: /axi/serial@ff010000, drop: [ pinctrl-0, pinctrl-names ] }
    boot:
      kernel: { file: Image, load: 0x60000000 }
SYS
"$DTPASS" build zcu/xen.yaml --board "$ROOT/examples/zcu102/board/zynqmp-zcu102-rev1.0.dts" \
    -o zcu/out --target xen -q 2>zcu/err
rc=$?
if [ $rc -eq 0 ]; then ok "ZCU102: builds for target xen"; else
    notok "ZCU102: builds for target xen (exit $rc)"; sed 's/^/    # /' zcu/err | head -n 10; fi
check "ZCU102: DTBs round-trip through dtc" sh -c \
    "[ -z \"\$(dtc -I dtb -O dtb -o /dev/null zcu/out/xen/host.dtb 2>&1)\" ] &&
     [ -z \"\$(dtc -W no-simple_bus_reg -I dtb -O dtb -o /dev/null zcu/out/xen/linux-passthrough.dtb 2>&1)\" ] &&
     [ -z \"\$(dtc -W no-simple_bus_reg -I dtb -O dtb -o /dev/null zcu/out/xen/rtos-passthrough.dtb 2>&1)\" ]"
dtc -q -I dtb -O dts -o zcu/linux.txt zcu/out/xen/linux-passthrough.dtb
dtc -q -I dtb -O dts -o zcu/rtos.txt zcu/out/xen/rtos-passthrough.dtb
check "ZCU102: Xen's console is serial0 (/axi/serial@ff000000)" \
    grep -q 'dtuart=/axi/serial@ff000000 ' zcu/out/xen/host.dts
check "ZCU102: DMA masters behind the MMU-500 are left to Xen's IOMMU driver" sh -c \
    "grep -q 'xen,path = \"/axi/ethernet@ff0e0000\"' zcu/linux.txt &&
     grep -q 'xen,path = \"/axi/mmc@ff170000\"' zcu/linux.txt &&
     ! grep -q 'force-assign-without-iommu' zcu/linux.txt && ! grep -q 'iommus' zcu/linux.txt"
check "ZCU102: the UART (no DMA) is force-assigned without IOMMU" sh -c \
    "grep -q 'xen,path = \"/axi/serial@ff010000\"' zcu/rtos.txt &&
     grep -q 'xen,force-assign-without-iommu;' zcu/rtos.txt"
check "ZCU102: aliases of the assigned devices at their /passthrough paths" \
    grep -q 'ethernet0 = "/passthrough/ethernet@ff0e0000";' zcu/linux.txt

# A PCI host bridge for a Xen domU: its identity-mapped windows collide with
# Xen's guest layout (errors), and Xen 4.17 would route none of its
# interrupts (a warning).
mkdir -p pci
head -c 65536 /dev/zero >pci/Image
cat >pci/xen.yaml <<'SYS'
dtpass: 1
hypervisor:
  memory: [ { base: 0x40000000, size: 64M } ]
  devices: [ /pl011@9000000 ]
guests:
  - name: linux
    cpus: [ 0 ]
    memory: [ { base: 0x48000000, size: 1G } ]
    devices: [ /pcie@10000000 ]
    boot:
      kernel: { file: Image, load: 0x50000000 }
SYS
"$DTPASS" build pci/xen.yaml --board "$ROOT/examples/qemu-virt-pci/board/virt.dts" -o pci/out \
    --target xen --color never 2>pci/err
rc=$?
check "PCI host bridge: windows over Xen's grant table and vPL011 are errors" sh -c \
    "[ $rc -eq 1 ] && grep -q 'overlaps Xen.s grant-table and magic pages.*\[ipa-overlap\]' pci/err &&
     grep -q 'overlaps Xen.s virtual PL011.*\[ipa-overlap\]' pci/err"
check "PCI host bridge: Xen routing none of its interrupts is a warning" \
    grep -q 'passes no PCI to a dom0less guest: /pcie@10000000.*\[xen-unenforced\]' pci/err

# --- boot: Debian's Xen 4.17, two dom0less domUs ---------------------------
: >boot.log
start=$(date +%s)
# shellcheck disable=SC2046
qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -smp 4 -m 2G \
    -nographic -no-reboot -monitor none -nic none -kernel "$XEN" -dtb out/xen/host.dtb \
    $(cat out/xen/qemu-loader.args) </dev/null >boot.log 2>&1 &
qpid=$!
while kill -0 "$qpid" 2>/dev/null; do
    [ "$(grep -c 'end Kernel panic - not syncing: VFS: Unable to mount root fs' boot.log)" -ge 2 ] && break
    [ $(($(date +%s) - start)) -ge "$TIMEOUT" ] && break
    sleep 0.5
done
kill "$qpid" 2>/dev/null
wait "$qpid" 2>/dev/null
qpid=
secs=$(($(date +%s) - start))
echo "# Xen boot: ${secs}s"
if grep -q '^(XEN) Xen version 4\.17' boot.log; then ok "Xen 4.17 starts"; else
    notok "Xen 4.17 starts"; sed 's/^/    # /' boot.log | tail -n 30; fi
check "no dom0: Xen builds only the dom0less domUs" sh -c "! grep -q 'LOADING DOMAIN 0' boot.log"
# Xen prints the memory in hexadecimal KiB: 0x80000 KiB = 512 MiB, 0x20000 KiB = 128 MiB.
check "LOADING DOMU for linux: 2 vCPUs, 512 MiB" grep -q '\*\*\* LOADING DOMU cpus=2 memory=80000KB \*\*\*' boot.log
check "LOADING DOMU for rtos: 1 vCPU, 128 MiB" grep -q '\*\*\* LOADING DOMU cpus=1 memory=20000KB \*\*\*' boot.log
check "exactly two domUs" sh -c "[ \$(grep -c 'LOADING DOMU' boot.log) -eq 2 ]"
check "d1 (linux) boots its kernel from 0x50000000" grep -q 'Loading d1 kernel from boot module @ 0000000050000000' boot.log
check "d2 (rtos) boots its kernel from 0x68000000" grep -q 'Loading d2 kernel from boot module @ 0000000068000000' boot.log
check "linux reaches the root-fs panic" grep -q '^(XEN) DOM1: .*Kernel panic - not syncing: VFS: Unable to mount root fs' boot.log
check "rtos reaches the root-fs panic" grep -q '^(XEN) DOM2: .*Kernel panic - not syncing: VFS: Unable to mount root fs' boot.log
check "linux sees 512 MiB" grep -q '^(XEN) DOM1: .*Memory: [0-9]*K/524288K available' boot.log
check "rtos sees 128 MiB" grep -q '^(XEN) DOM2: .*Memory: [0-9]*K/131072K available' boot.log
check "rtos probes the passthrough PL061" grep -q '^(XEN) DOM2: .*pl061_gpio 9030000.pl061: PL061 GPIO chip registered' boot.log
check "rtos probes the passthrough PL031" grep -q '^(XEN) DOM2: .*rtc-pl031 9010000.pl031: registered as rtc0' boot.log
check "linux has neither the PL061 nor the PL031" sh -c "! grep -q '^(XEN) DOM1: .*\\(PL061 GPIO chip registered\\|rtc-pl031\\)' boot.log"
if [ $fails -ne 0 ]; then
    echo "    # boot log (last 40 lines):"
    tail -n 40 boot.log | sed 's/^/    # /'
fi

# --- interrupt and isolation, from inside the guests ------------------------
# Two guests boot an initramfs (Debian's busybox-static, packed by
# tools/mkinitramfs). In `io`, which owns the PL061, init arms GPIO line 3
# for rising edges; QEMU's system_powerdown raises that line (the virt
# board's power key) once, Xen must inject the PL061's SPI, and init reports
# the count; it also reads the PL061's PeriphID0 register (0x61) through
# /dev/mem. In `other`, which owns nothing, the same read must fault: Xen has
# no stage-2 mapping for the PL061 in that guest.
BUSYBOX=$XENDIR/busybox
cp "$ROOT/tests/boot/xen-irq-init" sys/irq-init
chmod +x sys/irq-init
if [ -f "$BUSYBOX" ] && /usr/bin/python3 "$ROOT/tools/mkinitramfs" sys/irq.cpio.gz \
        /init=sys/irq-init /bin/busybox="$BUSYBOX"; then
    ok "initramfs packed with tools/mkinitramfs"
else
    notok "initramfs packed with tools/mkinitramfs"
fi
cp "$ROOT/tests/boot/xen-irq.yaml" sys/irq.yaml
if build sys/irq.yaml out-irq; then ok "the interrupt system builds"; else
    notok "the interrupt system builds"; sed 's/^/    # /' out-irq.err | head -n 20; fi
dtc -q -I dtb -O dts -o irq-host.txt out-irq/xen/host.dtb
check "ramdisk module node with multiboot,ramdisk" grep -q 'compatible = "multiboot,ramdisk.0multiboot,module";' irq-host.txt
: >irq.log
start=$(date +%s)
# shellcheck disable=SC2046
qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 -smp 4 -m 2G \
    -nographic -no-reboot -monitor unix:mon.sock,server=on,wait=off -nic none \
    -kernel "$XEN" -dtb out-irq/xen/host.dtb \
    $(cat out-irq/xen/qemu-loader.args) </dev/null >irq.log 2>&1 &
qpid=$!
# Press the power key once the guest is armed: a 100 ms pulse on the line.
# The monitor must have answered before the connection closes, or QEMU
# drops the command.
cp "$ROOT/tests/boot/qemu-press.py" press.py
presses=0
while kill -0 "$qpid" 2>/dev/null; do
    grep -q 'DOM1: dtpass-iso: read' irq.log && grep -q 'DOM2: dtpass-iso: status' irq.log && break
    if [ $presses -eq 0 ] && grep -q 'dtpass-irq: armed' irq.log; then
        /usr/bin/python3 press.py mon.sock && presses=1
    fi
    [ $(($(date +%s) - start)) -ge "$TIMEOUT" ] && break
    sleep 0.5
done
sleep 1
kill "$qpid" 2>/dev/null
wait "$qpid" 2>/dev/null
qpid=
echo "# Xen interrupt boot: $(($(date +%s) - start))s"
check "Xen merged the passthrough DTB: the PL061 and its clock in the owner's tree" sh -c \
    "grep 'DOM1: dtpass-dt:' irq.log | grep -q ' pl061@9030000 ' && grep 'DOM1: dtpass-dt:' irq.log | grep -q ' apb-pclk '"
check "the other domU's tree has no /passthrough" sh -c \
    "grep -q 'DOM2: dtpass-dt:' irq.log && ! grep 'DOM2: dtpass-dt:' irq.log | grep -q 'compatible'"
check "the domU armed the PL061 line" grep -q 'DOM1: dtpass-irq: armed' irq.log
check "one power-key press: the PL061 interrupt reached the domU through Xen" sh -c \
    "[ $presses -eq 1 ] && grep -q 'DOM1: dtpass-irq: seen [1-9]' irq.log"
check "the owning domU reads the PL061 (PeriphID0 0x61)" grep -q 'DOM1: dtpass-iso: read 0x00000061' irq.log
# devmem killed by a signal (exit status 128 + n): the access faulted.
check "the other domU cannot read the PL061 (its access faults)" sh -c \
    "grep -q 'DOM2: dtpass-iso: status 1[3-9][0-9]' irq.log && ! grep -q 'DOM2: 0x' irq.log"
if ! grep -q 'DOM1: dtpass-iso: read' irq.log || ! grep -q 'DOM2: dtpass-iso: status 1[3-9][0-9]' irq.log; then
    echo "    # interrupt boot log (last 30 lines):"
    tail -n 30 irq.log | sed 's/^/    # /'
fi
[ $fails -eq 0 ]
