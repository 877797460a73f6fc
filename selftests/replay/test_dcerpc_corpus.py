#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# test_dcerpc_corpus.py XDPHUNT: replay the public corpus and check the
# dcerpc.bind / dcerpc.call hits against tshark's truth files.
#
# Binds: every context of a bind/alter_context in dcerpc.binds (TCP or SMB
# named pipe) whose UUID is in xdphunt's table must give a dcerpc.bind hit on
# that flow (client, server, ports) for that UUID. Calls: every (protocol,
# opnum) of dcerpc.requests whose interface and opnum are in the table must
# appear as a dcerpc.call of that interface and opnum in the capture. No hit
# may name a UUID outside the table. Misses are explained per frame from the
# capture itself (or, for calls, tshark's frame list) and counted as
# exclusions by reason: the PDU does not start its TCP segment (tshark
# reassembled it or it follows another message), SMB3-encrypted, an SMB2
# compound whose carrier is not the first command, an IP fragment, UDP
# (connectionless RPC). Any miss without such a reason fails.
#
# Pipe names: the truth files list binds over SMB as "smb-named-pipe"
# without the pipe, so tshark decides (selftests/e2e/smb_pipes.py: the
# smb2.filename / smb.file of the CREATE whose response gave the FileId of
# the bind's WRITE/IOCTL/TRANSACTION). A dcerpc.bind hit over SMB that names
# a pipe must name one tshark saw bound to that interface on that flow;
# "smb" is counted as right where tshark does not know the pipe either
# (the capture lacks the CREATE or its response), and reported otherwise.
import collections
import glob
import json
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "e2e"))
from test_corpus import read_frames  # noqa: E402
from smb_pipes import compare_pipes, pipe_view  # noqa: E402

REPLAY_TIMEOUT_S = 180
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# tshark's protocol column -> table interface names
TSHARK_PROTO = {
    "RPC_NETLOGON": ["netlogon"], "SVCCTL": ["svcctl"], "EPM": ["epmapper"],
    "SAMR": ["samr"], "IRemUnknown2": ["IRemUnknown2"], "WINREG": ["winreg"],
    "DRSUAPI": ["drsuapi"], "IDispatch": ["IDispatch"], "LSARPC": ["lsarpc"],
    "ISystemActivator": ["ISystemActivator"], "SRVSVC": ["srvsvc"],
    "IOXIDResolver": ["IObjectExporter"], "WKSSVC": ["wkssvc"],
    "IRemUnknown": ["IRemUnknown"], "SPOOLSS": ["spoolss"], "DSSETUP": ["dssetup"],
    "TaskSchedulerService": ["ITaskSchedulerService"], "ATSVC": ["atsvc"],
    "EFS": ["efsrpc", "efsrpc2"], "MGMT": ["mgmt"],
}


def load_table(path):
    ifs, ops = {}, set()  # uuid -> name; (name, opnum)
    names = {}
    for line in open(path):
        f = line.split("#")[0].split()
        if not f:
            continue
        if f[0] == "iface":
            ifs[f[1].lower()] = f[3]
            names[f[3]] = f[1].lower()
            names[f[1].lower()] = f[1].lower()
        elif f[0] == "op":
            u = names[f[1]]
            ops.add((ifs[u], int(f[2])))
    return ifs, ops


def tcp_payload(lt, data):
    """(payload, is_fragment) of a TCP/IPv4/IPv6 frame, else (None, False)."""
    et, off = None, 0
    if lt == 1:
        et, off = struct.unpack(">H", data[12:14])[0], 14
        while et in (0x8100, 0x88A8, 0x9100) and off + 4 <= len(data):
            et, off = struct.unpack(">H", data[off + 2:off + 4])[0], off + 4
    elif lt == 113:
        et, off = struct.unpack(">H", data[14:16])[0], 16
    elif lt == 276:
        et, off = struct.unpack(">H", data[0:2])[0], 20
    elif lt == 0:
        fam = struct.unpack("<I", data[0:4])[0]
        et, off = (0x0800 if fam == 2 else 0x86DD), 4
    elif lt in (101, 12, 14):
        et = 0x0800 if data[0] >> 4 == 4 else 0x86DD
    ip = data[off:]
    if et == 0x0800 and len(ip) >= 20:
        ihl = (ip[0] & 15) * 4
        tot = struct.unpack(">H", ip[2:4])[0]
        frag = struct.unpack(">H", ip[6:8])[0] & 0x3FFF
        if ip[9] != 6:
            return None, False
        if frag:
            return None, True
        seg = ip[ihl:tot] if tot >= ihl else ip[ihl:]
    elif et == 0x86DD and len(ip) >= 40:
        nh, seg = ip[6], ip[40:]
        while nh in (0, 43, 60) and len(seg) >= 8:
            nh, seg = seg[0], seg[(seg[1] + 1) * 8:]
        if nh == 44:
            return None, True
        if nh != 6:
            return None, False
    else:
        return None, False
    if len(seg) < 20:
        return None, False
    return seg[(seg[12] >> 4) * 4:], False


def why_missed(payload, frag, smb, want_types):
    """A principled reason this PDU is not at a place xdphunt looks, or None."""
    if frag:
        return "ip_fragment"
    if payload is None:
        return "not_tcp"
    if not smb:
        if len(payload) < 3 or payload[0] != 5 or payload[2] not in want_types:
            return "pdu_not_at_segment_start"
        return None
    if len(payload) < 8 or payload[0] != 0:
        return "smb_not_at_segment_start"
    if payload[4] == 0xFD:
        return "smb3_encrypted"
    if payload[4] == 0xFE and len(payload) >= 4 + 64:
        cmd = struct.unpack("<H", payload[4 + 12:4 + 14])[0]
        if cmd not in (9, 11):
            return "smb2_carrier_not_first_command"
        dataoff = struct.unpack("<H", payload[4 + 66:4 + 68])[0] if cmd == 9 else \
            struct.unpack("<I", payload[4 + 88:4 + 92])[0]
        if 4 + dataoff + 3 > len(payload):
            return "smb_data_not_in_segment"
        if payload[4 + dataoff] != 5 or payload[4 + dataoff + 2] not in want_types:
            return "pdu_not_at_smb_data_start"
    if payload[4] == 0xFF and len(payload) > 8 and payload[8] not in (0x25, 0x2F):
        return "smb1_carrier_not_trans_or_write"
    return None


def frames_of(path):
    out = {}
    for i, (lt, data) in enumerate(read_frames(path), 1):
        out[i] = (lt, data)
    return out


def tshark_request_frames(path, opnum):
    try:
        r = subprocess.run(["tshark", "-r", path, "-Y", "dcerpc.pkt_type == 0 && dcerpc.opnum == %d"
                            % opnum, "-T", "fields", "-e", "frame.number", "-e", "frame.protocols"],
                           capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    res = []
    for ln in r.stdout.splitlines():
        p = ln.split("\t")
        if p[0].isdigit():
            res.append((int(p[0]), ":smb" in p[1] if len(p) > 1 else False))
    return res


def main():
    xh = sys.argv[1]
    corpus = os.environ.get("XH_CORPUS_DIR") or os.path.join(
        os.environ.get("XH_SHARED_DIR", os.path.join(ROOT, "..", "shared")), "corpus", "public")
    if not os.path.isdir(corpus):
        print("SKIP: dcerpc_corpus: no corpus at %s" % corpus)
        return 0
    ifs, ops = load_table(os.path.join(ROOT, "data", "dcerpc.tsv"))
    tot = collections.Counter()
    excl = collections.Counter()
    fails = 0
    for truthf in sorted(glob.glob(os.path.join(corpus, "*.json"))):
        truth = json.load(open(truthf))
        d = truth.get("dcerpc", {})
        cap = truthf[:-5]
        name = os.path.basename(cap)
        want_binds, want_calls = [], set()
        for b in d.get("binds", []):
            for c in b["contexts"]:
                if c["uuid"] and c["uuid"].lower() in ifs:
                    want_binds.append((b, c["uuid"].lower()))
        for r in d.get("requests", []):
            for n in TSHARK_PROTO.get(r["protocol"], []):
                if (n, r["opnum"]) in ops:
                    want_calls.add((r["protocol"], r["opnum"]))
        if not want_binds and not want_calls:
            continue
        try:
            p = subprocess.run([xh, "replay", cap], capture_output=True, text=True,
                               timeout=REPLAY_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            print("FAIL: dcerpc_corpus/%s: replay timed out" % name)
            fails += 1
            continue
        hits = [json.loads(ln) for ln in p.stdout.splitlines() if ln.strip()]
        hb, hc = set(), set()
        bad = []
        for h in hits:
            if h["rule"] not in ("dcerpc.bind", "dcerpc.call"):
                continue  # dcerpc.logon: test_ntlm_corpus.py
            i = h["dcerpc"]["interface"]
            if i["uuid"] not in ifs:
                bad.append(i["uuid"])
            flow = (h["src_ip"], h["src_port"], h["dest_ip"], h["dest_port"])
            if h["rule"] == "dcerpc.bind":
                hb.add(flow + (i["uuid"],))
            else:
                hc.add((i.get("name"), h["dcerpc"]["opnum"]))
        frames = None
        problems = list("unlisted interface %s reported" % u for u in bad)
        smb_hits = {}
        for h in hits:
            if h["rule"] == "dcerpc.bind" and h["dcerpc"].get("transport") != "tcp":
                smb_hits[(h["src_ip"], h["src_port"], h["dest_ip"], h["dest_port"],
                          h["dcerpc"]["interface"]["uuid"])] = h["dcerpc"]["transport"]
        if smb_hits:
            try:
                pb, _ = pipe_view(cap, extra=truth.get("tshark_options") or ())
            except (OSError, RuntimeError, subprocess.TimeoutExpired) as e:
                pb = None
                problems.append("tshark pipe view failed: %s" % e)
            if pb is not None:
                right, wrong, unk_known, unk_unknown, ex_known, ex_wrong = compare_pipes(
                    pb, smb_hits)
                tot["pipe_right"] += right
                tot["pipe_smb_known"] += unk_known
                tot["pipe_smb_unknown"] += unk_unknown
                problems += ["wrong pipe name: " + x for x in ex_wrong]
                for x in ex_known:
                    print("# dcerpc_corpus/%s: 'smb' where tshark knows the pipe: %s" % (
                        name, x))
        seen = set()
        for b, u in want_binds:
            key = (b["client"], b["client_port"], b["server"], b["server_port"], u)
            if key in seen:
                continue
            seen.add(key)
            tot["binds"] += 1
            if b["transport"] == "udp":
                excl["connectionless_udp"] += 1
                continue
            if key in hb:
                tot["binds_hit"] += 1
                continue
            if frames is None:
                frames = frames_of(cap)
            lt, data = frames.get(b["frame"], (None, b""))
            pl, frag = tcp_payload(lt, data) if lt is not None else (None, False)
            why = why_missed(pl, frag, b["transport"] != "tcp", (11, 14))
            if why:
                excl["bind:" + why] += 1
            else:
                problems.append("bind frame %d %s:%d -> %s:%d %s missing" %
                                (b["frame"], b["client"], b["client_port"], b["server"],
                                 b["server_port"], u))
        # hits tshark does not list (e.g. a dynamic port it did not decode)
        if not d.get("binds_truncated"):
            tot["binds_extra"] += len(hb - seen)
        for proto, opnum in sorted(want_calls):
            tot["calls"] += 1
            if any((n, opnum) in hc for n in TSHARK_PROTO[proto]):
                tot["calls_hit"] += 1
                continue
            if frames is None:
                frames = frames_of(cap)
            fl = tshark_request_frames(cap, opnum)
            reasons = set()
            for fn, smb in fl or []:
                lt, data = frames.get(fn, (None, b""))
                pl, frag = tcp_payload(lt, data) if lt is not None else (None, False)
                reasons.add(why_missed(pl, frag, smb, (0,)))
            if fl and None not in reasons:
                excl["call:" + sorted(reasons)[0]] += 1
            else:
                problems.append("call %s opnum %d missing" % (proto, opnum))
        if problems:
            fails += 1
            print("FAIL: dcerpc_corpus/%s: %s" % (name, "; ".join(problems[:6])))
        else:
            print("PASS: dcerpc_corpus/%s" % name)
    print("dcerpc corpus: binds %d/%d hit (%d bind hits tshark does not list), calls %d/%d hit;"
          " exclusions: %s" % (
        tot["binds_hit"], tot["binds"], tot["binds_extra"], tot["calls_hit"], tot["calls"],
        ", ".join("%s=%d" % kv for kv in sorted(excl.items())) or "none"))
    print("dcerpc corpus: binds over SMB: %d name the right pipe, %d say 'smb' where tshark "
          "knows the pipe, %d say 'smb' where tshark does not know it either" % (
              tot["pipe_right"], tot["pipe_smb_known"], tot["pipe_smb_unknown"]))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
