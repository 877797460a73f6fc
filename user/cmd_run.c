// SPDX-License-Identifier: GPL-2.0
/* cmd_run.c: `xdphunt run`: attach to interfaces and print hunt hits live. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "dcerpc_table.h"
#include "cmd.h"
#include "counters.h"
#include "events.h"
#include "flowlog.h"
#include "ioc.h"
#include "ioc_live.h"
#include "instance.h"
#include "jsonl.h"
#include "loader.h"
#include "log.h"
#include "loop.h"
#include "ring_reader.h"
#include "smb_user.h"
#include "xdphunt.skel.h"

static const char run_usage[] =
	"usage: xdphunt run -i IFACE [-i IFACE...] [options]\n"
	"Attach the classifier to each IFACE and print hunt hits as JSON lines until\n"
	"SIGINT or SIGTERM; then drain, detach and exit 0. SIGHUP (or `xdphunt reload`)\n"
	"re-reads the IoC feeds and swaps the new set in atomically, and reopens\n"
	"-o FILE (log rotation).\n"
	"  -i, --iface IFACE   interface to watch (repeatable, up to 16)\n"
	"  --mode MODE         auto (native, else skb; default), native or skb\n" CLI_HUNT_HELP;

/* What run_watch() keeps between calls. */
struct run_watch {
	struct loader *l;
	struct event_sink *sink;
	struct flowlog *flows; /* NULL without --flow-timeout */
	int flows_err;	       /* the last table read error said (-errno) */
	uint64_t lost_said;    /* events_lost when it was last reported */
	time_t said_at;	       /* when (0: never) */
	uint64_t evicted;      /* flows evicted before their record (flowlog_evicted()) */
	uint64_t evicted_said; /* evicted and flows->forced when they were last reported */
	uint64_t forced_said;
	time_t flows_said_at;
};

#define RUN_LOST_EVERY_S 60 /* report a full ring buffer at most this often */

/* Counter @c (XH_CNT_*) of the running program, or 0 if it cannot be read. */
static uint64_t run_counter(struct loader *l, unsigned int c)
{
	struct xh_stats s;

	if (counters_read(bpf_map__fd(l->skel->maps.xh_counters), &s))
		return 0;
	return s.cnt[c];
}

/* After a sweep: publish what was removed (for `xdphunt stats`) and count
 * the flows the LRU evicted before their record, by the last walk of the
 * table (a sweep may go on with an earlier walk's list) and the program's
 * count of new flows read before it. */
static void run_flows_evicted(struct run_watch *w)
{
	uint64_t e = flowlog_evicted(w->flows->new_at_scan, w->flows->scanned,
				     w->flows->removed_at_scan);

	loader_publish_flows(w->l, w->flows->removed, w->flows->forced);
	if (e > w->evicted)
		w->evicted = e;
}

/* Flow records when a sweep is due or the table nears full; @flows_new:
 * the program's counter, read before. */
static void run_flows_sweep(struct run_watch *w, uint64_t flows_new)
{
	struct timespec ts;
	uint64_t mono;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	mono = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	if (!flowlog_due(w->flows, mono) && !flowlog_full(w->flows, flows_new))
		return;
	n = flowlog_sweep(w->flows, w->sink, mono, flows_new, FLOWLOG_TIMEOUT);
	if (n < 0 && !w->sink->write_err && n != w->flows_err)
		pr_warn("flows: cannot read the flow table: %s; flow records wait for the next "
			"sweep\n",
			strerror(-n));
	w->flows_err = n < 0 ? n : 0;
	if (n >= 0)
		run_flows_evicted(w);
}

/* event_sink.on_catchup, every FLOWLOG_CATCHUP_MS between watches: the sweep
 * of run_watch(), for a table that fills faster than a sweep a second can
 * write (flowlog_full()) or a sweep that left flows due (flowlog_due()). */
_Static_assert(LOOP_CATCHUP_MS <= FLOWLOG_CATCHUP_MS, "the loop asks as often as a sweep may run");
static void run_catchup(void *ctx)
{
	struct run_watch *w = ctx;
	struct xh_stats st;

	if (!w->flows || counters_read(bpf_map__fd(w->l->skel->maps.xh_counters), &st))
		return;
	run_flows_sweep(w, st.cnt[XH_CNT_FLOWS_NEW]);
}

/* event_sink.on_watch, once a second: interfaces that went away or came
 * back; flow records when a sweep is due or the table nears full; and
 * findings that found the ring buffer full and flows that left the table
 * early (each said at most once a minute, with how many since the last
 * time). */
static void run_watch(void *ctx)
{
	struct run_watch *w = ctx;
	time_t now = time(NULL);
	struct xh_stats st;
	uint64_t lost;

	/* The counters once a tick, before the sweep walks the table:
	 * flowlog_evicted() is then a lower bound. Unreadable: zeros. */
	if (counters_read(bpf_map__fd(w->l->skel->maps.xh_counters), &st))
		memset(&st, 0, sizeof(st));

	/* A renamed interface: hits name it by its new name from now. */
	if (loader_watch(w->l) && w->sink)
		event_sink_forget_names(w->sink);
	if (w->flows) {
		run_flows_sweep(w, st.cnt[XH_CNT_FLOWS_NEW]);
		if ((w->evicted > w->evicted_said || w->flows->forced > w->forced_said) &&
		    (!w->flows_said_at || now - w->flows_said_at >= RUN_LOST_EVERY_S)) {
			flowlog_say("flows", bpf_map__max_entries(w->l->skel->maps.xh_flows),
				    w->evicted - w->evicted_said, w->flows->forced - w->forced_said,
				    w->flows_said_at ? "since the last report" : "since the start");
			w->evicted_said = w->evicted;
			w->forced_said = w->flows->forced;
			w->flows_said_at = now;
		}
	}
	lost = st.cnt[XH_CNT_EVENTS_LOST];
	if (lost > w->lost_said && (!w->said_at || now - w->said_at >= RUN_LOST_EVERY_S)) {
		pr_warn("events: %llu findings found the ring buffer full since %s (the consumer "
			"fell behind); each is retried with its flow's next packet. A larger "
			"--ringbuf or a faster output helps\n",
			(unsigned long long)(lost - w->lost_said),
			w->said_at ? "the last report" : "the start");
		w->lost_said = lost;
		w->said_at = now;
	}
}

int cmd_run(int argc, char **argv)
{
	const char *ifaces[LOADER_MAX_IFACES];
	enum xdp_attach_mode mode = XDP_MODE_UNSPEC;
	struct hunt_opts o;
	struct ioc_set *iocs = NULL;
	struct dcerpc_table *rpc = NULL;
	struct smb_rules *smb = NULL;
	struct loader *l = NULL;
	struct jsonl_writer *out = NULL;
	struct ring_reader *rb = NULL;
	struct event_sink sink;
	struct ioc_live live = {};
	struct run_watch watch = {};
	struct flowlog flows;
	uint64_t lost;
	struct ioc_outer outer;
	char pidfile[256] = "";
	int n_ifaces = 0, err, ret, sink_ready = 0, flows_ready = 0;

	ret = cli_parse_run(argc, argv, "run", run_usage, &o, ifaces, &n_ifaces, &mode);
	if (ret >= 0)
		return ret;
	ret = XH_EXIT_ERROR;
	if (!n_ifaces) {
		pr_warn("run: no interface given (-i IFACE)\n");
		fputs(run_usage, stderr);
		return XH_EXIT_USAGE;
	}
	log_setup(o.verbose > 2 ? LOG_DEBUG : (enum log_level)o.verbose);

	/* Everything that can fail on bad input is checked before touching
	 * any interface. */
	if (cmd_load_inputs(&o, &iocs, &rpc, &smb, &out))
		goto out;
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
	err = loader_configure(l, &o.load, NULL);
	if (err || cmd_tables_to_maps(l, smb, rpc))
		goto out;
	loader_ioc_outer(l, &outer);
	err = ioc_live_start(&live, &o, &outer, iocs);
	iocs = NULL; /* owned by live now */
	if (err)
		goto out;
	event_sink_init(&sink, out, live.cur, o.host);
	sink.dcerpc = rpc;
	sink.smb = smb;
	sink_ready = 1;
	live.publish = &sink.iocs;
	sink.on_hup = ioc_live_on_hup;
	sink.on_hup_ctx = &live;
	if (o.flow_timeout) {
		if (flowlog_init(&flows, bpf_map__fd(l->skel->maps.xh_flows),
				 bpf_map__max_entries(l->skel->maps.xh_flows), o.flow_timeout)) {
			pr_warn("run: out of memory for flow records\n");
			goto out;
		}
		flows_ready = 1;
		watch.flows = &flows;
	}
	watch.l = l;
	watch.sink = &sink;
	sink.on_watch = run_watch;
	sink.on_watch_ctx = &watch;
	sink.on_catchup = run_catchup;
	sink.on_catchup_ctx = &watch;
	rb = ring_reader__new(bpf_map__fd(l->skel->maps.xh_events), events_handle, &sink);
	if (!rb) {
		pr_warn("run: cannot open the event ring buffer: %s\n", strerror(errno));
		goto out;
	}
	if (loader_arm(l))
		goto out;
	for (int i = 0; i < l->n_ifaces; i++)
		pr_warn("ready: attached to %s (%s mode, program id %u), %zu IoC indicators\n",
			l->ifaces[i].name, loader_mode_name(l->ifaces[i].mode),
			xdp_program__id(l->xdp_prog), ioc_set_count(live.cur));
	instance_register(ifaces, n_ifaces, pidfile, sizeof(pidfile));

	err = loop_run(rb, &sink);
	ret = err ? XH_EXIT_ERROR : XH_EXIT_OK;
	pr_info("run: %llu hits written\n", (unsigned long long)sink.events);
	if (sink.relays_written)
		pr_info("run: %llu of them ntlm.relay, made from two logon hits each\n",
			(unsigned long long)sink.relays_written);
	lost = run_counter(l, XH_CNT_EVENTS_LOST);
	if (lost)
		pr_warn("run: %llu findings found the ring buffer full in all (retried with their "
			"flow's next packet; a flow that sent nothing more was not reported)\n",
			(unsigned long long)lost);
	if (sink.ioc.stale || sink.ioc.collisions)
		pr_warn("run: IoC hits not written: %llu with a stale reference, %llu name hash "
			"collisions\n",
			(unsigned long long)sink.ioc.stale,
			(unsigned long long)sink.ioc.collisions);
out:
	instance_unregister(pidfile);
	if (l && loader_detach_all(l))
		ret = XH_EXIT_ERROR;
	/* Hits made between the last drain and the detach. */
	if (rb && ring_reader__consume(rb) < 0 && sink.write_err)
		ret = XH_EXIT_ERROR;
	/* Then the flows still in the table, when the run got to its loop. */
	if (flows_ready && rb && !sink.write_err) {
		/* Detached: nothing makes flows any more, the count is exact. */
		uint64_t flows_new = run_counter(l, XH_CNT_FLOWS_NEW);
		int n = flowlog_sweep(&flows, &sink, 0, flows_new, FLOWLOG_SHUTDOWN);

		if (n < 0) {
			if (!sink.write_err)
				pr_warn("run: cannot read the flow table for the last flow "
					"records: %s\n",
					strerror(-n));
			ret = XH_EXIT_ERROR;
		}
		pr_info("run: %llu flow records written\n", (unsigned long long)flows.records);
		if (n >= 0)
			run_flows_evicted(&watch);
		flowlog_say("run", bpf_map__max_entries(l->skel->maps.xh_flows), watch.evicted,
			    flows.forced, "in all");
	}
	if (flows_ready)
		flowlog_fini(&flows);
	ring_reader__free(rb);
	loader__free(l);
	if (sink_ready)
		event_sink_fini(&sink);
	if (out && jsonl_flush(out))
		ret = XH_EXIT_ERROR;
	jsonl_writer__free(out);
	ioc_set__free(iocs);
	ioc_live_fini(&live);
	dcerpc_table__free(rpc);
	smb_rules__free(smb);
	return ret;
}
