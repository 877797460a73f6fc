// SPDX-License-Identifier: GPL-2.0
/* cli.c: parsing of the options shared by `run` and `replay`. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cli.h"
#include "flowlog.h"
#include "log.h"

void hunt_opts_init(struct hunt_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->output = "-";
}

int cli_parse_u64(const char *what, const char *arg, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || arg[0] == '-')
		goto bad;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	default:
		break;
	}
	if (*end || v > (UINT64_MAX >> shift))
		goto bad;
	*out = (uint64_t)v << shift;
	return 0;
bad:
	pr_warn("invalid %s '%s': expected a number\n", what, arg);
	return -1;
}

int cli_parse_u32(const char *what, const char *arg, uint32_t *out)
{
	uint64_t v;

	if (cli_parse_u64(what, arg, &v))
		return -1;
	if (v > UINT32_MAX) {
		pr_warn("invalid %s '%s': at most %u\n", what, arg, UINT32_MAX);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int cli_add_iface(const char **ifaces, int *n, const char *name, const char *cmd)
{
	if (*n >= LOADER_MAX_IFACES) {
		pr_warn("at most %d interfaces\n", LOADER_MAX_IFACES);
		return -1;
	}
	for (int k = 0; k < *n; k++) {
		if (!strcmp(ifaces[k], name)) {
			pr_warn("%s: interface %s given twice\n", cmd, name);
			return -1;
		}
	}
	ifaces[(*n)++] = name;
	return 0;
}

int cli_parse_mode(const char *arg, enum xdp_attach_mode *mode)
{
	if (!strcmp(arg, "auto"))
		*mode = XDP_MODE_UNSPEC;
	else if (!strcmp(arg, "native"))
		*mode = XDP_MODE_NATIVE;
	else if (!strcmp(arg, "skb"))
		*mode = XDP_MODE_SKB;
	else {
		pr_warn("invalid --mode '%s': expected auto, native or skb\n", arg);
		return -1;
	}
	return 0;
}

int cli_parse_window(const char *what, const char *arg, struct loader_window *w)
{
	const char *p = arg;
	unsigned long count, secs;
	char *end;

	if (!strcmp(arg, "off")) {
		w->threshold = 0;
		w->window_s = 60; /* set, so the 0 applies; unused while off */
		return 0;
	}
	errno = 0;
	count = strtoul(p, &end, 10);
	if (errno || end == p || p[0] == '-' || *end != '/')
		goto bad;
	p = end + 1;
	secs = strtoul(p, &end, 10);
	if (errno || end == p || p[0] == '-' || *end)
		goto bad;
	/* One is every SMB client (a sweep), every typo (a failed logon) or
	 * every connection (a port scan). */
	if (count < 2 || count > CLI_WINDOW_COUNT_MAX || secs < 1 || secs > CLI_WINDOW_SECS_MAX)
		goto bad;
	w->threshold = (uint32_t)count;
	w->window_s = (uint32_t)secs;
	return 0;
bad:
	pr_warn("invalid %s '%s': expected COUNT/SECS (COUNT 2..%d, SECS 1..%d) or off\n", what,
		arg, CLI_WINDOW_COUNT_MAX, CLI_WINDOW_SECS_MAX);
	return -1;
}

int cli_parse_ports(const char *what, const char *arg, uint16_t *ports, int max)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	int n = 0;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long v = strtol(tok, &end, 10);

		if (*end || end == tok || v < 1 || v > 65535) {
			pr_warn("invalid %s '%s': '%s' is not a port 1-65535\n", what, arg, tok);
			goto bad;
		}
		if (n >= max) {
			pr_warn("invalid %s '%s': at most %d ports\n", what, arg, max);
			goto bad;
		}
		ports[n++] = (uint16_t)v;
	}
	if (!n) {
		pr_warn("invalid %s '%s': no port\n", what, arg);
		goto bad;
	}
	free(copy);
	return n;
bad:
	free(copy);
	return -1;
}

int cli_hunt_option(struct hunt_opts *o, int opt, const char *arg)
{
	int n;

	switch (opt) {
	case OPT_IOC:
	case OPT_IOC_DIR:
	case OPT_IOC_BLOCK: {
		struct stat st;

		if (o->n_ioc_files >= CLI_MAX_IOC_FILES) {
			pr_warn("at most %d --ioc files\n", CLI_MAX_IOC_FILES);
			return -1;
		}
		o->ioc_flags[o->n_ioc_files] = 0;
		if (opt == OPT_IOC_DIR ||
		    (opt == OPT_IOC_BLOCK && !stat(arg, &st) && S_ISDIR(st.st_mode)))
			o->ioc_flags[o->n_ioc_files] |= CLI_IOC_DIR;
		if (opt == OPT_IOC_BLOCK)
			o->ioc_flags[o->n_ioc_files] |= CLI_IOC_BLOCK;
		o->ioc_files[o->n_ioc_files++] = arg;
		return 1;
	}
	case OPT_NO_DEFAULT_IOC:
		o->no_default_ioc = 1;
		return 1;
	case OPT_IOC_MAX_SIZE: {
		uint64_t v;

		if (cli_parse_u64("--ioc-max-size", arg, &v))
			return -1;
		if (!v) {
			pr_warn("invalid --ioc-max-size '%s': at least 1 byte\n", arg);
			return -1;
		}
		o->ioc_max_bytes = v;
		return 1;
	}
	case 'o':
		o->output = arg;
		return 1;
	case OPT_HOST:
		if (!*arg) {
			pr_warn("--host needs a name\n");
			return -1;
		}
		o->host = arg;
		return 1;
	case OPT_FLOWS:
		if (cli_parse_u32("--flows", arg, &o->load.flows_max))
			return -1;
		if (o->load.flows_max < 1024) {
			pr_warn("invalid --flows '%s': at least 1024\n", arg);
			return -1;
		}
		return 1;
	case OPT_RINGBUF: {
		uint32_t v;

		if (cli_parse_u32("--ringbuf", arg, &v))
			return -1;
		/* The kernel's ring buffer: a power of two of whole pages. */
		if (v < 4096 || (v & (v - 1))) {
			pr_warn("invalid --ringbuf '%s': a power of two, at least 4096 (4k)\n",
				arg);
			return -1;
		}
		o->load.ringbuf_bytes = v;
		return 1;
	}
	case OPT_SMB_PORTS:
		n = cli_parse_ports("--smb-ports", arg, o->load.smb_ports, LOADER_MAX_PORTS);
		if (n < 0)
			return -1;
		o->load.n_smb_ports = n;
		return 1;
	case OPT_RPC_PORTS:
		n = cli_parse_ports("--rpc-ports", arg, o->load.rpc_ports, LOADER_MAX_PORTS);
		if (n < 0)
			return -1;
		o->load.n_rpc_ports = n;
		return 1;
	case OPT_SMB_RULES:
		o->smb_rules = arg;
		return 1;
	case OPT_FLOW_TIMEOUT: {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || arg[0] == '-' || v < 1 ||
		    v > FLOWLOG_TIMEOUT_MAX) {
			pr_warn("invalid --flow-timeout '%s': expected seconds, 1..%d\n", arg,
				FLOWLOG_TIMEOUT_MAX);
			return -1;
		}
		o->flow_timeout = (unsigned int)v;
		/* A dynamic DCE/RPC flow kept that long keeps its port's mark. */
		o->load.rpc_dyn_idle_s = v > XH_RPC_DYN_IDLE_S ? (uint32_t)v : 0;
		return 1;
	}
	case OPT_SMB_SWEEP:
		return cli_parse_window("--smb-sweep", arg, &o->load.sweep) ? -1 : 1;
	case OPT_SMB_BRUTE_FORCE:
		return cli_parse_window("--smb-brute-force", arg, &o->load.brute) ? -1 : 1;
	case OPT_PORT_SCAN:
		return cli_parse_window("--port-scan", arg, &o->load.portscan) ? -1 : 1;
	case OPT_KERBEROS_BRUTE_FORCE:
		return cli_parse_window("--kerberos-brute-force", arg, &o->load.krbbrute) ? -1 : 1;
	case OPT_SERVICE_SWEEP:
		return cli_parse_window("--service-sweep", arg, &o->load.svcsweep) ? -1 : 1;
	case OPT_SERVICE_SWEEP_PORTS:
		n = cli_parse_ports("--service-sweep-ports", arg, o->load.svcsweep_ports,
				    LOADER_MAX_PORTS);
		if (n < 0)
			return -1;
		o->load.n_svcsweep_ports = n;
		return 1;
	case 'v':
		o->verbose++;
		return 1;
	case OPT_DCERPC_TABLE:
		if (o->n_dcerpc_files >= CLI_MAX_DCERPC_FILES) {
			pr_warn("at most %d --dcerpc-table files\n", CLI_MAX_DCERPC_FILES);
			return -1;
		}
		o->dcerpc_files[o->n_dcerpc_files++] = arg;
		return 1;
	default:
		return 0;
	}
}

const char *cli_root_hint(void)
{
	return geteuid() == 0 ? ""
			      : "; not root: a running instance's XDP programs, maps and process "
				"are root's, so run this as root (or with CAP_SYS_ADMIN)";
}

void cli_help_hint(const char *cmd)
{
	fprintf(stderr, "Try 'xdphunt %s --help' for its options.\n", cmd);
}

int cli_parse_run(int argc, char **argv, const char *cmd, const char *usage, struct hunt_opts *o,
		  const char **ifaces, int *n_ifaces, enum xdp_attach_mode *mode)
{
	static const struct option longopts[] = {
		{"iface", required_argument, NULL, 'i'},
		{"mode", required_argument, NULL, OPT_MODE},
		CLI_HUNT_LONG_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	int opt;

	hunt_opts_init(o);
	*n_ifaces = 0;
	*mode = XDP_MODE_UNSPEC;
	while ((opt = getopt_long(argc, argv, "i:o:vh", longopts, NULL)) != -1) {
		int r = cli_hunt_option(o, opt, optarg);

		if (r < 0)
			return XH_EXIT_USAGE;
		if (r > 0)
			continue;
		switch (opt) {
		case 'i':
			if (cli_add_iface(ifaces, n_ifaces, optarg, cmd))
				return XH_EXIT_USAGE;
			break;
		case OPT_MODE:
			if (cli_parse_mode(optarg, mode))
				return XH_EXIT_USAGE;
			break;
		case 'h':
			fputs(usage, stdout);
			return XH_EXIT_OK;
		default:
			cli_help_hint(cmd);
			return XH_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		pr_warn("%s: unexpected argument '%s'\n", cmd, argv[optind]);
		fputs(usage, stderr);
		return XH_EXIT_USAGE;
	}
	return -1;
}
