// SPDX-License-Identifier: GPL-2.0
/* test_smb_parse.c: bpf/smb.h run natively under ASan/UBSan. A walker that
 * mirrors bpf/smb.bpf.h (NetBIOS messages -> compound members / AndX blocks
 * -> names, with the same bounds) runs over payloads copied into buffers of
 * their exact length, so any read past the segment is an ASan error. */
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "smbmsg.h"
#include "smb.h"
#include "smb_name.h"

struct found {
	uint8_t version, response;
	uint16_t command;
	uint64_t mid;
	uint32_t tree;
	int name_err;	/* 0: name[] valid; -reason; 1: message had no name */
	char name[300]; /* ASCII rendering of the scanned name */
	struct xh_smb_name nm;
};

struct walk {
	struct found f[64];
	int n;
	unsigned long cnt[XH_SMB_CNT__MAX];
};

static void count(struct walk *w, int reason)
{
	int r = reason < 0 ? -reason : reason;

	if (r < XH_SMB_CNT__MAX)
		w->cnt[r]++;
}

/* The name of @m (header at payload offset @hdr), as smb.bpf.h reads it. */
static int get_name(const uint8_t *p, size_t len, size_t hdr, const struct xh_smb_msg *m,
		    struct found *f)
{
	size_t abs = hdr + m->name_off, n;
	int cut = 0, err;

	if (!m->name_nul && m->name_max > XH_EVENT_NAME_MAX)
		return -XH_SMB_CNT_NAME_LONG;
	if (abs >= len)
		return -XH_SMB_CNT_NAME_CUT;
	n = m->name_max < XH_EVENT_NAME_MAX ? m->name_max : XH_EVENT_NAME_MAX;
	if (n > len - abs) {
		if (!m->name_nul)
			return -XH_SMB_CNT_NAME_CUT;
		n = len - abs;
		cut = 1;
	}
	err = xh_smb_name_scan(p + abs, (uint32_t)n, m->name_enc, m->name_nul, &f->nm);
	if (cut && !f->nm.done && !f->nm.bad)
		return -XH_SMB_CNT_NAME_CUT;
	if (m->name_nul) /* finish() judged the scanned part; judge the full span */
		err = xh_smb_name_finish(&f->nm, m->name_max);
	if (err)
		return err;
	for (size_t i = 0, cs = m->name_enc == XH_SMB_ENC_UTF16LE ? 2 : 1; i < f->nm.len / cs; i++)
		f->name[i] = (char)p[abs + i * cs];
	return 0;
}

/* Walk a TCP payload of @len bytes (copied to an exact-size buffer). */
static void walk(const uint8_t *payload, size_t len, int port139, struct walk *w)
{
	uint8_t *p = malloc(len ? len : 1);
	size_t off = 0;
	int nb_req = 0;

	memcpy(p, payload, len);
	memset(w, 0, sizeof(*w));
	for (int k = 0; k < XH_SMB_MAX_NB && off < len; k++) {
		struct xh_nb nb;
		size_t hdr, rem, blk = 0;
		unsigned int cmd = 0x100;

		if (len - off < 4 || xh_nb_parse(p + off, 4, &nb)) {
			count(w, XH_SMB_CNT_NO_MSG_START);
			break;
		}
		if (nb.type == XH_NB_SESSION_REQ) {
			nb_req = 1;
			goto next;
		}
		if (nb.type != XH_NB_MESSAGE)
			goto next;
		if (port139 && !nb_req) {
			count(w, XH_SMB_CNT_NB_NO_REQUEST);
			break;
		}
		hdr = off + 4;
		rem = nb.len;
		for (int j = 0; j < XH_SMB_MAX_CHAIN; j++) {
			size_t at = hdr + blk, avail = at < len ? len - at : 0;
			struct xh_smb_msg m;
			struct found *f;
			int err;

			if (avail > XH_SMB_HDR_BUF)
				avail = XH_SMB_HDR_BUF;
			if (avail > rem - blk)
				avail = rem - blk;
			if (!avail) {
				count(w, rem ? XH_SMB_CNT_HDR_TRUNC : XH_SMB_CNT_NB_BAD_LEN);
				break;
			}
			/* SMB1 AndX blocks are walked below, inside their message. */
			if (cmd & 0x100)
				err = xh_smb_parse(p + at, (uint32_t)avail, (uint32_t)rem, &m);
			else
				err = xh_smb2_parse(p + at, (uint32_t)avail, (uint32_t)rem, &m);
			if ((cmd & 0x100) && err == -XH_SMB_CNT_NO_MSG_START) {
				count(w, err);
				goto out;
			}
			if (!m.version) {
				count(w, err);
				break;
			}
			if (err) {
				count(w, err);
				m.name_max = 0;
			}
			if (w->n == 64)
				abort();
			f = &w->f[w->n++];
			memset(f, 0, sizeof(*f));
			f->version = m.version;
			f->response = m.response;
			f->command = m.command;
			f->mid = m.message_id;
			f->tree = m.tree_id;
			f->name_err = m.name_max ? get_name(p, len, hdr, &m, f) : 1;
			if (f->name_err < 0)
				count(w, f->name_err);
			if (m.version == 1) {
				/* AndX blocks of this SMB1 message. */
				for (int b = 1; m.next && b < XH_SMB_MAX_CHAIN; b++) {
					size_t bat = hdr + m.next, bav = bat < len ? len - bat : 0;

					blk = m.next;
					if (bav > XH_SMB_HDR_BUF)
						bav = XH_SMB_HDR_BUF;
					if (bav > rem - blk)
						bav = rem - blk;
					if (!bav) {
						count(w, XH_SMB_CNT_HDR_TRUNC);
						break;
					}
					err = xh_smb1_block(p + bat, (uint32_t)bav, (uint32_t)blk,
							    (uint32_t)rem, m.next_cmd, &m);
					if (err) {
						count(w, err);
						m.name_max = 0;
					}
					f = &w->f[w->n++];
					memset(f, 0, sizeof(*f));
					f->version = 1;
					f->response = m.response;
					f->command = m.command;
					f->mid = m.message_id;
					f->tree = m.tree_id;
					f->name_err = m.name_max ? get_name(p, len, hdr, &m, f) : 1;
					if (f->name_err < 0)
						count(w, f->name_err);
				}
				break;
			}
			if (!m.next || m.version == 3)
				break;
			if (j == XH_SMB_MAX_CHAIN - 1) {
				count(w, XH_SMB_CNT_CHAIN_LIMIT);
				break;
			}
			hdr += m.next;
			rem -= m.next;
			cmd = 0;
		}
	next:
		off += 4 + (size_t)nb.len;
	}
out:
	free(p);
}

static const struct found *find_name(const struct walk *w, const char *name)
{
	for (int i = 0; i < w->n; i++)
		if (!w->f[i].name_err && !strcmp(w->f[i].name, name))
			return &w->f[i];
	return NULL;
}

void test_smb_tree_connect_and_names(void)
{
	struct smbmsg s;
	struct walk w;
	const struct found *f;

	smbmsg_init(&s);
	smbmsg_nb_begin(&s, 0);
	smb2_tree_connect_req(&s, 7, 0x1122334455667788ULL, "\\\\192.0.2.20\\ADMIN$");
	smbmsg_nb_end(&s);
	walk(s.b, s.len, 0, &w);
	ASSERT_EQ(w.n, 1, "one message");
	f = find_name(&w, "\\\\192.0.2.20\\ADMIN$");
	if (ASSERT_OK_PTR(f, "path")) {
		ASSERT_EQ(f->command, XH_SMB2_TREE_CONNECT, "command");
		ASSERT_EQ(f->mid, 7, "message id");
		ASSERT_EQ(f->nm.h_last, xh_smb_hash_ascii("admin$"), "last component hash");
		ASSERT_EQ(f->nm.h_full, xh_smb_hash_ascii("192.0.2.20\\ADMIN$"), "full hash");
		ASSERT_FALSE(xh_smb_name_is_drive(&f->nm), "ADMIN$ is no drive letter");
	}

	smbmsg_init(&s);
	smbmsg_nb_begin(&s, 0);
	smb2_tree_connect_req(&s, 8, 1, "\\\\srv\\c$");
	smbmsg_nb_end(&s);
	walk(s.b, s.len, 0, &w);
	f = find_name(&w, "\\\\srv\\c$");
	if (ASSERT_OK_PTR(f, "c$ path"))
		ASSERT_TRUE(xh_smb_name_is_drive(&f->nm), "c$ is a drive letter share");
}

/* A compound CREATE + CREATE + WRITE and a second NetBIOS message with a
 * tree connect, in one segment: every name, in order. */
static size_t build_compound(struct smbmsg *s)
{
	size_t h;

	smbmsg_init(s);
	smbmsg_nb_begin(s, 0);
	h = smb2_create_req(s, 10, 5, 0x11, "svcctl", 0x12019f);
	smb2_chain(s, h);
	h = smb2_create_req(s, 11, 5, 0x11, "Temp\\Tool.EXE", 0x40000000);
	smb2_chain(s, h);
	smb2_write_req(s, 12, 5, 0x11);
	smbmsg_nb_end(s);
	smbmsg_nb_begin(s, 0);
	smb2_tree_connect_req(s, 13, 5, "\\\\srv\\IPC$");
	smbmsg_nb_end(s);
	return s->len;
}

void test_smb_compound(void)
{
	struct smbmsg s;
	struct walk w;
	const struct found *f;

	build_compound(&s);
	walk(s.b, s.len, 0, &w);
	ASSERT_EQ(w.n, 4, "messages");
	ASSERT_OK_PTR(find_name(&w, "svcctl"), "pipe");
	f = find_name(&w, "Temp\\Tool.EXE");
	if (ASSERT_OK_PTR(f, "file")) {
		ASSERT_EQ(f->nm.h_ext, xh_smb_hash_ascii("exe"), "extension hash folds case");
		ASSERT_EQ(f->nm.h_last, xh_smb_hash_ascii("tool.exe"), "last component");
	}
	ASSERT_OK_PTR(find_name(&w, "\\\\srv\\IPC$"), "second NetBIOS message");
	ASSERT_EQ(w.f[2].command, XH_SMB2_WRITE, "write member");
	for (int i = 0; i < XH_SMB_CNT__MAX; i++)
		ASSERT_EQ(w.cnt[i], 0, "no error counted");
}

/* Every prefix of the segment: no read past it (ASan), and every name found
 * is one of the real ones, whole. */
void test_smb_every_truncation(void)
{
	static const char *const names[] = {"svcctl", "Temp\\Tool.EXE", "\\\\srv\\IPC$"};
	struct smbmsg s;
	struct walk w;
	size_t len = build_compound(&s);
	int bad = 0, prev = 0;

	for (size_t n = 0; n <= len; n++) {
		int good = 0;

		walk(s.b, n, 0, &w);
		for (int i = 0; i < w.n; i++) {
			int ok = 0;

			if (w.f[i].name_err)
				continue;
			for (size_t k = 0; k < 3; k++)
				ok |= !strcmp(w.f[i].name, names[k]);
			if (!ok) {
				bad++;
				printf("  prefix %zu: wrong name '%s'\n", n, w.f[i].name);
			}
			good++;
		}
		if (good < prev)
			bad++;
		prev = good;
	}
	ASSERT_EQ(bad, 0, "prefixes with a wrong or lost name");
	ASSERT_EQ(prev, 3, "full segment: all names");
}

struct malformed {
	const char *name;
	size_t field; /* offset from the message header, or (size_t)-1 */
	int width;    /* 2 or 4 */
	uint32_t value;
	int reason; /* counter that must count it */
};

void test_smb_malformed_smb2(void)
{
	/* Tree connect body at 64: PathOffset 68, PathLength 70. CREATE body at
	 * 64: NameOffset 108, NameLength 110. NextCommand at 20. */
	static const struct malformed rows[] = {
		{"path_offset_past_msg", 64 + 4, 2, 0xfff0, XH_SMB_CNT_NAME_OOB},
		{"path_offset_in_header", 64 + 4, 2, 16, XH_SMB_CNT_NAME_OOB},
		{"path_length_past_msg", 64 + 6, 2, 0x2000, XH_SMB_CNT_NAME_OOB},
		{"path_length_odd", 64 + 6, 2, 5, XH_SMB_CNT_NAME_ODD},
		{"path_length_zero", 64 + 6, 2, 0, XH_SMB_CNT_NAME_EMPTY},
		{"tc_structure_size", 64, 2, 8, XH_SMB_CNT_HDR_BAD},
		{"tc_extension", 64 + 2, 2, 4, XH_SMB_CNT_TC_EXTENSION},
		{"hdr_structure_size", 4, 2, 63, XH_SMB_CNT_HDR_BAD},
		{"next_backwards", 20, 4, 8, XH_SMB_CNT_CHAIN_BAD},
		{"next_unaligned", 20, 4, 90, XH_SMB_CNT_CHAIN_BAD},
		{"next_past_msg", 20, 4, 0x10000, XH_SMB_CNT_CHAIN_BAD},
		{"next_no_room_for_header", 20, 4, 96, XH_SMB_CNT_CHAIN_BAD},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct malformed *r = &rows[i];
		struct smbmsg s;
		struct walk w;
		size_t h;

		test_subtest("%s", r->name);
		smbmsg_init(&s);
		smbmsg_nb_begin(&s, 0);
		h = smb2_tree_connect_req(&s, 1, 1, "\\\\srv\\ADMIN$");
		if (r->width == 2)
			smbmsg_set16(&s, h + r->field, (uint16_t)r->value);
		else
			smbmsg_set32(&s, h + r->field, r->value);
		smbmsg_nb_end(&s);
		walk(s.b, s.len, 0, &w);
		ASSERT_EQ(w.cnt[r->reason], 1, "reason counted");
		ASSERT_NULL(find_name(&w, "\\\\srv\\ADMIN$"), "no name");
		for (int k = 0; k < w.n; k++)
			ASSERT_NEQ(w.f[k].name_err, 0, "no name from a malformed message");
		test_subtest_end();
	}
}

void test_smb_malformed_create_and_chain(void)
{
	struct smbmsg s;
	struct walk w;
	size_t h;

	/* CREATE NameOffset before the Buffer and past the message. */
	smbmsg_init(&s);
	smbmsg_nb_begin(&s, 0);
	h = smb2_create_req(&s, 1, 1, 1, "samr", 0x1);
	smbmsg_set16(&s, h + 64 + 44, 64);
	smbmsg_nb_end(&s);
	walk(s.b, s.len, 0, &w);
	ASSERT_EQ(w.cnt[XH_SMB_CNT_NAME_OOB], 1, "name offset inside the body");
	smbmsg_set16(&s, h + 64 + 44, 0xfffe);
	walk(s.b, s.len, 0, &w);
	ASSERT_EQ(w.cnt[XH_SMB_CNT_NAME_OOB], 1, "name offset past the message");

	/* Name past the NetBIOS length though inside the segment. */
	smbmsg_init(&s);
	smbmsg_nb_begin(&s, 0);
	h = smb2_create_req(&s, 1, 1, 1, "samr", 0x1);
	smbmsg_nb_end(&s);
	s.b[s.nb + 3] -= 2; /* NetBIOS length 2 short: the name ends past it */
	walk(s.b, s.len, 0, &w);
	ASSERT_EQ(w.cnt[XH_SMB_CNT_NAME_OOB], 1, "bounded by the NetBIOS length");
	ASSERT_NULL(find_name(&w, "samr"), "no name");

	/* A chain of 9 members: 8 inspected, then the limit is counted. */
	smbmsg_init(&s);
	smbmsg_nb_begin(&s, 0);
	for (int i = 0; i < 9; i++) {
		h = smb2_write_req(&s, (uint64_t)i, 1, 1);
		if (i < 8)
			smb2_chain(&s, h);
	}
	smbmsg_nb_end(&s);
	walk(s.b, s.len, 0, &w);
	ASSERT_EQ(w.n, XH_SMB_MAX_CHAIN, "members inspected");
	ASSERT_EQ(w.cnt[XH_SMB_CNT_CHAIN_LIMIT], 1, "chain limit counted");

	/* NetBIOS length 0, not SMB, and too short for a header. */
	{
		static const uint8_t zero[4] = {0, 0, 0, 0};
		static const uint8_t junk[8] = {0, 0, 0, 4, 'J', 'U', 'N', 'K'};
		static const uint8_t mid[6] = {0x17, 0x03, 0x03, 0, 1, 2};

		walk(zero, sizeof(zero), 0, &w);
		ASSERT_EQ(w.cnt[XH_SMB_CNT_NB_BAD_LEN], 1, "NetBIOS length 0");
		walk(junk, sizeof(junk), 0, &w);
		ASSERT_EQ(w.cnt[XH_SMB_CNT_NO_MSG_START], 1, "no SMB magic");
		walk(mid, sizeof(mid), 0, &w);
		ASSERT_EQ(w.cnt[XH_SMB_CNT_NO_MSG_START], 1, "not a session header");
	}
}

void test_smb_netbios_139(void)
{
	struct smbmsg s;
	struct walk w;

	smbmsg_init(&s);
	smbmsg_nb_begin(&s, 0);
	smb2_tree_connect_req(&s, 1, 1, "\\\\srv\\IPC$");
	smbmsg_nb_end(&s);
	walk(s.b, s.len, 1, &w);
	ASSERT_EQ(w.cnt[XH_SMB_CNT_NB_NO_REQUEST], 1, "139 without session request");
	ASSERT_EQ(w.n, 0, "nothing parsed");

	smbmsg_init(&s);
	smbmsg_nb_session_request(&s);
	smbmsg_nb_begin(&s, 0);
	smb2_tree_connect_req(&s, 1, 1, "\\\\srv\\IPC$");
	smbmsg_nb_end(&s);
	walk(s.b, s.len, 1, &w);
	ASSERT_OK_PTR(find_name(&w, "\\\\srv\\IPC$"), "after the session request");
}

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

void test_smb_smb3(void)
{
	struct smbmsg s;
	struct walk w;

	smbmsg_init(&s);
	smbmsg_nb_begin(&s, 0);
	smb3_transform(&s, 0xabcdef);
	smbmsg_nb_end(&s);
	walk(s.b, s.len, 0, &w);
	ASSERT_EQ(w.n, 1, "transform");
	ASSERT_EQ(w.f[0].version, 3, "version 3");
	for (size_t n = 0; n < s.len; n++)
		walk(s.b, n, 0, &w); /* every prefix, under ASan */

	smbmsg_init(&s);
	smbmsg_nb_begin(&s, 0);
	smb3_compressed(&s);
	smbmsg_nb_end(&s);
	walk(s.b, s.len, 0, &w);
	ASSERT_EQ(w.n, 1, "compressed");
}

static int scan16(const uint16_t *cu, size_t n, struct xh_smb_name *nm)
{
	uint8_t *b = malloc(2 * n + 1);
	int err;

	for (size_t i = 0; i < n; i++) {
		b[2 * i] = cu[i] & 0xff;
		b[2 * i + 1] = cu[i] >> 8;
	}
	err = xh_smb_name_scan(b, (uint32_t)(2 * n), XH_SMB_ENC_UTF16LE, 0, nm);
	free(b);
	return err;
}

void test_smb_name_scan(void)
{
	static const uint16_t ok_pair[] = {'a', 0xd83d, 0xde00, 'b'};
	static const uint16_t lone_hi[] = {'a', 0xd83d, 'b'};
	static const uint16_t lone_lo[] = {'a', 0xde00};
	static const uint16_t hi_end[] = {'a', 0xd83d};
	static const uint16_t nul_in[] = {'a', 0, 'b'};
	static const uint16_t nul_end[] = {'s', 'a', 'm', 'r', 0};
	static const uint16_t ctrl[] = {'a', 0x07};
	static const uint16_t only_bs[] = {'\\', '\\'};
	struct xh_smb_name nm;
	uint8_t *big;

	ASSERT_OK(scan16(ok_pair, 4, &nm), "surrogate pair");
	ASSERT_EQ(scan16(lone_hi, 3, &nm), -XH_SMB_CNT_NAME_BAD, "lone high surrogate");
	ASSERT_EQ(scan16(lone_lo, 2, &nm), -XH_SMB_CNT_NAME_BAD, "lone low surrogate");
	ASSERT_EQ(scan16(hi_end, 2, &nm), -XH_SMB_CNT_NAME_BAD, "high surrogate at the end");
	ASSERT_EQ(scan16(nul_in, 3, &nm), -XH_SMB_CNT_NAME_BAD, "NUL inside");
	ASSERT_OK(scan16(nul_end, 5, &nm), "trailing NUL");
	ASSERT_EQ(nm.len, 8, "trailing NUL not counted");
	ASSERT_EQ(nm.h_full, xh_smb_hash_ascii("SAMR"), "hash folds case");
	ASSERT_EQ(scan16(ctrl, 2, &nm), -XH_SMB_CNT_NAME_BAD, "control character");
	ASSERT_EQ(scan16(only_bs, 2, &nm), -XH_SMB_CNT_NAME_EMPTY, "only backslashes");
	ASSERT_EQ(xh_smb_name_scan((const uint8_t *)"ab\xe9", 3, XH_SMB_ENC_ASCII, 0, &nm),
		  -XH_SMB_CNT_NAME_BAD, "non-ASCII OEM byte");

	/* A counted name longer than 256 bytes: its end is not seen. */
	big = malloc(300);
	memset(big, 'a', 300);
	for (int i = 1; i < 300; i += 2)
		big[i] = 0;
	ASSERT_EQ(xh_smb_name_scan(big, 300, XH_SMB_ENC_UTF16LE, 0, &nm), -XH_SMB_CNT_NAME_LONG,
		  "long name");
	ASSERT_OK(xh_smb_name_scan(big, 256, XH_SMB_ENC_UTF16LE, 0, &nm), "256 bytes fit");
	free(big);
}
