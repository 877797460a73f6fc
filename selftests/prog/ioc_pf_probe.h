/* SPDX-License-Identifier: GPL-2.0 */
/* ioc_pf_probe.h: helpers of the IoC prefilter tests (test_ioc_prefilter*.c):
 * a feed written to a temporary directory and loaded as a set, installed by
 * the real ioc_maps_install(), the prefilter words of the xh_iocpf slot mapped,
 * an address probed with a TCP SYN, and a seeded xorshift. Static: each test
 * file has its own copy, generation counter and random state. */
#ifndef IOC_PF_PROBE_H
#define IOC_PF_PROBE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdphunt.skel.h"
#include "test.h"
#include "pkt.h"
#include "xh_prog.h"
#include "ioc.h"
#include "ioc_maps.h"
#include "ioc_pf.h"

#define PF_BYTES ((size_t)XH_PF_ENTRIES * sizeof(uint64_t))

#define TMPDIR_TEMPLATE "/tmp/xh_pf_XXXXXX"
static char tmpdir[sizeof(TMPDIR_TEMPLATE)];

static inline char *make_tmpdir(void)
{
	memcpy(tmpdir, TMPDIR_TEMPLATE, sizeof(tmpdir));
	return mkdtemp(tmpdir);
}
static unsigned int gen_no;

/* A set holding the feed text @feed read in @action mode (enum
 * ioc_action). NULL on failure (asserted). */
static inline struct ioc_set *set_of_mode(const char *feed, uint8_t action)
{
	struct ioc_file_opts o = {.action = action};
	char path[256];
	struct ioc_set *set = ioc_set__new();
	FILE *f;

	if (!ASSERT_OK_PTR(set, "set"))
		return NULL;
	snprintf(path, sizeof(path), "%s/feed.txt", tmpdir);
	f = fopen(path, "w");
	if (!ASSERT_OK_PTR(f, "feed file")) {
		ioc_set__free(set);
		return NULL;
	}
	fputs(feed, f);
	fclose(f);
	if (!ASSERT_GE(ioc_set_load_file_opts(set, path, &o), 1, "load feed")) {
		ioc_set__free(set);
		set = NULL;
	}
	unlink(path);
	return set;
}

/* The same in alert mode. */
static inline struct ioc_set *set_of(const char *feed)
{
	return set_of_mode(feed, IOC_ACTION_ALERT);
}

static inline void outer_of(struct xhp *x, struct ioc_outer *o)
{
	o->ioc4 = bpf_map__fd(x->skel->maps.xh_ioc4);
	o->ioc6 = bpf_map__fd(x->skel->maps.xh_ioc6);
	o->iocdom = bpf_map__fd(x->skel->maps.xh_iocdom);
	o->iocport = bpf_map__fd(x->skel->maps.xh_iocport);
	o->iocpf = bpf_map__fd(x->skel->maps.xh_iocpf);
}

static inline int install(struct xhp *x, struct ioc_set *set)
{
	struct ioc_outer o;

	outer_of(x, &o);
	gen_no = (gen_no + 1) & XH_IOC_GEN_MASK;
	return ioc_maps_install(set, &o, gen_no, NULL);
}

/* The prefilter words in the xh_iocpf slot, mapped (NULL when the slot is
 * empty). Unmap with munmap(p, PF_BYTES). */
static inline uint64_t *pf_map(struct xhp *x)
{
	__u32 zero = 0, id;
	uint64_t *w;
	int fd;

	if (bpf_map_lookup_elem(bpf_map__fd(x->skel->maps.xh_iocpf), &zero, &id))
		return NULL;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return NULL;
	w = mmap(NULL, PF_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return w == MAP_FAILED ? NULL : w;
}

/* Run a TCP SYN to @dst and return 1 when the destination was reported as an
 * IoC (*id: the indicator's id), 0 when not, -1 on error. The source is
 * outside every prefix of these tests but /0. */
static inline int probe(struct xhp *x, const char *dst, uint32_t *id)
{
	int v6 = strchr(dst, ':') != NULL;
	struct pkt_desc d = {.family = v6 ? 6 : 4,
			     .src = v6 ? "3fff::1" : "100.64.0.1",
			     .dst = dst,
			     .proto = IPPROTO_TCP,
			     .sport = 50000,
			     .dport = 443,
			     .tcp_flags = 0x02};
	uint8_t buf[PKT_MAX];
	size_t len = pkt_build(&d, buf, NULL);
	int hit = 0;

	xhp_reset(x);
	if (!ASSERT_GE(len, 1, "pkt_build") || xhp_run(x, buf, len))
		return -1;
	xhp_drain(x);
	for (int i = 0; i < x->n_ev; i++) {
		if (x->ev[i].rule == XH_RULE_IOC_DEST) {
			hit = 1;
			if (id)
				*id = x->ev[i].ioc_id & XH_IOC_ID_MASK;
		}
	}
	return hit;
}

/* xorshift64: the same numbers on every run, from this seed or from what a
 * test sets rnd_state to. */
static uint64_t rnd_state = 0x2545f4914f6cdd1dull;

static inline uint64_t rnd(void)
{
	return test_xorshift64(&rnd_state);
}

#endif
