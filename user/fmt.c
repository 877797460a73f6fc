// SPDX-License-Identifier: GPL-2.0
/* fmt.c: numbers, addresses and digests as text by hand. snprintf() and
 * inet_ntop() parse a format and go through stdio for each value: glibc's
 * inet_ntop() spent about 3,000 instructions on each IPv6 address of a hit
 * (callgrind, xh_bench format --ipv6), fmt_ipv6() about 370, and a number
 * takes tens. Tests: selftests/unit/test_fmt.c, against libc's own text. */
#include "fmt.h"

/* "00" "01" ... "99": two digits per lookup. */
static const char digits2[201] = "00010203040506070809101112131415161718192021222324"
				 "25262728293031323334353637383940414243444546474849"
				 "50515253545556575859606162636465666768697071727374"
				 "75767778798081828384858687888990919293949596979899";
static const char hexdig[16] = "0123456789abcdef";

/* Decimal digits of @v (1 for 0): log10 from the bit length (1233/4096 is
 * just above log10(2)), then one compare to correct it. */
static unsigned int u64_len(uint64_t v)
{
	static const uint64_t pow10[20] = {
		1ULL,
		10ULL,
		100ULL,
		1000ULL,
		10000ULL,
		100000ULL,
		1000000ULL,
		10000000ULL,
		100000000ULL,
		1000000000ULL,
		10000000000ULL,
		100000000000ULL,
		1000000000000ULL,
		10000000000000ULL,
		100000000000000ULL,
		1000000000000000ULL,
		10000000000000000ULL,
		100000000000000000ULL,
		1000000000000000000ULL,
		10000000000000000000ULL,
	};
	unsigned int t = ((64 - (unsigned int)__builtin_clzll(v | 1)) * 1233) >> 12;

	return t + 1 - ((v | 1) < pow10[t]);
}

/* Exactly 8 digits of @v < 10^8 at @p, in 32-bit arithmetic. */
static void put8(char *p, uint32_t v)
{
	uint32_t hi = v / 10000, lo = v % 10000;

	memcpy(p, digits2 + 2 * (hi / 100), 2);
	memcpy(p + 2, digits2 + 2 * (hi % 100), 2);
	memcpy(p + 4, digits2 + 2 * (lo / 100), 2);
	memcpy(p + 6, digits2 + 2 * (lo % 100), 2);
}

/* Eight digits at a time while the number is long (flow_id has 16), so
 * that the rest is 32-bit arithmetic: a 64-bit division by a constant is a
 * longer multiply, and the digit pairs form one chain of them. */
char *fmt_u64(char *p, uint64_t v)
{
	char *end = p + u64_len(v), *q = end;
	uint32_t w;

	while (v >= 100000000) {
		q -= 8;
		put8(q, (uint32_t)(v % 100000000));
		v /= 100000000;
	}
	w = (uint32_t)v;
	while (w >= 100) {
		q -= 2;
		memcpy(q, digits2 + 2 * (w % 100), 2);
		w /= 100;
	}
	if (w >= 10)
		memcpy(q - 2, digits2 + 2 * w, 2);
	else
		q[-1] = (char)('0' + w);
	return end;
}

char *fmt_dec_fixed(char *p, uint64_t v, unsigned int width)
{
	unsigned int i = width;

	for (; i >= 8 && v >= 100000000; i -= 8, v /= 100000000)
		put8(p + i - 8, (uint32_t)(v % 100000000));
	for (; i >= 2; i -= 2, v /= 100)
		memcpy(p + i - 2, digits2 + 2 * (v % 100), 2);
	if (i)
		p[0] = (char)('0' + v % 10);
	return p + width;
}

char *fmt_hex_fixed(char *p, uint64_t v, unsigned int width)
{
	for (unsigned int i = width; i--; v >>= 4)
		p[i] = hexdig[v & 0xf];
	return p + width;
}

char *fmt_hex_bytes(char *p, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		*p++ = hexdig[b[i] >> 4];
		*p++ = hexdig[b[i] & 0xf];
	}
	return p;
}

static char *put_octet(char *p, unsigned int v)
{
	if (v >= 100) {
		*p++ = (char)('0' + v / 100);
		v %= 100;
		memcpy(p, digits2 + 2 * v, 2);
		return p + 2;
	}
	if (v >= 10) {
		memcpy(p, digits2 + 2 * v, 2);
		return p + 2;
	}
	*p = (char)('0' + v);
	return p + 1;
}

char *fmt_ipv4(char *p, const uint8_t a[4])
{
	p = put_octet(p, a[0]);
	*p++ = '.';
	p = put_octet(p, a[1]);
	*p++ = '.';
	p = put_octet(p, a[2]);
	*p++ = '.';
	return put_octet(p, a[3]);
}

/* One group: lower-case hex without leading zeros ("%x"). */
static char *put_group(char *p, unsigned int w)
{
	unsigned int n = w >= 0x1000 ? 4 : w >= 0x100 ? 3 : w >= 0x10 ? 2 : 1;

	for (unsigned int i = n; i--; w >>= 4)
		p[i] = hexdig[w & 0xf];
	return p + n;
}

/* glibc's inet_ntop6() (resolv/inet_ntop.c, from BIND), step for step, so
 * the text is the same for every address. */
char *fmt_ipv6(char *p, const uint8_t a[16])
{
	unsigned int w[8];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;

	for (int i = 0; i < 8; i++)
		w[i] = (unsigned int)a[2 * i] << 8 | a[2 * i + 1];
	for (int i = 0; i < 8; i++) {
		if (!w[i]) {
			if (cur < 0) {
				cur = i;
				cur_len = 1;
			} else {
				cur_len++;
			}
		} else if (cur >= 0) {
			if (best < 0 || cur_len > best_len) {
				best = cur;
				best_len = cur_len;
			}
			cur = -1;
		}
	}
	if (cur >= 0 && (best < 0 || cur_len > best_len)) {
		best = cur;
		best_len = cur_len;
	}
	if (best >= 0 && best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		/* IPv4-compatible or IPv4-mapped: the last 32 bits dotted */
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)))
			return fmt_ipv4(p, a + 12);
		p = put_group(p, w[i]);
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	return p;
}

char *fmt_base64(char *p, const uint8_t *b, size_t n)
{
	static const char b64[64] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i = 0;

	/* Six bytes (eight characters) per 64-bit big-endian load while eight
	 * bytes can be read: a Community ID digest is three of these and a
	 * tail, a third fewer instructions than three bytes at a time. */
	for (; i + 8 <= n; i += 6) {
		uint64_t v;

		memcpy(&v, b + i, 8);
		v = __builtin_bswap64(v) >> 16;
		p[0] = b64[v >> 42];
		p[1] = b64[(v >> 36) & 63];
		p[2] = b64[(v >> 30) & 63];
		p[3] = b64[(v >> 24) & 63];
		p[4] = b64[(v >> 18) & 63];
		p[5] = b64[(v >> 12) & 63];
		p[6] = b64[(v >> 6) & 63];
		p[7] = b64[v & 63];
		p += 8;
	}
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];

		p[0] = b64[v >> 18];
		p[1] = b64[(v >> 12) & 63];
		p[2] = b64[(v >> 6) & 63];
		p[3] = b64[v & 63];
		p += 4;
	}
	if (n - i == 1) {
		p[0] = b64[b[i] >> 2];
		p[1] = b64[(b[i] & 3) << 4];
		p[2] = '=';
		p[3] = '=';
		p += 4;
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)b[i] << 8 | b[i + 1];

		p[0] = b64[v >> 10];
		p[1] = b64[(v >> 4) & 63];
		p[2] = b64[(v & 15) << 2];
		p[3] = '=';
		p += 4;
	}
	return p;
}
