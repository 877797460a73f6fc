// SPDX-License-Identifier: GPL-2.0
/* test_frags.c: jumbo frames, which reach the program as multi-buffer XDP
 * frames (BPF_F_XDP_HAS_FRAGS; BPF_PROG_TEST_RUN puts what does not fit
 * the first buffer, 3520 bytes on x86, into fragments as a driver does): the
 * counters carry the whole frame's bytes, the headers in the first buffer are
 * parsed and classified as in a small frame, and a frame whose IP length
 * claims more than it holds is counted by what it holds. */
#include <string.h>
#include <netinet/in.h>
#include "test.h"
#include "pkt.h"
#include "xh_prog.h"
#include "classify_pkt.h"

#define JUMBO 9014 /* MTU 9000 and the Ethernet header */

/* @d built with its headers, then grown to @len bytes of frame with a pattern
 * payload and the IP length fixed up (the IPv4 checksum is left stale: the
 * program does not check it). Returns @len, or 0. */
static size_t jumbo_build(const struct pkt_desc *d, uint8_t *buf, size_t len)
{
	struct pkt_layout lay;
	size_t n = pkt_build(d, buf, &lay);
	size_t ip_len = len - lay.l3_off;

	if (!n || len > XHP_FRAME_MAX || len < n)
		return 0;
	for (size_t i = n; i < len; i++)
		buf[i] = (uint8_t)(i * 7);
	if (d->family)
		pkt_set_ip_len(buf, &lay, d->family, ip_len);
	return len;
}

static uint64_t delta(const struct xh_stats *a, const struct xh_stats *b, int cnt)
{
	return b->cnt[cnt] - a->cnt[cnt];
}

/* A 9014-byte SMB segment: counted whole in the packet, class and flow
 * bytes; classified (smb.connect) from the headers in the first buffer. */
void test_frags_jumbo_smb(void)
{
	struct pkt_desc d = {TCP4(C4, S4, 50000, 445, ACK)};
	static uint8_t buf[XHP_FRAME_MAX];
	struct xh_stats before, after;
	struct xh_flow_state st;
	struct xh_flow_key key;
	size_t len = jumbo_build(&d, buf, JUMBO);
	struct xhp x;

	if (!ASSERT_EQ(len, JUMBO, "frame built") || xhp_open(&x, 0, 0))
		return;
	xhp_stats(&x, &before);
	xhp_run(&x, buf, len);
	xhp_run(&x, buf, len);
	xhp_drain(&x);
	xhp_stats(&x, &after);
	ASSERT_EQ(delta(&before, &after, XH_CNT_PACKETS), 2, "packets");
	ASSERT_EQ(delta(&before, &after, XH_CNT_BYTES), 2 * JUMBO, "bytes: the whole frames");
	ASSERT_EQ(delta(&before, &after, XH_CNT_PARSE_ERR), 0, "no parse error");
	ASSERT_EQ(after.class_pkts[XH_CLASS_SMB] - before.class_pkts[XH_CLASS_SMB], 2, "smb pkts");
	ASSERT_EQ(after.class_bytes[XH_CLASS_SMB] - before.class_bytes[XH_CLASS_SMB], 2 * JUMBO,
		  "smb bytes");
	ASSERT_EQ(x.n_ev, 1, "one event");
	if (x.n_ev == 1)
		ASSERT_EQ(x.ev[0].rule, XH_RULE_SMB_CONNECT, "smb.connect");
	if (ASSERT_OK(xhp_flow4(&x, IPPROTO_TCP, C4, 50000, S4, 445, &key, &st), "flow")) {
		ASSERT_EQ(st.pkts[XH_DIR_TOSERVER], 2, "flow packets");
		ASSERT_EQ(st.bytes[XH_DIR_TOSERVER], 2 * JUMBO, "flow bytes");
	}
	xhp_close(&x);
}

/* Plain IPv6 TCP and a non-IP frame, both jumbo: bytes counted whole, no
 * parse error, no event. */
void test_frags_jumbo_plain(void)
{
	struct pkt_desc v6 = {.family = 6,
			      .src = "2001:db8::1",
			      .dst = "2001:db8::2",
			      .proto = IPPROTO_TCP,
			      .sport = 50000,
			      .dport = 443,
			      .tcp_flags = ACK};
	struct pkt_desc l2 = {.ethertype = 0x88b5}; /* IEEE local experimental */
	static uint8_t b6[XHP_FRAME_MAX], b2[XHP_FRAME_MAX];
	struct xh_stats before, after;
	size_t l6 = jumbo_build(&v6, b6, JUMBO), ll2 = jumbo_build(&l2, b2, 6000);
	struct xhp x;

	if (!ASSERT_EQ(l6, JUMBO, "v6 built") || !ASSERT_EQ(ll2, 6000, "l2 built") ||
	    xhp_open(&x, 0, 0))
		return;
	xhp_stats(&x, &before);
	xhp_run(&x, b6, l6);
	xhp_run(&x, b2, ll2);
	xhp_drain(&x);
	xhp_stats(&x, &after);
	ASSERT_EQ(delta(&before, &after, XH_CNT_BYTES), JUMBO + 6000, "bytes: the whole frames");
	ASSERT_EQ(delta(&before, &after, XH_CNT_PARSE_ERR), 0, "no parse error");
	ASSERT_EQ(delta(&before, &after, XH_CNT_NON_IP), 1, "non-IP frame");
	ASSERT_EQ(x.n_ev, 0, "no event");
	xhp_close(&x);
}

/* A one-buffer frame whose IPv4 length claims 1500 bytes holds 300: its
 * bytes are the 300 it has, in the counters and the flow. */
void test_frags_ip_length_lies(void)
{
	struct pkt_desc d = {TCP4(C4, S4, 50001, 445, ACK), .payload_len = 246};
	static uint8_t buf[XHP_FRAME_MAX];
	struct xh_stats before, after;
	struct pkt_layout lay;
	struct xh_flow_state st;
	struct xh_flow_key key;
	size_t len = pkt_build(&d, buf, &lay);
	struct xhp x;

	if (!ASSERT_EQ(len, 300, "frame built") || xhp_open(&x, 0, 0))
		return;
	pkt_set_ip_len(buf, &lay, 4, 1500);
	xhp_stats(&x, &before);
	xhp_run(&x, buf, len);
	xhp_stats(&x, &after);
	ASSERT_EQ(delta(&before, &after, XH_CNT_BYTES), 300, "bytes held, not claimed");
	ASSERT_EQ(after.class_bytes[XH_CLASS_SMB] - before.class_bytes[XH_CLASS_SMB], 300,
		  "smb bytes");
	if (ASSERT_OK(xhp_flow4(&x, IPPROTO_TCP, C4, 50001, S4, 445, &key, &st), "flow"))
		ASSERT_EQ(st.bytes[XH_DIR_TOSERVER], 300, "flow bytes");
	xhp_close(&x);
}

/* A capture made on the sending host holds TCP segments before the NIC split
 * them, their IPv4 total length 0 (TSO), as `replay` reads them: a 7170-byte
 * frame counts 7170 bytes in the counters and its flow, as tshark's
 * frame.len, not the 3520 of its first buffer. */
void test_frags_tso_capture(void)
{
	struct pkt_desc d = {TCP4(C4, S4, 50002, 445, ACK)};
	static uint8_t buf[XHP_FRAME_MAX], hdr[PKT_MAX];
	struct xh_stats before, after;
	struct xh_flow_state st;
	struct xh_flow_key key;
	size_t len = jumbo_build(&d, buf, 7170);
	struct pkt_layout lay;
	struct xhp x;

	pkt_build(&d, hdr, &lay); /* where the IPv4 header is */
	if (!ASSERT_EQ(len, 7170, "frame built") || xhp_open_capture(&x))
		return;
	pkt_set_ip_len(buf, &lay, 4, 0); /* TSO: 0, the rest of the frame */
	xhp_stats(&x, &before);
	xhp_run(&x, buf, len);
	xhp_stats(&x, &after);
	ASSERT_EQ(delta(&before, &after, XH_CNT_PARSE_ERR), 0, "no parse error");
	ASSERT_EQ(delta(&before, &after, XH_CNT_BYTES), 7170, "bytes: the whole frame");
	if (ASSERT_OK(xhp_flow4(&x, IPPROTO_TCP, C4, 50002, S4, 445, &key, &st), "flow"))
		ASSERT_EQ(st.bytes[XH_DIR_TOSERVER], 7170, "flow bytes");
	xhp_close(&x);
}
