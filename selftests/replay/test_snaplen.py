#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""test_snaplen.py XDPHUNT: a capture whose snap length cut the TCP options
(tcpdump -s 68, the historical default, keeps 54 bytes of headers and 14 of
a SYN's 20 option bytes) still gives the hits of its SYNs, with both engines:
smb.connect oriented by the SYN, and ioc.dest, as tshark reads the ports.
A segment whose IP length itself is shorter than its TCP header stays a
parse error (no hit)."""
import os, struct, subprocess, sys, tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from pycheck import Checker, replay_engines
from pcapgen import ip_frame, PCAP_BASE

XH = sys.argv[1]
check = Checker("snaplen")
SNAP = 68
# MSS, SACK permitted, timestamps, NOP, window scale: 20 bytes, as Linux sends.
OPTS = b"\x02\x04\x05\xb4\x04\x02\x08\x0a" + b"\0" * 8 + b"\x01\x03\x03\x07"


def syn(src, dst, sport, dport, flags=0x02, doff=10):
    seg = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, doff << 4, flags, 65535, 0, 0) + OPTS
    return ip_frame(src, dst, 6, seg)


frames = [syn("192.0.2.10", "192.0.2.20", 40001, 445),
          syn("192.0.2.20", "192.0.2.10", 445, 40001, 0x12),
          syn("192.0.2.10", "203.0.113.66", 40002, 443)]
# The IP length says 40 bytes: its TCP header (doff 10) overruns the packet.
bad = bytearray(syn("192.0.2.10", "203.0.113.67", 40003, 443))
bad[16:18] = struct.pack("!H", 40)
frames.append(bytes(bad))

with tempfile.TemporaryDirectory() as d:
    pcap = os.path.join(d, "snap68.pcap")
    feed = os.path.join(d, "feed.txt")
    with open(feed, "w") as f:
        f.write("203.0.113.66\n203.0.113.67\n")
    with open(pcap, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, SNAP, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", PCAP_BASE + i, 0, min(len(fr), SNAP), len(fr)))
            f.write(fr[:SNAP])
    ts = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.dstport"],
                        capture_output=True, text=True, timeout=120).stdout.split("\n")
    check(ts[:3] == ["40001\t445", "445\t40001", "40002\t443"], "tshark reads the cut SYNs' ports",
          repr(ts))
    for eng, lines in replay_engines(check, XH, ["--no-default-ioc", "--ioc", feed, pcap]):
        hits = sorted((o["rule"], o["src_ip"], o["src_port"], o["dest_ip"], o["dest_port"])
                      for o in lines)
        want = [("ioc.dest", "192.0.2.10", 40002, "203.0.113.66", 443),
                ("smb.connect", "192.0.2.10", 40001, "192.0.2.20", 445)]
        check(hits == want, f"{eng}: the SYNs cut by the snap length give their hits, and the "
              "segment shorter than its TCP header none", repr(hits))
check.exit()
