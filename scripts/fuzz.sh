#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fuzz.sh OUT_DIR [SECS]: `make fuzz`. libFuzzer on xdphunt's BPF program
# compiled natively with ASan/UBSan (OUT_DIR/fuzz/fuzz_xdphunt, from
# selftests/fuzz/), for SECS seconds (60), seeded with the frames of the
# public corpus and of the bench's traffic classes (scripts/fuzz_seeds.py).
# Inputs that find new code are kept in OUT_DIR/fuzz/inputs for the next
# run; an input that crashes, reads out of bounds or makes a bad event goes
# to OUT_DIR/fuzz/crashes/ and fails the run. Reproduce one with: OUT_DIR/fuzz/fuzz_xdphunt CRASH_FILE
set -euo pipefail
OUT=$(cd "${1:-build}" && pwd)
SECS=${2:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${XH_SHARED_DIR:-$ROOT/../shared}
BIN=$OUT/fuzz/fuzz_xdphunt
D=$OUT/fuzz

case $SECS in '' | *[!0-9]*)
	echo "fuzz: FUZZ_SECS must be a number of seconds, not '$SECS'" >&2
	exit 2
	;;
esac
mkdir -p "$D/inputs" "$D/crashes"
if [ ! -d "$D/seeds" ]; then
	# The bench generator's classes add DNS queries and ClientHellos.
	rm -rf "$D/gen" "$D/seeds.tmp"
	mkdir -p "$D/gen"
	/usr/bin/python3 "$ROOT/bench/gen_traffic.py" classes "$D/gen" --flows 4 >/dev/null
	dirs=("$D/gen")
	if [ -d "$SHARED/corpus/public" ]; then
		dirs+=("$SHARED/corpus/public")
	else
		echo "fuzz: no corpus at $SHARED/corpus/public: seeds from the bench classes only" >&2
	fi
	/usr/bin/python3 "$ROOT/scripts/fuzz_seeds.py" "$D/seeds.tmp" "${dirs[@]}"
	mv "$D/seeds.tmp" "$D/seeds"
fi
echo "fuzz: $SECS s of libFuzzer; inputs in $D/inputs, crashes in $D/crashes" >&2
# One job on this core; -max_len above a full frame so several frames fit.
set +e
"$BIN" -max_total_time="$SECS" -max_len=16384 -timeout=10 -rss_limit_mb=4096 \
	-print_final_stats=1 -artifact_prefix="$D/crashes/" "$D/inputs" "$D/seeds" 2>&1 |
	grep -v '^libbpf: elf: skipping unrecognized data section' | tee "$D/last.log" |
	grep -E '^(#[0-9]+.*(INITED|DONE|pulse)|stat::|fuzz_xdphunt|==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' >&2
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -ne 0 ]; then
	echo "fuzz: FAILED (libFuzzer exit $rc): see $D/last.log and $D/crashes/" >&2
	exit 1
fi
echo "fuzz: no crash, no bad event in $SECS s ($(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' "$D/last.log" | awk '{print $2}') inputs)" >&2
