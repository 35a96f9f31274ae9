#!/bin/sh
# tests/suite-invalid.sh — the invalid-input corpus (tests/invalid/README.md):
# every file's first line says which findings it must produce,
#   # expect: <check-id> <line>:<col>[, <check-id> <line>:<col>]...   (YAML)
#   // expect: <check-id> <line>:<col>[, ...]                          (DSL)
# and `dtpass check` must report each of them at that position (text format:
# `file:line:col: error|warning: ... [check-id]`) and exit with status 1
# (or the status given by an optional `expect-exit: N` on the second line).
. "$(dirname "$0")/lib.sh"
count=0
for f in tests/invalid/*.yaml tests/invalid/*.yml tests/invalid/*.dtpass; do
    [ -f "$f" ] || continue
    count=$((count + 1))
    name=$(basename "$f")
    first=$(head -n 1 "$f")
    spec=${first#*expect:}
    if [ "$spec" = "$first" ]; then
        notok "$name: the first line has no 'expect:'"
        continue
    fi
    want_rc=1
    second=$(sed -n 2p "$f")
    case $second in *expect-exit:*) want_rc=$(echo "${second#*expect-exit:}" | tr -d ' ') ;; esac
    # Run inside the corpus so diagnostics name the file by its base name
    # and relative board paths work.
    out=$(cd tests/invalid && "$DTPASS" check --color never "$name" 2>&1 >/dev/null)
    rc=$?
    ok=1
    if [ "$rc" -ne "$want_rc" ]; then
        notok "$name: exit status $rc, expected $want_rc"
        ok=0
    fi
    # Each "id line:col" item of the spec must be reported.
    items=$(echo "$spec" | tr ',' '\n')
    while read -r id pos; do
        [ -n "$id" ] || continue
        if ! printf '%s\n' "$out" | grep -F "$name:$pos: " | grep -qF "[$id]"; then
            notok "$name: no [$id] at $pos"
            ok=0
        fi
    done <<ITEMS
$items
ITEMS
    if [ $ok -eq 1 ]; then
        ok "$name:$spec"
    else
        printf '%s\n' "$out" | sed 's/^/    # /' | head -n 20
    fi
done
if [ "$count" -lt 40 ]; then
    notok "the corpus has only $count files (at least 40 expected)"
fi
[ $fails -eq 0 ]
