#!/bin/sh
# tests/suite-report.sh — report.html for every example: the page parses as
# XML-clean SVG + HTML, has the physical map and one IPA map per guest, and
# names every assigned device; a disabled overlap check shows up as a
# marked conflict instead of passing silently.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

check_page() { # html guests...
    "$PY" - "$@" <<'PYEOF'
import sys, re, xml.etree.ElementTree as ET
html = open(sys.argv[1]).read()
guests = sys.argv[2:]
svgs = re.findall(r'<svg.*?</svg>', html, re.S)
for s in svgs:
    ET.fromstring(s)  # every map is well-formed SVG
assert '<h2>Physical memory map</h2>' in html, 'no physical map'
assert len(svgs) == 1 + len(guests), 'expected %d maps, got %d' % (1 + len(guests), len(svgs))
for g in guests:
    assert ('<h2>Guest %s ' % g) in html, 'no IPA map for ' + g
PYEOF
}

for y in examples/*/system.yaml; do
    ex=$(dirname "$y")
    out="$tmp/$(basename "$ex")"
    if ! "$DTPASS" build "$y" -o "$out" --target report -q 2>"$tmp/err"; then
        notok "$y: build --target report failed"; sed 's/^/    # /' "$tmp/err"; continue
    fi
    guests=$("$DTPASS" check --dump-model "$y" 2>/dev/null | sed -n 's/^guest "\([a-z0-9_-]*\)".*/\1/p')
    if check_page "$out/report.html" $guests 2>"$tmp/err"; then
        ok "$y: report has the physical map and a map per guest ($(echo $guests | wc -w))"
    else
        notok "$y: report.html"; sed 's/^/    # /' "$tmp/err"
    fi
    for dev in $("$DTPASS" check --dump-model "$y" 2>/dev/null | sed -n 's|^ *device "[^"]*" -> \(/[^ ]*\).*|\1|p'); do
        grep -qF "$dev" "$out/report.html" || { notok "$y: $dev missing from report"; }
    done
done

# Guest memory overlapping the hypervisor's, with the check switched off: the
# build succeeds and the report marks the conflict.
sed 's/- { base: 0x48000000, size: 512M }/- { base: 0x43000000, size: 512M }/' examples/qemu-virt/system.yaml >"$tmp/overlap.yaml"
if "$DTPASS" build "$tmp/overlap.yaml" --board examples/qemu-virt/board/virt.dts -o "$tmp/ov" --target report -q -Wno-mem-overlap -Wno-mem-not-ram 2>"$tmp/err" &&
   grep -q 'stroke="#d00"' "$tmp/ov/report.html"; then
    ok "an overlap allowed by -Wno-mem-overlap is marked in the report"
else
    notok "overlap not marked"; sed 's/^/    # /' "$tmp/err"
fi
[ $fails -eq 0 ]
