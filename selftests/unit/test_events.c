// SPDX-License-Identifier: GPL-2.0
/* test_events.c: the JSON line a hunter reads, from a kernel event. */
#include <arpa/inet.h>
#include <net/if.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "enrich.h"
#include "events.h"
#include "ioc.h"
#include "jsonl.h"
#include "test.h"

static struct xh_event tcp4_event(uint8_t rule)
{
	struct xh_event e = {};

	e.family = XH_AF_INET;
	e.proto = 6;
	inet_pton(AF_INET, "192.0.2.10", &e.saddr[0]);
	inet_pton(AF_INET, "203.0.113.66", &e.daddr[0]);
	e.sport = htons(40000);
	e.dport = htons(445);
	e.rule = rule;
	e.ifindex = 1;
	return e;
}

static json_t *format_parse(struct event_sink *s, const struct xh_event *e)
{
	json_error_t jerr;
	json_t *j;

	if (!ASSERT_OK(events_format(s, e, &s->jb), "format"))
		return NULL;
	j = json_loadb(s->jb.buf, s->jb.len, 0, &jerr);
	if (!ASSERT_OK_PTR(j, "valid JSON"))
		printf("  %s\n", jerr.text);
	return j;
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

void test_events_smb_line(void)
{
	struct xh_event e = tcp4_event(XH_RULE_SMB_CONNECT);
	struct event_sink s;
	json_t *j, *att;

	event_sink_init(&s, NULL, NULL, "sensor-1");
	s.ts_override = 1;
	s.ts_override_ns = 1763812227123456789ULL; /* 2025-11-22T11:50:27.123456Z */
	s.iface = "lab.pcap";
	e.vlan_count = 2;
	e.vlan[0] = 100;
	e.vlan[1] = 7;
	j = format_parse(&s, &e);
	if (!j)
		goto out;
	ASSERT_STREQ(jstr(j, "timestamp"), "2025-11-22T11:50:27.123456Z", "timestamp");
	ASSERT_STREQ(jstr(j, "event_type"), "hunt", "event_type");
	ASSERT_STREQ(jstr(j, "host"), "sensor-1", "host");
	ASSERT_STREQ(jstr(j, "in_iface"), "lab.pcap", "in_iface");
	ASSERT_STREQ(jstr(j, "src_ip"), "192.0.2.10", "src_ip");
	ASSERT_EQ(json_integer_value(json_object_get(j, "src_port")), 40000, "src_port");
	ASSERT_STREQ(jstr(j, "dest_ip"), "203.0.113.66", "dest_ip");
	ASSERT_EQ(json_integer_value(json_object_get(j, "dest_port")), 445, "dest_port");
	ASSERT_STREQ(jstr(j, "proto"), "TCP", "proto");
	ASSERT_STREQ(jstr(j, "rule"), "smb.connect", "rule");
	ASSERT_STREQ(jstr(j, "action"), "pass", "action");
	ASSERT_EQ(json_array_size(json_object_get(j, "vlan")), 2, "vlan ids");
	ASSERT_EQ(json_integer_value(json_array_get(json_object_get(j, "vlan"), 0)), 100, "outer");
	ASSERT_TRUE(json_is_integer(json_object_get(j, "flow_id")), "flow_id is an integer");
	ASSERT_EQ(strncmp(jstr(j, "community_id") ?: "", "1:", 2), 0, "community_id prefix");
	ASSERT_EQ(strlen(jstr(j, "community_id") ?: ""), 30, "community_id length");
	ASSERT_NULL(json_object_get(j, "ioc"), "no ioc object on smb rule");
	att = json_object_get(j, "attack");
	ASSERT_NULL(att, "smb.connect alone proves no technique");
	json_decref(j);
out:
	event_sink_fini(&s);
}

void test_events_flow_id_both_directions(void)
{
	struct xh_event a = tcp4_event(XH_RULE_SMB_CONNECT), b = a;
	struct event_sink s;
	json_t *ja, *jb;

	event_sink_init(&s, NULL, NULL, "h");
	memcpy(b.saddr, a.daddr, sizeof(a.saddr));
	memcpy(b.daddr, a.saddr, sizeof(a.saddr));
	b.sport = a.dport;
	b.dport = a.sport;
	ja = format_parse(&s, &a);
	jb = format_parse(&s, &b);
	if (ja && jb) {
		ASSERT_EQ(json_integer_value(json_object_get(ja, "flow_id")),
			  json_integer_value(json_object_get(jb, "flow_id")), "same flow_id");
		ASSERT_STREQ(jstr(ja, "community_id"), jstr(jb, "community_id"),
			     "same community_id");
		ASSERT_STREQ(jstr(ja, "src_ip"), "192.0.2.10", "a src");
		ASSERT_STREQ(jstr(jb, "src_ip"), "203.0.113.66", "b src keeps its orientation");
	}
	json_decref(ja);
	json_decref(jb);
	event_sink_fini(&s);
}

void test_events_ioc_line(void)
{
	char path[512];
	struct ioc_set *set = ioc_set__new();
	struct xh_event e = tcp4_event(XH_RULE_IOC_DEST);
	struct event_sink s;
	json_t *j, *ioc;

	snprintf(path, sizeof(path), "%s/ioc-good.txt", test_data_dir());
	if (!ASSERT_OK_PTR(set, "set") || !ASSERT_EQ(ioc_set_load_file(set, path), 3, "load feed"))
		goto out_set;
	e.ioc_id = 1; /* first line: 203.0.113.66 */
	event_sink_init(&s, NULL, set, "h");
	j = format_parse(&s, &e);
	if (j) {
		ioc = json_object_get(j, "ioc");
		ASSERT_STREQ(jstr(j, "rule"), "ioc.dest", "rule");
		ASSERT_STREQ(jstr(ioc, "indicator"), "203.0.113.66", "indicator");
		ASSERT_STREQ(jstr(ioc, "matched"), "dest_ip", "matched");
		ASSERT_STREQ(jstr(json_object_get(j, "attack"), "technique_id"), "T1071", "attack");
		json_decref(j);
	}
	e.rule = XH_RULE_IOC_SRC;
	e.ioc_id = 2;
	j = format_parse(&s, &e);
	if (j) {
		ioc = json_object_get(j, "ioc");
		ASSERT_STREQ(jstr(ioc, "indicator"), "198.51.100.0/24", "cidr indicator");
		ASSERT_STREQ(jstr(ioc, "matched"), "src_ip", "matched src");
		json_decref(j);
	}
	event_sink_fini(&s);
out_set:
	ioc_set__free(set);
}

void test_events_rejects_bad_records(void)
{
	struct xh_event e = tcp4_event(XH_RULE__MAX);
	struct event_sink s;

	event_sink_init(&s, NULL, NULL, "h");
	ASSERT_ERR(events_format(&s, &e, &s.jb), "unknown rule");
	e.rule = XH_RULE_SMB_CONNECT;
	e.family = 3;
	ASSERT_ERR(events_format(&s, &e, &s.jb), "unknown family");
	ASSERT_OK(events_handle(&s, &e, XH_EVENT_SHORT_SIZE - 1),
		  "short record is counted, not fatal");
	ASSERT_EQ(s.bad_records, 1, "short record counted");
	ASSERT_OK(events_handle(&s, &e, sizeof(e)), "bad family counted, not fatal");
	ASSERT_EQ(s.bad_records, 2, "bad family counted");
	event_sink_fini(&s);
}

/* Records end before name[] unless they carry a name (XH_EVENT_SHORT_SIZE):
 * each is copied into a buffer of exactly its size, so ASan catches a
 * consumer that reads past a record. */
void test_events_record_sizes(void)
{
	struct xh_event e = tcp4_event(XH_RULE_SMB_CONNECT);
	struct jsonl_writer *w;
	struct event_sink s;
	uint8_t *rec;
	FILE *f = tmpfile();
	char line[1024];
	json_t *j;

	if (!ASSERT_OK_PTR(f, "tmpfile"))
		return;
	w = jsonl_writer__new(fileno(f), 0);
	if (!ASSERT_OK_PTR(w, "writer"))
		goto out_file;
	event_sink_init(&s, w, NULL, "h");

	rec = malloc(XH_EVENT_SHORT_SIZE);
	if (ASSERT_OK_PTR(rec, "short record")) {
		memcpy(rec, &e, XH_EVENT_SHORT_SIZE);
		ASSERT_OK(events_handle(&s, rec, XH_EVENT_SHORT_SIZE), "short record");
		ASSERT_EQ(s.events, 1, "a short record is a hit");
		ASSERT_EQ(s.bad_records, 0, "and not a bad one");
		((struct xh_event *)rec)->name_len = 1;
		ASSERT_OK(events_handle(&s, rec, XH_EVENT_SHORT_SIZE), "name past the record");
		ASSERT_EQ(s.bad_records, 1, "a name past a short record is refused");
		ASSERT_OK(events_handle(&s, rec, XH_EVENT_SHORT_SIZE - 1), "shorter still");
		ASSERT_EQ(s.bad_records, 2, "a record shorter than the header is refused");
		free(rec);
	}
	e.name_len = XH_EVENT_NAME_MAX + 1;
	ASSERT_OK(events_handle(&s, &e, sizeof(e)), "name_len past name[]");
	ASSERT_EQ(s.bad_records, 3, "name_len past name[] is refused");
	ASSERT_EQ(s.events, 1, "no line for a refused record");

	ASSERT_OK(jsonl_flush(w), "flush");
	rewind(f);
	if (ASSERT_OK_PTR(fgets(line, sizeof(line), f), "one line written")) {
		j = json_loads(line, 0, NULL);
		if (ASSERT_OK_PTR(j, "valid JSON")) {
			ASSERT_STREQ(jstr(j, "rule"), "smb.connect", "rule of the short record");
			ASSERT_STREQ(jstr(j, "src_ip"), "192.0.2.10", "its flow");
			json_decref(j);
		}
	}
	ASSERT_NULL(fgets(line, sizeof(line), f), "and only one");
	event_sink_fini(&s);
	jsonl_writer__free(w);
out_file:
	fclose(f);
}

void test_events_ipv6_time(void)
{
	struct xh_event e = {};
	struct event_sink s;
	char ts[32];
	json_t *j;

	events_format_time(0, ts);
	ASSERT_STREQ(ts, "1970-01-01T00:00:00.000000Z", "epoch");
	events_format_time(1700000000999999999ULL, ts);
	ASSERT_STREQ(ts, "2023-11-14T22:13:20.999999Z", "truncates, never rounds up");

	e.family = XH_AF_INET6;
	e.proto = 17;
	inet_pton(AF_INET6, "2001:db8::1", e.saddr);
	inet_pton(AF_INET6, "2001:db8:c2::66", e.daddr);
	e.sport = htons(5353);
	e.dport = htons(53);
	e.rule = XH_RULE_IOC_DEST;
	e.ioc_id = 99; /* not in any set: the id is printed instead */
	event_sink_init(&s, NULL, NULL, "h");
	j = format_parse(&s, &e);
	if (j) {
		ASSERT_STREQ(jstr(j, "src_ip"), "2001:db8::1", "v6 src");
		ASSERT_STREQ(jstr(j, "dest_ip"), "2001:db8:c2::66", "v6 dst");
		ASSERT_STREQ(jstr(j, "proto"), "UDP", "udp");
		ASSERT_NULL(json_object_get(j, "vlan"), "no vlan key when untagged");
		ASSERT_EQ(json_integer_value(json_object_get(json_object_get(j, "ioc"), "id")), 99,
			  "unknown ioc id");
		json_decref(j);
	}
	event_sink_fini(&s);
}

/* A protocol without a name is its number as text, not a JSON number:
 * proto keeps one type for Elasticsearch's mapping (ioc.dest fires on any
 * IP protocol, GRE to a C2 address say). */
void test_events_proto_without_name(void)
{
	struct xh_event e = tcp4_event(XH_RULE_IOC_DEST);
	struct event_sink s;
	json_t *j;

	event_sink_init(&s, NULL, NULL, "h");
	s.iface = "a.pcap";
	e.proto = 47; /* GRE */
	e.sport = e.dport = 0;
	j = format_parse(&s, &e);
	ASSERT_STREQ(jstr(j, "proto"), "47", "GRE's number as text");
	ASSERT_NULL(json_object_get(j, "src_port"), "no ports for GRE");
	json_decref(j);
	event_sink_fini(&s);
}

void test_events_icmp_type_code(void)
{
	struct xh_event e = tcp4_event(XH_RULE_IOC_DEST);
	struct event_sink s;
	json_t *j;

	e.proto = 1;
	e.sport = htons(8); /* echo request */
	e.dport = htons(0);
	event_sink_init(&s, NULL, NULL, "h");
	j = format_parse(&s, &e);
	if (j) {
		ASSERT_STREQ(jstr(j, "proto"), "ICMP", "proto");
		ASSERT_EQ(json_integer_value(json_object_get(j, "icmp_type")), 8, "type");
		/* The code's place holds the reply's type (bpf/parse.h). */
		ASSERT_NULL(json_object_get(j, "icmp_code"), "no code for a request/reply pair");
		ASSERT_NULL(json_object_get(j, "src_port"), "no ports for ICMP");
		ASSERT_NULL(json_object_get(j, "dest_port"), "no ports for ICMP");
		json_decref(j);
	}
	e.sport = htons(3); /* destination unreachable */
	e.dport = htons(1); /* host unreachable */
	j = format_parse(&s, &e);
	if (j) {
		ASSERT_EQ(json_integer_value(json_object_get(j, "icmp_type")), 3, "one-way type");
		ASSERT_OK_PTR(json_object_get(j, "icmp_code"), "one-way: the code");
		ASSERT_EQ(json_integer_value(json_object_get(j, "icmp_code")), 1, "code");
		json_decref(j);
	}
	event_sink_fini(&s);
}

/* A finding made by a fragment without its L4 header (XH_EVENT_F_NO_PORTS):
 * the flow's 0s are no ports of the wire, so TCP shows none and ICMP no
 * type, where the same event with the flag clear shows them. */
void test_events_fragment_without_ports(void)
{
	struct xh_event e = tcp4_event(XH_RULE_IOC_DEST);
	struct event_sink s;
	json_t *j;

	event_sink_init(&s, NULL, NULL, "h");
	e.sport = e.dport = 0;
	j = format_parse(&s, &e);
	ASSERT_EQ(json_integer_value(json_object_get(j, "dest_port")), 0, "unflagged: port 0");
	json_decref(j);
	e.eflags = XH_EVENT_F_NO_PORTS;
	j = format_parse(&s, &e);
	if (j) {
		ASSERT_STREQ(jstr(j, "proto"), "TCP", "still TCP");
		ASSERT_NULL(json_object_get(j, "src_port"), "no src_port");
		ASSERT_NULL(json_object_get(j, "dest_port"), "no dest_port");
		ASSERT_STREQ(jstr(j, "dest_ip"), "203.0.113.66", "addresses kept");
		ASSERT_OK_PTR(jstr(j, "community_id"), "community_id kept");
		json_decref(j);
	}
	e.proto = 1;
	j = format_parse(&s, &e);
	if (j) {
		ASSERT_NULL(json_object_get(j, "icmp_type"), "ICMP: no type");
		ASSERT_NULL(json_object_get(j, "icmp_code"), "ICMP: no code");
		json_decref(j);
	}
	event_sink_fini(&s);
}

/* The host and in_iface text the sink keeps between hits follows the
 * strings and interfaces it was made from. */
void test_events_kept_text(void)
{
	struct xh_event e = tcp4_event(XH_RULE_SMB_CONNECT);
	char lo[IF_NAMESIZE] = "";
	struct event_sink s;
	json_t *j;

	event_sink_init(&s, NULL, NULL, "h1");
	s.iface = "a.pcap";
	j = format_parse(&s, &e);
	ASSERT_STREQ(jstr(j, "in_iface"), "a.pcap", "replay name");
	ASSERT_STREQ(jstr(j, "host"), "h1", "host");
	json_decref(j);
	s.iface = "b\"\\c.pcap";
	s.host = "h\"2";
	j = format_parse(&s, &e);
	ASSERT_STREQ(jstr(j, "in_iface"), "b\"\\c.pcap", "another name, escaped");
	ASSERT_STREQ(jstr(j, "host"), "h\"2", "another host, escaped");
	json_decref(j);
	ASSERT_HAS_SUBSTR(s.jb.buf, "\"host\":\"h\\\"2\",\"in_iface\":\"b\\\"\\\\c.pcap\"",
			  "escaped text");
	s.iface = NULL;
	s.host = NULL;
	if_indextoname(1, lo);
	j = format_parse(&s, &e);
	ASSERT_STREQ(jstr(j, "in_iface"), lo, "name of ifindex 1");
	ASSERT_TRUE(json_is_null(json_object_get(j, "host")), "no host: null");
	json_decref(j);
	e.ifindex = 0x7ffffff0; /* no such interface: the index, as text (one JSON type) */
	j = format_parse(&s, &e);
	ASSERT_STREQ(jstr(j, "in_iface"), "2147483632", "index as text");
	json_decref(j);
	e.ifindex = 1;
	event_sink_sync_clock(&s); /* forgets the name */
	j = format_parse(&s, &e);
	ASSERT_STREQ(jstr(j, "in_iface"), lo, "name again");
	json_decref(j);
	s.iface = "a.pcap";
	j = format_parse(&s, &e);
	ASSERT_STREQ(jstr(j, "in_iface"), "a.pcap", "replay name again");
	json_decref(j);
	event_sink_fini(&s);
}

/* The timestamp against gmtime_r() + strftime() and printf as the oracle, at
 * second boundaries (the per-second cache), leap days, and going back and
 * forth between seconds. */
static bool time_ok(uint64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000ULL);
	char got[32], want[64], date[32];
	struct tm tm;

	gmtime_r(&sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(want, sizeof(want), "%s.%06uZ", date, (unsigned int)(ns % 1000000000ULL / 1000));
	events_format_time(ns, got);
	if (!strcmp(got, want))
		return true;
	return ASSERT_STREQ(got, want, "timestamp");
}

void test_events_time_oracle(void)
{
	static const char *const days[] = {
		"1970-01-01T00:00:00", "1999-12-31T23:59:59", "2000-02-28T23:59:59",
		"2000-02-29T23:59:59", "2023-02-28T23:59:59", "2024-02-28T23:59:59",
		"2024-02-29T23:59:59", "2024-12-31T23:59:59", "2038-01-19T03:14:07",
		"2100-02-28T23:59:59", "2400-02-29T23:59:59", "2554-07-21T23:34:32",
	};
	uint64_t s = 1;
	char ts[32];
	int bad = 0;

	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		struct tm tm = {};
		uint64_t sec;

		if (!ASSERT_OK_PTR(strptime(days[i], "%Y-%m-%dT%H:%M:%S", &tm), days[i]))
			continue;
		sec = (uint64_t)timegm(&tm);
		/* the last nanosecond of the second, the next second, back again */
		bad += !time_ok(sec * 1000000000ULL + 999999999ULL);
		bad += !time_ok((sec + 1) * 1000000000ULL);
		bad += !time_ok((sec + 1) * 1000000000ULL + 1000);
		bad += !time_ok(sec * 1000000000ULL);
		bad += !time_ok((sec + 1) * 1000000000ULL + 999999000ULL);
	}
	/* many seconds, in and out of order, every microsecond width, up to
	 * the last nanosecond a u64 holds (2554-07-21T23:34:33.709551Z) */
	for (int i = 0; i < 20000 && bad < 5; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		bad += !time_ok(s);
		bad += !time_ok(s % (4102444800ULL * 1000000000ULL)); /* to 2100 */
	}
	bad += !time_ok(UINT64_MAX);
	bad += !time_ok(0);
	ASSERT_EQ(bad, 0, "timestamps that differ from gmtime_r/strftime");
	events_format_time(UINT64_MAX, ts);
	ASSERT_STREQ(ts, "2554-07-21T23:34:33.709551Z", "u64 end");
}

/* The Community ID kept for the last flow is the one computed afresh. */
void test_events_flow_id_kept(void)
{
	struct xh_event a = tcp4_event(XH_RULE_SMB_CONNECT), b = a, bad = a;
	char ida[COMMUNITY_ID_LEN], idb[COMMUNITY_ID_LEN];
	struct xh_flow_key ka = {}, kb = {};
	struct event_sink s;
	json_t *j;

	b.sport = htons(40001);
	bad.family = 0;
	memcpy(ka.saddr, a.saddr, 16);
	memcpy(ka.daddr, a.daddr, 16);
	ka.sport = a.sport;
	ka.dport = a.dport;
	ka.proto = a.proto;
	ka.family = a.family;
	kb = ka;
	kb.sport = b.sport;
	community_id_v1(&ka, 0, ida);
	community_id_v1(&kb, 0, idb);
	event_sink_init(&s, NULL, NULL, "h");
	for (int i = 0; i < 6; i++) {
		const struct xh_event *e = i == 2 || i == 3 ? &b : &a; /* a - b b a a */

		if (i == 1) {
			ASSERT_ERR(events_format(&s, &bad, &s.jb), "not a flow: refused");
			continue;
		}
		j = format_parse(&s, e);
		ASSERT_STREQ(jstr(j, "community_id"), e == &a ? ida : idb, "community id");
		ASSERT_EQ(json_integer_value(json_object_get(j, "flow_id")),
			  community_id_flow_id(e == &a ? &ka : &kb), "flow id");
		json_decref(j);
	}
	event_sink_fini(&s);
}

/* The per-source and per-pair windows' objects (user/sweep.c): which
 * object, which count's name, the technique. */
void test_events_window_objects(void)
{
	static const struct {
		uint8_t rule;
		uint16_t dport; /* 0: tcp4_event()'s */
		const char *obj, *service, *count, *technique;
	} cases[] = {
		{XH_RULE_SCAN_SMB_SWEEP, 0, "scan", "smb", "distinct_destinations", "T1046"},
		{XH_RULE_SCAN_PORT_SCAN, 0, "scan", "tcp", "distinct_ports", "T1046"},
		{XH_RULE_SMB_BRUTE_FORCE, 0, "brute_force", "smb", "failed_logons", "T1110"},
		{XH_RULE_KRB_BRUTE_FORCE, 88, "brute_force", "kerberos", "failed_logons", "T1110"},
		/* scan.service_sweep names the service by the port */
		{XH_RULE_SCAN_SERVICE_SWEEP, 3389, "scan", "rdp", "distinct_destinations", "T1046"},
		{XH_RULE_SCAN_SERVICE_SWEEP, 22, "scan", "ssh", "distinct_destinations", "T1046"},
		{XH_RULE_SCAN_SERVICE_SWEEP, 5986, "scan", "winrm", "distinct_destinations",
		 "T1046"},
		{XH_RULE_SCAN_SERVICE_SWEEP, 5900, "scan", "vnc", "distinct_destinations", "T1046"},
		{XH_RULE_SCAN_SERVICE_SWEEP, 135, "scan", "rpc", "distinct_destinations", "T1046"},
		{XH_RULE_SCAN_SERVICE_SWEEP, 8443, "scan", "tcp", "distinct_destinations", "T1046"},
	};
	struct event_sink s;

	event_sink_init(&s, NULL, NULL, "sensor-1");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xh_event e = tcp4_event(cases[i].rule);
		json_t *j, *o;

		test_subtest("%s %s", enrich_rule_name(cases[i].rule), cases[i].service);
		if (cases[i].dport)
			e.dport = htons(cases[i].dport);
		e.detail_kind = XH_DETAIL_SWEEP;
		e.d.sweep.distinct = 17 + (uint32_t)i;
		e.d.sweep.threshold = 16;
		e.d.sweep.window_s = 60;
		e.d.sweep.tcp_flags = 0xc2;
		j = format_parse(&s, &e);
		if (!j)
			continue;
		o = json_object_get(j, cases[i].obj);
		ASSERT_STREQ(jstr(o, "service"), cases[i].service, "service");
		ASSERT_EQ(json_integer_value(json_object_get(o, cases[i].count)), 17 + (int)i,
			  cases[i].count);
		ASSERT_EQ(json_integer_value(json_object_get(o, "threshold")), 16, "threshold");
		ASSERT_EQ(json_integer_value(json_object_get(o, "window_s")), 60, "window_s");
		if (!strcmp(cases[i].obj, "scan")) {
			/* a SYN that offered ECN (SYN, ECE, CWR) */
			ASSERT_STREQ(jstr(o, "probe"), "syn", "probe");
			ASSERT_STREQ(jstr(o, "tcp_flags"), "c2", "tcp_flags");
			ASSERT_EQ(json_object_size(o), 6, "nothing else");
		} else {
			ASSERT_EQ(json_object_size(o), 4, "nothing else");
		}
		ASSERT_STREQ(jstr(json_object_get(j, "attack"), "technique_id"), cases[i].technique,
			     "technique");
		/* the other rules' object is not there */
		ASSERT_NULL(
			json_object_get(j, strcmp(cases[i].obj, "scan") ? "scan" : "brute_force"),
			"one object");
		json_decref(j);
	}
	event_sink_fini(&s);
}

/* A scan's probe, named as nmap names its scans, with its flags in hex. */
void test_events_scan_probe(void)
{
	static const struct {
		uint8_t flags;
		const char *probe, *hex;
	} cases[] = {
		{0x02, "syn", "02"},   {0x01, "fin", "01"},   {0x00, "null", "00"},
		{0x29, "xmas", "29"},  {0x03, "other", "03"}, /* SYN and FIN */
		{0x41, "fin", "41"},			      /* FIN with ECE */
		{0x20, "other", "20"},			      /* URG alone */
	};
	struct event_sink s;

	event_sink_init(&s, NULL, NULL, "sensor-1");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xh_event e = tcp4_event(XH_RULE_SCAN_PORT_SCAN);
		json_t *j, *o;

		test_subtest("flags 0x%02x", cases[i].flags);
		e.detail_kind = XH_DETAIL_SWEEP;
		e.d.sweep.distinct = 16;
		e.d.sweep.threshold = 16;
		e.d.sweep.window_s = 60;
		e.d.sweep.tcp_flags = cases[i].flags;
		j = format_parse(&s, &e);
		if (!j)
			continue;
		o = json_object_get(j, "scan");
		ASSERT_STREQ(jstr(o, "probe"), cases[i].probe, "probe");
		ASSERT_STREQ(jstr(o, "tcp_flags"), cases[i].hex, "tcp_flags");
		json_decref(j);
	}
	event_sink_fini(&s);
}

/* A UDP scan (bpf/parse.h xh_udp_probe()): its service is UDP, its probe an
 * empty datagram, or one its target answered "port unreachable", and it
 * has no TCP flags to give. */
void test_events_scan_udp(void)
{
	struct xh_event e = tcp4_event(XH_RULE_SCAN_PORT_SCAN);
	struct event_sink s;
	json_t *j, *o;

	event_sink_init(&s, NULL, NULL, "sensor-1");
	e.proto = IPPROTO_UDP;
	e.detail_kind = XH_DETAIL_SWEEP;
	e.d.sweep.distinct = 16;
	e.d.sweep.threshold = 16;
	e.d.sweep.window_s = 60;
	j = format_parse(&s, &e);
	if (j) {
		o = json_object_get(j, "scan");
		ASSERT_STREQ(jstr(j, "proto"), "UDP", "proto");
		ASSERT_STREQ(jstr(o, "service"), "udp", "service");
		ASSERT_EQ(json_integer_value(json_object_get(o, "distinct_ports")), 16, "ports");
		ASSERT_STREQ(jstr(o, "probe"), "empty", "probe");
		ASSERT_NULL(json_object_get(o, "tcp_flags"), "no tcp_flags");
		ASSERT_STREQ(jstr(json_object_get(j, "attack"), "technique_id"), "T1046",
			     "technique");
		json_decref(j);
	}
	/* reached by a datagram with a payload that the target answered
	 * "port unreachable" (bpf/icmp_quote.bpf.h) */
	e.d.sweep.unreachable = 1;
	j = format_parse(&s, &e);
	if (j) {
		o = json_object_get(j, "scan");
		ASSERT_STREQ(jstr(o, "probe"), "unreachable", "probe");
		ASSERT_NULL(json_object_get(o, "tcp_flags"), "no tcp_flags");
		json_decref(j);
	}
	event_sink_fini(&s);
}

/* kerberos.brute_force's accounts (xh_sweep_detail.accounts, read by the
 * kernel from the failures' AS-REQs) pick the technique as smb.brute_force's
 * logon hits do, and appear in its object when any was read. */
void test_events_kerberos_accounts(void)
{
	static const struct {
		uint32_t failed, accounts;
		const char *technique;
	} cases[] = {
		{10, 0, "T1110"},     /* no request seen: the object says no accounts */
		{10, 1, "T1110.001"}, /* one account: guessing */
		{10, 9, "T1110.003"}, /* nine accounts: spraying */
		{10, 5, "T1110.003"}, /* each tried twice */
		{10, 4, "T1110"},     /* some tried more than twice */
	};
	struct event_sink s;

	event_sink_init(&s, NULL, NULL, "sensor-1");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct xh_event e = tcp4_event(XH_RULE_KRB_BRUTE_FORCE);
		json_t *j, *o, *acc;

		test_subtest("%u failures, %u accounts", cases[i].failed, cases[i].accounts);
		e.dport = htons(88);
		e.detail_kind = XH_DETAIL_SWEEP;
		e.d.sweep.distinct = cases[i].failed;
		e.d.sweep.threshold = 10;
		e.d.sweep.window_s = 60;
		e.d.sweep.accounts = cases[i].accounts;
		j = format_parse(&s, &e);
		if (!j)
			continue;
		o = json_object_get(j, "brute_force");
		acc = json_object_get(o, "accounts");
		if (cases[i].accounts)
			ASSERT_EQ(json_integer_value(acc), (json_int_t)cases[i].accounts,
				  "accounts");
		else
			ASSERT_NULL(acc, "no accounts key");
		ASSERT_STREQ(jstr(json_object_get(j, "attack"), "technique_id"), cases[i].technique,
			     "technique");
		json_decref(j);
	}
	event_sink_fini(&s);
}
