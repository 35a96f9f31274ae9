#!/bin/sh
# tests/suite-boot.sh — SPEC §7: generated guest DTBs boot a real Linux.
#
# QEMU virt (TCG, cortex-a57) runs Debian's arm64 kernel (the board cache's
# kernel/Image) with a guest DTB dtpass generated, no initrd: each run ends
# at the root-fs panic, when QEMU is killed (or after BOOT_TIMEOUT seconds).
# The kernel log must show the machine model, the shared windows reserved
# no-map at their IPAs (memblock=debug: flags 0x4), every assigned device
# probed, and no device the guest was not given. QEMU emulates every virt
# device whatever the DTB says, so only the DTB decides what the kernel
# probes; the negative checks use drivers built into Debian's kernel (PL011,
# PL031, PL061, the GICv3 ITS: virtio-mmio is a module, so it cannot show),
# and a control boot of QEMU's own DTB proves each of them can fail. QEMU
# replaces /memory with its own (-m), so RAM is checked in the DTB itself.
#
# Cases (boots run in parallel, two at a time):
#   v3-linux  examples/qemu-virt linux: PL011 only (RTC and GPIO are the RTOS's)
#   v3-rtos   examples/qemu-virt rtos booted as Linux: PL061 + PL031 (RTC SPI
#             2 remapped to 10), no UART (earlycon prints the log)
#   v2-linux  tests/boot/gicv2.yaml on QEMU's GICv2 virt: PL011 + PL031
#   pci       examples/qemu-virt-pci linux: the PCIe host bridge passed through
#             (reg, ranges and the INTx interrupt-map rewritten to the vGIC):
#             the kernel enumerates the virtio-net NIC behind it (QEMU's
#             default NIC, given explicitly with romfile= so that no option
#             ROM is needed: the kernel never runs it)
#   keys      tests/boot/gpio-keys.yaml: /gpio-keys and the PL061 its poweroff
#             key is wired to, in one guest; the key's gpios live in the
#             subnode /gpio-keys/poweroff. Debian builds gpio_keys as a module,
#             so an initramfs (tests/boot/keys-init.c, no libc; packed by
#             tests/boot/mkcpio.py) loads it: gpio-keys registers its input
#             device. keys-nogpio, the same DTB without those gpios (what the
#             carving used to emit), proves the assertion can fail.
#   control   QEMU's own DTB: the negative assertions fire on it
. "$(dirname "$0")/lib.sh"
CACHE=${DTPASS_CACHE:-$(sh tools/fetch-boards)}
TIMEOUT=${BOOT_TIMEOUT:-90}
QEMU=${QEMU:-qemu-system-aarch64}

KERNEL=$CACHE/kernel/Image
if ! command -v "$QEMU" >/dev/null 2>&1 || [ ! -f "$KERNEL" ]; then
    # Never skip silently: no QEMU or no kernel is a failure of the setup.
    notok "boot: $QEMU and $KERNEL are needed (tools/setup, tools/fetch-boards)"
    exit 1
fi

W=$tmp

"$DTPASS" build examples/qemu-virt/system.yaml -o "$W/v3" --target dts,dtb 2>"$W/v3.err" ||
    { notok "build examples/qemu-virt"; cat "$W/v3.err"; }
"$DTPASS" build examples/qemu-virt-pci/system.yaml -o "$W/pci" --target dts,dtb 2>"$W/pci.err" ||
    { notok "build examples/qemu-virt-pci"; cat "$W/pci.err"; }
"$DTPASS" build tests/boot/gpio-keys.yaml -o "$W/keys" --target dts,dtb 2>"$W/keys.err" ||
    { notok "build tests/boot/gpio-keys.yaml"; cat "$W/keys.err"; }
cp "$W/keys/linux.dtb" "$W/keys-nogpio.dtb" && fdtput -d "$W/keys-nogpio.dtb" /gpio-keys/poweroff gpios ||
    notok "keys-nogpio: a copy of the keys DTB without the key's gpios"
# The initramfs of the keys case: Debian's gpio_keys module (tools/fetch-boards
# keeps it from the kernel package) and an init that loads it.
KO=$CACHE/kernel/modules/gpio_keys.ko
if [ -f "$KO" ] && clang --target=aarch64-linux-gnu -O2 -ffreestanding -fno-stack-protector -nostdlib \
        -static -fuse-ld=lld -Wl,-e,_start -o "$W/keys-init" tests/boot/keys-init.c 2>"$W/keys-init.err"; then
    python3 tests/boot/mkcpio.py "$W/keys.cpio" init="$W/keys-init" gpio_keys.ko="$KO" ||
        notok "keys: pack the initramfs"
else
    notok "keys: $KO (tools/fetch-boards) and clang for aarch64 are needed"; cat "$W/keys-init.err" 2>/dev/null
fi
"$DTPASS" build tests/boot/gicv2.yaml --board "$CACHE/qemu/virt-gicv2.dtb" -o "$W/v2" \
    --target dts,dtb 2>"$W/v2.err" || { notok "build tests/boot/gicv2.yaml"; cat "$W/v2.err"; }

# boot NAME GIC SMP DTB APPEND [QEMU-ARGS...]: runs QEMU until the panic
# or the timeout. No default NIC (-nic none: it would need an option ROM,
# ipxe-qemu, which tools/setup does not install); a case that wants a NIC
# adds one.
boot() {
    name=$1 gic=$2 smp=$3 dtb=$4 append=$5
    shift 5
    start=$(date +%s)
    : >"$W/$name.log"
    "$QEMU" -M "virt,gic-version=$gic" -cpu cortex-a57 -smp "$smp" -m 1G -nographic -nic none \
        -no-reboot -kernel "$KERNEL" -dtb "$dtb" -append "$append" "$@" \
        >"$W/$name.log" 2>&1 </dev/null &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        grep -q "end Kernel panic" "$W/$name.log" && break
        [ $(($(date +%s) - start)) -ge "$TIMEOUT" ] && { echo "TIMEOUT" >>"$W/$name.log"; break; }
        sleep 1
    done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    echo "$(($(date +%s) - start))" >"$W/$name.time"
}

common="memblock=debug panic=0"
# The control boots QEMU's own DTB for exactly this machine (no SMMU).
# (QEMU pads the dump to 1 MiB, too big next to the kernel: dtc packs it.)
"$QEMU" -M virt,gic-version=3,dumpdtb="$W/control-big.dtb" -cpu cortex-a57 -smp 2 -m 1G \
    -nographic -nic none >"$W/control-dump.log" 2>&1 && dtc -q -I dtb -O dtb -o "$W/control.dtb" "$W/control-big.dtb" ||
    { notok "dump QEMU's own virt DTB"; sed 's/^/#   /' "$W/control-dump.log"; }
suite_start=$(date +%s)
# Only the pci case needs QEMU's default NIC (and its option ROM,
# efi-virtio.rom, which not every QEMU install has): the others go without.
boot v3-linux 3 2 "$W/v3/linux.dtb" "console=ttyAMA0 $common" -nic none &
boot v3-rtos 3 2 "$W/v3/rtos.dtb" "earlycon=pl011,0x9000000 keep_bootcon $common" -nic none &
wait
boot v2-linux 2 2 "$W/v2/linux.dtb" "console=ttyAMA0 $common" -nic none &
boot control 3 2 "$W/control.dtb" "console=ttyAMA0 $common" -nic none &
wait
boot pci 3 3 "$W/pci/linux.dtb" "console=ttyAMA0 $common" \
    -netdev user,id=net0 -device virtio-net-pci,netdev=net0,romfile= &
wait
# No NIC for the keys boots: nothing in them needs one (nor its option ROM).
boot keys 3 2 "$W/keys/linux.dtb" "console=ttyAMA0 rdinit=/init $common" -initrd "$W/keys.cpio" -nic none &
boot keys-nogpio 3 2 "$W/keys-nogpio.dtb" "console=ttyAMA0 rdinit=/init $common" -initrd "$W/keys.cpio" -nic none &
wait
echo "# boot wall time: $(($(date +%s) - suite_start))s"

has() { # case pattern description
    if grep -qE "$2" "$W/$1.log"; then ok "$1: $3"; else notok "$1: $3 (no /$2/ in the log)"; tail -n 20 "$W/$1.log" | sed 's/^/#   /'; fi
}
hasnt() {
    if grep -qE "$2" "$W/$1.log"; then notok "$1: $3"; grep -E "$2" "$W/$1.log" | head -n 3 | sed 's/^/#   /'; else ok "$1: $3"; fi
}
for c in v3-linux v3-rtos v2-linux pci control; do
    echo "# $c: $(cat "$W/$c.time")s"
    has "$c" "end Kernel panic - not syncing: VFS: Unable to mount root fs" "reached the root-fs panic"
done
for c in keys keys-nogpio; do
    echo "# $c: $(cat "$W/$c.time")s"
    has "$c" "Run /init as init process" "ran the initramfs init"
    has "$c" "end Kernel panic - not syncing: Attempted to kill init" "init loaded gpio_keys and exited"
done
has control "Machine model: linux,dummy-virt$|Hardware name: linux,dummy-virt \(DT\)" "control: QEMU's own model"
for c in v3-linux v3-rtos v2-linux pci; do
    hasnt "$c" "OF: .*(could not|failed|missing|bad|not found)|no irq domain|irq: type mismatch|deferred probe pending|psci: failed" \
        "no complaint from the kernel about the device tree"
done

# --- GICv3: the Linux guest of examples/qemu-virt ---
has v3-linux "(Machine model|Hardware name): linux,dummy-virt \(linux\)" "machine model names the guest"
has v3-linux "GICv3: CPU1: found redistributor 1" "vGIC v3 with one redistributor per vCPU"
has v3-linux "smp: Brought up 1 node, 2 CPUs" "2 vCPUs"
has v3-linux "memory\[0x[0-9a-f]+\][[:space:]]+\[0x0+70000000-0x0+701fffff\].*flags: 0x4" \
    "shared window ivc0 reserved no-map at IPA 0x70000000"
has v3-linux "ttyAMA0 at MMIO 0x9000000" "PL011 probed"
hasnt v3-linux "rtc-pl031|registered as rtc" "no RTC (it is the RTOS's)"
hasnt v3-linux "PL061 GPIO chip registered" "no GPIO (it is the RTOS's)"
hasnt v3-linux "ITS@" "no GICv3 ITS (the vGIC has none)"
hasnt v3-linux "pci-host-generic" "no PCIe host bridge"

# --- GICv3: the RTOS guest, booted as Linux ---
has v3-rtos "(Machine model|Hardware name): linux,dummy-virt \(rtos\)" "machine model names the guest"
has v3-rtos "memory\[0x[0-9a-f]+\][[:space:]]+\[0x0+50000000-0x0+501fffff\].*flags: 0x4" \
    "shared window ivc0 reserved no-map at IPA 0x50000000"
has v3-rtos "PL061 GPIO chip registered" "PL061 probed"
has v3-rtos "rtc-pl031 9010000.pl031: registered as rtc0" "PL031 probed"
hasnt v3-rtos "ttyAMA0 at MMIO" "no UART (it is Linux's)"
hasnt v3-rtos "ITS@" "no GICv3 ITS"

# --- GICv2 ---
has v2-linux "(Machine model|Hardware name): linux,dummy-virt \(linux\)" "machine model names the guest"
has v2-linux "Root IRQ handler: gic_handle_irq" "vGIC probed"
hasnt v2-linux "GICv3" "the vGIC is a GICv2"
has v2-linux "smp: Brought up 1 node, 2 CPUs" "2 vCPUs"
has v2-linux "memory\[0x[0-9a-f]+\][[:space:]]+\[0x0+6c000000-0x0+6c0fffff\].*flags: 0x4" \
    "read-only shared window reserved no-map at IPA 0x6c000000"
has v2-linux "ttyAMA0 at MMIO 0x9000000" "PL011 probed"
has v2-linux "rtc-pl031 9010000.pl031: registered as rtc0" "PL031 probed"
hasnt v2-linux "PL061 GPIO chip registered" "no GPIO (it is the hypervisor's)"

# --- PCIe host bridge passed through ---
has pci "(Machine model|Hardware name): linux,dummy-virt \(linux\)" "machine model names the guest"
has pci "smp: Brought up 1 node, 3 CPUs" "3 vCPUs"
has pci "pci-host-generic 4010000000.pcie: ECAM at \[mem 0x4010000000-0x401fffffff\]" "ECAM at its IPA"
has pci "pci-host-generic 4010000000.pcie:[[:space:]]+MEM 0x0010000000..0x003efeffff" "32-bit window from the rewritten ranges"
has pci "PCI host bridge to bus 0000:00" "host bridge probed"
has pci "pci 0000:00:01.0: \[1af4:1000\]" "the device behind it enumerated"
hasnt pci "PL061 GPIO chip registered|rtc-pl031" "no GPIO, no RTC"

# --- gpio-keys with its GPIO block: the subnode's gpios reached the guest ---
has keys "(Machine model|Hardware name): linux,dummy-virt \(linux\)" "machine model names the guest"
has keys "PL061 GPIO chip registered" "PL061 probed"
has keys "input: gpio-keys as /devices/platform/gpio-keys/input/input0" "gpio-keys probed with its poweroff key"
hasnt keys "gpio-keys: probe of gpio-keys failed|Found button without gpio or irq" "no gpio-keys complaint"
hasnt keys "OF: .*(could not|failed|missing|bad|not found)|deferred probe pending" \
    "no complaint from the kernel about the device tree"
has keys-nogpio "probe of gpio-keys failed|Found button without gpio or irq" \
    "control: without the key's gpios gpio-keys does not probe"
hasnt keys-nogpio "input: gpio-keys as" "control: no gpio-keys input device"

# --- control: the same assertions fail on the board's own DTB ---
# the negative checks above would fire on a DTB that kept these devices:
has control "PL061 GPIO chip registered" "control: QEMU's DTB probes the PL061"
has control "rtc-pl031 9010000.pl031: registered as rtc0" "control: QEMU's DTB probes the PL031"
has control "ttyAMA0 at MMIO 0x9000000" "control: QEMU's DTB probes the PL011"
has control "ITS@" "control: QEMU's DTB has the ITS"
has control "pci-host-generic" "control: QEMU's DTB has the PCIe host bridge"

# --- RAM, structurally (QEMU replaces /memory at boot) ---
mem() { fdtget -t x "$1" "$2" reg 2>/dev/null; }
[ "$(mem "$W/v3/linux.dtb" /memory@48000000)" = "0 48000000 0 20000000" ] &&
    ok "v3-linux: /memory@48000000 is 512 MiB at IPA 0x48000000" || notok "v3-linux: /memory"
[ "$(mem "$W/v3/rtos.dtb" /memory@40000000)" = "0 40000000 0 8000000" ] &&
    ok "v3-rtos: /memory@40000000 is 128 MiB at IPA 0x40000000 (PA 0x68000000)" || notok "v3-rtos: /memory"
[ "$(mem "$W/v2/linux.dtb" /memory@48000000)" = "0 48000000 0 20000000" ] &&
    ok "v2-linux: /memory@48000000" || notok "v2-linux: /memory"

[ $fails -eq 0 ] || for c in v3-linux v3-rtos v2-linux pci; do
    echo "# --- $c log (tail) ---"; tail -n 15 "$W/$c.log" | sed 's/^/#   /'
done
[ $fails -eq 0 ]
