#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test_replay_cli.sh [BUILD_DIR]: `xdphunt replay` as a user meets it (root):
# hits found before a corrupt packet are written, then an error names the
# file and packet; an unsupported link type is refused by name; one bad
# capture does not stop the others; records shorter than an Ethernet header
# are skipped and counted by both engines; without privileges the kernel
# engine says what it needs and the native engine runs; an output file that
# stops growing keeps whole lines. Prints PASS:/FAIL: lines.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$(cd "${1:-$ROOT/build}" 2>/dev/null && pwd) || OUT=${1:-$ROOT/build}
XH=$OUT/xdphunt
FX=$ROOT/selftests/fixtures
FAILS=0
ok() { echo "PASS: replay cli: $1"; }
ko() { echo "FAIL: replay cli: $1: $2"; FAILS=$((FAILS + 1)); }
[ "$(id -u)" -eq 0 ] || { echo "SKIP: replay cli: needs root (BPF_PROG_TEST_RUN)"; exit 0; }
W=$(mktemp -d /tmp/xh-replaycli.XXXXXX)
trap 'rm -rf "$W"' EXIT

"$XH" replay "$FX/truncated.pcap" >"$W/o" 2>"$W/e"
rc=$?
[ "$rc" -eq 1 ] && ok "corrupt capture exits 1" || ko "corrupt capture exit code" "$rc"
grep -q "truncated.pcap: packet 3:" "$W/e" && ok "error names file and packet" || ko "error message" "$(cat "$W/e")"
n=$(grep -c '"rule":"smb.connect"' "$W/o")
[ "$n" -eq 2 ] && ok "hits before the corrupt packet are written" || ko "hits before the error" "$n: $(cat "$W/o")"
grep -q '"timestamp":"2023-11-14T22:13:20.123456Z"' "$W/o" && grep -q '"in_iface":"truncated.pcap"' "$W/o" &&
	ok "capture time and file name in the hit" || ko "capture time" "$(head -1 "$W/o")"

"$XH" replay "$FX/linktype-80211.pcap" "$FX/truncated.pcap" >"$W/o2" 2>"$W/e2"
rc=$?
grep -q "linktype-80211.pcap: link type 105 (IEEE802_11) is not supported" "$W/e2" &&
	ok "unsupported link type refused by name" || ko "link type message" "$(cat "$W/e2")"
[ "$rc" -eq 1 ] && [ "$(grep -c smb.connect "$W/o2")" -eq 2 ] && ok "other captures still replayed" ||
	ko "other captures" "rc=$rc $(cat "$W/o2")"

# SYN, an 8-byte record, an empty one, SYN: no NIC hands XDP a runt, and
# BPF_PROG_TEST_RUN refuses one; replay skips them and goes on.
/usr/bin/python3 - "$W/runts.pcap" <<'PY'
import struct, sys
def syn(sport):
    eth = bytes(6) + bytes([2, 0, 0, 0, 0, 1]) + b'\x08\x00'
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 40, 1, 0, 64, 6, 0,
                     bytes([192, 0, 2, 10]), bytes([192, 0, 2, 20]))
    return eth + ip + struct.pack('!HHIIBBHHH', sport, 445, 1, 0, 0x50, 0x02, 65535, 0, 0)
out = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
for i, p in enumerate((syn(40001), bytes(8), b'', syn(40002))):
    out += struct.pack('<IIII', 1700000000 + i, 0, len(p), len(p)) + p
open(sys.argv[1], 'wb').write(out)
PY
for eng in kernel native; do
	# Said without -v, with the file and the first such record.
	"$XH" replay --engine "$eng" "$W/runts.pcap" >"$W/o4" 2>"$W/e4"
	rc=$?
	if [ "$rc" -eq 0 ] && [ "$(grep -c '"rule":"smb.connect"' "$W/o4")" -eq 2 ] &&
		grep -q "runts.pcap: 2 records shorter than an Ethernet header (14 bytes) skipped, the first record 2" "$W/e4"; then
		ok "$eng engine: runt records skipped and named, the rest replayed"
	else
		ko "$eng engine: runt records" "rc=$rc $(cat "$W/e4") $(cat "$W/o4")"
	fi
done

printf 'not a capture\n' >"$W/notes.txt"
"$XH" replay --engine native "$W/notes.txt" >/dev/null 2>"$W/e3"
[ $? -eq 1 ] && grep -q "notes.txt: unknown file format (not a pcap or pcapng capture" "$W/e3" &&
	ok "a file that is no capture is named, and said to be none" || ko "not a capture" "$(cat "$W/e3")"
"$XH" replay /nonexistent/x.pcap >/dev/null 2>"$W/e3"
[ $? -eq 1 ] && grep -q "/nonexistent/x.pcap" "$W/e3" && ok "missing capture named" || ko "missing capture" "$(cat "$W/e3")"
# Without privileges: the kernel engine says what it needs and points at the
# native engine, which then replays the same capture. (The binary and capture
# are copied where an unprivileged user can read them; nobody's uid 65534.)
if command -v setpriv >/dev/null; then
	U=$(mktemp -d /tmp/xh-replaycli-user.XXXXXX)
	chmod 0755 "$U"
	install -m 0755 "$XH" "$U/xdphunt" && install -m 0644 "$W/runts.pcap" "$U/runts.pcap"
	NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	"${NOBODY[@]}" "$U/xdphunt" replay --no-default-ioc "$U/runts.pcap" >/dev/null 2>"$W/e5"
	rc=$?
	if [ "$rc" -eq 1 ] && grep -q "did not load: Operation not permitted (loading BPF needs root" "$W/e5" &&
		grep -q -- "--engine native runs the same classifier without privileges" "$W/e5"; then
		ok "unprivileged kernel engine: says what it needs and names --engine native"
	else
		ko "unprivileged kernel engine" "rc=$rc $(cat "$W/e5")"
	fi
	"${NOBODY[@]}" "$U/xdphunt" replay --no-default-ioc --engine native "$U/runts.pcap" >"$W/o5" 2>"$W/e5"
	rc=$?
	[ "$rc" -eq 0 ] && [ "$(grep -c '"rule":"smb.connect"' "$W/o5")" -eq 2 ] &&
		ok "unprivileged native engine replays" || ko "unprivileged native engine" "rc=$rc $(cat "$W/e5")"
	# Not root, stats, reload and detach see no instance: each says why, so
	# a sensor that runs is not taken for one that is down.
	said=0
	for cmd in "stats" "reload" "detach -i lo"; do
		# shellcheck disable=SC2086 # the command's words
		"${NOBODY[@]}" "$U/xdphunt" $cmd >/dev/null 2>"$W/e6"
		[ $? -eq 1 ] && grep -q "not root: a running instance's XDP programs, maps and process are root's" "$W/e6" &&
			said=$((said + 1))
	done
	[ "$said" -eq 3 ] && ok "unprivileged stats, reload and detach say why they see nothing" ||
		ko "unprivileged stats, reload, detach" "$said of 3 said why: $(cat "$W/e6")"
	rm -rf "$U"
else
	echo "SKIP: replay cli: setpriv missing (util-linux): unprivileged runs not tried"
fi
# pcapng: a time past 2554 (ns since 1970 overflow 64 bits) is refused by
# packet, not wrapped to a plausible date; a second interface of another
# link type (dumpcap -i eth0 -i any) is refused with how to split the file.
/usr/bin/python3 - "$W" <<'PY'
import struct, sys
def blk(t, body):
    body += b"\0" * (-len(body) % 4)
    return struct.pack("<II", t, len(body) + 12) + body + struct.pack("<I", len(body) + 12)
shb = blk(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
def idb(lt): return blk(1, struct.pack("<HHI", lt, 0, 262144))
def epb(ifid, data, ts_us):
    return blk(6, struct.pack("<IIIII", ifid, ts_us >> 32, ts_us & 0xffffffff, len(data), len(data)) + data)
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0, 64, 6, 0, bytes([192, 0, 2, 10]), bytes([192, 0, 2, 20]))
ip += struct.pack("!HHIIBBHHH", 40001, 445, 1, 0, 0x50, 0x02, 65535, 0, 0)
eth = bytes(6) + bytes([2, 0, 0, 0, 0, 1]) + b"\x08\x00" + ip
d = sys.argv[1]
open(d + "/late.pcapng", "wb").write(shb + idb(1) + epb(0, eth, 1700000000 * 10**6) +
                                      epb(0, eth, 20000000000 * 10**6))
open(d + "/twolinks.pcapng", "wb").write(shb + idb(1) + idb(101) + epb(0, eth, 1700000000 * 10**6) +
                                         epb(1, ip, 1700000001 * 10**6))
PY
"$XH" replay --engine native --no-default-ioc "$W/late.pcapng" >"$W/o7" 2>"$W/e7"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "late.pcapng: packet 2: time stamp 20000000000 s is outside 1970-2554" "$W/e7" &&
	[ "$(grep -c '"timestamp":"2023-11-14T22:13:20.000000Z"' "$W/o7")" -eq 1 ]; then
	ok "a time past 2554 refused by packet, the hit before it written"
else
	ko "time past 2554" "rc=$rc $(cat "$W/e7") $(cat "$W/o7")"
fi
"$XH" replay --engine native --no-default-ioc "$W/twolinks.pcapng" >/dev/null 2>"$W/e8"
rc=$?
[ "$rc" -eq 1 ] && grep -q "twolinks.pcapng: after 0 packets: an interface has a type 101 .*split it by interface first" "$W/e8" &&
	ok "a pcapng of two link types refused with how to split it" || ko "two link types" "rc=$rc $(cat "$W/e8")"

# -o on a file that stops growing (its size limit, as a full disk): the
# error names the file, exit 1, and the file holds whole lines only, so the
# next run's append starts a line. 2 KiB: the runts capture's hits, many times.
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do args+=("$W/runts.pcap"); done
(ulimit -f 2 && exec "$XH" replay --engine native --no-default-ioc -o "$W/full.json" "${args[@]}") \
	>/dev/null 2>"$W/e6"
rc=$?
lines=$(/usr/bin/python3 -c '
import json, sys
t = open(sys.argv[1]).read()
print(len([json.loads(x) for x in t.splitlines()]) if t.endswith("\n") else "a half line")' "$W/full.json" 2>&1)
size=$(stat -c %s "$W/full.json")
if [ "$rc" -eq 1 ] && grep -q "output: cannot write $W/full.json: File too large" "$W/e6" &&
	[ "$size" -le 2048 ] && [ "$lines" -ge 1 ] 2>/dev/null; then
	ok "an output file at its size limit: the error names it, $lines whole lines kept, exit 1"
else
	ko "output file at its size limit" "rc=$rc size=$size lines=$lines $(cat "$W/e6")"
fi

[ "$FAILS" -eq 0 ]
