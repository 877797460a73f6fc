#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""truth.py: ground truth and attribution for `make coverage` (scripts/coverage.sh).

Scenario mode: reads the scenario manifest (one JSON line per scenario:
name, labels, source addresses) and the run's capture; for every technique
runs one tshark display filter (EVIDENCE below) over the capture and
attributes each matching packet to the scenario whose source address it
carries (as source or destination). A scenario's label is "on the wire" when
at least one packet of that scenario matches the technique's filter. Then
attributes the live hits and the replay hits the same way and writes two
scenario-runs documents for score.py. xdphunt's output is never used as truth.

Load mode (--load-row RATE): one row of the under-load table: recall of the
attack scenarios of a loaded run against the expectations of the unloaded
run (--baseline), ring-buffer losses and packet rates from `xdphunt stats
--json` before and after, and tcpreplay's own account of what it sent.
"""
import argparse
import ipaddress
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import score  # noqa: E402

ADMIN_TREE = r'"(?i)\\\\(admin|[a-z])\\$$"'
# An executable's extension ends the file name or an NTFS stream name:
# tool.exe, tool.exe::$DATA, notes.txt:payload.exe, notes.txt:payload.exe:$DATA.
EXE = r'"(?i)\\.(exe|dll|sys|bat|cmd|ps1|vbs|hta|msi)(:|$)"'
# ... in a named stream of a file (notes.txt:payload.exe): T1564.004.
STREAM_EXE = r'"(?i):[^:\\\\]*\\.(exe|dll|sys|bat|cmd|ps1|vbs|hta|msi)(:|$)"'
REQ = "dcerpc.pkt_type == 0"
# An SMB2 WRITE of a PE image's first bytes ("MZ") at file offset 0; tshark
# shows the file data as undissected data.
PE_WRITE = ("(smb2.cmd == 9 && smb2.flags.response == 0 && smb2.file_offset == 0 && "
            "data.data[0:2] == 4d:5a)")

# technique -> (tshark display filter, what it shows). {c2} is replaced by
# the C2 address set. Requests only: what the client put on the wire.
EVIDENCE = {
    "T1021.002": ("(smb2.cmd == 3 && smb2.flags.response == 0 && smb2.tree matches %s) || "
                  "(smb.cmd == 0x75 && smb.flags.response == 0 && smb.path matches %s)"
                  % (ADMIN_TREE, ADMIN_TREE),
                  "tree connect to an admin share (ADMIN$, C$)"),
    "T1135": ("(srvsvc.opnum == 15 || srvsvc.opnum == 16 || srvsvc.opnum == 36) && " + REQ,
              "srvsvc NetrShareEnum / NetrShareGetInfo request"),
    "T1039": ("(smb2.cmd == 8 && smb2.flags.response == 0 && !(smb2.tree contains \"IPC$\")) || "
              "(smb.cmd == 0x2e && smb.flags.response == 0 && !(smb.path contains \"IPC$\"))",
              "READ request on a disk share"),
    "T1570": ("(smb2.cmd == 5 && smb2.flags.response == 0 && smb2.filename matches %s && "
              "!(smb2.tree contains \"IPC$\")) || "
              "(smb.cmd == 0xa2 && smb.flags.response == 0 && smb.file matches %s) || %s"
              % (EXE, EXE, PE_WRITE),
              "CREATE of an executable name on a disk share (admin or not), or a PE image "
              "written at a file's start"),
    # A PE image under a name that is not an executable's: the name is the
    # CREATE's, found through the WRITE's dcerpc.nt.open_frame (wire_truth()).
    "T1036.008": (PE_WRITE,
                  "a PE image written at the start of a file whose name is not an executable's"),
    # A remote shell's output read back from an admin share (Impacket's
    # cmd.exe ... 1> \\127.0.0.1\ADMIN$\__<time>): a READ whose CREATE
    # named __*, found through its dcerpc.nt.open_frame (wire_truth()).
    "T1059.003": ("smb2.cmd == 8 && smb2.flags.response == 0 && smb2.tree matches %s"
                  % ADMIN_TREE,
                  "READ on an admin share of a file named __* (a remote shell's output)"),
    "T1564.004": ("(smb2.cmd == 5 && smb2.flags.response == 0 && smb2.filename matches %s) || "
                  "(smb.cmd == 0xa2 && smb.flags.response == 0 && smb.file matches %s)"
                  % (STREAM_EXE, STREAM_EXE),
                  "CREATE of an executable name in an NTFS stream of a file"),
    "T1083": ("(smb2.cmd == 14 && smb2.flags.response == 0 && !(smb2.tree contains \"IPC$\")) || "
              "(smb.cmd == 0x32 && smb.flags.response == 0 && smb.trans2.cmd == 0x0001 && "
              "!(smb.path contains \"IPC$\"))",
              "QUERY_DIRECTORY (SMB1: TRANS2 FIND_FIRST2) request on a disk share"),
    "T1543.003": ("(svcctl.opnum == 12 || svcctl.opnum == 24 || svcctl.opnum == 45) && " + REQ,
                  "svcctl RCreateService request"),
    # Execution is the start: a create alone (Samba refuses it) is T1543.003 only.
    "T1569.002": ("(svcctl.opnum == 19 || svcctl.opnum == 31) && " + REQ,
                  "svcctl RStartServiceW / RStartServiceA request"),
    "T1012": ("(winreg.opnum == 15 || winreg.opnum == 16 || winreg.opnum == 17 || "
              "winreg.opnum == 9 || winreg.opnum == 10) && " + REQ,
              "winreg OpenKey / QueryInfoKey / QueryValue / EnumKey request"),
    "T1112": ("(winreg.opnum == 6 || winreg.opnum == 22 || winreg.opnum == 7 || "
              "winreg.opnum == 8) && " + REQ,
              "winreg CreateKey / SetValue / DeleteKey request"),
    "T1053": ("(smb2.cmd == 5 && smb2.flags.response == 0 && smb2.filename matches \"(?i)^atsvc$\")"
              " || atsvc.opnum == 0 || "
              "dcerpc.cn_bind_to_uuid == 86d35949-83c9-4044-b424-db363231fd0c",
              "CREATE of the atsvc pipe, NetrJobAdd or a bind to ITaskSchedulerService"),
    "T1047": ("dcerpc.cn_bind_to_uuid == f309ad18-d86a-11d0-a075-00c04fb68820 || "
              "dcerpc.cn_bind_to_uuid == 9556dc99-828c-11cf-a37e-00aa003240c7 || "
              "(dcerpc.pkt_type == 0 && frame contains 5e:f0:c3:8b:6b:d8:d0:11:a0:75:00:c0:4f:b6:88:20)",
              "bind to IWbemLevel1Login/IWbemServices, or an activation request naming the "
              "WbemLevel1Login CLSID"),
    "T1021.003": ("dcerpc.cn_bind_to_uuid == 000001a0-0000-0000-c000-000000000046 || "
                  "dcerpc.cn_bind_to_uuid == 4d9f4ab8-7d1c-11cf-861e-0020af6e7c57",
                  "bind to ISystemActivator / IActivation (DCOM remote activation)"),
    "T1087": ("(samr.opnum == 5 || samr.opnum == 6 || samr.opnum == 13 || samr.opnum == 17 || "
              "samr.opnum == 18 || samr.opnum == 36 || samr.opnum == 40 || samr.opnum == 47 || "
              "lsarpc.opnum == 14 || lsarpc.opnum == 15 || lsarpc.opnum == 57 || "
              "lsarpc.opnum == 58 || lsarpc.opnum == 68 || lsarpc.opnum == 76 || "
              "wkssvc.opnum == 2) && " + REQ,
              "samr user enumeration/lookup, lsarpc name/SID lookup, NetrWkstaUserEnum"),
    "T1049": ("(srvsvc.opnum == 8 || srvsvc.opnum == 12) && " + REQ,
              "srvsvc NetrSessionEnum / NetrConnectionEnum request"),
    "T1046": ("(epm.opnum == 2 || mgmt.opnum == 0) && " + REQ,
              "epmapper ept_lookup or mgmt inq_if_ids request (or a port-445 sweep or a port "
              "scan, below)"),
    "T1003.006": ("drsuapi.opnum == 3 && " + REQ, "drsuapi DRSGetNCChanges request (DCSync)"),
    # Failed logons over SMB: session setups answered STATUS_LOGON_FAILURE,
    # WRONG_PASSWORD or ACCOUNT_LOCKED_OUT; over Kerberos: KRB-ERRORs
    # C_PRINCIPAL_UNKNOWN, CLIENT_REVOKED or PREAUTH_FAILED
    "T1110": ("(smb2.cmd == 1 && smb2.flags.response == 1 && smb2.nt_status in "
              "{0xc000006d, 0xc000006a, 0xc0000234}) || (smb.cmd == 0x73 && "
              "smb.flags.response == 1 && smb.nt_status in {0xc000006d, 0xc000006a, 0xc0000234})"
              " || (kerberos.msg_type == 30 && kerberos.error_code in {6, 18, 24})",
              "SMB session setup or Kerberos AS-REQ answered with a failed logon"),
    # The same over Kerberos, for the guessing and spraying scenarios, which
    # are labelled with the sub-technique xdphunt is to name
    "T1110.001": ("kerberos.msg_type == 30 && kerberos.error_code in {6, 18, 24}",
                  "Kerberos AS-REQ answered with a failed logon"),
    "T1110.003": ("kerberos.msg_type == 30 && kerberos.error_code in {6, 18, 24}",
                  "Kerberos AS-REQ answered with a failed logon"),
    # A TGT issued to the scenario, whose AS-REQs (GetNPUsers') carry no
    # pre-authentication
    "T1558.004": ("kerberos.msg_type == 11", "Kerberos AS-REP (a TGT) to an AS-REQ of the scenario"),
    # A service ticket to the scenario in RC4 or DES (its TGS-REP names the
    # etype; a FAST reply's and the enc-part's are AES here)
    "T1558.003": ("kerberos.msg_type == 13 && kerberos.etype in {1, 2, 3, 23, 24}",
                  "Kerberos TGS-REP with an RC4 or DES etype (a service ticket to crack)"),
    # Accounts made and changed over SAMR (samr opnums are in clear, sealed or not)
    "T1136": ("(samr.opnum == 12 || samr.opnum == 50) && " + REQ,
              "samr SamrCreateUserInDomain or SamrCreateUser2InDomain request"),
    "T1098": ("(samr.opnum == 37 || samr.opnum == 58) && " + REQ,
              "samr SamrSetInformationUser(2) request"),
    "T1098.007": ("(samr.opnum == 22 || samr.opnum == 31) && " + REQ,
                  "samr SamrAddMemberToGroup or SamrAddMemberToAlias request"),
    # MS17-010 (EternalBlue) tooling: its check, PeekNamedPipe on FID 0,
    # DoublePulsar's TRANSACTION2 SESSION_SETUP and EternalBlue's NT_TRANSACT
    # of function 0 announcing over 64 KiB of data; Zerologon's zero
    # credential in NetrServerAuthenticate2/3.
    "T1210": ("(smb.flags.response == 0 && ((smb_pipe.function == 0x0023 && smb.fid == 0) || "
              "smb.trans2.cmd == 0x000e || (smb.cmd == 0xa0 && smb.nt.function == 0 && "
              "smb.tdc > 65535))) || "
              "((netlogon.opnum == 15 || netlogon.opnum == 26) && "
              "netlogon.clientcred == 00:00:00:00:00:00:00:00 && dcerpc.cn_auth_len == 0 && " + REQ + ")",
              "SMB1 PeekNamedPipe on FID 0 (the MS17-010 check), TRANSACTION2 SESSION_SETUP "
              "(DoublePulsar), an NT_TRANSACT of function 0 over 64 KiB (EternalBlue), or a netlogon authentication with a zero credential (Zerologon)"),
    # The operations data/dcerpc.tsv maps to these two; no scenario is
    # labelled with them, but a tool that makes the call (lookupsid asks
    # for the domain's policy, secretsdump for the DCs) shows it on the
    # wire, and the hit is then an extra finding, not a false one.
    "T1018": ("(srvsvc.opnum == 21 || wkssvc.opnum == 0 || drsuapi.opnum == 16) && " + REQ,
              "srvsvc NetrServerGetInfo, wkssvc NetrWkstaGetInfo or drsuapi "
              "DRSDomainControllerInfo request"),
    "T1082": ("(lsarpc.opnum == 7 || lsarpc.opnum == 46) && " + REQ,
              "lsarpc LsarQueryInformationPolicy(2) request"),
    "T1071.001": ("(http.request || tls.handshake.type == 1 || "
                  "(tcp.flags.syn == 1 && tcp.flags.ack == 0 && "
                  "(tcp.dstport == 80 || tcp.dstport == 443))) && ({c2dst})",
                  "HTTP request, TLS ClientHello or web-port SYN to a C2 address"),
    "T1573": ("tls.handshake.type == 1 && (({c2dst}) || "
              "tls.handshake.extensions_server_name matches \"(?i)(^|\\\\.)evil\\\\.example$\")",
              "TLS ClientHello to a C2 address or naming a C2 domain"),
    "T1071.004": ("dns.flags.response == 0 && dns.qry.name matches \"(?i)(^|\\\\.)evil\\\\.example$\"",
                  "DNS query for a C2 domain"),
    "T1095": ("udp && !dns && ({c2dst})", "non-DNS UDP datagram to a C2 address"),
    # The ports registered for TLS from the first byte, as user/ioc_event.c
    # lists them; and SSH's identification line (RFC 4253: "SSH-" and its
    # version) or RDP's X.224 connection request (TPKT 03 00, the CR code
    # e0) at the start of a client's segment to a port not the protocol's
    # own, read in the raw payload, which tshark decodes as neither there.
    "T1571": ("(tls.handshake.type == 1 && ({c2dst}) && !(tcp.dstport in "
              "{443, 465, 563, 636, 853, 989..995, 3269, 5061, 5986, 6697, 8443})) || "
              "(tcp.payload matches \"^SSH-[0-9]\" && tcp.dstport != 22 && tcp.srcport != 22) || "
              "(tcp.payload[0:2] == 03:00 && tcp.payload[5] == e0 && tcp.dstport != 3389)",
              "TLS ClientHello to a C2 address on a port not registered for TLS, or an SSH or "
              "RDP opening on a port not its own"),
}
SWEEP_MIN = 16  # distinct SYN destinations on 445/139 from one source: a sweep
PORT_SCAN_MIN = 16  # distinct SYN ports of one destination from one source: a port scan
# remote-administration ports (user/loader.h): a sweep of one of them too
SERVICE_PORTS = {"22": "SSH", "135": "RPC", "3389": "RDP", "5900": "VNC", "5985": "WinRM",
                 "5986": "WinRM"}


def tshark_fields(pcap, flt, fields):
    cmd = ["tshark", "-r", pcap, "-n", "-Y", flt, "-T", "fields", "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError("tshark -Y '%s': %s" % (flt, p.stderr.strip()[-400:]))
    return [line.split("\t") for line in p.stdout.splitlines() if line.strip()]


def norm(a):
    try:
        return str(ipaddress.ip_address(a))
    except ValueError:
        return None


def owner_of(addrs, by_addr):
    for a in addrs:
        a = norm(a) if a else None
        if a in by_addr:
            return by_addr[a]
    return None


def wire_truth(pcap, scenarios, c2):
    """{scenario: {technique: packet count}} from tshark."""
    by_addr = {}
    for s in scenarios:
        for a in s["addrs"]:
            by_addr[norm(a)] = s["name"]
    c2dst = " || ".join(("ipv6.dst == %s" if ":" in a else "ip.dst == %s") % a for a in c2)
    found = {s["name"]: {} for s in scenarios}
    fields = ["ip.src", "ip.dst", "ipv6.src", "ipv6.dst"]
    # CREATE response frame (a WRITE's open_frame) -> the request's name.
    names, opened = {}, {}
    for frame, resp, stream, mid, name in tshark_fields(
            pcap, "smb2.cmd == 5", ["frame.number", "smb2.flags.response", "tcp.stream",
                                    "smb2.msg_id", "smb2.filename"]):
        if resp in ("0", "False"):
            names[(stream, mid)] = name
        elif (stream, mid) in names:
            opened[frame] = names[(stream, mid)]
    exe = re.compile(EXE.strip('"').replace("\\\\", "\\"))
    # Evidence that also needs the name of the file the request is on.
    by_name = {"T1036.008": lambda n: not exe.search(n),
               "T1059.003": lambda n: n.lstrip("\\").startswith("__")}
    for tid, (flt, _) in EVIDENCE.items():
        extra = ["dcerpc.nt.open_frame"] if tid in by_name else []
        for row in tshark_fields(pcap, flt.replace("{c2dst}", c2dst), fields + extra):
            if extra:
                name = opened.get(row[-1]) if len(row) > len(fields) else None
                if name is None or not by_name[tid](name):
                    continue
                row = row[:len(fields)]
            who = owner_of(row, by_addr)
            if who:
                found[who][tid] = found[who].get(tid, 0) + 1
    # T1046 by a sweep: distinct destinations of one source's client probes
    # (no ACK, no RST: SYNs, FIN, NULL and Xmas probes) to SMB.
    dests = {}
    for row in tshark_fields(pcap, "tcp.flags.ack == 0 && tcp.flags.reset == 0 && "
                             "(tcp.dstport == 445 || tcp.dstport == 139)", fields):
        src = norm(row[0] or row[2]) if (row[0] or row[2]) else None
        dst = norm(row[1] or row[3]) if (row[1] or row[3]) else None
        if src in by_addr:
            dests.setdefault(by_addr[src], set()).add(dst)
    sweeps = {}
    for who, d in dests.items():
        if len(d) >= SWEEP_MIN:
            found[who]["T1046"] = found[who].get("T1046", 0) + len(d)
            sweeps[who] = "SYNs to port 445 of %d distinct hosts" % len(d)
    # T1046 by a port scan: distinct ports of one destination of a source's
    # client probes of one protocol (TCP's, and UDP's empty datagrams); by a
    # sweep of a remote-administration port: distinct destinations of a
    # source's client probes to that port.
    ports, svc_dests = {}, {}
    for proto, flt in (("tcp", "tcp.flags.ack == 0 && tcp.flags.reset == 0"),
                       ("udp", "udp.length == 8")):
        for row in tshark_fields(pcap, flt + " && !icmp && !icmpv6",
                                 fields + [proto + ".dstport"]):
            src = norm(row[0] or row[2]) if (row[0] or row[2]) else None
            dst = norm(row[1] or row[3]) if (row[1] or row[3]) else None
            if src in by_addr and len(row) > 4:
                ports.setdefault((by_addr[src], dst, proto), set()).add(row[4])
                if proto == "tcp" and row[4] in SERVICE_PORTS:
                    svc_dests.setdefault((by_addr[src], row[4]), set()).add(dst)
    for (who, dst, proto), p in ports.items():
        if len(p) >= PORT_SCAN_MIN and who not in sweeps:
            found[who]["T1046"] = found[who].get("T1046", 0) + len(p)
            sweeps[who] = "%s to %d distinct %s ports of %s" % (
                "SYNs" if proto == "tcp" else "empty datagrams", len(p), proto.upper(), dst)
    for (who, port), d in svc_dests.items():
        if len(d) >= SWEEP_MIN and who not in sweeps:
            found[who]["T1046"] = found[who].get("T1046", 0) + len(d)
            sweeps[who] = "SYNs to port %s (%s) of %d distinct hosts" % (port, SERVICE_PORTS[port],
                                                                        len(d))
    # T1557.001 by a relay: one NTLMv2 response (NTProofStr) on two TCP
    # streams, the later one the relay's to its target
    seen = {}
    for row in tshark_fields(pcap, "ntlmssp.messagetype == 0x00000003 && "
                             "ntlmssp.ntlmv2_response.ntproofstr",
                             fields + ["tcp.stream", "ntlmssp.ntlmv2_response.ntproofstr"]):
        if len(row) < 6:
            continue
        first = seen.setdefault(row[5], row[4])
        who = owner_of(row[:4], by_addr)
        if first != row[4] and who:
            found[who]["T1557.001"] = found[who].get("T1557.001", 0) + 1
    return found, sweeps


def read_hits(path):
    hits = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                hits.append(json.loads(line))
            except ValueError as e:
                raise SystemExit("truth.py: %s:%d: not JSON: %s" % (path, n, e))
    return hits


def attribute(hits, scenarios):
    by_addr = {}
    for s in scenarios:
        for a in s["addrs"]:
            by_addr[norm(a)] = s["name"]
    out = {s["name"]: [] for s in scenarios}
    other = []
    for h in hits:
        who = owner_of([h.get("src_ip"), h.get("dest_ip")], by_addr)
        (out[who] if who else other).append(h)
    return out, other


def runs_doc(scenarios, found, sweeps, hits_by, other, run, mode):
    doc = {"run": dict(run, mode=mode), "scenarios": [],
           "unattributed_hits": len(other),
           "unattributed_rules": sorted({h.get("rule", "?") for h in other})}
    for s in scenarios:
        ev = found.get(s["name"], {})
        wire = {t: ev.get(t, 0) > 0 for t in s["techniques"]}
        wev = {}
        for t in s["techniques"]:
            if ev.get(t):
                what = EVIDENCE[t][1] if t in EVIDENCE else "?"
                if t == "T1046" and s["name"] in sweeps:
                    what = sweeps[s["name"]]
                wev[t] = "%d packets: %s" % (ev[t], what)
        doc["scenarios"].append({
            "name": s["name"], "description": s["description"], "benign": s["benign"],
            "techniques": s["techniques"], "wire": wire, "wire_evidence": wev,
            "note": s.get("note", ""), "hits": hits_by.get(s["name"], []),
            "seen_on_wire": sorted(t for t, n in ev.items() if n),
            "tools": s.get("tools", []),
        })
    return doc


def read_stats(path, prefix=None):
    """Counters of the instance in `xdphunt stats --json` output."""
    with open(path) as f:
        objs = [json.loads(line) for line in f if line.strip()]
    if not objs:
        raise SystemExit("truth.py: %s: no xdphunt instance" % path)
    return objs[0]["counters"]


def load_row(a):
    with open(a.baseline) as f:
        base = json.load(f)
    scen = [json.loads(line) for line in open(a.manifest) if line.strip()]
    hits_by, _ = attribute(read_hits(a.live), scen)
    expected = detected = 0
    missed = []
    for bs in base["scenarios"]:
        if bs["benign"] or bs["name"] not in hits_by:
            continue
        res = score.score_scenario(dict(bs, hits=hits_by[bs["name"]]))
        expected += len(res["expected"])
        detected += len(res["detected"])
        missed += ["%s %s" % (bs["name"], t) for t in res["missed"]]
    c0, c1 = read_stats(a.stats0), read_stats(a.stats)
    dur = max(a.t1 - a.t0, 1e-3)
    row = {
        "offered_pps": a.load_row,
        "received_pps": round((c1["packets"] - c0["packets"]) / dur),
        "duration_s": round(dur, 1),
        "expected": expected, "detected": detected,
        "recall": round(detected / expected, 4) if expected else None,
        "events": sum(len(v) for v in hits_by.values()),
        "events_lost": c1.get("events_lost", 0),
        "events_lost_during_scenarios": c1.get("events_lost", 0) - c0.get("events_lost", 0),
        "missed": missed,
    }
    if a.tcpreplay and os.path.exists(a.tcpreplay):
        txt = open(a.tcpreplay).read()
        m = re.search(r"Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps", txt)
        if m:
            row["tcpreplay_pps"] = round(float(m.group(1)))
    notes = []
    if missed:
        notes.append("missed: " + ", ".join(missed[:6]) + (" ..." if len(missed) > 6 else ""))
    if row["events_lost"]:
        notes.append("%d events lost (ring buffer full)" % row["events_lost"])
    row["note"] = "; ".join(notes)
    print(json.dumps(row))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--pcap")
    ap.add_argument("--c2", default="")
    ap.add_argument("--run", default="{}")
    ap.add_argument("--live", required=True)
    ap.add_argument("--replay")
    ap.add_argument("--stats")
    ap.add_argument("--out-live")
    ap.add_argument("--out-replay")
    ap.add_argument("--load-row")
    ap.add_argument("--t0", type=float)
    ap.add_argument("--t1", type=float)
    ap.add_argument("--stats0")
    ap.add_argument("--baseline")
    ap.add_argument("--tcpreplay")
    a = ap.parse_args()
    if a.load_row:
        load_row(a)
        return 0
    scen = [json.loads(line) for line in open(a.manifest) if line.strip()]
    found, sweeps = wire_truth(a.pcap, scen, [x for x in a.c2.split(",") if x])
    run = json.loads(a.run)
    if a.stats:
        c = read_stats(a.stats)
        run["live_counters"] = {k: c.get(k) for k in ("packets", "events_lost")}
    for mode, path, out in (("live", a.live, a.out_live), ("replay", a.replay, a.out_replay)):
        if not path or not out:
            continue
        hits_by, other = attribute(read_hits(path), scen)
        with open(out, "w") as f:
            json.dump(runs_doc(scen, found, sweeps, hits_by, other, run, mode), f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
