// SPDX-License-Identifier: GPL-2.0
/* test_fmt.c: the hand-written number, address and base64 text of
 * user/fmt.c against libc as the oracle (printf, inet_ntop, OpenSSL's
 * EVP_EncodeBlock): edge values, every width, and many pseudo-random ones. */
#include <inttypes.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <openssl/evp.h>
#include "test.h"
#include "fmt.h"

/* xorshift64*: deterministic, so a failure names a reproducible value. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* The function's text (NUL added here, after its end) against @want. Returns
 * true when equal; one failure per call is printed with @what. */
static bool same(const char *buf, const char *end, const char *want, const char *what)
{
	char got[128];
	size_t n = (size_t)(end - buf);

	if (n >= sizeof(got))
		return ASSERT_LT(n, sizeof(got), what);
	memcpy(got, buf, n);
	got[n] = '\0';
	if (!strcmp(got, want))
		return true;
	return ASSERT_STREQ(got, want, what);
}

static bool check_u64(uint64_t v)
{
	char buf[FMT_U64_MAX + 1], want[32];

	snprintf(want, sizeof(want), "%" PRIu64, v);
	return same(buf, fmt_u64(buf, v), want, "fmt_u64");
}

void test_fmt_u64(void)
{
	uint64_t s = 1, p10 = 1;
	int bad = 0;

	bad += !check_u64(0);
	bad += !check_u64(UINT64_MAX);
	bad += !check_u64(UINT64_MAX - 1);
	/* every digit count: 10^k - 1, 10^k, 10^k + 1 */
	for (int k = 0; k < 20; k++, p10 *= 10) {
		bad += !check_u64(p10 - 1);
		bad += !check_u64(p10);
		bad += !check_u64(p10 + 1);
	}
	/* every bit length: 2^k - 1, 2^k, 2^k + 1 */
	for (int k = 0; k < 64; k++) {
		bad += !check_u64((1ULL << k) - 1);
		bad += !check_u64(1ULL << k);
		bad += !check_u64((1ULL << k) + 1);
	}
	for (uint64_t v = 0; v < 100000; v++)
		bad += !check_u64(v);
	for (int i = 0; i < 200000 && bad < 5; i++) {
		uint64_t v = rnd(&s);

		bad += !check_u64(v >> (v & 63)); /* every magnitude */
	}
	ASSERT_EQ(bad, 0, "u64 values that differ from printf");
}

void test_fmt_dec_fixed(void)
{
	char buf[32], want[32];
	uint64_t s = 9, p10 = 10;
	int bad = 0;

	for (unsigned int w = 1; w <= 20; w++, p10 *= 10) {
		/* the largest that fits (p10 wraps past 10^19: UINT64_MAX then) */
		uint64_t max = w == 20 ? UINT64_MAX : p10 - 1;
		uint64_t vals[] = {0, 1, 9, 10, 99, 100, max, max / 10, rnd(&s) % (max / 2 + 1)};

		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
			if (vals[i] > max)
				continue;
			snprintf(want, sizeof(want), "%0*" PRIu64, (int)w, vals[i]);
			bad += !same(buf, fmt_dec_fixed(buf, vals[i], w), want, "fmt_dec_fixed");
		}
	}
	for (unsigned int v = 0; v < 1000000; v += 7)
		bad += !same(buf, fmt_dec_fixed(buf, v, 6),
			     (snprintf(want, sizeof(want), "%06u", v), want), "microseconds");
	ASSERT_EQ(bad, 0, "fixed-width decimal that differs from printf");
}

void test_fmt_hex(void)
{
	char buf[64], want[64];
	uint64_t s = 7;
	uint8_t bytes[16];
	int bad = 0;

	for (unsigned int w = 1; w <= 16; w++) {
		uint64_t max = w == 16 ? UINT64_MAX : (1ULL << (4 * w)) - 1;
		uint64_t vals[] = {0, 1, max, max - 1, max >> 1, rnd(&s) & max, rnd(&s) & max};

		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
			snprintf(want, sizeof(want), "%0*" PRIx64, (int)w, vals[i]);
			bad += !same(buf, fmt_hex_fixed(buf, vals[i], w), want, "fmt_hex_fixed");
		}
	}
	for (int i = 0; i < 1000; i++) {
		size_t n = (size_t)(rnd(&s) % 17), k = 0;

		for (size_t j = 0; j < n; j++) {
			bytes[j] = (uint8_t)rnd(&s);
			k += (size_t)snprintf(want + k, sizeof(want) - k, "%02x", bytes[j]);
		}
		want[k] = '\0';
		bad += !same(buf, fmt_hex_bytes(buf, bytes, n), want, "fmt_hex_bytes");
	}
	ASSERT_EQ(bad, 0, "hex that differs from printf");
}

static bool check_ipv4(const uint8_t a[4])
{
	char buf[FMT_IPV4_MAX + 1], want[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, a, want, sizeof(want));
	return same(buf, fmt_ipv4(buf, a), want, "fmt_ipv4");
}

void test_fmt_ipv4(void)
{
	static const uint8_t widths[] = {0, 7, 9, 10, 42, 99, 100, 199, 200, 255};
	uint8_t a[4];
	uint64_t s = 3;
	int bad = 0;

	/* every byte value at every position */
	for (int pos = 0; pos < 4; pos++)
		for (int v = 0; v < 256; v++) {
			memset(a, 0x5a, sizeof(a));
			a[pos] = (uint8_t)v;
			bad += !check_ipv4(a);
		}
	/* every combination of byte widths (1, 2, 3 digits, edges of each) */
	for (size_t i = 0; i < 10000; i++) {
		size_t x = i;

		for (int pos = 0; pos < 4; pos++, x /= 10)
			a[pos] = widths[x % 10];
		bad += !check_ipv4(a);
	}
	for (int i = 0; i < 100000 && bad < 5; i++) {
		uint32_t v = (uint32_t)rnd(&s);

		memcpy(a, &v, 4);
		bad += !check_ipv4(a);
	}
	ASSERT_EQ(bad, 0, "IPv4 text that differs from inet_ntop");
}

static bool check_ipv6(const uint8_t a[16])
{
	char buf[FMT_IPV6_MAX + 1], want[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, want, sizeof(want));
	return same(buf, fmt_ipv6(buf, a), want, "fmt_ipv6");
}

static void set_group(uint8_t a[16], int i, unsigned int w)
{
	a[2 * i] = (uint8_t)(w >> 8);
	a[2 * i + 1] = (uint8_t)w;
}

void test_fmt_ipv6(void)
{
	/* group values of every hex width, and 0xffff (the mapped prefix) */
	static const unsigned int groups[] = {1, 0xf, 0x10, 0xab, 0x100, 0xfff, 0x1000, 0xffff};
	static const char *const fixed[] = {
		"::",
		"::1",
		"::2",
		"1::",
		"::ffff:0:0",
		"::ffff:1.2.3.4",
		"::1.2.3.4",
		"::0.0.1.0",
		"64:ff9b::1.2.3.4",
		"2001:db8::1",
		"1:0:0:1::1",
		"1::1:0:0:1",
		"fe80::1:0:0:0",
		"0:0:1::",
		"1:0:1:0:1:0:1:0",
	};
	uint8_t a[16];
	uint64_t s = 5;
	int bad = 0;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		ASSERT_EQ(inet_pton(AF_INET6, fixed[i], a), 1, fixed[i]);
		bad += !check_ipv6(a);
	}
	/* Every pattern of zero and non-zero groups (every run length and
	 * position, ties between runs, leading and trailing runs), each with
	 * group values of every width, and with 0xffff in group 5 (mapped). */
	for (unsigned int mask = 0; mask < 256; mask++)
		for (unsigned int k = 0; k < 2 * 8; k++) {
			for (int i = 0; i < 8; i++)
				set_group(a, i,
					  mask & (1u << i) ? groups[(k + (unsigned)i) % 8] : 0);
			if (k >= 8 && (mask & (1u << 5)))
				set_group(a, 5, 0xffff);
			bad += !check_ipv6(a);
		}
	/* IPv4-compatible and -mapped with every kind of last 32 bits */
	for (int i = 0; i < 2000; i++) {
		uint32_t v = (uint32_t)rnd(&s) >> (i % 32);

		memset(a, 0, sizeof(a));
		if (i & 1)
			set_group(a, 5, 0xffff);
		memcpy(a + 12, &v, 4);
		bad += !check_ipv6(a);
	}
	/* random, each group zero one time in three */
	for (int i = 0; i < 100000 && bad < 5; i++) {
		for (int g = 0; g < 8; g++) {
			uint64_t r = rnd(&s);

			set_group(a, g, r % 3 ? (unsigned int)(r >> 32) & 0xffff : 0);
		}
		bad += !check_ipv6(a);
	}
	ASSERT_EQ(bad, 0, "IPv6 text that differs from inet_ntop");
}

void test_fmt_base64(void)
{
	unsigned char want[128];
	char buf[128];
	uint8_t in[64];
	uint64_t s = 11;
	int bad = 0;

	for (size_t n = 0; n <= sizeof(in); n++)
		for (int i = 0; i < 50; i++) {
			for (size_t j = 0; j < n; j++)
				in[j] = (uint8_t)rnd(&s);
			EVP_EncodeBlock(want, in, (int)n);
			bad += !same(buf, fmt_base64(buf, in, n), (const char *)want, "fmt_base64");
		}
	/* every 2-byte input (every 1- and 2-byte padding case) */
	for (unsigned int v = 0; v < 65536; v++) {
		in[0] = (uint8_t)(v >> 8);
		in[1] = (uint8_t)v;
		EVP_EncodeBlock(want, in, 2);
		bad += !same(buf, fmt_base64(buf, in, 2), (const char *)want, "fmt_base64 2");
		EVP_EncodeBlock(want, in, 1);
		bad += !same(buf, fmt_base64(buf, in, 1), (const char *)want, "fmt_base64 1");
	}
	ASSERT_EQ(bad, 0, "base64 that differs from EVP_EncodeBlock");
}
