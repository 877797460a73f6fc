#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test_remote_lab.sh [BUILD_DIR]: rdp.connect and ssh.connect against real
# servers and clients, tshark the oracle (root). Builds the routed lab
# (scripts/lab.sh, LAB_TOPO=gateway), runs xrdp on 3389 and on 3390 and
# dropbear on 22 and on 2222 on the victim, attaches xdphunt natively on both
# gateway interfaces and captures there; nmap's rdp-enum-encryption and
# rdp-ntlm-info, Impacket's rdp_check and OpenSSH's ssh (IPv4 and IPv6) then
# open connections. selftests/e2e/check_remote.py checks that every RDP
# request and SSH client line tshark reads is one hit, live and in `xdphunt
# replay` of the capture, with tshark's cookie, protocols and versions and
# T1571 on 3390 and 2222, and nothing else; `xdphunt stats` must have counted
# the servers' SSH lines.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/e2e.sh"
e2e_init e2e_remote "$@"
IMP=/usr/share/doc/python3-impacket/examples
e2e_need ip smbd xrdp dropbear dropbearkey ssh nmap tcpdump tshark unshare /usr/bin/python3
[ -f "$IMP/rdp_check.py" ] || { skip e2e_remote "Impacket examples missing in $IMP (make deps)"; exit 0; }
e2e_unshare -n -m

# shellcheck source=../../scripts/lab.sh
. "$ROOT/scripts/lab.sh"
LAB_TOPO=gateway
lab_init "xr$$"
W=$LAB_DIR
XH_PID=
TD_PID=

e2e_traps e2e_lab_teardown

e2e_lab_up remote_lab_up
pass remote_lab_up

# --- servers on the victim ---------------------------------------------------------
# xrdp keeps its pid file and sockets under /run/xrdp: each instance gets a
# tmpfs of its own there, in a mount namespace of its own.
for port in 3389 3390; do
	sed "0,/^port=.*/s//port=tcp:\/\/:$port/" /etc/xrdp/xrdp.ini >"$W/xrdp-$port.ini"
	lab_bg server "$W/xrdp-$port.out" unshare -m --propagation private sh -c \
		"mkdir -p /run/xrdp && mount -t tmpfs xrdp /run/xrdp && mkdir -p /run/xrdp/sockdir && exec xrdp -n -c '$W/xrdp-$port.ini'"
done
dropbearkey -t ed25519 -f "$W/hostkey" >/dev/null 2>&1
for port in 22 2222; do
	lab_bg server "$W/dropbear-$port.out" dropbear -F -E -s -r "$W/hostkey" -P "$W/dropbear-$port.pid" -p "$port"
done
for port in 3389 3390 22 2222; do
	lab_wait_listen server "$port" || fail "remote_server_$port" "nothing listens on $port: $(tail -n 3 "$W"/*-$port.out | tr '\n' ' ')"
done
[ "$FAILS" -eq 0 ] && pass remote_servers_up || e2e_finish

# --- capture and attach on the gateway --------------------------------------------
e2e_gw_hunt remote_run_ready "$W/remote.pcap" 65535 xh-remote both

# --- real clients -------------------------------------------------------------------
S=$LAB_SERVER_IP4
S6=$LAB_SERVER_IP6
client() { # name cmd...: one client run, output kept; the exit status is not judged
	local name=$1
	shift
	lab_exec client "$@" </dev/null >"$W/client.$name.out" 2>&1
	echo "$name $?" >>"$W/client.status"
}
SSH=(timeout 20 ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
	-o ConnectTimeout=10)
# nmap's scripts force-run (+) on 3390, which nmap does not take for RDP
client nmap_rdp timeout 90 nmap -n -Pn -p 3389,3390 --script +rdp-enum-encryption,+rdp-ntlm-info "$S"
client rdp_check timeout 30 /usr/bin/python3 "$IMP/rdp_check.py" "hunter:wrong@$S"
client ssh22 "${SSH[@]}" -p 22 "hunter@$S" true
client ssh2222 "${SSH[@]}" -p 2222 "hunter@$S" true
client ssh6 "${SSH[@]}" -p 2222 "hunter@$S6" true
echo "# clients (name exit): $(sort "$W/client.status" | tr '\n' ' ')"
grep -q 'Security layer' "$W/client.nmap_rdp.out" && pass remote_nmap_saw_rdp ||
	fail remote_nmap_saw_rdp "nmap: $(tail -n 5 "$W/client.nmap_rdp.out" | tr '\n' ' ')"

# --- stop ---------------------------------------------------------------------------
sleep 1
timeout 20 nsenter -t "$XH_PID" -n -m "$XH" stats -i "$LAB_IF_GW_C" --json >"$W/stats.json" 2>"$W/stats.err"
lab_stop_pid "$TD_PID" TERM
TD_PID=
lab_stop_pid "$XH_PID" TERM
rc=$?
XH_PID=
[ "$rc" -eq 0 ] && pass remote_run_sigterm || fail remote_run_sigterm "exit $rc: $(tail -n 3 "$W/xdphunt.err" | tr '\n' ' ')"
dropped=$(sed -n 's/^\([0-9]*\) packets* dropped by kernel.*/\1/p' "$W/tcpdump.err")
[ "${dropped:-x}" = 0 ] && pass remote_capture_complete ||
	fail remote_capture_complete "tcpdump: '$(grep -i dropped "$W/tcpdump.err" | tr '\n' ' ')'"
# both servers' lines: one per SSH connection (counted, not reported)
servers=$(/usr/bin/python3 -c '
import json, sys
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "remote" and isinstance(v, dict):
                yield v.get("ssh_server", 0)
            else:
                yield from walk(v)
    elif isinstance(o, list):
        for v in o:
            yield from walk(v)
print(max(walk(json.load(open(sys.argv[1]))), default=0))' "$W/stats.json" 2>/dev/null)
[ "${servers:-0}" -ge 3 ] && pass remote_stats_ssh_servers ||
	fail remote_stats_ssh_servers "stats remote.ssh_server '${servers:-}' (want 3 or more): $(head -c 300 "$W/stats.json" "$W/stats.err" 2>/dev/null | tr '\n' ' ')"

# --- live and replayed, against tshark -------------------------------------------------
if "$XH" replay "$W/remote.pcap" >"$W/replay.jsonl" 2>"$W/replay.err"; then
	pass remote_replay_runs
else
	fail remote_replay_runs "$(tail -n 3 "$W/replay.err" | tr '\n' ' ')"
fi
for what in live replay; do
	echo "# $what:"
	/usr/bin/python3 "$HERE/check_remote.py" "$W/remote.pcap" "$W/$what.jsonl" \
		--rdp-port 3390 --ssh-port 2222 --want-rdp 10 --want-ssh 3 | sed "s/remote:/remote_$what:/"
	[ "${PIPESTATUS[0]}" -eq 0 ] || FAILS=$((FAILS + 1))
done
if [ "$FAILS" -gt 0 ]; then
	echo "# live hits (rdp, ssh):"
	grep -e '"rule":"rdp\.' -e '"rule":"ssh\.' "$W/live.jsonl" | head -n 20 | sed 's/^/#   /'
fi
e2e_finish
