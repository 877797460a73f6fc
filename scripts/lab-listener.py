#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""lab-listener.py: the lab's tiny TCP/UDP "services" (scripts/lab-services.sh):
accept, read briefly, answer a line, close; UDP datagrams are read and
dropped. So the RPC port 135 and the C2 port need no real RPC or TLS server.

usage: lab-listener.py PROTO,ADDR,PORT...   (PROTO tcp or udp)
"""
import selectors
import socket
import sys

sel = selectors.DefaultSelector()
for spec in sys.argv[1:]:
    proto, addr, port = spec.split(",")
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, int(port)))
    if proto == "tcp":
        s.listen(64)
    sel.register(s, selectors.EVENT_READ, proto)
print("listening", sys.argv[1:], flush=True)
while True:
    for key, _ in sel.select():
        s = key.fileobj
        if key.data == "udp":
            s.recvfrom(2048)
            continue
        c, peer = s.accept()
        c.settimeout(1.0)
        try:
            c.recv(4096)
        except OSError:
            pass
        try:
            c.sendall(b"xdphunt-lab\n")
        except OSError:
            pass
        c.close()
        print("conn", peer, "->", s.getsockname(), flush=True)
