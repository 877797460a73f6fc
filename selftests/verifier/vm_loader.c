// SPDX-License-Identifier: GPL-2.0
/* vm_loader.c: load BPF objects into the running kernel and report, for each
 * program, whether its verifier accepted it. It is the program the initramfs
 * of selftests/verifier/test_kernel_61.sh runs, so it is linked statically
 * and prints parseable lines to the console:
 *   XH-VERIFIER PASS obj=<file> prog=<name> insns=<n> verified=<n> stack=<a+b+..>
 *   XH-VERIFIER FAIL obj=<file> prog=<name> err=<why>
 *   XH-LOG <line>      the tail of the verifier log (or libbpf's warnings) after a FAIL
 *   XH-VERIFIER DONE kernel=<release> pass=<n> fail=<n>
 *   XH-RUN PASS|FAIL obj=<file> what=<case> [got=<counter> want=<counter>]
 *                      for xdphunt.bpf.o, frames run through the loaded
 *                      program (BPF_PROG_TEST_RUN; the cases are in
 *                      vm_runs.c): a verifier that checked a path wrongly may
 *                      have removed it
 * Usage: vm_loader OBJ... ; exit status 0 when every program loaded and ran. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vm_loader.h"

#define LOG_TAIL_LINES 40

/* libbpf's warnings of the current load. On a failed program load libbpf
 * loads it again with a verifier log, growing its buffer on ENOSPC (kernels
 * before 6.4 keep the head of a full log, and the verdict is at its end),
 * and prints the whole log as one warning. */
static char *warn_buf;
static size_t warn_len, warn_cap;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	if (level != LIBBPF_WARN)
		return 0;
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return n;
	if (warn_len + n + 1 > warn_cap) {
		size_t cap = (warn_len + n + 1) * 2;
		char *p = realloc(warn_buf, cap);

		if (!p)
			return -ENOMEM;
		warn_buf = p;
		warn_cap = cap;
	}
	vsnprintf(warn_buf + warn_len, warn_cap - warn_len, fmt, ap);
	warn_len += n;
	return n;
}

const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Print the last LOG_TAIL_LINES lines of text[0..len), each as "XH-LOG ...". */
static void print_tail(const char *text, size_t len)
{
	const char *p = text + len;
	int lines = 0;

	while (len && text[len - 1] == '\n')
		p = text + --len;
	while (p > text) {
		if (p[-1] == '\n' && ++lines == LOG_TAIL_LINES)
			break;
		p--;
	}
	while (p < text + len) {
		const char *nl = memchr(p, '\n', text + len - p);
		int n = nl ? (int)(nl - p) : (int)(text + len - p);

		printf("XH-LOG %.*s\n", n, p);
		p += n + 1;
	}
}

/* The verifier log inside libbpf's warnings if there is one, else all the
 * warnings (a map that could not be created, a relocation that failed). */
void print_failure_log(void)
{
	static const char begin[] = "-- BEGIN PROG LOAD LOG --\n";
	const char *b, *e;

	if (!warn_len)
		return;
	b = strstr(warn_buf, begin);
	e = b ? strstr(b, "-- END PROG LOAD LOG --") : NULL;
	if (b && e) {
		b += sizeof(begin) - 1;
		print_tail(b, e - b);
	} else {
		print_tail(warn_buf, warn_len);
	}
}

void warn_reset(void)
{
	warn_len = 0;
}

/* Open @path with only its program number @idx to load (so each program
 * gets its own verdict); @stats_log: ask for the verifier's statistics
 * (log level 4: "stack depth ..." and "processed N insns") in stats_buf.
 * Returns the bpf_object__load() result; *obj_out is the open object. */
static char stats_buf[1 << 16];

static int open_load(const char *path, int idx, int stats_log, struct bpf_object **obj_out,
		     struct bpf_program **mine_out)
{
	struct bpf_program *prog, *mine = NULL;
	struct bpf_object *obj;
	int i = 0;

	warn_len = 0;
	*obj_out = NULL;
	*mine_out = NULL;
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		return -errno;
	bpf_object__for_each_program(prog, obj)
	{
		if (i++ == idx)
			mine = prog;
		else
			bpf_program__set_autoload(prog, false);
	}
	*obj_out = obj;
	*mine_out = mine;
	if (!mine)
		return -ENOENT;
	if (stats_log) {
		stats_buf[0] = '\0';
		bpf_program__set_log_buf(mine, stats_buf, sizeof(stats_buf));
		bpf_program__set_log_level(mine, 4);
	}
	return bpf_object__load(obj);
}

/* The "stack depth a+b+c" of the statistics, "-" if absent. */
static const char *stack_depth(char *out, size_t size)
{
	const char *p = strstr(stats_buf, "stack depth ");

	snprintf(out, size, "%s", "-");
	if (p)
		sscanf(p, "stack depth %63s", out);
	return out;
}

/* Load program @idx of @path and print its verdict. A failed program is
 * loaded again without our log buffer: libbpf then retries with log level 1
 * and a buffer it grows on ENOSPC (kernels before 6.4 keep the head of a
 * full log, and the verdict is at its end). Returns 0 (passed) or 1. */
static int load_one(const char *path, int idx)
{
	struct bpf_prog_info info = {};
	__u32 info_len = sizeof(info);
	struct bpf_program *mine;
	struct bpf_object *obj;
	char stack[64];
	int err, fd;

	err = open_load(path, idx, 1, &obj, &mine);
	fd = mine ? bpf_program__fd(mine) : -1;
	if (!err && fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &info_len)) {
		printf("XH-VERIFIER PASS obj=%s prog=%s insns=%zu verified=%u stack=%s\n",
		       base_name(path), bpf_program__name(mine), bpf_program__insn_cnt(mine),
		       info.verified_insns, stack_depth(stack, sizeof(stack)));
		bpf_object__close(obj);
		return 0;
	}
	bpf_object__close(obj);
	if (!err)
		err = -errno;
	if (err == -ENOENT && !mine) {
		printf("XH-VERIFIER FAIL obj=%s prog=#%d err=no such program\n", base_name(path),
		       idx);
		return 1;
	}
	err = open_load(path, idx, 0, &obj, &mine);
	printf("XH-VERIFIER FAIL obj=%s prog=%s err=%s\n", base_name(path),
	       mine ? bpf_program__name(mine) : "-", strerror(err ? -err : errno));
	print_failure_log();
	bpf_object__close(obj);
	return 1;
}

/* The number of programs in @path, or -1 (reported) when it cannot be opened. */
static int count_programs(const char *path)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	int n = 0;

	warn_len = 0;
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		printf("XH-VERIFIER FAIL obj=%s prog=- err=open: %s\n", base_name(path),
		       strerror(errno));
		print_failure_log();
		return -1;
	}
	bpf_object__for_each_program(prog, obj) n++;
	bpf_object__close(obj);
	if (!n)
		printf("XH-VERIFIER FAIL obj=%s prog=- err=no programs\n", base_name(path));
	return n;
}

int main(int argc, char **argv)
{
	struct utsname uts = {};
	int i, idx, n, pass = 0, fail = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJ...\n", argv[0]);
		return 2;
	}
	libbpf_set_print(libbpf_print);
	for (i = 1; i < argc; i++) {
		n = count_programs(argv[i]);
		if (n <= 0) {
			fail++;
			continue;
		}
		for (idx = 0; idx < n; idx++) {
			if (load_one(argv[i], idx))
				fail++;
			else
				pass++;
		}
		if (!strcmp(base_name(argv[i]), "xdphunt.bpf.o")) {
			fail += run_names(argv[i]);
			fail += run_findings(argv[i]);
			fail += run_jumbo(argv[i]);
			fail += run_remote(argv[i]);
			fail += run_port_scan(argv[i]);
			fail += run_port_scan_unreachable(argv[i]);
			fail += run_service_sweep(argv[i]);
			fail += run_kerberos(argv[i]);
		}
	}
	uname(&uts);
	printf("XH-VERIFIER DONE kernel=%s pass=%d fail=%d\n", uts.release, pass, fail);
	free(warn_buf);
	return fail ? 1 : 0;
}
