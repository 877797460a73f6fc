// SPDX-License-Identifier: GPL-2.0
/* jsonl_writer.c: a buffered writer of JSON lines that hands whole lines to
 * write(2), so a reader of the file never sees half a line: a write the
 * device cut short (disk full, file size limit) is cut back to the last
 * whole line of a regular file, so that a later append starts a line. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	int said; /* the first write error was said */
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

/* Take the last @n bytes written back off a regular file (the start of a
 * line a failed write cut short). Returns 0, or -1 where that cannot be
 * done (a pipe, a terminal). Another process appending to the same file
 * at that moment could lose its tail too. */
static int cut_tail(int fd, size_t n)
{
	struct stat st;
	off_t end;

	if (!n)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return -1;
	end = lseek(fd, 0, SEEK_END);
	if (end < (off_t)n || ftruncate(fd, end - (off_t)n))
		return -1;
	return 0;
}

/* write_all() of whole lines: after an error, a line half written is taken
 * back and counted as not written, so a retry writes it whole. */
static int write_lines(struct jsonl_writer *w, const char *p, size_t n, size_t *done)
{
	int err = write_all(w->fd, p, n, done);
	size_t partial = 0;

	if (!err)
		return 0;
	while (partial < *done && p[*done - partial - 1] != '\n')
		partial++;
	if (!cut_tail(w->fd, partial))
		*done -= partial;
	return err;
}

static size_t count_lines(const char *p, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += p[i] == '\n';
	return k;
}

/* The first write error, once: the file and what is kept to retry. */
static int say_error(struct jsonl_writer *w, int err)
{
	if (err && !w->said) {
		pr_warn("output: cannot write %s: %s (%zu lines held, written if it clears)\n",
			jsonl_writer_name(w), strerror(-err), count_lines(w->buf, w->len));
		w->said = 1;
	}
	return err;
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

const char *jsonl_writer_name(const struct jsonl_writer *w)
{
	return w->path ? w->path : w->fd == STDOUT_FILENO ? "standard output" : "the output";
}

int jsonl_flush(struct jsonl_writer *w)
{
	size_t done;
	int err;

	if (!w->len)
		return 0;
	err = write_lines(w, w->buf, w->len, &done);
	/* keep what was not written, so a later flush can retry (EAGAIN) */
	if (done < w->len)
		memmove(w->buf, w->buf + done, w->len - done);
	w->len -= done;
	return say_error(w, err);
}

void jsonl_writer__free(struct jsonl_writer *w)
{
	int err;

	if (!w)
		return;
	err = jsonl_flush(w);
	if (err)
		pr_warn("output: %s: %zu lines not written: %s\n", jsonl_writer_name(w),
			count_lines(w->buf, w->len), strerror(-err));
	if (w->owns_fd)
		close(w->fd);
	free(w->path);
	free(w->buf);
	free(w);
}

int jsonl_write_line(struct jsonl_writer *w, const struct jbuf *b)
{
	size_t need, done, nl;
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
		if (!err) {
			err = write_all(w->fd, "\n", 1, &nl);
			done = err ? b->len : 0;
		}
		if (err) {
			cut_tail(w->fd, done); /* none of the line stays */
			return say_error(w, err);
		}
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
