// SPDX-License-Identifier: GPL-2.0
/* flowgen.bpf.c: bench only. The live generator of `xh_bench live --flows N`:
 * redirects each frame into the veth like the plain generator, after
 * writing its IPv4 source address as the next of N consecutive addresses
 * from the class packet's own, so the receiver sees N flows in turn instead
 * of one, as a gateway does: the flow table is then read from memory, not
 * from a cache line that stays hot, and past --flows every frame makes a
 * flow and evicts one. Live frames come from a recycled page pool, so the
 * address is written whole each time, never derived from the frame. The
 * IPv4 checksum is left as it is: xdphunt does not verify it, and nothing
 * past XDP_DROP reads the frame. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "flowgen.h"

const volatile __u32 flowgen_ifindex = 0; /* the veth to redirect into */
const volatile __u32 flowgen_flows = 1;	  /* N: addresses in turn, per CPU */

struct flowgen_cpu flowgen_cpu[FLOWGEN_CPUS];

SEC("xdp")
int xh_flowgen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct flowgen_cpu *c = &flowgen_cpu[bpf_get_smp_processor_id() & (FLOWGEN_CPUS - 1)];
	__u32 i;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_ABORTED;
	i = c->next;
	c->next = i + 1 >= flowgen_flows ? 0 : i + 1;
	ip->saddr = bpf_htonl(c->base + i);
	return bpf_redirect(flowgen_ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
