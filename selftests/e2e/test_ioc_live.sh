#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test_ioc_live.sh [BUILD_DIR]: end-to-end IoC tests of `xdphunt run` (root),
# in the scripts/lab.sh lab inside a private network and mount namespace:
#  1. a real DNS query and a real TLS ClientHello for a feed domain give
#     ioc.dns / ioc.tls_sni hits with the name;
#  2. hot reload: TCP flows to the C2 run back to back while the feed is
#     rewritten (the C2's id changes every time) and reloaded many times by
#     SIGHUP and `xdphunt reload`, one reload with a broken feed among them:
#     every flow is reported with the right indicator, no hit is lost to a
#     stale reference, the broken reload keeps the old set;
#  3. block mode: a TCP connection to a blocked C2 fails while SMB and web
#     keep working; the hit says "action":"drop"; after SIGTERM (detach) the
#     C2 is reachable again;
#  4. a block folder: started empty (a warning, no default feed: the C2 is
#     reachable), the C2 put in it and reloaded (`xdphunt reload`): dropped;
#     the folder emptied and reloaded (SIGHUP): reachable again.
# Prints PASS:/FAIL:/SKIP: lines; exits 1 on any FAIL.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/e2e.sh"
e2e_init e2e_ioc "$@"
N_FLOWS=${N_FLOWS:-60}
N_RELOADS=${N_RELOADS:-24}
e2e_need ip smbd smbclient nc unshare /usr/bin/python3
e2e_unshare -n -m

# shellcheck source=../../scripts/lab.sh
. "$ROOT/scripts/lab.sh"
lab_init "xi$$"
W=$LAB_DIR
XH_PID=
RL_PID=
export XH_RUN_DIR=$W/run	# this test's own pid files, not the machine's

teardown() {
	local rc=$?
	[ -n "$RL_PID" ] && kill "$RL_PID" 2>/dev/null
	if [ -n "$XH_PID" ] && kill -0 "$XH_PID" 2>/dev/null; then
		kill -TERM "$XH_PID" 2>/dev/null
		lab_stop_pid "$XH_PID" TERM
	fi
	e2e_keep "$W" "$LAB_PFX"
	lab_down
	exit "$rc"
}
e2e_traps teardown

e2e_lab_up ioc_lab_up
IF=$LAB_IF_SERVER

start_xh() {	# name args...: run xdphunt on the server veth, wait for ready
	local name=$1
	shift
	ip netns exec "$LAB_NS_SERVER" "$XH" run -i "$IF" --mode native --host xh-ioc "$@" \
		</dev/null >"$W/$name.jsonl" 2>"$W/$name.err" &
	XH_PID=$!
	for ((i = 0; i < 150; i++)); do
		grep -q 'xdphunt: ready:' "$W/$name.err" && return 0
		kill -0 "$XH_PID" 2>/dev/null || break
		sleep 0.1
	done
	fail "${name}_ready" "no 'ready' within 15s: $(tail -n 3 "$W/$name.err" | tr '\n' ' ')"
	return 1
}
stop_xh() {
	kill -TERM "$XH_PID" 2>/dev/null
	lab_stop_pid "$XH_PID" TERM
	XH_PID=
}
tcp() {	# tcp [nc options...] HOST PORT
	printf 'xdphunt e2e\n' | lab_exec client timeout 5 nc -N -w 2 "$@" >/dev/null 2>&1
}

# A feed whose C2 line moves: @1 filler lines come first, so the C2's id
# differs in every generation.
write_feed() {
	{
		echo "indicator,type,feed,actor,confidence,first_seen,reference,comment"
		for ((k = 0; k < $1; k++)); do echo "198.18.$((k / 250)).$((k % 250 + 1)),ipv4,e2e,,low,,,filler"; done
		echo "$LAB_C2_IP4,ipv4,e2e-feed,Lab Actor,high,,https://ref.example/c2,\"gen $1\""
		echo "evil.example,domain,e2e-feed,Lab Actor,medium,,,"
	} >"$W/feed.tmp"
	mv "$W/feed.tmp" "$W/feed.csv"	# atomic: a reload never reads half a file
}

# --- 1. names and 2. reload -------------------------------------------------------
write_feed 0
# The pid file a killed instance left (its process gone): run removes it.
mkdir -p "$XH_RUN_DIR"
sleep 0 &
dead=$!
wait "$dead"
printf '%s\nxh0\n' "$dead" >"$XH_RUN_DIR/$dead.pid"
start_xh reload --ioc "$W/feed.csv" || e2e_finish
[ -f "$XH_RUN_DIR/$XH_PID.pid" ] && pass ioc_pidfile || fail ioc_pidfile "no $XH_RUN_DIR/$XH_PID.pid"
[ ! -e "$XH_RUN_DIR/$dead.pid" ] && pass ioc_pidfile_stale_removed ||
	fail ioc_pidfile_stale_removed "$XH_RUN_DIR/$dead.pid of a gone process left in place"

lab_exec client /usr/bin/python3 - "$LAB_SERVER_IP4" <<'PY' >"$W/names.out" 2>&1
import socket, ssl, struct, sys
srv = sys.argv[1]
q = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l for l in b"www.Evil.Example".split(b".")) + b"\0" + struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 45353))
s.sendto(q, (srv, 53))
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
c = socket.create_connection((srv, 80), timeout=3)
try:
    ctx.wrap_socket(c, server_hostname="api.evil.example").do_handshake()
except (ssl.SSLError, OSError) as e:
    print("handshake ended as expected:", type(e).__name__)
PY

# Flows to the C2, one after another, each from its own source port.
lab_exec client bash -c "for ((i = 0; i < $N_FLOWS; i++)); do printf x | timeout 5 nc -N -w 2 -p \$((42000 + i)) $LAB_C2_IP4 $LAB_C2_PORT >/dev/null 2>&1 || echo \"flow \$i failed\"; sleep 0.05; done" \
	>"$W/flows.out" 2>&1 &
FLOWS_PID=$!
# Reloads meanwhile: the feed changes each time; every 6th reload uses
# `xdphunt reload`, one feed is broken.
(
	for ((r = 1; r <= N_RELOADS; r++)); do
		if [ "$r" -eq 10 ]; then
			printf 'indicator,type\n203.0.113.66/40,ipv4-cidr\n' >"$W/feed.tmp" && mv "$W/feed.tmp" "$W/feed.csv"
		else
			write_feed $((r * 37 % 300))
		fi
		before=$(grep -cE 'reload: (generation|failed)' "$W/reload.err")
		if ((r % 6 == 0)); then
			"$XH" reload -i "$IF" >>"$W/reload-cmd.out" 2>&1 || echo "reload command failed" >>"$W/reload-cmd.out"
		else
			kill -HUP "$XH_PID"
		fi
		# Wait (bounded) until this reload has read the feed before the
		# next rewrite: on a loaded machine a rewrite could otherwise
		# land first, and the broken feed would never be read.
		for ((t = 0; t < 100; t++)); do
			[ "$(grep -cE 'reload: (generation|failed)' "$W/reload.err")" -gt "$before" ] && break
			sleep 0.1
		done
	done
) &
RL_PID=$!
wait "$FLOWS_PID"
wait "$RL_PID"
RL_PID=
write_feed 5
kill -HUP "$XH_PID"
sleep 1
stop_xh

ok_reloads=$(grep -c 'reload: generation' "$W/reload.err")
bad_reloads=$(grep -c 'reload: failed' "$W/reload.err")
# Each reload is waited for (bounded) before the next, so every request
# should have run; allow a few to time out on a very loaded machine.
if [ "$ok_reloads" -ge $((N_RELOADS / 2)) ] && [ "$bad_reloads" -ge 1 ]; then
	pass ioc_reloads_done
else
	fail ioc_reloads_done "$ok_reloads good and $bad_reloads failed reloads of $((N_RELOADS + 1)) requested"
fi
echo "# $ok_reloads reloads, $bad_reloads failed: $(grep -m1 'reload: generation' "$W/reload.err")"
grep -q 'prefix length exceeds 32' "$W/reload.err" && grep -q 'stays' "$W/reload.err" &&
	pass ioc_bad_reload_keeps_set || fail ioc_bad_reload_keeps_set "no 'file:line' message or 'stays'"
grep -q 'reload: asked xdphunt pid' "$W/reload-cmd.out" && ! grep -q 'failed' "$W/reload-cmd.out" &&
	pass ioc_reload_command || fail ioc_reload_command "$(head -c 300 "$W/reload-cmd.out")"
if grep -q 'failed' "$W/flows.out"; then
	fail ioc_reload_flows_ok "client flows failed: $(head -n 3 "$W/flows.out" | tr '\n' ' ')"
fi

/usr/bin/python3 - "$W/reload.jsonl" "$N_FLOWS" "$LAB_C2_IP4" "$W/reload.err" <<'PY'
import json, sys
path, n, c2, err = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
hits = [json.loads(l) for l in open(path)]
fails = 0
def check(name, ok, why):
    global fails
    print(("PASS: " if ok else "FAIL: ") + name + ("" if ok else ": " + why))
    fails += not ok
dest = {h["src_port"]: h for h in hits if h["rule"] == "ioc.dest" and h["dest_ip"] == c2}
missing = [p for p in range(42000, 42000 + n) if p not in dest]
check("ioc_reload_every_flow", not missing, f"{len(missing)} of {n} flows not reported: {missing[:10]}")
bad = [h for h in dest.values() if h["ioc"].get("indicator") != c2 or h["ioc"].get("feed") != "e2e-feed"
       or h["ioc"].get("actor") != "Lab Actor" or h["ioc"].get("confidence") != "high"]
check("ioc_reload_right_indicator", not bad, f"{len(bad)} hits name another indicator: {bad[:1]}")
check("ioc_reload_attack", all(h["ioc"].get("attack") == ["T1071", "T1071.001"] for h in dest.values()),
      "attack of a 443/TCP C2 hit is not [T1071, T1071.001]")
gens = {h["ioc"].get("comment") for h in dest.values()}
print(f"# {len(dest)} flows reported across {len(gens)} feed generations")
check("ioc_reload_spans_generations", len(gens) >= 3, f"hits from {len(gens)} generations only")
stale = "IoC hits not written" in open(err).read()
check("ioc_reload_no_stale_reference", not stale, "a hit referred to a generation no longer kept")
dns = [h for h in hits if h["rule"] == "ioc.dns"]
check("ioc_dns_hit", len(dns) == 1 and dns[0]["dns"]["query"] == "www.Evil.Example"
      and dns[0]["ioc"]["indicator"] == "evil.example" and dns[0]["ioc"]["matched"] == "dns.query"
      and dns[0]["src_port"] == 45353, f"dns hits: {dns}")
tls = [h for h in hits if h["rule"] == "ioc.tls_sni"]
check("ioc_tls_sni_hit", len(tls) == 1 and tls[0]["tls"]["sni"] == "api.evil.example"
      and tls[0]["ioc"]["matched"] == "tls.sni" and "T1573" in tls[0]["ioc"]["attack"], f"tls hits: {tls}")
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] || FAILS=$((FAILS + 1))
[ ! -e "$XH_RUN_DIR/$XH_PID.pid" ] && pass ioc_pidfile_removed || fail ioc_pidfile_removed "pid file left"

# --- 3. block mode ------------------------------------------------------------------
echo "$LAB_C2_IP4" >"$W/block.txt"
SMB=(smbclient -s "$LAB_CLIENT_CONF" -U "$LAB_SMB_USER%$LAB_SMB_PASS")
tcp -p 43000 "$LAB_C2_IP4" "$LAB_C2_PORT" && pass ioc_c2_reachable_before || fail ioc_c2_reachable_before "no C2 before"
start_xh block --ioc-block "$W/block.txt" || e2e_finish
if tcp -p 43001 "$LAB_C2_IP4" "$LAB_C2_PORT"; then
	fail ioc_block_c2_fails "TCP to the blocked C2 succeeded"
else
	pass ioc_block_c2_fails
fi
lab_exec client timeout 30 "${SMB[@]}" -p 445 -L "$LAB_SERVER_IP4" >"$W/smb.out" 2>&1 &&
	pass ioc_block_smb_flows || fail ioc_block_smb_flows "$(tail -n 2 "$W/smb.out" | tr '\n' ' ')"
tcp -p 43002 "$LAB_SERVER_IP4" 80 && pass ioc_block_web_flows || fail ioc_block_web_flows "web failed"
stop_xh
tcp -p 43003 "$LAB_C2_IP4" "$LAB_C2_PORT" && pass ioc_block_detach_restores || fail ioc_block_detach_restores "C2 still unreachable after detach"
/usr/bin/python3 - "$W/block.jsonl" "$LAB_C2_IP4" <<'PY'
import json, sys
hits = [json.loads(l) for l in open(sys.argv[1])]
d = [h for h in hits if h["rule"] == "ioc.dest" and h["dest_ip"] == sys.argv[2] and h["src_port"] == 43001]
ok = len(d) == 1 and d[0]["action"] == "drop" and d[0]["ioc"]["feed_action"] == "block"
print("PASS: ioc_block_hit_drop" if ok else f"FAIL: ioc_block_hit_drop: {d}")
others = [h for h in hits if h.get("action") == "drop" and h["dest_ip"] != sys.argv[2]]
print("PASS: ioc_block_only_c2" if not others else f"FAIL: ioc_block_only_c2: {others[:1]}")
sys.exit(0 if ok and not others else 1)
PY
[ $? -eq 0 ] || FAILS=$((FAILS + 1))

# --- 4. an emptied block folder -----------------------------------------------------
reload_wait() {	# hup|cmd: reload the running instance, wait (bounded) for its result line
	local before
	before=$(grep -cE 'reload: (generation|failed)' "$W/blockdir.err")
	if [ "$1" = cmd ]; then
		"$XH" reload -i "$IF" >>"$W/blockdir-cmd.out" 2>&1
	else
		kill -HUP "$XH_PID"
	fi
	for ((t = 0; t < 100; t++)); do
		[ "$(grep -cE 'reload: (generation|failed)' "$W/blockdir.err")" -gt "$before" ] && return 0
		sleep 0.1
	done
	return 1
}
mkdir -p "$W/blockdir"
echo "not a feed" >"$W/blockdir/README.md"
start_xh blockdir -v --ioc-block "$W/blockdir" || e2e_finish
if grep -q 'blockdir: no feed file' "$W/blockdir.err" && grep -q 'ioc: 0 indicators' "$W/blockdir.err" &&
	! grep -q 'default feed' "$W/blockdir.err"; then
	pass ioc_block_dir_empty_start
else
	fail ioc_block_dir_empty_start "$(grep 'ioc:' "$W/blockdir.err" | head -n 5 | tr '\n' ' ')"
fi
tcp -p 43010 "$LAB_C2_IP4" "$LAB_C2_PORT" && pass ioc_block_dir_empty_passes ||
	fail ioc_block_dir_empty_passes "TCP to the C2 failed with an empty block folder"
echo "$LAB_C2_IP4" >"$W/blockdir/c2.txt"
reload_wait cmd && grep -q 'reload: generation 1: 1 indicators' "$W/blockdir.err" &&
	pass ioc_block_dir_filled_reload ||
	fail ioc_block_dir_filled_reload "$(grep 'reload:' "$W/blockdir.err" | tail -n 2 | tr '\n' ' ')"
if tcp -p 43011 "$LAB_C2_IP4" "$LAB_C2_PORT"; then
	fail ioc_block_dir_drops "TCP to the C2 in the block folder succeeded"
else
	pass ioc_block_dir_drops
fi
rm "$W/blockdir/c2.txt"
reload_wait hup && grep -q 'reload: generation 2: 0 indicators, 0 added, 1 removed' "$W/blockdir.err" &&
	pass ioc_block_dir_emptied_reload ||
	fail ioc_block_dir_emptied_reload "$(grep -E 'reload:|no feed' "$W/blockdir.err" | tail -n 3 | tr '\n' ' ')"
tcp -p 43012 "$LAB_C2_IP4" "$LAB_C2_PORT" && pass ioc_block_dir_emptied_passes ||
	fail ioc_block_dir_emptied_passes "TCP to the C2 still fails after the folder was emptied"
stop_xh
/usr/bin/python3 - "$W/blockdir.jsonl" "$LAB_C2_IP4" <<'PY'
import json, sys
hits = [json.loads(l) for l in open(sys.argv[1])]
c2 = {h["src_port"]: h for h in hits if h["rule"] == "ioc.dest" and h["dest_ip"] == sys.argv[2]}
h = c2.get(43011, {})
ok = h.get("action") == "drop" and h.get("ioc", {}).get("feed_action") == "block" and not {43010, 43012} & set(c2)
print("PASS: ioc_block_dir_hits" if ok else f"FAIL: ioc_block_dir_hits: {sorted(c2)}: {h}")
sys.exit(0 if ok else 1)
PY
[ $? -eq 0 ] || FAILS=$((FAILS + 1))
e2e_finish
