#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test_live.sh [BUILD_DIR]: end-to-end test of `xdphunt run` (root). Builds the
# scripts/lab.sh lab inside a private network and mount namespace, attaches
# xdphunt natively on the server veth, drives real clients (smbclient over 445
# and 139, TCP 135, the IoC "C2" over IPv4 and IPv6, an IoC source, benign
# traffic) and compares the JSON hits with the client's own SYNs (tcpdump).
# Prints PASS:/FAIL:/SKIP: lines; exits 1 on any FAIL.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/e2e.sh"
e2e_init e2e_live "$@"
e2e_need ip smbd smbclient tcpdump nc unshare nsenter /usr/bin/python3
e2e_unshare -n -m

# shellcheck source=../../scripts/lab.sh
. "$ROOT/scripts/lab.sh"
lab_init "xh$$"
W=$LAB_DIR		# work files live in the lab dir and go with it
XH_PID=
XH2_PID=

teardown() {
	local rc=$?
	if [ -n "$XH_PID" ] && kill -0 "$XH_PID" 2>/dev/null; then
		kill -TERM "$XH_PID" 2>/dev/null
		lab_stop_pid "$XH_PID" TERM
	fi
	[ -n "$XH2_PID" ] && lab_stop_pid "$XH2_PID" TERM
	e2e_keep "$W" "$LAB_PFX"
	lab_down
	exit "$rc"
}
e2e_traps teardown

e2e_lab_up lab_up
pass lab_up
[ -n "${LAB_NO_ETHTOOL:-}" ] && echo "# ethtool missing: veth offloads left as they are (no VLANs in this lab; make deps installs it)"
IF=$LAB_IF_SERVER
HOST=xh-e2e

cat >"$W/ioc.txt" <<-EOF
# e2e IoC feed: the lab's C2 (v4 host, v6 net) and one client-side source
$LAB_C2_IP4
$LAB_C2_NET6
$LAB_CLIENT_EXTRA_IP4
EOF

xdp_of() {	# the XDP part of `ip link show` for the interface, or nothing
	lab_exec server ip -d link show dev "$IF" 2>/dev/null | grep -oE 'prog/xdp[a-z]* id [0-9]+|xdp[a-z]*' | head -n 3 | tr '\n' ' '
}

# The client's own record of every TCP flow it opened.
lab_bg client "$W/tcpdump.err" tcpdump -i "$LAB_IF_CLIENT" -nn -U -w "$W/client.pcap" tcp
TD_PID=$LAB_LAST_PID
lab_wait_capture "$W/tcpdump.err"

# --- attach ----------------------------------------------------------------
T_START=$(date +%s.%N)
lab_exec server true	# warm
ip netns exec "$LAB_NS_SERVER" "$XH" run -i "$IF" --mode native --ioc "$W/ioc.txt" \
	--host "$HOST" </dev/null >"$W/hits.jsonl" 2>"$W/xdphunt.err" &
XH_PID=$!
if ! xh_wait_ready "$W/xdphunt.err" "$XH_PID"; then
	fail run_ready "no 'xdphunt: ready:' within 15s; stderr: $(tail -n 5 "$W/xdphunt.err" | tr '\n' ' ')"
	e2e_finish
fi
pass run_ready
xdp1=$(xdp_of)
if [[ "$xdp1" == *"prog/xdp id"* ]]; then
	pass attached_native
else
	fail attached_native "ip link shows '${xdp1:-no XDP program}' on $IF, want prog/xdp (native)"
fi

# --- a second instance on the same interface must fail, cleanly ---------------
timeout 20 ip netns exec "$LAB_NS_SERVER" "$XH" run -i "$IF" --mode native --host second \
	</dev/null >"$W/second.out" 2>"$W/second.err"
rc2=$?
if [ "$rc2" -eq 124 ]; then
	fail second_instance_refused "second 'xdphunt run -i $IF' still running after 20s (should fail at once)"
elif [ "$rc2" -eq 0 ]; then
	fail second_instance_refused "second 'xdphunt run -i $IF' exited 0"
elif ! grep -q -- "$IF" "$W/second.err"; then
	fail second_instance_refused "exit $rc2 but stderr does not name $IF: $(head -c 300 "$W/second.err" | tr '\n' ' ')"
else
	pass second_instance_refused
	echo "# second instance (exit $rc2): $(grep -m1 -- "$IF" "$W/second.err")"
fi
if [ -s "$W/second.out" ]; then fail second_instance_quiet "the refused instance wrote to stdout: $(head -c 200 "$W/second.out")"; else pass second_instance_quiet; fi
if kill -0 "$XH_PID" 2>/dev/null && [ "$(xdp_of)" = "$xdp1" ]; then
	pass first_instance_undisturbed
else
	fail first_instance_undisturbed "after the second attempt: first alive=$(kill -0 "$XH_PID" 2>/dev/null && echo yes || echo no), XDP now '$(xdp_of)' (was '$xdp1')"
fi

# --- traffic -------------------------------------------------------------------
SMB=(smbclient -s "$LAB_CLIENT_CONF" -U "$LAB_SMB_USER%$LAB_SMB_PASS")
tcp() {	# tcp [nc options...] HOST PORT: one short TCP exchange from the client
	printf 'xdphunt e2e\n' | lab_exec client timeout 10 nc -N -w 3 "$@" >/dev/null 2>&1
}
traffic_ok=1
run_client() {	# name cmd...: run a client command, note a failure
	local name=$1
	shift
	if ! "$@" >"$W/client.$name.out" 2>&1; then
		traffic_ok=0
		echo "# client step $name failed: $(tail -n 2 "$W/client.$name.out" | tr '\n' ' ')"
	fi
}
run_client smb445_list lab_exec client timeout 30 "${SMB[@]}" -p 445 -L "$LAB_SERVER_IP4"
run_client smb445_admin lab_exec client timeout 30 "${SMB[@]}" -p 445 "//$LAB_SERVER_IP4/ADMIN\$" -c ls
run_client smb445_v6 lab_exec client timeout 30 "${SMB[@]}" -p 445 -I "$LAB_SERVER_IP6" "//xhsrv/C\$" -c 'get boot.ini /dev/null'
run_client smb139 lab_exec client timeout 30 "${SMB[@]}" -p 139 "//$LAB_SERVER_IP4/public" -c ls
run_client rpc135_v4 tcp -p 40135 "$LAB_SERVER_IP4" 135
run_client rpc135_v6 tcp -6 -p 40136 "$LAB_SERVER_IP6" 135
run_client c2_v4 tcp -p 40443 "$LAB_C2_IP4" "$LAB_C2_PORT"
run_client c2_v6 tcp -6 -p 40444 "$LAB_C2_IP6" "$LAB_C2_PORT"
run_client ioc_src tcp -s "$LAB_CLIENT_EXTRA_IP4" -p 40080 "$LAB_SERVER_IP4" 80
# benign: web, a client that happens to use source port 445/135, UDP to 135/53, ping
run_client web_v4 tcp -p 40081 "$LAB_SERVER_IP4" 80
run_client web_v6 tcp -6 -p 40082 "$LAB_SERVER_IP6" 80
run_client sport445 tcp -p 445 "$LAB_SERVER_IP4" 80
run_client sport135 tcp -p 135 "$LAB_SERVER_IP4" 80
lab_exec client bash -c "printf x | nc -u -w1 $LAB_SERVER_IP4 135; printf x | nc -u -w1 $LAB_SERVER_IP4 53" \
	>/dev/null 2>&1
lab_exec client ping -c 2 -i 0.2 -W 1 "$LAB_SERVER_IP4" >/dev/null 2>&1
lab_exec client ping -c 2 -i 0.2 -W 1 "$LAB_SERVER_IP6" >/dev/null 2>&1
if [ "$traffic_ok" -eq 1 ]; then pass client_traffic; else fail client_traffic "a client step failed (see # lines)"; fi

# --- stats while running ---------------------------------------------------------
# Same network and mount namespace as the running instance (ip netns exec gives
# each call its own /sys, so a fresh bpffs would be empty).
if timeout 20 nsenter -t "$XH_PID" -n -m "$XH" stats -i "$IF" --json >"$W/stats.json" 2>"$W/stats.err"; then
	pk=$(/usr/bin/python3 -c '
import json, sys
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "packets" and isinstance(v, int):
                yield v
            else:
                yield from walk(v)
    elif isinstance(o, list):
        for v in o:
            yield from walk(v)
try:
    d = json.load(open(sys.argv[1]))
except ValueError as e:
    print("bad-json:", e); sys.exit()
v = list(walk(d))
print(max(v) if v else "none")' "$W/stats.json")
	if [[ "$pk" =~ ^[0-9]+$ ]] && [ "$pk" -gt 0 ]; then
		pass stats_json_packets
		echo "# stats: packets=$pk"
	else
		fail stats_json_packets "packets=$pk in: $(head -c 300 "$W/stats.json" | tr '\n' ' ')"
	fi
else
	fail stats_json_packets "xdphunt stats -i $IF --json failed: $(head -c 300 "$W/stats.err" | tr '\n' ' ')"
fi

# The flow table as bpftool (an independent reader) sees it, against stats.
/usr/bin/python3 - "$W/stats.json" <<'PY'
import json, subprocess, sys
def bpftool(*a):
    return json.loads(subprocess.run(["bpftool", "-j", *a], check=True,
                                     capture_output=True, text=True).stdout)
try:
    st = json.load(open(sys.argv[1]))
    ft = st.get("flow_table", {})
    maps = [bpftool("map", "show", "id", str(m))
            for m in bpftool("prog", "show", "id", str(st["prog_id"]))["map_ids"]]
    fl = [m for m in maps if m.get("name") == "xh_flows"]
    n = len(bpftool("map", "dump", "id", str(fl[0]["id"]))) if fl else None
    ok = fl and ft.get("flows") == n and ft.get("max") == fl[0]["max_entries"] == 131072 and n > 0
    why = "stats %s, bpftool %s entries of %s" % (ft, n, fl[0]["max_entries"] if fl else None)
except (OSError, ValueError, KeyError, subprocess.CalledProcessError) as e:
    ok, why = False, "cannot compare: %s" % e
print(("PASS: " if ok else "FAIL: ") + "stats_flow_table" + ("" if ok else ": " + why))
sys.exit(0 if ok else 1)
PY
[ $? -eq 0 ] || FAILS=$((FAILS + 1))

# The same counters for Prometheus, read by its own client library's parser:
# valid text format, and the SMB class agrees with --json (no SMB traffic now).
if timeout 20 nsenter -t "$XH_PID" -n -m "$XH" stats -i "$IF" --prometheus >"$W/stats.prom" 2>"$W/stats.err" &&
	timeout 20 nsenter -t "$XH_PID" -n -m "$XH" stats -i "$IF" --json >"$W/stats2.json" 2>>"$W/stats.err"; then
	/usr/bin/python3 - "$W/stats.prom" "$W/stats2.json" "$IF" <<'PY'
import json, sys
try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print("SKIP: stats_prometheus: python3-prometheus-client missing (make deps)")
    sys.exit(0)
text = open(sys.argv[1]).read()
try:
    fams = {f.name: f for f in text_string_to_metric_families(text)}
except Exception as e:  # the parser's verdict on the format
    print("FAIL: stats_prometheus: not valid Prometheus text: %s" % e)
    sys.exit(1)
j = json.load(open(sys.argv[2]))
def sample(fam, **labels):
    f = fams.get(fam)
    for s in (f.samples if f else []):
        if s.name == fam + "_total" and all(s.labels.get(k) == v for k, v in labels.items()):
            return s
smb = sample("xdphunt_class_packets", **{"class": "smb", "interfaces": sys.argv[3]})
pk = sample("xdphunt_packets")
inst = fams.get("xdphunt_instances")
ok = (fams.get("xdphunt_packets") is not None and fams["xdphunt_packets"].type == "counter"
      and inst is not None and inst.type == "gauge" and [s.value for s in inst.samples] == [1]
      and smb is not None and int(smb.value) == j["classes"]["smb"]["packets"] > 0
      and pk is not None and pk.value > 0 and "xdphunt_parse_errors" in fams)
print(("PASS: " if ok else "FAIL: ") + "stats_prometheus"
      + ("" if ok else ": smb %s vs json %s; families %s" % (smb, j["classes"]["smb"], sorted(fams)[:8])))
# The flow table's gauges, as --json gives them (no traffic between the two).
flows = [s for s in (fams["xdphunt_flows"].samples if "xdphunt_flows" in fams else [])]
fmax = [s for s in (fams["xdphunt_flows_max"].samples if "xdphunt_flows_max" in fams else [])]
ft = j.get("flow_table", {})
ok2 = (len(flows) == 1 and len(fmax) == 1 and fams["xdphunt_flows"].type == "gauge"
       and int(flows[0].value) == ft.get("flows") and int(fmax[0].value) == ft.get("max"))
print(("PASS: " if ok2 else "FAIL: ") + "stats_prometheus_flow_table"
      + ("" if ok2 else ": prometheus %s / %s, json %s" % (flows, fmax, ft)))
sys.exit(0 if ok and ok2 else 1)
PY
	[ $? -eq 0 ] || FAILS=$((FAILS + 1))
else
	fail stats_prometheus "xdphunt stats --prometheus failed: $(head -c 300 "$W/stats.err" | tr '\n' ' ')"
fi

# --- stop --------------------------------------------------------------------------
sleep 1			# let the last events reach the ring buffer
lab_stop_pid "$TD_PID" TERM
kill -0 "$XH_PID" 2>/dev/null || fail run_alive_until_sigterm "xdphunt exited before SIGTERM: $(tail -n 3 "$W/xdphunt.err" | tr '\n' ' ')"
lab_stop_pid "$XH_PID" TERM
rc=$?
XH_PID=
T_END=$(date +%s.%N)
if [ "$rc" -eq 0 ]; then pass sigterm_exit_0; else fail sigterm_exit_0 "exit status $rc; stderr: $(tail -n 3 "$W/xdphunt.err" | tr '\n' ' ')"; fi
left=$(xdp_of)
if [ -z "$left" ]; then pass detached_after_sigterm; else fail detached_after_sigterm "$IF still has '$left'"; fi
# The sensor down: --prometheus says so (a textfile collector's file is
# replaced, not left with the last readings); the text form is an error.
out=$("$XH" stats -i "$IF" --prometheus 2>/dev/null)
prc=$?
"$XH" stats -i "$IF" >/dev/null 2>&1
trc=$?
if [ "$prc" -eq 0 ] && echo "$out" | grep -qx 'xdphunt_instances 0' && [ "$trc" -eq 1 ]; then
	pass stats_prometheus_down
else
	fail stats_prometheus_down "--prometheus exit $prc, text exit $trc: $out"
fi
if grep -q '^{' "$W/xdphunt.err"; then fail stderr_no_json "JSON lines on stderr"; else pass stderr_no_json; fi

# --- the hits ----------------------------------------------------------------------
tcpdump -nn -r "$W/client.pcap" 2>/dev/null >"$W/client.txt"
cat >"$W/spec.json" <<-EOF
{"host": "$HOST", "iface": "$IF", "t_start": $T_START, "t_end": $T_END,
 "ioc": ["$LAB_C2_IP4", "$LAB_C2_NET6", "$LAB_CLIENT_EXTRA_IP4"],
 "flows": [
  {"name": "smb445_v4_smbclient", "src": "$LAB_CLIENT_IP4", "dst": "$LAB_SERVER_IP4", "dport": 445, "rules": ["smb.connect"]},
  {"name": "smb445_v6_smbclient", "src": "$LAB_CLIENT_IP6", "dst": "$LAB_SERVER_IP6", "dport": 445, "rules": ["smb.connect"]},
  {"name": "smb139_v4_smbclient", "src": "$LAB_CLIENT_IP4", "dst": "$LAB_SERVER_IP4", "dport": 139, "rules": ["smb.connect"]},
  {"name": "rpc135_v4", "sport": 40135, "dst": "$LAB_SERVER_IP4", "dport": 135, "rules": ["rpc.connect"]},
  {"name": "rpc135_v6", "sport": 40136, "dst": "$LAB_SERVER_IP6", "dport": 135, "rules": ["rpc.connect"]},
  {"name": "ioc_dest_v4", "sport": 40443, "dst": "$LAB_C2_IP4", "dport": $LAB_C2_PORT, "rules": ["ioc.dest"]},
  {"name": "ioc_dest_v6_cidr", "sport": 40444, "dst": "$LAB_C2_IP6", "dport": $LAB_C2_PORT, "rules": ["ioc.dest"]},
  {"name": "ioc_src_v4", "src": "$LAB_CLIENT_EXTRA_IP4", "sport": 40080, "dst": "$LAB_SERVER_IP4", "dport": 80, "rules": ["ioc.src"]},
  {"name": "benign_web_v4", "sport": 40081, "dst": "$LAB_SERVER_IP4", "dport": 80, "rules": []},
  {"name": "benign_web_v6", "sport": 40082, "dst": "$LAB_SERVER_IP6", "dport": 80, "rules": []},
  {"name": "benign_client_sport445_to_80", "sport": 445, "dst": "$LAB_SERVER_IP4", "dport": 80, "rules": []},
  {"name": "benign_client_sport135_to_80", "sport": 135, "dst": "$LAB_SERVER_IP4", "dport": 80, "rules": []}
 ]}
EOF
/usr/bin/python3 "$HERE/check_hits.py" "$W/spec.json" "$W/hits.jsonl" "$W/client.txt"
[ $? -eq 0 ] || FAILS=$((FAILS + 1))

if [ "$FAILS" -gt 0 ]; then
	echo "# hits:"
	sed 's/^/#   /' "$W/hits.jsonl" | head -n 40
	echo "# xdphunt stderr:"
	sed 's/^/#   /' "$W/xdphunt.err" | tail -n 15
fi
e2e_finish
