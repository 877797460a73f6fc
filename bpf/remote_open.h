/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* remote_open.h: the openings of the remote-service protocols xdphunt reads on any
 * TCP port: RDP's X.224 Connection Request (MS-RDPBCGR 2.2.1.1: TPKT, RFC
 * 1006, around an ITU-T X.224 CR) and SSH's identification string (RFC 4253
 * 4.2). Pure, over bytes the caller has bounded, so the unit tests and the
 * fuzzer run it natively. */
#ifndef XH_REMOTE_OPEN_H
#define XH_REMOTE_OPEN_H

/* Payload bytes read and carried in the event (xh_event.name). */
#define XH_REMOTE_WIN 256
_Static_assert((XH_REMOTE_WIN & (XH_REMOTE_WIN - 1)) == 0, "indexes are masked");
/* TPKT's 4 bytes and the CR's fixed part (LI, CR CDT, DST-REF, SRC-REF,
 * class): the shortest request, and the bytes xh_remote_kind() reads. */
#define XH_RDP_CR_MIN 11
/* RFC 4253: the line is at most 255 bytes with its CR LF. */
#define XH_SSH_LINE_MAX 253

enum xh_remote_kind {
	XH_REMOTE_NONE = 0,
	XH_REMOTE_RDP = 1, /* an X.224 connection request, whole in the segment */
	XH_REMOTE_SSH = 2, /* a line that starts "SSH-" and a digit */
};

/* What the first XH_RDP_CR_MIN bytes at @p say of a segment of @len payload
 * bytes. An RDP request is taken only whole and alone in its segment, as
 * clients send it: TPKT version 3 whose length is the segment's, an X.224
 * length indicator that covers the rest, the CR code with credit 0, a zero
 * destination reference and class 0. A stream's middle that happens to start
 * with 03 00 does not pass all of them. */
static __always_inline int xh_remote_kind(const __u8 *p, __u32 len)
{
	if (len < XH_RDP_CR_MIN)
		return XH_REMOTE_NONE;
	if (p[0] == 3 && p[1] == 0 && ((__u32)p[2] << 8 | p[3]) == len && p[4] == len - 5 &&
	    p[5] == 0xe0 && p[6] == 0 && p[7] == 0 && (p[10] & 0xf0) == 0)
		return XH_REMOTE_RDP;
	if (p[0] == 'S' && p[1] == 'S' && p[2] == 'H' && p[3] == '-' && p[4] >= '0' && p[4] <= '9')
		return XH_REMOTE_SSH;
	return XH_REMOTE_NONE;
}

/* The length of the SSH identification line at the start of @b (@n bytes,
 * at most XH_REMOTE_WIN), before its CR LF or lone LF; -1 when @b holds none:
 * no LF within the line's 255 bytes or @n, or a byte that is not printable
 * US-ASCII (a space, before the comments, allowed). Its fields (the
 * versions) are userspace's to read (user/remote.c). */
static __always_inline int xh_ssh_line(const __u8 *b, __u32 n)
{
	for (__u32 i = 0; i < XH_SSH_LINE_MAX + 2; i++) {
		__u8 c;

		if (i >= n)
			return -1;
		c = b[i & (XH_REMOTE_WIN - 1)];
		if (c >= 0x20 && c <= 0x7e)
			continue;
		if (c == '\r' && i + 1 < n && b[(i + 1) & (XH_REMOTE_WIN - 1)] == '\n')
			return i <= XH_SSH_LINE_MAX ? (int)i : -1;
		if (c == '\n')
			return i <= XH_SSH_LINE_MAX ? (int)i : -1;
		return -1;
	}
	return -1;
}

#endif /* XH_REMOTE_OPEN_H */
