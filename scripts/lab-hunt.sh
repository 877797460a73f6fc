#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# lab-hunt.sh: the LAB_TOPO=hunt topology of scripts/lab.sh, which sources it.
#
# LAB_TOPO=hunt builds the coverage lab (scripts/coverage.sh): a forwarding
# gateway with one veth per neighbour, xdphunt on all five of its interfaces.
#
#   ${PFX}-client attacker  192.0.2.10/26 (+ .11-.62 per scenario), 2001:db8:1::10/64
#   ${PFX}-ws     benign workstation 192.0.2.70/26 (+ .71-.126), 2001:db8:3::70/64
#   ${PFX}-server Samba file server 192.0.2.200/26, 2001:db8:2::20/64
#   ${PFX}-dc     Samba AD DC 198.51.100.20/25 (scripts/lab-dc.sh; LAB_HUNT_DC=0: none)
#   ${PFX}-inet   "internet" 203.0.113.2/26 + services on lo: benign web .80 and
#                 2001:db8:80::80, DNS resolver .83 (answers every A/AAAA), C2 .66
#                 and 2001:db8:c2::66 (HTTP 80, HTTPS 443 and 7443, any SNI), UDP C2 .67:4444
#   ${PFX}-gw     gateway: ${PFX}gc ${PFX}gw ${PFX}gs ${PFX}gd ${PFX}gi (.1/.65/.193/
#                 198.51.100.1/203.0.113.1); 198.51.100.128/25 is unreachable (sweeps)
#
# Not run on its own: lab_init / lab_up / lab_down in lab.sh call these.

lab_hunt_init() {
	LAB_CLIENT_IP4=192.0.2.10
	LAB_CLIENT_IP6=2001:db8:1::10
	LAB_WS_IP4=192.0.2.70
	LAB_WS_IP6=2001:db8:3::70
	LAB_SERVER_IP4=192.0.2.200
	LAB_SERVER_IP6=2001:db8:2::20
	LAB_DC_IP4=198.51.100.20
	LAB_INET_IP4=203.0.113.2
	LAB_INET_IP6=2001:db8:ff::2
	LAB_WEB_IP4=203.0.113.80
	LAB_WEB_IP6=2001:db8:80::80
	LAB_DNS_IP4=203.0.113.83
	LAB_C2_IP4=203.0.113.66
	LAB_C2_IP6=2001:db8:c2::66
	LAB_C2_UDP_IP4=203.0.113.67
	LAB_C2_UDP_PORT=4444
	LAB_SWEEP_NET4=198.51.100.128/25
	LAB_NS_DC=$LAB_PFX-dc
	LAB_NS_WS=$LAB_PFX-ws
	LAB_NS_INET=$LAB_PFX-inet
	# gateway side of each link, in the order xdphunt is given them
	LAB_HUNT_GW_IFS=("${LAB_PFX}gc" "${LAB_PFX}gw" "${LAB_PFX}gs" "${LAB_PFX}gd" "${LAB_PFX}gi")
	LAB_IF_WS=${LAB_PFX}w
	# lab-dc.sh's DC, in this lab's namespace and directory
	DCLAB_PFX=$LAB_PFX
	DCLAB_NS_DC=$LAB_NS_DC
	DCLAB_IF_DC=${LAB_PFX}d
	DCLAB_DC_IP=$LAB_DC_IP4
	DCLAB_DIR=$LAB_DIR/dc
}

# lab_hunt_link NS IF GWIF IP4/LEN GW4 [IP6/LEN GW6]: a veth from the gateway
# to NS, addresses, default routes via the gateway, permanent neighbours.
lab_hunt_link() {
	local ns=$1 dev=$2 gdev=$3 a4=$4 g4=$5 a6=${6:-} g6=${7:-} g=$LAB_NS_GW m mg len
	ip link add "$dev" netns "$ns" type veth peer name "$gdev" netns "$g" || return 1
	lab_offloads_off "$ns" "$dev"
	lab_offloads_off "$g" "$gdev"
	len=${a4#*/}
	ip -n "$ns" addr add "$a4" dev "$dev"
	ip -n "$g" addr add "$g4/$len" dev "$gdev"
	if [ -n "$a6" ]; then
		ip -n "$ns" addr add "$a6" dev "$dev" nodad
		ip -n "$g" addr add "$g6/${a6#*/}" dev "$gdev" nodad
	fi
	ip -n "$ns" link set "$dev" up && ip -n "$g" link set "$gdev" up || return 1
	ip -n "$ns" route add default via "$g4"
	[ -n "$a6" ] && ip -n "$ns" -6 route add default via "$g6"
	m=$(lab_mac "$dev" "$ns") && mg=$(lab_mac "$gdev" "$g") || return 1
	ip -n "$ns" neigh replace "$g4" lladdr "$mg" dev "$dev" nud permanent
	ip -n "$g" neigh replace "${a4%/*}" lladdr "$m" dev "$gdev" nud permanent
	if [ -n "$a6" ]; then
		ip -n "$ns" neigh replace "$g6" lladdr "$mg" dev "$dev" nud permanent
		ip -n "$g" neigh replace "${a6%/*}" lladdr "$m" dev "$gdev" nud permanent
	fi
}

lab_hunt_net_up() {
	local ns g=$LAB_NS_GW i m
	for ns in "$LAB_NS_CLIENT" "$g" "$LAB_NS_SERVER" "$LAB_NS_DC" "$LAB_NS_WS" "$LAB_NS_INET"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.router_solicitations=0 \
			net.ipv6.conf.default.router_solicitations=0 >/dev/null
		# name resolution inside the lab: the DC's realm, the file server
		mkdir -p "/etc/netns/$ns" || return 1
		printf '127.0.0.1 localhost\n%s dc1.%s dc1\n%s xhsrv\n' "$LAB_DC_IP4" \
			"${DCLAB_REALM,,}" "$LAB_SERVER_IP4" >"/etc/netns/$ns/hosts"
		printf 'nameserver %s\n' "$LAB_DNS_IP4" >"/etc/netns/$ns/resolv.conf"
	done
	ip netns exec "$g" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null
	lab_hunt_link "$LAB_NS_CLIENT" "$LAB_IF_CLIENT" "${LAB_PFX}gc" "$LAB_CLIENT_IP4/26" 192.0.2.1 \
		"$LAB_CLIENT_IP6/64" 2001:db8:1::1 &&
		lab_hunt_link "$LAB_NS_WS" "$LAB_IF_WS" "${LAB_PFX}gw" "$LAB_WS_IP4/26" 192.0.2.65 \
			"$LAB_WS_IP6/64" 2001:db8:3::1 &&
		lab_hunt_link "$LAB_NS_SERVER" "$LAB_IF_SERVER" "${LAB_PFX}gs" "$LAB_SERVER_IP4/26" \
			192.0.2.193 "$LAB_SERVER_IP6/64" 2001:db8:2::1 &&
		lab_hunt_link "$LAB_NS_DC" "$DCLAB_IF_DC" "${LAB_PFX}gd" "$LAB_DC_IP4/25" 198.51.100.1 &&
		lab_hunt_link "$LAB_NS_INET" "${LAB_PFX}i" "${LAB_PFX}gi" "$LAB_INET_IP4/26" 203.0.113.1 \
			"$LAB_INET_IP6/64" 2001:db8:ff::1 || return 1
	# Per-scenario source addresses (scripts/coverage.sh attributes hits and
	# packets to a scenario by them), neighbours on the gateway for each.
	m=$(lab_mac "$LAB_IF_CLIENT" "$LAB_NS_CLIENT") || return 1
	for ((i = 11; i <= 62; i++)); do
		ip -n "$LAB_NS_CLIENT" addr add "192.0.2.$i/26" dev "$LAB_IF_CLIENT"
		ip -n "$LAB_NS_CLIENT" addr add "2001:db8:1::$i/64" dev "$LAB_IF_CLIENT" nodad
		ip -n "$g" neigh replace "192.0.2.$i" lladdr "$m" dev "${LAB_PFX}gc" nud permanent
		ip -n "$g" neigh replace "2001:db8:1::$i" lladdr "$m" dev "${LAB_PFX}gc" nud permanent
	done
	m=$(lab_mac "$LAB_IF_WS" "$LAB_NS_WS") || return 1
	for ((i = 71; i <= 90; i++)); do
		ip -n "$LAB_NS_WS" addr add "192.0.2.$i/26" dev "$LAB_IF_WS"
		ip -n "$LAB_NS_WS" addr add "2001:db8:3::$i/64" dev "$LAB_IF_WS" nodad
		ip -n "$g" neigh replace "192.0.2.$i" lladdr "$m" dev "${LAB_PFX}gw" nud permanent
		ip -n "$g" neigh replace "2001:db8:3::$i" lladdr "$m" dev "${LAB_PFX}gw" nud permanent
	done
	for a in "$LAB_WEB_IP4/32" "$LAB_DNS_IP4/32" "$LAB_C2_IP4/32" "$LAB_C2_UDP_IP4/32"; do
		ip -n "$LAB_NS_INET" addr add "$a" dev lo
	done
	ip -n "$LAB_NS_INET" addr add "$LAB_WEB_IP6/128" dev lo nodad
	ip -n "$LAB_NS_INET" addr add "$LAB_C2_IP6/128" dev lo nodad
	ip -n "$g" route add 203.0.113.64/26 via "$LAB_INET_IP4"
	ip -n "$g" -6 route add 2001:db8:80::/48 via "$LAB_INET_IP6"
	ip -n "$g" -6 route add 2001:db8:c2::/48 via "$LAB_INET_IP6"
	# Sweep targets that do not exist: the gateway answers ICMP unreachable,
	# so a port scan ends fast (its SYNs still cross the gateway's XDP hook).
	ip -n "$g" route add unreachable "$LAB_SWEEP_NET4"
}

lab_hunt_tls_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=lab.example" \
		-keyout "$LAB_DIR/inet/key.pem" -out "$LAB_DIR/inet/cert.pem" \
		>"$LAB_DIR/inet/openssl.out" 2>&1
}

lab_hunt_up() {
	local p
	mkdir -p "$LAB_DIR/inet" || return 1
	lab_hunt_net_up || { lab_log "hunt network setup failed"; return 1; }
	lab_smb_conf || { lab_log "samba setup failed"; return 1; }
	lab_bg server "$LAB_DIR/smbd.out" smbd -F --no-process-group --debug-stdout -s "$LAB_SMB_CONF"
	LAB_SMBD_PID=$LAB_LAST_PID
	lab_hunt_tls_cert || { lab_log "openssl failed: $(tail -n 2 "$LAB_DIR/inet/openssl.out")"; return 1; }
	lab_bg inet "$LAB_DIR/inet/services.out" /usr/bin/python3 "$LAB_ROOT/scripts/lab-inet.py" \
		--cert "$LAB_DIR/inet/cert.pem" --key "$LAB_DIR/inet/key.pem" \
		--web "$LAB_WEB_IP4" --web "$LAB_WEB_IP6" --c2 "$LAB_C2_IP4" --c2 "$LAB_C2_IP6" \
		--dns "$LAB_DNS_IP4" --udp "$LAB_C2_UDP_IP4:$LAB_C2_UDP_PORT"
	LAB_INET_PID=$LAB_LAST_PID
	lab_save_state
	# SSH: on the file server's own port for its admins, and on an internet
	# host's 2222, a port not its own (make coverage's ssh scenarios).
	dropbearkey -t ed25519 -f "$LAB_DIR/ssh_hostkey" >"$LAB_DIR/dropbearkey.out" 2>&1 || {
		lab_log "dropbearkey failed: $(tail -n 2 "$LAB_DIR/dropbearkey.out")"
		return 1
	}
	lab_bg server "$LAB_DIR/dropbear.out" dropbear -F -E -s -r "$LAB_DIR/ssh_hostkey" -p 22
	lab_bg inet "$LAB_DIR/inet/dropbear.out" dropbear -F -E -s -r "$LAB_DIR/ssh_hostkey" \
		-p "$LAB_WEB_IP4:2222" -p "[$LAB_WEB_IP6]:2222"
	if [ "${LAB_HUNT_DC:-1}" = 1 ]; then
		mkdir -p "$DCLAB_DIR" && dclab_provision || return 1
		dclab_start || return 1
		LAB_PIDS+=("$DCLAB_SAMBA_PID")
		lab_save_state
	fi
	lab_wait_listen server 445 && lab_wait_listen server 139 || {
		lab_log "smbd did not come up:"
		tail -n 20 "$LAB_DIR/smbd.out" >&2
		return 1
	}
	lab_wait_listen server 22 && lab_wait_listen inet 2222 "$LAB_WEB_IP4" || {
		lab_log "dropbear did not come up: $(tail -n 3 "$LAB_DIR/dropbear.out" "$LAB_DIR/inet/dropbear.out")"
		return 1
	}
	for p in 80 443 7443; do
		lab_wait_listen inet "$p" "$LAB_C2_IP4" || {
			lab_log "internet services did not come up:"
			tail -n 20 "$LAB_DIR/inet/services.out" >&2
			return 1
		}
	done
	lab_exec client ping -c1 -W2 "$LAB_WEB_IP4" >/dev/null &&
		lab_exec client ping -c1 -W2 "$LAB_WEB_IP6" >/dev/null &&
		lab_exec ws ping -c1 -W2 "$LAB_SERVER_IP6" >/dev/null || {
		lab_log "the lab's hosts cannot reach each other through the gateway"
		return 1
	}
}
