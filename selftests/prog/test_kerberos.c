// SPDX-License-Identifier: GPL-2.0
/* test_kerberos.c: kerberos.brute_force (bpf/kerberos.bpf.h) through
 * BPF_PROG_TEST_RUN: one event per client when a KDC's KRB-ERROR answers
 * of a failed logon (PREAUTH_FAILED, CLIENT_REVOKED, C_PRINCIPAL_UNKNOWN),
 * over UDP or TCP, reach the threshold; PREAUTH_REQUIRED, requests,
 * malformed messages and other clients do not count. kerberos.no_preauth
 * (AS-REPs to requests without pre-authentication) and
 * kerberos.weak_ticket (TGS-REPs with an RC4 or DES service ticket);
 * kerberos.weak_request (TGS-REQs that prefer RC4 or DES). */
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

/* An AS-REQ (RFC 4120 5.4.1) for the account @name, with one PA-DATA of
 * type @pa_type and @pa_len bytes (none when 0), as @tag (0x6a; 0x6c makes
 * a TGS-REQ's head). Returns its length. */
static size_t as_req_pa(uint8_t *out, uint8_t tag, const char *name, size_t pa_len, uint8_t pa_type)
{
	static const uint8_t head[] = {0xa1, 3, 2, 1, 5, 0xa2, 3, 2, 1, 10};
	static const uint8_t opts[] = {0xa0, 7, 3, 5, 0, 0x40, 0x81, 0, 0x10};
	static const uint8_t tail[] = {0xa7, 6, 2,    4, 0x12, 0x34, 0x56, 0x78,
				       0xa8, 5, 0x30, 3, 2,    1,    23};
	uint8_t body[700], rb[300], pn[100], pa[500], t[800];
	size_t n = 0, r = 0, k = 0, a, nl = strlen(name);

	n = put(body, n, head, sizeof(head));
	if (pa_len) {
		/* SEQUENCE OF { SEQUENCE { [1] type 2, [2] OCTET STRING } } */
		a = put(pa, 0, (uint8_t[]){0xa1, 3, 2, 1, pa_type}, 5);
		k = der_hdr(t, 0x04, pa_len);
		memset(t + k, 'p', pa_len);
		k += pa_len;
		a += der_hdr(pa + a, 0xa2, k);
		a = put(pa, a, t, k);
		k = der_hdr(t, 0x30, a);
		k = put(t, k, pa, a);
		a = der_hdr(pa, 0x30, k);
		a = put(pa, a, t, k);
		n += der_hdr(body + n, 0xa3, a);
		n = put(body, n, pa, a);
	}
	/* cname: { [0] name-type 1, [1] { GeneralString } } */
	k = put(pn, 0, (uint8_t[]){0xa0, 3, 2, 1, 1}, 5);
	k += der_hdr(pn + k, 0xa1, nl + 4);
	k += der_hdr(pn + k, 0x30, nl + 2);
	k += der_hdr(pn + k, 0x1b, nl);
	k = put(pn, k, name, nl);
	r = put(rb, r, opts, sizeof(opts));
	r += der_hdr(rb + r, 0xa1, k + 2);
	r += der_hdr(rb + r, 0x30, k);
	r = put(rb, r, pn, k);
	r = put(rb, r, (uint8_t[]){0xa2, 13, 0x1b, 11}, 4);
	r = put(rb, r, "EXAMPLE.COM", 11);
	r = put(rb, r, tail, sizeof(tail));
	n += der_hdr(body + n, 0xa4, r + 2);
	n += der_hdr(body + n, 0x30, r);
	n = put(body, n, rb, r);
	k = der_hdr(t, 0x30, n);
	memcpy(t + k, body, n);
	k += n;
	n = der_hdr(out, tag, k);
	return put(out, n, t, k);
}

/* The same with a PA-ENC-TIMESTAMP's type (2): a password's. */
static size_t as_req(uint8_t *out, uint8_t tag, const char *name, size_t pa_len)
{
	return as_req_pa(out, tag, name, pa_len, 2);
}

/* An AS-REP (RFC 4120 5.4.2) to @name of EXAMPLE.COM, with a PA-ETYPE-INFO2
 * and a ticket of @ticket_len bytes (long-form lengths). Returns its
 * length. */
static size_t as_rep(uint8_t *out, const char *name, size_t ticket_len)
{
	static const uint8_t head[] = {0xa0, 3,	   2,	 1,    5,    0xa1, 3,	 2,    1,
				       11,   0xa2, 0x0e, 0x30, 0x0c, 0x30, 0x0a, 0xa1, 3,
				       2,    1,	   19,	 0xa2, 3,    4,	   1,	 0};
	uint8_t body[1400], pn[100], t[1400];
	size_t n = 0, k = 0, nl = strlen(name);

	n = put(body, n, head, sizeof(head));
	n = put(body, n, (uint8_t[]){0xa3, 13, 0x1b, 11}, 4);
	n = put(body, n, "EXAMPLE.COM", 11);
	k = put(pn, 0, (uint8_t[]){0xa0, 3, 2, 1, 1}, 5);
	k += der_hdr(pn + k, 0xa1, nl + 4);
	k += der_hdr(pn + k, 0x30, nl + 2);
	k += der_hdr(pn + k, 0x1b, nl);
	k = put(pn, k, name, nl);
	n += der_hdr(body + n, 0xa4, k + 2);
	n += der_hdr(body + n, 0x30, k);
	n = put(body, n, pn, k);
	/* [5] ticket and [6] enc-part: opaque here */
	n += der_hdr(body + n, 0xa5, ticket_len + der_hdr(t, 0x04, ticket_len));
	n += der_hdr(body + n, 0x04, ticket_len);
	memset(body + n, 't', ticket_len);
	n += ticket_len;
	n = put(body, n, (uint8_t[]){0xa6, 4, 0x04, 2, 'e', 'e'}, 6);
	k = der_hdr(t, 0x30, n);
	memcpy(t + k, body, n);
	k += n;
	n = der_hdr(out, 0x6b, k);
	return put(out, n, t, k);
}

/* Wrap the @len bytes at @b in a DER header of @tag, in place (@b has
 * room for 4 more); the new length. */
static size_t wrap(uint8_t *b, uint8_t tag, size_t len)
{
	uint8_t h[4];
	size_t k = der_hdr(h, tag, len);

	memmove(b + k, b, len);
	memcpy(b, h, k);
	return k + len;
}

/* @len bytes of @c as a GeneralString at @out; its length. */
static size_t gstr(uint8_t *out, const char *c, size_t len)
{
	memcpy(out, c, len);
	return wrap(out, 0x1b, len);
}

/* A PrincipalName { [0] name-type @type, [1] { GeneralString @a[, @b] } }
 * at @out; its length. */
static size_t principal(uint8_t *out, int type, const char *a, const char *b)
{
	uint8_t strs[300];
	size_t n = gstr(strs, a, strlen(a)), k;

	if (b)
		n += gstr(strs + n, b, strlen(b));
	n = wrap(strs, 0x30, n);
	n = wrap(strs, 0xa1, n);
	k = put(out, 0, (uint8_t[]){0xa0, 3, 2, 1, (uint8_t)type}, 5);
	k = put(out, k, strs, n);
	return wrap(out, 0x30, k);
}

/* A TGS-REP (RFC 4120 5.4.2) to alice@EXAMPLE.COM with a ticket for the
 * service @svc/@host (@host NULL: @svc alone) in encryption type @etype,
 * after a PA-FX-FAST reply of @fast_len bytes (none when 0), as an MIT
 * client's armoured request gets. *@crealm_at: where its crealm starts.
 * Returns its length. */
static size_t tgs_rep(uint8_t *out, const char *svc, const char *host, int etype, size_t fast_len,
		      size_t *crealm_at)
{
	static const uint8_t head[] = {0xa0, 3, 2, 1, 5, 0xa1, 3, 2, 1, 13};
	static const uint8_t realm[] = {0xa1, 13,  0x1b, 11,  'E', 'X', 'A', 'M',
					'P',  'L', 'E',	 '.', 'C', 'O', 'M'};
	uint8_t body[1400], tkt[800], part[400];
	size_t n, k, m;

	n = put(body, 0, head, sizeof(head));
	if (fast_len) {
		/* { { [1] type 136, [2] OCTET STRING } } */
		memset(part, 'f', fast_len);
		k = wrap(part, 0x04, fast_len);
		k = wrap(part, 0xa2, k);
		m = put(tkt, 0, (uint8_t[]){0xa1, 4, 2, 2, 0, 136}, 6);
		m = put(tkt, m, part, k);
		m = wrap(tkt, 0x30, m);
		m = wrap(tkt, 0x30, m);
		m = wrap(tkt, 0xa2, m);
		n = put(body, n, tkt, m);
	}
	*crealm_at = n;
	k = put(part, 0, realm + 2, sizeof(realm) - 2);
	k = wrap(part, 0xa3, k);
	n = put(body, n, part, k);
	k = principal(part, 1, "alice", NULL);
	k = wrap(part, 0xa4, k);
	n = put(body, n, part, k);
	/* ticket [APPLICATION 1] { [0] 5, [1] realm, [2] sname, [3] enc-part
	 * { [0] etype, [1] kvno, [2] cipher } } */
	m = put(tkt, 0, head, 5);
	m = put(tkt, m, realm, sizeof(realm));
	k = principal(part, 2, svc, host);
	k = wrap(part, 0xa2, k);
	m = put(tkt, m, part, k);
	k = put(part, 0, (uint8_t[]){0xa0, 3, 2, 1, (uint8_t)etype, 0xa1, 3, 2, 1, 2}, 10);
	memset(part + k, 'c', 300);
	k += wrap(part + k, 0x04, 300);
	k = wrap(part, 0x30, k);
	k = wrap(part, 0xa3, k);
	m = put(tkt, m, part, k);
	m = wrap(tkt, 0x30, m);
	m = wrap(tkt, 0x61, m);
	m = wrap(tkt, 0xa5, m);
	n = put(body, n, tkt, m);
	/* [6] enc-part { [0] 18, [2] cipher }: opaque */
	k = put(part, 0, (uint8_t[]){0xa0, 3, 2, 1, 18}, 5);
	memset(part + k, 'e', 60);
	k += wrap(part + k, 0x04, 60);
	k = wrap(part, 0x30, k);
	k = wrap(part, 0xa6, k);
	n = put(body, n, part, k);
	m = n;
	n = wrap(body, 0x30, n);
	n = wrap(body, 0x6d, n);
	*crealm_at += n - m; /* past the two headers */
	memcpy(out, body, n);
	return n;
}

/* Send @msg (@len bytes) between the KDC's port 88 and @client's port
 * @cport, to the KDC when @to_kdc, over @proto (TCP with the record mark,
 * unless @mark is given); 0 or -1. */
static int send_krb_dir(struct xhp *x, int family, const char *kdc, const char *client, int cport,
			int to_kdc, uint8_t proto, const uint8_t *msg, size_t len, long mark)
{
	uint8_t buf[PKT_MAX], *p;
	struct pkt_layout lay;
	size_t hdr = proto == IPPROTO_TCP ? 4 : 0, flen;
	struct pkt_desc d = {.family = family,
			     .src = to_kdc ? client : kdc,
			     .dst = to_kdc ? kdc : client,
			     .proto = proto,
			     .sport = to_kdc ? cport : 88,
			     .dport = to_kdc ? 88 : cport,
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

/* Send the KDC's @msg to @client's port 50000; as send_krb_dir(). */
static int send_krb(struct xhp *x, int family, const char *kdc, const char *client, uint8_t proto,
		    const uint8_t *msg, size_t len, long mark)
{
	return send_krb_dir(x, family, kdc, client, 50000, 0, proto, msg, len, mark);
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

/* kerberos.no_preauth: a TGT (AS-REP) issued on the flow of an AS-REQ that
 * did not prove the client's key is one event, client -> KDC, carrying the
 * AS-REP's first bytes; after a password's PA-ENC-TIMESTAMP, or without a
 * request seen, none. */
void test_kerberos_no_preauth(void)
{
	uint64_t c0[XH_KRB_CNT__MAX], c1[XH_KRB_CNT__MAX];
	const struct xh_event *ev = NULL;
	uint8_t msg[1400];
	size_t len, rep_len;
	struct xhp x;
	int err = 0;

	if (xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		return;

	test_subtest("no pre-authentication: one event");
	xhp_reset(&x);
	err |= krb_cnt(&x, c0);
	/* GetNPUsers' request: a PA-PAC-REQUEST (128) only */
	len = as_req_pa(msg, 0x6a, "roastme", 7, 128);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.50", 52000, 1, IPPROTO_UDP, msg, len, -1);
	rep_len = as_rep(msg, "roastme", 900);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.50", 52000, 0, IPPROTO_UDP, msg, rep_len, -1);
	/* the same answer again (a retransmission): no second event */
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.50", 52000, 0, IPPROTO_UDP, msg, rep_len, -1);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(xhp_count_rule(&x, XH_RULE_KRB_NO_PREAUTH, &ev), 1, "one event")) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET, ev->saddr, a, sizeof(a));
		ASSERT_STREQ(a, "192.0.2.50", "the client is the source");
		ASSERT_EQ(ntohs(ev->dport), 88, "to the kdc");
		ASSERT_EQ(ev->detail_kind, XH_DETAIL_KRB, "detail kind");
		ASSERT_EQ(ev->d.krb.msg_len, rep_len, "the message's length");
		ASSERT_EQ(ev->name_len, 256, "its first 256 bytes");
		ASSERT_OK(memcmp(ev->name, msg, 256), "carried as sent");
	}
	if (ASSERT_OK(krb_cnt(&x, c1), "counters")) {
		ASSERT_EQ(c1[XH_KRB_CNT_AS_REQ] - c0[XH_KRB_CNT_AS_REQ], 1, "as_req");
		ASSERT_EQ(c1[XH_KRB_CNT_NO_PREAUTH] - c0[XH_KRB_CNT_NO_PREAUTH], 1, "no_preauth");
		ASSERT_EQ(c1[XH_KRB_CNT_AS_REP] - c0[XH_KRB_CNT_AS_REP], 2, "as_rep");
	}

	test_subtest("over tcp, the answer in two segments; no padata at all");
	xhp_reset(&x);
	len = as_req_pa(msg, 0x6a, "roast2", 0, 0);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.51", 52001, 1, IPPROTO_TCP, msg, len, -1);
	rep_len = as_rep(msg, "roast2", 1200);
	/* the first segment's 1000 bytes, the record mark the whole message's */
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.51", 52001, 0, IPPROTO_TCP, msg, 1000,
			    (long)rep_len);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(xhp_count_rule(&x, XH_RULE_KRB_NO_PREAUTH, &ev), 1, "one event"))
		ASSERT_EQ(ev->d.krb.msg_len, rep_len, "the record mark's length");

	test_subtest("a segment that only looks like an AS-REP");
	xhp_reset(&x);
	len = as_req_pa(msg, 0x6a, "roast3", 0, 0);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.53", 52010, 1, IPPROTO_TCP, msg, len, -1);
	rep_len = as_rep(msg, "roast3", 900);
	/* a record mark that is not its DER length (a segment in the
	 * middle of a message, whose bytes happen to begin so) */
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.53", 52010, 0, IPPROTO_TCP, msg, rep_len,
			    (long)rep_len + 500);
	ASSERT_OK(err, "run");
	ASSERT_EQ(xhp_count_rule(&x, XH_RULE_KRB_NO_PREAUTH, &ev), 0, "no event");
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.53", 52010, 0, IPPROTO_TCP, msg, rep_len, -1);
	ASSERT_OK(err, "run");
	ASSERT_EQ(xhp_count_rule(&x, XH_RULE_KRB_NO_PREAUTH, &ev), 1, "the real one: an event");

	test_subtest("what makes none");
	xhp_reset(&x);
	err |= krb_cnt(&x, c0);
	/* a password's PA-ENC-TIMESTAMP, PKINIT, FAST: the client proved
	 * its key */
	len = as_req_pa(msg, 0x6a, "alice", 60, 2);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.52", 52002, 1, IPPROTO_UDP, msg, len, -1);
	len = as_req_pa(msg, 0x6a, "bob", 60, 16);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.52", 52003, 1, IPPROTO_UDP, msg, len, -1);
	len = as_req_pa(msg, 0x6a, "carol", 60, 136);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.52", 52004, 1, IPPROTO_UDP, msg, len, -1);
	/* padata past the bytes read: not known to lack pre-authentication */
	len = as_req_pa(msg, 0x6a, "dave", 300, 128);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.52", 52005, 1, IPPROTO_UDP, msg, len, -1);
	rep_len = as_rep(msg, "someone", 900);
	for (int p = 52002; p <= 52006; p++) /* 52006: no request seen */
		err |= send_krb_dir(&x, 4, KDC4, "192.0.2.52", p, 0, IPPROTO_UDP, msg, rep_len, -1);
	ASSERT_OK(err, "run");
	ASSERT_EQ(xhp_count_rule(&x, XH_RULE_KRB_NO_PREAUTH, &ev), 0, "no event");
	if (ASSERT_OK(krb_cnt(&x, c1), "counters")) {
		ASSERT_EQ(c1[XH_KRB_CNT_NO_PREAUTH] - c0[XH_KRB_CNT_NO_PREAUTH], 0, "no_preauth");
		ASSERT_EQ(c1[XH_KRB_CNT_AS_REP] - c0[XH_KRB_CNT_AS_REP], 5, "as_rep");
	}
	xhp_close(&x);
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
		ASSERT_EQ(ev->d.sweep.accounts, 0, "no request seen: no account");
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
					     .payload_len = (int)len,
					     .payload = msg};
			uint8_t buf[PKT_MAX];
			size_t flen = pkt_build(&d, buf, NULL);

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

	test_subtest("spraying: each failure's account, from its as-req");
	xhp_reset(&x);
	err |= krb_cnt(&x, c0);
	{
		static const char *const users[THRESHOLD] = {
			"admin", "bob",	   "svc-01",   "administrator", "HD01",
			"HD02",	 "normal", "backdoor", "admin02",	"svc-02"};
		for (i = 0; i < THRESHOLD; i++) {
			/* a password's PA-ENC-TIMESTAMP (0x81 lengths), or none */
			len = as_req(msg, 0x6a, users[i], i & 1 ? 180 - 100 * (i & 2) / 2 : 0);
			err |= send_krb_dir(&x, 4, KDC4, "192.0.2.45", 50100 + i, 1,
					    i & 4 ? IPPROTO_TCP : IPPROTO_UDP, msg, len, -1);
		}
		len = krb_error(msg, KRB_PREAUTH_FAILED, 1, 0);
		/* answered in another order than asked */
		for (i = THRESHOLD - 1; i >= 0; i--)
			err |= send_krb_dir(&x, 4, KDC4, "192.0.2.45", 50100 + i, 0,
					    i & 4 ? IPPROTO_TCP : IPPROTO_UDP, msg, len, -1);
		ASSERT_OK(err, "run");
		if (ASSERT_EQ(count_krb(&x, &ev), 1, "hit")) {
			ASSERT_EQ(ev->d.sweep.accounts, THRESHOLD, "accounts: the ten names");
		}
		if (ASSERT_OK(krb_cnt(&x, c1), "counters")) {
			ASSERT_EQ(c1[XH_KRB_CNT_AS_REQ] - c0[XH_KRB_CNT_AS_REQ], THRESHOLD,
				  "as_req");
			ASSERT_EQ(c1[XH_KRB_CNT_FAILURE_NAMED] - c0[XH_KRB_CNT_FAILURE_NAMED],
				  THRESHOLD, "failure_named");
		}
	}

	test_subtest("guessing: one account, in any case");
	xhp_reset(&x);
	for (i = 0; i < THRESHOLD; i++) {
		static const char *const spell[] = {"Administrator", "ADMINISTRATOR",
						    "administrator"};

		len = as_req(msg, 0x6a, spell[i % 3], 80);
		err |= send_krb_dir(&x, 4, KDC4, "192.0.2.46", 50200 + i, 1, IPPROTO_TCP, msg, len,
				    -1);
		len = krb_error(msg, KRB_PREAUTH_FAILED, 1, 0);
		err |= send_krb_dir(&x, 4, KDC4, "192.0.2.46", 50200 + i, 0, IPPROTO_TCP, msg, len,
				    -1);
	}
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_krb(&x, &ev), 1, "hit"))
		ASSERT_EQ(ev->d.sweep.accounts, 1, "one account");

	test_subtest("requests whose account is not read");
	xhp_reset(&x);
	err |= krb_cnt(&x, c0);
	for (i = 0; i < THRESHOLD; i++) {
		/* the cname past the bytes read (a FAST armor's or PKINIT's
		 * padata), a TGS-REQ, an AS-REQ cut before its cname, an
		 * answer's port, and a message continued in the next TCP
		 * segment (read: its record mark may exceed the segment) */
		switch (i % 5) {
		case 0:
			len = as_req(msg, 0x6a, "far", 260);
			break;
		case 1:
			len = as_req(msg, 0x6c, "tgs", 20);
			break;
		case 2:
			/* 49 bytes of head and padata, then the body's */
			as_req(msg, 0x6a, "cut", 20);
			len = 55;
			break;
		default:
			len = as_req(msg, 0x6a, i % 5 == 3 ? "answer" : "continued", 20);
			break;
		}
		if (i % 5 == 3)
			err |= send_krb_dir(&x, 4, KDC4, "192.0.2.47", 50300 + i, 0, IPPROTO_UDP,
					    msg, len, -1);
		else if (i % 5 == 4)
			err |= send_krb_dir(&x, 4, KDC4, "192.0.2.47", 50300 + i, 1, IPPROTO_TCP,
					    msg, len, (long)len + 1200);
		else
			err |= send_krb_dir(&x, 4, KDC4, "192.0.2.47", 50300 + i, 1, IPPROTO_UDP,
					    msg, len, -1);
	}
	ASSERT_OK(err, "run");
	if (ASSERT_OK(krb_cnt(&x, c1), "counters"))
		ASSERT_EQ(c1[XH_KRB_CNT_AS_REQ] - c0[XH_KRB_CNT_AS_REQ], 2,
			  "as_req: only the continued ones");
	xhp_close(&x);
}

/* kerberos.weak_ticket: a TGS-REP whose ticket for a service is in RC4 or
 * DES is one event per flow, client -> KDC, carrying the reply from its
 * crealm (past a FAST padata too), over TCP or UDP (a first IP fragment
 * too); AES tickets, krbtgt's and tickets past the bytes of the segment
 * make none. */
void test_kerberos_weak_ticket(void)
{
	uint64_t c0[XH_KRB_CNT__MAX], c1[XH_KRB_CNT__MAX];
	const struct xh_event *ev = NULL;
	uint8_t msg[1400];
	size_t len, at;
	struct xhp x;
	int err = 0;

	if (xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		return;

	test_subtest("an rc4 service ticket: one event per flow");
	xhp_reset(&x);
	err |= krb_cnt(&x, c0);
	len = tgs_rep(msg, "MSSQLSvc", "db1.example.com:1433", 23, 0, &at);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.60", 53000, 0, IPPROTO_UDP, msg, len, -1);
	/* a retransmission: no second event */
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.60", 53000, 0, IPPROTO_UDP, msg, len, -1);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(xhp_count_rule(&x, XH_RULE_KRB_WEAK_TICKET, &ev), 1, "one event")) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET, ev->saddr, a, sizeof(a));
		ASSERT_STREQ(a, "192.0.2.60", "the client is the source");
		ASSERT_EQ(ntohs(ev->sport), 53000, "client port");
		ASSERT_EQ(ntohs(ev->dport), 88, "to the kdc");
		ASSERT_EQ(ev->detail_kind, XH_DETAIL_KRB, "detail kind");
		ASSERT_EQ(ev->d.krb.msg_type, 13, "a TGS-REP");
		ASSERT_EQ(ev->d.krb.etype, 23, "rc4-hmac");
		ASSERT_EQ(ev->d.krb.msg_len, len, "the message's length");
		ASSERT_EQ(ev->d.krb.from, at, "from its crealm");
		ASSERT_EQ(ev->name_len, len - at < 256 ? len - at : 256, "the bytes carried");
		ASSERT_OK(memcmp(ev->name, msg + at, ev->name_len), "carried as sent");
	}
	if (ASSERT_OK(krb_cnt(&x, c1), "counters")) {
		ASSERT_EQ(c1[XH_KRB_CNT_TGS_REP] - c0[XH_KRB_CNT_TGS_REP], 2, "tgs_rep");
		ASSERT_EQ(c1[XH_KRB_CNT_WEAK_TICKET] - c0[XH_KRB_CNT_WEAK_TICKET], 2,
			  "weak_ticket");
	}
	/* the same client's next request, on another port: another flow */
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.60", 53001, 0, IPPROTO_UDP, msg, len, -1);
	ASSERT_OK(err, "run");
	ASSERT_EQ(xhp_count_rule(&x, XH_RULE_KRB_WEAK_TICKET, &ev), 2, "a second flow's event");

	test_subtest("over tcp and ipv6, after a fast reply, in the first of two segments");
	xhp_reset(&x);
	len = tgs_rep(msg, "HTTP", "web1.example.com", 3, 300, &at);
	ASSERT_TRUE(at > 256, "the crealm lies past the first 256 bytes");
	err |= send_krb_dir(&x, 6, "2001:db8::88", "2001:db8::60", 53002, 0, IPPROTO_TCP, msg,
			    len - 40, (long)len);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(xhp_count_rule(&x, XH_RULE_KRB_WEAK_TICKET, &ev), 1, "one event")) {
		ASSERT_EQ(ev->d.krb.etype, 3, "des-cbc-md5");
		ASSERT_EQ(ev->d.krb.from, at, "from its crealm");
		ASSERT_EQ(ev->proto, IPPROTO_TCP, "tcp");
		ASSERT_OK(memcmp(ev->name, msg + at, ev->name_len), "carried as sent");
	}

	test_subtest("over udp, in the first of two ip fragments");
	xhp_reset(&x);
	len = tgs_rep(msg, "MSSQLSvc", "db2.example.com:1433", 23, 0, &at);
	{
		uint8_t buf[PKT_MAX];
		struct pkt_layout lay;
		/* the first fragment's 400 bytes of the datagram, its UDP
		 * length the whole one's */
		struct pkt_desc d = {.family = 4,
				     .src = KDC4,
				     .dst = "192.0.2.62",
				     .proto = IPPROTO_UDP,
				     .sport = 88,
				     .dport = 53020,
				     .more_frags = 1,
				     .payload_len = 400,
				     .payload = msg};
		size_t flen = pkt_build(&d, buf, &lay);

		if (ASSERT_TRUE(flen > 0, "build")) {
			buf[lay.l4_off + 4] = (uint8_t)((len + 8) >> 8);
			buf[lay.l4_off + 5] = (uint8_t)(len + 8);
			err |= xhp_run(&x, buf, flen);
		}
	}
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(xhp_count_rule(&x, XH_RULE_KRB_WEAK_TICKET, &ev), 1, "one event")) {
		ASSERT_EQ(ev->d.krb.msg_len, len, "the datagram's length, from its udp header");
		ASSERT_EQ(ev->proto, IPPROTO_UDP, "udp");
	}

	test_subtest("what makes none");
	xhp_reset(&x);
	err |= krb_cnt(&x, c0);
	/* an AES ticket; krbtgt's in RC4 (a referral); the ticket cut by the
	 * segment's end; a segment that only begins like a TGS-REP; the same
	 * bytes sent to the KDC */
	len = tgs_rep(msg, "MSSQLSvc", "db1.example.com:1433", 18, 0, &at);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.61", 53010, 0, IPPROTO_UDP, msg, len, -1);
	len = tgs_rep(msg, "KrbTgt", "OTHER.EXAMPLE", 23, 0, &at);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.61", 53011, 0, IPPROTO_UDP, msg, len, -1);
	len = tgs_rep(msg, "MSSQLSvc", "db1.example.com:1433", 23, 0, &at);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.61", 53012, 0, IPPROTO_TCP, msg, at + 60,
			    (long)len);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.61", 53013, 0, IPPROTO_TCP, msg, len,
			    (long)len + 100);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.61", 53014, 1, IPPROTO_UDP, msg, len, -1);
	ASSERT_OK(err, "run");
	ASSERT_EQ(xhp_count_rule(&x, XH_RULE_KRB_WEAK_TICKET, &ev), 0, "no event");
	if (ASSERT_OK(krb_cnt(&x, c1), "counters")) {
		ASSERT_EQ(c1[XH_KRB_CNT_TGS_REP] - c0[XH_KRB_CNT_TGS_REP], 2,
			  "aes and krbtgt read");
		ASSERT_EQ(c1[XH_KRB_CNT_WEAK_TICKET] - c0[XH_KRB_CNT_WEAK_TICKET], 0,
			  "weak_ticket");
	}
	xhp_close(&x);
}

/* A TGS-REQ (RFC 4120 5.4.1) for the service @svc/@host preferring the
 * @n_etypes etypes of @etypes in order, after a padata of @pa_len bytes
 * (the PA-TGS-REQ that carries the TGT: 1-2 KB on Active Directory) and,
 * when @rtime, a from and an rtime. *@body_at: where its req-body starts.
 * Returns its length. */
static size_t tgs_req(uint8_t *out, const char *svc, const char *host, const int *etypes,
		      int n_etypes, size_t pa_len, int rtime, size_t *body_at)
{
	static const uint8_t head[] = {0xa1, 3, 2, 1, 5, 0xa2, 3, 2, 1, 12};
	static const uint8_t realm[] = {0xa2, 13,  0x1b, 11,  'E', 'X', 'A', 'M',
					'P',  'L', 'E',	 '.', 'C', 'O', 'M'};
	static const uint8_t opts[] = {0xa0, 7, 3, 5, 0, 0x40, 0x81, 0x00, 0x10};
	static const uint8_t t[] = "20370913024805Z";
	uint8_t msg[PKT_MAX * 2], pa[PKT_MAX * 2], body[600], part[400];
	size_t n, k, m;

	n = put(msg, 0, head, sizeof(head));
	/* [3] { { [1] 1 (PA-TGS-REQ), [2] OCTET STRING } } */
	k = put(pa, 0, (uint8_t[]){0xa1, 3, 2, 1, 1}, 5);
	memset(pa + k, 'p', pa_len);
	m = wrap(pa + k, 0x04, pa_len);
	k += wrap(pa + k, 0xa2, m);
	k = wrap(pa, 0x30, k);
	k = wrap(pa, 0x30, k);
	k = wrap(pa, 0xa3, k);
	n = put(msg, n, pa, k);
	*body_at = n;
	m = put(body, 0, opts, sizeof(opts));
	m = put(body, m, realm, sizeof(realm));
	k = principal(part, 2, svc, host);
	k = wrap(part, 0xa3, k);
	m = put(body, m, part, k);
	if (rtime) {
		k = put(part, 0, (uint8_t[]){0x18, 15}, 2);
		k = put(part, k, t, 15);
		k = wrap(part, 0xa4, k);
		m = put(body, m, part, k);
	}
	k = put(part, 0, (uint8_t[]){0x18, 15}, 2);
	k = put(part, k, t, 15);
	k = wrap(part, 0xa5, k);
	m = put(body, m, part, k);
	if (rtime) {
		k = put(part, 0, (uint8_t[]){0x18, 15}, 2);
		k = put(part, k, t, 15);
		k = wrap(part, 0xa6, k);
		m = put(body, m, part, k);
	}
	m = put(body, m, (uint8_t[]){0xa7, 6, 2, 4, 0x1f, 0x49, 0x3c, 0xbd}, 8);
	k = 0;
	for (int i = 0; i < n_etypes; i++) {
		int v = etypes[i];

		if (v >= 0 && v < 128)
			k = put(part, k, (uint8_t[]){2, 1, (uint8_t)v}, 3);
		else /* -128 .. -1 and 128 .. 32767 in two bytes */
			k = put(part, k, (uint8_t[]){2, 2, (uint8_t)(v >> 8), (uint8_t)v}, 4);
	}
	k = wrap(part, 0x30, k);
	k = wrap(part, 0xa8, k);
	m = put(body, m, part, k);
	m = wrap(body, 0x30, m);
	m = wrap(body, 0xa4, m);
	n = put(msg, n, body, m);
	k = n;
	n = wrap(msg, 0x30, n);
	n = wrap(msg, 0x6c, n);
	*body_at += n - k; /* past the two headers */
	memcpy(out, msg, n);
	return n;
}

/* Send bytes [@from, @to) of the TCP stream @stream (the record mark and
 * the message) from @client's port @cport to the KDC, as one segment whose
 * sequence number is @isn + @from; 0 or -1. */
static int send_tgs_seg(struct xhp *x, int family, const char *kdc, const char *client, int cport,
			const uint8_t *stream, size_t from, size_t to, uint32_t isn)
{
	uint8_t buf[PKT_MAX];
	struct pkt_layout lay;
	struct pkt_desc d = {.family = family,
			     .src = client,
			     .dst = kdc,
			     .proto = IPPROTO_TCP,
			     .sport = cport,
			     .dport = 88,
			     .payload_len = (int)(to - from),
			     .payload = stream + from};
	size_t flen = pkt_build(&d, buf, &lay);
	uint32_t seq = htonl(isn + (uint32_t)from);

	if (!flen)
		return -1;
	memcpy(buf + lay.l4_off + 4, &seq, 4);
	return xhp_run(x, buf, flen);
}

/* The TCP stream of @msg (@len bytes): the record mark, then the message,
 * into @stream; its length. */
static size_t tgs_stream(uint8_t *stream, const uint8_t *msg, size_t len)
{
	uint32_t mark = htonl((uint32_t)len);

	memcpy(stream, &mark, 4);
	memcpy(stream + 4, msg, len);
	return len + 4;
}

/* kerberos.weak_request: a TGS-REQ whose etype list puts RC4 or DES first
 * (Impacket's 23,16,3,18; Rubeus' 23 alone) is one event per flow, client
 * -> KDC, carrying its req-body; read whole in a datagram or segment, or
 * when the TGT pushes the req-body into a later segment, or across two; a
 * list with AES first (Windows' 18,17,23,24,-135), a lost segment or a
 * malformed list makes none. */
void test_kerberos_weak_request(void)
{
	static const int impacket[] = {23, 16, 3, 18}, windows[] = {18, 17, 23, 24, -135},
			 rubeus[] = {23}, des[] = {3, 1};
	uint64_t c0[XH_KRB_CNT__MAX], c1[XH_KRB_CNT__MAX];
	const struct xh_event *ev = NULL;
	uint8_t msg[PKT_MAX * 2], stream[PKT_MAX * 2];
	size_t len, at, sl;
	struct xhp x;
	int err = 0;

	if (xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		return;

	test_subtest("impacket's list in a datagram: one event per flow");
	xhp_reset(&x);
	err |= krb_cnt(&x, c0);
	len = tgs_req(msg, "MSSQLSvc", "db1.example.com:1433", impacket, 4, 900, 0, &at);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.70", 54000, 1, IPPROTO_UDP, msg, len, -1);
	/* a retransmission: no second event */
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.70", 54000, 1, IPPROTO_UDP, msg, len, -1);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(xhp_count_rule(&x, XH_RULE_KRB_WEAK_REQUEST, &ev), 1, "one event")) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET, ev->saddr, a, sizeof(a));
		ASSERT_STREQ(a, "192.0.2.70", "the client is the source");
		ASSERT_EQ(ntohs(ev->sport), 54000, "client port");
		ASSERT_EQ(ntohs(ev->dport), 88, "to the kdc");
		ASSERT_EQ(ev->detail_kind, XH_DETAIL_KRB, "detail kind");
		ASSERT_EQ(ev->d.krb.msg_type, 12, "a TGS-REQ");
		ASSERT_EQ(ev->d.krb.etype, 23, "rc4-hmac first");
		ASSERT_EQ(ev->d.krb.msg_len, len, "the message's length");
		ASSERT_EQ(ev->d.krb.from, at, "from its req-body");
		ASSERT_EQ(ev->name_len, len - at, "the req-body carried whole");
		ASSERT_OK(memcmp(ev->name, msg + at, ev->name_len), "carried as sent");
	}
	if (ASSERT_OK(krb_cnt(&x, c1), "counters")) {
		ASSERT_EQ(c1[XH_KRB_CNT_TGS_REQ] - c0[XH_KRB_CNT_TGS_REQ], 2, "tgs_req");
		ASSERT_EQ(c1[XH_KRB_CNT_WEAK_REQUEST] - c0[XH_KRB_CNT_WEAK_REQUEST], 2,
			  "weak_request");
		ASSERT_EQ(c1[XH_KRB_CNT_TGS_REQ_UNREAD] - c0[XH_KRB_CNT_TGS_REQ_UNREAD], 0,
			  "tgs_req_unread");
	}

	test_subtest("rc4 alone and des first, over tcp and ipv6, with from and rtime");
	xhp_reset(&x);
	len = tgs_req(msg, "HTTP", "web1.example.com", rubeus, 1, 300, 1, &at);
	err |= send_krb_dir(&x, 6, "2001:db8::88", "2001:db8::70", 54001, 1, IPPROTO_TCP, msg, len,
			    -1);
	len = tgs_req(msg, "cifs", "fs1.example.com", des, 2, 300, 0, &at);
	err |= send_krb_dir(&x, 6, "2001:db8::88", "2001:db8::70", 54002, 1, IPPROTO_TCP, msg, len,
			    -1);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(xhp_count_rule(&x, XH_RULE_KRB_WEAK_REQUEST, &ev), 2, "two events")) {
		ASSERT_EQ(xhp_ev_back(&x, 2)->d.krb.etype, 23, "rc4-hmac alone");
		ASSERT_EQ(ev->d.krb.etype, 3, "des-cbc-md5 first");
		ASSERT_EQ(ev->proto, IPPROTO_TCP, "tcp");
		ASSERT_EQ(ev->family, XH_AF_INET6, "ipv6");
	}

	test_subtest("the req-body across two segments, and all in a third");
	xhp_reset(&x);
	err |= krb_cnt(&x, c0);
	/* as zeek-aduser1.pcap's: the TGT fills the first segment, the
	 * req-body starts 46 bytes before its end */
	len = tgs_req(msg, "ldap", "dc1.example.com", impacket, 4, 1380, 0, &at);
	sl = tgs_stream(stream, msg, len);
	err |= send_tgs_seg(&x, 4, KDC4, "192.0.2.71", 54010, stream, 0, 4 + at + 46, 1000);
	err |= send_tgs_seg(&x, 4, KDC4, "192.0.2.71", 54010, stream, 4 + at + 46, sl, 1000);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(xhp_count_rule(&x, XH_RULE_KRB_WEAK_REQUEST, &ev), 1, "one event")) {
		ASSERT_EQ(ntohs(ev->sport), 54010, "client port");
		ASSERT_EQ(ev->d.krb.from, at, "from its req-body");
		ASSERT_EQ(ev->name_len, len - at, "its two parts carried");
		ASSERT_OK(memcmp(ev->name, msg + at, ev->name_len), "carried as sent");
	}
	/* a TGT of 2.5 KB: the req-body in the third segment, after a
	 * segment sent again and one that ends before it; the last segment
	 * is 12 bytes */
	len = tgs_req(msg, "ldap", "dc1.example.com", rubeus, 1, 2500, 0, &at);
	sl = tgs_stream(stream, msg, len);
	err |= send_tgs_seg(&x, 4, KDC4, "192.0.2.71", 54011, stream, 0, 1448, 7);
	err |= send_tgs_seg(&x, 4, KDC4, "192.0.2.71", 54011, stream, 0, 1448, 7);
	err |= send_tgs_seg(&x, 4, KDC4, "192.0.2.71", 54011, stream, 1448, 4 + at + 5, 7);
	err |= send_tgs_seg(&x, 4, KDC4, "192.0.2.71", 54011, stream, 4 + at + 5, sl - 12, 7);
	err |= send_tgs_seg(&x, 4, KDC4, "192.0.2.71", 54011, stream, sl - 12, sl, 7);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(xhp_count_rule(&x, XH_RULE_KRB_WEAK_REQUEST, &ev), 2, "a second event")) {
		ASSERT_EQ(ntohs(ev->sport), 54011, "client port");
		ASSERT_EQ(ev->d.krb.etype, 23, "rc4-hmac alone");
		ASSERT_OK(memcmp(ev->name, msg + at, ev->name_len), "carried as sent");
	}
	if (ASSERT_OK(krb_cnt(&x, c1), "counters")) {
		ASSERT_EQ(c1[XH_KRB_CNT_TGS_REQ_SPLIT] - c0[XH_KRB_CNT_TGS_REQ_SPLIT], 2,
			  "tgs_req_split");
		ASSERT_EQ(c1[XH_KRB_CNT_TGS_REQ] - c0[XH_KRB_CNT_TGS_REQ], 2, "tgs_req");
	}

	test_subtest("the request's preferred etype in the ticket's event");
	xhp_reset(&x);
	/* Windows' request, AES first, answered with an RC4 ticket: no
	 * weak_request event, a weak_ticket one that says 18; Impacket's,
	 * 23; a ticket without its request seen says none */
	len = tgs_req(msg, "MSSQLSvc", "db1.example.com:1433", windows, 5, 900, 0, &at);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.73", 54030, 1, IPPROTO_UDP, msg, len, -1);
	len = tgs_req(msg, "MSSQLSvc", "db1.example.com:1433", impacket, 4, 900, 0, &at);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.73", 54031, 1, IPPROTO_UDP, msg, len, -1);
	len = tgs_rep(msg, "MSSQLSvc", "db1.example.com:1433", 23, 0, &at);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.73", 54030, 0, IPPROTO_UDP, msg, len, -1);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.73", 54031, 0, IPPROTO_UDP, msg, len, -1);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.73", 54032, 0, IPPROTO_UDP, msg, len, -1);
	ASSERT_OK(err, "run");
	ASSERT_EQ(xhp_count_rule(&x, XH_RULE_KRB_WEAK_REQUEST, &ev), 1, "impacket's request");
	if (ASSERT_EQ(xhp_count_rule(&x, XH_RULE_KRB_WEAK_TICKET, &ev), 3, "three tickets")) {
		const struct xh_event *t[3] = {xhp_ev_back(&x, 3), xhp_ev_back(&x, 2), ev};

		ASSERT_EQ(t[0]->rule, XH_RULE_KRB_WEAK_TICKET, "the first ticket's");
		ASSERT_EQ(t[0]->d.krb.req_seen, 1, "windows' request seen");
		ASSERT_EQ(t[0]->d.krb.req_etype, 18, "aes256 preferred");
		ASSERT_EQ(t[1]->d.krb.req_seen, 1, "impacket's request seen");
		ASSERT_EQ(t[1]->d.krb.req_etype, 23, "rc4 preferred");
		ASSERT_EQ(t[2]->d.krb.req_seen, 0, "no request seen");
	}

	test_subtest("what makes none");
	xhp_reset(&x);
	err |= krb_cnt(&x, c0);
	/* Windows' list, AES first, whole and split */
	len = tgs_req(msg, "cifs", "fs1.example.com", windows, 5, 900, 0, &at);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.72", 54020, 1, IPPROTO_UDP, msg, len, -1);
	len = tgs_req(msg, "cifs", "fs1.example.com", windows, 5, 1380, 0, &at);
	sl = tgs_stream(stream, msg, len);
	err |= send_tgs_seg(&x, 4, KDC4, "192.0.2.72", 54021, stream, 0, 4 + at + 40, 1);
	err |= send_tgs_seg(&x, 4, KDC4, "192.0.2.72", 54021, stream, 4 + at + 40, sl, 1);
	/* impacket's across three segments, the second lost: the third
	 * starts past the bytes wanted */
	len = tgs_req(msg, "ldap", "dc1.example.com", impacket, 4, 1380, 0, &at);
	sl = tgs_stream(stream, msg, len);
	err |= send_tgs_seg(&x, 4, KDC4, "192.0.2.72", 54022, stream, 0, 4 + at + 40, 1);
	err |= send_tgs_seg(&x, 4, KDC4, "192.0.2.72", 54022, stream, 4 + at + 70, sl, 1);
	/* impacket's in a datagram cut before its list; the same bytes from
	 * the KDC */
	len = tgs_req(msg, "ldap", "dc1.example.com", impacket, 4, 300, 0, &at);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.72", 54023, 1, IPPROTO_UDP, msg, len - 12, -1);
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.72", 54024, 0, IPPROTO_UDP, msg, len, -1);
	/* a list whose first INTEGER is five bytes long */
	len = tgs_req(msg, "ldap", "dc1.example.com", impacket, 4, 300, 0, &at);
	msg[len - 11] = 5;
	err |= send_krb_dir(&x, 4, KDC4, "192.0.2.72", 54025, 1, IPPROTO_UDP, msg, len, -1);
	ASSERT_OK(err, "run");
	ASSERT_EQ(xhp_count_rule(&x, XH_RULE_KRB_WEAK_REQUEST, &ev), 0, "no event");
	if (ASSERT_OK(krb_cnt(&x, c1), "counters")) {
		ASSERT_EQ(c1[XH_KRB_CNT_TGS_REQ] - c0[XH_KRB_CNT_TGS_REQ], 2, "windows' two read");
		ASSERT_EQ(c1[XH_KRB_CNT_WEAK_REQUEST] - c0[XH_KRB_CNT_WEAK_REQUEST], 0,
			  "weak_request");
		ASSERT_EQ(c1[XH_KRB_CNT_TGS_REQ_UNREAD] - c0[XH_KRB_CNT_TGS_REQ_UNREAD], 3,
			  "the lost segment's, the cut one's and the malformed one's unread");
	}
	xhp_close(&x);
}
