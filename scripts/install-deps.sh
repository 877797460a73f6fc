#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# install-deps.sh: install with apt-get what building and testing xdphunt need.
# Idempotent: when every package is already installed it does nothing (no
# network, no apt-get update), so `make test` can call it on every run.
set -euo pipefail

# Build: compiler for BPF and userspace, libbpf/libxdp, libpcap for replay,
# jansson for STIX/JSON feeds, libcrypto for Community ID (SHA-1, base64).
BUILD_PKGS=(
	clang llvm gcc make pkg-config libc6-dev linux-libc-dev
	libbpf-dev libxdp-dev libelf-dev zlib1g-dev libpcap-dev bpftool
	libjansson-dev libssl-dev
)
# Tests, demo and benchmarks: namespaces, real traffic sources, the oracle.
TEST_PKGS=(
	iproute2 util-linux procps psmisc iputils-ping netcat-openbsd jq ethtool logrotate
	tshark tcpdump tcpreplay python3 python3-scapy python3-prometheus-client
	samba smbclient smbmap python3-impacket
	nmap # its smb-vuln-ms17-010 and smb-double-pulsar-backdoor scripts (smb.exploit)
	samba-ad-dc samba-ad-provision winbind krb5-user xdp-tools
	libclang-rt-dev # libFuzzer and clang's sanitizers (make fuzz; only recommended by clang)
	xrdp dropbear-bin openssh-client # RDP and SSH servers and a client (rdp.connect, ssh.connect)
)
# The 6.1 verifier test (selftests/verifier/test_kernel_61.sh) boots Debian
# 12's kernel in qemu; that kernel is fetched with `apt-get download` into
# build/, not installed (its postinst would run initramfs and bootloader hooks).
VM_PKGS=(qemu-system-x86 busybox-static)

missing=()
for p in "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}" "${VM_PKGS[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#BUILD_PKGS[@]} build, ${#TEST_PKGS[@]} test and ${#VM_PKGS[@]} VM packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "install-deps: run as root (sudo make deps) to install them" >&2
	exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Packages such as samba would start system daemons on the host; the lab
# starts its own inside namespaces. Keep a policy-rc.d that forbids starts
# during the install when the machine has none of its own.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	made_policy=1
fi
cleanup() { [ "$made_policy" -eq 0 ] || rm -f "$policy"; }
trap cleanup EXIT

apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
