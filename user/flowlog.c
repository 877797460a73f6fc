// SPDX-License-Identifier: GPL-2.0
/* flowlog.c: flow records from xh_flows. The table is read in batches
 * (BPF_MAP_LOOKUP_BATCH: a 131072-entry table is ~130 syscalls, where a
 * get_next_key walk would take 262144), idle keys are collected, then each
 * is read again and removed; removing while walking would restart the walk. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "community_id.h"
#include "enrich.h"
#include "flowlog.h"
#include "fmt.h"
#include "grow.h"
#include "ioc.h"
#include "log.h"

#define FLOWLOG_BATCH	    1024
#define FLOWLOG_SWEEP_MAX_S 10
#define FLOWLOG_NS_PER_S    1000000000ULL

/* The forced-prune marks of a table of @max_entries on @ncpus CPUs
 * (flowlog_init()). */
static void marks(struct flowlog *f, uint32_t max_entries, int ncpus)
{
	uint64_t slack = (uint64_t)FLOWLOG_LRU_FREE_PER_CPU * (ncpus > 0 ? (uint64_t)ncpus : 1);
	uint64_t high = max_entries - max_entries / 8;

	high = high > slack ? high - slack : 0;
	if (high < max_entries / 2)
		high = max_entries / 2;
	f->high = (uint32_t)high;
	f->low = f->high - max_entries / 8;
}

int flowlog_init(struct flowlog *f, int map_fd, uint32_t max_entries, unsigned int timeout_s)
{
	memset(f, 0, sizeof(*f));
	f->map_fd = map_fd;
	if (max_entries)
		marks(f, max_entries, libbpf_num_possible_cpus());
	f->timeout_ns = (uint64_t)timeout_s * FLOWLOG_NS_PER_S;
	/* Half the timeout, not rounded to whole seconds (1 s read 1 s). */
	f->sweep_every_ns = f->timeout_ns / 2;
	if (f->sweep_every_ns > FLOWLOG_SWEEP_MAX_S * FLOWLOG_NS_PER_S)
		f->sweep_every_ns = FLOWLOG_SWEEP_MAX_S * FLOWLOG_NS_PER_S;
	f->batch = FLOWLOG_BATCH;
	f->max_per_sweep = FLOWLOG_MAX_PER_SWEEP;
	f->keys = calloc(f->batch, sizeof(*f->keys));
	f->vals = calloc(f->batch, sizeof(*f->vals));
	jbuf_init(&f->jb);
	if (!f->keys || !f->vals) {
		flowlog_fini(f);
		return -ENOMEM;
	}
	return 0;
}

void flowlog_fini(struct flowlog *f)
{
	free(f->keys);
	free(f->vals);
	free(f->due);
	free(f->cand);
	jbuf_free(&f->jb);
	f->keys = NULL;
	f->vals = NULL;
	f->due = NULL;
	f->cand = NULL;
	f->n_due = f->n_idle = f->cap_due = f->next_due = 0;
	f->n_cand = f->cap_cand = 0;
}

int flowlog_due(const struct flowlog *f, uint64_t now_ns)
{
	uint64_t every = f->behind ? FLOWLOG_CATCHUP_MS * 1000000ULL : f->sweep_every_ns;

	return now_ns - f->last_sweep_ns >= every;
}

int flowlog_full(const struct flowlog *f, uint64_t flows_new)
{
	uint64_t made = flows_new > f->new_at_scan ? flows_new - f->new_at_scan : 0;
	uint64_t gone = f->removed - f->removed_at_scan;
	uint64_t est = f->scanned + made;

	return f->high && (est > gone ? est - gone : 0) >= f->high;
}

static int due_add(struct flowlog *f, const struct xh_flow_key *k)
{
	if (xh_grow((void **)&f->due, &f->cap_due, f->n_due, sizeof(*f->due)))
		return -ENOMEM;
	f->due[f->n_due++] = *k;
	return 0;
}

static int idle(const struct flowlog *f, const struct xh_flow_state *st, uint64_t now_ns,
		enum flowlog_reason why)
{
	return why == FLOWLOG_SHUTDOWN ||
	       (now_ns > st->last_seen_ns && now_ns - st->last_seen_ns >= f->timeout_ns);
}

/* Every entry of the flow table @fd, @batch at a time through @keys and
 * @vals, to @fn (which stops the scan by returning non-zero). Returns 0,
 * what @fn returned, or -errno. */
static int scan(int fd, struct xh_flow_key *keys, struct xh_flow_state *vals, uint32_t batch,
		int (*fn)(void *ctx, const struct xh_flow_key *k, const struct xh_flow_state *st),
		void *ctx)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t in = 0, out = 0;
	void *inp = NULL;
	int done = 0, ret;

	while (!done) {
		uint32_t count = batch;
		int err = bpf_map_lookup_batch(fd, inp, &out, keys, vals, &count, &opts);

		if (err) {
			err = -errno;
			if (err != -ENOENT)
				return err;
			done = 1; /* the last batch; count says how many it holds */
		}
		for (uint32_t i = 0; i < count; i++) {
			ret = fn(ctx, &keys[i], &vals[i]);
			if (ret)
				return ret;
		}
		in = out;
		inp = &in;
	}
	return 0;
}

static int cand_add(struct flowlog *f, const struct xh_flow_key *k, uint64_t last_seen_ns)
{
	if (xh_grow((void **)&f->cand, &f->cap_cand, f->n_cand, sizeof(*f->cand)))
		return -ENOMEM;
	f->cand[f->n_cand].last_seen_ns = last_seen_ns;
	f->cand[f->n_cand].key = *k;
	f->n_cand++;
	return 0;
}

/* Least recently seen first; ties by key, so that both replay engines
 * (whose tables walk in different orders) force the same flows. */
static int cand_cmp(const void *a, const void *b)
{
	const struct flowlog_cand *x = a, *y = b;

	if (x->last_seen_ns != y->last_seen_ns)
		return x->last_seen_ns < y->last_seen_ns ? -1 : 1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

struct collect_ctx {
	struct flowlog *f;
	uint64_t now_ns;
	enum flowlog_reason why;
	uint64_t seen; /* entries walked */
};

static int collect_one(void *ctx, const struct xh_flow_key *k, const struct xh_flow_state *st)
{
	struct collect_ctx *c = ctx;

	c->seen++;
	if (idle(c->f, st, c->now_ns, c->why))
		return due_add(c->f, k) ? -ENOMEM : 0;
	/* Kept only while they may be needed: a timeout sweep of a table
	 * whose size is known (marks()). */
	if (c->f->high && c->why == FLOWLOG_TIMEOUT && cand_add(c->f, k, st->last_seen_ns))
		return -ENOMEM;
	return 0;
}

static void cand_swap(struct flowlog_cand *a, struct flowlog_cand *b)
{
	struct flowlog_cand t = *a;

	*a = *b;
	*b = t;
}

/* Reorder @c[0..@n) so that its @k least (cand_cmp()) come first, in no
 * order: quickselect, median-of-three pivots, O(n) on average. The sweep
 * runs in run's event loop: of 131072 candidates the 16384 oldest are
 * chosen and sorted in ~5 ms here, where sorting all took ~30. */
static void cand_select(struct flowlog_cand *c, size_t n, size_t k)
{
	size_t lo = 0, hi = n;

	if (!k || k >= n)
		return;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2, last = hi - 1, at = lo;

		if (cand_cmp(&c[mid], &c[lo]) < 0)
			cand_swap(&c[mid], &c[lo]);
		if (cand_cmp(&c[last], &c[lo]) < 0)
			cand_swap(&c[last], &c[lo]);
		if (cand_cmp(&c[mid], &c[last]) < 0)
			cand_swap(&c[mid], &c[last]);
		/* The median is the pivot, at `last`. */
		for (size_t i = lo; i < last; i++)
			if (cand_cmp(&c[i], &c[last]) < 0)
				cand_swap(&c[i], &c[at++]);
		cand_swap(&c[at], &c[last]);
		if (at == k || at + 1 == k)
			return;
		if (at > k)
			hi = at;
		else
			lo = at + 1;
	}
}

/* After the walk: if it found `high` entries or more and more than `low`
 * would be left once the idle ones go, the least recently seen of the
 * others to f->due, oldest first, until `low` are left. This runs only
 * near full, at most every FLOWLOG_CATCHUP_MS. */
static int force(struct flowlog *f, uint64_t seen)
{
	uint64_t left = seen - f->n_idle, n, room;

	/* Begun at the high mark, forcing goes on below it, sweeps
	 * FLOWLOG_CATCHUP_MS apart while max_per_sweep cuts them short, until
	 * low are left. */
	if (!f->high || left <= f->low || (seen < f->high && !f->pruning)) {
		f->pruning = 0;
		return 0;
	}
	n = left - f->low;
	if (n > f->n_cand)
		n = f->n_cand;
	room = f->max_per_sweep > f->n_idle ? f->max_per_sweep - f->n_idle : 0;
	f->pruning = n > room;
	if (n > room)
		n = room;
	cand_select(f->cand, f->n_cand, n);
	qsort(f->cand, n, sizeof(*f->cand), cand_cmp);
	for (uint64_t i = 0; i < n; i++)
		if (due_add(f, &f->cand[i].key))
			return -ENOMEM;
	f->forced_upto_ns = n ? f->cand[n - 1].last_seen_ns : 0;
	return 0;
}

/* The keys of every idle flow into f->due, then, for a timeout sweep of a
 * near-full table, those forced (force()). Returns 0 or -errno. */
static int collect(struct flowlog *f, uint64_t now_ns, enum flowlog_reason why)
{
	struct collect_ctx c = {f, now_ns, why, 0};
	int err;

	f->n_due = 0;
	f->next_due = 0;
	f->n_cand = 0;
	err = scan(f->map_fd, f->keys, f->vals, f->batch, collect_one, &c);
	if (err)
		return err;
	f->scanned = c.seen;
	f->removed_at_scan = f->removed;
	f->n_idle = f->n_due;
	return why == FLOWLOG_TIMEOUT ? force(f, c.seen) : 0;
}

uint64_t flowlog_evicted(uint64_t flows_new, uint64_t in_table, uint64_t removed)
{
	return flows_new > in_table + removed ? flows_new - in_table - removed : 0;
}

void flowlog_say(const char *who, uint32_t max_entries, uint64_t evicted, uint64_t forced,
		 const char *when)
{
	if (forced)
		pr_warn("%s: %llu flows were written early, reason \"forced\", the least "
			"recently seen first, to keep the flow table (--flows %u) from filling, "
			"%s; a larger --flows keeps them to their timeout\n",
			who, (unsigned long long)forced, max_entries, when);
	if (evicted)
		pr_warn("%s: %llu flows were evicted from the full flow table (--flows %u) before "
			"their record, %s; they have none. A larger --flows keeps them\n",
			who, (unsigned long long)evicted, max_entries, when);
}

static int count_one(void *ctx, const struct xh_flow_key *k, const struct xh_flow_state *st)
{
	(void)k;
	(void)st;
	++*(uint64_t *)ctx;
	return 0;
}

int flowlog_count(int map_fd, uint64_t *n)
{
	struct xh_flow_key *keys = calloc(FLOWLOG_BATCH, sizeof(*keys));
	struct xh_flow_state *vals = calloc(FLOWLOG_BATCH, sizeof(*vals));
	int err = -ENOMEM;

	*n = 0;
	if (keys && vals)
		err = scan(map_fd, keys, vals, FLOWLOG_BATCH, count_one, n);
	free(keys);
	free(vals);
	return err;
}

int flowlog_sweep(struct flowlog *f, struct event_sink *s, uint64_t now_ns, uint64_t flows_new,
		  enum flowlog_reason why)
{
	int err, written = 0;
	size_t start = 0, n;

	f->last_sweep_ns = now_ns;
	if (why == FLOWLOG_TIMEOUT && f->next_due < f->n_due) {
		/* The last walk found more due than its sweep could write:
		 * go on down its list, each key read again below, rather than
		 * walk the table again (perf: the walk was 40-49 % of the
		 * sweeps' time when 100k flows went idle at once). */
		start = f->next_due;
	} else {
		err = collect(f, now_ns, why);
		if (err)
			return err;
		f->new_at_scan = flows_new;
	}
	n = f->n_due - start;
	f->behind = why == FLOWLOG_TIMEOUT && (n > f->max_per_sweep || f->pruning);
	if (f->behind && n > f->max_per_sweep)
		n = f->max_per_sweep;
	f->next_due = start + n;
	for (size_t i = start; i < start + n; i++) {
		enum flowlog_reason r = i < f->n_idle ? why : FLOWLOG_FORCED;
		struct xh_flow_state st;

		/* Read again: a packet may have come since the scan (the flow
		 * stays), or the LRU may have evicted it (nothing to write). */
		if (bpf_map_lookup_elem(f->map_fd, &f->due[i], &st))
			continue;
		if (r == FLOWLOG_FORCED ? st.last_seen_ns > f->forced_upto_ns
					: !idle(f, &st, now_ns, why))
			continue;
		if (bpf_map_delete_elem(f->map_fd, &f->due[i]))
			continue;
		f->removed++;
		if (flowlog_format(s, &f->due[i], &st, r, &f->jb)) {
			s->bad_records++;
			continue;
		}
		err = event_sink_write(s, &f->jb);
		if (err)
			return err;
		f->records++;
		f->forced += r == FLOWLOG_FORCED;
		written++;
	}
	return written;
}

/* As hits write them (user/fmt.c): glibc's inet_ntop() formats through
 * sprintf(), some 6 % of a sweep's time with 100k records (perf). The
 * caller has checked the family. */
static void key_addr(struct jbuf *b, const char *key, const struct xh_flow_key *k, const __be32 *a)
{
	char text[FMT_IPV6_MAX], *end;

	end = k->family == XH_AF_INET ? fmt_ipv4(text, (const uint8_t *)a)
				      : fmt_ipv6(text, (const uint8_t *)a);
	jbuf_key_strn(b, key, text, (size_t)(end - text));
}

static void key_time(struct jbuf *b, const char *key, uint64_t real_ns)
{
	char text[32];

	events_format_time(real_ns, text);
	jbuf_key_str(b, key, text);
}

int flowlog_format(struct event_sink *s, const struct xh_flow_key *k,
		   const struct xh_flow_state *st, enum flowlog_reason why, struct jbuf *b)
{
	/* The key's s-side is the client when the flow's first packet came
	 * from it (enum xh_initiator). */
	int client_is_s = st->initiator == XH_INIT_SRC;
	const __be32 *cli = client_is_s ? k->saddr : k->daddr;
	const __be32 *srv = client_is_s ? k->daddr : k->saddr;
	unsigned int cli_port = ntohs(client_is_s ? k->sport : k->dport);
	unsigned int srv_port = ntohs(client_is_s ? k->dport : k->sport);
	int is_icmp = enrich_proto_is_icmp(k->proto);
	int has_ports = enrich_proto_has_ports(k->proto);
	uint64_t start = st->first_seen_ns + (uint64_t)s->mono_to_real_ns;
	uint64_t end = st->last_seen_ns + (uint64_t)s->mono_to_real_ns;
	const struct ioc_set *owner = NULL;
	const struct ioc_entry *ie;
	char cid[COMMUNITY_ID_LEN];
	const char *proto;
	uint64_t flow_id = 0;
	struct xh_flow_key ck = *k;

	if (k->family != XH_AF_INET && k->family != XH_AF_INET6)
		return -EINVAL;
	/* Hashed client to server, as hits are: the ids are then the hits'
	 * (a one-way ICMP message keeps its direction in the hash). */
	memcpy(ck.saddr, cli, sizeof(ck.saddr));
	memcpy(ck.daddr, srv, sizeof(ck.daddr));
	ck.sport = htons(cli_port);
	ck.dport = htons(srv_port);
	if (community_id_v1_flow(&ck, cid, &flow_id))
		cid[0] = '\0';
	jbuf_reset(b);
	jbuf_obj_begin(b);
	/* As Suricata's flow events and Zeek's conn.log: stamped with the
	 * flow's start. */
	key_time(b, "timestamp", start);
	jbuf_key_str(b, "event_type", "flow");
	if (s->host)
		jbuf_key_str(b, "host", s->host);
	jbuf_key_u64(b, "flow_id", flow_id);
	jbuf_key_str(b, "community_id", cid);
	key_addr(b, "src_ip", k, cli);
	if (has_ports)
		jbuf_key_u64(b, "src_port", cli_port);
	key_addr(b, "dest_ip", k, srv);
	if (has_ports)
		jbuf_key_u64(b, "dest_port", srv_port);
	/* Always text, as in hits: a protocol without a name is its number. */
	proto = enrich_proto_name(k->proto);
	if (proto) {
		jbuf_key_str(b, "proto", proto);
	} else {
		char num[24]; /* fmt_u64()'s most */

		jbuf_key_strn(b, "proto", num, (size_t)(fmt_u64(num, k->proto) - num));
	}
	if (is_icmp) {
		/* The key carries the type and code of the first packet in
		 * the port fields, turned with the addresses (as hits). */
		jbuf_key_u64(b, "icmp_type", cli_port);
		if (enrich_icmp_has_code(k->proto, cli_port))
			jbuf_key_u64(b, "icmp_code", srv_port);
	}
	if (st->service == XH_SVC_SMB)
		jbuf_key_str(b, "app_proto", "smb");
	else if (st->service == XH_SVC_RPC || st->service == XH_SVC_RPC_DYN)
		jbuf_key_str(b, "app_proto", "dcerpc");
	else if (st->flags & XH_FLOW_F_RDP)
		jbuf_key_str(b, "app_proto", "rdp");
	else if (st->flags & XH_FLOW_F_SSH)
		jbuf_key_str(b, "app_proto", "ssh");
	jbuf_key_obj_begin(b, "flow");
	jbuf_key_u64(b, "pkts_toserver", st->pkts[XH_DIR_TOSERVER]);
	jbuf_key_u64(b, "pkts_toclient", st->pkts[XH_DIR_TOCLIENT]);
	jbuf_key_u64(b, "bytes_toserver", st->bytes[XH_DIR_TOSERVER]);
	jbuf_key_u64(b, "bytes_toclient", st->bytes[XH_DIR_TOCLIENT]);
	key_time(b, "start", start);
	key_time(b, "end", end);
	jbuf_key_u64(b, "age", (st->last_seen_ns - st->first_seen_ns) / FLOWLOG_NS_PER_S);
	jbuf_key_str(b, "reason",
		     why == FLOWLOG_TIMEOUT  ? "timeout"
		     : why == FLOWLOG_FORCED ? "forced"
					     : "shutdown");
	/* A dynamic DCE/RPC endpoint: the flow was made by its bind of a
	 * listed interface, so the handshake before it is not counted. */
	if (st->service == XH_SVC_RPC_DYN && !(st->flags & XH_FLOW_F_EPM))
		jbuf_key_str(b, "counted", "from_bind");
	/* Made by an RDP or SSH opening on a port xdphunt does not follow:
	 * that packet is all it counted. */
	else if (st->flags & (XH_FLOW_F_RDP | XH_FLOW_F_SSH))
		jbuf_key_str(b, "counted", "opening_only");
	jbuf_obj_end(b);
	ie = st->ioc_id && s->iocs ? ioc_set_resolve(s->iocs, st->ioc_id, &owner) : NULL;
	if (ie) {
		char text[IOC_TEXT_MAX];
		size_t n = ioc_entry_text_n(owner, ie, text);

		jbuf_key_obj_begin(b, "ioc");
		jbuf_key_strn(b, "indicator", text, n);
		jbuf_key_str(b, "type", ioc_entry_type(ie));
		jbuf_obj_end(b);
	}
	jbuf_obj_end(b);
	return b->err;
}
