# SPDX-License-Identifier: GPL-2.0
"""hit_windows.py: the oracles' model of xdphunt's per-source windows
(bpf/sweep.bpf.h, bpf/kerberos.bpf.h), and the comparison of the hits a
model predicts with xdphunt's JSON lines. Shared by check_scan.py (port
scans, service sweeps), check_smb.py (smb.brute_force) and check_kerberos.py
(kerberos.brute_force)."""
import datetime


def window_hits(events, threshold, window_s):
    """(time, what, count) of each event of @events that brings its owner's
    count to @threshold within a window of @window_s seconds, as the kernel
    counts (xh_window_add()). @events are (time, owner, item, n, what) in
    capture order: @n is added to @owner's count; with @item not None (a
    scan's port, a sweep's destination) an item counts once per window from
    when it was counted. A window runs from its first count; a count after
    it opens the next from 0, and one stamped before the window's start (a
    capture out of order) belongs to it."""
    out, seen, win = [], {}, {}
    for t, owner, item, n, what in events:
        if item is not None:
            if (owner, item) in seen and t - seen[(owner, item)] < window_s:
                continue
            seen[(owner, item)] = t
        start, count = win.get(owner, (t, 0))
        if t - start >= window_s:
            start, count = t, 0
        if count < threshold <= count + n:
            out.append((t, what, count + n))
        win[owner] = (start, count + n)
    return out


def epoch(iso):
    """JSON timestamp (…Z, microseconds) -> seconds since the epoch."""
    d = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ")
    return d.replace(tzinfo=datetime.timezone.utc).timestamp()


def compare_flows(got, want, live=False):
    """Problems between xdphunt's hits @got and a model's @want, each a list
    of (time in s, flow). Replay stamps a hit with its packet's capture time
    (to the microsecond); @live: `run` stamps the kernel's time, so only the
    flows are compared."""
    key = (lambda r: r[1]) if live else (lambda r: (round(r[0] * 1e6), r[1]))
    gk = sorted(key(g) for g in got)
    wk = sorted(key(w) for w in want)
    if live:
        if gk != wk:
            return ["hits %s, tshark's %s" % (gk[:4], wk[:4])]
    elif len(gk) != len(wk) or any(abs(a[0] - b[0]) > 1 or a[1] != b[1]
                                   for a, b in zip(gk, wk)):
        return ["hits %s, tshark's %s" % (gk[:4], wk[:4])]
    return []
