/* SPDX-License-Identifier: GPL-2.0 */
/* ioc_event.h: the "ioc" object (and "dns" / "tls") of ioc.* hits, and the
 * names of the kernel's IoC counters. */
#ifndef XH_IOC_EVENT_H
#define XH_IOC_EVENT_H

#include <stdint.h>
#include <linux/types.h>
#include "xh_abi.h"
#include "jsonl.h"

struct ioc_set;

/* Reasons a hit is not written, counted by the caller. */
struct ioc_event_stats {
	uint64_t stale;	     /* reference of a generation no longer kept, or unknown id */
	uint64_t collisions; /* name hash matched, the real name does not */
};

/* The hit of an indicator that several feeds list names this many of the
 * other feeds in "also_in", and counts the rest in "also_in_more". */
#define IOC_ALSO_IN_MAX 8

/* Append the ioc.* part of hit @e to @b: "ioc": {indicator, type, matched,
 * port, feed, actor, confidence, first_seen, reference, comment, extra, feed_action,
 * blocked_by, also_in, also_in_more, attack},
 * and "dns": {query, qtype} or "tls": {sni}. @set is the current set (its
 * predecessor is consulted for references of the previous generation).
 * Returns 0, -ESTALE or -EBADMSG (hash collision: the name is not below the
 * indicator), each counted in @st; nothing must then be written. */
int ioc_event_format(const struct ioc_set *set, const struct xh_event *e, struct jbuf *b,
		     struct ioc_event_stats *st);

/* Is @name (@n bytes) @dom or a name below it, ignoring ASCII case? */
int ioc_name_covers(const char *name, size_t n, const char *dom);

/* Stable name of an enum xh_ioc_cnt (for `stats`), NULL when unknown. */
const char *ioc_counter_name(unsigned int c);

#endif
