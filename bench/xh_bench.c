// SPDX-License-Identifier: GPL-2.0
/* xh_bench.c: the measuring tool behind `make bench` (scripts/bench.sh).
 * One subcommand per measurement; each prints JSON lines on stdout. */
#include <stdio.h>
#include <string.h>
#include "bench.h"

static const char usage[] =
	"usage: xh_bench testrun|live|ringbuf|mapmem|format|jitlines [options]  (root)\n"
	"  testrun  ns/packet per class with BPF_PROG_TEST_RUN, beside an empty XDP_PASS\n"
	"  live     live frames redirected into a veth whose peer runs xdphunt or XDP_DROP\n"
	"  ringbuf  events -> enrichment -> JSON lines throughput and losses\n"
	"  mapmem   kernel memory of the maps at a flow-table size\n"
	"  format   events -> JSON lines in userspace only (no root; for callgrind)\n"
	"  jitlines JITed address -> BPF source line of a loaded program (scripts/profile.sh)\n";

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "testrun"))
		return cmd_testrun(argc - 1, argv + 1);
	if (!strcmp(argv[1], "live"))
		return cmd_live(argc - 1, argv + 1);
	if (!strcmp(argv[1], "ringbuf"))
		return cmd_ringbuf(argc - 1, argv + 1);
	if (!strcmp(argv[1], "format"))
		return cmd_format(argc - 1, argv + 1);
	if (!strcmp(argv[1], "mapmem"))
		return cmd_mapmem(argc - 1, argv + 1);
	if (!strcmp(argv[1], "jitlines"))
		return cmd_jitlines(argc - 1, argv + 1);
	fputs(usage, stderr);
	return 2;
}
