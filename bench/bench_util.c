// SPDX-License-Identifier: GPL-2.0
/* bench_util.c: see bench.h. */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <bpf/bpf.h>
#include "bench.h"
#include "capture.h"
#include "dcerpc_table.h"
#include "smb_user.h"

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void bench_progress(const char *fmt, ...)
{
	va_list ap;

	fputs("bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int bench_class_load(struct bench_class *c, const char *arg, int max)
{
	const char *eq = strchr(arg, '=');
	const char *colon;
	char err[512];
	struct capture *cap;
	uint64_t ts;
	size_t nlen;
	int rc;

	memset(c, 0, sizeof(*c));
	c->weight = 1;
	if (!eq || eq == arg) {
		fprintf(stderr, "bench: class '%s': expected NAME[:WEIGHT]=PCAP\n", arg);
		return -1;
	}
	colon = memchr(arg, ':', eq - arg);
	nlen = (colon ? colon : eq) - arg;
	if (nlen >= sizeof(c->name)) {
		fprintf(stderr, "bench: class name too long in '%s'\n", arg);
		return -1;
	}
	memcpy(c->name, arg, nlen);
	if (colon)
		c->weight = strtod(colon + 1, NULL);
	if (max > BENCH_MAX_PKTS)
		max = BENCH_MAX_PKTS;
	cap = capture__open(eq + 1, err, sizeof(err));
	if (!cap) {
		fprintf(stderr, "bench: %s\n", err);
		return -1;
	}
	while (c->n < max && (rc = capture_next(cap, c->pkts[c->n].data, BENCH_FRAME_MAX,
						&c->pkts[c->n].len, &ts)) == 1)
		c->n++;
	capture__free(cap);
	if (!c->n) {
		fprintf(stderr, "bench: %s: no packets\n", eq + 1);
		return -1;
	}
	return 0;
}

static int prog_load(const struct bpf_insn *insns, size_t n, const char *name)
{
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, name, "GPL", insns, n, NULL);

	return fd < 0 ? -errno : fd;
}

int bench_prog_verdict(int verdict)
{
	const struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = verdict},
		{.code = BPF_JMP | BPF_EXIT},
	};

	return prog_load(insns, 2, verdict == XDP_DROP ? "xh_bench_drop" : "xh_bench_pass");
}

int bench_prog_redirect(int ifindex)
{
	const struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1, .imm = ifindex},
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2, .imm = 0},
		{.code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_redirect},
		{.code = BPF_JMP | BPF_EXIT},
	};

	return prog_load(insns, 4, "xh_bench_gen");
}

long bench_rss_kb(const char *field)
{
	char line[256];
	size_t n = strlen(field);
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

void bench_print_prog_info(const char *name, int prog_fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return;
	printf("{\"kind\":\"prog\",\"name\":\"%s\",\"xlated_insns\":%u,\"jited_bytes\":%u,"
	       "\"verified_insns\":%u}\n",
	       name, info.xlated_prog_len / 8, info.jited_prog_len, info.verified_insns);
}

int bench_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

int bench_fill_tables(int smb_names_fd, int rpc_ifs_fd, int rpc_ops_fd)
{
	struct smb_rules *smb = smb_rules__new_default();
	struct dcerpc_table *rpc = dcerpc_table__new();
	int err = -ENOMEM;

	if (!smb || !rpc || dcerpc_table_load_builtin(rpc) < 0)
		goto out;
	err = smb_rules_to_map(smb, smb_names_fd);
	if (!err)
		err = dcerpc_table_to_maps(rpc, rpc_ifs_fd, rpc_ops_fd);
out:
	if (err)
		fprintf(stderr, "bench: cannot fill the SMB and DCE/RPC tables: %s\n",
			strerror(err < 0 ? -err : err));
	smb_rules__free(smb);
	dcerpc_table__free(rpc);
	return err;
}
