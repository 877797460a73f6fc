// SPDX-License-Identifier: GPL-2.0
/* counters.c: stable names of the kernel counters (an ABI of
 * `xdphunt stats --json`: never rename one) and summing the per-CPU values. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "counters.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const counter_names[] = {
	[XH_CNT_PACKETS] = "packets",
	[XH_CNT_BYTES] = "bytes",
	[XH_CNT_NON_IP] = "non_ip",
	[XH_CNT_IPV4] = "ipv4",
	[XH_CNT_IPV6] = "ipv6",
	[XH_CNT_VLAN] = "vlan",
	[XH_CNT_FRAGMENT] = "fragment",
	[XH_CNT_TCP] = "tcp",
	[XH_CNT_UDP] = "udp",
	[XH_CNT_ICMP] = "icmp",
	[XH_CNT_L4_OTHER] = "l4_other",
	[XH_CNT_PARSE_ERR] = "parse_err",
	[XH_CNT_FLOWS_NEW] = "flows_new",
	[XH_CNT_FLOW_ERR] = "flow_err",
	[XH_CNT_EVENTS] = "events",
	[XH_CNT_EVENTS_LOST] = "events_lost",
	[XH_CNT_WAKEUPS] = "wakeups",
	[XH_CNT_MAP_ERR] = "map_err",
	[XH_CNT_ICMP_QUOTED] = "icmp_error_to_flow",
	[XH_CNT_UDP_UNREACHABLE] = "udp_port_unreachable",
};
_Static_assert(ARRAY_SIZE(counter_names) == XH_CNT__MAX, "a counter without a name");

static const char *const perr_names[] = {
	[XH_PERR_NONE] = "none",
	[XH_PERR_ETH_TRUNC] = "eth_trunc",
	[XH_PERR_VLAN_TRUNC] = "vlan_trunc",
	[XH_PERR_VLAN_DEPTH] = "vlan_depth",
	[XH_PERR_IPV4_TRUNC] = "ipv4_trunc",
	[XH_PERR_IPV4_BAD] = "ipv4_bad",
	[XH_PERR_IPV6_TRUNC] = "ipv6_trunc",
	[XH_PERR_IPV6_BAD] = "ipv6_bad",
	[XH_PERR_IPV6_EXT_TRUNC] = "ipv6_ext_trunc",
	[XH_PERR_IPV6_EXT_DEPTH] = "ipv6_ext_depth",
	[XH_PERR_TCP_TRUNC] = "tcp_trunc",
	[XH_PERR_TCP_BAD] = "tcp_bad",
	[XH_PERR_UDP_TRUNC] = "udp_trunc",
	[XH_PERR_ICMP_TRUNC] = "icmp_trunc",
	[XH_PERR_UDP_BAD] = "udp_bad",
};
_Static_assert(ARRAY_SIZE(perr_names) == XH_PERR__MAX, "a parse error without a name");

static const char *const class_names[] = {
	[XH_CLASS_SMB] = "smb",
	[XH_CLASS_RPC] = "rpc",
	[XH_CLASS_IOC] = "ioc",
};
_Static_assert(ARRAY_SIZE(class_names) == XH_CLASS__MAX, "a class without a name");

static const char *const service_names[] = {
	[XH_SVC_NONE] = "none",
	[XH_SVC_SMB] = "smb",
	[XH_SVC_RPC] = "rpc",
	[XH_SVC_RPC_DYN] = "rpc_dynamic",
};
_Static_assert(ARRAY_SIZE(service_names) == XH_SVC__MAX, "a service without a name");

const char *counter_name(unsigned int cnt)
{
	return cnt < ARRAY_SIZE(counter_names) ? counter_names[cnt] : NULL;
}

const char *perr_name(unsigned int perr)
{
	return perr < ARRAY_SIZE(perr_names) ? perr_names[perr] : NULL;
}

const char *class_name(unsigned int cls)
{
	return cls < ARRAY_SIZE(class_names) ? class_names[cls] : NULL;
}

const char *service_name(unsigned int svc)
{
	return svc < ARRAY_SIZE(service_names) ? service_names[svc] : NULL;
}

int counters_read(int map_fd, struct xh_stats *sum)
{
	/* the kernel copies each CPU's value at an 8-byte-aligned stride */
	size_t stride = (sizeof(struct xh_stats) + 7) & ~(size_t)7;
	struct xh_stats *cpu;
	__u32 key = 0;
	char *vals;
	int ncpu, err;

	memset(sum, 0, sizeof(*sum));
	ncpu = libbpf_num_possible_cpus();
	if (ncpu < 0)
		return ncpu;
	vals = calloc(ncpu, stride);
	if (!vals)
		return -ENOMEM;
	err = bpf_map_lookup_elem(map_fd, &key, vals);
	if (err) {
		err = err < 0 ? err : -errno;
		goto out;
	}
	/* Every field is a __u64 counter: summed as one array, so that a
	 * section added to struct xh_stats is never left out (the ioc
	 * counters were, and `stats` showed them all zero). */
	_Static_assert(sizeof(struct xh_stats) % sizeof(__u64) == 0, "xh_stats is __u64s");
	for (int c = 0; c < ncpu; c++) {
		const __u64 *v;
		__u64 *s = (__u64 *)sum;

		cpu = (struct xh_stats *)(vals + (size_t)c * stride);
		v = (const __u64 *)cpu;
		for (size_t i = 0; i < sizeof(*sum) / sizeof(__u64); i++)
			s[i] += v[i];
	}
out:
	free(vals);
	return err;
}
