/* SPDX-License-Identifier: GPL-2.0 */
/* ioc_live.h: the feeds of a command line -> one IoC set; the default feed;
 * and hot reload: a new generation replaces the old one atomically, and a
 * reload that fails keeps the old one. */
#ifndef XH_IOC_LIVE_H
#define XH_IOC_LIVE_H

#include <stddef.h>
#include <stdint.h>
#include "ioc_maps.h"

struct ioc_set;
struct hunt_opts;

/* Load every feed of @o (files and folders, in order; each with its action
 * and the size limit), or the default feed when none is given and
 * --no-default-ioc is not. Any feed failing as a whole fails the load.
 * Returns a new set, or NULL (messages printed). */
struct ioc_set *ioc_load_sources(const struct hunt_opts *o);

/* Folder of the default feed: <source tree>/data/ioc when the binary runs
 * from the tree's build directory, else XH_DATADIR/ioc. Returns @buf, or NULL
 * when neither exists. */
const char *ioc_default_dir(char *buf, size_t len);

/* Indicators in @b and not in @a (*added) and the other way (*removed),
 * compared by value (address/prefix/port or domain). */
int ioc_diff(const struct ioc_set *a, const struct ioc_set *b, size_t *added, size_t *removed);

struct ioc_live {
	const struct hunt_opts *opts;
	struct ioc_outer outer;
	struct ioc_set *cur;  /* the generation in the maps */
	struct ioc_set *prev; /* the one before, for events still in flight */
	unsigned int gen;
	const struct ioc_set **publish; /* updated to cur after each reload (event sink) */
	uint64_t reloads, failed;
};

/* Install @set (owned from now on) as generation 0. Returns 0 or -errno. */
int ioc_live_start(struct ioc_live *lv, const struct hunt_opts *o, const struct ioc_outer *outer,
		   struct ioc_set *set);
/* Re-read every feed and install the result as the next generation. The
 * caller must have drained the ring buffer: the generation before the
 * previous one is freed here. On failure the current set stays. Reports
 * added/removed counts on stderr. Returns 0 or -errno. */
int ioc_live_reload(struct ioc_live *lv);
/* int (*)(void *) for event_sink.on_hup. */
int ioc_live_on_hup(void *lv);
void ioc_live_fini(struct ioc_live *lv);

#endif
