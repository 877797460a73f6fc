// SPDX-License-Identifier: GPL-2.0
/* sweep.c: the "scan" object of scan.smb_sweep, scan.port_scan and
 * scan.service_sweep hits and the "brute_force" object of smb.brute_force
 * and kerberos.brute_force hits (bpf/sweep.bpf.h, bpf/kerberos.bpf.h). The
 * event's addresses are those of the SYN, or of the failed session setup's
 * flow, that reached the threshold. "accounts": the distinct accounts the client named in the
 * window (user/accounts.c), when any. */
#include <arpa/inet.h>
#include <string.h>
#include "fmt.h"
#include "sweep.h"

const char *sweep_service_name(uint16_t port)
{
	/* IANA's names, as Zeek's and Suricata's logs give them; the RPC
	 * endpoint mapper as xdphunt's other rules name it. */
	switch (port) {
	case 22:
		return "ssh";
	case 135:
		return "rpc";
	case 3389:
		return "rdp";
	case 5900:
		return "vnc";
	case 5985:
	case 5986:
		return "winrm";
	default:
		return "tcp";
	}
}

const char *sweep_probe_name(uint8_t flags)
{
	/* ECE and CWR (0x40, 0x80) are ECN's: a SYN that offers it sets both. */
	switch (flags & 0x3f) {
	case 0x02:
		return "syn";
	case 0x01:
		return "fin";
	case 0x00:
		return "null";
	case 0x29:
		return "xmas";
	default:
		return "other";
	}
}

static const char *const krb_counter_names[XH_KRB_CNT__MAX] = {
	[XH_KRB_CNT_ERROR] = "krb_error",
	[XH_KRB_CNT_PREAUTH_FAILED] = "preauth_failed",
	[XH_KRB_CNT_CLIENT_REVOKED] = "client_revoked",
	[XH_KRB_CNT_PRINCIPAL_UNKNOWN] = "principal_unknown",
	[XH_KRB_CNT_AS_REQ] = "as_req",
	[XH_KRB_CNT_FAILURE_NAMED] = "failure_named",
	[XH_KRB_CNT_NO_PREAUTH] = "no_preauth",
	[XH_KRB_CNT_AS_REP] = "as_rep",
	[XH_KRB_CNT_TGS_REP] = "tgs_rep",
	[XH_KRB_CNT_WEAK_TICKET] = "weak_ticket",
	[XH_KRB_CNT_TGS_REQ] = "tgs_req",
	[XH_KRB_CNT_WEAK_REQUEST] = "weak_request",
	[XH_KRB_CNT_TGS_REQ_SPLIT] = "tgs_req_split",
	[XH_KRB_CNT_TGS_REQ_UNREAD] = "tgs_req_unread",
};

const char *krb_counter_name(unsigned int cnt)
{
	return cnt < XH_KRB_CNT__MAX ? krb_counter_names[cnt] : NULL;
}

void sweep_format_json(const struct xh_event *e, unsigned int accounts, struct jbuf *b)
{
	const struct xh_sweep_detail *d = &e->d.sweep;
	/* constant keys, up to four numbers and the probe: pre-encoded text,
	 * as user/events.c (171 bytes at the most) */
	char *p = jbuf_tail(b, 200);

	if (!p)
		return;
	if (e->rule == XH_RULE_SMB_BRUTE_FORCE)
		p = fmt_lit(p, ",\"brute_force\":{\"service\":\"smb\",\"failed_logons\":");
	else if (e->rule == XH_RULE_KRB_BRUTE_FORCE)
		p = fmt_lit(p, ",\"brute_force\":{\"service\":\"kerberos\",\"failed_logons\":");
	else if (e->rule == XH_RULE_SCAN_PORT_SCAN && e->proto == IPPROTO_UDP)
		p = fmt_lit(p, ",\"scan\":{\"service\":\"udp\",\"distinct_ports\":");
	else if (e->rule == XH_RULE_SCAN_PORT_SCAN)
		p = fmt_lit(p, ",\"scan\":{\"service\":\"tcp\",\"distinct_ports\":");
	else if (e->rule == XH_RULE_SCAN_SERVICE_SWEEP) {
		p = fmt_lit(p, ",\"scan\":{\"service\":\"");
		const char *svc = sweep_service_name(ntohs(e->dport));

		p = fmt_put(p, svc, strlen(svc));
		p = fmt_lit(p, "\",\"distinct_destinations\":");
	} else
		p = fmt_lit(p, ",\"scan\":{\"service\":\"smb\",\"distinct_destinations\":");
	p = fmt_u64(p, d->distinct);
	p = fmt_lit(p, ",\"threshold\":");
	p = fmt_u64(p, d->threshold);
	p = fmt_lit(p, ",\"window_s\":");
	p = fmt_u64(p, d->window_s);
	if (e->rule == XH_RULE_SMB_BRUTE_FORCE || e->rule == XH_RULE_KRB_BRUTE_FORCE) {
		if (accounts) {
			p = fmt_lit(p, ",\"accounts\":");
			p = fmt_u64(p, accounts);
		}
	} else if (e->proto == IPPROTO_UDP) {
		/* bpf/parse.h xh_udp_probe(): an empty datagram; or one with a
		 * payload that the target answered "port unreachable"
		 * (bpf/icmp_quote.bpf.h) */
		if (d->unreachable)
			p = fmt_lit(p, ",\"probe\":\"unreachable\"");
		else
			p = fmt_lit(p, ",\"probe\":\"empty\"");
	} else {
		const char *probe = sweep_probe_name(d->tcp_flags);

		p = fmt_lit(p, ",\"probe\":\"");
		p = fmt_put(p, probe, strlen(probe));
		p = fmt_lit(p, "\",\"tcp_flags\":\"");
		p = fmt_hex_fixed(p, d->tcp_flags, 2);
		*p++ = '"';
	}
	*p++ = '}';
	jbuf_set_tail(b, p);
}
