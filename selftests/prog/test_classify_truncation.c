// SPDX-License-Identifier: GPL-2.0
/* test_classify_truncation.c: the real xdphunt program under
 * BPF_PROG_TEST_RUN on every prefix of classified frames (VLAN, IPv4 and TCP
 * options, IPv6 extension headers) that cuts their headers: each one counted
 * parse error, never an event or a flow, and the whole frame still classified.
 * Every run also checks XDP_PASS and that the frame comes back unchanged. */
#include <netinet/in.h>
#include "test.h"
#include "pkt.h"
#include "xh_prog.h"
#include "classify_pkt.h"

/* Every prefix of a classified frame that cuts its headers: a counted parse
 * error, never an event, and still XDP_PASS with the frame unchanged. */
void test_classify_truncation(void)
{
	static const struct pkt_desc pkts[] = {
		{TCP4(C4, S4, 50000, 445, SYN), .tcp_optlen = 12, .nvlan = 1, .vlan_id = {5}},
		{TCP4(C4, S4, 50000, 135, SYN), .ip_optlen = 8},
		{.family = 4,
		 .src = C4,
		 .dst = "203.0.113.1",
		 .proto = IPPROTO_UDP,
		 .sport = 1,
		 .dport = 53},
		{.family = 6,
		 .src = "2001:db8::1",
		 .dst = "2001:db8:bad::1",
		 .proto = IPPROTO_TCP,
		 .sport = 50000,
		 .dport = 443,
		 .tcp_flags = SYN,
		 .n_ext = 2,
		 .ext = {{.type = 0, .len = 8}, {.type = 43, .len = 24}}},
	};
	struct xh_stats before, after;
	uint8_t buf[PKT_MAX];
	struct pkt_layout lay;
	struct xhp x;

	if (xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		return;
	for (size_t i = 0; i < sizeof(pkts) / sizeof(pkts[0]); i++) {
		size_t len = pkt_build(&pkts[i], buf, &lay);
		int bad_err = 0, bad_ev = 0, n_prefix = 0;

		test_subtest("pkt%zu", i);
		xhp_reset(&x);
		xhp_stats(&x, &before);
		/* BPF_PROG_TEST_RUN refuses XDP frames shorter than Ethernet. */
		for (size_t n = 14; n < lay.payload_off; n++, n_prefix++) {
			struct xh_stats s0, s1;

			xhp_stats(&x, &s0);
			if (xhp_run(&x, buf, n))
				break;
			xhp_stats(&x, &s1);
			bad_err += s1.cnt[XH_CNT_PARSE_ERR] - s0.cnt[XH_CNT_PARSE_ERR] != 1;
		}
		xhp_drain(&x);
		bad_ev = x.n_ev;
		xhp_stats(&x, &after);
		ASSERT_EQ(bad_err, 0, "prefixes without exactly one parse error");
		ASSERT_EQ(bad_ev, 0, "events from truncated frames");
		ASSERT_EQ(after.cnt[XH_CNT_FLOWS_NEW] - before.cnt[XH_CNT_FLOWS_NEW], 0, "flows");
		{
			__u64 sum = 0;

			for (int p = 0; p < XH_PERR__MAX; p++)
				sum += after.perr[p] - before.perr[p];
			ASSERT_EQ(sum, n_prefix, "perr[] sums to the parse errors");
		}
		/* And the whole frame is classified. */
		xhp_run(&x, buf, len);
		xhp_drain(&x);
		ASSERT_EQ(x.n_ev, 1, "full frame gives its event");
	}
	xhp_close(&x);
}
