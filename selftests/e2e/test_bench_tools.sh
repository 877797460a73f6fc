#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test_bench_tools.sh OUT: what `make bench` relies on, without timing anything:
# the bench tool is built, the capture generator is deterministic, a
# generated mix holds the classes the README describes (xdphunt replay finds
# one hit per SMB, RPC and IoC flow of it), and the smb_data class is SMB data
# without a header as tshark reads it.
set -u
OUT=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GEN="/usr/bin/python3 $ROOT/bench/gen_traffic.py"
T=$(mktemp -d /tmp/xh-benchtools.XXXXXX)
trap 'rm -rf "$T"' EXIT

"$OUT/bench/xh_bench" >/dev/null 2>&1
rc=$?
if [ "$rc" -eq 2 ]; then echo "PASS: bench_tools: xh_bench built, usage exits 2"
else echo "FAIL: bench_tools: xh_bench usage exit $rc, expected 2"; fi

# xh_bench format --rule all: one event of every kind through the real
# events_handle(), each a valid line of its rule (no privileges, no timing).
n=$("$OUT/bench/xh_bench" format --list-rules | wc -l)
if "$OUT/bench/xh_bench" format --ioc "$ROOT/data/ioc/lazarus.csv" --rule all --count "$n" \
	--out "$T/format.json" >/dev/null &&
	/usr/bin/python3 -c 'import json,sys; got=[json.loads(l)["rule"] for l in open(sys.argv[1])]; sys.exit(got != sys.argv[2].split())' \
		"$T/format.json" "$("$OUT/bench/xh_bench" format --list-rules | tr '\n' ' ')"; then
	echo "PASS: bench_tools_format: xh_bench format --rule all makes a line of each of $n rules"
else
	echo "FAIL: bench_tools_format: xh_bench format --rule all"
fi

mkdir -p "$T/a" "$T/b"
for d in a b; do
	$GEN classes "$T/$d" --flows 4 && $GEN mix "$T/$d/mix.pcap" --packets 3000 2>/dev/null &&
		$GEN ioc "$T/$d/ioc.txt" --count 100 || echo "FAIL: bench_tools: generator failed"
done
if [ -n "$(ls "$T/a")" ] && diff -r "$T/a" "$T/b" >/dev/null; then
	echo "PASS: bench_tools: generator output is deterministic ($(ls "$T/a" | wc -l) files)"
else
	echo "FAIL: bench_tools: two generator runs differ"
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: bench_tools_mix: xdphunt replay needs root"
	exit 0
fi
# 3000 packets, 10 per flow, mix 70/10/10/5/5: 30 SMB (each a tree connect to
# IPC$: smb.connect and smb.ipc_share), 15 RPC (each binds the endpoint mapper:
# rpc.connect and dcerpc.bind), 15 IoC flows.
got=$("$OUT/xdphunt" replay --ioc "$T/a/ioc.txt" "$T/a/mix.pcap" 2>/dev/null |
	/usr/bin/python3 -c 'import json,sys,collections; c=collections.Counter(json.loads(l)["rule"] for l in sys.stdin); print(" ".join("%s=%d" % kv for kv in sorted(c.items())))')
want="dcerpc.bind=15 ioc.dest=15 rpc.connect=15 smb.connect=30 smb.ipc_share=30"
if [ "$got" = "$want" ]; then echo "PASS: bench_tools_mix: generated mix gives $want"
else echo "FAIL: bench_tools_mix: got '$got', want '$want'"; fi

# The smb_data class is what its row in README says: tshark reads every frame
# as NetBIOS continuation data (no SMB header in the segment), and xdphunt
# finds only the SMB connection of each of the 4 flows in it.
nb=$(tshark -r "$T/a/smb_data.pcap" -Y nbss.continuation_data -T fields -e frame.number 2>/dev/null | wc -l)
frames=$(tshark -r "$T/a/smb_data.pcap" -T fields -e frame.number 2>/dev/null | wc -l)
got=$("$OUT/xdphunt" replay --no-default-ioc "$T/a/smb_data.pcap" 2>/dev/null |
	/usr/bin/python3 -c 'import json,sys,collections; c=collections.Counter(json.loads(l)["rule"] for l in sys.stdin); print(" ".join("%s=%d" % kv for kv in sorted(c.items())))')
if [ "$frames" -eq 4 ] && [ "$nb" -eq "$frames" ] && [ "$got" = "smb.connect=4" ]; then
	echo "PASS: bench_tools_smb_data: tshark reads $nb of $frames frames as NetBIOS continuation data; xdphunt gives $got"
else
	echo "FAIL: bench_tools_smb_data: tshark continuation frames $nb of $frames (want 4 of 4), xdphunt '$got' (want smb.connect=4)"
fi
