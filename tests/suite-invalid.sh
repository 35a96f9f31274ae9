#!/bin/sh
# tests/suite-invalid.sh — the invalid-input corpus (tests/invalid/README.md):
# every file's first line says which findings it must produce,
#   # expect: <check-id> <line>:<col>[, <check-id> <line>:<col>]...   (YAML)
#   // expect: <check-id> <line>:<col>[, ...]                          (DSL)
# and `dtpass check` must report each of them at that position (text format:
# `file:line:col: error|warning: ... [check-id]`) and exit with status 1
# (or the status given by an optional `expect-exit: N` on the second line).
set -u
cd "$(dirname "$0")/.."
DTPASS=${DTPASS:-$PWD/dtpass}
fail=0 count=0
for f in tests/invalid/*.yaml tests/invalid/*.yml tests/invalid/*.dtpass; do
    [ -f "$f" ] || continue
    count=$((count + 1))
    name=$(basename "$f")
    first=$(head -n 1 "$f")
    spec=${first#*expect:}
    if [ "$spec" = "$first" ]; then
        echo "not ok - $name: the first line has no 'expect:'"
        fail=1
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
        echo "not ok - $name: exit status $rc, expected $want_rc"
        ok=0
    fi
    # Each "id line:col" item of the spec must be reported.
    items=$(echo "$spec" | tr ',' '\n')
    while read -r id pos; do
        [ -n "$id" ] || continue
        if ! printf '%s\n' "$out" | grep -F "$name:$pos: " | grep -qF "[$id]"; then
            echo "not ok - $name: no [$id] at $pos"
            ok=0
        fi
    done <<ITEMS
$items
ITEMS
    if [ $ok -eq 1 ]; then
        echo "ok - $name:$spec"
    else
        printf '%s\n' "$out" | sed 's/^/    # /' | head -n 20
        fail=1
    fi
done
if [ "$count" -lt 40 ]; then
    echo "not ok - the corpus has only $count files (at least 40 expected)"
    fail=1
fi
exit $fail
