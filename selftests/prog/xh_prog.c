// SPDX-License-Identifier: GPL-2.0
/* xh_prog.c: see xh_prog.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdphunt.skel.h"
#include "log.h"
#include "ring_reader.h"
#include "smb_user.h"
#include "test.h"
#include "xh_prog.h"
#include "ioc.h"
#include "ioc_prefilter.h"
#include "name.h"
#include "pkt.h"

/* Build the inner IoC maps the way user/ioc_maps.c does, with fixed ids
 * (generation 0), and install them in the outer slots. */
static int make_inner(enum bpf_map_type type, size_t ksz, uint32_t max)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);

	return bpf_map_create(type, "xh_test_in", ksz, sizeof(__u32), max, &o);
}

static int install(int outer, int inner)
{
	__u32 zero = 0;
	int err = bpf_map_update_elem(outer, &zero, &inner, BPF_ANY);

	close(inner);
	return err;
}

/* The prefilter (bpf/ioc_pf.h) of the test indicators, built by the real
 * userspace (user/ioc_prefilter.c) from a feed of the same prefixes and
 * domains and installed in xh_iocpf, as xdphunt always runs with one: the
 * datapath then takes its fast path for packets no indicator can match. */
static int add_prefilter(struct xdphunt *skel)
{
	static const char feed[] =
		"203.0.113.0/24\n198.51.100.77\n" IOC_BLOCK_ADDR "\n"
		"198.51.100.80:8443\n2001:db8:bad::/48\n" IOC_DOMAIN "\n" IOC_DOMAIN_BLOCK "\n";
	char path[] = "/tmp/xh_prog_feed_XXXXXX";
	struct ioc_set *set = ioc_set__new();
	int fd = mkstemp(path), pf = -1, err = -1;

	if (set && fd >= 0 && write(fd, feed, sizeof(feed) - 1) == (ssize_t)(sizeof(feed) - 1) &&
	    ioc_set_load_file(set, path) == 7)
		pf = ioc_prefilter_create(set);
	if (pf >= 0)
		err = install(bpf_map__fd(skel->maps.xh_iocpf), pf);
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	ioc_set__free(set);
	return err;
}

static int add_iocs(struct xdphunt *skel)
{
	int fd4 = make_inner(BPF_MAP_TYPE_LPM_TRIE, sizeof(struct xh_lpm4_key), XH_IOC4_MAX);
	int fd6 = make_inner(BPF_MAP_TYPE_LPM_TRIE, sizeof(struct xh_lpm6_key), XH_IOC6_MAX);
	int fdd = make_inner(BPF_MAP_TYPE_HASH, sizeof(__u64), XH_IOCDOM_MAX);
	int fdp = make_inner(BPF_MAP_TYPE_HASH, sizeof(struct xh_iocport_key), XH_IOCPORT_MAX);
	struct xh_lpm4_key k4 = {.prefixlen = 24};
	struct xh_lpm6_key k6 = {.prefixlen = 48};
	struct xh_iocport_key pk = {.family = XH_AF_INET};
	__u32 v;
	__u64 h;
	int err = 0;

	if (fd4 < 0 || fd6 < 0 || fdd < 0 || fdp < 0)
		return -1;
	inet_pton(AF_INET, "203.0.113.0", &k4.addr);
	v = IOC_V4_NET24;
	err |= bpf_map_update_elem(fd4, &k4, &v, BPF_ANY);
	k4.prefixlen = 32;
	inet_pton(AF_INET, "198.51.100.77", &k4.addr);
	v = IOC_V4_HOST32;
	err |= bpf_map_update_elem(fd4, &k4, &v, BPF_ANY);
	inet_pton(AF_INET, IOC_BLOCK_ADDR, &k4.addr);
	v = IOC_V4_BLOCK | XH_IOC_F_BLOCK;
	err |= bpf_map_update_elem(fd4, &k4, &v, BPF_ANY);
	/* address:port: the host's LPM entry says "look at the port" */
	inet_pton(AF_INET, IOC_PORT_ADDR, &k4.addr);
	v = XH_IOC_F_PORT;
	err |= bpf_map_update_elem(fd4, &k4, &v, BPF_ANY);
	inet_pton(AF_INET, IOC_PORT_ADDR, pk.addr);
	pk.port = htons(IOC_PORT_PORT);
	v = IOC_V4_PORT;
	err |= bpf_map_update_elem(fdp, &pk, &v, BPF_ANY);
	inet_pton(AF_INET6, "2001:db8:bad::", k6.addr);
	v = IOC_V6_NET48;
	err |= bpf_map_update_elem(fd6, &k6, &v, BPF_ANY);
	h = xhp_domain_hash(IOC_DOMAIN);
	v = IOC_DOM;
	err |= bpf_map_update_elem(fdd, &h, &v, BPF_ANY);
	h = xhp_domain_hash(IOC_DOMAIN_BLOCK);
	v = IOC_DOM_BLOCK | XH_IOC_F_BLOCK;
	err |= bpf_map_update_elem(fdd, &h, &v, BPF_ANY);
	err |= install(bpf_map__fd(skel->maps.xh_ioc4), fd4);
	err |= install(bpf_map__fd(skel->maps.xh_ioc6), fd6);
	err |= install(bpf_map__fd(skel->maps.xh_iocdom), fdd);
	err |= install(bpf_map__fd(skel->maps.xh_iocport), fdp);
	return err ? -1 : add_prefilter(skel);
}

uint64_t xhp_domain_hash(const char *dom)
{
	__u64 hash[XH_NAME_SUFFIX_MAX];
	__u16 off[XH_NAME_SUFFIX_MAX];
	__u32 n = xh_name_suffixes((const __u8 *)dom, (__u32)strlen(dom), hash, off);

	return n ? hash[n - 1] : 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct xhp *x = ctx;

	if (!ASSERT_GE(size, XH_EVENT_SHORT_SIZE, "event holds its header") ||
	    !ASSERT_EQ(size, xh_event_record_size(data), "event size for its detail kind"))
		return 0;
	if (x->n_ev < XHP_MAX_EVENTS) {
		memset(&x->ev[x->n_ev], 0, sizeof(struct xh_event));
		memcpy(&x->ev[x->n_ev++], data, size);
	}
	return 0;
}

static int xhp_open_mode(struct xhp *x, uint64_t wakeup_bytes, uint32_t rb_bytes, int capture);

int xhp_open(struct xhp *x, uint64_t wakeup_bytes, uint32_t rb_bytes)
{
	return xhp_open_mode(x, wakeup_bytes, rb_bytes, 0);
}

int xhp_open_capture(struct xhp *x)
{
	return xhp_open_mode(x, 0, 0, 1);
}

static int xhp_open_mode(struct xhp *x, uint64_t wakeup_bytes, uint32_t rb_bytes, int capture)
{
	static const struct {
		uint32_t port;
		uint8_t svc;
	} ports[] = {
		{445, XH_SVC_SMB},
		{139, XH_SVC_SMB},
		{135, XH_SVC_RPC},
	};
	int err;

	memset(x, 0, sizeof(*x));
	if (geteuid() != 0) {
		test_skip("BPF_PROG_TEST_RUN needs root");
		return -EPERM;
	}
	/* libbpf's warnings (e.g. about libxdp's .xdp_run_config section)
	 * only with -v, as in xdphunt itself. */
	log_setup(env.verbose ? LOG_INFO : LOG_WARN);
	x->skel = xdphunt__open();
	if (!ASSERT_OK_PTR(x->skel, "xdphunt__open"))
		return -errno;
	x->skel->rodata->xh_cfg_wakeup_bytes = wakeup_bytes;
	x->skel->rodata->xh_cfg_capture = (__u8)capture;
	if (rb_bytes)
		bpf_map__set_max_entries(x->skel->maps.xh_events, rb_bytes);
	err = xdphunt__load(x->skel);
	if (!ASSERT_OK(err, "xdphunt__load"))
		goto fail;
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		err = bpf_map_update_elem(bpf_map__fd(x->skel->maps.xh_ports), &ports[i].port,
					  &ports[i].svc, BPF_ANY);
		if (!ASSERT_OK(err, "xh_ports"))
			goto fail;
	}
	err = add_iocs(x->skel);
	if (!ASSERT_OK(err, "ioc maps"))
		goto fail;
	{
		/* The built-in SMB rules, as xdphunt loads them. */
		struct smb_rules *r = smb_rules__new_default();

		err = r ? smb_rules_to_map(r, bpf_map__fd(x->skel->maps.xh_smb_names)) : -EINVAL;
		smb_rules__free(r);
		if (!ASSERT_OK(err, "xh_smb_names"))
			goto fail;
	}
	x->rb = ring_reader__new(bpf_map__fd(x->skel->maps.xh_events), on_event, x);
	if (!ASSERT_OK_PTR(x->rb, "ring_reader__new")) {
		err = -errno;
		goto fail;
	}
	return 0;
fail:
	xhp_close(x);
	return err ? err : -EINVAL;
}

void xhp_close(struct xhp *x)
{
	ring_reader__free(x->rb);
	xdphunt__destroy(x->skel);
	x->rb = NULL;
	x->skel = NULL;
}

int xhp_run_verdict(struct xhp *x, const uint8_t *buf, size_t len)
{
	/* As large as the largest frame a test sends (XDP frags, jumbo MTU). */
	static uint8_t out[XHP_FRAME_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_size_in = (__u32)len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
	int err;

	err = bpf_prog_test_run_opts(bpf_program__fd(x->skel->progs.xdphunt), &opts);
	if (!ASSERT_OK(err, "bpf_prog_test_run_opts"))
		return err;
	if (ASSERT_EQ(opts.data_size_out, len, "data_out size"))
		ASSERT_MEMEQ(out, buf, len, "data_out unchanged");
	x->retval = opts.retval;
	return (int)opts.retval;
}

int xhp_run(struct xhp *x, const uint8_t *buf, size_t len)
{
	int ret = xhp_run_verdict(x, buf, len);

	if (ret < 0)
		return ret;
	ASSERT_EQ(ret, XDP_PASS, "verdict");
	return 0;
}

int xhp_send_tcp(struct xhp *x, int family, const char *src, const char *dst, uint16_t sport,
		 uint16_t dport, uint16_t flags, const void *payload, size_t len)
{
	struct pkt_desc d = {.family = family,
			     .src = src,
			     .dst = dst,
			     .proto = IPPROTO_TCP,
			     .sport = sport,
			     .dport = dport,
			     .tcp_flags = flags,
			     .payload_len = (int)len,
			     .payload = payload};
	uint8_t buf[PKT_MAX];
	size_t n = pkt_build(&d, buf, NULL);

	if (!ASSERT_NEQ(n, 0, "pkt_build"))
		return -EINVAL;
	return xhp_run(x, buf, n);
}

const struct xh_event *xhp_ev_back(const struct xhp *x, int k)
{
	static const struct xh_event none;

	if (!ASSERT_GE(x->n_ev, k, "events collected") || k < 1)
		return &none;
	return &x->ev[x->n_ev - k];
}

int xhp_stats(struct xhp *x, struct xh_stats *s)
{
	int ncpu = libbpf_num_possible_cpus(), err;
	struct xh_stats *per;
	__u32 zero = 0;

	memset(s, 0, sizeof(*s));
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(x->skel->maps.xh_counters), &zero, per);
	for (int c = 0; !err && c < ncpu; c++) {
		__u64 *dst = (__u64 *)s, *src = (__u64 *)&per[c];

		for (size_t i = 0; i < sizeof(*s) / sizeof(__u64); i++)
			dst[i] += src[i];
	}
	free(per);
	return err;
}

int xhp_drain(struct xhp *x)
{
	return ring_reader__consume(x->rb);
}

int xhp_count_rule(struct xhp *x, unsigned int rule, const struct xh_event **last)
{
	int n = 0;

	xhp_drain(x);
	for (int i = 0; i < x->n_ev; i++) {
		if (x->ev[i].rule == rule) {
			n++;
			*last = &x->ev[i];
		}
	}
	return n;
}

void xhp_reset(struct xhp *x)
{
	int fd = bpf_map__fd(x->skel->maps.xh_flows);
	struct xh_flow_key key;

	while (bpf_map_get_next_key(fd, NULL, &key) == 0)
		if (bpf_map_delete_elem(fd, &key))
			break;
	fd = bpf_map__fd(x->skel->maps.xh_smb);
	{
		__u64 id;

		while (bpf_map_get_next_key(fd, NULL, &id) == 0)
			if (bpf_map_delete_elem(fd, &id))
				break;
	}
	{
		struct xh_seen_key sk;
		char tk[64];

		fd = bpf_map__fd(x->skel->maps.xh_smb_trees);
		while (bpf_map_get_next_key(fd, NULL, tk) == 0)
			if (bpf_map_delete_elem(fd, tk))
				break;
		fd = bpf_map__fd(x->skel->maps.xh_smb_pend);
		while (bpf_map_get_next_key(fd, NULL, tk) == 0)
			if (bpf_map_delete_elem(fd, tk))
				break;
		fd = bpf_map__fd(x->skel->maps.xh_smb_files);
		while (bpf_map_get_next_key(fd, NULL, tk) == 0)
			if (bpf_map_delete_elem(fd, tk))
				break;

		fd = bpf_map__fd(x->skel->maps.xh_seen);
		while (bpf_map_get_next_key(fd, NULL, &sk) == 0)
			if (bpf_map_delete_elem(fd, &sk))
				break;
	}
	{
		struct xh_sweep_pair_key pk;

		fd = bpf_map__fd(x->skel->maps.xh_sweep_pair);
		while (bpf_map_get_next_key(fd, NULL, &pk) == 0)
			if (bpf_map_delete_elem(fd, &pk))
				break;
		fd = bpf_map__fd(x->skel->maps.xh_sweep_src);
		while (bpf_map_get_next_key(fd, NULL, &pk) == 0)
			if (bpf_map_delete_elem(fd, &pk))
				break;
		fd = bpf_map__fd(x->skel->maps.xh_scan_pairs);
		while (bpf_map_get_next_key(fd, NULL, &pk) == 0)
			if (bpf_map_delete_elem(fd, &pk))
				break;
	}
	{
		struct xh_scan_port_key ppk;
		static struct xh_scan_first zeros[XH_SCAN_FIRST_SLOTS];
		static __u32 keys[XH_SCAN_FIRST_SLOTS];
		__u32 count = XH_SCAN_FIRST_SLOTS;

		fd = bpf_map__fd(x->skel->maps.xh_scan_ports);
		while (bpf_map_get_next_key(fd, NULL, &ppk) == 0)
			if (bpf_map_delete_elem(fd, &ppk))
				break;
		for (__u32 i = 0; i < XH_SCAN_FIRST_SLOTS; i++)
			keys[i] = i;
		bpf_map_update_batch(bpf_map__fd(x->skel->maps.xh_scan_first), keys, zeros, &count,
				     NULL);
		count = XH_SCAN_FIRST_SLOTS;
		bpf_map_update_batch(bpf_map__fd(x->skel->maps.xh_sweep_first), keys, zeros, &count,
				     NULL);
	}
	xhp_drain(x);
	x->n_ev = 0;
}

int xhp_flow4(struct xhp *x, uint8_t proto, const char *a, uint16_t aport, const char *b,
	      uint16_t bport, struct xh_flow_key *key, struct xh_flow_state *st)
{
	memset(key, 0, sizeof(*key));
	key->family = XH_AF_INET;
	key->proto = proto;
	if (inet_pton(AF_INET, a, &key->saddr[0]) != 1 ||
	    inet_pton(AF_INET, b, &key->daddr[0]) != 1)
		return -EINVAL;
	key->sport = htons(aport);
	key->dport = htons(bport);
	return bpf_map_lookup_elem(bpf_map__fd(x->skel->maps.xh_flows), key, st) ? -errno : 0;
}

int xhp_map_count(int fd)
{
	uint8_t k[64], next[64];
	int n = 0;

	for (void *prev = NULL; n < (1 << 21) && !bpf_map_get_next_key(fd, prev, next); n++) {
		memcpy(k, next, sizeof(k));
		prev = k;
	}
	return n;
}
