#!/bin/sh
# tests/suite-sarif.sh — `--format sarif` is valid SARIF 2.1.0 and useful:
# for every system of the check corpus, the examples, some front-end
# failures and an I/O failure, the output validates against the schemas of
# tests/schemas/ (README there: the strict dtpass subset) and the published
# SARIF 2.1.0 schema (fetched by tools/fetch-sarif-schema from npm), every result's ruleIndex names the rule with its ruleId, the
# results match the JSON findings one to one, and every rule's helpUri
# anchor is a section of docs/checks.md.
. "$(dirname "$0")/lib.sh"
private_dtpass
n=0
for f in tests/invalid/checks/*.yaml examples/*/*.yaml examples/*/*.dtpass \
         tests/invalid/syntax-yaml-unclosed.yaml tests/invalid/schema-unknown-key.yaml \
         tests/invalid/ref-unknown-path.yaml does-not-exist.yaml; do
    case $f in does-not-exist.yaml) ;; *) [ -f "$f" ] || continue ;; esac
    n=$((n + 1))
    "$DTPASS" check "$f" --format sarif 2>"$tmp/$n.sarif" >/dev/null
    "$DTPASS" check "$f" --format json 2>"$tmp/$n.json" >/dev/null
    echo "$f" >"$tmp/$n.name"
done
official=$(sh tools/fetch-sarif-schema) || { echo "not ok - cannot fetch the SARIF 2.1.0 schema"; exit 1; }
/usr/bin/python3 - "$tmp" "$n" "$official" <<'PY'
import json, os, re, sys
import jsonschema
tmp, n = sys.argv[1], int(sys.argv[2])
schemas = [("dtpass subset", "tests/schemas/sarif-2.1.0-subset.schema.json"),
           ("official SARIF 2.1.0", sys.argv[3])]
validators = [(name, jsonschema.Draft4Validator(json.load(open(p)))) for name, p in schemas]
anchors = set(re.findall(r"^## ([a-z][a-z0-9-]*)\s*$", open("docs/checks.md").read(), re.M))
bad = 0
for i in range(1, n + 1):
    name = open(os.path.join(tmp, "%d.name" % i)).read().strip()
    problems = []
    try:
        doc = json.load(open(os.path.join(tmp, "%d.sarif" % i)))
        findings = json.load(open(os.path.join(tmp, "%d.json" % i)))["findings"]
    except ValueError as e:
        problems.append("not JSON: %s" % e)
        doc = None
    if doc is not None:
        for sname, v in validators:
            for e in sorted(v.iter_errors(doc), key=str)[:5]:
                problems.append("%s schema: %s at %s" % (sname, e.message, "/".join(map(str, e.absolute_path))))
        run = doc["runs"][0]
        rules = run["tool"]["driver"]["rules"]
        for r in rules:
            anchor = r["helpUri"].rsplit("#", 1)[1]
            if anchor != r["id"] or anchor not in anchors:
                problems.append("rule %s: helpUri anchor #%s is not a section of docs/checks.md" % (r["id"], anchor))
        results = run.get("results", [])
        for res in results:
            if rules[res["ruleIndex"]]["id"] != res["ruleId"]:
                problems.append("ruleIndex %d is not rule %s" % (res["ruleIndex"], res["ruleId"]))
        want = sorted((f["check"], f["severity"], f["location"]["line"]) for f in findings if f["check"])
        got = sorted((r["ruleId"], r["level"],
                      r["locations"][0].get("physicalLocation", {}).get("region", {}).get("startLine", 0))
                     for r in results)
        if want != got:
            problems.append("results differ from the JSON findings: %s vs %s" % (got, want))
        fatal = any(f["check"] is None for f in findings)
        inv = run["invocations"][0]
        if inv["executionSuccessful"] == fatal:
            problems.append("executionSuccessful is %s with%s fatal errors" % (inv["executionSuccessful"], "" if fatal else " no"))
        if fatal and not inv.get("toolExecutionNotifications"):
            problems.append("a fatal error without toolExecutionNotifications")
    if problems:
        bad = 1
        print("not ok - sarif %s" % name)
        for p in problems:
            print("    " + p)
    else:
        print("ok - sarif %s" % name)
sys.exit(bad)
PY
