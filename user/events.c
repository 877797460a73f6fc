// SPDX-License-Identifier: GPL-2.0
/* events.c: ring buffer callback: size check, decode, enrich, JSON line. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "accounts.h"
#include "community_id.h"
#include "dcerpc_table.h"
#include "enrich.h"
#include "events.h"
#include "fmt.h"
#include "ioc.h"
#include "ioc_event.h"
#include "kerberos.h"
#include "log.h"
#include "remote.h"
#include "smb_user.h"
#include "sweep.h"
#include "relay.h"

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
	jbuf_init(&s->host_json);
	jbuf_init(&s->iface_json);
	s->accounts = accounts__new();
	s->relays = relays__new();
	event_sink_sync_clock(s);
}

void event_sink_fini(struct event_sink *s)
{
	jbuf_free(&s->jb);
	jbuf_free(&s->host_json);
	jbuf_free(&s->iface_json);
	accounts__free(s->accounts);
	s->accounts = NULL;
	relays__free(s->relays);
	s->relays = NULL;
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

void event_sink_forget_names(struct event_sink *s)
{
	s->ifname_index = 0;
}

#define TIME_LEN 27 /* "2026-11-22T11:50:27.123456Z" */

/* The timestamp at @p (TIME_LEN characters, no NUL). Hits come in bursts
 * within one second: the date and time are formatted once per second
 * (gmtime_r + strftime cost more than the rest of a hit), the microseconds
 * by hand. */
static char *put_time(char *p, uint64_t real_ns)
{
	static _Thread_local time_t cached_sec = -1;
	static _Thread_local char cached[20];
	time_t sec = (time_t)(real_ns / 1000000000ULL);
	unsigned int usec = (unsigned int)((real_ns % 1000000000ULL) / 1000);
	char text[20];
	struct tm tm;

	if (sec != cached_sec) {
		gmtime_r(&sec, &tm);
		/* 19 characters for years 1000..9999; the fraction and Z follow. */
		if (strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm) != 19)
			return fmt_lit(p, "1970-01-01T00:00:00.000000Z");
		memcpy(cached, text, 19);
		cached_sec = sec;
	}
	p = fmt_put(p, cached, 19);
	*p++ = '.';
	p = fmt_dec_fixed(p, usec, 6);
	*p++ = 'Z';
	return p;
}

void events_format_time(uint64_t real_ns, char out[32])
{
	*put_time(out, real_ns) = '\0';
}

/* An address of the event's family as inet_ntop() writes it. */
static char *put_addr(char *p, const struct xh_event *e, const __be32 *a)
{
	if (e->family == XH_AF_INET)
		return fmt_ipv4(p, (const uint8_t *)a);
	return fmt_ipv6(p, (const uint8_t *)a);
}

/* ","event_type":"hunt","host":"HOST","in_iface": for the current host:
 * what sits between the timestamp and in_iface's value of every line. */
static int host_json(struct event_sink *s)
{
	struct jbuf *j = &s->host_json;

	if (s->host_json_of == s->host && !j->err && j->len)
		return 0;
	jbuf_reset(j);
	jbuf_lit(j, "\",\"event_type\":\"hunt\",\"host\":");
	if (s->host)
		jbuf_str_n(j, s->host, strlen(s->host));
	else
		jbuf_lit(j, "null");
	jbuf_lit(j, ",\"in_iface\":");
	s->host_json_of = j->err ? NULL : s->host;
	return j->err;
}

/* The in_iface value of @e as JSON text ("name"), or NULL when the
 * interface has no name (the ifindex is written as text): the replay name, else
 * the ifindex's name. if_indextoname() opens a socket per call, which
 * capped live output near 0.2 M lines/s (make bench): the last index's name
 * is kept in s->ifname, until event_sink_sync_clock() forgets it. */
static const struct jbuf *iface_json(struct event_sink *s, const struct xh_event *e)
{
	struct jbuf *j = &s->iface_json;
	char ifname[IF_NAMESIZE] = "";
	const char *name;

	if (s->iface) {
		if (s->iface_json_of == s->iface && !j->err)
			return j;
		name = s->iface;
		s->iface_json_of = s->iface;
		s->iface_json_index = 0;
	} else if (e->ifindex && e->ifindex == s->ifname_index) {
		if (!s->iface_json_of && s->iface_json_index == e->ifindex && !j->err)
			return j;
		name = s->ifname;
		s->iface_json_of = NULL;
		s->iface_json_index = e->ifindex;
	} else if (if_indextoname(e->ifindex, ifname)) {
		_Static_assert(sizeof(s->ifname) >= IF_NAMESIZE, "ifname cache");
		s->ifname_index = e->ifindex;
		memcpy(s->ifname, ifname, sizeof(ifname));
		name = s->ifname;
		s->iface_json_of = NULL;
		s->iface_json_index = e->ifindex;
	} else {
		return NULL;
	}
	jbuf_reset(j);
	jbuf_str_n(j, name, strlen(name));
	return j;
}

/* Bytes of the line's head besides the host, in_iface, rule and attack
 * text: the keys, a timestamp, a Community ID, two IPv6 addresses and the
 * numbers take under 400. */
#define HEAD_FIXED_MAX 512

/* The realtime of @e: live, the kernel's monotonic stamp moved to the
 * wall clock; replay, the packet's capture time. */
static uint64_t event_real_ns(const struct event_sink *s, const struct xh_event *e)
{
	return s->ts_override ? s->ts_override_ns : e->ts_ns + s->mono_to_real_ns;
}

int events_format(struct event_sink *s, const struct xh_event *e, struct jbuf *b)
{
	const char *rule = enrich_rule_name(e->rule);
	const struct attack_ref *att;
	const struct jbuf *ifj;
	const char *proto, *action;
	char *p;
	struct xh_flow_key k = {};
	uint64_t real_ns;
	unsigned int sport = ntohs(e->sport), dport = ntohs(e->dport);
	/* A fragment without its L4 header shows no ports (nor ICMP type):
	 * the flow's 0s are left out rather than printed as the wire's. */
	int no_ports = e->eflags & XH_EVENT_F_NO_PORTS;
	int is_icmp = !no_ports && enrich_proto_is_icmp(e->proto);
	int has_ports = !no_ports && enrich_proto_has_ports(e->proto);
	size_t rule_len, att_len;
	unsigned int tried = 0;

	if (!rule || (e->family != XH_AF_INET && e->family != XH_AF_INET6))
		return -EINVAL;

	event_flow_key(e, &k);
	real_ns = event_real_ns(s, e);
	/* One SHA-1 per flow rather than per hit where findings of a flow come
	 * in a row: half the hits of the corpus and of the bench mix. */
	if (!s->cid_len || memcmp(&k, &s->cid_key, sizeof(k))) {
		s->cid_len = community_id_v1_flow(&k, s->cid, &s->cid_flow_id)
				     ? 0
				     : COMMUNITY_ID_LEN - 1;
		s->cid_key = k;
	}
	att = enrich_event_attack(e->rule, e->proto, dport);
	/* Brute force: guessing one account, or spraying many (the accounts
	 * its client named in logon hits of the window; over Kerberos, those
	 * the kernel read in the failures' AS-REQs). */
	if (e->rule == XH_RULE_SMB_BRUTE_FORCE && e->detail_kind == XH_DETAIL_SWEEP) {
		tried = accounts_tried(s->accounts, e, real_ns, e->d.sweep.window_s);
		att = enrich_brute_attack(e->d.sweep.distinct, tried);
	} else if (e->rule == XH_RULE_KRB_BRUTE_FORCE && e->detail_kind == XH_DETAIL_SWEEP) {
		tried = e->d.sweep.accounts;
		att = enrich_brute_attack(e->d.sweep.distinct, tried);
	}
	if (e->detail_kind == XH_DETAIL_SMB)
		att = smb_attack(s->smb, e, att);
	att_len = att && att->json ? att->json_len : 0;
	rule_len = strlen(rule);
	jbuf_reset(b);
	if (host_json(s))
		return s->host_json.err;
	ifj = iface_json(s, e);
	if (ifj && ifj->err)
		return ifj->err;

	/* The head, the same members for every rule, is written in one go:
	 * constant keys and punctuation as literals, values formatted in
	 * place, the host and interface from their kept text. Through
	 * jbuf_key_*() (a call, a key copy and a room check per member) it
	 * cost about 2,000 instructions a hit (callgrind, xh_bench format). */
	p = jbuf_tail(b, HEAD_FIXED_MAX + s->host_json.len + (ifj ? ifj->len : 0) + rule_len +
				 att_len);
	if (!p)
		return b->err;
	p = fmt_lit(p, "{\"timestamp\":\"");
	p = put_time(p, real_ns);
	p = fmt_put(p, s->host_json.buf, s->host_json.len);
	/* in_iface and proto are always text, so that each key keeps one
	 * JSON type: an interface without a name is its index, a protocol
	 * without a name its number, in decimal ("7", "47"). */
	if (ifj) {
		p = fmt_put(p, ifj->buf, ifj->len);
	} else {
		*p++ = '"';
		p = fmt_u64(p, e->ifindex);
		*p++ = '"';
	}
	p = fmt_lit(p, ",\"flow_id\":");
	p = fmt_u64(p, s->cid_len ? s->cid_flow_id : 0);
	p = fmt_lit(p, ",\"community_id\":\"");
	p = fmt_put(p, s->cid, s->cid_len);
	p = fmt_lit(p, "\",\"src_ip\":\"");
	p = put_addr(p, e, e->saddr);
	if (has_ports) {
		p = fmt_lit(p, "\",\"src_port\":");
		p = fmt_u64(p, sport);
		p = fmt_lit(p, ",\"dest_ip\":\"");
	} else {
		p = fmt_lit(p, "\",\"dest_ip\":\"");
	}
	p = put_addr(p, e, e->daddr);
	*p++ = '"';
	if (has_ports) {
		p = fmt_lit(p, ",\"dest_port\":");
		p = fmt_u64(p, dport);
	}
	proto = enrich_proto_name(e->proto);
	p = fmt_lit(p, ",\"proto\":\"");
	if (proto)
		p = fmt_put(p, proto, strlen(proto));
	else
		p = fmt_u64(p, e->proto);
	*p++ = '"';
	if (is_icmp) {
		/* The kernel carries ICMP type and code in the port fields,
		 * client side first. */
		p = fmt_lit(p, ",\"icmp_type\":");
		p = fmt_u64(p, sport);
		if (enrich_icmp_has_code(e->proto, sport)) {
			p = fmt_lit(p, ",\"icmp_code\":");
			p = fmt_u64(p, dport);
		}
	}
	if (e->vlan_count) {
		p = fmt_lit(p, ",\"vlan\":[");
		for (int i = 0; i < e->vlan_count && i < XH_MAX_VLANS; i++) {
			if (i)
				*p++ = ',';
			p = fmt_u64(p, e->vlan[i]);
		}
		*p++ = ']';
	}
	p = fmt_lit(p, ",\"rule\":\"");
	p = fmt_put(p, rule, rule_len);
	*p++ = '"';
	if (att_len) {
		p = fmt_lit(p, ",\"attack\":");
		p = fmt_put(p, att->json, att_len);
	}
	jbuf_set_tail(b, p);
	if (att && !att_len)
		enrich_attack_obj(b, "attack", att);

	if (e->rule == XH_RULE_IOC_DEST || e->rule == XH_RULE_IOC_SRC ||
	    e->rule == XH_RULE_IOC_DNS || e->rule == XH_RULE_IOC_TLS_SNI) {
		int err = ioc_event_format(s->iocs, e, b, &s->ioc);

		if (err)
			return err;
	}
	if (e->detail_kind == XH_DETAIL_DCERPC &&
	    (e->rule == XH_RULE_DCERPC_BIND || e->rule == XH_RULE_DCERPC_CALL))
		dcerpc_event_format(s->dcerpc, e, b);
	if (e->detail_kind == XH_DETAIL_DCERPC && e->rule == XH_RULE_DCERPC_LOGON)
		dcerpc_logon_format(e, b);
	if (e->detail_kind == XH_DETAIL_SMB && smb_format_json(s->smb, e, b))
		s->bad_names++;
	/* an opening malformed past the kernel's checks says so itself */
	if (e->detail_kind == XH_DETAIL_REMOTE)
		(void)remote_format_json(e, b);
	if (e->detail_kind == XH_DETAIL_KRB)
		(void)kerberos_format_json(e, b);
	if (e->detail_kind == XH_DETAIL_SWEEP &&
	    (e->rule == XH_RULE_SCAN_SMB_SWEEP || e->rule == XH_RULE_SMB_BRUTE_FORCE ||
	     e->rule == XH_RULE_SCAN_PORT_SCAN || e->rule == XH_RULE_SCAN_SERVICE_SWEEP ||
	     e->rule == XH_RULE_KRB_BRUTE_FORCE))
		sweep_format_json(e, tried, b);
	if (e->rule == XH_RULE_NTLM_RELAY && s->relay)
		relay_json(s->relay, real_ns, b);
	/* The account an NTLM logon named on this flow (smb.logon), if any. */
	if (s->cid_len &&
	    accounts_hit_json(s->accounts, e, &k, s->cid_flow_id, real_ns, b) == -EILSEQ)
		s->bad_names++;
	action = enrich_action_name(e->action);
	if (!action)
		action = "unknown";
	p = jbuf_tail(b, 16 + strlen(action));
	if (!p)
		return b->err;
	p = fmt_lit(p, ",\"action\":\"");
	p = fmt_put(p, action, strlen(action));
	p = fmt_lit(p, "\"}");
	jbuf_set_tail(b, p);
	return b->err;
}

/* Format and write the hit @e. Returns 0, 1 when it is no hit (counted in
 * bad_records), or the output's error. */
static int write_hit(struct event_sink *s, const struct xh_event *e)
{
	int err;

	if (events_format(s, e, &s->jb)) {
		s->bad_records++;
		return 1;
	}
	err = event_sink_write(s, &s->jb);
	if (err)
		return err;
	s->events++;
	return 0;
}

/* After the logon hit @e (@size bytes) is written: an ntlm.relay hit on its
 * flow when its NT response was on another flow moments before
 * (user/relay.c), with the logon's account (user/accounts.c) but no SMB or
 * DCE/RPC object: the relay's own is the logon's line before it. Returns 0
 * or the output's error. */
static int relay_hit(struct event_sink *s, const struct xh_event *e, size_t size)
{
	struct relay_match m;
	struct xh_event r;
	int err;

	if ((e->rule != XH_RULE_SMB_LOGON && e->rule != XH_RULE_DCERPC_LOGON) ||
	    relays_check(s->relays, e, event_real_ns(s, e), &m) != 1)
		return 0;
	memset(&r, 0, sizeof(r));
	memcpy(&r, e, size < sizeof(r) ? size : sizeof(r));
	r.rule = XH_RULE_NTLM_RELAY;
	r.detail_kind = XH_DETAIL_NONE;
	r.name_len = 0;
	s->relay = &m;
	err = write_hit(s, &r);
	s->relay = NULL;
	if (!err)
		s->relays_written++;
	return err > 0 ? 0 : err;
}

int events_handle(void *ctx, void *data, size_t size)
{
	const struct xh_event *e = data;
	struct event_sink *s = ctx;
	int err;

	/* A short record (no name) or a whole one; either way the name_len
	 * bytes the formatters read must lie inside it. */
	if (size < XH_EVENT_SHORT_SIZE || e->name_len > size - XH_EVENT_SHORT_SIZE ||
	    e->name_len > XH_EVENT_NAME_MAX || e->rule == XH_RULE_NTLM_RELAY) {
		s->bad_records++;
		return 0;
	}
	err = write_hit(s, e);
	if (err)
		return err > 0 ? 0 : err;
	return relay_hit(s, e, size);
}

int event_sink_write(struct event_sink *s, const struct jbuf *b)
{
	int err = jsonl_write_line(s->out, b);

	/* The writer said it, naming the file. */
	if (err)
		s->write_err = err;
	return err;
}
