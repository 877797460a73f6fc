#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# check_hits.py: compare the JSON hits of a live xdphunt run with the flows the
# client really opened (its SYNs, from tcpdump), for selftests/e2e/test_live.sh.
# Stdlib only. Prints PASS:/FAIL: lines; exits 1 on any FAIL.
#
# usage: check_hits.py SPEC.json HITS.jsonl SYNS.txt
#   SPEC: {"host", "iface", "t_start", "t_end", "ioc": [indicator...],
#          "flows": [{"name", "src"?, "sport"?, "dst", "dport", "rules": [...]}]}
#   SYNS: `tcpdump -nn -r` text of the client's TCP packets.
import base64
import hashlib
import ipaddress
import json
import re
import struct
import sys
from datetime import datetime, timezone

# ATT&CK per rule, as user/enrich.c documents them (None: the rule proves no
# technique and the hit has no "attack" object).
ATTACK = {
    "smb.connect": None,
    "rpc.connect": None,
    "ioc.dest": ("T1071", "command-and-control"),
    "ioc.src": ("T1071", "command-and-control"),
}
SMB_PORTS = {445, 139}
RPC_PORTS = {135}
REQUIRED = ["timestamp", "event_type", "host", "in_iface", "flow_id", "community_id",
            "src_ip", "src_port", "dest_ip", "dest_port", "proto", "rule", "action"]
TS_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
CID_RE = re.compile(r"^1:[A-Za-z0-9+/]{27}=$")
SYN_RE = re.compile(r"\sIP6? (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[S\]")

fails = 0


def result(ok, name, why=""):
    global fails
    if ok:
        print(f"PASS: {name}")
    else:
        fails += 1
        print(f"FAIL: {name}: {why}")


def norm_ip(s):
    return str(ipaddress.ip_address(s))


def cid_digest(src, sport, dst, dport, proto, seed=0):
    a, b = ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed
    if (a, sport) > (b, dport):
        a, b, sport, dport = b, a, dport, sport
    data = struct.pack("!H", seed) + a + b + struct.pack("!BBHH", proto, 0, sport, dport)
    return hashlib.sha1(data).digest()


def community_id(*t):
    return "1:" + base64.b64encode(cid_digest(*t)).decode()


def main():
    spec = json.load(open(sys.argv[1]))
    iocs = [ipaddress.ip_network(i, strict=False) for i in spec["ioc"]]

    def ioc_of(addr):
        a = ipaddress.ip_address(addr)
        best = None
        for n in iocs:
            if a.version == n.version and a in n and (best is None or n.prefixlen > best.prefixlen):
                best = n
        if best is None:
            return None
        return str(best.network_address) if best.prefixlen == best.max_prefixlen else str(best)

    # The flows the client opened: one per distinct SYN 5-tuple.
    syns = set()
    for line in open(sys.argv[3]):
        m = SYN_RE.search(line)
        if m:
            syns.add((norm_ip(m[1]), int(m[2]), norm_ip(m[3]), int(m[4])))

    expected = {}
    for (s, sp, d, dp) in syns:
        rules = []
        if dp in SMB_PORTS:
            rules.append("smb.connect")
        if dp in RPC_PORTS:
            rules.append("rpc.connect")
        if ioc_of(d):
            rules.append("ioc.dest")
        if ioc_of(s):
            rules.append("ioc.src")
        for r in rules:
            expected[(r, s, sp, d, dp, "TCP")] = (s, sp, d, dp)

    # Parse the hits.
    hits, bad_json = [], []
    for n, line in enumerate(open(sys.argv[2]), 1):
        if not line.strip():
            continue
        try:
            hits.append(json.loads(line))
        except ValueError as e:
            bad_json.append(f"line {n}: {e}")
    result(not bad_json, "hits_are_json_lines", "; ".join(bad_json[:3]))
    # SMB deep-inspection hits (smb.* other than smb.connect) are checked
    # against tshark by selftests/e2e/check_smb.py, not here.
    hits = [h for h in hits if not (str(h.get("rule", "")).startswith("smb.")
                                    and h.get("rule") != "smb.connect")]
    result(len(hits) > 0, "hits_present", "no hit at all")

    # Per-field checks, each reported once over all hits.
    problems = {k: [] for k in ("fields", "timestamp", "event_type", "host", "in_iface",
                                "ports", "proto", "action", "community_id", "flow_id",
                                "attack", "ioc", "vlan")}
    flow_ids = {}
    fid_order = set()
    for h in hits:
        tag = f"{h.get('rule')} {h.get('src_ip')}:{h.get('src_port')}->{h.get('dest_ip')}:{h.get('dest_port')}"
        missing = [k for k in REQUIRED if k not in h]
        if missing:
            problems["fields"].append(f"{tag}: missing {missing}")
            continue
        ts = h["timestamp"]
        if not isinstance(ts, str) or not TS_RE.match(ts):
            problems["timestamp"].append(f"{tag}: {ts!r} is not RFC 3339 UTC with µs and Z")
        else:
            t = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()
            if not spec["t_start"] - 2 <= t <= spec["t_end"] + 2:
                problems["timestamp"].append(
                    f"{tag}: {ts} outside the test window "
                    f"{datetime.fromtimestamp(spec['t_start'], timezone.utc).isoformat()}"
                    f"..+{spec['t_end'] - spec['t_start']:.0f}s")
        if h["event_type"] != "hunt":
            problems["event_type"].append(f"{tag}: {h['event_type']!r}")
        if h["host"] != spec["host"]:
            problems["host"].append(f"{tag}: {h['host']!r} != {spec['host']!r}")
        if h["in_iface"] != spec["iface"]:
            problems["in_iface"].append(f"{tag}: {h['in_iface']!r} != {spec['iface']!r}")
        sp, dp = h["src_port"], h["dest_port"]
        if not (isinstance(sp, int) and 0 < sp < 65536 and isinstance(dp, int) and 0 < dp < 65536):
            problems["ports"].append(f"{tag}: ports must be integers 1..65535")
            continue
        if h["proto"] not in ("TCP", "UDP"):
            problems["proto"].append(f"{tag}: {h['proto']!r}")
            continue
        if h["action"] != "pass":
            problems["action"].append(f"{tag}: {h['action']!r}")
        try:
            s, d = norm_ip(h["src_ip"]), norm_ip(h["dest_ip"])
        except ValueError:
            problems["fields"].append(f"{tag}: bad address")
            continue
        pnum = 6 if h["proto"] == "TCP" else 17
        want = community_id(s, sp, d, dp, pnum)
        if not (isinstance(h["community_id"], str) and CID_RE.match(h["community_id"])):
            problems["community_id"].append(f"{tag}: {h['community_id']!r} is not 1:<base64 sha1>")
        elif h["community_id"] != want:
            problems["community_id"].append(f"{tag}: {h['community_id']} != {want} (Community ID v1, seed 0)")
        fid = h["flow_id"]
        dg = cid_digest(s, sp, d, dp, pnum)
        mask = (1 << 53) - 1
        be, le = int.from_bytes(dg[:8], "big") & mask, int.from_bytes(dg[:8], "little") & mask
        if not isinstance(fid, int) or isinstance(fid, bool) or not 0 <= fid <= mask:
            problems["flow_id"].append(f"{tag}: {fid!r} is not an integer in 0..2^53-1")
        else:
            fid_order.add("big-endian" if fid == be else "little-endian" if fid == le else "neither")
            if fid not in (be, le):
                problems["flow_id"].append(f"{tag}: {fid} is not the first 8 bytes of the seed-0 "
                                           f"digest masked to 53 bits ({be} BE / {le} LE)")
            key = tuple(sorted([(s, sp), (d, dp)]))
            if flow_ids.setdefault(key, fid) != fid:
                problems["flow_id"].append(f"{tag}: two flow_ids for one flow")
        att = h.get("attack")
        exp = ATTACK.get(h["rule"])
        if h["rule"].startswith("dcerpc."):
            # The interface's or call's techniques (data/dcerpc.tsv, checked
            # against tshark by check_dcerpc.py): a srvsvc bind has none.
            first = (h.get("dcerpc", {}).get("attack") or [None])[0]
            if att != first:
                problems["attack"].append(f"{tag}: {att!r}, want dcerpc.attack's first {first!r}")
        elif h["rule"] in ATTACK and exp is None:
            if att is not None:
                problems["attack"].append(f"{tag}: {att!r}, want no attack object")
        elif not isinstance(att, dict) or not all(isinstance(att.get(k), str) and att.get(k)
                                                for k in ("technique_id", "technique", "tactic")):
            problems["attack"].append(f"{tag}: {att!r} lacks technique_id/technique/tactic")
        elif exp and (att["technique_id"], att["tactic"]) != exp:
            problems["attack"].append(f"{tag}: {att['technique_id']}/{att['tactic']} != {exp[0]}/{exp[1]}")
        if h["rule"] in ("ioc.dest", "ioc.src"):
            io = h.get("ioc")
            side, addr = ("dest_ip", d) if h["rule"] == "ioc.dest" else ("src_ip", s)
            want_ind = ioc_of(addr)
            if not isinstance(io, dict):
                problems["ioc"].append(f"{tag}: no ioc object")
            elif io.get("matched") != side or io.get("indicator") != want_ind:
                problems["ioc"].append(f"{tag}: ioc {io!r}, want indicator {want_ind!r} matched {side!r}")
        elif "ioc" in h:
            problems["ioc"].append(f"{tag}: ioc object on a non-IoC rule")
        if "vlan" in h:
            problems["vlan"].append(f"{tag}: vlan {h['vlan']!r} on an untagged lab frame")
    for k, v in problems.items():
        result(not v, f"hit_{k}", "; ".join(v[:4]) + (f" (+{len(v) - 4} more)" if len(v) > 4 else ""))
    if fid_order and not problems["flow_id"]:
        print(f"# flow_id is the {'/'.join(sorted(fid_order))} reading of the digest")

    # One event per (flow, rule).
    actual = {}
    for h in hits:
        # dcerpc.* hits (one per flow and interface/operation, e.g. srvsvc
        # from smbclient -L) are checked against tshark by test_dcerpc_dc.sh.
        if str(h.get("rule")).startswith("dcerpc."):
            continue
        try:
            k = (h["rule"], norm_ip(h["src_ip"]), h["src_port"], norm_ip(h["dest_ip"]),
                 h["dest_port"], h["proto"])
        except (KeyError, ValueError, TypeError):
            continue
        actual[k] = actual.get(k, 0) + 1
    dups = [f"{k[0]} {k[1]}:{k[2]}->{k[3]}:{k[4]} x{n}" for k, n in actual.items() if n > 1]
    result(not dups, "one_hit_per_flow_and_rule", "; ".join(dups[:5]))

    # Named flows: the traffic happened, and got exactly its rules.
    def match(f, flow):
        s, sp, d, dp = flow
        return (d == norm_ip(f["dst"]) and dp == f["dport"] and
                ("src" not in f or s == norm_ip(f["src"])) and
                ("sport" not in f or sp == f["sport"]))

    for f in spec["flows"]:
        flows = [fl for fl in syns if match(f, fl)]
        if not flows:
            result(False, f["name"], f"the client sent no SYN to {f['dst']}:{f['dport']}: traffic not made")
            continue
        why = []
        for fl in flows:
            s, sp, d, dp = fl
            got = sorted(k[0] for k in actual if k[1:5] == fl)
            rev = sorted(k[0] for k in actual if k[1:5] == (d, dp, s, sp))
            if got != sorted(f["rules"]):
                why.append(f"{s}:{sp}->{d}:{dp} got {got or 'no hit'}, want {sorted(f['rules']) or 'no hit'}")
            if rev:
                why.append(f"{s}:{sp}->{d}:{dp} reported reversed (server as src) as {rev}")
        result(not why, f["name"], "; ".join(why[:3]) + f" [{len(flows)} flow(s)]")

    # The exact set: every hit is explained by a SYN, every expected hit came.
    missing = [f"{k[0]} {k[1]}:{k[2]}->{k[3]}:{k[4]}" for k in expected if k not in actual]
    extra = [f"{k[0]} {k[5]} {k[1]}:{k[2]}->{k[3]}:{k[4]}" for k in actual if k not in expected]
    result(not missing, "no_missing_hits", f"{len(missing)} missing: " + "; ".join(missing[:5]))
    result(not extra, "no_unexpected_hits", f"{len(extra)} unexpected: " + "; ".join(extra[:5]))
    print(f"# {len(syns)} client flows, {len(expected)} expected hits, {len(hits)} hits")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
