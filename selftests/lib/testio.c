// SPDX-License-Identifier: GPL-2.0
/* testio.c: see testio.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include "testio.h"

int test_write_file(const char *dir, const char *name, const char *text, char *path, size_t n)
{
	FILE *f;

	snprintf(path, n, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

void test_stderr_begin(struct test_stderr *c)
{
	fflush(stderr);
	c->tmp = open("/tmp", O_TMPFILE | O_RDWR, 0600);
	c->saved = c->tmp < 0 ? -1 : dup(2);
	if (c->saved < 0)
		return;
	dup2(c->tmp, 2);
}

void test_stderr_end(struct test_stderr *c, char *buf, size_t n)
{
	ssize_t r = 0;

	if (c->saved >= 0) {
		fflush(stderr);
		dup2(c->saved, 2);
		close(c->saved);
		if (buf && n)
			r = pread(c->tmp, buf, n - 1, 0);
	}
	if (c->tmp >= 0)
		close(c->tmp);
	if (buf && n)
		buf[r > 0 ? r : 0] = '\0';
	c->saved = c->tmp = -1;
}
