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
#include "ioc.h"
#include "dcerpc_table.h"
#include "jsonl.h"
#include "loader.h"
#include "log.h"
#include "smb_user.h"
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
	"      --engine E        kernel (default: the BPF program under BPF_PROG_TEST_RUN)\n"
	"                        or native (the same source compiled for userspace;\n"
	"                        no privileges, about 10x faster, same hits)\n" CLI_HUNT_HELP;

struct replay_stats {
	unsigned long long packets;
	unsigned long long cut;	  /* records longer than CAPTURE_MAX_FRAME */
	unsigned long long runts; /* records shorter than an Ethernet header, skipped */
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

/* One capture. Returns 0, or -1 after printing an error naming the file
 * (and the packet); hits found before the error are already written. */
static int replay_file(const char *path, int prog_fd, struct ring_buffer *rb,
		       struct nrt_engine *native, struct event_sink *sink, struct replay_stats *st)
{
	static uint8_t frame[CAPTURE_MAX_FRAME];
	char err[1024];
	struct capture *c;
	uint64_t ts_ns;
	int len, rc, ret = 0;

	c = capture__open(path, err, sizeof(err));
	if (!c) {
		pr_warn("replay: %s\n", err);
		return -1;
	}
	sink->iface = base_name(path);
	while ((rc = capture_next(c, frame, sizeof(frame), &len, &ts_ns)) == 1) {
		LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = frame,
			    .data_size_in = (unsigned int)len, .repeat = 1);

		if (len < REPLAY_MIN_FRAME) {
			st->runts++;
			continue;
		}
		if ((size_t)len == sizeof(frame)) /* at the limit: cut (or exactly that long) */
			st->cut++;
		if (native) {
			nrt_engine_run(native, frame, (uint32_t)len, REPLAY_IFINDEX);
			sink->ts_override_ns = ts_ns;
			if (nrt_engine_drain(native, events_handle, sink) < 0 && sink->write_err) {
				ret = -1;
				break;
			}
			st->packets++;
			continue;
		}
		if (bpf_prog_test_run_opts(prog_fd, &topts)) {
			pr_warn("replay: %s: packet %llu: test run failed: %s\n", path,
				capture_packet_no(c), strerror(errno));
			ret = -1;
			break;
		}
		sink->ts_override_ns = ts_ns;
		if (ring_buffer__consume(rb) < 0 && sink->write_err) {
			ret = -1;
			break;
		}
		st->packets++;
	}
	if (rc < 0) {
		pr_warn("replay: %s\n", capture_error(c));
		ret = -1;
	}
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
	struct replay_stats st = {};
	struct hunt_opts o;
	struct ioc_set *iocs = NULL;
	struct dcerpc_table *rpc = NULL;
	struct smb_rules *smb = NULL;
	struct loader *l = NULL;
	struct jsonl_writer *out = NULL;
	struct ring_buffer *rb = NULL;
	struct nrt_engine *native = NULL;
	struct event_sink sink;
	int opt, ret = XH_EXIT_ERROR, failed = 0, sink_ready = 0, prog_fd = -1, use_native = 0;
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
		fputs(replay_usage, stderr);
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
	/* Native: the object's maps become native maps, which the same
	 * loader code below fills (user/native/wrap.c); nothing is loaded
	 * into the kernel. */
	if (use_native) {
		native = nrt_engine__open(l->skel->obj, &nrt_prog_xdphunt);
		if (!native) {
			pr_warn("replay: cannot set up the native engine: %s\n", strerror(errno));
			goto out;
		}
	}
	if (!native) {
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
	if (native && nrt_engine_sync(native))
		goto out;
	event_sink_init(&sink, out, iocs, o.host);
	sink.dcerpc = rpc;
	sink.smb = smb;
	sink_ready = 1;
	if (!native) {
		rb = ring_buffer__new(bpf_map__fd(l->skel->maps.xh_events), events_handle, &sink,
				      NULL);
		if (!rb) {
			pr_warn("replay: cannot open the event ring buffer: %s\n", strerror(errno));
			goto out;
		}
		prog_fd = bpf_program__fd(l->skel->progs.xdphunt);
	}

	for (int i = optind; i < argc; i++) {
		before = sink.events;
		/* Captures are independent: a flow in one is not the same flow
		 * as an equal 5-tuple in the next. */
		if (i > optind && loader_clear_flows(l))
			pr_warn("replay: cannot clear the flow table before %s\n", argv[i]);
		if (i > optind && dcerpc_clear_state(l->skel))
			pr_warn("replay: cannot clear the DCE/RPC state before %s\n", argv[i]);
		if (replay_file(argv[i], prog_fd, rb, native, &sink, &st))
			failed++;
		if (jsonl_flush(out))
			failed++;
		pr_info("replay: %s: %llu hits\n", argv[i],
			(unsigned long long)(sink.events - before));
		if (sink.write_err)
			break;
	}
	if (st.runts)
		pr_info("replay: %llu records shorter than an Ethernet header (%d bytes) skipped: "
			"no NIC hands XDP such a frame\n",
			st.runts, REPLAY_MIN_FRAME);
	if (st.cut)
		pr_info("replay: %llu records longer than %d bytes were cut to that length\n",
			st.cut, CAPTURE_MAX_FRAME);
	pr_info("replay: %llu packets, %llu hits\n", st.packets, (unsigned long long)sink.events);
	if (sink.bad_names)
		pr_warn("replay: %llu SMB names were not valid UTF-16 and were left out\n",
			(unsigned long long)sink.bad_names);
	ret = failed ? XH_EXIT_ERROR : XH_EXIT_OK;
out:
	ring_buffer__free(rb);
	nrt_engine__free(native);
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
