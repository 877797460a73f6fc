// SPDX-License-Identifier: GPL-2.0
/* vm_runs.c: vm_loader's XH-RUN cases. Frames run through the loaded
 * xdphunt.bpf.o (BPF_PROG_TEST_RUN) whose counters must move as the current
 * kernel's verifier should have kept them: DNS queries and ClientHellos
 * (run_names()), an SMB2 tree connect to IPC$ and a DCE/RPC bind to svcctl
 * (run_findings()), a jumbo frame in XDP fragments (run_jumbo()). A verifier that checked a path
 * wrongly may have pruned it; loading alone would not show that. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "vm_loader.h"
#include "xh_abi.h"
#include "smb_name.h" /* bpf/smb_name.h: the share table's hash */
#include "smbmsg.h"
#include "rpc_pdu.h"

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

/* A DNS query for the dotted @name, labels as given; when @poke is not 0 it
 * replaces wire byte @at of the name (0: the first length byte), e.g. a '.'
 * inside a label or a 0x40 label type. Returns its length. */
static size_t dns_query(__u8 *m, const char *name, int at, __u8 poke)
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
	if (poke)
		m[start - 1 + at] = poke;
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

/* Set bit @bit of the read-only array @name (__u64 words) of @obj, which
 * is open and not loaded, as the loader sets its skeleton's rodata. 0 or
 * -1. */
static int set_rodata_bit(struct bpf_object *obj, const char *name, unsigned int bit)
{
	struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *m;
	const void *init;
	size_t size;
	__u8 *data;
	int err;

	bpf_object__for_each_map(m, obj)
	{
		const struct btf_type *sec;
		const struct btf_var_secinfo *vs;
		int id;

		if (!strstr(bpf_map__name(m), ".rodata") || !btf)
			continue;
		id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
		sec = id > 0 ? btf__type_by_id(btf, id) : NULL;
		/* a copy: libbpf's own is const in some versions */
		init = bpf_map__initial_value(m, &size);
		data = sec && init ? malloc(size) : NULL;
		if (!data)
			return -1;
		memcpy(data, init, size);
		vs = btf_var_secinfos(sec);
		for (int i = 0; i < btf_vlen(sec); i++, vs++) {
			const struct btf_type *v = btf__type_by_id(btf, vs->type);

			if (strcmp(btf__name_by_offset(btf, v->name_off), name) ||
			    vs->offset + (bit / 64 + 1) * 8 > size || (bit / 64 + 1) * 8 > vs->size)
				continue;
			((__u64 *)(data + vs->offset))[bit / 64] |= 1ULL << (bit % 64);
			err = bpf_map__set_initial_value(m, data, size);
			free(data);
			return err ? -1 : 0;
		}
		free(data);
		return -1;
	}
	return -1;
}

/* @path loaded, with the fds of its xdphunt program and of xh_counters;
 * NULL after a FAIL line. A @svcsweep_port other than 0 is set in
 * scan.service_sweep's ports. */
static struct bpf_object *open_for_run_port(const char *path, int *pfd, int *cfd,
					    unsigned int svcsweep_port)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_map *map;

	warn_reset();
	obj = bpf_object__open_file(path, NULL);
	if (obj && svcsweep_port && set_rodata_bit(obj, "xh_cfg_svcsweep_ports", svcsweep_port)) {
		printf("XH-RUN FAIL obj=%s what=rodata\n", base_name(path));
		bpf_object__close(obj);
		return NULL;
	}
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

static struct bpf_object *open_for_run(const char *path, int *pfd, int *cfd)
{
	return open_for_run_port(path, pfd, cfd, 0);
}

/* xh_counters (@fd), one struct per possible CPU (*ncpu of them), to free;
 * NULL on error. */
static struct xh_stats *stats_per_cpu(int fd, int *ncpu)
{
	struct xh_stats *st;
	__u32 zero = 0;

	*ncpu = libbpf_num_possible_cpus();
	st = *ncpu > 0 ? calloc(*ncpu, sizeof(*st)) : NULL;
	if (st && bpf_map_lookup_elem(fd, &zero, st)) {
		free(st);
		return NULL;
	}
	return st;
}

/* The IoC counters of xh_counters, summed over the CPUs. */
static int ioc_counters(int fd, __u64 *out)
{
	int ncpu, c, k;
	struct xh_stats *st = stats_per_cpu(fd, &ncpu);

	if (!st)
		return -1;
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
int run_names(const char *path)
{
	static const struct {
		const char *what;
		int tls;
		const char *name;
		int at;	   /* DNS: the name byte @poke replaces */
		__u8 poke; /* 0: none */
		int cut;   /* bytes cut off the message's end */
		int counter;
	} cases[] = {
		{"dns_query", 0, "www.Evil.example", 0, 0, 0, XH_IOC_CNT_DNS_QUERY},
		{"dns_long_labels", 0,
		 "a23456789012345678901234567890123456789012345678901234567890123.b234567890."
		 "example",
		 0, 0, 0, XH_IOC_CNT_DNS_QUERY},
		/* a '.' is a label byte like any other (bpf/dns.h) */
		{"dns_dot_in_label", 0, "www.evil.example", 3, '.', 0, XH_IOC_CNT_DNS_QUERY},
		{"dns_label_type", 0, "www.evil.example", 0, 0x43, 0, XH_IOC_CNT_DNS_BAD_LABEL},
		{"dns_cut", 0, "www.evil.example", 0, 0, 8, XH_IOC_CNT_DNS_TRUNC},
		{"tls_sni", 1, "a.b.c.d.e.f.g.h.i.j.k.l.Evil.example", 0, 0, 0, XH_IOC_CNT_TLS_SNI},
		{"tls_cut", 1, "evil.example", 0, 0, 6, XH_IOC_CNT_TLS_TRUNC},
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
				   : dns_query(msg, cases[i].name, cases[i].at, cases[i].poke);
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
	int ncpu, c;
	struct xh_stats *st = stats_per_cpu(fd, &ncpu);
	long long n = 0;

	if (!st)
		return -1;
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
int run_findings(const char *path)
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

/* A 9014-byte TCP frame (MTU 9000), which BPF_PROG_TEST_RUN hands the
 * program in XDP fragments past its first 3520 bytes: the bytes counter must
 * move by the whole frame (xdp.frags, bpf_xdp_get_buff_len() on this
 * kernel). Returns the number of failures. */
int run_jumbo(const char *path)
{
	static __u8 pkt[9014], zeros[9014];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .repeat = 1);
	unsigned long long before = 0, after = 0;
	struct xh_stats *st0, *st1;
	struct bpf_object *obj;
	int pfd, cfd, ncpu, c, err;

	obj = open_for_run(path, &pfd, &cfd);
	if (!obj)
		return 1;
	opts.data_size_in = frame(pkt, 6, 80, zeros, sizeof(pkt) - 54);
	st0 = stats_per_cpu(cfd, &ncpu);
	err = bpf_prog_test_run_opts(pfd, &opts);
	st1 = stats_per_cpu(cfd, &ncpu);
	for (c = 0; st0 && st1 && c < ncpu; c++) {
		before += st0[c].cnt[XH_CNT_BYTES];
		after += st1[c].cnt[XH_CNT_BYTES];
	}
	if (err || !st0 || !st1 || after - before != sizeof(pkt)) {
		printf("XH-RUN FAIL obj=%s what=jumbo_frame err=%d bytes=%llu want=%zu\n",
		       base_name(path), err, after - before, sizeof(pkt));
		err = 1;
	} else {
		printf("XH-RUN PASS obj=%s what=jumbo_frame\n", base_name(path));
	}
	free(st0);
	free(st1);
	bpf_object__close(obj);
	return err ? 1 : 0;
}

/* An RDP connection request to 3389 and an SSH client line to 22 through
 * xdphunt in @path: each must give one event (rdp.connect, ssh.connect),
 * the SSH line after the scan of its bytes for the line's end (a bounded
 * loop in a global function, bpf/remote.bpf.h). Returns the number of
 * failures. */
int run_remote(const char *path)
{
	static const __u8 rdp[] = {3, 0,    0,	  19,	14,   0xe0, 0, 0, 0x12, 0x34,
				   0, 0x01, 0x00, 0x08, 0x00, 0x03, 0, 0, 0};
	static const char ssh[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6\r\n";
	struct bpf_object *obj;
	__u8 pkt[1200];
	int fails = 0, pfd, cfd, i;

	obj = open_for_run(path, &pfd, &cfd);
	if (!obj)
		return 1;
	for (i = 0; i < 2; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .repeat = 1);
		const char *what = i ? "ssh_client_line" : "rdp_request";
		long long before = events_sent(cfd), after;
		int err;

		opts.data_size_in = i ? frame(pkt, 6, 22, (const __u8 *)ssh, sizeof(ssh) - 1)
				      : frame(pkt, 6, 3389, rdp, sizeof(rdp));
		err = bpf_prog_test_run_opts(pfd, &opts);
		after = events_sent(cfd);
		if (err || before < 0 || after - before != 1) {
			fails++;
			printf("XH-RUN FAIL obj=%s what=%s err=%d events=%lld want=1\n",
			       base_name(path), what, err, after - before);
		} else {
			printf("XH-RUN PASS obj=%s what=%s\n", base_name(path), what);
		}
	}
	bpf_object__close(obj);
	return fails;
}

/* Make frame @i of a run (an argument @arg) in @pkt; returns its length. */
typedef size_t (*frame_fn)(__u8 *pkt, int i, int arg);

/* Run the @n frames @build makes, in turn, through the program @pfd (its
 * counters @cfd) and return the index of the one frame that made an event:
 * -1 when none did, -2 when more than one did. *@ran: the frames run (less
 * than @n when a run failed). */
static int event_at(int pfd, int cfd, frame_fn build, int arg, int n, int *ran)
{
	long long before, after;
	int i, at = -1;
	__u8 pkt[128];

	for (i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .repeat = 1);

		opts.data_size_in = build(pkt, i, arg);
		before = events_sent(cfd);
		if (bpf_prog_test_run_opts(pfd, &opts))
			break;
		after = events_sent(cfd);
		if (before < 0 || after - before > 1 || (after > before && at >= 0)) {
			at = -2;
			break;
		}
		if (after > before)
			at = i;
	}
	*ran = i;
	return at;
}

/* Each of 20 ports twice: a SYN to 2000 + @i / 2. */
static size_t syn_retransmitted(__u8 *pkt, int i, int arg)
{
	size_t n = frame(pkt, 6, 2000 + i / 2, (const __u8 *)"", 0);

	(void)arg;
	pkt[14 + 20 + 13] = 0x02; /* SYN */
	return n;
}

/* scan.port_scan on this kernel: client SYNs to 20 ports of one host make
 * one event, at the 16th port (the default threshold); a retransmission of
 * each counts for nothing. */
int run_port_scan(const char *path)
{
	struct bpf_object *obj;
	int fails = 0, pfd, cfd, ran, at;

	obj = open_for_run(path, &pfd, &cfd);
	if (!obj)
		return 1;
	at = event_at(pfd, cfd, syn_retransmitted, 0, 40, &ran);
	if (ran < 40 || at != 30) {
		fails++;
		printf("XH-RUN FAIL obj=%s what=port_scan frames=%d event_at=%d want=30\n",
		       base_name(path), ran, at);
	} else {
		printf("XH-RUN PASS obj=%s what=port_scan\n", base_name(path));
	}
	bpf_object__close(obj);
	return fails;
}

/* 192.0.2.53's ICMP port unreachable to 192.0.2.10 about its datagram with
 * data to UDP port 3000 + @i, quoting its IP header and 8 bytes. */
static size_t port_unreachable(__u8 *pkt, int i, int arg)
{
	__u8 q[128];
	size_t n = 14 + 20 + 8;

	(void)arg;
	frame(q, 17, 3000 + i, (const __u8 *)"xdph", 4);
	memcpy(pkt, q, 14 + 20);
	memcpy(pkt + 26, q + 30, 4); /* from the datagram's destination */
	memcpy(pkt + 30, q + 26, 4); /* to its source */
	pkt[23] = 1;		     /* ICMP */
	memset(pkt + 34, 0, 8);
	pkt[34] = 3; /* destination unreachable */
	pkt[35] = 3; /* port unreachable */
	memcpy(pkt + n, q + 14, 28);
	n += 28;
	pkt[16] = (n - 14) >> 8;
	pkt[17] = (n - 14) & 0xff;
	return n;
}

/* scan.port_scan from ICMP port unreachables (bpf/icmp_quote.bpf.h) on this
 * kernel: the answers to datagrams with data to 20 UDP ports of one host
 * make one event, at the 16th port; the datagrams themselves go unseen.
 * Returns the number of failures. */
int run_port_scan_unreachable(const char *path)
{
	struct bpf_object *obj;
	int fails = 0, pfd, cfd, ran, at;

	obj = open_for_run(path, &pfd, &cfd);
	if (!obj)
		return 1;
	at = event_at(pfd, cfd, port_unreachable, 0, 20, &ran);
	if (ran < 20 || at != 15) {
		fails++;
		printf("XH-RUN FAIL obj=%s what=port_scan_unreachable frames=%d event_at=%d "
		       "want=15\n",
		       base_name(path), ran, at);
	} else {
		printf("XH-RUN PASS obj=%s what=port_scan_unreachable\n", base_name(path));
	}
	bpf_object__close(obj);
	return fails;
}

/* A SYN to port @port of 192.0.2.100 + @i. */
static size_t syn_to_host(__u8 *pkt, int i, int port)
{
	size_t n = frame(pkt, 6, (__u16)port, (const __u8 *)"", 0);

	pkt[14 + 20 + 13] = 0x02;  /* SYN */
	pkt[33] = (__u8)(100 + i); /* 192.0.2.100 and on */
	return n;
}

/* scan.service_sweep with port 3389 set in its ports (rodata, as the loader
 * sets it): client SYNs from one source to 3389 of 40 hosts in turn give one
 * event, on the 16th host; the same SYNs to 3390, which is not set, none.
 * Returns the number of failures. */
int run_service_sweep(const char *path)
{
	struct bpf_object *obj;
	int fails = 0, pfd, cfd, ran, at, p;

	obj = open_for_run_port(path, &pfd, &cfd, 3389);
	if (!obj)
		return 1;
	for (p = 3389; p <= 3390; p++) {
		at = event_at(pfd, cfd, syn_to_host, p, 40, &ran);
		if (ran < 40 || at != (p == 3389 ? 15 : -1)) {
			fails++;
			printf("XH-RUN FAIL obj=%s what=service_sweep_%d frames=%d event_at=%d "
			       "want=%d\n",
			       base_name(path), p, ran, at, p == 3389 ? 15 : -1);
		} else {
			printf("XH-RUN PASS obj=%s what=service_sweep_%d\n", base_name(path), p);
		}
	}
	bpf_object__close(obj);
	return fails;
}

/* kerberos.brute_force: ten KRB-ERROR answers with KDC_ERR_PREAUTH_FAILED
 * from UDP port 88 to one client give one event, on the tenth; ten with
 * KDC_ERR_PREAUTH_REQUIRED, which every Windows logon gets, none. Returns
 * the number of failures. */
/* The krb[] counters of xh_counters (@fd), summed over the CPUs. */
static int krb_counters(int fd, __u64 *out)
{
	int ncpu, c, k;
	struct xh_stats *st = stats_per_cpu(fd, &ncpu);

	if (!st)
		return -1;
	for (k = 0; k < XH_KRB_CNT__MAX; k++)
		for (out[k] = 0, c = 0; c < ncpu; c++)
			out[k] += st[c].krb[k];
	free(st);
	return 0;
}

/* Ten AS-REQs of accounts u0..u9 (UDP, client 192.0.2.42, each from its own
 * port, without padata) and the KDC's PREAUTH_FAILED @err (@len bytes) on
 * each flow: every request's account must be read (as_req, no_preauth) and
 * found by its failure (failure_named); then an AS-REP on the last flow
 * makes one event (kerberos.no_preauth). */
static int run_kerberos_named(const char *path, int pfd, int cfd, const __u8 *err, size_t len)
{
	/* [APPLICATION 10] SEQUENCE { pvno 5, msg-type 10, req-body SEQUENCE
	 * { kdc-options, cname { NT-PRINCIPAL, "u0" }, realm } } */
	static const __u8 req[] = {0x6a, 0x39, 0x30, 0x37, 0xa1, 3,    2,    1,	   5,	 0xa2,
				   3,	 2,    1,    10,   0xa4, 0x2b, 0x30, 0x29, 0xa0, 7,
				   3,	 5,    0,    0x40, 0x81, 0,    0x10, 0xa1, 0x0f, 0x30,
				   0x0d, 0xa0, 3,    2,	   1,	 1,    0xa1, 6,	   0x30, 4,
				   0x1b, 2,    'u',  '0',  0xa2, 0x0d, 0x1b, 0x0b, 'E',	 'X',
				   'A',	 'M',  'P',  'L',  'E',	 '.',  'C',  'O',  'M'};
	__u64 c0[XH_KRB_CNT__MAX], c1[XH_KRB_CNT__MAX];
	__u8 msg[sizeof(req)], pkt[256];
	int i, bad = krb_counters(cfd, c0);

	for (i = 0; i < 10 && !bad; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .repeat = 1);
		__u16 cport = 51000 + i;

		memcpy(msg, req, sizeof(msg));
		msg[43] = (__u8)('0' + i);
		opts.data_size_in = frame(pkt, 17, 88, msg, sizeof(msg));
		pkt[29] = 42; /* from the client to the KDC, 192.0.2.10 */
		pkt[33] = 10;
		pkt[34] = cport >> 8;
		pkt[35] = cport & 0xff;
		bad |= bpf_prog_test_run_opts(pfd, &opts);
		opts.data_size_in = frame(pkt, 17, cport, err, len);
		opts.data_size_out = 0; /* the last run's, which would cut this one */
		pkt[33] = 42;		/* the answer, from port 88 */
		pkt[34] = 0;
		pkt[35] = 88;
		bad |= bpf_prog_test_run_opts(pfd, &opts);
	}
	/* an AS-REP (its head: the kernel reads no further) on the last
	 * request's flow, which carried no padata: one kerberos.no_preauth */
	if (!bad) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .repeat = 1);
		__u8 rep[40] = {0x6b, 38, 0x30, 36};
		long long before = events_sent(cfd);

		opts.data_size_in = frame(pkt, 17, 51009, rep, sizeof(rep));
		pkt[33] = 42;
		pkt[34] = 0;
		pkt[35] = 88;
		bad |= bpf_prog_test_run_opts(pfd, &opts);
		if (!bad && (before < 0 || events_sent(cfd) != before + 1))
			bad = -EPROTO;
	}
	if (!bad)
		bad = krb_counters(cfd, c1);
	if (bad || c1[XH_KRB_CNT_AS_REQ] - c0[XH_KRB_CNT_AS_REQ] != 10 ||
	    c1[XH_KRB_CNT_FAILURE_NAMED] - c0[XH_KRB_CNT_FAILURE_NAMED] != 10 ||
	    c1[XH_KRB_CNT_NO_PREAUTH] - c0[XH_KRB_CNT_NO_PREAUTH] != 10 ||
	    c1[XH_KRB_CNT_AS_REP] - c0[XH_KRB_CNT_AS_REP] != 1) {
		printf("XH-RUN FAIL obj=%s what=kerberos_named run_error=%d as_req=%llu "
		       "failure_named=%llu want=10\n",
		       base_name(path), bad,
		       bad ? 0ULL
			   : (unsigned long long)(c1[XH_KRB_CNT_AS_REQ] - c0[XH_KRB_CNT_AS_REQ]),
		       bad ? 0ULL
			   : (unsigned long long)(c1[XH_KRB_CNT_FAILURE_NAMED] -
						  c0[XH_KRB_CNT_FAILURE_NAMED]));
		return 1;
	}
	printf("XH-RUN PASS obj=%s what=kerberos_named\n", base_name(path));
	return 0;
}

/* kerberos.weak_ticket: a TGS-REP (UDP, from port 88 to 192.0.2.42) whose
 * ticket for MSSQLSvc/db1.hunt.test:1433 is in RC4 makes one event and is
 * counted (tgs_rep, weak_ticket); the same in AES only counted. The walk
 * past the reply's head reads the packet again from its crealm
 * (xh_krb_ticket()). */
static int run_kerberos_weak_ticket(const char *path, int pfd, int cfd)
{
	/* [APPLICATION 13] SEQUENCE { pvno 5, msg-type 13, then from the
	 * crealm: HUNT.TEST, Administrator, ticket { 5, HUNT.TEST, sname,
	 * enc-part { etype 23, ... } }, enc-part } */
	static const __u8 rep[] = {
		0x6d, 0x81, 0x9e, 0x30, 0x81, 0x9b, 0xa0, 3,	2,    1,    5,	  0xa1, 3,    2,
		1,    13,   0xa3, 0x0b, 0x1b, 0x09, 'H',  'U',	'N',  'T',  0x2e, 'T',	'E',  'S',
		'T',  0xa4, 0x1a, 0x30, 0x18, 0xa0, 0x03, 0x02, 0x01, 0x01, 0xa1, 0x11, 0x30, 0x0f,
		0x1b, 0x0d, 'A',  'd',	'm',  'i',  'n',  'i',	's',  't',  'r',  'a',	't',  'o',
		'r',  0xa5, 0x57, 0x61, 0x55, 0x30, 0x53, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x0b,
		0x1b, 0x09, 'H',  'U',	'N',  'T',  0x2e, 'T',	'E',  'S',  'T',  0xa2, 0x29, 0x30,
		0x27, 0xa0, 0x03, 0x02, 0x01, 0x02, 0xa1, 0x20, 0x30, 0x1e, 0x1b, 0x08, 'M',  'S',
		'S',  'Q',  'L',  'S',	'v',  'c',  0x1b, 0x12, 'd',  'b',  0x31, 0x2e, 'h',  'u',
		'n',  't',  0x2e, 't',	'e',  's',  't',  0x3a, 0x31, 0x34, 0x33, 0x33, 0xa3, 0x14,
		0x30, 0x12, 0xa0, 0x03, 0x02, 0x01, 0x17, 0xa1, 0x03, 0x02, 0x01, 0x02, 0xa2, 0x06,
		0x04, 0x04, 'c',  'c',	'c',  'c',  0xa6, 0x0d, 0x30, 0x0b, 0xa0, 0x03, 0x02, 0x01,
		0x12, 0xa2, 0x04, 0x04, 0x02, 'e',  'e'};
	__u64 c0[XH_KRB_CNT__MAX], c1[XH_KRB_CNT__MAX];
	long long ev[2] = {-1, -1};
	__u8 msg[sizeof(rep)], pkt[256];
	int bad = krb_counters(cfd, c0);

	_Static_assert(sizeof(rep) == 161, "the TGS-REP's length");
	for (int i = 0; i < 2 && !bad; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .repeat = 1);
		long long before = events_sent(cfd);

		memcpy(msg, rep, sizeof(msg));
		if (i)
			msg[16 + 114 + 2] = 18; /* aes256-cts-hmac-sha1-96 */
		opts.data_size_in = frame(pkt, 17, 52000 + i, msg, sizeof(msg));
		pkt[33] = 42; /* the answer, from port 88 */
		pkt[34] = 0;
		pkt[35] = 88;
		bad |= bpf_prog_test_run_opts(pfd, &opts);
		ev[i] = before < 0 ? -1 : events_sent(cfd) - before;
	}
	if (!bad)
		bad = krb_counters(cfd, c1);
	if (bad || ev[0] != 1 || ev[1] != 0 ||
	    c1[XH_KRB_CNT_TGS_REP] - c0[XH_KRB_CNT_TGS_REP] != 2 ||
	    c1[XH_KRB_CNT_WEAK_TICKET] - c0[XH_KRB_CNT_WEAK_TICKET] != 1) {
		printf("XH-RUN FAIL obj=%s what=kerberos_weak_ticket run_error=%d events=%lld,%lld "
		       "want=1,0\n",
		       base_name(path), bad, ev[0], ev[1]);
		return 1;
	}
	printf("XH-RUN PASS obj=%s what=kerberos_weak_ticket\n", base_name(path));
	return 0;
}

/* kerberos.weak_request: a TGS-REQ (UDP, from 192.0.2.10 to port 88) whose
 * req-body (zeek-aduser1.pcap's Impacket request for ldap/WIN-VGO56I95EAK)
 * lists RC4 first makes one event and is counted (tgs_req, weak_request);
 * the same with AES first only counted. The walk reads the packet again past
 * the padata (xh_krb_tgs_req()). */
static int run_kerberos_weak_request(const char *path, int pfd, int cfd)
{
	/* { pvno 5, msg-type 12, padata { { 1, 20 bytes } } } */
	static const __u8 head[] = {0xa1, 3,	2,    1,    5,	  0xa2, 3,   2,	  1,   12,  0xa3,
				    0x1d, 0x30, 0x1b, 0x30, 0x19, 0xa1, 3,   2,	  1,   1,   0xa2,
				    0x12, 0x04, 0x10, 'p',  'p',  'p',	'p', 'p', 'p', 'p', 'p',
				    'p',  'p',	'p',  'p',  'p',  'p',	'p', 'p'};
	_Static_assert(sizeof(head) == 41, "the head's length");
	static const __u8 body[] = {
		0xa4, 0x6d, 0x30, 0x6b, 0xa0, 0x07, 0x03, 0x05, 0x00, 0x40, 0x81, 0x00, 0x10, 0xa2,
		0x11, 0x1b, 0x0f, 'A',	'D',  'H',  'A',  'C',	'K',  'I',  'N',  'G',	'.',  'L',
		'O',  'C',  'A',  'L',	0xa3, 0x22, 0x30, 0x20, 0xa0, 0x03, 0x02, 0x01, 0x02, 0xa1,
		0x19, 0x30, 0x17, 0x1b, 0x04, 'l',  'd',  'a',	'p',  0x1b, 0x0f, 'W',	'I',  'N',
		'-',  'V',  'G',  'O',	'5',  '6',  'I',  '9',	'5',  'E',  'A',  'K',	0xa5, 0x11,
		0x18, 0x0f, '2',  '0',	'2',  '5',  '0',  '3',	'1',  '1',  '0',  '8',	'5',  '4',
		'4',  '8',  'Z',  0xa7, 0x06, 0x02, 0x04, 0x1f, 0x49, 0xa4, 0xbd, 0xa8, 0x0e, 0x30,
		0x0c, 0x02, 0x01, 0x17, 0x02, 0x01, 0x10, 0x02, 0x01, 0x03, 0x02, 0x01, 0x12};
	__u64 c0[XH_KRB_CNT__MAX], c1[XH_KRB_CNT__MAX];
	long long ev[2] = {-1, -1};
	__u8 msg[6 + sizeof(head) + sizeof(body)], pkt[256];
	size_t len = sizeof(head) + sizeof(body);
	int bad = krb_counters(cfd, c0);

	_Static_assert(sizeof(body) == 111, "the req-body's length");
	/* [APPLICATION 12] SEQUENCE, lengths in one byte past 0x81 */
	_Static_assert(sizeof(head) + sizeof(body) + 3 < 0x100, "0x81 DER lengths");
	msg[0] = 0x6c;
	msg[1] = 0x81;
	msg[2] = (__u8)(len + 3);
	msg[3] = 0x30;
	msg[4] = 0x81;
	msg[5] = (__u8)len;
	memcpy(msg + 6, head, sizeof(head));
	memcpy(msg + 6 + sizeof(head), body, sizeof(body));
	for (int i = 0; i < 2 && !bad; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .repeat = 1);
		long long before = events_sent(cfd);

		if (i) /* aes256-cts-hmac-sha1-96 first */
			msg[6 + len - 10] = 18;
		opts.data_size_in = frame(pkt, 17, 88, msg, 6 + len);
		pkt[35] = (__u8)(0x40 + i); /* each its own flow */
		bad |= bpf_prog_test_run_opts(pfd, &opts);
		ev[i] = before < 0 ? -1 : events_sent(cfd) - before;
	}
	if (!bad)
		bad = krb_counters(cfd, c1);
	if (bad || ev[0] != 1 || ev[1] != 0 ||
	    c1[XH_KRB_CNT_TGS_REQ] - c0[XH_KRB_CNT_TGS_REQ] != 2 ||
	    c1[XH_KRB_CNT_WEAK_REQUEST] - c0[XH_KRB_CNT_WEAK_REQUEST] != 1) {
		printf("XH-RUN FAIL obj=%s what=kerberos_weak_request run_error=%d "
		       "events=%lld,%lld "
		       "want=1,0\n",
		       base_name(path), bad, ev[0], ev[1]);
		return 1;
	}
	printf("XH-RUN PASS obj=%s what=kerberos_weak_request\n", base_name(path));
	return 0;
}

int run_kerberos(const char *path)
{
	/* [APPLICATION 30] SEQUENCE { pvno 5, msg-type 30, stime, susec,
	 * error-code, realm } */
	static const __u8 head[] = {0x7e, 0x3d, 0x30, 0x3b, 0xa0, 3,	0x02, 1,    5,	  0xa1,
				    3,	  0x02, 1,    30,   0xa4, 0x11, 0x18, 0x0f, '2',  '0',
				    '2',  '6',	'1',  '2',  '0',  '7',	'1',  '0',  '1',  '0',
				    '1',  '0',	'Z',  0xa5, 5,	  0x02, 3,    1,    2,	  3,
				    0xa6, 3,	0x02, 1,    24,	  0xa9, 0x0d, 0x1b, 0x0b, 'E',
				    'X',  'A',	'M',  'P',  'L',  'E',	'.',  'C',  'O',  'M'};
	struct bpf_object *obj;
	__u8 msg[sizeof(head)], pkt[256];
	int fails = 0, pfd, cfd, i, at, c;

	obj = open_for_run(path, &pfd, &cfd);
	if (!obj)
		return 1;
	for (c = 0; c < 2; c++) {
		int code = c ? 25 : 24;

		memcpy(msg, head, sizeof(msg));
		msg[44] = (__u8)code;
		at = -1;
		for (i = 0; i < 20; i++) {
			LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .repeat = 1);
			long long before, after;

			opts.data_size_in = frame(pkt, 17, 50000, msg, sizeof(msg));
			pkt[34] = 0; /* from port 88 */
			pkt[35] = 88;
			pkt[33] = (__u8)(40 + c); /* one client per code */
			before = events_sent(cfd);
			if (bpf_prog_test_run_opts(pfd, &opts))
				break;
			after = events_sent(cfd);
			if (before < 0 || after - before > 1 || (after > before && at >= 0))
				break;
			if (after > before)
				at = i;
		}
		if (i < 20 || at != (c ? -1 : 9)) {
			fails++;
			printf("XH-RUN FAIL obj=%s what=kerberos_%d frames=%d event_at=%d "
			       "want=%d\n",
			       base_name(path), code, i, at, c ? -1 : 9);
		} else {
			printf("XH-RUN PASS obj=%s what=kerberos_%d\n", base_name(path), code);
		}
	}
	msg[44] = 24;
	fails += run_kerberos_named(path, pfd, cfd, msg, sizeof(msg));
	fails += run_kerberos_weak_ticket(path, pfd, cfd);
	fails += run_kerberos_weak_request(path, pfd, cfd);
	bpf_object__close(obj);
	return fails;
}
