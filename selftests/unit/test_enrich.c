// SPDX-License-Identifier: GPL-2.0
/* test_enrich.c: every rule, action and protocol has its name; every ATT&CK
 * reference is well formed. */
#include <ctype.h>
#include <linux/types.h>
#include "test.h"
#include "xh_abi.h"
#include "dcerpc_table.h"
#include "enrich.h"
#include "jsonl.h"

/* "T" + 4 digits, optionally "." + 3 digits */
static bool technique_id_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n != 5 && n != 9)
		return false;
	if (id[0] != 'T')
		return false;
	for (size_t i = 1; i < 5; i++)
		if (!isdigit((unsigned char)id[i]))
			return false;
	if (n == 5)
		return true;
	if (id[5] != '.')
		return false;
	for (size_t i = 6; i < 9; i++)
		if (!isdigit((unsigned char)id[i]))
			return false;
	return true;
}

static bool tactic_ok(const char *t)
{
	static const char *const tactics[] = {
		"reconnaissance",  "resource-development",
		"initial-access",  "execution",
		"persistence",	   "privilege-escalation",
		"defense-evasion", "credential-access",
		"discovery",	   "lateral-movement",
		"collection",	   "command-and-control",
		"exfiltration",	   "impact",
	};

	for (size_t i = 0; t && i < sizeof(tactics) / sizeof(tactics[0]); i++)
		if (strcmp(t, tactics[i]) == 0)
			return true;
	return false;
}

/* Rule numbers reserved for a module merged from another branch (SMB rules
 * 5-10, issue 3) are unnamed until that merge. */
static bool rule_reserved_elsewhere(unsigned int r)
{
	return r >= 5 && r <= 10 && !enrich_rule_name(r);
}

void test_enrich_names(void)
{
	ASSERT_NULL(enrich_rule_name(XH_RULE_NONE), "none has no name");
	for (unsigned int r = XH_RULE_NONE + 1; r < XH_RULE__MAX; r++) {
		if (rule_reserved_elsewhere(r))
			continue;
		test_subtest("rule %u", r);
		ASSERT_OK_PTR(enrich_rule_name(r), "rule has a name");
		for (unsigned int o = XH_RULE_NONE + 1; o < r; o++)
			ASSERT_FALSE(enrich_rule_name(r) && enrich_rule_name(o) &&
					     strcmp(enrich_rule_name(r), enrich_rule_name(o)) == 0,
				     "rule names unique");
	}
	test_subtest_end();
	ASSERT_STREQ(enrich_rule_name(XH_RULE_SMB_CONNECT), "smb.connect", "smb");
	ASSERT_STREQ(enrich_rule_name(XH_RULE_RPC_CONNECT), "rpc.connect", "rpc");
	ASSERT_STREQ(enrich_rule_name(XH_RULE_IOC_DEST), "ioc.dest", "ioc.dest");
	ASSERT_STREQ(enrich_rule_name(XH_RULE_IOC_SRC), "ioc.src", "ioc.src");
	ASSERT_STREQ(enrich_rule_name(XH_RULE_IOC_DNS), "ioc.dns", "ioc.dns");
	ASSERT_STREQ(enrich_rule_name(XH_RULE_IOC_TLS_SNI), "ioc.tls_sni", "ioc.tls_sni");
	ASSERT_STREQ(enrich_action_name(XH_ACTION_DROP), "drop", "drop");
	ASSERT_NULL(enrich_rule_name(XH_RULE__MAX), "past the end");
	ASSERT_NULL(enrich_rule_name(~0u), "huge");

	for (unsigned int a = 0; a < XH_ACTION__MAX; a++)
		ASSERT_OK_PTR(enrich_action_name(a), "action has a name");
	ASSERT_STREQ(enrich_action_name(XH_ACTION_PASS), "pass", "pass");
	ASSERT_NULL(enrich_action_name(XH_ACTION__MAX), "unknown action");

	ASSERT_STREQ(enrich_proto_name(1), "ICMP", "icmp");
	ASSERT_STREQ(enrich_proto_name(6), "TCP", "tcp");
	ASSERT_STREQ(enrich_proto_name(17), "UDP", "udp");
	ASSERT_STREQ(enrich_proto_name(58), "IPv6-ICMP", "icmpv6");
	ASSERT_NULL(enrich_proto_name(47), "gre has none");
	ASSERT_NULL(enrich_proto_name(256), "out of range");
}

void test_enrich_attack(void)
{
	const struct attack_ref *a;

	ASSERT_NULL(enrich_rule_attack(XH_RULE_NONE), "none maps to nothing");
	ASSERT_NULL(enrich_rule_attack(XH_RULE__MAX), "past the end");
	for (unsigned int r = XH_RULE_NONE + 1; r < XH_RULE__MAX; r++) {
		if (rule_reserved_elsewhere(r))
			continue;
		/* dcerpc.*: the technique is the interface's or operation's
		 * (user/dcerpc.c, test_dcerpc.c), not the rule's; connection
		 * and context rules prove no technique, nor does SMB1 (old
		 * clients and appliances speak it as well as exploits), nor a
		 * logon naming its account. */
		if (r == XH_RULE_DCERPC_BIND || r == XH_RULE_DCERPC_CALL ||
		    r == XH_RULE_SMB_CONNECT || r == XH_RULE_RPC_CONNECT ||
		    r == XH_RULE_SMB_IPC_SHARE || r == XH_RULE_SMB_NAMED_PIPE ||
		    r == XH_RULE_SMB_ENCRYPTED || r == XH_RULE_SMB_V1 || r == XH_RULE_SMB_LOGON ||
		    r == XH_RULE_DCERPC_LOGON || r == XH_RULE_RDP_CONNECT ||
		    r == XH_RULE_SSH_CONNECT) {
			ASSERT_NULL(enrich_rule_attack(r), "no technique of its own");
			continue;
		}
		test_subtest("%s", enrich_rule_name(r) ? enrich_rule_name(r) : "?");
		a = enrich_rule_attack(r);
		if (!ASSERT_OK_PTR(a, "every current rule maps to a technique"))
			continue;
		ASSERT_TRUE(technique_id_ok(a->technique_id), "technique id is Tnnnn[.nnn]");
		ASSERT_TRUE(a->technique && *a->technique, "technique name");
		/* a sub-technique's name is "Parent: Sub" */
		if (a->technique_id && strchr(a->technique_id, '.'))
			ASSERT_HAS_SUBSTR(a->technique, ": ", "sub-technique name");
		ASSERT_TRUE(tactic_ok(a->tactic), "tactic is an ATT&CK short name");
	}
	test_subtest_end();

	a = enrich_rule_attack(XH_RULE_SMB_ADMIN_SHARE);
	if (ASSERT_OK_PTR(a, "admin share")) {
		ASSERT_STREQ(a->technique_id, "T1021.002", "admin share id");
		ASSERT_STREQ(a->technique, "Remote Services: SMB/Windows Admin Shares", "name");
		ASSERT_STREQ(a->tactic, "lateral-movement", "tactic");
	}
	ASSERT_NULL(enrich_rule_attack(XH_RULE_SMB_CONNECT), "a connection to 445 is no technique");
	ASSERT_NULL(enrich_rule_attack(XH_RULE_RPC_CONNECT), "a connection to 135 is no technique");
	/* RDP and SSH: context on their own ports, T1571 on any other */
	ASSERT_NULL(enrich_event_attack(XH_RULE_RDP_CONNECT, 6, 3389), "rdp on 3389");
	ASSERT_NULL(enrich_event_attack(XH_RULE_SSH_CONNECT, 6, 22), "ssh on 22");
	a = enrich_event_attack(XH_RULE_RDP_CONNECT, 6, 443);
	if (ASSERT_OK_PTR(a, "rdp on 443"))
		ASSERT_STREQ(a->technique_id, "T1571", "rdp on 443: Non-Standard Port");
	a = enrich_event_attack(XH_RULE_SSH_CONNECT, 6, 3389);
	if (ASSERT_OK_PTR(a, "ssh on 3389"))
		ASSERT_STREQ(a->technique_id, "T1571", "ssh on 3389: Non-Standard Port");
	ASSERT_NULL(enrich_event_attack(XH_RULE_SMB_CONNECT, 6, 22), "smb.connect stays none");
	for (unsigned int r = XH_RULE_IOC_DEST; r <= XH_RULE_IOC_SRC; r++) {
		a = enrich_rule_attack(r);
		if (ASSERT_OK_PTR(a, "ioc")) {
			ASSERT_STREQ(a->technique_id, "T1071", "ioc id");
			ASSERT_STREQ(a->technique, "Application Layer Protocol", "ioc name");
			ASSERT_STREQ(a->tactic, "command-and-control", "ioc tactic");
		}
	}
}

/* @a's JSON text (made when compiling, or when the SMB rules are read) is
 * the one jbuf renders and escapes from its three strings. */
bool attack_json_matches(const struct attack_ref *a)
{
	struct attack_ref plain = {a->technique_id, a->technique, a->tactic, NULL, 0};
	struct jbuf want;
	bool ok;

	if (!ASSERT_OK_PTR(a->json, "reference has its JSON text"))
		return false;
	jbuf_init(&want);
	enrich_attack_obj(&want, NULL, &plain);
	ok = ASSERT_EQ(a->json_len, want.len, "JSON length") &&
	     ASSERT_STREQ(a->json, want.buf, a->technique_id);
	jbuf_free(&want);
	return ok;
}

void test_enrich_attack_json(void)
{
	struct dcerpc_table *t = dcerpc_table__new();
	struct jbuf b;

	for (unsigned int r = 0; r < XH_RULE__MAX; r++)
		if (enrich_rule_attack(r))
			attack_json_matches(enrich_rule_attack(r));
	/* and the one a raw C2 channel gets instead (T1095) */
	attack_json_matches(enrich_event_attack(XH_RULE_IOC_DEST, 17, 4444));
	/* and a remote service's on a port not its own (T1571) */
	attack_json_matches(enrich_event_attack(XH_RULE_SSH_CONNECT, 6, 2222));
	/* every technique the DCE/RPC table can name */
	if (ASSERT_OK_PTR(t, "table") && ASSERT_GE(dcerpc_table_load_builtin(t), 1, "built in")) {
		for (size_t i = 0; i < t->n_ifs; i++)
			for (int k = 0; k < t->ifs[i].n_tech; k++)
				attack_json_matches(t->ifs[i].tech[k]);
		for (size_t i = 0; i < t->n_ops; i++)
			for (int k = 0; k < t->ops[i].n_tech; k++)
				attack_json_matches(t->ops[i].tech[k]);
	}
	dcerpc_table__free(t);

	/* keyed member and array element, with and without the text */
	jbuf_init(&b);
	jbuf_obj_begin(&b);
	enrich_attack_obj(&b, "attack", enrich_rule_attack(XH_RULE_IOC_DEST));
	jbuf_key_arr_begin(&b, "all");
	enrich_attack_obj(&b, NULL, enrich_rule_attack(XH_RULE_IOC_DEST));
	enrich_attack_obj(&b, NULL, &(struct attack_ref){"T1", "a\"b", "c", NULL, 0});
	jbuf_arr_end(&b);
	jbuf_obj_end(&b);
	ASSERT_STREQ(b.buf,
		     "{\"attack\":{\"technique_id\":\"T1071\",\"technique\":\"Application Layer "
		     "Protocol\",\"tactic\":\"command-and-control\"},\"all\":[{\"technique_id\":"
		     "\"T1071\",\"technique\":\"Application Layer Protocol\",\"tactic\":\"command-"
		     "and-control\"},{\"technique_id\":\"T1\",\"technique\":\"a\\\"b\",\"tactic\":"
		     "\"c\"}]}",
		     "members and elements");
	jbuf_free(&b);
}
