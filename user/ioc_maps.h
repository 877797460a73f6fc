/* SPDX-License-Identifier: GPL-2.0 */
/* ioc_maps.h: an IoC set -> freshly built inner maps (LPM tries, domain and
 * address:port hashes) -> swapped into the outer map-in-map slots at once. */
#ifndef XH_IOC_MAPS_H
#define XH_IOC_MAPS_H

#include <stdint.h>

struct ioc_set;

/* File descriptors of the outer ARRAY_OF_MAPS maps of the loaded object;
 * iocpf (the prefilter, bpf/ioc_pf.h) may be -1: no prefilter. */
struct ioc_outer {
	int ioc4, ioc6, iocdom, iocport, iocpf;
};

/* Build the inner maps for @set with generation @gen in every value (the
 * set's own generation is set to @gen, its predecessor to @prev), then install
 * them: four slot updates, each an atomic pointer swap for the datapath, and
 * the prefilter around them (emptied, a grace period, the tries, the new
 * prefilter: see ioc_maps.c). Nothing is swapped unless all inner maps were
 * built. Returns 0 or -errno (message printed). */
int ioc_maps_install(struct ioc_set *set, const struct ioc_outer *outer, unsigned int gen,
		     const struct ioc_set *prev);

/* The IoC reference stored for @e of a set of generation @gen. */
uint32_t ioc_maps_ref(const struct ioc_set *set, uint32_t id, unsigned int gen);

#endif
