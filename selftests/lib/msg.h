/* SPDX-License-Identifier: GPL-2.0 */
/* msg.h: crafted DNS queries, TLS ClientHellos and RDP connection requests for
 * the parser tests. */
#ifndef XH_TEST_MSG_H
#define XH_TEST_MSG_H

#include <stddef.h>
#include <stdint.h>

/* A DNS query (RFC 1035) for @name ("a.b.example"; "" = root) with @qdcount
 * in the header (the one question is written once), QTYPE @qtype. With
 * @tcp, the 2-byte length prefix comes first. Returns the length. */
size_t msg_dns_query(uint8_t *buf, const char *name, uint16_t qdcount, uint16_t qtype, int tcp);

enum msg_sni_pos { MSG_SNI_NONE, MSG_SNI_FIRST, MSG_SNI_LAST };

/* A TLS 1.3-style ClientHello record: session id, 16 cipher suites, then
 * extensions: GREASE ones when @grease, supported_groups, key_share with
 * @key_share_len bytes, and server_name @sni at @pos. Returns the length. */
size_t msg_tls_hello(uint8_t *buf, const char *sni, enum msg_sni_pos pos, int grease,
		     size_t key_share_len);
/* The same, with GREASE and a 32-byte key share, and an ALPN extension
 * (RFC 7301) whose body is the @alpn_len bytes at @alpn (the u16 list length
 * included, so tests can make it inconsistent), after the key share. */
size_t msg_tls_hello_alpn(uint8_t *buf, const char *sni, enum msg_sni_pos pos, const uint8_t *alpn,
			  size_t alpn_len);

/* An RDP client's X.224 Connection Request in TPKT (MS-RDPBCGR 2.2.1.1), as
 * mstsc sends it: the line @line with CR LF ("Cookie: mstshash=user"; NULL:
 * none), then with @neg an RDP_NEG_REQ of @flags asking for @protocols.
 * @buf holds at least 11 + strlen(@line) + 2 + 8 bytes. Returns the length. */
size_t msg_rdp_request(uint8_t *buf, const char *line, int neg, uint8_t flags, uint32_t protocols);

#endif
