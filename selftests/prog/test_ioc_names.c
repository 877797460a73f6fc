// SPDX-License-Identifier: GPL-2.0
/* test_ioc_names.c: the real program under BPF_PROG_TEST_RUN with crafted
 * DNS queries and ClientHellos (ioc.dns / ioc.tls_sni, parents, case,
 * malformed names counted and never matched), address:port indicators and
 * block mode (XDP_DROP, action drop). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdphunt.skel.h"
#include "test.h"
#include "pkt.h"
#include "msg.h"
#include "xh_prog.h"

#define C4 "192.0.2.10"
#define S4 "192.0.2.53"

/* Build a packet with @payload; returns its length. */
static size_t build(uint8_t *buf, uint8_t proto, const char *src, const char *dst, uint16_t sport,
		    uint16_t dport, uint8_t flags, const uint8_t *payload, size_t plen)
{
	struct pkt_desc d = {.family = strchr(dst, ':') ? 6 : 4,
			     .src = src,
			     .dst = dst,
			     .proto = proto,
			     .sport = sport,
			     .dport = dport,
			     .tcp_flags = flags,
			     .payload_len = (int)plen,
			     .payload = payload};

	return pkt_build(&d, buf, NULL);
}

struct name_row {
	const char *what;
	uint8_t proto;
	uint16_t dport;
	int kind; /* 0 DNS UDP, 1 DNS TCP, 2 TLS */
	const char *name;
	int corrupt; /* 1: compression pointer in the name; 2: the first two
		      * labels made one, with a '.' inside */
	uint8_t rule;
	uint32_t ioc_id;
	int counter; /* enum xh_ioc_cnt that must grow */
	int verdict;
};

void test_ioc_names(void)
{
	static const struct name_row rows[] = {
		{"dns_sub", IPPROTO_UDP, 53, 0, "www.Evil.EXAMPLE", 0, XH_RULE_IOC_DNS, IOC_DOM,
		 XH_IOC_CNT_NAME_MATCH, XDP_PASS},
		{"dns_exact", IPPROTO_UDP, 53, 0, "evil.example", 0, XH_RULE_IOC_DNS, IOC_DOM,
		 XH_IOC_CNT_NAME_MATCH, XDP_PASS},
		{"dns_tcp", IPPROTO_TCP, 53, 1, "a.b.c.evil.example", 0, XH_RULE_IOC_DNS, IOC_DOM,
		 XH_IOC_CNT_NAME_MATCH, XDP_PASS},
		{"dns_other", IPPROTO_UDP, 53, 0, "notevil.example", 0, 0, 0, XH_IOC_CNT_DNS_QUERY,
		 XDP_PASS},
		{"dns_parent_only", IPPROTO_UDP, 53, 0, "example", 0, 0, 0, XH_IOC_CNT_DNS_QUERY,
		 XDP_PASS},
		{"dns_pointer", IPPROTO_UDP, 53, 0, "www.evil.example", 1, 0, 0,
		 XH_IOC_CNT_DNS_COMPRESSED, XDP_PASS},
		/* A '.' inside a label hides nothing: "ab.x" + evil.example is
		 * below evil.example, one label "evil.example" is not. */
		{"dns_dot_in_label", IPPROTO_UDP, 53, 0, "ab.x.evil.example", 2, XH_RULE_IOC_DNS,
		 IOC_DOM, XH_IOC_CNT_NAME_MATCH, XDP_PASS},
		{"dns_dot_in_label_block", IPPROTO_UDP, 53, 0, "ab.x.blocked.example", 2,
		 XH_RULE_IOC_DNS, IOC_DOM_BLOCK | XH_IOC_F_BLOCK, XH_IOC_CNT_DROP, XDP_DROP},
		{"dns_dotted_label_only", IPPROTO_UDP, 53, 0, "evil.example", 2, 0, 0,
		 XH_IOC_CNT_DNS_QUERY, XDP_PASS},
		{"dns_not_53", IPPROTO_UDP, 5353, 0, "www.evil.example", 0, 0, 0, -1, XDP_PASS},
		{"dns_block", IPPROTO_UDP, 53, 0, "x.blocked.example", 0, XH_RULE_IOC_DNS,
		 IOC_DOM_BLOCK | XH_IOC_F_BLOCK, XH_IOC_CNT_DROP, XDP_DROP},
		{"tls_443", IPPROTO_TCP, 443, 2, "api.evil.example", 0, XH_RULE_IOC_TLS_SNI,
		 IOC_DOM, XH_IOC_CNT_TLS_SNI, XDP_PASS},
		{"tls_any_port", IPPROTO_TCP, 9001, 2, "EVIL.example", 0, XH_RULE_IOC_TLS_SNI,
		 IOC_DOM, XH_IOC_CNT_NAME_MATCH, XDP_PASS},
		/* TCP port 53 is DNS, but a ClientHello there is still one. */
		{"tls_port_53", IPPROTO_TCP, 53, 2, "c2.evil.example", 0, XH_RULE_IOC_TLS_SNI,
		 IOC_DOM, XH_IOC_CNT_NAME_MATCH, XDP_PASS},
		{"tls_other", IPPROTO_TCP, 443, 2, "evil.example.net", 0, 0, 0, XH_IOC_CNT_TLS_SNI,
		 XDP_PASS},
		/* The root's trailing dot does not hide the name. */
		{"tls_trailing_dot", IPPROTO_TCP, 443, 2, "c2.evil.example.", 0,
		 XH_RULE_IOC_TLS_SNI, IOC_DOM, XH_IOC_CNT_NAME_MATCH, XDP_PASS},
	};
	uint8_t buf[PKT_MAX], msg[2048];
	struct xh_stats before, after;
	struct xhp x;
	size_t len, mlen, nlen;

	if (xhp_open(&x, 0, 0))
		return;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct name_row *r = &rows[i];
		int v;

		test_subtest("%s", r->what);
		xhp_reset(&x);
		if (r->kind == 2)
			mlen = msg_tls_hello(msg, r->name, MSG_SNI_LAST, 1, 32);
		else
			mlen = msg_dns_query(msg, r->name, 1, 1, r->kind == 1);
		if (r->corrupt == 1)
			msg[12 + 4] = 0xc0;
		if (r->corrupt == 2) {
			uint8_t l1 = msg[12];

			msg[12] = (uint8_t)(l1 + 1 + msg[13 + l1]);
			msg[13 + l1] = '.';
		}
		len = build(buf, r->proto, C4, S4, 40000 + (uint16_t)i, r->dport, 0x18, msg, mlen);
		xhp_stats(&x, &before);
		v = xhp_run_verdict(&x, buf, len);
		xhp_stats(&x, &after);
		ASSERT_EQ(v, r->verdict, "verdict");
		xhp_drain(&x);
		if (r->counter >= 0)
			ASSERT_EQ(after.ioc[r->counter] - before.ioc[r->counter], 1, "counter");
		if (!r->rule) {
			ASSERT_EQ(x.n_ev, 0, "no event");
			continue;
		}
		if (!ASSERT_EQ(x.n_ev, 1, "one event"))
			continue;
		ASSERT_EQ(x.ev[0].rule, r->rule, "rule");
		ASSERT_EQ(x.ev[0].ioc_id, r->ioc_id, "ioc reference");
		ASSERT_EQ(x.ev[0].detail_kind, XH_DETAIL_IOC_NAME, "detail kind");
		/* As sent, less a trailing dot (the root). */
		nlen = strlen(r->name) - (r->name[strlen(r->name) - 1] == '.');
		ASSERT_EQ(x.ev[0].name_len, nlen, "name length");
		ASSERT_MEMEQ(x.ev[0].name, r->name, nlen, "name as sent");
		ASSERT_EQ(x.ev[0].action, r->verdict == XDP_DROP ? XH_ACTION_DROP : XH_ACTION_PASS,
			  "action");
		ASSERT_EQ(x.ev[0].sport, htons(40000 + (uint16_t)i), "oriented client -> server");
		/* the same query again on the flow: no second event */
		xhp_run_verdict(&x, buf, len);
		xhp_drain(&x);
		ASSERT_EQ(x.n_ev, 1, "once per (flow, name)");
	}
	test_subtest_end();

	/* Once per (flow, name), whatever the name's length: two names that
	 * differ only past their last ten labels (the suffixes the kernel
	 * hashes) are two findings; the same name in other case is one. */
	{
		static const char *const names[] = {
			"p1.l.l.l.l.l.l.l.l.l.evil.example",
			"p2.l.l.l.l.l.l.l.l.l.evil.example",
			"P2.L.l.l.l.l.l.l.l.l.EVIL.example",
			"x.p1.l.l.l.l.l.l.l.l.l.evil.example",
		};
		static const size_t want[] = {1, 2, 2, 3};

		for (int kind = 0; kind < 2; kind++) {
			test_subtest("%s long names once per flow", kind ? "tls" : "dns");
			xhp_reset(&x);
			for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
				mlen = kind ? msg_tls_hello(msg, names[k], MSG_SNI_LAST, 1, 32)
					    : msg_dns_query(msg, names[k], 1, 1, 0);
				len = build(buf, kind ? IPPROTO_TCP : IPPROTO_UDP, C4, S4, 42000,
					    kind ? 443 : 53, 0x18, msg, mlen);
				xhp_run_verdict(&x, buf, len);
				xhp_drain(&x);
				ASSERT_EQ(x.n_ev, want[k], "events");
			}
		}
		test_subtest_end();
	}

	/* truncation at every length of a DNS query and a ClientHello inside a
	 * real frame: never an event, never a read past the frame */
	for (int kind = 0; kind < 2; kind++) {
		mlen = kind ? msg_tls_hello(msg, "evil.example", MSG_SNI_LAST, 1, 32)
			    : msg_dns_query(msg, "www.evil.example", 1, 1, 0);
		for (size_t cut = 1; cut < mlen; cut++) {
			test_subtest("%s cut %zu", kind ? "tls" : "dns", cut);
			xhp_reset(&x);
			len = build(buf, kind ? IPPROTO_TCP : IPPROTO_UDP, C4, S4, 41000,
				    kind ? 443 : 53, 0x18, msg, cut);
			ASSERT_EQ(xhp_run_verdict(&x, buf, len), XDP_PASS, "pass");
			xhp_drain(&x);
			ASSERT_EQ(x.n_ev, 0, "no event");
		}
	}
	test_subtest_end();
	xhp_close(&x);
}

/* DNS over UDP stops at the UDP length, where the resolver's datagram
 * ends (udp_rcv() trims it): a query whose UDP length ends inside the name
 * finds nothing, however the IP payload goes on; one whose UDP length runs
 * past the IP payload, or is below 8, is a datagram Linux drops (udp_trunc,
 * udp_bad). Bytes between the UDP length and the IP length are not read;
 * over IPv6 a UDP length of 0 is the IP payload's. */
void test_ioc_names_udp_length(void)
{
	static const struct {
		const char *what;
		const char *dst;
		int ulen; /* the UDP length less the query's full length */
		int perr; /* enum xh_perr that must grow, or 0 */
		int ioc;  /* enum xh_ioc_cnt that must grow, or -1 */
		int hit;
	} rows[] = {
		{"exact", S4, 0, 0, XH_IOC_CNT_NAME_MATCH, 1},
		{"inside_the_name", S4, -12, 0, XH_IOC_CNT_DNS_TRUNC, 0},
		{"before_qtype", S4, -4, 0, XH_IOC_CNT_DNS_TRUNC, 0},
		{"past_the_ip_payload", S4, 1, XH_PERR_UDP_TRUNC, -1, 0},
		{"below_8", S4, INT16_MIN, XH_PERR_UDP_BAD, -1, 0},
		{"v6_exact", "2001:db8::53", 0, 0, XH_IOC_CNT_NAME_MATCH, 1},
		{"v6_inside_the_name", "2001:db8::53", -12, 0, XH_IOC_CNT_DNS_TRUNC, 0},
		{"v6_zero", "2001:db8::53", INT16_MAX, 0, XH_IOC_CNT_NAME_MATCH, 1},
	};
	uint8_t buf[PKT_MAX], msg[512];
	struct xh_stats before, after;
	size_t mlen, len, l4;
	struct xhp x;

	if (xhp_open(&x, 0, 0))
		return;
	mlen = msg_dns_query(msg, "www.evil.example", 1, 1, 0);
	/* 12 bytes after the query: the IP payload goes on past the UDP
	 * length, whose end the rows move. */
	memset(msg + mlen, 0, 12);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int ulen = 8 + (int)mlen + rows[i].ulen;

		test_subtest("%s", rows[i].what);
		xhp_reset(&x);
		len = build(buf, IPPROTO_UDP, strchr(rows[i].dst, ':') ? "2001:db8::10" : C4,
			    rows[i].dst, 40000, 53, 0, msg, mlen + 12);
		l4 = len - (mlen + 12) - 8;
		if (rows[i].ulen == INT16_MIN)
			ulen = 7;
		else if (rows[i].ulen == INT16_MAX)
			ulen = 0;
		else if (rows[i].ulen > 0)
			ulen = 8 + (int)mlen + 12 + rows[i].ulen;
		buf[l4 + 4] = (uint8_t)(ulen >> 8);
		buf[l4 + 5] = (uint8_t)ulen;
		xhp_stats(&x, &before);
		ASSERT_EQ(xhp_run_verdict(&x, buf, len), XDP_PASS, "pass");
		xhp_stats(&x, &after);
		xhp_drain(&x);
		if (rows[i].perr)
			ASSERT_EQ(after.perr[rows[i].perr] - before.perr[rows[i].perr], 1,
				  "parse error");
		if (rows[i].ioc >= 0)
			ASSERT_EQ(after.ioc[rows[i].ioc] - before.ioc[rows[i].ioc], 1, "counter");
		if (ASSERT_EQ(x.n_ev, rows[i].hit, "events") && rows[i].hit)
			ASSERT_EQ(x.ev[0].rule, XH_RULE_IOC_DNS, "ioc.dns");
	}
	test_subtest_end();
	xhp_close(&x);
}

/* A matched ClientHello whose ALPN offers HTTP carries XH_TLS_F_ALPN_HTTP,
 * whatever the port (the hit's ioc.attack then has T1071.001); one that
 * offers something else, or has no ALPN, does not. */
void test_ioc_names_tls_alpn(void)
{
	static const uint8_t h2[] = {0, 12, 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
	static const uint8_t imap[] = {0, 5, 4, 'i', 'm', 'a', 'p'};
	static const struct {
		const char *what;
		const uint8_t *alpn;
		size_t n;
		uint16_t dport;
		uint8_t want;
	} rows[] = {
		{"h2 on 7443", h2, sizeof(h2), 7443, XH_TLS_F_ALPN_HTTP},
		{"h2 on 443", h2, sizeof(h2), 443, XH_TLS_F_ALPN_HTTP},
		{"imap on 7443", imap, sizeof(imap), 7443, 0},
		{"no ALPN", NULL, 0, 7443, 0},
	};
	uint8_t buf[PKT_MAX], msg[2048];
	struct xhp x;
	size_t len, mlen;

	if (xhp_open(&x, 0, 0))
		return;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		test_subtest("%s", rows[i].what);
		xhp_reset(&x);
		mlen = msg_tls_hello_alpn(msg, "api.evil.example", MSG_SNI_FIRST, rows[i].alpn,
					  rows[i].n);
		len = build(buf, IPPROTO_TCP, C4, S4, 41000 + (uint16_t)i, rows[i].dport, 0x18, msg,
			    mlen);
		ASSERT_EQ(xhp_run_verdict(&x, buf, len), XDP_PASS, "verdict");
		xhp_drain(&x);
		if (!ASSERT_EQ(x.n_ev, 1, "one event"))
			continue;
		ASSERT_EQ(x.ev[0].rule, XH_RULE_IOC_TLS_SNI, "rule");
		ASSERT_EQ(x.ev[0].d.ioc.tls_flags, rows[i].want, "ALPN offers HTTP");
		ASSERT_EQ(x.ev[0].d.ioc.pad[0] | x.ev[0].d.ioc.pad[1], 0, "pad");
	}
	test_subtest_end();
	xhp_close(&x);
}

void test_ioc_port_and_block(void)
{
	uint8_t buf[PKT_MAX];
	struct xh_stats before, after;
	struct xhp x;
	size_t len;

	if (xhp_open(&x, 0, 0))
		return;
	/* address:port: only the given port of that server */
	len = build(buf, IPPROTO_TCP, C4, IOC_PORT_ADDR, 40000, IOC_PORT_PORT, 0x02, NULL, 0);
	ASSERT_EQ(xhp_run_verdict(&x, buf, len), XDP_PASS, "port: pass");
	xhp_drain(&x);
	if (ASSERT_EQ(x.n_ev, 1, "port: one event")) {
		ASSERT_EQ(x.ev[0].rule, XH_RULE_IOC_DEST, "ioc.dest");
		ASSERT_EQ(x.ev[0].ioc_id, IOC_V4_PORT, "port indicator");
	}
	xhp_reset(&x);
	len = build(buf, IPPROTO_TCP, C4, IOC_PORT_ADDR, 40001, 443, 0x02, NULL, 0);
	xhp_run_verdict(&x, buf, len);
	xhp_drain(&x);
	ASSERT_EQ(x.n_ev, 0, "other port: nothing");
	len = build(buf, IPPROTO_ICMP, C4, IOC_PORT_ADDR, 8, 0, 0, NULL, 0);
	xhp_run_verdict(&x, buf, len);
	xhp_drain(&x);
	ASSERT_EQ(x.n_ev, 0, "no ports: nothing");

	/* block: both directions dropped, reported once with action drop */
	xhp_reset(&x);
	xhp_stats(&x, &before);
	len = build(buf, IPPROTO_TCP, C4, IOC_BLOCK_ADDR, 40002, 443, 0x02, NULL, 0);
	ASSERT_EQ(xhp_run_verdict(&x, buf, len), XDP_DROP, "to a blocked C2: drop");
	len = build(buf, IPPROTO_TCP, IOC_BLOCK_ADDR, C4, 443, 40002, 0x12, NULL, 0);
	ASSERT_EQ(xhp_run_verdict(&x, buf, len), XDP_DROP, "from it: drop");
	xhp_stats(&x, &after);
	xhp_drain(&x);
	ASSERT_EQ(after.ioc[XH_IOC_CNT_DROP] - before.ioc[XH_IOC_CNT_DROP], 2, "drops counted");
	if (ASSERT_EQ(x.n_ev, 1, "one event")) {
		ASSERT_EQ(x.ev[0].ioc_id, IOC_V4_BLOCK | XH_IOC_F_BLOCK, "block reference");
		ASSERT_EQ(x.ev[0].action, XH_ACTION_DROP, "action drop");
	}
	/* SMB and alert-only IoC traffic keep flowing */
	len = build(buf, IPPROTO_TCP, C4, "192.0.2.20", 40003, 445, 0x02, NULL, 0);
	ASSERT_EQ(xhp_run_verdict(&x, buf, len), XDP_PASS, "smb passes");
	len = build(buf, IPPROTO_TCP, C4, "203.0.113.7", 40004, 443, 0x02, NULL, 0);
	ASSERT_EQ(xhp_run_verdict(&x, buf, len), XDP_PASS, "alert IoC passes");
	xhp_close(&x);
}
