#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test_replay_cli.sh [BUILD_DIR]: `xdphunt replay` as a user meets it (root):
# hits found before a corrupt packet are written, then an error names the
# file and packet; an unsupported link type is refused by name; one bad
# capture does not stop the others. Prints PASS:/FAIL: lines.
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

"$XH" replay /nonexistent/x.pcap >/dev/null 2>"$W/e3"
[ $? -eq 1 ] && grep -q "/nonexistent/x.pcap" "$W/e3" && ok "missing capture named" || ko "missing capture" "$(cat "$W/e3")"
[ "$FAILS" -eq 0 ]
