#!/bin/sh
# tests/suite-setup.sh — tools/setup and tools/fetch-boards never fail
# silently: a failing step names itself, its command and its log (with the
# log's tail) and exits 1. Runs both against a private cache with a fake
# qemu-system-aarch64 that fails the way a missing ipxe-qemu made it fail
# (Debian's kernel step is marked done, so nothing is downloaded), and
# checks the QEMU starts of the project need no option ROM (-nic none).
. "$(dirname "$0")/lib.sh"

cache=$tmp/cache
mkdir -p "$cache/debian" "$tmp/bin"
touch "$cache/debian/.done"
cat >"$tmp/bin/qemu-system-aarch64" <<'SH'
#!/bin/sh
echo 'qemu-system-aarch64: failed to find romfile "efi-virtio.rom"' >&2
exit 1
SH
chmod +x "$tmp/bin/qemu-system-aarch64"

PATH=$tmp/bin:$PATH DTPASS_CACHE=$cache sh tools/fetch-boards >"$tmp/fb.out" 2>"$tmp/fb.err"
rc=$?
[ $rc -eq 1 ] && ok "fetch-boards: a failing QEMU dump exits 1" || notok "fetch-boards: exit $rc, wanted 1"
grep -q "^fetch-boards: step 'dump-virt-gicv3-smmuv3' failed (exit 1)" "$tmp/fb.err" &&
    ok "fetch-boards: names the failing step" || { notok "fetch-boards: names the failing step"; cat "$tmp/fb.err"; }
grep -q "^fetch-boards:   command: qemu-system-aarch64 -M virt,gic-version=3,iommu=smmuv3,dumpdtb=.* -nic none" "$tmp/fb.err" &&
    ok "fetch-boards: prints the command" || notok "fetch-boards: prints the command"
grep -q "^fetch-boards:   log: $cache/log/fetch-boards-dump-virt-gicv3-smmuv3.log" "$tmp/fb.err" &&
    [ -s "$cache/log/fetch-boards-dump-virt-gicv3-smmuv3.log" ] &&
    ok "fetch-boards: prints where its log is" || notok "fetch-boards: prints where its log is"
grep -q 'failed to find romfile' "$tmp/fb.err" && ok "fetch-boards: shows the log's tail" ||
    notok "fetch-boards: shows the log's tail"
[ ! -s "$tmp/fb.out" ] && ok "fetch-boards: prints no cache path on failure" ||
    notok "fetch-boards: printed a cache path although it failed"

PATH=$tmp/bin:$PATH DTPASS_CACHE=$cache sh tools/setup >"$tmp/setup.out" 2>"$tmp/setup.err"
rc=$?
[ $rc -eq 1 ] && ok "setup: a failing step exits 1" || { notok "setup: exit $rc, wanted 1"; cat "$tmp/setup.err"; }
grep -q "^setup: step 'fetch-boards' failed (exit 1)" "$tmp/setup.err" &&
    grep -q "^setup:   command: sh tools/fetch-boards" "$tmp/setup.err" &&
    grep -q "^setup:   log: $cache/log/setup-fetch-boards.log" "$tmp/setup.err" &&
    grep -q "failed to find romfile" "$tmp/setup.err" &&
    ok "setup: names the step, the command, the log and the cause" ||
    { notok "setup: names the step, the command, the log and the cause"; cat "$tmp/setup.err"; }

# The real QEMU: a virt machine with -nic none starts without any ROM, and
# every QEMU start in the suites and tools says -nic none (or gives its
# NIC romfile=).
if command -v qemu-system-aarch64 >/dev/null 2>&1; then
    qemu-system-aarch64 -M virt,dumpdtb="$tmp/v.dtb" -cpu cortex-a57 -nographic -nic none \
        >"$tmp/q.log" 2>&1 && [ -s "$tmp/v.dtb" ] &&
        ok "qemu virt starts with -nic none (no ipxe-qemu needed)" ||
        { notok "qemu virt with -nic none"; cat "$tmp/q.log"; }
else
    notok "qemu-system-aarch64 is needed (tools/setup)"
fi
for f in tests/suite-*.sh tools/*; do
    [ "$f" = tests/suite-setup.sh ] && continue
    # a QEMU command: "qemu-system-aarch64 -M" or "$QEMU" -M, up to its "&" or ">"
    awk -v f="$f" '
        /(qemu-system-aarch64|"\$QEMU") +-M/ { cmd = ""; on = 1 }
        on { cmd = cmd $0 " "; if ($0 !~ /\\$/) { on = 0;
             if (cmd !~ /-nic none/) print f ": " cmd } }' "$f"
done >"$tmp/romful"
[ ! -s "$tmp/romful" ] && ok "every QEMU start in tests/ and tools/ says -nic none" ||
    { notok "QEMU starts without -nic none:"; sed 's/^/#   /' "$tmp/romful"; }
exit $((fails > 0))
