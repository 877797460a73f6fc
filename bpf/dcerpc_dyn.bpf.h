/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* dcerpc_dyn.bpf.h: flows on dynamic DCE/RPC endpoints, the ports the
 * endpoint mapper hands out (49152 and up on Windows). Such a flow is made
 * when it binds a listed interface (bpf/dcerpc.bpf.h); its server port is
 * then marked XH_SVC_RPC_DYN in xh_ports, the array every TCP packet already
 * looks up, so that the flow's other segments (acknowledgements, the rest of
 * a long PDU) find their way to it without a flow lookup for all traffic.
 * An ept_map answer that names the endpoint of a listed interface marks its
 * port before any connection, and a client's SYN to that endpoint makes the
 * flow, so that its record counts the handshake too. */
#ifndef XH_DCERPC_DYN_BPF_H
#define XH_DCERPC_DYN_BPF_H

#include "maps.bpf.h"
#include "clock.bpf.h"
#include "classify.bpf.h"
#include "flow.bpf.h"
#include "dcerpc_state.bpf.h"

/* A marked port on which a packet finds no flow goes back to no service
 * once no packet has counted to a flow on it for this long: Windows hands
 * out client ports from the same range, and a stale mark costs every
 * packet on that port a flow lookup. XH_RPC_DYN_IDLE_S, or the flow timeout
 * when it is longer (the loader sets it), so that a flow kept that long
 * keeps its mark. A flow quiet for longer whose mark went meanwhile marks it
 * again with its next PDU (xh_rpc_flow_account()). */
const volatile __u32 xh_cfg_rpc_dyn_idle_s = XH_RPC_DYN_IDLE_S;

/* Host-order port -> when a packet last counted to a flow on it (seconds of
 * xh_now_coarse_ns()), for the ports marked XH_SVC_RPC_DYN. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XH_PORTS_MAX);
	__type(key, __u32);
	__type(value, __u32);
} xh_rpc_dyn SEC(".maps");

static __always_inline __u32 xh_rpc_dyn_now_s(__u64 now_ns)
{
	return (__u32)(now_ns / 1000000000ULL);
}

/* Mark the network-order @port a dynamic endpoint at @now_ns, unless the
 * loader gave it a service. */
static __always_inline void xh_rpc_dyn_mark(__be16 port, __u64 now_ns, struct xh_stats *stats)
{
	__u32 key = bpf_ntohs(port);
	__u8 *svc = bpf_map_lookup_elem(&xh_ports, &key);
	__u32 *last = bpf_map_lookup_elem(&xh_rpc_dyn, &key);

	if (!svc || !last || (*svc != XH_SVC_NONE && *svc != XH_SVC_RPC_DYN))
		return;
	*last = xh_rpc_dyn_now_s(now_ns);
	if (*svc == XH_SVC_NONE) {
		*svc = XH_SVC_RPC_DYN;
		stats->dcerpc[XH_RPC_CNT_DYN_PORT]++;
	}
}

/* Is @pkt a client's SYN to an endpoint that an ept_map answer named for a
 * listed interface (xh_rpc_eps, bpf/dcerpc.bpf.h xh_rpc_response())? */
static __always_inline int xh_rpc_dyn_epm_syn(const struct xh_pkt *pkt)
{
	struct xh_rpc_ep_key ek;
	__u32 *if_index;

	if ((pkt->tcp_flags & (XH_TCP_SYN | XH_TCP_ACK)) != XH_TCP_SYN)
		return 0;
	if_index = xh_rpc_ep_lookup(pkt, &ek);
	return if_index && *if_index != XH_RPC_IF_UNKNOWN;
}

/* A TCP packet that no rule classifies, to or from a marked port (@svc:
 * the port services, xh_svc_pack()): count it to its flow if it has one;
 * make one only for a client's SYN to an endpoint an ept_map answer named
 * (xh_rpc_dyn_epm_syn()). @bytes is the frame length, @cls the packet's
 * (empty) classification. Leaves the flow's id in pkt->flow_id, so that
 * xh_dcerpc_tcp() does not count the packet again. */
static __always_inline void xh_rpc_dyn_follow(struct xh_pkt *pkt, const struct xh_class_res *cls,
					      __u32 svc, __u64 bytes, struct xh_stats *stats)
{
	__u32 port = bpf_ntohs(xh_svc_dst(svc) == XH_SVC_RPC_DYN ? pkt->dport : pkt->sport);
	__u64 now = xh_now_coarse_ns();
	__u32 now_s = xh_rpc_dyn_now_s(now);
	struct xh_flow_state *st;
	struct xh_flow_key key;
	__u32 *last;
	__u8 *mark;
	int src_is_s;

	last = bpf_map_lookup_elem(&xh_rpc_dyn, &port);
	if (!last)
		return;
	src_is_s = xh_flow_key_make(pkt, &key);
	st = bpf_map_lookup_elem(&xh_flows, &key);
	if (!st && xh_svc_dst(svc) == XH_SVC_RPC_DYN && xh_rpc_dyn_epm_syn(pkt)) {
		st = xh_flow_create(&key, src_is_s, pkt, cls, stats, now);
		if (st) {
			st->service = XH_SVC_RPC_DYN;
			st->flags |= XH_FLOW_F_EPM;
			stats->dcerpc[XH_RPC_CNT_EPM_FLOW]++;
		}
	}
	if (st) {
		xh_flow_account(st, src_is_s, bytes, now);
		pkt->flow_id = st->id;
		if (*last != now_s)
			*last = now_s;
		return;
	}
	/* Signed: a capture's clock may go back (replay). */
	if ((__s32)(now_s - *last) < (__s32)xh_cfg_rpc_dyn_idle_s)
		return;
	mark = bpf_map_lookup_elem(&xh_ports, &port);
	if (mark && *mark == XH_SVC_RPC_DYN) {
		*mark = XH_SVC_NONE;
		stats->dcerpc[XH_RPC_CNT_DYN_CLEARED]++;
	}
}

#endif /* XH_DCERPC_DYN_BPF_H */
