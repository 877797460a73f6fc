// SPDX-License-Identifier: GPL-2.0
/* test_jsonl.c: JSON escaping (exact text), UTF-8 repair, nesting, numbers,
 * long strings, and the word-at-a-time scan at every position; every produced
 * line is parsed back with jansson. The writer: test_jsonl_writer.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "test.h"
#include "jsonl.h"

/* Escape @n bytes as {"s":"..."} and compare the text. */
static void check_escape(const char *in, size_t n, const char *want, const char *what)
{
	struct jbuf b;
	char exp[512];

	jbuf_init(&b);
	jbuf_obj_begin(&b);
	jbuf_key_strn(&b, "s", in, n);
	jbuf_obj_end(&b);
	snprintf(exp, sizeof(exp), "{\"s\":\"%s\"}", want);
	ASSERT_OK(b.err, what);
	ASSERT_STREQ(b.buf, exp, what);
	ASSERT_EQ(b.len, strlen(exp), what);
	jbuf_free(&b);
}

/* The line must parse, as valid UTF-8 JSON, and "s" must equal @want (@wn bytes). */
static void check_roundtrip(const char *in, size_t n, const char *want, size_t wn, const char *what)
{
	json_error_t jerr;
	struct jbuf b;
	json_t *root;

	jbuf_init(&b);
	jbuf_obj_begin(&b);
	jbuf_key_strn(&b, "s", in, n);
	jbuf_obj_end(&b);
	root = json_loadb(b.buf, b.len, JSON_ALLOW_NUL, &jerr);
	if (ASSERT_OK_PTR(root, what)) {
		json_t *s = json_object_get(root, "s");

		ASSERT_EQ(json_string_length(s), wn, what);
		ASSERT_MEMEQ(json_string_value(s), want, wn, what);
	} else {
		printf("  jansson: %s: %s\n", jerr.text, b.buf);
	}
	json_decref(root);
	jbuf_free(&b);
}

#define ESC(in, want) check_escape(in, sizeof(in) - 1, want, #in)
#define RT(in, want)  check_roundtrip(in, sizeof(in) - 1, want, sizeof(want) - 1, #in)

void test_jsonl_escape(void)
{
	ESC("plain text", "plain text");
	ESC("", "");
	ESC("a\"b", "a\\\"b");
	ESC("back\\slash", "back\\\\slash");
	ESC("l1\nl2\r\n\tx", "l1\\nl2\\r\\n\\tx");
	ESC("\x01\x1f\x7f\b\f", "\\u0001\\u001f\\u007f\\u0008\\u000c");
	ESC("nul\0byte", "nul\\u0000byte");
	ESC("/", "/");
	/* valid UTF-8 passes through: 2, 3 and 4 bytes, U+FFFF, U+10FFFF */
	ESC("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80",
	    "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80");
	ESC("\xef\xbf\xbf\xf4\x8f\xbf\xbf", "\xef\xbf\xbf\xf4\x8f\xbf\xbf");
	/* invalid UTF-8 -> U+FFFD per maximal ill-formed subsequence */
	ESC("\xff", "\xef\xbf\xbd");
	ESC("a\x80z", "a\xef\xbf\xbdz");
	ESC("\xc3", "\xef\xbf\xbd");		     /* truncated at the end */
	ESC("\xc3(", "\xef\xbf\xbd(");		     /* bad continuation */
	ESC("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"); /* overlong '/' */
	ESC("\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	ESC("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
	ESC("\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	ESC("\xe6\x97", "\xef\xbf\xbd");	   /* truncated 3-byte: one U+FFFD */
	ESC("\xf0\x9f\x98", "\xef\xbf\xbd");	   /* truncated 4-byte */
	ESC("\xf0\x9f\x98\"", "\xef\xbf\xbd\\\""); /* truncated before a quote */

	RT("a\"b\\c\n\x01", "a\"b\\c\n\x01");
	RT("nul\0", "nul\0");
	RT("\xff\xfe", "\xef\xbf\xbd\xef\xbf\xbd");
	RT("\xed\xa0\x80x", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx");

	/* every single byte value, and every byte pair, always parses */
	for (int c = 0; c < 256; c++) {
		char in[2] = {(char)c, (char)(255 - c)};
		json_error_t jerr;
		struct jbuf b;
		json_t *root;

		jbuf_init(&b);
		jbuf_obj_begin(&b);
		jbuf_key_strn(&b, "s", in, 2);
		jbuf_obj_end(&b);
		root = json_loadb(b.buf, b.len, JSON_ALLOW_NUL, &jerr);
		if (!ASSERT_OK_PTR(root, "byte pair parses"))
			printf("  byte 0x%02x: %s\n", c, jerr.text);
		json_decref(root);
		jbuf_free(&b);
	}

	/* keys are escaped too; NULL string values are null */
	{
		struct jbuf b;

		jbuf_init(&b);
		jbuf_obj_begin(&b);
		jbuf_key_str(&b, "k\"1", NULL);
		jbuf_obj_end(&b);
		ASSERT_STREQ(b.buf, "{\"k\\\"1\":null}", "key escaped, null value");
		jbuf_free(&b);
	}
}

void test_jsonl_nesting_and_numbers(void)
{
	json_error_t jerr;
	json_t *root;
	struct jbuf b;

	jbuf_init(&b);
	jbuf_obj_begin(&b);
	jbuf_key_str(&b, "event", "hit");
	jbuf_key_obj_begin(&b, "attack");
	jbuf_key_str(&b, "id", "T1021.002");
	jbuf_key_arr_begin(&b, "tags");
	jbuf_arr_str(&b, "a");
	jbuf_arr_str(&b, "b\"");
	jbuf_arr_u64(&b, 7);
	jbuf_arr_end(&b);
	jbuf_key_obj_begin(&b, "empty");
	jbuf_obj_end(&b);
	jbuf_key_arr_begin(&b, "none");
	jbuf_arr_end(&b);
	jbuf_obj_end(&b);
	jbuf_key_arr_begin(&b, "objs");
	jbuf_obj_begin(&b);
	jbuf_key_u64(&b, "x", 1);
	jbuf_obj_end(&b);
	jbuf_obj_begin(&b);
	jbuf_key_u64(&b, "x", 2);
	jbuf_obj_end(&b);
	jbuf_arr_end(&b);
	jbuf_key_u64(&b, "u0", 0);
	jbuf_key_u64(&b, "umax", UINT64_MAX);
	jbuf_key_i64(&b, "imin", INT64_MIN);
	jbuf_key_i64(&b, "ineg", -42);
	jbuf_key_i64(&b, "imax", INT64_MAX);
	jbuf_key_bool(&b, "t", 1);
	jbuf_key_bool(&b, "f", 0);
	jbuf_key_double(&b, "d", 1.5);
	jbuf_key_double(&b, "big", 1e300);
	jbuf_key_double(&b, "nan", NAN);
	jbuf_key_double(&b, "inf", -INFINITY);
	jbuf_obj_end(&b);
	ASSERT_OK(b.err, "no error");
	ASSERT_STREQ(
		b.buf,
		"{\"event\":\"hit\",\"attack\":{\"id\":\"T1021.002\",\"tags\":[\"a\",\"b\\\"\",7],"
		"\"empty\":{},\"none\":[]},\"objs\":[{\"x\":1},{\"x\":2}],\"u0\":0,"
		"\"umax\":18446744073709551615,\"imin\":-9223372036854775808,\"ineg\":-42,"
		"\"imax\":9223372036854775807,\"t\":true,\"f\":false,\"d\":1.5,"
		"\"big\":1e+300,\"nan\":null,\"inf\":null}",
		"exact text");

	/* jansson cannot hold u64 above INT64_MAX: drop "umax" before parsing back */
	{
		char *p = strstr(b.buf, "\"umax\":18446744073709551615,");
		size_t cut = strlen("\"umax\":18446744073709551615,");

		if (ASSERT_OK_PTR(p, "umax present"))
			memmove(p, p + cut, strlen(p + cut) + 1);
	}
	root = json_loads(b.buf, 0, &jerr);
	if (ASSERT_OK_PTR(root, "parses")) {
		json_t *att = json_object_get(root, "attack");

		ASSERT_STREQ(json_string_value(json_object_get(att, "id")), "T1021.002", "nested");
		ASSERT_EQ(json_array_size(json_object_get(att, "tags")), 3, "array size");
		ASSERT_STREQ(json_string_value(json_array_get(json_object_get(att, "tags"), 1)),
			     "b\"", "array string");
		ASSERT_EQ(json_integer_value(json_object_get(root, "imin")), INT64_MIN, "imin");
		ASSERT_EQ(json_integer_value(json_object_get(root, "imax")), INT64_MAX, "imax");
		ASSERT_TRUE(json_is_true(json_object_get(root, "t")), "true");
		ASSERT_TRUE(json_is_false(json_object_get(root, "f")), "false");
		ASSERT_TRUE(json_real_value(json_object_get(root, "d")) == 1.5, "double");
		ASSERT_TRUE(json_is_null(json_object_get(root, "nan")), "nan is null");
		ASSERT_EQ(json_array_size(json_object_get(root, "objs")), 2, "objects in array");
	} else {
		printf("  jansson: %s\n", jerr.text);
	}
	json_decref(root);

	/* reset keeps the allocation and starts a new line without a comma */
	{
		char *old = b.buf;

		jbuf_reset(&b);
		ASSERT_EQ(b.len, 0, "reset len");
		jbuf_obj_begin(&b);
		jbuf_key_u64(&b, "a", 1);
		jbuf_obj_end(&b);
		ASSERT_STREQ(b.buf, "{\"a\":1}", "after reset");
		ASSERT_TRUE(b.buf == old, "allocation kept");
	}
	jbuf_free(&b);
	jbuf_free(&b); /* twice is fine */
}

void test_jsonl_long_string(void)
{
	size_t n = 300000;
	char *big = malloc(n);
	json_error_t jerr;
	struct jbuf b;
	json_t *root;

	if (!ASSERT_OK_PTR(big, "malloc"))
		return;
	for (size_t i = 0; i < n; i++)
		big[i] = "ab\"\\\n\x01"[i % 6];
	jbuf_init(&b);
	jbuf_obj_begin(&b);
	jbuf_key_strn(&b, "big", big, n);
	jbuf_obj_end(&b);
	ASSERT_OK(b.err, "no error");
	ASSERT_GE(b.cap, b.len + 1, "capacity");
	ASSERT_GE(b.len, n, "grew");
	root = json_loadb(b.buf, b.len, 0, &jerr);
	if (ASSERT_OK_PTR(root, "parses")) {
		json_t *s = json_object_get(root, "big");

		ASSERT_EQ(json_string_length(s), n, "length");
		ASSERT_MEMEQ(json_string_value(s), big, n, "content");
	}
	json_decref(root);
	jbuf_free(&b);
	free(big);
}

/* The reference: JSON-escape byte by byte, as the spec reads (ASCII only:
 * the inputs below put non-ASCII bytes only where the expected text says). */
static size_t ref_escape(char *out, const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			out[w++] = '\\';
			out[w++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			w += (size_t)sprintf(out + w, "\\u%04x", c);
		} else if (c >= 0x80) {
			memcpy(out + w, "\xef\xbf\xbd", 3); /* a lone byte: U+FFFD */
			w += 3;
		} else {
			out[w++] = (char)c;
		}
	}
	out[w] = '\0';
	return w;
}

/* The word-at-a-time scan of plain runs (jsonl.c, jbuf_copy_plain) must
 * find a special byte at every position of every length, including the
 * bytes next to the limits of its word tests (0x1f/0x20, 0x7e/0x7f, 0x80,
 * 0xff, '"' and '\\' beside '!' and '['/']'). */
void test_jsonl_escape_positions(void)
{
	static const unsigned char specials[] = {'"',  '\\', 0x00, 0x01, 0x1f,
						 0x7f, 0x80, 0xfe, 0xff};
	static const unsigned char plains[] = {' ', '!', '#', '[', ']', '~', 'a', '0'};
	char in[48], want[48 * 6 + 1];
	struct jbuf b;

	jbuf_init(&b);
	for (size_t n = 1; n <= 48; n++) {
		for (size_t pos = 0; pos < n; pos++) {
			for (size_t k = 0; k < sizeof(specials) + sizeof(plains); k++) {
				size_t wl;

				for (size_t i = 0; i < n; i++)
					in[i] = (char)plains[(i + k) % sizeof(plains)];
				in[pos] =
					(char)(k < sizeof(specials) ? specials[k]
								    : plains[k - sizeof(specials)]);
				wl = ref_escape(want, in, n);
				jbuf_reset(&b);
				jbuf_escape(&b, in, n);
				if (!ASSERT_EQ(b.len, wl, "escaped length") ||
				    !ASSERT_MEMEQ(b.buf, want, wl, "escaped text")) {
					printf("  n=%zu pos=%zu byte=0x%02x\n", n, pos,
					       (unsigned char)in[pos]);
					goto out;
				}
				/* And as a value: quoted, through the copy-as-you-scan path. */
				jbuf_reset(&b);
				jbuf_obj_begin(&b);
				jbuf_key_strn(&b, "k", in, n);
				jbuf_obj_end(&b);
				if (!ASSERT_EQ(b.len, wl + 8, "quoted length") ||
				    !ASSERT_MEMEQ(b.buf + 6, want, wl, "quoted text"))
					goto out;
			}
		}
	}
out:
	jbuf_free(&b);
}
