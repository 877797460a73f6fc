// SPDX-License-Identifier: GPL-2.0
/* test_jsonl_writer.c: the buffered writer of JSON lines (jsonl_writer.c):
 * lines in order past its 1 MiB buffer and a longer one, fd ownership, pipes,
 * write errors kept for a retry, a file cut short by its size limit, the
 * constructors; every line read back is parsed with jansson. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <jansson.h>
#include "test.h"
#include "testio.h"
#include "jsonl.h"

/* Read all of @fd from offset 0. */
static char *slurp_fd(int fd, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	ssize_t r;

	if (!buf || lseek(fd, 0, SEEK_SET) < 0) {
		free(buf);
		return NULL;
	}
	while ((r = read(fd, buf + n, cap - n)) > 0) {
		n += r;
		if (n == cap) {
			char *p = realloc(buf, cap * 2 + 1);

			if (!p) {
				free(buf);
				return NULL;
			}
			buf = p;
			cap *= 2;
		}
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void make_line(struct jbuf *b, unsigned int i, size_t pad)
{
	jbuf_reset(b);
	jbuf_obj_begin(b);
	jbuf_key_u64(b, "i", i);
	jbuf_key_str(b, "s", "q\"\xff\n");
	if (pad) {
		char *p = malloc(pad);

		memset(p, 'x', pad);
		jbuf_key_strn(b, "pad", p, pad);
		free(p);
	}
	jbuf_obj_end(b);
}

void test_jsonl_writer(void)
{
	char path[] = "/tmp/xh_jsonl_XXXXXX";
	const unsigned int nlines = 5000;
	struct jsonl_writer *w = NULL;
	char *data = NULL, *line, *save;
	unsigned int i, got = 0;
	struct jbuf b;
	size_t len;
	int fd;

	jbuf_init(&b);
	fd = mkstemp(path);
	if (!ASSERT_GE(fd, 0, "mkstemp"))
		return;
	unlink(path);
	w = jsonl_writer__new(fd, 0);
	if (!ASSERT_OK_PTR(w, "writer"))
		goto out;
	/* enough lines to pass the 1 MiB buffer several times, and one longer line */
	for (i = 0; i < nlines; i++) {
		make_line(&b, i, i == 1234 ? 1500000 : 1000);
		if (!ASSERT_OK(jsonl_write_line(w, &b), "write_line"))
			goto out;
	}
	ASSERT_EQ(jsonl_lines(w), nlines, "lines counted");
	ASSERT_OK(jsonl_flush(w), "flush");
	ASSERT_OK(jsonl_flush(w), "flush again");
	data = slurp_fd(fd, &len);
	if (!ASSERT_OK_PTR(data, "read back"))
		goto out;
	ASSERT_EQ(data[len - 1], '\n', "ends with newline");
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t jerr;
		json_t *root = json_loads(line, 0, &jerr);

		if (!ASSERT_OK_PTR(root, "line parses"))
			break;
		ASSERT_EQ(json_integer_value(json_object_get(root, "i")), got, "in order");
		ASSERT_STREQ(json_string_value(json_object_get(root, "s")), "q\"\xef\xbf\xbd\n",
			     "string");
		if (got == 1234)
			ASSERT_EQ(json_string_length(json_object_get(root, "pad")), 1500000,
				  "long line");
		json_decref(root);
		got++;
	}
	ASSERT_EQ(got, nlines, "all lines back");

	/* a jbuf that ran out of memory is refused */
	b.err = -ENOMEM;
	ASSERT_EQ(jsonl_write_line(w, &b), -ENOMEM, "failed jbuf refused");
	ASSERT_EQ(jsonl_lines(w), nlines, "not counted");
out:
	jsonl_writer__free(w);
	jsonl_writer__free(NULL);
	ASSERT_TRUE(fcntl(fd, F_GETFD) >= 0, "fd not owned stays open");
	close(fd);
	free(data);
	jbuf_free(&b);
}

void test_jsonl_writer_pipe_and_errors(void)
{
	struct jsonl_writer *w;
	char buf[256] = "";
	struct jbuf b;
	int p[2];
	ssize_t n;

	jbuf_init(&b);
	if (!ASSERT_OK(pipe(p), "pipe"))
		return;
	w = jsonl_writer__new(p[1], 1); /* owns the write end */
	if (!ASSERT_OK_PTR(w, "writer"))
		goto out;
	make_line(&b, 1, 0);
	ASSERT_OK(jsonl_write_line(w, &b), "line 1");
	make_line(&b, 2, 0);
	ASSERT_OK(jsonl_write_line(w, &b), "line 2");
	jsonl_writer__free(w); /* flushes and closes p[1] */
	n = read(p[0], buf, sizeof(buf) - 1);
	ASSERT_GE(n, 0, "read");
	ASSERT_STREQ(buf,
		     "{\"i\":1,\"s\":\"q\\\"\xef\xbf\xbd\\n\"}\n"
		     "{\"i\":2,\"s\":\"q\\\"\xef\xbf\xbd\\n\"}\n",
		     "pipe content");
	ASSERT_EQ(read(p[0], buf, 1), 0, "write end closed by free");

	/* write error: the read end of a pipe is not writable */
	w = jsonl_writer__new(p[0], 0);
	if (ASSERT_OK_PTR(w, "writer on read end")) {
		struct test_stderr c;
		char said[1024];

		test_stderr_begin(&c);
		ASSERT_OK(jsonl_write_line(w, &b), "buffered");
		ASSERT_EQ(jsonl_flush(w), -EBADF, "flush reports the error");
		ASSERT_EQ(jsonl_flush(w), -EBADF, "data kept for a retry");
		jsonl_writer__free(w);
		test_stderr_end(&c, said, sizeof(said));
		ASSERT_TRUE(strstr(said, "output: cannot write the output: Bad file descriptor "
					 "(1 lines held"),
			    "the first error said once");
		ASSERT_TRUE(strstr(said, "output: the output: 1 lines not written"),
			    "the lines lost said at the end");
	}

	/* constructors */
	errno = 0;
	ASSERT_NULL(jsonl_writer__new(-1, 0), "bad fd");
	ASSERT_EQ(errno, EBADF, "bad fd errno");
	errno = 0;
	ASSERT_NULL(jsonl_writer__open("/nonexistent-dir/x.jsonl"), "open in missing dir");
	ASSERT_EQ(errno, ENOENT, "open errno");
	w = jsonl_writer__open("-");
	if (ASSERT_OK_PTR(w, "stdout writer"))
		jsonl_writer__free(w);
	ASSERT_TRUE(fcntl(STDOUT_FILENO, F_GETFD) >= 0, "stdout not closed");
	{
		char path[] = "/tmp/xh_jsonl_open_XXXXXX";
		int fd = mkstemp(path);
		size_t len = 0;
		char *data;

		if (ASSERT_GE(fd, 0, "mkstemp")) {
			ASSERT_EQ(write(fd, "old\n", 4), 4, "seed file");
			w = jsonl_writer__open(path);
			if (ASSERT_OK_PTR(w, "open path")) {
				ASSERT_OK(jsonl_write_line(w, &b), "write");
				jsonl_writer__free(w);
			}
			data = slurp_fd(fd, &len);
			if (ASSERT_OK_PTR(data, "read back"))
				ASSERT_TRUE(strncmp(data, "old\n{\"i\":2,", 11) == 0, "appended");
			free(data);
			close(fd);
			unlink(path);
		}
	}
out:
	close(p[0]);
	jbuf_free(&b);
}

/* The whole of the file at @path, or NULL. */
static char *slurp_path(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *s = fd >= 0 ? slurp_fd(fd, len) : NULL;

	if (fd >= 0)
		close(fd);
	return s;
}

/* Log rotation: after the file is renamed away, reopen writes to a new file
 * of the same name; lines buffered before the reopen go to the old one. A
 * reopen that cannot open the path keeps writing to the file it had. Writers
 * of stdout or a descriptor have no path and keep theirs. */
void test_jsonl_writer_reopen(void)
{
	char dir[] = "/tmp/xh_reopen_XXXXXX", path[64], rotated[80];
	struct jsonl_writer *w, *wfd;
	struct jbuf b;
	size_t len;
	char *s;

	if (!ASSERT_OK_PTR(mkdtemp(dir), "mkdtemp"))
		return;
	snprintf(path, sizeof(path), "%s/hits.json", dir);
	snprintf(rotated, sizeof(rotated), "%s/hits.json.1", dir);
	jbuf_init(&b);
	w = jsonl_writer__open(path);
	if (!ASSERT_OK_PTR(w, "open"))
		goto out;
	ASSERT_STREQ(jsonl_writer_path(w), path, "path kept");
	make_line(&b, 1, 0);
	ASSERT_OK(jsonl_write_line(w, &b), "line 1");
	ASSERT_OK(rename(path, rotated), "rotate");
	make_line(&b, 2, 0); /* buffered, not yet written: belongs to the old file */
	ASSERT_OK(jsonl_write_line(w, &b), "line 2");
	ASSERT_OK(jsonl_writer_reopen(w), "reopen");
	make_line(&b, 3, 0);
	ASSERT_OK(jsonl_write_line(w, &b), "line 3");
	ASSERT_OK(jsonl_flush(w), "flush");
	s = slurp_path(rotated, &len);
	ASSERT_TRUE(s && strstr(s, "\"i\":1") && strstr(s, "\"i\":2") && !strstr(s, "\"i\":3"),
		    "rotated file: lines 1 and 2");
	free(s);
	s = slurp_path(path, &len);
	ASSERT_TRUE(s && !strstr(s, "\"i\":1") && !strstr(s, "\"i\":2") && strstr(s, "\"i\":3"),
		    "new file: line 3 only");
	free(s);

	/* The directory gone: reopen fails, the open file still takes lines. */
	ASSERT_OK(unlink(path), "unlink");
	ASSERT_OK(unlink(rotated), "unlink rotated");
	ASSERT_OK(rmdir(dir), "rmdir");
	ASSERT_EQ(jsonl_writer_reopen(w), -ENOENT, "reopen without the directory");
	make_line(&b, 4, 0);
	ASSERT_OK(jsonl_write_line(w, &b), "line 4");
	ASSERT_OK(jsonl_flush(w), "flush after a failed reopen");
	jsonl_writer__free(w);

	wfd = jsonl_writer__new(dup(STDERR_FILENO), 1);
	if (ASSERT_OK_PTR(wfd, "writer of a descriptor")) {
		ASSERT_TRUE(jsonl_writer_path(wfd) == NULL, "no path");
		ASSERT_OK(jsonl_writer_reopen(wfd), "reopen: nothing to do");
		jsonl_writer__free(wfd);
	}
out:
	jbuf_free(&b);
}

/* A file that stops growing (its size limit here, a full disk alike) in the
 * middle of a flush keeps whole lines only: the line cut short is taken
 * back, so the file's last line parses and a retry once the limit is gone
 * writes every line once, in order. The first error names the file. */
void test_jsonl_writer_file_size_limit(void)
{
	char path[] = "/tmp/xh_jsonl_fsize_XXXXXX";
	struct rlimit old, small;
	struct jsonl_writer *w;
	void (*old_sig)(int);
	size_t len = 0, lines = 0;
	char *data = NULL, said[1024], *p, *nl;
	struct test_stderr c;
	struct jbuf b;
	int fd, i;

	fd = mkstemp(path);
	if (!ASSERT_GE(fd, 0, "mkstemp"))
		return;
	close(fd);
	jbuf_init(&b);
	w = jsonl_writer__open(path);
	if (!ASSERT_OK_PTR(w, "open"))
		goto out;
	for (i = 0; i < 10; i++) {
		make_line(&b, (unsigned int)i, 300);
		ASSERT_OK(jsonl_write_line(w, &b), "buffered");
	}
	/* 1000 bytes: three lines and part of a fourth fit. */
	getrlimit(RLIMIT_FSIZE, &old);
	small = old;
	small.rlim_cur = 1000;
	old_sig = signal(SIGXFSZ, SIG_IGN);
	ASSERT_OK(setrlimit(RLIMIT_FSIZE, &small), "set the file size limit");
	test_stderr_begin(&c);
	ASSERT_EQ(jsonl_flush(w), -EFBIG, "the flush stops at the limit");
	setrlimit(RLIMIT_FSIZE, &old);
	test_stderr_end(&c, said, sizeof(said));
	signal(SIGXFSZ, old_sig);
	ASSERT_TRUE(strstr(said, path) && strstr(said, "File too large"),
		    "the error names the file");
	data = slurp_path(path, &len);
	if (ASSERT_OK_PTR(data, "read back")) {
		ASSERT_TRUE(len > 0, "some lines written");
		ASSERT_TRUE(len <= 1000, "within the limit");
		ASSERT_EQ(data[len - 1], '\n', "the file ends with a whole line");
		free(data);
	}
	ASSERT_OK(jsonl_flush(w), "the retry once the limit is gone");
	jsonl_writer__free(w);
	data = slurp_path(path, &len);
	if (!ASSERT_OK_PTR(data, "read back"))
		goto out;
	for (p = data; (nl = strchr(p, '\n')); p = nl + 1, lines++) {
		json_t *j = json_loadb(p, (size_t)(nl - p), 0, NULL);

		ASSERT_OK_PTR(j, "each line parses");
		ASSERT_EQ(json_integer_value(json_object_get(j, "i")), (long long)lines,
			  "in order, once each");
		json_decref(j);
	}
	ASSERT_EQ(lines, 10, "every line written");
	ASSERT_EQ(*p, '\0', "nothing after the last line");
out:
	free(data);
	jbuf_free(&b);
	unlink(path);
}
