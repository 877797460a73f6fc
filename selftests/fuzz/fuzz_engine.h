/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz_engine.h: bpf/xdphunt.bpf.c compiled natively (user/native/) and set
 * up as `xdphunt replay --engine native` sets it up (built-in SMB rules and
 * DCE/RPC table, an IoC feed), fed arbitrary frames. Each frame sits in a
 * buffer of exactly its length, so the sanitizers catch any read past it;
 * every event the frames produce is checked as a record, against what its
 * 5-tuple allows (an SMB rule needs TCP on an SMB port, ioc.dest a server in
 * the feed, ...), and formatted into the JSON line `xdphunt run` would write,
 * which must parse back.
 *
 * Shared by the libFuzzer target (fuzz_xdphunt.c, `make fuzz`) and the
 * bounded mutation test of `make test` (selftests/unit/test_fuzz_corpus.c). */
#ifndef XH_FUZZ_ENGINE_H
#define XH_FUZZ_ENGINE_H

#include <stddef.h>
#include <stdint.h>

struct fuzz_engine;

struct fuzz_stats {
	unsigned long frames;
	unsigned long events;
	unsigned long bad_records;   /* wrong size, unknown rule or family, name too long */
	unsigned long bad_json;	     /* a record that did not format, or JSON that does not parse */
	unsigned long misclassified; /* a rule its 5-tuple cannot have (fuzz_engine.c) */
	unsigned long rules[64];     /* events per rule (enum xh_rule) */
};

/* Set up the engine. NULL after a message on stderr. */
struct fuzz_engine *fuzz_engine__open(void);
/* Accepts NULL. */
void fuzz_engine__free(struct fuzz_engine *f);

/* Run one frame of @len bytes and check the events it made. */
void fuzz_engine_frame(struct fuzz_engine *f, const uint8_t *frame, size_t len);
/* An input of several frames, each a 2-byte little-endian length and that
 * many bytes (the last frame takes what remains when the input is short).
 * Flow state persists across frames and inputs, as on a sensor. */
void fuzz_engine_input(struct fuzz_engine *f, const uint8_t *data, size_t size);
/* Forget every flow (the state of earlier captures). */
void fuzz_engine_clear_flows(struct fuzz_engine *f);

const struct fuzz_stats *fuzz_engine_stats(const struct fuzz_engine *f);

#endif
