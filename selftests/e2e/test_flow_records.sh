#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test_flow_records.sh [BUILD_DIR]: flow records of `xdphunt run
# --flow-timeout` (root). Builds the scripts/lab.sh lab, attaches xdphunt to
# the server's veth with a 3 s flow timeout, and makes two SMB sessions with
# smbclient: a 1 MiB file to ADMIN$ and back, then, after its flow has timed
# out, a listing that is still open in the table when xdphunt stops. tcpdump
# on the same interface is the oracle (tshark reads it): each TCP connection
# to 445 has exactly one flow record, with the packets and bytes XDP saw
# (frames in: all to the server, none to the client), the client as src, start and end at its first and last frame,
# the flow_id and community_id of its hits; the first is written by the
# timeout while xdphunt runs, the second at exit. Prints PASS:/FAIL:/SKIP:
# lines; exits 1 on any FAIL.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/e2e.sh"
e2e_init e2e_flows "$@"
e2e_need ip smbd smbclient tcpdump tshark unshare nsenter /usr/bin/python3
e2e_unshare -n -m

# shellcheck source=../../scripts/lab.sh
. "$ROOT/scripts/lab.sh"
lab_init "xh$$"
W=$LAB_DIR
XH_PID=
TD_PID=
TIMEOUT_S=3

e2e_traps e2e_lab_teardown

e2e_lab_up flows_lab_up
pass flows_lab_up
IF=$LAB_IF_SERVER

lab_bg server "$W/tcpdump.err" tcpdump -i "$IF" -Q in -nn -s 0 -B 16384 --immediate-mode \
	-w "$W/in.pcap" tcp port 445
TD_PID=$LAB_LAST_PID
lab_wait_capture "$W/tcpdump.err"

ip netns exec "$LAB_NS_SERVER" "$XH" run -i "$IF" --flow-timeout "$TIMEOUT_S" --host xh-flows \
	</dev/null >"$W/out.jsonl" 2>"$W/xdphunt.err" &
XH_PID=$!
if ! xh_wait_ready "$W/xdphunt.err" "$XH_PID"; then
	fail flows_ready "no 'xdphunt: ready:' within 15s: $(tail -n 3 "$W/xdphunt.err" | tr '\n' ' ')"
	e2e_finish
fi
pass flows_ready

SMB=(smbclient -s "$LAB_CLIENT_CONF" -U "$LAB_SMB_USER%$LAB_SMB_PASS" -p 445)

# --- session 1: a file to ADMIN$ and back; its record comes from the timeout --
head -c 1048576 /dev/urandom >"$W/up.bin"
if lab_exec client timeout 60 "${SMB[@]}" "//$LAB_SERVER_IP4/ADMIN\$" \
	-c "put $W/up.bin xh_flows.bin; get xh_flows.bin $W/down.bin; rm xh_flows.bin" \
	>"$W/smb1.out" 2>&1 && cmp -s "$W/up.bin" "$W/down.bin"; then
	pass flows_session1
else
	fail flows_session1 "put/get through ADMIN\$: $(tail -n 2 "$W/smb1.out" | tr '\n' ' ')"
fi
# Idle for the timeout, plus the sweep interval (timeout/2), plus slack.
got=
for ((i = 0; i < 200; i++)); do
	if grep -q '"event_type":"flow".*"reason":"timeout"' "$W/out.jsonl"; then
		got=1
		break
	fi
	sleep 0.1
done
if [ -n "$got" ]; then
	pass flows_timeout_record_while_running
else
	fail flows_timeout_record_while_running "no timeout record within 20 s of the session's end"
fi

# --- session 2: a listing, still in the table when xdphunt stops -------------
lab_exec client timeout 30 "${SMB[@]}" "//$LAB_SERVER_IP4/ADMIN\$" -c "ls" >"$W/smb2.out" 2>&1 ||
	fail flows_session2 "ls on ADMIN\$: $(tail -n 2 "$W/smb2.out" | tr '\n' ' ')"
sleep 0.5 # the session's last segments
if lab_stop_pid "$XH_PID" TERM; then
	pass flows_run_exit
else
	fail flows_run_exit "xdphunt exited non-zero: $(tail -n 3 "$W/xdphunt.err" | tr '\n' ' ')"
fi
XH_PID=
lab_stop_pid "$TD_PID" TERM
TD_PID=

tshark -r "$W/in.pcap" -T fields -e tcp.stream -e ip.src -e tcp.srcport -e frame.len \
	-e frame.time_epoch >"$W/in.tsv" 2>"$W/tshark.err" ||
	fail flows_oracle "tshark: $(head -c 300 "$W/tshark.err")"

/usr/bin/python3 - "$W/out.jsonl" "$W/in.tsv" "$LAB_CLIENT_IP4" "$LAB_SERVER_IP4" <<'PY'
import json, sys
from datetime import datetime, timezone
fails = 0
def check(name, ok, why=""):
    global fails
    print(("PASS: " if ok else "FAIL: ") + name + ("" if ok else ": " + why))
    fails += not ok
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
client, server = sys.argv[3], sys.argv[4]
flows = [l for l in lines if l.get("event_type") == "flow"]
hits = [l for l in lines if l.get("event_type") == "hunt"]
check("flows_only_hunt_and_flow", len(flows) + len(hits) == len(lines),
      "other event types: %s" % sorted({l.get("event_type") for l in lines}))
streams = {}
for row in open(sys.argv[2]):
    f = row.rstrip("\n").split("\t")
    if len(f) < 5 or not f[0]:
        continue
    s = streams.setdefault(int(f[0]), {"pkts": 0, "bytes": 0, "first": None, "last": None})
    s["pkts"] += 1
    s["bytes"] += int(f[3])
    t = float(f[4])
    s["first"] = t if s["first"] is None else min(s["first"], t)
    s["last"] = t if s["last"] is None else max(s["last"], t)
    s["src"], s["port"] = f[1], int(f[2])
print("# tshark: %d TCP connections to 445: %s" % (len(streams), ", ".join(
    "port %d %d frames %d bytes" % (s["port"], s["pkts"], s["bytes"]) for s in streams.values())))
print("# flow records: %s" % ", ".join("port %s %s pkts %s/%s bytes %s/%s" % (
    f.get("src_port"), f["flow"].get("reason"), f["flow"].get("pkts_toserver"),
    f["flow"].get("pkts_toclient"), f["flow"].get("bytes_toserver"),
    f["flow"].get("bytes_toclient")) for f in flows))
check("flows_two_connections_on_wire", len(streams) == 2,
      "tshark saw %d connections to 445, the test makes 2" % len(streams))
by_port = {}
for f in flows:
    by_port.setdefault(f.get("src_port"), []).append(f)
reasons = []
for s in sorted(streams.values(), key=lambda s: s["first"]):
    recs = by_port.get(s["port"], [])
    name = "flows_port_%d" % s["port"]
    check(name + "_one_record", len(recs) == 1, "%d records" % len(recs))
    if len(recs) != 1:
        continue
    r = recs[0]
    fl = r.get("flow", {})
    reasons.append(fl.get("reason"))
    # XDP sees what enters the server's interface: the client's frames.
    check(name + "_pkts", (fl.get("pkts_toserver"), fl.get("pkts_toclient")) == (s["pkts"], 0),
          "xdphunt to server/client %s/%s, tshark %d in" % (
              fl.get("pkts_toserver"), fl.get("pkts_toclient"), s["pkts"]))
    check(name + "_bytes", (fl.get("bytes_toserver"), fl.get("bytes_toclient")) == (s["bytes"], 0),
          "xdphunt to server/client %s/%s, tshark %d in" % (
              fl.get("bytes_toserver"), fl.get("bytes_toclient"), s["bytes"]))
    check(name + "_tuple", (r.get("src_ip"), r.get("dest_ip"), r.get("dest_port"), r.get("proto"),
                            r.get("app_proto"), r.get("host")) ==
          (client, server, 445, "TCP", "smb", "xh-flows"), json.dumps(r))
    def epoch(t):
        return datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=timezone.utc).timestamp()
    try:
        start, end = epoch(fl["start"]), epoch(fl["end"])
        ok = abs(start - s["first"]) < 1 and abs(end - s["last"]) < 1 and \
            r["timestamp"] == fl["start"] and fl["age"] == int(end - start)
    except (KeyError, ValueError) as e:
        ok, start, end = False, e, None
    check(name + "_times", ok, "record %s..%s age %s, tshark %.3f..%.3f" % (
        fl.get("start"), fl.get("end"), fl.get("age"), s["first"], s["last"]))
    mine = [h for h in hits if h.get("src_port") == s["port"] and h.get("rule") == "smb.connect"]
    check(name + "_joins_hits", len(mine) == 1 and
          (mine[0]["flow_id"], mine[0]["community_id"]) == (r.get("flow_id"), r.get("community_id")),
          "smb.connect hits of the port: %s" % [(h.get("flow_id"), h.get("community_id")) for h in mine])
check("flows_reasons", reasons == ["timeout", "shutdown"],
      "first session then second: %s" % reasons)
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] || FAILS=$((FAILS + 1))
e2e_finish
