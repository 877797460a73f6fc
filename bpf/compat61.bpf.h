/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* compat61.bpf.h: forms the Linux 6.1 verifier (Debian 12) can bound, where
 * clang 14's natural code passes only newer verifiers. Covered by
 * selftests/verifier/test_kernel_61.sh, which loads the object under 6.1. */
#ifndef XH_COMPAT61_BPF_H
#define XH_COMPAT61_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* XH_SIZE_NZ(len, max): @len, which the caller has checked is in [1, @max]
 * (@max a power of two), as a helper's size argument (ARG_CONST_SIZE, never
 * 0). clang emits the check len >= 1 as len != 0, from which 6.1 learns no
 * lower bound, so it rejected the size as possibly 0 ("min value is outside
 * of the allowed memory range"). The mask is a no-op on [1, max] that the
 * barrier keeps clang from removing, and gives 6.1 the bounds [1, max]. */
#define XH_SIZE_NZ(len, max)                                                                       \
	({                                                                                         \
		_Static_assert(((max) & ((max)-1)) == 0, "XH_SIZE_NZ: max is a power of two");     \
		__u32 xh_sz_ = (len);                                                              \
		barrier_var(xh_sz_);                                                               \
		((xh_sz_ - 1) & ((max)-1)) + 1;                                                    \
	})

#endif /* XH_COMPAT61_BPF_H */
