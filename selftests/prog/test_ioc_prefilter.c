// SPDX-License-Identifier: GPL-2.0
/* test_ioc_prefilter.c: the IoC prefilter (bpf/ioc_pf.h) in front of the LPM
 * tries, under BPF_PROG_TEST_RUN with sets installed by the real
 * ioc_maps_install(): no false negative at prefix-length boundaries, the
 * datapath tests exactly the bits userspace sets, exact results on random
 * feeds, domains, and hot reload keeps prefilter and tries in step while
 * packets run. */
#include <arpa/inet.h>
#include <errno.h>
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
#include "ioc_maps.h"
#include "ioc_pf.h"
#include "ioc_prefilter.h"

#define PF_BYTES ((size_t)XH_PF_ENTRIES * sizeof(uint64_t))

#define TMPDIR_TEMPLATE "/tmp/xh_pf_XXXXXX"
static char tmpdir[sizeof(TMPDIR_TEMPLATE)];

static char *make_tmpdir(void)
{
	memcpy(tmpdir, TMPDIR_TEMPLATE, sizeof(tmpdir));
	return mkdtemp(tmpdir);
}
static unsigned int gen_no;

/* A set holding the feed text @feed. NULL on failure (asserted). */
static struct ioc_set *set_of(const char *feed)
{
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
	if (!ASSERT_GE(ioc_set_load_file(set, path), 1, "load feed")) {
		ioc_set__free(set);
		set = NULL;
	}
	unlink(path);
	return set;
}

static void outer_of(struct xhp *x, struct ioc_outer *o)
{
	o->ioc4 = bpf_map__fd(x->skel->maps.xh_ioc4);
	o->ioc6 = bpf_map__fd(x->skel->maps.xh_ioc6);
	o->iocdom = bpf_map__fd(x->skel->maps.xh_iocdom);
	o->iocport = bpf_map__fd(x->skel->maps.xh_iocport);
	o->iocpf = bpf_map__fd(x->skel->maps.xh_iocpf);
}

static int install(struct xhp *x, struct ioc_set *set)
{
	struct ioc_outer o;

	outer_of(x, &o);
	gen_no = (gen_no + 1) & XH_IOC_GEN_MASK;
	return ioc_maps_install(set, &o, gen_no, NULL);
}

/* The prefilter words in the xh_iocpf slot, mapped (NULL when the slot is
 * empty). Unmap with munmap(p, PF_BYTES). */
static uint64_t *pf_map(struct xhp *x)
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
static int probe(struct xhp *x, const char *dst, uint32_t *id)
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

/* Clear (@on = 0) or restore the prefilter bits the datapath tests for @a. */
static void pf_bits(uint64_t *w, const char *a, const uint64_t *saved, int on)
{
	uint8_t b[16];

	if (!strchr(a, ':')) {
		uint32_t bit;

		inet_pton(AF_INET, a, b);
		bit = xh_pf4_bit((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
				 b[3]);
		w[bit >> 6] = on ? saved[bit >> 6] : w[bit >> 6] & ~(1ull << (bit & 63));
	} else {
		uint64_t hi = 0;
		uint32_t bits[2];

		inet_pton(AF_INET6, a, b);
		for (int i = 0; i < 8; i++)
			hi = hi << 8 | b[i];
		bits[0] = xh_pf6_bit48(hi);
		bits[1] = xh_pf6_bit32(hi);
		for (int i = 0; i < 2; i++) {
			uint64_t *p = &w[XH_PF6_BASE + (bits[i] >> 6)];

			*p = on ? saved[p - w] : *p & ~(1ull << (bits[i] & 63));
		}
		w[XH_PF_FLAGS] = on ? saved[XH_PF_FLAGS] : 0;
	}
}

struct boundary {
	const char *prefix;
	const char *in[3];  /* covered: must match, and must need their bits */
	const char *out[3]; /* not covered: must not match */
};

static const struct boundary cases[] = {
	{"0.0.0.0/0", {"0.0.0.0", "203.0.113.9", "255.255.255.255"}, {NULL}},
	{"198.0.0.0/8",
	 {"198.0.0.0", "198.51.100.1", "198.255.255.255"},
	 {"197.255.255.255", "199.0.0.0", NULL}},
	{"198.51.100.0/23",
	 {"198.51.100.0", "198.51.101.128", "198.51.101.255"},
	 {"198.51.99.255", "198.51.102.0", NULL}},
	{"203.0.113.0/24",
	 {"203.0.113.0", "203.0.113.255", NULL},
	 {"203.0.112.255", "203.0.114.0", NULL}},
	{"192.0.2.128/25",
	 {"192.0.2.128", "192.0.2.255", NULL},
	 {"192.0.2.127", "192.0.2.0", "192.0.3.0"}},
	{"192.0.2.77/32", {"192.0.2.77", NULL}, {"192.0.2.76", "192.0.2.78", "192.0.3.77"}},
	{"198.51.100.80:8443", {NULL}, {"198.51.100.80", NULL}}, /* port 443 probed */
	{"2001::/16",
	 {"2001::", "2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::1"},
	 {"2000:ffff::1", "2002::", NULL}},
	{"2001:db8::/32",
	 {"2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8:bad::1"},
	 {"2001:db7:ffff::1", "2001:db9::", NULL}},
	{"2001:db8:bac::/47",
	 {"2001:db8:bac::", "2001:db8:bad:ffff:ffff:ffff:ffff:ffff", NULL},
	 {"2001:db8:bab:ffff::1", "2001:db8:bae::", NULL}},
	{"2001:db8:bad::/48",
	 {"2001:db8:bad::", "2001:db8:bad:ffff:ffff:ffff:ffff:ffff", NULL},
	 {"2001:db8:bac:ffff::1", "2001:db8:bae::", NULL}},
	{"2001:db8:bad:1::/64",
	 {"2001:db8:bad:1::", "2001:db8:bad:1:ffff:ffff:ffff:ffff", NULL},
	 {"2001:db8:bad::ffff", "2001:db8:bad:2::", NULL}},
	{"2001:db8:bad::77/128",
	 {"2001:db8:bad::77", NULL},
	 {"2001:db8:bad::76", "2001:db8:bad::78", "2001:db8:bae::77"}},
};

static void check_case(struct xhp *x, const struct boundary *c)
{
	struct ioc_set *set = set_of(c->prefix);
	uint64_t *w, *saved = NULL;
	uint32_t id = 0;

	if (!set)
		return;
	if (!ASSERT_OK(install(x, set), "install"))
		goto out;
	w = pf_map(x);
	if (!ASSERT_OK_PTR(w, "prefilter installed"))
		goto out;
	saved = malloc(PF_BYTES);
	if (!ASSERT_OK_PTR(saved, "malloc"))
		goto unmap;
	memcpy(saved, w, PF_BYTES);
	for (int i = 0; i < 3 && c->in[i]; i++) {
		id = 0;
		ASSERT_EQ(probe(x, c->in[i], &id), 1, c->in[i]);
		ASSERT_EQ(id, 1, "indicator id");
		/* The datapath reads exactly the bits userspace set: with
		 * them cleared the address is filtered out before the trie. */
		pf_bits(w, c->in[i], saved, 0);
		ASSERT_EQ(probe(x, c->in[i], NULL), 0, "filtered when its bits are clear");
		pf_bits(w, c->in[i], saved, 1);
		ASSERT_EQ(probe(x, c->in[i], NULL), 1, "bits restored");
	}
	for (int i = 0; i < 3 && c->out[i]; i++)
		ASSERT_EQ(probe(x, c->out[i], NULL), 0, c->out[i]);
	free(saved);
unmap:
	munmap(w, PF_BYTES);
out:
	ioc_set__free(set);
}

void test_ioc_prefilter_boundaries(void)
{
	struct xhp x;

	if (!ASSERT_OK_PTR(make_tmpdir(), "mkdtemp"))
		return;
	if (xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		goto out;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_subtest("%s", cases[i].prefix);
		check_case(&x, &cases[i]);
		test_subtest_end();
	}
	xhp_close(&x);
out:
	rmdir(tmpdir);
}

/* ---- domains: the suffix hashes' bits ------------------------------------- */

/* Run a DNS query (UDP to port 53) for @name; 1 when it gave an ioc.dns hit
 * (*id: the indicator's id), 0 when not, -1 on error. */
static int probe_dns(struct xhp *x, const char *name, uint32_t *id)
{
	uint8_t msg[300] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
	size_t n = 12, len;
	struct pkt_desc d = {.family = 4,
			     .src = "100.64.0.1",
			     .dst = "100.64.0.53",
			     .proto = IPPROTO_UDP,
			     .sport = 50053,
			     .dport = 53};
	struct pkt_layout lay;
	uint8_t buf[PKT_MAX];
	int hit = 0;

	for (const char *l = name; *l;) {
		size_t k = strcspn(l, ".");

		msg[n++] = (uint8_t)k;
		memcpy(msg + n, l, k);
		n += k;
		l += k + (l[k] == '.');
	}
	msg[n++] = 0;
	msg[n++] = 0, msg[n++] = 1; /* QTYPE A */
	msg[n++] = 0, msg[n++] = 1; /* QCLASS IN */
	d.payload_len = (int)n;
	len = pkt_build(&d, buf, &lay);
	if (!ASSERT_GE(len, 1, "pkt_build"))
		return -1;
	memcpy(buf + lay.payload_off, msg, n);
	xhp_reset(x);
	if (xhp_run(x, buf, len))
		return -1;
	xhp_drain(x);
	for (int i = 0; i < x->n_ev; i++) {
		if (x->ev[i].rule == XH_RULE_IOC_DNS) {
			hit = 1;
			if (id)
				*id = x->ev[i].ioc_id & XH_IOC_ID_MASK;
		}
	}
	return hit;
}

void test_ioc_prefilter_domains(void)
{
	struct ioc_set *set = NULL;
	uint64_t *w = NULL, saved;
	uint32_t bit, id = 0;
	struct xhp x;

	if (!ASSERT_OK_PTR(make_tmpdir(), "mkdtemp"))
		return;
	set = set_of("192.0.2.1\nevil.example\n");
	if (!set || xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		goto out;
	if (!ASSERT_OK(install(&x, set), "install"))
		goto close;
	w = pf_map(&x);
	if (!ASSERT_OK_PTR(w, "prefilter installed"))
		goto close;
	ASSERT_EQ(probe_dns(&x, "a.b.evil.example", &id), 1, "name below the domain");
	ASSERT_EQ(id, 2, "indicator id");
	ASSERT_EQ(probe_dns(&x, "EVIL.example", NULL), 1, "the domain itself, any case");
	ASSERT_EQ(probe_dns(&x, "notevil.example", NULL), 0, "another domain");
	ASSERT_EQ(probe_dns(&x, "example", NULL), 0, "the parent");
	/* The datapath tests exactly the bit userspace set for the domain. */
	bit = xh_pfd_bit(xhp_domain_hash(IOC_DOMAIN));
	saved = w[XH_PFD_BASE + (bit >> 6)];
	ASSERT_NEQ(saved & (1ull << (bit & 63)), 0, "domain bit set");
	w[XH_PFD_BASE + (bit >> 6)] &= ~(1ull << (bit & 63));
	ASSERT_EQ(probe_dns(&x, "a.b.evil.example", NULL), 0, "filtered when its bit is clear");
	w[XH_PFD_BASE + (bit >> 6)] = saved;
	ASSERT_EQ(probe_dns(&x, "a.b.evil.example", NULL), 1, "bit restored");
	munmap(w, PF_BYTES);
close:
	xhp_close(&x);
out:
	ioc_set__free(set);
	rmdir(tmpdir);
}

/* ---- random feeds: the datapath against a brute-force match ---------------- */

static uint64_t rnd_state = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

struct pfx {
	uint8_t a[16];
	int v6, len;
};

static int covers(const struct pfx *p, const uint8_t *a, int v6)
{
	int full = p->len / 8, rest = p->len % 8;

	if (p->v6 != v6 || memcmp(p->a, a, full))
		return 0;
	return !rest || ((p->a[full] ^ a[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

static void mask(struct pfx *p)
{
	int n = p->v6 ? 16 : 4;

	for (int i = 0; i < n; i++) {
		int keep = p->len - i * 8;

		if (keep <= 0)
			p->a[i] = 0;
		else if (keep < 8)
			p->a[i] &= (uint8_t)(0xff << (8 - keep));
	}
}

#define N_RND	 400
#define RND_FEED (N_RND * 48)

static void rnd_addr(uint8_t *a, int v6)
{
	uint64_t r1 = rnd(), r2 = rnd();

	memcpy(a, &r1, 8);
	memcpy(a + 8, &r2, 8);
	if (v6) {
		/* Mostly inside 2001:db8::/32 so the prefixes share /32s and /48s. */
		if (r1 & 1) {
			a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
			if (r1 & 2)
				a[4] = 0x0b, a[5] = 0xad;
		}
	} else if (r1 & 1) {
		a[0] = 198, a[1] = 51; /* clustered: shared /16s and /24s */
	}
}

void test_ioc_prefilter_random(void)
{
	static struct pfx p[N_RND];
	char *feed = malloc(RND_FEED), txt[INET6_ADDRSTRLEN];
	size_t off = 0;
	struct ioc_set *set = NULL;
	int mismatches = 0, hits = 0, probes = 0;
	struct xhp x;

	if (!ASSERT_OK_PTR(feed, "malloc") || !ASSERT_OK_PTR(make_tmpdir(), "mkdtemp"))
		goto out_free;
	/* Lengths 8..32 (IPv4) and 32..128 (IPv6): shorter ones would cover
	 * most probes and test nothing; /0../16 are in the boundary test. */
	for (int i = 0; i < N_RND; i++) {
		p[i].v6 = i % 3 == 0;
		p[i].len = p[i].v6 ? 32 + (int)(rnd() % 97) : 8 + (int)(rnd() % 25);
		rnd_addr(p[i].a, p[i].v6);
		mask(&p[i]);
		inet_ntop(p[i].v6 ? AF_INET6 : AF_INET, p[i].a, txt, sizeof(txt));
		off += (size_t)snprintf(feed + off, RND_FEED - off, "%s/%d\n", txt, p[i].len);
	}
	set = set_of(feed);
	if (!set || xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		goto out;
	if (!ASSERT_OK(install(&x, set), "install"))
		goto close;
	for (int i = 0; i < N_RND * 2; i++) {
		uint8_t a[16];
		int v6 = i % 3 == 0, want = 0, got;

		rnd_addr(a, v6);
		if (i % 2 == 0) {
			/* Inside prefix i/2, at a random host. */
			const struct pfx *q = &p[i / 2];

			v6 = q->v6;
			memcpy(a, q->a, (size_t)q->len / 8);
			if (q->len % 8) {
				uint8_t m = (uint8_t)(0xff << (8 - q->len % 8));

				a[q->len / 8] =
					(uint8_t)((q->a[q->len / 8] & m) | (a[q->len / 8] & ~m));
			}
		}
		for (int j = 0; j < N_RND && !want; j++)
			want = covers(&p[j], a, v6);
		inet_ntop(v6 ? AF_INET6 : AF_INET, a, txt, sizeof(txt));
		got = probe(&x, txt, NULL);
		probes++;
		hits += want;
		if (got != want) {
			mismatches++;
			ASSERT_EQ(got, want, txt);
		}
	}
	ASSERT_EQ(mismatches, 0, "datapath == brute force");
	ASSERT_GE(hits, N_RND, "every inside probe is a hit");
	ASSERT_LT(hits, probes, "and some probes miss");
close:
	xhp_close(&x);
out:
	ioc_set__free(set);
	rmdir(tmpdir);
out_free:
	free(feed);
}

/* ---- hot reload: prefilter and tries in step while packets run ----------------- */

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
	uint64_t *fresh = NULL;
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
		ASSERT_MEMEQ(w, fresh, PF_BYTES, "prefilter of the new set");
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
