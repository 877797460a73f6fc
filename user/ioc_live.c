// SPDX-License-Identifier: GPL-2.0
/* ioc_live.c: loading the feeds of a command line (or the default feed),
 * generations of IoC sets, and hot reload with an added/removed report. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/types.h>
#include "xh_abi.h"
#include "cli.h"
#include "ioc.h"
#include "ioc_live.h"
#include "log.h"

#ifndef XH_DATADIR
#define XH_DATADIR "/usr/local/share/xdphunt"
#endif

static int is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

const char *ioc_default_dir(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			/* <tree>/build/xdphunt -> <tree>/data/ioc */
			if ((size_t)snprintf(buf, len, "%s/../data/ioc", exe) < len && is_dir(buf))
				return buf;
		}
	}
	if ((size_t)snprintf(buf, len, "%s/ioc", XH_DATADIR) < len && is_dir(buf))
		return buf;
	return NULL;
}

struct ioc_set *ioc_load_sources(const struct hunt_opts *o)
{
	struct ioc_set *set = ioc_set__new();
	struct timespec t0, t1;
	char dbuf[PATH_MAX];
	size_t n4, n6, nd, np;
	int err = 0;

	if (!set) {
		pr_warn("ioc: out of memory\n");
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < o->n_ioc_files && !err; i++) {
		struct ioc_file_opts fo = {
			.max_bytes = o->ioc_max_bytes,
			.action = (o->ioc_flags[i] & CLI_IOC_BLOCK) ? IOC_ACTION_BLOCK
								    : IOC_ACTION_ALERT,
		};
		int n = (o->ioc_flags[i] & CLI_IOC_DIR)
				? ioc_set_load_dir(set, o->ioc_files[i], &fo)
				: ioc_set_load_file_opts(set, o->ioc_files[i], &fo);

		if (n < 0) {
			pr_warn("ioc: feed %s not loaded\n", o->ioc_files[i]);
			err = n;
		}
	}
	if (!o->n_ioc_files && !o->no_default_ioc) {
		const char *dir = ioc_default_dir(dbuf, sizeof(dbuf));
		struct ioc_file_opts fo = {.max_bytes = o->ioc_max_bytes};

		if (!dir) {
			pr_warn("ioc: default feed not found (%s/ioc); running without IoC "
				"(give --ioc, or --no-default-ioc)\n",
				XH_DATADIR);
		} else {
			err = ioc_set_load_dir(set, dir, &fo);
			if (err < 0)
				pr_warn("ioc: default feed %s not loaded\n", dir);
			else
				pr_info("ioc: default feed %s\n", dir);
		}
	}
	if (err < 0) {
		ioc_set__free(set);
		return NULL;
	}
	/* Only folders with no feed file (emptied to take their feeds out):
	 * an empty set, not the default feed, which the options replace. */
	if (o->n_ioc_files && !ioc_set_count(set))
		pr_warn("ioc: no indicator in the feeds given: no IoC hit and nothing blocked "
			"until a reload finds some\n");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ioc_set_counts(set, &n4, &n6, &nd, &np);
	pr_info("ioc: %zu indicators (%zu IPv4, %zu IPv6, %zu domains, %zu address:port) parsed "
		"in %.3f s\n",
		ioc_set_count(set), n4, n6, nd, np,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return set;
}

/* A comparable value of an indicator. */
struct ioc_key {
	uint64_t hash;
	uint8_t addr[16];
	uint16_t port;
	uint8_t kind, family, plen, pad[3];
};

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct ioc_key));
}

static struct ioc_key *keys_of(const struct ioc_set *s, size_t *n)
{
	struct ioc_key *k;

	*n = s ? ioc_set_count(s) : 0;
	k = calloc(*n ? *n : 1, sizeof(*k));
	if (!k)
		return NULL;
	for (size_t i = 0; i < *n; i++) {
		const struct ioc_entry *e = ioc_set_at(s, i);

		k[i].kind = e->kind;
		k[i].hash = e->kind == IOC_KIND_DOMAIN ? e->hash : 0;
		if (e->kind == IOC_KIND_NET) {
			memcpy(k[i].addr, e->addr, 16);
			k[i].port = e->port;
			k[i].family = e->family;
			k[i].plen = e->prefixlen;
		}
	}
	qsort(k, *n, sizeof(*k), key_cmp);
	return k;
}

int ioc_diff(const struct ioc_set *a, const struct ioc_set *b, size_t *added, size_t *removed)
{
	size_t na, nb, i = 0, j = 0;
	struct ioc_key *ka = keys_of(a, &na), *kb = keys_of(b, &nb);

	*added = *removed = 0;
	if (!ka || !kb) {
		free(ka);
		free(kb);
		return -ENOMEM;
	}
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : key_cmp(&ka[i], &kb[j]);

		if (c < 0)
			(*removed)++;
		if (c > 0)
			(*added)++;
		/* skip duplicates of the value on each side */
		if (c <= 0) {
			struct ioc_key cur = ka[i];

			while (i < na && !key_cmp(&ka[i], &cur))
				i++;
		}
		if (c >= 0) {
			struct ioc_key cur = kb[j];

			while (j < nb && !key_cmp(&kb[j], &cur))
				j++;
		}
	}
	free(ka);
	free(kb);
	return 0;
}

int ioc_live_start(struct ioc_live *lv, const struct hunt_opts *o, const struct ioc_outer *outer,
		   struct ioc_set *set)
{
	int err;

	memset(lv, 0, sizeof(*lv));
	lv->opts = o;
	lv->outer = *outer;
	err = ioc_maps_install(set, outer, 0, NULL);
	if (err) {
		ioc_set__free(set);
		return err;
	}
	lv->cur = set;
	return 0;
}

int ioc_live_reload(struct ioc_live *lv)
{
	unsigned int gen = (lv->gen + 1) & XH_IOC_GEN_MASK;
	struct timespec t0, t1;
	struct ioc_set *set;
	size_t added = 0, removed = 0;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	set = ioc_load_sources(lv->opts);
	if (!set) {
		lv->failed++;
		pr_warn("reload: failed; generation %u (%zu indicators) stays\n", lv->gen,
			ioc_set_count(lv->cur));
		return -EINVAL;
	}
	/* The generation before the previous one: no event can refer to it
	 * any more (the caller drained the ring buffer, and packets that
	 * looked at its maps finished when the previous reload swapped them
	 * out). Freed before the swap so the new set may reuse its number. */
	if (lv->prev) {
		ioc_set_set_gen(lv->cur, lv->gen, NULL);
		ioc_set__free(lv->prev);
		lv->prev = NULL;
	}
	err = ioc_maps_install(set, &lv->outer, gen, lv->cur);
	if (err) {
		lv->failed++;
		ioc_set__free(set);
		pr_warn("reload: failed; generation %u (%zu indicators) stays\n", lv->gen,
			ioc_set_count(lv->cur));
		return err;
	}
	ioc_diff(lv->cur, set, &added, &removed);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	lv->prev = lv->cur;
	lv->cur = set;
	lv->gen = gen;
	lv->reloads++;
	if (lv->publish)
		*lv->publish = set;
	pr_warn("reload: generation %u: %zu indicators, %zu added, %zu removed (%.3f s)\n", gen,
		ioc_set_count(set), added, removed,
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}

int ioc_live_on_hup(void *lv)
{
	ioc_live_reload(lv);
	return 0; /* a failed reload keeps running on the old set */
}

void ioc_live_fini(struct ioc_live *lv)
{
	ioc_set__free(lv->cur);
	ioc_set__free(lv->prev);
	lv->cur = lv->prev = NULL;
}
