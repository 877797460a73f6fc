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
 *    (every IPv6 address then goes to the trie). */
#ifndef XH_IOC_PF_H
#define XH_IOC_PF_H

#include <linux/types.h>

#define XH_PF4_WORDS	(1u << 18) /* 2^24 /24s, 64 per word: 2 MiB */
#define XH_PF6_BITS_LOG 21	   /* 2 Mi bits: 256 KiB, ~5 % full at 100k prefixes */
#define XH_PF6_WORDS	(1u << (XH_PF6_BITS_LOG - 6))
#define XH_PF6_BASE	XH_PF4_WORDS
#define XH_PFD_BITS_LOG 21 /* 256 KiB, ~12 % full at XH_IOCDOM_MAX domains */
#define XH_PFD_WORDS	(1u << (XH_PFD_BITS_LOG - 6))
#define XH_PFD_BASE	(XH_PF6_BASE + XH_PF6_WORDS)
#define XH_PF_FLAGS	(XH_PFD_BASE + XH_PFD_WORDS)
#define XH_PF_ENTRIES	(XH_PF_FLAGS + 1)
#define XH_PF_F6_ALL	1ull

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
