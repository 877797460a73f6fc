#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# check_zerologon.py CAPTURE HITS.json... : tshark as the oracle of
# xdphunt's Zerologon (CVE-2020-1472) findings. Every netlogon
# NetrServerAuthenticate2/3 and NetrServerPasswordSet2 request tshark
# decodes is a dcerpc.call hit of its flow and call, and that hit says
# "zero_credential": true, "cve": "CVE-2020-1472" and T1210 exactly when the
# flow's first such request is Zerologon's: unauthenticated
# (dcerpc.cn_auth_len 0) with tshark's netlogon.clientcred all zero, or for
# PasswordSet2 (which tshark cannot dissect) the 12-byte Authenticator and
# the 516-byte password at the end of its stub all zero. No other hit says
# so. A flow that makes 16 or more Authenticate2/3 requests of one call
# (sealed or not: mimikatz tries on one sealed connection) has one more hit
# with "auth_tries": 16 and T1210; a flow with fewer has none. Used by selftests/replay/test_zerologon_corpus.py (public captures)
# and selftests/e2e/test_dcerpc_dc.sh (Impacket against Samba, live and
# replayed). As a program: --min-zero N and --min-real N say how many of
# each the capture must hold; prints PASS:/FAIL: lines, exits 1 on a FAIL.
import argparse
import collections
import json
import subprocess
import sys

OPS = {15: "NetrServerAuthenticate2", 26: "NetrServerAuthenticate3", 30: "NetrServerPasswordSet2"}
FIELDS = ["frame.number", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst", "ipv6.dst", "tcp.dstport",
          "netlogon.opnum", "netlogon.clientcred", "dcerpc.cn_auth_len", "dcerpc.cn_frag_len",
          "tcp.payload"]


def tshark_requests(path):
    """[(frame, flow, opnum, zero or None)]: zero None when the frame is not
    one PDU at its segment's start (several PDUs, or reassembled)."""
    flt = "dcerpc.pkt_type == 0 && (%s)" % " || ".join("netlogon.opnum == %d" % o for o in OPS)
    r = subprocess.run(["tshark", "-r", path, "-Y", flt, "-T", "fields"] +
                       sum((["-e", f] for f in FIELDS), []),
                       capture_output=True, text=True, timeout=300)
    if r.returncode:
        raise RuntimeError("tshark on %s: %s" % (path, r.stderr.strip()[-300:]))
    out = []
    for ln in r.stdout.splitlines():
        v = dict(zip(FIELDS, ln.split("\t")))
        if not v.get("frame.number", "").isdigit():
            continue
        src = v["ip.src"] or v["ipv6.src"]
        dst = v["ip.dst"] or v["ipv6.dst"]
        flow = (src, int(v["tcp.srcport"]), dst, int(v["tcp.dstport"]))
        ops, auth, frag = v["netlogon.opnum"], v["dcerpc.cn_auth_len"], v["dcerpc.cn_frag_len"]
        if "," in ops or "," in auth or "," in frag or not ops.isdigit():
            out.append((int(v["frame.number"]), flow, int(ops.split(",")[0]), None))
            continue
        op = int(ops)
        pay = bytes.fromhex(v["tcp.payload"].replace(":", ""))
        whole = pay[:1] == b"\x05" and int(frag) <= len(pay)
        if not whole:
            out.append((int(v["frame.number"]), flow, op, None))
            continue
        if int(auth):
            zero = False
        elif op == 30:
            stub_end = int(frag)
            zero = len(pay) >= stub_end >= 24 + 528 and not any(pay[stub_end - 528:stub_end])
        else:
            zero = v["netlogon.clientcred"].replace(":", "") == "0" * 16
        out.append((int(v["frame.number"]), flow, op, zero))
    return out


AUTH_OPS = (15, 26)
AUTH_TRIES = 16  # XH_NRPC_AUTH_TRIES


def first_requests(reqs):
    """(flow, opnum) -> (frame, zero, tries): the flow's first such request,
    and how many requests of that call the flow made."""
    first, tries = {}, collections.Counter()
    for frame, flow, op, zero in sorted(reqs):
        first.setdefault((flow, op), (frame, zero))
        tries[(flow, op)] += 1
    return {k: v + (tries[k],) for k, v in first.items()}


def compare(first, lines):
    """Problems (strings) and counts of @lines (JSON hit lines) against
    first_requests()."""
    counts = {"zero": 0, "real": 0, "said": 0, "quiet": 0, "not_one_pdu": 0, "tried": 0,
              "tries_said": 0}
    hits, tries_hits = {}, {}
    for ln in lines:
        if not ln.strip():
            continue
        h = json.loads(ln)
        if h.get("rule") != "dcerpc.call" or \
                h["dcerpc"]["interface"].get("name") != "netlogon" or \
                h["dcerpc"]["opnum"] not in OPS:
            continue
        key = ((h["src_ip"], h["src_port"], h["dest_ip"], h["dest_port"]), h["dcerpc"]["opnum"])
        if "auth_tries" in h["dcerpc"]:
            tries_hits[key] = h
        else:
            hits[key] = h
    problems = []
    # Authentication calls repeated on one flow (sealed or not): said once,
    # at the AUTH_TRIES-th, with T1210; fewer tries say nothing.
    for key, v in sorted(first.items()):
        if key[1] not in AUTH_OPS:
            continue
        h = tries_hits.get(key)
        if v[2] >= AUTH_TRIES:
            counts["tried"] += 1
            if h is None or h["dcerpc"]["auth_tries"] != AUTH_TRIES or \
                    h.get("attack", {}).get("technique_id") != "T1210" or \
                    h["dcerpc"].get("cve") != "CVE-2020-1472":
                problems.append("%s %s: %d tries, no auth_tries hit with T1210: %s" % (
                    key[0], OPS[key[1]], v[2], h and json.dumps(h["dcerpc"])))
            else:
                counts["tries_said"] += 1
        elif h is not None:
            problems.append("%s %s: %d tries said as %d" % (key[0], OPS[key[1]], v[2],
                                                             h["dcerpc"]["auth_tries"]))
    for key in tries_hits:
        if key not in first:
            problems.append("%s %s: auth_tries where tshark decodes no request" % key)
    for (flow, op), (frame, zero, _) in sorted(first.items()):
        if zero is None:
            counts["not_one_pdu"] += 1
            continue
        counts["zero" if zero else "real"] += 1
        h = hits.get((flow, op))
        if h is None:
            problems.append("frame %d %s %s: no dcerpc.call hit" % (frame, OPS[op], flow))
            continue
        said = h["dcerpc"].get("zero_credential") is True and \
            h["dcerpc"].get("cve") == "CVE-2020-1472" and \
            h.get("attack", {}).get("technique_id") == "T1210"
        quiet = "zero_credential" not in h["dcerpc"] and "cve" not in h["dcerpc"] and \
            h.get("attack", {}).get("technique_id") != "T1210"
        if zero and not said:
            problems.append("frame %d %s %s: Zerologon not said: %s" % (
                frame, OPS[op], flow, json.dumps(h["dcerpc"])))
        if not zero and not quiet:
            problems.append("frame %d %s %s: a real credential said to be Zerologon" % (
                frame, OPS[op], flow))
        counts["said" if said else "quiet"] += 1
    for key, h in hits.items():
        if h["dcerpc"].get("zero_credential") and key not in first:
            problems.append("%s %s: zero_credential where tshark decodes no request" % key)
    return problems, counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("capture")
    ap.add_argument("hits", nargs="+")
    ap.add_argument("--min-zero", type=int, default=0)
    ap.add_argument("--min-real", type=int, default=0)
    a = ap.parse_args()
    first = first_requests(tshark_requests(a.capture))
    fails = 0
    for path in a.hits:
        problems, c = compare(first, open(path).read().splitlines())
        if c["zero"] < a.min_zero or c["real"] < a.min_real:
            problems.append("tshark sees %d zero-credential and %d real calls, want at least "
                            "%d and %d" % (c["zero"], c["real"], a.min_zero, a.min_real))
        if problems:
            fails += 1
            print("FAIL: zerologon %s: %s" % (path, "; ".join(problems[:5])))
        else:
            print("PASS: zerologon %s: %d Zerologon calls said, %d real ones quiet, %d flows "
                  "with %d+ tries said" % (path, c["said"], c["quiet"], c["tries_said"],
                                           AUTH_TRIES))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
