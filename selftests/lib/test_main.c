// SPDX-License-Identifier: GPL-2.0
/* test_main.c: runs every test_<name>() listed in the generated TEST_LIST
 * header; prints "PASS: name", "FAIL: name" or "SKIP: name: why" per test
 * (and per failed subtest) and ends with "N passed, N failed, N skipped".
 * Usage: <runner> [-v] [-d DATADIR] [-x XDPHUNT] [NAME-SUBSTRING...] */
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include "test.h"

#define DEFINE_TEST(name) void test_##name(void);
#include TEST_LIST
#undef DEFINE_TEST

struct test_def {
	const char *name;
	void (*fn)(void);
};

static const struct test_def tests[] = {
#define DEFINE_TEST(name) {#name, test_##name},
#include TEST_LIST
#undef DEFINE_TEST
	{NULL, NULL}, /* keeps the array non-empty while a level has no tests yet */
};

struct test_env env;
static const char *data_dir = ".";
static const char *xdphunt_bin;
static char **filters;
static int nfilters;

const char *test_data_dir(void)
{
	return data_dir;
}
const char *test_xdphunt_bin(void)
{
	return xdphunt_bin;
}

void test_fail_msg(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "  %s:%d: %s%s", file, line, env.subtest ? env.subtest : "",
		env.subtest ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

void test_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(env.skip_reason, sizeof(env.skip_reason), fmt, ap);
	va_end(ap);
	env.skipped = 1;
}

static int sub_fails_at_start;

bool test_subtest(const char *fmt, ...)
{
	static char name[256];
	va_list ap;

	test_subtest_end();
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	env.subtest = name;
	env.subtests++;
	sub_fails_at_start = env.fails;
	return true;
}

void test_subtest_end(void)
{
	if (!env.subtest)
		return;
	if (env.fails > sub_fails_at_start) {
		env.subtest_fails++;
		printf("  FAIL subtest: %s/%s\n", env.name, env.subtest);
	} else if (env.verbose) {
		printf("  ok subtest: %s/%s\n", env.name, env.subtest);
	}
	env.subtest = NULL;
}

static int selected(const char *name)
{
	if (!nfilters)
		return 1;
	for (int i = 0; i < nfilters; i++)
		if (strstr(name, filters[i]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0, opt, verbose = 0;

	while ((opt = getopt(argc, argv, "vd:x:")) != -1) {
		switch (opt) {
		case 'v':
			verbose = 1;
			break;
		case 'd':
			data_dir = optarg;
			break;
		case 'x':
			xdphunt_bin = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-v] [-d DATADIR] [-x XDPHUNT] [NAME...]\n",
				argv[0]);
			return 2;
		}
	}
	filters = argv + optind;
	nfilters = argc - optind;
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (size_t i = 0; tests[i].name; i++) {
		if (!selected(tests[i].name))
			continue;
		memset(&env, 0, sizeof(env));
		env.name = tests[i].name;
		env.verbose = verbose;
		tests[i].fn();
		test_subtest_end();
		if (env.fails) {
			printf("FAIL: %s (%d of %d checks failed)\n", env.name, env.fails,
			       env.asserts);
			failed++;
		} else if (env.skipped) {
			printf("SKIP: %s: %s\n", env.name, env.skip_reason);
			skipped++;
		} else {
			printf("PASS: %s (%d checks)\n", env.name, env.asserts);
			passed++;
		}
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
