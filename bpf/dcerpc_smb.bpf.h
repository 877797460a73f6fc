/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* dcerpc_smb.bpf.h: DCE/RPC carried in SMB named-pipe requests (SMB2 WRITE,
 * IOCTL FSCTL_PIPE_TRANSCEIVE; SMB1 TransactNmPipe, WRITE_ANDX) on an SMB
 * service port. Included by dcerpc.bpf.h after struct xh_rpc_env. */
#ifndef XH_DCERPC_SMB_BPF_H
#define XH_DCERPC_SMB_BPF_H

#include "dcerpc_smb.h"

__noinline int xh_rpc_pdu(struct xdp_md *ctx, const struct xh_pkt *pkt,
			  const struct xh_class_res *cls, struct xh_rpc_env *env,
			  struct xh_stats *stats);

/* The pipe of the PDU in @env (SMB session env->loc.session_id, FileId
 * env->chan): copy its raw name, as the SMB module saw it in the CREATE
 * request (bpf/smb_files.bpf.h), into e->name with its encoding in
 * e->d.dcerpc.name_enc, and return its length in bytes (at most
 * XH_EVENT_NAME_MAX). 0 when the open was not seen (a capture of one
 * direction, a connection joined late, an evicted entry): userspace then
 * reports the transport as "smb". Counted either way. */
static __always_inline __u16 xh_dcerpc_smb_pipe_name(struct xh_rpc_env *env, struct xh_event *e,
						     struct xh_stats *stats)
{
	struct xh_smb_file *f;
	__u16 len;

	xh_smb_file_key_make(&env->fk, &env->key, env->loc.session_id, env->chan,
			     env->transport == XH_RPC_TR_SMB1 ? 1 : 2);
	f = bpf_map_lookup_elem(&xh_smb_files, &env->fk);
	len = f && f->kind == XH_SMB_SHARE_IPC ? f->name_len : 0;
	if (!len || len > XH_EVENT_NAME_MAX) {
		stats->dcerpc[XH_RPC_CNT_PIPE_UNNAMED]++;
		return 0;
	}
	__builtin_memcpy(e->name, f->name, sizeof(e->name));
	e->d.dcerpc.name_enc = f->name_enc;
	stats->dcerpc[XH_RPC_CNT_PIPE_NAMED]++;
	return len;
}

/* The TCP payload to an SMB server port starts with a NetBIOS session
 * header (first byte 0): find the pipe request's PDU and hand it to
 * xh_rpc_pdu(), judged strictly against the data length the request
 * declares. Returns 0. */
static __always_inline int xh_dcerpc_smb(struct xdp_md *ctx, const struct xh_pkt *pkt,
					 const struct xh_class_res *cls, struct xh_stats *stats)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct xh_rpc_smb_loc *loc;
	struct xh_rpc_env *env;
	const __u8 *p;
	__u32 off, zero = 0;
	int r;

	env = bpf_map_lookup_elem(&xh_rpc_scr, &zero);
	if (!env) {
		stats->cnt[XH_CNT_MAP_ERR]++;
		return 0;
	}
	loc = &env->loc;
	off = pkt->payload_off & XH_RPC_OFF_MASK;
	p = (const __u8 *)data + off;
	r = xh_rpc_smb_locate(p, end, pkt->payload_len, loc);
	if (r <= 0) {
		if (r < 0)
			xh_rpc_count(stats, r);
		return 0;
	}
	/* The data must start in this segment and look like a PDU; ordinary
	 * file writes are not counted as malformed RPC. */
	if (loc->off + XH_RPC_HDR_LEN > pkt->payload_len ||
	    !xh_rpc_maybe(p + (loc->off & (XH_SMB_MAX_DATA_OFF * 2 - 1)), end))
		return 0;
	__builtin_memset(env, 0, offsetof(struct xh_rpc_env, d));
	env->src_is_s = (__u8)xh_flow_key_make(pkt, &env->key);
	env->flow_id = pkt->flow_id;
	__builtin_memcpy(env->chan, loc->file_id, sizeof(env->chan));
	env->transport = loc->transport;
	env->strict = 1;
	env->off = (off + loc->off) & XH_RPC_OFF_MASK;
	env->avail = pkt->payload_len - loc->off;
	if (env->avail > loc->len)
		env->avail = loc->len;
	env->container = loc->len;
	xh_rpc_pdu(ctx, pkt, cls, env, stats);
	return 0;
}

#endif /* XH_DCERPC_SMB_BPF_H */
