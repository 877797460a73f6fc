// SPDX-License-Identifier: GPL-2.0
/* test_smb_name_scan.c: xh_smb_name_scan() (bpf/smb_name.h) natively under
 * ASan/UBSan: UTF-16LE surrogates, NULs, control characters, only backslashes,
 * a non-ASCII OEM byte, and the 256-byte bound of a counted name. */
#include <stdlib.h>
#include <string.h>
#include "test.h"
#include "smb.h"
#include "smb_name.h"

static int scan16(const uint16_t *cu, size_t n, struct xh_smb_name *nm)
{
	uint8_t *b = malloc(2 * n + 1);
	int err;

	for (size_t i = 0; i < n; i++) {
		b[2 * i] = cu[i] & 0xff;
		b[2 * i + 1] = cu[i] >> 8;
	}
	err = xh_smb_name_scan(b, (uint32_t)(2 * n), XH_SMB_ENC_UTF16LE, 0, nm);
	free(b);
	return err;
}

void test_smb_name_scan(void)
{
	static const uint16_t ok_pair[] = {'a', 0xd83d, 0xde00, 'b'};
	static const uint16_t lone_hi[] = {'a', 0xd83d, 'b'};
	static const uint16_t lone_lo[] = {'a', 0xde00};
	static const uint16_t hi_end[] = {'a', 0xd83d};
	static const uint16_t nul_in[] = {'a', 0, 'b'};
	static const uint16_t nul_end[] = {'s', 'a', 'm', 'r', 0};
	static const uint16_t ctrl[] = {'a', 0x07};
	static const uint16_t only_bs[] = {'\\', '\\'};
	struct xh_smb_name nm;
	uint8_t *big;

	ASSERT_OK(scan16(ok_pair, 4, &nm), "surrogate pair");
	ASSERT_EQ(scan16(lone_hi, 3, &nm), -XH_SMB_CNT_NAME_BAD, "lone high surrogate");
	ASSERT_EQ(scan16(lone_lo, 2, &nm), -XH_SMB_CNT_NAME_BAD, "lone low surrogate");
	ASSERT_EQ(scan16(hi_end, 2, &nm), -XH_SMB_CNT_NAME_BAD, "high surrogate at the end");
	ASSERT_EQ(scan16(nul_in, 3, &nm), -XH_SMB_CNT_NAME_BAD, "NUL inside");
	ASSERT_OK(scan16(nul_end, 5, &nm), "trailing NUL");
	ASSERT_EQ(nm.len, 8, "trailing NUL not counted");
	ASSERT_EQ(nm.h_full, xh_smb_hash_ascii("SAMR"), "hash folds case");
	ASSERT_EQ(scan16(ctrl, 2, &nm), -XH_SMB_CNT_NAME_BAD, "control character");
	ASSERT_EQ(scan16(only_bs, 2, &nm), -XH_SMB_CNT_NAME_EMPTY, "only backslashes");
	ASSERT_EQ(xh_smb_name_scan((const uint8_t *)"ab\xe9", 3, XH_SMB_ENC_ASCII, 0, &nm),
		  -XH_SMB_CNT_NAME_BAD, "non-ASCII OEM byte");

	/* A counted name longer than 256 bytes: its end is not seen. */
	big = malloc(300);
	memset(big, 'a', 300);
	for (int i = 1; i < 300; i += 2)
		big[i] = 0;
	ASSERT_EQ(xh_smb_name_scan(big, 300, XH_SMB_ENC_UTF16LE, 0, &nm), -XH_SMB_CNT_NAME_LONG,
		  "long name");
	ASSERT_OK(xh_smb_name_scan(big, 256, XH_SMB_ENC_UTF16LE, 0, &nm), "256 bytes fit");
	free(big);
}
