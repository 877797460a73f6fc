#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# lab.sh: a two-namespace lab for xdphunt: a client, a server running a real
# Samba smbd, an MS-RPC listener on 135 and a "C2" listener, over one veth pair.
#
# Sourced (tests, demo):            . scripts/lab.sh; lab_up; ...; lab_down
# As a command (by hand):           scripts/lab.sh up      # prints the lab prefix
#                                   scripts/lab.sh exec [PFX] client|server CMD...
#                                   scripts/lab.sh down [PFX]
#
#   ns ${PFX}-client                               ns ${PFX}-server
#   ${PFX}c 192.0.2.10/24  <---- veth ---->  ${PFX}s 192.0.2.20/24   <- xdphunt attaches here
#           2001:db8:1::10/64                        2001:db8:1::20/64  (native XDP, ingress:
#   lo      198.51.100.99/32 (extra client,  lo      203.0.113.66/32     sees every packet the
#           "IoC source" tests)                      2001:db8:c2::66/128 client sends, SYNs
#   routes: 203.0.113.66, 2001:db8:c2::/48           ("C2", :443)        included)
#           via the server                   route:  198.51.100.99 via the client
#
# xdphunt attaches on the server-side veth, inside the server namespace: its
# XDP hook sees the packets that arrive at the server, i.e. everything a client
# sends, including the SYN that tells who initiated a flow. Replies leave by
# the same veth (TX) and are not seen, which a one-direction sensor does not need.
#
# LAB_MTU=N (set before lab_up; direct lab) gives the veth pair that MTU, e.g.
# 9000 for the jumbo frames of a storage network (selftests/e2e/test_jumbo.sh).
#
# LAB_SMB_STREAMS=1 (set before lab_up) gives the server's ADMIN$ NTFS-style
# alternate data streams (Samba's streams_xattr, in user.* extended
# attributes), so a client can write notes.txt:payload.exe there
# (selftests/e2e/test_smb_lab.sh). Without it smbd answers a stream name
# with NT_STATUS_OBJECT_NAME_INVALID.
#
# LAB_TOPO=gateway (set before lab_init) builds instead the routed lab of the
# SMB test (selftests/e2e/test_smb_lab.sh): attacker -- gateway -- victim.
#
#   ns ${PFX}-client          ns ${PFX}-gw (forwards)               ns ${PFX}-server
#   ${PFX}c 192.0.2.10/25 <-> ${PFX}gc 192.0.2.1/25   ${PFX}gs 192.0.2.129/25 <-> ${PFX}s 192.0.2.200/25
#           2001:db8:1::10/64      2001:db8:1::1/64        2001:db8:2::1/64      2001:db8:2::20/64
#   default routes via the gateway; xdphunt attaches on both gateway
#   interfaces (ingress of each: every packet of a flow is seen once, in
#   both directions). Only smbd runs on the victim (no 135/C2 listeners).
#
# LAB_TOPO=hunt builds the coverage lab (scripts/coverage.sh) of scripts/lab-hunt.sh:
# five neighbours around a forwarding gateway with xdphunt on all its interfaces.
#
# Every name starts with a per-run prefix (xh<PID>), so parallel runs do not
# clash. lab_down removes what lab_up made: processes (by PID), namespaces, the
# temp dir. Sourcing scripts install no trap: call lab_trap (or your own trap
# that calls lab_down), as the command form does while it builds the lab.

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The hunt topology's domain controller is lab-dc.sh's (provisioning, start).
# shellcheck source=lab-dc.sh
. "$LAB_ROOT/scripts/lab-dc.sh"
# The coverage lab (LAB_TOPO=hunt): lab_hunt_init, lab_hunt_up and helpers.
# shellcheck source=lab-hunt.sh
. "$LAB_ROOT/scripts/lab-hunt.sh"
# Samba's configuration and the services of the server (lab_services_up).
# shellcheck source=lab-services.sh
. "$LAB_ROOT/scripts/lab-services.sh"
# shellcheck source=wait_ready.sh
. "$LAB_ROOT/scripts/wait_ready.sh"

LAB_CLIENT_IP4=192.0.2.10
LAB_SERVER_IP4=192.0.2.20
LAB_CLIENT_IP6=2001:db8:1::10
LAB_SERVER_IP6=2001:db8:1::20
LAB_C2_IP4=203.0.113.66
LAB_C2_IP6=2001:db8:c2::66
LAB_C2_NET6=2001:db8:c2::/48
LAB_CLIENT_EXTRA_IP4=198.51.100.99
LAB_C2_PORT=443
LAB_RPC_PORT=135
LAB_SMB_USER=hunter
LAB_SMB_PASS='Xh-lab-pass1'
LAB_WAIT_S=${LAB_WAIT_S:-20}	# bound of every wait loop, in seconds

lab_log() { echo "lab: $*" >&2; }

# lab_init [PFX]: name everything for this run.
lab_init() {
	LAB_PFX=${1:-xh$$}
	LAB_TOPO=${LAB_TOPO:-direct}
	LAB_NS_CLIENT=$LAB_PFX-client
	LAB_NS_SERVER=$LAB_PFX-server
	LAB_NS_GW=$LAB_PFX-gw
	LAB_IF_GW_C=${LAB_PFX}gc
	LAB_IF_GW_S=${LAB_PFX}gs
	if [ "$LAB_TOPO" = gateway ]; then
		LAB_SERVER_IP4=192.0.2.200
		LAB_SERVER_IP6=2001:db8:2::20
		LAB_GW_C_IP4=192.0.2.1
		LAB_GW_S_IP4=192.0.2.129
		LAB_GW_C_IP6=2001:db8:1::1
		LAB_GW_S_IP6=2001:db8:2::1
	fi
	LAB_IF_CLIENT=${LAB_PFX}c
	LAB_IF_SERVER=${LAB_PFX}s
	LAB_DIR=${TMPDIR:-/tmp}/$LAB_PFX.lab
	LAB_STATE=$LAB_DIR/state.env
	LAB_SMB_CONF=$LAB_DIR/samba/smb.conf
	LAB_CLIENT_CONF=$LAB_DIR/client/smb.conf
	LAB_PIDS=()
	[ "$LAB_TOPO" != hunt ] || lab_hunt_init
}

lab_ns() {
	case "$1" in
	client) echo "$LAB_NS_CLIENT" ;;
	server) echo "$LAB_NS_SERVER" ;;
	gw) echo "$LAB_NS_GW" ;;
	dc | ws | inet) echo "$LAB_PFX-$1" ;;
	*) lab_log "unknown side '$1' (client|server|gw|dc|ws|inet)"; return 2 ;;
	esac
}

# lab_exec client|server CMD...: run CMD in that namespace.
lab_exec() {
	local ns
	ns=$(lab_ns "$1") || return 2
	shift
	ip netns exec "$ns" "$@"
}

# lab_bg client|server LOGFILE CMD...: start CMD in the background in that
# namespace, in a session of its own: smbd, for one, signals its whole process
# group when it stops, which must not be ours. Its PID (ip netns exec and
# setsid exec CMD, so the same process) is recorded for lab_down and left in
# LAB_LAST_PID.
lab_bg() {
	local ns log=$2
	ns=$(lab_ns "$1") || return 2
	shift 2
	ip netns exec "$ns" setsid "$@" </dev/null >"$log" 2>&1 &
	LAB_LAST_PID=$!
	LAB_PIDS+=("$LAB_LAST_PID")
	lab_save_state
}

# lab_stop_pid PID [SIG]: signal one process we started, wait (bounded) for it,
# SIGKILL it when it outlives the bound. Returns its exit status when it is our
# child, else 0.
lab_stop_pid() {
	local pid=$1 sig=${2:-TERM} i rc=0
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return $?; }
	kill -s "$sig" "$pid" 2>/dev/null
	for ((i = 0; i < LAB_WAIT_S * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		# a zombie child counts as gone
		[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then
		lab_log "pid $pid ignored SIG$sig for ${LAB_WAIT_S}s, sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null || rc=$?
	return $rc
}

# lab_wait_capture ERRFILE: wait (bounded) until the tcpdump whose stderr goes
# to ERRFILE says it is listening, so that it sees the traffic that follows.
lab_wait_capture() {
	local i
	for ((i = 0; i < LAB_WAIT_S * 10; i++)); do
		grep -q 'listening on' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	lab_log "tcpdump (stderr $1) not listening after ${LAB_WAIT_S}s"
	return 1
}

# lab_pe_image FILE: write a 2 KiB PE image to FILE, for tools written under a
# harmless name: "MZ", e_lfanew 0x80, "PE\0\0" and an x86-64 machine there,
# the rest random (made here: the lab has no Windows binaries).
lab_pe_image() {
	{
		printf 'MZ'
		head -c 58 /dev/zero
		printf '\x80\x00\x00\x00'
		head -c 64 /dev/zero
		printf 'PE\x00\x00\x64\x86'
		head -c 1914 /dev/urandom
	} >"$1"
}

# lab_wait_listen client|server PORT [ADDR]: wait (bounded) until a TCP socket
# listens on PORT (and ADDR when given) in that namespace.
lab_wait_listen() {
	local side=$1 port=$2 addr=${3:-} i
	for ((i = 0; i < LAB_WAIT_S * 10; i++)); do
		if lab_exec "$side" ss -Htln "sport = :$port" 2>/dev/null |
			awk -v a="$addr" 'a == "" || index($4, a) { f = 1 } END { exit !f }'; then
			return 0
		fi
		sleep 0.1
	done
	lab_log "nothing listens on ${addr:+$addr:}$port in $side after ${LAB_WAIT_S}s"
	return 1
}

lab_save_state() {
	[ -d "$LAB_DIR" ] || return 0
	{
		printf 'LAB_PFX=%q\n' "$LAB_PFX"
		printf 'LAB_PIDS=(%s)\n' "${LAB_PIDS[*]}"
		printf 'LAB_SMBD_PID=%q\n' "${LAB_SMBD_PID:-}"
		printf 'LAB_TOPO=%q\n' "${LAB_TOPO:-direct}"
	} >"$LAB_STATE"
}

# lab_mac IFNAME NS: the MAC of an interface in a namespace.
lab_mac() { ip netns exec "$2" cat "/sys/class/net/$1/address"; }

lab_offloads_off() {
	local ns=$1 dev=$2
	if command -v ethtool >/dev/null; then
		# VLAN tags stay in the frame (no tag in skb metadata), no GRO/TSO
		# super-packets: XDP and tcpdump see what is on the wire.
		ip netns exec "$ns" ethtool -K "$dev" rxvlan off txvlan off \
			tx-vlan-stag-hw-insert off rx-vlan-stag-hw-parse off \
			gro off gso off tso off >/dev/null 2>&1 ||
			lab_log "ethtool -K $dev: some offloads could not be changed"
	else
		# iproute2 cannot toggle offloads. The lab carries no VLAN tags, and
		# native XDP on veth sees frames before GRO, so this only matters
		# for tcpdump views. `make deps` installs ethtool.
		LAB_NO_ETHTOOL=1
	fi
}

lab_net_up() {
	local c=$LAB_NS_CLIENT s=$LAB_NS_SERVER ns mc ms
	ip netns add "$c" && ip netns add "$s" || return 1
	for ns in "$c" "$s"; do
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.router_solicitations=0 \
			net.ipv6.conf.default.router_solicitations=0 >/dev/null
	done
	ip link add "$LAB_IF_CLIENT" netns "$c" type veth peer name "$LAB_IF_SERVER" netns "$s" ||
		return 1
	if [ -n "${LAB_MTU:-}" ]; then
		ip -n "$c" link set dev "$LAB_IF_CLIENT" mtu "$LAB_MTU" &&
			ip -n "$s" link set dev "$LAB_IF_SERVER" mtu "$LAB_MTU" || return 1
	fi
	lab_offloads_off "$c" "$LAB_IF_CLIENT"
	lab_offloads_off "$s" "$LAB_IF_SERVER"

	ip -n "$c" addr add "$LAB_CLIENT_IP4/24" dev "$LAB_IF_CLIENT"
	ip -n "$c" addr add "$LAB_CLIENT_IP6/64" dev "$LAB_IF_CLIENT" nodad
	ip -n "$c" addr add "$LAB_CLIENT_EXTRA_IP4/32" dev lo
	ip -n "$s" addr add "$LAB_SERVER_IP4/24" dev "$LAB_IF_SERVER"
	ip -n "$s" addr add "$LAB_SERVER_IP6/64" dev "$LAB_IF_SERVER" nodad
	ip -n "$s" addr add "$LAB_C2_IP4/32" dev lo
	ip -n "$s" addr add "$LAB_C2_IP6/128" dev lo nodad
	ip -n "$c" link set "$LAB_IF_CLIENT" up
	ip -n "$s" link set "$LAB_IF_SERVER" up

	ip -n "$c" route add "$LAB_C2_IP4/32" via "$LAB_SERVER_IP4"
	ip -n "$c" -6 route add "$LAB_C2_NET6" via "$LAB_SERVER_IP6"
	ip -n "$s" route add "$LAB_CLIENT_EXTRA_IP4/32" via "$LAB_CLIENT_IP4"

	# Permanent neighbours: no ARP/ND on the wire, no first-packet delay.
	mc=$(lab_mac "$LAB_IF_CLIENT" "$c") && ms=$(lab_mac "$LAB_IF_SERVER" "$s") || return 1
	ip -n "$c" neigh replace "$LAB_SERVER_IP4" lladdr "$ms" dev "$LAB_IF_CLIENT" nud permanent
	ip -n "$c" neigh replace "$LAB_SERVER_IP6" lladdr "$ms" dev "$LAB_IF_CLIENT" nud permanent
	ip -n "$s" neigh replace "$LAB_CLIENT_IP4" lladdr "$mc" dev "$LAB_IF_SERVER" nud permanent
	ip -n "$s" neigh replace "$LAB_CLIENT_IP6" lladdr "$mc" dev "$LAB_IF_SERVER" nud permanent
}

# The routed lab (LAB_TOPO=gateway): client -- gw -- server.
lab_gw_net_up() {
	local c=$LAB_NS_CLIENT g=$LAB_NS_GW s=$LAB_NS_SERVER ns mc ms mgc mgs
	ip netns add "$c" && ip netns add "$g" && ip netns add "$s" || return 1
	for ns in "$c" "$g" "$s"; do
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.router_solicitations=0 \
			net.ipv6.conf.default.router_solicitations=0 >/dev/null
	done
	ip netns exec "$g" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null
	ip link add "$LAB_IF_CLIENT" netns "$c" type veth peer name "$LAB_IF_GW_C" netns "$g" &&
		ip link add "$LAB_IF_GW_S" netns "$g" type veth peer name "$LAB_IF_SERVER" netns "$s" ||
		return 1
	lab_offloads_off "$c" "$LAB_IF_CLIENT"
	lab_offloads_off "$g" "$LAB_IF_GW_C"
	lab_offloads_off "$g" "$LAB_IF_GW_S"
	lab_offloads_off "$s" "$LAB_IF_SERVER"
	ip -n "$c" addr add "$LAB_CLIENT_IP4/25" dev "$LAB_IF_CLIENT"
	ip -n "$c" addr add "$LAB_CLIENT_IP6/64" dev "$LAB_IF_CLIENT" nodad
	ip -n "$g" addr add "$LAB_GW_C_IP4/25" dev "$LAB_IF_GW_C"
	ip -n "$g" addr add "$LAB_GW_C_IP6/64" dev "$LAB_IF_GW_C" nodad
	ip -n "$g" addr add "$LAB_GW_S_IP4/25" dev "$LAB_IF_GW_S"
	ip -n "$g" addr add "$LAB_GW_S_IP6/64" dev "$LAB_IF_GW_S" nodad
	ip -n "$s" addr add "$LAB_SERVER_IP4/25" dev "$LAB_IF_SERVER"
	ip -n "$s" addr add "$LAB_SERVER_IP6/64" dev "$LAB_IF_SERVER" nodad
	for ns in "$c:$LAB_IF_CLIENT" "$g:$LAB_IF_GW_C" "$g:$LAB_IF_GW_S" "$s:$LAB_IF_SERVER"; do
		ip -n "${ns%%:*}" link set "${ns#*:}" up
	done
	ip -n "$c" route add default via "$LAB_GW_C_IP4"
	ip -n "$c" -6 route add default via "$LAB_GW_C_IP6"
	ip -n "$s" route add default via "$LAB_GW_S_IP4"
	ip -n "$s" -6 route add default via "$LAB_GW_S_IP6"
	mc=$(lab_mac "$LAB_IF_CLIENT" "$c") && ms=$(lab_mac "$LAB_IF_SERVER" "$s") &&
		mgc=$(lab_mac "$LAB_IF_GW_C" "$g") && mgs=$(lab_mac "$LAB_IF_GW_S" "$g") || return 1
	ip -n "$c" neigh replace "$LAB_GW_C_IP4" lladdr "$mgc" dev "$LAB_IF_CLIENT" nud permanent
	ip -n "$c" neigh replace "$LAB_GW_C_IP6" lladdr "$mgc" dev "$LAB_IF_CLIENT" nud permanent
	ip -n "$g" neigh replace "$LAB_CLIENT_IP4" lladdr "$mc" dev "$LAB_IF_GW_C" nud permanent
	ip -n "$g" neigh replace "$LAB_CLIENT_IP6" lladdr "$mc" dev "$LAB_IF_GW_C" nud permanent
	ip -n "$g" neigh replace "$LAB_SERVER_IP4" lladdr "$ms" dev "$LAB_IF_GW_S" nud permanent
	ip -n "$g" neigh replace "$LAB_SERVER_IP6" lladdr "$ms" dev "$LAB_IF_GW_S" nud permanent
	ip -n "$s" neigh replace "$LAB_GW_S_IP4" lladdr "$mgs" dev "$LAB_IF_SERVER" nud permanent
	ip -n "$s" neigh replace "$LAB_GW_S_IP6" lladdr "$mgs" dev "$LAB_IF_SERVER" nud permanent
}

# lab_up [PFX]: build the whole lab. Returns non-zero (having cleaned up
# nothing: call lab_down) when a step fails.
lab_up() {
	local cmd
	[ "$(id -u)" -eq 0 ] || { lab_log "needs root"; return 1; }
	for cmd in ip smbd smbpasswd ss /usr/bin/python3; do
		command -v "$cmd" >/dev/null || { lab_log "missing $cmd (make deps)"; return 1; }
	done
	[ -n "${LAB_PFX:-}" ] || lab_init "$@"
	mkdir -p "$LAB_DIR" || return 1
	LAB_UP=1
	lab_save_state
	if [ "${LAB_TOPO:-direct}" = hunt ]; then
		lab_hunt_up || return 1
	elif [ "${LAB_TOPO:-direct}" = gateway ]; then
		lab_gw_net_up || { lab_log "network setup failed"; return 1; }
		lab_smb_conf || { lab_log "samba setup failed"; return 1; }
		lab_bg server "$LAB_DIR/smbd.out" smbd -F --no-process-group --debug-stdout -s "$LAB_SMB_CONF"
		LAB_SMBD_PID=$LAB_LAST_PID
		lab_save_state
		lab_wait_listen server 445 && lab_wait_listen server 139 || {
			lab_log "smbd did not come up:"
			tail -n 20 "$LAB_DIR/smbd.out" >&2
			return 1
		}
	else
		lab_net_up || { lab_log "network setup failed"; return 1; }
		lab_smb_conf || { lab_log "samba setup failed"; return 1; }
		lab_services_up || return 1
	fi
	lab_exec client ping -c1 -W2 "$LAB_SERVER_IP4" >/dev/null &&
		lab_exec client ping -c1 -W2 "$LAB_SERVER_IP6" >/dev/null || {
		lab_log "client cannot reach the server"
		return 1
	}
	lab_log "up: prefix $LAB_PFX, XDP interface $LAB_IF_SERVER in netns $LAB_NS_SERVER, files in $LAB_DIR"
}

# lab_down: stop every process we started (by PID), then whatever else still
# runs inside our own namespaces (smbd's children), delete them and the temp dir.
lab_down() {
	local pid ns pids i
	[ -n "${LAB_PFX:-}" ] || return 0
	for ((i = ${#LAB_PIDS[@]} - 1; i >= 0; i--)); do
		lab_stop_pid "${LAB_PIDS[i]}" TERM 2>/dev/null
	done
	for ns in "$LAB_NS_CLIENT" "$LAB_NS_GW" "$LAB_NS_SERVER" "$LAB_PFX-dc" "$LAB_PFX-ws" \
		"$LAB_PFX-inet"; do
		rm -rf "/etc/netns/$ns"
		[ -e "/run/netns/$ns" ] || continue
		# Only processes inside this run's private namespaces: all ours.
		pids=$(ip netns pids "$ns" 2>/dev/null)
		for pid in $pids; do kill -TERM "$pid" 2>/dev/null; done
		for ((i = 0; i < LAB_WAIT_S * 10; i++)); do
			[ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
			sleep 0.1
		done
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			lab_log "pid $pid still in $ns: SIGKILL"
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "${LAB_DIR:-}" ] && [ -d "$LAB_DIR" ] && case "$LAB_DIR" in
	*/"$LAB_PFX".lab) rm -rf -- "$LAB_DIR" ;;
	esac
	LAB_PIDS=()
	LAB_UP=
	LAB_PFX=
}

# lab_trap: tear the lab down on exit and on SIGINT/SIGTERM/SIGHUP.
lab_trap() {
	trap 'lab_down' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# Command form ------------------------------------------------------------
lab_find() {
	local want=${1:-} dirs
	if [ -n "$want" ]; then
		lab_init "$want"
	else
		dirs=("${TMPDIR:-/tmp}"/xh*.lab)
		[ "${#dirs[@]}" -eq 1 ] && [ -d "${dirs[0]}" ] || {
			lab_log "give the lab prefix (labs: $(ls -d "${TMPDIR:-/tmp}"/xh*.lab 2>/dev/null | xargs -rn1 basename | sed 's/\.lab$//' | tr '\n' ' '))"
			return 2
		}
		lab_init "$(basename "${dirs[0]}" .lab)"
	fi
	[ -f "$LAB_STATE" ] || { lab_log "no lab $LAB_PFX"; return 1; }
	# shellcheck disable=SC1090
	. "$LAB_STATE"
	[ "$LAB_TOPO" = hunt ] && lab_hunt_init
	return 0
}

lab_main() {
	local sub=${1:-}
	shift || true
	case "$sub" in
	up)
		lab_init "$@"
		trap 'lab_down' EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM
		lab_up || exit 1
		trap - EXIT INT TERM
		echo "$LAB_PFX"
		lab_log "client: scripts/lab.sh exec $LAB_PFX client CMD...; server: ... server CMD...; xdphunt: -i $LAB_IF_SERVER (server)"
		lab_log "smbclient -s $LAB_CLIENT_CONF -U '$LAB_SMB_USER%$LAB_SMB_PASS' -L $LAB_SERVER_IP4"
		;;
	down)
		lab_find "$@" || exit $?
		lab_down
		;;
	exec)
		case "${1:-}" in
		client | server | gw | dc | ws | inet) lab_find || exit $? ;;
		*) lab_find "${1:-}" || exit $?; shift ;;
		esac
		lab_exec "$@"
		;;
	*)
		echo "usage: $0 up [PFX] | down [PFX] | exec [PFX] client|server CMD..." >&2
		exit 2
		;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	lab_main "$@"
fi
