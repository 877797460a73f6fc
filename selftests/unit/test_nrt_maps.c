// SPDX-License-Identifier: GPL-2.0
/* test_nrt_maps.c: the map types of the native runtime (user/native/nrt.h)
 * behave as the kernel's where the program or the loader can tell. */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include "native/nrt.h"
#include "test.h"

struct lpm4 {
	__u32 plen;
	__u8 a[4];
};

struct lpm6 {
	__u32 plen;
	__u8 a[16];
};

static struct nrt_map *mk(__u32 type, __u32 ksz, __u32 vsz, __u32 max)
{
	struct nrt_map_def d = {type, ksz, vsz, max, 0};

	return nrt_map__new(&d);
}

static struct lpm4 k4(const char *ip, __u32 plen)
{
	struct lpm4 k = {.plen = plen};

	inet_pton(AF_INET, ip, k.a);
	return k;
}

/* The value the LPM lookup of @ip (as a /32 host) finds, or 0. */
static __u32 lpm4_get(struct nrt_map *m, const char *ip)
{
	struct lpm4 k = k4(ip, 32);
	__u32 *v = nrt_map_lookup(m, &k);

	return v ? *v : 0;
}

static void lpm4_put(struct nrt_map *m, const char *ip, __u32 plen, __u32 v)
{
	struct lpm4 k = k4(ip, plen);

	ASSERT_OK(nrt_map_update(m, &k, &v, BPF_ANY), "lpm insert");
}

void test_nrt_lpm4(void)
{
	struct nrt_map *m = mk(BPF_MAP_TYPE_LPM_TRIE, sizeof(struct lpm4), 4, 16);
	struct lpm4 k;
	__u32 v = 9, out = 0;

	if (!ASSERT_OK_PTR(m, "create"))
		return;
	ASSERT_EQ(lpm4_get(m, "10.1.2.3"), 0, "empty trie misses");
	lpm4_put(m, "10.0.0.0", 8, 8);
	lpm4_put(m, "10.1.0.0", 16, 16);
	lpm4_put(m, "10.1.2.0", 24, 24);
	lpm4_put(m, "10.1.2.3", 32, 32);
	ASSERT_EQ(lpm4_get(m, "10.1.2.3"), 32, "host route wins");
	ASSERT_EQ(lpm4_get(m, "10.1.2.4"), 24, "/24");
	ASSERT_EQ(lpm4_get(m, "10.1.3.4"), 16, "/16");
	ASSERT_EQ(lpm4_get(m, "10.2.0.1"), 8, "/8");
	ASSERT_EQ(lpm4_get(m, "11.0.0.1"), 0, "outside every prefix");
	/* Bits past the prefix length are ignored, on insert and on delete. */
	lpm4_put(m, "172.16.255.255", 12, 12);
	ASSERT_EQ(lpm4_get(m, "172.31.0.1"), 12, "/12, host bits of the inserted key ignored");
	ASSERT_EQ(lpm4_get(m, "172.32.0.1"), 0, "just past the /12");
	ASSERT_EQ(nrt_map_count(m), 5, "5 prefixes");
	/* The lookup key's own prefix length bounds the match. */
	k = k4("10.1.2.3", 20);
	ASSERT_EQ(*(__u32 *)nrt_map_lookup(m, &k), 16, "lookup as /20 finds the /16");
	/* The syscall view: the same longest-prefix lookup, copied out. */
	k = k4("10.1.2.99", 32);
	ASSERT_OK(nrt_map_lookup_copy(m, &k, &out), "lookup_copy");
	ASSERT_EQ(out, 24, "lookup_copy finds the /24");
	/* Delete is exact: a /24 key deletes the /24 only. */
	k = k4("10.1.2.77", 24);
	ASSERT_OK(nrt_map_delete(m, &k), "delete /24 (host bits ignored)");
	ASSERT_EQ(nrt_map_delete(m, &k), -ENOENT, "deleted twice");
	ASSERT_EQ(lpm4_get(m, "10.1.2.4"), 16, "after deleting the /24, the /16");
	ASSERT_EQ(lpm4_get(m, "10.1.2.3"), 32, "the /32 stays");
	/* Default route and bad lengths. */
	lpm4_put(m, "0.0.0.0", 0, 1);
	ASSERT_EQ(lpm4_get(m, "192.0.2.1"), 1, "default route");
	k = k4("10.0.0.0", 33);
	ASSERT_EQ(nrt_map_update(m, &k, &v, BPF_ANY), -EINVAL, "prefix length 33");
	ASSERT_NULL(nrt_map_lookup(m, &k), "lookup with prefix length 33");
	k = k4("10.0.0.0", 8);
	ASSERT_EQ(nrt_map_update(m, &k, &v, BPF_NOEXIST), -EEXIST, "NOEXIST on an existing prefix");
	k = k4("10.9.0.0", 16);
	ASSERT_EQ(nrt_map_update(m, &k, &v, BPF_EXIST), -ENOENT, "EXIST on a missing prefix");
	nrt_map__put(m);
	nrt_quiesce();
}

void test_nrt_lpm_bound_and_v6(void)
{
	struct nrt_map *m = mk(BPF_MAP_TYPE_LPM_TRIE, sizeof(struct lpm4), 4, 2);
	struct nrt_map *m6 = mk(BPF_MAP_TYPE_LPM_TRIE, sizeof(struct lpm6), 4, 8);
	struct lpm4 k = k4("192.0.2.0", 24);
	struct lpm6 k6 = {.plen = 48};
	__u32 v = 1, *got;
	int n = 0;

	if (!ASSERT_OK_PTR(m, "create v4") || !ASSERT_OK_PTR(m6, "create v6"))
		goto out;
	lpm4_put(m, "192.0.2.0", 24, 1);
	lpm4_put(m, "198.51.100.0", 24, 2);
	ASSERT_EQ(nrt_map_update(m, &k, &v, BPF_ANY), 0, "replacing in a full trie");
	k = k4("203.0.113.0", 24);
	ASSERT_EQ(nrt_map_update(m, &k, &v, BPF_ANY), -ENOSPC, "a third prefix in a 2-entry trie");
	/* Iteration visits every prefix once (how the loader clears maps). */
	for (int err = nrt_map_get_next_key(m, NULL, &k); !err;
	     err = nrt_map_get_next_key(m, &k, &k))
		n++;
	ASSERT_EQ(n, 2, "get_next_key visits both prefixes");

	inet_pton(AF_INET6, "2001:db8:bad::", k6.a);
	v = 48;
	ASSERT_OK(nrt_map_update(m6, &k6, &v, BPF_ANY), "v6 /48");
	k6.plen = 128;
	inet_pton(AF_INET6, "2001:db8:bad:1::5", k6.a);
	v = 128;
	ASSERT_OK(nrt_map_update(m6, &k6, &v, BPF_ANY), "v6 /128");
	got = nrt_map_lookup(m6, &k6);
	ASSERT_EQ(got ? *got : 0, 128, "v6 host");
	inet_pton(AF_INET6, "2001:db8:bad:1::6", k6.a);
	got = nrt_map_lookup(m6, &k6);
	ASSERT_EQ(got ? *got : 0, 48, "v6 neighbour of the host: the /48");
	inet_pton(AF_INET6, "2001:db8:bae::1", k6.a);
	ASSERT_NULL(nrt_map_lookup(m6, &k6), "v6 outside the /48");
out:
	nrt_map__put(m);
	nrt_map__put(m6);
	nrt_quiesce();
}

void test_nrt_hash(void)
{
	struct nrt_map *m = mk(BPF_MAP_TYPE_HASH, 8, 8, 1000);
	__u64 k, v, *p, *held;
	int n = 0;

	if (!ASSERT_OK_PTR(m, "create"))
		return;
	for (k = 0; k < 1000; k++) {
		v = k * 3;
		if (!ASSERT_OK(nrt_map_update(m, &k, &v, BPF_NOEXIST), "insert"))
			break;
	}
	ASSERT_EQ(nrt_map_count(m), 1000, "1000 entries (past several resizes)");
	k = 1000;
	ASSERT_EQ(nrt_map_update(m, &k, &v, BPF_ANY), -E2BIG, "a full HASH refuses");
	for (k = 0; k < 1000; k++) {
		p = nrt_map_lookup(m, &k);
		if (!ASSERT_OK_PTR(p, "lookup") || !ASSERT_EQ(*p, k * 3, "value"))
			break;
	}
	/* Replace: a value pointer taken before stays readable (the old value)
	 * until the run ends, as under RCU. */
	k = 7;
	held = nrt_map_lookup(m, &k);
	v = 70;
	ASSERT_OK(nrt_map_update(m, &k, &v, BPF_EXIST), "replace");
	ASSERT_EQ(*held, 21, "the old value pointer reads the old value");
	ASSERT_EQ(*(__u64 *)nrt_map_lookup(m, &k), 70, "the new value");
	ASSERT_OK(nrt_map_delete(m, &k), "delete");
	ASSERT_NULL(nrt_map_lookup(m, &k), "deleted");
	ASSERT_EQ(nrt_map_delete(m, &k), -ENOENT, "delete twice");
	nrt_quiesce();
	for (int err = nrt_map_get_next_key(m, NULL, &k); !err;
	     err = nrt_map_get_next_key(m, &k, &k))
		n++;
	ASSERT_EQ(n, 999, "get_next_key visits every entry once");
	/* The loader's clear: delete the first key until none is left. */
	while (nrt_map_get_next_key(m, NULL, &k) == 0 && n-- > 0)
		nrt_map_delete(m, &k);
	ASSERT_EQ(nrt_map_count(m), 0, "cleared");
	nrt_map__put(m);
	nrt_quiesce();
}

/* BPF_MAP_LOOKUP_BATCH as flow records use it (user/flowlog.c): batches
 * from a bucket token until -ENOENT, every entry once, key with its value. */
void test_nrt_hash_batch(void)
{
	struct nrt_map *m = mk(BPF_MAP_TYPE_LRU_HASH, 8, 8, 1000);
	struct nrt_map *a = mk(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4);
	__u64 k, v, keys[64], vals[64];
	__u32 in = 0, out = 0, count, *inp = NULL;
	int err = 0, calls = 0, wrong = 0;
	static unsigned char seen[1000];

	if (!ASSERT_OK_PTR(m, "create") || !ASSERT_OK_PTR(a, "create array"))
		goto out;
	for (k = 0; k < 1000; k++) {
		v = k + 5;
		nrt_map_update(m, &k, &v, BPF_NOEXIST);
	}
	memset(seen, 0, sizeof(seen));
	while (err != -ENOENT && calls++ < 1000) {
		count = 64;
		err = nrt_map_lookup_batch(m, inp, &out, keys, vals, &count);
		if (err && err != -ENOENT) {
			ASSERT_OK(err, "batch");
			break;
		}
		for (__u32 i = 0; i < count; i++) {
			if (keys[i] >= 1000 || vals[i] != keys[i] + 5 || seen[keys[i]]++)
				wrong++;
		}
		in = out;
		inp = &in;
	}
	ASSERT_EQ(err, -ENOENT, "ends with -ENOENT");
	ASSERT_EQ(wrong, 0, "each key once, with its value");
	k = 0;
	for (int i = 0; i < 1000; i++)
		k += seen[i];
	ASSERT_EQ(k, 1000, "every entry");
	ASSERT_GE(calls, 16, "in batches of at most 64");
	count = 0;
	ASSERT_EQ(nrt_map_lookup_batch(m, NULL, &out, keys, vals, &count), -ENOSPC,
		  "no room for a bucket");
	count = 4;
	ASSERT_EQ(nrt_map_lookup_batch(a, NULL, &out, keys, vals, &count), -EINVAL,
		  "hashes and arrays only");
out:
	nrt_map__put(m);
	nrt_map__put(a);
	nrt_quiesce();
}

/* The same of an array (replay's clearing of the dynamic DCE/RPC endpoint
 * marks, user/dcerpc.c): by index, as the kernel's generic batch. */
void test_nrt_array_batch(void)
{
	struct nrt_map *a = mk(BPF_MAP_TYPE_ARRAY, 4, 8, 5);
	__u32 keys[8], out = 0, in, count, k;
	__u64 vals[8], v;

	if (!ASSERT_OK_PTR(a, "create"))
		goto out;
	for (k = 0; k < 5; k++) {
		v = k * 10 + 1;
		nrt_map_update(a, &k, &v, BPF_ANY);
	}
	count = 3;
	ASSERT_EQ(nrt_map_lookup_batch(a, NULL, &out, keys, vals, &count), 0, "a first batch");
	ASSERT_EQ(count, 3, "as many as asked");
	ASSERT_EQ(out, 3, "the next index");
	for (k = 0; k < 3; k++)
		ASSERT_TRUE(keys[k] == k && vals[k] == k * 10 + 1, "index and value");
	in = out;
	count = 8;
	ASSERT_EQ(nrt_map_lookup_batch(a, &in, &out, keys, vals, &count), -ENOENT,
		  "the rest, then the end");
	ASSERT_EQ(count, 2, "the two left");
	ASSERT_TRUE(keys[0] == 3 && vals[0] == 31 && keys[1] == 4 && vals[1] == 41,
		    "indices 3 and 4");
out:
	nrt_map__put(a);
	nrt_quiesce();
}

void test_nrt_lru_bound(void)
{
	struct nrt_map *m = mk(BPF_MAP_TYPE_LRU_HASH, 4, 4, 64);
	__u32 k, v = 1, hot = 0;

	if (!ASSERT_OK_PTR(m, "create"))
		return;
	ASSERT_OK(nrt_map_update(m, &hot, &v, BPF_NOEXIST), "hot entry");
	for (k = 1; k < 1000; k++) {
		/* Keep one entry in use: a lookup makes it recent. */
		ASSERT_OK_PTR(nrt_map_lookup(m, &hot), "hot entry survives");
		if (!ASSERT_OK(nrt_map_update(m, &k, &v, BPF_NOEXIST), "insert evicts"))
			break;
		if (!ASSERT_GE(64, nrt_map_count(m), "bounded"))
			break;
	}
	ASSERT_EQ(nrt_map_count(m), 64, "full at its bound");
	k = 999;
	ASSERT_OK_PTR(nrt_map_lookup(m, &k), "the newest entry is there");
	k = 1;
	ASSERT_NULL(nrt_map_lookup(m, &k), "an old entry was evicted");
	nrt_map__put(m);
	nrt_quiesce();
}

void test_nrt_arrays(void)
{
	struct nrt_map *a = mk(BPF_MAP_TYPE_ARRAY, 4, 3, 4);
	struct nrt_map *inner = mk(BPF_MAP_TYPE_HASH, 4, 4, 4);
	struct nrt_map *outer = mk(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 1);
	__u8 v[3] = {1, 2, 3}, *p;
	__u32 i = 3, zero = 0, val = 5;
	struct nrt_map **slot;

	if (!ASSERT_OK_PTR(a, "array") || !ASSERT_OK_PTR(inner, "inner") ||
	    !ASSERT_OK_PTR(outer, "outer"))
		goto out;
	p = nrt_map_lookup(a, &i);
	ASSERT_OK_PTR(p, "array entries exist");
	ASSERT_EQ(p[0] | p[1] | p[2], 0, "zeroed");
	ASSERT_OK(nrt_map_update(a, &i, v, BPF_ANY), "update");
	ASSERT_EQ(p[2], 3, "in place");
	ASSERT_EQ(nrt_map_update(a, &i, v, BPF_NOEXIST), -EEXIST, "NOEXIST on an array");
	ASSERT_EQ(nrt_map_delete(a, &i), -EINVAL, "arrays do not delete");
	i = 4;
	ASSERT_NULL(nrt_map_lookup(a, &i), "index past the end");
	ASSERT_EQ(nrt_map_update(a, &i, v, BPF_ANY), -E2BIG, "update past the end");

	ASSERT_NULL(nrt_map_lookup(outer, &zero), "empty outer slot");
	ASSERT_OK(nrt_map_update(outer, &zero, &inner, BPF_ANY), "install inner");
	ASSERT_OK(nrt_map_update(inner, &zero, &val, BPF_ANY), "fill inner");
	slot = nrt_map_lookup(outer, &zero);
	/* What a program does: look the inner map up through the slot. */
	if (ASSERT_OK_PTR(slot, "slot"))
		ASSERT_EQ(*(__u32 *)nrt_map_lookup(nrt_map_of(slot), &zero), 5, "through the slot");
out:
	nrt_map__put(outer); /* drops the slot's reference too */
	nrt_map__put(inner);
	nrt_map__put(a);
	nrt_quiesce();
}

struct drained {
	int n;
	__u32 sum;
	int stop_at;
};

static int drain_cb(void *ctx, void *data, size_t size)
{
	struct drained *d = ctx;

	if (d->n == d->stop_at)
		return -5;
	d->n++;
	d->sum = d->sum * 10 + *(__u32 *)data;
	return size == 4 ? 0 : -1;
}

void test_nrt_ringbuf(void)
{
	struct nrt_map *rb = mk(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096);
	struct drained d = {.stop_at = -1};
	__u32 *s;
	int n = 0;

	if (!ASSERT_OK_PTR(rb, "create"))
		return;
	ASSERT_NULL(mk(BPF_MAP_TYPE_RINGBUF, 0, 0, 5000), "size not a power of two");
	for (__u32 i = 1; i <= 3; i++) {
		s = nrt_ringbuf_reserve(rb, 4, 0);
		if (!ASSERT_OK_PTR(s, "reserve"))
			goto out;
		*s = i;
		if (i == 2)
			nrt_ringbuf_discard(s, 0);
		else
			nrt_ringbuf_submit(s, 0);
	}
	ASSERT_EQ(nrt_ringbuf_query(rb, BPF_RB_AVAIL_DATA), 48, "3 records of 8+8 bytes");
	ASSERT_EQ(nrt_ringbuf_drain(rb, drain_cb, &d), 2, "two records, one discarded");
	ASSERT_EQ(d.sum, 13, "in order, without the discarded one");
	ASSERT_EQ(nrt_ringbuf_query(rb, BPF_RB_AVAIL_DATA), 0, "drained");
	/* Full: 4096 bytes hold 256 records of 8+8. */
	while ((s = nrt_ringbuf_reserve(rb, 4, 0)) && n < 1000) {
		*s = 1;
		nrt_ringbuf_submit(s, 0);
		n++;
	}
	ASSERT_EQ(n, 256, "a full ring buffer refuses reserve");
	d = (struct drained){.stop_at = 1};
	ASSERT_EQ(nrt_ringbuf_drain(rb, drain_cb, &d), -5, "a callback error stops the drain");
	ASSERT_OK_PTR(nrt_ringbuf_reserve(rb, 4, 0), "space again after a drain");
out:
	nrt_map__put(rb);
}
