// SPDX-License-Identifier: GPL-2.0
/* nrt_lpm.c: the native runtime's LPM_TRIE. Not a trie: entries are kept in
 * the map's hash by (prefixlen, masked address) and a lookup probes the
 * prefix lengths present, longest first; as the kernel's trie for what a
 * program or the loader can tell. */
#include <errno.h>
#include <string.h>
#include "nrt_map_int.h"

/* Copy the first @plen bits of @data into @out, zeroing the rest. */
static void lpm_mask(unsigned char *out, const unsigned char *data, __u32 size, __u32 plen)
{
	__u32 full = plen / 8, rem = plen % 8;

	memset(out, 0, size);
	memcpy(out, data, full);
	if (rem)
		out[full] = data[full] & (unsigned char)(0xff << (8 - rem));
}

static void lpm_count(struct nrt_map *m, __u32 plen, int delta)
{
	struct nrt_lpm *l = &m->lpm;

	l->len_count[plen] += delta;
	l->n_lens = 0;
	for (int i = NRT_LPM_MAXBITS; i >= 0; i--)
		if (l->len_count[i])
			l->lens[l->n_lens++] = (__u8)i;
}

/* The key as stored: prefixlen, then the data masked to it. */
static int lpm_key(const struct nrt_map *m, const void *key, unsigned char *out)
{
	__u32 plen;

	memcpy(&plen, key, 4);
	if (plen > m->lpm.data_size * 8)
		return -EINVAL;
	memcpy(out, &plen, 4);
	lpm_mask(out + 4, (const unsigned char *)key + 4, m->lpm.data_size, plen);
	return 0;
}

/* Longest prefix of @key (its prefixlen bounds the match, as in the kernel). */
struct nrt_elem *nrt_lpm_find(const struct nrt_map *m, const void *key)
{
	unsigned char probe[4 + NRT_LPM_MAXBITS / 8];
	__u32 plen;

	memcpy(&plen, key, 4);
	if (plen > m->lpm.data_size * 8)
		return NULL;
	for (__u32 i = 0; i < m->lpm.n_lens; i++) {
		__u32 len = m->lpm.lens[i];
		struct nrt_elem *e;

		if (len > plen)
			continue;
		memcpy(probe, &len, 4);
		lpm_mask(probe + 4, (const unsigned char *)key + 4, m->lpm.data_size, len);
		e = hash_find(m, probe, hash_bytes(probe, m->def.key_size));
		if (e)
			return e;
	}
	return NULL;
}

long nrt_lpm_update(struct nrt_map *m, const void *key, const void *value, __u64 flags)
{
	unsigned char k[4 + NRT_LPM_MAXBITS / 8];
	__u32 before = m->h.count, plen;
	long err = lpm_key(m, key, k);

	if (err)
		return err;
	err = nrt_hash_update(m, k, value, flags);
	if (!err && m->h.count > before) {
		memcpy(&plen, k, 4);
		lpm_count(m, plen, 1);
	}
	return err;
}

long nrt_lpm_delete(struct nrt_map *m, const void *key)
{
	unsigned char k[4 + NRT_LPM_MAXBITS / 8];
	struct nrt_elem *e;
	__u32 plen;

	/* Exact prefix, as the kernel's trie_delete_elem(). */
	if (lpm_key(m, key, k))
		return -EINVAL;
	e = hash_find(m, k, hash_bytes(k, m->def.key_size));
	if (!e)
		return -ENOENT;
	nrt_hash_unlink(m, e);
	memcpy(&plen, k, 4);
	lpm_count(m, plen, -1);
	return 0;
}
