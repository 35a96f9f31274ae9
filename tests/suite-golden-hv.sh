#!/bin/sh
# tests/suite-golden-hv.sh — the hypervisor outputs of every example, decoded
# by `dtpass dump`, and the text outputs of `--target qnx` match the reviewed
# golden files in tests/golden-hv/ (regenerate with `sh tests/golden-hv/regen`,
# then review the diff).
. "$(dirname "$0")/lib.sh"
n=0
for sys in examples/*/system.yaml; do
    ex=$(basename "$(dirname "$sys")")
    [ -d "tests/golden-hv/$ex" ] || { echo "not ok - $ex: no golden files (sh tests/golden-hv/regen)"; fails=$((fails + 1)); continue; }
    n=$((n + 1))
    if ! "$DTPASS" build "$sys" -q --target smmu,s2,hvdata,blob -o "$tmp/$ex" 2>"$tmp/log"; then
        echo "not ok - $ex: build failed"; sed 's/^/    /' "$tmp/log"; fails=$((fails + 1)); continue
    fi
    for f in system hvdata; do
        src=$tmp/$ex/$f.dtpb
        [ "$f" = hvdata ] && src=$tmp/$ex/hvdata.bin
        "$DTPASS" dump "$src" >"$tmp/$ex.$f.txt" 2>"$tmp/log"
        if diff -u "tests/golden-hv/$ex/$f.txt" "$tmp/$ex.$f.txt" >"$tmp/diff"; then
            echo "ok - $ex: $f matches the golden dump"
        else
            echo "not ok - $ex: $f differs from tests/golden-hv/$ex/$f.txt"
            head -n 40 "$tmp/diff" | sed 's/^/    /'
            fails=$((fails + 1))
        fi
    done
    if ! "$DTPASS" build "$sys" -q --target qnx -o "$tmp/$ex-qnx" 2>"$tmp/log"; then
        echo "not ok - $ex: the qnx build failed"; sed 's/^/    /' "$tmp/log"; fails=$((fails + 1)); continue
    fi
    # Every golden file is still written, and every written text file has one.
    ls "tests/golden-hv/$ex/qnx" >"$tmp/want" 2>/dev/null
    (cd "$tmp/$ex-qnx/qnx" && ls *.qvmconf *.dts host.txt) >"$tmp/got"
    if ! diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
        echo "not ok - $ex: qnx/ files differ from tests/golden-hv/$ex/qnx/"; sed 's/^/    /' "$tmp/diff"
        fails=$((fails + 1)); continue
    fi
    if diff -ru "tests/golden-hv/$ex/qnx" "$tmp/$ex-qnx/qnx" -x '*.dtb' >"$tmp/diff"; then
        echo "ok - $ex: qnx/ matches the golden files"
    else
        echo "not ok - $ex: qnx/ differs from tests/golden-hv/$ex/qnx/"
        head -n 40 "$tmp/diff" | sed 's/^/    /'
        fails=$((fails + 1))
    fi
done
[ "$n" -gt 0 ] || { echo "not ok - no examples"; fails=1; }
[ "$fails" -eq 0 ]
