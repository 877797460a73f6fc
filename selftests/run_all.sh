#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run_all.sh OUT_DIR: every test level, in order; ends with "N passed, N failed".
# Each level prints "PASS: name", "FAIL: name: why" or "SKIP: name: why" lines;
# a level that exits non-zero without printing a FAIL line counts as one failure.
set -u
OUT=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(cd "$OUT" && pwd)
LOG=$(mktemp -d /tmp/xdphunt-tests.XXXXXX)
trap 'rm -rf "$LOG"' EXIT
export XH_SHARED_DIR=${XH_SHARED_DIR:-$ROOT/../shared}
cd "$ROOT"

level=0
run_level() { # name, command...
	local name=$1
	shift
	level=$((level + 1))
	echo "=== $name"
	"$@" 2>&1 | tee "$LOG/$level.log"
	local rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ] && ! grep -q '^FAIL: ' "$LOG/$level.log"; then
		echo "FAIL: $name: exited with status $rc" | tee -a "$LOG/$level.log"
	fi
}

run_level "unit tests (ASan/UBSan)" "$OUT/selftests/unit_tests" -d "$ROOT/selftests/fixtures" -x "$OUT/xdphunt"

if [ "$(id -u)" -eq 0 ]; then
	run_level "BPF_PROG_TEST_RUN tests" "$OUT/selftests/prog_tests" -d "$ROOT/selftests/fixtures"
else
	echo "SKIP: prog_tests: BPF_PROG_TEST_RUN needs root" | tee "$LOG/skip-prog.log"
fi

for t in selftests/e2e/test_*.sh; do
	[ -e "$t" ] || continue
	run_level "end-to-end: $t" bash "$t" "$OUT"
done

for t in selftests/verifier/test_*.sh; do
	[ -e "$t" ] || continue
	run_level "verifier: $t" bash "$t" "$OUT"
done

for t in selftests/replay/test_*.py; do
	[ -e "$t" ] || continue
	run_level "replay: $t" /usr/bin/python3 "$t" "$OUT/xdphunt"
done

for t in selftests/bench/test_*.py; do
	[ -e "$t" ] || continue
	run_level "bench: $t" /usr/bin/python3 "$t"
done

for t in selftests/coverage/test_*.py; do
	[ -e "$t" ] || continue
	run_level "coverage: $t" /usr/bin/python3 "$t"
done

passed=$(cat "$LOG"/*.log | grep -c '^PASS: ')
failed=$(cat "$LOG"/*.log | grep -c '^FAIL: ')
skipped=$(cat "$LOG"/*.log | grep -c '^SKIP: ')
echo "=== summary"
cat "$LOG"/*.log | grep -E '^(FAIL|SKIP): ' || true
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
