#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# test_flow_records.py XDPHUNT: `replay --flow-timeout` (flow records on the
# capture's clock, bpf/clock.bpf.h) and the time windows that run on it.
#
# 1. Corpus, against tshark as the oracle: every TCP flow record of every
#    capture is a conversation tshark sees; its packets and bytes each way,
#    its start (first packet) and its end (latest packet) are tshark's (bytes
#    per frame as captured, the capture's link header replaced by
#    Ethernet's 14 bytes, as xdphunt sees the frame). Records of
#    dynamic DCE/RPC endpoints ("counted":"from_bind") count every packet
#    from the bind that made the flow: tshark's counts of the conversation's
#    frames from one stamped with the record's start to its end. Records of
#    flows an RDP or SSH opening made ("counted":"opening_only") count that
#    frame alone (or from it on, on a port marked as a DCE/RPC endpoint,
#    whose packets count to any flow). And every
#    TCP conversation tshark sees on 445, 139 or 135 has its record.
#    Every TCP hit and record carries the Community ID tshark computes.
# 2. Made captures (both engines): a flow idle longer than the timeout in
#    capture time is written with reason "timeout" and its next packet
#    starts a new flow; scan.smb_sweep counts its window in capture time: 16
#    hosts a second apart are a sweep, 16 hosts five seconds apart (75 s)
#    are not, however fast the file is read. 3000 new flows against a
#    1024-flow table: in a flood the oldest are written early ("forced",
#    said on stderr), so none is evicted without a record, the same flows
#    from both engines; a trickle that times out in time forces none. A
#    svcctl flow on a dynamic endpoint, quiet for 700 s while another client
#    knocks on its port, with --flow-timeout 3600: its record counts every
#    packet from its bind, as tshark does (the port's mark lives as long as
#    the flow may). The same service found through the endpoint mapper (an
#    ept_map answer, which tshark reads as naming the port): its record is
#    the whole conversation, from the SYN, as tshark counts it.
# tshark and scapy (for bench/gen_traffic.py's bind PDU) are installed by
# scripts/install-deps.sh. The corpus
# part says SKIP without a corpus; the kernel engine SKIPs without root.
# Corpus: $XH_CORPUS_DIR, else $XH_SHARED_DIR/corpus/public.
import collections
import datetime
import glob
import json
import os
import re
import socket
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from pcapgen import tcp_frame, write_pcap  # noqa: E402
import tempfile

TIMEOUT_S = 300
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_native_engine import corpus_dir  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench"))
from gen_traffic import NDR_UUID, dcerpc_bind, dcerpc_pdu, uuid_le  # noqa: E402  (the bench's PDU builders)
# Link header bytes tshark counts in frame.len beyond Ethernet's 14, by the
# first protocol of frame.protocols (capture.c puts an Ethernet header in).
# Link types replay reads (frame.protocols' first entry); flows count each
# record's own length, link header included, as tshark does.
LINKS = {"eth", "sll", "null", "loop", "raw", "ip", "ipv6"}
SERVICE_PORTS = {445, 139, 135}

failed = 0


def check(ok, what):
    global failed
    if ok:
        print("PASS: flow records: " + what)
    else:
        failed += 1
        print("FAIL: flow records: " + what)


def replay(xdphunt, engine, files, extra=()):
    p = subprocess.run([xdphunt, "replay", "--engine", engine] + list(extra) + files,
                       capture_output=True, timeout=TIMEOUT_S)
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    return p.returncode, lines, p.stderr.decode(errors="replace")


def epoch(ts):
    """RFC 3339 UTC with microseconds (xdphunt's timestamps) -> µs since the epoch."""
    d = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * 1000000 + d.microsecond


def epoch_us(text):
    """tshark's frame.time_epoch ("1492449119.452001000") -> µs, cut as xdphunt cuts."""
    sec, _, frac = text.partition(".")
    return int(sec) * 1000000 + int((frac + "000000")[:6])


def pcap_snaplen(cap):
    """The snap length in a pcap file's header (libpcap cuts records to it,
    tshark does not), or None for pcapng."""
    with open(cap, "rb") as f:
        head = f.read(24)
    for endian in "<>":
        if len(head) == 24 and struct.unpack(endian + "I", head[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D):
            return struct.unpack(endian + "I", head[16:20])[0]
    return None


def tshark_tcp(cap):
    """tshark's TCP conversations of @cap: {(a, b) sorted endpoints: stats}, or
    None when it cannot read it."""
    p = subprocess.run(["tshark", "--enable-protocol", "communityid", "-r", cap, "-Y",
                        "tcp && !icmp && !icmpv6", "-T", "fields",
                        "-E", "separator=|", "-e", "frame.time_epoch", "-e", "frame.cap_len",
                        "-e", "frame.len",
                        "-e", "frame.protocols", "-e", "ip.src", "-e", "ip.dst", "-e", "ipv6.src",
                        "-e", "ipv6.dst", "-e", "tcp.srcport", "-e", "tcp.dstport",
                        "-e", "communityid"],
                       capture_output=True, timeout=TIMEOUT_S)
    if p.returncode != 0:
        return None
    snap = pcap_snaplen(cap) or (1 << 32)
    conv = collections.defaultdict(lambda: {"pkts": collections.Counter(),
                                            "bytes": collections.Counter(),
                                            "first": None, "last": None, "tunnel": False,
                                            "cids": set(), "frames": []})
    for line in p.stdout.decode().splitlines():
        ts, caplen, wirelen, protos, s4, d4, s6, d6, sp, dp, cid = line.split("|")
        # The frame as the wire carried it, whatever the capture kept of it
        # (libpcap cuts records to the snap length, tshark does not; a file
        # may say a record is shorter than what it holds).
        flen = max(int(wirelen), min(int(caplen), snap))
        src, dst = s4 or s6, d4 or d6
        if not src or not sp:
            continue
        link = protos.split(":")[0]
        a = (src.split(",")[0], int(sp.split(",")[0]))
        b = (dst.split(",")[0], int(dp.split(",")[0]))
        c = conv[tuple(sorted([a, b]))]
        # IP in IP or a second TCP header: which one xdphunt keys on is
        # not what this test is about.
        if "," in src + dst + sp or link not in LINKS:
            c["tunnel"] = True
        c["cids"].add(cid)  # tshark's own Community ID implementation
        c["pkts"][a] += 1
        c["bytes"][a] += flen
        us = epoch_us(ts)
        c["frames"].append((us, a, flen))
        c["first"] = us if c["first"] is None else c["first"]  # the first in the file
        c["last"] = us if c["last"] is None else max(c["last"], us)
    return conv


def from_bind(c, cli, srv, start):
    """What a record counted from a frame of conversation @c stamped @start
    on would say: one tuple per such frame (which of them made the flow a
    record cannot tell)."""
    out = []
    for i, (us, _, _) in enumerate(c["frames"]):
        if us != start:
            continue
        tail = c["frames"][i:]
        pk = collections.Counter(a for _, a, _ in tail)
        by = collections.Counter()
        for _, a, n in tail:
            by[a] += n
        out.append((pk[cli], pk[srv], by[cli], by[srv], start, max(u for u, _, _ in tail)))
    return out


def corpus_part(xdphunt):
    caps = sorted(glob.glob(os.path.join(corpus_dir(), "*.pcap")) +
                  glob.glob(os.path.join(corpus_dir(), "*.pcapng")))
    if not caps:
        print("SKIP: flow records: no corpus at %s (set XH_CORPUS_DIR)" % corpus_dir())
        return
    exact = partial = covered = cids = opening = 0
    wrong = []
    for cap in caps:
        name = os.path.basename(cap)
        rc, lines, err = replay(xdphunt, "native", [cap], ["--flow-timeout", "604800"])
        conv = tshark_tcp(cap)
        if rc != 0 or conv is None:
            wrong.append("%s: replay exit %d / tshark %s: %s" % (name, rc, conv is not None,
                                                                 err.strip()[-200:]))
            continue
        # Every hit and record of a TCP flow carries the Community ID tshark
        # gives the flow's packets.
        for r in lines:
            if r["proto"] != "TCP":
                continue
            c = conv.get(tuple(sorted([(r["src_ip"], r["src_port"]), (r["dest_ip"], r["dest_port"])])))
            if c is None or c["tunnel"]:
                continue
            cids += 1
            if r["community_id"] not in c["cids"]:
                wrong.append("%s %s %s:%s -> %s:%s: community_id %s, tshark %s" %
                             (name, r["event_type"], r["src_ip"], r["src_port"], r["dest_ip"],
                              r["dest_port"], r["community_id"], sorted(c["cids"])))
        # A capture whose stamps jump ahead by more than the timeout splits
        # a connection into two records (timeout, then shutdown): summed.
        recs = {}
        for r in lines:
            if r.get("event_type") != "flow" or r["proto"] != "TCP":
                continue
            key = (r["src_ip"], r["src_port"], r["dest_ip"], r["dest_port"])
            if key in recs:
                f, g = recs[key]["flow"], r["flow"]
                for k in ("pkts_toserver", "pkts_toclient", "bytes_toserver", "bytes_toclient"):
                    f[k] += g[k]
                f["start"] = min(f["start"], g["start"], key=epoch)
                f["end"] = max(f["end"], g["end"], key=epoch)
            else:
                recs[key] = r
        seen = set()
        for r in recs.values():
            cli, srv = (r["src_ip"], r["src_port"]), (r["dest_ip"], r["dest_port"])
            key = tuple(sorted([cli, srv]))
            seen.add(key)
            c = conv.get(key)
            f = r["flow"]
            if c is None:
                wrong.append("%s %s -> %s: no such tshark conversation" % (name, cli, srv))
                continue
            if c["tunnel"]:
                continue
            got = (f["pkts_toserver"], f["pkts_toclient"], f["bytes_toserver"],
                   f["bytes_toclient"], epoch(f["start"]), epoch(f["end"]))
            want = (c["pkts"][cli], c["pkts"][srv], c["bytes"][cli], c["bytes"][srv],
                    c["first"], c["last"])
            if f.get("counted") == "from_bind":
                ok = r.get("app_proto") == "dcerpc" and got in from_bind(c, cli, srv, got[4])
                partial += ok
            elif f.get("counted") == "opening_only":
                # made by an rdp.connect or ssh.connect hit: its opening
                # frame alone, or from it on where a dynamic DCE/RPC
                # endpoint's mark on the port counts the flow's packets
                alone = [(1, 0, n, 0, us, us) for us, a, n in c["frames"]
                         if a == cli and us == got[4]]
                ok = r.get("app_proto") in ("rdp", "ssh") and (
                    got in alone or got in from_bind(c, cli, srv, got[4]))
                opening += ok
            else:
                ok = got == want
                exact += ok
            if not ok:
                wrong.append("%s %s -> %s: got %s, tshark %s" % (name, cli, srv, got, want))
        for key, c in conv.items():
            if c["tunnel"] or not {key[0][1], key[1][1]} & SERVICE_PORTS:
                continue
            covered += 1
            if key not in seen:
                wrong.append("%s %s: tshark's conversation on a service port has no record" %
                             (name, key))
    for w in wrong[:20]:
        print("  " + w)
    check(not wrong and exact >= 100 and partial >= 100 and cids >= 1000,
          "%d corpus captures: %d TCP flow records as tshark counts them, %d dynamic DCE/RPC "
          "endpoints as tshark counts them from their bind, %d RDP and SSH flows counted from "
          "their opening, %d service-port conversations all recorded, "
          "%d hits and records with tshark's Community ID; %d wrong" %
          (len(caps), exact, partial, opening, covered, cids, len(wrong)))


# ---- made captures ------------------------------------------------------------
def epm_tower(iface, version, port, ipv4):
    """A TCP/IP protocol tower (MS-RPCE 2.2.1.1, C706 appendix L) for @iface
    at @ipv4:@port, as an ept_map call and its answer carry it."""
    floors = ((b"\x0d" + uuid_le(iface) + struct.pack("<H", version), b"\x00\x00"),
              (b"\x0d" + uuid_le(NDR_UUID) + struct.pack("<H", 2), b"\x00\x00"),
              (b"\x0b", b"\x00\x00"), (b"\x07", struct.pack(">H", port)),
              (b"\x09", socket.inet_aton(ipv4)))
    tower = struct.pack("<H", len(floors))
    for lhs, rhs in floors:
        tower += struct.pack("<H", len(lhs)) + lhs + struct.pack("<H", len(rhs)) + rhs
    return tower


def ndr_pad(b):
    return b + b"\0" * (-len(b) % 4)


NIL_UUID = b"\0" * 16
NIL_HANDLE = b"\0" * 20  # an ept_lookup_handle_t (context handle)
EPT_MAP = 3  # the endpoint mapper's opnum


def ndr_twr(referent, tower):
    """A twr_t behind a pointer: referent id, tower_length, the conformant
    array's max_count, the octets, padded to 4."""
    return ndr_pad(struct.pack("<III", referent, len(tower), len(tower)) + tower)


def epm_map_request(call_id, iface, version):
    """ept_map on context 0 (MS-RPCE 3.1.4.1): the object (a nil UUID), the
    tower asked for (port and address 0), a nil entry handle, max_towers 1.
    Their NDR encoding, `args` below, is the request's stub data."""
    args = struct.pack("<I", 1) + NIL_UUID                   # [ptr] object
    args += ndr_twr(2, epm_tower(iface, version, 0, "0.0.0.0"))  # [ptr] map_tower
    args += NIL_HANDLE + struct.pack("<I", 1)                  # entry_handle, max_towers
    alloc_hint, ctx_id = len(args), 0
    return dcerpc_pdu(0, call_id, struct.pack("<IHH", alloc_hint, ctx_id, EPT_MAP) + args)


def epm_map_response(call_id, iface, version, port, ipv4):
    """ept_map's answer: one tower for @iface at @ipv4:@port (@out: its
    NDR-encoded out arguments)."""
    out = NIL_HANDLE + struct.pack("<I", 1)  # entry_handle, num_towers
    # towers: a conformant varying array (max_count, offset, actual_count)
    # of one pointer, and the twr_t it points to; then the status
    out += struct.pack("<III", 1, 0, 1) + ndr_twr(3, epm_tower(iface, version, port, ipv4))
    out += struct.pack("<I", 0)
    alloc_hint, ctx_id, cancel_count = len(out), 0, 0
    return dcerpc_pdu(2, call_id, struct.pack("<IHBx", alloc_hint, ctx_id, cancel_count) + out)


def tcp_conversation(cli, srv, sport, dport, segs):
    """Frames of one TCP connection with its sequence numbers, so that tshark
    reassembles and dissects it: @segs (time, from_client, flags, payload)."""
    nxt = {True: 1000, False: 5000}
    frames = []
    for t, c2s, fl, pl in segs:
        a, b, sp, dp = (cli, srv, sport, dport) if c2s else (srv, cli, dport, sport)
        frames.append((t, tcp_frame(a, b, sp, dp, fl, pl, nxt[c2s], nxt[not c2s] if fl & 0x10 else 0)))
        nxt[c2s] += len(pl) + (1 if fl & 0x02 else 0)
    return frames


def made_part(xdphunt, engines, tmp):
    cli, srv = "192.0.2.10", "198.51.100.20"
    frames = []
    # One SMB connection: three packets, 100 s of silence, two more.
    for t, a, b, sp, dp, fl, pl in ((0.0, cli, srv, 50000, 445, 0x02, b""),
                                     (0.5, srv, cli, 445, 50000, 0x12, b""),
                                     (1.0, cli, srv, 50000, 445, 0x18, b"\0\0\0\x04abcd"),
                                     (101.0, cli, srv, 50000, 445, 0x18, b"\0\0\0\x04efgh"),
                                     (102.0, srv, cli, 445, 50000, 0x10, b"")):
        frames.append((t, tcp_frame(a, b, sp, dp, fl, pl)))
    idle = os.path.join(tmp, "idle.pcap")
    base = write_pcap(idle, frames)
    sweeps = {}
    for gap in (1, 5):
        path = os.path.join(tmp, "sweep-%ds.pcap" % gap)
        write_pcap(path, [(200 + i * gap, tcp_frame("203.0.113.7", "198.51.100.%d" % (i + 1),
                                                    40000 + i, 445, 0x02)) for i in range(16)])
        sweeps[gap] = path
    # 3000 SYNs to 445 from distinct ports: a flood (3 s) fills a 1024-flow
    # table, a trickle (300 s) times out faster than it comes.
    pace = {}
    flood = {}
    for name, step in (("flood", 0.001), ("trickle", 0.1)):
        pace[name] = os.path.join(tmp, name + ".pcap")
        write_pcap(pace[name], [(300 + i * step, tcp_frame(cli, srv, 20000 + i, 445, 0x02))
                                for i in range(3000)])

    # svcctl on dynamic port 49710: handshake, bind, 700 s of silence in
    # which another client knocks (a SYN without a flow), then the flow
    # goes on with an acknowledgement each way.
    dyn_cli, dyn_port = "192.0.2.11", 49710
    svcctl_bind = dcerpc_bind("367abb81-9844-35f1-ad32-98f038001003", 2)
    dyn = os.path.join(tmp, "dynamic.pcap")
    write_pcap(dyn, [(t, tcp_frame(a, b, sp, dp, fl, pl)) for t, a, b, sp, dp, fl, pl in (
        (400.0, cli, srv, 50100, dyn_port, 0x02, b""),
        (400.1, srv, cli, dyn_port, 50100, 0x12, b""),
        (400.2, cli, srv, 50100, dyn_port, 0x10, b""),
        (400.3, cli, srv, 50100, dyn_port, 0x18, svcctl_bind),
        (400.4, srv, cli, dyn_port, 50100, 0x10, b""),
        (1100.0, dyn_cli, srv, 50200, dyn_port, 0x02, b""),
        (1101.0, srv, cli, dyn_port, 50100, 0x18, b"\0" * 24),
        (1101.1, cli, srv, 50100, dyn_port, 0x10, b""))])
    conv = tshark_tcp(dyn)
    key = tuple(sorted([(cli, 50100), (srv, dyn_port)]))
    for engine in engines:
        rc, lines, err = replay(xdphunt, engine, [dyn], ["--flow-timeout", "3600"])
        recs = [(r["flow"]["pkts_toserver"], r["flow"]["pkts_toclient"],
                 r["flow"]["bytes_toserver"], r["flow"]["bytes_toclient"],
                 epoch(r["flow"]["start"]), epoch(r["flow"]["end"]))
                for r in lines if r.get("event_type") == "flow" and r.get("dest_port") == dyn_port
                and r["flow"].get("counted") == "from_bind"]
        want = from_bind(conv[key], (cli, 50100), (srv, dyn_port), recs[0][4]) if (
            conv and key in conv and len(recs) == 1) else None
        check(rc == 0 and want is not None and recs[0] in want and recs[0][:2] == (2, 2),
              "%s: a dynamic endpoint's flow quiet 700 s, another client knocking meanwhile, "
              "--flow-timeout 3600: %s, tshark from the bind %s" % (engine, recs, want))

    # The same service found through the endpoint mapper: an ept_map call on
    # 135 whose answer names svcctl at 49730, then the connection to it. Its
    # SYN makes the flow, and the record is the whole conversation.
    epm_port = 49730
    epm = os.path.join(tmp, "epm.pcap")
    write_pcap(epm, tcp_conversation(cli, srv, 50300, 135, (
        (500.0, True, 0x02, b""),
        (500.1, False, 0x12, b""),
        (500.2, True, 0x10, b""),
        (500.3, True, 0x18, dcerpc_bind()),
        (500.4, True, 0x18, epm_map_request(2, "367abb81-9844-35f1-ad32-98f038001003", 2)),
        (500.5, False, 0x18,
         epm_map_response(2, "367abb81-9844-35f1-ad32-98f038001003", 2, epm_port, srv)))) +
        tcp_conversation(cli, srv, 50301, epm_port, (
            (501.0, True, 0x02, b""),
            (501.1, False, 0x12, b""),
            (501.2, True, 0x10, b""),
            (501.3, True, 0x18, svcctl_bind),
            (501.4, False, 0x10, b""))))
    # tshark reads the answer as ept_map naming that port (the oracle that
    # the made answer is one).
    p = subprocess.run(["tshark", "-r", epm, "-Y", "epm.opnum == 3 && dcerpc.pkt_type == 2",
                        "-T", "fields", "-e", "epm.proto.tcp_port"],
                       capture_output=True, text=True)
    check(p.returncode == 0 and p.stdout.split() == [str(epm_port)],
          "tshark reads the made ept_map answer as naming port %d: %r" % (epm_port, p.stdout))
    conv = tshark_tcp(epm)
    key = tuple(sorted([(cli, 50301), (srv, epm_port)]))
    # The whole conversation: counted from its first frame on.
    want = from_bind(conv[key], (cli, 50301), (srv, epm_port), conv[key]["first"])[0] if (
        conv and key in conv) else None
    for engine in engines:
        rc, lines, err = replay(xdphunt, engine, [epm], ["--flow-timeout", "3600"])
        recs = [(r["flow"]["pkts_toserver"], r["flow"]["pkts_toclient"],
                 r["flow"]["bytes_toserver"], r["flow"]["bytes_toclient"],
                 epoch(r["flow"]["start"]), epoch(r["flow"]["end"]), r["flow"].get("counted"),
                 r.get("app_proto"))
                for r in lines if r.get("event_type") == "flow" and r.get("dest_port") == epm_port]
        binds = [h for h in lines if h.get("rule") == "dcerpc.bind" and h.get("dest_port") == epm_port]
        check(rc == 0 and want is not None and recs == [want + (None, "dcerpc")] and
              recs[0][:2] == (3, 2) and len(binds) == 1,
              "%s: a flow to the endpoint an ept_map answer named is counted from its SYN: "
              "%s, tshark %s, %d bind hit(s)" % (engine, recs, want, len(binds)))

    for engine in engines:
        rc, lines, err = replay(xdphunt, engine, [idle], ["--flow-timeout", "30"])
        recs = [r for r in lines if r.get("event_type") == "flow"]
        shape = [(r["flow"]["reason"], r["flow"]["pkts_toserver"], r["flow"]["pkts_toclient"],
                  epoch(r["flow"]["start"]) // 1000000 - base,
                  epoch(r["flow"]["end"]) // 1000000 - base, r["src_ip"], r.get("app_proto"))
                 for r in recs]
        want = [("timeout", 2, 1, 0, 1, cli, "smb"), ("shutdown", 1, 1, 101, 102, cli, "smb")]
        check(rc == 0 and shape == want,
              "%s: a flow idle 100 s of capture time with --flow-timeout 30: %s (want %s)" %
              (engine, shape, want))
        connects = [h for h in lines if h.get("rule") == "smb.connect"]
        check(len(connects) == 2 and connects[0]["flow_id"] == recs[0]["flow_id"],
              "%s: the packet after the timeout starts a new flow (smb.connect again): %d hits"
              % (engine, len(connects)))
        rc, lines, err = replay(xdphunt, engine, [idle])
        check(rc == 0 and not [r for r in lines if r.get("event_type") == "flow"],
              "%s: no flow records without --flow-timeout" % engine)

        got = {}
        for gap, path in sweeps.items():
            rc, lines, err = replay(xdphunt, engine, [path])
            got[gap] = [h for h in lines if h.get("rule") == "scan.smb_sweep"]
        check(len(got[1]) == 1 and not got[5],
              "%s: scan.smb_sweep by capture time: 16 hosts in 15 s -> %d hit, in 75 s -> %d"
              % (engine, len(got[1]), len(got[5])))
        # Both files in one run: a sweep is counted within one capture.
        rc, lines, err = replay(xdphunt, engine, [sweeps[5], sweeps[5]])
        check(rc == 0 and not [h for h in lines if h.get("rule") == "scan.smb_sweep"],
              "%s: sweep windows start again with each capture" % engine)

        # Near full, the longest idle flows are written early ("forced")
        # so that the LRU need not evict any without a record.
        for name, timeout in (("flood", "3600"), ("trickle", "10")):
            rc, lines, err = replay(xdphunt, engine, [pace[name]],
                                    ["--flows", "1024", "--flow-timeout", timeout])
            recs = [r for r in lines if r.get("event_type") == "flow"]
            ports = {r["src_port"] for r in recs}
            reasons = collections.Counter(r["flow"]["reason"] for r in recs)
            evicted = re.findall(r"replay: (\d+) flows were evicted", err)
            said = [int(m) for m in re.findall(
                r'replay: (\d+) flows were written early, reason "forced", the least recently '
                r'seen first, to keep the flow table \(--flows 1024\) from filling, in all', err)]
            if name == "flood":
                # Forced in capture order: every forced flow started before
                # every flow left for the shutdown.
                forced = [r["src_port"] for r in recs if r["flow"]["reason"] == "forced"]
                left = [r["src_port"] for r in recs if r["flow"]["reason"] == "shutdown"]
                ok = (said == [reasons["forced"]] and reasons["forced"] >= 3000 - 1024
                      and not reasons["timeout"] and forced and left
                      and max(forced) < min(left))
                flood[engine] = sorted((r["src_port"], r["flow"]["reason"]) for r in recs)
            else:
                ok = not said and not reasons["forced"] and reasons["timeout"] > 2500
            check(rc == 0 and ok and not evicted and len(recs) == 3000 and len(ports) == 3000,
                  "%s: 3000 new flows, --flows 1024, %s with --flow-timeout %s: %d records "
                  "(%s), forced said %s, evicted said %s" % (
                      engine, name, timeout, len(recs), dict(reasons), said, evicted))
    if len(flood) == 2:
        check(flood["native"] == flood["kernel"],
              "the flood's records and reasons are the same from both engines")


def snap_cut(src, dst, snap):
    """Copy classic pcap @src to @dst with every record cut to @snap bytes,
    as `tcpdump -s SNAP` writes it: the original length kept."""
    with open(src, "rb") as f:
        data = f.read()
    endian = "<" if struct.unpack("<I", data[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    out = bytearray(data[:16] + struct.pack(endian + "I", snap) + data[20:24])
    off = 24
    while off + 16 <= len(data):
        ts, tsf, incl, orig = struct.unpack(endian + "IIII", data[off:off + 16])
        rec = data[off + 16:off + 16 + incl][:snap]
        out += struct.pack(endian + "IIII", ts, tsf, len(rec), orig) + rec
        off += 16 + incl
    with open(dst, "wb") as f:
        f.write(out)


def snaplen_part(xdphunt, engines, tmp):
    """A headers-only capture (tcpdump -s 96) of an SMB file copy gives the
    flow records of the whole capture: counted as the wire carried them."""
    src = os.path.join(corpus_dir(), "401trg-20171220_smb_mimikatz_copy.pcap")
    if not os.path.exists(src):
        print("SKIP: flow records: no %s (set XH_CORPUS_DIR)" % src)
        return
    cut = os.path.join(tmp, "cut96.pcap")
    snap_cut(src, cut, 96)
    for engine in engines:
        got = {}
        for name, cap in (("whole", src), ("cut", cut)):
            rc, lines, err = replay(xdphunt, engine, [cap], ["--flow-timeout", "3600",
                                                            "--no-default-ioc"])
            got[name] = sorted((r["src_ip"], r["src_port"], r["dest_ip"], r["dest_port"],
                                r["flow"]["pkts_toserver"], r["flow"]["pkts_toclient"],
                                r["flow"]["bytes_toserver"], r["flow"]["bytes_toclient"])
                               for r in lines if r["event_type"] == "flow")
            if rc != 0:
                got[name] = "exit %d: %s" % (rc, err.strip()[-200:])
        big = [g for g in got["whole"] if isinstance(g, tuple) and g[6] > 100000]
        check(got["whole"] == got["cut"] and big,
              "%s: the capture cut to 96 bytes a record gives the whole capture's %d flow records "
              "(one of %d bytes to the server): %s" % (
                  engine, len(got["whole"]), big[0][6] if big else 0,
                  "same" if got["whole"] == got["cut"] else "cut %s, whole %s" % (got["cut"], got["whole"])))


def epoch_zero_part(xdphunt, engines, tmp):
    """A capture stamped 0 (a pcapng of simple packet blocks has no times,
    and libpcap gives them 0) is stamped 1970-01-01T00:00:00, hits and
    records alike, the same from both engines: not the host's uptime."""
    cli, srv = "192.0.2.10", "198.51.100.20"
    cap = os.path.join(tmp, "epoch0.pcap")
    with open(cap, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for a, b, sp, dp, fl in ((cli, srv, 50000, 445, 0x02), (srv, cli, 445, 50000, 0x12)):
            fr = tcp_frame(a, b, sp, dp, fl)
            f.write(struct.pack("<IIII", 0, 0, len(fr), len(fr)) + fr)
    out = {}
    for engine in engines:
        rc, lines, err = replay(xdphunt, engine, [cap], ["--flow-timeout", "3600",
                                                        "--no-default-ioc"])
        stamps = sorted({(r["event_type"], r["timestamp"]) for r in lines})
        out[engine] = lines
        check(rc == 0 and {t for _, t in stamps} == {"1970-01-01T00:00:00.000000Z"} and
              {e for e, _ in stamps} == {"hunt", "flow"},
              "%s: a capture stamped 0: hits and records at 1970-01-01T00:00:00: %s" % (
                  engine, stamps))
    if len(out) == 2:
        check(out["native"] == out["kernel"], "a capture stamped 0: the same lines from both engines")


def main():
    xdphunt = sys.argv[1]
    engines = ["native"]
    if os.geteuid() == 0:
        engines.append("kernel")
    else:
        print("SKIP: flow records: the kernel engine needs root; native only")
    with tempfile.TemporaryDirectory() as tmp:
        made_part(xdphunt, engines, tmp)
        snaplen_part(xdphunt, engines, tmp)
        epoch_zero_part(xdphunt, engines, tmp)
    corpus_part(xdphunt)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
