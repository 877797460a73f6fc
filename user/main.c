// SPDX-License-Identifier: GPL-2.0
/* main.c: subcommand dispatch and exit codes. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "cmd.h"
#include "log.h"

#ifndef XH_VERSION
#define XH_VERSION "0.1.0"
#endif

static const char usage[] =
	"usage: xdphunt COMMAND [options]\n"
	"An XDP threat-hunting classifier: SMB, MS-RPC and C2 (IoC) flows, as JSON lines.\n"
	"\n"
	"commands:\n"
	"  run -i IFACE...     attach and print hunt hits live (root)\n"
	"  replay CAPTURE...   the same classifier over pcap/pcapng files (root;\n"
	"                      --engine native needs no privileges)\n"
	"  stats [-i IFACE]    counters of the running instances\n"
	"  detach -i IFACE     remove a left-over xdphunt program from IFACE\n"
	"  reload [-i IFACE]   make a running instance re-read its IoC feeds, reopen -o (SIGHUP)\n"
	"  check [options]     would `run` start with these options? (feeds, tables,\n"
	"                      interfaces; as root, this kernel's verifier)\n"
	"  version             print the version\n"
	"\n"
	"'xdphunt COMMAND --help' shows a command's options.\n"
	"exit codes: 0 ok, 1 runtime error (load, attach, feed, capture, output), 2 usage\n";

int main(int argc, char **argv)
{
	const char *cmd;

	log_setup(LOG_WARN);
	/* An output file at its size limit (ulimit -f) then fails its write
	 * with EFBIG, which the writer says naming the file, rather than
	 * killing the process with its hits unwritten. */
	signal(SIGXFSZ, SIG_IGN);
	if (argc < 2) {
		fputs(usage, stderr);
		return XH_EXIT_USAGE;
	}
	cmd = argv[1];
	/* Each command parses its own options from argv[1] on. */
	argc--;
	argv++;
	if (!strcmp(cmd, "run"))
		return cmd_run(argc, argv);
	if (!strcmp(cmd, "replay"))
		return cmd_replay(argc, argv);
	if (!strcmp(cmd, "stats"))
		return cmd_stats(argc, argv);
	if (!strcmp(cmd, "detach"))
		return cmd_detach(argc, argv);
	if (!strcmp(cmd, "reload"))
		return cmd_reload(argc, argv);
	if (!strcmp(cmd, "check"))
		return cmd_check(argc, argv);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("xdphunt %s\n", XH_VERSION);
		return XH_EXIT_OK;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(usage, stdout);
		return XH_EXIT_OK;
	}
	pr_warn("unknown command '%s'\n", cmd);
	fputs(usage, stderr);
	return XH_EXIT_USAGE;
}
