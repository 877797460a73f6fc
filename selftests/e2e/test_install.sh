#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test_install.sh [BUILD_DIR]: `make install` into a staging DESTDIR puts the
# binary, the BPF object and the default data where README.md says, and the
# installed binary runs. Prints PASS:/FAIL: lines.
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
for f in usr/sbin/xdphunt usr/lib/xdphunt/xdphunt.bpf.o; do
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
[ "$FAILS" -eq 0 ]
