// SPDX-License-Identifier: GPL-2.0
/* cmd_run.c: `xdphunt run`: attach to interfaces and print hunt hits live. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "cmd.h"
#include "events.h"
#include "ioc.h"
#include "jsonl.h"
#include "loader.h"
#include "log.h"
#include "loop.h"
#include "smb_user.h"
#include "xdphunt.skel.h"

static const char run_usage[] =
	"usage: xdphunt run -i IFACE [-i IFACE...] [options]\n"
	"Attach the classifier to each IFACE and print hunt hits as JSON lines until\n"
	"SIGINT or SIGTERM; then drain, detach and exit 0.\n"
	"  -i, --iface IFACE   interface to watch (repeatable, up to 16)\n"
	"  --mode MODE         auto (native, else skb; default), native or skb\n" CLI_HUNT_HELP;

struct ioc_set *cmd_load_iocs(const struct hunt_opts *o)
{
	struct ioc_set *set = ioc_set__new();

	if (!set) {
		pr_warn("ioc: out of memory\n");
		return NULL;
	}
	for (int i = 0; i < o->n_ioc_files; i++) {
		int n = ioc_set_load_file(set, o->ioc_files[i]);

		if (n < 0) {
			pr_warn("ioc: feed %s not loaded; stopping\n", o->ioc_files[i]);
			ioc_set__free(set);
			return NULL;
		}
		pr_info("ioc: %s: %d indicators\n", o->ioc_files[i], n);
	}
	return set;
}

struct smb_rules *cmd_load_smb_rules(const struct hunt_opts *o)
{
	struct smb_rules *r;

	if (o->smb_rules) {
		r = smb_rules__load_file(o->smb_rules);
		if (!r)
			pr_warn("smb-rules: %s not loaded; stopping\n", o->smb_rules);
		return r;
	}
	r = smb_rules__new_default();
	if (!r)
		pr_warn("smb-rules: built-in rules failed: %s\n", strerror(errno));
	return r;
}

int cmd_smb_rules_to_map(struct loader *l, const struct smb_rules *r)
{
	int err = smb_rules_to_map(r, bpf_map__fd(l->skel->maps.xh_smb_names));

	if (err)
		pr_warn("smb-rules: cannot fill xh_smb_names: %s\n", strerror(-err));
	return err;
}

static int parse_mode(const char *arg, enum xdp_attach_mode *mode)
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

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"iface", required_argument, NULL, 'i'},
		{"mode", required_argument, NULL, OPT_MODE},
		CLI_HUNT_LONG_OPTIONS,
		{NULL, 0, NULL, 0},
	};
	const char *ifaces[LOADER_MAX_IFACES];
	enum xdp_attach_mode mode = XDP_MODE_UNSPEC;
	struct hunt_opts o;
	struct ioc_set *iocs = NULL;
	struct smb_rules *smb = NULL;
	struct loader *l = NULL;
	struct jsonl_writer *out = NULL;
	struct ring_buffer *rb = NULL;
	struct event_sink sink;
	int n_ifaces = 0, opt, err, ret = XH_EXIT_ERROR, sink_ready = 0;

	hunt_opts_init(&o);
	while ((opt = getopt_long(argc, argv, "i:o:vh", longopts, NULL)) != -1) {
		int r = cli_hunt_option(&o, opt, optarg);

		if (r < 0)
			return XH_EXIT_USAGE;
		if (r > 0)
			continue;
		switch (opt) {
		case 'i':
			if (n_ifaces >= LOADER_MAX_IFACES) {
				pr_warn("at most %d interfaces\n", LOADER_MAX_IFACES);
				return XH_EXIT_USAGE;
			}
			ifaces[n_ifaces++] = optarg;
			break;
		case OPT_MODE:
			if (parse_mode(optarg, &mode))
				return XH_EXIT_USAGE;
			break;
		case 'h':
			fputs(run_usage, stdout);
			return XH_EXIT_OK;
		default:
			fputs(run_usage, stderr);
			return XH_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		pr_warn("run: unexpected argument '%s'\n", argv[optind]);
		fputs(run_usage, stderr);
		return XH_EXIT_USAGE;
	}
	if (!n_ifaces) {
		pr_warn("run: no interface given (-i IFACE)\n");
		fputs(run_usage, stderr);
		return XH_EXIT_USAGE;
	}
	log_setup(o.verbose > 2 ? LOG_DEBUG : (enum log_level)o.verbose);

	/* Everything that can fail on bad input is checked before touching
	 * any interface. */
	iocs = cmd_load_iocs(&o);
	if (!iocs)
		goto out;
	smb = cmd_load_smb_rules(&o);
	if (!smb)
		goto out;
	out = jsonl_writer__open(o.output);
	if (!out) {
		pr_warn("output: cannot open '%s': %s\n", o.output, strerror(errno));
		goto out;
	}
	if (loop_block_signals()) {
		pr_warn("run: cannot block signals: %s\n", strerror(errno));
		goto out;
	}
	err = loader_ensure_bpffs();
	if (err)
		pr_warn("run: continuing without bpffs; libxdp's dispatcher will not work\n");
	l = loader__open(&o.load);
	if (!l)
		goto out;
	for (int i = 0; i < n_ifaces; i++) {
		err = loader_attach(l, ifaces[i], mode);
		if (err)
			goto out; /* loader__free() detaches what was attached */
	}
	err = loader_configure(l, &o.load, iocs);
	if (err || cmd_smb_rules_to_map(l, smb))
		goto out;
	event_sink_init(&sink, out, iocs, o.host);
	sink.smb = smb;
	sink_ready = 1;
	rb = ring_buffer__new(bpf_map__fd(l->skel->maps.xh_events), events_handle, &sink, NULL);
	if (!rb) {
		pr_warn("run: cannot open the event ring buffer: %s\n", strerror(errno));
		goto out;
	}
	if (loader_arm(l))
		goto out;
	for (int i = 0; i < l->n_ifaces; i++)
		pr_warn("ready: attached to %s (%s mode, program id %u), %zu IoC indicators\n",
			l->ifaces[i].name, loader_mode_name(l->ifaces[i].mode),
			xdp_program__id(l->xdp_prog), ioc_set_count(iocs));

	err = loop_run(rb, &sink);
	ret = err ? XH_EXIT_ERROR : XH_EXIT_OK;
	pr_info("run: %llu hits written\n", (unsigned long long)sink.events);
out:
	if (l && loader_detach_all(l))
		ret = XH_EXIT_ERROR;
	/* Hits made between the last drain and the detach. */
	if (rb && ring_buffer__consume(rb) < 0 && sink.write_err)
		ret = XH_EXIT_ERROR;
	ring_buffer__free(rb);
	loader__free(l);
	if (sink_ready)
		event_sink_fini(&sink);
	if (out && jsonl_flush(out))
		ret = XH_EXIT_ERROR;
	jsonl_writer__free(out);
	ioc_set__free(iocs);
	smb_rules__free(smb);
	return ret;
}
