#!/bin/sh
# tests/suite-dt-schema.sh — guest device trees pass the kernel's binding
# schemas as well as their board does (issue 22; docs/guest-dt.md#the-binding-schema-suite):
# dt-validate (Debian's dt-schema) with the bindings of Debian's linux-source
# (tools/fetch-dtschema, processed once into $DTPASS_CACHE/dtschema) on every
# guest DTB of every example system and of the carvings of a documented
# sample of Debian boards (each top-level device alone in one guest); a guest
# fails when it has a schema error its board lacks that docs/guest-dt.md
# does not list as accepted. The body is tests/dt-schema.py.
# Environment: DTPASS, DTPASS_CACHE, DTSCHEMA_BOARDS (comma-separated DTBs
# under debian/ instead of the sample), DTSCHEMA_JOBS (default 2).
. "$(dirname "$0")/lib.sh"
CACHE=${DTPASS_CACHE:-$(sh tools/fetch-boards)} || { notok "fetch the board cache"; exit 1; }
command -v dt-validate >/dev/null 2>&1 || { notok "dt-validate is needed (package dt-schema; run tools/setup)"; exit 1; }
/usr/bin/python3 -c 'import libfdt' 2>/dev/null || { notok "python3-libfdt is needed (run tools/setup)"; exit 1; }
if asan_build; then
    # The schema checks judge the trees, not the memory safety of the
    # build; the non-sanitized pass runs them (they would double CI time).
    ok "# SKIP dt-schema: $DTPASS is an AddressSanitizer build"
    exit 0
fi
SCHEMA=$(DTPASS_CACHE=$CACHE sh tools/fetch-dtschema) || { notok "tools/fetch-dtschema (see its message above)"; exit 1; }
private_dtpass
/usr/bin/python3 tests/dt-schema.py "$DTPASS" "$CACHE" "$SCHEMA" "$tmp" \
    ${DTSCHEMA_BOARDS:+--boards "$DTSCHEMA_BOARDS"} --jobs "${DTSCHEMA_JOBS:-2}" || fails=$((fails + 1))
[ "$fails" -eq 0 ]
