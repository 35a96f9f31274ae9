#!/bin/sh
# tests/suite-invalid.sh — the invalid-input corpus (tests/invalid/README.md):
# every file's header says which findings it must produce (the `expect:`
# format of tests/expect.py, shared with suite-checks.sh),
#   # expect: <check-id> <line>:<col>[, <check-id> <line>:<col>]...   (YAML)
#   // expect: <check-id> <line>:<col>[, ...]                          (DSL)
# and `dtpass check` must report each of them at that position (text format:
# `file:line:col: error|warning: ... [check-id]`) and exit with status 1
# (or the status given by an optional `expect-exit: N` header line). Other
# findings may appear too; tests/invalid/checks (suite-checks.sh) is strict.
. "$(dirname "$0")/lib.sh"
count=0
for f in tests/invalid/*.yaml tests/invalid/*.yml tests/invalid/*.dtpass; do
    [ -f "$f" ] || continue
    count=$((count + 1))
    name=$(basename "$f")
    if ! /usr/bin/python3 tests/expect.py "$f" >"$tmp/expect" 2>"$tmp/experr"; then
        notok "$name: $(cat "$tmp/experr")"
        continue
    fi
    want_rc=$(sed -n 's/^exit //p' "$tmp/expect")
    [ -n "$want_rc" ] || want_rc=1
    spec=$(grep -v '^exit ' "$tmp/expect" | tr '\n' ',' | sed 's/,$//; s/,/, /g')
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
    items=$(grep -v '^exit \|^command \|^clean$' "$tmp/expect")
    while read -r id pos sev; do
        [ -n "$id" ] || continue
        if ! printf '%s\n' "$out" | grep -F "$name:$pos: ${sev:+$sev: }" | grep -qF "[$id]"; then
            notok "$name: no [$id] at $pos"
            ok=0
        fi
    done <<ITEMS
$items
ITEMS
    if [ $ok -eq 1 ]; then
        ok "$name: $spec"
    else
        printf '%s\n' "$out" | sed 's/^/    # /' | head -n 20
    fi
done
if [ "$count" -lt 40 ]; then
    notok "the corpus has only $count files (at least 40 expected)"
fi
[ $fails -eq 0 ]
