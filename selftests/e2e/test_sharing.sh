#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test_sharing.sh [BUILD_DIR]: how xdphunt shares an interface (root).
#  - another program attached without libxdp's dispatcher is never displaced:
#    `run` refuses with a message naming it, and it stays attached;
#  - after kill -9 the program stays attached; `run` refuses, `detach` removes it;
#  - with libxdp's dispatcher, xdphunt and another program run side by side
#    (skipped, with the reason, where the kernel refuses freplace programs).
# Prints PASS:/FAIL:/SKIP: lines; exits 1 on any FAIL.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$(cd "${1:-$ROOT/build}" 2>/dev/null && pwd) || OUT=${1:-$ROOT/build}
XH=$OUT/xdphunt
PASSOBJ=$OUT/selftests/xdp_pass.bpf.o
FAILS=0
pass() { echo "PASS: sharing: $1"; }
fail() { echo "FAIL: sharing: $1: $2"; FAILS=$((FAILS + 1)); }
skip() { echo "SKIP: sharing: $1: $2"; }

[ "$(id -u)" -eq 0 ] || { skip all "needs root"; exit 0; }
[ -x "$XH" ] && [ -f "$PASSOBJ" ] || { skip all "build first (make)"; exit 0; }
if [ -z "${XH_E2E_UNSHARED:-}" ]; then
	XH_E2E_UNSHARED=1 exec unshare -n -m --propagation private bash "$0" "$OUT"
fi

W=$(mktemp -d /tmp/xh-sharing.XXXXXX)
A=xhs$$a
B=xhs$$b
XH_PID=
teardown() {
	[ -n "$XH_PID" ] && kill -KILL "$XH_PID" 2>/dev/null
	ip link del "$A" 2>/dev/null
	rm -rf "$W"
}
trap teardown EXIT
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
ip link add "$A" type veth peer name "$B" || { fail setup "cannot create veth"; exit 1; }
ip link set "$A" up && ip link set "$B" up
ip addr add 192.0.2.1/24 dev "$A" && ip addr add 192.0.2.2/24 dev "$B"

xdp_name() { ip -d link show dev "$1" | sed -n 's/.*prog\/xdp id [0-9]* name \([^ ]*\).*/\1/p' | head -1; }

# start_run LOG: start xdphunt on $A, wait (bounded) for "ready:" or its exit.
start_run() {
	"$XH" run -i "$A" --mode native >"$W/hits.json" 2>"$1" &
	XH_PID=$!
	for _ in $(seq 100); do
		grep -q 'ready:' "$1" && return 0
		kill -0 "$XH_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# 1. A foreign program attached the legacy way is not displaced.
ip -force link set dev "$A" xdpdrv obj "$PASSOBJ" sec xdp || { fail foreign "ip link could not attach xdp_pass"; exit 1; }
"$XH" run -i "$A" --mode native >"$W/o1" 2>"$W/e1"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "$A already has XDP program 'xdp_pass_test'" "$W/e1"; then
	pass "run refuses a foreign program and names it"
else
	fail "run refuses a foreign program" "rc=$rc: $(cat "$W/e1")"
fi
[ "$(xdp_name "$A")" = xdp_pass_test ] && pass "foreign program left attached" ||
	fail "foreign program left attached" "now: '$(xdp_name "$A")'"
ip link set dev "$A" xdpdrv off

# 2. kill -9 leaves xdphunt attached (netlink attach has no owner); run
#    refuses; detach removes it and only it.
if start_run "$W/e2"; then
	kill -KILL "$XH_PID"; wait "$XH_PID" 2>/dev/null; XH_PID=
	[ "$(xdp_name "$A")" = xdphunt ] && pass "after kill -9 the program is still attached" ||
		fail "after kill -9" "xdp now: '$(xdp_name "$A")'"
	"$XH" run -i "$A" --mode native >/dev/null 2>"$W/e3"
	rc=$?
	if [ "$rc" -eq 1 ] && grep -q "$A already runs xdphunt" "$W/e3" &&
		grep -q "no running instance has it (one that crashed or was killed left it): remove it with 'xdphunt detach -i $A'" "$W/e3"; then
		pass "second run refused: no instance has it, with the way out"
	else
		fail "second run refused" "rc=$rc: $(cat "$W/e3")"
	fi
	"$XH" detach -i "$A" 2>"$W/e4" && [ -z "$(xdp_name "$A")" ] && pass "detach removes it" ||
		fail "detach" "$(cat "$W/e4"); xdp now '$(xdp_name "$A")'"
	"$XH" detach -i "$A" 2>"$W/e5"
	[ $? -eq 1 ] && grep -q "no xdphunt program attached" "$W/e5" && pass "detach with nothing attached says so" ||
		fail "detach with nothing attached" "$(cat "$W/e5")"
else
	fail "start run" "$(cat "$W/e2")"
fi

# 2b. detach does not pull the program from under a running instance (it
#     would run on, healthy to systemd, watching nothing): refused naming its
#     pid; --force does it.
if start_run "$W/e7"; then
	"$XH" detach -i "$A" 2>"$W/e8"
	rc=$?
	if [ "$rc" -eq 1 ] && grep -q "xdphunt instance pid $XH_PID runs on $A" "$W/e8" &&
		[ "$(xdp_name "$A")" = xdphunt ]; then
		pass "detach refuses a running instance's interface, naming its pid"
	else
		fail "detach of a running instance's interface" "rc=$rc: $(cat "$W/e8"); xdp now '$(xdp_name "$A")'"
	fi
	"$XH" detach -i "$A" --force 2>"$W/e9" && [ -z "$(xdp_name "$A")" ] &&
		pass "detach --force removes it anyway" || fail "detach --force" "$(cat "$W/e9")"
	kill -TERM "$XH_PID"; wait "$XH_PID" 2>/dev/null; XH_PID=
else
	fail "start run" "$(cat "$W/e7")"
fi

# 2c. Two runs started at the same moment (a restart overlapping a manual
#     start): one attaches, the other stops saying xdphunt has the
#     interface, not a bare "busy" from an skb-mode fallback.
"$XH" run -i "$A" --no-default-ioc >/dev/null 2>"$W/r1" &
P1=$!
"$XH" run -i "$A" --no-default-ioc >/dev/null 2>"$W/r2" &
P2=$!
for _ in $(seq 100); do
	grep -q 'ready:' "$W/r1" "$W/r2" && ! { kill -0 "$P1" 2>/dev/null && kill -0 "$P2" 2>/dev/null; } && break
	sleep 0.1
done
ready=$(grep -l 'ready:' "$W/r1" "$W/r2" | wc -l)
lost=$(cat "$W/r1" "$W/r2" | grep -c "already runs xdphunt\|another xdphunt instance attached just now")
busy=$(cat "$W/r1" "$W/r2" | grep -c "resource busy")
kill -TERM "$P1" "$P2" 2>/dev/null
wait "$P1" "$P2" 2>/dev/null
if [ "$ready" -eq 1 ] && [ "$lost" -eq 1 ] && [ "$busy" -eq 0 ] && [ -z "$(xdp_name "$A")" ]; then
	pass "two runs at once: one attaches, the other says xdphunt has the interface"
else
	fail "two runs at once" "ready $ready, told $lost, busy $busy: $(cat "$W/r1" "$W/r2" | tr '\n' ' ')"
fi

# 3. Sharing through libxdp's dispatcher.
if start_run "$W/e6"; then
	name=$(xdp_name "$A")
	if [ "$name" = xdphunt ]; then
		skip dispatcher "libxdp attached xdphunt as the only program (its dispatcher needs BPF_PROG_TYPE_EXT/freplace, which this kernel refuses with EPERM); sharing an interface cannot be tested on this kernel (selftests/verifier/test_kernel_61.sh tests it on Debian 12's 6.1)"
	elif ! command -v xdp-loader >/dev/null; then
		skip dispatcher "dispatcher '$name' in use, but xdp-loader (xdp-tools) is missing to add a second program"
	else
		if xdp-loader load -m native "$A" "$PASSOBJ" 2>"$W/e7"; then
			ping -c 3 -i 0.2 -W 1 -I "$B" 192.0.2.1 >/dev/null 2>&1
			"$XH" stats -i "$A" --json >"$W/s" 2>&1
			n=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counters"]["packets"])' "$W/s" 2>/dev/null)
			[ "${n:-0}" -gt 0 ] && pass "xdphunt counts packets beside another program" || fail dispatcher "stats: $(cat "$W/s")"
		else
			fail dispatcher "xdp-loader load: $(cat "$W/e7")"
		fi
	fi
	# Text stats: the main counters, reason counters only when non-zero.
	"$XH" stats -i "$A" >"$W/st1" 2>&1
	"$XH" stats -i "$A" --all >"$W/st2" 2>&1
	if grep -q "^  packets " "$W/st1" && grep -q "zero counters not shown" "$W/st1" &&
		! grep -q "eth_trunc" "$W/st1" && grep -q "eth_trunc" "$W/st2"; then
		pass "stats hides zero reason counters, --all shows them"
	else
		fail "stats text" "$(head -40 "$W/st1")"
	fi
	kill -TERM "$XH_PID"; wait "$XH_PID"; rc=$?; XH_PID=
	[ "$rc" -eq 0 ] && [ "$(xdp_name "$A")" != xdphunt ] && pass "SIGTERM detaches" || fail "SIGTERM" "rc=$rc xdp '$(xdp_name "$A")'"
else
	fail "start run (dispatcher case)" "$(cat "$W/e6")"
fi

echo "# sharing: $FAILS failed"
[ "$FAILS" -eq 0 ]
