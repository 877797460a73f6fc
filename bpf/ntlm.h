/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* ntlm.h: the NTLMSSP AUTHENTICATE message (MS-NLMP 2.2.1.3) of a logon:
 * which domain, user and workstation it names. Pure functions over a byte
 * buffer, shared by the BPF program (bpf/smb.bpf.h) and the unit tests. */
#ifndef XH_NTLM_H
#define XH_NTLM_H

#include <linux/types.h>

#define XH_NTLM_AUTHENTICATE 3
/* Signature, MessageType, six (Len, MaxLen, Offset) fields, NegotiateFlags:
 * the fixed part every AUTHENTICATE has (Version and MIC may follow). */
#define XH_NTLM_AUTH_FIXED 64
#define XH_NTLM_F_UNICODE  0x00000001 /* NTLMSSP_NEGOTIATE_UNICODE: UTF-16LE */
/* How far into a security blob the signature is looked for: behind the
 * GSS-API and SPNEGO heads (NegTokenResp, responseToken, OCTET STRING:
 * 4 to 20 bytes with long-form lengths), or at 0 (raw NTLMSSP). */
#define XH_NTLM_SIG_SCAN 32
/* An NTLMv1 NT response is 24 bytes (MS-NLMP 3.3.1); NTLMv2's is longer
 * (its 16-byte NTProofStr, then the client's blob) */
#define XH_NTLM_V1_RESPONSE 24

enum xh_ntlm_field {
	XH_NTLM_DOMAIN = 0,
	XH_NTLM_USER = 1,
	XH_NTLM_HOST = 2, /* Workstation */
	XH_NTLM__FIELDS,
};

struct xh_ntlm_auth {
	__u32 off[XH_NTLM__FIELDS]; /* from the signature */
	__u16 len[XH_NTLM__FIELDS]; /* bytes */
	__u32 flags;		    /* NegotiateFlags */
	/* NtChallengeResponse (NTLMv2: NTProofStr first), from the signature;
	 * 0 bytes when it has none or it points outside */
	__u32 nt_off;
	__u16 nt_len;
};

/* The offset of "NTLMSSP\0" in the first @avail bytes of a security blob
 * at @b, among the first XH_NTLM_SIG_SCAN + 1 positions, or -1. */
static __always_inline int xh_ntlm_find(const __u8 *b, __u32 avail)
{
	__u32 i;

	for (i = 0; i <= XH_NTLM_SIG_SCAN; i++) {
		if (i + 8 > avail)
			return -1;
		if (b[i] == 'N' && b[i + 1] == 'T' && b[i + 2] == 'L' && b[i + 3] == 'M' &&
		    b[i + 4] == 'S' && b[i + 5] == 'S' && b[i + 6] == 'P' && b[i + 7] == 0)
			return (int)i;
	}
	return -1;
}

/* The AUTHENTICATE message whose signature starts @b (@avail >= 64 bytes
 * at hand), @msg_len bytes long in all (to the blob's end): its domain,
 * user and workstation fields, each inside the message after the fixed
 * part, or empty; and its NT response's (empty if it lies outside).
 * Returns 0, or -1 for another message type or a field that points
 * outside. */
static __always_inline int xh_ntlm_auth_parse(const __u8 *b, __u32 avail, __u32 msg_len,
					      struct xh_ntlm_auth *a)
{
	__u32 i, at, len, off;

	if (avail < XH_NTLM_AUTH_FIXED || msg_len < XH_NTLM_AUTH_FIXED)
		return -1;
	if ((b[8] | b[9] << 8 | b[10] << 16 | (__u32)b[11] << 24) != XH_NTLM_AUTHENTICATE)
		return -1;
	for (i = 0; i < XH_NTLM__FIELDS; i++) {
		at = 28 + i * 8; /* DomainNameFields, UserNameFields, WorkstationFields */
		len = b[at] | b[at + 1] << 8;
		off = b[at + 4] | b[at + 5] << 8 | b[at + 6] << 16 | (__u32)b[at + 7] << 24;
		if (len && (off < XH_NTLM_AUTH_FIXED || off > msg_len || len > msg_len - off))
			return -1;
		a->off[i] = len ? off : 0;
		a->len[i] = (__u16)len;
	}
	a->flags = b[60] | b[61] << 8 | b[62] << 16 | (__u32)b[63] << 24;
	len = b[20] | b[21] << 8; /* NtChallengeResponseFields */
	off = b[24] | b[25] << 8 | b[26] << 16 | (__u32)b[27] << 24;
	if (off < XH_NTLM_AUTH_FIXED || off > msg_len || len > msg_len - off)
		len = 0;
	a->nt_off = len ? off : 0;
	a->nt_len = (__u16)len;
	return 0;
}

#endif /* XH_NTLM_H */
