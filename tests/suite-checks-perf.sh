#!/bin/sh
# tests/suite-checks-perf.sh — the checks scale: a generated board of 10,100
# devices with a clean system of 255 guests owning 10,000 of them
# (tools/gen-synthetic, the generator of `make bench`) must check with
# no finding, all checks together well under a second (bound: 1000 ms,
# typical: 30-100 ms; docs/checks.md#performance). A quadratic pass would
# take minutes here.
. "$(dirname "$0")/lib.sh"
# Sanitizer builds (make SANITIZE=1 check) are several times slower: the
# bound still catches a quadratic pass, which would take minutes.
bound=1000
case ${BUILD:-build} in *san*) bound=8000 ;; esac
python3 tools/gen-synthetic board -n 10100 -o "$tmp" &&
python3 tools/gen-synthetic system -n 10100 -g 255 -d 10000 --board board.dtb -o "$tmp/system.yaml" || {
    notok "checks-perf: cannot generate the board and system"
    exit 1
}
"$DTPASS" check "$tmp/system.yaml" --time-report 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ] && ! grep -q "error\|warning" "$tmp/err"; then
    ok "checks-perf: 10,000 devices, 255 guests: no finding"
else
    notok "checks-perf: the generated system is not clean (exit $rc)"
    head -n 20 "$tmp/err" | sed 's/^/    /'
fi
ms=$(sed -n 's/^time: checks *\([0-9.]*\) ms$/\1/p' "$tmp/err")
if [ -n "$ms" ] && awk -v t="$ms" -v b="$bound" 'BEGIN { exit !(t < b) }'; then
    ok "checks-perf: all checks in $ms ms (bound $bound ms)"
else
    notok "checks-perf: checks took '${ms:-?}' ms (bound $bound ms)"
fi
grep '^time:   ' "$tmp/err" | awk '{ print $(NF-1), "ms", $2 }' | sort -rn | head -n 3 |
    sed 's/^/    # slowest: /'
[ $fails -eq 0 ]
