// SPDX-License-Identifier: GPL-2.0
/* test_remote.c: rdp.connect and ssh.connect (bpf/remote.bpf.h) through
 * BPF_PROG_TEST_RUN: one hit per flow at the client's RDP request or SSH
 * line, on any port and either IP family, carrying the opening's bytes;
 * server lines, answers, look-alikes and malformed lines make none. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdphunt.skel.h"
#include "test.h"
#include "msg.h"
#include "pkt.h"
#include "xh_prog.h"

#define PSH_ACK 0x18

/* mstsc's request with "Cookie: mstshash=@cookie" (NULL: none) and, with
 * @neg, RDP_NEG_REQ asking for @protocols. */
static size_t rdp_request(uint8_t *b, const char *cookie, int neg, uint32_t protocols)
{
	char line[160];

	if (cookie)
		snprintf(line, sizeof(line), "Cookie: mstshash=%s", cookie);
	return msg_rdp_request(b, cookie ? line : NULL, neg, 0, protocols);
}

/* The hits of @rule collected so far; *last: the latest. */
static uint64_t remote_cnt(struct xhp *x, int c)
{
	struct xh_stats s;

	if (xhp_stats(x, &s))
		return ~0ULL;
	return s.remote[c];
}

static void check_addr4(const struct xh_event *e, const char *src, uint16_t sport, const char *dst,
			uint16_t dport)
{
	struct in_addr a, b;

	inet_pton(AF_INET, src, &a);
	inet_pton(AF_INET, dst, &b);
	ASSERT_EQ(e->saddr[0], a.s_addr, "client address");
	ASSERT_EQ(e->daddr[0], b.s_addr, "server address");
	ASSERT_EQ(ntohs(e->sport), sport, "client port");
	ASSERT_EQ(ntohs(e->dport), dport, "server port");
}

static void test_rdp(struct xhp *x)
{
	const struct xh_event *e = NULL;
	uint8_t req[128], bad[256];
	uint64_t c0;
	size_t n, m;
	int err = 0;

	test_subtest("rdp request on 3389: one hit with its bytes");
	xhp_reset(x);
	c0 = remote_cnt(x, XH_REMOTE_CNT_RDP_REQUEST);
	n = rdp_request(req, "hunter", 1, 3);
	err |= xhp_send_tcp(x, 4, "192.0.2.10", "198.51.100.5", 50000, 3389, PSH_ACK, req, n);
	/* a retransmission makes no second hit */
	err |= xhp_send_tcp(x, 4, "192.0.2.10", "198.51.100.5", 50000, 3389, PSH_ACK, req, n);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(xhp_count_rule(x, XH_RULE_RDP_CONNECT, &e), 1, "one rdp.connect")) {
		check_addr4(e, "192.0.2.10", 50000, "198.51.100.5", 3389);
		ASSERT_EQ(e->detail_kind, XH_DETAIL_REMOTE, "detail kind");
		ASSERT_EQ(e->name_len, n, "the whole request carried");
		ASSERT_EQ(e->d.remote.payload_len, n, "payload length");
		ASSERT_EQ(e->d.remote.flags, 0, "not cut");
		ASSERT_MEMEQ(e->name, req, n, "the request's bytes");
	}
	ASSERT_EQ(remote_cnt(x, XH_REMOTE_CNT_RDP_REQUEST) - c0, 2, "both requests counted");

	test_subtest("rdp from the server side of a port guess: still the request's sender");
	/* 3389 -> 50001 would make a port guess call 198.51.100.5 the
	 * client; the request says who is */
	xhp_reset(x);
	n = rdp_request(req, NULL, 1, 0);
	err |= xhp_send_tcp(x, 4, "198.51.100.6", "192.0.2.11", 40000, 443, PSH_ACK, req, n);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(xhp_count_rule(x, XH_RULE_RDP_CONNECT, &e), 1, "one rdp.connect on 443"))
		check_addr4(e, "198.51.100.6", 40000, "192.0.2.11", 443);

	test_subtest("rdp over IPv6, no negotiation request");
	xhp_reset(x);
	n = rdp_request(req, "a", 0, 0);
	err |= xhp_send_tcp(x, 6, "2001:db8::10", "2001:db8::20", 51000, 3390, PSH_ACK, req, n);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(xhp_count_rule(x, XH_RULE_RDP_CONNECT, &e), 1, "one rdp.connect (IPv6)")) {
		ASSERT_EQ(e->family, XH_AF_INET6, "family");
		ASSERT_EQ(ntohs(e->dport), 3390, "server port");
	}

	test_subtest("answers and look-alikes make no rdp hit");
	xhp_reset(x);
	c0 = remote_cnt(x, XH_REMOTE_CNT_RDP_REQUEST);
	n = rdp_request(req, "hunter", 1, 3);
	/* the server's Connection Confirm (0xd0) */
	memcpy(bad, req, n);
	bad[5] = 0xd0;
	err |= xhp_send_tcp(x, 4, "198.51.100.5", "192.0.2.10", 3389, 50002, PSH_ACK, bad, n);
	/* a TPKT length that is not the segment's */
	memcpy(bad, req, n);
	bad[3] = (uint8_t)(n + 1);
	err |= xhp_send_tcp(x, 4, "192.0.2.10", "198.51.100.5", 50003, 3389, PSH_ACK, bad, n);
	/* an X.224 length indicator that does not cover the rest */
	memcpy(bad, req, n);
	bad[4] = (uint8_t)(n - 6);
	err |= xhp_send_tcp(x, 4, "192.0.2.10", "198.51.100.5", 50004, 3389, PSH_ACK, bad, n);
	/* a nonzero destination reference, a class above 0 */
	memcpy(bad, req, n);
	bad[6] = 1;
	err |= xhp_send_tcp(x, 4, "192.0.2.10", "198.51.100.5", 50005, 3389, PSH_ACK, bad, n);
	memcpy(bad, req, n);
	bad[10] = 0x40;
	err |= xhp_send_tcp(x, 4, "192.0.2.10", "198.51.100.5", 50006, 3389, PSH_ACK, bad, n);
	/* shorter than the fixed part; and a stream's middle that starts 03 00 */
	err |= xhp_send_tcp(x, 4, "192.0.2.10", "198.51.100.5", 50007, 3389, PSH_ACK, req, 10);
	memset(bad, 0x41, sizeof(bad));
	bad[0] = 3;
	bad[1] = 0;
	err |= xhp_send_tcp(x, 4, "192.0.2.10", "198.51.100.5", 50008, 3389, PSH_ACK, bad, 200);
	ASSERT_OK(err, "run");
	ASSERT_EQ(xhp_count_rule(x, XH_RULE_RDP_CONNECT, &e), 0, "no rdp.connect");
	ASSERT_EQ(remote_cnt(x, XH_REMOTE_CNT_RDP_REQUEST) - c0, 0, "none counted");
	ASSERT_EQ(xhp_map_count(bpf_map__fd(x->skel->maps.xh_flows)), 0, "no flow made");

	test_subtest("the longest request is cut to what an event carries");
	xhp_reset(x);
	c0 = remote_cnt(x, XH_REMOTE_CNT_CUT);
	{
		/* the X.224 length byte's most: 254, 259 bytes in all */
		uint8_t big[300];

		memset(big, 'u', sizeof(big));
		big[0] = 3;
		big[1] = 0;
		big[2] = 0x01; /* TPKT length 259 */
		big[3] = 0x03;
		big[4] = 254;
		big[5] = 0xe0;
		memset(big + 6, 0, 5);
		memcpy(big + 11, "Cookie: mstshash=", 17);
		big[257] = '\r';
		big[258] = '\n';
		m = 259;
		err |= xhp_send_tcp(x, 4, "192.0.2.10", "198.51.100.5", 50009, 3389, PSH_ACK, big,
				    m);
		ASSERT_OK(err, "run");
		if (ASSERT_EQ(xhp_count_rule(x, XH_RULE_RDP_CONNECT, &e), 1, "one rdp.connect")) {
			ASSERT_EQ(e->name_len, XH_EVENT_NAME_MAX, "name[] full");
			ASSERT_EQ(e->d.remote.payload_len, m, "the payload's length");
			ASSERT_EQ(e->d.remote.flags, XH_REMOTE_F_CUT, "said cut");
			ASSERT_MEMEQ(e->name, big, XH_EVENT_NAME_MAX, "its first bytes");
		}
		ASSERT_EQ(remote_cnt(x, XH_REMOTE_CNT_CUT) - c0, 1, "counted cut");
	}
}

static void test_ssh(struct xhp *x)
{
	static const char srv_line[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n";
	static const char cli_line[] = "SSH-2.0-Go\r\n";
	const struct xh_event *e = NULL;
	struct xh_flow_state st;
	struct xh_flow_key key;
	uint8_t buf[600];
	uint64_t c0, c1;
	int err = 0;

	test_subtest("ssh: the server's line is counted, the client's makes the hit");
	xhp_reset(x);
	c0 = remote_cnt(x, XH_REMOTE_CNT_SSH_SERVER);
	c1 = remote_cnt(x, XH_REMOTE_CNT_SSH_CLIENT);
	err |= xhp_send_tcp(x, 4, "198.51.100.5", "192.0.2.10", 22, 50100, PSH_ACK, srv_line,
			    sizeof(srv_line) - 1);
	ASSERT_OK(err, "run");
	ASSERT_EQ(xhp_count_rule(x, XH_RULE_SSH_CONNECT, &e), 0, "no hit for the server's line");
	ASSERT_EQ(remote_cnt(x, XH_REMOTE_CNT_SSH_SERVER) - c0, 1, "server line counted");
	err |= xhp_send_tcp(x, 4, "192.0.2.10", "198.51.100.5", 50100, 22, PSH_ACK, cli_line,
			    sizeof(cli_line) - 1);
	err |= xhp_send_tcp(x, 4, "192.0.2.10", "198.51.100.5", 50100, 22, PSH_ACK, cli_line,
			    sizeof(cli_line) - 1);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(xhp_count_rule(x, XH_RULE_SSH_CONNECT, &e), 1, "one ssh.connect")) {
		check_addr4(e, "192.0.2.10", 50100, "198.51.100.5", 22);
		ASSERT_EQ(e->d.remote.line_len, sizeof(cli_line) - 3, "line before CR LF");
		ASSERT_EQ(e->name_len, sizeof(cli_line) - 1, "bytes carried");
		ASSERT_MEMEQ(e->name, cli_line, sizeof(cli_line) - 1, "the line");
	}
	ASSERT_EQ(remote_cnt(x, XH_REMOTE_CNT_SSH_CLIENT) - c1, 2, "client lines counted");
	/* the flow made here says so, and counts its opening */
	if (ASSERT_OK(xhp_flow4(x, IPPROTO_TCP, "192.0.2.10", 50100, "198.51.100.5", 22, &key, &st),
		      "flow made")) {
		ASSERT_EQ(st.flags & (XH_FLOW_F_SSH | XH_FLOW_F_RDP), XH_FLOW_F_SSH, "ssh flag");
		ASSERT_EQ(st.pkts[XH_DIR_TOSERVER], 1, "the opening counted");
	}

	test_subtest("ssh: a lone LF, and KEXINIT in the same segment");
	xhp_reset(x);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "SSH-1.99-paramiko_3.4\n", 22);
	err |= xhp_send_tcp(x, 4, "192.0.2.10", "198.51.100.5", 50101, 2222, PSH_ACK, buf, 500);
	ASSERT_OK(err, "run");
	if (ASSERT_EQ(xhp_count_rule(x, XH_RULE_SSH_CONNECT, &e), 1, "one ssh.connect on 2222")) {
		ASSERT_EQ(e->d.remote.line_len, 21, "line before LF");
		ASSERT_EQ(e->name_len, XH_EVENT_NAME_MAX, "bytes carried");
		ASSERT_EQ(e->d.remote.payload_len, 500, "payload length");
		ASSERT_EQ(e->d.remote.flags, XH_REMOTE_F_CUT, "the segment goes on");
	}

	test_subtest("ssh: malformed lines make no hit");
	xhp_reset(x);
	c0 = remote_cnt(x, XH_REMOTE_CNT_SSH_BAD);
	/* a control byte, a line past 255 bytes, no LF in the segment, a
	 * lone CR, and "SSH-" without a digit (not even counted) */
	err |= xhp_send_tcp(x, 4, "192.0.2.10", "198.51.100.5", 50102, 22, PSH_ACK,
			    "SSH-2.0-x\x01y\r\n", 13);
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "SSH-2.0-", 8);
	buf[300] = '\n';
	err |= xhp_send_tcp(x, 4, "192.0.2.10", "198.51.100.5", 50103, 22, PSH_ACK, buf, 301);
	err |= xhp_send_tcp(x, 4, "192.0.2.10", "198.51.100.5", 50104, 22, PSH_ACK, "SSH-2.0-abc",
			    11);
	err |= xhp_send_tcp(x, 4, "192.0.2.10", "198.51.100.5", 50105, 22, PSH_ACK,
			    "SSH-2.0-a\rb\r\n", 13);
	err |= xhp_send_tcp(x, 4, "192.0.2.10", "198.51.100.5", 50106, 22, PSH_ACK,
			    "SSH-x.0-abcdef\r\n", 16);
	ASSERT_OK(err, "run");
	ASSERT_EQ(xhp_count_rule(x, XH_RULE_SSH_CONNECT, &e), 0, "no ssh.connect");
	ASSERT_EQ(remote_cnt(x, XH_REMOTE_CNT_SSH_BAD) - c0, 4, "four bad lines counted");
	ASSERT_EQ(xhp_map_count(bpf_map__fd(x->skel->maps.xh_flows)), 0, "no flow made");

	test_subtest("ssh: a followed flow keeps its orientation");
	/* a SYN to the IoC /24 makes the flow (ioc.dest) with its client;
	 * the server's line on its port 40000, above a port guess's
	 * ephemeral bound, is still the server's */
	xhp_reset(x);
	c0 = remote_cnt(x, XH_REMOTE_CNT_SSH_SERVER);
	err |= xhp_send_tcp(x, 4, "192.0.2.10", "203.0.113.5", 41000, 40000, 0x02, NULL, 0);
	err |= xhp_send_tcp(x, 4, "203.0.113.5", "192.0.2.10", 40000, 41000, PSH_ACK, srv_line,
			    sizeof(srv_line) - 1);
	err |= xhp_send_tcp(x, 4, "192.0.2.10", "203.0.113.5", 41000, 40000, PSH_ACK, cli_line,
			    sizeof(cli_line) - 1);
	ASSERT_OK(err, "run");
	ASSERT_EQ(remote_cnt(x, XH_REMOTE_CNT_SSH_SERVER) - c0, 1, "server line counted");
	if (ASSERT_EQ(xhp_count_rule(x, XH_RULE_SSH_CONNECT, &e), 1, "one ssh.connect"))
		check_addr4(e, "192.0.2.10", 41000, "203.0.113.5", 40000);
	ASSERT_EQ(xhp_count_rule(x, XH_RULE_IOC_DEST, &e), 1, "and the ioc.dest hit");
}

void test_remote(void)
{
	struct xhp x;

	if (xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		return;
	test_rdp(&x);
	test_ssh(&x);
	xhp_close(&x);
}
