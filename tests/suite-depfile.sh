#!/bin/sh
# tests/suite-depfile.sh — SPEC §1 `-M DEPFILE` in a real Makefile rule.
# The ZCU102 DSL example (system.dtpass includes memory-map.dtpass) on a DTS
# board that pulls in the real board through cpp (#include) and adds a
# fragment through dtc's own /include/, with a C header for a constant, plus
# user device-class data (--classes): the
# depfile must list every one of those files (and nothing from dtpass's
# private temporary directory), make must rebuild when any of them is
# touched, and must do nothing when nothing changed. The build also runs
# from another directory with relative paths, the way Make invokes it.
. "$(dirname "$0")/lib.sh"

w=$tmp/work
mkdir -p "$w"
cp -r examples/zcu102/. "$w/"
mkdir -p "$w/board/include"
# The board: the shipped DTS through cpp, a header, and a dtc /include/.
cat >"$w/board/wrap.dts" <<'EOF'
#include "zynqmp-zcu102-rev1.0.dts"
#include <bench-model.h>
/include/ "extra.dtsi"
/ {
	dtpass-test-model = BENCH_MODEL;
};
EOF
printf '#define BENCH_MODEL "depfile test"\n' >"$w/board/include/bench-model.h"
printf '/ {\n\tchosen {\n\t\tdtpass,depfile-test;\n\t};\n};\n' >"$w/board/extra.dtsi"

# User device-class data (--classes) is an input too.
printf 'dtpass-device-classes: 1\nclasses:\n  - name: test-masters\n    dma-master: true\n    compatible: [ "dtpass,test-*" ]\n' >"$w/classes.yaml"

cat >"$w/Makefile" <<EOF
DTPASS = $DTPASS
out/system.dtpb: system.dtpass
	@echo run >>runs.log
	\$(DTPASS) build system.dtpass --board board/wrap.dts -I board/include --classes classes.yaml -q -o out -M out/system.d
-include out/system.d
EOF

runs() { [ -f "$w/runs.log" ] && wc -l <"$w/runs.log" || echo 0; }
# Inputs two hours old, outputs one hour old: the next `touch` of an input is
# unambiguously newer, without sleeping or future time stamps.
settle() {
    find "$w" -type f ! -path "$w/out/*" -exec touch -d '-2 hours' {} +
    find "$w/out" -type f -exec touch -d '-1 hour' {} +
}
mk() { make -C "$w" --no-print-directory >"$tmp/make.log" 2>&1; }

if mk; then
    ok "make builds the example through the rule"
else
    notok "first make failed"; sed 's/^/    /' "$tmp/make.log" | tail -n 20; exit 1
fi
d=$w/out/system.d
[ -f "$d" ] && ok "depfile written" || { notok "no depfile"; exit 1; }

# Every input read is listed, as the path dtpass was given or dtc/cpp used.
for f in system.dtpass memory-map.dtpass board/wrap.dts board/zynqmp-zcu102-rev1.0.dts \
         board/include/bench-model.h board/extra.dtsi classes.yaml; do
    if grep -q "\(^\|[ /]\)$f\( \|:\|\$\)" "$d"; then
        ok "depfile lists $f"
    else
        notok "depfile does not list $f"; sed 's/^/    /' "$d" | head -n 30
    fi
done
# Every prerequisite exists (nothing invented, no temporaries of dtpass).
missing=$(sed -n 's/^\(.*\):$/\1/p' "$d" | while read -r f; do
    (cd "$w" && [ -e "$f" ]) || echo "$f"; done)
[ -z "$missing" ] && ok "every listed input exists" || notok "listed but missing: $missing"
grep -q 'dtpass-[A-Za-z0-9]\{6\}' "$d" && notok "depfile names dtpass's temporary directory" ||
    ok "no temporary file in the depfile"
# Every output is a target of the rule.
for o in out/system.dtpb out/linux.dtb out/rtos.dtb out/hvdata.bin; do
    grep -q "^ *$o\( \\\\\|:\)" "$d" && ok "target $o" || notok "$o is not a target of the rule"
done

settle
n=$(runs)
mk
[ "$(runs)" -eq "$n" ] && ok "nothing changed: make does not run dtpass" ||
    { notok "make re-ran dtpass with nothing changed"; sed 's/^/    /' "$tmp/make.log"; }

for f in memory-map.dtpass board/zynqmp-zcu102-rev1.0.dts board/include/bench-model.h board/extra.dtsi \
         board/wrap.dts classes.yaml system.dtpass; do
    n=$(runs)
    touch "$w/$f"
    mk
    if [ "$(runs)" -eq $((n + 1)) ]; then
        ok "touching $f rebuilds"
    else
        notok "touching $f did not rebuild"; sed 's/^/    /' "$tmp/make.log"
    fi
    settle
    n=$(runs)
    mk
    [ "$(runs)" -eq "$n" ] || notok "make re-ran dtpass after rebuilding for $f"
done

# A deleted include is not fatal for make (the empty rule per input): make
# re-runs dtpass, which then reports the missing include itself.
rm "$w/board/extra.dtsi"
if make -C "$w" --no-print-directory >"$tmp/make.log" 2>&1; then
    notok "make succeeded without board/extra.dtsi"
elif grep -q "No rule to make target" "$tmp/make.log"; then
    notok "a deleted input breaks make itself (no empty rule for it)"
else
    ok "a deleted input makes dtpass fail, not make's dependency graph"
fi
[ $fails -eq 0 ]
