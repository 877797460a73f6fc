#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""test_lengths.py XDPHUNT: replay takes the UDP length and an IPv6 payload
length of 0 as the wire and tshark do, with both engines.

1. DNS over UDP stops at the UDP length: a query whose UDP length ends
   inside the name gives no ioc.dns even though the IP payload holds the
   whole name (tshark: no dns.qry.name, a malformed packet); a UDP length
   below 8 is no datagram (tshark: "Bad length value"); over IPv6 a UDP
   length of 0 is the IP payload's (tshark reads the name). A UDP length
   past the IP payload is dropped by Linux (udp_rcv()): no hit, where tshark
   reads the name anyway and says "Bad length value ... > IP payload length".
2. An IPv6 payload length of 0 without a hop-by-hop header, as a capture on
   a host with BIG TCP holds large segments, is read to the end of the
   record, as `tshark -o ipv6.tso_support:TRUE` reads it: smb.connect and
   ioc.dns. (Live, the same packet has no payload: test_classify_ipv6_len0.)"""
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from pycheck import Checker, replay_engines  # noqa: E402
from pcapgen import ip_frame, tcp_frame, write_pcap  # noqa: E402

XH = sys.argv[1]
check = Checker("lengths")
C, S, C6, S6 = "192.0.2.10", "192.0.2.53", "2001:db8::10", "2001:db8::53"


def dns_query(name):
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", 1, 1)


def udp(src, dst, sport, payload, ulen=None, trailer=b""):
    """A UDP datagram to port 53 with @payload, whose length field is @ulen
    (default: the datagram's), then @trailer inside the IP payload."""
    ulen = 8 + len(payload) if ulen is None else ulen
    return ip_frame(src, dst, 17, struct.pack("!HHHH", sport, 53, ulen, 0) + payload + trailer)


def plen0(frame):
    """@frame (IPv6) with its payload length 0."""
    return frame[:18] + b"\0\0" + frame[20:]


Q = dns_query("www.evil.example")
# (frame, source port, hit expected, what tshark must show for it); tshark
# must not read the name where it shows neither the name nor "IP payload".
CASES = [
    (udp(C, S, 40001, Q), 40001, "ioc.dns", "www.evil.example"),
    (udp(C, S, 40002, Q, ulen=8 + 22, trailer=b"\0" * 8), 40002, None, "Malformed"),
    (udp(C, S, 40003, Q, ulen=7), 40003, None, "Bad length value 7 < 8"),
    (udp(C6, S6, 40004, Q, ulen=0), 40004, "ioc.dns", "www.evil.example"),
    (udp(C, S, 40005, Q, ulen=8 + len(Q) + 1), 40005, None, "> IP payload length"),
    (plen0(udp(C6, S6, 40006, Q)), 40006, "ioc.dns", "www.evil.example"),
    (plen0(tcp_frame(C6, "2001:db8::20", 40007, 445)), 40007, "smb.connect", "445"),
]

with tempfile.TemporaryDirectory() as d:
    pcap = os.path.join(d, "lengths.pcap")
    feed = os.path.join(d, "feed.txt")
    with open(feed, "w") as f:
        f.write("evil.example\n")
    write_pcap(pcap, [(i, c[0]) for i, c in enumerate(CASES)])
    ts = subprocess.run(["tshark", "-o", "ipv6.tso_support:TRUE", "-r", pcap, "-T", "fields",
                         "-e", "dns.qry.name", "-e", "tcp.dstport", "-e", "_ws.expert.message",
                         "-E", "occurrence=a"],
                        capture_output=True, text=True, timeout=120).stdout.split("\n")
    for i, (_, sport, _, shows) in enumerate(CASES):
        line = ts[i] if i < len(ts) else ""
        reads = "evil" in shows or "IP payload" in shows
        check(shows in line and ("evil" in line) == reads,
              f"tshark: frame {i + 1} ({sport}) shows {shows!r}", repr(line))
    want = sorted((c[2], c[1]) for c in CASES if c[2])
    for eng, lines in replay_engines(check, XH, ["--no-default-ioc", "--ioc", feed, pcap]):
        hits = sorted((o["rule"], o["src_port"]) for o in lines)
        check(hits == want, f"{eng}: hits only where the UDP length holds the name, and from "
              "the IPv6 payload length 0 segments", repr(hits))
check.exit()
