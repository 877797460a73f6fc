// SPDX-License-Identifier: GPL-2.0
/* test_smb_pipes.c: SMB opens followed by FileId (bpf/smb_files.bpf.h) in
 * the real program (BPF_PROG_TEST_RUN): DCE/RPC over a named pipe carries
 * the pipe name of the CREATE whose response gave the FileId (SMB2 and SMB1,
 * UTF-16 and OEM names), falls back to "smb" and counts it when the response
 * was not seen, keeps FileIds of other sessions and hosts apart, survives
 * neither a FID reuse nor an eviction; smb.tool_transfer on the first
 * WRITE to an executable opened without write access (admin or other disk
 * share); smb.admin_read and smb.admin_listing named by the open, and a
 * CLOSE that forgets it. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdphunt.skel.h"
#include "test.h"
#include "pkt.h"
#include "smbmsg.h"
#include "rpc_pdu.h"
#include "smb_user.h"
#include "dcerpc_table.h"
#include "smb.h"	/* bpf/smb.h */
#include "ntlm.h"	/* bpf/ntlm.h: XH_NTLM_USER */
#include "dcerpc.h"	/* bpf/dcerpc.h: XH_RPC_PT_BIND */
#include "dcerpc_smb.h" /* bpf/dcerpc_smb.h: XH_FSCTL_PIPE_TRANSCEIVE */
#include "xh_prog.h"

#define SRV "192.0.2.20"

struct px {
	struct xhp x;
	struct dcerpc_table *t;
};

struct conn {
	struct px *p;
	const char *cli;
	uint16_t cport, sport;
};

static int px_open(struct px *p)
{
	memset(p, 0, sizeof(*p));
	if (xhp_open(&p->x, 0, 0))
		return -1;
	p->t = dcerpc_table__new();
	if (!ASSERT_OK_PTR(p->t, "table") ||
	    !ASSERT_GE(dcerpc_table_load_builtin(p->t), 1, "builtin"))
		return -1;
	return ASSERT_OK(dcerpc_table_to_maps(p->t, bpf_map__fd(p->x.skel->maps.xh_rpc_ifs),
					      bpf_map__fd(p->x.skel->maps.xh_rpc_ops)),
			 "table to maps")
		       ? 0
		       : -1;
}

static void px_close(struct px *p)
{
	xhp_close(&p->x);
	dcerpc_table__free(p->t);
}

static void send_seg(struct conn *c, const struct smbmsg *s, int to_server)
{
	struct pkt_desc d = {.family = 4,
			     .proto = IPPROTO_TCP,
			     .tcp_flags = 0x18,
			     .payload_len = (int)s->len,
			     .payload = s->b};
	uint8_t buf[PKT_MAX];
	size_t n;

	d.src = to_server ? c->cli : SRV;
	d.dst = to_server ? SRV : c->cli;
	d.sport = to_server ? c->cport : c->sport;
	d.dport = to_server ? c->sport : c->cport;
	n = pkt_build(&d, buf, NULL);
	if (!ASSERT_NEQ(n, 0, "pkt_build"))
		return;
	xhp_run(&c->p->x, buf, n);
}

#define SEND(c, to_server, build)                                                                  \
	do {                                                                                       \
		struct smbmsg _m;                                                                  \
		smbmsg_init(&_m);                                                                  \
		smbmsg_nb_begin(&_m, 0);                                                           \
		build;                                                                             \
		smbmsg_nb_end(&_m);                                                                \
		send_seg((c), &_m, (to_server));                                                   \
	} while (0)

/* Collect the events since the last call; return the first of @rule. */
static const struct xh_event *next_ev(struct px *p, int rule)
{
	p->x.n_ev = 0;
	xhp_drain(&p->x);
	for (int i = 0; i < p->x.n_ev; i++)
		if (p->x.ev[i].rule == rule)
			return &p->x.ev[i];
	return NULL;
}

static int count_ev(struct px *p, int rule)
{
	int n = 0;

	p->x.n_ev = 0;
	xhp_drain(&p->x);
	for (int i = 0; i < p->x.n_ev; i++)
		n += p->x.ev[i].rule == rule;
	return n;
}

/* The transport as `xdphunt` prints it: the pipe name, or "smb". */
static const char *transport(const struct xh_event *e, char *buf, size_t n)
{
	const char *pn;

	if (!e)
		return "(no event)";
	pn = dcerpc_pipe_name(e, buf, n);
	return pn ? pn : "smb";
}

static uint64_t cnt(struct px *p, int smb, int c)
{
	struct xh_stats s;

	xhp_stats(&p->x, &s);
	return smb ? s.smb[c] : s.dcerpc[c];
}

static size_t bind_pdu(uint8_t *pdu, const char *uuid, uint16_t ver)
{
	const struct rpc_ctx_desc ctx[] = {{0, uuid, ver, 0, 1}};

	return rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, ctx, 1);
}

static void fid_of(uint8_t fid[16], uint64_t persistent, uint64_t volatile_id)
{
	memcpy(fid, &persistent, 8);
	memcpy(fid + 8, &volatile_id, 8);
}

/* IPC$ tree @tree of session @sess on @c. */
static void ipc2(struct conn *c, uint64_t sess, uint32_t tree)
{
	SEND(c, 1, smb2_tree_connect_req(&_m, 1, sess, "\\\\192.0.2.20\\IPC$"));
	SEND(c, 0, smb2_tree_connect_resp(&_m, 1, sess, tree, 0, 2));
}

/* Open @pipe as message @mid and answer with @fid (status @st). */
static void open2(struct conn *c, uint64_t sess, uint32_t tree, uint64_t mid, const char *pipe,
		  const uint8_t fid[16], uint32_t st)
{
	SEND(c, 1, smb2_create_req(&_m, mid, sess, tree, pipe, 0x0012019f));
	if (fid)
		SEND(c, 0, smb2_create_resp(&_m, mid, sess, tree, fid, st));
}

static const char *bind2(struct conn *c, uint64_t sess, uint32_t tree, const uint8_t fid[16],
			 const char *uuid, uint16_t ver, char *buf, size_t n)
{
	uint8_t pdu[RPC_PDU_MAX];
	size_t len = bind_pdu(pdu, uuid, ver);

	SEND(c, 1, smb2_write_data(&_m, 50, sess, tree, fid, pdu, len));
	return transport(next_ev(c->p, XH_RULE_DCERPC_BIND), buf, n);
}

void test_smb_pipes_smb2(void)
{
	struct px p;
	struct conn c = {.p = &p, .cli = "192.0.2.10", .cport = 51000, .sport = 445};
	uint8_t fa[16], fb[16], fc[16], fd[16], fe[16], pdu[RPC_PDU_MAX];
	const uint64_t S = 0x4400000001ULL;
	const struct xh_event *e;
	char buf[1024];
	size_t n;

	if (px_open(&p))
		goto out;
	fid_of(fa, 0x11, 0xa1);
	fid_of(fb, 0x12, 0xa2);
	fid_of(fc, 0x13, 0xa3);
	fid_of(fd, 0x14, 0xa4);
	fid_of(fe, 0x15, 0xa5);
	ipc2(&c, S, 1);
	open2(&c, S, 1, 10, "svcctl", fa, 0);
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_FILE_TRACKED), 1, "svcctl open tracked");
	ASSERT_STREQ(bind2(&c, S, 1, fa, UUID_SVCCTL, 2, buf, sizeof(buf)), "svcctl",
		     "bind in WRITE named");
	e = xhp_ev_back(&p.x, 1);
	ASSERT_EQ(e->d.dcerpc.transport, XH_RPC_TR_SMB2, "SMB2 transport");
	ASSERT_EQ(e->d.dcerpc.name_enc, XH_SMB_ENC_UTF16LE, "UTF-16 name");
	n = rpc_build_request(pdu, 0, 0x03, 2, 0, 12, 60);
	SEND(&c, 1, smb2_ioctl_data(&_m, 51, S, 1, fa, XH_FSCTL_PIPE_TRANSCEIVE, pdu, n));
	ASSERT_STREQ(transport(next_ev(&p, XH_RULE_DCERPC_CALL), buf, sizeof(buf)), "svcctl",
		     "RCreateServiceW in IOCTL named");

	/* A second pipe on the tree; an interim STATUS_PENDING answer first. */
	SEND(&c, 1, smb2_create_req(&_m, 11, S, 1, "samr", 0x0012019f));
	SEND(&c, 0, smb2_create_resp(&_m, 11, S, 1, fb, 0x103));
	SEND(&c, 0, smb2_create_resp(&_m, 11, S, 1, fb, 0));
	ASSERT_STREQ(bind2(&c, S, 1, fb, UUID_SAMR, 1, buf, sizeof(buf)), "samr",
		     "after STATUS_PENDING");
	open2(&c, S, 1, 12, "lsarpc", fc, 0);
	ASSERT_STREQ(bind2(&c, S, 1, fc, UUID_LSARPC, 0, buf, sizeof(buf)), "lsarpc",
		     "lsarpc, not samr (near-collision UUIDs, distinct pipes)");
	ASSERT_EQ(cnt(&p, 0, XH_RPC_CNT_PIPE_NAMED), 4, "named hits counted");
	ASSERT_EQ(cnt(&p, 0, XH_RPC_CNT_PIPE_UNNAMED), 0, "none unnamed yet");

	/* No response seen (a capture of one direction): "smb", counted. */
	open2(&c, S, 1, 13, "spoolss", NULL, 0);
	ASSERT_STREQ(bind2(&c, S, 1, fd, UUID_SPOOLSS, 1, buf, sizeof(buf)), "smb",
		     "response missing");
	ASSERT_EQ(cnt(&p, 0, XH_RPC_CNT_PIPE_UNNAMED), 1, "unnamed counted");
	/* The open failed: nothing tracked, the FileId means nothing. */
	open2(&c, S, 1, 14, "srvsvc", fe, 0xc0000034);
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_FILE_FAILED), 1, "failed open counted");
	ASSERT_STREQ(bind2(&c, S, 1, fe, UUID_SRVSVC, 3, buf, sizeof(buf)), "smb", "failed open");
	ASSERT_EQ(cnt(&p, 0, XH_RPC_CNT_PIPE_UNNAMED), 2, "unnamed counted");
out:
	px_close(&p);
}

void test_smb_pipes_smb1(void)
{
	struct px p;
	struct conn c = {.p = &p, .cli = "192.0.2.10", .cport = 51100, .sport = 445};
	struct conn c2 = {.p = &p, .cli = "192.0.2.10", .cport = 51101, .sport = 139};
	uint8_t pdu[RPC_PDU_MAX];
	const struct xh_event *e;
	char buf[1024];
	size_t n;

	if (px_open(&p))
		goto out;
	SEND(&c, 1, smb1_tree_connect_andx(&_m, 3, 100, "\\\\192.0.2.20\\IPC$", 1));
	SEND(&c, 0, smb1_tree_connect_resp(&_m, 3, 100, 2048, 0));
	SEND(&c, 1, smb1_nt_create_andx(&_m, 4, 100, 2048, "\\svcctl", 0x2019f, 1));
	SEND(&c, 0, smb1_nt_create_resp(&_m, 4, 100, 2048, 0x4001, 0));
	n = bind_pdu(pdu, UUID_SVCCTL, 2);
	SEND(&c, 1, smb1_write_andx_data(&_m, 5, 100, 2048, 0x4001, pdu, n));
	e = next_ev(&p, XH_RULE_DCERPC_BIND);
	ASSERT_STREQ(transport(e, buf, sizeof(buf)), "svcctl", "SMB1 WRITE_ANDX bind named");
	if (e)
		ASSERT_EQ(e->d.dcerpc.transport, XH_RPC_TR_SMB1, "SMB1 transport");
	n = rpc_build_request(pdu, 0, 0x03, 2, 0, 12, 60);
	SEND(&c, 1, smb1_trans_nmpipe(&_m, 6, 100, 2048, 0x4001, pdu, n));
	ASSERT_STREQ(transport(next_ev(&p, XH_RULE_DCERPC_CALL), buf, sizeof(buf)), "svcctl",
		     "TransactNmPipe call named");

	/* The FID closed and reused at once for another pipe. */
	SEND(&c, 1, smb1_nt_create_andx(&_m, 7, 100, 2048, "\\samr", 0x2019f, 1));
	SEND(&c, 0, smb1_nt_create_resp(&_m, 7, 100, 2048, 0x4001, 0));
	n = bind_pdu(pdu, UUID_SAMR, 1);
	SEND(&c, 1, smb1_write_andx_data(&_m, 8, 100, 2048, 0x4001, pdu, n));
	ASSERT_STREQ(transport(next_ev(&p, XH_RULE_DCERPC_BIND), buf, sizeof(buf)), "samr",
		     "reused FID takes the new name");

	/* OEM names (no Unicode flag) on port 139; the same UID and FID on
	 * another connection is another open. */
	{
		struct smbmsg m;

		smbmsg_init(&m);
		smbmsg_nb_session_request(&m);
		send_seg(&c2, &m, 1);
	}
	SEND(&c2, 1, smb1_tree_connect_andx(&_m, 3, 100, "\\\\192.0.2.20\\IPC$", 0));
	SEND(&c2, 0, smb1_tree_connect_resp(&_m, 3, 100, 2048, 0));
	SEND(&c2, 1, smb1_nt_create_andx(&_m, 4, 100, 2048, "\\lsarpc", 0x2019f, 0));
	SEND(&c2, 0, smb1_nt_create_resp(&_m, 4, 100, 2048, 0x4001, 0));
	n = bind_pdu(pdu, UUID_LSARPC, 0);
	SEND(&c2, 1, smb1_write_andx_data(&_m, 5, 100, 2048, 0x4001, pdu, n));
	e = next_ev(&p, XH_RULE_DCERPC_BIND);
	ASSERT_STREQ(transport(e, buf, sizeof(buf)), "lsarpc", "OEM name on 139");
	if (e)
		ASSERT_EQ(e->d.dcerpc.name_enc, XH_SMB_ENC_ASCII, "OEM encoding carried");
	n = bind_pdu(pdu, UUID_SAMR, 1);
	SEND(&c, 1, smb1_write_andx_data(&_m, 9, 100, 2048, 0x4001, pdu, n));
	ASSERT_EQ(count_ev(&p, XH_RULE_DCERPC_BIND), 0, "samr already reported on the first flow");
	ASSERT_EQ(cnt(&p, 0, XH_RPC_CNT_PIPE_UNNAMED), 0, "nothing unnamed");
out:
	px_close(&p);
}

/* SMB2 FileIds belong to a session between two hosts: the same FileId in
 * other sessions or from another host is another open; another connection
 * of the same session (multichannel) uses the session's opens. */
void test_smb_pipes_flows(void)
{
	struct px p;
	struct conn a = {.p = &p, .cli = "192.0.2.10", .cport = 51200, .sport = 445};
	struct conn b = {.p = &p, .cli = "192.0.2.10", .cport = 51201, .sport = 445};
	struct conn mc = {.p = &p, .cli = "192.0.2.10", .cport = 51202, .sport = 445};
	struct conn other = {.p = &p, .cli = "192.0.2.11", .cport = 51200, .sport = 445};
	uint8_t fx[16];
	char buf[1024];

	if (px_open(&p))
		goto out;
	fid_of(fx, 0x77, 0x99);
	ipc2(&a, 0x1001, 1);
	ipc2(&b, 0x1002, 1);
	open2(&a, 0x1001, 1, 10, "svcctl", fx, 0);
	open2(&b, 0x1002, 1, 10, "samr", fx, 0);
	ASSERT_STREQ(bind2(&a, 0x1001, 1, fx, UUID_SVCCTL, 2, buf, sizeof(buf)), "svcctl",
		     "flow a, session 1");
	ASSERT_STREQ(bind2(&b, 0x1002, 1, fx, UUID_SAMR, 1, buf, sizeof(buf)), "samr",
		     "flow b, session 2, same FileId");
	ASSERT_STREQ(bind2(&mc, 0x1001, 1, fx, UUID_SVCCTL, 2, buf, sizeof(buf)), "svcctl",
		     "a second channel of session 1");
	ASSERT_STREQ(bind2(&other, 0x1001, 1, fx, UUID_SVCCTL, 2, buf, sizeof(buf)), "smb",
		     "another client host");
out:
	px_close(&p);
}

/* An open pushed out of the LRU map: "smb", never another pipe's name. */
void test_smb_pipes_eviction(void)
{
	struct px p;
	struct conn c = {.p = &p, .cli = "192.0.2.10", .cport = 51300, .sport = 445};
	uint8_t fx[16], fy[16], key[64], val[512];
	char buf[1024];
	int fd, ksz, vsz, max, err = 0;

	if (px_open(&p))
		goto out;
	fd = bpf_map__fd(p.x.skel->maps.xh_smb_files);
	ksz = (int)bpf_map__key_size(p.x.skel->maps.xh_smb_files);
	vsz = (int)bpf_map__value_size(p.x.skel->maps.xh_smb_files);
	max = (int)bpf_map__max_entries(p.x.skel->maps.xh_smb_files);
	if (!ASSERT_GE((int)sizeof(key), ksz, "key buffer") ||
	    !ASSERT_GE((int)sizeof(val), vsz, "value buffer"))
		goto out;
	fid_of(fx, 0x55, 0x66);
	ipc2(&c, 7, 1);
	open2(&c, 7, 1, 10, "svcctl", fx, 0);
	fid_of(fy, 0x56, 0x67);
	open2(&c, 7, 1, 11, "samr", fy, 0);
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_FILE_TRACKED), 2, "tracked");
	ASSERT_STREQ(bind2(&c, 7, 1, fy, UUID_SAMR, 1, buf, sizeof(buf)), "samr",
		     "named before the eviction");
	/* Twice the capacity of other opens (family 0: no real flow). */
	memset(val, 0, sizeof(val));
	for (int i = 0; i < 2 * max && !err; i++) {
		memset(key, 0, sizeof(key));
		memcpy(key, &i, sizeof(i));
		err = bpf_map_update_elem(fd, key, val, BPF_ANY);
	}
	ASSERT_OK(err, "fill the map");
	ASSERT_STREQ(bind2(&c, 7, 1, fx, UUID_SVCCTL, 2, buf, sizeof(buf)), "smb",
		     "evicted open: no name");
	ASSERT_EQ(cnt(&p, 0, XH_RPC_CNT_PIPE_UNNAMED), 1, "unnamed counted");
out:
	px_close(&p);
}

#define MAX_ALLOWED 0x02000000u
#define W_ACCESS    0x40130196u
#define R_ACCESS    0x00120089u /* read only */

/* The one event of @rule among those since the last call (NULL if none,
 * and a failure if more than one). */
static const struct xh_event *only_ev(struct px *p, int rule)
{
	const struct xh_event *found = NULL;
	int n = 0;

	p->x.n_ev = 0;
	xhp_drain(&p->x);
	for (int i = 0; i < p->x.n_ev; i++)
		if (p->x.ev[i].rule == rule) {
			found = found ? found : &p->x.ev[i];
			n++;
		}
	ASSERT_LT(n, 2, "at most one event of the rule");
	return found;
}

static const char *ev_text(const struct xh_event *e, char *buf, size_t n)
{
	if (!e)
		return "(no event)";
	if (e->d.smb.flags & XH_SMB_F_NO_NAME)
		return "(no name)";
	if (smb_name_to_utf8(e->name, e->name_len, e->d.smb.name_enc, buf, n) < 0)
		return "(invalid)";
	return buf;
}

static int tool_events(struct px *p, const char *name, uint16_t cmd)
{
	char buf[1024];
	int n = 0;

	p->x.n_ev = 0;
	xhp_drain(&p->x);
	for (int i = 0; i < p->x.n_ev; i++) {
		const struct xh_event *e = &p->x.ev[i];

		if (e->rule != XH_RULE_SMB_TOOL_TRANSFER)
			continue;
		n++;
		ASSERT_STREQ(ev_text(e, buf, sizeof(buf)), name, "file name");
		ASSERT_EQ(e->d.smb.command, cmd, "command");
	}
	return n;
}

/* smb.tool_transfer at the first WRITE to an executable whose CREATE asked
 * for no write access (MAXIMUM_ALLOWED), once per (flow, file). */
void test_smb_tool_transfer_write(void)
{
	struct px p;
	struct conn c = {.p = &p, .cli = "192.0.2.10", .cport = 51400, .sport = 445};
	struct conn c1 = {.p = &p, .cli = "192.0.2.10", .cport = 51401, .sport = 445};
	const uint64_t S = 0x55;
	uint8_t f1[16], f2[16], f3[16];

	if (px_open(&p))
		goto out;
	fid_of(f1, 1, 0xe1);
	fid_of(f2, 2, 0xe2);
	fid_of(f3, 3, 0xe3);
	SEND(&c, 1, smb2_tree_connect_req(&_m, 1, S, "\\\\192.0.2.20\\ADMIN$"));
	SEND(&c, 0, smb2_tree_connect_resp(&_m, 1, S, 5, 0, 1));
	SEND(&c, 1, smb2_create_req(&_m, 2, S, 5, "Temp\\tool.exe", MAX_ALLOWED));
	ASSERT_EQ(tool_events(&p, "", 0), 0, "CREATE with MAXIMUM_ALLOWED: no event yet");
	SEND(&c, 0, smb2_create_resp(&_m, 2, S, 5, f1, 0));
	SEND(&c, 1, smb2_write_data(&_m, 3, S, 5, f1, "MZ\x90\x00", 4));
	ASSERT_EQ(tool_events(&p, "Temp\\tool.exe", XH_SMB2_WRITE), 1, "the first WRITE reports");
	SEND(&c, 1, smb2_write_data(&_m, 4, S, 5, f1, "MZ\x90\x00", 4));
	ASSERT_EQ(tool_events(&p, "", 0), 0, "the second WRITE does not");
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_WRITE_TRACKED), 2, "writes to the tracked file counted");
	/* Not an executable: not tracked, its WRITE is no finding. */
	SEND(&c, 1, smb2_create_req(&_m, 5, S, 5, "notes.txt", MAX_ALLOWED));
	SEND(&c, 0, smb2_create_resp(&_m, 5, S, 5, f2, 0));
	SEND(&c, 1, smb2_write_data(&_m, 6, S, 5, f2, "text", 4));
	ASSERT_EQ(tool_events(&p, "", 0), 0, "a text file");
	/* Reported at the CREATE (write access): its WRITE adds nothing. */
	SEND(&c, 1, smb2_create_req(&_m, 7, S, 5, "svc.dll", W_ACCESS));
	ASSERT_EQ(tool_events(&p, "svc.dll", XH_SMB2_CREATE), 1, "CREATE with write access");
	SEND(&c, 0, smb2_create_resp(&_m, 7, S, 5, f3, 0));
	SEND(&c, 1, smb2_write_data(&_m, 8, S, 5, f3, "MZ\x90\x00", 4));
	ASSERT_EQ(tool_events(&p, "", 0), 0, "one event per (flow, file)");

	/* SMB1: a FID reused by a file that is not tracked forgets the old. */
	SEND(&c1, 1, smb1_tree_connect_andx(&_m, 3, 100, "\\\\192.0.2.20\\ADMIN$", 1));
	SEND(&c1, 0, smb1_tree_connect_resp(&_m, 3, 100, 2049, 0));
	SEND(&c1, 1, smb1_nt_create_andx(&_m, 4, 100, 2049, "\\a.bat", MAX_ALLOWED, 1));
	SEND(&c1, 0, smb1_nt_create_resp(&_m, 4, 100, 2049, 0x10, 0));
	SEND(&c1, 1, smb1_nt_create_andx(&_m, 5, 100, 2049, "\\readme.txt", MAX_ALLOWED, 1));
	SEND(&c1, 0, smb1_nt_create_resp(&_m, 5, 100, 2049, 0x10, 0));
	SEND(&c1, 1, smb1_write_andx_data(&_m, 6, 100, 2049, 0x10, "text", 4));
	ASSERT_EQ(tool_events(&p, "", 0), 0, "FID now names readme.txt");
	SEND(&c1, 1, smb1_nt_create_andx(&_m, 7, 100, 2049, "\\b.ps1", MAX_ALLOWED, 1));
	SEND(&c1, 0, smb1_nt_create_resp(&_m, 7, 100, 2049, 0x11, 0));
	SEND(&c1, 1, smb1_write_andx_data(&_m, 8, 100, 2049, 0x11, "Write-Host", 10));
	ASSERT_EQ(tool_events(&p, "\\b.ps1", XH_SMB1_WRITE_ANDX), 1, "SMB1 WRITE_ANDX reports");
out:
	px_close(&p);
}

/* Files read and directories listed on an admin share: smb.admin_read once
 * per (flow, file), named by the CREATE the FileId came from, and
 * smb.admin_listing once per (flow, tree), naming the first directory
 * listed (the share's root: ""). Neither on a disk share or IPC$. A READ
 * whose open was not seen still reports, without a name; a CLOSE forgets
 * the open. */
void test_smb_admin_read_listing(void)
{
	struct px p;
	struct conn c = {.p = &p, .cli = "192.0.2.10", .cport = 51500, .sport = 445};
	struct conn c1 = {.p = &p, .cli = "192.0.2.10", .cport = 51501, .sport = 445};
	const uint64_t S = 0x66;
	uint8_t root[16], dir[16], ini[16], ini2[16], gone[16], doc[16], pipe[16];
	const struct xh_event *e;
	char buf[1024];

	if (px_open(&p))
		goto out;
	fid_of(root, 1, 0xd1);
	fid_of(dir, 2, 0xd2);
	fid_of(ini, 3, 0xd3);
	fid_of(ini2, 4, 0xd4);
	fid_of(gone, 5, 0xd5);
	fid_of(doc, 6, 0xd6);
	fid_of(pipe, 7, 0xd7);
	SEND(&c, 1, smb2_tree_connect_req(&_m, 1, S, "\\\\192.0.2.20\\C$"));
	SEND(&c, 0, smb2_tree_connect_resp(&_m, 1, S, 7, 0, 1));
	SEND(&c, 1, smb2_tree_connect_req(&_m, 2, S, "\\\\192.0.2.20\\public"));
	SEND(&c, 0, smb2_tree_connect_resp(&_m, 2, S, 9, 0, 1));
	ipc2(&c, S, 1);
	next_ev(&p, 0);

	/* The root of C$ (NameLength 0), listed: one listing for the tree. */
	SEND(&c, 1, smb2_create_req(&_m, 3, S, 7, "", R_ACCESS));
	SEND(&c, 0, smb2_create_resp(&_m, 3, S, 7, root, 0));
	SEND(&c, 1, smb2_query_dir_req(&_m, 4, S, 7, root, "*"));
	e = only_ev(&p, XH_RULE_SMB_ADMIN_LISTING);
	ASSERT_STREQ(ev_text(e, buf, sizeof(buf)), "", "the root listed");
	if (e) {
		ASSERT_EQ(e->d.smb.command, XH_SMB2_QUERY_DIR, "command");
		ASSERT_EQ(e->d.smb.share_kind, XH_SMB_SHARE_ADMIN, "share kind");
		ASSERT_EQ(e->d.smb.tree_id, 7, "tree id");
	}
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_QUERY_DIR_ADMIN), 1, "listing counted");
	SEND(&c, 1, smb2_create_req(&_m, 5, S, 7, "Windows\\Temp", R_ACCESS));
	SEND(&c, 0, smb2_create_resp(&_m, 5, S, 7, dir, 0));
	SEND(&c, 1, smb2_query_dir_req(&_m, 6, S, 7, dir, "*"));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_ADMIN_LISTING), "one listing per (flow, tree)");

	/* A file read from C$, by the name of its CREATE; once per file. */
	SEND(&c, 1, smb2_create_req(&_m, 7, S, 7, "boot.ini", R_ACCESS));
	SEND(&c, 0, smb2_create_resp(&_m, 7, S, 7, ini, 0));
	SEND(&c, 1, smb2_read_req(&_m, 8, S, 7, ini));
	e = only_ev(&p, XH_RULE_SMB_ADMIN_READ);
	ASSERT_STREQ(ev_text(e, buf, sizeof(buf)), "boot.ini", "the file read");
	if (e) {
		ASSERT_EQ(e->d.smb.command, XH_SMB2_READ, "command");
		ASSERT_EQ(e->d.smb.share_kind, XH_SMB_SHARE_ADMIN, "share kind");
		ASSERT_EQ(e->d.smb.access, R_ACCESS, "the CREATE's access");
	}
	SEND(&c, 1, smb2_read_req(&_m, 9, S, 7, ini));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_ADMIN_READ), "its second READ");
	SEND(&c, 1, smb2_create_req(&_m, 10, S, 7, "BOOT.INI", R_ACCESS));
	SEND(&c, 0, smb2_create_resp(&_m, 10, S, 7, ini2, 0));
	SEND(&c, 1, smb2_read_req(&_m, 11, S, 7, ini2));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_ADMIN_READ), "the same name opened again");
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_READ_ADMIN), 3, "reads on C$ counted");

	/* A READ whose CREATE was not seen: reported, without a name. */
	SEND(&c, 1, smb2_read_req(&_m, 12, S, 7, gone));
	e = only_ev(&p, XH_RULE_SMB_ADMIN_READ);
	ASSERT_STREQ(ev_text(e, buf, sizeof(buf)), "(no name)", "an open not seen");
	if (e)
		ASSERT_EQ(e->name_len, 0, "no name bytes");
	/* CLOSE forgets the open: the FileId no longer names boot.ini (a
	 * later READ of it, which a server would refuse, has no name). */
	SEND(&c, 1, smb2_close_req(&_m, 13, S, 7, ini));
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_CLOSE_TRACKED), 1, "the CLOSE ended a tracked open");
	SEND(&c, 1, smb2_close_req(&_m, 14, S, 7, gone));
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_CLOSE_TRACKED), 1, "a CLOSE of an untracked open");
	SEND(&c, 1, smb2_read_req(&_m, 15, S, 7, ini));
	ASSERT_STREQ(ev_text(only_ev(&p, XH_RULE_SMB_ADMIN_READ), buf, sizeof(buf)), "(no name)",
		     "a READ after the CLOSE");

	/* A text file written to C$ is no tool transfer. */
	SEND(&c, 1, smb2_write_data(&_m, 16, S, 7, dir, "text", 4));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_TOOL_TRANSFER), "a WRITE to a tracked non-executable");

	/* A disk share and IPC$: reads and listings are their users' work. */
	SEND(&c, 1, smb2_create_req(&_m, 17, S, 9, "report.doc", R_ACCESS));
	SEND(&c, 0, smb2_create_resp(&_m, 17, S, 9, doc, 0));
	SEND(&c, 1, smb2_read_req(&_m, 18, S, 9, doc));
	SEND(&c, 1, smb2_query_dir_req(&_m, 19, S, 9, doc, "*"));
	open2(&c, S, 1, 20, "srvsvc", pipe, 0);
	SEND(&c, 1, smb2_read_req(&_m, 21, S, 1, pipe));
	p.x.n_ev = 0;
	xhp_drain(&p.x);
	for (int i = 0; i < p.x.n_ev; i++)
		ASSERT_NEQ(p.x.ev[i].rule == XH_RULE_SMB_ADMIN_READ ||
				   p.x.ev[i].rule == XH_RULE_SMB_ADMIN_LISTING,
			   1, "nothing on a disk share or IPC$");
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_READ_ADMIN), 5, "reads elsewhere not counted as admin");

	/* An executable opened without write access on a disk share, then
	 * written: smb.tool_transfer from the WRITE, share_type disk. */
	SEND(&c, 1, smb2_create_req(&_m, 22, S, 9, "PSEXESVC.exe", MAX_ALLOWED));
	SEND(&c, 0, smb2_create_resp(&_m, 22, S, 9, doc, 0));
	SEND(&c, 1, smb2_write_data(&_m, 23, S, 9, doc, "MZ\x90\x00", 4));
	e = only_ev(&p, XH_RULE_SMB_TOOL_TRANSFER);
	ASSERT_STREQ(ev_text(e, buf, sizeof(buf)), "PSEXESVC.exe", "written to a disk share");
	if (e) {
		ASSERT_EQ(e->d.smb.share_kind, XH_SMB_SHARE_DISK, "disk share");
		ASSERT_EQ(e->d.smb.command, XH_SMB2_WRITE, "by its WRITE");
	}

	/* SMB1: READ_ANDX of a file opened on C$, and CLOSE. */
	SEND(&c1, 1, smb1_tree_connect_andx(&_m, 3, 100, "\\\\192.0.2.20\\C$", 1));
	SEND(&c1, 0, smb1_tree_connect_resp(&_m, 3, 100, 2050, 0));
	SEND(&c1, 1, smb1_nt_create_andx(&_m, 4, 100, 2050, "\\boot.ini", R_ACCESS, 1));
	SEND(&c1, 0, smb1_nt_create_resp(&_m, 4, 100, 2050, 0x20, 0));
	SEND(&c1, 1, smb1_read_andx(&_m, 5, 100, 2050, 0x20));
	e = only_ev(&p, XH_RULE_SMB_ADMIN_READ);
	ASSERT_STREQ(ev_text(e, buf, sizeof(buf)), "\\boot.ini", "SMB1 READ_ANDX");
	if (e)
		ASSERT_EQ(e->d.smb.command, XH_SMB1_READ_ANDX, "SMB1 command");
	SEND(&c1, 1, smb1_close(&_m, 6, 100, 2050, 0x20));
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_CLOSE_TRACKED), 2, "SMB1 CLOSE ended the open");
	/* SMB1 lists with TRANS2 FIND_FIRST2: named by its search pattern,
	 * once per (flow, tree); not on a disk share. */
	SEND(&c1, 1, smb1_tree_connect_andx(&_m, 7, 100, "\\\\192.0.2.20\\public", 1));
	SEND(&c1, 0, smb1_tree_connect_resp(&_m, 7, 100, 2052, 0));
	SEND(&c1, 1, smb1_trans2_find_first2(&_m, 8, 100, 2052, "\\*", 1));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_ADMIN_LISTING), "SMB1 listing of a disk share");
	SEND(&c1, 1, smb1_trans2_find_first2(&_m, 9, 100, 2050, "\\Windows\\*", 1));
	e = only_ev(&p, XH_RULE_SMB_ADMIN_LISTING);
	ASSERT_STREQ(ev_text(e, buf, sizeof(buf)), "\\Windows\\*", "SMB1 listing of C$");
	if (e) {
		ASSERT_EQ(e->d.smb.command, XH_SMB1_TRANSACTION2, "TRANSACTION2");
		ASSERT_EQ(e->d.smb.tree_id, 2050, "its tree");
	}
	SEND(&c1, 1, smb1_trans2_find_first2(&_m, 10, 100, 2050, "\\*", 1));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_ADMIN_LISTING), "once per (flow, tree)");
out:
	px_close(&p);
}

/* Related compound members name the CREATE before them by the FileId
 * 0xFF..FF (Windows: CREATE + QUERY_DIRECTORY, CREATE + READ + CLOSE,
 * CREATE + WRITE): the listing, the read and the tool transfer are named
 * by it. A TCP retransmission of a CREATE response keeps its open. */
void test_smb_admin_compound(void)
{
	static const uint8_t ff[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct px p;
	struct conn c = {.p = &p, .cli = "192.0.2.11", .cport = 51600, .sport = 445};
	const uint64_t S = 0x77;
	uint8_t f1[16], f2[16];
	const struct xh_event *e;
	char buf[1024];
	size_t h;

	if (px_open(&p))
		goto out;
	fid_of(f1, 1, 0xc1);
	fid_of(f2, 2, 0xc2);
	SEND(&c, 1, smb2_tree_connect_req(&_m, 1, S, "\\\\192.0.2.20\\C$"));
	SEND(&c, 0, smb2_tree_connect_resp(&_m, 1, S, 3, 0, 1));
	next_ev(&p, 0);
	/* CREATE "Users" + QUERY_DIRECTORY (related, FileId 0xFF..FF). */
	SEND(&c, 1, {
		h = smb2_create_req(&_m, 2, S, 3, "Users", R_ACCESS);
		smb2_chain(&_m, h);
		h = smb2_query_dir_req(&_m, 3, S, 0xffffffff, ff, "*");
		smbmsg_set32(&_m, h + 16, 4); /* SMB2_FLAGS_RELATED_OPERATIONS */
	});
	e = only_ev(&p, XH_RULE_SMB_ADMIN_LISTING);
	ASSERT_STREQ(ev_text(e, buf, sizeof(buf)), "Users",
		     "listing named by the compound's CREATE");
	if (e)
		ASSERT_EQ(e->d.smb.tree_id, 3, "the related member's tree");
	/* CREATE + READ + CLOSE: the read is named; the CLOSE forgets the
	 * pending CREATE, so its response tracks nothing. */
	SEND(&c, 1, {
		h = smb2_create_req(&_m, 4, S, 3, "Windows\\win.ini", R_ACCESS);
		smb2_chain(&_m, h);
		h = smb2_read_req(&_m, 5, S, 0xffffffff, ff);
		smbmsg_set32(&_m, h + 16, 4);
		smb2_chain(&_m, h);
		h = smb2_close_req(&_m, 6, S, 0xffffffff, ff);
		smbmsg_set32(&_m, h + 16, 4);
	});
	ASSERT_STREQ(ev_text(only_ev(&p, XH_RULE_SMB_ADMIN_READ), buf, sizeof(buf)),
		     "Windows\\win.ini", "read named by the compound's CREATE");
	SEND(&c, 0, smb2_create_resp(&_m, 4, S, 3, f1, 0));
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_FILE_TRACKED), 0, "closed in its compound: not tracked");
	/* A FileId 0xFF..FF in a member that is not related names nothing. */
	SEND(&c, 1, smb2_read_req(&_m, 7, S, 3, ff));
	ASSERT_STREQ(ev_text(only_ev(&p, XH_RULE_SMB_ADMIN_READ), buf, sizeof(buf)), "(no name)",
		     "an unrelated 0xFF..FF FileId");
	/* An executable opened without write access and written in the same
	 * compound: smb.tool_transfer from the WRITE. */
	SEND(&c, 1, {
		h = smb2_create_req(&_m, 8, S, 3, "Temp\\svc.exe", MAX_ALLOWED);
		smb2_chain(&_m, h);
		h = smb2_write_data(&_m, 9, S, 0xffffffff, ff, "MZ\x90\x00", 4);
		smbmsg_set32(&_m, h + 16, 4);
	});
	e = only_ev(&p, XH_RULE_SMB_TOOL_TRANSFER);
	ASSERT_STREQ(ev_text(e, buf, sizeof(buf)), "Temp\\svc.exe", "WRITE in the compound");
	if (e)
		ASSERT_EQ(e->d.smb.command, XH_SMB2_WRITE, "reported by the WRITE");
	/* The CREATE response seen twice (a retransmission, as a span port
	 * shows it): the open stays tracked and its READ named. */
	SEND(&c, 1, smb2_create_req(&_m, 10, S, 3, "secrets.txt", R_ACCESS));
	SEND(&c, 0, smb2_create_resp(&_m, 10, S, 3, f2, 0));
	SEND(&c, 0, smb2_create_resp(&_m, 10, S, 3, f2, 0));
	SEND(&c, 1, smb2_read_req(&_m, 11, S, 3, f2));
	ASSERT_STREQ(ev_text(only_ev(&p, XH_RULE_SMB_ADMIN_READ), buf, sizeof(buf)), "secrets.txt",
		     "named after a retransmitted CREATE response");
	/* Another open's response with the same FileId does forget it. */
	SEND(&c, 1, smb2_create_req(&_m, 12, S, 9, "x.doc", R_ACCESS));
	SEND(&c, 0, smb2_create_resp(&_m, 12, S, 9, f2, 0));
	SEND(&c, 1, smb2_read_req(&_m, 13, S, 3, f2));
	ASSERT_STREQ(ev_text(only_ev(&p, XH_RULE_SMB_ADMIN_READ), buf, sizeof(buf)), "(no name)",
		     "a FileId reused by another open");
out:
	px_close(&p);
}

/* A PE image of @n bytes: "MZ", e_lfanew 0x80, "PE\0\0" there. */
static void pe_image(uint8_t *b, size_t n)
{
	memset(b, 0, n);
	b[0] = 'M';
	b[1] = 'Z';
	b[0x3c] = 0x80;
	memcpy(b + 0x80, "PE\0\0", 4);
}

/* smb.tool_transfer by content: a PE image written at the start of a file
 * whose name is not an executable's (XH_SMB_F_EXE_CONTENT), named when its
 * open is followed (an open for writing, or any on an admin share), once
 * per flow and file. Not: the same bytes further into the file, "MZ"
 * without its PE signature, e_lfanew past the data. */
void test_smb_tool_transfer_content(void)
{
	struct px p;
	struct conn c = {.p = &p, .cli = "192.0.2.12", .cport = 51700, .sport = 445};
	struct conn c1 = {.p = &p, .cli = "192.0.2.12", .cport = 51701, .sport = 445};
	const uint64_t S = 0x88;
	uint8_t pe[512], bad[512], f1[16], f2[16], f3[16];
	const struct xh_event *e;
	char buf[1024];
	size_t h;

	if (px_open(&p))
		goto out;
	pe_image(pe, sizeof(pe));
	fid_of(f1, 1, 0xb1);
	fid_of(f2, 2, 0xb2);
	fid_of(f3, 3, 0xb3);
	SEND(&c, 1, smb2_tree_connect_req(&_m, 1, S, "\\\\192.0.2.20\\public"));
	SEND(&c, 0, smb2_tree_connect_resp(&_m, 1, S, 9, 0, 1));
	SEND(&c, 1, smb2_create_req(&_m, 2, S, 9, "notes.txt", W_ACCESS));
	SEND(&c, 0, smb2_create_resp(&_m, 2, S, 9, f1, 0));
	next_ev(&p, 0);
	/* The same image past the file's start: not its header. */
	SEND(&c, 1, {
		h = smb2_write_data(&_m, 3, S, 9, f1, pe, sizeof(pe));
		smbmsg_set32(&_m, h + 64 + 8, 4096); /* Offset */
	});
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_TOOL_TRANSFER), "a PE image past offset 0");
	/* "MZ" without "PE\0\0" at e_lfanew, and e_lfanew past the data. */
	memcpy(bad, pe, sizeof(bad));
	bad[0x81] = 'X';
	SEND(&c, 1, smb2_write_data(&_m, 4, S, 9, f1, bad, sizeof(bad)));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_TOOL_TRANSFER), "MZ without its PE signature");
	memcpy(bad, pe, sizeof(bad));
	bad[0x3c] = 0xfe;
	bad[0x3d] = 0x01;
	SEND(&c, 1, smb2_write_data(&_m, 5, S, 9, f1, bad, sizeof(bad)));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_TOOL_TRANSFER), "e_lfanew past the data written");
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_WRITE_PE), 0, "none counted");

	SEND(&c, 1, smb2_write_data(&_m, 6, S, 9, f1, pe, sizeof(pe)));
	e = only_ev(&p, XH_RULE_SMB_TOOL_TRANSFER);
	ASSERT_STREQ(ev_text(e, buf, sizeof(buf)), "notes.txt", "named by its open for writing");
	if (e) {
		ASSERT_EQ(e->d.smb.flags & XH_SMB_F_EXE_CONTENT, XH_SMB_F_EXE_CONTENT,
			  "found by its content");
		ASSERT_EQ(e->d.smb.share_kind, XH_SMB_SHARE_DISK, "disk share");
		ASSERT_EQ(e->d.smb.command, XH_SMB2_WRITE, "by the WRITE");
		ASSERT_EQ(e->d.smb.access, W_ACCESS, "the CREATE's access");
	}
	SEND(&c, 1, smb2_write_data(&_m, 7, S, 9, f1, pe, sizeof(pe)));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_TOOL_TRANSFER), "once per flow and file");
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_WRITE_PE), 2, "both counted");

	/* An open not followed (its CREATE before the sensor): no name. */
	SEND(&c, 1, smb2_write_data(&_m, 8, S, 9, f2, pe, sizeof(pe)));
	e = only_ev(&p, XH_RULE_SMB_TOOL_TRANSFER);
	ASSERT_STREQ(ev_text(e, buf, sizeof(buf)), "(no name)", "an open not followed");
	if (e)
		ASSERT_EQ(e->d.smb.share_kind, XH_SMB_SHARE_DISK, "the tree's kind");
	/* A read-only open on a disk share is not followed. */
	SEND(&c, 1, smb2_create_req(&_m, 9, S, 9, "readme.txt", R_ACCESS));
	SEND(&c, 0, smb2_create_resp(&_m, 9, S, 9, f3, 0));
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_FILE_TRACKED), 1, "only the open for writing tracked");
	/* An executable reported by its name at the CREATE: its PE content
	 * is the same finding, not a second one (psexec's upload). */
	SEND(&c, 1, smb2_create_req(&_m, 10, S, 9, "svc.exe", W_ACCESS));
	ASSERT_STREQ(ev_text(only_ev(&p, XH_RULE_SMB_TOOL_TRANSFER), buf, sizeof(buf)), "svc.exe",
		     "by name at the CREATE");
	SEND(&c, 0, smb2_create_resp(&_m, 10, S, 9, f3, 0));
	SEND(&c, 1, smb2_write_data(&_m, 11, S, 9, f3, pe, sizeof(pe)));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_TOOL_TRANSFER), "its PE content: the same finding");

	/* Admin share: every open followed; SMB1 WRITE_ANDX. */
	SEND(&c1, 1, smb1_tree_connect_andx(&_m, 3, 100, "\\\\192.0.2.20\\ADMIN$", 1));
	SEND(&c1, 0, smb1_tree_connect_resp(&_m, 3, 100, 2051, 0));
	SEND(&c1, 1, smb1_nt_create_andx(&_m, 4, 100, 2051, "\\update.dat", MAX_ALLOWED, 1));
	SEND(&c1, 0, smb1_nt_create_resp(&_m, 4, 100, 2051, 0x30, 0));
	SEND(&c1, 1, smb1_write_andx_data(&_m, 5, 100, 2051, 0x30, pe, sizeof(pe)));
	e = only_ev(&p, XH_RULE_SMB_TOOL_TRANSFER);
	ASSERT_STREQ(ev_text(e, buf, sizeof(buf)), "\\update.dat", "SMB1 WRITE_ANDX on ADMIN$");
	if (e) {
		ASSERT_EQ(e->d.smb.share_kind, XH_SMB_SHARE_ADMIN, "admin share");
		ASSERT_EQ(e->d.smb.flags & XH_SMB_F_EXE_CONTENT, XH_SMB_F_EXE_CONTENT,
			  "by content");
	}
out:
	px_close(&p);
}

/* The SMB1 message at @h of @m as the server's answer with
 * STATUS_INSUFF_SERVER_RESOURCES. */
static size_t insuff(struct smbmsg *m, size_t h)
{
	m->b[h + 9] |= 0x80;
	smbmsg_set16(m, h + 5, 0x0205);
	smbmsg_set16(m, h + 7, 0xc000);
	return h;
}

/* The same as the server's answer STATUS_NOT_IMPLEMENTED. */
static size_t not_impl(struct smbmsg *m, size_t h)
{
	m->b[h + 9] |= 0x80;
	smbmsg_set16(m, h + 5, 0x0002);
	smbmsg_set16(m, h + 7, 0xc000);
	return h;
}

/* MS17-010 tooling on SMB1 (WannaCry's way in): the check (PeekNamedPipe
 * on FID 0) and DoublePulsar's TRANSACTION2 SESSION_SETUP are smb.exploit,
 * once per flow and kind, on 445 and 139, and so are an unpatched server's
 * answer to the check and an implant's answer to the ping (MID + 16); a
 * pipe's own PeekNamedPipe, the server sending the requests, and answers
 * to no check or ping, or with other MIDs, are not. */
void test_smb_exploit(void)
{
	struct px p;
	struct conn c = {.p = &p, .cli = "192.0.2.10", .cport = 51300, .sport = 445};
	struct conn c2 = {.p = &p, .cli = "192.0.2.11", .cport = 51301, .sport = 139};
	const struct xh_event *e;

	if (px_open(&p))
		goto out;
	SEND(&c, 1, smb1_tree_connect_andx(&_m, 3, 100, "\\\\192.0.2.20\\IPC$", 0));
	SEND(&c, 0, smb1_tree_connect_resp(&_m, 3, 100, 2048, 0));
	SEND(&c, 1, smb1_peek_nmpipe(&_m, 4, 100, 2048, 0x4001));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_EXPLOIT), "a pipe's PeekNamedPipe");
	SEND(&c, 1, smb1_peek_nmpipe(&_m, 5, 100, 2048, 0));
	e = only_ev(&p, XH_RULE_SMB_EXPLOIT);
	if (ASSERT_OK_PTR(e, "the MS17-010 check")) {
		ASSERT_EQ(e->d.smb.exploit, XH_SMB_EXPLOIT_MS17_010_CHECK, "kind");
		ASSERT_EQ(e->d.smb.version, 1, "SMB1");
		ASSERT_EQ(e->d.smb.command, 0x25, "TRANSACTION");
		ASSERT_EQ(e->d.smb.tree_id, 2048, "tree");
		ASSERT_EQ(ntohs(e->dport), 445, "to the server");
	}
	SEND(&c, 1, smb1_peek_nmpipe(&_m, 6, 100, 2048, 0));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_EXPLOIT), "the check again: once per flow");
	SEND(&c, 0, smb1_peek_nmpipe(&_m, 6, 100, 2048, 0));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_EXPLOIT), "from the server");
	/* The server's answer: STATUS_INSUFF_SERVER_RESOURCES to the last
	 * check (MID 6) is an unpatched server; to another MID it is not. */
	SEND(&c, 0, insuff(&_m, smb1_peek_nmpipe(&_m, 5, 100, 2048, 0)));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_EXPLOIT), "an answer to another MID");
	SEND(&c, 0, insuff(&_m, smb1_peek_nmpipe(&_m, 6, 100, 2048, 0)));
	e = only_ev(&p, XH_RULE_SMB_EXPLOIT);
	if (ASSERT_OK_PTR(e, "the unpatched server's answer")) {
		ASSERT_EQ(e->d.smb.exploit, XH_SMB_EXPLOIT_MS17_010_VULNERABLE, "kind");
		ASSERT_EQ(ntohs(e->dport), 445, "reported client -> server");
	}
	SEND(&c, 1, smb1_trans2_session_setup(&_m, 65, 100, 2048));
	e = only_ev(&p, XH_RULE_SMB_EXPLOIT);
	if (ASSERT_OK_PTR(e, "DoublePulsar's ping"))
		ASSERT_EQ(e->d.smb.exploit, XH_SMB_EXPLOIT_DOUBLEPULSAR, "kind");
	/* A clean server answers the ping NOT_IMPLEMENTED with its MID (65);
	 * the implant adds 16 (81). */
	SEND(&c, 0, not_impl(&_m, smb1_trans2_session_setup(&_m, 65, 100, 2048)));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_EXPLOIT), "a clean server's answer");
	SEND(&c, 0, not_impl(&_m, smb1_trans2_session_setup(&_m, 81, 100, 2048)));
	e = only_ev(&p, XH_RULE_SMB_EXPLOIT);
	if (ASSERT_OK_PTR(e, "the implant's answer"))
		ASSERT_EQ(e->d.smb.exploit, XH_SMB_EXPLOIT_DOUBLEPULSAR_IMPLANT, "kind");
	{ /* 139: messages count after the NetBIOS session request */
		struct smbmsg m;

		smbmsg_init(&m);
		smbmsg_nb_session_request(&m);
		send_seg(&c2, &m, 1);
	}
	SEND(&c2, 1, smb1_trans2_session_setup(&_m, 65, 100, 2048));
	e = only_ev(&p, XH_RULE_SMB_EXPLOIT);
	if (ASSERT_OK_PTR(e, "on 139"))
		ASSERT_EQ(ntohs(e->dport), 139, "NetBIOS session service");
	SEND(&c2, 0, insuff(&_m, smb1_peek_nmpipe(&_m, 65, 100, 2048, 0)));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_EXPLOIT), "an answer on a flow with no check");
	SEND(&c2, 0, not_impl(&_m, smb1_trans2_session_setup(&_m, 82, 100, 2048)));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_EXPLOIT), "another MID than the ping's + 16");
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_EXPLOIT), 6, "every such message counted");
out:
	px_close(&p);
}

/* EternalBlue (MS17-010's exploit, WannaCry's way in): an NT_TRANSACT with
 * more data to come, then TRANSACTION2_SECONDARY with its MID, as
 * suricata-verify's smb2-09 capture has it (MID 0). The pair is
 * smb.exploit "eternalblue" once per flow; a secondary of another MID, an
 * NT_TRANSACT sent whole, its own NT_TRANSACT_SECONDARY, a TRANSACTION2
 * with its own secondary after a new request of the MID, and the server
 * sending the pair are not. */
void test_smb_eternalblue(void)
{
	struct px p;
	struct conn c = {.p = &p, .cli = "192.0.2.10", .cport = 51310, .sport = 445};
	struct conn c2 = {.p = &p, .cli = "192.0.2.11", .cport = 51311, .sport = 445};
	struct conn c3 = {.p = &p, .cli = "192.0.2.12", .cport = 51312, .sport = 445};
	const struct xh_event *e;

	if (px_open(&p))
		goto out;
	SEND(&c, 1, smb1_tree_connect_andx(&_m, 3, 2048, "\\\\192.0.2.20\\IPC$", 0));
	SEND(&c, 0, smb1_tree_connect_resp(&_m, 3, 2048, 2048, 0));
	SEND(&c, 1, smb1_nt_trans(&_m, 0, 2048, 2048, 0, 65558, 1000));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_EXPLOIT), "an NT_TRANSACT alone");
	SEND(&c, 1, smb1_trans2_secondary(&_m, 1, 2048, 2048, 4096, 1000, 1000));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_EXPLOIT), "a secondary of another MID");
	SEND(&c, 0, smb1_trans2_secondary(&_m, 0, 2048, 2048, 4096, 1000, 1000));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_EXPLOIT), "from the server");
	SEND(&c, 1, smb1_trans2_secondary(&_m, 0, 2048, 2048, 4096, 1000, 1000));
	e = only_ev(&p, XH_RULE_SMB_EXPLOIT);
	if (ASSERT_OK_PTR(e, "EternalBlue's secondary")) {
		ASSERT_EQ(e->d.smb.exploit, XH_SMB_EXPLOIT_ETERNALBLUE, "kind");
		ASSERT_EQ(e->d.smb.command, 0x33, "TRANSACTION2_SECONDARY");
		ASSERT_EQ(e->d.smb.message_id, 0, "MID");
		ASSERT_EQ(ntohs(e->dport), 445, "to the server");
	}
	SEND(&c, 1, smb1_trans2_secondary(&_m, 0, 2048, 2048, 4096, 5096, 1000));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_EXPLOIT), "the next secondary: once per flow");

	/* Legitimate transactions: an NT_TRANSACT sent whole, then one with
	 * data to come and its own secondary, then a new TRANSACTION2
	 * request of that MID (which ends the NT_TRANSACT) and its secondary. */
	SEND(&c2, 1, smb1_nt_trans(&_m, 7, 100, 2048, 1, 1000, 1000));
	SEND(&c2, 1, smb1_trans2_secondary(&_m, 7, 100, 2048, 4096, 1000, 1000));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_EXPLOIT), "after an NT_TRANSACT sent whole");
	SEND(&c2, 1, smb1_nt_trans(&_m, 8, 100, 2048, 1, 3000, 1000));
	SEND(&c2, 1, smb1_trans2_session_setup(&_m, 8, 100, 2048));
	(void)only_ev(&p, XH_RULE_SMB_EXPLOIT); /* DoublePulsar's: not this test's */
	SEND(&c2, 1, smb1_trans2_secondary(&_m, 8, 100, 2048, 4096, 1000, 1000));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_EXPLOIT), "a TRANSACTION2 of the MID between");
	{ /* NT_TRANSACT_SECONDARY: its own kind, which keeps it open */
		size_t h;

		SEND(&c3, 1, smb1_nt_trans(&_m, 9, 100, 2048, 1, 3000, 1000));
		SEND(&c3, 1,
		     (h = smb1_trans2_secondary(&_m, 9, 100, 2048, 4096, 1000, 1000),
		      _m.b[h + 4] = 0xa1));
		ASSERT_NULL(only_ev(&p, XH_RULE_SMB_EXPLOIT), "NT_TRANSACT_SECONDARY");
		SEND(&c3, 1, smb1_trans2_secondary(&_m, 9, 100, 2048, 4096, 2000, 1000));
		e = only_ev(&p, XH_RULE_SMB_EXPLOIT);
		if (ASSERT_OK_PTR(e, "a TRANSACTION2_SECONDARY after it"))
			ASSERT_EQ(e->d.smb.exploit, XH_SMB_EXPLOIT_ETERNALBLUE, "kind");
	}
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_EXPLOIT), 4, "each finding counted");
out:
	px_close(&p);
}

/* smb.brute_force: one client's session setups answered with a failed
 * logon (STATUS_LOGON_FAILURE, WRONG_PASSWORD, ACCOUNT_LOCKED_OUT), over
 * SMB2 and SMB1 and over several connections, reach 10 in a minute: one
 * event per client and window, on the answer that crossed. The NTLM
 * exchange's own answers (MORE_PROCESSING_REQUIRED, success), a failure
 * status on another command, and a "response" the client sends do not
 * count. */
void test_smb_brute_force(void)
{
	struct px p;
	struct conn c[12], other = {.p = &p, .cli = "192.0.2.11", .cport = 52400, .sport = 445};
	const struct xh_event *e;
	int i;

	if (px_open(&p))
		goto out;
	for (i = 0; i < 12; i++)
		c[i] = (struct conn){
			.p = &p, .cli = "192.0.2.10", .cport = 52300 + i, .sport = 445};
	/* an NTLM logon that succeeds: its challenge, then success */
	SEND(&c[0], 0, smb2_session_setup_resp(&_m, 1, 0x10, 0xc0000016));
	SEND(&c[0], 0, smb2_session_setup_resp(&_m, 2, 0x10, 0));
	/* a failure status on a TREE_CONNECT answer, and the client sending a
	 * failed session setup "answer" */
	SEND(&c[0], 0, smb2_tree_connect_resp(&_m, 3, 0x10, 1, 0xc000006d, 1));
	SEND(&c[0], 1, smb2_session_setup_resp(&_m, 4, 0x10, 0xc000006d));
	for (i = 1; i <= 8; i++)
		SEND(&c[i], 0,
		     smb2_session_setup_resp(&_m, 1, 0, i == 4 ? 0xc000006a : 0xc000006d));
	SEND(&c[9], 0, smb1_session_setup_resp(&_m, 1, 0xc0000234)); /* the 9th */
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_BRUTE_FORCE), "9 failed logons");
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_LOGON_FAILED), 9, "each failed logon counted");
	SEND(&c[10], 0, smb1_session_setup_resp(&_m, 1, 0xc000006d));
	e = only_ev(&p, XH_RULE_SMB_BRUTE_FORCE);
	if (ASSERT_OK_PTR(e, "the 10th")) {
		ASSERT_EQ(e->detail_kind, XH_DETAIL_SWEEP, "detail");
		ASSERT_EQ(e->d.sweep.distinct, 10, "failed logons");
		ASSERT_EQ(e->d.sweep.threshold, 10, "threshold");
		ASSERT_EQ(e->d.sweep.window_s, 60, "window");
		ASSERT_EQ(ntohs(e->sport), 52310,
			  "the client's side of the crossing answer's flow");
		ASSERT_EQ(ntohs(e->dport), 445, "to the server");
	}
	SEND(&c[11], 0, smb2_session_setup_resp(&_m, 1, 0, 0xc000006d));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_BRUTE_FORCE), "the 11th: once per client and window");
	for (i = 0; i < 10; i++)
		SEND(&other, 0, smb2_session_setup_resp(&_m, 10 + i, 0, 0xc000006d));
	e = only_ev(&p, XH_RULE_SMB_BRUTE_FORCE);
	if (ASSERT_OK_PTR(e, "another client's 10, on one connection"))
		ASSERT_EQ(ntohs(e->sport), 52400, "its own event");
out:
	px_close(&p);
}

/* smb.logon: the NTLMSSP AUTHENTICATE of a session setup request names
 * the account: SPNEGO-wrapped in SMB2, raw and OEM in SMB1; once per flow
 * and account; a name cut to its slot or lying past the segment is said
 * so; Kerberos, a NEGOTIATE and an answer name none. */
void test_smb_logon(void)
{
	struct px p;
	struct conn c = {.p = &p, .cli = "192.0.2.10", .cport = 52500, .sport = 445};
	struct conn c1 = {.p = &p, .cli = "192.0.2.11", .cport = 52501, .sport = 139};
	const struct xh_event *e;
	uint8_t b[SMBMSG_MAX];
	char user[80];
	size_t n;

	if (px_open(&p))
		goto out;
	n = ntlm_auth_blob(b, sizeof(b), "CORP", "administrator", "WS01", 1, 1);
	SEND(&c, 1, smb2_session_setup_req(&_m, 2, 0x10, b, n));
	e = only_ev(&p, XH_RULE_SMB_LOGON);
	if (ASSERT_OK_PTR(e, "SMB2, SPNEGO")) {
		ASSERT_EQ(e->detail_kind, XH_DETAIL_SMB, "detail");
		ASSERT_EQ(e->d.smb.name_enc, XH_SMB_ENC_UTF16LE, "UTF-16LE");
		ASSERT_EQ(e->d.smb.ntlm_len[XH_NTLM_DOMAIN], 8, "domain bytes");
		ASSERT_EQ(e->d.smb.ntlm_len[XH_NTLM_USER], 26, "user bytes");
		ASSERT_EQ(e->d.smb.ntlm_len[XH_NTLM_HOST], 8, "host bytes");
		ASSERT_EQ(memcmp(e->name + XH_SMB_NTLM_DOMAIN_SLOT, "C\0O\0R\0P\0", 8), 0,
			  "domain");
		ASSERT_EQ(memcmp(e->name + XH_SMB_NTLM_USER_SLOT, "a\0d\0m\0", 6), 0, "user");
		ASSERT_EQ(memcmp(e->name + XH_SMB_NTLM_HOST_SLOT, "W\0S\0", 4), 0, "host");
		ASSERT_FALSE(e->d.smb.flags & XH_SMB_F_NTLM_CUT, "whole");
		ASSERT_EQ(ntohs(e->sport), 52500, "the client's flow");
		ASSERT_EQ(memcmp(e->d.smb.ntlm_proof, "\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7", 8), 0,
			  "the NT response's first bytes");
	}
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_NTLM_AUTH), 1, "counted");
	SEND(&c, 1, smb2_session_setup_req(&_m, 3, 0x10, b, n));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_LOGON), "the same account again: once per flow");
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_NTLM_AUTH), 2, "each counted");
	n = ntlm_auth_blob(b, sizeof(b), "CORP", "guest", "WS01", 1, 1);
	SEND(&c, 1, smb2_session_setup_req(&_m, 4, 0x10, b, n));
	ASSERT_OK_PTR(only_ev(&p, XH_RULE_SMB_LOGON), "another account on the flow");
	{
		/* NTLMv1's 24-byte response: no proof (tools and test captures
		 * send theirs alike) */
		struct conn c2 = {.p = &p, .cli = "192.0.2.12", .cport = 52502, .sport = 445};
		uint8_t v1[SMBMSG_MAX];
		size_t n1 = ntlm_auth_blob(v1, sizeof(v1), "CORP", "administrator", "WS01", 1, 0);

		v1[20] = 24; /* NtChallengeResponseFields: Len */
		v1[22] = 24; /* MaxLen */
		SEND(&c2, 1, smb2_session_setup_req(&_m, 2, 0x11, v1, n1));
		e = only_ev(&p, XH_RULE_SMB_LOGON);
		if (ASSERT_OK_PTR(e, "NTLMv1: the logon"))
			ASSERT_EQ(memcmp(e->d.smb.ntlm_proof, "\0\0\0\0\0\0\0\0", 8), 0,
				  "NTLMv1: no proof");
	}

	/* SMB1 on 139 after the session request, raw NTLMSSP, OEM names;
	 * 79 bytes of user fit its 128-byte slot */
	{
		struct smbmsg m;

		smbmsg_init(&m);
		smbmsg_nb_session_request(&m);
		send_seg(&c1, &m, 1);
	}
	memset(user, 'u', 79);
	user[79] = '\0';
	n = ntlm_auth_blob(b, sizeof(b), "WORKGROUP", user, "KALI", 0, 0);
	SEND(&c1, 1, smb1_session_setup_req(&_m, 1, b, n, 0));
	e = only_ev(&p, XH_RULE_SMB_LOGON);
	if (ASSERT_OK_PTR(e, "SMB1, raw, OEM")) {
		ASSERT_EQ(e->d.smb.version, 1, "SMB1");
		ASSERT_EQ(e->d.smb.name_enc, XH_SMB_ENC_ASCII, "OEM");
		ASSERT_EQ(e->d.smb.ntlm_len[XH_NTLM_DOMAIN], 9, "domain bytes");
		ASSERT_EQ(e->d.smb.ntlm_len[XH_NTLM_USER], strlen(user), "79 bytes fit");
		ASSERT_EQ(memcmp(e->name + XH_SMB_NTLM_HOST_SLOT, "KALI", 4), 0, "host");
	}

	/* a user of 79 UTF-16 code units: cut to the slot's 64 */
	memset(user, 'v', 79);
	n = ntlm_auth_blob(b, sizeof(b), "CORP", user, "WS01", 1, 1);
	SEND(&c, 1, smb2_session_setup_req(&_m, 5, 0x10, b, n));
	e = only_ev(&p, XH_RULE_SMB_LOGON);
	if (ASSERT_OK_PTR(e, "a long user")) {
		ASSERT_EQ(e->d.smb.ntlm_len[XH_NTLM_USER], 128, "cut to the slot");
		ASSERT_TRUE(e->d.smb.flags & XH_SMB_F_NTLM_CUT, "said cut");
		ASSERT_EQ(e->d.smb.ntlm_len[XH_NTLM_HOST], 8, "the host whole");
	}

	/* the names past the segment: the message continues in the next */
	{
		struct smbmsg m;
		size_t h;

		n = ntlm_auth_blob(b, sizeof(b), "CORP", "carol", "WS02", 1, 1);
		smbmsg_init(&m);
		smbmsg_nb_begin(&m, 0);
		h = smb2_session_setup_req(&m, 6, 0x10, b, n);
		smbmsg_nb_end(&m);
		m.len = h + 88 + 16 + 64 + 4; /* the fixed part and 2 of the domain's 4 units */
		send_seg(&c, &m, 1);
	}
	e = only_ev(&p, XH_RULE_SMB_LOGON);
	if (ASSERT_OK_PTR(e, "names past the segment")) {
		ASSERT_EQ(e->d.smb.ntlm_len[XH_NTLM_DOMAIN], 0, "the domain: not here");
		ASSERT_EQ(e->d.smb.ntlm_len[XH_NTLM_USER], 0, "the user: not here");
		ASSERT_TRUE(e->d.smb.flags & XH_SMB_F_NTLM_CUT, "said cut");
		ASSERT_EQ(memcmp(e->d.smb.ntlm_proof, "\0\0\0\0\0\0\0\0", 8), 0,
			  "the NT response: not here");
	}

	/* no account: a Kerberos AP-REQ in SPNEGO, an NTLM NEGOTIATE, the
	 * server's answer */
	{
		static const uint8_t krb[80] = {0x60, 0x4e, 0x06, 0x06, 0x2b, 0x06, 0x01,
						0x05, 0x05, 0x02, 0xa0, 0x44, 0x30, 0x42};
		uint8_t neg[128];

		SEND(&c, 1, smb2_session_setup_req(&_m, 7, 0x10, krb, sizeof(krb)));
		n = ntlm_auth_blob(neg, sizeof(neg), "", "", "", 1, 0);
		neg[8] = 1; /* NEGOTIATE */
		SEND(&c, 1, smb2_session_setup_req(&_m, 8, 0x10, neg, n));
		SEND(&c, 0, smb2_session_setup_resp(&_m, 8, 0x10, 0xc0000016));
		ASSERT_NULL(only_ev(&p, XH_RULE_SMB_LOGON), "Kerberos, NEGOTIATE, an answer");
	}
out:
	px_close(&p);
}

/* smb.logon of an SMB1 session setup without extended security (WordCount
 * 13): AccountName and PrimaryDomain, OEM and UTF-16; once per flow and
 * account; an account with no terminator in its slot is cut. */
void test_smb_logon_legacy(void)
{
	struct px p;
	struct conn c = {.p = &p, .cli = "192.0.2.12", .cport = 52600, .sport = 445};
	const struct xh_event *e;
	char user[200];

	if (px_open(&p))
		goto out;
	SEND(&c, 1, smb1_session_setup_legacy(&_m, 1, "root", "WORKGROUP", 0, 1));
	e = only_ev(&p, XH_RULE_SMB_LOGON);
	if (ASSERT_OK_PTR(e, "OEM")) {
		ASSERT_EQ(e->d.smb.name_enc, XH_SMB_ENC_ASCII, "OEM bytes");
		ASSERT_EQ(e->d.smb.ntlm_len[XH_NTLM_USER], 4, "account bytes");
		ASSERT_EQ(e->d.smb.ntlm_len[XH_NTLM_DOMAIN], 9, "domain bytes");
		ASSERT_EQ(e->d.smb.ntlm_len[XH_NTLM_HOST], 0, "no workstation");
		ASSERT_EQ(memcmp(e->name + XH_SMB_NTLM_USER_SLOT, "root\0", 5), 0, "account");
		ASSERT_EQ(memcmp(e->name + XH_SMB_NTLM_DOMAIN_SLOT, "WORKGROUP\0", 10), 0,
			  "domain");
		ASSERT_FALSE(e->d.smb.flags & XH_SMB_F_NTLM_CUT, "whole");
		ASSERT_EQ(memcmp(e->d.smb.ntlm_proof, "\0\0\0\0\0\0\0\0", 8), 0,
			  "its passwords are not read");
	}
	ASSERT_EQ(cnt(&p, 1, XH_SMB_CNT_LEGACY_LOGON), 1, "counted");
	SEND(&c, 1, smb1_session_setup_legacy(&_m, 2, "root", "WORKGROUP", 0, 1));
	ASSERT_NULL(only_ev(&p, XH_RULE_SMB_LOGON), "the same account again: once per flow");
	SEND(&c, 1, smb1_session_setup_legacy(&_m, 3, "admin", "", 0, 1));
	e = only_ev(&p, XH_RULE_SMB_LOGON);
	if (ASSERT_OK_PTR(e, "the next account tried"))
		ASSERT_EQ(e->d.smb.ntlm_len[XH_NTLM_DOMAIN], 0, "an empty domain");

	SEND(&c, 1, smb1_session_setup_legacy(&_m, 4, "Administrator", "CORP", 1, 1));
	e = only_ev(&p, XH_RULE_SMB_LOGON);
	if (ASSERT_OK_PTR(e, "UTF-16")) {
		ASSERT_EQ(e->d.smb.name_enc, XH_SMB_ENC_UTF16LE, "UTF-16LE");
		ASSERT_EQ(e->d.smb.ntlm_len[XH_NTLM_USER], 26, "account bytes");
		ASSERT_EQ(e->d.smb.ntlm_len[XH_NTLM_DOMAIN], 8, "domain bytes");
		ASSERT_EQ(memcmp(e->name + XH_SMB_NTLM_DOMAIN_SLOT, "C\0O\0R\0P\0", 8), 0,
			  "domain");
	}

	/* 150 OEM bytes, no terminator: cut to the slot's 128 */
	memset(user, 'x', 150);
	user[150] = '\0';
	SEND(&c, 1, smb1_session_setup_legacy(&_m, 5, user, "", 0, 0));
	e = only_ev(&p, XH_RULE_SMB_LOGON);
	if (ASSERT_OK_PTR(e, "an account past its slot")) {
		ASSERT_EQ(e->d.smb.ntlm_len[XH_NTLM_USER], 128, "cut to the slot");
		ASSERT_TRUE(e->d.smb.flags & XH_SMB_F_NTLM_CUT, "said cut");
		ASSERT_EQ(e->d.smb.ntlm_len[XH_NTLM_DOMAIN], 0, "no domain after it");
	}
out:
	px_close(&p);
}
