/* SPDX-License-Identifier: GPL-2.0 */
/* bench.h: shared by the xh_bench subcommands: clocks, packet sets read from
 * the generator's captures, raw BPF programs, map memory, JSON records.
 * Benchmarks, not tests: every figure goes out as a JSON line on stdout for
 * bench/report.py; progress goes to stderr. */
#ifndef XH_BENCH_H
#define XH_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#define BENCH_MAX_PKTS	  8 /* packets measured per class */
#define BENCH_MAX_CLASSES 32
#define BENCH_FRAME_MAX	  3520 /* NRT_XDP_LINEAR_MAX: one buffer */

struct bench_pkt {
	uint8_t data[BENCH_FRAME_MAX];
	int len;
};

/* One traffic class: NAME=PCAP on the command line, its first packets. */
struct bench_class {
	char name[64];
	struct bench_pkt pkts[BENCH_MAX_PKTS];
	int n;
	double weight; /* NAME:WEIGHT=PCAP, for live mixes; 1 by default */
};

double bench_now(void); /* CLOCK_MONOTONIC, seconds */
void bench_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse "NAME[:WEIGHT]=PCAP" and read up to @max packets. 0 or -1 (printed). */
int bench_class_load(struct bench_class *c, const char *arg, int max);

/* An XDP program from raw instructions: returns @verdict, or with @redirect_ifindex > 0
 * calls bpf_redirect(ifindex, 0). Returns the fd or -errno. */
int bench_prog_verdict(int verdict);
int bench_prog_redirect(int ifindex);

/* VmRSS / VmHWM of this process in KiB. */
long bench_rss_kb(const char *field);

/* bpf_prog_info figures of @prog_fd as one JSON record. */
void bench_print_prog_info(const char *name, int prog_fd);

/* Fill the SMB rules (xh_smb_names) and the DCE/RPC table (xh_rpc_ifs,
 * xh_rpc_ops) with the built-in ones, as `xdphunt run` does: without them an
 * SMB share or an RPC interface is never known, and the bench would measure
 * paths no user runs. 0 or -errno (printed). */
int bench_fill_tables(int smb_names_fd, int rpc_ifs_fd, int rpc_ops_fd);

/* Pin the calling thread to @cpu. */
int bench_pin_cpu(int cpu);

int cmd_testrun(int argc, char **argv);
int cmd_live(int argc, char **argv);
int cmd_ringbuf(int argc, char **argv);
int cmd_mapmem(int argc, char **argv);
int cmd_format(int argc, char **argv);
int cmd_jitlines(int argc, char **argv);

#endif
