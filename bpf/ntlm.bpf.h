/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* ntlm.bpf.h: read the account of an NTLMSSP AUTHENTICATE (bpf/ntlm.h) out
 * of the packet into the SMB work area's name slots, for smb.logon (the
 * security blob of a session setup, bpf/smb.bpf.h) and dcerpc.logon (the
 * auth_value of an AUTH3, ALTER_CONTEXT or BIND, bpf/dcerpc.bpf.h). */
#ifndef XH_NTLM_BPF_H
#define XH_NTLM_BPF_H

#include "smb_state.bpf.h"
#include "ntlm.h"

/* Copy @len bytes of an NTLMSSP string at packet offset @at into w->name at
 * @slot (@size bytes): cut to the slot, and empty when it lies past @end
 * (the segment's payload end). Returns the bytes copied; sets *@cut when
 * not all were. */
static __always_inline __u32 xh_ntlm_copy(struct xdp_md *ctx, struct xh_smb_work *w, __u32 at,
					  __u32 len, __u32 end, __u32 slot, __u32 size, __u8 *cut)
{
	if (len > size) {
		len = size;
		*cut = 1;
	}
	if (len == 0)
		return 0;
	if (at > end || len > end - at ||
	    bpf_xdp_load_bytes(ctx, at, w->name + slot, XH_SIZE_NZ(len, size))) {
		*cut = 1;
		return 0;
	}
	return len;
}

/* The account in w->name's slots and w->det.ntlm_len as a finding's value:
 * FNV-1a over the slots a word at a time, never 0. */
static __always_inline int xh_ntlm_hash(struct xh_smb_work *w)
{
	__u64 *q = (__u64 *)w->name;
	__u32 i, h = 2166136261u;

	for (i = 0; i < XH_SMB_NTLM_SLOT_END / 8; i++) {
		h ^= (__u32)(q[i] ^ (q[i] >> 32));
		h *= 16777619u;
	}
	h ^= w->det.ntlm_len[0] | w->det.ntlm_len[1] << 8 | w->det.ntlm_len[2] << 16;
	h *= 16777619u;
	return (int)((h >> 1) | 1);
}

/* Where "NTLMSSP" starts in the @avail bytes of w->hdr, or -1. A global
 * function: its answer reaches xh_ntlm_read() as an unknown offset, not as
 * one of 33 constants the verifier would follow the rest through one by one
 * (100k instructions more). */
__noinline int xh_ntlm_sig(__u32 avail)
{
	struct xh_smb_work *w = xh_smb_w();

	if (!w || avail > XH_SMB_HDR_BUF)
		return -1;
	return xh_ntlm_find(w->hdr, avail);
}

/* The NTLMSSP AUTHENTICATE in the @n-byte token at packet offset @at, of
 * which the segment holds what lies before @end: its domain, user and
 * workstation into w->name's slots (XH_SMB_NTLM_*_SLOT), their lengths
 * into w->det.ntlm_len, their encoding into w->det.name_enc, its NT
 * response's first bytes into w->det.ntlm_proof (0s if not here), and
 * XH_SMB_F_NTLM_CUT into w->det.flags when one was cut or lay past the
 * segment. The names must be in this segment: Windows and Impacket put them
 * right after the fixed part, ahead of the responses. Returns the account's
 * hash (FNV-1a of the slots, never 0: a finding's value), or 0 when the
 * token holds no AUTHENTICATE (Kerberos, a NEGOTIATE). Global: verified
 * once for its callers. */
__noinline int xh_ntlm_read(struct xdp_md *ctx, __u32 at, __u32 n, __u32 end)
{
	struct xh_smb_work *w = xh_smb_w();
	struct xh_ntlm_auth a = {};
	__u8 cut = 0;
	__u32 avail;
	int sig;

	if (!w || n < XH_NTLM_AUTH_FIXED || at >= end)
		return 0;
	avail = end - at;
	if (avail > n)
		avail = n;
	if (avail > XH_NTLM_SIG_SCAN + XH_NTLM_AUTH_FIXED)
		avail = XH_NTLM_SIG_SCAN + XH_NTLM_AUTH_FIXED;
	if (avail < XH_NTLM_AUTH_FIXED ||
	    bpf_xdp_load_bytes(ctx, at, w->hdr,
			       XH_SIZE_NZ(avail, XH_NTLM_SIG_SCAN + XH_NTLM_AUTH_FIXED)))
		return 0;
	sig = xh_ntlm_sig(avail);
	if (sig < 0 || sig > XH_NTLM_SIG_SCAN)
		return 0;
	if (xh_ntlm_auth_parse(w->hdr + sig, avail - sig, n - sig, &a))
		return 0;
	at += sig;
	__builtin_memset(w->name, 0, sizeof(w->name));
	w->det.ntlm_len[XH_NTLM_DOMAIN] =
		xh_ntlm_copy(ctx, w, at + a.off[XH_NTLM_DOMAIN], a.len[XH_NTLM_DOMAIN], end,
			     XH_SMB_NTLM_DOMAIN_SLOT, XH_SMB_NTLM_USER_SLOT, &cut);
	w->det.ntlm_len[XH_NTLM_USER] = xh_ntlm_copy(
		ctx, w, at + a.off[XH_NTLM_USER], a.len[XH_NTLM_USER], end, XH_SMB_NTLM_USER_SLOT,
		XH_SMB_NTLM_HOST_SLOT - XH_SMB_NTLM_USER_SLOT, &cut);
	w->det.ntlm_len[XH_NTLM_HOST] = xh_ntlm_copy(
		ctx, w, at + a.off[XH_NTLM_HOST], a.len[XH_NTLM_HOST], end, XH_SMB_NTLM_HOST_SLOT,
		XH_SMB_NTLM_SLOT_END - XH_SMB_NTLM_HOST_SLOT, &cut);
	w->det.flags = cut ? w->det.flags | XH_SMB_F_NTLM_CUT : w->det.flags & ~XH_SMB_F_NTLM_CUT;
	/* The NTLMv2 response's first bytes (its NTProofStr), when this
	 * segment holds them (Windows and Impacket put it after the names):
	 * an HMAC of the server's challenge and the client's own, which only
	 * a relay shows on a second flow. Not NTLMv1's 24 bytes, which made
	 * tools and test captures send alike (the corpus's synthetic NTLM
	 * capture: 'N' 24 times on each of its flows). */
	__builtin_memset(w->det.ntlm_proof, 0, sizeof(w->det.ntlm_proof));
	if (a.nt_len > XH_NTLM_V1_RESPONSE && at + a.nt_off <= end &&
	    XH_NTLM_PROOF_LEN <= end - (at + a.nt_off))
		bpf_xdp_load_bytes(ctx, at + a.nt_off, w->det.ntlm_proof, XH_NTLM_PROOF_LEN);
	w->det.name_enc = (a.flags & XH_NTLM_F_UNICODE) ? XH_SMB_ENC_UTF16LE : XH_SMB_ENC_ASCII;
	return xh_ntlm_hash(w);
}

#endif /* XH_NTLM_BPF_H */
