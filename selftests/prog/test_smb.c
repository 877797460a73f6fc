// SPDX-License-Identifier: GPL-2.0
/* test_smb.c: SMB deep inspection in the real program (BPF_PROG_TEST_RUN):
 * crafted SMB1/SMB2/SMB3 sessions (selftests/lib/smbmsg.c), one TCP segment
 * per step, checked against the events, their names and the counters. */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <netinet/in.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdphunt.skel.h"
#include "events.h"
#include "test.h"
#include "pkt.h"
#include "smbmsg.h"
#include "smb_user.h"
#include "smb.h" /* bpf/smb.h */
#include "xh_prog.h"

#define CLI "192.0.2.10"
#define SRV "192.0.2.20"

struct sess {
	struct xhp *x;
	uint16_t cport, sport;
	int n_ev;	 /* events already checked */
	const char *cli; /* the client's address; NULL: CLI */
};

#define SESS_CLI(ss) ((ss)->cli ? (ss)->cli : CLI)

/* Send @s's payload in one TCP segment, client->server (@to_server) or back. */
static void send_seg(struct sess *ss, const struct smbmsg *s, size_t len, int to_server)
{
	xhp_send_tcp(ss->x, 4, to_server ? SESS_CLI(ss) : SRV, to_server ? SRV : SESS_CLI(ss),
		     to_server ? ss->cport : ss->sport, to_server ? ss->sport : ss->cport, 0x18,
		     s->b, len);
	xhp_drain(ss->x);
}

static void syn(struct sess *ss)
{
	xhp_send_tcp(ss->x, 4, SESS_CLI(ss), SRV, ss->cport, ss->sport, 0x02, NULL, 0);
	xhp_drain(ss->x);
	ss->n_ev = ss->x->n_ev; /* smb.connect */
}

/* One message (or a built compound) in one NetBIOS frame, one segment. */
#define SEND(ss, to_server, build)                                                                 \
	do {                                                                                       \
		struct smbmsg _m;                                                                  \
		smbmsg_init(&_m);                                                                  \
		smbmsg_nb_begin(&_m, 0);                                                           \
		build;                                                                             \
		smbmsg_nb_end(&_m);                                                                \
		send_seg((ss), &_m, _m.len, (to_server));                                          \
	} while (0)

static const char *ev_name(const struct xh_event *e, char *out, size_t n)
{
	if (smb_name_to_utf8(e->name, e->name_len, e->d.smb.name_enc, out, n) < 0)
		return "(invalid)";
	return out;
}

/* The events since the last call: exactly @n of them, each (rule, name). */
static void expect(struct sess *ss, int n, ...)
{
	va_list ap;
	char buf[1024];
	int got = ss->x->n_ev - ss->n_ev;

	ASSERT_EQ(got, n, "new events");
	va_start(ap, n);
	for (int i = 0; i < n && i < got; i++) {
		const struct xh_event *e = &ss->x->ev[ss->n_ev + i];
		int rule = va_arg(ap, int);
		const char *name = va_arg(ap, const char *);

		ASSERT_EQ(e->rule, rule, "rule");
		ASSERT_EQ(e->detail_kind, XH_DETAIL_SMB, "detail kind");
		if (name)
			ASSERT_STREQ(ev_name(e, buf, sizeof(buf)), name, "name");
		else
			ASSERT_EQ(e->name_len, 0, "no name");
		/* Oriented client -> server whatever the packet's direction. */
		ASSERT_EQ(ntohs(e->dport), ss->sport, "server port");
	}
	va_end(ap);
	ss->n_ev = ss->x->n_ev;
}

static uint64_t smb_cnt(struct xhp *x, int c)
{
	struct xh_stats s;

	xhp_stats(x, &s);
	return s.smb[c];
}

#define W_ACCESS 0x40130196u /* GENERIC_WRITE | ... as psexec opens its binary */
#define R_ACCESS 0x00120089u /* read only */

void test_smb_session_smb2(void)
{
	struct xhp x;
	struct sess ss = {.x = &x, .cport = 50100, .sport = 445};
	const struct xh_event *e;
	size_t h;

	if (xhp_open(&x, 0, 0))
		return;
	syn(&ss);
	SEND(&ss, 0, smb2_negotiate_resp(&_m, 0x0311));
	SEND(&ss, 1, smb2_tree_connect_req(&_m, 2, 0x4400000001ULL, "\\\\192.0.2.20\\ADMIN$"));
	expect(&ss, 1, XH_RULE_SMB_ADMIN_SHARE, "\\\\192.0.2.20\\ADMIN$");
	e = xhp_ev_back(&x, 1);
	ASSERT_EQ(e->d.smb.version, 2, "version");
	ASSERT_EQ(e->d.smb.dialect, 0x0311, "dialect from the negotiate response");
	ASSERT_EQ(e->d.smb.session_id, 0x4400000001ULL, "session id");
	ASSERT_EQ(e->d.smb.command, XH_SMB2_TREE_CONNECT, "command");
	ASSERT_EQ(e->d.smb.share_kind, XH_SMB_SHARE_ADMIN, "share kind");
	SEND(&ss, 0, smb2_tree_connect_resp(&_m, 2, 0x4400000001ULL, 5, 0, 1));
	/* The same path in other case: the same finding, no second event. */
	SEND(&ss, 1, smb2_tree_connect_req(&_m, 3, 0x4400000001ULL, "\\\\192.0.2.20\\admin$"));
	expect(&ss, 0);

	/* Tool transfer: an executable written to ADMIN$, not one read. */
	SEND(&ss, 1, smb2_create_req(&_m, 4, 0x4400000001ULL, 5, "Temp\\PSEXESVC.exe", R_ACCESS));
	expect(&ss, 0);
	SEND(&ss, 1, smb2_create_req(&_m, 5, 0x4400000001ULL, 5, "notes.txt", W_ACCESS));
	expect(&ss, 0);
	SEND(&ss, 1, smb2_create_req(&_m, 6, 0x4400000001ULL, 5, "Temp\\PSEXESVC.exe", W_ACCESS));
	expect(&ss, 1, XH_RULE_SMB_TOOL_TRANSFER, "Temp\\PSEXESVC.exe");
	e = xhp_ev_back(&x, 1);
	ASSERT_EQ(e->d.smb.tree_id, 5, "tree id");
	ASSERT_EQ(e->d.smb.access, W_ACCESS, "access");
	SEND(&ss, 1, smb2_write_req(&_m, 7, 0x4400000001ULL, 5));
	ASSERT_EQ(smb_cnt(&x, XH_SMB_CNT_WRITE_ADMIN), 1, "write on admin tree counted");

	/* IPC$ and its pipes. */
	SEND(&ss, 1, smb2_tree_connect_req(&_m, 8, 0x4400000001ULL, "\\\\192.0.2.20\\IPC$"));
	expect(&ss, 1, XH_RULE_SMB_IPC_SHARE, "\\\\192.0.2.20\\IPC$");
	SEND(&ss, 0, smb2_tree_connect_resp(&_m, 8, 0x4400000001ULL, 1, 0, 2));
	SEND(&ss, 1, smb2_create_req(&_m, 9, 0x4400000001ULL, 1, "svcctl", R_ACCESS));
	expect(&ss, 1, XH_RULE_SMB_NAMED_PIPE, "svcctl");
	e = xhp_ev_back(&x, 1);
	ASSERT_NEQ(e->d.smb.pipe_id, 0, "svcctl is in the pipe table");
	ASSERT_EQ(e->d.smb.share_kind, XH_SMB_SHARE_IPC, "on IPC$");
	SEND(&ss, 1, smb2_create_req(&_m, 10, 0x4400000001ULL, 1, "SVCCTL", R_ACCESS));
	expect(&ss, 0); /* the same pipe again */
	SEND(&ss, 1, smb2_create_req(&_m, 11, 0x4400000001ULL, 1, "PSEXESVC-H-1-stdin", R_ACCESS));
	expect(&ss, 1, XH_RULE_SMB_NAMED_PIPE, "PSEXESVC-H-1-stdin");
	ASSERT_EQ(xhp_ev_back(&x, 1)->d.smb.pipe_id, 0, "unknown pipe: no table entry");

	/* A disk share: tracked; its tree connect is no finding, an executable
	 * written to it is (psexec writes to the first writable share), as a
	 * disk share's. A failed tree connect tracks nothing. */
	SEND(&ss, 1, smb2_tree_connect_req(&_m, 12, 0x4400000001ULL, "\\\\192.0.2.20\\public"));
	expect(&ss, 0);
	SEND(&ss, 0, smb2_tree_connect_resp(&_m, 12, 0x4400000001ULL, 9, 0, 1));
	SEND(&ss, 1, smb2_create_req(&_m, 13, 0x4400000001ULL, 9, "setup.exe", W_ACCESS));
	expect(&ss, 1, XH_RULE_SMB_TOOL_TRANSFER, "setup.exe");
	ASSERT_EQ(xhp_ev_back(&x, 1)->d.smb.share_kind, XH_SMB_SHARE_DISK, "on a disk share");
	SEND(&ss, 1, smb2_create_req(&_m, 20, 0x4400000001ULL, 9, "readme.txt", W_ACCESS));
	expect(&ss, 0);
	SEND(&ss, 1, smb2_tree_connect_req(&_m, 14, 0x4400000001ULL, "\\\\192.0.2.20\\C$"));
	expect(&ss, 1, XH_RULE_SMB_ADMIN_SHARE, "\\\\192.0.2.20\\C$");
	SEND(&ss, 0, smb2_tree_connect_resp(&_m, 14, 0x4400000001ULL, 11, 0xc0000022, 1));
	SEND(&ss, 1, smb2_create_req(&_m, 15, 0x4400000001ULL, 11, "evil.dll", W_ACCESS));
	expect(&ss, 0);
	ASSERT_EQ(smb_cnt(&x, XH_SMB_CNT_CREATE_UNKNOWN_TREE), 1, "create on a refused tree");

	/* A compound: CREATE on IPC$ then a related CREATE (TreeId
	 * 0xFFFFFFFF: the previous member's tree) and a WRITE. */
	SEND(&ss, 1, {
		h = smb2_create_req(&_m, 16, 0x4400000001ULL, 1, "winreg", R_ACCESS);
		smb2_chain(&_m, h);
		h = smb2_create_req(&_m, 17, ~0ULL, 0xffffffff, "samr", R_ACCESS);
		smbmsg_set32(&_m, h + 16, 4); /* SMB2_FLAGS_RELATED_OPERATIONS */
		smb2_chain(&_m, h);
		smb2_write_req(&_m, 18, 0x4400000001ULL, 1);
	});
	expect(&ss, 2, XH_RULE_SMB_NAMED_PIPE, "winreg", XH_RULE_SMB_NAMED_PIPE, "samr");
	ASSERT_EQ(xhp_ev_back(&x, 1)->d.smb.session_id, 0x4400000001ULL, "related session id");
	ASSERT_EQ(smb_cnt(&x, XH_SMB_CNT_TREE_TRACKED), 2, "admin and ipc trees tracked");

	/* Written through its NTFS stream name: still the executable. */
	SEND(&ss, 1,
	     smb2_create_req(&_m, 19, 0x4400000001ULL, 5, "Temp\\evil.exe::$DATA", W_ACCESS));
	expect(&ss, 1, XH_RULE_SMB_TOOL_TRANSFER, "Temp\\evil.exe::$DATA");
	xhp_close(&x);
}

void test_smb_session_smb1(void)
{
	struct xhp x;
	struct sess ss = {.x = &x, .cport = 50200, .sport = 445};

	if (xhp_open(&x, 0, 0))
		return;
	syn(&ss);
	/* A NEGOTIATE request offering SMB2 too: not yet SMB1 spoken. */
	SEND(&ss, 1, smb1_negotiate(&_m));
	expect(&ss, 0);
	SEND(&ss, 1, smb1_tree_connect_andx(&_m, 3, 100, "\\\\192.0.2.20\\IPC$", 1));
	expect(&ss, 2, XH_RULE_SMB_V1, NULL, XH_RULE_SMB_IPC_SHARE, "\\\\192.0.2.20\\IPC$");
	ASSERT_EQ(xhp_ev_back(&x, 2)->d.smb.version, 1, "version 1");
	SEND(&ss, 0, smb1_tree_connect_resp(&_m, 3, 100, 2048, 0));
	SEND(&ss, 1, smb1_nt_create_andx(&_m, 4, 100, 2048, "\\svcctl", 0x2019f, 1));
	expect(&ss, 1, XH_RULE_SMB_NAMED_PIPE, "\\svcctl");
	ASSERT_NEQ(xhp_ev_back(&x, 1)->d.smb.pipe_id, 0, "\\svcctl matches the table's svcctl");
	SEND(&ss, 1, smb1_tree_connect_andx(&_m, 5, 100, "\\\\192.0.2.20\\ADMIN$", 0));
	expect(&ss, 1, XH_RULE_SMB_ADMIN_SHARE, "\\\\192.0.2.20\\ADMIN$"); /* smb.v1 once */
	ASSERT_EQ(xhp_ev_back(&x, 1)->d.smb.name_enc, XH_SMB_ENC_ASCII, "OEM path");
	xhp_close(&x);
}

/* An SMB1 non-Unicode path is in the client's OEM code page: a byte from
 * 0x80 in the server name (\\S\xC9RV, an E-acute in code page 850) still
 * makes the ADMIN$ finding, and the JSON line shows the byte as U+FFFD, as
 * Wireshark does ("Path: \\S\ufffdRV\ADMIN$"). A control character is
 * still a bad name. */
void test_smb1_oem_name(void)
{
	struct xhp x;
	struct sess ss = {.x = &x, .cport = 50210, .sport = 445};
	struct event_sink s;
	json_error_t jerr;
	json_t *j;

	if (xhp_open(&x, 0, 0))
		return;
	event_sink_init(&s, NULL, NULL, "t");
	syn(&ss);
	SEND(&ss, 1, smb1_tree_connect_andx(&_m, 3, 100, "\\\\S\xc9RV\\ADMIN$", 0));
	expect(&ss, 2, XH_RULE_SMB_V1, NULL, XH_RULE_SMB_ADMIN_SHARE,
	       "\\\\S\xef\xbf\xbdRV\\ADMIN$");
	if (x.n_ev && ASSERT_OK(events_format(&s, xhp_ev_back(&x, 1), &s.jb), "format")) {
		j = json_loadb(s.jb.buf, s.jb.len, 0, &jerr);
		ASSERT_STREQ(json_string_value(json_object_get(json_object_get(j, "smb"), "share")),
			     "\\\\S\xef\xbf\xbdRV\\ADMIN$", "JSON share");
		json_decref(j);
	}
	ASSERT_EQ(s.bad_names, 0, "no bad name in the JSON");
	SEND(&ss, 1, smb1_tree_connect_andx(&_m, 4, 100, "\\\\S\x1fRV\\ADMIN$", 0));
	expect(&ss, 0);
	ASSERT_EQ(smb_cnt(&x, XH_SMB_CNT_NAME_BAD), 1, "a control character is a bad name");
	event_sink_fini(&s);
	xhp_close(&x);
}

/* An executable written into an NTFS alternate data stream of another file
 * on ADMIN$ (notes.txt:payload.exe) is smb.tool_transfer, with
 * XH_SMB_F_STREAM_EXE so that the JSON line adds T1564.004; the stream type
 * after a second ':' (:$DATA) is no extension, an executable's own
 * Zone.Identifier stream is its file name's finding without the flag, and a
 * ':' in an earlier component (impossible on Windows) changes nothing. SMB2
 * (UTF-16LE, four code units a word), SMB1 Unicode and SMB1 OEM (ASCII). */
void test_smb_tool_transfer_streams(void)
{
	static const struct {
		const char *name;
		int hit, stream; /* smb.tool_transfer; XH_SMB_F_STREAM_EXE */
	} cases[] = {
		{"evil.exe", 1, 0},
		{"evil.exe::$DATA", 1, 0},
		{"notes.txt:payload.exe", 1, 1},
		{"notes.txt:payload.exe:$DATA", 1, 1},
		{"Windows\\Temp\\notes.txt:PAYLOAD.EXE", 1, 1},
		{"notes.txt:payload.txt", 0, 0},
		{"notes.txt::$DATA", 0, 0},
		{"a.exe:zone.identifier", 1, 0},
		{"notes.txt:Zone.Identifier:$DATA", 0, 0},
		{"evil.exe:payload.dll", 1, 1},
		{"notes.txt:payload:x.exe", 0, 0},
		{"x:y.exe\\notes.txt", 0, 0},
		{"x:y.txt\\report.doc:p.ps1", 1, 1},
	};
	const size_t n = sizeof(cases) / sizeof(cases[0]);
	struct xhp x;
	struct sess s2 = {.x = &x, .cport = 50120, .sport = 445};
	struct sess s1u = {.x = &x, .cport = 50121, .sport = 445};
	struct sess s1a = {.x = &x, .cport = 50122, .sport = 445};
	struct sess *sessions[] = {&s2, &s1u, &s1a};
	const char *what[] = {"SMB2", "SMB1 Unicode", "SMB1 OEM"};
	struct smb_rules *r = smb_rules__new_default();
	struct event_sink sink;
	char want[300], msg[400];
	json_t *j;

	if (!ASSERT_OK_PTR(r, "rules") || xhp_open(&x, 0, 0)) {
		smb_rules__free(r);
		return;
	}
	event_sink_init(&sink, NULL, NULL, "t");
	sink.smb = r;
	syn(&s2);
	SEND(&s2, 1, smb2_tree_connect_req(&_m, 1, 0x77, "\\\\192.0.2.20\\ADMIN$"));
	SEND(&s2, 0, smb2_tree_connect_resp(&_m, 1, 0x77, 5, 0, 1));
	syn(&s1u);
	SEND(&s1u, 1, smb1_tree_connect_andx(&_m, 1, 100, "\\\\192.0.2.20\\ADMIN$", 1));
	SEND(&s1u, 0, smb1_tree_connect_resp(&_m, 1, 100, 2050, 0));
	syn(&s1a);
	SEND(&s1a, 1, smb1_tree_connect_andx(&_m, 1, 101, "\\\\192.0.2.20\\C$", 0));
	SEND(&s1a, 0, smb1_tree_connect_resp(&_m, 1, 101, 2051, 0));
	for (size_t v = 0; v < 3; v++) {
		struct sess *ss = sessions[v];

		ss->n_ev = x.n_ev; /* past the tree connects' smb.v1 and admin share */

		for (size_t i = 0; i < n; i++) {
			const struct xh_event *e;

			snprintf(want, sizeof(want), "%s%s", v ? "\\" : "", cases[i].name);
			snprintf(msg, sizeof(msg), "%s %s", what[v], want);
			if (v == 0)
				SEND(ss, 1, smb2_create_req(&_m, 10 + i, 0x77, 5, want, W_ACCESS));
			else
				SEND(ss, 1,
				     smb1_nt_create_andx(&_m, (uint16_t)(10 + i),
							 v == 1 ? 100 : 101, v == 1 ? 2050 : 2051,
							 want, W_ACCESS, v == 1));
			if (!ASSERT_EQ(x.n_ev - ss->n_ev, cases[i].hit, msg) || !cases[i].hit) {
				ss->n_ev = x.n_ev;
				continue;
			}
			e = xhp_ev_back(&x, 1);
			ss->n_ev = x.n_ev;
			ASSERT_EQ(e->rule, XH_RULE_SMB_TOOL_TRANSFER, msg);
			ASSERT_EQ(e->d.smb.name_enc, v == 2 ? XH_SMB_ENC_ASCII : XH_SMB_ENC_UTF16LE,
				  msg);
			ASSERT_EQ(!!(e->d.smb.flags & XH_SMB_F_STREAM_EXE), cases[i].stream, msg);
			/* The JSON line: the whole name, and T1564.004 after
			 * T1570 in smb.attack for an executable in a stream. */
			if (!ASSERT_OK(events_format(&sink, e, &sink.jb), msg))
				continue;
			j = json_loadb(sink.jb.buf, sink.jb.len, 0, NULL);
			ASSERT_STREQ(json_string_value(json_object_get(json_object_get(j, "smb"),
								       "filename")),
				     want, msg);
			ASSERT_STREQ(json_string_value(json_object_get(json_object_get(j, "attack"),
								       "technique_id")),
				     "T1570", msg);
			ASSERT_EQ(json_array_size(
					  json_object_get(json_object_get(j, "smb"), "attack")),
				  cases[i].stream ? 2 : 0, msg);
			if (cases[i].stream)
				ASSERT_HAS_SUBSTR(sink.jb.buf,
						  "\"attack\":[{\"technique_id\":\"T1570\"", msg);
			if (cases[i].stream)
				ASSERT_HAS_SUBSTR(sink.jb.buf,
						  "{\"technique_id\":\"T1564.004\",\"technique\":"
						  "\"Hide Artifacts: NTFS File Attributes\","
						  "\"tactic\":\"defense-evasion\"}]",
						  msg);
			json_decref(j);
		}
	}
	event_sink_fini(&sink);
	smb_rules__free(r);
	xhp_close(&x);
}

/* An executable hidden in a stream and opened without write access
 * (MAXIMUM_ALLOWED) is followed by FileId like any other: its first WRITE
 * reports it, with XH_SMB_F_STREAM_EXE kept from the CREATE. */
void test_smb_tool_transfer_stream_write(void)
{
	static const uint8_t fid[16] = {0x21, 0, 0, 0, 0, 0, 0, 0, 0x31};
	static const uint8_t fid2[16] = {0x22, 0, 0, 0, 0, 0, 0, 0, 0x32};
	struct xhp x;
	struct sess ss = {.x = &x, .cport = 50130, .sport = 445};
	const struct xh_event *e;

	if (xhp_open(&x, 0, 0))
		return;
	syn(&ss);
	SEND(&ss, 1, smb2_tree_connect_req(&_m, 1, 0x78, "\\\\192.0.2.20\\ADMIN$"));
	expect(&ss, 1, XH_RULE_SMB_ADMIN_SHARE, "\\\\192.0.2.20\\ADMIN$");
	SEND(&ss, 0, smb2_tree_connect_resp(&_m, 1, 0x78, 5, 0, 1));
	SEND(&ss, 1,
	     smb2_create_req(&_m, 2, 0x78, 5, "Temp\\notes.txt:payload.exe:$DATA", 0x02000000));
	expect(&ss, 0);
	SEND(&ss, 0, smb2_create_resp(&_m, 2, 0x78, 5, fid, 0));
	SEND(&ss, 1, smb2_write_data(&_m, 3, 0x78, 5, fid, "MZ\x90\x00", 4));
	expect(&ss, 1, XH_RULE_SMB_TOOL_TRANSFER, "Temp\\notes.txt:payload.exe:$DATA");
	e = xhp_ev_back(&x, 1);
	ASSERT_EQ(e->d.smb.command, XH_SMB2_WRITE, "reported by the WRITE");
	ASSERT_EQ(e->d.smb.flags & XH_SMB_F_STREAM_EXE, XH_SMB_F_STREAM_EXE,
		  "the CREATE's stream flag");
	/* The file's own executable, opened the same way: no flag. */
	SEND(&ss, 1, smb2_create_req(&_m, 4, 0x78, 5, "Temp\\a.exe:Zone.Identifier", 0x02000000));
	SEND(&ss, 0, smb2_create_resp(&_m, 4, 0x78, 5, fid2, 0));
	SEND(&ss, 1, smb2_write_data(&_m, 5, 0x78, 5, fid2, "[ZoneTransfer]", 14));
	expect(&ss, 1, XH_RULE_SMB_TOOL_TRANSFER, "Temp\\a.exe:Zone.Identifier");
	ASSERT_EQ(xhp_ev_back(&x, 1)->d.smb.flags & XH_SMB_F_STREAM_EXE, 0, "no stream flag");
	xhp_close(&x);
}

/* Only a client asks and only a server answers: a tree connect sent by
 * the server, or a tree connect response sent by the client, is counted
 * (wrong_side) and acted on as nothing. */
void test_smb_wrong_side(void)
{
	struct xhp x;
	struct sess ss = {.x = &x, .cport = 50230, .sport = 445};

	if (xhp_open(&x, 0, 0))
		return;
	syn(&ss);
	/* The server asks for ADMIN$ and IPC$: no finding for the client. */
	SEND(&ss, 0, smb2_tree_connect_req(&_m, 2, 0x55, "\\\\192.0.2.10\\ADMIN$"));
	SEND(&ss, 0, smb1_tree_connect_andx(&_m, 3, 100, "\\\\192.0.2.10\\IPC$", 1));
	/* SMB1 from either side is still SMB1 spoken on the flow. */
	expect(&ss, 1, XH_RULE_SMB_V1, NULL);
	ASSERT_EQ(smb_cnt(&x, XH_SMB_CNT_WRONG_SIDE), 2, "two requests from the server");
	ASSERT_EQ(smb_cnt(&x, XH_SMB_CNT_TREE_CONNECT), 0, "neither is a tree connect");

	/* The client's own IPC$ request, then a response forged by the client:
	 * it gives the tree nothing, so the pipe opened on it is not named. */
	SEND(&ss, 1, smb2_tree_connect_req(&_m, 4, 0x55, "\\\\192.0.2.20\\IPC$"));
	expect(&ss, 1, XH_RULE_SMB_IPC_SHARE, "\\\\192.0.2.20\\IPC$");
	SEND(&ss, 1, smb2_tree_connect_resp(&_m, 4, 0x55, 7, 0, 2));
	ASSERT_EQ(smb_cnt(&x, XH_SMB_CNT_WRONG_SIDE), 3, "a response from the client");
	SEND(&ss, 1, smb2_create_req(&_m, 5, 0x55, 7, "svcctl", R_ACCESS));
	expect(&ss, 0);
	ASSERT_EQ(smb_cnt(&x, XH_SMB_CNT_CREATE_UNKNOWN_TREE), 1, "the forged tree is unknown");

	/* The server's answer to the same request still counts. */
	SEND(&ss, 0, smb2_tree_connect_resp(&_m, 4, 0x55, 7, 0, 2));
	SEND(&ss, 1, smb2_create_req(&_m, 6, 0x55, 7, "svcctl", R_ACCESS));
	expect(&ss, 1, XH_RULE_SMB_NAMED_PIPE, "svcctl");
	ASSERT_EQ(smb_cnt(&x, XH_SMB_CNT_WRONG_SIDE), 3, "nothing more on the wrong side");
	xhp_close(&x);
}

/* Each flow remembers its last XH_SMB_SEEN findings (xh_smb_state.seen) to
 * skip the xh_seen lookup on repeats: more findings than that, sent twice
 * over and in other orders, still give exactly one event each. */
void test_smb_seen_cache(void)
{
	static const char *const pipes[] = {"svcctl", "atsvc",	  "samr",    "lsarpc", "winreg",
					    "srvsvc", "netlogon", "spoolss", "wkssvc"};
	const int n = (int)(sizeof(pipes) / sizeof(pipes[0]));
	struct xhp x;
	struct sess ss = {.x = &x, .cport = 50250, .sport = 445};
	char buf[64];
	int round, i, mid = 10;

	if (xhp_open(&x, 0, 0))
		return;
	syn(&ss);
	SEND(&ss, 1, smb2_tree_connect_req(&_m, 2, 0x51, "\\\\192.0.2.20\\IPC$"));
	expect(&ss, 1, XH_RULE_SMB_IPC_SHARE, "\\\\192.0.2.20\\IPC$");
	SEND(&ss, 0, smb2_tree_connect_resp(&_m, 2, 0x51, 1, 0, 2));
	for (round = 0; round < 3; round++) {
		for (i = 0; i < n; i++) {
			/* Forwards, backwards, then every other one twice. */
			int p = round == 1 ? n - 1 - i : round == 2 ? (i * 2) % n : i;

			SEND(&ss, 1, smb2_create_req(&_m, mid++, 0x51, 1, pipes[p], R_ACCESS));
			if (round == 0) {
				expect(&ss, 1, XH_RULE_SMB_NAMED_PIPE, pipes[p]);
			} else {
				snprintf(buf, sizeof(buf), "round %d: %s again", round, pipes[p]);
				ASSERT_EQ(x.n_ev - ss.n_ev, 0, buf);
			}
		}
	}
	/* The tree connect repeated after all of them: still known. */
	SEND(&ss, 1, smb2_tree_connect_req(&_m, mid++, 0x51, "\\\\192.0.2.20\\ipc$"));
	expect(&ss, 0);
	xhp_close(&x);
}

/* More SMB flows than the flows' other state once had room for (65536
 * entries of xh_smb and xh_seen, against 131072 flows), each connecting to
 * IPC$ twice, a pass over every flow at a time: the order in which an LRU
 * too small keeps nothing, so every tree connect made its finding again
 * (make bench's live --flows 100000 run: 4.1 M findings of 4 M frames).
 * Now one smb.connect and one smb.ipc_share per flow, none per packet. */
void test_smb_flows_beyond_64k(void)
{
	static const char *const clients[] = {"192.0.2.10", "192.0.2.11"};
	const unsigned int per_client = 40000, n = 2 * per_client;
	struct xh_stats st;
	struct xhp x;

	if (xhp_open(&x, 0, 0))
		return;
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < n; i++) {
			struct sess ss = {.x = &x,
					  .cport = (uint16_t)(20000 + i % per_client),
					  .sport = 445,
					  .cli = clients[i / per_client]};

			SEND(&ss, 1,
			     smb2_tree_connect_req(&_m, 2 + pass, 0x61, "\\\\192.0.2.20\\IPC$"));
		}
	}
	if (ASSERT_OK(xhp_stats(&x, &st), "counters")) {
		ASSERT_EQ(st.cnt[XH_CNT_FLOWS_NEW], n, "a flow each");
		ASSERT_EQ(st.cnt[XH_CNT_EVENTS_LOST], 0, "none lost (drained after each)");
		ASSERT_EQ(st.cnt[XH_CNT_EVENTS], 2 * n,
			  "smb.connect and smb.ipc_share once per flow, not again on the second "
			  "pass");
	}
	xhp_close(&x);
}

/* Each flow entry has its own id, which keys its SMB state; a flow evicted
 * from xh_flows (deleted here, as the LRU would) and seen again is a new
 * flow: a new id, fresh SMB state, and its findings, valued ones included,
 * reported again (README: an evicted flow that is seen again is reported
 * again). */
void test_smb_flow_id(void)
{
	struct xhp x;
	struct sess a = {.x = &x, .cport = 50300, .sport = 445};
	struct sess b = {.x = &x, .cport = 50301, .sport = 445};
	struct xh_flow_state sa, sb, sa2;
	struct xh_flow_key key;
	uint64_t sm[128]; /* an xh_smb value (struct xh_smb_state, BPF side) */
	int smb_fd;

	if (xhp_open(&x, 0, 0))
		return;
	smb_fd = bpf_map__fd(x.skel->maps.xh_smb);
	if (!ASSERT_GE(sizeof(sm), bpf_map__value_size(x.skel->maps.xh_smb), "xh_smb value size"))
		goto out;
	syn(&a);
	SEND(&a, 1, smb2_tree_connect_req(&_m, 2, 0x61, "\\\\192.0.2.20\\IPC$"));
	expect(&a, 1, XH_RULE_SMB_IPC_SHARE, "\\\\192.0.2.20\\IPC$");
	syn(&b); /* also skips a's events */
	SEND(&b, 1, smb2_tree_connect_req(&_m, 2, 0x62, "\\\\192.0.2.20\\IPC$"));
	expect(&b, 1, XH_RULE_SMB_IPC_SHARE, "\\\\192.0.2.20\\IPC$");
	if (!ASSERT_OK(xhp_flow4(&x, IPPROTO_TCP, CLI, a.cport, SRV, 445, &key, &sa), "flow a") ||
	    !ASSERT_OK(xhp_flow4(&x, IPPROTO_TCP, CLI, b.cport, SRV, 445, &key, &sb), "flow b"))
		goto out;
	ASSERT_NEQ(sa.id, 0, "flow a has an id");
	ASSERT_NEQ(sb.id, 0, "flow b has an id");
	ASSERT_NEQ(sa.id, sb.id, "ids differ");
	/* The SMB state of each flow under its id, and nothing else. */
	ASSERT_OK(bpf_map_lookup_elem(smb_fd, &sa.id, sm), "smb state of a");
	ASSERT_OK(bpf_map_lookup_elem(smb_fd, &sb.id, sm), "smb state of b");
	ASSERT_EQ(xhp_map_count(smb_fd), 2, "two SMB states");

	/* Repeated: no event. Then evict a and repeat: all of a's findings again. */
	a.n_ev = x.n_ev;
	SEND(&a, 1, smb2_tree_connect_req(&_m, 3, 0x61, "\\\\192.0.2.20\\IPC$"));
	expect(&a, 0);
	ASSERT_OK(xhp_flow4(&x, IPPROTO_TCP, CLI, a.cport, SRV, 445, &key, &sa2), "a's key");
	ASSERT_OK(bpf_map_delete_elem(bpf_map__fd(x.skel->maps.xh_flows), &key), "evict a");
	SEND(&a, 1, smb2_tree_connect_req(&_m, 4, 0x61, "\\\\192.0.2.20\\IPC$"));
	if (ASSERT_EQ(x.n_ev - a.n_ev, 2, "a seen again: two events")) {
		ASSERT_EQ(x.ev[a.n_ev].rule, XH_RULE_SMB_CONNECT, "smb.connect again");
		ASSERT_EQ(x.ev[a.n_ev + 1].rule, XH_RULE_SMB_IPC_SHARE, "IPC$ again");
	}
	a.n_ev = x.n_ev;
	if (ASSERT_OK(xhp_flow4(&x, IPPROTO_TCP, CLI, a.cport, SRV, 445, &key, &sa2),
		      "flow a again")) {
		ASSERT_NEQ(sa2.id, 0, "new id");
		ASSERT_NEQ(sa2.id, sa.id, "not the evicted flow's id");
		ASSERT_NEQ(sa2.id, sb.id, "not b's id");
		ASSERT_EQ(sa2.pkts[XH_DIR_TOSERVER] + sa2.pkts[XH_DIR_TOCLIENT], 1,
			  "counted afresh");
		/* Fresh state under the new id; the old one waits for the LRU. */
		ASSERT_OK(bpf_map_lookup_elem(smb_fd, &sa2.id, sm), "smb state of a again");
		ASSERT_EQ(xhp_map_count(smb_fd), 3, "three SMB states");
	}
	/* b is untouched. */
	b.n_ev = x.n_ev;
	SEND(&b, 1, smb2_tree_connect_req(&_m, 3, 0x62, "\\\\192.0.2.20\\IPC$"));
	expect(&b, 0);
out:
	xhp_close(&x);
}

/* A sensor that starts during a file copy sees the middle of a WRITE first.
 * Such segments are counted and need none of the flow's SMB state, so none
 * is made (nor looked up: make bench, smb_data) until a segment starts a
 * NetBIOS message; from then on the flow is inspected as any other. On port
 * 139 the state that then records the session request is the same. */
void test_smb_state_from_first_message(void)
{
	struct xhp x;
	struct sess ss = {.x = &x, .cport = 50310, .sport = 445};
	struct sess nb = {.x = &x, .cport = 50311, .sport = 139};
	struct xh_flow_state st;
	struct xh_flow_key key;
	uint64_t sm[128]; /* an xh_smb value (struct xh_smb_state, BPF side) */
	uint64_t segs, nomsg;
	struct smbmsg m, z;
	int smb_fd, i;

	if (xhp_open(&x, 0, 0))
		return;
	smb_fd = bpf_map__fd(x.skel->maps.xh_smb);
	if (!ASSERT_GE(sizeof(sm), bpf_map__value_size(x.skel->maps.xh_smb), "xh_smb value size"))
		goto out;
	segs = smb_cnt(&x, XH_SMB_CNT_SEGMENTS);
	nomsg = smb_cnt(&x, XH_SMB_CNT_NO_MSG_START);
	/* "MZ": no NetBIOS header. Then 0x00, a NetBIOS message header (of
	 * 0x1000 bytes) whose next byte starts no SMB header, as much of an
	 * executable's data begins; both ways. */
	smbmsg_init(&m);
	smbmsg_put(&m, "\x4d\x5a\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00", 16);
	smbmsg_init(&z);
	smbmsg_put(&z, "\x00\x00\x10\x00\x00\x00\x00\x00\xb8\x00\x00\x00\x00\x00\x00\x00", 16);
	for (i = 0; i < 3; i++)
		send_seg(&ss, &m, m.len, 1);
	send_seg(&ss, &z, z.len, 1);
	send_seg(&ss, &z, z.len, 0);
	if (!ASSERT_OK(xhp_flow4(&x, IPPROTO_TCP, CLI, ss.cport, SRV, 445, &key, &st), "the flow"))
		goto out;
	ASSERT_EQ(st.pkts[XH_DIR_TOSERVER], 4, "every segment counted to the flow");
	ASSERT_EQ(st.pkts[XH_DIR_TOCLIENT], 1, "both ways");
	ASSERT_EQ(x.n_ev, 1, "smb.connect only");
	ASSERT_EQ(smb_cnt(&x, XH_SMB_CNT_SEGMENTS), segs + 5, "segments counted");
	ASSERT_EQ(smb_cnt(&x, XH_SMB_CNT_NO_MSG_START), nomsg + 5, "none starts a message");
	ASSERT_EQ(xhp_map_count(smb_fd), 0, "no SMB state made for them");

	ss.n_ev = x.n_ev;
	SEND(&ss, 1, smb2_tree_connect_req(&_m, 7, 0x63, "\\\\192.0.2.20\\ADMIN$"));
	expect(&ss, 1, XH_RULE_SMB_ADMIN_SHARE, "\\\\192.0.2.20\\ADMIN$");
	ASSERT_OK(bpf_map_lookup_elem(smb_fd, &st.id, sm), "the state, from the first message");
	ASSERT_EQ(xhp_map_count(smb_fd), 1, "one SMB state");
	send_seg(&ss, &m, m.len, 1);
	SEND(&ss, 1, smb2_tree_connect_req(&_m, 8, 0x63, "\\\\192.0.2.20\\ADMIN$"));
	expect(&ss, 0);

	/* Port 139: data first, then the session request, then a message. A
	 * NetBIOS message before the session request is counted as such
	 * there, which takes the state. */
	send_seg(&nb, &m, m.len, 1);
	ASSERT_EQ(xhp_ev_back(&x, 1)->rule, XH_RULE_SMB_CONNECT, "smb.connect on 139");
	nb.n_ev = x.n_ev;
	send_seg(&nb, &z, z.len, 1);
	ASSERT_EQ(smb_cnt(&x, XH_SMB_CNT_NB_NO_REQUEST), 1, "a message before the session request");
	ASSERT_EQ(xhp_map_count(smb_fd), 2, "the state of the flow on 139");
	smbmsg_init(&m);
	smbmsg_nb_session_request(&m);
	send_seg(&nb, &m, m.len, 1);
	SEND(&nb, 1, smb2_tree_connect_req(&_m, 1, 0x64, "\\\\192.0.2.20\\C$"));
	expect(&nb, 1, XH_RULE_SMB_ADMIN_SHARE, "\\\\192.0.2.20\\C$");
	ASSERT_EQ(smb_cnt(&x, XH_SMB_CNT_NB_NO_REQUEST), 1, "the session request was kept");
out:
	xhp_close(&x);
}

void test_smb_encrypted(void)
{
	struct xhp x;
	struct sess ss = {.x = &x, .cport = 50300, .sport = 445};

	if (xhp_open(&x, 0, 0))
		return;
	syn(&ss);
	SEND(&ss, 1, smb3_transform(&_m, 0x77));
	SEND(&ss, 0, smb3_transform(&_m, 0x77));
	SEND(&ss, 1, smb3_compressed(&_m));
	expect(&ss, 1, XH_RULE_SMB_ENCRYPTED, NULL);
	ASSERT_EQ(xhp_ev_back(&x, 1)->d.smb.session_id, 0x77, "session id of the transform");
	ASSERT_EQ(smb_cnt(&x, XH_SMB_CNT_TRANSFORM), 2, "transforms counted");
	ASSERT_EQ(smb_cnt(&x, XH_SMB_CNT_COMPRESSED), 1, "compressed counted");
	xhp_close(&x);
}

void test_smb_port139(void)
{
	struct xhp x;
	struct sess ss = {.x = &x, .cport = 50400, .sport = 139};
	struct smbmsg m;

	if (xhp_open(&x, 0, 0))
		return;
	syn(&ss);
	SEND(&ss, 1, smb2_tree_connect_req(&_m, 1, 1, "\\\\192.0.2.20\\ADMIN$"));
	expect(&ss, 0);
	ASSERT_EQ(smb_cnt(&x, XH_SMB_CNT_NB_NO_REQUEST), 1, "no session request yet");

	smbmsg_init(&m);
	smbmsg_nb_session_request(&m);
	send_seg(&ss, &m, m.len, 1);
	SEND(&ss, 1, smb2_tree_connect_req(&_m, 2, 1, "\\\\192.0.2.20\\ADMIN$"));
	expect(&ss, 1, XH_RULE_SMB_ADMIN_SHARE, "\\\\192.0.2.20\\ADMIN$");
	ASSERT_EQ(smb_cnt(&x, XH_SMB_CNT_NB_SESSION_REQ), 1, "session request counted");
	xhp_close(&x);
}

/* Segments that end early, malformed offsets, a segment that starts
 * mid-message: never an event with a wrong name; each counted. */
void test_smb_truncated_and_malformed(void)
{
	struct xhp x;
	struct sess ss = {.x = &x, .cport = 50500, .sport = 445};
	struct smbmsg m;
	char buf[1024];
	size_t h;

	if (xhp_open(&x, 0, 0))
		return;
	smbmsg_init(&m);
	smbmsg_nb_begin(&m, 0);
	smb2_tree_connect_req(&m, 1, 1, "\\\\192.0.2.20\\ADMIN$");
	smbmsg_nb_end(&m);
	for (size_t n = 1; n <= m.len; n++) {
		xhp_reset(&x);
		ss.n_ev = 0;
		ss.cport++;
		send_seg(&ss, &m, n, 1);
		if (n < m.len) {
			ASSERT_EQ(x.n_ev, 1, "prefix: smb.connect only");
		} else if (ASSERT_EQ(x.n_ev, 2, "whole: smb.connect and the share")) {
			ASSERT_STREQ(ev_name(&x.ev[1], buf, sizeof(buf)), "\\\\192.0.2.20\\ADMIN$",
				     "name");
		}
	}
	ASSERT_GE(smb_cnt(&x, XH_SMB_CNT_NAME_CUT), 1, "cut names counted");

	static const struct {
		const char *name;
		size_t field;
		uint16_t val;
		int reason;
	} rows[] = {
		{"path_offset_past", 64 + 4, 0xfff0, XH_SMB_CNT_NAME_OOB},
		{"path_offset_in_header", 64 + 4, 8, XH_SMB_CNT_NAME_OOB},
		{"path_length_odd", 64 + 6, 7, XH_SMB_CNT_NAME_ODD},
		{"path_length_zero", 64 + 6, 0, XH_SMB_CNT_NAME_EMPTY},
		{"path_length_past", 64 + 6, 0x4000, XH_SMB_CNT_NAME_OOB},
		{"next_command_backwards", 20, 8, XH_SMB_CNT_CHAIN_BAD},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint64_t before;

		test_subtest("%s", rows[i].name);
		xhp_reset(&x);
		ss.n_ev = 0;
		ss.cport++;
		before = smb_cnt(&x, rows[i].reason);
		smbmsg_init(&m);
		smbmsg_nb_begin(&m, 0);
		h = smb2_tree_connect_req(&m, 1, 1, "\\\\192.0.2.20\\ADMIN$");
		smbmsg_set16(&m, h + rows[i].field, rows[i].val);
		smbmsg_nb_end(&m);
		send_seg(&ss, &m, m.len, 1);
		ASSERT_EQ(x.n_ev, 1, "smb.connect only");
		ASSERT_EQ(smb_cnt(&x, rows[i].reason), before + 1, "reason counted");
		test_subtest_end();
	}

	/* Invalid UTF-16 in a pipe name: counted, no event. */
	xhp_reset(&x);
	ss.n_ev = 0;
	ss.cport++;
	SEND(&ss, 1, smb2_tree_connect_req(&_m, 1, 1, "\\\\192.0.2.20\\IPC$"));
	SEND(&ss, 0, smb2_tree_connect_resp(&_m, 1, 1, 3, 0, 2));
	SEND(&ss, 1, {
		h = smb2_create_req(&_m, 2, 1, 3, "samr", R_ACCESS);
		smbmsg_set16(&_m, h + 120 + 2, 0xd800); /* lone high surrogate */
	});
	ASSERT_EQ(x.n_ev, 2, "smb.connect and ipc_share only");
	ASSERT_GE(smb_cnt(&x, XH_SMB_CNT_NAME_BAD), 1, "bad name counted");

	/* A segment in the middle of a message (no reassembly). */
	{
		uint64_t before = smb_cnt(&x, XH_SMB_CNT_NO_MSG_START);

		smbmsg_init(&m);
		smbmsg_put(&m, "\x4d\x5a\x90\x00\x03\x00\x00\x00", 8);
		send_seg(&ss, &m, m.len, 1);
		ASSERT_EQ(smb_cnt(&x, XH_SMB_CNT_NO_MSG_START), before + 1, "mid-message segment");
	}
	xhp_close(&x);
}
