/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* maps.bpf.h: every map of xdphunt. Userspace reaches them through the
 * skeleton (skel->maps.xh_*) and may resize xh_flows / xh_events before load. */
#ifndef XH_MAPS_BPF_H
#define XH_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xh_abi.h"
#include "ioc_pf.h"
#include "dns.h"

/* Host-order port -> enum xh_service. An array, so the lookup is inlined by
 * the verifier and never misses for a __u16 index. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XH_PORTS_MAX);
	__type(key, __u32);
	__type(value, __u8);
} xh_ports SEC(".maps");

/* IoC sets, swapped whole on reload: each outer map has one slot holding the
 * current inner map, which userspace builds and fills off to the side, then
 * installs with one map update (an atomic pointer swap; packets in flight
 * keep the old inner map until they finish, RCU). Values are IoC references
 * (XH_IOC_* in xh_abi.h). LPM tries and the hashes are not preallocated, so
 * an inner map costs only what it holds. Inner definitions below are the
 * templates the userspace-built maps must match. They give key_size rather
 * than __type(key): libbpf 1.1 / bpftool could not size a key type that is
 * only reached through __array() ("can't determine key size"). */
struct xh_ioc4_inner {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XH_IOC4_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(key_size, sizeof(struct xh_lpm4_key));
	__uint(value_size, sizeof(__u32));
};

struct xh_ioc6_inner {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XH_IOC6_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(key_size, sizeof(struct xh_lpm6_key));
	__uint(value_size, sizeof(__u32));
};

/* Suffix hash of a domain (bpf/name.h) -> IoC reference. */
struct xh_iocdom_inner {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XH_IOCDOM_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(key_size, sizeof(__u64));
	__uint(value_size, sizeof(__u32));
};

/* address:port indicators; consulted only when the LPM value has XH_IOC_F_PORT. */
struct xh_iocport_inner {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XH_IOCPORT_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(key_size, sizeof(struct xh_iocport_key));
	__uint(value_size, sizeof(__u32));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct xh_ioc4_inner);
} xh_ioc4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct xh_ioc6_inner);
} xh_ioc6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct xh_iocdom_inner);
} xh_iocdom SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct xh_iocport_inner);
} xh_iocport SEC(".maps");

/* The IoC prefilter of the current set (layout: bpf/ioc_pf.h), swapped with
 * the tries by user/ioc_maps.c. An empty slot means "look everything up".
 * Mmapable so userspace writes the 2.5 MiB bitmap directly; not an
 * BPF_F_INNER_MAP, so lookups keep being inlined. */
struct xh_iocpf_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XH_PF_ENTRIES);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u64));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct xh_iocpf_inner);
} xh_iocpf SEC(".maps");

/* Per-CPU scratch of the DNS/TLS inspection: the name as text, the walk
 * state and the label and suffix hashes (too big for the 512-byte BPF stack;
 * in map memory, the walk state is unknown to the verifier when it checks a
 * bpf_loop() step: bpf/dns.h). */
struct xh_name_scratch {
	__u8 name[XH_NAME_MAX + XH_NAME_SLACK]; /* the name as text */
	struct xh_dns_walk dns;
	struct xh_name_labels lab;
	__u64 hash[XH_NAME_SUFFIX_MAX];
	__u16 off[XH_NAME_SUFFIX_MAX]; /* where in name[] each suffix starts */
	__u32 name_len;
	__u32 n_hash;
	__u32 matched;	/* index into hash[] of the longest matching suffix */
	__u32 name_off; /* TLS: server_name offset in the payload */
	__u16 qtype;
	__u8 tls_flags; /* XH_TLS_F_* of a matched ClientHello */
	__u8 pad[1];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xh_name_scratch);
} xh_iocscr SEC(".maps");

/* Classified flows only (smb, rpc, ioc). LRU so a flood of new flows evicts
 * old ones instead of failing inserts. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XH_FLOWS_DEFAULT);
	__type(key, struct xh_flow_key);
	__type(value, struct xh_flow_state);
} xh_flows SEC(".maps");

/* Entries of xh_flows that `xdphunt run` removed after writing their flow
 * record (--flow-timeout), and of them those forced out of a near-full
 * table (user/flowlog.h), stored by it after each sweep through the .bss
 * map (loader_publish_flows()); the program never reads them. `xdphunt
 * stats` subtracts the first and the flows still in the table from
 * flows_new: what is left the LRU evicted (flowlog_evicted()). */
__u64 xh_flows_removed = 0;
__u64 xh_flows_forced = 0;

/* xh_flow_create()'s per-CPU working space: the sequence of
 * xh_flow_state.id, never cleared (an id must not come back while state
 * keyed by it may live), and the new entry, built here rather than on the
 * stack, whose frames 6.1's 512-byte call-chain limit leaves no room. */
struct xh_flow_scratch {
	__u64 seq;
	struct xh_flow_state init;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xh_flow_scratch);
} xh_flowscr SEC(".maps");

/* Findings with a value already reported on a flow (see struct
 * xh_seen_key). LRU: an evicted entry only means a repeated report. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XH_SEEN_MAX);
	__type(key, struct xh_seen_key);
	__type(value, __u8);
} xh_seen SEC(".maps");

/* scan.smb_sweep and scan.service_sweep (bpf/sweep.bpf.h): distinct
 * destinations per source and port (0 for SMB's), and when each (source,
 * destination, port) was last counted. LRU: a flood of sources only
 * forgets the oldest. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XH_SWEEP_SRC_MAX);
	__type(key, struct xh_sweep_src_key);
	__type(value, struct xh_sweep_src);
} xh_sweep_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XH_SWEEP_PAIR_MAX);
	__type(key, struct xh_sweep_pair_key);
	__type(value, __u64);
} xh_sweep_pair SEC(".maps");

/* scan.port_scan (bpf/sweep.bpf.h): distinct destination ports per
 * (source, destination) pair, and when each of a pair's ports was last
 * counted. LRU, as the sweep's. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XH_SCAN_PAIR_MAX);
	__type(key, struct xh_sweep_pair_key);
	__type(value, struct xh_sweep_src);
} xh_scan_pairs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XH_SCAN_PORT_MAX);
	__type(key, struct xh_scan_port_key);
	__type(value, __u64);
} xh_scan_ports SEC(".maps");

/* scan.port_scan's first look: an array, not a hash, so that a SYN of a
 * pair with one port so far (every connection a client opens; every SYN of
 * a flood from many sources) costs a hash of its addresses and one slot,
 * not the LRU maps' inserts. Shared by the CPUs: a scanner's SYNs spread
 * over them by their source ports. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XH_SCAN_FIRST_SLOTS);
	__type(key, __u32);
	__type(value, struct xh_scan_first);
} xh_scan_first SEC(".maps");

/* scan.smb_sweep's and scan.service_sweep's first look, likewise: a slot per
 * hash of (source, port) holds the source's first destination on the port,
 * so that a SYN flood to 445 or 22 from many sources costs a hash and a
 * slot, not the LRU maps' inserts (2.0-2.2 Mpps on one core of the bench's
 * veth path). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XH_SCAN_FIRST_SLOTS);
	__type(key, __u32);
	__type(value, struct xh_scan_first);
} xh_sweep_first SEC(".maps");

/* smb.brute_force (bpf/sweep.bpf.h): failed logons per client and window. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XH_BRUTE_SRC_MAX);
	__type(key, struct xh_sweep_src_key);
	__type(value, struct xh_sweep_src);
} xh_brute_src SEC(".maps");

/* kerberos.brute_force and kerberos.no_preauth (bpf/kerberos.bpf.h): the
 * account hash of each flow's last AS-REQ and whether it pre-authenticated,
 * for the KDC's KRB-ERROR (which names no account) or AS-REP on the same
 * flow. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XH_KRB_REQ_MAX);
	__type(key, struct xh_flow_key);
	__type(value, struct xh_krb_req);
} xh_krb_req SEC(".maps");

/* kerberos.weak_request (bpf/kerberos.bpf.h): TGS-REQs whose req-body goes
 * on in a later TCP segment of the flow, with the bytes of it read so far. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XH_KRB_PEND_MAX);
	__type(key, struct xh_flow_key);
	__type(value, struct xh_krb_pend);
} xh_krb_pend SEC(".maps");

/* kerberos.brute_force: the window (xh_sweep_src.window_start_ns) in which a
 * client's failed account was counted, so that an account counts once per
 * window. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XH_KRB_ACCT_MAX);
	__type(key, struct xh_krb_acct_key);
	__type(value, __u64);
} xh_krb_accts SEC(".maps");

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
