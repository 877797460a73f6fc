/* SPDX-License-Identifier: GPL-2.0 */
/* pkt.h: a small packet builder for the unit and BPF_PROG_TEST_RUN tests:
 * Ethernet, 0-3 VLAN tags, IPv4 (options, fragments) or IPv6 (extension
 * header chain), then TCP, UDP, ICMP/ICMPv6 or a bare protocol number. */
#ifndef XH_PKT_H
#define XH_PKT_H

#include <stddef.h>
#include <stdint.h>

#define PKT_MAX	    4096
#define PKT_MAX_EXT 10

/* One IPv6 extension header: type (0, 43, 44, 51, 60) and total length in
 * bytes (multiple of 8; AH: multiple of 4; fragment: ignored, always 8). */
struct pkt_ext {
	uint8_t type;
	uint16_t len;
};

/* pkt_desc.tcp_flags of a segment without any flag (nmap -sN's probe). */
#define PKT_TCP_NULL 0x100

/* What to build. Zero means "default" for most fields. */
struct pkt_desc {
	int family;	       /* 4 or 6; 0: non-IP frame with .ethertype */
	uint16_t ethertype;    /* non-IP only (host order) */
	int nvlan;	       /* 0..3 tags */
	uint16_t vlan_tpid[3]; /* 0: 0x8100 */
	uint16_t vlan_id[3];
	const char *src, *dst; /* address text, e.g. "192.0.2.1", "2001:db8::1" */
	uint8_t proto;	       /* IPPROTO_TCP, _UDP, _ICMP, _ICMPV6 or any other */
	uint16_t sport, dport; /* host order; ICMP: type and code */
	uint16_t tcp_flags;    /* byte 13 of the TCP header; 0: ACK; PKT_TCP_NULL: none */
	int tcp_optlen;	       /* TCP option bytes (multiple of 4, NOP filled) */
	int ip_optlen;	       /* IPv4 option bytes (multiple of 4, NOP filled) */
	uint16_t frag_off; /* fragment offset in 8-byte units (IPv4, or the IPv6 fragment header) */
	int more_frags;	   /* MF flag */
	int n_ext;	   /* IPv6 extension headers, in order */
	struct pkt_ext ext[PKT_MAX_EXT];
	int payload_len;     /* L4 payload bytes (pattern filled) */
	const void *payload; /* NULL, or payload_len bytes to carry instead of the pattern */
};

/* Offsets of what pkt_build() wrote, relative to the frame start. */
struct pkt_layout {
	size_t l3_off;
	size_t l4_off;
	size_t payload_off;
	size_t len;
};

/* Build @d into @buf (at least PKT_MAX bytes). Returns the frame length, or
 * 0 when @d is invalid (bad address, too long). @lay may be NULL. */
size_t pkt_build(const struct pkt_desc *d, uint8_t *buf, struct pkt_layout *lay);

/* Rewrite the IP length of the frame @buf (built by pkt_build() as @lay,
 * family @family) so that the IP packet is @ip_len bytes from its header:
 * IPv4's total length, or IPv6's payload length (@ip_len less 40). The
 * IPv4 checksum is left stale: the program does not check it. */
void pkt_set_ip_len(uint8_t *buf, const struct pkt_layout *lay, int family, size_t ip_len);

/* Put an IPsec AH header of @ah_len bytes (a multiple of 4, at least 12;
 * zero ICV) between the IPv4 header and the L4 header of the @len-byte frame
 * @buf (built by pkt_build() as @lay, PKT_MAX bytes), as transport mode
 * sends it: AH's next header is the L4 protocol, the IP protocol 51, the
 * total length grown. Returns the new frame length. */
size_t pkt_insert_ipv4_ah(uint8_t *buf, size_t len, const struct pkt_layout *lay, size_t ah_len);

/* An ICMP (@family 4) or ICMPv6 error of @type/@code from @src to @dst,
 * quoting the @qlen bytes at @ip (an IP header and what follows), into
 * @buf (PKT_MAX bytes). Returns the frame length, 0 on failure. */
size_t pkt_icmp_error_quoting(uint8_t *buf, int family, const char *src, const char *dst,
			      uint8_t type, uint8_t code, const uint8_t *ip, size_t qlen);

/* pkt_icmp_error_quoting() the first @qlen bytes of the IP packet of @q. */
size_t pkt_icmp_error(uint8_t *buf, int family, const char *src, const char *dst, uint8_t type,
		      uint8_t code, const struct pkt_desc *q, size_t qlen);

/* malloc() exactly @len bytes holding @buf, so ASan flags any read past the
 * end. Aborts on allocation failure (tests only). */
uint8_t *pkt_dup_exact(const uint8_t *buf, size_t len);

#endif
