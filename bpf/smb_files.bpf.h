/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* smb_files.bpf.h: the SMB opens xdphunt follows by FileId. A CREATE of a
 * pipe on an IPC$ tree, of any file or directory on an admin-share tree, or
 * of an executable name on another disk share without write access, is
 * remembered by (flow, MessageId) until its response gives the FileId (SMB2:
 * persistent + volatile, 16 bytes; SMB1: the FID of the NT_CREATE_ANDX
 * response), then by (session, FileId) with its raw name until its CLOSE.
 * bpf/smb.bpf.h fills both maps; bpf/dcerpc_smb.bpf.h names the pipe of a
 * DCE/RPC PDU from xh_smb_files; a WRITE to a tracked executable reports
 * smb.tool_transfer, a READ or QUERY_DIRECTORY on an admin-share open
 * smb.admin_read or smb.admin_listing with its name. Both maps are LRU: an
 * evicted open only costs its name (DCE/RPC then says "smb", an admin read
 * or listing has no name). Included by both modules, hence the guard and no
 * code beyond the key builder. */
#ifndef XH_SMB_FILES_BPF_H
#define XH_SMB_FILES_BPF_H

#include "maps.bpf.h"

#define XH_SMB_PEND_MAX	 4096  /* CREATEs awaiting their response */
#define XH_SMB_FILES_MAX 16384 /* tracked opens */

/* A CREATE request awaiting its response: responses come back on the
 * connection of the request, so the flow and the MessageId (SMB1: MID)
 * name it. */
struct xh_smb_pend_key {
	struct xh_flow_key flow;
	__u64 mid;
};

/* An open file of an SMB session between two hosts. SMB2 FileIds belong to
 * the session, which may span connections (multichannel): ports are left
 * out, as for trees (xh_smb_tree_key). An SMB1 FID is valid on its
 * connection only and small FIDs are reused at once: the ports are in the
 * key. */
struct xh_smb_file_key {
	__be32 addr_lo[4]; /* canonical flow key order */
	__be32 addr_hi[4];
	__u64 session_id; /* SMB2 SessionId, SMB1 UID */
	__u8 file_id[16]; /* SMB1: FID in the first two bytes, the rest zero */
	__be16 port_lo;	  /* SMB1 only, else 0 */
	__be16 port_hi;
	__u8 family;
	__u8 version; /* 1 or 2 */
	__u8 pad[2];
};
/* user/loader.c clears the map with a 64-byte key buffer. */
_Static_assert(sizeof(struct xh_smb_file_key) == 64, "xh_smb_file_key size");

/* xh_smb_file.flags: the name is an executable's (by its file or stream
 * name), so a WRITE to it is smb.tool_transfer. Apart from the XH_SMB_F_*
 * bits of xh_smb_detail, which the flags also carry. */
#define XH_SMB_FILE_EXE 0x80

/* What is known of a tracked open (the value of both maps). */
struct xh_smb_file {
	__u64 session_id; /* of the CREATE request (related compound members included) */
	__u64 mid;	  /* of the CREATE: its response again is a retransmission */
	__u32 hash;	  /* bpf/smb.h h_full of the name: the finding's value */
	__u32 tree_id;
	__u32 access;	/* CREATE DesiredAccess */
	__u16 pipe_id;	/* pipe table entry, 0: not in it */
	__u16 name_len; /* bytes of name[] used, <= XH_EVENT_NAME_MAX */
	__u8 kind;	/* enum xh_smb_share_kind of the tree: IPC a pipe, else a file */
	__u8 name_enc;	/* enum xh_smb_name_enc */
	__u8 flags;	/* XH_SMB_FILE_EXE, XH_SMB_F_STREAM_EXE */
	__u8 pad[5];
	__u8 name[XH_EVENT_NAME_MAX]; /* raw, as in the CREATE request */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XH_SMB_PEND_MAX);
	__type(key, struct xh_smb_pend_key);
	__type(value, struct xh_smb_file);
} xh_smb_pend SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XH_SMB_FILES_MAX);
	__type(key, struct xh_smb_file_key);
	__type(value, struct xh_smb_file);
} xh_smb_files SEC(".maps");

/* Fill @k for the open @file_id (16 bytes) of @session_id on the canonical
 * flow @flow, SMB @version 1 or 2. */
static __always_inline void xh_smb_file_key_make(struct xh_smb_file_key *k,
						 const struct xh_flow_key *flow, __u64 session_id,
						 const __u8 *file_id, __u8 version)
{
	__builtin_memset(k, 0, sizeof(*k));
	__builtin_memcpy(k->addr_lo, flow->saddr, sizeof(k->addr_lo));
	__builtin_memcpy(k->addr_hi, flow->daddr, sizeof(k->addr_hi));
	k->session_id = session_id;
	__builtin_memcpy(k->file_id, file_id, sizeof(k->file_id));
	if (version == 1) {
		k->port_lo = flow->sport;
		k->port_hi = flow->dport;
	}
	k->family = flow->family;
	k->version = version;
}

#endif /* XH_SMB_FILES_BPF_H */
