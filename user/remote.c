// SPDX-License-Identifier: GPL-2.0
/* remote.c: rdp.connect and ssh.connect hits as JSON: the RDP request's
 * cookie, routing token and requested security protocols, the SSH client's
 * versions, read from the opening bytes the kernel carries. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>
#include "xh_abi.h"
#include "remote.h"
#include "jsonl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* MS-RDPBCGR 2.2.1.1: the fixed part (TPKT 4, X.224 CR 7), the cookie's
 * head, and RDP_NEG_REQ (TYPE_RDP_NEG_REQ 0x01, flags, length 8, the
 * requested protocols). */
#define RDP_FIXED	11
#define RDP_NEG_REQ	0x01
#define RDP_NEG_REQ_LEN 8
static const char rdp_cookie_head[] = "Cookie: mstshash=";

int remote_rdp_parse(const uint8_t *b, size_t n, size_t len, struct rdp_request *r)
{
	size_t end = len < n ? len : n, pos = RDP_FIXED, i;

	memset(r, 0, sizeof(*r));
	r->cut = len > n;
	if (end < RDP_FIXED)
		return -EBADMSG;
	/* A cookie or routing token: a line of text ending CR LF, before the
	 * negotiation request (whose type byte 0x01 is no text). Any other
	 * control byte (a NUL among them, which JSON readers such as jansson
	 * refuse even escaped) makes the request malformed, and its line is
	 * not given. */
	if (pos < end && b[pos] != RDP_NEG_REQ) {
		for (i = pos; i < end; i++) {
			if (b[i] == '\r' && i + 1 < end && b[i + 1] == '\n')
				break;
			if (b[i] < 0x20 || b[i] == 0x7f)
				return -EBADMSG;
		}
		/* no CR LF: the line runs past what was read */
		if (i == end && !r->cut)
			return -EBADMSG;
		if (i - pos >= sizeof(rdp_cookie_head) - 1 &&
		    !memcmp(b + pos, rdp_cookie_head, sizeof(rdp_cookie_head) - 1)) {
			r->cookie = b + pos + sizeof(rdp_cookie_head) - 1;
			r->cookie_len = i - pos - (sizeof(rdp_cookie_head) - 1);
		} else {
			r->token = b + pos;
			r->token_len = i - pos;
		}
		pos = i + 2;
	}
	if (pos + RDP_NEG_REQ_LEN <= end && b[pos] == RDP_NEG_REQ) {
		if (b[pos + 2] != RDP_NEG_REQ_LEN || b[pos + 3] != 0)
			return -EBADMSG;
		r->has_neg = 1;
		r->neg_flags = b[pos + 1];
		r->protocols = (uint32_t)b[pos + 4] | (uint32_t)b[pos + 5] << 8 |
			       (uint32_t)b[pos + 6] << 16 | (uint32_t)b[pos + 7] << 24;
	}
	return 0;
}

int remote_ssh_parse(const uint8_t *b, size_t line_len, struct ssh_ident *s)
{
	const uint8_t *dash, *space;

	memset(s, 0, sizeof(*s));
	if (line_len < 4 || memcmp(b, "SSH-", 4))
		return -EBADMSG;
	dash = memchr(b + 4, '-', line_len - 4);
	if (!dash)
		return -EBADMSG;
	s->proto = b + 4;
	s->proto_len = (size_t)(dash - s->proto);
	s->software = dash + 1;
	s->software_len = line_len - (size_t)(s->software - b);
	space = memchr(s->software, ' ', s->software_len);
	if (space) {
		s->comments = space + 1;
		s->comments_len = s->software_len - (size_t)(s->comments - s->software);
		s->software_len = (size_t)(space - s->software);
	}
	return 0;
}

/* requestedProtocols' bits (MS-RDPBCGR 2.2.1.1.1), as Wireshark names them. */
static const char *const rdp_protocol_names[] = {
	"ssl", "hybrid", "rdstls", "hybrid_ex", "rdsaad",
};

/* RDP_NEG_REQ flags (MS-RDPBCGR 2.2.1.1.1). Restricted Admin mode sends no
 * credentials to the server, so the hash alone logs on: mimikatz's
 * pass-the-hash over RDP (sekurlsa::pth ... /run:"mstsc /restrictedadmin")
 * asks for it. */
static const char *const rdp_flag_names[] = {
	"restricted_admin",
	"redirected_authentication",
	NULL,
	"correlation_info",
};

static void rdp_json(const struct xh_event *e, const struct rdp_request *r, int bad, struct jbuf *b)
{
	jbuf_key_obj_begin(b, "rdp");
	if (r->cookie)
		jbuf_key_strn(b, "cookie", (const char *)r->cookie, r->cookie_len);
	if (r->token)
		jbuf_key_strn(b, "routing_token", (const char *)r->token, r->token_len);
	if (r->has_neg) {
		jbuf_key_arr_begin(b, "requested_protocols");
		/* 0 is Standard RDP Security, no bit of its own */
		if (!r->protocols)
			jbuf_arr_str(b, "rdp");
		for (unsigned int i = 0; i < 32; i++) {
			if (!(r->protocols & (1u << i)))
				continue;
			if (i < ARRAY_SIZE(rdp_protocol_names)) {
				jbuf_arr_str(b, rdp_protocol_names[i]);
			} else {
				char hex[16];

				/* an unknown bit as its value: "0x40" */
				snprintf(hex, sizeof(hex), "0x%x", 1u << i);
				jbuf_arr_str(b, hex);
			}
		}
		jbuf_arr_end(b);
		if (r->neg_flags) {
			jbuf_key_arr_begin(b, "flags");
			for (unsigned int i = 0; i < 8; i++)
				if ((r->neg_flags & (1u << i)) && i < ARRAY_SIZE(rdp_flag_names) &&
				    rdp_flag_names[i])
					jbuf_arr_str(b, rdp_flag_names[i]);
			jbuf_arr_end(b);
		}
	}
	if (e->d.remote.flags & XH_REMOTE_F_CUT)
		jbuf_key_bool(b, "truncated", 1);
	if (bad)
		jbuf_key_bool(b, "malformed", 1);
	jbuf_obj_end(b);
}

int remote_format_json(const struct xh_event *e, struct jbuf *b)
{
	size_t n = e->name_len < XH_EVENT_NAME_MAX ? e->name_len : XH_EVENT_NAME_MAX;
	int err;

	if (e->detail_kind != XH_DETAIL_REMOTE)
		return 0;
	if (e->rule == XH_RULE_RDP_CONNECT) {
		struct rdp_request r;

		err = remote_rdp_parse(e->name, n, e->d.remote.payload_len, &r);
		rdp_json(e, &r, err != 0, b);
		return err;
	}
	if (e->rule == XH_RULE_SSH_CONNECT) {
		size_t line = e->d.remote.line_len <= n ? e->d.remote.line_len : n;
		struct ssh_ident s;

		err = remote_ssh_parse(e->name, line, &s);
		/* Suricata's EVE "ssh" object: the client's side */
		jbuf_key_obj_begin(b, "ssh");
		jbuf_key_obj_begin(b, "client");
		if (!err) {
			jbuf_key_strn(b, "proto_version", (const char *)s.proto, s.proto_len);
			jbuf_key_strn(b, "software_version", (const char *)s.software,
				      s.software_len);
			if (s.comments)
				jbuf_key_strn(b, "comments", (const char *)s.comments,
					      s.comments_len);
		} else {
			jbuf_key_strn(b, "line", (const char *)e->name, line);
			jbuf_key_bool(b, "malformed", 1);
		}
		jbuf_obj_end(b);
		jbuf_obj_end(b);
		return err;
	}
	return 0;
}

static const char *const remote_counter_names[XH_REMOTE_CNT__MAX] = {
	[XH_REMOTE_CNT_RDP_REQUEST] = "rdp_request",
	[XH_REMOTE_CNT_SSH_CLIENT] = "ssh_client",
	[XH_REMOTE_CNT_SSH_SERVER] = "ssh_server",
	[XH_REMOTE_CNT_SSH_BAD] = "ssh_bad_line",
	[XH_REMOTE_CNT_CUT] = "cut",
	[XH_REMOTE_CNT_LOAD_ERR] = "load_err",
};

const char *remote_counter_name(unsigned int cnt)
{
	return cnt < XH_REMOTE_CNT__MAX ? remote_counter_names[cnt] : NULL;
}
