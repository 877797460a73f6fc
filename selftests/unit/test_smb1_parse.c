// SPDX-License-Identifier: GPL-2.0
/* test_smb1_parse.c: SMB1 through bpf/smb.h, natively under ASan/UBSan with the
 * walker of smb_walk.h: TREE_CONNECT_ANDX and NT_CREATE_ANDX in ASCII and
 * Unicode, a path without its NUL, an AndX loop, and every prefix of a segment
 * with both. */
#include <string.h>
#include "test.h"
#include "smbmsg.h"
#include "smb.h"
#include "smb_name.h"
#include "smb_walk.h"

void test_smb_smb1(void)
{
	struct smbmsg s;
	struct walk w;
	size_t h;

	for (int uni = 0; uni < 2; uni++) {
		test_subtest("tree_connect_%s", uni ? "unicode" : "ascii");
		smbmsg_init(&s);
		smbmsg_nb_begin(&s, 0);
		smb1_tree_connect_andx(&s, 3, 100, "\\\\192.0.2.20\\C$", uni);
		smbmsg_nb_end(&s);
		walk(s.b, s.len, 0, &w);
		ASSERT_EQ(w.n, 1, "one block");
		ASSERT_EQ(w.f[0].version, 1, "SMB1");
		ASSERT_OK_PTR(find_name(&w, "\\\\192.0.2.20\\C$"), "path");
		test_subtest_end();

		test_subtest("nt_create_%s", uni ? "unicode" : "ascii");
		smbmsg_init(&s);
		smbmsg_nb_begin(&s, 0);
		smb1_nt_create_andx(&s, 4, 100, 2048, "\\svcctl", 0x2019f, uni);
		smbmsg_nb_end(&s);
		walk(s.b, s.len, 0, &w);
		ASSERT_OK_PTR(find_name(&w, "\\svcctl"), "name");
		if (w.n)
			ASSERT_EQ(w.f[0].nm.h_full, xh_smb_hash_ascii("svcctl"),
				  "leading backslash not hashed");
		test_subtest_end();
	}

	/* Path without its NUL inside ByteCount: unterminated, not used. */
	smbmsg_init(&s);
	smbmsg_nb_begin(&s, 0);
	h = smb1_tree_connect_andx(&s, 3, 100, "\\\\srv\\IPC$", 1);
	smbmsg_set16(&s, h + 32 + 9, 1 + 1 + 2 * 10); /* ByteCount stops before the NUL */
	smbmsg_nb_end(&s);
	walk(s.b, s.len, 0, &w);
	ASSERT_EQ(w.cnt[XH_SMB_CNT_NAME_BAD], 1, "unterminated path");

	/* AndX offset pointing back at its own block: a loop, refused. */
	smbmsg_init(&s);
	smbmsg_nb_begin(&s, 0);
	h = smb1_tree_connect_andx(&s, 3, 100, "\\\\srv\\IPC$", 1);
	s.b[h + 33] = 0x75;
	smbmsg_set16(&s, h + 35, 32);
	smbmsg_nb_end(&s);
	walk(s.b, s.len, 0, &w);
	ASSERT_EQ(w.cnt[XH_SMB_CNT_CHAIN_BAD], 1, "AndX loop");
	ASSERT_EQ(w.n, 1, "block read once");
}

/* SMB1: a tree connect and an NT create in one segment, every prefix. */
void test_smb_smb1_every_truncation(void)
{
	struct smbmsg s;
	struct walk w;
	int bad = 0, last = 0;

	smbmsg_init(&s);
	smbmsg_nb_begin(&s, 0);
	smb1_tree_connect_andx(&s, 3, 100, "\\\\srv\\IPC$", 1);
	smbmsg_nb_end(&s);
	smbmsg_nb_begin(&s, 0);
	smb1_nt_create_andx(&s, 4, 100, 2048, "\\samr", 0x2019f, 1);
	smbmsg_nb_end(&s);
	for (size_t n = 0; n <= s.len; n++) {
		walk(s.b, n, 0, &w);
		last = 0;
		for (int i = 0; i < w.n; i++) {
			if (w.f[i].name_err)
				continue;
			last++;
			if (strcmp(w.f[i].name, "\\\\srv\\IPC$") && strcmp(w.f[i].name, "\\samr"))
				bad++;
		}
	}
	ASSERT_EQ(bad, 0, "prefixes with a wrong name");
	ASSERT_EQ(last, 2, "whole segment: both names");
}

/* TRANS2 FIND_FIRST2 (SMB1's directory listing): its search pattern is the
 * name, Unicode and OEM, every prefix under ASan; another TRANS2
 * subcommand has none; a ParameterOffset inside the header or a
 * ParameterCount past the message are refused. */
void test_smb_smb1_find_first2(void)
{
	struct smbmsg s;
	struct walk w;
	size_t h;

	for (int uni = 0; uni < 2; uni++) {
		test_subtest("find_first2_%s", uni ? "unicode" : "ascii");
		smbmsg_init(&s);
		smbmsg_nb_begin(&s, 0);
		smb1_trans2_find_first2(&s, 8, 100, 2050, "\\Windows\\*", uni);
		smbmsg_nb_end(&s);
		walk(s.b, s.len, 0, &w);
		ASSERT_EQ(w.n, 1, "one block");
		ASSERT_EQ(w.f[0].command, XH_SMB1_TRANSACTION2, "TRANSACTION2");
		ASSERT_OK_PTR(find_name(&w, "\\Windows\\*"), "the search pattern");
		for (size_t n = 0; n < s.len; n++) {
			walk(s.b, n, 0, &w);
			for (int i = 0; i < w.n; i++)
				if (!w.f[i].name_err)
					ASSERT_STREQ(w.f[i].name, "\\Windows\\*", "whole or none");
		}
		test_subtest_end();
	}
	smbmsg_init(&s);
	smbmsg_nb_begin(&s, 0);
	h = smb1_trans2_find_first2(&s, 8, 100, 2050, "\\*", 1);
	smbmsg_set16(&s, h + 32 + 29, 0x0005); /* QUERY_PATH_INFORMATION */
	smbmsg_nb_end(&s);
	walk(s.b, s.len, 0, &w);
	ASSERT_EQ(w.n, 1, "parsed");
	ASSERT_EQ(w.f[0].name_err, 1, "no name from another subcommand");
	smbmsg_set16(&s, h + 32 + 29, 0x0001);
	smbmsg_set16(&s, h + 32 + 21, 40); /* ParameterOffset in the words */
	walk(s.b, s.len, 0, &w);
	ASSERT_EQ(w.cnt[XH_SMB_CNT_NAME_OOB], 1, "parameters inside the header");
	smbmsg_set16(&s, h + 32 + 21, 68);
	smbmsg_set16(&s, h + 32 + 19, 0x400); /* ParameterCount past the message */
	walk(s.b, s.len, 0, &w);
	ASSERT_EQ(w.cnt[XH_SMB_CNT_NAME_OOB], 1, "parameters past the message");
	s.b[h + 32 + 27] = 2; /* SetupCount that WordCount does not hold */
	walk(s.b, s.len, 0, &w);
	ASSERT_EQ(w.cnt[XH_SMB_CNT_HDR_BAD], 1, "SetupCount against WordCount");
}

/* Requests only MS17-010 tooling sends: PeekNamedPipe on FID 0 (the check
 * of WannaCry's scanner, Metasploit and nmap) and TRANSACTION2
 * SESSION_SETUP (DoublePulsar). A pipe's own PeekNamedPipe, TransactNmPipe
 * and a FIND_FIRST2 are not; a response never is; every prefix of the
 * check is read in bounds and flagged only when its setup words are there. */
void test_smb_smb1_exploit(void)
{
	static const struct {
		const char *what;
		int trans2;
		uint16_t setup0, setup1;
		uint8_t want;
	} c[] = {
		{"PeekNamedPipe FID 0", 0, 0x0023, 0, XH_SMB_EXPLOIT_MS17_010_CHECK},
		{"PeekNamedPipe of an open", 0, 0x0023, 0x4001, 0},
		{"TransactNmPipe FID 0", 0, 0x0026, 0, 0},
		{"TRANS2 SESSION_SETUP", 1, 0x000e, 0, XH_SMB_EXPLOIT_DOUBLEPULSAR},
		{"TRANS2 FIND_FIRST2", 1, 0x0001, 0, 0},
	};
	struct smbmsg s;
	struct walk w;
	size_t h;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		test_subtest("%s", c[i].what);
		smbmsg_init(&s);
		smbmsg_nb_begin(&s, 0);
		h = c[i].trans2 ? smb1_trans2_find_first2(&s, 65, 100, 2048, "\\*", 0)
				: smb1_trans_nmpipe(&s, 65, 100, 2048, 0, "", 0);
		smbmsg_set16(&s, h + 32 + 29, c[i].setup0);
		if (!c[i].trans2)
			smbmsg_set16(&s, h + 32 + 31, c[i].setup1);
		smbmsg_nb_end(&s);
		walk(s.b, s.len, 0, &w);
		if (ASSERT_EQ(w.n, 1, "one message"))
			ASSERT_EQ(w.f[0].exploit, c[i].want, "exploit");
		/* the same bytes from the server: no request; any
		 * TRANSACTION2 answer is a candidate for DoublePulsar's (the
		 * walk pairs it with the flow's ping by MID) */
		s.b[h + 9] |= 0x80;
		walk(s.b, s.len, 0, &w);
		if (ASSERT_EQ(w.n, 1, "one response"))
			ASSERT_EQ(w.f[0].exploit,
				  c[i].trans2 ? XH_SMB_EXPLOIT_DOUBLEPULSAR_IMPLANT : 0,
				  "a response");
		s.b[h + 9] &= 0x7f;
		for (size_t n = 0; n < s.len; n++) {
			walk(s.b, n, 0, &w);
			for (int k = 0; k < w.n; k++)
				ASSERT_TRUE(w.f[k].exploit == 0 || w.f[k].response ||
						    (w.f[k].exploit == c[i].want &&
						     n >= h + 32 + (c[i].trans2 ? 31 : 33)),
					    "flagged only with its setup words");
		}
		test_subtest_end();
	}
	/* An unpatched server's answer to the check: the parse marks it (the
	 * walk pairs it with the check by MID); another status is not. */
	smbmsg_init(&s);
	smbmsg_nb_begin(&s, 0);
	h = smb1_trans_nmpipe(&s, 65, 100, 2048, 0, "", 0);
	smbmsg_nb_end(&s);
	s.b[h + 9] |= 0x80;
	smbmsg_set16(&s, h + 5, 0x0205);
	smbmsg_set16(&s, h + 7, 0xc000); /* STATUS_INSUFF_SERVER_RESOURCES */
	walk(s.b, s.len, 0, &w);
	if (ASSERT_EQ(w.n, 1, "the answer"))
		ASSERT_EQ(w.f[0].exploit, XH_SMB_EXPLOIT_MS17_010_VULNERABLE, "unpatched");
	smbmsg_set16(&s, h + 5, 0x0022); /* STATUS_ACCESS_DENIED */
	walk(s.b, s.len, 0, &w);
	if (ASSERT_EQ(w.n, 1, "the answer"))
		ASSERT_EQ(w.f[0].exploit, 0, "patched (access denied)");
	/* SetupCount other than 2 is no pipe function */
	smbmsg_init(&s);
	smbmsg_nb_begin(&s, 0);
	h = smb1_trans_nmpipe(&s, 65, 100, 2048, 0, "", 0);
	smbmsg_set16(&s, h + 32 + 29, 0x0023);
	s.b[h + 32 + 27] = 3;
	smbmsg_nb_end(&s);
	walk(s.b, s.len, 0, &w);
	ASSERT_EQ(w.n ? w.f[0].exploit : 1, 0, "SetupCount 3");
}

/* EternalBlue's pair: an NT_TRANSACT whose data is still to come (the parse
 * marks it open, not a finding), and a TRANSACTION2_SECONDARY (a candidate
 * the walk pairs with the open NT_TRANSACT by MID). A complete NT_TRANSACT
 * is not open; a secondary from the server is nothing; every prefix is read
 * in bounds, an NT_TRANSACT marked only with its counts there. */
void test_smb_smb1_eternalblue(void)
{
	struct smbmsg s;
	struct walk w;
	size_t h;

	test_subtest("NT_TRANSACT");
	smbmsg_init(&s);
	smbmsg_nb_begin(&s, 0);
	h = smb1_nt_trans(&s, 0, 2048, 2048, 0, 65558, 1000);
	smbmsg_nb_end(&s);
	walk(s.b, s.len, 0, &w);
	if (ASSERT_EQ(w.n, 1, "one message"))
		ASSERT_EQ(w.f[0].exploit, XH_SMB_EXPLOIT_NT_TRANS_OPEN, "data to come: open");
	for (size_t n = 0; n < s.len; n++) {
		walk(s.b, n, 0, &w);
		for (int k = 0; k < w.n; k++)
			ASSERT_TRUE(w.f[k].exploit == 0 ||
					    (w.f[k].exploit == XH_SMB_EXPLOIT_NT_TRANS_OPEN &&
					     n >= h + 32 + 32),
				    "open only with its counts");
	}
	smbmsg_set16(&s, h + 32 + 8, 1000); /* TotalDataCount 1000 */
	smbmsg_set16(&s, h + 32 + 10, 0);
	walk(s.b, s.len, 0, &w);
	if (ASSERT_EQ(w.n, 1, "one message"))
		ASSERT_EQ(w.f[0].exploit, 0, "all its data: not open");
	smbmsg_set16(&s, h + 32 + 4, 31); /* TotalParameterCount 31 of 30 sent */
	walk(s.b, s.len, 0, &w);
	if (ASSERT_EQ(w.n, 1, "one message"))
		ASSERT_EQ(w.f[0].exploit, XH_SMB_EXPLOIT_NT_TRANS_OPEN, "parameters to come: open");
	s.b[h + 32] = 18; /* WordCount below NT_TRANSACT's 19 */
	walk(s.b, s.len, 0, &w);
	ASSERT_EQ(w.n ? w.f[0].exploit : 1, 0, "WordCount 18");
	s.b[h + 32] = 20;
	s.b[h + 9] |= 0x80;
	walk(s.b, s.len, 0, &w);
	ASSERT_EQ(w.n ? w.f[0].exploit : 1, 0, "the server's answer");
	test_subtest_end();

	test_subtest("TRANSACTION2_SECONDARY");
	smbmsg_init(&s);
	smbmsg_nb_begin(&s, 0);
	h = smb1_trans2_secondary(&s, 0, 2048, 2048, 4096, 2000, 1000);
	smbmsg_nb_end(&s);
	walk(s.b, s.len, 0, &w);
	if (ASSERT_EQ(w.n, 1, "one message"))
		ASSERT_EQ(w.f[0].exploit, XH_SMB_EXPLOIT_ETERNALBLUE, "a candidate");
	for (size_t n = 0; n < s.len; n++)
		walk(s.b, n, 0, &w); /* in bounds: ASan */
	s.b[h + 9] |= 0x80;
	walk(s.b, s.len, 0, &w);
	ASSERT_EQ(w.n ? w.f[0].exploit : 1, 0, "from the server");
	test_subtest_end();
}
