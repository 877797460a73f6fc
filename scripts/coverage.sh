#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# coverage.sh OUT_DIR [REPORT_DIR]: `make coverage`, the hunt-coverage
# scorecard (root; several minutes). Builds the hunt lab (scripts/lab.sh,
# LAB_TOPO=hunt), attaches xdphunt natively on all five gateway interfaces
# with a feed of the lab's C2 servers, captures the attacker's and the
# workstation's links on the gateway, and runs every scenario of
# scripts/coverage/scenarios.sh with real tools. Each scenario runs from its
# own source address, so packets (tshark) and hits (xdphunt) are attributed
# to it by address. Then:
#   - scripts/coverage/truth.py: tshark display filters per technique on the
#     capture give the ground truth; live hits and `xdphunt replay` hits of the
#     same capture are scored by scripts/coverage/score.py;
#   - under load: the attack scenarios again while tcpreplay pushes a
#     background capture (bench/gen_traffic.py mix) into the gateway at
#     increasing rates, up to top speed; recall and events_lost per rate.
# Writes REPORT_DIR (default coverage/): REPORT.md, results.json, layer.json,
# matrix.svg. COVERAGE_LOAD_RATES="pps ... top" overrides the load steps
# ("" skips the load phase); KEEP=1 keeps the work directory.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$(cd "${1:-$ROOT/build}" 2>/dev/null && pwd) || { echo "coverage: no build dir ${1:-build}" >&2; exit 1; }
# Absolute: the script re-executes itself and works from temp dirs, so a
# relative REPORT_DIR (make passes "coverage") would land there and be lost.
REPORT_DIR=$(realpath -m "${2:-$ROOT/coverage}")
XH=$OUT/xdphunt
PY=/usr/bin/python3
IMP=/usr/share/doc/python3-impacket/examples
LOAD_RATES=${COVERAGE_LOAD_RATES-"20000 50000 100000 200000 top"}
LOAD_BG_PACKETS=${COVERAGE_BG_PACKETS:-200000}

log() { echo "coverage: $*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, XDP)"
[ -x "$XH" ] || die "$XH not built (make)"
for c in ip smbd samba samba-tool smbclient smbmap rpcclient tcpdump tshark mergecap tcpreplay \
	tcprewrite curl openssl nmap unshare $PY; do
	command -v "$c" >/dev/null || die "$c missing (make deps)"
done
# Every example a scenario runs: a missing one would only leave its labels
# "not produced on the wire", as if Samba had refused the technique.
for c in psexec smbexec services reg atexec wmiexec dcomexec samrdump lookupsid netview \
	rpcdump rpcmap secretsdump; do
	[ -f "$IMP/$c.py" ] || die "Impacket example $IMP/$c.py missing (make deps)"
done
$PY -c 'import scapy.all, scapy.layers.tls.all' 2>/dev/null || die "python3-scapy missing (make deps)"

# A private mount namespace: the DC mounts its own /run/samba.
if [ -z "${XH_COV_UNSHARED:-}" ]; then
	XH_COV_UNSHARED=1 exec unshare -m --propagation private bash "$0" "$OUT" "$REPORT_DIR"
fi

# shellcheck source=lab.sh
. "$ROOT/scripts/lab.sh"
LAB_TOPO=hunt
LAB_SMB_ENCRYPT=off
LAB_SMB_STREAMS=1 # ADMIN$ keeps NTFS streams, as a Windows share does (ads_tool)
lab_init "xv$$"
W=$LAB_DIR
XH_PID=
TD_PIDS=()
BG_PID=

teardown() {
	local rc=$? p
	[ -n "${SCEN_TOOL_PID:-}" ] && lab_stop_pid "$SCEN_TOOL_PID" TERM
	[ -n "$BG_PID" ] && lab_stop_pid "$BG_PID" TERM
	[ -n "$XH_PID" ] && lab_stop_pid "$XH_PID" TERM
	for p in "${TD_PIDS[@]}"; do lab_stop_pid "$p" TERM; done
	if [ -n "${KEEP:-}" ] && [ -d "$W" ]; then
		rm -rf "/tmp/$LAB_PFX.kept"
		cp -a "$W" "/tmp/$LAB_PFX.kept" 2>/dev/null && log "kept work files in /tmp/$LAB_PFX.kept"
	fi
	lab_down
	exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

log "building the hunt lab (the AD DC takes up to a minute)"
lab_up >"$W.up.log" 2>&1 || { cat "$W.up.log" >&2; rm -f "$W.up.log"; die "lab did not come up"; }
rm -f "$W.up.log"
cd "$W" || exit 1 # the tools leave files in their working directory

# The lab's own feed: its C2 addresses and domain (documentation space).
cat >"$W/c2-feed.csv" <<EOF
indicator,type,feed,actor,confidence,first_seen,reference,comment
$LAB_C2_IP4,ipv4,xdphunt-lab,Lab C2,high,,scripts/lab.sh,HTTP/HTTPS C2
$LAB_C2_IP6,ipv6,xdphunt-lab,Lab C2,high,,scripts/lab.sh,HTTP/HTTPS C2 (IPv6)
$LAB_C2_UDP_IP4,ipv4,xdphunt-lab,Lab C2,high,,scripts/lab.sh,UDP beacon C2
evil.example,domain,xdphunt-lab,Lab C2,high,,scripts/lab.sh,C2 domain (DNS and SNI)
EOF

# xh_start NAME: attach on every gateway interface, wait until ready.
xh_start() {
	local name=$1 ifs=() i
	for i in "${LAB_HUNT_GW_IFS[@]}"; do ifs+=(-i "$i"); done
	ip netns exec "$LAB_NS_GW" "$XH" run "${ifs[@]}" --mode native --host xh-coverage \
		--ioc "$W/c2-feed.csv" -o "$W/$name.jsonl" </dev/null 2>"$W/$name.err" &
	XH_PID=$!
	for ((i = 0; i < 300; i++)); do
		[ "$(grep -c 'ready:' "$W/$name.err")" -ge "${#LAB_HUNT_GW_IFS[@]}" ] && return 0
		kill -0 "$XH_PID" 2>/dev/null || break
		sleep 0.1
	done
	die "xdphunt not ready on the gateway: $(tail -n 3 "$W/$name.err" | tr '\n' ' ')"
}
# xh_stop NAME: stats (JSON, before detaching), then SIGTERM.
xh_stop() {
	ip netns exec "$LAB_NS_GW" "$XH" stats --json >"$W/$1.stats.json" 2>"$W/$1.stats.err"
	lab_stop_pid "$XH_PID" TERM || log "xdphunt ($1) exited non-zero: $(tail -n 2 "$W/$1.err")"
	XH_PID=
}

# shellcheck source=coverage/scenarios.sh
. "$ROOT/scripts/coverage/scenarios.sh"

# --- 1. live, with captures --------------------------------------------------------
for i in "${LAB_PFX}gc" "${LAB_PFX}gw"; do
	lab_bg gw "$W/tcpdump-$i.err" tcpdump -i "$i" -nn -s 0 -B 65536 --immediate-mode \
		-w "$W/cap-$i.pcap"
	TD_PIDS+=("$LAB_LAST_PID")
done
for i in "${LAB_PFX}gc" "${LAB_PFX}gw"; do
	lab_wait_capture "$W/tcpdump-$i.err"
done
xh_start live
T0=$(date +%s)
log "live run: $(scen_count) scenarios"
: >"$W/manifest.jsonl"
scen_run_all all "$W/manifest.jsonl" "$W/clients-live"
sleep 2
xh_stop live
for p in "${TD_PIDS[@]}"; do lab_stop_pid "$p" TERM; done
TD_PIDS=()
for i in "${LAB_PFX}gc" "${LAB_PFX}gw"; do
	grep -i 'dropped by kernel' "$W/tcpdump-$i.err" | sed "s/^/coverage: tcpdump $i: /" >&2
done
mergecap -w "$W/run.pcap" "$W/cap-${LAB_PFX}gc.pcap" "$W/cap-${LAB_PFX}gw.pcap" ||
	die "mergecap failed"
log "live run took $(($(date +%s) - T0)) s; replaying the capture"
"$XH" replay --ioc "$W/c2-feed.csv" --host xh-coverage -o "$W/replay.jsonl" "$W/run.pcap" \
	2>"$W/replay.err" || die "xdphunt replay failed: $(tail -n 3 "$W/replay.err")"

RUNINFO=$(printf '{"machine": "%s (%s CPUs)", "kernel": "%s", "commit": "%s", "date": "%s"}' \
	"$(uname -m)" "$(nproc)" "$(uname -r)" \
	"$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo -dirty)" \
	"$(date -u +%Y-%m-%dT%H:%MZ)")
$PY "$ROOT/scripts/coverage/truth.py" --manifest "$W/manifest.jsonl" --pcap "$W/run.pcap" \
	--c2 "$LAB_C2_IP4,$LAB_C2_IP6,$LAB_C2_UDP_IP4" --run "$RUNINFO" \
	--live "$W/live.jsonl" --replay "$W/replay.jsonl" --stats "$W/live.stats.json" \
	--out-live "$W/runs-live.json" --out-replay "$W/runs-replay.json" ||
	die "truth.py failed"

# --- 2. under load ---------------------------------------------------------------------
: >"$W/load.jsonl"
if [ -n "$LOAD_RATES" ]; then
	log "background capture: $LOAD_BG_PACKETS packets of the bench mix"
	$PY "$ROOT/bench/gen_traffic.py" mix "$W/bg-raw.pcap" --packets "$LOAD_BG_PACKETS" \
		>"$W/gen.out" 2>&1 || die "gen_traffic.py failed: $(tail -n 2 "$W/gen.out")"
	# Out of the lab's address plan (clients, servers and C2 of the bench
	# capture overlap it), so background flows never count for a scenario,
	# and still documentation space: 203.0.113.128/25 is the one block no lab
	# host, route or sweep uses. Clients, servers and C2 each get a part of it,
	# so no flow is merged into another or runs from an address to itself
	# (tcprewrite keeps the host bits modulo the smaller block).
	tcprewrite --infile="$W/bg-raw.pcap" --outfile="$W/bg.pcap" \
		--pnat=192.0.2.0/24:203.0.113.128/26,198.51.100.0/24:203.0.113.192/27,203.0.113.0/24:203.0.113.224/27,[2001:db8:1::/64]:[2001:db8:f1::/64],[2001:db8:2::/64]:[2001:db8:f2::/64] \
		>"$W/tcprewrite.out" 2>&1 || die "tcprewrite failed: $(tail -n 2 "$W/tcprewrite.out")"
	rm -f "$W/bg-raw.pcap"
	for rate in $LOAD_RATES; do
		name=load-$rate
		xh_start "$name"
		# --loop=0 is endless: --duration bounds it even if this script is
		# SIGKILLed and never reaches its teardown (a load step takes ~45 s).
		if [ "$rate" = top ]; then
			lab_bg client "$W/$name.tcpreplay" tcpreplay -i "$LAB_IF_CLIENT" --topspeed --loop=0 \
				--duration=600 "$W/bg.pcap"
		else
			lab_bg client "$W/$name.tcpreplay" tcpreplay -i "$LAB_IF_CLIENT" --pps="$rate" \
				--loop=0 --duration=600 "$W/bg.pcap"
		fi
		BG_PID=$LAB_LAST_PID
		sleep 2
		ip netns exec "$LAB_NS_GW" "$XH" stats --json >"$W/$name.stats0.json" 2>/dev/null
		t0=$(date +%s.%N)
		: >"$W/manifest-$name.jsonl"
		scen_run_all attack "$W/manifest-$name.jsonl" "$W/clients-$name"
		sleep 2
		t1=$(date +%s.%N)
		kill -INT "$BG_PID" 2>/dev/null
		lab_stop_pid "$BG_PID" INT
		BG_PID=
		xh_stop "$name"
		$PY "$ROOT/scripts/coverage/truth.py" --load-row "$rate" --t0 "$t0" --t1 "$t1" \
			--stats0 "$W/$name.stats0.json" --stats "$W/$name.stats.json" \
			--live "$W/$name.jsonl" --baseline "$W/runs-live.json" \
			--manifest "$W/manifest-$name.jsonl" --tcpreplay "$W/$name.tcpreplay" \
			>>"$W/load.jsonl" || log "scoring load step $rate failed"
		log "load $rate: $(tail -n 1 "$W/load.jsonl")"
	done
fi
$PY -c 'import json,sys; print(json.dumps([json.loads(l) for l in open(sys.argv[1]) if l.strip()], indent=1))' \
	"$W/load.jsonl" >"$W/load.json"

$PY "$ROOT/scripts/coverage/score.py" "$W/runs-live.json" --replay "$W/runs-replay.json" \
	--load "$W/load.json" -o "$REPORT_DIR" || die "score.py failed"
