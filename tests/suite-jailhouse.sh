#!/bin/sh
# tests/suite-jailhouse.sh — target jailhouse (docs/jailhouse.md):
#  * every golden case's input/jailhouse.yaml (tests/golden-jailhouse/<case>/,
#    tests/golden.sh; one for every examples/*/jailhouse.yaml) builds; its
#    outputs match the reviewed golden files beside the input (make golden);
#    the DSL twin builds the same bytes;
#  * tests/jailhouse/cellcheck.py decodes every .cell with the layout from
#    src/targets/jailhouse/layout.def and compares it field by field with the
#    system and the board, and checks Jailhouse's invariants;
#  * every generated C source, compiled against our own minimal header of the
#    published layout (tests/jailhouse/include), gives the bytes of its .cell;
#  * the inmate DTBs pass dtc; the sub-page and plain-shared-memory mapping;
#  * what Jailhouse cannot express is an error at the system file's line,
#    exit 1, and the previous outputs stay untouched.
. "$(dirname "$0")/lib.sh"
. tests/golden.sh
private_dtpass
LAYOUT=src/targets/jailhouse/layout.def
CC=${CC:-cc}

cellcheck() { # system outdir board -> ok/not ok lines of the reader
    "$DTPASS" board "$3" --json >"$tmp/board.json" 2>/dev/null || { notok "$1: dtpass board --json"; return; }
    if python3 tests/jailhouse/cellcheck.py "$LAYOUT" "$1" "$tmp/board.json" "$2/jailhouse" >"$tmp/cc.log" 2>&1; then
        ok "$1: every .cell decodes and matches the system field by field ($(grep -c '^ok' "$tmp/cc.log") checks)"
    else
        notok "$1: the .cell reader found differences"
        grep -v '^ok' "$tmp/cc.log" | head -n 30 | sed 's/^/    /'
    fi
}

compile_c() { # outdir: each <name>.c compiles to the bytes of <name>.cell
    for c in "$1"/jailhouse/*.c; do
        nm=$(basename "$c" .c)
        if ! $CC -std=gnu11 -Wall -Wextra -Werror -c -I tests/jailhouse/include "$c" -o "$tmp/$nm.o" 2>"$tmp/cc.err"; then
            notok "$c does not compile"; sed 's/^/    /' "$tmp/cc.err" | head -20; continue
        fi
        objcopy -O binary -j .data "$tmp/$nm.o" "$tmp/$nm.bin"
        if cmp -s "$tmp/$nm.bin" "$1/jailhouse/$nm.cell"; then
            ok "$nm.c compiles to exactly the bytes of $nm.cell ($(wc -c <"$1/jailhouse/$nm.cell") bytes)"
        else
            notok "$nm.c and $nm.cell differ"; cmp "$tmp/$nm.bin" "$1/jailhouse/$nm.cell" | sed 's/^/    /'
        fi
    done
}

n=0
golden_notok_missing tests/golden-jailhouse jailhouse.yaml
for gold in $(golden_cases tests/golden-jailhouse jailhouse.yaml); do
    ex=$(basename "$gold")
    sys=$gold/input/jailhouse.yaml
    out=$tmp/$ex
    n=$((n + 1))
    if ! "$DTPASS" build "$sys" -q --target jailhouse -o "$out" 2>"$tmp/log"; then
        notok "$ex: build --target jailhouse failed"; sed 's/^/    /' "$tmp/log"; continue
    fi
    ok "$ex: build --target jailhouse"
    same=true
    for g in "$gold"/*; do
        [ "$g" = "$gold/input" ] && continue
        f=$out/jailhouse/$(basename "$g")
        if ! cmp -s "$g" "$f"; then
            same=false
            notok "$ex: $(basename "$g") differs from the golden file"
            diff -u "$g" "$f" 2>/dev/null | head -n 30 | sed 's/^/    /'
        fi
    done
    [ "$(ls "$gold" | grep -vx input | wc -l)" -eq "$(ls "$out/jailhouse" | grep -v '\.dtb$' | wc -l)" ] || { same=false; notok "$ex: the set of files differs from the golden set"; }
    $same && ok "$ex: every output matches $gold"
    dsl=${sys%.yaml}.dtpass
    if [ -f "$dsl" ]; then
        "$DTPASS" build "$dsl" -q --target jailhouse -o "$tmp/$ex-dsl" 2>/dev/null
        # The C sources name the file they came from; the binaries must agree.
        if (cd "$out/jailhouse" && for f in *.cell *.dtb; do cmp -s "$f" "$tmp/$ex-dsl/jailhouse/$f" || exit 1; done); then
            ok "$ex: the DSL twin gives the same .cell and .dtb bytes"
        else
            notok "$ex: jailhouse.yaml and jailhouse.dtpass give different outputs"
        fi
    fi
    board=$gold/input/$(sed -n 's/^board: *//p' "$sys")
    cellcheck "$sys" "$out" "$board"
    compile_c "$out"
    for d in "$out"/jailhouse/*.dtb; do
        if dtc -q -I dtb -O dtb -o /dev/null "$d" 2>"$tmp/dtc.err" && [ ! -s "$tmp/dtc.err" ]; then
            ok "$ex: $(basename "$d") recompiles with dtc without warnings"
        else
            notok "$ex: $(basename "$d") fails dtc"; sed 's/^/    /' "$tmp/dtc.err" | head
        fi
        dts=$out/jailhouse/$(basename "$d" .dtb).dts
        root=$(sed -n 's/^  root-cell: *//p' "$sys")
        if [ "$(basename "$d" .dtb)" = "$root" ]; then
            # The root boots first, natively, with every CPU of its set.
            ncpu=$(grep -c 'device_type = "cpu"' "$dts")
            want=$(python3 -c 'import sys,yaml; print(len({c for g in yaml.safe_load(open(sys.argv[1]))["guests"] for c in g.get("cpus",[])}))' "$sys")
            [ "$ncpu" -eq "$want" ] && ! grep -q 'jailhouse,cell' "$dts" && grep -q 'method = "smc"' "$dts" &&
                ok "$ex: the root tree $(basename "$d") lists all $want CPUs, calls PSCI with SMC, is no inmate" ||
                notok "$ex: the root tree $(basename "$d") has $ncpu of $want CPUs or an inmate marker"
        else
            grep -q 'compatible = "jailhouse,cell"' "$dts" && grep -q 'method = "smc"' "$dts" &&
                ok "$ex: $(basename "$d") is marked as a Jailhouse cell and calls PSCI with SMC" ||
                notok "$ex: $(basename "$d") lacks the jailhouse,cell node or PSCI via SMC"
        fi
    done
done
[ "$n" -gt 0 ] || notok "no examples/*/jailhouse.yaml"

# The inmate's CPUs keep their physical MPIDR (Jailhouse does not virtualise it).
grep -q 'cpu@2 {' "$tmp/qemu-virt/jailhouse/rtos.dts" && grep -q 'reg = <0x2>;' "$tmp/qemu-virt/jailhouse/rtos.dts" &&
    ok "qemu-virt: the rtos inmate's CPUs are cpu@2 and cpu@3 with their MPIDRs" ||
    notok "qemu-virt: the rtos inmate's CPUs do not carry their MPIDRs"
grep -q 'compatible = "pci-host-ecam-generic"' "$tmp/qemu-virt/jailhouse/rtos.dts" &&
    ok "qemu-virt: the rtos inmate has the virtual PCI host of its ivshmem device" ||
    notok "qemu-virt: no virtual PCI host in the rtos inmate"

# Sub-page registers and plain shared memory.
sys=tests/jailhouse/subpage.yaml
if "$DTPASS" build "$sys" -q --target jailhouse -o "$tmp/sub" 2>"$tmp/log"; then
    cellcheck "$sys" "$tmp/sub" examples/qemu-virt/board/virt-el2-smmuv3.dts
    compile_c "$tmp/sub"
    grep -A4 '/virtio_mmio@a000000 \*/' "$tmp/sub/jailhouse/rtos.c" | grep -q '\.size = 0x200,' &&
        ok "subpage: virtio_mmio@a000000 gets its 0x200 bytes, not the shared page" ||
        notok "subpage: virtio_mmio@a000000 is not a sub-page region"
    grep -q 'pci_devices' "$tmp/sub/jailhouse/rtos.c" &&
        notok "subpage: a shared region without doorbells became an ivshmem device" ||
        ok "subpage: a shared region without doorbells is plain shared memory"
else
    notok "subpage: build failed"; sed 's/^/    /' "$tmp/log"
fi

# What Jailhouse cannot express: exit 1, the diagnostic at the line, and the
# previous outputs untouched.
expect_error() { # system check-id line what
    mkdir -p "$tmp/keep/jailhouse"
    echo previous >"$tmp/keep/jailhouse/marker.cell"
    "$DTPASS" build "$1" --target jailhouse -o "$tmp/keep" --format json >"$tmp/err.json" 2>&1
    rc=$?
    if [ $rc -eq 1 ] && python3 - "$tmp/err.json" "$2" "$3" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
items = doc if isinstance(doc, list) else doc.get("diagnostics", doc.get("findings", []))
hit = [d for d in items if d.get("check") == sys.argv[2] and
       any(str(l.get("line")) == sys.argv[3] for l in d.get("locations", [d.get("location", {})]))]
sys.exit(0 if hit else 1)
PY
    then
        if [ "$(cat "$tmp/keep/jailhouse/marker.cell")" = previous ] && [ "$(ls "$tmp/keep/jailhouse")" = marker.cell ]; then
            ok "$4: exit 1, $2 at line $3, outputs untouched"
        else
            notok "$4: the failed build changed the output directory"
        fi
    else
        notok "$4: expected exit 1 with $2 at line $3 (exit $rc)"; head -c 2000 "$tmp/err.json" | sed 's/^/    /'
    fi
    rm -rf "$tmp/keep"
}
expect_error examples/qemu-virt/system.yaml jailhouse-inexpressible 34 "an interrupt remap"
expect_error examples/qemu-virt/system.yaml jailhouse-doorbell 40 "a doorbell on a wired SPI"
# The line of the example's remap, found rather than counted: the example
# changes (3 lines came before it with the one binding table).
uart=$(grep -n 'irqs: { 193: 40 }' examples/j721e/system.yaml | cut -d: -f1)
expect_error examples/j721e/system.yaml jailhouse-inexpressible "${uart:-0}" "the J721E RTOS's UART remap"
expect_error tests/jailhouse/bad-root-ipa.yaml jailhouse-inexpressible 12 "root cell memory off 1:1"
expect_error tests/jailhouse/bad-vpci-base.yaml jailhouse-inexpressible 29 "doorbells against one vpci_irq_base"
expect_error tests/jailhouse/no-vpci.yaml jailhouse-vpci 17 "no room for the virtual PCI host"
expect_error tests/jailhouse/sid-alias.yaml jailhouse-sid-alias 15 "one stream ID on two IOMMUs for two cells"
"$DTPASS" check tests/jailhouse/sid-alias.yaml >/dev/null 2>&1 &&
    ok "sid-alias: the generic checks accept it (sid-owner is per SMMU)" ||
    notok "sid-alias: the generic checks already reject the fixture"
# No UART for the hypervisor: a warning, and a system configuration without
# a debug console.
sed -e '/devices: \[ \/pl011@9000000 \]/d' -e 's|\.\./\.\./examples|'"$PWD"'/examples|' tests/jailhouse/subpage.yaml >"$tmp/nocon.yaml"
if "$DTPASS" build "$tmp/nocon.yaml" --target jailhouse -o "$tmp/nocon" 2>"$tmp/log"; then
    grep -q '\[jailhouse-console\]' "$tmp/log" && ! grep -q 'debug_console' "$tmp/nocon/jailhouse/nocon.c" &&
        ok "no hypervisor UART: jailhouse-console warning, no debug_console" ||
        notok "no hypervisor UART: missing warning or a debug console was written"
else
    notok "no hypervisor UART: the build failed"; sed 's/^/    /' "$tmp/log"
fi
# ... and `check --target jailhouse` finds the same without writing anything.
"$DTPASS" check tests/jailhouse/bad-root-ipa.yaml --target jailhouse >/dev/null 2>&1
[ $? -eq 1 ] && ok "check --target jailhouse runs the Jailhouse checks" || notok "check --target jailhouse missed the error"
"$DTPASS" check tests/jailhouse/bad-root-ipa.yaml >/dev/null 2>&1
[ $? -eq 0 ] && ok "plain check does not run them" || notok "plain check reported a Jailhouse finding"

# A root-cell that is not a guest.
sed 's/root-cell: linux/root-cell: nobody/' tests/jailhouse/subpage.yaml >"$tmp/noroot.yaml"
sed -i 's|\.\./\.\./examples|'"$PWD"'/examples|' "$tmp/noroot.yaml"
"$DTPASS" check "$tmp/noroot.yaml" 2>&1 | grep -q "root-cell 'nobody' is not a guest \[ref-unknown\]" &&
    ok "root-cell naming no guest is ref-unknown" || notok "root-cell naming no guest is not reported"
[ "$fails" -eq 0 ]
