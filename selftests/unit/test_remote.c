// SPDX-License-Identifier: GPL-2.0
/* test_remote.c: the RDP and SSH openings: the kernel's checks (bpf/remote.h,
 * compiled natively) on requests and lines, good, cut and malformed; and
 * user/remote.c's reading of them into the hit's "rdp" and "ssh" objects. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>
#include "test.h"
#include "xh_abi.h"
#include "jsonl.h"
#include "msg.h"
#include "remote.h"
#include "remote_open.h"

void test_remote_kernel_checks(void)
{
	uint8_t b[XH_REMOTE_WIN + 64];
	size_t n;

	test_subtest("rdp request");
	n = msg_rdp_request(b, "Cookie: mstshash=hunter", 1, 0, 3);
	ASSERT_EQ(xh_remote_kind(b, (uint32_t)n), XH_REMOTE_RDP, "a request");
	ASSERT_EQ(xh_remote_kind(b, (uint32_t)n + 1), XH_REMOTE_NONE, "not the segment's length");
	ASSERT_EQ(xh_remote_kind(b, 10), XH_REMOTE_NONE, "shorter than the fixed part");
	b[5] = 0xd0;
	ASSERT_EQ(xh_remote_kind(b, (uint32_t)n), XH_REMOTE_NONE, "a confirm is no request");
	b[5] = 0xe1;
	ASSERT_EQ(xh_remote_kind(b, (uint32_t)n), XH_REMOTE_NONE, "credit nonzero");
	b[5] = 0xe0;
	b[10] = 0x20;
	ASSERT_EQ(xh_remote_kind(b, (uint32_t)n), XH_REMOTE_NONE, "class 2");
	b[10] = 0x00;
	b[4]++;
	ASSERT_EQ(xh_remote_kind(b, (uint32_t)n), XH_REMOTE_NONE, "LI past the request");

	test_subtest("ssh lines");
	memcpy(b, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", 32);
	ASSERT_EQ(xh_remote_kind(b, 32), XH_REMOTE_SSH, "starts SSH-2");
	ASSERT_EQ(xh_ssh_line(b, 32), 30, "CR LF");
	ASSERT_EQ(xh_ssh_line(b, 31), -1, "CR at the segment's end: no LF");
	ASSERT_EQ(xh_ssh_line(b, 20), -1, "no LF in the segment");
	memcpy(b, "SSH-1.99-x\n", 11);
	ASSERT_EQ(xh_ssh_line(b, 11), 10, "lone LF");
	memcpy(b, "SSH-2.0-x\ty\r\n", 13);
	ASSERT_EQ(xh_ssh_line(b, 13), -1, "a tab");
	memcpy(b, "SSH-2.0-x\x80y\r\n", 13);
	ASSERT_EQ(xh_ssh_line(b, 13), -1, "a byte past ASCII");
	memcpy(b, "SSH-2.0-x\ry\r\n", 13);
	ASSERT_EQ(xh_ssh_line(b, 13), -1, "a CR inside");
	memcpy(b, "SSH-X.0-xyzzy\r\n", 15);
	ASSERT_EQ(xh_remote_kind(b, 15), XH_REMOTE_NONE, "no digit");
	/* the longest line, 253 bytes and CR LF; one more is too long */
	memset(b, 'a', sizeof(b));
	memcpy(b, "SSH-2.0-", 8);
	b[253] = '\r';
	b[254] = '\n';
	ASSERT_EQ(xh_ssh_line(b, XH_REMOTE_WIN), 253, "253 bytes");
	b[253] = 'a';
	b[254] = '\r';
	b[255] = '\n';
	ASSERT_EQ(xh_ssh_line(b, XH_REMOTE_WIN), -1, "254 bytes");
	b[254] = '\n';
	ASSERT_EQ(xh_ssh_line(b, XH_REMOTE_WIN), -1, "254 bytes, lone LF");
}

void test_remote_rdp_parse(void)
{
	struct rdp_request r;
	uint8_t b[512];
	size_t n;

	test_subtest("cookie and protocols");
	n = msg_rdp_request(b, "Cookie: mstshash=chewbacca", 1, 0, 3);
	ASSERT_OK(remote_rdp_parse(b, n, n, &r), "parse");
	ASSERT_EQ(r.cookie_len, 9, "cookie length");
	ASSERT_MEMEQ(r.cookie, "chewbacca", 9, "cookie");
	ASSERT_NULL(r.token, "no routing token");
	ASSERT_TRUE(r.has_neg, "negotiation request");
	ASSERT_EQ(r.protocols, 3, "ssl | hybrid");
	ASSERT_FALSE(r.cut, "whole");

	test_subtest("routing token, restricted admin");
	n = msg_rdp_request(b, "Cookie: msts=3640205228.15629.0000", 1, 0x01, 0x0b);
	ASSERT_OK(remote_rdp_parse(b, n, n, &r), "parse");
	ASSERT_NULL(r.cookie, "no mstshash cookie");
	ASSERT_EQ(r.token_len, 34, "token length");
	ASSERT_EQ(r.neg_flags, 1, "restricted admin");
	ASSERT_EQ(r.protocols, 0x0b, "protocols");

	test_subtest("nothing but the fixed part");
	n = msg_rdp_request(b, NULL, 0, 0, 0);
	ASSERT_OK(remote_rdp_parse(b, n, n, &r), "parse");
	ASSERT_FALSE(r.has_neg, "no negotiation request");
	ASSERT_NULL(r.cookie, "no cookie");

	test_subtest("cut and malformed");
	n = msg_rdp_request(b, "Cookie: mstshash=longname", 1, 0, 3);
	/* only 20 bytes carried: the cookie's line has no end */
	ASSERT_OK(remote_rdp_parse(b, 20, n, &r), "cut parse");
	ASSERT_TRUE(r.cut, "cut");
	ASSERT_EQ(r.token_len, 9, "what was carried of the line");
	ASSERT_FALSE(r.has_neg, "the negotiation request was not carried");
	/* a cookie line without CR LF inside a whole request */
	n = msg_rdp_request(b, "Cookie: mstshash=x", 0, 0, 0);
	n -= 2;
	ASSERT_EQ(remote_rdp_parse(b, n, n, &r), -EBADMSG, "no CR LF");
	/* a control byte (a NUL) in the cookie's line */
	n = msg_rdp_request(b, "Cookie: mstshash=ab", 1, 0, 3);
	b[29] = 0;
	ASSERT_EQ(remote_rdp_parse(b, n, n, &r), -EBADMSG, "NUL in the cookie");
	ASSERT_NULL(r.cookie, "the line not given");
	ASSERT_NULL(r.token, "nor as a token");
	/* a negotiation request of the wrong length */
	n = msg_rdp_request(b, NULL, 1, 0, 3);
	b[13] = 9;
	ASSERT_EQ(remote_rdp_parse(b, n, n, &r), -EBADMSG, "length 9");
	ASSERT_EQ(remote_rdp_parse(b, 5, 5, &r), -EBADMSG, "too short");
}

void test_remote_ssh_parse(void)
{
	struct ssh_ident s;
	const char *l;

	l = "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1";
	ASSERT_OK(remote_ssh_parse((const uint8_t *)l, strlen(l), &s), "parse");
	ASSERT_EQ(s.proto_len, 3, "proto length");
	ASSERT_MEMEQ(s.proto, "2.0", 3, "proto");
	ASSERT_EQ(s.software_len, 13, "software length");
	ASSERT_MEMEQ(s.software, "OpenSSH_8.9p1", 13, "software");
	ASSERT_EQ(s.comments_len, 17, "comments length");
	ASSERT_MEMEQ(s.comments, "Ubuntu-3ubuntu0.1", 17, "comments");
	l = "SSH-1.99-Cisco-1.25";
	ASSERT_OK(remote_ssh_parse((const uint8_t *)l, strlen(l), &s), "parse 1.99");
	ASSERT_MEMEQ(s.proto, "1.99", 4, "proto 1.99");
	ASSERT_EQ(s.software_len, 10, "software keeps its own dashes");
	ASSERT_NULL(s.comments, "no comments");
	l = "SSH-2.0";
	ASSERT_EQ(remote_ssh_parse((const uint8_t *)l, strlen(l), &s), -EBADMSG, "no software");
	ASSERT_EQ(remote_ssh_parse((const uint8_t *)"SSH", 3, &s), -EBADMSG, "too short");
}

static void check_json(struct xh_event *e, const char *want, const char *what)
{
	struct jbuf b;

	jbuf_init(&b);
	jbuf_obj_begin(&b);
	(void)remote_format_json(e, &b);
	jbuf_obj_end(&b);
	if (ASSERT_OK(b.err, "jbuf"))
		ASSERT_STREQ(b.buf, want, what);
	jbuf_free(&b);
}

void test_remote_json(void)
{
	static struct xh_event e;
	size_t n;

	memset(&e, 0, sizeof(e));
	e.rule = XH_RULE_RDP_CONNECT;
	e.detail_kind = XH_DETAIL_REMOTE;
	n = msg_rdp_request(e.name, "Cookie: mstshash=a\"b", 1, 0x09, 0x43);
	e.name_len = (uint16_t)n;
	e.d.remote.payload_len = (uint32_t)n;
	check_json(&e,
		   "{\"rdp\":{\"cookie\":\"a\\\"b\",\"requested_protocols\":[\"ssl\",\"hybrid\","
		   "\"0x40\"],\"flags\":[\"restricted_admin\",\"correlation_info\"]}}",
		   "rdp, escaped, an unknown protocol bit");
	n = msg_rdp_request(e.name, NULL, 1, 0, 0);
	e.name_len = (uint16_t)n;
	e.d.remote.payload_len = (uint32_t)n;
	check_json(&e, "{\"rdp\":{\"requested_protocols\":[\"rdp\"]}}", "standard RDP security");
	e.name[13] = 7;
	check_json(&e, "{\"rdp\":{\"malformed\":true}}", "malformed negotiation request");
	n = msg_rdp_request(e.name, "Cookie: mstshash=zz", 0, 0, 0);
	e.name_len = 20;
	e.d.remote.payload_len = 300;
	e.d.remote.flags = XH_REMOTE_F_CUT;
	check_json(&e, "{\"rdp\":{\"routing_token\":\"Cookie: m\",\"truncated\":true}}",
		   "cut inside the cookie's head");

	memset(&e, 0, sizeof(e));
	e.rule = XH_RULE_SSH_CONNECT;
	e.detail_kind = XH_DETAIL_REMOTE;
	memcpy(e.name, "SSH-2.0-Go\r\n", 12);
	e.name_len = 12;
	e.d.remote.line_len = 10;
	check_json(&e,
		   "{\"ssh\":{\"client\":{\"proto_version\":\"2.0\",\"software_version\":\"Go\"}}}",
		   "ssh");
	memcpy(e.name, "SSH-2.0\r\n", 9);
	e.name_len = 9;
	e.d.remote.line_len = 7;
	check_json(&e, "{\"ssh\":{\"client\":{\"line\":\"SSH-2.0\",\"malformed\":true}}}",
		   "ssh without software");
	/* a line length past the bytes carried is held to them */
	e.d.remote.line_len = 400;
	check_json(&e, "{\"ssh\":{\"client\":{\"line\":\"SSH-2.0\\r\\n\",\"malformed\":true}}}",
		   "line_len past name_len");
}
