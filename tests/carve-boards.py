#!/usr/bin/python3
"""carve-boards.py DTPASS CACHE TMP [--jobs N] [--boards GLOB] [--every N] [--report FILE]

The body of tests/suite-carve-boards.sh: over every Debian board of the
cache, give each top-level device, and each bus, alone to one guest; build;
for every build that succeeds, compare each board node and subnode with its
guest node (tests/carve.py: compare). Counts builds, refusals (exit 1 with
a finding), silent losses (a build with exit 0 whose guest differs from the
board beyond the documented rewrites) and anything else (a crash, exit 2,
exit 1 without a diagnostic). Prints TAP-style lines and the counts; exits
1 when there is a silent loss or a crash.
"""
import argparse
import collections
import fnmatch
import multiprocessing
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import carve  # noqa: E402


def one_board(args):
    dtpass, cache, tmp, dtb = args
    rel = os.path.relpath(dtb, os.path.join(cache, "debian"))
    res = {"board": rel, "carvings": 0, "built": 0, "refused": 0, "other": [],
           "losses": [], "nodes": 0, "excluded": 0, "lossy_builds": 0, "refusal_ids": collections.Counter()}
    try:
        bj = carve.board_json(dtpass, dtb)
    except Exception as e:  # noqa: BLE001 - reported, never hidden
        res["other"].append(("board --json", str(e)))
        return res
    board = carve.Tree.load(dtb)
    work = os.path.join(tmp, rel.replace("/", "_"))
    os.makedirs(work, exist_ok=True)
    for kind, path in carve.carvings(bj):
        res["carvings"] += 1
        sysf = os.path.join(work, "system.yaml")
        with open(sysf, "w") as f:
            f.write(carve.system_yaml(bj, [path]))
        out = os.path.join(work, "out")
        shutil.rmtree(out, ignore_errors=True)
        try:
            rc, err = carve.build(dtpass, sysf, dtb, out)
        except Exception as e:  # noqa: BLE001 - a hang is a failure
            res["other"].append((kind + " " + path, "build: %s" % e))
            continue
        if rc == 1 and "error" in err:
            res["refused"] += 1
            for line in err.splitlines():
                if "error" in line and "[" in line:
                    res["refusal_ids"][line.rsplit("[", 1)[1].split("]")[0]] += 1
                    break
            continue
        if rc != 0 or "runtime error" in err or "Sanitizer" in err:
            res["other"].append((kind + " " + path, "exit %d: %s" % (rc, err.strip()[:300])))
            continue
        res["built"] += 1
        try:
            guest = carve.Tree.load(os.path.join(out, "g.dtb"))
        except Exception as e:  # noqa: BLE001
            res["other"].append((kind + " " + path, "guest DTB unreadable: %s" % e))
            continue
        diffs, n, excl = carve.compare(board, guest, [path], machine=carve.machine_paths(bj))
        res["nodes"] += n
        res["excluded"] += excl
        if diffs:
            res["lossy_builds"] += 1
            for d in diffs:
                res["losses"].append((kind + " " + path,) + d)
    shutil.rmtree(work, ignore_errors=True)
    return res


def self_test(dtb, fail):
    """The comparator can fail: a board compared with itself has no
    difference; with a property deleted, one changed, one added, a node
    renamed, an interrupt removed, each is reported."""
    import libfdt
    blob = open(dtb, "rb").read()
    board = carve.Tree(blob)
    bj_paths = [n.path for n in board.by_path.values()
                if "reg" in n.props and "interrupts" in n.props and "clocks" in n.props and
                len(n.props) > 5 and n.path.count("/") == 2]
    if not bj_paths:
        print("not ok - self-test: no device with reg, interrupts and clocks on %s" % dtb)
        return 1
    path = bj_paths[0]
    diffs, n, _ = carve.compare(board, board, [path])
    if diffs or n == 0:
        print("not ok - self-test: %s compared with itself gives %s" % (path, diffs[:3]))
        fail = 1
    else:
        print("ok - self-test: %s compared with itself has no difference" % path)
    def mutated(change):
        f = libfdt.Fdt(bytearray(blob) + bytearray(4096))
        f.resize(len(blob) + 4096)
        change(f, f.path_offset(path))
        return carve.Tree(bytes(f.as_bytearray()))

    def props(f, off):
        f.delprop(off, "clocks")
        f.setprop(off, "compatible", b"dtpass,self-test\0")
        f.setprop(off, "dtpass,added", b"")
        f.setprop(off, "interrupts", b"")
    got = {d[0] + ":" + d[2] for d in carve.compare(board, mutated(props), [path])[0]}
    # found by phandle (renamed) or not at all (missing)
    got |= {d[0].replace("node-missing", "node-renamed")
            for d in carve.compare(board, mutated(lambda f, o: f.set_name(o, "renamed")), [path])[0]}
    want = {"prop-missing:clocks", "prop-changed:compatible", "prop-added:dtpass,added",
            "interrupts:interrupts", "node-renamed"}
    if got == want:
        print("ok - self-test: a deleted, a changed, an added property, lost interrupts and a renamed node are each reported")
    else:
        print("not ok - self-test: mutations of %s reported as %s, expected %s" % (path, sorted(got), sorted(want)))
        fail = 1
    return fail


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dtpass")
    ap.add_argument("cache")
    ap.add_argument("tmp")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--boards", default="*")
    ap.add_argument("--report", help="write every difference here, one per line")
    ap.add_argument("--every", type=int, default=1, help="only every N-th board (sanitized builds)")
    a = ap.parse_args()
    start = time.time()
    dtbs = [b for b in carve.boards(a.cache)
            if fnmatch.fnmatch(os.path.relpath(b, os.path.join(a.cache, "debian")), a.boards)]
    dtbs = dtbs[::a.every]
    jobs = [(a.dtpass, a.cache, a.tmp, b) for b in dtbs]
    with multiprocessing.Pool(a.jobs) as pool:
        results = list(pool.imap(one_board, jobs, chunksize=4))
    tot = collections.Counter()
    classes = collections.defaultdict(list)
    refusal_ids = collections.Counter()
    other = []
    for r in results:
        for k in ("carvings", "built", "refused", "nodes", "excluded", "lossy_builds"):
            tot[k] += r[k]
        refusal_ids.update(r["refusal_ids"])
        for o in r["other"]:
            other.append((r["board"],) + o)
        for carving, cls, bpath, prop, detail in r["losses"]:
            classes[(cls, prop if cls.startswith("prop") or cls == "interrupts" else "")].append(
                (r["board"], carving, bpath, detail))
    fail = self_test(dtbs[0], 0) if dtbs else 0
    if a.report:
        with open(a.report, "w") as f:
            for (cls, prop), lst in sorted(classes.items()):
                for board, carving, bpath, detail in lst:
                    f.write("%s\t%s\t%s\t%s\t%s\t%s\n" % (cls, prop, board, carving, bpath, detail))
    n_loss = sum(len(v) for v in classes.values())
    for (cls, prop), lst in sorted(classes.items(), key=lambda kv: -len(kv[1])):
        builds = len({(b, c) for b, c, _, _ in lst})
        print("not ok - silent loss: %s %s: %d nodes in %d builds, e.g." % (cls, prop, len(lst), builds))
        for board, carving, bpath, detail in lst[:3]:
            print("#   %s (%s): %s %s" % (board, carving, bpath, detail))
        fail = 1
    for board, what, why in other[:20]:
        print("not ok - %s %s: %s" % (board, what, why))
        fail = 1
    if len(other) > 20:
        print("not ok - ... and %d more crashes/unexpected exits" % (len(other) - 20))
    if not n_loss:
        print("ok - no silent loss in %d successful builds (%d board nodes compared)" %
              (tot["built"], tot["nodes"]))
    if not other:
        print("ok - every build exits 0 or refuses with a finding")
    if len(dtbs) * a.every < 500 and a.boards == "*":
        print("not ok - the cache holds %d Debian boards, expected 577" % len(dtbs))
        fail = 1
    print("# boards %d, carvings %d, built %d, refused %d, other %d" %
          (len(dtbs), tot["carvings"], tot["built"], tot["refused"], len(other)))
    print("# builds with a silent loss %d (%d node/property differences); "
          "subnodes left out as documented (MMIO outside the windows) %d" %
          (tot["lossy_builds"], n_loss, tot["excluded"]))
    print("# refusals by check: " + ", ".join("%s %d" % kv for kv in refusal_ids.most_common()))
    print("# %.0f s" % (time.time() - start))
    return fail


if __name__ == "__main__":
    sys.exit(main())
