# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# wait_ready.sh: xh_wait_ready, sourced by make demo (through scripts/lab.sh),
# the end-to-end tests (selftests/lib/e2e.sh) and make bench.
#
# xh_wait_ready ERRFILE PID [N] [SECS]: wait (SECS at most, default 15) until
# the `xdphunt run` writing its stderr to ERRFILE has said "xdphunt: ready:"
# N times (default 1: one per interface). Returns 1 when it did not, or when
# PID exited first.
xh_wait_ready() {
	local i
	for ((i = 0; i < ${4:-15} * 10; i++)); do
		[ "$(grep -c 'xdphunt: ready:' "$1" 2>/dev/null)" -ge "${3:-1}" ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
