// SPDX-License-Identifier: GPL-2.0
/* xdphunt_drop.bpf.c: bench only. bpf/xdphunt.bpf.c unchanged, except that
 * every verdict it returns is XDP_DROP: the live benchmark measures "classify
 * then drop" (as the empty XDP_DROP baseline does), not the kernel stack that
 * would handle passed frames. The shipped object is built from
 * bpf/xdphunt.bpf.c alone and never drops. */
#include <linux/bpf.h>
#define XDP_PASS XDP_DROP
#include "xdphunt.bpf.c"
