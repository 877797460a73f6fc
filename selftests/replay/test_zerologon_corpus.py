#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# test_zerologon_corpus.py XDPHUNT: Zerologon (CVE-2020-1472) on the public
# corpus, tshark the oracle (selftests/e2e/check_zerologon.py says what is
# checked). Zerologon runs and domain members' own secure-channel setup (five
# captures here) are both in it: the real ones must not say T1210.
import collections
import glob
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "selftests", "e2e"))
from check_zerologon import OPS, compare, first_requests, tshark_requests  # noqa: E402

REPLAY_TIMEOUT_S = 180


def main():
    xh = sys.argv[1]
    corpus = os.environ.get("XH_CORPUS_DIR") or os.path.join(
        os.environ.get("XH_SHARED_DIR", os.path.join(ROOT, "..", "shared")), "corpus", "public")
    if not os.path.isdir(corpus):
        print("SKIP: zerologon_corpus: no corpus at %s" % corpus)
        return 0
    tot = collections.Counter()
    fails = 0
    for truthf in sorted(glob.glob(os.path.join(corpus, "*.json"))):
        truth = json.load(open(truthf))
        if not any(r.get("protocol") == "RPC_NETLOGON" and r.get("opnum") in OPS
                   for r in truth.get("dcerpc", {}).get("requests", [])):
            continue
        cap = truthf[:-5]
        name = os.path.basename(cap)
        first = first_requests(tshark_requests(cap))
        p = subprocess.run([xh, "replay", cap], capture_output=True, text=True,
                           timeout=REPLAY_TIMEOUT_S)
        problems, c = compare(first, p.stdout.splitlines())
        tot.update(c)
        if problems:
            fails += 1
            print("FAIL: zerologon_corpus/%s: %s" % (name, "; ".join(problems[:5])))
        else:
            print("PASS: zerologon_corpus/%s: %d Zerologon calls said, %d real ones quiet, "
                  "%d flows of repeated tries said" % (name, c["said"], c["quiet"],
                                                       c["tries_said"]))
    print("# zerologon corpus: netlogon authentication calls (per flow and call): %d Zerologon, "
          "said on %d; %d real credentials, %d quiet; %d not one PDU at a segment start; "
          "%d flows of 16+ tries, said on %d"
          % (tot["zero"], tot["said"], tot["real"], tot["quiet"], tot["not_one_pdu"],
             tot["tried"], tot["tries_said"]))
    if tot["zero"] == 0 or tot["real"] == 0 or tot["tried"] == 0:
        print("FAIL: zerologon_corpus: the corpus should hold Zerologon, real calls and "
              "repeated tries")
        fails += 1
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
