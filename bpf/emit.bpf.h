/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* emit.bpf.h: one struct xh_event into xh_events, oriented client -> server,
 * with loss and wake-up counting. */
#ifndef XH_EMIT_BPF_H
#define XH_EMIT_BPF_H

#include "maps.bpf.h"
#include "parse.h"

/* Wake the consumer only once this many bytes wait in xh_events. Waking it
 * per event cut live throughput 4x; userspace drains on a 10 ms timer anyway,
 * so the wake-up is only there to avoid losses in a burst. 0 wakes per event.
 * Set through the skeleton's rodata before load. */
const volatile __u64 xh_cfg_wakeup_bytes = XH_RINGBUF_DEFAULT / 4;

/* Reserve an event for @rule on the flow @key/@st and fill its header.
 * @size is a constant at each call site (the verifier wants a known size):
 * XH_EVENT_NAMED_SIZE, or XH_EVENT_SHORT_SIZE for an event without a name
 * (headers/xh_abi.h). The caller may add the detail (e->detail_kind, e->d,
 * and in a named event e->name) and must then call xh_event_submit() with
 * the same size. @ioc_id is the IoC id for ioc.* rules. Returns NULL when
 * xh_events is full (counted as XH_CNT_EVENTS_LOST). */
static __always_inline struct xh_event *
xh_event_reserve(struct xdp_md *ctx, const struct xh_pkt *pkt, const struct xh_flow_key *key,
		 struct xh_flow_state *st, __u8 rule, __u32 ioc_id, struct xh_stats *stats,
		 const __u32 size)
{
	struct xh_event *e;

	e = bpf_ringbuf_reserve(&xh_events, size, 0);
	if (!e) {
		stats->cnt[XH_CNT_EVENTS_LOST]++;
		return NULL;
	}
	/* Ring buffer memory is not zeroed: clear everything but name[], whose
	 * first name_len bytes are all userspace reads. */
	__builtin_memset(e, 0, offsetof(struct xh_event, name));
	e->ts_ns = bpf_ktime_get_ns();
	if (st->initiator == XH_INIT_SRC) {
		__builtin_memcpy(e->saddr, key->saddr, sizeof(e->saddr));
		__builtin_memcpy(e->daddr, key->daddr, sizeof(e->daddr));
		e->sport = key->sport;
		e->dport = key->dport;
	} else {
		__builtin_memcpy(e->saddr, key->daddr, sizeof(e->saddr));
		__builtin_memcpy(e->daddr, key->saddr, sizeof(e->daddr));
		e->sport = key->dport;
		e->dport = key->sport;
	}
	e->proto = key->proto;
	e->family = key->family;
	e->rule = rule;
	e->action = (ioc_id & XH_IOC_F_BLOCK) ? XH_ACTION_DROP : XH_ACTION_PASS;
	e->ifindex = ctx->ingress_ifindex;
	e->ioc_id = ioc_id;
	e->vlan[0] = pkt->vlan[0];
	e->vlan[1] = pkt->vlan[1];
	e->vlan_count = pkt->vlan_count;
	if (pkt->frag || (pkt->pflags & XH_PKT_L4_CUT))
		e->eflags = XH_EVENT_F_NO_PORTS;
	e->flow_packets = st->pkts[XH_DIR_TOSERVER] + st->pkts[XH_DIR_TOCLIENT];
	e->flow_bytes = st->bytes[XH_DIR_TOSERVER] + st->bytes[XH_DIR_TOCLIENT];
	return e;
}

/* Submit an event of @size bytes from xh_event_reserve(), waking the
 * consumer only past the watermark. */
static __always_inline void xh_event_submit(struct xh_event *e, const __u32 size,
					    struct xh_stats *stats)
{
	__u64 flags = BPF_RB_NO_WAKEUP;
	__u64 wm = xh_cfg_wakeup_bytes;
	__u64 avail = bpf_ringbuf_query(&xh_events, BPF_RB_AVAIL_DATA);
	/* This record's share of avail: its size and the 8-byte record header. */
	__u64 before = avail > size + 8 ? avail - size - 8 : 0;

	/* Wake when this record takes the backlog past a multiple of the
	 * watermark, not on every record above it: each forced wake-up raises
	 * an irq_work (a self-IPI, a VM exit when virtualised), and make bench
	 * measured that at over half of the producer's time and a 10x lower
	 * event rate once the consumer lagged (kernel 6.18 VM). A crossing
	 * missed in a race between CPUs only defers the drain to the 10 ms
	 * timer (user/loop.c). wm 0 wakes per event. */
	if (!wm || (avail > wm && avail / wm != before / wm)) {
		flags = BPF_RB_FORCE_WAKEUP;
		stats->cnt[XH_CNT_WAKEUPS]++;
	}
	bpf_ringbuf_submit(e, flags);
	stats->cnt[XH_CNT_EVENTS]++;
}

/* Emit @rule with no detail (a short record). Returns 0, or -1 when
 * xh_events is full. */
static __always_inline int xh_emit(struct xdp_md *ctx, const struct xh_pkt *pkt,
				   const struct xh_flow_key *key, struct xh_flow_state *st,
				   __u8 rule, __u32 ioc_id, struct xh_stats *stats)
{
	struct xh_event *e =
		xh_event_reserve(ctx, pkt, key, st, rule, ioc_id, stats, XH_EVENT_SHORT_SIZE);

	if (!e)
		return -1;
	xh_event_submit(e, XH_EVENT_SHORT_SIZE, stats);
	return 0;
}

#endif /* XH_EMIT_BPF_H */
