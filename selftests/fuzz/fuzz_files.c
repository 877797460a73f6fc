// SPDX-License-Identifier: GPL-2.0
/* fuzz_files.c: the libFuzzer target of `make fuzz` for the files a user
 * hands xdphunt (fuzz_inputs.h): the first byte of an input picks the kind
 * (IoC feed, SMB rules, DCE/RPC table), the rest is the file. A crash, a
 * refusal that does not name the file, or a refused feed that changed what
 * was loaded before it aborts, so libFuzzer keeps the input. */
#include <stdio.h>
#include <stdlib.h>
#include "fuzz_inputs.h"

static struct fuzz_inputs *inputs;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	inputs = fuzz_inputs__open();
	if (!inputs) {
		fprintf(stderr, "fuzz_files: cannot set up the harness\n");
		exit(1);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fuzz_input_stats *st = fuzz_inputs_stats(inputs);
	enum fuzz_input_kind kind;

	if (!size)
		return 0;
	kind = (enum fuzz_input_kind)(data[0] % FUZZ_IN__MAX);
	fuzz_inputs_run(inputs, kind, data + 1, size - 1);
	if (st->unnamed[kind] || st->lost[kind]) {
		fprintf(stderr, "fuzz_files: kind %d: %s: %s\n", kind,
			st->lost[kind] ? "a refused feed changed the set"
				       : "a refusal does not name the file",
			fuzz_inputs_messages(inputs));
		abort();
	}
	return 0;
}
