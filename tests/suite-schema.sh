#!/bin/sh
# tests/suite-schema.sh — schemas/dtpass.schema.json (JSON Schema 2020-12)
# against a standard validator (python3-jsonschema, YAML read with
# python3-yaml): every example must validate, and the structurally invalid
# files listed below must be rejected by the schema *and* by dtpass.
. "$(dirname "$0")/lib.sh"
PY=
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import yaml, jsonschema' 2>/dev/null; then
        PY=$p
        break
    fi
done
if [ -z "$PY" ]; then
    notok "python3 with the yaml and jsonschema modules is needed (apt install python3-yaml python3-jsonschema)"
    exit 1
fi

# Invalid files whose mistake JSON Schema can express (duplicate keys and
# duplicate names cannot be: PyYAML keeps the last key, JSON Schema has no
# uniqueness by property).
rejects="schema-empty schema-not-mapping schema-missing-version schema-missing-guests
schema-bad-version schema-unknown-key schema-wrong-type schema-bad-name schema-missing-size
schema-size-suffix schema-ipa-bits schema-vmid-range schema-access schema-dma-bool
schema-bad-ref schema-sids-no-smmu schema-unsafe-empty schema-peers-missing
schema-number-overflow"

valid=$(ls examples/*/*.yaml 2>/dev/null)
invalid=$(for r in $rejects; do echo "tests/invalid/$r.yaml"; done)
"$PY" - schemas/dtpass.schema.json "$valid" "$invalid" <<'PYEOF' || fails=$((fails + 1))
import json, sys, yaml
from jsonschema import Draft202012Validator

schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
v = Draft202012Validator(schema)

def load(path):
    # YAML -> JSON data model: mapping keys become strings (irqs: { 81: 96 }).
    def conv(x):
        if isinstance(x, dict):
            return {str(k): conv(val) for k, val in x.items()}
        if isinstance(x, list):
            return [conv(i) for i in x]
        return x
    with open(path) as f:
        return conv(yaml.safe_load(f))

failed = False
for path in sys.argv[2].split():
    errs = sorted(v.iter_errors(load(path)), key=lambda e: list(e.path))
    if errs:
        failed = True
        print("not ok - %s does not validate against the schema" % path)
        for e in errs[:5]:
            print("    # %s: %s" % ("/".join(map(str, e.path)), e.message))
    else:
        print("ok - %s validates against the schema" % path)
for path in sys.argv[3].split():
    if any(True for _ in v.iter_errors(load(path))):
        print("ok - %s is rejected by the schema" % path)
    else:
        failed = True
        print("not ok - %s is accepted by the schema" % path)
sys.exit(1 if failed else 0)
PYEOF

for f in $invalid; do
    "$DTPASS" check --color never "$f" >/dev/null 2>&1
    rc=$?
    if [ $rc -eq 1 ]; then
        ok "$f is rejected by dtpass"
    else
        notok "$f: dtpass exit status $rc, expected 1"
    fi
done
[ $fails -eq 0 ]
