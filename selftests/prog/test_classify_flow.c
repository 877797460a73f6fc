// SPDX-License-Identifier: GPL-2.0
/* test_classify_flow.c: the real xdphunt program under BPF_PROG_TEST_RUN over
 * many packets of one flow: one event per rule, the flow state under its
 * canonical key, the wake-up variant of rodata, and a full ring buffer that
 * loses an event, counts it and reports it with the flow's next packet. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdphunt.skel.h"
#include "test.h"
#include "pkt.h"
#include "xh_prog.h"
#include "msg.h"
#include "classify_pkt.h"

/* Many packets of one flow, both directions: one event per rule, and the
 * flow state counts every packet. Also checks the wake-up variant of rodata. */
void test_classify_one_event_per_flow(void)
{
	struct pkt_desc fwd = {TCP4(C4, "203.0.113.44", 50000, 445, SYN), .payload_len = 10};
	struct pkt_desc rev = {TCP4("203.0.113.44", C4, 445, 50000, SYNACK)};
	struct xh_stats before, after;
	struct xh_flow_state st;
	struct xh_flow_key key;
	uint8_t b1[PKT_MAX], b2[PKT_MAX];
	size_t l1, l2, bytes_ts = 0, bytes_tc = 0;
	struct xhp x;

	/* wakeup_bytes 0: every event wakes the consumer. */
	if (xhp_open(&x, 0, 0))
		return;
	l1 = pkt_build(&fwd, b1, NULL);
	l2 = pkt_build(&rev, b2, NULL);
	xhp_stats(&x, &before);
	for (int i = 0; i < 20; i++) {
		if (i == 2)
			fwd.tcp_flags = ACK, rev.tcp_flags = ACK, l1 = pkt_build(&fwd, b1, NULL),
			l2 = pkt_build(&rev, b2, NULL);
		xhp_run(&x, i % 2 ? b2 : b1, i % 2 ? l2 : l1);
		*(i % 2 ? &bytes_tc : &bytes_ts) += i % 2 ? l2 : l1;
	}
	xhp_drain(&x);
	xhp_stats(&x, &after);
	ASSERT_EQ(x.n_ev, 2, "events");
	ASSERT_EQ(after.cnt[XH_CNT_EVENTS] - before.cnt[XH_CNT_EVENTS], 2, "events counter");
	ASSERT_EQ(after.cnt[XH_CNT_WAKEUPS] - before.cnt[XH_CNT_WAKEUPS], 2, "wakeups");
	ASSERT_EQ(after.cnt[XH_CNT_FLOWS_NEW] - before.cnt[XH_CNT_FLOWS_NEW], 1, "one flow");
	ASSERT_EQ(after.class_pkts[XH_CLASS_SMB] - before.class_pkts[XH_CLASS_SMB], 20, "smb pkts");
	for (int i = 0; i < x.n_ev; i++) {
		ASSERT_EQ(x.ev[i].sport, htons(50000), "client port");
		ASSERT_EQ(x.ev[i].dport, htons(445), "server port");
		ASSERT_EQ(x.ev[i].flow_packets, 1, "first packet reported");
	}
	if (x.n_ev == 2) {
		ASSERT_EQ(x.ev[0].rule, XH_RULE_SMB_CONNECT, "first rule");
		ASSERT_EQ(x.ev[1].rule, XH_RULE_IOC_DEST, "second rule");
	}

	/* The flow entry under its canonical key (192.0.2.10 < 203.0.113.44). */
	if (ASSERT_OK(xhp_flow4(&x, IPPROTO_TCP, C4, 50000, "203.0.113.44", 445, &key, &st),
		      "flow lookup")) {
		ASSERT_EQ(st.pkts[XH_DIR_TOSERVER], 10, "flow packets to the server");
		ASSERT_EQ(st.pkts[XH_DIR_TOCLIENT], 10, "flow packets to the client");
		ASSERT_EQ(st.bytes[XH_DIR_TOSERVER], bytes_ts, "flow bytes to the server");
		ASSERT_EQ(st.bytes[XH_DIR_TOCLIENT], bytes_tc, "flow bytes to the client");
		ASSERT_EQ(st.initiator, XH_INIT_SRC, "initiator");
		ASSERT_EQ(st.service, XH_SVC_SMB, "service");
		ASSERT_EQ(st.ioc_id, IOC_V4_NET24, "ioc_id");
		ASSERT_EQ(st.reported,
			  XH_RULE_BIT(XH_RULE_SMB_CONNECT) | XH_RULE_BIT(XH_RULE_IOC_DEST),
			  "reported");
		ASSERT_GE(st.last_seen_ns, st.first_seen_ns, "last_seen");
		ASSERT_NEQ(st.id, 0, "flow id");
	}
	xhp_close(&x);
}

/* A full ring buffer loses the event, counts it, and leaves the rule
 * unclaimed so that a later packet of the same flow reports it. */
void test_classify_ringbuf_full(void)
{
	struct pkt_desc d = {TCP4(C4, S4, 1024, 445, SYN)};
	struct xh_stats s;
	uint8_t buf[PKT_MAX];
	size_t len;
	struct xhp x;
	int sent = 0;

	if (xhp_open(&x, XH_RINGBUF_DEFAULT, 4096))
		return;
	/* Each event takes 88 bytes (80 + 8 header): 4096 bytes hold 46. */
	for (int i = 0; i < 60; i++, sent++) {
		d.sport = (uint16_t)(1024 + i);
		len = pkt_build(&d, buf, NULL);
		xhp_run(&x, buf, len);
	}
	xhp_stats(&x, &s);
	ASSERT_GE(s.cnt[XH_CNT_EVENTS_LOST], 1, "events lost");
	ASSERT_EQ(s.cnt[XH_CNT_EVENTS] + s.cnt[XH_CNT_EVENTS_LOST], sent, "every flow tried");
	xhp_drain(&x);
	x.n_ev = 0;
	/* Second packet of the last (lost) flow: now it is reported. */
	d.tcp_flags = ACK;
	len = pkt_build(&d, buf, NULL);
	xhp_run(&x, buf, len);
	xhp_drain(&x);
	ASSERT_EQ(x.n_ev, 1, "retried event");
	if (x.n_ev == 1) {
		ASSERT_EQ(x.ev[0].sport, htons(d.sport), "client port");
		ASSERT_EQ(x.ev[0].flow_packets, 2, "flow_packets");
	}
	xhp_close(&x);
}

/* RFC 1858's tiny fragment: a first fragment (MF, offset 0) too short for
 * its TCP header. Its ports cannot be read, but its addresses can: an IoC
 * destination is reported, as for any IP protocol, and the packet is
 * counted as a fragment, not as a parse error. IPv4 and IPv6. */
void test_classify_tiny_first_fragment(void)
{
	static const struct {
		const char *name, *src, *dst;
		int family;
		uint32_t ioc;
	} cases[] = {
		{"IPv4", C4, "203.0.113.9", 4, IOC_V4_NET24},
		{"IPv6", "2001:db8::10", "2001:db8:bad::9", 6, IOC_V6_NET48},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pkt_desc d = {.family = cases[i].family,
				     .src = cases[i].src,
				     .dst = cases[i].dst,
				     .proto = IPPROTO_TCP,
				     .sport = 50000,
				     .dport = 443,
				     .tcp_flags = SYN,
				     .more_frags = 1};
		struct xh_stats before, after;
		struct pkt_layout lay;
		uint8_t buf[PKT_MAX];
		size_t len;
		struct xhp x;

		test_subtest("%s", cases[i].name);
		if (cases[i].family == 6) {
			d.n_ext = 1;
			d.ext[0].type = IPPROTO_FRAGMENT;
		}
		len = pkt_build(&d, buf, &lay);
		if (!ASSERT_GE(len, lay.l4_off + 9, "built") || xhp_open(&x, 0, 0))
			return;
		/* Cut the TCP header after its first 8 bytes (ports, sequence). */
		len = lay.l4_off + 8;
		pkt_set_ip_len(buf, &lay, cases[i].family, len - lay.l3_off);
		xhp_stats(&x, &before);
		xhp_run(&x, buf, len);
		xhp_drain(&x);
		xhp_stats(&x, &after);
		ASSERT_EQ(after.cnt[XH_CNT_PARSE_ERR] - before.cnt[XH_CNT_PARSE_ERR], 0,
			  "not a parse error");
		ASSERT_EQ(after.cnt[XH_CNT_FRAGMENT] - before.cnt[XH_CNT_FRAGMENT], 1,
			  "a fragment");
		ASSERT_EQ(x.n_ev, 1, "one event");
		if (x.n_ev == 1) {
			ASSERT_EQ(x.ev[0].rule, XH_RULE_IOC_DEST, "ioc.dest");
			ASSERT_EQ(x.ev[0].ioc_id & XH_IOC_ID_MASK, cases[i].ioc, "the indicator");
			ASSERT_EQ(x.ev[0].sport, 0, "no ports read");
			ASSERT_EQ(x.ev[0].eflags, XH_EVENT_F_NO_PORTS, "flagged: no ports");
		}
		/* The same fragment without MF is a packet cut short: an error. */
		buf[cases[i].family == 4 ? lay.l3_off + 6 : lay.l4_off - 5] &=
			(uint8_t) ~(cases[i].family == 4 ? 0x20 : 0x01);
		xhp_stats(&x, &before);
		xhp_run(&x, buf, len);
		xhp_stats(&x, &after);
		ASSERT_EQ(after.cnt[XH_CNT_PARSE_ERR] - before.cnt[XH_CNT_PARSE_ERR], 1,
			  "without MF: a parse error");
		xhp_close(&x);
	}
	test_subtest_end();
}

/* A first ICMP fragment (MF, offset 0) whose IP payload is empty: no type
 * to read. Its sport 0 must not be taken for an echo reply (type 0), which
 * made the IoC destination the flow's client (ioc.src, the flow's packets
 * counted to the client): its sender is the client, as for any protocol
 * without ports, and the IoC is its destination. */
void test_classify_tiny_first_fragment_icmp(void)
{
	struct pkt_desc d = {.family = 4,
			     .src = C4,
			     .dst = "203.0.113.9",
			     .proto = IPPROTO_ICMP,
			     .sport = 8,
			     .more_frags = 1};
	struct xh_stats before, after;
	struct pkt_layout lay;
	uint8_t buf[PKT_MAX];
	size_t len;
	struct xhp x;

	len = pkt_build(&d, buf, &lay);
	if (!ASSERT_GE(len, lay.l4_off + 4, "built") || xhp_open(&x, 0, 0))
		return;
	/* The IP packet ends with its header: MF, 0 bytes of ICMP. */
	len = lay.l4_off;
	pkt_set_ip_len(buf, &lay, 4, len - lay.l3_off);
	xhp_stats(&x, &before);
	xhp_run(&x, buf, len);
	xhp_drain(&x);
	xhp_stats(&x, &after);
	ASSERT_EQ(after.cnt[XH_CNT_FRAGMENT] - before.cnt[XH_CNT_FRAGMENT], 1, "a fragment");
	ASSERT_EQ(x.n_ev, 1, "one event");
	if (x.n_ev == 1) {
		uint32_t client = 0;

		inet_pton(AF_INET, C4, &client);
		ASSERT_EQ(x.ev[0].rule, XH_RULE_IOC_DEST, "ioc.dest, not ioc.src");
		ASSERT_EQ(x.ev[0].saddr[0], client, "the sender is the client");
		ASSERT_EQ(x.ev[0].flow_packets, 1, "counted");
		ASSERT_EQ(x.ev[0].eflags, XH_EVENT_F_NO_PORTS, "flagged: no type read");
	}
	xhp_close(&x);
}

/* A dynamic DCE/RPC endpoint's mark (XH_SVC_RPC_DYN) is kept by port number:
 * a client's ephemeral port may carry the number. A real service on the
 * other side wins (the SMB server's reply, seen first, keeps the flow an SMB
 * flow), and UDP ignores the mark (an IoC flow keeps its client). */
void test_classify_rpc_dyn_mark_collision(void)
{
	struct pkt_desc smb_reply = {TCP4(S4, C4, 445, 50000, ACK), .payload_len = 4};
	struct pkt_desc udp = {.family = 4,
			       .src = C4,
			       .dst = "198.51.100.77",
			       .proto = IPPROTO_UDP,
			       .sport = 50000,
			       .dport = 4444,
			       .payload_len = 6};
	uint32_t port = 50000;
	uint8_t svc = XH_SVC_RPC_DYN, buf[PKT_MAX];
	struct xh_flow_state st;
	struct xh_flow_key key;
	size_t len;
	struct xhp x;

	if (xhp_open(&x, 0, 0))
		return;
	if (!ASSERT_OK(
		    bpf_map_update_elem(bpf_map__fd(x.skel->maps.xh_ports), &port, &svc, BPF_ANY),
		    "mark port 50000"))
		goto out;
	len = pkt_build(&smb_reply, buf, NULL);
	xhp_run(&x, buf, len);
	len = pkt_build(&udp, buf, NULL);
	xhp_run(&x, buf, len);
	xhp_drain(&x);
	if (ASSERT_OK(xhp_flow4(&x, IPPROTO_TCP, C4, 50000, S4, 445, &key, &st), "SMB flow")) {
		ASSERT_EQ(st.service, XH_SVC_SMB, "an SMB flow");
		ASSERT_EQ(st.pkts[XH_DIR_TOCLIENT], 1, "the reply went to the client");
	}
	ASSERT_EQ(x.n_ev, 2, "smb.connect and ioc.dest");
	for (int i = 0; i < x.n_ev; i++) {
		if (x.ev[i].rule == XH_RULE_SMB_CONNECT) {
			ASSERT_EQ(x.ev[i].sport, htons(50000), "smb client port");
			ASSERT_EQ(x.ev[i].dport, htons(445), "smb server port");
		} else {
			ASSERT_EQ(x.ev[i].rule, XH_RULE_IOC_DEST, "ioc.dest, not ioc.src");
			ASSERT_EQ(x.ev[i].sport, htons(50000), "udp client port");
			ASSERT_EQ(x.ev[i].dport, htons(4444), "udp server port");
		}
	}
out:
	xhp_close(&x);
}

/* Nine IPv6 destination options headers, one more than the parser walks:
 * Linux delivers such a packet, so the chain must not hide a C2 address. It
 * is counted as the parse error it is (ipv6_ext_depth) and classified by its
 * addresses, as a protocol without ports: ioc.dest, protocol 60 (the header
 * the walk stopped at), ports 0. To an address no feed lists: no event. */
void test_classify_ipv6_ext_depth_keeps_addrs(void)
{
	static const char *const dsts[] = {"2001:db8:bad:ffff::5", "2001:db8::2"};
	struct pkt_desc d = {.family = 6,
			     .src = "2001:db8::1",
			     .proto = IPPROTO_TCP,
			     .sport = 50000,
			     .dport = 443,
			     .tcp_flags = SYN,
			     .n_ext = 9};
	struct xh_stats before, after;
	struct pkt_layout lay;
	uint8_t buf[PKT_MAX];
	struct xhp x;

	for (int i = 0; i < d.n_ext; i++)
		d.ext[i] = (struct pkt_ext){.type = 60, .len = 8};
	for (size_t k = 0; k < sizeof(dsts) / sizeof(dsts[0]); k++) {
		size_t len;

		d.dst = dsts[k];
		len = pkt_build(&d, buf, &lay);
		test_subtest("%s", dsts[k]);
		if (!ASSERT_GE(len, lay.l4_off + 20, "built") || xhp_open(&x, 0, 0))
			return;
		xhp_stats(&x, &before);
		xhp_run(&x, buf, len);
		xhp_drain(&x);
		xhp_stats(&x, &after);
		ASSERT_EQ(after.perr[XH_PERR_IPV6_EXT_DEPTH] - before.perr[XH_PERR_IPV6_EXT_DEPTH],
			  1, "counted as ipv6_ext_depth");
		ASSERT_EQ(x.n_ev, k == 0 ? 1 : 0, "events");
		if (k == 0 && x.n_ev == 1) {
			ASSERT_EQ(x.ev[0].rule, XH_RULE_IOC_DEST, "ioc.dest");
			ASSERT_EQ(x.ev[0].proto, 60, "the header the walk stopped at");
			ASSERT_EQ(x.ev[0].sport, 0, "no source port");
			ASSERT_EQ(x.ev[0].dport, 0, "no destination port");
		}
		xhp_close(&x);
		test_subtest_end();
	}
}

/* The frame of @d (its payload, if any, in it) with an IPv6 payload length
 * of 0 (no hop-by-hop header). Returns its length. */
static size_t ipv6_len0(const struct pkt_desc *d, uint8_t *buf)
{
	struct pkt_layout lay;
	size_t len = pkt_build(d, buf, &lay);

	if (len)
		buf[lay.l3_off + 4] = buf[lay.l3_off + 5] = 0;
	return len;
}

/* IPv6 payload length 0 without a hop-by-hop header: Linux trims such a
 * packet to its 40-byte header, so live its payload reaches no one. A SYN
 * to 445 and a DNS query for an IoC domain find nothing; a SYN to an IoC
 * address still gives ioc.dest, without ports; each counts as ipv6_bad.
 * Replay reads such packets to the end of the frame, as a capture on a host
 * with TSO or BIG TCP holds its large segments: smb.connect, ioc.dns and
 * ioc.dest with its ports, and no parse error. */
void test_classify_ipv6_len0(void)
{
	struct pkt_desc smb = {.family = 6,
			       .src = "2001:db8::1",
			       .dst = "2001:db8::2",
			       .proto = IPPROTO_TCP,
			       .sport = 50000,
			       .dport = 445,
			       .tcp_flags = SYN};
	struct pkt_desc dns = {.family = 6,
			       .src = "2001:db8::1",
			       .dst = "2001:db8::53",
			       .proto = IPPROTO_UDP,
			       .sport = 40000,
			       .dport = 53};
	struct pkt_desc ioc = smb;
	static const uint8_t want_live[] = {XH_RULE_IOC_DEST};
	static const uint8_t want_capture[] = {XH_RULE_SMB_CONNECT, XH_RULE_IOC_DNS,
					       XH_RULE_IOC_DEST};
	uint8_t b[3][PKT_MAX], msg[512];
	struct xh_stats before, after;
	size_t len[3], mlen;
	struct xhp x;

	ioc.dst = "2001:db8:bad:ffff::5";
	ioc.sport = 50001;
	ioc.dport = 443;
	mlen = msg_dns_query(msg, "www.evil.example", 1, 1, 0);
	dns.payload_len = (int)mlen;
	dns.payload = msg;
	len[0] = ipv6_len0(&smb, b[0]);
	len[1] = ipv6_len0(&dns, b[1]);
	len[2] = ipv6_len0(&ioc, b[2]);
	if (!ASSERT_NEQ(len[0] && len[1] && len[2], 0, "built"))
		return;
	for (int capture = 0; capture < 2; capture++) {
		const uint8_t *want = capture ? want_capture : want_live;
		int n_want = capture ? 3 : 1;

		test_subtest("%s", capture ? "replay" : "live");
		if (capture ? xhp_open_capture(&x) : xhp_open(&x, 0, 0))
			return;
		xhp_stats(&x, &before);
		for (int i = 0; i < 3; i++)
			xhp_run(&x, b[i], len[i]);
		xhp_drain(&x);
		xhp_stats(&x, &after);
		ASSERT_EQ(after.perr[XH_PERR_IPV6_BAD] - before.perr[XH_PERR_IPV6_BAD],
			  capture ? 0 : 3, "counted as ipv6_bad");
		ASSERT_EQ(after.cnt[XH_CNT_PARSE_ERR] - before.cnt[XH_CNT_PARSE_ERR],
			  capture ? 0 : 3, "parse errors");
		if (ASSERT_EQ(x.n_ev, n_want, "events")) {
			for (int e = 0; e < n_want; e++)
				ASSERT_EQ(x.ev[e].rule, want[e], "rule");
			/* The last: ioc.dest, by its addresses only when live. */
			ASSERT_EQ(x.ev[n_want - 1].proto, IPPROTO_TCP, "TCP");
			ASSERT_EQ(ntohs(x.ev[n_want - 1].dport), capture ? 443 : 0, "dport");
			ASSERT_EQ(ntohs(x.ev[n_want - 1].sport), capture ? 50001 : 0, "sport");
			ASSERT_EQ(x.ev[n_want - 1].eflags, capture ? 0 : XH_EVENT_F_NO_PORTS,
				  "the hit leaves ports out when live");
		}
		xhp_close(&x);
		test_subtest_end();
	}
}
