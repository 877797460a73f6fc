// SPDX-License-Identifier: GPL-2.0
/* test_smb_parse.c: bpf/smb.h run natively under ASan/UBSan through the walker
 * of smb_walk.h, over SMB2 and SMB3: names and their hashes, compounds and
 * several NetBIOS messages in a segment, every truncation, malformed fields and
 * chains, port 139's session request, SMB3 transform and compressed headers.
 * SMB1: test_smb1_parse.c; the name scanner: test_smb_name_scan.c. */
#include <string.h>
#include "test.h"
#include "smbmsg.h"
#include "smb.h"
#include "smb_name.h"
#include "smb_walk.h"

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

/* Parse the one message of @s (a NetBIOS frame) with the first @avail bytes
 * of it at hand, from an exact-length copy (ASan sees any read past it). */
static int parse_prefix(const struct smbmsg *s, size_t avail, struct xh_smb_msg *m)
{
	uint8_t *b = malloc(avail ? avail : 1);
	int err;

	memcpy(b, s->b + 4, avail);
	err = xh_smb_parse(b, (uint32_t)avail, (uint32_t)(s->len - 4), m);
	free(b);
	return err;
}

/* Requests on an open carry their FileId (READ, QUERY_DIRECTORY, CLOSE,
 * SMB1 READ_ANDX and CLOSE, as WRITE did); a bad StructureSize or WordCount
 * is refused; a message cut anywhere before the FileId gives none; a CREATE
 * with NameLength 0 is the share's root, no malformed name. */
void test_smb_file_requests(void)
{
	static const uint8_t fid[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	struct {
		const char *name;
		uint16_t cmd;
		size_t fid_end; /* from the header: the FileId's last byte + 1 */
		size_t size_at; /* StructureSize / WordCount, from the header */
	} rows[] = {
		{"smb2_read", XH_SMB2_READ, 64 + 32, 64},
		{"smb2_query_directory", XH_SMB2_QUERY_DIR, 64 + 24, 64},
		{"smb2_close", XH_SMB2_CLOSE, 64 + 24, 64},
		{"smb1_read_andx", XH_SMB1_READ_ANDX, 32 + 7, 32},
		{"smb1_close", XH_SMB1_CLOSE, 32 + 3, 32},
	};
	struct xh_smb_msg m;
	struct smbmsg s;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int smb1 = i >= 3, bad = 0;

		test_subtest("%s", rows[i].name);
		smbmsg_init(&s);
		smbmsg_nb_begin(&s, 0);
		if (rows[i].cmd == XH_SMB2_READ && !smb1)
			smb2_read_req(&s, 5, 0x77, 9, fid);
		else if (rows[i].cmd == XH_SMB2_QUERY_DIR && !smb1)
			smb2_query_dir_req(&s, 5, 0x77, 9, fid, "*");
		else if (!smb1)
			smb2_close_req(&s, 5, 0x77, 9, fid);
		else if (rows[i].cmd == XH_SMB1_READ_ANDX)
			smb1_read_andx(&s, 5, 100, 2050, 0x0201);
		else
			smb1_close(&s, 5, 100, 2050, 0x0201);
		smbmsg_nb_end(&s);
		ASSERT_OK(parse_prefix(&s, s.len - 4, &m), "parsed");
		ASSERT_EQ(m.command, rows[i].cmd, "command");
		ASSERT_EQ(m.has_fid, 1, "FileId");
		if (smb1)
			ASSERT_EQ(m.file_id[0] | m.file_id[1] << 8, 0x0201, "SMB1 FID");
		else
			ASSERT_MEMEQ(m.file_id, fid, 16, "SMB2 FileId");
		for (size_t n = 0; n < rows[i].fid_end; n++) {
			int err = parse_prefix(&s, n, &m);

			bad += m.has_fid || !err;
		}
		ASSERT_EQ(bad, 0, "a prefix that ends before the FileId gives none");
		s.b[4 + rows[i].size_at] ^= 0x40;
		ASSERT_EQ(parse_prefix(&s, s.len - 4, &m), -XH_SMB_CNT_HDR_BAD, "size refused");
		ASSERT_EQ(m.has_fid, 0, "no FileId from it");
		test_subtest_end();
	}

	/* A response carries none (a server's READ answer is file data). */
	smbmsg_init(&s);
	smbmsg_nb_begin(&s, 0);
	smb2_read_req(&s, 5, 0x77, 9, fid);
	smbmsg_nb_end(&s);
	s.b[4 + 16] |= 1; /* SMB2_FLAGS_SERVER_TO_REDIR */
	ASSERT_OK(parse_prefix(&s, s.len - 4, &m), "response parsed");
	ASSERT_EQ(m.has_fid, 0, "no FileId from a response");

	for (int named = 0; named < 2; named++) {
		smbmsg_init(&s);
		smbmsg_nb_begin(&s, 0);
		smb2_create_req(&s, 6, 0x77, 9, named ? "a" : "", 0x00120089);
		smbmsg_nb_end(&s);
		ASSERT_OK(parse_prefix(&s, s.len - 4, &m),
			  named ? "CREATE of a name" : "of the root");
		ASSERT_EQ(m.name_root, !named, "the share's root when NameLength is 0");
		ASSERT_EQ(m.name_max, named ? 2 : 0, "the name to scan");
	}
}

/* A WRITE request's data: where they are and where they go, SMB2 and
 * SMB1 (with OffsetHigh); data said to run past the message are none. */
void test_smb_write_data(void)
{
	static const uint8_t fid[16] = {7};
	static const uint8_t data[40] = {'M', 'Z'};
	struct xh_smb_msg m;
	struct smbmsg s;
	size_t h;

	smbmsg_init(&s);
	smbmsg_nb_begin(&s, 0);
	h = smb2_write_data(&s, 5, 0x77, 9, fid, data, sizeof(data));
	smbmsg_set32(&s, h + 64 + 8, 0x1000); /* Offset, low */
	smbmsg_set32(&s, h + 64 + 12, 0x2);   /* Offset, high */
	smbmsg_nb_end(&s);
	ASSERT_OK(parse_prefix(&s, s.len - 4, &m), "SMB2 WRITE");
	ASSERT_EQ(m.data_off, 64 + 48, "DataOffset");
	ASSERT_EQ(m.data_len, sizeof(data), "Length");
	ASSERT_EQ(m.file_off, 0x200001000ULL, "Offset");
	smbmsg_set32(&s, h + 64 + 4, sizeof(data) + 1); /* Length past the message */
	ASSERT_OK(parse_prefix(&s, s.len - 4, &m), "SMB2 WRITE, long Length");
	ASSERT_EQ(m.data_len, 0, "data past the message are none");
	ASSERT_EQ(m.has_fid, 1, "the FileId still");

	smbmsg_init(&s);
	smbmsg_nb_begin(&s, 0);
	h = smb1_write_andx_data(&s, 5, 100, 2050, 0x21, data, sizeof(data));
	smbmsg_set32(&s, h + 32 + 7, 0x3000); /* Offset */
	smbmsg_set32(&s, h + 32 + 25, 0x1);   /* OffsetHigh */
	smbmsg_nb_end(&s);
	ASSERT_OK(parse_prefix(&s, s.len - 4, &m), "SMB1 WRITE_ANDX");
	ASSERT_EQ(m.data_off, 64, "DataOffset");
	ASSERT_EQ(m.data_len, sizeof(data), "DataLength");
	ASSERT_EQ(m.file_off, 0x100003000ULL, "Offset and OffsetHigh");
	smbmsg_set16(&s, h + 32 + 23, 40); /* DataOffset inside the parameter words */
	ASSERT_OK(parse_prefix(&s, s.len - 4, &m), "SMB1 WRITE_ANDX, DataOffset too small");
	ASSERT_EQ(m.data_len, 0, "data inside the header are none");
}
