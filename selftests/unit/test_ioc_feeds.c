// SPDX-License-Identifier: GPL-2.0
/* test_ioc_feeds.c: CSV and STIX feeds, format detection, domains and
 * address:port, folders, the size limit, every bad input with its
 * FILE:LINE or JSON path, generations, diff, and the enriched ioc.* JSON
 * (including a name hash collision that must not become a hit). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <linux/types.h>
#include <jansson.h>
#include "test.h"
#include "testio.h"
#include "xh_abi.h"
#include "name.h"
#include "ioc.h"
#include "ioc_event.h"
#include "ioc_live.h"
#include "events.h"
#include "cli.h"
#include "log.h"

static char dir[64];

static void mkfeed(const char *name, const char *text, char *path, size_t n)
{
	test_write_file(dir, name, text, path, n);
}

/* @load (a file or a folder) with stderr captured into @msg. */
static int load_with(int (*load)(struct ioc_set *, const char *, const struct ioc_file_opts *),
		     struct ioc_set *set, const char *path, const struct ioc_file_opts *o,
		     char *msg, size_t n)
{
	struct test_stderr c;
	int ret;

	test_stderr_begin(&c);
	ret = load(set, path, o);
	test_stderr_end(&c, msg, n);
	return ret;
}

static int load(struct ioc_set *set, const char *path, const struct ioc_file_opts *o, char *msg,
		size_t n)
{
	return load_with(ioc_set_load_file_opts, set, path, o, msg, n);
}

static const char *text(const struct ioc_set *s, uint32_t id)
{
	static char buf[300];
	const struct ioc_entry *e = ioc_set_get(s, id);

	return e ? ioc_entry_text(s, e, buf, sizeof(buf)) : "(none)";
}

static const char *meta(const struct ioc_set *s, uint32_t id, int which)
{
	const struct ioc_entry *e = ioc_set_get(s, id);
	const struct ioc_meta *m = e ? ioc_set_meta(s, e) : NULL;
	uint32_t off;

	if (!m)
		return "(none)";
	off = which == 0   ? m->feed
	      : which == 1 ? m->actor
	      : which == 2 ? m->confidence
	      : which == 3 ? m->reference
			   : m->comment;
	return ioc_str(s, off) ? ioc_str(s, off) : "(none)";
}

void test_ioc_domains_and_ports(void)
{
	static const struct {
		const char *in, *norm, *type;
		int kind, port;
	} good[] = {
		{"Evil.EXAMPLE.", "evil.example", "domain", IOC_KIND_DOMAIN, 0},
		{"a-b_c.evil.example", "a-b_c.evil.example", "domain", IOC_KIND_DOMAIN, 0},
		{"192.0.2.1:443", "192.0.2.1:443", "ipv4", IOC_KIND_NET, 443},
		{"[2001:db8::1]:8443", "[2001:db8::1]:8443", "ipv6", IOC_KIND_NET, 8443},
		{"2001:db8::/32", "2001:db8::/32", "ipv6-cidr", IOC_KIND_NET, 0},
	};
	struct ioc_entry e;
	const char *why;
	char dom[256], buf[300];
	int masked;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		test_subtest("%s", good[i].in);
		if (!ASSERT_OK(ioc_parse_indicator(good[i].in, &e, dom, &why, &masked), "parse"))
			continue;
		ASSERT_EQ(e.kind, good[i].kind, "kind");
		ASSERT_EQ(e.port, good[i].port, "port");
		ASSERT_STREQ(ioc_entry_type(&e), good[i].type, "type");
		if (e.kind == IOC_KIND_DOMAIN)
			ASSERT_STREQ(dom, good[i].norm, "domain text");
		else
			ASSERT_STREQ(ioc_entry_text(NULL, &e, buf, sizeof(buf)), good[i].norm,
				     "text");
	}
	test_subtest_end();
	/* the stored hash is the kernel's hash of the whole name, any case */
	if (ASSERT_OK(ioc_parse_indicator("EVIL.example", &e, dom, &why, &masked), "parse")) {
		__u64 h[XH_NAME_SUFFIX_MAX];
		__u16 off[XH_NAME_SUFFIX_MAX];
		const char *name = "a.B.Evil.Example";
		__u32 n = xh_name_suffixes((const __u8 *)name, (__u32)strlen(name), h, off);

		ASSERT_EQ(n, 4, "four suffixes");
		ASSERT_EQ(h[1], e.hash, "suffix 'Evil.Example' hashes as the indicator");
		ASSERT_EQ(off[1], 4, "its offset");
		ASSERT_NEQ(h[2], e.hash, "'B.Evil.Example' does not");
	}
	ASSERT_TRUE(ioc_name_covers("a.b.EVIL.example", 16, "evil.example"), "subdomain covered");
	ASSERT_TRUE(ioc_name_covers("evil.example.", 13, "evil.example"), "trailing dot");
	ASSERT_FALSE(ioc_name_covers("notevil.example", 15, "evil.example"), "not at a label");
	ASSERT_FALSE(ioc_name_covers("example", 7, "evil.example"), "parent not covered");
}

static const char csv_feed[] =
	"indicator,type,feed,actor,confidence,first_seen,reference,comment\r\n"
	"192.0.2.10,ipv4,talos,\"Lazarus Group (a, b)\",high,2023-01-02,ref1,\"C2 "
	"\"\"VSingle\"\"\"\n"
	"evil.example,domain,eset;jpcert,Lazarus,medium,,ref2,\"two\nlines\"\n"
	"\n"
	"198.51.100.0/24,ipv4-cidr,x,,low,,,\n"
	"203.0.113.5:8443,ip:port,x,,low,,,\n"
	"d41d8cd98f00b204e9800998ecf8427e,md5,x,,low,,,skipped\n";

void test_ioc_csv(void)
{
	static const struct {
		const char *text, *want;
		int line;
	} bad[] = {
		{"indicator,type\n192.0.2.1,ipv6\n", "type says 'ipv6'", 2},
		{"indicator,type\n192.0.2.0/24,ipv4\n", "reads as ipv4-cidr", 2},
		/* A port where the type says a plain address, and back. */
		{"indicator,type\n192.0.2.8:80,ipv4\n", "reads as ipv4 with a port", 2},
		{"indicator,type\n[2001:db8::8]:80,ipv6\n", "reads as ipv6 with a port", 2},
		{"indicator,type\n192.0.2.8:80,ip\n", "type says 'ip'", 2},
		{"indicator,type\n192.0.2.8,ip:port\n", "type says 'ip:port'", 2},
		{"indicator,type\n192.0.2.1\n", "1 fields, the header has 2", 2},
		{"indicator,type\n\"192.0.2.1,ipv4\n", "unterminated quoted field", 2},
		{"indicator,type\n192.\"0\".2.1,ipv4\n", "quote inside an unquoted field", 2},
		{"indicator,type\n\"192.0.2.1\"x,ipv4\n", "text after a closing quote", 2},
		{"indicator,type\nevil.example,ipv4\n10.0.0.0/40,ipv4-cidr\n", "type says 'ipv4'",
		 2},
		{"indicator,type\n192.0.2.1,ipv4\n10.0.0.0/40,ipv4-cidr\n",
		 "prefix length exceeds 32", 3},
		{"indicator,type\n,ipv4\n", "empty indicator", 2},
		{"indicator,type\n192.0.2.1,bogus\n", "type says 'bogus'", 2},
		{"indicator,comment\n192.0.2.1,\"a\nb\"\n\"c,x\n", "unterminated quoted field", 4},
		/* A lone CR is no line end: the first column is "indicator\rtype"
		 * and the header has no indicator column (fuzz_files found the
		 * indicator read at f[-1]). */
		{"indicator\rtype,feed\n198.51.100.7,x\n", "no \"indicator\" column", 1},
	};
	struct ioc_set *set = ioc_set__new();
	char path[128], msg[8192], want[256];

	if (!ASSERT_OK_PTR(set, "set") ||
	    !ASSERT_OK_PTR(mkdtemp(strcpy(dir, "/tmp/xh_feed_XXXXXX")), "dir"))
		goto out;
	mkfeed("feed.csv", csv_feed, path, sizeof(path));
	ASSERT_EQ(load(set, path, NULL, msg, sizeof(msg)), 4, "4 indicators, the md5 skipped");
	ASSERT_EQ(ioc_set_errors(set, IOC_ERR_SKIPPED_TYPE), 1, "skip counted");
	ASSERT_STREQ(text(set, 1), "192.0.2.10", "id 1");
	ASSERT_STREQ(meta(set, 1, 1), "Lazarus Group (a, b)", "quoted comma");
	ASSERT_STREQ(meta(set, 1, 4), "C2 \"VSingle\"", "doubled quotes");
	ASSERT_STREQ(meta(set, 1, 2), "high", "confidence");
	ASSERT_STREQ(text(set, 2), "evil.example", "domain");
	ASSERT_STREQ(meta(set, 2, 4), "two\nlines", "line break in a field");
	ASSERT_STREQ(meta(set, 2, 0), "eset;jpcert", "feed");
	ASSERT_EQ(ioc_set_get(set, 3)->line, 6, "line numbers count quoted breaks");
	ASSERT_STREQ(text(set, 4), "203.0.113.5:8443", "address:port");
	unlink(path);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_subtest("bad %zu", i);
		mkfeed("bad.csv", bad[i].text, path, sizeof(path));
		ASSERT_EQ(load(set, path, NULL, msg, sizeof(msg)), -EINVAL, "rejected");
		snprintf(want, sizeof(want), "ioc: %s:%d: ", path, bad[i].line);
		ASSERT_HAS_SUBSTR(msg, want, "file:line");
		ASSERT_HAS_SUBSTR(msg, bad[i].want, "reason");
		ASSERT_EQ(ioc_set_count(set), 4, "set unchanged");
		unlink(path);
	}
	test_subtest_end();
	/* the shared Lazarus feed, if this checkout has it */
	{
		char lz[512];
		struct ioc_set *s2 = ioc_set__new();
		size_t n4, n6, nd, np;

		snprintf(lz, sizeof(lz), "%s/../../shared/ioc/lazarus.csv", test_data_dir());
		if (s2 && !access(lz, R_OK)) {
			ASSERT_EQ(load(s2, lz, NULL, msg, sizeof(msg)), 2295, "lazarus.csv rows");
			ioc_set_counts(s2, &n4, &n6, &nd, &np);
			ASSERT_EQ(n4, 409, "ipv4 as its README says");
			ASSERT_EQ(nd, 1886, "domains as its README says");
		}
		ioc_set__free(s2);
	}
out:
	ioc_set__free(set);
	rmdir(dir);
}

static const char stix_feed[] =
	"{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":[\n"
	"{\"type\":\"identity\",\"id\":\"identity--1\",\"name\":\"ESET\"},\n"
	"{\"type\":\"intrusion-set\",\"id\":\"intrusion-set--1\",\"name\":\"Lazarus Group\"},\n"
	"{\"type\":\"indicator\",\"id\":\"indicator--1\",\"created_by_ref\":\"identity--1\","
	"\"pattern_type\":\"stix\",\"confidence\":85,"
	"\"pattern\":\"[ipv4-addr:value = '192.0.2.1' OR domain-name:value = 'Evil.Example'] OR "
	"[ipv6-addr:value = '2001:db8::/32']\","
	"\"external_references\":[{\"source_name\":\"eset\",\"url\":\"https://r.example/1\"}]},\n"
	"{\"type\":\"indicator\",\"id\":\"indicator--2\",\"pattern_type\":\"stix\","
	"\"pattern\":\"[ipv4-addr:value ISSUBSET '198.51.100.0/24']\",\"confidence\":10},\n"
	"{\"type\":\"indicator\",\"id\":\"indicator--3\",\"pattern_type\":\"stix\","
	"\"pattern\":\"[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']\"},\n"
	"{\"type\":\"indicator\",\"id\":\"indicator--4\",\"pattern_type\":\"stix\","
	"\"pattern\":\"[ipv4-addr:value = '192.0.2.9' AND network-traffic:dst_port = 443]\"},\n"
	"{\"type\":\"indicator\",\"id\":\"indicator--5\",\"pattern_type\":\"snort\","
	"\"pattern\":\"alert tcp any any\"},\n"
	"{\"type\":\"indicator\",\"id\":\"indicator--6\",\"pattern_type\":\"stix\","
	"\"pattern\":\"[ipv4-addr:value = '192.0.2.7'] WITHIN 60 SECONDS\"},\n"
	"{\"type\":\"indicator\",\"id\":\"indicator--7\",\"pattern_type\":\"stix\","
	"\"pattern\":\"[ipv4-addr:value = 'evil.example']\"},\n"
	"{\"type\":\"relationship\",\"relationship_type\":\"indicates\","
	"\"source_ref\":\"indicator--1\",\"target_ref\":\"intrusion-set--1\"}\n"
	"]}\n";

void test_ioc_stix(void)
{
	struct ioc_set *set = ioc_set__new();
	char path[128], msg[8192], want[256];
	const struct ioc_entry *e;

	if (!ASSERT_OK_PTR(set, "set") ||
	    !ASSERT_OK_PTR(mkdtemp(strcpy(dir, "/tmp/xh_feed_XXXXXX")), "dir"))
		goto out;
	mkfeed("b.json", stix_feed, path, sizeof(path));
	ASSERT_EQ(load(set, path, NULL, msg, sizeof(msg)), 4, "OR gives 3, ISSUBSET 1");
	ASSERT_STREQ(text(set, 1), "192.0.2.1", "first comparison");
	ASSERT_STREQ(text(set, 2), "evil.example", "domain, lower case");
	ASSERT_STREQ(text(set, 3), "2001:db8::/32", "second observation");
	ASSERT_STREQ(text(set, 4), "198.51.100.0/24", "ISSUBSET");
	ASSERT_STREQ(meta(set, 1, 0), "ESET", "feed from created_by_ref");
	ASSERT_STREQ(meta(set, 2, 1), "Lazarus Group", "actor from 'indicates'");
	ASSERT_STREQ(meta(set, 1, 2), "high", "confidence 85");
	ASSERT_STREQ(meta(set, 4, 2), "low", "confidence 10");
	ASSERT_STREQ(meta(set, 1, 3), "https://r.example/1", "reference");
	ASSERT_EQ(ioc_set_errors(set, IOC_ERR_STIX_SKIPPED), 5, "5 patterns skipped");
	ASSERT_HAS_SUBSTR(msg, "$.objects[4].pattern: cannot use '[file:hashes.MD5",
			  "path, pattern");
	ASSERT_HAS_SUBSTR(msg, "$.objects[5].pattern: cannot use", "AND skipped");
	ASSERT_HAS_SUBSTR(msg, "$.objects[6].pattern_type: 'snort'", "other language");
	ASSERT_HAS_SUBSTR(msg, "$.objects[7].pattern: cannot use", "qualifier skipped");
	ASSERT_HAS_SUBSTR(msg, "$.objects[8].pattern: 'evil.example' is not a valid ipv4",
			  "bad value");
	e = ioc_set_get(set, 1);
	ASSERT_EQ(e ? e->line : 0, IOC_LINE_STIX | 2, "line = object index, marked");
	if (e) {
		char where[256];

		snprintf(want, sizeof(want), "%s: $.objects[2]", path);
		ASSERT_STREQ(ioc_entry_where(set, e, where, sizeof(where)), want,
			     "messages name the object, not a line");
	}
	unlink(path);

	/* truncated JSON, not a bundle, a bundle with nothing usable */
	mkfeed("t.json", "{\"type\":\"bundle\",\"objects\":[\n{\"type\":\"indicator\",", path,
	       sizeof(path));
	ASSERT_EQ(load(set, path, NULL, msg, sizeof(msg)), -EINVAL, "truncated");
	snprintf(want, sizeof(want), "ioc: %s:2: invalid JSON", path);
	ASSERT_HAS_SUBSTR(msg, want, "file:line of the JSON error");
	mkfeed("t.json", "{\"type\":\"report\"}", path, sizeof(path));
	ASSERT_EQ(load(set, path, NULL, msg, sizeof(msg)), -EINVAL, "not a bundle");
	ASSERT_HAS_SUBSTR(msg, "$: not a STIX 2.1 bundle", "says so");
	mkfeed("t.json",
	       "{\"type\":\"bundle\",\"objects\":[{\"type\":\"indicator\",\"pattern\":\"[x:y = "
	       "'z']\"}]}",
	       path, sizeof(path));
	ASSERT_EQ(load(set, path, NULL, msg, sizeof(msg)), -ENODATA, "nothing usable");
	ASSERT_HAS_SUBSTR(msg, "no usable indicator in this STIX feed", "says so");
	ASSERT_EQ(ioc_set_errors(set, IOC_ERR_JSON), 2, "JSON errors counted");
	ASSERT_EQ(ioc_set_count(set), 4, "set unchanged");
	unlink(path);
	{
		char lz[512];
		struct ioc_set *s2 = ioc_set__new();

		snprintf(lz, sizeof(lz), "%s/../../shared/ioc/lazarus.stix.json", test_data_dir());
		if (s2 && !access(lz, R_OK))
			ASSERT_EQ(load(s2, lz, NULL, msg, sizeof(msg)), 2295, "lazarus STIX = CSV");
		ioc_set__free(s2);
	}
out:
	ioc_set__free(set);
	rmdir(dir);
}

/* "\u0000" is valid JSON (RFC 8259): a bundle with one loads. A NUL in a
 * description is shown as U+FFFD, not cut there; one in a pattern makes it
 * unusable (skipped), never a shorter indicator. */
void test_ioc_stix_nul(void)
{
	static const char bundle[] =
		"{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":["
		"{\"type\":\"identity\",\"id\":\"identity--1\",\"name\":\"CERT\\u0000X\"},"
		"{\"type\":\"indicator\",\"id\":\"indicator--1\",\"created_by_ref\":\"identity--"
		"1\","
		"\"pattern_type\":\"stix\",\"pattern\":\"[ipv4-addr:value = '192.0.2.1']\","
		"\"description\":\"stix desc \\u0000nul\"},"
		"{\"type\":\"indicator\",\"id\":\"indicator--2\",\"pattern_type\":\"stix\","
		"\"pattern\":\"[domain-name:value = 'evil.example\\u0000.net']\"}]}";
	struct ioc_set *set = ioc_set__new();
	char path[128], msg[8192];

	if (!ASSERT_OK_PTR(set, "set") ||
	    !ASSERT_OK_PTR(mkdtemp(strcpy(dir, "/tmp/xh_feed_XXXXXX")), "dir"))
		goto out;
	mkfeed("nul.json", bundle, path, sizeof(path));
	ASSERT_EQ(load(set, path, NULL, msg, sizeof(msg)), 1, "loads: the clean pattern");
	ASSERT_STREQ(text(set, 1), "192.0.2.1", "indicator");
	ASSERT_STREQ(meta(set, 1, 4), "stix desc \xef\xbf\xbdnul", "description: NUL as U+FFFD");
	ASSERT_STREQ(meta(set, 1, 0), "CERT\xef\xbf\xbdX", "identity name: NUL as U+FFFD");
	ASSERT_EQ(ioc_set_errors(set, IOC_ERR_STIX_SKIPPED), 1, "the NUL pattern skipped");
	ASSERT_EQ(ioc_set_count(set), 1, "not read as evil.example");
	unlink(path);
out:
	ioc_set__free(set);
	rmdir(dir);
}

/* Inputs a user meets: a plain list that opens with a bracketed IPv6
 * address:port (not JSON), a JSON array (not a bundle), a line too long to
 * quote whole, a pipe for a feed. */
void test_ioc_feed_edges(void)
{
	struct ioc_set *set = ioc_set__new();
	char path[128], msg[8192], want[256], *longline = NULL;
	size_t n = 5000;

	if (!ASSERT_OK_PTR(set, "set") ||
	    !ASSERT_OK_PTR(mkdtemp(strcpy(dir, "/tmp/xh_feed_XXXXXX")), "dir"))
		goto out;
	test_subtest("a plain list may open with [IPv6]:port");
	mkfeed("v6.txt", "[2001:db8::1]:8443\n192.0.2.1:443\n", path, sizeof(path));
	ASSERT_EQ(load(set, path, NULL, msg, sizeof(msg)), 2, "both indicators");
	ASSERT_STREQ(text(set, 1), "[2001:db8::1]:8443", "the first, as written");
	unlink(path);

	test_subtest("a JSON array is refused as not a STIX bundle");
	mkfeed("arr.json", "  [ {\"type\": \"indicator\"} ]\n", path, sizeof(path));
	ASSERT_EQ(load(set, path, NULL, msg, sizeof(msg)), -EINVAL, "refused");
	ASSERT_HAS_SUBSTR(msg, "$: not a STIX 2.1 bundle", "says why");
	unlink(path);

	test_subtest("a long bad line is quoted cut, with the reason");
	longline = malloc(n + 16);
	if (!ASSERT_OK_PTR(longline, "buffer"))
		goto out;
	memset(longline, 'a', n);
	strcpy(longline + n, ".example\n");
	mkfeed("long.txt", longline, path, sizeof(path));
	ASSERT_EQ(load(set, path, NULL, msg, sizeof(msg)), -EINVAL, "refused");
	snprintf(want, sizeof(want), "ioc: %s:1: invalid indicator 'aaaa", path);
	ASSERT_HAS_SUBSTR(msg, want, "file:line");
	ASSERT_HAS_SUBSTR(msg, "aaa...': a domain name is 1 to 253 characters", "cut, then why");
	ASSERT_TRUE(strlen(msg) < 600, "the message is short");
	unlink(path);

	test_subtest("a pipe is refused: a reload reads the feed again");
	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (ASSERT_OK(mkfifo(path, 0600), "mkfifo")) {
		int wfd;

		/* A writer, so that opening the pipe for reading does not block. */
		wfd = open(path, O_RDWR | O_NONBLOCK);
		ASSERT_EQ(load(set, path, NULL, msg, sizeof(msg)), -EINVAL, "refused");
		ASSERT_HAS_SUBSTR(msg, "not a regular file", "says why");
		if (wfd >= 0)
			close(wfd);
		unlink(path);
	}
	ASSERT_EQ(ioc_set_count(set), 2, "the set keeps what it had");
out:
	free(longline);
	ioc_set__free(set);
	rmdir(dir);
}

void test_ioc_limits_dirs(void)
{
	struct ioc_set *set = ioc_set__new();
	struct ioc_file_opts small = {.max_bytes = 16, .action = IOC_ACTION_BLOCK};
	char path[128], msg[8192], sub[128];

	if (!ASSERT_OK_PTR(set, "set") ||
	    !ASSERT_OK_PTR(mkdtemp(strcpy(dir, "/tmp/xh_feed_XXXXXX")), "dir"))
		goto out;
	mkfeed("big.txt", "192.0.2.1\n192.0.2.2\n", path, sizeof(path));
	ASSERT_EQ(load(set, path, &small, msg, sizeof(msg)), -EFBIG, "over the limit");
	ASSERT_HAS_SUBSTR(msg, "feed is 20 bytes, over the limit of 16", "says so");
	ASSERT_EQ(ioc_set_errors(set, IOC_ERR_OVERSIZE), 1, "counted");
	small.max_bytes = 20;
	ASSERT_EQ(load(set, path, &small, msg, sizeof(msg)), 2, "at the limit");
	ASSERT_EQ(ioc_set_get(set, 1)->action, IOC_ACTION_BLOCK, "action from the options");
	unlink(path);
	/* a folder: feeds in name order, other files ignored */
	snprintf(sub, sizeof(sub), "%s/d", dir);
	mkdir(sub, 0700);
	mkfeed("d/b.csv", "indicator\n198.51.100.1\n", path, sizeof(path));
	mkfeed("d/a.txt", "203.0.113.1\n", path, sizeof(path));
	mkfeed("d/README.md", "not a feed\n", path, sizeof(path));
	ASSERT_EQ(ioc_set_load_dir(set, sub, NULL), 2, "two feeds");
	ASSERT_STREQ(text(set, 3), "203.0.113.1", "a.txt first");
	ASSERT_STREQ(text(set, 4), "198.51.100.1", "then b.csv");
	mkfeed("d/c.txt", "nonsense here\n", path, sizeof(path));
	ASSERT_ERR(ioc_set_load_dir(set, sub, NULL), "a bad feed fails the folder");
	unlink(path);
	snprintf(path, sizeof(path), "%s/d/a.txt", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/d/b.csv", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/d/README.md", dir);
	unlink(path);
	rmdir(sub);
out:
	ioc_set__free(set);
	rmdir(dir);
}

/* Load @path as a folder with stderr captured into @msg. */
static int load_dir(struct ioc_set *set, const char *path, const struct ioc_file_opts *o, char *msg,
		    size_t n)
{
	return load_with(ioc_set_load_dir, set, path, o, msg, n);
}

/* A folder with no feed file is a warning and adds nothing (an operator
 * empties a block folder to stop blocking, then reloads); a feed file in it
 * with nothing usable and a folder that cannot be read stay errors. And a
 * run whose only feed is such a folder starts with no indicator: the
 * default feed is not loaded in its place. */
void test_ioc_dir_empty(void)
{
	struct ioc_file_opts blk = {.action = IOC_ACTION_BLOCK};
	struct ioc_set *set = ioc_set__new(), *live = NULL;
	char path[128], msg[4096], sub[128], other[128];
	struct hunt_opts o;
	struct test_stderr c;

	if (!ASSERT_OK_PTR(set, "set") ||
	    !ASSERT_OK_PTR(mkdtemp(strcpy(dir, "/tmp/xh_feed_XXXXXX")), "dir"))
		goto out;
	snprintf(sub, sizeof(sub), "%s/block", dir);
	mkdir(sub, 0700);
	mkfeed("block/c2.txt", "203.0.113.66\n", path, sizeof(path));
	ASSERT_EQ(load_dir(set, sub, &blk, msg, sizeof(msg)), 1, "one indicator");
	unlink(path);
	/* emptied: nothing from it, not an error, the set as it was */
	ASSERT_EQ(load_dir(set, sub, &blk, msg, sizeof(msg)), 0, "empty folder: 0 indicators");
	ASSERT_HAS_SUBSTR(msg, "block: no feed file", "says the folder has no feed file");
	ASSERT_HAS_SUBSTR(msg, "no indicator from this folder", "and what that means");
	ASSERT_EQ(ioc_set_count(set), 1, "the set keeps what it had");
	ASSERT_EQ(ioc_set_errors(set, IOC_ERR_EMPTY), 0, "not counted as a bad feed");
	/* files that are not feeds do not count as feeds */
	mkfeed("block/README.md", "203.0.113.66\n", other, sizeof(other));
	mkfeed("block/.c2.txt.swp", "203.0.113.66\n", path, sizeof(path));
	ASSERT_EQ(load_dir(set, sub, &blk, msg, sizeof(msg)), 0, "no feed file among others");
	ASSERT_HAS_SUBSTR(msg, "no feed file", "said");
	unlink(path);
	unlink(other);
	/* a feed file with nothing usable is likely broken: still an error */
	mkfeed("block/c2.txt", "# emptied\n", path, sizeof(path));
	ASSERT_EQ(load_dir(set, sub, &blk, msg, sizeof(msg)), -ENODATA, "an empty feed file fails");
	ASSERT_HAS_SUBSTR(msg, "no usable indicator", "says why");
	unlink(path);
	/* a folder that cannot be read: an error */
	snprintf(path, sizeof(path), "%s/gone", dir);
	ASSERT_EQ(load_dir(set, path, &blk, msg, sizeof(msg)), -ENOENT, "a missing folder fails");
	ASSERT_HAS_SUBSTR(msg, "cannot read feed folder", "says so");
	/* the command line's sources: an empty block folder alone gives an
	 * empty set (no default feed), beside a file that file's indicators */
	hunt_opts_init(&o);
	ASSERT_EQ(cli_hunt_option(&o, OPT_IOC_BLOCK, sub), 1, "--ioc-block folder");
	test_stderr_begin(&c);
	live = ioc_load_sources(&o);
	test_stderr_end(&c, msg, sizeof(msg));
	if (ASSERT_OK_PTR(live, "an empty block folder loads"))
		ASSERT_EQ(ioc_set_count(live), 0, "no indicator, no default feed");
	ASSERT_HAS_SUBSTR(msg, "no feed file", "warned");
	ASSERT_HAS_SUBSTR(msg, "no indicator in the feeds given", "the whole set is said empty");
	ioc_set__free(live);
	mkfeed("alert.txt", "198.51.100.1\n192.0.2.1\n", path, sizeof(path));
	ASSERT_EQ(cli_hunt_option(&o, OPT_IOC, path), 1, "--ioc file");
	test_stderr_begin(&c);
	live = ioc_load_sources(&o);
	test_stderr_end(&c, msg, sizeof(msg));
	if (ASSERT_OK_PTR(live, "with a file beside it"))
		ASSERT_EQ(ioc_set_count(live), 2, "the file's indicators");
	ioc_set__free(live);
	unlink(path);
	rmdir(sub);
out:
	ioc_set__free(set);
	rmdir(dir);
}

void test_ioc_generations_and_diff(void)
{
	struct ioc_set *a = ioc_set__new(), *b = ioc_set__new();
	char path[128], msg[4096];
	size_t added, removed;

	if (!ASSERT_OK_PTR(a, "a") || !ASSERT_OK_PTR(b, "b") ||
	    !ASSERT_OK_PTR(mkdtemp(strcpy(dir, "/tmp/xh_feed_XXXXXX")), "dir"))
		goto out;
	mkfeed("a.txt", "192.0.2.1\n192.0.2.2\nevil.example\n", path, sizeof(path));
	load(a, path, NULL, msg, sizeof(msg));
	mkfeed("b.txt", "192.0.2.2\nevil.example\nnew.example\n192.0.2.3:80\n", path, sizeof(path));
	load(b, path, NULL, msg, sizeof(msg));
	unlink(path);
	snprintf(path, sizeof(path), "%s/a.txt", dir);
	unlink(path);
	ASSERT_OK(ioc_diff(a, b, &added, &removed), "diff");
	ASSERT_EQ(added, 2, "added");
	ASSERT_EQ(removed, 1, "removed");
	ioc_set_set_gen(a, 5, NULL);
	ioc_set_set_gen(b, 6, a);
	ASSERT_EQ(ioc_set_resolve(b, 1 | (6u << XH_IOC_GEN_SHIFT), NULL), ioc_set_get(b, 1),
		  "current");
	ASSERT_EQ(ioc_set_resolve(b, 1 | (5u << XH_IOC_GEN_SHIFT), NULL), ioc_set_get(a, 1),
		  "previous");
	ASSERT_NULL(ioc_set_resolve(b, 1 | (4u << XH_IOC_GEN_SHIFT), NULL), "older: gone");
	ASSERT_NULL(ioc_set_resolve(b, 9 | (6u << XH_IOC_GEN_SHIFT), NULL), "unknown id");
out:
	ioc_set__free(a);
	ioc_set__free(b);
	rmdir(dir);
}

static json_t *fmt(struct event_sink *s, const struct xh_event *e, int *err)
{
	*err = events_format(s, e, &s->jb);
	return *err ? NULL : json_loadb(s->jb.buf, s->jb.len, 0, NULL);
}

void test_ioc_event_json(void)
{
	struct ioc_set *set = ioc_set__new();
	struct xh_event e = {};
	struct event_sink s;
	char path[128], msg[4096];
	json_t *j, *ioc;
	int err;

	if (!ASSERT_OK_PTR(set, "set") ||
	    !ASSERT_OK_PTR(mkdtemp(strcpy(dir, "/tmp/xh_feed_XXXXXX")), "dir"))
		goto out;
	mkfeed("f.csv", csv_feed, path, sizeof(path));
	load(set, path, NULL, msg, sizeof(msg));
	unlink(path);
	ioc_set_set_gen(set, 3, NULL);
	event_sink_init(&s, NULL, set, "h");
	e.family = XH_AF_INET;
	e.proto = 17;
	inet_pton(AF_INET, "192.0.2.50", e.saddr);
	inet_pton(AF_INET, "192.0.2.53", e.daddr);
	e.sport = htons(40000);
	e.dport = htons(53);
	e.rule = XH_RULE_IOC_DNS;
	e.ioc_id = 2 | (3u << XH_IOC_GEN_SHIFT);
	e.detail_kind = XH_DETAIL_IOC_NAME;
	e.d.ioc.qtype = 1;
	memcpy(e.name, "www.Evil.example", 16);
	e.name_len = 16;
	j = fmt(&s, &e, &err);
	ASSERT_OK(err, "format");
	if (ASSERT_OK_PTR(j, "json")) {
		ioc = json_object_get(j, "ioc");
		ASSERT_STREQ(json_string_value(json_object_get(j, "rule")), "ioc.dns", "rule");
		ASSERT_STREQ(json_string_value(json_object_get(ioc, "indicator")), "evil.example",
			     "indicator");
		ASSERT_STREQ(json_string_value(json_object_get(ioc, "type")), "domain", "type");
		ASSERT_STREQ(json_string_value(json_object_get(ioc, "matched")), "dns.query",
			     "matched");
		ASSERT_STREQ(json_string_value(json_object_get(ioc, "feed")), "eset;jpcert",
			     "feed");
		ASSERT_STREQ(json_string_value(json_object_get(ioc, "actor")), "Lazarus", "actor");
		ASSERT_STREQ(json_string_value(json_object_get(ioc, "confidence")), "medium",
			     "confidence");
		ASSERT_STREQ(json_string_value(json_object_get(ioc, "reference")), "ref2",
			     "reference");
		ASSERT_STREQ(json_string_value(json_array_get(json_object_get(ioc, "attack"), 1)),
			     "T1071.004", "attack DNS");
		ASSERT_STREQ(json_string_value(json_object_get(json_object_get(j, "dns"), "query")),
			     "www.Evil.example", "dns.query as sent");
		ASSERT_STREQ(json_string_value(json_object_get(json_object_get(j, "dns"), "qtype")),
			     "A", "qtype");
		json_decref(j);
	}
	/* A qtype without a name is still a string (one JSON type for
	 * Elasticsearch's mapping), as RFC 3597 writes an unknown type. */
	e.d.ioc.qtype = 99;
	j = fmt(&s, &e, &err);
	ASSERT_STREQ(json_string_value(json_object_get(json_object_get(j, "dns"), "qtype")),
		     "TYPE99", "qtype without a name");
	json_decref(j);
	e.d.ioc.qtype = 1;
	/* a name whose hash matched but which is not below the indicator */
	memcpy(e.name, "www.notevil.example", 19);
	e.name_len = 19;
	ASSERT_EQ(events_format(&s, &e, &s.jb), -EBADMSG, "collision refused");
	ASSERT_EQ(s.ioc.collisions, 1, "collision counted");
	/* a reference of a generation no longer kept */
	e.ioc_id = 2 | (1u << XH_IOC_GEN_SHIFT);
	ASSERT_EQ(events_format(&s, &e, &s.jb), -ESTALE, "stale refused");
	ASSERT_EQ(s.ioc.stale, 1, "stale counted");
	/* TLS SNI to 443, and a block-mode address hit */
	e.rule = XH_RULE_IOC_TLS_SNI;
	e.proto = 6;
	e.dport = htons(443);
	e.ioc_id = 2 | (3u << XH_IOC_GEN_SHIFT);
	memcpy(e.name, "evil.example", 12);
	e.name_len = 12;
	j = fmt(&s, &e, &err);
	if (ASSERT_OK_PTR(j, "tls json")) {
		ioc = json_object_get(j, "ioc");
		ASSERT_STREQ(json_string_value(json_object_get(ioc, "matched")), "tls.sni",
			     "matched");
		ASSERT_STREQ(json_string_value(json_array_get(json_object_get(ioc, "attack"), 1)),
			     "T1071.001", "web");
		ASSERT_STREQ(json_string_value(json_array_get(json_object_get(ioc, "attack"), 2)),
			     "T1573", "encrypted channel");
		ASSERT_STREQ(json_string_value(json_object_get(json_object_get(j, "tls"), "sni")),
			     "evil.example", "tls.sni");
		json_decref(j);
	}
	e.rule = XH_RULE_IOC_DEST;
	e.detail_kind = 0;
	e.action = XH_ACTION_DROP;
	e.ioc_id = 4 | (3u << XH_IOC_GEN_SHIFT) | XH_IOC_F_BLOCK;
	j = fmt(&s, &e, &err);
	if (ASSERT_OK_PTR(j, "dest json")) {
		ioc = json_object_get(j, "ioc");
		ASSERT_STREQ(json_string_value(json_object_get(ioc, "indicator")),
			     "203.0.113.5:8443", "address:port");
		ASSERT_EQ(json_integer_value(json_object_get(ioc, "port")), 8443, "port");
		ASSERT_STREQ(json_string_value(json_object_get(j, "action")), "drop", "action");
		json_decref(j);
	}
	for (unsigned int c = 0; c < XH_IOC_CNT__MAX; c++)
		ASSERT_OK_PTR(ioc_counter_name(c), "every IoC counter has a name");
	event_sink_fini(&s);
out:
	ioc_set__free(set);
	rmdir(dir);
}

/* A CSV feed's columns beyond the known ones go into every hit, as ioc.extra
 * (README: "The other columns are kept per indicator and copied into every
 * hit"); an empty value is left out, and so is a repeated column name. */
void test_ioc_csv_extra_columns(void)
{
	static const char feed[] = "indicator,feed,source,description,Source,blank\n"
				   "203.0.113.5,feedA,SRC-5,\"DESC \"\"five\"\"\",dup,\n"
				   "203.0.113.6,,,,,\n";
	struct ioc_set *set = ioc_set__new();
	struct xh_event e = {};
	struct event_sink s;
	char path[128], msg[4096];
	json_t *j, *x;
	int err;

	if (!ASSERT_OK_PTR(set, "set") ||
	    !ASSERT_OK_PTR(mkdtemp(strcpy(dir, "/tmp/xh_feed_XXXXXX")), "dir"))
		goto out;
	mkfeed("x.csv", feed, path, sizeof(path));
	ASSERT_EQ(load(set, path, NULL, msg, sizeof(msg)), 2, "loads");
	unlink(path);
	event_sink_init(&s, NULL, set, "h");
	e.family = XH_AF_INET;
	e.proto = 6;
	inet_pton(AF_INET, "192.0.2.10", e.saddr);
	inet_pton(AF_INET, "203.0.113.5", e.daddr);
	e.dport = htons(443);
	e.rule = XH_RULE_IOC_DEST;
	e.ioc_id = 1;
	j = fmt(&s, &e, &err);
	if (ASSERT_OK_PTR(j, "json")) {
		x = json_object_get(json_object_get(j, "ioc"), "extra");
		ASSERT_STREQ(json_string_value(json_object_get(x, "source")), "SRC-5", "source");
		ASSERT_STREQ(json_string_value(json_object_get(x, "description")), "DESC \"five\"",
			     "description");
		ASSERT_EQ(json_object_size(x), 2, "only the non-empty, first-named columns");
		json_decref(j);
	}
	e.ioc_id = 2;
	j = fmt(&s, &e, &err);
	if (ASSERT_OK_PTR(j, "json 2")) {
		ASSERT_NULL(json_object_get(json_object_get(j, "ioc"), "extra"),
			    "no extra when every other column is empty");
		json_decref(j);
	}
	event_sink_fini(&s);
out:
	ioc_set__free(set);
	rmdir(dir);
}

/* The ioc object's "attack" array and the hit's technique say what the
 * packet shows of the C2 channel (README, JSON schema: "attack"): DNS and
 * web ports are application protocols; UDP elsewhere, ICMP and protocols
 * without ports are T1095; a ClientHello off the ports registered for TLS
 * adds T1571, and one whose ALPN offers HTTP is a web protocol on any port. */
void test_ioc_event_attack(void)
{
	static const struct {
		unsigned int rule, proto, dport;
		const char *top, *array;
		unsigned int tls_flags;
	} cases[] = {
		{XH_RULE_IOC_DEST, 6, 80, "T1071", "T1071,T1071.001", 0},
		{XH_RULE_IOC_DEST, 6, 4444, "T1071", "T1071", 0},
		{XH_RULE_IOC_DEST, 6, 53, "T1071", "T1071,T1071.004", 0},
		{XH_RULE_IOC_DEST, 17, 53, "T1071", "T1071,T1071.004", 0},
		{XH_RULE_IOC_DEST, 17, 443, "T1071", "T1071,T1071.001", 0},
		{XH_RULE_IOC_DEST, 17, 4444, "T1095", "T1095", 0},
		{XH_RULE_IOC_SRC, 17, 123, "T1095", "T1095", 0},
		{XH_RULE_IOC_DEST, 132, 4444, "T1095", "T1095", 0},
		{XH_RULE_IOC_DEST, 1, 0, "T1095", "T1095", 0},
		{XH_RULE_IOC_SRC, 58, 0, "T1095", "T1095", 0},
		{XH_RULE_IOC_DEST, 47, 0, "T1095", "T1095", 0},
		{XH_RULE_IOC_TLS_SNI, 6, 443, "T1573", "T1071,T1071.001,T1573", 0},
		{XH_RULE_IOC_TLS_SNI, 6, 993, "T1573", "T1071,T1573", 0},
		{XH_RULE_IOC_TLS_SNI, 6, 7443, "T1573", "T1071,T1573,T1571", 0},
		{XH_RULE_IOC_TLS_SNI, 6, 8080, "T1573", "T1071,T1071.001,T1573,T1571", 0},
		/* a ClientHello offering HTTP in its ALPN: web, on any port */
		{XH_RULE_IOC_TLS_SNI, 6, 7443, "T1573", "T1071,T1071.001,T1573,T1571",
		 XH_TLS_F_ALPN_HTTP},
		{XH_RULE_IOC_TLS_SNI, 6, 443, "T1573", "T1071,T1071.001,T1573", XH_TLS_F_ALPN_HTTP},
		{XH_RULE_IOC_DNS, 17, 53, "T1071.004", "T1071,T1071.004", 0},
	};
	struct ioc_set *set = ioc_set__new();
	uint32_t addr_id = 0, dom_id = 0;
	struct event_sink s;
	char path[128], msg[4096], got[128];
	json_t *j, *a;
	int err;

	if (!ASSERT_OK_PTR(set, "set") ||
	    !ASSERT_OK_PTR(mkdtemp(strcpy(dir, "/tmp/xh_feed_XXXXXX")), "dir"))
		goto out;
	mkfeed("c2.txt", "203.0.113.9\nevil.example\n", path, sizeof(path));
	ASSERT_EQ(load(set, path, NULL, msg, sizeof(msg)), 2, "loaded");
	unlink(path);
	for (uint32_t id = 0; id < ioc_set_count(set) + 1; id++) {
		if (!strcmp(text(set, id), "203.0.113.9"))
			addr_id = id;
		else if (!strcmp(text(set, id), "evil.example"))
			dom_id = id;
	}
	if (!ASSERT_TRUE(addr_id && dom_id, "both indicators have an id"))
		goto out;
	ioc_set_set_gen(set, 1, NULL);
	event_sink_init(&s, NULL, set, "h");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xh_event e = {};
		int is_name =
			cases[i].rule == XH_RULE_IOC_TLS_SNI || cases[i].rule == XH_RULE_IOC_DNS;
		size_t n = 0;

		test_subtest("rule %u proto %u port %u", cases[i].rule, cases[i].proto,
			     cases[i].dport);
		e.family = XH_AF_INET;
		e.proto = cases[i].proto;
		inet_pton(AF_INET, "192.0.2.50", e.saddr);
		inet_pton(AF_INET, "203.0.113.9", e.daddr);
		e.sport = htons(cases[i].proto == 1 || cases[i].proto == 58 ? 8 : 40000);
		e.dport = htons(cases[i].dport);
		e.rule = cases[i].rule;
		e.ioc_id = (is_name ? dom_id : addr_id) | (1u << XH_IOC_GEN_SHIFT);
		if (is_name) {
			e.detail_kind = XH_DETAIL_IOC_NAME;
			e.d.ioc.qtype = 1;
			e.d.ioc.tls_flags = cases[i].tls_flags;
			memcpy(e.name, "api.evil.example", 16);
			e.name_len = 16;
		}
		j = fmt(&s, &e, &err);
		if (!ASSERT_OK_PTR(j, "json"))
			continue;
		ASSERT_STREQ(json_string_value(
				     json_object_get(json_object_get(j, "attack"), "technique_id")),
			     cases[i].top, "the hit's technique");
		a = json_object_get(json_object_get(j, "ioc"), "attack");
		got[0] = '\0';
		for (size_t k = 0; k < json_array_size(a) && n < sizeof(got) - 16; k++)
			n += snprintf(got + n, sizeof(got) - n, "%s%s", k ? "," : "",
				      json_string_value(json_array_get(a, k)));
		ASSERT_STREQ(got, cases[i].array, "ioc.attack");
		json_decref(j);
	}
	test_subtest_end();
	event_sink_fini(&s);
out:
	ioc_set__free(set);
	rmdir(dir);
}
