# tests/boot/qemu-press.py MONITOR-SOCKET — sends system_powerdown to a QEMU
# monitor (on QEMU virt without ACPI: a pulse on the PL061's GPIO line 3).
# The monitor must have answered before the connection closes, or QEMU drops
# the command.
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(20)
s.connect(sys.argv[1])
buf = b""
while not buf.endswith(b"(qemu) "):
    buf += s.recv(4096)
s.sendall(b"system_powerdown\n")
buf = b""
while b"(qemu) " not in buf:
    buf += s.recv(4096)
s.close()
