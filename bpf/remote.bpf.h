/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* remote.bpf.h: rdp.connect and ssh.connect, the remote services an intruder
 * moves over besides SMB (ATT&CK T1021.001, T1021.004), on any TCP port: a
 * service on a port not its own is T1571 (user/enrich.c). One hit per flow,
 * at the client's opening, which carries what identifies it: RDP's cookie
 * (the user name mstsc sends) and requested security protocols, SSH's
 * client software. The event carries the opening's bytes; userspace reads
 * them (user/remote.c). */
#ifndef XH_REMOTE_BPF_H
#define XH_REMOTE_BPF_H

#include "maps.bpf.h"
#include "parse.h"
#include "classify.bpf.h"
#include "flow.bpf.h"
#include "emit.bpf.h"
#include "remote_open.h"
#include "compat61.bpf.h"

_Static_assert(XH_REMOTE_WIN == XH_EVENT_NAME_MAX, "the opening's bytes fill name[]");

/* The opening's bytes, per CPU: read and checked before any flow is made. */
struct xh_remote_scratch {
	__u8 buf[XH_REMOTE_WIN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xh_remote_scratch);
} xh_remscr SEC(".maps");

/* xh_ssh_line() over the scratch: global, so that the caller gets its
 * answer as an unknown, not as one of 255 constants (one per place the
 * line can end) that the verifier would follow, each down the rest of
 * xh_remote(), past its 1M-instruction limit. */
__noinline int xh_ssh_line_scr(const struct xh_remote_scratch *scr, __u32 n)
{
	if (!scr)
		return -1;
	return xh_ssh_line(scr->buf, n);
}

/* Could the TCP payload at @p (@len bytes) open RDP or SSH? One byte read
 * in the entry point, so that other segments skip the call. */
static __always_inline int xh_remote_candidate(const __u8 *p, void *data_end, __u32 len)
{
	if (len < XH_RDP_CR_MIN || (void *)(p + 1) > data_end)
		return 0;
	return p[0] == 3 || p[0] == 'S';
}

/* Report the RDP request or SSH client line that starts @pkt's TCP payload,
 * once per flow, making the flow when xdphunt did not follow it (its
 * record then counts from this packet: XH_FLOW_F_RDP / _SSH). @svc: the
 * port services (xh_svc_pack()). Global, so that the verifier checks it
 * once and the entry point's frame stays small. Returns 1 when a hit was
 * made. */
__noinline int xh_remote(struct xdp_md *ctx, const struct xh_pkt *pkt, struct xh_stats *stats,
			 __u32 svc)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct xh_class_res cls = {};
	struct xh_remote_scratch *scr;
	struct xh_flow_state *st;
	struct xh_flow_key key;
	struct xh_event *e;
	const __u8 *p;
	__u32 zero = 0, len, n;
	int kind, line = 0, src_is_s, client;
	__u8 rule;

	if (!pkt || !stats)
		return 0;
	len = pkt->payload_len;
	p = (const __u8 *)data + (pkt->payload_off & XH_PARSE_MAX_OFF);
	if ((void *)(p + XH_RDP_CR_MIN) > end)
		return 0;
	kind = xh_remote_kind(p, len);
	if (kind == XH_REMOTE_NONE)
		return 0;
	scr = bpf_map_lookup_elem(&xh_remscr, &zero);
	if (!scr) {
		stats->cnt[XH_CNT_MAP_ERR]++;
		return 0;
	}
	n = len < XH_REMOTE_WIN ? len : XH_REMOTE_WIN;
	if (bpf_xdp_load_bytes(ctx, pkt->payload_off, scr->buf, XH_SIZE_NZ(n, XH_REMOTE_WIN))) {
		stats->remote[XH_REMOTE_CNT_LOAD_ERR]++;
		return 0;
	}
	if (kind == XH_REMOTE_SSH) {
		line = xh_ssh_line_scr(scr, n);
		if (line < 0) {
			stats->remote[XH_REMOTE_CNT_SSH_BAD]++;
			return 0;
		}
	}

	/* Who is the client: the flow's, when xdphunt follows it; an RDP
	 * request's sender; for SSH, whose lines both ends send, the ports. */
	cls.svc_src = xh_svc_src(svc);
	cls.svc_dst = xh_svc_dst(svc);
	src_is_s = xh_flow_key_make(pkt, &key);
	st = bpf_map_lookup_elem(&xh_flows, &key);
	if (st)
		client = (st->initiator == XH_INIT_SRC) == src_is_s;
	else
		client = kind == XH_REMOTE_RDP ? 1
					       : xh_sender_is_client(pkt, cls.svc_src, cls.svc_dst);
	if (kind == XH_REMOTE_SSH && !client) {
		stats->remote[XH_REMOTE_CNT_SSH_SERVER]++;
		return 0;
	}
	/* Constant indexes: one picked by kind would make kind precise, and
	 * the verifier would walk the rest once per kind. */
	if (kind == XH_REMOTE_RDP)
		stats->remote[XH_REMOTE_CNT_RDP_REQUEST]++;
	else
		stats->remote[XH_REMOTE_CNT_SSH_CLIENT]++;
	if (len > n)
		stats->remote[XH_REMOTE_CNT_CUT]++;
	if (!st) {
		__u64 now = xh_now_coarse_ns();

		st = xh_flow_create_as(&key, src_is_s, 1, pkt, &cls, stats, now);
		if (!st)
			return 0;
		st->flags |= kind == XH_REMOTE_RDP ? XH_FLOW_F_RDP : XH_FLOW_F_SSH;
		xh_flow_account(st, src_is_s, xh_pkt_frame_len(ctx, pkt), now);
	}

	/* Once per flow: a retransmitted opening makes no second hit. */
	rule = kind == XH_REMOTE_RDP ? XH_RULE_RDP_CONNECT : XH_RULE_SSH_CONNECT;
	if (!xh_rule_claim(st, rule))
		return 0;
	e = xh_event_reserve(ctx, pkt, &key, st, rule, 0, stats, XH_EVENT_NAMED_SIZE);
	if (!e) {
		xh_rule_release(st, rule);
		return 0;
	}
	e->detail_kind = XH_DETAIL_REMOTE;
	e->d.remote.payload_len = len;
	e->d.remote.line_len = (__u16)line;
	e->d.remote.flags = len > n ? XH_REMOTE_F_CUT : 0;
	__builtin_memcpy(e->name, scr->buf, XH_REMOTE_WIN);
	e->name_len = (__u16)n;
	xh_event_submit(e, XH_EVENT_NAMED_SIZE, stats);
	return 1;
}

#endif /* XH_REMOTE_BPF_H */
