// SPDX-License-Identifier: GPL-2.0
/* ring_reader.c: BPF ring buffer consumer with the position given back in
 * steps (ring_reader.h says why). The layout is the kernel's
 * (kernel/bpf/ringbuf.c), the same libbpf's ring_buffer maps:
 *   offset 0, one page, read-write: the consumer position;
 *   offset one page, read-only: the producer position's page, then the data
 *   pages mapped twice in a row, so a record that wraps reads as one piece.
 * Each record starts with an 8-byte header: its length with the busy and
 * discard bits, then the page offset the kernel uses. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>
#include <sys/mman.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "ring_reader.h"

struct ring_reader {
	ring_reader_fn fn;
	void *ctx;
	unsigned long *consumer_pos; /* shared with the kernel */
	const unsigned long *producer_pos;
	const uint8_t *data;
	unsigned long mask;	 /* size - 1; the size is a power of two */
	unsigned long cons;	 /* our position: the next record to read */
	unsigned long published; /* the position the kernel last saw */
	unsigned long step;	 /* give the space back after this many bytes */
	size_t page_size;
	int map_fd;
};

static void publish(struct ring_reader *r)
{
	/* Release: the records' bytes are read before the kernel may
	 * overwrite them (pairs with the producer's acquire load). */
	__atomic_store_n(r->consumer_pos, r->cons, __ATOMIC_RELEASE);
	r->published = r->cons;
}

struct ring_reader *ring_reader__new(int map_fd, ring_reader_fn fn, void *ctx)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	struct ring_reader *r;
	void *p;
	int err;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return NULL;
	if (info.type != BPF_MAP_TYPE_RINGBUF || !info.max_entries ||
	    (info.max_entries & (info.max_entries - 1))) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->fn = fn;
	r->ctx = ctx;
	r->map_fd = map_fd;
	r->page_size = (size_t)sysconf(_SC_PAGESIZE);
	r->mask = info.max_entries - 1;
	/* A 16th of small buffers, so that a test's tiny ring still gets its
	 * space back while it is being read. */
	r->step = info.max_entries / 16 < RING_READER_PUBLISH_MAX ? info.max_entries / 16
								  : RING_READER_PUBLISH_MAX;
	if (!r->step)
		r->step = 1;
	p = mmap(NULL, r->page_size, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	r->consumer_pos = p;
	p = mmap(NULL, r->page_size + 2 * (size_t)info.max_entries, PROT_READ, MAP_SHARED, map_fd,
		 (off_t)r->page_size);
	if (p == MAP_FAILED)
		goto fail;
	r->producer_pos = p;
	r->data = (const uint8_t *)p + r->page_size;
	r->cons = r->published = __atomic_load_n(r->consumer_pos, __ATOMIC_ACQUIRE);
	return r;
fail:
	err = errno;
	ring_reader__free(r);
	errno = err;
	return NULL;
}

void ring_reader__free(struct ring_reader *r)
{
	if (!r)
		return;
	if (r->consumer_pos)
		munmap(r->consumer_pos, r->page_size);
	if (r->producer_pos)
		munmap((void *)r->producer_pos, r->page_size + 2 * (r->mask + 1));
	free(r);
}

int ring_reader__consume(struct ring_reader *r)
{
	int64_t n = 0;
	int err = 0;

	for (;;) {
		/* Acquire: a record's header is read after the position that
		 * covers it (pairs with the kernel's release store). */
		unsigned long prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);

		if (r->cons >= prod)
			break;
		while (r->cons < prod) {
			const uint32_t *hdr = (const uint32_t *)(r->data + (r->cons & r->mask));
			/* Acquire: the record's bytes are read after its
			 * header says it is committed. */
			uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
			uint32_t size =
				len & ~(uint32_t)(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);

			if (len & BPF_RINGBUF_BUSY_BIT)
				goto out; /* still being written: next time */
			r->cons += ((unsigned long)size + BPF_RINGBUF_HDR_SZ + 7) / 8 * 8;
			if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
				err = r->fn(r->ctx, (uint8_t *)hdr + BPF_RINGBUF_HDR_SZ, size);
				if (err < 0)
					goto out;
				n++;
			}
			if (r->cons - r->published >= r->step)
				publish(r);
		}
	}
out:
	if (r->cons != r->published)
		publish(r);
	if (err < 0)
		return err;
	return n > INT_MAX ? INT_MAX : (int)n;
}

int ring_reader__poll(struct ring_reader *r, int timeout_ms)
{
	struct pollfd pfd = {.fd = r->map_fd, .events = POLLIN};

	if (poll(&pfd, 1, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	return ring_reader__consume(r);
}

int ring_reader__fd(const struct ring_reader *r)
{
	return r->map_fd;
}

size_t ring_reader__unpublished(const struct ring_reader *r)
{
	return r->cons - __atomic_load_n(r->consumer_pos, __ATOMIC_RELAXED);
}
