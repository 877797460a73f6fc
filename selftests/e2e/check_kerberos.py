#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# check_kerberos.py: tshark as the oracle of kerberos.brute_force.
#
# tshark lists every KRB-ERROR a KDC sent with a failed logon's code
# (KDC_ERR_C_PRINCIPAL_UNKNOWN, KDC_ERR_CLIENT_REVOKED,
# KDC_ERR_PREAUTH_FAILED); they are counted per client (the answer's
# destination) in windows as bpf/kerberos.bpf.h counts them
# (krb_windows()), and the answer that brings a client to the threshold is to
# be one hit of xdphunt, oriented client -> KDC, with that answer's ports,
# the count, threshold and window; no other such hit may exist. Each
# failure's account is the cname tshark reads in the last AS-REQ of its
# flow (krb_requests()); the hit's "accounts" is how many distinct ones
# (letters in any case alike) its client's failures of the window named, and
# its technique follows from them as for smb.brute_force (krb_accounts()).
# kerberos.no_preauth: each AS-REP tshark reads that answers, on its flow,
# an AS-REQ without a pre-authenticating PA-DATA (no_preauth_hits()) is to
# be one hit, client -> KDC, naming the AS-REP's crealm and cname, T1558.004;
# no other such hit may exist.
# kerberos.weak_ticket: the first TGS-REP on each flow whose ticket tshark
# reads in RC4 or DES, for a service other than krbtgt (weak_ticket_hits(),
# from tshark's tree of each TGS-REP) is to be one hit, client -> KDC,
# naming its crealm, cname, the ticket's service and etype and the first
# etype of the flow's TGS-REQ when tshark reads one, T1558.003; no
# other such hit may exist.
# kerberos.weak_request: the first TGS-REQ on each flow whose req-body's
# etype list tshark reads with RC4 or DES first (weak_request_hits(), from
# tshark's tree of each TGS-REQ, reassembled when the TGT put the req-body in
# a later segment) is to be one hit, client -> KDC, naming its realm,
# service, first etype and the list, T1558.003; no other such hit may exist.
#
# check_kerberos.py CAPTURE HITS... [--setting COUNT/SECS] [--want N] [--live]
#   (the DC lab's use: HITS are `xdphunt run` and `replay` lines of CAPTURE;
#   --live: the first HITS file is run's, whose times are the kernel's)
import argparse
import functools
import ipaddress
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from check_ntlm import brute_technique  # noqa: E402
from hit_windows import compare_flows, epoch, window_hits  # noqa: E402

DEFAULT = (10, 60)  # bpf/kerberos.bpf.h: xh_cfg_krbbrute_threshold, _window_ns
# KDC_ERR_C_PRINCIPAL_UNKNOWN, KDC_ERR_CLIENT_REVOKED, KDC_ERR_PREAUTH_FAILED
FAILED = (6, 18, 24)


def krb_messages(pcap):
    """The frames of @pcap in which tshark reads an AS-REQ, an AS-REP, a
    TGS-REP or a KRB-ERROR (none quoted in ICMP), in one pass: (time, src, src port, dst,
    dst port, {msg-types}, {error-codes}, {padata-types}, first crealm, first
    cname component); the addresses and ports are the frame's first."""
    p = subprocess.run(["tshark", "-n", "-r", pcap, "-Y",
                        "(kerberos.msg_type == 10 || kerberos.msg_type == 11 || "
                        "kerberos.msg_type == 13 || kerberos.msg_type == 30) && !icmp && "
                        "!icmpv6", "-T", "fields", "-E",
                        "occurrence=a", "-E", "aggregator=,", "-e", "frame.time_epoch", "-e",
                        "ip.src", "-e", "ipv6.src", "-e", "udp.srcport", "-e", "tcp.srcport",
                        "-e", "ip.dst", "-e", "ipv6.dst", "-e", "udp.dstport", "-e",
                        "tcp.dstport", "-e", "kerberos.msg_type", "-e", "kerberos.error_code",
                        "-e", "kerberos.padata_type", "-e", "kerberos.crealm", "-e",
                        "kerberos.CNameString"],
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError("tshark -r %s: %s" % (pcap, p.stderr[-300:]))

    def first(v):
        return v.split(",")[0]

    def ints(v):
        return [int(x) for x in v.split(",") if x]

    out = []
    for line in p.stdout.splitlines():
        t, s4, s6, us, ts, d4, d6, ud, td, mt, ec, pa, realm, name = line.split("\t")
        out.append((float(t), str(ipaddress.ip_address(first(s4) or first(s6))),
                    int(first(us or ts)), str(ipaddress.ip_address(first(d4) or first(d6))),
                    int(first(ud or td)), ints(mt), set(ints(ec)), set(ints(pa)), first(realm),
                    first(name)))
    return out


def krb_failures(msgs):
    """(time, (client, client port, kdc, kdc port)) of each KRB-ERROR answer
    among tshark's krb_messages() with a failed logon's code (FAILED)."""
    return [(t, (dst, dp, src, sp)) for t, src, sp, dst, dp, mt, ec, _, _, _ in msgs
            if 30 in mt and ec & set(FAILED)]


def krb_requests(msgs):
    """(time, (client, client port, kdc, kdc port), account) of each AS-REQ
    among tshark's krb_messages(): the first component of its cname, in
    lower case and cut at 64 bytes as bpf/kerberos.bpf.h hashes it."""
    return [(t, (src, sp, dst, dp), name.encode()[:64].lower())
            for t, src, sp, dst, dp, mt, _, _, _, name in msgs if 10 in mt and name]


# PA-ENC-TIMESTAMP, PA-PK-AS-REQ_OLD, PA-PK-AS-REQ, PA-FX-FAST,
# PA-ENCRYPTED-CHALLENGE (bpf/kerberos.bpf.h xh_krb_preauth())
PREAUTH_TYPES = {2, 15, 16, 136, 138}


def no_preauth_hits(msgs):
    """{(client, client port, kdc, kdc port): (realm, account)} of each
    AS-REP among tshark's krb_messages() that answers the last AS-REQ of its
    flow, one without pre-authentication (no PREAUTH_TYPES in its padata)."""
    last, hits = {}, {}
    for _, src, sp, dst, dp, mt, _, pa, realm, name in msgs:
        if mt[0] == 10:
            last[(src, sp, dst, dp)] = not (pa & PREAUTH_TYPES)
        elif mt[0] == 11:
            flow = (dst, dp, src, sp)
            if last.pop(flow, False):
                hits[flow] = (realm, name)
    return hits


def compare_hits(rule, technique, want, lines, value):
    """Problems between @want, {flow: value} as tshark reads them, and the
    JSON @lines' hits of @rule: one per flow (client -> KDC), of
    @technique, whose value(kerberos object) is @want's, none whole that
    says "truncated" or "malformed"."""
    got, problems = {}, []
    for line in lines:
        h = json.loads(line)
        if h.get("rule") != rule:
            continue
        flow = (h["src_ip"], h["src_port"], h["dest_ip"], h["dest_port"])
        k = h.get("kerberos") or {}
        if flow in got:
            problems.append("%s: two %s hits" % (flow, rule))
        got[flow] = value(k)
        if "truncated" in k or "malformed" in k:
            problems.append("%s: kerberos %s" % (flow, k))
        if (h.get("attack") or {}).get("technique_id") != technique:
            problems.append("%s: attack %s" % (flow, h.get("attack")))
    if got != want:
        problems.append("%s hits %s, tshark's %s" % (
            rule, sorted(got.items())[:3], sorted(want.items())[:3]))
    return problems


def compare_no_preauth(want, lines):
    """Problems between tshark's no_preauth_hits() @want and the JSON
    @lines' kerberos.no_preauth hits."""
    return compare_hits("kerberos.no_preauth", "T1558.004", want, lines,
                        lambda k: (k.get("realm"), k.get("account")))


# des-cbc-crc, des-cbc-md4, des-cbc-md5, rc4-hmac, rc4-hmac-exp
# (bpf/kerberos.bpf.h xh_krb_weak_etype())
WEAK_ETYPES = {1, 2, 3, 23, 24}


def _tree(node, key):
    """The values of @key in tshark's JSON tree @node, depth first (a key
    tshark repeats is a list with --no-duplicate-keys)."""
    if isinstance(node, list):
        for n in node:
            yield from _tree(n, key)
    elif isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield from (v if isinstance(v, list) else [v])
            else:
                yield from _tree(v, key)


def _krb_trees(pcap, msg_type):
    """(src, src port, dst, dst port, kerberos tree) of each frame of @pcap
    in which tshark reads a Kerberos message of @msg_type (none quoted in
    ICMP), reassembled over TCP; the addresses and ports are the frame's
    first."""
    p = subprocess.run(["tshark", "-n", "-r", pcap, "-Y",
                        "kerberos.msg_type == %d && !icmp && !icmpv6" % msg_type, "-T", "json",
                        "--no-duplicate-keys", "-J", "frame ip ipv6 tcp udp kerberos"],
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError("tshark -r %s: %s" % (pcap, p.stderr[-300:]))
    for pkt in json.loads(p.stdout or "[]"):
        lay = pkt["_source"]["layers"]
        ip = lay.get("ip") or lay.get("ipv6")
        l4 = lay.get("tcp") or lay.get("udp")
        fam = "ip" if "ip" in lay else "ipv6"
        proto = "tcp" if "tcp" in lay else "udp"

        def one(layer, key):
            v = layer[key]
            return v[0] if isinstance(v, list) else v

        yield (str(ipaddress.ip_address(one(ip, fam + ".src"))), int(one(l4, proto + ".srcport")),
               str(ipaddress.ip_address(one(ip, fam + ".dst"))), int(one(l4, proto + ".dstport")),
               lay.get("kerberos"))


@functools.lru_cache(maxsize=None)
def _tgs_requests(pcap):
    """(flow (client, client port, kdc, kdc port), realm, service, etypes)
    of each TGS-REQ of @pcap whose req-body lists etypes, in the capture's
    order, from tshark's tree (the flat fields do not tell the req-body's
    from the TGT's in the padata); the sname joined by '/'. Kept per capture:
    the tickets' and the requests' oracles both read them."""
    out = []
    for client, client_port, kdc, kdc_port, tree in _krb_trees(pcap, 12):
        for req in _tree(tree, "kerberos.tgs_req_element"):
            body = next(_tree(req, "kerberos.req_body_element"), None)
            etypes = [int(e) for e in _tree(body, "kerberos.ENCTYPE")] if body else []
            if etypes:
                out.append(((client, client_port, kdc, kdc_port),
                            next(_tree(body, "kerberos.realm"), None),
                            "/".join(_tree(body, "kerberos.SNameString")), tuple(etypes)))
    return tuple(out)


def weak_ticket_hits(pcap, msgs=None):
    """{(client, client port, kdc, kdc port): (realm, account, service,
    etype, request etype)} of the first TGS-REP of each flow of @pcap whose
    ticket tshark reads in WEAK_ETYPES for a service other than krbtgt: the
    crealm, the cname's first component, the ticket's sname joined by '/',
    its enc-part's etype, and the first etype the flow's TGS-REQ listed
    (None when tshark reads none), from tshark's tree (the flat fields do
    not tell the ticket's etype from a FAST reply's or the enc-part's).
    With @msgs (krb_messages()'s), tshark is not run when they hold no
    TGS-REP."""
    if msgs is not None and not any(13 in m[5] for m in msgs):
        return {}
    # the first etype of the flow's last TGS-REQ
    requested = {flow: etypes[0] for flow, _, _, etypes in _tgs_requests(pcap)}
    hits = {}
    for kdc, kdc_port, client, client_port, tree in _krb_trees(pcap, 13):
        flow = (client, client_port, kdc, kdc_port)
        for rep in _tree(tree, "kerberos.tgs_rep_element"):
            ticket = next(_tree(rep, "kerberos.ticket_element"), None)
            if ticket is None:
                continue
            enc = next(_tree(ticket, "kerberos.enc_part_element"), {})
            etype = int(next(_tree(enc, "kerberos.etype"), -1))
            snames = list(_tree(ticket, "kerberos.SNameString"))
            if etype not in WEAK_ETYPES or not snames or snames[0].lower() == "krbtgt":
                continue
            if flow not in hits:
                hits[flow] = (next(_tree(rep, "kerberos.crealm"), None),
                              next(_tree(rep, "kerberos.CNameString"), None),
                              "/".join(snames), etype, requested.get(flow))
    return hits


def weak_request_hits(pcap, msgs=None):
    """{(client, client port, kdc, kdc port): (realm, service, etype,
    etypes)} of the first TGS-REQ of each flow of @pcap whose req-body lists
    an etype of WEAK_ETYPES first: its realm, sname joined by '/', first
    etype and the list, from tshark's tree (the flat fields do not tell the
    req-body's from the TGT's in the padata). With @msgs (krb_messages()'s),
    tshark is not run again when they hold no Kerberos message at all."""
    if msgs is not None and not msgs:
        return {}
    hits = {}
    for flow, realm, service, etypes in _tgs_requests(pcap):
        if etypes[0] in WEAK_ETYPES and flow not in hits:
            hits[flow] = (realm, service, etypes[0], list(etypes))
    return hits


def compare_weak_request(want, lines):
    """Problems between tshark's weak_request_hits() @want and the JSON
    @lines' kerberos.weak_request hits."""
    return compare_hits("kerberos.weak_request", "T1558.003", want, lines,
                        lambda k: (k.get("realm"), k.get("service"), k.get("etype"),
                                   k.get("etypes")))


def compare_weak_ticket(want, lines):
    """Problems between tshark's weak_ticket_hits() @want and the JSON
    @lines' kerberos.weak_ticket hits."""
    return compare_hits("kerberos.weak_ticket", "T1558.003", want, lines,
                        lambda k: (k.get("realm"), k.get("account"), k.get("service"),
                                   k.get("etype"), k.get("request_etype")))


def krb_accounts(failures, requests, threshold, window_s):
    """{flow: (accounts, technique)} of each hit krb_windows() finds: the
    distinct accounts of the last AS-REQ on each failure's flow before it,
    over the client's failures of the window."""
    out, win = {}, {}
    for t, flow in failures:
        names = [n for rt, f, n in requests if f == flow and rt <= t]
        start, count, accts = win.get(flow[0], (t, 0, set()))
        if t - start >= window_s:
            start, count, accts = t, 0, set()
        count += 1
        if names:
            accts = accts | {names[-1]}
        if count == threshold:
            out[flow] = (len(accts), brute_technique(count, len(accts)))
        win[flow[0]] = (start, count, accts)
    return out


def krb_windows(failures, threshold, window_s):
    """(time, flow, count) of the failures that bring their client's count
    to @threshold within a window of @window_s seconds from its first (a
    failure after the window opens the next), as bpf/kerberos.bpf.h counts
    (window_hits())."""
    return window_hits(((t, flow[0], None, 1, flow) for t, flow in failures), threshold,
                       window_s)


def compare(want, lines, threshold, window_s, live=False, accounts=None):
    """Problems between tshark's hits @want (krb_windows()) and the JSON
    @lines; @live: times are the kernel's, only the flows are compared;
    @accounts: krb_accounts()'s, for each hit's accounts and technique."""
    problems, got = [], []
    for line in lines:
        h = json.loads(line)
        if h.get("rule") != "kerberos.brute_force":
            continue
        bf = h["brute_force"]
        flow = (h["src_ip"], h["src_port"], h["dest_ip"], h["dest_port"])
        got.append((epoch(h["timestamp"]), flow))
        if (bf["service"], bf["failed_logons"], bf["threshold"], bf["window_s"]) != (
                "kerberos", threshold, threshold, window_s):
            problems.append("%s: %s" % (flow, bf))
        tech = (h.get("attack") or {}).get("technique_id")
        want_acc = (accounts or {}).get(flow, (0, "T1110"))
        if (bf.get("accounts", 0), tech) != want_acc:
            problems.append("%s: accounts and technique %s, tshark's AS-REQs %s" %
                            (flow, (bf.get("accounts", 0), tech), want_acc))
    problems += compare_flows(got, [w[:2] for w in want], live)
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("capture")
    ap.add_argument("hits", nargs="+")
    ap.add_argument("--setting", default="%d/%d" % DEFAULT)
    ap.add_argument("--want", type=int, default=0, help="at least this many hits")
    ap.add_argument("--live", action="store_true", help="the first HITS are `run`'s")
    ap.add_argument("--want-no-preauth", type=int, default=0,
                    help="at least this many kerberos.no_preauth hits")
    ap.add_argument("--want-weak-ticket", type=int, default=0,
                    help="at least this many kerberos.weak_ticket hits")
    ap.add_argument("--want-weak-request", type=int, default=0,
                    help="at least this many kerberos.weak_request hits")
    a = ap.parse_args()
    threshold, window = map(int, a.setting.split("/"))
    msgs = krb_messages(a.capture)
    failures = krb_failures(msgs)
    want = krb_windows(failures, threshold, window)
    accounts = krb_accounts(failures, krb_requests(msgs), threshold, window)
    roast = no_preauth_hits(msgs)
    tickets = weak_ticket_hits(a.capture, msgs)
    requests = weak_request_hits(a.capture)
    fails = 0
    for i, path in enumerate(a.hits):
        problems = compare(want, open(path).read().splitlines(), threshold, window,
                           a.live and i == 0, accounts)
        if len(want) < a.want:
            problems.append("tshark's KRB-ERRORs make %d hits, want %d" % (len(want), a.want))
        problems += compare_no_preauth(roast, open(path).read().splitlines())
        if len(roast) < a.want_no_preauth:
            problems.append("tshark's AS-REPs make %d no_preauth hits, want %d" %
                            (len(roast), a.want_no_preauth))
        problems += compare_weak_ticket(tickets, open(path).read().splitlines())
        if len(tickets) < a.want_weak_ticket:
            problems.append("tshark's TGS-REPs make %d weak_ticket hits, want %d" %
                            (len(tickets), a.want_weak_ticket))
        problems += compare_weak_request(requests, open(path).read().splitlines())
        if len(requests) < a.want_weak_request:
            problems.append("tshark's TGS-REQs make %d weak_request hits, want %d" %
                            (len(requests), a.want_weak_request))
        for p in problems:
            print("FAIL: kerberos_brute_force: %s: %s" % (path, p))
        if not problems:
            print("PASS: kerberos_brute_force: %s: %d failed logons in tshark's KRB-ERRORs, "
                  "%d hits as they make, accounts and techniques %s as its AS-REQs say; "
                  "kerberos.no_preauth %s as its AS-REPs; kerberos.weak_ticket %s as its "
                  "TGS-REPs; kerberos.weak_request %s as its TGS-REQs" % (
                      path, len(failures), len(want), sorted(accounts.values()),
                      sorted(roast.values()), sorted(tickets.values()),
                      sorted(requests.values())))
        fails += bool(problems)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
