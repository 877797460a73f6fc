/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* name.h: domain-name suffix hashing shared by the kernel (DNS / TLS SNI
 * matching) and userspace (building xh_iocdom). Pure: no maps or helpers, so
 * the unit tests and user/ioc_maps.c compile it natively.
 *
 * A name matches an IoC domain when the domain is the name or one of its
 * parents ("evil.example" covers "a.b.evil.example"), case-insensitively. The
 * kernel cannot compare strings against a set, so it hashes every suffix that
 * starts at a label boundary and looks the hashes up; userspace re-checks the
 * real name against the indicator before reporting (a hash collision is
 * counted, never reported).
 */
#ifndef XH_NAME_H
#define XH_NAME_H

#include <linux/types.h>
#include "xh_abi.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define XH_FNV64_OFFSET	 0xcbf29ce484222325ULL
#define XH_FNV64_PRIME	 0x100000001b3ULL
#define XH_NAME_MASK	 (XH_NAME_MAX - 1) /* XH_NAME_MAX is a power of two */
#define XH_NAME_TEXT_MAX 253		   /* longest name as dotted text */

/* Payload bytes copied for DNS/TLS inspection; a power of two so that a
 * masked index is in bounds for the verifier. */
#define XH_SCRATCH_PKT	    2048
#define XH_SCRATCH_PKT_MASK (XH_SCRATCH_PKT - 1)

static __always_inline __u8 xh_lower(__u8 c)
{
	return (c >= 'A' && c <= 'Z') ? (__u8)(c + ('a' - 'A')) : c;
}

/* Suffix hashes of the dotted name @name (@len bytes, <= XH_NAME_TEXT_MAX):
 * walking from the last byte backwards, the FNV-1a 64 hash of the lower-cased
 * bytes read so far is taken at every label start, so hash[0] covers the last
 * label ("example"), hash[1] "evil.example", and so on; off[k] is where
 * suffix k starts. At most XH_NAME_SUFFIX_MAX hashes (the shortest suffixes:
 * IoC domains have at most that many labels).
 *
 * One byte per xh_name_hash_step() call, so that BPF runs it under bpf_loop().
 * The position comes from the loop index, not from the walk state: kernel
 * 6.18 verifies bpf_loop() callbacks until their state converges, and a
 * position kept in the state (a pointer offset, so tracked exactly) never
 * converged (1M instructions); the index is an unknown scalar there. */
struct xh_hash_walk {
	__u64 h;
	__u32 len; /* name length */
	__u32 n;   /* hashes written */
};

static __always_inline void xh_name_hash_begin(struct xh_hash_walk *w, __u32 len)
{
	w->h = XH_FNV64_OFFSET;
	w->len = len > XH_NAME_TEXT_MAX ? 0 : len;
	w->n = 0;
}

/* Hash byte number @k from the end. Returns 0 to go on, 1 when done. */
static __always_inline int xh_name_hash_step(struct xh_hash_walk *w, __u32 k, const __u8 *name,
					     __u64 *hash, __u16 *off)
{
	__u32 i, n;

	if (k >= w->len || k >= XH_NAME_TEXT_MAX)
		return 1;
	i = w->len - 1 - k;
	w->h ^= xh_lower(name[i & XH_NAME_MASK]);
	w->h *= XH_FNV64_PRIME;
	if (i == 0 || name[(i - 1) & XH_NAME_MASK] == '.') {
		n = w->n;
		if (n >= XH_NAME_SUFFIX_MAX)
			return 1;
		hash[n] = w->h;
		off[n] = (__u16)i;
		w->n = n + 1;
	}
	return 0;
}

/* The whole walk (userspace and tests). Returns the number of hashes. */
static __always_inline __u32 xh_name_suffixes(const __u8 *name, __u32 len, __u64 *hash, __u16 *off)
{
	struct xh_hash_walk w;

	xh_name_hash_begin(&w, len);
	for (__u32 k = 0; k <= XH_NAME_TEXT_MAX; k++)
		if (xh_name_hash_step(&w, k, name, hash, off))
			break;
	return w.n;
}

#endif /* XH_NAME_H */
