// SPDX-License-Identifier: GPL-2.0
/* sweep.c: the "scan" object of scan.smb_sweep and scan.port_scan hits and
 * the "brute_force" object of smb.brute_force hits (bpf/sweep.bpf.h). The
 * event's addresses are those of the SYN, or of the failed session setup's
 * flow, that reached the threshold. "accounts": the distinct accounts the client named in the
 * window (user/accounts.c), when any. */
#include "fmt.h"
#include "sweep.h"

void sweep_format_json(const struct xh_event *e, unsigned int accounts, struct jbuf *b)
{
	const struct xh_sweep_detail *d = &e->d.sweep;
	/* constant keys and up to four numbers: pre-encoded text, as
	 * user/events.c (126 bytes at the most) */
	char *p = jbuf_tail(b, 160);

	if (!p)
		return;
	if (e->rule == XH_RULE_SMB_BRUTE_FORCE)
		p = fmt_lit(p, ",\"brute_force\":{\"service\":\"smb\",\"failed_logons\":");
	else if (e->rule == XH_RULE_SCAN_PORT_SCAN)
		p = fmt_lit(p, ",\"scan\":{\"service\":\"tcp\",\"distinct_ports\":");
	else
		p = fmt_lit(p, ",\"scan\":{\"service\":\"smb\",\"distinct_destinations\":");
	p = fmt_u64(p, d->distinct);
	p = fmt_lit(p, ",\"threshold\":");
	p = fmt_u64(p, d->threshold);
	p = fmt_lit(p, ",\"window_s\":");
	p = fmt_u64(p, d->window_s);
	if (accounts && e->rule == XH_RULE_SMB_BRUTE_FORCE) {
		p = fmt_lit(p, ",\"accounts\":");
		p = fmt_u64(p, accounts);
	}
	*p++ = '}';
	jbuf_set_tail(b, p);
}
