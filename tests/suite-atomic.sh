#!/bin/sh
# tests/suite-atomic.sh — SPEC §1: outputs are written atomically and only
# when the whole compile succeeded. Builds an example, checksums its outputs
# (and the -M depfile), then breaks the system in several ways — a YAML
# syntax error, a schema error, a failing isolation check, a DSL error, a
# board that does not compile — and builds again into the same directory:
# each failed build must exit 1, leave every file byte-identical with the
# same modification time, add no file, and leave no temporary (*.tmp-*)
# behind. A failed build into a fresh directory must not create it.
. "$(dirname "$0")/lib.sh"

# The example with its board, in a scratch copy we can break.
ex=examples/qemu-virt
cp -r "$ex" "$tmp/ex"
out=$tmp/out

snapshot() { # -> sorted "checksum mtime name" of every file under out
    (cd "$out" && find . -type f -exec sha256sum {} + | sort -k2 &&
        find . -type f -printf '%T@ %p\n' | sort -k2)
}

if "$DTPASS" build "$tmp/ex/system.yaml" -q -o "$out" -M "$out/deps.d" 2>"$tmp/err"; then
    ok "first build of $ex succeeded"
else
    notok "first build of $ex failed"; sed 's/^/    /' "$tmp/err"; exit 1
fi
n=$(find "$out" -type f | wc -l)
[ "$n" -ge 5 ] && ok "$n output files" || notok "only $n output files"
snapshot >"$tmp/before"

attempt() { # what file edit-command...: a build that must fail with exit 1 and change nothing
    what=$1 file=$2
    shift 2
    cp "$tmp/ex/$file" "$tmp/saved"
    "$@" "$tmp/ex/$file"
    sys=$tmp/ex/system.yaml
    case $file in *.dtpass) sys=$tmp/ex/$file ;; esac
    "$DTPASS" build "$sys" -q -o "$out" -M "$out/deps.d" >"$tmp/err" 2>&1
    rc=$?
    cp "$tmp/saved" "$tmp/ex/$file"
    snapshot >"$tmp/after"
    if [ $rc -ne 1 ]; then
        notok "$what: exit status $rc, expected 1"; sed 's/^/    /' "$tmp/err" | head -n 10
    elif ! cmp -s "$tmp/before" "$tmp/after"; then
        notok "$what: the previous outputs changed"; diff "$tmp/before" "$tmp/after" | head -n 10 | sed 's/^/    /'
    elif [ -n "$(find "$out" -name '*.tmp-*')" ]; then
        notok "$what: temporary files left: $(find "$out" -name '*.tmp-*' | head -n 3)"
    else
        ok "$what: exit 1, outputs byte-identical (same mtimes), no temporaries"
    fi
}

yaml_syntax() { printf 'guests: [ {\n' >>"$1"; }
schema() { printf 'bogus-key: 1\n' >>"$1"; }
# Both guests on CPU 0: parses and resolves, fails in the checks (cpu-owner).
check_fail() { sed -i 's/cpus: \[ 2, 3 \]/cpus: [ 0, 3 ]/' "$1"; grep -q 'cpus: \[ 0, 3 \]' "$1" || echo 'no cpus line to edit' >&2; }
dsl_error() { printf 'guest broken { cpus ; }\n' >>"$1"; }
board_error() { printf '\n/ { broken = <1 2 ;\n' >>"$1"; }

attempt "YAML syntax error" system.yaml yaml_syntax
attempt "schema error" system.yaml schema
attempt "isolation check error (cpu-owner)" system.yaml check_fail
attempt "DSL syntax error" system.dtpass dsl_error
attempt "board DTS that dtc rejects" board/virt.dts board_error

# A failed build into a directory that does not exist yet creates nothing.
cp "$tmp/ex/system.yaml" "$tmp/saved"
schema "$tmp/ex/system.yaml"
"$DTPASS" build "$tmp/ex/system.yaml" -q -o "$tmp/fresh/out" -M "$tmp/fresh/deps.d" >/dev/null 2>&1
rc=$?
cp "$tmp/saved" "$tmp/ex/system.yaml"
[ $rc -eq 1 ] && [ ! -e "$tmp/fresh" ] && ok "a failed build into a new directory creates nothing" ||
    notok "a failed build into a new directory: exit $rc, $(find "$tmp/fresh" 2>/dev/null | head -n 3 | tr '\n' ' ')"

# `check` never writes (its default output directory would be ./out).
mkdir "$tmp/cwd"
(cd "$tmp/cwd" && "$DTPASS" check "$tmp/ex/system.yaml" -q >/dev/null 2>&1) &&
    [ -z "$(ls -A "$tmp/cwd")" ] && ok "check writes no output" || notok "check wrote something or failed"

# The successful rebuild replaces every file (same content: deterministic).
"$DTPASS" build "$tmp/ex/system.yaml" -q -o "$out" -M "$out/deps.d" 2>"$tmp/err"
(cd "$out" && find . -type f -exec sha256sum {} + | sort -k2) >"$tmp/sums2"
sed -n '/^[0-9a-f]\{64\} /p' "$tmp/before" >"$tmp/sums1"
cmp -s "$tmp/sums1" "$tmp/sums2" && ok "rebuilding after the failures gives the same bytes" ||
    notok "rebuild differs from the first build"
[ -z "$(find "$out" -name '*.tmp-*')" ] && ok "no temporaries after the rebuild" || notok "temporaries after the rebuild"

# A directory where an output goes: rename() cannot replace it, so the
# build must fail before replacing any other output.
# (inode numbers: a replaced file has a new one even with the same bytes)
(cd "$out" && find . -type f ! -name system.dtpb -exec stat -c '%i %n' {} + | sort -k2) >"$tmp/sums3"
rm "$out/system.dtpb" && mkdir "$out/system.dtpb"
"$DTPASS" build "$tmp/ex/system.yaml" -q -o "$out" -M "$out/deps.d" >/dev/null 2>"$tmp/err"
rc=$?
(cd "$out" && find . -type f -exec stat -c '%i %n' {} + | sort -k2) >"$tmp/sums4"
[ $rc -eq 2 ] && grep -q "Is a directory" "$tmp/err" && cmp -s "$tmp/sums3" "$tmp/sums4" &&
    [ -z "$(find "$out" -name '*.tmp-*')" ] &&
    ok "a directory in an output's place: exit 2, no output replaced" ||
    notok "a directory in an output's place: exit $rc, outputs changed or temporaries left"
[ $fails -eq 0 ]
