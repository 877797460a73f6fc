// SPDX-License-Identifier: GPL-2.0
/* test_ioc.c: plain-list feed parsing: good indicators and their normal form,
 * comments/CRLF/BOM, each bad input with its exact "FILE:LINE" message,
 * all-or-nothing, ids across files, missing and empty files. CSV, STIX,
 * domains and ports: test_ioc_feeds.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/types.h>
#include "test.h"
#include "testio.h"
#include "xh_abi.h"
#include "ioc.h"
#include "ioc_maps.h"
#include "log.h"

static char tmpdir[64];

static int setup_dir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/xh_ioc_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -errno;
}

/* Write @text to <tmpdir>/@name; the path goes to @path. */
static int write_feed(const char *name, const char *text, char *path, size_t n)
{
	return test_write_file(tmpdir, name, text, path, n);
}

static void remove_feed(const char *path)
{
	unlink(path);
}

/* Load @path into @set with stderr captured into @msg. */
static int load_captured(struct ioc_set *set, const char *path, char *msg, size_t n)
{
	struct test_stderr c;
	int ret;

	test_stderr_begin(&c);
	ret = ioc_set_load_file(set, path);
	test_stderr_end(&c, msg, n);
	return ret;
}

static void check_entry(const struct ioc_entry *e, int family, int plen, const char *text,
			const char *what)
{
	char buf[300];

	if (!ASSERT_OK_PTR(e, what))
		return;
	ASSERT_EQ(e->family, family, what);
	ASSERT_EQ(e->prefixlen, plen, what);
	ASSERT_STREQ(ioc_entry_text(NULL, e, buf, sizeof(buf)), text, what);
}

static int parse(const char *text, struct ioc_entry *e)
{
	const char *why;
	char dom[256];
	int masked;

	return ioc_parse_indicator(text, e, dom, &why, &masked);
}

void test_ioc_parse_indicator(void)
{
	static const struct {
		const char *in, *norm;
		int family, plen;
	} good[] = {
		{"192.0.2.7", "192.0.2.7", XH_AF_INET, 32},
		{"192.0.2.7/32", "192.0.2.7", XH_AF_INET, 32},
		{"198.51.100.0/24", "198.51.100.0/24", XH_AF_INET, 24},
		{"198.51.100.77/24", "198.51.100.0/24", XH_AF_INET, 24}, /* masked */
		{"203.0.113.255/25", "203.0.113.128/25", XH_AF_INET, 25},
		{"10.1.2.3/0", "0.0.0.0/0", XH_AF_INET, 0},
		{"2001:db8::1", "2001:db8::1", XH_AF_INET6, 128},
		{"2001:DB8:0:0:0:0:0:1/128", "2001:db8::1", XH_AF_INET6, 128},
		{"2001:db8:abcd::/48", "2001:db8:abcd::/48", XH_AF_INET6, 48},
		{"2001:db8:abcd:ffff::1/49", "2001:db8:abcd:8000::/49", XH_AF_INET6, 49},
		{"::/0", "::/0", XH_AF_INET6, 0},
		{"::ffff:192.0.2.1", "::ffff:192.0.2.1", XH_AF_INET6, 128},
	};
	static const char *const bad[] = {
		"",
		"1.2.3",
		"1.2.3.4.5",
		"256.1.1.1",
		"01.2.3.4",
		"1.2.3.4/33",
		"1.2.3.4/",
		"1.2.3.4/-1",
		"1.2.3.4/+8",
		"1.2.3.4/8a",
		"1.2.3.4/24/5",
		"1.2.3.4 /24",
		"::/129",
		"2001:db8::1%eth0",
		"2001:db8:::1",
		"ex ample.com",
		"/24",
		"1.2.3.4/99999999999999999999",
	};
	struct ioc_entry e;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		test_subtest("good %s", good[i].in);
		if (ASSERT_OK(parse(good[i].in, &e), "parse"))
			check_entry(&e, good[i].family, good[i].plen, good[i].norm, "entry");
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_subtest("bad '%s'", bad[i]);
		ASSERT_EQ(parse(bad[i], &e), -EINVAL, "rejected");
	}
	test_subtest_end();

	/* address bytes are in network order with host bits cleared */
	if (ASSERT_OK(parse("198.51.100.77/24", &e), "parse")) {
		uint8_t want[4] = {198, 51, 100, 0};

		ASSERT_MEMEQ(e.addr, want, 4, "v4 bytes");
	}
}

void test_ioc_load_good(void)
{
	char p1[128], p2[128], msg[4096];
	struct ioc_set *set = NULL;
	const struct ioc_entry *e;
	enum log_level lvl = log_get_level();

	if (!ASSERT_OK(setup_dir(), "mkdtemp"))
		return;
	log_setup(LOG_INFO);
	write_feed("a.txt",
		   "\xef\xbb\xbf# feed A\r\n"
		   "\r\n"
		   "   192.0.2.7   \r\n"
		   "198.51.100.77/24 # trailing comment, host bits set\n"
		   "\t2001:db8::1\t\n"
		   "# only comment\n"
		   "   # indented comment\n"
		   "2001:db8:abcd::/48", /* no final newline */
		   p1, sizeof(p1));
	write_feed("b.txt", "203.0.113.9\n2001:db8::2/127\n", p2, sizeof(p2));
	set = ioc_set__new();
	if (!ASSERT_OK_PTR(set, "set"))
		goto out;
	ASSERT_EQ(load_captured(set, p1, msg, sizeof(msg)), 4, "file A count");
	ASSERT_HAS_SUBSTR(msg, "'198.51.100.77/24' has host bits set, loaded with them cleared",
			  "masking said");
	ASSERT_HAS_SUBSTR(msg, "4 indicators (plain list, 2 IPv4, 2 IPv6, 0 domains",
			  "summary at info");
	ASSERT_EQ(load_captured(set, p2, msg, sizeof(msg)), 2, "file B count");
	ASSERT_EQ(ioc_set_count(set), 6, "total");

	check_entry(ioc_set_get(set, 1), XH_AF_INET, 32, "192.0.2.7", "id 1");
	check_entry(ioc_set_get(set, 2), XH_AF_INET, 24, "198.51.100.0/24", "id 2");
	check_entry(ioc_set_get(set, 3), XH_AF_INET6, 128, "2001:db8::1", "id 3");
	check_entry(ioc_set_get(set, 4), XH_AF_INET6, 48, "2001:db8:abcd::/48", "id 4");
	check_entry(ioc_set_get(set, 5), XH_AF_INET, 32, "203.0.113.9", "id 5 (file B)");
	check_entry(ioc_set_get(set, 6), XH_AF_INET6, 127, "2001:db8::2/127", "id 6");
	ASSERT_NULL(ioc_set_get(set, 0), "id 0 is none");
	ASSERT_NULL(ioc_set_get(set, 7), "id past the end");
	ASSERT_NULL(ioc_set_at(set, 6), "index past the end");

	e = ioc_set_get(set, 1);
	if (ASSERT_OK_PTR(e, "id 1")) {
		ASSERT_STREQ(ioc_set_file(set, e->feed_no), p1, "file");
		ASSERT_EQ(e->line, 3, "line");
	}
	e = ioc_set_get(set, 4);
	if (ASSERT_OK_PTR(e, "id 4"))
		ASSERT_EQ(e->line, 8, "line without final newline");
	e = ioc_set_get(set, 6);
	if (ASSERT_OK_PTR(e, "id 6")) {
		ASSERT_STREQ(ioc_set_file(set, e->feed_no), p2, "file B");
		ASSERT_EQ(e->line, 2, "line B");
	}
	for (size_t i = 0; i < ioc_set_count(set); i++) {
		e = ioc_set_at(set, i);
		if (ASSERT_OK_PTR(e, "at"))
			ASSERT_EQ(e->id, i + 1, "ids in load order from 1");
	}
out:
	log_setup(lvl);
	ioc_set__free(set);
	ioc_set__free(NULL);
	remove_feed(p1);
	remove_feed(p2);
	rmdir(tmpdir);
}

void test_ioc_load_bad(void)
{
	static const struct {
		const char *text;  /* file content */
		unsigned int line; /* bad line */
		const char *ind;   /* the indicator as quoted */
		const char *why;
	} cases[] = {
		{"192.0.2.1\n1.2.3.4/33\n", 2, "1.2.3.4/33", "prefix length exceeds 32"},
		{"# c\n\n2001:db8::/129\n", 3, "2001:db8::/129", "prefix length exceeds 128"},
		{"192.0.2.1\r\nex!ample.com\r\n", 2, "ex!ample.com", "invalid character in domain"},
		{"1.2.3\n", 1, "1.2.3", "not an IPv4 address"},
		{"256.0.0.1 # comment\n", 1, "256.0.0.1", "not an IPv4 address"},
		{"10.0.0.0/8\n10.0.0.0/\n", 2, "10.0.0.0/", "missing prefix length"},
		{"10.0.0.0/x8\n", 1, "10.0.0.0/x8", "not a decimal number"},
		{"10.0.0.0/8/9\n", 1, "10.0.0.0/8/9", "not a decimal number"},
		{"fe80::1%eth0\n", 1, "fe80::1%eth0", "not an IPv6 address"},
		{"192.0.2.1 192.0.2.2\n", 1, "192.0.2.1 192.0.2.2", "not an IPv4 address"},
		{"/24\n", 1, "/24", "no address"},
		{"192.0.2.1,ipv4\n", 1, "192.0.2.1,ipv4", "invalid character in domain"},
		{"192.0.2.1:0\n", 1, "192.0.2.1:0", "port 0"},
		{"192.0.2.1:65536\n", 1, "192.0.2.1:65536", "port exceeds 65535"},
		{"192.0.2.0/24:80\n", 1, "192.0.2.0/24:80", "a port needs a single address"},
		{"com\n", 1, "com", "at least two labels"},
		{"a.b.c.d.e.f.g.h.i.j.k.example\n", 1, "a.b.c.d.e.f.g.h.i.j.k.example",
		 "more than 10 labels"},
		{"a..example\n", 1, "a..example", "empty label"},
	};
	char path[128], msg[4096], want[512];
	struct ioc_set *set;

	if (!ASSERT_OK(setup_dir(), "mkdtemp"))
		return;
	set = ioc_set__new();
	if (!ASSERT_OK_PTR(set, "set"))
		goto out;
	/* a good file first: every failure below must leave it exactly as is */
	write_feed("good.txt", "192.0.2.200\n", path, sizeof(path));
	ASSERT_EQ(load_captured(set, path, msg, sizeof(msg)), 1, "good file");
	remove_feed(path);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_subtest("case %zu: %s", i, cases[i].ind);
		write_feed("bad.txt", cases[i].text, path, sizeof(path));
		ASSERT_EQ(load_captured(set, path, msg, sizeof(msg)), -EINVAL, "rejected");
		snprintf(want, sizeof(want), "xdphunt: ioc: %s:%u: invalid indicator '%s': ", path,
			 cases[i].line, cases[i].ind);
		ASSERT_HAS_SUBSTR(msg, want, "message names file:line and indicator");
		ASSERT_HAS_SUBSTR(msg, cases[i].why, "reason");
		ASSERT_EQ(ioc_set_count(set), 1, "set unchanged");
		remove_feed(path);
	}
	test_subtest_end();

	/* a NUL byte inside a line */
	snprintf(path, sizeof(path), "%s/nul.txt", tmpdir);
	{
		FILE *f = fopen(path, "w");

		if (ASSERT_OK_PTR(f, "nul file")) {
			fwrite("192.0.2.1\n19\0002.0.2.2\n", 1, 22, f);
			fclose(f);
			ASSERT_EQ(load_captured(set, path, msg, sizeof(msg)), -EINVAL, "nul");
			snprintf(want, sizeof(want),
				 "ioc: %s:2: invalid indicator '19': line contains a NUL", path);
			ASSERT_HAS_SUBSTR(msg, want, "nul line");
		}
		remove_feed(path);
	}

	/* Every bad line of a file is named in one load, up to 10, then how
	 * many more; the file still loads nothing. Plain list and CSV. */
	{
		char text[1024] = "", *p = text;

		for (int k = 1; k <= 14; k++)
			p += sprintf(p, k % 7 ? "bad%d..example\n" : "192.0.2.%d\n", k);
		write_feed("many.txt", text, path, sizeof(path));
		ASSERT_EQ(load_captured(set, path, msg, sizeof(msg)), -EINVAL, "many bad lines");
		snprintf(want, sizeof(want), "%s:1: invalid indicator 'bad1..example'", path);
		ASSERT_HAS_SUBSTR(msg, want, "the first bad line");
		snprintf(want, sizeof(want), "%s:11: invalid indicator 'bad11..example'", path);
		ASSERT_HAS_SUBSTR(msg, want, "the tenth bad line, after a good one");
		snprintf(want, sizeof(want), "%s: 2 more bad lines not shown", path);
		ASSERT_HAS_SUBSTR(msg, want, "the rest counted");
		ASSERT_EQ(ioc_set_count(set), 1, "set unchanged");
		remove_feed(path);

		write_feed("two.csv",
			   "indicator,type\n192.0.2.9,ipv4\n1.2.3,ipv4\n192.0.2.10,ipv6\n", path,
			   sizeof(path));
		ASSERT_EQ(load_captured(set, path, msg, sizeof(msg)), -EINVAL, "csv");
		snprintf(want, sizeof(want), "%s:3: invalid indicator '1.2.3'", path);
		ASSERT_HAS_SUBSTR(msg, want, "csv: the first bad line");
		snprintf(want, sizeof(want), "%s:4: indicator '192.0.2.10' reads as", path);
		ASSERT_HAS_SUBSTR(msg, want, "csv: and the next");
		ASSERT_EQ(ioc_set_count(set), 1, "set unchanged");
		remove_feed(path);
	}

	/* after failures, the next good file continues the ids */
	write_feed("good2.txt", "192.0.2.201\n", path, sizeof(path));
	ASSERT_EQ(load_captured(set, path, msg, sizeof(msg)), 1, "good after bad");
	if (ASSERT_OK_PTR(ioc_set_get(set, 2), "id 2")) {
		char buf[300];

		ASSERT_STREQ(ioc_entry_text(set, ioc_set_get(set, 2), buf, sizeof(buf)),
			     "192.0.2.201", "id 2 text");
	}
	remove_feed(path);
	ASSERT_EQ(ioc_set_count(set), 2, "count");
out:
	ioc_set__free(set);
	rmdir(tmpdir);
}

void test_ioc_load_missing_and_empty(void)
{
	char path[128], msg[4096];
	enum log_level lvl = log_get_level();
	struct ioc_set *set;

	if (!ASSERT_OK(setup_dir(), "mkdtemp"))
		return;
	set = ioc_set__new();
	if (!ASSERT_OK_PTR(set, "set"))
		goto out;
	snprintf(path, sizeof(path), "%s/missing.txt", tmpdir);
	ASSERT_EQ(load_captured(set, path, msg, sizeof(msg)), -ENOENT, "missing file");
	ASSERT_HAS_SUBSTR(msg, path, "message names the file");
	ASSERT_HAS_SUBSTR(msg, "No such file", "and why");
	ASSERT_EQ(load_captured(set, tmpdir, msg, sizeof(msg)), -EISDIR, "directory");
	ASSERT_HAS_SUBSTR(msg, tmpdir, "directory named");

	/* An empty feed fails as a whole (a truncated download must not
	 * replace a good set), and says so at the default level. */
	write_feed("empty.txt", "", path, sizeof(path));
	ASSERT_EQ(load_captured(set, path, msg, sizeof(msg)), -ENODATA, "empty file");
	ASSERT_HAS_SUBSTR(msg, "empty.txt: no usable indicator", "empty said");
	remove_feed(path);
	write_feed("comments.txt", "# nothing\n\n  \t\r\n# here\n", path, sizeof(path));
	ASSERT_EQ(load_captured(set, path, msg, sizeof(msg)), -ENODATA, "comments only");
	ASSERT_HAS_SUBSTR(msg, "comments.txt: no usable indicator", "comments-only said");
	remove_feed(path);
	ASSERT_EQ(ioc_set_count(set), 0, "still empty");
	ASSERT_EQ(ioc_set_errors(set, IOC_ERR_EMPTY), 2, "counted");
	ASSERT_EQ(ioc_set_errors(set, IOC_ERR_IO), 2, "missing + dir counted");
out:
	log_setup(lvl);
	ioc_set__free(set);
	rmdir(tmpdir);
}

void test_ioc_maps_errors(void)
{
	char path[128], msg[4096];
	struct ioc_set *set;

	if (!ASSERT_OK(setup_dir(), "mkdtemp"))
		return;
	set = ioc_set__new();
	if (!ASSERT_OK_PTR(set, "set"))
		goto out;
	write_feed("a.txt", "192.0.2.1\n", path, sizeof(path));
	ASSERT_EQ(load_captured(set, path, msg, sizeof(msg)), 1, "load");
	remove_feed(path);
	{
		int saved = dup(2), null = open("/dev/null", O_WRONLY);

		dup2(null, 2);
		struct ioc_outer bad = {-1, -1, -1, -1, -1};

		ASSERT_ERR(ioc_maps_install(set, &bad, 1, NULL),
			   "bad map fd"); /* EBADF, or EPERM without bpf() */
		ASSERT_EQ(ioc_set_gen(set), 0, "generation unchanged after a failed install");
		dup2(saved, 2);
		close(saved);
		close(null);
	}
out:
	ioc_set__free(set);
	rmdir(tmpdir);
}
