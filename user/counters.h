/* SPDX-License-Identifier: GPL-2.0 */
/* counters.h: names of the kernel counters, and summing the per-CPU values. */
#ifndef XH_COUNTERS_H
#define XH_COUNTERS_H

#include <linux/types.h>
#include "xh_abi.h"

/* Stable snake_case names ("packets", "events_lost", ...); NULL when unknown. */
const char *counter_name(unsigned int cnt); /* enum xh_counter */
const char *perr_name(unsigned int perr);   /* enum xh_perr */
const char *class_name(unsigned int cls);   /* enum xh_class: "smb", "rpc", "ioc" */
/* enum xh_service: "none", "smb", "rpc", "rpc_dynamic" */
const char *service_name(unsigned int svc);

/* Sum the per-CPU values of the xh_counters map @map_fd into @sum.
 * Returns 0 or -errno. */
int counters_read(int map_fd, struct xh_stats *sum);

#endif
