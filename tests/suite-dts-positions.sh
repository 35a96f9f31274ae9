#!/bin/sh
# tests/suite-dts-positions.sh — a DTS board costs one dtc run unless a
# shown diagnostic needs a node's source position (src/board/dtc.c): then a
# second run (dtc -T) gives the same file:line as always. dtc and cpp are
# wrapped ($DTPASS_DTC, $DTPASS_CPP) to count their runs.
. "$(dirname "$0")/lib.sh"

cat >"$tmp/dtc" <<SH
#!/bin/sh
echo "\$*" >>"$tmp/dtc.calls"
exec dtc "\$@"
SH
cat >"$tmp/cpp" <<SH
#!/bin/sh
echo "\$*" >>"$tmp/cpp.calls"
exec cpp "\$@"
SH
chmod +x "$tmp/dtc" "$tmp/cpp"
export DTPASS_DTC="$tmp/dtc" DTPASS_CPP="$tmp/cpp"

# runs EXPECT-DTC-RUNS DESCRIPTION DIR dtpass-args...: runs dtpass in DIR
# (stderr in $tmp/err) and checks how often dtc ran.
runs() {
    want=$1 what=$2 dir=$3
    shift 3
    rm -f "$tmp/dtc.calls" "$tmp/cpp.calls"
    (cd "$dir" && "$DTPASS" "$@" >"$tmp/out" 2>"$tmp/err")
    rc=$?
    got=$(cat "$tmp/dtc.calls" 2>/dev/null | wc -l)
    [ "$got" -eq "$want" ] && ok "$what: $want dtc run(s) (exit $rc)" ||
        { notok "$what: $got dtc runs, wanted $want"; sed 's/^/#   /' "$tmp/dtc.calls" "$tmp/err"; }
}

runs 1 "clean build of examples/qemu-virt (DTS board)" examples/qemu-virt \
    build system.yaml -o "$tmp/o1" --target dts,dtb,blob
[ -s "$tmp/o1/linux.dtb" ] && ok "  ... and it built" || notok "examples/qemu-virt did not build"
grep -q -- "-I dts -O dtb" "$tmp/dtc.calls" && ! grep -q -- "-T" "$tmp/dtc.calls" &&
    ok "  ... the one run compiles; no annotation run" || notok "unexpected dtc runs"

# examples/zcu102 has a deliberate status-disabled warning whose note names
# the board node's DTS line.
runs 2 "zcu102: a warning with a board-node note" examples/zcu102 \
    check system.yaml --color never
grep -q '^board/zynqmp-zcu102-rev1.0.dts:1573: note: board node /axi/timer@ff110000 is defined here$' "$tmp/err" &&
    ok "  ... the note has the node's DTS line" || { notok "zcu102 note position"; cat "$tmp/err"; }
grep -q -- "-T -I dts -O dts" "$tmp/dtc.calls" && ok "  ... the second run is the annotation (-T)" ||
    notok "zcu102: no dtc -T run"
cp "$tmp/err" "$tmp/zcu102.text"
runs 1 "zcu102 with -q (the warning is never shown)" examples/zcu102 check system.yaml -q --color never
[ ! -s "$tmp/err" ] && ok "  ... and nothing is printed" || notok "zcu102 -q printed something"
runs 2 "zcu102 with -q --format json (JSON shows warnings)" examples/zcu102 check system.yaml -q --format json
grep -q '"line":1573' "$tmp/err" && ok "  ... the JSON note has line 1573" ||
    { notok "zcu102 JSON note position"; head -c 600 "$tmp/err"; }
runs 2 "zcu102 with -q -Werror (the warning becomes a shown error)" examples/zcu102 \
    check system.yaml -q -Werror --color never
grep -q 'zynqmp-zcu102-rev1.0.dts:1573: note: board node /axi/timer@ff110000 is defined here' "$tmp/err" &&
    ok "  ... with its note" || { notok "zcu102 -Werror note"; cat "$tmp/err"; }

# A board-invalid warning on a node (j721e's untranslatable reg) is placed
# at the node's line.
runs 2 "j721e: a board warning at a node" examples/j721e check system.yaml --color never
grep -q '^board/k3-j721e-common-proc-board.dts:688: warning: /bus@100000/interrupt-controller@a00000: untranslatable reg' "$tmp/err" &&
    ok "  ... at the node's DTS line" || { notok "j721e warning position"; cat "$tmp/err"; }
runs 1 "j721e with -q" examples/j721e check system.yaml -q

# Through cpp (#include): cpp runs once per dtc run, and positions point
# into the included file.
mkdir -p "$tmp/cpp-board"
cat >"$tmp/cpp-board/inc.dtsi" <<'DTS'
/ {
	gpio@9100000 {
		compatible = "arm,pl061", "arm,primecell";
		reg = <0x0 0x9100000 0x0 0x1000>;
		status = "disabled";
	};
};
DTS
{ cat examples/qemu-virt/board/virt.dts; echo '#include "inc.dtsi"'; } >"$tmp/cpp-board/board.dts"
sed -e 's|^board: .*|board: board.dts|' -e 's|^\(  *\)- /pl011@9000000$|&\n\1- /gpio@9100000|' \
    examples/qemu-virt/system.yaml >"$tmp/cpp-board/system.yaml"
runs 2 "cpp board with a disabled device given to a guest" "$tmp/cpp-board" check system.yaml --color never
[ "$(wc -l <"$tmp/cpp.calls")" -eq 2 ] && ok "  ... cpp ran once per dtc run" || notok "cpp runs: $(cat "$tmp/cpp.calls")"
grep -q "inc.dtsi:2: note: board node /gpio@9100000 is defined here" "$tmp/err" &&
    ok "  ... the note points into the included file" || { notok "cpp note position"; cat "$tmp/err"; }
exit $((fails > 0))
