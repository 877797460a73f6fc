/* SPDX-License-Identifier: GPL-2.0 */
/* sweep.h: the "scan" JSON object of a scan.smb_sweep or scan.port_scan hit
 * and the "brute_force" object of an smb.brute_force hit. */
#ifndef XH_SWEEP_H
#define XH_SWEEP_H

#include <linux/types.h>
#include "xh_abi.h"
#include "jsonl.h"

/* Append "scan":{"service":"smb","distinct_destinations":N,"threshold":T,
 * "window_s":W} for an event of detail kind XH_DETAIL_SWEEP to @b; for
 * scan.port_scan "scan":{"service":"tcp","distinct_ports":N,...}; for
 * smb.brute_force "brute_force":{..., "accounts":A} (@accounts, left out
 * when 0). */
void sweep_format_json(const struct xh_event *e, unsigned int accounts, struct jbuf *b);

#endif /* XH_SWEEP_H */
