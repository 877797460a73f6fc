#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# smb_pipes.py: tshark's view of which named pipe each DCE/RPC bind over SMB
# went to, for the oracles (check_dcerpc.py, check_smb.py and
# selftests/replay/test_dcerpc_corpus.py). A pipe is known when the capture
# holds the CREATE request (smb2.filename / smb.file) and its successful
# response with the FileId (matched by flow and MessageId), as xdphunt needs
# too; the bind's WRITE/IOCTL/TRANSACTION names the FileId (smb2.fid /
# smb.fid). An SMB2 FileId belongs to its session between two hosts, which
# may span connections (tshark itself tracks FileIds per connection); an
# SMB1 FID to its connection and UID. Also lists the WRITEs to opens (for
# smb.tool_transfer), and on request every READ, WRITE and QUERY_DIRECTORY
# (SMB2 "Find") request with its open's name where the capture has it (for
# smb.admin_read and smb.admin_listing). Stdlib only.
import ipaddress
import json
import subprocess


def find_all(d, key, out=None):
    """Every value of @key anywhere in the tshark JSON tree @d."""
    if out is None:
        out = []
    if isinstance(d, dict):
        for k, v in d.items():
            if k == key:
                out.extend(v if isinstance(v, list) else [v])
            else:
                find_all(v, key, out)
    elif isinstance(d, list):
        for v in d:
            find_all(v, key, out)
    return out


def first(d, key):
    v = find_all(d, key)
    return v[0] if v else None


def as_list(v):
    return v if isinstance(v, list) else ([v] if v is not None else [])


def body_items(m, prefix):
    return [(k, v) for k, v in m.items() if k.startswith(prefix)]


def _flow(L, servers):
    ip = L.get("ip") or L.get("ipv6")
    if isinstance(ip, list):
        ip = ip[-1]
    tcp = L.get("tcp")
    if not ip or not tcp:
        return None
    src = ip.get("ip.src") or ip.get("ipv6.src")
    dst = ip.get("ip.dst") or ip.get("ipv6.dst")
    sp, dp = int(tcp["tcp.srcport"]), int(tcp["tcp.dstport"])
    src, dst = str(ipaddress.ip_address(src)), str(ipaddress.ip_address(dst))
    if servers is not None:
        to_server = dst in servers
    else:
        to_server = dp in (445, 139) or (sp not in (445, 139) and dp < sp)
    return (src, sp, dst, dp) if to_server else (dst, dp, src, sp)


def tshark_json(pcap, flt, extra=()):
    p = subprocess.run(["tshark", "-r", pcap, *extra, "-Y", flt, "-T", "json",
                        "--no-duplicate-keys"], capture_output=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError("tshark: " + p.stderr.decode(errors="replace")[-300:])
    # Names in a fuzzed capture may not be UTF-8: tshark prints their bytes.
    return json.loads((p.stdout or b"[]").decode("utf-8", errors="replace"))


def pipe_view(pcap, servers=None, extra=(), ops=None):
    """Returns (binds, writes):
    binds: list of (client, cport, server, sport, uuid, pipe or None, frame)
           for every bind/alter_context context carried in SMB;
    writes: list of (flow, frame, name, tree, access) for every WRITE request
           to a FileId whose CREATE (name, tree path, access mask) and
           successful response are in the capture.
    @ops, a list, gets (flow, frame, op, name or None, tree path, tree id)
    for every READ ("read"), WRITE ("write") and listing ("find": SMB2
    QUERY_DIRECTORY, SMB1 TRANS2 FIND_FIRST2, whose name is its search
    pattern) request; the name is the open's CREATE name (None: the CREATE
    or its response is not in the capture; a related compound member with
    the FileId 0xFF..FF names the CREATE before it in its compound, which
    tshark leaves unnamed), the tree path tshark's for the request's tree."""
    pend, opens = {}, {}
    binds, writes = [], []
    for pkt in tshark_json(pcap, "smb2 || smb", extra):
        L = pkt["_source"]["layers"]
        flow = _flow(L, servers)
        if flow is None:
            continue
        frame = int(L["frame"]["frame.number"])
        fids = []
        hosts = (flow[0], flow[2])
        chained = None  # the CREATE request earlier in this compound
        for m in as_list(L.get("smb2")):
            h = m.get("SMB2 Header")
            if not h:
                continue
            resp = first(h, "smb2.flags.response") == "1"
            mid = h.get("smb2.msg_id")
            tree = first(h, "smb2.tree")
            sess = h.get("smb2.sesid")
            related = first(h, "smb2.flags.chained") == "1"
            if not related:
                chained = None
            for k, body in body_items(m, "Create Request"):
                pend[(2, flow, mid)] = chained = (body.get("smb2.filename"), tree,
                                                  int(first(body, "smb.access_mask") or "0", 16))
            for k, body in body_items(m, "Create Response"):
                req = pend.pop((2, flow, mid), None)
                fid = first(body, "smb2.fid")
                if req and fid and int(h.get("smb2.nt_status", "0"), 16) == 0:
                    opens[(2, hosts, sess, fid)] = req
            if not resp:
                for k, body in body_items(m, "Write Request") + body_items(m, "Ioctl Request"):
                    fid = first(body, "smb2.fid")
                    fids.append((2, hosts, sess, fid))
                    if k.startswith("Write") and (2, hosts, sess, fid) in opens:
                        name, t, acc = opens[(2, hosts, sess, fid)]
                        writes.append((flow, frame, name, t, acc))
                if ops is not None:
                    for op, prefix in (("read", "Read Request"), ("write", "Write Request"),
                                       ("find", "Find Request")):
                        for k, body in body_items(m, prefix):
                            fid = first(body, "smb2.fid")
                            o = opens.get((2, hosts, sess, fid))
                            if related and chained and fid == "ffffffff-ffff-ffff-ffff-ffffffffffff":
                                o = chained
                            ops.append((flow, frame, op, o[0] if o else None, tree,
                                        h.get("smb2.tid")))
        for m in as_list(L.get("smb")):
            h = m.get("SMB Header")
            if not h:
                continue
            resp = first(h, "smb.flags.response") == "1"
            key = (1, flow, h.get("smb.mid"))
            uid = h.get("smb.uid")
            tree = first(h, "smb.path")
            for k, body in body_items(m, "NT Create AndX Request"):
                pend[key] = (body.get("smb.file"), tree,
                             int(first(body, "smb.access_mask") or "0", 16))
            for k, body in body_items(m, "NT Create AndX Response"):
                req = pend.pop(key, None)
                fid = first(body, "smb.fid")
                if req and fid and int(h.get("smb.nt_status", "0"), 16) == 0:
                    opens[(1, flow, uid, fid)] = req
            if not resp:
                for k, body in body_items(m, "Write AndX Request") + body_items(m, "Trans"):
                    fid = first(body, "smb.fid")
                    fids.append((1, flow, uid, fid))
                    if k.startswith("Write") and (1, flow, uid, fid) in opens:
                        name, t, acc = opens[(1, flow, uid, fid)]
                        writes.append((flow, frame, name, t, acc))
                if ops is not None:
                    for op, prefix in (("read", "Read AndX Request"),
                                       ("write", "Write AndX Request")):
                        for k, body in body_items(m, prefix):
                            o = opens.get((1, flow, uid, first(body, "smb.fid")))
                            ops.append((flow, frame, op, o[0] if o else None, tree,
                                        h.get("smb.tid")))
                    for k, body in body_items(m, "Trans2 Request"):
                        if body.get("smb.trans2.cmd") == "0x0001":
                            ops.append((flow, frame, "find", first(body, "smb.search_pattern"),
                                        tree, h.get("smb.tid")))
        for d in as_list(L.get("dcerpc")):
            if d.get("dcerpc.pkt_type") not in ("11", "14") or not fids:
                continue
            o = opens.get(fids[0])
            pipe = o[0].lstrip("\\") if o and o[0] else None
            for u in find_all(d, "dcerpc.cn_bind_to_uuid"):
                binds.append(flow + (u.lower(), pipe, frame))
    return binds, writes


def admin_file_findings(ops, kind):
    """From pipe_view()'s @ops and a tree path's share kind (@kind: "admin",
    "ipc" or "disk"), the findings smb.admin_read and smb.admin_listing
    must make: a set of (rule, flow, name lower-cased or None) (a read per
    file and flow, a listing per admin tree, named by its first
    QUERY_DIRECTORY), and the admin trees listed per flow (a dict)."""
    want, listed, per_flow = set(), set(), {}
    for flow, _, op, name, tree, tid in ops:
        if kind(tree) != "admin" or op == "write":
            continue
        n = name.lower() if name is not None else None
        if op == "read":
            want.add(("smb.admin_read", flow, n))
        elif (flow, tid) not in listed:
            listed.add((flow, tid))
            per_flow[flow] = per_flow.get(flow, 0) + 1
            want.add(("smb.admin_listing", flow, n))
    return want, per_flow


def bind_hits(path):
    """dcerpc.bind hits over SMB in a JSON-lines file: (flow, uuid) -> transport."""
    out = {}
    for ln in open(path):
        if not ln.strip():
            continue
        h = json.loads(ln)
        if h.get("rule") != "dcerpc.bind" or h["dcerpc"].get("transport") == "tcp":
            continue
        flow = (str(ipaddress.ip_address(h["src_ip"])), h["src_port"],
                str(ipaddress.ip_address(h["dest_ip"])), h["dest_port"])
        out[flow + (h["dcerpc"]["interface"]["uuid"],)] = h["dcerpc"]["transport"]
    return out


def compare_pipes(tshark_binds, hits):
    """Judge each dcerpc.bind hit over SMB against tshark's pipes for its
    (flow, interface). Returns (right, wrong, unnamed_known, unnamed_unknown,
    missing_name_examples, wrong_examples): a pipe name must be one tshark
    saw bound to that interface on the flow; "smb" is right only where tshark
    does not know the pipe either (unnamed_unknown)."""
    names = {}
    for b in tshark_binds:
        names.setdefault(b[:5], set()).add(b[5].lower() if b[5] else None)
    right = wrong = unk_known = unk_unknown = 0
    ex_known, ex_wrong = [], []
    for key, tr in sorted(hits.items()):
        want = names.get(key, set())
        known = {n for n in want if n}
        if tr != "smb":
            if tr.lower() in known:
                right += 1
            else:
                wrong += 1
                ex_wrong.append("%s:%d->%s:%d %s: '%s', tshark %s" % (
                    key[0], key[1], key[2], key[3], key[4], tr, sorted(known) or "none"))
        elif known:
            unk_known += 1
            ex_known.append("%s:%d->%s:%d %s: tshark %s" % (
                key[0], key[1], key[2], key[3], key[4], sorted(known)))
        else:
            unk_unknown += 1
    return right, wrong, unk_known, unk_unknown, ex_known, ex_wrong
