// SPDX-License-Identifier: GPL-2.0
/* evgen.bpf.c: bench only. Emits one hunt event per run through the real
 * bpf/emit.bpf.h (same reserve, fill, watermark wake-up and loss counting as
 * xdphunt), on a different flow each time, so `xh_bench ringbuf` can drive
 * the userspace side (ring buffer -> enrichment -> JSON lines) at any rate. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xh_abi.h"
#include "parse.h"
#include "maps.bpf.h"
#include "emit.bpf.h"

struct xh_stats xh_bench_stats; /* cnt[XH_CNT_EVENTS], cnt[XH_CNT_EVENTS_LOST] */
__u64 xh_bench_seq;
__u32 xh_bench_batch = 1; /* events per run, set by userspace before each run */

/* One event per call. bpf_loop() instead of the test run's repeat: a test
 * run with repeat >= 2 costs about 26 ms of fixed time on this kernel, a
 * single run a microsecond, so a paced producer needs single runs. */
struct loop_ctx {
	struct xdp_md *ctx; /* bpf_loop() passes a stack pointer, not the context */
};

static long emit_one(__u32 i __attribute__((unused)), struct loop_ctx *lc)
{
	struct xh_pkt pkt = {};
	struct xh_flow_key key = {};
	struct xh_flow_state st = {};
	__u64 n = xh_bench_seq++;

	/* 192.0.2.x:port -> 203.0.113.66:443, a new client port every event. */
	key.saddr[0] = bpf_htonl(0xc0000200 | (__u32)(1 + (n & 0x7f)));
	key.daddr[0] = bpf_htonl(0xcb007142);
	key.sport = bpf_htons((__u16)(1024 + (n & 0x7fff)));
	key.dport = bpf_htons(443);
	key.proto = IPPROTO_TCP;
	key.family = XH_AF_INET;
	st.pkts[XH_DIR_TOSERVER] = 1;
	st.bytes[XH_DIR_TOSERVER] = 64;
	xh_emit(lc->ctx, &pkt, &key, &st, XH_RULE_IOC_DEST, 1, &xh_bench_stats);
	return 0;
}

SEC("xdp")
int xh_evgen(struct xdp_md *ctx)
{
	struct loop_ctx lc = {.ctx = ctx};

	bpf_loop(xh_bench_batch, emit_one, &lc, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
