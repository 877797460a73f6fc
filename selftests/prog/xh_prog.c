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
#include "smb_user.h"
#include "test.h"
#include "xh_prog.h"

static int add_ioc4(struct xdphunt *skel, const char *addr, int plen, uint32_t id)
{
	struct xh_lpm4_key k = {.prefixlen = plen};

	inet_pton(AF_INET, addr, &k.addr);
	return bpf_map_update_elem(bpf_map__fd(skel->maps.xh_ioc4), &k, &id, BPF_ANY);
}

static int add_ioc6(struct xdphunt *skel, const char *addr, int plen, uint32_t id)
{
	struct xh_lpm6_key k = {.prefixlen = plen};

	inet_pton(AF_INET6, addr, k.addr);
	return bpf_map_update_elem(bpf_map__fd(skel->maps.xh_ioc6), &k, &id, BPF_ANY);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct xhp *x = ctx;

	if (!ASSERT_EQ(size, sizeof(struct xh_event), "event size"))
		return 0;
	if (x->n_ev < XHP_MAX_EVENTS)
		memcpy(&x->ev[x->n_ev++], data, sizeof(struct xh_event));
	return 0;
}

int xhp_open(struct xhp *x, uint64_t wakeup_bytes, uint32_t rb_bytes)
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
	err = add_ioc4(x->skel, "203.0.113.0", 24, IOC_V4_NET24) ||
	      add_ioc4(x->skel, "198.51.100.77", 32, IOC_V4_HOST32) ||
	      add_ioc6(x->skel, "2001:db8:bad::", 48, IOC_V6_NET48);
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
	x->rb = ring_buffer__new(bpf_map__fd(x->skel->maps.xh_events), on_event, x, NULL);
	if (!ASSERT_OK_PTR(x->rb, "ring_buffer__new")) {
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
	ring_buffer__free(x->rb);
	xdphunt__destroy(x->skel);
	x->rb = NULL;
	x->skel = NULL;
}

int xhp_run(struct xhp *x, const uint8_t *buf, size_t len)
{
	uint8_t out[4096 + 256];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_size_in = (__u32)len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
	int err;

	err = bpf_prog_test_run_opts(bpf_program__fd(x->skel->progs.xdphunt), &opts);
	if (!ASSERT_OK(err, "bpf_prog_test_run_opts"))
		return err;
	ASSERT_EQ(opts.retval, XDP_PASS, "verdict");
	if (ASSERT_EQ(opts.data_size_out, len, "data_out size"))
		ASSERT_MEMEQ(out, buf, len, "data_out unchanged");
	return 0;
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
	return ring_buffer__consume(x->rb);
}

void xhp_reset(struct xhp *x)
{
	int fd = bpf_map__fd(x->skel->maps.xh_flows);
	struct xh_flow_key key;

	while (bpf_map_get_next_key(fd, NULL, &key) == 0)
		if (bpf_map_delete_elem(fd, &key))
			break;
	fd = bpf_map__fd(x->skel->maps.xh_smb);
	while (bpf_map_get_next_key(fd, NULL, &key) == 0)
		if (bpf_map_delete_elem(fd, &key))
			break;
	{
		struct xh_seen_key sk;
		char tk[64];

		fd = bpf_map__fd(x->skel->maps.xh_smb_trees);
		while (bpf_map_get_next_key(fd, NULL, tk) == 0)
			if (bpf_map_delete_elem(fd, tk))
				break;

		fd = bpf_map__fd(x->skel->maps.xh_seen);
		while (bpf_map_get_next_key(fd, NULL, &sk) == 0)
			if (bpf_map_delete_elem(fd, &sk))
				break;
	}
	xhp_drain(x);
	x->n_ev = 0;
}
