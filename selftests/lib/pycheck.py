# SPDX-License-Identifier: GPL-2.0
"""pycheck.py: PASS/FAIL lines for the python selftests, in the format
run_all.sh counts, and the exit status that says whether any check failed;
and xdphunt replay run with both engines, as the replay tests check it."""
import collections
import json
import subprocess
import sys


class Checker:
    def __init__(self, suite):
        self.suite = suite
        self.fails = 0

    def __call__(self, cond, name, detail=""):
        if cond:
            print("PASS: %s: %s" % (self.suite, name))
        else:
            self.fails += 1
            print("FAIL: %s: %s: %s" % (self.suite, name, detail))

    def exit(self):
        sys.exit(1 if self.fails else 0)


def replay_engines(check, xdphunt, args):
    """`xdphunt replay ARGS` with the kernel engine, then the native one:
    yields (engine, its JSON lines as objects) for each run that exits 0; a
    run that fails is a FAIL line with the end of its stderr."""
    for eng in ("kernel", "native"):
        r = subprocess.run([xdphunt, "replay", "--engine", eng] + list(args),
                           capture_output=True, text=True, timeout=300)
        if r.returncode:
            check(False, f"{eng}: replay", r.stderr[-300:])
            continue
        yield eng, [json.loads(line) for line in r.stdout.splitlines()]


def replay_by_capture(xdphunt, caps, engine, args=(), timeout=180):
    """`xdphunt replay --engine ENGINE ARGS CAPS` in one run: (exit status,
    {capture's base name: its JSON lines}), by each line's in_iface."""
    p = subprocess.run([xdphunt, "replay", "--engine", engine] + list(args) + list(caps),
                       capture_output=True, text=True, timeout=timeout)
    by_cap = collections.defaultdict(list)
    for line in p.stdout.splitlines():
        by_cap[json.loads(line).get("in_iface")].append(line)
    return p.returncode, by_cap
