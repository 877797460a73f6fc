// SPDX-License-Identifier: GPL-2.0
/* test_names.c: bpf/dns.h, bpf/tls.h and bpf/name.h natively. The parsers
 * read buffers of exactly the message length (ASan flags any read past the
 * end); the DNS walk also runs with bytes after the message (a frame's
 * padding) and over a text buffer holding garbage, in several patterns that
 * must not change anything. Good names, compression pointers, bad labels,
 * long names, many questions, SNI first / last / absent, GREASE, truncation
 * at every length; the suffix hashes against their definition (a suffix per
 * label start, case-insensitive, the DNS walk hashing as the text hash does). */
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "test.h"
#include "pkt.h"
#include "msg.h"
#include "dns.h"
#include "tls.h"

/* Bytes after the message, and in the text buffer before the walk. */
static const uint8_t slack_fill[] = {0x00, '.', 'A', 0xff, 0xc0};
static const size_t pad_len[] = {0, 1, 3, 8, 64};

/* The DNS walk over @m (@len bytes) followed by @pad bytes of @fill. */
static int dns_walk(const uint8_t *m, size_t len, size_t pad, uint8_t fill, __u8 *name,
		    struct xh_dns_q *q, struct xh_name_labels *lab)
{
	uint8_t *b = malloc(len + pad + 1);
	struct xh_dns_walk w;
	int n;

	if (!b)
		abort();
	memcpy(b, m, len);
	memset(b + len, fill, pad);
	memset(name, fill, XH_NAME_MAX + XH_NAME_SLACK);
	n = xh_dns_begin(b, b + len + pad, (__u32)len, q, &w, lab);
	for (__u32 i = 0; !n && i < XH_DNS_LABELS_MAX; i++)
		if (xh_dns_label(&w, lab, i, b, b + len + pad, name))
			break;
	if (!n)
		n = xh_dns_end(&w, lab, b, b + len + pad, q);
	free(b);
	return n;
}

/* The DNS walk over @m: xh_dns_query() over an exact-length buffer, then
 * with padding and garbage, which must give the same result, text and
 * suffix hashes. Returns the result. */
static int dns_hashed(const uint8_t *m, size_t len, char *out, struct xh_dns_q *q, __u64 *hash,
		      __u16 *off, __u32 *n_hash)
{
	uint8_t *b = pkt_dup_exact(m, len);
	__u8 name[XH_NAME_MAX + XH_NAME_SLACK];
	struct xh_name_labels lab;
	int first;

	*n_hash = 0;
	first = xh_dns_query(b, (__u32)len, name, q, &lab);
	free(b);
	if (first > 0)
		*n_hash = xh_name_combine(&lab, hash, off);
	if (first >= 0) {
		memcpy(out, name, (size_t)first);
		out[first] = '\0';
	}
	for (size_t f = 0; f < sizeof(slack_fill); f++) {
		for (size_t pd = 0; pd < sizeof(pad_len) / sizeof(pad_len[0]); pd++) {
			__u64 h[XH_NAME_SUFFIX_MAX];
			__u16 o[XH_NAME_SUFFIX_MAX];
			struct xh_dns_q q2;
			__u32 nh = 0;
			int n = dns_walk(m, len, pad_len[pd], slack_fill[f], name, &q2, &lab);

			if (!ASSERT_EQ(n, first, "same result whatever follows the message"))
				return first;
			if (n < 0)
				continue;
			if (n > 0)
				nh = xh_name_combine(&lab, h, o);
			ASSERT_MEMEQ(name, out, (size_t)n, "same text");
			ASSERT_EQ(q2.qtype, q->qtype, "same qtype");
			if (ASSERT_EQ(nh, *n_hash, "same number of hashes")) {
				ASSERT_MEMEQ(h, hash, nh * sizeof(h[0]), "same hashes");
				ASSERT_MEMEQ(o, off, nh * sizeof(o[0]), "same offsets");
			}
		}
	}
	return first;
}

/* The DNS walk, and its hashes checked against those of its text. */
static int dns(const uint8_t *m, size_t len, char *out, struct xh_dns_q *q)
{
	__u64 h[XH_NAME_SUFFIX_MAX], th[XH_NAME_SUFFIX_MAX];
	__u16 o[XH_NAME_SUFFIX_MAX], to[XH_NAME_SUFFIX_MAX];
	__u32 nh, tn;
	int n = dns_hashed(m, len, out, q, h, o, &nh);

	if (n > 0) {
		tn = xh_name_suffixes((const __u8 *)out, (__u32)n, th, to);
		if (ASSERT_EQ(nh, tn, "DNS walk: as many hashes as its text")) {
			ASSERT_MEMEQ(h, th, nh * sizeof(h[0]), "DNS walk hashes as its text");
			ASSERT_MEMEQ(o, to, nh * sizeof(o[0]), "DNS walk: same offsets");
		}
	}
	return n;
}

static int tls(const uint8_t *m, size_t len, char *out)
{
	uint8_t *b = pkt_dup_exact(m, len);
	__u32 off = 0;
	int n = xh_tls_sni(b, b + len, (__u32)len, &off);

	if (n >= 0) {
		ASSERT_TRUE(off + (size_t)n <= len, "name inside the message");
		memcpy(out, b + off, (size_t)n);
		out[n] = '\0';
	}
	free(b);
	return n;
}

void test_dns_query_names(void)
{
	uint8_t m[600];
	char out[300], name[300];
	struct xh_dns_q q;
	size_t len;

	len = msg_dns_query(m, "www.Evil.Example", 1, 28, 0);
	ASSERT_EQ(dns(m, len, out, &q), 16, "length");
	ASSERT_STREQ(out, "www.Evil.Example", "text, case kept");
	ASSERT_EQ(q.qtype, 28, "qtype");
	ASSERT_EQ(q.qdcount, 1, "qdcount");
	/* many questions: the first is parsed, the count reported */
	len = msg_dns_query(m, "a.example", 40, 1, 0);
	ASSERT_EQ(dns(m, len, out, &q), 9, "many questions");
	ASSERT_EQ(q.qdcount, 40, "qdcount 40");
	/* the root */
	len = msg_dns_query(m, "", 1, 2, 0);
	ASSERT_EQ(dns(m, len, out, &q), 0, "root");
	/* a compression pointer where a label should be */
	len = msg_dns_query(m, "www.example", 1, 1, 0);
	m[12 + 4] = 0xc0;
	ASSERT_EQ(dns(m, len, out, &q), -XH_IOC_CNT_DNS_COMPRESSED, "pointer");
	m[12] = 0xc0;
	m[13] = 12;
	ASSERT_EQ(dns(m, 14, out, &q), -XH_IOC_CNT_DNS_COMPRESSED, "pointer first");
	/* label types 0x40 and 0x80 */
	len = msg_dns_query(m, "www.example", 1, 1, 0);
	m[12] = 0x43;
	ASSERT_EQ(dns(m, len, out, &q), -XH_IOC_CNT_DNS_BAD_LABEL, "0x40 label");
	/* A '.' inside a label is a label byte (RFC 2181 11): "ab.x" + "evil" +
	 * "example" is below evil.example (resolvers send it there), and its
	 * suffixes start at the wire's labels, not at the text's dots. */
	{
		__u64 h[XH_NAME_SUFFIX_MAX], th[XH_NAME_SUFFIX_MAX];
		__u16 o[XH_NAME_SUFFIX_MAX], to[XH_NAME_SUFFIX_MAX];
		__u32 nh, tn;

		len = msg_dns_query(m, "ab.x.evil.example", 1, 1, 0);
		m[12] = 4; /* "ab" and "x" made one label "ab.x" */
		m[15] = '.';
		ASSERT_EQ(dns_hashed(m, len, out, &q, h, o, &nh), 17, "dot inside a label");
		ASSERT_STREQ(out, "ab.x.evil.example", "its text, as sent");
		ASSERT_EQ(nh, 3, "three labels, three suffixes");
		tn = xh_name_suffixes((const __u8 *)"ab.x.evil.example", 17, th, to);
		ASSERT_EQ(tn, 4, "the text has four");
		ASSERT_MEMEQ(h, th, 2 * sizeof(h[0]), "example, evil.example: as the text's");
		ASSERT_EQ(o[2], 0, "the third starts at the dotted label");
		ASSERT_TRUE(h[2] != th[2] && h[2] != th[3],
			    "neither x.evil.example nor the text's four labels");
		/* one label "evil.example" is no name below evil.example */
		len = msg_dns_query(m, "evil.example", 1, 1, 0);
		m[12] = 12;
		m[17] = '.';
		ASSERT_EQ(dns_hashed(m, len, out, &q, h, o, &nh), 12, "one dotted label");
		ASSERT_EQ(nh, 1, "one suffix");
		tn = xh_name_suffixes((const __u8 *)"evil.example", 12, th, to);
		ASSERT_TRUE(h[0] != th[1], "not evil.example");
	}
	/* a response, another opcode, no question */
	len = msg_dns_query(m, "www.example", 1, 1, 0);
	m[2] |= 0x80;
	ASSERT_EQ(dns(m, len, out, &q), -XH_IOC_CNT_DNS_NOT_QUERY, "response");
	m[2] = 0x28; /* opcode 5 (UPDATE) */
	ASSERT_EQ(dns(m, len, out, &q), -XH_IOC_CNT_DNS_NOT_QUERY, "update");
	len = msg_dns_query(m, "www.example", 0, 1, 0);
	ASSERT_EQ(dns(m, len, out, &q), -XH_IOC_CNT_DNS_NO_QUESTION, "qdcount 0");
	/* long labels: 63 is the most; 253 text bytes is the longest name */
	memset(name, 'a', 63);
	strcpy(name + 63, ".example");
	len = msg_dns_query(m, name, 1, 1, 0);
	ASSERT_EQ(dns(m, len, out, &q), 71, "63-byte label");
	for (int i = 0; i < 4; i++) {
		memset(name + i * 64, 'a' + i, 63);
		name[i * 64 + 63] = '.';
	}
	name[253] = '\0'; /* 4 labels: 63+1+63+1+63+1+61 */
	len = msg_dns_query(m, name, 1, 1, 0);
	ASSERT_EQ(dns(m, len, out, &q), 253, "253-byte name");
	ASSERT_STREQ(out, name, "longest name text");
	name[253] = 'x';
	name[254] = '\0';
	len = msg_dns_query(m, name, 1, 1, 0);
	ASSERT_EQ(dns(m, len, out, &q), -XH_IOC_CNT_DNS_BAD_LABEL, "254 bytes: too long");
	/* TCP: the caller skips the length prefix */
	len = msg_dns_query(m, "evil.example", 1, 1, 1);
	ASSERT_EQ(m[0] << 8 | m[1], len - 2, "tcp length prefix");
	ASSERT_EQ(dns(m + 2, len - 2, out, &q), 12, "tcp message");
	/* truncation at every length: an error, never a name */
	len = msg_dns_query(m, "www.evil.example", 1, 1, 0);
	for (size_t cut = 0; cut < len; cut++) {
		test_subtest("cut %zu", cut);
		ASSERT_EQ(dns(m, cut, out, &q) < 0, 1, "cut gives an error");
	}
	test_subtest_end();
}

/* xh_tls_alpn_http() over a hello of exactly @len bytes, and over every
 * cut of it (a cut never reads past the end, and finds HTTP only when the
 * whole ALPN list up to the HTTP entry is in). */
static int alpn(const uint8_t *m, size_t len)
{
	uint8_t *b = pkt_dup_exact(m, len);
	int r = xh_tls_alpn_http(b, b + len, (__u32)len);

	free(b);
	for (size_t cut = 9; cut < len; cut += 7) {
		b = pkt_dup_exact(m, cut);
		if (xh_tls_alpn_http(b, b + cut, (__u32)cut) && !r)
			ASSERT_TRUE(0, "a cut hello offers what the whole one does not");
		free(b);
	}
	return r;
}

/* The ALPN list (RFC 7301) tells a web protocol on any port: HTTP's ids
 * (http/1.1, h2, h3 and drafts) count, others (acme-tls/1, imap, h2
 * spelled otherwise) do not; a list whose lengths disagree is none. */
void test_tls_alpn_http(void)
{
#define L(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})
	const struct {
		const char *what;
		const uint8_t *body;
		size_t n;
		int want;
	} cases[] = {
		{"h2, http/1.1 (curl)",
		 L(0, 12, 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'), 1},
		{"http/1.1 alone", L(0, 9, 8, 'h', 't', 't', 'p', '/', '1', '.', '1'), 1},
		{"h3", L(0, 3, 2, 'h', '3'), 1},
		{"a draft, h3-29", L(0, 6, 5, 'h', '3', '-', '2', '9'), 1},
		{"imap then h2", L(0, 8, 4, 'i', 'm', 'a', 'p', 2, 'h', '2'), 1},
		{"acme-tls/1", L(0, 11, 10, 'a', 'c', 'm', 'e', '-', 't', 'l', 's', '/', '1'), 0},
		{"imap, pop3", L(0, 10, 4, 'i', 'm', 'a', 'p', 4, 'p', 'o', 'p', '3'), 0},
		{"h2c is no ALPN id of TLS", L(0, 4, 3, 'h', '2', 'c'), 0},
		{"hx", L(0, 3, 2, 'h', 'x'), 0},
		{"httpx", L(0, 6, 5, 'h', 't', 't', 'p', 'x'), 0},
		{"list longer than the extension", L(0, 40, 2, 'h', '2'), 0},
		{"entry past the list", L(0, 3, 5, 'h', '2', 'x', 'y', 'z'), 0},
		{"empty entry", L(0, 3, 0, 2, 'h'), 0},
	};
#undef L
	uint8_t m[4096];
	size_t len;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_subtest("%s", cases[i].what);
		for (int pos = MSG_SNI_FIRST; pos <= MSG_SNI_LAST; pos++) {
			len = msg_tls_hello_alpn(m, "api.evil.example", (enum msg_sni_pos)pos,
						 cases[i].body, cases[i].n);
			ASSERT_EQ(alpn(m, len), cases[i].want, "ALPN offers HTTP");
			ASSERT_EQ(tls(m, len, (char[300]){0}), 16, "the server_name still read");
		}
	}
	test_subtest_end();
	len = msg_tls_hello(m, "api.evil.example", MSG_SNI_FIRST, 1, 32);
	ASSERT_EQ(alpn(m, len), 0, "no ALPN extension");
}

void test_tls_sni(void)
{
	static const struct {
		enum msg_sni_pos pos;
		int grease;
		size_t ks;
		int want;
	} cases[] = {
		{MSG_SNI_FIRST, 0, 32, 12},
		{MSG_SNI_LAST, 0, 32, 12},
		{MSG_SNI_FIRST, 1, 1216, 12},
		{MSG_SNI_LAST, 1, 1216, 12},
		{MSG_SNI_NONE, 1, 32, -XH_IOC_CNT_TLS_NO_SNI},
	};
	uint8_t m[4096];
	char out[300];
	size_t len;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_subtest("pos %d grease %d key_share %zu", cases[i].pos, cases[i].grease,
			     cases[i].ks);
		len = msg_tls_hello(m, "Evil.example", cases[i].pos, cases[i].grease, cases[i].ks);
		ASSERT_EQ(tls(m, len, out), cases[i].want, "result");
		if (cases[i].want > 0)
			ASSERT_STREQ(out, "Evil.example", "name as sent");
	}
	test_subtest_end();
	/* split: the SNI last, behind a big key share, in a first segment of
	 * 1400 bytes -> truncated, not found and not mis-read */
	len = msg_tls_hello(m, "evil.example", MSG_SNI_LAST, 1, 1216 + 400);
	ASSERT_EQ(tls(m, 1400, out), -XH_IOC_CNT_TLS_TRUNC, "split after the first segment");
	/* SNI first, the rest split off: still found */
	ASSERT_EQ(tls(m, 1400, out), -XH_IOC_CNT_TLS_TRUNC, "split (last)");
	len = msg_tls_hello(m, "evil.example", MSG_SNI_FIRST, 1, 1216 + 400);
	ASSERT_EQ(tls(m, 1400, out), 12, "split, SNI in the first segment");
	/* A hello fragmented over two records (RFC 8446 5.1), cut at every
	 * byte: a name wholly in the first record is found, any other is
	 * truncated; the second record's header is never read as the hello. */
	for (int pos = MSG_SNI_FIRST; pos <= MSG_SNI_LAST; pos++) {
		uint8_t r[4096];
		size_t at;

		len = msg_tls_hello(m, "evil.example", (enum msg_sni_pos)pos, 1, 32);
		for (at = 0; at + 12 < len; at++)
			if (!memcmp(m + at, "evil.example", 12))
				break;
		for (size_t cut = 1; cut < len - 5; cut++) {
			int n;

			test_subtest("records, sni %d, cut %zu", pos, cut);
			memcpy(r, m, 5 + cut);
			r[3] = (uint8_t)(cut >> 8);
			r[4] = (uint8_t)cut;
			memcpy(r + 5 + cut, "\x16\x03\x03", 3);
			r[5 + cut + 3] = (uint8_t)((len - 5 - cut) >> 8);
			r[5 + cut + 4] = (uint8_t)(len - 5 - cut);
			memcpy(r + 5 + cut + 5, m + 5 + cut, len - 5 - cut);
			n = tls(r, len + 5, out);
			if (5 + cut >= at + 12) {
				ASSERT_EQ(n, 12, "the name in the first record");
				ASSERT_STREQ(out, "evil.example", "as sent");
			} else {
				ASSERT_EQ(n, -XH_IOC_CNT_TLS_TRUNC,
					  "past the first record: truncated");
			}
		}
	}
	test_subtest_end();
	/* truncation at every length: an error or the whole name, never a part */
	len = msg_tls_hello(m, "evil.example", MSG_SNI_LAST, 1, 32);
	for (size_t cut = 0; cut < len; cut++) {
		int n;

		test_subtest("cut %zu", cut);
		n = tls(m, cut, out);
		ASSERT_TRUE(n == -XH_IOC_CNT_TLS_TRUNC || n == -XH_IOC_CNT_TLS_BAD, "error");
	}
	test_subtest_end();
	/* inconsistent lengths */
	len = msg_tls_hello(m, "evil.example", MSG_SNI_FIRST, 0, 32);
	m[43] = 33; /* session id > 32 */
	ASSERT_EQ(tls(m, len, out), -XH_IOC_CNT_TLS_BAD, "session id 33");
	len = msg_tls_hello(m, "evil.example", MSG_SNI_FIRST, 0, 32);
	m[3] = 0; /* record shorter than the hello */
	m[4] = 60;
	ASSERT_EQ(tls(m, len, out), -XH_IOC_CNT_TLS_BAD, "record too short");
	len = msg_tls_hello(m, "evil.example", MSG_SNI_FIRST, 0, 32);
	m[9 + 2 + 32 + 1 + 32 + 2 + 32 + 2 + 2 + 4 + 2] = 1; /* name_type 1 */
	ASSERT_EQ(tls(m, len, out), -XH_IOC_CNT_TLS_BAD, "name_type not host_name");
	m[0] = 0x17;
	ASSERT_EQ(tls(m, len, out), -XH_IOC_CNT_TLS_BAD, "application data");
	/* The root's trailing dot is not part of the name; "." alone is none. */
	len = msg_tls_hello(m, "evil.example.", MSG_SNI_LAST, 1, 32);
	ASSERT_EQ(tls(m, len, out), 12, "trailing dot left off");
	ASSERT_STREQ(out, "evil.example", "the name without it");
	len = msg_tls_hello(m, ".", MSG_SNI_LAST, 1, 32);
	ASSERT_EQ(tls(m, len, out), -XH_IOC_CNT_TLS_BAD, "the root alone");
}

/* The label starts of @name (0 and every byte after a '.', before the end),
 * the last XH_NAME_SUFFIX_MAX of them, last first: where the suffixes start. */
static __u32 ref_suffix_starts(const uint8_t *name, size_t len, __u16 *off)
{
	__u16 all[XH_NAME_TEXT_MAX + 1];
	size_t n = 0;
	__u32 k = 0;

	for (size_t i = 0; i < len; i++)
		if (i == 0 || name[i - 1] == '.')
			all[n++] = (__u16)i;
	while (n && k < XH_NAME_SUFFIX_MAX)
		off[k++] = all[--n];
	return k;
}

static uint8_t ascii_swapcase(uint8_t c)
{
	if (c >= 'a' && c <= 'z')
		return (uint8_t)(c - 'a' + 'A');
	if (c >= 'A' && c <= 'Z')
		return (uint8_t)(c - 'A' + 'a');
	return c;
}

/* xh_name_suffixes() of @name against the definition: a suffix per label
 * start, hash[k] the hash of the suffix as a name of its own, the same for
 * any ASCII case. */
static void check_suffixes(const uint8_t *name, size_t len)
{
	__u64 h[XH_NAME_SUFFIX_MAX], h2[XH_NAME_SUFFIX_MAX];
	__u16 off[XH_NAME_SUFFIX_MAX], ref[XH_NAME_SUFFIX_MAX], o2[XH_NAME_SUFFIX_MAX];
	uint8_t swapped[XH_NAME_TEXT_MAX];
	__u32 n = xh_name_suffixes(name, (__u32)len, h, off), rn, m;

	rn = ref_suffix_starts(name, len, ref);
	if (!ASSERT_EQ(n, rn, "a suffix per label start (at most 10)"))
		return;
	ASSERT_MEMEQ(off, ref, n * sizeof(off[0]), "suffix offsets");
	for (__u32 k = 0; k < n; k++) {
		m = xh_name_suffixes(name + off[k], (__u32)(len - off[k]), h2, o2);
		if (ASSERT_EQ(m, k + 1, "suffix k has k + 1 suffixes"))
			ASSERT_EQ(h2[k], h[k], "hash of the suffix as a name");
	}
	for (size_t i = 0; i < len; i++)
		swapped[i] = ascii_swapcase(name[i]);
	m = xh_name_suffixes(swapped, (__u32)len, h2, o2);
	if (ASSERT_EQ(m, n, "other case: as many hashes"))
		ASSERT_MEMEQ(h2, h, n * sizeof(h[0]), "other case: same hashes");
}

void test_name_suffix_hashes(void)
{
	static const char *const names[] = {
		"example",
		"evil.example",
		"www.Evil.EXAMPLE",
		"a.b.c.d.e.f.g.h.i.j.k.l.m",
		"a.",
		".",
		"..",
		".a",
		"a..b",
		"evil.example.",
		"x.abcdefgh.abcdefghi.abcdefg",
		"abcdefgh.ijklmnop",
		"[.{.@.`.Z.z",
		"a-b_c.d0-9.example",
	};
	__u64 h[XH_NAME_SUFFIX_MAX];
	__u16 off[XH_NAME_SUFFIX_MAX];
	uint8_t name[XH_NAME_TEXT_MAX + 1];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		test_subtest("%s", names[i]);
		check_suffixes((const uint8_t *)names[i], strlen(names[i]));
	}
	test_subtest_end();
	ASSERT_EQ(xh_name_suffixes((const __u8 *)"", 0, h, off), 0, "empty name: no suffix");
	/* the longest names: one 253-byte label, 127 labels, 253 dots */
	for (int kind = 0; kind < 3; kind++) {
		test_subtest("253 bytes, kind %d", kind);
		for (size_t i = 0; i < XH_NAME_TEXT_MAX; i++)
			name[i] = kind == 0 ? 'a' + i % 26 : kind == 1 ? (i & 1 ? '.' : 'X') : '.';
		check_suffixes(name, XH_NAME_TEXT_MAX);
	}
	test_subtest_end();
	ASSERT_EQ(xh_name_suffixes(name, XH_NAME_TEXT_MAX + 1, h, off), 0, "254 bytes: none");
	/* random names over a small alphabet that puts case, neighbours of
	 * the letters, high bytes, NULs and dots side by side, at lengths
	 * around the word size */
	srand(7);
	for (int r = 0; r < 20000; r++) {
		static const uint8_t alpha[] = {'a', 'A', 'z', 'Z',  '.',  '.', '[', '{',
						'@', '`', 0,   0xc1, 0xe1, '-', '0'};
		size_t len = 1 + (size_t)rand() % 40;

		for (size_t i = 0; i < len; i++)
			name[i] = alpha[rand() % sizeof(alpha)];
		test_subtest("random %d", r);
		check_suffixes(name, len);
		if (env.fails)
			break;
	}
	test_subtest_end();
}

/* A suffix hash of a lower-cased suffix string, for the collision check. */
struct hashed_str {
	__u64 h;
	uint8_t len;
	uint8_t s[24];
};

static int hashed_cmp(const void *a, const void *b)
{
	const struct hashed_str *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->s, y->s, x->len);
}

/* Different names (up to ASCII case) never share a suffix hash: 200k
 * suffix strings of short random names, many of them near each other. */
void test_name_hash_collisions(void)
{
	static const uint8_t alpha[] = {'a', 'b', 'A', '.',  '[',  '{',
					'@', '`', 0,   0x80, 0xc1, 0xe1};
	size_t cap = 200000, n = 0, dup = 0;
	struct hashed_str *v = calloc(cap, sizeof(*v));
	__u64 h[XH_NAME_SUFFIX_MAX];
	__u16 off[XH_NAME_SUFFIX_MAX];
	uint8_t name[24];

	if (!ASSERT_OK_PTR(v, "alloc"))
		return;
	srand(11);
	while (n < cap) {
		size_t len = 1 + (size_t)rand() % 20;
		__u32 k;

		for (size_t i = 0; i < len; i++)
			name[i] = alpha[rand() % sizeof(alpha)];
		k = xh_name_suffixes(name, (__u32)len, h, off);
		for (__u32 j = 0; j < k && n < cap; j++, n++) {
			v[n].h = h[j];
			v[n].len = (uint8_t)(len - off[j]);
			for (size_t i = 0; i < v[n].len; i++)
				v[n].s[i] = xh_lower(name[off[j] + i]);
		}
	}
	qsort(v, n, sizeof(*v), hashed_cmp);
	for (size_t i = 1; i < n; i++) {
		if (v[i].h != v[i - 1].h)
			continue;
		if (v[i].len == v[i - 1].len && !memcmp(v[i].s, v[i - 1].s, v[i].len)) {
			dup++;
			continue;
		}
		ASSERT_TRUE(0, "two different suffixes share a hash");
		break;
	}
	ASSERT_GE(dup, 1000, "the same suffixes met again (the check saw equal strings)");
	free(v);
}

/* A DNS query whose labels are given raw (any bytes but '.'), for the
 * DNS walk against the text hash. */
static size_t dns_raw(uint8_t *m, const uint8_t *const *labels, const size_t *lens, size_t n)
{
	size_t len = XH_DNS_HDR;

	msg_dns_query(m, "", 1, 1, 0); /* the header */
	for (size_t i = 0; i < n; i++) {
		m[len++] = (uint8_t)lens[i];
		memcpy(m + len, labels[i], lens[i]);
		len += lens[i];
	}
	m[len++] = 0;
	m[len++] = 0;
	m[len++] = 1;
	m[len++] = 0;
	m[len++] = 1;
	return len;
}

void test_dns_walk_hashes(void)
{
	static const uint8_t alpha[] = {'a', 'A', 'z', 'Z', '[', '{', 0, 0xc1, 0xe1, '-', '7'};
	uint8_t m[600], lb[12][63];
	const uint8_t *labels[12];
	size_t lens[12];
	char out[300];
	struct xh_dns_q q;

	srand(5);
	for (int r = 0; r < 5000; r++) {
		size_t n = 1 + (size_t)rand() % 12, text = 0, len;
		int got;

		for (size_t i = 0; i < n; i++) {
			lens[i] = 1 + (size_t)rand() % (rand() % 4 ? 17 : 63);
			if (text + lens[i] + 1 > XH_NAME_TEXT_MAX + 1)
				lens[i] = 1;
			text += lens[i] + 1;
			for (size_t j = 0; j < lens[i]; j++)
				lb[i][j] = alpha[rand() % sizeof(alpha)];
			labels[i] = lb[i];
		}
		len = dns_raw(m, labels, lens, n);
		test_subtest("random %d", r);
		got = dns(m, len, out, &q);
		if (text - 1 > XH_NAME_TEXT_MAX) {
			ASSERT_EQ(got, -XH_IOC_CNT_DNS_BAD_LABEL, "too long");
			continue;
		}
		ASSERT_EQ(got, (int)(text - 1), "text length");
		if (env.fails)
			break;
	}
	test_subtest_end();
}
