// SPDX-License-Identifier: GPL-2.0
/* test_parse.c: bpf/parse.h run natively under ASan/UBSan. Every frame is
 * copied into a buffer malloc'ed at its exact length, so a read past data_end
 * is an ASan error, not a silent pass. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include "test.h"
#include "pkt.h"
#include "parse.h"
#include "community_id.h"

/* Parse @len bytes of @buf from a copy that ends exactly at the end of its
 * allocation. It starts 2 bytes in, as drivers place frames (NET_IP_ALIGN),
 * so the IP header is 4-byte aligned and UBSan's alignment check holds. */
static int parse_flags(const uint8_t *buf, size_t len, struct xh_pkt *pkt, unsigned int flags)
{
	uint8_t *mem = malloc(len + 2);
	int res;

	if (!mem)
		abort();
	memcpy(mem + 2, buf, len);
	res = xh_parse(mem + 2, mem + 2 + len, pkt, flags);
	free(mem);
	return res;
}

static int parse_exact(const uint8_t *buf, size_t len, struct xh_pkt *pkt)
{
	return parse_flags(buf, len, pkt, 0);
}

static size_t build(const struct pkt_desc *d, uint8_t *buf, struct pkt_layout *lay)
{
	size_t len = pkt_build(d, buf, lay);

	ASSERT_NEQ(len, 0, "pkt_build");
	return len;
}

/* Every prefix shorter than the full frame must fail cleanly with the error
 * of the header it cuts, and never crash. Returns the full-length result. */
static void check_truncations(const char *name, const struct pkt_desc *d, int want_full)
{
	uint8_t buf[PKT_MAX];
	struct pkt_layout lay;
	struct xh_pkt pkt;
	size_t len = build(d, buf, &lay), n;
	int bad = 0;

	test_subtest("trunc/%s", name);
	ASSERT_EQ(parse_exact(buf, len, &pkt), want_full, "full length");
	for (n = 0; n < len; n++) {
		int res = parse_exact(buf, n, &pkt);

		/* Before the end of the L4 header every prefix is an error; after
		 * it only the payload is cut, which is fine. */
		if (n < lay.payload_off && res >= 0 && want_full == XH_PARSE_L4)
			bad++;
		if (n >= lay.payload_off && res != want_full)
			bad++;
		if (res < 0 && -res >= XH_PERR__MAX)
			bad++;
		if (n < 14 && res != -XH_PERR_ETH_TRUNC)
			bad++;
	}
	ASSERT_EQ(bad, 0, "prefixes with a wrong result");
}

void test_parse_truncation(void)
{
	struct pkt_desc tcp4 = {.family = 4,
				.proto = IPPROTO_TCP,
				.sport = 50000,
				.dport = 445,
				.tcp_optlen = 12,
				.payload_len = 10};
	struct pkt_desc udp4 = {.family = 4,
				.proto = IPPROTO_UDP,
				.sport = 5353,
				.dport = 53,
				.ip_optlen = 8,
				.payload_len = 5};
	struct pkt_desc tcp6 = {.family = 6,
				.proto = IPPROTO_TCP,
				.sport = 50000,
				.dport = 135,
				.n_ext = 2,
				.ext = {{0, 8}, {60, 16}},
				.payload_len = 3};
	struct pkt_desc udp6 = {.family = 6,
				.proto = IPPROTO_UDP,
				.sport = 1,
				.dport = 2,
				.nvlan = 2,
				.vlan_tpid = {0x88a8, 0x8100},
				.vlan_id = {10, 20}};
	struct pkt_desc icmp4 = {.family = 4, .proto = IPPROTO_ICMP, .sport = 8};
	struct pkt_desc icmp6 = {
		.family = 6, .proto = IPPROTO_ICMPV6, .sport = 128, .n_ext = 1, .ext = {{51, 24}}};

	check_truncations("tcp4", &tcp4, XH_PARSE_L4);
	check_truncations("udp4_ipopts", &udp4, XH_PARSE_L4);
	check_truncations("tcp6_ext", &tcp6, XH_PARSE_L4);
	check_truncations("udp6_qinq", &udp6, XH_PARSE_L4);
	check_truncations("icmp4", &icmp4, XH_PARSE_L4);
	check_truncations("icmp6_ah", &icmp6, XH_PARSE_L4);
}

/* The error reported for a prefix names the header that was cut. */
void test_parse_trunc_reasons(void)
{
	struct pkt_desc d = {.family = 4,
			     .proto = IPPROTO_TCP,
			     .sport = 1,
			     .dport = 2,
			     .nvlan = 1,
			     .vlan_id = {5}};
	uint8_t buf[PKT_MAX];
	struct xh_pkt pkt;
	size_t len = build(&d, buf, NULL);

	test_subtest("v4");
	ASSERT_EQ(parse_exact(buf, 13, &pkt), -XH_PERR_ETH_TRUNC, "eth");
	ASSERT_EQ(parse_exact(buf, 17, &pkt), -XH_PERR_VLAN_TRUNC, "vlan");
	ASSERT_EQ(parse_exact(buf, 18 + 19, &pkt), -XH_PERR_IPV4_TRUNC, "ipv4");
	ASSERT_EQ(parse_exact(buf, 18 + 20 + 19, &pkt), -XH_PERR_TCP_TRUNC, "tcp");
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "full");

	d.family = 6;
	d.n_ext = 1;
	d.ext[0] = (struct pkt_ext){43, 24};
	d.proto = IPPROTO_UDP;
	len = build(&d, buf, NULL);
	test_subtest("v6");
	ASSERT_EQ(parse_exact(buf, 18 + 39, &pkt), -XH_PERR_IPV6_TRUNC, "ipv6");
	ASSERT_EQ(parse_exact(buf, 18 + 40 + 7, &pkt), -XH_PERR_IPV6_EXT_TRUNC, "ext head");
	ASSERT_EQ(parse_exact(buf, 18 + 40 + 23, &pkt), -XH_PERR_IPV6_EXT_TRUNC, "ext body");
	ASSERT_EQ(parse_exact(buf, 18 + 64 + 7, &pkt), -XH_PERR_UDP_TRUNC, "udp");
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "full");
}

void test_parse_fields(void)
{
	struct pkt_desc d = {.family = 4,
			     .src = "192.0.2.10",
			     .dst = "198.51.100.20",
			     .proto = IPPROTO_TCP,
			     .sport = 50123,
			     .dport = 445,
			     .tcp_flags = XH_TCP_SYN,
			     .tcp_optlen = 8,
			     .payload_len = 33};
	uint8_t buf[PKT_MAX];
	struct pkt_layout lay;
	struct xh_pkt pkt;
	size_t len = build(&d, buf, &lay);

	test_subtest("tcp4");
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
	ASSERT_EQ(pkt.family, XH_AF_INET, "family");
	ASSERT_EQ(pkt.proto, IPPROTO_TCP, "proto");
	ASSERT_EQ(pkt.saddr[0], inet_addr("192.0.2.10"), "saddr");
	ASSERT_EQ(pkt.daddr[0], inet_addr("198.51.100.20"), "daddr");
	ASSERT_EQ(pkt.saddr[1] | pkt.saddr[2] | pkt.saddr[3] | pkt.daddr[1], 0, "v4 rest zero");
	ASSERT_EQ(pkt.sport, htons(50123), "sport");
	ASSERT_EQ(pkt.dport, htons(445), "dport");
	ASSERT_EQ(pkt.tcp_flags, XH_TCP_SYN, "flags");
	ASSERT_EQ(pkt.l3_off, 14, "l3_off");
	ASSERT_EQ(pkt.l4_off, 34, "l4_off");
	ASSERT_EQ(pkt.payload_off, lay.payload_off, "payload_off");
	ASSERT_EQ(pkt.payload_len, 33, "payload_len");
	ASSERT_EQ(pkt.vlan_count, 0, "vlans");
	ASSERT_EQ(pkt.frag, 0, "frag");

	/* Ethernet padding after a short IP packet is not payload. */
	test_subtest("eth_padding");
	d.payload_len = 0;
	d.tcp_optlen = 0;
	len = build(&d, buf, &lay);
	ASSERT_EQ(len, 54, "len");
	ASSERT_EQ(parse_exact(buf, 60, &pkt), XH_PARSE_L4, "res");
	ASSERT_EQ(pkt.payload_len, 0, "payload_len clamped by IP length");

	/* IP length beyond the frame: clamped by data_end. */
	test_subtest("ip_len_beyond_frame");
	d.payload_len = 100;
	len = build(&d, buf, &lay);
	ASSERT_EQ(parse_exact(buf, len - 40, &pkt), XH_PARSE_L4, "res");
	ASSERT_EQ(pkt.payload_len, 60, "payload_len clamped by data_end");

	test_subtest("icmp");
	/* A one-way message: type and code. */
	d = (struct pkt_desc){.family = 6, .proto = IPPROTO_ICMPV6, .sport = 1, .dport = 3};
	len = build(&d, buf, &lay);
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
	ASSERT_EQ(pkt.sport, htons(1), "type");
	ASSERT_EQ(pkt.dport, htons(3), "code");
	ASSERT_EQ(pkt.family, XH_AF_INET6, "family");
	/* An echo request: type and the reply's type (xh_icmp_dport()). */
	d = (struct pkt_desc){.family = 6, .proto = IPPROTO_ICMPV6, .sport = 128, .dport = 3};
	len = build(&d, buf, &lay);
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
	ASSERT_EQ(pkt.sport, htons(128), "type");
	ASSERT_EQ(pkt.dport, htons(129), "the reply's type");

	test_subtest("sctp");
	/* Ports from the common header; the payload after its 12 bytes. */
	d = (struct pkt_desc){.family = 4, .proto = IPPROTO_SCTP, .payload_len = 28};
	len = build(&d, buf, &lay);
	buf[lay.l4_off] = 0x0f; /* 3868, Diameter */
	buf[lay.l4_off + 1] = 0x1c;
	buf[lay.l4_off + 2] = 0x0b; /* 2905, M3UA */
	buf[lay.l4_off + 3] = 0x59;
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
	ASSERT_EQ(ntohs(pkt.sport), 3868, "sport");
	ASSERT_EQ(ntohs(pkt.dport), 2905, "dport");
	ASSERT_EQ(pkt.payload_off, lay.l4_off + 12, "payload after the common header");
	ASSERT_EQ(pkt.payload_len, 16, "payload_len");
	/* A common header cut short: no ports, as any other protocol. */
	d.payload_len = 11;
	len = build(&d, buf, &lay);
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L3, "short header: res");
	ASSERT_EQ(pkt.sport | pkt.dport, 0, "short header: no ports");

	test_subtest("other_proto");
	d = (struct pkt_desc){.family = 4, .proto = 47 /* GRE */, .payload_len = 4};
	len = build(&d, buf, &lay);
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L3, "res");
	ASSERT_EQ(pkt.proto, 47, "proto");
	ASSERT_EQ(pkt.sport | pkt.dport, 0, "no ports");
}

void test_parse_vlan(void)
{
	struct pkt_desc d = {.family = 4, .proto = IPPROTO_UDP, .sport = 1, .dport = 2};
	static const uint16_t tpids[] = {0x8100, 0x88a8, 0x9100};
	uint8_t buf[PKT_MAX];
	struct xh_pkt pkt;
	size_t len;

	for (int i = 0; i < 3; i++) {
		test_subtest("single_%04x", tpids[i]);
		d.nvlan = 1;
		d.vlan_tpid[0] = tpids[i];
		d.vlan_id[0] = 0x2fff; /* PCP/DEI bits set: only the 12-bit id is kept */
		len = build(&d, buf, NULL);
		ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
		ASSERT_EQ(pkt.vlan_count, 1, "count");
		ASSERT_EQ(pkt.vlan[0], 0xfff, "id");
		ASSERT_EQ(pkt.l3_off, 18, "l3_off");
	}
	test_subtest("qinq");
	d.nvlan = 2;
	d.vlan_tpid[0] = 0x88a8;
	d.vlan_tpid[1] = 0x8100;
	d.vlan_id[0] = 100;
	d.vlan_id[1] = 200;
	len = build(&d, buf, NULL);
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
	ASSERT_EQ(pkt.vlan_count, 2, "count");
	ASSERT_EQ(pkt.vlan[0], 100, "outer");
	ASSERT_EQ(pkt.vlan[1], 200, "inner");
	ASSERT_EQ(pkt.dport, htons(2), "dport");

	test_subtest("third_tag");
	d.nvlan = 3;
	d.vlan_id[2] = 300;
	len = build(&d, buf, NULL);
	ASSERT_EQ(parse_exact(buf, len, &pkt), -XH_PERR_VLAN_DEPTH, "res");

	test_subtest("vlan_non_ip");
	d = (struct pkt_desc){.ethertype = 0x0806, .nvlan = 1, .vlan_id = {7}, .payload_len = 28};
	len = build(&d, buf, NULL);
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L2, "res");
	ASSERT_EQ(pkt.family, 0, "family");
	ASSERT_EQ(pkt.vlan_count, 1, "count");
}

void test_parse_ipv4(void)
{
	struct pkt_desc d = {
		.family = 4, .proto = IPPROTO_TCP, .sport = 1000, .dport = 139, .payload_len = 16};
	uint8_t buf[PKT_MAX];
	struct pkt_layout lay;
	struct xh_pkt pkt;
	size_t len;

	for (int opt = 4; opt <= 40; opt += 12) {
		test_subtest("options_%d", opt);
		d.ip_optlen = opt;
		len = build(&d, buf, &lay);
		ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
		ASSERT_EQ(pkt.l4_off, 14 + 20 + opt, "l4_off");
		ASSERT_EQ(pkt.dport, htons(139), "dport");
		ASSERT_EQ(pkt.payload_len, 16, "payload_len");
	}
	d.ip_optlen = 0;
	len = build(&d, buf, &lay);
	for (int ihl = 0; ihl < 5; ihl++) {
		test_subtest("ihl_%d", ihl);
		buf[14] = (uint8_t)(0x40 | ihl);
		ASSERT_EQ(parse_exact(buf, len, &pkt), -XH_PERR_IPV4_BAD, "res");
	}
	test_subtest("version");
	buf[14] = 0x55;
	ASSERT_EQ(parse_exact(buf, len, &pkt), -XH_PERR_IPV4_BAD, "res");
	test_subtest("tot_len_below_ihl");
	buf[14] = 0x45;
	buf[16] = 0;
	buf[17] = 19;
	ASSERT_EQ(parse_exact(buf, len, &pkt), -XH_PERR_IPV4_BAD, "res");
	test_subtest("ihl_beyond_frame");
	buf[14] = 0x4f;
	ASSERT_EQ(parse_exact(buf, 14 + 40, &pkt), -XH_PERR_IPV4_TRUNC, "res");
	test_subtest("tcp_doff_below_5");
	len = build(&d, buf, &lay);
	buf[lay.l4_off + 12] = 4 << 4;
	ASSERT_EQ(parse_exact(buf, len, &pkt), -XH_PERR_TCP_BAD, "res");
	test_subtest("tcp_options_beyond_ip_len");
	len = build(&d, buf, &lay);
	buf[lay.l4_off + 12] = 15 << 4; /* 60-byte header in a 36-byte segment */
	ASSERT_EQ(parse_exact(buf, len, &pkt), -XH_PERR_TCP_TRUNC, "res");

	test_subtest("first_fragment");
	d.more_frags = 1;
	len = build(&d, buf, &lay);
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
	ASSERT_EQ(pkt.frag, 0, "frag");
	ASSERT_EQ(pkt.dport, htons(139), "dport");

	test_subtest("later_fragment");
	d.frag_off = 3;
	d.more_frags = 0;
	len = build(&d, buf, &lay);
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L3, "res");
	ASSERT_EQ(pkt.frag, 1, "frag");
	ASSERT_EQ(pkt.sport | pkt.dport, 0, "no ports");
	ASSERT_EQ(pkt.payload_off, 34, "payload_off");
	ASSERT_EQ(pkt.payload_len, 16, "payload_len");
	/* A later fragment too short for a TCP header is still no error. */
	ASSERT_EQ(parse_exact(buf, 34 + 2, &pkt), XH_PARSE_L3, "short later fragment");
}

/* IPv4 with IPsec AH in transport mode (Windows server and domain
 * isolation): the TCP header after AH is parsed, as after IPv6's AH, so that
 * SMB over AH is SMB. An AH header cut short stays protocol 51 without
 * ports; no prefix reads past the frame. */
void test_parse_ipv4_ah(void)
{
	struct pkt_desc d = {
		.family = 4, .proto = IPPROTO_TCP, .sport = 50000, .dport = 445, .payload_len = 16};
	const size_t ah_len = 24; /* 12-byte ICV: length field 4 */
	uint8_t buf[PKT_MAX];
	struct pkt_layout lay;
	struct xh_pkt pkt;
	size_t n, len = build(&d, buf, &lay), bad = 0;

	/* Ethernet and IPv4, AH, then the TCP segment. */
	len = pkt_insert_ipv4_ah(buf, len, &lay, ah_len);

	test_subtest("tcp_after_ah");
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
	ASSERT_EQ(pkt.proto, IPPROTO_TCP, "proto");
	ASSERT_EQ(pkt.sport, htons(50000), "sport");
	ASSERT_EQ(pkt.dport, htons(445), "dport");
	ASSERT_EQ(pkt.l4_off, lay.l4_off + ah_len, "l4_off");
	ASSERT_EQ(pkt.payload_len, 16, "payload_len");

	test_subtest("ah_cut");
	ASSERT_EQ(parse_exact(buf, lay.l4_off + 6, &pkt), XH_PARSE_L3, "res");
	ASSERT_EQ(pkt.proto, IPPROTO_AH, "proto 51");
	ASSERT_EQ(pkt.sport | pkt.dport, 0, "no ports");

	test_subtest("ah_past_ip_len");
	buf[lay.l4_off + 1] = 200; /* 808 bytes */
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L3, "res");
	ASSERT_EQ(pkt.proto, IPPROTO_AH, "proto 51");
	buf[lay.l4_off + 1] = ah_len / 4 - 2;

	test_subtest("prefixes");
	for (n = 0; n < len; n++) {
		int res = parse_exact(buf, n, &pkt);

		if (n >= lay.l4_off + ah_len + 20 && res != XH_PARSE_L4)
			bad++;
		if (n > lay.l4_off + ah_len && n < lay.l4_off + ah_len + 20 &&
		    res != -XH_PERR_TCP_TRUNC)
			bad++;
	}
	ASSERT_EQ(bad, 0, "prefixes with a wrong result");

	test_subtest("later_fragment");
	buf[lay.l3_off + 7] = 3; /* offset 24: no AH, no ports */
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L3, "res");
	ASSERT_EQ(pkt.frag, 1, "frag");
	ASSERT_EQ(pkt.proto, IPPROTO_AH, "proto 51");
}

/* IPv4 total length 0: a TSO segment in a capture taken on the sender
 * (XH_PARSE_F_TSO, replay), an error otherwise. */
void test_parse_ipv4_tso(void)
{
	struct pkt_desc d = {.family = 4,
			     .proto = IPPROTO_TCP,
			     .sport = 49811,
			     .dport = 445,
			     .payload_len = 1400};
	uint8_t buf[PKT_MAX];
	struct pkt_layout lay;
	struct xh_pkt pkt;
	size_t len;

	len = build(&d, buf, &lay);
	buf[16] = buf[17] = 0;
	test_subtest("live");
	ASSERT_EQ(parse_exact(buf, len, &pkt), -XH_PERR_IPV4_BAD, "res");
	test_subtest("capture");
	ASSERT_EQ(parse_flags(buf, len, &pkt, XH_PARSE_F_TSO), XH_PARSE_L4, "res");
	ASSERT_EQ(pkt.dport, htons(445), "dport");
	ASSERT_EQ(pkt.payload_len, 1400, "payload: the rest of the frame");
	/* The frame may go on in XDP fragments: xh_hunt() counts it whole. */
	ASSERT_EQ(pkt.ip_cut, 1, "its length is not the header's");
	test_subtest("capture_header_only");
	ASSERT_EQ(parse_flags(buf, 14 + 20 + 20, &pkt, XH_PARSE_F_TSO), XH_PARSE_L4, "res");
	ASSERT_EQ(pkt.payload_len, 0, "no payload");
	test_subtest("capture_below_header");
	ASSERT_EQ(parse_flags(buf, 14 + 20 + 10, &pkt, XH_PARSE_F_TSO), -XH_PERR_TCP_TRUNC, "res");
}

/* A TCP header whose options a capture's snap length cut (XH_PARSE_F_SNAP,
 * replay): ports and flags are read, no payload; live it stays an error, as
 * does a header longer than the IP length. IPv4 and IPv6. */
void test_parse_tcp_snap(void)
{
	for (int fam = 4; fam <= 6; fam += 2) {
		struct pkt_desc d = {.family = fam,
				     .proto = IPPROTO_TCP,
				     .sport = 40001,
				     .dport = 445,
				     .tcp_flags = 0x02,
				     .tcp_optlen = 20};
		uint8_t buf[PKT_MAX];
		struct pkt_layout lay;
		struct xh_pkt pkt;
		size_t len = build(&d, buf, &lay), cut = lay.l4_off + 20 + 6;

		test_subtest("ipv%d", fam);
		ASSERT_EQ(parse_exact(buf, cut, &pkt), -XH_PERR_TCP_TRUNC, "live: an error");
		ASSERT_EQ(parse_flags(buf, cut, &pkt, XH_PARSE_F_SNAP), XH_PARSE_L4, "capture");
		ASSERT_EQ(pkt.sport, htons(40001), "sport");
		ASSERT_EQ(pkt.dport, htons(445), "dport");
		ASSERT_EQ(pkt.tcp_flags, 0x02, "flags");
		ASSERT_EQ(pkt.payload_len, 0, "no payload");
		ASSERT_EQ(pkt.ip_cut, 1, "cut");
		ASSERT_EQ(parse_flags(buf, lay.l4_off + 19, &pkt, XH_PARSE_F_SNAP),
			  -XH_PERR_TCP_TRUNC, "fixed header cut: an error");
		pkt_set_ip_len(buf, &lay, fam, lay.l4_off + 24 - lay.l3_off);
		ASSERT_EQ(parse_flags(buf, len, &pkt, XH_PARSE_F_SNAP), -XH_PERR_TCP_TRUNC,
			  "header past the IP length: an error");
	}
	test_subtest_end();
}

void test_parse_ipv6(void)
{
	static const uint8_t types[] = {0, 43, 60, 51, 44};
	struct pkt_desc d = {
		.family = 6, .proto = IPPROTO_TCP, .sport = 40000, .dport = 445, .payload_len = 7};
	uint8_t buf[PKT_MAX];
	struct pkt_layout lay;
	struct xh_pkt pkt;
	size_t len;

	test_subtest("no_ext");
	len = build(&d, buf, &lay);
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
	ASSERT_EQ(pkt.family, XH_AF_INET6, "family");
	ASSERT_EQ(pkt.saddr[0], htonl(0x20010db8), "saddr");
	ASSERT_EQ(pkt.saddr[3], htonl(1), "saddr low");
	ASSERT_EQ(pkt.payload_len, 7, "payload_len");

	for (size_t i = 0; i < sizeof(types); i++) {
		for (int n = 1; n <= 2; n++) {
			test_subtest("ext_%u_x%d", types[i], n);
			d.n_ext = n;
			d.ext[0] = d.ext[1] = (struct pkt_ext){types[i], types[i] == 51 ? 12 : 24};
			len = build(&d, buf, &lay);
			ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
			ASSERT_EQ(pkt.proto, IPPROTO_TCP, "proto");
			ASSERT_EQ(pkt.l4_off, lay.l4_off, "l4_off");
			ASSERT_EQ(pkt.dport, htons(445), "dport");
			ASSERT_EQ(pkt.payload_len, 7, "payload_len");
		}
	}
	test_subtest("max_chain");
	d.n_ext = XH_MAX_IPV6_EXT;
	for (int i = 0; i < XH_MAX_IPV6_EXT; i++)
		d.ext[i] = (struct pkt_ext){types[i % 4], 8 + 8 * i};
	len = build(&d, buf, &lay);
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
	ASSERT_EQ(pkt.l4_off, lay.l4_off, "l4_off");

	test_subtest("too_long_chain");
	d.n_ext = XH_MAX_IPV6_EXT + 1;
	d.ext[XH_MAX_IPV6_EXT] = (struct pkt_ext){60, 8};
	len = build(&d, buf, &lay);
	/* Counted as ipv6_ext_depth by the entry point, classified by its
	 * addresses: a protocol without ports, the header the walk stopped at. */
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L3, "res");
	ASSERT_EQ(pkt.pflags, XH_PKT_L4_CUT | XH_PKT_EXT_DEPTH, "pflags");
	ASSERT_EQ(pkt.proto, 60, "proto");
	ASSERT_EQ(pkt.sport | pkt.dport, 0, "no ports");

	test_subtest("ext_beyond_payload_len");
	d.n_ext = 1;
	d.ext[0] = (struct pkt_ext){0, 16};
	d.payload_len = 0;
	len = build(&d, buf, &lay);
	buf[14 + 4] = 0;
	buf[14 + 5] = 8; /* IPv6 payload length shorter than the extension header */
	ASSERT_EQ(parse_exact(buf, len, &pkt), -XH_PERR_IPV6_EXT_TRUNC, "res");

	test_subtest("version");
	len = build(&d, buf, &lay);
	buf[14] = 0x40;
	ASSERT_EQ(parse_exact(buf, len, &pkt), -XH_PERR_IPV6_BAD, "res");

	test_subtest("later_fragment");
	d.n_ext = 2;
	d.ext[0] = (struct pkt_ext){0, 8};
	d.ext[1] = (struct pkt_ext){44, 8};
	d.frag_off = 100;
	d.payload_len = 24;
	len = build(&d, buf, &lay);
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L3, "res");
	ASSERT_EQ(pkt.frag, 1, "frag");
	ASSERT_EQ(pkt.proto, IPPROTO_TCP, "proto");
	ASSERT_EQ(pkt.sport | pkt.dport, 0, "no ports");
	ASSERT_EQ(pkt.payload_len, 24, "payload_len");

	test_subtest("first_fragment");
	d.frag_off = 0;
	d.more_frags = 1;
	len = build(&d, buf, &lay);
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
	ASSERT_EQ(pkt.frag, 0, "frag");
	ASSERT_EQ(pkt.dport, htons(445), "dport");

	for (int nh = 50; nh <= 59; nh += 9) {
		test_subtest("stop_at_%d", nh);
		d = (struct pkt_desc){.family = 6,
				      .proto = (uint8_t)nh,
				      .n_ext = 1,
				      .ext = {{60, 8}},
				      .payload_len = 12};
		len = build(&d, buf, &lay);
		ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L3, "res");
		ASSERT_EQ(pkt.proto, nh, "proto");
		ASSERT_EQ(pkt.frag, 0, "frag");
		ASSERT_EQ(pkt.payload_len, 12, "payload_len");
	}
}

/* IPv6 payload length 0 (RFC 2675 keeps it for jumbograms, which carry a
 * jumbo payload option in a hop-by-hop header). Live, Linux trims a packet
 * with no hop-by-hop header to its 40-byte header and drops one whose
 * hop-by-hop header holds a jumbo option (never valid in a frame of 64 KiB
 * or less): classified by its addresses only, as a protocol without ports,
 * and counted (XH_PKT_IPV6_LEN0: ipv6_bad). Without a jumbo option Linux
 * delivers the hop-by-hop packet with the rest of the frame, and so does the
 * parser. A capture (XH_PARSE_F_TSO, replay) reads every such packet to the
 * end of the frame: BIG TCP segments before the NIC split them. */
void test_parse_ipv6_len0(void)
{
	/* Hop-by-hop options after next header and length: a PadN of 2 bytes,
	 * a jumbo payload option of 70000 (type 0xC2, 4 bytes, at 4n+2), PadN. */
	static const uint8_t hbh_jumbo[14] = {1, 2, 0, 0, 0xc2, 4, 0, 1, 0x11, 0x70, 1, 2, 0, 0};
	struct pkt_desc d = {.family = 6,
			     .src = "2001:db8::10",
			     .dst = "2001:db8::20",
			     .proto = IPPROTO_TCP,
			     .sport = 50000,
			     .dport = 445,
			     .payload_len = 100};
	uint8_t buf[PKT_MAX];
	struct pkt_layout lay;
	struct xh_pkt pkt;
	size_t len, n, bad = 0;

	len = build(&d, buf, &lay);
	buf[lay.l3_off + 4] = buf[lay.l3_off + 5] = 0;
	test_subtest("live");
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L3, "res");
	ASSERT_EQ(pkt.pflags, XH_PKT_L4_CUT | XH_PKT_IPV6_LEN0, "pflags");
	ASSERT_EQ(pkt.family, XH_AF_INET6, "family");
	ASSERT_EQ(pkt.saddr[3], htonl(0x10), "saddr");
	ASSERT_EQ(pkt.proto, IPPROTO_TCP, "proto: the next header");
	ASSERT_EQ(pkt.sport | pkt.dport, 0, "no ports");
	ASSERT_EQ(pkt.payload_len, 0, "no payload");
	ASSERT_EQ(pkt.l4_off, lay.l3_off + 40, "l4_off after the fixed header");
	/* No length to go by: xh_hunt() counts the frame whole. */
	ASSERT_EQ(pkt.ip_cut, 1, "ip_cut");
	for (n = lay.l3_off + 40; n < len; n++)
		bad += parse_exact(buf, n, &pkt) != XH_PARSE_L3;
	ASSERT_EQ(bad, 0, "every prefix past the fixed header: the same");

	test_subtest("capture");
	ASSERT_EQ(parse_flags(buf, len, &pkt, XH_PARSE_F_TSO), XH_PARSE_L4, "res");
	ASSERT_EQ(pkt.pflags, 0, "pflags");
	ASSERT_EQ(pkt.dport, htons(445), "dport");
	ASSERT_EQ(pkt.payload_len, 100, "payload: the rest of the frame");
	ASSERT_EQ(pkt.ip_cut, 1, "its length is not the header's");

	test_subtest("live_udp");
	d.proto = IPPROTO_UDP;
	d.dport = 53;
	len = build(&d, buf, &lay);
	buf[lay.l3_off + 4] = buf[lay.l3_off + 5] = 0;
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L3, "res");
	ASSERT_EQ(pkt.pflags, XH_PKT_L4_CUT | XH_PKT_IPV6_LEN0, "pflags");
	ASSERT_EQ(pkt.proto, IPPROTO_UDP, "proto");
	ASSERT_EQ(pkt.payload_len, 0, "no DNS message");

	test_subtest("live_dstopts");
	d.n_ext = 1;
	d.ext[0] = (struct pkt_ext){60, 16};
	len = build(&d, buf, &lay);
	buf[lay.l3_off + 4] = buf[lay.l3_off + 5] = 0;
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L3, "res");
	ASSERT_EQ(pkt.pflags, XH_PKT_L4_CUT | XH_PKT_IPV6_LEN0, "pflags");
	ASSERT_EQ(pkt.proto, 60, "proto: the header not walked");

	/* Hop-by-hop first, no jumbo option (a PadN of 6 bytes): Linux
	 * delivers it whole, the L4 header is parsed, the payload runs to the
	 * end of the frame. */
	test_subtest("live_hbh_no_jumbo");
	d.ext[0] = (struct pkt_ext){0, 8};
	len = build(&d, buf, &lay);
	buf[lay.l3_off + 4] = buf[lay.l3_off + 5] = 0;
	buf[lay.l3_off + 40 + 2] = 1;
	buf[lay.l3_off + 40 + 3] = 4;
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
	ASSERT_EQ(pkt.pflags, 0, "pflags");
	ASSERT_EQ(pkt.dport, htons(53), "dport");
	ASSERT_EQ(pkt.payload_len, 100, "payload: the rest of the frame");

	/* A 16-byte one with a jumbo option of 70000 bytes after a PadN, in
	 * a frame that does not hold them: Linux drops it. */
	test_subtest("live_hbh_jumbo");
	d.ext[0] = (struct pkt_ext){0, 16};
	len = build(&d, buf, &lay);
	buf[lay.l3_off + 4] = buf[lay.l3_off + 5] = 0;
	memcpy(buf + lay.l3_off + 40 + 2, hbh_jumbo, sizeof(hbh_jumbo));
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L3, "res");
	ASSERT_EQ(pkt.pflags, XH_PKT_L4_CUT | XH_PKT_IPV6_LEN0, "pflags");
	ASSERT_EQ(pkt.proto, IPPROTO_HOPOPTS, "proto: the hop-by-hop header");
	ASSERT_EQ(pkt.payload_len, 0, "no payload");
	bad = 0;
	for (n = lay.l3_off + 40; n < len; n++)
		bad += parse_exact(buf, n, &pkt) >= XH_PARSE_L4;
	ASSERT_EQ(bad, 0, "no prefix gets ports");
	test_subtest("capture_hbh_jumbo");
	ASSERT_EQ(parse_flags(buf, len, &pkt, XH_PARSE_F_TSO), XH_PARSE_L4, "res");
	ASSERT_EQ(pkt.payload_len, 100, "payload: the rest of the frame");
	/* Not RFC 2675's either: dropped whatever the frame holds. */
	test_subtest("live_hbh_jumbo_65535");
	buf[lay.l3_off + 40 + 8] = 0;
	buf[lay.l3_off + 40 + 9] = 0;
	buf[lay.l3_off + 40 + 10] = 0xff;
	buf[lay.l3_off + 40 + 11] = 0xff;
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L3, "res");
	ASSERT_EQ(pkt.pflags, XH_PKT_L4_CUT | XH_PKT_IPV6_LEN0, "pflags");
	test_subtest("live_hbh_jumbo_misaligned");
	memset(buf + lay.l3_off + 40 + 2, 0, 14);
	memcpy(buf + lay.l3_off + 40 + 3, hbh_jumbo + 4, 6); /* after a Pad1: at 4n+3 */
	buf[lay.l3_off + 40 + 9] = 1;			     /* PadN, 7 bytes */
	buf[lay.l3_off + 40 + 10] = 5;
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L3, "res");
	ASSERT_EQ(pkt.pflags, XH_PKT_L4_CUT | XH_PKT_IPV6_LEN0, "pflags");

	/* A jumbo option with a payload length that is not 0: not this case. */
	test_subtest("hbh_jumbo_with_length");
	memcpy(buf + lay.l3_off + 40 + 2, hbh_jumbo, sizeof(hbh_jumbo));
	pkt_set_ip_len(buf, &lay, 6, len - lay.l3_off);
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
	ASSERT_EQ(pkt.payload_len, 100, "payload");

	/* A real jumbogram, as BIG TCP's GRO makes one (skb mode sees packets
	 * after GRO): a hop-by-hop header of one jumbo option whose length
	 * the frame holds, then UDP with a length of 0. Linux takes it. */
	test_subtest("live_jumbogram");
	{
		const size_t jlen = 8 + 8 + 66000, flen = 14 + 40 + jlen;
		uint8_t *j = calloc(1, flen);

		if (!j)
			abort();
		memcpy(j, buf, 14 + 8); /* Ethernet, IPv6 version and flow label */
		memcpy(j + 14 + 8, buf + lay.l3_off + 8, 32); /* addresses */
		j[14 + 4] = j[14 + 5] = 0;		      /* payload length */
		j[14 + 6] = IPPROTO_HOPOPTS;
		j[14 + 7] = 64;
		j[54] = IPPROTO_UDP;
		j[56] = 0xc2;
		j[57] = 4;
		j[58] = (uint8_t)(jlen >> 24);
		j[59] = (uint8_t)(jlen >> 16);
		j[60] = (uint8_t)(jlen >> 8);
		j[61] = (uint8_t)jlen;
		j[62 + 1] = 99; /* source port */
		j[62 + 3] = 53;
		ASSERT_EQ(parse_exact(j, flen, &pkt), XH_PARSE_L4, "res");
		ASSERT_EQ(pkt.pflags, 0, "pflags");
		ASSERT_EQ(pkt.dport, htons(53), "dport");
		ASSERT_EQ(pkt.payload_off, 70, "payload_off");
		ASSERT_EQ(pkt.payload_len, 0x10000 - 8 - 8,
			  "payload: up to the 64 KiB the IP length can say");
		/* The same option in a frame a byte short of its length: dropped. */
		ASSERT_EQ(parse_exact(j, flen - 1, &pkt), XH_PARSE_L3, "cut: res");
		ASSERT_EQ(pkt.pflags, XH_PKT_L4_CUT | XH_PKT_IPV6_LEN0, "cut: pflags");
		free(j);
	}
}

/* Write @ulen into the UDP header of the frame @buf built as @lay. */
static void set_udp_len(uint8_t *buf, const struct pkt_layout *lay, uint16_t ulen)
{
	buf[lay->l4_off + 4] = (uint8_t)(ulen >> 8);
	buf[lay->l4_off + 5] = (uint8_t)ulen;
}

/* The UDP length, as Linux's udp_rcv() and udpv6_rcv() take it: the payload
 * ends where it says (a datagram shorter than its IP packet is trimmed, DNS
 * reads no further); below 8 is udp_bad, past the IP payload udp_trunc (a
 * dropped datagram). Over IPv6, 0 means the IP payload (jumbograms; Linux
 * takes it on any). A first fragment's length is the whole datagram's. */
void test_parse_udp_len(void)
{
	struct pkt_desc d = {
		.family = 4, .proto = IPPROTO_UDP, .sport = 40000, .dport = 53, .payload_len = 40};
	uint8_t buf[PKT_MAX];
	struct pkt_layout lay;
	struct xh_pkt pkt;
	size_t len;

	for (int fam = 4; fam <= 6; fam += 2) {
		d.family = fam;
		len = build(&d, buf, &lay);
		test_subtest("v%d_exact", fam);
		ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
		ASSERT_EQ(pkt.payload_len, 40, "payload_len");
		test_subtest("v%d_shorter", fam);
		set_udp_len(buf, &lay, 8 + 12);
		ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
		ASSERT_EQ(pkt.dport, htons(53), "dport");
		ASSERT_EQ(pkt.payload_off, lay.payload_off, "payload_off");
		ASSERT_EQ(pkt.payload_len, 12, "payload_len: the UDP length's");
		ASSERT_EQ(pkt.ip_cut, 0, "ip_cut");
		/* The frame cut before the IP length's end: ip_cut still says so. */
		ASSERT_EQ(parse_exact(buf, len - 1, &pkt), XH_PARSE_L4, "cut: res");
		ASSERT_EQ(pkt.payload_len, 12, "cut: payload_len");
		ASSERT_EQ(pkt.ip_cut, 1, "cut: ip_cut from the IP length");
		test_subtest("v%d_header_only", fam);
		set_udp_len(buf, &lay, 8);
		ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
		ASSERT_EQ(pkt.payload_len, 0, "payload_len");
		test_subtest("v%d_below_8", fam);
		set_udp_len(buf, &lay, 7);
		ASSERT_EQ(parse_exact(buf, len, &pkt), -XH_PERR_UDP_BAD, "res");
		test_subtest("v%d_past_ip", fam);
		set_udp_len(buf, &lay, 8 + 41);
		ASSERT_EQ(parse_exact(buf, len, &pkt), -XH_PERR_UDP_TRUNC, "res");
		test_subtest("v%d_zero", fam);
		set_udp_len(buf, &lay, 0);
		if (fam == 4) {
			ASSERT_EQ(parse_exact(buf, len, &pkt), -XH_PERR_UDP_BAD, "res");
		} else {
			ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
			ASSERT_EQ(pkt.payload_len, 40, "payload_len: the IP length's");
			/* A capture's IPv6 payload length 0 (and the UDP
			 * length's): the rest of the frame. */
			buf[lay.l3_off + 4] = buf[lay.l3_off + 5] = 0;
			ASSERT_EQ(parse_flags(buf, len, &pkt, XH_PARSE_F_TSO), XH_PARSE_L4,
				  "capture: res");
			ASSERT_EQ(pkt.payload_len, 40, "capture: payload_len");
		}
	}
	test_subtest_end();

	/* Ethernet padding after a short datagram: neither length counts it. */
	test_subtest("eth_padding");
	d = (struct pkt_desc){
		.family = 4, .proto = IPPROTO_UDP, .sport = 1, .dport = 2, .payload_len = 2};
	len = build(&d, buf, &lay);
	ASSERT_EQ(len, 44, "len");
	ASSERT_EQ(parse_exact(buf, 60, &pkt), XH_PARSE_L4, "res");
	ASSERT_EQ(pkt.payload_len, 2, "payload_len");

	/* A first fragment holds part of the datagram its length counts. */
	test_subtest("first_fragment");
	d = (struct pkt_desc){.family = 4,
			      .proto = IPPROTO_UDP,
			      .sport = 1,
			      .dport = 53,
			      .more_frags = 1,
			      .payload_len = 100};
	len = build(&d, buf, &lay);
	set_udp_len(buf, &lay, 8 + 3000);
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "res");
	ASSERT_EQ(pkt.payload_len, 100, "payload_len: the fragment's");
	set_udp_len(buf, &lay, 8 + 20);
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "shorter: res");
	ASSERT_EQ(pkt.payload_len, 20, "shorter: payload_len");
	set_udp_len(buf, &lay, 4);
	ASSERT_EQ(parse_exact(buf, len, &pkt), -XH_PERR_UDP_BAD, "below 8: res");
	d.family = 6;
	d.n_ext = 1;
	d.ext[0] = (struct pkt_ext){44, 8};
	len = build(&d, buf, &lay);
	set_udp_len(buf, &lay, 8 + 3000);
	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L4, "v6: res");
	ASSERT_EQ(pkt.payload_len, 100, "v6: payload_len: the fragment's");
}

void test_parse_non_ip(void)
{
	struct pkt_desc d = {.ethertype = 0x88cc /* LLDP */, .payload_len = 40};
	uint8_t buf[PKT_MAX];
	struct xh_pkt pkt;
	size_t len = build(&d, buf, NULL);

	ASSERT_EQ(parse_exact(buf, len, &pkt), XH_PARSE_L2, "lldp");
	ASSERT_EQ(pkt.family, 0, "family");
	ASSERT_EQ(parse_exact(buf, 14, &pkt), XH_PARSE_L2, "bare header");
}

static int key_of(const struct pkt_desc *d, struct xh_flow_key *key)
{
	uint8_t buf[PKT_MAX];
	struct xh_pkt pkt;
	size_t len = build(d, buf, NULL);

	memset(key, 0xaa, sizeof(*key)); /* must be fully overwritten */
	if (!ASSERT_GE(parse_exact(buf, len, &pkt), XH_PARSE_L3, "parse"))
		return -1;
	return xh_flow_key_make(&pkt, key);
}

void test_parse_flow_key(void)
{
	static const struct {
		const char *name;
		int family;
		const char *a, *b;
		uint16_t pa, pb;
		int a_is_s; /* expected: a is the key's s-side */
	} cases[] = {
		{"v4_addr", 4, "192.0.2.1", "198.51.100.1", 50000, 445, 1},
		{"v4_addr_rev", 4, "203.0.113.9", "192.0.2.200", 445, 50000, 0},
		{"v4_same_addr", 4, "192.0.2.1", "192.0.2.1", 135, 40000, 1},
		{"v4_byte_order", 4, "192.0.2.255", "192.0.3.0", 1, 1, 1},
		{"v6_addr", 6, "2001:db8::2", "2001:db8::1", 1, 2, 0},
		{"v6_high_word", 6, "2001:db8:1::", "2001:db8::ffff", 9, 9, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pkt_desc fwd = {.family = cases[i].family,
				       .proto = IPPROTO_TCP,
				       .src = cases[i].a,
				       .dst = cases[i].b,
				       .sport = cases[i].pa,
				       .dport = cases[i].pb};
		struct pkt_desc rev = fwd;
		struct xh_flow_key k1, k2;
		int s1, s2;

		test_subtest("%s", cases[i].name);
		rev.src = fwd.dst;
		rev.dst = fwd.src;
		rev.sport = fwd.dport;
		rev.dport = fwd.sport;
		s1 = key_of(&fwd, &k1);
		s2 = key_of(&rev, &k2);
		ASSERT_MEMEQ(&k1, &k2, sizeof(k1), "both directions, same key");
		ASSERT_EQ(s1, cases[i].a_is_s, "forward src is s-side");
		ASSERT_EQ(s2, !cases[i].a_is_s, "reverse src is s-side");
		ASSERT_EQ(k1.pad[0] | k1.pad[1], 0, "pad zeroed");
		ASSERT_EQ(k1.proto, IPPROTO_TCP, "proto");
		ASSERT_EQ(k1.family, cases[i].family == 4 ? XH_AF_INET : XH_AF_INET6, "family");
		if (cases[i].family == 4)
			ASSERT_EQ(k1.saddr[1] | k1.saddr[2] | k1.saddr[3] | k1.daddr[1] |
					  k1.daddr[2] | k1.daddr[3],
				  0, "v4 rest zero");
		ASSERT_EQ(k1.sport, htons(s1 ? cases[i].pa : cases[i].pb), "key sport");
	}
}

/* xh_icmp_dport() (arithmetic, for the verifier) against the Community ID
 * spec's table in user/community_id.c, for every type of both families:
 * the other type of a request/reply pair, else the code. Of each pair,
 * exactly one is a reply (xh_icmp_is_reply()); no one-way message is. */
void test_parse_icmp_dport(void)
{
	unsigned int pairs = 0;

	for (int v6 = 0; v6 < 2; v6++) {
		__u8 proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;

		for (unsigned int type = 0; type < 256; type++) {
			unsigned int peer, want = 77;

			if (community_id_icmp_peer(v6, type, &peer)) {
				want = peer;
				pairs++;
				if (xh_icmp_is_reply(proto, type) ==
				    xh_icmp_is_reply(proto, peer)) {
					ASSERT_TRUE(0, "one of a pair is the reply");
					fprintf(stderr, "  type %u, peer %u\n", type, peer);
				}
			} else if (xh_icmp_is_reply(proto, type)) {
				ASSERT_TRUE(0, "a one-way message is no reply");
				fprintf(stderr, "  type %u\n", type);
			}
			if (xh_icmp_dport(proto, (__u8)type, 77) != want) {
				ASSERT_EQ(xh_icmp_dport(proto, (__u8)type, 77), want,
					  v6 ? "ICMPv6 type" : "ICMP type");
				fprintf(stderr, "  type %u\n", type);
			}
		}
	}
	ASSERT_EQ(pairs, 22, "5 ICMP and 6 ICMPv6 pairs");
}
