/* SPDX-License-Identifier: GPL-2.0 */
/* events.h: ring buffer records -> enriched JSON lines. */
#ifndef XH_EVENTS_H
#define XH_EVENTS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>
#include "xh_abi.h"
#include "jsonl.h"
#include "ioc_event.h"
#include "community_id.h"

struct ioc_set;
struct dcerpc_table;
struct smb_rules;
struct accounts;
struct relays;
struct relay_match;

struct event_sink {
	struct jsonl_writer *out;
	const struct ioc_set *iocs;	   /* id -> indicator; may be NULL */
	const struct dcerpc_table *dcerpc; /* interface/operation names; may be NULL */
	const char *host;		   /* sensor name */
	const char *iface;	 /* in_iface to print instead of the ifindex's name (replay) */
	int64_t mono_to_real_ns; /* added to live bpf_ktime_get_ns() stamps */
	uint64_t ts_override_ns; /* replay: the packet's capture time (realtime ns) */
	int ts_override;	 /* hits take ts_override_ns (0 is a time: 1970) */
	uint64_t events;	 /* lines written */
	uint64_t bad_records;	 /* records of the wrong size or unknown rule */
	int write_err;		 /* first output error (-errno), sticky */
	/* Last ifindex -> name: if_indextoname() opens a socket per call, which
	 * capped live output near 0.2 M lines/s (make bench). Forgotten by
	 * event_sink_sync_clock(), so a renamed interface shows up soon. */
	uint32_t ifname_index;
	char ifname[16];
	/* JSON text kept between hits (user/events.c): the host's fragment
	 * and the in_iface value, made again when the string they were made
	 * from is another (point host or iface at a new string rather than
	 * change one in place). */
	struct jbuf host_json;	   /* ","event_type":"hunt","host":"...","in_iface": */
	const char *host_json_of;  /* the host it was made from */
	struct jbuf iface_json;	   /* "name" */
	const char *iface_json_of; /* iface it was made from, NULL: ifname */
	uint32_t iface_json_index; /* ifname's index it was made from */
	/* The last flow's Community ID: a flow often has several findings in a
	 * row (smb.connect then smb.ipc_share, a bind then its calls). */
	struct xh_flow_key cid_key;
	char cid[COMMUNITY_ID_LEN];
	size_t cid_len; /* 0: none kept */
	uint64_t cid_flow_id;
	struct ioc_event_stats ioc; /* ioc.* hits not written (stale reference, collision) */
	int (*on_hup)(void *ctx);   /* run by the live loop on SIGHUP (reload), may be NULL */
	void *on_hup_ctx;
	void (*on_watch)(void *ctx); /* run by the live loop once a second, may be NULL */
	void *on_watch_ctx;
	/* Run by the live loop every LOOP_CATCHUP_MS between on_watch calls, may be NULL. */
	void (*on_catchup)(void *ctx);
	void *on_catchup_ctx;
	struct jbuf jb;

	/* SMB (user/smb.c) */
	const struct smb_rules *smb; /* ATT&CK per rule and pipe; NULL: enrich's */
	uint64_t bad_names;	     /* SMB names not valid UTF-16/ASCII (left out) */
	/* The flows' NTLM accounts (user/accounts.c); NULL: smb.logon hits
	 * still name theirs, later hits go without. */
	struct accounts *accounts;
	/* The logons' NT responses (user/relay.c), for ntlm.relay; NULL: no
	 * ntlm.relay hits. */
	struct relays *relays;
	const struct relay_match *relay; /* while an ntlm.relay hit is formatted */
	uint64_t relays_written;	 /* ntlm.relay hits among events */
};

/* The flow of hit @e, as the hit gives it (its client as the source). */
static inline void event_flow_key(const struct xh_event *e, struct xh_flow_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->saddr, e->saddr, sizeof(k->saddr));
	memcpy(k->daddr, e->daddr, sizeof(k->daddr));
	k->sport = e->sport;
	k->dport = e->dport;
	k->proto = e->proto;
	k->family = e->family;
}

/* Prepare @s (host defaults to the hostname when NULL). */
void event_sink_init(struct event_sink *s, struct jsonl_writer *out, const struct ioc_set *iocs,
		     const char *host);
void event_sink_fini(struct event_sink *s);
/* Recompute the monotonic -> realtime offset (call now and then: NTP slews). */
void event_sink_sync_clock(struct event_sink *s);
/* Forget the interface name kept for hits (an interface was renamed). */
void event_sink_forget_names(struct event_sink *s);

/* Encode @e as one JSON object into @b (reset first); an smb.logon hit
 * keeps its account for the flow's later hits (user/accounts.c). Pure apart from
 * if_indextoname(). Returns 0, -EINVAL for an unknown rule, or the
 * ioc_event_format() error of an ioc.* hit that must not be written. */
int events_format(struct event_sink *s, const struct xh_event *e, struct jbuf *b);

/* ring_buffer_sample_fn: size check, format, write. Never stops the ring
 * buffer on a bad record (counts it); returns a negative value only when
 * the output cannot be written, which stops ring_reader__consume(). */
int events_handle(void *ctx, void *data, size_t size);

/* Write @b as one line to s->out. An error is said on stderr the first
 * time and kept in s->write_err. Returns 0 or -errno. */
int event_sink_write(struct event_sink *s, const struct jbuf *b);

/* "2026-11-22T11:50:27.123456Z" from nanoseconds since the epoch. */
void events_format_time(uint64_t real_ns, char out[32]);

#endif
