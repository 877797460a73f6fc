// SPDX-License-Identifier: GPL-2.0
/* msg.c: see msg.h. Layouts follow RFC 1035 4.1 and RFC 8446 4.1.2 / RFC
 * 6066 3; GREASE values are RFC 8701's 0x?A?A. */
#include <string.h>
#include "msg.h"

static uint8_t *put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

size_t msg_dns_query(uint8_t *buf, const char *name, uint16_t qdcount, uint16_t qtype, int tcp)
{
	uint8_t *start = buf, *p = buf + (tcp ? 2 : 0), *m = p;
	const char *s = name;

	p = put16(p, 0x1234); /* id */
	p = put16(p, 0x0100); /* RD */
	p = put16(p, qdcount);
	p = put16(p, 0);
	p = put16(p, 0);
	p = put16(p, 0);
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t n = dot ? (size_t)(dot - s) : strlen(s);

		*p++ = (uint8_t)n;
		memcpy(p, s, n);
		p += n;
		s += n + (dot ? 1 : 0);
	}
	*p++ = 0;
	p = put16(p, qtype);
	p = put16(p, 1); /* IN */
	if (tcp)
		put16(start, (unsigned int)(p - m));
	return (size_t)(p - start);
}

static uint8_t *ext(uint8_t *p, unsigned int type, const uint8_t *data, size_t n)
{
	p = put16(p, type);
	p = put16(p, (unsigned int)n);
	if (n)
		memcpy(p, data, n);
	return p + n;
}

static uint8_t *sni_ext(uint8_t *p, const char *sni)
{
	uint8_t d[300];
	size_t n = strlen(sni);

	put16(d, (unsigned int)(n + 3));
	d[2] = 0; /* host_name */
	put16(d + 3, (unsigned int)n);
	memcpy(d + 5, sni, n);
	return ext(p, 0, d, n + 5);
}

static size_t hello(uint8_t *buf, const char *sni, enum msg_sni_pos pos, int grease,
		    size_t key_share_len, const uint8_t *alpn, size_t alpn_len)
{
	static const uint8_t groups[] = {0x00, 0x04, 0x00, 0x1d, 0x00, 0x17};
	uint8_t ks[2100], *p = buf + 9, *exts;

	p = put16(p, 0x0303);
	memset(p, 0xab, 32); /* random */
	p += 32;
	*p++ = 32; /* session id */
	memset(p, 0xcd, 32);
	p += 32;
	p = put16(p, 32); /* 16 cipher suites */
	for (int i = 0; i < 16; i++)
		p = put16(p, i == 0 && grease ? 0x0a0a : 0x1301 + i);
	*p++ = 1; /* compression: null */
	*p++ = 0;
	exts = p;
	p += 2;
	if (pos == MSG_SNI_FIRST)
		p = sni_ext(p, sni);
	if (grease)
		p = ext(p, 0x2a2a, NULL, 0);
	p = ext(p, 10, groups, sizeof(groups));
	if (key_share_len) {
		memset(ks, 0x5a, key_share_len);
		p = ext(p, 51, ks, key_share_len);
	}
	if (grease)
		p = ext(p, 0xfafa, (const uint8_t *)"\0", 1);
	if (alpn)
		p = ext(p, 16, alpn, alpn_len);
	if (pos == MSG_SNI_LAST)
		p = sni_ext(p, sni);
	put16(exts, (unsigned int)(p - exts - 2));
	/* record header and handshake header */
	buf[0] = 0x16;
	put16(buf + 1, 0x0301);
	put16(buf + 3, (unsigned int)(p - buf - 5));
	buf[5] = 1;
	buf[6] = (uint8_t)((p - buf - 9) >> 16);
	put16(buf + 7, (unsigned int)(p - buf - 9));
	return (size_t)(p - buf);
}

size_t msg_tls_hello(uint8_t *buf, const char *sni, enum msg_sni_pos pos, int grease,
		     size_t key_share_len)
{
	return hello(buf, sni, pos, grease, key_share_len, NULL, 0);
}

size_t msg_tls_hello_alpn(uint8_t *buf, const char *sni, enum msg_sni_pos pos, const uint8_t *alpn,
			  size_t alpn_len)
{
	return hello(buf, sni, pos, 1, 32, alpn, alpn_len);
}

size_t msg_rdp_request(uint8_t *buf, const char *line, int neg, uint8_t flags, uint32_t protocols)
{
	size_t n = 11;

	if (line) {
		size_t l = strlen(line);

		memcpy(buf + n, line, l);
		memcpy(buf + n + l, "\r\n", 2);
		n += l + 2;
	}
	if (neg) {
		const uint8_t req[8] = {0x01,
					flags,
					0x08,
					0x00,
					(uint8_t)protocols,
					(uint8_t)(protocols >> 8),
					(uint8_t)(protocols >> 16),
					(uint8_t)(protocols >> 24)};

		memcpy(buf + n, req, sizeof(req));
		n += sizeof(req);
	}
	buf[0] = 3; /* TPKT version 3 */
	buf[1] = 0;
	buf[2] = (uint8_t)(n >> 8);
	buf[3] = (uint8_t)n;
	buf[4] = (uint8_t)(n - 5); /* X.224 length indicator: the rest */
	buf[5] = 0xe0;		   /* CR, credit 0 */
	memset(buf + 6, 0, 4);	   /* DST-REF 0, SRC-REF */
	buf[8] = 0x12;
	buf[9] = 0x34;
	buf[10] = 0; /* class 0 */
	return n;
}
