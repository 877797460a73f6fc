// SPDX-License-Identifier: GPL-2.0
/* ioc.c: plain-list IoC feeds (one address or CIDR per line) -> an id-indexed
 * table of indicators -> the xh_ioc4/xh_ioc6 LPM tries. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include "xh_abi.h"
#include "ioc.h"
#include "log.h"

struct ioc_set {
	struct ioc_entry *v; /* v[i].id == i + 1 */
	size_t n;
	size_t cap;
	size_t n4, n6;
	char **files; /* feed paths; ioc_entry.file points into these */
	size_t nfiles;
};

struct ioc_set *ioc_set__new(void)
{
	return calloc(1, sizeof(struct ioc_set));
}

static void ioc_entry_fini(struct ioc_entry *e)
{
	free(e->indicator);
	e->indicator = NULL;
}

void ioc_set__free(struct ioc_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		ioc_entry_fini(&set->v[i]);
	for (size_t i = 0; i < set->nfiles; i++)
		free(set->files[i]);
	free(set->files);
	free(set->v);
	free(set);
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

/* ioc_parse_indicator() with the reason for a rejection in *why and whether
 * host bits were cleared in *masked. */
static int parse_indicator(const char *text, struct ioc_entry *e, const char **why, int *masked)
{
	char addr[INET6_ADDRSTRLEN + 8], out[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	unsigned int plen, max;
	int af;

	memset(e, 0, sizeof(*e));
	*masked = 0;
	if (alen == 0) {
		*why = "no address";
		return -EINVAL;
	}
	if (alen >= sizeof(addr)) {
		*why = "not an IPv4 or IPv6 address";
		return -EINVAL;
	}
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	af = strchr(addr, ':') ? AF_INET6 : AF_INET;
	/* inet_pton: dotted quad only (no octal, hex or short forms), no zone ids */
	if (inet_pton(af, addr, e->addr) != 1) {
		*why = af == AF_INET6 ? "not an IPv6 address" : "not an IPv4 address";
		return -EINVAL;
	}
	max = af == AF_INET6 ? 128 : 32;
	plen = max;
	if (slash) {
		const char *p = slash + 1;

		if (!*p) {
			*why = "missing prefix length after '/'";
			return -EINVAL;
		}
		plen = 0;
		for (; *p; p++) {
			if (!isdigit((unsigned char)*p)) {
				*why = "prefix length is not a decimal number";
				return -EINVAL;
			}
			plen = plen * 10 + (*p - '0');
			if (plen > max) {
				*why = af == AF_INET6 ? "prefix length exceeds 128"
						      : "prefix length exceeds 32";
				return -EINVAL;
			}
		}
	}
	e->family = af == AF_INET6 ? XH_AF_INET6 : XH_AF_INET;
	e->prefixlen = plen;
	*masked = mask_host_bits(e->addr, af == AF_INET6 ? 16 : 4, plen);

	if (!inet_ntop(af, e->addr, out, INET6_ADDRSTRLEN)) {
		*why = "cannot format address";
		return -EINVAL;
	}
	if (plen != max)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "/%u", plen);
	e->indicator = strdup(out);
	if (!e->indicator) {
		*why = "out of memory";
		return -ENOMEM;
	}
	return 0;
}

int ioc_parse_indicator(const char *text, struct ioc_entry *e)
{
	const char *why;
	int masked;

	return parse_indicator(text, e, &why, &masked);
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

static void free_entries(struct ioc_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ioc_entry_fini(&v[i]);
	free(v);
}

int ioc_set_load_file(struct ioc_set *set, const char *path)
{
	struct ioc_entry *nv = NULL, *tmp, e;
	size_t nn = 0, ncap = 0, n4 = 0, n6 = 0, linecap = 0;
	char *line = NULL, *text, *file = NULL, **files;
	unsigned int lineno = 0;
	const char *why;
	int err = 0, masked;
	ssize_t len;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		pr_warn("ioc: %s: cannot open feed: %s\n", path, strerror(-err));
		return err;
	}
	errno = 0;
	while ((len = getline(&line, &linecap, f)) >= 0) {
		lineno++;
		text = line;
		if (lineno == 1 && strncmp(text, "\xef\xbb\xbf", 3) == 0)
			text += 3; /* UTF-8 byte order mark */
		if (strlen(line) != (size_t)len) {
			pr_warn("ioc: %s:%u: invalid indicator '%s': line contains a NUL byte\n",
				path, lineno, clean_line(text));
			err = -EINVAL;
			goto out;
		}
		text = clean_line(text);
		if (!*text)
			continue;
		err = parse_indicator(text, &e, &why, &masked);
		if (err) {
			pr_warn("ioc: %s:%u: invalid indicator '%s': %s\n", path, lineno, text,
				why);
			goto out;
		}
		if (masked)
			pr_info("ioc: %s:%u: '%s' has host bits set, loaded as %s\n", path, lineno,
				text, e.indicator);
		if (nn == ncap) {
			ncap = ncap ? ncap * 2 : 64;
			tmp = realloc(nv, ncap * sizeof(*nv));
			if (!tmp) {
				ioc_entry_fini(&e);
				err = -ENOMEM;
				goto out;
			}
			nv = tmp;
		}
		e.line = lineno;
		nv[nn++] = e;
		if (e.family == XH_AF_INET)
			n4++;
		else
			n6++;
	}
	if (ferror(f)) {
		err = errno ? -errno : -EIO;
		pr_warn("ioc: %s: cannot read feed: %s\n", path, strerror(-err));
		goto out;
	}
	if (set->n4 + n4 > XH_IOC4_MAX || set->n6 + n6 > XH_IOC6_MAX) {
		pr_warn("ioc: %s: too many indicators: %zu IPv4 (max %u), %zu IPv6 (max %u)\n",
			path, set->n4 + n4, XH_IOC4_MAX, set->n6 + n6, XH_IOC6_MAX);
		err = -E2BIG;
		goto out;
	}
	if (!nn) {
		pr_info("ioc: %s: no indicators (empty or only comments)\n", path);
		goto out;
	}

	/* Commit: allocate everything first; nothing below the allocations can fail. */
	files = realloc(set->files, (set->nfiles + 1) * sizeof(*files));
	if (files)
		set->files = files;
	file = strdup(path);
	if (!file || !files) {
		err = -ENOMEM;
		goto out;
	}
	if (set->n + nn > set->cap) {
		size_t cap = set->cap ? set->cap : 64;

		while (cap < set->n + nn)
			cap *= 2;
		tmp = realloc(set->v, cap * sizeof(*tmp));
		if (!tmp) {
			err = -ENOMEM;
			goto out;
		}
		set->v = tmp;
		set->cap = cap;
	}
	set->files[set->nfiles++] = file;
	for (size_t i = 0; i < nn; i++) {
		nv[i].id = set->n + 1;
		nv[i].file = file;
		set->v[set->n++] = nv[i];
	}
	file = NULL;
	set->n4 += n4;
	set->n6 += n6;
	pr_info("ioc: %s: %zu indicators (%zu IPv4, %zu IPv6)\n", path, nn, n4, n6);
	free(nv);
	nv = NULL;
	nn = 0;
	err = n4 + n6;
out:
	free(file);
	free_entries(nv, nn);
	free(line);
	fclose(f);
	return err;
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

int ioc_set_to_maps(const struct ioc_set *set, int fd4, int fd6)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct ioc_entry *e = &set->v[i];
		__u32 id = e->id;
		int err;

		if (e->family == XH_AF_INET) {
			struct xh_lpm4_key k4 = {.prefixlen = e->prefixlen};

			memcpy(&k4.addr, e->addr, 4);
			err = bpf_map_update_elem(fd4, &k4, &id, BPF_ANY);
		} else {
			struct xh_lpm6_key k6 = {.prefixlen = e->prefixlen};

			memcpy(k6.addr, e->addr, 16);
			err = bpf_map_update_elem(fd6, &k6, &id, BPF_ANY);
		}
		if (err) {
			err = err < 0 ? err : -errno;
			pr_warn("ioc: %s:%u: cannot add '%s' to %s: %s\n", e->file, e->line,
				e->indicator, e->family == XH_AF_INET ? "xh_ioc4" : "xh_ioc6",
				strerror(-err));
			return err;
		}
	}
	return 0;
}
