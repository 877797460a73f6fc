/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* ioc_pf.h: layout of the IoC prefilter, a bitmap in front of the LPM tries
 * that answers "certainly in no prefix" for most addresses with one array
 * word, so the common, non-matching packet skips both trie walks (a cache
 * miss per trie level, growing with the feed). It may say "maybe" for an
 * address no prefix covers (the tries then decide), never "no" for one a
 * prefix covers. Pure: userspace (user/ioc_pf.c) builds the bitmap with the
 * same functions bpf/ioc.bpf.h tests it with. Values are host order.
 *
 * One ARRAY of __u64 words (the verifier inlines its lookups, also through
 * the map-in-map slot xh_iocpf):
 *  - words [0, XH_PF4_WORDS): one bit per IPv4 /24. A prefix of /24../32
 *    sets the bit of its /24; a shorter one sets every /24 it covers.
 *  - words [XH_PF6_BASE, +XH_PF6_WORDS): 2^XH_PF6_BITS_LOG bits of IPv6,
 *    indexed by a hash of the address's first 48 bits (prefixes /48../128)
 *    or of its first 32 bits (prefixes /32../47); an address is tested at
 *    both. Collisions only cost a trie lookup.
 *  - words [XH_PFD_BASE, +XH_PFD_WORDS): 2^XH_PFD_BITS_LOG bits of domains,
 *    indexed by a hash of the bpf/name.h suffix hash of each IoC domain; a
 *    DNS/SNI name's suffix is looked up in xh_iocdom only when its bit is set.
 *  - word XH_PF_FLAGS: XH_PF_F6_ALL when an IPv6 prefix is shorter than /32
 *    (every IPv6 address then goes to the trie).
 *  - word XH_PF_TAG: this prefilter's tag, never 0 and new at every install
 *    (user/ioc_prefilter.c). A packet that reads a prefilter reads the tries
 *    installed with it (user/ioc_maps.c), so a trie answer cached under this
 *    tag (struct xh_ioc_cache, below) is what those tries say. */
#ifndef XH_IOC_PF_H
#define XH_IOC_PF_H

#include <linux/types.h>
#include "xh_abi.h"

#define XH_PF4_WORDS	(1u << 18) /* 2^24 /24s, 64 per word: 2 MiB */
#define XH_PF6_BITS_LOG 21	   /* 2 Mi bits: 256 KiB, ~5 % full at 100k prefixes */
#define XH_PF6_WORDS	(1u << (XH_PF6_BITS_LOG - 6))
#define XH_PF6_BASE	XH_PF4_WORDS
#define XH_PFD_BITS_LOG 21 /* 256 KiB, ~12 % full at XH_IOCDOM_MAX domains */
#define XH_PFD_WORDS	(1u << (XH_PFD_BITS_LOG - 6))
#define XH_PFD_BASE	(XH_PF6_BASE + XH_PF6_WORDS)
#define XH_PF_FLAGS	(XH_PFD_BASE + XH_PFD_WORDS)
#define XH_PF_TAG	(XH_PF_FLAGS + 1)
#define XH_PF_ENTRIES	(XH_PF_TAG + 1)
#define XH_PF_F6_ALL	1ull

/* The answers of the IPv4 and IPv6 tries for the addresses a CPU looked up
 * last, one slot per hash of the address (xh_ioc_cache_slot()), in a
 * per-CPU array (bpf/ioc.bpf.h xh_ioc_cache). The prefilter lets through
 * the packets of IoC flows and those to or from the rest of a matching
 * prefix's /24; both kinds repeat addresses, and each answer from the
 * trie costs a cache miss per level of a trie that grows with the feed.
 * A slot counts only under the tag of the prefilter the packet read. */
#define XH_IOCC_SLOTS_LOG 10
#define XH_IOCC_SLOTS	  (1u << XH_IOCC_SLOTS_LOG)

struct xh_ioc_cache_slot {
	__be32 addr[4]; /* IPv4: addr[0], the rest 0 */
	__u32 tag;	/* XH_PF_TAG of the prefilter it was cached under; 0 = empty */
	__u32 val;	/* the trie's value (an IoC reference, bpf/ioc.bpf.h), 0 = none */
	__u8 family;	/* XH_AF_INET or XH_AF_INET6 */
	__u8 pad[7];
};

struct xh_ioc_cache {
	struct xh_ioc_cache_slot slot[XH_IOCC_SLOTS]; /* 32 KiB: the per-CPU value limit */
};

/* Slot of an address (network order words @addr, IPv4 in addr[0]):
 * Fibonacci hashing of the folded words. The fold of the halves first: a
 * multiply carries only upwards, and in network order the host part of
 * an IPv4 address sits in the word's top bits. */
static inline __u32 xh_ioc_cache_slot(const __be32 *addr, __u8 family)
{
	__u32 x = addr[0];

	if (family != XH_AF_INET)
		x ^= addr[1] ^ addr[2] ^ addr[3];
	x ^= x >> 16;
	return (x * 0x9e3779b1u) >> (32 - XH_IOCC_SLOTS_LOG);
}

/* Bit index of an IPv4 address (host order) among the XH_PF4_WORDS * 64. */
static inline __u32 xh_pf4_bit(__u32 addr)
{
	return addr >> 8;
}

/* Bit index (within the IPv6 part) for prefixes of /48 and longer, from the
 * first 64 address bits @hi (host order). Fibonacci hashing: the top bits of
 * a multiply by an odd 64-bit constant. */
static inline __u32 xh_pf6_bit48(__u64 hi)
{
	return (__u32)(((hi >> 16) * 0x9e3779b97f4a7c15ull) >> (64 - XH_PF6_BITS_LOG));
}

/* Same for prefixes of /32 to /47; another multiplier, so a /32 and a /48
 * sharing their first 32 bits do not land on related bits. */
static inline __u32 xh_pf6_bit32(__u64 hi)
{
	return (__u32)(((hi >> 32) * 0xc2b2ae3d27d4eb4full) >> (64 - XH_PF6_BITS_LOG));
}

/* Bit index (within the domain part) of a bpf/name.h suffix hash @h: FNV-1a's
 * top bits are poorly mixed for short names, so multiply again. */
static inline __u32 xh_pfd_bit(__u64 h)
{
	return (__u32)((h * 0x9e3779b97f4a7c15ull) >> (64 - XH_PFD_BITS_LOG));
}

#endif /* XH_IOC_PF_H */
