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
 * consumer's time); more idle flows wait for the next sweep. */
#define FLOWLOG_MAX_PER_SWEEP 8192
/* The next sweep after one that could not write all it found due (more than
 * max_per_sweep, or a near-full table not yet down to `low`), and how often
 * `run` asks flowlog_full(): a sweep a second kept up with ~1300 new flows a
 * second in a 4096-flow table, and with 8192 at most in any. */
#define FLOWLOG_CATCHUP_MS 100
/* Free entries the kernel's LRU hash keeps on each CPU's own list
 * (LOCAL_FREE_TARGET in kernel/bpf/bpf_lru_list.c; 6.16+ may keep fewer):
 * a CPU whose list is empty takes this many from the shared list and, when
 * the shared list has fewer, evicts to make up the rest. So the LRU may
 * evict once fewer than this many per CPU are free, before the table is
 * full; flowlog_init() keeps the forced-prune marks below that. */
#define FLOWLOG_LRU_FREE_PER_CPU 128

enum flowlog_reason {
	FLOWLOG_TIMEOUT = 0,  /* idle for the timeout: the entry is removed */
	FLOWLOG_SHUTDOWN = 1, /* still in the table when run stopped */
	/* Not idle, but among the longest idle when the table neared full:
	 * written and removed early to make room, as Suricata's "forced",
	 * instead of evicted by the LRU without a record. */
	FLOWLOG_FORCED = 2,
};

/* A flow that is not idle, a candidate for a forced record. */
struct flowlog_cand {
	uint64_t last_seen_ns;
	struct xh_flow_key key;
};

struct flowlog {
	int map_fd;		 /* xh_flows */
	uint64_t timeout_ns;	 /* idle time after which a flow is written */
	uint64_t sweep_every_ns; /* flowlog_due(): between sweeps, half the timeout */
	uint64_t last_sweep_ns;	 /* CLOCK_MONOTONIC of the last sweep */
	uint32_t max_per_sweep;	 /* FLOWLOG_MAX_PER_SWEEP */
	int behind;		 /* the last sweep left flows due: next in FLOWLOG_CATCHUP_MS */
	/* Forced records (flowlog_full()): a timeout sweep that finds at
	 * least `high` entries writes the longest idle of them until `low`
	 * are left. 0: never (a table of unknown size). */
	uint32_t high, low;
	int pruning;		  /* more to force than the last sweep could write */
	uint32_t batch;		  /* entries per BPF_MAP_LOOKUP_BATCH */
	struct xh_flow_key *keys; /* batch buffers */
	struct xh_flow_state *vals;
	struct xh_flow_key *due; /* keys due at the last walk: idle first, then forced */
	size_t n_due, n_idle, cap_due;
	size_t next_due; /* due[next_due..n_due): not yet handled; the next sweep goes on there */
	struct flowlog_cand *cand; /* this sweep's entries that are not idle */
	size_t n_cand, cap_cand;
	uint64_t forced_upto_ns; /* a forced flow seen after this since the walk stays */
	uint64_t records;	 /* lines written */
	uint64_t forced;	 /* of them, FLOWLOG_FORCED */
	uint64_t removed; /* entries removed from the table (records, or not if unformattable) */
	/* The last complete walk of the table: the entries it saw, and
	 * `removed` when it began (flowlog_evicted(), with new_at_scan). */
	uint64_t scanned, removed_at_scan;
	uint64_t new_at_scan; /* the program's flows_new read before that walk */
	struct jbuf jb;
};

/* Prepare @f for the flow table @map_fd of @max_entries (0: unknown, no
 * forced records) with an idle timeout of @timeout_s seconds
 * (1..FLOWLOG_TIMEOUT_MAX). The forced-prune marks: `high` is 7/8 of the
 * table less the LRU's per-CPU free lists (FLOWLOG_LRU_FREE_PER_CPU),
 * at least half of it; `low` is an eighth of the table below that.
 * Returns 0 or -ENOMEM. */
int flowlog_init(struct flowlog *f, int map_fd, uint32_t max_entries, unsigned int timeout_s);
void flowlog_fini(struct flowlog *f);

/* Is a sweep due at @now_ns (CLOCK_MONOTONIC)? Sweeps run every
 * timeout/2 seconds, at least every 10 s and at most once a second, so a
 * record comes at most that late; FLOWLOG_CATCHUP_MS after one that left
 * flows due (f->behind). */
int flowlog_due(const struct flowlog *f, uint64_t now_ns);

/* Is the table near full: at least `high` entries by the last walk, plus
 * the flows made since (@flows_new, the program's counter, less the one
 * read before that walk), less those removed since? Cheap (no table
 * walk): `run` asks every FLOWLOG_CATCHUP_MS, `replay` every max_entries/16 packets,
 * and sweeps at once when it is. */
int flowlog_full(const struct flowlog *f, uint64_t flows_new);

/* Write a record for every flow idle for the timeout at @now_ns
 * (CLOCK_MONOTONIC, the clock of xh_flow_state's times) and remove it from
 * the table, at most max_per_sweep of them, or, for FLOWLOG_SHUTDOWN, for
 * every flow (removed too). A timeout sweep that finds the table at `high`
 * or more also writes the least recently seen of the others, oldest first
 * (ties by key), until `low` are left, with reason FLOWLOG_FORCED; when
 * max_per_sweep stops it short, the sweeps FLOWLOG_CATCHUP_MS apart that
 * follow go on until then, whatever the table holds. A timeout sweep
 * that finds keys of the last walk not yet handled (more were due than it
 * could write) goes on with them instead of walking the table again. A
 * flow that saw a packet between the table scan and its removal is left
 * alone.
 * @flows_new: the program's counter, read before the call (flowlog_full()).
 * Returns the number of records written, or a negative errno: an output
 * error (sink->write_err) or a table that could not be read. */
int flowlog_sweep(struct flowlog *f, struct event_sink *s, uint64_t now_ns, uint64_t flows_new,
		  enum flowlog_reason why);

/* Flows that left the table without a record: the LRU evicted them to make
 * room for new ones (more flows than --flows). @flows_new created (the
 * program's counter) minus @removed by sweeps minus @in_table, or 0. With
 * the program running, read flows_new before walking the table and
 * @removed after the walk began, and this is a lower bound: a flow made
 * since the counter was read is in the table, not in flows_new. */
uint64_t flowlog_evicted(uint64_t flows_new, uint64_t in_table, uint64_t removed);

/* Say on stderr, as @who ("run", "replay", "flows"), the flows of a table
 * of @max_entries that left it without a timeout record: @evicted by the
 * LRU (no record) and @forced out early (a "forced" record), each if not
 * 0, over the time @when says ("in all", "since the start"...). */
void flowlog_say(const char *who, uint32_t max_entries, uint64_t evicted, uint64_t forced,
		 const char *when);

/* The number of flows in the flow table @map_fd (xh_flows, of this or
 * another process) into @n. Returns 0 or -errno. */
int flowlog_count(int map_fd, uint64_t *n);

/* One record of the flow @k / @st into @b (reset first): the client as
 * src, the server as dest (xh_flow_state.initiator). Pure apart from the
 * hostname of @s. Returns 0 or -EINVAL (unknown family). */
int flowlog_format(struct event_sink *s, const struct xh_flow_key *k,
		   const struct xh_flow_state *st, enum flowlog_reason why, struct jbuf *b);

#endif
