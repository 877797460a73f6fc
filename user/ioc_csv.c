// SPDX-License-Identifier: GPL-2.0
/* ioc_csv.c: CSV feeds with a header row naming the columns
 * (indicator,type,feed,actor,confidence,first_seen,reference,comment; only
 * "indicator" is required, order is free; other columns are kept per row as
 * the hit's ioc.extra).
 * RFC 4180 quoting: fields in double quotes may hold commas, line breaks and
 * doubled quotes. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <linux/types.h>
#include "xh_abi.h"
#include "ioc_int.h"
#include "jsonl.h"
#include "log.h"

#define CSV_MAX_FIELDS 64

enum csv_col {
	COL_IND,
	COL_TYPE,
	COL_FEED,
	COL_ACTOR,
	COL_CONF,
	COL_FIRST,
	COL_REF,
	COL_COMMENT,
	COL__MAX
};

static const char *const col_names[COL__MAX] = {
	"indicator", "type", "feed", "actor", "confidence", "first_seen", "reference", "comment",
};

struct csv {
	char *p, *end;
	unsigned int line; /* line the cursor is on */
};

/* Split the next record in place (fields NUL-terminated, quotes removed).
 * Returns the field count, 0 at the end, or -1 with *why on a quoting error. */
static int csv_record(struct csv *c, char **f, int max, const char **why)
{
	int n = 0;

	if (c->p >= c->end)
		return 0;
	for (;;) {
		char *w = c->p, *start = c->p;

		if (n == max) {
			*why = "too many fields";
			return -1;
		}
		if (c->p < c->end && *c->p == '"') {
			c->p++;
			for (;;) {
				if (c->p >= c->end) {
					*why = "unterminated quoted field";
					return -1;
				}
				if (*c->p == '"') {
					if (c->p + 1 < c->end && c->p[1] == '"') {
						*w++ = '"';
						c->p += 2;
						continue;
					}
					c->p++;
					break;
				}
				if (*c->p == '\n')
					c->line++;
				*w++ = *c->p++;
			}
			if (c->p < c->end && *c->p == '\r')
				c->p++;
			if (c->p < c->end && *c->p != ',' && *c->p != '\n') {
				*why = "text after a closing quote";
				return -1;
			}
		} else {
			while (c->p < c->end && *c->p != ',' && *c->p != '\n') {
				if (*c->p == '"') {
					*why = "quote inside an unquoted field";
					return -1;
				}
				c->p++;
			}
			w = c->p;
			if (w > start && w[-1] == '\r')
				w--;
		}
		f[n++] = start;
		if (c->p >= c->end) {
			*w = '\0';
			return n;
		}
		if (*c->p == '\n') {
			*w = '\0';
			c->p++;
			c->line++;
			return n;
		}
		*w = '\0'; /* the ',' */
		c->p++;
	}
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	*e = '\0';
	return s;
}

int ioc_check_type(const char *type, const struct ioc_entry *e)
{
	static const char *const skip[] = {"url",   "uri",   "md5",	   "sha1",     "sha256",
					   "hash",  "email", "email-addr", "filename", "file",
					   "mutex", "ja3",   "user-agent"};
	int host = e->kind == IOC_KIND_NET && e->prefixlen == (e->family == XH_AF_INET ? 32 : 128);

	if (!*type)
		return 0;
	if (!strcasecmp(type, "domain") || !strcasecmp(type, "hostname") ||
	    !strcasecmp(type, "fqdn") || !strcasecmp(type, "domain-name"))
		return e->kind == IOC_KIND_DOMAIN ? 0 : -1;
	if (!strcasecmp(type, "ipv4") || !strcasecmp(type, "ipv4-addr"))
		return e->kind == IOC_KIND_NET && e->family == XH_AF_INET && host && !e->port ? 0
											      : -1;
	if (!strcasecmp(type, "ipv6") || !strcasecmp(type, "ipv6-addr"))
		return e->kind == IOC_KIND_NET && e->family == XH_AF_INET6 && host && !e->port ? 0
											       : -1;
	if (!strcasecmp(type, "ipv4-cidr"))
		return e->kind == IOC_KIND_NET && e->family == XH_AF_INET && !e->port ? 0 : -1;
	if (!strcasecmp(type, "ipv6-cidr"))
		return e->kind == IOC_KIND_NET && e->family == XH_AF_INET6 && !e->port ? 0 : -1;
	/* An address or CIDR without a port; ip:port an address with one. */
	if (!strcasecmp(type, "ip") || !strcasecmp(type, "ip-dst"))
		return e->kind == IOC_KIND_NET && !e->port ? 0 : -1;
	if (!strcasecmp(type, "ip:port"))
		return e->kind == IOC_KIND_NET && e->port ? 0 : -1;
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (!strcasecmp(type, skip[i]))
			return 1;
	return -1;
}

/* The row's other columns (@extra[i] set) with a value, as JSON members
 * ("name":"value",...) in the pool: their offset, 0 when none or with *err. */
static uint32_t extra_members(struct ioc_set *set, char **hdr, char **f, const unsigned char *extra,
			      int n, int *err)
{
	struct jbuf jb;
	uint32_t off = 0;

	jbuf_init(&jb);
	for (int i = 0; i < n; i++) {
		char *v;

		if (!extra[i])
			continue;
		v = trim(f[i]);
		if (!*v)
			continue;
		jbuf_key_n(&jb, hdr[i], strlen(hdr[i]));
		jbuf_str_n(&jb, v, strlen(v));
	}
	if (jb.err)
		*err = jb.err;
	else if (jb.len)
		off = ioc_pool_add(set, jb.buf, jb.len, err);
	jbuf_free(&jb);
	return off;
}

int ioc_read_csv(struct ioc_load *ld, char *buf, size_t len)
{
	struct csv c = {.p = buf, .end = buf + len, .line = 1};
	int col[COL__MAX], nhdr, n, added = 0, masked, err = 0, bad = 0;
	char *f[CSV_MAX_FIELDS], *hdr[CSV_MAX_FIELDS], dom[256];
	unsigned char extra[CSV_MAX_FIELDS];
	struct ioc_entry e;
	const char *why;

	for (int k = 0; k < COL__MAX; k++)
		col[k] = -1;
	nhdr = csv_record(&c, f, CSV_MAX_FIELDS, &why);
	if (nhdr < 0) {
		ioc_bad(ld, IOC_ERR_BAD_LINE, 1, "CSV header: %s", why);
		return -EINVAL;
	}
	for (int i = 0; i < nhdr; i++) {
		hdr[i] = trim(f[i]);
		extra[i] = *hdr[i] != '\0';
		for (int k = 0; k < COL__MAX; k++)
			if (!strcasecmp(hdr[i], col_names[k]) && col[k] < 0)
				col[k] = i;
		/* Known columns, and a name repeated, are no extra. */
		for (int k = 0; k < i && extra[i]; k++)
			if (!strcasecmp(hdr[k], hdr[i]))
				extra[i] = 0;
	}
	for (int k = 0; k < COL__MAX; k++)
		if (col[k] >= 0)
			extra[col[k]] = 0;
	/* is_csv() saw "indicator" first, but the fields may still differ (a
	 * lone CR is no line end: "indicator\rtype" is one column). */
	if (col[COL_IND] < 0) {
		ioc_bad(ld, IOC_ERR_BAD_LINE, 1, "CSV header has no \"indicator\" column");
		return -EINVAL;
	}
	while (c.p < c.end) {
		unsigned int line = c.line;
		struct ioc_meta m = {};
		uint32_t meta = 0;
		char *ind, *type;
		int t;

		n = csv_record(&c, f, CSV_MAX_FIELDS, &why);
		if (n < 0) {
			ioc_bad(ld, IOC_ERR_BAD_LINE, line, "malformed CSV record: %s", why);
			return -EINVAL;
		}
		if (n == 1 && !*trim(f[0]))
			continue; /* blank line */
		if (n != nhdr) {
			ioc_bad(ld, IOC_ERR_BAD_LINE, line,
				"malformed CSV record: %d fields, the header has %d", n, nhdr);
			bad = -EINVAL;
			continue;
		}
		ind = trim(f[col[COL_IND]]);
		type = col[COL_TYPE] >= 0 ? trim(f[col[COL_TYPE]]) : "";
		if (!*ind) {
			ioc_bad(ld, IOC_ERR_BAD_LINE, line, "empty indicator");
			bad = -EINVAL;
			continue;
		}
		err = ioc_parse_indicator(ind, &e, dom, &why, &masked);
		t = err ? -1 : ioc_check_type(type, &e);
		if (err && col[COL_TYPE] >= 0 && ioc_check_type(type, &(struct ioc_entry){}) == 1)
			t = 1; /* a URL or hash does not parse; its type says skip */
		if (t == 1) {
			ioc_skip(ld, IOC_ERR_SKIPPED_TYPE,
				 "line %u: type '%s' is not a network indicator, skipped", line,
				 type);
			continue;
		}
		if (err) {
			ioc_bad(ld, strstr(why, "prefix") ? IOC_ERR_BAD_CIDR : IOC_ERR_BAD_LINE,
				line, "invalid indicator '%.*s%s': %s", IOC_QUOTE(ind), why);
			bad = -EINVAL;
			err = 0;
			continue;
		}
		if (t < 0) {
			ioc_bad(ld, IOC_ERR_BAD_LINE, line,
				"indicator '%.*s%s' reads as %s%s, but its type says '%s'",
				IOC_QUOTE(ind), ioc_entry_type(&e), e.port ? " with a port" : "",
				type);
			bad = -EINVAL;
			continue;
		}
		if (bad)
			continue; /* the file loads nothing: only its other bad lines */
		if (masked)
			pr_info("ioc: %s:%u: '%.*s%s' has host bits set, loaded with them "
				"cleared\n",
				ld->path, line, IOC_QUOTE(ind));
#define META(k, fld)                                                                               \
	if (col[k] >= 0 && !err) {                                                                 \
		char *s = trim(f[col[k]]);                                                         \
		m.fld = ioc_pool_add(ld->set, s, strlen(s), &err);                                 \
	}
		META(COL_FEED, feed);
		META(COL_ACTOR, actor);
		META(COL_CONF, confidence);
		META(COL_FIRST, first_seen);
		META(COL_REF, reference);
		META(COL_COMMENT, comment);
#undef META
		if (!err)
			m.extra = extra_members(ld->set, hdr, f, extra, nhdr, &err);
		if (!err && (m.feed || m.actor || m.confidence || m.first_seen || m.reference ||
			     m.comment || m.extra))
			meta = ioc_meta_add(ld->set, &m, &err);
		if (!err)
			err = ioc_add(ld, &e, dom, meta, line);
		if (err)
			return err;
		added++;
	}
	if (bad)
		ioc_bad_lines_done(ld);
	return bad ? bad : added;
}
