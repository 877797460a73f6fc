// SPDX-License-Identifier: GPL-2.0
/* test_ioc_prefilter_reload.c: hot reload of the IoC prefilter and the LPM
 * tries under BPF_PROG_TEST_RUN: while a thread runs packets, two sets take
 * turns through the real ioc_maps_install(); prefilter and tries stay in step
 * (no packet misses) and the slot holds exactly the new set's prefilter. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdphunt.skel.h"
#include "test.h"
#include "pkt.h"
#include "xh_prog.h"
#include "ioc.h"
#include "ioc_prefilter.h"
#include "ioc_pf_probe.h"

struct runner {
	int prog_fd;
	uint8_t pkt[2][PKT_MAX];
	size_t len[2];
	volatile int stop;
	uint64_t runs, errs;
};

#define RUNNER_MAX 2000000 /* bound of the packet loop, whatever happens */

static void *run_packets(void *arg)
{
	struct runner *r = arg;

	for (uint64_t i = 0; !r->stop && i < RUNNER_MAX; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = r->pkt[i & 1],
			    .data_size_in = (__u32)r->len[i & 1], .repeat = 1);

		if (bpf_prog_test_run_opts(r->prog_fd, &o) || o.retval != XDP_PASS)
			r->errs++;
		else
			r->runs++;
	}
	return NULL;
}

/* Feed with the two addresses the runner sends to, plus @n other prefixes
 * that differ between @seed values. */
static char *reload_feed(uint64_t seed, int n)
{
	size_t cap = (size_t)n * 48 + 128, off;
	char *f = malloc(cap);

	if (!f)
		return NULL;
	off = (size_t)snprintf(f, cap, "203.0.113.0/24\n2001:db8:bad::/48\n");
	rnd_state = seed;
	for (int i = 0; i < n; i++) {
		uint64_t r = rnd();

		off += (size_t)snprintf(f + off, cap - off, "%u.%u.%u.0/24\n",
					1 + (unsigned)(r % 190), (unsigned)(r >> 8) & 0xff,
					(unsigned)(r >> 16) & 0xff);
	}
	return f;
}

void test_ioc_prefilter_reload(void)
{
	const struct pkt_desc d[2] = {
		{.family = 4,
		 .src = "100.64.0.1",
		 .dst = "203.0.113.5",
		 .proto = IPPROTO_TCP,
		 .sport = 50000,
		 .dport = 443},
		{.family = 6,
		 .src = "3fff::1",
		 .dst = "2001:db8:bad::5",
		 .proto = IPPROTO_UDP,
		 .sport = 50000,
		 .dport = 443},
	};
	struct ioc_set *sets[2] = {NULL, NULL};
	struct xh_stats s0, s1;
	static struct runner r;
	uint64_t *fresh = NULL, last_tag = 0;
	char *feed[2] = {reload_feed(1, 5000), reload_feed(2, 5000)};
	pthread_t th;
	int started = 0;
	struct xhp x;

	memset(&r, 0, sizeof(r));
	if (!ASSERT_OK_PTR(feed[0], "feed") || !ASSERT_OK_PTR(feed[1], "feed") ||
	    !ASSERT_OK_PTR(make_tmpdir(), "mkdtemp"))
		goto out_feed;
	sets[0] = set_of(feed[0]);
	sets[1] = set_of(feed[1]);
	fresh = calloc(1, PF_BYTES);
	if (!sets[0] || !sets[1] || !ASSERT_OK_PTR(fresh, "calloc"))
		goto out;
	if (xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		goto out;
	if (!ASSERT_OK(install(&x, sets[0]), "first install"))
		goto close;
	r.prog_fd = bpf_program__fd(x.skel->progs.xdphunt);
	for (int i = 0; i < 2; i++)
		r.len[i] = pkt_build(&d[i], r.pkt[i], NULL);
	if (!ASSERT_OK(xhp_stats(&x, &s0), "stats"))
		goto close;
	if (!ASSERT_OK(pthread_create(&th, NULL, run_packets, &r), "pthread_create"))
		goto close;
	started = 1;
	for (int i = 1; i <= 20; i++) {
		struct ioc_set *set = sets[i & 1];
		uint64_t runs = r.runs, *w;

		if (!ASSERT_OK(install(&x, set), "reload"))
			break;
		/* After a reload the slot holds the new set's prefilter, and it
		 * is exactly what that set gives. */
		w = pf_map(&x);
		if (!ASSERT_OK_PTR(w, "prefilter after reload"))
			break;
		memset(fresh, 0, PF_BYTES);
		ioc_prefilter_fill(set, fresh);
		ASSERT_MEMEQ(w, fresh, XH_PF_TAG * sizeof(*w), "prefilter of the new set");
		/* and a tag of its own, so flows ask the new tries again */
		ASSERT_NEQ(w[XH_PF_TAG], 0, "prefilter tag");
		ASSERT_NEQ(w[XH_PF_TAG], last_tag, "prefilter tag after reload");
		last_tag = w[XH_PF_TAG];
		munmap(w, PF_BYTES);
		for (int spin = 0; spin < 1000000 && r.runs == runs && !r.errs; spin++)
			sched_yield(); /* let packets run across every reload */
	}
	r.stop = 1;
	pthread_join(th, NULL);
	started = 0;
	ASSERT_EQ(r.errs, 0, "test runs");
	ASSERT_GE(r.runs, 21, "packets ran during the reloads");
	if (ASSERT_OK(xhp_stats(&x, &s1), "stats")) {
		/* Both addresses are in every generation: no packet may miss. */
		ASSERT_EQ(s1.class_pkts[XH_CLASS_IOC] - s0.class_pkts[XH_CLASS_IOC], r.runs,
			  "every packet matched across the reloads");
	}
	/* The last set (sets[0]) is in force: its own prefixes match, the
	 * other set's do not. */
	{
		const struct ioc_entry *e0 = ioc_set_at(sets[0], 2), *e1 = ioc_set_at(sets[1], 2);
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, e0->addr, a, sizeof(a));
		ASSERT_EQ(probe(&x, a, NULL), 1, "in the installed set");
		inet_ntop(AF_INET, e1->addr, a, sizeof(a));
		ASSERT_EQ(probe(&x, a, NULL), 0, "only in the replaced set");
	}
close:
	if (started) {
		r.stop = 1;
		pthread_join(th, NULL);
	}
	xhp_close(&x);
out:
	ioc_set__free(sets[0]);
	ioc_set__free(sets[1]);
	free(fresh);
	rmdir(tmpdir);
out_feed:
	free(feed[0]);
	free(feed[1]);
}
