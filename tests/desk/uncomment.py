#!/usr/bin/python3
"""uncomment: `dtpass init` on a board, then every assignable unit uncommented
alone under the first guest and checked (tests/suite-desk.sh).

    uncomment.py DTPASS BOARD WORKDIR   -> TAP lines, exit 1 on a failure

The starter file must pass `dtpass check` as written. With one unit's entries
uncommented, `check` must exit 0, or exit 1 with findings that say what else
the unit needs (a provider, an IOMMU, a disabled device...). It must never
report that the unit itself is split: a page, line or stream shared with a
device outside it, or a device owned twice — that would mean `board --groups`
grouped the devices wrongly.
"""
import json
import os
import re
import subprocess
import sys

# Findings that mean the unit is not a unit.
SPLIT = {"mmio-page-shared", "irq-owner", "sid-owner", "dev-owner", "dev-parent"}

ENTRY = re.compile(r'^(\s*)# ("/[^"]*",)$')
UNIT = re.compile(r"^\s*# unit (\d+):")


def check(dtpass, path):
    p = subprocess.run([dtpass, "check", path, "--format", "json"], capture_output=True,
                       text=True, timeout=60)
    try:
        doc = json.loads(p.stderr)
    except ValueError:
        doc = {"findings": []}
    return p.returncode, doc.get("findings", []), p.stderr


def main():
    dtpass, board, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    name = os.path.basename(board)
    sysfile = os.path.join(work, "system.yaml")
    if os.path.exists(sysfile):
        os.unlink(sysfile)
    p = subprocess.run([dtpass, "init", "--board", board, "-o", sysfile], capture_output=True,
                       text=True, timeout=60)
    if p.returncode != 0:
        # A board without a free RAM bank or with too few CPUs is refused
        # with a message: that is a clear answer, not a failure.
        ok = p.returncode == 2 and "error:" in p.stderr
        print(("ok" if ok else "not ok") + f" - {name}: init refused: {p.stderr.strip()[:200]}")
        return 0 if ok else 1
    rc, findings, err = check(dtpass, sysfile)
    fails = 0
    if rc != 0:
        print(f"not ok - {name}: the starter system fails check (exit {rc}): {err.strip()[:300]}")
        return 1
    lines = open(sysfile).read().split("\n")
    units = {}
    cur = None
    for i, line in enumerate(lines):
        m = UNIT.match(line)
        if m:
            cur = int(m.group(1))
            units[cur] = []
        elif cur is not None and ENTRY.match(line):
            units[cur].append(i)
    refused = clean = 0
    for u, idx in sorted(units.items()):
        if not idx:
            continue
        variant = list(lines)
        for i in idx:
            m = ENTRY.match(variant[i])
            variant[i] = m.group(1) + m.group(2)
        vfile = os.path.join(work, f"unit{u}.yaml")
        with open(vfile, "w") as f:
            f.write("\n".join(variant))
        rc, findings, err = check(dtpass, vfile)
        ids = {f.get("check") for f in findings if f.get("severity") == "error"}
        if rc == 0:
            clean += 1
        elif rc == 1 and ids and not ids & SPLIT:
            refused += 1
        else:
            fails += 1
            print(f"not ok - {name}: unit {u} alone gives exit {rc}, errors {sorted(ids)}: "
                  f"{err.strip()[:400]}")
        os.unlink(vfile)
    if not fails:
        print(f"ok - {name}: starter system checks clean; {len(units)} units: {clean} clean alone, "
              f"{refused} say what they need")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
