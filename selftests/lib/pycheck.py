# SPDX-License-Identifier: GPL-2.0
"""pycheck.py: PASS/FAIL lines for the python selftests, in the format
run_all.sh counts, and the exit status that says whether any check failed."""
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
