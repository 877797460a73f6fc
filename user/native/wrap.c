// SPDX-License-Identifier: GPL-2.0
/* wrap.c: libbpf's map calls, redirected to native maps (user/native/nrt.h)
 * for the descriptors this file hands out. The link wraps them
 * (-Wl,--wrap=bpf_map_update_elem etc., NATIVE_LDFLAGS in the Makefile), so
 * the loader, the IoC, SMB and DCE/RPC code fill native maps through the
 * same calls as kernel maps; every other descriptor goes to libbpf
 * (__real_*). A native map's descriptor is a real one (a memfd), so it
 * never collides with a kernel object's, and close() forgets it. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "nrt.h"
#include "engine.h"

int __real_bpf_map_create(enum bpf_map_type map_type, const char *map_name, __u32 key_size,
			  __u32 value_size, __u32 max_entries,
			  const struct bpf_map_create_opts *opts);
int __real_bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags);
int __real_bpf_map_lookup_elem(int fd, const void *key, void *value);
int __real_bpf_map_delete_elem(int fd, const void *key);
int __real_bpf_map_get_next_key(int fd, const void *key, void *next_key);
int __real_bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values,
				__u32 *count, const struct bpf_map_batch_opts *opts);
int __real_bpf_map_update_batch(int fd, const void *keys, const void *values, __u32 *count,
				const struct bpf_map_batch_opts *opts);
int __real_bpf_map__fd(const struct bpf_map *map);
int __real_close(int fd);

struct nrt_fd {
	int fd;
	struct nrt_map *m;
	const struct bpf_map *bm;
};

static struct nrt_fd *fds;
static size_t n_fds, cap_fds;
static int native_create;

void nrt_fd_native_create(int on)
{
	native_create = on;
}

int nrt_fd_register(struct nrt_map *m, const struct bpf_map *bm)
{
	int fd;

	if (n_fds == cap_fds) {
		size_t cap = cap_fds ? cap_fds * 2 : 32;
		struct nrt_fd *n = realloc(fds, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		fds = n;
		cap_fds = cap;
	}
	fd = memfd_create("xh_native_map", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	fds[n_fds++] = (struct nrt_fd){.fd = fd, .m = nrt_map__get(m), .bm = bm};
	return fd;
}

static struct nrt_fd *find(int fd)
{
	for (size_t i = 0; i < n_fds; i++)
		if (fds[i].fd == fd)
			return &fds[i];
	return NULL;
}

struct nrt_map *nrt_fd_map(int fd)
{
	struct nrt_fd *f = fd >= 0 ? find(fd) : NULL;

	return f ? f->m : NULL;
}

/* libbpf's convention: -errno returned and in errno. */
static int ret(long err)
{
	if (err < 0)
		errno = (int)-err;
	return (int)err;
}

int __wrap_close(int fd)
{
	struct nrt_fd *f = fd >= 0 ? find(fd) : NULL;

	if (f) {
		nrt_map__put(f->m);
		*f = fds[--n_fds];
		if (!n_fds) {
			free(fds);
			fds = NULL;
			cap_fds = 0;
		}
	}
	return __real_close(fd);
}

int __wrap_bpf_map__fd(const struct bpf_map *map)
{
	for (size_t i = 0; map && i < n_fds; i++)
		if (fds[i].bm == map)
			return fds[i].fd;
	return __real_bpf_map__fd(map);
}

int __wrap_bpf_map_create(enum bpf_map_type map_type, const char *map_name, __u32 key_size,
			  __u32 value_size, __u32 max_entries,
			  const struct bpf_map_create_opts *opts)
{
	struct nrt_map_def def = {map_type, key_size, value_size, max_entries,
				  opts ? opts->map_flags : 0};
	struct nrt_map *m;
	int fd;

	if (!native_create)
		return __real_bpf_map_create(map_type, map_name, key_size, value_size, max_entries,
					     opts);
	m = nrt_map__new(&def);
	if (!m)
		return ret(-errno);
	fd = nrt_fd_register(m, NULL);
	nrt_map__put(m);
	return ret(fd);
}

int __wrap_bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags)
{
	struct nrt_map *m = nrt_fd_map(fd), *inner;
	__u32 inner_fd;

	if (!m)
		return __real_bpf_map_update_elem(fd, key, value, flags);
	if (nrt_map_def(m)->type == BPF_MAP_TYPE_ARRAY_OF_MAPS) {
		/* The value is an inner map's descriptor, as for the kernel. */
		memcpy(&inner_fd, value, sizeof(inner_fd));
		inner = nrt_fd_map((int)inner_fd);
		if (!inner)
			return ret(-EBADF);
		return ret(nrt_map_update(m, key, &inner, flags));
	}
	/* PERCPU_ARRAY: the value is one slot per possible CPU; the runtime
	 * has one CPU, the first slot. */
	return ret(nrt_map_update(m, key, value, flags));
}

int __wrap_bpf_map_lookup_elem(int fd, const void *key, void *value)
{
	struct nrt_map *m = nrt_fd_map(fd);
	const struct nrt_map_def *d;
	int err;

	if (!m)
		return __real_bpf_map_lookup_elem(fd, key, value);
	d = nrt_map_def(m);
	err = nrt_map_lookup_copy(m, key, value);
	if (!err && d->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		/* The other CPUs' slots, as the kernel fills them: zero. */
		size_t slot = (d->value_size + 7) & ~7u;
		int ncpu = libbpf_num_possible_cpus();

		if (ncpu > 1)
			memset((char *)value + slot, 0, slot * (size_t)(ncpu - 1));
		if (slot > d->value_size)
			memset((char *)value + d->value_size, 0, slot - d->value_size);
	}
	return ret(err);
}

int __wrap_bpf_map_delete_elem(int fd, const void *key)
{
	struct nrt_map *m = nrt_fd_map(fd);

	if (!m)
		return __real_bpf_map_delete_elem(fd, key);
	return ret(nrt_map_delete(m, key));
}

int __wrap_bpf_map_get_next_key(int fd, const void *key, void *next_key)
{
	struct nrt_map *m = nrt_fd_map(fd);

	if (!m)
		return __real_bpf_map_get_next_key(fd, key, next_key);
	return ret(nrt_map_get_next_key(m, key, next_key));
}

/* Flow records (user/flowlog.c) read the flow table in batches. */
int __wrap_bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values,
				__u32 *count, const struct bpf_map_batch_opts *opts)
{
	struct nrt_map *m = nrt_fd_map(fd);

	if (!m)
		return __real_bpf_map_lookup_batch(fd, in_batch, out_batch, keys, values, count,
						   opts);
	return ret(nrt_map_lookup_batch(m, in_batch, out_batch, keys, values, count));
}

/* The IoC maps are filled in batches (user/ioc_maps.c): one entry at a
 * time, as the kernel's generic batch update does, stopping at the first
 * refused with *@count the entries that went in. */
int __wrap_bpf_map_update_batch(int fd, const void *keys, const void *values, __u32 *count,
				const struct bpf_map_batch_opts *opts)
{
	struct nrt_map *m = nrt_fd_map(fd);
	const struct nrt_map_def *d;
	__u64 flags = opts && opts->sz >= offsetof(struct bpf_map_batch_opts, elem_flags) +
						      sizeof(opts->elem_flags)
			      ? opts->elem_flags
			      : 0;
	__u32 i;
	int err = 0;

	if (!m)
		return __real_bpf_map_update_batch(fd, keys, values, count, opts);
	d = nrt_map_def(m);
	if (d->type == BPF_MAP_TYPE_ARRAY_OF_MAPS)
		return ret(-EINVAL); /* the kernel has no batch update for it either */
	for (i = 0; i < *count && !err; i++)
		err = nrt_map_update(m, (const char *)keys + (size_t)i * d->key_size,
				     (const char *)values + (size_t)i * d->value_size, flags);
	if (err)
		i--;
	*count = i;
	return ret(err);
}
