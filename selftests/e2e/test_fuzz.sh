#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test_fuzz.sh OUT: `make fuzz` keeps working: its libFuzzer targets build
# (clang, ASan/UBSan, apart in OUT/fuzz), fuzz_xdphunt takes the corpus
# frames as seeds, runs a bounded number of inputs without a finding and
# replays a single input file as a user reproducing a crash would, and
# fuzz_files runs on the shipped feed, rules and table. How long to fuzz is
# make fuzz's business; the bounded slices that assert on results are the
# unit tests native_engine_mutated and fuzz_inputs_mutated.
set -u
OUT=$(cd "${1:-build}" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${XH_SHARED_DIR:-$ROOT/../shared}
BIN=$OUT/fuzz/fuzz_xdphunt
T=$(mktemp -d /tmp/xh-fuzz.XXXXXX)
trap 'rm -rf "$T"' EXIT

if ! command -v clang >/dev/null; then
	echo "SKIP: fuzz: no clang (make deps)"
	exit 0
fi
if make -s -C "$ROOT" OUT="$OUT" "$BIN" "$OUT/fuzz/fuzz_files" >"$T/build.log" 2>&1; then
	echo "PASS: fuzz: the libFuzzer targets build"
else
	echo "FAIL: fuzz: the libFuzzer targets do not build: $(tail -n 3 "$T/build.log" | tr '\n' ' ')"
	exit 1
fi

# fuzz_files on the seeds make fuzz gives it: the shipped files.
mkdir -p "$T/finputs" "$T/fcrashes"
/usr/bin/python3 "$ROOT/scripts/fuzz_seeds.py" --files "$T/fseeds" >/dev/null
"$OUT/fuzz/fuzz_files" -runs=3000 -max_len=16384 -timeout=10 -artifact_prefix="$T/fcrashes/" \
	"$T/finputs" "$T/fseeds" >"$T/files.log" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^Done 3000 runs' "$T/files.log" && [ -z "$(ls "$T/fcrashes")" ]; then
	echo "PASS: fuzz_files: 3000 feeds, SMB rules and DCE/RPC tables, no finding"
else
	echo "FAIL: fuzz_files: libFuzzer exit $rc: $(grep -E 'ERROR|fuzz_files:|SUMMARY' "$T/files.log" | head -n 3 | tr '\n' ' ')"
fi
if [ ! -d "$SHARED/corpus/public" ]; then
	echo "SKIP: fuzz_seeds: no corpus at $SHARED/corpus/public"
	exit 0
fi
/usr/bin/python3 "$ROOT/scripts/fuzz_seeds.py" "$T/seeds" "$SHARED/corpus/public" >/dev/null
nseeds=$(find "$T/seeds" -type f | wc -l)
if [ "$nseeds" -ge 1000 ]; then
	echo "PASS: fuzz_seeds: $nseeds seed inputs from the corpus frames"
else
	echo "FAIL: fuzz_seeds: $nseeds seed inputs, expected at least 1000"
fi

mkdir -p "$T/inputs" "$T/crashes"
"$BIN" -runs=20000 -max_len=16384 -timeout=10 -artifact_prefix="$T/crashes/" \
	"$T/inputs" "$T/seeds" >"$T/run.log" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^Done 20000 runs' "$T/run.log" && [ -z "$(ls "$T/crashes")" ]; then
	echo "PASS: fuzz_run: $nseeds seeds and 20000 inputs, no crash or bad event ($(grep -o 'cov: [0-9]*' "$T/run.log" | tail -n 1))"
else
	echo "FAIL: fuzz_run: libFuzzer exit $rc: $(grep -E 'ERROR|fuzz_xdphunt:|SUMMARY' "$T/run.log" | head -n 3 | tr '\n' ' ')"
fi

one=$(find "$T/seeds" -type f | sort | head -n 1)
if "$BIN" "$one" >"$T/one.log" 2>&1 && grep -q "Executed $one" "$T/one.log"; then
	echo "PASS: fuzz_reproduce: one input file runs alone, as a saved crash would"
else
	echo "FAIL: fuzz_reproduce: $(tail -n 2 "$T/one.log" | tr '\n' ' ')"
fi
