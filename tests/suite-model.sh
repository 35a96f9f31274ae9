#!/bin/sh
# tests/suite-model.sh — the two syntaxes describe the same model: for every
# examples/*/X.yaml with a sibling X.dtpass, `dtpass check --dump-model` must
# print the same resolved model for both, and both must check without
# errors (every example is a valid system); the YAML read from stdin (`-`)
# gives the same model too.
. "$(dirname "$0")/lib.sh"
count=0
for y in examples/*/*.yaml; do
    [ -f "$y" ] || continue
    d=${y%.yaml}.dtpass
    [ -f "$d" ] || continue
    count=$((count + 1))
    ok=1
    for f in "$y" "$d"; do
        if ! "$DTPASS" check --color never --dump-model "$f" >"$tmp/$(basename "$f").model" 2>"$tmp/err"; then
            notok "$f does not check cleanly"
            sed 's/^/    # /' "$tmp/err" | head -n 30
            ok=0
        else
            ok "$f checks cleanly"
        fi
    done
    [ $ok -eq 1 ] || continue
    # `-` reads YAML from stdin; `board:` is then relative to the current
    # directory, so run it from the example's directory.
    if (cd "$(dirname "$y")" && "$DTPASS" check --color never --dump-model - <"$(basename "$y")") \
        >"$tmp/stdin.model" 2>"$tmp/err" &&
        cmp -s "$tmp/stdin.model" "$tmp/$(basename "$y").model"; then
        ok "$y from stdin gives the same model"
    else
        notok "$y from stdin gives another model (or fails)"
        sed 's/^/    # /' "$tmp/err" | head -n 10
    fi
    if ! [ -s "$tmp/$(basename "$y").model" ]; then
        notok "$y: --dump-model printed nothing"
    elif diff -u "$tmp/$(basename "$y").model" "$tmp/$(basename "$d").model" >"$tmp/diff"; then
        ok "$y and $d give the same model"
    else
        notok "$y and $d give different models"
        sed 's/^/    # /' "$tmp/diff" | head -n 40
    fi
done
if [ "$count" -eq 0 ]; then
    notok "no example has both a .yaml and a .dtpass"
fi
[ $fails -eq 0 ]
