#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# test_windows.py XDPHUNT: the per-source windows' options, --smb-sweep,
# --service-sweep (and --service-sweep-ports) and --smb-brute-force
# COUNT/SECS (and 'off'), in both replay engines, with tshark as the oracle
# of what each setting should find.
#
# 1. smb.brute_force on the corpus's real burst of failed SMB logons
#    (elcabezzonn-aug19.pcapng: 2822 in 24 s): for each setting, the hits
#    are the answers tshark's failed session setups bring to COUNT within
#    SECS per client, counted as the kernel counts (check_smb.py's
#    brute_force_windows()): the same frames (by time), flows and counts,
#    "threshold" and "window_s" as given, none with 'off'; and each hit's
#    "accounts" (the distinct accounts its client named in the window) and
#    technique (guessing, spraying) as tshark's logons of that client say.
# 2. scan.smb_sweep on a made capture: one source sweeping 40 servers 1.5 s
#    apart (a retransmitted SYN, some to 139), one client of one server
#    opening 30 connections, one source reaching 12 servers: the hits are
#    the SYNs tshark lists that bring a source's distinct servers to COUNT
#    within SECS (a server counts once per window).
# 3. scan.service_sweep on a made capture: one source sweeping 40 hosts on
#    RDP and 20 on SSH (and 20 on SMB, which is scan.smb_sweep's), one on
#    8443, a busy WinRM client of one server, 12 hosts on VNC: per source
#    and port, as 2., over the default ports and over --service-sweep-ports
#    8443 and with 3389 made an SMB port (--smb-ports), which leaves it out;
#    each hit's "service" names its port.
# 4. kerberos.brute_force on the corpus's kerbrute spray
#    (pcap-attack-CA_kerbrute_passwordspray_kerberos_AS-REQ.pcapng: 7
#    unknown principals and 2 failed pre-authentications in 12 ms) at each
#    setting, and on every corpus capture at 2/60 (the other KDCs' answers:
#    PREAUTH_REQUIRED, RESPONSE_TOO_BIG, which must not count): the hits are
#    the KRB-ERRORs tshark reads with those codes that bring their client to
#    COUNT within SECS; each hit's "accounts" and technique are those of the
#    cnames in the AS-REQs tshark reads on the failures' flows (7 and 9
#    accounts: spraying); and on every capture, kerberos.no_preauth's hits
#    are the AS-REPs tshark reads that answer an AS-REQ without
#    pre-authentication (zeek-aduser1.pcap's User1), naming their client,
#    and kerberos.weak_ticket's the flows of the TGS-REPs whose ticket
#    tshark reads in RC4 or DES for a service other than krbtgt (the
#    skeleton-key capture's cifs ticket in RC4), naming client, service and
#    etype, and kerberos.weak_request's the flows of the TGS-REQs whose
#    etype list tshark reads with RC4 or DES first (zeek-aduser1.pcap's
#    Impacket request for ldap/WIN-VGO56I95EAK, its req-body across two
#    segments; every Windows client lists AES first), naming service and
#    etypes.
# The corpus part says SKIP without the corpus; the kernel engine SKIPs
# without root.
import concurrent.futures
import datetime
import glob
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
sys.path.insert(0, HERE)
from check_smb import BRUTE_THRESHOLD, BRUTE_WINDOW_S, brute_force_windows  # noqa: E402
from check_kerberos import (compare_no_preauth, compare_weak_request,  # noqa: E402
                            compare_weak_ticket, krb_accounts, krb_failures, krb_messages,
                            krb_requests, krb_windows, no_preauth_hits, weak_request_hits,
                            weak_ticket_hits)
from check_scan import service_sweep_windows, probe_rows  # noqa: E402
from check_ntlm import hit_time, logon_times, want_accounts  # noqa: E402
from pcapgen import tcp_frame, write_pcap  # noqa: E402
from pycheck import replay_by_capture  # noqa: E402
from test_native_engine import corpus_dir, replay  # noqa: E402

BRUTE_CAPTURE = "elcabezzonn-aug19.pcapng"
SWEEP_THRESHOLD, SWEEP_WINDOW_S = 16, 60  # bpf/sweep.bpf.h's defaults
# (option value or None for the default, threshold, window): settings under,
# at and over the burst's rate, and off
BRUTE_SETTINGS = ((None, BRUTE_THRESHOLD, BRUTE_WINDOW_S), ("3000/60", 3000, 60),
                  ("2822/60", 2822, 60), ("100/5", 100, 5), ("25/1", 25, 1),
                  ("off", None, None))
SWEEP_SETTINGS = ((None, SWEEP_THRESHOLD, SWEEP_WINDOW_S), ("40/60", 40, 60),
                  ("41/60", 41, 60), ("5/10", 5, 10), ("12/20", 12, 20), ("off", None, None))
KRB_CAPTURE = "pcap-attack-CA_kerbrute_passwordspray_kerberos_AS-REQ.pcapng"
KRB_SETTINGS = ((None, 10, 60), ("9/60", 9, 60), ("10/60", 10, 60), ("5/60", 5, 60),
                ("2/1", 2, 1), ("off", None, None))
SMB_PORTS = (445, 139)
# user/loader.h's LOADER_SVCSWEEP_PORTS, and the names user/sweep.c gives them
SERVICE_PORTS = (22, 135, 3389, 5900, 5985, 5986)
SERVICE_NAMES = {22: "ssh", 135: "rpc", 3389: "rdp", 5900: "vnc", 5985: "winrm", 5986: "winrm"}
fails = 0


def result(ok, name, why=""):
    global fails
    if ok:
        print("PASS: windows: " + name)
    else:
        fails += 1
        print("FAIL: windows: %s: %s" % (name, why))


def usec(iso):
    """JSON timestamp (…Z, microseconds) -> microseconds since the epoch."""
    d = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ")
    d = d.replace(tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * 1000000 + d.microsecond


def got_hits(out, rule, key):
    """(time in us, flow, count, threshold, window_s) of @rule's hits."""
    got = []
    for line in out.decode(errors="replace").splitlines():
        h = json.loads(line)
        if h.get("rule") != rule:
            continue
        o = h[key]
        got.append((usec(h["timestamp"]), (h["src_ip"], h["src_port"], h["dest_ip"],
                                          h["dest_port"]),
                    o["failed_logons" if key == "brute_force" else "distinct_destinations"],
                    o["threshold"], o["window_s"]))
    return sorted(got)


def check_accounts(out, logons, label):
    """Each smb.brute_force hit's "accounts" and technique against tshark's
    logons of its client."""
    bad, n = [], 0
    for line in out.decode(errors="replace").splitlines():
        h = json.loads(line)
        if h.get("rule") != "smb.brute_force":
            continue
        bf = h["brute_force"]
        want = want_accounts(logons, h["src_ip"], hit_time(h), bf["window_s"],
                             bf["failed_logons"])
        got = (bf.get("accounts", 0), h["attack"]["technique_id"])
        n += 1
        if got != want:
            bad.append("%s at %s: %s, want %s" % (h["src_ip"], h["timestamp"], got, want))
    result(n and not bad, "%s: %d brute-force hits name tshark's count of accounts tried and "
           "its technique" % (label, n), "; ".join(bad[:3]) or "no hit")


def check_krb_accounts(out, failures, requests, threshold, window, label):
    """Each kerberos.brute_force hit's "accounts" and technique against
    the cnames of tshark's AS-REQs on its client's failed flows."""
    want = krb_accounts(failures, requests, threshold, window)
    bad, n = [], 0
    for line in out.decode(errors="replace").splitlines():
        h = json.loads(line)
        if h.get("rule") != "kerberos.brute_force":
            continue
        flow = (h["src_ip"], h["src_port"], h["dest_ip"], h["dest_port"])
        got = (h["brute_force"].get("accounts", 0), h["attack"]["technique_id"])
        n += 1
        if got != want.get(flow):
            bad.append("%s: %s, want %s" % (flow, got, want.get(flow)))
    result(n and not bad, "%s: %d hits name the accounts of tshark's AS-REQs (%s) and their "
           "technique" % (label, n, sorted(set(want.values()))), "; ".join(bad[:3]) or "no hit")


def want_hits(found, threshold, window):
    """The oracle's (time, flow, count) as got_hits() shows them."""
    return sorted((round(t * 1e6), flow, n, threshold, window) for t, flow, n in found)


def same(got, want):
    """Equal, the times within a microsecond (tshark's float epoch)."""
    return len(got) == len(want) and all(
        abs(g[0] - w[0]) <= 1 and g[1:] == w[1:] for g, w in zip(got, want))


def sweep_windows(pcap, threshold, window_s, ports=SMB_PORTS):
    """(time, flow, count) of the client SYNs to @ports that bring their
    source's distinct destinations to @threshold within a window of
    @window_s seconds, as bpf/sweep.bpf.h counts them (check_scan.py):
    SMB's ports as one sweep, any other port its own. Flows without their
    protocol (TCP's), as got_hits() gives them."""
    return [(t, flow[:4], n) for t, flow, n in service_sweep_windows(
        probe_rows(pcap), threshold, window_s, ports,
        lambda port: "smb" if port in SMB_PORTS else port)]


def sweep_capture(path):
    frames = []
    for i in range(40):  # a sweep of 40 servers, 1.5 s apart, every fourth on 139
        t = 10 + i * 1.5
        dst = "198.51.100.%d" % (i + 1)
        frames.append((t, tcp_frame("203.0.113.7", dst, 40000 + i, 139 if i % 4 == 3 else 445)))
        frames.append((t + 0.01, tcp_frame(dst, "203.0.113.7", 139 if i % 4 == 3 else 445,
                                           40000 + i, 0x12)))
        if i == 3:  # a retransmitted SYN: the same server again
            frames.append((t + 0.3, tcp_frame("203.0.113.7", dst, 40000 + i, 139)))
    for i in range(30):  # a busy client of one server
        frames.append((12 + i, tcp_frame("192.0.2.20", "198.51.100.200", 50000 + i, 445)))
    for i in range(12):  # a smaller sweep
        frames.append((20 + i, tcp_frame("192.0.2.30", "203.0.113.%d" % (i + 1), 30000 + i,
                                         445)))
    frames.sort(key=lambda f: f[0])
    write_pcap(path, frames)


def service_capture(path):
    frames = []
    for i in range(40):  # RDP to 40 hosts and SSH to the first 20, 1.5 s apart
        t = 10 + i * 1.5
        dst = "198.51.100.%d" % (i + 1)
        frames.append((t, tcp_frame("203.0.113.7", dst, 40000 + i, 3389)))
        frames.append((t + 0.01, tcp_frame(dst, "203.0.113.7", 3389, 40000 + i, 0x12)))
        if i == 3:  # a retransmitted SYN: the same host again
            frames.append((t + 0.3, tcp_frame("203.0.113.7", dst, 40000 + i, 3389)))
        if i < 20:  # SSH and SMB: each its own sweep
            frames.append((t + 0.5, tcp_frame("203.0.113.7", dst, 41000 + i, 22)))
            frames.append((t + 0.6, tcp_frame("203.0.113.7", dst, 42000 + i, 445)))
    for i in range(30):  # a port no default lists
        frames.append((11 + i, tcp_frame("192.0.2.40", "198.51.100.%d" % (i + 100), 43000 + i,
                                         8443)))
    for i in range(30):  # a busy WinRM client of one server
        frames.append((12 + i, tcp_frame("192.0.2.20", "198.51.100.200", 50000 + i, 5985)))
    for i in range(12):  # a smaller sweep
        frames.append((20 + i, tcp_frame("192.0.2.30", "203.0.113.%d" % (i + 1), 30000 + i,
                                         5900)))
    frames.sort(key=lambda f: f[0])
    write_pcap(path, frames)


def check_services(out, label):
    """Each scan.service_sweep hit's "service" names its port."""
    bad = []
    for line in out.decode(errors="replace").splitlines():
        h = json.loads(line)
        if h.get("rule") == "scan.service_sweep":
            want = SERVICE_NAMES.get(h["dest_port"], "tcp")
            if h["scan"]["service"] != want:
                bad.append("%d: %s, want %s" % (h["dest_port"], h["scan"]["service"], want))
    result(not bad, "%s: each hit names its port's service" % label, "; ".join(bad[:3]))


def check(xh, engine, name, pcap, settings, opt, rule, key, oracle, logons=None, extra=(),
          krb=None):
    """Replay @pcap with each setting of @opt (and the options @extra);
    returns the oracle's hit counts, so the caller can see the settings tell
    something apart. With @logons (SMB) or @krb (Kerberos: tshark's
    failures and AS-REQs), the brute-force hits' accounts too."""
    counts = []
    for value, threshold, window in settings:
        args = list(extra) + ([opt, value] if value else [])
        rc, out = replay(xh, engine, [pcap], args)
        label = "%s %s %s %s" % (engine, name, " ".join(extra + (opt, )), value or "(default)")
        if rc != 0:
            result(False, label, "exit %d" % rc)
            continue
        got = got_hits(out, rule, key)
        want = want_hits(oracle(threshold, window), threshold, window) if threshold else []
        counts.append(len(want))
        result(same(got, want), "%s: %d hits as tshark's %d" % (label, len(got), len(want)),
               "got %s, want %s" % (got[:4], want[:4]))
        if logons is not None and want:
            check_accounts(out, logons, label)
        if krb is not None and want:
            check_krb_accounts(out, krb[0], krb[1], threshold, window, label)
        if rule == "scan.service_sweep" and want:
            check_services(out, label)
    return counts


def varied(name, counts):
    """The settings must find none, one and several hits on the capture, or
    the comparison could not tell a threshold from another."""
    result(0 in counts and 1 in counts and max(counts) > 1,
           "%s: the settings find none, one and several hits (%s)" % (name, counts))


def main():
    xh = sys.argv[1]
    engines = ["native"] + (["kernel"] if os.geteuid() == 0 else [])
    if os.geteuid() != 0:
        print("SKIP: windows: the kernel engine needs root")
    with tempfile.TemporaryDirectory() as tmp:
        sweep = os.path.join(tmp, "sweep.pcap")
        sweep_capture(sweep)
        for e in engines:
            counts = check(xh, e, "made sweep", sweep, SWEEP_SETTINGS, "--smb-sweep",
                           "scan.smb_sweep", "scan", lambda th, w: sweep_windows(sweep, th, w))
        varied("made sweep", counts)
        svc = os.path.join(tmp, "service.pcap")
        service_capture(svc)
        for e in engines:
            counts = check(xh, e, "made service sweep", svc, SWEEP_SETTINGS, "--service-sweep",
                           "scan.service_sweep", "scan",
                           lambda th, w: sweep_windows(svc, th, w, SERVICE_PORTS))
            counts += check(xh, e, "made service sweep", svc, SWEEP_SETTINGS[:2],
                            "--service-sweep", "scan.service_sweep", "scan",
                            lambda th, w: sweep_windows(svc, th, w, (8443, )),
                            extra=("--service-sweep-ports", "8443"))
            # a default port that --smb-ports makes SMB's is scan.smb_sweep's
            counts += check(xh, e, "made service sweep", svc, SWEEP_SETTINGS[:1],
                            "--service-sweep", "scan.service_sweep", "scan",
                            lambda th, w: sweep_windows(svc, th, w, (22, 135, 5900, 5985, 5986)),
                            extra=("--smb-ports", "445,139,3389"))
        varied("made service sweep", counts)
    krb = os.path.join(corpus_dir(), KRB_CAPTURE)
    if os.path.exists(krb):
        msgs_krb = krb_messages(krb)
        fails_krb = krb_failures(msgs_krb)
        reqs_krb = krb_requests(msgs_krb)
        for e in engines:
            counts = check(xh, e, KRB_CAPTURE, krb, KRB_SETTINGS, "--kerberos-brute-force",
                           "kerberos.brute_force", "brute_force",
                           lambda th, w: krb_windows(fails_krb, th, w),
                           krb=(fails_krb, reqs_krb))
        # one client, its failures within 12 ms: one window, one hit at most
        result(0 in counts and 1 in counts, "%s: the settings find none and one hit (%s)" %
               (KRB_CAPTURE, counts))
        # every capture at 2/60: the hits are on the captures tshark's
        # failures make them on, none elsewhere
        caps = sorted(f for f in glob.glob(os.path.join(corpus_dir(), "*.pcap*"))
                      if not f.endswith(".json"))
        want_n = got_n = roast_n = ticket_n = request_n = 0
        bad = []
        # tshark takes half a second to start: two at a time
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
            msgs = dict(zip(caps, ex.map(krb_messages, caps)))
        failures = {c: krb_failures(m) for c, m in msgs.items()}
        requests = {c: krb_requests(m) for c, m in msgs.items()}
        roasts = {c: no_preauth_hits(m) for c, m in msgs.items()}
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
            tickets = dict(zip(caps, ex.map(weak_ticket_hits, caps, [msgs[c] for c in caps])))
            weak_reqs = dict(zip(caps, ex.map(weak_request_hits, caps,
                                              [msgs[c] for c in caps])))
        rc, by_cap = replay_by_capture(xh, caps, "native", ["--kerberos-brute-force", "2/60"])
        for c in caps if rc == 0 else []:
            want = want_hits(krb_windows(failures[c], 2, 60), 2, 60)
            got = got_hits("\n".join(by_cap.get(os.path.basename(c), [])).encode(),
                           "kerberos.brute_force", "brute_force")
            want_n += len(want)
            got_n += len(got)
            if not same(got, want):
                bad.append("%s: %s, want %s" % (os.path.basename(c), got, want))
            out = "\n".join(by_cap.get(os.path.basename(c), []))
            roast_n += len(roasts[c])
            bad += ["%s: %s" % (os.path.basename(c), p)
                    for p in compare_no_preauth(roasts[c], out.splitlines())]
            ticket_n += len(tickets[c])
            bad += ["%s: %s" % (os.path.basename(c), p)
                    for p in compare_weak_ticket(tickets[c], out.splitlines())]
            request_n += len(weak_reqs[c])
            bad += ["%s: %s" % (os.path.basename(c), p)
                    for p in compare_weak_request(weak_reqs[c], out.splitlines())]
            acc = krb_accounts(failures[c], requests[c], 2, 60)
            for line in out.splitlines():
                h = json.loads(line)
                if h.get("rule") != "kerberos.brute_force":
                    continue
                flow = (h["src_ip"], h["src_port"], h["dest_ip"], h["dest_port"])
                got_acc = (h["brute_force"].get("accounts", 0), h["attack"]["technique_id"])
                if got_acc != acc.get(flow):
                    bad.append("%s: %s accounts and technique %s, want %s" % (
                        os.path.basename(c), flow, got_acc, acc.get(flow)))
        if rc != 0:
            bad.append("replay exited %d" % rc)
        result(not bad and want_n >= 1 and roast_n >= 1 and ticket_n >= 1 and request_n >= 1,
               "corpus --kerberos-brute-force 2/60: %d captures, %d hits as tshark's %d, with "
               "its AS-REQs' accounts; kerberos.no_preauth as tshark's %d AS-REPs to requests "
               "without pre-authentication; kerberos.weak_ticket as its %d TGS-REPs with an "
               "RC4 or DES ticket; kerberos.weak_request as its %d TGS-REQs preferring RC4 "
               "or DES" % (len(caps), got_n, want_n, roast_n, ticket_n, request_n),
               "; ".join(bad[:3]))
    else:
        print("SKIP: windows: no %s in the corpus (%s)" % (KRB_CAPTURE, corpus_dir()))
    cap = os.path.join(corpus_dir(), BRUTE_CAPTURE)
    if not os.path.exists(cap):
        print("SKIP: windows: no %s in the corpus (%s)" % (BRUTE_CAPTURE, corpus_dir()))
        return 1 if fails else 0
    logons = logon_times(cap)
    for e in engines:
        counts = check(xh, e, BRUTE_CAPTURE, cap, BRUTE_SETTINGS, "--smb-brute-force",
                       "smb.brute_force", "brute_force",
                       lambda th, w: brute_force_windows(cap, (), th, w), logons)
    varied(BRUTE_CAPTURE, counts)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
