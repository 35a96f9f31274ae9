#!/usr/bin/python3
# tests/boot/mkcpio.py OUT NAME=FILE... — a newc initramfs (the kernel's
# Documentation/driver-api/early-userspace/buffer-format.rst) of regular
# files at the root, mode 0755; no cpio(1) needed.
import sys

def entry(out, ino, name, data, mode):
    name_b = name.encode() + b"\0"
    hdr = "070701" + "".join("%08X" % v for v in (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_b), 0))
    out += hdr.encode() + name_b
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)

out = bytearray()
for i, arg in enumerate(sys.argv[2:], 1):
    name, path = arg.split("=", 1)
    entry(out, i, name, open(path, "rb").read(), 0o100755)
entry(out, 0, "TRAILER!!!", b"", 0)
open(sys.argv[1], "wb").write(out)
