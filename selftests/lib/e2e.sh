# SPDX-License-Identifier: GPL-2.0
# e2e.sh: what every end-to-end test script shares, after xdp-tools' test
# runner: its paths, PASS:/FAIL:/SKIP: lines, the preconditions that skip it,
# the re-exec into private namespaces, and its last line. Sourced by
# selftests/e2e/test_*.sh as the first thing they do:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/../lib/e2e.sh"
#   e2e_init e2e_name "$@"          # OUT, XH, ROOT, FAILS; root and build checks
#   e2e_need ip smbd tcpdump        # skip when a command is missing
#   e2e_unshare -n -m               # re-exec in a private netns and mount ns
#   ...
#   e2e_finish                      # "# e2e_name: N failed", exit status
#
# Defines pass NAME, fail NAME WHY, skip NAME WHY; xh_wait_ready comes from
# scripts/wait_ready.sh.

# shellcheck source=../../scripts/wait_ready.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/wait_ready.sh"

pass() { echo "PASS: $1"; }
fail() {
	echo "FAIL: $1: $2"
	FAILS=$((FAILS + 1))
}
skip() { echo "SKIP: $1: $2"; }

# e2e_init NAME [BUILD_DIR]: the test's name (for its SKIP and summary
# lines) and paths. Exits 0 with a SKIP line when not root or not built.
e2e_init() {
	E2E_NAME=$1
	HERE=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
	ROOT=$(cd "$HERE/../.." && pwd)
	OUT=$(cd "${2:-$ROOT/build}" 2>/dev/null && pwd) || OUT=${2:-$ROOT/build}
	XH=$OUT/xdphunt
	FAILS=0
	[ "$(id -u)" -eq 0 ] || {
		skip "$E2E_NAME" "needs root (network namespaces, XDP attach)"
		exit 0
	}
	[ -x "$XH" ] || {
		skip "$E2E_NAME" "$XH not built (make)"
		exit 0
	}
}

# e2e_need COMMAND...: skip the test (exit 0) when one is missing.
e2e_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || {
			skip "$E2E_NAME" "$c missing (make deps)"
			exit 0
		}
	done
}

# e2e_unshare UNSHARE_FLAGS...: re-exec the test under unshare with those
# flags (-n -m: a private network and mount namespace, so that the named
# namespaces, mounts and bpffs it makes are invisible outside and go with
# it). Returns in the re-executed test.
e2e_unshare() {
	if [ -z "${XH_E2E_UNSHARED:-}" ]; then
		XH_E2E_UNSHARED=1 exec unshare "$@" --propagation private \
			bash "${BASH_SOURCE[1]}" "$OUT"
	fi
}

# e2e_keep DIR: with KEEP=1 in the environment, copy DIR (the work files)
# to /tmp/NAME.kept before the teardown removes it.
e2e_keep() {
	if [ -n "${KEEP:-}" ] && [ -d "$1" ]; then
		cp -a "$1" "/tmp/$2.kept" 2>/dev/null && echo "# kept work files in /tmp/$2.kept"
	fi
	return 0
}

# e2e_traps TEARDOWN_FUNCTION: run it on every exit, and exit on INT/TERM.
e2e_traps() {
	trap "$1" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# e2e_lab_up CHECK: build scripts/lab.sh's lab (lab_up), or fail CHECK with
# the end of its log and finish: the EXIT trap (e2e_traps) tears it down.
e2e_lab_up() {
	if ! lab_up >"$W.up.log" 2>&1; then
		mkdir -p "$W"
		fail "$1" "lab did not come up: $(tail -n 3 "$W.up.log" 2>/dev/null | tr '\n' ' ')"
		rm -f "$W.up.log"
		e2e_finish
	fi
	rm -f "$W.up.log"
}

# e2e_lab_teardown: the EXIT trap (e2e_traps e2e_lab_teardown) of a test on
# that lab: stops the xdphunt ($XH_PID) and tcpdump ($TD_PID) it started,
# keeps the work files with KEEP=1, takes the lab down, exits with the
# test's status.
e2e_lab_teardown() {
	local rc=$?
	[ -n "${XH_PID:-}" ] && lab_stop_pid "$XH_PID" TERM
	[ -n "${TD_PID:-}" ] && lab_stop_pid "$TD_PID" TERM
	e2e_keep "$W" "$LAB_PFX"
	lab_down
	exit "$rc"
}

# e2e_gw_hunt CHECK PCAP SNAPLEN HOST [both]: on that lab, capture the TCP
# (or what the tcpdump filter $E2E_CAPTURE_FILTER takes) of the gateway's
# client side into PCAP (SNAPLEN bytes a frame) and start
# `xdphunt run` in native mode as HOST on that interface, or with "both" on
# both gateway interfaces: its JSON lines in $W/live.jsonl, its stderr in
# $W/xdphunt.err; TD_PID and XH_PID for e2e_lab_teardown. pass CHECK when
# both are ready; else fail CHECK and finish.
e2e_gw_hunt() {
	local check=$1 pcap=$2 snap=$3 host=$4 n=1 ready=0
	local ifs=(-i "$LAB_IF_GW_C")

	if [ "${5:-}" = both ]; then
		ifs+=(-i "$LAB_IF_GW_S")
		n=2
	fi
	lab_bg gw "$W/tcpdump.err" tcpdump -i "$LAB_IF_GW_C" -nn -s "$snap" -B 65536 \
		--immediate-mode -w "$pcap" ${E2E_CAPTURE_FILTER:-tcp}
	TD_PID=$LAB_LAST_PID
	ip netns exec "$LAB_NS_GW" "$XH" run "${ifs[@]}" --mode native --host "$host" \
		</dev/null >"$W/live.jsonl" 2>"$W/xdphunt.err" &
	XH_PID=$!
	xh_wait_ready "$W/xdphunt.err" "$XH_PID" "$n" && ready=1
	lab_wait_capture "$W/tcpdump.err"
	if [ "$ready" -ne 1 ]; then
		fail "$check" "xdphunt not ready on $n gateway interface(s): $(tail -n 3 "$W/xdphunt.err" | tr '\n' ' ')"
		e2e_finish
	fi
	pass "$check"
}

e2e_finish() {
	echo "# $E2E_NAME: $FAILS failed"
	[ "$FAILS" -eq 0 ] && exit 0 || exit 1
}
