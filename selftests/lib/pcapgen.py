# SPDX-License-Identifier: GPL-2.0
"""pcapgen.py: frames and classic pcap files made byte by byte for the python
selftests (no scapy): Ethernet + IPv4/IPv6, TCP, and a pcap writer."""
import ipaddress
import struct

ETH = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01"  # dst, src
PCAP_BASE = 1767225600  # 2026-01-01T00:00:00Z, the made captures' t = 0


def csum(b):
    """The Internet checksum of @b."""
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip_frame(src, dst, proto, l4):
    """Ethernet + IPv4 (dotted) or IPv6 (with ':') + the layer 4 bytes."""
    if ":" in src:
        ip = struct.pack("!IHBB", 6 << 28, len(l4), proto, 64)
        ip += ipaddress.IPv6Address(src).packed + ipaddress.IPv6Address(dst).packed
        return ETH + b"\x86\xdd" + ip + l4
    s, d = bytes(map(int, src.split("."))), bytes(map(int, dst.split(".")))
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0x4000, 64, proto, 0, s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ETH + b"\x08\x00" + ip + l4


def tcp_frame(src, dst, sport, dport, flags=0x02, payload=b"", seq=1, ack=0):
    """A TCP segment (no TCP checksum: XDP does not check it) in ip_frame()."""
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    return ip_frame(src, dst, 6, seg)


def write_pcap(path, frames, base=PCAP_BASE):
    """@frames: (seconds after @base, frame), microsecond stamps. Returns @base."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t, fr in frames:
            sec = int(t)
            f.write(struct.pack("<IIII", base + sec, int((t - sec) * 1000000), len(fr), len(fr)))
            f.write(fr)
    return base
