// SPDX-License-Identifier: GPL-2.0
/* test_dcerpc_parse.c: bpf/dcerpc.h and bpf/dcerpc_smb.h run natively under
 * ASan/UBSan over buffers malloc'ed at their exact length, so any read past
 * the end is an error: valid PDUs in both byte orders, every truncation,
 * frag_length lies, context counts beyond the packet, zero and huge
 * n_transfer_syn, unknown types, and random data that starts with 05 00. */
#include <arpa/inet.h>
#include <stdlib.h>
#include "test.h"
#include "rpc_pdu.h"
#include "dcerpc.h"
#include "dcerpc_smb.h"

static uint8_t *exact(const uint8_t *buf, size_t len)
{
	uint8_t *m = malloc(len ? len : 1);

	if (!m)
		abort();
	memcpy(m, buf, len);
	return m;
}

/* Header + strict + bind scan/read over an exact copy of @len bytes. */
static int bind_exact(const uint8_t *buf, size_t len, int strict, struct xh_rpc_bind_list *bl,
		      struct xh_rpc_ctx *c0)
{
	uint8_t *m = exact(buf, len);
	struct xh_rpc_hdr h;
	int err;

	err = xh_rpc_hdr_parse(m, m + len, (__u32)len, &h);
	if (!err && strict)
		err = xh_rpc_strict(m, m + len, (__u32)len, &h);
	if (!err)
		err = xh_rpc_bind_scan(m, m + len, (__u32)len, &h, bl);
	if (!err && bl->n && c0)
		err = xh_rpc_ctx_read(m, m + len, bl->off[0], h.be, c0);
	free(m);
	return err;
}

void test_dcerpc_bind_both_orders(void)
{
	/* Version 2.3: in a big-endian bind if_version's u_int32 puts the
	 * minor first, as tshark and C706 read it. */
	const struct rpc_ctx_desc ctx[] = {
		{0, UUID_SVCCTL, 2, 3, 1},
		{1, UUID_SAMR, 1, 0, 2},
	};
	uint8_t buf[RPC_PDU_MAX], key[16];
	struct xh_rpc_bind_list bl;
	struct xh_rpc_ctx c;

	rpc_uuid_le(UUID_SVCCTL, key);
	for (int be = 0; be < 2; be++) {
		size_t len = rpc_build_bind(buf, be, XH_RPC_PT_BIND, 7, ctx, 2);

		test_subtest("%s", be ? "big-endian" : "little-endian");
		ASSERT_EQ(len, 28 + 44 + 64, "bind length");
		if (!ASSERT_OK(bind_exact(buf, len, 1, &bl, &c), "bind parses"))
			continue;
		ASSERT_EQ(bl.n, 2, "two contexts");
		ASSERT_EQ(bl.off[0], 28, "first item");
		ASSERT_EQ(bl.off[1], 28 + 44, "second item");
		ASSERT_FALSE(bl.cut || bl.many, "complete");
		ASSERT_MEMEQ(c.uuid, key, 16, "uuid in LE key form");
		ASSERT_EQ(c.ver_major, 2, "major version");
		ASSERT_EQ(c.ver_minor, 3, "minor version");
		ASSERT_EQ(c.ctx_id, 0, "ctx id");
	}
	test_subtest_end();
	/* the on-wire bytes of svcctl from the reference */
	static const uint8_t svcctl_wire[16] = {0x81, 0xbb, 0x7a, 0x36, 0x44, 0x98, 0xf1, 0x35,
						0xad, 0x32, 0x98, 0xf0, 0x38, 0x00, 0x10, 0x03};
	ASSERT_MEMEQ(key, svcctl_wire, 16, "reference bytes");
}

/* Every prefix of a BIND: never out of bounds; short of the header it is
 * TRUNC; strict rejects any PDU the segment does not hold; lenient sees the
 * contexts that fit. */
void test_dcerpc_bind_truncations(void)
{
	const struct rpc_ctx_desc ctx[] = {
		{0, UUID_SVCCTL, 2, 0, 1},
		{1, UUID_EPM, 3, 0, 1},
		{2, UUID_SAMR, 1, 0, 1},
	};
	uint8_t buf[RPC_PDU_MAX];
	struct xh_rpc_bind_list bl;
	size_t len = rpc_build_bind(buf, 0, XH_RPC_PT_BIND, 1, ctx, 3);

	for (size_t n = 0; n <= len; n++) {
		int lenient = bind_exact(buf, n, 0, &bl, NULL);
		int strict = bind_exact(buf, n, 1, &bl, NULL);

		test_subtest("len %zu", n);
		if (n < XH_RPC_HDR_LEN) {
			ASSERT_EQ(lenient, -XH_RPC_CNT_E_TRUNC, "short header");
			continue;
		}
		if (n < len)
			ASSERT_EQ(strict, -XH_RPC_CNT_E_STRICT, "strict needs the whole PDU");
		else
			ASSERT_OK(strict, "whole PDU");
		if (n < XH_RPC_BIND_CTX_OFF) {
			ASSERT_EQ(lenient, -XH_RPC_CNT_E_TRUNC, "short bind body");
			continue;
		}
		bind_exact(buf, n, 0, &bl, NULL);
		ASSERT_OK(lenient, "lenient parse");
		/* items of 44 bytes at 28, 72, 116: one counts once its
		 * 24-byte head is present */
		ASSERT_EQ(bl.n, n < 52 ? 0 : n < 96 ? 1 : n < 140 ? 2 : 3, "contexts seen");
		ASSERT_EQ(bl.cut, n < len, "cut flag");
	}
	test_subtest_end();
}

static int hdr_of(uint8_t *buf, size_t len, struct xh_rpc_hdr *h)
{
	uint8_t *m = exact(buf, len);
	int err = xh_rpc_hdr_parse(m, m + len, (__u32)len, h);

	free(m);
	return err;
}

void test_dcerpc_header_rejects(void)
{
	const struct rpc_ctx_desc ctx[] = {{0, UUID_SVCCTL, 2, 0, 1}};
	uint8_t buf[RPC_PDU_MAX];
	struct xh_rpc_hdr h;
	size_t len = rpc_build_bind(buf, 0, XH_RPC_PT_BIND, 1, ctx, 1);
	static const uint8_t bad_types[] = {1, 4, 5, 6, 7, 8, 9, 10, 20, 21, 0x7f, 0xff};

	ASSERT_OK(hdr_of(buf, len, &h), "baseline");
	buf[1] = 1;
	ASSERT_OK(hdr_of(buf, len, &h), "5.1 is fine");
	buf[1] = 2;
	ASSERT_EQ(hdr_of(buf, len, &h), -XH_RPC_CNT_E_VERSION, "minor 2");
	buf[1] = 0;
	buf[0] = 4;
	ASSERT_EQ(hdr_of(buf, len, &h), -XH_RPC_CNT_E_VERSION, "version 4");
	buf[0] = 5;
	for (size_t i = 0; i < sizeof(bad_types); i++) {
		test_subtest("type %u", bad_types[i]);
		buf[2] = bad_types[i];
		ASSERT_EQ(hdr_of(buf, len, &h), -XH_RPC_CNT_E_TYPE, "unknown type");
	}
	test_subtest_end();
	for (int t = 0; t <= 19; t++) {
		buf[2] = (uint8_t)t;
		if (t == 1 || (t > 3 && t < 11))
			continue;
		test_subtest("co type %d", t);
		ASSERT_OK(hdr_of(buf, len, &h), "connection-oriented type");
	}
	test_subtest_end();
	buf[2] = XH_RPC_PT_BIND;
	buf[4] = 0x12; /* integer LE, char 2: invalid */
	ASSERT_EQ(hdr_of(buf, len, &h), -XH_RPC_CNT_E_DREP, "char rep");
	buf[4] = 0x10;
	buf[5] = 4;
	ASSERT_EQ(hdr_of(buf, len, &h), -XH_RPC_CNT_E_DREP, "float rep");
	buf[5] = 0;
	buf[6] = 1;
	ASSERT_EQ(hdr_of(buf, len, &h), -XH_RPC_CNT_E_DREP, "reserved drep");
	buf[6] = 0;
	buf[8] = 20;
	buf[9] = 0;
	ASSERT_EQ(hdr_of(buf, len, &h), -XH_RPC_CNT_E_FRAG_LEN, "frag_length below a bind");
	buf[8] = (uint8_t)len;
	buf[10] = 200;
	ASSERT_EQ(hdr_of(buf, len, &h), -XH_RPC_CNT_E_AUTH_LEN, "auth_length past frag_length");
}

void test_dcerpc_frag_length_lies(void)
{
	const struct rpc_ctx_desc ctx[] = {
		{0, UUID_SVCCTL, 2, 0, 1},
		{1, UUID_SAMR, 1, 0, 1},
	};
	uint8_t buf[RPC_PDU_MAX];
	struct xh_rpc_bind_list bl;
	size_t len = rpc_build_bind(buf, 0, XH_RPC_PT_BIND, 1, ctx, 2);

	/* frag_length claims more than the segment: strict rejects it, a
	 * lenient port still sees the contexts present */
	buf[8] = (uint8_t)(len + 40);
	ASSERT_EQ(bind_exact(buf, len, 1, &bl, NULL), -XH_RPC_CNT_E_STRICT, "longer than segment");
	ASSERT_OK(bind_exact(buf, len, 0, &bl, NULL), "lenient");
	ASSERT_EQ(bl.n, 2, "both contexts");
	/* frag_length shorter than the context list: the PDU lies */
	buf[8] = 60;
	ASSERT_EQ(bind_exact(buf, len, 0, &bl, NULL), -XH_RPC_CNT_E_CTX_OVERRUN, "list overruns");
	/* shorter, followed by garbage: strict rejects */
	buf[8] = 72;
	ASSERT_EQ(bind_exact(buf, len, 1, &bl, NULL), -XH_RPC_CNT_E_STRICT,
		  "trailing bytes not a PDU");
	/* n_context_elem beyond the packet with an honest frag_length */
	buf[8] = (uint8_t)len;
	buf[24] = 10;
	ASSERT_EQ(bind_exact(buf, len, 0, &bl, NULL), -XH_RPC_CNT_E_CTX_OVERRUN, "10 of 2");
	buf[24] = 200;
	ASSERT_EQ(bind_exact(buf, len, 1, &bl, NULL), -XH_RPC_CNT_E_CTX_OVERRUN, "200 of 2");
	buf[24] = 0;
	ASSERT_EQ(bind_exact(buf, len, 1, &bl, NULL), -XH_RPC_CNT_E_CTX_ZERO, "no context");
}

void test_dcerpc_transfer_syntax_counts(void)
{
	struct rpc_ctx_desc ctx[] = {{0, UUID_SVCCTL, 2, 0, 1}};
	uint8_t buf[RPC_PDU_MAX];
	struct xh_rpc_bind_list bl;
	size_t len;

	ctx[0].n_xfer = 0;
	len = rpc_build_bind(buf, 0, XH_RPC_PT_BIND, 1, ctx, 1);
	ASSERT_EQ(bind_exact(buf, len, 0, &bl, NULL), -XH_RPC_CNT_E_XFER_ZERO, "zero");
	ctx[0].n_xfer = XH_RPC_MAX_XFER;
	len = rpc_build_bind(buf, 0, XH_RPC_PT_BIND, 1, ctx, 1);
	ASSERT_OK(bind_exact(buf, len, 1, &bl, NULL), "the maximum");
	ctx[0].n_xfer = XH_RPC_MAX_XFER + 1;
	len = rpc_build_bind(buf, 0, XH_RPC_PT_BIND, 1, ctx, 1);
	ASSERT_EQ(bind_exact(buf, len, 0, &bl, NULL), -XH_RPC_CNT_E_XFER_HUGE, "one more");
	ctx[0].n_xfer = 1;
	len = rpc_build_bind(buf, 0, XH_RPC_PT_BIND, 1, ctx, 1);
	buf[28 + 2] = 255;
	ASSERT_EQ(bind_exact(buf, len, 0, &bl, NULL), -XH_RPC_CNT_E_XFER_HUGE, "255");
}

void test_dcerpc_many_contexts(void)
{
	struct rpc_ctx_desc ctx[24];
	uint8_t buf[RPC_PDU_MAX];
	struct xh_rpc_bind_list bl;
	size_t len;

	for (int i = 0; i < 24; i++)
		ctx[i] = (struct rpc_ctx_desc){(uint16_t)i, UUID_SVCCTL, 2, 0, 1};
	len = rpc_build_bind(buf, 0, XH_RPC_PT_ALTER_CONTEXT, 1, ctx, 24);
	ASSERT_OK(bind_exact(buf, len, 1, &bl, NULL), "24 contexts");
	ASSERT_EQ(bl.n, XH_RPC_MAX_CTX, "the first 16 seen");
	ASSERT_EQ(bl.many, 1, "more flagged");
}

static int req_exact(const uint8_t *buf, size_t len, struct xh_rpc_req *r, struct xh_rpc_hdr *h)
{
	uint8_t *m = exact(buf, len);
	int err = xh_rpc_hdr_parse(m, m + len, (__u32)len, h);

	if (!err)
		err = xh_rpc_req_parse(m, m + len, (__u32)len, h, r);
	free(m);
	return err;
}

void test_dcerpc_request(void)
{
	uint8_t buf[RPC_PDU_MAX];
	struct xh_rpc_req r;
	struct xh_rpc_hdr h;

	for (int be = 0; be < 2; be++) {
		size_t len = rpc_build_request(buf, be, 0x03, 0x01020304, 3, 12, 40);

		test_subtest("%s", be ? "big-endian" : "little-endian");
		if (!ASSERT_OK(req_exact(buf, len, &r, &h), "request"))
			continue;
		ASSERT_EQ(r.ctx_id, 3, "ctx id");
		ASSERT_EQ(r.opnum, 12, "opnum");
		ASSERT_EQ(r.first, 1, "first fragment");
		ASSERT_EQ(h.call_id, 0x01020304, "call id");
		ASSERT_EQ(h.be, be, "byte order");
		for (size_t n = 0; n < len; n++) {
			int err = req_exact(buf, n, &r, &h);

			ASSERT_TRUE(err == -XH_RPC_CNT_E_TRUNC || (n >= 24 && err == 0),
				    "prefix: truncated or complete head");
		}
	}
	test_subtest_end();
	rpc_build_request(buf, 0, 0x02, 1, 0, 3, 0); /* a last fragment */
	ASSERT_OK(req_exact(buf, 24, &r, &h), "later fragment");
	ASSERT_EQ(r.first, 0, "not a new call");
}

static int epm_exact(const uint8_t *buf, size_t len, struct xh_rpc_tower *w)
{
	uint8_t *m = exact(buf, len);
	struct xh_rpc_hdr h;
	int err = xh_rpc_hdr_parse(m, m + len, (__u32)len, &h);

	if (!err)
		err = xh_rpc_epm_parse(m, m + len, (__u32)len, &h, w);
	free(m);
	return err;
}

void test_dcerpc_epm_tower(void)
{
	uint8_t buf[RPC_PDU_MAX], key[16];
	struct xh_rpc_tower w;

	rpc_uuid_le(UUID_DRSUAPI, key);
	for (int ndr64 = 0; ndr64 < 2; ndr64++) {
		size_t len =
			rpc_build_epm_response(buf, ndr64, 9, UUID_DRSUAPI, 49153, "192.0.2.20");

		test_subtest("%s", ndr64 ? "NDR64" : "NDR");
		if (!ASSERT_OK(epm_exact(buf, len, &w), "tower"))
			continue;
		ASSERT_EQ(ntohs(w.port), 49153, "port");
		ASSERT_EQ(ntohl(w.addr), 0xc0000214, "address");
		ASSERT_MEMEQ(w.uuid, key, 16, "interface");
		/* the tower ends 5 bytes before the PDU (pad, status) */
		for (size_t n = 0; n < len; n++)
			ASSERT_EQ(epm_exact(buf, n, &w) == 0, n >= len - 5,
				  "a prefix without the whole tower fails");
	}
	test_subtest_end();
	/* the Windows NDR64 answer of the corpus (LM_smbexec, frame 4) */
	static const char win[] =
		"0500020310000000ac000000020000009400000001000000000000000000000000000000000000000"
		"000000001000000040000000000000000000000000000000100000000000000030000000000000"
		"04b000000000000004b000000050013000d81bb7a364498f135ad3298f03800100302000200000"
		"013000d045d888aeb1cc9119fe808002b10486002000200000001000b0200000001000702"
		"00c2130100090400ac1042240000000000";
	size_t wl = strlen(win) / 2;
	for (size_t i = 0; i < wl; i++)
		sscanf(win + 2 * i, "%2hhx", &buf[i]);
	if (ASSERT_OK(epm_exact(buf, wl, &w), "windows answer")) {
		ASSERT_EQ(ntohs(w.port), 49683, "windows port");
		ASSERT_EQ(ntohl(w.addr), 0xac104224, "172.16.66.36");
	}
	/* a tower with another protocol in floor 4 (UDP 0x08) is not TCP */
	rpc_build_epm_response(buf, 0, 9, UUID_DRSUAPI, 49153, "192.0.2.20");
	buf[24 + 48 + 61] = 0x08;
	ASSERT_EQ(epm_exact(buf, 24 + 48 + 80, &w), -XH_RPC_CNT_E_EPM, "udp tower");
}

/* xorshift: deterministic pseudo-random bytes. */
static uint32_t rnd_state = 0x2545f491;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Random payloads that start 05 00 (as on 135 or a high port): every parser
 * runs over them without reading out of bounds; how many pass strictly is
 * counted: far fewer than all. */
void test_dcerpc_random_05_00(void)
{
	int strict_ok = 0, n = 20000;

	for (int i = 0; i < n; i++) {
		size_t len = 2 + rnd() % 300;
		uint8_t buf[512];
		struct xh_rpc_bind_list bl;
		struct xh_rpc_tower w;
		struct xh_rpc_hdr h;
		struct xh_rpc_req r;
		struct xh_rpc_ctx c;
		uint8_t *m;

		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)rnd();
		buf[0] = 5;
		buf[1] = 0;
		if (i & 1) { /* half with a plausible drep and type, to go deeper */
			static const uint8_t types[] = {0, 2, 11, 12, 14};
			if (len > 8) {
				buf[2] = types[rnd() % 5];
				buf[4] = 0x10;
				buf[5] = buf[6] = buf[7] = 0;
			}
		}
		m = exact(buf, len);
		if (xh_rpc_hdr_parse(m, m + len, (__u32)len, &h) == 0) {
			if (xh_rpc_strict(m, m + len, (__u32)len, &h) == 0)
				strict_ok++;
			if (xh_rpc_bind_scan(m, m + len, (__u32)len, &h, &bl) == 0)
				for (int k = 0; k < bl.n; k++)
					xh_rpc_ctx_read(m, m + len, bl.off[k], h.be, &c);
			xh_rpc_req_parse(m, m + len, (__u32)len, &h, &r);
			xh_rpc_ack_parse(m, m + len, (__u32)len, &h);
			xh_rpc_epm_parse(m, m + len, (__u32)len, &h, &w);
		}
		free(m);
	}
	ASSERT_LT(strict_ok, n / 100, "random data rarely passes the strict test");
}

static int smb_exact(const uint8_t *buf, size_t len, struct xh_rpc_smb_loc *l)
{
	uint8_t *m = exact(buf, len);
	int r = xh_rpc_smb_locate(m, m + len, (__u32)len, l);

	free(m);
	return r;
}

void test_dcerpc_smb_locate(void)
{
	const struct rpc_ctx_desc ctx[] = {{0, UUID_SVCCTL, 2, 0, 1}};
	uint8_t pdu[RPC_PDU_MAX], msg[RPC_PDU_MAX + 200], fid[16];
	struct xh_rpc_smb_loc l;
	size_t plen = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, ctx, 1), len;

	for (int i = 0; i < 16; i++)
		fid[i] = (uint8_t)(0xa0 + i);
	len = smb2_wrap_write(msg, pdu, plen, fid);
	if (ASSERT_EQ(smb_exact(msg, len, &l), 1, "smb2 write")) {
		ASSERT_EQ(l.off, 4 + 64 + 48, "data offset");
		ASSERT_EQ(l.len, plen, "data length");
		ASSERT_MEMEQ(l.file_id, fid, 16, "file id");
		ASSERT_EQ(l.transport, XH_RPC_TR_SMB2, "smb2");
	}
	for (size_t n = 0; n < 4 + 64 + 48; n++)
		ASSERT_TRUE(smb_exact(msg, n, &l) <= 0, "cut before the data: nothing");
	msg[4 + 16] = 1; /* a reply */
	ASSERT_EQ(smb_exact(msg, len, &l), 0, "reply ignored");
	msg[4 + 16] = 0;
	msg[4 + 64 + 2] = 0xf0; /* DataOffset past the message */
	ASSERT_EQ(smb_exact(msg, len, &l), -XH_RPC_CNT_E_SMB, "offset lies");

	len = smb2_wrap_ioctl(msg, pdu, plen, fid, XH_FSCTL_PIPE_TRANSCEIVE);
	if (ASSERT_EQ(smb_exact(msg, len, &l), 1, "smb2 ioctl")) {
		ASSERT_EQ(l.off, 4 + 64 + 56, "input offset");
		ASSERT_EQ(l.len, plen, "input count");
	}
	len = smb2_wrap_ioctl(msg, pdu, plen, fid, 0x00140204);
	ASSERT_EQ(smb_exact(msg, len, &l), 0, "another FSCTL");

	len = smb1_wrap_trans(msg, pdu, plen, 0x4001);
	if (ASSERT_EQ(smb_exact(msg, len, &l), 1, "smb1 transaction")) {
		ASSERT_EQ(l.len, plen, "data count");
		ASSERT_EQ(l.file_id[0] | l.file_id[1] << 8, 0x4001, "fid");
		ASSERT_EQ(l.transport, XH_RPC_TR_SMB1, "smb1");
		ASSERT_EQ(msg[l.off], 5, "points at the PDU");
	}
	for (size_t n = 0; n < len; n++)
		smb_exact(msg, n, &l); /* ASan: no read past the end */
}

static int pipe_cmd_exact(const uint8_t *buf, size_t len)
{
	uint8_t *m = exact(buf, len);
	int r = xh_rpc_smb_pipe_cmd(m, m + len);

	free(m);
	return r;
}

/* The entry point's peek at the SMB command (bpf/xdphunt.bpf.c): pipe
 * requests may carry RPC, other commands never, and a command cut off by
 * the segment is left to xh_rpc_smb_locate() to count. */
void test_dcerpc_smb_pipe_cmd(void)
{
	const struct rpc_ctx_desc ctx[] = {{0, UUID_SVCCTL, 2, 0, 1}};
	uint8_t pdu[RPC_PDU_MAX], msg[RPC_PDU_MAX + 200], fid[16] = {0};
	struct xh_rpc_smb_loc l;
	size_t plen = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, ctx, 1), len;

	len = smb2_wrap_write(msg, pdu, plen, fid);
	ASSERT_EQ(pipe_cmd_exact(msg, len), 1, "smb2 write");
	for (size_t n = 0; n < len; n++)
		ASSERT_EQ(pipe_cmd_exact(msg, n), n >= 8, "smb2 write cut: maybe once magic is in");
	msg[4 + 12] = 0x03; /* TREE_CONNECT */
	ASSERT_EQ(pipe_cmd_exact(msg, len), 0, "smb2 tree connect");
	for (size_t n = 0; n < 4 + 14; n++)
		ASSERT_EQ(pipe_cmd_exact(msg, n), n >= 8, "command cut: maybe");
	for (size_t n = 4 + 14; n < len; n++) {
		ASSERT_EQ(pipe_cmd_exact(msg, n), 0, "tree connect at every length");
		ASSERT_EQ(smb_exact(msg, n, &l), 0, "not a pipe request: no truncation counted");
	}
	len = smb2_wrap_ioctl(msg, pdu, plen, fid, XH_FSCTL_PIPE_TRANSCEIVE);
	ASSERT_EQ(pipe_cmd_exact(msg, len), 1, "smb2 ioctl");
	len = smb1_wrap_trans(msg, pdu, plen, 0x4001);
	ASSERT_EQ(pipe_cmd_exact(msg, len), 1, "smb1 transaction");
	for (size_t n = 0; n < len; n++)
		ASSERT_EQ(pipe_cmd_exact(msg, n), n >= 8, "smb1 cut: maybe once magic is in");
	msg[4 + 4] = 0x75; /* TREE_CONNECT_ANDX */
	ASSERT_EQ(pipe_cmd_exact(msg, len), 0, "smb1 tree connect");
	msg[4] = 0xfd; /* a transform header */
	ASSERT_EQ(pipe_cmd_exact(msg, len), 0, "smb3 transform");
}
