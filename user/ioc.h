/* SPDX-License-Identifier: GPL-2.0 */
/* ioc.h: IoC feeds (plain list, CSV with metadata, STIX 2.1 bundles; format
 * detected from content) -> a set of indicators with their metadata, indexed
 * by id. Maps: ioc_maps.h; reload: ioc_live.h; JSON: ioc_event.h. */
#ifndef XH_IOC_H
#define XH_IOC_H

#include <stddef.h>
#include <stdint.h>

enum ioc_kind {
	IOC_KIND_NET = 0,    /* address or CIDR, optionally with a port */
	IOC_KIND_DOMAIN = 1, /* a domain and every name below it */
};

enum ioc_action {
	IOC_ACTION_ALERT = 0, /* report (default) */
	IOC_ACTION_BLOCK = 1, /* report and XDP_DROP */
};

enum ioc_format {
	IOC_FMT_PLAIN = 0,
	IOC_FMT_CSV = 1,
	IOC_FMT_STIX = 2,
};

/* Why a line, object or file was rejected or skipped: counted per set. */
enum ioc_err {
	IOC_ERR_BAD_LINE = 0, /* malformed indicator, CSV record or type mismatch */
	IOC_ERR_BAD_CIDR,     /* bad prefix length */
	IOC_ERR_STIX_SKIPPED, /* STIX pattern or object that cannot be used (skipped) */
	IOC_ERR_SKIPPED_TYPE, /* CSV row of a non-network type (hash, url...; skipped) */
	IOC_ERR_JSON,	      /* invalid or truncated JSON, or not a STIX bundle */
	IOC_ERR_EMPTY,	      /* no usable indicator in a feed */
	IOC_ERR_OVERSIZE,     /* file over the size limit */
	IOC_ERR_IO,	      /* cannot open or read */
	IOC_ERR_LIMIT,	      /* too many indicators for the maps */
	IOC_ERR__MAX,
};

/* One indicator. Strings are offsets into the set's string pool (0 = none;
 * read them with ioc_str()), so a million entries stay compact. */
struct ioc_entry {
	uint8_t addr[16];  /* NET: network order, host bits cleared */
	uint8_t family;	   /* NET: XH_AF_INET or XH_AF_INET6; 0 for a domain */
	uint8_t prefixlen; /* NET: 0..32 or 0..128 */
	uint8_t kind;	   /* enum ioc_kind */
	uint8_t action;	   /* enum ioc_action, from the feed */
	uint16_t port;	   /* NET: host order, 0 = any port */
	uint16_t feed_no;  /* index of the feed file (ioc_set_file()) */
	uint32_t line;	   /* line in the file, or IOC_LINE_STIX | index in "objects" */
	uint32_t domain;   /* DOMAIN: the name, lower case, no trailing dot */
	uint32_t meta;	   /* index of the metadata row, 0 = none */
	uint32_t id;	   /* 1.., index + 1 in the set */
	uint64_t hash;	   /* DOMAIN: bpf/name.h hash of the whole name */
};

/* ioc_entry.line of a STIX indicator: its object's index, marked (jansson
 * keeps no line numbers); ioc_entry_where() writes "$.objects[N]". */
#define IOC_LINE_STIX 0x80000000u

/* Metadata a feed gives for an indicator (string pool offsets, 0 = none). */
struct ioc_meta {
	uint32_t feed, actor, confidence, first_seen, reference, comment;
	/* A CSV feed's other columns, as JSON members already encoded
	 * ("source":"x","description":"y"), written in the hit's ioc.extra. */
	uint32_t extra;
};

/* How to read a feed file. */
struct ioc_file_opts {
	uint64_t max_bytes; /* 0 = IOC_MAX_BYTES_DEFAULT */
	uint8_t action;	    /* enum ioc_action for every indicator of the file */
};

#define IOC_MAX_BYTES_DEFAULT (512ULL << 20)
#define IOC_MAX_MSGS	      10 /* per-line messages per file before a summary */

struct ioc_set;

struct ioc_set *ioc_set__new(void);	 /* NULL + errno on failure */
void ioc_set__free(struct ioc_set *set); /* accepts NULL */

/* Read the feed at @path (format from content: '{' first = STIX bundle, a
 * first line starting "indicator," = CSV with header, else plain list) and
 * add its indicators. A bad line fails the whole file with "ioc: FILE:LINE:
 * ..." (-EINVAL); so do an empty file or one without a usable indicator
 * (-ENODATA), a file over the size limit (-EFBIG), invalid or truncated JSON
 * (-EINVAL, "FILE:LINE:COL"), I/O (-errno), too many indicators (-E2BIG). On
 * failure @set is left as it was. STIX patterns that cannot be used are
 * skipped and counted with their JSON path. Returns the number added (> 0). */
int ioc_set_load_file_opts(struct ioc_set *set, const char *path, const struct ioc_file_opts *o);
/* ioc_set_load_file_opts() with the defaults (alert, default size limit). */
int ioc_set_load_file(struct ioc_set *set, const char *path);
/* Every feed file in @dir (names ending .txt .list .csv .json .stix, not
 * starting with '.', in name order); others are ignored (said at -v). Stops at
 * the first failing file (@set keeps the files before it). A folder with no
 * feed file adds nothing, with a warning, and is not an error (an emptied
 * block folder stops blocking at the next reload). Returns the number added
 * (>= 0), or -errno when the folder cannot be read or a feed file fails. */
int ioc_set_load_dir(struct ioc_set *set, const char *dir, const struct ioc_file_opts *o);

/* Parse one indicator: address, CIDR, address:port ("192.0.2.1:443",
 * "[2001:db8::1]:443") or domain name. Fills @e (kind, family, prefixlen,
 * addr, port; a domain's text goes to @dom, lower case, at most 254 bytes with
 * NUL, and its hash to e->hash). Returns 0 or -EINVAL with *why set. A CIDR
 * with host bits set is accepted with them cleared (*masked = 1). */
int ioc_parse_indicator(const char *text, struct ioc_entry *e, char dom[256], const char **why,
			int *masked);

size_t ioc_set_count(const struct ioc_set *set);
/* The entry with id @id (1..count), or NULL. */
const struct ioc_entry *ioc_set_get(const struct ioc_set *set, uint32_t id);
/* The @i-th entry (0-based, in load order), or NULL. */
const struct ioc_entry *ioc_set_at(const struct ioc_set *set, size_t i);
/* Pooled string at @off, NULL for 0. */
const char *ioc_str(const struct ioc_set *set, uint32_t off);
/* Metadata of @e, NULL when the feed gave none. */
const struct ioc_meta *ioc_set_meta(const struct ioc_set *set, const struct ioc_entry *e);
/* Path of feed file @feed_no. */
const char *ioc_set_file(const struct ioc_set *set, unsigned int feed_no);
/* The feed @e is from, as hits name it: its metadata's feed, else the path
 * of its file ("" for an entry of no file; never NULL). */
const char *ioc_entry_feed(const struct ioc_set *set, const struct ioc_entry *e);
/* Where @e was read, for messages: "FILE:LINE", or "FILE: $.objects[N]"
 * for a STIX indicator; in @buf. */
const char *ioc_entry_where(const struct ioc_set *set, const struct ioc_entry *e, char *buf,
			    size_t len);
/* Normalised text: "192.0.2.7", "198.51.100.0/24", "192.0.2.1:443",
 * "[2001:db8::1]:443", "evil.example", cut to @len bytes with its NUL.
 * Returns @buf. */
const char *ioc_entry_text(const struct ioc_set *set, const struct ioc_entry *e, char *buf,
			   size_t len);
#define IOC_TEXT_MAX 256 /* the longest normalised text (a domain), with its NUL */
/* The same, whole, into @buf; returns its length. */
size_t ioc_entry_text_n(const struct ioc_set *set, const struct ioc_entry *e,
			char buf[IOC_TEXT_MAX]);
/* "ipv4", "ipv4-cidr", "ipv6", "ipv6-cidr", "domain" (the CSV type names). */
const char *ioc_entry_type(const struct ioc_entry *e);
/* Counts of the set: by family/kind, and errors by enum ioc_err. */
void ioc_set_counts(const struct ioc_set *set, size_t *n4, size_t *n6, size_t *ndom, size_t *nport);
uint64_t ioc_set_errors(const struct ioc_set *set, enum ioc_err err);
const char *ioc_err_name(enum ioc_err err);

/* Settle indicators of several feeds that name the same traffic (ioc_overlap.c),
 * once the set is complete and before its maps are filled: of entries with the
 * same key (prefix, address:port or domain) only the first loaded is stored
 * (the other feeds among them: ioc_set_also()), and an alert entry that a block entry covers (the
 * same key, a shorter prefix holding its address, a parent domain) is stored with the block flag,
 * so that block wins whatever the feeds' order and prefix lengths. Returns 0 or -ENOMEM. Adding
 * entries afterwards needs another call. */
int ioc_set_settle(struct ioc_set *set);
/* 0 when @e has the key of an entry loaded before it (not stored), else 1. */
int ioc_set_stored(const struct ioc_set *set, const struct ioc_entry *e);
/* The other feeds listing the key of the stored entry @e: of the entries
 * loaded after it with its key, the first of each feed (ioc_entry_feed())
 * that @e's feed is not, in load order, as *n indices for ioc_set_at().
 * NULL with *n = 0 when there is none (or before ioc_set_settle()). Costs
 * a binary search over the repeated entries of the set. */
const uint32_t *ioc_set_also(const struct ioc_set *set, const struct ioc_entry *e, size_t *n);
/* The block entry covering the alert entry @e (most specific first), NULL
 * when none does or @e is itself a block entry. */
const struct ioc_entry *ioc_set_blocked_by(const struct ioc_set *set, const struct ioc_entry *e);

/* Generations (hot reload): the set knows the generation its map values
 * carry and the set it replaced, kept until events in flight are drained. */
void ioc_set_set_gen(struct ioc_set *set, unsigned int gen, const struct ioc_set *prev);
unsigned int ioc_set_gen(const struct ioc_set *set);
/* The entry an IoC reference (xh_event.ioc_id) names, in @set or in the
 * generation it replaced; NULL when the reference's generation is neither
 * or its id is unknown. *owner gets the set it was found in. */
const struct ioc_entry *ioc_set_resolve(const struct ioc_set *set, uint32_t ref,
					const struct ioc_set **owner);

#endif
