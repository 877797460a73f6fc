// SPDX-License-Identifier: GPL-2.0
/* jsonl.c: JSON-lines encoding into a growing buffer (always valid UTF-8);
 * the writer that hands whole lines to write(2) is in jsonl_writer.c. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fmt.h"
#include "jsonl.h"

#define JBUF_MIN_CAP 256

/* ---- jbuf -------------------------------------------------------------- */

void jbuf_init(struct jbuf *b)
{
	memset(b, 0, sizeof(*b));
	b->first = 1;
}

void jbuf_free(struct jbuf *b)
{
	free(b->buf);
	jbuf_init(b);
}

void jbuf_reset(struct jbuf *b)
{
	b->len = 0;
	if (b->buf)
		b->buf[0] = '\0';
	b->first = 1;
	b->err = 0;
}

/* Room for @n more bytes plus a NUL; keeps buf NUL-terminated for debugging. */
int jbuf_reserve(struct jbuf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (b->err)
		return b->err;
	if (n > SIZE_MAX - b->len - 1)
		goto nomem;
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : JBUF_MIN_CAP;
	while (cap < need) {
		if (cap > SIZE_MAX / 2) {
			cap = need;
			break;
		}
		cap *= 2;
	}
	p = realloc(b->buf, cap);
	if (!p)
		goto nomem;
	b->buf = p;
	b->cap = cap;
	return 0;
nomem:
	b->err = -ENOMEM;
	return b->err;
}

static inline void jbuf_put(struct jbuf *b, const char *s, size_t n)
{
	if (jbuf_room(b, n))
		return;
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

static inline void jbuf_putc(struct jbuf *b, char c)
{
	if (jbuf_room(b, 1))
		return;
	b->buf[b->len++] = c;
	b->buf[b->len] = '\0';
}

/* A comma unless this is the first member of the enclosing object/array. */
static void jbuf_sep(struct jbuf *b)
{
	if (!b->first)
		jbuf_putc(b, ',');
	b->first = 0;
}

/* Bytes a JSON string cannot hold as they are (", \, C0 controls, DEL) or
 * that start a multi-byte UTF-8 sequence to validate: jbuf_escape() decides. */
static const unsigned char jbuf_special[256] = {
	[0 ... 0x1f] = 1,
	['"'] = 1,
	['\\'] = 1,
	[0x7f ... 0xff] = 1,
};

/* 16 bytes as one vector (GCC/clang vector extensions: SSE2 on x86-64,
 * NEON on arm64, plain code elsewhere). Signed, so that a byte of 0x80 or
 * more is negative and "below 0x20" catches it with the controls. */
typedef signed char jb_v16 __attribute__((vector_size(16)));

/* Nonzero when one of the 16 bytes of @v is special (jbuf_special): below
 * 0x20, 0x7f, 0x80 and above, '"' or '\\'. A handful of vector instructions
 * for 16 bytes, where testing 8 bytes with 64-bit word tricks took about 30
 * (callgrind, xh_bench format). */
static inline int jbuf_v16_special(jb_v16 v)
{
	jb_v16 m = (v < 0x20) | (v == '"') | (v == '\\') | (v == 0x7f);
	uint64_t w[2];

	memcpy(w, &m, sizeof(w));
	return (w[0] | w[1]) != 0;
}

static inline jb_v16 jbuf_v16_of(uint64_t lo, uint64_t hi)
{
	uint64_t w[2] = {lo, hi};
	jb_v16 v;

	memcpy(&v, w, sizeof(v));
	return v;
}

#define JB_AS 0x4141414141414141ULL /* "AAAAAAAA": plain filler */

/* The 1..7 bytes of a short string as one word, loaded without reading
 * past @s + @n: two overlapping loads (a byte may be seen twice), and plain
 * 'A's where fewer than 8 bytes fill the word. */
static inline uint64_t jbuf_short_word(const char *s, size_t n)
{
	uint32_t a, b;
	uint16_t c, d;

	if (n >= 4) {
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		return a | (uint64_t)b << 32;
	}
	if (n >= 2) {
		memcpy(&c, s, 2);
		memcpy(&d, s + n - 2, 2);
		return c | (uint64_t)d << 16 | JB_AS << 32;
	}
	return (unsigned char)s[0] | JB_AS << 8;
}

/* Copy the plain bytes at the start of @s (@n bytes) to @dst, 16 at a time
 * while they last; returns how many were plain (n when all of them). Strings
 * in a hit are mostly plain ASCII and most are short: this is the hot loop
 * of every line. What is left after the whole vectors is one more test (the
 * string's last 16 bytes again, or a short string's bytes in one vector),
 * stored with the same overlap, where a loop over single bytes cost 7
 * instructions a byte. Only after a test finds a special byte does the copy
 * go byte by byte. */
static inline size_t jbuf_copy_plain(char *dst, const char *s, size_t n)
{
	size_t i = 0;
	uint64_t lo, hi;
	jb_v16 v;

	for (; i + 16 <= n; i += 16) {
		memcpy(&v, s + i, 16);
		if (jbuf_v16_special(v))
			goto bytes;
		memcpy(dst + i, &v, 16);
	}
	if (i == n)
		return n;
	if (n >= 16) {
		memcpy(&v, s + n - 16, 16);
		if (jbuf_v16_special(v))
			goto bytes;
		memcpy(dst + n - 16, &v, 16);
		return n;
	}
	if (n >= 8) {
		memcpy(&lo, s, 8);
		memcpy(&hi, s + n - 8, 8);
		if (jbuf_v16_special(jbuf_v16_of(lo, hi)))
			goto bytes;
		memcpy(dst, &lo, 8);
		memcpy(dst + n - 8, &hi, 8);
		return n;
	}
	lo = jbuf_short_word(s, n);
	if (jbuf_v16_special(jbuf_v16_of(lo, JB_AS)))
		goto bytes;
	if (n >= 4) {
		memcpy(dst, s, 4);
		memcpy(dst + n - 4, s + n - 4, 4);
	} else if (n >= 2) {
		memcpy(dst, s, 2);
		memcpy(dst + n - 2, s + n - 2, 2);
	} else {
		dst[0] = s[0];
	}
	return n;
bytes:
	for (; i < n && !jbuf_special[(unsigned char)s[i]]; i++)
		dst[i] = s[i];
	return i;
}

void jbuf_str_n(struct jbuf *b, const char *s, size_t n)
{
	size_t i;
	char *p;

	if (jbuf_room(b, n + 2))
		return;
	p = b->buf + b->len;
	p[0] = '"';
	i = jbuf_copy_plain(p + 1, s, n);
	if (__builtin_expect(i == n, 1)) {
		p[n + 1] = '"';
		p[n + 2] = '\0';
		b->len += n + 2;
		return;
	}
	b->len += 1 + i;
	jbuf_escape(b, s + i, n - i);
	jbuf_putc(b, '"');
}

char *jbuf_str_at(struct jbuf *b, char *q, const char *s, size_t n, size_t room)
{
	jbuf_set_tail(b, q);
	jbuf_str_n(b, s, n);
	return jbuf_tail(b, room);
}

void jbuf_key_n(struct jbuf *b, const char *key, size_t n)
{
	size_t i;
	char *p;

	if (jbuf_room(b, n + 4))
		return;
	p = b->buf + b->len;
	if (!b->first)
		*p++ = ',';
	b->first = 0;
	*p++ = '"';
	i = jbuf_copy_plain(p, key, n);
	if (__builtin_expect(i == n, 1)) {
		p[n] = '"';
		p[n + 1] = ':';
		p[n + 2] = '\0';
		b->len = (size_t)(p + n + 2 - b->buf);
		return;
	}
	b->len = (size_t)(p + i - b->buf);
	jbuf_escape(b, key + i, n - i);
	jbuf_put(b, "\":", 2);
}

/* Length of the well-formed UTF-8 sequence at @s (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 with *bad set to the length of
 * the maximal ill-formed prefix to replace by one U+FFFD (Unicode's
 * recommended practice, as in WHATWG decoders). */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		*bad = 1; /* stray continuation byte, 0xc0/0xc1 or 0xf5..0xff */
		return 0;
	}
	for (i = 1; i < len; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

void jbuf_escape(struct jbuf *b, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, j, len, bad;
	unsigned char c;
	char esc[6];

	/* Copy runs of plain bytes at once; escape or replace the rest. */
	while (i < n) {
		if (jbuf_room(b, n - i))
			return;
		j = jbuf_copy_plain(b->buf + b->len, str + i, n - i);
		b->len += j;
		b->buf[b->len] = '\0';
		i += j;
		if (i >= n)
			break;
		c = s[i];
		if (c < 0x80) {
			switch (c) {
			case '"':
				jbuf_put(b, "\\\"", 2);
				break;
			case '\\':
				jbuf_put(b, "\\\\", 2);
				break;
			case '\n':
				jbuf_put(b, "\\n", 2);
				break;
			case '\r':
				jbuf_put(b, "\\r", 2);
				break;
			case '\t':
				jbuf_put(b, "\\t", 2);
				break;
			default: /* other C0 controls and DEL */
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 0xf];
				jbuf_put(b, esc, 6);
				break;
			}
			i++;
			continue;
		}
		len = utf8_seq(s + i, n - i, &bad);
		if (len) {
			jbuf_put(b, str + i, len);
			i += len;
		} else {
			jbuf_put(b, "\xef\xbf\xbd", 3); /* U+FFFD */
			i += bad;
		}
	}
}

void jbuf_obj_begin(struct jbuf *b)
{
	jbuf_sep(b);
	jbuf_putc(b, '{');
	b->first = 1;
}

void jbuf_obj_end(struct jbuf *b)
{
	jbuf_putc(b, '}');
	b->first = 0;
}

void jbuf_key_obj_begin(struct jbuf *b, const char *key)
{
	jbuf_key_n(b, key, strlen(key));
	jbuf_putc(b, '{');
	b->first = 1;
}

void jbuf_key_arr_begin(struct jbuf *b, const char *key)
{
	jbuf_key_n(b, key, strlen(key));
	jbuf_putc(b, '[');
	b->first = 1;
}

void jbuf_arr_end(struct jbuf *b)
{
	jbuf_putc(b, ']');
	b->first = 0;
}

void jbuf_u64(struct jbuf *b, uint64_t v)
{
	char *p = jbuf_tail(b, FMT_U64_MAX);

	if (p)
		jbuf_set_tail(b, fmt_u64(p, v));
}

void jbuf_key_i64(struct jbuf *b, const char *key, int64_t val)
{
	jbuf_key_n(b, key, strlen(key));
	if (val < 0) {
		jbuf_putc(b, '-');
		jbuf_u64(b, -(uint64_t)val);
	} else {
		jbuf_u64(b, val);
	}
}

void jbuf_key_bool(struct jbuf *b, const char *key, int val)
{
	jbuf_key_n(b, key, strlen(key));
	if (val)
		jbuf_put(b, "true", 4);
	else
		jbuf_put(b, "false", 5);
}

void jbuf_key_double(struct jbuf *b, const char *key, double val)
{
	char tmp[32];
	int n;

	jbuf_key_n(b, key, strlen(key));
	if (!isfinite(val)) {
		jbuf_put(b, "null", 4);
		return;
	}
	n = snprintf(tmp, sizeof(tmp), "%.6g", val);
	jbuf_put(b, tmp, n);
}

void jbuf_arr_u64(struct jbuf *b, uint64_t val)
{
	jbuf_sep(b);
	jbuf_u64(b, val);
}

void jbuf_arr_i64(struct jbuf *b, int64_t val)
{
	jbuf_sep(b);
	if (val < 0) {
		jbuf_putc(b, '-');
		jbuf_u64(b, -(uint64_t)val);
	} else {
		jbuf_u64(b, val);
	}
}

void jbuf_arr_str(struct jbuf *b, const char *val)
{
	jbuf_sep(b);
	if (val)
		jbuf_str_n(b, val, strlen(val));
	else
		jbuf_put(b, "null", 4);
}
