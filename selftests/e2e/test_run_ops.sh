#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test_run_ops.sh [BUILD_DIR]: what operations do to a running `xdphunt run`
# (root).
#  0. First, a program that cannot load (--flows too large for any kernel, or
#     no privileges) must say why, exit 1 and leave the interface as it was.
#  1. Its interface changes under it: deleted (a bond or VM NIC rebuilt), made
#     again under the same name, then stripped of the program by another tool.
#     xdphunt must say so on stderr each time, stay up, attach again to the
#     new interface and hunt there (a SYN to 445 is an smb.connect hit naming
#     it), and leave a program removed by someone else alone (step 3).
#  2. logrotate (with the shipped packaging/xdphunt.logrotate) moves its output
#     file away and sends SIGHUP (between the two): the hits before stay in
#     the moved file, the next go to a new file of the old name.
#  Then it must exit 0 on SIGTERM.
#  4. A second instance with a 4 KiB ring buffer and a burst of 3000 findings:
#     the full ring buffer is said on stderr (at most once a minute) and
#     counted at exit, and written + lost = every finding sent.
#  4b. Another with --flows 1024 and 3000 new flows: the evictions (flows
#     that will have no record) are said, shown by `xdphunt stats`, counted
#     at exit, and records + evicted = every flow.
#  4c. Another with --flows 4096 and 3000 new flows a second for 6.7 s: the
#     sweeps keep up (every 100 ms while the table is near full), so every
#     flow but a few has its record.
#  5. A third is attached again to a new interface of its name, then stopped:
#     it exits 0 and leaves no program behind.
# Prints PASS:/FAIL:/SKIP: lines; exits 1 on any FAIL.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/e2e.sh"
e2e_init e2e_run_ops "$@"
e2e_need ip nc unshare /usr/bin/python3
e2e_unshare -n -m

PFX=xhw$$
NS_A=$PFX-a # xdphunt's side
NS_B=$PFX-b # the peer that sends
IF=${PFX}a
W=$(mktemp -d "${TMPDIR:-/tmp}/$PFX.XXXXXX")
XH_PID=

teardown() {
	local rc=$?
	if [ -n "$XH_PID" ] && kill -0 "$XH_PID" 2>/dev/null; then
		kill -TERM "$XH_PID"
		for ((i = 0; i < 50; i++)); do kill -0 "$XH_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$XH_PID" 2>/dev/null
	fi
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	e2e_keep "$W" "$PFX"
	rm -rf "$W"
	exit "$rc"
}
e2e_traps teardown

veth_up() { # the pair, addressed; no ARP on the wire (permanent neighbours)
	ip link add "$IF" netns "$NS_A" type veth peer name "${PFX}b" netns "$NS_B" || return 1
	ip -n "$NS_A" addr add 192.0.2.1/24 dev "$IF"
	ip -n "$NS_B" addr add 192.0.2.2/24 dev "${PFX}b"
	ip -n "$NS_A" link set "$IF" up
	ip -n "$NS_B" link set "${PFX}b" up
	ip -n "$NS_B" neigh replace 192.0.2.1 dev "${PFX}b" nud permanent \
		lladdr "$(ip netns exec "$NS_A" cat "/sys/class/net/$IF/address")"
}

wait_err() { # wait_err PATTERN [FILE]: up to 5 s for a line of xdphunt's stderr
	for ((i = 0; i < 50; i++)); do
		grep -q "$1" "${2:-$W/xdphunt.err}" && return 0
		sleep 0.1
	done
	return 1
}

syns445() { # FIRST COUNT PER_TICK: COUNT SYNs from the peer to 445, source ports
	# FIRST on (distinct flows), all at once (PER_TICK 0) or PER_TICK every 100 ms
	ip netns exec "$NS_B" /usr/bin/python3 - "$@" <<'PY'
import socket, struct, sys, time
first, count, per = (int(a) for a in sys.argv[1:4])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
t0 = time.monotonic()
for i, sport in enumerate(range(first, first + count)):  # bounded by count
    s.sendto(struct.pack("!HHIIBBHHH", sport, 445, 1, 0, 5 << 4, 0x02, 8192, 0, 0),
             ("192.0.2.1", 0))
    if per and (i + 1) % per == 0:
        time.sleep(max(0.0, t0 + (i + 1) // per * 0.1 - time.monotonic()))
PY
}

stop_xh() { # SIGTERM to the xdphunt started last; its exit status in rc
	kill -TERM "$XH_PID"
	rc=0
	wait "$XH_PID" || rc=$?
	XH_PID=
}

syn445() { # a TCP connection attempt from the peer to 445 (refused: no listener)
	ip netns exec "$NS_B" timeout 5 nc -z -w 2 192.0.2.1 445 >/dev/null 2>&1
	return 0
}

ip netns add "$NS_A" && ip netns add "$NS_B" && veth_up || {
	fail watch_setup "cannot build the two namespaces and their veth pair"
	e2e_finish
}
# --- 0. a program that cannot load says so, not "cannot attach in skb mode" --------
# (4e9 flow entries: no kernel makes that map.)
rc=0
timeout 60 ip netns exec "$NS_A" "$XH" run -i "$IF" --flows 4000000000 </dev/null >/dev/null \
	2>"$W/noload.err" || rc=$?
if [ "$rc" -eq 1 ] && grep -q 'the BPF program did not load: .*--flows' "$W/noload.err" &&
	! grep -q 'skb mode' "$W/noload.err" && ! ip -n "$NS_A" -d link show dev "$IF" | grep -q xdp; then
	pass load_failure_said
else
	fail load_failure_said "exit $rc: $(tr '\n' ' ' <"$W/noload.err" | head -c 300)"
fi

# ... and one run without privileges says what it needs (nobody, uid 65534;
# the binary copied where that user can run it).
if command -v setpriv >/dev/null; then
	U=$(mktemp -d "${TMPDIR:-/tmp}/$PFX-user.XXXXXX")
	chmod 0755 "$U"
	install -m 0755 "$XH" "$U/xdphunt"
	rc=0
	timeout 60 ip netns exec "$NS_A" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$U/xdphunt" run -i "$IF" --no-default-ioc </dev/null >/dev/null 2>"$W/nopriv.err" || rc=$?
	rm -rf "$U"
	if [ "$rc" -eq 1 ] && grep -q 'did not load: Operation not permitted (loading BPF needs root' "$W/nopriv.err"; then
		pass unprivileged_said
	else
		fail unprivileged_said "exit $rc: $(tr '\n' ' ' <"$W/nopriv.err" | head -c 300)"
	fi
else
	echo "SKIP: unprivileged_said: setpriv missing (util-linux)"
fi

ip netns exec "$NS_A" "$XH" run -i "$IF" --mode native --host xh-watch -v -o "$W/hits.jsonl" \
	</dev/null >"$W/xdphunt.out" 2>"$W/xdphunt.err" &
XH_PID=$!
if ! xh_wait_ready "$W/xdphunt.err" "$XH_PID"; then
	fail watch_ready "no 'xdphunt: ready:' within 15 s: $(tail -n 3 "$W/xdphunt.err" | tr '\n' ' ')"
	e2e_finish
fi
pass watch_ready

# --- 1. deleted --------------------------------------------------------------------
ip -n "$NS_A" link del "$IF"
if wait_err "watch: $IF is gone"; then pass watch_gone_said; else
	fail watch_gone_said "nothing on stderr within 5 s: $(tail -n 2 "$W/xdphunt.err" | tr '\n' ' ')"
fi
kill -0 "$XH_PID" 2>/dev/null && pass watch_alive_after_gone || fail watch_alive_after_gone "xdphunt exited"

# --- made again: attached again, and hunting --------------------------------------
veth_up || fail watch_recreate "cannot make the veth pair again"
if wait_err "watch: $IF is back (ifindex [0-9]*): attached again (native mode)"; then
	pass watch_back_attached
else
	fail watch_back_attached "$(tail -n 2 "$W/xdphunt.err" | tr '\n' ' ')"
fi
if ip -n "$NS_A" -d link show dev "$IF" | grep -q 'prog/xdp id'; then
	pass watch_back_kernel_view
else
	fail watch_back_kernel_view "ip link shows no XDP program on the new $IF"
fi
syn445
sleep 0.5 # the loop drains every 10 ms
/usr/bin/python3 - "$W/hits.jsonl" "$IF" <<'PY'
import json, sys
hits = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ok = [h for h in hits if h["rule"] == "smb.connect" and h.get("src_ip") == "192.0.2.2"
      and h.get("dest_port") == 445 and h.get("in_iface") == sys.argv[2]]
print(("PASS: " if ok else "FAIL: ") + "watch_hunts_on_new_iface"
      + ("" if ok else ": hits: %s" % [(h["rule"], h.get("src_ip"), h.get("in_iface")) for h in hits]))
sys.exit(0 if ok else 1)
PY
[ $? -eq 0 ] || FAILS=$((FAILS + 1))

# --- 2. log rotation: the shipped logrotate config, run for real on this file -------
# (its path and postrotate pointed here), else a rename and SIGHUP by hand.
if command -v logrotate >/dev/null; then
	sed -e "s|/var/log/xdphunt/\*.json|$W/hits.jsonl|" \
		-e "s|systemctl reload .*|kill -HUP $XH_PID|" "$ROOT/packaging/xdphunt.logrotate" >"$W/lr.conf"
	if logrotate -f -s "$W/lr.state" "$W/lr.conf" >"$W/lr.out" 2>&1; then pass rotate_logrotate; else
		fail rotate_logrotate "$(tail -n 3 "$W/lr.out" | tr '\n' ' ')"
	fi
else
	echo "# logrotate missing (make deps installs it): rename and SIGHUP by hand"
	mv "$W/hits.jsonl" "$W/hits.jsonl.1"
	kill -HUP "$XH_PID"
fi
if wait_err "SIGHUP: reopened $W/hits.jsonl"; then pass rotate_reopened; else
	fail rotate_reopened "$(tail -n 2 "$W/xdphunt.err" | tr '\n' ' ')"
fi
syn445 # a new connection: a new flow, a new smb.connect
sleep 0.5
/usr/bin/python3 - "$W/hits.jsonl.1" "$W/hits.jsonl" <<'PY'
import json, sys
def hits(p):
    try:
        return [json.loads(l) for l in open(p) if l.strip()]
    except OSError:
        return None
old, new = hits(sys.argv[1]), hits(sys.argv[2])
def smb(hs):
    return [h for h in hs or [] if h["rule"] == "smb.connect" and h.get("src_ip") == "192.0.2.2"]
ok = len(smb(old)) == 1 and len(smb(new)) == 1 and len(old) == 1 and new is not None
print(("PASS: " if ok else "FAIL: ") + "rotate_hits_split"
      + ("" if ok else ": moved file %s, new file %s" % (old, new)))
sys.exit(0 if ok else 1)
PY
[ $? -eq 0 ] || FAILS=$((FAILS + 1))
[ "$(find "$W" -maxdepth 1 -name 'hits.jsonl*' | wc -l)" -eq 2 ] && pass rotate_two_files ||
	fail rotate_two_files "$(ls "$W")"

# --- 3. the program removed by another tool: said, left alone -----------------------
ip -n "$NS_A" link set dev "$IF" xdp off
if wait_err "no longer attached to $IF"; then pass watch_lost_said; else
	fail watch_lost_said "$(tail -n 2 "$W/xdphunt.err" | tr '\n' ' ')"
fi
sleep 1.5 # another watch round: it must not attach again
if ip -n "$NS_A" -d link show dev "$IF" | grep -q 'prog/xdp'; then
	fail watch_lost_left_alone "xdphunt attached itself again after another tool removed it"
else
	pass watch_lost_left_alone
fi

# --- stop ------------------------------------------------------------------------
stop_xh
if [ "$rc" -eq 0 ]; then pass watch_exit_0; else
	fail watch_exit_0 "exit $rc: $(tail -n 3 "$W/xdphunt.err" | tr '\n' ' ')"
fi
n=$(grep -c 'is gone\|is back\|no longer attached' "$W/xdphunt.err")
[ "$n" -eq 3 ] && pass watch_said_once_each || fail watch_said_once_each "$n watch lines, want 3: $(grep watch "$W/xdphunt.err" | tr '\n' ' ')"

# --- 3b. renamed while running: followed under its new name, detached at exit ---------
# The kernel keeps the program on a renamed device: xdphunt follows the device
# (hits name it by its new name), and its exit takes the program off it,
# rather than leaving it attached with nobody reading it.
ip netns exec "$NS_A" "$XH" run -i "$IF" --mode native -o "$W/ren.jsonl" </dev/null \
	>/dev/null 2>"$W/ren.err" &
XH_PID=$!
xh_wait_ready "$W/ren.err" "$XH_PID" || fail rename_ready "$(tail -n 2 "$W/ren.err" | tr '\n' ' ')"
REN=${PFX}r
ip -n "$NS_A" link set "$IF" down # a device is renamed down
ip -n "$NS_A" link set "$IF" name "$REN"
ip -n "$NS_A" link set "$REN" up
if wait_err "watch: $IF is now $REN (ifindex [0-9]*): still attached" "$W/ren.err"; then
	pass rename_followed
else
	fail rename_followed "$(tail -n 2 "$W/ren.err" | tr '\n' ' ')"
fi
syn445
sleep 0.5
grep -q "\"in_iface\":\"$REN\"" "$W/ren.jsonl" && pass rename_hits_new_name ||
	fail rename_hits_new_name "$(cat "$W/ren.jsonl")"
stop_xh
if [ "$rc" -eq 0 ] && ! ip -n "$NS_A" -d link show dev "$REN" | grep -q 'prog/xdp'; then
	pass rename_detached_at_exit
else
	fail rename_detached_at_exit "exit $rc; $(ip -n "$NS_A" -d link show dev "$REN" | grep prog/xdp) $(tail -n 2 "$W/ren.err" | tr '\n' ' ')"
fi
ip -n "$NS_A" link set "$REN" down
ip -n "$NS_A" link set "$REN" name "$IF"
ip -n "$NS_A" link set "$IF" up

# --- 4. a full ring buffer is said on stderr, and counted at exit ----------------------
# A 4 KiB ring holds some 25 findings. The consumer is stopped (SIGSTOP: a
# stalled disk or CPU) while 3000 SYNs to 445 from distinct ports, 3000 new
# flows and findings, arrive; then it goes on.
ip netns exec "$NS_A" "$XH" run -i "$IF" --mode native --ringbuf 4096 </dev/null \
	>"$W/full.jsonl" 2>"$W/full.err" &
XH_PID=$!
xh_wait_ready "$W/full.err" "$XH_PID" || fail ringbuf_full_ready "$(tail -n 2 "$W/full.err" | tr '\n' ' ')"
kill -STOP "$XH_PID"
ip netns exec "$NS_B" /usr/bin/python3 - <<'PY'
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
for sport in range(20000, 23000):
    # source port, 445, seq, ack, data offset 5, SYN, window; checksum left 0
    s.sendto(struct.pack("!HHIIBBHHH", sport, 445, 1, 0, 5 << 4, 0x02, 8192, 0, 0), ("192.0.2.1", 0))
PY
kill -CONT "$XH_PID"
for ((i = 0; i < 30; i++)); do
	grep -q 'events: [0-9]* findings found the ring buffer full' "$W/full.err" && break
	sleep 0.1
done
said=$(sed -n 's/.*events: \([0-9]*\) findings found the ring buffer full.*/\1/p' "$W/full.err" | head -n 1)
hits=$(grep -c '"smb.connect"' "$W/full.jsonl")
stop_xh
total=$(sed -n 's/.*run: \([0-9]*\) findings found the ring buffer full in all.*/\1/p' "$W/full.err")
echo "# full ring: $hits hits written, $said said within 3 s, $total at exit"
if [ -n "$said" ] && [ "$said" -gt 0 ]; then pass ringbuf_full_said; else
	fail ringbuf_full_said "no 'ring buffer full' line within 3 s: $(tail -n 2 "$W/full.err" | tr '\n' ' ')"
fi
if [ "$rc" -eq 0 ] && [ -n "$total" ] && [ "$total" -ge "${said:-1}" ] && [ "$hits" -lt 100 ] && [ $((total + hits)) -eq 3000 ]; then
	pass ringbuf_full_counted
else
	fail ringbuf_full_counted "exit $rc; at exit '$total' lost, $hits written, of 3000 findings"
fi

# --- 4b. a full flow table: evictions said, shown by stats, counted at exit --------------
# 3000 SYNs to 445 from distinct ports, in a burst faster than a sweep, are
# 3000 new flows against a 1024-flow table (--flows 1024): the LRU makes
# room silently, so those flows never get a record. The run says how many
# (a sweep a second with a 2 s timeout), `xdphunt stats` shows them, and
# records + evicted at exit are every flow. The next sweep finds the table
# near full and writes the least recently seen early ("forced"), before
# their timeout, and says how many.
ip netns exec "$NS_A" "$XH" run -i "$IF" --mode native --flows 1024 --flow-timeout 2 \
	</dev/null >"$W/evict.jsonl" 2>"$W/evict.err" &
XH_PID=$!
xh_wait_ready "$W/evict.err" "$XH_PID" || fail evict_ready "$(tail -n 2 "$W/evict.err" | tr '\n' ' ')"
syns445 30000 3000 0
if wait_err 'flows: [0-9]* flows were evicted from the full flow table (--flows 1024)' "$W/evict.err"; then
	pass evict_said
else
	fail evict_said "no eviction line within 5 s: $(tail -n 2 "$W/evict.err" | tr '\n' ' ')"
fi
ip netns exec "$NS_A" "$XH" stats -i "$IF" --json >"$W/evict-stats.json" 2>"$W/evict-stats.err"
ip netns exec "$NS_A" "$XH" stats -i "$IF" --prometheus >"$W/evict-stats.prom" 2>>"$W/evict-stats.err"
stop_xh
/usr/bin/python3 - "$W" <<'PY'
import json, re, sys
w = sys.argv[1]
err = open(w + "/evict.err").read()
st = json.load(open(w + "/evict-stats.json"))
prom = open(w + "/evict-stats.prom").read()
flows = [json.loads(x) for x in open(w + "/evict.jsonl") if '"event_type":"flow"' in x]
records = len(flows)
forced = sum(1 for x in flows if x["flow"]["reason"] == "forced")
total = [int(x) for x in re.findall(r"run: (\d+) flows were evicted from the full flow table "
                                    r"\(--flows 1024\) before their record, in all", err)]
forced_said = [int(x) for x in re.findall(r'run: (\d+) flows were written early, reason '
                                          r'"forced", .* \(--flows 1024\) from filling, in all',
                                          err)]
ft = st.get("flow_table", {})
m = re.search(r'^xdphunt_flows_evicted\{[^}]*\} (\d+)$', prom, re.M)
mf = re.search(r'^xdphunt_flows_forced_total\{[^}]*\} (\d+)$', prom, re.M)
print("# full flow table: %d records (%d forced, said %s), %s evicted at exit, stats %s, "
      "flows_new %s" % (records, forced, forced_said, total, ft, st["counters"]["flows_new"]))
checks = [
    ("evict_counted", len(total) == 1 and records + total[0] == 3000
     and st["counters"]["flows_new"] == 3000,
     "records + evicted at exit = 3000 new flows"),
    ("evict_forced", forced > 0 and forced_said == [forced],
     "the near-full table's least recently seen flows written early with reason forced, "
     "as many as said at exit"),
    # The burst is over before the sweep that forces them: stats, read
    # after it said so, has them all.
    ("evict_forced_stats", ft.get("forced") == forced and mf is not None
     and int(mf.group(1)) == forced,
     "stats --json flow_table.forced and --prometheus xdphunt_flows_forced_total"),
    ("evict_stats", 0 < ft.get("evicted", 0) <= (total or [0])[0] and ft.get("max") == 1024
     and m is not None and 0 < int(m.group(1)) <= (total or [0])[0],
     "stats --json flow_table.evicted and --prometheus xdphunt_flows_evicted, "
     "at most the count at exit"),
]
bad = 0
for name, ok, what in checks:
    print(("PASS: " if ok else "FAIL: ") + name + ("" if ok else ": " + what))
    bad += not ok
sys.exit(1 if bad else 0)
PY
[ $? -eq 0 ] || FAILS=$((FAILS + 1))
[ "$rc" -eq 0 ] && pass evict_exit_0 || fail evict_exit_0 "exit $rc: $(tail -n 3 "$W/evict.err" | tr '\n' ' ')"

# --- 4c. new flows faster than a sweep a second can write them ---------------------------
# 20000 SYNs to 445, 300 every 100 ms (3000 new flows a second, 6.7 s), into a
# 4096-flow table with a 600 s timeout: only forced records can keep room.
# A sweep a second forces the table down to its low mark, some 1300 flows a
# second; while the table is near full, sweeps every 100 ms keep up, so
# (almost) every flow gets a record and few are evicted without one.
ip netns exec "$NS_A" "$XH" run -i "$IF" --mode native --flows 4096 --flow-timeout 600 \
	</dev/null >"$W/catchup.jsonl" 2>"$W/catchup.err" &
XH_PID=$!
xh_wait_ready "$W/catchup.err" "$XH_PID" || fail catchup_ready "$(tail -n 2 "$W/catchup.err" | tr '\n' ' ')"
syns445 20000 20000 300
stop_xh
/usr/bin/python3 - "$W" <<'PY'
import json, re, sys
w = sys.argv[1]
err = open(w + "/catchup.err").read()
flows = [json.loads(x) for x in open(w + "/catchup.jsonl") if '"event_type":"flow"' in x]
evicted = [int(x) for x in re.findall(r"run: (\d+) flows were evicted from the full flow table "
                                      r"\(--flows 4096\) before their record, in all", err)]
forced = sum(1 for x in flows if x["flow"]["reason"] == "forced")
lost = evicted[0] if evicted else 0
print("# 3000 new flows a second into 4096: %d records (%d forced), %d evicted" %
      (len(flows), forced, lost))
ok = len(flows) + lost == 20000 and forced > 10000 and lost <= 400
print(("PASS: " if ok else "FAIL: ") + "catchup_records" +
      ("" if ok else ": want 20000 records + evicted, over 10000 forced, at most 2 % evicted"))
sys.exit(0 if ok else 1)
PY
[ $? -eq 0 ] || FAILS=$((FAILS + 1))
[ "$rc" -eq 0 ] && pass catchup_exit_0 || fail catchup_exit_0 "exit $rc: $(tail -n 3 "$W/catchup.err" | tr '\n' ' ')"

# --- 5. attached again, then stopped: it detaches from the new interface ----------------
ip netns exec "$NS_A" "$XH" run -i "$IF" --mode native </dev/null >/dev/null 2>"$W/again.err" &
XH_PID=$!
xh_wait_ready "$W/again.err" "$XH_PID" || fail again_ready "$(tail -n 2 "$W/again.err" | tr '\n' ' ')"
ip -n "$NS_A" link del "$IF"
wait_err "watch: $IF is gone" "$W/again.err"
veth_up || fail again_recreate "cannot make the veth pair again"
wait_err "watch: $IF is back" "$W/again.err"
stop_xh
if [ "$rc" -eq 0 ] && grep -q "attached again" "$W/again.err" &&
	! ip -n "$NS_A" -d link show dev "$IF" | grep -q 'prog/xdp'; then
	pass reattached_then_detached
else
	fail reattached_then_detached "exit $rc; XDP now: $(ip -n "$NS_A" -d link show dev "$IF" | grep -o 'prog/xdp[^ ]* id [0-9]*'); $(tr '\n' ' ' <"$W/again.err" | head -c 300)"
fi
e2e_finish
