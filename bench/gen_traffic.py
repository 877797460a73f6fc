#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# gen_traffic.py: deterministic captures and IoC feeds for `make bench`.
#
# Table-driven: CLASSES maps a traffic class to a function building one packet
# of flow number `flow` (scapy), MIXES maps a mix name to class weights. A new
# class (another engineer's protocol) is one function and one line in CLASSES;
# scripts/bench.sh and the bench tools pick it up from `--list`.
#
# Large captures are made from one scapy template per (class, flow slot):
# a template is built once, and each packet copies it with the client address
# and port patched in place, so a 1M-packet capture takes seconds. Checksums
# of patched packets are not recomputed (no tool compared here checks them).
#
#   gen_traffic.py list                         classes and mixes, one per line
#   gen_traffic.py classes OUTDIR [--flows N]   OUTDIR/<class>.pcap, N packets (one per flow)
#   gen_traffic.py mix OUT.pcap [--mix M] [--packets N] [--flow-len L]
#   gen_traffic.py ioc OUT.txt --count N        IoC feed: N IPv4 prefixes + the bench C2 net
#
# Addresses: clients 192.0.2.0/24 and 2001:db8:1::/64, servers 198.51.100.0/24
# and 2001:db8:2::/64, IoC ("C2") servers 203.0.113.0/24, 2001:db8:bad::/48 and
# the host 198.18.0.1, whose neighbours in 198.18.0.0/24 are no IoC.
# Output depends only on the arguments (fixed seeds, fixed timestamps).
import argparse
import random
import struct
import sys

import logging

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (  # noqa: E402
    DNS, DNSQR, Dot1AD, Dot1Q, Ether, IP, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop,
    IPv6ExtHdrRouting, Raw, TCP, UDP, conf)
from scapy.layers.tls.all import TLS, TLSClientHello, TLS_Ext_ServerName, ServerName  # noqa: E402

conf.verb = 0
MAC_C = "02:00:00:00:00:01"
MAC_S = "02:00:00:00:00:02"
IOC_NET4 = "203.0.113.0/24"
IOC_NET6 = "2001:db8:bad::/48"
# A C2 host alone in its /24 (RFC 2544's benchmarking range): the prefilter
# lets its neighbours through, the tries say no ("ioc_near").
IOC_HOST4 = "198.18.0.1"
TS_BASE = 1700000000  # capture time of the first packet (s)
TS_STEP_US = 10       # between packets


def cli4(flow):
    return "192.0.2.%d" % (1 + flow % 250)


def srv4(flow):
    return "198.51.100.%d" % (1 + (flow // 250) % 250)


def cport(flow):
    return 1024 + (flow * 7919) % 60000


def eth():
    return Ether(src=MAC_C, dst=MAC_S)


def tcp_payload(flow, dport, payload, flags="PA"):
    return eth() / IP(src=cli4(flow), dst=srv4(flow)) / \
        TCP(sport=cport(flow), dport=dport, flags=flags, seq=1000, ack=2000) / Raw(payload)


def smb2_tree_connect(path):
    """NetBIOS session header + SMB2 TREE_CONNECT request for UNC @path."""
    name = path.encode("utf-16-le")
    hdr = b"\xfeSMB" + struct.pack("<HHIHHIIQIIQ16s", 64, 1, 0, 3, 1, 0, 0, 4, 0xFEFF, 1,
                                   0x0000400000000001, b"\0" * 16)
    body = struct.pack("<HHHH", 9, 0, 64 + 8, len(name)) + name
    msg = hdr + body
    return struct.pack(">I", len(msg)) + msg


def uuid_le(u):
    """A UUID's text as DCE/RPC puts it on the wire (little-endian data rep)."""
    h = bytes.fromhex(u.replace("-", ""))
    return h[3::-1] + h[5:3:-1] + h[7:5:-1] + h[8:]


NDR_UUID = "8a885d04-1ceb-11c9-9fe8-08002b104860"  # the NDR transfer syntax, v2


def dcerpc_pdu(ptype, call_id, body, flags=0x03):
    """A little-endian DCE/RPC v5 connection-oriented PDU of type @ptype
    (0 request, 2 response, 11 bind), first and last fragment by default."""
    return struct.pack("<BBBB4sHHI", 5, 0, ptype, flags, b"\x10\0\0\0", 16 + len(body), 0,
                       call_id) + body


def dcerpc_bind(iface="e1af8308-5d1f-11c9-91a4-08002b14a0fa", version=3):
    """DCE/RPC v5 bind of one context to @iface v@version.0 (by default the
    endpoint mapper) with the NDR transfer syntax."""
    ctx = struct.pack("<HBB", 0, 1, 0) + uuid_le(iface) + struct.pack("<HH", version, 0) + \
        uuid_le(NDR_UUID) + struct.pack("<I", 2)
    body = struct.pack("<HHIB3x", 4280, 4280, 0, 1) + ctx
    return dcerpc_pdu(11, 1, body)


def tls_client_hello(sni):
    return bytes(TLS(msg=[TLSClientHello(
        gmt_unix_time=0, random_bytes=b"\x5a" * 28, ciphers=[0x1301, 0x1302, 0xc02f],
        ext=[TLS_Ext_ServerName(servernames=[ServerName(servername=sni)])])]))


# ---- the classes: name -> (description, builder(flow) -> scapy packet) -----
def c_tcp443(f):
    return tcp_payload(f, 443, b"\x17\x03\x03\x00\x20" + b"\xab" * 32)


def c_syn(f):
    return eth() / IP(src=cli4(f), dst=srv4(f)) / TCP(sport=cport(f), dport=443, flags="S",
                                                       seq=1000)


def c_udp(f):
    return eth() / IP(src=cli4(f), dst=srv4(f)) / UDP(sport=cport(f), dport=5004) / \
        Raw(b"\x80" * 40)


def c_dns(f):
    return eth() / IP(src=cli4(f), dst=srv4(f)) / UDP(sport=cport(f), dport=53) / \
        DNS(id=f & 0xffff, rd=1, qd=DNSQR(qname="www%d.example.com" % (f % 100)))


def c_tls_ch(f):
    return tcp_payload(f, 443, tls_client_hello(b"www%d.example.org" % (f % 100)))


def c_smb(f):
    return tcp_payload(f, 445, smb2_tree_connect("\\\\fs%d\\IPC$" % (f % 10)))


def c_smb_data(f):
    """The middle of an SMB2 WRITE's data (a PE file being copied, as psexec
    copies its service binary): a full segment with no NetBIOS or SMB header,
    as most segments of a bulk transfer are."""
    data = b"MZ\x90\x00" + bytes((i * 31 + f * 7) & 0xff for i in range(1396))
    return tcp_payload(f, 445, data, flags="A")


def c_rpc(f):
    return tcp_payload(f, 135, dcerpc_bind())


def c_rdp(f):
    """An RDP client's X.224 connection request, as mstsc sends it: a
    cookie with the user name and RDP_NEG_REQ asking for TLS and CredSSP."""
    var = b"Cookie: mstshash=user%d\r\n" % (f % 100) + b"\x01\x00\x08\x00\x03\x00\x00\x00"
    n = 11 + len(var)
    x224 = struct.pack(">BBHBBHHB", 3, 0, n, n - 5, 0xe0, 0, 0x1234, 0) + var
    return tcp_payload(f, 3389, x224)


def c_ssh(f):
    """An SSH client's identification line to 22."""
    return tcp_payload(f, 22, b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6\r\n")


def der(tag, content):
    """A DER element: @tag, its length (short or long form), @content."""
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    if n < 0x100:
        return bytes([tag, 0x81, n]) + content
    return bytes([tag, 0x82, n >> 8, n & 0xff]) + content


def krb_principal(name_type, *names):
    return der(0x30, der(0xa0, der(0x02, bytes([name_type]))) +
               der(0xa1, der(0x30, b"".join(der(0x1b, n) for n in names))))


def c_krb_tgs(f):
    """A KDC's TGS-REP over TCP from 88, as Samba answers MIT's kvno: a
    PA-FX-FAST reply of 200 bytes ahead of the ticket, which is for an SPN
    in RC4 (kerberos.weak_ticket's costliest packet: the padata skipped, the
    message read again from its crealm, the ticket walked)."""
    realm = b"HUNT.TEST"
    fast = der(0xa2, der(0x30, der(0x30, der(0xa1, der(0x02, b"\x00\x88")) +
                                   der(0xa2, der(0x04, b"\xfa" * 200)))))
    ticket = der(0xa5, der(0x61, der(0x30, der(0xa0, der(0x02, b"\x05")) +
                                     der(0xa1, der(0x1b, realm)) +
                                     der(0xa2, krb_principal(2, b"MSSQLSvc",
                                                             b"db%d.hunt.test:1433" % (f % 100))) +
                                     der(0xa3, der(0x30, der(0xa0, der(0x02, b"\x17")) +
                                                   der(0xa1, der(0x02, b"\x02")) +
                                                   der(0xa2, der(0x04, b"\xcc" * 900)))))))
    enc = der(0xa6, der(0x30, der(0xa0, der(0x02, b"\x12")) + der(0xa2, der(0x04, b"\xee" * 120))))
    rep = der(0x6d, der(0x30, der(0xa0, der(0x02, b"\x05")) + der(0xa1, der(0x02, b"\x0d")) +
                        fast + der(0xa3, der(0x1b, realm)) +
                        der(0xa4, krb_principal(1, b"Administrator")) + ticket + enc))
    return eth() / IP(src=srv4(f), dst=cli4(f)) / \
        TCP(sport=88, dport=cport(f), flags="PA", seq=2000, ack=1000) / \
        Raw(struct.pack(">I", len(rep)) + rep)


def c_krb_tgs_req(f):
    """A client's TGS-REQ over TCP to 88 as Impacket's getKerberosTGS (the
    call of GetUserSPNs -request) sends it: a PA-TGS-REQ of 1100 bytes (the
    TGT, the authenticator) ahead of a req-body that lists rc4-hmac first
    (kerberos.weak_request's costliest packet in one segment: the padata
    skipped, the message read again from its req-body, the list walked)."""
    realm = b"HUNT.TEST"
    pa = der(0xa3, der(0x30, der(0x30, der(0xa1, der(0x02, b"\x01")) +
                                 der(0xa2, der(0x04, b"\xaa" * 1100)))))
    body = der(0xa4, der(0x30, der(0xa0, der(0x03, b"\x00\x40\x81\x00\x10")) +
                         der(0xa2, der(0x1b, realm)) +
                         der(0xa3, krb_principal(10, b"HUNT\\svc%d" % (f % 100))) +
                         der(0xa5, der(0x18, b"20370913024805Z")) +
                         der(0xa7, der(0x02, b"\x1f\x49\xa4\xbd")) +
                         der(0xa8, der(0x30, b"".join(der(0x02, bytes([e]))
                                                      for e in (23, 16, 3, 18))))))
    req = der(0x6c, der(0x30, der(0xa1, der(0x02, b"\x05")) + der(0xa2, der(0x02, b"\x0c")) +
                        pa + body))
    return eth() / IP(src=cli4(f), dst=srv4(f)) / \
        TCP(sport=cport(f), dport=88, flags="PA", seq=1000, ack=2000) / \
        Raw(struct.pack(">I", len(req)) + req)


def c_ioc(f):
    return eth() / IP(src=cli4(f), dst="203.0.113.%d" % (1 + f % 250)) / \
        TCP(sport=cport(f), dport=443, flags="PA") / Raw(b"\x17\x03\x03\x00\x10" + b"\xcd" * 16)


def c_ioc_near(f):
    """TCP 443 to a neighbour of a C2 host: the prefilter's /24 bit lets it
    through, and only the tries (or their cached answer) say it is none."""
    return eth() / IP(src=cli4(f), dst="198.18.0.%d" % (2 + f % 250)) / \
        TCP(sport=cport(f), dport=443, flags="PA") / Raw(b"\x17\x03\x03\x00\x10" + b"\xcd" * 16)


def c_ipv6_ext(f):
    return eth() / IPv6(src="2001:db8:1::%x" % (1 + f % 250), dst="2001:db8:2::1") / \
        IPv6ExtHdrHopByHop() / IPv6ExtHdrRouting(addresses=["2001:db8:2::2"]) / \
        IPv6ExtHdrDestOpt() / TCP(sport=cport(f), dport=443, flags="PA") / Raw(b"\xab" * 32)


def c_qinq(f):
    return Ether(src=MAC_C, dst=MAC_S) / Dot1AD(vlan=100) / Dot1Q(vlan=200 + f % 10) / \
        IP(src=cli4(f), dst=srv4(f)) / TCP(sport=cport(f), dport=443, flags="PA") / \
        Raw(b"\xab" * 32)


def c_frag(f):
    """Even flows: a first fragment (ports visible); odd: a later fragment."""
    ip = IP(src=cli4(f), dst=srv4(f), id=f & 0xffff, flags="MF" if f % 2 == 0 else 0,
            frag=0 if f % 2 == 0 else 185, proto=17)
    if f % 2 == 0:
        return eth() / ip / UDP(sport=cport(f), dport=5004, len=1508) / Raw(b"\x80" * 64)
    return eth() / ip / Raw(b"\x80" * 64)


CLASSES = {
    "tcp443": ("plain TCP to 443 (TLS application data), matches nothing", c_tcp443),
    "syn": ("TCP SYN to 443: a connection's opening, which scan.port_scan counts", c_syn),
    "udp": ("plain UDP (RTP-like, port 5004), matches nothing", c_udp),
    "dns": ("DNS query over UDP 53", c_dns),
    "tls_ch": ("TLS ClientHello with SNI on TCP 443", c_tls_ch),
    "smb": ("SMB2 TREE_CONNECT to \\\\fsN\\IPC$ on TCP 445", c_smb),
    "smb_data": ("SMB2 WRITE data mid-transfer on TCP 445 (1400 bytes, no SMB header)", c_smb_data),
    "rpc": ("DCE/RPC bind to the endpoint mapper on TCP 135", c_rpc),
    "rdp": ("RDP X.224 connection request (cookie, RDP_NEG_REQ) on TCP 3389", c_rdp),
    "ssh": ("SSH client identification line on TCP 22", c_ssh),
    "krb_tgs": ("Kerberos TGS-REP from TCP 88 with a FAST reply and an RC4 ticket", c_krb_tgs),
    "krb_tgs_req": ("Kerberos TGS-REQ to TCP 88 with a TGT, RC4 listed first (Impacket)",
                    c_krb_tgs_req),
    "ioc": ("TCP 443 to an IoC address (203.0.113.0/24)", c_ioc),
    "ioc_near": ("TCP 443 to a C2 host's /24 neighbour, no IoC (198.18.0.0/24)", c_ioc_near),
    "ipv6_ext": ("IPv6 with hop-by-hop, routing and destination options, TCP 443", c_ipv6_ext),
    "qinq": ("802.1ad + 802.1Q (QinQ) tagged IPv4 TCP 443", c_qinq),
    "frag": ("IPv4 UDP fragments, first and later alternating", c_frag),
}

# Mix name -> {class: weight}. "mix" is the 70/10/10/5/5.
MIXES = {
    "mix": {"tcp443": 70, "dns": 10, "smb": 10, "rpc": 5, "ioc": 5},
    "worst": {"ipv6_ext": 1, "qinq": 1, "frag": 1},
}

FLOW_SLOTS = 256  # distinct templates (payload variants) per class in a mix capture


# ---- pcap writing ----------------------------------------------------------
def pcap_header():
    return struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)


def pcap_record(n, data):
    us = n * TS_STEP_US
    return struct.pack("<IIII", TS_BASE + us // 1000000, us % 1000000, len(data), len(data)) + data


def client_patch_offsets(pkt):
    """Offsets of the last two bytes of the source address and of the source
    port in bytes(pkt) (None where the packet has no port)."""
    raw = bytes(pkt)
    l3 = pkt[IP] if IP in pkt else pkt[IPv6]
    off3 = len(raw) - len(bytes(l3))
    addr = off3 + (14 if IP in pkt else 22)
    l4 = None
    for layer in (TCP, UDP):
        if layer in pkt:
            l4 = len(raw) - len(bytes(pkt[layer]))
    return addr, l4


class Template:
    def __init__(self, cls, slot):
        pkt = CLASSES[cls][1](slot)
        self.raw = bytes(pkt)
        self.addr_off, self.port_off = client_patch_offsets(pkt)
        # The destination address follows the source in both IPv4 and IPv6.
        self.daddr_off = self.addr_off + (4 if IP in pkt else 16)

    def instance(self, flow):
        """The template as flow @flow: the last byte of each address (kept in
        1..250, inside its documentation prefix) and the client port."""
        b = bytearray(self.raw)
        b[self.addr_off + 1] = 1 + flow % 250
        b[self.daddr_off + 1] = 1 + (flow // 60000) % 250
        if self.port_off is not None:
            struct.pack_into(">H", b, self.port_off, 1024 + (flow * 7919) % 60000)
        return bytes(b)


def weighted_schedule(weights):
    """Deterministic class sequence of period sum(weights), interleaved
    (largest remainder) rather than in runs."""
    total = sum(weights.values())
    credit = {c: 0 for c in weights}
    seq = []
    for _ in range(total):
        for c in weights:
            credit[c] += weights[c]
        c = max(weights, key=lambda k: (credit[k], -list(weights).index(k)))
        credit[c] -= total
        seq.append(c)
    return seq


def write_mix(path, mix, packets, flow_len):
    weights = MIXES[mix]
    sched = weighted_schedule(weights)
    templates = {c: [Template(c, s) for s in range(min(FLOW_SLOTS, max(1, packets // flow_len)))]
                 for c in weights}
    counts = {c: 0 for c in weights}
    with open(path, "wb") as f:
        f.write(pcap_header())
        chunk = []
        for n in range(packets):
            c = sched[n % len(sched)]
            k = counts[c]
            counts[c] += 1
            flow = k // flow_len
            tl = templates[c]
            t = tl[flow % len(tl)]
            data = t.instance(flow)
            chunk.append(pcap_record(n, data))
            if len(chunk) >= 65536:
                f.write(b"".join(chunk))
                chunk = []
                print("gen: %s: %d/%d packets" % (path, n + 1, packets), file=sys.stderr)
        f.write(b"".join(chunk))
    return counts


def write_classes(outdir, flows):
    for c in CLASSES:
        with open("%s/%s.pcap" % (outdir, c), "wb") as f:
            f.write(pcap_header())
            for i in range(flows):
                f.write(pcap_record(i, bytes(CLASSES[c][1](i))))


def in_bench_nets(a):
    # 192.0.2, 198.51.100, 203.0.113, 198.18.0
    return (a >> 8) in (0xc00002, 0xc63364, 0xcb0071, 0xc61200)


def write_ioc(path, count):
    """@count IPv4 indicators spread over the whole address space (9 in 10 a
    /32, 1 in 10 a /24), none covering the bench's traffic, plus the C2 nets
    the "ioc" class hits and the C2 host beside the "ioc_near" class."""
    rng = random.Random(1)
    seen = set()
    with open(path, "w") as f:
        f.write("# xdphunt bench IoC feed: %d generated prefixes + bench C2 nets\n" % count)
        f.write("%s\n%s\n%s\n" % (IOC_NET4, IOC_NET6, IOC_HOST4))
        while len(seen) < count:
            a = rng.getrandbits(32)
            plen = 24 if rng.random() < 0.1 else 32
            a &= (0xffffffff << (32 - plen)) & 0xffffffff
            if in_bench_nets(a) or (a >> 24) in (0, 127, 224) or a >= 0xe0000000 or \
                    (a, plen) in seen:
                continue
            seen.add((a, plen))
            f.write("%d.%d.%d.%d/%d\n" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255, plen))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list")
    p = sub.add_parser("classes")
    p.add_argument("outdir")
    p.add_argument("--flows", type=int, default=8)
    p = sub.add_parser("mix")
    p.add_argument("out")
    p.add_argument("--mix", default="mix", choices=sorted(MIXES))
    p.add_argument("--packets", type=int, default=1000000)
    p.add_argument("--flow-len", type=int, default=10)
    p = sub.add_parser("ioc")
    p.add_argument("out")
    p.add_argument("--count", type=int, required=True)
    a = ap.parse_args()
    if a.cmd == "list":
        for c, (desc, _) in CLASSES.items():
            print("class\t%s\t%s" % (c, desc))
        for m, w in MIXES.items():
            print("mix\t%s\t%s" % (m, ",".join("%s:%d" % kv for kv in w.items())))
    elif a.cmd == "classes":
        write_classes(a.outdir, a.flows)
    elif a.cmd == "mix":
        counts = write_mix(a.out, a.mix, a.packets, a.flow_len)
        print("gen: %s: %s" % (a.out, " ".join("%s=%d" % kv for kv in counts.items())),
              file=sys.stderr)
    elif a.cmd == "ioc":
        write_ioc(a.out, a.count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
