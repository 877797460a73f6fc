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

/* Add @n to @key's count in the per-source window map @map (xh_sweep_src,
 * xh_brute_src) at @now: a window runs @window_ns from the first count, and
 * a count after it opens the next from 0. Returns the count before the add,
 * or -1 when the map had no room. Two CPUs may both reset a window; that
 * only loses a count or two of one in progress. The add is atomic, so
 * exactly one CPU sees the count cross a threshold. */
static __always_inline long xh_window_add(void *map, const struct xh_sweep_src_key *key, __u64 now,
					  __u64 window_ns, __u32 n)
{
	struct xh_sweep_src init = {}, *src;

	src = bpf_map_lookup_elem(map, key);
	if (!src) {
		init.window_start_ns = now;
		bpf_map_update_elem(map, key, &init, BPF_NOEXIST);
		src = bpf_map_lookup_elem(map, key);
		if (!src)
			return -1;
	}
	if (now - src->window_start_ns >= window_ns) {
		src->window_start_ns = now;
		src->distinct = 0;
	}
	return __sync_fetch_and_add(&src->distinct, n);
}

/* The event of a per-source window that reached @threshold (@count when it
 * did) on the packet @pkt of an SMB flow whose client is its source
 * (@client_is_src) or its destination. Returns 1 when it emitted. */
static __always_inline int xh_window_event(struct xdp_md *ctx, const struct xh_pkt *pkt,
					   int client_is_src, __u32 rule, __u32 count,
					   __u32 threshold, __u64 window_ns, struct xh_stats *stats)
{
	struct xh_flow_state st = {};
	struct xh_flow_key key;
	struct xh_event *e;

	st.initiator = (xh_flow_key_make(pkt, &key) == client_is_src) ? XH_INIT_SRC : XH_INIT_DST;
	st.service = XH_SVC_SMB;
	e = xh_event_reserve(ctx, pkt, &key, &st, rule, 0, stats, XH_EVENT_SHORT_SIZE);
	if (!e)
		return 0;
	e->detail_kind = XH_DETAIL_SWEEP;
	e->d.sweep.distinct = count;
	e->d.sweep.threshold = threshold;
	e->d.sweep.window_s = window_ns / 1000000000ULL;
	xh_event_submit(e, XH_EVENT_SHORT_SIZE, stats);
	return 1;
}

/* Account one client SYN (SYN without ACK) to an SMB port. A global
 * function, called by the entry point beside xh_hunt() (not inside it), so
 * its frame does not stack on xh_hunt()'s. Returns 1 when it emitted. */
__noinline int xh_sweep(struct xdp_md *ctx, const struct xh_pkt *pkt)
{
	struct xh_sweep_pair_key pk = {};
	struct xh_sweep_src_key sk = {};
	struct xh_stats *stats;
	__u64 now, *seen;
	__u32 zero = 0;
	long old;

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
	old = xh_window_add(&xh_sweep_src, &sk, now, xh_cfg_sweep_window_ns, 1);
	if (old < 0 || old + 1 != xh_cfg_sweep_threshold)
		return 0;
	/* The SYN's source is the client. */
	return xh_window_event(ctx, pkt, 1, XH_RULE_SCAN_SMB_SWEEP, old + 1, xh_cfg_sweep_threshold,
			       xh_cfg_sweep_window_ns, stats);
}

/* Account @n failed logons that xh_smb_inspect() just read in a server's
 * answer; the client is that answer's destination (xh_smb_w()->pkt, the
 * inspected packet's parse). Called by the entry point after
 * xh_smb_inspect(). Returns 1 when it emitted. */
__noinline int xh_brute(struct xdp_md *ctx, __u32 n)
{
	struct xh_smb_work *w = xh_smb_w();
	struct xh_sweep_src_key sk = {};
	struct xh_stats *stats;
	__u32 zero = 0;
	long old;

	if (!w || n == 0 || n > 64)
		return 0;
	stats = bpf_map_lookup_elem(&xh_counters, &zero);
	if (!stats)
		return 0;
	__builtin_memcpy(sk.addr, w->pkt.daddr, sizeof(sk.addr));
	sk.family = w->pkt.family;
	old = xh_window_add(&xh_brute_src, &sk, xh_now_ns(), xh_cfg_brute_window_ns, n);
	if (old < 0 || old >= xh_cfg_brute_threshold || old + n < xh_cfg_brute_threshold)
		return 0;
	/* The answer goes server -> client: the client is its destination. */
	return xh_window_event(ctx, &w->pkt, 0, XH_RULE_SMB_BRUTE_FORCE, old + n,
			       xh_cfg_brute_threshold, xh_cfg_brute_window_ns, stats);
}

#endif /* XH_SWEEP_BPF_H */
