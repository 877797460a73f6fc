/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* flow.bpf.h: LRU flow state for classified flows only, client/server
 * orientation, and one event per (flow, rule). */
#ifndef XH_FLOW_BPF_H
#define XH_FLOW_BPF_H

#include "maps.bpf.h"
#include "clock.bpf.h"
#include "parse.h"
#include "classify.bpf.h"
#include "emit.bpf.h"

/* Where clients' ports start: Linux's ip_local_port_range (Windows and IANA
 * start at 49152, within it). */
#define XH_EPHEMERAL_MIN 32768

/* Is the packet's sender the client of its flow? Decided once, on the first
 * packet of the flow we see, so it must also work mid-connection. @svc_src
 * and @svc_dst are the port services (enum xh_service). */
static __always_inline int xh_sender_is_client(const struct xh_pkt *pkt, __u8 svc_src, __u8 svc_dst)
{
	/* How strongly a port's service says "server", 2 bits per enum
	 * xh_service: a service port 2, none 0. A dynamic DCE/RPC mark
	 * (XH_SVC_RPC_DYN) is kept by port number alone, and a client's
	 * ephemeral port may carry the number a server elsewhere was bound
	 * on: over TCP it ranks below a real service on the other side, and
	 * for UDP and SCTP, whose ports the marks never named, it is none.
	 * A table, not branches: branching on the services split the
	 * verifier's states where this is inlined (6.1: 298k -> 520k). */
	const __u32 rank_tcp =
		2 << (2 * XH_SVC_SMB) | 2 << (2 * XH_SVC_RPC) | 1 << (2 * XH_SVC_RPC_DYN);
	const __u32 rank_other = 2 << (2 * XH_SVC_SMB) | 2 << (2 * XH_SVC_RPC);
	__u32 rank = rank_tcp, rs, rd;
	__u16 sp, dp;

	_Static_assert(XH_SVC__MAX <= 4, "two bits a service in the rank tables");
	switch (pkt->proto) {
	case IPPROTO_TCP:
		if ((pkt->tcp_flags & (XH_TCP_SYN | XH_TCP_ACK)) == XH_TCP_SYN)
			return 1;
		if ((pkt->tcp_flags & (XH_TCP_SYN | XH_TCP_ACK)) == (XH_TCP_SYN | XH_TCP_ACK))
			return 0;
		break;
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		rank = rank_other;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		/* sport holds the type; the port rules mean nothing here. The
		 * sender of a request or of a one-way message is the client.
		 * A first fragment cut before its type (XH_PKT_L4_CUT) has
		 * none: its sport 0 is no echo reply, and its sender is the
		 * client, as for any protocol without ports. */
		return (pkt->pflags & XH_PKT_L4_CUT) ||
		       !xh_icmp_is_reply(pkt->proto, bpf_ntohs(pkt->sport));
	}
	default:
		return 1;
	}
	rs = rank >> ((svc_src & 3) * 2) & 3;
	rd = rank >> ((svc_dst & 3) * 2) & 3;
	if (rd && rd >= rs)
		return 1;
	if (rs)
		return 0;
	sp = bpf_ntohs(pkt->sport);
	dp = bpf_ntohs(pkt->dport);
	if (dp < 1024 && sp >= 1024)
		return 1;
	if (sp < 1024 && dp >= 1024)
		return 0;
	/* Then below the ephemeral range (Linux's starts at 32768,
	 * Windows' and IANA's at 49152) against in it: a web proxy or C2
	 * on 8080 answering a client's 40002. */
	if (dp < XH_EPHEMERAL_MIN && sp >= XH_EPHEMERAL_MIN)
		return 1;
	if (sp < XH_EPHEMERAL_MIN && dp >= XH_EPHEMERAL_MIN)
		return 0;
	return 1;
}

/* A new xh_flow_state.id from @fs: this CPU's next sequence number under
 * its CPU number (+1, so never 0). 2^48 flows per CPU before a repeat. */
static __always_inline __u64 xh_flow_id_next(struct xh_flow_scratch *fs)
{
	fs->seq += 1;
	return (__u64)(bpf_get_smp_processor_id() + 1) << 48 | (fs->seq & ((1ULL << 48) - 1));
}

/* xh_flow_create_as()'s @client when the ports and TCP flags must tell. */
#define XH_CLIENT_GUESS (-1)

/* Insert the state of a new flow and return the entry in the map. Two CPUs may
 * race on the first packets of a flow: BPF_NOEXIST lets the first insert win,
 * and the re-lookup gives every CPU that same entry (and id). @client: 1 when
 * the packet's content says its sender is the client (an RDP request), else
 * XH_CLIENT_GUESS (xh_sender_is_client()). NULL on failure. */
static __always_inline struct xh_flow_state *
xh_flow_create_as(const struct xh_flow_key *key, int src_is_s, int client, const struct xh_pkt *pkt,
		  const struct xh_class_res *cls, struct xh_stats *stats, __u64 now)
{
	/* Scalars, not a copy of *cls: this is inlined into xh_rpc_emit(),
	 * whose frame ends the longest call chain (6.1's 512-byte limit). */
	__u8 svc_src = cls->svc_src, svc_dst = cls->svc_dst;
	struct xh_flow_state *st, *init;
	struct xh_flow_scratch *fs;
	__u32 zero = 0, ioc_server, ioc_client;
	long err;

	/* A one-entry per-CPU array cannot miss; if it ever did, count it. */
	fs = bpf_map_lookup_elem(&xh_flowscr, &zero);
	if (!fs) {
		stats->cnt[XH_CNT_FLOW_ERR]++;
		return NULL;
	}
	init = &fs->init;
	/* xh_classify() looks ports up for TCP only, to keep plain UDP free of
	 * lookups; a new UDP flow pays for them here. */
	if (pkt->proto == IPPROTO_UDP) {
		svc_src = xh_port_service(pkt->sport, stats);
		svc_dst = xh_port_service(pkt->dport, stats);
	}
	if (client == XH_CLIENT_GUESS)
		client = xh_sender_is_client(pkt, svc_src, svc_dst);
	__builtin_memset(init, 0, sizeof(*init));
	/* The packet's sender is the key's s-side iff src_is_s. */
	init->initiator = client == src_is_s ? XH_INIT_SRC : XH_INIT_DST;
	init->service = client ? svc_dst : svc_src;
	/* A marked port (bpf/dcerpc_dyn.bpf.h) says nothing of a flow made for
	 * another reason; xh_rpc_flow_account() names its own flows. */
	if (init->service == XH_SVC_RPC_DYN)
		init->service = XH_SVC_NONE;
	ioc_server = client ? cls->ioc_dst : cls->ioc_src;
	ioc_client = client ? cls->ioc_src : cls->ioc_dst;
	init->ioc_id = ioc_server ? ioc_server : ioc_client;
	init->first_seen_ns = now;
	init->last_seen_ns = now;
	init->id = xh_flow_id_next(fs);

	err = bpf_map_update_elem(&xh_flows, key, init, BPF_NOEXIST);
	if (!err)
		stats->cnt[XH_CNT_FLOWS_NEW]++;
	st = bpf_map_lookup_elem(&xh_flows, key);
	if (!st)
		stats->cnt[XH_CNT_FLOW_ERR]++;
	return st;
}

static __always_inline struct xh_flow_state *xh_flow_create(const struct xh_flow_key *key,
							    int src_is_s, const struct xh_pkt *pkt,
							    const struct xh_class_res *cls,
							    struct xh_stats *stats, __u64 now)
{
	return xh_flow_create_as(key, src_is_s, XH_CLIENT_GUESS, pkt, cls, stats, now);
}

/* Claim @rule (a finding without a value) on the flow @st for the caller:
 * returns 1 exactly once per flow, to the first CPU to set its bit in
 * st->reported; the plain read first keeps reported flows off the atomic.
 * When the event then cannot be emitted, xh_rule_release() lets a later
 * packet retry. (Findings with a value: xh_finding_claim().) */
static __always_inline int xh_rule_claim(struct xh_flow_state *st, __u8 rule)
{
	__u64 bit = XH_RULE_BIT(rule);

	if (*(volatile __u64 *)&st->reported & bit)
		return 0;
	return !(__sync_fetch_and_or(&st->reported, bit) & bit);
}

static __always_inline void xh_rule_release(struct xh_flow_state *st, __u8 rule)
{
	__sync_fetch_and_and(&st->reported, ~XH_RULE_BIT(rule));
}

/* Emit @rule once per flow (xh_rule_claim()); if the ring buffer is full
 * the claim is released so a later packet retries. */
static __always_inline void xh_flow_report(struct xdp_md *ctx, const struct xh_pkt *pkt,
					   const struct xh_flow_key *key, struct xh_flow_state *st,
					   __u8 rule, __u32 ioc_id, struct xh_stats *stats)
{
	if (!xh_rule_claim(st, rule))
		return;
	if (xh_emit(ctx, pkt, key, st, rule, ioc_id, stats) < 0)
		xh_rule_release(st, rule);
}

/* Claim the finding (@rule, @value) on the flow @st for the caller: returns
 * 1 exactly once per finding (across CPUs: the map insert with BPF_NOEXIST
 * decides), 0 when it was already reported. @value must not be 0. When the
 * event then cannot be emitted, call xh_finding_release() so that a later
 * packet retries. */
static __always_inline int
xh_finding_claim_in(struct xh_seen_key *sk, const struct xh_flow_state *st, __u8 rule, __u32 value)
{
	__u8 one = 1;

	sk->flow_id = st->id;
	sk->rule = rule;
	sk->value = value;
	if (bpf_map_lookup_elem(&xh_seen, sk))
		return 0;
	return bpf_map_update_elem(&xh_seen, sk, &one, BPF_NOEXIST) == 0;
}

static __always_inline void xh_finding_release_in(struct xh_seen_key *sk,
						  const struct xh_flow_state *st, __u8 rule,
						  __u32 value)
{
	sk->flow_id = st->id;
	sk->rule = rule;
	sk->value = value;
	bpf_map_delete_elem(&xh_seen, sk);
}

/* The same with the key on the stack. The _in forms take a key buffer from
 * the caller (a per-CPU scratch) where the stack is short. */
static __always_inline int xh_finding_claim(const struct xh_flow_state *st, __u8 rule, __u32 value)
{
	struct xh_seen_key sk;

	return xh_finding_claim_in(&sk, st, rule, value);
}

static __always_inline void xh_finding_release(const struct xh_flow_state *st, __u8 rule,
					       __u32 value)
{
	struct xh_seen_key sk;

	xh_finding_release_in(&sk, st, rule, value);
}

/* What xh_flow_handle() tells the entry point (in xh_pkt.hunt, through
 * xh_hunt()), so that deep inspection after it needs no second flow lookup. */
#define XH_HUNT_SMB	    (1 << 0) /* the packet's flow is an SMB flow (state exists) */
#define XH_HUNT_FROM_CLIENT (1 << 1) /* the packet's sender is that flow's client */

/* The whole frame's length, for a packet counted to a flow outside
 * xh_hunt(): the first buffer, or with XDP fragments (pkt->ip_cut) the
 * helper's count, which costs a call only then; under replay, with what
 * the capture cut off. */
static __always_inline __u64 xh_pkt_frame_len(struct xdp_md *ctx, const struct xh_pkt *pkt)
{
	if (pkt->ip_cut)
		return bpf_xdp_get_buff_len(ctx) + xh_capture_extra();
	return (__u64)((void *)(long)ctx->data_end - (void *)(long)ctx->data) + xh_capture_extra();
}

/* Count a packet of @bytes (the frame) to flow @st at @now; @src_is_s: the
 * packet's source is the key's s-side. Returns whether its sender is the
 * flow's client. */
static __always_inline int xh_flow_account(struct xh_flow_state *st, int src_is_s, __u64 bytes,
					   __u64 now)
{
	int sender_client = (st->initiator == XH_INIT_SRC) == src_is_s;
	int dir = sender_client ? XH_DIR_TOSERVER : XH_DIR_TOCLIENT;

	__sync_fetch_and_add(&st->pkts[dir], 1);
	__sync_fetch_and_add(&st->bytes[dir], bytes);
	/* The latest, not the last: CPUs' clocks, and a replayed capture's
	 * stamps, need not come in order. */
	if (now > st->last_seen_ns)
		st->last_seen_ns = now;
	return sender_client;
}

/* Account a classified packet to its flow (creating it) and report every rule
 * it matches. @bytes is the frame length. Flow lookup failures count as
 * XH_CNT_FLOW_ERR and only cost the events of this packet. Returns XH_HUNT_*
 * flags: whether the flow is an SMB flow, and who sent the packet. It leaves
 * the flow's id in pkt->flow_id. */
static __always_inline int xh_flow_handle(struct xdp_md *ctx, struct xh_pkt *pkt,
					  const struct xh_class_res *cls, struct xh_stats *stats,
					  __u64 bytes)
{
	/* The coarse clock (bpf/clock.bpf.h): first/last_seen_ns are flow
	 * bookkeeping, no event carries them; event times stay precise. */
	__u64 now = xh_now_coarse_ns();
	struct xh_flow_key key;
	struct xh_flow_state *st;
	__u32 ioc_client, ioc_server;
	int src_is_s, sender_client;

	src_is_s = xh_flow_key_make(pkt, &key);
	st = bpf_map_lookup_elem(&xh_flows, &key);
	if (!st) {
		st = xh_flow_create(&key, src_is_s, pkt, cls, stats, now);
		if (!st)
			return 0;
	}
	sender_client = xh_flow_account(st, src_is_s, bytes, now);

	ioc_client = sender_client ? cls->ioc_src : cls->ioc_dst;
	ioc_server = sender_client ? cls->ioc_dst : cls->ioc_src;

	if (pkt->proto == IPPROTO_TCP) {
		if (st->service == XH_SVC_SMB)
			xh_flow_report(ctx, pkt, &key, st, XH_RULE_SMB_CONNECT, 0, stats);
		else if (st->service == XH_SVC_RPC)
			xh_flow_report(ctx, pkt, &key, st, XH_RULE_RPC_CONNECT, 0, stats);
	}
	if (ioc_server)
		xh_flow_report(ctx, pkt, &key, st, XH_RULE_IOC_DEST, ioc_server, stats);
	if (ioc_client)
		xh_flow_report(ctx, pkt, &key, st, XH_RULE_IOC_SRC, ioc_client, stats);
	pkt->flow_id = st->id;
	if (pkt->proto != IPPROTO_TCP || st->service != XH_SVC_SMB)
		return 0;
	return XH_HUNT_SMB | (sender_client ? XH_HUNT_FROM_CLIENT : 0);
}

#endif /* XH_FLOW_BPF_H */
