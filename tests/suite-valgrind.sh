#!/bin/sh
# tests/suite-valgrind.sh — valgrind memcheck on the real work: `dtpass build`
# (every target) of every example system, `dtpass board` and `dtpass dump` of
# what was built, and a failing build (the error paths free too). Any
# invalid access, uninitialised use or leak (definite, indirect or possible)
# fails. dtc and cpp are other programs (not traced).
# Under `make SANITIZE=1 check` the binary carries ASan, which valgrind cannot
# run; there LeakSanitizer does the same job (tests/run enables it), so the
# same commands run under it and must print no sanitizer report.
. "$(dirname "$0")/lib.sh"

if asan_build; then
    mode=asan
    runner() { "$@"; }
    tool="LeakSanitizer (ASan build)"
elif command -v valgrind >/dev/null 2>&1; then
    mode=valgrind
    runner() {
        valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
            --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 "$@"
    }
    tool=valgrind
else
    notok "valgrind is not installed (tools/setup installs it)"; exit 1
fi

vg() { # name expected-status command...
    name=$1 want=$2
    shift 2
    runner "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if [ $rc -eq 99 ] || grep -qE '^==[0-9]+==|ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$tmp/err"; then
        notok "$name: $tool reports a problem"; sed 's/^/    /' "$tmp/err" | head -n 40
    elif [ $rc -ne "$want" ]; then
        notok "$name: exit $rc, expected $want"; sed 's/^/    /' "$tmp/err" | head -n 10
    else
        ok "$name: clean under $tool"
    fi
}

n=0
for sys in examples/*/system.yaml examples/*/system.dtpass; do
    [ -f "$sys" ] || continue
    ex=$(basename "$(dirname "$sys")")
    out=$tmp/$ex-$(basename "$sys" | tr . -)
    vg "build $sys" 0 "$DTPASS" build "$sys" -q --target dts,dtb,smmu,s2,hvdata,blob,report -o "$out"
    n=$((n + 1))
    case $sys in
        */qemu-virt/system.yaml)
            vg "dump $ex/system.dtpb --json" 0 "$DTPASS" dump "$out/system.dtpb" --json
            vg "dump $ex/smmu-smmuv3-9050000.bin" 0 "$DTPASS" dump "$out/smmu-smmuv3-9050000.bin" ;;
    esac
done
[ $n -gt 0 ] || notok "no example found"
vg "board --json (QEMU virt DTS)" 0 "$DTPASS" board examples/qemu-virt/board/virt.dts --json
cp -r examples/qemu-virt "$tmp/broken"
sed -i 's/cpus: \[ 2, 3 \]/cpus: [ 0, 3 ]/' "$tmp/broken/system.yaml"
vg "a failing build (cpu-owner), SARIF output" 1 "$DTPASS" build "$tmp/broken/system.yaml" --format sarif -o "$tmp/x"
printf 'dtpass: 1\nguests: [ { name: 1bad, cpus: [ 99 ], bogus: 1 } ]\n' >"$tmp/bad.yaml"
vg "schema errors, JSON output" 1 "$DTPASS" check "$tmp/bad.yaml" --board examples/qemu-virt/board/virt.dts --format json
[ $fails -eq 0 ]
