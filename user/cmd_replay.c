// SPDX-License-Identifier: GPL-2.0
/* cmd_replay.c: `xdphunt replay`: run the same compiled BPF program over
 * every packet of pcap/pcapng files with BPF_PROG_TEST_RUN (or the same
 * source compiled natively, --engine native: user/native/); same JSON lines
 * as live, stamped with the capture's own times. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "capture.h"
#include "cli.h"
#include "cmd.h"
#include "events.h"
#include "relay.h"
#include "counters.h"
#include "flowlog.h"
#include "ioc.h"
#include "dcerpc_table.h"
#include "jsonl.h"
#include "loader.h"
#include "log.h"
#include "ring_reader.h"
#include "smb_user.h"
#include "accounts.h"
#include "native/engine.h"
#include "native/nrt_prog.h"
#include "xdphunt.skel.h"

/* Replay's own option, above the shared ones (cli.h). */
#define OPT_ENGINE 0x200

/* The ifindex BPF_PROG_TEST_RUN gives an XDP program (the loopback's). */
#define REPLAY_IFINDEX 1

static const char replay_usage[] =
	"usage: xdphunt replay [options] CAPTURE...\n"
	"Run the classifier over pcap/pcapng files and print hunt hits as JSON lines.\n"
	"Link types: Ethernet, raw IP, Linux cooked (SLL, SLL2), BSD loopback.\n"
	"  --engine E          kernel (default: the BPF program under BPF_PROG_TEST_RUN)\n"
	"                      or native (the same source compiled for userspace;\n"
	"                      no privileges, about 10x faster, same hits)\n" CLI_HUNT_HELP;

struct replay_stats {
	unsigned long long packets;
	unsigned long long cut; /* records longer than CAPTURE_MAX_FRAME */
	unsigned long long hits;
};

/* No driver hands XDP a frame shorter than an Ethernet header, and
 * BPF_PROG_TEST_RUN refuses one (EINVAL): such records (a cut capture, a
 * fuzzed one) are skipped by both engines and counted, instead of ending
 * the file. */
#define REPLAY_MIN_FRAME 14

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* What replay_file() runs each packet through. */
struct replay_ctx {
	int prog_fd;		   /* kernel engine */
	struct ring_reader *rb;	   /* kernel engine */
	struct nrt_engine *native; /* NULL: the kernel engine */
	volatile uint64_t *clock;  /* the program's xh_capture_now_ns (bpf/clock.bpf.h) */
	volatile int64_t *len_adj; /* its xh_capture_len_adj */
	struct event_sink *sink;
	struct flowlog *flows; /* NULL without --flow-timeout */
	int counters_fd;       /* xh_counters: flows_new for flowlog_full() */
	uint64_t full_every;   /* packets between flowlog_full() checks */
	struct replay_stats st;
};

/* Flow records due at capture time @now (or, FLOWLOG_SHUTDOWN, all of
 * them). Returns -1 on an output error (sink->write_err), which ends the
 * replay, else 0; a table that cannot be read is only reported. */
static int replay_flows(struct replay_ctx *r, const char *path, uint64_t now,
			enum flowlog_reason why)
{
	int due, full_check, n;
	struct xh_stats st;

	if (!r->flows)
		return 0;
	/* A packet makes at most one flow, so a table below `high` at one
	 * check is still short of full at the next, max_entries/16 packets
	 * on (flowlog_init()); reading the counters costs a syscall. */
	due = why == FLOWLOG_SHUTDOWN || flowlog_due(r->flows, now);
	full_check = !due && r->st.packets % r->full_every == 0;
	if (!due && !full_check)
		return 0;
	if (counters_read(r->counters_fd, &st))
		memset(&st, 0, sizeof(st));
	if (full_check && !flowlog_full(r->flows, st.cnt[XH_CNT_FLOWS_NEW]))
		return 0;
	n = flowlog_sweep(r->flows, r->sink, now, st.cnt[XH_CNT_FLOWS_NEW], why);
	if (n < 0 && r->sink->write_err)
		return -1;
	if (n < 0)
		pr_warn("replay: %s: cannot read the flow table for flow records: %s\n", path,
			strerror(-n));
	return 0;
}

/* One packet of @path: run it, then write its hits. Returns 0 or -1
 * (message printed). */
static int replay_packet(struct replay_ctx *r, const char *path, struct capture *c, uint8_t *frame,
			 int len, uint64_t ts_ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = frame, .data_size_in = (unsigned int)len,
		    .repeat = 1);
	int n;

	if (r->native) {
		nrt_engine_run(r->native, frame, (uint32_t)len, REPLAY_IFINDEX);
		r->sink->ts_override_ns = ts_ns;
		n = nrt_engine_drain(r->native, events_handle, r->sink);
	} else {
		if (bpf_prog_test_run_opts(r->prog_fd, &topts)) {
			pr_warn("replay: %s: packet %llu: test run failed: %s\n", path,
				capture_packet_no(c), strerror(errno));
			return -1;
		}
		r->sink->ts_override_ns = ts_ns;
		n = ring_reader__consume(r->rb);
	}
	return n < 0 && r->sink->write_err ? -1 : 0;
}

/* Flows that left the table early, said at the end: those forced out (with
 * a record) and those the LRU evicted (without): every flow made
 * (flows_new) has a record unless it is still in the table (after an
 * error) or was evicted. */
static void replay_evicted(struct loader *l, const struct flowlog *f)
{
	struct xh_stats s;
	uint64_t left = 0, evicted;

	if (counters_read(bpf_map__fd(l->skel->maps.xh_counters), &s) ||
	    flowlog_count(bpf_map__fd(l->skel->maps.xh_flows), &left))
		return;
	evicted = flowlog_evicted(s.cnt[XH_CNT_FLOWS_NEW], left, f->removed);
	flowlog_say("replay", bpf_map__max_entries(l->skel->maps.xh_flows), evicted, f->forced,
		    "in all");
}

/* One capture. Returns 0, or -1 after printing an error naming the file
 * (and the packet); hits and flow records found before the error are
 * already written. */
static int replay_file(struct replay_ctx *r, const char *path)
{
	static uint8_t frame[CAPTURE_MAX_FRAME];
	char err[1024];
	struct capture *c;
	unsigned long long runts = 0, first_runt = 0;
	uint64_t ts_ns, now = 0;
	int len, rc, ret = 0;

	c = capture__open(path, err, sizeof(err));
	if (!c) {
		pr_warn("replay: %s\n", err);
		return -1;
	}
	r->sink->iface = base_name(path);
	if (r->flows)
		r->flows->last_sweep_ns = 0;
	while ((rc = capture_next(c, frame, sizeof(frame), &len, &ts_ns)) == 1) {
		if (len < REPLAY_MIN_FRAME) {
			if (!runts++)
				first_runt = capture_packet_no(c);
			continue;
		}
		if ((size_t)len == sizeof(frame)) /* at the limit: cut (or exactly that long) */
			r->st.cut++;
		/* The program's clock is the packet's time (a flow's first and
		 * last packet, as tshark shows them); the flow records' sweeps
		 * run on the latest time seen, which a capture stamped out of
		 * order never turns back (as Zeek's network time). */
		*r->clock = ts_ns;
		*r->len_adj = capture_len_adj(c);
		if (ts_ns > now)
			now = ts_ns;
		if (replay_flows(r, path, now, FLOWLOG_TIMEOUT) ||
		    replay_packet(r, path, c, frame, len, ts_ns)) {
			ret = -1;
			break;
		}
		r->st.packets++;
	}
	if (rc < 0) {
		pr_warn("replay: %s\n", capture_error(c));
		ret = -1;
	}
	/* The flows left at the end of the capture, as Suricata's "shutdown"
	 * records at the end of a pcap; written after an error too. */
	if (!r->sink->write_err && replay_flows(r, path, now, FLOWLOG_SHUTDOWN))
		ret = -1;
	/* Input xdphunt did not look at, named whatever the verbosity: a
	 * count that differs from tshark's must have its reason on screen. */
	if (runts)
		pr_warn("replay: %s: %llu records shorter than an Ethernet header (%d bytes) "
			"skipped, the first record %llu: no NIC hands XDP such a frame\n",
			path, runts, REPLAY_MIN_FRAME, first_runt);
	if (capture_skipped(c))
		pr_info("replay: %s: %llu records with no IP behind the link header skipped\n",
			path, capture_skipped(c));
	capture__free(c);
	return ret;
}

int cmd_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_HUNT_LONG_OPTIONS,
		{"engine", required_argument, NULL, OPT_ENGINE},
		{NULL, 0, NULL, 0},
	};
	struct replay_ctx r = {.prog_fd = -1};
	struct flowlog flows;
	struct hunt_opts o;
	struct ioc_set *iocs = NULL;
	struct dcerpc_table *rpc = NULL;
	struct smb_rules *smb = NULL;
	struct loader *l = NULL;
	struct jsonl_writer *out = NULL;
	struct event_sink sink;
	int opt, ret = XH_EXIT_ERROR, failed = 0, sink_ready = 0, use_native = 0, flows_ready = 0;
	int ferr;
	uint64_t before;

	hunt_opts_init(&o);
	while ((opt = getopt_long(argc, argv, "o:vh", longopts, NULL)) != -1) {
		int r = cli_hunt_option(&o, opt, optarg);

		if (r < 0)
			return XH_EXIT_USAGE;
		if (r > 0)
			continue;
		if (opt == OPT_ENGINE && (!strcmp(optarg, "kernel") || !strcmp(optarg, "native"))) {
			use_native = !strcmp(optarg, "native");
			continue;
		}
		if (opt == OPT_ENGINE) {
			pr_warn("replay: --engine: '%s' is neither kernel nor native\n", optarg);
			return XH_EXIT_USAGE;
		}
		if (opt == 'h') {
			fputs(replay_usage, stdout);
			return XH_EXIT_OK;
		}
		cli_help_hint("replay");
		return XH_EXIT_USAGE;
	}
	if (optind >= argc) {
		pr_warn("replay: no capture file given\n");
		fputs(replay_usage, stderr);
		return XH_EXIT_USAGE;
	}
	log_setup(o.verbose > 2 ? LOG_DEBUG : (enum log_level)o.verbose);

	if (cmd_load_inputs(&o, &iocs, &rpc, &smb, &out))
		goto out;
	l = loader__open(&o.load);
	if (!l)
		goto out;
	/* The program's state runs on the capture's clock (bpf/clock.bpf.h). */
	l->skel->rodata->xh_cfg_capture = 1;
	/* Native: the object's maps become native maps, which the same
	 * loader code below fills (user/native/wrap.c); nothing is loaded
	 * into the kernel. */
	if (use_native) {
		r.native = nrt_engine__open(l->skel->obj, &nrt_prog_xdphunt);
		if (!r.native) {
			pr_warn("replay: cannot set up the native engine: %s\n", strerror(errno));
			goto out;
		}
	}
	if (!r.native) {
		int err = loader_load(l);

		if (err == -EPERM)
			pr_warn("replay: --engine native runs the same classifier without "
				"privileges\n");
		if (err)
			goto out;
	}
	if (loader_configure(l, &o.load, iocs) || cmd_tables_to_maps(l, smb, rpc))
		goto out;
	if (loader_arm(l))
		goto out;
	if (r.native && nrt_engine_sync(r.native))
		goto out;
	/* Kernel: the .bss the skeleton mapped at load; one store a packet. */
	r.clock = r.native ? nrt_engine_var(r.native, "xh_capture_now_ns", sizeof(uint64_t))
			   : (l->skel->bss ? &l->skel->bss->xh_capture_now_ns : NULL);
	r.len_adj = r.native ? nrt_engine_var(r.native, "xh_capture_len_adj", sizeof(int64_t))
			     : (l->skel->bss ? &l->skel->bss->xh_capture_len_adj : NULL);
	if (!r.clock || !r.len_adj) {
		pr_warn("replay: the program's capture clock is not mapped\n");
		goto out;
	}
	event_sink_init(&sink, out, iocs, o.host);
	sink.dcerpc = rpc;
	sink.smb = smb;
	/* Flow times are capture times already (hits take theirs from
	 * ts_override_ns, a packet stamped 0 included). */
	sink.mono_to_real_ns = 0;
	sink.ts_override = 1;
	sink_ready = 1;
	r.sink = &sink;
	if (o.flow_timeout) {
		uint32_t max = bpf_map__max_entries(l->skel->maps.xh_flows);

		if (flowlog_init(&flows, bpf_map__fd(l->skel->maps.xh_flows), max,
				 o.flow_timeout)) {
			pr_warn("replay: out of memory for flow records\n");
			goto out;
		}
		/* No consumer to keep up with here: every idle flow, each sweep. */
		flows.max_per_sweep = UINT32_MAX;
		flows_ready = 1;
		r.flows = &flows;
		r.counters_fd = bpf_map__fd(l->skel->maps.xh_counters);
		r.full_every = max / 16 ? max / 16 : 1;
	}
	if (!r.native) {
		r.rb = ring_reader__new(bpf_map__fd(l->skel->maps.xh_events), events_handle, &sink);
		if (!r.rb) {
			pr_warn("replay: cannot open the event ring buffer: %s\n", strerror(errno));
			goto out;
		}
		r.prog_fd = bpf_program__fd(l->skel->progs.xdphunt);
	}

	for (int i = optind; i < argc; i++) {
		before = sink.events;
		/* Captures are independent: a flow in one is not the same flow
		 * as an equal 5-tuple in the next. */
		if (i > optind && loader_clear_flows(l))
			pr_warn("replay: cannot clear the flow table before %s\n", argv[i]);
		if (i > optind && dcerpc_clear_state(l->skel))
			pr_warn("replay: cannot clear the DCE/RPC state before %s\n", argv[i]);
		if (i > optind) {
			accounts_clear(sink.accounts);
			relays_clear(sink.relays);
		}
		if (replay_file(&r, argv[i]))
			failed++;
		/* A flush error is the writer's to say; the captures after
		 * it would only be held in memory. */
		ferr = jsonl_flush(out);
		if (ferr && !sink.write_err)
			sink.write_err = ferr;
		if (sink.write_err)
			failed++;
		pr_info("replay: %s: %llu hits\n", argv[i],
			(unsigned long long)(sink.events - before));
		if (sink.write_err)
			break;
	}
	if (r.st.cut)
		pr_info("replay: %llu records longer than %d bytes were cut to that length\n",
			r.st.cut, CAPTURE_MAX_FRAME);
	if (r.flows) {
		pr_info("replay: %llu packets, %llu hits, %llu flow records\n", r.st.packets,
			(unsigned long long)sink.events, (unsigned long long)flows.records);
		replay_evicted(l, &flows);
	} else
		pr_info("replay: %llu packets, %llu hits\n", r.st.packets,
			(unsigned long long)sink.events);
	if (sink.relays_written)
		pr_info("replay: %llu of the hits ntlm.relay, made from two logon hits each\n",
			(unsigned long long)sink.relays_written);
	if (sink.bad_names)
		pr_warn("replay: %llu SMB names were not valid UTF-16 and were left out\n",
			(unsigned long long)sink.bad_names);
	ret = failed ? XH_EXIT_ERROR : XH_EXIT_OK;
out:
	if (flows_ready)
		flowlog_fini(&flows);
	ring_reader__free(r.rb);
	nrt_engine__free(r.native);
	loader__free(l);
	if (sink_ready)
		event_sink_fini(&sink);
	if (out && jsonl_flush(out))
		ret = XH_EXIT_ERROR;
	jsonl_writer__free(out);
	ioc_set__free(iocs);
	dcerpc_table__free(rpc);
	smb_rules__free(smb);
	return ret;
}
