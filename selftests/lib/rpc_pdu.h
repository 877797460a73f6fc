/* SPDX-License-Identifier: GPL-2.0 */
/* rpc_pdu.h: builders of connection-oriented DCE/RPC PDUs (BIND,
 * ALTER_CONTEXT, REQUEST, ept_map RESPONSE) and of the SMB requests that
 * carry them, for the unit and BPF_PROG_TEST_RUN tests. Layouts follow C706
 * ch. 12, MS-RPCE 2.2.2, MS-SMB2 2.2.21/2.2.31 and MS-CIFS 2.2.4.33. */
#ifndef XH_RPC_PDU_H
#define XH_RPC_PDU_H

#include <stddef.h>
#include <stdint.h>

#define RPC_PDU_MAX 2048

/* Well-known interfaces (UUID strings as printed, not as on the wire). */
#define UUID_SVCCTL   "367abb81-9844-35f1-ad32-98f038001003"
#define UUID_SAMR     "12345778-1234-abcd-ef00-0123456789ac"
#define UUID_LSARPC   "12345778-1234-abcd-ef00-0123456789ab"
#define UUID_SPOOLSS  "12345678-1234-abcd-ef00-0123456789ab"
#define UUID_DRSUAPI  "e3514235-4b06-11d1-ab04-00c04fc2dcd2"
#define UUID_EPM      "e1af8308-5d1f-11c9-91a4-08002b14a0fa"
#define UUID_SRVSVC   "4b324fc8-1670-01d3-1278-5a47bf6ee188"
#define UUID_NETLOGON "12345678-1234-abcd-ef00-01234567cffb"
#define UUID_UNLISTED "00112233-4455-6677-8899-aabbccddeeff"

struct rpc_ctx_desc {
	uint16_t ctx_id;
	const char *uuid;
	uint16_t ver_major, ver_minor;
	int n_xfer; /* transfer syntaxes (NDR); 0 is written as 0 */
};

/* "367abb81-..." -> the 16 bytes_le key. 0 or -1. */
int rpc_uuid_le(const char *s, uint8_t out[16]);

/* BIND (ptype 11) or ALTER_CONTEXT (14) with @n contexts; @be: big-endian
 * drep. frag_length is the real length. Returns the length. */
size_t rpc_build_bind(uint8_t *buf, int be, uint8_t ptype, uint32_t call_id,
		      const struct rpc_ctx_desc *ctx, int n);
/* REQUEST with @flags (PFC_*), @stub_len pattern bytes. */
size_t rpc_build_request(uint8_t *buf, int be, uint8_t flags, uint32_t call_id, uint16_t ctx_id,
			 uint16_t opnum, size_t stub_len);
/* A netlogon REQUEST (MS-NRPC 3.5.4.4) on context 0, NDR as impacket's
 * nrpc.py writes it: PrimaryName "\\@dc", AccountName "@dc$",
 * SecureChannelType 6, ComputerName @dc, then for NetrServerAuthenticate2/3
 * (15, 26) ClientCredential @cred and NegotiateFlags, for
 * NetrServerPasswordSet2 (30) an Authenticator of @cred and a 516-byte
 * ClearNewPassword @pw (NULL: zero). @auth: a sec_trailer and a 16-byte
 * verifier follow (auth_length 16). Returns the length. */
size_t rpc_build_nrpc(uint8_t *buf, uint32_t call_id, uint16_t opnum, const char *dc,
		      const uint8_t cred[8], const uint8_t *pw, int auth);
/* ept_map RESPONSE with one TCP/IP tower for @uuid at @port (host order) and
 * @ipv4 ("0.0.0.0" allowed), in NDR or NDR64 layout. */
size_t rpc_build_epm_response(uint8_t *buf, int ndr64, uint32_t call_id, const char *uuid,
			      uint16_t port, const char *ipv4);

/* NetBIOS + SMB2 WRITE request carrying @pdu, FileId @fid. */
size_t smb2_wrap_write(uint8_t *out, const uint8_t *pdu, size_t len, const uint8_t fid[16]);
/* NetBIOS + SMB2 IOCTL FSCTL_PIPE_TRANSCEIVE (or @ctl) request. */
size_t smb2_wrap_ioctl(uint8_t *out, const uint8_t *pdu, size_t len, const uint8_t fid[16],
		       uint32_t ctl);
/* NetBIOS + SMB1 TRANSACTION TransactNmPipe on @fid. */
size_t smb1_wrap_trans(uint8_t *out, const uint8_t *pdu, size_t len, uint16_t fid);

#endif
