#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# test_ntlm_corpus.py XDPHUNT: smb.logon and dcerpc.logon on the public
# corpus, tshark the oracle (selftests/e2e/check_ntlm.py): every NTLMSSP
# AUTHENTICATE tshark reads in an SMB session setup request, or in a DCE/RPC
# AUTH3, ALTER_CONTEXT or BIND over TCP, is one hit per flow and account,
# with tshark's domain, user and workstation, and no hit names anything
# else. A logon whose SMB message spanned TCP segments may go unsaid
# (counted). Every other hit that names an account names one tshark saw on
# its flow, and on a flow of one account every hit after the logon names it.
# ntlm.relay: the NTProofStr tshark reads on two flows within a minute
# (check_ntlm.py relays()), none in the corpus. Both engines, the kernel's
# with root.
import collections
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
sys.path.insert(0, HERE)
from check_ntlm import compare, logon_hits, ntlm_logons, relay_keys, relays  # noqa: E402
from test_native_engine import corpus_dir  # noqa: E402

REPLAY_TIMEOUT_S = 300


def main():
    xh = sys.argv[1]
    corpus = corpus_dir()
    if not os.path.isdir(corpus):
        print("SKIP: ntlm_corpus: no corpus at %s" % corpus)
        return 0
    engines = ["native"] + (["kernel"] if os.geteuid() == 0 else [])
    tot = collections.Counter()
    fails = 0
    for truthf in sorted(glob.glob(os.path.join(corpus, "*.json"))):
        truth = json.load(open(truthf))
        if not truth.get("smb", {}).get("versions") and not truth.get("dcerpc"):
            continue
        cap = truthf[:-5]
        name = os.path.basename(cap)
        want = ntlm_logons(cap, truth.get("tshark_options") or ())
        want_relays = sorted((w[0], w[1]) for w in relays(cap, truth.get("tshark_options") or ()))
        for engine in engines:
            p = subprocess.run([xh, "replay", "--engine", engine, cap], capture_output=True,
                               text=True, timeout=REPLAY_TIMEOUT_S)
            got, hits, bad = logon_hits(p.stdout.splitlines())
            problems, c = compare(want, got, hits)
            if relay_keys(hits) != want_relays:
                problems.append("ntlm.relay hits %s, tshark's relayed logons %s"
                                % (relay_keys(hits), want_relays))
            c["relays"] = len(want_relays)
            if p.returncode or bad:
                problems.insert(0, "exit %d, %d lines not JSON" % (p.returncode, len(bad)))
            if engine == "native":
                tot.update(c)
            if problems:
                fails += 1
                print("FAIL: ntlm_corpus/%s/%s: %s" % (engine, name, "; ".join(problems[:5])))
            elif want or got:
                print("PASS: ntlm_corpus/%s/%s: %d of %d logons said (%d split, unsaid), "
                      "%d later hits name the account"
                      % (engine, name, c["said"], c["want"], c["split_missed"], c["joined"]))
    print("# ntlm corpus: %d NTLM logons (flow, account) in tshark's view, %d said, %d in "
          "SMB messages split across segments unsaid; %d later hits name their flow's account; "
          "%d relayed" % (tot["want"], tot["said"], tot["split_missed"], tot["joined"],
                          tot["relays"]))
    if tot["said"] < 50 or tot["joined"] < 50:
        print("FAIL: ntlm_corpus: the corpus should hold NTLM logons and hits after them")
        fails += 1
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
