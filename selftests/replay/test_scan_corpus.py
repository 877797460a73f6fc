#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# test_scan_corpus.py XDPHUNT: scan.port_scan and scan.service_sweep on the
# public corpus, tshark the oracle (selftests/e2e/check_scan.py says what is
# checked), on both engines.
#
# The corpus holds no port scan that reaches the default threshold (16
# ports of a host in a minute): its lateral movement (wmiexec, smbexec,
# DCOM) opens 4-8 ports of a target. So the default must find nothing, and
# lower thresholds must find exactly the pairs tshark's SYNs bring to them,
# which tells the counting apart where a real capture has retransmitted
# SYNs, several connections to one port and clocks out of order. Nor does
# it hold a sweep of a remote-administration port: its 449 SYNs to them
# bring one source to two hosts in a minute; with the web's ports watched
# too (--service-sweep-ports), lower thresholds find up to 7.
import concurrent.futures
import glob
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "selftests", "e2e"))
sys.path.insert(0, os.path.join(ROOT, "selftests", "lib"))
from check_scan import (DEFAULT, PORT_SCAN, SERVICE_PORTS, SERVICE_SWEEP,  # noqa: E402
                        compare, port_scan_windows, service_sweep_windows, probe_rows)
from pycheck import replay_by_capture as replay  # noqa: E402

# (option value or None for the default, threshold, window)
# and 'off', which must find nothing where 2/1 finds the most
SETTINGS = ((None,) + DEFAULT, ("6/60", 6, 60), ("4/60", 4, 60), ("3/5", 3, 5), ("2/1", 2, 1),
            ("off", None, None))
# scan.service_sweep: (--service-sweep-ports or None, its ports, the settings)
WEB_PORTS = (80, 443) + SERVICE_PORTS
SWEEP_SETTINGS = ((None, SERVICE_PORTS, ((None,) + DEFAULT, ("2/60", 2, 60))),
                  (",".join(map(str, WEB_PORTS)), WEB_PORTS,
                   ((None,) + DEFAULT, ("4/60", 4, 60), ("3/60", 3, 60), ("2/60", 2, 60),
                    ("off", None, None))))


def run_setting(xh, engines, caps, busy, args, label, want, threshold, window, rule, rows):
    """Replay with @args on each engine (the kernel's on @busy only) and
    compare with tshark's @want and probes @rows (per capture); the number
    of failures."""
    fails = 0
    for engine in engines:
        mine = caps if engine == "native" else busy
        rc, got = replay(xh, mine, engine, args)
        lab = "scan_corpus: %s %s" % (engine, label)
        if rc != 0:
            print("FAIL: %s: replay exited %d" % (lab, rc))
            fails += 1
            continue
        bad = []
        for c in mine:
            name = os.path.basename(c)
            for p in compare(want[c], got.get(name, []), threshold, window, rule=rule,
                             rows=rows[c]):
                bad.append("%s: %s" % (name, p))
        if bad:
            fails += 1
            print("FAIL: %s: %s" % (lab, "; ".join(bad[:4])))
        else:
            print("PASS: %s: %d captures, %d hits as tshark's probes make" %
                  (lab, len(mine), sum(len(want[c]) for c in mine)))
    return fails


def main():
    xh = sys.argv[1]
    corpus = os.environ.get("XH_CORPUS_DIR") or os.path.join(
        os.environ.get("XH_SHARED_DIR", os.path.join(ROOT, "..", "shared")), "corpus", "public")
    if not os.path.isdir(corpus):
        print("SKIP: scan_corpus: no corpus at %s" % corpus)
        return 0
    caps = sorted(f for f in glob.glob(os.path.join(corpus, "*.pcap*"))
                  if not f.endswith(".json"))
    # tshark takes half a second to start: two at a time
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        rows = dict(zip(caps, ex.map(probe_rows, caps)))
    engines = ["native"] + (["kernel"] if os.geteuid() == 0 else [])
    if os.geteuid() != 0:
        print("SKIP: scan_corpus: the kernel engine needs root")
    # the kernel engine on the captures with client probes to two ports of a
    # host within a second, the most any setting finds (the native engine
    # gives the same lines on every capture: test_native_engine.py)
    busy = [c for c in caps if port_scan_windows(rows[c], 2, 1)]
    fails, totals = 0, []
    for value, threshold, window in SETTINGS:
        args = ["--port-scan", value] if value else []
        want = {c: port_scan_windows(rows[c], threshold, window) if threshold else []
                for c in caps}
        totals.append(sum(len(w) for w in want.values()))
        fails += run_setting(xh, engines, caps, busy, args,
                             "--port-scan %s" % (value or "(default)"), want, threshold, window,
                             PORT_SCAN, rows)
    print("# scan corpus: %d captures, %d client probes; hits per setting %s" %
          (len(caps), sum(len(r) for r in rows.values()), totals))
    if totals[0] != 0 or totals[-1] != 0 or not (totals[-2] > totals[1] > 0):
        print("FAIL: scan_corpus: the default should find nothing on the corpus and the lower "
              "thresholds more and more (%s)" % totals)
        fails += 1
    sweeps = []
    for ports_opt, ports, settings in SWEEP_SETTINGS:
        # the kernel engine on the captures with SYNs from one source to
        # two hosts on a watched port, the most any setting finds
        busy = [c for c in caps if service_sweep_windows(rows[c], 2, 60, ports)]
        for value, threshold, window in settings:
            args = (["--service-sweep-ports", ports_opt] if ports_opt else []) + (
                ["--service-sweep", value] if value else [])
            want = {c: service_sweep_windows(rows[c], threshold, window, ports)
                    if threshold else [] for c in caps}
            sweeps.append(sum(len(w) for w in want.values()))
            fails += run_setting(xh, engines, caps, busy, args, " ".join(args) or
                                 "--service-sweep (default)", want, threshold, window,
                                 SERVICE_SWEEP, rows)
    print("# service sweeps per setting %s" % sweeps)
    if sweeps[0] != 0 or sweeps[-1] != 0 or max(sweeps) < 5:
        print("FAIL: scan_corpus: the default should find no service sweep on the corpus, the "
              "web's ports at lower thresholds several (%s)" % sweeps)
        fails += 1
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
