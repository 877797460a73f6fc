#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# check_scan.py: tshark as the oracle of scan.port_scan and
# scan.service_sweep.
#
# tshark lists every client probe of a capture (a TCP segment with neither
# ACK nor RST: a SYN, or a stealth scan's FIN, NULL or Xmas probe; an
# empty UDP datagram, nmap -sU's; and the UDP datagram an ICMP port
# unreachable quotes back to its sender, off traceroute's ports, taken as
# that sender's probe at the error's time); a (source, destination) pair's distinct
# destination ports of each protocol are counted as
# bpf/sweep.bpf.h counts them (port_scan_windows()), and the probe that brings
# them to the threshold within a window is to be one hit of xdphunt, with
# that probe's addresses, ports and flags, the count, threshold and window; no other
# such hit may exist. Likewise a (source, port)'s distinct destinations
# among the watched ports (service_sweep_windows()).
#
# check_scan.py CAPTURE HITS [--port-scan COUNT/SECS] [--want N] [--live]
#   (the lab's use: HITS are `xdphunt replay` or `run` lines of CAPTURE)
import argparse
import ipaddress
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hit_windows import compare_flows, epoch, window_hits  # noqa: E402

DEFAULT = (16, 60)  # bpf/sweep.bpf.h: xh_cfg_portscan_threshold, _window_ns
# user/loader.h's LOADER_SVCSWEEP_PORTS, and the names user/sweep.c gives them
SERVICE_PORTS = (22, 135, 3389, 5900, 5985, 5986)
SERVICE_NAMES = {22: "ssh", 135: "rpc", 3389: "rdp", 5900: "vnc", 5985: "winrm", 5986: "winrm"}
# (rule, the scan object's count, the service a hit names from its port
# and protocol)
PORT_SCAN = ("scan.port_scan", "distinct_ports", lambda port, proto: proto.lower())
SERVICE_SWEEP = ("scan.service_sweep", "distinct_destinations",
                 lambda port, proto: SERVICE_NAMES.get(port, "tcp"))
# Client probes (bpf/parse.h xh_tcp_probe(), xh_udp_probe()), not those an
# ICMP error quotes (tshark dissects the quote).
PROBE_FILTER = ("((tcp.flags.ack == 0 && tcp.flags.reset == 0) || udp.length == 8) && "
                "!icmp && !icmpv6")
# A closed UDP port's answer (bpf/icmp_quote.bpf.h): port unreachable,
# quoting a UDP datagram, which tshark dissects
UNREACHABLE_FILTER = "((icmp.type == 3 && icmp.code == 3) || (icmpv6.type == 1 && icmpv6.code == 4)) && udp"
# bpf/icmp_quote.bpf.h XH_TRACEROUTE_PORT_LO, _HI: a UDP traceroute's
TRACEROUTE_PORTS = range(33434, 33534 + 1)
FIELDS = ["frame.time_epoch", "ip.src", "ipv6.src", "tcp.srcport", "udp.srcport", "ip.dst",
          "ipv6.dst", "tcp.dstport", "udp.dstport", "tcp.flags", "icmp.type", "icmpv6.type"]
# user/sweep.c sweep_probe_name(): nmap's names of its scans' probes
PROBES = {0x02: "syn", 0x01: "fin", 0x00: "null", 0x29: "xmas"}
# probe_rows()'s flags of a datagram its target answered port unreachable
UNREACHABLE = "unreachable"


def probe_rows(cap):
    """(time, src, sport, dst, dport, tcp flags, protocol) of each client
    probe tshark reads in @cap: "TCP" with its flags, or "UDP" with None (an
    empty datagram) or UNREACHABLE (a datagram an ICMP port unreachable
    quotes back to its sender, at the error's time). A frame with two IP
    headers (a tunnel) is left out: xdphunt reads the outer one, which
    carries no probe; an ICMP error's two are the error's and its quote's."""
    cmd = ["tshark", "-n", "-r", cap, "-Y", "(%s) || (%s)" % (PROBE_FILTER, UNREACHABLE_FILTER),
           "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|"]
    for f in FIELDS:
        cmd += ["-e", f]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError("tshark -r %s: %s" % (cap, p.stderr[-300:]))
    rows = []
    for line in p.stdout.splitlines():
        t, s4, s6, tsp, usp, d4, d6, tdp, udp, fl, it, i6t = line.split("\t")
        sp, dp = tsp or usp, tdp or udp
        if it or i6t:
            # the error's addresses, then its quote's
            src, dst = (s4, d4) if it else (s6, d6)
            if src.count("|") != 1 or dst.count("|") != 1 or "|" in sp + dp:
                continue
            (_, qsrc), (edst, qdst) = src.split("|"), dst.split("|")
            if edst != qsrc or int(dp) in TRACEROUTE_PORTS:
                continue
            rows.append((float(t), str(ipaddress.ip_address(qsrc)), int(sp),
                         str(ipaddress.ip_address(qdst)), int(dp), UNREACHABLE, "UDP"))
            continue
        if "|" in line or not (sp and dp) or (tsp and usp):
            continue
        rows.append((float(t), str(ipaddress.ip_address(s4 or s6)), int(sp),
                     str(ipaddress.ip_address(d4 or d6)), int(dp),
                     int(fl, 16) if tsp else None, "TCP" if tsp else "UDP"))
    return rows


def port_scan_windows(rows, threshold, window_s):
    """(time, (src, sport, dst, dport, proto), count) of the probes of
    @rows (in capture order) that bring their pair's distinct destination
    ports of one protocol to @threshold within a window of @window_s seconds
    (window_hits())."""
    return window_hits(((t, (src, dst, proto), dport, 1, (src, sport, dst, dport, proto))
                        for t, src, sport, dst, dport, _, proto in rows), threshold, window_s)


def service_sweep_windows(rows, threshold, window_s, ports=SERVICE_PORTS,
                          group=lambda port: port):
    """As port_scan_windows(), for the probes of @rows to @ports: a (source,
    port)'s distinct destinations; @group(port) names the sweep a port
    belongs to (SMB's 445 and 139 are one)."""
    return window_hits(((t, (src, group(dport)), dst, 1, (src, sport, dst, dport, proto))
                        for t, src, sport, dst, dport, _, proto in rows
                        if dport in ports and proto == "TCP"), threshold, window_s)


def hit_rows(lines, rule=PORT_SCAN):
    """(time in s, flow, count, threshold, window_s) of the @rule lines
    among @lines."""
    out = []
    for line in lines:
        h = json.loads(line)
        if h.get("rule") != rule[0]:
            continue
        s = h["scan"]
        out.append((epoch(h["timestamp"]),
                    (h["src_ip"], h["src_port"], h["dest_ip"], h["dest_port"], h["proto"]),
                    s[rule[1]], s["threshold"], s["window_s"], h))
    return out


def probe_name(flags):
    """user/sweep.c sweep_probe_name() of TCP @flags (ECN's bits aside),
    or of a UDP probe (@flags None or UNREACHABLE)."""
    if flags is None or flags == UNREACHABLE:
        return flags or "empty"
    return PROBES.get(flags & 0x3f, "other")


def probe_json(flags):
    """The scan object's (probe, tcp_flags) of a probe with @flags."""
    return (probe_name(flags), "%02x" % flags if isinstance(flags, int) else None)


def compare(want, lines, threshold, window_s, live=False, rule=PORT_SCAN, rows=None):
    """Problems between tshark's hits @want (port_scan_windows(), or
    service_sweep_windows() for @rule SERVICE_SWEEP) and the JSON @lines.
    @live: `run`'s lines, whose times are not compared (compare_flows()).
    @rows (probe_rows()): a hit's probe and tcp_flags are to be those of a
    probe of its flow."""
    problems = []
    got = hit_rows(lines, rule)
    flags = {}
    for r in rows or []:
        flags.setdefault(r[1:5] + r[6:7], set()).add(r[5])
    for _, flow, _, _, _, h in got if rows is not None else []:
        s = h["scan"]
        mine = (s.get("probe"), s.get("tcp_flags"))
        if mine not in {probe_json(f) for f in flags.get(flow, ())}:
            problems.append("%s: probe %s, tshark's probes of the flow %s" %
                            (flow, mine, sorted(flags.get(flow, ()), key=str)))
    for _, flow, n, th, w, h in got if threshold else []:
        if (n, th, w) != (threshold, threshold, window_s):
            problems.append("%s: count/threshold/window %s, want %s" %
                            (flow, (n, th, w), (threshold, threshold, window_s)))
        att = h.get("attack") or {}
        if att.get("technique_id") != "T1046" or h["scan"].get("service") != rule[2](
                flow[3], flow[4]):
            problems.append("%s: attack %s, scan %s" % (flow, att, h["scan"]))
    problems += compare_flows([g[:2] for g in got], [w[:2] for w in want], live)
    return problems


def parse_setting(v):
    th, w = v.split("/")
    return int(th), int(w)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("capture")
    ap.add_argument("hits")
    ap.add_argument("--port-scan", default="%d/%d" % DEFAULT)
    ap.add_argument("--want", type=int, default=0, help="at least this many scanned pairs")
    ap.add_argument("--live", action="store_true", help="HITS are `run`'s: no time compared")
    a = ap.parse_args()
    threshold, window = parse_setting(a.port_scan)
    rows = probe_rows(a.capture)
    want = port_scan_windows(rows, threshold, window)
    problems = compare(want, open(a.hits).read().splitlines(), threshold, window, a.live,
                       rows=rows)
    if len(want) < a.want:
        problems.append("tshark's probes make %d scan hits, want %d" % (len(want), a.want))
    for p in problems:
        print("FAIL: port_scan: %s" % p)
    if not problems:
        probes = sorted({probe_name(r[5]) for r in rows})
        print("PASS: port_scan: %d pairs reach %d ports within %d s in tshark's probes (%s): "
              "%d hits with their probes, no other" % (len(want), threshold, window,
                                                       ",".join(probes), len(want)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
