// SPDX-License-Identifier: GPL-2.0
/* nrt_ringbuf.c: the native runtime's ring buffer. One producer and the
 * replay loop as consumer on the same thread, so no positions are shared:
 * records keep the kernel's header (busy and discard bits) and
 * nrt_ringbuf_drain() hands them out after each packet. */
#include "nrt_map_int.h"

void *nrt_ringbuf_reserve(struct nrt_map *m, __u64 size, __u64 flags)
{
	struct nrt_rb_hdr *h;
	__u64 need = 8 + ROUND8(size);

	if (flags || m->def.type != BPF_MAP_TYPE_RINGBUF || size > m->rb.size)
		return NULL;
	if (m->rb.size - m->rb.used < need)
		return NULL; /* full until the consumer drains */
	h = (struct nrt_rb_hdr *)(m->rb.data + m->rb.used);
	h->len = (__u32)size | BPF_RINGBUF_BUSY_BIT;
	/* pg_off: the kernel finds the map from a sample with it; here the
	 * consumer walks the buffer it owns. */
	h->pg_off = 0;
	m->rb.used += need;
	return h + 1;
}

void nrt_ringbuf_submit(void *sample, __u64 flags)
{
	struct nrt_rb_hdr *h = (struct nrt_rb_hdr *)sample - 1;

	(void)flags; /* wake-ups: the consumer drains after every packet */
	h->len &= ~BPF_RINGBUF_BUSY_BIT;
}

void nrt_ringbuf_discard(void *sample, __u64 flags)
{
	struct nrt_rb_hdr *h = (struct nrt_rb_hdr *)sample - 1;

	(void)flags;
	h->len = (h->len & ~BPF_RINGBUF_BUSY_BIT) | BPF_RINGBUF_DISCARD_BIT;
}

__u64 nrt_ringbuf_query(struct nrt_map *m, __u64 flags)
{
	switch (flags) {
	case BPF_RB_AVAIL_DATA:
		return m->rb.used;
	case BPF_RB_RING_SIZE:
		return m->rb.size;
	case BPF_RB_CONS_POS:
		return 0;
	case BPF_RB_PROD_POS:
		return m->rb.used;
	default:
		return 0;
	}
}

int nrt_ringbuf_drain(struct nrt_map *m, int (*cb)(void *ctx, void *data, size_t size), void *ctx)
{
	__u64 pos = 0;
	int n = 0, err = 0;

	while (pos < m->rb.used) {
		struct nrt_rb_hdr *h = (struct nrt_rb_hdr *)(m->rb.data + pos);
		__u32 len = h->len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);

		if (h->len & BPF_RINGBUF_BUSY_BIT)
			break; /* reserved, never submitted: the program forgot it */
		if (!(h->len & BPF_RINGBUF_DISCARD_BIT)) {
			err = cb(ctx, h + 1, len);
			if (err < 0)
				break;
			n++;
		}
		pos += 8 + ROUND8(len);
	}
	m->rb.used = 0;
	return err < 0 ? err : n;
}
