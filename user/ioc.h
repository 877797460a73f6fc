/* SPDX-License-Identifier: GPL-2.0 */
/* ioc.h: IoC feeds: parsing (file:line errors, all-or-nothing per file),
 * the id -> metadata table, and loading prefixes into the LPM maps. */
#ifndef XH_IOC_H
#define XH_IOC_H

#include <stddef.h>
#include <stdint.h>

struct ioc_entry {
	uint32_t id;	   /* 1.., the value stored in xh_ioc4/xh_ioc6 */
	uint8_t family;	   /* XH_AF_INET or XH_AF_INET6 */
	uint8_t prefixlen; /* 0..32 or 0..128 */
	uint8_t addr[16];  /* network order, host bits cleared */
	char *indicator;   /* normalised text: "192.0.2.7" or "198.51.100.0/24" */
	char *file;	   /* feed file it came from (owned by the set) */
	unsigned int line; /* line in that file */
};

struct ioc_set;

struct ioc_set *ioc_set__new(void);	 /* NULL + errno on failure */
void ioc_set__free(struct ioc_set *set); /* accepts NULL */

/* Parse a plain-list feed at @path: one IPv4/IPv6 address or CIDR per line,
 * '#' starts a comment, blank lines ignored. All or nothing: on any bad line
 * prints "ioc: FILE:LINE: reason" and returns -EINVAL (or -errno for I/O,
 * -E2BIG past XH_IOC4_MAX/XH_IOC6_MAX), leaving @set as it was. A CIDR with
 * host bits set is accepted with its host bits cleared (said at pr_info). Ids
 * continue across files. A duplicate prefix is kept as its own entry; the LPM
 * map then holds the last one's id. Returns the number of indicators added (>= 0). */
int ioc_set_load_file(struct ioc_set *set, const char *path);

/* Parse one indicator (address or CIDR) into @e's family/prefixlen/addr and
 * allocate its normalised text (caller frees e->indicator; e->file is NULL).
 * Returns 0, -EINVAL or -ENOMEM. */
int ioc_parse_indicator(const char *text, struct ioc_entry *e);

size_t ioc_set_count(const struct ioc_set *set);
/* The entry with id @id, or NULL. */
const struct ioc_entry *ioc_set_get(const struct ioc_set *set, uint32_t id);
/* The @i-th entry (0-based, in load order). */
const struct ioc_entry *ioc_set_at(const struct ioc_set *set, size_t i);

/* Put every entry into the LPM maps (fd4: struct xh_lpm4_key, fd6: struct
 * xh_lpm6_key; value __u32 id). Returns 0 or -errno of the first failure. */
int ioc_set_to_maps(const struct ioc_set *set, int fd4, int fd6);

#endif
