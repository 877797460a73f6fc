/* SPDX-License-Identifier: GPL-2.0 */
/* testio.h: files and stderr for the tests: a file written in a test's
 * folder, and what the code under test says on stderr, caught to check it
 * (or to keep a test's output quiet). */
#ifndef XH_TESTIO_H
#define XH_TESTIO_H

#include <stddef.h>

/* Write @text to @dir/@name; the path goes to @path (@n bytes). 0 or -errno. */
int test_write_file(const char *dir, const char *name, const char *text, char *path, size_t n);

/* stderr caught into an unnamed temporary file between _begin and _end. */
struct test_stderr {
	int saved; /* the real stderr, -1 when nothing was caught */
	int tmp;
};
void test_stderr_begin(struct test_stderr *c);
/* Put stderr back; what was said goes to @buf (@n bytes, NUL-terminated;
 * "" when nothing could be caught); @buf may be NULL to drop it. */
void test_stderr_end(struct test_stderr *c, char *buf, size_t n);

#endif
