/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* dns.h: the question name of a DNS query (RFC 1035 4.1), read where the
 * message lies (UDP payload, or TCP payload after the 2-byte length; BPF: in
 * the packet, every read checked against data_end, no copy). Pure: no maps
 * or helpers; the unit tests run it natively over exact-length buffers.
 *
 * One label per xh_dns_label() call (BPF runs the calls under bpf_loop()):
 * the label is checked, copied to the text and hashed (bpf/name.h) 8 bytes at
 * a time; a word that would cross the readable end is read byte by byte.
 * Bytes past the message (a frame's padding) are read at most, never used.
 * Only the first XH_DNS_COPY bytes of a message can matter: the longest name
 * ends 12 + 255 bytes in, then QTYPE and QCLASS.
 */
#ifndef XH_DNS_H
#define XH_DNS_H

#include "name.h"

#define XH_DNS_HDR	  12
#define XH_DNS_WIRE_MAX	  255 /* RFC 1035 2.3.4: a name is at most 255 octets on the wire */
#define XH_DNS_LABELS_MAX 128 /* walk steps: 127 one-byte labels, then the root */
#define XH_DNS_COPY	  (XH_DNS_HDR + XH_DNS_WIRE_MAX + 4) /* message bytes the walk reads */
#define XH_DNS_POS_MASK	  511  /* a position below XH_DNS_COPY, masked for the verifier */
#define XH_DNS_FLAG_QR	  0x80 /* in byte 2 */
#define XH_DNS_OPCODE(b2) (((b2) >> 3) & 0xf)
#define XH_DNS_PTR	  0xc0 /* label byte: compression pointer */

struct xh_dns_q {
	__u16 qdcount;
	__u16 qtype;
};

/* State of the walk over the question name (in map memory under BPF, so the
 * verifier knows nothing of it when it checks a step: see
 * selftests/verifier/test_kernel_61.sh). */
struct xh_dns_walk {
	__u32 pos; /* message offset of the next label's length byte */
	__u32 len; /* message bytes, at most XH_DNS_COPY */
	__u32 end; /* offset after the root label */
	int res;   /* 0 while walking, 1 at the root label, or -XH_IOC_CNT_DNS_* */
};

/* Byte @off of the message @buf, readable up to @end (@off is below the
 * message length, which never goes past @end: the check is for the verifier).
 * -1 past @end. */
static __always_inline int xh_dns_u8(const __u8 *buf, const void *end, __u32 off)
{
	const __u8 *p = buf + (off & XH_DNS_POS_MASK);

	if ((const void *)(p + 1) > end)
		return -1;
	return *p;
}

/* Check the header of the DNS message @buf (@len bytes, readable up to @end)
 * and start the walk. Returns 0, or -XH_IOC_CNT_DNS_*: TRUNC, NOT_QUERY (a
 * response or an opcode other than QUERY), NO_QUESTION. */
static __always_inline int xh_dns_begin(const __u8 *buf, const void *end, __u32 len,
					struct xh_dns_q *q, struct xh_dns_walk *w,
					struct xh_name_labels *lab)
{
	if (len > XH_DNS_COPY)
		len = XH_DNS_COPY;
	w->pos = XH_DNS_HDR;
	w->len = len;
	w->end = 0;
	w->res = 0;
	xh_name_labels_begin(lab, 0);
	q->qdcount = 0;
	q->qtype = 0;
	if (len < XH_DNS_HDR || (const void *)(buf + XH_DNS_HDR) > end)
		return -XH_IOC_CNT_DNS_TRUNC;
	if ((buf[2] & XH_DNS_FLAG_QR) || XH_DNS_OPCODE(buf[2]) != 0)
		return -XH_IOC_CNT_DNS_NOT_QUERY;
	q->qdcount = (__u16)(buf[4] << 8 | buf[5]);
	if (!q->qdcount)
		return -XH_IOC_CNT_DNS_NO_QUESTION;
	return 0;
}

/* Label number @i of the name in @buf (readable up to @end): its text goes to
 * @out (XH_NAME_MAX + XH_NAME_SLACK bytes; case as on the wire, labels joined
 * by '.', no trailing dot; bytes past the text are scratch), its hash to @lab.
 * Returns 0 to go on, 1 when w->res is set: 1 at the root label (lab->len is
 * then the text length), -XH_IOC_CNT_DNS_COMPRESSED for a pointer (a query
 * has nothing to point back to), -BAD_LABEL for label types 0x40/0x80 or
 * more than 253 text bytes, -TRUNC past the end.
 * A label is any bytes (RFC 2181 11), a '.' included: resolvers send
 * "a\.b.evil.example" on to evil.example's servers, so the label is hashed
 * whole and the suffixes start at the wire's label boundaries, not at the
 * text's dots (the text shows such a label's '.' as sent). */
static __always_inline int xh_dns_label(struct xh_dns_walk *w, struct xh_name_labels *lab, __u32 i,
					const __u8 *buf, const void *end, __u8 *out)
{
	__u32 p = w->pos, len = w->len, k, n, t;
	__u64 h = XH_LAB_SEED, x;
	const __u8 *src;
	__u8 *dst;
	int c;

	if (p >= len || p < XH_DNS_HDR) {
		w->res = -XH_IOC_CNT_DNS_TRUNC;
		return 1;
	}
	p &= XH_DNS_POS_MASK;
	c = xh_dns_u8(buf, end, p);
	k = p - XH_DNS_HDR; /* text offset of this label's '.' + 1 */
	if (c < 0) {
		w->res = -XH_IOC_CNT_DNS_TRUNC;
		return 1;
	}
	if (!c) {
		w->res = 1;
		w->end = p + 1;
		lab->n = i;
		lab->len = k ? k - 1 : 0;
		return 1;
	}
	if ((c & XH_DNS_PTR) == XH_DNS_PTR) {
		w->res = -XH_IOC_CNT_DNS_COMPRESSED;
		return 1;
	}
	/* label types 0x40/0x80; the text is k + c bytes long after it */
	if ((c & XH_DNS_PTR) || k + c > XH_NAME_TEXT_MAX) {
		w->res = -XH_IOC_CNT_DNS_BAD_LABEL;
		return 1;
	}
	if (k)
		out[(k - 1) & XH_NAME_MASK] = '.';
	/* Where the next label starts, and where this one's hash goes: set
	 * now so that fewer values live through the loop (on an error below
	 * the walk stops, and they are not used). */
	w->pos = p + 1 + c;
	lab->off[i % XH_NAME_RING] = (__u16)k;
	n = len - p - 1; /* label bytes present */
	if (n > (__u32)c)
		n = c;
	src = buf + ((p + 1) & XH_DNS_POS_MASK);
	dst = out + (k & XH_NAME_MASK);
	for (t = 0; t < 8; t++) { /* a label is at most 63 bytes */
		if (!n)
			break;
		if ((const void *)(src + 8) <= end) {
			x = xh_ld64(src) & xh_bytes_mask(n);
			n = n < 8 ? 0 : n - 8;
		} else {
			/* the frame ends within 8 bytes: the last word */
			if (n > 8)
				break; /* (cannot be: past the frame, so TRUNC) */
			x = xh_tail_word(src, end, n);
			n = 0;
		}
		xh_st64(dst, x);
		h = xh_lab_word(h, xh_lower8(x));
		src += 8;
		dst += 8;
	}
	if (w->pos > len || n) {
		w->res = -XH_IOC_CNT_DNS_TRUNC;
		return 1;
	}
	h += c;
	lab->h[i % XH_NAME_RING] = h;
	lab->all = xh_suffix_step(lab->all, h);
	return 0;
}

/* After the steps: the name length, or -XH_IOC_CNT_DNS_* (a walk that did not
 * reach the root label is BAD_LABEL; QTYPE/QCLASS cut off is TRUNC). */
static __always_inline int xh_dns_end(const struct xh_dns_walk *w, const struct xh_name_labels *lab,
				      const __u8 *buf, const void *end, struct xh_dns_q *q)
{
	int hi, lo;

	if (w->res < 0)
		return w->res;
	if (w->res != 1)
		return -XH_IOC_CNT_DNS_BAD_LABEL;
	if (w->end + 4 > w->len)
		return -XH_IOC_CNT_DNS_TRUNC;
	hi = xh_dns_u8(buf, end, w->end);
	lo = xh_dns_u8(buf, end, w->end + 1);
	if (hi < 0 || lo < 0)
		return -XH_IOC_CNT_DNS_TRUNC;
	q->qtype = (__u16)(hi << 8 | lo);
	return (int)lab->len;
}

/* Parse the first question of the DNS query in @buf[0, @len) (the whole
 * walk: userspace and tests). Returns the text length (0 for the root) or
 * -XH_IOC_CNT_DNS_*; @lab has the label hashes for xh_name_combine(). */
static __always_inline int xh_dns_query(const __u8 *buf, __u32 len, __u8 *out, struct xh_dns_q *q,
					struct xh_name_labels *lab)
{
	struct xh_dns_walk w;
	int err = xh_dns_begin(buf, buf + len, len, q, &w, lab);

	if (err)
		return err;
	for (__u32 i = 0; i < XH_DNS_LABELS_MAX; i++)
		if (xh_dns_label(&w, lab, i, buf, buf + len, out))
			break;
	return xh_dns_end(&w, lab, buf, buf + len, q);
}

#endif /* XH_DNS_H */
