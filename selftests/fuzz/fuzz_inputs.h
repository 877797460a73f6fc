/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz_inputs.h: the files a user hands xdphunt, fed arbitrary bytes: IoC
 * feeds (plain list, CSV, STIX; user/ioc_file.c), SMB rules (user/
 * smb_rules.c) and DCE/RPC tables (user/dcerpc_table.c), under ASan/UBSan.
 * Besides not crashing, each must keep the promise its header makes: a
 * refused file is named in the message (with its line where there is one),
 * and a refused feed leaves the set as it was, so nothing already loaded is
 * lost. Shared by the libFuzzer target fuzz_files.c (`make fuzz`) and the
 * mutation test of `make test` (selftests/unit/test_fuzz_inputs.c). */
#ifndef XH_FUZZ_INPUTS_H
#define XH_FUZZ_INPUTS_H

#include <stddef.h>
#include <stdint.h>

enum fuzz_input_kind {
	FUZZ_IN_IOC_FEED,
	FUZZ_IN_SMB_RULES,
	FUZZ_IN_DCERPC_TABLE,
	FUZZ_IN__MAX,
};

struct fuzz_input_stats {
	unsigned long runs[FUZZ_IN__MAX];
	unsigned long loaded[FUZZ_IN__MAX];
	unsigned long refused[FUZZ_IN__MAX];
	unsigned long unnamed[FUZZ_IN__MAX]; /* refused without naming the file */
	unsigned long lost[FUZZ_IN__MAX];    /* a refused feed changed the set, or a count is off */
};

struct fuzz_inputs;

/* NULL after a message on stderr. */
struct fuzz_inputs *fuzz_inputs__open(void);
void fuzz_inputs__free(struct fuzz_inputs *f); /* accepts NULL */

/* Load @size bytes at @data as a file of @kind, and check the outcome. */
void fuzz_inputs_run(struct fuzz_inputs *f, enum fuzz_input_kind kind, const uint8_t *data,
		     size_t size);
const struct fuzz_input_stats *fuzz_inputs_stats(const struct fuzz_inputs *f);
/* The messages of the last run (NUL-terminated, maybe empty). */
const char *fuzz_inputs_messages(const struct fuzz_inputs *f);

#endif
