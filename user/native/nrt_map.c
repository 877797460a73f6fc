// SPDX-License-Identifier: GPL-2.0
/* nrt_map.c: the map types of the native runtime (nrt.h): arrays, hash and
 * LRU hash (chained, growing), array of maps, and the helpers' and the
 * syscall's view of every type; the LPM trie is in nrt_lpm.c, the ring
 * buffer in nrt_ringbuf.c. Semantics follow the kernel's
 * (kernel/bpf/{arraymap,hashtab,lpm_trie,ringbuf}.c) where a program or the
 * loader can tell the difference; see the comments where they differ. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/bpf.h>
#include "nrt_map_int.h"

/* Entries unlinked during a program run, freed by nrt_quiesce(). */
static struct nrt_elem *deferred;

const struct nrt_map_def *nrt_map_def(const struct nrt_map *m)
{
	return &m->def;
}

static int is_hash(const struct nrt_map *m)
{
	return m->def.type == BPF_MAP_TYPE_HASH || m->def.type == BPF_MAP_TYPE_LRU_HASH ||
	       m->def.type == BPF_MAP_TYPE_LPM_TRIE;
}

__u32 nrt_map_count(const struct nrt_map *m)
{
	__u32 n = 0;

	if (is_hash(m))
		return m->h.count;
	if (m->def.type == BPF_MAP_TYPE_ARRAY_OF_MAPS)
		for (__u32 i = 0; i < m->def.max_entries; i++)
			n += m->slots[i] != NULL;
	return n;
}

struct nrt_map *nrt_map__new(const struct nrt_map_def *def)
{
	struct nrt_map *m;
	int err = EINVAL;

	if (!def->max_entries)
		goto fail;
	m = calloc(1, sizeof(*m));
	if (!m) {
		err = ENOMEM;
		goto fail;
	}
	m->def = *def;
	m->refs = 1;
	switch (def->type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		if (def->key_size != 4 || !def->value_size)
			goto inval;
		m->arr.elem_size = ROUND8(def->value_size);
		m->arr.max_entries = def->max_entries;
		m->arr.array = calloc(def->max_entries, m->arr.elem_size);
		if (!m->arr.array)
			goto nomem;
		break;
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		if (def->key_size != 4 || def->value_size != 4)
			goto inval;
		m->slots = calloc(def->max_entries, sizeof(*m->slots));
		if (!m->slots)
			goto nomem;
		break;
	case BPF_MAP_TYPE_LPM_TRIE:
		/* As the kernel: a __u32 prefixlen then 1..256 bytes of data;
		 * this runtime stops at 128 bits, all xdphunt needs. */
		if (def->key_size <= 4 || def->key_size - 4 > NRT_LPM_MAXBITS / 8 ||
		    !def->value_size)
			goto inval;
		m->lpm.data_size = def->key_size - 4;
		/* fall through */
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
		if (!def->key_size || !def->value_size)
			goto inval;
		m->h.n_buckets = 64;
		m->h.buckets = calloc(m->h.n_buckets, sizeof(*m->h.buckets));
		if (!m->h.buckets)
			goto nomem;
		break;
	case BPF_MAP_TYPE_RINGBUF:
		if (def->key_size || def->value_size || def->max_entries < 4096 ||
		    (def->max_entries & (def->max_entries - 1)))
			goto inval;
		m->rb.size = def->max_entries;
		m->rb.data = malloc(m->rb.size);
		if (!m->rb.data)
			goto nomem;
		break;
	default:
		err = EOPNOTSUPP;
		free(m);
		goto fail;
	}
	return m;
nomem:
	err = ENOMEM;
inval:
	nrt_map__put(m);
fail:
	errno = err;
	return NULL;
}

struct nrt_map *nrt_map__get(struct nrt_map *m)
{
	if (m)
		m->refs++;
	return m;
}

void nrt_map__put(struct nrt_map *m)
{
	if (!m || --m->refs > 0)
		return;
	if (m->h.buckets) {
		for (__u32 b = 0; b < m->h.n_buckets; b++) {
			struct nrt_elem *e = m->h.buckets[b], *n;

			for (; e; e = n) {
				n = e->next;
				free(e);
			}
		}
	}
	if (m->slots)
		for (__u32 i = 0; i < m->def.max_entries; i++)
			nrt_map__put(m->slots[i]);
	free(m->h.buckets);
	free(m->slots);
	free(m->arr.array);
	free(m->rb.data);
	free(m);
}

void nrt_quiesce(void)
{
	struct nrt_elem *e = deferred, *n;

	for (; e; e = n) {
		n = e->next;
		free(e);
	}
	deferred = NULL;
}

/* ---- hash ---- */

static void lru_unlink(struct nrt_hash *h, struct nrt_elem *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		h->lru_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		h->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void lru_push(struct nrt_hash *h, struct nrt_elem *e)
{
	e->lru_prev = NULL;
	e->lru_next = h->lru_head;
	if (h->lru_head)
		h->lru_head->lru_prev = e;
	h->lru_head = e;
	if (!h->lru_tail)
		h->lru_tail = e;
}

/* Unlink @e from its bucket (and the LRU list) and defer its free. */
void nrt_hash_unlink(struct nrt_map *m, struct nrt_elem *e)
{
	struct nrt_elem **pp = &m->h.buckets[e->hash & (m->h.n_buckets - 1)];

	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	if (m->def.type == BPF_MAP_TYPE_LRU_HASH)
		lru_unlink(&m->h, e);
	m->h.count--;
	e->next = deferred;
	deferred = e;
}

static void hash_link(struct nrt_map *m, struct nrt_elem *e)
{
	struct nrt_elem **b = &m->h.buckets[e->hash & (m->h.n_buckets - 1)];

	e->next = *b;
	*b = e;
	if (m->def.type == BPF_MAP_TYPE_LRU_HASH)
		lru_push(&m->h, e);
	m->h.count++;
}

/* Double the buckets once the chains would average more than one entry. */
static void hash_grow(struct nrt_map *m)
{
	__u32 n = m->h.n_buckets * 2;
	struct nrt_elem **nb;

	if (m->h.count < m->h.n_buckets || n > (1u << 30))
		return;
	nb = calloc(n, sizeof(*nb));
	if (!nb)
		return; /* longer chains, still correct */
	for (__u32 b = 0; b < m->h.n_buckets; b++) {
		struct nrt_elem *e = m->h.buckets[b], *next;

		for (; e; e = next) {
			next = e->next;
			e->next = nb[e->hash & (n - 1)];
			nb[e->hash & (n - 1)] = e;
		}
	}
	free(m->h.buckets);
	m->h.buckets = nb;
	m->h.n_buckets = n;
}

/* Insert or replace. A replaced entry is unlinked and freed at
 * nrt_quiesce(), so a program still holding its value pointer reads the old
 * value, as with the kernel's hash maps. LRU_HASH evicts its least recently
 * used entry when full; the kernel's LRU is approximate (per-CPU free lists,
 * reference bits) and may evict earlier: any bounded eviction is within its
 * contract. */
long nrt_hash_update(struct nrt_map *m, const void *key, const void *value, __u64 flags)
{
	__u64 h = hash_bytes(key, m->def.key_size);
	struct nrt_elem *old = hash_find(m, key, h), *e;

	if (flags > BPF_EXIST)
		return -EINVAL;
	if (old && flags == BPF_NOEXIST)
		return -EEXIST;
	if (!old && flags == BPF_EXIST)
		return -ENOENT;
	if (!old && m->h.count >= m->def.max_entries) {
		if (m->def.type != BPF_MAP_TYPE_LRU_HASH)
			return m->def.type == BPF_MAP_TYPE_LPM_TRIE ? -ENOSPC : -E2BIG;
		nrt_hash_unlink(m, m->h.lru_tail);
	}
	e = malloc(sizeof(*e) + ROUND8(m->def.key_size) + m->def.value_size);
	if (!e)
		return -ENOMEM;
	memset(e, 0, sizeof(*e));
	e->hash = h;
	memcpy(e->kv, key, m->def.key_size);
	memcpy(elem_value(m, e), value, m->def.value_size);
	if (old)
		nrt_hash_unlink(m, old);
	else
		hash_grow(m);
	hash_link(m, e);
	return 0;
}

static struct nrt_elem *hash_next(const struct nrt_map *m, const void *key)
{
	__u32 b = 0;

	if (key) {
		__u64 h = hash_bytes(key, m->def.key_size);
		struct nrt_elem *e = hash_find(m, key, h);

		/* As the kernel: an unknown key restarts from the first. */
		if (e && e->next)
			return e->next;
		if (e)
			b = (__u32)(h & (m->h.n_buckets - 1)) + 1;
	}
	for (; b < m->h.n_buckets; b++)
		if (m->h.buckets[b])
			return m->h.buckets[b];
	return NULL;
}

/* ---- the helpers' view ---- */

void *nrt_map_lookup(struct nrt_map *m, const void *key)
{
	struct nrt_elem *e;
	__u32 i;

	switch (m->def.type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		return nrt_map_array_elem(&m->arr, key);
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		memcpy(&i, key, 4);
		return i < m->def.max_entries && m->slots[i] ? &m->slots[i] : NULL;
	case BPF_MAP_TYPE_HASH:
		e = hash_find(m, key, hash_bytes(key, m->def.key_size));
		return e ? elem_value(m, e) : NULL;
	case BPF_MAP_TYPE_LRU_HASH:
		e = hash_find(m, key, hash_bytes(key, m->def.key_size));
		if (!e)
			return NULL;
		lru_unlink(&m->h, e);
		lru_push(&m->h, e);
		return elem_value(m, e);
	case BPF_MAP_TYPE_LPM_TRIE:
		e = nrt_lpm_find(m, key);
		return e ? elem_value(m, e) : NULL;
	default:
		return NULL;
	}
}

long nrt_map_update(struct nrt_map *m, const void *key, const void *value, __u64 flags)
{
	__u32 i;

	switch (m->def.type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		if (flags > BPF_EXIST)
			return -EINVAL;
		memcpy(&i, key, 4);
		if (i >= m->def.max_entries)
			return -E2BIG;
		if (flags == BPF_NOEXIST)
			return -EEXIST; /* array entries always exist */
		if (m->def.type == BPF_MAP_TYPE_ARRAY_OF_MAPS) {
			struct nrt_map *inner = *(struct nrt_map *const *)value;

			if (!inner)
				return -EINVAL;
			nrt_map__get(inner);
			nrt_map__put(m->slots[i]);
			m->slots[i] = inner;
		} else {
			memcpy(nrt_map_array_elem(&m->arr, key), value, m->def.value_size);
		}
		return 0;
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
		return nrt_hash_update(m, key, value, flags);
	case BPF_MAP_TYPE_LPM_TRIE:
		return nrt_lpm_update(m, key, value, flags);
	default:
		return -EINVAL;
	}
}

long nrt_map_delete(struct nrt_map *m, const void *key)
{
	struct nrt_elem *e;
	__u32 i;

	switch (m->def.type) {
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		memcpy(&i, key, 4);
		if (i >= m->def.max_entries)
			return -E2BIG;
		if (!m->slots[i])
			return -ENOENT;
		nrt_map__put(m->slots[i]);
		m->slots[i] = NULL;
		return 0;
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
		e = hash_find(m, key, hash_bytes(key, m->def.key_size));
		if (!e)
			return -ENOENT;
		nrt_hash_unlink(m, e);
		return 0;
	case BPF_MAP_TYPE_LPM_TRIE:
		return nrt_lpm_delete(m, key);
	default:
		return -EINVAL; /* arrays cannot delete */
	}
}

/* ---- the syscall's view ---- */

int nrt_map_lookup_copy(struct nrt_map *m, const void *key, void *value)
{
	void *v;

	if (m->def.type == BPF_MAP_TYPE_RINGBUF)
		return -EINVAL;
	if (m->def.type == BPF_MAP_TYPE_ARRAY_OF_MAPS)
		return -EOPNOTSUPP; /* the kernel returns map ids, which do not exist here */
	v = nrt_map_lookup(m, key);
	if (!v)
		return -ENOENT;
	memcpy(value, v, m->def.value_size);
	return 0;
}

int nrt_map_get_next_key(struct nrt_map *m, const void *key, void *next_key)
{
	struct nrt_elem *e;
	__u32 i = 0, n;

	switch (m->def.type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		if (key) {
			memcpy(&i, key, 4);
			i = i >= m->def.max_entries ? 0 : i + 1;
		}
		if (i >= m->def.max_entries)
			return -ENOENT;
		n = i;
		memcpy(next_key, &n, 4);
		return 0;
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
		e = hash_next(m, key);
		if (!e)
			return -ENOENT;
		memcpy(next_key, e->kv, m->def.key_size);
		return 0;
	default:
		return -EINVAL;
	}
}

int nrt_map_lookup_batch(struct nrt_map *m, const __u32 *in, __u32 *out, void *keys, void *values,
			 __u32 *count)
{
	__u32 b = in ? *in : 0, max = *count, n = 0, in_bucket;
	struct nrt_elem *e;

	*count = 0;
	if (m->def.type == BPF_MAP_TYPE_ARRAY) {
		/* As the kernel's generic batch: the batch token is the index. */
		for (; b < m->def.max_entries && n < max; b++, n++) {
			memcpy((char *)keys + (size_t)n * 4, &b, 4);
			memcpy((char *)values + (size_t)n * m->def.value_size,
			       nrt_map_array_elem(&m->arr, &b), m->def.value_size);
		}
		*count = n;
		*out = b;
		return b >= m->def.max_entries ? -ENOENT : 0;
	}
	if (m->def.type != BPF_MAP_TYPE_HASH && m->def.type != BPF_MAP_TYPE_LRU_HASH)
		return -EINVAL;
	for (; b < m->h.n_buckets; b++) {
		in_bucket = 0;
		for (e = m->h.buckets[b]; e; e = e->next)
			in_bucket++;
		if (n + in_bucket > max) {
			if (!n)
				return -ENOSPC;
			break;
		}
		for (e = m->h.buckets[b]; e; e = e->next, n++) {
			memcpy((char *)keys + (size_t)n * m->def.key_size, e->kv, m->def.key_size);
			memcpy((char *)values + (size_t)n * m->def.value_size, elem_value(m, e),
			       m->def.value_size);
		}
	}
	*count = n;
	*out = b;
	return b >= m->h.n_buckets ? -ENOENT : 0;
}

/* ---- helpers without a map ---- */

__u64 nrt_ktime_get_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

long nrt_loop(__u32 nr, long (*cb)(__u32 index, void *ctx), void *ctx, __u64 flags)
{
	__u32 i;

	/* As the kernel: at most 1 << 23 iterations, no flags. */
	if (flags || nr > (1u << 23))
		return -EINVAL;
	for (i = 0; i < nr;) {
		long r = cb(i++, ctx);

		if (r)
			break;
	}
	return i;
}
