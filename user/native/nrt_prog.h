/* SPDX-License-Identifier: GPL-2.0 */
/* nrt_prog.h: what a natively compiled BPF program exports to the engine
 * (user/native/engine.c): its entry point, its map definitions and its
 * global variables, by the names libbpf gives them in the BPF object. */
#ifndef XH_NRT_PROG_H
#define XH_NRT_PROG_H

#include <stddef.h>

struct nrt_xdp_md;

struct nrt_prog_map {
	const char *name;
	void *def; /* the map definition variable; its first 8 bytes get the map */
	size_t size;
};

struct nrt_prog_var {
	const char *name;
	void *addr;
	size_t size;
	const char *ignored; /* why the value set on the skeleton is not copied, or NULL */
};

struct nrt_prog {
	int (*entry)(struct nrt_xdp_md *ctx);
	const struct nrt_prog_map *maps;
	size_t n_maps;
	const struct nrt_prog_var *vars;
	size_t n_vars;
};

/* bpf/xdphunt.bpf.c compiled natively (user/native/prog_xdphunt.c). */
extern const struct nrt_prog nrt_prog_xdphunt;

#endif
