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
#include "enrich.h"
#include "events.h"
#include "ioc.h"
#include "log.h"
#include "smb_user.h"

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
}

void events_format_time(uint64_t real_ns, char out[32])
{
	time_t sec = (time_t)(real_ns / 1000000000ULL);
	unsigned int usec = (unsigned int)((real_ns % 1000000000ULL) / 1000);
	struct tm tm;

	gmtime_r(&sec, &tm);
	/* 19 characters for years 1000..9999; the fraction and Z follow. */
	if (strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm) != 19) {
		snprintf(out, 32, "1970-01-01T00:00:00.000000Z");
		return;
	}
	snprintf(out + 19, 13, ".%06uZ", usec);
}

static void addr_text(const struct xh_event *e, const __be32 *a, char *out, size_t len)
{
	if (e->family == XH_AF_INET)
		inet_ntop(AF_INET, a, out, len);
	else
		inet_ntop(AF_INET6, a, out, len);
}

int events_format(struct event_sink *s, const struct xh_event *e, struct jbuf *b)
{
	const char *rule = enrich_rule_name(e->rule);
	const struct attack_ref *att;
	const char *proto, *action;
	char ts[32], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], cid[COMMUNITY_ID_LEN];
	char ifname[IF_NAMESIZE] = "";
	struct xh_flow_key k = {};
	uint64_t real_ns;
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
	if (community_id_v1(&k, 0, cid))
		cid[0] = '\0';

	jbuf_reset(b);
	jbuf_obj_begin(b);
	jbuf_key_str(b, "timestamp", ts);
	jbuf_key_str(b, "event_type", "hunt");
	jbuf_key_str(b, "host", s->host);
	if (s->iface)
		jbuf_key_str(b, "in_iface", s->iface);
	else if (if_indextoname(e->ifindex, ifname))
		jbuf_key_str(b, "in_iface", ifname);
	else
		jbuf_key_u64(b, "in_iface", e->ifindex);
	jbuf_key_u64(b, "flow_id", community_id_flow_id(&k));
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
	if (e->rule == XH_RULE_IOC_DEST || e->rule == XH_RULE_IOC_SRC) {
		const struct ioc_entry *ie = s->iocs ? ioc_set_get(s->iocs, e->ioc_id) : NULL;

		jbuf_key_obj_begin(b, "ioc");
		if (ie)
			jbuf_key_str(b, "indicator", ie->indicator);
		else
			jbuf_key_u64(b, "id", e->ioc_id);
		jbuf_key_str(b, "matched", e->rule == XH_RULE_IOC_DEST ? "dest_ip" : "src_ip");
		jbuf_obj_end(b);
	}
	if (e->detail_kind == XH_DETAIL_SMB && smb_format_json(s->smb, e, b))
		s->bad_names++;
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
