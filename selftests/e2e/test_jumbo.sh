#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test_jumbo.sh [BUILD_DIR]: xdphunt on a jumbo-frame link (root). Storage
# networks, where SMB lives, often run MTU 9000; a frame that large does not
# fit one page, so the driver hands XDP a multi-buffer frame and only a
# program loaded with XDP frags support may attach in native mode. Builds the
# scripts/lab.sh lab with MTU 9000 on its veth pair, attaches xdphunt with
# --mode native (no skb fallback), copies a file to ADMIN$ and back with
# smbclient, and checks against tcpdump + tshark on the same interface: frames
# over a page were received, the file came back intact through XDP_PASS, the
# SMB class counted every frame with its whole length, and the admin share is
# a hit. Prints PASS:/FAIL:/SKIP: lines; exits 1 on any FAIL.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/e2e.sh"
e2e_init e2e_jumbo "$@"
e2e_need ip smbd smbclient tcpdump tshark unshare nsenter /usr/bin/python3
e2e_unshare -n -m

# shellcheck source=../../scripts/lab.sh
. "$ROOT/scripts/lab.sh"
LAB_MTU=9000
lab_init "xh$$"
W=$LAB_DIR
XH_PID=
TD_PID=

e2e_traps e2e_lab_teardown

e2e_lab_up jumbo_lab_up
pass jumbo_lab_up
IF=$LAB_IF_SERVER
mtu=$(lab_exec server cat "/sys/class/net/$IF/mtu")
[ "$mtu" = 9000 ] && pass jumbo_mtu || fail jumbo_mtu "server veth MTU is $mtu"

# What reaches the server on 445, as the oracle sees it (after XDP_PASS).
lab_bg server "$W/tcpdump.err" tcpdump -i "$IF" -Q in -nn -s 0 -B 65536 --immediate-mode \
	-w "$W/in.pcap" tcp port 445
TD_PID=$LAB_LAST_PID
lab_wait_capture "$W/tcpdump.err"

ip netns exec "$LAB_NS_SERVER" "$XH" run -i "$IF" --mode native --host xh-jumbo \
	</dev/null >"$W/hits.jsonl" 2>"$W/xdphunt.err" &
XH_PID=$!
if ! xh_wait_ready "$W/xdphunt.err" "$XH_PID"; then
	fail jumbo_attach_native "no 'xdphunt: ready:' within 15s: $(tail -n 3 "$W/xdphunt.err" | tr '\n' ' ')"
	e2e_finish
fi
if grep -q "ready: attached to $IF (native mode" "$W/xdphunt.err"; then
	pass jumbo_attach_native
else
	fail jumbo_attach_native "$(grep 'ready:' "$W/xdphunt.err")"
fi

# --- traffic: a 4 MiB file to ADMIN$ and back -----------------------------------
head -c 4194304 /dev/urandom >"$W/up.bin"
SMB=(smbclient -s "$LAB_CLIENT_CONF" -U "$LAB_SMB_USER%$LAB_SMB_PASS" -p 445)
if lab_exec client timeout 60 "${SMB[@]}" "//$LAB_SERVER_IP4/ADMIN\$" \
	-c "put $W/up.bin xh_jumbo.bin; get xh_jumbo.bin $W/down.bin" >"$W/smb.out" 2>&1 &&
	cmp -s "$W/up.bin" "$W/down.bin"; then
	pass jumbo_file_intact
else
	fail jumbo_file_intact "put/get through ADMIN\$: $(tail -n 2 "$W/smb.out" | tr '\n' ' ')"
fi
sleep 1 # the session's last segments

if timeout 20 nsenter -t "$XH_PID" -n -m "$XH" stats -i "$IF" --json >"$W/stats.json" \
	2>"$W/stats.err"; then
	pass jumbo_stats
else
	fail jumbo_stats "xdphunt stats: $(head -c 300 "$W/stats.err" | tr '\n' ' ')"
fi
lab_stop_pid "$TD_PID" TERM
TD_PID=
lab_stop_pid "$XH_PID" TERM || fail jumbo_run_exit "xdphunt exited non-zero: $(tail -n 3 "$W/xdphunt.err" | tr '\n' ' ')"
XH_PID=

tshark -r "$W/in.pcap" -T fields -e frame.len >"$W/in.len" 2>"$W/tshark.err" ||
	fail jumbo_oracle "tshark: $(head -c 300 "$W/tshark.err")"

/usr/bin/python3 - "$W/stats.json" "$W/in.len" "$W/hits.jsonl" "$LAB_CLIENT_IP4" <<'PY'
import json, sys
fails = 0
def check(name, ok, why):
    global fails
    print(("PASS: " if ok else "FAIL: ") + name + ("" if ok else ": " + why))
    fails += not ok
try:
    smb = json.load(open(sys.argv[1]))["classes"]["smb"]
except (ValueError, KeyError, OSError) as e:
    smb = {}
    check("jumbo_stats_json", False, "no classes.smb in the stats: %s" % e)
lens = [int(l) for l in open(sys.argv[2]) if l.strip()]
big = [n for n in lens if n > 4096]
print("# tshark: %d frames to 445, %d bytes, %d over a page, largest %d"
      % (len(lens), sum(lens), len(big), max(lens, default=0)))
check("jumbo_frames_on_wire", len(big) >= 100,
      "only %d frames over 4096 bytes: the link carried no jumbo frames" % len(big))
check("jumbo_smb_packets", smb.get("packets") == len(lens),
      "xdphunt smb packets %s, tshark %d" % (smb.get("packets"), len(lens)))
check("jumbo_smb_bytes", smb.get("bytes") == sum(lens),
      "xdphunt smb bytes %s, tshark %d (whole frames, fragments included)"
      % (smb.get("bytes"), sum(lens)))
hits = [json.loads(l) for l in open(sys.argv[3]) if l.strip()]
mine = {h["rule"] for h in hits if h.get("src_ip") == sys.argv[4]}
check("jumbo_admin_share_hit", {"smb.connect", "smb.admin_share"} <= mine,
      "hits from the client: %s" % sorted(mine))
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] || FAILS=$((FAILS + 1))
e2e_finish
