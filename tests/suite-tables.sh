#!/bin/sh
# tests/suite-tables.sh — the hypervisor outputs of every example, end to
# end: `dtpass build` on each examples/*/*.yaml and *.dtpass system, then
#   - the independent walker (build/tests/test_tables DIR) translates the
#     guests' RAM, shared windows and MMIO through hvdata.bin, checks every
#     leaf is declared, every assigned SID's STE / SMR and that every other
#     SID aborts or matches nothing;
#   - the round trip (build/tests/test_dtpb SYSTEM): model -> blob -> reader
#     -> the same facts;
#   - smmu-*.bin and s2-*.bin are byte-identical to their spans of
#     hvdata.bin (as docs/tables.md promises), a second build is
#     byte-identical (determinism), and `dtpass dump` decodes every output
#     as text and as valid JSON.
. "$(dirname "$0")/lib.sh"

json_ok() { python3 -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null; }

n=0
for sys in examples/*/*.yaml examples/*/*.dtpass; do
    [ -f "$sys" ] || continue
    case $sys in */memory-map.dtpass) continue ;; esac # an include, not a system
    grep -q '^hypervisor\|^hypervisor *{' "$sys" || continue
    n=$((n + 1))
    out=$tmp/$n
    if ! "$DTPASS" build "$sys" -o "$out" -q --target smmu,s2,hvdata,blob >"$tmp/log" 2>&1; then
        notok "$sys: build failed"; sed 's/^/    /' "$tmp/log"; continue
    fi
    ok "$sys: built"
    if "$BUILD/tests/test_tables" "$out"; then :; else fails=$((fails + 1)); fi
    if "$BUILD/tests/test_dtpb" "$sys"; then :; else fails=$((fails + 1)); fi
    "$DTPASS" build "$sys" -o "$out.again" -q --target smmu,s2,hvdata,blob >/dev/null 2>&1
    if diff -r "$out" "$out.again" >/dev/null; then ok "$sys: deterministic"; else notok "$sys: two builds differ"; fi
    # Each table file is its span of hvdata.bin.
    "$DTPASS" dump "$out/system.dtpb" --json >"$tmp/blob.json" 2>"$tmp/log" || notok "$sys: dump system.dtpb"
    python3 - "$tmp/blob.json" "$out" <<'PY' && ok "$sys: table files are spans of hvdata.bin" || notok "$sys: table files differ from hvdata.bin"
import json, sys, os
b = json.load(open(sys.argv[1])); out = sys.argv[2]
hv = open(os.path.join(out, "hvdata.bin"), "rb").read()
base = [l for l in b["load"] if l["kind"] == "hvdata"][0]["pa"]
bad = 0
for g in b["guests"]:
    f = open(os.path.join(out, "s2-%s.bin" % g["name"]), "rb").read()
    off = g["s2_root"] - base
    bad |= f != hv[off:off + g["s2_size"]] or len(f) != g["s2_size"]
for s in b["smmus"]:
    if s["version"] == 3:
        f = open(os.path.join(out, "smmu-%s.bin" % s["name"]), "rb").read()
        off = s["table_pa"] - base
        bad |= f != hv[off:off + s["table_size"]]
sys.exit(1 if bad else 0)
PY
    bad=0
    for f in "$out"/system.dtpb "$out"/hvdata.bin "$out"/smmu-*.bin "$out"/s2-*.bin; do
        [ -f "$f" ] || continue
        if ! "$DTPASS" dump "$f" >"$tmp/dump.txt" 2>"$tmp/log" || [ ! -s "$tmp/dump.txt" ]; then
            notok "$sys: dump $(basename "$f")"; sed 's/^/    /' "$tmp/log"; bad=1; continue
        fi
        if ! "$DTPASS" dump "$f" --json 2>"$tmp/log" | json_ok; then
            notok "$sys: dump --json $(basename "$f") is not JSON"; bad=1; continue
        fi
    done
    [ "$bad" -eq 0 ] && ok "$sys: dump decodes every output (text and JSON)"
done
[ "$n" -gt 0 ] || notok "no example systems found"
[ "$fails" -eq 0 ]
