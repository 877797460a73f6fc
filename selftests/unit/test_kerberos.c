// SPDX-License-Identifier: GPL-2.0
/* test_kerberos.c: user/kerberos.c's reading of the AS-REP a
 * kerberos.no_preauth hit carries (its crealm and cname) and of the
 * TGS-REP a kerberos.weak_ticket hit carries (its crealm, cname and
 * ticket's service), the TGS-REQ req-body a kerberos.weak_request hit
 * carries (its realm, service and etype list), whole, cut and malformed,
 * and the hits' "kerberos" object. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>
#include "test.h"
#include "xh_abi.h"
#include "jsonl.h"
#include "kerberos.h"

/* An AS-REP to xh"rst of HUNT.TEST: [APPLICATION 11] SEQUENCE { pvno 5,
 * msg-type 11, padata { PA-ETYPE-INFO2 }, crealm, cname { NT-PRINCIPAL,
 * { "xh\"rst" } }, ticket, enc-part } (the last two opaque). */
static const uint8_t as_rep[] = {0x6b, 0x4a, 0x30, 0x48, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x03,
				 0x02, 0x01, 0x0b, 0xa2, 0x0e, 0x30, 0x0c, 0x30, 0x0a, 0xa1, 0x03,
				 0x02, 0x01, 0x13, 0xa2, 0x03, 0x04, 0x01, 0x00, 0xa3, 0x0b, 0x1b,
				 0x09, 'H',  'U',  'N',	 'T',  '.',  'T',  'E',	 'S',  'T',  0xa4,
				 0x13, 0x30, 0x11, 0xa0, 0x03, 0x02, 0x01, 0x01, 0xa1, 0x0a, 0x30,
				 0x08, 0x1b, 0x06, 'x',	 'h',  '"',  'r',  's',	 't',  0xa5, 0x04,
				 0x04, 0x02, 't',  't',	 0xa6, 0x04, 0x04, 0x02, 'e',  'e'};
#define ACCOUNT_AT 58 /* the account's first byte */

void test_kerberos_as_rep_parse(void)
{
	struct krb_rep r;
	uint8_t b[sizeof(as_rep)];

	test_subtest("whole");
	ASSERT_EQ(sizeof(as_rep), 76, "the sample's length");
	ASSERT_OK(krb_as_rep_parse(as_rep, sizeof(as_rep), &r), "parse");
	ASSERT_EQ(r.realm_len, 9, "realm length");
	ASSERT_MEMEQ(r.realm, "HUNT.TEST", 9, "realm");
	ASSERT_EQ(r.account_len, 6, "account length");
	ASSERT_MEMEQ(r.account, "xh\"rst", 6, "account");
	ASSERT_FALSE(r.cut, "whole");

	test_subtest("cut");
	ASSERT_OK(krb_as_rep_parse(as_rep, ACCOUNT_AT + 3, &r), "cut in the account");
	ASSERT_EQ(r.account_len, 3, "what was carried of it");
	ASSERT_TRUE(r.cut, "cut");
	ASSERT_EQ(krb_as_rep_parse(as_rep, 45, &r), -ENODATA, "cut before the cname");
	ASSERT_TRUE(r.realm != NULL, "the realm read before");
	ASSERT_NULL(r.account, "no account");
	ASSERT_EQ(krb_as_rep_parse(as_rep, 1, &r), -ENODATA, "one byte");

	test_subtest("malformed");
	memcpy(b, as_rep, sizeof(b));
	b[0] = 0x6d; /* a TGS-REP */
	ASSERT_EQ(krb_as_rep_parse(b, sizeof(b), &r), -EBADMSG, "not an AS-REP");
	memcpy(b, as_rep, sizeof(b));
	b[1] = 0x84; /* a length of four bytes */
	ASSERT_EQ(krb_as_rep_parse(b, sizeof(b), &r), -EBADMSG, "length form");
	memcpy(b, as_rep, sizeof(b));
	b[ACCOUNT_AT - 2] = 0x04; /* an OCTET STRING for the name */
	ASSERT_EQ(krb_as_rep_parse(b, sizeof(b), &r), -EBADMSG, "no GeneralString");
	memcpy(b, as_rep, sizeof(b));
	b[30] = 0xa4; /* crealm's tag: a field out of order */
	ASSERT_EQ(krb_as_rep_parse(b, sizeof(b), &r), -EBADMSG, "fields out of order");
}

static void check_json(struct xh_event *e, const char *want, const char *what)
{
	struct jbuf b;

	jbuf_init(&b);
	jbuf_obj_begin(&b);
	(void)kerberos_format_json(e, &b);
	jbuf_obj_end(&b);
	if (ASSERT_OK(b.err, "jbuf"))
		ASSERT_STREQ(b.buf, want, what);
	jbuf_free(&b);
}

void test_kerberos_json(void)
{
	static struct xh_event e;

	memset(&e, 0, sizeof(e));
	e.rule = XH_RULE_KRB_NO_PREAUTH;
	e.detail_kind = XH_DETAIL_KRB;
	memcpy(e.name, as_rep, sizeof(as_rep));
	e.name_len = sizeof(as_rep);
	e.d.krb.msg_len = sizeof(as_rep);
	check_json(&e,
		   "{\"kerberos\":{\"msg_type\":\"AS-REP\",\"realm\":\"HUNT.TEST\","
		   "\"account\":\"xh\\\"rst\"}}",
		   "realm and account, escaped");
	e.name_len = ACCOUNT_AT + 2;
	check_json(&e,
		   "{\"kerberos\":{\"msg_type\":\"AS-REP\",\"realm\":\"HUNT.TEST\","
		   "\"account\":\"xh\",\"truncated\":true}}",
		   "cut in the account");
	e.name_len = 40;
	check_json(&e,
		   "{\"kerberos\":{\"msg_type\":\"AS-REP\",\"realm\":\"HUNT.T\","
		   "\"truncated\":true}}",
		   "cut in the realm: what was carried of it");
	e.name_len = sizeof(as_rep);
	/* a NUL, or another control character, in the account: no text (a
	 * JSON reader that keeps C strings refuses \u0000; the fuzzer's find) */
	e.name[ACCOUNT_AT + 1] = 0;
	check_json(&e,
		   "{\"kerberos\":{\"msg_type\":\"AS-REP\",\"realm\":\"HUNT.TEST\","
		   "\"malformed\":true}}",
		   "a NUL in the account: left out");
	e.name[ACCOUNT_AT + 1] = 0x1b;
	check_json(&e,
		   "{\"kerberos\":{\"msg_type\":\"AS-REP\",\"realm\":\"HUNT.TEST\","
		   "\"malformed\":true}}",
		   "an escape character in the account: left out");
	memcpy(e.name, as_rep, sizeof(as_rep));
	e.name[2] = 0x31; /* a SET */
	check_json(&e, "{\"kerberos\":{\"msg_type\":\"AS-REP\",\"malformed\":true}}", "malformed");
	/* a name_len past name[] is held to it */
	e.name_len = 9999;
	check_json(&e, "{\"kerberos\":{\"msg_type\":\"AS-REP\",\"malformed\":true}}",
		   "name_len past the name");
}

/* A TGS-REP from its crealm on, as kerberos.weak_ticket carries it: crealm
 * HUNT.TEST, cname Administrator, ticket { 5, HUNT.TEST, sname
 * { NT-SRV-INST, { MSSQLSvc, db1.hunt.test:1433 } }, enc-part { rc4-hmac
 * (23), kvno 2, cipher } }, enc-part (opaque). */
static const uint8_t tgs_rep[] = {
	0xa3, 0x0b, 0x1b, 0x09, 'H',  'U',  'N',  'T',	0x2e, 'T',  'E',  'S',	'T',  0xa4, 0x1a,
	0x30, 0x18, 0xa0, 0x03, 0x02, 0x01, 0x01, 0xa1, 0x11, 0x30, 0x0f, 0x1b, 0x0d, 'A',  'd',
	'm',  'i',  'n',  'i',	's',  't',  'r',  'a',	't',  'o',  'r',  0xa5, 0x57, 0x61, 0x55,
	0x30, 0x53, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x0b, 0x1b, 0x09, 'H',	'U',  'N',  'T',
	0x2e, 'T',  'E',  'S',	'T',  0xa2, 0x29, 0x30, 0x27, 0xa0, 0x03, 0x02, 0x01, 0x02, 0xa1,
	0x20, 0x30, 0x1e, 0x1b, 0x08, 'M',  'S',  'S',	'Q',  'L',  'S',  'v',	'c',  0x1b, 0x12,
	'd',  'b',  0x31, 0x2e, 'h',  'u',  'n',  't',	0x2e, 't',  'e',  's',	't',  0x3a, 0x31,
	0x34, 0x33, 0x33, 0xa3, 0x14, 0x30, 0x12, 0xa0, 0x03, 0x02, 0x01, 0x17, 0xa1, 0x03, 0x02,
	0x01, 0x02, 0xa2, 0x06, 0x04, 0x04, 'c',  'c',	'c',  'c',  0xa6, 0x0d, 0x30, 0x0b, 0xa0,
	0x03, 0x02, 0x01, 0x12, 0xa2, 0x04, 0x04, 0x02, 'e',  'e'};
#define SERVICE_HOST_AT 90  /* db1.hunt.test:1433's first byte */
#define ETYPE_AT	114 /* the ticket's etype INTEGER */

void test_kerberos_tgs_rep_parse(void)
{
	struct krb_rep r;
	uint8_t b[sizeof(tgs_rep)];

	test_subtest("whole");
	ASSERT_EQ(sizeof(tgs_rep), 145, "the sample's length");
	ASSERT_OK(krb_tgs_rep_parse(tgs_rep, sizeof(tgs_rep), &r), "parse");
	ASSERT_MEMEQ(r.realm, "HUNT.TEST", 9, "realm");
	ASSERT_EQ(r.account_len, 13, "account length");
	ASSERT_MEMEQ(r.account, "Administrator", 13, "account");
	ASSERT_EQ(r.service_len, 27, "service length");
	ASSERT_MEMEQ(r.service, "MSSQLSvc/db1.hunt.test:1433", 27, "service, joined by '/'");
	ASSERT_EQ(r.etype, 23, "the ticket's etype");
	ASSERT_FALSE(r.cut, "whole");

	test_subtest("cut");
	ASSERT_EQ(krb_tgs_rep_parse(tgs_rep, SERVICE_HOST_AT + 3, &r), -ENODATA,
		  "cut in the service");
	ASSERT_EQ(r.service_len, 12, "what was carried of it");
	ASSERT_MEMEQ(r.service, "MSSQLSvc/db1", 12, "the first component and a part");
	ASSERT_TRUE(r.cut, "cut");
	ASSERT_EQ(r.etype, -1, "no etype");
	ASSERT_EQ(krb_tgs_rep_parse(tgs_rep, ETYPE_AT + 2, &r), -ENODATA, "cut in the etype");
	ASSERT_EQ(r.service_len, 27, "the service read before");
	ASSERT_EQ(krb_tgs_rep_parse(tgs_rep, 1, &r), -ENODATA, "one byte");

	test_subtest("malformed");
	memcpy(b, tgs_rep, sizeof(b));
	b[0] = 0x6d; /* the message's head: not what the kernel carries */
	ASSERT_EQ(krb_tgs_rep_parse(b, sizeof(b), &r), -EBADMSG, "not from the crealm");
	memcpy(b, tgs_rep, sizeof(b));
	b[ETYPE_AT + 2] = 0x97; /* a negative etype */
	ASSERT_EQ(krb_tgs_rep_parse(b, sizeof(b), &r), -EBADMSG, "negative etype");
	memcpy(b, tgs_rep, sizeof(b));
	b[SERVICE_HOST_AT - 2] = 0x04; /* an OCTET STRING for a name */
	ASSERT_EQ(krb_tgs_rep_parse(b, sizeof(b), &r), -EBADMSG, "no GeneralString");
	/* the AS-REP reader refuses it, as the TGS-REP reader an AS-REP */
	ASSERT_EQ(krb_as_rep_parse(tgs_rep, sizeof(tgs_rep), &r), -EBADMSG, "no AS-REP");
	ASSERT_EQ(krb_tgs_rep_parse(as_rep, sizeof(as_rep), &r), -EBADMSG, "no TGS-REP");
}

void test_kerberos_tgs_json(void)
{
	static struct xh_event e;

	memset(&e, 0, sizeof(e));
	e.rule = XH_RULE_KRB_WEAK_TICKET;
	e.detail_kind = XH_DETAIL_KRB;
	memcpy(e.name, tgs_rep, sizeof(tgs_rep));
	e.name_len = sizeof(tgs_rep);
	e.d.krb.msg_len = 1800;
	e.d.krb.from = 300;
	e.d.krb.msg_type = 13;
	e.d.krb.etype = 23;
	check_json(&e,
		   "{\"kerberos\":{\"msg_type\":\"TGS-REP\",\"realm\":\"HUNT.TEST\","
		   "\"account\":\"Administrator\",\"service\":\"MSSQLSvc/db1.hunt.test:1433\","
		   "\"etype\":23,\"cipher\":\"rc4-hmac\"}}",
		   "client, service and cipher");
	e.name_len = SERVICE_HOST_AT + 3;
	check_json(&e,
		   "{\"kerberos\":{\"msg_type\":\"TGS-REP\",\"realm\":\"HUNT.TEST\","
		   "\"account\":\"Administrator\",\"service\":\"MSSQLSvc/db1\","
		   "\"etype\":23,\"cipher\":\"rc4-hmac\",\"truncated\":true}}",
		   "cut in the service: the kernel's etype still said");
	e.name_len = sizeof(tgs_rep);
	e.d.krb.req_seen = 1;
	e.d.krb.req_etype = 18;
	check_json(&e,
		   "{\"kerberos\":{\"msg_type\":\"TGS-REP\",\"realm\":\"HUNT.TEST\","
		   "\"account\":\"Administrator\",\"service\":\"MSSQLSvc/db1.hunt.test:1433\","
		   "\"etype\":23,\"cipher\":\"rc4-hmac\",\"request_etype\":18,"
		   "\"request_cipher\":\"aes256-cts-hmac-sha1-96\"}}",
		   "what the flow's request preferred");
	e.d.krb.req_etype = -135;
	check_json(&e,
		   "{\"kerberos\":{\"msg_type\":\"TGS-REP\",\"realm\":\"HUNT.TEST\","
		   "\"account\":\"Administrator\",\"service\":\"MSSQLSvc/db1.hunt.test:1433\","
		   "\"etype\":23,\"cipher\":\"rc4-hmac\",\"request_etype\":-135}}",
		   "a type without a name");
	e.d.krb.req_seen = 0;
	e.name_len = sizeof(tgs_rep);
	e.d.krb.etype = 1;
	e.name[0] = 0xa4; /* crealm's tag: a field out of order */
	check_json(&e,
		   "{\"kerberos\":{\"msg_type\":\"TGS-REP\",\"etype\":1,"
		   "\"cipher\":\"des-cbc-crc\",\"malformed\":true}}",
		   "malformed");
}

/* The req-body of the TGS-REQ Impacket sent in zeek-aduser1.pcap (the
 * corpus; frame 34, bytes 1398-1508 of the message), as kerberos.weak_request
 * carries it: kdc-options, realm ADHACKING.LOCAL, sname { NT-SRV-INST, {
 * ldap, WIN-VGO56I95EAK } }, till, nonce, etype { 23, 16, 3, 18 }. */
static const uint8_t tgs_req_body[] = {
	0xa4, 0x6d, 0x30, 0x6b, 0xa0, 0x07, 0x03, 0x05, 0x00, 0x40, 0x81, 0x00, 0x10, 0xa2,
	0x11, 0x1b, 0x0f, 0x41, 0x44, 0x48, 0x41, 0x43, 0x4b, 0x49, 0x4e, 0x47, 0x2e, 0x4c,
	0x4f, 0x43, 0x41, 0x4c, 0xa3, 0x22, 0x30, 0x20, 0xa0, 0x03, 0x02, 0x01, 0x02, 0xa1,
	0x19, 0x30, 0x17, 0x1b, 0x04, 0x6c, 0x64, 0x61, 0x70, 0x1b, 0x0f, 0x57, 0x49, 0x4e,
	0x2d, 0x56, 0x47, 0x4f, 0x35, 0x36, 0x49, 0x39, 0x35, 0x45, 0x41, 0x4b, 0xa5, 0x11,
	0x18, 0x0f, 0x32, 0x30, 0x32, 0x35, 0x30, 0x33, 0x31, 0x31, 0x30, 0x38, 0x35, 0x34,
	0x34, 0x38, 0x5a, 0xa7, 0x06, 0x02, 0x04, 0x1f, 0x49, 0xa4, 0xbd, 0xa8, 0x0e, 0x30,
	0x0c, 0x02, 0x01, 0x17, 0x02, 0x01, 0x10, 0x02, 0x01, 0x03, 0x02, 0x01, 0x12};
#define REQ_HOST_AT 53 /* WIN-VGO56I95EAK's first byte */
#define REQ_LIST_AT 99 /* the etype list's first INTEGER */

void test_kerberos_tgs_req_parse(void)
{
	static const int want[] = {23, 16, 3, 18};
	struct krb_rep r;
	uint8_t b[sizeof(tgs_req_body)];

	test_subtest("whole");
	ASSERT_EQ(sizeof(tgs_req_body), 111, "the sample's length");
	ASSERT_OK(krb_tgs_req_parse(tgs_req_body, sizeof(tgs_req_body), &r), "parse");
	ASSERT_MEMEQ(r.realm, "ADHACKING.LOCAL", 15, "realm");
	ASSERT_EQ(r.service_len, 20, "service length");
	ASSERT_MEMEQ(r.service, "ldap/WIN-VGO56I95EAK", 20, "service, joined by '/'");
	ASSERT_NULL(r.account, "no cname");
	if (ASSERT_EQ(r.n_etypes, 4, "four etypes"))
		ASSERT_MEMEQ(r.etypes, want, sizeof(want), "in the client's order");
	ASSERT_FALSE(r.cut, "whole");

	test_subtest("cut");
	ASSERT_EQ(krb_tgs_req_parse(tgs_req_body, REQ_HOST_AT + 3, &r), -ENODATA,
		  "cut in the service");
	ASSERT_MEMEQ(r.service, "ldap/WIN", 8, "what was carried of it");
	ASSERT_TRUE(r.cut, "cut");
	ASSERT_EQ(r.n_etypes, 0, "no etypes");
	ASSERT_EQ(krb_tgs_req_parse(tgs_req_body, REQ_LIST_AT + 7, &r), -ENODATA,
		  "cut in the list");
	ASSERT_EQ(r.n_etypes, 2, "the etypes before the cut");
	ASSERT_EQ(krb_tgs_req_parse(tgs_req_body, 1, &r), -ENODATA, "one byte");

	test_subtest("negative etypes and a long list");
	{
		/* kdc-options, realm X, and Windows' 18, 17, 23, 24, -135,
		 * then 12 of -128: 17 etypes */
		static const uint8_t head[] = {0xa0, 7,	   3,	 5, 0,	  0x40, 0x81,
					       0,    0x10, 0xa2, 3, 0x1b, 1,	'X'};
		static const uint8_t win[] = {2,  1, 18, 2,  1, 17, 2,	  1,
					      23, 2, 1,	 24, 2, 2,  0xff, 0x79};
		uint8_t l[128];
		size_t n = 8 + sizeof(head), list = sizeof(win) + 12 * 3;

		l[0] = 0xa4;
		l[1] = (uint8_t)(sizeof(head) + 6 + list);
		l[2] = 0x30;
		l[3] = (uint8_t)(sizeof(head) + 4 + list);
		memcpy(l + 4, head, sizeof(head));
		memcpy(l + 4 + sizeof(head),
		       (uint8_t[]){0xa8, (uint8_t)(list + 2), 0x30, (uint8_t)list}, 4);
		memcpy(l + n, win, sizeof(win));
		n += sizeof(win);
		for (int i = 0; i < 12; i++, n += 3)
			memcpy(l + n, (uint8_t[]){2, 1, 0x80}, 3);
		ASSERT_OK(krb_tgs_req_parse(l, n, &r), "parse");
		ASSERT_EQ(r.n_etypes, KRB_ETYPES_MAX, "the first KRB_ETYPES_MAX kept");
		ASSERT_EQ(r.etypes[4], -135, "-135 in two bytes");
		ASSERT_EQ(r.etypes[5], -128, "-128 in one byte");
		ASSERT_TRUE(r.cut, "the rest said cut");
	}

	test_subtest("malformed");
	memcpy(b, tgs_req_body, sizeof(b));
	b[REQ_LIST_AT + 1] = 5; /* a five-byte INTEGER */
	ASSERT_EQ(krb_tgs_req_parse(b, sizeof(b), &r), -EBADMSG, "a five-byte etype");
	memcpy(b, tgs_req_body, sizeof(b));
	b[0] = 0x6c; /* the message's head: not what the kernel carries */
	ASSERT_EQ(krb_tgs_req_parse(b, sizeof(b), &r), -EBADMSG, "not from the req-body");
	memcpy(b, tgs_req_body, sizeof(b));
	b[REQ_LIST_AT - 4] = 0xa9; /* no [8] */
	ASSERT_EQ(krb_tgs_req_parse(b, sizeof(b), &r), -EBADMSG, "no etype list");
	ASSERT_EQ(krb_tgs_req_parse(tgs_rep, sizeof(tgs_rep), &r), -EBADMSG, "a TGS-REP");
}

void test_kerberos_tgs_req_json(void)
{
	static struct xh_event e;

	memset(&e, 0, sizeof(e));
	e.rule = XH_RULE_KRB_WEAK_REQUEST;
	e.detail_kind = XH_DETAIL_KRB;
	memcpy(e.name, tgs_req_body, sizeof(tgs_req_body));
	e.name_len = sizeof(tgs_req_body);
	e.d.krb.msg_len = 1509;
	e.d.krb.from = 1398;
	e.d.krb.msg_type = 12;
	e.d.krb.etype = 23;
	check_json(&e,
		   "{\"kerberos\":{\"msg_type\":\"TGS-REQ\",\"realm\":\"ADHACKING.LOCAL\","
		   "\"service\":\"ldap/WIN-VGO56I95EAK\",\"etype\":23,\"cipher\":\"rc4-hmac\","
		   "\"etypes\":[23,16,3,18]}}",
		   "realm, service, the preferred cipher and the list");
	e.name_len = REQ_LIST_AT + 7;
	check_json(&e,
		   "{\"kerberos\":{\"msg_type\":\"TGS-REQ\",\"realm\":\"ADHACKING.LOCAL\","
		   "\"service\":\"ldap/WIN-VGO56I95EAK\",\"etype\":23,\"cipher\":\"rc4-hmac\","
		   "\"etypes\":[23,16],\"truncated\":true}}",
		   "cut in the list");
	e.name[0] = 0xa3;
	check_json(&e,
		   "{\"kerberos\":{\"msg_type\":\"TGS-REQ\",\"etype\":23,"
		   "\"cipher\":\"rc4-hmac\",\"malformed\":true}}",
		   "malformed");
}
