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
 * sweep's window code (bpf/sweep.bpf.h). */
#ifndef XH_KERBEROS_BPF_H
#define XH_KERBEROS_BPF_H

#include "maps.bpf.h"
#include "sweep.bpf.h"
#include "compat61.bpf.h"

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

/* Set through the skeleton's rodata before load (user/loader.c). As
 * smb.brute_force's: a user who mistypes fails once or twice, kerbrute
 * hundreds of times a second. */
const volatile __u32 xh_cfg_krbbrute_threshold = 10;
const volatile __u64 xh_cfg_krbbrute_window_ns = 60ULL * 1000000000ULL;

struct xh_krb_scratch {
	__u8 buf[128]; /* XH_KRB_WIN bytes, indexes masked to 127 */
};

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
	v = b[o & 127];
	if (v < 0x80) {
		*off = o + 1;
		return v;
	}
	if (v == 0x81 && o + 1 < n) {
		*off = o + 2;
		return b[(o + 1) & 127];
	}
	if (v == 0x82 && o + 2 < n) {
		*off = o + 3;
		return b[(o + 1) & 127] << 8 | b[(o + 2) & 127];
	}
	return -1;
}

/* The error-code of the KRB-ERROR (RFC 4120 5.9.1) at the start of @b (@n
 * bytes, at most XH_KRB_WIN), or -1 when @b holds none: [APPLICATION 30]
 * SEQUENCE { [0] pvno, [1] msg-type, [2] ctime OPTIONAL, [3] cusec
 * OPTIONAL, [4] stime, [5] susec, [6] error-code INTEGER, ... }. */
static __always_inline int xh_krb_error_code(const __u8 *b, __u32 n)
{
	__u32 off = 1, v = 0;
	int len, ilen;

	if (n < 2 || n > XH_KRB_WIN || b[0] != 0x7e)
		return -1;
	if (xh_der_len(b, &off, n) < 0 || off >= n || b[off & 127] != 0x30)
		return -1;
	off++;
	if (xh_der_len(b, &off, n) < 0)
		return -1;
	/* the fields before the code, each once, in order */
	for (int i = 0; i < 7; i++) {
		__u8 tag;

		if (off + 2 > n)
			return -1;
		tag = b[off & 127];
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
		if (off + 2 > n || b[off & 127] != 0x02)
			return -1;
		ilen = b[(off + 1) & 127];
		if (ilen < 1 || ilen > 4 || off + 2 + ilen > n || (b[(off + 2) & 127] & 0x80))
			return -1;
		for (int j = 0; j < 4; j++)
			if (j < ilen)
				v = v << 8 | b[(off + 2 + j) & 127];
		return (int)v;
	}
	return -1;
}

/* Could @pkt, a TCP segment or UDP datagram, be a KDC's answer that
 * kerberos.brute_force reads? Its port and length only, in the entry point;
 * a threshold of 0 (--kerberos-brute-force off) drops the test at load. */
static __always_inline int xh_krb_candidate(const struct xh_pkt *pkt)
{
	return xh_cfg_krbbrute_threshold && pkt->sport == bpf_htons(XH_KRB_PORT) &&
	       pkt->payload_len >= XH_KRB_MIN;
}

/* Count the KRB-ERROR that @pkt, a segment or datagram from port 88,
 * carries, if it is a failed logon; its client is the packet's
 * destination. Called by xh_window_rules(). Returns 1 when it emitted. */
__noinline int xh_krb(struct xdp_md *ctx, const struct xh_pkt *pkt)
{
	struct xh_sweep_src_key sk = {};
	struct xh_krb_scratch *scr;
	struct xh_stats *stats;
	__u32 zero = 0, off, n;
	int code;
	long old;

	if (!pkt)
		return 0;
	stats = bpf_map_lookup_elem(&xh_counters, &zero);
	scr = bpf_map_lookup_elem(&xh_krbscr, &zero);
	if (!stats || !scr)
		return 0;
	off = pkt->payload_off & XH_PARSE_MAX_OFF;
	n = pkt->payload_len;
	if (pkt->proto == IPPROTO_TCP) {
		/* A record mark (RFC 4120 7.2.2): the message's length, whole
		 * in this segment, as a KDC sends an error. */
		if (n < 4 + XH_KRB_MIN || bpf_xdp_load_bytes(ctx, off, scr->buf, 4))
			return 0;
		if (((__u32)scr->buf[0] << 24 | (__u32)scr->buf[1] << 16 | (__u32)scr->buf[2] << 8 |
		     scr->buf[3]) != n - 4)
			return 0;
		off += 4;
		n -= 4;
	}
	if (n < XH_KRB_MIN)
		return 0;
	if (n > XH_KRB_WIN)
		n = XH_KRB_WIN;
	if (bpf_xdp_load_bytes(ctx, off, scr->buf, XH_SIZE_NZ(n, XH_KRB_WIN)))
		return 0;
	code = xh_krb_error_code(scr->buf, n);
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
	/* The answer goes KDC -> client: the client is its destination; its
	 * window apart from its SMB logons' (port 0) in xh_brute_src. */
	__builtin_memcpy(sk.addr, pkt->daddr, sizeof(sk.addr));
	sk.family = pkt->family;
	sk.port = bpf_htons(XH_KRB_PORT);
	old = xh_window_add(&xh_brute_src, &sk, xh_now_ns(), xh_cfg_krbbrute_window_ns, 1);
	if (old < 0 || old + 1 != xh_cfg_krbbrute_threshold)
		return 0;
	return xh_window_event(ctx, pkt, 0, XH_SVC_NONE, XH_RULE_KRB_BRUTE_FORCE, old + 1,
			       xh_cfg_krbbrute_threshold, xh_cfg_krbbrute_window_ns, stats);
}

/* The window rules of a packet the entry point marked: a client SYN
 * (XH_PKT_SYN: scan.service_sweep, scan.port_scan) or a KDC's answer
 * (XH_PKT_KRB: kerberos.brute_force). One global function, called after
 * xh_hunt() or in the shortcut of packets no other rule can match: each
 * call site the entry point decides costs every packet (a second one put
 * 15 ns on test-run's SMB tree connect, which is neither). Returns the
 * events it made. */
__noinline int xh_window_rules(struct xdp_md *ctx, const struct xh_pkt *pkt)
{
	if (!pkt)
		return 0;
	if (pkt->pflags & XH_PKT_KRB)
		return xh_krb(ctx, pkt);
	return xh_syn(ctx, pkt);
}

#endif /* XH_KERBEROS_BPF_H */
