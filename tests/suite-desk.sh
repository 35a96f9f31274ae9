#!/bin/sh
# tests/suite-desk.sh — the desk commands (docs/desk.md): `board --groups`
# on a hand-made board with every kind of sharing and on real boards (QEMU
# virt with PCIe iommu-map, ZCU102 with the IPI mailbox parent, J721E), its
# JSON against schemas/board-groups.schema.json; `init` on every example
# board and on a sample of Debian boards, checked as written and with each
# unit uncommented alone (tests/desk/uncomment.py); `diff` on pairs of
# systems that move a device, change a mask, add a shared region; and the
# bad inputs of each.
. "$(dirname "$0")/lib.sh"
CACHE=${DTPASS_CACHE:-$HOME/.cache/dtpass}
VIRT=$CACHE/qemu/virt-gicv3-smmuv3.dtb
ZCU=$CACHE/debian/xilinx/zynqmp-zcu102-rev1.0.dtb
J7=$CACHE/debian/ti/k3-j721e-common-proc-board.dtb
U=tests/fixtures/boards/units.dts

groups() { "$DTPASS" board "$1" --groups >"$tmp/g.txt" 2>"$tmp/g.err"; }
# has PATTERN WHAT: the last groups text has a line matching PATTERN
has() { if grep -q -- "$1" "$tmp/g.txt"; then ok "$2"; else notok "$2"; sed 's/^/    # /' "$tmp/g.txt" | head -40; fi; }
hasnt() { if grep -q -- "$1" "$tmp/g.txt"; then notok "$2"; else ok "$2"; fi; }

# --- board --groups on the hand-made board ---------------------------------
if groups "$U"; then ok "groups: the units board"; else notok "groups: the units board"; cat "$tmp/g.err"; fi
has '^unit [0-9]*: /soc/serial@1000000 /soc/serial@1000800$' "a shared page joins the two UARTs"
has 'serial@1000800 and /soc/serial@1000000 share the 4 KiB page 0x1000000' "the page is named"
has '^unit [0-9]*: /soc/timer@2000000 /soc/watchdog@2001000$' "a shared line joins timer and watchdog"
has 'share the interrupt line SPI 5 (INTID 37)' "the line is named"
has '^unit [0-9]*: /soc/dma@3000000 /soc/ethernet@3001000$' "SMMUv2 ID/mask overlap joins DMA and Ethernet"
has 'match stream ID 0x12 on /iommu@fd800000' "the shared stream ID is named"
has '^unit [0-9]*: /soc/usb@3002000$' "a stream outside the mask stays alone (quiet twin)"
has 'needs: /soc/reset-controller@4000000 (resets of /soc/usb@3002000): give unit [0-9]* to the same guest' \
    "a provider with registers is a need, with its unit"
has 'DMA master, stoppable by SMMU stream, reset' "protection: SMMU stream and reset"
has 'comes along: /clock-24m (clocks of /soc/serial@1000000)' "a resource-free provider comes along"
has 'kept by the hypervisor' "a page shared with the GIC makes a unit the hypervisor's"
has '^unit [0-9]*: /soc/mailbox-controller@5000000$' "a child of a device is in its parent's unit"
hasnt '^unit [0-9]*: .*mailbox@5001000' "the child is no unit of its own"
has '^unit [0-9]*: /pcie@40000000000 /pcie@40000000000/ep@0,0 /pcie@40000000000/ep@1,0$' \
    "iommu-map-mask folds PCI endpoints into the bridge's unit"

# --- real boards -------------------------------------------------------------
if groups "$VIRT"; then ok "groups: QEMU virt"; else notok "groups: QEMU virt"; fi
has '^unit [0-9]*: /pcie@10000000$' "virt: the PCIe host bridge is a unit"
grep -A1 '^unit [0-9]*: /pcie@10000000$' "$tmp/g.txt" | grep -q 'DMA master, stoppable by SMMU stream' &&
    ok "virt: PCIe (iommu-map) is a DMA master behind the SMMU" || notok "virt: PCIe protection"
has 'needs: /pl061@9030000 (gpios of /gpio-keys/poweroff)' "virt: gpio-keys needs the PL061 (a subnode's reference)"
has '^unit [0-9]*: /virtio_mmio@a000000 /virtio_mmio@a000200' "virt: virtio-mmio transports sharing a page"
if groups "$ZCU"; then ok "groups: ZCU102"; else notok "groups: ZCU102"; fi
has '^unit [0-9]*: /zynqmp_ipi' "ZCU102: the IPI mailbox device is a unit"
hasnt '^unit [0-9]*: /zynqmp_ipi/mailbox' "ZCU102: its mailbox child is not assignable alone"
has '^unit [0-9]*: /axi/ethernet@ff0e0000$' "ZCU102: GEM3 is a unit of its own"
if groups "$J7"; then ok "groups: J721E"; else notok "groups: J721E"; fi
n=$(grep -c '^unit ' "$tmp/g.txt")
[ "$n" -ge 50 ] && ok "J721E: $n units" || notok "J721E: only $n units"

# --- JSON against the schema ---------------------------------------------------
for b in "$U" "$VIRT" "$ZCU" "$J7"; do
    "$DTPASS" board "$b" --groups --json >"$tmp/g.json" 2>/dev/null || notok "groups --json $(basename "$b")"
    if python3 - schemas/board-groups.schema.json "$tmp/g.json" <<'EOF'
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
doc = json.load(open(sys.argv[2]))
errs = list(Draft202012Validator(schema).iter_errors(doc))
for e in errs[:5]:
    print("    #", e.message)
# Every unit's reasons connect its devices.
for u in doc["units"]:
    devs = set(u["devices"])
    assert len(u["devices"]) == len(devs)
sys.exit(1 if errs else 0)
EOF
    then ok "groups --json $(basename "$b") follows the schema"; else notok "groups --json $(basename "$b") follows the schema"; fi
done
a=$("$DTPASS" board "$ZCU" --groups --json | cksum); b=$("$DTPASS" board "$ZCU" --groups --json | cksum)
[ "$a" = "$b" ] && ok "groups output is deterministic" || notok "groups output is deterministic"

# --- init -----------------------------------------------------------------
"$DTPASS" init --board "$VIRT" -o "$tmp/s.yaml" && "$DTPASS" check "$tmp/s.yaml" 2>"$tmp/c.err" &&
    ok "init: the virt starter system passes check" || { notok "init: virt starter"; cat "$tmp/c.err"; }
"$DTPASS" init --board "$VIRT" -o "$tmp/s.dtpass" && "$DTPASS" check "$tmp/s.dtpass" 2>"$tmp/c.err" &&
    ok "init: the DSL starter system passes check" || { notok "init: DSL starter"; cat "$tmp/c.err"; }
"$DTPASS" check --dump-model "$tmp/s.yaml" >"$tmp/m1" 2>/dev/null
"$DTPASS" check --dump-model "$tmp/s.dtpass" >"$tmp/m2" 2>/dev/null
cmp -s "$tmp/m1" "$tmp/m2" && ok "init: YAML and DSL starters are the same model" || notok "init: YAML and DSL models differ"
python3 - schemas/dtpass.schema.json "$tmp/s.yaml" <<'EOF' && ok "init: the YAML starter follows dtpass.schema.json" || notok "init: schema"
import json, sys, yaml
from jsonschema import Draft202012Validator
Draft202012Validator(json.load(open(sys.argv[1]))).validate(yaml.safe_load(open(sys.argv[2])))
EOF
grep -q '^  devices: \[ "/pl011@9000000" \]' "$tmp/s.yaml" && ok "init: the console is kept by the hypervisor" ||
    notok "init: the console is kept by the hypervisor"
grep -q '^board: "../' "$tmp/s.yaml" || grep -q "^board: \"$CACHE" "$tmp/s.yaml" &&
    ok "init: board relative to the system file" || notok "init: board path"
"$DTPASS" init --board "$VIRT" --guests 3 >"$tmp/s3.yaml" 2>/dev/null; grep -c '^  - name: guest' "$tmp/s3.yaml" | grep -qx 3 &&
    ok "init --guests 3 writes three guests to stdout" || notok "init --guests 3"
"$DTPASS" init --board "$VIRT" -o "$tmp/s.yaml" 2>"$tmp/e"; rc=$?
[ $rc -eq 2 ] && grep -q "never overwrites" "$tmp/e" && ok "init never overwrites a file (exit 2)" || notok "init overwrote (exit $rc)"
"$DTPASS" init --board "$tmp/missing.dtb" 2>"$tmp/e"; rc=$?
[ $rc -eq 2 ] && grep -q "cannot read board" "$tmp/e" && ok "init: a missing board is exit 2" || notok "init: missing board exit $rc"
"$DTPASS" init --board README.md 2>"$tmp/e"; rc=$?
[ $rc -eq 2 ] && grep -q "board-invalid" "$tmp/e" && ok "init: a non-board file is exit 2" || notok "init: non-board exit $rc"
"$DTPASS" init --board "$VIRT" --guests 9 2>"$tmp/e"; rc=$?
[ $rc -eq 2 ] && grep -q "not enough for 9 guests" "$tmp/e" && ok "init: more guests than CPUs is exit 2" || notok "init: guests exit $rc"
"$DTPASS" init --board "$VIRT" --guests 0 2>/dev/null; [ $? -eq 2 ] && ok "init --guests 0 is a usage error" || notok "init --guests 0"
"$DTPASS" init 2>/dev/null; [ $? -eq 2 ] && ok "init without --board is a usage error" || notok "init without --board"

# Every unit uncommented alone, on every example board and on every fifth
# Debian board (at least 50 of which must describe RAM, so init can place
# memory: many vendor DTBs leave /memory to the bootloader).
# Under AddressSanitizer every check is several times slower: every 15th
# board keeps the sanitized pass within minutes (the count of starters is
# asserted in the plain pass).
fails_before=$fails
every=5
asan_build && every=15
boards=$(ls examples/*/board/*.dts; find "$CACHE/debian" -name '*.dtb' | sort | awk -v e=$every 'NR % e == 1')
placed=0
for b in $boards; do
    out=$(python3 tests/desk/uncomment.py "$DTPASS" "$b" "$tmp/uc" 2>&1)
    rc=$?
    case $out in *"init refused"*) ;; *) [ $rc -eq 0 ] && placed=$((placed + 1)) ;; esac
    [ $rc -eq 0 ] || { notok "init/uncomment $(basename "$b")"; echo "$out" | sed 's/^/    # /' | head -20; }
done
[ $fails -eq $fails_before ] && ok "init: every starter passes check, every unit alone is clean or says what it needs"
if [ $every -eq 5 ]; then
    [ "$placed" -ge 50 ] && ok "init: $placed boards with starter systems" || notok "init: only $placed boards got a starter system"
fi

# --- diff ---------------------------------------------------------------------
V=$PWD/examples/qemu-virt/board/virt.dts
sed "s#^board: .*#board: $V#" examples/qemu-virt/system.yaml >"$tmp/a.yaml"
"$DTPASS" diff "$tmp/a.yaml" "$tmp/a.yaml" >"$tmp/d.txt"; rc=$?
[ $rc -eq 0 ] && [ ! -s "$tmp/d.txt" ] && ok "diff: the same system is no change (exit 0)" || notok "diff: same system exit $rc"
# Move the PL011 to the RTOS and the PL061 to Linux.
sed -e 's#^      - /pl011@9000000#      - XX#' -e 's#^      - /pl061@9030000#      - /pl011@9000000#' \
    -e 's#^      - XX#      - /pl061@9030000#' "$tmp/a.yaml" >"$tmp/b.yaml"
"$DTPASS" diff "$tmp/a.yaml" "$tmp/b.yaml" >"$tmp/d.txt"; rc=$?
[ $rc -eq 1 ] && ok "diff: a moved device is a change (exit 1)" || notok "diff: moved device exit $rc"
grep -q '^.*b.yaml:[0-9]*: device /pl011@9000000: guest linux -> guest rtos$' "$tmp/d.txt" &&
    ok "diff: one line names the device and both owners" || { notok "diff: device line"; cat "$tmp/d.txt"; }
grep -q 'interrupt SPI 7: guest rtos -> guest linux' "$tmp/d.txt" && ok "diff: the interrupt line moves with it" ||
    notok "diff: interrupt line"
# A shared region added.
cat "$tmp/a.yaml" >"$tmp/c.yaml"
cat >>"$tmp/c.yaml" <<'EOF'
  - name: ivc1
    base: 0x72000000
    size: 1M
    peers:
      - { guest: linux, doorbell: 50 }
      - { guest: rtos, ipa: 0x52000000, access: ro }
EOF
"$DTPASS" diff "$tmp/a.yaml" "$tmp/c.yaml" >"$tmp/d.txt"; rc=$?
[ $rc -eq 1 ] && grep -q 'memory 0x72000000+0x100000: new, shared region ivc1' "$tmp/d.txt" &&
    grep -q 'shared ivc1 peer rtos: new, guest rtos ro at 0x52000000, no doorbell' "$tmp/d.txt" &&
    ok "diff: an added shared region and its windows" || { notok "diff: shared region (exit $rc)"; cat "$tmp/d.txt"; }
# A changed SMMUv2 mask (stream-ids through the system file on the PCI example).
P=$PWD/examples/zcu102/board/zynqmp-zcu102-rev1.0.dts
cat >"$tmp/m1.yaml" <<EOF
dtpass: 1
board: $P
hypervisor: { memory: [ { base: 0x40000000, size: 64M } ] }
guests:
  - name: a
    cpus: [ 0 ]
    memory: [ { base: 0x50000000, size: 256M } ]
    devices: [ /axi/ethernet@ff0e0000 ]
  - name: b
    cpus: [ 1 ]
    memory: [ { base: 0x60000000, size: 256M } ]
    devices: [ /axi/mmc@ff170000 ]
EOF
sed 's#devices: \[ /axi/mmc@ff170000 \]#devices: [ /axi/mmc@ff170000, /axi/mmc@ff160000 ]#' "$tmp/m1.yaml" >"$tmp/m2.yaml"
"$DTPASS" diff "$tmp/m1.yaml" "$tmp/m2.yaml" >"$tmp/d.txt"; rc=$?
[ $rc -eq 1 ] && grep -q 'stream-id 0x[0-9a-f]* on /axi/iommu@fd800000: new, guest b' "$tmp/d.txt" &&
    ok "diff: a stream ID that appears, with its SMMU" || { notok "diff: stream id (exit $rc)"; cat "$tmp/d.txt"; }
# Findings that change are changes too.
sed 's#devices: \[ /axi/mmc@ff170000 \]#devices: [ /axi/mmc@ff170000, /axi/ethernet@ff0e0000 ]#' "$tmp/m1.yaml" >"$tmp/m3.yaml"
"$DTPASS" diff "$tmp/m1.yaml" "$tmp/m3.yaml" >"$tmp/d.txt"; rc=$?
[ $rc -eq 1 ] && grep -q 'new error finding: \[dev-owner\]' "$tmp/d.txt" && ok "diff: a new finding is reported" ||
    { notok "diff: finding (exit $rc)"; cat "$tmp/d.txt"; }
# JSON and SARIF through the common renderers.
"$DTPASS" diff "$tmp/a.yaml" "$tmp/b.yaml" --format json >"$tmp/d.json"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['findings'] and all(f['check']=='isolation-change' for f in d['findings'])" "$tmp/d.json" &&
    ok "diff --format json" || notok "diff --format json"
"$DTPASS" diff "$tmp/a.yaml" "$tmp/b.yaml" --format sarif >"$tmp/d.sarif"
if [ -f "$CACHE/sarif/sarif-schema-2.1.0.json" ]; then
    python3 -c "
import json,sys
from jsonschema import Draft7Validator
Draft7Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))" "$CACHE/sarif/sarif-schema-2.1.0.json" "$tmp/d.sarif" &&
        ok "diff --format sarif validates against SARIF 2.1.0" || notok "diff --format sarif"
else
    notok "diff: the SARIF schema is missing from the cache (tools/fetch-sarif-schema)"
fi
# Bad input.
"$DTPASS" diff "$tmp/a.yaml" "$tmp/nope.yaml" 2>"$tmp/e"; rc=$?
[ $rc -eq 2 ] && grep -q "cannot read" "$tmp/e" && ok "diff: a missing system is exit 2" || notok "diff: missing exit $rc"
printf 'dtpass: 1\nguests: [ {\n' >"$tmp/bad.yaml"
"$DTPASS" diff "$tmp/bad.yaml" "$tmp/a.yaml" 2>"$tmp/e"; rc=$?
[ $rc -eq 2 ] && grep -q "bad.yaml:" "$tmp/e" && ok "diff: a system that does not parse is exit 2 with its location" ||
    notok "diff: unparsable exit $rc"
sed "s#^board: .*#board: $PWD/README.md#" "$tmp/a.yaml" >"$tmp/nb.yaml"
"$DTPASS" diff "$tmp/a.yaml" "$tmp/nb.yaml" 2>"$tmp/e"; rc=$?
[ $rc -eq 2 ] && grep -q "board-invalid" "$tmp/e" && ok "diff: a non-board file is exit 2" || notok "diff: non-board exit $rc"
"$DTPASS" diff "$tmp/a.yaml" 2>/dev/null; [ $? -eq 2 ] && ok "diff with one system is a usage error" || notok "diff with one system"

exit $((fails > 0))
