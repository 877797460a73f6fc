#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test_scan_lab.sh [BUILD_DIR]: scan.port_scan against real scanners, tshark
# the oracle (root). Builds the routed lab (scripts/lab.sh, LAB_TOPO=gateway),
# runs dropbear on the victim's 22, attaches xdphunt natively on the
# gateway's client side and captures there. nmap then scans the victim: a
# SYN scan of 100 ports over IPv4, a connect scan of 40 over IPv6, a UDP
# scan of 40 over IPv4 (empty datagrams), a UDP scan of 24 ports nmap has
# payloads for over IPv6 (datagrams with data, which the victim's "port
# unreachable" answers make probes); and the gateway's far side with
# stealth scans: NULL probes over IPv4, Xmas over IPv6; a client opens 30
# connections to the one SSH port, sends a datagram with data to 30 UDP
# ports that a service listens on and touches 10 ports of the gateway, none
# a scan. selftests/e2e/check_scan.py checks
# that the pairs tshark's probes bring to 16 ports within a minute are one
# hit each, with the probe that reached it, live and in `xdphunt replay` of
# the capture, and nothing else.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/e2e.sh"
e2e_init e2e_scan "$@"
e2e_need ip dropbear dropbearkey nmap tcpdump tshark unshare /usr/bin/python3
e2e_unshare -n -m

# shellcheck source=../../scripts/lab.sh
. "$ROOT/scripts/lab.sh"
LAB_TOPO=gateway
lab_init "xs$$"
W=$LAB_DIR
XH_PID=
TD_PID=

e2e_traps e2e_lab_teardown

e2e_lab_up scan_lab_up
pass scan_lab_up

dropbearkey -t ed25519 -f "$W/hostkey" >/dev/null 2>&1
lab_bg server "$W/dropbear.out" dropbear -F -E -s -r "$W/hostkey" -P "$W/dropbear.pid" -p 22
lab_wait_listen server 22 || { fail scan_server_up "nothing listens on 22: $(tail -n 3 "$W/dropbear.out" | tr '\n' ' ')"; e2e_finish; }
# UDP services on 2000-2029, which the busy client's datagrams reach
mapfile -t udp_specs < <(seq -f "udp,$LAB_SERVER_IP4,%g" 2000 2029)
lab_bg server "$W/udp_services.out" /usr/bin/python3 "$ROOT/scripts/lab-listener.py" "${udp_specs[@]}"
for ((i = 0; i < 50; i++)); do
	grep -q '^listening' "$W/udp_services.out" 2>/dev/null && break
	sleep 0.1
done
grep -q '^listening' "$W/udp_services.out" ||
	{ fail scan_server_up "no UDP services: $(tail -n 3 "$W/udp_services.out" | tr '\n' ' ')"; e2e_finish; }
# The victim answers every closed IPv6 port at once (Linux allows one
# ICMPv6 error a second per peer by default, and nmap -sU then probes a
# port a second)
lab_exec server sysctl -qw net.ipv6.icmp.ratelimit=0

# --- capture and attach on the gateway's client side ---------------------------------
# UDP too, for the UDP scan; ICMP for the answers to it, which are no probes
E2E_CAPTURE_FILTER="tcp or udp or icmp or icmp6" e2e_gw_hunt scan_run_ready "$W/scan.pcap" 128 xh-scan both

# --- scanners and a busy client ---------------------------------------------------------
S=$LAB_SERVER_IP4
S6=$LAB_SERVER_IP6
lab_exec client timeout 90 nmap -n -Pn -sS -p 1-100 "$S" </dev/null >"$W/nmap4.out" 2>&1
grep -q '22/tcp *open' "$W/nmap4.out" && pass scan_nmap_syn ||
	fail scan_nmap_syn "nmap -sS: $(tail -n 5 "$W/nmap4.out" | tr '\n' ' ')"
lab_exec client timeout 90 nmap -n -Pn -6 -sT -p 1-40 "$S6" </dev/null >"$W/nmap6.out" 2>&1
grep -q '22/tcp *open' "$W/nmap6.out" && pass scan_nmap_connect6 ||
	fail scan_nmap_connect6 "nmap -6 -sT: $(tail -n 5 "$W/nmap6.out" | tr '\n' ' ')"
# A UDP scan: empty datagrams to the ports nmap has no payload for (the
# server answers "port unreachable" a second apart: --min-rate keeps the
# scan to seconds)
lab_exec client timeout 90 nmap -n -Pn -sU -p 1000-1039 --max-retries 1 --min-rate 200 "$S" \
	</dev/null >"$W/nmap_udp.out" 2>&1
grep -q '(1 host up)' "$W/nmap_udp.out" && pass scan_nmap_udp ||
	fail scan_nmap_udp "nmap -sU: $(tail -n 5 "$W/nmap_udp.out" | tr '\n' ' ')"
# A UDP scan of ports nmap has payloads for (DNS, NTP, SNMP, NetBIOS, ...):
# datagrams with data, as clients send, which only the victim's "port
# unreachable" answers tell from a client's
UDP_PAYLOAD_PORTS=7,53,69,111,123,137,161,177,389,427,500,520,623,626,1604,1645,1701,1812,2049,2302,3784,5353,5632,17185
lab_exec client timeout 90 nmap -n -Pn -6 -sU -p "$UDP_PAYLOAD_PORTS" --max-retries 1 "$S6" \
	</dev/null >"$W/nmap_udp6.out" 2>&1
grep -q '(1 host up)' "$W/nmap_udp6.out" && grep -q '53/udp *closed' "$W/nmap_udp6.out" &&
	pass scan_nmap_udp_payloads6 ||
	fail scan_nmap_udp_payloads6 "nmap -6 -sU: $(tail -n 5 "$W/nmap_udp6.out" | tr '\n' ' ')"
# Stealth scans, which send no SYN (the gateway's own addresses on its far
# side: packets to them come in on its client side)
lab_exec client timeout 90 nmap -n -Pn -sN -p 1-40 "$LAB_GW_S_IP4" </dev/null >"$W/nmap_null.out" 2>&1
grep -q '(1 host up)' "$W/nmap_null.out" && pass scan_nmap_null ||
	fail scan_nmap_null "nmap -sN: $(tail -n 5 "$W/nmap_null.out" | tr '\n' ' ')"
lab_exec client timeout 90 nmap -n -Pn -6 -sX -p 1-40 "$LAB_GW_S_IP6" </dev/null >"$W/nmap_xmas.out" 2>&1
grep -q '(1 host up)' "$W/nmap_xmas.out" && pass scan_nmap_xmas6 ||
	fail scan_nmap_xmas6 "nmap -6 -sX: $(tail -n 5 "$W/nmap_xmas.out" | tr '\n' ' ')"
# 30 connections to one service, a datagram with data to each of 30 UDP
# services, and 10 ports of another host: no scan
lab_exec client bash -c 'for i in $(seq 30); do timeout 2 bash -c "exec 3<>/dev/tcp/$1/22" 2>/dev/null; done' _ "$S"
lab_exec client bash -c 'for p in $(seq 2000 2029); do echo query >"/dev/udp/$1/$p"; done' _ "$S"
lab_exec client timeout 30 nmap -n -Pn -sS -p 1-10 "$LAB_GW_C_IP4" </dev/null >"$W/nmap_gw.out" 2>&1

# --- stop ------------------------------------------------------------------------------
sleep 1
lab_stop_pid "$TD_PID" TERM
TD_PID=
lab_stop_pid "$XH_PID" TERM
rc=$?
XH_PID=
[ "$rc" -eq 0 ] && pass scan_run_sigterm || fail scan_run_sigterm "exit $rc: $(tail -n 3 "$W/xdphunt.err" | tr '\n' ' ')"
dropped=$(sed -n 's/^\([0-9]*\) packets* dropped by kernel.*/\1/p' "$W/tcpdump.err")
[ "${dropped:-x}" = 0 ] && pass scan_capture_complete ||
	fail scan_capture_complete "tcpdump: '$(grep -i dropped "$W/tcpdump.err" | tr '\n' ' ')'"

# --- live and replayed, against tshark ----------------------------------------------------
if "$XH" replay "$W/scan.pcap" >"$W/replay.jsonl" 2>"$W/replay.err"; then
	pass scan_replay_runs
else
	fail scan_replay_runs "$(tail -n 3 "$W/replay.err" | tr '\n' ' ')"
fi
for what in live replay; do
	/usr/bin/python3 "$HERE/check_scan.py" "$W/scan.pcap" "$W/$what.jsonl" --want 6 \
		$([ "$what" = live ] && echo --live) | sed "s/port_scan:/port_scan_$what:/"
	[ "${PIPESTATUS[0]}" -eq 0 ] || FAILS=$((FAILS + 1))
done
# exactly the six scans: the victim over IPv4, IPv6, UDP and UDP over
# IPv6, the gateway's far side with NULL and with Xmas probes
n=$(grep -c '"rule":"scan.port_scan"' "$W/live.jsonl")
[ "$n" -eq 6 ] && pass scan_six_hits || fail scan_six_hits "$n scan.port_scan hits live, want 6"
grep '"rule":"scan.port_scan"' "$W/live.jsonl" | grep "\"dest_ip\":\"$S\"" | grep '"proto":"UDP"' |
	grep -q '"service":"udp".*"probe":"empty"' && pass scan_udp ||
	fail scan_udp "no scan.port_scan hit on $S names UDP and its empty probes"
grep '"rule":"scan.port_scan"' "$W/live.jsonl" | grep "\"dest_ip\":\"$S6\"" | grep '"proto":"UDP"' |
	grep -q '"service":"udp".*"probe":"unreachable"' && pass scan_udp_unreachable6 ||
	fail scan_udp_unreachable6 "no scan.port_scan hit on $S6 names UDP and a probe its port unreachable answered"
for p in "$LAB_GW_S_IP4 null" "$LAB_GW_S_IP6 xmas"; do
	set -- $p
	grep '"rule":"scan.port_scan"' "$W/live.jsonl" | grep "\"dest_ip\":\"$1\"" |
		grep -q "\"probe\":\"$2\"" && pass "scan_probe_$2" ||
		fail "scan_probe_$2" "no scan.port_scan hit on $1 names the probe $2"
done
if [ "$FAILS" -gt 0 ]; then
	echo "# live hits:"
	grep '"rule":"scan\.' "$W/live.jsonl" | head -n 10 | sed 's/^/#   /'
fi
e2e_finish
