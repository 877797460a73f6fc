/* SPDX-License-Identifier: GPL-2.0 */
/* ring_reader.h: the consumer side of a BPF ring buffer (BPF_MAP_TYPE_RINGBUF),
 * as libbpf's ring_buffer, but giving the space back to the kernel every
 * RING_READER_PUBLISH_MAX bytes instead of after every record. */
#ifndef XH_RING_READER_H
#define XH_RING_READER_H

#include <stddef.h>

/* Why not libbpf's ring_buffer: it stores the consumer position after each
 * record, and the producer (the XDP program, on other CPUs) reads that
 * position on each reserve, so every hit moved a cache line from one core
 * to the other and back. With the producer at full speed on the other core
 * the consumer wrote 2.5-3.4 M hits per CPU-second that way and 3.7-5.5 M
 * this way, in alternated runs of `xh_bench ringbuf --reader`; alone, both
 * drain the same. Giving back 64 KiB at a time costs the producer at most
 * that much room (1.6 % of the default buffer). */
#define RING_READER_PUBLISH_MAX (64u << 10) /* bytes; a 64th of the default buffer */

/* Same contract as libbpf's ring_buffer_sample_fn: a negative return stops
 * the consume call, which returns it; the record counts as consumed. */
typedef int (*ring_reader_fn)(void *ctx, void *data, size_t size);

struct ring_reader;

/* Maps the ring buffer map @map_fd. Returns NULL with errno set. */
struct ring_reader *ring_reader__new(int map_fd, ring_reader_fn fn, void *ctx);
void ring_reader__free(struct ring_reader *r); /* accepts NULL */

/* Hands every submitted record to fn, in order, until the buffer is empty or
 * a record is still being written; gives the space back before returning.
 * Returns the number of records handed on (not counting discarded ones),
 * or fn's negative return. */
int ring_reader__consume(struct ring_reader *r);

/* Waits up to @timeout_ms for records, then consumes what is there. */
int ring_reader__poll(struct ring_reader *r, int timeout_ms);

/* The fd to wait on (EPOLLIN when records are waiting): the map's own. */
int ring_reader__fd(const struct ring_reader *r);

/* Bytes consumed but not yet given back after the last record handed on:
 * for tests (at most the publish step, 0 after consume returns). */
size_t ring_reader__unpublished(const struct ring_reader *r);

#endif
