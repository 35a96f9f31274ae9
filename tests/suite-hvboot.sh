#!/bin/sh
# tests/suite-hvboot.sh — dtpass's stage-2 tables on a real MMU: builds
# tests/hvboot/system.yaml, compiles the test hypervisor (tests/hvboot/hv.c,
# start.S) together with the freestanding blob reader for AArch64 with clang
# and ld.lld, and boots it in QEMU (virt, virtualization=on) with hvdata.bin
# and system.dtpb loaded where the load map says. The hypervisor runs each
# guest at EL1 on its tables and checks translations, a read-only window's
# permission fault and a foreign IPA's translation fault (see hv.c); with
# QEMU's SMMUv3 enabled from the blob's register values, it then reboots
# guest linux with its quiesce plan (its STEs to abort with CMD_CFGI_STE,
# TLBI and CMD_SYNC, RAM scrubbed, other guests' STEs and memory checked
# unchanged), restarts it, and runs guest rtos again on the memory it kept.
. "$(dirname "$0")/lib.sh"
QEMU=${QEMU:-qemu-system-aarch64}
CLANG=${CLANG:-clang}
LLD=${LLD:-ld.lld}

for t in "$QEMU" "$CLANG" "$LLD"; do
    command -v "$t" >/dev/null 2>&1 || { notok "$t is needed (tools/setup installs it)"; exit 1; }
done

"$DTPASS" build tests/hvboot/system.yaml -q --target hvdata,blob -o "$tmp/out" 2>"$tmp/log" ||
    { sed 's/^/    /' "$tmp/log"; notok "dtpass build tests/hvboot/system.yaml"; exit 1; }
ok "built tests/hvboot/system.yaml"

CF="--target=aarch64-none-elf -ffreestanding -fno-builtin -nostdlib -mgeneral-regs-only -O2 -Wall -Werror -Iinclude"
if $CLANG $CF -c tests/hvboot/hv.c -o "$tmp/hv.o" 2>"$tmp/log" &&
   $CLANG $CF -c src/dtpb/reader.c -o "$tmp/reader.o" 2>>"$tmp/log" &&
   $CLANG --target=aarch64-none-elf -c tests/hvboot/start.S -o "$tmp/start.o" 2>>"$tmp/log" &&
   $LLD -T tests/hvboot/hv.ld -o "$tmp/hv.elf" "$tmp/start.o" "$tmp/hv.o" "$tmp/reader.o" 2>>"$tmp/log"; then
    ok "test hypervisor and freestanding reader built for AArch64"
else
    sed 's/^/    /' "$tmp/log"; notok "building the test hypervisor"; exit 1
fi

hvpa=$("$DTPASS" dump --json "$tmp/out/system.dtpb" | python3 -c 'import json,sys; print(hex([l for l in json.load(sys.stdin)["load"] if l["kind"] == "hvdata"][0]["pa"]))')
timeout 60 "$QEMU" -M virt,virtualization=on,gic-version=3,iommu=smmuv3 -cpu cortex-a57 -m 2G -smp 1 \
    -display none -monitor none -serial stdio -no-reboot -nic none \
    -kernel "$tmp/hv.elf" \
    -device loader,file="$tmp/out/hvdata.bin",addr="$hvpa",force-raw=on \
    -device loader,file="$tmp/out/system.dtpb",addr=0x43f00000,force-raw=on \
    >"$tmp/serial" 2>"$tmp/qemu.log"
rc=$?
sed 's/^/    # /' "$tmp/serial"
[ $rc -eq 0 ] || { sed 's/^/    /' "$tmp/qemu.log"; notok "QEMU exited with $rc"; exit 1; }
grep -q '^hv: guest linux .* checked' "$tmp/serial" || notok "guest linux was not run"
grep -q '^hv: guest rtos .* checked' "$tmp/serial" || notok "guest rtos was not run"
grep -q '^G$' "$tmp/serial" || notok "guest linux did not reach its UART through stage 2"
grep -q '^hv: smmu 0x9050000 enabled: CR0ACK 0xd$' "$tmp/serial" || notok "the SMMUv3 did not take the blob's CR0"
grep -q '^hv: reboot linux: 0x1 streams aborted, 0x4000000 bytes scrubbed, other guests' "$tmp/serial" ||
    notok "guest linux was not quiesced by its plan"
[ "$(grep -c '^hv: guest linux .* checked' "$tmp/serial")" -eq 2 ] || notok "guest linux did not run again after its reboot"
[ "$(grep -c '^hv: guest rtos .* checked' "$tmp/serial")" -eq 2 ] || notok "guest rtos did not keep running"
grep -q '^hv: PASS' "$tmp/serial" || notok "the hypervisor reported failures"
[ $fails -eq 0 ] || exit 1
ok "QEMU's MMU translates both guests through dtpass's tables as the blob says"
ok "guest linux rebooted with its quiesce plan (stream aborted, RAM scrubbed, restarted); rtos kept its streams and memory and ran on"
