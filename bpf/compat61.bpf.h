/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* compat61.bpf.h: forms the Linux 6.1 verifier (Debian 12) can bound, where
 * clang 14's natural code passes only newer verifiers. Covered by
 * selftests/verifier/test_kernel_61.sh, which loads the object under 6.1. */
#ifndef XH_COMPAT61_BPF_H
#define XH_COMPAT61_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* XH_SIZE_NZ(len, max): @len, which the caller has checked is in [1, @max]
 * (@max a constant), as a helper's size argument (ARG_CONST_SIZE, never 0).
 * clang emits the check len >= 1 as len != 0, from which 6.1 learns no lower
 * bound, so it rejected the size as possibly 0 ("min value is outside of the
 * allowed memory range"). Masking with the next power of two less one is a
 * no-op on [1, max] that the barrier keeps clang from removing, and gives 6.1
 * the bounds [1, 2^k]; the clamp, behind a second barrier, brings the top
 * down to @max when @max is not a power of two. */
#define XH_POW2_MASK(max) ((max) <= 1 ? 0u : (~0u >> __builtin_clz((__u32)(max)-1)))
#define XH_SIZE_NZ(len, max)                                                                       \
	({                                                                                         \
		__u32 xh_sz_ = (len);                                                              \
		barrier_var(xh_sz_);                                                               \
		xh_sz_ = ((xh_sz_ - 1) & XH_POW2_MASK(max)) + 1;                                   \
		barrier_var(xh_sz_);                                                               \
		xh_sz_ > (max) ? (__u32)(max) : xh_sz_;                                            \
	})

/* The counter index of @reason (a count, or a -XH_*_CNT_* error), for
 * "if (r < MAX) counter[r]++". 64-bit and behind a barrier: the 6.1 verifier
 * drops every bound of a negation (even of a constant), and without the
 * barrier clang drops the caller's check, so the index was unbounded and the
 * program rejected. */
static __always_inline __u64 xh_reason_index(int reason)
{
	__u64 r = reason < 0 ? (__u64)(-(__s64)reason) : (__u64)reason;

	barrier_var(r);
	return r;
}

#endif /* XH_COMPAT61_BPF_H */
