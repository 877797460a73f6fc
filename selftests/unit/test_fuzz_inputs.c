// SPDX-License-Identifier: GPL-2.0
/* test_fuzz_inputs.c: the files a user hands xdphunt (IoC feeds as list, CSV
 * and STIX; SMB rules; DCE/RPC tables), the shipped ones and 200 mutants of
 * each, through the fuzz harness (selftests/fuzz/fuzz_inputs.c) under
 * ASan/UBSan: no crash, every refusal names the file, and a refused feed
 * leaves what was loaded before it. A bounded, repeatable slice of what
 * `make fuzz` runs on these files. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_inputs.h"
#include "test.h"

#define MUTANTS 200

static const char stix_bundle[] =
	"{\"type\":\"bundle\",\"id\":\"bundle--f\",\"objects\":[\n"
	"{\"type\":\"intrusion-set\",\"id\":\"intrusion-set--f\",\"name\":\"Lazarus Group\"},\n"
	"{\"type\":\"indicator\",\"id\":\"indicator--a\",\"pattern_type\":\"stix\","
	"\"confidence\":50,\"pattern\":\"[ipv4-addr:value = '203.0.113.5'] OR "
	"[domain-name:value = 'c2.example']\"},\n"
	"{\"type\":\"indicator\",\"id\":\"indicator--b\",\"pattern_type\":\"stix\","
	"\"pattern\":\"[ipv6-addr:value = '2001:db8:bad::/48']\","
	"\"external_references\":[{\"source_name\":\"x\",\"url\":\"https://r.example/\"}]},\n"
	"{\"type\":\"relationship\",\"relationship_type\":\"indicates\","
	"\"source_ref\":\"indicator--a\",\"target_ref\":\"intrusion-set--f\"}\n"
	"]}\n";

/* Start of line @k (0-based) of @b, or @n past the last. */
static size_t line_start(const char *b, size_t n, size_t k)
{
	size_t i = 0;

	while (k && i < n)
		if (b[i++] == '\n')
			k--;
	return i;
}

/* Mutant @kind of @in (@n bytes) into @out (room for 2 * @n + 16): cut
 * short, bytes flipped, a line dropped, a line doubled, or a character the
 * parsers split on put somewhere. Returns its length. */
static size_t mutate_text(int kind, const char *in, size_t n, char *out, uint64_t *s)
{
	static const char special[] = ",\"\n/:{}[]\\\t'#.\xff";
	size_t lines = 1, line, a, b, off;

	for (size_t i = 0; i < n; i++)
		lines += in[i] == '\n';
	line = test_xorshift64(s) % lines; /* [a, b): one line, its newline included */
	a = line_start(in, n, line);
	b = line_start(in, n, line + 1);
	switch (kind) {
	case 0:
		off = n ? test_xorshift64(s) % n : 0;
		memcpy(out, in, off);
		return off;
	case 1:
		memcpy(out, in, n);
		for (int i = 0; n && i <= (int)(test_xorshift64(s) % 4); i++)
			out[test_xorshift64(s) % n] ^= (char)(1 + test_xorshift64(s) % 255);
		return n;
	case 2: /* drop the line */
		memcpy(out, in, a);
		memcpy(out + a, in + b, n - b);
		return n - (b - a);
	case 3: /* the line twice */
		memcpy(out, in, b);
		memcpy(out + b, in + a, b - a);
		memcpy(out + b + (b - a), in + b, n - b);
		return n + (b - a);
	default:
		off = n ? test_xorshift64(s) % n : 0;
		memcpy(out, in, off);
		out[off] = test_xorshift64(s) % 8
				   ? special[test_xorshift64(s) % (sizeof(special) - 1)]
				   : '\0';
		memcpy(out + off + 1, in + off, n - off);
		return n + 1;
	}
}

/* @path's first @max bytes, cut at a line end. NULL on error. */
static char *read_head(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = malloc(max + 1);
	size_t n = 0;

	if (f && b)
		n = fread(b, 1, max, f);
	if (f)
		fclose(f);
	if (!b || !n) {
		free(b);
		return NULL;
	}
	while (n == max && n && b[n - 1] != '\n')
		n--;
	*len = n;
	return b;
}

static void run_mutants(struct fuzz_inputs *f, enum fuzz_input_kind kind, const char *what,
			const char *text, size_t n, uint64_t *seed)
{
	const struct fuzz_input_stats *st = fuzz_inputs_stats(f);
	char *out = malloc(2 * n + 16);
	unsigned long loaded = st->loaded[kind];

	if (!ASSERT_OK_PTR(out, "buffer"))
		return;
	fuzz_inputs_run(f, kind, (const uint8_t *)text, n);
	if (!ASSERT_EQ(st->loaded[kind], loaded + 1, what))
		printf("  %s: %s\n", what, fuzz_inputs_messages(f));
	for (int k = 0; k < MUTANTS; k++) {
		unsigned long unnamed = st->unnamed[kind], lost = st->lost[kind];
		size_t m = mutate_text(k % 5, text, n, out, seed);

		fuzz_inputs_run(f, kind, (const uint8_t *)out, m);
		if (st->unnamed[kind] != unnamed || st->lost[kind] != lost)
			printf("  %s mutant %d (kind %d): %s\n", what, k, k % 5,
			       fuzz_inputs_messages(f));
	}
	free(out);
}

void test_fuzz_inputs_mutated(void)
{
	static const struct {
		enum fuzz_input_kind kind;
		const char *path; /* under the repository; NULL: stix_bundle */
		size_t max;
	} bases[] = {
		{FUZZ_IN_IOC_FEED, "selftests/fixtures/ioc-good.txt", 4096},
		{FUZZ_IN_IOC_FEED, "data/ioc/lazarus.csv", 16384},
		{FUZZ_IN_IOC_FEED, NULL, 0},
		{FUZZ_IN_SMB_RULES, "data/smb-rules.conf", 65536},
		{FUZZ_IN_DCERPC_TABLE, "data/dcerpc.tsv", 65536},
	};
	struct fuzz_inputs *f = fuzz_inputs__open();
	const struct fuzz_input_stats *st;
	uint64_t seed = 0x8badf00dcafef00dull;
	char path[512];

	if (!ASSERT_OK_PTR(f, "fuzz harness"))
		return;
	st = fuzz_inputs_stats(f);
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		char *text;
		size_t n = 0;

		if (!bases[i].path) {
			run_mutants(f, bases[i].kind, "stix bundle", stix_bundle,
				    sizeof(stix_bundle) - 1, &seed);
			continue;
		}
		/* The data directory is -d selftests/fixtures; the repository is two up. */
		snprintf(path, sizeof(path), "%s/../../%s", test_data_dir(), bases[i].path);
		text = read_head(path, bases[i].max, &n);
		if (!ASSERT_OK_PTR(text, bases[i].path))
			continue;
		run_mutants(f, bases[i].kind, bases[i].path, text, n, &seed);
		free(text);
	}
	for (int k = 0; k < FUZZ_IN__MAX; k++) {
		printf("# fuzz_inputs_mutated: kind %d: %lu runs, %lu loaded, %lu refused\n", k,
		       st->runs[k], st->loaded[k], st->refused[k]);
		test_subtest("kind %d", k);
		ASSERT_GE(st->loaded[k], 2, "originals and some mutants load");
		ASSERT_GE(st->refused[k], 2, "some mutants are refused");
		ASSERT_EQ(st->unnamed[k], 0, "every refusal names the file");
		ASSERT_EQ(st->lost[k], 0, "a refused feed leaves the set as it was");
	}
	fuzz_inputs__free(f);
}
