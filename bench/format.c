// SPDX-License-Identifier: GPL-2.0
/* format.c: `xh_bench format`: the consumer's CPU cost per hit without the
 * kernel: events built in userspace and handed to the real events_handle()
 * (enrichment, Community ID, JSON) writing to /dev/null (or --out, to check
 * that a change keeps the output byte for byte), with the built-in SMB rules
 * and DCE/RPC table as `xdphunt run` has them. Deterministic, so
 * `valgrind --tool=callgrind xh_bench format --count 100000` gives
 * repeatable instruction counts per hit. No privileges.
 *
 * By default the events are those bench/evgen.bpf.c makes (ioc.dest, a new
 * client port every event). --rule picks another kind: each is filled as the
 * kernel fills that rule's event (bpf/emit.bpf.h and the module that emits
 * it), with the detail of a typical hit in the corpus (smbclient's ADMIN$,
 * psexec's svcctl pipe and RCreateServiceW call...). ioc.* kinds match the
 * first indicator of the feed of the right kind (ioc.dns and ioc.tls_sni need
 * a domain, e.g. data/ioc/lazarus.csv). --ipv6 makes the flows IPv6. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "bench.h"
#include "dcerpc_table.h"
#include "events.h"
#include "ioc.h"
#include "jsonl.h"
#include "log.h"
#include "smb.h"
#include "smb_user.h"

static const char usage[] =
	"usage: xh_bench format [--ioc FILE] [--count N] [--out FILE] [--rule KIND|all] [--ipv6]\n"
	"       xh_bench format --list-rules\n";

/* What an event template needs from the tables. */
struct fmt_ctx {
	const struct ioc_set *iocs;
	const struct smb_rules *smb;
	const struct dcerpc_table *rpc;
	int ipv6;
};

static void set_addr(__be32 a[4], int ipv6, uint32_t v4, const char *v6)
{
	memset(a, 0, 16);
	if (ipv6)
		inet_pton(AF_INET6, v6, a);
	else
		a[0] = htonl(v4);
}

/* The server side and flow of a plain TCP hit; evgen's ioc.dest values. */
static void flow_tcp(struct xh_event *e, const struct fmt_ctx *c, unsigned int dport)
{
	set_addr(e->daddr, c->ipv6, 0xcb007142, "2001:db8:2::14");
	e->dport = htons(dport);
	e->proto = 6;
	e->family = c->ipv6 ? XH_AF_INET6 : XH_AF_INET;
	e->action = XH_ACTION_PASS;
	e->ifindex = 1;
	e->flow_packets = 1;
	e->flow_bytes = 64;
}

/* UTF-16LE of ASCII @s into the event's name, as SMB2 sends it. */
static void name_utf16(struct xh_event *e, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++) {
		e->name[2 * i] = (uint8_t)s[i];
		e->name[2 * i + 1] = 0;
	}
	e->name_len = (uint16_t)(2 * n);
}

/* The first indicator of the set that fits the kind: an address of the
 * flow's family, or a domain. */
static const struct ioc_entry *first_entry(const struct fmt_ctx *c, int domain)
{
	const struct ioc_entry *ie;

	for (size_t i = 0; (ie = ioc_set_at(c->iocs, i)); i++) {
		if (domain && ie->kind == IOC_KIND_DOMAIN)
			return ie;
		if (!domain && ie->kind != IOC_KIND_DOMAIN && !ie->port &&
		    ie->family == (c->ipv6 ? XH_AF_INET6 : XH_AF_INET))
			return ie;
	}
	return NULL;
}

static uint32_t ioc_ref(const struct fmt_ctx *c, const struct ioc_entry *ie)
{
	return ie->id | (ioc_set_gen(c->iocs) & XH_IOC_GEN_MASK) << XH_IOC_GEN_SHIFT;
}

/* ioc.dest / ioc.src: the server (client) address is in the indicator; a
 * CIDR's host part ends in .66 as evgen's 203.0.113.66. */
static int ev_ioc_addr(struct xh_event *e, const struct fmt_ctx *c, int rule)
{
	const struct ioc_entry *ie = first_entry(c, 0);
	__be32 *a = rule == XH_RULE_IOC_SRC ? e->saddr : e->daddr;
	uint8_t *b = (uint8_t *)a;
	unsigned int alen = c->ipv6 ? 16 : 4;

	if (!ie)
		return -1;
	flow_tcp(e, c, 443);
	memcpy(a, ie->addr, alen);
	if (ie->prefixlen < alen * 8)
		b[alen - 1] |= 0x42;
	e->rule = (uint8_t)rule;
	e->ioc_id = ioc_ref(c, ie);
	return 0;
}

static int ev_ioc_dest(struct xh_event *e, const struct fmt_ctx *c)
{
	return ev_ioc_addr(e, c, XH_RULE_IOC_DEST);
}

static int ev_ioc_src(struct xh_event *e, const struct fmt_ctx *c)
{
	return ev_ioc_addr(e, c, XH_RULE_IOC_SRC);
}

/* ioc.dns / ioc.tls_sni: "www." + the feed's first domain (bpf/ioc_name.bpf.h). */
static int ev_ioc_name(struct xh_event *e, const struct fmt_ctx *c, int rule)
{
	const struct ioc_entry *ie = first_entry(c, 1);
	char text[300];
	int n;

	if (!ie)
		return -1;
	flow_tcp(e, c, rule == XH_RULE_IOC_DNS ? 53 : 443);
	if (rule == XH_RULE_IOC_DNS)
		e->proto = 17;
	n = snprintf((char *)e->name, sizeof(e->name), "www.%s",
		     ioc_entry_text(c->iocs, ie, text, sizeof(text)));
	if (n <= 0 || (size_t)n >= sizeof(e->name))
		return -1;
	e->name_len = (uint16_t)n;
	e->rule = (uint8_t)rule;
	e->ioc_id = ioc_ref(c, ie);
	e->detail_kind = XH_DETAIL_IOC_NAME;
	e->d.ioc.hash = ie->hash;
	e->d.ioc.name_off = 4;
	e->d.ioc.qtype = rule == XH_RULE_IOC_DNS ? 1 : 0; /* A */
	e->d.ioc.transport = e->proto;
	return 0;
}

static int ev_ioc_dns(struct xh_event *e, const struct fmt_ctx *c)
{
	return ev_ioc_name(e, c, XH_RULE_IOC_DNS);
}

static int ev_ioc_tls(struct xh_event *e, const struct fmt_ctx *c)
{
	return ev_ioc_name(e, c, XH_RULE_IOC_TLS_SNI);
}

static int ev_smb_connect(struct xh_event *e, const struct fmt_ctx *c)
{
	flow_tcp(e, c, 445);
	e->rule = XH_RULE_SMB_CONNECT;
	return 0;
}

static int ev_rpc_connect(struct xh_event *e, const struct fmt_ctx *c)
{
	flow_tcp(e, c, 135);
	e->rule = XH_RULE_RPC_CONNECT;
	return 0;
}

/* An SMB2 message of a session with a known SessionId (bpf/smb.bpf.h). */
static void smb2(struct xh_event *e, const struct fmt_ctx *c, int rule, unsigned int cmd,
		 unsigned int dialect)
{
	flow_tcp(e, c, 445);
	e->rule = (uint8_t)rule;
	e->detail_kind = XH_DETAIL_SMB;
	e->d.smb.version = 2;
	e->d.smb.dialect = (uint16_t)dialect;
	e->d.smb.command = (uint16_t)cmd;
	e->d.smb.session_id = 0x400000000011ULL;
	e->d.smb.message_id = 5;
	e->d.smb.flags = XH_SMB_F_SESSION_KNOWN;
	e->d.smb.name_enc = XH_SMB_ENC_UTF16LE;
}

static int ev_smb_admin(struct xh_event *e, const struct fmt_ctx *c)
{
	smb2(e, c, XH_RULE_SMB_ADMIN_SHARE, XH_SMB2_TREE_CONNECT, 0x0210);
	e->d.smb.share_kind = XH_SMB_SHARE_ADMIN;
	name_utf16(e, "\\\\192.0.2.20\\ADMIN$");
	return 0;
}

static int ev_smb_ipc(struct xh_event *e, const struct fmt_ctx *c)
{
	smb2(e, c, XH_RULE_SMB_IPC_SHARE, XH_SMB2_TREE_CONNECT, 0x0311);
	e->d.smb.share_kind = XH_SMB_SHARE_IPC;
	name_utf16(e, "\\\\192.0.2.20\\IPC$");
	return 0;
}

static int ev_smb_pipe(struct xh_event *e, const struct fmt_ctx *c)
{
	smb2(e, c, XH_RULE_SMB_NAMED_PIPE, XH_SMB2_CREATE, 0x0311);
	e->d.smb.share_kind = XH_SMB_SHARE_IPC;
	e->d.smb.tree_id = 1;
	e->d.smb.flags |= XH_SMB_F_TREE_KNOWN;
	e->d.smb.pipe_id = (uint16_t)smb_rules_pipe_id(c->smb, "svcctl");
	name_utf16(e, "svcctl");
	return 0;
}

static int ev_smb_transfer(struct xh_event *e, const struct fmt_ctx *c)
{
	smb2(e, c, XH_RULE_SMB_TOOL_TRANSFER, XH_SMB2_CREATE, 0x0210);
	e->d.smb.share_kind = XH_SMB_SHARE_ADMIN;
	e->d.smb.tree_id = 1;
	e->d.smb.flags |= XH_SMB_F_TREE_KNOWN;
	e->d.smb.access = 0x0012019f;
	name_utf16(e, "PSEXESVC.exe");
	return 0;
}

/* SMB1's NEGOTIATE, no session yet. */
static int ev_smb_v1(struct xh_event *e, const struct fmt_ctx *c)
{
	flow_tcp(e, c, 445);
	e->rule = XH_RULE_SMB_V1;
	e->detail_kind = XH_DETAIL_SMB;
	e->d.smb.version = 1;
	e->d.smb.command = XH_SMB1_NEGOTIATE;
	return 0;
}

static int ev_smb_encrypted(struct xh_event *e, const struct fmt_ctx *c)
{
	smb2(e, c, XH_RULE_SMB_ENCRYPTED, 0, 0x0300);
	e->d.smb.version = 3;
	e->d.smb.message_id = 0;
	return 0;
}

/* psexec over the svcctl pipe: BIND, then RCreateServiceW (two techniques). */
static int ev_dcerpc(struct xh_event *e, const struct fmt_ctx *c, int rule)
{
	static const uint8_t svcctl_le[16] = {0x81, 0xbb, 0x7a, 0x36, 0x44, 0x98, 0xf1, 0x35,
					      0xad, 0x32, 0x98, 0xf0, 0x38, 0x00, 0x10, 0x03};
	struct xh_dcerpc_detail *d = &e->d.dcerpc;
	int ifx = dcerpc_table_find(c->rpc, "svcctl");

	if (ifx < 0)
		return -1;
	flow_tcp(e, c, 445);
	e->rule = (uint8_t)rule;
	e->detail_kind = XH_DETAIL_DCERPC;
	memcpy(d->uuid, svcctl_le, sizeof(svcctl_le));
	memset(d->smb_file_id, 0x11, sizeof(d->smb_file_id));
	d->if_index = (uint16_t)ifx;
	d->ver_major = 2;
	d->transport = XH_RPC_TR_SMB2;
	d->name_enc = XH_SMB_ENC_UTF16LE;
	name_utf16(e, "svcctl");
	if (rule == XH_RULE_DCERPC_BIND) {
		d->ptype = 11;
		d->call_id = 1;
		return 0;
	}
	d->call_id = 4;
	d->opnum = 12;
	for (size_t i = 0; i < c->rpc->n_ops; i++)
		if (c->rpc->ops[i].if_index == ifx && c->rpc->ops[i].opnum == 12) {
			d->op_index = (uint16_t)i;
			return 0;
		}
	return -1;
}

static int ev_dcerpc_bind(struct xh_event *e, const struct fmt_ctx *c)
{
	return ev_dcerpc(e, c, XH_RULE_DCERPC_BIND);
}

static int ev_dcerpc_call(struct xh_event *e, const struct fmt_ctx *c)
{
	return ev_dcerpc(e, c, XH_RULE_DCERPC_CALL);
}

static int ev_sweep(struct xh_event *e, const struct fmt_ctx *c)
{
	flow_tcp(e, c, 445);
	e->rule = XH_RULE_SCAN_SMB_SWEEP;
	e->detail_kind = XH_DETAIL_SWEEP;
	e->d.sweep.distinct = 16;
	e->d.sweep.threshold = 16;
	e->d.sweep.window_s = 60;
	return 0;
}

/* An RDP request as mstsc sends it, with a cookie and RDP_NEG_REQ. */
static int ev_rdp(struct xh_event *e, const struct fmt_ctx *c)
{
	static const char var[] = "Cookie: mstshash=hunter\r\n\x01\x00\x08\x00\x03\x00\x00\x00";
	size_t n = 11 + sizeof(var) - 1;

	flow_tcp(e, c, 3389);
	e->rule = XH_RULE_RDP_CONNECT;
	e->detail_kind = XH_DETAIL_REMOTE;
	e->name[0] = 3;
	e->name[2] = (uint8_t)(n >> 8);
	e->name[3] = (uint8_t)n;
	e->name[4] = (uint8_t)(n - 5);
	e->name[5] = 0xe0;
	memcpy(e->name + 11, var, sizeof(var) - 1);
	e->name_len = (uint16_t)n;
	e->d.remote.payload_len = (uint32_t)n;
	return 0;
}

static int ev_ssh(struct xh_event *e, const struct fmt_ctx *c)
{
	static const char line[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6\r\n";

	flow_tcp(e, c, 2222);
	e->rule = XH_RULE_SSH_CONNECT;
	e->detail_kind = XH_DETAIL_REMOTE;
	memcpy(e->name, line, sizeof(line) - 1);
	e->name_len = sizeof(line) - 1;
	e->d.remote.payload_len = sizeof(line) - 1;
	e->d.remote.line_len = sizeof(line) - 3;
	return 0;
}

static const struct {
	const char *name;
	int (*make)(struct xh_event *e, const struct fmt_ctx *c);
} kinds[] = {
	{"ioc.dest", ev_ioc_dest},
	{"ioc.src", ev_ioc_src},
	{"ioc.dns", ev_ioc_dns},
	{"ioc.tls_sni", ev_ioc_tls},
	{"smb.connect", ev_smb_connect},
	{"rpc.connect", ev_rpc_connect},
	{"smb.admin_share", ev_smb_admin},
	{"smb.ipc_share", ev_smb_ipc},
	{"smb.named_pipe", ev_smb_pipe},
	{"smb.tool_transfer", ev_smb_transfer},
	{"smb.v1", ev_smb_v1},
	{"smb.encrypted", ev_smb_encrypted},
	{"dcerpc.bind", ev_dcerpc_bind},
	{"dcerpc.call", ev_dcerpc_call},
	{"scan.smb_sweep", ev_sweep},
	{"rdp.connect", ev_rdp},
	{"ssh.connect", ev_ssh},
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

int cmd_format(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"ioc", required_argument, NULL, 'i'},
		{"count", required_argument, NULL, 'c'},
		{"out", required_argument, NULL, 'o'},
		{"rule", required_argument, NULL, 'r'},
		{"ipv6", no_argument, NULL, '6'},
		{"list-rules", no_argument, NULL, 'l'},
		{NULL, 0, NULL, 0},
	};
	const char *ioc_file = NULL, *out_file = "/dev/null", *rule = "ioc.dest";
	unsigned long count = 1000000;
	struct ioc_set *iocs = NULL;
	struct smb_rules *smb = NULL;
	struct dcerpc_table *rpc = NULL;
	struct jsonl_writer *out = NULL;
	struct event_sink sink;
	struct xh_event tmpl[N_KINDS];
	struct fmt_ctx c = {};
	size_t first = 0, n_tmpl = 0;
	int opt, ret = 1, fd, sink_ready = 0;
	double t0, t;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 'i')
			ioc_file = optarg;
		else if (opt == 'o')
			out_file = optarg;
		else if (opt == 'c')
			count = strtoul(optarg, NULL, 0);
		else if (opt == 'r')
			rule = optarg;
		else if (opt == '6')
			c.ipv6 = 1;
		else if (opt == 'l') {
			for (size_t i = 0; i < N_KINDS; i++)
				printf("%s\n", kinds[i].name);
			return 0;
		} else {
			fputs(usage, stderr);
			return 2;
		}
	}
	if (strcmp(rule, "all")) {
		for (first = 0; first < N_KINDS && strcmp(kinds[first].name, rule); first++)
			;
		if (first == N_KINDS) {
			fprintf(stderr, "format: unknown rule '%s' (--list-rules)\n", rule);
			return 2;
		}
	}
	log_setup(LOG_WARN);
	iocs = ioc_set__new();
	smb = smb_rules__new_default();
	rpc = dcerpc_table__new();
	if (!iocs || !smb || !rpc || dcerpc_table_load_builtin(rpc) < 0 ||
	    (ioc_file && ioc_set_load_file(iocs, ioc_file) < 0))
		goto out;
	c.iocs = iocs;
	c.smb = smb;
	c.rpc = rpc;
	/* One template per kind (all) or the one asked for. */
	for (size_t k = first; k < (strcmp(rule, "all") ? first + 1 : N_KINDS); k++) {
		memset(&tmpl[n_tmpl], 0, sizeof(tmpl[n_tmpl]));
		if (kinds[k].make(&tmpl[n_tmpl], &c)) {
			fprintf(stderr,
				"format: cannot make a %s event with this feed and tables\n",
				kinds[k].name);
			goto out;
		}
		n_tmpl++;
	}
	fd = open(out_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	out = jsonl_writer__new(fd, 1);
	if (!out)
		goto out;
	/* Live sink, as bench/ringbuf.c: in_iface from the ifindex. */
	event_sink_init(&sink, out, iocs, "bench");
	sink.smb = smb;
	sink.dcerpc = rpc;
	sink_ready = 1;
	/* Fixed clock offset: the same input gives the same lines every run. */
	sink.mono_to_real_ns = 1700000000LL * 1000000000LL;
	t0 = bench_now();
	for (unsigned long n = 0; n < count; n++) {
		struct xh_event *e = &tmpl[n % n_tmpl];
		uint32_t cli = 1 + (n & 0x7f);

		/* A new flow every event, as evgen's: client address and port. */
		e->ts_ns = 1000000000ULL * 3600 + n * 300;
		if (e->rule == XH_RULE_IOC_SRC) {
			/* the client is the indicator: vary the server instead */
			set_addr(e->daddr, c.ipv6, 0xc6336400 | cli, "2001:db8:2::");
			if (c.ipv6)
				((uint8_t *)e->daddr)[15] = (uint8_t)cli;
		} else {
			set_addr(e->saddr, c.ipv6, 0xc0000200 | cli, "2001:db8:1::");
			if (c.ipv6)
				((uint8_t *)e->saddr)[15] = (uint8_t)cli;
		}
		e->sport = htons((uint16_t)(1024 + (n & 0x7fff)));
		if (events_handle(&sink, e, sizeof(*e)))
			break;
	}
	jsonl_flush(out);
	t = bench_now() - t0;
	printf("{\"kind\":\"format\",\"rule\":\"%s\",\"events\":%llu,\"secs\":%.6f,\"eps\":%.0f}\n",
	       rule, (unsigned long long)sink.events, t, t > 0 ? sink.events / t : 0.0);
	ret = sink.events == count ? 0 : 1;
out:
	if (sink_ready)
		event_sink_fini(&sink);
	jsonl_writer__free(out);
	dcerpc_table__free(rpc);
	smb_rules__free(smb);
	ioc_set__free(iocs);
	return ret;
}
