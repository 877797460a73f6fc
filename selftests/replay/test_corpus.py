#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# test_corpus.py XDPHUNT: run `XDPHUNT replay` over every capture of the public
# corpus and check the smb.connect / rpc.connect hits against the truth files.
# Stdlib only. Corpus: $XH_CORPUS_DIR, else <repo>/../shared/corpus/public.
#
# For each capture: every TCP flow of flows.smb_rpc_port_flows whose server
# port is 445/139 (smb.connect) or 135 (rpc.connect) must be reported once,
# oriented client -> server; no smb/rpc hit may name a flow the truth lacks
# (unless the truth list is truncated). Flows that exist only inside a tunnel
# (GRE, ERSPAN, VXLAN, Geneve, GTP-U, MPLS, IP-in-IP, Teredo) are out of reach
# of a parser that does not decapsulate: this script finds them with its own
# pcap/pcapng walker and counts them as exclusions, with the tunnel kind.
# Prints PASS:/FAIL:/SKIP: per capture and a totals line; exits 1 on any FAIL.
import glob
import ipaddress
import json
import os
import struct
import subprocess
import sys

SMB_PORTS = {445: "smb.connect", 139: "smb.connect", 135: "rpc.connect"}
REPLAY_TIMEOUT_S = 180
MAX_VLANS = 8		# walker depth; xdphunt itself parses XH_MAX_VLANS (2)
MAX_TUNNEL_DEPTH = 4

# ---- a small capture walker: (linktype, frame bytes) -----------------------


def read_frames(path):
    """Yield (linktype, data) for every packet of a pcap or pcapng file. Stops
    quietly at a truncated record, as libpcap does at end of file."""
    with open(path, "rb") as f:
        buf = f.read()
    magic = buf[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        lt = struct.unpack(e + "I", buf[20:24])[0] & 0x0FFFFFFF
        off = 24
        while off + 16 <= len(buf):
            incl = struct.unpack(e + "I", buf[off + 8:off + 12])[0]
            off += 16
            if off + incl > len(buf):
                return
            yield lt, buf[off:off + incl]
            off += incl
    elif magic == b"\x0a\x0d\x0d\x0a":
        e, off, ifaces = "<", 0, []
        while off + 12 <= len(buf):
            btype = struct.unpack(e + "I", buf[off:off + 4])[0]
            if btype == 0x0A0D0D0A:
                e = "<" if buf[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
                ifaces = []
            blen = struct.unpack(e + "I", buf[off + 4:off + 8])[0]
            if blen < 12 or off + blen > len(buf):
                return
            body = buf[off + 8:off + blen - 4]
            if btype == 1:					# IDB
                ifaces.append(struct.unpack(e + "H", body[:2])[0])
            elif btype == 6 and len(body) >= 20:		# EPB
                iid, _, _, cap = struct.unpack(e + "IIII", body[:16])
                if iid < len(ifaces):
                    yield ifaces[iid], body[20:20 + cap]
            elif btype == 3 and ifaces:			# SPB
                yield ifaces[0], body[4:]
            elif btype == 2 and len(body) >= 20:		# obsolete packet block
                iid, _, _, _, cap = struct.unpack(e + "HHIII", body[:16])
                if iid < len(ifaces):
                    yield ifaces[iid], body[20:20 + cap]
            off += blen
    else:
        raise ValueError("not a pcap or pcapng file")


def ip_tuples(ethertype, data, via, depth, out):
    """Add (via, proto, endpoints) for the L4 flow of an IP packet; follow tunnels."""
    if depth > MAX_TUNNEL_DEPTH:
        return
    if ethertype == 0x0800:
        if len(data) < 20 or data[0] >> 4 != 4:
            return
        ihl = (data[0] & 0xF) * 4
        if (struct.unpack("!H", data[6:8])[0] & 0x1FFF) != 0:
            return					# non-first fragment: no L4
        proto = data[9]
        src, dst = ipaddress.IPv4Address(data[12:16]), ipaddress.IPv4Address(data[16:20])
        l4 = data[ihl:]
    elif ethertype == 0x86DD:
        if len(data) < 40 or data[0] >> 4 != 6:
            return
        proto, off = data[6], 40
        src, dst = ipaddress.IPv6Address(data[8:24]), ipaddress.IPv6Address(data[24:40])
        for _ in range(8):
            if proto in (0, 43, 60) and off + 2 <= len(data):
                proto, off = data[off], off + (data[off + 1] + 1) * 8
            elif proto == 51 and off + 2 <= len(data):
                proto, off = data[off], off + (data[off + 1] + 2) * 4
            elif proto == 44 and off + 8 <= len(data):
                if struct.unpack("!H", data[off + 2:off + 4])[0] & 0xFFF8:
                    return
                proto, off = data[off], off + 8
            else:
                break
        l4 = data[off:]
    else:
        return
    if proto in (6, 17) and len(l4) >= 4:
        sp, dp = struct.unpack("!HH", l4[:4])
        out.add((tuple(via), "tcp" if proto == 6 else "udp", frozenset([(str(src), sp), (str(dst), dp)])))
        if proto == 17 and len(l4) >= 8:
            pl = l4[8:]
            if 4789 in (sp, dp) and len(pl) >= 8:
                l2_tuples(1, pl[8:], list(via) + ["vxlan"], depth + 1, out)
            elif 6081 in (sp, dp) and len(pl) >= 8:
                glen = 8 + (pl[0] & 0x3F) * 4
                ptype = struct.unpack("!H", pl[2:4])[0]
                if ptype == 0x6558:
                    l2_tuples(1, pl[glen:], list(via) + ["geneve"], depth + 1, out)
                else:
                    ip_tuples(ptype, pl[glen:], list(via) + ["geneve"], depth + 1, out)
            elif 2152 in (sp, dp) and len(pl) >= 8 and pl[1] == 0xFF:	# GTP-U G-PDU
                off = 8
                if pl[0] & 0x07 and len(pl) >= 12:
                    off, nxt = 12, pl[11] if pl[0] & 0x04 else 0
                    while nxt and off < len(pl) and pl[off]:
                        ln = pl[off] * 4
                        nxt = pl[off + ln - 1] if off + ln - 1 < len(pl) else 0
                        off += ln
                inner = pl[off:]
                if inner and inner[0] >> 4 in (4, 6):
                    ip_tuples(0x0800 if inner[0] >> 4 == 4 else 0x86DD, inner, list(via) + ["gtp"], depth + 1, out)
            elif 3544 in (sp, dp):				# Teredo
                o = 0
                for _ in range(2):				# auth, then origin indication
                    if len(pl) >= o + 4 and pl[o] == 0 and pl[o + 1] == 1:
                        o += 4 + pl[o + 2] + pl[o + 3] + 9
                    elif len(pl) >= o + 8 and pl[o] == 0 and pl[o + 1] == 0:
                        o += 8
                if len(pl) > o and pl[o] >> 4 == 6:
                    ip_tuples(0x86DD, pl[o:], list(via) + ["teredo"], depth + 1, out)
    elif proto == 4:
        ip_tuples(0x0800, l4, list(via) + ["ip-in-ip"], depth + 1, out)
    elif proto == 41:
        ip_tuples(0x86DD, l4, list(via) + ["ip-in-ip"], depth + 1, out)
    elif proto == 47 and len(l4) >= 4:
        flags, ptype = struct.unpack("!HH", l4[:4])
        off = 4 + 4 * bool(flags & 0x8000) + 4 * bool(flags & 0x2000) + 4 * bool(flags & 0x1000)
        if ptype == 0x88BE:				# ERSPAN II
            l2_tuples(1, l4[off + 8:], list(via) + ["erspan"], depth + 1, out)
        elif ptype == 0x22EB:				# ERSPAN III
            o = off + 12 + (8 if len(l4) > off + 11 and l4[off + 11] & 1 else 0)
            l2_tuples(1, l4[o:], list(via) + ["erspan"], depth + 1, out)
        elif ptype == 0x6558:
            l2_tuples(1, l4[off:], list(via) + ["gre"], depth + 1, out)
        else:
            ip_tuples(ptype, l4[off:], list(via) + ["gre"], depth + 1, out)


def eth_payload(ethertype, data, via, depth, out):
    for _ in range(MAX_VLANS):
        if ethertype in (0x8100, 0x88A8, 0x9100) and len(data) >= 4:
            ethertype, data = struct.unpack("!H", data[2:4])[0], data[4:]
        else:
            break
    if ethertype in (0x8847, 0x8848):			# MPLS: pop to bottom of stack
        for i in range(16):
            if len(data) < 4 * (i + 1):
                return
            if data[4 * i + 2] & 1:
                inner = data[4 * (i + 1):]
                if inner and inner[0] >> 4 in (4, 6):
                    ip_tuples(0x0800 if inner[0] >> 4 == 4 else 0x86DD, inner, list(via) + ["mpls"], depth + 1, out)
                elif len(inner) >= 18:			# pseudowire with control word
                    l2_tuples(1, inner[4:], list(via) + ["mpls"], depth + 1, out)
                return
        return
    ip_tuples(ethertype, data, via, depth, out)


def l2_tuples(lt, data, via, depth, out):
    if lt == 1:						# Ethernet
        if len(data) >= 14:
            eth_payload(struct.unpack("!H", data[12:14])[0], data[14:], via, depth, out)
    elif lt == 0 or lt == 109:				# BSD null / loop
        if len(data) >= 4:
            fam = struct.unpack("<I", data[:4])[0]
            if fam > 0xFFFF:
                fam = struct.unpack(">I", data[:4])[0]
            ip_tuples(0x0800 if fam == 2 else 0x86DD, data[4:], via, depth, out)
    elif lt in (12, 14, 101, 228, 229):			# raw IP
        if data:
            ip_tuples(0x0800 if data[0] >> 4 == 4 else 0x86DD, data, via, depth, out)
    elif lt == 113:					# Linux cooked
        if len(data) >= 16:
            eth_payload(struct.unpack("!H", data[14:16])[0], data[16:], via, depth, out)
    elif lt == 276:					# Linux cooked v2
        if len(data) >= 20:
            eth_payload(struct.unpack("!H", data[0:2])[0], data[20:], via, depth, out)


def capture_flows(path):
    """{(proto, endpoints): set of tunnel paths ('' = outer headers)}."""
    seen = {}
    for lt, data in read_frames(path):
        out = set()
        l2_tuples(lt, data, [], 0, out)
        for via, proto, ends in out:
            seen.setdefault((proto, ends), set()).add("/".join(via))
    return seen

# ---- the check ------------------------------------------------------------


def norm(a):
    return str(ipaddress.ip_address(a))


def check(xh, cap, tot):
    name = os.path.basename(cap)
    truth = json.load(open(cap + ".json"))
    fl = truth["flows"]
    truncated = bool(fl.get("smb_rpc_port_flows_truncated"))
    seen = capture_flows(cap)

    expected, excluded, truth_any = {}, {}, {}
    for t in fl["smb_rpc_port_flows"]:
        c, cp, s, sp = norm(t["client"]), t["client_port"], norm(t["server"]), t["server_port"]
        ends = frozenset([(c, cp), (s, sp)])
        truth_any[(t["proto"].lower(), ends)] = truth_any.get((t["proto"].lower(), ends), 0) + 1
        if t["proto"].lower() != "tcp" or sp not in SMB_PORTS:
            continue
        key = (SMB_PORTS[sp], c, cp, s, sp)
        vias = seen.get(("tcp", ends), set())
        if "" not in vias and vias:
            excluded[key] = sorted(vias)
        else:
            expected[key] = expected.get(key, 0) + 1

    try:
        p = subprocess.run([xh, "replay", cap], capture_output=True, timeout=REPLAY_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return False, f"replay did not finish within {REPLAY_TIMEOUT_S}s"
    why = []
    if p.returncode != 0:
        why.append(f"exit {p.returncode}: {p.stderr.decode(errors='replace').strip()[-200:]}")
    hits, bad = {}, 0
    for line in p.stdout.decode(errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            h = json.loads(line)
        except ValueError:
            bad += 1
            continue
        if str(h.get("rule")).startswith("dcerpc."):
            continue  # checked against the truth by test_dcerpc_corpus.py
        if str(h.get("rule", "")).startswith("smb.") and h.get("rule") != "smb.connect":
            continue		# SMB deep inspection: test_smb_corpus.py checks these
        if h.get("rule") in ("rdp.connect", "ssh.connect"):
            continue  # checked against tshark by test_remote_corpus.py
        if h.get("rule") in ("kerberos.no_preauth", "kerberos.weak_ticket",
                             "kerberos.weak_request"):
            continue  # checked against tshark's AS-REPs, TGS-REPs, TGS-REQs by test_windows.py
        if h.get("rule") not in ("smb.connect", "rpc.connect"):
            why.append(f"unexpected rule {h.get('rule')!r} without an IoC feed")
            continue
        try:
            k = (h["rule"], norm(h["src_ip"]), h["src_port"], norm(h["dest_ip"]), h["dest_port"])
        except (KeyError, ValueError):
            bad += 1
            continue
        if h.get("proto") != "TCP":
            why.append(f"{h['rule']} on proto {h.get('proto')!r} {k[1]}:{k[2]}->{k[3]}:{k[4]}")
        hits[k] = hits.get(k, 0) + 1
    if bad:
        why.append(f"{bad} output lines are not valid hit JSON")

    missing = [k for k in expected if k not in hits]
    reversed_ = [k for k in missing if (k[0], k[3], k[4], k[1], k[2]) in hits]
    extra = [k for k in hits if k not in expected and k not in excluded]
    if not truncated:
        extra = [k for k in extra if (k[0], k[3], k[4], k[1], k[2]) not in expected]
    else:
        extra = [k for k in extra if ("tcp", frozenset([(k[1], k[2]), (k[3], k[4])])) in truth_any]
    dups = [k for k, n in hits.items() if n > max(expected.get(k, 1), 1)]

    def fmt(ks):
        return ", ".join(f"{k[0]} {k[1]}:{k[2]}->{k[3]}:{k[4]}" for k in ks[:3]) + \
            (f" (+{len(ks) - 3})" if len(ks) > 3 else "")
    if reversed_:
        why.append(f"{len(reversed_)} flow(s) reported server->client: {fmt(reversed_)}")
    plain_missing = [k for k in missing if k not in reversed_]
    if plain_missing:
        why.append(f"{len(plain_missing)}/{len(expected)} truth flow(s) not reported: {fmt(plain_missing)}")
    if extra:
        why.append(f"{len(extra)} hit(s) for flows not in the truth: {fmt(extra)}")
    if dups:
        why.append(f"{len(dups)} flow(s) reported more than once: {fmt(dups)}")

    tot["flows"] += len(expected)
    tot["matched"] += len(expected) - len(missing)
    tot["excluded"] += len(excluded)
    tot["excluded_reported"] += sum(1 for k in excluded if k in hits)
    for k, v in excluded.items():
        for via in v:
            tot["by_tunnel"][via] = tot["by_tunnel"].get(via, 0) + 1
    note = f"{len(expected) - len(missing)}/{len(expected)} flows"
    if excluded:
        kinds = sorted({v for vs in excluded.values() for v in vs})
        note += (f", {len(excluded)} tunnel-only flow(s) excluded ({', '.join(kinds)}: xdphunt does not "
                 f"decapsulate; {sum(1 for k in excluded if k in hits)} reported anyway)")
    if truncated:
        note += ", truth list truncated (extra hits not checked)"
    return (not why), ("; ".join(why) if why else note)


def main():
    if len(sys.argv) != 2:
        print("usage: test_corpus.py XDPHUNT", file=sys.stderr)
        return 2
    xh = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    shared = os.environ.get("XH_SHARED_DIR")
    corpus = os.environ.get("XH_CORPUS_DIR") or (shared and os.path.join(shared, "corpus", "public")) or os.path.normpath(
        os.path.join(here, "..", "..", "..", "shared", "corpus", "public"))
    if not os.path.isdir(corpus):
        print(f"SKIP: replay_corpus: no corpus at {corpus} (set XH_CORPUS_DIR)")
        return 0
    if not os.access(xh, os.X_OK):
        print(f"SKIP: replay_corpus: {xh} not built (make)")
        return 0
    caps = sorted(c for c in glob.glob(os.path.join(corpus, "*"))
                  if os.path.isfile(c + ".json") and not c.endswith(".json"))
    if not caps:
        print(f"SKIP: replay_corpus: no capture with a truth file in {corpus}")
        return 0
    tot = {"flows": 0, "matched": 0, "excluded": 0, "excluded_reported": 0, "by_tunnel": {}}
    npass = nfail = 0
    for cap in caps:
        try:
            ok, msg = check(xh, cap, tot)
        except Exception as e:		# a broken truth file or walker bug is a FAIL, not a crash
            ok, msg = False, f"test error: {type(e).__name__}: {e}"
        name = os.path.basename(cap)
        if ok:
            npass += 1
            print(f"PASS: replay {name}: {msg}")
        else:
            nfail += 1
            print(f"FAIL: replay {name}: {msg}")
    bt = ", ".join(f"{k}: {v}" for k, v in sorted(tot["by_tunnel"].items())) or "none"
    print(f"# excluded: {tot['excluded']} truth flow(s) reachable only through a tunnel ({bt}); "
          f"xdphunt parses Ethernet, up to 2 VLAN tags, IPv4/IPv6 and TCP/UDP but decapsulates no "
          f"tunnel, so only the outer flow is visible. {tot['excluded_reported']} of them reported anyway.")
    print(f"# replay corpus: {len(caps)} captures, {npass} passed, {nfail} failed; "
          f"{tot['matched']}/{tot['flows']} truth smb/rpc flows reported, {tot['excluded']} excluded")
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
