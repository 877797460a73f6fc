// SPDX-License-Identifier: GPL-2.0
/* cmd_stats.c: `xdphunt stats` (counters of running instances) and
 * `xdphunt detach` (remove xdphunt from an interface after a crash). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "dcerpc_table.h"
#include "cli.h"
#include "cmd.h"
#include "counters.h"
#include "flowlog.h"
#include "instance.h"
#include "jsonl.h"
#include "ioc_event.h"
#include "loader.h"
#include "log.h"
#include "remote.h"
#include "sweep.h"
#include "smb_user.h"
#include "xdphunt.skel.h"

static const char stats_usage[] =
	"usage: xdphunt stats [-i IFACE] [--json | --prometheus] [--all]\n"
	"Print the counters of every xdphunt instance attached here (or on IFACE).\n"
	"  -i, --iface IFACE   only the instance attached to IFACE\n"
	"  --json              one JSON object per instance (every counter)\n"
	"  --prometheus        Prometheus text format (every counter; for node_exporter's\n"
	"                      textfile collector)\n"
	"  --all               also the reason counters that are zero\n";

static const char detach_usage[] =
	"usage: xdphunt detach -i IFACE [--force]\n"
	"Remove xdphunt from IFACE (after a crash left it attached). Other XDP\n"
	"programs on IFACE are left alone.\n"
	"  --force             also when a running instance has IFACE (its pid file\n"
	"                      says so): it then watches nothing there; stop it instead\n";

#define MAX_INSTANCES 16

struct instance {
	uint32_t prog_id;
	uint64_t flows;	    /* entries in its flow table */
	uint32_t flows_max; /* the table's size (--flows); 0: not read */
	uint64_t evicted;   /* flows the LRU evicted (flowlog_evicted()), if evicted_known */
	uint64_t forced;    /* flows `run` forced out of a near-full table, if evicted_known */
	int evicted_known;
	char ifaces[LOADER_MAX_IFACES][IF_NAMESIZE];
	const char *modes[LOADER_MAX_IFACES];
	int n_ifaces;
};

/* Find the map named @name of program @prog_id; its max_entries go to
 * @max_entries when not NULL. Returns an fd or -errno. */
static int map_fd_of_prog(uint32_t prog_id, const char *name, uint32_t *max_entries)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info), map_ids[32];
	int pfd, ret = -ENOENT;

	pfd = bpf_prog_get_fd_by_id(prog_id);
	if (pfd < 0)
		return -errno;
	info.nr_map_ids = 32;
	info.map_ids = (uint64_t)(unsigned long)map_ids;
	if (bpf_obj_get_info_by_fd(pfd, &info, &len)) {
		ret = -errno;
		goto out;
	}
	for (uint32_t i = 0; i < info.nr_map_ids && i < 32; i++) {
		struct bpf_map_info mi = {};
		uint32_t mlen = sizeof(mi);
		int mfd = bpf_map_get_fd_by_id(map_ids[i]);

		if (mfd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(mfd, &mi, &mlen) && !strcmp(mi.name, name)) {
			if (max_entries)
				*max_entries = mi.max_entries;
			ret = mfd;
			break;
		}
		close(mfd);
	}
out:
	close(pfd);
	return ret;
}

/* What the program's .bss holds for `xdphunt stats`: the flow entries
 * `run` removed after their record and of them those it forced out
 * (bpf/maps.bpf.h). Its layout is this build's: another build's program
 * (value size differs) is not read. Returns 0 or -errno. */
static int read_flows_removed(uint32_t prog_id, uint64_t *removed, uint64_t *forced)
{
	struct xdphunt__bss bss;
	struct bpf_map_info mi = {};
	uint32_t len = sizeof(mi), key = 0;
	int fd = map_fd_of_prog(prog_id, XH_MAP_BSS, NULL), err = 0;

	if (fd < 0)
		return fd;
	if (bpf_obj_get_info_by_fd(fd, &mi, &len))
		err = -errno;
	else if (mi.value_size != sizeof(bss))
		err = -EPROTO;
	else if (bpf_map_lookup_elem(fd, &key, &bss))
		err = -errno;
	else {
		*removed = bss.xh_flows_removed;
		*forced = bss.xh_flows_forced;
	}
	close(fd);
	return err;
}

/* The flow table of @in: its entries and size, and the flows the LRU
 * evicted, from the counters @s read before. */
static void read_flow_table(struct instance *in, const struct xh_stats *s)
{
	uint32_t max = 0;
	uint64_t removed = 0;
	int fd = map_fd_of_prog(in->prog_id, XH_MAP_FLOWS, &max), err;

	if (fd < 0)
		return;
	err = flowlog_count(fd, &in->flows);
	close(fd);
	if (err) {
		pr_warn("stats: program %u: cannot read the flow table: %s\n", in->prog_id,
			strerror(-err));
		return;
	}
	in->flows_max = max;
	/* After the walk: a flow removed during it counts at most once. */
	err = read_flows_removed(in->prog_id, &removed, &in->forced);
	if (err) {
		pr_info("stats: program %u: flows removed after their record not read (%s); "
			"flows_evicted not shown\n",
			in->prog_id, err == -EPROTO ? "another xdphunt build" : strerror(-err));
		return;
	}
	in->evicted_known = 1;
	in->evicted = flowlog_evicted(s->cnt[XH_CNT_FLOWS_NEW], in->flows, removed);
}

/* One section of reason counters: the non-zero ones, or all with --all. A
 * 3 a.m. reader wants what happened, not a hundred zeros. */
static void print_section(const char *title, const char *(*name)(unsigned int), const __u64 *v,
			  unsigned int first, unsigned int n, int all)
{
	unsigned int zero = 0;

	printf("  %s:\n", title);
	for (unsigned int c = first; c < n; c++) {
		if (!v[c] && !all) {
			zero++;
			continue;
		}
		printf("    %-20s %20llu\n", name(c), (unsigned long long)v[c]);
	}
	if (zero)
		printf("    (%u zero counters not shown; --all shows them)\n", zero);
}

static void print_text(const struct instance *in, const struct xh_stats *s, int all)
{
	printf("xdphunt program id %u on", in->prog_id);
	for (int i = 0; i < in->n_ifaces; i++)
		printf(" %s (%s)", in->ifaces[i], in->modes[i]);
	printf("\n");
	for (unsigned int c = 0; c < XH_CNT__MAX; c++)
		printf("  %-22s %20llu\n", counter_name(c), (unsigned long long)s->cnt[c]);
	if (in->flows_max)
		printf("  %-22s %20llu of %u (--flows)%s\n", "flows in the table",
		       (unsigned long long)in->flows, in->flows_max,
		       in->flows >= in->flows_max ? ": full, the oldest are evicted" : "");
	if (in->evicted_known)
		printf("  %-22s %20llu%s\n", "flows evicted", (unsigned long long)in->evicted,
		       in->evicted ? " (left the full table before their flow record or "
				     "timeout; a larger --flows keeps them)"
				   : "");
	if (in->evicted_known && in->forced)
		printf("  %-22s %20llu (written early, reason forced, to keep the table from "
		       "filling; a larger --flows keeps them to their timeout)\n",
		       "flows forced out", (unsigned long long)in->forced);
	printf("  %-22s %20s %20s\n", "class", "packets", "bytes");
	for (unsigned int c = 0; c < XH_CLASS__MAX; c++)
		printf("  %-22s %20llu %20llu\n", class_name(c),
		       (unsigned long long)s->class_pkts[c], (unsigned long long)s->class_bytes[c]);
	print_section("parse errors by reason", perr_name, s->perr, 1, XH_PERR__MAX, all);
	print_section("ioc", ioc_counter_name, s->ioc, 0, XH_IOC_CNT__MAX, all);
	print_section("dcerpc", dcerpc_cnt_name, s->dcerpc, 0, XH_RPC_CNT__MAX, all);
	print_section("smb deep inspection", smb_counter_name, s->smb, 0, XH_SMB_CNT__MAX, all);
	print_section("remote services (rdp, ssh)", remote_counter_name, s->remote, 0,
		      XH_REMOTE_CNT__MAX, all);
	print_section("kerberos", krb_counter_name, s->krb, 0, XH_KRB_CNT__MAX, all);
}

static int print_json(const struct instance *in, const struct xh_stats *s)
{
	struct jbuf b;

	jbuf_init(&b);
	jbuf_obj_begin(&b);
	jbuf_key_u64(&b, "prog_id", in->prog_id);
	jbuf_key_arr_begin(&b, "interfaces");
	for (int i = 0; i < in->n_ifaces; i++)
		jbuf_arr_str(&b, in->ifaces[i]);
	jbuf_arr_end(&b);
	jbuf_key_obj_begin(&b, "counters");
	for (unsigned int c = 0; c < XH_CNT__MAX; c++)
		jbuf_key_u64(&b, counter_name(c), s->cnt[c]);
	jbuf_obj_end(&b);
	if (in->flows_max) {
		jbuf_key_obj_begin(&b, "flow_table");
		jbuf_key_u64(&b, "flows", in->flows);
		jbuf_key_u64(&b, "max", in->flows_max);
		if (in->evicted_known) {
			jbuf_key_u64(&b, "evicted", in->evicted);
			jbuf_key_u64(&b, "forced", in->forced);
		}
		jbuf_obj_end(&b);
	}
	jbuf_key_obj_begin(&b, "classes");
	for (unsigned int c = 0; c < XH_CLASS__MAX; c++) {
		jbuf_key_obj_begin(&b, class_name(c));
		jbuf_key_u64(&b, "packets", s->class_pkts[c]);
		jbuf_key_u64(&b, "bytes", s->class_bytes[c]);
		jbuf_obj_end(&b);
	}
	jbuf_obj_end(&b);
	jbuf_key_obj_begin(&b, "parse_errors");
	for (unsigned int c = 1; c < XH_PERR__MAX; c++)
		jbuf_key_u64(&b, perr_name(c), s->perr[c]);
	jbuf_obj_end(&b);
	jbuf_key_obj_begin(&b, "ioc");
	for (unsigned int c = 0; c < XH_IOC_CNT__MAX; c++)
		jbuf_key_u64(&b, ioc_counter_name(c), s->ioc[c]);
	jbuf_obj_end(&b);
	jbuf_key_obj_begin(&b, "dcerpc");
	for (unsigned int c = 0; c < XH_RPC_CNT__MAX; c++)
		jbuf_key_u64(&b, dcerpc_cnt_name(c), s->dcerpc[c]);
	jbuf_obj_end(&b);
	jbuf_key_obj_begin(&b, "smb");
	for (unsigned int c = 0; c < XH_SMB_CNT__MAX; c++)
		jbuf_key_u64(&b, smb_counter_name(c), s->smb[c]);
	jbuf_obj_end(&b);
	jbuf_key_obj_begin(&b, "remote");
	for (unsigned int c = 0; c < XH_REMOTE_CNT__MAX; c++)
		jbuf_key_u64(&b, remote_counter_name(c), s->remote[c]);
	jbuf_obj_end(&b);
	jbuf_key_obj_begin(&b, "kerberos");
	for (unsigned int c = 0; c < XH_KRB_CNT__MAX; c++)
		jbuf_key_u64(&b, krb_counter_name(c), s->krb[c]);
	jbuf_obj_end(&b);
	jbuf_obj_end(&b);
	if (!b.err)
		printf("%.*s\n", (int)b.len, b.buf);
	jbuf_free(&b);
	return b.err;
}

/* Prometheus text format: one family at a time across all instances (the
 * format wants each family's samples together), labelled by program id and
 * interfaces. Counter names are snake_case already, valid in metric names
 * and label values. */
struct prom_family {
	const char *metric; /* without xdphunt_ and _total */
	const char *label;  /* the label that names each counter */
	const char *(*name)(unsigned int);
	size_t off; /* of the __u64 array in struct xh_stats */
	unsigned int first, n;
	const char *help;
};

/* A label value: Linux allows '"' and '\\' in interface names. */
static void prom_value(const char *v)
{
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			putchar('\\');
		putchar(*v);
	}
}

/* One sample: @metric{prog_id,interfaces[,@label="@lv"]} @v. */
static void prom_sample(const char *metric, const struct instance *in, const char *label,
			const char *lv, unsigned long long v)
{
	printf("%s{prog_id=\"%u\",interfaces=\"", metric, in->prog_id);
	for (int i = 0; i < in->n_ifaces; i++) {
		if (i)
			putchar(',');
		prom_value(in->ifaces[i]);
	}
	printf("\"");
	if (label)
		printf(",%s=\"%s\"", label, lv);
	printf("} %llu\n", v);
}

static void print_prom_instances(int n)
{
	printf("# HELP xdphunt_instances xdphunt programs attached here (0: the sensor is "
	       "down).\n# TYPE xdphunt_instances gauge\nxdphunt_instances %d\n",
	       n);
}

static void print_prometheus(const struct instance *in, const struct xh_stats *s, int n)
{
	static const struct prom_family fams[] = {
		{"class_packets", "class", class_name, offsetof(struct xh_stats, class_pkts), 0,
		 XH_CLASS__MAX, "Packets of each traffic class xdphunt classified."},
		{"class_bytes", "class", class_name, offsetof(struct xh_stats, class_bytes), 0,
		 XH_CLASS__MAX, "Bytes (whole frames) of each traffic class."},
		{"parse_errors", "reason", perr_name, offsetof(struct xh_stats, perr), 1,
		 XH_PERR__MAX, "Frames the parser could not read, by reason."},
		{"ioc", "counter", ioc_counter_name, offsetof(struct xh_stats, ioc), 0,
		 XH_IOC_CNT__MAX, "IoC matching counters."},
		{"dcerpc", "counter", dcerpc_cnt_name, offsetof(struct xh_stats, dcerpc), 0,
		 XH_RPC_CNT__MAX, "DCE/RPC inspection counters."},
		{"smb", "counter", smb_counter_name, offsetof(struct xh_stats, smb), 0,
		 XH_SMB_CNT__MAX, "SMB deep inspection counters."},
		{"remote", "counter", remote_counter_name, offsetof(struct xh_stats, remote), 0,
		 XH_REMOTE_CNT__MAX, "RDP and SSH opening counters."},
		{"kerberos", "counter", krb_counter_name, offsetof(struct xh_stats, krb), 0,
		 XH_KRB_CNT__MAX,
		 "Kerberos inspection counters (KRB-ERRORs, AS-REQs, AS-REPs, TGS-REPs)."},
	};

	char metric[64];

	print_prom_instances(n);
	printf("# HELP xdphunt_info An attached xdphunt program.\n# TYPE xdphunt_info gauge\n");
	for (int k = 0; k < n; k++)
		prom_sample("xdphunt_info", &in[k], NULL, NULL, 1);
	for (unsigned int c = 0; c < XH_CNT__MAX; c++) {
		snprintf(metric, sizeof(metric), "xdphunt_%s_total", counter_name(c));
		printf("# HELP %s xdphunt counter %s (xdphunt stats).\n# TYPE %s counter\n", metric,
		       counter_name(c), metric);
		for (int k = 0; k < n; k++)
			prom_sample(metric, &in[k], NULL, NULL, s[k].cnt[c]);
	}
	printf("# HELP xdphunt_flows Flows in the flow table (SMB, MS-RPC, IoC).\n"
	       "# TYPE xdphunt_flows gauge\n");
	for (int k = 0; k < n; k++)
		if (in[k].flows_max)
			prom_sample("xdphunt_flows", &in[k], NULL, NULL, in[k].flows);
	printf("# HELP xdphunt_flows_max Size of the flow table (--flows); at it, the oldest "
	       "flows are evicted.\n# TYPE xdphunt_flows_max gauge\n");
	for (int k = 0; k < n; k++)
		if (in[k].flows_max)
			prom_sample("xdphunt_flows_max", &in[k], NULL, NULL, in[k].flows_max);
	/* A gauge, not a counter: read while the program runs it is a lower
	 * bound (flowlog_evicted()) that a later read may put a little lower,
	 * which Prometheus would take for a counter reset. */
	printf("# HELP xdphunt_flows_evicted Flows the full flow table evicted to make room, "
	       "before their flow record or timeout (a lower bound while it runs); a larger "
	       "--flows keeps them.\n# TYPE xdphunt_flows_evicted gauge\n");
	for (int k = 0; k < n; k++)
		if (in[k].evicted_known)
			prom_sample("xdphunt_flows_evicted", &in[k], NULL, NULL, in[k].evicted);
	printf("# HELP xdphunt_flows_forced_total Flows written early with reason forced and "
	       "removed to keep the flow table from filling (run --flow-timeout).\n"
	       "# TYPE xdphunt_flows_forced_total counter\n");
	for (int k = 0; k < n; k++)
		if (in[k].evicted_known)
			prom_sample("xdphunt_flows_forced_total", &in[k], NULL, NULL, in[k].forced);
	for (size_t f = 0; f < sizeof(fams) / sizeof(fams[0]); f++) {
		const struct prom_family *pf = &fams[f];

		snprintf(metric, sizeof(metric), "xdphunt_%s_total", pf->metric);
		printf("# HELP %s %s\n# TYPE %s counter\n", metric, pf->help, metric);
		for (int k = 0; k < n; k++) {
			const __u64 *v = (const __u64 *)((const char *)&s[k] + pf->off);

			for (unsigned int c = pf->first; c < pf->n; c++)
				prom_sample(metric, &in[k], pf->label, pf->name(c), v[c]);
		}
	}
}

int cmd_stats(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"iface", required_argument, NULL, 'i'},
		{"json", no_argument, NULL, OPT_JSON},
		{"prometheus", no_argument, NULL, OPT_PROMETHEUS},
		{"all", no_argument, NULL, 'a'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct instance inst[MAX_INSTANCES] = {};
	struct if_nameindex *ifs, *it;
	const char *only = NULL;
	struct xh_stats stats[MAX_INSTANCES];
	int n_inst = 0, json = 0, prom = 0, all = 0, opt, verbose = 0, ret = XH_EXIT_OK, n_read = 0;

	while ((opt = getopt_long(argc, argv, "i:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			only = optarg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_PROMETHEUS:
			prom = 1;
			break;
		case 'a':
			all = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			fputs(stats_usage, stdout);
			return XH_EXIT_OK;
		default:
			cli_help_hint("stats");
			return XH_EXIT_USAGE;
		}
	}
	if (json && prom) {
		pr_warn("stats: --json and --prometheus exclude each other\n");
		return XH_EXIT_USAGE;
	}
	if (optind < argc) {
		pr_warn("stats: unexpected argument '%s'\n", argv[optind]);
		return XH_EXIT_USAGE;
	}
	log_setup(verbose > 2 ? LOG_DEBUG : (enum log_level)verbose);
	if (only && !if_nametoindex(only)) {
		pr_warn("stats: no interface '%s' here\n", only);
		if (prom) { /* down, as with no instance (below) */
			print_prom_instances(0);
			return XH_EXIT_OK;
		}
		return XH_EXIT_ERROR;
	}

	ifs = if_nameindex();
	for (it = ifs; it && it->if_index; it++) {
		enum xdp_attach_mode mode = XDP_MODE_UNSPEC;
		uint32_t id = 0;
		int k;

		if (only && strcmp(only, it->if_name))
			continue;
		if (loader_find_attached((int)it->if_index, &id, &mode) <= 0)
			continue;
		for (k = 0; k < n_inst && inst[k].prog_id != id; k++)
			;
		if (k == n_inst) {
			if (n_inst == MAX_INSTANCES)
				continue;
			inst[n_inst++].prog_id = id;
		}
		if (inst[k].n_ifaces < LOADER_MAX_IFACES) {
			snprintf(inst[k].ifaces[inst[k].n_ifaces], IF_NAMESIZE, "%s", it->if_name);
			inst[k].modes[inst[k].n_ifaces++] = loader_mode_name(mode);
		}
	}
	if_freenameindex(ifs);

	if (!n_inst) {
		pr_warn("stats: no xdphunt instance is attached%s%s%s\n", only ? " to " : "",
			only ? only : " here", cli_root_hint());
		/* For a textfile collector, a sensor that is down is a value to
		 * alert on, not a file left as it was. */
		if (prom) {
			print_prom_instances(0);
			return XH_EXIT_OK;
		}
		return XH_EXIT_ERROR;
	}
	for (int k = 0; k < n_inst; k++) {
		struct xh_stats s;
		int fd = map_fd_of_prog(inst[k].prog_id, XH_MAP_COUNTERS, NULL), err;

		if (fd < 0) {
			pr_warn("stats: program %u: counters map not found: %s\n", inst[k].prog_id,
				strerror(-fd));
			ret = XH_EXIT_ERROR;
			continue;
		}
		/* The counters before the table: flows_evicted is then a lower
		 * bound (flowlog_evicted()). */
		err = counters_read(fd, &s);
		close(fd);
		if (err) {
			pr_warn("stats: program %u: cannot read counters: %s\n", inst[k].prog_id,
				strerror(-err));
			ret = XH_EXIT_ERROR;
			continue;
		}
		read_flow_table(&inst[k], &s);
		if (prom) {
			/* printed together below: families span instances */
			inst[n_read] = inst[k];
			stats[n_read++] = s;
		} else if (json) {
			print_json(&inst[k], &s);
		} else {
			print_text(&inst[k], &s, all);
		}
	}
	if (prom && n_read)
		print_prometheus(inst, stats, n_read);
	return ret;
}

int cmd_detach(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"iface", required_argument, NULL, 'i'},
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *iface = NULL;
	int opt, err, force = 0;
	pid_t owner;

	while ((opt = getopt_long(argc, argv, "i:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			iface = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'h':
			fputs(detach_usage, stdout);
			return XH_EXIT_OK;
		default:
			cli_help_hint("detach");
			return XH_EXIT_USAGE;
		}
	}
	if (!iface || optind < argc) {
		fputs(detach_usage, stderr);
		return XH_EXIT_USAGE;
	}
	log_setup(LOG_WARN);
	/* Pulled from under a live instance, the program would leave it
	 * running and healthy to systemd while it watches nothing. */
	owner = instance_owner(iface);
	if (owner > 0 && !force) {
		pr_warn("detach: xdphunt instance pid %d runs on %s: stop it (SIGTERM: it drains "
			"and detaches), or give --force\n",
			(int)owner, iface);
		return XH_EXIT_ERROR;
	}
	err = loader_detach_iface(iface);
	if (err == -ENOENT) {
		pr_warn("detach: %s has no xdphunt program attached%s\n", iface, cli_root_hint());
		return XH_EXIT_ERROR;
	}
	if (err) {
		if (err != -ENODEV) /* loader_detach_iface() said it */
			pr_warn("detach: %s: %s\n", iface, strerror(-err));
		return XH_EXIT_ERROR;
	}
	pr_warn("detach: removed xdphunt from %s\n", iface);
	return XH_EXIT_OK;
}
