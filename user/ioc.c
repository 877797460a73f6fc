// SPDX-License-Identifier: GPL-2.0
/* ioc.c: the indicator set (entries, metadata, string pool, generations),
 * indicator parsing, reading a feed file or folder and detecting its format,
 * and the plain-list reader. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <linux/types.h>
#include "xh_abi.h"
#include "name.h"
#include "fmt.h"
#include "ioc_int.h"
#include "log.h"

static const char *const err_names[IOC_ERR__MAX] = {
	[IOC_ERR_BAD_LINE] = "bad_line",
	[IOC_ERR_BAD_CIDR] = "bad_cidr",
	[IOC_ERR_STIX_SKIPPED] = "stix_skipped",
	[IOC_ERR_SKIPPED_TYPE] = "skipped_type",
	[IOC_ERR_JSON] = "bad_json",
	[IOC_ERR_EMPTY] = "empty",
	[IOC_ERR_OVERSIZE] = "oversize",
	[IOC_ERR_IO] = "io",
	[IOC_ERR_LIMIT] = "limit",
};

const char *ioc_err_name(enum ioc_err err)
{
	return (unsigned int)err < IOC_ERR__MAX ? err_names[err] : NULL;
}

struct ioc_set *ioc_set__new(void)
{
	struct ioc_set *set = calloc(1, sizeof(*set));

	if (!set)
		return NULL;
	set->pool = malloc(4096);
	set->meta = calloc(16, sizeof(*set->meta));
	if (!set->pool || !set->meta) {
		ioc_set__free(set);
		errno = ENOMEM;
		return NULL;
	}
	set->pool[0] = '\0';
	set->pool_len = 1;
	set->pool_cap = 4096;
	set->nmeta = 1;
	set->capmeta = 16;
	return set;
}

void ioc_set__free(struct ioc_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->nfiles; i++)
		free(set->files[i]);
	free(set->files);
	free(set->v);
	free(set->meta);
	free(set->pool);
	free(set);
}

uint32_t ioc_pool_add(struct ioc_set *set, const char *s, size_t len, int *err)
{
	uint32_t off;

	if (!len)
		return 0;
	if (set->pool_len + len + 1 > UINT32_MAX) {
		*err = -E2BIG;
		return 0;
	}
	if (set->pool_len + len + 1 > set->pool_cap) {
		size_t cap = set->pool_cap * 2;
		char *p;

		while (cap < set->pool_len + len + 1)
			cap *= 2;
		p = realloc(set->pool, cap);
		if (!p) {
			*err = -ENOMEM;
			return 0;
		}
		set->pool = p;
		set->pool_cap = cap;
	}
	off = (uint32_t)set->pool_len;
	memcpy(set->pool + off, s, len);
	set->pool[off + len] = '\0';
	set->pool_len += len + 1;
	return off;
}

uint32_t ioc_meta_add(struct ioc_set *set, const struct ioc_meta *m, int *err)
{
	if (set->nmeta == set->capmeta) {
		struct ioc_meta *nm = realloc(set->meta, set->capmeta * 2 * sizeof(*nm));

		if (!nm) {
			*err = -ENOMEM;
			return 0;
		}
		set->meta = nm;
		set->capmeta *= 2;
	}
	set->meta[set->nmeta] = *m;
	return (uint32_t)set->nmeta++;
}

void ioc_bad(struct ioc_load *ld, enum ioc_err err, unsigned int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ld->set->errs[err]++;
	if (line)
		pr_warn("ioc: %s:%u: %s\n", ld->path, line, msg);
	else
		pr_warn("ioc: %s: %s\n", ld->path, msg);
}

void ioc_skip(struct ioc_load *ld, enum ioc_err err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	ld->set->errs[err]++;
	if (ld->msgs++ >= IOC_MAX_MSGS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_warn("ioc: %s: %s\n", ld->path, msg);
}

/* Clear the bits after @prefixlen; returns 1 when some were set. */
static int mask_host_bits(uint8_t *addr, unsigned int alen, unsigned int prefixlen)
{
	int changed = 0;

	for (unsigned int i = 0; i < alen; i++) {
		unsigned int bits = prefixlen > i * 8 ? prefixlen - i * 8 : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);

		if (addr[i] & ~mask)
			changed = 1;
		addr[i] &= mask;
	}
	return changed;
}

static int parse_port(const char *p, uint16_t *port, const char **why)
{
	unsigned long v = 0;

	if (!*p) {
		*why = "missing port after ':'";
		return -EINVAL;
	}
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p)) {
			*why = "port is not a decimal number";
			return -EINVAL;
		}
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 65535) {
			*why = "port exceeds 65535";
			return -EINVAL;
		}
	}
	if (!v) {
		*why = "port 0";
		return -EINVAL;
	}
	*port = (uint16_t)v;
	return 0;
}

/* Address with optional "/len" in @text[0, @n). */
static int parse_net(const char *text, size_t n, int af, struct ioc_entry *e, const char **why,
		     int *masked)
{
	char addr[INET6_ADDRSTRLEN + 8];
	const char *slash = memchr(text, '/', n);
	size_t alen = slash ? (size_t)(slash - text) : n;
	unsigned int plen, max = af == AF_INET6 ? 128 : 32;

	if (alen == 0) {
		*why = "no address";
		return -EINVAL;
	}
	if (alen >= sizeof(addr)) {
		*why = af == AF_INET6 ? "not an IPv6 address" : "not an IPv4 address";
		return -EINVAL;
	}
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	/* inet_pton: dotted quad only (no octal, hex or short forms), no zone ids */
	if (inet_pton(af, addr, e->addr) != 1) {
		*why = af == AF_INET6 ? "not an IPv6 address" : "not an IPv4 address";
		return -EINVAL;
	}
	plen = max;
	if (slash) {
		const char *p = slash + 1, *end = text + n;

		if (p == end) {
			*why = "missing prefix length after '/'";
			return -EINVAL;
		}
		plen = 0;
		for (; p < end; p++) {
			if (!isdigit((unsigned char)*p)) {
				*why = "prefix length is not a decimal number";
				return -EINVAL;
			}
			plen = plen * 10 + (unsigned int)(*p - '0');
			if (plen > max) {
				*why = af == AF_INET6 ? "prefix length exceeds 128"
						      : "prefix length exceeds 32";
				return -EINVAL;
			}
		}
	}
	e->kind = IOC_KIND_NET;
	e->family = af == AF_INET6 ? XH_AF_INET6 : XH_AF_INET;
	e->prefixlen = (uint8_t)plen;
	*masked = mask_host_bits(e->addr, af == AF_INET6 ? 16 : 4, plen);
	return 0;
}

static int parse_domain(const char *text, struct ioc_entry *e, char dom[256], const char **why)
{
	size_t n = strlen(text), labels = 1, lab = 0;
	__u16 off[XH_NAME_SUFFIX_MAX];
	__u64 hash[XH_NAME_SUFFIX_MAX];

	if (n && text[n - 1] == '.')
		n--; /* the root label */
	if (!n || n > XH_NAME_TEXT_MAX) {
		*why = "a domain name is 1 to 253 characters";
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '.') {
			if (!lab) {
				*why = "empty label in domain name";
				return -EINVAL;
			}
			labels++;
			lab = 0;
			dom[i] = '.';
			continue;
		}
		if (!isalnum(c) && c != '-' && c != '_') {
			*why = "invalid character in domain name";
			return -EINVAL;
		}
		if (++lab > 63) {
			*why = "label longer than 63 characters";
			return -EINVAL;
		}
		dom[i] = (char)tolower(c);
	}
	if (!lab) {
		*why = "empty label in domain name";
		return -EINVAL;
	}
	dom[n] = '\0';
	if (labels < 2) {
		*why = "a domain needs at least two labels (a top-level domain alone would match "
		       "too much)";
		return -EINVAL;
	}
	if (labels > XH_NAME_SUFFIX_MAX) {
		*why = "more than 10 labels (the kernel hashes at most 10 parent domains)";
		return -EINVAL;
	}
	if (xh_name_suffixes((const __u8 *)dom, (__u32)n, hash, off) != labels) {
		*why = "cannot hash domain name";
		return -EINVAL;
	}
	e->kind = IOC_KIND_DOMAIN;
	e->hash = hash[labels - 1];
	return 0;
}

int ioc_parse_indicator(const char *text, struct ioc_entry *e, char dom[256], const char **why,
			int *masked)
{
	const char *colon = strchr(text, ':'), *last_dot = strrchr(text, '.'), *p;
	size_t n = strlen(text);
	int err, all_digits = 1;

	memset(e, 0, sizeof(*e));
	*masked = 0;
	dom[0] = '\0';
	if (!n || text[0] == '/') {
		*why = "no address";
		return -EINVAL;
	}
	if (text[0] == '[') {
		/* [IPv6]:port */
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':') {
			*why = "expected [IPv6 address]:port";
			return -EINVAL;
		}
		err = parse_net(text + 1, (size_t)(close - text - 1), AF_INET6, e, why, masked);
		if (err)
			return err;
		if (memchr(text + 1, '/', (size_t)(close - text - 1))) {
			*why = "a port needs a single address, not a CIDR";
			return -EINVAL;
		}
		return parse_port(close + 2, &e->port, why);
	}
	if (colon && strchr(colon + 1, ':'))
		return parse_net(text, n, AF_INET6, e, why, masked);
	if (colon) {
		/* IPv4:port */
		err = parse_net(text, (size_t)(colon - text), AF_INET, e, why, masked);
		if (err)
			return err;
		if (memchr(text, '/', (size_t)(colon - text))) {
			*why = "a port needs a single address, not a CIDR";
			return -EINVAL;
		}
		return parse_port(colon + 1, &e->port, why);
	}
	/* Dotted quad or CIDR when the last label is numeric (or there is a
	 * '/'), else a domain name (a trailing root dot aside). */
	if (last_dot && !last_dot[1] && last_dot > text) {
		const char *q = last_dot - 1;

		while (q > text && *q != '.')
			q--;
		last_dot = *q == '.' ? q : NULL;
	}
	p = last_dot ? last_dot + 1 : text;
	for (; *p && *p != '.'; p++)
		if (!isdigit((unsigned char)*p) && *p != '/')
			all_digits = 0;
	if (strchr(text, '/') || all_digits)
		return parse_net(text, n, AF_INET, e, why, masked);
	return parse_domain(text, e, dom, why);
}

int ioc_add(struct ioc_load *ld, struct ioc_entry *e, const char *dom, uint32_t meta,
	    unsigned int line)
{
	struct ioc_set *set = ld->set;
	int err = 0;

	if (set->n >= XH_IOC_ID_MASK)
		return -E2BIG;
	if (e->kind == IOC_KIND_NET && !e->port &&
	    (e->family == XH_AF_INET ? set->n4 + set->nport >= XH_IOC4_MAX
				     : set->n6 + set->nport >= XH_IOC6_MAX))
		return -E2BIG;
	if (e->kind == IOC_KIND_NET && e->port && set->nport >= XH_IOCPORT_MAX)
		return -E2BIG;
	if (e->kind == IOC_KIND_DOMAIN && set->ndom >= XH_IOCDOM_MAX)
		return -E2BIG;
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 256;
		struct ioc_entry *nv = realloc(set->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		set->v = nv;
		set->cap = cap;
	}
	if (e->kind == IOC_KIND_DOMAIN) {
		e->domain = ioc_pool_add(set, dom, strlen(dom), &err);
		if (err)
			return err;
		set->ndom++;
	} else if (e->port) {
		set->nport++;
	} else if (e->family == XH_AF_INET) {
		set->n4++;
	} else {
		set->n6++;
	}
	e->action = ld->action;
	e->feed_no = ld->feed_no;
	e->line = line;
	e->meta = meta;
	e->id = (uint32_t)set->n + 1;
	set->v[set->n++] = *e;
	return 0;
}

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
	int added = 0, masked, err;

	while (line < end) {
		char *nl = memchr(line, '\n', (size_t)(end - line)), *text;
		size_t llen = nl ? (size_t)(nl - line) : (size_t)(end - line);

		lineno++;
		line[llen] = '\0';
		text = line;
		line += llen + 1;
		if (strlen(text) != llen) {
			ioc_bad(ld, IOC_ERR_BAD_LINE, lineno,
				"invalid indicator '%s': line contains a NUL byte",
				clean_line(text));
			return -EINVAL;
		}
		text = clean_line(text);
		if (!*text)
			continue;
		err = ioc_parse_indicator(text, &e, dom, &why, &masked);
		if (err) {
			ioc_bad(ld, strstr(why, "prefix") ? IOC_ERR_BAD_CIDR : IOC_ERR_BAD_LINE,
				lineno, "invalid indicator '%s': %s", text, why);
			return err;
		}
		if (masked)
			pr_info("ioc: %s:%u: '%s' has host bits set, loaded with them cleared\n",
				ld->path, lineno, text);
		err = ioc_add(ld, &e, dom, 0, lineno);
		if (err)
			return err;
		added++;
	}
	return added;
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
		if (*p == '{' || *p == '[') {
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
	if (!files) {
		set->errs[IOC_ERR_EMPTY]++;
		pr_warn("ioc: %s: no feed file (*.txt, *.list, *.csv, *.json, *.stix)\n", dir);
		return -ENODATA;
	}
	return added;
}

size_t ioc_set_count(const struct ioc_set *set)
{
	return set->n;
}

const struct ioc_entry *ioc_set_get(const struct ioc_set *set, uint32_t id)
{
	if (id == 0 || id > set->n)
		return NULL;
	return &set->v[id - 1];
}

const struct ioc_entry *ioc_set_at(const struct ioc_set *set, size_t i)
{
	return i < set->n ? &set->v[i] : NULL;
}

const char *ioc_str(const struct ioc_set *set, uint32_t off)
{
	return off && off < set->pool_len ? set->pool + off : NULL;
}

const struct ioc_meta *ioc_set_meta(const struct ioc_set *set, const struct ioc_entry *e)
{
	return e->meta && e->meta < set->nmeta ? &set->meta[e->meta] : NULL;
}

const char *ioc_set_file(const struct ioc_set *set, unsigned int feed_no)
{
	return feed_no < set->nfiles ? set->files[feed_no] : NULL;
}

const char *ioc_entry_type(const struct ioc_entry *e)
{
	if (e->kind == IOC_KIND_DOMAIN)
		return "domain";
	if (e->family == XH_AF_INET)
		return e->prefixlen == 32 ? "ipv4" : "ipv4-cidr";
	return e->prefixlen == 128 ? "ipv6" : "ipv6-cidr";
}

/* By hand (fmt_*()): inet_ntop() and snprintf() were a sixth of the cost
 * of an ioc.* hit's JSON line (callgrind, xh_bench format), and an IPv6
 * address alone about 3,000 instructions through inet_ntop(). */
size_t ioc_entry_text_n(const struct ioc_set *set, const struct ioc_entry *e,
			char buf[IOC_TEXT_MAX])
{
	unsigned int full = e->family == XH_AF_INET6 ? 128 : 32;
	char *p = buf;

	if (e->kind == IOC_KIND_DOMAIN) {
		const char *d = ioc_str(set, e->domain);
		size_t n = d ? strnlen(d, IOC_TEXT_MAX - 1) : 0;

		memcpy(buf, d ? d : "", n);
		buf[n] = '\0';
		return n;
	}
	if (e->family == XH_AF_INET6) {
		if (e->port)
			*p++ = '[';
		p = fmt_ipv6(p, e->addr);
		if (e->port)
			*p++ = ']';
	} else {
		p = fmt_ipv4(p, e->addr);
	}
	if (e->port) {
		*p++ = ':';
		p = fmt_u64(p, e->port);
	} else if (e->prefixlen != full) {
		*p++ = '/';
		p = fmt_u64(p, e->prefixlen);
	}
	*p = '\0';
	return (size_t)(p - buf);
}

const char *ioc_entry_text(const struct ioc_set *set, const struct ioc_entry *e, char *buf,
			   size_t len)
{
	char text[IOC_TEXT_MAX];
	size_t n = ioc_entry_text_n(set, e, text);

	if (!len)
		return buf;
	if (n >= len)
		n = len - 1; /* cut, as snprintf() */
	memcpy(buf, text, n);
	buf[n] = '\0';
	return buf;
}

void ioc_set_counts(const struct ioc_set *set, size_t *n4, size_t *n6, size_t *ndom, size_t *nport)
{
	if (n4)
		*n4 = set->n4;
	if (n6)
		*n6 = set->n6;
	if (ndom)
		*ndom = set->ndom;
	if (nport)
		*nport = set->nport;
}

uint64_t ioc_set_errors(const struct ioc_set *set, enum ioc_err err)
{
	return (unsigned int)err < IOC_ERR__MAX ? set->errs[err] : 0;
}

void ioc_set_set_gen(struct ioc_set *set, unsigned int gen, const struct ioc_set *prev)
{
	set->gen = gen & XH_IOC_GEN_MASK;
	set->prev = prev;
}

unsigned int ioc_set_gen(const struct ioc_set *set)
{
	return set->gen;
}

const struct ioc_entry *ioc_set_resolve(const struct ioc_set *set, uint32_t ref,
					const struct ioc_set **owner)
{
	unsigned int gen = (ref >> XH_IOC_GEN_SHIFT) & XH_IOC_GEN_MASK;

	if (set && set->gen != gen)
		set = set->prev;
	if (!set || set->gen != gen)
		return NULL;
	if (owner)
		*owner = set;
	return ioc_set_get(set, ref & XH_IOC_ID_MASK);
}
