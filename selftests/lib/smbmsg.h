/* SPDX-License-Identifier: GPL-2.0 */
/* smbmsg.h: builds NetBIOS-framed SMB1/SMB2/SMB3 messages for the unit and
 * BPF_PROG_TEST_RUN tests, field by field after MS-SMB2 and MS-CIFS, so that
 * a test can then break exactly one field. */
#ifndef XH_SMBMSG_H
#define XH_SMBMSG_H

#include <stddef.h>
#include <stdint.h>

#define SMBMSG_MAX 3000

struct smbmsg {
	uint8_t b[SMBMSG_MAX];
	size_t len;
	size_t nb; /* offset of the open NetBIOS header */
};

void smbmsg_init(struct smbmsg *s);
/* Open a NetBIOS message of @type (0x00 message, 0x81 session request). */
void smbmsg_nb_begin(struct smbmsg *s, uint8_t type);
/* Close it: write its length. */
void smbmsg_nb_end(struct smbmsg *s);
/* A whole NetBIOS session request (RFC 1002 4.3.2: called "*SMBSERVER",
 * first-level encoded), as a client sends first on port 139. */
void smbmsg_nb_session_request(struct smbmsg *s);
void smbmsg_put(struct smbmsg *s, const void *p, size_t n);
void smbmsg_le16(struct smbmsg *s, uint16_t v);
void smbmsg_le32(struct smbmsg *s, uint32_t v);
void smbmsg_le64(struct smbmsg *s, uint64_t v);
/* Append @str as UTF-16LE (ASCII in, no terminator). Returns its bytes. */
size_t smbmsg_utf16(struct smbmsg *s, const char *str);
void smbmsg_set16(struct smbmsg *s, size_t off, uint16_t v);
void smbmsg_set32(struct smbmsg *s, size_t off, uint32_t v);

/* SMB2: a 64-byte header; returns its offset. */
size_t smb2_hdr(struct smbmsg *s, uint16_t cmd, uint32_t flags, uint64_t mid, uint32_t tree,
		uint64_t sess, uint32_t status);
/* Messages, each a header plus body; return the header offset. */
size_t smb2_tree_connect_req(struct smbmsg *s, uint64_t mid, uint64_t sess, const char *path);
size_t smb2_tree_connect_resp(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t tree,
			      uint32_t status, uint8_t share_type);
size_t smb2_create_req(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t tree,
		       const char *name, uint32_t access);
size_t smb2_write_req(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t tree);
size_t smb2_negotiate_resp(struct smbmsg *s, uint16_t dialect);
/* Pad to 8 and set NextCommand of the header at @hdr to reach the end. */
void smb2_chain(struct smbmsg *s, size_t hdr);
/* SMB3 transform header (52 bytes) and 16 bytes of "ciphertext". */
size_t smb3_transform(struct smbmsg *s, uint64_t sess);
size_t smb3_compressed(struct smbmsg *s);

/* SMB1 header (32 bytes); returns its offset. */
size_t smb1_hdr(struct smbmsg *s, uint8_t cmd, uint8_t flags, uint16_t flags2, uint16_t tid,
		uint16_t uid, uint16_t mid);
size_t smb1_tree_connect_andx(struct smbmsg *s, uint16_t mid, uint16_t uid, const char *path,
			      int unicode);
size_t smb1_tree_connect_resp(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid,
			      uint32_t status);
size_t smb1_nt_create_andx(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid,
			   const char *name, uint32_t access, int unicode);
size_t smb1_negotiate(struct smbmsg *s);

/* Opens by FileId, and data written to them (a DCE/RPC PDU, a file). */
size_t smb2_create_resp(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t tree,
			const uint8_t fid[16], uint32_t status);
size_t smb2_write_data(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t tree,
		       const uint8_t fid[16], const void *data, size_t len);
size_t smb2_ioctl_data(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t tree,
		       const uint8_t fid[16], uint32_t ctl, const void *data, size_t len);
size_t smb1_nt_create_resp(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid, uint16_t fid,
			   uint32_t status);
size_t smb1_write_andx_data(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid,
			    uint16_t fid, const void *data, size_t len);
/* Requests on an open: SMB2 READ (4 KiB at offset 0), QUERY_DIRECTORY
 * (FileInformationClass FileIdBothDirectoryInformation, @pattern as the
 * FileName), CLOSE; SMB1 READ_ANDX (WordCount 12) and CLOSE. */
size_t smb2_read_req(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t tree,
		     const uint8_t fid[16]);
size_t smb2_query_dir_req(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t tree,
			  const uint8_t fid[16], const char *pattern);
size_t smb2_close_req(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t tree,
		      const uint8_t fid[16]);
/* SMB1 TRANSACTION2 FIND_FIRST2 of @pattern (e.g. "\\*"), as smbclient -m
 * NT1 lists a directory: one setup word, the parameters after the
 * ByteCount's pad, the pattern NUL-terminated. */
size_t smb1_trans2_find_first2(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid,
			       const char *pattern, int unicode);
size_t smb1_read_andx(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid, uint16_t fid);
size_t smb1_close(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid, uint16_t fid);
/* SMB1 TRANSACTION PeekNamedPipe of @fid, no data: on FID 0, the MS17-010
 * check (nmap's smb-vuln-ms17-010 sends this after a tree connect to IPC$). */
size_t smb1_peek_nmpipe(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid, uint16_t fid);
/* SMB1 TRANSACTION2 SESSION_SETUP with 12 zero parameter bytes:
 * DoublePulsar's ping as nmap's smb-double-pulsar-backdoor sends it (MID 65). */
size_t smb1_trans2_session_setup(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid);
size_t smb1_trans_nmpipe(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid, uint16_t fid,
			 const void *data, size_t len);
/* SMB2 SESSION_SETUP answer with @status: with STATUS_LOGON_FAILURE
 * (0xc000006d), a failed logon; STATUS_MORE_PROCESSING_REQUIRED
 * (0xc0000016) and 0 are the NTLM exchange's steps. */
size_t smb2_session_setup_resp(struct smbmsg *s, uint64_t mid, uint64_t sess, uint32_t status);
/* SMB1 SESSION_SETUP_ANDX answer with NT status @status, no words or bytes
 * (an error answer). */
size_t smb1_session_setup_resp(struct smbmsg *s, uint16_t mid, uint32_t status);
/* SMB1 NT_TRANSACT of @function with one setup word, 30 parameter bytes
 * and @data_count of @total_data data bytes (zeros): with @total_data over
 * 64 KiB and the rest to come, EternalBlue's first message (function 0). */
size_t smb1_nt_trans(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid, uint16_t function,
		     uint32_t total_data, uint32_t data_count);
/* SMB1 TRANSACTION2_SECONDARY carrying @len data bytes (zeros) at
 * @disp: how EternalBlue sends the rest of its NT_TRANSACT's data. */
size_t smb1_trans2_secondary(struct smbmsg *s, uint16_t mid, uint16_t uid, uint16_t tid,
			     uint16_t total_data, uint16_t disp, uint16_t len);
/* An NTLMSSP AUTHENTICATE (MS-NLMP 2.2.1.3) naming @domain, @user and
 * @host (UTF-16LE when @unicode, else OEM bytes), the names after the
 * fixed part and a 48-byte (NTLMv2) NT response after them (bytes 0xa0, 0xa1, ...);
 * inside SPNEGO's
 * NegTokenResp (long-form lengths: the signature at 16) when @spnego.
 * Written into @out (at most @max bytes); returns its length. */
size_t ntlm_auth_blob(uint8_t *out, size_t max, const char *domain, const char *user,
		      const char *host, int unicode, int spnego);
/* SMB2 SESSION_SETUP request carrying the security blob @blob. */
size_t smb2_session_setup_req(struct smbmsg *s, uint64_t mid, uint64_t sess, const void *blob,
			      size_t len);
/* SMB1 SESSION_SETUP_ANDX request with extended security (WordCount 12)
 * carrying @blob; Unicode in Flags2 when @unicode. */
size_t smb1_session_setup_req(struct smbmsg *s, uint16_t mid, const void *blob, size_t len,
			      int unicode);
/* SMB1 SESSION_SETUP_ANDX request without extended security (WordCount
 * 13): 24-byte OEM and Unicode passwords (zeros), then @account and
 * @domain, NUL-terminated, UTF-16LE (2-aligned from the header) when
 * @unicode, else OEM bytes; @terminate 0 leaves the account's terminator
 * and the domain out. */
size_t smb1_session_setup_legacy(struct smbmsg *s, uint16_t mid, const char *account,
				 const char *domain, int unicode, int terminate);

#endif
