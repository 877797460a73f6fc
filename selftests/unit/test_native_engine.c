// SPDX-License-Identifier: GPL-2.0
/* test_native_engine.c: bpf/xdphunt.bpf.c compiled natively, set up by the
 * ordinary loader code (user/native/wrap.c), run under ASan/UBSan over every
 * frame of the public corpus, each in a buffer of exactly its length: a read
 * past the end of a packet fails here, not just in the verifier's head.
 * No privileges needed. The hits themselves are compared with the kernel
 * engine's by selftests/replay/test_native_engine.py. Then the same frames
 * mutated, and DNS queries and ClientHellos with mutants of them, through
 * the fuzz target's harness (selftests/fuzz/). */
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "capture.h"
#include "cli.h"
#include "cmd.h"
#include "dcerpc_table.h"
#include "loader.h"
#include "native/engine.h"
#include "native/nrt_prog.h"
#include "smb_user.h"
#include "xdphunt.skel.h"
#include "fuzz_engine.h"
#include "msg.h"
#include "pkt.h"
#include "test.h"

struct count {
	unsigned long events;
	unsigned long bad;
};

static int count_event(void *ctx, void *data, size_t size)
{
	struct count *c = ctx;
	const struct xh_event *e = data;

	c->events++;
	if (size < XH_EVENT_SHORT_SIZE || size != xh_event_record_size(e) || !e->rule ||
	    e->rule >= XH_RULE__MAX)
		c->bad++;
	return 0;
}

static const char *corpus_dir(char *buf, size_t n)
{
	const char *d = getenv("XH_CORPUS_DIR"), *shared = getenv("XH_SHARED_DIR");

	if (d)
		return d;
	snprintf(buf, n, "%s/corpus/public", shared ? shared : "../shared");
	return buf;
}

/* The corpus captures (names matching *.pcap*, truth files left out): an
 * empty list and a test_skip() when there is no corpus. globfree() it. */
static int corpus_glob(glob_t *g)
{
	char dir[512], pat[600];

	snprintf(pat, sizeof(pat), "%s/*.pcap*", corpus_dir(dir, sizeof(dir)));
	if (glob(pat, 0, NULL, g) || !g->gl_pathc) {
		test_skip("no corpus at %s", dir);
		return -1;
	}
	return 0;
}

/* Hand every frame of every capture in @g to @on_frame, in order, and call
 * @on_end after each capture (to clear flow state). Returns the captures read. */
static unsigned long
corpus_each_frame(const glob_t *g, void (*on_frame)(void *ctx, const uint8_t *frame, size_t len),
		  void (*on_end)(void *ctx), void *ctx)
{
	static uint8_t frame[CAPTURE_MAX_FRAME];
	unsigned long files = 0;
	char err[512];

	for (size_t i = 0; i < g->gl_pathc; i++) {
		struct capture *cap;
		uint64_t ts;
		int len;

		if (strstr(g->gl_pathv[i], ".json"))
			continue;
		cap = capture__open(g->gl_pathv[i], err, sizeof(err));
		if (!cap)
			continue;
		files++;
		while (capture_next(cap, frame, sizeof(frame), &len, &ts) == 1)
			on_frame(ctx, frame, (size_t)len);
		capture__free(cap);
		on_end(ctx);
	}
	return files;
}

struct corpus_run {
	struct loader *l;
	struct nrt_engine *e;
	struct count c;
	unsigned long frames;
};

static void corpus_run_frame(void *ctx, const uint8_t *frame, size_t len)
{
	struct corpus_run *r = ctx;
	/* Exactly the frame's bytes: ASan sees any read past them. */
	uint8_t *p = malloc(len ? len : 1);

	if (!p)
		return;
	memcpy(p, frame, len);
	nrt_engine_run(r->e, p, (uint32_t)len, 1);
	free(p);
	nrt_engine_drain(r->e, count_event, &r->c);
	r->frames++;
}

static void corpus_run_end(void *ctx)
{
	struct corpus_run *r = ctx;

	loader_clear_flows(r->l);
	dcerpc_clear_state(r->l->skel);
}

void test_native_engine_corpus(void)
{
	struct loader_opts lo = {};
	struct hunt_opts o;
	struct smb_rules *smb = NULL;
	struct dcerpc_table *rpc = NULL;
	struct loader *l = NULL;
	struct nrt_engine *e = NULL;
	struct corpus_run r = {};
	unsigned long files;
	glob_t g = {};
	__u32 key = 445;
	__u8 svc = 0;

	if (corpus_glob(&g))
		goto out;
	hunt_opts_init(&o);
	smb = cmd_load_smb_rules(&o);
	rpc = cmd_load_dcerpc(&o);
	l = loader__open(&lo);
	if (!ASSERT_OK_PTR(smb, "smb rules") || !ASSERT_OK_PTR(rpc, "dcerpc table") ||
	    !ASSERT_OK_PTR(l, "skeleton open"))
		goto out;
	e = nrt_engine__open(l->skel->obj, &nrt_prog_xdphunt);
	if (!ASSERT_OK_PTR(e, "native engine"))
		goto out;
	/* The same set-up calls as replay, now reaching native maps. */
	if (!ASSERT_OK(loader_configure(l, &lo, NULL), "configure") ||
	    !ASSERT_OK(cmd_smb_rules_to_map(l, smb), "smb rules to map") ||
	    !ASSERT_OK(dcerpc_table_to_maps(rpc, bpf_map__fd(l->skel->maps.xh_rpc_ifs),
					    bpf_map__fd(l->skel->maps.xh_rpc_ops)),
		       "dcerpc to maps") ||
	    !ASSERT_OK(loader_arm(l), "arm") || !ASSERT_OK(nrt_engine_sync(e), "sync"))
		goto out;
	ASSERT_OK(bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.xh_ports), &key, &svc),
		  "read back xh_ports");
	ASSERT_EQ(svc, XH_SVC_SMB, "port 445 is SMB in the native map");

	r.l = l;
	r.e = e;
	files = corpus_each_frame(&g, corpus_run_frame, corpus_run_end, &r);
	ASSERT_GE(files, 100, "corpus captures read");
	ASSERT_GE(r.frames, 10000, "frames run");
	ASSERT_GE(r.c.events, 1000, "hits found");
	ASSERT_EQ(r.c.bad, 0, "well-formed events");
out:
	nrt_engine__free(e);
	loader__free(l);
	dcerpc_table__free(rpc);
	smb_rules__free(smb);
	globfree(&g);
}

/* Mutant @kind of the @len bytes at @in, into @out (at least @len bytes);
 * returns its length. 0: cut short; 1: 1-4 bytes flipped, mostly in the
 * headers; 2: a 16-bit field in the first 128 bytes set to a length-like
 * boundary value (length, offset and count fields are what bounds checks
 * read). */
static size_t mutate(int kind, const uint8_t *in, size_t len, uint8_t *out, uint64_t *seed)
{
	static const uint32_t edge[] = {0, 1, 0x7fff, 0x8000, 0xffff, 20, 64};
	size_t n = len, i, off;
	uint32_t v;

	memcpy(out, in, len);
	if (len < 2)
		return len;
	switch (kind) {
	case 0:
		return (size_t)(test_xorshift64(seed) % len);
	case 1:
		for (i = 0; i <= test_xorshift64(seed) % 4; i++) {
			off = test_xorshift64(seed) % (i % 2 ? len : (len < 200 ? len : 200));
			out[off] ^= (uint8_t)(1 + test_xorshift64(seed) % 255);
		}
		return n;
	default:
		off = test_xorshift64(seed) % ((len < 128 ? len : 128) - 1);
		v = test_xorshift64(seed) % 3
			    ? edge[test_xorshift64(seed) % (sizeof(edge) / sizeof(edge[0]))]
			    : (uint32_t)(len + test_xorshift64(seed) % 3 - 1);
		out[off] = (uint8_t)(v >> 8);
		out[off + 1] = (uint8_t)v;
		return n;
	}
}

/* Every corpus frame and three mutants of it (cut short, bytes flipped, a
 * 16-bit field set to a boundary value) through the native program under
 * ASan/UBSan, in streams that keep flow state: no read past a frame, and
 * every event a well-formed record whose JSON line parses back. A bounded,
 * repeatable slice of what `make fuzz` runs for as long as it is given. */
struct mutant_run {
	struct fuzz_engine *f;
	uint64_t seed;
};

/* The frame, then mutants 0, 1 and 2 of it. */
static void mutant_run_frame(void *ctx, const uint8_t *frame, size_t len)
{
	static uint8_t mut[CAPTURE_MAX_FRAME];
	struct mutant_run *r = ctx;

	fuzz_engine_frame(r->f, frame, len);
	for (int k = 0; k < 3; k++)
		fuzz_engine_frame(r->f, mut, mutate(k, frame, len, mut, &r->seed));
}

static void mutant_run_end(void *ctx)
{
	fuzz_engine_clear_flows(((struct mutant_run *)ctx)->f);
}

/* What every fuzzed run must keep: each event a well-formed record, a JSON
 * line that parses back, and a rule its 5-tuple can carry. */
static void expect_sound_events(const struct fuzz_stats *st)
{
	ASSERT_EQ(st->bad_records, 0, "well-formed records");
	ASSERT_EQ(st->bad_json, 0, "every event formats to JSON that parses back");
	ASSERT_EQ(st->misclassified, 0, "no rule on a flow that cannot carry it");
}

void test_native_engine_mutated(void)
{
	const uint8_t two[] = {3, 0, 0xaa, 0xbb, 0xcc, 1, 0, 0xdd, 0xee};
	struct mutant_run r = {.seed = 0x9e3779b97f4a7c15ull};
	struct fuzz_engine *f = NULL;
	const struct fuzz_stats *st;
	unsigned long files;
	glob_t g = {};

	if (corpus_glob(&g))
		goto out;
	f = fuzz_engine__open();
	if (!ASSERT_OK_PTR(f, "fuzz engine"))
		goto out;
	st = fuzz_engine_stats(f);
	/* The fuzzer's input format: a 2-byte length before each frame. */
	fuzz_engine_input(f, two, sizeof(two));
	ASSERT_EQ(st->frames, 3, "framed input: 3, 1 and a last short frame");

	r.f = f;
	files = corpus_each_frame(&g, mutant_run_frame, mutant_run_end, &r);
	ASSERT_GE(files, 100, "corpus captures read");
	ASSERT_GE(st->frames, 40000, "frames run (originals and mutants)");
	ASSERT_GE(st->rules[XH_RULE_SMB_IPC_SHARE], 1, "SMB tree connects reached");
	ASSERT_GE(st->rules[XH_RULE_DCERPC_BIND], 1, "DCE/RPC binds reached");
	ASSERT_GE(st->rules[XH_RULE_IOC_DEST], 1, "IoC flows reached");
	expect_sound_events(st);
	printf("# native_engine_mutated: %lu frames, %lu events\n", st->frames, st->events);
out:
	fuzz_engine__free(f);
	globfree(&g);
}

/* One frame of @proto to port @dport carrying @msg (@n bytes). */
static size_t name_frame(uint8_t *buf, int family, uint8_t proto, uint16_t dport,
			 const uint8_t *msg, size_t n)
{
	struct pkt_desc d = {.family = family,
			     .src = family == 4 ? "192.0.2.10" : "2001:db8:1::10",
			     .dst = family == 4 ? "198.51.100.53" : "2001:db8:2::53",
			     .proto = proto,
			     .sport = 40000,
			     .dport = dport,
			     .tcp_flags = proto == IPPROTO_TCP ? 0x18 : 0,
			     .payload_len = (int)n,
			     .payload = msg};

	return pkt_build(&d, buf, NULL);
}

/* The corpus has few DNS queries and ClientHellos: queries (UDP and TCP,
 * IPv4 and IPv6) and ClientHellos naming domains in and out of the fuzz
 * feed, each run and then 300 mutants of it, checked as above. */
void test_native_engine_names_mutated(void)
{
	static const char *const names[] = {
		"evil.example",
		"c2.evil.example",
		"www.microsoft.com",
		"host.local.lan",
		"benign.example.org",
		"a.b.c.d.e.f.g.h.i.evil.example",
		"x",
	};
	static uint8_t frame[PKT_MAX], mut[PKT_MAX], msg[1024];
	struct fuzz_engine *f = fuzz_engine__open();
	const struct fuzz_stats *st;
	uint64_t seed = 0x2545f4914f6cdd1dull;

	if (!ASSERT_OK_PTR(f, "fuzz engine"))
		return;
	st = fuzz_engine_stats(f);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (int v = 0; v < 5; v++) {
			size_t n, len;

			if (v < 3)
				n = msg_dns_query(msg, names[i], 1, 1, v == 2);
			else
				n = msg_tls_hello(msg, names[i],
						  v == 3 ? MSG_SNI_FIRST : MSG_SNI_LAST, v == 4,
						  32);
			len = name_frame(frame, v == 1 ? 6 : 4, v < 2 ? IPPROTO_UDP : IPPROTO_TCP,
					 v < 3 ? 53 : 443, msg, n);
			if (!ASSERT_GE(len, 1, "frame built"))
				continue;
			fuzz_engine_frame(f, frame, len);
			for (int k = 0; k < 300; k++)
				fuzz_engine_frame(f, mut, mutate(k % 3, frame, len, mut, &seed));
		}
		fuzz_engine_clear_flows(f);
	}
	ASSERT_GE(st->rules[XH_RULE_IOC_DNS], 4, "queries of feed domains reported");
	ASSERT_GE(st->rules[XH_RULE_IOC_TLS_SNI], 4, "ClientHellos of feed domains reported");
	expect_sound_events(st);
	printf("# native_engine_names_mutated: %lu frames, %lu events\n", st->frames, st->events);
	fuzz_engine__free(f);
}
