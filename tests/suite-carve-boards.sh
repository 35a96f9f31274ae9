#!/bin/sh
# tests/suite-carve-boards.sh — no silent loss when carving real boards
# (issue 14; docs/guest-dt.md#the-all-boards-carving-suite): over every
# Debian board of the cache (tools/fetch-boards), each top-level device and
# each bus is given alone to one guest; every build that succeeds has each
# board node and subnode compared with its guest node, property by property,
# allowing only the rewrites docs/guest-dt.md documents. Prints the counts of
# carvings, builds, refusals (exit 1 with a finding) and silent losses; a
# silent loss, a crash or an exit without a finding fails the suite. The
# body is tests/carve-boards.py (libfdt's Python binding reads the DTBs).
# Environment: DTPASS, DTPASS_CACHE, CARVE_JOBS (default 2), CARVE_BOARDS
# (a glob under debian/, e.g. 'xilinx/*'; default every board).
. "$(dirname "$0")/lib.sh"
CACHE=${DTPASS_CACHE:-$(sh tools/fetch-boards)} || { notok "fetch the board cache"; exit 1; }
/usr/bin/python3 -c 'import libfdt' 2>/dev/null || { notok "python3-libfdt is needed (run tools/setup)"; exit 1; }
# Under AddressSanitizer every build is several times slower; every 4th
# board keeps the sanitized pass within minutes and still runs the carving
# of every vendor's boards under the sanitizers.
every=1
asan_build && every=${CARVE_EVERY:-4}
private_dtpass
/usr/bin/python3 tests/carve-boards.py "$DTPASS" "$CACHE" "$tmp" --jobs "${CARVE_JOBS:-2}" \
    --boards "${CARVE_BOARDS:-*}" --every "$every" || fails=$((fails + 1))
[ "$fails" -eq 0 ]
