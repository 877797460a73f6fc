/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* name.h: domain-name suffix hashing shared by the kernel (DNS / TLS SNI
 * matching) and userspace (building xh_iocdom). Pure: no maps or helpers, so
 * the unit tests and user/ioc.c compile it natively.
 *
 * A name matches an IoC domain when the domain is the name or one of its
 * parents ("evil.example" covers "a.b.evil.example"), case-insensitively. The
 * kernel cannot compare strings against a set, so it hashes every suffix that
 * starts at a label boundary and looks the hashes up; userspace re-checks the
 * real name against the indicator before reporting (a hash collision is
 * counted, never reported).
 *
 * The hash works label by label, so that the DNS walk, which meets the labels
 * one at a time, hashes them as it copies them, 8 bytes at a time:
 *  - the name is cut at every '.' into labels (possibly empty);
 *  - a label's hash folds its lower-cased bytes in 8-byte little-endian words
 *    (the last one zero-padded) and adds its length (xh_lab_*);
 *  - suffix hashes chain the label hashes from the last label: S = mix(S ^
 *    label hash), so hash[0] covers the last label ("example"), hash[1]
 *    "evil.example", and so on. A suffix starts at each label start before
 *    the end of the name (so "a.example." has the suffixes "example." and
 *    "a.example."), and at most XH_NAME_SUFFIX_MAX are kept, the shortest
 *    (IoC domains have at most that many labels).
 * Only the last XH_NAME_RING label hashes are kept while walking; @all
 * chains every label hash from the first, so that it tells apart two names
 * whose last XH_NAME_SUFFIX_MAX labels agree (the finding value of a name,
 * bpf/ioc_name.bpf.h).
 */
#ifndef XH_NAME_H
#define XH_NAME_H

#include <linux/types.h>
#include "xh_abi.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define XH_NAME_MASK	  (XH_NAME_MAX - 1) /* XH_NAME_MAX is a power of two */
#define XH_NAME_TEXT_MAX  253		    /* longest name as dotted text */
#define XH_NAME_SLACK	  64		    /* bytes past a text buffer that word accesses touch */
#define XH_NAME_RING	  16		    /* label hashes kept (XH_NAME_SUFFIX_MAX + 1 needed) */
#define XH_NAME_LAB_WORDS 32		    /* words of the longest label of a text (253 bytes) */

#define XH_LAB_SEED   0x6a09e667f3bcc908ULL
#define XH_LAB_MUL    0x9e3779b97f4a7c15ULL
#define XH_SUF_SEED   0xbb67ae8584caa73bULL
#define XH_SUF_MUL    0xff51afd7ed558ccdULL
#define XH_BYTES_01   0x0101010101010101ULL
#define XH_BYTES_7F   0x7f7f7f7f7f7f7f7fULL
#define XH_BYTES_80   0x8080808080808080ULL
#define XH_BYTES_DOTS (0x2eULL * XH_BYTES_01)

/* The label hashes of a walk: label i at [i % XH_NAME_RING]. */
struct xh_name_labels {
	__u64 h[XH_NAME_RING];
	__u16 off[XH_NAME_RING]; /* where label i starts in the text */
	__u32 n;		 /* labels walked */
	__u32 len;		 /* text length (DNS: known at the root label) */
	__u32 pos;		 /* text walk: start of the next label */
	__u32 pad;
	__u64 all; /* every label hash walked, chained from the first */
};

static __always_inline __u8 xh_lower(__u8 c)
{
	return (c >= 'A' && c <= 'Z') ? (__u8)(c + ('a' - 'A')) : c;
}

/* 8 bytes at @p as a little-endian word, and back. BPF: one unaligned load
 * or store, which the verifier allows where the architecture has efficient
 * unaligned access (x86-64, arm64; elsewhere it rejects the program). */
#ifdef __bpf__
typedef __u64 __attribute__((may_alias)) xh_u64_alias;
#endif
static __always_inline __u64 xh_ld64(const __u8 *p)
{
	__u64 v;

#ifdef __bpf__
	v = *(const xh_u64_alias *)p;
#else
	__builtin_memcpy(&v, p, sizeof(v));
#endif
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static __always_inline void xh_st64(__u8 *p, __u64 v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
#ifdef __bpf__
	*(xh_u64_alias *)p = v;
#else
	__builtin_memcpy(p, &v, sizeof(v));
#endif
}

/* The low @n bytes of a word (1 <= n <= 8). */
static __always_inline __u64 xh_bytes_mask(__u32 n)
{
	return n >= 8 ? ~0ULL : (1ULL << (n * 8)) - 1;
}

/* 'A'-'Z' to 'a'-'z' in each byte of @w, other bytes unchanged (SWAR: no
 * carry crosses a byte since each sum stays below 0x100). */
static __always_inline __u64 xh_lower8(__u64 w)
{
	__u64 l = w & XH_BYTES_7F;
	__u64 up = (l + 0x3f * XH_BYTES_01) & ~(l + 0x25 * XH_BYTES_01) & ~w & XH_BYTES_80;

	return w | (up >> 2);
}

/* 0x80 in exactly the bytes of @w that are zero. */
static __always_inline __u64 xh_zero8(__u64 w)
{
	return ~(((w & XH_BYTES_7F) + XH_BYTES_7F) | w | XH_BYTES_7F);
}

/* Index (0-7) of the lowest byte flagged by xh_zero8() in @m (m != 0). */
static __always_inline __u32 xh_first_byte(__u64 m)
{
	return (__u32)((((m & -m) >> 7) * 0x0001020304050607ULL) >> 56);
}

/* One word of a label: @w lower-cased, zero past the label. */
static __always_inline __u64 xh_lab_word(__u64 h, __u64 w)
{
	h = (h ^ w) * XH_LAB_MUL;
	return h ^ (h >> 32);
}

/* One label hash @lh into the suffix hash @s: a multiply and a fold of the
 * high half. The chain is serial (each suffix starts from the previous), so
 * its latency is paid per label; murmur3's finaliser (two multiplies, three
 * shifts) cost about 1.4 ns per suffix in BPF_PROG_TEST_RUN, this about half.
 * The label hashes are already mixed; the prefilter multiplies again
 * (bpf/ioc_pf.h). */
static __always_inline __u64 xh_suffix_step(__u64 s, __u64 lh)
{
	s = (s ^ lh) * XH_SUF_MUL;
	return s ^ (s >> 32);
}

/* Start a walk over a text of @len bytes (xh_name_label()). */
static __always_inline void xh_name_labels_begin(struct xh_name_labels *lab, __u32 len)
{
	lab->n = 0;
	lab->len = len;
	lab->pos = 0;
	lab->all = XH_SUF_SEED;
}

/* The @n (1..8) bytes at @p as a little-endian word, zero above, byte by
 * byte: where 8 bytes from @p would cross @end, the end of readable memory
 * (BPF: data_end). The caller knows the @n bytes lie before @end; the check
 * is for the verifier. */
static __always_inline __u64 xh_tail_word(const __u8 *p, const void *end, __u32 n)
{
	__u64 x = 0;

	for (__u32 b = 0; b < 8; b++) {
		if (b >= n || (const void *)(p + b + 1) > end)
			break;
		x |= (__u64)p[b] << (b * 8);
	}
	return x;
}

/* Label number @i of the dotted text @name (lab->len bytes, readable up to
 * @end: BPF reads the name where it lies in the packet): its hash into @lab.
 * Returns 0 to go on, 1 after the last label. BPF calls it with @lab in map
 * memory (bpf/ioc_name.bpf.h). */
static __always_inline int xh_name_label(struct xh_name_labels *lab, __u32 i, const __u8 *name,
					 const void *end)
{
	__u32 p = lab->pos, len = lab->len, stop = len, t, j, b = 0, r;
	__u64 h = XH_LAB_SEED, w, m;
	const __u8 *src;
	int tail;

	if (p > len || len > XH_NAME_TEXT_MAX)
		return 1;
	for (j = 0; j < XH_NAME_LAB_WORDS; j++) {
		t = p + j * 8;
		if (t >= len)
			break;
		src = name + (t & XH_NAME_MASK);
		r = len - t;
		/* at the end of the frame: the text's last word, byte by byte */
		tail = (const void *)(src + 8) > end;
		w = tail ? xh_tail_word(src, end, r) : xh_ld64(src) & xh_bytes_mask(r);
		m = xh_zero8(w ^ XH_BYTES_DOTS);
		if (m) {
			b = xh_first_byte(m);
			w &= xh_bytes_mask(b); /* 0 for b == 0 */
			stop = t + b;
		}
		if (!m || b)
			h = xh_lab_word(h, xh_lower8(w));
		if (m || tail)
			break;
	}
	h += stop - p;
	lab->h[i % XH_NAME_RING] = h;
	lab->all = xh_suffix_step(lab->all, h);
	lab->off[i % XH_NAME_RING] = (__u16)p;
	lab->n = i + 1;
	lab->pos = stop + 1;
	return stop >= len; /* no '.': the last label */
}

/* The suffix hashes of the walked labels: hash[k] / off[k] for the (k+1)-th
 * shortest suffix and where it starts in the text. Returns their number. */
static __always_inline __u32 xh_name_combine(const struct xh_name_labels *lab, __u64 *hash,
					     __u16 *off)
{
	__u32 nl = lab->n, k = 0, n, j;
	__u64 s = XH_SUF_SEED;

	if (nl > XH_NAME_TEXT_MAX + 1 || lab->len > XH_NAME_TEXT_MAX)
		return 0;
	/* An empty label at the end ("a.example."): hashed, not a suffix. */
	if (nl && lab->off[(nl - 1) % XH_NAME_RING] >= lab->len) {
		s = xh_suffix_step(s, lab->h[(nl - 1) % XH_NAME_RING]);
		k = 1;
	}
	for (n = 0; n < XH_NAME_SUFFIX_MAX; n++) {
		if (k + n >= nl)
			break;
		j = (nl - 1 - k - n) % XH_NAME_RING;
		s = xh_suffix_step(s, lab->h[j]);
		hash[n] = s;
		off[n] = lab->off[j];
	}
	return n;
}

#ifndef __bpf__
/* The whole walk over the dotted name @name (@len bytes): userspace and
 * tests. Returns the number of hashes (0 for an empty name or one longer
 * than XH_NAME_TEXT_MAX). */
static inline __u32 xh_name_suffixes(const __u8 *name, __u32 len, __u64 *hash, __u16 *off)
{
	struct xh_name_labels lab;

	if (len > XH_NAME_TEXT_MAX)
		return 0;
	xh_name_labels_begin(&lab, len);
	for (__u32 i = 0; i <= XH_NAME_TEXT_MAX; i++)
		if (xh_name_label(&lab, i, name, name + len))
			break;
	return xh_name_combine(&lab, hash, off);
}
#endif

#endif /* XH_NAME_H */
