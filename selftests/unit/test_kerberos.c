// SPDX-License-Identifier: GPL-2.0
/* test_kerberos.c: user/kerberos.c's reading of the AS-REP a
 * kerberos.no_preauth hit carries (its crealm and cname), whole, cut and
 * malformed, and the hit's "kerberos" object. */
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
	struct krb_as_rep r;
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
	e.name[2] = 0x31; /* a SET */
	check_json(&e, "{\"kerberos\":{\"msg_type\":\"AS-REP\",\"malformed\":true}}", "malformed");
	/* a name_len past name[] is held to it */
	e.name_len = 9999;
	check_json(&e, "{\"kerberos\":{\"msg_type\":\"AS-REP\",\"malformed\":true}}",
		   "name_len past the name");
}
