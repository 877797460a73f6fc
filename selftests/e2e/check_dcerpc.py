#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# check_dcerpc.py TABLE CAPTURE LIVE.json REPLAY.json: compare xdphunt's
# dcerpc.* hits with tshark's view of the capture. tshark is the oracle:
#  - every bind/alter_context context (client, server, ports, UUID) whose UUID
#    is in TABLE must be a dcerpc.bind hit, live and in replay;
#  - every REQUEST whose interface (tshark's protocol column) and opnum are in
#    TABLE must be a dcerpc.call hit of that interface and opnum;
#  - no hit may carry a UUID outside TABLE;
#  - every dcerpc.bind over an SMB named pipe carries the pipe's name as its
#    transport (tshark: smb2.filename / smb.file of the CREATE whose response
#    gave the FileId of the bind's WRITE/IOCTL), "smb" only where tshark does
#    not know the pipe either;
#  - every flow record of a dynamic endpoint holds tshark's packets and bytes
#    each way: the whole conversation when it starts with a SYN to an
#    endpoint that an earlier ept_map answer named for a listed interface
#    (no "counted"), else from its first frame that binds a listed interface
#    ("counted":"from_bind"); and there is one for every conversation off
#    135/139/445 with such a bind or such a SYN;
#  - the tools must have produced what they are run for (the DRSGetNCChanges
#    of secretsdump, the ISystemActivator bind of wmiexec/dcomexec, svcctl
#    RCreateServiceW of psexec, samr binds), or the test proves nothing.
# Prints PASS:/FAIL: lines; exits 1 on any FAIL.
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smb_pipes import bind_hits, compare_pipes, pipe_view  # noqa: E402

TSHARK_PROTO = {
    "RPC_NETLOGON": "netlogon", "SVCCTL": "svcctl", "EPM": "epmapper", "SAMR": "samr",
    "IRemUnknown2": "IRemUnknown2", "WINREG": "winreg", "DRSUAPI": "drsuapi",
    "IDispatch": "IDispatch", "LSARPC": "lsarpc", "ISystemActivator": "ISystemActivator",
    "SRVSVC": "srvsvc", "IOXIDResolver": "IObjectExporter", "WKSSVC": "wkssvc",
    "IRemUnknown": "IRemUnknown", "SPOOLSS": "spoolss", "DSSETUP": "dssetup",
    "TaskSchedulerService": "ITaskSchedulerService", "ATSVC": "atsvc", "MGMT": "mgmt",
}


def load_table(path):
    ifs, ops, byname = {}, set(), {}
    for line in open(path):
        f = line.split("#")[0].split()
        if not f:
            continue
        if f[0] == "iface":
            ifs[f[1].lower()] = f[3]
            byname[f[3]] = f[3]
            byname[f[1].lower()] = f[3]
        elif f[0] == "op":
            ops.add((byname[f[1]], int(f[2])))
    return ifs, ops


def tshark(cap, flt, fields):
    cmd = ["tshark", "-r", cap, "-Y", flt, "-T", "fields", "-E", "occurrence=a",
           "-E", "aggregator=,"]
    for f in fields:
        cmd += ["-e", f]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    return [ln.split("\t") for ln in r.stdout.splitlines()]


def hits(path):
    out = []
    for ln in open(path):
        if ln.strip():
            h = json.loads(ln)
            # binds and calls: dcerpc.logon names an account, no interface
            # (check_ntlm.py)
            if h.get("rule") in ("dcerpc.bind", "dcerpc.call"):
                out.append(h)
    return out


SERVICE_PORTS = {135, 139, 445}


def epm_endpoints(cap, ifs):
    """The endpoints ept_map answers named for a listed interface (the first
    tower of each, as xdphunt reads it): {(address, port): answer's frame}."""
    eps = {}
    for f in tshark(cap, "epm.opnum == 3 && dcerpc.pkt_type == 2",
                    ["frame.number", "ip.src", "epm.proto.ip", "epm.proto.tcp_port", "epm.uuid"]):
        if len(f) < 5 or not f[3] or not f[4] or f[4].split(",")[0].lower() not in ifs:
            continue
        ip = f[2].split(",")[0]
        if not ip or ip == "0.0.0.0":
            ip = f[1]  # the tower leaves it to the answering server
        eps.setdefault((ip, int(f[3].split(",")[0])), int(f[0]))
    return eps


def dynamic_view(cap, ifs):
    """tshark's count of each TCP conversation off the service ports that
    xdphunt keeps a record of: {(client, server): (counted, packets to the
    server, to the client, bytes to the server, to the client)}. counted is
    None for a conversation whose SYN goes to an endpoint an earlier ept_map
    answer named (counted whole), "from_bind" for one counted from its first
    frame binding a listed interface."""
    start = {}
    for f in tshark(cap, "dcerpc.pkt_type == 11 || dcerpc.pkt_type == 14",
                    ["frame.number", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport",
                     "dcerpc.cn_bind_to_uuid"]):
        if len(f) < 6 or not any(u.lower() in ifs for u in f[5].split(",") if u):
            continue
        cli, srv = (f[1], int(f[2])), (f[3], int(f[4]))
        if srv[1] not in SERVICE_PORTS and (cli, srv) not in start:
            start[(cli, srv)] = ("from_bind", int(f[0]))
    eps = epm_endpoints(cap, ifs)
    for f in tshark(cap, "tcp.flags.syn == 1 && tcp.flags.ack == 0",
                    ["frame.number", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport"]):
        if len(f) < 5 or not f[1]:
            continue
        cli, srv = (f[1], int(f[2])), (f[3], int(f[4]))
        # The first SYN after the answer; it comes before any bind.
        if srv[1] not in SERVICE_PORTS and eps.get(srv, 1 << 62) < int(f[0]) and \
                start.get((cli, srv), ("", 0))[0] is not None:
            start[(cli, srv)] = (None, int(f[0]))
    want = {k: [0, 0, 0, 0] for k in start}
    for f in tshark(cap, "tcp", ["frame.number", "ip.src", "tcp.srcport", "ip.dst",
                                 "tcp.dstport", "frame.len"]):
        if len(f) < 6 or not f[1]:
            continue
        a, b = (f[1], int(f[2])), (f[3], int(f[4]))
        for k, d in (((a, b), 0), ((b, a), 1)):
            if k in start and int(f[0]) >= start[k][1]:
                want[k][d] += 1
                want[k][2 + d] += int(f[5])
    return {k: (start[k][0],) + tuple(v) for k, v in want.items()}


def check_dynamic(label, path, want):
    """The flow records of dynamic endpoints in @path against dynamic_view().
    Returns the fails."""
    got = {}
    for ln in open(path):
        r = json.loads(ln) if ln.strip() else {}
        if r.get("event_type") == "flow" and r.get("app_proto") == "dcerpc" and \
                r["dest_port"] not in SERVICE_PORTS:
            f = r["flow"]
            got[((r["src_ip"], r["src_port"]), (r["dest_ip"], r["dest_port"]))] = (
                f.get("counted"), f["pkts_toserver"], f["pkts_toclient"], f["bytes_toserver"],
                f["bytes_toclient"])
    wrong = ["%s -> %s: %s, tshark %s" % (k[0], k[1], got.get(k), v)
             for k, v in sorted(want.items()) if got.get(k) != v]
    extra = sorted(set(got) - set(want))
    whole = sum(1 for v in want.values() if v[0] is None)
    if wrong or extra or not want:
        print("FAIL: dcerpc_dc_%s_flow_records: %d of %d dynamic endpoint conversations as "
              "tshark counts them (whole after an ept_map answer, else from their bind); wrong "
              "%s; records tshark has neither for %s"
              % (label, len(want) - len(wrong), len(want), wrong[:3], extra[:3]))
        return 1
    print("PASS: dcerpc_dc_%s_flow_records: %d dynamic endpoint conversations as tshark counts "
          "them: %d whole (their SYN to an endpoint an ept_map answer named), %d from their bind"
          % (label, len(want), whole, len(want) - whole))
    return 0


def main():
    table, cap, live, replay = sys.argv[1:5]
    ifs, ops = load_table(table)
    fails = 0
    binds = set()
    for f in tshark(cap, "dcerpc.pkt_type == 11 || dcerpc.pkt_type == 14",
                    ["ip.src", "tcp.srcport", "ip.dst", "tcp.dstport",
                     "dcerpc.cn_bind_to_uuid"]):
        if len(f) < 5:
            continue
        for u in f[4].split(","):
            if u:
                binds.add((f[0], int(f[1]), f[2], int(f[3]), u.lower()))
    calls = set()
    for f in tshark(cap, "dcerpc.pkt_type == 0", ["_ws.col.Protocol", "dcerpc.opnum",
                                                   "dcerpc.cn_flags"]):
        if len(f) < 2 or f[0] not in TSHARK_PROTO:
            continue
        for op in f[1].split(","):
            if op:
                calls.add((TSHARK_PROTO[f[0]], int(op)))
    want_b = {b for b in binds if b[4] in ifs}
    want_c = {c for c in calls if c in ops}
    print("# tshark: %d bind contexts (%d listed), %d calls (%d listed)" % (
        len(binds), len(want_b), len(calls), len(want_c)))
    names = {ifs[b[4]] for b in want_b}
    for need, what in ((("drsuapi", 3) in calls, "DRSGetNCChanges (secretsdump)"),
                       ("ISystemActivator" in names, "ISystemActivator bind (wmi/dcomexec)"),
                       (("svcctl", 12) in calls, "RCreateServiceW (psexec)"),
                       (("samr", 50) in calls, "SamrCreateUser2InDomain (addcomputer, rpcclient)"),
                       (("samr", 58) in calls, "SamrSetInformationUser2 (addcomputer, rpcclient)"),
                       (("samr", 31) in calls, "SamrAddMemberToAlias (samr_group_join.py)"),
                       ("samr" in names, "samr bind (samrdump)"),
                       ("epmapper" in names, "epmapper bind")):
        if need:
            print("PASS: dcerpc_dc_oracle/%s" % what)
        else:
            print("FAIL: dcerpc_dc_oracle/%s: tshark does not see it" % what)
            fails += 1
    pipe_binds, _ = pipe_view(cap)
    named = {b[5].lower() for b in pipe_binds if b[5]}
    if named:
        print("PASS: dcerpc_dc_oracle/binds over named pipes (%s)" % ", ".join(sorted(named)))
    else:
        print("FAIL: dcerpc_dc_oracle/binds over named pipes: tshark sees none with its CREATE")
        fails += 1
    for label, path in (("live", live), ("replay", replay)):
        right, wrong, unk_known, unk_unknown, ex_known, ex_wrong = compare_pipes(
            pipe_binds, bind_hits(path))
        if wrong or unk_known or not right:
            fails += 1
            print("FAIL: dcerpc_dc_%s_pipe_names: %d right, %d wrong %s, %d 'smb' where tshark "
                  "knows the pipe %s" % (label, right, wrong, ex_wrong[:3], unk_known,
                                         ex_known[:3]))
        else:
            print("PASS: dcerpc_dc_%s_pipe_names (%d named, %d 'smb' unknown to tshark too)" % (
                label, right, unk_unknown))
    for label, path in (("live", live), ("replay", replay)):
        hs = hits(path)
        hb = {(h["src_ip"], h["src_port"], h["dest_ip"], h["dest_port"],
               h["dcerpc"]["interface"]["uuid"]) for h in hs if h["rule"] == "dcerpc.bind"}
        hc = {(h["dcerpc"]["interface"].get("name"), h["dcerpc"]["opnum"])
              for h in hs if h["rule"] == "dcerpc.call"}
        bad = {h["dcerpc"]["interface"]["uuid"] for h in hs} - set(ifs)
        miss_b = want_b - hb
        miss_c = want_c - hc
        if miss_b:
            fails += 1
            print("FAIL: dcerpc_dc_%s_binds: %d of %d missing: %s" % (
                label, len(miss_b), len(want_b), sorted(miss_b)[:5]))
        else:
            print("PASS: dcerpc_dc_%s_binds (%d)" % (label, len(want_b)))
        if miss_c:
            fails += 1
            print("FAIL: dcerpc_dc_%s_calls: %d of %d missing: %s" % (
                label, len(miss_c), len(want_c), sorted(miss_c)[:8]))
        else:
            print("PASS: dcerpc_dc_%s_calls (%d)" % (label, len(want_c)))
        if bad:
            fails += 1
            print("FAIL: dcerpc_dc_%s_unlisted: hits for %s" % (label, sorted(bad)))
        else:
            print("PASS: dcerpc_dc_%s_unlisted" % label)
    want = dynamic_view(cap, ifs)
    for label, path in (("live", live), ("replay", replay)):
        fails += check_dynamic(label, path, want)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
