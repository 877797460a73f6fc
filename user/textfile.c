// SPDX-License-Identifier: GPL-2.0
/* textfile.c: see textfile.h. One reader for the SMB rules and DCE/RPC table
 * files: the table's own (getdelim() up to a NUL) left the buffer without a
 * terminator on an empty file, and strlen() read past it (selftests/fuzz). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "textfile.h"

int textfile_read(const char *path, size_t max, const char *who, char **out)
{
	size_t len = 0, cap = 0, n;
	char *text = NULL, *t;
	FILE *f = fopen(path, "r");
	int err = 0;

	*out = NULL;
	if (!f) {
		err = -errno;
		pr_warn("%s: cannot open %s: %s\n", who, path, strerror(-err));
		return err;
	}
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			if (cap > max + 4096 + 1)
				cap = max + 4096 + 1;
			t = realloc(text, cap);
			if (!t) {
				err = -ENOMEM;
				pr_warn("%s: %s: out of memory\n", who, path);
				goto out;
			}
			text = t;
		}
		n = fread(text + len, 1, 4096, f);
		len += n;
		if (len > max) {
			err = -EFBIG;
			pr_warn("%s: %s: larger than %zu bytes\n", who, path, max);
			goto out;
		}
	} while (n == 4096);
	if (ferror(f)) {
		err = -EIO;
		pr_warn("%s: cannot read %s\n", who, path);
		goto out;
	}
	if (memchr(text, '\0', len)) {
		err = -EINVAL;
		pr_warn("%s: %s: not a text file (NUL byte)\n", who, path);
		goto out;
	}
	/* A UTF-8 byte order mark (Windows editors write one), as feeds allow. */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
		memmove(text, text + 3, len - 3);
		len -= 3;
	}
	text[len] = '\0';
	*out = text;
	text = NULL;
out:
	free(text);
	fclose(f);
	return err;
}
