/* SPDX-License-Identifier: GPL-2.0 */
/* remote.h: what rdp.connect and ssh.connect hits say, read from the opening
 * bytes the kernel carries (bpf/remote.bpf.h). */
#ifndef XH_REMOTE_USER_H
#define XH_REMOTE_USER_H

#include <stddef.h>
#include <stdint.h>

struct jbuf;
struct xh_event;

/* An RDP client's X.224 Connection Request (MS-RDPBCGR 2.2.1.1). */
struct rdp_request {
	const uint8_t *cookie; /* "mstshash=" value (mstsc sends the user name), or NULL */
	size_t cookie_len;
	const uint8_t *token; /* a routing token line (load balancers), or NULL */
	size_t token_len;
	int has_neg;	    /* an RDP_NEG_REQ follows: the fields below are read */
	uint8_t neg_flags;  /* RESTRICTED_ADMIN_MODE_REQUIRED 0x01, ... */
	uint32_t protocols; /* requestedProtocols: PROTOCOL_SSL 1, HYBRID 2, ... */
	int cut;	    /* the request runs past the bytes read */
};

/* Read the request in @b (@n bytes of a @len-byte payload that
 * xh_remote_kind() took for one). Returns 0, or -EBADMSG when its variable
 * part is malformed: a cookie line without CR LF in a whole request or with
 * a control byte, a negotiation request of the wrong length (the fields read
 * before are kept). */
int remote_rdp_parse(const uint8_t *b, size_t n, size_t len, struct rdp_request *r);

/* An SSH identification string: "SSH-protoversion-softwareversion SP
 * comments" (RFC 4253 4.2). */
struct ssh_ident {
	const uint8_t *proto; /* "2.0", "1.99" */
	size_t proto_len;
	const uint8_t *software; /* up to the first space */
	size_t software_len;
	const uint8_t *comments; /* after it, or NULL */
	size_t comments_len;
};

/* Read the @line_len-byte line at @b. Returns 0, or -EBADMSG when it has no
 * '-' after the protocol version. */
int remote_ssh_parse(const uint8_t *b, size_t line_len, struct ssh_ident *s);

/* Append "rdp":{...} or "ssh":{...} of @e (detail XH_DETAIL_REMOTE).
 * Returns 0, or -EBADMSG when the opening is malformed past the kernel's
 * checks (what could be read is still written, with "malformed":true). */
int remote_format_json(const struct xh_event *e, struct jbuf *b);

/* "rdp_request", ... for enum xh_remote_cnt; NULL past the end. */
const char *remote_counter_name(unsigned int cnt);

#endif /* XH_REMOTE_USER_H */
