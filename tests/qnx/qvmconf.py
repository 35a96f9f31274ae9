#!/usr/bin/python3
"""tests/qnx/qvmconf.py — a test-side reader of QNX qvm configuration files,
written from QNX's own documentation (the pages docs/qnx.md cites), not from
dtpass's emitter. It accepts only the options and argument forms those pages
document and rejects anything else, so an invented option or a malformed
argument in dtpass's output fails the test.

  qvmconf.py lint FILE --version 7.1|8.0
      parse FILE; exit 1 with FILE:LINE: reason on the first problem
  qvmconf.py cross FILE GUEST SYSTEM.json
      parse FILE and compare its pass loc / pass intr / vdev shmem lines with
      guest GUEST of `dtpass dump --json system.dtpb`: every passed register
      range and interrupt route exactly once, every shared-region window once,
      nothing else

Grammar (QNX Hypervisor User's Guide, VM Configuration Reference and
Virtual Device Reference):
  * `#` starts a comment to the end of the line; options and their arguments
    are separated by white space.
  * system NAME
  * ram [start_address,]length            length: hex or decimal, K/M/G suffix
  * cpu [runmask N{,N}] [sched ...]        (7.1)   cpu [cluster NAME] [sched ...] (8.0)
  * [blob_type] load [address,]filepath    blob types: fdt (ARM), acpi (x86)
  * cmdline "string"
  * pass loc [mem:]region,length,ATTRS[=host_location]
        ATTRS: + - r w x c e m d n s t; host region page aligned, length a
        multiple of the page size (the page's CAUTION)
  * pass intr PIC:N[,u|t][=vector]
  * vdev NAME, followed by its options: here only shmem, whose options are
    allow / deny PATTERN, create NAME,SIZE and the common loc / intr / name.
"""
import json
import re
import sys

PAGE = 0x1000
NUM = r"(?:0[xX][0-9a-fA-F]+|[0-9]+)"
SIZE = NUM + r"[KkMmGg]?"
TOP = {"system", "ram", "cpu", "load", "fdt", "acpi", "cmdline", "pass", "vdev"}
SHMEM_OPTS = {"allow", "deny", "create", "loc", "intr", "name"}


class Bad(Exception):
    pass


def num(text, what):
    m = re.fullmatch(r"(" + NUM + r")([KkMmGg]?)", text)
    if not m:
        raise Bad(f"{what}: '{text}' is not a number")
    v = int(m.group(1), 0)
    return v << {"": 0, "k": 10, "m": 20, "g": 30}[m.group(2).lower()]


def tokens(line):
    """Splits a line at white space, keeping a double-quoted string whole and
    dropping a # comment (outside quotes)."""
    out, cur, i, quoted = [], "", 0, False
    while i < len(line):
        c = line[i]
        if quoted:
            cur += c
            if c == '"':
                quoted = False
        elif c == '"':
            cur += c
            quoted = True
        elif c == "#":
            break
        elif c.isspace():
            if cur:
                out.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    if quoted:
        raise Bad("unterminated string")
    if cur:
        out.append(cur)
    return out


def parse(path, version):
    """Returns the configuration as a dict of lists; raises Bad with the line."""
    conf = {"system": [], "ram": [], "cpu": [], "load": [], "fdt": [], "cmdline": [],
            "pass_loc": [], "pass_intr": [], "shmem": []}
    vdev = None
    with open(path) as f:
        lines = f.read().split("\n")
    for no, raw in enumerate(lines, 1):
        try:
            t = tokens(raw)
            if not t:
                continue
            if vdev is not None and t[0] in SHMEM_OPTS:
                shmem_option(vdev, t)
                continue
            vdev = None
            if t[0] not in TOP:
                raise Bad(f"unknown option '{t[0]}'")
            top(conf, t, version)
            if t[0] == "vdev":
                vdev = conf["shmem"][-1]
        except Bad as e:
            raise Bad(f"{path}:{no}: {e}") from None
    for s in conf["shmem"]:
        for k in ("create", "allow", "loc", "intr"):
            if not s.get(k):
                raise Bad(f"{path}: vdev shmem without `{k}`")
    return conf


def want(t, n, form):
    if len(t) != n:
        raise Bad(f"expected `{form}`, got {len(t) - 1} argument(s)")


def top(conf, t, version):
    op = t[0]
    if op == "system":
        want(t, 2, "system NAME")
        conf["system"].append(t[1])
    elif op == "ram":
        want(t, 2, "ram [start,]length")
        parts = t[1].split(",")
        if len(parts) > 2:
            raise Bad("ram takes [start_address,]length")
        conf["ram"].append(tuple(num(p, "ram") for p in parts))
    elif op == "cpu":
        cpu(conf, t[1:], version)
    elif op in ("load", "fdt", "acpi"):
        if op != "load":
            if len(t) < 2 or t[1] != "load":
                raise Bad(f"blob type '{op}' must precede load")
            t = t[1:]
        want(t, 2, "load [address,]filepath")
        m = re.fullmatch(r"(?:(" + NUM + r"),)?([^,\s]+)", t[1])
        if not m:
            raise Bad(f"malformed load argument '{t[1]}'")
        conf["fdt" if op == "fdt" else "load"].append((m.group(1) and int(m.group(1), 0), m.group(2)))
    elif op == "cmdline":
        want(t, 2, 'cmdline "string"')
        if not (len(t[1]) >= 2 and t[1][0] == '"' and t[1][-1] == '"' and '"' not in t[1][1:-1]):
            raise Bad("cmdline takes one double-quoted string")
        conf["cmdline"].append(t[1][1:-1])
    elif op == "pass":
        pass_(conf, t)
    elif op == "vdev":
        want(t, 2, "vdev NAME")
        if t[1] != "shmem":
            raise Bad(f"vdev '{t[1]}' is not one this reader knows")
        conf["shmem"].append({})


def cpu(conf, args, version):
    entry = {}
    i = 0
    while i < len(args):
        k = args[i]
        if i + 1 >= len(args):
            raise Bad(f"cpu option '{k}' needs a value")
        v = args[i + 1]
        if k == "runmask" and version == "7.1":
            if not re.fullmatch(r"[0-9]+(,[0-9]+)*", v):
                raise Bad(f"malformed runmask '{v}'")
            entry["cpus"] = [int(x) for x in v.split(",")]
        elif k == "cluster" and version == "8.0":
            if not re.fullmatch(r"[A-Za-z0-9_-]+", v):
                raise Bad(f"malformed cluster name '{v}'")
            m = re.fullmatch(r"_cpu-([0-9]+)", v)
            entry["cpus"] = [int(m.group(1))] if m else v
        elif k == "sched":
            entry["sched"] = v
        else:
            raise Bad(f"cpu option '{k}' is not documented for QNX SDP {version}")
        i += 2
    conf["cpu"].append(entry)


def pass_(conf, t):
    if len(t) != 3:
        raise Bad("expected `pass loc ...` or `pass intr ...`")
    kind, arg = t[1], t[2]
    if kind == "loc":
        m = re.fullmatch(r"(?:mem:)?(" + NUM + r"),(" + NUM + r"),([-+rwxcemdnst]+)(?:=(" + NUM + r"))?", arg)
        if not m:
            raise Bad(f"malformed pass loc '{arg}'")
        ipa, length, host = int(m.group(1), 0), int(m.group(2), 0), m.group(4)
        if host is None:
            raise Bad("pass loc without =host_location")
        host = int(host, 0)
        if host % PAGE or length % PAGE or length == 0 or ipa % PAGE:
            raise Bad(f"pass loc '{arg}': not whole pages")
        conf["pass_loc"].append((ipa, length, host, m.group(3)))
    elif kind == "intr":
        m = re.fullmatch(r"gic:([0-9]+)(?:,[ut])?(?:=([0-9]+))?", arg)
        if not m:
            raise Bad(f"malformed pass intr '{arg}'")
        g = int(m.group(1))
        conf["pass_intr"].append((g, int(m.group(2)) if m.group(2) else g))
    else:
        raise Bad(f"unknown pass option '{kind}'")


def shmem_option(s, t):
    k = t[0]
    want(t, 2, f"{k} VALUE")
    v = t[1]
    if k == "create":
        m = re.fullmatch(r"([^,\s]+),(" + SIZE + r")", v)
        if not m:
            raise Bad(f"malformed create '{v}'")
        s.setdefault("create", []).append((m.group(1), num(m.group(2), "create")))
    elif k in ("allow", "deny", "name"):
        s.setdefault(k, []).append(v)
    elif k == "loc":
        s["loc"] = num(v, "loc")
        if s["loc"] % PAGE:
            raise Bad("shmem loc (the factory page) not page aligned")
    elif k == "intr":
        m = re.fullmatch(r"gic:([0-9]+)", v)
        if not m:
            raise Bad(f"malformed intr '{v}'")
        s["intr"] = int(m.group(1))


def runs(items):
    """Merges (host, length, guest) ranges into sorted maximal runs of pages
    that are contiguous in both host and guest addresses."""
    out = []
    for host, length, guest in sorted(items):
        if out and host <= out[-1][1] and guest - host == out[-1][2]:
            out[-1][1] = max(out[-1][1], host + length)
        else:
            out.append([host, host + length, guest - host])
    return [tuple(r) for r in out]


def widen(pa, size, ipa):
    """A register region as whole pages: (host, length, guest)."""
    off = pa % PAGE
    end = -(-(pa + size) // PAGE) * PAGE
    return (pa - off, end - (pa - off), ipa - off)


def main(argv):
    if len(argv) >= 4 and argv[1] == "lint" and argv[3] == "--version" and len(argv) == 5:
        try:
            parse(argv[2], argv[4])
        except Bad as e:
            print(e)
            return 1
        return 0
    if len(argv) == 5 and argv[1] == "cross":
        return cross_check(argv[2], argv[3], argv[4])
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


def cross_check(path, guest, sysjson):
    with open(sysjson) as f:
        d = json.load(f)
    names = [g["name"] for g in d["guests"]]
    if guest not in names:
        print(f"{guest}: not a guest of {sysjson}")
        return 1
    gi = names.index(guest)
    with open(path) as f:
        ver = "7.1" if "runmask" in f.read() else "8.0"
    try:
        conf = parse(path, ver)
    except Bad as e:
        print(e)
        return 1
    errs = []
    # Register ranges, as page runs: the lines cover exactly the pages of
    # the guest's registers, each host page once, at the right guest address.
    want = runs(widen(r["pa"], r["size"], r["ipa"])
                for dev in d["devices"] if dev.get("guest") == gi
                for r in dev["regs"] if r["size"])
    lines = sorted((host, length, ipa) for ipa, length, host, attrs in conf["pass_loc"])
    for a, b in zip(lines, lines[1:]):
        if b[0] < a[0] + a[1]:
            errs.append(f"host page {b[0]:#x} is passed by two lines")
    got = runs(lines)
    if got != want:
        fmt = lambda rs: [f"{h:#x}..{e:#x}@{h + dl:#x}" for h, e, dl in rs]
        errs.append(f"pass loc covers {fmt(got)}, the registers of {guest} are {fmt(want)}")
    # Interrupt routes: guest INTID <- host INTID, each exactly once.
    want_irqs = sorted({(i["virq"], i["intid"]) for i in d["irqs"] if i.get("guest") == gi})
    got_irqs = sorted(conf["pass_intr"])
    if len(set(got_irqs)) != len(got_irqs):
        errs.append("an interrupt is passed twice")
    if sorted(set(got_irqs)) != want_irqs:
        errs.append(f"interrupts passed {got_irqs}, routed in system.dtpb {want_irqs}")
    # Shared-region windows: one vdev shmem each.
    want_shm = sorted((s["name"], s["size"], p["ipa"], p["doorbell"])
                      for s in d["shared"] for p in s["peers"] if p["guest"] == gi)
    got_shm = []
    for s in conf["shmem"]:
        if len(s["create"]) != 1 or s["allow"] != [s["create"][0][0]]:
            errs.append(f"vdev shmem {s} does not create and allow one region")
            continue
        got_shm.append((s["create"][0][0], s["create"][0][1], s["loc"], s["intr"]))
    if sorted(got_shm) != want_shm:
        errs.append(f"vdev shmem {sorted(got_shm)}, shared windows in system.dtpb {want_shm}")
    for e in errs:
        print(f"{path}: {e}")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
