#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""test_ioc_feeds.py XDPHUNT: IoC feeds end to end, through `replay` with both
engines (the kernel's needs root; without it, native only), over a capture
made here byte by byte.

1. Block wins: an address, an address:port, an IPv6 address and a domain in an
   alert feed that a block feed also covers (the same address, a wider prefix,
   a parent domain) are dropped whichever feed is given first, and the hit
   names the block indicator ("blocked_by"); what no block indicator covers
   passes.
2. Flow records (--flow-timeout): a flow that matched a domain indicator (a DNS
   query, a ClientHello's SNI) has the "ioc" object of that indicator; one made
   for an address indicator keeps the address's even when it names a domain.
3. The same indicator in several feeds: the hit keeps the first loaded entry
   and names every other feed listing it once, in load order, in "also_in"
   (feed, actor, confidence, feed_action); an indicator of one feed has none.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import pcapgen  # noqa: E402
from pcapgen import ip_frame, tcp_frame as tcp  # noqa: E402

XH = sys.argv[1]
TIMEOUT_S = 120
fails = 0


def check(name, ok, why=""):
    global fails
    print(("PASS: " if ok else "FAIL: ") + "ioc feeds: " + name + ("" if ok else ": " + why))
    fails += not ok


# ---- frames ---------------------------------------------------------------------
def udp(src, dst, sport, dport, payload):
    return ip_frame(src, dst, 17, struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload)


def dns_query(name, qid=1):
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", 1, 1)


def client_hello(sni):
    s = sni.encode()
    ext = (len(s) + 3).to_bytes(2, "big") + b"\0" + len(s).to_bytes(2, "big") + s
    exts = b"\0\0" + len(ext).to_bytes(2, "big") + ext
    body = b"\x03\x03" + b"\xab" * 32 + b"\0" + b"\0\x02\x13\x01" + b"\x01\0" + len(exts).to_bytes(2, "big") + exts
    return b"\x16\x03\x01" + (len(body) + 4).to_bytes(2, "big") + b"\x01" + len(body).to_bytes(3, "big") + body


def write_pcap(path, frames):
    """@frames one a second from t = 0."""
    pcapgen.write_pcap(path, enumerate(frames))


def replay(engine, args, cap):
    p = subprocess.run([XH, "replay", "--engine", engine, "--host", "t"] + args + [cap],
                       capture_output=True, text=True, timeout=TIMEOUT_S)
    if p.returncode != 0:
        return None, p.stderr
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()], p.stderr


C, C6 = "192.0.2.10", "2001:db8::10"


# ---- 1. block wins -----------------------------------------------------------------
ALERT_CSV = """indicator,feed,actor
203.0.113.5,alertfeed,Lazarus
198.51.100.7,alertfeed,
2001:db8:bad::5,alertfeed,
198.18.0.9:8443,alertfeed,
a.evil.example,alertfeed,
192.0.2.88,alertfeed,
"""
BLOCK_TXT = "203.0.113.5\n198.51.100.0/24\n2001:db8:bad::/48\n198.18.0.0/28\nevil.example\n192.0.2.88:443\n"
# (what the hit is about, its frame, the action wanted, the blocked_by wanted or None)
BLOCK_CASES = [
    ("same address", tcp(C, "203.0.113.5", 40001, 443), "drop", "203.0.113.5"),
    ("alert /32 in a block /24", tcp(C, "198.51.100.7", 40002, 443), "drop", "198.51.100.0/24"),
    ("alert IPv6 /128 in a block /48", tcp(C6, "2001:db8:bad::5", 40003, 443), "drop", "2001:db8:bad::/48"),
    ("alert address:port in a block /28", tcp(C, "198.18.0.9", 40004, 8443), "drop", "198.18.0.0/28"),
    ("alert name below a block domain", udp(C, "192.0.2.53", 40005, 53, dns_query("x.a.evil.example")),
     "drop", "evil.example"),
    ("alert address, block address:port elsewhere", tcp(C, "192.0.2.88", 40006, 8080), "pass", None),
]


def block_part(engines, tmp):
    cap = os.path.join(tmp, "block.pcap")
    write_pcap(cap, [f for _, f, _, _ in BLOCK_CASES])
    alert, block = os.path.join(tmp, "alert.csv"), os.path.join(tmp, "block.txt")
    open(alert, "w").write(ALERT_CSV)
    open(block, "w").write(BLOCK_TXT)
    for eng in engines:
        for order, args in (("alert first", ["--ioc", alert, "--ioc-block", block]),
                            ("block first", ["--ioc-block", block, "--ioc", alert])):
            hits, err = replay(eng, args, cap)
            if hits is None:
                check("%s, %s: replay" % (eng, order), False, err[-300:])
                continue
            by_port = {h["src_port"]: h for h in hits}
            for i, (what, _, action, blocker) in enumerate(BLOCK_CASES):
                h = by_port.get(40001 + i, {})
                ioc = h.get("ioc", {})
                # the block indicator that dropped it: the hit's own, or
                # the one an alert indicator's hit names
                if ioc.get("feed_action") == "block":
                    by = ioc.get("indicator")
                else:
                    by = ioc.get("blocked_by", {}).get("indicator")
                got = (h.get("action"), by)
                check("%s, %s: %s: %s" % (eng, order, what, action), got == (action, blocker),
                      "action, block indicator: %s; hit %s" % (got, h))


# ---- 2. flow records of name hits -------------------------------------------------
FLOW_FEED = "evil.example\nbad.example\n198.51.100.53\n"
# (what, frame, the flow record's ioc.indicator wanted)
FLOW_CASES = [
    ("DNS query", udp(C, "192.0.2.53", 41001, 53, dns_query("www.evil.example")), "evil.example"),
    ("TLS SNI", tcp(C, "192.0.2.80", 41002, 443, 0x18, client_hello("cdn.evil.example")), "evil.example"),
    ("IPv6 DNS query", udp(C6, "2001:db8::53", 41003, 53, dns_query("bad.example")), "bad.example"),
    ("address indicator first", udp(C, "198.51.100.53", 41004, 53, dns_query("bad.example")), "198.51.100.53"),
]


def flow_part(engines, tmp):
    cap = os.path.join(tmp, "flows.pcap")
    write_pcap(cap, [f for _, f, _ in FLOW_CASES])
    feed = os.path.join(tmp, "flows.txt")
    open(feed, "w").write(FLOW_FEED)
    for eng in engines:
        lines, err = replay(eng, ["--ioc", feed, "--flow-timeout", "60"], cap)
        if lines is None:
            check("%s: flow replay" % eng, False, err[-300:])
            continue
        recs = {r["src_port"]: r for r in lines if r["event_type"] == "flow"}
        hits = {r["src_port"] for r in lines if r["event_type"] == "hunt"}
        for i, (what, _, ind) in enumerate(FLOW_CASES):
            port = 41001 + i
            r = recs.get(port, {})
            check("%s: %s: a hit and a flow record with ioc %s" % (eng, what, ind),
                  port in hits and r.get("ioc", {}).get("indicator") == ind,
                  "hit %s, record %s" % (port in hits, r))


# ---- 3. the same indicator in several feeds ---------------------------------------
ALSO_A = "indicator,feed,actor,confidence\n203.0.113.7,vendorA,Lazarus,high\nbad.example,vendorA,,\n" \
         "192.0.2.99,vendorA,,\n"
ALSO_B = "203.0.113.7\nBAD.example.\n203.0.113.7/32\n"
ALSO_C = "indicator,feed,confidence\n203.0.113.7,vendorC,low\n203.0.113.7,vendorA,medium\n"
# (what, frame, the hit's feed, the also_in wanted as (feed, actor, confidence, feed_action))
ALSO_CASES = [
    ("an address in three feeds", tcp(C, "203.0.113.7", 42001, 443), "vendorA",
     [("b.txt", None, None, "alert"), ("vendorC", None, "low", "block")]),
    ("a domain in two feeds", udp(C, "192.0.2.53", 42002, 53, dns_query("www.bad.example")), "vendorA",
     [("b.txt", None, None, "alert")]),
    ("an address in one feed", tcp(C, "192.0.2.99", 42003, 443), "vendorA", []),
]


def also_part(engines, tmp):
    cap = os.path.join(tmp, "also.pcap")
    write_pcap(cap, [f for _, f, _, _ in ALSO_CASES])
    paths = {}
    for name, text in (("a.csv", ALSO_A), ("b.txt", ALSO_B), ("c.csv", ALSO_C)):
        paths[name] = os.path.join(tmp, name)
        open(paths[name], "w").write(text)
    for eng in engines:
        hits, err = replay(eng, ["--ioc", paths["a.csv"], "--ioc", paths["b.txt"],
                                 "--ioc-block", paths["c.csv"]], cap)
        if hits is None:
            check("%s: also_in replay" % eng, False, err[-300:])
            continue
        by_port = {h["src_port"]: h for h in hits}
        for i, (what, _, feed, also) in enumerate(ALSO_CASES):
            ioc = by_port.get(42001 + i, {}).get("ioc", {})
            got = [(os.path.basename(a.get("feed", "")), a.get("actor"), a.get("confidence"),
                    a.get("feed_action")) for a in ioc.get("also_in", [])]
            check("%s: %s: also_in" % (eng, what),
                  ioc.get("feed") == feed and got == also and "also_in_more" not in ioc
                  and ("also_in" in ioc) == bool(also),
                  "feed %s, also_in %s; ioc %s" % (ioc.get("feed"), got, ioc))


def main():
    engines = ["native"]
    if os.geteuid() == 0:
        engines.append("kernel")
    else:
        print("SKIP: ioc feeds: the kernel engine needs root; native only")
    with tempfile.TemporaryDirectory() as tmp:
        block_part(engines, tmp)
        flow_part(engines, tmp)
        also_part(engines, tmp)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
