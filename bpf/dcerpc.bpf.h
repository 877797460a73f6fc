/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* dcerpc.bpf.h: DCE/RPC in XDP: the interface and operation tables (filled
 * by user/dcerpc_table.c), per-flow presentation contexts, endpoints learned from
 * ept_map answers, and the dcerpc.bind / dcerpc.call findings.
 *
 * Where PDUs are looked at (xh_dcerpc_tcp(), called for every TCP packet
 * with a payload): the payload start on an RPC service port (135); on any
 * other port when the strict header test passes, or when an ept_map answer
 * named the destination as an RPC endpoint; inside SMB pipe requests
 * (bpf/dcerpc_smb.bpf.h). Traffic that is neither costs a function call and
 * one or two byte compares. The maps live in dcerpc_state.bpf.h, not in
 * maps.bpf.h, so this module merges as one unit. */
#ifndef XH_DCERPC_BPF_H
#define XH_DCERPC_BPF_H

#include "maps.bpf.h"
#include "parse.h"
#include "classify.bpf.h"
#include "flow.bpf.h"
#include "emit.bpf.h"
#include "dcerpc.h"
#include "dcerpc_smb.h"
#include "smb_files.bpf.h"
#include "dcerpc_state.bpf.h"
#include "dcerpc_smb.bpf.h"
#include "dcerpc_dyn.bpf.h"
#include "ntlm.bpf.h"

/* The flow's state, created when this is the first finding of an otherwise
 * unclassified flow (an RPC endpoint on a dynamic port). NULL on failure. */
static __always_inline struct xh_flow_state *xh_rpc_flow(const struct xh_pkt *pkt,
							 const struct xh_class_res *cls,
							 struct xh_rpc_env *env,
							 struct xh_stats *stats)
{
	struct xh_flow_state *st = bpf_map_lookup_elem(&xh_flows, &env->key);

	if (st)
		return st;
	return xh_flow_create(&env->key, env->src_is_s, pkt, cls, stats, xh_now_coarse_ns());
}

/* Emit env->rule with env->d as detail, claimed as (flow, rule, env->value).
 * Global: flow creation and the event fill get their own stack frame.
 * Returns 1 when the finding is on record for the flow (emitted now or
 * before), 0 when it could not be emitted (a later PDU retries). */
__noinline int xh_rpc_emit(struct xdp_md *ctx, const struct xh_pkt *pkt,
			   const struct xh_class_res *cls, struct xh_rpc_env *env,
			   struct xh_stats *stats)
{
	struct xh_flow_state *st;
	struct xh_event *e;

	env = xh_rpc_env_61(env); /* for 6.1: see xh_rpc_env_61() */
	if (!pkt || !cls || !env || !stats)
		return 0;
	/* The flow first: its id keys the finding. */
	st = xh_rpc_flow(pkt, cls, env, stats);
	if (!st)
		return 0;
	/* The xh_seen key in the scratch: on the stack it put this frame over
	 * the 512 bytes the chain xdphunt -> xh_dcerpc_tcp -> xh_rpc_pdu ->
	 * xh_rpc_bind_ctx -> xh_rpc_emit may use on 6.1 (544 after the SMB
	 * pipe-name lookup joined; selftests/verifier/test_kernel_61.sh). */
	if (!xh_finding_claim_in(&env->sk, st, env->rule, env->value))
		return 1;
	e = xh_event_reserve(ctx, pkt, &env->key, st, env->rule, 0, stats, XH_EVENT_NAMED_SIZE);
	if (!e)
		goto release;
	e->detail_kind = XH_DETAIL_DCERPC;
	/* Word by word: clang 14 expands this 64-byte memcpy as sixteen
	 * 4-byte loads spilled to the stack before the stores, 56 bytes that
	 * put the chain over 6.1's 512-byte combined stack limit. */
	{
		const __u64 *src = (const __u64 *)&env->d;
		__u64 *dst = (__u64 *)&e->d.dcerpc;

		_Static_assert(sizeof(env->d) % 8 == 0, "dcerpc detail in words");
		for (int i = 0; i < (int)(sizeof(env->d) / 8); i++) {
			__u64 w = src[i];

			barrier_var(w);
			dst[i] = w;
		}
	}
	e->name_len = 0;
	if (env->rule == XH_RULE_DCERPC_LOGON) {
		/* the account xh_ntlm_read() left in the SMB work area */
		struct xh_smb_work *w = xh_smb_w();

		if (w) {
			__builtin_memcpy(e->name, w->name, XH_SMB_NTLM_SLOT_END);
			e->name_len = XH_SMB_NTLM_SLOT_END;
		}
	} else if (env->transport != XH_RPC_TR_TCP) {
		e->name_len = xh_dcerpc_smb_pipe_name(env, e, stats);
	}
	xh_event_submit(e, XH_EVENT_NAMED_SIZE, stats);
	return 1;
release:
	xh_finding_release_in(&env->sk, st, env->rule, env->value);
	return 0;
}

/* The flow's id into env->flow_id, which keys its contexts: the entry
 * point's when xh_hunt() tracks the flow (RPC and SMB ports), else looked up
 * and, with @create, made (DCE/RPC on another port, whose flow is made when
 * it binds a listed interface, as its first finding would). Global: the flow
 * creation gets its own frame. Returns 1 when env->flow_id is set. */
__noinline int xh_rpc_flow_id(const struct xh_pkt *pkt, const struct xh_class_res *cls,
			      struct xh_rpc_env *env, struct xh_stats *stats, __u32 create)
{
	struct xh_flow_state *st;

	env = xh_rpc_env_61(env); /* for 6.1: see xh_rpc_env_61() */
	if (!pkt || !cls || !env || !stats)
		return 0;
	if (env->flow_id)
		return 1;
	st = create ? xh_rpc_flow(pkt, cls, env, stats) : bpf_map_lookup_elem(&xh_flows, &env->key);
	if (!st)
		return 0;
	env->flow_id = st->id;
	return 1;
}

static __always_inline void
xh_rpc_ctx_key_make(struct xh_rpc_ctx_key *k, const struct xh_rpc_env *env, __u16 ctx_id, __u8 kind)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->flow_id = env->flow_id;
	__builtin_memcpy(k->chan, env->chan, sizeof(k->chan));
	k->ctx_id = ctx_id;
	k->kind = kind;
}

/* The detail fields every dcerpc event shares. */
static __always_inline void xh_rpc_detail_init(struct xh_rpc_env *env, __u8 ptype, __u8 be)
{
	__builtin_memset(&env->d, 0, sizeof(env->d));
	__builtin_memcpy(env->d.smb_file_id, env->chan, sizeof(env->d.smb_file_id));
	env->d.transport = env->transport;
	env->d.ptype = ptype;
	env->d.drep_be = be;
}

/* Does the context entry @cur already map ctx id -> the interface of env->c,
 * as @iv lists it? */
static __always_inline int xh_rpc_ctx_same(const struct xh_rpc_ctx_val *cur,
					   const struct xh_rpc_env *env,
					   const struct xh_rpc_if_val *iv)
{
	const struct xh_rpc_ctx *c = &env->c;
	__u64 a[2], b[2];

	/* BPF has no memcmp(): two words each. */
	__builtin_memcpy(a, cur->uuid, sizeof(a));
	__builtin_memcpy(b, c->uuid, sizeof(b));
	return cur->if_index == iv->index && cur->flags == iv->flags &&
	       cur->ver_major == c->ver_major && cur->ver_minor == c->ver_minor && a[0] == b[0] &&
	       a[1] == b[1];
}

/* One presentation context of a BIND/ALTER_CONTEXT at env->off, item at
 * env->item_off: remember ctx id -> interface for the flow (forget it when
 * the interface is not listed, so a re-used id does not keep an old one) and
 * report a listed interface once per flow. A context already mapped to the
 * same interface is left as it is, and its bind, once on record, is not
 * claimed again. Global, so the verifier checks it once rather than per
 * context. Returns 0. */
__noinline int xh_rpc_bind_ctx(struct xdp_md *ctx, const struct xh_pkt *pkt,
			       const struct xh_class_res *cls, struct xh_rpc_env *env,
			       struct xh_stats *stats)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct xh_rpc_ctx_val *cur;
	struct xh_rpc_ctx *c;
	struct xh_rpc_if_val *iv;
	const __u8 *p;

	env = xh_rpc_env_61(env); /* for 6.1: see xh_rpc_env_61() */
	if (!pkt || !cls || !env || !stats)
		return 0;
	c = &env->c;
	p = (const __u8 *)data + (env->off & XH_RPC_OFF_MASK);
	if (xh_rpc_ctx_read(p, end, env->item_off, env->be, c)) {
		stats->dcerpc[XH_RPC_CNT_E_TRUNC]++;
		return 0;
	}
	stats->dcerpc[XH_RPC_CNT_CTX]++;
	iv = bpf_map_lookup_elem(&xh_rpc_ifs, c->uuid);
	/* A flow without state has no context to forget. */
	if (!xh_rpc_flow_id(pkt, cls, env, stats, !!iv))
		return 0;
	xh_rpc_ctx_key_make(&env->ck, env, c->ctx_id, XH_RPC_KIND_CTX);
	if (!iv) {
		/* Looked up first: a delete takes the map's lock (with
		 * interrupts off) even when there is nothing to delete, and
		 * that was most of a bind's cost (make profile, 6.18). */
		if (bpf_map_lookup_elem(&xh_rpc_ctx, &env->ck))
			bpf_map_delete_elem(&xh_rpc_ctx, &env->ck);
		return 0;
	}
	cur = bpf_map_lookup_elem(&xh_rpc_ctx, &env->ck);
	if (cur && !xh_rpc_ctx_same(cur, env, iv))
		cur = NULL;
	if (!cur) {
		__builtin_memset(&env->cv, 0, sizeof(env->cv));
		__builtin_memcpy(env->cv.uuid, c->uuid, sizeof(env->cv.uuid));
		env->cv.if_index = iv->index;
		env->cv.ver_major = c->ver_major;
		env->cv.ver_minor = c->ver_minor;
		env->cv.flags = iv->flags;
		if (bpf_map_update_elem(&xh_rpc_ctx, &env->ck, &env->cv, BPF_ANY))
			stats->dcerpc[XH_RPC_CNT_MAP_ERR]++;
	}
	if (iv->flags & XH_RPC_IF_F_NOHIT)
		return 0;
	stats->dcerpc[XH_RPC_CNT_CTX_LISTED]++;
	if (cur && cur->bound)
		return 0;
	xh_rpc_detail_init(env, env->ptype, env->be);
	__builtin_memcpy(env->d.uuid, c->uuid, sizeof(env->d.uuid));
	env->d.if_index = iv->index;
	env->d.ctx_id = c->ctx_id;
	env->d.ver_major = c->ver_major;
	env->d.ver_minor = c->ver_minor;
	env->rule = XH_RULE_DCERPC_BIND;
	env->value = (__u32)iv->index + 1;
	if (!xh_rpc_emit(ctx, pkt, cls, env, stats))
		return 0;
	if (!cur)
		cur = bpf_map_lookup_elem(&xh_rpc_ctx, &env->ck);
	if (cur)
		cur->bound = 1;
	return 0;
}

/* Is the call @opnum already on record on the context @cv? */
static __always_inline int xh_rpc_op_seen(const struct xh_rpc_ctx_val *cv, __u16 opnum)
{
	__u32 i;

	for (i = 0; i < XH_RPC_SEEN_OPS; i++)
		if (cv->seen_ops[i] == (__u16)(opnum + 1))
			return 1;
	return 0;
}

/* Netlogon opnums Zerologon (CVE-2020-1472) sends. */
#define XH_NRPC_AUTHENTICATE2 15
#define XH_NRPC_AUTHENTICATE3 26
#define XH_NRPC_PASSWORD_SET2 30
#define XH_NRPC_PASSWORD_LEN  516 /* NL_TRUST_PASSWORD */
#define XH_NRPC_AUTH_LEN      12  /* NETLOGON_AUTHENTICATOR: credential, timestamp */

/* Is the netlogon REQUEST in env (header in env->h) Zerologon's? The
 * exploit authenticates with a zero ClientCredential until the 1-in-256
 * session key makes it valid, then sets the machine password with a zero
 * Authenticator and a zero new password; a client's real credential is an
 * encrypted challenge, zero once in 2^64. Read from the stub's end, so the
 * three strings before need no NDR walk:
 *  - NetrServerAuthenticate2/3 end ClientCredential[8], NegotiateFlags (a
 *    4-aligned ulong, maybe after 2 bytes of pad). The 10 bytes before the
 *    flags are the credential and the pad, or the ComputerName's NUL and
 *    the credential: zero exactly when the credential is (pads are zero).
 *  - NetrServerPasswordSet2 ends Authenticator[12], ClearNewPassword[516].
 * Only an unauthenticated PDU (auth_length 0: the exploit has no session
 * to sign with; a sealed stub is opaque) held whole by the segment.
 * Global: the reads get their own frame. Returns 1 on the pattern. */
__noinline int xh_rpc_zerologon(struct xdp_md *ctx, struct xh_rpc_env *env, __u32 opnum)
{
	__u32 end, i, j;

	env = xh_rpc_env_61(env); /* for 6.1: see xh_rpc_env_61() */
	if (!ctx || !env)
		return 0;
	if (env->h.auth_len || env->h.frag_len > env->avail)
		return 0;
	end = (env->off & XH_RPC_OFF_MASK) + env->h.frag_len;
	if (opnum == XH_NRPC_AUTHENTICATE2 || opnum == XH_NRPC_AUTHENTICATE3) {
		if (env->h.frag_len < XH_RPC_REQ_HDR_LEN + 16 ||
		    bpf_xdp_load_bytes(ctx, end - 16, env->stub, 16))
			return 0;
		for (j = 2; j < 12; j++)
			if (env->stub[j])
				return 0;
		return 1;
	}
	if (opnum != XH_NRPC_PASSWORD_SET2 ||
	    env->h.frag_len < XH_RPC_REQ_HDR_LEN + XH_NRPC_AUTH_LEN + XH_NRPC_PASSWORD_LEN)
		return 0;
	/* 528 bytes, 33 reads of 16 (this call only). */
	for (i = 0; i < (XH_NRPC_AUTH_LEN + XH_NRPC_PASSWORD_LEN) / 16; i++) {
		if (bpf_xdp_load_bytes(ctx, end - XH_NRPC_AUTH_LEN - XH_NRPC_PASSWORD_LEN + 16 * i,
				       env->stub, 16))
			return 0;
		for (j = 0; j < 16; j++)
			if (env->stub[j])
				return 0;
	}
	return 1;
}

/* The dcerpc.call finding of REQUEST @r (operation index @op) on the
 * context in env->cv, into env->d, env->rule and env->value. */
static __always_inline void xh_rpc_call_detail(struct xh_rpc_env *env, const struct xh_rpc_hdr *h,
					       const struct xh_rpc_req *r, __u32 op, __u8 flags)
{
	xh_rpc_detail_init(env, XH_RPC_PT_REQUEST, h->be);
	env->d.flags = flags;
	__builtin_memcpy(env->d.uuid, env->cv.uuid, sizeof(env->d.uuid));
	env->d.call_id = h->call_id;
	env->d.if_index = env->cv.if_index;
	env->d.op_index = (__u16)op;
	env->d.opnum = r->opnum;
	env->d.ctx_id = r->ctx_id;
	env->d.ver_major = env->cv.ver_major;
	env->d.ver_minor = env->cv.ver_minor;
	env->rule = XH_RULE_DCERPC_CALL;
	env->value = ((__u32)env->cv.if_index + 1) << 16 | r->opnum;
}

/* A REQUEST: a first fragment is a new call on the context's interface. A
 * call the context remembers (seen_ops) is not claimed again. */
static __always_inline void xh_rpc_request(struct xdp_md *ctx, const struct xh_pkt *pkt,
					   const struct xh_class_res *cls, struct xh_rpc_env *env,
					   struct xh_stats *stats, const __u8 *p, const void *end,
					   const struct xh_rpc_hdr *h)
{
	struct xh_rpc_op_key ok = {};
	struct xh_rpc_ctx_val *cv;
	struct xh_rpc_req r;
	int err, zero_cred;
	__u32 *op;

	err = xh_rpc_req_parse(p, end, env->avail, h, &r);
	if (err) {
		xh_rpc_count(stats, err);
		return;
	}
	if (!r.first) {
		stats->dcerpc[XH_RPC_CNT_REQ_FRAG]++;
		return;
	}
	stats->dcerpc[XH_RPC_CNT_REQUEST]++;
	cv = NULL;
	if (xh_rpc_flow_id(pkt, cls, env, stats, 0)) {
		xh_rpc_ctx_key_make(&env->ck, env, r.ctx_id, XH_RPC_KIND_CTX);
		cv = bpf_map_lookup_elem(&xh_rpc_ctx, &env->ck);
	}
	if (!cv) {
		stats->dcerpc[XH_RPC_CNT_CALL_NOCTX]++;
		return;
	}
	/* Copied: the entry may be evicted while we use it. */
	__builtin_memcpy(&env->cv, cv, sizeof(env->cv));
	if ((env->cv.flags & XH_RPC_IF_F_EPM) && r.opnum == 3 && env->transport == XH_RPC_TR_TCP) {
		/* ept_map: remember the call so that its answer is read. The
		 * context's key is rebuilt below, for its seen_ops. */
		xh_rpc_ctx_key_make(&env->ck, env, 0, XH_RPC_KIND_EPM_REQ);
		__builtin_memset(&env->pend, 0, sizeof(env->pend));
		env->pend.call_id = h->call_id;
		if (bpf_map_update_elem(&xh_rpc_ctx, &env->ck, &env->pend, BPF_ANY))
			stats->dcerpc[XH_RPC_CNT_MAP_ERR]++;
		cv = NULL;
	}
	ok.if_index = env->cv.if_index;
	ok.opnum = r.opnum;
	op = bpf_map_lookup_elem(&xh_rpc_ops, &ok);
	if (!op || (env->cv.flags & XH_RPC_IF_F_NOHIT))
		return;
	stats->dcerpc[XH_RPC_CNT_CALL_LISTED]++;
	zero_cred = 0;
	if (env->cv.flags & XH_RPC_IF_F_NETLOGON) {
		/* Every try counted, before the call is found seen. */
		zero_cred = xh_rpc_zerologon(ctx, env, r.opnum);
		if (zero_cred)
			stats->dcerpc[XH_RPC_CNT_ZEROLOGON]++;
		if (cv && (r.opnum == XH_NRPC_AUTHENTICATE2 || r.opnum == XH_NRPC_AUTHENTICATE3) &&
		    ++cv->auth_tries == XH_NRPC_AUTH_TRIES) {
			/* A finding of its own (bit 31 of the value: interface
			 * indexes stay far below it), sealed or not. */
			xh_rpc_call_detail(env, h, &r, *op, XH_DCERPC_F_AUTH_TRIES);
			env->value |= 1U << 31;
			xh_rpc_emit(ctx, pkt, cls, env, stats);
		}
	}
	if (xh_rpc_op_seen(&env->cv, r.opnum))
		return;
	xh_rpc_call_detail(env, h, &r, *op, zero_cred ? XH_DCERPC_F_ZERO_CRED : 0);
	if (!xh_rpc_emit(ctx, pkt, cls, env, stats))
		return;
	/* On record now: remember it in the context, found again when an
	 * ept_map update above moved the key (the entry may also be gone). */
	if (!cv) {
		xh_rpc_ctx_key_make(&env->ck, env, r.ctx_id, XH_RPC_KIND_CTX);
		cv = bpf_map_lookup_elem(&xh_rpc_ctx, &env->ck);
	}
	if (cv && cv->if_index == env->cv.if_index)
		cv->seen_ops[cv->seen_next++ % XH_RPC_SEEN_OPS] = (__u16)(r.opnum + 1);
}

/* A RESPONSE from the server of an RPC port: if it answers a pending
 * ept_map call, learn the endpoint of its first tower. */
static __always_inline void xh_rpc_response(const struct xh_pkt *pkt,
					    const struct xh_class_res *cls, struct xh_rpc_env *env,
					    struct xh_stats *stats, const __u8 *p, const void *end,
					    const struct xh_rpc_hdr *h)
{
	struct xh_rpc_ep_key *ek = &env->ek;
	struct xh_rpc_tower *w = &env->w;
	struct xh_rpc_ctx_val *pend;
	struct xh_rpc_if_val *iv;
	__u32 if_index = XH_RPC_IF_UNKNOWN;
	int err;

	if (!env->from_server || env->transport != XH_RPC_TR_TCP)
		return;
	stats->dcerpc[XH_RPC_CNT_RESPONSE]++;
	if (!xh_rpc_flow_id(pkt, cls, env, stats, 0))
		return;
	xh_rpc_ctx_key_make(&env->ck, env, 0, XH_RPC_KIND_EPM_REQ);
	pend = bpf_map_lookup_elem(&xh_rpc_ctx, &env->ck);
	if (!pend || pend->call_id != h->call_id)
		return;
	err = xh_rpc_epm_parse(p, end, env->avail, h, w);
	bpf_map_delete_elem(&xh_rpc_ctx, &env->ck);
	if (err) {
		xh_rpc_count(stats, err);
		return;
	}
	/* The tower's IPv4 address, or the answering server's own address when
	 * the tower leaves it open (0.0.0.0) or the flow is IPv6. */
	__builtin_memset(ek, 0, sizeof(*ek));
	ek->family = pkt->family;
	if (pkt->family == XH_AF_INET && w->addr)
		ek->addr[0] = w->addr;
	else
		__builtin_memcpy(ek->addr, pkt->saddr, sizeof(ek->addr));
	ek->port = w->port;
	iv = bpf_map_lookup_elem(&xh_rpc_ifs, w->uuid);
	if (iv)
		if_index = iv->index;
	if (bpf_map_update_elem(&xh_rpc_eps, ek, &if_index, BPF_ANY)) {
		stats->dcerpc[XH_RPC_CNT_MAP_ERR]++;
		return;
	}
	stats->dcerpc[XH_RPC_CNT_EPM_LEARNED]++;
	/* A listed interface: its client's SYN will make the flow
	 * (bpf/dcerpc_dyn.bpf.h), so its record counts the handshake. */
	if (iv)
		xh_rpc_dyn_mark(w->port, xh_now_coarse_ns(), stats);
}

/* Is the packet's destination an endpoint an ept_map answer named? */
static __always_inline int xh_rpc_ep_known(const struct xh_pkt *pkt, struct xh_rpc_env *env)
{
	return xh_rpc_ep_lookup(pkt, &env->ek) != NULL;
}

/* dcerpc.logon: the auth_value of the PDU in env->h (at env->off, over TCP)
 * holds an NTLMSSP AUTHENTICATE (an AUTH3 after a BIND, or an ALTER_CONTEXT
 * in SPNEGO): its account, once per flow and account, as smb.logon. Over
 * SMB the session's logon names it already. Global: its own frame. */
__noinline int xh_rpc_logon(struct xdp_md *ctx, const struct xh_pkt *pkt,
			    const struct xh_class_res *cls, struct xh_rpc_env *env,
			    struct xh_stats *stats)
{
	struct xh_smb_work *w = xh_smb_w();
	__u32 at;
	int v;

	env = xh_rpc_env_61(env); /* for 6.1: see xh_rpc_env_61() */
	if (!pkt || !cls || !env || !stats || !w)
		return 0;
	if (env->transport != XH_RPC_TR_TCP || !env->h.auth_len ||
	    env->h.auth_len > env->h.frag_len)
		return 0;
	/* sec_trailer (8 bytes), then auth_length bytes, end the PDU */
	at = env->off + env->h.frag_len - env->h.auth_len;
	v = xh_ntlm_read(ctx, at, env->h.auth_len, env->off + env->avail);
	if (v <= 0)
		return 0;
	stats->dcerpc[XH_RPC_CNT_NTLM_AUTH]++;
	xh_rpc_detail_init(env, env->h.ptype, env->h.be);
	env->d.ntlm_len[0] = w->det.ntlm_len[0];
	env->d.ntlm_len[1] = w->det.ntlm_len[1];
	env->d.ntlm_len[2] = w->det.ntlm_len[2];
	env->d.name_enc = w->det.name_enc;
	__builtin_memcpy(env->d.ntlm_proof, w->det.ntlm_proof, sizeof(env->d.ntlm_proof));
	if (w->det.flags & XH_SMB_F_NTLM_CUT)
		env->d.flags |= XH_DCERPC_F_NTLM_CUT;
	env->rule = XH_RULE_DCERPC_LOGON;
	env->value = (__u32)v;
	xh_rpc_emit(ctx, pkt, cls, env, stats);
	return 0;
}

/* One PDU at env->off. Returns its frag_length when the next PDU may follow
 * it in the same segment, else 0 (or -1 on a bad header). Global, so that
 * each caller (TCP, SMB, the PDU loop) costs the verifier one call. */
__noinline int xh_rpc_pdu(struct xdp_md *ctx, const struct xh_pkt *pkt,
			  const struct xh_class_res *cls, struct xh_rpc_env *env,
			  struct xh_stats *stats)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct xh_rpc_bind_list *bl;
	struct xh_rpc_hdr *h;
	const __u8 *p;
	int err, i;

	env = xh_rpc_env_61(env); /* for 6.1: see xh_rpc_env_61() */
	if (!pkt || !cls || !env || !stats)
		return -1;
	h = &env->h;
	bl = &env->bl;
	p = (const __u8 *)data + (env->off & XH_RPC_OFF_MASK);
	err = xh_rpc_hdr_parse(p, end, env->avail, h);
	if (!err && env->strict) {
		err = xh_rpc_strict(p, end, env->container, h);
		if (err && env->transport == XH_RPC_TR_TCP && xh_rpc_ep_known(pkt, env)) {
			stats->dcerpc[XH_RPC_CNT_EP_HIT]++;
			err = 0;
		}
	}
	if (err) {
		xh_rpc_count(stats, err);
		return -1;
	}
	stats->dcerpc[XH_RPC_CNT_PDU]++;
	if (env->transport != XH_RPC_TR_TCP)
		stats->dcerpc[XH_RPC_CNT_SMB_PDU]++;

	switch (h->ptype) {
	case XH_RPC_PT_BIND:
	case XH_RPC_PT_ALTER_CONTEXT:
		stats->dcerpc[h->ptype == XH_RPC_PT_BIND ? XH_RPC_CNT_BIND : XH_RPC_CNT_ALTER]++;
		err = xh_rpc_bind_scan(p, end, env->avail, h, bl);
		if (err) {
			xh_rpc_count(stats, err);
			return -1;
		}
		if (bl->cut)
			stats->dcerpc[XH_RPC_CNT_CTX_CUT]++;
		if (bl->many)
			stats->dcerpc[XH_RPC_CNT_CTX_MANY]++;
		env->be = h->be;
		env->ptype = h->ptype;
		for (i = 0; i < XH_RPC_MAX_CTX; i++) {
			if (i >= bl->n)
				break;
			env->item_off = bl->off[i];
			xh_rpc_bind_ctx(ctx, pkt, cls, env, stats);
		}
		if (h->auth_len)
			xh_rpc_logon(ctx, pkt, cls, env, stats);
		break;
	case XH_RPC_PT_AUTH3:
		stats->dcerpc[XH_RPC_CNT_OTHER_TYPE]++;
		if (h->auth_len)
			xh_rpc_logon(ctx, pkt, cls, env, stats);
		break;
	case XH_RPC_PT_REQUEST:
		xh_rpc_request(ctx, pkt, cls, env, stats, p, end, h);
		break;
	case XH_RPC_PT_RESPONSE:
		xh_rpc_response(pkt, cls, env, stats, p, end, h);
		break;
	case XH_RPC_PT_BIND_ACK:
		stats->dcerpc[XH_RPC_CNT_BIND_ACK]++;
		err = xh_rpc_ack_parse(p, end, env->avail, h);
		if (err)
			xh_rpc_count(stats, err);
		break;
	default:
		stats->dcerpc[XH_RPC_CNT_OTHER_TYPE]++;
		break;
	}
	return h->frag_len < env->avail ? h->frag_len : 0;
}

/* Count the segment in hand to its flow when xh_hunt() did not: a flow on a
 * dynamic DCE/RPC endpoint (a port it does not track), which the bind of a
 * listed interface made. Mark the flow's server port (bpf/dcerpc_dyn.bpf.h),
 * so that xh_hunt() counts the flow's other segments from here on: this is
 * its first segment, or one after the mark went idle. */
static __always_inline void xh_rpc_flow_account(struct xdp_md *ctx, const struct xh_pkt *pkt,
						const struct xh_rpc_env *env,
						struct xh_stats *stats)
{
	struct xh_flow_state *st = bpf_map_lookup_elem(&xh_flows, &env->key);
	__u64 now = xh_now_coarse_ns();
	int sender_client;

	if (!st)
		return;
	sender_client = xh_flow_account(st, env->src_is_s, xh_pkt_frame_len(ctx, pkt), now);
	if (st->service == XH_SVC_NONE)
		st->service = XH_SVC_RPC_DYN;
	if (st->service == XH_SVC_RPC_DYN)
		xh_rpc_dyn_mark(sender_client ? pkt->dport : pkt->sport, now, stats);
}

/* TCP packets whose payload of at least an RPC header starts like RPC (or,
 * to an SMB server port, like a NetBIOS message) come here, after xh_hunt()
 * (so classified flows have their state). @svc: the port services
 * (xh_svc_pack()) the entry point looked up. Returns 0. */
__noinline int xh_dcerpc_tcp(struct xdp_md *ctx, const struct xh_pkt *pkt, struct xh_stats *stats,
			     __u32 svc)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct xh_class_res cls = {};
	struct xh_rpc_env *env;
	const __u8 *p;
	__u32 off, len, zero = 0, beyond = 0;
	int i, n, rpc_port;

	if (!pkt || !stats)
		return 0;
	off = pkt->payload_off & XH_RPC_OFF_MASK;
	p = (const __u8 *)data + off;
	if ((void *)(p + 3) > end)
		return 0;
	if (p[0] != 5 && p[0] != 0)
		return 0;
	cls.svc_src = xh_svc_src(svc);
	cls.svc_dst = xh_svc_dst(svc);
	if (p[0] == 0) {
		if (cls.svc_dst != XH_SVC_SMB)
			return 0; /* pipe requests go to the SMB server port */
		cls.classes = 1 << XH_CLASS_SMB;
		return xh_dcerpc_smb(ctx, pkt, &cls, stats);
	}
	rpc_port = cls.svc_src == XH_SVC_RPC || cls.svc_dst == XH_SVC_RPC;
	if (p[1] > 1) {
		if (rpc_port)
			stats->dcerpc[XH_RPC_CNT_E_VERSION]++;
		return 0;
	}
	if (rpc_port)
		cls.classes = 1 << XH_CLASS_RPC;
	env = bpf_map_lookup_elem(&xh_rpc_scr, &zero);
	if (!env) {
		stats->cnt[XH_CNT_MAP_ERR]++;
		return 0;
	}
	__builtin_memset(env, 0, offsetof(struct xh_rpc_env, d));
	len = pkt->payload_len;
	/* A segment longer than the frame's first buffer (a jumbo frame, a
	 * TSO capture) goes on in XDP fragments: the strict test compares a
	 * PDU's frag_length with the whole segment, not with what the parser
	 * sees of it (a WMI call of 5 KB in one frame was refused). */
	if (pkt->ip_cut) {
		__u64 whole = bpf_xdp_get_buff_len(ctx);
		__u32 seen = off + len;

		if (whole > seen)
			beyond = (__u32)(whole - seen) & 0x1ffff;
	}
	env->src_is_s = (__u8)xh_flow_key_make(pkt, &env->key);
	env->flow_id = pkt->flow_id;
	env->transport = XH_RPC_TR_TCP;
	env->strict = !rpc_port;
	env->from_server = cls.svc_src == XH_SVC_RPC;
	env->off = off;
	/* Who sent it, for a flow this PDU makes (xh_rpc_flow()): requests,
	 * binds, alter_contexts and auth3s come from the client, the other PDUs from
	 * the server. It outranks a dynamic endpoint's mark, which is kept by
	 * port number and may sit on a client's ephemeral port. */
	if (p[2] == XH_RPC_PT_REQUEST || p[2] == XH_RPC_PT_BIND ||
	    p[2] == XH_RPC_PT_ALTER_CONTEXT || p[2] == XH_RPC_PT_AUTH3) {
		if (cls.svc_src == XH_SVC_RPC_DYN)
			cls.svc_src = XH_SVC_NONE;
		if (cls.svc_dst == XH_SVC_NONE)
			cls.svc_dst = XH_SVC_RPC_DYN;
	} else {
		if (cls.svc_dst == XH_SVC_RPC_DYN)
			cls.svc_dst = XH_SVC_NONE;
		if (cls.svc_src == XH_SVC_NONE)
			cls.svc_src = XH_SVC_RPC_DYN;
	}
	for (i = 0; i < XH_RPC_MAX_PDUS; i++) {
		env->avail = len;
		env->container = len + beyond;
		n = xh_rpc_pdu(ctx, pkt, &cls, env, stats);
		if (n <= 0 || (__u32)n >= len)
			break;
		/* Another PDU follows in this segment. */
		len -= n;
		env->off = (env->off + n) & XH_RPC_OFF_MASK;
		p = (const __u8 *)data + env->off;
		if (len < XH_RPC_HDR_LEN || !xh_rpc_maybe(p, end))
			break;
	}
	if (!pkt->flow_id)
		xh_rpc_flow_account(ctx, pkt, env, stats);
	return 0;
}

#endif /* XH_DCERPC_BPF_H */
