#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# lab-services.sh: the services of scripts/lab.sh's labs, which sources it:
# the Samba configuration of the server (and the client's smb.conf), and
# lab_services_up, which starts smbd and scripts/lab-listener.py in the
# server namespace and waits until they listen. Not run on its own.

lab_smb_conf() {
	local d=$LAB_DIR/samba
	mkdir -p "$d"/{private,lock,state,cache,pid,log,ncalrpc,binddns} \
		"$d"/shares/{public,admin,c} "$LAB_DIR/client"/{lock,state,cache,private}
	chmod 0700 "$d/private"
	echo "xdphunt lab file" >"$d/shares/public/readme.txt"
	echo "pretend system drive" >"$d/shares/c/boot.ini"
	cat >"$d/smb.conf" <<-EOF
	[global]
	  workgroup = XHLAB
	  netbios name = XHSRV
	  server role = standalone server
	  smb ports = 445 139
	  disable netbios = yes
	  server smb encrypt = ${LAB_SMB_ENCRYPT:-off}
	  server min protocol = NT1
	  server signing = auto
	  ntlm auth = ntlmv2-only
	  passdb backend = tdbsam:$d/private/passdb.tdb
	  private dir = $d/private
	  lock directory = $d/lock
	  state directory = $d/state
	  cache directory = $d/cache
	  pid directory = $d/pid
	  ncalrpc dir = $d/ncalrpc
	  binddns dir = $d/binddns
	  log file = $d/log/log.%m
	  max log size = 0
	  log level = 1
	  username map = $d/users.map
	  load printers = no
	  printing = bsd
	  printcap name = /dev/null
	  disable spoolss = yes
	  # keep 135 free for the lab's RPC listener: no RPC daemon on TCP
	  rpc_server:tcpip = no
	[public]
	  path = $d/shares/public
	  read only = no
	  guest ok = no
	[ADMIN\$]
	  path = $d/shares/admin
	  read only = no
	  comment = Remote Admin (lab)
	  ${LAB_SMB_STREAMS:+vfs objects = streams_xattr}
	[C\$]
	  path = $d/shares/c
	  read only = yes
	  comment = Default share (lab)
	EOF
	# The lab's SMB user has no Unix account of its own: map it to root, whose
	# password lives only in the private tdbsam above.
	echo "root = $LAB_SMB_USER" >"$d/users.map"
	cat >"$LAB_DIR/client/smb.conf" <<-EOF
	[global]
	  workgroup = XHLAB
	  client min protocol = NT1
	  client smb encrypt = off
	  lock directory = $LAB_DIR/client/lock
	  state directory = $LAB_DIR/client/state
	  cache directory = $LAB_DIR/client/cache
	  private dir = $LAB_DIR/client/private
	  log file = $LAB_DIR/client/log.%m
	EOF
	printf '%s\n%s\n' "$LAB_SMB_PASS" "$LAB_SMB_PASS" |
		smbpasswd -c "$LAB_SMB_CONF" -s -a root >"$d/log/smbpasswd.out" 2>&1
}

lab_services_up() {
	local d=$LAB_DIR
	lab_bg server "$d/smbd.out" smbd -F --no-process-group --debug-stdout -s "$LAB_SMB_CONF"
	LAB_SMBD_PID=$LAB_LAST_PID
	# RPC endpoint-mapper stand-in on 135, "C2" on 443, benign web on 80.
	lab_bg server "$d/listener.out" /usr/bin/python3 "$LAB_ROOT/scripts/lab-listener.py" \
		"tcp,0.0.0.0,$LAB_RPC_PORT" "tcp,::,$LAB_RPC_PORT" \
		"tcp,$LAB_C2_IP4,$LAB_C2_PORT" "tcp,$LAB_C2_IP6,$LAB_C2_PORT" \
		"tcp,0.0.0.0,80" "tcp,::,80" "udp,0.0.0.0,135" "udp,0.0.0.0,53"
	LAB_LISTENER_PID=$LAB_LAST_PID
	lab_save_state
	lab_wait_listen server 445 && lab_wait_listen server 139 &&
		lab_wait_listen server "$LAB_RPC_PORT" &&
		lab_wait_listen server "$LAB_C2_PORT" "$LAB_C2_IP4" &&
		lab_wait_listen server "$LAB_C2_PORT" "$LAB_C2_IP6" &&
		lab_wait_listen server 80 || {
		lab_log "services did not come up; smbd said:"
		tail -n 20 "$d/smbd.out" >&2
		return 1
	}
}
