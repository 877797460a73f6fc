// SPDX-License-Identifier: GPL-2.0
/* test_smb_name_scan.c: xh_smb_name_scan() (bpf/smb_name.h) natively under
 * ASan/UBSan: UTF-16LE surrogates, NULs, control characters, only backslashes,
 * a non-ASCII OEM byte (a character), and the 256-byte bound of a counted name. */
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
	static const char oem[] = "\\\\S\xc9RV\\ADMIN$";
	static const uint16_t oem16[] = {'\\', '\\', 'S', 0xc9, 'R', 'V', '\\',
					 'A',  'D',  'M', 'I',	'N', '$'};
	uint32_t h_oem;
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
	/* SMB1 non-Unicode names are in the client's OEM code page: a byte
	 * from 0x80 is a character, hashed as the UTF-16 code unit of its
	 * value, and the last component still matches the ASCII tables. */
	ASSERT_OK(xh_smb_name_scan((const uint8_t *)oem, sizeof(oem) - 1, XH_SMB_ENC_ASCII, 0, &nm),
		  "non-ASCII OEM byte");
	ASSERT_EQ(nm.len, sizeof(oem) - 1, "OEM name length");
	ASSERT_EQ(nm.h_last, xh_smb_hash_ascii("ADMIN$"), "last component after an OEM byte");
	h_oem = nm.h_full;
	ASSERT_OK(scan16(oem16, sizeof(oem16) / sizeof(oem16[0]), &nm), "U+00C9 in UTF-16");
	ASSERT_EQ(h_oem, nm.h_full, "OEM byte 0xC9 hashes as U+00C9");
	ASSERT_EQ(xh_smb_name_scan((const uint8_t *)"ab\x1f", 3, XH_SMB_ENC_ASCII, 0, &nm),
		  -XH_SMB_CNT_NAME_BAD, "ASCII control character");

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

/* The scan a code unit at a time, as it was before names were taken a
 * word of four code units at a time (xh_smb_name_chunk()). */
static int scan_ref(const uint8_t *b, uint32_t bytes, uint8_t enc, uint8_t nul_term,
		    struct xh_smb_name *n)
{
	xh_smb_name_init(n, bytes, enc, nul_term);
	for (uint32_t i = 0; i < n->ncu; i++)
		if (xh_smb_name_step(n, b, i))
			break;
	return xh_smb_name_finish(n, bytes);
}

/* Scan the @n code units @cu both ways, from a buffer of exactly their
 * bytes (ASan sees a read past it); 1 when every field agrees. */
static int same_both_ways(const uint16_t *cu, size_t n, uint8_t nul_term)
{
	struct xh_smb_name a, r;
	uint8_t *b = malloc(2 * n + 1);
	int ea, er;

	for (size_t i = 0; i < n; i++) {
		b[2 * i] = cu[i] & 0xff;
		b[2 * i + 1] = cu[i] >> 8;
	}
	ea = xh_smb_name_scan(b, (uint32_t)(2 * n), XH_SMB_ENC_UTF16LE, nul_term, &a);
	er = scan_ref(b, (uint32_t)(2 * n), XH_SMB_ENC_UTF16LE, nul_term, &r);
	free(b);
	return ea == er && !memcmp(&a, &r, sizeof(a));
}

static size_t to16(const char *s, uint16_t *cu)
{
	size_t n = 0;

	for (; *s; s++)
		cu[n++] = (uint8_t)*s;
	return n;
}

/* Names taken four code units at a time while they are printable ASCII
 * give what the scan a code unit at a time gives, field for field: share
 * and file paths of every length around a word, and random names over
 * backslashes, dots, colons, both cases, '$', DEL, non-ASCII, surrogates, NULs and
 * control characters, inside a word and at its edges. */
void test_smb_name_scan_words(void)
{
	static const char *const names[] = {
		"\\\\fs0\\IPC$",
		"\\\\FILESERVER01\\ADMIN$",
		"\\\\10.0.0.5\\C$",
		"IPC$",
		"c$",
		"\\\\host.corp.example\\share",
		"Windows\\Temp\\PSEXESVC.EXE",
		"a.b.c.d.e.f.g.h",
		"\\\\\\\\x",
		"svcctl",
		"abc",
		"abcd",
		"abcde",
		"ABCDEFGH",
		"\\a\\b\\c\\d\\e\\f",
		"~!@#%^&*()_+{}",
		"evil.exe::$DATA",
		"x.txt:y.exe",
	};
	static const uint16_t odd[] = {0x20, 0x7f, 0x7e, 0x41, 0x5a, 0x5b, 0x40, 0x61, 0x7a};
	uint16_t cu[160];
	unsigned int seed = 7, bad = 0, runs = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = to16(names[i], cu);

		for (uint8_t nul = 0; nul < 2; nul++, runs++)
			bad += !same_both_ways(cu, n, nul);
		cu[n] = 0; /* an SMB1-style terminator */
		bad += !same_both_ways(cu, n + 1, 1);
		runs++;
	}
	bad += !same_both_ways(odd, sizeof(odd) / sizeof(odd[0]), 0);
	runs++;
	for (int t = 0; t < 20000; t++, runs++) {
		size_t n = 1 + (size_t)(rand_r(&seed) % 140);

		for (size_t i = 0; i < n; i++) {
			unsigned int r = (unsigned int)rand_r(&seed) % 100;

			cu[i] = r < 12	 ? '\\'
				: r < 18 ? '.'
				: r < 20 ? ':'
				: r < 24 ? '$'
				: r < 27 ? 0x7f
				: r < 29 ? 0xe9
				: r < 30 ? (uint16_t)(0xd800 + rand_r(&seed) % 0x800)
				: r < 31 ? 0
				: r < 32 ? 0x1f
				: r < 66 ? (uint16_t)('a' + rand_r(&seed) % 26)
					 : (uint16_t)('A' + rand_r(&seed) % 26);
		}
		bad += !same_both_ways(cu, n, (uint8_t)(t & 1));
	}
	ASSERT_EQ(bad, 0, "names where the word scan differs from the code-unit scan");
	ASSERT_EQ(runs, 20000 + 3 * 18 + 1, "names compared");
}

/* The extension, as smb.tool_transfer's table keys it: what follows the last
 * dot of the last component's file name. An NTFS stream name after a ':' is
 * not part of it (evil.exe::$DATA writes evil.exe). In ASCII and UTF-16LE,
 * whose words of four code units take another path. */
void test_smb_name_scan_extension(void)
{
	static const struct {
		const char *name, *ext; /* ext NULL: none */
	} cases[] = {
		{"Temp\\PSEXESVC.EXE", "exe"},
		{"evil.exe::$DATA", "exe"},
		{"Windows\\Temp\\evil.EXE:$DATA", "exe"},
		{"tool.tar.gz", "gz"},
		{"evil.exe:zone.identifier", "exe"},
		{"notes.txt:payload.exe", "txt"},
		{"stream:payload.exe", NULL},
		{"a:b\\c.dll", "dll"},
		{"noext", NULL},
		{"dir.d\\noext", NULL},
	};
	uint16_t cu[64];
	struct xh_smb_name nm;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *name = cases[i].name;
		uint32_t want = cases[i].ext ? xh_smb_hash_ascii(cases[i].ext) : 0;
		size_t n = to16(name, cu);

		ASSERT_OK(xh_smb_name_scan((const uint8_t *)name, (uint32_t)strlen(name),
					   XH_SMB_ENC_ASCII, 0, &nm),
			  name);
		ASSERT_EQ(nm.h_ext, want, name);
		ASSERT_OK(scan16(cu, n, &nm), name);
		ASSERT_EQ(nm.h_ext, want, name);
		ASSERT_EQ(nm.h_full, xh_smb_hash_ascii(name), "the whole name keeps its stream");
	}
}
