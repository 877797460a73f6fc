// SPDX-License-Identifier: GPL-2.0
/* events.c: ring buffer callback: size check, decode, enrich, JSON line. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "community_id.h"
#include "dcerpc_table.h"
#include "enrich.h"
#include "events.h"
#include "ioc.h"
#include "ioc_event.h"
#include "log.h"
#include "smb_user.h"
#include "sweep.h"

static char hostname_buf[256];

void event_sink_init(struct event_sink *s, struct jsonl_writer *out, const struct ioc_set *iocs,
		     const char *host)
{
	memset(s, 0, sizeof(*s));
	s->out = out;
	s->iocs = iocs;
	if (!host) {
		if (gethostname(hostname_buf, sizeof(hostname_buf) - 1))
			snprintf(hostname_buf, sizeof(hostname_buf), "unknown");
		host = hostname_buf;
	}
	s->host = host;
	jbuf_init(&s->jb);
	event_sink_sync_clock(s);
}

void event_sink_fini(struct event_sink *s)
{
	jbuf_free(&s->jb);
}

void event_sink_sync_clock(struct event_sink *s)
{
	struct timespec mono, real;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	s->mono_to_real_ns = ((int64_t)real.tv_sec - mono.tv_sec) * 1000000000LL +
			     ((int64_t)real.tv_nsec - mono.tv_nsec);
	s->ifname_index = 0;
}

/* ".uuuuuuZ" and a NUL at @p, for @usec < 1000000. */
static void fraction(char *p, unsigned int usec)
{
	p[0] = '.';
	for (int i = 6; i >= 1; i--) {
		p[i] = (char)('0' + usec % 10);
		usec /= 10;
	}
	p[7] = 'Z';
	p[8] = '\0';
}

void events_format_time(uint64_t real_ns, char out[32])
{
	/* Hits come in bursts within one second: format the date and time
	 * once per second (gmtime_r + strftime cost more than the rest). */
	static _Thread_local time_t cached_sec = -1;
	static _Thread_local char cached[20];
	time_t sec = (time_t)(real_ns / 1000000000ULL);
	unsigned int usec = (unsigned int)((real_ns % 1000000000ULL) / 1000);
	struct tm tm;

	if (sec == cached_sec) {
		memcpy(out, cached, 19);
		fraction(out + 19, usec);
		return;
	}
	gmtime_r(&sec, &tm);
	/* 19 characters for years 1000..9999; the fraction and Z follow. */
	if (strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm) != 19) {
		snprintf(out, 32, "1970-01-01T00:00:00.000000Z");
		return;
	}
	memcpy(cached, out, 19);
	cached_sec = sec;
	fraction(out + 19, usec);
}

/* Dotted quad by hand: glibc's inet_ntop() formats IPv4 with sprintf, a
 * sixth of a hit's cost. IPv6 keeps inet_ntop() (RFC 5952 compression). */
static void addr_text(const struct xh_event *e, const __be32 *a, char *out, size_t len)
{
	const unsigned char *b = (const unsigned char *)a;
	char *p = out;

	if (e->family != XH_AF_INET) {
		inet_ntop(AF_INET6, a, out, len);
		return;
	}
	for (int i = 0; i < 4; i++) {
		unsigned int v = b[i];

		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		*p++ = i < 3 ? '.' : '\0';
	}
}

int events_format(struct event_sink *s, const struct xh_event *e, struct jbuf *b)
{
	const char *rule = enrich_rule_name(e->rule);
	const struct attack_ref *att;
	const char *proto, *action;
	char ts[32], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], cid[COMMUNITY_ID_LEN];
	char ifname[IF_NAMESIZE] = "";
	struct xh_flow_key k = {};
	uint64_t real_ns, flow_id;
	int sport = ntohs(e->sport), dport = ntohs(e->dport);
	int is_icmp = e->proto == 1 || e->proto == 58;

	if (!rule || (e->family != XH_AF_INET && e->family != XH_AF_INET6))
		return -EINVAL;

	memcpy(k.saddr, e->saddr, sizeof(k.saddr));
	memcpy(k.daddr, e->daddr, sizeof(k.daddr));
	k.sport = e->sport;
	k.dport = e->dport;
	k.proto = e->proto;
	k.family = e->family;

	real_ns = s->ts_override_ns ? s->ts_override_ns : e->ts_ns + s->mono_to_real_ns;
	events_format_time(real_ns, ts);
	addr_text(e, e->saddr, src, sizeof(src));
	addr_text(e, e->daddr, dst, sizeof(dst));
	community_id_v1_flow(&k, cid, &flow_id);

	jbuf_reset(b);
	jbuf_obj_begin(b);
	jbuf_key_str(b, "timestamp", ts);
	jbuf_key_str(b, "event_type", "hunt");
	jbuf_key_str(b, "host", s->host);
	if (s->iface)
		jbuf_key_str(b, "in_iface", s->iface);
	else if (e->ifindex && e->ifindex == s->ifname_index)
		jbuf_key_str(b, "in_iface", s->ifname);
	else if (if_indextoname(e->ifindex, ifname)) {
		_Static_assert(sizeof(s->ifname) >= IF_NAMESIZE, "ifname cache");
		s->ifname_index = e->ifindex;
		memcpy(s->ifname, ifname, sizeof(ifname));
		jbuf_key_str(b, "in_iface", ifname);
	} else
		jbuf_key_u64(b, "in_iface", e->ifindex);
	jbuf_key_u64(b, "flow_id", flow_id);
	jbuf_key_str(b, "community_id", cid);
	jbuf_key_str(b, "src_ip", src);
	if (!is_icmp)
		jbuf_key_u64(b, "src_port", sport);
	jbuf_key_str(b, "dest_ip", dst);
	if (!is_icmp)
		jbuf_key_u64(b, "dest_port", dport);
	proto = enrich_proto_name(e->proto);
	if (proto)
		jbuf_key_str(b, "proto", proto);
	else
		jbuf_key_u64(b, "proto", e->proto);
	if (is_icmp) {
		/* The kernel carries ICMP type and code in the port fields. */
		jbuf_key_u64(b, "icmp_type", sport);
		jbuf_key_u64(b, "icmp_code", dport);
	}
	if (e->vlan_count) {
		jbuf_key_arr_begin(b, "vlan");
		for (int i = 0; i < e->vlan_count && i < XH_MAX_VLANS; i++)
			jbuf_arr_u64(b, e->vlan[i]);
		jbuf_arr_end(b);
	}
	jbuf_key_str(b, "rule", rule);
	att = enrich_rule_attack(e->rule);
	if (e->detail_kind == XH_DETAIL_SMB)
		att = smb_attack(s->smb, e, att);
	if (att) {
		jbuf_key_obj_begin(b, "attack");
		jbuf_key_str(b, "technique_id", att->technique_id);
		jbuf_key_str(b, "technique", att->technique);
		jbuf_key_str(b, "tactic", att->tactic);
		jbuf_obj_end(b);
	}
	if (e->rule == XH_RULE_IOC_DEST || e->rule == XH_RULE_IOC_SRC ||
	    e->rule == XH_RULE_IOC_DNS || e->rule == XH_RULE_IOC_TLS_SNI) {
		int err = ioc_event_format(s->iocs, e, b, &s->ioc);

		if (err)
			return err;
	}
	if (e->detail_kind == XH_DETAIL_DCERPC &&
	    (e->rule == XH_RULE_DCERPC_BIND || e->rule == XH_RULE_DCERPC_CALL))
		dcerpc_event_format(s->dcerpc, e, b);
	if (e->detail_kind == XH_DETAIL_SMB && smb_format_json(s->smb, e, b))
		s->bad_names++;
	if (e->detail_kind == XH_DETAIL_SWEEP && e->rule == XH_RULE_SCAN_SMB_SWEEP)
		sweep_format_json(e, b);
	action = enrich_action_name(e->action);
	jbuf_key_str(b, "action", action ? action : "unknown");
	jbuf_obj_end(b);
	return b->err;
}

int events_handle(void *ctx, void *data, size_t size)
{
	struct event_sink *s = ctx;
	int err;

	if (size < sizeof(struct xh_event)) {
		s->bad_records++;
		return 0;
	}
	if (events_format(s, data, &s->jb)) {
		s->bad_records++;
		return 0;
	}
	err = jsonl_write_line(s->out, &s->jb);
	if (err) {
		if (!s->write_err)
			pr_warn("output: cannot write: %s\n", strerror(-err));
		s->write_err = err;
		return err;
	}
	s->events++;
	return 0;
}
