#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""test_json_types.py XDPHUNT: every key of xdphunt's JSON lines keeps one JSON
type across all lines, as an Elasticsearch or OpenSearch index needs (a field
mapped as a string refuses a line where it is a number, and the reverse).

The lines: `replay --engine native --flow-timeout 60` (hits and flow records)
over every capture of the public corpus with a feed of the corpus's server
addresses (ioc.* hits with feed metadata), over three mutants of every corpus
frame (SMB commands, DNS types and protocols the corpus does not have), and
over frames made here for what neither reaches: a DNS query of a type without
a name (99) for an IoC domain, GRE and ESP to an IoC address. A key is named
by its path (dns.qtype, dcerpc.attack[].tactic); null counts as a type of its
own. The native engine writes the kernel engine's lines
(test_native_engine.py), so it alone is run here.
Corpus: $XH_CORPUS_DIR, else $XH_SHARED_DIR/corpus/public.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
from pycheck import Checker  # noqa: E402
from test_native_engine import corpus_dir, ioc_feed, write_mutants  # noqa: E402

TIMEOUT_S = 600
check = Checker("json_types")


def jtype(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def walk(v, path, types, where):
    """Record the type of @v at @path (and of everything inside it)."""
    t = jtype(v)
    seen = types.setdefault(path, {})
    seen.setdefault(t, where)
    if t == "object":
        for k, x in v.items():
            walk(x, path + "." + k if path else k, types, where)
    elif t == "array":
        for x in v:
            walk(x, path + "[]", types, where)


def replay(xdphunt, files, extra):
    r = subprocess.run([xdphunt, "replay", "--engine", "native", "--host", "types",
                        "--flow-timeout", "60"] + extra + files,
                       capture_output=True, text=True, timeout=TIMEOUT_S)
    return r.returncode, r.stdout.splitlines(), r.stderr


def made_frames(path):
    """Frames the corpus does not have: a DNS query of type 99 (no name) and
    GRE and ESP packets, all to or about an IoC of the feed made with them."""
    from scapy.all import DNS, DNSQR, ESP, Ether, GRE, IP, UDP, wrpcap  # noqa: E402

    eth = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    pkts = [
        eth / IP(src="192.0.2.10", dst="192.0.2.53") / UDP(sport=40000, dport=53) /
        DNS(rd=1, qd=DNSQR(qname="www.evil.example", qtype=99)),
        eth / IP(src="192.0.2.10", dst="192.0.2.53") / UDP(sport=40001, dport=53) /
        DNS(rd=1, qd=DNSQR(qname="mail.evil.example", qtype=1)),
        eth / IP(src="192.0.2.10", dst="203.0.113.5") / GRE() / IP(src="10.0.0.1",
                                                                  dst="10.0.0.2"),
        eth / IP(src="192.0.2.10", dst="203.0.113.5") / ESP(spi=7, seq=1),
    ]
    for i, p in enumerate(pkts):
        p.time = 1700000000 + i
    wrpcap(path, pkts)
    return ["evil.example", "203.0.113.5"]


def main():
    xdphunt = sys.argv[1]
    caps = sorted(glob.glob(os.path.join(corpus_dir(), "*.pcap")) +
                  glob.glob(os.path.join(corpus_dir(), "*.pcapng")))
    if not caps:
        print("SKIP: json_types: no corpus at %s (set XH_CORPUS_DIR)" % corpus_dir())
        return 0
    types = {}
    n_lines = 0
    with tempfile.TemporaryDirectory() as tmp:
        rc, first, err = replay(xdphunt, caps, [])
        check(rc == 0 and first, "replay of %d corpus captures" % len(caps), err[-500:])
        feed = os.path.join(tmp, "servers.txt")
        ioc_feed("\n".join(first), feed)
        made = os.path.join(tmp, "made.pcap")
        with open(feed, "a") as f:
            f.write("\n".join(made_frames(made)) + "\n")
        mut = os.path.join(tmp, "mutants.pcap")
        write_mutants(caps, mut)
        for name, files in (("corpus", caps), ("mutated corpus frames", [mut]),
                            ("made frames", [made])):
            rc, lines, err = replay(xdphunt, files, ["--ioc", feed])
            check(rc == 0 and lines, "replay of the %s with a feed" % name, err[-500:])
            for line in lines:
                h = json.loads(line)
                where = "%s: %s" % (h.get("in_iface", "?"), line[:300])
                walk(h, "", types, where)
            n_lines += len(lines)
            if name == "made frames":
                q = [json.loads(x).get("dns", {}).get("qtype") for x in lines]
                p = [json.loads(x).get("proto") for x in lines if '"ioc.dest"' in x]
                check("TYPE99" in q and "A" in q, "made frames: both DNS queries hit", q)
                check(sorted(p) == ["47", "50"], "made frames: GRE and ESP hits", p)
    mixed = {k: v for k, v in types.items() if len(v) > 1}
    for k, v in sorted(mixed.items()):
        print("# %s: %s" % (k, "; ".join("%s in %s" % (t, w) for t, w in v.items())))
    check(not mixed and len(types) > 40,
          "%d keys over %d lines, each of one JSON type" % (len(types), n_lines),
          "mixed: %s" % ", ".join(sorted(mixed)))
    check.exit()


if __name__ == "__main__":
    main()
