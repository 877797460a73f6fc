/* SPDX-License-Identifier: GPL-2.0 */
/* flowlog.h: flow records ("event_type":"flow"), one JSON line per flow that
 * xdphunt keeps state of (SMB, MS-RPC, IoC: the entries of xh_flows), written
 * when the flow has been idle for the timeout (its entry is then removed) and
 * for every flow left when `run` stops. What Suricata's EVE flow events and
 * Zeek's conn.log give a hunter: how long the flow lasted and how much it
 * carried, joined to its hits by flow_id and community_id. */
#ifndef XH_FLOWLOG_H
#define XH_FLOWLOG_H

#include <stddef.h>
#include <stdint.h>
#include "events.h"
#include "jsonl.h"
#include "xh_abi.h"

#define FLOWLOG_TIMEOUT_MAX (7 * 86400) /* --flow-timeout's upper bound, seconds */
/* Records per timeout sweep: the sweep runs in the event loop, where a
 * record costs ~5 us (read again, remove, format: 8192 take ~40 ms of the
 * consumer's time); more idle flows wait for the next sweep, a second later. */
#define FLOWLOG_MAX_PER_SWEEP 8192

enum flowlog_reason {
	FLOWLOG_TIMEOUT = 0,  /* idle for the timeout: the entry is removed */
	FLOWLOG_SHUTDOWN = 1, /* still in the table when run stopped */
};

struct flowlog {
	int map_fd;		  /* xh_flows */
	uint64_t timeout_ns;	  /* idle time after which a flow is written */
	uint32_t sweep_every_s;	  /* flowlog_due(): seconds between sweeps */
	uint64_t last_sweep_ns;	  /* CLOCK_MONOTONIC of the last sweep */
	uint32_t max_per_sweep;	  /* FLOWLOG_MAX_PER_SWEEP */
	int behind;		  /* the last sweep left idle flows: next one in 1 s */
	uint32_t batch;		  /* entries per BPF_MAP_LOOKUP_BATCH */
	struct xh_flow_key *keys; /* batch buffers */
	struct xh_flow_state *vals;
	struct xh_flow_key *due; /* keys found idle in this sweep */
	size_t n_due, cap_due;
	uint64_t records; /* lines written */
	uint64_t removed; /* entries removed from the table (records, or not if unformattable) */
	/* The last complete walk of the table: the entries it saw, and
	 * `removed` when it began (flowlog_evicted()). */
	uint64_t scanned, removed_at_scan;
	struct jbuf jb;
};

/* Prepare @f for the flow table @map_fd with an idle timeout of @timeout_s
 * seconds (1..FLOWLOG_TIMEOUT_MAX). Returns 0 or -ENOMEM. */
int flowlog_init(struct flowlog *f, int map_fd, unsigned int timeout_s);
void flowlog_fini(struct flowlog *f);

/* Is a sweep due at @now_ns (CLOCK_MONOTONIC)? Sweeps run every
 * timeout/2 seconds, at least every 10 s and at most once a second, so a
 * record comes at most that late; a second after one that stopped at
 * max_per_sweep. */
int flowlog_due(const struct flowlog *f, uint64_t now_ns);

/* Write a record for every flow idle for the timeout at @now_ns
 * (CLOCK_MONOTONIC, the clock of xh_flow_state's times) and remove it from
 * the table, at most max_per_sweep of them, or, for FLOWLOG_SHUTDOWN, for
 * every flow (removed too). A flow
 * that saw a packet between the table scan and its removal is left alone.
 * Returns the number of records written, or a negative errno: an output
 * error (sink->write_err) or a table that could not be read. */
int flowlog_sweep(struct flowlog *f, struct event_sink *s, uint64_t now_ns,
		  enum flowlog_reason why);

/* Flows that left the table without a record: the LRU evicted them to make
 * room for new ones (more flows than --flows). @flows_new created (the
 * program's counter) minus @removed by sweeps minus @in_table, or 0. With
 * the program running, read flows_new before walking the table and
 * @removed after the walk began, and this is a lower bound: a flow made
 * since the counter was read is in the table, not in flows_new. */
uint64_t flowlog_evicted(uint64_t flows_new, uint64_t in_table, uint64_t removed);

/* The number of flows in the flow table @map_fd (xh_flows, of this or
 * another process) into @n. Returns 0 or -errno. */
int flowlog_count(int map_fd, uint64_t *n);

/* One record of the flow @k / @st into @b (reset first): the client as
 * src, the server as dest (xh_flow_state.initiator). Pure apart from the
 * hostname of @s. Returns 0 or -EINVAL (unknown family). */
int flowlog_format(struct event_sink *s, const struct xh_flow_key *k,
		   const struct xh_flow_state *st, enum flowlog_reason why, struct jbuf *b);

#endif
