// SPDX-License-Identifier: GPL-2.0
/* pkt.c: the test packet builder (see pkt.h). Checksums: IPv4 header only;
 * xdphunt never checks L4 checksums. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include "pkt.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t ip_csum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t l4_hdr_len(const struct pkt_desc *d)
{
	switch (d->proto) {
	case IPPROTO_TCP:
		return 20 + d->tcp_optlen;
	case IPPROTO_UDP:
		return 8;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return 4; /* type, code, checksum; the rest counts as payload, as in parse.h */
	default:
		return 0;
	}
}

/* Writes the L4 header and payload at @p; returns the bytes written. */
static size_t put_l4(const struct pkt_desc *d, uint8_t *p)
{
	size_t hl = l4_hdr_len(d);

	memset(p, 0, hl);
	switch (d->proto) {
	case IPPROTO_TCP:
		put16(p, d->sport);
		put16(p + 2, d->dport);
		put16(p + 4, 0x1234); /* seq */
		p[12] = (uint8_t)((hl / 4) << 4);
		p[13] = d->tcp_flags == PKT_TCP_NULL ? 0
			: d->tcp_flags		     ? (uint8_t)d->tcp_flags
						     : 0x10;
		put16(p + 14, 65535);
		memset(p + 20, 1, d->tcp_optlen); /* NOP */
		break;
	case IPPROTO_UDP:
		put16(p, d->sport);
		put16(p + 2, d->dport);
		put16(p + 4, (uint16_t)(8 + d->payload_len));
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		p[0] = (uint8_t)d->sport;
		p[1] = (uint8_t)d->dport;
		break;
	}
	for (int i = 0; i < d->payload_len; i++)
		p[hl + i] = (uint8_t)(0x41 + i % 26);
	return hl + d->payload_len;
}

size_t pkt_build(const struct pkt_desc *d, uint8_t *buf, struct pkt_layout *lay)
{
	static const uint8_t dmac[6] = {0x02, 0, 0, 0, 0, 0x02};
	static const uint8_t smac[6] = {0x02, 0, 0, 0, 0, 0x01};
	struct pkt_layout l = {};
	size_t off = 12;
	uint8_t *p;

	if (d->nvlan > 3 || d->ip_optlen > 40 || d->tcp_optlen > 40 || d->n_ext > PKT_MAX_EXT ||
	    d->payload_len < 0 || d->payload_len > 1500)
		return 0;
	memset(buf, 0, PKT_MAX);
	memcpy(buf, dmac, 6);
	memcpy(buf + 6, smac, 6);
	for (int i = 0; i < d->nvlan; i++) {
		put16(buf + off, d->vlan_tpid[i] ? d->vlan_tpid[i] : 0x8100);
		put16(buf + off + 2, d->vlan_id[i]);
		off += 4;
	}
	if (d->family == 0) {
		put16(buf + off, d->ethertype);
		off += 2;
		l.l3_off = l.l4_off = l.payload_off = off;
		for (int i = 0; i < d->payload_len && off < PKT_MAX; i++)
			buf[off++] = (uint8_t)i;
		l.len = off;
		goto out;
	}
	put16(buf + off, d->family == 4 ? 0x0800 : 0x86dd);
	off += 2;
	l.l3_off = off;
	p = buf + off;

	if (d->family == 4) {
		size_t ihl = 20 + d->ip_optlen, l4len;
		uint16_t frag = (d->frag_off & 0x1fff) | (d->more_frags ? 0x2000 : 0);

		p[0] = 0x40 | (uint8_t)(ihl / 4);
		put16(p + 6, frag);
		p[8] = 64;
		p[9] = d->proto;
		if (inet_pton(AF_INET, d->src ? d->src : "192.0.2.1", p + 12) != 1 ||
		    inet_pton(AF_INET, d->dst ? d->dst : "198.51.100.1", p + 16) != 1)
			return 0;
		memset(p + 20, 1, d->ip_optlen);
		l.l4_off = l.l3_off + ihl;
		if (d->frag_off) {
			/* A later fragment carries payload only. */
			for (int i = 0; i < d->payload_len; i++)
				p[ihl + i] = (uint8_t)i;
			l4len = d->payload_len;
			l.payload_off = l.l4_off;
		} else {
			l4len = put_l4(d, p + ihl);
			l.payload_off = l.l4_off + l4_hdr_len(d);
		}
		put16(p + 2, (uint16_t)(ihl + l4len));
		put16(p + 10, ip_csum(p, ihl));
		l.len = l.l3_off + ihl + l4len;
	} else if (d->family == 6) {
		uint8_t *q = p + 40, *nhp = p + 6;
		size_t l4len;

		p[0] = 0x60;
		p[7] = 64;
		if (inet_pton(AF_INET6, d->src ? d->src : "2001:db8::1", p + 8) != 1 ||
		    inet_pton(AF_INET6, d->dst ? d->dst : "2001:db8:1::1", p + 24) != 1)
			return 0;
		for (int i = 0; i < d->n_ext; i++) {
			const struct pkt_ext *e = &d->ext[i];
			size_t len = e->type == 44 ? 8 : e->len;

			if (len < 8 || len > 2048 || (q - buf) + len > PKT_MAX - 100)
				return 0;
			*nhp = e->type;
			nhp = q;
			memset(q, 0, len);
			if (e->type == 51)
				q[1] = (uint8_t)(len / 4 - 2);
			else if (e->type == 44)
				put16(q + 2,
				      (uint16_t)((d->frag_off << 3) | (d->more_frags ? 1 : 0)));
			else
				q[1] = (uint8_t)(len / 8 - 1);
			q += len;
		}
		*nhp = d->proto;
		l.l4_off = (size_t)(q - buf);
		if (d->frag_off) {
			for (int i = 0; i < d->payload_len; i++)
				q[i] = (uint8_t)i;
			l4len = d->payload_len;
			l.payload_off = l.l4_off;
		} else {
			l4len = put_l4(d, q);
			l.payload_off = l.l4_off + l4_hdr_len(d);
		}
		put16(p + 4, (uint16_t)(q - p - 40 + l4len));
		l.len = l.l4_off + l4len;
	} else {
		return 0;
	}
out:
	if (d->payload && d->payload_len > 0 && l.payload_off + (size_t)d->payload_len <= l.len)
		memcpy(buf + l.payload_off, d->payload, (size_t)d->payload_len);
	if (lay)
		*lay = l;
	return l.len;
}

void pkt_set_ip_len(uint8_t *buf, const struct pkt_layout *lay, int family, size_t ip_len)
{
	uint8_t *f = buf + lay->l3_off + (family == 4 ? 2 : 4);
	size_t v = family == 4 ? ip_len : ip_len - 40;

	f[0] = (uint8_t)(v >> 8);
	f[1] = (uint8_t)v;
}

size_t pkt_insert_ipv4_ah(uint8_t *buf, size_t len, const struct pkt_layout *lay, size_t ah_len)
{
	uint8_t *ah = buf + lay->l4_off;

	if (len + ah_len > PKT_MAX || ah_len < 12 || ah_len % 4)
		abort();
	memmove(ah + ah_len, ah, len - lay->l4_off);
	memset(ah, 0, ah_len);
	ah[0] = buf[lay->l3_off + 9];
	ah[1] = (uint8_t)(ah_len / 4 - 2);
	buf[lay->l3_off + 9] = 51; /* IPPROTO_AH */
	len += ah_len;
	pkt_set_ip_len(buf, lay, 4, len - lay->l3_off);
	return len;
}

uint8_t *pkt_dup_exact(const uint8_t *buf, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	if (!p)
		abort();
	memcpy(p, buf, len);
	return p;
}

size_t pkt_icmp_error_quoting(uint8_t *buf, int family, const char *src, const char *dst,
			      uint8_t type, uint8_t code, const uint8_t *ip, size_t qlen)
{
	struct pkt_desc d = {.family = family,
			     .src = src,
			     .dst = dst,
			     .proto = family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6,
			     .sport = type,
			     .dport = code,
			     .payload_len = (int)(4 + qlen)};
	struct pkt_layout le;
	size_t n = pkt_build(&d, buf, &le);

	if (!n)
		return 0;
	memset(buf + le.payload_off, 0, 4); /* unused / MTU */
	memcpy(buf + le.payload_off + 4, ip, qlen);
	return n;
}

size_t pkt_icmp_error(uint8_t *buf, int family, const char *src, const char *dst, uint8_t type,
		      uint8_t code, const struct pkt_desc *q, size_t qlen)
{
	struct pkt_layout lq;
	uint8_t qbuf[PKT_MAX];
	size_t n = pkt_build(q, qbuf, &lq);

	if (!n || qlen > n - lq.l3_off)
		return 0;
	return pkt_icmp_error_quoting(buf, family, src, dst, type, code, qbuf + lq.l3_off, qlen);
}
