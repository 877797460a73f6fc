// SPDX-License-Identifier: GPL-2.0
/* xdphunt.bpf.c: the XDP entry point. Parse, classify, track classified flows,
 * count, emit findings; the verdict is XDP_PASS (xdphunt watches) except for
 * packets of block-mode IoC feeds (XDP_DROP). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <xdp/xdp_helpers.h>
#include "xh_abi.h"
#include "parse.h"
#include "maps.bpf.h"
#include "classify.bpf.h"
#include "flow.bpf.h"
#include "emit.bpf.h"
#include "ioc_name.bpf.h"
#include "dcerpc.bpf.h"
#include "smb.bpf.h"
#include "sweep.bpf.h"

/* libxdp dispatcher metadata: run early, and let the next program run. */
struct {
	__uint(priority, 10);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(xdphunt);

/* 0 while userspace fills xh_ports and the IoC tries (user/loader.c sets it
 * before load and arms after), so no packet is judged against half-filled
 * maps. 1 by default so the object also works when loaded on its own. */
__u32 xh_armed = 1;

/* Per-packet protocol counters from the parse result. */
static __always_inline void xh_count_parse(struct xh_stats *stats, const struct xh_pkt *pkt,
					   int res)
{
	if (pkt->vlan_count)
		stats->cnt[XH_CNT_VLAN]++;
	if (pkt->family == XH_AF_INET)
		stats->cnt[XH_CNT_IPV4]++;
	else if (pkt->family == XH_AF_INET6)
		stats->cnt[XH_CNT_IPV6]++;

	if (res < 0) {
		/* 64-bit and behind a barrier, so the bound check stays: the
		 * 6.1 verifier drops every bound of a negation, even of a
		 * constant, and rejected the index without it. */
		__u64 perr = -(__s64)res;

		barrier_var(perr);
		stats->cnt[XH_CNT_PARSE_ERR]++;
		/* The bound check is for the verifier: perr comes from a return value. */
		if (perr < XH_PERR__MAX)
			stats->perr[perr]++;
		return;
	}
	if (res == XH_PARSE_L2) {
		stats->cnt[XH_CNT_NON_IP]++;
	} else if (pkt->frag) {
		stats->cnt[XH_CNT_FRAGMENT]++;
	} else if (res == XH_PARSE_L4 && pkt->proto == IPPROTO_TCP) {
		stats->cnt[XH_CNT_TCP]++;
	} else if (res == XH_PARSE_L4 && pkt->proto == IPPROTO_UDP) {
		stats->cnt[XH_CNT_UDP]++;
	} else if (res == XH_PARSE_L4) {
		stats->cnt[XH_CNT_ICMP]++;
	} else {
		stats->cnt[XH_CNT_L4_OTHER]++;
	}
}

/* Classify a parsed packet, track its flow and emit findings. A global
 * (non-static, noinline) function, so the verifier checks it once with
 * unknown packet fields instead of once per path through the parser: inlined,
 * the combinations of VLAN tags, IPv6 extension headers and L4 protocols
 * exceeded the 1M-instruction limit (kernel 6.18, clang 14). The caller must
 * not read *pkt after the call: older verifiers (6.1) keep the caller's view
 * of that stack memory across a global call. @svc: the TCP port services
 * (xh_svc_pack()), looked up once by the caller. Returns the verdict
 * (XDP_PASS, or XDP_DROP for a block-mode IoC) with XH_HUNT_* flags
 * (bpf/flow.bpf.h). */
__noinline int xh_hunt(struct xdp_md *ctx, const struct xh_pkt *pkt, int res,
		       struct xh_stats *stats, __u32 svc)
{
	/* The frame length, recomputed: BPF functions take five arguments. */
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u64 bytes = (__u64)(data_end - data);
	struct xh_class_res cls;
	int c, flags;

	/* Global function pointer arguments may be NULL for the verifier. */
	if (!pkt || !stats)
		return XDP_PASS;
	xh_classify(pkt, res, svc, stats, &cls);
	xh_ioc_names(ctx, pkt, res, stats, &cls);
	if (!cls.classes)
		return XDP_PASS;
	for (c = 0; c < XH_CLASS__MAX; c++) {
		if (cls.classes & (1 << c)) {
			stats->class_pkts[c]++;
			stats->class_bytes[c] += bytes;
		}
	}
	flags = xh_flow_handle(ctx, pkt, &cls, stats, bytes);
	if (cls.name_ref)
		xh_ioc_name_report(ctx, pkt, &cls, stats);
	/* Block mode: the only verdict xdphunt changes (see README). */
	if ((cls.ioc_src | cls.ioc_dst | cls.name_ref) & XH_IOC_F_BLOCK) {
		stats->ioc[XH_IOC_CNT_DROP]++;
		return XDP_DROP | flags;
	}
	return XDP_PASS | flags;
}

/* Could the TCP payload at @p (@len bytes) start a DCE/RPC PDU (version 5)
 * or, to an SMB server port, a NetBIOS message carrying one? Two bytes read
 * here spare ordinary segments the call into bpf/dcerpc.bpf.h. */
static __always_inline int xh_rpc_candidate(const __u8 *p, void *data_end, __u32 len, __u32 svc)
{
	if (len < XH_RPC_HDR_LEN || (void *)(p + 2) > data_end)
		return 0;
	if (p[0] == 5)
		return 1;
	return p[0] == 0 && xh_svc_dst(svc) == XH_SVC_SMB;
}

SEC("xdp")
int xdphunt(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u64 bytes = (__u64)(data_end - data);
	struct xh_stats *stats;
	struct xh_pkt pkt;
	__u32 zero = 0, svc = 0;
	int res, rpc = 0, smb = 0, syn445 = 0, ret;

	if (!xh_armed)
		return XDP_PASS;
	/* A one-entry per-CPU array cannot miss; if it ever did there would be
	 * nowhere to count it. */
	stats = bpf_map_lookup_elem(&xh_counters, &zero);
	if (!stats)
		return XDP_PASS;
	stats->cnt[XH_CNT_PACKETS]++;
	stats->cnt[XH_CNT_BYTES] += bytes;

	res = xh_parse(data, data_end, &pkt);
	xh_count_parse(stats, &pkt, res);
	/* Errors, non-IP and later fragments: nothing to classify. */
	if (res < XH_PARSE_L3 || pkt.frag)
		return XDP_PASS;
	/* Decided before xh_hunt(): *pkt is not read after a global call. The
	 * port services of TCP are looked up here, once per packet. */
	if (res == XH_PARSE_L4 && pkt.proto == IPPROTO_TCP) {
		svc = xh_svc_pack(xh_port_service(pkt.sport, stats),
				  xh_port_service(pkt.dport, stats));
		smb = pkt.payload_len &&
		      (xh_svc_src(svc) == XH_SVC_SMB || xh_svc_dst(svc) == XH_SVC_SMB);
		/* A client SYN to an SMB port (scan.smb_sweep). */
		syn445 = (pkt.tcp_flags & (XH_TCP_SYN | XH_TCP_ACK)) == XH_TCP_SYN &&
			 xh_svc_dst(svc) == XH_SVC_SMB;
		rpc = xh_rpc_candidate((const __u8 *)data + (pkt.payload_off & XH_PARSE_MAX_OFF),
				       data_end, pkt.payload_len, svc);
	}
	ret = xh_hunt(ctx, &pkt, res, stats, svc);
	if (syn445)
		xh_sweep(ctx, &pkt);
	if (smb && (ret & XH_HUNT_SMB))
		xh_smb_inspect(ctx, &pkt, !!(ret & XH_HUNT_FROM_CLIENT));
	/* DCE/RPC on any TCP port (bpf/dcerpc.bpf.h), after xh_hunt() made
	 * the state of classified flows. */
	if (rpc)
		xh_dcerpc_tcp(ctx, &pkt, stats, svc);
	return ret & 0xff;
}

char LICENSE[] SEC("license") = "GPL";
