#!/bin/sh
# tests/suite-bench.sh — keeps `make bench` from rotting: runs tools/bench
# --quick (a synthetic board of 1,000 devices, 4 guests, 2 runs; well under a
# second of dtpass) and checks that every dtpass and dtc command ran and the
# JSON report is complete. It asserts nothing about speed: that is what
# `make bench` and docs/performance.md are for.
#
# Memory is not timing: the one target that is a deterministic quantity —
# peak RSS of check and build of 100k nodes / 256 guests / 10k devices from
# a DTB within 64 MiB — is asserted here (outside ASan builds), so it keeps
# being met as features land.
. "$(dirname "$0")/lib.sh"

if BUILD=$tmp BENCH_OUT=$tmp/bench.json DTPASS=$DTPASS python3 tools/bench --quick >"$tmp/out" 2>&1; then
    ok "tools/bench --quick ran"
else
    notok "tools/bench --quick failed"
    sed 's/^/    /' "$tmp/out" | tail -n 20
fi
if /usr/bin/python3 - "$tmp/bench.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["dtpass_bench"] == 1 and doc["cases"], "no cases"
for c in doc["cases"]:
    for op in ("check_dtb", "build_dtb", "check_dts", "build_dts", "dtc_dts_dtb", "dtc_dtb_dtb"):
        r = c[op]
        assert "error" not in r, "%s %s: %s" % (c["case"], op, r.get("error"))
        assert 0 < r["min_ms"] <= r["median_ms"] <= r["max_ms"], (c["case"], op)
        assert r["peak_rss_kib"] > 0, (c["case"], op)
    st = c["stages_dtb"]
    assert "error" not in st and "board" in st and "checks" in st, st
    assert c["ratio_build_dts_vs_dtc"] > 0
PY
then
    ok "bench.json: every command of every case timed, with RSS, stages and ratios"
else
    notok "bench.json incomplete"
fi
grep -q '^synthetic N=1000 G=4 D=100 *check_dtb' "$tmp/out" && ok "the table lists the synthetic case" ||
    notok "no table row for the synthetic case"
if asan_build || [ ! -x /usr/bin/time ]; then
    ok "# skip peak RSS at 100k nodes (ASan build or no GNU time)"
elif python3 tools/gen-synthetic board -n 100000 --cpus 256 -o "$tmp/big" >/dev/null &&
    python3 tools/gen-synthetic system -n 100000 -g 256 -d 10000 --board board.dtb \
        -o "$tmp/big/system.yaml"; then
    for cmd in check build; do
        out=; [ $cmd = build ] && out="-o $tmp/big/out"
        /usr/bin/time -f '%M' -o "$tmp/rss" "$DTPASS" $cmd "$tmp/big/system.yaml" -Wno-vmid -q $out \
            >/dev/null 2>"$tmp/err"
        rc=$? kib=$(tail -n 1 "$tmp/rss")
        if [ $rc -ne 0 ]; then
            notok "$cmd of 100k nodes / 256 guests: exit $rc"; head -c 600 "$tmp/err" | sed 's/^/    /'
        elif [ "$kib" -gt $((64 * 1024)) ]; then
            notok "$cmd of 100k nodes / 256 guests: peak RSS $((kib / 1024)) MiB > 64 MiB"
        else
            ok "$cmd of 100k nodes / 256 guests: peak RSS $((kib / 1024)) MiB <= 64 MiB"
        fi
    done
else
    notok "tools/gen-synthetic failed for 100k nodes"
fi
[ $fails -eq 0 ]
