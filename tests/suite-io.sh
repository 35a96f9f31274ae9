#!/bin/sh
# tests/suite-io.sh — exit statuses and messages when the world, not the
# configuration, is wrong (SPEC §1: 2 = usage, I/O or internal error; 1 = the
# configuration has errors, which includes a board dtc rejects):
# a missing or unreadable system file or board, an output directory that
# cannot be created, a depfile that cannot be written, dtc missing from PATH
# (and $DTPASS_DTC naming a missing program), dtc and cpp failing with their
# own messages (passed through at the board's file:line), a truncated or
# garbage DTB. Every failure names the file involved and leaves no output.
# Runs as root in CI, so unwritable places are made with ENOTDIR (a regular
# file where a directory is needed), not with permissions; failures of the
# disk itself (a write failing with ENOSPC half way through the set, fsync,
# the exchange, a hard link or a mkdir failing with EIO) are injected by
# tests/io-fault.c through LD_PRELOAD, and each must leave exactly the
# previous output set (same bytes, same inodes) and no staging directory.
. "$(dirname "$0")/lib.sh"

cp -r examples/qemu-virt "$tmp/ex"
SYS=$tmp/ex/system.yaml
DTS=$tmp/ex/board/virt.dts
dtc -q -@ -I dts -O dtb -o "$tmp/virt.dtb" "$DTS" || { notok "dtc cannot compile $DTS"; exit 1; }
touch "$tmp/file"

expect() { # name status grep-pattern command... : runs it, checks status and stderr
    name=$1 want=$2 pat=$3
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if [ $rc -ne "$want" ]; then
        notok "$name: exit $rc, expected $want"; sed 's/^/    /' "$tmp/err" | head -n 8
    elif [ -n "$pat" ] && ! grep -q -- "$pat" "$tmp/err"; then
        notok "$name: exit $rc but stderr lacks '$pat'"; sed 's/^/    /' "$tmp/err" | head -n 8
    elif grep -qE 'AddressSanitizer|runtime error:|LeakSanitizer' "$tmp/err"; then
        notok "$name: sanitizer report"; sed 's/^/    /' "$tmp/err" | head -n 20
    else
        ok "$name: exit $rc${pat:+, '$(grep -m1 -- "$pat" "$tmp/err" | cut -c1-110)'}"
    fi
}

# --- inputs ----------------------------------------------------------------
expect "missing system file" 2 "/nonexistent/system.yaml" "$DTPASS" check /nonexistent/system.yaml
expect "system file is a directory" 2 "$tmp/ex" "$DTPASS" check "$tmp/ex"
expect "missing DSL system file" 2 "nope.dtpass" "$DTPASS" check "$tmp/nope.dtpass"
expect "missing board" 2 "cannot read board $tmp/nope.dtb" "$DTPASS" check "$SYS" --board "$tmp/nope.dtb"
expect "board is a directory" 2 "$tmp/ex" "$DTPASS" check "$SYS" --board "$tmp/ex"
expect "board: names a missing file in the system file" 2 "no-such-board.dtb" \
    sh -c "sed 's|^board: .*|board: no-such-board.dtb|' '$SYS' >'$tmp/ex/other.yaml' && exec '$DTPASS' check '$tmp/ex/other.yaml'"
expect "usage: no input" 2 "needs an input file" "$DTPASS" check
expect "usage: unknown option" 2 "unknown option" "$DTPASS" check "$SYS" --frobnicate
expect "usage: unknown target" 2 "unknown target" "$DTPASS" build "$SYS" --target dtb,floppy

# --- the board compiler ------------------------------------------------------
mkdir -p "$tmp/nodtc"
ln -s "$(command -v cpp)" "$tmp/nodtc/cpp"
expect "dtc not on PATH" 2 "cannot run dtc" env PATH="$tmp/nodtc" "$DTPASS" check "$SYS"
expect "DTPASS_DTC names a missing program" 2 "cannot run $tmp/no-dtc" \
    env DTPASS_DTC="$tmp/no-dtc" "$DTPASS" check "$SYS"
expect "a DTB board needs no dtc" 0 "" env PATH="$tmp/nodtc" "$DTPASS" check "$SYS" --board "$tmp/virt.dtb" -q
printf '/dts-v1/;\n/ {\n\tmodel = "broken"\n\tcompatible = "x";\n};\n' >"$tmp/syntax.dts"
expect "dtc syntax error passed through at file:line" 1 "syntax.dts:4:.*syntax error" \
    "$DTPASS" check "$SYS" --board "$tmp/syntax.dts"
printf '/dts-v1/;\n/ {\n\tx = <&nolabel>;\n};\n' >"$tmp/ref.dts"
expect "dtc semantic error passed through" 1 "nolabel" "$DTPASS" check "$SYS" --board "$tmp/ref.dts"
printf '#include "missing-header.h"\n/dts-v1/;\n/ { };\n' >"$tmp/cpp.dts"
expect "cpp error passed through" 1 "missing-header.h" "$DTPASS" check "$SYS" --board "$tmp/cpp.dts"

# --- DTB boards ------------------------------------------------------------
head -c 200 "$tmp/virt.dtb" >"$tmp/trunc.dtb"
expect "truncated DTB" 1 "trunc.dtb" "$DTPASS" check "$SYS" --board "$tmp/trunc.dtb"
{ printf '\320\015\376\355'; head -c 4096 /dev/zero; } >"$tmp/zero.dtb"
expect "DTB header with garbage" 1 "zero.dtb" "$DTPASS" check "$SYS" --board "$tmp/zero.dtb"
expect "dtpass board on a truncated DTB" 1 "trunc.dtb" "$DTPASS" board "$tmp/trunc.dtb"

# --- outputs ---------------------------------------------------------------
expect "output directory under a regular file" 2 "$tmp/file/out" \
    "$DTPASS" build "$SYS" -q -o "$tmp/file/out"
expect "depfile under a regular file" 2 "$tmp/file/deps.d" \
    "$DTPASS" build "$SYS" -q -o "$tmp/out-dep" -M "$tmp/file/deps.d"
[ ! -e "$tmp/out-dep" ] || [ -z "$(ls -A "$tmp/out-dep")" ] &&
    ok "no output committed when the depfile cannot be written" ||
    notok "outputs committed although the depfile failed: $(ls "$tmp/out-dep" | head -n 3 | tr '\n' ' ')"
cp "$SYS" "$tmp/sys-copy"
expect "-o names the system file" 2 "cannot write the outputs in $SYS: Not a directory" \
    "$DTPASS" build "$SYS" -q -o "$SYS"
cmp -s "$SYS" "$tmp/sys-copy" && ok "the system file given as -o is unchanged" || notok "-o SYSTEM changed the system file"
mkdir -p "$tmp/out-blocked/linux.dtb"
expect "an output path taken by a directory" 2 "cannot write the outputs in $tmp/out-blocked" \
    "$DTPASS" build "$SYS" -q -o "$tmp/out-blocked"
[ -z "$(find "$tmp" -name '*.tmp-*')" ] && ok "no temporaries left by any failure" ||
    notok "temporaries left: $(find "$tmp" -name '*.tmp-*' | head -n 3 | tr '\n' ' ')"
# --- the disk failing during the build and the switch ----------------------
if cc -shared -fPIC -o "$tmp/io-fault.so" tests/io-fault.c -ldl 2>"$tmp/err"; then
    fo=$tmp/fault/out dep=$tmp/fault/out/deps.d
    "$DTPASS" build "$SYS" --board "$tmp/virt.dtb" -q -o "$fo" -M "$fo/deps.d" || notok "build into $fo failed"
    nfiles=$(find "$fo" -type f | wc -l)
    state() { (cd "$fo" && find . -type f -exec sha256sum {} + | sort -k2 && find . -type f -printf '%i %p\n' | sort -k2); }
    state >"$tmp/f1"
    # ASan must come first among the libraries unless told it need not.
    fault() { # what CALL:N pattern
        env LD_PRELOAD="$tmp/io-fault.so" DTPASS_FAULT="$2" ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
            "$DTPASS" build "$SYS" --board "$tmp/virt.dtb" -q -o "$fo" -M "$dep" >"$tmp/out" 2>"$tmp/err" </dev/null
        rc=$?
        state >"$tmp/f2"
        if [ $rc -ne 2 ] || ! grep -q -- "$3" "$tmp/err"; then
            notok "$1: exit $rc, expected 2 with '$3'"; sed 's/^/    /' "$tmp/err" | head -n 5
        elif ! cmp -s "$tmp/f1" "$tmp/f2"; then
            notok "$1: the previous set changed"; diff "$tmp/f1" "$tmp/f2" | head -n 8 | sed 's/^/    /'
        elif [ -n "$(ls -A "$tmp/fault" | grep dtpass-new)" ] || [ -n "$(find "$fo" -name '*.tmp-*' -o -name '.dtpass-new*')" ]; then
            notok "$1: staging files left: $(ls -A "$tmp/fault" | tr '\n' ' ')"
        else
            ok "$1: exit 2, '$(grep -m1 error "$tmp/err" | cut -c1-90)', exactly the previous $nfiles files (same inodes)"
        fi
    }
    half=$((nfiles / 2))
    fault "ENOSPC on the write of file $half of $nfiles" "write:$half" "No space left on device"
    fault "ENOSPC on the last write (the manifest)" "write:$nfiles" "No space left on device"
    fault "EIO from fsync of a staged file" "fsync:3" "Input/output error"
    fault "EIO from fsync of the staging directory" "fsync:$((nfiles + 1))" "Input/output error"
    fault "EIO from the exchange (renameat2)" "renameat2:1" "cannot write the outputs in $fo: Input/output error"
    fault "EIO carrying a file over (linkat)" "linkat:1" "cannot carry $fo/"
    # A file system without RENAME_EXCHANGE (EINVAL) or hard links (EPERM):
    # the per-file fallback writes the new set and keeps a file of the user's.
    fallback() { # what fault
        echo mine >"$fo/NOTES"
        sed -e 's/name: linux/name: penguin/' -e 's/guest: linux/guest: penguin/' "$SYS" >"$tmp/ex/p.yaml"
        env LD_PRELOAD="$tmp/io-fault.so" DTPASS_FAULT="$2" ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
            "$DTPASS" build "$tmp/ex/p.yaml" --board "$tmp/virt.dtb" -q -o "$fo" -M "$fo/deps.d" 2>"$tmp/err"
        rc=$?
        "$DTPASS" build "$tmp/ex/p.yaml" --board "$tmp/virt.dtb" -q -o "$tmp/fault/ref" -M "$tmp/fault/ref/deps.d" 2>/dev/null
        kept=$(cat "$fo/NOTES" 2>/dev/null)
        rm -f "$fo/NOTES" "$fo/deps.d" "$tmp/fault/ref/deps.d" # (deps.d names its own directory)
        if [ $rc -eq 0 ] && [ "$kept" = mine ] && diff -r "$tmp/fault/ref" "$fo" >/dev/null 2>&1 &&
            [ -z "$(ls -A "$tmp/fault" "$fo" | grep dtpass-new)" ]; then
            ok "$1: the per-file fallback switched exactly the new set (penguin.*, no linux.*) and kept NOTES"
        else
            notok "$1: exit $rc, $(ls -A "$fo" | tr '\n' ' ')"; sed 's/^/    /' "$tmp/err" | head -n 5
        fi
        rm -rf "$tmp/fault/ref"
        "$DTPASS" build "$SYS" --board "$tmp/virt.dtb" -q -o "$fo" -M "$fo/deps.d" || notok "rebuild into $fo failed"
    }
    fallback "no RENAME_EXCHANGE (EINVAL)" renameat2:1:EINVAL
    fallback "no hard links (EPERM)" linkat:1:EPERM
    # A depfile in a subdirectory of DIR: the staging directory needs a mkdir.
    fo=$tmp/fault/out2 dep=$tmp/fault/out2/deps/system.d
    "$DTPASS" build "$SYS" --board "$tmp/virt.dtb" -q -o "$fo" -M "$dep" || notok "build into $fo failed"
    state >"$tmp/f1"
    fault "EIO making an output's directory (mkdir)" "mkdir:1" "Input/output error"
    fo=$tmp/fault/out dep=$tmp/fault/out/deps.d
    state >"$tmp/f1"
    env LD_PRELOAD="$tmp/io-fault.so" DTPASS_FAULT=write:999 ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
        "$DTPASS" build "$SYS" --board "$tmp/virt.dtb" -q -o "$fo" -M "$fo/deps.d"
    rc=$?
    state >"$tmp/f2"
    sed -n '/^[0-9a-f]\{64\} /p' "$tmp/f1" >"$tmp/s1"; sed -n '/^[0-9a-f]\{64\} /p' "$tmp/f2" >"$tmp/s2"
    [ $rc -eq 0 ] && cmp -s "$tmp/s1" "$tmp/s2" && ! cmp -s "$tmp/f1" "$tmp/f2" &&
        ok "with the library loaded but no fault, the build switches a new set (new inodes, same bytes)" ||
        notok "the fault library itself breaks the build"
else
    notok "cannot build tests/io-fault.c: $(head -n 2 "$tmp/err")"
fi
expect "dump of a missing file" 2 "$tmp/none.dtpb" "$DTPASS" dump "$tmp/none.dtpb"
expect "dump of a non-blob" 2 "not a system.dtpb" "$DTPASS" dump "$SYS"

# stdin: `-` reads YAML (the board then comes from --board, relative to cwd).
expect "system on stdin" 0 "" sh -c "'$DTPASS' check - --board '$tmp/virt.dtb' -q <'$SYS'"
[ $fails -eq 0 ]
