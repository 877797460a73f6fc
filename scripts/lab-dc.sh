#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# lab-dc.sh: a Samba Active Directory domain controller in a network namespace
# for DCE/RPC tests: real MS-RPC on 135, on dynamic ports (49152+) and over
# SMB pipes. Three namespaces: a client, a router where xdphunt attaches (it
# sees both directions: requests on one interface, answers such as ept_map on
# the other) and the DC.
#
# Sourced (tests):   . scripts/lab-dc.sh; dclab_up || ...; dclab_exec client CMD; dclab_down
# By hand:           scripts/lab-dc.sh up     (prints the prefix; then dclab_down by hand:
#                    scripts/lab-dc.sh down PFX)
#
#   ${PFX}-cl  ${PFX}c 192.0.2.10/24 --- ${PFX}g1 192.0.2.1 [${PFX}-gw] ${PFX}g2 198.51.100.1
#                                        --- ${PFX}d 198.51.100.20/24  ${PFX}-dc (samba)
#
# Everything is named with a per-run prefix (xd<PID>); provisioning goes to a
# run-local temp dir (nothing is cached); dclab_down stops every process in
# the namespaces it created (Samba leaves helpers that outlive it), removes
# them, their /etc/netns entries and the temp dir.

DCLAB_CLIENT_IP=192.0.2.10
DCLAB_GW1_IP=192.0.2.1
DCLAB_GW2_IP=198.51.100.1
DCLAB_DC_IP=198.51.100.20
DCLAB_REALM=HUNT.TEST
DCLAB_DOMAIN=HUNT
DCLAB_ADMIN=Administrator
DCLAB_PASS='Xh-Dc-lab-Pass1'
DCLAB_START_S=${DCLAB_START_S:-180} # bound of the wait for the DC's ports

dclab_log() { echo "lab-dc: $*" >&2; }

dclab_init() {
	DCLAB_PFX=${1:-xd$$}
	DCLAB_NS_CL=$DCLAB_PFX-cl
	DCLAB_NS_GW=$DCLAB_PFX-gw
	DCLAB_NS_DC=$DCLAB_PFX-dc
	DCLAB_IF_CL=${DCLAB_PFX}c
	DCLAB_IF_G1=${DCLAB_PFX}g1
	DCLAB_IF_G2=${DCLAB_PFX}g2
	DCLAB_IF_DC=${DCLAB_PFX}d
	DCLAB_DIR=${TMPDIR:-/tmp}/$DCLAB_PFX.dclab
}

dclab_ns() {
	case "$1" in
	client) echo "$DCLAB_NS_CL" ;;
	gw) echo "$DCLAB_NS_GW" ;;
	dc) echo "$DCLAB_NS_DC" ;;
	*) dclab_log "unknown side '$1' (client|gw|dc)"; return 2 ;;
	esac
}

# dclab_exec SIDE CMD...: run CMD in that namespace.
dclab_exec() {
	local ns
	ns=$(dclab_ns "$1") || return 2
	shift
	ip netns exec "$ns" "$@"
}

dclab_listening() { # port
	dclab_exec dc ss -Htln "sport = :$1" 2>/dev/null | grep -q .
}

dclab_offloads_off() { # ns dev
	command -v ethtool >/dev/null || return 0
	ip netns exec "$1" ethtool -K "$2" rxvlan off txvlan off gro off gso off tso off \
		>/dev/null 2>&1 || true
}

dclab_net_up() {
	local ns
	for ns in "$DCLAB_NS_CL" "$DCLAB_NS_GW" "$DCLAB_NS_DC"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 >/dev/null
		mkdir -p "/etc/netns/$ns" || return 1
		printf '127.0.0.1 localhost\n%s dc1.%s dc1\n' "$DCLAB_DC_IP" \
			"${DCLAB_REALM,,}" >"/etc/netns/$ns/hosts"
		printf 'nameserver %s\n' "$DCLAB_DC_IP" >"/etc/netns/$ns/resolv.conf"
	done
	ip link add "$DCLAB_IF_CL" netns "$DCLAB_NS_CL" type veth peer name "$DCLAB_IF_G1" \
		netns "$DCLAB_NS_GW" || return 1
	ip link add "$DCLAB_IF_DC" netns "$DCLAB_NS_DC" type veth peer name "$DCLAB_IF_G2" \
		netns "$DCLAB_NS_GW" || return 1
	dclab_offloads_off "$DCLAB_NS_CL" "$DCLAB_IF_CL"
	dclab_offloads_off "$DCLAB_NS_GW" "$DCLAB_IF_G1"
	dclab_offloads_off "$DCLAB_NS_GW" "$DCLAB_IF_G2"
	dclab_offloads_off "$DCLAB_NS_DC" "$DCLAB_IF_DC"
	ip -n "$DCLAB_NS_CL" addr add "$DCLAB_CLIENT_IP/24" dev "$DCLAB_IF_CL"
	ip -n "$DCLAB_NS_GW" addr add "$DCLAB_GW1_IP/24" dev "$DCLAB_IF_G1"
	ip -n "$DCLAB_NS_GW" addr add "$DCLAB_GW2_IP/24" dev "$DCLAB_IF_G2"
	ip -n "$DCLAB_NS_DC" addr add "$DCLAB_DC_IP/24" dev "$DCLAB_IF_DC"
	ip -n "$DCLAB_NS_CL" link set "$DCLAB_IF_CL" up
	ip -n "$DCLAB_NS_GW" link set "$DCLAB_IF_G1" up
	ip -n "$DCLAB_NS_GW" link set "$DCLAB_IF_G2" up
	ip -n "$DCLAB_NS_DC" link set "$DCLAB_IF_DC" up
	ip -n "$DCLAB_NS_CL" route add default via "$DCLAB_GW1_IP"
	ip -n "$DCLAB_NS_DC" route add default via "$DCLAB_GW2_IP"
	ip netns exec "$DCLAB_NS_GW" sysctl -qw net.ipv4.ip_forward=1 >/dev/null
	# XDP in native mode on a veth needs the peer to take its frames in
	# NAPI: an XDP program on each peer (here: none needed for PASS on
	# kernels >= 5.x since veth GRO is enabled by XDP on this end).
}

# dclab_provision: a new domain in the run-local dir (10-35 s here).
dclab_provision() {
	local d=$DCLAB_DIR
	mkdir -p "$d"/{pid,log,ncalrpc} && : >"$d/empty.conf" || return 1
	# samba creates it itself and insists on mode 0750
	dclab_exec dc samba-tool domain provision -s "$d/empty.conf" --targetdir="$d" \
		--realm="$DCLAB_REALM" --domain="$DCLAB_DOMAIN" --server-role=dc \
		--dns-backend=SAMBA_INTERNAL --adminpass="$DCLAB_PASS" --host-ip="$DCLAB_DC_IP" \
		--host-name=dc1 --use-rfc2307 \
		--option="interfaces = lo $DCLAB_IF_DC" --option="bind interfaces only = yes" \
		--option="pid directory = $d/pid" --option="log file = $d/log/log.%m" \
		--option="ncalrpc dir = $d/ncalrpc" \
		--option="ntp signd socket directory = $d/ntp_signd" \
		>"$d/provision.log" 2>&1 || {
		dclab_log "provisioning failed; tail of $d/provision.log:"
		tail -n 20 "$d/provision.log" >&2
		return 1
	}
	# plaintext SMB, so that pipes are visible
	sed -i '/^\[global\]/a\	server smb encrypt = off' "$d/etc/smb.conf"
	# The KDC's own krb5.conf: Heimdal (Samba's KDC) requires
	# pre-authentication unless told not to here, where Windows asks
	# each account (dclab_user_no_preauth).
	{ cat "$d/private/krb5.conf" && printf '\n[kdc]\n\trequire-preauth = false\n'; } \
		>"$d/kdc-krb5.conf" || return 1
}

dclab_start() {
	local d=$DCLAB_DIR i p ok
	mkdir -p /run/samba
	ip netns exec "$DCLAB_NS_DC" setsid env KRB5_CONFIG="$d/kdc-krb5.conf" sh -c \
		'mount -t tmpfs tmpfs /run/samba && exec samba -s "$1" -F --no-process-group' \
		sh "$d/etc/smb.conf" </dev/null >"$d/samba.out" 2>&1 &
	DCLAB_SAMBA_PID=$!
	for ((i = 0; i < DCLAB_START_S * 2; i++)); do
		ok=1
		for p in 135 445 389 49152; do
			dclab_listening "$p" || ok=0
		done
		[ "$ok" = 1 ] && return 0
		kill -0 "$DCLAB_SAMBA_PID" 2>/dev/null || break
		sleep 0.5
	done
	dclab_log "samba did not listen on 135, 445, 389 and 49152 within ${DCLAB_START_S}s"
	tail -n 20 "$d/samba.out" >&2
	return 1
}

dclab_up() {
	dclab_init "${1:-}"
	mkdir -p "$DCLAB_DIR" || return 1
	dclab_net_up || { dclab_log "network setup failed"; return 1; }
	dclab_provision || return 1
	dclab_start || return 1
	dclab_log "up: prefix $DCLAB_PFX, DC $DCLAB_DC_IP (realm $DCLAB_REALM)"
}

# dclab_user_no_preauth NAME PASSWORD: a domain user whose logons need no
# Kerberos pre-authentication (DONT_REQ_PREAUTH, as AS-REP roasting finds
# them), made in the DC's database directly. Heimdal also requires it when
# the ticket's server, krbtgt, does: krbtgt gets the flag too, so that the
# client's account decides, as on Windows (others still need it).
dclab_user_no_preauth() {
	local conf=$DCLAB_DIR/etc/smb.conf
	dclab_exec dc samba-tool user create "$1" "$2" -s "$conf" >/dev/null || return 1
	dclab_exec dc /usr/bin/python3 - "$conf" "$1" <<'PY'
import sys
from samba import dsdb
from samba.auth import system_session
from samba.param import LoadParm
from samba.samdb import SamDB

lp = LoadParm()
lp.load(sys.argv[1])
db = SamDB(url=lp.samdb_url(), session_info=system_session(), lp=lp)
for name in (sys.argv[2], "krbtgt"):
    db.toggle_userAccountFlags("(sAMAccountName=%s)" % name, dsdb.UF_DONT_REQUIRE_PREAUTH,
                               on=True)
PY
}

# dclab_user_spn NAME PASSWORD SPN [ENCTYPES]: a domain user running a
# service (its SPN), as Kerberoasting looks for them. Without ENCTYPES
# (msDS-SupportedEncryptionTypes: 4 RC4, 8 AES128, 16 AES256) the KDC
# issues its tickets in RC4, as Windows does for a user account nobody
# configured.
dclab_user_spn() {
	local conf=$DCLAB_DIR/etc/smb.conf
	dclab_exec dc samba-tool user create "$1" "$2" -s "$conf" >/dev/null || return 1
	dclab_exec dc samba-tool spn add "$3" "$1" -s "$conf" >/dev/null || return 1
	[ -n "${4:-}" ] || return 0
	dclab_exec dc /usr/bin/python3 - "$conf" "$1" "$4" <<'PY'
import sys
import ldb
from samba.auth import system_session
from samba.param import LoadParm
from samba.samdb import SamDB

lp = LoadParm()
lp.load(sys.argv[1])
db = SamDB(url=lp.samdb_url(), session_info=system_session(), lp=lp)
res = db.search(expression="(sAMAccountName=%s)" % sys.argv[2], attrs=["dn"])
m = ldb.Message(res[0].dn)
m["e"] = ldb.MessageElement(sys.argv[3], ldb.FLAG_MOD_REPLACE, "msDS-SupportedEncryptionTypes")
db.modify(m)
PY
}

# dclab_krb5_conf FILE: a krb5.conf for MIT's kinit and kvno in the client,
# TCP only (as the tests' captures are), the DC its KDC.
dclab_krb5_conf() {
	printf '[libdefaults]\n\tdefault_realm = %s\n\tdns_lookup_kdc = false\n' "$DCLAB_REALM" >"$1"
	printf '\tudp_preference_limit = 1\n[realms]\n\t%s = {\n\t\tkdc = %s\n\t}\n' \
		"$DCLAB_REALM" "$DCLAB_DC_IP" >>"$1"
}

# Stop every process in @ns (TERM, then KILL after a bounded wait).
dclab_kill_ns() {
	local ns=$1 i pids
	pids=$(ip netns pids "$ns" 2>/dev/null)
	[ -n "$pids" ] || return 0
	kill -TERM $pids 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] || return 0
		sleep 0.1
	done
	kill -KILL $pids 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		[ -n "$(ip netns pids "$ns" 2>/dev/null)" ] || return 0
		sleep 0.1
	done
}

dclab_down() {
	local ns
	[ -n "${DCLAB_PFX:-}" ] || return 0
	for ns in "$DCLAB_NS_CL" "$DCLAB_NS_GW" "$DCLAB_NS_DC"; do
		ip netns list 2>/dev/null | grep -qw "^$ns" || continue
		dclab_kill_ns "$ns"
		ip netns del "$ns" 2>/dev/null
		rm -rf "/etc/netns/$ns"
	done
	[ -n "${DCLAB_SAMBA_PID:-}" ] && wait "$DCLAB_SAMBA_PID" 2>/dev/null
	case "$DCLAB_DIR" in
	*/"$DCLAB_PFX".dclab) rm -rf "$DCLAB_DIR" ;;
	esac
	DCLAB_PFX=
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	case "${1:-}" in
	up)
		dclab_up "${2:-}" || { dclab_down; exit 1; }
		echo "$DCLAB_PFX"
		;;
	down)
		[ -n "${2:-}" ] || { echo "usage: $0 down PFX" >&2; exit 2; }
		dclab_init "$2"
		dclab_down
		;;
	*)
		echo "usage: $0 up [PFX] | down PFX" >&2
		exit 2
		;;
	esac
fi
