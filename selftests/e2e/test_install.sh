#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test_install.sh [BUILD_DIR]: `make install` into a staging DESTDIR puts the
# binary, the BPF object, the default data, the systemd unit, the logrotate
# config and the README where README.md says; the installed binary runs, the
# unit passes `systemd-analyze verify` (pointed at the staged binary) and the
# logrotate config parses. Prints PASS:/FAIL:/SKIP: lines.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$(cd "${1:-$ROOT/build}" 2>/dev/null && pwd) || OUT=${1:-$ROOT/build}
D=$(mktemp -d /tmp/xh-install.XXXXXX)
trap 'rm -rf "$D"' EXIT
FAILS=0
if make -s -C "$ROOT" OUT="$OUT" DESTDIR="$D" PREFIX=/usr install >"$D.log" 2>&1; then
	echo "PASS: install: make install succeeds"
else
	echo "FAIL: install: make install: $(tail -5 "$D.log")"
	rm -f "$D.log"
	exit 1
fi
rm -f "$D.log"
for f in usr/sbin/xdphunt usr/lib/xdphunt/xdphunt.bpf.o usr/lib/systemd/system/xdphunt@.service \
	etc/logrotate.d/xdphunt usr/share/doc/xdphunt/README.md; do
	[ -f "$D/$f" ] && echo "PASS: install: /$f" || { echo "FAIL: install: /$f missing"; FAILS=$((FAILS + 1)); }
done
[ -x "$D/usr/sbin/xdphunt" ] && "$D/usr/sbin/xdphunt" version | grep -q '^xdphunt ' &&
	echo "PASS: install: installed binary runs" || { echo "FAIL: install: installed binary does not run"; FAILS=$((FAILS + 1)); }
if [ -d "$ROOT/data" ]; then
	while IFS= read -r f; do
		[ -f "$D/usr/share/xdphunt/$f" ] && echo "PASS: install: data $f" ||
			{ echo "FAIL: install: data $f missing"; FAILS=$((FAILS + 1)); }
	done < <(cd "$ROOT/data" && find . -type f | sed 's|^\./||')
fi
UNIT=$D/usr/lib/systemd/system/xdphunt@.service
if grep -q '^ExecStart=/usr/sbin/xdphunt run -i %i ' "$UNIT" 2>/dev/null && ! grep -q '@[A-Z]*@' "$UNIT" &&
	grep -q '^ExecStopPost=-/usr/sbin/xdphunt detach -i %i$' "$UNIT"; then
	echo "PASS: install: unit runs the installed binary, detaches what a crash left, no @VAR@ left"
else
	echo "FAIL: install: unit ExecStart: $(grep -m1 ExecStart "$UNIT" 2>/dev/null)"
	FAILS=$((FAILS + 1))
fi
if command -v systemd-analyze >/dev/null; then
	# An instance of the template, its binary the staged one.
	mkdir -p "$D/verify"
	sed "s|=\(-\?\)/usr/sbin/xdphunt|=\1$D/usr/sbin/xdphunt|" "$UNIT" >"$D/verify/xdphunt@lo.service"
	if out=$(systemd-analyze verify "$D/verify/xdphunt@lo.service" 2>&1) && [ -z "$out" ]; then
		echo "PASS: install: systemd-analyze verify xdphunt@lo.service"
	else
		echo "FAIL: install: systemd-analyze verify: $(echo "$out" | head -n 3 | tr '\n' ' ')"
		FAILS=$((FAILS + 1))
	fi
else
	echo "SKIP: install: systemd-analyze missing: unit not verified"
fi
if command -v logrotate >/dev/null; then
	if out=$(logrotate -d -s "$D/lr.state" "$D/etc/logrotate.d/xdphunt" 2>&1) &&
		! echo "$out" | grep -q '^error:'; then
		echo "PASS: install: logrotate parses etc/logrotate.d/xdphunt"
	else
		echo "FAIL: install: logrotate: $(echo "$out" | grep -m2 error: | tr '\n' ' ')"
		FAILS=$((FAILS + 1))
	fi
else
	echo "SKIP: install: logrotate missing (make deps installs it): config not parsed"
fi
[ "$FAILS" -eq 0 ]
