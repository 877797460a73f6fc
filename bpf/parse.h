/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* parse.h: pure packet parsers over (data, data_end) and flow-key canonicalisation.
 * No maps and no helpers, so selftests/unit compiles this natively under ASan/UBSan.
 *
 * Every read is preceded by a bounds check against data_end, written in the
 * `ptr + len > data_end` shape the verifier turns into a packet range. Header
 * lengths taken from the packet (IHL, TCP doff, IPv6 extension lengths) are
 * masked to their field width first, so the verifier always knows their bound.
 * <linux/icmp.h> is not included: it pulls in libc's <sys/socket.h>, which
 * does not build for --target=bpf; ICMP is read as raw type/code bytes.
 */
#ifndef XH_PARSE_H
#define XH_PARSE_H

#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <bpf/bpf_endian.h>
#include "xh_abi.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif
/* Pre-standard QinQ outer tag, still seen on older switches. */
#define XH_ETH_P_QINQ_9100 0x9100

/* xh_parse() flags. */
/* A capture (replay): an IPv4 total length or IPv6 payload length of 0 means
 * the rest of the frame (segments before the NIC split them: TSO, BIG TCP). */
#define XH_PARSE_F_TSO 0x1
/* The frame may end before its IP length says (a capture's snap length):
 * a TCP header whose options run past the frame, but not past the IP
 * length, is read for its ports and flags, with no payload. */
#define XH_PARSE_F_SNAP 0x2

/* Successful results of xh_parse(); errors are -XH_PERR_*. */
enum xh_parse_res {
	XH_PARSE_L2 = 0, /* Ethernet only: not IPv4/IPv6 (pkt->family == 0) */
	XH_PARSE_L3 = 1, /* IP header parsed, no ports: later fragment, ESP, other protocol */
	XH_PARSE_L4 = 2, /* TCP, UDP, SCTP, ICMP or ICMPv6 header parsed: ports valid */
};

/* What the datapath knows about one packet. Addresses and ports in network
 * order; IPv4 uses saddr[0]/daddr[0] and the rest is zero. For ICMP and ICMPv6,
 * sport = bpf_htons(type) and dport = bpf_htons(code), or of the type that
 * answers it for a request/reply pair (xh_icmp_dport()). Offsets are relative to
 * data. Not part of the ABI: userspace never sees it. */
struct xh_pkt {
	__be32 saddr[4];
	__be32 daddr[4];
	__be16 sport;
	__be16 dport;
	__u16 vlan[XH_MAX_VLANS]; /* VLAN ids (12 bits, host order), outer first */
	__u16 l3_off;		  /* IP header */
	__u16 l4_off;		  /* L4 header (after IPv6 extension headers) */
	__u16 payload_off;	  /* L4 payload: after TCP options / UDP / ICMP header */
	__u16 payload_len;	  /* clamped by the IP length and by data_end */
	__u8 family;		  /* XH_AF_INET, XH_AF_INET6, or 0 for non-IP */
	__u8 proto;		  /* IPPROTO_* of the L4 header (last IPv6 next header) */
	__u8 tcp_flags;		  /* byte 13 of the TCP header (XH_TCP_*) */
	__u8 vlan_count;
	__u8 frag; /* 1: IP fragment after the first (no L4 header) */
	/* Not the parser's: XH_HUNT_* of xh_hunt() (bpf/flow.bpf.h) for the
	 * entry point, through memory rather than a return value the verifier
	 * would track as a constant per path. */
	__u8 hunt;
	/* 1: the IP length goes on past data_end: the frame is cut short or
	 * continues in XDP fragments (the parser sees the first buffer only). */
	__u8 ip_cut;
	__u8 pflags;   /* XH_PKT_* */
	__u64 flow_id; /* also xh_hunt()'s: the flow's xh_flow_state.id, 0 if not tracked */
};

/* xh_pkt.pflags */
/* A first IP fragment too short for its L4 header, parsed as a protocol
 * without ports (XH_PARSE_L3). */
#define XH_PKT_L4_CUT	  0x01
#define XH_PKT_FIRST_FRAG 0x02 /* within the parse: a first fragment with more to come */
/* An ICMP message of no request/reply pair (an error, a redirect...): its
 * flow keeps the direction it travelled, as the Community ID hashes it. */
#define XH_PKT_ONE_WAY 0x04
/* An IPv6 header chain longer than XH_MAX_IPV6_EXT: counted as the parse
 * error ipv6_ext_depth, and parsed as a protocol without ports (XH_PARSE_L3,
 * XH_PKT_L4_CUT, the protocol the header the walk stopped at). Linux walks
 * any chain and delivers the packet: nine destination options headers must
 * not hide a C2 address. */
#define XH_PKT_EXT_DEPTH 0x08
/* Live, an IPv6 payload length of 0 that is no jumbogram of Linux's: no
 * hop-by-hop header (Linux trims the packet to its fixed header), or one
 * with a jumbo payload option that is not valid (none is in a frame of
 * 64 KiB or less: dropped). Counted as the parse error ipv6_bad, and parsed as a protocol
 * without ports and payload (XH_PARSE_L3, XH_PKT_L4_CUT, the next header),
 * so that its addresses are still classified. */
#define XH_PKT_IPV6_LEN0 0x10
/* Not the parser's: the entry point's mark of a TCP payload that may open
 * RDP or SSH (bpf/remote.bpf.h), kept in memory rather than in a register
 * the verifier would carry as a constant down every path after it. */
#define XH_PKT_REMOTE 0x20
/* The same for a client probe (xh_tcp_probe(), xh_udp_probe()), which
 * scan.port_scan and scan.service_sweep count (bpf/sweep.bpf.h xh_probe()); a call decided in the
 * entry point's registers put 15 ns on test-run's SMB tree connect, which is no probe. */
#define XH_PKT_PROBE 0x40
/* The same for a segment or datagram from or to a KDC's port 88, which
 * kerberos.brute_force reads (bpf/kerberos.bpf.h). */
#define XH_PKT_KRB 0x80
/* Only on the packet an ICMP error quotes, which xh_icmp_quote() builds:
 * a UDP datagram the target's "port unreachable" says reached a closed
 * port, which scan.port_scan counts as the probe it was. It shares
 * XH_PKT_FIRST_FRAG's bit, which the parser clears before it returns. */
#define XH_PKT_QUOTED 0x02

/* TCP flags as in byte 13 of the header. */
#define XH_TCP_FIN 0x01
#define XH_TCP_SYN 0x02
#define XH_TCP_RST 0x04
#define XH_TCP_PSH 0x08
#define XH_TCP_ACK 0x10
#define XH_TCP_URG 0x20

/* Whether TCP @flags make a client's probe, which the scan rules count: a
 * SYN without ACK (a connection's first segment, nmap -sS and -sT), or a
 * stealth scan's FIN, NULL or Xmas probe (nmap -sF, -sN, -sX). RFC 9293
 * sets ACK on every segment after the SYN, so a segment without ACK that
 * is no reset opens a connection or probes a port. */
static __always_inline int xh_tcp_probe(__u8 flags)
{
	return !(flags & (XH_TCP_ACK | XH_TCP_RST));
}

/* Whether the UDP datagram @pkt is empty (a UDP length of 8), which
 * scan.port_scan counts as a probe: nmap -sU sends one to every port it
 * has no payload for (44 of its 100 most common UDP ports), and a service's
 * client has something to say. A datagram cut by the frame (ip_cut: a
 * capture's snap length) is not known to be empty. */
static __always_inline int xh_udp_probe(const struct xh_pkt *pkt)
{
	return !pkt->payload_len && !pkt->ip_cut;
}

#define XH_IP_MF      0x2000
#define XH_IP_OFFMASK 0x1fff

/* Largest header offset the parser follows. The linear part of an XDP frame
 * (all of it without frags) fits in a page, so a real frame never reaches it. */
#define XH_PARSE_MAX_OFF 0x7fff

/* libbpf's barrier_var(): hide a value's origin from the compiler. */
#ifndef barrier_var
#define barrier_var(var) __asm__ __volatile__("" : "+r"(var))
#endif

/* Return @pos again, with its history forgotten by the verifier, or NULL if
 * it lies beyond XH_PARSE_MAX_OFF. Pointer minus pointer is an unknown scalar
 * to the verifier, so after the bound check every path through the IPv6
 * extension headers reaches the next header in the same state and the
 * verifier prunes, instead of re-walking the rest of the parser per path.
 * Without it the 8-header walk cost 416k verified instructions, 1.7x more
 * per header; with it the whole program takes about 50k (kernel 6.18,
 * clang 14). The two barrier_var() stop clang from folding pos - data into
 * the sum of header lengths, and data + off back into pos. Covered by every
 * prog test (the program must load) and natively by test_parse/ipv6_*. */
static __always_inline void *xh_rebase(void *data, void *pos)
{
	__u64 off;

	barrier_var(pos);
	off = (__u64)((char *)pos - (char *)data);
	barrier_var(off);
	if (off > XH_PARSE_MAX_OFF)
		return 0;
	/* The mask, kept by the third barrier_var(), bounds off again where
	 * clang spilled it before the check and fills it after: 6.1's verifier
	 * keeps no bound for the spilled copy (6.18 does). */
	barrier_var(off);
	return (char *)data + (off & XH_PARSE_MAX_OFF);
}

/* Set the payload window [pos + hdr, min(pos + l4_rem, data_end)). @ip_rem
 * is how many bytes the IP length says remain from @pos, @l4_rem (at most
 * @ip_rem) how many the L4 header's length does (UDP's). */
static __always_inline void xh_set_payload_l4(struct xh_pkt *pkt, void *data, void *pos,
					      void *data_end, __u32 hdr, __u32 l4_rem, __u32 ip_rem)
{
	__u32 avail = (__u32)((char *)data_end - (char *)pos);
	__u32 end = l4_rem < avail ? l4_rem : avail;

	pkt->payload_off = (__u16)((char *)pos - (char *)data + hdr);
	pkt->payload_len = end > hdr ? (__u16)(end - hdr) : 0;
	pkt->ip_cut = ip_rem > avail;
}

/* xh_set_payload_l4() up to the IP length's end. */
static __always_inline void xh_set_payload(struct xh_pkt *pkt, void *data, void *pos,
					   void *data_end, __u32 hdr, __u32 ip_rem)
{
	xh_set_payload_l4(pkt, data, pos, data_end, hdr, ip_rem, ip_rem);
}

/* ICMP request/reply pairs: Zeek's ICMP4_counterpart / ICMP6_counterpart,
 * which Community ID v1 uses (user/community_id.c has them as a table;
 * test_parse_icmp_dport holds the two to each other). A message of a pair
 * gets the other type of the pair as its "destination port", so that a
 * request (8, 0) and its reply (0, 8) make the same flow key once ordered,
 * as they make one flow in Zeek and one Community ID; any other message gets
 * its code. Arithmetic, not a table: no global for the verifier to bound.
 * The pairs are (2n, 2n+1) or (2n+1, 2n+2), which ^ 1 and ((t + 1) ^ 1) - 1
 * swap. */
static __always_inline __u8 xh_icmp_dport(__u8 proto, __u8 type, __u8 code)
{
	if (proto == IPPROTO_ICMP) {
		if (type == 0 || type == 8)
			return 8 - type; /* echo reply, request */
		/* router advertisement, solicitation; timestamp, information
		 * and address mask requests and replies */
		if (type == 9 || type == 10 || (type >= 13 && type <= 18))
			return ((type + 1) ^ 1) - 1;
	} else if (proto == IPPROTO_ICMPV6) {
		/* echo request, reply; MLD query, report; home agent address
		 * discovery request, reply */
		if ((type >= 128 && type <= 131) || type == 144 || type == 145)
			return type ^ 1;
		/* router solicitation, advertisement; neighbour solicitation,
		 * advertisement; node information query, response */
		if ((type >= 133 && type <= 136) || type == 139 || type == 140)
			return ((type + 1) ^ 1) - 1;
	}
	return code;
}

/* Is ICMP @type of no request/reply pair (an error, a redirect...)? Its
 * xh_icmp_dport() is then its code, which tells it from the pairs. */
static __always_inline int xh_icmp_one_way(__u8 proto, __u8 type)
{
	return xh_icmp_dport(proto, type, 0) != xh_icmp_dport(proto, type, 1);
}

/* Is ICMP @type the answer of a request/reply pair above (its sender is the
 * server of the flow)? */
static __always_inline int xh_icmp_is_reply(__u8 proto, __u16 type)
{
	if (proto == IPPROTO_ICMP)
		return type == 0 || type == 9 || type == 14 || type == 16 || type == 18;
	return type == 129 || type == 131 || type == 134 || type == 136 || type == 140 ||
	       type == 145;
}

/* Is ICMP @type an error that quotes the packet it answers (the IP header
 * and the first 8 bytes after it, 4 bytes into the message after its own
 * 4-byte header): destination unreachable, source quench, redirect, time
 * exceeded, parameter problem; ICMPv6's 1-4 (packet too big among them).
 * 0 for other protocols. */
static __always_inline int xh_icmp_is_error(__u8 proto, __u16 type)
{
	if (proto == IPPROTO_ICMP)
		return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
	return proto == IPPROTO_ICMPV6 && type >= 1 && type <= 4;
}

/* Is the ICMP error @pkt a closed port's answer: ICMP destination
 * unreachable, port unreachable (3/3), or ICMPv6's (1/4)? The parser makes
 * an error's type its source port and its code its destination port. */
static __always_inline int xh_icmp_port_unreachable(const struct xh_pkt *pkt)
{
	__u16 type = bpf_ntohs(pkt->sport), code = bpf_ntohs(pkt->dport);

	if (pkt->proto == IPPROTO_ICMP)
		return type == 3 && code == 3;
	return pkt->proto == IPPROTO_ICMPV6 && type == 1 && code == 4;
}

/* L4 header at @pos with @ip_rem bytes of IP payload left: fills ports, flags
 * and payload. Returns XH_PARSE_L4 / XH_PARSE_L3 or -XH_PERR_*. */
static __always_inline int xh_parse_l4(void *data, void *pos, void *data_end, __u32 ip_rem,
				       struct xh_pkt *pkt, unsigned int flags)
{
	pkt->l4_off = (__u16)((char *)pos - (char *)data);

	switch (pkt->proto) {
	case IPPROTO_TCP: {
		struct tcphdr *th = pos;
		__u32 hlen;

		if ((void *)(th + 1) > data_end || ip_rem < sizeof(*th))
			return -XH_PERR_TCP_TRUNC;
		hlen = th->doff * 4;
		if (hlen < sizeof(*th))
			return -XH_PERR_TCP_BAD;
		/* hlen <= 60: the mask of doff bounds it for the verifier. */
		if (ip_rem < hlen)
			return -XH_PERR_TCP_TRUNC;
		/* Options cut by a capture's snap length (tcpdump -s 68 keeps
		 * no SYN's whole header): the 20 bytes read above suffice;
		 * xh_set_payload() then leaves no payload. */
		if ((char *)pos + hlen > (char *)data_end && !(flags & XH_PARSE_F_SNAP))
			return -XH_PERR_TCP_TRUNC;
		pkt->sport = th->source;
		pkt->dport = th->dest;
		pkt->tcp_flags = ((__u8 *)th)[13];
		xh_set_payload(pkt, data, pos, data_end, hlen, ip_rem);
		return XH_PARSE_L4;
	}
	case IPPROTO_UDP: {
		struct udphdr *uh = pos;
		__u32 ulen;

		if ((void *)(uh + 1) > data_end || ip_rem < sizeof(*uh))
			return -XH_PERR_UDP_TRUNC;
		/* The UDP length, as udp_rcv() and udpv6_rcv() take it: it
		 * ends the payload (Ethernet padding is past the IP length
		 * already); below 8 or past the IP payload the datagram is
		 * dropped. 0 over IPv6 is the IP payload (RFC 2675's
		 * jumbograms; Linux takes it on any). A first fragment's
		 * length counts the whole datagram. */
		ulen = bpf_ntohs(uh->len);
		/* One test for 8 <= ulen <= ip_rem (ip_rem is 8 or more). */
		if (ulen - sizeof(*uh) > ip_rem - sizeof(*uh)) {
			if (ulen == 0 && pkt->family == XH_AF_INET6)
				ulen = ip_rem;
			else if (ulen < sizeof(*uh))
				return -XH_PERR_UDP_BAD;
			else if (!(pkt->pflags & XH_PKT_FIRST_FRAG))
				return -XH_PERR_UDP_TRUNC;
			else
				ulen = ip_rem;
		}
		pkt->sport = uh->source;
		pkt->dport = uh->dest;
		/* ip_cut: the frame goes on as far as the IP length says. */
		xh_set_payload_l4(pkt, data, pos, data_end, sizeof(*uh), ulen, ip_rem);
		return XH_PARSE_L4;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		/* type, code, checksum: the part common to every ICMP message.
		 * The rest of the header depends on the type, so the payload
		 * window starts right after these 4 bytes. */
		__u8 *ih = pos;

		if ((void *)(ih + 4) > data_end || ip_rem < 4)
			return -XH_PERR_ICMP_TRUNC;
		pkt->sport = bpf_htons(ih[0]);
		pkt->dport = bpf_htons(xh_icmp_dport(pkt->proto, ih[0], ih[1]));
		if (xh_icmp_one_way(pkt->proto, ih[0]))
			pkt->pflags |= XH_PKT_ONE_WAY;
		xh_set_payload(pkt, data, pos, data_end, 4, ip_rem);
		return XH_PARSE_L4;
	}
	case IPPROTO_SCTP: {
		/* Ports, verification tag, checksum: the ports make the flow
		 * key and the Community ID (the spec hashes SCTP's ports). A
		 * header cut short is taken as a protocol without ports. */
		__be16 *sh = pos;

		if ((void *)((__u8 *)sh + 12) > data_end || ip_rem < 12)
			break;
		pkt->sport = sh[0];
		pkt->dport = sh[1];
		xh_set_payload(pkt, data, pos, data_end, 12, ip_rem);
		return XH_PARSE_L4;
	}
	default:
		break;
	}
	xh_set_payload(pkt, data, pos, data_end, 0, ip_rem);
	return XH_PARSE_L3;
}

/* xh_parse_l4() for a packet whose pkt->pflags has XH_PKT_FIRST_FRAG when
 * it is a first IP fragment with more to come (MF, or IPv6's M). A first
 * fragment too short for its L4 header (RFC 1858's tiny fragment) is taken
 * as a protocol without ports (XH_PARSE_L3, XH_PKT_L4_CUT, counted as a
 * fragment, not as a parse error), so that an IoC address is not hidden
 * by splitting the header across fragments. */
static __always_inline int xh_parse_l4_first_frag(void *data, void *pos, void *data_end,
						  __u32 ip_rem, struct xh_pkt *pkt,
						  unsigned int flags)
{
	int res = xh_parse_l4(data, pos, data_end, ip_rem, pkt, flags);
	__u8 first = pkt->pflags & XH_PKT_FIRST_FRAG;

	pkt->pflags &= ~XH_PKT_FIRST_FRAG;
	if (first && (res == -XH_PERR_TCP_TRUNC || res == -XH_PERR_UDP_TRUNC ||
		      res == -XH_PERR_ICMP_TRUNC)) {
		pkt->sport = 0;
		pkt->dport = 0;
		pkt->tcp_flags = 0;
		pkt->pflags = XH_PKT_L4_CUT;
		xh_set_payload(pkt, data, pos, data_end, 0, ip_rem);
		res = XH_PARSE_L3;
	}
	return res;
}

/* Length of an AH header whose first 8 bytes the caller checked: 4-octet
 * units minus 2 (RFC 4302), over IPv4 and IPv6 alike. */
static __always_inline __u32 xh_ah_len(const __u8 *ah)
{
	return ((__u32)ah[1] + 2) * 4;
}

static __always_inline int xh_parse_ipv4(void *data, void *pos, void *data_end, struct xh_pkt *pkt,
					 unsigned int flags)
{
	struct iphdr *iph = pos;
	__u32 hlen, tot;

	if ((void *)(iph + 1) > data_end)
		return -XH_PERR_IPV4_TRUNC;
	if (iph->version != 4 || iph->ihl < 5)
		return -XH_PERR_IPV4_BAD;
	hlen = iph->ihl * 4;
	if ((char *)pos + hlen > (char *)data_end)
		return -XH_PERR_IPV4_TRUNC;
	tot = bpf_ntohs(iph->tot_len);
	/* A capture on the sending host holds segments before the NIC split
	 * them (TCP segmentation offload), their length left 0: the rest of
	 * the frame, as tshark and Zeek read it. Live it stays an error: no
	 * host takes such a packet. One byte past the first buffer: the frame
	 * may go on in XDP fragments, and a length past data_end sets
	 * pkt->ip_cut, which makes xh_hunt() count the whole frame's bytes. */
	if (tot == 0 && (flags & XH_PARSE_F_TSO))
		tot = ((__u32)((char *)data_end - (char *)pos) & 0xffff) + 1;
	if (tot < hlen)
		return -XH_PERR_IPV4_BAD;

	pkt->family = XH_AF_INET;
	pkt->proto = iph->protocol;
	pkt->saddr[0] = iph->saddr;
	pkt->daddr[0] = iph->daddr;
	pos = (char *)pos + hlen;
	if (iph->frag_off & bpf_htons(XH_IP_OFFMASK)) {
		/* Only the first fragment carries the L4 header. */
		pkt->frag = 1;
		pkt->l4_off = (__u16)((char *)pos - (char *)data);
		xh_set_payload(pkt, data, pos, data_end, 0, tot - hlen);
		return XH_PARSE_L3;
	}
	/* MF kept in the parse across the L4 parse, not in a register:
	 * spilled, it grew the entry point's stack frame, which starts every
	 * call chain (6.1's 512-byte limit). */
	if (iph->frag_off & bpf_htons(XH_IP_MF))
		pkt->pflags = XH_PKT_FIRST_FRAG;
	tot -= hlen;
	/* IPsec AH in transport mode (Windows server and domain isolation):
	 * the L4 header follows it, as after IPv6's AH (xh_parse_ipv6()).
	 * One cut short stays protocol 51, without ports. */
	if (iph->protocol == IPPROTO_AH) {
		__u8 *ah = pos;
		__u32 alen;

		if ((void *)(ah + 8) <= data_end && tot >= 8) {
			alen = xh_ah_len(ah);
			if ((char *)pos + alen <= (char *)data_end && tot >= alen) {
				pkt->proto = ah[0];
				pos = (char *)pos + alen;
				tot -= alen;
				/* One verifier state for both paths into the L4 parse. */
				pos = xh_rebase(data, pos);
				if (!pos)
					return -XH_PERR_IPV4_TRUNC;
			}
		}
	}
	return xh_parse_l4_first_frag(data, pos, data_end, tot, pkt, flags);
}

/* IPv6 extension headers walked by xh_parse_ipv6(); ESP (50) and
 * no-next-header (59) end the walk with no L4 header. */
static __always_inline int xh_ipv6_is_ext(__u8 nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_FRAGMENT || nh == IPPROTO_AH;
}

/* Length of the extension header @nh at @eh, whose first 8 bytes the caller
 * checked: the fragment header is fixed, AH counts 4-octet units minus 2
 * (RFC 4302), the others 8-octet units minus 1 (RFC 8200). */
static __always_inline __u32 xh_ipv6_ext_len(__u8 nh, const __u8 *eh)
{
	if (nh == IPPROTO_FRAGMENT)
		return 8;
	if (nh == IPPROTO_AH)
		return xh_ah_len(eh);
	return ((__u32)eh[1] + 1) * 8;
}

/* Options of a hop-by-hop header xh_ipv6_hbh_drops() reads. Linux drops a
 * header with more than 8 options besides padding (sysctl
 * net.ipv6.max_hbh_opts_number) or more than 7 bytes of padding in a row. */
#define XH_IPV6_HBH_TLV_MAX 16

/* Does the hop-by-hop options header at @eh (in a packet whose payload
 * length is 0) carry a jumbo payload option that Linux drops the packet
 * for (ipv6_hop_jumbo())? One that is not RFC 2675's (4 bytes at 4n+2, a
 * length over 65535) or whose length the packet does not hold: any, in a
 * frame of 64 KiB or less. A valid one (skb mode after BIG TCP's GRO) or
 * none: 0. Reads the first XH_IPV6_HBH_TLV_MAX options (TLVs, Pad1 the
 * one-byte exception) that lie in the frame; any after them count as none.
 * The option pointer is rebased at each step (xh_rebase()), so that the
 * verifier sees every step in one state (inlined without it: 40% more
 * instructions verified). Not inlined: inlined, its loop made clang 14
 * spill one more register in the entry point's frame, which starts every
 * call chain (6.1's 512-byte limit). Covered by test_parse_ipv6_len0 and,
 * under both verifiers, by every prog test and test_kernel_61.sh. */
static __attribute__((noinline)) int xh_ipv6_hbh_drops(void *data, const __u8 *eh, void *data_end)
{
	const __u8 *opt, *hend;
	__u32 jlen;
	int i;

	if ((void *)(eh + 2) > data_end)
		return 0;
	hend = eh + ((__u32)eh[1] + 1) * 8;
	opt = eh + 2;
	for (i = 0; i < XH_IPV6_HBH_TLV_MAX; i++) {
		opt = xh_rebase(data, (void *)opt);
		if (!opt || opt + 2 > hend || (void *)(opt + 2) > data_end)
			break;
		if (opt[0] == IPV6_TLV_JUMBO) {
			/* The IPv6 header's 40 bytes keep the alignment. */
			if (opt[1] != 4 || (((const char *)opt - (const char *)eh) & 3) != 2 ||
			    opt + 6 > hend || (void *)(opt + 6) > data_end)
				return 1;
			jlen = (__u32)opt[2] << 24 | (__u32)opt[3] << 16 | (__u32)opt[4] << 8 |
			       opt[5];
			return jlen <= 0xffff ||
			       jlen > (__u32)((const char *)data_end - (const char *)eh);
		}
		opt += opt[0] == IPV6_TLV_PAD1 ? 1 : (__u32)opt[1] + 2;
	}
	return 0;
}

/* Is the fragment header at @eh (8 bytes checked) a later fragment, with no
 * L4 header behind it? */
static __always_inline int xh_ipv6_frag_later(const __u8 *eh)
{
	return (((__u16)eh[2] << 8 | eh[3]) & 0xfff8) != 0;
}

static __always_inline int xh_parse_ipv6(void *data, void *pos, void *data_end, struct xh_pkt *pkt,
					 unsigned int flags)
{
	struct ipv6hdr *ip6h = pos;
	__u32 ip_rem, plen, i;
	__u8 nh;

	if ((void *)(ip6h + 1) > data_end)
		return -XH_PERR_IPV6_TRUNC;
	if (ip6h->version != 6)
		return -XH_PERR_IPV6_BAD;

	pkt->family = XH_AF_INET6;
	__builtin_memcpy(pkt->saddr, &ip6h->saddr, 16);
	__builtin_memcpy(pkt->daddr, &ip6h->daddr, 16);
	nh = ip6h->nexthdr;
	/* payload_len 0 is a jumbogram's (hop-by-hop option): trust data_end.
	 * Branch-free (0 becomes 0x10000) so that no path holds ip_rem as a
	 * constant: a constant makes the verifier track it precisely, and the
	 * per-path ranges of ip_rem then stop state pruning in the walk below.
	 * barrier_var(): so that clang does not fold it to 0x10000 on the path
	 * of payload_len 0 below either. */
	plen = bpf_ntohs(ip6h->payload_len);
	ip_rem = ((plen - 1) & 0xffff) + 1;
	barrier_var(ip_rem);
	pos = ip6h + 1;
	/* Live, Linux takes payload_len 0 as a jumbogram's only after a
	 * hop-by-hop header: without one it trims the packet to this header;
	 * with a jumbo option that is not valid (and none is, in a frame of
	 * 64 KiB or less) it drops it; with a valid one or none it delivers
	 * the rest of the packet (ip6_rcv_core(), ipv6_hop_jumbo()). The
	 * first two hold no payload for the host: classified by their
	 * addresses (XH_PKT_IPV6_LEN0). A capture keeps the rest of the frame. */
	if (plen == 0 && !(flags & XH_PARSE_F_TSO) &&
	    (nh != IPPROTO_HOPOPTS || xh_ipv6_hbh_drops(data, pos, data_end))) {
		pkt->proto = nh;
		pkt->pflags = XH_PKT_L4_CUT | XH_PKT_IPV6_LEN0;
		pkt->l4_off = (__u16)((char *)pos - (char *)data);
		xh_set_payload(pkt, data, pos, data_end, 0, 0);
		/* No length to go by: xh_hunt() counts the frame whole, as
		 * any frame's that may go on in XDP fragments. */
		pkt->ip_cut = 1;
		return XH_PARSE_L3;
	}

	for (i = 0; i < XH_MAX_IPV6_EXT; i++) {
		__u8 *eh;
		__u32 len;

		if (!xh_ipv6_is_ext(nh))
			break;
		eh = pos = xh_rebase(data, pos);
		if (!pos)
			return -XH_PERR_IPV6_EXT_TRUNC;
		/* Every extension header starts with next header and length. */
		if ((void *)(eh + 8) > data_end || ip_rem < 8)
			return -XH_PERR_IPV6_EXT_TRUNC;
		len = xh_ipv6_ext_len(nh, eh);
		if (nh == IPPROTO_FRAGMENT) {
			/* Fixed 8 bytes, already checked above. */
			if (xh_ipv6_frag_later(eh)) {
				pkt->proto = eh[0];
				pkt->frag = 1;
				pos = eh + 8;
				pkt->l4_off = (__u16)((char *)pos - (char *)data);
				xh_set_payload(pkt, data, pos, data_end, 0, ip_rem - 8);
				return XH_PARSE_L3;
			}
			/* A first fragment with more to come (M): marked for the
			 * tiny-fragment rule below, in memory (see IPv4). */
			if (eh[3] & 1)
				pkt->pflags = XH_PKT_FIRST_FRAG;
		} else if ((char *)pos + len > (char *)data_end || ip_rem < len) {
			return -XH_PERR_IPV6_EXT_TRUNC;
		}
		nh = eh[0];
		pos = (char *)pos + len;
		ip_rem -= len;
	}
	if (xh_ipv6_is_ext(nh)) {
		pkt->proto = nh;
		pkt->pflags = XH_PKT_L4_CUT | XH_PKT_EXT_DEPTH;
		return XH_PARSE_L3;
	}

	pkt->proto = nh;
	pos = xh_rebase(data, pos);
	if (!pos)
		return -XH_PERR_IPV6_EXT_TRUNC;
	if (nh == IPPROTO_ESP || nh == IPPROTO_NONE) {
		pkt->l4_off = (__u16)((char *)pos - (char *)data);
		xh_set_payload(pkt, data, pos, data_end, 0, ip_rem);
		return XH_PARSE_L3;
	}
	return xh_parse_l4_first_frag(data, pos, data_end, ip_rem, pkt, flags);
}

static __always_inline int xh_is_vlan(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD) ||
	       proto == bpf_htons(XH_ETH_P_QINQ_9100);
}

/* Parse the frame [data, data_end) into @pkt (zeroed here first), with
 * XH_PARSE_F_* @flags. Returns enum xh_parse_res (>= 0) or -XH_PERR_*.
 * Never reads past data_end. On error @pkt holds what was parsed before
 * the failing header. */
static __always_inline int xh_parse(void *data, void *data_end, struct xh_pkt *pkt,
				    unsigned int flags)
{
	struct ethhdr *eth = data;
	void *pos;
	__be16 proto;
	int i;

	__builtin_memset(pkt, 0, sizeof(*pkt));
	if ((void *)(eth + 1) > data_end)
		return -XH_PERR_ETH_TRUNC;
	proto = eth->h_proto;
	pos = eth + 1;

	for (i = 0; i < XH_MAX_VLANS; i++) {
		/* struct vlan_hdr is kernel-internal: TCI then the inner type. */
		__be16 *vh = pos;

		if (!xh_is_vlan(proto))
			break;
		if ((void *)(vh + 2) > data_end)
			return -XH_PERR_VLAN_TRUNC;
		pkt->vlan[i] = bpf_ntohs(vh[0]) & 0x0fff;
		pkt->vlan_count = i + 1;
		proto = vh[1];
		pos = vh + 2;
	}
	if (xh_is_vlan(proto))
		return -XH_PERR_VLAN_DEPTH;

	pkt->l3_off = (__u16)((char *)pos - (char *)data);
	if (proto == bpf_htons(ETH_P_IP))
		return xh_parse_ipv4(data, pos, data_end, pkt, flags);
	if (proto == bpf_htons(ETH_P_IPV6))
		return xh_parse_ipv6(data, pos, data_end, pkt, flags);
	return XH_PARSE_L2;
}

/* Build the canonical flow key of @pkt into @key (zeroed first: it is hashed
 * byte for byte). The lower (address, port) endpoint, compared as big-endian
 * numbers, becomes s*, so both directions give the same key.
 * Returns 1 when the packet's source is the key's s-side, 0 otherwise. */
static __always_inline int xh_flow_key_make(const struct xh_pkt *pkt, struct xh_flow_key *key)
{
	int src_low = 0, i;

	__builtin_memset(key, 0, sizeof(*key));
	/* A one-way ICMP message keeps its direction: the other way is another
	 * flow, as the Community ID spec hashes it. */
	if (pkt->pflags & XH_PKT_ONE_WAY) {
		src_low = 1;
		goto decided;
	}
	/* Decide on the first differing word; equal addresses fall to the ports. */
	for (i = 0; i < 4; i++) {
		__u32 s = bpf_ntohl(pkt->saddr[i]), d = bpf_ntohl(pkt->daddr[i]);

		if (s != d) {
			src_low = s < d;
			goto decided;
		}
	}
	src_low = bpf_ntohs(pkt->sport) <= bpf_ntohs(pkt->dport);
decided:
	if (src_low) {
		__builtin_memcpy(key->saddr, pkt->saddr, 16);
		__builtin_memcpy(key->daddr, pkt->daddr, 16);
		key->sport = pkt->sport;
		key->dport = pkt->dport;
	} else {
		__builtin_memcpy(key->saddr, pkt->daddr, 16);
		__builtin_memcpy(key->daddr, pkt->saddr, 16);
		key->sport = pkt->dport;
		key->dport = pkt->sport;
	}
	key->proto = pkt->proto;
	key->family = pkt->family;
	return src_low;
}

#endif /* XH_PARSE_H */
