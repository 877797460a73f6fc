/* SPDX-License-Identifier: GPL-2.0 */
/* ioc_prefilter.h: the IoC prefilter (layout and rules: bpf/ioc_pf.h) of a set:
 * built off to the side, swapped into xh_iocpf by user/ioc_maps.c. */
#ifndef XH_IOC_PREFILTER_H
#define XH_IOC_PREFILTER_H

#include <stdint.h>

struct ioc_set;

/* Set the bits of every indicator of @set (plain prefixes, address:port
 * hosts, domains) in @w: XH_PF_ENTRIES words, zeroed by the caller. */
void ioc_prefilter_fill(const struct ioc_set *set, uint64_t *w);

/* A new prefilter map for @set, filled (an mmapable ARRAY matching
 * struct xh_iocpf_inner) and given a new tag (XH_PF_TAG: the flows' cached
 * IoC verdicts of an older prefilter no longer count): its fd, or -errno
 * (message printed). Install it only with the tries it was made for. */
int ioc_prefilter_create(const struct ioc_set *set);

/* Return once every XDP program run (and every BPF_PROG_TEST_RUN) that was
 * in progress at the call has finished: an RCU grace period, by
 * membarrier(MEMBARRIER_CMD_GLOBAL), which the kernel implements with
 * synchronize_rcu(). 0, or -errno when the kernel cannot (nohz_full). */
int ioc_prefilter_sync(void);

#endif
