#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""profile.py: where the CPU of the live path goes, by kernel symbol and by
BPF source line. Input: `xh_bench jitlines` of the program that ran, and
`perf script -F ip,sym` of cpu-clock samples taken on the receiving CPU.
Output: a JSON record (--json) or a table. Used by scripts/profile.sh.

Percentages are of the samples in which the CPU was busy (idle halts left
out): the receiving CPU also runs the generator's half of the path (veth
transmit, page pool), so "in xdphunt" is xdphunt's share of the whole path."""
import argparse
import bisect
import collections
import json
import sys


def load_jitlines(path):
    funcs, lines = [], []
    with open(path) as f:
        for raw in f:
            raw = raw.rstrip("\n")
            if raw.startswith("F "):
                _, addr, length, name = raw.split(" ", 3)
                funcs.append((int(addr, 16), int(length), name))
            elif raw.startswith("L "):
                _, addr, rest = raw.split(" ", 2)
                loc, _, src = rest.partition("\t")
                lines.append((int(addr, 16), loc, src.strip()))
    funcs.sort()
    lines.sort()
    return funcs, lines


def is_idle(sym):
    return any(k in sym for k in ("halt", "idle", "cpuidle", "mwait", "poll_idle"))


def analyse(funcs, lines, samples):
    starts = [f[0] for f in funcs]
    laddr = [l[0] for l in lines]
    total = busy = in_prog = 0
    by_sym = collections.Counter()
    by_func = collections.Counter()
    by_line = collections.Counter()
    for ip, sym in samples:
        total += 1
        if is_idle(sym):
            continue
        busy += 1
        k = bisect.bisect_right(starts, ip) - 1
        if k >= 0 and ip < funcs[k][0] + funcs[k][1]:
            in_prog += 1
            name = funcs[k][2]
            by_func[name] += 1
            i = bisect.bisect_right(laddr, ip) - 1
            if i >= 0 and lines[i][0] >= funcs[k][0]:
                by_line[(name, lines[i][1], lines[i][2])] += 1
            else:
                by_line[(name, "?", "")] += 1
        else:
            by_sym[sym.split("+")[0]] += 1

    def pct(n):
        return round(100.0 * n / busy, 2) if busy else 0.0

    return {
        "samples": total,
        "busy": busy,
        "xdphunt_pct": pct(in_prog),
        "functions": [{"function": f, "pct": pct(n)} for f, n in by_func.most_common(12)],
        "kernel": [{"symbol": s, "pct": pct(n)} for s, n in by_sym.most_common(8)],
        "lines": [{"function": f, "line": loc, "source": src, "pct": pct(n)}
                  for (f, loc, src), n in by_line.most_common(15)],
    }


def read_samples(path):
    out = []
    with open(path) as f:
        for raw in f:
            p = raw.split(None, 1)
            if len(p) < 2:
                continue
            try:
                out.append((int(p[0], 16), p[1].strip()))
            except ValueError:
                continue
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--jitlines", required=True)
    ap.add_argument("--samples", required=True, help="perf script -F ip,sym output")
    ap.add_argument("--class", dest="cls", default="")
    ap.add_argument("--ns-per-frame", type=float, default=0.0)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    funcs, lines = load_jitlines(a.jitlines)
    if not funcs:
        print("profile: no JIT symbols in %s" % a.jitlines, file=sys.stderr)
        return 1
    r = analyse(funcs, lines, read_samples(a.samples))
    r["kind"] = "profile"
    r["class"] = a.cls
    r["ns_per_frame"] = a.ns_per_frame
    if a.json:
        print(json.dumps(r))
        return 0
    ns = a.ns_per_frame
    print("%s: %d samples, %d busy; xdphunt %.1f%% of the busy CPU%s" %
          (a.cls or "profile", r["samples"], r["busy"], r["xdphunt_pct"],
           " (%.1f of %.1f ns per frame)" % (ns * r["xdphunt_pct"] / 100, ns) if ns else ""))
    print("  BPF functions:")
    for f in r["functions"]:
        print("    %5.1f%%  %s" % (f["pct"], f["function"]))
    print("  kernel, outside the program:")
    for k in r["kernel"]:
        print("    %5.1f%%  %s" % (k["pct"], k["symbol"]))
    print("  BPF source lines:")
    for l in r["lines"]:
        print("    %5.1f%%  %-18s %-28s %s" % (l["pct"], l["function"], l["line"].split("/")[-1],
                                          l["source"][:70]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
