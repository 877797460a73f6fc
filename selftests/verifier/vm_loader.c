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
 *                      for xdphunt.bpf.o, DNS queries and ClientHellos run
 *                      through the loaded program (BPF_PROG_TEST_RUN): a
 *                      verifier that checked a path wrongly may have removed it
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
#include "xh_abi.h"
#include "smb_name.h" /* bpf/smb_name.h: the share table's hash */
#include "smbmsg.h"
#include "rpc_pdu.h"

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

static const char *base_name(const char *path)
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
static void print_failure_log(void)
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

/* A frame with the IPv4 header of @proto and @payload (@len bytes) after a
 * UDP or TCP header to port @dport. Returns its length. */
static size_t frame(__u8 *b, __u8 proto, __u16 dport, const __u8 *payload, size_t len)
{
	static const __u8 eth_ip[] = {2,    0,	  0,	0, 0, 2,  2,   0, 0, 0, 0,  1,
				      0x08, 0x00, 0x45, 0, 0, 0,  0,   1, 0, 0, 64, 0,
				      0,    0,	  192,	0, 2, 10, 192, 0, 2, 53};
	size_t l4 = proto == 17 ? 8 : 20, n = sizeof(eth_ip);

	memcpy(b, eth_ip, n);
	b[23] = proto;
	memset(b + n, 0, l4);
	b[n] = 0x9c;
	b[n + 2] = dport >> 8;
	b[n + 3] = dport & 0xff;
	if (proto == 17) {
		b[n + 4] = (l4 + len) >> 8;
		b[n + 5] = (l4 + len) & 0xff;
	} else {
		b[n + 12] = 0x50;
		b[n + 13] = 0x18;
	}
	memcpy(b + n + l4, payload, len);
	n += l4 + len;
	b[16] = (n - 14) >> 8;
	b[17] = (n - 14) & 0xff;
	return n;
}

/* A DNS query for the dotted @name (labels as given, even with a '.'
 * inside when @dot_at >= 0 replaces that name byte). Returns its length. */
static size_t dns_query(__u8 *m, const char *name, int dot_at)
{
	static const __u8 hdr[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
	size_t n = sizeof(hdr), start;
	const char *p = name;

	memcpy(m, hdr, n);
	start = n + 1;
	while (*p) {
		const char *d = strchr(p, '.');
		size_t l = d ? (size_t)(d - p) : strlen(p);

		m[n++] = (__u8)l;
		memcpy(m + n, p, l);
		n += l;
		p += l + (d != NULL);
	}
	m[n++] = 0;
	if (dot_at >= 0)
		m[start + dot_at] = '.';
	memcpy(m + n, "\0\1\0\1", 4);
	return n + 4;
}

/* A ClientHello with the server_name @sni. Returns its length. */
static size_t client_hello(__u8 *m, const char *sni)
{
	size_t nl = strlen(sni), n = 0, rl, hl;

	m[n++] = 0x16;
	m[n++] = 3;
	m[n++] = 1;
	n += 2;
	m[n++] = 1;
	n += 3;
	m[n++] = 3;
	m[n++] = 3;
	memset(m + n, 0x5a, 32);
	n += 32;
	memcpy(m + n, "\0\0\2\x13\1\1\0", 7); /* session id, 1 suite, compression */
	n += 7;
	m[n++] = (nl + 9) >> 8; /* extensions: server_name only */
	m[n++] = (nl + 9) & 0xff;
	m[n++] = 0;
	m[n++] = 0;
	m[n++] = (nl + 5) >> 8;
	m[n++] = (nl + 5) & 0xff;
	m[n++] = (nl + 3) >> 8;
	m[n++] = (nl + 3) & 0xff;
	m[n++] = 0;
	m[n++] = nl >> 8;
	m[n++] = nl & 0xff;
	memcpy(m + n, sni, nl);
	n += nl;
	rl = n - 5;
	hl = rl - 4;
	m[3] = rl >> 8;
	m[4] = rl & 0xff;
	m[6] = 0;
	m[7] = hl >> 8;
	m[8] = hl & 0xff;
	return n;
}

/* @path loaded, with the fds of its xdphunt program and of xh_counters;
 * NULL after a FAIL line. */
static struct bpf_object *open_for_run(const char *path, int *pfd, int *cfd)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_map *map;

	warn_len = 0;
	obj = bpf_object__open_file(path, NULL);
	if (!obj || bpf_object__load(obj)) {
		printf("XH-RUN FAIL obj=%s what=load\n", base_name(path));
		print_failure_log();
		bpf_object__close(obj);
		return NULL;
	}
	prog = bpf_object__find_program_by_name(obj, "xdphunt");
	map = bpf_object__find_map_by_name(obj, "xh_counters");
	*pfd = prog ? bpf_program__fd(prog) : -1;
	*cfd = map ? bpf_map__fd(map) : -1;
	return obj;
}

/* The IoC counters of xh_counters, summed over the CPUs. */
static int ioc_counters(int fd, __u64 *out)
{
	int ncpu = libbpf_num_possible_cpus(), c, k;
	struct xh_stats *st;
	__u32 zero = 0;

	st = ncpu > 0 ? calloc(ncpu, sizeof(*st)) : NULL;
	if (!st || bpf_map_lookup_elem(fd, &zero, st)) {
		free(st);
		return -1;
	}
	for (k = 0; k < XH_IOC_CNT__MAX; k++)
		for (out[k] = 0, c = 0; c < ncpu; c++)
			out[k] += st[c].ioc[k];
	free(st);
	return 0;
}

/* Run DNS queries and ClientHellos through xdphunt in @path: each must move
 * exactly its reason counter by one. On Linux 6.1 the DNS walk once counted
 * every query as a bad label: the verifier, which checks a bpf_loop()
 * callback once with the state at the call, had removed the branch that
 * state did not take. Returns the number of failures. */
static int run_names(const char *path)
{
	static const struct {
		const char *what;
		int tls;
		const char *name;
		int dot_at; /* DNS: a '.' at this name byte, or -1 */
		int cut;    /* bytes cut off the message's end */
		int counter;
	} cases[] = {
		{"dns_query", 0, "www.Evil.example", -1, 0, XH_IOC_CNT_DNS_QUERY},
		{"dns_long_labels", 0,
		 "a23456789012345678901234567890123456789012345678901234567890123.b234567890."
		 "example",
		 -1, 0, XH_IOC_CNT_DNS_QUERY},
		{"dns_dot_in_label", 0, "www.evil.example", 2, 0, XH_IOC_CNT_DNS_BAD_LABEL},
		{"dns_cut", 0, "www.evil.example", -1, 8, XH_IOC_CNT_DNS_TRUNC},
		{"tls_sni", 1, "a.b.c.d.e.f.g.h.i.j.k.l.Evil.example", -1, 0, XH_IOC_CNT_TLS_SNI},
		{"tls_cut", 1, "evil.example", -1, 6, XH_IOC_CNT_TLS_TRUNC},
	};
	__u64 before[XH_IOC_CNT__MAX], after[XH_IOC_CNT__MAX];
	struct bpf_object *obj;
	__u8 msg[1024], pkt[1200];
	int fails = 0, pfd, cfd;
	size_t i, k, len;

	obj = open_for_run(path, &pfd, &cfd);
	if (!obj)
		return 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .repeat = 1);
		int diff = 0, err;

		len = cases[i].tls ? client_hello(msg, cases[i].name)
				   : dns_query(msg, cases[i].name, cases[i].dot_at);
		len -= cases[i].cut;
		opts.data_size_in =
			frame(pkt, cases[i].tls ? 6 : 17, cases[i].tls ? 443 : 53, msg, len);
		err = ioc_counters(cfd, before) || bpf_prog_test_run_opts(pfd, &opts) ||
		      ioc_counters(cfd, after);
		/* (no IoC set is loaded: NO_SET moves too) */
		for (k = 0; k < XH_IOC_CNT_NO_SET; k++)
			if (after[k] - before[k] != (k == (size_t)cases[i].counter ||
						     (cases[i].tls && k == XH_IOC_CNT_TLS_HELLO)))
				diff = 1;
		if (err || diff) {
			fails++;
			printf("XH-RUN FAIL obj=%s what=%s err=%d", base_name(path), cases[i].what,
			       err);
			for (k = 0; !err && k < XH_IOC_CNT_NO_SET; k++)
				if (after[k] != before[k])
					printf(" ioc[%zu]+%llu", k, after[k] - before[k]);
			printf(" want=ioc[%d]+1\n", cases[i].counter);
		} else {
			printf("XH-RUN PASS obj=%s what=%s\n", base_name(path), cases[i].what);
		}
	}
	bpf_object__close(obj);
	return fails;
}

/* @port (host order) -> @svc in xh_ports of @obj. 0 or -1. */
static int set_port(struct bpf_object *obj, __u32 port, __u8 svc)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "xh_ports");

	return m && !bpf_map_update_elem(bpf_map__fd(m), &port, &svc, BPF_ANY) ? 0 : -1;
}

/* cnt[XH_CNT_EVENTS] of xh_counters, summed over the CPUs; -1 on error. */
static long long events_sent(int fd)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	struct xh_stats *st;
	long long n = 0;
	__u32 zero = 0;

	st = ncpu > 0 ? calloc(ncpu, sizeof(*st)) : NULL;
	if (!st || bpf_map_lookup_elem(fd, &zero, st)) {
		free(st);
		return -1;
	}
	for (c = 0; c < ncpu; c++)
		n += st[c].cnt[XH_CNT_EVENTS];
	free(st);
	return n;
}

/* Run an SMB2 TREE_CONNECT to IPC$ (port 445) and a DCE/RPC bind to svcctl
 * (port 135) through xdphunt in @path, with IPC$ and svcctl in its tables as
 * xdphunt fills them: each must give two events (the connection, then the
 * finding). The SMB share name is scanned under bpf_loop() and the RPC
 * context walked by global functions: on 6.1 such code once lost a branch
 * it never ran (see run_names()). Returns the number of failures. */
static int run_findings(const char *path)
{
	struct xh_smb_name_key nk = {.hash = xh_smb_hash_ascii("ipc$"), .kind = XH_SMB_TBL_SHARE};
	struct xh_smb_name_val nv = {.id = 1, .share_kind = XH_SMB_SHARE_IPC};
	const struct rpc_ctx_desc ctx[] = {{0, UUID_SVCCTL, 2, 0, 1}};
	struct xh_rpc_if_val iv = {.index = 0, .ver_major = 2};
	__u8 uuid[16], pdu[RPC_PDU_MAX], pkt[1200];
	struct bpf_object *obj;
	struct smbmsg m;
	int fails = 0, pfd, cfd, i;

	obj = open_for_run(path, &pfd, &cfd);
	if (!obj)
		return 1;
	rpc_uuid_le(UUID_SVCCTL, uuid);
	if (bpf_map_update_elem(bpf_map__fd(bpf_object__find_map_by_name(obj, "xh_smb_names")), &nk,
				&nv, BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(bpf_object__find_map_by_name(obj, "xh_rpc_ifs")), uuid,
				&iv, BPF_ANY) ||
	    set_port(obj, 445, XH_SVC_SMB) || set_port(obj, 135, XH_SVC_RPC)) {
		printf("XH-RUN FAIL obj=%s what=tables\n", base_name(path));
		bpf_object__close(obj);
		return 1;
	}
	for (i = 0; i < 2; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .repeat = 1);
		const char *what = i ? "rpc_bind_svcctl" : "smb_tree_connect_ipc";
		long long before = events_sent(cfd), after;
		int err;

		if (i) {
			size_t n = rpc_build_bind(pdu, 0, 11, 1, ctx, 1);

			opts.data_size_in = frame(pkt, 6, 135, pdu, n);
		} else {
			smbmsg_init(&m);
			smbmsg_nb_begin(&m, 0);
			smb2_tree_connect_req(&m, 2, 0x77, "\\\\192.0.2.53\\IPC$");
			smbmsg_nb_end(&m);
			opts.data_size_in = frame(pkt, 6, 445, m.b, m.len);
		}
		err = bpf_prog_test_run_opts(pfd, &opts);
		after = events_sent(cfd);
		if (err || before < 0 || after - before != 2) {
			fails++;
			printf("XH-RUN FAIL obj=%s what=%s err=%d events=%lld want=2\n",
			       base_name(path), what, err, after - before);
		} else {
			printf("XH-RUN PASS obj=%s what=%s\n", base_name(path), what);
		}
	}
	bpf_object__close(obj);
	return fails;
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
		}
	}
	uname(&uts);
	printf("XH-VERIFIER DONE kernel=%s pass=%d fail=%d\n", uts.release, pass, fail);
	free(warn_buf);
	return fail ? 1 : 0;
}
