/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* smb_name.h: the SMB name scanner, pure like smb.h: UTF-16LE or ASCII share,
 * pipe and file names walked a code unit at a time into FNV-1a hashes of the
 * whole name, its last component and the extensions of its file and NTFS
 * stream names, as the rule tables key them. BPF drives the steps from
 * bpf_loop(); userspace and tests call xh_smb_name_scan(). */
#ifndef XH_SMB_NAME_H
#define XH_SMB_NAME_H

#include "smb.h"

/* libbpf's barrier_var(): hide a value's origin from the compiler. */
#ifndef barrier_var
#define barrier_var(var) __asm__ __volatile__("" : "+r"(var))
#endif

#define XH_FNV_OFFSET 2166136261u
#define XH_FNV_PRIME  16777619u

/* Scanner state and result. The hashes are FNV-1a over every code unit,
 * ASCII letters folded to lower case, a code unit (16 bits) per step, so a
 * name hashes alike in UTF-16 and in ASCII. */
struct xh_smb_name {
	__u32 ncu;	 /* in: code units available */
	__u32 len;	 /* out: bytes of the name (NUL terminator excluded) */
	__u32 h_full;	 /* whole name without leading backslashes */
	__u32 h_last;	 /* last path component */
	__u32 h_ext;	 /* after the last '.' of the last component's file name */
	__u32 h_sext;	 /* after the last '.' of its NTFS stream name */
	__u32 c0, c1;	 /* first two code units of the last component */
	__u8 enc;	 /* in: XH_SMB_ENC_UTF16LE or _ASCII */
	__u8 nul_term;	 /* in: stop at a NUL (else a NUL is allowed last only) */
	__u8 lead;	 /* still in leading backslashes */
	__u8 pending_hi; /* a high surrogate waits for its low half */
	__u8 has_dot;	 /* XH_SMB_DOT_* bits: the last component's '.' and ':' */
	__u8 comp_len;	 /* code units of the last component, capped at 3 */
	__u8 done;	 /* a NUL terminator ended the name */
	__u8 bad;	 /* -> XH_SMB_CNT_NAME_BAD */
};

/* Where the last component stands, as bits. It is a file name, then after a
 * ':' an NTFS stream name, then after a second ':' the stream's type:
 * notes.txt:payload.exe:$DATA writes the stream payload.exe of notes.txt,
 * and evil.exe::$DATA the file evil.exe itself (its unnamed stream). Each
 * name has the extension after its last '.' (h_ext, h_sext); the type has
 * none. */
#define XH_SMB_DOT_NONE	  0x0 /* in the file name, no '.' yet */
#define XH_SMB_DOT_EXT	  0x1 /* the file name has a '.': h_ext follows the last one */
#define XH_SMB_DOT_SEXT	  0x2 /* the stream name has a '.': h_sext follows the last one */
#define XH_SMB_DOT_STREAM 0x4 /* a ':' ended the file name: in the stream name */
#define XH_SMB_DOT_TYPE	  0x8 /* a second ':' ended the stream name: in its type */

/* One code unit per multiply, not a byte: the multiplies form one chain
 * per hash, and their latency was most of a name's scan (make profile). The
 * hashes only key xdphunt's own tables and findings (userspace builds the
 * tables with xh_smb_hash_ascii(), below), never leave it. */
static __always_inline __u32 xh_fnv_cu(__u32 h, __u32 cu)
{
	return (h ^ cu) * XH_FNV_PRIME;
}

static __always_inline void xh_smb_name_init(struct xh_smb_name *n, __u32 bytes, __u8 enc,
					     __u8 nul_term)
{
	__builtin_memset(n, 0, sizeof(*n));
	n->enc = enc;
	n->nul_term = nul_term;
	n->ncu = enc == XH_SMB_ENC_UTF16LE ? bytes / 2 : bytes;
	if (n->ncu > XH_SMB_NAME_CU)
		n->ncu = XH_SMB_NAME_CU;
	n->lead = 1;
	n->h_full = n->h_last = XH_FNV_OFFSET;
}

/* The scanner's small state (lead, has_dot, comp_len) through memory each
 * time: in registers the verifier tracks them as constants on every path
 * through the four code units, keeps each combination apart, and the
 * program passed its 1M-instruction limit (kernel 6.18, clang 14; every
 * prog test loads it, selftests/verifier/test_kernel_61.sh on 6.1). */
#define XH_SMB_NM_RD(n, f)    (*(volatile __u8 *)&(n)->f)
#define XH_SMB_NM_WR(n, f, v) (*(volatile __u8 *)&(n)->f = (v))

/* Take the code unit @cu, past the step's checks, into the hashes *@hf
 * (whole name), *@hl (last component), *@he (file name's extension) and the
 * small state of @n: the hashes are n's own in xh_smb_name_step(), locals
 * for a word in xh_smb_name_step4(). The stream name's extension is always
 * n->h_sext. */
static __always_inline void xh_smb_name_take(struct xh_smb_name *n, __u32 cu, __u32 *hf, __u32 *hl,
					     __u32 *he)
{
	__u8 comp, dot;

	if (cu - 'A' < 26)
		cu += 'a' - 'A';
	if (cu == '\\') {
		if (!XH_SMB_NM_RD(n, lead))
			*hf = xh_fnv_cu(*hf, cu);
		*hl = XH_FNV_OFFSET;
		XH_SMB_NM_WR(n, has_dot, XH_SMB_DOT_NONE);
		XH_SMB_NM_WR(n, comp_len, 0);
		return;
	}
	XH_SMB_NM_WR(n, lead, 0);
	*hf = xh_fnv_cu(*hf, cu);
	*hl = xh_fnv_cu(*hl, cu);
	dot = XH_SMB_NM_RD(n, has_dot);
	if (dot == XH_SMB_DOT_EXT) {
		if (cu == '.')
			*he = XH_FNV_OFFSET;
		else if (cu == ':')
			XH_SMB_NM_WR(n, has_dot, XH_SMB_DOT_EXT | XH_SMB_DOT_STREAM);
		else
			*he = xh_fnv_cu(*he, cu);
	} else if (dot == XH_SMB_DOT_NONE) {
		if (cu == '.') {
			XH_SMB_NM_WR(n, has_dot, XH_SMB_DOT_EXT);
			*he = XH_FNV_OFFSET;
		} else if (cu == ':') {
			XH_SMB_NM_WR(n, has_dot, XH_SMB_DOT_STREAM);
		}
	} else if (!(dot & XH_SMB_DOT_TYPE)) {
		/* In a stream name, which few names have: its hash stays in
		 * @n, out of the word's registers. */
		if (cu == ':') {
			XH_SMB_NM_WR(n, has_dot, dot | XH_SMB_DOT_TYPE);
		} else if (cu == '.') {
			XH_SMB_NM_WR(n, has_dot, dot | XH_SMB_DOT_SEXT);
			n->h_sext = XH_FNV_OFFSET;
		} else if (dot & XH_SMB_DOT_SEXT) {
			n->h_sext = xh_fnv_cu(n->h_sext, cu);
		}
	}
	comp = XH_SMB_NM_RD(n, comp_len);
	if (comp == 0)
		n->c0 = cu;
	else if (comp == 1)
		n->c1 = cu;
	if (comp < 3)
		XH_SMB_NM_WR(n, comp_len, comp + 1);
}

/* Take code unit @i of the name in @b (at least XH_EVENT_NAME_MAX bytes
 * in BPF; natively at least the scanned bytes). Returns 1 to stop (NUL
 * terminator, or a bad code unit), 0 to go on. The index masks only keep the
 * verifier's view of @b in bounds; for i < ncu they change nothing. */
static __always_inline int xh_smb_name_step(struct xh_smb_name *n, const __u8 *b, __u32 i)
{
	__u32 cu;

	if (n->enc == XH_SMB_ENC_UTF16LE)
		cu = b[(i * 2) & (XH_EVENT_NAME_MAX - 2)] |
		     (__u32)b[((i * 2) & (XH_EVENT_NAME_MAX - 2)) + 1] << 8;
	else
		cu = b[i & (XH_EVENT_NAME_MAX - 1)];

	if (cu == 0) {
		/* A terminator: where SMB1 paths end; a trailing NUL in a
		 * counted name is tolerated, one inside it is garbage. */
		if (!n->nul_term && i + 1 != n->ncu)
			n->bad = 1;
		n->done = 1;
		n->len = i * (n->enc == XH_SMB_ENC_UTF16LE ? 2 : 1);
		return 1;
	}
	/* An ASCII-encoded (SMB1 non-Unicode) name is in the client's OEM
	 * code page: a byte from 0x80 is a character, hashed as the code unit
	 * of its value (the tables are ASCII; userspace writes it U+FFFD). */
	if (cu < 0x20) {
		n->bad = 1;
		return 1;
	}
	if (cu >= 0xd800 && cu <= 0xdbff) {
		if (n->pending_hi) {
			n->bad = 1;
			return 1;
		}
		n->pending_hi = 1;
	} else if (cu >= 0xdc00 && cu <= 0xdfff) {
		if (!n->pending_hi) {
			n->bad = 1;
			return 1;
		}
		n->pending_hi = 0;
	} else if (n->pending_hi) {
		n->bad = 1;
		return 1;
	}
	xh_smb_name_take(n, cu, &n->h_full, &n->h_last, &n->h_ext);
	return 0;
}

/* Code units per chunk: a bpf_loop() callback in BPF (bpf/smb_name.bpf.h),
 * a loop round natively. */
#define XH_SMB_NAME_CHUNK 8

/* Are the 4 UTF-16LE code units in @x (8 bytes read as a little-endian
 * word) all printable ASCII, 0x20-0x7f? None of them then ends the name, is
 * bad or is half a surrogate pair. */
static __always_inline int xh_smb_cu4_plain(__u64 x)
{
	/* Every lane below 0x80, and 0x60 more reaches 0x80 (lane >= 0x20). */
	return !(x & 0xff80ff80ff80ff80ULL) &&
	       ((x + 0x0060006000600060ULL) & 0x0080008000800080ULL) == 0x0080008000800080ULL;
}

/* Take the 4 code units of @x (xh_smb_cu4_plain()) as four
 * xh_smb_name_step() would, with the hashes in registers: through *n, each
 * multiply waited for the store and reload of the one before, the latency
 * that made the scan a sixth of an SMB tree connect (make profile). */
static __always_inline void xh_smb_name_step4(struct xh_smb_name *n, __u64 x)
{
	__u32 h_full = n->h_full, h_last = n->h_last, h_ext = n->h_ext, j;

	for (j = 0; j < 4; j++)
		xh_smb_name_take(n, (__u32)(x >> (16 * j)) & 0xffff, &h_full, &h_last, &h_ext);
	n->h_full = h_full;
	n->h_last = h_last;
	n->h_ext = h_ext;
}

/* Take code units [@i, @i + XH_SMB_NAME_CHUNK) of the name in @b (as for
 * xh_smb_name_step()), as that many steps would: UTF-16LE names four at a
 * time while they are printable ASCII, as most are, the rest one by one.
 * Returns 1 to stop (the end of the name, or a step's stop), 0 to go on. */
static __always_inline int xh_smb_name_chunk(struct xh_smb_name *n, const __u8 *b, __u32 i)
{
	__u32 q, j, k;
	__u64 x;

	for (q = 0; q < XH_SMB_NAME_CHUNK; q += 4) {
		k = i + q;
		if (k >= n->ncu)
			return 1;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* Whole words only: @b may end with the name. The mask only
		 * keeps the verifier's view of @b in bounds (k * 2 <= 248). */
		if (n->enc == XH_SMB_ENC_UTF16LE && !n->pending_hi && k + 4 <= n->ncu) {
			__builtin_memcpy(&x, b + ((k * 2) & (XH_EVENT_NAME_MAX - 8)), sizeof(x));
			if (xh_smb_cu4_plain(x)) {
				xh_smb_name_step4(n, x);
				continue;
			}
		}
#endif
		for (j = 0; j < 4; j++) {
			__u32 kj = k + j;

			/* Opaque to clang, which otherwise hoists the step's
			 * mask of kj to k alone, knowing k a multiple of 4:
			 * Linux 6.1's verifier does not, and refused the
			 * ASCII load past the buffer (test_kernel_61.sh). */
			barrier_var(kj);
			if (kj >= n->ncu || xh_smb_name_step(n, b, kj))
				return 1;
		}
	}
	return 0;
}

/* After the last step: 0 with n->len set, or -reason. @bytes is what the
 * name may span (as given to xh_smb_name_init). */
static __always_inline int xh_smb_name_finish(struct xh_smb_name *n, __u32 bytes)
{
	__u32 cs = n->enc == XH_SMB_ENC_UTF16LE ? 2 : 1;

	if (n->bad || n->pending_hi)
		return -XH_SMB_CNT_NAME_BAD;
	/* A counted name longer than the scan: its end was not seen. */
	if (!n->nul_term && bytes > n->ncu * cs)
		return -XH_SMB_CNT_NAME_LONG;
	if (!n->done) {
		if (n->nul_term)
			/* No terminator in the scanned part. */
			return n->ncu == XH_SMB_NAME_CU && bytes > n->ncu * cs
				       ? -XH_SMB_CNT_NAME_LONG
				       : -XH_SMB_CNT_NAME_BAD;
		n->len = n->ncu * cs;
	}
	if (n->len == 0 || n->lead)
		return -XH_SMB_CNT_NAME_EMPTY;
	if (!(n->has_dot & XH_SMB_DOT_EXT))
		n->h_ext = 0;
	if (!(n->has_dot & XH_SMB_DOT_SEXT))
		n->h_sext = 0;
	return 0;
}

/* The last component is a drive-letter share "X$". */
static __always_inline int xh_smb_name_is_drive(const struct xh_smb_name *n)
{
	return n->comp_len == 2 && n->c0 >= 'a' && n->c0 <= 'z' && n->c1 == '$';
}

/* The whole scan, for userspace and tests (BPF drives the steps with
 * bpf_loop()). @b holds @bytes bytes. */
static __always_inline int xh_smb_name_scan(const __u8 *b, __u32 bytes, __u8 enc, __u8 nul_term,
					    struct xh_smb_name *n)
{
	__u32 i;

	xh_smb_name_init(n, bytes, enc, nul_term);
	for (i = 0; i < n->ncu; i += XH_SMB_NAME_CHUNK)
		if (xh_smb_name_chunk(n, b, i))
			break;
	return xh_smb_name_finish(n, bytes);
}

/* The table hash of an ASCII string, as the scanner computes h_full (so
 * userspace fills the tables with what BPF looks up). */
static __always_inline __u32 xh_smb_hash_ascii(const char *s)
{
	__u32 h = XH_FNV_OFFSET, cu;

	while (*s == '\\')
		s++;
	for (; *s; s++) {
		cu = (__u8)*s;
		if (cu >= 'A' && cu <= 'Z')
			cu += 'a' - 'A';
		h = xh_fnv_cu(h, cu);
	}
	return h;
}

#endif /* XH_SMB_NAME_H */
