// SPDX-License-Identifier: GPL-2.0
/* cmd_check.c: `xdphunt check`: would `xdphunt run` start with these
 * options? It reads what run reads (IoC feeds, the DCE/RPC table, the SMB
 * rules), looks for the interfaces and the output's folder, and as root lets
 * this kernel's verifier judge the program at the sizes asked for; it
 * attaches nothing and writes nothing. Before a reload or a restart of a
 * sensor, as `suricata -T` or `nginx -t` are used. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "cmd.h"
#include "dcerpc_table.h"
#include "ioc.h"
#include "loader.h"
#include "log.h"
#include "smb_user.h"
#include "xdphunt.skel.h"

static const char check_usage[] =
	"usage: xdphunt check [-i IFACE...] [run's options]\n"
	"Would `xdphunt run` start with these options? Reads the IoC feeds, the\n"
	"DCE/RPC table and the SMB rules as run does, looks for each IFACE and for\n"
	"the -o FILE's folder, and as root loads the BPF program at the sizes asked\n"
	"for (--flows, --ringbuf) so that this kernel's verifier judges it. Attaches\n"
	"nothing, writes nothing, leaves a running instance alone: use it before\n"
	"`xdphunt reload` or a restart. Prints what it found; exit 0 when run would\n"
	"start, 1 when not (the reason names the file and line), 2 on a bad command\n"
	"line.\n"
	"  -i, --iface IFACE   an interface run would watch (must exist here)\n"
	"  --mode MODE         auto, native or skb (checked as run checks it)\n" CLI_HUNT_HELP;

/* As root: open and load the object with @o's sizes; say what the verifier
 * said. Returns 0 or -1 (said). */
static int check_bpf(const struct loader_opts *o)
{
	struct bpf_prog_info info = {};
	__u32 info_len = sizeof(info);
	long long mem = 0, m;
	struct bpf_map *map;
	struct utsname u;
	struct loader *l;
	int err;

	if (geteuid() != 0) {
		printf("bpf: not checked: loading needs root (or CAP_BPF, CAP_NET_ADMIN and "
		       "CAP_PERFMON)\n");
		return 0;
	}
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "?");
	l = loader__open(o);
	if (!l)
		return -1;
	err = loader_load(l); /* says why it failed */
	if (err) {
		loader__free(l);
		return -1;
	}
	bpf_object__for_each_map(map, l->skel->obj)
	{
		m = loader_fd_memlock(bpf_map__fd(map));
		if (m > 0)
			mem += m;
	}
	if (bpf_obj_get_info_by_fd(bpf_program__fd(l->skel->progs.xdphunt), &info, &info_len))
		info.verified_insns = 0;
	printf("bpf: the verifier of Linux %s accepts the program", u.release);
	if (info.verified_insns)
		printf(" (%u instructions verified)", info.verified_insns);
	printf("; its maps take %.1f MiB of kernel memory before the IoC sets (--flows %u)\n",
	       mem / 1048576.0, bpf_map__max_entries(l->skel->maps.xh_flows));
	loader__free(l);
	return 0;
}

/* The -o FILE's folder must exist and be writable (the file is appended to,
 * or made). */
static int check_output(const char *path)
{
	char copy[PATH_MAX], *dir;

	if (!strcmp(path, "-")) {
		printf("output: stdout\n");
		return 0;
	}
	if (!access(path, F_OK)) {
		if (access(path, W_OK)) {
			pr_warn("output: %s: %s\n", path, strerror(errno));
			return -1;
		}
		printf("output: %s (appended to)\n", path);
		return 0;
	}
	snprintf(copy, sizeof(copy), "%s", path);
	dir = dirname(copy);
	if (access(dir, W_OK | X_OK)) {
		pr_warn("output: cannot make %s: its folder %s: %s\n", path, dir, strerror(errno));
		return -1;
	}
	printf("output: %s (to be made)\n", path);
	return 0;
}

int cmd_check(int argc, char **argv)
{
	enum xdp_attach_mode mode = XDP_MODE_UNSPEC;
	struct dcerpc_table *rpc = NULL;
	struct smb_rules *smb = NULL;
	struct ioc_set *iocs = NULL;
	const char *ifaces[LOADER_MAX_IFACES];
	size_t n4, n6, ndom, nport;
	int n_ifaces = 0, ret;
	unsigned int feeds = 0;
	struct hunt_opts o;

	/* Findings on stdout, reasons on stderr: line by line, so that they
	 * interleave in order in one log. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = cli_parse_run(argc, argv, "check", check_usage, &o, ifaces, &n_ifaces, &mode);
	if (ret >= 0)
		return ret;
	ret = XH_EXIT_ERROR;
	log_setup(o.verbose > 2 ? LOG_DEBUG : (enum log_level)o.verbose);
	(void)mode;

	iocs = cmd_load_iocs(&o);
	if (!iocs)
		goto out;
	ioc_set_counts(iocs, &n4, &n6, &ndom, &nport);
	while (ioc_set_file(iocs, feeds))
		feeds++;
	printf("ioc: %zu indicators from %u feed file%s (IPv4 %zu, IPv6 %zu, domains %zu, "
	       "address:port %zu)\n",
	       ioc_set_count(iocs), feeds, feeds == 1 ? "" : "s", n4, n6, ndom, nport);
	rpc = cmd_load_dcerpc(&o);
	if (!rpc)
		goto out;
	printf("dcerpc: %zu interfaces, %zu operations\n", rpc->n_ifs, rpc->n_ops);
	smb = cmd_load_smb_rules(&o);
	if (!smb)
		goto out;
	printf("smb-rules: %s: %zu shares, %zu pipes, %zu extensions\n",
	       o.smb_rules ? o.smb_rules : "built in",
	       smb_rules_count(smb, XH_SMB_TBL_SHARE) +
		       smb_rules_count(smb, XH_SMB_TBL_SHARE_DRIVE),
	       smb_rules_count(smb, XH_SMB_TBL_PIPE), smb_rules_count(smb, XH_SMB_TBL_EXT));
	for (int i = 0; i < n_ifaces; i++) {
		unsigned int idx = if_nametoindex(ifaces[i]);

		if (!idx) {
			pr_warn("check: no interface '%s' here\n", ifaces[i]);
			goto out;
		}
		printf("iface %s: index %u\n", ifaces[i], idx);
	}
	if (check_output(o.output) || check_bpf(&o.load))
		goto out;
	printf("xdphunt check: ok\n");
	ret = XH_EXIT_OK;
out:
	if (ret != XH_EXIT_OK)
		printf("xdphunt check: failed (see above)\n");
	ioc_set__free(iocs);
	dcerpc_table__free(rpc);
	smb_rules__free(smb);
	return ret;
}
