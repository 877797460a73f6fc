/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* dns.h: the question name of a DNS query (RFC 1035 4.1), from a copy of the
 * message (UDP payload, or TCP payload after the 2-byte length). Pure: no maps
 * or helpers; the unit tests run it natively over exact-length buffers.
 *
 * Reads are at masked indices below @len (the copy lives in a
 * XH_SCRATCH_PKT-byte buffer), so the verifier needs no per-byte packet check.
 * Loops are bounded by the 255-byte limit of a wire name.
 */
#ifndef XH_DNS_H
#define XH_DNS_H

#include "name.h"

#define XH_DNS_HDR	  12
#define XH_DNS_WIRE_MAX	  255  /* RFC 1035 2.3.4: a name is at most 255 octets on the wire */
#define XH_DNS_FLAG_QR	  0x80 /* in byte 2 */
#define XH_DNS_OPCODE(b2) (((b2) >> 3) & 0xf)
#define XH_DNS_PTR	  0xc0 /* label byte: compression pointer */

struct xh_dns_q {
	__u16 qdcount;
	__u16 qtype;
};

/* State of the walk over the question name, one wire byte per
 * xh_dns_step() (BPF runs the steps under bpf_loop(); positions come from the
 * step index, see name.h). Wire byte 12 + k becomes text byte k - 1: content
 * bytes are copied, label lengths after the first become '.'. */
struct xh_dns_walk {
	__u32 lab; /* bytes left in the current label */
	__u32 len; /* message bytes available */
	__u32 o;   /* text length, once the root label is reached */
	__u32 end; /* offset after the root label */
	int res;   /* 0 while walking, 1 at the root label, or -XH_IOC_CNT_DNS_* */
	__u32 pad;
};

/* Check the header of the DNS message in @buf[0, @len) and start the walk.
 * Returns 0, or -XH_IOC_CNT_DNS_*: TRUNC, NOT_QUERY (a response or an opcode
 * other than QUERY), NO_QUESTION. */
static __always_inline int xh_dns_begin(const __u8 *buf, __u32 len, struct xh_dns_q *q,
					struct xh_dns_walk *w)
{
	if (len > XH_SCRATCH_PKT)
		len = XH_SCRATCH_PKT;
	w->o = 0;
	w->end = 0;
	w->lab = 0;
	w->len = len;
	w->res = 0;
	q->qdcount = 0;
	q->qtype = 0;
	if (len < XH_DNS_HDR)
		return -XH_IOC_CNT_DNS_TRUNC;
	if ((buf[2] & XH_DNS_FLAG_QR) || XH_DNS_OPCODE(buf[2]) != 0)
		return -XH_IOC_CNT_DNS_NOT_QUERY;
	q->qdcount = (__u16)(buf[4] << 8 | buf[5]);
	if (!q->qdcount)
		return -XH_IOC_CNT_DNS_NO_QUESTION;
	return 0;
}

/* One wire byte of the name: the text goes to @out (XH_NAME_MAX bytes, case
 * as on the wire, no trailing dot). Returns 0 to go on, 1 when w->res is set:
 * 1 at the root label, -XH_IOC_CNT_DNS_COMPRESSED for a pointer (a query has
 * nothing to point back to), -BAD_LABEL for label types 0x40/0x80, a '.'
 * inside a label or more than 253 text bytes, -TRUNC past the end. */
static __always_inline int xh_dns_step(struct xh_dns_walk *w, __u32 k, const __u8 *buf, __u8 *out)
{
	__u32 pos = XH_DNS_HDR + k;
	__u8 c;

	if (pos >= w->len || pos >= XH_SCRATCH_PKT) {
		w->res = -XH_IOC_CNT_DNS_TRUNC;
		return 1;
	}
	c = buf[pos & XH_SCRATCH_PKT_MASK];
	if (w->lab) {
		if (c == '.') {
			w->res = -XH_IOC_CNT_DNS_BAD_LABEL;
			return 1;
		}
		out[(k - 1) & XH_NAME_MASK] = c;
		w->lab--;
		return 0;
	}
	if (!c) {
		w->res = 1;
		w->o = k ? k - 1 : 0;
		w->end = pos + 1;
		return 1;
	}
	if ((c & XH_DNS_PTR) == XH_DNS_PTR) {
		w->res = -XH_IOC_CNT_DNS_COMPRESSED;
		return 1;
	}
	if (c & XH_DNS_PTR) {
		w->res = -XH_IOC_CNT_DNS_BAD_LABEL;
		return 1;
	}
	if (k)
		out[(k - 1) & XH_NAME_MASK] = '.';
	/* the text is k + c bytes long after this label */
	if (k + c > XH_NAME_TEXT_MAX) {
		w->res = -XH_IOC_CNT_DNS_BAD_LABEL;
		return 1;
	}
	w->lab = c;
	return 0;
}

/* After the steps: the name length, or -XH_IOC_CNT_DNS_* (a walk that did not
 * reach the root label within 255 wire bytes is BAD_LABEL; QTYPE/QCLASS cut
 * off is TRUNC). */
static __always_inline int xh_dns_end(const struct xh_dns_walk *w, const __u8 *buf,
				      struct xh_dns_q *q)
{
	if (w->res < 0)
		return w->res;
	if (w->res != 1)
		return -XH_IOC_CNT_DNS_BAD_LABEL;
	if (w->end + 4 > w->len)
		return -XH_IOC_CNT_DNS_TRUNC;
	q->qtype = (__u16)(buf[w->end & XH_SCRATCH_PKT_MASK] << 8 |
			   buf[(w->end + 1) & XH_SCRATCH_PKT_MASK]);
	return (int)w->o;
}

/* Parse the first question of the DNS query in @buf[0, @len) (the whole walk:
 * userspace and tests). Returns the text length (0 for the root) or
 * -XH_IOC_CNT_DNS_*. */
static __always_inline int xh_dns_query(const __u8 *buf, __u32 len, __u8 *out, struct xh_dns_q *q)
{
	struct xh_dns_walk w;
	int err = xh_dns_begin(buf, len, q, &w);

	if (err)
		return err;
	for (__u32 k = 0; k <= XH_DNS_WIRE_MAX; k++)
		if (xh_dns_step(&w, k, buf, out))
			break;
	return xh_dns_end(&w, buf, q);
}

#endif /* XH_DNS_H */
