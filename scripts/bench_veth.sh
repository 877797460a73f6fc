# SPDX-License-Identifier: GPL-2.0
# bench_veth.sh: the live path of make bench and make profile, sourced by
# scripts/bench.sh and scripts/profile.sh: a veth pair between a generator
# and a receiver namespace, both made and removed here.
#
#   bench_veth_up PREFIX    sets NS_GEN NS_RX IF_GEN IF_RX and makes them
#   bench_veth_down         removes the namespaces (and with them the veth)

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
