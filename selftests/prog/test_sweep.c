// SPDX-License-Identifier: GPL-2.0
/* test_sweep.c: scan.smb_sweep and scan.port_scan (bpf/sweep.bpf.h) through
 * BPF_PROG_TEST_RUN: one event per source when its client probes (SYNs, and
 * a stealth scan's FIN, NULL and Xmas probes) to SMB ports reach the
 * threshold of distinct destinations, and one per (source, destination)
 * pair when its client probes reach the threshold of distinct ports;
 * retransmissions, answers, resets, bare ACKs and other sources do not
 * count. */
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

#define SYN	  0x02
#define SYNACK	  0x12
#define FIN	  0x01
#define RST	  0x04
#define ACK	  0x10
#define RSTACK	  0x14
#define XMAS	  0x29 /* FIN, PSH, URG */
#define THRESHOLD 16   /* xh_cfg_sweep_threshold's default */

/* Send one TCP segment without payload; 0 or -errno. */
static int send_tcp(struct xhp *x, int family, const char *src, const char *dst, uint16_t sport,
		    uint16_t dport, uint16_t flags)
{
	return xhp_send_tcp(x, family, src, dst, sport, dport, flags, NULL, 0);
}

/* Send one UDP datagram of @len pattern bytes, of which the frame carries
 * all but @cut (a capture's snap length); 0 or -errno. */
static int send_udp_cut(struct xhp *x, int family, const char *src, const char *dst, uint16_t sport,
			uint16_t dport, int len, size_t cut)
{
	struct pkt_desc d = {.family = family,
			     .src = src,
			     .dst = dst,
			     .proto = IPPROTO_UDP,
			     .sport = sport,
			     .dport = dport,
			     .payload_len = len};
	uint8_t buf[PKT_MAX];
	size_t n = pkt_build(&d, buf, NULL);

	if (!ASSERT_NEQ(n, 0, "pkt_build") || !ASSERT_LT(cut, n, "cut"))
		return -EINVAL;
	return xhp_run(x, buf, n - cut);
}

static int send_udp(struct xhp *x, int family, const char *src, const char *dst, uint16_t sport,
		    uint16_t dport, int len)
{
	return send_udp_cut(x, family, src, dst, sport, dport, len, 0);
}

static int count_sweeps(struct xhp *x, const struct xh_event **last)
{
	return xhp_count_rule(x, XH_RULE_SCAN_SMB_SWEEP, last);
}

static int count_scans(struct xhp *x, const struct xh_event **last)
{
	return xhp_count_rule(x, XH_RULE_SCAN_PORT_SCAN, last);
}

/* Whether the first-look slot @f's owner has the IPv6 source @src. */
static int first_owned_by(const struct xh_scan_first *f, const char *src)
{
	struct in6_addr a;

	return inet_pton(AF_INET6, src, &a) == 1 && f->family == XH_AF_INET6 &&
	       !memcmp(f->saddr, &a, sizeof(a));
}

/* The slot of the first-look array @fd (xh_scan_first, xh_sweep_first)
 * whose owner has the IPv6 source @src, or -1. */
static int first_slot_of(int fd, const char *src)
{
	struct xh_scan_first f;

	for (__u32 i = 0; i < XH_SCAN_FIRST_SLOTS; i++)
		if (!bpf_map_lookup_elem(fd, &i, &f) && first_owned_by(&f, src))
			return (int)i;
	return -1;
}

/* Find an IPv6 source of 2001:db8:3::/64 whose SYN to 2001:db8:4::1 on
 * @port takes the slot @slot of @fd from its owner, by sending such SYNs
 * until one does: the test needs no copy of the slot hash. Writes it to
 * @src (64 bytes); 0, or -1 after a bounded search (32768 slots: a source
 * lands on one with odds 1 in 32768 a try, so 2^19 tries fail with odds
 * e^-16). */
static int first_slot_taker(struct xhp *x, int fd, int slot, uint16_t port, char *src)
{
	struct xh_scan_first f;
	__u32 key = (__u32)slot;

	for (__u32 i = 1; i < (1u << 19); i++) {
		snprintf(src, 64, "2001:db8:3::%x:%x", i >> 16, i & 0xffff);
		if (send_tcp(x, 6, src, "2001:db8:4::1", 30000, port, SYN))
			return -1;
		if (bpf_map_lookup_elem(fd, &key, &f))
			return -1;
		if (first_owned_by(&f, src))
			return 0;
	}
	return -1;
}

void test_sweep(void)
{
	const struct xh_event *ev = NULL;
	char dst[64];
	struct xhp x;
	int i, err = 0;

	if (xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		return;

	test_subtest("below the threshold");
	xhp_reset(&x);
	for (i = 1; i < THRESHOLD; i++) {
		snprintf(dst, sizeof(dst), "198.51.100.%d", i);
		err |= send_tcp(&x, 4, "192.0.2.10", dst, 40000 + i, 445, SYN);
		/* the server's answer and a retransmission count for nothing */
		err |= send_tcp(&x, 4, dst, "192.0.2.10", 445, 40000 + i, SYNACK);
		err |= send_tcp(&x, 4, "192.0.2.10", dst, 40000 + i, 445, SYN);
	}
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_sweeps(&x, &ev), 0, "no sweep below the threshold");

	test_subtest("threshold reached once");
	/* the 16th destination over port 139 */
	err |= send_tcp(&x, 4, "192.0.2.10", "198.51.100.200", 41000, 139, SYN);
	for (i = 0; i < 10; i++) {
		snprintf(dst, sizeof(dst), "198.51.100.%d", 100 + i);
		err |= send_tcp(&x, 4, "192.0.2.10", dst, 42000 + i, 445, SYN);
	}
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_sweeps(&x, &ev), 1, "one event per source")) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET, ev->daddr, a, sizeof(a));
		ASSERT_STREQ(a, "198.51.100.200", "the destination that reached it");
		inet_ntop(AF_INET, ev->saddr, a, sizeof(a));
		ASSERT_STREQ(a, "192.0.2.10", "the sweeping source");
		ASSERT_EQ(ntohs(ev->dport), 139, "port");
		ASSERT_EQ(ev->detail_kind, XH_DETAIL_SWEEP, "detail kind");
		ASSERT_EQ(ev->d.sweep.distinct, THRESHOLD, "distinct");
		ASSERT_EQ(ev->d.sweep.threshold, THRESHOLD, "threshold");
		ASSERT_EQ(ev->d.sweep.window_s, 60, "window");
	}

	test_subtest("a NULL-probe sweep");
	xhp_reset(&x);
	/* nmap -sN -p 445: segments without a flag; the hosts' resets do
	 * not count */
	for (i = 1; i <= THRESHOLD; i++) {
		snprintf(dst, sizeof(dst), "198.51.100.%d", i);
		err |= send_tcp(&x, 4, "192.0.2.13", dst, 45000, 445, PKT_TCP_NULL);
		err |= send_tcp(&x, 4, dst, "192.0.2.13", 445, 45000, RSTACK);
	}
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_sweeps(&x, &ev), 1, "one sweep")) {
		ASSERT_EQ(ev->d.sweep.distinct, THRESHOLD, "distinct");
		ASSERT_EQ(ev->d.sweep.tcp_flags, 0, "the probe's flags");
	}

	test_subtest("one server, many connections");
	xhp_reset(&x);
	for (i = 0; i < 3 * THRESHOLD; i++)
		err |= send_tcp(&x, 4, "192.0.2.11", "198.51.100.1", 43000 + i, 445, SYN);
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_sweeps(&x, &ev), 0, "a busy client of one server is no sweep");

	test_subtest("other ports and answers do not count");
	xhp_reset(&x);
	for (i = 0; i < 2 * THRESHOLD; i++) {
		snprintf(dst, sizeof(dst), "198.51.100.%d", i + 1);
		err |= send_tcp(&x, 4, "192.0.2.12", dst, 44000 + i, 80, SYN);
		/* SYN-ACKs from port 445 of many servers to one host */
		err |= send_tcp(&x, 4, dst, "192.0.2.12", 445, 44000 + i, SYNACK);
	}
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_sweeps(&x, &ev), 0, "web SYNs and SMB answers are no sweep");

	test_subtest("per source");
	xhp_reset(&x);
	for (i = 0; i < THRESHOLD - 1; i++) {
		snprintf(dst, sizeof(dst), "198.51.100.%d", i + 1);
		err |= send_tcp(&x, 4, "192.0.2.13", dst, 45000 + i, 445, SYN);
		err |= send_tcp(&x, 4, "192.0.2.14", dst, 45000 + i, 445, SYN);
	}
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_sweeps(&x, &ev), 0, "two sources below the threshold each");

	test_subtest("ipv6");
	xhp_reset(&x);
	for (i = 0; i < THRESHOLD; i++) {
		snprintf(dst, sizeof(dst), "2001:db8:2::%x", i + 1);
		err |= send_tcp(&x, 6, "2001:db8:1::10", dst, 46000 + i, 445, SYN);
	}
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_sweeps(&x, &ev), 1, "ipv6 sweep")) {
		ASSERT_EQ(ev->family, XH_AF_INET6, "family");
		ASSERT_EQ(ev->d.sweep.distinct, THRESHOLD, "distinct");
	}
	xhp_close(&x);
}

/* Ports of one host scanned in nmap's order: not consecutive, some well
 * known (i: 0..), none twice below 64. */
static uint16_t scan_port(int i)
{
	static const uint16_t top[] = {80,  23, 443, 21,   22,	 25,   3389, 110, 445, 139,
				       143, 53, 135, 3306, 8080, 1723, 111,  995, 993, 5900};

	return i < (int)(sizeof(top) / sizeof(top[0])) ? top[i] : (uint16_t)(1000 + i);
}

void test_port_scan(void)
{
	const struct xh_event *ev = NULL;
	char dst[64];
	struct xhp x;
	int i, err = 0;

	if (xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		return;

	test_subtest("below the threshold");
	xhp_reset(&x);
	for (i = 0; i < THRESHOLD - 1; i++) {
		err |= send_tcp(&x, 4, "192.0.2.20", "198.51.100.5", 50000, scan_port(i), SYN);
		/* the open port's answer and a retransmission count for nothing */
		err |= send_tcp(&x, 4, "198.51.100.5", "192.0.2.20", scan_port(i), 50000, SYNACK);
		err |= send_tcp(&x, 4, "192.0.2.20", "198.51.100.5", 50000, scan_port(i), SYN);
	}
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_scans(&x, &ev), 0, "no scan below the threshold");

	test_subtest("threshold reached once");
	err |= send_tcp(&x, 4, "192.0.2.20", "198.51.100.5", 50000, scan_port(THRESHOLD - 1), SYN);
	for (i = THRESHOLD; i < 3 * THRESHOLD; i++)
		err |= send_tcp(&x, 4, "192.0.2.20", "198.51.100.5", 50000, scan_port(i), SYN);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_scans(&x, &ev), 1, "one event per pair and window")) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET, ev->saddr, a, sizeof(a));
		ASSERT_STREQ(a, "192.0.2.20", "the scanning source");
		inet_ntop(AF_INET, ev->daddr, a, sizeof(a));
		ASSERT_STREQ(a, "198.51.100.5", "the scanned host");
		ASSERT_EQ(ntohs(ev->dport), scan_port(THRESHOLD - 1), "the port that reached it");
		ASSERT_EQ(ev->proto, IPPROTO_TCP, "proto");
		ASSERT_EQ(ev->detail_kind, XH_DETAIL_SWEEP, "detail kind");
		ASSERT_EQ(ev->d.sweep.distinct, THRESHOLD, "distinct ports");
		ASSERT_EQ(ev->d.sweep.threshold, THRESHOLD, "threshold");
		ASSERT_EQ(ev->d.sweep.window_s, 60, "window");
	}
	/* port 445 was among them, once: one host is no SMB sweep */
	ASSERT_EQ(count_sweeps(&x, &ev), 0, "no smb sweep");

	test_subtest("one service, many connections");
	xhp_reset(&x);
	for (i = 0; i < 3 * THRESHOLD; i++)
		err |= send_tcp(&x, 4, "192.0.2.21", "198.51.100.6", 40000 + i, 443, SYN);
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_scans(&x, &ev), 0, "a busy client of one service is no scan");

	test_subtest("per destination");
	xhp_reset(&x);
	for (i = 0; i < THRESHOLD - 1; i++) {
		for (int h = 0; h < 4; h++) {
			snprintf(dst, sizeof(dst), "198.51.100.%d", 10 + h);
			err |= send_tcp(&x, 4, "192.0.2.22", dst, 51000, scan_port(i), SYN);
		}
	}
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_scans(&x, &ev), 0, "15 ports of each of 4 hosts: no host scanned");

	test_subtest("answers do not count");
	xhp_reset(&x);
	for (i = 0; i < 2 * THRESHOLD; i++) {
		/* a server's SYN-ACKs and RSTs from many ports to one client */
		err |= send_tcp(&x, 4, "198.51.100.7", "192.0.2.23", scan_port(i), 52000, SYNACK);
		err |= send_tcp(&x, 4, "198.51.100.7", "192.0.2.23", scan_port(i), 52000, 0x14);
	}
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_scans(&x, &ev), 0, "answers from many ports are no scan");

	test_subtest("per source");
	xhp_reset(&x);
	for (i = 0; i < THRESHOLD - 1; i++) {
		err |= send_tcp(&x, 4, "192.0.2.24", "198.51.100.8", 53000, scan_port(i), SYN);
		err |= send_tcp(&x, 4, "192.0.2.25", "198.51.100.8", 53000, scan_port(i), SYN);
	}
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_scans(&x, &ev), 0, "two sources below the threshold each");

	test_subtest("a scan inside a flood of first SYNs");
	xhp_reset(&x);
	for (i = 0; i < 64 * THRESHOLD; i++) {
		/* 500 pairs' SYNs to one port (first-look slots only), and
		 * every 64th frame the scanner's next port */
		snprintf(dst, sizeof(dst), "198.51.100.%d", 1 + i % 250);
		err |= send_tcp(&x, 4, dst, i % 2 ? "192.0.2.200" : "192.0.2.201",
				(uint16_t)(20000 + i), 443, SYN);
		if (i % 64 == 63)
			err |= send_tcp(&x, 4, "192.0.2.26", "198.51.100.9", 55000,
					scan_port(i / 64), SYN);
	}
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_scans(&x, &ev), 1, "the scan, not the flood"))
		ASSERT_EQ(ntohs(ev->dport), scan_port(THRESHOLD - 1), "its 16th port");

	test_subtest("stealth scans: FIN, NULL and Xmas probes");
	{
		static const uint16_t probe[] = {FIN, PKT_TCP_NULL, XMAS};

		for (int k = 0; k < 3; k++) {
			xhp_reset(&x);
			for (i = 0; i < THRESHOLD; i++)
				err |= send_tcp(&x, 4, "192.0.2.27", "198.51.100.10", 51000,
						scan_port(i), probe[k]);
			ASSERT_OK(err, "run");
			if (ASSERT_EQ(count_scans(&x, &ev), 1, "one scan"))
				ASSERT_EQ(ev->d.sweep.tcp_flags, probe[k] & 0xff,
					  "the probe's flags");
		}
	}

	test_subtest("resets and acknowledgements do not count");
	xhp_reset(&x);
	/* nmap -sA's bare ACKs cannot be told from a connection's without
	 * state; a reset is an answer or an abort, no probe */
	for (i = 0; i < 2 * THRESHOLD; i++) {
		err |= send_tcp(&x, 4, "192.0.2.28", "198.51.100.11", 52000, scan_port(i), ACK);
		err |= send_tcp(&x, 4, "192.0.2.28", "198.51.100.11", 52000, scan_port(i), RST);
		err |= send_tcp(&x, 4, "192.0.2.28", "198.51.100.11", 52000, scan_port(i), RSTACK);
	}
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_scans(&x, &ev), 0, "no scan");

	test_subtest("a scan whose slot another pair takes between its SYNs");
	xhp_reset(&x);
	{
		int fd = bpf_map__fd(x.skel->maps.xh_scan_first), slot;
		char taker[64];

		/* Two ports: the pair is counted, its slot marked so. */
		for (i = 0; i < 2; i++)
			err |= send_tcp(&x, 6, "2001:db8:1::21", "2001:db8:2::6", 54000,
					scan_port(i), SYN);
		slot = first_slot_of(fd, "2001:db8:1::21");
		if (ASSERT_GE(slot, 0, "the scanner's slot") &&
		    ASSERT_OK(first_slot_taker(&x, fd, slot, 443, taker), "a pair on its slot")) {
			/* The other pair's SYN before each of the scanner's: a
			 * counted pair goes on being counted, not made to wait
			 * for its slot again. */
			for (i = 2; i < THRESHOLD; i++) {
				err |= send_tcp(&x, 6, "2001:db8:1::21", "2001:db8:2::6", 54000,
						scan_port(i), SYN);
				err |= send_tcp(&x, 6, taker, "2001:db8:4::1", 30000, 443, SYN);
			}
			ASSERT_OK(err, "run");
			if (ASSERT_EQ(count_scans(&x, &ev), 1, "the scan"))
				ASSERT_EQ(ev->d.sweep.distinct, THRESHOLD, "every port counted");
		}
	}

	test_subtest("udp scans: empty datagrams");
	xhp_reset(&x);
	/* nmap -sU: an empty datagram to each port it has no payload for */
	for (i = 0; i < THRESHOLD; i++)
		err |= send_udp(&x, 4, "192.0.2.29", "198.51.100.12", 56000, scan_port(i), 0);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_scans(&x, &ev), 1, "one udp scan")) {
		ASSERT_EQ(ev->proto, IPPROTO_UDP, "proto");
		ASSERT_EQ(ntohs(ev->dport), scan_port(THRESHOLD - 1), "the port that reached it");
		ASSERT_EQ(ev->d.sweep.distinct, THRESHOLD, "distinct ports");
		ASSERT_EQ(ev->d.sweep.tcp_flags, 0, "no tcp flags");
	}

	test_subtest("udp datagrams that carry data do not count");
	xhp_reset(&x);
	/* a client's queries to many ports (and nmap's payloads: only an
	 * empty datagram is no client's) */
	for (i = 0; i < 2 * THRESHOLD; i++)
		err |= send_udp(&x, 4, "192.0.2.29", "198.51.100.13", 56000, scan_port(i), 1);
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_scans(&x, &ev), 0, "no scan");

	test_subtest("a udp datagram the frame cuts is not known to be empty");
	xhp_reset(&x);
	for (i = 0; i < 2 * THRESHOLD; i++)
		err |= send_udp_cut(&x, 4, "192.0.2.29", "198.51.100.14", 56000, scan_port(i), 20,
				    20);
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_scans(&x, &ev), 0, "no scan");

	test_subtest("tcp and udp ports are two scans");
	xhp_reset(&x);
	/* 15 TCP and 15 UDP ports of one host, the same numbers: neither
	 * protocol's scan reaches 16, and a port of one is not the other's */
	for (i = 0; i < THRESHOLD - 1; i++) {
		err |= send_tcp(&x, 4, "192.0.2.29", "198.51.100.15", 56000, scan_port(i), SYN);
		err |= send_udp(&x, 4, "192.0.2.29", "198.51.100.15", 56000, scan_port(i), 0);
	}
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_scans(&x, &ev), 0, "15 ports of each protocol: no scan");
	err |= send_udp(&x, 4, "192.0.2.29", "198.51.100.15", 56000, scan_port(THRESHOLD - 1), 0);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_scans(&x, &ev), 1, "the 16th udp port: the udp scan"))
		ASSERT_EQ(ev->proto, IPPROTO_UDP, "proto");
	err |= send_tcp(&x, 4, "192.0.2.29", "198.51.100.15", 56000, scan_port(THRESHOLD - 1), SYN);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_scans(&x, &ev), 2, "the 16th tcp port: the tcp scan"))
		ASSERT_EQ(ev->proto, IPPROTO_TCP, "proto");

	test_subtest("udp scan over ipv6");
	xhp_reset(&x);
	for (i = 0; i < THRESHOLD; i++)
		err |= send_udp(&x, 6, "2001:db8:1::22", "2001:db8:2::7", 56000, scan_port(i), 0);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_scans(&x, &ev), 1, "one udp scan")) {
		ASSERT_EQ(ev->family, XH_AF_INET6, "family");
		ASSERT_EQ(ev->proto, IPPROTO_UDP, "proto");
	}

	test_subtest("ipv6");
	xhp_reset(&x);
	for (i = 0; i < THRESHOLD; i++)
		err |= send_tcp(&x, 6, "2001:db8:1::20", "2001:db8:2::5", 54000, scan_port(i), SYN);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_scans(&x, &ev), 1, "ipv6 scan")) {
		ASSERT_EQ(ev->family, XH_AF_INET6, "family");
		ASSERT_EQ(ev->d.sweep.distinct, THRESHOLD, "distinct ports");
		ASSERT_EQ(ntohs(ev->dport), scan_port(THRESHOLD - 1), "the port that reached it");
	}
	xhp_close(&x);
}

/* An ICMP (@family 4) or ICMPv6 error of @type/@code from @from to @src,
 * quoting @src's datagram with 20 bytes of data (@proto IPPROTO_UDP; or a
 * SYN, IPPROTO_TCP) from @sport to @dst's @dport as hosts and routers
 * quote: its IP header and 8 bytes. 0 or -errno. */
static int send_unreachable_of(struct xhp *x, int family, const char *from, const char *src,
			       const char *dst, uint8_t proto, uint16_t sport, uint16_t dport,
			       uint8_t type, uint8_t code)
{
	struct pkt_desc q = {.family = family,
			     .src = src,
			     .dst = dst,
			     .proto = proto,
			     .sport = sport,
			     .dport = dport,
			     .tcp_flags = SYN,
			     .payload_len = 20};
	uint8_t buf[PKT_MAX];
	size_t n =
		pkt_icmp_error(buf, family, from, src, type, code, &q, (family == 4 ? 20 : 40) + 8);

	if (!ASSERT_NEQ(n, 0, "pkt_icmp_error"))
		return -EINVAL;
	return xhp_run(x, buf, n);
}

/* The target's port unreachable about a datagram of @src's to @dport. */
static int send_unreachable(struct xhp *x, int family, const char *src, const char *dst,
			    uint16_t dport)
{
	return send_unreachable_of(x, family, dst, src, dst, IPPROTO_UDP, 56000, dport,
				   family == 4 ? 3 : 1, family == 4 ? 3 : 4);
}

static uint64_t unreachables_counted(struct xhp *x)
{
	struct xh_stats s;

	xhp_stats(x, &s);
	return s.cnt[XH_CNT_UDP_UNREACHABLE];
}

/* nmap -sU's probes of the ports it has a payload for carry data, as a
 * client's datagrams do; the target's "port unreachable" answers tell them
 * apart (bpf/icmp_quote.bpf.h). */
void test_port_scan_unreachable(void)
{
	const struct xh_event *ev = NULL;
	uint64_t before;
	struct xhp x;
	int i, err = 0;

	if (xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		return;

	test_subtest("datagrams with data answered port unreachable");
	xhp_reset(&x);
	before = unreachables_counted(&x);
	for (i = 0; i < THRESHOLD; i++)
		err |= send_udp(&x, 4, "192.0.2.31", "198.51.100.16", 56000, scan_port(i), 20);
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_scans(&x, &ev), 0, "the datagrams alone: no scan");
	for (i = 0; i < THRESHOLD - 1; i++)
		err |= send_unreachable(&x, 4, "192.0.2.31", "198.51.100.16", scan_port(i));
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_scans(&x, &ev), 0, "15 closed ports: no scan");
	err |= send_unreachable(&x, 4, "192.0.2.31", "198.51.100.16", scan_port(THRESHOLD - 1));
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_scans(&x, &ev), 1, "the 16th closed port: one udp scan")) {
		char a[INET6_ADDRSTRLEN];

		ASSERT_EQ(ev->proto, IPPROTO_UDP, "the probe's protocol, not ICMP's");
		inet_ntop(AF_INET, ev->saddr, a, sizeof(a));
		ASSERT_STREQ(a, "192.0.2.31", "the scanner is the source");
		inet_ntop(AF_INET, ev->daddr, a, sizeof(a));
		ASSERT_STREQ(a, "198.51.100.16", "the target is the destination");
		ASSERT_EQ(ntohs(ev->sport), 56000, "the probe's source port");
		ASSERT_EQ(ntohs(ev->dport), scan_port(THRESHOLD - 1), "the port that reached it");
		ASSERT_EQ(ev->d.sweep.distinct, THRESHOLD, "distinct ports");
		ASSERT_EQ(ev->d.sweep.unreachable, 1, "reached by an unreachable");
	}
	ASSERT_EQ(unreachables_counted(&x) - before, THRESHOLD, "udp_port_unreachable");

	test_subtest("an empty datagram and its unreachable count its port once");
	xhp_reset(&x);
	for (i = 0; i < THRESHOLD - 1; i++) {
		err |= send_udp(&x, 4, "192.0.2.32", "198.51.100.17", 56000, scan_port(i), 0);
		err |= send_unreachable(&x, 4, "192.0.2.32", "198.51.100.17", scan_port(i));
	}
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_scans(&x, &ev), 0, "15 ports, each twice: no scan");
	err |= send_udp(&x, 4, "192.0.2.32", "198.51.100.17", 56000, scan_port(THRESHOLD - 1), 0);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_scans(&x, &ev), 1, "the 16th port's empty datagram"))
		ASSERT_EQ(ev->d.sweep.unreachable, 0, "reached by an empty datagram");

	test_subtest("other errors, tcp quotes, traceroute's ports and strays do not count");
	xhp_reset(&x);
	before = unreachables_counted(&x); /* xhp_reset() keeps the counters */
	for (i = 0; i < 2 * THRESHOLD; i++) {
		/* host unreachable (3/1) and administratively prohibited
		 * (3/13): no port was answered */
		err |= send_unreachable_of(&x, 4, "198.51.100.18", "192.0.2.33", "198.51.100.18",
					   IPPROTO_UDP, 56000, scan_port(i), 3, 1);
		err |= send_unreachable_of(&x, 4, "198.51.100.18", "192.0.2.33", "198.51.100.18",
					   IPPROTO_UDP, 56000, scan_port(i), 3, 13);
	}
	ASSERT_OK(err, "run");
	ASSERT_EQ(unreachables_counted(&x), before, "host unreachable, prohibited");
	for (i = 0; i < 2 * THRESHOLD; i++)
		/* a SYN's: counted when it went by */
		err |= send_unreachable_of(&x, 4, "198.51.100.18", "192.0.2.33", "198.51.100.18",
					   IPPROTO_TCP, 56000, scan_port(i), 3, 3);
	ASSERT_OK(err, "run");
	ASSERT_EQ(unreachables_counted(&x), before, "a tcp quote");
	for (i = 0; i < 2 * THRESHOLD; i++)
		/* a UDP traceroute's probes, which reach its destination */
		err |= send_unreachable(&x, 4, "192.0.2.33", "198.51.100.19", 33434 + i * 3);
	ASSERT_OK(err, "run");
	ASSERT_EQ(unreachables_counted(&x), before, "traceroute's ports");
	for (i = 0; i < 2 * THRESHOLD; i++) {
		/* the quote's sender is not the error's destination */
		struct pkt_desc q = {.family = 4,
				     .src = "192.0.2.34",
				     .dst = "198.51.100.20",
				     .proto = IPPROTO_UDP,
				     .sport = 56000,
				     .dport = scan_port(i),
				     .payload_len = 20};
		uint8_t buf[PKT_MAX];
		size_t n = pkt_icmp_error(buf, 4, "198.51.100.20", "192.0.2.35", 3, 3, &q, 28);

		err |= n ? xhp_run(&x, buf, n) : -EINVAL;
	}
	ASSERT_OK(err, "run");
	ASSERT_EQ(unreachables_counted(&x), before, "an error to another host");
	ASSERT_EQ(count_scans(&x, &ev), 0, "no scan");

	test_subtest("ipv6: icmpv6 port unreachables");
	xhp_reset(&x);
	for (i = 0; i < THRESHOLD; i++)
		err |= send_unreachable(&x, 6, "2001:db8:1::23", "2001:db8:2::8", scan_port(i));
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_scans(&x, &ev), 1, "one udp scan")) {
		ASSERT_EQ(ev->family, XH_AF_INET6, "family");
		ASSERT_EQ(ev->proto, IPPROTO_UDP, "proto");
		ASSERT_EQ(ev->d.sweep.unreachable, 1, "reached by an unreachable");
	}
	xhp_close(&x);
}

static int count_svc_sweeps(struct xhp *x, const struct xh_event **last)
{
	return xhp_count_rule(x, XH_RULE_SCAN_SERVICE_SWEEP, last);
}

/* scan.service_sweep at the loader's default ports (22, 135, 3389, 5900,
 * 5985, 5986): per source and port, as scan.smb_sweep per source. */
void test_service_sweep(void)
{
	const struct xh_event *ev = NULL;
	char dst[64];
	struct xhp x;
	int i, err = 0;

	if (xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		return;

	test_subtest("below the threshold");
	xhp_reset(&x);
	for (i = 1; i < THRESHOLD; i++) {
		snprintf(dst, sizeof(dst), "198.51.100.%d", i);
		err |= send_tcp(&x, 4, "192.0.2.30", dst, 40000 + i, 3389, SYN);
		/* the server's answer and a retransmission count for nothing */
		err |= send_tcp(&x, 4, dst, "192.0.2.30", 3389, 40000 + i, SYNACK);
		err |= send_tcp(&x, 4, "192.0.2.30", dst, 40000 + i, 3389, SYN);
	}
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_svc_sweeps(&x, &ev), 0, "no sweep below the threshold");

	test_subtest("threshold reached once");
	err |= send_tcp(&x, 4, "192.0.2.30", "198.51.100.200", 41000, 3389, SYN);
	for (i = 0; i < 10; i++) {
		snprintf(dst, sizeof(dst), "198.51.100.%d", 100 + i);
		err |= send_tcp(&x, 4, "192.0.2.30", dst, 42000 + i, 3389, SYN);
	}
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_svc_sweeps(&x, &ev), 1, "one event per source and port")) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET, ev->daddr, a, sizeof(a));
		ASSERT_STREQ(a, "198.51.100.200", "the destination that reached it");
		inet_ntop(AF_INET, ev->saddr, a, sizeof(a));
		ASSERT_STREQ(a, "192.0.2.30", "the sweeping source");
		ASSERT_EQ(ntohs(ev->dport), 3389, "port");
		ASSERT_EQ(ev->detail_kind, XH_DETAIL_SWEEP, "detail kind");
		ASSERT_EQ(ev->d.sweep.distinct, THRESHOLD, "distinct");
		ASSERT_EQ(ev->d.sweep.threshold, THRESHOLD, "threshold");
		ASSERT_EQ(ev->d.sweep.window_s, 60, "window");
	}
	ASSERT_EQ(count_sweeps(&x, &ev), 0, "no smb sweep");

	test_subtest("udp datagrams to a watched port make no sweep");
	xhp_reset(&x);
	/* 3389 is TCP's service here (UDP 3389 is RDP's transport, opened
	 * by a TCP connection first) */
	for (i = 1; i <= 2 * THRESHOLD; i++) {
		snprintf(dst, sizeof(dst), "198.51.100.%d", i);
		err |= send_udp(&x, 4, "192.0.2.30", dst, 40000 + i, 3389, 0);
	}
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_svc_sweeps(&x, &ev), 0, "no sweep");

	test_subtest("each port its own sweep");
	xhp_reset(&x);
	for (i = 0; i < THRESHOLD - 1; i++) {
		snprintf(dst, sizeof(dst), "198.51.100.%d", i + 1);
		err |= send_tcp(&x, 4, "192.0.2.31", dst, 43000 + i, 22, SYN);
		err |= send_tcp(&x, 4, "192.0.2.31", dst, 43000 + i, 5985, SYN);
		err |= send_tcp(&x, 4, "192.0.2.31", dst, 43000 + i, 5986, SYN);
	}
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_svc_sweeps(&x, &ev), 0, "15 hosts on each of three ports");
	/* the 16th host on 5986 */
	err |= send_tcp(&x, 4, "192.0.2.31", "198.51.100.99", 44000, 5986, SYN);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_svc_sweeps(&x, &ev), 1, "the port that reached it"))
		ASSERT_EQ(ntohs(ev->dport), 5986, "port");

	test_subtest("ports not watched, and smb");
	xhp_reset(&x);
	for (i = 0; i < 2 * THRESHOLD; i++) {
		snprintf(dst, sizeof(dst), "198.51.100.%d", i + 1);
		err |= send_tcp(&x, 4, "192.0.2.32", dst, 45000 + i, 8080, SYN);
		err |= send_tcp(&x, 4, "192.0.2.32", dst, 45000 + i, 23, SYN);
		err |= send_tcp(&x, 4, "192.0.2.32", dst, 45000 + i, 445, SYN);
	}
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_svc_sweeps(&x, &ev), 0, "8080 and 23 are not watched, 445 is smb's");
	ASSERT_EQ(count_sweeps(&x, &ev), 1, "445's sweep is scan.smb_sweep");

	test_subtest("a sweep inside a flood of first SYNs");
	xhp_reset(&x);
	for (i = 0; i < 64 * THRESHOLD; i++) {
		/* 250 sources' SYNs to port 22 of one host each (first-look
		 * slots only), and every 64th frame the sweeper's next host */
		snprintf(dst, sizeof(dst), "198.51.100.%d", 1 + i % 250);
		err |= send_tcp(&x, 4, dst, i % 2 ? "192.0.2.200" : "192.0.2.201",
				(uint16_t)(20000 + i), 22, SYN);
		if (i % 64 == 63) {
			snprintf(dst, sizeof(dst), "192.0.2.%d", 100 + i / 64);
			err |= send_tcp(&x, 4, "192.0.2.35", dst, 55000, 22, SYN);
		}
	}
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_svc_sweeps(&x, &ev), 1, "the sweep, not the flood")) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET, ev->daddr, a, sizeof(a));
		ASSERT_STREQ(a, "192.0.2.115", "its 16th host");
	}

	test_subtest("per source");
	xhp_reset(&x);
	for (i = 0; i < THRESHOLD - 1; i++) {
		snprintf(dst, sizeof(dst), "198.51.100.%d", i + 1);
		err |= send_tcp(&x, 4, "192.0.2.33", dst, 46000 + i, 135, SYN);
		err |= send_tcp(&x, 4, "192.0.2.34", dst, 46000 + i, 135, SYN);
	}
	ASSERT_OK(err, "run");
	ASSERT_EQ(count_svc_sweeps(&x, &ev), 0, "two sources below the threshold each");

	test_subtest("a sweep whose slot another source takes between its SYNs");
	xhp_reset(&x);
	{
		int fd = bpf_map__fd(x.skel->maps.xh_sweep_first), slot;
		char taker[64];

		/* Two hosts: the source is counted, its slot marked so. */
		for (i = 0; i < 2; i++) {
			snprintf(dst, sizeof(dst), "2001:db8:2::%x", i + 1);
			err |= send_tcp(&x, 6, "2001:db8:1::31", dst, 47000 + i, 22, SYN);
		}
		slot = first_slot_of(fd, "2001:db8:1::31");
		if (ASSERT_GE(slot, 0, "the sweeper's slot") &&
		    ASSERT_OK(first_slot_taker(&x, fd, slot, 22, taker), "a source on its slot")) {
			for (i = 2; i < THRESHOLD; i++) {
				snprintf(dst, sizeof(dst), "2001:db8:2::%x", i + 1);
				err |= send_tcp(&x, 6, "2001:db8:1::31", dst, 47000 + i, 22, SYN);
				err |= send_tcp(&x, 6, taker, "2001:db8:4::1", 30000, 22, SYN);
			}
			ASSERT_OK(err, "run");
			if (ASSERT_EQ(count_svc_sweeps(&x, &ev), 1, "the sweep"))
				ASSERT_EQ(ev->d.sweep.distinct, THRESHOLD, "every host counted");
		}
	}

	test_subtest("ipv6");
	xhp_reset(&x);
	for (i = 0; i < THRESHOLD; i++) {
		snprintf(dst, sizeof(dst), "2001:db8:2::%x", i + 1);
		err |= send_tcp(&x, 6, "2001:db8:1::30", dst, 47000 + i, 22, SYN);
	}
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(count_svc_sweeps(&x, &ev), 1, "ipv6 sweep")) {
		ASSERT_EQ(ev->family, XH_AF_INET6, "family");
		ASSERT_EQ(ntohs(ev->dport), 22, "port");
		ASSERT_EQ(ev->d.sweep.distinct, THRESHOLD, "distinct");
	}
	xhp_close(&x);
}
