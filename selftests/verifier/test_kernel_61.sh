#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test_kernel_61.sh [BUILD_DIR]: the verifier of Debian 12's kernel (6.1) must
# accept every program of the BPF objects xdphunt ships and tests with. Boots
# Debian's current linux-image-6.1.0-*-amd64 in qemu with a minimal initramfs
# (busybox-static as /init, the static build/selftests/vm_loader, the BPF
# objects), which loads each program and prints its verdict on the console,
# then runs DNS queries, ClientHellos, an SMB tree connect, an RPC bind, an
# RDP request and an SSH client line through xdphunt and checks their
# counters (a verifier can accept a program while removing paths it wrongly
# thought dead: 6.1 did so to the DNS name walk). Then the real xdphunt runs
# inside libxdp's dispatcher beside another program (vm_sharing.sh), which the
# build machine's kernel cannot do (freplace: EPERM).
# Prints PASS:/FAIL:/SKIP: lines; the verifier log's tail after a FAIL.
#
# The kernel package is not installed (its postinst runs /etc/kernel/postinst.d:
# initramfs-tools, bootloader hooks): `apt-get download` + `dpkg-deb` extract
# only /boot/vmlinuz into BUILD_DIR/vm61, where it and the initramfs are cached.
# Environment: XH_VM61_KERNEL=/path/to/vmlinuz uses that kernel instead (offline);
# XH_VM_ACCEL=kvm|tcg forces the accelerator.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$(cd "${1:-$ROOT/build}" && pwd) || exit 1
VM=$OUT/vm61
NAME="kernel 6.1 verifier"
# TCG (software emulation) takes about a minute on a loaded 2-core machine,
# and the dispatcher part as much again.
TIMEOUT=${XH_VM_TIMEOUT:-420}

skip() {
	echo "SKIP: $NAME: $*"
	exit 0
}
fail() {
	echo "FAIL: $NAME: $*"
	exit 1
}

QEMU=$(command -v qemu-system-x86_64) || skip "qemu-system-x86_64 missing (make deps installs qemu-system-x86)"
BUSYBOX=/bin/busybox
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' ||
	skip "no static $BUSYBOX (make deps installs busybox-static)"
[ "$(uname -m)" = x86_64 ] || skip "the Debian kernel used is amd64; this host is $(uname -m)"
LOADER=$OUT/selftests/vm_loader
OBJS=("$OUT/xdphunt.bpf.o" "$OUT"/selftests/*.bpf.o "$OUT"/bench/*.bpf.o)
XH=$OUT/xdphunt
SHARING=$HERE/vm_sharing.sh
for f in "$LOADER" "${OBJS[@]}" "$XH"; do
	[ -f "$f" ] || fail "$f missing (run make)"
done
# The dispatcher part runs the real xdphunt and xdp-loader in the VM, with
# the shared libraries they link and the dispatcher object libxdp loads.
XDP_LOADER=$(command -v xdp-loader) || XDP_LOADER=
DISPATCHER=$(ls /usr/lib/*/bpf/xdp-dispatcher.o /usr/lib/bpf/xdp-dispatcher.o 2>/dev/null | head -1)
mkdir -p "$VM"

# The kernel: Debian 12's current 6.1 image, the one linux-image-amd64 pulls in.
kernel_pkg() {
	local p
	p=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: //p' |
		grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' | head -1)
	[ -n "$p" ] || p=$(apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
		grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' | sort -V | tail -1)
	echo "$p"
}

if [ -n "${XH_VM61_KERNEL:-}" ]; then
	KERNEL=$XH_VM61_KERNEL
	[ -f "$KERNEL" ] || fail "XH_VM61_KERNEL=$KERNEL: no such file"
else
	PKG=$(kernel_pkg)
	[ -n "$PKG" ] || skip "no linux-image-6.1.0-*-amd64 package in the apt sources (not Debian 12?)"
	KERNEL=$VM/vmlinuz-${PKG#linux-image-}
	if [ ! -s "$KERNEL" ]; then
		DL=$(mktemp -d "$VM/dl.XXXXXX")
		if ! (cd "$DL" && apt-get download -q "$PKG" >"$DL/log" 2>&1); then
			# Lists older than the mirror name a .deb it no longer has.
			[ "$(id -u)" -eq 0 ] && apt-get update -q >/dev/null 2>&1 && PKG=$(kernel_pkg) &&
				KERNEL=$VM/vmlinuz-${PKG#linux-image-} &&
				(cd "$DL" && apt-get download -q "$PKG" >"$DL/log" 2>&1) || {
				msg=$(tail -2 "$DL/log" | tr '\n' ' ')
				rm -rf "$DL"
				skip "apt-get download $PKG failed (no network?): $msg"
			}
		fi
		deb=$(ls "$DL"/*.deb)
		if ! dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$DL" --wildcards './boot/vmlinuz-*'; then
			rm -rf "$DL"
			fail "cannot extract /boot/vmlinuz from $deb"
		fi
		mv "$DL"/boot/vmlinuz-* "$KERNEL"
		rm -rf "$DL"
	fi
fi

# The initramfs, rebuilt when the loader, an object or this script changed.
INITRD=$VM/initrd.gz
stale=0
[ -s "$INITRD" ] || stale=1
for f in "$LOADER" "${OBJS[@]}" "$BUSYBOX" "${BASH_SOURCE[0]}" "$XH" "$SHARING" $XDP_LOADER; do
	[ "$f" -nt "$INITRD" ] && stale=1
done
if [ "$stale" -eq 1 ]; then
	R=$VM/root
	rm -rf "$R"
	mkdir -p "$R"/bin "$R"/obj "$R"/proc "$R"/sys "$R"/dev
	cp "$BUSYBOX" "$LOADER" "$R"/bin/
	cp "${OBJS[@]}" "$R"/obj/
	if [ -n "$XDP_LOADER" ] && [ -n "$DISPATCHER" ]; then
		mkdir -p "$R"/xh
		cp "$XH" "$XDP_LOADER" "$R"/bin/
		cp "$SHARING" "$OUT"/selftests/xdp_pass.bpf.o "$R"/xh/
		cp -L --parents "$DISPATCHER" "$R"/
		ldd "$XH" "$XDP_LOADER" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }' |
			sort -u | while read -r lib; do cp -L --parents "$lib" "$R"/; done
	fi
	# The console shows the loader's lines; poweroff -f ends qemu (-no-reboot
	# and panic=-1 end it too if anything here fails).
	cat >"$R"/init <<-'EOF'
		#!/bin/busybox sh
		/bin/busybox mount -t proc proc /proc
		/bin/busybox mount -t sysfs sys /sys
		/bin/busybox mount -t bpf bpf /sys/fs/bpf
		/bin/busybox mount -t devtmpfs dev /dev
		/bin/busybox --install -s /bin
		export PATH=/bin
		/bin/vm_loader /obj/*.bpf.o
		echo "XH-VERIFIER EXIT $?"
		if [ -x /xh/vm_sharing.sh ]; then
			/xh/vm_sharing.sh
		else
			echo "XH-SHARE SKIP xdp-loader (xdp-tools) or libxdp's xdp-dispatcher.o missing on the host"
		fi
		/bin/busybox poweroff -f
	EOF
	chmod 0755 "$R"/init
	(cd "$R" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null | gzip -1) >"$INITRD.tmp" &&
		mv "$INITRD.tmp" "$INITRD" || fail "cannot build $INITRD"
	rm -rf "$R"
fi

# KVM only with hardware virtualisation (kvm_intel/kvm_amd): a stock kernel
# does not boot under other KVM flavours (kvm_pvm hangs after decompression).
accel=${XH_VM_ACCEL:-}
if [ -z "$accel" ]; then
	accel=tcg
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
		accel=kvm
	fi
fi
CONSOLE=$VM/console.log
run_vm() { # accel
	local a=(-accel tcg -cpu max)
	[ "$1" = kvm ] && a=(-accel kvm -cpu host)
	timeout "$TIMEOUT" "$QEMU" "${a[@]}" -m 512M -smp 1 -nographic -no-reboot -nodefaults \
		-serial stdio -kernel "$KERNEL" -initrd "$INITRD" \
		-append 'console=ttyS0 panic=-1 quiet' </dev/null 2>&1 | tr -d '\r' >"$CONSOLE.raw"
	# Our lines only, from their marker on (the terminal escapes qemu and
	# the firmware print can precede the first one on its line).
	grep -aoE 'XH-(VERIFIER|LOG|RUN|SHARE) .*' "$CONSOLE.raw" >"$CONSOLE"
}
start=$(date +%s)
run_vm "$accel"
if [ "$accel" = kvm ] && ! grep -q '^XH-VERIFIER DONE' "$CONSOLE"; then
	echo "# kvm gave no verdict; again under tcg"
	accel=tcg
	run_vm tcg
fi
secs=$(($(date +%s) - start))
echo "# $(basename "$KERNEL") under qemu/$accel: ${secs}s; console in $CONSOLE.raw"

done_line=$(grep -m1 '^XH-VERIFIER DONE' "$CONSOLE")
if [ -z "$done_line" ]; then
	echo "# console tail:"
	tail -20 "$CONSOLE.raw" | sed 's/^/#   /'
	fail "no verdict from the VM within ${TIMEOUT}s (qemu/$accel)"
fi
release=$(sed -n 's/.* kernel=\([^ ]*\) .*/\1/p' <<<"$done_line")
case "$release" in
6.1.*) ;;
*) fail "the VM ran kernel '$release', not 6.1" ;;
esac

fails=0
while IFS= read -r line; do
	case "$line" in
	"XH-VERIFIER PASS "*)
		set -- $line
		echo "PASS: $NAME ($release): ${3#obj=} ${4#prog=} (${5#insns=} insns, ${6#verified=} processed, stack ${7#stack=})"
		;;
	"XH-VERIFIER FAIL "*)
		fails=$((fails + 1))
		what=${line#XH-VERIFIER FAIL }
		# The verdict is the log's last line before the "processed"
		# summary; where: the last instruction and source line before it.
		why=$(awk -v w="$what" '$0 == "XH-VERIFIER FAIL " w { f = 1; next }
			f && /^XH-LOG / { sub(/^XH-LOG /, "")
				if ($0 ~ /^processed [0-9]+ insns/) next
				if ($0 ~ /^[0-9]+: /) { insn = $1; sub(/:$/, "", insn) }
				else if ($0 ~ /^; ./) src = substr($0, 3)
				last = $0; next }
			f { exit }
			END { printf "%s", last; if (insn != "") printf " (at insn %s: %s)", insn, src }' "$CONSOLE")
		echo "FAIL: $NAME ($release): $what: $why"
		;;
	"XH-RUN PASS "*)
		set -- $line
		echo "PASS: $NAME ($release): ${3#obj=} runs ${4#what=}"
		;;
	"XH-RUN FAIL "*)
		fails=$((fails + 1))
		echo "FAIL: $NAME ($release): ${line#XH-RUN FAIL }"
		;;
	"XH-SHARE PASS "*)
		echo "PASS: kernel 6.1 libxdp dispatcher ($release): ${line#XH-SHARE PASS }"
		;;
	"XH-SHARE FAIL "*)
		fails=$((fails + 1))
		echo "FAIL: kernel 6.1 libxdp dispatcher ($release): ${line#XH-SHARE FAIL }"
		;;
	"XH-SHARE SKIP "*)
		echo "SKIP: kernel 6.1 libxdp dispatcher: ${line#XH-SHARE SKIP }"
		;;
	"XH-LOG "*)
		echo "#   ${line#XH-LOG }"
		;;
	esac
done < <(grep -E '^XH-(VERIFIER (PASS|FAIL)|RUN (PASS|FAIL)|SHARE (PASS|FAIL|SKIP)|LOG) ' "$CONSOLE")

grep -q '^XH-VERIFIER PASS obj=xdphunt.bpf.o ' "$CONSOLE" || [ "$fails" -gt 0 ] ||
	fail "no verdict for xdphunt.bpf.o"
grep -qE '^XH-SHARE (DONE|SKIP)' "$CONSOLE" ||
	fail "the libxdp dispatcher part did not finish within ${TIMEOUT}s (qemu/$accel)"
[ "$fails" -eq 0 ]
