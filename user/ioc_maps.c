// SPDX-License-Identifier: GPL-2.0
/* ioc_maps.c: build the inner IoC maps of one set off to the side, then swap
 * them into xh_ioc4 / xh_ioc6 / xh_iocdom / xh_iocport. The old inner maps
 * are released when their last user (a packet in flight) is done. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <linux/types.h>
#include "xh_abi.h"
#include "ioc.h"
#include "ioc_maps.h"
#include "ioc_prefilter.h"
#include "log.h"

uint32_t ioc_maps_ref(const struct ioc_set *set, uint32_t id, unsigned int gen)
{
	const struct ioc_entry *e = ioc_set_get(set, id);
	uint32_t ref = id | ((gen & XH_IOC_GEN_MASK) << XH_IOC_GEN_SHIFT);

	if (e && (e->action == IOC_ACTION_BLOCK || ioc_set_blocked_by(set, e)))
		ref |= XH_IOC_F_BLOCK;
	return ref;
}

static int create(enum bpf_map_type type, const char *name, size_t ksz, uint32_t max)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);
	int fd = bpf_map_create(type, name, ksz, sizeof(__u32), max, &o);

	if (fd < 0)
		pr_warn("ioc: cannot create inner map %s: %s\n", name, strerror(errno));
	return fd < 0 ? -errno : fd;
}

static int lpm_key(const struct ioc_entry *e, void *key)
{
	if (e->family == XH_AF_INET) {
		struct xh_lpm4_key *k = key;

		k->prefixlen = e->prefixlen;
		memcpy(&k->addr, e->addr, 4);
	} else {
		struct xh_lpm6_key *k = key;

		k->prefixlen = e->prefixlen;
		memcpy(k->addr, e->addr, 16);
	}
	return 0;
}

/* Entries bound for one map, sent IOC_BATCH at a time with
 * BPF_MAP_UPDATE_BATCH: one syscall per 4096 entries instead of one each
 * makes 1M prefixes go in 30-45 % faster (the trie's own insert is the
 * rest). */
#define IOC_BATCH 4096

struct ioc_batch {
	int fd;
	size_t ksz, n;
	unsigned char keys[IOC_BATCH * sizeof(struct xh_lpm6_key)];
	__u32 vals[IOC_BATCH];
	size_t idx[IOC_BATCH]; /* the entries they came from, for an error */
};

static int batch_flush(const struct ioc_set *set, struct ioc_batch *b)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o, .elem_flags = BPF_ANY);
	__u32 count = (__u32)b->n;

	if (b->n && bpf_map_update_batch(b->fd, b->keys, b->vals, &count, &o)) {
		/* The kernel refused an entry (out of memory: the memory
		 * cgroup's limit) after @count went in, or has no batch update
		 * for this map type, when @count comes back untouched: the
		 * rest one at a time, which names the entry refused. */
		for (size_t i = count < b->n ? count : 0; i < b->n; i++) {
			const struct ioc_entry *e = ioc_set_at(set, b->idx[i]);
			char where[PATH_MAX + 32];
			int err;

			if (!bpf_map_update_elem(b->fd, b->keys + i * b->ksz, &b->vals[i], BPF_ANY))
				continue;
			err = -errno;
			pr_warn("ioc: %s: cannot add to the IoC maps: %s%s\n",
				ioc_entry_where(set, e, where, sizeof(where)), strerror(-err),
				err == -ENOMEM ? " (the maps' kernel memory counts against the "
						 "memory cgroup's limit, e.g. systemd's MemoryMax=)"
					       : "");
			return err;
		}
	}
	b->n = 0;
	return 0;
}

/* Entry @i of @set, its key already at the batch's next slot, with @ref. */
static int batch_add(const struct ioc_set *set, struct ioc_batch *b, size_t i, __u32 ref)
{
	b->vals[b->n] = ref;
	b->idx[b->n] = i;
	return ++b->n == IOC_BATCH ? batch_flush(set, b) : 0;
}

static int fill(const struct ioc_set *set, unsigned int gen, int fd4, int fd6, int fddom,
		int fdport)
{
	struct ioc_batch *bs = calloc(3, sizeof(*bs)), *b;
	size_t n = ioc_set_count(set);
	int err = 0;

	if (!bs)
		return -ENOMEM;
	bs[0].fd = fd4;
	bs[0].ksz = sizeof(struct xh_lpm4_key);
	bs[1].fd = fd6;
	bs[1].ksz = sizeof(struct xh_lpm6_key);
	bs[2].fd = fddom;
	bs[2].ksz = sizeof(__u64);
	/* Plain prefixes and domains first ... */
	for (size_t i = 0; i < n && !err; i++) {
		const struct ioc_entry *e = ioc_set_at(set, i);

		if (!ioc_set_stored(set, e))
			continue;
		if (e->kind == IOC_KIND_DOMAIN) {
			__u64 h = e->hash;

			b = &bs[2];
			memcpy(b->keys + b->n * b->ksz, &h, sizeof(h));
		} else if (!e->port) {
			b = &bs[e->family == XH_AF_INET ? 0 : 1];
			lpm_key(e, b->keys + b->n * b->ksz);
		} else {
			continue;
		}
		err = batch_add(set, b, i, ioc_maps_ref(set, e->id, gen));
	}
	for (int k = 0; k < 3 && !err; k++)
		err = batch_flush(set, &bs[k]);
	free(bs);
	if (err)
		return err;
	/* ... then address:port: the host's LPM entry keeps the id of the
	 * prefix that covers it (if any) and says "look at the port". */
	for (size_t i = 0; i < n; i++) {
		const struct ioc_entry *e = ioc_set_at(set, i);
		__u32 ref = ioc_maps_ref(set, e->id, gen), base = 0;
		struct xh_iocport_key pk = {};
		struct xh_lpm6_key key = {};
		int fd = e->family == XH_AF_INET ? fd4 : fd6;
		char where[PATH_MAX + 32];

		if (e->kind != IOC_KIND_NET || !e->port || !ioc_set_stored(set, e))
			continue;
		lpm_key(e, &key);
		if (bpf_map_lookup_elem(fd, &key, &base))
			base = 0;
		base |= XH_IOC_F_PORT | ((gen & XH_IOC_GEN_MASK) << XH_IOC_GEN_SHIFT);
		memcpy(pk.addr, e->addr, e->family == XH_AF_INET ? 4 : 16);
		pk.port = htons(e->port);
		pk.family = e->family;
		if (bpf_map_update_elem(fd, &key, &base, BPF_ANY) ||
		    bpf_map_update_elem(fdport, &pk, &ref, BPF_ANY)) {
			err = -errno;
			pr_warn("ioc: %s: cannot add to the IoC maps: %s\n",
				ioc_entry_where(set, e, where, sizeof(where)), strerror(-err));
			return err;
		}
	}
	return 0;
}

/* Empty the prefilter slot and wait until no packet still uses the old
 * prefilter: from then on every packet looks every address up in the tries,
 * whichever generation they hold. 1 when done, 0 when the slot was already
 * empty, -errno when the grace period cannot be waited for (the slot stays
 * empty: exact, only slower). */
static int pf_clear(int outer)
{
	__u32 zero = 0, id;
	int err;

	if (bpf_map_lookup_elem(outer, &zero, &id))
		return 0; /* ENOENT: nothing installed */
	if (bpf_map_delete_elem(outer, &zero) && errno != ENOENT)
		return -errno;
	err = ioc_prefilter_sync();
	if (err)
		pr_warn("ioc: cannot wait for a grace period (%s): IoC prefilter disabled\n",
			strerror(-err));
	return err ? err : 1;
}

int ioc_maps_install(struct ioc_set *set, const struct ioc_outer *outer, unsigned int gen,
		     const struct ioc_set *prev)
{
	int fd4, fd6 = -1, fddom = -1, fdport = -1, fdpf = -1, err;
	__u32 zero = 0;

	fd4 = create(BPF_MAP_TYPE_LPM_TRIE, "xh_ioc4_in", sizeof(struct xh_lpm4_key), XH_IOC4_MAX);
	if (fd4 >= 0)
		fd6 = create(BPF_MAP_TYPE_LPM_TRIE, "xh_ioc6_in", sizeof(struct xh_lpm6_key),
			     XH_IOC6_MAX);
	if (fd6 >= 0)
		fddom = create(BPF_MAP_TYPE_HASH, "xh_iocdom_in", sizeof(__u64), XH_IOCDOM_MAX);
	if (fddom >= 0)
		fdport = create(BPF_MAP_TYPE_HASH, "xh_iocport_in", sizeof(struct xh_iocport_key),
				XH_IOCPORT_MAX);
	if (fdport < 0) {
		err = fd4 < 0 ? fd4 : fd6 < 0 ? fd6 : fddom < 0 ? fddom : fdport;
		goto out;
	}
	err = ioc_set_settle(set);
	if (!err)
		err = fill(set, gen, fd4, fd6, fddom, fdport);
	if (err)
		goto out;
	if (outer->iocpf >= 0) {
		fdpf = ioc_prefilter_create(set);
		if (fdpf < 0) {
			err = fdpf;
			goto out;
		}
		/* The prefilter must never say "no" for an address the tries a
		 * packet then reads would match. The datapath reads the
		 * prefilter slot before the trie slots (bpf/classify.bpf.h), so:
		 * 1. empty the prefilter slot and wait for a grace period: no
		 *    packet still holds the old prefilter when the tries change;
		 * 2. swap the tries; 3. install the new prefilter. A packet that
		 *    reads the new prefilter reads its slot after step 3, hence
		 *    the new tries. In between, packets consult the tries for
		 *    every address. */
		err = pf_clear(outer->iocpf);
		if (err < 0) {
			close(fdpf);
			fdpf = -1;
		}
	}
	/* Four swaps. Each is atomic for the datapath; between them a packet
	 * may see the new addresses and the old domains, both complete sets
	 * whose references userspace resolves (it keeps the previous
	 * generation). */
	if (bpf_map_update_elem(outer->ioc4, &zero, &fd4, BPF_ANY) ||
	    bpf_map_update_elem(outer->ioc6, &zero, &fd6, BPF_ANY) ||
	    bpf_map_update_elem(outer->iocport, &zero, &fdport, BPF_ANY) ||
	    bpf_map_update_elem(outer->iocdom, &zero, &fddom, BPF_ANY)) {
		err = -errno;
		pr_warn("ioc: cannot install the IoC maps: %s\n", strerror(-err));
		goto out;
	}
	if (fdpf >= 0 && bpf_map_update_elem(outer->iocpf, &zero, &fdpf, BPF_ANY))
		/* The tries are in; without a prefilter they are only slower. */
		pr_warn("ioc: cannot install the IoC prefilter: %s\n", strerror(errno));
	err = 0;
	ioc_set_set_gen(set, gen, prev);
out:
	/* The outer maps hold their own references. */
	if (fd4 >= 0)
		close(fd4);
	if (fd6 >= 0)
		close(fd6);
	if (fddom >= 0)
		close(fddom);
	if (fdport >= 0)
		close(fdport);
	if (fdpf >= 0)
		close(fdpf);
	return err;
}
