#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test_smb_lab.sh [BUILD_DIR]: SMB deep inspection against real clients and
# tshark as the oracle (root). Builds the routed lab (scripts/lab.sh,
# LAB_TOPO=gateway: attacker -- gateway -- victim with Samba), attaches
# xdphunt natively on both gateway interfaces, captures on the gateway with
# tcpdump, drives smbclient (normal share, ADMIN$, C$, IPC$, SMB1, port 139,
# an upload to ADMIN$ and executables hidden in NTFS streams of a text file
# there, one SMB3-encrypted session), smbmap and Impacket's
# psexec, smbexec, services, reg, samrdump (445 and 139), lookupsid, netview
# and atexec, nmap's MS17-010 and DoublePulsar scripts and EternalBlue's
# transaction pair (scripts/coverage/eternalblue_try.py), 12 logons with
# wrong passwords, then checks with selftests/e2e/check_smb.py that every admin/IPC$
# tree path, IPC$ pipe, executable written to an admin share, SMB1 flow and
# encrypted flow tshark sees is a hit, live and in `xdphunt replay` of the
# capture, and that nothing else is; and that every NTLM logon tshark reads
# is an smb.logon hit whose account the flow's later hits carry.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/e2e.sh"
e2e_init e2e_smb "$@"
IMP=/usr/share/doc/python3-impacket/examples
e2e_need ip smbd smbclient smbmap nmap tcpdump tshark unshare /usr/bin/python3
[ -f "$IMP/psexec.py" ] || { skip e2e_smb "Impacket examples missing in $IMP (make deps)"; exit 0; }
e2e_unshare -n -m

# shellcheck source=../../scripts/lab.sh
. "$ROOT/scripts/lab.sh"
LAB_TOPO=gateway
# Plain SMB: Impacket and smbclient negotiate SMB3 encryption whenever the
# server offers it. The encrypted negative case comes at the end, with smbd
# restarted to require encryption.
LAB_SMB_ENCRYPT=off
# ADMIN$ keeps NTFS streams (streams_xattr), as a Windows share does.
LAB_SMB_STREAMS=1
lab_init "xh$$"
W=$LAB_DIR
XH_PID=
TD_PID=

e2e_traps e2e_lab_teardown

e2e_lab_up smb_lab_up
pass smb_lab_up

# --- capture and attach on the gateway ----------------------------------------
# The gateway's client-side interface carries every packet of every flow.
e2e_gw_hunt smb_run_ready_both_interfaces "$W/smb.pcap" 65535 xh-smb both

# --- real clients -------------------------------------------------------------------
S=$LAB_SERVER_IP4
U=$LAB_SMB_USER
P=$LAB_SMB_PASS
SMB=(smbclient -s "$LAB_CLIENT_CONF" -U "$U%$P")
PY=(timeout 40 /usr/bin/python3)
head -c 4096 /dev/urandom >"$W/tool.exe"
echo "meeting notes" >"$W/notes.txt"
# Small: streams_xattr keeps a stream in an extended attribute, and all of a
# file's attributes fit in one ext4 block (4 KiB) or the write fails with
# NT_STATUS_DISK_FULL.
head -c 512 /dev/urandom >"$W/small.exe"
# A PE image under a harmless name (T1570 by content, T1036.008).
lab_pe_image "$W/update.dat"

client() { # name cmd...: one client run, output kept; the exit status is not judged
	local name=$1
	shift
	lab_exec client "$@" </dev/null >"$W/client.$name.out" 2>&1
	echo "$name $?" >>"$W/client.status"
}
# smbclient first, one after the other (Samba's own client, every share kind)
client smb_public timeout 30 "${SMB[@]}" "//$S/public" -c ls
client smb_admin timeout 30 "${SMB[@]}" "//$S/ADMIN\$" -c ls
client smb_admin_put timeout 30 "${SMB[@]}" "//$S/ADMIN\$" -c "put $W/tool.exe tool.exe"
client smb_public_pe timeout 30 "${SMB[@]}" "//$S/public" -c "put $W/update.dat update.dat"
# An executable hidden in a stream of a text file (T1570 and T1564.004),
# named with and without the stream type, over SMB3 and SMB1; allinfo lists
# the file's streams, the proof that the server wrote them.
client smb_admin_stream timeout 30 "${SMB[@]}" "//$S/ADMIN\$" -c \
	"put $W/notes.txt notes.txt; put $W/small.exe notes.txt:payload.exe; put $W/small.exe \"notes.txt:second.dll:\$DATA\"; allinfo notes.txt"
client smb_nt1_stream timeout 30 "${SMB[@]}" -m NT1 "//$S/ADMIN\$" -c \
	"put $W/small.exe notes.txt:nt1.exe; allinfo notes.txt"
client smb_c timeout 30 "${SMB[@]}" "//$S/C\$" -c 'get boot.ini /dev/null'
# A remote shell's output read back as Impacket's wmiexec does it
# (ADMIN$\__<time>: T1059.003 by the built-in `file` rule); the lab's Samba
# refuses the execution step itself, so the file is put first.
echo 'xhlab\hunter' >"$W/__1700000000.12"
client smb_exec_output timeout 30 "${SMB[@]}" "//$S/ADMIN\$" -c \
	"put $W/__1700000000.12 __1700000000.12; get __1700000000.12 /dev/null"
client smb_ipc timeout 30 "${SMB[@]}" "//$S/IPC\$" -c ls
client smb_nt1 timeout 30 "${SMB[@]}" -m NT1 "//$S/public" -c ls
client smb_nt1_admin timeout 30 "${SMB[@]}" -m NT1 "//$S/ADMIN\$" -c ls
client smb_139 timeout 30 "${SMB[@]}" -p 139 "//$S/C\$" -c ls
client smb_v6 timeout 30 "${SMB[@]}" -I "$LAB_SERVER_IP6" "//xhsrv/ADMIN\$" -c ls
# Password guessing (smb.brute_force): 12 logons with wrong passwords, one
# after the other, before the tools in parallel, so that tshark and xdphunt
# see the 10th failure on the same flow.
for i in $(seq 1 12); do
	client "smb_guess$i" timeout 30 smbclient -s "$LAB_CLIENT_CONF" -N -U "$U%wrong-$i" "//$S/public" -c ls
done
# the offensive tools, in parallel (each fails or succeeds on its own flows)
client smbmap timeout 40 smbmap -H "$S" -u "$U" -p "$P" &
client psexec "${PY[@]}" "$IMP/psexec.py" "$U:$P@$S" whoami &
client smbexec "${PY[@]}" "$IMP/smbexec.py" "$U:$P@$S" &
client services "${PY[@]}" "$IMP/services.py" "$U:$P@$S" list &
client reg "${PY[@]}" "$IMP/reg.py" "$U:$P@$S" query -keyName 'HKLM\SOFTWARE' &
client samrdump "${PY[@]}" "$IMP/samrdump.py" "$U:$P@$S" &
client samrdump139 "${PY[@]}" "$IMP/samrdump.py" -port 139 "$U:$P@$S" &
client lookupsid "${PY[@]}" "$IMP/lookupsid.py" "$U:$P@$S" 600 &
# netview polls forever: its first round is all the traffic it makes
client netview timeout 10 /usr/bin/python3 "$IMP/netview.py" -target "$S" "XHLAB/$U:$P" &
client atexec "${PY[@]}" "$IMP/atexec.py" "$U:$P@$S" whoami &
# MS17-010 tooling over SMB1 (smb.exploit): nmap's check (PeekNamedPipe on
# FID 0) and its DoublePulsar ping (TRANSACTION2 SESSION_SETUP)
client nmap_ms17 timeout 60 nmap -n -Pn -p 445 --script smb-vuln-ms17-010,smb-double-pulsar-backdoor \
	--script-args "smbusername=$U,smbpassword=$P" "$S" &
# EternalBlue's transaction pair (NT_TRANSACT, then TRANSACTION2_SECONDARY
# with its MID), zeros for data
client eternalblue "${PY[@]}" "$HERE/../../scripts/coverage/eternalblue_try.py" "$S" "$U" "$P" &
wait_bound=0
while [ "$(wc -l <"$W/client.status" 2>/dev/null || echo 0)" -lt 37 ] && [ "$wait_bound" -lt 600 ]; do
	sleep 0.1
	wait_bound=$((wait_bound + 1))
done

# The negative case: smbd now requires encryption; after session setup the
# client sends only transform headers (smb.encrypted, and no names).
lab_stop_pid "$LAB_SMBD_PID" TERM
sed -i 's/server smb encrypt = off/server smb encrypt = required/' "$LAB_SMB_CONF"
lab_bg server "$W/smbd-encrypt.out" smbd -F --no-process-group --debug-stdout -s "$LAB_SMB_CONF"
LAB_SMBD_PID=$LAB_LAST_PID
lab_save_state
if lab_wait_listen server 445; then
	client smb_encrypted timeout 30 "${SMB[@]}" "//$S/ADMIN\$" -c ls
else
	fail smb_encrypted_server "smbd with 'server smb encrypt = required' did not come up"
fi
echo "# clients (name exit): $(sort "$W/client.status" | tr '\n' ' ')"
grep -q 'tool.exe' "$W/client.smb_admin_put.out" && ! grep -q NT_STATUS "$W/client.smb_admin_put.out" &&
	pass smb_upload_done || fail smb_upload_done "smbclient put to ADMIN\$: $(tail -n 2 "$W/client.smb_admin_put.out" | tr '\n' ' ')"
# allinfo prints each stream as "stream: [:payload.exe:$DATA], 512 bytes".
if grep -q '^stream: \[:payload.exe:\$DATA\], 512 bytes' "$W/client.smb_admin_stream.out" &&
	grep -q '^stream: \[:second.dll:\$DATA\], 512 bytes' "$W/client.smb_admin_stream.out" &&
	grep -q '^stream: \[:nt1.exe:\$DATA\], 512 bytes' "$W/client.smb_nt1_stream.out" &&
	! grep -q NT_STATUS "$W/client.smb_admin_stream.out" "$W/client.smb_nt1_stream.out"; then
	pass smb_stream_upload_done
else
	fail smb_stream_upload_done "smbclient put into streams of notes.txt: $(grep -h -e stream: -e NT_STATUS "$W"/client.smb_*stream.out | tr '\n' ' ')"
fi

# --- stop ---------------------------------------------------------------------------
sleep 1
lab_stop_pid "$TD_PID" TERM
TD_PID=
lab_stop_pid "$XH_PID" TERM
rc=$?
XH_PID=
[ "$rc" -eq 0 ] && pass smb_run_sigterm || fail smb_run_sigterm "exit $rc: $(tail -n 3 "$W/xdphunt.err" | tr '\n' ' ')"
dropped=$(sed -n 's/^\([0-9]*\) packets* dropped by kernel.*/\1/p' "$W/tcpdump.err")
if [ "${dropped:-x}" = 0 ]; then
	pass smb_capture_complete
else
	fail smb_capture_complete "tcpdump: '$(grep -i dropped "$W/tcpdump.err" | tr '\n' ' ')'"
fi

# --- replay of the same capture --------------------------------------------------------
if "$XH" replay "$W/smb.pcap" >"$W/replay.jsonl" 2>"$W/replay.err"; then
	pass smb_replay_runs
else
	fail smb_replay_runs "$(tail -n 3 "$W/replay.err" | tr '\n' ' ')"
fi

/usr/bin/python3 "$HERE/check_smb.py" "$W/smb.pcap" "$W/live.jsonl" "$W/replay.jsonl" \
	"$LAB_CLIENT_IP4,$LAB_CLIENT_IP6" "$LAB_SERVER_IP4,$LAB_SERVER_IP6" "$U"
[ $? -eq 0 ] || FAILS=$((FAILS + 1))
if [ "$FAILS" -gt 0 ]; then
	echo "# live hits (smb.*):"
	grep '"rule":"smb\.' "$W/live.jsonl" | grep -v smb.connect | head -n 40 | sed 's/^/#   /'
	echo "# xdphunt stderr:"
	tail -n 10 "$W/xdphunt.err" | sed 's/^/#   /'
fi
e2e_finish
