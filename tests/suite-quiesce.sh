#!/bin/sh
# tests/suite-quiesce.sh — the quiesce plan (system.dtpb sections 15, 16;
# docs/dtpb.md#guest-reboot-the-quiesce-plan):
#   - on tests/quiesce/cases.yaml (board tests/fixtures/boards/quiesce.dts)
#     each guest's plan is exactly what its one DMA master needs: SMMU
#     stream only, reset line only, power domain only, nothing (a hazard,
#     with dma-reset), a reset line shared with another guest's UART (with
#     quiesce-shared); non-DMA devices have no steps;
#   - on every example, the plan agrees with facts decoded independently:
#     every stream of a guest (streams section) is blocked (an abort-ste
#     step with that range on SMMUv3, a fault-s2cr step for each of the
#     guest's SMRs that match it on SMMUv2), every DMA master with `resets`
#     / `power-domains` on the board (`dtpass board --json`) has those
#     steps, every other master is a hazard, steps come in the documented
#     order and each guest ends with its one scrub step;
#   - report.html shows each guest's DMA masters and how they are stopped;
#   - the xen target reports (xen-unenforced) the masters only a reset line
#     or power domain stops, which Xen does not drive on domain destroy.
. "$(dirname "$0")/lib.sh"

"$DTPASS" build tests/quiesce/cases.yaml -o "$tmp/cases" --target blob,report 2>"$tmp/cases.log"
rc=$?
[ $rc -eq 0 ] && ok "tests/quiesce/cases.yaml builds" || { notok "tests/quiesce/cases.yaml: exit $rc"; sed 's/^/    /' "$tmp/cases.log"; }
grep -q 'dma-controller@9530000 (guest none): its quiesce plan has no SMMU step.*\[dma-reset\]' "$tmp/cases.log" &&
    ok "dma-reset names the missing parts of the plan" || notok "no dma-reset finding for guest none"
grep -q 'reset line of DMA master /soc/dma-controller@9540000 (guest shared).*guest none.*\[quiesce-shared\]' "$tmp/cases.log" &&
    ok "quiesce-shared: the shared reset line" || notok "no quiesce-shared finding for guest shared"
[ "$(grep -c '\[quiesce-shared\]' "$tmp/cases.log")" -eq 1 ] && ok "quiesce-shared fires once" || notok "quiesce-shared count"

"$DTPASS" dump --json "$tmp/cases/system.dtpb" >"$tmp/cases.json" 2>"$tmp/log" || notok "dump cases"
python3 - "$tmp/cases.json" <<'PY' && ok "each hand-made case has exactly its plan" || notok "hand-made plans differ"
import json, sys
b = json.load(open(sys.argv[1]))
names = [g["name"] for g in b["guests"]]
plan = {n: [] for n in names}
for s in b["quiesce"]:
    plan[names[s["guest"]]].append(s)
def brief(s):
    k = s["step"]
    if k == "abort-ste":
        return (k, s["path"], s["sid"], s["count"])
    if k in ("reset", "power-off"):
        return (k, s["path"], s["provider"], tuple(s["cells"]), s["holder"], s["reg_base"])
    if k == "hazard":
        return (k, s["path"])
    return (k,)
want = {
    "sid": [("abort-ste", "/soc/ethernet@9500000", 0x10, 1), ("scrub",)],
    "reset": [("reset", "/soc/dma-controller@9510000", "/soc/reset-controller@9400000", (3,), "hypervisor", 0x9400000), ("scrub",)],
    "power": [("power-off", "/soc/usb@9520000", "/soc/power-controller@9410000", (7,), "no one", 0x9410000), ("scrub",)],
    "none": [("hazard", "/soc/dma-controller@9530000"), ("scrub",)],
    "shared": [("reset", "/soc/dma-controller@9540000", "/soc/reset-controller@9400000", (5,), "hypervisor", 0x9400000), ("scrub",)],
}
bad = 0
for n in names:
    got = [brief(s) for s in plan[n]]
    if got != want[n]:
        print("#   %s: got %r\n#   want %r" % (n, got, want[n]))
        bad = 1
sys.exit(bad)
PY
grep -q 'quiesce reset reset /soc/dma-controller@9510000: /soc/reset-controller@9400000 <0x3>, registers 0x9400000 size 0x1000, held by hypervisor' \
    <<EOF2 && ok "dump text prints a reset step" || notok "dump text of a reset step"
$("$DTPASS" dump "$tmp/cases/system.dtpb")
EOF2

# report.html: a quiesce table per guest.
python3 - "$tmp/cases/report.html" <<'PY' && ok "report.html shows how each DMA master is stopped" || notok "report.html quiesce tables"
import sys, re
h = open(sys.argv[1]).read()
need = ["SMMU: abort-ste", "reset /soc/reset-controller@9400000 &lt;0x3&gt;", "power-off /soc/power-controller@9410000 &lt;0x7&gt;",
        "not stoppable", "id=\"quiesce-none\""]
missing = [n for n in need if n not in h]
if missing:
    print("#   missing:", missing)
sys.exit(1 if missing else 0)
PY

# Xen: masters stopped only by a reset line or power domain are reported
# (Xen drives neither when it destroys a domain); the SMMU-only one is not.
mkdir "$tmp/xen"
cp tests/fixtures/boards/quiesce.dts "$tmp/xen/"
sed 's|^board: .*|board: quiesce.dts|' tests/quiesce/cases.yaml >"$tmp/xen/cases.yaml"
head -c 4096 /dev/zero >"$tmp/xen/Image" # the xen target reads the images it places
"$DTPASS" build "$tmp/xen/cases.yaml" -o "$tmp/xen/out" --target xen 2>"$tmp/xen.log" || notok "cases.yaml --target xen"
got=$(sed -n 's/^.*warning: \(\/soc\/[^ ]*\) of guest .* is stopped on a reboot only by its .*\[xen-unenforced\]$/\1/p' "$tmp/xen.log" | sort | tr '\n' ' ')
want="/soc/dma-controller@9510000 /soc/dma-controller@9540000 /soc/usb@9520000 "
[ "$got" = "$want" ] && ok "xen-unenforced names exactly the masters Xen cannot stop on destroy" ||
    { notok "xen-unenforced reboot findings: got '$got', want '$want'"; }

for sys in examples/*/system.yaml tests/hvboot/system.yaml; do
    ex=$(basename "$(dirname "$sys")")
    out=$tmp/$ex
    if ! "$DTPASS" build "$sys" -q -o "$out" --target blob >"$tmp/log" 2>&1; then
        notok "$sys: build failed"; sed 's/^/    /' "$tmp/log"; continue
    fi
    "$DTPASS" dump --json "$out/system.dtpb" >"$tmp/$ex.json" &&
    "$DTPASS" board --json "$(dirname "$sys")/$(sed -n 's/^board: *//p' "$sys" | head -n 1)" >"$tmp/$ex.board.json" 2>/dev/null ||
        { notok "$sys: dump or board failed"; continue; }
    python3 - "$tmp/$ex.json" "$tmp/$ex.board.json" <<'PY' && ok "$sys: the plan blocks every stream and stops every master as the board allows" || notok "$sys: plan disagrees with the facts"
import json, sys
b = json.load(open(sys.argv[1])); bd = json.load(open(sys.argv[2]))
board = {d["path"]: d for d in bd["devices"]}
order = {"abort-ste": 1, "fault-s2cr": 2, "reset": 3, "power-off": 4, "hazard": 5, "scrub": 6}
bad = []
steps = b["quiesce"]
for gi, g in enumerate(b["guests"]):
    mine = [s for s in steps if s["guest"] == gi]
    if [order[s["step"]] for s in mine] != sorted(order[s["step"]] for s in mine):
        bad.append("%s: steps out of order" % g["name"])
    if not mine or mine[-1]["step"] != "scrub" or sum(s["step"] == "scrub" for s in mine) != 1:
        bad.append("%s: not ending with one scrub" % g["name"])
    for st in b["streams"]:
        if st["guest"] != gi:
            continue
        sm = b["smmus"][st["smmu"]]
        if sm["version"] == 3:
            if not any(s["step"] == "abort-ste" and s["smmu"] == st["smmu"] and s["sid"] == st["sid"] and s["count"] == st["count"] for s in mine):
                bad.append("%s: stream 0x%x not aborted" % (g["name"], st["sid"]))
        else:
            for r in sm["smrs"]:
                rid, rmask = r["smr"] & 0x7fff, (r["smr"] >> 16) & 0x7fff
                if r["guest"] == gi and ((rid ^ st["sid"]) & ~(rmask | st["mask"])) == 0:
                    if not any(s["step"] == "fault-s2cr" and s["smmu"] == st["smmu"] and s["s2cr"] == r["index"] for s in mine):
                        bad.append("%s: S2CR%u not faulted" % (g["name"], r["index"]))
    for di, d in enumerate(b["devices"]):
        if d.get("guest") != gi:
            continue
        kinds = {s["step"] for s in mine if s.get("device") == di}
        bn = board.get(d["path"], {})
        master = d["dma"] or any(s.get("device") == di and s["step"] in ("abort-ste", "fault-s2cr") for s in mine)
        if not master:
            if kinds:
                bad.append("%s: non-DMA device %s has steps" % (g["name"], d["path"]))
            continue
        if bn.get("has_resets") and "reset" not in kinds:
            bad.append("%s: %s has resets but no reset step" % (g["name"], d["path"]))
        if bn.get("has_power_domains") and "power-off" not in kinds:
            bad.append("%s: %s has power-domains but no power-off step" % (g["name"], d["path"]))
        stoppable = kinds & {"abort-ste", "fault-s2cr", "reset", "power-off"}
        if ("hazard" in kinds) == bool(stoppable):
            bad.append("%s: %s hazard %s but stoppable by %s" % (g["name"], d["path"], "hazard" in kinds, sorted(stoppable)))
for x in bad:
    print("#   " + x)
sys.exit(1 if bad else 0)
PY
done
[ "$fails" -eq 0 ]
