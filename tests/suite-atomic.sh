#!/bin/sh
# tests/suite-atomic.sh — SPEC §1: outputs are written only when the whole
# compile succeeded, switch as one set, are never one of the inputs, and two
# builds into one directory never interleave (docs/integration.md).
# 1. Builds an example, checksums its outputs (and the -M depfile), then
#    breaks the system in several ways — a YAML syntax error, a schema
#    error, a failing isolation check, a DSL error, a board that does not
#    compile — and builds again into the same directory: each failed build
#    must exit 1, leave every file byte-identical with the same modification
#    time, add no file, and leave no temporary behind. A failed build into a
#    fresh directory must not create it.
# 2. An output that is an input, for each kind of input (system file, DSL
#    include, board, a file dtc or cpp opened, --classes, a boot: image),
#    also through a symlink and through a path with `..`: exit 2 naming both,
#    nothing changed.
# 3. Files dtpass did not write survive a build (same inode); -o . and -o
#    through a symlink work.
# 4. 100 builds killed with SIGKILL at random moments: the directory always
#    holds exactly one complete set, the old or the new.
# 5. Concurrent builds of two systems into one directory end with exactly
#    one system's set; a build waits for the lock, or with --no-wait fails
#    saying so; a lock whose holder was killed blocks nothing.
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

# --- 2. no output may be an input -------------------------------------------
c=$tmp/c
mkdir -p "$c"
cp -r examples/qemu-virt "$c/ex"
dtc -q -I dts -O dtb -o "$c/virt.dtb" "$c/ex/board/virt.dts" || notok "dtc cannot compile the board"
B="--board $c/virt.dtb"
"$DTPASS" build "$c/ex/system.yaml" $B -q -o "$c/out" || notok "build into $c/out failed"
tree_state() { # dir -> content, inode and mtime of every file below it, and its directories
    # (taking the lock creates and removes DIR/.dtpass-lock: a directory's
    # mtime may change, nothing in it does)
    (cd "$1" && find . -type f -exec sha256sum {} + | sort -k2 && find . ! -type d -printf '%i %T@ %y %p\n' | sort -k4 &&
        find . -type d | sort)
}
collide() { # name: what; dir: watched; input: the file that must keep its bytes; pattern; command...
    name=$1 dir=$2 input=$3 pat=$4
    shift 4
    tree_state "$dir" >"$tmp/c1"
    cp "$input" "$tmp/input-copy"
    "$@" >"$tmp/err" 2>&1
    rc=$?
    tree_state "$dir" >"$tmp/c2"
    if [ $rc -ne 2 ]; then
        notok "collision, $name: exit $rc, expected 2"; sed 's/^/    /' "$tmp/err" | head -n 5
    elif ! grep -q -- "$pat" "$tmp/err"; then
        notok "collision, $name: stderr lacks '$pat'"; sed 's/^/    /' "$tmp/err" | head -n 5
    elif ! cmp -s "$tmp/c1" "$tmp/c2" || ! cmp -s "$input" "$tmp/input-copy"; then
        notok "collision, $name: something was written"; diff "$tmp/c1" "$tmp/c2" | head -n 6 | sed 's/^/    /'
    elif [ -n "$(ls -a "$c" "$c/ex" | grep dtpass-new)" ]; then
        notok "collision, $name: staging directory left behind"
    else
        ok "collision, $name: exit 2, '$(grep -m1 -o 'the output.*' "$tmp/err" | cut -c1-100)', nothing written"
    fi
}
# The board, at an output's path, directly, through a symlink, and through
# relative paths with `..` (in the board and in -o).
cp "$c/virt.dtb" "$c/out/linux.dtb"
collide "board at an output path" "$c/out" "$c/virt.dtb" "the output $c/out/linux.dtb is the input $c/out/linux.dtb" \
    "$DTPASS" build "$c/ex/system.yaml" --board "$c/out/linux.dtb" -q -o "$c/out"
ln -s out/linux.dtb "$c/b.dtb"
collide "board through a symlink" "$c/out" "$c/virt.dtb" "is the input $c/b.dtb" \
    "$DTPASS" build "$c/ex/system.yaml" --board "$c/b.dtb" -q -o "$c/out"
collide "board through ../ in its path" "$c/out" "$c/virt.dtb" "is the input ../out/../out/linux.dtb" \
    sh -c "cd '$c/ex' && exec '$DTPASS' build system.yaml --board ../out/../out/linux.dtb -q -o ../out"
collide "-o through ../" "$c/out" "$c/virt.dtb" "the output $c/ex/../out/linux.dtb is the input" \
    "$DTPASS" build "$c/ex/system.yaml" --board "$c/out/linux.dtb" -q -o "$c/ex/../out"
# An output that is a symlink to an input would make the next build read
# this build's output as that input.
ln -sf ../ex/system.yaml "$c/out/rtos.dts"
collide "system file behind an output symlink" "$c/ex" "$c/ex/system.yaml" "the output $c/out/rtos.dts is the input $c/ex/system.yaml" \
    "$DTPASS" build "$c/ex/system.yaml" $B -q -o "$c/out"
collide "system file as the depfile" "$c/ex" "$c/ex/system.yaml" "the output $c/ex/system.yaml is the input" \
    "$DTPASS" build "$c/ex/system.yaml" $B -q -o "$c/out2" -M "$c/ex/system.yaml"
rm "$c/out/rtos.dts"
[ ! -e "$c/out2" ] && ok "the refused build did not create its output directory" || notok "$c/out2 created"
# A DSL include named like an output, with -o the system's own directory.
printf '// constants\n' >"$c/ex/linux.dts"
sed 's|^board .*|board "../virt.dtb";\ninclude "linux.dts";|' "$c/ex/system.dtpass" >"$c/ex/inc.dtpass"
collide "DSL include" "$c/ex" "$c/ex/linux.dts" "the output $c/ex/linux.dts is the input $c/ex/linux.dts" \
    "$DTPASS" build "$c/ex/inc.dtpass" -q -o "$c/ex"
# Files dtc (/include/) and cpp (#include) opened for a DTS board.
printf '/* fragment */\n' >"$c/ex/board/rtos.dts"
{ cat "$c/ex/board/virt.dts"; printf '/include/ "rtos.dts"\n'; } >"$c/ex/board/b-dtc.dts"
collide "a file dtc opened" "$c/ex/board" "$c/ex/board/rtos.dts" "the output $c/ex/board/rtos.dts is the input" \
    "$DTPASS" build "$c/ex/system.yaml" --board "$c/ex/board/b-dtc.dts" -q -o "$c/ex/board"
printf '/* header */\n' >"$c/ex/board/linux.dts"
{ printf '#include "linux.dts"\n'; cat "$c/ex/board/virt.dts"; } >"$c/ex/board/b-cpp.dts"
collide "a file cpp opened" "$c/ex/board" "$c/ex/board/linux.dts" "the output $c/ex/board/linux.dts is the input" \
    "$DTPASS" build "$c/ex/system.yaml" --board "$c/ex/board/b-cpp.dts" -q -o "$c/ex/board"
rm "$c/ex/board/rtos.dts" "$c/ex/board/linux.dts" "$c/ex/board"/b-*.dts
# --classes, a boot: image at an output path, and a boot: image where an
# output directory (xen/) goes.
cp schemas/device-classes.yaml "$c/out/hvdata.bin"
collide "--classes" "$c/out" "$c/out/hvdata.bin" "the output $c/out/hvdata.bin is the input $c/out/hvdata.bin" \
    "$DTPASS" build "$c/ex/system.yaml" $B --classes "$c/out/hvdata.bin" -q -o "$c/out"
head -c 65536 /dev/zero | tr '\0' k >"$c/ex/Image"
"$DTPASS" build "$c/ex/xen.yaml" --target dtb,xen -q -o "$c/ex/xo" || notok "xen build failed"
sed 's|file: Image, load: 0x68000000|file: xo/xen/boot.scr.txt, load: 0x68000000|' "$c/ex/xen.yaml" >"$c/ex/x2.yaml"
collide "boot: image" "$c/ex/xo" "$c/ex/xo/xen/boot.scr.txt" "the output $c/ex/xo/xen/boot.scr.txt is the input" \
    "$DTPASS" build "$c/ex/x2.yaml" --target dtb,xen -q -o "$c/ex/xo"
mkdir "$c/ex/xo2" && cp "$c/ex/Image" "$c/ex/xo2/xen"
sed 's|file: Image, load: 0x68000000|file: xo2/xen, load: 0x68000000|' "$c/ex/xen.yaml" >"$c/ex/x3.yaml"
collide "boot: image where an output directory goes" "$c/ex/xo2" "$c/ex/xo2/xen" "the output directory $c/ex/xo2/xen is the input" \
    "$DTPASS" build "$c/ex/x3.yaml" --target dtb,xen -q -o "$c/ex/xo2"
# An output of the previous set that this build drops (guest linux renamed)
# is an input of this build: removing it would destroy the input.
sed -e 's/name: linux/name: penguin/' -e 's/guest: linux/guest: penguin/' \
    -e 's|file: Image, load: 0x68000000|file: xo/linux.dtb, load: 0x68000000|' "$c/ex/xen.yaml" >"$c/ex/x4.yaml"
collide "boot: image that is a dropped output of the previous build" "$c/ex/xo" "$c/ex/xo/linux.dtb" \
    "the input $c/ex/xo/linux.dtb is $c/ex/xo/linux.dtb, an output of the previous build" \
    "$DTPASS" build "$c/ex/x4.yaml" --target dtb,xen -q -o "$c/ex/xo"

# --- 3. what dtpass did not write is kept -----------------------------------
k=$tmp/k
"$DTPASS" build "$c/ex/xen.yaml" --target dtb,xen -q -o "$k" || notok "build into $k failed"
echo notes >"$k/NOTES" && mkdir -p "$k/logs/old" && echo log >"$k/logs/old/a.log" &&
    echo mine >"$k/xen/extra" && ln -s NOTES "$k/link" && mkfifo "$k/fifo"
state_k() { (cd "$k" && find NOTES xen/extra link fifo -printf '%i %m %y %p\n' && find logs -printf '%m %y %p\n') | sort; }
state_k >"$tmp/k1"
"$DTPASS" build "$c/ex/xen.yaml" --target dtb,xen -q -o "$k" 2>"$tmp/err" || notok "rebuild into $k failed"
state_k >"$tmp/k2"
if [ "$(cat "$k/NOTES" "$k/logs/old/a.log" "$k/xen/extra")" = "notes
log
mine" ] && [ -L "$k/link" ] && [ -p "$k/fifo" ] && cmp -s "$tmp/k1" "$tmp/k2" &&
    grep -q "^$(stat -c %i "$k/NOTES") .* NOTES\$" "$tmp/k1"; then
    ok "files, a symlink, a fifo (same inodes) and directories (same modes) dtpass did not write survive a build"
else
    notok "foreign files changed by a build"; diff "$tmp/k1" "$tmp/k2" | head -n 6 | sed 's/^/    /'
fi
[ -z "$(ls -A "$tmp" | grep dtpass)" ] && [ ! -e "$k/.dtpass-lock" ] &&
    ok "a finished build leaves neither a lock file nor a staging directory" ||
    notok "left behind: $(ls -A "$tmp" "$k" | grep dtpass | head -n 3 | tr '\n' ' ')"
# -o . (the working directory cannot be exchanged: per-file renames) and
# -o through a symlink (the symlink stays, the directory it names changes).
mkdir "$tmp/here" && cp "$c/virt.dtb" "$tmp/here/board.dtb"
(cd "$tmp/here" && "$DTPASS" build "$c/ex/system.yaml" --board board.dtb -q -o . && "$DTPASS" build "$c/ex/system.yaml" --board board.dtb -q -o .) &&
    [ -f "$tmp/here/linux.dtb" ] && [ -f "$tmp/here/board.dtb" ] && [ -z "$(ls -A "$tmp/here" | grep "dtpass-lock\|dtpass-new")" ] &&
    ok "-o . builds twice in the working directory, keeping the board there" || notok "-o . failed"
sed -e 's/name: linux/name: penguin/' -e 's/guest: linux/guest: penguin/' "$c/ex/system.yaml" >"$c/ex/p.yaml"
echo mine >"$tmp/here/NOTES"
(cd "$tmp/here" && "$DTPASS" build "$c/ex/p.yaml" --board board.dtb -q -o .) && [ -f "$tmp/here/penguin.dtb" ] &&
    [ ! -e "$tmp/here/linux.dtb" ] && [ ! -e "$tmp/here/s2-linux.bin" ] && [ -f "$tmp/here/board.dtb" ] && [ -f "$tmp/here/NOTES" ] &&
    ok "-o . (file by file): another system's build replaces linux.* by penguin.*, keeps the board and NOTES" ||
    notok "-o . with another system: $(ls "$tmp/here" | tr '\n' ' ')"
mkdir "$tmp/real" && ln -s real "$tmp/sym"
"$DTPASS" build "$c/ex/system.yaml" $B -q -o "$tmp/sym" && "$DTPASS" build "$c/ex/system.yaml" $B -q -o "$tmp/sym" &&
    [ -L "$tmp/sym" ] && [ -f "$tmp/real/linux.dtb" ] && ok "-o through a symlink: the symlink stays, its directory holds the set" ||
    notok "-o through a symlink"
# A mount point cannot be exchanged: the per-file fallback (where this
# machine lets us mount a tmpfs, i.e. as root with CAP_SYS_ADMIN).
mkdir "$tmp/mnt"
if mount -t tmpfs tmpfs "$tmp/mnt" 2>/dev/null; then
    sed -e 's/name: linux/name: penguin/' -e 's/guest: linux/guest: penguin/' "$c/ex/system.yaml" >"$c/ex/p.yaml"
    echo mine >"$tmp/mnt/NOTES"
    "$DTPASS" build "$c/ex/system.yaml" $B -q -o "$tmp/mnt" && "$DTPASS" build "$c/ex/p.yaml" $B -q -o "$tmp/mnt" &&
        mountpoint -q "$tmp/mnt" && [ -f "$tmp/mnt/penguin.dtb" ] && [ ! -e "$tmp/mnt/linux.dtb" ] && [ -f "$tmp/mnt/NOTES" ] &&
        [ -z "$(ls -A "$tmp/mnt" | grep 'dtpass-new\|dtpass-lock')" ] &&
        ok "-o a mount point: still mounted, the new set in it (file by file), NOTES kept" ||
        notok "-o a mount point: $(ls -A "$tmp/mnt" | tr '\n' ' ')"
    umount "$tmp/mnt"
fi

# --- 4. killed at random moments ----------------------------------------------
# Two systems with different file names and contents; each kill must leave
# exactly the set of A or of B (a lock file a killed build leaves is no output).
sed -e 's/name: linux/name: penguin/' -e 's/guest: linux/guest: penguin/' -e 's/console=ttyAMA0/console=ttyAMA0 quiet/' \
    "$c/ex/system.yaml" >"$c/ex/b.yaml"
set_of() { (cd "$1" && find . -type f ! -name .dtpass-lock -exec sha256sum {} + | sort -k2 | sha256sum | cut -c1-16); }
kd=$tmp/kill
"$DTPASS" build "$c/ex/b.yaml" $B -q -o "$kd" -M "$kd/deps.d" && B_SET=$(set_of "$kd") || notok "build of B failed"
rm -rf "$kd"
for i in 1 2 3; do # the median of three builds: kills then land before, during and after the switch
    t0=$(date +%s%N)
    "$DTPASS" build "$c/ex/system.yaml" $B -q -o "$kd" -M "$kd/deps.d" || notok "build of A failed"
    echo $((($(date +%s%N) - t0) / 1000000 + 1))
done >"$tmp/times"
A_SET=$(set_of "$kd")
ms=$(sort -n "$tmp/times" | sed -n 2p)
[ "$A_SET" != "$B_SET" ] || notok "the two systems give the same set"
seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
awk -v seed="$seed" -v ms="$ms" 'BEGIN { srand(seed); for (i = 0; i < 100; i++) printf "%.4f\n", rand() * ms * 1.3 / 1000 }' >"$tmp/delays"
old=0 new=0 bad=0 cur=$A_SET
t0=$(date +%s)
while read -r d; do
    if [ "$cur" = "$A_SET" ]; then sys=b.yaml want=$B_SET; else sys=system.yaml want=$A_SET; fi
    "$DTPASS" build "$c/ex/$sys" $B -q -o "$kd" -M "$kd/deps.d" 2>/dev/null &
    pid=$!
    sleep "$d"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    now=$(set_of "$kd")
    if [ "$now" = "$cur" ]; then old=$((old + 1))
    elif [ "$now" = "$want" ]; then new=$((new + 1)); cur=$now
    else bad=$((bad + 1)); [ $bad -le 3 ] && notok "killed after ${d}s: a mixed or partial set: $(ls -A "$kd" | tr '\n' ' ')"
    fi
done <"$tmp/delays"
[ $bad -eq 0 ] && ok "100 builds killed at random moments (0..$((ms * 13 / 10)) ms, seed $seed): always one whole set ($old old, $new new) in $(($(date +%s) - t0)) s" ||
    notok "$bad of 100 killed builds left a mixed set (seed $seed)"
"$DTPASS" build "$c/ex/system.yaml" $B -q -o "$kd" -M "$kd/deps.d" && [ "$(set_of "$kd")" = "$A_SET" ] &&
    [ -z "$(ls -A "$tmp" | grep 'kill.dtpass-new')" ] &&
    ok "the build after the kills gives the set again and removes the killed builds' staging directories" ||
    notok "the build after the kills: $(ls -A "$tmp" | grep dtpass | head -n 3 | tr '\n' ' ')"

# --- 5. one build at a time ---------------------------------------------------
mixed=0
for i in 1 2 3 4 5; do
    "$DTPASS" build "$c/ex/system.yaml" $B -q -o "$kd" -M "$kd/deps.d" & p1=$!
    "$DTPASS" build "$c/ex/b.yaml" $B -q -o "$kd" -M "$kd/deps.d" & p2=$!
    wait $p1; r1=$?; wait $p2; r2=$?
    now=$(set_of "$kd")
    [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && { [ "$now" = "$A_SET" ] || [ "$now" = "$B_SET" ]; } || mixed=$((mixed + 1))
done
[ $mixed -eq 0 ] && ok "two concurrent builds of different systems into one directory, 5 times: both succeed, one whole set" ||
    notok "concurrent builds: $mixed of 5 ended mixed or failed"
if command -v flock >/dev/null; then
    flock -o "$kd/.dtpass-lock" sleep 1 & holder=$!
    sleep 0.2
    before=$(set_of "$kd")
    "$DTPASS" build "$c/ex/b.yaml" $B -q -o "$kd" --no-wait 2>"$tmp/err"
    rc=$?
    [ $rc -eq 2 ] && grep -q "another dtpass build is writing $kd" "$tmp/err" && [ "$(set_of "$kd")" = "$before" ] &&
        ok "--no-wait while the directory is locked: exit 2, '$(cut -c1-90 "$tmp/err" | head -n1)'" ||
        notok "--no-wait while locked: exit $rc, $(head -n1 "$tmp/err")"
    t0=$(date +%s%N)
    "$DTPASS" build "$c/ex/b.yaml" $B -q -o "$kd" -M "$kd/deps.d" 2>"$tmp/err"
    rc=$? waited=$((($(date +%s%N) - t0) / 1000000))
    [ $rc -eq 0 ] && [ $waited -ge 500 ] && [ "$(set_of "$kd")" = "$B_SET" ] &&
        ok "without --no-wait the build waited ${waited} ms for the lock, then wrote its set" ||
        notok "waiting for the lock: exit $rc after $waited ms"
    wait $holder
    flock -o "$kd/.dtpass-lock" sleep 3 & holder=$!
    sleep 0.2
    kill -9 $holder; wait $holder 2>/dev/null
    "$DTPASS" build "$c/ex/system.yaml" $B -q -o "$kd" --no-wait -M "$kd/deps.d" && [ "$(set_of "$kd")" = "$A_SET" ] &&
        ok "a lock whose holder was killed (SIGKILL) blocks nothing" || notok "a killed holder's lock blocked the build"
else
    notok "no flock(1) to hold the lock with (util-linux)"
fi
[ $fails -eq 0 ]
