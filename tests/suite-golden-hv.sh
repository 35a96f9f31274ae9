#!/bin/sh
# tests/suite-golden-hv.sh — the hypervisor outputs of every golden case
# (tests/golden-hv/<case>/input/system.yaml, tests/golden.sh), decoded by
# `dtpass dump`, and the text outputs of `--target qnx` match the reviewed
# golden files beside the input (regenerate with `make golden`, then review
# the diff); every example has a case.
. "$(dirname "$0")/lib.sh"
. tests/golden.sh
n=0
golden_notok_missing tests/golden-hv system.yaml
for case in $(golden_cases tests/golden-hv system.yaml); do
    ex=$(basename "$case")
    sys=$case/input/system.yaml
    n=$((n + 1))
    if ! "$DTPASS" build "$sys" -q --target smmu,s2,hvdata,blob -o "$tmp/$ex" 2>"$tmp/log"; then
        echo "not ok - $ex: build failed"; sed 's/^/    /' "$tmp/log"; fails=$((fails + 1)); continue
    fi
    for f in system hvdata; do
        src=$tmp/$ex/$f.dtpb
        [ "$f" = hvdata ] && src=$tmp/$ex/hvdata.bin
        "$DTPASS" dump "$src" >"$tmp/$ex.$f.txt" 2>"$tmp/log"
        if diff -u "$case/$f.txt" "$tmp/$ex.$f.txt" >"$tmp/diff"; then
            echo "ok - $ex: $f matches the golden dump"
        else
            echo "not ok - $ex: $f differs from $case/$f.txt"
            head -n 40 "$tmp/diff" | sed 's/^/    /'
            fails=$((fails + 1))
        fi
    done
    if ! "$DTPASS" build "$sys" -q --target qnx -o "$tmp/$ex-qnx" 2>"$tmp/log"; then
        echo "not ok - $ex: the qnx build failed"; sed 's/^/    /' "$tmp/log"; fails=$((fails + 1)); continue
    fi
    # Every golden file is still written, and every written text file has one.
    ls "$case/qnx" >"$tmp/want" 2>/dev/null
    (cd "$tmp/$ex-qnx/qnx" && ls *.qvmconf *.dts host.txt) >"$tmp/got"
    if ! diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
        echo "not ok - $ex: qnx/ files differ from $case/qnx/"; sed 's/^/    /' "$tmp/diff"
        fails=$((fails + 1)); continue
    fi
    if diff -ru "$case/qnx" "$tmp/$ex-qnx/qnx" -x '*.dtb' >"$tmp/diff"; then
        echo "ok - $ex: qnx/ matches the golden files"
    else
        echo "not ok - $ex: qnx/ differs from $case/qnx/"
        head -n 40 "$tmp/diff" | sed 's/^/    /'
        fails=$((fails + 1))
    fi
done
[ "$n" -gt 0 ] || notok "no golden cases in tests/golden-hv"
[ "$fails" -eq 0 ]
