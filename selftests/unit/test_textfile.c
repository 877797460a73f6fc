// SPDX-License-Identifier: GPL-2.0
/* test_textfile.c: user/textfile.c, the reader of SMB rules and DCE/RPC
 * table files, and the two loaders on it: an empty file, a NUL byte, a file
 * over the limit, a missing file. Each refusal names the file. The empty
 * table file once made strlen() read past its buffer (found by fuzz_files). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dcerpc_table.h"
#include "log.h"
#include "smb_user.h"
#include "textfile.h"
#include "test.h"

static int write_tmp(char *path, const void *data, size_t n)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	if (n && write(fd, data, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Run textfile_read() on @path with messages captured into @msg. */
static int read_captured(const char *path, size_t max, char **out, char *msg, size_t msg_len)
{
	FILE *ms = fmemopen(msg, msg_len, "w");
	int err;

	log_set_output(ms);
	err = textfile_read(path, max, "t", out);
	log_set_output(NULL);
	if (ms)
		fclose(ms);
	return err;
}

void test_textfile_read(void)
{
	char empty[] = "/tmp/xh_tf_empty_XXXXXX", nul[] = "/tmp/xh_tf_nul_XXXXXX";
	char big[] = "/tmp/xh_tf_big_XXXXXX", bom[] = "/tmp/xh_tf_bom_XXXXXX", msg[512];
	static char blob[10000];
	struct dcerpc_table *t = dcerpc_table__new();
	struct smb_rules *r;
	char *text = NULL;

	memset(blob, 'a', sizeof(blob));
	if (!ASSERT_OK(write_tmp(empty, "", 0), "empty file") ||
	    !ASSERT_OK(write_tmp(nul, "uuid\0x\n", 7), "file with a NUL") ||
	    !ASSERT_OK(write_tmp(big, blob, sizeof(blob)), "big file") ||
	    !ASSERT_OK_PTR(t, "table"))
		goto out;

	memset(msg, 0, sizeof(msg));
	ASSERT_OK(read_captured(empty, 100, &text, msg, sizeof(msg)), "an empty file reads");
	ASSERT_STREQ(text ? text : "(null)", "", "as \"\"");
	free(text);
	text = NULL;

	memset(msg, 0, sizeof(msg));
	ASSERT_EQ(read_captured(nul, 100, &text, msg, sizeof(msg)), -EINVAL, "a NUL byte");
	ASSERT_NULL(text, "nothing returned");
	ASSERT_OK_PTR(strstr(msg, nul), "the message names the file");
	ASSERT_OK_PTR(strstr(msg, "NUL byte"), "and says why");

	memset(msg, 0, sizeof(msg));
	ASSERT_EQ(read_captured(big, 9999, &text, msg, sizeof(msg)), -EFBIG, "over the limit");
	ASSERT_OK_PTR(strstr(msg, big), "the message names the file");
	ASSERT_OK(read_captured(big, 10000, &text, msg, sizeof(msg)), "at the limit");
	ASSERT_EQ(text ? strlen(text) : 0, sizeof(blob), "whole file");
	free(text);
	text = NULL;

	memset(msg, 0, sizeof(msg));
	ASSERT_EQ(read_captured("/nonexistent/xh.tsv", 100, &text, msg, sizeof(msg)), -ENOENT,
		  "missing");
	ASSERT_OK_PTR(strstr(msg, "/nonexistent/xh.tsv"), "the missing file is named");

	/* A UTF-8 byte order mark is not text of the first line. */
	memset(msg, 0, sizeof(msg));
	if (ASSERT_OK(write_tmp(bom, "\xef\xbb\xbfiface x\n", 11), "file with a BOM") &&
	    ASSERT_OK(read_captured(bom, 100, &text, msg, sizeof(msg)), "reads"))
		ASSERT_STREQ(text ? text : "(null)", "iface x\n", "without the mark");
	free(text);
	text = NULL;

	/* The loaders: an empty table adds nothing; an empty rules file is
	 * refused, as it would turn every SMB rule off. */
	ASSERT_OK(dcerpc_table_load_file(t, empty), "empty DCE/RPC table file");
	ASSERT_EQ(dcerpc_table_load_file(t, nul), -EINVAL, "table with a NUL byte");
	r = smb_rules__load_file(empty);
	ASSERT_NULL(r, "empty SMB rules file refused");
	smb_rules__free(r);
	ASSERT_NULL(smb_rules__load_file(nul), "SMB rules with a NUL byte");
out:
	dcerpc_table__free(t);
	unlink(empty);
	unlink(nul);
	unlink(big);
	unlink(bom);
}
