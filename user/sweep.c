// SPDX-License-Identifier: GPL-2.0
/* sweep.c: the "scan" object of scan.smb_sweep hits (bpf/sweep.bpf.h). The
 * event's addresses are those of the SYN that reached the threshold. */
#include "sweep.h"

void sweep_format_json(const struct xh_event *e, struct jbuf *b)
{
	const struct xh_sweep_detail *d = &e->d.sweep;

	jbuf_key_obj_begin(b, "scan");
	jbuf_key_str(b, "service", "smb");
	jbuf_key_u64(b, "distinct_destinations", d->distinct);
	jbuf_key_u64(b, "threshold", d->threshold);
	jbuf_key_u64(b, "window_s", d->window_s);
	jbuf_obj_end(b);
}
