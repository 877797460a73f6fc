#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# check_smb.py PCAP LIVE.jsonl REPLAY.jsonl CLIENT_IPS SERVER_IPS: tshark is
# the oracle for selftests/e2e/test_smb_lab.sh. From tshark's decode of the
# capture it derives the SMB findings xdphunt must report, per flow:
#   smb.admin_share / smb.ipc_share  every tree-connect request path whose last
#                                    component is ADMIN$, X$ or IPC$
#   smb.named_pipe                   every CREATE / NT_CREATE_ANDX name on an
#                                    IPC$ tree
#   smb.tool_transfer                every such name on a disk tree (admin or
#                                    not) whose file or NTFS stream name has
#                                    an executable extension
#                                    (selftests/lib/smb_names.py), opened with
#                                    write access, or opened without it and
#                                    then written (a WRITE to its FileId);
#                                    smb.attack holds T1564.004 exactly when
#                                    the executable is in a stream; and, by
#                                    content, every SMB2 WRITE at file offset 0
#                                    whose data tshark shows are a PE image
#                                    ("MZ", "PE\0\0" at e_lfanew) under any
#                                    other name, with mime_type and T1036.008
#   smb.admin_read                   every file READ (SMB2 READ, SMB1
#                                    READ_ANDX) on an admin tree, by the name
#                                    of its open (none if tshark has none)
#                                    (smb.attack as the built-in `file` rules
#                                    give it: [T1039, T1059.003] for "__*",
#                                    Impacket's shell output, which the lab
#                                    reads back)
#   smb.admin_listing                per tree of an admin share, the directory
#                                    of its first QUERY_DIRECTORY (SMB1: the
#                                    search pattern of its first TRANS2
#                                    FIND_FIRST2)
#   smb.v1                           every flow with an SMB1 message other
#                                    than the client's NEGOTIATE
#   smb.encrypted                    every flow with an SMB3 transform header
#   smb.exploit                      every flow with an SMB1 TRANSACTION
#                                    PeekNamedPipe request on FID 0
#                                    ("ms17_010_check") or a TRANSACTION2
#                                    SESSION_SETUP request ("doublepulsar"),
#                                    and with an answer to that check
#                                    STATUS_INSUFF_SERVER_RESOURCES
#                                    ("ms17_010_vulnerable") or a TRANSACTION2
#                                    answer whose MID is the ping's plus 16
#                                    ("doublepulsar_implant"), or with a
#                                    TRANSACTION2_SECONDARY request of an
#                                    open NT_TRANSACT's MID ("eternalblue")
# and checks that the live hits and the replay hits hold exactly these (names
# compared case-insensitively: one hit per normalised name and flow), and
# that every dcerpc.bind over a named pipe names the pipe tshark saw opened
# (selftests/e2e/smb_pipes.py). Stdlib only. Prints PASS:/FAIL: lines; exits 1 on any FAIL.
import ipaddress
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from smb_pipes import admin_file_findings, bind_hits, compare_pipes, pipe_view  # noqa: E402
from smb_names import admin_read_attack, exec_name  # noqa: E402
from hit_windows import window_hits  # noqa: E402

WRITE = 0x2 | 0x4 | 0x10000000 | 0x40000000
DEEP = {"smb.admin_share", "smb.ipc_share", "smb.named_pipe", "smb.tool_transfer", "smb.v1",
        "smb.encrypted", "smb.admin_read", "smb.admin_listing", "smb.exploit", "smb.brute_force"}
# smb.brute_force: failed logons per client (bpf/sweep.bpf.h's defaults)
BRUTE_THRESHOLD, BRUTE_WINDOW_S = 10, 60
LOGON_FAILURES = "0xc000006d, 0xc000006a, 0xc0000234"
NAME_KEY = {"smb.admin_share": "share", "smb.ipc_share": "share", "smb.named_pipe": "pipe",
            "smb.tool_transfer": "filename", "smb.admin_read": "filename",
            "smb.admin_listing": "directory", "smb.exploit": "exploit"}
# MS17-010 tooling's SMB1 requests, as tshark decodes them
EXPLOITS = (("ms17_010_check", "smb_pipe.function == 0x0023 && smb.fid == 0"),
            ("doublepulsar", "smb.trans2.cmd == 0x000e"))
fails = 0


def result(ok, name, why=""):
    global fails
    print(f"PASS: {name}" if ok else f"FAIL: {name}: {why}")
    fails += 0 if ok else 1


def kind(path):
    last = (path or "").rstrip("\\").split("\\")[-1].upper()
    if last == "IPC$":
        return "ipc"
    if last == "ADMIN$" or (len(last) == 2 and last[1] == "$" and last[0].isalpha()):
        return "admin"
    return "disk"


def as_list(v):
    return v if isinstance(v, list) else ([v] if v is not None else [])


def first(d, *keys):
    for k in keys:
        if isinstance(d, dict) and k in d:
            v = d[k]
            return v[0] if isinstance(v, list) else v
    return None


def oracle(pcap, servers):
    p = subprocess.run(["tshark", "-r", pcap, "-Y", "smb || smb2", "-T", "json",
                        "--no-duplicate-keys"], capture_output=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError("tshark: " + p.stderr.decode(errors="replace")[-300:])
    want, stats = set(), {"tree": 0, "create": 0, "smb1_flows": set(), "enc_flows": set()}
    smb1_trees = {}
    for pkt in json.loads(p.stdout or b"[]"):
        L = pkt["_source"]["layers"]
        ip = first(L, "ip", "ipv6")
        src = first(ip, "ip.src", "ipv6.src")
        dst = first(ip, "ip.dst", "ipv6.dst")
        sp, dp = int(first(L["tcp"], "tcp.srcport")), int(first(L["tcp"], "tcp.dstport"))
        src, dst = str(ipaddress.ip_address(src)), str(ipaddress.ip_address(dst))
        flow = (src, sp, dst, dp) if dst in servers else (dst, dp, src, sp)
        for m in as_list(L.get("smb2")):
            if "SMB2 Transform Header" in m:
                want.add(("smb.encrypted", flow, None))
                stats["enc_flows"].add(flow)
                continue
            h = m.get("SMB2 Header")
            if not h or h.get("smb2.flags_tree", {}).get("smb2.flags.response") == "1":
                continue
            tree = h.get("smb2.tid_tree", {}).get("smb2.tree")
            for k, body in m.items():
                if k.startswith("Tree Connect Request"):
                    path = body.get("smb2.tree")
                    stats["tree"] += 1
                    if kind(path) in ("admin", "ipc"):
                        want.add(("smb.admin_share" if kind(path) == "admin" else "smb.ipc_share",
                                  flow, path.lower()))
                elif k.startswith("Create Request"):
                    stats["create"] += 1
                    add_create(want, flow, tree, body.get("smb2.filename"),
                               int(body.get("smb.access_mask", "0"), 16))
        for m in as_list(L.get("smb")):
            h = m.get("SMB Header")
            if not h:
                continue
            cmd = int(h["smb.cmd"], 16)
            resp = h.get("smb.flags_tree", {}).get("smb.flags.response") == "1"
            if not (cmd == 0x72 and not resp):
                want.add(("smb.v1", flow, None))
                stats["smb1_flows"].add(flow)
            tid = (flow, h.get("smb.uid"), h.get("smb.tid"))
            if resp:
                path = h.get("smb.tid_tree", {}).get("smb.path")
                if path:
                    smb1_trees[tid] = path
                continue
            for k, body in m.items():
                if k.startswith("Tree Connect AndX Request"):
                    path = body.get("smb.path")
                    stats["tree"] += 1
                    if kind(path) in ("admin", "ipc"):
                        want.add(("smb.admin_share" if kind(path) == "admin" else "smb.ipc_share",
                                  flow, path.lower()))
                elif k.startswith("NT Create AndX Request"):
                    stats["create"] += 1
                    tree = h.get("smb.tid_tree", {}).get("smb.path") or smb1_trees.get(tid)
                    add_create(want, flow, tree, body.get("smb.file"),
                               int(body.get("smb.access_mask", "0"), 16))
    ops = []
    pipe_binds, writes = pipe_view(pcap, servers, ops=ops)
    for flow, _, name, tree, access in writes:
        if name and kind(tree) != "ipc" and not access & WRITE and exec_name(name)[0]:
            want.add(("smb.tool_transfer", flow, name.lower()))
    admin, stats["listings"] = admin_file_findings(ops, kind)
    want |= admin
    pe = pe_writes(pcap)
    stats["pe"] = set()
    for flow, frame, op, name, tree, _ in ops:
        if op == "write" and frame in pe and kind(tree) != "ipc" and \
                not (name and exec_name(name)[0]):
            n = name.lower() if name is not None else None
            want.add(("smb.tool_transfer", flow, n))
            stats["pe"].add((flow, n))
    for op in ("read", "find"):
        stats[op] = sum(1 for o in ops if o[2] == op and kind(o[4]) == "admin")
    stats["pipe_binds"] = pipe_binds
    stats["exploit"] = exploit_requests(pcap)
    want |= stats["exploit"]
    stats["brute"] = brute_force_hits(pcap)
    want |= stats["brute"]
    return want, stats


def smb_rows(pcap, flt, fields, extra=(), first=True):
    """((src, sport, dst, dport), [values of @fields]) of each TCP frame
    tshark's filter @flt selects (frames without TCP ports are no flow and
    are left out); @first: the first occurrence of each field only."""
    p = subprocess.run(["tshark", "-r", pcap, *extra, "-Y", flt, "-T", "fields",
                        *(["-E", "occurrence=f"] if first else []),
                        "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport",
                        "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport",
                        *[x for f in fields for x in ("-e", f)]],
                       capture_output=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError("tshark: " + p.stderr.decode(errors="replace")[-300:])
    for line in p.stdout.decode().splitlines():
        s4, s6, sp, d4, d6, dp, *values = line.split("\t")
        if not (sp and dp):
            continue
        yield ((str(ipaddress.ip_address(s4 or s6)), int(sp),
                str(ipaddress.ip_address(d4 or d6)), int(dp)), values)


def smb1_messages(pcap, flt, extra=()):
    """(src, sport, dst, dport, mid) of the SMB1 messages tshark's filter
    @flt selects."""
    return [(*flow, int(mid)) for flow, (mid,) in smb_rows(pcap, flt, ["smb.mid"], extra)]


def exploit_requests(pcap, extra=()):
    """(smb.exploit, flow, kind) of every SMB1 request of MS17-010 tooling
    (a request: its source is the client; EternalBlue's secondaries below),
    of every answer STATUS_INSUFF_SERVER_RESOURCES to the check's MID on its
    flow (an unpatched server), and of the implant's answer to the ping.
    @extra: tshark options."""
    out, checks, pings = set(), set(), set()
    for kind_, flt in EXPLOITS:
        for s, sp, d, dp, mid in smb1_messages(pcap, "smb.flags.response == 0 && " + flt, extra):
            out.add(("smb.exploit", (s, sp, d, dp), kind_))
            (checks if kind_ == "ms17_010_check" else pings).add((s, sp, d, dp, mid))
    for s, sp, d, dp, mid in smb1_messages(
            pcap, "smb.flags.response == 1 && smb.cmd == 0x25 && smb.nt_status == 0xc0000205", extra):
        if (d, dp, s, sp, mid) in checks:
            out.add(("smb.exploit", (d, dp, s, sp), "ms17_010_vulnerable"))
    out |= eternalblue_secondaries(pcap, extra)
    # DoublePulsar answers its ping with the MID plus 16 (65 -> 81)
    for s, sp, d, dp, mid in smb1_messages(pcap, "smb.flags.response == 1 && smb.cmd == 0x32",
                                           extra):
        if (d, dp, s, sp, (mid - 16) & 0xffff) in pings:
            out.add(("smb.exploit", (d, dp, s, sp), "doublepulsar_implant"))
    return out


def eternalblue_secondaries(pcap, extra=()):
    """(smb.exploit, flow, "eternalblue") of every flow where a
    TRANSACTION2_SECONDARY request continues an NT_TRANSACT (same MID)
    whose counts were short of their totals, with no other request of that
    MID between them (it would have ended the transaction)."""
    out, nt_open = set(), {}
    for flow, (cmd, mid, tpc, pc, tdc, dc) in smb_rows(
            pcap, "tcp && smb.flags.response == 0",
            ["smb.cmd", "smb.mid", "smb.tpc", "smb.pc", "smb.tdc", "smb.dc"], extra):
        if not (cmd and mid):
            continue  # an SMB1 message tshark could not read whole
        cmd, mid = int(cmd, 16), int(mid)
        if nt_open.get(flow) == mid and cmd not in (0xa1, 0x33):
            del nt_open[flow]
        if cmd == 0xa0 and (int(pc or 0) < int(tpc or 0) or int(dc or 0) < int(tdc or 0)):
            nt_open[flow] = mid
        elif cmd == 0x33 and nt_open.get(flow) == mid:
            out.add(("smb.exploit", flow, "eternalblue"))
    return out


def brute_force_windows(pcap, extra=(), threshold=BRUTE_THRESHOLD, window_s=BRUTE_WINDOW_S):
    """(time, flow, count) of every session-setup answer with a failed logon
    that brings its client's count to @threshold within a window of
    @window_s seconds from the first failure counted (a failure after the
    window opens the next one), as the kernel counts them (bpf/sweep.bpf.h);
    the flow is that answer's, client first; the count is the client's
    failures then (an answer may hold more than one)."""
    flt = ("tcp && ((smb.cmd == 0x73 && smb.flags.response == 1 && smb.nt_status in {%s}) || "
           "(smb2.cmd == 1 && smb2.flags.response == 1 && smb2.nt_status in {%s}))"
           % (LOGON_FAILURES, LOGON_FAILURES))
    events = []
    for (server, sport, client, cport), (t, c2) in smb_rows(
            pcap, flt, ["frame.time_epoch", "smb2.cmd"], extra, first=False):
        # one count per session-setup answer in the frame (SMB2 compounds,
        # SMB1 AndX chains answer one session setup)
        n = max(1, c2.split(",").count("1")) if c2 else 1
        events.append((float(t), client, None, n, (client, cport, server, sport)))
    return window_hits(events, threshold, window_s)


def brute_force_hits(pcap, extra=()):
    """(smb.brute_force, flow, None) of each hit brute_force_windows() finds
    at the default threshold and window."""
    return {("smb.brute_force", flow, None) for _, flow, _ in brute_force_windows(pcap, extra)}


def is_pe(data):
    """Do the bytes @data begin a PE image (as bpf/smb.bpf.h judges it)?"""
    if len(data) < 64 or data[:2] != b"MZ":
        return False
    lfa = int.from_bytes(data[0x3c:0x40], "little")
    return 64 <= lfa <= 4096 and data[lfa:lfa + 4] == b"PE\0\0"


def pe_writes(pcap):
    """Frames of SMB2 WRITE requests at file offset 0 whose data are a PE
    image."""
    p = subprocess.run(["tshark", "-r", pcap, "-Y",
                        "smb2.cmd == 9 && smb2.flags.response == 0 && smb2.file_offset == 0",
                        # the file data, which tshark shows as undissected data
                        "-T", "fields", "-E", "occurrence=f", "-e", "frame.number",
                        "-e", "data.data"], capture_output=True, timeout=300)
    out = set()
    for line in p.stdout.decode().splitlines():
        frame, _, data = line.partition("\t")
        try:
            if is_pe(bytes.fromhex(data.replace(":", ""))):
                out.add(int(frame))
        except ValueError:
            continue
    return out


def hit_lines(path, rule=None):
    """The hits of the JSON-lines file @path (of @rule, if given); lines
    that are not JSON are skipped (hits() reports them)."""
    for line in open(path):
        try:
            h = json.loads(line)
        except ValueError:
            continue
        if rule is None or h.get("rule") == rule:
            yield h


def hit_flow(h):
    return (str(ipaddress.ip_address(h["src_ip"])), h["src_port"],
            str(ipaddress.ip_address(h["dest_ip"])), h["dest_port"])


def content_hits(path):
    """smb.tool_transfer hits found by content: (flow, name or None) with
    mime_type, and those whose ATT&CK is not T1570 then T1036.008 (named) or
    T1570 alone (unnamed)."""
    got, wrong = set(), []
    for h in hit_lines(path, "smb.tool_transfer"):
        s = h.get("smb", {})
        if "mime_type" not in s:
            continue
        name = s.get("filename")
        got.add((hit_flow(h), name.lower() if name is not None else None))
        ids = [a.get("technique_id") for a in s.get("attack", [])]
        if s["mime_type"] != "application/x-dosexec" or \
                ids != (["T1570", "T1036.008"] if name is not None else []):
            wrong.append(f"{name}: {s['mime_type']} {ids}")
    return got, wrong


def add_create(want, flow, tree, name, access):
    if not name:
        return
    k = kind(tree) if tree else None
    if k == "ipc":
        want.add(("smb.named_pipe", flow, name.lower()))
    elif k in ("admin", "disk") and access & WRITE and exec_name(name)[0]:
        want.add(("smb.tool_transfer", flow, name.lower()))


def stream_techniques(path):
    """smb.tool_transfer hits of @path: (names whose executable is in an
    NTFS stream, hits whose ATT&CK does not say so: T1570 as the hit's
    technique, and smb.attack [T1570, T1564.004] exactly for those names)."""
    streams, wrong = set(), []
    for h in hit_lines(path, "smb.tool_transfer"):
        if "mime_type" in h.get("smb", {}):
            continue  # by content: content_hits()
        name = h.get("smb", {}).get("filename")
        ids = [a.get("technique_id") for a in h.get("smb", {}).get("attack", [])]
        in_stream = exec_name(name)[1]
        if in_stream:
            streams.add(name.lower())
        if h.get("attack", {}).get("technique_id") != "T1570" or \
                ids != (["T1570", "T1564.004"] if in_stream else []):
            wrong.append(f"{name}: {h.get('attack', {}).get('technique_id')} {ids}")
    return streams, wrong


def hits(path):
    got, bad = set(), []
    for n, line in enumerate(open(path), 1):
        try:
            h = json.loads(line)
        except ValueError:
            bad.append(n)
            continue
        r = h.get("rule")
        if r not in DEEP:
            continue
        name = h.get("smb", {}).get(NAME_KEY[r]) if r in NAME_KEY else None
        got.add((r, hit_flow(h), name.lower() if name is not None else None))
    return got, bad


def read_techniques(path):
    """smb.admin_read hits of @path: (names read, those whose smb.attack is
    not what the built-in `file` rules give: smb_names.admin_read_attack())."""
    names, wrong = set(), []
    for h in hit_lines(path, "smb.admin_read"):
        name = h.get("smb", {}).get("filename")
        ids = [a.get("technique_id") for a in h.get("smb", {}).get("attack", [])]
        names.add(name)
        if ids != admin_read_attack(name):
            wrong.append(f"{name}: {ids}")
    return names, wrong


def listing_counts(path):
    """smb.admin_listing hits per flow: one per admin tree listed."""
    out = {}
    for h in hit_lines(path, "smb.admin_listing"):
        out[hit_flow(h)] = out.get(hit_flow(h), 0) + 1
    return out


def fmt(s):
    return "; ".join(f"{r} {f[0]}:{f[1]}->{f[2]}:{f[3]} {n or ''}" for r, f, n in sorted(s, key=str)[:6]) \
        + (f" (+{len(s) - 6})" if len(s) > 6 else "")


def main():
    # the NTLM oracle reads flows through this module's smb_rows()
    from check_ntlm import compare as ntlm_compare, hit_time, logon_hits, logon_times, \
        ntlm_logons, want_accounts
    pcap, live, replay = sys.argv[1:4]
    servers = {str(ipaddress.ip_address(a)) for a in sys.argv[5].split(",")}
    user = sys.argv[6]  # the lab's account, which the wrong-password guesses try
    want, st = oracle(pcap, servers)
    rules = {}
    for r, _, _ in want:
        rules[r] = rules.get(r, 0) + 1
    print(f"# tshark: {st['tree']} tree connects, {st['create']} creates, "
          f"{st['read']} reads and {st['find']} listings on admin trees, "
          f"{len(st['smb1_flows'])} SMB1 flows, {len(st['enc_flows'])} encrypted flows, "
          f"{len(st['exploit'])} MS17-010 tool requests; "
          f"expected findings by rule: {dict(sorted(rules.items()))}")
    for r in DEEP:
        result(rules.get(r, 0) > 0, f"oracle_has_{r.replace('.', '_')}",
               "the lab traffic produced no such finding in tshark's view")
    # every request kind of MS17-010 tooling the lab sends (nmap's two,
    # scripts/coverage/eternalblue_try.py's), as tshark decodes it
    for k in ("ms17_010_check", "doublepulsar", "eternalblue"):
        result(any(n == k for _, _, n in st["exploit"]), f"oracle_has_exploit_{k}",
               "the lab traffic held no such request in tshark's view")
    result(st["brute"], "oracle_has_brute_force",
           "no client's failed logons reached the threshold in tshark's view")
    want_streams = {n for r, _, n in want if r == "smb.tool_transfer" and n and exec_name(n)[1]}
    result(st["pe"], "oracle_has_pe_content",
           "no WRITE of a PE image under a harmless name in tshark's view")
    result(want_streams, "oracle_has_stream_executable",
           "no CREATE of an executable in an NTFS stream on an admin tree in tshark's view")
    logons = ntlm_logons(pcap)
    lt = logon_times(pcap)
    guesses = [k for k in logons if k[5] == user]
    result(len(guesses) >= 12, "oracle_has_ntlm_logons",
           f"tshark read {len(logons)} NTLM logons, {len(guesses)} of user {user}")
    for what, path in (("live", live), ("replay", replay)):
        got, bad = hits(path)
        result(not bad, f"{what}_hits_json", f"lines {bad[:5]} are not JSON")
        missing, extra = want - got, got - want
        result(not missing, f"{what}_smb_all_reported", f"{len(missing)} missing: {fmt(missing)}")
        result(not extra, f"{what}_smb_nothing_else", f"{len(extra)} extra: {fmt(extra)}")
        right, wrong, unk_known, _, ex_known, ex_wrong = compare_pipes(st["pipe_binds"],
                                                                       bind_hits(path))
        result(not wrong and not unk_known and right > 0, f"{what}_dcerpc_pipe_names",
               f"{right} right, {wrong} wrong {ex_wrong[:3]}, {unk_known} 'smb' where tshark "
               f"knows the pipe {ex_known[:3]}")
        streams, wrong = stream_techniques(path)
        result(streams == want_streams and not wrong, f"{what}_stream_executable_t1564_004",
               f"stream hits {sorted(streams)}, tshark {sorted(want_streams)}; "
               f"wrong ATT&CK: {wrong[:3]}")
        names, wrong = read_techniques(path)
        result(any(admin_read_attack(n)[1:] == ["T1059.003"] for n in names) and not wrong,
               f"{what}_shell_output_t1059_003", f"reads {sorted(map(str, names))}; wrong: {wrong[:3]}")
        got_pe, wrong = content_hits(path)
        result(got_pe == st["pe"] and not wrong, f"{what}_pe_content_t1036_008",
               f"hits {sorted(got_pe, key=str)}, tshark {sorted(st['pe'], key=str)}; "
               f"wrong: {wrong[:3]}")
        lc = listing_counts(path)
        result(lc == st["listings"], f"{what}_one_listing_per_admin_tree",
               f"hits per flow {sorted(lc.items())}, tshark's admin trees listed "
               f"{sorted(st['listings'].items())}")
        enc = {f for r, f, _ in want if r == "smb.encrypted"}
        named = {(r, f, n) for r, f, n in got if f in enc and n}
        result(not named, f"{what}_encrypted_flows_nameless", fmt(named))
        # smb.logon: every NTLM logon tshark reads, and the later hits of
        # its flow name the account (check_ntlm.py)
        with open(path, errors="replace") as fh:
            lgot, lhits, _ = logon_hits(fh.read().splitlines())
        problems, c = ntlm_compare(logons, lgot, lhits)
        result(not problems, f"{what}_ntlm_logons",
               f"{'; '.join(problems[:4])} ({c['said']} of {c['want']} said)")
        brute = [h for h in lhits if h.get("rule") == "smb.brute_force"]
        result(brute and all(h.get("ntlmssp", {}).get("user") == user for h in brute),
               f"{what}_brute_force_names_the_account",
               f"brute-force hits {[h.get('ntlmssp') for h in brute]}, the guesses' user {user}")
        # the accounts its client tried and what they make of it, as
        # tshark's logons of that client say (guessing: one account)
        got_t = [(h["brute_force"].get("accounts", 0), h["attack"]["technique_id"]) for h in brute]
        want_t = [want_accounts(lt, h["src_ip"], hit_time(h), h["brute_force"]["window_s"],
                                h["brute_force"]["failed_logons"]) for h in brute]
        result(got_t == want_t and ("T1110.001" in {t for _, t in got_t}),
               f"{what}_brute_force_guessing", f"got {got_t}, tshark's logons say {want_t}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
