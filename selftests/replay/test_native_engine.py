#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# test_native_engine.py XDPHUNT: `replay --engine native` (bpf/xdphunt.bpf.c
# compiled for userspace, user/native/) must write exactly the JSON lines of
# the kernel engine (BPF_PROG_TEST_RUN, the reference) on every capture of
# the public corpus and of the fixtures, one capture per run and all of them
# in one run (state cleared between captures), with the default IoC feed and
# with a feed of the corpus's own addresses (so ioc.* hits are compared too),
# and on malformed frames: three mutants of every corpus frame (cut short,
# bytes flipped, a 16-bit field set to a boundary value), where the helpers
# the native runtime stands in for (bpf_xdp_load_bytes() past the end, ...)
# must still behave as the kernel's.
# The kernel engine needs root: without it this prints SKIP.
# Corpus: $XH_CORPUS_DIR, else $XH_SHARED_DIR/corpus/public.
import glob
import ipaddress
import json
import os
import random
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import fuzz_seeds  # noqa: E402  (the corpus frames as Ethernet, as make fuzz seeds them)

TIMEOUT_S = 300
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures")


def corpus_dir():
    d = os.environ.get("XH_CORPUS_DIR")
    if not d:
        shared = os.environ.get("XH_SHARED_DIR", os.path.join(HERE, "..", "..", "..", "shared"))
        d = os.path.join(shared, "corpus", "public")
    return d


def replay(xdphunt, engine, files, extra):
    p = subprocess.run([xdphunt, "replay", "--engine", engine] + extra + files,
                       capture_output=True, timeout=TIMEOUT_S)
    return p.returncode, p.stdout


def first_diff(a, b):
    """The capture (in_iface) of the first line where @a and @b differ."""
    la, lb = a.splitlines(), b.splitlines()
    for x, y in zip(la + [b"{}"] * len(lb), lb + [b"{}"] * len(la)):
        if x != y:
            h = json.loads(x if x != b"{}" else y)
            return h.get("in_iface", "?")
    return "none"


def ioc_feed(lines, path):
    """A feed of the server addresses of smb/rpc hits: every capture with such
    a hit then also yields ioc.dest hits for both engines to agree on."""
    addrs = set()
    for line in lines.splitlines():
        h = json.loads(line)
        ip = h.get("dest_ip")
        if ip:
            addrs.add(ip)
    with open(path, "w") as f:
        for a in sorted(addrs):
            f.write("%s/%d\n" % (a, 32 if ipaddress.ip_address(a).version == 4 else 128))
    return len(addrs)


EDGE = (0, 1, 0x7FFF, 0x8000, 0xFFFF, 20, 64)


def mutant(kind, f, rnd):
    """Mutant @kind of frame @f (as selftests/unit/test_native_engine.c makes them)."""
    if len(f) < 2:
        return f
    b = bytearray(f)
    if kind == 0:
        return bytes(b[:rnd.randrange(len(b))])
    if kind == 1:
        for i in range(1 + rnd.randrange(4)):
            off = rnd.randrange(len(b) if i % 2 else min(len(b), 200))
            b[off] ^= 1 + rnd.randrange(255)
        return bytes(b)
    off = rnd.randrange(min(len(b), 128) - 1)
    v = rnd.choice(EDGE) if rnd.randrange(3) else (len(b) + rnd.randrange(3) - 1) & 0xFFFF
    b[off:off + 2] = struct.pack(">H", v)
    return bytes(b)


def write_mutants(caps, path):
    """Three mutants of every Ethernet frame of @caps into the pcap @path."""
    rnd = random.Random(7)
    n = 0
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for cap in caps:
            for f in fuzz_seeds.frames(cap):
                for kind in range(3):
                    m = mutant(kind, f, rnd)
                    n += 1
                    out.write(struct.pack("<IIII", 1700000000 + n // 1000000, n % 1000000,
                                          len(m), len(m)) + m)
    return n


def main():
    xdphunt = sys.argv[1]
    if os.geteuid() != 0:
        print("SKIP: native engine: the kernel engine it is compared with needs root")
        return 0
    caps = sorted(glob.glob(os.path.join(corpus_dir(), "*.pcap")) +
                  glob.glob(os.path.join(corpus_dir(), "*.pcapng")))
    if not caps:
        # As the other corpus tests: a clone away from ../shared has none.
        print("SKIP: native engine: no corpus at %s (set XH_CORPUS_DIR)" % corpus_dir())
        return 0
    caps += sorted(glob.glob(os.path.join(FIXTURES, "*.pcap")))
    if len(caps) < 10:
        print("FAIL: native engine: only %d captures found (corpus at %s)" %
              (len(caps), corpus_dir()))
        return 1
    failed = 0
    # One kernel run over every capture (a verifier load per run is the
    # slow part), compared with native runs: all at once, and one per
    # capture (which also checks the native state reset between captures).
    k_all = replay(xdphunt, "kernel", caps, [])
    n_each = [replay(xdphunt, "native", [cap], []) for cap in caps]
    n_concat = b"".join(r[1] for r in n_each)
    # A capture it cannot read (fixtures) fails the whole kernel run.
    n_failed = [os.path.basename(c) for c, r in zip(caps, n_each) if r[0] != 0]
    if n_concat != k_all[1] or bool(n_failed) != (k_all[0] != 0):
        failed += 1
        print("FAIL: native engine: one run per capture: %d vs %d lines; kernel exit %d, "
              "native failed on %s; first differing line in %s" %
              (len(n_concat.splitlines()), len(k_all[1].splitlines()), k_all[0],
               n_failed or "none", first_diff(k_all[1], n_concat)))
    else:
        print("PASS: native engine: one run per capture gives the kernel engine's %d hits "
              "on %d captures" % (len(n_concat.splitlines()), len(caps)))
    if not k_all[1]:
        failed += 1
        print("FAIL: native engine: no hits at all: the comparison proves nothing")

    # All at once (flows and DCE/RPC state cleared between captures), and with
    # IoC hits: a feed of every server address the first run reported.
    with tempfile.TemporaryDirectory() as tmp:
        feed = os.path.join(tmp, "servers.txt")
        n_addrs = ioc_feed(k_all[1].decode(), feed)
        # Flow records too (replay --flow-timeout): a sweep writes the idle
        # flows in its table's order, which is the engines' own, so the
        # lines are compared sorted.
        for name, extra in (("default feed", []), ("server-address feed", ["--ioc", feed]),
                            ("flow records", ["--flow-timeout", "60"])):
            k = k_all if not extra else replay(xdphunt, "kernel", caps, extra)
            n = replay(xdphunt, "native", caps, extra)
            if name == "flow records":
                k = (k[0], b"\n".join(sorted(k[1].splitlines())))
                n = (n[0], b"\n".join(sorted(n[1].splitlines())))
                if b'"event_type":"flow"' not in k[1]:
                    failed += 1
                    print("FAIL: native engine: --flow-timeout gave no flow records")
            iocs = sum(1 for line in k[1].splitlines()
                       if json.loads(line).get("rule", "").startswith("ioc."))
            if k != n:
                failed += 1
                print("FAIL: native engine: all captures in one run, %s: exit %d vs %d, "
                      "%d vs %d lines, first difference in %s" %
                      (name, k[0], n[0], len(k[1].splitlines()), len(n[1].splitlines()),
                       first_diff(k[1], n[1])))
            elif "--ioc" in extra and iocs < n_addrs:
                failed += 1
                print("FAIL: native engine: %s: %d ioc hits for %d addresses" %
                      (name, iocs, n_addrs))
            else:
                print("PASS: native engine: all %d captures in one run, %s: %d identical lines"
                      " (%d ioc.*)" % (len(caps), name, len(k[1].splitlines()), iocs))

        # Malformed frames: both engines must agree on them too.
        mut = os.path.join(tmp, "mutants.pcap")
        n_mut = write_mutants(caps, mut)
        k = replay(xdphunt, "kernel", [mut], ["--ioc", feed])
        n = replay(xdphunt, "native", [mut], ["--ioc", feed])
        if k != n or k[0] != 0:
            failed += 1
            print("FAIL: native engine: %d mutated frames: exit %d vs %d, %d vs %d lines" %
                  (n_mut, k[0], n[0], len(k[1].splitlines()), len(n[1].splitlines())))
        elif n_mut < 100000 or len(k[1].splitlines()) < 1000:
            failed += 1
            print("FAIL: native engine: %d mutated frames gave %d hits: too few to compare" %
                  (n_mut, len(k[1].splitlines())))
        else:
            print("PASS: native engine: %d mutated corpus frames: %d identical lines" %
                  (n_mut, len(k[1].splitlines())))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
