#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# demo.sh OUT_DIR: `make demo`. Builds the scripts/lab.sh namespace lab, runs
# OUT_DIR/xdphunt natively on the server's veth with a small IoC feed, makes
# real traffic (SMB with smbclient, TCP 135, a "C2" on 443, SSH off its
# port, nmap's port scan, stealth scan and SMB sweep, benign web and UDP),
# stops xdphunt with SIGTERM and prints the hunt hits and the flow records
# of the hunted flows (--flow-timeout). Root only; leaves nothing behind
# (private net/mount namespace, trap, processes stopped by PID).
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$(cd "${1:-$ROOT/build}" 2>/dev/null && pwd) || { echo "demo: no build dir '${1:-build}' (run make)" >&2; exit 1; }
XH=$OUT/xdphunt

if [ -t 1 ]; then B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' Y=$'\e[33m' N=$'\e[0m'; else B= G= R= Y= N=; fi
step() { printf '\n%s==> %s%s\n' "$B" "$*" "$N"; }
ok() { printf '    %sOK%s   %s\n' "$G" "$N" "$*"; }
bad() { printf '    %sFAIL%s %s\n' "$R" "$N" "$*"; DEMO_BAD=$((DEMO_BAD + 1)); }
note() { printf '    %s\n' "$*"; }
DEMO_BAD=0

[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (network namespaces, XDP attach): sudo make demo" >&2; exit 1; }
[ -x "$XH" ] || { echo "demo: $XH not built (make)" >&2; exit 1; }
for c in ip smbd smbclient nc ssh dropbear dropbearkey nmap unshare nsenter /usr/bin/python3; do
	command -v "$c" >/dev/null || { echo "demo: $c missing (make deps)" >&2; exit 1; }
done
if [ -z "${XH_DEMO_UNSHARED:-}" ]; then
	XH_DEMO_UNSHARED=1 exec unshare -n -m --propagation private bash "$0" "$OUT"
fi

# shellcheck source=lab.sh
. "$ROOT/scripts/lab.sh"
lab_init "xh$$"
XH_PID=
teardown() {
	local rc=$?
	[ -n "$XH_PID" ] && lab_stop_pid "$XH_PID" TERM
	lab_down
	exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "Building the lab (private namespaces, prefix $LAB_PFX)"
if ! lab_up 2>"${TMPDIR:-/tmp}/$LAB_PFX.up.err"; then
	cat "${TMPDIR:-/tmp}/$LAB_PFX.up.err" >&2
	rm -f "${TMPDIR:-/tmp}/$LAB_PFX.up.err"
	echo "demo: lab setup failed" >&2
	exit 1
fi
rm -f "${TMPDIR:-/tmp}/$LAB_PFX.up.err"
IF=$LAB_IF_SERVER
W=$LAB_DIR
cat <<-EOF
    client  $LAB_NS_CLIENT  $LAB_IF_CLIENT  $LAB_CLIENT_IP4  $LAB_CLIENT_IP6  (+ $LAB_CLIENT_EXTRA_IP4)
    server  $LAB_NS_SERVER  $IF  $LAB_SERVER_IP4  $LAB_SERVER_IP6
            smbd (pid $LAB_SMBD_PID) on 445+139, shares public ADMIN\$ C\$; RPC stand-in on 135;
            "C2" $LAB_C2_IP4:$LAB_C2_PORT and [$LAB_C2_IP6]:$LAB_C2_PORT; web on 80
    xdphunt attaches to $IF (server side, ingress: sees everything the client sends)
EOF

cat >"$W/ioc.txt" <<-EOF
# demo IoC feed
$LAB_C2_IP4
$LAB_C2_NET6
EOF

step "Starting: xdphunt run -i $IF --mode native --ioc ioc.txt --flow-timeout 60  (in $LAB_NS_SERVER)"
note "IoC feed: $(grep -v '^#' "$W/ioc.txt" | tr '\n' ' ')"
ip netns exec "$LAB_NS_SERVER" "$XH" run -i "$IF" --mode native --ioc "$W/ioc.txt" --host demo \
	--flow-timeout 60 -o "$W/hits.jsonl" </dev/null >/dev/null 2>"$W/xdphunt.err" &
XH_PID=$!
if ! xh_wait_ready "$W/xdphunt.err" "$XH_PID"; then
	bad "xdphunt did not get ready:"
	sed 's/^/        /' "$W/xdphunt.err"
	exit 1
fi
ok "$(grep -m1 'xdphunt: ready:' "$W/xdphunt.err")"
note "ip link: $(lab_exec server ip link show dev "$IF" 2>/dev/null | grep -oE 'prog/xdp[a-z]* id [0-9]+.*' | head -n1)"

SMB=(smbclient -s "$LAB_CLIENT_CONF" -U "$LAB_SMB_USER%$LAB_SMB_PASS")
DEMO_SWEEP_NET=198.51.100 # .129-.144: the SMB sweep's hosts
tcp() { printf 'demo\n' | lab_exec client timeout 10 nc -N -w 3 "$@" >/dev/null 2>&1; }
try() {	# label cmd...
	local label=$1
	shift
	if "$@" >"$W/step.out" 2>&1; then ok "$label"; else bad "$label (client error: $(tail -n1 "$W/step.out"))"; fi
}

step "Traffic that SHOULD be hunted"
note "xdphunt is attached to the server's interface, and XDP sees what an interface"
note "receives: the clients' requests, not the server's answers. So trees and pipes"
note "opened here are not named (stats: create_unknown_tree); on a gateway, attach to"
note "both sides (-i lan0 -i wan0) and every answer passes one of them."
try "smbclient -L //$LAB_SERVER_IP4 (SMB, TCP 445, share listing; it also asks TCP 139 in SMB1: smb.v1)" \
	lab_exec client timeout 30 "${SMB[@]}" -p 445 -L "$LAB_SERVER_IP4"
try "smbclient //$LAB_SERVER_IP4/ADMIN\$ -c ls (admin share, TCP 445)" \
	lab_exec client timeout 30 "${SMB[@]}" -p 445 "//$LAB_SERVER_IP4/ADMIN\$" -c ls
try "smbclient //[$LAB_SERVER_IP6]/C\$ (admin share over IPv6, TCP 445)" \
	lab_exec client timeout 30 "${SMB[@]}" -p 445 -I "$LAB_SERVER_IP6" "//xhsrv/C\$" -c ls
try "smbclient -p 139 //$LAB_SERVER_IP4/public (NetBIOS session, TCP 139)" \
	lab_exec client timeout 30 "${SMB[@]}" -p 139 "//$LAB_SERVER_IP4/public" -c ls
try "TCP $LAB_CLIENT_IP4:40135 -> $LAB_SERVER_IP4:135 (MS-RPC endpoint mapper)" \
	tcp -p 40135 "$LAB_SERVER_IP4" 135
try "TCP $LAB_CLIENT_IP4:40443 -> $LAB_C2_IP4:$LAB_C2_PORT (IoC: C2 address)" \
	tcp -p 40443 "$LAB_C2_IP4" "$LAB_C2_PORT"
try "TCP [$LAB_CLIENT_IP6]:40444 -> [$LAB_C2_IP6]:$LAB_C2_PORT (IoC: C2 IPv6 net)" \
	tcp -6 -p 40444 "$LAB_C2_IP6" "$LAB_C2_PORT"
# An SSH server off its port (dropbear on 2222): ssh.connect, T1571. The
# logon is refused (no key); the client's identification line is the hit.
dropbearkey -t ed25519 -f "$W/ssh_hostkey" >/dev/null 2>&1
lab_bg server "$W/dropbear.out" dropbear -F -E -s -r "$W/ssh_hostkey" -p 2222
if lab_wait_listen server 2222 2>/dev/null; then
	try "ssh -p 2222 hunter@$LAB_SERVER_IP4 (SSH on a port not its own; the logon is refused)" \
		bash -c "ip netns exec $LAB_NS_CLIENT timeout 20 ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -p 2222 hunter@$LAB_SERVER_IP4 true; [ \$? -eq 255 ]"
else
	bad "dropbear did not listen on 2222: $(tail -n 2 "$W/dropbear.out" | tr '\n' ' ')"
fi

# Reconnaissance before the move: nmap's SYN scan of the server's 100 most
# common ports (scan.port_scan, T1046, at the 16th port it probes).
try "nmap -sS --top-ports 100 $LAB_SERVER_IP4 (a port scan)" \
	lab_exec client timeout 60 nmap -n -Pn -sS --top-ports 100 "$LAB_SERVER_IP4"
# A stealth scan sends no SYN: NULL probes, segments without a flag, which
# no client sends (scan.port_scan names the probe).
try "nmap -6 -sN --top-ports 100 $LAB_SERVER_IP6 (a stealth scan)" \
	lab_exec client timeout 60 nmap -n -Pn -6 -sN --top-ports 100 "$LAB_SERVER_IP6"
# A UDP scan: an empty datagram to each port nmap has no payload for, which
# no client sends (--min-rate: the server answers "port unreachable" a
# second apart, which would make nmap wait minutes).
try "nmap -sU --top-ports 100 $LAB_SERVER_IP4 (a UDP scan)" \
	lab_exec client timeout 60 nmap -n -Pn -sU --top-ports 100 --max-retries 1 --min-rate 200 \
	"$LAB_SERVER_IP4"

# Before moving, an intruder looks for hosts that speak SMB: nmap's SYNs to
# port 445 of 16 hosts within seconds (scan.smb_sweep, T1046, at the 16th
# host). The server holds the 16 addresses, routed to it like the C2's.
for i in $(seq 129 144); do ip -n "$LAB_NS_SERVER" addr add "$DEMO_SWEEP_NET.$i/32" dev lo; done
ip -n "$LAB_NS_CLIENT" route add "$DEMO_SWEEP_NET.128/27" via "$LAB_SERVER_IP4"
try "nmap -sS -p 445 $DEMO_SWEEP_NET.129-144 (an SMB sweep of 16 hosts)" \
	lab_exec client timeout 60 nmap -n -Pn -sS -p 445 "$DEMO_SWEEP_NET.129-144"

step "Benign traffic that must NOT be hunted"
try "TCP $LAB_CLIENT_IP4:40080 -> $LAB_SERVER_IP4:80 (web)" tcp -p 40080 "$LAB_SERVER_IP4" 80
try "TCP [$LAB_CLIENT_IP6]:40081 -> [$LAB_SERVER_IP6]:80 (web, IPv6)" tcp -6 -p 40081 "$LAB_SERVER_IP6" 80
try "UDP -> $LAB_SERVER_IP4:53 and :135 (UDP is not a hunted service)" \
	lab_exec client bash -c "printf x | nc -u -w1 $LAB_SERVER_IP4 53; printf x | nc -u -w1 $LAB_SERVER_IP4 135"
try "ping $LAB_SERVER_IP4 / $LAB_SERVER_IP6" bash -c \
	"ip netns exec $LAB_NS_CLIENT ping -c1 -W1 $LAB_SERVER_IP4 && ip netns exec $LAB_NS_CLIENT ping -c1 -W1 $LAB_SERVER_IP6"

step "xdphunt stats -i $IF (while running)"
sleep 0.5
if ! timeout 20 nsenter -t "$XH_PID" -n -m "$XH" stats -i "$IF" 2>&1 | sed 's/^/    /'; then
	bad "xdphunt stats failed"
fi

step "Stopping xdphunt (SIGTERM to pid $XH_PID)"
sleep 1
lab_stop_pid "$XH_PID" TERM
rc=$?
XH_PID=
if [ "$rc" -eq 0 ]; then ok "exited 0 after draining events"; else bad "exit status $rc"; fi
sed 's/^/    log: /' "$W/xdphunt.err" | tail -n 8
left=$(lab_exec server ip link show dev "$IF" 2>/dev/null | grep -oE 'prog/xdp[a-z]* id [0-9]+')
if [ -z "$left" ]; then ok "no XDP program left on $IF"; else bad "XDP program still attached: $left"; fi

KEEP=$OUT/demo-hits.jsonl # the lab's folder goes with the lab
cp "$W/hits.jsonl" "$KEEP" 2>/dev/null
step "Hunt hits (kept in $KEEP)"
if [ ! -s "$W/hits.jsonl" ]; then
	bad "no hits at all"
else
	/usr/bin/python3 - "$W/hits.jsonl" <<-'EOF'
	import json, sys
	rows, raw, flows = [], [], []
	for line in open(sys.argv[1]):
	    if not line.strip():
	        continue
	    try:
	        h = json.loads(line)
	    except ValueError:
	        raw.append(line.rstrip("\n"))
	        rows.append(("??", "not JSON: " + line.strip()[:80], "", "", ""))
	        continue
	    if h.get("event_type") == "flow":
	        flows.append(h)
	        continue
	    raw.append(line.rstrip("\n"))
	    def ep(a, p):
	        return f"[{a}]:{p}" if ":" in str(a) else f"{a}:{p}"
	    att = h.get("attack") or {}
	    ioc = h.get("ioc")
	    smb = h.get("smb") or {}
	    rpc = h.get("dcerpc") or {}
	    # What was seen, in a hunter's words: the share, pipe or file, the
	    # RPC interface and operation, the IoC indicator.
	    if isinstance(ioc, dict):
	        what = f"ioc {ioc.get('indicator')} ({ioc.get('matched')})"
	    elif rpc:
	        what = " ".join(x for x in ((rpc.get("interface") or {}).get("name", "?"),
	                                    rpc.get("operation", ""), "via", rpc.get("transport", "")) if x)
	    elif smb:
	        what = smb.get("share") or smb.get("pipe") or smb.get("filename") or f"SMB{smb.get('version', '')}"
	    elif h.get("ssh"):
	        what = "SSH client " + (h["ssh"].get("client") or {}).get("software_version", "?")
	    elif h.get("scan"):
	        s = h["scan"]
	        n = s.get("distinct_ports") or s.get("distinct_destinations")
	        what = f"{n} {'ports' if 'distinct_ports' in s else 'hosts'} in {s.get('window_s')} s, " + (
	            "empty datagrams" if s.get("probe") == "empty" else f"{s.get('probe', '?').upper()} probes")
	    elif h.get("rdp"):
	        what = "RDP request" + (" cookie " + h["rdp"]["cookie"] if h["rdp"].get("cookie") else "")
	    else:
	        what = ""
	    # Who: the account an NTLM logon named on the flow (smb.logon,
	    # dcerpc.logon, and every later hit of that flow).
	    nt = h.get("ntlmssp")
	    if h.get("rule") in ("smb.logon", "dcerpc.logon"):
	        what = "NTLM logon"
	    if isinstance(nt, dict):
	        acct = (nt.get("domain") + "\\" if nt.get("domain") else "") + (nt.get("user") or "(anonymous)")
	        what += f" as {acct}" + (f" from {nt['host']}" if nt.get("host") else "")
	    rows.append((h.get("timestamp", "")[11:23], h.get("rule", "?"),
	                 f"{ep(h.get('src_ip'), h.get('src_port'))} -> {ep(h.get('dest_ip'), h.get('dest_port'))} {h.get('proto', '')}",
	                 f"{att.get('technique_id', '')} {att.get('tactic', '')}", what))
	w = [max(len(r[i]) for r in rows) for i in range(5)]
	print("    " + "  ".join(s.ljust(w[i]) for i, s in enumerate(("TIME (UTC)", "RULE", "FLOW (client -> server)", "ATT&CK", "WHAT")[:5])).rstrip())
	for r in rows:
	    print("    " + "  ".join(s.ljust(w[i]) for i, s in enumerate(r)).rstrip())
	print(f"\n    {len(raw)} hit(s). Raw JSON lines:")
	for l in raw:
	    print("    " + l)
	# Flow records: written at SIGTERM (reason shutdown), one per hunted
	# flow, joined to its hits by flow_id.
	print(f"\n    {len(flows)} flow record(s) (--flow-timeout: one per hunted flow, here at exit):")
	fw = []
	for f in sorted(flows, key=lambda f: f.get("timestamp", "")):
	    fl = f.get("flow") or {}
	    ioc = (f.get("ioc") or {}).get("indicator", "")
	    fw.append((f"{ep(f.get('src_ip'), f.get('src_port'))} -> {ep(f.get('dest_ip'), f.get('dest_port'))} {f.get('proto', '')}",
	               (f.get("app_proto") or ("ioc " + ioc if ioc else "")) + (f" (counted {fl['counted']})" if fl.get("counted") else ""), str(fl.get("pkts_toserver")), str(fl.get("bytes_toserver")),
	               f"{fl.get('age')} s", fl.get("reason", "")))
	if fw:
	    w = [max(len(r[i]) for r in fw + [("FLOW (client -> server)", "WHAT", "PKTS C->S", "BYTES C->S", "AGE", "REASON")]) for i in range(6)]
	    print("    " + "  ".join(s.ljust(w[i]) for i, s in enumerate(("FLOW (client -> server)", "WHAT", "PKTS C->S", "BYTES C->S", "AGE", "REASON"))).rstrip())
	    for r in fw:
	        print("    " + "  ".join(s.ljust(w[i]) for i, s in enumerate(r)).rstrip())
	benign = [json.loads(l) for l in raw if l.startswith("{")]
	bad = [h for h in benign if h.get("dest_port") in (80, 53) and h.get("rule") in ("smb.connect", "rpc.connect")]
	hit_ids = {h.get("flow_id") for h in benign}
	lone = [f for f in flows if f.get("flow_id") not in hit_ids]
	if not flows or lone:
	    print("    FAIL %s" % ("no flow records" if not flows else "%d flow record(s) without a hit of the same flow_id" % len(lone)))
	sys.exit(1 if bad or lone or not flows else 0)
	EOF
	[ $? -eq 0 ] || bad "a benign flow was reported as SMB/RPC, or the flow records do not match the hits"
	if grep -q '"event_type":"flow"' "$W/hits.jsonl"; then
		ok "a flow record for each hunted flow, joined to its hits by flow_id"
	fi
	for want in smb.connect rpc.connect ioc.dest ssh.connect scan.port_scan scan.smb_sweep; do
		if grep -q "\"rule\": *\"$want\"" "$W/hits.jsonl"; then ok "saw $want"; else bad "no $want hit"; fi
	done
	if grep '"rule":"scan.port_scan"' "$W/hits.jsonl" | grep -q '"probe":"null"'; then
		ok "saw the stealth scan's NULL probes (scan.port_scan)"
	else
		bad "no scan.port_scan hit names NULL probes"
	fi
	if grep '"rule":"scan.port_scan"' "$W/hits.jsonl" | grep -q '"service":"udp"'; then
		ok "saw the UDP scan's empty datagrams (scan.port_scan)"
	else
		bad "no scan.port_scan hit of a UDP scan"
	fi
	# (the scan's hit names the port it reached the threshold on: it may be 80)
	if grep -v '"rule":"scan\.' "$W/hits.jsonl" | grep -qE '"dest_port": *(80|53)[,}]'; then
		bad "a hit names benign port 80/53"
	else
		ok "no hit for the benign web/UDP/ping traffic"
	fi
fi

step "Done"
note "Next: sudo $XH run -i eth0 -o hits.json     (README: xdphunt run)"
note "      $XH replay --engine native CAPTURE.pcap   (the same hunt over a capture)"
note "      each field of a hit: README, \"The JSON line\"; these hits: $KEEP"
if [ "$DEMO_BAD" -eq 0 ]; then
	printf '    %sdemo OK%s: lab removed, nothing left attached\n' "$G" "$N"
	exit 0
fi
printf '    %sdemo: %d problem(s) above%s\n' "$Y" "$DEMO_BAD" "$N"
exit 1
