/* SPDX-License-Identifier: GPL-2.0 */
/* engine.h: run a natively compiled BPF program (nrt_prog.h) with the maps
 * its BPF object defines, filled by the ordinary userspace code: while an
 * engine is open, bpf_map__fd() of the object's maps returns descriptors of
 * native maps, bpf_map_create() makes native maps, and bpf_map_*_elem() on
 * them reach the runtime (user/native/wrap.c). One engine per process. */
#ifndef XH_NRT_ENGINE_H
#define XH_NRT_ENGINE_H

#include <stddef.h>
#include <stdint.h>

struct bpf_object;
struct nrt_prog;
struct nrt_engine;

/* Make a native map for every map of @obj (opened, not loaded; sizes as set
 * on it) and bind @prog to them. Fails, naming it, on a map or global of the
 * object that @prog does not list. NULL and errno. */
struct nrt_engine *nrt_engine__open(struct bpf_object *obj, const struct nrt_prog *prog);
/* Accepts NULL. */
void nrt_engine__free(struct nrt_engine *e);

/* Copy the object's global variables (as userspace last wrote them through
 * the .data/.bss maps, e.g. loader_arm()) into the program's. 0 or -errno. */
int nrt_engine_sync(struct nrt_engine *e);

/* The address of the program's global @name, if it is @size bytes, for a
 * caller that writes it before each run (replay's capture clock) without a
 * nrt_engine_sync(). NULL if the program has no such global. */
void *nrt_engine_var(struct nrt_engine *e, const char *name, size_t size);

/* The first buffer of a frame, as BPF_PROG_TEST_RUN makes it on x86_64: a
 * page less XDP_PACKET_HEADROOM (256) and the aligned skb_shared_info
 * (320); longer frames go on in fragments. */
#define NRT_XDP_LINEAR_MAX 3520

/* Run the program once over @len bytes at @frame (read only; the program
 * sees exactly these bytes: the first NRT_XDP_LINEAR_MAX through its packet
 * pointers, all through the helpers, as a multi-buffer frame), as from
 * interface @ifindex. Returns the XDP verdict. */
int nrt_engine_run(struct nrt_engine *e, const void *frame, uint32_t len, uint32_t ifindex);

/* Hand every record the runs wrote to the object's ring buffer to @cb
 * (libbpf's ring_buffer_sample_fn), like ring_buffer__consume(). Returns the
 * count or the first negative value of @cb. */
int nrt_engine_drain(struct nrt_engine *e, int (*cb)(void *ctx, void *data, size_t size),
		     void *ctx);

/* wrap.c: the descriptor table behind the engine. */
struct nrt_map;
struct bpf_map;
/* A descriptor for @m (takes a reference), optionally what bpf_map__fd(@bm)
 * returns from now on. -errno on failure. */
int nrt_fd_register(struct nrt_map *m, const struct bpf_map *bm);
/* The map behind @fd, or NULL. */
struct nrt_map *nrt_fd_map(int fd);
/* Whether bpf_map_create() makes native maps (an engine is open). */
void nrt_fd_native_create(int on);

#endif
