/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* smb.h: pure parsers for the NetBIOS session service header, SMB1, SMB2/3
 * (MS-SMB2 2.2) and SMB3 transform/compression headers (the name scanner
 * is in smb_name.h). No maps and no
 * helpers: selftests/unit runs it natively under ASan over exact-length
 * buffers; bpf/smb.bpf.h copies message heads and names out of the packet
 * with bpf_xdp_load_bytes() and calls these on the copies.
 *
 * Every offset and length in an SMB message is sent by the peer. Offsets are
 * relative to the start of the SMB header (as on the wire), and everything is
 * bounded twice: by the bytes at hand (@avail, what the segment and the copy
 * hold) and by @msg_len, the bytes of the NetBIOS message (or of the compound
 * member) from that header on. Errors are -XH_SMB_CNT_* reasons.
 */
#ifndef XH_SMB_H
#define XH_SMB_H

#include <linux/types.h>
#include "xh_abi.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Bytes of a message head copied at a time: SMB2 64 + CREATE request 56, or
 * + the CREATE response up to its FileId (64 + 16). */
#define XH_SMB_HDR_BUF 160
/* An SMB1 legacy logon's AccountName as read: the 128 bytes of its slot and
 * a UTF-16 terminator (bpf/smb.bpf.h, xh_smb_logon_legacy()). */
#define XH_SMB_LEGACY_SCAN 130
#define XH_SMB_MAX_NB	   4   /* NetBIOS messages inspected per TCP segment */
#define XH_SMB_MAX_CHAIN   8   /* SMB2 compound members / SMB1 AndX blocks per message */
#define XH_SMB_NAME_CU	   128 /* code units scanned per name (256 bytes of UTF-16) */

/* NetBIOS session service (RFC 1002 4.3.1); on 445 only type 0 is used. */
#define XH_NB_MESSAGE	  0x00
#define XH_NB_SESSION_REQ 0x81
#define XH_NB_POSITIVE	  0x82
#define XH_NB_NEGATIVE	  0x83
#define XH_NB_RETARGET	  0x84
#define XH_NB_KEEPALIVE	  0x85

/* SMB2 commands (MS-SMB2 2.2.1.2) and flags. */
#define XH_SMB2_NEGOTIATE     0x0000
#define XH_SMB2_SESSION_SETUP 0x0001
#define XH_SMB2_TREE_CONNECT  0x0003
#define XH_SMB2_CREATE	      0x0005
#define XH_SMB2_CLOSE	      0x0006
#define XH_SMB2_READ	      0x0008
#define XH_SMB2_WRITE	      0x0009
#define XH_SMB2_QUERY_DIR     0x000e

#define XH_STATUS_PENDING 0x00000103u /* interim response: the final one follows */

#define XH_SMB2_FLAGS_RESPONSE 0x00000001
#define XH_SMB2_FLAGS_ASYNC    0x00000002
#define XH_SMB2_FLAGS_RELATED  0x00000004
#define XH_SMB2_TC_EXTENSION   0x0004 /* tree connect request flag (3.1.1) */
#define XH_SMB2_HDR_LEN	       64
#define XH_SMB2_TREE_RELATED   0xffffffffu /* "same tree as the previous member" */

/* SMB1 commands (MS-CIFS 2.2.2.1) and flags. */
#define XH_SMB1_NEGOTIATE	   0x72
#define XH_SMB1_CLOSE		   0x04
#define XH_SMB1_TRANSACTION2	   0x32
#define XH_SMB1_TRANS2_FIND_FIRST2 0x0001 /* Setup[0] of a TRANSACTION2 */
/* Setup[0] of a TRANSACTION2 that no client sends (MS-CIFS: "reserved, not
 * implemented"): DoublePulsar's ping and payload channel. */
#define XH_SMB1_TRANS2_SESSION_SETUP 0x000e
/* TRANSACTION (named pipes); bpf/dcerpc_smb.h defines it alike */
#define XH_SMB1_TRANSACTION		  0x25
#define XH_SMB1_TRANS_PEEK_NMPIPE	  0x0023 /* Setup[0]; Setup[1] is the FID */
#define XH_STATUS_INSUFF_SERVER_RESOURCES 0xc0000205
#define XH_SMB1_LOCKING_ANDX		  0x24
#define XH_SMB1_OPEN_ANDX		  0x2d
#define XH_SMB1_READ_ANDX		  0x2e
#define XH_SMB1_WRITE_ANDX		  0x2f
#define XH_SMB1_SESSION_SETUP_ANDX	  0x73
#define XH_SMB1_LOGOFF_ANDX		  0x74
#define XH_SMB1_TREE_CONNECT_ANDX	  0x75
#define XH_SMB1_NT_CREATE_ANDX		  0xa2
#define XH_SMB1_NO_ANDX			  0xff
#define XH_SMB1_HDR_LEN			  32
#define XH_SMB1_FLAGS_REPLY		  0x80
#define XH_SMB1_FLAGS2_UNICODE		  0x8000

/* NT_TRANSACT's counts are 32-bit, TRANSACTION2's 16-bit. A transaction's
 * secondaries are found by MID (and PID, UID, TID), and an unpatched
 * server did not check that a secondary's command is its primary's:
 * EternalBlue starts an NT_TRANSACT with a data count over 64 KiB and sends
 * the rest as TRANSACTION2_SECONDARY, so the FEA list reaches the TRANS2
 * code that overflows on it. */
#define XH_SMB1_NT_TRANSACT	       0xa0
#define XH_SMB1_NT_TRANSACT_SECONDARY  0xa1
#define XH_SMB1_TRANSACTION2_SECONDARY 0x33
/* Not a finding (no xh_smb_exploit value): an NT_TRANSACT request whose
 * parameters or data are still to come; the walk keeps its MID. */
#define XH_SMB_EXPLOIT_NT_TRANS_OPEN 0x80

/* A session setup answered so is a failed logon (smb.brute_force): an
 * unknown user or a wrong password, and a guess that locked the account. */
#define XH_STATUS_LOGON_FAILURE	     0xc000006d
#define XH_STATUS_WRONG_PASSWORD     0xc000006a
#define XH_STATUS_ACCOUNT_LOCKED_OUT 0xc0000234

static __always_inline int xh_smb_logon_failure(__u32 status)
{
	return status == XH_STATUS_LOGON_FAILURE || status == XH_STATUS_WRONG_PASSWORD ||
	       status == XH_STATUS_ACCOUNT_LOCKED_OUT;
}

/* Access bits that let a CREATE write file data (MS-SMB2 2.2.13.1). */
#define XH_SMB_ACCESS_WRITE (0x00000002u | 0x00000004u | 0x10000000u | 0x40000000u)

struct xh_nb {
	__u32 len; /* bytes after the 4-byte header */
	__u8 type; /* XH_NB_* */
};

/* One SMB message (SMB2: one compound member; SMB1: one AndX block with the
 * fields of its header). Name offsets are from the SMB header start. */
struct xh_smb_msg {
	__u64 session_id;
	__u64 message_id;
	__u32 status;
	__u32 tree_id;
	__u32 next;	   /* SMB2: NextCommand; SMB1: AndXOffset of the next block; 0: none */
	__u32 name_off;	   /* valid when name_max > 0 */
	__u32 name_max;	   /* bytes the name may span (exact length unless name_nul) */
	__u32 access;	   /* CREATE DesiredAccess */
	__u32 data_off;	   /* WRITE request: its data, from the SMB header (0: none);
			    * SESSION_SETUP request: its security blob */
	__u32 data_len;	   /* ... bytes of it, inside the message */
	__u64 file_off;	   /* ... where in the file they go */
	__u16 command;	   /* SMB2 command, or SMB1 command of this block */
	__u16 dialect;	   /* NEGOTIATE response DialectRevision */
	__u16 flags2;	   /* SMB1 Flags2 */
	__u8 version;	   /* 1, 2, 3 (transform or compressed) */
	__u8 response;	   /* 1 for a server-to-client message */
	__u8 related;	   /* SMB2 related compound member */
	__u8 async;	   /* SMB2 async header: no TreeId */
	__u8 name_enc;	   /* enum xh_smb_name_enc, NONE when there is no name */
	__u8 name_nul;	   /* SMB1 path: NUL-terminated within name_max */
	__u8 next_cmd;	   /* SMB1: AndXCommand of the next block */
	__u8 compressed;   /* 0xFC header */
	__u8 has_fid;	   /* file_id is valid (CREATE response; READ, WRITE, CLOSE,
			    * QUERY_DIRECTORY request) */
	__u8 name_root;	   /* SMB2 CREATE with NameLength 0: the share's root */
	__u8 find;	   /* SMB1 TRANS2 FIND_FIRST2: the name is its search pattern */
	__u8 exploit;	   /* SMB1 request of MS17-010 tooling: enum xh_smb_exploit */
	__u8 logon_legacy; /* SMB1 SESSION_SETUP_ANDX of WordCount 13: the name is
			    * its AccountName, PrimaryDomain follows */
	/* SMB2 FileId (persistent, volatile) of a successful CREATE response
	 * or of a request on an open; SMB1: the FID in the first two bytes. */
	__u8 file_id[16];
};

/* Read little-endian fields from a byte buffer: no alignment assumptions. */
static __always_inline __u16 xh_le16(const __u8 *b)
{
	return (__u16)(b[0] | (__u16)b[1] << 8);
}

static __always_inline __u32 xh_le32(const __u8 *b)
{
	return (__u32)b[0] | (__u32)b[1] << 8 | (__u32)b[2] << 16 | (__u32)b[3] << 24;
}

static __always_inline __u64 xh_le64(const __u8 *b)
{
	return (__u64)xh_le32(b) | (__u64)xh_le32(b + 4) << 32;
}

/* NetBIOS session header from @avail bytes at @b. The length is read as 24
 * bits: RFC 1002 has 17 (a flags byte with one length bit), SMB over TCP
 * (MS-SMB2 2.1) uses the 3 bytes. Returns 0 or -XH_SMB_CNT_NO_MSG_START for
 * a type that is no session service header (the segment starts mid-message). */
static __always_inline int xh_nb_parse(const __u8 *b, __u32 avail, struct xh_nb *nb)
{
	if (avail < 4)
		return -XH_SMB_CNT_NO_MSG_START;
	switch (b[0]) {
	case XH_NB_MESSAGE:
	case XH_NB_SESSION_REQ:
	case XH_NB_POSITIVE:
	case XH_NB_NEGATIVE:
	case XH_NB_RETARGET:
	case XH_NB_KEEPALIVE:
		break;
	default:
		return -XH_SMB_CNT_NO_MSG_START;
	}
	nb->type = b[0];
	nb->len = (__u32)b[1] << 16 | (__u32)b[2] << 8 | b[3];
	return 0;
}

static __always_inline int xh_smb_magic(const __u8 *b, __u8 first)
{
	return b[0] == first && b[1] == 'S' && b[2] == 'M' && b[3] == 'B';
}

/* A name of @len bytes at @off must lie after @min_off and inside the
 * message; @len must be a non-empty, even (UTF-16) byte count. */
static __always_inline int xh_smb_name_bounds(__u32 off, __u32 len, __u32 min_off, __u32 msg_len)
{
	if (len == 0)
		return -XH_SMB_CNT_NAME_EMPTY;
	if (len & 1)
		return -XH_SMB_CNT_NAME_ODD;
	if (off < min_off || off > msg_len || len > msg_len - off)
		return -XH_SMB_CNT_NAME_OOB;
	return 0;
}

/* A WRITE request's data: @len bytes at @off (from the SMB header) for file
 * offset @foff, kept only when they lie after the fixed part (@min) and
 * inside the message (@msg_len). */
static __always_inline void xh_smb_write_data(struct xh_smb_msg *m, __u32 off, __u32 len,
					      __u64 foff, __u32 min, __u32 msg_len)
{
	if (off < min || off > msg_len || len > msg_len - off)
		return;
	m->data_off = off;
	m->data_len = len;
	m->file_off = foff;
}

/* SMB2 body of m->command at @b (after the 64-byte header), @avail bytes. */
static __always_inline int xh_smb2_body(const __u8 *b, __u32 avail, __u32 msg_len,
					struct xh_smb_msg *m)
{
	__u32 off, len;
	int err;

	switch (m->command) {
	case XH_SMB2_NEGOTIATE:
		if (!m->response)
			return 0;
		if (avail < 6)
			return -XH_SMB_CNT_HDR_TRUNC;
		if (xh_le16(b) != 65)
			return -XH_SMB_CNT_HDR_BAD;
		m->dialect = xh_le16(b + 4);
		return 0;
	case XH_SMB2_TREE_CONNECT:
		if (m->response)
			return 0; /* TreeId and Status are in the header */
		if (avail < 8)
			return -XH_SMB_CNT_HDR_TRUNC;
		if (xh_le16(b) != 9)
			return -XH_SMB_CNT_HDR_BAD;
		if (xh_le16(b + 2) & XH_SMB2_TC_EXTENSION)
			return -XH_SMB_CNT_TC_EXTENSION;
		off = xh_le16(b + 4);
		len = xh_le16(b + 6);
		err = xh_smb_name_bounds(off, len, XH_SMB2_HDR_LEN + 8, msg_len);
		if (err)
			return err;
		break;
	case XH_SMB2_CREATE:
		if (m->response) {
			/* Only a success carries the body (errors and the
			 * interim STATUS_PENDING answer are 9 bytes). */
			if (m->status != 0)
				return 0;
			if (avail < 80)
				return -XH_SMB_CNT_HDR_TRUNC;
			if (xh_le16(b) != 89)
				return -XH_SMB_CNT_HDR_BAD;
			__builtin_memcpy(m->file_id, b + 64, 16);
			m->has_fid = 1;
			return 0;
		}
		if (avail < 48)
			return -XH_SMB_CNT_HDR_TRUNC;
		if (xh_le16(b) != 57)
			return -XH_SMB_CNT_HDR_BAD;
		m->access = xh_le32(b + 24);
		off = xh_le16(b + 44);
		len = xh_le16(b + 46);
		if (len == 0) {
			/* The share's root directory (a listing of it opens
			 * this), not a malformed name. */
			m->name_root = 1;
			m->name_enc = XH_SMB_ENC_UTF16LE;
			return 0;
		}
		err = xh_smb_name_bounds(off, len, XH_SMB2_HDR_LEN + 56, msg_len);
		if (err)
			return err;
		break;
	case XH_SMB2_SESSION_SETUP:
		/* StructureSize 25, Flags, SecurityMode, Capabilities, Channel,
		 * SecurityBufferOffset (12), SecurityBufferLength (14),
		 * PreviousSessionId: the blob (NTLMSSP or Kerberos, mostly in
		 * SPNEGO) is the message's data. */
		if (m->response)
			return 0;
		if (avail < 16)
			return -XH_SMB_CNT_HDR_TRUNC;
		if (xh_le16(b) != 25)
			return -XH_SMB_CNT_HDR_BAD;
		xh_smb_write_data(m, xh_le16(b + 12), xh_le16(b + 14), 0, XH_SMB2_HDR_LEN + 24,
				  msg_len);
		return 0;
	case XH_SMB2_READ:
	case XH_SMB2_WRITE:
		/* StructureSize 49 both; the FileId follows Length and Offset. */
		if (m->response)
			return 0;
		if (avail < 32)
			return -XH_SMB_CNT_HDR_TRUNC;
		if (xh_le16(b) != 49)
			return -XH_SMB_CNT_HDR_BAD;
		__builtin_memcpy(m->file_id, b + 16, 16);
		m->has_fid = 1;
		if (m->command == XH_SMB2_WRITE)
			xh_smb_write_data(m, xh_le16(b + 2), xh_le32(b + 4), xh_le64(b + 8),
					  XH_SMB2_HDR_LEN + 48, msg_len);
		return 0;
	case XH_SMB2_CLOSE:
	case XH_SMB2_QUERY_DIR:
		/* CLOSE: StructureSize 24, Flags, Reserved, FileId.
		 * QUERY_DIRECTORY: 33, FileInformationClass, Flags, FileIndex,
		 * FileId. */
		if (m->response)
			return 0;
		if (avail < 24)
			return -XH_SMB_CNT_HDR_TRUNC;
		if (xh_le16(b) != (m->command == XH_SMB2_CLOSE ? 24 : 33))
			return -XH_SMB_CNT_HDR_BAD;
		__builtin_memcpy(m->file_id, b + 8, 16);
		m->has_fid = 1;
		return 0;
	default:
		return 0;
	}
	m->name_off = off;
	m->name_max = len;
	m->name_enc = XH_SMB_ENC_UTF16LE;
	return 0;
}

/* One SMB2 message (compound member) at @b: @avail bytes at hand, @msg_len
 * bytes left in the NetBIOS message. Fills @m (zeroed here). m->next is
 * validated: at least a header long, 8-byte aligned, leaving room for the
 * next header in the message; so a chain only moves forward and ends.
 * Returns 0, or -reason: the header is unusable (nothing in @m is valid), or
 * the body/name is (header fields and m->next stay valid; m->name_max 0). */
static __always_inline int xh_smb2_parse(const __u8 *b, __u32 avail, __u32 msg_len,
					 struct xh_smb_msg *m)
{
	__u32 flags, next, member;
	int err = 0;

	__builtin_memset(m, 0, sizeof(*m));
	if (avail < XH_SMB2_HDR_LEN || msg_len < XH_SMB2_HDR_LEN)
		return msg_len < XH_SMB2_HDR_LEN ? -XH_SMB_CNT_NB_BAD_LEN : -XH_SMB_CNT_HDR_TRUNC;
	if (!xh_smb_magic(b, 0xfe))
		return -XH_SMB_CNT_NO_MSG_START;
	if (xh_le16(b + 4) != XH_SMB2_HDR_LEN)
		return -XH_SMB_CNT_HDR_BAD;
	m->version = 2;
	m->status = xh_le32(b + 8);
	m->command = xh_le16(b + 12);
	flags = xh_le32(b + 16);
	m->response = !!(flags & XH_SMB2_FLAGS_RESPONSE);
	m->async = !!(flags & XH_SMB2_FLAGS_ASYNC);
	m->related = !!(flags & XH_SMB2_FLAGS_RELATED);
	m->message_id = xh_le64(b + 24);
	m->tree_id = m->async ? 0 : xh_le32(b + 36);
	m->session_id = xh_le64(b + 40);

	next = xh_le32(b + 20);
	member = msg_len;
	if (next) {
		if (next < XH_SMB2_HDR_LEN || (next & 7) || next > msg_len - XH_SMB2_HDR_LEN)
			err = -XH_SMB_CNT_CHAIN_BAD;
		else
			member = m->next = next;
	}
	if (err)
		return err;
	return xh_smb2_body(b + XH_SMB2_HDR_LEN, avail - XH_SMB2_HDR_LEN, member, m);
}

/* SMB3 transform (0xFD, MS-SMB2 2.2.41) and compression (0xFC, 2.2.42)
 * headers: everything after them is opaque to a packet parser. */
static __always_inline int xh_smb3_parse(const __u8 *b, __u32 avail, __u32 msg_len,
					 struct xh_smb_msg *m)
{
	__builtin_memset(m, 0, sizeof(*m));
	if (avail < 4)
		return -XH_SMB_CNT_HDR_TRUNC;
	if (xh_smb_magic(b, 0xfd)) {
		if (msg_len < 52)
			return -XH_SMB_CNT_NB_BAD_LEN;
		if (avail < 52)
			return -XH_SMB_CNT_HDR_TRUNC;
		m->version = 3;
		m->session_id = xh_le64(b + 44);
		return 0;
	}
	if (xh_smb_magic(b, 0xfc)) {
		if (msg_len < 16)
			return -XH_SMB_CNT_NB_BAD_LEN;
		m->version = 3;
		m->compressed = 1;
		return 0;
	}
	return -XH_SMB_CNT_NO_MSG_START;
}

static __always_inline int xh_smb1_is_andx(__u8 cmd)
{
	return cmd == XH_SMB1_LOCKING_ANDX || cmd == XH_SMB1_OPEN_ANDX ||
	       cmd == XH_SMB1_READ_ANDX || cmd == XH_SMB1_WRITE_ANDX ||
	       cmd == XH_SMB1_SESSION_SETUP_ANDX || cmd == XH_SMB1_LOGOFF_ANDX ||
	       cmd == XH_SMB1_TREE_CONNECT_ANDX || cmd == XH_SMB1_NT_CREATE_ANDX;
}

/* The SMB1 parameter block of command @cmd at @blk (offset from the SMB
 * header) whose bytes start at @b, @avail of them at hand. Keeps the header
 * fields of @m, sets command, name and the next AndX block (forward only,
 * inside the message). Returns 0 or -reason (m->next is then valid only if
 * it was set before the failure). */
static __always_inline int xh_smb1_block(const __u8 *b, __u32 avail, __u32 blk, __u32 msg_len,
					 __u8 cmd, struct xh_smb_msg *m)
{
	__u32 wc, bytes, bcount, off, max, nlen;
	int unicode = !!(m->flags2 & XH_SMB1_FLAGS2_UNICODE);

	m->command = cmd;
	m->next = 0;
	m->next_cmd = XH_SMB1_NO_ANDX;
	m->name_off = m->name_max = 0;
	m->name_enc = XH_SMB_ENC_NONE;
	m->name_nul = 0;
	m->has_fid = 0;
	m->name_root = 0;
	m->find = 0;
	m->exploit = 0;
	m->logon_legacy = 0;
	m->data_off = m->data_len = 0;
	m->file_off = 0;
	if (avail < 1)
		return -XH_SMB_CNT_HDR_TRUNC;
	wc = b[0];
	bytes = 1 + wc * 2 + 2; /* WordCount, words, ByteCount: the data follows */
	if (blk + bytes > msg_len)
		return -XH_SMB_CNT_HDR_BAD;
	if (xh_smb1_is_andx(cmd) && wc >= 2) {
		if (avail < 5)
			return -XH_SMB_CNT_HDR_TRUNC;
		if (b[1] != XH_SMB1_NO_ANDX) {
			__u32 nx = xh_le16(b + 3);

			/* Forward only and inside the message: no loops. */
			if (nx <= blk || nx >= msg_len)
				return -XH_SMB_CNT_CHAIN_BAD;
			m->next = nx;
			m->next_cmd = b[1];
		}
	}
	if (m->response) {
		/* An unpatched server answers the MS17-010 check so (the walk
		 * pairs it with the check by MID). */
		if (cmd == XH_SMB1_TRANSACTION && m->status == XH_STATUS_INSUFF_SERVER_RESOURCES) {
			m->exploit = XH_SMB_EXPLOIT_MS17_010_VULNERABLE;
			return 0;
		}
		/* A candidate for DoublePulsar's answer (the walk pairs it
		 * with the flow's ping: the implant adds 16 to its MID). */
		if (cmd == XH_SMB1_TRANSACTION2) {
			m->exploit = XH_SMB_EXPLOIT_DOUBLEPULSAR_IMPLANT;
			return 0;
		}
		/* NT_CREATE_ANDX response: AndX (4 bytes), OplockLevel, FID. */
		if (cmd != XH_SMB1_NT_CREATE_ANDX || m->status != 0)
			return 0;
		if (wc < 3)
			return -XH_SMB_CNT_HDR_BAD;
		if (avail < 8)
			return -XH_SMB_CNT_HDR_TRUNC;
		m->file_id[0] = b[6];
		m->file_id[1] = b[7];
		m->has_fid = 1;
		return 0;
	}
	if (cmd == XH_SMB1_CLOSE) {
		/* FID, LastTimeModified. */
		if (wc != 3)
			return -XH_SMB_CNT_HDR_BAD;
		if (avail < 3)
			return -XH_SMB_CNT_HDR_TRUNC;
		m->file_id[0] = b[1];
		m->file_id[1] = b[2];
		m->has_fid = 1;
		return 0;
	}
	if (cmd == XH_SMB1_WRITE_ANDX || cmd == XH_SMB1_READ_ANDX) {
		/* AndX (4 bytes), then the FID. */
		if (cmd == XH_SMB1_WRITE_ANDX ? wc != 12 && wc != 14 : wc != 10 && wc != 12)
			return -XH_SMB_CNT_HDR_BAD;
		if (avail < 7)
			return -XH_SMB_CNT_HDR_TRUNC;
		m->file_id[0] = b[5];
		m->file_id[1] = b[6];
		m->has_fid = 1;
		/* WRITE_ANDX: Offset, Timeout, WriteMode, Remaining,
		 * DataLengthHigh, DataLength, DataOffset[, OffsetHigh]. */
		if (cmd == XH_SMB1_WRITE_ANDX && avail >= 25 + (wc == 14 ? 4u : 0u))
			xh_smb_write_data(
				m, xh_le16(b + 23), (__u32)xh_le16(b + 19) << 16 | xh_le16(b + 21),
				(wc == 14 ? (__u64)xh_le32(b + 25) << 32 : 0) | xh_le32(b + 7),
				blk + 1 + wc * 2 + 2, msg_len);
		return 0;
	}
	if (cmd == XH_SMB1_SESSION_SETUP_ANDX) {
		/* Extended security (WordCount 12): AndX (4 bytes),
		 * MaxBufferSize, MaxMpxCount, VcNumber, SessionKey,
		 * SecurityBlobLength (15), Reserved, Capabilities, ByteCount
		 * (25); the blob starts the data (xh_ntlm_read()). */
		if (wc == 12) {
			if (avail < 27)
				return -XH_SMB_CNT_HDR_TRUNC;
			if (xh_le16(b + 15) <= xh_le16(b + 25))
				xh_smb_write_data(m, blk + 27, xh_le16(b + 15), 0, blk + 27,
						  msg_len);
			return 0;
		}
		/* WordCount 13, NT LM 0.12 without extended security: the
		 * password lengths (OEM 15, Unicode 17), ByteCount (27), then
		 * the passwords and AccountName, PrimaryDomain, NUL-terminated
		 * (the name: AccountName, up to the data's end). */
		if (wc != 13)
			return 0;
		if (avail < 29)
			return -XH_SMB_CNT_HDR_TRUNC;
		bcount = xh_le16(b + 27);
		off = blk + 29 + xh_le16(b + 15) + xh_le16(b + 17);
		if (unicode && (off & 1))
			off++;
		if (blk + 29 + bcount > msg_len || off >= blk + 29 + bcount)
			return -XH_SMB_CNT_NAME_OOB;
		max = blk + 29 + bcount - off;
		m->name_nul = 1;
		m->logon_legacy = 1;
	} else if (cmd == XH_SMB1_TREE_CONNECT_ANDX) {
		if (wc != 4)
			return -XH_SMB_CNT_HDR_BAD;
		if (avail < 11)
			return -XH_SMB_CNT_HDR_TRUNC;
		bcount = xh_le16(b + 9);
		off = blk + 11 + xh_le16(b + 7); /* after the password */
		if (unicode && (off & 1))
			off++; /* Unicode strings are 2-aligned from the header */
		if (blk + 11 + bcount > msg_len || off >= blk + 11 + bcount)
			return -XH_SMB_CNT_NAME_OOB;
		max = blk + 11 + bcount - off;
		m->name_nul = 1;
	} else if (cmd == XH_SMB1_TRANSACTION2) {
		/* Words: TotalParameterCount .. Timeout, Reserved2,
		 * ParameterCount (19), ParameterOffset (21), DataCount,
		 * DataOffset, SetupCount (27), Reserved3, Setup[0] (29). A
		 * FIND_FIRST2's parameters: SearchAttributes, SearchCount,
		 * Flags, InformationLevel, SearchStorageType (12 bytes), then
		 * the NUL-terminated search pattern: a directory and a
		 * wildcard (\Windows\*). */
		if (wc < 15)
			return -XH_SMB_CNT_HDR_BAD;
		if (avail < 31)
			return -XH_SMB_CNT_HDR_TRUNC;
		if (b[27] != wc - 14)
			return -XH_SMB_CNT_HDR_BAD;
		if (xh_le16(b + 29) == XH_SMB1_TRANS2_SESSION_SETUP) {
			m->exploit = XH_SMB_EXPLOIT_DOUBLEPULSAR;
			return 0;
		}
		if (xh_le16(b + 29) != XH_SMB1_TRANS2_FIND_FIRST2)
			return 0;
		bcount = xh_le16(b + 19);
		off = xh_le16(b + 21);
		if (bcount <= 12 || off < blk + 1 + wc * 2 + 2 || off > msg_len ||
		    bcount > msg_len - off)
			return -XH_SMB_CNT_NAME_OOB;
		off += 12;
		max = bcount - 12;
		m->find = 1;
		m->name_nul = 1;
	} else if (cmd == XH_SMB1_TRANSACTION) {
		/* Words as TRANSACTION2's; two setup words: the pipe function
		 * and its FID. PeekNamedPipe on FID 0, which no open has, is
		 * the MS17-010 check (WannaCry's scanner, Metasploit's and
		 * nmap's smb-vuln-ms17-010): an unpatched server answers
		 * STATUS_INSUFF_SERVER_RESOURCES. Pipe transactions themselves
		 * are read for DCE/RPC in bpf/dcerpc_smb.h. */
		if (wc != 16)
			return 0;
		if (avail < 33)
			return -XH_SMB_CNT_HDR_TRUNC;
		if (b[27] != 2)
			return 0;
		if (xh_le16(b + 29) == XH_SMB1_TRANS_PEEK_NMPIPE && xh_le16(b + 31) == 0)
			m->exploit = XH_SMB_EXPLOIT_MS17_010_CHECK;
		return 0;
	} else if (cmd == XH_SMB1_NT_TRANSACT) {
		/* MaxSetupCount, Reserved1, TotalParameterCount (4),
		 * TotalDataCount (8), MaxParameterCount, MaxDataCount,
		 * ParameterCount (20), ParameterOffset, DataCount (28): its
		 * secondaries follow when a count is short of its total. */
		if (wc < 19)
			return 0;
		if (avail < 32)
			return -XH_SMB_CNT_HDR_TRUNC;
		if (xh_le32(b + 20) < xh_le32(b + 4) || xh_le32(b + 28) < xh_le32(b + 8))
			m->exploit = XH_SMB_EXPLOIT_NT_TRANS_OPEN;
		return 0;
	} else if (cmd == XH_SMB1_TRANSACTION2_SECONDARY) {
		/* A candidate for EternalBlue's (the walk pairs it with the
		 * flow's open NT_TRANSACT by MID). */
		m->exploit = XH_SMB_EXPLOIT_ETERNALBLUE;
		return 0;
	} else if (cmd == XH_SMB1_NT_CREATE_ANDX) {
		if (wc != 24)
			return -XH_SMB_CNT_HDR_BAD;
		if (avail < 51)
			return -XH_SMB_CNT_HDR_TRUNC;
		nlen = xh_le16(b + 6);
		m->access = xh_le32(b + 16);
		bcount = xh_le16(b + 49);
		off = blk + 51;
		if (unicode && (off & 1))
			off++;
		if (nlen == 0)
			return -XH_SMB_CNT_NAME_EMPTY;
		if (unicode && (nlen & 1))
			return -XH_SMB_CNT_NAME_ODD;
		if (blk + 51 + bcount > msg_len || off > blk + 51 + bcount ||
		    nlen > blk + 51 + bcount - off)
			return -XH_SMB_CNT_NAME_OOB;
		max = nlen;
	} else {
		return 0;
	}
	m->name_off = off;
	m->name_max = max;
	m->name_enc = unicode ? XH_SMB_ENC_UTF16LE : XH_SMB_ENC_ASCII;
	return 0;
}

/* SMB1 header and its first block at @b. Returns as xh_smb1_block(); a
 * negative value with m->version == 1 still means "this is SMB1". */
static __always_inline int xh_smb1_parse(const __u8 *b, __u32 avail, __u32 msg_len,
					 struct xh_smb_msg *m)
{
	__builtin_memset(m, 0, sizeof(*m));
	if (avail < 4)
		return -XH_SMB_CNT_HDR_TRUNC;
	if (!xh_smb_magic(b, 0xff))
		return -XH_SMB_CNT_NO_MSG_START;
	if (msg_len < XH_SMB1_HDR_LEN + 3)
		return -XH_SMB_CNT_NB_BAD_LEN;
	if (avail < XH_SMB1_HDR_LEN)
		return -XH_SMB_CNT_HDR_TRUNC;
	m->version = 1;
	m->status = xh_le32(b + 5);
	m->response = !!(b[9] & XH_SMB1_FLAGS_REPLY);
	m->flags2 = xh_le16(b + 10);
	m->tree_id = xh_le16(b + 24);
	m->session_id = xh_le16(b + 28);
	m->message_id = xh_le16(b + 30);
	return xh_smb1_block(b + XH_SMB1_HDR_LEN, avail - XH_SMB1_HDR_LEN, XH_SMB1_HDR_LEN, msg_len,
			     b[4], m);
}

/* Any SMB message at @b: dispatch on the protocol id. */
static __always_inline int xh_smb_parse(const __u8 *b, __u32 avail, __u32 msg_len,
					struct xh_smb_msg *m)
{
	if (avail < 4) {
		__builtin_memset(m, 0, sizeof(*m));
		return msg_len < 4 ? -XH_SMB_CNT_NB_BAD_LEN : -XH_SMB_CNT_HDR_TRUNC;
	}
	if (b[0] == 0xfe)
		return xh_smb2_parse(b, avail, msg_len, m);
	if (b[0] == 0xff)
		return xh_smb1_parse(b, avail, msg_len, m);
	return xh_smb3_parse(b, avail, msg_len, m);
}

#endif /* XH_SMB_H */
