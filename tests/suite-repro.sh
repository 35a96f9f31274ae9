#!/bin/sh
# tests/suite-repro.sh — SPEC §1: the same inputs give byte-identical
# outputs on any host. Every example system (YAML and DSL, every target
# including xen, qnx and report) is built twice:
#   A: from a copy of the example, run in it with relative paths, TZ=UTC,
#      LC_ALL=C, output in $tmp/a
#   B: from a copy of the example at another absolute path, run from /,
#      TZ=Pacific/Chatham, LC_ALL=C.UTF-8 (or whatever UTF-8 locale exists),
#      umask 077, output several directories deeper at another path
# and every output file must be byte-identical, with none naming a host
# path (the temporary directories, the repository or the output directory).
. "$(dirname "$0")/lib.sh"

utf8=$(locale -a 2>/dev/null | grep -i -m1 'utf-\?8' || echo C.UTF-8)
n=0
for sys in examples/*/*.yaml examples/*/*.dtpass; do
    [ -f "$sys" ] || continue
    case $sys in */memory-map.dtpass) continue ;; esac # an include, not a system
    ex=$(basename "$(dirname "$sys")")
    f=$(basename "$sys")
    name=$ex-$(echo "$f" | tr . -)
    # A copy of all examples (one may use another's board: qnx-cockpit),
    # built in the example's own directory.
    a=$tmp/a/$name/$ex
    b=$tmp/elsewhere/much/deeper/than/a/$name/$ex
    for d in "$a" "$b"; do
        mkdir -p "$d"
        cp -r examples/. "$d/.."
    done
    targets=dts,dtb,smmu,s2,hvdata,blob,report,qnx
    case $f in
        xen*) # Boot images are only read for their size: deterministic
              # stand-ins, the same bytes in both copies.
            targets=$targets,xen
            for img in $(sed -n -e 's/.*file: *\([^ ,}]*\).*/\1/p' \
                             -e 's/.*\(kernel\|ramdisk\) *"\([^"]*\)".*/\2/p' "$sys"); do
                for d in "$a" "$b"; do
                    mkdir -p "$(dirname "$d/$img")"
                    head -c 1048576 /dev/zero | tr '\0' 'k' >"$d/$img"
                done
            done ;;
        jailhouse*) targets=$targets,jailhouse ;;
    esac
    if ! (cd "$a" && TZ=UTC LC_ALL=C "$DTPASS" build "$f" -q --target $targets -o out) 2>"$tmp/err"; then
        notok "$sys: build A failed"; sed 's/^/    /' "$tmp/err" | head -n 10; continue
    fi
    if ! (cd "$b" && umask 077 && TZ=Pacific/Chatham LC_ALL=$utf8 \
            "$DTPASS" build "$f" -q --target $targets -o out) 2>"$tmp/err"; then
        notok "$sys: build B failed"; sed 's/^/    /' "$tmp/err" | head -n 10; continue
    fi
    n=$((n + 1))
    if diff -r "$a/out" "$b/out" >"$tmp/diff" 2>&1; then
        ok "$sys ($targets): $(find "$a/out" -type f | wc -l) files byte-identical across directories, TZ, locale and umask"
    else
        notok "$sys: outputs differ"; sed 's/^/    /' "$tmp/diff" | head -n 20
    fi
    leaked=$(grep -rl -e "$tmp" -e "$PWD" -e "$HOME/" "$a/out" "$b/out" 2>/dev/null | head -n 3)
    [ -z "$leaked" ] && ok "$sys: no host path in any output" || notok "$sys: host path in $leaked"
    # Building the same thing again in place gives the same bytes too.
    mv "$a/out" "$a/out.first"
    if (cd "$a" && TZ=Asia/Kathmandu "$DTPASS" build "$f" -q --target $targets -o out) 2>/dev/null &&
        diff -r "$a/out.first" "$a/out" >/dev/null 2>&1; then
        ok "$sys: a second build in the same place is identical"
    else
        notok "$sys: a second build differs"
    fi
done
[ $n -gt 0 ] || notok "no example was built"
[ $fails -eq 0 ]
