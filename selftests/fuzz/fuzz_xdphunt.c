// SPDX-License-Identifier: GPL-2.0
/* fuzz_xdphunt.c: the libFuzzer target of `make fuzz`. An input is a run of
 * frames (fuzz_engine.h: a 2-byte little-endian length before each) through
 * xdphunt's BPF program compiled natively, with ASan and UBSan; flow state
 * carries over between frames and inputs, as on a sensor, so SMB and DCE/RPC
 * state machines are reached. A bad event record, a rule its 5-tuple cannot
 * have or a JSON line that does not parse back aborts, so libFuzzer keeps
 * the input that made it. Seeds: the frames of the public corpus
 * (scripts/fuzz.sh). */
#include <stdio.h>
#include <stdlib.h>
#include "fuzz_engine.h"

static struct fuzz_engine *engine;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	engine = fuzz_engine__open();
	if (!engine) {
		fprintf(stderr, "fuzz_xdphunt: cannot set up the engine\n");
		exit(1);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fuzz_stats *st = fuzz_engine_stats(engine);

	fuzz_engine_input(engine, data, size);
	if (st->bad_records || st->bad_json || st->misclassified) {
		fprintf(stderr,
			"fuzz_xdphunt: %lu bad records, %lu bad JSON lines, %lu misclassified\n",
			st->bad_records, st->bad_json, st->misclassified);
		abort();
	}
	return 0;
}
