/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* icmp_quote.bpf.h: an ICMP error (unreachable, time exceeded, ...) counts to
 * the flow whose packet it quotes, as Suricata and Zeek tie it: a beacon to a
 * C2 address that a router answers "unreachable", a connection to 445 that a
 * firewall refuses, an echo request to a C2 address (ICMP tunnels) that
 * comes back "host unreachable". The error stays a flow of its own too (its Community ID
 * is its own); this only adds it to the quoted flow's counters. */
#ifndef XH_ICMP_QUOTE_BPF_H
#define XH_ICMP_QUOTE_BPF_H

#include "maps.bpf.h"
#include "clock.bpf.h"
#include "parse.h"
#include "flow.bpf.h"
#include "sweep.bpf.h"

/* UDP's traceroute ports (33434 and the 100 after it, as traceroute and mtr
 * count up from it): a UDP traceroute's probes that reach its destination
 * come back "port unreachable" from ports the destination never served. */
#define XH_TRACEROUTE_PORT_LO 33434
#define XH_TRACEROUTE_PORT_HI 33534

/* Offset of the quoted IP header from the ICMP header: type, code,
 * checksum, then 4 bytes the type decides (unused, MTU, pointer). */
#define XH_ICMP_QUOTE_OFF 8

/* The ICMP error in @pkt (the entry point checked xh_icmp_is_error()): read
 * the quoted IPv4 or IPv6 header (and IPv4's AH, IPv6's extension headers)
 * and the ports after it (TCP, UDP, SCTP), or the type and code of a quoted
 * ICMP message that is not an error itself, as the parser makes them into
 * ports; and count the error to the quoted packet's flow if xdphunt keeps
 * it, in the direction back to that packet's sender. A quote cut before the
 * ports, a later fragment, an error about an error or a quote whose sender
 * is not the error's destination is left alone. Global: the quote's parse
 * gets its own frame. Returns 0. */
__noinline int xh_icmp_quote(struct xdp_md *ctx, const struct xh_pkt *pkt, struct xh_stats *stats)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct xh_flow_state *st;
	struct xh_flow_key key;
	struct xh_pkt q;
	const __u8 *ip, *l4;
	__u32 hl;
	int src_is_s;

	if (!pkt || !stats)
		return 0;
	ip = (const __u8 *)data + ((pkt->l4_off + XH_ICMP_QUOTE_OFF) & XH_PARSE_MAX_OFF);
	__builtin_memset(&q, 0, sizeof(q));
	if (pkt->family == XH_AF_INET) {
		if ((const void *)(ip + 20) > end || ip[0] >> 4 != 4)
			return 0;
		hl = (ip[0] & 0xf) * 4;
		if (hl < 20 || ((ip[6] << 8 | ip[7]) & XH_IP_OFFMASK))
			return 0;
		q.proto = ip[9];
		__builtin_memcpy(&q.saddr[0], ip + 12, 4);
		__builtin_memcpy(&q.daddr[0], ip + 16, 4);
		l4 = ip + hl;
		/* One IPsec AH header (transport mode), stepped over as
		 * xh_parse_ipv4() steps over it; the quote must reach past
		 * it, which RFC 792's 8 bytes do not. */
		if (q.proto == IPPROTO_AH) {
			const __u8 *ah = xh_rebase(data, (void *)l4);

			if (!ah || (const void *)(ah + 8) > end)
				return 0;
			q.proto = ah[0];
			l4 = xh_rebase(data, (void *)(ah + xh_ah_len(ah)));
			if (!l4)
				return 0;
		}
	} else {
		__u8 nh;

		if ((const void *)(ip + 40) > end || ip[0] >> 4 != 6)
			return 0;
		nh = ip[6];
		__builtin_memcpy(q.saddr, ip + 8, 16);
		__builtin_memcpy(q.daddr, ip + 24, 16);
		l4 = ip + 40;
		/* Extension headers, walked as xh_parse_ipv6() walks them. */
		for (int i = 0; i < XH_MAX_IPV6_EXT && xh_ipv6_is_ext(nh); i++) {
			const __u8 *eh = xh_rebase(data, (void *)l4);

			if (!eh || (const void *)(eh + 8) > end)
				return 0;
			if (nh == IPPROTO_FRAGMENT && xh_ipv6_frag_later(eh))
				return 0; /* a later fragment: no ports */
			l4 = eh + xh_ipv6_ext_len(nh, eh);
			nh = eh[0];
		}
		if (xh_ipv6_is_ext(nh))
			return 0;
		q.proto = nh;
		l4 = xh_rebase(data, (void *)l4);
		if (!l4)
			return 0;
	}
	if ((const void *)(l4 + 4) > end)
		return 0;
	if (q.proto == IPPROTO_TCP || q.proto == IPPROTO_UDP || q.proto == IPPROTO_SCTP) {
		__builtin_memcpy(&q.sport, l4, 2);
		__builtin_memcpy(&q.dport, l4 + 2, 2);
	} else if (q.proto == (pkt->family == XH_AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6)) {
		/* No error is sent about an error (RFC 1122, 4443). */
		if (xh_icmp_is_error(q.proto, l4[0]))
			return 0;
		q.sport = bpf_htons(l4[0]);
		q.dport = bpf_htons(xh_icmp_dport(q.proto, l4[0], l4[1]));
	} else {
		return 0;
	}
	/* An error goes back to the sender of what it quotes. */
	for (int i = 0; i < 4; i++)
		if (q.saddr[i] != pkt->daddr[i])
			return 0;
	q.family = pkt->family;
	/* A closed UDP port's answer (ICMP 3/3, ICMPv6 1/4) to a datagram
	 * with a payload: nmap -sU's probes of the ports it has a payload
	 * for, which scan.port_scan cannot tell from a client's datagrams
	 * until the target says no service was there. An empty datagram was
	 * counted when it went by: its port counts once. */
	if (xh_cfg_portscan_threshold && q.proto == IPPROTO_UDP && xh_icmp_port_unreachable(pkt) &&
	    (bpf_ntohs(q.dport) < XH_TRACEROUTE_PORT_LO ||
	     bpf_ntohs(q.dport) > XH_TRACEROUTE_PORT_HI)) {
		q.vlan[0] = pkt->vlan[0];
		q.vlan[1] = pkt->vlan[1];
		q.vlan_count = pkt->vlan_count;
		q.pflags = XH_PKT_QUOTED;
		xh_portscan(ctx, &q);
		stats->cnt[XH_CNT_UDP_UNREACHABLE]++;
		q.pflags = 0;
	}
	src_is_s = xh_flow_key_make(&q, &key);
	st = bpf_map_lookup_elem(&xh_flows, &key);
	if (!st)
		return 0;
	/* Sent, for the flow's counters, by the quoted packet's receiver. */
	xh_flow_account(st, !src_is_s, xh_pkt_frame_len(ctx, pkt), xh_now_coarse_ns());
	stats->cnt[XH_CNT_ICMP_QUOTED]++;
	return 0;
}

#endif /* XH_ICMP_QUOTE_BPF_H */
