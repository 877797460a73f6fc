#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""test_hit_windows.py: the oracles' window model and hit comparison
(selftests/lib/hit_windows.py) on hand-made sequences, so that a fault in
the model or a comparison that cannot fail shows here, not as a corpus test
that passes for the wrong reason. Takes (and ignores) xdphunt's path, as the
replay tests do."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from hit_windows import compare_flows, epoch, window_hits  # noqa: E402
from pycheck import Checker  # noqa: E402

check = Checker("hit_windows")

# A scanner's ports of one pair, 1 s apart: distinct items count once.
scan = [(float(i), "pair", port, 1, "syn%d" % i)
        for i, port in enumerate([80, 443, 80, 22, 443, 25, 8080])]
check(window_hits(scan, 4, 60) == [(5.0, "syn5", 4)], "the 4th distinct port makes the hit",
      window_hits(scan, 4, 60))
check(window_hits(scan, 6, 60) == [], "5 distinct ports stay below 6")

# The same port counts again once its window has ended.
again = [(0.0, "pair", 80, 1, "a"), (30.0, "pair", 80, 1, "b"), (61.0, "pair", 80, 1, "c"),
         (62.0, "pair", 443, 1, "d")]
check(window_hits(again, 2, 60) == [(62.0, "d", 2)], "a window ends 60 s after its first count",
      window_hits(again, 2, 60))

# Counts of n at once (an SMB2 compound of failures) cross the threshold.
brute = [(0.0, "c", None, 3, "x"), (1.0, "c", None, 3, "y"), (2.0, "c", None, 9, "z")]
check(window_hits(brute, 5, 60) == [(1.0, "y", 6)], "a count crossing the threshold hits once",
      window_hits(brute, 5, 60))

# Per owner: two owners below the threshold each make no hit.
two = [(float(i), "ab"[i % 2], i, 1, i) for i in range(6)]
check(window_hits(two, 4, 60) == [], "owners are counted apart")
check(window_hits(two, 3, 60) == [(4.0, 4, 3), (5.0, 5, 3)], "each owner's own third",
      window_hits(two, 3, 60))

# A capture out of order: a count stamped before the window's start
# belongs to it.
ooo = [(10.0, "o", None, 1, "a"), (5.0, "o", None, 1, "b")]
check(window_hits(ooo, 2, 60) == [(5.0, "b", 2)], "out of order stays in the window")

check(abs(epoch("2026-12-07T14:00:00.000001Z") - 1796652000.000001) < 1e-6, "epoch",
      epoch("2026-12-07T14:00:00.000001Z"))

flow = ("192.0.2.1", 40000, "198.51.100.2", 445)
other = ("192.0.2.1", 40001, "198.51.100.2", 445)
want = [(100.000001, flow)]
check(compare_flows([(100.000001, flow)], want) == [], "the same hit")
check(compare_flows([(100.000002, flow)], want) == [], "a microsecond's rounding")
check(compare_flows([(100.00001, flow)], want) != [], "a hit at another time")
check(compare_flows([(100.000001, other)], want) != [], "a hit on another flow")
check(compare_flows([], want) != [], "a hit missing")
check(compare_flows(want + want, want) != [], "a hit twice")
check(compare_flows([(5.0, flow)], want, live=True) == [], "live: times not compared")
check(compare_flows([(5.0, other)], want, live=True) != [], "live: another flow")
check.exit()
