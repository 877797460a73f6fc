// SPDX-License-Identifier: GPL-2.0
/* live.c: `xh_bench live`: the live XDP path. A generator program run with
 * BPF_PROG_TEST_RUN and BPF_F_TEST_XDP_LIVE_FRAMES redirects real frames into
 * a veth (in the generator's namespace); its peer (in the receiver's
 * namespace) runs, in native mode, either an empty XDP_DROP program or
 * xdphunt built to drop after classifying (build/bench/xdphunt_drop.bpf.o).
 * Debian's xdp-trafficgen does not run on this kernel and pktgen is not
 * built, hence this generator. Veth runs the peer's XDP program in NAPI on
 * the CPU that transmitted, so N generator threads pinned to N CPUs measure
 * N cores of receive processing. Each thread sends its own flow (the class
 * capture's packet number i), as a NIC's RSS keeps a flow on one core: with
 * one flow on both threads, the flow's state bounced between the CPUs, which
 * no gateway with RSS sees. The received count comes from the veth's own
 * counters (scripts/bench.sh reads ethtool -S before and after).
 * With --flows N the generator is bench/flowgen.bpf.c: each thread's frames
 * come from N source addresses in turn, N flows instead of one.
 * --gen packet: a kernel that refuses BPF_F_TEST_XDP_LIVE_FRAMES (EPERM, as
 * this VM's since its 6.18.44 build v1300) gets frames sent through an
 * AF_PACKET socket with the qdisc bypassed, sendmmsg() 64 at a time: each
 * frame an skb from the sender's stack, which veth hands its peer's XDP
 * program as the NIC-less path of any namespace lab does. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench.h"
#include "counters.h"
#include "flowgen.h"
#include "flowgen.skel.h"
#include "ioc.h"
#include "ioc_maps.h"
#include "log.h"
#include "ring_reader.h"
#include "xh_abi.h"

static const char usage[] =
	"usage: xh_bench live --gen-ns NS --gen-if IF --rx-ns NS --rx-if IF --prog "
	"empty|xdphunt|none\n"
	"                     [--obj XDPHUNT_DROP.bpf.o] [--ioc FILE] [--threads N] [--count N]\n"
	"                     [--flows N] [--gen bpf|packet] NAME=PCAP...\n"
	"  --prog none attach nothing: send to the program already on --rx-if (`xdphunt run`)\n"
	"  --count N   frames per thread and class\n"
	"  --flows N   each thread sends N flows in turn (N IPv4 source addresses from its\n"
	"              packet's; IPv4 classes only), not one\n"
	"  --gen G     bpf: BPF_PROG_TEST_RUN with live frames (default); packet: an\n"
	"              AF_PACKET socket, qdisc bypassed (a kernel that refuses live frames)\n";

/* One test run per thread and class: each call has a fixed cost of about
 * 16 ms on this kernel (setup and teardown of the live-frames page pool), so
 * calls are long and few, and the mix is derived from per-class rates. */
struct gen_thread {
	pthread_t tid;
	int cpu;
	int prog_fd; /* --gen bpf */
	int sock;    /* --gen packet: bound to the generator's interface */
	__u32 flows; /* --gen packet: source addresses in turn, 0: one */
	__u32 next;  /* --gen packet: the next of them */
	const struct bench_pkt *pkt;
	int count;
	int err;
};

/* Frames a sendmmsg() call of --gen packet carries. */
#define PACKET_BATCH 64

/* --gen packet: @t->count copies of @t->pkt through @t->sock, PACKET_BATCH
 * a call; with @t->flows, the IPv4 source address of each counts up from
 * the packet's through that many (as bench/flowgen.bpf.c counts). A full
 * device queue (ENOBUFS) is tried again: the frames counted are the frames
 * the kernel took. */
static void gen_packet(struct gen_thread *t)
{
	static __thread uint8_t buf[PACKET_BATCH][BENCH_FRAME_MAX];
	struct mmsghdr msg[PACKET_BATCH];
	struct iovec iov[PACKET_BATCH];
	__u32 base;
	int sent = 0, n;

	memcpy(&base, t->pkt->data + 26, sizeof(base));
	base = ntohl(base);
	memset(msg, 0, sizeof(msg));
	for (int i = 0; i < PACKET_BATCH; i++) {
		memcpy(buf[i], t->pkt->data, (size_t)t->pkt->len);
		iov[i] = (struct iovec){.iov_base = buf[i], .iov_len = (size_t)t->pkt->len};
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	while (sent < t->count) {
		int want = t->count - sent < PACKET_BATCH ? t->count - sent : PACKET_BATCH;

		for (int i = 0; t->flows && i < want; i++) {
			__u32 a = htonl(base + t->next);

			memcpy(buf[i] + 26, &a, sizeof(a));
			t->next = t->next + 1 < t->flows ? t->next + 1 : 0;
		}
		n = sendmmsg(t->sock, msg, (unsigned int)want, 0);
		if (n < 0 && (errno == ENOBUFS || errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			t->err = errno;
			return;
		}
		sent += n;
	}
}

/* An AF_PACKET socket of the current namespace sending on @ifindex with
 * the qdisc bypassed, or -1 after saying why. */
static int packet_socket(int ifindex)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_ifindex = ifindex};
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one))) {
		fprintf(stderr, "bench: AF_PACKET socket on ifindex %d: %s\n", ifindex,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void *gen_main(void *arg)
{
	struct gen_thread *t = arg;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = t->pkt->data,
		    .data_size_in = (__u32)t->pkt->len, .repeat = t->count,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = 64);

	if (bench_pin_cpu(t->cpu))
		t->err = EINVAL;
	else if (t->sock >= 0)
		gen_packet(t);
	else if (bpf_prog_test_run_opts(t->prog_fd, &o))
		t->err = errno;
	return NULL;
}

static int enter_ns(const char *name)
{
	char path[256];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		err = -errno;
		fprintf(stderr, "bench: cannot enter namespace %s: %s\n", name, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	return err;
}

/* Load the drop build of xdphunt and fill its port table and IoC tries as
 * the loader does. Returns the program fd (the object stays open in *objp). */
static int load_xdphunt_drop(const char *obj_path, const char *ioc_file, struct bpf_object **objp)
{
	static const struct {
		__u32 port;
		__u8 svc;
	} ports[] = {{445, XH_SVC_SMB}, {139, XH_SVC_SMB}, {135, XH_SVC_RPC}};
	struct bpf_object *obj;
	struct ioc_set *iocs = NULL;
	int fd, err;

	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj) {
		fprintf(stderr, "bench: cannot open %s: %s\n", obj_path, strerror(errno));
		return -1;
	}
	*objp = obj;
	if (bpf_object__load(obj)) {
		fprintf(stderr, "bench: cannot load %s\n", obj_path);
		return -1;
	}
	if (bench_fill_tables(bpf_map__fd(bpf_object__find_map_by_name(obj, "xh_smb_names")),
			      bpf_map__fd(bpf_object__find_map_by_name(obj, "xh_rpc_ifs")),
			      bpf_map__fd(bpf_object__find_map_by_name(obj, "xh_rpc_ops"))))
		return -1;
	fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "xh_ports"));
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		if (bpf_map_update_elem(fd, &ports[i].port, &ports[i].svc, BPF_ANY))
			return -1;
	if (ioc_file) {
		iocs = ioc_set__new();
		struct ioc_outer outer = {
			.ioc4 = bpf_map__fd(bpf_object__find_map_by_name(obj, "xh_ioc4")),
			.ioc6 = bpf_map__fd(bpf_object__find_map_by_name(obj, "xh_ioc6")),
			.iocdom = bpf_map__fd(bpf_object__find_map_by_name(obj, "xh_iocdom")),
			.iocport = bpf_map__fd(bpf_object__find_map_by_name(obj, "xh_iocport")),
			.iocpf = bpf_map__fd(bpf_object__find_map_by_name(obj, "xh_iocpf")),
		};

		err = !iocs || ioc_set_load_file(iocs, ioc_file) < 0 ||
		      ioc_maps_install(iocs, &outer, 0, NULL);
		ioc_set__free(iocs);
		if (err)
			return -1;
	}
	return bpf_program__fd(bpf_object__find_program_by_name(obj, "xdphunt"));
}

/* The ring buffer's consumer: drains xdphunt's findings as `xdphunt run`
 * does (counting them instead of writing JSON: `xh_bench ringbuf` measures
 * that), so that a full buffer does not turn every packet of a flow whose
 * finding could not be written into another try. */
struct drain {
	pthread_t tid;
	struct ring_reader *rb;
	int cpu; /* -1: not pinned */
	volatile int stop;
	unsigned long long events;
};

static int drain_one(void *ctx, void *data, size_t len)
{
	(void)data;
	(void)len;
	((struct drain *)ctx)->events++;
	return 0;
}

static void *drain_main(void *arg)
{
	struct drain *d = arg;

	if (d->cpu >= 0)
		bench_pin_cpu(d->cpu);
	while (!d->stop)
		if (ring_reader__poll(d->rb, 50) < 0)
			break;
	ring_reader__consume(d->rb);
	return NULL;
}

/* xdphunt's counters, summed over the CPUs (zeros without xdphunt or if
 * they cannot be read: the record then says 0). */
static struct xh_stats xdphunt_stats(struct bpf_object *obj)
{
	struct xh_stats s = {};

	if (obj && counters_read(bpf_map__fd(bpf_object__find_map_by_name(obj, "xh_counters")), &s))
		memset(&s, 0, sizeof(s));
	return s;
}

/* The generator of --flows @flows: flowgen.bpf.c redirecting into
 * @ifindex. Returns the skeleton or NULL after saying why. */
static struct flowgen *flowgen_load(int ifindex, __u32 flows)
{
	struct flowgen *g = flowgen__open();

	if (!g) {
		fprintf(stderr, "bench: cannot open the flow generator: %s\n", strerror(errno));
		return NULL;
	}
	g->rodata->flowgen_ifindex = (__u32)ifindex;
	g->rodata->flowgen_flows = flows;
	if (flowgen__load(g)) {
		fprintf(stderr, "bench: cannot load the flow generator: %s\n", strerror(errno));
		flowgen__destroy(g);
		return NULL;
	}
	return g;
}

/* Whether @pkt, of the class @class, is an IPv4 frame over Ethernet, whose
 * source address --flows counts up: 0, or -1 after saying it is not. */
static int flowgen_check(const struct bench_pkt *pkt, const char *class)
{
	if (pkt->len < 34 || pkt->data[12] != 0x08 || pkt->data[13] != 0x00) {
		fprintf(stderr, "bench: --flows: class %s is not IPv4 over Ethernet\n", class);
		return -1;
	}
	return 0;
}

/* Start the flows of the thread on @cpu at the source address of @pkt
 * (flowgen_check()). */
static void flowgen_start(struct flowgen *g, int cpu, const struct bench_pkt *pkt)
{
	__u32 saddr;

	memcpy(&saddr, pkt->data + 26, sizeof(saddr));
	g->bss->flowgen_cpu[cpu].base = ntohl(saddr);
	g->bss->flowgen_cpu[cpu].next = 0;
}

int cmd_live(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"gen-ns", required_argument, NULL, 'G'}, {"gen-if", required_argument, NULL, 'g'},
		{"rx-ns", required_argument, NULL, 'R'},  {"rx-if", required_argument, NULL, 'r'},
		{"prog", required_argument, NULL, 'p'},	  {"obj", required_argument, NULL, 'o'},
		{"ioc", required_argument, NULL, 'i'},	  {"threads", required_argument, NULL, 't'},
		{"count", required_argument, NULL, 'c'},  {"flows", required_argument, NULL, 'f'},
		{"gen", required_argument, NULL, 'P'},	  {NULL, 0, NULL, 0},
	};
	struct flowgen *fgen = NULL;
	struct drain drain = {.cpu = -1};
	int drain_started = 0;
	long flows = 0; /* 0: the plain generator, one flow per thread */
	const char *gen_ns = NULL, *gen_if = NULL, *rx_ns = NULL, *rx_if = NULL, *prog = NULL;
	const char *obj_path = "build/bench/xdphunt_drop.bpf.o", *ioc_file = NULL;
	struct bench_class *classes = NULL;
	struct bpf_object *obj = NULL;
	struct gen_thread th[2] = {};
	int threads = 1, n_classes = 0, opt, ret = 1, rx_fd = -1, gen_fd = -1, rx_ifindex = 0;
	int count = 4000000, use_packet = 0, socks[2] = {-1, -1};

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'G':
			gen_ns = optarg;
			break;
		case 'g':
			gen_if = optarg;
			break;
		case 'R':
			rx_ns = optarg;
			break;
		case 'r':
			rx_if = optarg;
			break;
		case 'p':
			prog = optarg;
			break;
		case 'o':
			obj_path = optarg;
			break;
		case 'i':
			ioc_file = optarg;
			break;
		case 't':
			threads = atoi(optarg);
			break;
		case 'c':
			count = atoi(optarg);
			break;
		case 'f':
			flows = atol(optarg);
			break;
		case 'P':
			if (strcmp(optarg, "bpf") && strcmp(optarg, "packet")) {
				fputs(usage, stderr);
				return 2;
			}
			use_packet = !strcmp(optarg, "packet");
			break;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!gen_ns || !gen_if || !rx_ns || !rx_if || !prog || optind >= argc || threads < 1 ||
	    threads > 2 || flows < 0 || flows > (1L << 24) ||
	    (strcmp(prog, "empty") && strcmp(prog, "xdphunt") && strcmp(prog, "none"))) {
		fputs(usage, stderr);
		return 2;
	}
	log_setup(LOG_WARN);
	classes = calloc(BENCH_MAX_CLASSES, sizeof(*classes));
	if (!classes)
		return 1;
	for (int i = optind; i < argc && n_classes < BENCH_MAX_CLASSES; i++)
		if (bench_class_load(&classes[n_classes++], argv[i], 2))
			goto out;

	if (enter_ns(rx_ns))
		goto out;
	rx_ifindex = if_nametoindex(rx_if);
	if (!rx_ifindex) {
		fprintf(stderr, "bench: no interface %s in %s\n", rx_if, rx_ns);
		goto out;
	}
	if (!strcmp(prog, "none")) {
		/* The receiver's program is someone else's: neither attached
		 * nor detached here. */
		rx_ifindex = 0;
		goto generate;
	}
	rx_fd = !strcmp(prog, "empty") ? bench_prog_verdict(XDP_DROP)
				       : load_xdphunt_drop(obj_path, ioc_file, &obj);
	if (rx_fd < 0)
		goto out;
	if (bpf_xdp_attach(rx_ifindex, rx_fd, XDP_FLAGS_DRV_MODE, NULL)) {
		fprintf(stderr, "bench: cannot attach to %s in native mode: %s\n", rx_if,
			strerror(errno));
		rx_ifindex = 0;
		goto out;
	}
	{
		/* Which program runs on the receiver, for scripts/profile.sh. */
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (!bpf_obj_get_info_by_fd(rx_fd, &info, &len))
			printf("{\"kind\":\"live_prog\",\"prog\":\"%s\",\"prog_id\":%u}\n", prog,
			       info.id);
	}
	if (obj) {
		drain.rb = ring_reader__new(
			bpf_map__fd(bpf_object__find_map_by_name(obj, "xh_events")), drain_one,
			&drain);
		/* On a CPU of its own when the generators leave one. */
		if (threads < libbpf_num_possible_cpus())
			drain.cpu = threads;
		if (!drain.rb || pthread_create(&drain.tid, NULL, drain_main, &drain)) {
			fprintf(stderr, "bench: cannot start the ring buffer consumer\n");
			goto out;
		}
		drain_started = 1;
	}
generate:
	if (enter_ns(gen_ns))
		goto out;
	if (use_packet) {
		for (int i = 0; i < threads; i++)
			if ((socks[i] = packet_socket((int)if_nametoindex(gen_if))) < 0)
				goto out;
	} else if (flows) {
		fgen = flowgen_load((int)if_nametoindex(gen_if), (__u32)flows);
		if (!fgen)
			goto out;
	} else {
		gen_fd = bench_prog_redirect(if_nametoindex(gen_if));
		if (gen_fd < 0) {
			fprintf(stderr, "bench: cannot load the generator: %s\n",
				strerror(-gen_fd));
			goto out;
		}
	}
	for (int c = 0; c < n_classes; c++) {
		struct xh_stats before = xdphunt_stats(obj), after;
		double t0, secs;
		int started = 0;

		bench_progress("live: %s, %s, %d core(s), %d frames per core", prog,
			       classes[c].name, threads, count);
		t0 = bench_now();
		for (int i = 0; i < threads; i++) {
			th[i] = (struct gen_thread){
				.cpu = i,
				.prog_fd = fgen ? bpf_program__fd(fgen->progs.xh_flowgen) : gen_fd,
				.sock = socks[i],
				.flows = (__u32)flows,
				.pkt = &classes[c].pkts[i % classes[c].n],
				.count = count};
			if ((fgen || (use_packet && flows)) &&
			    flowgen_check(th[i].pkt, classes[c].name))
				break;
			if (fgen)
				flowgen_start(fgen, i, th[i].pkt);
			if (pthread_create(&th[i].tid, NULL, gen_main, &th[i]))
				break;
			started++;
		}
		for (int i = 0; i < started; i++)
			pthread_join(th[i].tid, NULL);
		for (int i = 0; i < started; i++) {
			if (th[i].err) {
				fprintf(stderr, "bench: generator on cpu %d: %s\n", i,
					strerror(th[i].err));
				goto out;
			}
		}
		if (started != threads)
			goto out;
		secs = bench_now() - t0;
		after = xdphunt_stats(obj);
		/* Findings, written or lost: one per new finding per flow. */
		printf("{\"kind\":\"%s\",\"gen\":\"%s\",\"prog\":\"%s\",\"class\":\"%s\","
		       "\"threads\":%d,"
		       "\"flows\":%ld,\"secs\":%.4f,\"sent\":%llu,\"xdphunt_seen\":%llu,"
		       "\"xdphunt_findings\":%llu}\n",
		       flows ? "live_flows" : "live", use_packet ? "packet" : "bpf", prog,
		       classes[c].name, threads, flows, secs, (unsigned long long)count * threads,
		       after.cnt[XH_CNT_PACKETS] - before.cnt[XH_CNT_PACKETS],
		       after.cnt[XH_CNT_EVENTS] + after.cnt[XH_CNT_EVENTS_LOST] -
			       before.cnt[XH_CNT_EVENTS] - before.cnt[XH_CNT_EVENTS_LOST]);
	}
	ret = 0;
out:
	if (drain_started) {
		drain.stop = 1;
		pthread_join(drain.tid, NULL);
	}
	ring_reader__free(drain.rb);
	if (rx_ifindex && !enter_ns(rx_ns))
		bpf_xdp_detach(rx_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	if (gen_fd >= 0)
		close(gen_fd);
	for (int i = 0; i < 2; i++)
		if (socks[i] >= 0)
			close(socks[i]);
	flowgen__destroy(fgen);
	if (rx_fd >= 0 && !obj)
		close(rx_fd);
	bpf_object__close(obj);
	free(classes);
	return ret;
}
