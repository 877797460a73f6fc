#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test_dcerpc_dc.sh [BUILD_DIR]: DCE/RPC end to end against a real Samba AD DC
# (scripts/lab-dc.sh; one DC shared by every check). xdphunt runs natively on
# both interfaces of the router namespace between client and DC while Impacket
# (secretsdump -just-dc, rpcdump, rpcmap, samrdump, lookupsid, services list,
# reg query, psexec, wmiexec, dcomexec, addcomputer, a join to Builtin
# Administrators, and Zerologon's netlogon tries) and
# rpcclient over ncacn_ip_tcp talk to the DC, and a Kerberos password spray
# (kerberos_spray.py: 6 wrong passwords, 6 unknown users) and a guess (12
# passwords on one account, from a second client address) and an AS-REP
# roasting (GetNPUsers.py, one account without pre-authentication) and a
# Kerberoasting (MIT kvno asks service tickets for two accounts' SPNs, one
# left to RC4, one configured for AES; then the AES one allowing rc4-hmac
# alone, and Impacket's getKerberosTGS asks for both, as GetUserSPNs does)
# to its KDC;
# tcpdump records the client
# side. tshark is the oracle: every bind to a listed interface and every
# listed call it sees must be a hit, live and in `xdphunt replay` of the
# capture; no unlisted interface may give a hit; flow records of the dynamic
# endpoints count what tshark counts from the bind on; T1210 is said on the
# zero-credential tries only (check_zerologon.py); the spray and the guess
# are a kerberos.brute_force hit each, on the answer tshark's KRB-ERRORs
# bring to 10, spraying and guessing by the accounts of tshark's AS-REQs,
# the roasted account's AS-REP one kerberos.no_preauth hit, the RC4
# service ticket one kerberos.weak_ticket hit and each TGS-REQ that lists
# RC4 first one kerberos.weak_request hit (check_kerberos.py).
# Takes about a minute here (provisioning 10-35 s). Prints PASS:/FAIL:/SKIP:.
set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lib/e2e.sh"
e2e_init e2e_dcerpc_dc "$@"
EX=/usr/share/doc/python3-impacket/examples
PY=/usr/bin/python3
TOOL_TIMEOUT_S=90
e2e_need ip samba samba-tool rpcclient tcpdump tshark unshare $PY
[ -f /usr/share/samba/setup/ad-schema/AD_DS_Attributes__Windows_Server_2012_R2.ldf ] ||
	{ skip e2e_dcerpc_dc "samba-ad-provision missing (make deps)"; exit 0; }
[ -f "$EX/secretsdump.py" ] || { skip e2e_dcerpc_dc "impacket examples missing"; exit 0; }
e2e_unshare -n -m

# lab.sh brings lab-dc.sh and the helpers (lab_wait_capture)
# shellcheck source=../../scripts/lab.sh
. "$ROOT/scripts/lab.sh"
dclab_init "xd$$"
W=$(mktemp -d "${TMPDIR:-/tmp}/xd$$.e2e.XXXXXX")
XH_PID=
DUMP_PID=

stop_pid() { # pid signal
	local i
	kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return; }
	kill -s "$2" "$1" 2>/dev/null
	for ((i = 0; i < 200; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

teardown() {
	local rc=$?
	[ -n "$XH_PID" ] && stop_pid "$XH_PID" TERM
	[ -n "$DUMP_PID" ] && stop_pid "$DUMP_PID" INT
	if [ -n "${KEEP:-}" ]; then
		cp -a "$W" "/tmp/$DCLAB_PFX.kept" && echo "# kept work files in /tmp/$DCLAB_PFX.kept"
	fi
	dclab_down
	rm -rf "$W"
	exit "$rc"
}
e2e_traps teardown


if ! dclab_up "$DCLAB_PFX" >"$W/up.log" 2>&1; then
	fail dcerpc_dc_lab "the DC did not come up: $(tail -n 4 "$W/up.log" | tr '\n' ' ')"
	e2e_finish
fi
pass dcerpc_dc_lab
# An account that needs no Kerberos pre-authentication, for AS-REP roasting.
ROAST_WANT=1
if ! dclab_user_no_preauth xhroast 'Xh-Roast-Pass1!' >"$W/roast_user.log" 2>&1; then
	fail dcerpc_dc_roast_user "cannot make xhroast: $(tail -n 3 "$W/roast_user.log" | tr '\n' ' ')"
	ROAST_WANT=0
fi
# Two service accounts: one as nobody configured it (RC4 tickets), one for
# AES only; Kerberoasting asks tickets for both.
TICKET_WANT=1
if ! dclab_user_spn xhsvc 'Xh-Svc-Pass1!' MSSQLSvc/db1.hunt.test:1433 >"$W/spn_user.log" 2>&1 ||
	! dclab_user_spn xhsvc2 'Xh-Svc-Pass2!' HTTP/web1.hunt.test 24 >>"$W/spn_user.log" 2>&1; then
	fail dcerpc_dc_spn_user "cannot make xhsvc, xhsvc2: $(tail -n 3 "$W/spn_user.log" | tr '\n' ' ')"
	TICKET_WANT=0
fi

# The client side of the router sees every packet in both directions.
# Started with ip netns exec directly (not a shell function), so the PIDs are
# those of tcpdump and xdphunt themselves.
ip netns exec "$DCLAB_NS_GW" tcpdump -i "$DCLAB_IF_G1" -U -s 0 -w "$W/dc.pcap" tcp >"$W/tcpdump.log" 2>&1 &
DUMP_PID=$!
ip netns exec "$DCLAB_NS_GW" "$XH" run -i "$DCLAB_IF_G1" -i "$DCLAB_IF_G2" --mode native --host e2e-dc \
	--flow-timeout 3600 -o "$W/live.json" 2>"$W/xh.err" &
XH_PID=$!
for ((i = 0; i < 300; i++)); do
	[ "$(grep -c 'ready: attached' "$W/xh.err" 2>/dev/null)" -ge 2 ] && break
	kill -0 "$XH_PID" 2>/dev/null || break
	sleep 0.1
done
if [ "$(grep -c 'ready: attached' "$W/xh.err")" -lt 2 ]; then
	fail dcerpc_dc_attach "xdphunt not ready: $(tail -n 3 "$W/xh.err" | tr '\n' ' ')"
	e2e_finish
fi
lab_wait_capture "$W/tcpdump.log"
pass dcerpc_dc_attach

T=$DCLAB_DC_IP
# The tools leave files in their working directory (sessionresume_*).
cd "$W" || exit 1
CRED="$DCLAB_DOMAIN/$DCLAB_ADMIN:$DCLAB_PASS@$T"
run_tool() { # name cmd...: in the client namespace, bounded; the wire is what counts
	local name=$1 rc
	shift
	timeout -k 5 "$TOOL_TIMEOUT_S" ip netns exec "$DCLAB_NS_CL" "$@" </dev/null \
		>"$W/$name.out" 2>&1
	rc=$?
	echo "# $name: exit $rc"
}
run_tool secretsdump $PY "$EX/secretsdump.py" -just-dc "$CRED"
run_tool rpcdump $PY "$EX/rpcdump.py" "$CRED"
run_tool rpcmap $PY "$EX/rpcmap.py" "ncacn_ip_tcp:$T[135]"
run_tool samrdump $PY "$EX/samrdump.py" "$CRED"
run_tool lookupsid $PY "$EX/lookupsid.py" "$CRED" 600
run_tool services $PY "$EX/services.py" "$CRED" list
run_tool reg $PY "$EX/reg.py" "$CRED" query -keyName 'HKLM\SOFTWARE\Microsoft'
run_tool psexec $PY "$EX/psexec.py" "$CRED" whoami
run_tool wmiexec $PY "$EX/wmiexec.py" -nooutput "$CRED" whoami
run_tool dcomexec $PY "$EX/dcomexec.py" -nooutput "$CRED" whoami
run_tool rpcclient rpcclient -U "$DCLAB_DOMAIN\\$DCLAB_ADMIN%$DCLAB_PASS" "ncacn_ip_tcp:$T" \
	-c 'lsaquery; enumdomusers; querydominfo; netshareenumall'
# Accounts made and changed over SAMR: a machine account and its password
# (addcomputer.py: T1136, T1098), a user and its password (rpcclient over
# \pipe\samr, which has the session key the password needs), and Guest put
# into Builtin\Administrators (T1098.007).
run_tool addcomputer $PY "$EX/addcomputer.py" -method SAMR -computer-name 'XHPC1$' \
	-computer-pass 'Xh-Lab-Pc1!' -dc-ip "$T" "$DCLAB_DOMAIN/$DCLAB_ADMIN:$DCLAB_PASS"
run_tool rpcclient_account rpcclient -U "$DCLAB_DOMAIN\\$DCLAB_ADMIN%$DCLAB_PASS" "$T" \
	-c 'createdomuser xhuser1; setuserinfo2 xhuser1 24 Xh-Lab-User1!'
run_tool group_join $PY "$ROOT/scripts/coverage/samr_group_join.py" "$T" "$DCLAB_DOMAIN" \
	"$DCLAB_ADMIN" "$DCLAB_PASS" Guest
# Zerologon's tries (CVE-2020-1472), and one with a random credential.
run_tool zerologon $PY "$ROOT/scripts/coverage/zerologon_try.py" "$T" DC1 3
# One password tried over known and unknown accounts, as kerbrute sprays.
run_tool kerberos_spray $PY "$ROOT/scripts/coverage/kerberos_spray.py" "$T" "$DCLAB_REALM" \
	'Spring2026!' "$DCLAB_ADMIN" xh.nobody1 "$DCLAB_ADMIN" xh.nobody2 "$DCLAB_ADMIN" \
	xh.nobody3 "$DCLAB_ADMIN" xh.nobody4 "$DCLAB_ADMIN" xh.nobody5 "$DCLAB_ADMIN" xh.nobody6
# Twelve passwords tried on one account, from a second client address: the
# guessing the spray's hit is told from by its accounts.
GUESS_IP=192.0.2.11
if dclab_exec client ip addr add "$GUESS_IP/24" dev "$DCLAB_IF_CL"; then
	run_tool kerberos_guess $PY "$ROOT/scripts/coverage/kerberos_spray.py" --source "$GUESS_IP" \
		--tries 12 "$T" "$DCLAB_REALM" 'Winter2026!' xhuser1
	KRB_WANT=2
else
	fail dcerpc_dc_guess_addr "cannot add $GUESS_IP to the client"
	KRB_WANT=1
fi
# AS-REP roasting (GetNPUsers): the account without pre-authentication gets
# a TGT to crack offline; the administrator and an unknown name do not.
printf '%s\n' "$DCLAB_ADMIN" xhroast xh.nobody7 >"$W/np_users.txt"
run_tool getnpusers $PY "$EX/GetNPUsers.py" "$DCLAB_REALM/" -no-pass -usersfile \
	"$W/np_users.txt" -dc-ip "$T" -format hashcat
# Kerberoasting: a TGT, then a service ticket for each SPN, with MIT's
# kinit and kvno (Impacket 0.10's GetUserSPNs sends a TGS-REQ this Samba
# refuses, KRB_AP_ERR_INAPP_CKSUM; its LDAP query needs a signed bind).
dclab_krb5_conf "$W/krb5.conf"
export KRB5_CONFIG="$W/krb5.conf" KRB5CCNAME="$W/ccache"
# kinit reads the password on stdin, which run_tool closes
timeout -k 5 "$TOOL_TIMEOUT_S" ip netns exec "$DCLAB_NS_CL" kinit "$DCLAB_ADMIN@$DCLAB_REALM" \
	<<<"$DCLAB_PASS" >"$W/kinit.out" 2>&1
echo "# kinit: exit $?"
run_tool kvno kvno "MSSQLSvc/db1.hunt.test:1433@$DCLAB_REALM" "HTTP/web1.hunt.test@$DCLAB_REALM"
# Kerberoasting's requests: kvno again allowed rc4-hmac alone (the list
# Rubeus' /rc4opsec sends), for the AES-only account, which the KDC refuses
# (KDC_ERR_ETYPE_NOSUPP; MIT asks twice); and Impacket's getKerberosTGS, as
# GetUserSPNs -request calls it, for both accounts (its etype list: 23, 16,
# 3, then the TGT's), which this Samba refuses too (KRB_AP_ERR_INAPP_CKSUM):
# the requests are what the rule reads.
# (MIT keeps to the allowed types for the TGT's session key too: a TGT of
# its own, in RC4.)
cp "$W/krb5.conf" "$W/krb5-rc4.conf"
sed -i 's/^\[libdefaults\]$/[libdefaults]\n\tdefault_tgs_enctypes = rc4-hmac\n\tdefault_tkt_enctypes = rc4-hmac/' \
	"$W/krb5-rc4.conf"
export KRB5_CONFIG="$W/krb5-rc4.conf" KRB5CCNAME="$W/ccache-rc4"
timeout -k 5 "$TOOL_TIMEOUT_S" ip netns exec "$DCLAB_NS_CL" kinit "$DCLAB_ADMIN@$DCLAB_REALM" \
	<<<"$DCLAB_PASS" >"$W/kinit_rc4.out" 2>&1
echo "# kinit_rc4: exit $?"
run_tool kvno_rc4 kvno "HTTP/web1.hunt.test@$DCLAB_REALM"
unset KRB5_CONFIG KRB5CCNAME
run_tool kerberoast_request $PY "$ROOT/scripts/coverage/kerberoast_request.py" "$T" \
	"$DCLAB_REALM" "$DCLAB_ADMIN" "$DCLAB_PASS" xhsvc xhsvc2
sleep 1

kill -TERM "$XH_PID" 2>/dev/null
for ((i = 0; i < 200; i++)); do
	kill -0 "$XH_PID" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$XH_PID" 2>/dev/null; then
	fail dcerpc_dc_exit "xdphunt run ignored SIGTERM for 20 s"
	kill -KILL "$XH_PID" 2>/dev/null
fi
wait "$XH_PID"
XH_RC=$?
XH_PID=
stop_pid "$DUMP_PID" INT
DUMP_PID=
if [ "$XH_RC" -eq 0 ]; then
	pass dcerpc_dc_exit
else
	fail dcerpc_dc_exit "xdphunt run exited $XH_RC: $(tail -n 3 "$W/xh.err" | tr '\n' ' ')"
fi
left=$(dclab_exec gw ip -o link show 2>/dev/null | grep -E 'xdp|prog/' || true)
if [ -n "$left" ]; then
	fail dcerpc_dc_detach "an XDP program is left on the router: $left"
else
	pass dcerpc_dc_detach
fi

if ! "$XH" replay --flow-timeout 3600 -o "$W/replay.json" "$W/dc.pcap" 2>"$W/replay.err"; then
	fail dcerpc_dc_replay "replay failed: $(tail -n 3 "$W/replay.err" | tr '\n' ' ')"
fi
$PY "$HERE/check_dcerpc.py" "$ROOT/data/dcerpc.tsv" "$W/dc.pcap" "$W/live.json" \
	"$W/replay.json" || FAILS=$((FAILS + 1))
# tshark must see the 3 zero-credential tries and the random one; xdphunt,
# live and replayed, must say T1210 on exactly the 3.
$PY "$HERE/check_zerologon.py" --min-zero 3 --min-real 1 "$W/dc.pcap" "$W/live.json" \
	"$W/replay.json" || FAILS=$((FAILS + 1))
# The NTLM logons (smb.logon, dcerpc.logon) and the accounts of later hits.
$PY "$HERE/check_ntlm.py" "$W/dc.pcap" "$W/live.json" "$W/replay.json" 1 || FAILS=$((FAILS + 1))
# The spray's and the guess's failed logons against tshark's KRB-ERRORs:
# a hit each, live and replayed, with the accounts of tshark's AS-REQs (the
# spray's 6 of 10 failures: T1110.003; the guess's one: T1110.001).
# And the AS-REP to xhroast (the only one without pre-authentication) is one
# kerberos.no_preauth hit naming it, as tshark's AS-REQs and AS-REPs say.
$PY "$HERE/check_kerberos.py" --live --want "$KRB_WANT" --want-no-preauth "$ROAST_WANT" \
	--want-weak-ticket "$TICKET_WANT" --want-weak-request "$((TICKET_WANT * 3))" "$W/dc.pcap" \
	"$W/live.json" "$W/replay.json" ||
	FAILS=$((FAILS + 1))
if [ "$ROAST_WANT" = 1 ]; then
	if grep -q 'krb5asrep\$23\$xhroast@' "$W/getnpusers.out" &&
		[ "$(grep '"rule":"kerberos.no_preauth"' "$W/live.json" |
			grep -c '"account":"xhroast"')" = 1 ]; then
		pass dcerpc_dc_no_preauth
	else
		fail dcerpc_dc_no_preauth "want GetNPUsers' hash of xhroast and one live hit naming it:\
 $(grep -c krb5asrep "$W/getnpusers.out") hash lines, $(grep -c kerberos.no_preauth "$W/live.json") hits"
	fi
fi
# kvno got both tickets; the RC4 one (xhsvc's) is the one hit, live.
if [ "$TICKET_WANT" = 1 ]; then
	if [ "$(grep -c 'kvno = ' "$W/kvno.out")" = 2 ] &&
		[ "$(grep '"rule":"kerberos.weak_ticket"' "$W/live.json" |
			grep -c '"service":"MSSQLSvc/db1.hunt.test:1433","etype":23')" = 1 ] &&
		[ "$(grep -c '"rule":"kerberos.weak_ticket"' "$W/live.json")" = 1 ]; then
		pass dcerpc_dc_weak_ticket
	else
		fail dcerpc_dc_weak_ticket "want kvno's two tickets and one live hit for xhsvc's SPN:\
 $(grep -c 'kvno = ' "$W/kvno.out") tickets, $(grep -c kerberos.weak_ticket "$W/live.json") hits"
	fi
fi
# The RC4-only requests for the AES account, refused: kerberos.weak_request
# hits listing rc4-hmac alone; Impacket's two requests, one hit each naming
# the account it asked for, with Impacket's list. (check_kerberos.py held
# every hit to tshark's TGS-REQs above.)
if [ "$TICKET_WANT" = 1 ]; then
	reqs=$(grep '"rule":"kerberos.weak_request"' "$W/live.json")
	n_rc4=$(grep -c '"service":"HTTP/web1.hunt.test","etype":23,"cipher":"rc4-hmac","etypes":\[23\]' <<<"$reqs")
	if [ "$n_rc4" -ge 1 ] &&
		[ "$(grep -c '"service":"HUNT\\\\xhsvc","etype":23,"cipher":"rc4-hmac","etypes":\[23,16,3,' <<<"$reqs")" = 1 ] &&
		[ "$(grep -c '"service":"HUNT\\\\xhsvc2","etype":23,"cipher":"rc4-hmac","etypes":\[23,16,3,' <<<"$reqs")" = 1 ]; then
		pass dcerpc_dc_weak_request
	else
		fail dcerpc_dc_weak_request "want live hits for kvno's rc4-only request ([23]) and\
 Impacket's two ([23,16,3,...]): $n_rc4 and $(grep -c . <<<"$reqs") in all; kvno: \
$(tr '\n' ' ' <"$W/kvno_rc4.out"); kerberoast_request: $(tr '\n' ' ' <"$W/kerberoast_request.out")"
	fi
fi
for tech in T1110.003 T1110.001; do
	if [ "$(grep '"rule":"kerberos.brute_force"' "$W/live.json" | grep -c "\"$tech\"")" = 1 ]; then
		pass "dcerpc_dc_kerberos_$tech"
	else
		fail "dcerpc_dc_kerberos_$tech" "no live kerberos.brute_force hit says $tech"
	fi
done
e2e_finish
