/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* dcerpc_state.bpf.h: the DCE/RPC maps: the interface and operation tables
 * (filled by user/dcerpc_table.c), per-flow presentation contexts and pending
 * ept_map calls (xh_rpc_ctx), endpoints learned from ept_map answers, and the
 * per-CPU working space (xh_rpc_env) the PDU functions share. */
#ifndef XH_DCERPC_STATE_BPF_H
#define XH_DCERPC_STATE_BPF_H

#include "maps.bpf.h"
#include "parse.h"
#include "dcerpc.h"
#include "compat61.bpf.h"

/* PDUs followed in one segment (pipelined requests, bind + request). */
#define XH_RPC_MAX_PDUS 4
/* Mask for offsets from ctx->data: XDP frames without frags fit in 4 KiB
 * pages, so nothing real lies beyond; the mask gives the verifier a bound. */
#define XH_RPC_OFF_MASK 0x3fff

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XH_RPC_IFS_MAX);
	__type(key, struct xh_rpc_if_key);
	__type(value, struct xh_rpc_if_val);
} xh_rpc_ifs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XH_RPC_OPS_MAX);
	__type(key, struct xh_rpc_op_key);
	__type(value, __u32);
} xh_rpc_ops SEC(".maps");

/* Kinds of xh_rpc_ctx entries. */
#define XH_RPC_KIND_CTX	    0 /* a bound presentation context */
#define XH_RPC_KIND_EPM_REQ 1 /* an ept_map call waiting for its answer (ctx_id 0) */

struct xh_rpc_ctx_key {
	__u64 flow_id; /* xh_flow_state.id of the flow */
	__u8 chan[16]; /* SMB FileId of the pipe; zero over TCP */
	__u16 ctx_id;
	__u8 kind; /* XH_RPC_KIND_* */
	__u8 pad[5];
};

#define XH_RPC_SEEN_OPS 4 /* calls remembered per context (xh_rpc_ctx_val.seen_ops) */

/* bound and seen_ops remember what the flow already reported on this
 * context, so that a repeated bind or call costs no xh_flows and xh_seen
 * lookups (two keys hashed per PDU) and no rewrite of the entry. They only skip
 * work: xh_seen decides (xh_rpc_emit()). */
struct xh_rpc_ctx_val {
	__u8 uuid[16];
	__u16 if_index;
	__u16 ver_major;
	__u16 ver_minor;
	__u16 flags;			 /* XH_RPC_IF_F_* */
	__u32 call_id;			 /* XH_RPC_KIND_EPM_REQ: the ept_map call */
	__u16 seen_ops[XH_RPC_SEEN_OPS]; /* opnum + 1 of calls on record, 0: free */
	__u8 bound;			 /* the bind of this context is on record */
	__u8 seen_next;
	__u16 auth_tries; /* netlogon: NetrServerAuthenticate2/3 calls made on it */
};

/* Context id -> interface per flow (and pipe), and pending ept_map calls.
 * LRU: an evicted context only costs the calls made on it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XH_RPC_CTX_MAX);
	__type(key, struct xh_rpc_ctx_key);
	__type(value, struct xh_rpc_ctx_val);
} xh_rpc_ctx SEC(".maps");

/* RPC endpoints named by ept_map answers. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XH_RPC_EPS_MAX);
	__type(key, struct xh_rpc_ep_key);
	__type(value, __u32);
} xh_rpc_eps SEC(".maps");

/* The xh_rpc_eps value for the packet's destination (an interface index,
 * XH_RPC_IF_UNKNOWN when the answer's interface is not listed), or NULL
 * when no ept_map answer named it. The key is built in @ek. */
static __always_inline __u32 *xh_rpc_ep_lookup(const struct xh_pkt *pkt, struct xh_rpc_ep_key *ek)
{
	__builtin_memset(ek, 0, sizeof(*ek));
	ek->family = pkt->family;
	__builtin_memcpy(ek->addr, pkt->daddr, sizeof(ek->addr));
	ek->port = pkt->dport;
	return bpf_map_lookup_elem(&xh_rpc_eps, ek);
}

/* Where one PDU lies, how to judge it, and the working space of the global
 * functions below. Scalars only: it crosses global function boundaries,
 * where the verifier sees it as plain memory. It lives in the per-CPU
 * array xh_rpc_scr, not on the stack: the call chain xdphunt ->
 * xh_dcerpc_tcp -> xh_rpc_pdu -> xh_rpc_bind_ctx -> xh_rpc_emit must stay
 * within the 512-byte combined stack (it was 624 with these on the stack;
 * kernel 6.18, clang 14). XDP runs to completion on its CPU, so one entry per
 * CPU is never shared by two packets at once. */
struct xh_rpc_env {
	struct xh_flow_key key; /* canonical flow */
	__u8 chan[16];		/* SMB FileId, or zero */
	__u64 flow_id;		/* xh_flow_state.id, 0: not known yet (xh_rpc_flow_id()) */
	__u32 off;		/* PDU start, from ctx->data */
	__u32 avail;		/* bytes present from off (segment, or SMB data) */
	__u32 container;	/* bytes the container declares (SMB data length) */
	__u32 item_off;		/* bind: context item offset from the PDU start */
	__u8 transport;		/* enum xh_rpc_transport */
	__u8 strict;		/* 1: not an RPC port: strict header test */
	__u8 from_server;	/* 1: sent by the server side of an RPC port */
	__u8 src_is_s;		/* the packet's source is the key's s-side */
	__u8 be;		/* bind: big-endian drep */
	__u8 ptype;		/* bind: BIND or ALTER_CONTEXT */
	__u8 rule;		/* xh_rpc_emit(): the rule to report */
	__u8 pad;
	__u32 value;		   /* xh_rpc_emit(): the finding's value (never 0) */
	struct xh_dcerpc_detail d; /* xh_rpc_emit(): the event detail */
	struct xh_rpc_ctx_key ck;
	struct xh_rpc_ctx_val cv;
	struct xh_rpc_ctx_val pend; /* a pending ept_map call, off the stack */
	struct xh_rpc_hdr h;
	struct xh_rpc_bind_list bl;
	struct xh_rpc_ctx c;
	struct xh_rpc_tower w;
	struct xh_rpc_ep_key ek;
	struct xh_rpc_smb_loc loc; /* SMB: the pipe request (kept until xh_rpc_emit()) */
	struct xh_smb_file_key fk; /* SMB: xh_smb_files key of the pipe */
	struct xh_seen_key sk;	   /* xh_rpc_emit(): the finding, off the stack */
	__u8 stub[16];		   /* xh_rpc_zerologon(): stub bytes read */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xh_rpc_env);
} xh_rpc_scr SEC(".maps");

/* The global functions below take @env (always this per-CPU entry) as an
 * argument, which the verifier sees as plain memory (PTR_TO_MEM). The 6.1
 * verifier takes map keys and values only from the stack, the packet or a map
 * value, so they look the same entry up again. NULL when @env is NULL. The
 * key is in .rodata, not on the stack: 8 more bytes in these frames put the
 * chain xdphunt -> ... -> xh_rpc_emit over 6.1's 512 bytes (6.1 rounds each
 * frame up to 32 bytes). */
static const __u32 xh_rpc_scr_key;

static __always_inline struct xh_rpc_env *xh_rpc_env_61(const struct xh_rpc_env *env)
{
	return env ? bpf_map_lookup_elem(&xh_rpc_scr, &xh_rpc_scr_key) : NULL;
}

static __always_inline void xh_rpc_count(struct xh_stats *stats, int reason)
{
	__u64 r = xh_reason_index(reason);

	if (r < XH_RPC_CNT__MAX)
		stats->dcerpc[r]++;
}

#endif /* XH_DCERPC_STATE_BPF_H */
