/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* smb_state.bpf.h: the SMB walk's state: per-flow SMB state (xh_smb), tracked
 * trees (xh_smb_trees), the share/pipe/extension tables filled from the rules,
 * the per-CPU working set of the walk, and its counters. */
#ifndef XH_SMB_STATE_BPF_H
#define XH_SMB_STATE_BPF_H

#include "maps.bpf.h"
#include "parse.h"
#include "smb.h"
#include "smb_name.h"
#include "compat61.bpf.h"

#define XH_SMB_PENDING	     4		      /* tree connects awaiting their response, per flow */
#define XH_SMB_FLOWS_DEFAULT XH_FLOWS_DEFAULT /* xh_smb entries (--flows) */
#define XH_SMB_TREES_DEFAULT XH_FLOWS_DEFAULT /* xh_smb_trees entries (--flows) */

#define XH_SMB_ST_NB_REQ  0x01 /* a NetBIOS session request was seen (port 139) */
#define XH_SMB_ST_MS17	  0x02 /* an MS17-010 check was sent: its MID in ms17_mid */
#define XH_SMB_ST_DP	  0x04 /* a DoublePulsar ping was sent: its MID in dp_mid */
#define XH_SMB_ST_NTTRANS 0x08 /* an NT_TRANSACT awaits its secondaries: its MID in nt_mid */

#define XH_SMB_SEEN 4 /* findings with a value remembered per flow (xh_smb_state.seen) */

struct xh_smb_pending {
	__u64 mid;
	__u8 kind; /* enum xh_smb_share_kind; 0: free */
	__u8 pad[7];
};

/* A tree of an SMB session between two hosts. TreeIds belong to the
 * session, not to the TCP connection: SMB3 multichannel and clients that
 * open a second connection use a tree connected on the first. The hosts
 * are the flow key's address pair (canonical order, ports left out). */
struct xh_smb_tree_key {
	__be32 addr_lo[4];
	__be32 addr_hi[4];
	__u64 session_id; /* SMB2 SessionId, SMB1 UID */
	__u32 tree_id;
	__u8 family;
	__u8 pad[3];
};

/* Per-flow SMB state, keyed by xh_flow_state.id. Two CPUs may update one entry at
 * once (both directions of a flow): the races only lose a tracked tree, which
 * then costs a finding, never produces a wrong one.
 *
 * seen[] and reported cache what this flow already reported, so that a
 * message repeating a finding costs no xh_flows and xh_seen lookups: those
 * (then two hashes of 40-48-byte keys) were most of an SMB segment's cost. They
 * only skip work: xh_flows.reported and xh_seen stay the record that decides
 * (xh_smb_emit()). */
struct xh_smb_state {
	__u64 session_id;
	struct xh_smb_pending pend[XH_SMB_PENDING];
	__u64 seen[XH_SMB_SEEN]; /* (rule << 32 | value) of findings reported, 0: free */
	__u32 reported;		 /* XH_RULE_BIT() of once-per-flow rules reported (< 32) */
	__u16 dialect;
	__u8 flags; /* XH_SMB_ST_* */
	__u8 pend_next;
	__u8 seen_next;
	__u16 ms17_mid; /* SMB1 MID of the flow's last MS17-010 check */
	__u16 dp_mid;	/* SMB1 MID of the flow's last DoublePulsar ping */
	__u16 nt_mid;	/* SMB1 MID of the flow's open NT_TRANSACT */
	__u8 pad[1];
};

/* The CREATE request earlier in this SMB2 compound: related members after it
 * name its file by the FileId 0xFF..FF (MS-SMB2 3.2.4.1.4), as Windows
 * sends CREATE + QUERY_DIRECTORY or CREATE + READ + CLOSE. Its name stays in
 * xh_smb_work.name while kind != 0. */
struct xh_smb_chain_open {
	__u64 mid;    /* of the CREATE: its xh_smb_pend entry */
	__u32 hash;   /* the name's (the finding's value) */
	__u32 access; /* DesiredAccess */
	__u16 len;    /* bytes of the name; 0: the share's root */
	__u8 kind;    /* enum xh_smb_share_kind of its tree; 0: none */
	__u8 enc;     /* enum xh_smb_name_enc */
	__u8 flags;   /* XH_SMB_FILE_EXE, XH_SMB_F_STREAM_EXE */
	__u8 pad[3];
};

/* The walk's working set: what the global functions share. */
struct xh_smb_work {
	struct xh_pkt pkt; /* copy of the packet's parse, for xh_event_reserve() */
	struct xh_flow_key key;
	__u64 flow_id;	  /* the flow's xh_flow_state.id: the xh_smb key */
	__u32 pay_end;	  /* offset (from data) of the end of the TCP payload */
	__u32 chain_tree; /* TreeId of the previous compound member */
	__u64 chain_sess; /* SessionId of the previous compound member */
	struct xh_smb_chain_open chain_open;
	__u8 from_client;  /* the packet was sent by the flow's client */
	__u8 port139;	   /* NetBIOS session service: a session request comes first */
	__u8 logon_failed; /* session setups of this packet answered with a failure */
	__u8 pad[5];
	struct xh_smb_msg m;
	struct xh_smb_name nm;
	struct xh_smb_detail det;
	struct xh_smb_state init;    /* zeroed: the value of a new xh_smb entry */
	struct xh_smb_tree_key tkey; /* xh_smb_trees key under construction */
	struct xh_smb_pend_key pkey; /* xh_smb_pend key under construction */
	struct xh_smb_file_key fkey; /* xh_smb_files key under construction */
	struct xh_smb_file file;     /* a tracked open, built or copied out of a map */
	__u8 hdr[XH_SMB_HDR_BUF];
	__u8 name[XH_EVENT_NAME_MAX] __attribute__((aligned(8))); /* read a word at a time */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XH_SMB_FLOWS_DEFAULT);
	__type(key, __u64); /* xh_flow_state.id */
	__type(value, struct xh_smb_state);
} xh_smb SEC(".maps");

/* Tracked trees -> share kind (enum xh_smb_share_kind). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XH_SMB_TREES_DEFAULT);
	__type(key, struct xh_smb_tree_key);
	__type(value, __u8);
} xh_smb_trees SEC(".maps");

/* Share, pipe and extension tables (struct xh_smb_name_key), filled by
 * userspace from the rules (user/smb.c). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XH_SMB_NAMES_MAX);
	__type(key, struct xh_smb_name_key);
	__type(value, struct xh_smb_name_val);
} xh_smb_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xh_smb_work);
} xh_smb_work SEC(".maps");

static __always_inline struct xh_smb_work *xh_smb_w(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&xh_smb_work, &zero);
}

static __always_inline struct xh_stats *xh_smb_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&xh_counters, &zero);
}

static __always_inline void xh_smb_count(struct xh_stats *stats, int reason)
{
	__u64 r = xh_reason_index(reason);

	if (r < XH_SMB_CNT__MAX)
		stats->smb[r]++;
}

#endif /* XH_SMB_STATE_BPF_H */
