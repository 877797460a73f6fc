/* SPDX-License-Identifier: GPL-2.0 */
/* bpf_helpers.h for the native build (user/native/, nrt.h): found before
 * libbpf's on the include path when bpf/xdphunt.bpf.c is compiled as
 * ordinary C. Map definitions keep libbpf's layout (every member a pointer,
 * so a definition is at least 8 bytes: the engine stores its struct
 * nrt_map * there); each helper the program uses calls the runtime. Same
 * include guard as libbpf's, so only one of them is ever seen. */
#ifndef __BPF_HELPERS__
#define __BPF_HELPERS__

#include <stddef.h>
#include <linux/bpf.h>
#include "nrt.h"

#define __uint(name, val)  int(*name)[val]
#define __type(name, val)  typeof(val) *name
#define __array(name, val) typeof(val) *name[]

/* Sections mean nothing natively: the engine binds maps by name. */
#define SEC(name)

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#define __noinline __attribute__((noinline))
#define __weak	   __attribute__((weak))

static __always_inline void *bpf_map_lookup_elem(void *map, const void *key)
{
	return nrt_map_lookup_inline(nrt_map_of(map), key);
}

static __always_inline long bpf_map_update_elem(void *map, const void *key, const void *value,
						__u64 flags)
{
	return nrt_map_update(nrt_map_of(map), key, value, flags);
}

static __always_inline long bpf_map_delete_elem(void *map, const void *key)
{
	return nrt_map_delete(nrt_map_of(map), key);
}

static __always_inline void *bpf_ringbuf_reserve(void *ringbuf, __u64 size, __u64 flags)
{
	return nrt_ringbuf_reserve(nrt_map_of(ringbuf), size, flags);
}

static __always_inline void bpf_ringbuf_submit(void *data, __u64 flags)
{
	nrt_ringbuf_submit(data, flags);
}

static __always_inline void bpf_ringbuf_discard(void *data, __u64 flags)
{
	nrt_ringbuf_discard(data, flags);
}

static __always_inline __u64 bpf_ringbuf_query(void *ringbuf, __u64 flags)
{
	return nrt_ringbuf_query(nrt_map_of(ringbuf), flags);
}

static __always_inline __u64 bpf_ktime_get_ns(void)
{
	return nrt_ktime_get_ns();
}

/* The native engine runs a program on one thread: CPU 0. */
static __always_inline __u32 bpf_get_smp_processor_id(void)
{
	return 0;
}

/* The kernel's coarse clock is tick-resolution CLOCK_MONOTONIC; the flow
 * timestamps it feeds never reach an event, so the fine clock serves. */
static __always_inline __u64 bpf_ktime_get_coarse_ns(void)
{
	return nrt_ktime_get_ns();
}

static __always_inline long bpf_loop(__u32 nr_loops, long (*callback_fn)(__u32, void *), void *ctx,
				     __u64 flags)
{
	return nrt_loop(nr_loops, callback_fn, ctx, flags);
}

/* The frame is linear here (no fragments): bounds as the kernel's
 * bpf_xdp_load_bytes() (net/core/filter.c). */
static __always_inline long bpf_xdp_load_bytes(struct xdp_md *ctx, __u32 offset, void *buf,
					       __u32 len)
{
	__u64 size = ctx->buff_end - ctx->data;

	if (offset > 0xffff || len > 0xffff)
		return -14; /* -EFAULT */
	if ((__u64)offset + len > size)
		return -22; /* -EINVAL */
	__builtin_memcpy(buf, (const void *)(long)(ctx->data + offset), len);
	return 0;
}

/* The whole frame's length, its fragments' included. */
static __always_inline __u64 bpf_xdp_get_buff_len(struct xdp_md *ctx)
{
	return ctx->buff_end - ctx->data;
}

#endif /* __BPF_HELPERS__ */
