#!/bin/sh
# tests/suite-bench.sh — keeps `make bench` from rotting: runs tools/bench
# --quick (a synthetic board of 1,000 devices, 4 guests, 2 runs; well under a
# second of dtpass) and checks that every dtpass and dtc command ran and the
# JSON report is complete. It asserts nothing about speed: that is what
# `make bench` and docs/performance.md are for.
. "$(dirname "$0")/lib.sh"

if BUILD=$tmp BENCH_OUT=$tmp/bench.json DTPASS=$DTPASS sh tools/bench --quick >"$tmp/out" 2>&1; then
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
[ $fails -eq 0 ]
