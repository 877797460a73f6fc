// SPDX-License-Identifier: GPL-2.0
/* test_classify.c: the real xdphunt program under BPF_PROG_TEST_RUN, driven
 * by katran-style tables of { description, packet, rules, orientation }.
 * Every run also checks XDP_PASS and that the frame comes back unchanged.
 * Truncated frames: test_classify_truncation.c; flow state and a full ring
 * buffer: test_classify_flow.c. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include "test.h"
#include "community_id.h"
#include "pkt.h"
#include "xh_prog.h"
#include "classify_pkt.h"

struct want_ev {
	uint8_t rule;
	uint32_t ioc_id;
};

struct row {
	const char *name;
	struct pkt_desc pkt;
	int client_is_src; /* event orientation: the packet's source is the client */
	uint8_t classes;   /* 1 << XH_CLASS_* the packet counts in */
	int counter;	   /* an enum xh_counter that must grow by one */
	int n_ev;
	struct want_ev ev[3];
};

#define CLS(c) (1 << XH_CLASS_##c)

#define EV(r)                                                                                      \
	{                                                                                          \
		.rule = (r)                                                                        \
	}
#define EVI(r, id)                                                                                 \
	{                                                                                          \
		.rule = (r), .ioc_id = (id)                                                        \
	}

static const struct row rows[] = {
	{.name = "smb445_syn",
	 .pkt = {TCP4(C4, S4, 50000, 445, SYN)},
	 .client_is_src = 1,
	 .classes = CLS(SMB),
	 .counter = XH_CNT_TCP,
	 .n_ev = 1,
	 .ev = {EV(XH_RULE_SMB_CONNECT)}},
	{.name = "smb139_syn",
	 .pkt = {TCP4(C4, S4, 50000, 139, SYN), .payload_len = 20},
	 .client_is_src = 1,
	 .classes = CLS(SMB),
	 .counter = XH_CNT_TCP,
	 .n_ev = 1,
	 .ev = {EV(XH_RULE_SMB_CONNECT)}},
	{.name = "rpc135_syn",
	 .pkt = {TCP4(C4, S4, 50000, 135, SYN)},
	 .client_is_src = 1,
	 .classes = CLS(RPC),
	 .counter = XH_CNT_TCP,
	 .n_ev = 1,
	 .ev = {EV(XH_RULE_RPC_CONNECT)}},
	{.name = "plain_tcp443",
	 .pkt = {TCP4(C4, S4, 50000, 443, SYN)},
	 .client_is_src = 1,
	 .classes = 0,
	 .counter = XH_CNT_TCP,
	 .n_ev = 0},
	{.name = "plain_udp445",
	 .pkt = {.family = 4,
		 .src = C4,
		 .dst = S4,
		 .proto = IPPROTO_UDP,
		 .sport = 50000,
		 .dport = 445},
	 .client_is_src = 1,
	 .classes = 0,
	 .counter = XH_CNT_UDP,
	 .n_ev = 0},
	{.name = "synack_from_445",
	 .pkt = {TCP4(S4, C4, 445, 50001, SYNACK)},
	 .client_is_src = 0,
	 .classes = CLS(SMB),
	 .counter = XH_CNT_TCP,
	 .n_ev = 1,
	 .ev = {EV(XH_RULE_SMB_CONNECT)}},
	{.name = "midstream_from_445",
	 .pkt = {TCP4(S4, C4, 445, 50002, ACK), .payload_len = 100},
	 .client_is_src = 0,
	 .classes = CLS(SMB),
	 .counter = XH_CNT_TCP,
	 .n_ev = 1,
	 .ev = {EV(XH_RULE_SMB_CONNECT)}},
	{.name = "syn_from_port_445_to_high",
	 .pkt = {TCP4(C4, S4, 445, 50000, SYN)},
	 .client_is_src = 1,
	 .classes = CLS(SMB),
	 .counter = XH_CNT_TCP,
	 .n_ev = 0},
	{.name = "ioc_dest_v4_net24",
	 .pkt = {TCP4(C4, "203.0.113.5", 50000, 443, SYN)},
	 .client_is_src = 1,
	 .classes = CLS(IOC),
	 .counter = XH_CNT_TCP,
	 .n_ev = 1,
	 .ev = {EVI(XH_RULE_IOC_DEST, IOC_V4_NET24)}},
	{.name = "ioc_src_v4_host32",
	 .pkt = {TCP4("198.51.100.77", S4, 50000, 80, SYN)},
	 .client_is_src = 1,
	 .classes = CLS(IOC),
	 .counter = XH_CNT_TCP,
	 .n_ev = 1,
	 .ev = {EVI(XH_RULE_IOC_SRC, IOC_V4_HOST32)}},
	{.name = "ioc_miss_v4_host32_neighbour",
	 .pkt = {TCP4("198.51.100.78", S4, 50000, 80, SYN)},
	 .client_is_src = 1,
	 .classes = 0,
	 .counter = XH_CNT_TCP,
	 .n_ev = 0},
	{.name = "ioc_dest_reply_first",
	 .pkt = {TCP4("203.0.113.200", C4, 443, 50000, SYNACK)},
	 .client_is_src = 0,
	 .classes = CLS(IOC),
	 .counter = XH_CNT_TCP,
	 .n_ev = 1,
	 .ev = {EVI(XH_RULE_IOC_DEST, IOC_V4_NET24)}},
	/* First seen mid-connection, both ports >= 1024: the port below the
	 * ephemeral range (32768) is the server's, whichever side speaks. */
	{.name = "ioc_midstream_from_8080",
	 .pkt = {TCP4("203.0.113.200", C4, 8080, 40002, ACK), .payload_len = 100},
	 .client_is_src = 0,
	 .classes = CLS(IOC),
	 .counter = XH_CNT_TCP,
	 .n_ev = 1,
	 .ev = {EVI(XH_RULE_IOC_DEST, IOC_V4_NET24)}},
	{.name = "ioc_midstream_to_8080",
	 .pkt = {TCP4(C4, "203.0.113.201", 40003, 8080, ACK), .payload_len = 100},
	 .client_is_src = 1,
	 .classes = CLS(IOC),
	 .counter = XH_CNT_TCP,
	 .n_ev = 1,
	 .ev = {EVI(XH_RULE_IOC_DEST, IOC_V4_NET24)}},
	{.name = "ioc_midstream_both_ephemeral",
	 .pkt = {TCP4("203.0.113.202", C4, 50001, 40004, ACK), .payload_len = 100},
	 .client_is_src = 1,
	 .classes = CLS(IOC),
	 .counter = XH_CNT_TCP,
	 .n_ev = 1,
	 .ev = {EVI(XH_RULE_IOC_SRC, IOC_V4_NET24)}},
	{.name = "smb_and_ioc_dest",
	 .pkt = {TCP4(C4, "203.0.113.9", 50000, 445, SYN)},
	 .client_is_src = 1,
	 .classes = CLS(SMB) | CLS(IOC),
	 .counter = XH_CNT_TCP,
	 .n_ev = 2,
	 .ev = {EV(XH_RULE_SMB_CONNECT), EVI(XH_RULE_IOC_DEST, IOC_V4_NET24)}},
	{.name = "ioc_both_ends",
	 .pkt = {TCP4("198.51.100.77", "203.0.113.1", 50000, 22, SYN)},
	 .client_is_src = 1,
	 .classes = CLS(IOC),
	 .counter = XH_CNT_TCP,
	 .n_ev = 2,
	 .ev = {EVI(XH_RULE_IOC_DEST, IOC_V4_NET24), EVI(XH_RULE_IOC_SRC, IOC_V4_HOST32)}},
	{.name = "ioc_dest_v4_udp",
	 .pkt = {.family = 4,
		 .src = C4,
		 .dst = "203.0.113.53",
		 .proto = IPPROTO_UDP,
		 .sport = 40000,
		 .dport = 53},
	 .client_is_src = 1,
	 .classes = CLS(IOC),
	 .counter = XH_CNT_UDP,
	 .n_ev = 1,
	 .ev = {EVI(XH_RULE_IOC_DEST, IOC_V4_NET24)}},
	{.name = "ioc_src_v4_icmp_echo",
	 .pkt = {.family = 4, .src = "203.0.113.7", .dst = C4, .proto = IPPROTO_ICMP, .sport = 8},
	 .client_is_src = 1,
	 .classes = CLS(IOC),
	 .counter = XH_CNT_ICMP,
	 .n_ev = 1,
	 .ev = {EVI(XH_RULE_IOC_SRC, IOC_V4_NET24)}},
	{.name = "ioc_dest_v6_net48_udp",
	 .pkt = {.family = 6,
		 .src = "2001:db8::1",
		 .dst = "2001:db8:bad:ffff::5",
		 .proto = IPPROTO_UDP,
		 .sport = 40000,
		 .dport = 53},
	 .client_is_src = 1,
	 .classes = CLS(IOC),
	 .counter = XH_CNT_UDP,
	 .n_ev = 1,
	 .ev = {EVI(XH_RULE_IOC_DEST, IOC_V6_NET48)}},
	{.name = "ioc_src_v6_net48_tcp",
	 .pkt = {.family = 6,
		 .src = "2001:db8:bad::66",
		 .dst = "2001:db8::2",
		 .proto = IPPROTO_TCP,
		 .sport = 50000,
		 .dport = 8080,
		 .tcp_flags = SYN},
	 .client_is_src = 1,
	 .classes = CLS(IOC),
	 .counter = XH_CNT_TCP,
	 .n_ev = 1,
	 .ev = {EVI(XH_RULE_IOC_SRC, IOC_V6_NET48)}},
	{.name = "ioc_miss_v6_outside_48",
	 .pkt = {.family = 6,
		 .src = "2001:db8:bae::1",
		 .dst = "2001:db8::2",
		 .proto = IPPROTO_TCP,
		 .sport = 50000,
		 .dport = 80,
		 .tcp_flags = SYN},
	 .client_is_src = 1,
	 .classes = 0,
	 .counter = XH_CNT_TCP,
	 .n_ev = 0},
	{.name = "ioc_src_v6_icmp_echo",
	 .pkt = {.family = 6,
		 .src = "2001:db8:bad::1",
		 .dst = "2001:db8::2",
		 .proto = IPPROTO_ICMPV6,
		 .sport = 128},
	 .client_is_src = 1,
	 .classes = CLS(IOC),
	 .counter = XH_CNT_ICMP,
	 .n_ev = 1,
	 .ev = {EVI(XH_RULE_IOC_SRC, IOC_V6_NET48)}},
	{.name = "ioc_dest_v6_esp",
	 .pkt = {.family = 6,
		 .src = "2001:db8::1",
		 .dst = "2001:db8:bad::2",
		 .proto = IPPROTO_ESP,
		 .payload_len = 40},
	 .client_is_src = 1,
	 .classes = CLS(IOC),
	 .counter = XH_CNT_L4_OTHER,
	 .n_ev = 1,
	 .ev = {EVI(XH_RULE_IOC_DEST, IOC_V6_NET48)}},
	{.name = "smb_v6_ext_chain",
	 .pkt = {.family = 6,
		 .src = "2001:db8::10",
		 .dst = "2001:db8::20",
		 .proto = IPPROTO_TCP,
		 .sport = 50000,
		 .dport = 445,
		 .tcp_flags = SYN,
		 .n_ext = 3,
		 .ext = {{.type = 0, .len = 8}, {.type = 60, .len = 16}, {.type = 51, .len = 16}}},
	 .client_is_src = 1,
	 .classes = CLS(SMB),
	 .counter = XH_CNT_TCP,
	 .n_ev = 1,
	 .ev = {EV(XH_RULE_SMB_CONNECT)}},
	{.name = "smb_vlan",
	 .pkt = {TCP4(C4, S4, 50000, 445, SYN), .nvlan = 1, .vlan_id = {100}},
	 .client_is_src = 1,
	 .classes = CLS(SMB),
	 .counter = XH_CNT_VLAN,
	 .n_ev = 1,
	 .ev = {EV(XH_RULE_SMB_CONNECT)}},
	{.name = "rpc_qinq",
	 .pkt = {TCP4(C4, S4, 50000, 135, SYN), .nvlan = 2, .vlan_tpid = {0x88a8, 0x8100},
		 .vlan_id = {10, 20}},
	 .client_is_src = 1,
	 .classes = CLS(RPC),
	 .counter = XH_CNT_VLAN,
	 .n_ev = 1,
	 .ev = {EV(XH_RULE_RPC_CONNECT)}},
	{.name = "smb_vlan_third_tag",
	 .pkt = {TCP4(C4, S4, 50000, 445, SYN), .nvlan = 3},
	 .client_is_src = 1,
	 .classes = 0,
	 .counter = XH_CNT_PARSE_ERR,
	 .n_ev = 0},
	{.name = "smb_ipv4_options",
	 .pkt = {TCP4(C4, S4, 50000, 445, SYN), .ip_optlen = 12},
	 .client_is_src = 1,
	 .classes = CLS(SMB),
	 .counter = XH_CNT_TCP,
	 .n_ev = 1,
	 .ev = {EV(XH_RULE_SMB_CONNECT)}},
	{.name = "smb_first_fragment",
	 .pkt = {TCP4(C4, S4, 50000, 445, SYN), .more_frags = 1, .payload_len = 64},
	 .client_is_src = 1,
	 .classes = CLS(SMB),
	 .counter = XH_CNT_TCP,
	 .n_ev = 1,
	 .ev = {EV(XH_RULE_SMB_CONNECT)}},
	{.name = "smb_later_fragment",
	 .pkt = {TCP4(C4, S4, 50000, 445, SYN), .frag_off = 8, .payload_len = 64},
	 .client_is_src = 1,
	 .classes = 0,
	 .counter = XH_CNT_FRAGMENT,
	 .n_ev = 0},
	{.name = "ioc_v6_later_fragment",
	 .pkt = {.family = 6,
		 .src = "2001:db8::1",
		 .dst = "2001:db8:bad::2",
		 .proto = IPPROTO_UDP,
		 .n_ext = 1,
		 .ext = {{.type = 44, .len = 8}},
		 .frag_off = 2,
		 .payload_len = 30},
	 .client_is_src = 1,
	 .classes = 0,
	 .counter = XH_CNT_FRAGMENT,
	 .n_ev = 0},
	{.name = "non_ip_arp",
	 .pkt = {.ethertype = 0x0806, .payload_len = 28},
	 .client_is_src = 1,
	 .classes = 0,
	 .counter = XH_CNT_NON_IP,
	 .n_ev = 0},
};

/* The packet's addresses/ports as a client -> server event expects them. */
static void want_orientation(const struct pkt_desc *d, int client_is_src, struct xh_event *w)
{
	int af = d->family == 4 ? AF_INET : AF_INET6;
	const char *c = client_is_src ? d->src : d->dst, *s = client_is_src ? d->dst : d->src;
	uint16_t dport = d->dport, cp, sp;
	unsigned int peer;

	/* ICMP: the code's place holds the answering type of a request/reply
	 * pair (the Community ID spec's table). */
	if ((d->proto == IPPROTO_ICMP || d->proto == IPPROTO_ICMPV6) &&
	    community_id_icmp_peer(d->proto == IPPROTO_ICMPV6, d->sport, &peer))
		dport = (uint16_t)peer;
	cp = client_is_src ? d->sport : dport;
	sp = client_is_src ? dport : d->sport;

	memset(w, 0, sizeof(*w));
	inet_pton(af, c, w->saddr);
	inet_pton(af, s, w->daddr);
	if (d->proto == IPPROTO_TCP || d->proto == IPPROTO_UDP || d->proto == IPPROTO_ICMP ||
	    d->proto == IPPROTO_ICMPV6) {
		w->sport = htons(cp);
		w->dport = htons(sp);
	}
}

static void check_event(const struct xh_event *e, const struct row *r, const struct want_ev *we,
			size_t len)
{
	struct xh_event w;

	want_orientation(&r->pkt, r->client_is_src, &w);
	ASSERT_EQ(e->rule, we->rule, "rule");
	ASSERT_EQ(e->ioc_id, we->ioc_id, "ioc_id");
	ASSERT_MEMEQ(e->saddr, w.saddr, sizeof(w.saddr), "client address");
	ASSERT_MEMEQ(e->daddr, w.daddr, sizeof(w.daddr), "server address");
	ASSERT_EQ(ntohs(e->sport), ntohs(w.sport), "client port");
	ASSERT_EQ(ntohs(e->dport), ntohs(w.dport), "server port");
	ASSERT_EQ(e->proto, r->pkt.proto, "proto");
	ASSERT_EQ(e->family, r->pkt.family == 4 ? XH_AF_INET : XH_AF_INET6, "family");
	ASSERT_EQ(e->action, XH_ACTION_PASS, "action");
	ASSERT_EQ(e->ifindex, 1, "ifindex (test_run uses lo)");
	ASSERT_EQ(e->vlan_count, r->pkt.nvlan, "vlan_count");
	for (int i = 0; i < r->pkt.nvlan && i < XH_MAX_VLANS; i++)
		ASSERT_EQ(e->vlan[i], r->pkt.vlan_id[i] & 0xfff, "vlan id");
	ASSERT_EQ(e->flow_packets, 1, "flow_packets");
	ASSERT_EQ(e->flow_bytes, len, "flow_bytes");
	ASSERT_NEQ(e->ts_ns, 0, "ts_ns");
	ASSERT_EQ(e->eflags, 0, "eflags: the packet's ports were read");
	ASSERT_EQ(e->pad[0] | e->pad[1], 0, "pad");
}

void test_classify_table(void)
{
	struct xh_stats before, after;
	uint8_t buf[PKT_MAX];
	struct xhp x;
	size_t len;

	if (xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		return;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		int classified = r->classes != 0;

		test_subtest("%s", r->name);
		xhp_reset(&x);
		len = pkt_build(&r->pkt, buf, NULL);
		if (!ASSERT_NEQ(len, 0, "pkt_build"))
			continue;
		xhp_stats(&x, &before);
		if (xhp_run(&x, buf, len))
			continue;
		xhp_stats(&x, &after);
		xhp_drain(&x);

		ASSERT_EQ(after.cnt[XH_CNT_PACKETS] - before.cnt[XH_CNT_PACKETS], 1, "packets");
		ASSERT_EQ(after.cnt[XH_CNT_BYTES] - before.cnt[XH_CNT_BYTES], len, "bytes");
		ASSERT_EQ(after.cnt[r->counter] - before.cnt[r->counter], 1, "row counter");
		for (int c = 0; c < XH_CLASS__MAX; c++) {
			int in = !!(r->classes & (1 << c));

			ASSERT_EQ(after.class_pkts[c] - before.class_pkts[c], in, "class_pkts");
			ASSERT_EQ(after.class_bytes[c] - before.class_bytes[c], in ? len : 0,
				  "class_bytes");
		}
		/* Plain traffic must not touch xh_flows. */
		ASSERT_EQ(after.cnt[XH_CNT_FLOWS_NEW] - before.cnt[XH_CNT_FLOWS_NEW], classified,
			  "flows_new");
		ASSERT_EQ(after.cnt[XH_CNT_EVENTS] - before.cnt[XH_CNT_EVENTS], r->n_ev, "events");
		ASSERT_EQ(after.cnt[XH_CNT_FLOW_ERR] + after.cnt[XH_CNT_MAP_ERR] +
				  after.cnt[XH_CNT_EVENTS_LOST],
			  0, "no map errors or losses");
		if (!ASSERT_EQ(x.n_ev, r->n_ev, "events read"))
			continue;
		for (int e = 0; e < r->n_ev; e++)
			check_event(&x.ev[e], r, &r->ev[e], len);
	}
	xhp_close(&x);
}

/* SMB over IPv4 with IPsec AH in transport mode (Windows server and domain
 * isolation) is SMB, as over IPv6's AH: smb.connect under the TCP 5-tuple. */
void test_classify_ipv4_ah(void)
{
	struct pkt_desc d = {TCP4(C4, S4, 50000, 445, SYN)};
	uint8_t buf[PKT_MAX];
	struct pkt_layout lay;
	size_t len = pkt_build(&d, buf, &lay);
	struct xhp x;

	if (!ASSERT_GE(len, lay.l4_off + 20, "built") || xhp_open(&x, 0, 0))
		return;
	len = pkt_insert_ipv4_ah(buf, len, &lay, 24);
	xhp_run(&x, buf, len);
	xhp_drain(&x);
	ASSERT_EQ(x.n_ev, 1, "one event");
	if (x.n_ev == 1) {
		ASSERT_EQ(x.ev[0].rule, XH_RULE_SMB_CONNECT, "smb.connect");
		ASSERT_EQ(x.ev[0].proto, IPPROTO_TCP, "TCP");
		ASSERT_EQ(x.ev[0].dport, htons(445), "server port");
	}
	xhp_close(&x);
}
