/* SPDX-License-Identifier: GPL-2.0 */
/* nrt_map_int.h: the native runtime's map internals, shared by nrt_map.c
 * (arrays, hash, LRU hash, the helpers' and the syscall's view), nrt_lpm.c
 * and nrt_ringbuf.c; not for other modules. The hash and the bucket probe
 * are inline here: every map lookup of a replayed packet runs them. */
#ifndef NRT_MAP_INT_H
#define NRT_MAP_INT_H

#include <string.h>
#include <linux/bpf.h>
#include "nrt.h"

#define ROUND8(x) (((x) + 7u) & ~7u)

/* A hash entry: key (rounded to 8 bytes) then value, both 8-aligned. */
struct nrt_elem {
	struct nrt_elem *next;		      /* bucket chain */
	struct nrt_elem *lru_prev, *lru_next; /* LRU_HASH: most recent first */
	__u64 hash;
	_Alignas(8) unsigned char kv[];
};

struct nrt_hash {
	struct nrt_elem **buckets;
	__u32 n_buckets; /* a power of two */
	__u32 count;
	struct nrt_elem *lru_head, *lru_tail;
};

/* LPM: entries are kept in a hash by (prefixlen, masked address); a lookup
 * probes the prefix lengths present, longest first. */
#define NRT_LPM_MAXBITS 128

struct nrt_lpm {
	__u32 data_size; /* key_size - 4 */
	__u32 len_count[NRT_LPM_MAXBITS + 1];
	__u8 lens[NRT_LPM_MAXBITS + 1]; /* lengths present, descending */
	__u32 n_lens;
};

struct nrt_ringbuf {
	unsigned char *data;
	__u64 used; /* bytes reserved: 8-byte headers and 8-aligned samples */
	__u64 size;
};

/* Ring buffer record header, as the kernel's (BPF_RINGBUF_BUSY_BIT etc.). */
struct nrt_rb_hdr {
	__u32 len; /* sample length, with BPF_RINGBUF_BUSY_BIT / _DISCARD_BIT */
	__u32 pg_off;
};

struct nrt_map {
	struct nrt_map_array arr; /* first: nrt_map_lookup_inline() reads it */
	struct nrt_map_def def;
	long refs;
	struct nrt_map **slots; /* ARRAY_OF_MAPS */
	struct nrt_hash h;	/* HASH, LRU_HASH, LPM_TRIE */
	struct nrt_lpm lpm;
	struct nrt_ringbuf rb;
};

static inline __u64 hash_bytes(const void *p, size_t n)
{
	const unsigned char *c = p;
	__u64 h = 0x9e3779b97f4a7c15ULL ^ n, w;

	for (; n >= 8; n -= 8, c += 8) {
		memcpy(&w, c, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	if (n) {
		w = 0;
		memcpy(&w, c, n);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
	}
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 32);
}

static inline void *elem_value(const struct nrt_map *m, struct nrt_elem *e)
{
	return e->kv + ROUND8(m->def.key_size);
}

static inline struct nrt_elem *hash_find(const struct nrt_map *m, const void *key, __u64 h)
{
	struct nrt_elem *e = m->h.buckets[h & (m->h.n_buckets - 1)];

	for (; e; e = e->next)
		if (e->hash == h && !memcmp(e->kv, key, m->def.key_size))
			return e;
	return NULL;
}

/* Insert or replace (nrt_map.c); unlink and defer the free of @e. */
long nrt_hash_update(struct nrt_map *m, const void *key, const void *value, __u64 flags);
void nrt_hash_unlink(struct nrt_map *m, struct nrt_elem *e);

/* LPM_TRIE (nrt_lpm.c): entries live in the map's hash by (prefixlen,
 * masked data). */
struct nrt_elem *nrt_lpm_find(const struct nrt_map *m, const void *key);
long nrt_lpm_update(struct nrt_map *m, const void *key, const void *value, __u64 flags);
long nrt_lpm_delete(struct nrt_map *m, const void *key);

#endif /* NRT_MAP_INT_H */
