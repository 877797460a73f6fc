#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# profile.sh OUT_DIR [CLASS...]: `make profile`. Where the live path's CPU
# goes, by BPF source line: a veth pair in two namespaces made here, frames
# of one traffic class redirected into it (xh_bench live, as make bench does),
# xdphunt built to drop after classifying on the receiver, cpu-clock samples
# of the receiving CPU (perf), mapped to the program's source lines through
# the kernel's JIT line info (xh_bench jitlines; Debian's perf and bpftool
# cannot annotate JITed BPF). Default classes: the mix of make bench.
# PROFILE_SECS (3) seconds of samples per class; PROFILE_JSON=FILE appends
# the records for bench/report.py; PROFILE_FLOWS=N sends N flows in turn
# (xh_bench live --flows); PROFILE_GEN=bpf|packet picks the generator
# (xh_bench live --gen; by default what this kernel takes). Root; the captures come from bench/tmp/
# (made by make bench, or here).
set -euo pipefail
OUT=$(cd "${1:-build}" && pwd)
shift || true
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$ROOT/bench/tmp
PY=/usr/bin/python3
XB=$OUT/bench/xh_bench
SECS=${PROFILE_SECS:-3}
cd "$ROOT"

if [ "$(id -u)" -ne 0 ]; then
	echo "profile: needs root (XDP attach, namespaces, perf on the kernel)" >&2
	exit 1
fi
if ! command -v perf >/dev/null || ! perf record -e cpu-clock -o /dev/null -- true >/dev/null 2>&1; then
	echo "SKIP: profile: perf cannot sample cpu-clock here (package linux-perf)" >&2
	exit 0
fi
mkdir -p "$TMP/classes"
[ -s "$TMP/classes/tcp443.pcap" ] || $PY bench/gen_traffic.py classes "$TMP/classes" --flows 8
[ -s "$TMP/ioc-0.txt" ] || $PY bench/gen_traffic.py ioc "$TMP/ioc-0.txt" --count 0
if [ $# -eq 0 ]; then
	mapfile -t CLASSES < <($PY bench/gen_traffic.py list |
		awk -F'\t' '$1 == "mix" && $2 == "mix" {print $3}' | tr ',' '\n' | cut -d: -f1)
else
	CLASSES=("$@")
fi

# shellcheck source=bench_veth.sh
. "$ROOT/scripts/bench_veth.sh"
WORK=$(mktemp -d /tmp/xdphunt-profile.XXXXXX)
LIVE_PID=
cleanup() {
	[ -z "$LIVE_PID" ] || kill "$LIVE_PID" 2>/dev/null || true
	[ -z "$LIVE_PID" ] || wait "$LIVE_PID" 2>/dev/null || true
	bench_veth_down
	[ -n "${PROFILE_KEEP:-}" ] && cp -a "$WORK" "$PROFILE_KEEP" || true
	rm -rf "$WORK"
}
trap cleanup EXIT
bench_veth_up "xhp$$"
[ -n "${PROFILE_GEN:-}" ] || {
	bench_live_gen "$XB" "${CLASSES[0]}=$TMP/classes/${CLASSES[0]}.pcap"
	PROFILE_GEN=$LIVE_GEN
}

for class in "${CLASSES[@]}"; do
	pcap=$TMP/classes/$class.pcap
	if [ ! -s "$pcap" ]; then
		echo "profile: no capture for class '$class' ($pcap)" >&2
		exit 1
	fi
	# One generator thread on CPU 0: the receiving NAPI runs there too.
	# Enough frames to outlast the samples at any rate seen here; the
	# run is stopped once they are taken.
	"$XB" live --gen-ns "$NS_GEN" --gen-if "$IF_GEN" --rx-ns "$NS_RX" --rx-if "$IF_RX" \
		--prog xdphunt --obj "$OUT/bench/xdphunt_drop.bpf.o" --ioc "$TMP/ioc-0.txt" \
		--threads 1 --count 1000000000 ${PROFILE_FLOWS:+--flows "$PROFILE_FLOWS"} \
		${PROFILE_GEN:+--gen "$PROFILE_GEN"} \
		"$class=$pcap" >"$WORK/live.json" 2>"$WORK/live.err" &
	LIVE_PID=$!
	id=
	for _ in $(seq 100); do
		id=$(sed -n 's/.*"kind":"live_prog".*"prog_id":\([0-9]*\).*/\1/p' "$WORK/live.json")
		[ -n "$id" ] && break
		kill -0 "$LIVE_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$id" ]; then
		echo "profile: the live run of $class did not start:" >&2
		cat "$WORK/live.err" >&2
		exit 1
	fi
	"$XB" jitlines --id "$id" >"$WORK/jit.txt"
	sleep 0.5 # past the page pool's warm-up
	perf record -q ${PROFILE_PERF_ARGS:-} -e cpu-clock -F 10000 -C 0 -o "$WORK/perf.data" -- sleep "$SECS" >/dev/null 2>&1
	kill "$LIVE_PID" 2>/dev/null || true
	wait "$LIVE_PID" 2>/dev/null || true
	LIVE_PID=
	perf script -i "$WORK/perf.data" -F ip,sym 2>/dev/null >"$WORK/samples.txt"
	$PY bench/profile.py --jitlines "$WORK/jit.txt" --samples "$WORK/samples.txt" --class "$class"
	if [ -n "${PROFILE_JSON:-}" ]; then
		$PY bench/profile.py --jitlines "$WORK/jit.txt" --samples "$WORK/samples.txt" \
			--class "$class" --json >>"$PROFILE_JSON"
	fi
done
