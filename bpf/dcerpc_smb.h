/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* dcerpc_smb.h: pure, minimal SMB parsing to find a DCE/RPC PDU carried in a
 * named-pipe request: SMB2 WRITE and IOCTL FSCTL_PIPE_TRANSCEIVE ([MS-SMB2]
 * 2.2.21, 2.2.31), SMB1 TRANSACTION TransactNmPipe and WRITE_ANDX ([MS-CIFS]
 * 2.2.4.33, 2.2.4.43). Only the first message of a segment, after its
 * NetBIOS session header, is looked at. The full SMB parser (trees, CREATE,
 * pipe names) is bpf/smb.h; this file needs only where the data lies. No
 * maps, no helpers: selftests/unit runs it natively. */
#ifndef XH_DCERPC_SMB_H
#define XH_DCERPC_SMB_H

#include <linux/types.h>
#include "xh_abi.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define XH_SMB_NBSS_LEN		 4
#define XH_SMB2_HDR_LEN		 64
#define XH_SMB1_HDR_LEN		 32
#define XH_SMB2_WRITE		 0x0009
#define XH_SMB2_IOCTL		 0x000b
#define XH_SMB2_FLAG_REPLY	 0x00000001
#define XH_SMB1_TRANSACTION	 0x25
#define XH_SMB1_WRITE_ANDX	 0x2f
#define XH_SMB1_FLAG_REPLY	 0x80
#define XH_SMB1_TRANS_NMPIPE	 0x0026
#define XH_FSCTL_PIPE_TRANSCEIVE 0x0011c017
/* Largest data offset followed: SMB2 writes put data at 0x70, IOCTL input at
 * 0x78, SMB1 at about 0x40-0x60; beyond this is not a pipe PDU in this
 * segment. */
#define XH_SMB_MAX_DATA_OFF 0x400

/* Where the RPC PDU of an SMB request lies, relative to the TCP payload. */
struct xh_rpc_smb_loc {
	__u64 session_id; /* SMB2 SessionId, SMB1 UID: with file_id, names the pipe */
	__u32 off;	  /* PDU start, from the TCP payload start */
	__u32 len;	  /* data length the SMB request declares (the container) */
	__u8 file_id[16]; /* SMB2 FileId; SMB1: the FID in the first two bytes */
	__u8 transport;	  /* XH_RPC_TR_SMB2 or XH_RPC_TR_SMB1 */
	__u8 pad[3];
};

static __always_inline __u32 xh_smb_le16(const __u8 *p)
{
	return (__u32)p[0] | (__u32)p[1] << 8;
}

static __always_inline __u32 xh_smb_le32(const __u8 *p)
{
	return (__u32)p[0] | (__u32)p[1] << 8 | (__u32)p[2] << 16 | (__u32)p[3] << 24;
}

/* Is @p (TCP payload, @avail bytes) the start of an SMB1/SMB2 message in a
 * NetBIOS session message? Two byte compares for anything else. */
static __always_inline int xh_rpc_smb_maybe(const __u8 *p, const void *end)
{
	if ((const void *)(p + 8) > end)
		return 0;
	return p[0] == 0 && (p[4] == 0xfe || p[4] == 0xff) && p[5] == 'S' && p[6] == 'M' &&
	       p[7] == 'B';
}

/* Check that [data_off, data_off + len) is inside the message: data_off is
 * from the SMB header start, @msg_len the NetBIOS length. */
/* Could the SMB message starting the TCP payload @p be a pipe request (SMB2
 * WRITE or IOCTL, SMB1 TRANSACTION or WRITE_ANDX)? 0 when its command says
 * no (or it is no SMB1/SMB2 message), 1 when it may be, or when the command
 * lies past @end (xh_rpc_smb_locate() then counts the truncation). The entry
 * point asks this before calling into bpf/dcerpc.bpf.h, so that the SMB
 * traffic that is not a pipe request (most of it) costs no call. */
static __always_inline int xh_rpc_smb_pipe_cmd(const __u8 *p, const void *end)
{
	__u32 cmd;

	if (!xh_rpc_smb_maybe(p, end))
		return 0;
	if (p[4] == 0xfe) {
		if ((const void *)(p + XH_SMB_NBSS_LEN + 14) > end)
			return 1;
		cmd = xh_smb_le16(p + XH_SMB_NBSS_LEN + 12);
		return cmd == XH_SMB2_WRITE || cmd == XH_SMB2_IOCTL;
	}
	if ((const void *)(p + XH_SMB_NBSS_LEN + 5) > end)
		return 1;
	cmd = p[XH_SMB_NBSS_LEN + 4];
	return cmd == XH_SMB1_TRANSACTION || cmd == XH_SMB1_WRITE_ANDX;
}

static __always_inline int xh_rpc_smb_data(struct xh_rpc_smb_loc *l, __u32 data_off, __u32 len,
					   __u32 hdr_min, __u32 msg_len)
{
	if (data_off < hdr_min || data_off > XH_SMB_MAX_DATA_OFF || !len ||
	    data_off + len > msg_len)
		return -XH_RPC_CNT_E_SMB;
	l->off = XH_SMB_NBSS_LEN + data_off;
	l->len = len;
	return 1;
}

/* Locate the PDU of a pipe request starting the TCP payload @p (@avail bytes
 * present). Returns 1 and fills @l; 0 when the message is something else (a
 * reply, another command, another FSCTL: not an error); -XH_RPC_CNT_E_SMB
 * when the request is malformed; -XH_RPC_CNT_E_TRUNC when its fixed part is
 * cut by the segment. */
static __always_inline int xh_rpc_smb_locate(const __u8 *p, const void *end, __u32 avail,
					     struct xh_rpc_smb_loc *l)
{
	const __u8 *s = p + XH_SMB_NBSS_LEN, *b;
	__u32 msg_len, cmd, i;

	if (!xh_rpc_smb_pipe_cmd(p, end))
		return 0;
	msg_len = (__u32)(p[1] & 0x01) << 16 | (__u32)p[2] << 8 | p[3];
	__builtin_memset(l->file_id, 0, sizeof(l->file_id));
	if (p[4] == 0xfe) {
		/* SMB2: header, then a WRITE (49) or IOCTL (57) request body. */
		if (avail < XH_SMB_NBSS_LEN + XH_SMB2_HDR_LEN + 48 ||
		    (const void *)(s + XH_SMB2_HDR_LEN + 48) > end)
			return -XH_RPC_CNT_E_TRUNC;
		if (xh_smb_le16(s + 4) != XH_SMB2_HDR_LEN)
			return -XH_RPC_CNT_E_SMB;
		if (xh_smb_le32(s + 16) & XH_SMB2_FLAG_REPLY)
			return 0;
		cmd = xh_smb_le16(s + 12);
		b = s + XH_SMB2_HDR_LEN;
		l->transport = XH_RPC_TR_SMB2;
		l->session_id = (__u64)xh_smb_le32(s + 40) | (__u64)xh_smb_le32(s + 44) << 32;
		if (cmd == XH_SMB2_WRITE) {
			if (xh_smb_le16(b) != 49)
				return -XH_RPC_CNT_E_SMB;
			for (i = 0; i < 16; i++)
				l->file_id[i] = b[16 + i];
			return xh_rpc_smb_data(l, xh_smb_le16(b + 2), xh_smb_le32(b + 4),
					       XH_SMB2_HDR_LEN + 48, msg_len);
		}
		if (cmd == XH_SMB2_IOCTL) {
			if (xh_smb_le16(b) != 57)
				return -XH_RPC_CNT_E_SMB;
			if (xh_smb_le32(b + 4) != XH_FSCTL_PIPE_TRANSCEIVE)
				return 0;
			for (i = 0; i < 16; i++)
				l->file_id[i] = b[8 + i];
			return xh_rpc_smb_data(l, xh_smb_le32(b + 24), xh_smb_le32(b + 28),
					       XH_SMB2_HDR_LEN + 56, msg_len);
		}
		return 0;
	}
	/* SMB1: header, word count, parameter words. */
	if (avail < XH_SMB_NBSS_LEN + XH_SMB1_HDR_LEN + 1 ||
	    (const void *)(s + XH_SMB1_HDR_LEN + 1) > end)
		return -XH_RPC_CNT_E_TRUNC;
	if (s[9] & XH_SMB1_FLAG_REPLY)
		return 0;
	cmd = s[4];
	b = s + XH_SMB1_HDR_LEN + 1; /* parameter words */
	l->transport = XH_RPC_TR_SMB1;
	l->session_id = xh_smb_le16(s + 28);
	if (cmd == XH_SMB1_TRANSACTION) {
		/* 14 words + SetupCount setup words; TransactNmPipe has 2. */
		if (s[XH_SMB1_HDR_LEN] != 16)
			return 0;
		if ((const void *)(b + 32) > end || avail < XH_SMB_NBSS_LEN + XH_SMB1_HDR_LEN + 33)
			return -XH_RPC_CNT_E_TRUNC;
		if (b[26] != 2 || xh_smb_le16(b + 28) != XH_SMB1_TRANS_NMPIPE)
			return 0;
		l->file_id[0] = b[30];
		l->file_id[1] = b[31];
		return xh_rpc_smb_data(l, xh_smb_le16(b + 24), xh_smb_le16(b + 22),
				       XH_SMB1_HDR_LEN + 33, msg_len);
	}
	if (cmd == XH_SMB1_WRITE_ANDX) {
		if (s[XH_SMB1_HDR_LEN] != 12 && s[XH_SMB1_HDR_LEN] != 14)
			return -XH_RPC_CNT_E_SMB;
		if ((const void *)(b + 24) > end || avail < XH_SMB_NBSS_LEN + XH_SMB1_HDR_LEN + 25)
			return -XH_RPC_CNT_E_TRUNC;
		l->file_id[0] = b[4];
		l->file_id[1] = b[5];
		return xh_rpc_smb_data(l, xh_smb_le16(b + 22),
				       xh_smb_le16(b + 20) | xh_smb_le16(b + 18) << 16,
				       XH_SMB1_HDR_LEN + 25, msg_len);
	}
	return 0;
}

#endif /* XH_DCERPC_SMB_H */
