# SPDX-License-Identifier: GPL-2.0
"""check_ntlm.py: tshark's view of NTLM logons over SMB and DCE/RPC over
TCP, the oracle of smb.logon and dcerpc.logon
(selftests/replay/test_ntlm_corpus.py, selftests/e2e/test_smb_lab.sh)."""
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_smb import smb_rows  # noqa: E402

# tshark shows an empty NTLMSSP string as "NULL"
EMPTY = "NULL"
LOGONS = ("smb.logon", "dcerpc.logon")
SETUP_REQUEST = ("((smb.cmd == 0x73 && smb.flags.response == 0) || "
                 "(smb2.cmd == 1 && smb2.flags.response == 0))")


def decode_auth(blob):
    """(domain, user, host) of the NTLMSSP AUTHENTICATE in a security blob
    (MS-NLMP 2.2.1.3), or None: for the session setups whose SPNEGO tshark
    cannot dissect (a capture that starts after the NEGOTIATE), from the
    blob's bytes as tshark shows them."""
    i = blob.find(b"NTLMSSP\0", 0, 40)
    if i < 0 or int.from_bytes(blob[i + 8:i + 12], "little") != 3:
        return None
    m = blob[i:]
    unicode = int.from_bytes(m[60:64], "little") & 1
    out = []
    for at in (28, 36, 44):
        n, off = int.from_bytes(m[at:at + 2], "little"), int.from_bytes(m[at + 4:at + 8], "little")
        out.append(m[off:off + n].decode("utf-16-le" if unicode else "latin-1", "replace"))
    return tuple(out)


def ntlm_logons(pcap, extra=()):
    """{(client, cport, server, sport, domain, user, host): split} of every
    NTLMSSP AUTHENTICATE tshark reads in an SMB session setup request or a
    DCE/RPC PDU over TCP, and of every SMB1 session setup naming its account
    without NTLMSSP, one per flow and account, as smb.logon and dcerpc.logon
    report them; @split is true when the message spanned TCP
    segments (tshark reassembled it), where xdphunt may not see the names."""
    out = {}
    # in an SMB session setup request; in DCE/RPC over TCP (not in an SMB
    # pipe, whose session named the account): an AUTH3, ALTER_CONTEXT or
    # BIND auth_value
    for flt in (SETUP_REQUEST, "dcerpc.pkt_type in {16, 14, 11} && !smb && !smb2"):
        for flow, (dom, user, host, reasm) in smb_rows(
                pcap, "ntlmssp.messagetype == 0x00000003 && " + flt,
                ["ntlmssp.auth.domain", "ntlmssp.auth.username", "ntlmssp.auth.hostname",
                 "tcp.reassembled.length"], extra):
            key = flow + tuple("" if v == EMPTY else v for v in (dom, user, host))
            out[key] = out.get(key, True) and bool(reasm)
    # SMB1 session setups without extended security (WordCount 13): the
    # AccountName and PrimaryDomain in the request, no workstation
    for flow, (user, dom, reasm) in smb_rows(
            pcap, "smb.cmd == 0x73 && smb.flags.response == 0 && smb.wct == 13",
            ["smb.account", "smb.primary_domain", "tcp.reassembled.length"], extra):
        key = flow + (dom, user, "")
        out[key] = out.get(key, True) and bool(reasm)
    # session setups whose SPNEGO tshark could not dissect: the blob's bytes
    for flow, (b2, b1, reasm) in smb_rows(
            pcap, "!ntlmssp && " + SETUP_REQUEST,
            ["smb2.security_blob", "smb.security_blob", "tcp.reassembled.length"], extra):
        try:
            blob = bytes.fromhex((b2 or b1).replace(":", ""))
        except ValueError:  # tshark's <MISSING>: the capture cut it off
            continue
        names = decode_auth(blob)
        if names:
            key = flow + names
            out[key] = out.get(key, True) and bool(reasm)
    return out


def logon_times(pcap):
    """{client: [(time, account)]} of the first session setup request of each
    (flow, account) tshark reads (NTLMSSP, or SMB1 without extended
    security), in time order: the smb.logon hits user/accounts.c keeps."""
    first = {}
    for flt, fields in (
            ("ntlmssp.messagetype == 0x00000003 && (smb || smb2)",
             ["ntlmssp.auth.domain", "ntlmssp.auth.username", "ntlmssp.auth.hostname"]),
            ("smb.cmd == 0x73 && smb.flags.response == 0 && smb.wct == 13",
             ["smb.primary_domain", "smb.account"])):
        for flow, (t, *names) in smb_rows(pcap, flt, ["frame.time_epoch"] + fields):
            acct = tuple("" if v == "NULL" else v for v in names)
            key = (flow, acct + ("",) * (3 - len(acct)))
            first[key] = min(first.get(key, float(t)), float(t))
    out = {}
    for (flow, acct), t in sorted(first.items(), key=lambda kv: kv[1]):
        out.setdefault(flow[0], []).append((t, acct))
    return out


def brute_technique(failed, accounts):
    """The technique of a brute-force hit (user/enrich.c
    enrich_brute_attack()): one account guessing, two or more each tried
    about twice at most spraying, else T1110."""
    if accounts == 1:
        return "T1110.001"
    if accounts >= 2 and failed <= 2 * accounts:
        return "T1110.003"
    return "T1110"


def want_accounts(logons, client, t_hit, window_s, failed):
    """The "accounts" and technique of a brute-force hit at @t_hit: the
    distinct accounts among the client's last 32 logons up to it that are
    less than @window_s old, and guessing (one), spraying (at least half as
    many accounts as failures) or T1110."""
    last = [(t, a) for t, a in logons.get(client, []) if t <= t_hit][-32:]
    n = len({a for t, a in last if t_hit - t < window_s})
    return n, brute_technique(failed, n)


def hit_time(h):
    """A hit's timestamp in seconds, half a microsecond on (it is the
    packet's, truncated to the microsecond)."""
    d = datetime.datetime.strptime(h["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return d.replace(tzinfo=datetime.timezone.utc).timestamp() + 5e-7


def flow_of(h):
    return (h["src_ip"], h.get("src_port"), h["dest_ip"], h.get("dest_port"))


def account_of(h):
    n = h.get("ntlmssp")
    return None if n is None else (n.get("domain"), n.get("user"), n.get("host"))


def logon_hits(lines):
    """({(client, cport, server, sport, domain, user, host): hit} of the
    smb.logon hits among JSON @lines, [every hit in order], [numbers of the
    lines that were not JSON])."""
    got, hits, bad = {}, [], []
    for i, line in enumerate(lines):
        try:
            h = json.loads(line)
        except ValueError:
            bad.append(i + 1)
            continue
        if "rule" not in h:  # flow records (--flow-timeout)
            continue
        hits.append(h)
        if h.get("rule") in LOGONS and account_of(h):
            got[flow_of(h) + account_of(h)] = h
    return got, hits, bad


def compare(want, got, hits):
    """(problems, counts) of smb.logon hits @got against tshark's @want,
    and of the account other @hits carry: each one tshark saw on the hit's
    flow, and on a flow with one account, every hit after its logon's
    carries it (user/accounts.c joins them)."""
    problems, c = [], {"want": len(want), "said": 0, "split_missed": 0, "joined": 0}
    for k, split in sorted(want.items()):
        if k in got:
            c["said"] += 1
        elif split:
            c["split_missed"] += 1
        else:
            problems.append("missing %s" % (k,))
    for k, h in sorted(got.items(), key=str):
        if k not in want:
            problems.append("extra %s" % (k,))
        elif h.get("attack"):
            problems.append("%s carries a technique" % (k,))
    accounts = {}
    for k in want:
        accounts.setdefault(k[:4], set()).add(k[4:])
    logged = set()
    for h in hits:
        f, acc = flow_of(h), account_of(h)
        if h.get("rule") in LOGONS:
            logged.add(f)
            continue
        if acc is not None:
            if acc not in accounts.get(f, ()):
                problems.append("%s %s: account %s tshark did not see" % (h["rule"], f, acc))
            else:
                c["joined"] += 1
        elif f in logged and len(accounts.get(f, ())) == 1:
            problems.append("%s %s after the flow's logon: no account" % (h["rule"], f))
    return problems, c


# user/relay.h RELAY_WINDOW_S, XH_NTLM_PROOF_LEN (in hex digits)
RELAY_WINDOW_S = 60
PROOF_HEX = 16


def relays(pcap, extra=()):
    """[(relayed flow, victim's flow, seconds between)] of the NTLM logons
    tshark reads on two flows (an SMB session setup request or a DCE/RPC
    PDU over TCP, as ntlm_logons()): the same NTProofStr (NTLMv2's, its
    first 8 bytes as the kernel keeps) on a flow within RELAY_WINDOW_S of
    its first flow's, once per NTProofStr, as user/relay.c matches them.
    The flows are (client, cport, server, sport)."""
    rows, first, out = [], {}, []
    for flt in (SETUP_REQUEST, "dcerpc.pkt_type in {16, 14, 11} && !smb && !smb2"):
        for flow, (t, proof) in smb_rows(
                pcap, "ntlmssp.messagetype == 0x00000003 && " + flt,
                ["frame.time_epoch", "ntlmssp.ntlmv2_response.ntproofstr"], extra):
            if proof:
                rows.append((float(t), proof.replace(":", "")[:PROOF_HEX], flow))
    for t, proof, flow in sorted(rows):
        # [time, flow, reported] of the response's kept sighting
        f = first.get(proof)
        if f and f[1] != flow and t - f[0] <= RELAY_WINDOW_S:
            if not f[2]:
                out.append((flow, f[1], t - f[0]))
                f[2] = True
        elif not f or f[1] != flow:
            first[proof] = [t, flow, False]
    return out


def relay_keys(hits):
    """[(relayed flow, victim's flow)] of the ntlm.relay hits among @hits
    (JSON objects), sorted, as relays() gives them."""
    return sorted((flow_of(h), (h["relay"]["victim_ip"], h["relay"]["victim_port"],
                                h["relay"]["relay_ip"], h["relay"]["relay_port"]))
                  for h in hits if h.get("rule") == "ntlm.relay")


def check_relays(a):
    """--relays: the ntlm.relay hits of a JSON-lines file against relays()
    of the capture: each on the relayed flow, naming the victim's flow, with
    T1557.001 and the account; at least --want of them, with the lab's
    addresses and user when given."""
    want = relays(a.pcap)
    problems = []
    hits = [json.loads(l) for l in open(a.hits, errors="replace") if l.startswith("{")]
    got = [h for h in hits if h.get("rule") == "ntlm.relay"]
    gotk = relay_keys(got)
    wantk = sorted((w[0], w[1]) for w in want)
    if gotk != wantk:
        problems.append("hits %s, tshark's %s" % (gotk, wantk))
    for h in got:
        if (h.get("attack") or {}).get("technique_id") != "T1557.001":
            problems.append("%s: attack %s" % (flow_of(h), h.get("attack")))
        if a.user and (h.get("ntlmssp") or {}).get("user") != a.user:
            problems.append("%s: account %s, want user %s" % (flow_of(h), h.get("ntlmssp"),
                                                             a.user))
        r = h["relay"]
        if not 0 <= r["seconds"] <= RELAY_WINDOW_S or not r.get("victim_community_id"):
            problems.append("%s: relay %s" % (flow_of(h), r))
        if a.victim and (r["victim_ip"], r["relay_ip"], h["src_ip"], h["dest_ip"]) != (
                a.victim, a.relay, a.relay, a.target):
            problems.append("%s: victim %s via %s to %s, want %s via %s to %s" % (
                flow_of(h), r["victim_ip"], r["relay_ip"], h["dest_ip"], a.victim, a.relay,
                a.target))
    if len(want) < a.want:
        problems.append("tshark reads %d relayed logons, want %d" % (len(want), a.want))
    for p in problems:
        print("FAIL: relays: %s" % p)
    if not problems:
        print("PASS: relays: %d relayed logons in tshark's NTProofStr, %d ntlm.relay hits "
              "name them, no other" % (len(want), len(got)))
    return 1 if problems else 0


def main():
    """check_ntlm.py PCAP LIVE REPLAY MIN_DCERPC: the logons tshark reads in
    PCAP against the hits of each JSON-lines file; at least MIN_DCERPC of
    them over DCE/RPC on TCP (the lab's tools log on so)."""
    pcap, live, replay, min_rpc = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    want = ntlm_logons(pcap)
    fails = 0
    rpc = 0
    with open(live, errors="replace") as fh:
        _, lhits, _ = logon_hits(fh.read().splitlines())
    rpc = sum(1 for h in lhits if h.get("rule") == "dcerpc.logon")
    for what, path in (("live", live), ("replay", replay)):
        with open(path, errors="replace") as fh:
            got, hits, bad = logon_hits(fh.read().splitlines())
        problems, c = compare(want, got, hits)
        if bad:
            problems.insert(0, "lines %s are not JSON" % bad[:5])
        if problems:
            fails += 1
            print("FAIL: ntlm_%s: %s" % (what, "; ".join(problems[:4])))
        else:
            print("PASS: ntlm_%s (%d of %d logons said, %d later hits name the account)"
                  % (what, c["said"], c["want"], c["joined"]))
    if rpc < min_rpc:
        fails += 1
        print("FAIL: ntlm_dcerpc_logons: %d dcerpc.logon hits live, want at least %d"
              % (rpc, min_rpc))
    else:
        print("PASS: ntlm_dcerpc_logons (%d live)" % rpc)
    return 1 if fails else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--relays":
        import argparse
        ap = argparse.ArgumentParser(prog="check_ntlm.py --relays")
        ap.add_argument("pcap")
        ap.add_argument("hits")
        ap.add_argument("--want", type=int, default=0)
        ap.add_argument("--victim")
        ap.add_argument("--relay")
        ap.add_argument("--target")
        ap.add_argument("--user")
        sys.exit(check_relays(ap.parse_args(sys.argv[2:])))
    sys.exit(main())
