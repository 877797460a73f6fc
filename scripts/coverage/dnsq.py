#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""dnsq.py SERVER NAME:TYPE...: one DNS query over UDP per NAME:TYPE (A, AAAA,
TXT), waiting up to 2 s for each answer; prints what came back.
dnsq.py --udp ADDR:PORT MSG...: one UDP datagram per MSG (a beacon), then
waits briefly for an answer. A coverage scenario client (scenarios.sh)."""
import random
import socket
import struct
import sys

QTYPES = {"A": 1, "AAAA": 28, "TXT": 16}


def query(server, name, qtype):
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    q += struct.pack(">HH", QTYPES[qtype], 1)
    s = socket.socket(socket.AF_INET6 if ":" in server else socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(q, (server, 53))
    try:
        r = s.recv(2048)
        print(name, qtype, "answered", len(r), "bytes")
    except socket.timeout:
        print(name, qtype, "no answer")


def main(argv):
    if len(argv) >= 2 and argv[0] == "--udp":
        addr, port = argv[1].rsplit(":", 1)
        s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(1)
        for i, m in enumerate(argv[2:]):
            s.sendto(b"\x17\x03BEACON%04d:" % i + m.encode(), (addr, int(port)))
            try:
                print("udp answer", s.recv(512))
            except socket.timeout:
                print("udp: no answer")
        return 0
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    for spec in argv[1:]:
        name, _, qtype = spec.partition(":")
        query(argv[0], name, qtype or "A")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
