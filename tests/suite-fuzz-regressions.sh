#!/bin/sh
# tests/suite-fuzz-regressions.sh — replays every input the fuzzers (or
# people) found troublesome, kept in tests/fuzz/regressions/<target>/, through
# the real dtpass binary the way a user would hit it:
#   yaml  -> dtpass check FILE.yaml --board <QEMU virt>
#   dsl   -> dtpass check FILE.dtpass --board <QEMU virt> (beside the fuzz
#            target's fixed include, inc.dtpass)
#   board -> dtpass board FILE
#   check -> dtpass build FILE.yaml --board <QEMU virt> with every output and
#            every hypervisor target (what fuzz_check runs)
#   dtpb  -> dtpass dump FILE (and --json)
# Each must end with exit status 1 or 2 (an input named *.valid.* with 0) and
# no sanitizer report (run `make SANITIZE=1 check` for the ASan/UBSan build),
# within 20 s. Adding a regression: copy build-fuzz/artifacts/<target>-crash-*
# to tests/fuzz/regressions/<target>/<what-it-was>[.yaml|.dtpass|.dtb|.dtpb].
set -u
cd "$(dirname "$0")/.."
DTPASS=${DTPASS:-$PWD/build/dtpass}
CACHE=${DTPASS_CACHE:-$(sh tools/fetch-boards)}
BOARD=$CACHE/qemu/virt-gicv3-smmuv3.dtb
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 count=0

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; fails=$((fails + 1)); }

[ -f "$BOARD" ] || { notok "no QEMU virt board at $BOARD (tools/fetch-boards)"; exit 1; }
printf '/dtpass-v1/;\nconst INC_BASE = 0x48000000;\nconst INC_SIZE = 256M;\n' >"$tmp/inc.dtpass"

replay() { # target file
    t=$1 f=$2
    rm -rf "$tmp/out" "$tmp/in".*
    case $t in
        yaml) cp "$f" "$tmp/in.yaml"; set -- check "$tmp/in.yaml" --board "$BOARD" ;;
        dsl) cp "$f" "$tmp/in.dtpass"; set -- check "$tmp/in.dtpass" --board "$BOARD" ;;
        board) set -- board "$f" ;;
        check) cp "$f" "$tmp/in.yaml"
               set -- build "$tmp/in.yaml" --board "$BOARD" -o "$tmp/out" \
                   --target dts,dtb,smmu,s2,hvdata,blob,report,xen,qnx,jailhouse ;;
        dtpb) set -- dump "$f" ;;
        *) notok "$f: unknown fuzz target directory '$t'"; return ;;
    esac
    timeout 20 "$DTPASS" "$@" </dev/null >"$tmp/stdout" 2>"$tmp/stderr"
    rc=$?
    if [ "$t" = dtpb ] && [ $rc -lt 3 ]; then
        timeout 20 "$DTPASS" dump "$f" --json </dev/null >>"$tmp/stdout" 2>>"$tmp/stderr"
        rc2=$?
        [ $rc2 -ne $rc ] && rc=$rc2
    fi
    want="1 or 2"
    case $(basename "$f") in *.valid.*) want=0 ;; esac
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: UndefinedBehaviorSanitizer' "$tmp/stderr"; then
        notok "$t/$(basename "$f"): sanitizer report"
        sed -n '1,30s/^/    /p' "$tmp/stderr"
    elif [ $rc -eq 124 ]; then
        notok "$t/$(basename "$f"): still running after 20 s"
    elif { [ "$want" = 0 ] && [ $rc -ne 0 ]; } || { [ "$want" != 0 ] && [ $rc -ne 1 ] && [ $rc -ne 2 ]; }; then
        notok "$t/$(basename "$f"): exit status $rc, expected $want"
        sed -n '1,10s/^/    /p' "$tmp/stderr"
    elif [ "$want" != 0 ] && ! grep -q . "$tmp/stderr"; then
        notok "$t/$(basename "$f"): exit $rc without a diagnostic"
    else
        ok "$t/$(basename "$f"): exit $rc, no sanitizer report"
    fi
}

for d in tests/fuzz/regressions/*/; do
    [ -d "$d" ] || continue
    t=$(basename "$d")
    for f in "$d"*; do
        [ -f "$f" ] || continue
        count=$((count + 1))
        replay "$t" "$f"
    done
done
[ $count -eq 0 ] && ok "no fuzz regression inputs recorded"
[ $fails -eq 0 ]
