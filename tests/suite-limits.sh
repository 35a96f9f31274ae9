#!/bin/sh
# tests/suite-limits.sh — SPEC §6: every dimension a hostile file controls
# has a limit with a clear diagnostic, and hitting it costs bounded time and
# memory. The inputs are generated here (most are large):
#   system file size (16 MiB), YAML nesting (64), YAML anchors/aliases
#   (rejected: no billion laughs), YAML node count (1 Mi), findings (500k,
#   with a 100k-byte name quoted), DSL include depth
#   (16) and cycles, DSL expression nesting (the parser stack), DSL error
#   floods (50 per file), board DTB/DTS size (64 MiB), DTB nesting (64),
#   a DTB of 2 million nodes, endless inputs (/dev/zero as system, board,
#   include and blob).
# Each run must end with exit 1 or 2, the expected message, within 60 s and,
# outside ASan builds, below a peak RSS (GNU time).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
asan=0
asan_build && asan=1
BOARD=examples/qemu-virt/board/virt.dts
dtc -q -@ -I dts -O dtb -o "$tmp/virt.dtb" "$BOARD" || { notok "cannot compile $BOARD"; exit 1; }

limit() { # name status pattern max-rss-MiB command...
    name=$1 want=$2 pat=$3 mib=$4
    shift 4
    if [ -x /usr/bin/time ]; then
        timeout 60 /usr/bin/time -f 'peak-rss-kib %M' -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err" </dev/null
    else
        timeout 60 "$@" >/dev/null 2>"$tmp/err" </dev/null
    fi
    rc=$?
    kib=$(sed -n 's/^peak-rss-kib \([0-9]*\)$/\1/p' "$tmp/rss" 2>/dev/null)
    kib=${kib:-0}
    if [ $rc -eq 124 ]; then
        notok "$name: still running after 60 s"
    elif [ $rc -ne "$want" ]; then
        notok "$name: exit $rc, expected $want"; head -c 600 "$tmp/err" | sed 's/^/    /'
    elif [ -n "$pat" ] && ! grep -q -- "$pat" "$tmp/err"; then
        notok "$name: no '$pat' in the diagnostics"; head -c 600 "$tmp/err" | sed 's/^/    /'
    elif [ $asan -eq 0 ] && [ "$kib" -gt $((mib * 1024)) ]; then
        notok "$name: peak RSS $((kib / 1024)) MiB > $mib MiB"
    else
        ok "$name: exit $rc${pat:+, '$(grep -m1 -- "$pat" "$tmp/err" | cut -c1-100)'}$( [ "$kib" -gt 0 ] && echo ", $((kib / 1024)) MiB")"
    fi
    rm -f "$tmp/rss"
}

# --- the system file ---------------------------------------------------------
{ printf 'dtpass: 1\n# '; head -c $((17 << 20)) /dev/zero | tr '\0' x; printf '\n'; } >"$tmp/big.yaml"
limit "YAML file over 16 MiB" 2 "larger than 16 MiB" 64 "$DTPASS" check "$tmp/big.yaml" --board "$tmp/virt.dtb"
$PY -c "print('dtpass: 1\nguests: ' + '['*200000 + ']'*200000)" >"$tmp/deep.yaml"
limit "YAML nesting 200k levels" 1 "nesting deeper than 64" 64 "$DTPASS" check "$tmp/deep.yaml" --board "$tmp/virt.dtb"
printf 'dtpass: 1\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n' >"$tmp/laughs.yaml"
limit "YAML billion laughs" 1 "not supported" 64 "$DTPASS" check "$tmp/laughs.yaml" --board "$tmp/virt.dtb"
$PY -c "print('dtpass: 1\nguests: [' + ','.join(['0']*1200000) + ']')" >"$tmp/nodes.yaml"
limit "YAML with 1.2 million nodes" 1 "too many YAML nodes" 512 "$DTPASS" check "$tmp/nodes.yaml" --board "$tmp/virt.dtb"
# Half a million findings, each quoting its line of an 11 MiB file: one
# pass over the file to index its lines, not one per finding (which took
# hours), and every message and quoted line cut at a bounded length.
$PY -c "print('dtpass: 1\nguests:\n  - name: g0\n    cpus: [0]\n    devices:\n' + ''.join('      - /nodev-%07d\n' % i for i in range(500000)) + '      - /' + 'x' * 100000)" >"$tmp/findings.yaml"
limit "500k findings in an 11 MiB file, one 100k-byte name" 1 "500001 errors" 512 "$DTPASS" check "$tmp/findings.yaml" --board "$tmp/virt.dtb"
if [ "$(awk 'length($0) > 1100' "$tmp/err" | wc -l)" -eq 0 ]; then
    ok "no diagnostic line longer than ~1000 bytes for a 100k-byte name"
else
    notok "a diagnostic line is longer than 1100 bytes"
fi
{ printf '/dtpass-v1/;\n// '; head -c $((17 << 20)) /dev/zero | tr '\0' x; printf '\n'; } >"$tmp/big.dtpass"
limit "DSL file over 16 MiB" 2 "larger than 16 MiB" 64 "$DTPASS" check "$tmp/big.dtpass" --board "$tmp/virt.dtb"
mkdir "$tmp/chain"
i=0
while [ $i -lt 40 ]; do
    printf '/dtpass-v1/;\ninclude "f%d.dtpass";\n' $((i + 1)) >"$tmp/chain/f$i.dtpass"
    i=$((i + 1))
done
printf '/dtpass-v1/;\n' >"$tmp/chain/f40.dtpass"
limit "DSL includes 40 deep" 1 "deeper than 16" 64 "$DTPASS" check "$tmp/chain/f0.dtpass" --board "$tmp/virt.dtb"
printf '/dtpass-v1/;\ninclude "b.dtpass";\n' >"$tmp/chain/a.dtpass"
printf '/dtpass-v1/;\ninclude "a.dtpass";\n' >"$tmp/chain/b.dtpass"
limit "DSL include cycle" 1 "include cycle" 64 "$DTPASS" check "$tmp/chain/a.dtpass" --board "$tmp/virt.dtb"
$PY -c "print('/dtpass-v1/;\nconst A = ' + '('*300000 + '1' + ')'*300000 + ';')" >"$tmp/parens.dtpass"
limit "DSL expression nested 300k deep" 1 "error" 64 "$DTPASS" check "$tmp/parens.dtpass" --board "$tmp/virt.dtb"
$PY -c "print('/dtpass-v1/;\n' + 'guest ;\n'*300000)" >"$tmp/flood.dtpass"
limit "DSL with 300k syntax errors" 1 "error" 64 "$DTPASS" check "$tmp/flood.dtpass" --board "$tmp/virt.dtb"
n=$(grep -c 'error:' "$tmp/err")
[ "$n" -le 60 ] && ok "error flood: $n errors reported, not 300k" || notok "error flood: $n errors reported"
$PY -c "print('/dtpass-v1/;\n' + ''.join('const C%d = C%d + 1;\n' % (i, i - 1) if i else 'const C0 = 1;\n' for i in range(200000)))" >"$tmp/consts.dtpass"
limit "DSL with 200k chained constants (valid, no guests)" 0 "" 256 "$DTPASS" check "$tmp/consts.dtpass" --board "$tmp/virt.dtb"
limit "/dev/zero as the system file" 2 "larger than 16 MiB" 64 "$DTPASS" check /dev/zero --board "$tmp/virt.dtb"
printf '/dtpass-v1/;\ninclude "/dev/zero";\n' >"$tmp/zero.dtpass"
limit "/dev/zero as a DSL include" 2 "larger than 16 MiB" 64 "$DTPASS" check "$tmp/zero.dtpass" --board "$tmp/virt.dtb"

# --- the board -----------------------------------------------------------------
limit "/dev/zero as the board" 1 "larger than 64 MiB" 160 "$DTPASS" check examples/qemu-virt/system.yaml --board /dev/zero
{ printf '/dts-v1/;\n/ { };\n// '; head -c $((65 << 20)) /dev/zero | tr '\0' x; printf '\n'; } >"$tmp/big.dts"
limit "DTS board over 64 MiB" 1 "larger than 64 MiB" 160 "$DTPASS" check examples/qemu-virt/system.yaml --board "$tmp/big.dts"
$PY - "$tmp" <<'PY'
import struct, sys
def be(x): return struct.pack(">I", x)
def blob(st, strings=b""):
    off_struct = 56
    hdr = struct.pack(">10I", 0xd00dfeed, off_struct + len(st) + len(strings), off_struct,
                      off_struct + len(st), 40, 17, 16, 0, len(strings), len(st))
    return hdr + b"\0" * 16 + st + strings
d = 100000  # 1.2 MiB: every path would be up to 200 KB long
open(sys.argv[1] + "/deep.dtb", "wb").write(
    blob(be(1) + b"\0" * 4 + (be(1) + b"a\0\0\0") * d + be(2) * (d + 1) + be(9)))
parts = [be(1) + b"\0" * 4]
for i in range(2000000):
    name = ("n%x" % i).encode() + b"\0"
    parts.append(be(1) + name + b"\0" * (-len(name) % 4) + be(2))
open(sys.argv[1] + "/flat.dtb", "wb").write(blob(b"".join(parts) + be(2) + be(9)))
PY
limit "DTB nested 100k levels" 1 "nested deeper than 64" 64 "$DTPASS" board "$tmp/deep.dtb"
limit "DTB of 2 million nodes (32 MiB)" 0 "" 1024 "$DTPASS" board "$tmp/flat.dtb"
# dump also reads hvdata.bin-sized table files: its cap is 1 GiB.
limit "/dev/zero given to dump" 2 "too large\|larger" 1100 "$DTPASS" dump /dev/zero
[ $fails -eq 0 ]
