#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh OUT_DIR: `make bench`. Benchmarks, not tests: measures xdphunt
# beside its baselines in the same run and writes bench/RESULTS.md,
# bench/results.json and bench/ns_per_packet.svg (bench/report.py).
# BENCH_QUICK=1: a fast smoke run (small counts; figures are rough).
# Root. Generated captures and feeds go to bench/tmp/ (not in git).
set -euo pipefail
OUT=$(cd "${1:-build}" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$ROOT/bench/tmp
PY=/usr/bin/python3
GEN="$PY $ROOT/bench/gen_traffic.py"
XB=$OUT/bench/xh_bench
QUICK=${BENCH_QUICK:-0}
cd "$ROOT"

if [ "$(id -u)" -ne 0 ]; then
	echo "bench: needs root (BPF_PROG_TEST_RUN, XDP attach, namespaces)" >&2
	exit 1
fi
if [ "$QUICK" = 1 ]; then
	REPEAT=200000 RUNS=3 PKTS=1 MIX_PKTS=100000 LIVE_COUNT=1000000 LIVE_ROUNDS=1 RB_SECS=0.5
	LIVE_FLOWS="1 100000" LOAD_FLOWS=4000 LOAD_COUNT=100000
else
	REPEAT=2000000 RUNS=5 PKTS=2 MIX_PKTS=1000000 LIVE_COUNT=4000000 LIVE_ROUNDS=3 RB_SECS=2
	LIVE_FLOWS="1 10000 100000 1000000" LOAD_FLOWS=40000 LOAD_COUNT=1000000
fi
mkdir -p "$TMP"
RAW=$TMP/raw.jsonl
CMDS=$TMP/commands.txt
: >"$RAW"
: >"$CMDS"
log() { echo "bench: $*" >&2; }
# run_to FILE CMD...: record the command, append its output to FILE.
# run CMD...: the same into the raw results.
quoted() { printf '%q ' "$@" | sed 's/ $//'; }
run_to() {
	local out=$1
	shift
	quoted "$@" >>"$CMDS"
	echo >>"$CMDS"
	"$@" >>"$out"
}
run() { run_to "$RAW" "$@"; }
rec() { echo "$1" >>"$RAW"; }

# ---- captures and feeds (deterministic; made once per parameter set) --------
log "generating captures and IoC feeds in $TMP"
CLASSDIR=$TMP/classes
# Made again when a class of the generator has no capture yet (a new class).
MISSING=$($GEN list | awk -F'\t' -v d="$CLASSDIR" '$1 == "class" {print d "/" $2 ".pcap"}' |
	while read -r f; do [ -s "$f" ] || echo "$f"; done)
if [ -n "$MISSING" ]; then
	mkdir -p "$CLASSDIR"
	$GEN classes "$CLASSDIR" --flows 8
fi
MIX=$TMP/mix-$MIX_PKTS.pcap
[ -s "$MIX" ] || $GEN mix "$MIX" --mix mix --packets "$MIX_PKTS"
for n in 0 10000 1000000; do
	[ -s "$TMP/ioc-$n.txt" ] || $GEN ioc "$TMP/ioc-$n.txt" --count $n
done
echo "$GEN classes $CLASSDIR --flows 8" >>"$CMDS"
echo "$GEN mix $MIX --mix mix --packets $MIX_PKTS" >>"$CMDS"
echo "$GEN ioc $TMP/ioc-N.txt --count N   # N = 0, 10000, 1000000" >>"$CMDS"

# Every class of the generator, and the mixes with their weights.
mapfile -t CLASS_ARGS < <($GEN list | awk -F'\t' -v d="$CLASSDIR" '$1 == "class" {print $2 "=" d "/" $2 ".pcap"}')
MIX_WEIGHTS=$($GEN list | awk -F'\t' '$1 == "mix" && $2 == "mix" {print $3}')
mapfile -t MIX_ARGS < <(echo "$MIX_WEIGHTS" | tr ',' '\n' | awk -F: -v d="$CLASSDIR" '{print $1 "=" d "/" $1 ".pcap"}')
$GEN list >"$TMP/classes.tsv"

# ---- 1. per-packet cost with BPF_PROG_TEST_RUN, and 5. scale --------------------
log "test run: ${#CLASS_ARGS[@]} classes, repeat $REPEAT, $RUNS runs"
run "$XB" testrun --ioc "$TMP/ioc-0.txt" --repeat $REPEAT --runs $RUNS --pkts $PKTS "${CLASS_ARGS[@]}"
# The mix's classes, and ioc_near: the prefilter's false positives, which
# walked a trie that grows with the feed until the tries' answers were cached.
log "scale: no IoC feed"
run "$XB" testrun --repeat $REPEAT --runs $RUNS --pkts $PKTS "${MIX_ARGS[@]}" "ioc_near=$CLASSDIR/ioc_near.pcap"
for n in 10000 1000000; do
	log "scale: $n IoC prefixes"
	run "$XB" testrun --ioc "$TMP/ioc-$n.txt" --repeat $REPEAT --runs $RUNS --pkts $PKTS "${MIX_ARGS[@]}" \
		"ioc_near=$CLASSDIR/ioc_near.pcap"
done
for f in 65536 131072 1048576; do
	run "$XB" mapmem --flows $f
done

# ---- 2. live path: veth pair in two namespaces made here --------------------
# shellcheck source=bench_veth.sh
. "$ROOT/scripts/bench_veth.sh"
# shellcheck source=wait_ready.sh
. "$ROOT/scripts/wait_ready.sh"
cleanup() { bench_veth_down; }
trap cleanup EXIT
bench_veth_up "xhb$$"
rx_count() {
	ip netns exec "$NS_RX" ethtool -S "$IF_RX" | awk '/rx_queue_[0-9]+_xdp_packets/ {s += $2} END {print s + 0}'
}
NCPU=$(nproc)
# The generator: BPF live frames where the kernel takes them; else (EPERM:
# this VM's kernel since its 6.18.44 build v1300) an AF_PACKET socket,
# slower per frame, so fewer frames a run.
bench_live_gen "$XB" "${MIX_ARGS[0]}"
if [ "$LIVE_GEN" = packet ]; then
	LIVE_COUNT=$((LIVE_COUNT / 4))
	log "live: BPF live frames refused ($LIVE_GEN_WHY): frames from an AF_PACKET socket"
	rec "{\"kind\":\"live_gen\",\"gen\":\"packet\",\"why\":\"this kernel refuses BPF_F_TEST_XDP_LIVE_FRAMES: $LIVE_GEN_WHY\"}"
fi
# Every live run: this veth pair, the drop build of xdphunt, the bench feed.
LIVE=(live --gen-ns "$NS_GEN" --gen-if "$IF_GEN" --rx-ns "$NS_RX" --rx-if "$IF_RX"
	--obj "$OUT/bench/xdphunt_drop.bpf.o" --ioc "$TMP/ioc-0.txt" --count "$LIVE_COUNT"
	--gen "$LIVE_GEN")
# Warm-up, not recorded: the first live run after the veth pair is made was
# consistently slower (the empty XDP_DROP on the first class read 9-10 Mpps
# where the others read 14-17, even below xdphunt right after it).
"$XB" "${LIVE[@]}" --prog empty --threads 1 "${MIX_ARGS[0]}" >/dev/null
# Per class, each xdphunt run right after its empty baseline: on a shared
# machine the load drifts within seconds, and the ratio is what is judged.
# LIVE_ROUNDS such pairs per class, a pass over the classes a round, so a
# class's pairs are a pass apart; the report takes each one's median (a
# single pair let one busy second of another tenant halve a baseline, and
# three pairs in a row could all fall in one busy stretch).
for t in 1 2; do
	[ "$t" -le "$NCPU" ] || continue
	for ((round = 0; round < LIVE_ROUNDS; round++)); do
		for class in "${MIX_ARGS[@]}"; do
			for prog in empty xdphunt; do
				before=$(rx_count)
				run "$XB" "${LIVE[@]}" --prog $prog --threads $t "$class"
				after=$(rx_count)
				rec "{\"kind\":\"live_rx\",\"prog\":\"$prog\",\"threads\":$t,\"received\":$((after - before))}"
			done
		done
	done
done
# The same path against the number of flows, one core: each generator frame
# from the next of N source addresses (bench/flowgen.bpf.c), so the flow
# state is read from memory rather than a hot cache line, and past the flow
# table (--flows, 131072) every frame is a new flow that evicts another.
# A class a run: each starts with an empty table, not the last one's flows.
for ((round = 0; round < LIVE_ROUNDS; round++)); do
	for n in $LIVE_FLOWS; do
		for class in "${MIX_ARGS[@]}"; do
			for prog in empty xdphunt; do
				run "$XB" "${LIVE[@]}" --prog $prog --threads 1 --flows "$n" "$class"
			done
		done
	done
done
# "rss_kb":N,"hwm_kb":N,"anon_kb":N of process PID: resident, its peak, and
# the anonymous part (heap, stacks). The rest is mapped: libraries, and the
# ring buffer, whose pages are mapped twice (a record may wrap) and so
# count twice, from the start.
proc_mem() {
	awk '/^VmRSS:/ {r = $2} /^VmHWM:/ {h = $2} /^RssAnon:/ {a = $2}
		END {printf "\"rss_kb\":%d,\"hwm_kb\":%d,\"anon_kb\":%d", r, h, a}' "/proc/$1/status"
}
# Stop the process PID that this script started, and reap it.
stop_pid() {
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
# Resident memory of `xdphunt run` itself (section 6), on the receiver's
# veth, idle once it says ready: with the bench feed and with 1M prefixes.
# `ip netns exec` execs xdphunt in place, so $! is its PID; stopped by it.
run_rss() {
	local name=$1 feed=$2 err="$TMP/run-rss-$1.err" pid
	echo "ip netns exec $NS_RX $OUT/xdphunt run -i $IF_RX --ioc $feed -o /dev/null" >>"$CMDS"
	ip netns exec "$NS_RX" "$OUT/xdphunt" run -i "$IF_RX" --ioc "$feed" -o /dev/null \
		</dev/null 2>"$err" &
	pid=$!
	if xh_wait_ready "$err" "$pid" 1 60; then
		sleep 1
		rec "{\"kind\":\"run_rss\",\"feed\":\"$name\",$(proc_mem "$pid")}"
	else
		log "run: not ready within 60 s with the $name feed: $(tail -n 1 "$err")"
	fi
	stop_pid "$pid"
}
# `xdphunt run` under load (section 6), with default settings and the bench
# feed: the generator sends LOAD_FLOWS new flows of each class that makes
# findings (SMB, DCE/RPC, IoC), each flow LOAD_COUNT/LOAD_FLOWS times; run
# passes the frames on (the receiver's stack drops them: not its MAC). Then
# its memory, the findings its program made and lost (`xdphunt stats`), and
# the hits it wrote. `xh_bench live --prog none` attaches nothing. The three
# classes' flows fit the default flow table (3 x 40000 of 131072), so each
# makes its findings once: past it, the LRU would evict flows that still
# send and they would make theirs again.
run_load() {
	local err="$TMP/run-load.err" out="$TMP/run-load.jsonl" gen="$TMP/run-load-gen.jsonl"
	local pid mem hits stats i
	local classes=(smb="$CLASSDIR/smb.pcap" rpc="$CLASSDIR/rpc.pcap" ioc="$CLASSDIR/ioc.pcap")
	: >"$out" # run appends to -o
	echo "ip netns exec $NS_RX $OUT/xdphunt run -i $IF_RX --ioc $TMP/ioc-0.txt -o $out" >>"$CMDS"
	ip netns exec "$NS_RX" "$OUT/xdphunt" run -i "$IF_RX" --ioc "$TMP/ioc-0.txt" -o "$out" \
		</dev/null 2>"$err" &
	pid=$!
	if ! xh_wait_ready "$err" "$pid" 1 60; then
		log "run: not ready within 60 s under load: $(tail -n 1 "$err")"
		stop_pid "$pid"
		return 0
	fi
	: >"$gen"
	run_to "$gen" "$XB" "${LIVE[@]}" --prog none --threads 1 --flows "$LOAD_FLOWS" \
		--count "$LOAD_COUNT" "${classes[@]}"
	# Until every finding the program made is written: 200 looks at most.
	for ((i = 0; i < 200; i++)); do
		if ! kill -0 "$pid" 2>/dev/null ||
			! stats=$(ip netns exec "$NS_RX" "$OUT/xdphunt" stats -i "$IF_RX" --json); then
			log "run: gone or unreadable under load: $(tail -n 1 "$err")"
			stop_pid "$pid"
			return 0
		fi
		hits=$(wc -l <"$out")
		[ "$hits" -ge "$($PY -c 'import json,sys; print(json.loads(sys.argv[1])["counters"]["events"])' "$stats")" ] && break
		sleep 0.1
	done
	mem=$(proc_mem "$pid")
	stop_pid "$pid"
	rec "$($PY - "$stats" "$gen" "$out" "$mem" "$LOAD_FLOWS" <<'PYEOF'
import json, sys
stats, gen, out, mem, flows = sys.argv[1:6]
c = json.loads(stats)["counters"]
sent = sum(json.loads(l)["sent"] for l in open(gen) if l.strip())
rules = {}
for l in open(out):
    r = json.loads(l).get("rule", "?")
    rules[r] = rules.get(r, 0) + 1
print(json.dumps({"kind": "run_load", "flows": int(flows), "classes": ["smb", "rpc", "ioc"],
                  "sent": sent, "seen": c["packets"], "events": c["events"],
                  "events_lost": c["events_lost"], "hits": sum(rules.values()), "rules": rules,
                  **json.loads("{%s}" % mem)}))
PYEOF
)"
}
log "memory: xdphunt run with the bench feed and with 1M IoC prefixes, idle"
run_rss bench "$TMP/ioc-0.txt"
run_rss 1m "$TMP/ioc-1000000.txt"
log "memory: xdphunt run with the bench feed while $LOAD_FLOWS flows of each of smb, rpc, ioc come"
run_load
cleanup
trap - EXIT

# Where the live path's time goes, per class of the mix (scripts/profile.sh
# makes its own namespaces; it says SKIP when perf cannot sample here).
log "profile: the live path of each class of the mix, by BPF function"
echo "PROFILE_JSON=$RAW PROFILE_SECS=2 PROFILE_GEN=$LIVE_GEN scripts/profile.sh $OUT ${MIX_ARGS[*]%%=*}" >>"$CMDS"
PROFILE_JSON=$RAW PROFILE_SECS=2 PROFILE_GEN=$LIVE_GEN "$ROOT/scripts/profile.sh" "$OUT" $(printf '%s\n' "${MIX_ARGS[@]}" | cut -d= -f1) >&2

# ---- 3. events to JSON lines --------------------------------------------------
log "ring buffer -> JSON lines"
# Three paced runs: a run that loses events tells a consumer kept off its CPU
# (run-queue wait, printed) from one that is too slow; the verdict wants all.
run "$XB" ringbuf --ioc "$TMP/ioc-0.txt" --secs $RB_SECS --rate 3000000 --rate 3000000 \
	--rate 3000000 --rate 0
# Why xdphunt reads the buffer itself (user/ring_reader.c): the consumer
# with the producer at full speed, libbpf's ring_buffer and ours, alternated.
for i in $(seq $LIVE_ROUNDS); do
	for reader in libbpf xdphunt; do
		run "$XB" ringbuf --reader $reader --ioc "$TMP/ioc-0.txt" --secs $RB_SECS --rate 0
	done
done

# ---- 4. offline replay vs tshark and tcpdump; 6. loader memory ---------------
TSHARK_FILTER='tcp.port in {445,139,135} || ip.addr == 203.0.113.0/24 || ipv6.addr == 2001:db8:bad::/48'
TCPDUMP_FILTER='tcp port 445 or tcp port 139 or tcp port 135 or net 203.0.113.0/24 or net 2001:db8:bad::/48'
# timed NAME OUTFILE CMD...: wall, user, sys, max RSS of CMD as a JSON record,
# which names the capture CMD read: $MIX, or TIMED_CAP of TIMED_PKTS packets.
timed() {
	local name=$1 outf=$2 cap=${TIMED_CAP:-$MIX} pkts=${TIMED_PKTS:-$MIX_PKTS}
	shift 2
	echo "$(quoted "$@") > $outf" >>"$CMDS"
	/usr/bin/time -f '%e %U %S %M' -o "$TMP/time.txt" "$@" >"$outf" 2>"$TMP/$name.err"
	read -r wall user sys rss <"$TMP/time.txt"
	rec "{\"kind\":\"replay\",\"tool\":\"$name\",\"capture\":\"$(basename "$cap")\",\"packets\":$pkts,\"wall\":$wall,\"user\":$user,\"sys\":$sys,\"maxrss_kb\":$rss,\"out\":\"$outf\"}"
}
log "replay: xdphunt (kernel engine) on $MIX_PKTS packets"
timed xdphunt "$TMP/replay-xdphunt.json" "$OUT/xdphunt" replay --ioc "$TMP/ioc-0.txt" "$MIX"
if "$OUT/xdphunt" replay --help 2>&1 | grep -q -- '--engine'; then
	log "replay: xdphunt --engine native"
	timed xdphunt-native "$TMP/replay-native.json" "$OUT/xdphunt" replay --engine native \
		--ioc "$TMP/ioc-0.txt" "$MIX"
fi
log "replay: tcpdump"
timed tcpdump "$TMP/replay-tcpdump.txt" tcpdump -nn -q -r "$MIX" "$TCPDUMP_FILTER"
log "replay: tshark (slow: about 30 k packets/s)"
timed tshark "$TMP/replay-tshark.txt" tshark -n -r "$MIX" -Y "$TSHARK_FILTER" -T fields \
	-e ip.src -e ipv6.src -e tcp.srcport -e udp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport -e udp.dstport
log "memory: xdphunt replay with 1M IoC prefixes"
# The loader's memory, on a small capture: the feed's, not the mix's.
export TIMED_CAP=$CLASSDIR/ioc.pcap
TIMED_PKTS=$(tcpdump -r "$TIMED_CAP" 2>/dev/null | wc -l)
export TIMED_PKTS
timed xdphunt-1m-ioc "$TMP/replay-xdphunt-1m.json" "$OUT/xdphunt" replay --ioc "$TMP/ioc-1000000.txt" \
	"$CLASSDIR/ioc.pcap"
timed xdphunt-0-ioc "$TMP/replay-xdphunt-0.json" "$OUT/xdphunt" replay --ioc "$TMP/ioc-0.txt" \
	"$CLASSDIR/ioc.pcap"
unset TIMED_CAP TIMED_PKTS

# ---- report --------------------------------------------------------------------
MACHINE="$(uname -srm), $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
# Dirty means changed sources, not the outputs of an earlier run.
COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- . \
	':!bench/RESULTS.md' ':!bench/results.json' ':!bench/ns_per_packet.svg' 2>/dev/null || echo '+dirty')"
$PY "$ROOT/bench/report.py" --raw "$RAW" --commands "$CMDS" --machine "$MACHINE" \
	--commit "$COMMIT" --quick "$QUICK" --mix "$MIX_WEIGHTS" --classes "$TMP/classes.tsv" \
	--outdir "$ROOT/bench"
