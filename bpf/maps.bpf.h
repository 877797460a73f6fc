/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* maps.bpf.h: every map of xdphunt. Userspace reaches them through the
 * skeleton (skel->maps.xh_*) and may resize xh_flows / xh_events before load. */
#ifndef XH_MAPS_BPF_H
#define XH_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xh_abi.h"

/* Host-order port -> enum xh_service. An array, so the lookup is inlined by
 * the verifier and never misses for a __u16 index. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XH_PORTS_MAX);
	__type(key, __u32);
	__type(value, __u8);
} xh_ports SEC(".maps");

/* IoC prefixes -> IoC id. LPM tries must be created with BPF_F_NO_PREALLOC. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XH_IOC4_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xh_lpm4_key);
	__type(value, __u32);
} xh_ioc4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XH_IOC6_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xh_lpm6_key);
	__type(value, __u32);
} xh_ioc6 SEC(".maps");

/* Classified flows only (smb, rpc, ioc). LRU so a flood of new flows evicts
 * old ones instead of failing inserts. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XH_FLOWS_DEFAULT);
	__type(key, struct xh_flow_key);
	__type(value, struct xh_flow_state);
} xh_flows SEC(".maps");

/* Findings with a value already reported on a flow (see struct
 * xh_seen_key). LRU: an evicted entry only means a repeated report. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XH_SEEN_MAX);
	__type(key, struct xh_seen_key);
	__type(value, __u8);
} xh_seen SEC(".maps");

/* One per-CPU struct holding every counter: one lookup per packet. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xh_stats);
} xh_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XH_RINGBUF_DEFAULT);
} xh_events SEC(".maps");

#endif /* XH_MAPS_BPF_H */
