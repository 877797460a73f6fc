/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* tls.h: the server_name (RFC 6066 3) of a TLS ClientHello (RFC 8446 4.1.2),
 * in the first data segment of a TCP connection, read where it lies (BPF: in
 * the packet, each read checked against data_end; no copy). Pure: no maps or
 * helpers; the unit tests run it natively over exact-length buffers.
 *
 * Only what is in this segment and in the hello's first TLS record is seen:
 * a ClientHello split across segments or records whose server_name lies
 * beyond the first one is counted as truncated (no reassembly in XDP).
 * Extensions are walked at most XH_TLS_MAX_EXT times.
 */
#ifndef XH_TLS_H
#define XH_TLS_H

#include "name.h"

#define XH_TLS_REC_HANDSHAKE   0x16
#define XH_TLS_HS_CLIENT_HELLO 1
#define XH_TLS_EXT_SNI	       0
#define XH_TLS_EXT_ALPN	       16
#define XH_TLS_ALPN_MAX	       8    /* protocols of the ALPN list looked at */
#define XH_TLS_MAX_EXT	       64   /* Chrome sends ~18, GREASE included */
#define XH_TLS_LEN_MAX	       2048 /* bytes of the segment looked at; a power of two */
#define XH_TLS_OFF_MASK	       (XH_TLS_LEN_MAX - 1)

/* Byte / big-endian 16-bit read at @off of the message @b, -1 past @len.
 * @end is where readable memory ends (BPF: data_end, which the verifier
 * needs to see in the check; @len never goes past it). */
static __always_inline int xh_tls_u8(const __u8 *b, const void *end, __u32 len, __u32 off)
{
	const __u8 *p;

	if (off >= len)
		return -1;
	p = b + (off & XH_TLS_OFF_MASK);
	if ((const void *)(p + 1) > end)
		return -1;
	return p[0];
}

static __always_inline int xh_tls_u16(const __u8 *b, const void *end, __u32 len, __u32 off)
{
	const __u8 *p;

	if (off + 2 > len || off + 2 < off)
		return -1;
	p = b + (off & XH_TLS_OFF_MASK);
	if ((const void *)(p + 2) > end)
		return -1;
	return p[0] << 8 | p[1];
}

/* Cheap test on the first bytes of a TCP payload, before any walk: a TLS
 * handshake record (0x16, major version 3) holding a ClientHello (byte 5).
 * @p has at least 6 bytes. */
static __always_inline int xh_tls_looks_hello(const __u8 *p)
{
	return p[0] == XH_TLS_REC_HANDSHAKE && p[1] == 3 && p[5] == XH_TLS_HS_CLIENT_HELLO;
}

/* Where the extensions of the ClientHello in @buf[0, *@len) lie: the
 * first at *@pos, their end at *@ext_end; *@len is cut to the hello's first
 * record and to XH_TLS_LEN_MAX. Returns 0, or -XH_IOC_CNT_TLS_* as
 * xh_tls_sni() (-XH_IOC_CNT_TLS_NO_SNI: no extensions at all). */
static __always_inline int xh_tls_exts(const __u8 *buf, const void *end_ptr, __u32 *lenp,
				       __u32 *posp, __u32 *ext_endp)
{
	__u32 len = *lenp, pos, end, k;
	int v;

	if (len > XH_TLS_LEN_MAX)
		len = XH_TLS_LEN_MAX;
	if (len < 9)
		return -XH_IOC_CNT_TLS_TRUNC;
	if ((const void *)(buf + 9) > end_ptr)
		return -XH_IOC_CNT_TLS_TRUNC;
	if (buf[0] != XH_TLS_REC_HANDSHAKE || buf[1] != 3 || buf[5] != XH_TLS_HS_CLIENT_HELLO)
		return -XH_IOC_CNT_TLS_BAD;
	/* The hello ends at the end of its handshake message. A hello longer
	 * than its record goes on in the next one (RFC 8446 5.1: any client
	 * may fragment it, and some do so to hide the name from DPI): only its
	 * first record is read, so a server_name past it is TRUNC, as in a
	 * split segment; bytes there that start no handshake record are BAD. */
	k = 5 + (__u32)(buf[3] << 8 | buf[4]);
	end = 9 + ((__u32)buf[6] << 16 | (__u32)buf[7] << 8 | buf[8]);
	if (end > k) {
		v = xh_tls_u8(buf, end_ptr, len, k);
		if (v >= 0 && v != XH_TLS_REC_HANDSHAKE)
			return -XH_IOC_CNT_TLS_BAD;
		if (len > k)
			len = k;
	}
	pos = 9 + 2 + 32; /* legacy_version, random */
	v = xh_tls_u8(buf, end_ptr, len, pos);
	if (v < 0)
		return -XH_IOC_CNT_TLS_TRUNC;
	if (v > 32)
		return -XH_IOC_CNT_TLS_BAD;
	pos += 1 + v;
	v = xh_tls_u16(buf, end_ptr, len, pos);
	if (v < 0)
		return -XH_IOC_CNT_TLS_TRUNC;
	if (v == 0 || (v & 1))
		return -XH_IOC_CNT_TLS_BAD;
	pos += 2 + v;
	v = xh_tls_u8(buf, end_ptr, len, pos);
	if (v < 0)
		return -XH_IOC_CNT_TLS_TRUNC;
	pos += 1 + v;
	if (pos == end)
		return -XH_IOC_CNT_TLS_NO_SNI; /* no extensions at all */
	if (pos > end)
		return -XH_IOC_CNT_TLS_BAD;
	v = xh_tls_u16(buf, end_ptr, len, pos);
	if (v < 0)
		return -XH_IOC_CNT_TLS_TRUNC;
	pos += 2;
	if (pos + v > end)
		return -XH_IOC_CNT_TLS_BAD;
	*lenp = len;
	*posp = pos;
	*ext_endp = pos + v;
	return 0;
}

/* The host_name of the server_name extension of the ClientHello in
 * @buf[0, @len) (readable up to @end): its offset in @buf to *@name_off.
 * Only the first XH_TLS_LEN_MAX bytes are looked at. Returns its
 * length (1..253), or -XH_IOC_CNT_TLS_NO_SNI (a complete hello without one),
 * -XH_IOC_CNT_TLS_TRUNC (it would lie past @len: split or cut short), or
 * -XH_IOC_CNT_TLS_BAD (not a ClientHello, inconsistent lengths, a server_name
 * that is not one host_name of 1..253 bytes). */
static __always_inline int xh_tls_sni(const __u8 *buf, const void *end_ptr, __u32 len,
				      __u32 *name_off)
{
	__u32 pos, ext_end, k;
	int v, l, type, nl;

	v = xh_tls_exts(buf, end_ptr, &len, &pos, &ext_end);
	if (v)
		return v;
	for (k = 0; k < XH_TLS_MAX_EXT; k++) {
		if (pos >= ext_end)
			return -XH_IOC_CNT_TLS_NO_SNI;
		if (pos + 4 > ext_end)
			return -XH_IOC_CNT_TLS_BAD;
		type = xh_tls_u16(buf, end_ptr, len, pos);
		l = xh_tls_u16(buf, end_ptr, len, pos + 2);
		if (type < 0 || l < 0)
			return -XH_IOC_CNT_TLS_TRUNC;
		pos += 4;
		if (pos + l > ext_end)
			return -XH_IOC_CNT_TLS_BAD;
		if (type == XH_TLS_EXT_SNI)
			break;
		pos += l;
	}
	if (k == XH_TLS_MAX_EXT)
		return -XH_IOC_CNT_TLS_BAD;
	/* ServerNameList: u16 length, then { u8 name_type, u16 length, name } */
	if (l < 5)
		return -XH_IOC_CNT_TLS_BAD;
	v = xh_tls_u16(buf, end_ptr, len, pos);
	type = xh_tls_u8(buf, end_ptr, len, pos + 2);
	nl = xh_tls_u16(buf, end_ptr, len, pos + 3);
	if (v < 0 || type < 0 || nl < 0)
		return -XH_IOC_CNT_TLS_TRUNC;
	if (v + 2 > l || type != 0 || nl == 0 || nl > XH_NAME_TEXT_MAX || 5 + nl > v + 2)
		return -XH_IOC_CNT_TLS_BAD;
	pos += 5;
	if (pos + nl > len)
		return -XH_IOC_CNT_TLS_TRUNC;
	/* A trailing dot (the root) is not part of the name to match: a
	 * client that sends "c2.example." reaches the host "c2.example". */
	v = xh_tls_u8(buf, end_ptr, len, pos + nl - 1);
	if (v == '.' && --nl == 0)
		return -XH_IOC_CNT_TLS_BAD;
	*name_off = pos;
	return nl;
}

/* Is the ALPN protocol of @n bytes at @off one of HTTP's (RFC 7301's
 * registry: http/1.1, http/1.0, http/0.9, h2, h3, and the drafts h2-NN,
 * h3-NN)? */
static __always_inline int xh_tls_alpn_is_http(const __u8 *buf, const void *end_ptr, __u32 len,
					       __u32 off, int n)
{
	int c0 = xh_tls_u8(buf, end_ptr, len, off), c1 = xh_tls_u8(buf, end_ptr, len, off + 1);

	if (c0 != 'h' || n < 2)
		return 0;
	if (c1 == '2' || c1 == '3')
		return n == 2 || xh_tls_u8(buf, end_ptr, len, off + 2) == '-';
	return n >= 5 && c1 == 't' && xh_tls_u8(buf, end_ptr, len, off + 2) == 't' &&
	       xh_tls_u8(buf, end_ptr, len, off + 3) == 'p' &&
	       xh_tls_u8(buf, end_ptr, len, off + 4) == '/';
}

/* The extension of @type in the ClientHello in @buf[0, *@len): its body
 * at *@pos, *@l bytes (*@len cut as xh_tls_exts() cuts it). Returns 1, or
 * 0 when the hello has none in what is readable. */
static __always_inline int xh_tls_find_ext(const __u8 *buf, const void *end_ptr, __u32 *len,
					   int want, __u32 *posp, __u32 *lp)
{
	__u32 pos, ext_end, k;
	int type, l;

	if (xh_tls_exts(buf, end_ptr, len, &pos, &ext_end))
		return 0;
	for (k = 0; k < XH_TLS_MAX_EXT; k++) {
		if (pos + 4 > ext_end)
			return 0;
		type = xh_tls_u16(buf, end_ptr, *len, pos);
		l = xh_tls_u16(buf, end_ptr, *len, pos + 2);
		if (type < 0 || l < 0)
			return 0;
		pos += 4;
		if (pos + l > ext_end)
			return 0;
		if (type == want) {
			*posp = pos;
			*lp = l;
			return 1;
		}
		pos += l;
	}
	return 0;
}

/* 1 when the ALPN extension body at @pos (@l bytes) of the hello in
 * @buf[0, @len) offers an HTTP protocol (xh_tls_alpn_is_http(), among the
 * first XH_TLS_ALPN_MAX): the client says it will speak HTTP over this TLS,
 * a web protocol on any port. 0 otherwise. */
static __always_inline int xh_tls_alpn_list_http(const __u8 *buf, const void *end_ptr, __u32 len,
						 __u32 pos, __u32 l)
{
	__u32 lend, k;
	int v, n;

	/* ProtocolNameList: u16 length, then { u8 length, name } */
	v = xh_tls_u16(buf, end_ptr, len, pos);
	if (v < 0 || (__u32)v + 2 > l)
		return 0;
	lend = pos + 2 + v;
	pos += 2;
	for (k = 0; k < XH_TLS_ALPN_MAX; k++) {
		n = xh_tls_u8(buf, end_ptr, len, pos);
		if (n < 1 || pos + 1 + n > lend)
			return 0;
		if (xh_tls_alpn_is_http(buf, end_ptr, len, pos + 1, n))
			return 1;
		pos += 1 + n;
	}
	return 0;
}

/* Both: does the ClientHello in @buf[0, @len) offer HTTP in its ALPN? (BPF
 * calls the two halves from two global functions, bpf/ioc_name.bpf.h.) */
static __always_inline int xh_tls_alpn_http(const __u8 *buf, const void *end_ptr, __u32 len)
{
	__u32 pos, l;

	return xh_tls_find_ext(buf, end_ptr, &len, XH_TLS_EXT_ALPN, &pos, &l) &&
	       xh_tls_alpn_list_http(buf, end_ptr, len, pos, l);
}

#endif /* XH_TLS_H */
