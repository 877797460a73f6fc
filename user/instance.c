// SPDX-License-Identifier: GPL-2.0
/* instance.c: pid files of running instances (see instance.h). */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "instance.h"
#include "log.h"

const char *instance_dir(void)
{
	const char *d = getenv("XH_RUN_DIR");

	return d && *d ? d : INSTANCE_DIR_DEFAULT;
}

static int is_xdphunt(pid_t pid)
{
	char p[64], comm[64] = "";
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/comm", (int)pid);
	f = fopen(p, "re");
	if (!f)
		return 0;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	return !strcmp(comm, "xdphunt");
}

/* A pid file's name, "<pid>.pid" (not the ".<pid>.tmp" being written). */
static int is_pid_file(const char *name)
{
	size_t l = strlen(name);

	return l >= 5 && !strcmp(name + l - 4, ".pid") && name[0] != '.';
}

/* Remove the pid files of instances that are gone (killed, crashed: their
 * exit could not), so that they do not pile up in @dir. A pid that exists
 * but is not xdphunt's any more was reused: its file is stale too. */
static void instance_sweep(const char *dir)
{
	struct dirent *d;
	DIR *dh = opendir(dir);

	if (!dh)
		return;
	while ((d = readdir(dh))) {
		char path[512];
		long pid;
		int gone;

		if (!is_pid_file(d->d_name))
			continue;
		pid = strtol(d->d_name, NULL, 10);
		if (pid <= 0 || pid == getpid())
			continue;
		/* Another user's live process (EPERM) is left alone. */
		gone = kill((pid_t)pid, 0) ? errno == ESRCH : !is_xdphunt((pid_t)pid);
		if (gone) {
			snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
			unlink(path);
		}
	}
	closedir(dh);
}

int instance_register(const char *const *ifaces, int n, char *path, size_t len)
{
	const char *dir = instance_dir();
	char tmp[300];
	FILE *f;
	int err;

	path[0] = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST) {
		err = -errno;
		pr_info("run: cannot create %s: %s; `xdphunt reload` will need --pid\n", dir,
			strerror(-err));
		return err;
	}
	instance_sweep(dir);
	snprintf(tmp, sizeof(tmp), "%s/.%d.tmp", dir, (int)getpid());
	f = fopen(tmp, "we");
	if (!f) {
		err = -errno;
		pr_info("run: cannot write %s: %s\n", tmp, strerror(-err));
		return err;
	}
	fprintf(f, "%d\n", (int)getpid());
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? " " : "", ifaces[i]);
	fputc('\n', f);
	if (fclose(f)) {
		err = -errno;
		unlink(tmp);
		return err;
	}
	snprintf(path, len, "%s/%d.pid", dir, (int)getpid());
	if (rename(tmp, path)) {
		err = -errno;
		unlink(tmp);
		path[0] = '\0';
		return err;
	}
	return 0;
}

void instance_unregister(const char *path)
{
	if (path && *path)
		unlink(path);
}

int instance_list(struct instance_info *out, int max)
{
	const char *dir = instance_dir();
	struct dirent *d;
	DIR *dh = opendir(dir);
	int n = 0;

	if (!dh)
		return errno == ENOENT ? 0 : -errno;
	while ((d = readdir(dh)) && n < max) {
		char path[512], line[256];
		FILE *f;
		long pid;

		if (!is_pid_file(d->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		pid = fgets(line, sizeof(line), f) ? strtol(line, NULL, 10) : 0;
		if (!fgets(out[n].ifaces, sizeof(out[n].ifaces), f))
			out[n].ifaces[0] = '\0';
		fclose(f);
		out[n].ifaces[strcspn(out[n].ifaces, "\n")] = '\0';
		if (pid <= 0 || kill((pid_t)pid, 0) || !is_xdphunt((pid_t)pid))
			continue; /* stale: the instance is gone */
		out[n].pid = (pid_t)pid;
		n++;
	}
	closedir(dh);
	return n;
}

int instance_has_iface(const struct instance_info *in, const char *iface)
{
	size_t n = strlen(iface);

	for (const char *p = in->ifaces; (p = strstr(p, iface)); p += n)
		if ((p == in->ifaces || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return 1;
	return 0;
}

pid_t instance_owner(const char *iface)
{
	struct instance_info in[16];
	int n = instance_list(in, 16);

	for (int i = 0; i < n; i++)
		if (in[i].pid != getpid() && instance_has_iface(&in[i], iface))
			return in[i].pid;
	return 0;
}
