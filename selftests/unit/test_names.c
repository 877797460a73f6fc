// SPDX-License-Identifier: GPL-2.0
/* test_names.c: bpf/dns.h and bpf/tls.h natively, over buffers of exactly
 * the message length (ASan flags any read past the end): good names,
 * compression pointers, bad labels, long names, many questions, SNI first /
 * last / absent, GREASE, and truncation at every length. */
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "test.h"
#include "pkt.h"
#include "msg.h"
#include "dns.h"
#include "tls.h"

static int dns(const uint8_t *m, size_t len, char *out, struct xh_dns_q *q)
{
	uint8_t *b = pkt_dup_exact(m, len);
	__u8 name[XH_NAME_MAX];
	int n = xh_dns_query(b, (__u32)len, name, q);

	if (n >= 0) {
		memcpy(out, name, (size_t)n);
		out[n] = '\0';
	}
	free(b);
	return n;
}

static int tls(const uint8_t *m, size_t len, char *out)
{
	uint8_t *b = pkt_dup_exact(m, len);
	__u8 name[XH_NAME_MAX];
	int n = xh_tls_sni(b, (__u32)len, name);

	if (n >= 0) {
		memcpy(out, name, (size_t)n);
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
	/* label types 0x40 and 0x80, a dot inside a label */
	len = msg_dns_query(m, "www.example", 1, 1, 0);
	m[12] = 0x43;
	ASSERT_EQ(dns(m, len, out, &q), -XH_IOC_CNT_DNS_BAD_LABEL, "0x40 label");
	len = msg_dns_query(m, "ab.example", 1, 1, 0);
	m[13] = '.';
	ASSERT_EQ(dns(m, len, out, &q), -XH_IOC_CNT_DNS_BAD_LABEL, "dot inside a label");
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
}
