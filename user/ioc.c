// SPDX-License-Identifier: GPL-2.0
/* ioc.c: the indicator set: entries, metadata, string pool, generations,
 * and what the feed readers share (ioc_add(), the per-item messages).
 * Parsing an indicator is in ioc_parse.c, reading files in ioc_file.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "xh_abi.h"
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
	free(set->dup);
	free(set->blocked_by);
	free(set->also);
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
	if (line && ld->bad_lines++ >= IOC_BAD_LINES_SAID)
		return;
	if (line)
		pr_warn("ioc: %s:%u: %s\n", ld->path, line, msg);
	else
		pr_warn("ioc: %s: %s\n", ld->path, msg);
}

void ioc_bad_lines_done(struct ioc_load *ld)
{
	if (ld->bad_lines > IOC_BAD_LINES_SAID)
		pr_warn("ioc: %s: %u more bad lines not shown\n", ld->path,
			ld->bad_lines - IOC_BAD_LINES_SAID);
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

const char *ioc_entry_feed(const struct ioc_set *set, const struct ioc_entry *e)
{
	const struct ioc_meta *m = ioc_set_meta(set, e);
	const char *feed = m ? ioc_str(set, m->feed) : NULL;

	if (!feed)
		feed = ioc_set_file(set, e->feed_no);
	return feed ? feed : "";
}

const char *ioc_entry_where(const struct ioc_set *set, const struct ioc_entry *e, char *buf,
			    size_t len)
{
	const char *file = ioc_set_file(set, e->feed_no);

	if (e->line & IOC_LINE_STIX)
		snprintf(buf, len, "%s: $.objects[%u]", file ? file : "?",
			 e->line & ~IOC_LINE_STIX);
	else
		snprintf(buf, len, "%s:%u", file ? file : "?", e->line);
	return buf;
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
