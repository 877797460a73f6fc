// SPDX-License-Identifier: GPL-2.0
/* test_ioc_cache.c: the per-CPU cache of the IoC tries' answers
 * (bpf/ioc_pf.h struct xh_ioc_cache, bpf/ioc.bpf.h), with sets installed by
 * the real ioc_maps_install(): an address the prefilter lets through is
 * looked up in the tries once, and its later packets, both ways, take the
 * answer from its slot, a "no" for the rest of a matching /24 as well as an
 * IoC; a reload (a new prefilter tag) makes every address ask the new
 * tries, so an indicator put in block mode, or taken out of the feed,
 * changes the verdict of a flow already under way; addresses that share a
 * slot each keep their own verdict; without a prefilter nothing is cached. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "test.h"
#include "pkt.h"
#include "xh_prog.h"
#include "ioc.h"
#include "ioc_pf.h"
#include "ioc_pf_probe.h"

#define CLIENT4 "100.64.0.1" /* outside every prefilter bit of these feeds */
#define CLIENT6 "3fff::1"

/* Install the feed text @feed in @action mode. 0 on success. */
static int install_feed(struct xhp *x, const char *feed, uint8_t action)
{
	struct ioc_set *set = set_of_mode(feed, action);
	int err = set ? install(x, set) : -1;

	ioc_set__free(set);
	return err;
}

/* The prefilter's tag (XH_PF_TAG), 0 when the slot is empty. */
static uint32_t pf_tag(struct xhp *x)
{
	uint64_t *w = pf_map(x);
	uint32_t tag;

	if (!w)
		return 0;
	tag = (uint32_t)w[XH_PF_TAG];
	munmap(w, PF_BYTES);
	return tag;
}

/* Give the installed prefilter a new tag, as an install would. */
static int pf_retag(struct xhp *x)
{
	uint64_t *w = pf_map(x);

	if (!w)
		return -1;
	w[XH_PF_TAG] += 1;
	munmap(w, PF_BYTES);
	return 0;
}

/* Keep this thread on the CPU it is on (*@old: where it could run): the
 * cache is per CPU, and a test run goes on the caller's CPU. A thread moved
 * between two runs (a busy CI host) found another CPU's slots, or none (CI,
 * 2026-12-05). */
static int pin(cpu_set_t *old)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	if (cpu < 0 || sched_getaffinity(0, sizeof(*old), old))
		return -1;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one);
}

/* Run the test @fn with this thread kept on its CPU (pin()). */
static void run_pinned(void (*fn)(void))
{
	cpu_set_t old;

	if (!ASSERT_OK(pin(&old), "pin to this CPU"))
		return;
	fn();
	sched_setaffinity(0, sizeof(old), &old);
}

/* @a as the datapath's address words and family. */
static uint8_t addr_of(const char *a, __be32 w[4])
{
	memset(w, 0, 16);
	if (strchr(a, ':')) {
		inet_pton(AF_INET6, a, w);
		return XH_AF_INET6;
	}
	inet_pton(AF_INET, a, w);
	return XH_AF_INET;
}

/* The newest slot holding @a on any CPU (*slot), 1 when found, 0 when not, -1 on
 * error. */
static int cache_find(struct xhp *x, const char *a, struct xh_ioc_cache_slot *slot)
{
	int ncpu = libbpf_num_possible_cpus(), found = 0;
	struct xh_ioc_cache *per;
	__u32 zero = 0, i;
	__be32 w[4];
	uint8_t fam = addr_of(a, w);

	per = calloc(ncpu, sizeof(*per));
	if (!ASSERT_OK_PTR(per, "calloc"))
		return -1;
	if (!ASSERT_OK(bpf_map_lookup_elem(bpf_map__fd(x->skel->maps.xh_ioc_cache), &zero, per),
		       "read xh_ioc_cache")) {
		free(per);
		return -1;
	}
	i = xh_ioc_cache_slot(w, fam);
	/* The newest tag: the test may run on another CPU after a reload,
	 * and the slot it left on the first holds an answer under the old
	 * prefilter, which the program no longer reads (CI, 2026-12-05). */
	for (int c = 0; c < ncpu; c++) {
		const struct xh_ioc_cache_slot *s = &per[c].slot[i];

		if (s->tag && s->family == fam && !memcmp(s->addr, w, 16) &&
		    (!found || s->tag > slot->tag)) {
			*slot = *s;
			found = 1;
		}
	}
	free(per);
	return found;
}

static int cache_clear(struct xhp *x)
{
	int ncpu = libbpf_num_possible_cpus(), err;
	struct xh_ioc_cache *per = calloc(ncpu, sizeof(*per));
	__u32 zero = 0;

	if (!per)
		return -1;
	err = bpf_map_update_elem(bpf_map__fd(x->skel->maps.xh_ioc_cache), &zero, per, BPF_ANY);
	free(per);
	return err;
}

/* Put @a in (@add) or take it out of the installed trie of its family,
 * leaving the prefilter as it is: a changed answer then shows whether the
 * trie was asked. */
static int trie_set(struct xhp *x, const char *a, int add, __u32 val)
{
	__u32 zero = 0, id;
	__be32 w[4];
	int v6 = addr_of(a, w) == XH_AF_INET6, fd, err;
	struct xh_lpm4_key k4 = {.prefixlen = 32, .addr = w[0]};
	struct xh_lpm6_key k6 = {.prefixlen = 128};
	void *k = v6 ? (void *)&k6 : (void *)&k4;

	memcpy(k6.addr, w, 16);
	if (bpf_map_lookup_elem(bpf_map__fd(v6 ? x->skel->maps.xh_ioc6 : x->skel->maps.xh_ioc4),
				&zero, &id))
		return -1;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -1;
	err = add ? bpf_map_update_elem(fd, k, &val, BPF_ANY) : bpf_map_delete_elem(fd, k);
	close(fd);
	return err;
}

/* One TCP segment between @client:50000 and @server:443; @to_server: the
 * client sends it. Returns the verdict, -1 on error. */
static int segment(struct xhp *x, const char *client, const char *server, int to_server,
		   uint8_t flags)
{
	struct pkt_desc d = {.family = strchr(server, ':') ? 6 : 4,
			     .src = to_server ? client : server,
			     .dst = to_server ? server : client,
			     .proto = IPPROTO_TCP,
			     .sport = to_server ? 50000 : 443,
			     .dport = to_server ? 443 : 50000,
			     .tcp_flags = flags};
	uint8_t buf[PKT_MAX];
	size_t len = pkt_build(&d, buf, NULL);

	if (!ASSERT_GE(len, 1, "pkt_build"))
		return -1;
	return xhp_run_verdict(x, buf, len);
}

static uint64_t ioc_pkts(struct xhp *x)
{
	struct xh_stats s;

	return xhp_stats(x, &s) ? 0 : s.class_pkts[XH_CLASS_IOC];
}

/* The IoC counter @c (stats: ioc addr_cached / addr_walked). */
static uint64_t ioc_cnt(struct xhp *x, int c)
{
	struct xh_stats s;

	return xhp_stats(x, &s) ? 0 : s.ioc[c];
}

/* @c2 an indicator, @near an address of its /24 (or /48) that is none. */
static void check_cached(struct xhp *x, const char *client, const char *c2, const char *near)
{
	struct xh_ioc_cache_slot slot;
	uint64_t n0, walked, cached;
	char feed[128];
	uint32_t tag;

	xhp_reset(x);
	snprintf(feed, sizeof(feed), "%s\n", c2);
	if (!ASSERT_OK(install_feed(x, feed, IOC_ACTION_ALERT), "install"))
		return;
	tag = pf_tag(x);
	ASSERT_NEQ(tag, 0, "prefilter tag");
	walked = ioc_cnt(x, XH_IOC_CNT_ADDR_WALKED);
	cached = ioc_cnt(x, XH_IOC_CNT_ADDR_CACHED);
	ASSERT_EQ(segment(x, client, c2, 1, 0x02), XDP_PASS, "SYN to C2");
	ASSERT_EQ(ioc_cnt(x, XH_IOC_CNT_ADDR_WALKED) - walked, 1, "counted: C2 walked");
	xhp_drain(x);
	if (!ASSERT_EQ(x->n_ev, 1, "one ioc.dest"))
		return;
	ASSERT_EQ(x->ev[0].rule, XH_RULE_IOC_DEST, "rule");
	/* The trie's answer for C2 is in its slot, under the prefilter's tag;
	 * the client, which the prefilter turned away, has none. */
	if (ASSERT_EQ(cache_find(x, c2, &slot), 1, "C2 cached")) {
		ASSERT_EQ(slot.tag, tag, "cached under the prefilter's tag");
		ASSERT_EQ(slot.val, x->ev[0].ioc_id, "cached: C2's reference");
	}
	ASSERT_EQ(cache_find(x, client, &slot), 0, "client not cached");

	/* With C2 gone from the trie, the flow's later packets, both ways,
	 * still count as IoC: they read the slot, not the trie. */
	if (!ASSERT_OK(trie_set(x, c2, 0, 0), "delete C2 from the trie"))
		return;
	n0 = ioc_pkts(x);
	ASSERT_EQ(segment(x, client, c2, 0, 0x12), XDP_PASS, "SYN-ACK from C2");
	ASSERT_EQ(segment(x, client, c2, 1, 0x10), XDP_PASS, "ACK to C2");
	ASSERT_EQ(ioc_pkts(x) - n0, 2, "later packets answered from the cache");
	ASSERT_EQ(ioc_cnt(x, XH_IOC_CNT_ADDR_CACHED) - cached, 2, "counted: C2 cached twice");
	ASSERT_EQ(ioc_cnt(x, XH_IOC_CNT_ADDR_WALKED) - walked, 1, "counted: no more walks");

	/* A neighbour the prefilter lets through but no indicator covers: the
	 * trie's "no" is cached too, so with the neighbour now in the trie
	 * its next packet is still answered "no" from the slot. */
	n0 = ioc_pkts(x);
	ASSERT_EQ(segment(x, client, near, 1, 0x02), XDP_PASS, "SYN to the neighbour");
	if (ASSERT_EQ(cache_find(x, near, &slot), 1, "neighbour cached"))
		ASSERT_EQ(slot.val, 0, "cached: no IoC");
	ASSERT_OK(trie_set(x, near, 1, x->ev[0].ioc_id), "add the neighbour to the trie");
	ASSERT_EQ(segment(x, client, near, 1, 0x10), XDP_PASS, "ACK to the neighbour");
	ASSERT_EQ(ioc_pkts(x) - n0, 0, "neighbour answered from the cache");

	/* A new tag: the slots no longer count, the trie decides (C2 out,
	 * the neighbour in), and the slots now hold that. */
	if (!ASSERT_OK(pf_retag(x), "retag"))
		return;
	n0 = ioc_pkts(x);
	ASSERT_EQ(segment(x, client, c2, 1, 0x10), XDP_PASS, "ACK to C2");
	ASSERT_EQ(ioc_pkts(x) - n0, 0, "new tag: the trie says C2 is none");
	ASSERT_EQ(segment(x, client, near, 1, 0x10), XDP_PASS, "ACK to the neighbour");
	ASSERT_EQ(ioc_pkts(x) - n0, 1, "new tag: the trie says the neighbour is one");
	if (ASSERT_EQ(cache_find(x, c2, &slot), 1, "C2 cached again")) {
		ASSERT_EQ(slot.tag, tag + 1, "under the new tag");
		ASSERT_EQ(slot.val, 0, "cached: no IoC");
	}
}

static void ioc_cache(void)
{
	struct xhp x;

	if (!ASSERT_OK_PTR(make_tmpdir(), "mkdtemp"))
		return;
	if (xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		goto out;
	test_subtest("IPv4");
	check_cached(&x, CLIENT4, "198.51.100.9", "198.51.100.10");
	test_subtest_end();
	test_subtest("IPv6");
	check_cached(&x, CLIENT6, "2001:db8:c2::9", "2001:db8:c2::10");
	test_subtest_end();
	xhp_close(&x);
out:
	rmdir(tmpdir);
}

/* Addresses that share a slot take turns in it, each with its own verdict:
 * the slot is only good for the address it holds. */
static void ioc_cache_shared_slot(void)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	int found = 0, x_block = 0;
	__be32 w[4], v[4];
	uint64_t n0;
	struct xhp x;

	if (!ASSERT_OK_PTR(make_tmpdir(), "mkdtemp"))
		return;
	/* An address of 198.51.100.0/24 and one of 203.0.113.0/24 in the same
	 * slot. The first is a block-mode IoC (the /25 below) or, in the
	 * upper half, none that the prefilter still lets through; the second
	 * an alert-mode IoC: either way, different verdicts. */
	for (int i = 0; i < 256 && !found; i++) {
		snprintf(a, sizeof(a), "198.51.100.%u", (unsigned char)i);
		addr_of(a, w);
		for (int j = 0; j < 256 && !found; j++) {
			snprintf(b, sizeof(b), "203.0.113.%u", (unsigned char)j);
			addr_of(b, v);
			if (xh_ioc_cache_slot(v, XH_AF_INET) == xh_ioc_cache_slot(w, XH_AF_INET)) {
				found = 1;
				x_block = i < 128;
			}
		}
	}
	if (!ASSERT_EQ(found, 1, "two addresses sharing a slot"))
		goto out;
	if (xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		goto out;
	xhp_reset(&x);
	{
		struct ioc_set *set = set_of_mode("198.51.100.0/25\n", IOC_ACTION_BLOCK);
		char path[256];
		FILE *f;

		snprintf(path, sizeof(path), "%s/alert.txt", tmpdir);
		f = fopen(path, "w");
		if (f) {
			fputs("203.0.113.0/24\n", f);
			fclose(f);
		}
		if (!ASSERT_OK_PTR(set, "block set") ||
		    !ASSERT_EQ(ioc_set_load_file(set, path), 1, "alert feed") ||
		    !ASSERT_OK(install(&x, set), "install")) {
			unlink(path);
			ioc_set__free(set);
			goto close;
		}
		unlink(path);
		ioc_set__free(set);
	}
	n0 = ioc_pkts(&x);
	for (int round = 0; round < 4; round++) {
		uint64_t want = n0 + (uint64_t)round * (x_block ? 2 : 1);

		ASSERT_EQ(segment(&x, CLIENT4, a, 1, 0x10), x_block ? XDP_DROP : XDP_PASS,
			  "first address: its own verdict");
		ASSERT_EQ(ioc_pkts(&x), want + (x_block ? 1 : 0), "first address: IoC or not");
		ASSERT_EQ(segment(&x, CLIENT4, b, 1, 0x10), XDP_PASS, "its slot-mate passes");
		ASSERT_EQ(ioc_pkts(&x), want + (x_block ? 2 : 1), "its slot-mate is an IoC");
	}
close:
	xhp_close(&x);
out:
	rmdir(tmpdir);
}

/* What a user sees across reloads: the verdict of a flow under way follows
 * the feed in force, in both directions. */
static void ioc_cache_reload(void)
{
	const char *c2 = "198.51.100.9";
	struct xh_ioc_cache_slot slot;
	uint64_t n0;
	struct xhp x;

	if (!ASSERT_OK_PTR(make_tmpdir(), "mkdtemp"))
		return;
	if (xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		goto out;
	xhp_reset(&x);
	if (!ASSERT_OK(install_feed(&x, "198.51.100.9\n", IOC_ACTION_ALERT), "alert feed"))
		goto close;
	ASSERT_EQ(segment(&x, CLIENT4, c2, 1, 0x02), XDP_PASS, "alert: SYN passes");
	ASSERT_EQ(segment(&x, CLIENT4, c2, 0, 0x12), XDP_PASS, "alert: SYN-ACK passes");

	/* The same indicator in block mode: the flow's next packets drop. */
	if (!ASSERT_OK(install_feed(&x, "198.51.100.9\n", IOC_ACTION_BLOCK), "block feed"))
		goto close;
	ASSERT_EQ(segment(&x, CLIENT4, c2, 1, 0x10), XDP_DROP, "block: ACK to C2 drops");
	ASSERT_EQ(segment(&x, CLIENT4, c2, 0, 0x10), XDP_DROP, "block: reply drops");
	if (ASSERT_EQ(cache_find(&x, c2, &slot), 1, "C2 cached")) {
		ASSERT_NEQ(slot.val & XH_IOC_F_BLOCK, 0, "cached with the block bit");
		ASSERT_EQ((slot.val >> XH_IOC_GEN_SHIFT) & XH_IOC_GEN_MASK, gen_no,
			  "cached reference of the new generation");
	}

	/* Out of the feed: the flow passes again and stops counting as IoC. */
	if (!ASSERT_OK(install_feed(&x, "198.51.100.250\n", IOC_ACTION_BLOCK), "other feed"))
		goto close;
	n0 = ioc_pkts(&x);
	ASSERT_EQ(segment(&x, CLIENT4, c2, 1, 0x10), XDP_PASS, "removed: ACK passes");
	ASSERT_EQ(segment(&x, CLIENT4, c2, 0, 0x10), XDP_PASS, "removed: reply passes");
	ASSERT_EQ(ioc_pkts(&x) - n0, 0, "removed: no IoC packets");

	/* Without a prefilter (its slot emptied) every packet asks the tries
	 * and nothing is cached. */
	xhp_reset(&x);
	if (!ASSERT_OK(install_feed(&x, "198.51.100.9\n", IOC_ACTION_BLOCK), "block feed again") ||
	    !ASSERT_OK(cache_clear(&x), "clear the cache"))
		goto close;
	{
		__u32 zero = 0;

		ASSERT_OK(bpf_map_delete_elem(bpf_map__fd(x.skel->maps.xh_iocpf), &zero),
			  "empty the prefilter slot");
	}
	ASSERT_EQ(segment(&x, CLIENT4, c2, 1, 0x02), XDP_DROP, "no prefilter: SYN drops");
	ASSERT_EQ(segment(&x, CLIENT4, c2, 0, 0x12), XDP_DROP, "no prefilter: SYN-ACK drops");
	ASSERT_EQ(cache_find(&x, c2, &slot), 0, "no prefilter: nothing cached");
close:
	xhp_close(&x);
out:
	rmdir(tmpdir);
}

void test_ioc_cache(void)
{
	run_pinned(ioc_cache);
}

void test_ioc_cache_shared_slot(void)
{
	run_pinned(ioc_cache_shared_slot);
}

void test_ioc_cache_reload(void)
{
	run_pinned(ioc_cache_reload);
}
