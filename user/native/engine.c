// SPDX-License-Identifier: GPL-2.0
/* engine.c: bind a natively compiled BPF program to native maps made from
 * its BPF object's definitions, run it over frames, drain its ring buffer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "nrt.h"
#include "nrt_prog.h"
#include "engine.h"

struct nrt_engine_map {
	const struct bpf_map *bm;
	struct nrt_map *m;
	int fd;
	void *def; /* the program's definition holding m, or NULL (.data etc.) */
};

struct nrt_engine {
	struct bpf_object *obj;
	const struct nrt_prog *prog;
	struct nrt_engine_map *maps;
	size_t n_maps;
	struct nrt_map *ringbuf;
};

static const struct nrt_prog_map *prog_map(const struct nrt_prog *p, const char *name)
{
	for (size_t i = 0; i < p->n_maps; i++)
		if (!strcmp(p->maps[i].name, name))
			return &p->maps[i];
	return NULL;
}

static const struct nrt_prog_var *prog_var(const struct nrt_prog *p, const char *name)
{
	for (size_t i = 0; i < p->n_vars; i++)
		if (!strcmp(p->vars[i].name, name))
			return &p->vars[i];
	return NULL;
}

/* The ELF section of an internal map ("xdphunt.data" -> ".data"), or NULL. */
static const char *datasec_of(const struct bpf_map *bm)
{
	const char *dot = strrchr(bpf_map__name(bm), '.');

	if (!bpf_map__is_internal(bm) || !dot)
		return NULL;
	return dot;
}

static int add_map(struct nrt_engine *e, const struct bpf_map *bm)
{
	struct nrt_map_def def = {
		.type = bpf_map__type(bm),
		.key_size = bpf_map__key_size(bm),
		.value_size = bpf_map__value_size(bm),
		.max_entries = bpf_map__max_entries(bm),
		.map_flags = bpf_map__map_flags(bm),
	};
	const char *name = bpf_map__name(bm);
	struct nrt_engine_map *em = &e->maps[e->n_maps];
	const struct nrt_prog_map *pm = NULL;
	int err;

	if (!bpf_map__is_internal(bm)) {
		pm = prog_map(e->prog, name);
		if (!pm || pm->size < sizeof(struct nrt_map *)) {
			pr_warn("native: map %s of the BPF object is not in the native "
				"program's table (user/native/prog_*.c)\n",
				name);
			return -ENOENT;
		}
	}
	em->m = nrt_map__new(&def);
	if (!em->m) {
		err = -errno;
		pr_warn("native: cannot make map %s: %s\n", name, strerror(errno));
		return err;
	}
	em->bm = bm;
	e->n_maps++;
	em->fd = nrt_fd_register(em->m, bm);
	if (em->fd < 0)
		return em->fd;
	if (pm) {
		em->def = pm->def;
		memcpy(em->def, &em->m, sizeof(em->m));
	} else {
		/* .data/.rodata/.bss: one value, the image set on the skeleton. */
		size_t sz = 0;
		const void *init = bpf_map__initial_value((struct bpf_map *)bm, &sz);
		__u32 zero = 0;

		if (init && sz == def.value_size)
			nrt_map_update(em->m, &zero, init, 0);
	}
	if (def.type == BPF_MAP_TYPE_RINGBUF) {
		if (e->ringbuf) {
			pr_warn("native: more than one ring buffer (%s)\n", name);
			return -EOPNOTSUPP;
		}
		e->ringbuf = em->m;
	}
	return 0;
}

struct nrt_engine *nrt_engine__open(struct bpf_object *obj, const struct nrt_prog *prog)
{
	struct nrt_engine *e;
	struct bpf_map *bm;
	size_t n = 0;
	int err = 0;

	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->obj = obj;
	e->prog = prog;
	bpf_object__for_each_map(bm, obj) n++;
	e->maps = calloc(n ? n : 1, sizeof(*e->maps));
	if (!e->maps) {
		err = -ENOMEM;
		goto fail;
	}
	nrt_fd_native_create(1);
	bpf_object__for_each_map(bm, obj)
	{
		err = add_map(e, bm);
		if (err)
			goto fail;
	}
	/* The other way round: a table entry with no map in the object. */
	for (size_t i = 0; i < prog->n_maps; i++) {
		if (!bpf_object__find_map_by_name(obj, prog->maps[i].name)) {
			pr_warn("native: map %s of the native program is not in the BPF object\n",
				prog->maps[i].name);
			err = -ENOENT;
			goto fail;
		}
	}
	err = nrt_engine_sync(e);
	if (err)
		goto fail;
	return e;
fail:
	nrt_engine__free(e);
	errno = -err;
	return NULL;
}

void nrt_engine__free(struct nrt_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_maps; i++) {
		struct nrt_engine_map *em = &e->maps[i];

		if (em->def)
			memset(em->def, 0, sizeof(em->m));
		if (em->fd >= 0)
			close(em->fd); /* drops the descriptor table's reference */
		nrt_map__put(em->m);
	}
	nrt_quiesce();
	nrt_fd_native_create(0);
	free(e->maps);
	free(e);
}

/* Copy the variables of one datasec map's value into the program's globals. */
static int sync_datasec(struct nrt_engine *e, const struct nrt_engine_map *em, const char *sec)
{
	const struct btf *btf = bpf_object__btf(e->obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *t;
	unsigned char *val;
	__u32 zero = 0;
	int id;

	if (!btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, sec, BTF_KIND_DATASEC);
	if (id < 0)
		return 0; /* nothing in that section */
	val = nrt_map_lookup(em->m, &zero);
	t = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(t);
	for (__u16 i = 0; i < btf_vlen(t); i++, vs++) {
		const char *name =
			btf__name_by_offset(btf, btf__type_by_id(btf, vs->type)->name_off);
		const struct nrt_prog_var *v = prog_var(e->prog, name);

		if (!v || v->size != vs->size ||
		    vs->offset + vs->size > nrt_map_def(em->m)->value_size) {
			pr_warn("native: global %s (%s) of the BPF object is not in the native "
				"program's table, or not the same size\n",
				name, sec);
			return -ENOENT;
		}
		if (!v->ignored)
			memcpy(v->addr, val + vs->offset, vs->size);
	}
	return 0;
}

int nrt_engine_sync(struct nrt_engine *e)
{
	for (size_t i = 0; i < e->n_maps; i++) {
		const char *sec = datasec_of(e->maps[i].bm);
		int err;

		if (!sec)
			continue;
		err = sync_datasec(e, &e->maps[i], sec);
		if (err)
			return err;
	}
	return 0;
}

void *nrt_engine_var(struct nrt_engine *e, const char *name, size_t size)
{
	const struct nrt_prog_var *v = prog_var(e->prog, name);

	return v && v->size == size && !v->ignored ? v->addr : NULL;
}

int nrt_engine_run(struct nrt_engine *e, const void *frame, uint32_t len, uint32_t ifindex)
{
	/* As BPF_PROG_TEST_RUN: the program's packet pointers cover the first
	 * buffer, the helpers the whole frame. */
	struct nrt_xdp_md ctx = {
		.data = (__u64)(uintptr_t)frame,
		.data_end = (__u64)(uintptr_t)frame +
			    (len < NRT_XDP_LINEAR_MAX ? len : NRT_XDP_LINEAR_MAX),
		.data_meta = (__u64)(uintptr_t)frame,
		.ingress_ifindex = ifindex,
		.buff_end = (__u64)(uintptr_t)frame + len,
	};
	int verdict;

	verdict = e->prog->entry(&ctx);
	nrt_quiesce();
	return verdict;
}

int nrt_engine_drain(struct nrt_engine *e, int (*cb)(void *ctx, void *data, size_t size), void *ctx)
{
	return e->ringbuf ? nrt_ringbuf_drain(e->ringbuf, cb, ctx) : 0;
}
