// SPDX-License-Identifier: GPL-2.0
/* ioc_file.c: reading a feed file or folder: size limit, format detection
 * (plain list, CSV, STIX 2.1), and the plain-list reader. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/types.h>
#include "xh_abi.h"
#include "ioc_int.h"
#include "log.h"

/* Strip a '#' comment and surrounding white space (CR included), in place. */
static char *clean_line(char *s)
{
	char *hash = strchr(s, '#'), *end;

	if (hash)
		*hash = '\0';
	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

int ioc_read_plain(struct ioc_load *ld, char *buf, size_t len)
{
	char *line = buf, *end = buf + len, dom[256];
	unsigned int lineno = 0;
	struct ioc_entry e;
	const char *why;
	int added = 0, masked, err, bad = 0;

	while (line < end) {
		char *nl = memchr(line, '\n', (size_t)(end - line)), *text;
		size_t llen = nl ? (size_t)(nl - line) : (size_t)(end - line);

		lineno++;
		line[llen] = '\0';
		text = line;
		line += llen + 1;
		if (strlen(text) != llen) {
			ioc_bad(ld, IOC_ERR_BAD_LINE, lineno,
				"invalid indicator '%.*s%s': line contains a NUL byte",
				IOC_QUOTE(clean_line(text)));
			bad = bad ? bad : -EINVAL;
			continue;
		}
		text = clean_line(text);
		if (!*text)
			continue;
		err = ioc_parse_indicator(text, &e, dom, &why, &masked);
		if (err) {
			ioc_bad(ld, strstr(why, "prefix") ? IOC_ERR_BAD_CIDR : IOC_ERR_BAD_LINE,
				lineno, "invalid indicator '%.*s%s': %s", IOC_QUOTE(text), why);
			bad = bad ? bad : err;
			continue;
		}
		if (bad)
			continue; /* the file loads nothing: only its other bad lines */
		if (masked)
			pr_info("ioc: %s:%u: '%.*s%s' has host bits set, loaded with them "
				"cleared\n",
				ld->path, lineno, IOC_QUOTE(text));
		err = ioc_add(ld, &e, dom, 0, lineno);
		if (err)
			return err;
		added++;
	}
	if (bad)
		ioc_bad_lines_done(ld);
	return bad ? bad : added;
}

/* Does @p, at a '[', open a JSON array ('[' then '{', ']' or the end of the
 * line) rather than a plain list's "[2001:db8::1]:8443"? The array is read
 * as JSON, to be refused as not a STIX bundle, not as a list of bad lines. */
static int json_array_start(const char *p)
{
	p++;
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	return *p == '{' || *p == ']' || *p == '\n' || !*p;
}

/* A CSV feed starts with a header whose first column is "indicator". */
static int is_csv(const char *buf)
{
	if (*buf == '"')
		buf++;
	if (strncasecmp(buf, "indicator", 9))
		return 0;
	buf += 9;
	if (*buf == '"')
		buf++;
	return *buf == ',' || *buf == '\n' || *buf == '\r';
}

/* Read @path into a NUL-terminated buffer, refusing more than @max bytes. */
static int read_file(struct ioc_load *ld, uint64_t max, char **out, size_t *out_len)
{
	struct stat st;
	size_t got = 0;
	char *buf = NULL;
	int fd, err = 0;
	ssize_t r;

	fd = open(ld->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		ioc_bad(ld, IOC_ERR_IO, 0, "cannot open feed: %s", strerror(-err));
		return err;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		goto io;
	}
	if (S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto io;
	}
	if (!S_ISREG(st.st_mode)) {
		/* A pipe (--ioc <(cmd), /dev/stdin) has no size to check and
		 * cannot be read again on a reload. */
		ioc_bad(ld, IOC_ERR_IO, 0,
			"not a regular file (a feed is read again on every reload): save it to a "
			"file first");
		close(fd);
		return -EINVAL;
	}
	if ((uint64_t)st.st_size > max) {
		ioc_bad(ld, IOC_ERR_OVERSIZE, 0,
			"feed is %llu bytes, over the limit of %llu (--ioc-max-size)",
			(unsigned long long)st.st_size, (unsigned long long)max);
		close(fd);
		return -EFBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		err = -ENOMEM;
		goto io;
	}
	/* Up to one byte more than stat said, to see a file that grew. */
	while (got <= (size_t)st.st_size) {
		r = read(fd, buf + got, (size_t)st.st_size + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			goto io;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got > (size_t)st.st_size) {
		err = -EAGAIN;
		ioc_bad(ld, IOC_ERR_IO, 0, "feed changed while being read");
		goto out;
	}
	buf[got] = '\0';
	*out = buf;
	*out_len = got;
	close(fd);
	return 0;
io:
	ioc_bad(ld, IOC_ERR_IO, 0, "cannot read feed: %s", strerror(-err));
out:
	free(buf);
	close(fd);
	return err;
}

int ioc_set_load_file_opts(struct ioc_set *set, const char *path, const struct ioc_file_opts *o)
{
	struct ioc_load ld = {.set = set, .path = path, .action = o ? o->action : 0};
	uint64_t max = o && o->max_bytes ? o->max_bytes : IOC_MAX_BYTES_DEFAULT;
	size_t n0 = set->n, meta0 = set->nmeta, pool0 = set->pool_len;
	size_t c4 = set->n4, c6 = set->n6, cd = set->ndom, cp = set->nport, len = 0;
	char *buf = NULL, *text, **files, *copy = NULL;
	const char *fmt;
	int ret;

	if (set->nfiles >= UINT16_MAX) {
		ioc_bad(&ld, IOC_ERR_LIMIT, 0, "too many feed files");
		return -E2BIG;
	}
	ld.feed_no = (uint16_t)set->nfiles;
	ret = read_file(&ld, max, &buf, &len);
	if (ret)
		return ret;
	text = buf;
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
		text += 3; /* UTF-8 byte order mark */
		len -= 3;
	}
	{
		const char *p = text;

		while (*p && isspace((unsigned char)*p))
			p++;
		if (*p == '{' || (*p == '[' && json_array_start(p))) {
			fmt = "STIX";
			ret = ioc_read_stix(&ld, text, len);
		} else if (is_csv(text)) {
			fmt = "CSV";
			ret = ioc_read_csv(&ld, text, len);
		} else {
			fmt = "plain list";
			ret = ioc_read_plain(&ld, text, len);
		}
	}
	if (ret == -E2BIG)
		ioc_bad(&ld, IOC_ERR_LIMIT, 0,
			"too many indicators (max %u IPv4, %u IPv6, %u domains, %u address:port)",
			XH_IOC4_MAX, XH_IOC6_MAX, XH_IOCDOM_MAX, XH_IOCPORT_MAX);
	else if (ret == -ENOMEM)
		ioc_bad(&ld, IOC_ERR_IO, 0, "out of memory");
	if (ret == 0) {
		ioc_bad(&ld, IOC_ERR_EMPTY, 0, "no usable indicator in this %s feed", fmt);
		ret = -ENODATA;
	}
	if (ret > 0) {
		files = realloc(set->files, (set->nfiles + 1) * sizeof(*files));
		if (files)
			set->files = files;
		copy = strdup(path);
		if (!files || !copy) {
			free(copy);
			ret = -ENOMEM;
		} else {
			set->files[set->nfiles++] = copy;
			pr_info("ioc: %s: %d indicators (%s, %zu IPv4, %zu IPv6, %zu domains, %zu "
				"address:port)%s\n",
				path, ret, fmt, set->n4 - c4, set->n6 - c6, set->ndom - cd,
				set->nport - cp, ld.action == IOC_ACTION_BLOCK ? ", block" : "");
		}
	}
	if (ld.msgs > IOC_MAX_MSGS)
		pr_warn("ioc: %s: %u more items skipped (not shown)\n", path,
			ld.msgs - IOC_MAX_MSGS);
	if (ret < 0) {
		/* All or nothing: forget what this file added. */
		set->n = n0;
		set->nmeta = meta0;
		set->pool_len = pool0;
		set->n4 = c4;
		set->n6 = c6;
		set->ndom = cd;
		set->nport = cp;
	}
	free(buf);
	return ret;
}

int ioc_set_load_file(struct ioc_set *set, const char *path)
{
	return ioc_set_load_file_opts(set, path, NULL);
}

static int feed_name(const struct dirent *d)
{
	static const char *const ext[] = {".txt", ".list", ".csv", ".json", ".stix"};
	size_t n = strlen(d->d_name);

	if (d->d_name[0] == '.')
		return 0;
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t m = strlen(ext[i]);

		if (n > m && !strcasecmp(d->d_name + n - m, ext[i]))
			return 1;
	}
	return 0;
}

int ioc_set_load_dir(struct ioc_set *set, const char *dir, const struct ioc_file_opts *o)
{
	struct dirent **names = NULL;
	int n, added = 0, ret = 0, files = 0;
	char path[4096];
	struct stat st;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		ret = -errno;
		set->errs[IOC_ERR_IO]++;
		pr_warn("ioc: %s: cannot read feed folder: %s\n", dir, strerror(-ret));
		return ret;
	}
	for (int i = 0; i < n; i++) {
		if (ret < 0 || snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) >=
				       (int)sizeof(path))
			goto next;
		if (names[i]->d_name[0] == '.')
			goto next; /* ".", "..", hidden files */
		if (stat(path, &st) || !S_ISREG(st.st_mode) || !feed_name(names[i])) {
			pr_info("ioc: %s: not a feed file, ignored\n", path);
			goto next;
		}
		files++;
		ret = ioc_set_load_file_opts(set, path, o);
		if (ret > 0)
			added += ret;
	next:
		free(names[i]);
	}
	free(names);
	if (ret < 0)
		return ret;
	/* Not an error: emptying a folder is how an operator takes its feeds
	 * out (a block folder: stop blocking) before a reload, and a folder a
	 * tool fills later may start empty. A feed file in it with nothing
	 * usable still fails the load (likely a broken download). */
	if (!files)
		pr_warn("ioc: %s: no feed file (*.txt, *.list, *.csv, *.json, *.stix): "
			"no indicator from this folder\n",
			dir);
	return added;
}
