// SPDX-License-Identifier: GPL-2.0
/* ioc_prefilter.c: see ioc_prefilter.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include <bpf/bpf.h>
#include "xh_abi.h"
#include "ioc_pf.h"
#include "ioc_prefilter.h"
#include "ioc.h"
#include "log.h"

/* Bits [first, first + count) of @w. */
static void set_range(uint64_t *w, uint32_t first, uint64_t count)
{
	uint64_t b = first, end = first + count;

	for (; b < end && (b & 63); b++)
		w[b >> 6] |= 1ull << (b & 63);
	if (end - b >= 64) {
		memset(&w[b >> 6], 0xff, ((end - b) >> 6) * sizeof(*w));
		b += (end - b) & ~63ull;
	}
	for (; b < end; b++)
		w[b >> 6] |= 1ull << (b & 63);
}

static uint64_t be64_hi(const uint8_t *a)
{
	uint64_t hi = 0;

	for (int i = 0; i < 8; i++)
		hi = hi << 8 | a[i];
	return hi;
}

void ioc_prefilter_fill(const struct ioc_set *set, uint64_t *w)
{
	size_t n = ioc_set_count(set);

	for (size_t i = 0; i < n; i++) {
		const struct ioc_entry *e = ioc_set_at(set, i);

		if (e->kind == IOC_KIND_DOMAIN) {
			uint32_t bit = xh_pfd_bit(e->hash);

			w[XH_PFD_BASE + (bit >> 6)] |= 1ull << (bit & 63);
			continue;
		}
		if (e->kind != IOC_KIND_NET)
			continue;
		if (e->family == XH_AF_INET) {
			uint32_t a = (uint32_t)e->addr[0] << 24 | (uint32_t)e->addr[1] << 16 |
				     (uint32_t)e->addr[2] << 8 | e->addr[3];

			if (e->prefixlen >= 24) {
				set_range(w, xh_pf4_bit(a), 1);
			} else {
				/* Host bits are cleared (struct ioc_entry); mask anyway. */
				uint64_t count = 1ull << (24 - e->prefixlen);

				set_range(w, xh_pf4_bit(a) & ~(uint32_t)(count - 1), count);
			}
		} else {
			uint64_t hi = be64_hi(e->addr);
			uint32_t bit;

			if (e->prefixlen < 32) {
				w[XH_PF_FLAGS] |= XH_PF_F6_ALL;
				continue;
			}
			bit = e->prefixlen >= 48 ? xh_pf6_bit48(hi) : xh_pf6_bit32(hi);
			w[XH_PF6_BASE + (bit >> 6)] |= 1ull << (bit & 63);
		}
	}
}

/* A new prefilter tag (bpf/ioc_pf.h XH_PF_TAG): never 0, never the tag of
 * another prefilter of this process, the only one whose flows (xh_flows
 * lives and dies with its process) can hold one. */
static uint64_t next_tag(void)
{
	static uint32_t last;
	uint32_t t;

	do
		t = __atomic_add_fetch(&last, 1, __ATOMIC_RELAXED);
	while (!t);
	return t;
}

/* The native replay engine (user/native/wrap.c) answers bpf_map_create()
 * with a memfd standing for its own map, which cannot be mmap()ed as map
 * memory: its prefilter is written word by word. Weak, so that programs
 * linked without the native runtime need nothing. */
struct nrt_map *nrt_fd_map(int fd) __attribute__((weak));

static int fill_by_update(const struct ioc_set *set, int fd)
{
	uint64_t *w = calloc(XH_PF_ENTRIES, sizeof(*w));
	int err = 0;

	if (!w)
		return -ENOMEM;
	ioc_prefilter_fill(set, w);
	w[XH_PF_TAG] = next_tag();
	for (__u32 i = 0; i < XH_PF_ENTRIES && !err; i++)
		if (w[i] && bpf_map_update_elem(fd, &i, &w[i], BPF_ANY))
			err = -errno;
	free(w);
	return err;
}

int ioc_prefilter_create(const struct ioc_set *set)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_MMAPABLE);
	size_t len = (size_t)XH_PF_ENTRIES * sizeof(uint64_t);
	uint64_t *w;
	int fd, err;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xh_iocpf_in", sizeof(__u32), sizeof(__u64),
			    XH_PF_ENTRIES, &o);
	if (fd < 0) {
		err = -errno;
		pr_warn("ioc: cannot create the prefilter map: %s\n", strerror(-err));
		return err;
	}
	if (nrt_fd_map && nrt_fd_map(fd)) {
		err = fill_by_update(set, fd);
		if (err) {
			pr_warn("ioc: cannot fill the prefilter: %s\n", strerror(-err));
			close(fd);
			return err;
		}
		return fd;
	}
	/* A fresh array is zeroed; write the bits straight into it. */
	w = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (w == MAP_FAILED) {
		err = -errno;
		pr_warn("ioc: cannot map the prefilter: %s\n", strerror(-err));
		close(fd);
		return err;
	}
	ioc_prefilter_fill(set, w);
	w[XH_PF_TAG] = next_tag();
	munmap(w, len);
	return fd;
}

int ioc_prefilter_sync(void)
{
	return syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) ? -errno : 0;
}
