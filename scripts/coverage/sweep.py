#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""sweep.py [--port P] TARGET...: a TCP connect sweep (what a worm or an
operator's port scan does): one connection attempt to port P (445) of every
address of every TARGET (an address or a CIDR), 32 in flight, 2 s each.
Prints the open ones. A coverage scenario client (scenarios.sh)."""
import argparse
import ipaddress
import selectors
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=445)
    ap.add_argument("targets", nargs="+")
    a = ap.parse_args()
    addrs = []
    for t in a.targets:
        net = ipaddress.ip_network(t, strict=False)
        addrs += [str(h) for h in (net.hosts() if net.num_addresses > 1 else [net.network_address])]
    sel = selectors.DefaultSelector()
    pending, opened, i = {}, [], 0
    while i < len(addrs) or pending:
        while i < len(addrs) and len(pending) < 32:
            s = socket.socket(socket.AF_INET6 if ":" in addrs[i] else socket.AF_INET)
            s.setblocking(False)
            s.connect_ex((addrs[i], a.port))
            sel.register(s, selectors.EVENT_WRITE, addrs[i])
            pending[s] = time.monotonic()
            i += 1
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                opened.append(key.data)
            sel.unregister(s)
            s.close()
            del pending[s]
        now = time.monotonic()
        for s in [s for s, t in pending.items() if now - t > 2]:
            sel.unregister(s)
            s.close()
            del pending[s]
    print("swept", len(addrs), "addresses; open:", " ".join(opened) or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
