#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test_hunt_lab.sh [BUILD_DIR]: smoke test of the coverage lab (scripts/lab.sh,
# LAB_TOPO=hunt, without the AD DC to stay fast) and of scan.smb_sweep and
# scan.service_sweep live (root). xdphunt attaches natively on all five
# gateway interfaces; the attacker reads an admin share, sweeps port 445 and
# port 3389 (RDP), beacons to the C2 over
# HTTPS with SNI (on 443 and on 7443), beacons over UDP, and sends an
# 802.1Q-tagged C2 SYN; the benign workstation
# browses a normal share. Checks the hits of each host (by source address),
# that the benign host gets no admin-share or sweep hit, and that lab_down
# leaves no namespace behind. Prints PASS:/FAIL:/SKIP: lines.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/e2e.sh"
e2e_init e2e_hunt_lab "$@"
e2e_need ip smbd smbclient curl openssl unshare /usr/bin/python3
e2e_unshare -m

# shellcheck source=../../scripts/lab.sh
. "$ROOT/scripts/lab.sh"
LAB_TOPO=hunt
LAB_HUNT_DC=0
lab_init "xk$$"
W=$LAB_DIR
PFX=$LAB_PFX
XH_PID=

teardown() {
	local rc=$?
	[ -n "$XH_PID" ] && lab_stop_pid "$XH_PID" TERM
	lab_down
	exit "$rc"
}
e2e_traps teardown

e2e_lab_up hunt_lab_up
pass hunt_lab_up

printf 'indicator,type\n%s,ipv4\n%s,ipv6\n%s,ipv4\nevil.example,domain\n' "$LAB_C2_IP4" \
	"$LAB_C2_IP6" "$LAB_C2_UDP_IP4" >"$W/feed.csv"
ifs=()
for i in "${LAB_HUNT_GW_IFS[@]}"; do ifs+=(-i "$i"); done
ip netns exec "$LAB_NS_GW" "$XH" run "${ifs[@]}" --mode native --host xh-hunt --ioc "$W/feed.csv" \
	-o "$W/live.jsonl" </dev/null 2>"$W/xh.err" &
XH_PID=$!
for ((i = 0; i < 200; i++)); do
	[ "$(grep -c 'ready:' "$W/xh.err")" -ge 5 ] && break
	kill -0 "$XH_PID" 2>/dev/null || break
	sleep 0.1
done
if [ "$(grep -c 'ready:' "$W/xh.err")" -ge 5 ]; then
	pass hunt_attach_all_gateway_interfaces
else
	fail hunt_attach_all_gateway_interfaces "$(tail -n 3 "$W/xh.err" | tr '\n' ' ')"
	e2e_finish
fi

SMB=(smbclient -s "$LAB_CLIENT_CONF" -U "$LAB_SMB_USER%$LAB_SMB_PASS")
lab_exec ws timeout 30 "${SMB[@]}" "//$LAB_SERVER_IP4/public" -c ls >"$W/ws.out" 2>&1 ||
	fail hunt_ws_smb "$(tail -n 2 "$W/ws.out" | tr '\n' ' ')"
lab_exec client timeout 30 "${SMB[@]}" "//$LAB_SERVER_IP4/ADMIN\$" -c ls >"$W/admin.out" 2>&1 ||
	fail hunt_admin_smb "$(tail -n 2 "$W/admin.out" | tr '\n' ' ')"
lab_exec client curl -sk -m 5 --resolve "api.evil.example:443:$LAB_C2_IP4" \
	https://api.evil.example/ >"$W/c2.out" 2>&1 || fail hunt_c2_https "curl: $(cat "$W/c2.out")"
lab_exec client curl -sk -m 5 --resolve "api.evil.example:7443:$LAB_C2_IP4" \
	https://api.evil.example:7443/ >"$W/c2p.out" 2>&1 ||
	fail hunt_c2_https_7443 "curl: $(cat "$W/c2p.out")"
lab_exec client timeout 30 /usr/bin/python3 "$ROOT/scripts/coverage/dnsq.py" --udp \
	"$LAB_C2_UDP_IP4:$LAB_C2_UDP_PORT" x >"$W/udp.out" 2>&1 ||
	fail hunt_c2_udp_send "$(tail -n 2 "$W/udp.out")"
lab_exec client timeout 30 /usr/bin/python3 "$ROOT/scripts/coverage/sweep.py" \
	"${LAB_SWEEP_NET4%/*}/27" >"$W/sweep.out" 2>&1 || fail hunt_sweep_run "$(cat "$W/sweep.out")"
lab_exec client timeout 30 /usr/bin/python3 "$ROOT/scripts/coverage/sweep.py" --port 3389 \
	"${LAB_SWEEP_NET4%/*}/27" >"$W/rdp.out" 2>&1 || fail hunt_rdp_sweep_run "$(cat "$W/rdp.out")"
lab_exec client timeout 30 /usr/bin/python3 "$ROOT/scripts/coverage/vlan_c2.py" \
	--iface "$LAB_IF_CLIENT" --vlan 42 --dst-mac "$(lab_mac "${PFX}gc" "$LAB_NS_GW")" \
	--src4 "$LAB_CLIENT_IP4" --src6 "$LAB_CLIENT_IP6" --c2-4 "$LAB_C2_IP4" --c2-6 "$LAB_C2_IP6" \
	--dns "$LAB_DNS_IP4" --name api.evil.example >"$W/vlan.out" 2>&1 ||
	fail hunt_vlan_send "$(tail -n 2 "$W/vlan.out")"
sleep 1
lab_stop_pid "$XH_PID" TERM && pass hunt_run_sigterm || fail hunt_run_sigterm "exit non-zero"
XH_PID=

/usr/bin/python3 - "$W/live.jsonl" "$LAB_CLIENT_IP4" "$LAB_WS_IP4" "$LAB_C2_IP4" \
	"$LAB_C2_UDP_IP4" <<'PY'
import json, sys
hits = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
atk, ws, c2, c2udp = sys.argv[2:6]
fails = 0
def check(name, ok, why):
    global fails
    print(("PASS: " if ok else "FAIL: ") + name + ("" if ok else ": " + why))
    fails += not ok
def rules(src):
    return [h for h in hits if h["src_ip"] == src]
a = rules(atk)
check("hunt_admin_share_hit", any(h["rule"] == "smb.admin_share" for h in a),
      "no smb.admin_share from the attacker: %s" % sorted({h["rule"] for h in a}))
sw = [h for h in a if h["rule"] == "scan.smb_sweep"]
check("hunt_sweep_one_hit", len(sw) == 1 and sw[0]["scan"]["distinct_destinations"] == 16
      and sw[0]["attack"]["technique_id"] == "T1046" and sw[0]["dest_port"] == 445,
      "scan.smb_sweep hits: %s" % sw)
# the RDP sweep of the same 30 addresses: its own sweep, named by its port
rdp = [h for h in a if h["rule"] == "scan.service_sweep"]
check("hunt_rdp_sweep_one_hit", len(rdp) == 1 and rdp[0]["scan"]["service"] == "rdp"
      and rdp[0]["scan"]["distinct_destinations"] == 16 and rdp[0]["dest_port"] == 3389
      and rdp[0]["attack"]["technique_id"] == "T1046", "scan.service_sweep hits: %s" % rdp)
sni = [h for h in a if h["rule"] == "ioc.tls_sni" and not h.get("vlan")]
sni443 = [h for h in sni if h["dest_port"] == 443]
check("hunt_c2_sni_hit", len(sni443) == 1 and sni443[0]["tls"]["sni"] == "api.evil.example"
      and sni443[0]["ioc"]["attack"] == ["T1071", "T1071.001", "T1573"], str(sni443))
# TLS off the ports registered for it: Non-Standard Port (T1571) too; curl's
# ALPN (h2, http/1.1) makes it HTTPS, a web protocol, on 7443 as well.
sni7443 = [h for h in sni if h["dest_port"] == 7443]
check("hunt_c2_sni_nonstandard_port", len(sni7443) == 1
      and sni7443[0]["ioc"]["attack"] == ["T1071", "T1071.001", "T1573", "T1571"], str(sni7443))
# UDP off DNS and QUIC: Non-Application Layer Protocol (T1095), not T1071.
udp = [h for h in a if h["rule"] == "ioc.dest" and h["dest_ip"] == c2udp]
check("hunt_c2_udp_raw", len(udp) == 1 and udp[0]["proto"] == "UDP"
      and udp[0]["attack"]["technique_id"] == "T1095" and udp[0]["ioc"]["attack"] == ["T1095"],
      str(udp))
vl = [h for h in a if h.get("vlan") == [42]]
check("hunt_vlan_hits", {"ioc.dest", "ioc.tls_sni", "ioc.dns"} <= {h["rule"] for h in vl},
      "tagged hits: %s" % sorted({h["rule"] for h in vl}))
w = rules(ws)
check("hunt_ws_seen", any(h["rule"] == "smb.connect" for h in w), "no smb.connect from the workstation")
bad = [h["rule"] for h in w if h["rule"] in ("smb.admin_share", "scan.smb_sweep", "scan.service_sweep")
       or h["rule"].startswith("ioc.")]
check("hunt_ws_no_attack_hits", not bad, "benign workstation: %s" % bad)
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] || FAILS=$((FAILS + 1))
lab_down
left=$(ip netns list | grep -c "^$PFX-" || true)
[ "$left" = 0 ] && pass hunt_lab_down_clean || fail hunt_lab_down_clean "$left namespaces left"
e2e_finish
