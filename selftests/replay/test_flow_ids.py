#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""test_flow_ids.py XDPHUNT: the flows and Community IDs of IoC hits on ICMP,
ICMPv6, SCTP and portless protocols, with the Community ID specification and
tshark's own implementation as the oracles.

1. The spec's own captures (icmp.pcap, icmp6.pcap: echo requests and replies,
   neighbour solicitations and advertisements, a time exceeded) with a feed of
   every address in them: each hit and each flow record must carry the
   Community ID the spec's baseline gives its packets, with both engines.
2. A ping exchange (three echo requests and their replies) made here: one
   flow, as in the Community ID, Zeek and Suricata: one ioc.dest hit and one
   flow record counting the six packets, named by the request's type; a
   one-way message (port unreachable) keeps its direction and code.
3. An address:port indicator matches TCP and UDP only: an echo reply to the
   port number of an ICMP type is not a hit.
4. SCTP hits carry their ports and tshark's Community ID (the spec hashes
   SCTP's ports); ESP and GRE hits carry no ports, ESP's id is tshark's.
5. ICMP errors count to the flow whose packet they quote (as Suricata ties
   them), back toward that packet's sender: a beacon to a C2 address that a
   router answers "unreachable", IPv4 and IPv6; tshark, reading the quoted
   headers, says which frames quote the flow. So does an error quoting an
   echo request to a C2 address (the echo flow) or an IPv6 SYN with
   extension headers. A quote of a flow never seen, sent to another host than
   the quoted sender, or of an ICMP error (no error about an error, RFC 1122,
   although tshark reads that quote too) counts nowhere.
"""
import json, os, subprocess, sys, tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from pycheck import Checker

XH = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CID = os.path.join(os.environ.get("XH_SHARED_DIR", os.path.join(ROOT, "..", "shared")),
                   "reference", "community-id")
check = Checker("flow_ids")


def replay(engine, feed_lines, pcap, extra=()):
    with tempfile.TemporaryDirectory() as d:
        feed = os.path.join(d, "feed.txt")
        with open(feed, "w") as f:
            f.write("\n".join(feed_lines) + "\n")
        r = subprocess.run([XH, "replay", "--engine", engine, "--no-default-ioc", "--ioc", feed,
                            "--flow-timeout", "60", *extra, pcap],
                           capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        return None, r.stderr
    lines = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    return lines, r.stderr


def tshark_ids(pcap):
    """{frozenset((src, dst)): {Community IDs tshark gives its packets}}; the
    outer header's addresses where an ICMP error quotes another."""
    r = subprocess.run(["tshark", "--enable-protocol", "communityid", "-r", pcap, "-T", "fields",
                        "-E", "occurrence=f", "-e", "ip.src", "-e", "ip.dst", "-e", "ipv6.src",
                        "-e", "ipv6.dst", "-e", "communityid"],
                       capture_output=True, text=True, timeout=120)
    ids = {}
    for line in r.stdout.splitlines():
        f = line.split("\t")
        if len(f) == 5 and f[4]:
            src, dst = (f[0], f[1]) if f[0] else (f[2], f[3])
            ids.setdefault(frozenset((src, dst)), set()).add(f[4])
    return ids


def check_ids(out, ids, what):
    bad = [(o["event_type"], o["src_ip"], o["dest_ip"], o.get("icmp_type"), o["community_id"])
           for o in out if o["community_id"] not in ids.get(frozenset((o["src_ip"], o["dest_ip"])), ())]
    check(bool(ids) and not bad, what, f"{bad} not in {ids}")


engines = ["native"] + (["kernel"] if os.geteuid() == 0 else [])
if "kernel" not in engines:
    print("SKIP: flow_ids: kernel engine: replay needs root (BPF_PROG_TEST_RUN)")

# --- 1. the spec's captures -------------------------------------------------------
# The spec's files sit beside the repository (../shared) or at XH_SHARED_DIR;
# without them this part is skipped, as the unit test of the vectors is.
base = None
if os.path.exists(os.path.join(CID, "baseline_deflt.json")):
    base = json.load(open(os.path.join(CID, "baseline_deflt.json")))
else:
    print(f"SKIP: flow_ids: the spec's captures: none at {CID} (set XH_SHARED_DIR)")
for cap, proto in (("icmp.pcap", 1), ("icmp6.pcap", 58)) if base else ():
    rows = [b for b in base if b["proto"] == proto]
    # The ids the spec gives a packet between these two addresses; tshark
    # agrees (its own implementation).
    ids = {}
    for b in rows:
        ids.setdefault(frozenset((b["saddr"], b["daddr"])), set()).add(b["communityid"])
    check(tshark_ids(os.path.join(CID, cap)) == ids, f"{cap}: tshark gives the spec's ids")
    addrs = sorted({b["saddr"] for b in rows} | {b["daddr"] for b in rows})
    for eng in engines:
        out, err = replay(eng, addrs, os.path.join(CID, cap))
        if out is None:
            check(False, f"{cap} {eng}: replay", err[-300:])
            continue
        hunt = [o for o in out if o["event_type"] == "hunt"]
        flows = [o for o in out if o["event_type"] == "flow"]
        check(len(hunt) > 0 and len(flows) > 0, f"{cap} {eng}: hits and flow records",
              f"{len(hunt)} hits, {len(flows)} records")
        check_ids(out, ids, f"{cap} {eng}: every Community ID is the spec's for its packets")
        # One record per id: the packets the spec gives one id are one flow.
        rec_ids = [o["community_id"] for o in flows]
        check(len(rec_ids) == len(set(rec_ids)), f"{cap} {eng}: one flow record per Community ID",
              str(rec_ids))

# --- 2. a ping exchange and a one-way message --------------------------------------
try:
    from scapy.all import Ether, ICMP, IP, IPv6, ICMPv6EchoReply, ICMPv6EchoRequest, UDP, Raw, wrpcap
except ImportError:
    print("SKIP: flow_ids: made captures: scapy missing (make deps)")
    check.exit()

E = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
C4, S4, R4 = "192.0.2.10", "203.0.113.7", "198.51.100.1"
C6, S6 = "2001:db8::10", "2001:db8:7::7"
pkts = []
for i in range(3):
    pkts.append(E / IP(src=C4, dst=S4) / ICMP(type=8, id=7, seq=i) / Raw(b"x" * 16))
    pkts.append(E / IP(src=S4, dst=C4) / ICMP(type=0, id=7, seq=i) / Raw(b"x" * 16))
    pkts.append(E / IPv6(src=C6, dst=S6) / ICMPv6EchoRequest(id=7, seq=i) / Raw(b"x" * 16))
    pkts.append(E / IPv6(src=S6, dst=C6) / ICMPv6EchoReply(id=7, seq=i) / Raw(b"x" * 16))
# A port unreachable from a router to the client (one-way: type 3, code 3).
pkts.append(E / IP(src=R4, dst=C4) / ICMP(type=3, code=3) / IP(src=C4, dst=S4) / UDP(sport=40000, dport=53))
for i, p in enumerate(pkts):
    p.time = 1700000000 + i * 0.01

with tempfile.TemporaryDirectory() as d:
    pcap = os.path.join(d, "ping.pcap")
    wrpcap(pcap, pkts)
    for eng in engines:
        out, err = replay(eng, [S4, S6, R4], pcap)
        if out is None:
            check(False, f"ping {eng}: replay", err[-300:])
            continue
        hunt = [o for o in out if o["event_type"] == "hunt"]
        flows = [o for o in out if o["event_type"] == "flow"]
        for fam, c, s, t in (("v4", C4, S4, 8), ("v6", C6, S6, 128)):
            h = [o for o in hunt if {o["src_ip"], o["dest_ip"]} == {c, s}]
            check(len(h) == 1 and h[0]["rule"] == "ioc.dest" and h[0]["src_ip"] == c
                  and h[0]["icmp_type"] == t,
                  f"ping {fam} {eng}: one ioc.dest hit, client to server, the request's type",
                  json.dumps(h))
            r = [o for o in flows if {o["src_ip"], o["dest_ip"]} == {c, s}]
            ok = (len(r) == 1 and r[0]["src_ip"] == c and r[0]["icmp_type"] == t
                  and r[0]["flow"]["pkts_toserver"] == 3 and r[0]["flow"]["pkts_toclient"] == 3
                  and h and r[0]["community_id"] == h[0]["community_id"]
                  and r[0]["flow_id"] == h[0]["flow_id"])
            check(ok, f"ping {fam} {eng}: one flow record, 3 packets each way, the hit's ids",
                  json.dumps(r))
        u = [o for o in hunt if o["src_ip"] == R4]
        check(len(u) == 1 and u[0]["rule"] == "ioc.src" and u[0]["dest_ip"] == C4
              and u[0]["icmp_type"] == 3 and u[0].get("icmp_code") == 3,
              f"unreachable {eng}: one ioc.src hit from the router, type 3 code 3",
              json.dumps(u))
        check_ids(out, tshark_ids(pcap), f"ping {eng}: every Community ID is tshark's")

    # --- 3. address:port indicators are for TCP and UDP -----------------------------
    for eng in engines:
        # C4:8 and S4:8 would match an echo request's or reply's type if
        # it were taken as a port.
        out, err = replay(eng, [C4 + ":8", S4 + ":8", C4 + ":3", R4 + ":3"], pcap)
        if out is None:
            check(False, f"port indicators {eng}: replay", err[-300:])
            continue
        check(not [o for o in out if o["event_type"] == "hunt"],
              f"port indicators {eng}: no hit on ICMP", json.dumps(out)[:600])

# --- 4. SCTP and protocols without ports ---------------------------------------------
try:
    from scapy.layers.sctp import SCTP, SCTPChunkInit
    from scapy.all import GRE
except ImportError:
    print("SKIP: flow_ids: SCTP/GRE: scapy missing (make deps)")
    check.exit()
S_SCTP, S_ESP, S_GRE = "203.0.113.21", "203.0.113.22", "203.0.113.23"
pkts = [E / IP(src=C4, dst=S_SCTP) / SCTP(sport=40123, dport=3868) / SCTPChunkInit(),
        E / IP(src=S_SCTP, dst=C4) / SCTP(sport=3868, dport=40123) / SCTPChunkInit(),
        E / IP(src=C4, dst=S_ESP, proto=50) / Raw(b"\0\0\x10\x01" + b"\0" * 20),
        E / IP(src=C4, dst=S_GRE) / GRE() / IP(src="10.1.1.1", dst="10.2.2.2") / ICMP()]
with tempfile.TemporaryDirectory() as d:
    pcap = os.path.join(d, "other.pcap")
    wrpcap(pcap, pkts)
    tids = tshark_ids(pcap)
    for eng in engines:
        out, err = replay(eng, [S_SCTP, S_ESP, S_GRE], pcap)
        if out is None:
            check(False, f"other protocols {eng}: replay", err[-300:])
            continue
        by = {}
        for o in out:
            by.setdefault((o["event_type"], o["dest_ip"]), []).append(o)
        h = by.get(("hunt", S_SCTP), [])
        r = by.get(("flow", S_SCTP), [])
        check(len(h) == 1 and h[0]["proto"] == "SCTP" and h[0].get("src_port") == 40123
              and h[0].get("dest_port") == 3868
              and h[0]["community_id"] in tids.get(frozenset((C4, S_SCTP)), ()),
              f"SCTP {eng}: one hit with its ports and tshark's Community ID", json.dumps(h))
        check(len(r) == 1 and r[0]["flow"]["pkts_toserver"] == 1 and r[0]["flow"]["pkts_toclient"] == 1
              and h and r[0]["community_id"] == h[0]["community_id"],
              f"SCTP {eng}: one flow record, both directions, the hit's id", json.dumps(r))
        e = by.get(("hunt", S_ESP), [])
        check(len(e) == 1 and "src_port" not in e[0] and "dest_port" not in e[0]
              and e[0]["community_id"] in tids.get(frozenset((C4, S_ESP)), ()),
              f"ESP {eng}: one hit, no ports, tshark's Community ID", json.dumps(e))
        g = by.get(("hunt", S_GRE), [])
        # tshark hashes the tunnel's inner flow; xdphunt the outer one it matched.
        check(len(g) == 1 and "src_port" not in g[0] and g[0]["proto"] == "47",
              f"GRE {eng}: one hit, no ports", json.dumps(g))

# --- 5. ICMP errors count to the flow they quote ---------------------------------------
from scapy.all import TCP, UDP, ICMPv6DestUnreach, ICMPv6PacketTooBig  # noqa: E402
from scapy.all import IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt  # noqa: E402
S_C2, S_C2_6, R6 = "203.0.113.31", "2001:db8:c2::31", "2001:db8:ff::1"
syn4 = IP(src=C4, dst=S_C2) / TCP(sport=41000, dport=443, flags="S")
syn6 = IPv6(src=C6, dst=S_C2_6) / TCP(sport=41000, dport=443, flags="S")
pkts = [E / syn4, E / syn4,
        E / IP(src=R4, dst=C4) / ICMP(type=3, code=1) / syn4,
        E / IP(src=R4, dst="192.0.2.99") / ICMP(type=3, code=1) / syn4,  # not the sender
        E / IP(src=R4, dst=C4) / ICMP(type=3, code=1) /
        IP(src=C4, dst=S_C2) / TCP(sport=41001, dport=443, flags="S"),  # a flow never seen
        E / syn6,
        E / IPv6(src=R6, dst=C6) / ICMPv6DestUnreach(code=3) / syn6]
# An echo request to the C2 address, and a port unreachable the client sent
# it: flows xdphunt keeps (ioc.dest), each quoted by a router's error.
echo4 = IP(src=C4, dst=S_C2) / ICMP(type=8, id=7, seq=1)
unr4 = IP(src=C4, dst=S_C2) / ICMP(type=3, code=3) / IP(src=S_C2, dst=C4) / UDP(sport=53, dport=5353)
# A SYN with hop-by-hop and destination options, quoted whole.
syn6x = (IPv6(src=C6, dst=S_C2_6) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() /
         TCP(sport=41002, dport=443, flags="S"))
pkts += [E / echo4, E / IP(src=R4, dst=C4) / ICMP(type=3, code=1) / echo4,
         E / unr4, E / IP(src=R4, dst=C4) / ICMP(type=11, code=0) / unr4,
         E / syn6x, E / IPv6(src=R6, dst=C6) / ICMPv6PacketTooBig(mtu=1280) / syn6x]
with tempfile.TemporaryDirectory() as d:
    pcap = os.path.join(d, "quote.pcap")
    wrpcap(pcap, pkts)
    quoting = {}
    # Frames of an ICMP error whose quote is the flow's (server among the
    # destinations, 41000 the quoted source port) sent to the client.
    for ip, c, sv in (("ip", C4, S_C2), ("ipv6", C6, S_C2_6)):
        r = subprocess.run(["tshark", "-r", pcap, "-Y", "(icmp || icmpv6) && tcp.srcport == 41000 "
                            "&& %s.dst == %s && %s.dst == %s" % (ip, sv, ip, c)],
                           capture_output=True, text=True, timeout=120)
        quoting[sv] = len(r.stdout.splitlines())
    # The same for the echo (inner type 8), the client's error (inner type
    # 3 under an outer 11) and the SYN behind extension headers.
    for name, flt in (("echo", "icmp.type == 3 && icmp.type == 8 && ip.dst == %s && ip.dst == %s" % (S_C2, C4)),
                      ("error", "icmp.type == 11 && icmp.type == 3 && ip.dst == %s && ip.dst == %s" % (S_C2, C4)),
                      ("ext6", "icmpv6.type == 2 && ipv6.dstopts && tcp.srcport == 41002 "
                               "&& ipv6.dst == %s && ipv6.dst == %s" % (S_C2_6, C6))):
        r = subprocess.run(["tshark", "-r", pcap, "-Y", flt], capture_output=True, text=True, timeout=120)
        quoting[name] = len(r.stdout.splitlines())
    for eng in engines:
        out, err = replay(eng, [S_C2, S_C2_6], pcap)
        if out is None:
            check(False, f"ICMP quotes {eng}: replay", err[-300:])
            continue
        for fam, sv in (("v4", S_C2), ("v6", S_C2_6)):
            r = [o for o in out if o["event_type"] == "flow" and o["dest_ip"] == sv
                 and o["proto"] == "TCP" and o.get("src_port") != 41002]
            ok = (quoting[sv] == 1 and len(r) == 1 and r[0]["src_port"] == 41000
                  and r[0]["flow"]["pkts_toserver"] == (2 if fam == "v4" else 1)
                  and r[0]["flow"]["pkts_toclient"] == quoting[sv])
            check(ok, f"ICMP quotes {fam} {eng}: the error that tshark says quotes the flow "
                  "counts to it, back to the client; the others do not", json.dumps(r))
        flows = [o for o in out if o["event_type"] == "flow"]
        e = [o for o in flows if o["proto"] == "ICMP" and o["dest_ip"] == S_C2 and o.get("icmp_type") == 8]
        check(quoting["echo"] == 1 and len(e) == 1 and e[0]["flow"]["pkts_toserver"] == 1
              and e[0]["flow"]["pkts_toclient"] == quoting["echo"],
              f"ICMP quotes {eng}: a quoted echo request counts to the echo flow", json.dumps(e))
        u = [o for o in flows if o["proto"] == "ICMP" and o["dest_ip"] == S_C2 and o.get("icmp_type") == 3]
        check(quoting["error"] == 1 and len(u) == 1 and u[0]["flow"]["pkts_toclient"] == 0,
              f"ICMP quotes {eng}: a quoted ICMP error counts nowhere (tshark reads {quoting['error']})",
              json.dumps(u))
        x = [o for o in flows if o["proto"] == "TCP" and o.get("src_port") == 41002]
        check(quoting["ext6"] == 1 and len(x) == 1 and x[0]["flow"]["pkts_toclient"] == quoting["ext6"],
              f"ICMP quotes {eng}: an IPv6 quote is read past its extension headers", json.dumps(x))
        check(not [o for o in out if o.get("src_port") == 41001],
              f"ICMP quotes {eng}: a quote of a flow never seen makes none", json.dumps(out)[:400])
check.exit()
