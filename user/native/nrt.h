/* SPDX-License-Identifier: GPL-2.0 */
/* nrt.h: the native runtime: BPF maps and helpers in userspace, so that
 * bpf/xdphunt.bpf.c compiles as ordinary C (the `replay --engine native`
 * engine, and a harness for fuzzers). Single-threaded: one "CPU". Included
 * by the BPF program (through include/bpf/bpf_helpers.h), so it uses only
 * <linux/types.h> and <stddef.h>. */
#ifndef XH_NRT_H
#define XH_NRT_H

#include <stddef.h>
#include <linux/types.h>

struct nrt_map;

/* The XDP context of a native run. The UAPI struct xdp_md holds data and
 * data_end as __u32, which the verifier rewrites into pointers; natively
 * they must be as wide as a pointer. prelude.h makes the program's
 * `struct xdp_md` this one. */
struct nrt_xdp_md {
	__u64 data;
	__u64 data_end;
	__u64 data_meta;
	__u32 ingress_ifindex;
	__u32 rx_queue_index;
	__u32 egress_ifindex;
	/* Not the UAPI's: the end of the whole frame, past data_end when it
	 * goes on in (what the kernel would make) XDP fragments. */
	__u64 buff_end;
};

/* What bpf_map_create() takes. Types: ARRAY, PERCPU_ARRAY, HASH, LRU_HASH,
 * LPM_TRIE, ARRAY_OF_MAPS, RINGBUF (max_entries = bytes, a power of two). */
struct nrt_map_def {
	__u32 type; /* enum bpf_map_type */
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 map_flags;
};

/* A new map with one reference. NULL and errno (EINVAL: a bad definition,
 * EOPNOTSUPP: a type this runtime does not have, ENOMEM). */
struct nrt_map *nrt_map__new(const struct nrt_map_def *def);
/* Take / drop a reference; the last put frees the map (accepts NULL). */
struct nrt_map *nrt_map__get(struct nrt_map *m);
void nrt_map__put(struct nrt_map *m);
const struct nrt_map_def *nrt_map_def(const struct nrt_map *m);
/* Entries held (hash, LRU, LPM, filled ARRAY_OF_MAPS slots). */
__u32 nrt_map_count(const struct nrt_map *m);

/* The BPF program's view: the helpers of the same name. A lookup returns
 * a pointer into the map that stays valid until nrt_quiesce(), even if the
 * entry is deleted or replaced meanwhile (the kernel's RCU guarantee for one
 * program run). For ARRAY_OF_MAPS, lookup returns a pointer to the slot
 * (which holds a struct nrt_map *, see nrt_map_of()) or NULL when it is
 * empty, and update takes a struct nrt_map ** as value.
 * update/delete return 0 or -errno as the helpers do. */
void *nrt_map_lookup(struct nrt_map *m, const void *key);
long nrt_map_update(struct nrt_map *m, const void *key, const void *value, __u64 flags);
long nrt_map_delete(struct nrt_map *m, const void *key);

/* The syscall's view (bpf(BPF_MAP_*_ELEM)): copy the value out; iterate.
 * Return 0 or -errno (-ENOENT at the end of an iteration). */
int nrt_map_lookup_copy(struct nrt_map *m, const void *key, void *value);
int nrt_map_get_next_key(struct nrt_map *m, const void *key, void *next_key);
/* BPF_MAP_LOOKUP_BATCH of a hash, as the kernel's: whole buckets from
 * bucket *@in (NULL: the first), up to *@count entries into @keys and
 * @values; *@out is where the next batch starts and *@count what this one
 * holds. -ENOENT when no bucket is left after it (entries may still have
 * been returned), -ENOSPC when one bucket does not fit *@count. Of an array,
 * the same by index (the kernel's generic batch). -EINVAL for other map
 * types. */
int nrt_map_lookup_batch(struct nrt_map *m, const __u32 *in, __u32 *out, void *keys, void *values,
			 __u32 *count);

/* Ring buffer: reserve/submit/discard/query as the helpers; the consumer
 * side drains every submitted record, in order, into @cb (libbpf's
 * ring_buffer_sample_fn). A negative return of @cb stops the drain and is
 * returned; the records after it are dropped. Else returns the count. */
void *nrt_ringbuf_reserve(struct nrt_map *m, __u64 size, __u64 flags);
void nrt_ringbuf_submit(void *sample, __u64 flags);
void nrt_ringbuf_discard(void *sample, __u64 flags);
__u64 nrt_ringbuf_query(struct nrt_map *m, __u64 flags);
int nrt_ringbuf_drain(struct nrt_map *m, int (*cb)(void *ctx, void *data, size_t size), void *ctx);

/* End of a program run: free what was deleted, replaced or evicted during
 * it (the RCU grace period). */
void nrt_quiesce(void);

/* The map behind what a BPF program passes as `map`: the address of a map
 * definition (whose first 8 bytes the engine set to its struct nrt_map *,
 * see user/native/engine.c) or a slot returned by an ARRAY_OF_MAPS lookup. */
static inline struct nrt_map *nrt_map_of(const void *map)
{
	return *(struct nrt_map *const *)map;
}

/* What an ARRAY or PERCPU_ARRAY lookup reads, first in every struct
 * nrt_map (@array NULL for the other types). The kernel's verifier inlines
 * these lookups into the program; here the call into nrt_map_lookup() and
 * its switch on the type were a sixth of `replay --engine native` (perf,
 * make bench's 1M-packet mix: a plain packet looks up five arrays). */
struct nrt_map_array {
	unsigned char *array;
	__u32 max_entries;
	__u32 elem_size; /* value_size rounded up to 8 */
};

/* Element @key (a __u32 index) of array @a, or NULL past its end. */
static inline void *nrt_map_array_elem(const struct nrt_map_array *a, const void *key)
{
	__u32 i;

	__builtin_memcpy(&i, key, 4);
	return i < a->max_entries ? a->array + (size_t)i * a->elem_size : NULL;
}

/* nrt_map_lookup() with the array case inline, for the program's helper. */
static inline void *nrt_map_lookup_inline(struct nrt_map *m, const void *key)
{
	const struct nrt_map_array *a = (const struct nrt_map_array *)m;

	return a->array ? nrt_map_array_elem(a, key) : nrt_map_lookup(m, key);
}

/* Helpers without a map. */
__u64 nrt_ktime_get_ns(void);
long nrt_loop(__u32 nr, long (*cb)(__u32 index, void *ctx), void *ctx, __u64 flags);

#endif /* XH_NRT_H */
