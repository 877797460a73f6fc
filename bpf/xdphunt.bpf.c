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
#include "icmp_quote.bpf.h"
#include "remote.bpf.h"
#include "kerberos.bpf.h"
#include "clock.bpf.h"
#include "compat61.bpf.h"

/* libxdp dispatcher metadata: run early, and let the next program run. */
struct {
	__uint(priority, 10);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(xdphunt);

/* 0 while userspace fills xh_ports and the IoC tries (user/loader.c sets it
 * before load and arms after), so no packet is judged against half-filled
 * maps. 1 by default so the object also works when loaded on its own. */
__u32 xh_armed = 1;

/* The parse of the packet in hand, per CPU (XDP runs to completion on its
 * CPU). Not on the stack: the entry's frame starts every call chain, and
 * with the parse on it the chains passed the verifier's 512-byte limit
 * (6.1 and 6.18) as soon as the entry kept a few more values. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xh_pkt);
} xh_pktscr SEC(".maps");

/* Bytes of the whole frame, XDP fragments included. Called only for frames
 * that can have fragments (pkt->ip_cut, or not parsed as IP): the helper
 * call costs ~2 ns, which plain traffic does not pay. */
static __always_inline __u64 xh_frame_len(struct xdp_md *ctx)
{
	return bpf_xdp_get_buff_len(ctx);
}

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

	/* Errors, then classified by their addresses. */
	if (pkt->pflags & (XH_PKT_EXT_DEPTH | XH_PKT_IPV6_LEN0)) {
		stats->cnt[XH_CNT_PARSE_ERR]++;
		stats->perr[pkt->pflags & XH_PKT_EXT_DEPTH ? XH_PERR_IPV6_EXT_DEPTH
							   : XH_PERR_IPV6_BAD]++;
		return;
	}
	if (res < 0) {
		__u64 perr = xh_reason_index(res);

		stats->cnt[XH_CNT_PARSE_ERR]++;
		/* The bound check is for the verifier: perr comes from a return value. */
		if (perr < XH_PERR__MAX)
			stats->perr[perr]++;
		return;
	}
	if (res == XH_PARSE_L2) {
		stats->cnt[XH_CNT_NON_IP]++;
	} else if (pkt->frag || (pkt->pflags & XH_PKT_L4_CUT)) {
		stats->cnt[XH_CNT_FRAGMENT]++;
	} else if (res == XH_PARSE_L4 && pkt->proto == IPPROTO_TCP) {
		stats->cnt[XH_CNT_TCP]++;
	} else if (res == XH_PARSE_L4 && pkt->proto == IPPROTO_UDP) {
		stats->cnt[XH_CNT_UDP]++;
	} else if (res == XH_PARSE_L4 && pkt->proto != IPPROTO_SCTP) {
		stats->cnt[XH_CNT_ICMP]++; /* ICMP or ICMPv6 */
	} else {
		stats->cnt[XH_CNT_L4_OTHER]++;
	}
}

/* Classify a parsed packet, track its flow and emit findings. A global
 * (non-static, noinline) function, so the verifier checks it once with
 * unknown packet fields instead of once per path through the parser: inlined,
 * the combinations of VLAN tags, IPv6 extension headers and L4 protocols
 * exceeded the 1M-instruction limit (kernel 6.18, clang 14). @pkt is the
 * per-CPU parse (xh_pktscr); @svc: the TCP port services (xh_svc_pack()),
 * looked up once by the caller, and XH_SVC_PF_* bits. Returns the verdict
 * (XDP_PASS, or XDP_DROP for a block-mode IoC) and leaves XH_HUNT_* flags
 * (bpf/flow.bpf.h) in pkt->hunt. It also counts the bytes of a frame past
 * its first buffer (XDP fragments): the entry point sends here every frame
 * that may have some (pkt->ip_cut, or not parsed as IP), and those it need
 * not classify (@res below XH_PARSE_L3, later IP fragments) are only
 * counted. Not in the entry point: a helper call there grew its frame past
 * 64 bytes, and the longest call chain past 6.1's 512-byte stack limit. */
__noinline int xh_hunt(struct xdp_md *ctx, struct xh_pkt *pkt, int res, struct xh_stats *stats,
		       __u32 svc)
{
	struct xh_class_res cls;
	__u64 bytes, linear;
	int c;

	/* Global function pointer arguments may be NULL for the verifier. */
	if (!pkt || !stats)
		return XDP_PASS;
	linear = (__u64)((void *)(long)ctx->data_end - (void *)(long)ctx->data);
	bytes = linear;
	if (res < XH_PARSE_L3 || pkt->ip_cut) {
		bytes = xh_frame_len(ctx);
		stats->cnt[XH_CNT_BYTES] += bytes - linear;
	}
	/* The entry point counted what the capture cut off already. */
	bytes += xh_capture_extra();
	if (res < XH_PARSE_L3 || pkt->frag)
		return XDP_PASS;
	xh_classify(pkt, res, svc, stats, &cls);
	/* XH_SVC_PF_KNOWN: xh_prefilter() found no name to look at. */
	if (!(svc & XH_SVC_PF_KNOWN))
		xh_ioc_names(ctx, pkt, res, stats, &cls);
	if (!cls.classes) {
		if (cls.svc_src == XH_SVC_RPC_DYN || cls.svc_dst == XH_SVC_RPC_DYN)
			xh_rpc_dyn_follow(pkt, &cls, svc, bytes, stats);
		return XDP_PASS;
	}
	for (c = 0; c < XH_CLASS__MAX; c++) {
		if (cls.classes & (1 << c)) {
			stats->class_pkts[c]++;
			stats->class_bytes[c] += bytes;
		}
	}
	pkt->hunt = xh_flow_handle(ctx, pkt, &cls, stats, bytes);
	if (cls.name_ref)
		xh_ioc_name_report(ctx, pkt, &cls, stats);
	/* Block mode: the only verdict xdphunt changes (see README). */
	if ((cls.ioc_src | cls.ioc_dst | cls.name_ref) & XH_IOC_F_BLOCK) {
		stats->ioc[XH_IOC_CNT_DROP]++;
		return XDP_DROP;
	}
	return XDP_PASS;
}

/* Could the TCP payload at @p (@len bytes) start a DCE/RPC PDU (version 5)
 * or, to an SMB server port, an SMB pipe request carrying one? A few bytes
 * read here spare ordinary segments the call into bpf/dcerpc.bpf.h. */
static __always_inline int xh_rpc_candidate(const __u8 *p, void *data_end, __u32 len, __u32 svc)
{
	if (len < XH_RPC_HDR_LEN || (void *)(p + 2) > data_end)
		return 0;
	if (p[0] == 5)
		return 1;
	return p[0] == 0 && xh_svc_dst(svc) == XH_SVC_SMB && xh_rpc_smb_pipe_cmd(p, data_end);
}

/* What the IoC prefilter says of the packet's addresses, for xh_hunt():
 * XH_SVC_PF_KNOWN with XH_SVC_PF_SRC / _DST for each address it lets
 * through (so xh_classify() does not test them again), or XH_SVC_HUNT when
 * it was not read (a service port @svc, a name: DNS query or ClientHello,
 * or an empty prefilter slot, which says "look everything up"). Alone,
 * XH_SVC_PF_KNOWN means no rule of xh_hunt() can match: the entry point then
 * passes the packet without the call, which with its classification was
 * most of what a plain packet cost (make bench: plain TCP and UDP). */
static __always_inline __u32 xh_prefilter(struct xdp_md *ctx, const struct xh_pkt *pkt, int res,
					  __u32 svc)
{
	__u32 zero = 0, m;
	void *pf;

	if (svc || xh_ioc_name_kind(ctx, pkt, res))
		return XH_SVC_HUNT;
	pf = bpf_map_lookup_elem(&xh_iocpf, &zero);
	if (!pf)
		return XH_SVC_HUNT;
	m = XH_SVC_PF_KNOWN;
	if (xh_ioc_maybe(pf, pkt->family, pkt->saddr))
		m |= XH_SVC_PF_SRC;
	if (xh_ioc_maybe(pf, pkt->family, pkt->daddr))
		m |= XH_SVC_PF_DST;
	return m;
}

/* What the entry point does after xh_hunt(), decided before it (bits above
 * the 16 of the port services in the same word, so that one register holds
 * it across the call: spilled flags put the entry's frame past what 6.1's
 * 512-byte call-chain limit leaves it). */
#define XH_AFTER_SWEEP (1u << 16) /* a client probe to an SMB port (scan.smb_sweep) */
#define XH_AFTER_SMB   (1u << 17) /* TCP payload to or from an SMB port */
#define XH_AFTER_RPC   (1u << 18) /* TCP payload that may start a DCE/RPC PDU */
#define XH_AFTER_ICMP  (1u << 19) /* an ICMP error: its quote may name a flow */

/* The port services (xh_svc_pack()) and XH_AFTER_* of a TCP packet; and
 * XH_PKT_REMOTE and XH_PKT_PROBE in pkt->pflags. */
static __always_inline __u32 xh_tcp_after(struct xh_pkt *pkt, void *data, void *data_end,
					  struct xh_stats *stats)
{
	__u32 svc =
		xh_svc_pack(xh_port_service(pkt->sport, stats), xh_port_service(pkt->dport, stats));
	__u32 after = svc;
	const __u8 *p = (const __u8 *)data + (pkt->payload_off & XH_PARSE_MAX_OFF);

	if (pkt->payload_len && (xh_svc_src(svc) == XH_SVC_SMB || xh_svc_dst(svc) == XH_SVC_SMB))
		after |= XH_AFTER_SMB;
	if (xh_tcp_probe(pkt->tcp_flags) && xh_svc_dst(svc) == XH_SVC_SMB)
		after |= XH_AFTER_SWEEP;
	if (xh_rpc_candidate(p, data_end, pkt->payload_len, svc))
		after |= XH_AFTER_RPC;
	if (xh_remote_candidate(p, data_end, pkt->payload_len))
		pkt->pflags |= XH_PKT_REMOTE;
	/* scan.port_scan reads every client probe, on any port, and
	 * scan.service_sweep those to its ports; thresholds of 0 (--port-scan
	 * off, --service-sweep off) drop the mark and the calls at load. */
	if ((xh_cfg_portscan_threshold || xh_cfg_svcsweep_threshold) &&
	    xh_tcp_probe(pkt->tcp_flags))
		pkt->pflags |= XH_PKT_PROBE;
	if (xh_krb_candidate(pkt))
		pkt->pflags |= XH_PKT_KRB;
	return after;
}

/* xdp.frags (BPF_F_XDP_HAS_FRAGS): the program takes multi-buffer frames, so
 * it attaches in native mode to interfaces whose MTU does not fit a page
 * (jumbo frames). [data, data_end) is then the frame's first buffer, which
 * holds the headers; the parser never reads past it, and
 * bpf_xdp_load_bytes() reads on into the fragments. */
SEC("xdp.frags")
int xdphunt(struct xdp_md *ctx)
{
	struct xh_stats *stats;
	struct xh_pkt *pkt;
	__u32 zero = 0, after = 0, pf;
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	int res, ret, logons;

	if (!xh_armed)
		return XDP_PASS;
	/* One-entry per-CPU arrays cannot miss; if one ever did there would
	 * be nowhere to count it. */
	stats = bpf_map_lookup_elem(&xh_counters, &zero);
	pkt = bpf_map_lookup_elem(&xh_pktscr, &zero);
	if (!stats || !pkt)
		return XDP_PASS;
	stats->cnt[XH_CNT_PACKETS]++;
	stats->cnt[XH_CNT_BYTES] += data_end - data + xh_capture_extra();

	/* Replay: TSO lengths, and TCP options a snap length cut (a record
	 * longer on the wire than in the file). */
	res = xh_parse(data, data_end, pkt,
		       xh_cfg_capture
			       ? XH_PARSE_F_TSO | (xh_capture_len_adj > 0 ? XH_PARSE_F_SNAP : 0)
			       : 0);
	xh_count_parse(stats, pkt, res);
	/* Errors, non-IP and later fragments: nothing to classify;
	 * xh_hunt() only counts their bytes past the first buffer, if any. */
	if (res < XH_PARSE_L3 || pkt->frag)
		return xh_hunt(ctx, pkt, res, stats, 0);
	/* The port services of TCP are looked up here, once per packet. */
	if (res == XH_PARSE_L4 && pkt->proto == IPPROTO_TCP)
		after = xh_tcp_after(pkt, data, data_end, stats);
	else if (res == XH_PARSE_L4 && xh_icmp_is_error(pkt->proto, bpf_ntohs(pkt->sport)))
		after = XH_AFTER_ICMP;
	else if (res == XH_PARSE_L4 && pkt->proto == IPPROTO_UDP) {
		if (xh_krb_candidate(pkt))
			pkt->pflags |= XH_PKT_KRB;
		/* --port-scan off drops the mark at load, as for TCP. */
		else if (xh_cfg_portscan_threshold && xh_udp_probe(pkt))
			pkt->pflags |= XH_PKT_PROBE;
	}
	pf = xh_prefilter(ctx, pkt, res, after & 0xffff);
	if (pf == XH_SVC_PF_KNOWN && !after && !pkt->ip_cut) {
		/* An RDP or SSH opening and a probe need no xh_hunt(). */
		if (pkt->pflags & XH_PKT_REMOTE)
			xh_remote(ctx, pkt, stats, 0);
		if (pkt->pflags & (XH_PKT_PROBE | XH_PKT_KRB))
			xh_window_rules(ctx, pkt);
		return XDP_PASS;
	}
	ret = xh_hunt(ctx, pkt, res, stats, (after & 0xffff) | pf);
	/* A threshold of 0 (--smb-sweep off, --smb-brute-force off) is
	 * constant at load: the verifier drops the call. */
	if ((after & XH_AFTER_SWEEP) && xh_cfg_sweep_threshold)
		xh_sweep(ctx, pkt);
	/* xh_smb_inspect() returns the failed logons it read (for xh_brute()). */
	if ((after & XH_AFTER_SMB) && (pkt->hunt & XH_HUNT_SMB)) {
		logons = xh_smb_inspect(ctx, pkt, !!(pkt->hunt & XH_HUNT_FROM_CLIENT));
		if (logons > 0 && xh_cfg_brute_threshold)
			xh_brute(ctx, logons);
	}
	/* DCE/RPC on any TCP port (bpf/dcerpc.bpf.h), after xh_hunt() made
	 * the state of classified flows. */
	if (after & XH_AFTER_RPC)
		xh_dcerpc_tcp(ctx, pkt, stats, after & 0xffff);
	if (after & XH_AFTER_ICMP)
		xh_icmp_quote(ctx, pkt, stats);
	if (pkt->pflags & XH_PKT_REMOTE)
		xh_remote(ctx, pkt, stats, after & 0xffff);
	if (pkt->pflags & (XH_PKT_PROBE | XH_PKT_KRB))
		xh_window_rules(ctx, pkt);
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
