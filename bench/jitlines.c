// SPDX-License-Identifier: GPL-2.0
/* jitlines.c: `xh_bench jitlines`: where the JITed code of a loaded BPF
 * program lies, for scripts/profile.sh to map perf samples to source lines.
 * Debian's perf and bpftool are built without libbfd/libopcodes, so neither
 * annotates JITed BPF; the kernel gives the same mapping through
 * bpf_prog_info (jited_ksyms, jited_func_lens, jited_line_info, line_info).
 * Prints, for the newest program of a name (or an id):
 *   F <start address hex> <length> <function>
 *   L <address hex> <file>:<line>\t<source text>
 * one F line per subprogram (bpf_prog_<tag>_<function> in kallsyms) and one
 * L line per line-info record, in address order within each function. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "bench.h"

static const char usage[] = "usage: xh_bench jitlines --name PROG | --id ID\n";

/* The id of the newest loaded program called @name, or 0. */
static __u32 prog_by_name(const char *name)
{
	__u32 id = 0, found = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, name))
			found = id;
		close(fd);
	}
	return found;
}

static int print_lines(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), nk, nf, nl, nli, nfi, i;
	struct bpf_line_info *li = NULL;
	struct bpf_func_info *fi = NULL;
	struct btf *btf = NULL;
	__u64 *ks = NULL, *jl = NULL;
	__u32 *fl = NULL;
	int err = -1;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	nk = info.nr_jited_ksyms;
	nf = info.nr_jited_func_lens;
	nl = info.nr_jited_line_info;
	nli = info.nr_line_info;
	nfi = info.nr_func_info;
	if (!nk || !nf || nk != nf) {
		fprintf(stderr, "bench: jitlines: program %u has no JIT symbols (JIT off?)\n",
			info.id);
		return -ENOENT;
	}
	ks = calloc(nk, sizeof(*ks));
	fl = calloc(nf, sizeof(*fl));
	jl = calloc(nl ? nl : 1, info.jited_line_info_rec_size ? info.jited_line_info_rec_size : 8);
	li = calloc(nli ? nli : 1, info.line_info_rec_size ? info.line_info_rec_size : 16);
	fi = calloc(nfi ? nfi : 1, info.func_info_rec_size ? info.func_info_rec_size : 8);
	if (!ks || !fl || !jl || !li || !fi)
		goto out;
	{
		struct bpf_prog_info q = {
			.nr_jited_ksyms = nk,
			.jited_ksyms = (__u64)(unsigned long)ks,
			.nr_jited_func_lens = nf,
			.jited_func_lens = (__u64)(unsigned long)fl,
			.nr_jited_line_info = nl,
			.jited_line_info_rec_size = info.jited_line_info_rec_size,
			.jited_line_info = (__u64)(unsigned long)jl,
			.nr_line_info = nli,
			.line_info_rec_size = info.line_info_rec_size,
			.line_info = (__u64)(unsigned long)li,
			.nr_func_info = nfi,
			.func_info_rec_size = info.func_info_rec_size,
			.func_info = (__u64)(unsigned long)fi,
		};

		len = sizeof(q);
		if (bpf_obj_get_info_by_fd(fd, &q, &len))
			goto out;
	}
	btf = btf__load_from_kernel_by_id(info.btf_id);
	for (i = 0; i < nk; i++) {
		const char *name = "?";

		if (btf && i < nfi) {
			const struct btf_type *t = btf__type_by_id(btf, fi[i].type_id);

			if (t)
				name = btf__name_by_offset(btf, t->name_off);
		}
		printf("F %llx %u %s\n", (unsigned long long)ks[i], fl[i], name);
	}
	/* jited_line_info[k] is the address of line_info[k]. */
	for (i = 0; i < nl && i < nli; i++) {
		const struct bpf_line_info *l =
			(const void *)((const char *)li + (size_t)i * info.line_info_rec_size);
		const char *file = btf ? btf__name_by_offset(btf, l->file_name_off) : NULL;
		const char *src = btf ? btf__name_by_offset(btf, l->line_off) : NULL;

		printf("L %llx %s:%u\t%s\n", (unsigned long long)jl[i], file ? file : "?",
		       BPF_LINE_INFO_LINE_NUM(l->line_col), src ? src : "");
	}
	err = 0;
out:
	btf__free(btf);
	free(ks);
	free(fl);
	free(jl);
	free(li);
	free(fi);
	return err;
}

int cmd_jitlines(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"name", required_argument, NULL, 'n'},
		{"id", required_argument, NULL, 'i'},
		{NULL, 0, NULL, 0},
	};
	const char *name = NULL;
	__u32 id = 0;
	int opt, fd, err;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			name = optarg;
			break;
		case 'i':
			id = (__u32)strtoul(optarg, NULL, 0);
			break;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!name == !id) {
		fputs(usage, stderr);
		return 2;
	}
	if (name)
		id = prog_by_name(name);
	fd = id ? bpf_prog_get_fd_by_id(id) : -ENOENT;
	if (fd < 0) {
		fprintf(stderr, "bench: jitlines: no loaded program %s%s\n", name ? name : "",
			name ? "" : "of that id");
		return 1;
	}
	err = print_lines(fd);
	close(fd);
	if (err)
		fprintf(stderr, "bench: jitlines: program %u: %s\n", id, strerror(-err));
	return err ? 1 : 0;
}
