// SPDX-License-Identifier: GPL-2.0
/* test_smb_rules.c: the SMB rules format (user/smb.c), UTF-16LE to UTF-8,
 * and the "smb" JSON object. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "test.h"
#include "events.h"
#include "smb_user.h"
#include "smb.h" /* bpf/smb.h */

void test_smb_rules_default(void)
{
	struct smb_rules *r = smb_rules__new_default(), *f;
	char path[512];

	if (!ASSERT_OK_PTR(r, "built-in rules parse"))
		return;
	ASSERT_EQ(smb_rules_count(r, XH_SMB_TBL_SHARE), 2, "ADMIN$, IPC$");
	ASSERT_EQ(smb_rules_count(r, XH_SMB_TBL_SHARE_DRIVE), 1, "drive-letter pattern");
	ASSERT_GE(smb_rules_count(r, XH_SMB_TBL_PIPE), 12, "pipes");
	ASSERT_EQ(smb_rules_count(r, XH_SMB_TBL_EXT), 9, "the issue's nine extensions");
	/* The shipped file is the built-in set. */
	snprintf(path, sizeof(path), "%s/../../data/smb-rules.conf", test_data_dir());
	f = smb_rules__load_file(path);
	if (ASSERT_OK_PTR(f, "data/smb-rules.conf loads")) {
		for (int k = XH_SMB_TBL_SHARE; k <= XH_SMB_TBL_EXT; k++)
			ASSERT_EQ(smb_rules_count(f, k), smb_rules_count(r, k), "same tables");
	}
	smb_rules__free(f);
	smb_rules__free(r);
}

void test_smb_rules_errors(void)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{"share ADMIN$ disk\n", "share kind"},
		{"pipe svcctl T1569.002\n", "technique not defined"},
		{"technique T15 execution X\n", "bad id"},
		{"technique T1012 Discovery Query Registry\n", "tactic case"},
		{"technique T1012 discovery\n", "missing name"},
		{"ext exe\next EXE\n", "duplicate, case-insensitive"},
		{"ext a.b\n", "two components"},
		{"pipe sv\\cctl\n", "backslash"},
		{"frobnicate x\n", "unknown directive"},
		{"technique T1021 lateral-movement Remote Services\nrule smb.connect T1021\n",
		 "smb.connect is the flow's, not the SMB walk's"},
		{"technique T1021 lateral-movement Remote Services\nrule scan.smb_sweep T1021\n",
		 "not an smb rule"},
		{"", "an empty file"},
		{"# only comments\ntechnique T1012 discovery Query Registry\n",
		 "no directive used"},
		{"share IPC$ ipc extra\n", "too many fields"},
	};
	char path[] = "/tmp/xh-smb-rules-XXXXXX";
	struct smb_rules *r;
	int fd;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_subtest("%s", bad[i].why);
		errno = 0;
		r = smb_rules__parse(bad[i].text, "t");
		ASSERT_NULL(r, "refused");
		ASSERT_EQ(errno, EINVAL, "EINVAL");
		smb_rules__free(r);
		test_subtest_end();
	}
	r = smb_rules__parse("# c\n\ntechnique T1012 discovery Query Registry\npipe winreg T1012 "
			     "# trailing\r\next .EXE\nshare ?$ admin\n",
			     "t");
	if (ASSERT_OK_PTR(r, "comments, CRLF, leading dot"))
		ASSERT_EQ(smb_rules_count(r, XH_SMB_TBL_EXT), 1, "ext");
	smb_rules__free(r);

	/* As Windows editors save it: a byte order mark first. */
	{
		static const char bom[] = "\xef\xbb\xbfshare ADMIN$ admin\r\n";
		char bpath[] = "/tmp/xh-smb-rules-bom-XXXXXX";

		fd = mkstemp(bpath);
		if (!ASSERT_GE(fd, 0, "mkstemp"))
			return;
		ASSERT_EQ(write(fd, bom, sizeof(bom) - 1), (ssize_t)sizeof(bom) - 1, "write");
		close(fd);
		r = smb_rules__load_file(bpath);
		if (ASSERT_OK_PTR(r, "a UTF-8 BOM is not part of the first line"))
			ASSERT_EQ(smb_rules_count(r, XH_SMB_TBL_SHARE), 1, "the share");
		smb_rules__free(r);
		unlink(bpath);
	}

	/* A file with a bad line: nothing from it, an error naming file:line. */
	fd = mkstemp(path);
	if (!ASSERT_GE(fd, 0, "mkstemp"))
		return;
	ASSERT_EQ(write(fd, "ext exe\nshare X ipc\nshare Y nope\n", 33), 33, "write");
	close(fd);
	ASSERT_NULL(smb_rules__load_file(path), "bad file refused");
	unlink(path);
	ASSERT_NULL(smb_rules__load_file("/nonexistent/xh-smb.conf"), "missing file");
}

void test_smb_utf8(void)
{
	static const uint8_t ok[] = {'a', 0, 0x3d, 0xd8, 0x00, 0xde, 0xe9, 0x00, '$', 0};
	static const uint8_t lone[] = {'a', 0, 0x3d, 0xd8};
	static const uint8_t lone_lo[] = {0x00, 0xdc, 'a', 0};
	static const uint8_t ctrl[] = {0x01, 0};
	char out[64];

	ASSERT_EQ(smb_name_to_utf8(ok, sizeof(ok), XH_SMB_ENC_UTF16LE, out, sizeof(out)), 8,
		  "a + U+1F600 + e-acute + $");
	ASSERT_STREQ(out, "a\xf0\x9f\x98\x80\xc3\xa9$", "utf-8");
	ASSERT_EQ(smb_name_to_utf8(lone, sizeof(lone), XH_SMB_ENC_UTF16LE, out, sizeof(out)),
		  -EILSEQ, "lone high surrogate");
	ASSERT_EQ(smb_name_to_utf8(lone_lo, sizeof(lone_lo), XH_SMB_ENC_UTF16LE, out, sizeof(out)),
		  -EILSEQ, "lone low surrogate");
	ASSERT_EQ(smb_name_to_utf8(ctrl, sizeof(ctrl), XH_SMB_ENC_UTF16LE, out, sizeof(out)),
		  -EILSEQ, "control character");
	ASSERT_EQ(smb_name_to_utf8(ok, 3, XH_SMB_ENC_UTF16LE, out, sizeof(out)), -EILSEQ,
		  "odd length");
	/* OEM code page bytes: the code page is not sent, so U+FFFD, as
	 * Wireshark shows \\S\xC9RV\ADMIN$ ("Path: \\S\ufffdRV\ADMIN$"). */
	ASSERT_EQ(smb_name_to_utf8((const uint8_t *)"\\\\S\xc9RV\\ADMIN$", 13, XH_SMB_ENC_ASCII,
				   out, sizeof(out)),
		  15, "OEM byte: one U+FFFD");
	ASSERT_STREQ(out, "\\\\S\xef\xbf\xbdRV\\ADMIN$", "OEM byte as U+FFFD");
	ASSERT_EQ(smb_name_to_utf8((const uint8_t *)"a\x7f", 2, XH_SMB_ENC_ASCII, out, sizeof(out)),
		  -EILSEQ, "ASCII DEL");
	ASSERT_EQ(smb_name_to_utf8((const uint8_t *)"a\x1f", 2, XH_SMB_ENC_ASCII, out, sizeof(out)),
		  -EILSEQ, "ASCII control character");
	ASSERT_EQ(smb_name_to_utf8(ok, sizeof(ok), XH_SMB_ENC_UTF16LE, out, 4), -ENOSPC, "room");
	for (unsigned int c = 0; c < XH_SMB_CNT__MAX; c++)
		ASSERT_OK_PTR(smb_counter_name(c), "every SMB counter has a name");
	ASSERT_STREQ(smb_command_name(2, XH_SMB2_CREATE), "CREATE", "SMB2 command");
	ASSERT_STREQ(smb_command_name(1, XH_SMB1_TREE_CONNECT_ANDX), "TREE_CONNECT_ANDX", "SMB1");
}

static json_t *format(struct event_sink *s, const struct xh_event *e)
{
	json_error_t err;

	if (!ASSERT_OK(events_format(s, e, &s->jb), "events_format"))
		return NULL;
	return json_loadb(s->jb.buf, s->jb.len, 0, &err);
}

/* @e's name: the ASCII @name as UTF-16LE. */
static void set_name_utf16(struct xh_event *e, const char *name)
{
	memset(e->name, 0, sizeof(e->name));
	for (size_t i = 0; i < strlen(name); i++)
		e->name[2 * i] = (uint8_t)name[i];
	e->name_len = (uint16_t)(2 * strlen(name));
}

void test_smb_json(void)
{
	struct smb_rules *r = smb_rules__new_default();
	struct event_sink s;
	struct xh_event e = {};
	json_t *j, *smb;
	const char *pipe = "atsvc";

	event_sink_init(&s, NULL, NULL, "t");
	s.smb = r;
	e.family = XH_AF_INET;
	e.proto = 6;
	e.rule = XH_RULE_SMB_NAMED_PIPE;
	e.detail_kind = XH_DETAIL_SMB;
	e.d.smb.version = 2;
	e.d.smb.dialect = 0x0311;
	e.d.smb.command = XH_SMB2_CREATE;
	e.d.smb.name_enc = XH_SMB_ENC_UTF16LE;
	e.d.smb.share_kind = XH_SMB_SHARE_IPC;
	e.d.smb.tree_id = 1;
	e.d.smb.session_id = 0x4400000001ULL;
	e.d.smb.flags = XH_SMB_F_TREE_KNOWN | XH_SMB_F_SESSION_KNOWN;
	set_name_utf16(&e, pipe);
	e.d.smb.pipe_id = (uint16_t)smb_rules_pipe_id(r, "ATSVC");
	ASSERT_NEQ(e.d.smb.pipe_id, 0, "atsvc in the table");
	j = format(&s, &e);
	smb = json_object_get(j, "smb");
	if (ASSERT_OK_PTR(smb, "smb object")) {
		ASSERT_STREQ(json_string_value(json_object_get(smb, "pipe")), "atsvc", "pipe");
		ASSERT_STREQ(json_string_value(json_object_get(smb, "version")), "3", "3.1.1 is 3");
		ASSERT_STREQ(json_string_value(json_object_get(smb, "dialect")), "3.1.1",
			     "dialect");
		ASSERT_STREQ(json_string_value(json_object_get(smb, "command")), "CREATE",
			     "command");
		ASSERT_EQ(json_integer_value(json_object_get(smb, "tree_id")), 1, "tree id");
		ASSERT_STREQ(json_string_value(json_object_get(smb, "session_id")),
			     "0x0000004400000001", "session id as Wireshark shows smb2.sesid");
		ASSERT_EQ(json_integer_value(json_object_get(smb, "message_id")), 0, "message id");
	}
	ASSERT_STREQ(
		json_string_value(json_object_get(json_object_get(j, "attack"), "technique_id")),
		"T1053.002", "atsvc technique from the pipe table");
	json_decref(j);

	/* Windows opens svcctl itself (reg.py starts RemoteRegistry through
	 * it): the pipe names no technique, its calls do (RCreateServiceW). */
	set_name_utf16(&e, "svcctl");
	e.d.smb.pipe_id = (uint16_t)smb_rules_pipe_id(r, "svcctl");
	ASSERT_NEQ(e.d.smb.pipe_id, 0, "svcctl is in the pipe table");
	j = format(&s, &e);
	ASSERT_STREQ(json_string_value(json_object_get(json_object_get(j, "smb"), "pipe")),
		     "svcctl", "svcctl is a listed pipe");
	ASSERT_NULL(json_object_get(j, "attack"), "svcctl open names no technique");
	json_decref(j);

	/* Ids past 2^63 (random session ids, a crafted MessageId) keep the
	 * line valid JSON that jansson, jq and Elasticsearch read: found by
	 * the fuzz harness on corpus frames. */
	e.d.smb.session_id = 0x9b71a3c00000e805ULL;
	e.d.smb.message_id = ~0ULL;
	j = format(&s, &e);
	smb = json_object_get(j, "smb");
	if (ASSERT_OK_PTR(smb, "smb object with 64-bit ids")) {
		ASSERT_STREQ(json_string_value(json_object_get(smb, "session_id")),
			     "0x9b71a3c00000e805", "a session id past 2^63");
		ASSERT_NULL(json_object_get(smb, "message_id"), "a MessageId past 2^53 left out");
	}
	json_decref(j);
	e.d.smb.message_id = (1ULL << 53) - 1;
	j = format(&s, &e);
	ASSERT_EQ(json_integer_value(json_object_get(json_object_get(j, "smb"), "message_id")),
		  (1LL << 53) - 1, "the largest safe MessageId");
	json_decref(j);
	/* SMB1: the 16-bit UID. */
	e.d.smb.version = 1;
	e.d.smb.dialect = 0;
	e.d.smb.command = XH_SMB1_NT_CREATE_ANDX;
	e.d.smb.session_id = 0x1e0a;
	j = format(&s, &e);
	ASSERT_STREQ(json_string_value(json_object_get(json_object_get(j, "smb"), "session_id")),
		     "0x1e0a", "SMB1 UID");
	json_decref(j);
	/* A command without a name is still a string (one JSON type for
	 * Elasticsearch's mapping): its number in hex, as wide as the field. */
	e.d.smb.command = 0x06; /* SMB1 DELETE */
	j = format(&s, &e);
	ASSERT_STREQ(json_string_value(json_object_get(json_object_get(j, "smb"), "command")),
		     "0x06", "SMB1 command without a name");
	json_decref(j);
	e.d.smb.version = 2;
	e.d.smb.command = 0x13;
	j = format(&s, &e);
	ASSERT_STREQ(json_string_value(json_object_get(json_object_get(j, "smb"), "command")),
		     "0x0013", "SMB2 command without a name");
	e.d.smb.version = 2;
	e.d.smb.dialect = 0x0311;
	e.d.smb.command = XH_SMB2_CREATE;
	e.d.smb.session_id = 0x4400000001ULL;
	e.d.smb.message_id = 0;
	json_decref(j);

	/* A garbled name never reaches the output. */
	e.name[1] = 0xd8;
	j = format(&s, &e);
	ASSERT_NULL(json_object_get(json_object_get(j, "smb"), "pipe"), "no garbled pipe");
	ASSERT_EQ(s.bad_names, 1, "counted");
	ASSERT_NULL(json_object_get(j, "attack"),
		    "no technique when the pipe is unknown (the built-in rules give none)");
	json_decref(j);
	event_sink_fini(&s);
	smb_rules__free(r);
}

bool attack_json_matches(const struct attack_ref *a); /* test_enrich.c */

/* A technique's JSON text is made when the rules are read (the name is free
 * text: escaped then), and a hit carries exactly that object. */
void test_smb_rules_attack_json(void)
{
	static const char *const rules[] = {"smb.admin_share", "smb.tool_transfer",
					    "smb.admin_read", "smb.admin_listing", "smb.exploit"};
	struct smb_rules *r = smb_rules__new_default(), *q = NULL;
	struct xh_event e = {};
	struct event_sink s;
	json_t *j = NULL;
	json_error_t err;

	if (!ASSERT_OK_PTR(r, "built-in rules"))
		return;
	e.family = XH_AF_INET;
	e.proto = 6;
	e.detail_kind = XH_DETAIL_SMB;
	e.d.smb.version = 1;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		for (e.rule = 1; e.rule < XH_RULE__MAX; e.rule++)
			if (enrich_rule_name(e.rule) && !strcmp(enrich_rule_name(e.rule), rules[i]))
				break;
		if (ASSERT_OK_PTR(smb_attack(r, &e, NULL), rules[i]))
			attack_json_matches(smb_attack(r, &e, NULL));
	}
	/* SMB1 is old clients and appliances as often as an exploit: the
	 * built-in rules give smb.v1 no technique. */
	e.rule = XH_RULE_SMB_V1;
	ASSERT_NULL(smb_attack(r, &e, enrich_rule_attack(e.rule)), "built in: no technique for v1");
	/* The rules replace the built-in set as a whole: a file without a
	 * `rule` line for a rule gives it no technique, whatever enrich.c has. */
	q = smb_rules__parse("share ADMIN$ admin\n", "t");
	e.rule = XH_RULE_SMB_ADMIN_SHARE;
	if (ASSERT_OK_PTR(q, "a file without rule lines") &&
	    ASSERT_OK_PTR(enrich_rule_attack(e.rule), "enrich.c has one"))
		ASSERT_NULL(smb_attack(q, &e, enrich_rule_attack(e.rule)),
			    "no technique for admin_share");
	smb_rules__free(q);
	q = smb_rules__parse("technique T1210 lateral-movement Say \"hi\" \\ caf\xc3\xa9\n"
			     "rule smb.v1 T1210\n",
			     "t");
	e.rule = XH_RULE_SMB_V1;
	if (!ASSERT_OK_PTR(q, "quotes in a name") || !ASSERT_OK_PTR(smb_attack(q, &e, NULL), "ref"))
		goto out;
	attack_json_matches(smb_attack(q, &e, NULL));
	event_sink_init(&s, NULL, NULL, "t");
	s.smb = q;
	if (ASSERT_OK(events_format(&s, &e, &s.jb), "format")) {
		ASSERT_HAS_SUBSTR(s.jb.buf, "\"technique\":\"Say \\\"hi\\\" \\\\ caf\xc3\xa9\"",
				  "escaped once, carried as is");
		j = json_loadb(s.jb.buf, s.jb.len, 0, &err);
		ASSERT_STREQ(json_string_value(
				     json_object_get(json_object_get(j, "attack"), "technique")),
			     "Say \"hi\" \\ caf\xc3\xa9", "parses back");
		json_decref(j);
	}
	event_sink_fini(&s);
out:
	smb_rules__free(q);
	smb_rules__free(r);
}

/* The technique ids of @j's top-level "attack" and of its smb.attack
 * array, as "T1570 | T1570,T1564.004" ("-" for a missing one). */
static const char *attack_ids(json_t *j, char *out, size_t n)
{
	json_t *arr = json_object_get(json_object_get(j, "smb"), "attack"), *a;
	const char *top =
		json_string_value(json_object_get(json_object_get(j, "attack"), "technique_id"));
	size_t i, len;

	len = (size_t)snprintf(out, n, "%s |", top ? top : "-");
	if (!arr)
		snprintf(out + len, n - len, " -");
	json_array_foreach(arr, i, a)
	{
		const char *id = json_string_value(json_object_get(a, "technique_id"));

		len += (size_t)snprintf(out + len, n - len, "%s%s", i ? "," : " ", id ? id : "?");
		if (len >= n)
			break;
	}
	return out;
}

/* @e: an SMB2 hit of @rule by @command on a tree of @share kind, named
 * @name (ASCII, written as UTF-16LE). */
static void smb_hit(struct xh_event *e, unsigned int rule, uint16_t command, uint8_t share,
		    const char *name)
{
	memset(e, 0, sizeof(*e));
	e->family = XH_AF_INET;
	e->proto = 6;
	e->rule = rule;
	e->detail_kind = XH_DETAIL_SMB;
	e->d.smb.version = 2;
	e->d.smb.command = command;
	e->d.smb.name_enc = XH_SMB_ENC_UTF16LE;
	e->d.smb.share_kind = share;
	set_name_utf16(e, name);
}

/* An executable written into an NTFS stream of another file
 * (notes.txt:payload.exe, XH_SMB_F_STREAM_EXE from the kernel) is a tool
 * transfer hidden in a stream: the smb object's "attack" array holds the
 * rule's technique then T1564.004 (Hide Artifacts: NTFS File Attributes),
 * the hit's "attack" stays the rule's; without the flag there is no array.
 * Rules that give smb.tool_transfer another technique or none, and no rules
 * at all. */
void test_smb_json_stream(void)
{
	static const char *const name = "notes.txt:payload.exe";
	static const struct {
		const char *rules; /* NULL: the built-in set; "": no rules (enrich.c) */
		uint8_t flags, rule;
		const char *want;
	} cases[] = {
		{NULL, XH_SMB_F_STREAM_EXE, XH_RULE_SMB_TOOL_TRANSFER, "T1570 | T1570,T1564.004"},
		{NULL, 0, XH_RULE_SMB_TOOL_TRANSFER, "T1570 | -"},
		{"", XH_SMB_F_STREAM_EXE, XH_RULE_SMB_TOOL_TRANSFER, "T1570 | T1570,T1564.004"},
		{"ext exe\n", XH_SMB_F_STREAM_EXE, XH_RULE_SMB_TOOL_TRANSFER,
		 "T1564.004 | T1564.004"},
		{"technique T1105 command-and-control Ingress Tool Transfer\n"
		 "rule smb.tool_transfer T1105\next exe\n",
		 XH_SMB_F_STREAM_EXE, XH_RULE_SMB_TOOL_TRANSFER, "T1105 | T1105,T1564.004"},
		/* The flag means something for smb.tool_transfer only. */
		{NULL, XH_SMB_F_STREAM_EXE, XH_RULE_SMB_NAMED_PIPE, "- | -"},
	};
	struct xh_event e = {};
	struct event_sink s;
	char got[128];

	smb_hit(&e, 0, XH_SMB2_CREATE, XH_SMB_SHARE_ADMIN, name);
	e.d.smb.access = 0x40130196;
	event_sink_init(&s, NULL, NULL, "t");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *rt = cases[i].rules;
		struct smb_rules *r = !rt   ? smb_rules__new_default()
				      : *rt ? smb_rules__parse(rt, "t")
					    : NULL;
		json_t *j;

		if ((!rt || *rt) && !ASSERT_OK_PTR(r, "rules"))
			continue;
		s.smb = r;
		e.rule = cases[i].rule;
		e.d.smb.flags = cases[i].flags;
		j = format(&s, &e);
		if (ASSERT_OK_PTR(j, "JSON line")) {
			ASSERT_STREQ(attack_ids(j, got, sizeof(got)), cases[i].want, cases[i].want);
			if (cases[i].rule == XH_RULE_SMB_TOOL_TRANSFER)
				ASSERT_STREQ(json_string_value(json_object_get(
						     json_object_get(j, "smb"), "filename")),
					     name, "the name keeps its stream");
		}
		json_decref(j);
		smb_rules__free(r);
	}
	e.rule = XH_RULE_SMB_TOOL_TRANSFER;
	e.d.smb.flags = XH_SMB_F_STREAM_EXE;
	if (ASSERT_OK_PTR(smb_attack_extra(NULL, &e), "T1564.004"))
		attack_json_matches(smb_attack_extra(NULL, &e));
	s.smb = NULL;
	event_sink_fini(&s);
}

/* smb.admin_read names the file ("filename"), smb.admin_listing the first
 * directory listed ("directory"; "" is the share's root), both with
 * share_type "admin" and the built-in techniques T1039 and T1083 (a rules
 * file may name others); a hit whose open was not seen
 * (XH_SMB_F_NO_NAME) has neither key. smb.tool_transfer on a disk share says
 * share_type "disk". */
void test_smb_json_admin_files(void)
{
	static const struct {
		uint8_t rule, flags, share;
		const char *name, *key, *want_name, *share_type, *tid;
	} cases[] = {
		{XH_RULE_SMB_ADMIN_READ, 0, XH_SMB_SHARE_ADMIN, "boot.ini", "filename", "boot.ini",
		 "admin", "T1039"},
		{XH_RULE_SMB_ADMIN_LISTING, 0, XH_SMB_SHARE_ADMIN, "Windows\\Temp", "directory",
		 "Windows\\Temp", "admin", "T1083"},
		{XH_RULE_SMB_ADMIN_LISTING, 0, XH_SMB_SHARE_ADMIN, "", "directory", "", "admin",
		 "T1083"},
		{XH_RULE_SMB_ADMIN_READ, XH_SMB_F_NO_NAME, XH_SMB_SHARE_ADMIN, "", "filename", NULL,
		 "admin", "T1039"},
		{XH_RULE_SMB_TOOL_TRANSFER, 0, XH_SMB_SHARE_DISK, "PSEXESVC.exe", "filename",
		 "PSEXESVC.exe", "disk", "T1570"},
	};
	struct smb_rules *r = smb_rules__new_default(), *other;
	struct xh_event e = {};
	struct event_sink s;

	event_sink_init(&s, NULL, NULL, "t");
	s.smb = r;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j, *smb;

		test_subtest("%s_%zu", enrich_rule_name(cases[i].rule), i);
		smb_hit(&e, cases[i].rule,
			cases[i].rule == XH_RULE_SMB_ADMIN_LISTING ? XH_SMB2_QUERY_DIR
								   : XH_SMB2_READ,
			cases[i].share, cases[i].name);
		e.d.smb.flags = cases[i].flags;
		j = format(&s, &e);
		smb = json_object_get(j, "smb");
		if (ASSERT_OK_PTR(smb, "smb object")) {
			if (cases[i].want_name)
				ASSERT_STREQ(json_string_value(json_object_get(smb, cases[i].key)),
					     cases[i].want_name, "name");
			else
				ASSERT_NULL(json_object_get(smb, cases[i].key), "no name key");
			ASSERT_STREQ(json_string_value(json_object_get(smb, "share_type")),
				     cases[i].share_type, "share_type");
			ASSERT_STREQ(json_string_value(json_object_get(smb, "command")),
				     cases[i].rule == XH_RULE_SMB_ADMIN_LISTING ? "QUERY_DIRECTORY"
										: "READ",
				     "command");
		}
		ASSERT_STREQ(json_string_value(
				     json_object_get(json_object_get(j, "attack"), "technique_id")),
			     cases[i].tid, "built-in technique");
		json_decref(j);
		test_subtest_end();
	}
	/* A rules file may give them others, as any SMB rule. */
	other = smb_rules__parse("technique T1005 collection Data from Local System\n"
				 "rule smb.admin_read T1005\n",
				 "t");
	if (ASSERT_OK_PTR(other, "rules naming smb.admin_read")) {
		json_t *j;

		s.smb = other;
		e.rule = XH_RULE_SMB_ADMIN_READ;
		e.d.smb.flags = 0;
		j = format(&s, &e);
		ASSERT_STREQ(json_string_value(
				     json_object_get(json_object_get(j, "attack"), "technique_id")),
			     "T1005", "the rules file's technique");
		json_decref(j);
		smb_rules__free(other);
	}
	smb_rules__free(r);
	event_sink_fini(&s);
}

/* A PE image written under another name: "mime_type" says how it was
 * found, smb.attack adds T1036.008 (Masquerading: Masquerade File Type) to
 * T1570 when the name is known; without a name, neither the name, the
 * access nor the masquerade. */
void test_smb_json_exe_content(void)
{
	static const char *const name = "notes.txt";
	struct smb_rules *r = smb_rules__new_default();
	struct xh_event e = {};
	struct event_sink s;
	json_t *j, *smb, *att;

	event_sink_init(&s, NULL, NULL, "t");
	s.smb = r;
	smb_hit(&e, XH_RULE_SMB_TOOL_TRANSFER, XH_SMB2_WRITE, XH_SMB_SHARE_DISK, name);
	e.d.smb.access = 0x0012019f;
	e.d.smb.flags = XH_SMB_F_EXE_CONTENT;
	j = format(&s, &e);
	smb = json_object_get(j, "smb");
	att = json_object_get(smb, "attack");
	ASSERT_STREQ(json_string_value(json_object_get(smb, "mime_type")), "application/x-dosexec",
		     "found by content");
	ASSERT_STREQ(json_string_value(json_object_get(smb, "filename")), name, "its name");
	ASSERT_EQ(json_array_size(att), 2, "two techniques");
	ASSERT_STREQ(json_string_value(json_object_get(json_array_get(att, 0), "technique_id")),
		     "T1570", "the rule's first");
	ASSERT_STREQ(json_string_value(json_object_get(json_array_get(att, 1), "technique_id")),
		     "T1036.008", "then the masquerade");
	ASSERT_STREQ(
		json_string_value(json_object_get(json_object_get(j, "attack"), "technique_id")),
		"T1570", "the hit's technique");
	json_decref(j);

	e.d.smb.flags = XH_SMB_F_EXE_CONTENT | XH_SMB_F_NO_NAME;
	e.name_len = 0;
	j = format(&s, &e);
	smb = json_object_get(j, "smb");
	ASSERT_STREQ(json_string_value(json_object_get(smb, "mime_type")), "application/x-dosexec",
		     "found by content, no name");
	ASSERT_NULL(json_object_get(smb, "filename"), "no name");
	ASSERT_NULL(json_object_get(smb, "access"), "no CREATE, no access");
	ASSERT_NULL(json_object_get(smb, "attack"), "no name to masquerade");
	ASSERT_STREQ(json_string_value(json_object_get(smb, "share_type")), "disk", "share type");
	json_decref(j);

	/* By name: no mime_type. */
	e.d.smb.flags = 0;
	e.name_len = (uint16_t)(2 * strlen(name));
	j = format(&s, &e);
	ASSERT_NULL(json_object_get(json_object_get(j, "smb"), "mime_type"), "found by name");
	json_decref(j);
	event_sink_fini(&s);
	smb_rules__free(r);
}

/* `file GLOB ID`: an smb.admin_read whose name matches gets the technique in
 * smb.attack beside T1039; the built-in set names Impacket's remote shell
 * output (ADMIN$\__<time>, __output), ntds.dit and lsass dumps. Patterns
 * match the whole name relative to the share, case-insensitively, with \ as
 * a character; the first match counts; a hit without a name matches
 * nothing. Bad lines are refused with the reason. */
void test_smb_rules_file(void)
{
	static const struct {
		const char *name;
		const char *want; /* technique id in smb.attack, NULL: none */
	} builtin[] = {
		{"__1506613937.95", "T1059.003"}, /* wmiexec, mmcexec */
		{"__output", "T1059.003"},	  /* smbexec */
		{"\\__OUTPUT", "T1059.003"},	  /* leading backslash, case */
		{"Windows\\__x", NULL},		  /* not in the share's root */
		{"boot.ini", NULL},
		{"_one", NULL},
		{"Windows\\Temp\\ntds.dit", "T1003.003"}, /* fetched from a shadow copy */
		{"NTDS.DIT", "T1003.003"},
		{"ntds.dit.bak", NULL},
		{"Temp\\lsass.exe_231204_101010.dmp", "T1003.001"}, /* procdump */
		{"lsass.DMP", "T1003.001"},
		{"MEMORY.DMP", NULL}, /* a crash dump */
	};
	struct smb_rules *r = smb_rules__new_default(), *q;
	struct xh_event e;
	const struct attack_ref *a;

	if (!ASSERT_OK_PTR(r, "built-in rules"))
		return;
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		smb_hit(&e, XH_RULE_SMB_ADMIN_READ, XH_SMB2_READ, XH_SMB_SHARE_ADMIN,
			builtin[i].name);
		a = smb_attack_extra(r, &e);
		if (builtin[i].want && ASSERT_OK_PTR(a, builtin[i].name))
			ASSERT_STREQ(a->technique_id, builtin[i].want, builtin[i].name);
		else if (!builtin[i].want)
			ASSERT_NULL(a, builtin[i].name);
	}
	smb_hit(&e, XH_RULE_SMB_ADMIN_READ, XH_SMB2_READ, XH_SMB_SHARE_ADMIN, "__output");
	e.d.smb.flags = XH_SMB_F_NO_NAME;
	ASSERT_NULL(smb_attack_extra(r, &e), "a hit without a name");
	smb_hit(&e, XH_RULE_SMB_TOOL_TRANSFER, XH_SMB2_CREATE, XH_SMB_SHARE_ADMIN, "__x.exe");
	ASSERT_NULL(smb_attack_extra(r, &e), "file patterns are for smb.admin_read");
	smb_rules__free(r);

	q = smb_rules__parse("technique T1003.003 credential-access OS Credential Dumping: NTDS\n"
			     "technique T1005 collection Data from Local System\n"
			     "file Windows\\NTDS\\ntds.dit T1003.003\n"
			     "file *.dit T1005\n"
			     "share ADMIN$ admin\n",
			     "t");
	if (ASSERT_OK_PTR(q, "file lines")) {
		smb_hit(&e, XH_RULE_SMB_ADMIN_READ, XH_SMB2_READ, XH_SMB_SHARE_ADMIN,
			"windows\\ntds\\NTDS.DIT");
		a = smb_attack_extra(q, &e);
		if (ASSERT_OK_PTR(a, "backslashes are characters"))
			ASSERT_STREQ(a->technique_id, "T1003.003", "the first match counts");
		smb_hit(&e, XH_RULE_SMB_ADMIN_READ, XH_SMB2_READ, XH_SMB_SHARE_ADMIN, "a\\b.dit");
		a = smb_attack_extra(q, &e);
		if (ASSERT_OK_PTR(a, "* crosses backslashes"))
			ASSERT_STREQ(a->technique_id, "T1005", "the second pattern");
		smb_rules__free(q);
	}
	ASSERT_NULL(smb_rules__parse("file __*\n", "t"), "a file line without a technique");
	ASSERT_NULL(smb_rules__parse("technique T1005 collection X\nfile __* T1006\n", "t"),
		    "a technique not defined");
	ASSERT_NULL(smb_rules__parse("technique T1005 collection X\nfile __\x01 T1005\n", "t"),
		    "a control character");
}
