/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* classify.bpf.h: which classes a packet belongs to: SMB/RPC by service port
 * (xh_ports), IoC by lookup of both addresses (bpf/ioc.bpf.h). */
#ifndef XH_CLASSIFY_BPF_H
#define XH_CLASSIFY_BPF_H

#include "maps.bpf.h"
#include "parse.h"
#include "ioc.bpf.h"

/* Per-packet classification, in packet (not client/server) orientation. */
struct xh_class_res {
	__u32 ioc_src;	/* IoC id of the source address, 0 if none */
	__u32 ioc_dst;	/* IoC id of the destination address, 0 if none */
	__u8 svc_src;	/* enum xh_service of the source port (TCP only) */
	__u8 svc_dst;	/* enum xh_service of the destination port (TCP only) */
	__u8 classes;	/* 1 << XH_CLASS_* */
	__u8 name_rule; /* XH_RULE_IOC_DNS / _TLS_SNI when name_ref is set */
	__u32 name_ref; /* IoC reference of a DNS/SNI name (bpf/ioc.bpf.h), 0 if none */
};

/* enum xh_service of a network-order port. A miss cannot happen for a 16-bit
 * index into a 65536-entry array, but is counted as XH_CNT_MAP_ERR anyway. */
static __always_inline __u8 xh_port_service(__be16 port, struct xh_stats *stats)
{
	__u32 key = bpf_ntohs(port);
	__u8 *svc = bpf_map_lookup_elem(&xh_ports, &key);

	if (!svc) {
		stats->cnt[XH_CNT_MAP_ERR]++;
		return XH_SVC_NONE;
	}
	return *svc;
}

/* The services of a packet's source and destination ports in one scalar,
 * so they pass between global functions as an argument. */
static __always_inline __u32 xh_svc_pack(__u8 svc_src, __u8 svc_dst)
{
	return (__u32)svc_src | (__u32)svc_dst << 8;
}

static __always_inline __u8 xh_svc_src(__u32 svc)
{
	return svc & 0xff;
}

static __always_inline __u8 xh_svc_dst(__u32 svc)
{
	return (svc >> 8) & 0xff;
}

/* Above the services in the same word, what the entry point learnt from the
 * IoC prefilter (xh_prefilter() in xdphunt.bpf.c). */
#define XH_SVC_PF_SRC	(1u << 16) /* the source address may be an IoC */
#define XH_SVC_PF_DST	(1u << 17) /* the destination address may be an IoC */
#define XH_SVC_PF_KNOWN (1u << 18) /* the two bits above are the prefilter's answer */
#define XH_SVC_HUNT	(1u << 19) /* classify in full (prefilter not read) */

/* Classify an IP packet that is not a later fragment (@res >= XH_PARSE_L3).
 * SMB/RPC need a TCP header; IoC applies to any IP protocol (ports 0 when
 * there are none). @svc: the port services of a TCP packet (xh_svc_pack(),
 * 0 otherwise), looked up once by the entry point, with XH_SVC_PF_* bits. Fills @cls and returns
 * its class mask (0: plain traffic). */
static __always_inline __u8 xh_classify(const struct xh_pkt *pkt, int res, __u32 svc,
					struct xh_stats *stats, struct xh_class_res *cls)
{
	__u32 zero = 0;
	void *pf;

	__builtin_memset(cls, 0, sizeof(*cls));
	if (res == XH_PARSE_L4 && pkt->proto == IPPROTO_TCP) {
		cls->svc_src = xh_svc_src(svc);
		cls->svc_dst = xh_svc_dst(svc);
		if (cls->svc_src == XH_SVC_SMB || cls->svc_dst == XH_SVC_SMB)
			cls->classes |= 1 << XH_CLASS_SMB;
		if (cls->svc_src == XH_SVC_RPC || cls->svc_dst == XH_SVC_RPC)
			cls->classes |= 1 << XH_CLASS_RPC;
	}
	/* The prefilter slot is read once, before any trie (bpf/ioc.bpf.h);
	 * with XH_SVC_PF_KNOWN the entry point has its answers already. */
	pf = bpf_map_lookup_elem(&xh_iocpf, &zero);
	cls->ioc_src =
		xh_ioc_addr(pf, svc & XH_SVC_PF_KNOWN, (svc & XH_SVC_PF_SRC) << 2, pkt->family,
			    pkt->saddr, pkt->sport, res == XH_PARSE_L4, pkt->proto, stats);
	cls->ioc_dst =
		xh_ioc_addr(pf, svc & XH_SVC_PF_KNOWN, (svc & XH_SVC_PF_DST) << 1, pkt->family,
			    pkt->daddr, pkt->dport, res == XH_PARSE_L4, pkt->proto, stats);
	if (cls->ioc_src || cls->ioc_dst)
		cls->classes |= 1 << XH_CLASS_IOC;
	return cls->classes;
}

#endif /* XH_CLASSIFY_BPF_H */
