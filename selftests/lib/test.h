/* SPDX-License-Identifier: GPL-2.0 */
/* test.h: test_progs-style assertions. Each ASSERT_* prints both values on
 * failure, marks the current test failed and returns false, so setup can do
 * `if (!ASSERT_OK(err, "load")) goto out;`. A test is any function
 * `void test_<name>(void)` in selftests/unit or selftests/prog: the Makefile
 * finds them, test_main.c runs them (optionally filtered by name). */
#ifndef XH_TEST_H
#define XH_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct test_env {
	const char *name; /* running test */
	int fails;	  /* assertions failed in this test */
	int asserts;	  /* assertions checked in this test */
	int skipped;	  /* test_skip() was called */
	int subtests;	  /* subtests started */
	int subtest_fails;
	const char *subtest; /* running subtest name, or NULL */
	char skip_reason[256];
	int verbose;
};
extern struct test_env env;

/* Mark the current test as skipped with a reason (printed as "SKIP: name: why"). */
void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Start a named subtest (one table row); always returns true. A failed
 * subtest prints as "FAIL subtest: test/subtest". */
bool test_subtest(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void test_subtest_end(void);
/* xorshift64 (13, 7, 17) over the state @s: the same numbers on every run
 * from a seed, for tests that mutate or generate input. @s must not be 0. */
static inline uint64_t test_xorshift64(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Directory with test fixtures and data passed on the command line (-d), or "." */
const char *test_data_dir(void);
/* Path of the xdphunt binary passed with -x (for CLI tests), or NULL. */
const char *test_xdphunt_bin(void);
void test_fail_msg(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define _CHECK(cond, ...)                                                                          \
	({                                                                                         \
		bool ___ok = (cond);                                                               \
		env.asserts++;                                                                     \
		if (!___ok) {                                                                      \
			env.fails++;                                                               \
			test_fail_msg(__FILE__, __LINE__, __VA_ARGS__);                            \
		}                                                                                  \
		___ok;                                                                             \
	})

#define ASSERT_TRUE(a, name)  _CHECK((a), "%s: expected true", (name))
#define ASSERT_FALSE(a, name) _CHECK(!(a), "%s: expected false", (name))
#define ASSERT_EQ(a, b, name)                                                                      \
	({                                                                                         \
		long long ___a = (long long)(a), ___b = (long long)(b);                            \
		_CHECK(___a == ___b, "%s: got %lld (0x%llx), expected %lld (0x%llx)", (name),      \
		       ___a, (unsigned long long)___a, ___b, (unsigned long long)___b);            \
	})
#define ASSERT_NEQ(a, b, name)                                                                     \
	({                                                                                         \
		long long ___a = (long long)(a), ___b = (long long)(b);                            \
		_CHECK(___a != ___b, "%s: got %lld, expected anything else", (name), ___a);        \
	})
#define ASSERT_GE(a, b, name)                                                                      \
	({                                                                                         \
		long long ___a = (long long)(a), ___b = (long long)(b);                            \
		_CHECK(___a >= ___b, "%s: got %lld, expected >= %lld", (name), ___a, ___b);        \
	})
#define ASSERT_LT(a, b, name)                                                                      \
	({                                                                                         \
		long long ___a = (long long)(a), ___b = (long long)(b);                            \
		_CHECK(___a < ___b, "%s: got %lld, expected < %lld", (name), ___a, ___b);          \
	})
#define ASSERT_OK(a, name)                                                                         \
	({                                                                                         \
		long long ___a = (long long)(a);                                                   \
		_CHECK(___a == 0, "%s: got error %lld, expected 0", (name), ___a);                 \
	})
#define ASSERT_ERR(a, name)                                                                        \
	({                                                                                         \
		long long ___a = (long long)(a);                                                   \
		_CHECK(___a < 0, "%s: got %lld, expected an error (< 0)", (name), ___a);           \
	})
#define ASSERT_OK_PTR(p, name) _CHECK((p) != NULL, "%s: got NULL", (name))
#define ASSERT_NULL(p, name)   _CHECK((p) == NULL, "%s: expected NULL", (name))
#define ASSERT_STREQ(a, b, name)                                                                   \
	({                                                                                         \
		const char *___a = (a), *___b = (b);                                               \
		_CHECK(___a &&___b &&strcmp(___a, ___b) == 0, "%s: got \"%s\", expected \"%s\"",   \
		       (name), ___a ? ___a : "(null)", ___b ? ___b : "(null)");                    \
	})
#define ASSERT_HAS_SUBSTR(hay, needle, name)                                                       \
	({                                                                                         \
		const char *___h = (hay), *___n = (needle);                                        \
		_CHECK(___h &&___n &&strstr(___h, ___n) != NULL,                                   \
		       "%s: \"%s\" does not contain \"%s\"", (name), ___h ? ___h : "(null)",       \
		       ___n ? ___n : "(null)");                                                    \
	})
#define ASSERT_MEMEQ(a, b, n, name)                                                                \
	_CHECK(memcmp((a), (b), (n)) == 0, "%s: %zu bytes differ", (name), (size_t)(n))

#endif
