// SPDX-License-Identifier: GPL-2.0
/* test_relay.c: ntlm.relay (user/relay.c): one NTLM logon's NT response on
 * two flows moments apart is a relay, reported once, on the second flow,
 * naming the first; a response seen again on its own flow, too late, or
 * not at all, is none. And the line `run` and `replay` write for it. */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "events.h"
#include "jsonl.h"
#include "relay.h"
#include "test.h"

#define SEC 1000000000ULL

static const uint8_t PROOF[XH_NTLM_PROOF_LEN] = {0x82, 0xf3, 0x5d, 0x2a, 0x16, 0xd6, 0xb3, 0xa0};

/* An smb.logon hit of @src:@sport to @dst:445 whose NT response starts
 * with @proof (NULL: none), naming XHLAB\hunter. */
static struct xh_event logon(const char *src, uint16_t sport, const char *dst, const uint8_t *proof)
{
	struct xh_event e = {};

	e.family = XH_AF_INET;
	e.proto = 6;
	inet_pton(AF_INET, src, &e.saddr[0]);
	inet_pton(AF_INET, dst, &e.daddr[0]);
	e.sport = htons(sport);
	e.dport = htons(445);
	e.rule = XH_RULE_SMB_LOGON;
	e.ifindex = 1;
	e.detail_kind = XH_DETAIL_SMB;
	e.d.smb.name_enc = XH_SMB_ENC_ASCII;
	e.d.smb.ntlm_len[0] = 5; /* domain, user, host */
	e.d.smb.ntlm_len[1] = 6;
	memcpy(e.name + XH_SMB_NTLM_DOMAIN_SLOT, "XHLAB", 5);
	memcpy(e.name + XH_SMB_NTLM_USER_SLOT, "hunter", 6);
	e.name_len = XH_SMB_NTLM_SLOT_END;
	if (proof)
		memcpy(e.d.smb.ntlm_proof, proof, XH_NTLM_PROOF_LEN);
	return e;
}

void test_relay_matches(void)
{
	struct xh_event victim = logon("192.0.2.70", 49566, "192.0.2.10", PROOF);
	struct xh_event relayed = logon("192.0.2.10", 41342, "192.0.2.200", PROOF);
	struct xh_event again = logon("192.0.2.10", 41343, "192.0.2.201", PROOF);
	struct xh_event none = logon("192.0.2.71", 49567, "192.0.2.10", NULL);
	struct relays *r = relays__new();
	struct relay_match m = {};
	uint8_t other[XH_NTLM_PROOF_LEN];
	char a[INET6_ADDRSTRLEN];
	uint64_t t = 1796687572ULL * SEC;

	if (!ASSERT_OK_PTR(r, "relays__new"))
		return;
	test_subtest("the same response on a second flow");
	ASSERT_EQ(relays_check(r, &victim, t, &m), 0, "the victim's logon: none yet");
	ASSERT_EQ(relays_check(r, &victim, t + 1000, &m), 0, "its retransmission: its own flow");
	ASSERT_EQ(relays_check(r, &relayed, t + 2000000, &m), 1, "forwarded: a relay");
	inet_ntop(AF_INET, m.first.saddr, a, sizeof(a));
	ASSERT_STREQ(a, "192.0.2.70", "the victim");
	inet_ntop(AF_INET, m.first.daddr, a, sizeof(a));
	ASSERT_STREQ(a, "192.0.2.10", "the relay");
	ASSERT_EQ(ntohs(m.first.sport), 49566, "the victim's port");
	ASSERT_EQ(m.first_ts_ns, t, "the first sighting's time");
	ASSERT_EQ(m.first_rule, XH_RULE_SMB_LOGON, "its rule");
	ASSERT_EQ(relays_check(r, &again, t + 3000000, &m), 0, "a third flow: reported once");
	ASSERT_EQ(relays_check(r, &relayed, t + 4000000, &m), 0, "the relayed flow again");

	test_subtest("no response, another response, another rule");
	ASSERT_EQ(relays_check(r, &none, t, &m), 0, "no NT response (anonymous)");
	ASSERT_EQ(relays_check(r, &none, t + 1, &m), 0, "no NT response again");
	memcpy(other, PROOF, sizeof(other));
	other[7] ^= 1;
	memcpy(victim.d.smb.ntlm_proof, other, sizeof(other));
	ASSERT_EQ(relays_check(r, &victim, t + 5 * SEC, &m), 0, "another logon of the victim");
	memcpy(relayed.d.smb.ntlm_proof, other, sizeof(other));
	relayed.rule = XH_RULE_SMB_ADMIN_SHARE;
	ASSERT_EQ(relays_check(r, &relayed, t + 5 * SEC + 1, &m), 0, "not a logon hit");
	relayed.rule = XH_RULE_SMB_LOGON;

	test_subtest("too late: a new first sighting");
	relays_clear(r);
	memcpy(victim.d.smb.ntlm_proof, PROOF, sizeof(PROOF));
	memcpy(relayed.d.smb.ntlm_proof, PROOF, sizeof(PROOF));
	ASSERT_EQ(relays_check(r, &victim, t, &m), 0, "first");
	ASSERT_EQ(relays_check(r, &relayed, t + (RELAY_WINDOW_S + 1) * SEC, &m), 0,
		  "past the window");
	ASSERT_EQ(relays_check(r, &again, t + (RELAY_WINDOW_S + 2) * SEC, &m), 1,
		  "within the window of the later one");
	inet_ntop(AF_INET, m.first.saddr, a, sizeof(a));
	ASSERT_STREQ(a, "192.0.2.10", "named from the later sighting");

	test_subtest("out of order: two CPUs' hits");
	relays_clear(r);
	ASSERT_EQ(relays_check(r, &victim, t + SEC, &m), 0, "the victim's, stamped later");
	ASSERT_EQ(relays_check(r, &relayed, t + SEC - 1000, &m), 1, "a microsecond before it");

	test_subtest("dcerpc.logon's response, forgotten by clear");
	relays_clear(r);
	ASSERT_EQ(relays_check(r, &victim, t, &m), 0, "over SMB");
	relayed.rule = XH_RULE_DCERPC_LOGON;
	relayed.detail_kind = XH_DETAIL_DCERPC;
	memset(&relayed.d, 0, sizeof(relayed.d));
	memcpy(relayed.d.dcerpc.ntlm_proof, PROOF, sizeof(PROOF));
	ASSERT_EQ(relays_check(r, &relayed, t + SEC, &m), 1, "relayed to DCE/RPC");
	relays_clear(r);
	ASSERT_EQ(relays_check(r, &again, t + 2 * SEC, &m), 0, "cleared: a first sighting");
	relays__free(r);
}

/* The hit: written after the relayed flow's smb.logon, on that flow, with
 * the victim's flow, T1557.001 and the account; once. */
void test_relay_hit_line(void)
{
	struct xh_event victim = logon("192.0.2.70", 49566, "192.0.2.10", PROOF);
	struct xh_event relayed = logon("192.0.2.10", 41342, "192.0.2.200", PROOF);
	struct jsonl_writer *w;
	struct event_sink s;
	char line[4096];
	FILE *f = tmpfile();
	int n = 0, relays = 0;

	if (!ASSERT_OK_PTR(f, "tmpfile"))
		return;
	w = jsonl_writer__new(fileno(f), 0);
	if (!ASSERT_OK_PTR(w, "writer"))
		goto out_file;
	event_sink_init(&s, w, NULL, "h");
	s.ts_override = 1;
	s.ts_override_ns = 1796687572ULL * SEC;
	ASSERT_OK(events_handle(&s, &victim, sizeof(victim)), "the victim's logon");
	s.ts_override_ns += 1892000;
	ASSERT_OK(events_handle(&s, &relayed, sizeof(relayed)), "the relayed logon");
	ASSERT_OK(events_handle(&s, &relayed, sizeof(relayed)), "again");
	relayed.rule = XH_RULE_NTLM_RELAY;
	ASSERT_OK(events_handle(&s, &relayed, sizeof(relayed)), "one from the kernel");
	ASSERT_EQ(s.bad_records, 1, "the kernel makes no ntlm.relay");
	ASSERT_EQ(s.events, 4, "three logons and the relay");
	ASSERT_EQ(s.relays_written, 1, "one relay");
	ASSERT_OK(jsonl_flush(w), "flush");
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		json_t *j = json_loads(line, 0, NULL), *rl, *nt;

		n++;
		if (!ASSERT_OK_PTR(j, "valid JSON"))
			continue;
		if (strcmp(json_string_value(json_object_get(j, "rule")), "ntlm.relay")) {
			json_decref(j);
			continue;
		}
		relays++;
		ASSERT_EQ(n, 3, "after the relayed flow's logon");
		ASSERT_STREQ(json_string_value(json_object_get(j, "src_ip")), "192.0.2.10",
			     "the relay's flow");
		ASSERT_STREQ(json_string_value(json_object_get(j, "dest_ip")), "192.0.2.200",
			     "to the target");
		ASSERT_STREQ(json_string_value(
				     json_object_get(json_object_get(j, "attack"), "technique_id")),
			     "T1557.001", "technique");
		rl = json_object_get(j, "relay");
		ASSERT_STREQ(json_string_value(json_object_get(rl, "victim_ip")), "192.0.2.70",
			     "victim");
		ASSERT_EQ(json_integer_value(json_object_get(rl, "victim_port")), 49566,
			  "victim port");
		ASSERT_STREQ(json_string_value(json_object_get(rl, "relay_ip")), "192.0.2.10",
			     "relay");
		ASSERT_EQ(json_integer_value(json_object_get(rl, "relay_port")), 445, "relay port");
		ASSERT_STREQ(json_string_value(json_object_get(rl, "victim_rule")), "smb.logon",
			     "victim rule");
		ASSERT_TRUE(json_real_value(json_object_get(rl, "seconds")) > 0.00189 &&
				    json_real_value(json_object_get(rl, "seconds")) < 0.00190,
			    "seconds between");
		ASSERT_OK_PTR(json_string_value(json_object_get(rl, "victim_community_id")),
			      "the victim flow's community_id");
		nt = json_object_get(j, "ntlmssp");
		ASSERT_STREQ(json_string_value(json_object_get(nt, "user")), "hunter", "account");
		ASSERT_NULL(json_object_get(j, "smb"), "no SMB object: the logon's line has it");
		json_decref(j);
	}
	ASSERT_EQ(n, 4, "four lines");
	ASSERT_EQ(relays, 1, "one ntlm.relay line");
	event_sink_fini(&s);
	jsonl_writer__free(w);
out_file:
	fclose(f);
}
