// SPDX-License-Identifier: GPL-2.0
/* test_flowlog.c: flow records, over a real kernel LRU hash map of the flow
 * table's key and value (root): which flows a sweep writes and removes, and
 * the JSON line a hunter reads. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "community_id.h"
#include "events.h"
#include "flowlog.h"
#include "ioc.h"
#include "jsonl.h"
#include "test.h"

#define S	1000000000ULL
#define CATCHUP ((uint64_t)FLOWLOG_CATCHUP_MS * 1000000ULL)

/* An LRU hash map like xh_flows, or -1 after a skip (not root). */
static int flow_map(unsigned int entries)
{
	int fd;

	if (geteuid()) {
		test_skip("needs root for a BPF map");
		return -1;
	}
	fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "test_flows", sizeof(struct xh_flow_key),
			    sizeof(struct xh_flow_state), entries, NULL);
	ASSERT_GE(fd, 0, "bpf_map_create");
	return fd;
}

/* IPv4 TCP key between 192.0.2.@a:@aport and 203.0.113.@b:@bport, in the
 * canonical order (lower address on the s-side). */
static struct xh_flow_key key4(unsigned int a, unsigned int aport, unsigned int b,
			       unsigned int bport)
{
	struct xh_flow_key k = {};

	k.saddr[0] = htonl(0xc0000200 | a);
	k.daddr[0] = htonl(0xcb007100 | b);
	k.sport = htons(aport);
	k.dport = htons(bport);
	k.proto = 6;
	k.family = XH_AF_INET;
	return k;
}

/* The lines of @f, parsed (NULL for a line that is not JSON). */
static int read_lines(FILE *f, json_t **out, int max)
{
	char line[4096];
	int n = 0;

	rewind(f);
	while (n < max && fgets(line, sizeof(line), f)) {
		json_error_t jerr;

		out[n] = json_loads(line, 0, &jerr);
		ASSERT_OK_PTR(out[n], "valid JSON line");
		n++;
	}
	return n;
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static long long jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

void test_flowlog_sweep_timeout_then_shutdown(void)
{
	int fd = flow_map(4096);
	struct xh_flow_key idle_k = key4(10, 49152, 20, 445), busy_k = key4(11, 135, 21, 50000);
	struct xh_flow_state idle_st = {}, busy_st = {}, got;
	uint64_t now = 1000 * S;
	struct jsonl_writer *w;
	struct event_sink s;
	struct flowlog fl;
	json_t *lines[4] = {};
	FILE *f;
	int n;

	if (fd < 0)
		return;
	f = tmpfile();
	w = jsonl_writer__new(dup(fileno(f)), 1);
	event_sink_init(&s, w, NULL, "sensor-1");
	s.mono_to_real_ns = 1763812227LL * (int64_t)S; /* 2025-11-22T11:50:27Z at mono 0 */

	/* An SMB flow idle 10 s, its client on the s-side. */
	idle_st.first_seen_ns = now - 70 * S;
	idle_st.last_seen_ns = now - 10 * S;
	idle_st.pkts[XH_DIR_TOSERVER] = 7;
	idle_st.pkts[XH_DIR_TOCLIENT] = 5;
	idle_st.bytes[XH_DIR_TOSERVER] = 3000;
	idle_st.bytes[XH_DIR_TOCLIENT] = 456;
	idle_st.initiator = XH_INIT_SRC;
	idle_st.service = XH_SVC_SMB;
	idle_st.id = 1;
	/* An endpoint-mapper flow seen 1 s ago, its client on the d-side. */
	busy_st.first_seen_ns = now - 5 * S;
	busy_st.last_seen_ns = now - 1 * S;
	busy_st.pkts[XH_DIR_TOSERVER] = 3;
	busy_st.bytes[XH_DIR_TOSERVER] = 300;
	busy_st.initiator = XH_INIT_DST;
	busy_st.service = XH_SVC_RPC;
	busy_st.id = 2;
	ASSERT_OK(bpf_map_update_elem(fd, &idle_k, &idle_st, BPF_NOEXIST), "insert idle");
	ASSERT_OK(bpf_map_update_elem(fd, &busy_k, &busy_st, BPF_NOEXIST), "insert busy");

	ASSERT_OK(flowlog_init(&fl, fd, 0, 5), "init");
	n = flowlog_sweep(&fl, &s, now, 0, FLOWLOG_TIMEOUT);
	ASSERT_EQ(n, 1, "one flow idle for 5 s");
	ASSERT_ERR(bpf_map_lookup_elem(fd, &idle_k, &got), "idle flow removed");
	ASSERT_OK(bpf_map_lookup_elem(fd, &busy_k, &got), "busy flow kept");
	ASSERT_FALSE(flowlog_due(&fl, now + 2 * S), "next sweep not due after 2 s");
	ASSERT_TRUE(flowlog_due(&fl, now + 5 * S / 2), "due after timeout/2: 2.5 s, not rounded");
	n = flowlog_sweep(&fl, &s, 0, 0, FLOWLOG_SHUTDOWN);
	ASSERT_EQ(n, 1, "shutdown writes the rest");
	ASSERT_ERR(bpf_map_lookup_elem(fd, &busy_k, &got), "table empty after shutdown");
	ASSERT_EQ(fl.records, 2, "records counted");
	ASSERT_OK(jsonl_flush(w), "flush");
	{
		/* --flow-timeout 1: a sweep every 0.5 s, as README says. */
		struct flowlog f1;

		if (ASSERT_OK(flowlog_init(&f1, fd, 0, 1), "init 1 s")) {
			f1.last_sweep_ns = now;
			ASSERT_FALSE(flowlog_due(&f1, now + S / 2 - 1), "not due before 0.5 s");
			ASSERT_TRUE(flowlog_due(&f1, now + S / 2), "due at 0.5 s");
			flowlog_fini(&f1);
		}
	}

	n = read_lines(f, lines, 4);
	if (ASSERT_EQ(n, 2, "two lines") && lines[0] && lines[1]) {
		json_t *a = lines[0], *b = lines[1], *fa = json_object_get(a, "flow");
		char cid[COMMUNITY_ID_LEN];
		uint64_t flow_id;

		ASSERT_STREQ(jstr(a, "event_type"), "flow", "event_type");
		ASSERT_STREQ(jstr(a, "host"), "sensor-1", "host");
		ASSERT_STREQ(jstr(a, "timestamp"), "2025-11-22T12:05:57.000000Z",
			     "stamped with the start (mono 930 s)");
		ASSERT_STREQ(jstr(a, "src_ip"), "192.0.2.10", "client");
		ASSERT_EQ(jint(a, "src_port"), 49152, "client port");
		ASSERT_STREQ(jstr(a, "dest_ip"), "203.0.113.20", "server");
		ASSERT_EQ(jint(a, "dest_port"), 445, "server port");
		ASSERT_STREQ(jstr(a, "proto"), "TCP", "proto");
		ASSERT_STREQ(jstr(a, "app_proto"), "smb", "app_proto");
		ASSERT_OK(community_id_v1_flow(&idle_k, cid, &flow_id), "community id");
		ASSERT_STREQ(jstr(a, "community_id"), cid, "community_id as the hits'");
		ASSERT_EQ((uint64_t)jint(a, "flow_id"), flow_id, "flow_id as the hits'");
		ASSERT_EQ(jint(fa, "pkts_toserver"), 7, "pkts_toserver");
		ASSERT_EQ(jint(fa, "pkts_toclient"), 5, "pkts_toclient");
		ASSERT_EQ(jint(fa, "bytes_toserver"), 3000, "bytes_toserver");
		ASSERT_EQ(jint(fa, "bytes_toclient"), 456, "bytes_toclient");
		ASSERT_STREQ(jstr(fa, "start"), "2025-11-22T12:05:57.000000Z", "start");
		ASSERT_STREQ(jstr(fa, "end"), "2025-11-22T12:06:57.000000Z", "end");
		ASSERT_EQ(jint(fa, "age"), 60, "age");
		ASSERT_STREQ(jstr(fa, "reason"), "timeout", "reason");
		ASSERT_NULL(json_object_get(a, "ioc"), "no ioc object without an IoC");

		/* initiator DST: the key's d-side is the client. */
		ASSERT_STREQ(jstr(b, "src_ip"), "203.0.113.21", "client on the d-side");
		ASSERT_EQ(jint(b, "src_port"), 50000, "its port");
		ASSERT_STREQ(jstr(b, "dest_ip"), "192.0.2.11", "server");
		ASSERT_EQ(jint(b, "dest_port"), 135, "endpoint mapper");
		ASSERT_STREQ(jstr(b, "app_proto"), "dcerpc", "app_proto");
		ASSERT_STREQ(jstr(json_object_get(b, "flow"), "reason"), "shutdown", "reason");
	}
	for (int i = 0; i < n; i++)
		json_decref(lines[i]);
	flowlog_fini(&fl);
	event_sink_fini(&s);
	jsonl_writer__free(w);
	fclose(f);
	close(fd);
}

/* More flows than one lookup batch holds: every one is written once and
 * the table ends empty; a sweep stops at max_per_sweep, the next one is
 * due FLOWLOG_CATCHUP_MS later and goes on with the first walk's list
 * without walking the table again; a flow idle only since that walk waits
 * for the next walk. */
void test_flowlog_sweep_batches(void)
{
	const unsigned int N = 3000;
	int fd = flow_map(4096);
	struct xh_flow_state st = {};
	struct jsonl_writer *w;
	struct event_sink s;
	struct flowlog fl;
	struct xh_flow_key k;
	uint64_t now = 500 * S, count;
	int n;

	if (fd < 0)
		return;
	w = jsonl_writer__new(open("/dev/null", O_WRONLY), 1);
	event_sink_init(&s, w, NULL, "sensor-1");
	st.first_seen_ns = st.last_seen_ns = now - 100 * S;
	st.pkts[XH_DIR_TOSERVER] = 1;
	for (unsigned int i = 0; i < N; i++) {
		k = key4(1 + i % 200, 40000 + i, 5, 445);
		st.id = i + 1;
		if (!ASSERT_OK(bpf_map_update_elem(fd, &k, &st, BPF_NOEXIST), "insert"))
			break;
	}
	ASSERT_OK(flowlog_count(fd, &count), "count");
	ASSERT_EQ(count, N, "flowlog_count: every entry, across batches");
	ASSERT_OK(flowlog_init(&fl, fd, 0, 60), "init");
	fl.max_per_sweep = 1000;
	n = flowlog_sweep(&fl, &s, now, 0, FLOWLOG_TIMEOUT);
	ASSERT_EQ(n, 1000, "a sweep stops at max_per_sweep");
	ASSERT_FALSE(flowlog_due(&fl, now + CATCHUP - 1), "the next one not due at once");
	ASSERT_TRUE(flowlog_due(&fl, now + CATCHUP), "the next one due FLOWLOG_CATCHUP_MS later");
	ASSERT_EQ(fl.scanned, N, "the walk saw every entry");
	ASSERT_EQ(fl.removed, 1000, "removed: what was written");
	/* 3000 made, 2000 left, 1000 removed: none evicted; 100 more made
	 * than that (the LRU made room for them) are evicted. */
	ASSERT_EQ(flowlog_evicted(N, N - 1000, fl.removed), 0, "none evicted");
	ASSERT_EQ(flowlog_evicted(N + 100, N - 1000, fl.removed), 100, "100 evicted");
	ASSERT_EQ(flowlog_evicted(N - 5, N, 0), 0, "flows made after the counter was read: 0");
	/* A flow that goes idle only after the walk, and one of the list
	 * that sees a packet again: neither is written by the list's sweeps. */
	k = key4(250, 1, 5, 445);
	st.id = N + 1;
	st.first_seen_ns = st.last_seen_ns = now - 59 * S;
	ASSERT_OK(bpf_map_update_elem(fd, &k, &st, BPF_NOEXIST), "a flow not yet idle");
	k = fl.due[fl.next_due];
	ASSERT_OK(bpf_map_lookup_elem(fd, &k, &st), "the list's next flow");
	st.last_seen_ns = now + S / 2;
	ASSERT_OK(bpf_map_update_elem(fd, &k, &st, BPF_EXIST), "a listed flow seen again");
	fl.max_per_sweep = 1500;
	n = flowlog_sweep(&fl, &s, now + S, 0, FLOWLOG_TIMEOUT);
	ASSERT_EQ(n, 1499, "second sweep: 1500 of the list, less the flow seen again");
	ASSERT_EQ(fl.scanned, N, "no second walk: the first walk's list goes on");
	ASSERT_EQ(fl.removed_at_scan, 0, "the walk's figures stay the first walk's");
	ASSERT_TRUE(fl.behind, "500 listed flows left: behind");
	n = flowlog_sweep(&fl, &s, now + 2 * S, 0, FLOWLOG_TIMEOUT);
	ASSERT_EQ(n, (int)N - 2500, "third sweep: the rest of the list");
	ASSERT_FALSE(fl.behind, "the list done: not behind");
	ASSERT_EQ(fl.records, N - 1, "every listed idle flow written once");
	n = flowlog_sweep(&fl, &s, now + 3 * S, 0, FLOWLOG_TIMEOUT);
	ASSERT_EQ(n, 1, "the next sweep walks: the flow idle since");
	ASSERT_EQ(fl.scanned, 2, "that walk saw the two flows left");
	ASSERT_EQ(fl.removed_at_scan, N - 1, "removed when it began");
	n = flowlog_sweep(&fl, &s, now + 62 * S, 0, FLOWLOG_TIMEOUT);
	ASSERT_EQ(n, 1, "and the flow seen again, once idle");
	ASSERT_FALSE(flowlog_due(&fl, now + 63 * S), "caught up: every timeout/2 again");
	ASSERT_EQ(fl.records, N + 1, "every flow written once");
	ASSERT_ERR(bpf_map_get_next_key(fd, NULL, &k), "table empty");
	ASSERT_EQ(s.bad_records, 0, "no bad records");
	ASSERT_OK(flowlog_count(fd, &count), "count again");
	ASSERT_EQ(count, 0, "flowlog_count of the empty table");
	flowlog_fini(&fl);
	event_sink_fini(&s);
	jsonl_writer__free(w);
	close(fd);
}

/* ICMP to an IoC: type and code instead of ports, and the indicator. */
void test_flowlog_format_icmp_ioc(void)
{
	struct xh_flow_key k = {};
	struct xh_flow_state st = {};
	struct ioc_set *set = ioc_set__new();
	char path[] = "/tmp/xh_flowlog_iocXXXXXX";
	int tfd = mkstemp(path);
	struct event_sink s;
	json_t *j, *ioc;
	json_error_t jerr;

	ASSERT_OK_PTR(set, "set");
	ASSERT_GE(tfd, 0, "mkstemp");
	ASSERT_EQ(write(tfd, "203.0.113.0/24\n", 15), 15, "feed");
	close(tfd);
	ASSERT_EQ(ioc_set_load_file(set, path), 1, "load feed");
	unlink(path);
	event_sink_init(&s, NULL, set, "sensor-1");
	k.saddr[0] = htonl(0xc000020a); /* 192.0.2.10, the client */
	k.daddr[0] = htonl(0xcb007142); /* 203.0.113.66 */
	k.sport = htons(8);		/* echo request */
	k.dport = htons(0);
	k.proto = 1;
	k.family = XH_AF_INET;
	st.initiator = XH_INIT_SRC;
	st.ioc_id = ioc_set_at(set, 0)->id;
	st.pkts[XH_DIR_TOSERVER] = 4;
	st.bytes[XH_DIR_TOSERVER] = 392;
	ASSERT_OK(flowlog_format(&s, &k, &st, FLOWLOG_TIMEOUT, &s.jb), "format");
	j = json_loadb(s.jb.buf, s.jb.len, 0, &jerr);
	if (ASSERT_OK_PTR(j, "valid JSON")) {
		ASSERT_STREQ(jstr(j, "proto"), "ICMP", "proto");
		ASSERT_EQ(jint(j, "icmp_type"), 8, "icmp_type");
		ASSERT_NULL(json_object_get(j, "icmp_code"), "no code for a request/reply pair");
		ASSERT_NULL(json_object_get(j, "src_port"), "no ports for ICMP");
		ASSERT_NULL(json_object_get(j, "app_proto"), "no app_proto");
		ioc = json_object_get(j, "ioc");
		ASSERT_STREQ(jstr(ioc, "indicator"), "203.0.113.0/24", "indicator");
		ASSERT_STREQ(jstr(ioc, "type"), "ipv4-cidr", "type");
		json_decref(j);
	}
	/* A protocol without a name: its number as text, as in hits. */
	k.proto = 47; /* GRE */
	ASSERT_OK(flowlog_format(&s, &k, &st, FLOWLOG_TIMEOUT, &s.jb), "format GRE");
	j = json_loadb(s.jb.buf, s.jb.len, 0, &jerr);
	ASSERT_STREQ(jstr(j, "proto"), "47", "GRE's number as text");
	json_decref(j);
	k.proto = 1;
	k.family = 7;
	ASSERT_EQ(flowlog_format(&s, &k, &st, FLOWLOG_TIMEOUT, &s.jb), -EINVAL, "bad family");
	event_sink_fini(&s);
	ioc_set__free(set);
}

/* Oldest first, ties by key: the order forced records are chosen in. */
static int busy_cmp(const void *a, const void *b)
{
	const struct flowlog_cand *x = a, *y = b;

	if (x->last_seen_ns != y->last_seen_ns)
		return x->last_seen_ns < y->last_seen_ns ? -1 : 1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

/* A timeout sweep of a table at its high mark writes the idle flows, then
 * the least recently seen of the others ("forced") until the low mark is
 * left, so the LRU never has to evict them without a record; below the
 * mark it forces none. */
void test_flowlog_forced_near_full(void)
{
	const unsigned int MAX = 4096, IDLE = 100;
	int fd = flow_map(MAX), ncpus = libbpf_num_possible_cpus();
	struct xh_flow_state st = {}, got;
	struct jsonl_writer *w;
	struct event_sink s;
	struct flowlog fl;
	struct xh_flow_key k;
	uint64_t now = 500 * S, count, made;
	unsigned int high, forced = 0, timeouts = 0, other = 0, gone_old = 0, kept_new = 0;
	struct flowlog_cand *busy = NULL;
	json_t *line;
	char buf[4096];
	FILE *f;
	int n;

	if (fd < 0)
		return;
	ASSERT_OK(flowlog_init(&fl, fd, MAX, 60), "init");
	ASSERT_EQ(fl.high, MAX - MAX / 8 - 128 * (unsigned int)ncpus,
		  "high: 7/8 less the LRU's per-CPU free lists");
	ASSERT_EQ(fl.low, fl.high - MAX / 8, "low: an eighth below");
	high = fl.high;
	f = tmpfile();
	w = jsonl_writer__new(dup(fileno(f)), 1);
	event_sink_init(&s, w, NULL, NULL);

	/* high - 1 busy flows seen in the last few seconds, eight at a time
	 * (the kernel's coarse clock gives many flows one time; the key
	 * decides between them): not full, nothing forced. */
	busy = calloc(high, sizeof(*busy));
	if (!ASSERT_OK_PTR(busy, "calloc"))
		goto out;
	st.pkts[XH_DIR_TOSERVER] = 1;
	for (unsigned int i = 0; i < high - 1; i++) {
		k = key4(1 + i % 200, 20000 + i, 5, 445);
		st.id = i + 1;
		st.first_seen_ns = st.last_seen_ns =
			now - (uint64_t)((high - i) / 8 + 2) * 1000000ULL;
		busy[i].key = k;
		busy[i].last_seen_ns = st.last_seen_ns;
		if (!ASSERT_OK(bpf_map_update_elem(fd, &k, &st, BPF_NOEXIST), "insert busy"))
			goto out;
	}
	ASSERT_FALSE(flowlog_full(&fl, high - 1), "high - 1 made: not full");
	n = flowlog_sweep(&fl, &s, now, high - 1, FLOWLOG_TIMEOUT);
	ASSERT_EQ(n, 0, "below the mark: no record");

	/* One more busy flow and IDLE idle ones: at the mark. */
	k = key4(1 + (high - 1) % 200, 20000 + high - 1, 5, 445);
	st.id = high;
	st.first_seen_ns = st.last_seen_ns = now - 1000000ULL;
	busy[high - 1].key = k;
	busy[high - 1].last_seen_ns = st.last_seen_ns;
	ASSERT_OK(bpf_map_update_elem(fd, &k, &st, BPF_NOEXIST), "insert the last busy one");
	for (unsigned int i = 0; i < IDLE; i++) {
		k = key4(1 + i, 60000, 6, 445);
		st.id = high + 1 + i;
		st.first_seen_ns = st.last_seen_ns = now - 100 * S;
		ASSERT_OK(bpf_map_update_elem(fd, &k, &st, BPF_NOEXIST), "insert idle");
	}
	made = high + IDLE;
	ASSERT_TRUE(flowlog_full(&fl, made), "the flows made since the walk reach the mark");
	n = flowlog_sweep(&fl, &s, now, made, FLOWLOG_TIMEOUT);
	ASSERT_EQ(n, (int)(IDLE + high - fl.low), "the idle ones, then down to low");
	ASSERT_EQ(fl.forced, high - fl.low, "forced: counted");
	ASSERT_OK(flowlog_count(fd, &count), "count");
	ASSERT_EQ(count, fl.low, "low entries left");
	ASSERT_EQ(flowlog_evicted(made, count, fl.removed), 0, "none evicted");
	ASSERT_FALSE(flowlog_full(&fl, made), "after the sweep: not full");
	ASSERT_TRUE(flowlog_full(&fl, made + high - fl.low), "full again after as many new flows");

	/* The least recently seen busy flows went, ties by key, the newer
	 * stayed. */
	qsort(busy, high, sizeof(*busy), busy_cmp);
	for (unsigned int i = 0; i < high; i++) {
		if (i < high - fl.low)
			gone_old += bpf_map_lookup_elem(fd, &busy[i].key, &got) != 0;
		else
			kept_new += bpf_map_lookup_elem(fd, &busy[i].key, &got) == 0;
	}
	ASSERT_EQ(gone_old, high - fl.low, "the least recently seen were forced, ties by key");
	ASSERT_EQ(kept_new, fl.low, "the rest kept");

	ASSERT_OK(jsonl_flush(w), "flush");
	rewind(f);
	while (fgets(buf, sizeof(buf), f)) {
		json_error_t jerr;
		const char *why;

		line = json_loads(buf, 0, &jerr);
		if (!ASSERT_OK_PTR(line, "valid JSON line"))
			break;
		why = jstr(json_object_get(line, "flow"), "reason");
		if (why && !strcmp(why, "forced"))
			forced++;
		else if (why && !strcmp(why, "timeout"))
			timeouts++;
		else
			other++;
		json_decref(line);
	}
	ASSERT_EQ(timeouts, IDLE, "reason timeout: the idle flows");
	ASSERT_EQ(forced, high - fl.low, "reason forced: the rest");
	ASSERT_EQ(other, 0, "no other reason");
out:
	free(busy);
	flowlog_fini(&fl);
	event_sink_fini(&s);
	jsonl_writer__free(w);
	fclose(f);
	close(fd);
}

/* A forced prune that max_per_sweep cuts short goes on in the sweeps that
 * follow, a second apart, below the high mark, until the low mark is left;
 * then it stops. */
void test_flowlog_forced_across_sweeps(void)
{
	const unsigned int MAX = 4096, PER = 200;
	int fd = flow_map(MAX);
	struct xh_flow_state st = {};
	struct jsonl_writer *w;
	struct event_sink s;
	struct flowlog fl;
	struct xh_flow_key k;
	uint64_t now = 500 * S, count = 0, want;
	unsigned int high, sweeps = 0;
	int n = 0;

	if (fd < 0)
		return;
	w = jsonl_writer__new(open("/dev/null", O_WRONLY), 1);
	event_sink_init(&s, w, NULL, NULL);
	ASSERT_OK(flowlog_init(&fl, fd, MAX, 60), "init");
	fl.max_per_sweep = PER;
	high = fl.high;
	st.pkts[XH_DIR_TOSERVER] = 1;
	for (unsigned int i = 0; i < high; i++) {
		k = key4(1 + i % 200, 20000 + i, 5, 445);
		st.id = i + 1;
		st.first_seen_ns = st.last_seen_ns = now - (uint64_t)(high - i) * 1000000ULL;
		if (!ASSERT_OK(bpf_map_update_elem(fd, &k, &st, BPF_NOEXIST), "insert busy"))
			goto out;
	}
	want = (high - fl.low + PER - 1) / PER;
	/* Bounded: one sweep more than the prune needs. */
	for (unsigned int i = 0; i <= want; i++) {
		n = flowlog_sweep(&fl, &s, now + i * S, high, FLOWLOG_TIMEOUT);
		if (n <= 0)
			break;
		sweeps++;
		ASSERT_TRUE(flowlog_due(&fl, now + i * S + CATCHUP) == (fl.forced < high - fl.low),
			    "the next sweep FLOWLOG_CATCHUP_MS later while the prune is not done");
	}
	ASSERT_EQ(n, 0, "then a sweep forces none");
	ASSERT_EQ(sweeps, want, "sweeps of max_per_sweep records until low");
	ASSERT_EQ(fl.forced, high - fl.low, "forced down to low");
	ASSERT_OK(flowlog_count(fd, &count), "count");
	ASSERT_EQ(count, fl.low, "low entries left");
out:
	flowlog_fini(&fl);
	event_sink_fini(&s);
	jsonl_writer__free(w);
	close(fd);
}
