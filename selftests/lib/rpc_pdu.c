// SPDX-License-Identifier: GPL-2.0
/* rpc_pdu.c: see rpc_pdu.h. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "rpc_pdu.h"

static const char ndr_uuid[] = "8a885d04-1ceb-11c9-9fe8-08002b104860";

int rpc_uuid_le(const char *s, uint8_t out[16])
{
	unsigned int f[11];
	uint8_t b[16];

	if (sscanf(s, "%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x", &f[0], &f[1], &f[2], &f[3], &f[4],
		   &f[5], &f[6], &f[7], &f[8], &f[9], &f[10]) != 11)
		return -1;
	b[0] = f[0];
	b[1] = f[0] >> 8;
	b[2] = f[0] >> 16;
	b[3] = f[0] >> 24;
	b[4] = f[1];
	b[5] = f[1] >> 8;
	b[6] = f[2];
	b[7] = f[2] >> 8;
	for (int i = 0; i < 8; i++)
		b[8 + i] = f[3 + i];
	memcpy(out, b, 16);
	return 0;
}

static void put16(uint8_t *p, uint16_t v, int be)
{
	p[be ? 1 : 0] = v;
	p[be ? 0 : 1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v, int be)
{
	for (int i = 0; i < 4; i++)
		p[be ? 3 - i : i] = v >> (8 * i);
}

/* A UUID in the PDU's integer order. */
static void put_uuid(uint8_t *p, const char *s, int be)
{
	uint8_t le[16];

	rpc_uuid_le(s, le);
	memcpy(p, le, 16);
	if (be) {
		for (int i = 0; i < 4; i++)
			p[i] = le[3 - i];
		p[4] = le[5];
		p[5] = le[4];
		p[6] = le[7];
		p[7] = le[6];
	}
}

static void hdr(uint8_t *p, int be, uint8_t ptype, uint8_t flags, uint16_t frag, uint32_t call)
{
	p[0] = 5;
	p[1] = 0;
	p[2] = ptype;
	p[3] = flags;
	p[4] = be ? 0x00 : 0x10;
	p[5] = 0;
	p[6] = 0;
	p[7] = 0;
	put16(p + 8, frag, be);
	put16(p + 10, 0, be);
	put32(p + 12, call, be);
}

size_t rpc_build_bind(uint8_t *buf, int be, uint8_t ptype, uint32_t call_id,
		      const struct rpc_ctx_desc *ctx, int n)
{
	size_t off = 28;

	memset(buf, 0, RPC_PDU_MAX);
	put16(buf + 16, 4280, be);
	put16(buf + 18, 4280, be);
	buf[24] = (uint8_t)n;
	for (int i = 0; i < n; i++) {
		put16(buf + off, ctx[i].ctx_id, be);
		buf[off + 2] = (uint8_t)ctx[i].n_xfer;
		put_uuid(buf + off + 4, ctx[i].uuid, be);
		/* if_version: one u_int32, the major in its low 16 bits. */
		put32(buf + off + 20, (uint32_t)ctx[i].ver_minor << 16 | ctx[i].ver_major, be);
		off += 24;
		for (int x = 0; x < ctx[i].n_xfer && off + 20 <= RPC_PDU_MAX; x++) {
			put_uuid(buf + off, ndr_uuid, be);
			put32(buf + off + 16, 2, be);
			off += 20;
		}
	}
	hdr(buf, be, ptype, 0x03, (uint16_t)off, call_id);
	return off;
}

size_t rpc_build_request(uint8_t *buf, int be, uint8_t flags, uint32_t call_id, uint16_t ctx_id,
			 uint16_t opnum, size_t stub_len)
{
	size_t len = 24 + stub_len;

	memset(buf, 0, 24);
	hdr(buf, be, 0, flags, (uint16_t)len, call_id);
	put32(buf + 16, (uint32_t)stub_len, be);
	put16(buf + 20, ctx_id, be);
	put16(buf + 22, opnum, be);
	for (size_t i = 0; i < stub_len; i++)
		buf[24 + i] = (uint8_t)(i * 7 + 1);
	return len;
}

/* An NDR conformant varying string of @s with its NUL, 4-aligned first. */
static size_t ndr_wstr(uint8_t *buf, size_t off, const char *s)
{
	uint32_t n = (uint32_t)strlen(s) + 1;

	off = (off + 3) & ~(size_t)3;
	put32(buf + off, n, 0);
	put32(buf + off + 4, 0, 0);
	put32(buf + off + 8, n, 0);
	off += 12;
	for (uint32_t i = 0; i < n; i++, off += 2)
		put16(buf + off, (uint16_t)(i + 1 < n ? s[i] : 0), 0);
	return off;
}

size_t rpc_build_nrpc(uint8_t *buf, uint32_t call_id, uint16_t opnum, const char *dc,
		      const uint8_t cred[8], const uint8_t *pw, int auth)
{
	char primary[80], account[80];
	size_t off = 24, frag;

	memset(buf, 0, RPC_PDU_MAX);
	snprintf(primary, sizeof(primary), "\\\\%s", dc);
	snprintf(account, sizeof(account), "%s$", dc);
	put32(buf + off, 0x00020000, 0); /* PrimaryName: a unique pointer */
	off = ndr_wstr(buf, off + 4, primary);
	off = ndr_wstr(buf, off, account);
	off = (off + 1) & ~(size_t)1;
	put16(buf + off, 6, 0); /* ServerSecureChannel */
	off = ndr_wstr(buf, off + 2, dc);
	if (opnum == 30) {
		off = (off + 3) & ~(size_t)3; /* NETLOGON_AUTHENTICATOR */
		memcpy(buf + off, cred, 8);
		off += 12; /* Timestamp 0 */
		if (pw)
			memcpy(buf + off, pw, 516);
		off += 516; /* NL_TRUST_PASSWORD */
	} else {
		memcpy(buf + off, cred, 8);
		off = (off + 8 + 3) & ~(size_t)3;
		put32(buf + off, 0x212fffff, 0); /* NegotiateFlags */
		off += 4;
	}
	if (auth) { /* sec_trailer (NTLM, privacy) and a 16-byte verifier */
		off = (off + 3) & ~(size_t)3;
		buf[off] = 10;
		buf[off + 1] = 6;
		memset(buf + off + 8, 0xa5, 16);
		off += 24;
	}
	frag = off;
	hdr(buf, 0, 0, 0x03, (uint16_t)frag, call_id);
	put16(buf + 10, auth ? 16 : 0, 0);
	put32(buf + 16, (uint32_t)(frag - 24 - (auth ? 24 : 0)), 0);
	put16(buf + 22, opnum, 0);
	return frag;
}

size_t rpc_build_epm_response(uint8_t *buf, int ndr64, uint32_t call_id, const char *uuid,
			      uint16_t port, const char *ipv4)
{
	uint8_t *s = buf + 24, *t;
	struct in_addr a;
	size_t off, len;

	memset(buf, 0, 256);
	put32(s + 20, 1, 0); /* num_towers */
	if (!ndr64) {
		put32(s + 24, 4, 0); /* max */
		put32(s + 28, 0, 0); /* offset */
		put32(s + 32, 1, 0); /* actual */
		put32(s + 36, 3, 0); /* referent */
		put32(s + 40, 75, 0);
		put32(s + 44, 75, 0);
		off = 48;
	} else {
		put32(s + 24, 4, 0);
		put32(s + 32, 0, 0);
		put32(s + 40, 1, 0);
		put32(s + 48, 3, 0);
		put32(s + 56, 75, 0);
		put32(s + 64, 75, 0);
		off = 68;
	}
	t = s + off;
	t[0] = 5;
	t[2] = 19;
	t[4] = 0x0d;
	rpc_uuid_le(uuid, t + 5);
	t[21] = 1; /* version */
	t[23] = 2;
	t[27] = 19;
	t[29] = 0x0d;
	rpc_uuid_le(ndr_uuid, t + 30);
	t[46] = 2;
	t[48] = 2;
	t[52] = 1;
	t[54] = 0x0b;
	t[55] = 2;
	t[59] = 1;
	t[61] = 0x07;
	t[62] = 2;
	t[64] = port >> 8;
	t[65] = port & 0xff;
	t[66] = 1;
	t[68] = 0x09;
	t[69] = 4;
	inet_pton(AF_INET, ipv4, &a);
	memcpy(t + 71, &a, 4);
	len = 24 + off + 75 + 1 + 4; /* tower, alignment pad, status */
	hdr(buf, 0, 2, 0x03, (uint16_t)len, call_id);
	put32(buf + 16, (uint32_t)(len - 24), 0);
	put16(buf + 20, 0, 0);
	return len;
}

static void nbss(uint8_t *out, size_t len)
{
	out[0] = 0;
	out[1] = (uint8_t)(len >> 16);
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
}

static void smb2_hdr(uint8_t *h, uint16_t cmd)
{
	memset(h, 0, 64);
	h[0] = 0xfe;
	h[1] = 'S';
	h[2] = 'M';
	h[3] = 'B';
	put16(h + 4, 64, 0);
	put16(h + 12, cmd, 0);
	put32(h + 36, 5, 0); /* tree id */
}

size_t smb2_wrap_write(uint8_t *out, const uint8_t *pdu, size_t len, const uint8_t fid[16])
{
	uint8_t *h = out + 4, *b = h + 64;
	size_t msg = 64 + 48 + len;

	smb2_hdr(h, 0x0009);
	memset(b, 0, 48);
	put16(b, 49, 0);
	put16(b + 2, 64 + 48, 0);
	put32(b + 4, (uint32_t)len, 0);
	memcpy(b + 16, fid, 16);
	memcpy(b + 48, pdu, len);
	nbss(out, msg);
	return 4 + msg;
}

size_t smb2_wrap_ioctl(uint8_t *out, const uint8_t *pdu, size_t len, const uint8_t fid[16],
		       uint32_t ctl)
{
	uint8_t *h = out + 4, *b = h + 64;
	size_t msg = 64 + 56 + len;

	smb2_hdr(h, 0x000b);
	memset(b, 0, 56);
	put16(b, 57, 0);
	put32(b + 4, ctl, 0);
	memcpy(b + 8, fid, 16);
	put32(b + 24, 64 + 56, 0);
	put32(b + 28, (uint32_t)len, 0);
	put32(b + 44, 4280, 0);
	put32(b + 48, 1, 0); /* SMB2_0_IOCTL_IS_FSCTL */
	memcpy(b + 56, pdu, len);
	nbss(out, msg);
	return 4 + msg;
}

size_t smb1_wrap_trans(uint8_t *out, const uint8_t *pdu, size_t len, uint16_t fid)
{
	uint8_t *h = out + 4, *w;
	size_t data_off = 32 + 1 + 32 + 2 + 1 + 6; /* words, bytecount, pad, "\PIPE\" */
	size_t msg = data_off + len;

	memset(h, 0, data_off);
	h[0] = 0xff;
	h[1] = 'S';
	h[2] = 'M';
	h[3] = 'B';
	h[4] = 0x25;
	h[32] = 16;
	w = h + 33;
	put16(w + 2, (uint16_t)len, 0);	      /* TotalDataCount */
	put16(w + 22, (uint16_t)len, 0);      /* DataCount */
	put16(w + 24, (uint16_t)data_off, 0); /* DataOffset */
	w[26] = 2;			      /* SetupCount */
	put16(w + 28, 0x0026, 0);
	put16(w + 30, fid, 0);
	memcpy(h + data_off, pdu, len);
	nbss(out, msg);
	return 4 + msg;
}
