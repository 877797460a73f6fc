// SPDX-License-Identifier: GPL-2.0
/* test_ntlm.c: bpf/ntlm.h run natively under ASan/UBSan: the NTLMSSP
 * signature found behind SPNEGO or at a raw blob's start and not past the
 * scan, the AUTHENTICATE's domain, user and workstation fields, and every
 * malformed message refused (another type, a name outside the message or
 * over the fixed part, a message shorter than that part). */
#include <string.h>
#include "test.h"
#include "smbmsg.h"
#include "ntlm.h"

static size_t blob(uint8_t *b, const char *d, const char *u, const char *h, int uni, int spnego)
{
	return ntlm_auth_blob(b, SMBMSG_MAX, d, u, h, uni, spnego);
}

void test_ntlm_auth_parse(void)
{
	uint8_t b[SMBMSG_MAX];
	struct xh_ntlm_auth a;
	size_t n;
	int sig;

	test_subtest("SPNEGO-wrapped, UTF-16LE");
	n = blob(b, "CORP", "administrator", "WS01", 1, 1);
	sig = xh_ntlm_find(b, (uint32_t)n);
	ASSERT_EQ(sig, 16, "the signature behind four long-form heads");
	ASSERT_OK(xh_ntlm_auth_parse(b + sig, (uint32_t)n - sig, (uint32_t)n - sig, &a), "parsed");
	ASSERT_EQ(a.len[XH_NTLM_DOMAIN], 8, "domain bytes");
	ASSERT_EQ(a.len[XH_NTLM_USER], 26, "user bytes");
	ASSERT_EQ(a.len[XH_NTLM_HOST], 8, "host bytes");
	ASSERT_EQ(a.off[XH_NTLM_DOMAIN], 64, "domain right after the fixed part");
	ASSERT_EQ(a.off[XH_NTLM_USER], 72, "user after it");
	ASSERT_TRUE(a.flags & XH_NTLM_F_UNICODE, "unicode");
	ASSERT_EQ(memcmp(b + sig + a.off[XH_NTLM_USER], "a\0d\0m\0", 6), 0, "the user's bytes");
	ASSERT_EQ(a.nt_len, 48, "NT response bytes");
	ASSERT_EQ(a.nt_off, 64 + 8 + 26 + 8, "NT response after the names");
	ASSERT_EQ(b[sig + a.nt_off], 0xa0, "the NT response's first byte");

	test_subtest("raw NTLMSSP, OEM, anonymous");
	n = blob(b, "", "", "KALI", 0, 0);
	ASSERT_EQ(xh_ntlm_find(b, (uint32_t)n), 0, "at the start");
	ASSERT_OK(xh_ntlm_auth_parse(b, (uint32_t)n, (uint32_t)n, &a), "parsed");
	ASSERT_EQ(a.len[XH_NTLM_USER], 0, "no user");
	ASSERT_EQ(a.off[XH_NTLM_USER], 0, "an empty name has no offset");
	ASSERT_EQ(a.len[XH_NTLM_HOST], 4, "host bytes");
	ASSERT_FALSE(a.flags & XH_NTLM_F_UNICODE, "OEM");

	test_subtest("the signature beyond the scan, or cut off");
	n = blob(b + 40, "D", "U", "H", 1, 0);
	memset(b, 0x30, 40);
	ASSERT_EQ(xh_ntlm_find(b, (uint32_t)n + 40), -1, "at 40: not looked for");
	n = blob(b + XH_NTLM_SIG_SCAN, "D", "U", "H", 1, 0);
	ASSERT_EQ(xh_ntlm_find(b, (uint32_t)n + XH_NTLM_SIG_SCAN), XH_NTLM_SIG_SCAN,
		  "at the scan's last position");
	ASSERT_EQ(xh_ntlm_find(b, XH_NTLM_SIG_SCAN + 7), -1, "7 bytes of it at hand");
	ASSERT_EQ(xh_ntlm_find((const uint8_t *)"NTLMSSQ\0", 8), -1, "another word");

	test_subtest("malformed AUTHENTICATE messages are refused");
	n = blob(b, "CORP", "bob", "WS", 1, 0);
	ASSERT_EQ(xh_ntlm_auth_parse(b, 63, (uint32_t)n, &a), -1, "63 bytes at hand");
	ASSERT_EQ(xh_ntlm_auth_parse(b, (uint32_t)n, 63, &a), -1, "a 63-byte message");
	b[8] = 1; /* NEGOTIATE */
	ASSERT_EQ(xh_ntlm_auth_parse(b, (uint32_t)n, (uint32_t)n, &a), -1, "NEGOTIATE");
	b[8] = 2; /* CHALLENGE */
	ASSERT_EQ(xh_ntlm_auth_parse(b, (uint32_t)n, (uint32_t)n, &a), -1, "CHALLENGE");
	b[8] = 3;
	ASSERT_OK(xh_ntlm_auth_parse(b, (uint32_t)n, (uint32_t)n, &a), "restored");
	/* the user's offset (UserNameFields at 36, its offset at 40) */
	b[40] = 60;
	ASSERT_EQ(xh_ntlm_auth_parse(b, (uint32_t)n, (uint32_t)n, &a), -1,
		  "a name inside the fixed part");
	b[40] = (uint8_t)(n - 2);
	ASSERT_EQ(xh_ntlm_auth_parse(b, (uint32_t)n, (uint32_t)n, &a), -1,
		  "a name running past the message");
	b[40] = (uint8_t)(n - 6);
	ASSERT_OK(xh_ntlm_auth_parse(b, (uint32_t)n, (uint32_t)n, &a), "ending at its last byte");
	b[40] = 0xff;
	b[41] = 0xff;
	b[42] = 0xff;
	b[43] = 0xff;
	ASSERT_EQ(xh_ntlm_auth_parse(b, (uint32_t)n, (uint32_t)n, &a), -1,
		  "an offset near 2^32 (no wrap)");

	test_subtest("an NT response outside the message is none, the names still read");
	n = blob(b, "CORP", "bob", "WS", 1, 0);
	b[24] = (uint8_t)(n - 47); /* NtChallengeResponseFields' offset: 48 bytes from n - 47 */
	ASSERT_OK(xh_ntlm_auth_parse(b, (uint32_t)n, (uint32_t)n, &a), "parsed");
	ASSERT_EQ(a.nt_len, 0, "no NT response");
	ASSERT_EQ(a.len[XH_NTLM_USER], 6, "the user still");
	b[24] = (uint8_t)(n - 48);
	ASSERT_OK(xh_ntlm_auth_parse(b, (uint32_t)n, (uint32_t)n, &a), "parsed");
	ASSERT_EQ(a.nt_len, 48, "one ending at the message's last byte");
	b[24] = 60;
	ASSERT_OK(xh_ntlm_auth_parse(b, (uint32_t)n, (uint32_t)n, &a), "parsed");
	ASSERT_EQ(a.nt_len, 0, "one inside the fixed part");
}
