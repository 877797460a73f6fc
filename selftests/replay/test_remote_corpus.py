#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# test_remote_corpus.py XDPHUNT: rdp.connect and ssh.connect on the public
# corpus, tshark the oracle (selftests/e2e/check_remote.py says what is
# checked), on both engines. Captures where tshark reads no opening must
# give no such hit: the corpus's SMB and DCE/RPC streams are the
# look-alikes.
import collections
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "selftests", "e2e"))
sys.path.insert(0, os.path.join(ROOT, "selftests", "lib"))
from check_remote import check, compare  # noqa: E402
from pycheck import replay_by_capture as replay  # noqa: E402

# Bytes every RDP request or SSH line carries: TPKT version 3, an X.224 CR
# with a zero destination reference; "SSH-" and a digit. A capture that holds
# neither cannot hold an opening, so tshark (half a second to start) reads
# only the others. A plain byte search, not xdphunt's code.
OPENING = re.compile(rb"\x03\x00..[\x06-\xfe]\xe0\x00\x00|SSH-[0-9]", re.S)


def main():
    xh = sys.argv[1]
    corpus = os.environ.get("XH_CORPUS_DIR") or os.path.join(
        os.environ.get("XH_SHARED_DIR", os.path.join(ROOT, "..", "shared")), "corpus", "public")
    if not os.path.isdir(corpus):
        print("SKIP: remote_corpus: no corpus at %s" % corpus)
        return 0
    tot = collections.Counter()
    fails = 0
    caps = sorted(f for f in glob.glob(os.path.join(corpus, "*.pcap*"))
                  if not f.endswith(".json"))
    # every capture in one run of the native engine; the kernel engine
    # again where there is something to find (the native engine gives the
    # same lines on every capture: test_native_engine.py)
    rc, native = replay(xh, caps, "native")
    if rc != 0:
        print("FAIL: remote_corpus: replay --engine native exited %d" % rc)
        return 1
    for cap in caps:
        name = os.path.basename(cap)
        lines = native.get(name, [])
        if not OPENING.search(open(cap, "rb").read()):
            problems, c = compare([], lines)
            added = []
            tot["no_opening_bytes"] += 1
        else:
            problems, c, added = check(cap, lines)
        tot.update(c)
        tot["captures"] += 1
        if added:
            print("# remote_corpus/%s: tshark asked again with %s" %
                  (name, ", ".join("port %d decoded as %s" % (p, r.split(".")[0])
                                   for r, p in added)))
        if problems:
            fails += 1
            print("FAIL: remote_corpus/%s (native): %s" % (name, "; ".join(problems[:4])))
            continue
        if not (c["rdp.connect"] or c["ssh.connect"]):
            continue
        print("PASS: remote_corpus/%s (native): %d RDP, %d SSH openings, %d hits" %
              (name, c["rdp.connect"], c["ssh.connect"], c["found"]))
        rc, kern = replay(xh, [cap], "kernel")
        problems, c, _ = check(cap, kern.get(name, [])) if rc == 0 else (["exit %d" % rc], c, [])
        if problems:
            fails += 1
            print("FAIL: remote_corpus/%s (kernel): %s" % (name, "; ".join(problems[:4])))
        else:
            print("PASS: remote_corpus/%s (kernel): %d hits" % (name, c["found"]))
    print("# remote corpus: %d captures (%d without an opening's bytes); %d RDP requests and "
          "%d SSH client lines, %d hits, %d split across segments" %
          (tot["captures"], tot["no_opening_bytes"], tot["rdp.connect"], tot["ssh.connect"],
           tot["found"], tot["split"]))
    if tot["rdp.connect"] == 0 or tot["ssh.connect"] == 0:
        print("FAIL: remote_corpus: the corpus should hold RDP requests and SSH client lines")
        fails += 1
    if not fails:
        print("PASS: remote_corpus: every opening tshark reads is one hit, no other")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
