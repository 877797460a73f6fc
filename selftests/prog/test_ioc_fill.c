// SPDX-License-Identifier: GPL-2.0
/* test_ioc_fill.c: the IoC maps a set is installed into, read back entry by
 * entry. ioc_maps_install() fills them with BPF_MAP_UPDATE_BATCH, 4096
 * entries a call (user/ioc_maps.c): sets of several batches and a partial
 * last one of every kind (IPv4 and IPv6 prefixes, domains), with
 * address:port entries after them, must land exactly, and a reload must
 * hold the new set only. */
#include <arpa/inet.h>
#include "ioc_pf_probe.h"

/* A feed of @n4 IPv4 /32s, @n6 IPv6 /128s, @ndom domains and @nport
 * address:port entries on hosts of their own, differing with @seed. */
static char *fill_feed(unsigned int seed, int n4, int n6, int ndom, int nport)
{
	size_t cap = (size_t)(n4 + n6 + ndom + nport) * 64 + 64, off = 0;
	char *f = malloc(cap);

	if (!f)
		return NULL;
	for (int i = 0; i < n4; i++)
		off += (size_t)snprintf(f + off, cap - off, "100.%u.%u.%u\n", 64 + seed,
					(unsigned)i >> 8, (unsigned)i & 0xff);
	for (int i = 0; i < n6; i++)
		off += (size_t)snprintf(f + off, cap - off, "2001:db8:%x::%x\n", seed, i + 1);
	for (int i = 0; i < ndom; i++)
		off += (size_t)snprintf(f + off, cap - off, "d%u-%d.example\n", seed, i);
	for (int i = 0; i < nport; i++)
		off += (size_t)snprintf(f + off, cap - off, "203.0.113.%d:%d\n", i + 1, 8000 + i);
	return f;
}

/* The inner map in slot 0 of the outer map @outer, or -1. */
static int inner_of(int outer)
{
	__u32 zero = 0, id;

	if (bpf_map_lookup_elem(outer, &zero, &id))
		return -1;
	return bpf_map_get_fd_by_id(id);
}

/* Every entry of @set in the maps of @x, installed as generation @gen:
 * returns the number found with the value the datapath expects. */
static size_t check_set(struct xhp *x, const struct ioc_set *set, unsigned int gen)
{
	int fd4 = inner_of(bpf_map__fd(x->skel->maps.xh_ioc4));
	int fd6 = inner_of(bpf_map__fd(x->skel->maps.xh_ioc6));
	int fddom = inner_of(bpf_map__fd(x->skel->maps.xh_iocdom));
	int fdport = inner_of(bpf_map__fd(x->skel->maps.xh_iocport));
	size_t n = ioc_set_count(set), good = 0;

	if (!ASSERT_GE(fd4, 0, "ioc4 inner") || !ASSERT_GE(fd6, 0, "ioc6 inner") ||
	    !ASSERT_GE(fddom, 0, "iocdom inner") || !ASSERT_GE(fdport, 0, "iocport inner"))
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct ioc_entry *e = ioc_set_at(set, i);
		__u32 want = ioc_maps_ref(set, e->id, gen), got = 0;
		struct xh_lpm6_key key = {.prefixlen = e->prefixlen};
		struct xh_iocport_key pk = {};
		int fd = e->family == XH_AF_INET ? fd4 : fd6;

		if (e->kind == IOC_KIND_DOMAIN) {
			__u64 h = e->hash;

			good += !bpf_map_lookup_elem(fddom, &h, &got) && got == want;
			continue;
		}
		memcpy(key.addr, e->addr, e->family == XH_AF_INET ? 4 : 16);
		if (bpf_map_lookup_elem(fd, &key, &got))
			continue;
		if (!e->port) {
			good += got == want;
			continue;
		}
		/* The host's trie entry says "look at the port"; the port
		 * map holds the indicator. */
		memcpy(pk.addr, e->addr, e->family == XH_AF_INET ? 4 : 16);
		pk.port = htons(e->port);
		pk.family = e->family;
		if (!(got & XH_IOC_F_PORT) || bpf_map_lookup_elem(fdport, &pk, &got))
			continue;
		good += got == want;
	}
	{
		size_t n4, n6, ndom, nport;

		ioc_set_counts(set, &n4, &n6, &ndom, &nport);
		/* address:port hosts are IPv4 here, one trie entry each. */
		ASSERT_EQ((size_t)xhp_map_count(fd4), n4 + nport, "ioc4 holds the set's, no more");
		ASSERT_EQ((size_t)xhp_map_count(fd6), n6, "ioc6 holds the set's, no more");
		ASSERT_EQ((size_t)xhp_map_count(fddom), ndom, "iocdom holds the set's, no more");
		ASSERT_EQ((size_t)xhp_map_count(fdport), nport, "iocport holds the set's, no more");
	}
out:
	if (fd4 >= 0)
		close(fd4);
	if (fd6 >= 0)
		close(fd6);
	if (fddom >= 0)
		close(fddom);
	if (fdport >= 0)
		close(fdport);
	return good;
}

void test_ioc_fill_batches(void)
{
	/* 2.5, 1.2 and 2.2 batches of 4096, 30 port entries. */
	char *feed[2] = {fill_feed(1, 10000, 5000, 9000, 30), fill_feed(2, 4097, 1, 4095, 3)};
	struct ioc_set *sets[2] = {NULL, NULL};
	struct xhp x;

	if (!ASSERT_OK_PTR(feed[0], "feed") || !ASSERT_OK_PTR(feed[1], "feed") ||
	    !ASSERT_OK_PTR(make_tmpdir(), "mkdtemp"))
		goto out_feed;
	sets[0] = set_of(feed[0]);
	sets[1] = set_of(feed[1]);
	if (!sets[0] || !sets[1])
		goto out;
	ASSERT_EQ(ioc_set_count(sets[0]), 24030, "first set loaded whole");
	ASSERT_EQ(ioc_set_count(sets[1]), 8196, "second set loaded whole");
	if (xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		goto out;
	for (int i = 0; i < 3; i++) {
		struct ioc_set *set = sets[i & 1];

		if (!ASSERT_OK(install(&x, set), "install"))
			break;
		ASSERT_EQ(check_set(&x, set, gen_no), ioc_set_count(set),
			  i ? "after a reload: every entry of the new set, as the datapath reads it"
			    : "every entry, as the datapath reads it");
	}
	xhp_close(&x);
out:
	for (int i = 0; i < 2; i++)
		ioc_set__free(sets[i]);
	rmdir(tmpdir);
out_feed:
	free(feed[0]);
	free(feed[1]);
}
