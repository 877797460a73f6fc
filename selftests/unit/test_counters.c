// SPDX-License-Identifier: GPL-2.0
/* test_counters.c: every counter, parse error, class and service has a unique,
 * stable snake_case name (they are keys of `xdphunt stats --json`), and
 * counters_read() sums every section of every CPU's xh_stats. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "test.h"
#include "counters.h"
#include "remote.h"
#include "sweep.h"

static bool snake_case(const char *s)
{
	if (!s || !*s || !(*s >= 'a' && *s <= 'z'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return s[-1] != '_';
}

static void check_table(const char *what, const char *(*name)(unsigned int), unsigned int max)
{
	test_subtest("%s", what);
	for (unsigned int i = 0; i < max; i++) {
		const char *n = name(i);

		if (!ASSERT_OK_PTR(n, "value has a name")) {
			printf("  %s value %u\n", what, i);
			continue;
		}
		ASSERT_TRUE(snake_case(n), "snake_case");
		for (unsigned int j = 0; j < i; j++)
			if (!ASSERT_FALSE(name(j) && strcmp(name(j), n) == 0, "unique"))
				printf("  %s %u and %u are both '%s'\n", what, j, i, n);
	}
	ASSERT_NULL(name(max), "__MAX has no name");
	ASSERT_NULL(name(~0u), "huge value has no name");
}

void test_counters_names(void)
{
	check_table("counter", counter_name, XH_CNT__MAX);
	check_table("perr", perr_name, XH_PERR__MAX);
	check_table("class", class_name, XH_CLASS__MAX);
	check_table("service", service_name, XH_SVC__MAX);
	check_table("remote", remote_counter_name, XH_REMOTE_CNT__MAX);
	check_table("kerberos", krb_counter_name, XH_KRB_CNT__MAX);
	test_subtest_end();

	/* a few names pinned: renaming one breaks `stats --json` consumers */
	ASSERT_STREQ(counter_name(XH_CNT_PACKETS), "packets", "packets");
	ASSERT_STREQ(counter_name(XH_CNT_EVENTS_LOST), "events_lost", "events_lost");
	ASSERT_STREQ(perr_name(XH_PERR_IPV6_EXT_DEPTH), "ipv6_ext_depth", "perr");
	ASSERT_STREQ(class_name(XH_CLASS_IOC), "ioc", "class");
	ASSERT_STREQ(service_name(XH_SVC_NONE), "none", "service none");
	ASSERT_STREQ(service_name(XH_SVC_RPC), "rpc", "service rpc");
}

void test_counters_read_bad_fd(void)
{
	struct xh_stats s;

	memset(&s, 0xff, sizeof(s));
	ASSERT_ERR(counters_read(-1, &s), "bad fd is an error");
	ASSERT_EQ(s.cnt[XH_CNT_PACKETS], 0, "sum zeroed even on error");
}

/* A per-CPU array as the program's xh_counters, each CPU's every counter
 * set: counters_read() gives each one's sum over the CPUs, in every section
 * (the ioc section was once left out: `stats` showed its counters as 0). */
void test_counters_read_sums_every_section(void)
{
	const size_t n = sizeof(struct xh_stats) / sizeof(__u64);
	int ncpu = libbpf_num_possible_cpus(), fd, bad = 0;
	__u64 *vals;
	struct xh_stats sum;
	__u32 key = 0;

	if (geteuid() != 0) {
		printf("SKIP: counters_read_sums_every_section: creating a BPF map needs root\n");
		return;
	}
	if (!ASSERT_TRUE(ncpu > 0, "possible CPUs"))
		return;
	fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "xh_counters", sizeof(__u32),
			    sizeof(struct xh_stats), 1, NULL);
	if (!ASSERT_GE(fd, 0, "percpu array"))
		return;
	vals = calloc((size_t)ncpu, sizeof(struct xh_stats));
	for (int c = 0; vals && c < ncpu; c++)
		for (size_t i = 0; i < n; i++)
			vals[(size_t)c * n + i] = (i + 1) * 1000 + (__u64)c;
	ASSERT_OK(bpf_map_update_elem(fd, &key, vals, BPF_ANY), "fill");
	ASSERT_OK(counters_read(fd, &sum), "read");
	for (size_t i = 0; i < n; i++) {
		__u64 want = (i + 1) * 1000 * (__u64)ncpu + (__u64)ncpu * (ncpu - 1) / 2;

		bad += ((const __u64 *)&sum)[i] != want;
	}
	ASSERT_EQ(bad, 0, "counters not summed over the CPUs");
	ASSERT_NEQ(sum.ioc[0], 0, "the ioc section");
	ASSERT_NEQ(sum.smb[XH_SMB_CNT__MAX - 1], 0, "the last counter");
	free(vals);
	close(fd);
}
