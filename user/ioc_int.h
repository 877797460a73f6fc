/* SPDX-License-Identifier: GPL-2.0 */
/* ioc_int.h: internals shared by the indicator set and the feed readers
 * (ioc.c, ioc_parse.c, ioc_file.c, ioc_csv.c, ioc_stix.c); not for other modules. */
#ifndef XH_IOC_INT_H
#define XH_IOC_INT_H

#include <stdarg.h>
#include "ioc.h"

struct ioc_set {
	struct ioc_entry *v; /* v[i].id == i + 1 */
	size_t n, cap;
	struct ioc_meta *meta; /* meta[0] is "none" */
	size_t nmeta, capmeta;
	char *pool; /* pool[0] == '\0': offset 0 is "none" */
	size_t pool_len, pool_cap;
	char **files;
	size_t nfiles;
	size_t n4, n6, ndom, nport;
	uint64_t errs[IOC_ERR__MAX];
	unsigned int gen;
	const struct ioc_set *prev;
	/* ioc_set_settle() (ioc_overlap.c): a bit per entry stored under
	 * another entry's key, and per entry the id of the block entry that
	 * covers it (NULL without both block and alert entries). */
	uint64_t *dup;
	uint32_t *blocked_by;
	/* And the entries a hit names besides the stored one ("also_in"):
	 * of each key's other entries, the first of each feed that neither
	 * the stored entry nor an earlier one names, as entry indices, in
	 * key order, then load order (NULL when no key repeats). */
	uint32_t *also;
	size_t nalso;
};

/* One file being read. */
struct ioc_load {
	struct ioc_set *set;
	const char *path;
	uint16_t feed_no;
	uint8_t action;
	unsigned int msgs;	/* per-item messages printed so far */
	unsigned int bad_lines; /* bad lines found (the first IOC_BAD_LINES_SAID said) */
};

/* A file with bad lines loads nothing, but its reader goes on to the end so
 * that one run names them all, up to this many: fixing a feed at 3 a.m.
 * one line a run is no way to spend the night. */
#define IOC_BAD_LINES_SAID 10

/* After a reader found bad lines: say how many were not shown. */
void ioc_bad_lines_done(struct ioc_load *ld);

/* Add @s (@len bytes) to the pool: its offset, or 0 with -ENOMEM in *err
 * (an empty string is also 0: "none"). */
uint32_t ioc_pool_add(struct ioc_set *set, const char *s, size_t len, int *err);
/* Append a metadata row: its index, or 0 with *err set. */
uint32_t ioc_meta_add(struct ioc_set *set, const struct ioc_meta *m, int *err);
/* Append @e (parsed by ioc_parse_indicator(); @dom its domain text) with
 * metadata row @meta. Returns 0 or -ENOMEM / -E2BIG. */
int ioc_add(struct ioc_load *ld, struct ioc_entry *e, const char *dom, uint32_t meta,
	    unsigned int line);
/* An indicator quoted in a message, "'%.*s%s'": at most IOC_QUOTE_MAX bytes
 * of it and "..." when cut, so that a long line still shows why it failed. */
#define IOC_QUOTE_MAX 120
#define IOC_QUOTE(s)                                                                               \
	(int)(strlen(s) > IOC_QUOTE_MAX ? IOC_QUOTE_MAX : strlen(s)), (s),                         \
		(strlen(s) > IOC_QUOTE_MAX ? "..." : "")

/* "ioc: FILE:LINE: ..." warning, counted under @err. */
void ioc_bad(struct ioc_load *ld, enum ioc_err err, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A skipped item: counted, said for the first IOC_MAX_MSGS of a file. */
void ioc_skip(struct ioc_load *ld, enum ioc_err err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Readers over the whole file (NUL-terminated, @len bytes). Each returns the
 * number of indicators added or a negative errno after its message. */
int ioc_read_plain(struct ioc_load *ld, char *buf, size_t len);
int ioc_read_csv(struct ioc_load *ld, char *buf, size_t len);
int ioc_read_stix(struct ioc_load *ld, const char *buf, size_t len);

/* Map a CSV/STIX type name to what ioc_parse_indicator() must give: 0 when
 * it agrees with @e, 1 when the type is not a network indicator (skip), -1
 * when it is unknown or disagrees. */
int ioc_check_type(const char *type, const struct ioc_entry *e);

#endif
