#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""fuzz_seeds.py OUT_DIR CAPTURE_DIR...: seed inputs for `make fuzz`'s
fuzz_xdphunt from the
frames of the captures in each directory (the public corpus, and the bench
generator's classes for DNS and TLS, which the corpus has few of), in the
fuzz target's input format
(selftests/fuzz/fuzz_engine.h: a 2-byte little-endian length before each
frame). Up to 16 consecutive frames (16 KiB) per seed, so that flows reach
the SMB and DCE/RPC state they build over several packets. Raw-IP captures
get an Ethernet header, as `xdphunt replay` gives them; other link types are
left out. Deterministic: the same corpus gives the same seeds.

fuzz_seeds.py --files OUT_DIR: seeds for fuzz_files, the files xdphunt ships
(a list, CSV and STIX feed, the SMB rules, the DCE/RPC table), each after
the byte that picks its kind (selftests/fuzz/fuzz_inputs.h order)."""
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


ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
STIX_SEED = (b'{"type":"bundle","id":"bundle--s","objects":[\n'
             b'{"type":"indicator","id":"indicator--s","pattern_type":"stix","confidence":50,\n'
             b' "pattern":"[ipv4-addr:value = \'203.0.113.5\'] OR '
             b'[domain-name:value = \'c2.example\']"}]}\n')


def file_seeds(out):
    """fuzz_files seeds: kind byte (IoC feed 0, SMB rules 1, DCE/RPC table 2), then the file."""
    def head(path, lines=None):
        with open(os.path.join(ROOT, path), "rb") as f:
            data = f.read()
        return b"".join(data.splitlines(keepends=True)[:lines]) if lines else data
    seeds = {"feed-list": b"\0" + head("selftests/fixtures/ioc-good.txt"),
             "feed-csv": b"\0" + head("data/ioc/lazarus.csv", 200),
             "feed-stix": b"\0" + STIX_SEED,
             "smb-rules": b"\1" + head("data/smb-rules.conf"),
             "dcerpc-table": b"\2" + head("data/dcerpc.tsv")}
    os.makedirs(out, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("fuzz: %d seed files in %s" % (len(seeds), out))


def main():
    if sys.argv[1] == "--files":
        file_seeds(sys.argv[2])
        return
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
