/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* smb_name.bpf.h: what the SMB walk does with a message: copy its head out of
 * the packet, scan its UTF-16LE name (share, pipe or file) in bpf_loop()
 * chunks and look it up in the rule tables, and report a finding once per
 * flow (the seen cache in xh_smb_state). */
#ifndef XH_SMB_NAME_BPF_H
#define XH_SMB_NAME_BPF_H

#include "smb_state.bpf.h"
#include "emit.bpf.h"
#include "flow.bpf.h"

/* Copy @len bytes at packet offset @off to @buf (at least XH_SMB_HDR_BUF
 * bytes). 0 or -1. */
static __always_inline int xh_smb_load_hdr(struct xdp_md *ctx, __u32 off, __u8 *buf, __u32 len)
{
	if (len == 0 || len > XH_SMB_HDR_BUF)
		return -1;
	len = XH_SIZE_NZ(len, XH_SMB_HDR_BUF); /* for 6.1 (compat61.bpf.h) */
	return bpf_xdp_load_bytes(ctx, off, buf, len) ? -1 : 0;
}

static __always_inline __u32 xh_smb_table(__u32 kind, __u32 hash, __u32 *share_kind)
{
	struct xh_smb_name_key k = {.hash = hash, .kind = kind};
	struct xh_smb_name_val *v = bpf_map_lookup_elem(&xh_smb_names, &k);

	if (!v)
		return 0;
	if (share_kind)
		*share_kind = v->share_kind;
	return v->id ? v->id : 1;
}

struct xh_smb_loop {
	struct xh_smb_work *w;
};

/* Code units per bpf_loop() callback: XH_SMB_NAME_CHUNK (bpf/smb_name.h).
 * One per call spent most of the scan in the call and the state reloads:
 * the live profile of a TREE_CONNECT put the callback at a sixth of the
 * whole frame (kernel 6.18). The state stays in the scratch map, not in a
 * copy on the stack (only a word's hashes are in registers): the verifier
 * tracks stack bytes (zero or not) and the copy's combinations over eight
 * unrolled steps passed its 1M-instruction limit; map memory it does not
 * track. */
static long xh_smb_name_cb(__u32 i, void *data)
{
	struct xh_smb_loop *l = data;
	struct xh_smb_work *w = l->w;

	if (!w)
		return 1;
	return xh_smb_name_chunk(&w->nm, w->name, i * XH_SMB_NAME_CHUNK);
}

/* Copy and scan the name of w->m (message header at packet offset @hdr_off)
 * into w->name / w->nm. Returns 0 or -XH_SMB_CNT_*. */
__noinline int xh_smb_get_name(struct xdp_md *ctx, __u32 hdr_off)
{
	struct xh_smb_work *w = xh_smb_w();
	struct xh_smb_loop l;
	__u32 abs, max, len, avail;
	int cut = 0, err;

	if (!w)
		return -XH_SMB_CNT_STATE_ERR;
	abs = hdr_off + w->m.name_off;
	max = w->m.name_max;
	if (max == 0)
		return -XH_SMB_CNT_NAME_EMPTY;
	if (!w->m.name_nul && max > XH_EVENT_NAME_MAX)
		return -XH_SMB_CNT_NAME_LONG;
	if (abs >= w->pay_end)
		return -XH_SMB_CNT_NAME_CUT;
	avail = w->pay_end - abs;
	len = max < XH_EVENT_NAME_MAX ? max : XH_EVENT_NAME_MAX;
	if (len > avail) {
		if (!w->m.name_nul)
			return -XH_SMB_CNT_NAME_CUT;
		len = avail;
		cut = 1;
	}
	if (len == 0 || len > XH_EVENT_NAME_MAX)
		return -XH_SMB_CNT_NAME_CUT;
	len = XH_SIZE_NZ(len, XH_EVENT_NAME_MAX); /* for 6.1 (compat61.bpf.h) */
	if (bpf_xdp_load_bytes(ctx, abs, w->name, len))
		return -XH_SMB_CNT_LOAD_ERR;
	xh_smb_name_init(&w->nm, len, w->m.name_enc, w->m.name_nul);
	l.w = w;
	bpf_loop(((w->nm.ncu & 0xff) + XH_SMB_NAME_CHUNK - 1) / XH_SMB_NAME_CHUNK, xh_smb_name_cb,
		 &l, 0);
	if (cut && !w->nm.done && !w->nm.bad)
		return -XH_SMB_CNT_NAME_CUT;
	err = xh_smb_name_finish(&w->nm, w->m.name_nul ? max : len);
	return err;
}

/* Has the flow of @sm already reported (@rule, @value)? From its cache only:
 * a miss still goes to xh_seen. */
static __always_inline int xh_smb_seen(const struct xh_smb_state *sm, __u32 rule, __u32 value)
{
	__u64 v = (__u64)rule << 32 | value;
	__u32 i;

	for (i = 0; i < XH_SMB_SEEN; i++)
		if (sm->seen[i] == v)
			return 1;
	return 0;
}

static __always_inline void xh_smb_seen_add(struct xh_smb_state *sm, __u32 rule, __u32 value)
{
	sm->seen[sm->seen_next++ % XH_SMB_SEEN] = (__u64)rule << 32 | value;
}

/* Emit @rule for the flow in w->key (SMB state @sm) with w->det (and w->name
 * when @with_name). @value 0: once per flow (xh_flow_state.reported), else
 * once per (flow, rule, value) through xh_seen; @sm's cache answers first.
 * Returns 0. A global function of its own: inlined into xh_smb_handle(), its
 * spills pushed the call chain past the 512-byte stack limit (kernel 6.18,
 * clang 14). */
__noinline int xh_smb_emit(struct xdp_md *ctx, struct xh_smb_state *sm, __u32 rule, __u32 value,
			   __u32 with_name)
{
	struct xh_smb_work *w = xh_smb_w();
	struct xh_stats *stats = xh_smb_stats();
	struct xh_flow_state *st;
	struct xh_event *e;
	__u64 bit;

	if (!w || !stats || !sm || rule >= XH_RULE__MAX)
		return 0;
	bit = XH_RULE_BIT(rule);
	if (value ? xh_smb_seen(sm, rule, value) : rule < 32 && (sm->reported & bit))
		return 0;
	st = bpf_map_lookup_elem(&xh_flows, &w->key);
	if (!st) {
		stats->cnt[XH_CNT_FLOW_ERR]++;
		return 0;
	}
	if (!value) {
		if (!xh_rule_claim(st, rule)) {
			if (rule < 32)
				sm->reported |= (__u32)bit;
			return 0;
		}
	} else if (!xh_finding_claim(st, rule, value)) {
		xh_smb_seen_add(sm, rule, value);
		return 0;
	}
	e = xh_event_reserve(ctx, &w->pkt, &w->key, st, rule, 0, stats, XH_EVENT_NAMED_SIZE);
	if (!e) {
		if (!value)
			xh_rule_release(st, rule);
		else
			xh_finding_release(st, rule, value);
		return 0;
	}
	e->detail_kind = XH_DETAIL_SMB;
	__builtin_memcpy(&e->d.smb, &w->det, sizeof(w->det));
	if (with_name) {
		__builtin_memcpy(e->name, w->name, sizeof(e->name));
		e->name_len = (__u16)(w->nm.len & 0x1ff);
	}
	xh_event_submit(e, XH_EVENT_NAMED_SIZE, stats);
	if (value)
		xh_smb_seen_add(sm, rule, value);
	else if (rule < 32)
		sm->reported |= (__u32)bit;
	return 0;
}

#endif /* XH_SMB_NAME_BPF_H */
