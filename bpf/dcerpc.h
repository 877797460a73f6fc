/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* dcerpc.h: pure parsers for connection-oriented DCE/RPC PDUs (C706 ch. 12,
 * MS-RPCE 2.2.2): common header, BIND/ALTER_CONTEXT presentation context
 * lists, REQUEST, and the TCP/IP tower of an ept_map response. No maps and no
 * helpers, so selftests/unit runs them natively under ASan/UBSan.
 *
 * Every function gets the PDU start @p, the end of readable memory @end (the
 * packet's data_end in XDP) and @avail, the bytes the container holds from @p
 * (the TCP payload window or an SMB WRITE's data length; never more than
 * @end - @p). Reads are checked against @end in the `p + n > end` shape the
 * verifier understands; lengths taken from the packet are checked against
 * @avail and masked to a bound first. Errors are -XH_RPC_CNT_E_* (the counter
 * to bump), so a caller can count every malformed case by its reason.
 */
#ifndef XH_DCERPC_H
#define XH_DCERPC_H

#include <linux/types.h>
#include <bpf/bpf_endian.h>
#include "xh_abi.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* libbpf's barrier_var(): hide a value's origin from the compiler. */
#ifndef barrier_var
#define barrier_var(var) __asm__ __volatile__("" : "+r"(var))
#endif

#define XH_RPC_HDR_LEN 16

/* Packet types (C706 12.6.4.1). Connection-oriented ones are 0, 2, 3, 11-19. */
#define XH_RPC_PT_REQUEST	0
#define XH_RPC_PT_RESPONSE	2
#define XH_RPC_PT_FAULT		3
#define XH_RPC_PT_BIND		11
#define XH_RPC_PT_BIND_ACK	12
#define XH_RPC_PT_BIND_NAK	13
#define XH_RPC_PT_ALTER_CONTEXT 14
#define XH_RPC_PT_ALTER_RESP	15
#define XH_RPC_PT_AUTH3		16
#define XH_RPC_PT_CO_MAX	19 /* orphaned */

/* pfc_flags */
#define XH_RPC_PFC_FIRST_FRAG 0x01
#define XH_RPC_PFC_LAST_FRAG  0x02
#define XH_RPC_PFC_OBJECT     0x80

/* BIND body: max_xmit_frag, max_recv_frag, assoc_group_id, then the context
 * list: n_context_elem, two reserved bytes... and items from offset 28. */
#define XH_RPC_BIND_CTX_OFF 28
/* One p_cont_elem_t: ctx id (2), n_transfer_syn (1), reserved (1), abstract
 * syntax (16 + 4), then n_transfer_syn transfer syntaxes of 20 bytes. */
#define XH_RPC_CTX_HDR_LEN  24
#define XH_RPC_SYNTAX_LEN   20
#define XH_RPC_REQ_HDR_LEN  24 /* alloc_hint, p_cont_id, opnum */
#define XH_RPC_RESP_HDR_LEN 24 /* alloc_hint, p_cont_id, cancel_count, reserved */
#define XH_RPC_ACK_MIN_LEN  26 /* up to and including sec_addr's length */

/* Contexts looked at per BIND: Windows offers 1-3, Impacket 1; the Suricata
 * "iface-many" test offers 24, of which the first 16 are seen. */
#define XH_RPC_MAX_CTX 16
/* Transfer syntaxes per context: NDR, NDR64, bind-time features (3 in
 * practice); more is garbage, not RPC. */
#define XH_RPC_MAX_XFER 8
/* Largest offset a BIND item may start at: 16 items of the biggest size. */
#define XH_RPC_BIND_MAX_OFF                                                                        \
	(XH_RPC_BIND_CTX_OFF +                                                                     \
	 XH_RPC_MAX_CTX * (XH_RPC_CTX_HDR_LEN + XH_RPC_MAX_XFER * XH_RPC_SYNTAX_LEN))

/* A checked common header. */
struct xh_rpc_hdr {
	__u16 frag_len;
	__u16 auth_len;
	__u32 call_id;
	__u8 ptype;
	__u8 flags;
	__u8 minor;
	__u8 be; /* 1: integers are big-endian (drep[0] bit 0x10 clear) */
};

/* Integers in the PDU's byte order. */
static __always_inline __u16 xh_rpc_u16(const __u8 *p, int be)
{
	return be ? (__u16)(p[0] << 8 | p[1]) : (__u16)(p[1] << 8 | p[0]);
}

static __always_inline __u32 xh_rpc_u32(const __u8 *p, int be)
{
	if (be)
		return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
	return (__u32)p[3] << 24 | (__u32)p[2] << 16 | (__u32)p[1] << 8 | p[0];
}

/* Smallest frag_length a PDU of @ptype can have. */
static __always_inline __u32 xh_rpc_min_len(__u8 ptype)
{
	switch (ptype) {
	case XH_RPC_PT_REQUEST:
		return XH_RPC_REQ_HDR_LEN;
	case XH_RPC_PT_RESPONSE:
		return XH_RPC_RESP_HDR_LEN;
	case XH_RPC_PT_BIND:
	case XH_RPC_PT_ALTER_CONTEXT:
		return XH_RPC_BIND_CTX_OFF;
	case XH_RPC_PT_BIND_ACK:
	case XH_RPC_PT_ALTER_RESP:
		return XH_RPC_ACK_MIN_LEN;
	default:
		return XH_RPC_HDR_LEN;
	}
}

/* Cheapest first look, for any TCP payload: version 5, minor 0 or 1. */
static __always_inline int xh_rpc_maybe(const __u8 *p, const void *end)
{
	if ((const void *)(p + 2) > end)
		return 0;
	return p[0] == 5 && p[1] <= 1;
}

/* Check the 16-byte common header at @p: version 5.0/5.1, a valid data
 * representation (integer LE/BE, ASCII/EBCDIC, IEEE/VAX/Cray/IBM float, two
 * zero bytes), a connection-oriented packet type, frag_length at least the
 * type's minimum, auth_length inside frag_length. frag_length may exceed
 * @avail (the PDU continues in later segments); xh_rpc_strict() decides
 * whether that is acceptable. Fills @h; returns 0 or -XH_RPC_CNT_E_*. */
static __always_inline int xh_rpc_hdr_parse(const __u8 *p, const void *end, __u32 avail,
					    struct xh_rpc_hdr *h)
{
	__u32 min;

	if ((const void *)(p + XH_RPC_HDR_LEN) > end || avail < XH_RPC_HDR_LEN)
		return -XH_RPC_CNT_E_TRUNC;
	if (p[0] != 5 || p[1] > 1)
		return -XH_RPC_CNT_E_VERSION;
	/* drep: byte 0 = integer rep (high nibble, 0 BE / 1 LE) | char rep
	 * (low nibble, 0 ASCII / 1 EBCDIC); byte 1 = float rep 0-3. */
	if ((p[4] & 0xee) || p[5] > 3 || p[6] || p[7])
		return -XH_RPC_CNT_E_DREP;
	h->ptype = p[2];
	h->flags = p[3];
	h->minor = p[1];
	h->be = !(p[4] & 0x10);
	if (h->ptype != XH_RPC_PT_REQUEST && h->ptype != XH_RPC_PT_RESPONSE &&
	    (h->ptype < XH_RPC_PT_FAULT ||
	     (h->ptype > XH_RPC_PT_FAULT && h->ptype < XH_RPC_PT_BIND) ||
	     h->ptype > XH_RPC_PT_CO_MAX))
		return -XH_RPC_CNT_E_TYPE;
	h->frag_len = xh_rpc_u16(p + 8, h->be);
	h->auth_len = xh_rpc_u16(p + 10, h->be);
	h->call_id = xh_rpc_u32(p + 12, h->be);
	min = xh_rpc_min_len(h->ptype);
	if (h->frag_len < min)
		return -XH_RPC_CNT_E_FRAG_LEN;
	/* An auth trailer is an 8-byte sec_trailer plus auth_length bytes. */
	if (h->auth_len && (__u32)h->auth_len + 8 + min > h->frag_len)
		return -XH_RPC_CNT_E_AUTH_LEN;
	return 0;
}

/* The strict test for a port not known to carry RPC: the PDU must end inside
 * the segment, and exactly at its end or where another PDU header (05 00/01)
 * starts. Returns 0 or -XH_RPC_CNT_E_STRICT. */
static __always_inline int xh_rpc_strict(const __u8 *p, const void *end, __u32 avail,
					 const struct xh_rpc_hdr *h)
{
	__u32 fl = h->frag_len;

	if (fl > avail)
		return -XH_RPC_CNT_E_STRICT;
	if (fl == avail)
		return 0;
	/* fl < avail <= a page here. The mask, behind a barrier so clang keeps
	 * it, gives the verifier a bound it carries into p + fl: clang 14
	 * otherwise re-derived the 16-bit value and the pointer's range
	 * exceeded what the verifier tracks (MAX_PACKET_OFF; kernel 6.18). */
	barrier_var(fl);
	fl &= 0x1fff;
	if (!xh_rpc_maybe(p + fl, end))
		return -XH_RPC_CNT_E_STRICT;
	return 0;
}

/* Result of xh_rpc_bind_scan(): where each context item starts. */
struct xh_rpc_bind_list {
	__u16 off[XH_RPC_MAX_CTX]; /* item offsets from the PDU start */
	__u8 n_wire;		   /* n_context_elem as sent */
	__u8 n;			   /* items found complete in the segment (<= XH_RPC_MAX_CTX) */
	__u8 cut;		   /* 1: the segment ended before the list did */
	__u8 many;		   /* 1: more than XH_RPC_MAX_CTX contexts */
};

/* Walk the presentation context list of a BIND or ALTER_CONTEXT at @p (@h
 * from xh_rpc_hdr_parse()). Items must end inside frag_length (else the PDU
 * lies: -XH_RPC_CNT_E_CTX_OVERRUN); items past @avail but inside
 * frag_length are left for a later segment (@b->cut). Every complete item
 * needs 1..XH_RPC_MAX_XFER transfer syntaxes. Returns 0 or -XH_RPC_CNT_E_*;
 * on error nothing in @b may be used. */
static __always_inline int xh_rpc_bind_scan(const __u8 *p, const void *end, __u32 avail,
					    const struct xh_rpc_hdr *h, struct xh_rpc_bind_list *b)
{
	__u32 off = XH_RPC_BIND_CTX_OFF, item, nx;
	__u32 lim = h->frag_len < avail ? h->frag_len : avail;
	const __u8 *q;
	int i;

	b->n = 0;
	b->cut = 0;
	b->many = 0;
	if (avail < XH_RPC_BIND_CTX_OFF || (const void *)(p + XH_RPC_BIND_CTX_OFF) > end)
		return -XH_RPC_CNT_E_TRUNC;
	b->n_wire = p[24];
	if (!b->n_wire)
		return -XH_RPC_CNT_E_CTX_ZERO;
	for (i = 0; i < XH_RPC_MAX_CTX; i++) {
		if (i >= b->n_wire)
			break;
		off &= 0x1fff; /* bound for the verifier: off <= XH_RPC_BIND_MAX_OFF */
		/* One pointer, checked and then read: the verifier ties the
		 * range it learns to that register only, and clang 14 would
		 * otherwise read through p + 2 + off (refused, kernel 6.18). */
		q = p + off;
		barrier_var(q);
		if (off + XH_RPC_CTX_HDR_LEN > lim ||
		    (const void *)(q + XH_RPC_CTX_HDR_LEN) > end) {
			if (off + XH_RPC_CTX_HDR_LEN > h->frag_len)
				return -XH_RPC_CNT_E_CTX_OVERRUN;
			b->cut = 1;
			return 0;
		}
		nx = q[2];
		if (!nx)
			return -XH_RPC_CNT_E_XFER_ZERO;
		if (nx > XH_RPC_MAX_XFER)
			return -XH_RPC_CNT_E_XFER_HUGE;
		item = XH_RPC_CTX_HDR_LEN + nx * XH_RPC_SYNTAX_LEN;
		if (off + item > h->frag_len)
			return -XH_RPC_CNT_E_CTX_OVERRUN;
		if (off + item > lim) {
			/* The abstract syntax is here; its transfer syntaxes
			 * follow in the next segment. The item still counts. */
			b->off[i] = (__u16)off;
			b->n = (__u8)(i + 1);
			b->cut = 1;
			return 0;
		}
		b->off[i] = (__u16)off;
		b->n = (__u8)(i + 1);
		off += item;
	}
	if (b->n_wire > XH_RPC_MAX_CTX)
		b->many = 1;
	return 0;
}

/* One presentation context. */
struct xh_rpc_ctx {
	__u8 uuid[16]; /* abstract syntax in little-endian (bytes_le) key form */
	__u16 ctx_id;
	__u16 ver_major;
	__u16 ver_minor;
	__u8 n_xfer;
	__u8 pad;
};

/* Copy an NDR UUID to the little-endian key form: with big-endian drep the
 * first three fields (u32, u16, u16) are byte-swapped. @src must hold 16
 * readable bytes. */
static __always_inline void xh_rpc_uuid_key(const __u8 *src, int be, __u8 *out)
{
	int i;

	if (be) {
		out[0] = src[3];
		out[1] = src[2];
		out[2] = src[1];
		out[3] = src[0];
		out[4] = src[5];
		out[5] = src[4];
		out[6] = src[7];
		out[7] = src[6];
	} else {
		for (i = 0; i < 8; i++)
			out[i] = src[i];
	}
	for (i = 8; i < 16; i++)
		out[i] = src[i];
}

/* Read the context item at @p + @off (an offset from xh_rpc_bind_scan()).
 * Returns 0 or -XH_RPC_CNT_E_TRUNC. */
static __always_inline int xh_rpc_ctx_read(const __u8 *p, const void *end, __u32 off, int be,
					   struct xh_rpc_ctx *c)
{
	const __u8 *q;

	off &= 0x1fff;
	q = p + off;
	if ((const void *)(q + XH_RPC_CTX_HDR_LEN) > end)
		return -XH_RPC_CNT_E_TRUNC;
	c->ctx_id = xh_rpc_u16(q, be);
	c->n_xfer = q[2];
	xh_rpc_uuid_key(q + 4, be, c->uuid);
	/* if_version is one u_int32 (C706 p_syntax_id_t), the major version
	 * in its low 16 bits: in a big-endian bind the minor comes first. */
	{
		__u32 v = xh_rpc_u32(q + 20, be);

		c->ver_major = (__u16)v;
		c->ver_minor = (__u16)(v >> 16);
	}
	return 0;
}

/* A REQUEST's context id and opnum. */
struct xh_rpc_req {
	__u16 ctx_id;
	__u16 opnum;
	__u8 first; /* PFC_FIRST_FRAG: a new call; later fragments have none */
};

static __always_inline int xh_rpc_req_parse(const __u8 *p, const void *end, __u32 avail,
					    const struct xh_rpc_hdr *h, struct xh_rpc_req *r)
{
	if (avail < XH_RPC_REQ_HDR_LEN || (const void *)(p + XH_RPC_REQ_HDR_LEN) > end)
		return -XH_RPC_CNT_E_TRUNC;
	r->ctx_id = xh_rpc_u16(p + 20, h->be);
	r->opnum = xh_rpc_u16(p + 22, h->be);
	r->first = !!(h->flags & XH_RPC_PFC_FIRST_FRAG);
	return 0;
}

/* A BIND_ACK: check that sec_addr lies inside the PDU. */
static __always_inline int xh_rpc_ack_parse(const __u8 *p, const void *end, __u32 avail,
					    const struct xh_rpc_hdr *h)
{
	__u32 sl;

	if (avail < XH_RPC_ACK_MIN_LEN || (const void *)(p + XH_RPC_ACK_MIN_LEN) > end)
		return -XH_RPC_CNT_E_TRUNC;
	sl = xh_rpc_u16(p + 24, h->be);
	if (XH_RPC_ACK_MIN_LEN + sl > h->frag_len)
		return -XH_RPC_CNT_E_FRAG_LEN;
	return 0;
}

/* A TCP/IP protocol tower (MS-RPCE 2.2.1.1.x, C706 appendix L) as an ept_map
 * response returns it: 5 floors (interface, transfer syntax, RPC
 * connection-oriented, TCP port, IPv4 address) of fixed sizes, 75 bytes. */
#define XH_RPC_TOWER_LEN 75

struct xh_rpc_tower {
	__u8 uuid[16]; /* interface, little-endian key form (towers are always LE) */
	__u16 ver_major;
	__be16 port;
	__be32 addr; /* IPv4 address, 0.0.0.0 when the server left it open */
};

/* Check and read a tower at @t (its floor count). 0 or -XH_RPC_CNT_E_EPM. */
static __always_inline int xh_rpc_tower_read(const __u8 *t, const void *end, struct xh_rpc_tower *w)
{
	int i;

	if ((const void *)(t + XH_RPC_TOWER_LEN) > end)
		return -XH_RPC_CNT_E_EPM;
	/* floor count 5; floors 1-2 lhs 19 bytes (0x0d UUID), rhs 2 bytes */
	if (t[0] != 5 || t[1] || t[2] != 19 || t[3] || t[4] != 0x0d || t[23] != 2 || t[24] ||
	    t[27] != 19 || t[28] || t[29] != 0x0d || t[48] != 2 || t[49])
		return -XH_RPC_CNT_E_EPM;
	/* floor 3: 0x0b RPC CO; floor 4: 0x07 TCP port; floor 5: 0x09 IPv4 */
	if (t[52] != 1 || t[53] || t[54] != 0x0b || t[55] != 2 || t[56] || t[59] != 1 || t[60] ||
	    t[61] != 0x07 || t[62] != 2 || t[63] || t[66] != 1 || t[67] || t[68] != 0x09 ||
	    t[69] != 4 || t[70])
		return -XH_RPC_CNT_E_EPM;
	for (i = 0; i < 16; i++)
		w->uuid[i] = t[5 + i];
	w->ver_major = (__u16)(t[22] << 8 | t[21]);
	/* Built from bytes: a memcpy into the stack struct became a partial
	 * spill the verifier refused to fill ("invalid size of register
	 * fill", clang 14, kernel 6.18). */
	w->port = bpf_htons((__u16)(t[64] << 8 | t[65]));
	w->addr = bpf_htonl((__u32)t[71] << 24 | (__u32)t[72] << 16 | (__u32)t[73] << 8 | t[74]);
	if (!w->port)
		return -XH_RPC_CNT_E_EPM;
	return 0;
}

/* Stub offset (from the stub start) of the first tower's octets in an
 * ept_map response: entry_handle (20), num_towers (u32), the conformant
 * varying array of tower pointers (max, offset, actual, referents), the
 * first twr_t's conformance and tower_length. NDR: 44 + 4 * actual;
 * NDR64: 60 + 8 * actual (8-byte integers, aligned). */
#define XH_RPC_EPM_MAX_TOWERS 4

/* The first tower of an ept_map answer whose stub @s is in NDR (@ndr64 0)
 * or NDR64 (1) encoding. 0 or -XH_RPC_CNT_E_EPM. */
static __always_inline int xh_rpc_epm_try(const __u8 *s, const void *end, __u32 avail, int be,
					  int ndr64, struct xh_rpc_tower *w)
{
	__u32 n, off, tl;
	const __u8 *t;

	n = xh_rpc_u32(s + (ndr64 ? 40 : 32), be); /* actual count */
	if (n < 1 || n > XH_RPC_EPM_MAX_TOWERS)
		return -XH_RPC_CNT_E_EPM;
	off = ndr64 ? 60 + 8 * n : 44 + 4 * n;
	t = s + off;
	if (XH_RPC_RESP_HDR_LEN + off + XH_RPC_TOWER_LEN > avail ||
	    (const void *)(t + XH_RPC_TOWER_LEN) > end)
		return -XH_RPC_CNT_E_EPM;
	tl = xh_rpc_u32(t - 4, be); /* tower_length */
	if (tl < XH_RPC_TOWER_LEN || tl > 1024)
		return -XH_RPC_CNT_E_EPM;
	return xh_rpc_tower_read(t, end, w);
}

/* Find and read the first tower of the ept_map RESPONSE at @p (header @h,
 * @avail bytes in the segment). Tries NDR, then NDR64 (Windows negotiates
 * NDR64 when offered). 0 or -XH_RPC_CNT_E_*. */
static __always_inline int xh_rpc_epm_parse(const __u8 *p, const void *end, __u32 avail,
					    const struct xh_rpc_hdr *h, struct xh_rpc_tower *w)
{
	const __u8 *s = p + XH_RPC_RESP_HDR_LEN;

	if (avail < XH_RPC_RESP_HDR_LEN + 48 || (const void *)(s + 48) > end)
		return -XH_RPC_CNT_E_TRUNC;
	if (!xh_rpc_u32(s + 20, h->be)) /* num_towers */
		return -XH_RPC_CNT_E_EPM;
	if (xh_rpc_epm_try(s, end, avail, h->be, 0, w) == 0)
		return 0;
	return xh_rpc_epm_try(s, end, avail, h->be, 1, w);
}

#endif /* XH_DCERPC_H */
