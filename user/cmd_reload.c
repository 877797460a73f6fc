// SPDX-License-Identifier: GPL-2.0
/* cmd_reload.c: `xdphunt reload`: ask a running instance to re-read its IoC
 * feeds (SIGHUP). The instance reports the outcome on its own stderr. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "cmd.h"
#include "instance.h"
#include "log.h"

#define MAX_INSTANCES 64

static const char reload_usage[] =
	"usage: xdphunt reload [-i IFACE | --pid PID]\n"
	"Make a running `xdphunt run` re-read every IoC feed and reopen its -o FILE\n"
	"(log rotation), as SIGHUP does. The new set replaces the old one atomically;\n"
	"a failing feed keeps the old set. The instance reports added/removed counts\n"
	"on its stderr. Without -i/--pid there must be exactly one instance (pid\n"
	"files in $XH_RUN_DIR, default /run/xdphunt).\n";

int cmd_reload(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"iface", required_argument, NULL, 'i'},
		{"pid", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct instance_info inst[MAX_INSTANCES];
	const char *ifname = NULL;
	long pid = 0;
	int opt, n, pick = -1, matches = 0;

	while ((opt = getopt_long(argc, argv, "i:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'p': {
			char *end;

			pid = strtol(optarg, &end, 10);
			if (*end || pid <= 0) {
				pr_warn("invalid --pid '%s'\n", optarg);
				return XH_EXIT_USAGE;
			}
			break;
		}
		case 'h':
			fputs(reload_usage, stdout);
			return XH_EXIT_OK;
		default:
			cli_help_hint("reload");
			return XH_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		pr_warn("reload: unexpected argument '%s'\n", argv[optind]);
		return XH_EXIT_USAGE;
	}
	n = instance_list(inst, MAX_INSTANCES);
	if (n < 0) {
		pr_warn("reload: cannot read %s: %s\n", instance_dir(), strerror(-n));
		return XH_EXIT_ERROR;
	}
	for (int i = 0; i < n; i++) {
		if ((pid && inst[i].pid == pid) ||
		    (ifname && instance_has_iface(&inst[i], ifname)) || (!pid && !ifname)) {
			pick = i;
			matches++;
		}
	}
	if (!matches) {
		pr_warn("reload: no running xdphunt instance%s%s (pid files in %s)%s\n",
			ifname ? " on "
			: pid  ? " with that pid"
			       : "",
			ifname ? ifname : "", instance_dir(), cli_root_hint());
		return XH_EXIT_ERROR;
	}
	if (matches > 1) {
		pr_warn("reload: %d instances run; choose one with -i IFACE or --pid:\n", matches);
		for (int i = 0; i < n; i++)
			pr_warn("  pid %d on %s\n", (int)inst[i].pid, inst[i].ifaces);
		return XH_EXIT_USAGE;
	}
	if (kill(inst[pick].pid, SIGHUP)) {
		pr_warn("reload: cannot signal pid %d: %s\n", (int)inst[pick].pid, strerror(errno));
		return XH_EXIT_ERROR;
	}
	printf("reload: asked xdphunt pid %d (%s) to re-read its feeds\n", (int)inst[pick].pid,
	       inst[pick].ifaces);
	return XH_EXIT_OK;
}
