// SPDX-License-Identifier: GPL-2.0
/* test_kerberos.c: kerberos.brute_force (bpf/kerberos.bpf.h) through
 * BPF_PROG_TEST_RUN: one event per client when a KDC's KRB-ERROR answers
 * of a failed logon (PREAUTH_FAILED, CLIENT_REVOKED, C_PRINCIPAL_UNKNOWN),
 * over UDP or TCP, reach the threshold; PREAUTH_REQUIRED, requests,
 * malformed messages and other clients do not count. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdphunt.skel.h"
#include "test.h"
#include "pkt.h"
#include "xh_prog.h"

#define THRESHOLD 10 /* xh_cfg_krbbrute_threshold's default */
#define KDC4	  "198.51.100.88"

enum { KRB_PREAUTH_FAILED = 24, KRB_REVOKED = 18, KRB_UNKNOWN = 6, KRB_PREAUTH_REQUIRED = 25 };

static size_t put(uint8_t *b, size_t n, const void *p, size_t len)
{
	memcpy(b + n, p, len);
	return n + len;
}

/* A DER header of @tag and @len at @b (short form, or 0x81 / 0x82). */
static size_t der_hdr(uint8_t *b, uint8_t tag, size_t len)
{
	b[0] = tag;
	if (len < 0x80) {
		b[1] = (uint8_t)len;
		return 2;
	}
	if (len < 0x100) {
		b[1] = 0x81;
		b[2] = (uint8_t)len;
		return 3;
	}
	b[1] = 0x82;
	b[2] = (uint8_t)(len >> 8);
	b[3] = (uint8_t)len;
	return 4;
}

/* A KRB-ERROR (RFC 4120 5.9.1) with @code, as a KDC sends it: ctime and
 * cusec when @ctime, an e-text of @text_len bytes (long-form lengths past
 * 127). Returns its length. */
static size_t krb_error(uint8_t *out, int code, int ctime, size_t text_len)
{
	static const uint8_t head[] = {0xa0, 3, 2, 1, 5, 0xa1, 3, 2, 1, 30};
	static const uint8_t t[] = "20261207101010Z";
	uint8_t body[600], seq[610];
	size_t n = 0, m;

	n = put(body, n, head, sizeof(head));
	if (ctime) {
		n = put(body, n, (uint8_t[]){0xa2, 17, 0x18, 15}, 4);
		n = put(body, n, t, 15);
		n = put(body, n, (uint8_t[]){0xa3, 5, 2, 3, 1, 2, 3}, 7);
	}
	n = put(body, n, (uint8_t[]){0xa4, 17, 0x18, 15}, 4);
	n = put(body, n, t, 15);
	n = put(body, n, (uint8_t[]){0xa5, 5, 2, 3, 0x0a, 0x0b, 0x0c}, 7);
	n = put(body, n, (uint8_t[]){0xa6, 3, 2, 1, (uint8_t)code}, 5);
	n = put(body, n, (uint8_t[]){0xa9, 13, 0x1b, 11}, 4);
	n = put(body, n, "EXAMPLE.COM", 11);
	if (text_len) {
		n += der_hdr(body + n, 0xab, text_len + der_hdr(seq, 0x1b, text_len));
		n += der_hdr(body + n, 0x1b, text_len);
		memset(body + n, 'e', text_len);
		n += text_len;
	}
	m = der_hdr(seq, 0x30, n);
	m = put(seq, m, body, n);
	n = der_hdr(out, 0x7e, m);
	return put(out, n, seq, m);
}

/* Send @msg (@len bytes) from the KDC's port 88 to @client over @proto
 * (TCP with the record mark, unless @mark is given); 0 or -1. */
static int send_krb(struct xhp *x, int family, const char *kdc, const char *client, uint8_t proto,
		    const uint8_t *msg, size_t len, long mark)
{
	uint8_t buf[PKT_MAX], *p;
	struct pkt_layout lay;
	size_t hdr = proto == IPPROTO_TCP ? 4 : 0, flen;
	struct pkt_desc d = {.family = family,
			     .src = kdc,
			     .dst = client,
			     .proto = proto,
			     .sport = 88,
			     .dport = 50000,
			     .payload_len = (int)(len + hdr)};

	flen = pkt_build(&d, buf, &lay);
	if (!flen)
		return -1;
	p = buf + lay.payload_off;
	if (hdr) {
		uint32_t v = htonl(mark >= 0 ? (uint32_t)mark : (uint32_t)len);

		memcpy(p, &v, 4);
	}
	memcpy(p + hdr, msg, len);
	return xhp_run(x, buf, flen);
}

/* The Kerberos counters (`xdphunt stats`: kerberos) into @out; 0 or -1. */
static int krb_cnt(struct xhp *x, uint64_t *out)
{
	struct xh_stats s;

	if (xhp_stats(x, &s))
		return -1;
	memcpy(out, s.krb, sizeof(s.krb));
	return 0;
}

static int count_krb(struct xhp *x, const struct xh_event **last)
{
	return xhp_count_rule(x, XH_RULE_KRB_BRUTE_FORCE, last);
}

void test_kerberos_brute_force(void)
{
	const struct xh_event *ev = NULL;
	uint64_t c0[XH_KRB_CNT__MAX], c1[XH_KRB_CNT__MAX];
	uint8_t msg[700];
	size_t len;
	struct xhp x;
	int i, err = 0;

	if (xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		return;

	test_subtest("below the threshold");
	xhp_reset(&x);
	len = krb_error(msg, KRB_PREAUTH_FAILED, 0, 0);
	for (i = 0; i < THRESHOLD - 1; i++)
		err |= send_krb(&x, 4, KDC4, "192.0.2.40", IPPROTO_UDP, msg, len, -1);
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_krb(&x, &ev), 0, "9 failures: no hit");

	test_subtest("threshold reached once");
	for (i = 0; i < THRESHOLD; i++)
		err |= send_krb(&x, 4, KDC4, "192.0.2.40", IPPROTO_UDP, msg, len, -1);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_krb(&x, &ev), 1, "one hit per client and window")) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET, ev->saddr, a, sizeof(a));
		ASSERT_STREQ(a, "192.0.2.40", "the client is the answer's destination");
		inet_ntop(AF_INET, ev->daddr, a, sizeof(a));
		ASSERT_STREQ(a, KDC4, "the kdc");
		ASSERT_EQ(ntohs(ev->dport), 88, "port");
		ASSERT_EQ(ev->proto, IPPROTO_UDP, "proto");
		ASSERT_EQ(ev->detail_kind, XH_DETAIL_SWEEP, "detail kind");
		ASSERT_EQ(ev->d.sweep.distinct, THRESHOLD, "failed logons");
		ASSERT_EQ(ev->d.sweep.threshold, THRESHOLD, "threshold");
		ASSERT_EQ(ev->d.sweep.window_s, 60, "window");
	}

	test_subtest("the failures that count, over udp and tcp");
	xhp_reset(&x);
	err |= krb_cnt(&x, c0);
	for (i = 0; i < THRESHOLD; i++) {
		static const int codes[] = {KRB_PREAUTH_FAILED, KRB_REVOKED, KRB_UNKNOWN};

		/* ctime, cusec and a long e-text (0x81 and 0x82 lengths) */
		len = krb_error(msg, codes[i % 3], i & 1, i & 2 ? 300 : 0);
		err |= send_krb(&x, 4, KDC4, "192.0.2.41", i & 4 ? IPPROTO_TCP : IPPROTO_UDP, msg,
				len, -1);
	}
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_krb(&x, &ev), 1, "preauth failed, revoked and unknown count"))
		ASSERT_EQ(ev->d.sweep.distinct, THRESHOLD, "failed logons");
	/* counted in `xdphunt stats` by kind: i % 3 over 0..9 */
	if (ASSERT_OK(krb_cnt(&x, c1), "counters")) {
		ASSERT_EQ(c1[XH_KRB_CNT_ERROR] - c0[XH_KRB_CNT_ERROR], THRESHOLD, "krb_error");
		ASSERT_EQ(c1[XH_KRB_CNT_PREAUTH_FAILED] - c0[XH_KRB_CNT_PREAUTH_FAILED], 4,
			  "preauth_failed");
		ASSERT_EQ(c1[XH_KRB_CNT_CLIENT_REVOKED] - c0[XH_KRB_CNT_CLIENT_REVOKED], 3,
			  "client_revoked");
		ASSERT_EQ(c1[XH_KRB_CNT_PRINCIPAL_UNKNOWN] - c0[XH_KRB_CNT_PRINCIPAL_UNKNOWN], 3,
			  "principal_unknown");
	}

	test_subtest("what does not count");
	xhp_reset(&x);
	err |= krb_cnt(&x, c0);
	for (i = 0; i < 2 * THRESHOLD; i++) {
		/* every Windows logon starts with PREAUTH_REQUIRED */
		len = krb_error(msg, KRB_PREAUTH_REQUIRED, 1, 0);
		err |= send_krb(&x, 4, KDC4, "192.0.2.42", IPPROTO_UDP, msg, len, -1);
		len = krb_error(msg, KRB_PREAUTH_FAILED, 1, 0);
		/* the same from the client to the kdc's port, a request's way */
		{
			struct pkt_desc d = {.family = 4,
					     .src = "192.0.2.42",
					     .dst = KDC4,
					     .proto = IPPROTO_UDP,
					     .sport = 50001,
					     .dport = 88,
					     .payload_len = (int)len};
			uint8_t buf[PKT_MAX];
			struct pkt_layout lay;
			size_t flen = pkt_build(&d, buf, &lay);

			memcpy(buf + lay.payload_off, msg, len);
			err |= flen ? xhp_run(&x, buf, flen) : -1;
		}
		/* a TCP record mark that is not the segment's */
		err |= send_krb(&x, 4, KDC4, "192.0.2.42", IPPROTO_TCP, msg, len, (long)len + 100);
		/* cut before the code, and a tag out of order */
		err |= send_krb(&x, 4, KDC4, "192.0.2.42", IPPROTO_UDP, msg, 40, -1);
		msg[9] = 0xa8; /* [1] msg-type's tag */
		err |= send_krb(&x, 4, KDC4, "192.0.2.42", IPPROTO_UDP, msg, len, -1);
	}
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_krb(&x, &ev), 0, "no hit");
	/* only the PREAUTH_REQUIRED answers are KRB-ERRORs read */
	if (ASSERT_OK(krb_cnt(&x, c1), "counters")) {
		ASSERT_EQ(c1[XH_KRB_CNT_ERROR] - c0[XH_KRB_CNT_ERROR], 2 * THRESHOLD, "krb_error");
		ASSERT_EQ(c1[XH_KRB_CNT_PREAUTH_FAILED] - c0[XH_KRB_CNT_PREAUTH_FAILED], 0,
			  "preauth_failed");
	}

	test_subtest("per client");
	xhp_reset(&x);
	len = krb_error(msg, KRB_PREAUTH_FAILED, 0, 0);
	for (i = 0; i < THRESHOLD - 1; i++) {
		err |= send_krb(&x, 4, KDC4, "192.0.2.43", IPPROTO_UDP, msg, len, -1);
		err |= send_krb(&x, 4, KDC4, "192.0.2.44", IPPROTO_UDP, msg, len, -1);
	}
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_krb(&x, &ev), 0, "two clients below the threshold each");

	test_subtest("ipv6");
	xhp_reset(&x);
	for (i = 0; i < THRESHOLD; i++)
		err |= send_krb(&x, 6, "2001:db8:2::88", "2001:db8:1::40", IPPROTO_TCP, msg, len,
				-1);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_krb(&x, &ev), 1, "ipv6, over tcp")) {
		ASSERT_EQ(ev->family, XH_AF_INET6, "family");
		ASSERT_EQ(ev->proto, IPPROTO_TCP, "proto");
	}
	xhp_close(&x);
}
