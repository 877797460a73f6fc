# SPDX-License-Identifier: GPL-2.0
# bench_veth.sh: the live path of make bench and make profile, sourced by
# scripts/bench.sh and scripts/profile.sh: a veth pair between a generator
# and a receiver namespace, both made and removed here.
#
#   bench_veth_up PREFIX    sets NS_GEN NS_RX IF_GEN IF_RX and makes them
#   bench_veth_down         removes the namespaces (and with them the veth)
#   bench_live_gen XB CLASS sets LIVE_GEN (xh_bench live --gen) and LIVE_GEN_WHY

bench_veth_up() {
	NS_GEN=$1-gen NS_RX=$1-rx IF_GEN=${1}g IF_RX=${1}r
	ip netns add "$NS_GEN"
	ip netns add "$NS_RX"
	# Two queues each way: the 2-core runs put one generator thread and
	# its receiving NAPI on each CPU.
	ip -n "$NS_GEN" link add "$IF_GEN" numtxqueues 2 numrxqueues 2 type veth \
		peer name "$IF_RX" netns "$NS_RX" numtxqueues 2 numrxqueues 2
	for ns in "$NS_GEN" "$NS_RX"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	done
	ip -n "$NS_GEN" link set "$IF_GEN" up
	ip -n "$NS_RX" link set "$IF_RX" up
}

bench_veth_down() {
	[ -z "${NS_GEN:-}" ] || ip netns del "$NS_GEN" 2>/dev/null || true
	[ -z "${NS_RX:-}" ] || ip netns del "$NS_RX" 2>/dev/null || true
}

# The generator xh_bench live can use on this kernel: BPF live frames
# (LIVE_GEN=bpf), or, where the kernel refuses them (EPERM: this VM's since
# its 6.18.44 build v1300), an AF_PACKET socket (LIVE_GEN=packet, with the
# refusal in LIVE_GEN_WHY). A short run of CLASS (NAME=PCAP) with the empty
# program tells. Returns 1 when neither can run.
bench_live_gen() {
	local out
	LIVE_GEN=bpf LIVE_GEN_WHY=
	out=$("$1" live --gen-ns "$NS_GEN" --gen-if "$IF_GEN" --rx-ns "$NS_RX" --rx-if "$IF_RX" \
		--prog empty --threads 1 --count 1000 "$2" 2>&1 >/dev/null) && return 0
	LIVE_GEN_WHY=$(sed -n 's/^bench: generator on cpu [0-9]*: //p' <<<"$out" | head -n 1)
	if [ -z "$LIVE_GEN_WHY" ]; then
		echo "bench: the live generator failed: $out" >&2
		return 1
	fi
	LIVE_GEN=packet
}
