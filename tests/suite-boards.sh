#!/bin/sh
# tests/suite-boards.sh — the board reader on real boards: every DTB of the
# cache (Debian's arm64 kernel package, QEMU virt) through
# `dtpass board --json` (exit 0, one valid JSON document, no sanitizer
# report), then facts read independently with fdtget about QEMU virt, the
# Xilinx ZCU102 and the TI J721E, determinism, and a generated board as DTB
# and as DTS. Prints "ok - ..." / "not ok - ..." per check; exits 1 on any
# failure. Environment: DTPASS (binary), DTPASS_CACHE (board cache; fetched
# with tools/fetch-boards when unset).
. "$(dirname "$0")/lib.sh"
CACHE=${DTPASS_CACHE:-$(sh tools/fetch-boards)} || { echo "not ok - fetch the board cache"; exit 1; }

# --- every real board ---
find "$CACHE/debian" "$CACHE/qemu" -name '*.dtb' 2>/dev/null | sort >"$tmp/list"
n=$(wc -l <"$tmp/list")
if [ "$n" -lt 500 ]; then
    notok "the cache holds the real boards (found $n DTBs in $CACHE, expected 577 + QEMU)"
fi
mkdir -p "$tmp/json"
i=0
while read -r f; do
    i=$((i + 1))
    rel=${f#"$CACHE"/}
    "$DTPASS" board --json "$f" >"$tmp/json/$i.json" 2>"$tmp/json/$i.err"
    echo "$i $? $rel" >>"$tmp/results"
done <"$tmp/list"

python3 - "$tmp" <<'EOF' || fails=$((fails + 1))
import json, os, sys
tmp = sys.argv[1]
bad = 0
for line in open(os.path.join(tmp, "results")):
    i, rc, rel = line.rstrip("\n").split(" ", 2)
    err = open(os.path.join(tmp, "json", i + ".err"), errors="replace").read()
    why = []
    if rc != "0":
        why.append("exit %s" % rc)
    if "runtime error" in err or "Sanitizer" in err or "LeakSanitizer" in err:
        why.append("sanitizer report")
    try:
        d = json.load(open(os.path.join(tmp, "json", i + ".json")))
        if d.get("dtpass_board") != 1 or not isinstance(d.get("devices"), list):
            why.append("JSON without dtpass_board/devices")
        for dev in d.get("devices", []):
            for r in dev["mmio"]:
                if int(r["base"], 16) + int(r["size"], 16) > 1 << 64 or int(r["size"], 16) == 0:
                    why.append("bad range in %s" % dev["path"])
    except Exception as e:  # noqa
        why.append("invalid JSON (%s)" % e)
    if why:
        bad += 1
        print("not ok - board %s: %s" % (rel, "; ".join(why)))
        for l in err.splitlines()[:5]:
            print("#   " + l)
    else:
        print("ok - board %s" % rel)
sys.exit(1 if bad else 0)
EOF

# --- facts, read with fdtget and checked against dtpass's JSON ---
json_of() { "$DTPASS" board --json "$CACHE/$1" 2>/dev/null; }
check_py() { # name json-file python-expression-on-d
    if python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($3) else 1)" "$2" 2>/dev/null; then
        ok "$1"
    else
        notok "$1"
    fi
}
dev() { echo "next(x for x in d['devices'] if x['path'] == '$1')"; }

V=qemu/virt-gicv3-smmuv3.dtb
json_of $V >"$tmp/virt.json"
[ "$(fdtget -t x "$CACHE/$V" /pl011@9000000 reg)" = "0 9000000 0 1000" ] && [ "$(fdtget -t x "$CACHE/$V" /pl011@9000000 interrupts)" = "0 1 4" ] ||
    notok "fdtget agrees with the virt facts below"
check_py "virt: pl011 at 0x9000000+0x1000" "$tmp/virt.json" \
    "$(dev /pl011@9000000)['mmio'] == [{'base': '0x9000000', 'size': '0x1000'}]"
check_py "virt: pl011 is SPI 1 = INTID 33, level-high, on the GIC" "$tmp/virt.json" \
    "[(q['intid'], q['type'], q['trigger'], q['parent']) for q in $(dev /pl011@9000000)['irqs']] == [(33, 'spi', 'level-high', '/intc@8000000')]"
check_py "virt: GICv3 at /intc@8000000, 4 CPUs, 2 GiB at 0x40000000" "$tmp/virt.json" \
    "d['gic']['version'] == 3 and d['gic']['path'] == '/intc@8000000' and len(d['cpus']) == 4 and d['ram'] == [{'base': '0x40000000', 'size': '0x80000000'}]"
check_py "virt: SMMUv3 smmuv3@9050000 (name smmuv3-9050000, #iommu-cells 1)" "$tmp/virt.json" \
    "d['smmus'] == [{'path': '/smmuv3@9050000', 'name': 'smmuv3-9050000', 'version': 3, 'iommu_cells': 1, 'mmio': [{'base': '0x9050000', 'size': '0x20000'}], 'status': 'okay'}]"
[ "$(fdtget -t x "$CACHE/$V" /pcie@10000000 iommu-map)" = "0 $(fdtget -t x "$CACHE/$V" /smmuv3@9050000 phandle) 0 10000" ] ||
    notok "fdtget: the virt PCIe iommu-map is <0 &smmu 0 0x10000>"
check_py "virt: PCIe host iommu-map: RIDs 0.. to SIDs 0..0xffff on the SMMUv3" "$tmp/virt.json" \
    "$(dev /pcie@10000000)['stream_ids'] == [{'smmu': 'smmuv3-9050000', 'smmu_path': '/smmuv3@9050000', 'sid': '0x0', 'mask': '0x0', 'count': 65536, 'rid_base': '0x0', 'rid_mask': '0xffffffff'}] and $(dev /pcie@10000000)['dma'] == {'master': True, 'reason': 'iommu-map'}"
check_py "virt: PCIe INTx are SPIs 3..6 (INTIDs 35..38)" "$tmp/virt.json" \
    "sorted(q['intid'] for q in $(dev /pcie@10000000)['irqs']) == [35, 36, 37, 38]"
check_py "virt: PCIe ECAM and windows are MMIO" "$tmp/virt.json" \
    "{'base': '0x4010000000', 'size': '0x10000000'} in $(dev /pcie@10000000)['mmio'] and {'base': '0x8000000000', 'size': '0x8000000000'} in $(dev /pcie@10000000)['mmio']"

json_of qemu/virt-gicv2.dtb >"$tmp/virt2.json"
check_py "virt-gicv2: GICv2, pl011 still INTID 33" "$tmp/virt2.json" \
    "d['gic']['version'] == 2 and $(dev /pl011@9000000)['irqs'][0]['intid'] == 33"

Z=debian/xilinx/zynqmp-zcu102-rev1.0.dtb
json_of $Z >"$tmp/zcu.json"
[ "$(fdtget -t s "$CACHE/$Z" /axi/iommu@fd800000 compatible)" = "arm,mmu-500" ] &&
    [ "$(fdtget -t x "$CACHE/$Z" /axi/ethernet@ff0e0000 iommus)" = "$(fdtget -t x "$CACHE/$Z" /axi/iommu@fd800000 phandle) 877" ] ||
    notok "fdtget agrees with the ZCU102 facts below"
check_py "zcu102: MMU-500 at 0xfd800000 is an SMMUv2 (iommu-fd800000)" "$tmp/zcu.json" \
    "[(s['path'], s['name'], s['version'], s['mmio'][0]['base']) for s in d['smmus']] == [('/axi/iommu@fd800000', 'iommu-fd800000', 2, '0xfd800000')]"
for e in ff0b0000:874 ff0c0000:875 ff0d0000:876 ff0e0000:877; do
    check_py "zcu102: GEM ethernet@${e%:*} has stream ID 0x${e#*:} on the MMU-500" "$tmp/zcu.json" \
        "[(s['smmu'], s['sid']) for s in $(dev /axi/ethernet@${e%:*})['stream_ids']] == [('iommu-fd800000', '0x${e#*:}')]"
done
check_py "zcu102: gem3 is INTID 95 and a DMA master through iommus" "$tmp/zcu.json" \
    "$(dev /axi/ethernet@ff0e0000)['irqs'][0]['intid'] == 95 and $(dev /axi/ethernet@ff0e0000)['dma']['reason'] == 'iommus' and $(dev /axi/ethernet@ff0e0000)['status'] == 'okay'"
check_py "zcu102: gem3's pinctrl names the firmware pin controller" "$tmp/zcu.json" \
    "{'prop': 'pinctrl-0', 'provider': '/firmware/zynqmp-firmware/pinctrl', 'resource_free': True} in $(dev /axi/ethernet@ff0e0000)['deps']"

J=debian/ti/k3-j721e-common-proc-board.dtb
json_of $J >"$tmp/j721e.json"
[ "$(fdtget -t s "$CACHE/$J" /bus@100000/bus@30000000/iommu@36600000 compatible)" = "arm,smmu-v3" ] ||
    notok "fdtget: J721E has an arm,smmu-v3 at /bus@100000/bus@30000000/iommu@36600000"
check_py "j721e: the SMMUv3 at 0x36600000 through two ranges levels" "$tmp/j721e.json" \
    "[(s['path'], s['version'], s['mmio']) for s in d['smmus']] == [('/bus@100000/bus@30000000/iommu@36600000', 3, [{'base': '0x36600000', 'size': '0x100000'}])]"

# --- determinism, text output ---
"$DTPASS" board --json "$CACHE/$Z" >"$tmp/zcu2.json" 2>/dev/null
cmp -s "$tmp/zcu.json" "$tmp/zcu2.json" && ok "zcu102: two runs give identical JSON" || notok "zcu102: two runs give identical JSON"
if "$DTPASS" board "$CACHE/$V" >"$tmp/virt.txt" 2>&1 && grep -q "smmuv3-9050000 *SMMUv3" "$tmp/virt.txt" &&
    grep -q "33(spi,level-high)" "$tmp/virt.txt"; then
    ok "virt: text output names the SMMU and INTIDs"
else
    notok "virt: text output names the SMMU and INTIDs"
fi

# --- a generated board, as DTB and as DTS ---
if python3 tools/gen-synthetic board -n 3000 --cpus 8 -o "$tmp/gen" &&
    "$DTPASS" board --json "$tmp/gen/board.dtb" >"$tmp/gen-dtb.json" &&
    "$DTPASS" board --json "$tmp/gen/board.dts" >"$tmp/gen-dts.json"; then
    ok "gen-synthetic: 3000 devices load as DTB and DTS"
else
    notok "gen-synthetic: 3000 devices load as DTB and DTS"
fi
python3 - "$tmp" <<'EOF' && ok "gen-synthetic: every device has its reg, SPI, stream ID and clock; DTS = DTB" || notok "gen-synthetic: every device has its reg, SPI, stream ID and clock; DTS = DTB"
import json, sys
t = sys.argv[1]
a = json.load(open(t + "/gen-dtb.json"))
b = json.load(open(t + "/gen-dts.json"))
# The layout tools/gen-synthetic documents: 1,000 devices a bus, device i
# at page i mod 1000 of bus i / 1000, SPI 100 + i / ceil(3000 / 888).
devs = {d["path"]: d for d in a["devices"]}
assert len(a["cpus"]) == 8 and a["gic"]["version"] == 3
for i in range(3000):
    base = 0x1000000000 + (i // 1000) * 0x10000000
    p = "/soc/bus@%x/dev@%x" % (base, i % 1000 * 0x1000)
    d = devs[p]
    assert d["irqs"][0]["intid"] == 32 + 100 + i // 4, p
    assert d["stream_ids"][0]["sid"] == hex(i), p
    assert d["mmio"] == [{"base": hex(base + i % 1000 * 0x1000), "size": "0x1000"}], p
    assert {"prop": "clocks", "provider": "/clock", "resource_free": True} in d["deps"], p
for k in ("board", "format"):
    a.pop(k); b.pop(k)
assert a == b
EOF

[ $fails -eq 0 ]
