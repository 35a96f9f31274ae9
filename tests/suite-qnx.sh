#!/bin/sh
# tests/suite-qnx.sh — target qnx (docs/qnx.md):
#   * every example builds for --target qnx, and every qvmconf passes the
#     test-side reader (tests/qnx/qvmconf.py, written from QNX's documented
#     grammar) and its cross-check against `dtpass dump --json system.dtpb`:
#     every passed register range and interrupt route exactly once, every
#     shared-region window once, nothing else;
#   * the reader and the cross-check can fail: mutated configurations
#     (an unknown option, a malformed argument, the other release's pinning,
#     a dropped or duplicated line) are rejected;
#   * qnx-version selects runmask (7.1) or cluster (8.0), in YAML and DSL;
#   * the guest tree has a qvm,guest_shm device instead of the
#     reserved-memory window;
#   * `dtpass check --target qnx` reports the QNX findings, and a system
#     the target cannot express fails with file:line:col, exit 1, leaving
#     the previous outputs as they were.
. "$(dirname "$0")/lib.sh"
private_dtpass
PY=/usr/bin/python3
Q="$PY tests/qnx/qvmconf.py"

# --- every example: build, read, cross-check ---------------------------------
for sys in examples/*/system.yaml; do
    ex=$(basename "$(dirname "$sys")")
    out=$tmp/$ex
    if ! "$DTPASS" build "$sys" -q --target blob,qnx -o "$out" 2>"$tmp/log"; then
        notok "$ex builds for target qnx"; sed 's/^/    # /' "$tmp/log" | head -n 20; continue
    fi
    "$DTPASS" dump "$out/system.dtpb" --json >"$out/system.json"
    ver=8.0
    grep -q 'qnx-version: *"\?7.1' "$sys" && ver=7.1
    for conf in "$out"/qnx/*.qvmconf; do
        g=$(basename "$conf" .qvmconf)
        if r=$($Q lint "$conf" --version "$ver"); then ok "$ex/$g.qvmconf reads as documented QNX $ver syntax"
        else notok "$ex/$g.qvmconf reads as documented QNX $ver syntax"; echo "    # $r"; fi
        if r=$($Q cross "$conf" "$g" "$out/system.json"); then ok "$ex/$g: pass/intr/vdev shmem lines match system.dtpb"
        else notok "$ex/$g: pass/intr/vdev shmem lines match system.dtpb"; echo "$r" | sed 's/^/    # /'; fi
        if [ -f "$out/qnx/$g.dtb" ] && [ -f "$out/qnx/$g.dts" ] && grep -q "fdt load $g.dtb" "$conf"; then
            ok "$ex/$g: the guest tree the qvmconf loads is written"
        else notok "$ex/$g: the guest tree the qvmconf loads is written"; fi
    done
    [ -s "$out/qnx/host.txt" ] && ok "$ex: host.txt written" || notok "$ex: host.txt written"
done

# --- the reader and the cross-check reject what they must -------------------
C=$tmp/qnx-cockpit
base=$C/qnx/infotainment.qvmconf
mutate() { # description sed-expression [version]
    sed "$2" "$base" >"$tmp/mut.qvmconf"
    if $Q lint "$tmp/mut.qvmconf" --version "${3:-8.0}" >/dev/null; then notok "reader rejects $1"
    else ok "reader rejects $1"; fi
}
mutate "an unknown option" '$a\
frobnicate 1'
mutate "an undocumented vdev" '$a\
vdev virtio-net'
mutate "a malformed pass loc" 's/^pass loc mem:0x2800000,0x1000,rw=0x2800000$/pass loc mem:0x2800000,0x1000,rw=zz/'
mutate "a pass loc of part of a page" 's/^pass loc mem:0x2800000,0x1000,/pass loc mem:0x2800000,0x100,/'
mutate "an unknown access attribute" 's/,rw=0x2800000$/,rwq=0x2800000/'
mutate "a malformed pass intr" 's/^pass intr gic:224$/pass intr gic224/'
mutate "cluster under QNX SDP 7.1" 's/^x//' 7.1
mutate "a vdev shmem option outside the vdev" '1a\
allow ivc'
mutate "a cmdline without quotes" 's/^cmdline "\(.*\)"$/cmdline \1/'
mutate "a load without a path" 's/^load 0x880200000,Image$/load 0x880200000,/'
if $Q lint "$base" --version 8.0 >/dev/null; then ok "the unmutated configuration reads"; else notok "the unmutated configuration reads"; fi
cross_rejects() { # description sed-expression
    sed "$2" "$base" >"$tmp/infotainment.qvmconf"
    if $Q cross "$tmp/infotainment.qvmconf" infotainment "$C/system.json" >/dev/null; then
        notok "cross-check rejects $1"
    else ok "cross-check rejects $1"; fi
}
cross_rejects "a missing pass loc" '/^pass loc mem:0x2800000,/d'
cross_rejects "a duplicated pass intr" 's/^pass intr gic:224$/pass intr gic:224\
pass intr gic:224/'
cross_rejects "a pass loc at the wrong guest address" 's/^pass loc mem:0x2800000,0x1000,rw=0x2800000$/pass loc mem:0x3800000,0x1000,rw=0x2800000/'
cross_rejects "an extra passed page" '$a\
pass loc mem:0x9000000,0x1000,rw=0x9000000'
cross_rejects "a wrong host vector" 's/^pass intr gic:224$/pass intr gic:224=225/'
cross_rejects "a missing vdev shmem" '/^vdev shmem$/,$d'

# --- releases, both syntaxes, the guest tree ---------------------------------
ck=examples/qnx-cockpit
if grep -q '^cpu cluster _cpu-0$' "$C/qnx/infotainment.qvmconf" && ! grep -q runmask "$C/qnx/infotainment.qvmconf"; then
    ok "qnx-version 8.0 pins vCPUs with cluster _cpu-N"
else notok "qnx-version 8.0 pins vCPUs with cluster _cpu-N"; fi
mkdir -p "$tmp/v71"
sed 's/qnx-version: "8.0"/qnx-version: "7.1"/' $ck/system.yaml >"$tmp/v71/system.yaml"
sed 's/qnx-version "8.0"/qnx-version "7.1"/' $ck/system.dtpass >"$tmp/v71/system.dtpass"
for f in system.yaml system.dtpass; do
    "$DTPASS" build "$tmp/v71/$f" --board $ck/../j721e/board/k3-j721e-common-proc-board.dts -q --target qnx -o "$tmp/v71/out-$f" 2>"$tmp/log" ||
        { notok "$f with qnx-version 7.1 builds"; sed 's/^/    # /' "$tmp/log" | head; }
done
c71=$tmp/v71/out-system.yaml/qnx/cluster.qvmconf
if grep -q '^cpu runmask 1$' "$c71" && ! grep -q '^cpu cluster' "$c71" && $Q lint "$c71" --version 7.1 >/dev/null; then
    ok "qnx-version 7.1 pins vCPUs with runmask and reads as 7.1 syntax"
else notok "qnx-version 7.1 pins vCPUs with runmask and reads as 7.1 syntax"; fi
if diff -r "$tmp/v71/out-system.yaml/qnx" "$tmp/v71/out-system.dtpass/qnx" >/dev/null; then
    ok "YAML and DSL give the same qnx/ outputs"
else notok "YAML and DSL give the same qnx/ outputs"; fi
dts=$C/qnx/cluster.dts
if grep -q 'compatible = "qvm,guest_shm"' "$dts" && grep -q 'guest-shm@50000000' "$dts" &&
    grep -A5 'guest-shm@50000000' "$dts" | grep -q 'interrupts = <0x0 0x3c 0x4>' && ! grep -q 'reserved-memory' "$dts"; then
    ok "the QNX guest tree has qvm,guest_shm (factory page, doorbell) instead of reserved-memory"
else notok "the QNX guest tree has qvm,guest_shm (factory page, doorbell) instead of reserved-memory"; fi
if "$DTPASS" build $ck/system.yaml -q --target dts -o "$tmp/generic" 2>/dev/null && grep -q reserved-memory "$tmp/generic/cluster.dts"; then
    ok "the generic guest tree keeps its reserved-memory window"
else notok "the generic guest tree keeps its reserved-memory window"; fi

# --- check --target qnx ---------------------------------------------------------
"$DTPASS" check $ck/system.yaml --target qnx --color never >"$tmp/chk.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q 'system.yaml:34:9: warning: QNX allocates guest .cluster. RAM.*\[qnx-unenforced\]' "$tmp/chk.out" &&
    grep -q 'pcie@2900000 is a DMA master.*\[qnx-unenforced\]' "$tmp/chk.out"; then
    ok "check --target qnx reports the QNX findings (exit 0: warnings)"
else notok "check --target qnx reports the QNX findings (exit $rc)"; sed 's/^/    # /' "$tmp/chk.out" | head; fi
"$DTPASS" check $ck/system.yaml --color never >"$tmp/chk0.out" 2>&1
if ! grep -q '\[qnx-' "$tmp/chk0.out"; then ok "plain check runs no qnx checks"; else notok "plain check runs no qnx checks"; fi

# --- the registry: --target and --help come from src/targets/registry.c -----
"$DTPASS" --help >"$tmp/help"
if grep -q '^  qnx ' "$tmp/help" && grep -q '^  xen ' "$tmp/help"; then ok "--help lists the hypervisor targets"
else notok "--help lists the hypervisor targets"; fi
"$DTPASS" build $ck/system.yaml --target dts,qnxx -o "$tmp/never" 2>"$tmp/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "unknown target 'qnxx'" "$tmp/err" && [ ! -e "$tmp/never" ]; then
    ok "an unknown target is a usage error (exit 2)"
else notok "an unknown target is a usage error (exit $rc)"; fi
"$DTPASS" build $ck/system.yaml -q --target qnx -o "$tmp/only" 2>/dev/null
if [ -d "$tmp/only/qnx" ] && [ "$(ls "$tmp/only")" = qnx ]; then ok "--target qnx writes only qnx/"
else notok "--target qnx writes only qnx/ (got: $(ls "$tmp/only" | tr '\n' ' '))"; fi

# --- what the target cannot express -------------------------------------------
good=$tmp/keep
"$DTPASS" build $ck/system.yaml -q --target qnx -o "$good" 2>/dev/null
(cd "$good" && find . -type f | sort | xargs md5sum) >"$tmp/before"
bad() { # description expected-position sed-expression [extra options]
    sed "$3" $ck/system.yaml >"$ck/.bad-$$.yaml"
    "$DTPASS" build "$ck/.bad-$$.yaml" --target qnx -o "$good" --color never $4 >"$tmp/bad.out" 2>&1
    rc=$?
    rm -f "$ck/.bad-$$.yaml"
    (cd "$good" && find . -type f | sort | xargs md5sum) >"$tmp/after"
    if [ $rc -eq 1 ] && grep -q "^$ck/.bad-$$.yaml:$2: error: .*\[$5\]" "$tmp/bad.out" && cmp -s "$tmp/before" "$tmp/after"; then
        ok "$1: $5 at line:col $2, exit 1, outputs untouched"
    else
        notok "$1: $5 at $2, exit 1 (got $rc), outputs untouched"; sed 's/^/    # /' "$tmp/bad.out" | head -n 12
    fi
}
bad "a register region at another page offset (generic check disabled)" 39:15 \
    's/ipa: 0x10020000 /ipa: 0x10020800 /' -Wno-align qnx-inexpressible
bad "a peer without a doorbell" 70:9 \
    's/{ guest: infotainment, access: rw, doorbell: 61 }/{ guest: infotainment, access: rw }/' "" qnx-inexpressible
bad "a command line with a quote" 60:15 \
    's/rootwait"/rootwait \\"quiet\\""/' "" qnx-inexpressible
bad "a kernel path with a comma" 63:15 \
    's/file: Image,/file: "Image,v2",/' "" qnx-inexpressible
bad "a doorbell on a passed interrupt (generic check disabled)" 69:66 \
    's/doorbell: 60 }/doorbell: 33 }/' -Wno-virq-conflict qnx-vdev-collide
bad "a factory page on a passed page (generic check disabled)" 69:9 \
    's/ipa: 0x50000000,/ipa: 0x10020000,/' -Wno-ipa-overlap qnx-vdev-collide

[ "$fails" -eq 0 ]
