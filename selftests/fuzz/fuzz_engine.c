// SPDX-License-Identifier: GPL-2.0
/* fuzz_engine.c: see fuzz_engine.h. The set-up is replay's (user/cmd_replay.c)
 * with the native engine, minus the output file: events are formatted into
 * a buffer and parsed back with jansson, the library xdphunt reads feeds
 * with, so the check does not trust xdphunt's own JSON code. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <jansson.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "cmd.h"
#include "dcerpc_table.h"
#include "enrich.h"
#include "events.h"
#include "ioc.h"
#include "loader.h"
#include "native/engine.h"
#include "native/nrt_prog.h"
#include "smb_user.h"
#include "xdphunt.skel.h"
#include "fuzz_engine.h"

/* Half of each address family is an IoC, so that mutated addresses take
 * both the plain path and the IoC path (flow state, ioc.* events); a
 * port-bound indicator and domains for the DNS and TLS name paths. */
static const char fuzz_feed[] = "# fuzz_engine.c: IoC feed of the fuzz target\n"
				"128.0.0.0/1\n"
				"8000::/1\n"
				"192.0.2.66:443\n"
				"evil.example\n"
				"microsoft.com\n"
				"windowsupdate.com\n"
				"local.lan\n";

struct fuzz_engine {
	struct hunt_opts opts;
	struct ioc_set *iocs;
	struct dcerpc_table *rpc;
	struct smb_rules *smb;
	struct loader *l;
	struct nrt_engine *e;
	struct event_sink sink;
	int sink_ready;
	struct jbuf jb;
	struct fuzz_stats st;
};

/* The feed goes through a file, as a user's would. */
static struct ioc_set *load_feed(struct hunt_opts *o)
{
	char path[] = "/tmp/xh_fuzz_feed_XXXXXX";
	struct ioc_set *set = NULL;
	int fd = mkstemp(path);

	if (fd < 0) {
		fprintf(stderr, "fuzz: cannot make a feed file: %s\n", strerror(errno));
		return NULL;
	}
	if (write(fd, fuzz_feed, sizeof(fuzz_feed) - 1) == (ssize_t)(sizeof(fuzz_feed) - 1)) {
		o->ioc_files[0] = path;
		o->n_ioc_files = 1;
		o->no_default_ioc = 1;
		set = cmd_load_iocs(o);
		o->ioc_files[0] = NULL;
		o->n_ioc_files = 0;
	}
	close(fd);
	unlink(path);
	return set;
}

struct fuzz_engine *fuzz_engine__open(void)
{
	struct fuzz_engine *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	hunt_opts_init(&f->opts);
	/* Small tables: the LRU eviction paths run too. */
	f->opts.load.flows_max = 4096;
	f->iocs = load_feed(&f->opts);
	f->rpc = cmd_load_dcerpc(&f->opts);
	f->smb = cmd_load_smb_rules(&f->opts);
	if (!f->iocs || !f->rpc || !f->smb)
		goto fail;
	f->l = loader__open(&f->opts.load);
	if (!f->l) {
		fprintf(stderr, "fuzz: cannot open the BPF object: %s\n", strerror(errno));
		goto fail;
	}
	f->e = nrt_engine__open(f->l->skel->obj, &nrt_prog_xdphunt);
	if (!f->e) {
		fprintf(stderr, "fuzz: cannot set up the native engine: %s\n", strerror(errno));
		goto fail;
	}
	if (loader_configure(f->l, &f->opts.load, f->iocs) ||
	    cmd_tables_to_maps(f->l, f->smb, f->rpc) || loader_arm(f->l) || nrt_engine_sync(f->e)) {
		fprintf(stderr, "fuzz: cannot fill the native maps\n");
		goto fail;
	}
	event_sink_init(&f->sink, NULL, f->iocs, "fuzz");
	f->sink.iface = "fuzz0";
	f->sink.dcerpc = f->rpc;
	f->sink.smb = f->smb;
	f->sink_ready = 1;
	jbuf_init(&f->jb);
	return f;
fail:
	fuzz_engine__free(f);
	return NULL;
}

void fuzz_engine__free(struct fuzz_engine *f)
{
	if (!f)
		return;
	if (f->sink_ready)
		event_sink_fini(&f->sink);
	jbuf_free(&f->jb);
	nrt_engine__free(f->e);
	loader__free(f->l);
	smb_rules__free(f->smb);
	dcerpc_table__free(f->rpc);
	ioc_set__free(f->iocs);
	free(f);
}

/* Is @addr (network order, @fam) covered by fuzz_feed? @port: the port it
 * was seen with (network order), for the address:port indicator. */
static int in_feed(const __be32 *addr, __u8 fam, __be16 port)
{
	const uint8_t *b = (const uint8_t *)addr;

	if (b[0] >= 0x80)
		return 1; /* 128.0.0.0/1, 8000::/1 */
	return fam == XH_AF_INET && b[0] == 192 && b[1] == 0 && b[2] == 2 && b[3] == 66 &&
	       ntohs(port) == 443;
}

static int is_port(__be16 p, uint16_t a, uint16_t b)
{
	return ntohs(p) == a || ntohs(p) == b;
}

/* Could a flow with @e's 5-tuple (oriented client -> server) carry @e's
 * rule at all? The service ports are the defaults (SMB 445/139, RPC 135). */
static int rule_fits(const struct xh_event *e)
{
	int tcp = e->proto == IPPROTO_TCP;

	switch (e->rule) {
	case XH_RULE_SMB_CONNECT:
	case XH_RULE_SMB_ADMIN_SHARE:
	case XH_RULE_SMB_IPC_SHARE:
	case XH_RULE_SMB_NAMED_PIPE:
	case XH_RULE_SMB_TOOL_TRANSFER:
	case XH_RULE_SMB_V1:
	case XH_RULE_SMB_ENCRYPTED:
	case XH_RULE_SMB_ADMIN_READ:
	case XH_RULE_SMB_ADMIN_LISTING:
	case XH_RULE_SMB_EXPLOIT:
	case XH_RULE_SMB_BRUTE_FORCE:
	case XH_RULE_SMB_LOGON:
		return tcp && (is_port(e->dport, 445, 139) || is_port(e->sport, 445, 139));
	case XH_RULE_SCAN_SMB_SWEEP:
		return tcp && is_port(e->dport, 445, 139);
	case XH_RULE_SCAN_PORT_SCAN: /* on any port: TCP's probes, UDP's empty datagrams and
				      * those answered port unreachable */
		return tcp || e->proto == IPPROTO_UDP;
	case XH_RULE_KRB_BRUTE_FORCE: /* a KDC's answer, its client the destination */
	case XH_RULE_KRB_NO_PREAUTH:
	case XH_RULE_KRB_WEAK_TICKET:
	case XH_RULE_KRB_WEAK_REQUEST: /* a client's request */
		return (tcp || e->proto == IPPROTO_UDP) && is_port(e->dport, 88, 88);
	case XH_RULE_SCAN_SERVICE_SWEEP: /* the harness's default ports */
		return tcp && (is_port(e->dport, 22, 22) || is_port(e->dport, 135, 135) ||
			       is_port(e->dport, 3389, 3389) || is_port(e->dport, 5900, 5900) ||
			       is_port(e->dport, 5985, 5986));
	case XH_RULE_RPC_CONNECT:
		return tcp && (is_port(e->dport, 135, 135) || is_port(e->sport, 135, 135));
	case XH_RULE_DCERPC_BIND:
	case XH_RULE_DCERPC_CALL:
	case XH_RULE_DCERPC_LOGON:
		return tcp;
	case XH_RULE_IOC_DEST:
		return in_feed(e->daddr, e->family, e->dport);
	case XH_RULE_IOC_SRC:
		return in_feed(e->saddr, e->family, e->sport);
	case XH_RULE_IOC_DNS:
		return e->proto == IPPROTO_UDP || tcp;
	case XH_RULE_IOC_TLS_SNI:
		return tcp;
	case XH_RULE_RDP_CONNECT:
	case XH_RULE_SSH_CONNECT:
		return tcp; /* on any port */
	default:
		return 0;
	}
}

/* Count a record whose JSON line failed, and say why for the first few
 * (the frame that made it is the fuzzer's saved input). */
static void bad_json(struct fuzz_engine *f, const struct xh_event *e, const char *what,
		     const char *why)
{
	if (f->st.bad_json++ < 5)
		fprintf(stderr, "fuzz: %s event (frame %lu): %s: %s\n  %.*s\n",
			enrich_rule_name(e->rule), f->st.frames, what, why,
			(int)(f->jb.len < 400 ? f->jb.len : 400), f->jb.buf ? f->jb.buf : "");
}

/* One record from the ring buffer: the checks events_handle() makes before
 * it trusts a record, then its JSON line, which must parse and name the
 * rule the record says. */
static int check_event(void *ctx, void *data, size_t size)
{
	struct fuzz_engine *f = ctx;
	const struct xh_event *e = data;
	const char *rule, *want = NULL;
	json_error_t jerr;
	json_t *j;
	int err;

	f->st.events++;
	if (size < XH_EVENT_SHORT_SIZE || size != xh_event_record_size(e) || !e->rule ||
	    e->rule >= XH_RULE__MAX || (e->family != XH_AF_INET && e->family != XH_AF_INET6) ||
	    e->name_len > XH_EVENT_NAME_MAX || (size == XH_EVENT_SHORT_SIZE && e->name_len != 0)) {
		f->st.bad_records++;
		return 0;
	}
	if (e->rule < sizeof(f->st.rules) / sizeof(f->st.rules[0]))
		f->st.rules[e->rule]++;
	if (!rule_fits(e) && f->st.misclassified++ < 5)
		fprintf(stderr, "fuzz: %s event (frame %lu) on proto %u, ports %u -> %u\n",
			enrich_rule_name(e->rule), f->st.frames, e->proto, ntohs(e->sport),
			ntohs(e->dport));
	want = enrich_rule_name(e->rule);
	err = events_format(&f->sink, e, &f->jb);
	if (err || f->jb.err) {
		bad_json(f, e, "not formatted", strerror(-(err ? err : f->jb.err)));
		return 0;
	}
	j = json_loadb(f->jb.buf, f->jb.len, 0, &jerr);
	rule = j ? json_string_value(json_object_get(j, "rule")) : NULL;
	if (!j)
		bad_json(f, e, "JSON does not parse", jerr.text);
	else if (!rule || !want || strcmp(rule, want) ||
		 !json_is_string(json_object_get(j, "src_ip")) ||
		 !json_is_string(json_object_get(j, "community_id")))
		bad_json(f, e, "JSON without its rule, src_ip or community_id", "");
	json_decref(j);
	return 0;
}

void fuzz_engine_frame(struct fuzz_engine *f, const uint8_t *frame, size_t len)
{
	/* Exactly the frame's bytes on the heap: ASan sees any read past them. */
	uint8_t *p = malloc(len ? len : 1);

	if (!p)
		return;
	if (len)
		memcpy(p, frame, len);
	nrt_engine_run(f->e, p, (uint32_t)len, 1);
	free(p);
	nrt_engine_drain(f->e, check_event, f);
	f->st.frames++;
}

void fuzz_engine_input(struct fuzz_engine *f, const uint8_t *data, size_t size)
{
	size_t off = 0, n;

	while (off < size) {
		if (size - off < 2) {
			fuzz_engine_frame(f, data + off, size - off);
			return;
		}
		n = (size_t)data[off] | (size_t)data[off + 1] << 8;
		off += 2;
		if (n > size - off)
			n = size - off;
		fuzz_engine_frame(f, data + off, n);
		off += n;
	}
}

void fuzz_engine_clear_flows(struct fuzz_engine *f)
{
	loader_clear_flows(f->l);
	dcerpc_clear_state(f->l->skel);
}

const struct fuzz_stats *fuzz_engine_stats(const struct fuzz_engine *f)
{
	return &f->st;
}
