// SPDX-License-Identifier: GPL-2.0
/* ioc_overlap.c: indicators of several feeds that name the same traffic,
 * settled before the maps are filled, so that the outcome depends neither on
 * the order the feeds were given in nor on which prefix is the longer:
 * - the same key (prefix, address:port, domain) in several feeds is stored
 *   once, as the first loaded entry (its metadata is the hit's); the first
 *   entry of each other feed is remembered, for the hit's "also_in";
 * - an alert entry that a block entry covers (the same key, a shorter prefix
 *   of the family holding its address, a parent domain) is stored with the
 *   block flag, and remembers that block entry (the hit's "blocked_by").
 * Without this, the LPM trie gave the more specific alert prefix (pass), and
 * an exact duplicate took the last loaded entry's value. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "xh_abi.h"
#include "ioc_int.h"

static const struct ioc_set *sort_set; /* qsort() has no context argument */

/* Order: kind, family, port, prefix length, address (a domain: its name),
 * then load order, so that a key's entries are adjacent, first loaded first. */
static int cmp_key(const struct ioc_set *set, const struct ioc_entry *a, const struct ioc_entry *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->kind == IOC_KIND_DOMAIN)
		return strcmp(ioc_str(set, a->domain), ioc_str(set, b->domain));
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->prefixlen != b->prefixlen)
		return a->prefixlen < b->prefixlen ? -1 : 1;
	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

static int cmp_idx(const void *pa, const void *pb)
{
	const struct ioc_entry *a = ioc_set_at(sort_set, *(const uint32_t *)pa);
	const struct ioc_entry *b = ioc_set_at(sort_set, *(const uint32_t *)pb);
	int c = cmp_key(sort_set, a, b);

	return c ? c : a->id < b->id ? -1 : a->id > b->id;
}

/* By feed name, then load order. */
static int cmp_feed(const void *pa, const void *pb)
{
	const struct ioc_entry *a = ioc_set_at(sort_set, *(const uint32_t *)pa);
	const struct ioc_entry *b = ioc_set_at(sort_set, *(const uint32_t *)pb);
	int c = strcmp(ioc_entry_feed(sort_set, a), ioc_entry_feed(sort_set, b));

	return c ? c : a->id < b->id ? -1 : a->id > b->id;
}

static int cmp_u32(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return a < b ? -1 : a > b;
}

/* The other feeds of a key, growing while the set is settled. */
struct also {
	uint32_t *v;
	size_t n, cap;
};

/* Up to this many entries of a key, its feeds are told apart by comparing
 * each with those kept; a longer run is sorted by feed name. */
#define ALSO_SCAN 16

/* Of @k entry indices of one key in load order (@grp[0] the stored one),
 * append to @a the first of each feed that none before it names. */
static int also_add(const struct ioc_set *set, struct also *a, const uint32_t *grp, size_t k)
{
	const char *first = ioc_entry_feed(set, ioc_set_at(set, grp[0]));
	size_t start = a->n, w;

	if (a->n + k - 1 > a->cap) {
		size_t cap = a->cap ? a->cap : 256;
		uint32_t *v;

		while (cap < a->n + k - 1)
			cap *= 2;
		v = realloc(a->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	if (k <= ALSO_SCAN) {
		for (size_t i = 1; i < k; i++) {
			const char *f = ioc_entry_feed(set, ioc_set_at(set, grp[i]));
			size_t j = start;

			while (j < a->n && strcmp(f, ioc_entry_feed(set, ioc_set_at(set, a->v[j]))))
				j++;
			if (j == a->n && strcmp(f, first))
				a->v[a->n++] = grp[i];
		}
		return 0;
	}
	/* By feed name: the first of each, then back in load order. */
	memcpy(a->v + start, grp + 1, (k - 1) * sizeof(*grp));
	qsort(a->v + start, k - 1, sizeof(*a->v), cmp_feed);
	w = start;
	for (size_t i = start; i < start + k - 1; i++) {
		const char *f = ioc_entry_feed(set, ioc_set_at(set, a->v[i]));

		if (strcmp(f, first) &&
		    (w == start || strcmp(f, ioc_entry_feed(set, ioc_set_at(set, a->v[w - 1])))))
			a->v[w++] = a->v[i];
	}
	qsort(a->v + start, w - start, sizeof(*a->v), cmp_u32);
	a->n = w;
	return 0;
}

/* @addr cut to @len bits into @out (16 bytes). */
static void mask(const uint8_t *addr, unsigned int len, uint8_t *out)
{
	memset(out, 0, 16);
	memcpy(out, addr, len / 8);
	if (len % 8)
		out[len / 8] = addr[len / 8] & (uint8_t)(0xff00u >> (len % 8));
}

/* The stored block entries: plain prefixes (no port) sorted by family,
 * prefix length and address, and domains sorted by name. */
struct blocks {
	const struct ioc_set *set;
	uint32_t *v; /* entry indices */
	size_t n;
};

/* The block entry that @order (an entry against @key: <0, 0, >0, in the
 * blocks' order) finds equal to @key, by binary search, or NULL. */
static const struct ioc_entry *find(const struct blocks *b,
				    int (*order)(const struct blocks *b, const struct ioc_entry *e,
						 const void *key),
				    const void *key)
{
	size_t lo = 0, hi = b->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ioc_entry *e = ioc_set_at(b->set, b->v[mid]);
		int c = order(b, e, key);

		if (!c)
			return e;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int order_prefix(const struct blocks *b, const struct ioc_entry *e, const void *key)
{
	return cmp_key(b->set, e, key);
}

/* Domains sort after the prefixes (their kind is the greater). */
static int order_domain(const struct blocks *b, const struct ioc_entry *e, const void *name)
{
	return e->kind == IOC_KIND_DOMAIN ? strcmp(ioc_str(b->set, e->domain), name) : -1;
}

/* The block prefix of @family, @len bits, holding @addr, or NULL. */
static const struct ioc_entry *find_prefix(const struct blocks *b, uint8_t family, unsigned int len,
					   const uint8_t *addr)
{
	struct ioc_entry k = {.kind = IOC_KIND_NET, .family = family, .prefixlen = (uint8_t)len};

	mask(addr, len, k.addr);
	return find(b, order_prefix, &k);
}

static const struct ioc_entry *find_domain(const struct blocks *b, const char *name)
{
	return find(b, order_domain, name);
}

/* The most specific block entry covering the stored alert entry @e with a
 * shorter prefix or a parent domain (the same key was settled before), or
 * NULL. @lens: a bitmap of the block prefix lengths present per family
 * (0: IPv4, 1: IPv6). */
static const struct ioc_entry *cover(const struct blocks *b, const struct ioc_entry *e,
				     const uint64_t lens[2][3])
{
	if (e->kind == IOC_KIND_DOMAIN) {
		const char *d = ioc_str(b->set, e->domain);

		for (const char *p = d ? strchr(d, '.') : NULL; p; p = strchr(p + 1, '.')) {
			const struct ioc_entry *c = find_domain(b, p + 1);

			if (c)
				return c; /* the longest parent: the first found */
		}
		return NULL;
	}
	/* An address:port entry is its host (prefixlen full): a block prefix
	 * of the same length holds its address on every port. */
	for (int len = e->prefixlen - (e->port ? 0 : 1); len >= 0; len--) {
		const uint64_t *l = lens[e->family == XH_AF_INET6];
		const struct ioc_entry *c;

		if (!((l[len / 64] >> (len % 64)) & 1))
			continue;
		c = find_prefix(b, e->family, (unsigned int)len, e->addr);
		if (c)
			return c;
	}
	return NULL;
}

int ioc_set_settle(struct ioc_set *set)
{
	uint64_t lens[2][3] = {};
	struct blocks nb = {.set = set}, db = {.set = set};
	struct also also = {};
	uint32_t *idx = NULL, *by = NULL;
	uint64_t *dup = NULL;
	size_t n = set->n, nblock = 0;
	int err = -ENOMEM;

	free(set->blocked_by);
	free(set->dup);
	free(set->also);
	set->blocked_by = NULL;
	set->dup = NULL;
	set->also = NULL;
	set->nalso = 0;
	if (!n)
		return 0;
	idx = malloc(n * sizeof(*idx));
	dup = calloc((n + 63) / 64, sizeof(*dup));
	if (!idx || !dup)
		goto out;
	for (size_t i = 0; i < n; i++) {
		idx[i] = (uint32_t)i;
		nblock += set->v[i].action == IOC_ACTION_BLOCK;
	}
	sort_set = set;
	qsort(idx, n, sizeof(*idx), cmp_idx);
	if (nblock && nblock < n) {
		by = calloc(n, sizeof(*by));
		nb.v = malloc(nblock * sizeof(*nb.v));
		db.v = malloc(nblock * sizeof(*db.v));
		if (!by || !nb.v || !db.v)
			goto out;
	}
	/* Each key's entries: the first is stored, the others marked and their
	 * feeds kept for the hit; a block entry among them blocks the stored
	 * one. The stored block entries come out in the order find_prefix()
	 * and find_domain() search. */
	for (size_t g = 0, end; g < n; g = end) {
		const struct ioc_entry *first = &set->v[idx[g]], *blk = NULL;

		for (end = g; end < n && !cmp_key(set, &set->v[idx[end]], first); end++) {
			if (end > g)
				dup[idx[end] / 64] |= 1ULL << (idx[end] % 64);
			if (!blk && set->v[idx[end]].action == IOC_ACTION_BLOCK)
				blk = &set->v[idx[end]];
		}
		if (end - g > 1 && also_add(set, &also, idx + g, end - g))
			goto out;
		if (!by || !blk)
			continue;
		if (first != blk)
			by[idx[g]] = blk->id;
		if (first->kind == IOC_KIND_DOMAIN) {
			db.v[db.n++] = idx[g];
		} else if (!first->port) {
			nb.v[nb.n++] = idx[g];
			lens[first->family == XH_AF_INET6][first->prefixlen / 64] |=
				1ULL << (first->prefixlen % 64);
		}
	}
	/* Alert entries under a wider block entry. */
	for (size_t i = 0; by && i < n; i++) {
		const struct ioc_entry *e = &set->v[i], *c;

		if (e->action == IOC_ACTION_BLOCK || by[i] || ((dup[i / 64] >> (i % 64)) & 1))
			continue;
		c = cover(e->kind == IOC_KIND_DOMAIN ? &db : &nb, e, lens);
		if (c)
			by[i] = c->id;
	}
	set->blocked_by = by;
	set->dup = dup;
	if (also.n) {
		/* Keep what it holds, not what it grew to. */
		uint32_t *v = realloc(also.v, also.n * sizeof(*v));

		set->also = v ? v : also.v;
		set->nalso = also.n;
		also.v = NULL;
	}
	by = NULL;
	dup = NULL;
	err = 0;
out:
	free(idx);
	free(by);
	free(dup);
	free(also.v);
	free(nb.v);
	free(db.v);
	return err;
}

int ioc_set_stored(const struct ioc_set *set, const struct ioc_entry *e)
{
	size_t i = e->id - 1;

	return !set->dup || !((set->dup[i / 64] >> (i % 64)) & 1);
}

const uint32_t *ioc_set_also(const struct ioc_set *set, const struct ioc_entry *e, size_t *n)
{
	size_t lo = 0, hi = set->nalso, end;

	/* The first of @e's key; the others of that key follow it. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_key(set, ioc_set_at(set, set->also[mid]), e) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < set->nalso && !cmp_key(set, ioc_set_at(set, set->also[end]), e);)
		end++;
	*n = end - lo;
	return end > lo ? set->also + lo : NULL;
}

const struct ioc_entry *ioc_set_blocked_by(const struct ioc_set *set, const struct ioc_entry *e)
{
	return set->blocked_by ? ioc_set_get(set, set->blocked_by[e->id - 1]) : NULL;
}
