// SPDX-License-Identifier: GPL-2.0
/* test_ioc_fill.c: the IoC maps a set is installed into, read back entry by
 * entry. ioc_maps_install() fills them with BPF_MAP_UPDATE_BATCH, 4096
 * entries a call (user/ioc_maps.c): sets of several batches and a partial
 * last one of every kind (IPv4 and IPv6 prefixes, domains), with
 * address:port entries after them, must land exactly, and a reload must
 * hold the new set only. When the kernel refuses entries (a memory cgroup's
 * limit), the error names the feed line and the set installed stays. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include "ioc_pf_probe.h"

/* A feed of @n4 IPv4 /32s, @n6 IPv6 /128s, @ndom domains and @nport
 * address:port entries on hosts of their own, differing with @seed. */
static char *fill_feed(unsigned int seed, int n4, int n6, int ndom, int nport)
{
	size_t cap = (size_t)(n4 + n6 + ndom + nport) * 64 + 64, off = 0;
	char *f = malloc(cap);

	if (!f)
		return NULL;
	for (int i = 0; i < n4; i++)
		off += (size_t)snprintf(f + off, cap - off, "100.%u.%u.%u\n",
					64 + seed + ((unsigned)i >> 16), ((unsigned)i >> 8) & 0xff,
					(unsigned)i & 0xff);
	for (int i = 0; i < n6; i++)
		off += (size_t)snprintf(f + off, cap - off, "2001:db8:%x::%x\n", seed, i + 1);
	for (int i = 0; i < ndom; i++)
		off += (size_t)snprintf(f + off, cap - off, "d%u-%d.example\n", seed, i);
	for (int i = 0; i < nport; i++)
		off += (size_t)snprintf(f + off, cap - off, "203.0.113.%d:%d\n", i + 1, 8000 + i);
	return f;
}

/* The inner map in slot 0 of the outer map @outer, or -1. */
static int inner_of(int outer)
{
	__u32 zero = 0, id;

	if (bpf_map_lookup_elem(outer, &zero, &id))
		return -1;
	return bpf_map_get_fd_by_id(id);
}

/* Every entry of @set in the maps of @x, installed as generation @gen:
 * returns the number found with the value the datapath expects. */
static size_t check_set(struct xhp *x, const struct ioc_set *set, unsigned int gen)
{
	int fd4 = inner_of(bpf_map__fd(x->skel->maps.xh_ioc4));
	int fd6 = inner_of(bpf_map__fd(x->skel->maps.xh_ioc6));
	int fddom = inner_of(bpf_map__fd(x->skel->maps.xh_iocdom));
	int fdport = inner_of(bpf_map__fd(x->skel->maps.xh_iocport));
	size_t n = ioc_set_count(set), good = 0;

	if (!ASSERT_GE(fd4, 0, "ioc4 inner") || !ASSERT_GE(fd6, 0, "ioc6 inner") ||
	    !ASSERT_GE(fddom, 0, "iocdom inner") || !ASSERT_GE(fdport, 0, "iocport inner"))
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct ioc_entry *e = ioc_set_at(set, i);
		__u32 want = ioc_maps_ref(set, e->id, gen), got = 0;
		struct xh_lpm6_key key = {.prefixlen = e->prefixlen};
		struct xh_iocport_key pk = {};
		int fd = e->family == XH_AF_INET ? fd4 : fd6;

		if (e->kind == IOC_KIND_DOMAIN) {
			__u64 h = e->hash;

			good += !bpf_map_lookup_elem(fddom, &h, &got) && got == want;
			continue;
		}
		memcpy(key.addr, e->addr, e->family == XH_AF_INET ? 4 : 16);
		if (bpf_map_lookup_elem(fd, &key, &got))
			continue;
		if (!e->port) {
			good += got == want;
			continue;
		}
		/* The host's trie entry says "look at the port"; the port
		 * map holds the indicator. */
		memcpy(pk.addr, e->addr, e->family == XH_AF_INET ? 4 : 16);
		pk.port = htons(e->port);
		pk.family = e->family;
		if (!(got & XH_IOC_F_PORT) || bpf_map_lookup_elem(fdport, &pk, &got))
			continue;
		good += got == want;
	}
	{
		size_t n4, n6, ndom, nport;

		ioc_set_counts(set, &n4, &n6, &ndom, &nport);
		/* address:port hosts are IPv4 here, one trie entry each. */
		ASSERT_EQ((size_t)xhp_map_count(fd4), n4 + nport, "ioc4 holds the set's, no more");
		ASSERT_EQ((size_t)xhp_map_count(fd6), n6, "ioc6 holds the set's, no more");
		ASSERT_EQ((size_t)xhp_map_count(fddom), ndom, "iocdom holds the set's, no more");
		ASSERT_EQ((size_t)xhp_map_count(fdport), nport, "iocport holds the set's, no more");
	}
out:
	if (fd4 >= 0)
		close(fd4);
	if (fd6 >= 0)
		close(fd6);
	if (fddom >= 0)
		close(fddom);
	if (fdport >= 0)
		close(fdport);
	return good;
}

/* The sets of the feeds @feed[0] and @feed[1] (fill_feed()) in @sets.
 * 0 when both are made (asserted). */
static int sets_of(char *feed[2], struct ioc_set *sets[2])
{
	if (!ASSERT_OK_PTR(feed[0], "feed") || !ASSERT_OK_PTR(feed[1], "feed") ||
	    !ASSERT_OK_PTR(make_tmpdir(), "mkdtemp"))
		return -1;
	sets[0] = set_of(feed[0]);
	sets[1] = set_of(feed[1]);
	return sets[0] && sets[1] ? 0 : -1;
}

static void sets_free(char *feed[2], struct ioc_set *sets[2])
{
	for (int i = 0; i < 2; i++) {
		ioc_set__free(sets[i]);
		free(feed[i]);
	}
	if (tmpdir[0])
		rmdir(tmpdir);
}

void test_ioc_fill_batches(void)
{
	/* 2.5, 1.2 and 2.2 batches of 4096, 30 port entries. */
	char *feed[2] = {fill_feed(1, 10000, 5000, 9000, 30), fill_feed(2, 4097, 1, 4095, 3)};
	struct ioc_set *sets[2] = {NULL, NULL};
	struct xhp x;

	if (sets_of(feed, sets))
		goto out;
	ASSERT_EQ(ioc_set_count(sets[0]), 24030, "first set loaded whole");
	ASSERT_EQ(ioc_set_count(sets[1]), 8196, "second set loaded whole");
	if (xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		goto out;
	for (int i = 0; i < 3; i++) {
		struct ioc_set *set = sets[i & 1];

		if (!ASSERT_OK(install(&x, set), "install"))
			break;
		ASSERT_EQ(check_set(&x, set, gen_no), ioc_set_count(set),
			  i ? "after a reload: every entry of the new set, as the datapath reads it"
			    : "every entry, as the datapath reads it");
	}
	xhp_close(&x);
out:
	sets_free(feed, sets);
}

#define MEMCG_V1 "/sys/fs/cgroup/memory" /* the v1 memory controller's root */

/* A memory cgroup (v1) of the test's own, limited to @limit bytes: its
 * directory in @dir. 0, or -1 with the reason in @why. cgroup v1 places
 * threads one by one: the kernel memory of maps a thread creates is charged
 * to the thread's cgroup, while the process's own pages stay charged to the
 * cgroup of its main thread. cgroup v2 places whole processes, so hitting
 * the limit would make the test's next page fault call the OOM killer. */
static int memcg_make(char *dir, size_t dsz, long limit, char *why, size_t wsz)
{
	char path[300];
	FILE *f;

	if (access(MEMCG_V1 "/memory.limit_in_bytes", W_OK)) {
		snprintf(why, wsz,
			 "needs a cgroup v1 memory controller at " MEMCG_V1 " (this machine: %s)",
			 access("/sys/fs/cgroup/cgroup.controllers", R_OK) ? "none" : "v2");
		return -1;
	}
	snprintf(dir, dsz, MEMCG_V1 "/xh_ioc_fill.%d", (int)getpid());
	if (mkdir(dir, 0755)) {
		snprintf(why, wsz, "cannot make %s: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", dir);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%ld\n", limit) < 0 || fclose(f)) {
		snprintf(why, wsz, "cannot set %s", path);
		rmdir(dir);
		return -1;
	}
	return 0;
}

struct limited_install {
	const char *dir; /* the cgroup the thread joins */
	struct xhp *x;
	struct ioc_set *set;
	int err;	    /* ioc_maps_install()'s */
	const char *failed; /* the step around it that failed, or NULL */
};

/* A thread that joins the cgroup, installs the set, and goes back to the
 * root cgroup at once: at the limit, any memory the kernel allocates for it
 * fails, and on its way out ASan remaps its stack's shadow. The way back is
 * opened before, as opening a file allocates too. */
static void *install_limited(void *arg)
{
	struct limited_install *li = arg;
	int back = open(MEMCG_V1 "/tasks", O_WRONLY | O_CLOEXEC), in, len;
	char path[300], tid[16];

	snprintf(path, sizeof(path), "%s/tasks", li->dir);
	in = open(path, O_WRONLY | O_CLOEXEC);
	len = snprintf(tid, sizeof(tid), "%d\n", (int)gettid());
	if (back < 0 || in < 0 || write(in, tid, (size_t)len) != len) {
		li->failed = "the thread joins the cgroup";
		goto out;
	}
	li->err = install(li->x, li->set);
	if (write(back, tid, (size_t)len) != len)
		li->failed = "the thread goes back to the root cgroup";
out:
	if (in >= 0)
		close(in);
	if (back >= 0)
		close(back);
	return NULL;
}

/* The maps' kernel memory is charged to the memory cgroup of the thread that
 * creates them. In a cgroup capped below what a set needs, the trie refuses
 * an insert with ENOMEM (its allocations neither wait nor call the OOM
 * killer): BPF_MAP_UPDATE_BATCH stops there, ioc_maps_install() goes on one
 * entry at a time from the one refused, and says which feed line it was.
 * The set installed before stays whole, and the same set installs once the
 * limit is gone. */
void test_ioc_fill_refused(void)
{
	/* 150k /32s need some 30 MB of trie. */
	const long limit = 8l << 20;
	char *feed[2] = {fill_feed(5, 3000, 100, 200, 5), fill_feed(8, 150000, 0, 0, 0)};
	char dir[256] = "", why[400], err_path[64] = "/tmp/xh_ioc_fill_err.XXXXXX", msg[512] = "";
	struct ioc_set *sets[2] = {NULL, NULL};
	struct limited_install li = {.dir = dir};
	int fd = -1, saved = -1;
	unsigned int gen_a;
	pthread_t t;
	struct xhp x;

	if (sets_of(feed, sets))
		goto out;
	if (xhp_open(&x, XH_RINGBUF_DEFAULT / 4, 0))
		goto out;
	if (!ASSERT_OK(install(&x, sets[0]), "install the first set"))
		goto out_close;
	gen_a = gen_no;
	if (memcg_make(dir, sizeof(dir), limit, why, sizeof(why))) {
		test_skip("%s", why);
		dir[0] = 0;
		goto out_close;
	}
	/* The thread's stderr, read back below. */
	fd = mkstemp(err_path);
	if (!ASSERT_GE(fd, 0, "stderr file"))
		goto out_close;
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	li.x = &x;
	li.set = sets[1];
	if (!pthread_create(&t, NULL, install_limited, &li))
		pthread_join(t, NULL);
	else
		li.failed = "pthread_create";
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	if (!ASSERT_NULL(li.failed, li.failed ? li.failed : "the thread's steps"))
		goto out_err;
	ASSERT_EQ(li.err, -ENOMEM, "install under the limit fails with ENOMEM");
	{
		ssize_t n = pread(fd, msg, sizeof(msg) - 1, 0);
		unsigned int line = 0;
		const char *at;

		msg[n > 0 ? n : 0] = 0;
		at = strstr(msg, "/feed.txt:");
		if (ASSERT_OK_PTR(at, "the error names the feed file") &&
		    ASSERT_EQ(sscanf(at, "/feed.txt:%u:", &line), 1, "and a line"))
			ASSERT_TRUE(line >= 1 && line <= 150000, "a line of the feed");
		ASSERT_HAS_SUBSTR(msg, ": cannot add to the IoC maps: Cannot allocate memory",
				  "and why");
		ASSERT_HAS_SUBSTR(msg, "memory cgroup's limit", "and what limits it");
		if (env.verbose)
			fprintf(stderr, "under the limit: %s", msg);
	}
	ASSERT_EQ(check_set(&x, sets[0], gen_a), ioc_set_count(sets[0]),
		  "the set installed before is still whole");
	if (ASSERT_OK(install(&x, sets[1]), "the same set without the limit"))
		ASSERT_EQ(check_set(&x, sets[1], gen_no), ioc_set_count(sets[1]),
			  "every entry, as the datapath reads it");
out_err:
	close(fd);
	unlink(err_path);
out_close:
	xhp_close(&x);
	if (dir[0])
		ASSERT_OK(rmdir(dir), "remove the cgroup");
out:
	sets_free(feed, sets);
}
