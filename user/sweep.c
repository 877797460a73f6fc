// SPDX-License-Identifier: GPL-2.0
/* sweep.c: the "scan" object of scan.smb_sweep hits (bpf/sweep.bpf.h). The
 * event's addresses are those of the SYN that reached the threshold. */
#include "fmt.h"
#include "sweep.h"

void sweep_format_json(const struct xh_event *e, struct jbuf *b)
{
	const struct xh_sweep_detail *d = &e->d.sweep;
	/* constant keys and three numbers: pre-encoded text, as user/events.c */
	char *p = jbuf_tail(b, 128);

	if (!p)
		return;
	p = fmt_lit(p, ",\"scan\":{\"service\":\"smb\",\"distinct_destinations\":");
	p = fmt_u64(p, d->distinct);
	p = fmt_lit(p, ",\"threshold\":");
	p = fmt_u64(p, d->threshold);
	p = fmt_lit(p, ",\"window_s\":");
	p = fmt_u64(p, d->window_s);
	*p++ = '}';
	jbuf_set_tail(b, p);
}
