/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* kerberos.bpf.h: kerberos.brute_force, one client whose Kerberos logons
 * fail in bulk (password guessing or spraying against a KDC, T1110, as
 * kerbrute, Rubeus' brute and Impacket's kerberos tools do): counts, per
 * client, the KRB-ERROR answers of a KDC (UDP or TCP port 88) that say the
 * pre-authentication failed (KDC_ERR_PREAUTH_FAILED: a wrong password), the
 * client is revoked (KDC_ERR_CLIENT_REVOKED: locked out or disabled) or
 * unknown (KDC_ERR_C_PRINCIPAL_UNKNOWN), as smb.brute_force counts SMB's
 * STATUS_LOGON_FAILURE (which Windows gives for an unknown user too) and
 * STATUS_ACCOUNT_LOCKED_OUT. Not KDC_ERR_PREAUTH_REQUIRED: every Windows
 * logon starts with one. One event per client and window, from the
 * sweep's window code (bpf/sweep.bpf.h). A KRB-ERROR names no account, so
 * the client's AS-REQ on the same flow is read for it (its cname): the
 * event says how many distinct accounts failed, for userspace to tell
 * guessing (one) from spraying (many), each account counted once per
 * window (xh_krb_accts).
 * kerberos.no_preauth, a KDC that issues a TGT to an AS-REQ without
 * pre-authentication (T1558.004, AS-REP roasting: the AS-REP's encrypted
 * part can be cracked offline for the account's password): the AS-REP
 * answers a request, on its flow, that carried no PA-DATA proving the
 * client's key. One event per AS-REP.
 * kerberos.weak_ticket, a KDC that issues a service ticket encrypted with
 * RC4 or DES (T1558.003, Kerberoasting: the ticket is encrypted with the
 * service account's key, and RC4's is its password's MD4, cracked offline;
 * a tool asks tickets of every account with an SPN, and an account with no
 * AES configured gets RC4): a TGS-REP whose ticket's etype is one of them,
 * for a service other than krbtgt. One event per flow.
 * kerberos.weak_request, a client that asks a service ticket preferring RC4
 * or DES (T1558.003 too): the first etype of a TGS-REQ's list. Windows,
 * MIT and Heimdal clients list AES first; Impacket (GetUserSPNs and every
 * -k tool) lists RC4 first, Rubeus' RC4 requests list RC4 alone. It sees
 * what the tool asked whatever the KDC answers (an account configured for
 * AES gets an AES ticket), and needs the client's direction only. The
 * req-body follows the padata, which carries the TGT (a PAC makes it 1-2 KB
 * on Active Directory), so it often lies in the message's second TCP
 * segment, or spans the two: xh_krb_pend keeps its first bytes and the
 * sequence number of the next until the segment that holds them. One event
 * per flow. */
#ifndef XH_KERBEROS_BPF_H
#define XH_KERBEROS_BPF_H

#include "maps.bpf.h"
#include "sweep.bpf.h"
#include "compat61.bpf.h"
#include "smb_name.h"

#define XH_KRB_PORT 88
/* RFC 4120 7.5.9 */
#define XH_KRB_ERR_C_PRINCIPAL_UNKNOWN 6
#define XH_KRB_ERR_CLIENT_REVOKED      18
#define XH_KRB_ERR_PREAUTH_FAILED      24
/* The KRB-ERROR bytes read: its error-code, the seventh field, lies within
 * the first 80 (APPLICATION 30 and SEQUENCE headers of 3 bytes each,
 * pvno 5, msg-type 5, ctime 19, cusec up to 8, stime 19, susec up to 8,
 * error-code up to 8); a message shorter than this is read whole. */
#define XH_KRB_WIN 96
/* Shorter than any KRB-ERROR (its realm and sname follow the code). */
#define XH_KRB_MIN 32
/* Over TCP a message follows a 4-byte record mark, its length (RFC 4120
 * 7.2.2); over UDP it is the datagram. */
#define XH_KRB_RECORD_MARK 4
#define xh_krb_head(pkt)   ((pkt)->proto == IPPROTO_TCP ? XH_KRB_RECORD_MARK : 0u)
/* The AS-REQ bytes read: its cname follows pvno, msg-type, the padata and
 * the kdc-options; a password's PA-ENC-TIMESTAMP and PA-PAC-REQUEST (as
 * Windows, kerbrute and Impacket send them) put it within the first 150.
 * Longer pre-authentication (FAST armor, PKINIT) leaves the account
 * unread. */
#define XH_KRB_REQ_WIN	     256
#define XH_KRB_MASK	     255
#define XH_KRB_TAG_AS_REQ    0x6a /* [APPLICATION 10] */
#define XH_KRB_TAG_TGS_REQ   0x6c /* [APPLICATION 12] */
#define XH_KRB_TAG_AS_REP    0x6b /* [APPLICATION 11] */
#define XH_KRB_TAG_TGS_REP   0x6d /* [APPLICATION 13] */
#define XH_KRB_TAG_KRB_ERROR 0x7e /* [APPLICATION 30] */

/* Set through the skeleton's rodata before load (user/loader.c). As
 * smb.brute_force's: a user who mistypes fails once or twice, kerbrute
 * hundreds of times a second. */
const volatile __u32 xh_cfg_krbbrute_threshold = 10;
const volatile __u64 xh_cfg_krbbrute_window_ns = 60ULL * 1000000000ULL;

struct xh_krb_scratch {
	__u8 buf[XH_KRB_MASK + 1]; /* indexes masked to XH_KRB_MASK */
	/* Room for a load of up to XH_KRB_BODY_WIN bytes at buf + (have &
	 * XH_KRB_MASK): a req-body's bytes after those a segment before gave.
	 * What lands here is never read. */
	__u8 spill[XH_KRB_BODY_WIN];
	/* xh_krb_ticket()'s: buf[] then holds @len bytes of the message from
	 * its byte @from */
	__u32 from;
	__u32 len;
	int etype;		 /* xh_krb_body_etype()'s: the first etype of the list */
	struct xh_krb_pend pend; /* xh_krb_tgs_req()'s value for xh_krb_pend */
};
_Static_assert(XH_KRB_BODY_WIN == XH_KRB_MASK + 1, "a req-body fills buf[]");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xh_krb_scratch);
} xh_krbscr SEC(".maps");

/* The DER length at @b[*@off] of the @n bytes (short form, or long form in
 * one or two bytes), *@off moved past it; -1 when it does not fit. */
static __always_inline int xh_der_len(const __u8 *b, __u32 *off, __u32 n)
{
	__u32 o = *off, v;

	if (o >= n)
		return -1;
	v = b[o & XH_KRB_MASK];
	if (v < 0x80) {
		*off = o + 1;
		return v;
	}
	if (v == 0x81 && o + 1 < n) {
		*off = o + 2;
		return b[(o + 1) & XH_KRB_MASK];
	}
	if (v == 0x82 && o + 2 < n) {
		*off = o + 3;
		return b[(o + 1) & XH_KRB_MASK] << 8 | b[(o + 2) & XH_KRB_MASK];
	}
	return -1;
}

/* Into the DER element at @b[*@off] if its tag is @tag: *@off moved to its
 * content; its length, or -1. */
static __always_inline int xh_der_enter(const __u8 *b, __u32 *off, __u32 n, __u8 tag)
{
	int len;

	if (*off >= n || b[*off & XH_KRB_MASK] != tag)
		return -1;
	(*off)++;
	len = xh_der_len(b, off, n);
	/* A constant bound on the offset (n is at most XH_KRB_REQ_WIN), so
	 * that the verifier prunes the length forms' paths where they meet. */
	if (*off > XH_KRB_REQ_WIN)
		return -1;
	return len;
}

/* Past the DER element at @b[*@off] if its tag is @tag; 0, or -1. */
static __always_inline int xh_der_skip(const __u8 *b, __u32 *off, __u32 n, __u8 tag)
{
	int len = xh_der_enter(b, off, n, tag);

	if (len < 0)
		return -1;
	*off += len;
	return *off > XH_KRB_REQ_WIN ? -1 : 0;
}

/* The DER INTEGER at @b[@off] (@n bytes read) of 1 to @max bytes (4 at
 * most), big-endian into *@v; a negative one refused when @nonneg. 0, or -1
 * when @b holds none. */
static __always_inline int xh_der_uint(const __u8 *b, __u32 off, __u32 n, int max, int nonneg,
				       __u32 *v)
{
	int ilen;

	if (off + 2 > n || b[off & XH_KRB_MASK] != 0x02)
		return -1;
	ilen = b[(off + 1) & XH_KRB_MASK];
	if (ilen < 1 || ilen > max || off + 2 + ilen > n ||
	    (nonneg && (b[(off + 2) & XH_KRB_MASK] & 0x80)))
		return -1;
	*v = 0;
	for (int j = 0; j < 4; j++)
		if (j < ilen)
			*v = *v << 8 | b[(off + 2 + j) & XH_KRB_MASK];
	return 0;
}

/* The account an AS-REQ (RFC 4120 5.4.1) at the start of @b (@n bytes, at
 * most XH_KRB_REQ_WIN) logs on as: the offset of its cname's first name
 * component in @b (*@name_off) and its length, at most XH_KRB_NAME_MAX;
 * -1 when @b holds none. *@pa_off is where its padata's SEQUENCE OF starts,
 * 0 without padata. [APPLICATION 10] SEQUENCE { [1] pvno, [2] msg-type,
 * [3] padata OPTIONAL, [4] req-body SEQUENCE { [0] kdc-options, [1] cname
 * SEQUENCE { [0] name-type, [1] name-string SEQUENCE OF GeneralString },
 * ... } }. */
static __always_inline int xh_krb_as_req_name(const __u8 *b, __u32 n, __u32 *name_off,
					      __u32 *pa_off)
{
	__u32 off = 0;
	int len;

	if (n > XH_KRB_REQ_WIN || xh_der_enter(b, &off, n, XH_KRB_TAG_AS_REQ) < 0 ||
	    xh_der_enter(b, &off, n, 0x30) < 0)
		return -1;
	/* pvno, msg-type and padata, each once, in order */
	for (int i = 0; i < 3; i++) {
		if (off >= n || b[off & XH_KRB_MASK] == 0xa4)
			break;
		if (i == 2) {
			len = xh_der_enter(b, &off, n, 0xa3);
			if (len < 0)
				return -1;
			*pa_off = off;
			off += len;
			continue;
		}
		if (xh_der_skip(b, &off, n, 0xa1 + i) < 0)
			return -1;
	}
	if (xh_der_enter(b, &off, n, 0xa4) < 0 || xh_der_enter(b, &off, n, 0x30) < 0 ||
	    xh_der_skip(b, &off, n, 0xa0) < 0 || xh_der_enter(b, &off, n, 0xa1) < 0 ||
	    xh_der_enter(b, &off, n, 0x30) < 0 || xh_der_skip(b, &off, n, 0xa0) < 0 ||
	    xh_der_enter(b, &off, n, 0xa1) < 0 || xh_der_enter(b, &off, n, 0x30) < 0)
		return -1;
	len = xh_der_enter(b, &off, n, 0x1b);
	if (len > XH_KRB_NAME_MAX)
		len = XH_KRB_NAME_MAX;
	if (len < 1 || off + len > n)
		return -1;
	*name_off = off;
	return len;
}

/* Whether the padata at @off of @scr (@n bytes read; from
 * xh_krb_as_req_name()) pre-authenticates the client: a PA-DATA of type
 * PA-ENC-TIMESTAMP (2, a password's), PA-PK-AS-REQ (16, and 15 of old:
 * PKINIT), PA-FX-FAST (136) or PA-ENCRYPTED-CHALLENGE (138). 1 also when
 * the padata cannot be read whole (it is then not known to lack one); 0
 * when every PA-DATA is another (PA-PAC-REQUEST 128, PA-PAC-OPTIONS 167):
 * the request of a client that does not prove its key, as AS-REP roasting
 * (Impacket's GetNPUsers, Rubeus asreproast) and every first Windows try
 * send. A global function: verified once. */
__noinline int xh_krb_preauth(const struct xh_krb_scratch *scr, __u32 off, __u32 n)
{
	__u32 end, item_end, type;
	int len;

	if (!scr || n > XH_KRB_REQ_WIN)
		return 1;
	len = xh_der_enter(scr->buf, &off, n, 0x30);
	if (len < 0 || off + len > n)
		return 1;
	end = off + len;
	/* Windows sends two or three PA-DATA, tools one or two. */
	for (int i = 0; i < 6; i++) {
		if (off >= end)
			return 0;
		len = xh_der_enter(scr->buf, &off, n, 0x30);
		if (len < 0)
			return 1;
		item_end = off + len;
		/* [1] padata-type INTEGER, one or two bytes */
		if (xh_der_enter(scr->buf, &off, n, 0xa1) < 0 ||
		    xh_der_uint(scr->buf, off, n, 2, 0, &type) < 0)
			return 1;
		if (type == 2 || type == 15 || type == 16 || type == 136 || type == 138)
			return 1;
		off = item_end;
		if (off > XH_KRB_REQ_WIN)
			return 1;
	}
	return 1;
}

/* FNV-1a of the @len bytes (at most XH_KRB_NAME_MAX) at @off of @scr,
 * ASCII letters in lower case (account names are case-insensitive); never
 * 0, so a kept hash is told from none. A global function: the verifier
 * walks its loop once, not once per offset and length the DER walk can
 * give (38k instructions). */
__noinline __u32 xh_krb_name_hash(const struct xh_krb_scratch *scr, __u32 off, __u32 len)
{
	__u32 h = XH_FNV_OFFSET;

	if (!scr)
		return 0;
	for (__u32 i = 0; i < XH_KRB_NAME_MAX; i++) {
		__u8 c;

		if (i >= len)
			break;
		c = scr->buf[(off + i) & XH_KRB_MASK];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h = (h ^ c) * XH_FNV_PRIME;
	}
	return h ? h : 1;
}

/* RFC 3961 8 and RFC 4757: the encryption types of DES and RC4, whose
 * tickets are cracked offline (AES's are too, but thousands of times
 * slower, and Kerberoasting tools ask for RC4). */
static __always_inline int xh_krb_weak_etype(__u32 etype)
{
	return etype == 1 || etype == 2 || etype == 3 || etype == 23 || etype == 24;
}

/* The ticket of the TGS-REP (RFC 4120 5.4.2) whose first @n bytes are in
 * @scr (from xh_krb_load()): its enc-part's etype, with 0x10000 set when its
 * service (the sname's first component) is krbtgt; -1 when it cannot be
 * read. [APPLICATION 13] SEQUENCE { [0] pvno, [1] msg-type, [2] padata
 * OPTIONAL, [3] crealm, [4] cname, [5] ticket [APPLICATION 1] SEQUENCE {
 * [0] tkt-vno, [1] realm, [2] sname PrincipalName, [3] enc-part SEQUENCE {
 * [0] etype INTEGER, ... } }, [6] enc-part }. The padata (a FAST reply,
 * a few hundred bytes, when the client armoured its request) is skipped by
 * its length: the message is read again from the crealm on, up to
 * XH_KRB_REQ_WIN bytes of @pkt's segment or datagram into @scr->buf, and
 * @scr->from and @scr->len say which. A global function: verified once. */
__noinline int xh_krb_ticket(struct xdp_md *ctx, const struct xh_pkt *pkt,
			     struct xh_krb_scratch *scr, __u32 n)
{
	__u32 off = 0, from, avail, end, etype = 0, head;
	int len, krbtgt = 0;

	if (!ctx || !pkt || !scr || n > XH_KRB_REQ_WIN)
		return -1;
	if (xh_der_enter(scr->buf, &off, n, XH_KRB_TAG_TGS_REP) < 0 ||
	    xh_der_enter(scr->buf, &off, n, 0x30) < 0 || xh_der_skip(scr->buf, &off, n, 0xa0) < 0 ||
	    xh_der_skip(scr->buf, &off, n, 0xa1) < 0)
		return -1;
	if (off < n && scr->buf[off & XH_KRB_MASK] == 0xa2) {
		len = xh_der_enter(scr->buf, &off, n, 0xa2);
		if (len < 0)
			return -1;
		off += len;
	}
	/* The crealm on, from the segment or datagram (its rest, past the
	 * record mark over TCP). */
	head = xh_krb_head(pkt);
	from = off;
	if (pkt->payload_len < head + from + XH_KRB_MIN)
		return -1;
	avail = pkt->payload_len - head - from;
	if (avail > XH_KRB_REQ_WIN)
		avail = XH_KRB_REQ_WIN;
	if (bpf_xdp_load_bytes(ctx, (pkt->payload_off & XH_PARSE_MAX_OFF) + head + from, scr->buf,
			       XH_SIZE_NZ(avail, XH_KRB_REQ_WIN)))
		return -1;
	scr->from = from;
	scr->len = avail;
	n = avail;
	off = 0;
	if (xh_der_skip(scr->buf, &off, n, 0xa3) < 0 || xh_der_skip(scr->buf, &off, n, 0xa4) < 0 ||
	    xh_der_enter(scr->buf, &off, n, 0xa5) < 0 ||
	    xh_der_enter(scr->buf, &off, n, 0x61) < 0 ||
	    xh_der_enter(scr->buf, &off, n, 0x30) < 0 || xh_der_skip(scr->buf, &off, n, 0xa0) < 0 ||
	    xh_der_skip(scr->buf, &off, n, 0xa1) < 0)
		return -1;
	/* [2] sname SEQUENCE { [0] name-type, [1] SEQUENCE OF KerberosString } */
	len = xh_der_enter(scr->buf, &off, n, 0xa2);
	if (len < 0)
		return -1;
	end = off + len;
	if (xh_der_enter(scr->buf, &off, n, 0x30) < 0 || xh_der_skip(scr->buf, &off, n, 0xa0) < 0 ||
	    xh_der_enter(scr->buf, &off, n, 0xa1) < 0 || xh_der_enter(scr->buf, &off, n, 0x30) < 0)
		return -1;
	len = xh_der_enter(scr->buf, &off, n, 0x1b);
	if (len == 6 && off + 6 <= n) {
		const __u8 *c = scr->buf;

		/* letters in any case: | 0x20 */
		krbtgt = (c[off & XH_KRB_MASK] | 0x20) == 'k' &&
			 (c[(off + 1) & XH_KRB_MASK] | 0x20) == 'r' &&
			 (c[(off + 2) & XH_KRB_MASK] | 0x20) == 'b' &&
			 (c[(off + 3) & XH_KRB_MASK] | 0x20) == 't' &&
			 (c[(off + 4) & XH_KRB_MASK] | 0x20) == 'g' &&
			 (c[(off + 5) & XH_KRB_MASK] | 0x20) == 't';
	}
	off = end;
	/* [3] enc-part SEQUENCE { [0] etype INTEGER } */
	if (off > XH_KRB_REQ_WIN || xh_der_enter(scr->buf, &off, n, 0xa3) < 0 ||
	    xh_der_enter(scr->buf, &off, n, 0x30) < 0 ||
	    xh_der_enter(scr->buf, &off, n, 0xa0) < 0 ||
	    xh_der_uint(scr->buf, off, n, 4, 1, &etype) < 0 || etype > 0xffff)
		return -1;
	return (int)etype | (krbtgt ? 0x10000 : 0);
}

/* The error-code of the KRB-ERROR (RFC 4120 5.9.1) at the start of @b (@n
 * bytes, at most XH_KRB_WIN), or -1 when @b holds none: [APPLICATION 30]
 * SEQUENCE { [0] pvno, [1] msg-type, [2] ctime OPTIONAL, [3] cusec
 * OPTIONAL, [4] stime, [5] susec, [6] error-code INTEGER, ... }. */
static __always_inline int xh_krb_error_code(const __u8 *b, __u32 n)
{
	__u32 off = 1, v = 0;
	int len;

	if (n < 2 || n > XH_KRB_WIN || b[0] != XH_KRB_TAG_KRB_ERROR)
		return -1;
	if (xh_der_len(b, &off, n) < 0 || xh_der_enter(b, &off, n, 0x30) < 0)
		return -1;
	/* the fields before the code, each once, in order */
	for (int i = 0; i < 7; i++) {
		__u8 tag;

		if (off + 2 > n)
			return -1;
		tag = b[off & XH_KRB_MASK];
		off++;
		len = xh_der_len(b, &off, n);
		if (len < 0)
			return -1;
		if (tag != 0xa6) {
			if (tag < 0xa0 || tag > 0xa5)
				return -1;
			off += len;
			continue;
		}
		/* [6] INTEGER: non-negative, up to 4 bytes */
		if (xh_der_uint(b, off, n, 4, 1, &v) < 0)
			return -1;
		return (int)v;
	}
	return -1;
}

/* Could @pkt, a TCP segment or UDP datagram, be a client's request (or a
 * TGS-REQ's later segment) or a KDC's answer that a Kerberos rule reads?
 * Its ports and length only, in the entry point. */
static __always_inline int xh_krb_candidate(const struct xh_pkt *pkt)
{
	/* a client's segment of any length: the end of a TGS-REQ's req-body
	 * may come in a short one */
	return (pkt->sport == bpf_htons(XH_KRB_PORT) && pkt->payload_len >= XH_KRB_MIN) ||
	       (pkt->dport == bpf_htons(XH_KRB_PORT) && pkt->payload_len);
}

/* Up to @win bytes of the Kerberos message @pkt carries into @scr (over TCP
 * past the record mark of RFC 4120 7.2.2, which gives the message's
 * length: at least the segment's rest, for a message may go on in the next
 * segment). *@msg_len (unless NULL) is the message's length from the mark,
 * or the datagram's from its UDP header (more than @pkt holds when it is a
 * first IP fragment). Returns the bytes read, or 0. */
static __always_inline __u32 xh_krb_load(struct xdp_md *ctx, const struct xh_pkt *pkt,
					 struct xh_krb_scratch *scr, __u32 win, __u32 *msg_len)
{
	__u32 off = pkt->payload_off & XH_PARSE_MAX_OFF, n = pkt->payload_len, mark;

	if (pkt->proto == IPPROTO_TCP) {
		if (n < XH_KRB_RECORD_MARK + XH_KRB_MIN ||
		    bpf_xdp_load_bytes(ctx, off, scr->buf, XH_KRB_RECORD_MARK))
			return 0;
		mark = (__u32)scr->buf[0] << 24 | (__u32)scr->buf[1] << 16 |
		       (__u32)scr->buf[2] << 8 | scr->buf[3];
		if (mark < n - XH_KRB_RECORD_MARK)
			return 0;
		off += XH_KRB_RECORD_MARK;
		n -= XH_KRB_RECORD_MARK;
	} else {
		__be16 ulen;

		/* The datagram's length from its UDP header's length field, 4
		 * bytes before the payload: past the bytes here when they are
		 * a first IP fragment's (a KDC's reply over UDP larger than
		 * the MTU) */
		if (bpf_xdp_load_bytes(ctx, off - 4, &ulen, sizeof(ulen)))
			return 0;
		mark = bpf_ntohs(ulen) >= 8 + n ? bpf_ntohs(ulen) - 8 : n;
	}
	if (msg_len)
		*msg_len = mark;
	if (n < XH_KRB_MIN)
		return 0;
	if (n > win)
		n = win;
	if (bpf_xdp_load_bytes(ctx, off, scr->buf, XH_SIZE_NZ(n, XH_KRB_REQ_WIN)))
		return 0;
	return n;
}

/* An event of @rule, client -> KDC, for the message @pkt of the flow @key
 * (whose first endpoint is the client when @client_is_s: for an answer,
 * KDC -> client, when xh_flow_key_make() said @pkt's source is not),
 * carrying @scr->buf's first @n bytes, which are those of the message
 * (@msg_len in all, of type @msg_type) from its byte @from, and the
 * preferred etype of the flow's TGS-REQ when @req (the flow's xh_krb_req,
 * or NULL) holds one. 1 when it emitted. */
_Static_assert(XH_KRB_REQ_WIN <= XH_EVENT_NAME_MAX, "a message's bytes read fit name[]");
static __always_inline int xh_krb_emit(struct xdp_md *ctx, const struct xh_pkt *pkt,
				       const struct xh_flow_key *key, int client_is_s, __u8 rule,
				       const struct xh_krb_scratch *scr, __u32 n, __u32 from,
				       __u32 msg_len, __u8 msg_type, __u8 etype,
				       const struct xh_krb_req *req, struct xh_stats *stats)
{
	struct xh_flow_state st = {};
	struct xh_event *e;

	st.initiator = client_is_s ? XH_INIT_SRC : XH_INIT_DST;
	e = xh_event_reserve(ctx, pkt, key, &st, rule, 0, stats, XH_EVENT_NAMED_SIZE);
	if (!e)
		return 0;
	e->detail_kind = XH_DETAIL_KRB;
	e->d.krb.msg_len = msg_len;
	e->d.krb.from = (__u16)from;
	e->d.krb.msg_type = msg_type;
	e->d.krb.etype = etype;
	if (req && (req->flags & XH_KRB_REQ_F_TGS_REQ)) {
		e->d.krb.req_etype = req->req_etype;
		e->d.krb.req_seen = 1;
	}
	__builtin_memcpy(e->name, scr->buf, XH_KRB_REQ_WIN);
	e->name_len = (__u16)(n & 0x1ff);
	xh_event_submit(e, XH_EVENT_NAMED_SIZE, stats);
	return 1;
}

/* The first (the client's preferred) etype of the TGS-REQ req-body whose
 * first @n bytes are in @scr->buf, from its [4] tag (RFC 4120 5.4.1: [4]
 * SEQUENCE { [0] kdc-options, [1] cname OPTIONAL, [2] realm, [3] sname
 * OPTIONAL, [4] from OPTIONAL, [5] till, [6] rtime OPTIONAL, [7] nonce, [8]
 * etype SEQUENCE OF Int32, ... }), into @scr->etype: 1 when it is RC4's or
 * DES', 0 when another's, -1 when the @n bytes hold no list (malformed, or
 * it lies past them). A global function: verified once. */
__noinline int xh_krb_body_etype(struct xh_krb_scratch *scr, __u32 n)
{
	__u32 off = 0, v = 0;
	int ilen;

	if (!scr || n > XH_KRB_BODY_WIN)
		return -1;
	if (xh_der_enter(scr->buf, &off, n, 0xa4) < 0 || xh_der_enter(scr->buf, &off, n, 0x30) < 0)
		return -1;
	/* the fields before the list, each at most once */
	for (int i = 0; i < 8; i++) {
		__u8 tag;

		if (off >= n)
			return -1;
		tag = scr->buf[off & XH_KRB_MASK];
		if (tag == 0xa8)
			break;
		if (tag < 0xa0 || tag > 0xa7 || xh_der_skip(scr->buf, &off, n, tag) < 0)
			return -1;
	}
	if (xh_der_enter(scr->buf, &off, n, 0xa8) < 0 || xh_der_enter(scr->buf, &off, n, 0x30) < 0)
		return -1;
	/* Int32, one to four bytes of two's complement (MIT lists -135) */
	if (off + 2 > n || scr->buf[off & XH_KRB_MASK] != 0x02)
		return -1;
	ilen = scr->buf[(off + 1) & XH_KRB_MASK];
	if (ilen < 1 || ilen > 4 || off + 2 + ilen > n)
		return -1;
	for (int j = 0; j < 4; j++)
		if (j < ilen)
			v = v << 8 | scr->buf[(off + 2 + j) & XH_KRB_MASK];
	if (ilen < 4 && (scr->buf[(off + 2) & XH_KRB_MASK] & 0x80))
		v |= ~0u << (8 * ilen);
	scr->etype = (int)v;
	return xh_krb_weak_etype(v);
}

/* Where the req-body of the TGS-REQ whose first @n bytes are in @b starts
 * in the message, past pvno, msg-type and the padata ([APPLICATION 12]
 * SEQUENCE { [1] pvno, [2] msg-type, [3] padata OPTIONAL, [4] req-body });
 * -1 when the bytes start no TGS-REQ. */
static __always_inline int xh_krb_tgs_body_off(const __u8 *b, __u32 n)
{
	__u32 off = 0;
	int len;

	if (xh_der_enter(b, &off, n, XH_KRB_TAG_TGS_REQ) < 0 ||
	    xh_der_enter(b, &off, n, 0x30) < 0 || xh_der_skip(b, &off, n, 0xa1) < 0 ||
	    xh_der_skip(b, &off, n, 0xa2) < 0)
		return -1;
	if (off < n && b[off & XH_KRB_MASK] == 0xa3) {
		len = xh_der_enter(b, &off, n, 0xa3);
		if (len < 0)
			return -1;
		off += len;
	}
	return off > 0xffff ? -1 : (int)off;
}

/* The TCP sequence number of @pkt's first payload byte into *@seq; 0, or
 * -1. */
static __always_inline int xh_tcp_seq(struct xdp_md *ctx, const struct xh_pkt *pkt, __u32 *seq)
{
	__be32 v;

	if (bpf_xdp_load_bytes(ctx, (pkt->l4_off & XH_PARSE_MAX_OFF) + 4, &v, sizeof(v)))
		return -1;
	*seq = bpf_ntohl(v);
	return 0;
}

/* kerberos.weak_request's verdict on the req-body of a TGS-REQ on @pkt's
 * flow @key (client -> KDC; @src_is_s as xh_flow_key_make() said), whose
 * first @n bytes are in @scr->buf (@from: its
 * offset in the message of @msg_len bytes): once per flow, noted in
 * xh_krb_req, where the preferred etype is kept for the KDC's answer
 * (kerberos.weak_ticket says it). 1 when it emitted, 0 when not, -1 when
 * the @n bytes hold no etype list. */
static __always_inline int xh_krb_tgs_verdict(struct xdp_md *ctx, const struct xh_pkt *pkt,
					      const struct xh_flow_key *key, int src_is_s,
					      struct xh_krb_scratch *scr, __u32 n, __u32 from,
					      __u32 msg_len, struct xh_stats *stats)
{
	struct xh_krb_req fresh = {.flags = XH_KRB_REQ_F_TGS_REQ}, *req;
	int weak = xh_krb_body_etype(scr, n);

	if (weak < 0)
		return -1;
	stats->krb[XH_KRB_CNT_TGS_REQ]++;
	if (weak)
		stats->krb[XH_KRB_CNT_WEAK_REQUEST]++;
	req = bpf_map_lookup_elem(&xh_krb_req, key);
	if (req) {
		req->req_etype = scr->etype;
		req->flags |= XH_KRB_REQ_F_TGS_REQ;
		if (!weak || (req->flags & XH_KRB_REQ_F_WEAK_REQUEST))
			return 0;
		req->flags |= XH_KRB_REQ_F_WEAK_REQUEST;
	} else {
		fresh.req_etype = scr->etype;
		if (weak)
			fresh.flags |= XH_KRB_REQ_F_WEAK_REQUEST;
		bpf_map_update_elem(&xh_krb_req, key, &fresh, BPF_ANY);
		if (!weak)
			return 0;
	}
	/* a request: its source is the client */
	return xh_krb_emit(ctx, pkt, key, src_is_s, XH_RULE_KRB_WEAK_REQUEST, scr, n, from, msg_len,
			   12, (__u8)scr->etype, NULL, stats);
}

/* The TGS-REQ whose first @n bytes xh_krb_load() put in xh_krbscr's buf
 * (@msg_len in all): its req-body read in this segment or datagram, or,
 * over TCP, waited for in the flow's next segments (xh_krb_pend,
 * xh_krb_tgs_more()). Returns 1 when it emitted. A global function:
 * verified once. It looks the scratch up itself: a pointer passed in is
 * memory to Linux 6.1's verifier, which takes no such value for a map
 * update. */
__noinline int xh_krb_tgs_req(struct xdp_md *ctx, const struct xh_pkt *pkt, __u32 n, __u32 msg_len)
{
	struct xh_krb_scratch *scr;
	struct xh_flow_key key;
	struct xh_stats *stats;
	__u32 zero = 0, head, from, here, avail = 0, seq;
	int off, r, src_is_s;

	if (!ctx || !pkt || n > XH_KRB_REQ_WIN)
		return 0;
	stats = bpf_map_lookup_elem(&xh_counters, &zero);
	scr = bpf_map_lookup_elem(&xh_krbscr, &zero);
	if (!stats || !scr)
		return 0;
	off = xh_krb_tgs_body_off(scr->buf, n);
	if (off < 0 || (__u32)off >= msg_len)
		return 0;
	from = off;
	src_is_s = xh_flow_key_make(pkt, &key);
	head = xh_krb_head(pkt);
	here = pkt->payload_len - head; /* the message's bytes here: at least XH_KRB_MIN */
	if (from < here) {
		avail = here - from;
		if (avail > XH_KRB_BODY_WIN)
			avail = XH_KRB_BODY_WIN;
		if (bpf_xdp_load_bytes(ctx, (pkt->payload_off & XH_PARSE_MAX_OFF) + head + from,
				       scr->buf, XH_SIZE_NZ(avail, XH_KRB_BODY_WIN)))
			return 0;
		r = xh_krb_tgs_verdict(ctx, pkt, &key, src_is_s, scr, avail, from, msg_len, stats);
		if (r >= 0)
			return r;
	}
	/* The list lies past this segment: over TCP, wait for the next. */
	if (pkt->proto != IPPROTO_TCP || avail >= XH_KRB_BODY_WIN || from + avail >= msg_len ||
	    xh_tcp_seq(ctx, pkt, &seq)) {
		stats->krb[XH_KRB_CNT_TGS_REQ_UNREAD]++;
		return 0;
	}
	stats->krb[XH_KRB_CNT_TGS_REQ_SPLIT]++;
	__builtin_memcpy(scr->pend.buf, scr->buf, XH_KRB_BODY_WIN);
	scr->pend.seq = seq + pkt->payload_len;
	if (!avail)
		scr->pend.seq = seq + head + from;
	scr->pend.msg_len = msg_len;
	scr->pend.from = (__u16)from;
	scr->pend.have = (__u16)avail;
	scr->pend.segs = 0;
	bpf_map_update_elem(&xh_krb_pend, &key, &scr->pend, BPF_ANY);
	return 0;
}

/* A client's segment on a flow whose TGS-REQ's req-body xh_krb_pend waits
 * for: the bytes it holds of it added to those kept, the verdict taken once
 * the etype list is whole. Returns 1 when it emitted, 0 otherwise; -1 when
 * nothing waits, or the wait ended here because a segment was lost (the
 * segment may start a message). A global function: verified once. */
__noinline int xh_krb_tgs_more(struct xdp_md *ctx, const struct xh_pkt *pkt,
			       struct xh_krb_scratch *scr)
{
	struct xh_krb_pend *pend;
	struct xh_flow_key key;
	struct xh_stats *stats;
	__u32 zero = 0, seq, d, have, take, n, from, msg_len;
	int r, src_is_s;

	if (!ctx || !pkt || !scr)
		return -1;
	src_is_s = xh_flow_key_make(pkt, &key);
	pend = bpf_map_lookup_elem(&xh_krb_pend, &key);
	stats = bpf_map_lookup_elem(&xh_counters, &zero);
	if (!pend || !stats)
		return -1;
	if (xh_tcp_seq(ctx, pkt, &seq))
		return 0;
	/* the wanted byte's offset in this segment */
	d = pend->seq - seq;
	if ((__s32)d < 0) {
		/* this segment starts past it: the one that held it was lost */
		bpf_map_delete_elem(&xh_krb_pend, &key);
		stats->krb[XH_KRB_CNT_TGS_REQ_UNREAD]++;
		return -1;
	}
	if (d >= pkt->payload_len) {
		/* the padata's middle, or a segment sent again */
		if (++pend->segs > XH_KRB_PEND_SEGS) {
			bpf_map_delete_elem(&xh_krb_pend, &key);
			stats->krb[XH_KRB_CNT_TGS_REQ_UNREAD]++;
		}
		return 0;
	}
	have = pend->have & XH_KRB_MASK;
	from = pend->from;
	msg_len = pend->msg_len;
	take = pkt->payload_len - d;
	if (take > XH_KRB_BODY_WIN - have)
		take = XH_KRB_BODY_WIN - have;
	__builtin_memcpy(scr->buf, pend->buf, XH_KRB_BODY_WIN);
	if (bpf_xdp_load_bytes(ctx, (pkt->payload_off & XH_PARSE_MAX_OFF) + (d & 0xffff),
			       scr->buf + have, XH_SIZE_NZ(take, XH_KRB_BODY_WIN)))
		return 0;
	n = have + take;
	r = xh_krb_tgs_verdict(ctx, pkt, &key, src_is_s, scr, n, from, msg_len, stats);
	if (r >= 0 || n >= XH_KRB_BODY_WIN || from + n >= msg_len ||
	    ++pend->segs > XH_KRB_PEND_SEGS) {
		if (r < 0)
			stats->krb[XH_KRB_CNT_TGS_REQ_UNREAD]++;
		bpf_map_delete_elem(&xh_krb_pend, &key);
		return r > 0;
	}
	__builtin_memcpy(pend->buf, scr->buf, XH_KRB_BODY_WIN);
	pend->have = (__u16)n;
	pend->seq = seq + pkt->payload_len;
	return 0;
}

/* A client's request @pkt (client -> KDC) that starts a message: an
 * AS-REQ's account, and whether it pre-authenticates, kept by flow for the
 * KDC's answer; a TGS-REQ's etypes read (xh_krb_tgs_req()). Returns 1 when
 * it emitted. */
static __always_inline int xh_krb_request(struct xdp_md *ctx, const struct xh_pkt *pkt,
					  struct xh_krb_scratch *scr, struct xh_stats *stats)
{
	struct xh_krb_req req = {};
	struct xh_flow_key key;
	__u32 n, name_off = 0, pa_off = 0, msg_len = 0;
	int len;

	n = xh_krb_load(ctx, pkt, scr, XH_KRB_REQ_WIN, &msg_len);
	if (!n)
		return 0;
	if (scr->buf[0] == XH_KRB_TAG_TGS_REQ)
		return xh_krb_tgs_req(ctx, pkt, n, msg_len);
	len = xh_krb_as_req_name(scr->buf, n, &name_off, &pa_off);
	if (len < 0)
		return 0;
	req.name_hash = xh_krb_name_hash(scr, name_off, len);
	stats->krb[XH_KRB_CNT_AS_REQ]++;
	if (!pa_off || !xh_krb_preauth(scr, pa_off, n)) {
		req.flags = XH_KRB_REQ_F_NO_PREAUTH;
		stats->krb[XH_KRB_CNT_NO_PREAUTH]++;
	}
	xh_flow_key_make(pkt, &key);
	bpf_map_update_elem(&xh_krb_req, &key, &req, BPF_ANY);
	return 0;
}

/* kerberos.weak_ticket: the TGS-REP @pkt (KDC -> client; its first @n
 * bytes in @scr) issues a service's ticket in RC4 or DES on the flow @key
 * (@src_is_s as for xh_krb_emit()): once per flow, noted in xh_krb_req,
 * with what the flow's TGS-REQ preferred when it was read. 1 when it
 * emitted. */
static __always_inline int xh_krb_weak_ticket(struct xdp_md *ctx, const struct xh_pkt *pkt,
					      struct xh_krb_scratch *scr, __u32 n, __u32 msg_len,
					      const struct xh_flow_key *key, int src_is_s,
					      struct xh_stats *stats)
{
	struct xh_krb_req fresh = {.flags = XH_KRB_REQ_F_WEAK_TICKET}, *req;
	int t = xh_krb_ticket(ctx, pkt, scr, n);

	if (t < 0)
		return 0;
	stats->krb[XH_KRB_CNT_TGS_REP]++;
	/* krbtgt's (a referral to another realm) has a machine's key */
	if ((t & 0x10000) || !xh_krb_weak_etype(t & 0xffff))
		return 0;
	stats->krb[XH_KRB_CNT_WEAK_TICKET]++;
	req = bpf_map_lookup_elem(&xh_krb_req, key);
	if (req) {
		if (req->flags & XH_KRB_REQ_F_WEAK_TICKET)
			return 0;
		req->flags |= XH_KRB_REQ_F_WEAK_TICKET;
	} else {
		bpf_map_update_elem(&xh_krb_req, key, &fresh, BPF_ANY);
	}
	/* scr->len: at most XH_KRB_REQ_WIN (xh_krb_ticket()) */
	return xh_krb_emit(ctx, pkt, key, !src_is_s, XH_RULE_KRB_WEAK_TICKET, scr, scr->len,
			   scr->from, msg_len, 13, (__u8)t, req, stats);
}

/* A client's segment or datagram to port 88: the next segment of a TGS-REQ
 * whose req-body xh_krb_pend waits for, or a request that starts a message
 * (xh_krb_request()). Called by xh_window_rules(), apart from xh_krb(): the
 * TGS-REQ's calls below xh_krb()'s frame would pass the 512 bytes of stack
 * Linux 6.1 allows a call chain. Returns 1 when it emitted. */
__noinline int xh_krb_client(struct xdp_md *ctx, const struct xh_pkt *pkt)
{
	struct xh_krb_scratch *scr;
	struct xh_stats *stats;
	__u32 zero = 0;

	if (!pkt)
		return 0;
	stats = bpf_map_lookup_elem(&xh_counters, &zero);
	scr = bpf_map_lookup_elem(&xh_krbscr, &zero);
	if (!stats || !scr)
		return 0;
	if (pkt->proto == IPPROTO_TCP) {
		int r = xh_krb_tgs_more(ctx, pkt, scr);

		if (r >= 0)
			return r;
	}
	return xh_krb_request(ctx, pkt, scr, stats);
}

/* A KDC's answer @pkt (from port 88): an AS-REP answering a request
 * without pre-authentication is kerberos.no_preauth's, a TGS-REP with a
 * service's ticket in RC4 or DES kerberos.weak_ticket's, and a KRB-ERROR of
 * a failed logon is counted for kerberos.brute_force (its client is the
 * packet's destination). Called by xh_window_rules(). Returns 1 when it
 * emitted. */
__noinline int xh_krb(struct xdp_md *ctx, const struct xh_pkt *pkt)
{
	struct xh_sweep_src_key sk = {};
	struct xh_krb_acct_key ak = {};
	struct xh_krb_scratch *scr;
	struct xh_flow_key key;
	struct xh_sweep_src *src;
	struct xh_stats *stats;
	struct xh_krb_req *req;
	__u64 start, *counted;
	__u32 zero = 0, n, msg_len = 0;
	int code, src_is_s;
	long old;

	if (!pkt)
		return 0;
	stats = bpf_map_lookup_elem(&xh_counters, &zero);
	scr = bpf_map_lookup_elem(&xh_krbscr, &zero);
	if (!stats || !scr)
		return 0;
	n = xh_krb_load(ctx, pkt, scr, XH_KRB_REQ_WIN, &msg_len);
	if (!n)
		return 0;
	src_is_s = xh_flow_key_make(pkt, &key);
	/* An AS-REP or TGS-REP whose DER length is the message's (the record
	 * mark's, or the datagram's): a segment that goes on with another
	 * message's bytes is told from one that starts it. */
	if (scr->buf[0] == XH_KRB_TAG_AS_REP || scr->buf[0] == XH_KRB_TAG_TGS_REP) {
		__u32 off = 1;
		int len = xh_der_len(scr->buf, &off, n);

		if (len < 0 || off + len != msg_len)
			return 0;
		if (scr->buf[0] == XH_KRB_TAG_TGS_REP)
			return xh_krb_weak_ticket(ctx, pkt, scr, n, msg_len, &key, src_is_s, stats);
		stats->krb[XH_KRB_CNT_AS_REP]++;
		req = bpf_map_lookup_elem(&xh_krb_req, &key);
		if (!req || !(req->flags & XH_KRB_REQ_F_NO_PREAUTH))
			return 0;
		/* kerberos.no_preauth: once, the flow's request forgotten */
		bpf_map_delete_elem(&xh_krb_req, &key);
		return xh_krb_emit(ctx, pkt, &key, !src_is_s, XH_RULE_KRB_NO_PREAUTH, scr, n, 0,
				   msg_len, 11, 0, NULL, stats);
	}
	/* A KDC sends an error whole, in one segment or datagram. */
	if (msg_len != pkt->payload_len - xh_krb_head(pkt))
		return 0;
	code = xh_krb_error_code(scr->buf, n < XH_KRB_WIN ? n : XH_KRB_WIN);
	if (code < 0)
		return 0;
	stats->krb[XH_KRB_CNT_ERROR]++;
	if (code == XH_KRB_ERR_PREAUTH_FAILED)
		stats->krb[XH_KRB_CNT_PREAUTH_FAILED]++;
	else if (code == XH_KRB_ERR_CLIENT_REVOKED)
		stats->krb[XH_KRB_CNT_CLIENT_REVOKED]++;
	else if (code == XH_KRB_ERR_C_PRINCIPAL_UNKNOWN)
		stats->krb[XH_KRB_CNT_PRINCIPAL_UNKNOWN]++;
	else
		return 0;
	/* --kerberos-brute-force off: constant at load */
	if (!xh_cfg_krbbrute_threshold)
		return 0;
	/* The answer goes KDC -> client: the client is its destination; its
	 * window apart from its SMB logons' (port 0) in xh_brute_src. */
	__builtin_memcpy(sk.addr, pkt->daddr, sizeof(sk.addr));
	sk.family = pkt->family;
	sk.port = bpf_htons(XH_KRB_PORT);
	src = xh_window_get(&xh_brute_src, &sk, xh_now_ns(), xh_cfg_krbbrute_window_ns);
	if (!src)
		return 0;
	/* The account of the request it answers, if that was seen: counted
	 * once per window. */
	req = bpf_map_lookup_elem(&xh_krb_req, &key);
	/* (a flow's entry that only says a ticket rule reported has no account) */
	if (req && req->name_hash) {
		stats->krb[XH_KRB_CNT_FAILURE_NAMED]++;
		__builtin_memcpy(ak.addr, pkt->daddr, sizeof(ak.addr));
		ak.family = pkt->family;
		ak.name_hash = req->name_hash;
		start = src->window_start_ns;
		counted = bpf_map_lookup_elem(&xh_krb_accts, &ak);
		if (!counted || *counted != start) {
			bpf_map_update_elem(&xh_krb_accts, &ak, &start, BPF_ANY);
			__sync_fetch_and_add(&src->accounts, 1);
		}
	}
	old = __sync_fetch_and_add(&src->distinct, 1);
	if (old + 1 != xh_cfg_krbbrute_threshold)
		return 0;
	return xh_window_event(ctx, pkt, 0, XH_SVC_NONE, XH_RULE_KRB_BRUTE_FORCE, old + 1,
			       xh_cfg_krbbrute_threshold, xh_cfg_krbbrute_window_ns, src->accounts,
			       stats);
}

/* The window rules of a packet the entry point marked: a client probe
 * (XH_PKT_PROBE: scan.service_sweep, scan.port_scan) or a Kerberos request
 * or answer (XH_PKT_KRB: kerberos.brute_force). One global function, called after
 * xh_hunt() or in the shortcut of packets no other rule can match: each
 * call site the entry point decides costs every packet (a second one put
 * 15 ns on test-run's SMB tree connect, which is neither). Returns the
 * events it made. */
__noinline int xh_window_rules(struct xdp_md *ctx, const struct xh_pkt *pkt)
{
	if (!pkt)
		return 0;
	if (pkt->pflags & XH_PKT_KRB)
		return pkt->dport == bpf_htons(XH_KRB_PORT) ? xh_krb_client(ctx, pkt)
							    : xh_krb(ctx, pkt);
	return xh_probe(ctx, pkt);
}

#endif /* XH_KERBEROS_BPF_H */
