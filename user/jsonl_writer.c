// SPDX-License-Identifier: GPL-2.0
/* jsonl_writer.c: a buffered writer of JSON lines that hands whole lines to
 * write(2), so a reader of the file never sees half a line. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "jsonl.h"
#include "log.h"

/* One write(2) per MiB of lines: at 3 M lines/s (about 1.4 GB/s of JSON) a
 * 64 KiB buffer made over 20,000 writes a second. The live loop flushes
 * after every drain anyway (user/loop.c), so lines are not held longer. */
#define JSONL_WRITER_CAP (1024 * 1024)

struct jsonl_writer {
	int fd;
	int owns_fd;
	char *path; /* the file jsonl_writer__open() opened, for jsonl_writer_reopen() */
	char *buf;
	size_t len;
	size_t cap;
	uint64_t lines;
};

/* write(2) all of @p, retrying on EINTR and short writes. Returns the bytes
 * written in *done and 0, or -errno. */
static int write_all(int fd, const char *p, size_t n, size_t *done)
{
	ssize_t r;

	*done = 0;
	while (*done < n) {
		r = write(fd, p + *done, n - *done);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EIO;
		*done += r;
	}
	return 0;
}

struct jsonl_writer *jsonl_writer__new(int fd, int owns_fd)
{
	struct jsonl_writer *w;

	if (fd < 0) {
		errno = EBADF;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->buf = malloc(JSONL_WRITER_CAP);
	if (!w->buf) {
		free(w);
		errno = ENOMEM;
		return NULL;
	}
	w->cap = JSONL_WRITER_CAP;
	w->fd = fd;
	w->owns_fd = owns_fd;
	return w;
}

static int open_append(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

struct jsonl_writer *jsonl_writer__open(const char *path)
{
	struct jsonl_writer *w;
	int fd, err;

	if (strcmp(path, "-") == 0)
		return jsonl_writer__new(STDOUT_FILENO, 0);
	fd = open_append(path);
	if (fd < 0)
		return NULL;
	w = jsonl_writer__new(fd, 1);
	if (w) {
		w->path = strdup(path);
		if (w->path)
			return w;
		jsonl_writer__free(w);
		errno = ENOMEM;
		return NULL;
	}
	err = errno;
	close(fd);
	errno = err;
	return NULL;
}

int jsonl_writer_reopen(struct jsonl_writer *w)
{
	int fd, err;

	if (!w->path)
		return 0;
	/* What is buffered belongs to the old file; the new one must open
	 * before the old one is let go, so that nothing is lost either way. */
	err = jsonl_flush(w);
	if (err)
		return err;
	fd = open_append(w->path);
	if (fd < 0)
		return -errno;
	close(w->fd);
	w->fd = fd;
	return 0;
}

const char *jsonl_writer_path(const struct jsonl_writer *w)
{
	return w->path;
}

int jsonl_flush(struct jsonl_writer *w)
{
	size_t done;
	int err;

	if (!w->len)
		return 0;
	err = write_all(w->fd, w->buf, w->len, &done);
	/* keep what was not written, so a later flush can retry (EAGAIN) */
	if (done < w->len)
		memmove(w->buf, w->buf + done, w->len - done);
	w->len -= done;
	return err;
}

void jsonl_writer__free(struct jsonl_writer *w)
{
	int err;

	if (!w)
		return;
	err = jsonl_flush(w);
	if (err)
		pr_warn("jsonl: %zu bytes of output lost: %s\n", w->len, strerror(-err));
	if (w->owns_fd)
		close(w->fd);
	free(w->path);
	free(w->buf);
	free(w);
}

int jsonl_write_line(struct jsonl_writer *w, const struct jbuf *b)
{
	size_t need, done;
	int err;

	if (b->err)
		return b->err;
	need = b->len + 1;
	if (w->len + need > w->cap) {
		err = jsonl_flush(w);
		if (err)
			return err;
	}
	if (need > w->cap) {
		/* longer than the buffer (rare): out directly, still in order */
		err = write_all(w->fd, b->buf, b->len, &done);
		if (!err)
			err = write_all(w->fd, "\n", 1, &done);
		if (err)
			return err;
	} else {
		if (b->len)
			memcpy(w->buf + w->len, b->buf, b->len);
		w->buf[w->len + b->len] = '\n';
		w->len += need;
	}
	w->lines++;
	return 0;
}

uint64_t jsonl_lines(const struct jsonl_writer *w)
{
	return w->lines;
}
