/* SPDX-License-Identifier: GPL-2.0 */
/* jsonl.h: JSON-lines encoding and buffered writing.
 * Hand-written rather than jansson: this is on the event hot path (millions
 * of lines per second), and it only ever writes a flat, known shape. */
#ifndef XH_JSONL_H
#define XH_JSONL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A growing buffer holding one JSON line under construction. */
struct jbuf {
	char *buf;
	size_t len;
	size_t cap;
	int first; /* no comma before the next member */
	int err;   /* -ENOMEM once an append failed; further appends are ignored */
};

void jbuf_init(struct jbuf *b);
void jbuf_free(struct jbuf *b);
void jbuf_reset(struct jbuf *b); /* empty, keep the allocation */

/* Grow @b for @n more bytes and a NUL (the slow path of jbuf_room()).
 * Returns 0 or -ENOMEM, which then sticks in b->err. */
int jbuf_reserve(struct jbuf *b, size_t n);

/* Room for @n more bytes and a NUL: 0, or b->err. The common case on the
 * event path, room in the buffer, is one compare. */
static inline int jbuf_room(struct jbuf *b, size_t n)
{
	if (__builtin_expect(!b->err && n < b->cap - b->len, 1))
		return 0;
	return jbuf_reserve(b, n);
}

/* Pre-encoded JSON text, for lines of a known shape (user/events.c): the
 * caller writes the commas, keys and quotes itself. What it writes is taken
 * as members (or elements) of the open object (or array): a jbuf_key_*()
 * after it writes a comma. It must be valid JSON where it lands: constant
 * text, numbers, or text that jbuf escaped. */
static inline void jbuf_raw(struct jbuf *b, const char *s, size_t n)
{
	if (jbuf_room(b, n))
		return;
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
	b->first = 0;
}

/* A string literal: its length is known when compiling. */
#define jbuf_lit(b, lit) jbuf_raw((b), "" lit, sizeof(lit) - 1)

/* Where the next @n bytes go (room made for them and a NUL), or NULL after
 * an allocation failure (b->err). Write at most @n bytes from there, then
 * end the text with jbuf_set_tail(). */
static inline char *jbuf_tail(struct jbuf *b, size_t n)
{
	return jbuf_room(b, n) ? NULL : b->buf + b->len;
}

static inline void jbuf_set_tail(struct jbuf *b, char *end)
{
	b->len = (size_t)(end - b->buf);
	*end = '\0';
	b->first = 0;
}

/* "s" (@n bytes escaped and quoted) in the middle of text written at the
 * tail: ends the text at @q, appends the string, and returns where the next
 * @room bytes go (jbuf_tail()), or NULL after an allocation failure. */
char *jbuf_str_at(struct jbuf *b, char *q, const char *s, size_t n, size_t room);

/* ,"key": (no comma before the first member): the key's @n bytes escaped. */
void jbuf_key_n(struct jbuf *b, const char *key, size_t n);
/* "s": @n bytes of @s escaped and quoted, no comma (a value after a key). */
void jbuf_str_n(struct jbuf *b, const char *s, size_t n);
/* A decimal number, no comma. */
void jbuf_u64(struct jbuf *b, uint64_t val);

/* Objects and arrays. Keys are written escaped. */
void jbuf_obj_begin(struct jbuf *b);			  /* "{" */
void jbuf_obj_end(struct jbuf *b);			  /* "}" */
void jbuf_key_obj_begin(struct jbuf *b, const char *key); /* "key":{ */
void jbuf_key_arr_begin(struct jbuf *b, const char *key); /* "key":[ */
void jbuf_arr_end(struct jbuf *b);			  /* "]" */
void jbuf_key_i64(struct jbuf *b, const char *key, int64_t val);
void jbuf_key_bool(struct jbuf *b, const char *key, int val);
void jbuf_key_double(struct jbuf *b, const char *key, double val); /* %.6g; NaN/inf as null */
void jbuf_arr_u64(struct jbuf *b, uint64_t val);		   /* array element */
void jbuf_arr_i64(struct jbuf *b, int64_t val);			   /* array element */
void jbuf_arr_str(struct jbuf *b, const char *val);		   /* array element */

/* Members with a string or number value. Inline, so that the strlen() of a
 * literal key is folded when compiling. A NULL @val is written as null. */
static inline void jbuf_key_str(struct jbuf *b, const char *key, const char *val)
{
	jbuf_key_n(b, key, strlen(key));
	if (val)
		jbuf_str_n(b, val, strlen(val));
	else
		jbuf_lit(b, "null");
}

static inline void jbuf_key_strn(struct jbuf *b, const char *key, const char *val, size_t n)
{
	jbuf_key_n(b, key, strlen(key));
	jbuf_str_n(b, val, n);
}

static inline void jbuf_key_u64(struct jbuf *b, const char *key, uint64_t val)
{
	jbuf_key_n(b, key, strlen(key));
	jbuf_u64(b, val);
}

/* Escape @n bytes of @s as the body of a JSON string (no quotes) into @b:
 * ", \ and control characters escaped, invalid UTF-8 bytes replaced by
 * U+FFFD, so the output is always valid UTF-8 JSON. */
void jbuf_escape(struct jbuf *b, const char *s, size_t n);

/* A buffered writer of whole lines to a file descriptor. */
struct jsonl_writer;

/* @fd is not closed by __free unless @owns_fd. Returns NULL and sets errno. */
struct jsonl_writer *jsonl_writer__new(int fd, int owns_fd);
/* Opens @path for appending ("-" = stdout). Returns NULL and sets errno. */
struct jsonl_writer *jsonl_writer__open(const char *path);
/* Flushes, closes when owned, frees. Accepts NULL. */
void jsonl_writer__free(struct jsonl_writer *w);
/* For log rotation: flush, then open the writer's file again by its path
 * (a new file if it was renamed away) and write there. Writers not made by
 * jsonl_writer__open() of a path keep their descriptor (0). On failure
 * (-errno) the writer keeps writing to the file it had. */
int jsonl_writer_reopen(struct jsonl_writer *w);
/* The path jsonl_writer__open() was given, or NULL (stdout, a descriptor). */
const char *jsonl_writer_path(const struct jsonl_writer *w);
/* For messages: the path, "standard output" or "the output". */
const char *jsonl_writer_name(const struct jsonl_writer *w);

/* Append the line in @b (its text plus "\n"). Returns 0 or -errno (write
 * error; the first is said on stderr, naming the file). */
int jsonl_write_line(struct jsonl_writer *w, const struct jbuf *b);
/* Write out what is buffered. Returns 0 or -errno. */
int jsonl_flush(struct jsonl_writer *w);
/* Lines written so far. */
uint64_t jsonl_lines(const struct jsonl_writer *w);

#endif
