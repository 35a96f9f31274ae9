#!/usr/bin/python3
"""dt-schema.py DTPASS CACHE SCHEMA-DIR TMP [--boards LIST] [--jobs N]

The body of tests/suite-dt-schema.sh: every guest DTB dtpass makes for the
examples (examples/*/*.yaml) and for carvings of a sample of Debian boards
(each top-level device alone in one guest, tests/carve.py; the sample is
listed in docs/guest-dt.md, which this script reads) goes through
dt-validate (Debian's dt-schema with the kernel's bindings, processed by
tools/fetch-dtschema), and so does the board it came from. A guest passes
when every schema error it has is one its board has too, after the
normalisation of `key()`, or is listed as accepted in docs/guest-dt.md
(section "Accepted schema differences", the one list this suite reads).

dt-validate is run once per batch of files (the board and its guests
together, at most one call per board; files of several boards share a call
and the calls run on --jobs processes): validating a node against every
binding's `select` dominates, so the cost grows with the number of nodes,
not of calls. A board's own errors do not depend on dtpass: they are kept
in SCHEMA-DIR/board-errors/ (keyed by the DTB's SHA-256 and the schema
version), so only the first run validates the boards.
"""
import argparse
import collections
import fnmatch
import glob
import hashlib
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import carve  # noqa: E402

# Not after `@` or `,`: unit addresses in the node paths of a message stay.
NUM = re.compile(r"(?<![@,\w])(0x[0-9a-fA-F]+|[0-9]+)\b")
# Messages that list the offending property or node names: the same error
# with fewer names (a guest carries a subset of the board node's content).
LISTS = [re.compile(r"^(.*\()((?:'[^']*'(?:, )?)+)( (?:was|were) unexpected\).*)$", re.S),
         re.compile(r"^()((?:'[^']*'(?:, )?)+)( (?:does|do) not match any of the regexes.*)$", re.S)]
VERB = re.compile(r"^ (was|were|does|do) ")
FORMAT = "dt-schema.py keys v4"


def key(node, msg, schema):
    """An error as (node name, message, binding file, listed names) with
    every number of the message made `N`: phandle values, cell values and
    indices differ between a board and its guest (re-encoded reg,
    renumbered specifiers) while the error is the same. The node name keeps
    its base name (its unit address may be recomputed): a node renamed
    otherwise is a different node to a driver, so its errors are new. For the messages that list names (unexpected
    properties, names matching no pattern) the names are kept apart, so
    that a guest error naming a subset of the board error's names is the
    same error (covered())."""
    msg = " ".join(msg.split())
    names = ""
    for rx in LISTS:
        m = rx.match(msg)
        if m:
            names = ",".join(sorted(re.findall(r"'([^']*)'", m.group(2))))
            msg = m.group(1) + "<names>" + VERB.sub(" <verb> ", m.group(3))
            break
    msg = NUM.sub("N", msg)
    # The unit address of the node itself may be recomputed from the guest
    # address (docs/guest-dt.md): serial@c0000 on the board is
    # serial@1c0c0000 in the guest, the same node. Its base name stays.
    node = re.sub(r"@[0-9a-fA-F,]+$", "@N", node)
    i = schema.find("/bindings/")
    return (node, msg, schema[i + len("/bindings/"):] if i >= 0 else os.path.basename(schema), names)


def covered(k, board):
    """Whether guest error k is one of the board's errors (board: a set of keys)."""
    if k in board:
        return True
    if not k[3]:
        return False
    want = set(k[3].split(","))
    return any(b[:3] == k[:3] and b[3] and want <= set(b[3].split(",")) for b in board)


def parse(text, files):
    """dt-validate's report -> {file: set of keys}; other lines -> noise."""
    out = {f: set() for f in files}
    noise = []
    cur = None
    for line in text.splitlines():
        if line.startswith("\t"):
            s = line.strip()
            if s.startswith("From schema:") and cur is not None:
                f, node, msg = cur
                out[f].add(key(node, msg, s[len("From schema:"):].strip()))
                cur = None
            elif cur is not None:
                cur[2] += "\n" + s
            continue
        m = re.match(r"^(/[^:]+\.dtb):(?:\d+:\d+:)? ([^:]+): (.*)$", line)
        if m and m.group(1) in out:
            cur = [m.group(1), m.group(2), m.group(3)]
        elif line.strip():
            noise.append(line)
    return out, noise


def run_validate(schema, files, jobs):
    """dt-validate over files, on `jobs` processes; -> (report, exit codes)."""
    files = sorted(files, key=lambda f: -os.path.getsize(f))
    parts = [files[i::jobs] for i in range(jobs)]
    procs = [subprocess.Popen(["dt-validate", "-s", schema] + p, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT) for p in parts if p]
    text, rcs = "", []
    for p in procs:
        o, _ = p.communicate()
        text += o.decode(errors="replace")
        rcs.append(p.returncode)
    return text, rcs


def sample_list(doc):
    """The documented sample: board DTBs between the sample markers."""
    out, on = [], False
    for line in open(doc):
        if "<!-- dt-schema-sample:begin -->" in line:
            on = True
        elif "<!-- dt-schema-sample:end -->" in line:
            on = False
        elif on and line.startswith("* `"):
            out.append(line.split("`")[1])
    return out


def accepted_list(doc, table="accepted"):
    """(node glob, message regex, reason) rows between the markers of a table:
    "accepted" (differences with a reason) or "known" (known bugs of an open
    issue, listed so that any other new error still fails)."""
    rows, on = [], False
    for line in open(doc):
        if "<!-- dt-schema-%s:begin -->" % table in line:
            on = True
        elif "<!-- dt-schema-%s:end -->" % table in line:
            on = False
        elif on and line.startswith("| `"):
            # A cell may hold `\|` (Markdown's escaped bar): split on the others.
            cols = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
            rows.append((cols[0].strip("`"), re.compile(cols[1].strip("`")), cols[2]))
    return rows


def full_message(k):
    """The message with the names of a names-list error put back."""
    node, msg, sch, names = k
    if names:
        msg = msg.replace("<names>", "'" + "', '".join(names.split(",")) + "'").replace("<verb>", "~")
    return msg


def is_accepted(k, rows):
    return any(fnmatch.fnmatchcase(k[0], g) and rx.search(full_message(k)) for g, rx, _ in rows)


def example_builds(dtpass, tmp):
    """(name, board DTB, [guest DTBs]) for every example system file."""
    out = []
    for sysf in sorted(glob.glob("examples/*/*.yaml")):
        name = os.path.basename(os.path.dirname(sysf)) + "-" + os.path.basename(sysf)[:-5]
        m = re.search(r"^board:\s*(\S+)", open(sysf).read(), re.M)
        if not m:
            continue
        src = os.path.join(os.path.dirname(sysf), m.group(1))
        bdtb = os.path.join(tmp, name + ".board.dtb")
        if src.endswith(".dts"):
            r = subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", bdtb, src],
                               capture_output=True)
            if r.returncode:
                raise RuntimeError("dtc %s: %s" % (src, r.stderr.decode()))
        else:
            bdtb = src
        outd = os.path.join(tmp, name)
        rc, err = carve.build(dtpass, sysf, src, outd)
        if rc != 0:
            out.append((name, bdtb, None, err))
            continue
        out.append((name, bdtb, sorted(glob.glob(os.path.join(outd, "*.dtb"))), ""))
    return out


def sample_builds(dtpass, cache, tmp, sample):
    out, refused = [], collections.Counter()
    for rel in sample:
        dtb = os.path.join(cache, "debian", rel)
        bj = carve.board_json(dtpass, dtb)
        guests = []
        base = os.path.join(tmp, rel.replace("/", "_")[:-4])
        for i, (kind, path) in enumerate(c for c in carve.carvings(bj) if c[0] == "device"):
            d = "%s-%d" % (base, i)
            os.makedirs(d, exist_ok=True)
            sysf = os.path.join(d, "system.yaml")
            with open(sysf, "w") as f:
                f.write(carve.system_yaml(bj, [path]))
            rc, err = carve.build(dtpass, sysf, dtb, os.path.join(d, "out"))
            if rc == 0:
                g = os.path.join(tmp, "%s-%d.dtb" % (os.path.basename(base), i))
                os.rename(os.path.join(d, "out", "g.dtb"), g)
                guests.append((path, g))
            elif rc == 1 and "error" in err:
                refused[rel] += 1
            else:
                guests.append((path, None))   # reported as a failure below
        out.append((rel, dtb, guests))
    return out, refused


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dtpass")
    ap.add_argument("cache")
    ap.add_argument("schemadir")
    ap.add_argument("tmp")
    ap.add_argument("--boards", help="comma-separated board DTBs under debian/ (default: the sample)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--doc", default="docs/guest-dt.md")
    a = ap.parse_args()
    t0 = time.time()
    fails = 0
    schema = os.path.join(a.schemadir, "processed-schema.json")
    version = open(os.path.join(a.schemadir, ".package")).read()
    rows = accepted_list(a.doc)
    known = accepted_list(a.doc, "known")
    n_known = 0
    sample = a.boards.split(",") if a.boards else sample_list(a.doc)
    if not sample:
        print("not ok - no sample boards in %s" % a.doc)
        return 1

    ex = example_builds(a.dtpass, a.tmp)
    sm, refused = sample_builds(a.dtpass, a.cache, a.tmp, sample)
    t_build = time.time() - t0

    # Boards: cached error sets when the DTB and the schema are unchanged.
    cachedir = os.path.join(a.schemadir, "board-errors")
    os.makedirs(cachedir, exist_ok=True)
    boards = {}
    for name, bdtb, _, _ in ex:
        boards[bdtb] = name
    for rel, dtb, _ in sm:
        boards[dtb] = rel
    board_keys, todo = {}, []
    for b in boards:
        h = hashlib.sha256(open(b, "rb").read() + (version + FORMAT).encode()).hexdigest()
        cf = os.path.join(cachedir, h)
        if os.path.exists(cf):
            board_keys[b] = {tuple(l.rstrip("\n").split("\t")) for l in open(cf) if l.strip()}
            if any(len(k) != 4 for k in board_keys[b]):
                todo.append((b, cf))
        else:
            todo.append((b, cf))
    guests = [g for _, _, gs, _ in ex if gs for g in gs] + \
             [g for _, _, gs in sm for _, g in gs if g]
    # Self-test: the first example guest with its first `interrupts` removed
    # from a node with a `compatible` must show a new error, or the
    # comparison could not fail.
    probe = None
    for _, bdtb, gs, _ in ex:
        if gs:
            probe = (bdtb, gs[0], os.path.join(a.tmp, "self-test.dtb"))
            break
    if probe:
        import libfdt
        f = libfdt.Fdt(bytearray(open(probe[1], "rb").read()))
        # A device a kernel binding describes: not dtpass's own shared-memory
        # nodes (dtpass,shmem, QNX's qvm,guest_shm), which no schema checks.
        victim = next(n.path for n in carve.Tree(bytes(f.as_bytearray())).by_path.values()
                      if "interrupts" in n.props and "compatible" in n.props and
                      not n.props["compatible"].startswith((b"dtpass,", b"qvm,")))
        f.delprop(f.path_offset(victim), "interrupts")
        with open(probe[2], "wb") as o:
            o.write(bytes(f.as_bytearray()))
        guests.append(probe[2])
    files = [b for b, _ in todo] + guests
    text, rcs = run_validate(schema, files, a.jobs)
    keys, noise = parse(text, files)
    t_val = time.time() - t0 - t_build
    if noise:
        print("not ok - dt-validate printed lines that are not error reports:")
        for l in noise[:10]:
            print("#   " + l)
        fails += 1
    for b, cf in todo:
        board_keys[b] = keys[b]
        with open(cf + ".tmp", "w") as f:
            for k in sorted(keys[b]):
                f.write("\t".join(k) + "\n")
        os.rename(cf + ".tmp", cf)

    n_guests = n_bad = 0
    known_seen = set()  # rows of the known-failures table some guest still shows

    def judge(label, bdtb, g):
        nonlocal n_guests, n_bad, fails, n_known
        n_guests += 1
        new = sorted(k for k in keys[g] if not covered(k, board_keys[bdtb]) and not is_accepted(k, rows))
        kn = [k for k in new if is_accepted(k, known)]
        for k in kn:
            for i, (gl, rx, _) in enumerate(known):
                if fnmatch.fnmatchcase(k[0], gl) and rx.search(full_message(k)):
                    known_seen.add(i)
        new = [k for k in new if not is_accepted(k, known)]
        if kn:
            n_known += 1
            print("# %s: %d known schema errors (docs/guest-dt.md, Known schema failures), e.g. %s: %s" %
                  (label, len(kn), kn[0][0], kn[0][1][:120]))
        if not new:
            print("ok - %s: no schema error the board lacks (%d errors, all on the board)" %
                  (label, len(keys[g])))
            return
        n_bad += 1
        fails += 1
        print("not ok - %s: %d schema errors the board lacks" % (label, len(new)))
        for node, msg, sch, names in new[:6]:
            if names:
                msg = msg.replace("<names>", "'" + "', '".join(names.split(",")) + "'").replace("<verb>", "~")
            print("#   %s: %s  [%s]" % (node, msg[:200], sch))

    if probe:
        new = [k for k in keys[probe[2]] if not covered(k, board_keys[probe[0]])]
        hit = [k for k in new if "interrupts" in k[1]]
        if hit:
            print("ok - self-test: %s without `interrupts` gives a new error (%s)" %
                  (victim, hit[0][1]))
        else:
            print("not ok - self-test: removing `interrupts` of %s gives no new error" % victim)
            fails += 1
    for name, bdtb, gs, err in ex:
        if gs is None:
            print("not ok - example %s does not build: %s" % (name, err.strip()[:300]))
            fails += 1
            continue
        for g in gs:
            judge("example %s guest %s" % (name, os.path.basename(g)[:-4]), bdtb, g)
    for rel, dtb, gs in sm:
        for path, g in gs:
            if g is None:
                print("not ok - %s %s: build crashed or exited without a finding" % (rel, path))
                fails += 1
                continue
            judge("%s %s alone" % (rel, path), dtb, g)
    # A known bug that no longer shows is fixed: its row must go with the
    # fix (only the documented sample can tell; another sample may not reach it).
    if not a.boards:
        for i, (gl, rx, _) in enumerate(known):
            if i not in known_seen:
                print("not ok - known schema failure `%s` `%s` no longer occurs: remove its row "
                      "from %s" % (gl, rx.pattern, a.doc))
                fails += 1
    print("# %d guest DTBs (%d examples' systems, %d sample boards: %s), %d refused carvings not validated" %
          (n_guests, len(ex), len(sm), ", ".join(sample), sum(refused.values())))
    print("# %d guests with schema errors their board lacks; %d accepted differences listed in %s" %
          (n_bad, len(rows), a.doc))
    print("# %d guests with known schema failures (%d rows of open bugs in %s)" % (n_known, len(known), a.doc))
    print("# builds %.0f s, dt-validate %.0f s (%d files, %d boards validated, %d from the cache)" %
          (t_build, t_val, len(files), len(todo), len(boards) - len(todo)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
