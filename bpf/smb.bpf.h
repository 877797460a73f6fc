/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* smb.bpf.h: SMB deep inspection in XDP. For each TCP segment with payload on
 * an SMB flow: walk the NetBIOS messages that start in it, the SMB2 compound
 * members or SMB1 AndX blocks of each, keep per-flow SMB state (pending tree
 * connects by MessageId, session, dialect, NetBIOS session request), per-session
 * trees (TreeId -> share kind, in xh_smb_trees), opens by FileId
 * (bpf/smb_files.bpf.h), and report admin/IPC$ tree connects, named pipes,
 * tool transfers, reads and listings on admin shares, SMB1 and encryption.
 *
 * The walk is split into global (noinline) functions that share a per-CPU
 * scratch (xh_smb_work) instead of stack arguments, so that the verifier
 * checks each once: inlined, the nested loops over messages, members and
 * name characters multiplied into millions of states. Message heads and
 * names are copied out of the packet with bpf_xdp_load_bytes() (Linux 5.18)
 * and parsed by the pure bpf/smb.h from the copy; name characters are walked
 * with bpf_loop() (Linux 5.17), whose callback is verified once.
 */
#ifndef XH_SMB_BPF_H
#define XH_SMB_BPF_H

#include "smb_state.bpf.h"
#include "smb_name.bpf.h"
#include "smb_files.bpf.h"
#include "ntlm.bpf.h"

/* Build the key in w->tkey: the stack of the call chain has no 48 bytes to
 * spare (512-byte limit, kernel 6.18, clang 14). */
static __always_inline struct xh_smb_tree_key *xh_smb_tree_key(struct xh_smb_work *w,
							       __u64 session_id, __u32 tree_id)
{
	struct xh_smb_tree_key *k = &w->tkey;

	__builtin_memset(k, 0, sizeof(*k));
	__builtin_memcpy(k->addr_lo, w->key.saddr, sizeof(k->addr_lo));
	__builtin_memcpy(k->addr_hi, w->key.daddr, sizeof(k->addr_hi));
	k->session_id = session_id;
	k->tree_id = tree_id;
	k->family = w->key.family;
	return k;
}

static __always_inline __u8 xh_smb_tree_kind(struct xh_smb_work *w, __u64 session_id, __u32 tree_id)
{
	__u8 *kind = bpf_map_lookup_elem(&xh_smb_trees, xh_smb_tree_key(w, session_id, tree_id));

	return kind ? *kind : 0;
}

static __always_inline void xh_smb_tree_add(struct xh_smb_work *w, struct xh_stats *stats,
					    __u64 session_id, __u32 tree_id, __u8 kind)
{
	if (bpf_map_update_elem(&xh_smb_trees, xh_smb_tree_key(w, session_id, tree_id), &kind,
				BPF_ANY))
		stats->smb[XH_SMB_CNT_STATE_ERR]++;
}

/* The share kind of the scanned tree-connect path in w->nm. */
static __always_inline __u8 xh_smb_share_kind(struct xh_smb_work *w)
{
	__u32 kind = 0;

	if (xh_smb_table(XH_SMB_TBL_SHARE, w->nm.h_last, &kind) && kind)
		return kind;
	if (xh_smb_name_is_drive(&w->nm) && xh_smb_table(XH_SMB_TBL_SHARE_DRIVE, 0, &kind) && kind)
		return kind;
	return XH_SMB_SHARE_DISK;
}

static __always_inline void xh_smb_tree_connect(struct xdp_md *ctx, struct xh_smb_work *w,
						struct xh_smb_state *sm, struct xh_stats *stats,
						__u32 hdr_off)
{
	__u8 kind;
	__u32 i;
	int err;

	if (!w->m.response) {
		stats->smb[XH_SMB_CNT_TREE_CONNECT]++;
		if (!w->m.name_max)
			return;
		err = xh_smb_get_name(ctx, hdr_off);
		if (err) {
			xh_smb_count(stats, err);
			return;
		}
		kind = xh_smb_share_kind(w);
		i = sm->pend_next++ % XH_SMB_PENDING;
		if (sm->pend[i].kind)
			stats->smb[XH_SMB_CNT_TREE_EVICTED]++;
		sm->pend[i].mid = w->m.message_id;
		sm->pend[i].kind = kind;
		if (kind != XH_SMB_SHARE_ADMIN && kind != XH_SMB_SHARE_IPC)
			return;
		w->det.share_kind = kind;
		xh_smb_emit(ctx, sm,
			    kind == XH_SMB_SHARE_ADMIN ? XH_RULE_SMB_ADMIN_SHARE
						       : XH_RULE_SMB_IPC_SHARE,
			    w->nm.h_full ? w->nm.h_full : 1, 1);
		return;
	}
	/* A response: the TreeId the server gave the pending request. */
	for (i = 0; i < XH_SMB_PENDING; i++) {
		if (!sm->pend[i].kind || sm->pend[i].mid != w->m.message_id)
			continue;
		kind = sm->pend[i].kind;
		sm->pend[i].kind = 0;
		if (w->m.status != 0 || w->m.async)
			return;
		xh_smb_tree_add(w, stats, w->m.session_id, w->m.tree_id, kind);
		if (kind != XH_SMB_SHARE_DISK)
			stats->smb[XH_SMB_CNT_TREE_TRACKED]++;
		return;
	}
}

/* Remember the CREATE request in w->m (name scanned into w->name / w->nm)
 * until its response gives the FileId: a pipe (@kind IPC), any open on an
 * admin share, or an executable on another disk share opened without write
 * access. @exe: XH_SMB_FILE_EXE for an executable name, else 0. */
static __always_inline void xh_smb_pend_add(struct xh_smb_work *w, struct xh_stats *stats,
					    __u8 kind, __u8 exe)
{
	struct xh_smb_file *f = &w->file;

	__builtin_memset(&w->pkey, 0, sizeof(w->pkey));
	__builtin_memcpy(&w->pkey.flow, &w->key, sizeof(w->pkey.flow));
	w->pkey.mid = w->m.message_id;
	__builtin_memset(f, 0, offsetof(struct xh_smb_file, name));
	f->session_id = w->m.session_id;
	f->mid = w->m.message_id;
	f->hash = w->nm.h_full ? w->nm.h_full : 1;
	f->tree_id = w->m.tree_id;
	f->access = w->m.access;
	f->pipe_id = w->det.pipe_id;
	f->name_len = (__u16)(w->nm.len & 0x1ff);
	f->kind = kind;
	f->name_enc = w->m.name_enc;
	f->flags = (w->det.flags & XH_SMB_F_STREAM_EXE) | exe;
	__builtin_memcpy(f->name, w->name, sizeof(f->name));
	if (bpf_map_update_elem(&xh_smb_pend, &w->pkey, f, BPF_ANY))
		stats->smb[XH_SMB_CNT_STATE_ERR]++;
	else
		stats->smb[XH_SMB_CNT_FILE_PENDING]++;
}

/* A CREATE response: the FileId of a pending open. Any other successful
 * open forgets what xh_smb_files held under its FileId (SMB1 reuses FIDs at
 * once), so that a later request is never attributed to an earlier open's
 * name; but not a TCP retransmission of the response that made the entry
 * (the same MessageId), which a capture or a span port shows twice. */
static __always_inline void xh_smb_create_resp(struct xh_smb_work *w, struct xh_stats *stats)
{
	struct xh_smb_file *f;

	if (w->m.status == XH_STATUS_PENDING)
		return; /* interim: the final response carries the FileId */
	__builtin_memset(&w->pkey, 0, sizeof(w->pkey));
	__builtin_memcpy(&w->pkey.flow, &w->key, sizeof(w->pkey.flow));
	w->pkey.mid = w->m.message_id;
	f = bpf_map_lookup_elem(&xh_smb_pend, &w->pkey);
	if (!f) {
		if (w->m.has_fid) {
			xh_smb_file_key_make(&w->fkey, &w->key, w->m.session_id, w->m.file_id,
					     w->m.version);
			f = bpf_map_lookup_elem(&xh_smb_files, &w->fkey);
			if (f && f->mid != w->m.message_id)
				bpf_map_delete_elem(&xh_smb_files, &w->fkey);
		}
		return;
	}
	/* Copied first: an LRU entry may go while it is used. */
	__builtin_memcpy(&w->file, f, sizeof(w->file));
	bpf_map_delete_elem(&xh_smb_pend, &w->pkey);
	if (!w->m.has_fid) {
		stats->smb[XH_SMB_CNT_FILE_FAILED]++;
		return;
	}
	xh_smb_file_key_make(&w->fkey, &w->key, w->file.session_id, w->m.file_id, w->m.version);
	if (bpf_map_update_elem(&xh_smb_files, &w->fkey, &w->file, BPF_ANY))
		stats->smb[XH_SMB_CNT_STATE_ERR]++;
	else
		stats->smb[XH_SMB_CNT_FILE_TRACKED]++;
}

/* An event's open: its name's length and encoding (the name in w->name),
 * share kind, access and flags (XH_SMB_FILE_EXE / XH_SMB_F_STREAM_EXE). */
static __always_inline void xh_smb_open_set(struct xh_smb_work *w, __u16 len, __u8 enc, __u8 kind,
					    __u32 access, __u8 flags)
{
	w->nm.len = len;
	w->det.name_enc = enc;
	w->det.share_kind = kind;
	w->det.access = access;
	w->det.flags |= flags & XH_SMB_F_STREAM_EXE;
}

/* Copy the tracked open @f (a map value) into w->file and its name into
 * w->name, for an event. */
static __always_inline void xh_smb_file_use(struct xh_smb_work *w, const struct xh_smb_file *f)
{
	/* Copied first: an LRU entry may go while it is used. */
	__builtin_memcpy(&w->file, f, sizeof(w->file));
	__builtin_memcpy(w->name, w->file.name, sizeof(w->name));
	w->chain_open.kind = 0; /* its name is gone from w->name */
	xh_smb_open_set(w, w->file.name_len, w->file.name_enc, w->file.kind, w->file.access,
			w->file.flags);
}

/* Does w->m, a related compound member, name the file of the CREATE before
 * it in the compound (FileId 0xFF..FF)? */
static __always_inline int xh_smb_fid_chained(const struct xh_smb_work *w)
{
	__u64 a, b;

	__builtin_memcpy(&a, w->m.file_id, 8);
	__builtin_memcpy(&b, w->m.file_id + 8, 8);
	return w->m.version == 2 && w->m.related && a == ~0ULL && b == ~0ULL && w->chain_open.kind;
}

/* Use the compound's CREATE (w->chain_open, its name still in w->name) as
 * the open of an event. */
static __always_inline void xh_smb_chain_use(struct xh_smb_work *w)
{
	xh_smb_open_set(w, w->chain_open.len, w->chain_open.enc, w->chain_open.kind,
			w->chain_open.access, w->chain_open.flags);
}

/* FNV-1a of w->m's FileId (SMB1: the FID, the rest zero): the value of a
 * finding on an open whose name is not known. */
static __always_inline __u32 xh_smb_fid_hash(const struct xh_smb_work *w)
{
	__u32 val = 2166136261u, i;

	for (i = 0; i < sizeof(w->m.file_id); i++)
		val = (val ^ w->m.file_id[i]) * 16777619u;
	return val;
}

/* An event's open whose name is not known, on a tree of @kind
 * (XH_SMB_F_NO_NAME). */
static __always_inline void xh_smb_open_unnamed(struct xh_smb_work *w, __u8 kind)
{
	xh_smb_open_set(w, 0, XH_SMB_ENC_NONE, kind, 0, 0);
	w->det.flags |= XH_SMB_F_NO_NAME;
}

/* Do the data of the WRITE in w->m (message header at packet offset
 * @hdr_off) begin a PE image: "MZ", and "PE\0\0" at the e_lfanew of the DOS
 * header, both in this segment? w->hdr, parsed already, holds the bytes. */
static __always_inline int xh_smb_data_is_pe(struct xdp_md *ctx, struct xh_smb_work *w,
					     __u32 hdr_off)
{
	__u32 at = hdr_off + w->m.data_off, lfa;
	__u8 *b = w->hdr;

	if (w->m.data_len < 64 || at + 64 > w->pay_end || bpf_xdp_load_bytes(ctx, at, b, 64))
		return 0;
	if (b[0] != 'M' || b[1] != 'Z')
		return 0;
	lfa = xh_le32(b + 0x3c);
	if (lfa < 64 || lfa > 4096 || lfa + 4 > w->m.data_len || at + lfa + 4 > w->pay_end ||
	    bpf_xdp_load_bytes(ctx, at + lfa, b, 4))
		return 0;
	return b[0] == 'P' && b[1] == 'E' && b[2] == 0 && b[3] == 0;
}

/* A WRITE request on an admin or other disk-share tree (@kind): if it
 * writes a tracked executable, report smb.tool_transfer with the CREATE's
 * name. The value is the name's hash, as for a CREATE with write access, so
 * a flow reports one file once whichever message showed it. A WRITE at the
 * start of any other file whose data are a PE image reports too
 * (XH_SMB_F_EXE_CONTENT: a tool under a harmless name), named when its open
 * is followed (admin shares; opens for writing on others), else not. */
static __always_inline void xh_smb_write(struct xdp_md *ctx, struct xh_smb_work *w,
					 struct xh_smb_state *sm, struct xh_stats *stats,
					 __u32 hdr_off, __u8 kind)
{
	struct xh_smb_file *f = NULL;
	int chained;
	__u32 val;
	__u8 exe;

	if (!w->m.has_fid)
		return;
	chained = xh_smb_fid_chained(w);
	if (!chained) {
		xh_smb_file_key_make(&w->fkey, &w->key, w->m.session_id, w->m.file_id,
				     w->m.version);
		f = bpf_map_lookup_elem(&xh_smb_files, &w->fkey);
	}
	exe = chained ? w->chain_open.flags & XH_SMB_FILE_EXE : f && (f->flags & XH_SMB_FILE_EXE);
	if (!exe) {
		if (w->m.file_off || !xh_smb_data_is_pe(ctx, w, hdr_off))
			return;
		stats->smb[XH_SMB_CNT_WRITE_PE]++;
		w->det.flags |= XH_SMB_F_EXE_CONTENT;
	} else {
		stats->smb[XH_SMB_CNT_WRITE_TRACKED]++;
	}
	if (chained) {
		xh_smb_chain_use(w);
		val = w->chain_open.hash;
	} else if (f) {
		xh_smb_file_use(w, f);
		val = w->file.hash;
	} else {
		xh_smb_open_unnamed(w, kind);
		val = xh_smb_fid_hash(w);
	}
	xh_smb_emit(ctx, sm, XH_RULE_SMB_TOOL_TRANSFER, val ? val : 1,
		    !(w->det.flags & XH_SMB_F_NO_NAME));
}

/* A READ (@rule smb.admin_read) or QUERY_DIRECTORY (smb.admin_listing)
 * request on an admin-share tree: collection from, or discovery of, a
 * host's disks. Named by the open's CREATE when it was followed; without it
 * (the CREATE came before xdphunt, or its entry was evicted) the hit says
 * XH_SMB_F_NO_NAME. A read is once per flow and file (the name's hash, else
 * the FileId's), a listing once per flow and tree: a recursive listing
 * opens every directory of the disk. */
static __always_inline void xh_smb_admin_use(struct xdp_md *ctx, struct xh_smb_work *w,
					     struct xh_smb_state *sm, __u32 rule)
{
	struct xh_smb_file *f = NULL;
	int chained = 0;
	__u32 val;

	if (w->m.has_fid && xh_smb_fid_chained(w)) {
		chained = w->chain_open.kind == XH_SMB_SHARE_ADMIN;
	} else if (w->m.has_fid) {
		xh_smb_file_key_make(&w->fkey, &w->key, w->m.session_id, w->m.file_id,
				     w->m.version);
		f = bpf_map_lookup_elem(&xh_smb_files, &w->fkey);
	}
	if (chained) {
		xh_smb_chain_use(w);
		val = w->chain_open.hash;
	} else if (f && f->kind == XH_SMB_SHARE_ADMIN) {
		xh_smb_file_use(w, f);
		val = w->file.hash;
	} else {
		xh_smb_open_unnamed(w, XH_SMB_SHARE_ADMIN);
		val = xh_smb_fid_hash(w);
	}
	if (rule == XH_RULE_SMB_ADMIN_LISTING)
		val = w->m.tree_id;
	xh_smb_emit(ctx, sm, rule, val ? val : 1, !(w->det.flags & XH_SMB_F_NO_NAME));
}

/* An SMB1 TRANS2 FIND_FIRST2 request on an admin-share tree: a listing,
 * as SMB2's QUERY_DIRECTORY, named by its search pattern (\Windows\*);
 * once per flow and tree. A pattern that cannot be read (cut by the
 * segment, say) is counted and the listing reported without it. */
static __always_inline void xh_smb_find(struct xdp_md *ctx, struct xh_smb_work *w,
					struct xh_smb_state *sm, struct xh_stats *stats,
					__u32 hdr_off)
{
	int err;

	if (xh_smb_tree_kind(w, w->m.session_id, w->m.tree_id) != XH_SMB_SHARE_ADMIN)
		return;
	stats->smb[XH_SMB_CNT_QUERY_DIR_ADMIN]++;
	err = xh_smb_get_name(ctx, hdr_off);
	if (err) {
		xh_smb_count(stats, err);
		xh_smb_open_unnamed(w, XH_SMB_SHARE_ADMIN);
	} else {
		xh_smb_open_set(w, (__u16)(w->nm.len & 0x1ff), w->m.name_enc, XH_SMB_SHARE_ADMIN, 0,
				0);
	}
	xh_smb_emit(ctx, sm, XH_RULE_SMB_ADMIN_LISTING, w->m.tree_id ? w->m.tree_id : 1,
		    !(w->det.flags & XH_SMB_F_NO_NAME));
}

/* An SMB1 request only MS17-010 tooling sends (bpf/smb.h: the check,
 * DoublePulsar's ping, EternalBlue's secondary of another kind's
 * transaction), an unpatched server's answer to the check, or an implant's
 * answer to the ping: once per flow and kind, on any tree. An NT_TRANSACT
 * still open is only remembered. */
static __always_inline void xh_smb_exploit(struct xdp_md *ctx, struct xh_smb_work *w,
					   struct xh_smb_state *sm, struct xh_stats *stats)
{
	__u16 mid = (__u16)w->m.message_id;

	if (w->m.exploit == XH_SMB_EXPLOIT_MS17_010_VULNERABLE) {
		/* The answer to this flow's check, not any transaction's. */
		if (!w->m.response || !(sm->flags & XH_SMB_ST_MS17) || sm->ms17_mid != mid)
			return;
	} else if (w->m.exploit == XH_SMB_EXPLOIT_NT_TRANS_OPEN) {
		sm->flags |= XH_SMB_ST_NTTRANS;
		sm->nt_mid = mid;
		return;
	} else if (w->m.exploit == XH_SMB_EXPLOIT_ETERNALBLUE) {
		/* The secondary of another kind's transaction. */
		if (w->m.response || !(sm->flags & XH_SMB_ST_NTTRANS) || sm->nt_mid != mid)
			return;
	} else if (w->m.exploit == XH_SMB_EXPLOIT_DOUBLEPULSAR_IMPLANT) {
		/* Any TRANSACTION2 answer: only one to the ping, 16 on. */
		if (!w->m.response || !(sm->flags & XH_SMB_ST_DP) ||
		    (__u16)(sm->dp_mid + 16) != mid)
			return;
	} else if (w->m.response) {
		return;
	} else if (w->m.exploit == XH_SMB_EXPLOIT_MS17_010_CHECK) {
		sm->flags |= XH_SMB_ST_MS17;
		sm->ms17_mid = mid;
	} else if (w->m.exploit == XH_SMB_EXPLOIT_DOUBLEPULSAR) {
		sm->flags |= XH_SMB_ST_DP;
		sm->dp_mid = mid;
	}
	stats->smb[XH_SMB_CNT_EXPLOIT]++;
	w->det.exploit = w->m.exploit;
	xh_smb_emit(ctx, sm, XH_RULE_SMB_EXPLOIT, w->m.exploit, 0);
}

/* A CLOSE request: the FileId is done with. Forgetting it here keeps
 * xh_smb_files to the opens in use, which a recursive listing of C$ (an
 * open per directory) would otherwise push the pipes of other flows out of.
 * A CLOSE in the compound of its CREATE forgets the pending CREATE. */
static __always_inline void xh_smb_close(struct xh_smb_work *w, struct xh_stats *stats)
{
	if (!w->m.has_fid)
		return;
	if (xh_smb_fid_chained(w)) {
		__builtin_memset(&w->pkey, 0, sizeof(w->pkey));
		__builtin_memcpy(&w->pkey.flow, &w->key, sizeof(w->pkey.flow));
		w->pkey.mid = w->chain_open.mid;
		bpf_map_delete_elem(&xh_smb_pend, &w->pkey);
		w->chain_open.kind = 0;
		return;
	}
	xh_smb_file_key_make(&w->fkey, &w->key, w->m.session_id, w->m.file_id, w->m.version);
	if (!bpf_map_delete_elem(&xh_smb_files, &w->fkey))
		stats->smb[XH_SMB_CNT_CLOSE_TRACKED]++;
}

/* A request on an open FileId (READ, WRITE, QUERY_DIRECTORY, CLOSE; SMB1
 * READ_ANDX, WRITE_ANDX, CLOSE): what the tree's kind makes of it. A tree
 * lookup for the requests whose tree matters; a CLOSE needs none. */
static __always_inline void xh_smb_file_req(struct xdp_md *ctx, struct xh_smb_work *w,
					    struct xh_smb_state *sm, struct xh_stats *stats,
					    __u32 hdr_off, __u32 op)
{
	__u8 kind;

	if (op == XH_SMB2_CLOSE) {
		xh_smb_close(w, stats);
		return;
	}
	kind = xh_smb_tree_kind(w, w->m.session_id, w->m.tree_id);
	if (op == XH_SMB2_WRITE) {
		if (kind == XH_SMB_SHARE_ADMIN)
			stats->smb[XH_SMB_CNT_WRITE_ADMIN]++;
		if (kind == XH_SMB_SHARE_ADMIN || kind == XH_SMB_SHARE_DISK)
			xh_smb_write(ctx, w, sm, stats, hdr_off, kind);
		return;
	}
	if (kind != XH_SMB_SHARE_ADMIN)
		return;
	if (op == XH_SMB2_READ) {
		stats->smb[XH_SMB_CNT_READ_ADMIN]++;
		xh_smb_admin_use(ctx, w, sm, XH_RULE_SMB_ADMIN_READ);
	} else {
		stats->smb[XH_SMB_CNT_QUERY_DIR_ADMIN]++;
		xh_smb_admin_use(ctx, w, sm, XH_RULE_SMB_ADMIN_LISTING);
	}
}

/* Remember the CREATE request in w->m (name in w->name / w->nm, value @val)
 * for the related members after it in the compound. @exe: XH_SMB_FILE_EXE
 * or 0. */
static __always_inline void xh_smb_chain_set(struct xh_smb_work *w, __u8 kind, __u32 val, __u8 exe)
{
	struct xh_smb_chain_open *c = &w->chain_open;

	c->mid = w->m.message_id;
	c->hash = val;
	c->access = w->m.access;
	c->len = (__u16)(w->nm.len & 0x1ff);
	c->enc = w->m.name_enc;
	c->flags = (w->det.flags & XH_SMB_F_STREAM_EXE) | exe;
	c->kind = kind;
}

/* A CREATE on a tracked tree. On IPC$: smb.named_pipe, and the pipe is
 * followed to its FileId so DCE/RPC on it is named. On a disk share (admin
 * or not), an executable name (by the file name's extension, or by the NTFS
 * stream name's: notes.txt:payload.exe hides one in a stream of notes.txt,
 * which XH_SMB_F_STREAM_EXE tells userspace): smb.tool_transfer when the
 * request asks for write access (FILE_WRITE_DATA, FILE_APPEND_DATA,
 * GENERIC_WRITE, GENERIC_ALL). Any other access (MAXIMUM_ALLOWED included:
 * the server may grant write, but the client has not said it will write) is
 * followed to its FileId, and its first WRITE reports instead. Every open
 * on an admin share is followed, so that its READs and listings are named
 * (its root, NameLength 0, included). The stream's lookup is only for names
 * with a stream extension, which few have. */
static __always_inline void xh_smb_create(struct xdp_md *ctx, struct xh_smb_work *w,
					  struct xh_smb_state *sm, struct xh_stats *stats,
					  __u32 hdr_off)
{
	__u8 kind;
	__u32 val;
	int err, exe, write;

	if (w->m.response) {
		xh_smb_create_resp(w, stats);
		return;
	}
	stats->smb[XH_SMB_CNT_CREATE]++;
	w->chain_open.kind = 0; /* related members after it name this one */
	kind = xh_smb_tree_kind(w, w->m.session_id, w->m.tree_id);
	if (!kind) {
		stats->smb[XH_SMB_CNT_CREATE_UNKNOWN_TREE]++;
		return;
	}
	if (w->m.name_root) {
		if (kind != XH_SMB_SHARE_ADMIN)
			return;
		w->nm.len = 0;
		w->nm.h_full = 0;
		xh_smb_chain_set(w, kind, 1, 0);
		xh_smb_pend_add(w, stats, kind, 0);
		return;
	}
	if (!w->m.name_max)
		return;
	err = xh_smb_get_name(ctx, hdr_off);
	if (err) {
		xh_smb_count(stats, err);
		return;
	}
	w->det.share_kind = kind;
	w->det.access = w->m.access;
	val = w->nm.h_full ? w->nm.h_full : 1;
	if (kind == XH_SMB_SHARE_IPC) {
		xh_smb_chain_set(w, kind, val, 0);
		w->det.pipe_id = (__u16)xh_smb_table(XH_SMB_TBL_PIPE, w->nm.h_full, 0);
		xh_smb_emit(ctx, sm, XH_RULE_SMB_NAMED_PIPE, val, 1);
		xh_smb_pend_add(w, stats, kind, 0);
		return;
	}
	exe = w->nm.h_ext && xh_smb_table(XH_SMB_TBL_EXT, w->nm.h_ext, 0);
	if (w->nm.h_sext && xh_smb_table(XH_SMB_TBL_EXT, w->nm.h_sext, 0)) {
		exe = 1;
		w->det.flags |= XH_SMB_F_STREAM_EXE;
	}
	write = !!(w->m.access & XH_SMB_ACCESS_WRITE);
	xh_smb_chain_set(w, kind, val, exe ? XH_SMB_FILE_EXE : 0);
	if (exe && write)
		xh_smb_emit(ctx, sm, XH_RULE_SMB_TOOL_TRANSFER, val, 1);
	/* Followed: every admin-share open; elsewhere an executable (its
	 * WRITE reports, or repeats the CREATE's finding rather than make
	 * another by its content) and any other open for writing (its
	 * content may be a PE image). */
	if (kind == XH_SMB_SHARE_ADMIN || exe || write)
		xh_smb_pend_add(w, stats, kind, exe ? XH_SMB_FILE_EXE : 0);
}

/* smb.logon: the NTLMSSP AUTHENTICATE in the security blob of the session
 * setup request in w->m (header at packet offset @hdr_off) names a domain,
 * user and workstation (xh_ntlm_read()). One event per flow and account
 * (the value is the names' hash): a guesser's every account, a session's
 * one. A global function, verified once for its two callers (SMB2, SMB1). */
__noinline int xh_smb_logon(struct xdp_md *ctx, struct xh_smb_state *sm, __u32 hdr_off)
{
	struct xh_smb_work *w = xh_smb_w();
	struct xh_stats *stats = xh_smb_stats();
	int v;

	if (!w || !stats || !sm)
		return 0;
	v = xh_ntlm_read(ctx, hdr_off + w->m.data_off, w->m.data_len, w->pay_end);
	if (v <= 0)
		return 0;
	stats->smb[XH_SMB_CNT_NTLM_AUTH]++;
	w->nm.len = XH_SMB_NTLM_SLOT_END;
	xh_smb_emit(ctx, sm, XH_RULE_SMB_LOGON, (__u32)v, 1);
	return 0;
}

/* The length in bytes of the NUL-terminated string in the first @avail
 * bytes of w->hdr (UTF-16 code units when @utf16), or -1 when they hold no
 * terminator. Global: its answer is one unknown length to the caller. */
__noinline int xh_smb_strlen(__u32 avail, __u32 utf16)
{
	struct xh_smb_work *w = xh_smb_w();
	__u32 i;

	if (!w || avail > XH_SMB_LEGACY_SCAN)
		return -1;
	for (i = 0; i < XH_SMB_LEGACY_SCAN; i++) {
		if (i >= avail)
			return -1;
		if (!utf16) {
			if (!w->hdr[i])
				return (int)i;
		} else if (!(i & 1) && i + 1 < avail && !w->hdr[i] && !w->hdr[i + 1]) {
			return (int)i;
		}
	}
	return -1;
}

/* One NUL-terminated string of an SMB1 session setup at packet offset @at,
 * at most @max bytes to the data's end: into w->name at @slot (@size bytes,
 * zeroed before; a longer string is cut and *@cut set). Returns the bytes
 * the string and its terminator take (the next string's offset), or 0 when
 * no terminator lies within the slot and this segment; *@len: the bytes
 * kept. */
static __always_inline __u32 xh_smb_legacy_str(struct xdp_md *ctx, struct xh_smb_work *w, __u32 at,
					       __u32 max, __u32 utf16, __u32 slot, __u32 size,
					       __u8 *len, __u8 *cut)
{
	__u32 n = max, term = utf16 ? 2 : 1, l;
	int r;

	*len = 0;
	if (at >= w->pay_end)
		return 0;
	if (n > w->pay_end - at)
		n = w->pay_end - at;
	if (n > size + term)
		n = size + term;
	if (n == 0 || bpf_xdp_load_bytes(ctx, at, w->hdr, XH_SIZE_NZ(n, XH_SMB_LEGACY_SCAN)))
		return 0;
	r = xh_smb_strlen(n, utf16);
	if (r < 0 || r > (int)size) {
		/* no terminator within the slot: cut, and nothing after it
		 * can be found */
		*cut = 1;
		l = (n > size ? size : n) & (utf16 ? ~1u : ~0u);
		term = 0;
	} else {
		l = (__u32)r;
	}
	/* the bytes just scanned, from the packet into the slot */
	if (l > 0 && xh_ntlm_copy(ctx, w, at, l, w->pay_end, slot, size, cut) != l)
		return 0;
	*len = (__u8)l;
	return term ? l + term : 0;
}

/* smb.logon for an SMB1 SESSION_SETUP_ANDX without extended security
 * (WordCount 13: LM/NTLM responses, not NTLMSSP): its AccountName and
 * PrimaryDomain, in the same slots as an NTLMSSP logon's user and domain
 * (no workstation). Old clients and scanners log on so, as the corpus's
 * burst of 2822 guesses does. */
__noinline int xh_smb_logon_legacy(struct xdp_md *ctx, struct xh_smb_state *sm, __u32 hdr_off)
{
	struct xh_smb_work *w = xh_smb_w();
	struct xh_stats *stats = xh_smb_stats();
	__u32 at, max, used, utf16;
	__u8 ulen = 0, dlen = 0, cut = 0;

	if (!w || !stats || !sm)
		return 0;
	at = hdr_off + w->m.name_off;
	max = w->m.name_max;
	utf16 = w->m.name_enc == XH_SMB_ENC_UTF16LE;
	__builtin_memset(w->name, 0, sizeof(w->name));
	used = xh_smb_legacy_str(ctx, w, at, max, utf16, XH_SMB_NTLM_USER_SLOT,
				 XH_SMB_NTLM_HOST_SLOT - XH_SMB_NTLM_USER_SLOT, &ulen, &cut);
	if (used && used < max)
		xh_smb_legacy_str(ctx, w, at + used, max - used, utf16, XH_SMB_NTLM_DOMAIN_SLOT,
				  XH_SMB_NTLM_USER_SLOT, &dlen, &cut);
	w->det.ntlm_len[XH_NTLM_DOMAIN] = dlen;
	w->det.ntlm_len[XH_NTLM_USER] = ulen;
	w->det.ntlm_len[XH_NTLM_HOST] = 0;
	/* Its passwords are not read: no relay is told from it. */
	__builtin_memset(w->det.ntlm_proof, 0, sizeof(w->det.ntlm_proof));
	w->det.flags = cut ? w->det.flags | XH_SMB_F_NTLM_CUT : w->det.flags & ~XH_SMB_F_NTLM_CUT;
	w->det.name_enc = w->m.name_enc;
	stats->smb[XH_SMB_CNT_LEGACY_LOGON]++;
	w->nm.len = XH_SMB_NTLM_SLOT_END;
	xh_smb_emit(ctx, sm, XH_RULE_SMB_LOGON, (__u32)xh_ntlm_hash(w), 1);
	return 0;
}

/* Act on the message parsed into w->m, whose header starts at packet offset
 * @hdr_off, on the flow whose SMB state is @sm (the xh_smb entry, passed
 * down rather than looked up again per message). Returns 0. */
__noinline int xh_smb_handle(struct xdp_md *ctx, struct xh_smb_state *sm, __u32 hdr_off)
{
	struct xh_smb_work *w = xh_smb_w();
	struct xh_stats *stats = xh_smb_stats();
	__u16 cmd;
	__u8 v, wrong_side;

	if (!w || !stats || !sm)
		return 0;
	v = w->m.version;
	cmd = w->m.command;
	__builtin_memset(&w->det, 0, sizeof(w->det));
	w->det.version = v;
	w->det.command = cmd;
	w->det.message_id = w->m.message_id;
	w->det.name_enc = w->m.name_enc;

	if (v == 3) {
		if (w->m.compressed) {
			stats->smb[XH_SMB_CNT_COMPRESSED]++;
			return 0;
		}
		stats->smb[XH_SMB_CNT_TRANSFORM]++;
		w->det.session_id = w->m.session_id;
		w->det.flags = XH_SMB_F_SESSION_KNOWN;
		w->det.dialect = sm->dialect;
		xh_smb_emit(ctx, sm, XH_RULE_SMB_ENCRYPTED, 0, 0);
		return 0;
	}

	/* A client sends the requests and the server the answers. A message
	 * the other way (a request from the server, as SMB1's oplock break,
	 * or an answer from the client) opens, connects or writes nothing
	 * here: acted on, a server could forge its client's findings and a
	 * client the TreeIds of its own requests. Counted, and an SMB1 one
	 * still says the flow speaks SMB1. */
	wrong_side = w->m.response == w->from_client;
	if (wrong_side)
		stats->smb[XH_SMB_CNT_WRONG_SIDE]++;

	/* Related compound members inherit the previous member's ids. */
	if (v == 2 && w->m.related && w->m.tree_id == XH_SMB2_TREE_RELATED)
		w->m.tree_id = w->chain_tree;
	if (v == 2 && w->m.related && w->m.session_id == ~0ULL)
		w->m.session_id = w->chain_sess;
	w->chain_tree = w->m.tree_id;
	w->chain_sess = w->m.session_id;
	if (v == 2 && cmd == XH_SMB2_NEGOTIATE && w->m.response && w->m.dialect && !wrong_side)
		sm->dialect = w->m.dialect;
	if (w->m.session_id && !w->m.response && !wrong_side)
		sm->session_id = w->m.session_id;

	/* A failed logon: the server's answer to a session setup. Counted per
	 * packet; xh_brute() counts them per client (bpf/sweep.bpf.h). */
	if (!wrong_side && w->m.response && xh_smb_logon_failure(w->m.status) &&
	    (v == 2 ? cmd == XH_SMB2_SESSION_SETUP : cmd == XH_SMB1_SESSION_SETUP_ANDX)) {
		stats->smb[XH_SMB_CNT_LOGON_FAILED]++;
		w->logon_failed++;
	}
	w->det.dialect = sm->dialect;
	w->det.session_id = w->m.session_id;
	if (w->m.session_id)
		w->det.flags |= XH_SMB_F_SESSION_KNOWN;
	if (!w->m.async) {
		w->det.tree_id = w->m.tree_id;
		w->det.flags |= XH_SMB_F_TREE_KNOWN;
	}

	if (v == 1) {
		stats->smb[XH_SMB_CNT_SMB1]++;
		/* Clients offer SMB2 inside an SMB1 NEGOTIATE request; a flow
		 * speaks SMB1 once anything else in SMB1 is sent (the server's
		 * NEGOTIATE answer included). */
		if (cmd != XH_SMB1_NEGOTIATE || w->m.response)
			xh_smb_emit(ctx, sm, XH_RULE_SMB_V1, 0, 0);
		if (wrong_side)
			return 0;
		/* A new request with the open NT_TRANSACT's MID, other than
		 * its own secondaries, says that transaction is over. */
		if ((sm->flags & XH_SMB_ST_NTTRANS) && !w->m.response &&
		    sm->nt_mid == (__u16)w->m.message_id && cmd != XH_SMB1_NT_TRANSACT_SECONDARY &&
		    cmd != XH_SMB1_TRANSACTION2_SECONDARY)
			sm->flags &= ~XH_SMB_ST_NTTRANS;
		if (cmd == XH_SMB1_TREE_CONNECT_ANDX)
			xh_smb_tree_connect(ctx, w, sm, stats, hdr_off);
		else if (cmd == XH_SMB1_SESSION_SETUP_ANDX && !w->m.response && w->m.data_len)
			xh_smb_logon(ctx, sm, hdr_off);
		else if (cmd == XH_SMB1_SESSION_SETUP_ANDX && !w->m.response && w->m.logon_legacy &&
			 w->m.name_max)
			xh_smb_logon_legacy(ctx, sm, hdr_off);
		else if (cmd == XH_SMB1_NT_CREATE_ANDX)
			xh_smb_create(ctx, w, sm, stats, hdr_off);
		else if (cmd == XH_SMB1_TRANSACTION2 && w->m.find && !w->m.response)
			xh_smb_find(ctx, w, sm, stats, hdr_off);
		else if (w->m.exploit)
			xh_smb_exploit(ctx, w, sm, stats);
		else if (w->m.has_fid && !w->m.response)
			/* READ_ANDX, WRITE_ANDX, CLOSE, as their SMB2 kin */
			xh_smb_file_req(ctx, w, sm, stats, hdr_off,
					cmd == XH_SMB1_READ_ANDX    ? XH_SMB2_READ
					: cmd == XH_SMB1_WRITE_ANDX ? XH_SMB2_WRITE
								    : XH_SMB2_CLOSE);
		return 0;
	}
	stats->smb[XH_SMB_CNT_SMB2]++;
	if (wrong_side)
		return 0;
	if (cmd == XH_SMB2_TREE_CONNECT)
		xh_smb_tree_connect(ctx, w, sm, stats, hdr_off);
	else if (cmd == XH_SMB2_SESSION_SETUP && !w->m.response && w->m.data_len)
		xh_smb_logon(ctx, sm, hdr_off);
	else if (cmd == XH_SMB2_CREATE)
		xh_smb_create(ctx, w, sm, stats, hdr_off);
	else if (w->m.has_fid && !w->m.response)
		/* READ, WRITE, QUERY_DIRECTORY, CLOSE (bpf/smb.h sets has_fid) */
		xh_smb_file_req(ctx, w, sm, stats, hdr_off, cmd);
	return 0;
}

/* Copy the SMB message head (or SMB1 AndX block @blk) of the message at
 * packet offset @hdr into w->hdr and parse it into w->m. @rem: bytes of the
 * NetBIOS message from @hdr. @cmd: 0x100 for the first message of a NetBIOS
 * message, else the SMB1 AndX command of block @blk (SMB2 members: 0).
 * Returns 1 when w->m holds a message to act on, 0 to end this NetBIOS
 * message, -1 when the bytes are no SMB message (the segment continues an
 * earlier one). A global function, so the loops in xh_smb_inspect() hold
 * only scalars and the verifier prunes them. */
__noinline int xh_smb_step(struct xdp_md *ctx, __u32 hdr, __u32 rem, __u32 blk, __u32 cmd)
{
	struct xh_smb_work *w = xh_smb_w();
	struct xh_stats *stats = xh_smb_stats();
	__u32 at = hdr + blk, avail;
	int err;

	if (!w || !stats || blk > rem)
		return 0;
	avail = w->pay_end > at ? w->pay_end - at : 0;
	if (avail > XH_SMB_HDR_BUF)
		avail = XH_SMB_HDR_BUF;
	if (avail > rem - blk)
		avail = rem - blk;
	if (avail == 0) {
		stats->smb[rem == 0 ? XH_SMB_CNT_NB_BAD_LEN : XH_SMB_CNT_HDR_TRUNC]++;
		return 0;
	}
	if (xh_smb_load_hdr(ctx, at, w->hdr, avail)) {
		stats->smb[XH_SMB_CNT_LOAD_ERR]++;
		return 0;
	}
	if (cmd & 0x100)
		err = xh_smb_parse(w->hdr, avail, rem, &w->m);
	else if (w->m.version == 2)
		err = xh_smb2_parse(w->hdr, avail, rem, &w->m);
	else
		err = xh_smb1_block(w->hdr, avail, blk, rem, (__u8)cmd, &w->m);
	if ((cmd & 0x100) && err == -XH_SMB_CNT_NO_MSG_START) {
		stats->smb[XH_SMB_CNT_NO_MSG_START]++;
		return -1;
	}
	if (!w->m.version) {
		xh_smb_count(stats, err);
		return 0;
	}
	if (err) {
		xh_smb_count(stats, err);
		w->m.name_max = 0;
	}
	return 1;
}

/* The messages of one NetBIOS message of @nb_len bytes at packet offset
 * @msg: SMB2 compound members or SMB1 AndX blocks, at most
 * XH_SMB_MAX_CHAIN. Returns 0, or -1 to stop walking the segment. */
static __always_inline int xh_smb_walk(struct xdp_md *ctx, struct xh_smb_work *w,
				       struct xh_smb_state *sm, struct xh_stats *stats, __u32 msg,
				       __u32 nb_len)
{
	__u32 hdr = msg, rem = nb_len, blk = 0, cmd = 0x100, next, j;
	int r;

	w->chain_tree = 0;
	w->chain_sess = 0;
	w->chain_open.kind = 0;
	for (j = 0; j < XH_SMB_MAX_CHAIN; j++) {
		r = xh_smb_step(ctx, hdr, rem, blk, cmd);
		if (r <= 0)
			return r;
		xh_smb_handle(ctx, sm, hdr);
		/* xh_smb_handle() rewrites ids only, never next or version. */
		next = w->m.next;
		if (!next || w->m.version == 3)
			return 0;
		if (j == XH_SMB_MAX_CHAIN - 1) {
			stats->smb[XH_SMB_CNT_CHAIN_LIMIT]++;
			return 0;
		}
		if (w->m.version == 2) {
			/* xh_smb2_parse() checked 64 <= next <= rem - 64. */
			if (next > rem)
				return 0;
			hdr += next;
			rem -= next;
			cmd = 0;
		} else {
			/* xh_smb1_block() checked blk < next < rem. */
			blk = next;
			cmd = w->m.next_cmd;
		}
	}
	return 0;
}

/* Does the segment at @p (@avail payload bytes, @data_end the packet's)
 * start no SMB message, as the walk below would find without the flow's
 * state? Either it has no NetBIOS header, or it is a NetBIOS message whose
 * first 4 bytes are at hand and start no SMB header (SMB1 0xFF, SMB2 0xFE,
 * transform 0xFD, compressed 0xFC): file data that happens to begin with
 * 0x00, as much of an executable does; xh_smb_parse() would count either
 * as no_msg_start. Not on port 139 (@port139), where a message before the
 * session request is counted as such, from the state. */
static __always_inline int xh_smb_seg_no_msg(const __u8 *p, void *data_end, __u32 avail,
					     int port139)
{
	struct xh_nb nb;

	if (avail < 4 || (const void *)(p + 4) > data_end || xh_nb_parse(p, 4, &nb))
		return 1;
	if (port139 || nb.type != XH_NB_MESSAGE || nb.len < 4 || avail < 8 ||
	    (const void *)(p + 5) > data_end)
		return 0;
	return p[4] != 0xfe && p[4] != 0xff && p[4] != 0xfd && p[4] != 0xfc;
}

/* Deep inspection of a TCP segment with payload on an SMB flow (the entry
 * point calls it when xh_hunt() says XH_HUNT_SMB). @pkt is the caller's
 * parse; @from_client: the sender is the flow's client. Returns the
 * session setups it read answered with a logon failure (for xh_brute(),
 * which reads the packet's parse from the work area). The caller must not
 * read *pkt afterwards (see xh_hunt()). */
__noinline int xh_smb_inspect(struct xdp_md *ctx, const struct xh_pkt *pkt, __u32 from_client)
{
	struct xh_smb_work *w = xh_smb_w();
	struct xh_stats *stats = xh_smb_stats();
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct xh_smb_state *sm;
	const __u8 *nbh;
	struct xh_nb nb;
	__u32 off, end, k, avail, port139;

	if (!pkt || !w || !stats)
		return 0;
	/* NetBIOS session service: a session request comes first. */
	port139 = bpf_ntohs(from_client ? pkt->dport : pkt->sport) == 139;
	/* Most segments of a file transfer carry the middle of a READ or a
	 * WRITE. Such a segment needs nothing of the flow's state, so it is
	 * told apart before the copies and the xh_smb lookup (bench class
	 * smb_data; with many flows that lookup misses to memory). The loop
	 * below reads the header again when there is one. */
	off = pkt->payload_off;
	end = off + pkt->payload_len;
	nbh = (const __u8 *)data + (off & XH_PARSE_MAX_OFF);
	if (off < end && xh_smb_seg_no_msg(nbh, data_end, end - off, port139)) {
		stats->smb[XH_SMB_CNT_SEGMENTS]++;
		stats->smb[XH_SMB_CNT_NO_MSG_START]++;
		return 0;
	}
	__builtin_memcpy(&w->pkt, pkt, sizeof(w->pkt));
	xh_flow_key_make(&w->pkt, &w->key);
	w->from_client = !!from_client;
	w->port139 = port139;
	w->logon_failed = 0;
	w->pay_end = end;

	/* &w->flow_id, not &pkt->flow_id: the 6.1 verifier takes map keys only
	 * from the stack, packet or a map value, not from a global function's
	 * pointer argument (PTR_TO_MEM). */
	w->flow_id = w->pkt.flow_id;
	sm = bpf_map_lookup_elem(&xh_smb, &w->flow_id);
	if (!sm) {
		/* The zero value lives in the scratch: 144 bytes are too
		 * many for a stack shared by five call frames. */
		__builtin_memset(&w->init, 0, sizeof(w->init));
		bpf_map_update_elem(&xh_smb, &w->flow_id, &w->init, BPF_NOEXIST);
		sm = bpf_map_lookup_elem(&xh_smb, &w->flow_id);
		if (!sm) {
			stats->smb[XH_SMB_CNT_STATE_ERR]++;
			return 0;
		}
	}
	stats->smb[XH_SMB_CNT_SEGMENTS]++;
	for (k = 0; k < XH_SMB_MAX_NB; k++) {
		if (off >= end)
			break;
		if (k > 0)
			stats->smb[XH_SMB_CNT_NB_MULTI]++;
		avail = end - off;
		/* The 4-byte NetBIOS header straight from the packet: a
		 * bpf_xdp_load_bytes() call costs more than the parse. */
		nbh = (const __u8 *)data + (off & XH_PARSE_MAX_OFF);
		if (avail < 4 || (const void *)(nbh + 4) > data_end || xh_nb_parse(nbh, 4, &nb)) {
			stats->smb[XH_SMB_CNT_NO_MSG_START]++;
			break;
		}
		if (nb.type == XH_NB_SESSION_REQ) {
			stats->smb[XH_SMB_CNT_NB_SESSION_REQ]++;
			if (w->from_client)
				sm->flags |= XH_SMB_ST_NB_REQ;
		} else if (nb.type != XH_NB_MESSAGE) {
			stats->smb[XH_SMB_CNT_NB_OTHER]++;
		} else if (w->port139 && !(sm->flags & XH_SMB_ST_NB_REQ)) {
			stats->smb[XH_SMB_CNT_NB_NO_REQUEST]++;
			break;
		} else if (xh_smb_walk(ctx, w, sm, stats, off + 4, nb.len)) {
			break;
		}
		off += 4 + nb.len;
		if (k == XH_SMB_MAX_NB - 1 && off < end)
			stats->smb[XH_SMB_CNT_NB_LIMIT]++;
	}
	return w->logon_failed;
}

#endif /* XH_SMB_BPF_H */
