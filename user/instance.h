/* SPDX-License-Identifier: GPL-2.0 */
/* instance.h: running `xdphunt run` instances, found through pid files in
 * $XH_RUN_DIR (default /run/xdphunt), so that `xdphunt reload` can signal one. */
#ifndef XH_INSTANCE_H
#define XH_INSTANCE_H

#include <stddef.h>
#include <sys/types.h>

#define INSTANCE_DIR_DEFAULT "/run/xdphunt"

/* Directory of the pid files: $XH_RUN_DIR or INSTANCE_DIR_DEFAULT. */
const char *instance_dir(void);
/* Write <dir>/<pid>.pid ("pid\niface...\n"); its path goes to @path (empty on
 * failure, said at -v: reload then needs the pid). Returns 0 or -errno. */
int instance_register(const char *const *ifaces, int n, char *path, size_t len);
/* Remove the pid file written by instance_register() (no-op for ""). */
void instance_unregister(const char *path);

struct instance_info {
	pid_t pid;
	char ifaces[256]; /* space-separated */
};

/* Live instances (pid alive and named xdphunt) into @out (at most @max);
 * stale files are skipped. Returns the count or -errno. */
int instance_list(struct instance_info *out, int max);
/* 1 when @in's interfaces (its pid file's list) include @iface. */
int instance_has_iface(const struct instance_info *in, const char *iface);
/* The pid of another live instance whose pid file names @iface, or 0. */
pid_t instance_owner(const char *iface);

#endif
