#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""fuzz_seeds.py OUT_DIR CAPTURE_DIR...: seed inputs for `make fuzz` from the
frames of the captures in each directory (the public corpus, and the bench
generator's classes for DNS and TLS, which the corpus has few of), in the
fuzz target's input format
(selftests/fuzz/fuzz_engine.h: a 2-byte little-endian length before each
frame). Up to 16 consecutive frames (16 KiB) per seed, so that flows reach
the SMB and DCE/RPC state they build over several packets. Raw-IP captures
get an Ethernet header, as `xdphunt replay` gives them; other link types are
left out. Deterministic: the same corpus gives the same seeds."""
import glob
import os
import struct
import sys

from scapy.utils import RawPcapNgReader, RawPcapReader
from scapy.error import Scapy_Exception

FRAMES, BYTES = 16, 16384
ETH = {4: b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00",
       6: b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x86\xdd"}


def frames(path):
    """Raw frames of @path as Ethernet, by link type (1 Ethernet, 101/228/229 raw IP)."""
    for reader in (RawPcapReader, RawPcapNgReader):
        try:
            r = reader(path)
        except (Scapy_Exception, OSError, ValueError):
            continue
        try:
            for data, meta in r:
                lt = getattr(meta, "linktype", None)
                if lt is None:
                    lt = getattr(r, "linktype", 1)
                if lt == 1:
                    yield bytes(data)
                elif lt in (101, 228, 229, 12, 14) and data:
                    v = data[0] >> 4
                    if v in ETH:
                        yield ETH[v] + bytes(data)
        finally:
            r.close()
        return


def main():
    out, dirs = sys.argv[1], sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    n = 0
    paths = [p for d in dirs for p in sorted(glob.glob(os.path.join(d, "*.pcap*")))
             if not p.endswith(".json")]
    for path in paths:
        buf, count = b"", 0
        for f in frames(path):
            f = f[:4096]
            rec = struct.pack("<H", len(f)) + f
            if count == FRAMES or len(buf) + len(rec) > BYTES:
                n += 1
                with open(os.path.join(out, "seed-%06d" % n), "wb") as fh:
                    fh.write(buf)
                buf, count = b"", 0
            buf += rec
            count += 1
        if buf:
            n += 1
            with open(os.path.join(out, "seed-%06d" % n), "wb") as fh:
                fh.write(buf)
    print("fuzz: %d seed inputs from %d captures in %s" % (n, len(paths), " ".join(dirs)))


if __name__ == "__main__":
    main()
