/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* sweep.bpf.h: per-source windows. scan.smb_sweep, one source opening SMB
 * to many hosts (a port-445 sweep, T1046): counts, per source, the distinct
 * destinations of its client probes (SYNs, and a stealth scan's FIN, NULL
 * and Xmas probes: xh_tcp_probe()) to an SMB port within a window.
 * scan.service_sweep, the same for a remote-administration port (SSH, RDP,
 * WinRM, VNC, the RPC endpoint mapper), per source and port.
 * scan.port_scan, one source probing many ports of one host (a vertical
 * scan, T1046): counts, per (source, destination) pair and protocol, the
 * distinct destination ports of its client probes within a window: TCP's,
 * and UDP's empty datagrams (xh_udp_probe(), nmap -sU).
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
/* 16 ports of one host in a minute: a client of a server talks to a few of
 * its services (a domain controller's 88, 135, 389, 445, 636, 3268 and an
 * RPC port or two), a scan to hundreds. Zeek's Port_Scan notice is 15 ports
 * in five minutes, of failed attempts only; a SYN's answer may cross
 * another interface, so every client SYN counts here. */
const volatile __u32 xh_cfg_portscan_threshold = 16;
const volatile __u64 xh_cfg_portscan_window_ns = 60ULL * 1000000000ULL;
/* scan.service_sweep: the same 16 hosts in a minute as SMB's; an admin
 * reaches a handful of hosts over SSH or RDP in a minute, a sweep a
 * subnet. The ports it watches, one bit per TCP port (bit p % 64 of word
 * p / 64): a bit is one load for a SYN, where a list would be a compare
 * per port. By default 22, 135, 3389, 5900, 5985 and 5986, which the
 * loader sets again from --service-sweep-ports or LOADER_SVCSWEEP_PORTS
 * (test_loader_svcsweep_defaults holds the two lists equal). */
#define XH_PORT_BIT(p) [(p) / 64] = 1ULL << ((p) % 64)
const volatile __u32 xh_cfg_svcsweep_threshold = 16;
const volatile __u64 xh_cfg_svcsweep_window_ns = 60ULL * 1000000000ULL;
const volatile __u64 xh_cfg_svcsweep_ports[XH_SVCSWEEP_PORT_WORDS] = {
	XH_PORT_BIT(22),
	XH_PORT_BIT(135),
	XH_PORT_BIT(3389),
	XH_PORT_BIT(5900),
	[5985 / 64] = 1ULL << (5985 % 64) | 1ULL << (5986 % 64),
};
_Static_assert(5985 / 64 == 5986 / 64, "WinRM's two ports share a word");

/* Whether scan.service_sweep watches the TCP port @port. */
static __always_inline int xh_svcsweep_port(__be16 port)
{
	__u32 p = bpf_ntohs(port) & 0xffff;

	return (xh_cfg_svcsweep_ports[(p >> 6) & (XH_SVCSWEEP_PORT_WORDS - 1)] >> (p & 63)) & 1;
}

/* @key's window in the window map @map (xh_sweep_src, xh_brute_src,
 * xh_scan_pairs) at @now, made when missing: a window runs @window_ns from
 * the first count, and a count after it opens the next from 0. NULL when
 * the map had no room. Two CPUs may both reset a window; that only loses a
 * count or two of one in progress. */
static __always_inline struct xh_sweep_src *xh_window_get(void *map, const void *key, __u64 now,
							  __u64 window_ns)
{
	struct xh_sweep_src init = {}, *src;

	src = bpf_map_lookup_elem(map, key);
	if (!src) {
		init.window_start_ns = now;
		bpf_map_update_elem(map, key, &init, BPF_NOEXIST);
		src = bpf_map_lookup_elem(map, key);
		if (!src)
			return NULL;
	}
	/* Signed: a capture stamped out of order may go back in time, and a
	 * count from before the window's start belongs to it. */
	if ((__s64)(now - src->window_start_ns) >= (__s64)window_ns) {
		src->window_start_ns = now;
		src->distinct = 0;
		src->accounts = 0;
	}
	return src;
}

/* Add @n to @key's count in the window map @map at @now (xh_window_get()).
 * Returns the count before the add, or -1 when the map had no room. The add
 * is atomic, so exactly one CPU sees the count cross a threshold. */
static __always_inline long xh_window_add(void *map, const void *key, __u64 now, __u64 window_ns,
					  __u32 n)
{
	struct xh_sweep_src *src = xh_window_get(map, key, now, window_ns);

	if (!src)
		return -1;
	return __sync_fetch_and_add(&src->distinct, n);
}

/* The event of a window (per source, or per pair) that reached @threshold (@count when it
 * did) on the packet @pkt of a flow of @service (enum xh_service) whose
 * client is its source (@client_is_src) or its destination; @accounts is
 * kerberos.brute_force's (xh_sweep_detail). Returns 1 when it emitted. */
static __always_inline int xh_window_event(struct xdp_md *ctx, const struct xh_pkt *pkt,
					   int client_is_src, __u32 service, __u32 rule,
					   __u32 count, __u32 threshold, __u64 window_ns,
					   __u32 accounts, struct xh_stats *stats)
{
	struct xh_flow_state st = {};
	struct xh_flow_key key;
	struct xh_event *e;

	st.initiator = (xh_flow_key_make(pkt, &key) == client_is_src) ? XH_INIT_SRC : XH_INIT_DST;
	st.service = service;
	e = xh_event_reserve(ctx, pkt, &key, &st, rule, 0, stats, XH_EVENT_SHORT_SIZE);
	if (!e)
		return 0;
	e->detail_kind = XH_DETAIL_SWEEP;
	e->d.sweep.distinct = count;
	e->d.sweep.threshold = threshold;
	e->d.sweep.window_s = window_ns / 1000000000ULL;
	e->d.sweep.accounts = accounts;
	/* A scan's: the probe's (SYN, FIN, NULL, Xmas) */
	e->d.sweep.tcp_flags = pkt->tcp_flags;
	/* or a UDP datagram its target said no service took */
	e->d.sweep.unreachable = pkt->proto == IPPROTO_UDP && (pkt->pflags & XH_PKT_QUOTED);
	xh_event_submit(e, XH_EVENT_SHORT_SIZE, stats);
	return 1;
}

/* Count one client SYN of @pkt, at @now, in the window map @win_map under
 * @win_key, once per window for each @seen_key of @seen_map (a destination
 * of the source and port for scan.smb_sweep and scan.service_sweep, a port
 * of the pair for scan.port_scan),
 * and make @rule's event when the count reaches @threshold. Returns 1 when
 * it emitted. */
static __always_inline int xh_syn_window(struct xdp_md *ctx, const struct xh_pkt *pkt, __u64 now,
					 void *seen_map, const void *seen_key, void *win_map,
					 const void *win_key, __u32 threshold, __u64 window_ns,
					 __u32 service, __u32 rule)
{
	struct xh_stats *stats;
	__u64 *seen;
	__u32 zero = 0;
	long old;

	stats = bpf_map_lookup_elem(&xh_counters, &zero);
	if (!stats)
		return 0;
	/* Retransmitted SYNs and new connections to what was already
	 * counted do not count again within the window. */
	seen = bpf_map_lookup_elem(seen_map, seen_key);
	if (seen && (__s64)(now - *seen) < (__s64)window_ns)
		return 0;
	bpf_map_update_elem(seen_map, seen_key, &now, BPF_ANY);
	old = xh_window_add(win_map, win_key, now, window_ns, 1);
	if (old < 0 || old + 1 != threshold)
		return 0;
	/* The SYN's source is the client. */
	return xh_window_event(ctx, pkt, 1, service, rule, old + 1, threshold, window_ns, 0, stats);
}

/* The slot of xh_scan_first for the pair @pk: each address word folded in
 * with a multiply and a rotate, then murmur3's finalizer, so that every
 * bit of the addresses reaches the slot's bits (addresses differ in their
 * last octets, the high bits of a little-endian load). The slot holds the
 * whole pair, so a collision is told apart. */
static __always_inline __u32 xh_scan_slot(const struct xh_sweep_pair_key *pk)
{
	__u32 h = pk->family ^ (__u32)pk->port << 8 ^ (__u32)pk->proto << 24;

	for (int i = 0; i < 4; i++) {
		h = (h ^ pk->saddr[i]) * 0x9e3779b1u;
		h = (h << 13) | (h >> 19);
		h = (h ^ pk->daddr[i]) * 0x85ebca6bu;
		h = (h << 13) | (h >> 19);
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h & (XH_SCAN_FIRST_SLOTS - 1);
}

/* Give the slot @f to the owner of @pkt's SYN to @port (the sweep's port,
 * or the scan's), seen at @now; @escalated: the owner is counted (the slot
 * keeps its counted_ns otherwise). */
static __always_inline void xh_scan_take(struct xh_scan_first *f, const struct xh_pkt *pkt,
					 __be16 port, __u64 now, __u8 escalated)
{
	if (escalated)
		f->counted_ns = now;
	__builtin_memcpy(f->saddr, pkt->saddr, sizeof(f->saddr));
	__builtin_memcpy(f->daddr, pkt->daddr, sizeof(f->daddr));
	f->family = pkt->family;
	f->proto = pkt->proto;
	f->escalated = escalated;
	f->dport = port;
	f->time_ns = now;
}

/* Whether the addresses @a and @b (4 words, IPv4 in the first) are one;
 * short-circuit, word by word. */
static __always_inline int xh_scan_addr_eq(const __be32 *a, const __be32 *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

/* What a scan rule's slot of first SYNs names and what it counts. A sweep
 * (scan.smb_sweep, scan.service_sweep) counts a source's destinations on
 * one port; scan.port_scan counts the ports of a (source, destination)
 * pair. The one algorithm, xh_scan_syn(), serves both with the roles
 * turned. */
enum xh_scan_kind {
	XH_SCAN_DESTS, /* named by (source, port), counts destinations */
	XH_SCAN_PORTS, /* named by (source, destination), counts ports */
};

/* The settings of the scan rule @rule (a constant, so each folds to one
 * load). Read where they are used, not passed down: the settings are
 * volatile, and a SYN that leaves early then reads none it does not need. */
static __always_inline int xh_scan_kind(__u32 rule)
{
	return rule == XH_RULE_SCAN_PORT_SCAN ? XH_SCAN_PORTS : XH_SCAN_DESTS;
}

static __always_inline __u32 xh_scan_threshold(__u32 rule)
{
	if (rule == XH_RULE_SCAN_PORT_SCAN)
		return xh_cfg_portscan_threshold;
	if (rule == XH_RULE_SCAN_SERVICE_SWEEP)
		return xh_cfg_svcsweep_threshold;
	return xh_cfg_sweep_threshold;
}

static __always_inline __u64 xh_scan_window(__u32 rule)
{
	if (rule == XH_RULE_SCAN_PORT_SCAN)
		return xh_cfg_portscan_window_ns;
	if (rule == XH_RULE_SCAN_SERVICE_SWEEP)
		return xh_cfg_svcsweep_window_ns;
	return xh_cfg_sweep_window_ns;
}

/* The port @rule counts @pkt's SYN on: its own, but 0 for scan.smb_sweep,
 * whose 445 and 139 are one sweep. */
static __always_inline __be16 xh_scan_port(__u32 rule, const struct xh_pkt *pkt)
{
	return rule == XH_RULE_SCAN_SMB_SWEEP ? 0 : pkt->dport;
}

/* Count a client SYN of @pkt's source to @daddr on @port at @now in the
 * maps of the scan rule @rule: a sweep's destination once per window per
 * (source, port) (xh_sweep_pair, xh_sweep_src), a scan's port once per
 * window per pair (xh_scan_ports, xh_scan_pairs). Returns 1 when it
 * emitted. */
static __always_inline int xh_scan_count(struct xdp_md *ctx, const struct xh_pkt *pkt, __u32 rule,
					 __u64 now, const __be32 *daddr, __be16 port)
{
	struct xh_sweep_pair_key pk = {};
	struct xh_scan_port_key ppk = {};
	struct xh_sweep_src_key sk = {};
	/* The ports of a scan and the sweeps' own are no one service. */
	__u32 service = rule == XH_RULE_SCAN_SMB_SWEEP ? XH_SVC_SMB : XH_SVC_NONE;

	__builtin_memcpy(pk.saddr, pkt->saddr, sizeof(pk.saddr));
	__builtin_memcpy(pk.daddr, daddr, sizeof(pk.daddr));
	pk.family = pkt->family;
	pk.proto = pkt->proto;
	if (xh_scan_kind(rule) == XH_SCAN_PORTS) {
		__builtin_memcpy(ppk.saddr, pkt->saddr, sizeof(ppk.saddr));
		__builtin_memcpy(ppk.daddr, daddr, sizeof(ppk.daddr));
		ppk.family = pkt->family;
		ppk.proto = pkt->proto;
		ppk.dport = port;
		return xh_syn_window(ctx, pkt, now, &xh_scan_ports, &ppk, &xh_scan_pairs, &pk,
				     xh_scan_threshold(rule), xh_scan_window(rule), service, rule);
	}
	pk.port = port;
	__builtin_memcpy(sk.addr, pkt->saddr, sizeof(sk.addr));
	sk.family = pkt->family;
	sk.port = port;
	return xh_syn_window(ctx, pkt, now, &xh_sweep_pair, &pk, &xh_sweep_src, &sk,
			     xh_scan_threshold(rule), xh_scan_window(rule), service, rule);
}

/* Account one client SYN of @pkt for the scan rule @rule (scan.smb_sweep,
 * scan.service_sweep, scan.port_scan), whose slots of first SYNs are
 * @first_map (xh_sweep_first for the sweeps, xh_scan_first). Returns 1 when
 * it emitted.
 *
 * Most sources open a port to one host and most pairs never open a second
 * port (a browser's to 443, a flood's from many sources, every client of
 * one file server), so what a slot's owner did first (its first
 * destination, or its first port) waits in the slot, and the owner is
 * counted in the LRU maps from its second on, the first counted then at its
 * own time: the same counts and windows as counting every SYN, which
 * received a SYN flood from a million sources at 2.4 Mpps on one core of
 * the bench's veth path, this at 8.8-10. An owner whose slot another took
 * is looked up in its window map: counted already, it goes on being
 * counted; else it waits again (a collision between two owners' firsts can
 * lose one count of one of them). */
static __always_inline int xh_scan_syn(struct xdp_md *ctx, const struct xh_pkt *pkt, __u32 rule,
				       void *first_map)
{
	struct xh_sweep_pair_key key = {}; /* the slot's owner */
	struct xh_sweep_src_key sk = {};
	int ports = xh_scan_kind(rule) == XH_SCAN_PORTS;
	struct xh_scan_first *f;
	struct xh_sweep_src *win;
	__u64 now, window_ns;
	__u32 slot;
	int same;

	__builtin_memcpy(key.saddr, pkt->saddr, sizeof(key.saddr));
	key.family = pkt->family;
	key.proto = pkt->proto;
	if (ports)
		__builtin_memcpy(key.daddr, pkt->daddr, sizeof(key.daddr));
	else
		key.port = xh_scan_port(rule, pkt);
	slot = xh_scan_slot(&key);
	f = bpf_map_lookup_elem(first_map, &slot);
	if (!f)
		return 0;
	/* To a tick: a window of seconds needs no more, and every SYN of a
	 * flood reads the clock. */
	now = xh_now_coarse_ns();
	window_ns = xh_scan_window(rule);
	/* Short-circuit: a flood's SYN meets an empty slot or another
	 * owner's, and leaves at the first word that differs. */
	same = f->family == key.family && f->proto == key.proto &&
	       xh_scan_addr_eq(f->saddr, key.saddr) &&
	       (ports ? xh_scan_addr_eq(f->daddr, key.daddr) : f->dport == key.port);
	if (same && (__s64)(now - f->time_ns) < (__s64)window_ns) {
		if (!f->escalated) {
			if (ports ? f->dport == pkt->dport : xh_scan_addr_eq(f->daddr, pkt->daddr))
				return 0; /* the same port, or host, again */
			/* The owner's second: its first counts now, at its
			 * own time (a first opens a window: it cannot reach
			 * a threshold of 2 or more). */
			xh_scan_count(ctx, pkt, rule, f->time_ns, f->daddr, f->dport);
			f->escalated = 1;
		}
		f->time_ns = now;
		f->counted_ns = now;
		return xh_scan_count(ctx, pkt, rule, now, pkt->daddr, xh_scan_port(rule, pkt));
	}
	/* Another owner's slot: this one may be counted already, if it was
	 * taken from it, which only a slot that held a counted owner within
	 * the window can say (this one's window would have ended with its
	 * last SYN here). A flood's sources are never counted, so their SYNs
	 * meet no such slot and leave without the lookup. (A record of 0 is
	 * "none" only a window after the clock's 0: a capture stamped near
	 * 1970 looks up, as every SYN did before the record.) */
	if (!same && (__s64)(now - f->counted_ns) < (__s64)window_ns) {
		if (ports) {
			win = bpf_map_lookup_elem(&xh_scan_pairs, &key);
		} else {
			__builtin_memcpy(sk.addr, pkt->saddr, sizeof(sk.addr));
			sk.family = pkt->family;
			sk.port = key.port;
			win = bpf_map_lookup_elem(&xh_sweep_src, &sk);
		}
		if (win && (__s64)(now - win->window_start_ns) < (__s64)window_ns) {
			xh_scan_take(f, pkt, xh_scan_port(rule, pkt), now, 1);
			return xh_scan_count(ctx, pkt, rule, now, pkt->daddr,
					     xh_scan_port(rule, pkt));
		}
	}
	xh_scan_take(f, pkt, xh_scan_port(rule, pkt), now, 0);
	return 0;
}

/* Account one client probe (a SYN, or a FIN, NULL or Xmas probe) to an SMB port. A global
 * function, called by the entry point beside xh_hunt() (not inside it), so
 * its frame does not stack on xh_hunt()'s. Returns 1 when it emitted. */
__noinline int xh_sweep(struct xdp_md *ctx, const struct xh_pkt *pkt)
{
	if (!pkt)
		return 0;
	return xh_scan_syn(ctx, pkt, XH_RULE_SCAN_SMB_SWEEP, &xh_sweep_first);
}

/* Account one client SYN to a port of xh_cfg_svcsweep_ports, for
 * scan.service_sweep: each port its own sweep. Called by xh_probe(). Returns
 * 1 when it emitted. */
__noinline int xh_svcsweep(struct xdp_md *ctx, const struct xh_pkt *pkt)
{
	if (!pkt)
		return 0;
	return xh_scan_syn(ctx, pkt, XH_RULE_SCAN_SERVICE_SWEEP, &xh_sweep_first);
}

/* Account one client probe (a SYN, a FIN, NULL or Xmas probe, or an empty
 * UDP datagram) to any port, for scan.port_scan. Called by xh_probe(). Returns 1 when it emitted.
 */
__noinline int xh_portscan(struct xdp_md *ctx, const struct xh_pkt *pkt)
{
	if (!pkt)
		return 0;
	return xh_scan_syn(ctx, pkt, XH_RULE_SCAN_PORT_SCAN, &xh_scan_first);
}

/* A client probe, to any port: scan.service_sweep's if it is TCP
 * (xh_tcp_probe()) to a watched port, and scan.port_scan's, TCP or UDP
 * (xh_udp_probe()). Called by
 * xh_window_rules() (bpf/kerberos.bpf.h). The loader keeps SMB's ports out
 * of the service sweep's (they are scan.smb_sweep's). Returns the events
 * it made. */
static __always_inline int xh_probe(struct xdp_md *ctx, const struct xh_pkt *pkt)
{
	int n = 0;

	if (xh_cfg_svcsweep_threshold && pkt->proto == IPPROTO_TCP && xh_svcsweep_port(pkt->dport))
		n += xh_svcsweep(ctx, pkt);
	if (xh_cfg_portscan_threshold)
		n += xh_portscan(ctx, pkt);
	return n;
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
	return xh_window_event(ctx, &w->pkt, 0, XH_SVC_SMB, XH_RULE_SMB_BRUTE_FORCE, old + n,
			       xh_cfg_brute_threshold, xh_cfg_brute_window_ns, 0, stats);
}

#endif /* XH_SWEEP_BPF_H */
