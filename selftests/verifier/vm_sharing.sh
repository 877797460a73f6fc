#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# vm_sharing.sh: run inside the 6.1 VM of test_kernel_61.sh (busybox sh; the
# real build/xdphunt, xdp-loader and their shared libraries are in the
# initramfs). Sharing an interface through libxdp's dispatcher, which the
# kernel of the build machine refuses (freplace: EPERM):
#  - `xdphunt run` attaches inside a dispatcher;
#  - xdp-loader adds a second program beside it;
#  - a ping exchange with an IoC address gives one hit, and stats count
#    packets;
#  - SIGTERM removes xdphunt and leaves the other program attached.
# Traffic stays on the VM's loopback, between two documentation addresses.
# Prints XH-SHARE PASS/FAIL lines for the host to read.
W=/tmp/share
mkdir -p "$W" /run
pass() { echo "XH-SHARE PASS $1"; }
fail() { echo "XH-SHARE FAIL $1: $2" | tr '\n' ' '; echo; }

ip link set lo up
ip addr add 192.0.2.1/32 dev lo
ip addr add 192.0.2.2/32 dev lo
echo 192.0.2.2 >"$W/feed.txt"

xdphunt run -i lo --mode skb --flows 4096 --no-default-ioc --ioc "$W/feed.txt" \
	-o "$W/hits.json" 2>"$W/run.err" &
XH=$!
ready=0
for _ in $(seq 600); do
	grep -q 'ready:' "$W/run.err" && ready=1 && break
	kill -0 "$XH" 2>/dev/null || break
	sleep 0.2
done
if [ "$ready" -ne 1 ]; then
	fail "xdphunt run -i lo" "not ready: $(tail -5 "$W/run.err")"
	kill -KILL "$XH" 2>/dev/null
	exit 0
fi
xdp-loader status lo >"$W/st1" 2>&1
if grep -q xdp_dispatcher "$W/st1" && grep -q xdphunt "$W/st1"; then
	pass "xdphunt attached inside libxdp's dispatcher"
else
	fail "dispatcher" "$(cat "$W/st1")"
fi
if xdp-loader load -m skb lo /xh/xdp_pass.bpf.o >"$W/ld" 2>&1; then
	xdp-loader status lo >"$W/st2" 2>&1
	grep -q xdp_pass_test "$W/st2" && grep -q xdphunt "$W/st2" &&
		pass "xdp-loader adds a second program beside it" ||
		fail "second program" "$(cat "$W/st2")"
else
	fail "xdp-loader load" "$(cat "$W/ld")"
fi

ping -c 3 -i 0.2 -W 1 -I 192.0.2.1 192.0.2.2 >"$W/ping" 2>&1 &&
	pass "packets pass both programs (ping)" || fail ping "$(cat "$W/ping")"
xdphunt stats -i lo --json >"$W/stats" 2>&1
grep -q '"packets": *[1-9]' "$W/stats" && pass "stats count packets beside another program" ||
	fail stats "$(head -c 400 "$W/stats")"

kill -TERM "$XH"
for _ in $(seq 100); do
	kill -0 "$XH" 2>/dev/null || break
	sleep 0.1
done
wait "$XH"
rc=$?
[ "$rc" -eq 0 ] && pass "SIGTERM: xdphunt exits 0" || fail SIGTERM "rc=$rc: $(tail -5 "$W/run.err")"
sed -n 's/.*"event_type":"\([a-z]*\)".*"src_ip":"\([^"]*\)".*"dest_ip":"\([^"]*\)".*"rule":"\([^"]*\)".*/XH-LOG hit: \1 \2 -> \3 \4/p' "$W/hits.json"
n=$(grep -c '"rule":"ioc.dest"' "$W/hits.json")
# Three echo requests and their replies are one flow: one finding.
[ "$n" -eq 1 ] && pass "one ioc.dest hit for the ping exchange, from the dispatcher" ||
	fail "ioc.dest hit" "$(head -c 400 "$W/hits.json")"
xdp-loader status lo >"$W/st3" 2>&1
if grep -q xdp_pass_test "$W/st3" && ! grep -q xdphunt "$W/st3"; then
	pass "detach removed xdphunt only; the other program stays"
else
	fail "detach" "$(cat "$W/st3")"
fi
echo "XH-SHARE DONE"
