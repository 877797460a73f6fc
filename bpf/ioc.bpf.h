/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* ioc.bpf.h: IoC address matching (LPM, address:port) through the swappable
 * inner maps of xh_ioc4 / xh_ioc6 / xh_iocport. Names: ioc_name.bpf.h. */
#ifndef XH_IOC_BPF_H
#define XH_IOC_BPF_H

#include "maps.bpf.h"
#include "parse.h"
#include "ioc_pf.h"

/* The tries' recent answers, per CPU (bpf/ioc_pf.h struct xh_ioc_cache). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xh_ioc_cache);
} xh_ioc_cache SEC(".maps");

/* The tag of the installed prefilter @pf (XH_PF_TAG), 0 when there is none:
 * the tries are being swapped, or the prefilter could not be made. Nothing
 * is cached, or taken from the cache, without one. */
static __always_inline __u32 xh_ioc_pf_tag(void *pf)
{
	__u32 key = XH_PF_TAG;
	__u64 *w;

	if (!pf)
		return 0;
	w = bpf_map_lookup_elem(pf, &key);
	return w ? (__u32)*w : 0;
}

/* Is bit @bit of the prefilter @pf set? A lookup that fails says "maybe". */
static __always_inline int xh_ioc_pf_bit(void *pf, __u32 base, __u32 bit)
{
	__u32 key = base + (bit >> 6);
	__u64 *w = bpf_map_lookup_elem(pf, &key);

	return !w || ((*w >> (bit & 63)) & 1);
}

/* 0 when the prefilter @pf (the xh_iocpf slot, NULL when empty) says no
 * prefix can cover @addr, 1 when the tries must decide (bpf/ioc_pf.h). */
static __always_inline int xh_ioc_maybe(void *pf, __u8 family, const __be32 *addr)
{
	__u32 key = XH_PF_FLAGS;
	__u64 hi, *w;

	if (!pf)
		return 1;
	if (family == XH_AF_INET)
		return xh_ioc_pf_bit(pf, 0, xh_pf4_bit(bpf_ntohl(addr[0])));
	w = bpf_map_lookup_elem(pf, &key);
	if (!w || (*w & XH_PF_F6_ALL))
		return 1;
	hi = ((__u64)bpf_ntohl(addr[0]) << 32) | bpf_ntohl(addr[1]);
	return xh_ioc_pf_bit(pf, XH_PF6_BASE, xh_pf6_bit48(hi)) ||
	       xh_ioc_pf_bit(pf, XH_PF6_BASE, xh_pf6_bit32(hi));
}

/* 0 when the prefilter @pf says no IoC domain has the suffix hash @h. */
static __always_inline int xh_ioc_dom_maybe(void *pf, __u64 h)
{
	return !pf || xh_ioc_pf_bit(pf, XH_PFD_BASE, xh_pfd_bit(h));
}

/* IoC reference of the address @addr seen with port @port (network order;
 * @l4 is 0 when the packet has no ports; @proto its IP protocol), or 0. A
 * plain prefix matches any port; an address:port indicator only its port,
 * for TCP and UDP (the LPM value says XH_IOC_F_PORT, then xh_iocport
 * decides). An empty outer slot (nothing loaded yet) is counted and matches
 * nothing. @pf is the prefilter, looked up by the caller before the tries
 * (the order user/ioc_maps.c relies on).
 * @known: nonzero when the caller has the prefilter's answer already,
 * @known & @yes (non-zero) when it lets @addr through. Tested as they come,
 * not turned into flags: constants kept across the tries made the verifier
 * walk their code once per combination. */
static __always_inline __u32 xh_ioc_addr(void *pf, __u32 known, __u32 yes, __u8 family,
					 const __be32 *addr, __be16 port, int l4, __u8 proto,
					 struct xh_stats *stats)
{
	struct xh_ioc_cache_slot *slot = NULL;
	struct xh_ioc_cache *cache;
	__u32 zero = 0, r, *ref, tag;
	void *inner;

	if (known) {
		if (!(known & yes))
			return 0;
	} else if (!xh_ioc_maybe(pf, family, addr)) {
		return 0;
	}
	/* The trie's answer as this CPU last had it under the same
	 * prefilter, if the address still holds its slot. All four words
	 * are compared and kept: an IPv4 parse leaves the other three 0
	 * (struct xh_pkt). */
	tag = xh_ioc_pf_tag(pf);
	cache = bpf_map_lookup_elem(&xh_ioc_cache, &zero);
	if (tag && cache) {
		slot = &cache->slot[xh_ioc_cache_slot(addr, family) & (XH_IOCC_SLOTS - 1)];
		if (slot->tag == tag && slot->family == family && slot->addr[0] == addr[0] &&
		    slot->addr[1] == addr[1] && slot->addr[2] == addr[2] &&
		    slot->addr[3] == addr[3]) {
			r = slot->val;
			stats->ioc[XH_IOC_CNT_ADDR_CACHED]++;
			goto port;
		}
	}
	if (family == XH_AF_INET) {
		struct xh_lpm4_key k4 = {.prefixlen = 32, .addr = addr[0]};

		inner = bpf_map_lookup_elem(&xh_ioc4, &zero);
		if (!inner) {
			stats->ioc[XH_IOC_CNT_NO_SET]++;
			return 0;
		}
		ref = bpf_map_lookup_elem(inner, &k4);
	} else {
		struct xh_lpm6_key k6 = {.prefixlen = 128};

		__builtin_memcpy(k6.addr, addr, sizeof(k6.addr));
		inner = bpf_map_lookup_elem(&xh_ioc6, &zero);
		if (!inner) {
			stats->ioc[XH_IOC_CNT_NO_SET]++;
			return 0;
		}
		ref = bpf_map_lookup_elem(inner, &k6);
	}
	r = ref ? *ref : 0;
	stats->ioc[XH_IOC_CNT_ADDR_WALKED]++;
	if (slot) {
		/* Per CPU: a CPU runs one packet at a time, as the parse
		 * scratch (xh_pktscr) assumes too. */
		slot->tag = tag;
		slot->family = family;
		__builtin_memcpy(slot->addr, addr, sizeof(slot->addr));
		slot->val = r;
	}
port:
	if (!r)
		return 0;
	if (r & XH_IOC_F_PORT) {
		struct xh_iocport_key pk = {};
		__u32 *pref = NULL;

		r &= ~XH_IOC_F_PORT;
		/* address:port indicators are for TCP and UDP: ICMP's
		 * "ports" are its type and code. Tested here, on the rare
		 * path: a flag made by the caller doubled the paths the
		 * verifier walks through both lookups (6.1: 260k -> 530k). */
		if (l4 && (proto == IPPROTO_TCP || proto == IPPROTO_UDP)) {
			__builtin_memcpy(pk.addr, addr, sizeof(pk.addr));
			pk.port = port;
			pk.family = family;
			inner = bpf_map_lookup_elem(&xh_iocport, &zero);
			if (inner)
				pref = bpf_map_lookup_elem(inner, &pk);
			if (pref)
				r = *pref;
		}
	}
	return (r & XH_IOC_ID_MASK) ? r : 0;
}

#endif /* XH_IOC_BPF_H */
