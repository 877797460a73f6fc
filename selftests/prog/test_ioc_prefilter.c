// SPDX-License-Identifier: GPL-2.0
/* test_ioc_prefilter.c: the IoC prefilter (bpf/ioc_pf.h) in front of the LPM
 * tries, under BPF_PROG_TEST_RUN with sets installed by the real
 * ioc_maps_install(): no false negative at prefix-length boundaries, the
 * datapath tests exactly the bits userspace sets, domains, and exact results
 * on random feeds. Hot reload: test_ioc_prefilter_reload.c. */
#include <arpa/inet.h>
#include <netinet/in.h>
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
	d.payload = msg;
	len = pkt_build(&d, buf, NULL);
	if (!ASSERT_GE(len, 1, "pkt_build"))
		return -1;
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
