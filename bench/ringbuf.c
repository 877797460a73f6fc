// SPDX-License-Identifier: GPL-2.0
/* ringbuf.c: `xh_bench ringbuf`: hunt events from the kernel through the
 * ring buffer, the real enrichment and JSON encoding (user/events.c) and the
 * real writer (to /dev/null), with the consumer on one core.
 *   drain: fill the ring buffer (never past full), time the consumer alone;
 *   paced: a producer on the other core at a fixed rate for some seconds,
 *          the consumer draining as `xdphunt run` does (wake-ups past the
 *          watermark, a 10 ms timer otherwise); events lost are counted by
 *          the kernel side, as in xdphunt, and the consumer thread's CPU
 *          time is reported (consumer_cpu_s: on a shared machine losses
 *          also come from the consumer not being scheduled).
 * --reader libbpf reads the buffer with libbpf's ring_buffer instead of
 * user/ring_reader.c, to measure what the latter is for. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench.h"
#include "events.h"
#include "ioc.h"
#include "jsonl.h"
#include "log.h"
#include "loop.h"
#include "ring_reader.h"
#include "evgen.skel.h"

static const char usage[] =
	"usage: xh_bench ringbuf [--ioc FILE] [--ringbuf BYTES] [--secs S] [--rate EPS]...\n"
	"                        [--reader xdphunt|libbpf]\n"
	"  --rate 0 is an unpaced producer; --rate may repeat\n";

/* The consumer under test: xdphunt's reader or libbpf's. */
struct reader {
	struct ring_reader *own;
	struct ring_buffer *lib;
};

static int reader_consume(struct reader *rd)
{
	return rd->own ? ring_reader__consume(rd->own) : ring_buffer__consume(rd->lib);
}

static int reader_poll(struct reader *rd, int timeout_ms)
{
	return rd->own ? ring_reader__poll(rd->own, timeout_ms)
		       : ring_buffer__poll(rd->lib, timeout_ms);
}

struct producer {
	pthread_t tid;
	int prog_fd;
	double rate; /* events/s, 0 = as fast as it can */
	double secs;
	volatile int done;
	int err;
};

static struct evgen *g_skel;

/* CPU time of the calling thread (user + system), seconds: what the
 * consumer spent, apart from the time it waited or was not scheduled. */
static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* @n events in one single test run (bpf_loop inside). */
static int produce(int prog_fd, int n)
{
	uint8_t frame[64] = {0};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = sizeof(frame),
		    .repeat = 1);

	g_skel->data->xh_bench_batch = (__u32)n;
	return bpf_prog_test_run_opts(prog_fd, &o) ? -errno : 0;
}

static void *producer_main(void *arg)
{
	struct producer *p = arg;
	double t0 = bench_now(), t;
	const int chunk = 256; /* events per test run: 85 us at 3 M/s */
	unsigned long long made = 0;

	bench_pin_cpu(1);
	while ((t = bench_now()) < t0 + p->secs) {
		/* Paced: stay on the schedule made * 1/rate, never ahead of it. */
		if (p->rate > 0 && made >= (t - t0) * p->rate)
			continue;
		p->err = produce(p->prog_fd, chunk);
		if (p->err)
			break;
		made += chunk;
	}
	p->done = 1;
	return NULL;
}

static void counts(struct evgen *skel, unsigned long long *ev, unsigned long long *lost)
{
	*ev = skel->bss->xh_bench_stats.cnt[XH_CNT_EVENTS];
	*lost = skel->bss->xh_bench_stats.cnt[XH_CNT_EVENTS_LOST];
}

/* Time the calling thread was runnable but waited for a CPU (the second
 * field of /proc/thread-self/schedstat), seconds; -1 if unknown. With
 * consumer_cpu_s it tells a starved consumer (other tasks on its CPU) from
 * one that slept through the backlog. */
static double thread_runq_wait(void)
{
	unsigned long long run, wait;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");
	int n = f ? fscanf(f, "%llu %llu", &run, &wait) : 0;

	if (f)
		fclose(f);
	return n == 2 ? wait / 1e9 : -1;
}

/* Forced wake-ups the producer raised (watermark crossings). */
static unsigned long long wakeups(struct evgen *skel)
{
	return skel->bss->xh_bench_stats.cnt[XH_CNT_WAKEUPS];
}

int cmd_ringbuf(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"ioc", required_argument, NULL, 'i'},
		{"ringbuf", required_argument, NULL, 'b'},
		{"secs", required_argument, NULL, 's'},
		{"rate", required_argument, NULL, 'r'}, /* may repeat */
		{"reader", required_argument, NULL, 'R'},
		{NULL, 0, NULL, 0},
	};
	const char *ioc_file = NULL;
	unsigned int rb_bytes = XH_RINGBUF_DEFAULT;
	double secs = 2, rates[8];
	int n_rates = 0, opt, ret = 1, devnull = -1, prog_fd;
	struct ioc_set *iocs = NULL;
	struct jsonl_writer *out = NULL;
	struct reader rd = {0};
	int use_libbpf = 0;
	struct evgen *skel = NULL;
	struct event_sink sink;
	int sink_ready = 0;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			ioc_file = optarg;
			break;
		case 'b':
			rb_bytes = strtoul(optarg, NULL, 0);
			break;
		case 's':
			secs = atof(optarg);
			break;
		case 'r':
			if (n_rates < 8)
				rates[n_rates++] = atof(optarg);
			break;
		case 'R':
			if (strcmp(optarg, "xdphunt") && strcmp(optarg, "libbpf")) {
				fprintf(stderr, "bench: --reader: xdphunt or libbpf, not %s\n",
					optarg);
				return 2;
			}
			use_libbpf = !strcmp(optarg, "libbpf");
			break;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!n_rates)
		rates[n_rates++] = 0;
	log_setup(LOG_WARN);
	iocs = ioc_set__new();
	if (!iocs || (ioc_file && ioc_set_load_file(iocs, ioc_file) < 0))
		goto out;
	skel = evgen__open();
	if (!skel)
		goto out;
	bpf_map__set_max_entries(skel->maps.xh_events, rb_bytes);
	bpf_map__set_max_entries(skel->maps.xh_flows, 1024); /* unused here */
	skel->rodata->xh_cfg_wakeup_bytes = rb_bytes / 4;    /* as user/loader.c */
	if (evgen__load(skel)) {
		fprintf(stderr, "bench: cannot load evgen\n");
		goto out;
	}
	prog_fd = bpf_program__fd(skel->progs.xh_evgen);
	g_skel = skel;
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	out = jsonl_writer__new(devnull, 1);
	if (!out)
		goto out;
	devnull = -1;
	/* Live sink: no replay interface override, so in_iface comes from the
	 * event's ifindex, exactly as in `xdphunt run`. */
	event_sink_init(&sink, out, iocs, "bench");
	sink_ready = 1;
	if (use_libbpf)
		rd.lib = ring_buffer__new(bpf_map__fd(skel->maps.xh_events), events_handle, &sink,
					  NULL);
	else
		rd.own = ring_reader__new(bpf_map__fd(skel->maps.xh_events), events_handle, &sink);
	if (!rd.lib && !rd.own)
		goto out;
	bench_pin_cpu(0);

	/* Drain: the consumer alone, over full buffers. */
	{
		/* evgen emits ioc.dest: short records (no name), 8-byte headers. */
		int per_fill = rb_bytes / (XH_EVENT_SHORT_SIZE + 8) - 16;
		unsigned long long ev0, lost0, ev1, lost1, drained = 0;
		double busy = 0, t0;

		bench_progress("ringbuf: drain, %u-byte buffer, %.1f s", rb_bytes, secs);
		counts(skel, &ev0, &lost0);
		while (busy < secs) {
			if (produce(prog_fd, per_fill))
				goto out;
			t0 = bench_now();
			int n = reader_consume(&rd);
			busy += bench_now() - t0;
			if (n < 0)
				goto out;
			drained += n;
		}
		counts(skel, &ev1, &lost1);
		printf("{\"kind\":\"ringbuf_drain\",\"reader\":\"%s\",\"events\":%llu,"
		       "\"secs\":%.4f,\"lost\":%llu,\"written\":%llu}\n",
		       use_libbpf ? "libbpf" : "xdphunt", drained, busy, lost1 - lost0,
		       (unsigned long long)sink.events);
	}
	/* Paced: producer on CPU 1, consumer on CPU 0. */
	for (int r = 0; r < n_rates; r++) {
		struct producer p = {.prog_fd = prog_fd, .rate = rates[r], .secs = secs};
		unsigned long long ev0, lost0, ev1, lost1, w0 = sink.events, wk0 = wakeups(skel);
		double t0, cpu0, rq0;

		bench_progress("ringbuf: producer at %s%.0f events/s for %.1f s",
			       rates[r] > 0 ? "" : "full speed, ", rates[r], secs);
		counts(skel, &ev0, &lost0);
		t0 = bench_now();
		cpu0 = thread_cpu();
		rq0 = thread_runq_wait();
		if (pthread_create(&p.tid, NULL, producer_main, &p))
			goto out;
		while (!p.done)
			if (reader_poll(&rd, LOOP_DRAIN_MS) < 0)
				break;
		pthread_join(p.tid, NULL);
		reader_consume(&rd);
		counts(skel, &ev1, &lost1);
		if (p.err) {
			fprintf(stderr, "bench: producer: %s\n", strerror(-p.err));
			goto out;
		}
		printf("{\"kind\":\"ringbuf_paced\",\"reader\":\"%s\",\"rate\":%.0f,\"secs\":%.4f,"
		       "\"produced\":%llu,\"lost\":%llu,\"written\":%llu,\"consumer_cpu_s\":%.4f,"
		       "\"consumer_runq_wait_s\":%.4f,\"wakeups\":%llu}\n",
		       use_libbpf ? "libbpf" : "xdphunt", rates[r], bench_now() - t0, ev1 - ev0,
		       lost1 - lost0, sink.events - w0, thread_cpu() - cpu0,
		       rq0 < 0 ? -1.0 : thread_runq_wait() - rq0, wakeups(skel) - wk0);
	}
	ret = sink.bad_records ? 1 : 0;
out:
	if (devnull >= 0)
		close(devnull);
	ring_reader__free(rd.own);
	ring_buffer__free(rd.lib);
	evgen__destroy(skel);
	if (sink_ready)
		event_sink_fini(&sink);
	jsonl_writer__free(out);
	ioc_set__free(iocs);
	return ret;
}
