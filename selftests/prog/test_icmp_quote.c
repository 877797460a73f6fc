// SPDX-License-Identifier: GPL-2.0
/* test_icmp_quote.c: ICMP errors through the real xdphunt program under
 * BPF_PROG_TEST_RUN. An error quoting a packet of a flow xdphunt keeps (here
 * an SMB connection to an IoC server) counts to that flow, back toward the
 * quoted packet's sender, for IPv4 and IPv6; quotes of flows it does not
 * keep, quotes whose sender is not the error's destination, quotes cut
 * before the ports and errors that are not errors count nowhere. A quoted
 * ICMP echo counts to its echo flow, a quoted ICMP error to nothing; IPv6
 * quotes are read past their extension headers, but not a later fragment. */
#include <arpa/inet.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdphunt.skel.h"
#include "test.h"
#include "pkt.h"
#include "xh_prog.h"
#include "classify_pkt.h"

#define SRV4 "203.0.113.44" /* an IoC /24 of xhp_open()'s feed */
#define RTR4 "198.51.100.1" /* the router that answers */
#define C6   "2001:db8::10"
#define SRV6 "2001:db8:c2::66"
#define RTR6 "2001:db8:ff::1"

/* The client's SYN to the IoC server over IPv6. */
static struct pkt_desc syn6(void)
{
	return (struct pkt_desc){.family = 6,
				 .src = C6,
				 .dst = SRV6,
				 .proto = IPPROTO_TCP,
				 .sport = 50000,
				 .dport = 445,
				 .tcp_flags = SYN};
}

static uint64_t quoted(struct xhp *x)
{
	struct xh_stats s;

	xhp_stats(x, &s);
	return s.cnt[XH_CNT_ICMP_QUOTED];
}

void test_icmp_quote_v4(void)
{
	struct pkt_desc syn = {TCP4(C4, SRV4, 50000, 445, SYN)};
	struct pkt_desc other = {TCP4(C4, SRV4, 50001, 445, SYN)};
	struct pkt_desc udp = {.family = 4,
			       .src = C4,
			       .dst = SRV4,
			       .proto = IPPROTO_UDP,
			       .sport = 50002,
			       .dport = 9999};
	struct xh_flow_state st;
	struct xh_flow_key key;
	uint8_t b[PKT_MAX];
	size_t n, err_len;
	struct xhp x;

	if (xhp_open(&x, 0, 0))
		return;
	n = pkt_build(&syn, b, NULL);
	xhp_run(&x, b, n);
	/* Port unreachable from the router back to the client, quoting the SYN
	 * (IPv4 header and the first 8 bytes of TCP, as routers send). */
	err_len = pkt_icmp_error(b, 4, RTR4, C4, 3, 3, &syn, 28);
	if (!ASSERT_NEQ(err_len, 0, "build"))
		goto out;
	xhp_run(&x, b, err_len);
	ASSERT_EQ(quoted(&x), 1, "counted to the quoted flow");
	if (ASSERT_OK(xhp_flow4(&x, IPPROTO_TCP, C4, 50000, SRV4, 445, &key, &st), "flow")) {
		ASSERT_EQ(st.pkts[XH_DIR_TOSERVER], 1, "the SYN");
		ASSERT_EQ(st.pkts[XH_DIR_TOCLIENT], 1, "the error, back to the client");
		ASSERT_EQ(st.bytes[XH_DIR_TOCLIENT], err_len, "its bytes");
	}
	/* Time exceeded quoting the whole SYN: the same flow. */
	n = pkt_icmp_error(b, 4, RTR4, C4, 11, 0, &syn, 40);
	xhp_run(&x, b, n);
	ASSERT_EQ(quoted(&x), 2, "time exceeded counted too");

	/* Counted nowhere: a flow xdphunt does not keep (UDP 9999), a
	 * connection it never saw, a quote whose sender is not the error's
	 * destination, a quote cut before the ports, an echo reply. */
	n = pkt_icmp_error(b, 4, RTR4, C4, 3, 3, &udp, 28);
	xhp_run(&x, b, n);
	n = pkt_icmp_error(b, 4, RTR4, C4, 3, 3, &other, 28);
	xhp_run(&x, b, n);
	n = pkt_icmp_error(b, 4, RTR4, "192.0.2.99", 3, 3, &syn, 28);
	xhp_run(&x, b, n);
	n = pkt_icmp_error(b, 4, RTR4, C4, 3, 3, &syn, 23);
	xhp_run(&x, b, n);
	n = pkt_icmp_error(b, 4, RTR4, C4, 0, 0, &syn, 28);
	xhp_run(&x, b, n);
	ASSERT_EQ(quoted(&x), 2, "none of them counted");
	if (ASSERT_OK(xhp_flow4(&x, IPPROTO_TCP, C4, 50000, SRV4, 445, &key, &st), "flow"))
		ASSERT_EQ(st.pkts[XH_DIR_TOCLIENT], 2, "the flow has the two errors only");
	ASSERT_NEQ(xhp_flow4(&x, IPPROTO_TCP, C4, 50001, SRV4, 445, &key, &st), 0,
		   "no flow made from a quote");
out:
	xhp_close(&x);
}

/* An SMB SYN over IPv4 with IPsec AH (transport mode, as Windows server and
 * domain isolation sends it), which the parser reads past AH: an error
 * quoting it counts to its flow when the quote reaches the TCP ports after
 * AH (routers quote up to 576 bytes), and nowhere when it is cut inside AH
 * or before the ports. */
void test_icmp_quote_v4_ah(void)
{
	struct pkt_desc syn = {TCP4(C4, SRV4, 50000, 445, SYN)};
	const size_t ah_len = 24; /* 12-byte ICV */
	struct xh_flow_state st;
	struct xh_flow_key key;
	uint8_t b[PKT_MAX], sb[PKT_MAX];
	struct pkt_layout lay;
	size_t n, sn;
	struct xhp x;

	sn = pkt_build(&syn, sb, &lay);
	if (!ASSERT_GE(sn, lay.l4_off + 20, "built") || xhp_open(&x, 0, 0))
		return;
	sn = pkt_insert_ipv4_ah(sb, sn, &lay, ah_len);
	xhp_run(&x, sb, sn);
	if (!ASSERT_OK(xhp_flow4(&x, IPPROTO_TCP, C4, 50000, SRV4, 445, &key, &st), "the flow"))
		goto out;
	/* Port unreachable quoting the IP header, AH and 8 bytes of TCP. */
	n = pkt_icmp_error_quoting(b, 4, RTR4, C4, 3, 3, sb + lay.l3_off, 20 + ah_len + 8);
	if (!ASSERT_NEQ(n, 0, "build"))
		goto out;
	xhp_run(&x, b, n);
	ASSERT_EQ(quoted(&x), 1, "counted past AH to the quoted flow");
	if (ASSERT_OK(xhp_flow4(&x, IPPROTO_TCP, C4, 50000, SRV4, 445, &key, &st), "flow")) {
		ASSERT_EQ(st.pkts[XH_DIR_TOSERVER], 1, "the SYN");
		ASSERT_EQ(st.pkts[XH_DIR_TOCLIENT], 1, "the error, back to the client");
	}
	/* RFC 792's 8 bytes after the IP header: AH's first 8, no ports. */
	n = pkt_icmp_error_quoting(b, 4, RTR4, C4, 3, 3, sb + lay.l3_off, 20 + 8);
	xhp_run(&x, b, n);
	/* Cut inside AH's ICV, and just before the ports' 4 bytes. */
	n = pkt_icmp_error_quoting(b, 4, RTR4, C4, 3, 3, sb + lay.l3_off, 20 + 12);
	xhp_run(&x, b, n);
	n = pkt_icmp_error_quoting(b, 4, RTR4, C4, 3, 3, sb + lay.l3_off, 20 + ah_len + 3);
	xhp_run(&x, b, n);
	ASSERT_EQ(quoted(&x), 1, "quotes cut before the ports count nowhere");
out:
	xhp_close(&x);
}

void test_icmp_quote_v6(void)
{
	struct pkt_desc syn = syn6();
	struct xh_flow_state st;
	struct xh_flow_key key = {0};
	struct xh_stats before, after;
	uint8_t b[PKT_MAX];
	size_t n;
	struct xhp x;

	if (xhp_open(&x, 0, 0))
		return;
	n = pkt_build(&syn, b, NULL);
	xhp_run(&x, b, n);
	xhp_stats(&x, &before);
	if (!ASSERT_EQ(before.cnt[XH_CNT_FLOWS_NEW], 1, "the SMB flow"))
		goto out;
	/* Administratively prohibited (1/1), from a firewall. */
	n = pkt_icmp_error(b, 6, RTR6, C6, 1, 1, &syn, 48);
	if (!ASSERT_NEQ(n, 0, "build"))
		goto out;
	xhp_run(&x, b, n);
	xhp_stats(&x, &after);
	ASSERT_EQ(after.cnt[XH_CNT_ICMP_QUOTED], 1, "counted to the quoted flow");
	/* The canonical key: the client's address is the lower. */
	inet_pton(AF_INET6, C6, key.saddr);
	inet_pton(AF_INET6, SRV6, key.daddr);
	key.sport = htons(50000);
	key.dport = htons(445);
	key.proto = IPPROTO_TCP;
	key.family = XH_AF_INET6;
	if (ASSERT_OK(bpf_map_lookup_elem(bpf_map__fd(x.skel->maps.xh_flows), &key, &st), "flow")) {
		ASSERT_EQ(st.pkts[XH_DIR_TOSERVER], 1, "the SYN");
		ASSERT_EQ(st.pkts[XH_DIR_TOCLIENT], 1, "the error");
	}
	/* An IPv6 quote cut inside the fixed header: nothing. */
	n = pkt_icmp_error(b, 6, RTR6, C6, 1, 1, &syn, 39);
	xhp_run(&x, b, n);
	xhp_stats(&x, &after);
	ASSERT_EQ(after.cnt[XH_CNT_ICMP_QUOTED], 1, "a cut quote counts nowhere");
out:
	xhp_close(&x);
}

void test_icmp_quote_echo(void)
{
	/* An echo request to an IoC address (an ICMP tunnel's beacon), and an
	 * ICMP error the client sent to it: both flows xdphunt keeps. */
	struct pkt_desc echo = {.family = 4,
				.src = C4,
				.dst = SRV4,
				.proto = IPPROTO_ICMP,
				.sport = 8,
				.dport = 0,
				.payload_len = 8};
	struct pkt_desc unreach = {.family = 4,
				   .src = C4,
				   .dst = SRV4,
				   .proto = IPPROTO_ICMP,
				   .sport = 3,
				   .dport = 3,
				   .payload_len = 8};
	struct xh_flow_state st;
	struct xh_flow_key key;
	uint8_t b[PKT_MAX];
	size_t n;
	struct xhp x;

	if (xhp_open(&x, 0, 0))
		return;
	n = pkt_build(&echo, b, NULL);
	xhp_run(&x, b, n);
	n = pkt_build(&unreach, b, NULL);
	xhp_run(&x, b, n);
	/* Host unreachable from the router, quoting the echo request: counted
	 * to the echo flow (request 8 and reply 0 make one key). */
	n = pkt_icmp_error(b, 4, RTR4, C4, 3, 1, &echo, 28);
	if (!ASSERT_NEQ(n, 0, "build"))
		goto out;
	xhp_run(&x, b, n);
	ASSERT_EQ(quoted(&x), 1, "counted to the echo flow");
	if (ASSERT_OK(xhp_flow4(&x, IPPROTO_ICMP, C4, 8, SRV4, 0, &key, &st), "echo flow")) {
		ASSERT_EQ(st.pkts[XH_DIR_TOSERVER], 1, "the request");
		ASSERT_EQ(st.pkts[XH_DIR_TOCLIENT], 1, "the error, back to the client");
	}
	/* Time exceeded quoting the client's own port unreachable: no error
	 * about an error, although that flow is kept. */
	n = pkt_icmp_error(b, 4, RTR4, C4, 11, 0, &unreach, 28);
	xhp_run(&x, b, n);
	ASSERT_EQ(quoted(&x), 1, "an error quoting an error counts nowhere");
	if (ASSERT_OK(xhp_flow4(&x, IPPROTO_ICMP, C4, 3, SRV4, 3, &key, &st), "error flow"))
		ASSERT_EQ(st.pkts[XH_DIR_TOCLIENT], 0, "nothing back on it");
out:
	xhp_close(&x);
}

void test_icmp_quote_v6_ext(void)
{
	struct pkt_desc syn = syn6();
	struct pkt_desc frag = {.family = 6,
				.src = C6,
				.dst = SRV6,
				.proto = IPPROTO_TCP,
				.frag_off = 2,
				.n_ext = 1,
				.ext = {{.type = 44}},
				.payload_len = 16};
	struct xh_stats s;
	uint8_t b[PKT_MAX];
	size_t n, qlen;
	struct xhp x;

	/* The SYN with hop-by-hop and destination options before TCP. */
	syn.n_ext = 2;
	syn.ext[0] = (struct pkt_ext){.type = 0, .len = 8};
	syn.ext[1] = (struct pkt_ext){.type = 60, .len = 16};
	if (xhp_open(&x, 0, 0))
		return;
	n = pkt_build(&syn, b, NULL);
	xhp_run(&x, b, n);
	xhp_stats(&x, &s);
	if (!ASSERT_EQ(s.cnt[XH_CNT_FLOWS_NEW], 1, "the SMB flow"))
		goto out;
	/* Packet too big, quoting the whole SYN: read past both headers. */
	n = pkt_icmp_error(b, 6, RTR6, C6, 2, 0, &syn, 40 + 24 + 20);
	if (!ASSERT_NEQ(n, 0, "build"))
		goto out;
	xhp_run(&x, b, n);
	xhp_stats(&x, &s);
	ASSERT_EQ(s.cnt[XH_CNT_ICMP_QUOTED], 1, "counted past the extension headers");
	/* Cut inside the destination options: nothing. */
	n = pkt_icmp_error(b, 6, RTR6, C6, 2, 0, &syn, 40 + 8 + 12);
	xhp_run(&x, b, n);
	/* A later fragment whose first bytes are the SYN's ports: its offset
	 * says they are not ports. */
	qlen = 40 + 8 + 16;
	n = pkt_icmp_error(b, 6, RTR6, C6, 1, 4, &frag, qlen);
	if (ASSERT_NEQ(n, 0, "build fragment quote")) {
		uint16_t ports[2] = {htons(50000), htons(445)};

		memcpy(b + n - qlen + 48, ports, sizeof(ports));
		xhp_run(&x, b, n);
	}
	xhp_stats(&x, &s);
	ASSERT_EQ(s.cnt[XH_CNT_ICMP_QUOTED], 1, "a cut quote and a later fragment count nowhere");
out:
	xhp_close(&x);
}

/* One-way ICMP messages (errors, redirects) keep the direction they
 * travelled, as the Community ID spec hashes them: the same type and code
 * sent the other way is another flow, with its own finding and counts. */
void test_icmp_one_way_directions(void)
{
	/* 203.0.113.9 is an IoC address (203.0.113.0/24). */
	struct pkt_desc there = {.family = 4,
				 .src = "198.51.100.1",
				 .dst = "203.0.113.9",
				 .proto = IPPROTO_ICMP,
				 .sport = 3,
				 .dport = 3,
				 .payload_len = 8};
	struct pkt_desc back = there;
	struct xh_flow_state st;
	struct xh_flow_key key;
	uint8_t b[PKT_MAX];
	size_t n;
	struct xhp x;

	back.src = there.dst;
	back.dst = there.src;
	if (xhp_open(&x, 0, 0))
		return;
	n = pkt_build(&there, b, NULL);
	xhp_run(&x, b, n);
	n = pkt_build(&back, b, NULL);
	xhp_run(&x, b, n);
	xhp_run(&x, b, n);
	xhp_drain(&x);
	if (ASSERT_EQ(x.n_ev, 2, "a finding per direction")) {
		ASSERT_EQ(x.ev[0].rule, XH_RULE_IOC_DEST, "there: to the IoC");
		ASSERT_EQ(x.ev[1].rule, XH_RULE_IOC_SRC, "back: from the IoC");
	}
	if (ASSERT_OK(xhp_flow4(&x, IPPROTO_ICMP, "198.51.100.1", 3, "203.0.113.9", 3, &key, &st),
		      "the flow there")) {
		ASSERT_EQ(st.pkts[XH_DIR_TOSERVER], 1, "one message there");
		ASSERT_EQ(st.pkts[XH_DIR_TOCLIENT], 0, "none counted back");
	}
	if (ASSERT_OK(xhp_flow4(&x, IPPROTO_ICMP, "203.0.113.9", 3, "198.51.100.1", 3, &key, &st),
		      "the flow back"))
		ASSERT_EQ(st.pkts[XH_DIR_TOSERVER], 2, "two messages back");
	xhp_close(&x);
}
