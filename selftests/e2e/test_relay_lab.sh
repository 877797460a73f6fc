#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test_relay_lab.sh [BUILD_DIR]: ntlm.relay against Impacket's smbrelayx,
# tshark the oracle (root). Builds the coverage lab (scripts/lab.sh,
# LAB_TOPO=hunt, without the AD DC) with xdphunt on all five gateway
# interfaces and a capture on the attacker's link, which both flows of a
# relay cross. The attacker (192.0.2.10) runs ntlmrelayx's SMB server,
# relaying to the file server; the workstation logs on to it with
# smbclient, as a victim of name poisoning would, and ntlmrelayx forwards
# that logon to the server. The workstation and the attacker also log on to
# the server themselves, twice each: no relay. Checks the one ntlm.relay hit
# (the relayed flow, the victim's flow, the account, T1557.001), live and in
# `xdphunt replay` of the capture (both engines), against the NTProofStr tshark reads on
# two flows (selftests/e2e/check_ntlm.py relays()). Prints
# PASS:/FAIL:/SKIP: lines.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/e2e.sh"
e2e_init e2e_relay_lab "$@"
RELAYX=/usr/share/doc/python3-impacket/examples/smbrelayx.py
e2e_need ip smbd smbclient tcpdump tshark unshare /usr/bin/python3 "$RELAYX"
e2e_unshare -m

# shellcheck source=../../scripts/lab.sh
. "$ROOT/scripts/lab.sh"
LAB_TOPO=hunt
LAB_HUNT_DC=0
lab_init "xr$$"
W=$LAB_DIR
PFX=$LAB_PFX
XH_PID=
TD_PID=

e2e_traps e2e_lab_teardown

e2e_lab_up relay_lab_up
pass relay_lab_up

# --- capture on the attacker's link, xdphunt on every gateway interface ----------
lab_bg gw "$W/tcpdump.err" tcpdump -i "${PFX}gc" -nn -s 0 -B 65536 --immediate-mode \
	-w "$W/relay.pcap" tcp port 445
TD_PID=$LAB_LAST_PID
ifs=()
for i in "${LAB_HUNT_GW_IFS[@]}"; do ifs+=(-i "$i"); done
ip netns exec "$LAB_NS_GW" "$XH" run "${ifs[@]}" --mode native --host xh-relay \
	-o "$W/live.jsonl" </dev/null 2>"$W/xdphunt.err" &
XH_PID=$!
xh_wait_ready "$W/xdphunt.err" "$XH_PID" 5 && pass relay_run_ready ||
	{ fail relay_run_ready "$(tail -n 3 "$W/xdphunt.err" | tr '\n' ' ')"; e2e_finish; }
lab_wait_capture "$W/tcpdump.err"

SMB=(smbclient -s "$LAB_CLIENT_CONF" -U "$LAB_SMB_USER%$LAB_SMB_PASS")
# Logons of their own: each its own challenge, no relay
for h in ws client ws client; do
	lab_exec "$h" timeout 30 "${SMB[@]}" "//$LAB_SERVER_IP4/public" -c ls >>"$W/own.out" 2>&1 ||
		fail relay_own_logons "$h: $(tail -n 2 "$W/own.out" | tr '\n' ' ')"
done

# --- the relay ------------------------------------------------------------------------
# smbrelayx on the attacker, relaying to the file server (it then tries to
# run a command through the service manager, which Samba refuses: the
# relay is done by then)
lab_bg client "$W/relayx.out" /usr/bin/python3 "$RELAYX" -h "$LAB_SERVER_IP4" -c "echo xdphunt" \
	-one-shot
RELAYX_PID=$LAB_LAST_PID
lab_wait_listen client 445 ||
	{ fail relay_relayx_up "$(tail -n 3 "$W/relayx.out" | tr '\n' ' ')"; e2e_finish; }
# the victim: the workstation opens a share on the attacker
lab_exec ws timeout 30 "${SMB[@]}" "//$LAB_CLIENT_IP4/public" -c ls >"$W/victim.out" 2>&1
for ((i = 0; i < 100; i++)); do
	grep -q "Authenticating against $LAB_SERVER_IP4 .* SUCCEED" "$W/relayx.out" && break
	sleep 0.1
done
grep -q "Authenticating against $LAB_SERVER_IP4 .* SUCCEED" "$W/relayx.out" &&
	pass relay_relayx_relayed ||
	fail relay_relayx_relayed "smbrelayx: $(grep -v '^$' "$W/relayx.out" | tail -n 4 | tr '\n' ' ')"
sleep 1
# smbrelayx's threads do not stop on SIGTERM
{ lab_stop_pid "$RELAYX_PID" KILL; } 2>/dev/null

# --- stop ------------------------------------------------------------------------------
sleep 1
lab_stop_pid "$TD_PID" TERM
TD_PID=
lab_stop_pid "$XH_PID" TERM && pass relay_run_sigterm ||
	fail relay_run_sigterm "$(tail -n 3 "$W/xdphunt.err" | tr '\n' ' ')"
XH_PID=
dropped=$(sed -n 's/^\([0-9]*\) packets* dropped by kernel.*/\1/p' "$W/tcpdump.err")
[ "${dropped:-x}" = 0 ] && pass relay_capture_complete ||
	fail relay_capture_complete "tcpdump: '$(grep -i dropped "$W/tcpdump.err" | tr '\n' ' ')'"

# --- live and replayed, against tshark ----------------------------------------------------
for engine in kernel native; do
	if "$XH" replay -v --engine "$engine" "$W/relay.pcap" >"$W/replay_$engine.jsonl" \
		2>"$W/replay.err"; then
		pass "relay_replay_runs_$engine"
	else
		fail "relay_replay_runs_$engine" "$(tail -n 3 "$W/replay.err" | tr '\n' ' ')"
	fi
done
grep -q 'replay: 1 of the hits ntlm.relay' "$W/replay.err" && pass relay_replay_says_so ||
	fail relay_replay_says_so "replay's summary: $(tail -n 3 "$W/replay.err" | tr '\n' ' ')"
for what in live replay_kernel replay_native; do
	/usr/bin/python3 "$HERE/check_ntlm.py" --relays "$W/relay.pcap" "$W/$what.jsonl" \
		--want 1 --victim "$LAB_WS_IP4" --relay "$LAB_CLIENT_IP4" --target "$LAB_SERVER_IP4" \
		--user "$LAB_SMB_USER" | sed "s/^\(PASS\|FAIL\): relays/\1: relay_$what/"
	[ "${PIPESTATUS[0]}" -eq 0 ] || FAILS=$((FAILS + 1))
done
e2e_finish
