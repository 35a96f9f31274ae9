#!/usr/bin/python3
"""carve.py — carvings of real boards, shared by tests/suite-carve-boards.sh
and tests/suite-dt-schema.sh.

A *carving* gives a set of board nodes (one top-level device, or one bus)
alone to one guest: the system file is generated here from
`dtpass board --json`, the build runs `dtpass build --target dtb`, and
`compare()` checks the guest DTB against the board DTB property by property,
allowing only the rewrites docs/guest-dt.md documents.

Reading DTBs goes through libfdt's own Python binding (python3-libfdt), so
the comparison does not share a parser with dtpass.
"""
import json
import os
import subprocess

import libfdt

MACHINE_TOP = ("/cpus", "/psci", "/memory", "/reserved-memory", "/aliases", "/chosen")


# ---------------------------------------------------------------- trees ----

class Node:
    __slots__ = ("name", "path", "parent", "props", "children", "phandle")

    def __init__(self, name, path, parent):
        self.name, self.path, self.parent = name, path, parent
        self.props = {}          # name -> bytes, in board order (dicts keep it)
        self.children = []
        self.phandle = None


class Tree:
    """A DTB read with libfdt into plain Python nodes."""

    def __init__(self, blob):
        fdt = libfdt.Fdt(blob)
        self.by_path = {}
        self.by_phandle = {}
        self.root = self._read(fdt, 0, "", "/", None)

    def _read(self, fdt, off, name, path, parent):
        n = Node(name, path, parent)
        self.by_path[path] = n
        p = fdt.first_property_offset(off, libfdt.QUIET_NOTFOUND)
        while p >= 0:
            prop = fdt.get_property_by_offset(p)
            n.props[prop.name] = bytes(prop)
            p = fdt.next_property_offset(p, libfdt.QUIET_NOTFOUND)
        ph = n.props.get("phandle") or n.props.get("linux,phandle")
        if ph is not None and len(ph) == 4:
            n.phandle = int.from_bytes(ph, "big")
            self.by_phandle.setdefault(n.phandle, n)
        c = fdt.first_subnode(off, libfdt.QUIET_NOTFOUND)
        while c >= 0:
            cname = fdt.get_name(c)
            cpath = ("/" if path == "/" else path + "/") + cname
            n.children.append(self._read(fdt, c, cname, cpath, n))
            c = fdt.next_subnode(c, libfdt.QUIET_NOTFOUND)
        return n

    @classmethod
    def load(cls, path):
        with open(path, "rb") as f:
            return cls(f.read())


def u32(b, i=0):
    return int.from_bytes(b[4 * i:4 * i + 4], "big")


def cells_of(node, name, default):
    v = node.props.get(name) if node is not None else None
    return u32(v) if v is not None and len(v) == 4 else default


def base_name(name):
    return name.split("@", 1)[0]


# ----------------------------------------------------- interrupt counts ----

def _irq_parent(tree, node):
    """The interrupt parent Linux would use for `interrupts` of node."""
    n = node
    while n is not None:
        ip = n.props.get("interrupt-parent")
        if ip is not None and len(ip) == 4:
            return tree.by_phandle.get(u32(ip))
        n = n.parent
    return None


def irq_count(tree, node):
    """Number of interrupt specifiers of node (interrupts + interrupts-extended),
    or None when its cells cannot be decoded."""
    total = 0
    v = node.props.get("interrupts")
    if v is not None:
        par = _irq_parent(tree, node)
        cells = cells_of(par, "#interrupt-cells", None)
        if not cells:
            return None
        total += len(v) // (4 * cells)
    v = node.props.get("interrupts-extended")
    if v is not None:
        i, n = 0, len(v) // 4
        while i < n:
            par = tree.by_phandle.get(u32(v, i))
            cells = cells_of(par, "#interrupt-cells", None)
            if cells is None:
                return None
            i += 1 + cells
            total += 1
    return total


def reg_entries(node, value):
    """(count, sizes) of a reg value, in the cells of node's parent."""
    par = node.parent
    ac = cells_of(par, "#address-cells", 2)
    sc = cells_of(par, "#size-cells", 1)
    if ac + sc == 0 or len(value) % (4 * (ac + sc)):
        return None
    sizes = []
    for e in range(len(value) // (4 * (ac + sc))):
        s = 0
        for k in range(sc):
            s = (s << 32) | u32(value, e * (ac + sc) + ac + k)
        sizes.append(s)
    return len(sizes), sizes, sc


# ------------------------------------------------------------ comparing ----

# Properties docs/guest-dt.md lets the carving rewrite or remove.
REWRITTEN = {"phandle", "linux,phandle", "status", "ranges", "dma-ranges",
             "interrupt-parent", "interrupt-map", "interrupt-map-mask"}
REMOVED_OK = {"iommus", "iommu-map", "iommu-map-mask", "linux,phandle", "status",
              "dma-ranges", "ranges", "interrupt-parent", "phandle"}
# Removed only when they name the GIC's own MSI frames (_names_gic_msi).
MSI_PROPS = {"msi-parent", "msi-map", "msi-map-mask"}
GIC_MSI = (b"arm,gic-v3-its", b"arm,gic-v2m-frame")


def _names_gic_msi(board, node):
    """Whether node's msi-parent / msi-map names only GIC ITS or GICv2m
    frames (the guest's vGIC has none, docs/guest-dt.md): by their
    compatible, not by dtpass's rule."""
    targets = []
    v = node.props.get("msi-map")
    if v is not None:
        targets += [u32(v, i) for i in range(1, len(v) // 4, 4)]
    v = node.props.get("msi-parent")
    i = 0
    while v is not None and i < len(v) // 4:
        t = board.by_phandle.get(u32(v, i))
        targets.append(u32(v, i))
        i += 1 + (cells_of(t, "#msi-cells", 0) if t else 0)
    for ph in targets:
        t = board.by_phandle.get(ph)
        c = t.props.get("compatible", b"") if t else b""
        if not any(x in c.split(b"\0") for x in GIC_MSI):
            return False
    return bool(targets)
ADDED_OK = {"interrupt-parent", "interrupts", "interrupts-extended", "ranges",
            "status", "phandle"}


def _child_match(bnode, gnode, bchild):
    for c in gnode.children:
        if c.name == bchild.name:
            return c
    # docs/guest-dt.md: a node copied without reg/ranges turns its unit
    # address into a suffix (x@a -> x-a); found, and reported as a rename.
    for c in gnode.children:
        if c.name == bchild.name.replace("@", "-", 1):
            return c
    if bchild.phandle is not None:
        for c in gnode.children:
            if c.phandle == bchild.phandle:
                return c
    # A recomputed unit address: the one guest child with the same base name
    # that is not named like another board child.
    taken = {c.name for c in bnode.children if c is not bchild}
    same = [c for c in gnode.children
            if base_name(c.name) == base_name(bchild.name) and c.name not in taken]
    return same[0] if len(same) == 1 else None


def find_guest(board, guest, bnode):
    """The guest node carved from board node bnode, or None."""
    g = guest.by_path.get(bnode.path)
    if g is not None:
        return g
    if bnode.phandle is not None:
        g = guest.by_phandle.get(bnode.phandle)
        if g is not None:
            return g
    chain = []
    n = bnode
    while n.parent is not None:
        chain.append(n)
        n = n.parent
    g = guest.root
    for b in reversed(chain):
        g = _child_match(b.parent, g, b)
        if g is None:
            return None
    return g


def _is_mmio_child(bnode):
    """A subnode with registers of its own in its parent's address space."""
    return "reg" in bnode.props and bnode.parent is not None and \
        "ranges" in bnode.parent.props


# A bus above an assigned device, kept as on the board (docs/guest-dt.md,
# "Assigned devices and their buses"): its own resources go; a reference
# naming a node the guest lacks goes with its -names, and then its
# compatible keeps only the generic bus ones.
BUS_RESOURCES = {"reg", "reg-names", "interrupts", "interrupts-extended",
                 "interrupt-names", "interrupt-map", "interrupt-map-mask"}
GENERIC_BUS = (b"simple-bus", b"simple-pm-bus", b"simple-mfd", b"isa", b"arm,amba-bus",
               b"syscon-bus")


def _bus_ref_gone(board, guest, b, p):
    """Whether property p of bus b (or the one p names the entries of) is a
    reference whose first phandle names a board node the guest lacks."""
    for q in (p, p[:-len("-names")] + "s" if p.endswith("-names") else None):
        v = b.props.get(q) if q else None
        if v is not None and q not in BUS_RESOURCES and len(v) >= 4 and len(v) % 4 == 0:
            t = board.by_phandle.get(u32(v))
            if t is not None and t.phandle not in guest.by_phandle and \
                    find_guest(board, guest, t) is None:
                return True
    return False


def _bus_compatible(b, g):
    """The kept compatible of a bus that lost a reference."""
    want = [c for c in b.props.get("compatible", b"").split(b"\0") if c in GENERIC_BUS] or [b"simple-bus"]
    return g.props.get("compatible") == b"\0".join(want) + b"\0"


def compare_node(board, guest, b, g, drop, out, bus=False):
    """Appends (class, board path, property, detail) for every difference
    between board node b and guest node g that no documented rule allows.
    bus: b is an address bus above an assigned device, kept as on the board."""
    if g.name != b.name:
        # The unit address may be recomputed from the guest address (a
        # documented rewrite); any other rename is a change.
        # So may a unit address without reg or ranges on the board (a DT
        # error there, dtc's unit_address_vs_reg) become a suffix: x@a -> x-a.
        suffix = g.name == b.name.replace("@", "-", 1) and "reg" not in b.props and \
            "ranges" not in b.props
        if not suffix and \
                not (base_name(g.name) == base_name(b.name) and "reg" in b.props and "@" in g.name):
            out.append(("node-renamed", b.path, "", "%s -> %s" % (b.name, g.name)))
    bi = irq_count(board, b) if ("interrupts" in b.props or "interrupts-extended" in b.props) else 0
    for p, v in b.props.items():
        if p in drop:
            continue
        gv = g.props.get(p)
        if p in ("interrupts", "interrupts-extended"):
            gi = irq_count(guest, g)
            if bi is not None and gi is not None and gi != bi:
                out.append(("interrupts", b.path, p, "%d specifiers on the board, %d in the guest" % (bi, gi)))
            continue
        if gv is None:
            if p in REMOVED_OK or (p in MSI_PROPS and _names_gic_msi(board, b)):
                continue
            if bus and (p in BUS_RESOURCES or (_bus_ref_gone(board, guest, b, p) and
                                               _bus_compatible(b, g))):
                continue
            out.append(("prop-missing", b.path, p, ""))
            continue
        if p in REWRITTEN:
            continue
        if p == "reg":
            be, ge = reg_entries(b, v), reg_entries(g, gv)
            if be is None or ge is None:
                if v != gv:
                    out.append(("prop-changed", b.path, p, "reg not decodable"))
            elif be[2] == 0 or ge[2] == 0:
                if v != gv:   # not MMIO (ports, CPU numbers, bus-local ids): kept as is
                    out.append(("prop-changed", b.path, p, "non-MMIO reg changed"))
            elif be[0] != ge[0] or be[1] != ge[1]:
                out.append(("prop-changed", b.path, p, "%d entries %s -> %d entries %s" %
                            (be[0], [hex(s) for s in be[1]], ge[0], [hex(s) for s in ge[1]])))
            continue
        if bus and p == "compatible" and _bus_compatible(b, g) and \
                any(q not in g.props and _bus_ref_gone(board, guest, b, q) for q in b.props):
            continue
        if v != gv:
            out.append(("prop-changed", b.path, p, ""))
    for p in g.props:
        if p not in b.props and p not in ADDED_OK:
            out.append(("prop-added", b.path, p, ""))


def compare(board, guest, assigned, drop=None, machine=()):
    """Differences between a guest DTB and its board for the assigned board
    paths (each with its whole subtree) and for every copied provider (a
    guest node carrying a board node's phandle). Returns (differences,
    nodes compared, subnodes left out as documented). machine: board paths
    dtpass replaces with its own nodes (the GIC, the architected timer:
    docs/guest-dt.md#the-virtual-gic), not compared."""
    drop = drop or {}
    out, seen, excluded = [], set(), 0
    todo = []
    for path in assigned:
        b = board.by_path.get(path)
        if b is None:
            out.append(("node-missing", path, "", "not on the board"))
            continue
        todo.append((b, True))
    # Copied providers: guest nodes holding a board phandle (phandles are
    # kept, docs/guest-dt.md#phandles); the vGIC and vCPUs carry board
    # phandles too but are dtpass's own nodes.
    for ph, gn in guest.by_phandle.items():
        bn = board.by_phandle.get(ph)
        if bn is None or bn.path.startswith(MACHINE_TOP) or \
                any(bn.path == m or bn.path.startswith(m + "/") for m in machine):
            continue
        todo.append((bn, False))
    while todo:
        b, whole = todo.pop()
        if b.path in seen:
            continue
        seen.add(b.path)
        g = find_guest(board, guest, b)
        if g is None:
            if not whole:
                continue
            out.append(("node-missing", b.path, "", ""))
            continue
        bus = not whole and "ranges" in b.props and \
            any(a.startswith(b.path + "/") or b.path == "/" for a in assigned)
        compare_node(board, guest, b, g, drop.get(b.path, ()), out, bus)
        for c in b.children:
            gc = _child_match(b, g, c)
            if gc is None:
                if whole and _is_mmio_child(c) and c.path not in assigned:
                    excluded += 1   # separate registers the guest's windows do not cover
                elif whole:
                    out.append(("node-missing", c.path, "", ""))
                continue
            todo.append((c, whole))
    return out, len(seen), excluded


# ------------------------------------------------------------- carvings ----

def board_json(dtpass, dtb):
    r = subprocess.run([dtpass, "board", "--json", dtb], capture_output=True)
    if r.returncode != 0:
        raise RuntimeError("dtpass board --json %s: exit %d: %s" %
                           (dtb, r.returncode, r.stderr.decode(errors="replace")[:300]))
    return json.loads(r.stdout)


def _under(path, top):
    return path == top or path.startswith(top + "/")


def machine_paths(bj):
    """Board nodes dtpass writes its own version of in every guest."""
    return [p for p in ((bj.get("gic") or {}).get("path"), bj.get("timer")) if p]


def carvings(bj):
    """(kind, path) for every top-level device and every bus above one."""
    skip = machine_paths(bj)
    devs = [d["path"] for d in bj["devices"]
            if not any(_under(d["path"], s) for s in skip)]
    dset = set(devs)
    top = []
    for p in devs:
        a = p.rsplit("/", 1)[0]
        inside = False
        while a:
            if a in dset:
                inside = True
                break
            a = a.rsplit("/", 1)[0]
        if not inside:
            top.append(p)
    buses = set()
    for p in top:
        a = p.rsplit("/", 1)[0]
        while a and a not in ("/firmware",):
            buses.add(a)
            a = a.rsplit("/", 1)[0]
    out = [("device", p) for p in top]
    out += [("bus", p) for p in sorted(buses)]
    return out


def _overlaps(base, size, ranges):
    for r in ranges:
        rb, rs = int(r["base"], 16), int(r["size"], 16)
        if base < rb + rs and rb < base + size:
            return True
    return False


def guest_memory(bj, size=64 << 20):
    """64 MiB of board RAM away from reserved regions, or None."""
    avoid = (bj.get("reserved") or []) + (bj.get("reserved_nomap") or []) + \
        (bj.get("memreserve") or [])
    for r in sorted(bj.get("ram") or [], key=lambda r: -int(r["size"], 16)):
        rb, rs = int(r["base"], 16), int(r["size"], 16)
        for k in range(1, 16):
            b = (rb + rs * k // 16) & ~((2 << 20) - 1)
            if b >= rb and b + size <= rb + rs and not _overlaps(b, size, avoid):
                return b
    return None


def system_yaml(bj, nodes, name="g"):
    """A one-guest system owning the given board nodes. DMA masters the
    board gives no stream ID get `unsafe-no-iommu`, so that the carving is
    tested rather than the dma-no-iommu check."""
    mem = guest_memory(bj)
    dev_by = {d["path"]: d for d in bj["devices"]}
    lines = ["dtpass: 1", "guests:", "  - name: %s" % name, "    cpus: [ 0 ]"]
    if mem is not None:
        lines += ["    memory:", "      - { base: 0x%x, size: 64M }" % mem]
    lines.append("    devices:")
    for n in nodes:
        sub = [d for p, d in dev_by.items() if _under(p, n)]
        lines.append("      - node: \"%s\"" % n)
        if any(d["dma"]["master"] and not d["stream_ids"] for d in sub):
            lines.append("        unsafe-no-iommu: \"carving test: no stream ID on the board\"")
    return "\n".join(lines) + "\n"


def build(dtpass, system, dtb, outdir, targets="dtb"):
    """Runs dtpass build; returns (exit status, stderr text)."""
    r = subprocess.run([dtpass, "build", system, "--board", dtb, "-q", "--target", targets,
                        "-o", outdir], capture_output=True, timeout=120)
    return r.returncode, r.stderr.decode(errors="replace")


def boards(cache):
    out = []
    for d, _, files in os.walk(os.path.join(cache, "debian")):
        out += [os.path.join(d, f) for f in files if f.endswith(".dtb")]
    return sorted(out)
