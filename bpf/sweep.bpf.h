/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* sweep.bpf.h: per-source windows. scan.smb_sweep, one source opening SMB
 * to many hosts (a port-445 sweep, T1046): counts, per source, the distinct
 * destinations of its client SYNs to an SMB port within a window.
 * smb.brute_force, one client whose logons fail in bulk (password guessing
 * or spraying, T1110): counts, per client, the session setups servers
 * answered with a logon failure within a window. One event per source and
 * window when the count reaches the threshold. */
#ifndef XH_SWEEP_BPF_H
#define XH_SWEEP_BPF_H

#include "maps.bpf.h"
#include "emit.bpf.h"
#include "flow.bpf.h"

/* Set through the skeleton's rodata before load (user/loader.c keeps these
 * defaults). 16 hosts in a minute: more than a workstation maps drives to,
 * fewer than any sweep of a /24. */
const volatile __u32 xh_cfg_sweep_threshold = 16;
const volatile __u64 xh_cfg_sweep_window_ns = 60ULL * 1000000000ULL;
/* 10 failed logons in a minute: a user who mistypes fails once or twice, a
 * client with a stale saved password a few times a minute at most, a
 * guesser (Brambul, hydra, a spray) tens to thousands of times. */
const volatile __u32 xh_cfg_brute_threshold = 10;
const volatile __u64 xh_cfg_brute_window_ns = 60ULL * 1000000000ULL;

/* Account one client SYN (SYN without ACK) to an SMB port. A global
 * function, called by the entry point beside xh_hunt() (not inside it), so
 * its frame does not stack on xh_hunt()'s. Returns 1 when it emitted. */
__noinline int xh_sweep(struct xdp_md *ctx, const struct xh_pkt *pkt)
{
	struct xh_sweep_pair_key pk = {};
	struct xh_sweep_src_key sk = {};
	struct xh_sweep_src init = {}, *src;
	struct xh_flow_state st = {};
	struct xh_flow_key key;
	struct xh_stats *stats;
	struct xh_event *e;
	__u64 now, *seen;
	__u32 zero = 0, n;

	if (!pkt)
		return 0;
	stats = bpf_map_lookup_elem(&xh_counters, &zero);
	if (!stats)
		return 0;
	now = xh_now_ns();
	__builtin_memcpy(pk.saddr, pkt->saddr, sizeof(pk.saddr));
	__builtin_memcpy(pk.daddr, pkt->daddr, sizeof(pk.daddr));
	pk.family = pkt->family;
	/* A destination counts once per window: retransmitted SYNs and new
	 * connections to a server already counted do not. */
	seen = bpf_map_lookup_elem(&xh_sweep_pair, &pk);
	if (seen && now - *seen < xh_cfg_sweep_window_ns)
		return 0;
	bpf_map_update_elem(&xh_sweep_pair, &pk, &now, BPF_ANY);

	__builtin_memcpy(sk.addr, pkt->saddr, sizeof(sk.addr));
	sk.family = pkt->family;
	src = bpf_map_lookup_elem(&xh_sweep_src, &sk);
	if (!src) {
		init.window_start_ns = now;
		bpf_map_update_elem(&xh_sweep_src, &sk, &init, BPF_NOEXIST);
		src = bpf_map_lookup_elem(&xh_sweep_src, &sk);
		if (!src)
			return 0;
	}
	/* A new window forgets the count. Two CPUs may both reset it; that
	 * only loses a destination or two of a sweep in progress. */
	if (now - src->window_start_ns >= xh_cfg_sweep_window_ns) {
		src->window_start_ns = now;
		src->distinct = 0;
	}
	/* Exactly one CPU sees the count reach the threshold: one event per
	 * source and window. */
	n = __sync_fetch_and_add(&src->distinct, 1) + 1;
	if (n != xh_cfg_sweep_threshold)
		return 0;

	st.initiator = xh_flow_key_make(pkt, &key) ? XH_INIT_SRC : XH_INIT_DST;
	st.service = XH_SVC_SMB;
	e = xh_event_reserve(ctx, pkt, &key, &st, XH_RULE_SCAN_SMB_SWEEP, 0, stats,
			     XH_EVENT_SHORT_SIZE);
	if (!e)
		return 0;
	e->detail_kind = XH_DETAIL_SWEEP;
	e->d.sweep.distinct = n;
	e->d.sweep.threshold = xh_cfg_sweep_threshold;
	e->d.sweep.window_s = xh_cfg_sweep_window_ns / 1000000000ULL;
	xh_event_submit(e, XH_EVENT_SHORT_SIZE, stats);
	return 1;
}

/* Account @n failed logons that xh_smb_inspect() just read in a server's
 * answer; the client is that answer's destination (xh_smb_w()->pkt, the
 * inspected packet's parse). Called by the entry point after
 * xh_smb_inspect(). Returns 1 when it emitted. */
__noinline int xh_brute(struct xdp_md *ctx, __u32 n)
{
	struct xh_smb_work *w = xh_smb_w();
	struct xh_sweep_src_key sk = {};
	struct xh_sweep_src init = {}, *src;
	struct xh_flow_state st = {};
	struct xh_flow_key key;
	struct xh_stats *stats;
	struct xh_event *e;
	__u32 zero = 0, old;
	__u64 now;

	if (!w || n == 0 || n > 64)
		return 0;
	stats = bpf_map_lookup_elem(&xh_counters, &zero);
	if (!stats)
		return 0;
	now = xh_now_ns();
	__builtin_memcpy(sk.addr, w->pkt.daddr, sizeof(sk.addr));
	sk.family = w->pkt.family;
	src = bpf_map_lookup_elem(&xh_brute_src, &sk);
	if (!src) {
		init.window_start_ns = now;
		bpf_map_update_elem(&xh_brute_src, &sk, &init, BPF_NOEXIST);
		src = bpf_map_lookup_elem(&xh_brute_src, &sk);
		if (!src)
			return 0;
	}
	/* As scan.smb_sweep's: a new window forgets the count; the one CPU
	 * whose add crosses the threshold makes the event. */
	if (now - src->window_start_ns >= xh_cfg_brute_window_ns) {
		src->window_start_ns = now;
		src->distinct = 0;
	}
	old = __sync_fetch_and_add(&src->distinct, n);
	if (old >= xh_cfg_brute_threshold || old + n < xh_cfg_brute_threshold)
		return 0;

	/* The answer goes server -> client: the client is the destination. */
	st.initiator = xh_flow_key_make(&w->pkt, &key) ? XH_INIT_DST : XH_INIT_SRC;
	st.service = XH_SVC_SMB;
	e = xh_event_reserve(ctx, &w->pkt, &key, &st, XH_RULE_SMB_BRUTE_FORCE, 0, stats,
			     XH_EVENT_SHORT_SIZE);
	if (!e)
		return 0;
	e->detail_kind = XH_DETAIL_SWEEP;
	e->d.sweep.distinct = old + n;
	e->d.sweep.threshold = xh_cfg_brute_threshold;
	e->d.sweep.window_s = xh_cfg_brute_window_ns / 1000000000ULL;
	xh_event_submit(e, XH_EVENT_SHORT_SIZE, stats);
	return 1;
}

#endif /* XH_SWEEP_BPF_H */
