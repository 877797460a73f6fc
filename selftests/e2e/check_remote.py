#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# check_remote.py: tshark as the oracle of rdp.connect and ssh.connect.
#
# For every TCP connection tshark dissects, the first X.224 connection request
# (COTP type 0x0e) and the first identification line the client sends
# (ssh.direction 0) are each to be one hit of xdphunt, from the client to
# the server, with tshark's cookie (rdp.rt_cookie), requested protocols and
# flags, or protocol and software versions (ssh.protocol); T1571 when the
# server port is not the service's own; and no other such hit may exist.
# A request or line split across segments is allowed (xdphunt reads one
# segment) and counted.
#
# check_remote.py CAPTURE HITS [--rdp-port P]... [--ssh-port P]...
#   (the lab's use: the ports tshark is told to decode besides 3389 and 22)
import argparse
import collections
import json
import subprocess
import sys

STANDARD = {"rdp.connect": 3389, "ssh.connect": 22}
PROTOCOLS = ["ssl", "hybrid", "rdstls", "hybrid_ex", "rdsaad"]
FLAGS = {0: "restricted_admin", 1: "redirected_authentication", 3: "correlation_info"}
COOKIE_HEAD = "Cookie: mstshash="
FIELDS = ["frame.number", "tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst", "ipv6.dst",
          "tcp.dstport", "cotp.type", "rdp.rt_cookie", "rdp.negReq.requestedProtocols",
          "rdp.negReq.flags", "ssh.direction", "ssh.protocol", "tcp.len", "tpkt.length"]


def tshark_openings(cap, rdp_ports=(), ssh_ports=()):
    """Every X.224 CR and SSH identification line tshark reads in @cap."""
    cmd = ["tshark", "-n", "-r", cap, "-Y", "cotp.type == 0x0e || ssh.protocol", "-T", "fields",
           "-E", "separator=\t", "-E", "occurrence=f"]
    for p in rdp_ports:
        cmd += ["-d", "tcp.port==%d,tpkt" % p]
    for p in ssh_ports:
        cmd += ["-d", "tcp.port==%d,ssh" % p]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        r = {"frame": int(v["frame.number"]), "stream": int(v["tcp.stream"]),
             "src": v["ip.src"] or v["ipv6.src"], "sport": int(v["tcp.srcport"]),
             "dst": v["ip.dst"] or v["ipv6.dst"], "dport": int(v["tcp.dstport"])}
        # tshark spells addresses as xdphunt does (inet_ntop)
        if v["cotp.type"] and int(v["cotp.type"], 0) == 0x0e:
            r["rule"] = "rdp.connect"
            want = {}
            cookie = v["rdp.rt_cookie"]
            if cookie.startswith(COOKIE_HEAD):
                want["cookie"] = cookie[len(COOKIE_HEAD):]
            elif cookie:
                want["routing_token"] = cookie
            if v["rdp.negReq.requestedProtocols"]:
                prot = int(v["rdp.negReq.requestedProtocols"], 0)
                names = [PROTOCOLS[i] if i < len(PROTOCOLS) else hex(1 << i)
                         for i in range(32) if prot & (1 << i)]
                want["requested_protocols"] = names or ["rdp"]
                flags = int(v["rdp.negReq.flags"] or "0", 0)
                names = [FLAGS[i] for i in range(8) if flags & (1 << i) and i in FLAGS]
                if names:
                    want["flags"] = names
            # one segment: the TPKT length is the segment's
            r["whole"] = v["tpkt.length"] == v["tcp.len"]
            r["want"] = want
        elif v["ssh.protocol"] and v["ssh.direction"] in ("0", "False"):
            r["rule"] = "ssh.connect"
            line = v["ssh.protocol"]
            rest = line[4:]
            proto, _, soft = rest.partition("-")
            soft, _, comments = soft.partition(" ")
            want = {"proto_version": proto, "software_version": soft}
            if comments:
                want["comments"] = comments
            r["want"] = {"client": want}
            r["whole"] = True
        else:
            continue
        rows.append(r)
    return rows


def want_hits(rows):
    """The first opening of each kind per connection: the hits to find."""
    first = {}
    for r in rows:
        first.setdefault((r["stream"], r["rule"]), r)
    return list(first.values())


def tuple_of(h):
    return (h["rule"], h["src_ip"], h.get("src_port"), h["dest_ip"], h.get("dest_port"))


def compare(want, lines):
    """Problems (text) and counts, for the hit lines @lines against @want."""
    hits = collections.defaultdict(list)
    for line in lines:
        h = json.loads(line)
        if h.get("rule") in STANDARD:
            hits[tuple_of(h)].append(h)
    problems = []
    c = collections.Counter()
    seen = set()
    for w in want:
        key = (w["rule"], w["src"], w["sport"], w["dst"], w["dport"])
        seen.add(key)
        got = hits.get(key, [])
        c[w["rule"]] += 1
        if not got:
            if not w["whole"]:
                c["split"] += 1
                continue
            problems.append("frame %d: no %s hit for %s:%d -> %s:%d" %
                            (w["frame"], w["rule"], w["src"], w["sport"], w["dst"], w["dport"]))
            continue
        if len(got) > 1:
            problems.append("%d %s hits for one connection (frame %d)" %
                            (len(got), w["rule"], w["frame"]))
        h = got[0]
        detail = h.get("rdp" if w["rule"] == "rdp.connect" else "ssh")
        if detail != w["want"]:
            problems.append("frame %d: %s says %s, tshark %s" %
                            (w["frame"], w["rule"], json.dumps(detail), json.dumps(w["want"])))
        tech = (h.get("attack") or {}).get("technique_id")
        want_tech = None if w["dport"] == STANDARD[w["rule"]] else "T1571"
        if tech != want_tech:
            problems.append("frame %d: %s technique %s, want %s" %
                            (w["frame"], w["rule"], tech, want_tech))
        c["found"] += 1
    for key, got in hits.items():
        if key not in seen:
            problems.append("%s hit tshark has no opening for: %s" % (key[0], json.dumps(got[0])))
    return problems, c


def check(cap, lines, rdp_ports=(), ssh_ports=()):
    """compare() against tshark's openings in @cap. tshark decodes RDP and
    SSH by port; where xdphunt reports one on another port (RDP probed on
    Modbus's 502 in the corpus), tshark is asked again with that port
    decoded as the protocol the hit names, and judges it so. Returns
    (problems, counts, the ports added)."""
    rdp_ports, ssh_ports = list(rdp_ports), list(ssh_ports)
    want = want_hits(tshark_openings(cap, rdp_ports, ssh_ports))
    problems, c = compare(want, lines)
    known = {(w["rule"], w["dport"]) for w in want}
    added = set()
    for line in lines:
        h = json.loads(line)
        if h.get("rule") in STANDARD and (h["rule"], h.get("dest_port")) not in known:
            added.add((h["rule"], h["dest_port"]))
    if added:
        rdp_ports += [p for r, p in added if r == "rdp.connect"]
        ssh_ports += [p for r, p in added if r == "ssh.connect"]
        want = want_hits(tshark_openings(cap, rdp_ports, ssh_ports))
        problems, c = compare(want, lines)
    c["ports_added"] = len(added)
    return problems, c, sorted(added)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("capture")
    ap.add_argument("hits")
    ap.add_argument("--rdp-port", type=int, action="append", default=[])
    ap.add_argument("--ssh-port", type=int, action="append", default=[])
    ap.add_argument("--want-rdp", type=int, default=0, help="at least this many RDP openings")
    ap.add_argument("--want-ssh", type=int, default=0, help="at least this many SSH openings")
    a = ap.parse_args()
    problems, c, _ = check(a.capture, open(a.hits).read().splitlines(), a.rdp_port, a.ssh_port)
    fails = 0
    if c["rdp.connect"] < a.want_rdp or c["ssh.connect"] < a.want_ssh:
        print("FAIL: remote: tshark read %d RDP and %d SSH openings, the lab made %d and %d" %
              (c["rdp.connect"], c["ssh.connect"], a.want_rdp, a.want_ssh))
        fails += 1
    for p in problems:
        print("FAIL: remote: %s" % p)
        fails += 1
    if not fails:
        print("PASS: remote: %d RDP requests and %d SSH client lines tshark read are %d hits, "
              "no other" % (c["rdp.connect"], c["ssh.connect"], c["found"]))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
