/* SPDX-License-Identifier: GPL-2.0 */
/* flowgen.h: what bench/flowgen.bpf.c and `xh_bench live --flows` share
 * (the skeleton names the struct but does not define it). */
#ifndef XH_BENCH_FLOWGEN_H
#define XH_BENCH_FLOWGEN_H

#include <linux/types.h>

#define FLOWGEN_CPUS 64 /* a power of two: the CPU id is masked to it */

/* One per CPU (each generator thread is pinned to one and sends its own
 * packet): its packet's source address, set by userspace before the run,
 * and the next flow. A cache line each, so the two threads never share one. */
struct flowgen_cpu {
	__u32 base; /* host order */
	__u32 next;
	__u8 pad[56];
};

#endif
