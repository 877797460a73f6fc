/* SPDX-License-Identifier: GPL-2.0 */
/* fmt.h: numbers, addresses and digests as text without printf or inet_ntop,
 * for the event path (a dozen per hit, millions of hits a second). Each
 * function writes at @p and returns the end of what it wrote, with no NUL;
 * the caller provides the room given by the *_MAX sizes. The text is the one
 * libc gives (selftests/unit/test_fmt.c holds each to printf/inet_ntop/
 * EVP_EncodeBlock). */
#ifndef XH_FMT_H
#define XH_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FMT_U64_MAX  20 /* "18446744073709551615" */
#define FMT_IPV4_MAX 15 /* "255.255.255.255" */
#define FMT_IPV6_MAX 45 /* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" */

/* @n bytes of @s; with a constant @n the compiler makes it a few moves. */
static inline char *fmt_put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* A string literal, its length known at compile time. */
#define fmt_lit(p, lit) fmt_put((p), "" lit, sizeof(lit) - 1)

/* Decimal, as printf("%" PRIu64). */
char *fmt_u64(char *p, uint64_t v);
/* @v as exactly @width decimal digits (zero padded; @width <= 20, and @v
 * must fit), as printf("%0*" PRIu64). */
char *fmt_dec_fixed(char *p, uint64_t v, unsigned int width);
/* @v as exactly @width lower-case hex digits (zero padded; @width <= 16,
 * and @v must fit), as printf("%0*x"). */
char *fmt_hex_fixed(char *p, uint64_t v, unsigned int width);
/* @n bytes as 2n lower-case hex digits. */
char *fmt_hex_bytes(char *p, const uint8_t *b, size_t n);
/* Dotted quad of 4 bytes in network order, as inet_ntop(AF_INET). */
char *fmt_ipv4(char *p, const uint8_t a[4]);
/* RFC 5952 text of 16 bytes, exactly as glibc's inet_ntop(AF_INET6) writes
 * it: longest run of two or more zero groups (the first of equal runs) as
 * "::", lower-case hex without leading zeros, and IPv4-mapped (::ffff:a.b.c.d)
 * and IPv4-compatible (::a.b.c.d, but "::" and "::1") addresses with a
 * dotted quad. */
char *fmt_ipv6(char *p, const uint8_t a[16]);
/* Base64 (RFC 4648, '=' padded) of @n bytes: 4 * ((n + 2) / 3) characters,
 * as EVP_EncodeBlock without its NUL. */
char *fmt_base64(char *p, const uint8_t *b, size_t n);

#endif
