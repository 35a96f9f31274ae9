#!/bin/sh
# tests/suite-checks.sh — the isolation-check corpus tests/invalid/checks/:
# every system file names what `dtpass check` must report in its header
# (tests/invalid/README.md, "Checks"; parsed by tests/expect.py, the parser
# suite-invalid.sh uses too):
#   # expect: <check-id> <line>:<col> [warning]   a finding of that check there
#   # expect: clean                              no finding at all
#   # command: build                             run `dtpass build` (lowering checks)
# A file passes when every expected finding is reported, no finding of any
# other check is (so a twin proves the check stays quiet on its good
# neighbour), and the exit status is 1 with errors, else 0.
. "$(dirname "$0")/lib.sh"
private_dtpass
for f in tests/invalid/checks/*.yaml tests/invalid/checks/*.dtpass; do
    [ -f "$f" ] || continue
    cmd=$(/usr/bin/python3 tests/expect.py "$f" 2>/dev/null | sed -n 's/^command //p')
    [ -n "$cmd" ] || cmd=check
    rm -rf "$tmp/out"
    if [ "$cmd" = build ]; then
        "$DTPASS" build "$f" -o "$tmp/out" --format json 2>"$tmp/json"
    else
        "$DTPASS" "$cmd" "$f" --format json 2>"$tmp/json"
    fi
    rc=$?
    if /usr/bin/python3 - "$f" "$tmp/json" "$rc" <<'PY'
import json, sys
sys.path.insert(0, "tests")
import expect
path, jpath, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    e = expect.parse(path)
except ValueError as err:
    sys.exit(str(err))
want, clean = e.want, e.clean
try:
    doc = json.load(open(jpath, encoding="utf-8"))
except ValueError as e:
    sys.exit("%s: --format json is not JSON (%s), exit %d: %s" % (path, e, rc, open(jpath).read()[:300]))
got = doc["findings"]
problems = []
for cid, line, col, sev in want:
    if not any(f["check"] == cid and f["location"]["line"] == line and
               f["location"]["column"] == col and (sev is None or f["severity"] == sev)
               for f in got):
        problems.append("missing %s at %d:%d%s" % (cid, line, col, " (" + sev + ")" if sev else ""))
ids = {w[0] for w in want}
for f in got:
    if f["check"] not in ids:
        problems.append("unexpected %s %s at %s:%s: %s" % (f["severity"], f["check"],
                        f["location"]["line"], f["location"]["column"], f["message"]))
errors = any(f["severity"] == "error" for f in got)
if rc != (1 if errors else 0):
    problems.append("exit status %d, expected %d" % (rc, 1 if errors else 0))
if problems:
    print("\n".join("    " + p for p in problems))
    sys.exit(1)
PY
    then
        ok "$f"
    else
        notok "$f"
    fi
done

# -W options on real findings: `name expected-exit expected-count-of-id id options...`
opt_case() {
    name=$1 want=$2 count=$3 id=$4 file=$5
    shift 5
    "$DTPASS" check "$file" --format json "$@" 2>"$tmp/json" >/dev/null
    rc=$?
    got=$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(f["check"]==sys.argv[2] for f in d["findings"]), " ".join(sorted(set(f["severity"] for f in d["findings"] if f["check"]==sys.argv[2]))))' "$tmp/json" "$id" 2>/dev/null)
    if [ "$rc" = "$want" ] && [ "$got" = "$count" ]; then
        ok "options: $name"
    else
        notok "options: $name (exit $rc, want $want; findings '$got', want '$count')"
    fi
}
d=tests/invalid/checks
opt_case "a warning alone exits 0" 0 "1 warning" status-disabled $d/status-disabled.yaml
opt_case "-Wno-status-disabled" 0 "0 " status-disabled $d/status-disabled.yaml -Wno-status-disabled
opt_case "-Werror promotes warnings" 1 "1 error" status-disabled $d/status-disabled.yaml -Werror
opt_case "-Werror=status-disabled" 1 "1 error" status-disabled $d/status-disabled.yaml -Werror=status-disabled
opt_case "-Werror=dma-reset leaves other warnings" 0 "1 warning" status-disabled $d/status-disabled.yaml -Werror=dma-reset
opt_case "-Wno-mem-overlap" 0 "0 " mem-overlap $d/mem-overlap.yaml -Wno-mem-overlap
opt_case "unsafe-no-iommu is a warning" 0 "1 warning" dma-no-iommu $d/dma-no-iommu-unsafe.yaml
opt_case "-Werror=dma-no-iommu refuses unsafe-no-iommu" 1 "1 error" dma-no-iommu $d/dma-no-iommu-unsafe.yaml -Werror=dma-no-iommu
opt_case "-Werror refuses unsafe-no-iommu" 1 "1 error" dma-no-iommu $d/dma-no-iommu-unsafe.yaml -Werror
opt_case "-Wno-dma-no-iommu" 0 "0 " dma-no-iommu $d/dma-no-iommu-unsafe.yaml -Wno-dma-no-iommu
opt_case "range-wrap off: its dependents stay skipped" 0 "0 " mem-not-ram $d/range-wrap-overflow.yaml -Wno-range-wrap
"$DTPASS" check $d/align.yaml -Wno-no-such-check >/dev/null 2>&1
[ $? = 2 ] && ok "options: unknown check id is a usage error" || notok "options: unknown check id"
"$DTPASS" check $d/align.yaml -Wno-schema >/dev/null 2>&1
[ $? = 2 ] && ok "options: -Wno-schema is refused" || notok "options: -Wno-schema"
# bus-reduced says what the guest tree then shows: the bus with its
# generic compatibles only and without its reference; the twin keeps both.
bus_tree() { # system, want-compatible, want nvmem-cells (yes/no)
    "$DTPASS" build "$d/$1.yaml" -q --target dtb -o "$tmp/$1" 2>/dev/null &&
        [ "$(fdtget -t s "$tmp/$1/linux.dtb" /bus@90000000 compatible)" = "$2" ] &&
        if fdtget "$tmp/$1/linux.dtb" /bus@90000000 nvmem-cells >/dev/null 2>&1; then [ "$3" = yes ]; else [ "$3" = no ]; fi
}
bus_tree bus-reduced "simple-bus" no && ok "bus-reduced: the guest's bus keeps simple-bus only, no nvmem-cells" ||
    notok "bus-reduced: the guest's bus keeps simple-bus only, no nvmem-cells"
bus_tree bus-reduced.ok "vendor,soc simple-bus" yes && ok "bus-reduced twin: the guest's bus is whole" ||
    notok "bus-reduced twin: the guest's bus is whole"
[ $fails -eq 0 ]
