// SPDX-License-Identifier: GPL-2.0
/* ioc_parse.c: one indicator's text to an entry: IPv4/IPv6 address or CIDR,
 * address:port, or domain name, with host bits masked and a reason on error. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/types.h>
#include "xh_abi.h"
#include "name.h"
#include "ioc_int.h"

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
