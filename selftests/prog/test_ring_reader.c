// SPDX-License-Identifier: GPL-2.0
/* test_ring_reader.c: user/ring_reader.c against the kernel's ring buffer,
 * fed by selftests/fixtures/ringgen.bpf.c through BPF_PROG_TEST_RUN: every
 * record handed on once, in order, whole, across many wraps of a 16 KiB
 * buffer, discarded ones skipped; the space given back while a full buffer
 * is being read, and all of it on return; a callback's error stops the read
 * and the next read goes on after that record. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "ring_reader.h"
#include "ringgen.skel.h"
#include "test.h"

#define RB_BYTES 16384 /* ringgen.bpf.c's buffer */

struct seen {
	struct ringgen *skel;
	uint64_t next;	    /* the sequence number expected next */
	uint64_t records;   /* handed on */
	uint64_t bad;	    /* wrong number, size or bytes */
	uint64_t fail_at;   /* return -EIO at this record (0: never) */
	size_t max_unpub;   /* the most bytes read but not given back */
	uint64_t refill_at; /* run the producer once at this record (0: never) */
	int refill_full;    /* that run found the buffer full */
	struct ring_reader *r;
};

static int produce(struct ringgen *skel, uint32_t n)
{
	uint8_t frame[64] = {0};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = sizeof(frame),
		    .repeat = 1);

	skel->data->ringgen_batch = n;
	return bpf_prog_test_run_opts(bpf_program__fd(skel->progs.ringgen), &o) ? -errno : 0;
}

/* The next number ringgen writes at or after @n: discarded ones are skipped. */
static uint64_t written_from(uint64_t n)
{
	return n % 7 == 3 ? n + 1 : n;
}

/* Records ringgen wrote (not discarded) with numbers in [@from, @to). */
static uint64_t written_between(uint64_t from, uint64_t to)
{
	uint64_t k = 0;

	for (uint64_t n = from; n < to; n++)
		k += n % 7 != 3;
	return k;
}

/* Bytes record @n takes in the buffer: 8-byte header, 8-byte aligned. */
static uint64_t rec_bytes(uint64_t n)
{
	return n % 7 == 3 ? 8 + 64 : 8 + 8 + 8 * (n % 13);
}

/* Bytes the records [@from, @to) take. */
static uint64_t bytes_between(uint64_t from, uint64_t to)
{
	uint64_t b = 0;

	for (uint64_t n = from; n < to; n++)
		b += rec_bytes(n);
	return b;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct seen *s = ctx;
	const uint8_t *b = data;
	uint64_t n;
	size_t unpub = ring_reader__unpublished(s->r);

	if (unpub > s->max_unpub)
		s->max_unpub = unpub;
	memcpy(&n, b, sizeof(n));
	if (n != written_from(s->next) || size != 8 + 8 * (n % 13))
		s->bad++;
	for (size_t i = 8; i < size; i++)
		if (b[i] != (uint8_t)(n + i - 8)) {
			s->bad++;
			break;
		}
	s->next = n + 1;
	s->records++;
	if (s->refill_at && s->records == s->refill_at) {
		uint64_t full = s->skel->bss->ringgen_full;

		/* One record that is handed on (a discarded one first if it
		 * is that one's turn). */
		produce(s->skel, 1 + (s->skel->bss->ringgen_seq % 7 == 3));
		s->refill_full = s->skel->bss->ringgen_full != full;
	}
	if (s->fail_at && s->records == s->fail_at)
		return -EIO;
	return 0;
}

static int open_ring(struct ringgen **skel, struct seen *s)
{
	*skel = ringgen__open_and_load();
	if (!ASSERT_OK_PTR(*skel, "ringgen load"))
		return -1;
	memset(s, 0, sizeof(*s));
	s->skel = *skel;
	s->r = ring_reader__new(bpf_map__fd((*skel)->maps.ringgen_rb), on_record, s);
	if (!ASSERT_OK_PTR(s->r, "ring_reader__new")) {
		ringgen__destroy(*skel);
		return -1;
	}
	return 0;
}

void test_ring_reader(void)
{
	struct ringgen *skel;
	struct seen s;

	if (test_subtest("in order across wraps")) {
		if (!open_ring(&skel, &s)) {
			/* 40 records (~2.5 KiB) a round, 300 rounds: the
			 * 16 KiB buffer wraps ~45 times, at every offset. */
			for (int round = 0; round < 300; round++) {
				if (produce(skel, 40))
					break;
				if (ring_reader__consume(s.r) < 0)
					break;
			}
			ASSERT_EQ(skel->bss->ringgen_full, 0, "buffer never full");
			ASSERT_EQ(skel->bss->ringgen_seq, 300 * 40, "records made");
			ASSERT_EQ(s.records, written_between(0, 300 * 40), "records handed on");
			ASSERT_EQ(s.bad, 0, "records out of order or damaged");
			ASSERT_EQ(ring_reader__unpublished(s.r), 0, "all space given back");
			ring_reader__free(s.r);
			ringgen__destroy(skel);
		}
		test_subtest_end();
	}
	if (test_subtest("space given back while a full buffer is read")) {
		if (!open_ring(&skel, &s)) {
			uint64_t end1, start2, end2, written;

			/* Fill to the brim: the run stops at the first record
			 * with no room. */
			produce(skel, 1000);
			end1 = skel->bss->ringgen_seq;
			ASSERT_EQ(skel->bss->ringgen_full, 1, "the buffer filled");
			/* The kernel keeps the bytes in use below the size. */
			ASSERT_TRUE(bytes_between(0, end1) < RB_BYTES &&
					    bytes_between(0, end1 + 1) >= RB_BYTES,
				    "first fill takes the whole buffer");
			written = written_between(0, end1);
			/* Three quarters in, one more record must fit. */
			s.refill_at = written * 3 / 4;
			ASSERT_EQ(ring_reader__consume(s.r), (int)written + 1, "consumed");
			ASSERT_FALSE(s.refill_full, "room for a record mid-read");
			ASSERT_EQ(s.bad, 0, "records damaged");
			ASSERT_TRUE(s.max_unpub <= RB_BYTES / 16 + 128, "at most a step held back");
			ASSERT_EQ(ring_reader__unpublished(s.r), 0, "all space given back");
			/* Then the whole buffer is free again. */
			start2 = skel->bss->ringgen_seq;
			s.next = start2;
			produce(skel, 1000);
			end2 = skel->bss->ringgen_seq;
			ASSERT_TRUE(bytes_between(start2, end2) < RB_BYTES &&
					    bytes_between(start2, end2 + 1) >= RB_BYTES,
				    "second fill takes the whole buffer");
			ring_reader__free(s.r);
			ringgen__destroy(skel);
		}
		test_subtest_end();
	}
	if (test_subtest("a callback error stops the read")) {
		if (!open_ring(&skel, &s)) {
			int n1, n2;

			produce(skel, 100);
			s.fail_at = 10;
			n1 = ring_reader__consume(s.r);
			ASSERT_EQ(n1, -EIO, "the callback's error");
			ASSERT_EQ(s.records, 10, "stopped at the failing record");
			ASSERT_EQ(ring_reader__unpublished(s.r), 0, "its space given back");
			n2 = ring_reader__consume(s.r);
			ASSERT_EQ(s.records, written_between(0, 100), "the rest, once");
			ASSERT_EQ(n2, (int)s.records - 10, "count of the second read");
			ASSERT_EQ(s.bad, 0, "records out of order");
			ring_reader__free(s.r);
			ringgen__destroy(skel);
		}
		test_subtest_end();
	}
	if (test_subtest("not a ring buffer")) {
		int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xh_not_rb", 4, 4, 1, NULL);

		errno = 0;
		ASSERT_NULL(ring_reader__new(fd, on_record, NULL), "refused");
		ASSERT_EQ(errno, EINVAL, "errno");
		if (fd >= 0)
			close(fd);
		test_subtest_end();
	}
}
