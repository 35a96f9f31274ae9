#!/bin/sh
# tests/suite-guest-dt-scale.sh — guest device trees at scale: a generated
# board with 10,000 devices and a system of 256 guests owning all of them
# (tools/gen-synthetic, the generator of `make bench`: every guest's RAM at
# one IPA, bootargs, 128 shared regions) builds, with every output target,
# well within bounds of time and memory, and every one of the 256 guest DTBs
# passes dtc without a warning. Prints the wall time and peak RSS
# (/usr/bin/time -v). The board's Neoverse-N1s have 16-bit VMIDs.
. "$(dirname "$0")/lib.sh"
GUESTS=${SCALE_GUESTS:-256}
DEVICES=${SCALE_DEVICES:-10000}
MAX_SECONDS=${SCALE_MAX_SECONDS:-60}
MAX_KB=${SCALE_MAX_KB:-1048576}

python3 tools/gen-synthetic board -n "$DEVICES" --cpus "$GUESTS" -o "$tmp" &&
python3 tools/gen-synthetic system -n "$DEVICES" -g "$GUESTS" -d "$DEVICES" --board board.dtb \
    --pairs $((GUESTS / 2)) --ipa 0x40000000 --bootargs console=ttyAMA0 -o "$tmp/system.yaml" ||
    { notok "generate the board and the system"; exit 1; }

if [ -x /usr/bin/time ]; then
    timer="/usr/bin/time -v -o $tmp/time.txt"
else
    timer=""
fi
start=$(date +%s)
# shellcheck disable=SC2086
if $timer "$DTPASS" build "$tmp/system.yaml" -q -o "$tmp/out" 2>"$tmp/err"; then
    ok "$GUESTS guests, $DEVICES devices: dtpass build succeeds (all default targets)"
else
    notok "$GUESTS guests, $DEVICES devices: dtpass build fails"; head -n 20 "$tmp/err" | sed 's/^/#   /'
fi
secs=$(($(date +%s) - start))
if [ -n "$timer" ]; then
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time.txt")
    kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time.txt")
    echo "# wall time $wall, peak RSS $kb KiB"
    if [ "$kb" -le "$MAX_KB" ]; then ok "peak RSS $kb KiB <= $MAX_KB KiB"; else
        notok "peak RSS $kb KiB > $MAX_KB KiB"; fi
fi
if [ "$secs" -le "$MAX_SECONDS" ]; then ok "built in ${secs}s (<= ${MAX_SECONDS}s)"; else
    notok "took ${secs}s (> ${MAX_SECONDS}s)"; fi

n=$(ls "$tmp/out"/*.dtb 2>/dev/null | wc -l)
[ "$n" -eq "$GUESTS" ] && ok "$n guest DTBs" || { notok "$n guest DTBs, not $GUESTS"; }
bad=0
for f in "$tmp/out"/*.dtb; do
    [ -f "$f" ] || continue
    if ! dtc -I dtb -O dtb -o /dev/null "$f" 2>"$tmp/w" || [ -s "$tmp/w" ]; then
        bad=$((bad + 1)); [ $bad -le 3 ] && sed 's/^/#   /' "$tmp/w"
    fi
done
[ $bad -eq 0 ] && ok "every guest DTB passes dtc without warnings" ||
    { notok "$bad guest DTBs draw dtc warnings"; }
# Every device landed in exactly one guest DT.
total=$(cat "$tmp/out"/*.dts 2>/dev/null | grep -c 'dtpass,bench-dev')
[ "$total" -eq "$DEVICES" ] && ok "the $DEVICES devices are spread over the guest DTs" ||
    { notok "$total device nodes in the guest DTs, not $DEVICES"; }
[ $fails -eq 0 ]
