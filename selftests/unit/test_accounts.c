// SPDX-License-Identifier: GPL-2.0
/* test_accounts.c: user/accounts.c: an smb.logon hit's "ntlmssp" object
 * (UTF-16LE and OEM names, escaped, empty, cut), kept for the flow's later
 * hits, not for another flow's nor after a slot's new flow or a clear;
 * names that are not text refused. The accounts a client named in a window,
 * and what they make of a brute force: guessing or spraying. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include "test.h"
#include "accounts.h"
#include "enrich.h"

static void logon(struct xh_event *e, const char *dom, const char *user, const char *host,
		  int utf16)
{
	const char *names[3] = {dom, user, host};
	const unsigned int slot[3] = {XH_SMB_NTLM_DOMAIN_SLOT, XH_SMB_NTLM_USER_SLOT,
				      XH_SMB_NTLM_HOST_SLOT};

	memset(e, 0, sizeof(*e));
	e->family = XH_AF_INET;
	e->saddr[0] = htonl(0xc000020a); /* 192.0.2.10, the client */
	e->rule = XH_RULE_SMB_LOGON;
	e->detail_kind = XH_DETAIL_SMB;
	e->d.smb.name_enc = utf16 ? XH_SMB_ENC_UTF16LE : XH_SMB_ENC_ASCII;
	e->name_len = XH_SMB_NTLM_SLOT_END;
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(names[i]);

		for (size_t j = 0; j < n; j++) {
			if (utf16)
				e->name[slot[i] + 2 * j] = (uint8_t)names[i][j];
			else
				e->name[slot[i] + j] = (uint8_t)names[i][j];
		}
		e->d.smb.ntlm_len[i] = (uint8_t)(utf16 ? 2 * n : n);
	}
}

static uint64_t now_ns = 1000ULL * 1000000000ULL;

static const char *json(struct accounts *a, const struct xh_event *e, const struct xh_flow_key *k,
			uint64_t id, int *err)
{
	static struct jbuf b;

	jbuf_free(&b);
	jbuf_init(&b);
	jbuf_obj_begin(&b);
	*err = accounts_hit_json(a, e, k, id, now_ns, &b);
	jbuf_obj_end(&b);
	jbuf_raw(&b, "", 1);
	return b.buf;
}

void test_accounts_join(void)
{
	struct accounts *a = accounts__new();
	struct xh_flow_key k1 = {.sport = 1, .family = XH_AF_INET}, k2 = k1;
	struct xh_event e, other = {.rule = XH_RULE_SMB_ADMIN_SHARE};
	int err;

	if (!ASSERT_OK_PTR(a, "new"))
		return;
	k2.sport = 2;
	ASSERT_STREQ(json(a, &other, &k1, 7, &err), "{}", "no logon yet: nothing");

	logon(&e, "CORP", "adm\"in", "WS01", 1);
	ASSERT_STREQ(json(a, &e, &k1, 7, &err),
		     "{\"ntlmssp\":{\"domain\":\"CORP\",\"user\":\"adm\\\"in\",\"host\":\"WS01\"}}",
		     "the logon's own, escaped");
	ASSERT_OK(err, "ok");
	ASSERT_STREQ(json(a, &other, &k1, 7, &err),
		     "{\"ntlmssp\":{\"domain\":\"CORP\",\"user\":\"adm\\\"in\",\"host\":\"WS01\"}}",
		     "a later hit of the flow");
	ASSERT_STREQ(json(a, &other, &k2, 7, &err), "{}",
		     "another flow with the same id (a hash collision): nothing");
	ASSERT_STREQ(json(a, &other, &k2, 8, &err), "{}", "another flow: nothing");

	logon(&e, "", "", "KALI", 0);
	e.d.smb.flags = XH_SMB_F_NTLM_CUT;
	ASSERT_STREQ(json(a, &e, &k2, 7 + ACCOUNTS_SLOTS, &err),
		     "{\"ntlmssp\":{\"domain\":\"\",\"user\":\"\",\"host\":\"KALI\","
		     "\"truncated\":true}}",
		     "anonymous, OEM, cut");
	ASSERT_STREQ(json(a, &other, &k1, 7, &err), "{}",
		     "the slot's new flow: the old flow's account is forgotten");
	ASSERT_STREQ(json(a, &other, &k2, 7 + ACCOUNTS_SLOTS, &err),
		     "{\"ntlmssp\":{\"domain\":\"\",\"user\":\"\",\"host\":\"KALI\","
		     "\"truncated\":true}}",
		     "the new flow's");
	accounts_clear(a);
	ASSERT_STREQ(json(a, &other, &k2, 7 + ACCOUNTS_SLOTS, &err), "{}", "cleared");

	logon(&e, "CORP", "bob", "WS", 1);
	e.name[XH_SMB_NTLM_USER_SLOT] = 0x01; /* a control character */
	ASSERT_STREQ(json(a, &e, &k1, 9, &err), "{}", "not text: nothing");
	ASSERT_EQ(err, -EILSEQ, "refused");
	logon(&e, "CORP", "bob", "WS", 1);
	e.d.smb.ntlm_len[0] = 65; /* past the domain's slot */
	json(a, &e, &k1, 9, &err);
	ASSERT_EQ(err, -EILSEQ, "a length past the slot");
	logon(&e, "CORP", "bob", "WS", 1);
	e.d.smb.ntlm_len[1] = 3; /* odd UTF-16 */
	json(a, &e, &k1, 9, &err);
	ASSERT_EQ(err, -EILSEQ, "odd UTF-16");
	ASSERT_STREQ(json(a, &other, &k1, 9, &err), "{}", "nothing kept of them");

	/* dcerpc.logon: the lengths, encoding and cut flag of the dcerpc detail */
	logon(&e, "CORP", "svc", "WS", 1);
	e.rule = XH_RULE_DCERPC_LOGON;
	e.detail_kind = XH_DETAIL_DCERPC;
	memset(&e.d, 0, sizeof(e.d));
	e.d.dcerpc.name_enc = XH_SMB_ENC_UTF16LE;
	e.d.dcerpc.ntlm_len[0] = 8;
	e.d.dcerpc.ntlm_len[1] = 6;
	e.d.dcerpc.ntlm_len[2] = 4;
	e.d.dcerpc.flags = XH_DCERPC_F_NTLM_CUT;
	ASSERT_STREQ(json(a, &e, &k1, 10, &err),
		     "{\"ntlmssp\":{\"domain\":\"CORP\",\"user\":\"svc\",\"host\":\"WS\","
		     "\"truncated\":true}}",
		     "dcerpc.logon");
	ASSERT_STREQ(json(a, &other, &k1, 10, &err),
		     "{\"ntlmssp\":{\"domain\":\"CORP\",\"user\":\"svc\",\"host\":\"WS\","
		     "\"truncated\":true}}",
		     "its flow's later hit");
	e.detail_kind = XH_DETAIL_SMB;
	json(a, &e, &k1, 11, &err);
	ASSERT_EQ(err, -EILSEQ, "a logon rule with another rule's detail");
	accounts__free(a);
	accounts__free(NULL);
}

void test_accounts_tried(void)
{
	struct accounts *a = accounts__new();
	struct xh_flow_key k = {.family = XH_AF_INET};
	struct xh_event e, brute = {.family = XH_AF_INET, .rule = XH_RULE_SMB_BRUTE_FORCE};
	char user[16];
	int err;

	if (!ASSERT_OK_PTR(a, "new"))
		return;
	brute.saddr[0] = htonl(0xc000020a);
	ASSERT_EQ(accounts_tried(a, &brute, now_ns, 60), 0, "no logon yet");
	/* one account on 12 flows, a second apart */
	for (int i = 0; i < 12; i++) {
		logon(&e, "CORP", "bob", "WS", 1);
		k.sport = (uint16_t)(1000 + i);
		now_ns += 1000000000ULL;
		json(a, &e, &k, 100 + (uint64_t)i, &err);
	}
	ASSERT_EQ(accounts_tried(a, &brute, now_ns, 60), 1, "one account, twelve times");
	ASSERT_STREQ(enrich_brute_attack(10, 1)->technique_id, "T1110.001", "guessing");
	/* 10 accounts in the next 10 s */
	for (int i = 0; i < 10; i++) {
		snprintf(user, sizeof(user), "u%d", i);
		logon(&e, "CORP", user, "WS", 1);
		k.sport = (uint16_t)(2000 + i);
		now_ns += 1000000000ULL;
		json(a, &e, &k, 200 + (uint64_t)i, &err);
	}
	ASSERT_EQ(accounts_tried(a, &brute, now_ns, 60), 11, "bob and ten more");
	ASSERT_EQ(accounts_tried(a, &brute, now_ns, 5), 5, "the last 5 s: five");
	ASSERT_STREQ(enrich_brute_attack(10, 11)->technique_id, "T1110.003", "spraying");
	ASSERT_STREQ(enrich_brute_attack(25, 5)->technique_id, "T1110", "five, five times each");
	ASSERT_STREQ(enrich_brute_attack(10, 0)->technique_id, "T1110", "no account known");
	brute.saddr[0] = htonl(0xc000020b);
	ASSERT_EQ(accounts_tried(a, &brute, now_ns, 60), 0, "another client: none");
	/* 40 accounts: the last 32 logons are kept */
	brute.saddr[0] = htonl(0xc000020a);
	for (int i = 0; i < 40; i++) {
		snprintf(user, sizeof(user), "v%d", i);
		logon(&e, "CORP", user, "WS", 1);
		json(a, &e, &k, 300 + (uint64_t)i, &err);
	}
	ASSERT_EQ(accounts_tried(a, &brute, now_ns, 60), ACCOUNTS_PER_CLIENT, "at most 32");
	accounts_clear(a);
	ASSERT_EQ(accounts_tried(a, &brute, now_ns, 60), 0, "cleared");
	accounts__free(a);
}
