// SPDX-License-Identifier: GPL-2.0
/* format.c: `xh_bench format`: the consumer's CPU cost per hit without the
 * kernel: the events bench/evgen.bpf.c makes (ioc.dest, a new client port
 * every event), built in userspace and handed to the real events_handle()
 * (enrichment, Community ID, JSON) writing to /dev/null (or --out, to check
 * that a change keeps the output byte for byte). Deterministic, so
 * `valgrind --tool=callgrind xh_bench format --count 100000` gives
 * repeatable instruction counts per hit. No privileges. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "bench.h"
#include "events.h"
#include "ioc.h"
#include "jsonl.h"
#include "log.h"

static const char usage[] = "usage: xh_bench format [--ioc FILE] [--count N] [--out FILE]\n";

int cmd_format(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"ioc", required_argument, NULL, 'i'},
		{"count", required_argument, NULL, 'c'},
		{"out", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	const char *ioc_file = NULL, *out_file = "/dev/null";
	unsigned long count = 1000000;
	struct ioc_set *iocs = NULL;
	struct jsonl_writer *out = NULL;
	struct event_sink sink;
	struct xh_event e = {};
	int opt, ret = 1, fd;
	double t0, t;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 'i')
			ioc_file = optarg;
		else if (opt == 'o')
			out_file = optarg;
		else if (opt == 'c')
			count = strtoul(optarg, NULL, 0);
		else {
			fputs(usage, stderr);
			return 2;
		}
	}
	log_setup(LOG_WARN);
	iocs = ioc_set__new();
	if (!iocs || (ioc_file && ioc_set_load_file(iocs, ioc_file) < 0))
		goto out;
	fd = open(out_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	out = jsonl_writer__new(fd, 1);
	if (!out)
		goto out;
	/* Live sink, as bench/ringbuf.c: in_iface from the ifindex. */
	event_sink_init(&sink, out, iocs, "bench");
	/* Fixed clock offset: the same input gives the same lines every run. */
	sink.mono_to_real_ns = 1700000000LL * 1000000000LL;
	/* As xh_event_reserve() fills it for evgen's emit_one(). */
	e.daddr[0] = htonl(0xcb007142);
	e.dport = htons(443);
	e.proto = 6;
	e.family = XH_AF_INET;
	e.rule = XH_RULE_IOC_DEST;
	e.action = XH_ACTION_PASS;
	e.ifindex = 1;
	e.ioc_id = 1;
	e.flow_packets = 1;
	e.flow_bytes = 64;
	t0 = bench_now();
	for (unsigned long n = 0; n < count; n++) {
		e.ts_ns = 1000000000ULL * 3600 + n * 300;
		e.saddr[0] = htonl(0xc0000200 | (uint32_t)(1 + (n & 0x7f)));
		e.sport = htons((uint16_t)(1024 + (n & 0x7fff)));
		if (events_handle(&sink, &e, sizeof(e)))
			break;
	}
	jsonl_flush(out);
	t = bench_now() - t0;
	printf("{\"kind\":\"format\",\"events\":%llu,\"secs\":%.6f,\"eps\":%.0f}\n",
	       (unsigned long long)sink.events, t, t > 0 ? sink.events / t : 0.0);
	ret = sink.events == count ? 0 : 1;
	event_sink_fini(&sink);
out:
	jsonl_writer__free(out);
	ioc_set__free(iocs);
	return ret;
}
