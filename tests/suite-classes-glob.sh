#!/bin/sh
# tests/suite-classes-glob.sh — device-class patterns match as fnmatch(3)
# with flags 0 (src/board/classes.c matches '*'-only patterns itself, for
# speed, and leaves '?', '[...]' and '\' to fnmatch). A user classes file
# (--classes) of tricky patterns, a DTS with one device per compatible; the
# expected dma-master verdicts come from Python's fnmatch.fnmatchcase (the
# same glob language), not from dtpass.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || { notok "python3 is needed"; exit 1; }

python3 - "$tmp" <<'PY'
import fnmatch, json, sys
tmp = sys.argv[1]
patterns = ["*a*b", "x*", "*-dma", "a**b", "*/*", "vendor,*dma*", "*,*mac*",
            "ab*ba", "*aab", "c?t", "[mn]ode", "lit,exact", "*.*", "*q*q*q*", "q", "**"]
# A pattern is a class of its own (all DMA masters, so dtpass names the
# class that matched); the last, "**", catches every string.
compats = ["ab", "aab", "b", "xylophone", "x", "foo-dma", "foo-dmax", "a-b", "acb", "ab/cd",
           "vendor,xdmay", "vendor,dm", "acme,gmac", "abba", "abxba", "aba", "aaab", "aabb",
           "cat", "ct", "mode", "node", "lode", "lit,exact", "lit,exactly", ".x", "qqq",
           "qaqbq", "qq", "zzz"]
with open(tmp + "/classes.yaml", "w") as f:
    f.write("dtpass-device-classes: 1\nclasses:\n")
    for i, p in enumerate(patterns):
        f.write('  - name: c%d\n    compatible: [ "%s" ]\n' % (i, p))
with open(tmp + "/board.dts", "w") as f:
    f.write("/dts-v1/;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n"
            "\tmodel = \"glob\";\n\tcompatible = \"test,glob\";\n")
    for i, c in enumerate(compats):
        f.write('\tdev@%x {\n\t\tcompatible = "%s";\n\t\treg = <0x%x 0x1000>;\n\t};\n'
                % (0x10000 * (i + 1), c, 0x10000 * (i + 1)))
    f.write("};\n")
want = {}
for c in compats:
    hit = next((i for i, p in enumerate(patterns) if fnmatch.fnmatchcase(c, p)), None)
    want[c] = "c%d" % hit
json.dump(want, open(tmp + "/want.json", "w"))
PY
"$DTPASS" board --json --classes "$tmp/classes.yaml" "$tmp/board.dts" >"$tmp/board.json" 2>"$tmp/err" ||
    { notok "dtpass board --classes"; cat "$tmp/err"; exit 1; }
python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
want = json.load(open(tmp + "/want.json"))
board = json.load(open(tmp + "/board.json"))
got = {d["compatible"][0]: d["dma"] for d in board["devices"]}
bad = 0
for c, w in want.items():
    d = got.get(c)
    if d is None:
        print("not ok - %s: no device in dtpass board --json" % c); bad += 1; continue
    ok = d["master"] and (d.get("reason") or "").startswith("device class %s " % w)
    what = "first matching pattern is class %s" % w
    print("%s - %s -> %s (dtpass: %s)" % ("ok" if ok else "not ok", c, what, d))
    bad += not ok
sys.exit(1 if bad else 0)
PY
[ $? -eq 0 ] || fails=$((fails + 1))
exit $((fails > 0))
