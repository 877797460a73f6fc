#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fuzz.sh OUT_DIR [SECS]: `make fuzz`. libFuzzer with ASan/UBSan on two
# targets built from selftests/fuzz/ into OUT_DIR/fuzz/:
#   fuzz_xdphunt  xdphunt's BPF program compiled natively, fed frames, for
#                 SECS seconds (60), seeded with the frames of the public
#                 corpus and of the bench's traffic classes (fuzz_seeds.py);
#   fuzz_files    the IoC feeds, SMB rules and DCE/RPC tables a user gives,
#                 for a quarter of that, seeded with the shipped ones.
# Inputs that find new code are kept in OUT_DIR/fuzz/<target>/inputs for
# the next run; an input that crashes, reads out of bounds or breaks a
# promise the target checks goes to OUT_DIR/fuzz/<target>/crashes/ and
# fails the run. Reproduce one with: OUT_DIR/fuzz/<target> CRASH_FILE
set -euo pipefail
OUT=$(cd "${1:-build}" && pwd)
SECS=${2:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${XH_SHARED_DIR:-$ROOT/../shared}
D=$OUT/fuzz

case $SECS in '' | *[!0-9]*)
	echo "fuzz: FUZZ_SECS must be a number of seconds, not '$SECS'" >&2
	exit 2
	;;
esac

# Seeds of fuzz_xdphunt, made once: the bench generator's classes add DNS
# queries and ClientHellos, which the corpus has few of.
seeds_xdphunt() {
	local s=$D/xdphunt/seeds dirs
	[ -d "$s" ] && return 0
	rm -rf "$D/gen" "$s.tmp"
	mkdir -p "$D/gen"
	/usr/bin/python3 "$ROOT/bench/gen_traffic.py" classes "$D/gen" --flows 4 >/dev/null
	dirs=("$D/gen")
	if [ -d "$SHARED/corpus/public" ]; then
		dirs+=("$SHARED/corpus/public")
	else
		echo "fuzz: no corpus at $SHARED/corpus/public: seeds from the bench classes only" >&2
	fi
	/usr/bin/python3 "$ROOT/scripts/fuzz_seeds.py" "$s.tmp" "${dirs[@]}"
	mv "$s.tmp" "$s"
}

# Seeds of fuzz_files: the shipped files, after the byte that picks the kind.
seeds_files() {
	local s=$D/files/seeds
	[ -d "$s" ] && return 0
	rm -rf "$s.tmp"
	/usr/bin/python3 "$ROOT/scripts/fuzz_seeds.py" --files "$s.tmp" >/dev/null
	mv "$s.tmp" "$s"
}

# run_target NAME SECS: libFuzzer on OUT_DIR/fuzz/NAME's seeds and inputs.
run_target() {
	local name=$1 secs=$2 dir=$D/${1#fuzz_} rc
	mkdir -p "$dir/inputs" "$dir/crashes"
	echo "fuzz: $name, $secs s; inputs in $dir/inputs, crashes in $dir/crashes" >&2
	set +e
	"$D/$name" -max_total_time="$secs" -max_len=16384 -timeout=10 -rss_limit_mb=4096 \
		-print_final_stats=1 -artifact_prefix="$dir/crashes/" "$dir/inputs" "$dir/seeds" 2>&1 |
		grep -v '^libbpf: elf: skipping unrecognized data section' >"$dir/last.log"
	rc=${PIPESTATUS[0]}
	set -e
	grep -E '^(#[0-9]+.*(INITED|DONE)|fuzz_|==[0-9]+==ERROR|SUMMARY)' "$dir/last.log" >&2 || true
	if [ "$rc" -ne 0 ]; then
		echo "fuzz: $name FAILED (libFuzzer exit $rc): see $dir/last.log and $dir/crashes/" >&2
		return 1
	fi
	echo "fuzz: $name: no finding in $secs s ($(grep -m1 -o 'number_of_executed_units: [0-9]*' \
		"$dir/last.log" | awk '{print $2}') inputs)" >&2
}

seeds_xdphunt
seeds_files
failed=0
run_target fuzz_xdphunt "$SECS" || failed=1
run_target fuzz_files "$(((SECS + 3) / 4))" || failed=1
exit "$failed"
