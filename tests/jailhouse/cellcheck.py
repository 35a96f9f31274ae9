#!/usr/bin/env python3
"""tests/jailhouse/cellcheck.py — the test-side reader of Jailhouse's binary
configuration format. It learns the layout from dtpass's field table
(src/targets/jailhouse/layout.def: names, widths, counts, nesting), decodes
every generated .cell, and compares it field by field with the system
description (the YAML file) and the board (`dtpass board --json`). It also
checks Jailhouse's own invariants — no region overlap inside a cell,
nothing over hypervisor memory, the GIC, IOMMU and virtual PCI frames
intercepted (in no cell's memory regions) — and, across cells, what
`jailhouse config check` does not: no physical range in two cells unless
shared or given by the root.

usage: cellcheck.py LAYOUT.def SYSTEM.yaml BOARD.json OUTDIR/jailhouse
Prints ok/not ok lines; exits 1 on any failure.
"""
import json
import os
import re
import struct
import sys

import yaml

fails = 0


def ok(msg):
    print("ok - " + msg)


def notok(msg):
    global fails
    fails += 1
    print("not ok - " + msg)


def check(cond, msg):
    (ok if cond else notok)(msg)
    return cond


# --- the layout, from layout.def ---------------------------------------------

def read_layout(path):
    text = open(path).read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    structs, consts, sigs, cur = {}, {}, {}, None
    for line in text.splitlines():
        line = line.strip()
        m = re.match(r"(JH_\w+)\((.*)\)$", line)
        if not m:
            continue
        op, args = m.group(1), [a.strip() for a in m.group(2).split(",")]
        if op == "JH_STRUCT":
            cur = args[0]
            structs[cur] = {"size": int(args[1]), "fields": []}
        elif op == "JH_END":
            cur = None
        elif op == "JH_U":
            structs[cur]["fields"].append((args[1], "u", int(args[2]), 1, None))
        elif op == "JH_A":
            structs[cur]["fields"].append((args[1], "u", int(args[2]), int(args[3]), None))
        elif op == "JH_C":
            structs[cur]["fields"].append((args[1], "c", 1, int(args[2]), None))
        elif op == "JH_T":
            structs[cur]["fields"].append((args[1], "t", 0, 1, args[2]))
        elif op == "JH_TA":
            structs[cur]["fields"].append((args[1], "t", 0, int(args[3]), args[2]))
        elif op == "JH_PAD":
            structs[cur]["fields"].append((args[1], "p", 1, int(args[2]), None))
        elif op == "JH_K":
            consts[args[1]] = int(args[2], 0)
        elif op == "JH_SIG":
            sigs[args[0]] = args[1].strip('"').encode()
    return structs, consts, sigs


def struct_size(structs, name):
    n = 0
    for (_, kind, w, count, sub) in structs[name]["fields"]:
        n += (struct_size(structs, sub) if kind == "t" else w) * count
    return n


def decode(structs, name, data, off):
    """Decodes one structure at off: a dict of its fields."""
    out = {}
    for (fname, kind, w, count, sub) in structs[name]["fields"]:
        vals = []
        for _ in range(count):
            if kind == "u":
                vals.append(int.from_bytes(data[off:off + w], "little"))
                off += w
            elif kind == "t":
                v, off = decode(structs, sub, data, off)
                vals.append(v)
            elif kind == "c":
                vals = data[off:off + count]
                off += count
                break
            else:
                off += count
                vals = None
                break
        if kind in ("u", "t") and count == 1:
            vals = vals[0]
        if kind == "c":
            vals = bytes(vals).rstrip(b"\0")
        out[fname] = vals
    return out, off


def decode_cell(structs, data, off, desc):
    """The arrays after a cell descriptor, in the format's order."""
    c = {"desc": desc}
    n = desc["cpu_set_size"]
    c["cpus"] = int.from_bytes(data[off:off + n], "little")
    off += n
    c["mem"] = []
    for _ in range(desc["num_memory_regions"]):
        r, off = decode(structs, "memory", data, off)
        c["mem"].append(r)
    check(desc["num_cache_regions"] == 0 and desc["num_pio_regions"] == 0 and desc["num_pci_caps"] == 0,
          "%s: no cache, PIO or PCI capability entries" % desc["name"].decode())
    c["irqchips"] = []
    for _ in range(desc["num_irqchips"]):
        r, off = decode(structs, "irqchip", data, off)
        c["irqchips"].append(r)
    c["pci"] = []
    for _ in range(desc["num_pci_devices"]):
        r, off = decode(structs, "pci_device", data, off)
        c["pci"].append(r)
    c["sids"] = []
    for _ in range(desc["num_stream_ids"]):
        r, off = decode(structs, "sid_v3", data, off)
        c["sids"].append(r["id"])
    return c, off


# --- helpers -------------------------------------------------------------------

def num(v):
    if isinstance(v, int):
        return v
    s = str(v).replace("_", "")
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    if s and s[-1] in mult:
        return int(s[:-1], 0) * mult[s[-1]]
    return int(s, 0)


def overlap(a0, an, b0, bn):
    return an and bn and a0 < b0 + bn and b0 < a0 + an


def main():
    layout, sysfile, boardjson, outdir = sys.argv[1:5]
    structs, K, SIG = read_layout(layout)
    for name, s in structs.items():
        check(struct_size(structs, name) == s["size"],
              "layout: %s is %d bytes as published" % (name, s["size"]))
    sysd = yaml.safe_load(open(sysfile))
    board = json.load(open(boardjson))
    devs = {d["path"]: d for d in board["devices"]}
    labels = {d["label"]: d for d in board["devices"] if d.get("label")}

    def dev_of(ref):
        if ref.startswith("&"):
            return labels[ref[1:]]
        return devs[ref]

    guests = sysd["guests"]
    names = [g["name"] for g in guests]
    hyp = sysd.get("hypervisor", {})
    root = hyp.get("root-cell", names[0])
    base = os.path.splitext(os.path.basename(sysfile))[0]
    MEM = {k[len("JAILHOUSE_MEM_"):]: v for k, v in K.items() if k.startswith("JAILHOUSE_MEM_")}

    # The files: <system>.cell for the root, <guest>.cell for the others.
    want = {base + ".cell"} | {n + ".cell" for n in names if n != root}
    have = {f for f in os.listdir(outdir) if f.endswith(".cell")}
    check(have == want, "the .cell files are %s" % sorted(want))

    data = open(os.path.join(outdir, base + ".cell"), "rb").read()
    sysc, off = decode(structs, "system", data, 0)
    check(sysc["signature"] == SIG["JAILHOUSE_SYSTEM_SIGNATURE"], "system: signature JHSYS")
    check(sysc["revision"] == K["JAILHOUSE_CONFIG_REVISION"], "system: revision 14")
    check(sysc["architecture"] == K["JAILHOUSE_ARM64"], "system: arm64")
    hm = hyp["memory"][0]
    check(sysc["hypervisor_memory"]["phys_start"] == num(hm["base"])
          and sysc["hypervisor_memory"]["size"] == num(hm["size"]),
          "system: hypervisor memory is hypervisor: memory:")
    hdevs = [dev_of(r) for r in hyp.get("devices", [])]
    con = sysc["debug_console"]
    if hdevs and hdevs[0]["mmio"]:
        check(con["address"] == num(hdevs[0]["mmio"][0]["base"]) and con["type"] != 0,
              "system: debug console is the hypervisor's UART %s" % hdevs[0]["path"])
    pi = sysc["platform_info"]
    gic = board["gic"]
    arm = pi["arm"]
    check(arm["gic_version"] == gic["version"] and arm["gicd_base"] == num(gic["mmio"][0]["base"]),
          "system: GIC version and distributor from the board")
    if gic["version"] == 3:
        check(arm["gicr_base"] == num(gic["mmio"][1]["base"]), "system: GICR from the board")
    else:
        alias = 0xf000 if num(gic["mmio"][1]["size"]) == 0x20000 else 0  # 64K-aliased GIC-400
        check(arm["gicc_base"] == num(gic["mmio"][1]["base"]) + alias, "system: GICC from the board")
    units = [u for u in pi["iommu_units"] if u["type"]]
    want_units = [(3 if s["version"] == 3 else 5, num(s["mmio"][0]["base"]), num(s["mmio"][0]["size"]))
                  for s in board["smmus"]]
    check([(u["type"], u["base"], u["size"]) for u in units] == want_units,
          "system: IOMMU units are the board's SMMUs %s" % [hex(u[1]) for u in want_units])

    cells = {}
    rc, end = decode_cell(structs, data, off, sysc["root_cell"])
    check(end == len(data), "system: the file is exactly the system and root cell (%d bytes)" % len(data))
    cells[root] = rc
    for n in names:
        if n == root:
            continue
        d = open(os.path.join(outdir, n + ".cell"), "rb").read()
        desc, off = decode(structs, "cell_desc", d, 0)
        check(desc["signature"] == SIG["JAILHOUSE_CELL_DESC_SIGNATURE"] and desc["revision"] == 14
              and desc["architecture"] == 2, "%s: signature, revision, architecture" % n)
        c, end = decode_cell(structs, d, off, desc)
        check(end == len(d), "%s: the file is exactly the cell (%d bytes)" % (n, len(d)))
        cells[n] = c

    # --- field by field against the system description -------------------
    all_cpus = 0
    for g in guests:
        for cpu in g.get("cpus", []):
            all_cpus |= 1 << cpu
    for g in guests:
        n = g["name"]
        c = cells[n]
        is_root = n == root
        check(c["desc"]["name"].decode() == n, "%s: cell name" % n)
        mine = 0
        for cpu in g.get("cpus", []):
            mine |= 1 << cpu
        check(c["cpus"] == (all_cpus if is_root else mine),
              "%s: CPU set 0x%x (%s)" % (n, c["cpus"], "every cell's" if is_root else "its own"))
        mem = c["mem"]
        owners = guests if is_root else [g]
        # RAM
        for og in owners:
            for m in og.get("memory", []):
                b, s = num(m["base"]), num(m["size"])
                ipa = b if is_root else num(m.get("ipa", m["base"]))
                flags = MEM["READ"] | MEM["WRITE"] | MEM["EXECUTE"] | MEM["DMA"] | (0 if is_root else MEM["LOADABLE"])
                hit = [r for r in mem if r["phys_start"] == b and r["virt_start"] == ipa and r["size"] == s]
                check(len(hit) == 1 and hit[0]["flags"] == flags,
                      "%s: RAM 0x%x+0x%x at 0x%x with READ|WRITE|EXECUTE|DMA%s" %
                      (n, b, s, ipa, "" if is_root else "|LOADABLE"))
        # device registers, interrupts and stream IDs
        want_irqs, want_sids = set(), set()
        for og in owners:
            for dref in og.get("devices", []):
                spec = dref if isinstance(dref, dict) else {"node": dref}
                bd = dev_of(spec["node"])
                for k, mm in enumerate(bd["mmio"]):
                    pa, sz = num(mm["base"]), num(mm["size"])
                    ipa = pa
                    if not is_root and "ipa" in spec and k == 0:
                        ipa = num(spec["ipa"])
                    cover = [r for r in mem if r["flags"] & MEM["IO"] and r["phys_start"] <= pa
                             and pa + sz <= r["phys_start"] + r["size"]
                             and r["virt_start"] - r["phys_start"] == ipa - pa]
                    check(len(cover) == 1 and cover[0]["flags"] & MEM["READ"] and cover[0]["flags"] & MEM["WRITE"],
                          "%s: registers of %s [0x%x+0x%x] in one IO region" % (n, bd["path"], pa, sz))
                    if cover and (cover[0]["phys_start"] | cover[0]["size"]) & 0xfff:
                        w = MEM["IO_8"] | MEM["IO_16"] | MEM["IO_32"] | MEM["IO_64"]
                        check(cover[0]["flags"] & w == w, "%s: sub-page region of %s allows 8..64-bit access"
                              % (n, bd["path"]))
                for irq in bd["irqs"]:
                    if irq["gic"] and irq["intid"] >= 32:
                        want_irqs.add(irq["intid"])
                for sid in bd["stream_ids"]:
                    want_sids.add(num(sid["sid"]) if isinstance(sid, dict) else num(sid))
                for sid in spec.get("stream-ids", []):
                    want_sids.add(num(sid))
        # shared regions
        npci = 0
        for sh in sysd.get("shared", []):
            peers = [p["guest"] for p in sh["peers"]]
            if n not in peers:
                continue
            p = sh["peers"][peers.index(n)]
            b, s = num(sh["base"]), num(sh["size"])
            ipa = b if is_root else num(p.get("ipa", sh["base"]))
            w = MEM["WRITE"] if p.get("access", "rw") == "rw" else 0
            rs = 0 if is_root or root not in peers else MEM["ROOTSHARED"]
            if all("doorbell" in q for q in sh["peers"]):
                npci += 1
                dev = [d for d in c["pci"] if d["shmem_dev_id"] == peers.index(n)
                       and mem[d["shmem_regions_start"]]["phys_start"] == b]
                ok_dev = len(dev) == 1 and dev[0]["type"] == K["JAILHOUSE_PCI_TYPE_IVSHMEM"] \
                    and dev[0]["shmem_peers"] == len(peers)
                check(ok_dev, "%s: %s is ivshmem device %d of %d peers" % (n, sh["name"], peers.index(n), len(peers)))
                if ok_dev:
                    i = dev[0]["shmem_regions_start"]
                    st, rw = mem[i], mem[i + 1]
                    check(st["virt_start"] == ipa and st["size"] == 0x1000 and st["flags"] == MEM["READ"] | rs,
                          "%s: %s state table, read-only, at 0x%x" % (n, sh["name"], ipa))
                    check(rw["phys_start"] == b + 0x1000 and rw["virt_start"] == ipa + 0x1000
                          and rw["size"] == s - 0x1000 and rw["flags"] == MEM["READ"] | w | rs,
                          "%s: %s read/write section" % (n, sh["name"]))
                    check(all(mem[i + 2 + k]["size"] == 0 for k in range(len(peers))),
                          "%s: %s has one (empty) output section per peer" % (n, sh["name"]))
                    pin = (dev[0]["bdf"] >> 3) & 3
                    check(32 + c["desc"]["vpci_irq_base"] + pin == p["doorbell"] + 32,
                          "%s: %s doorbell SPI %d is vpci_irq_base + INTx pin" % (n, sh["name"], p["doorbell"]))
                want_irqs.add(p["doorbell"] + 32)
            else:
                hit = [r for r in mem if r["phys_start"] == b and r["virt_start"] == ipa and r["size"] == s]
                check(len(hit) == 1 and hit[0]["flags"] == MEM["READ"] | w | rs,
                      "%s: shared memory %s at 0x%x" % (n, sh["name"], ipa))
        check(len(c["pci"]) == npci, "%s: %d ivshmem devices" % (n, npci))
        got_irqs = set()
        for ic in c["irqchips"]:
            check(ic["address"] == arm["gicd_base"] and ic["pin_base"] % 32 == 0 and ic["pin_base"] + 128 <= 1024,
                  "%s: irqchip at the distributor, pin_base %d" % (n, ic["pin_base"]))
            for k in range(128):
                if ic["pin_bitmap"][k // 32] >> (k % 32) & 1:
                    got_irqs.add(ic["pin_base"] + k)
        check(got_irqs == want_irqs, "%s: interrupts are exactly %s" % (n, sorted(want_irqs)))
        check(set(c["sids"]) == want_sids, "%s: stream IDs are exactly %s" % (n, sorted(hex(x) for x in want_sids)))
        comm = [r for r in mem if r["flags"] & MEM["COMM_REGION"]]
        check(len(comm) == (0 if is_root else 1), "%s: %s communication region" % (n, "no" if is_root else "one"))

    # --- Jailhouse's invariants (what jailhouse config check looks at) ----
    hmr = sysc["hypervisor_memory"]
    frames = [("GICD", arm["gicd_base"], 0x10000 if gic["version"] == 3 else 0x1000)]
    if gic["version"] == 3:
        frames.append(("GICR", arm["gicr_base"], num(gic["mmio"][1]["size"])))
    else:
        frames += [("GICC", arm["gicc_base"], 0x2000), ("GICH", arm["gich_base"], 0x2000),
                   ("GICV", arm["gicv_base"], 0x2000)]
    frames += [("IOMMU", u["base"], u["size"]) for u in units]
    if pi["pci_mmconfig_base"]:
        frames.append(("MMCONFIG", pi["pci_mmconfig_base"], (pi["pci_mmconfig_end_bus"] + 1) << 20))
    for n, c in cells.items():
        regs = [r for r in c["mem"] if r["size"]]
        bad = [(i, j) for i in range(len(regs)) for j in range(i + 1, len(regs))
               if overlap(regs[i]["phys_start"], regs[i]["size"], regs[j]["phys_start"], regs[j]["size"]) or
               overlap(regs[i]["virt_start"], regs[i]["size"], regs[j]["virt_start"], regs[j]["size"])]
        check(not bad, "%s: no two memory regions overlap (physically or virtually)" % n)
        check(not [r for r in regs if overlap(r["phys_start"], r["size"], hmr["phys_start"], hmr["size"])],
              "%s: nothing overlaps hypervisor memory" % n)
        for (fname, fb, fs) in frames:
            check(not [r for r in regs if overlap(r["phys_start"], r["size"], fb, fs)],
                  "%s: %s frame at 0x%x is intercepted, not mapped" % (n, fname, fb))
    # Across cells: a non-root cell's physical ranges are its own, shared
    # regions, or taken from the root; never another non-root cell's.
    nonroot = [n for n in names if n != root]
    for i, a in enumerate(nonroot):
        for b in nonroot[i + 1:]:
            clash = [(x, y) for x in cells[a]["mem"] for y in cells[b]["mem"]
                     if overlap(x["phys_start"], x["size"], y["phys_start"], y["size"])
                     and not (x["flags"] & y["flags"] & MEM["READ"] and
                              x["phys_start"] == y["phys_start"] and x["size"] == y["size"] and
                              not (x["flags"] & MEM["IO"]) and
                              not (x["flags"] & MEM["EXECUTE"]))]
            check(not clash, "cells %s and %s share only shared-memory regions" % (a, b))
    for n in nonroot:
        c = cells[n]
        for r in c["mem"]:
            if not r["size"] or not r["flags"] & (MEM["LOADABLE"] | MEM["IO"]):
                continue  # the root holds RAM and devices, and shared memory it is a peer of
            inroot = any(q["phys_start"] <= r["phys_start"] and r["phys_start"] + r["size"] <= q["phys_start"] + q["size"]
                         for q in cells[root]["mem"])
            if not check(inroot, "%s: region 0x%x+0x%x is one the root cell holds" % (n, r["phys_start"], r["size"])):
                break
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
