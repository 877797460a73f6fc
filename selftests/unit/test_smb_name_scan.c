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

/* What a scan should give, written from the name's rules a code unit at a
 * time and independently of the scanner's words and passes. */
struct want {
	int err;
	uint32_t len, h_full, h_last, h_ext, h_sext, c0, c1;
	uint8_t comp_len;
};

static uint16_t lower16(uint16_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint16_t)(c + 'a' - 'A') : c;
}

/* The hash of @n code units, from its definition: FNV-1a over the code
 * units, a code unit per step, ASCII letters folded to lower case. */
static uint32_t ref_hash(const uint16_t *cu, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t j = 0; j < n; j++)
		h = (h ^ lower16(cu[j])) * 16777619u;
	return h;
}

static void ref_scan(const uint16_t *cu, size_t n, uint8_t nul_term, struct want *r)
{
	size_t ncu = n < XH_SMB_NAME_CU ? n : XH_SMB_NAME_CU, end = ncu, fs, ls, colon, colon2, dot,
	       sdot, i;
	int hi = 0, done = 0;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < ncu; i++) {
		uint16_t c = cu[i];

		if (c == 0) {
			if (!nul_term && i + 1 != ncu)
				goto bad;
			end = i;
			done = 1;
			break;
		}
		if (c < 0x20)
			goto bad;
		if (c >= 0xd800 && c <= 0xdbff) {
			if (hi)
				goto bad;
			hi = 1;
		} else if (c >= 0xdc00 && c <= 0xdfff) {
			if (!hi)
				goto bad;
			hi = 0;
		} else if (hi) {
			goto bad;
		}
	}
	if (hi)
		goto bad;
	if (!nul_term && n > ncu) {
		r->err = -XH_SMB_CNT_NAME_LONG;
		return;
	}
	if (!done && nul_term) {
		r->err = ncu == XH_SMB_NAME_CU && n > ncu ? -XH_SMB_CNT_NAME_LONG
							  : -XH_SMB_CNT_NAME_BAD;
		return;
	}
	for (fs = 0; fs < end && cu[fs] == '\\'; fs++)
		;
	if (fs == end) {
		r->err = -XH_SMB_CNT_NAME_EMPTY;
		return;
	}
	for (ls = i = fs; i < end; i++)
		if (cu[i] == '\\')
			ls = i + 1;
	/* The last component: file name [':' stream name [':' type]]. */
	for (colon = ls; colon < end && cu[colon] != ':'; colon++)
		;
	for (colon2 = colon + (colon < end); colon2 < end && cu[colon2] != ':'; colon2++)
		;
	for (dot = end, i = ls; i < colon; i++)
		if (cu[i] == '.')
			dot = i;
	for (sdot = end, i = colon + 1; i < colon2; i++)
		if (cu[i] == '.')
			sdot = i;
	r->h_full = ref_hash(cu + fs, end - fs);
	r->h_last = ref_hash(cu + ls, end - ls);
	r->h_ext = dot < end ? ref_hash(cu + dot + 1, colon - dot - 1) : 0;
	r->h_sext = sdot < end ? ref_hash(cu + sdot + 1, colon2 - sdot - 1) : 0;
	r->comp_len = (uint8_t)(end - ls < 3 ? end - ls : 3);
	r->c0 = end - ls >= 1 ? lower16(cu[ls]) : 0;
	r->c1 = end - ls >= 2 ? lower16(cu[ls + 1]) : 0;
	r->len = (uint32_t)end;
	return;
bad:
	r->err = -XH_SMB_CNT_NAME_BAD;
}

/* Scan the @n code units @cu (below 0x100 for ASCII) from a buffer of
 * exactly their bytes (ASan sees a read past it); 1 when the scan gives what
 * ref_scan() says. */
static int same_as_ref(const uint16_t *cu, size_t n, uint8_t enc, uint8_t nul_term)
{
	size_t cs = enc == XH_SMB_ENC_UTF16LE ? 2 : 1;
	uint8_t *b = malloc(cs * n + 1);
	struct xh_smb_name a;
	struct want r;
	int ea;

	for (size_t i = 0; i < n; i++) {
		b[cs * i] = cu[i] & 0xff;
		if (cs == 2)
			b[2 * i + 1] = cu[i] >> 8;
	}
	ea = xh_smb_name_scan(b, (uint32_t)(cs * n), enc, nul_term, &a);
	free(b);
	ref_scan(cu, n, nul_term, &r);
	if (ea != r.err)
		return 0;
	/* c0 and c1 count as far as comp_len reaches. */
	return ea || (a.len == r.len * cs && a.h_full == r.h_full && a.h_last == r.h_last &&
		      a.h_ext == r.h_ext && a.h_sext == r.h_sext && a.comp_len == r.comp_len &&
		      (r.comp_len < 1 || a.c0 == r.c0) && (r.comp_len < 2 || a.c1 == r.c1));
}

static size_t to16(const char *s, uint16_t *cu)
{
	size_t n = 0;

	for (; *s; s++)
		cu[n++] = (uint8_t)*s;
	return n;
}

/* The scan (a word of four printable code units at a time, the rest one by
 * one) gives what the rules say,
 * field for field, in UTF-16LE and in ASCII: share and file paths of every
 * length around a word, and random names over backslashes, dots, colons,
 * both cases, '$', DEL, non-ASCII, surrogates, NULs and control
 * characters, inside a word and at its edges, up to past the 128 code units
 * scanned. */
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
		"notes.txt:payload.exe",
		"Windows\\Temp\\notes.txt:PAYLOAD.EXE:$DATA",
		"notes.txt::$DATA",
		"a.exe:zone.identifier",
		"notes.txt:Zone.Identifier:$DATA",
		"a:b.exe\\c.txt",
		"dir:x.y.z:t.u:v.w",
		"f:.:.",
	};
	static const uint16_t odd[] = {0x20, 0x7f, 0x7e, 0x41, 0x5a, 0x5b, 0x40, 0x61, 0x7a};
	uint16_t cu[160];
	unsigned int seed = 7, bad = 0, runs = 0, valid = 0, streams = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = to16(names[i], cu);

		for (int e = 0; e < 2; e++) {
			uint8_t enc = e ? XH_SMB_ENC_ASCII : XH_SMB_ENC_UTF16LE;

			for (uint8_t nul = 0; nul < 2; nul++, runs++)
				bad += !same_as_ref(cu, n, enc, nul);
			cu[n] = 0; /* an SMB1-style terminator, and one tolerated last */
			for (uint8_t nul = 0; nul < 2; nul++, runs++)
				bad += !same_as_ref(cu, n + 1, enc, nul);
		}
	}
	bad += !same_as_ref(odd, sizeof(odd) / sizeof(odd[0]), XH_SMB_ENC_UTF16LE, 0);
	runs++;
	for (int t = 0; t < 40000; t++, runs++) {
		size_t n = 1 + (size_t)(rand_r(&seed) % 140);
		uint8_t enc = t & 2 ? XH_SMB_ENC_ASCII : XH_SMB_ENC_UTF16LE;
		/* Half the names hold no code unit that makes them bad. */
		unsigned int top = t & 4 ? 100 : 96;
		struct xh_smb_name nm;

		for (size_t i = 0; i < n; i++) {
			unsigned int r = (unsigned int)rand_r(&seed) % top;

			cu[i] = r < 12	 ? '\\'
				: r < 18 ? '.'
				: r < 20 ? ':'
				: r < 24 ? '$'
				: r < 27 ? 0x7f
				: r < 29 ? 0xe9
				: r < 60 ? (uint16_t)('a' + rand_r(&seed) % 26)
				: r < 96 ? (uint16_t)('A' + rand_r(&seed) % 26)
				: r < 97 ? (uint16_t)(0xd800 + rand_r(&seed) % 0x800)
				: r < 98 ? 0
				: r < 99 ? 0x1f
					 : 0x4e2d; /* a CJK character */
			if (enc == XH_SMB_ENC_ASCII && cu[i] > 0xff)
				cu[i] = 0xc9;
		}
		bad += !same_as_ref(cu, n, enc, (uint8_t)(t & 1));
		if (n <= XH_SMB_NAME_CU) {
			uint8_t b[2 * XH_SMB_NAME_CU];

			for (size_t i = 0; i < n; i++) {
				b[2 * i] = cu[i] & 0xff;
				b[2 * i + 1] = cu[i] >> 8;
			}
			if (!xh_smb_name_scan(b, (uint32_t)(2 * n), XH_SMB_ENC_UTF16LE, 0, &nm)) {
				valid++;
				streams += nm.h_sext != 0;
			}
		}
	}
	ASSERT_EQ(bad, 0, "names where the scan differs from the rules");
	ASSERT_EQ(runs, 40000 + 8 * 26 + 1, "names compared");
	/* Enough of them valid that their hashes were compared. */
	ASSERT_TRUE(valid > 8000, "valid random names");
	ASSERT_TRUE(streams > 400, "valid random names with a stream extension");
}

/* The extensions, as smb.tool_transfer's table keys them: what follows the
 * last dot of the last component's file name, and of its NTFS stream name
 * (after the first ':', up to a second ':' that starts the stream type).
 * evil.exe::$DATA writes evil.exe (no stream name); notes.txt:payload.exe
 * writes an executable into a stream of notes.txt. In ASCII and UTF-16LE,
 * whose words of four code units take another path. */
void test_smb_name_scan_extension(void)
{
	static const struct {
		const char *name, *ext, *sext; /* NULL: none */
	} cases[] = {
		{"Temp\\PSEXESVC.EXE", "exe", NULL},
		{"evil.exe", "exe", NULL},
		{"evil.exe::$DATA", "exe", NULL},
		{"Windows\\Temp\\evil.EXE:$DATA", "exe", NULL},
		{"tool.tar.gz", "gz", NULL},
		{"evil.exe:zone.identifier", "exe", "identifier"},
		{"a.exe:zone.identifier", "exe", "identifier"},
		{"notes.txt:payload.exe", "txt", "exe"},
		{"notes.txt:PAYLOAD.EXE", "txt", "exe"},
		{"notes.txt:payload.exe:$DATA", "txt", "exe"},
		{"Windows\\Temp\\notes.txt:payload.exe:$DATA", "txt", "exe"},
		{"notes.txt:payload.txt", "txt", "txt"},
		{"notes.txt::$DATA", "txt", NULL},
		{"notes.txt:Zone.Identifier:$DATA", "txt", "identifier"},
		{"notes.txt:payload:x.exe", "txt", NULL},
		{"notes.txt:a.b.dll:$DATA:c.exe", "txt", "dll"},
		{"stream:payload.exe", NULL, "exe"},
		{"dir:payload.exe:$DATA", NULL, "exe"},
		{"a:b\\c.dll", "dll", NULL},
		{"a:b.exe\\c.txt", "txt", NULL},
		{"x.y:b.exe\\noext", NULL, NULL},
		{"noext", NULL, NULL},
		{"dir.d\\noext", NULL, NULL},
	};
	uint16_t cu[64];
	struct xh_smb_name nm;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *name = cases[i].name;
		uint32_t want = cases[i].ext ? xh_smb_hash_ascii(cases[i].ext) : 0;
		uint32_t swant = cases[i].sext ? xh_smb_hash_ascii(cases[i].sext) : 0;
		size_t n = to16(name, cu);

		ASSERT_OK(xh_smb_name_scan((const uint8_t *)name, (uint32_t)strlen(name),
					   XH_SMB_ENC_ASCII, 0, &nm),
			  name);
		ASSERT_EQ(nm.h_ext, want, name);
		ASSERT_EQ(nm.h_sext, swant, name);
		ASSERT_OK(scan16(cu, n, &nm), name);
		ASSERT_EQ(nm.h_ext, want, name);
		ASSERT_EQ(nm.h_sext, swant, name);
		ASSERT_EQ(nm.h_full, xh_smb_hash_ascii(name), "the whole name keeps its stream");
	}
}

/* The table hash tells apart what the SMB tables hold: the built-in shares,
 * pipes and extensions, and their neighbours. */
void test_smb_name_hash(void)
{
	static const char *const names[] = {
		"admin$", "ipc$",   "c$",     "d$",	  "print$",   "svcctl", "atsvc", "samr",
		"lsarpc", "srvsvc", "winreg", "netlogon", "epmapper", "exe",	"dll",	 "ps1",
		"bat",	  "vbs",    "a",      "b",	  "ab",	      "ba",	"admin", "admin$$",
	};
	unsigned int same = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (size_t j = i + 1; j < sizeof(names) / sizeof(names[0]); j++)
			same += xh_smb_hash_ascii(names[i]) == xh_smb_hash_ascii(names[j]);
	ASSERT_EQ(same, 0, "distinct names, distinct hashes");
	ASSERT_EQ(xh_smb_hash_ascii("\\\\ADMIN$"), xh_smb_hash_ascii("admin$"),
		  "leading backslashes and case do not count");
}
