/* SPDX-License-Identifier: GPL-2.0 */
/* jsonl.h: JSON-lines encoding and buffered writing.
 * Hand-written rather than jansson: this is on the event hot path (millions
 * of lines per second), and it only ever writes a flat, known shape. */
#ifndef XH_JSONL_H
#define XH_JSONL_H

#include <stddef.h>
#include <stdint.h>

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

/* Objects and arrays. Keys are written escaped. */
void jbuf_obj_begin(struct jbuf *b);			  /* "{" */
void jbuf_obj_end(struct jbuf *b);			  /* "}" */
void jbuf_key_obj_begin(struct jbuf *b, const char *key); /* "key":{ */
void jbuf_key_arr_begin(struct jbuf *b, const char *key); /* "key":[ */
void jbuf_arr_end(struct jbuf *b);			  /* "]" */
void jbuf_key_str(struct jbuf *b, const char *key, const char *val);
void jbuf_key_strn(struct jbuf *b, const char *key, const char *val, size_t n);
void jbuf_key_u64(struct jbuf *b, const char *key, uint64_t val);
void jbuf_key_i64(struct jbuf *b, const char *key, int64_t val);
void jbuf_key_bool(struct jbuf *b, const char *key, int val);
void jbuf_key_double(struct jbuf *b, const char *key, double val); /* %.6g; NaN/inf as null */
void jbuf_arr_u64(struct jbuf *b, uint64_t val);		   /* array element */
void jbuf_arr_str(struct jbuf *b, const char *val);		   /* array element */

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

/* Append the line in @b (its text plus "\n"). Returns 0 or -errno (write error). */
int jsonl_write_line(struct jsonl_writer *w, const struct jbuf *b);
/* Write out what is buffered. Returns 0 or -errno. */
int jsonl_flush(struct jsonl_writer *w);
/* Lines written so far. */
uint64_t jsonl_lines(const struct jsonl_writer *w);

#endif
