// SPDX-License-Identifier: GPL-2.0
/* test_dcerpc.c: DCE/RPC through the real xdphunt program under
 * BPF_PROG_TEST_RUN, with the built-in interface table in the maps: binds
 * and calls on 135, on a high port (strict), on an endpoint learned from an
 * ept_map answer, inside SMB2 WRITE/IOCTL and SMB1 TransactNmPipe; one event
 * per (flow, interface) and (flow, interface, opnum); later fragments are not
 * calls; truncations and random 05 00 payloads never give a hit. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdphunt.skel.h"
#include "test.h"
#include "pkt.h"
#include "rpc_pdu.h"
#include "dcerpc.h"
#include "dcerpc_smb.h"
#include "dcerpc_table.h"
#include "xh_prog.h"
#include "smbmsg.h" /* ntlm_auth_blob() */
#include "ntlm.h"   /* bpf/ntlm.h: XH_NTLM_USER */

#define C4 "192.0.2.10"
#define S4 "192.0.2.20"

struct rpcx {
	struct xhp x;
	struct dcerpc_table *t;
};

static int rpcx_open(struct rpcx *r)
{
	int err;

	memset(r, 0, sizeof(*r));
	err = xhp_open(&r->x, 0, 0);
	if (err)
		return err;
	r->t = dcerpc_table__new();
	if (!ASSERT_OK_PTR(r->t, "table") ||
	    !ASSERT_GE(dcerpc_table_load_builtin(r->t), 1, "builtin"))
		return -1;
	err = dcerpc_table_to_maps(r->t, bpf_map__fd(r->x.skel->maps.xh_rpc_ifs),
				   bpf_map__fd(r->x.skel->maps.xh_rpc_ops));
	return ASSERT_OK(err, "table to maps") ? 0 : -1;
}

static void rpcx_close(struct rpcx *r)
{
	xhp_close(&r->x);
	dcerpc_table__free(r->t);
}

/* One TCP/IPv4 frame from @src:@sp to @dst:@dp with TCP @flags, carrying
 * @len bytes. */
static void send_tcp_flags(struct rpcx *r, const char *src, const char *dst, uint16_t sp,
			   uint16_t dp, uint8_t flags, const uint8_t *payload, size_t len)
{
	xhp_send_tcp(&r->x, 4, src, dst, sp, dp, flags, payload, len);
}

/* The same with PSH|ACK. */
static void send_tcp(struct rpcx *r, const char *src, const char *dst, uint16_t sp, uint16_t dp,
		     const uint8_t *payload, size_t len)
{
	send_tcp_flags(r, src, dst, sp, dp, 0x18, payload, len);
}

static int drain(struct rpcx *r)
{
	r->x.n_ev = 0;
	xhp_drain(&r->x);
	return r->x.n_ev;
}

static uint64_t rpc_cnt(struct rpcx *r, int c)
{
	struct xh_stats s;

	xhp_stats(&r->x, &s);
	return s.dcerpc[c];
}

static int iface_index(struct rpcx *r, const char *name)
{
	return dcerpc_table_find(r->t, name);
}

static int op_index(struct rpcx *r, const char *ifname, int opnum)
{
	int i = iface_index(r, ifname);

	for (size_t k = 0; k < r->t->n_ops; k++)
		if (r->t->ops[k].if_index == i && r->t->ops[k].opnum == opnum)
			return (int)k;
	return -1;
}

static void check_bind(struct rpcx *r, const struct xh_event *e, const char *ifname,
		       const char *uuid, int transport, int sport, int dport)
{
	uint8_t key[16];

	rpc_uuid_le(uuid, key);
	ASSERT_EQ(e->rule, XH_RULE_DCERPC_BIND, "rule");
	ASSERT_EQ(e->detail_kind, XH_DETAIL_DCERPC, "detail kind");
	ASSERT_EQ(e->d.dcerpc.if_index, iface_index(r, ifname), "interface index");
	ASSERT_MEMEQ(e->d.dcerpc.uuid, key, 16, "uuid");
	ASSERT_EQ(e->d.dcerpc.transport, transport, "transport");
	ASSERT_EQ(ntohs(e->sport), sport, "client port");
	ASSERT_EQ(ntohs(e->dport), dport, "server port");
}

static void check_call(struct rpcx *r, const struct xh_event *e, const char *ifname, int opnum,
		       int transport)
{
	ASSERT_EQ(e->rule, XH_RULE_DCERPC_CALL, "rule");
	ASSERT_EQ(e->d.dcerpc.if_index, iface_index(r, ifname), "interface index");
	ASSERT_EQ(e->d.dcerpc.opnum, opnum, "opnum");
	ASSERT_EQ(e->d.dcerpc.op_index, op_index(r, ifname, opnum), "operation index");
	ASSERT_EQ(e->d.dcerpc.transport, transport, "transport");
}

void test_dcerpc_tcp135(void)
{
	const struct rpc_ctx_desc ctx[] = {
		{0, UUID_SVCCTL, 2, 0, 1},
		{1, UUID_UNLISTED, 1, 0, 1},
	};
	uint8_t pdu[RPC_PDU_MAX];
	struct rpcx r;
	size_t n;

	if (rpcx_open(&r))
		goto out;
	for (int be = 0; be < 2; be++) {
		uint16_t cport = (uint16_t)(50000 + be);

		test_subtest("%s", be ? "big-endian" : "little-endian");
		n = rpc_build_bind(pdu, be, XH_RPC_PT_BIND, 1, ctx, 2);
		send_tcp(&r, C4, S4, cport, 135, pdu, n);
		/* rpc.connect of the flow, then the svcctl bind only */
		if (ASSERT_EQ(drain(&r), 2, "rpc.connect + one bind")) {
			ASSERT_EQ(r.x.ev[0].rule, XH_RULE_RPC_CONNECT, "rpc.connect first");
			check_bind(&r, &r.x.ev[1], "svcctl", UUID_SVCCTL, XH_RPC_TR_TCP, cport,
				   135);
			ASSERT_EQ(r.x.ev[1].d.dcerpc.drep_be, be, "drep");
			ASSERT_EQ(r.x.ev[1].d.dcerpc.ver_major, 2, "version");
		}
		send_tcp(&r, C4, S4, cport, 135, pdu, n);
		ASSERT_EQ(drain(&r), 0, "the same bind again: no event");

		n = rpc_build_request(pdu, be, 0x03, 2, 0, 12, 64);
		send_tcp(&r, C4, S4, cport, 135, pdu, n);
		if (ASSERT_EQ(drain(&r), 1, "RCreateServiceW"))
			check_call(&r, &r.x.ev[0], "svcctl", 12, XH_RPC_TR_TCP);
		send_tcp(&r, C4, S4, cport, 135, pdu, n);
		ASSERT_EQ(drain(&r), 0, "the same call again: no event");
		n = rpc_build_request(pdu, be, 0x03, 3, 1, 12, 8);
		send_tcp(&r, C4, S4, cport, 135, pdu, n);
		ASSERT_EQ(drain(&r), 0, "opnum 12 on the unlisted interface");
		n = rpc_build_request(pdu, be, 0x03, 4, 0, 7, 8);
		send_tcp(&r, C4, S4, cport, 135, pdu, n);
		ASSERT_EQ(drain(&r), 0, "svcctl opnum 7 is not listed");
		n = rpc_build_request(pdu, be, 0x03, 5, 9, 12, 8);
		send_tcp(&r, C4, S4, cport, 135, pdu, n);
		ASSERT_EQ(drain(&r), 0, "a context id never bound");
	}
	test_subtest_end();
	ASSERT_EQ(rpc_cnt(&r, XH_RPC_CNT_CTX_LISTED), 4, "listed contexts counted");
	/* ctx 1 (unlisted, so forgotten) and ctx 9, in both byte orders */
	ASSERT_EQ(rpc_cnt(&r, XH_RPC_CNT_CALL_NOCTX), 4, "unknown context counted");
out:
	rpcx_close(&r);
}

/* Between hosts no indicator covers (the IoC prefilter says no), the entry
 * point skips the hunt for packets no rule can match, but not for DCE/RPC
 * on a port that is no service port: its strict test still runs, and
 * plain traffic between the same hosts makes no flow. */
void test_dcerpc_plain_hosts(void)
{
	const struct rpc_ctx_desc svc[] = {{0, UUID_SVCCTL, 2, 0, 1}};
	struct pkt_desc d = {.family = 6,
			     .src = "2001:db8:1::10",
			     .dst = "2001:db8:1::20",
			     .proto = IPPROTO_TCP,
			     .sport = 50300,
			     .dport = 49990,
			     .tcp_flags = 0x18};
	uint8_t pdu[RPC_PDU_MAX], buf[PKT_MAX];
	struct pkt_layout lay;
	struct xh_stats s0, s1;
	struct rpcx r;
	size_t n, len;

	if (rpcx_open(&r))
		goto out;
	xhp_stats(&r.x, &s0);
	/* plain TCP with a payload that starts like nothing */
	d.payload_len = 40;
	len = pkt_build(&d, buf, &lay);
	if (!ASSERT_NEQ(len, 0, "pkt_build"))
		goto out;
	memset(buf + lay.payload_off, 0x41, 40);
	xhp_run(&r.x, buf, len);
	ASSERT_EQ(drain(&r), 0, "plain TCP: no event");
	xhp_stats(&r.x, &s1);
	ASSERT_EQ(s1.cnt[XH_CNT_FLOWS_NEW] - s0.cnt[XH_CNT_FLOWS_NEW], 0, "plain TCP: no flow");
	ASSERT_EQ(s1.cnt[XH_CNT_TCP] - s0.cnt[XH_CNT_TCP], 1, "plain TCP: counted");

	/* a bind on the same high port between the same hosts */
	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, svc, 1);
	d.payload_len = (int)n;
	d.payload = pdu;
	len = pkt_build(&d, buf, &lay);
	if (!ASSERT_NEQ(len, 0, "pkt_build"))
		goto out;
	xhp_run(&r.x, buf, len);
	if (ASSERT_EQ(drain(&r), 1, "strict bind on a high port between plain hosts"))
		check_bind(&r, &r.x.ev[0], "svcctl", UUID_SVCCTL, XH_RPC_TR_TCP, 50300, 49990);
out:
	rpcx_close(&r);
}

/* Contexts remember their bind and their last XH_RPC_SEEN_OPS calls
 * (xh_rpc_ctx_val) to skip the xh_seen lookup on repeats: more calls than
 * that, repeated in other orders, and a context id rebound to another
 * interface and back, still give exactly one event per finding. */
void test_dcerpc_seen_cache(void)
{
	const struct rpc_ctx_desc svc[] = {{0, UUID_SVCCTL, 2, 0, 1}};
	const struct rpc_ctx_desc samr[] = {{0, UUID_SAMR, 1, 0, 1}};
	static const int ops[] = {15, 27, 14, 12, 24, 45, 19, 31, 11, 2};
	const int n_ops = (int)(sizeof(ops) / sizeof(ops[0]));
	uint8_t pdu[RPC_PDU_MAX];
	struct rpcx r;
	uint32_t call = 10;
	size_t n;

	if (rpcx_open(&r))
		goto out;
	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, svc, 1);
	send_tcp(&r, C4, S4, 50050, 135, pdu, n);
	ASSERT_EQ(drain(&r), 2, "rpc.connect + svcctl bind");
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < n_ops; i++) {
			int op = ops[round == 1 ? n_ops - 1 - i : round == 2 ? (i * 3) % n_ops : i];

			n = rpc_build_request(pdu, 0, 0x03, call++, 0, (uint16_t)op, 16);
			send_tcp(&r, C4, S4, 50050, 135, pdu, n);
			if (round == 0) {
				if (ASSERT_EQ(drain(&r), 1, "a new call"))
					check_call(&r, &r.x.ev[0], "svcctl", op, XH_RPC_TR_TCP);
			} else {
				ASSERT_EQ(drain(&r), 0, "a call again");
			}
		}
	}
	/* ctx 0 rebound to samr: a new bind; back to svcctl: on record. */
	n = rpc_build_bind(pdu, 0, XH_RPC_PT_ALTER_CONTEXT, call++, samr, 1);
	send_tcp(&r, C4, S4, 50050, 135, pdu, n);
	if (ASSERT_EQ(drain(&r), 1, "samr bound on ctx 0"))
		check_bind(&r, &r.x.ev[0], "samr", UUID_SAMR, XH_RPC_TR_TCP, 50050, 135);
	n = rpc_build_bind(pdu, 0, XH_RPC_PT_ALTER_CONTEXT, call++, svc, 1);
	send_tcp(&r, C4, S4, 50050, 135, pdu, n);
	ASSERT_EQ(drain(&r), 0, "svcctl again on ctx 0");
	n = rpc_build_request(pdu, 0, 0x03, call++, 0, 12, 16);
	send_tcp(&r, C4, S4, 50050, 135, pdu, n);
	ASSERT_EQ(drain(&r), 0, "RCreateServiceW again, on the rebound context");
	ASSERT_EQ(rpc_cnt(&r, XH_RPC_CNT_CALL_LISTED), (uint64_t)3 * n_ops + 1, "calls counted");
out:
	rpcx_close(&r);
}

/* More DCE/RPC flows than xh_rpc_ctx and xh_seen once had room for (65536
 * against 131072 flows), each binding svcctl and calling RCreateServiceW,
 * twice, a pass over every flow at a time: each bind and call is found once
 * per flow (with the old sizes: 400000 findings where 240000 are due). */
void test_dcerpc_flows_beyond_64k(void)
{
	const struct rpc_ctx_desc svc[] = {{0, UUID_SVCCTL, 2, 0, 1}};
	static const char *const clients[] = {"192.0.2.10", "192.0.2.11"};
	const unsigned int per_client = 40000, n = 2 * per_client;
	uint8_t bind[RPC_PDU_MAX], call[RPC_PDU_MAX];
	size_t nb, nc;
	struct xh_stats st;
	struct rpcx r;

	if (rpcx_open(&r))
		goto out;
	nb = rpc_build_bind(bind, 0, XH_RPC_PT_BIND, 1, svc, 1);
	nc = rpc_build_request(call, 0, 0x03, 2, 0, 12, 16);
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < n; i++) {
			uint16_t sp = (uint16_t)(20000 + i % per_client);

			send_tcp(&r, clients[i / per_client], S4, sp, 135, bind, nb);
			send_tcp(&r, clients[i / per_client], S4, sp, 135, call, nc);
			drain(&r);
		}
	}
	if (ASSERT_OK(xhp_stats(&r.x, &st), "counters")) {
		ASSERT_EQ(st.cnt[XH_CNT_FLOWS_NEW], n, "a flow each");
		ASSERT_EQ(st.cnt[XH_CNT_EVENTS_LOST], 0, "none lost");
		/* rpc.connect, the svcctl bind and the call: once per flow. */
		ASSERT_EQ(st.cnt[XH_CNT_EVENTS], 3 * n, "three findings per flow, not again");
	}
out:
	rpcx_close(&r);
}

/* The first fragment carries the opnum and is the call; later fragments
 * (no PFC_FIRST_FRAG) are not new calls, even with another opnum field. */
void test_dcerpc_multi_fragment(void)
{
	const struct rpc_ctx_desc ctx[] = {{0, UUID_DRSUAPI, 4, 0, 1}};
	uint8_t pdu[RPC_PDU_MAX];
	struct rpcx r;
	size_t n;

	if (rpcx_open(&r))
		goto out;
	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, ctx, 1);
	send_tcp(&r, C4, S4, 50100, 135, pdu, n);
	drain(&r);
	n = rpc_build_request(pdu, 0, 0x01, 2, 0, 3, 200); /* first, not last */
	send_tcp(&r, C4, S4, 50100, 135, pdu, n);
	if (ASSERT_EQ(drain(&r), 1, "first fragment is the call"))
		check_call(&r, &r.x.ev[0], "drsuapi", 3, XH_RPC_TR_TCP);
	n = rpc_build_request(pdu, 0, 0x00, 2, 0, 2, 200); /* middle */
	send_tcp(&r, C4, S4, 50100, 135, pdu, n);
	n = rpc_build_request(pdu, 0, 0x02, 2, 0, 5, 100); /* last */
	send_tcp(&r, C4, S4, 50100, 135, pdu, n);
	ASSERT_EQ(drain(&r), 0, "later fragments are not calls");
	ASSERT_EQ(rpc_cnt(&r, XH_RPC_CNT_REQ_FRAG), 2, "later fragments counted");
out:
	rpcx_close(&r);
}

/* A high port: a clean PDU passes the strict test; one whose frag_length
 * runs past the segment does not, until an ept_map answer on 135 names the
 * endpoint. The answer is read only for a pending ept_map call. */
void test_dcerpc_dynamic_port(void)
{
	const struct rpc_ctx_desc drs[] = {{0, UUID_DRSUAPI, 4, 0, 1}};
	const struct rpc_ctx_desc epm[] = {{0, UUID_EPM, 3, 0, 1}};
	const struct rpc_ctx_desc svc[] = {{0, UUID_SVCCTL, 2, 0, 1}};
	uint8_t pdu[RPC_PDU_MAX];
	struct rpcx r;
	size_t n;

	if (rpcx_open(&r))
		goto out;
	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, svc, 1);
	send_tcp(&r, C4, S4, 50200, 49990, pdu, n);
	if (ASSERT_EQ(drain(&r), 1, "strict bind on a high port"))
		check_bind(&r, &r.x.ev[0], "svcctl", UUID_SVCCTL, XH_RPC_TR_TCP, 50200, 49990);

	/* doubtful: frag_length says more than the segment holds */
	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, drs, 1);
	pdu[8] = (uint8_t)(n + 100);
	send_tcp(&r, C4, S4, 50201, 49153, pdu, n);
	ASSERT_EQ(drain(&r), 0, "doubtful on an unknown port");
	ASSERT_EQ(rpc_cnt(&r, XH_RPC_CNT_E_STRICT), 1, "strict reject counted");

	/* an answer without a pending ept_map call is not learned */
	n = rpc_build_epm_response(pdu, 0, 77, UUID_DRSUAPI, 49153, S4);
	send_tcp(&r, S4, C4, 135, 50202, pdu, n);
	ASSERT_EQ(rpc_cnt(&r, XH_RPC_CNT_EPM_LEARNED), 0, "unsolicited answer ignored");

	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, epm, 1);
	send_tcp(&r, C4, S4, 50202, 135, pdu, n);
	n = rpc_build_request(pdu, 0, 0x03, 2, 0, 3, 80);
	send_tcp(&r, C4, S4, 50202, 135, pdu, n);
	ASSERT_EQ(drain(&r), 3, "rpc.connect, epmapper bind, ept_map call");
	n = rpc_build_epm_response(pdu, 0, 2, UUID_DRSUAPI, 49153, "0.0.0.0");
	send_tcp(&r, S4, C4, 135, 50202, pdu, n);
	ASSERT_EQ(rpc_cnt(&r, XH_RPC_CNT_EPM_LEARNED), 1, "endpoint learned");

	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, drs, 1);
	pdu[8] = (uint8_t)(n + 100);
	send_tcp(&r, C4, S4, 50203, 49153, pdu, n);
	if (ASSERT_EQ(drain(&r), 1, "doubtful bind on the learned endpoint"))
		check_bind(&r, &r.x.ev[0], "drsuapi", UUID_DRSUAPI, XH_RPC_TR_TCP, 50203, 49153);
	ASSERT_EQ(rpc_cnt(&r, XH_RPC_CNT_EP_HIT), 1, "accepted through the endpoint");
	n = rpc_build_request(pdu, 0, 0x03, 2, 0, 3, 100);
	send_tcp(&r, C4, S4, 50203, 49153, pdu, n);
	if (ASSERT_EQ(drain(&r), 1, "DRSGetNCChanges"))
		check_call(&r, &r.x.ev[0], "drsuapi", 3, XH_RPC_TR_TCP);
out:
	rpcx_close(&r);
}

static uint8_t port_service(struct rpcx *r, uint32_t port)
{
	uint8_t svc = 0xff;

	bpf_map_lookup_elem(bpf_map__fd(r->x.skel->maps.xh_ports), &port, &svc);
	return svc;
}

/* A flow on a dynamic endpoint counts every packet from the bind that made
 * it: the bind marks the server port, and the flow's acknowledgements and
 * the rest of its long PDUs then find it. Another connection to that port
 * makes no flow. A mark idle for XH_RPC_DYN_IDLE_S (600 s) goes when a
 * packet finds no flow on the port; the flow's next PDU marks it again. */
void test_dcerpc_dynamic_flow_counts(void)
{
	const struct rpc_ctx_desc svc[] = {{0, UUID_SVCCTL, 2, 0, 1}};
	const uint8_t middle[64] = {0x41, 0x42}; /* the rest of a PDU: not a header */
	const uint32_t port = 49710;
	struct xh_stats before, after;
	struct xh_flow_state st;
	struct xh_flow_key key;
	uint8_t pdu[RPC_PDU_MAX];
	uint32_t last;
	struct rpcx r;
	size_t n;
	int fd;

	if (rpcx_open(&r))
		goto out;
	fd = bpf_map__fd(r.x.skel->maps.xh_rpc_dyn);
	/* The handshake comes before any flow: not counted, no mark. */
	send_tcp_flags(&r, C4, S4, 50500, port, 0x02, NULL, 0);
	send_tcp_flags(&r, S4, C4, port, 50500, 0x12, NULL, 0);
	send_tcp_flags(&r, C4, S4, 50500, port, 0x10, NULL, 0);
	ASSERT_EQ(port_service(&r, port), XH_SVC_NONE, "no mark before the bind");
	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, svc, 1);
	send_tcp(&r, C4, S4, 50500, port, pdu, n);
	ASSERT_EQ(drain(&r), 1, "svcctl bind");
	ASSERT_EQ(port_service(&r, port), XH_SVC_RPC_DYN, "server port marked");
	ASSERT_EQ(port_service(&r, 50500), XH_SVC_NONE, "client port not marked");
	ASSERT_EQ(rpc_cnt(&r, XH_RPC_CNT_DYN_PORT), 1, "marking counted");
	if (!ASSERT_OK(xhp_flow4(&r.x, IPPROTO_TCP, C4, 50500, S4, port, &key, &st), "flow"))
		goto out;
	ASSERT_EQ(st.service, XH_SVC_RPC_DYN, "flow service");
	ASSERT_EQ(st.pkts[XH_DIR_TOSERVER], 1, "the bind counted");
	ASSERT_EQ(st.pkts[XH_DIR_TOCLIENT], 0, "nothing to the client yet");

	/* Its acknowledgement and the middle of a long PDU: counted. */
	send_tcp_flags(&r, S4, C4, port, 50500, 0x10, NULL, 0);
	send_tcp(&r, C4, S4, 50500, port, middle, sizeof(middle));
	ASSERT_OK(xhp_flow4(&r.x, IPPROTO_TCP, C4, 50500, S4, port, &key, &st), "flow");
	ASSERT_EQ(st.pkts[XH_DIR_TOCLIENT], 1, "acknowledgement counted");
	ASSERT_EQ(st.pkts[XH_DIR_TOSERVER], 2, "PDU continuation counted");
	ASSERT_EQ(st.bytes[XH_DIR_TOSERVER] - (14 + 20 + 20 + n), 14 + 20 + 20 + sizeof(middle),
		  "its bytes");

	/* Another connection to the port: no flow, the mark stays. */
	xhp_stats(&r.x, &before);
	send_tcp_flags(&r, C4, S4, 50501, port, 0x02, NULL, 0);
	send_tcp(&r, C4, S4, 50501, port, middle, sizeof(middle));
	xhp_stats(&r.x, &after);
	ASSERT_EQ(after.cnt[XH_CNT_FLOWS_NEW], before.cnt[XH_CNT_FLOWS_NEW], "no flow made");
	ASSERT_EQ(port_service(&r, port), XH_SVC_RPC_DYN, "recent mark stays");

	/* Idle past XH_RPC_DYN_IDLE_S: the next packet without a flow clears
	 * it, and the flow's acknowledgements go uncounted ... */
	if (!ASSERT_OK(bpf_map_lookup_elem(fd, &port, &last), "last use") ||
	    !ASSERT_NEQ(last, 0, "last use set"))
		goto out;
	last -= 700; /* wraps on a machine up for less: the program's difference does too */
	ASSERT_OK(bpf_map_update_elem(fd, &port, &last, BPF_ANY), "age the mark");
	send_tcp_flags(&r, C4, S4, 50501, port, 0x10, NULL, 0);
	ASSERT_EQ(port_service(&r, port), XH_SVC_NONE, "idle mark cleared");
	ASSERT_EQ(rpc_cnt(&r, XH_RPC_CNT_DYN_CLEARED), 1, "clearing counted");
	send_tcp_flags(&r, S4, C4, port, 50500, 0x10, NULL, 0);
	ASSERT_OK(xhp_flow4(&r.x, IPPROTO_TCP, C4, 50500, S4, port, &key, &st), "flow");
	ASSERT_EQ(st.pkts[XH_DIR_TOCLIENT], 1, "unmarked: not counted");
	/* ... until its next PDU, a call, marks the port again. */
	n = rpc_build_request(pdu, 0, 0x03, 2, 0, 12, 64); /* RCreateServiceW */
	send_tcp(&r, C4, S4, 50500, port, pdu, n);
	ASSERT_EQ(drain(&r), 1, "RCreateServiceW");
	ASSERT_EQ(port_service(&r, port), XH_SVC_RPC_DYN, "marked again");
	ASSERT_EQ(rpc_cnt(&r, XH_RPC_CNT_DYN_PORT), 2, "marking counted again");
	send_tcp_flags(&r, S4, C4, port, 50500, 0x10, NULL, 0);
	ASSERT_OK(xhp_flow4(&r.x, IPPROTO_TCP, C4, 50500, S4, port, &key, &st), "flow");
	ASSERT_EQ(st.pkts[XH_DIR_TOSERVER], 3, "the call counted");
	ASSERT_EQ(st.pkts[XH_DIR_TOCLIENT], 2, "acknowledgement counted again");
out:
	rpcx_close(&r);
}

/* A flow to an endpoint that an ept_map answer named for a listed
 * interface is made by its client's SYN and counts its handshake: the
 * answer marks the port, the SYN to that address and port makes the flow
 * (XH_FLOW_F_EPM), and the bind and calls go on it. A SYN to the same port
 * on another address, to an endpoint named for an unlisted interface, or a
 * segment without SYN makes none. */
void test_dcerpc_dynamic_flow_from_epm(void)
{
	const struct rpc_ctx_desc epm[] = {{0, UUID_EPM, 3, 0, 1}};
	const struct rpc_ctx_desc svc[] = {{0, UUID_SVCCTL, 2, 0, 1}};
	const uint32_t port = 49720, unl_port = 49721;
	struct xh_stats before, after;
	uint8_t pdu[RPC_PDU_MAX];
	struct xh_flow_state st;
	struct xh_flow_key key;
	struct rpcx r;
	size_t n;

	if (rpcx_open(&r))
		goto out;
	/* Two ept_map calls on 135: svcctl (listed) at 49720, an unlisted
	 * interface at 49721. */
	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, epm, 1);
	send_tcp(&r, C4, S4, 50600, 135, pdu, n);
	n = rpc_build_request(pdu, 0, 0x03, 2, 0, 3, 80);
	send_tcp(&r, C4, S4, 50600, 135, pdu, n);
	n = rpc_build_epm_response(pdu, 0, 2, UUID_SVCCTL, port, S4);
	send_tcp(&r, S4, C4, 135, 50600, pdu, n);
	n = rpc_build_request(pdu, 0, 0x03, 3, 0, 3, 80);
	send_tcp(&r, C4, S4, 50600, 135, pdu, n);
	n = rpc_build_epm_response(pdu, 0, 3, UUID_UNLISTED, unl_port, S4);
	send_tcp(&r, S4, C4, 135, 50600, pdu, n);
	drain(&r);
	ASSERT_EQ(rpc_cnt(&r, XH_RPC_CNT_EPM_LEARNED), 2, "both endpoints learned");
	ASSERT_EQ(port_service(&r, port), XH_SVC_RPC_DYN, "listed: port marked by the answer");
	ASSERT_EQ(port_service(&r, unl_port), XH_SVC_NONE, "unlisted: no mark");

	/* Not a SYN, another address, an unlisted endpoint: no flow. */
	xhp_stats(&r.x, &before);
	send_tcp_flags(&r, C4, S4, 50601, port, 0x10, NULL, 0);
	send_tcp_flags(&r, C4, "198.51.100.99", 50602, port, 0x02, NULL, 0);
	send_tcp_flags(&r, C4, S4, 50603, unl_port, 0x02, NULL, 0);
	xhp_stats(&r.x, &after);
	ASSERT_EQ(after.cnt[XH_CNT_FLOWS_NEW], before.cnt[XH_CNT_FLOWS_NEW], "no flow made");

	/* The client's handshake to the endpoint: the SYN makes the flow. */
	send_tcp_flags(&r, C4, S4, 50610, port, 0x02, NULL, 0);
	send_tcp_flags(&r, S4, C4, port, 50610, 0x12, NULL, 0);
	send_tcp_flags(&r, C4, S4, 50610, port, 0x10, NULL, 0);
	ASSERT_EQ(rpc_cnt(&r, XH_RPC_CNT_EPM_FLOW), 1, "one flow made by a SYN");
	if (!ASSERT_OK(xhp_flow4(&r.x, IPPROTO_TCP, C4, 50610, S4, port, &key, &st), "flow"))
		goto out;
	ASSERT_EQ(st.service, XH_SVC_RPC_DYN, "flow service");
	ASSERT_NEQ(st.flags & XH_FLOW_F_EPM, 0, "made by the SYN");
	ASSERT_EQ(st.initiator, XH_INIT_SRC, "the SYN's sender is the client");
	ASSERT_EQ(st.pkts[XH_DIR_TOSERVER], 2, "SYN and ACK counted");
	ASSERT_EQ(st.pkts[XH_DIR_TOCLIENT], 1, "SYN-ACK counted");
	ASSERT_EQ(st.bytes[XH_DIR_TOSERVER], 2 * (14 + 20 + 20), "their bytes");

	/* The bind goes on that flow: a finding, and counted once. */
	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, svc, 1);
	send_tcp(&r, C4, S4, 50610, port, pdu, n);
	if (ASSERT_EQ(drain(&r), 1, "svcctl bind"))
		check_bind(&r, &r.x.ev[0], "svcctl", UUID_SVCCTL, XH_RPC_TR_TCP, 50610, port);
	ASSERT_OK(xhp_flow4(&r.x, IPPROTO_TCP, C4, 50610, S4, port, &key, &st), "flow");
	ASSERT_EQ(st.pkts[XH_DIR_TOSERVER], 3, "the bind counted once");
	ASSERT_EQ(rpc_cnt(&r, XH_RPC_CNT_EPM_FLOW), 1, "still one flow");
out:
	rpcx_close(&r);
}

/* struct xh_rpc_ctx_key of bpf/dcerpc_state.bpf.h (BPF side only); its size
 * is checked against the map's. */
struct ctx_key {
	uint64_t flow_id;
	uint8_t chan[16];
	uint16_t ctx_id;
	uint8_t kind; /* 0: XH_RPC_KIND_CTX */
	uint8_t pad[5];
};

/* Presentation contexts belong to their flow entry (keyed by its id): a flow
 * on a high port that binds an unlisted interface gets no state at all; one
 * that binds a listed one gets its flow and the context under the flow's id;
 * another connection cannot call on that context, and when the flow is
 * evicted its contexts go with it. */
void test_dcerpc_contexts_per_flow(void)
{
	const struct rpc_ctx_desc unl[] = {{0, UUID_UNLISTED, 1, 0, 1}};
	const struct rpc_ctx_desc svc[] = {{0, UUID_SVCCTL, 2, 0, 1}};
	struct ctx_key ck = {0};
	struct xh_stats before, after;
	struct xh_flow_state st;
	struct xh_flow_key key;
	uint8_t pdu[RPC_PDU_MAX], val[256];
	struct rpcx r;
	size_t n;

	if (rpcx_open(&r))
		goto out;
	if (!ASSERT_EQ(bpf_map__key_size(r.x.skel->maps.xh_rpc_ctx), sizeof(ck), "key size"))
		goto out;
	xhp_stats(&r.x, &before);
	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, unl, 1);
	send_tcp(&r, C4, S4, 50400, 49700, pdu, n);
	ASSERT_EQ(drain(&r), 0, "unlisted bind: no event");
	xhp_stats(&r.x, &after);
	ASSERT_EQ(after.cnt[XH_CNT_FLOWS_NEW], before.cnt[XH_CNT_FLOWS_NEW], "no flow for it");
	ASSERT_EQ(xhp_map_count(bpf_map__fd(r.x.skel->maps.xh_rpc_ctx)), 0, "no context for it");

	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, svc, 1);
	send_tcp(&r, C4, S4, 50401, 49700, pdu, n);
	if (ASSERT_EQ(drain(&r), 1, "svcctl bind"))
		check_bind(&r, &r.x.ev[0], "svcctl", UUID_SVCCTL, XH_RPC_TR_TCP, 50401, 49700);
	if (!ASSERT_OK(xhp_flow4(&r.x, IPPROTO_TCP, C4, 50401, S4, 49700, &key, &st),
		       "flow of the bind"))
		goto out;
	ck.flow_id = st.id;
	ASSERT_NEQ(ck.flow_id, 0, "flow id");
	ASSERT_EQ(xhp_map_count(bpf_map__fd(r.x.skel->maps.xh_rpc_ctx)), 1, "one context");
	ASSERT_GE(sizeof(val), bpf_map__value_size(r.x.skel->maps.xh_rpc_ctx), "value size");
	ASSERT_OK(bpf_map_lookup_elem(bpf_map__fd(r.x.skel->maps.xh_rpc_ctx), &ck, val),
		  "context 0 under the flow's id");

	/* RCreateServiceW (12) on context 0 from another connection: unknown. */
	n = rpc_build_request(pdu, 0, 0x03, 2, 0, 12, 64);
	send_tcp(&r, C4, S4, 50402, 49700, pdu, n);
	ASSERT_EQ(drain(&r), 0, "another connection's call: no event");
	ASSERT_EQ(rpc_cnt(&r, XH_RPC_CNT_CALL_NOCTX), 1, "counted as a call without context");
	/* On the flow that bound it: the call. */
	send_tcp(&r, C4, S4, 50401, 49700, pdu, n);
	if (ASSERT_EQ(drain(&r), 1, "RCreateServiceW"))
		check_call(&r, &r.x.ev[0], "svcctl", 12, XH_RPC_TR_TCP);
	/* Evicted (deleted here, as the LRU would): its context is gone. */
	ASSERT_OK(bpf_map_delete_elem(bpf_map__fd(r.x.skel->maps.xh_flows), &key), "evict");
	n = rpc_build_request(pdu, 0, 0x03, 3, 0, 19, 64); /* RStartServiceW */
	send_tcp(&r, C4, S4, 50401, 49700, pdu, n);
	ASSERT_EQ(drain(&r), 0, "evicted flow's context unknown");
	ASSERT_EQ(rpc_cnt(&r, XH_RPC_CNT_CALL_NOCTX), 2, "call without context");
out:
	rpcx_close(&r);
}

void test_dcerpc_smb(void)
{
	const struct rpc_ctx_desc srv[] = {{0, UUID_SRVSVC, 3, 0, 1}};
	const struct rpc_ctx_desc svc[] = {{0, UUID_SVCCTL, 2, 0, 1}};
	uint8_t pdu[RPC_PDU_MAX], msg[RPC_PDU_MAX + 256], fid[16], fid2[16];
	struct rpcx r;
	size_t n, m;

	if (rpcx_open(&r))
		goto out;
	memset(fid, 0x11, sizeof(fid));
	memset(fid2, 0x22, sizeof(fid2));
	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, srv, 1);
	m = smb2_wrap_write(msg, pdu, n, fid);
	send_tcp(&r, C4, S4, 50300, 445, msg, m);
	if (ASSERT_EQ(drain(&r), 2, "smb.connect + bind in WRITE")) {
		check_bind(&r, &r.x.ev[1], "srvsvc", UUID_SRVSVC, XH_RPC_TR_SMB2, 50300, 445);
		ASSERT_MEMEQ(r.x.ev[1].d.dcerpc.smb_file_id, fid, 16, "file id");
	}
	n = rpc_build_request(pdu, 0, 0x03, 2, 0, 15, 60);
	m = smb2_wrap_ioctl(msg, pdu, n, fid, XH_FSCTL_PIPE_TRANSCEIVE);
	send_tcp(&r, C4, S4, 50300, 445, msg, m);
	if (ASSERT_EQ(drain(&r), 1, "NetrShareEnum in IOCTL"))
		check_call(&r, &r.x.ev[0], "srvsvc", 15, XH_RPC_TR_SMB2);
	/* the context belongs to its pipe: ctx 0 on another FileId is unknown */
	m = smb2_wrap_ioctl(msg, pdu, n, fid2, XH_FSCTL_PIPE_TRANSCEIVE);
	send_tcp(&r, C4, S4, 50300, 445, msg, m);
	ASSERT_EQ(drain(&r), 0, "another pipe's context");
	/* another FSCTL does not carry RPC */
	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, svc, 1);
	m = smb2_wrap_ioctl(msg, pdu, n, fid2, 0x00140204);
	send_tcp(&r, C4, S4, 50300, 445, msg, m);
	ASSERT_EQ(drain(&r), 0, "FSCTL_VALIDATE_NEGOTIATE_INFO");
	/* a bind and a request in WRITEs, then SMB1 TransactNmPipe */
	m = smb2_wrap_write(msg, pdu, n, fid2);
	send_tcp(&r, C4, S4, 50300, 445, msg, m);
	n = rpc_build_request(pdu, 0, 0x03, 2, 0, 12, 60);
	m = smb2_wrap_write(msg, pdu, n, fid2);
	send_tcp(&r, C4, S4, 50300, 445, msg, m);
	if (ASSERT_EQ(drain(&r), 2, "svcctl bind + RCreateServiceW in WRITEs")) {
		check_bind(&r, &r.x.ev[0], "svcctl", UUID_SVCCTL, XH_RPC_TR_SMB2, 50300, 445);
		check_call(&r, &r.x.ev[1], "svcctl", 12, XH_RPC_TR_SMB2);
	}
	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, svc, 1);
	m = smb1_wrap_trans(msg, pdu, n, 0x4001);
	send_tcp(&r, C4, S4, 50301, 139, msg, m);
	if (ASSERT_EQ(drain(&r), 2, "smb.connect + bind in SMB1 transaction"))
		check_bind(&r, &r.x.ev[1], "svcctl", UUID_SVCCTL, XH_RPC_TR_SMB1, 50301, 139);
	/* the same bytes to a non-SMB port are not SMB */
	send_tcp(&r, C4, S4, 50302, 4450, msg, m);
	ASSERT_EQ(drain(&r), 0, "not an SMB port");
	ASSERT_GE(rpc_cnt(&r, XH_RPC_CNT_SMB_PDU), 5, "PDUs found in SMB");
out:
	rpcx_close(&r);
}

/* Every prefix of a BIND frame, on 135 (lenient) and on a high port
 * (strict): the frame is never changed, and a hit appears only when the
 * listed context's head is in the packet (135) or the PDU is whole (high). */
void test_dcerpc_truncations(void)
{
	const struct rpc_ctx_desc ctx[] = {
		{0, UUID_UNLISTED, 1, 0, 1},
		{1, UUID_SAMR, 1, 0, 1},
	};
	uint8_t pdu[RPC_PDU_MAX];
	struct rpcx r;
	size_t n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, ctx, 2);

	if (rpcx_open(&r))
		goto out;
	for (size_t len = 1; len <= n; len++) {
		uint16_t cport = (uint16_t)(40000 + len);
		int want135 = len >= 72 + 24, got;

		test_subtest("len %zu", len);
		send_tcp(&r, C4, S4, cport, 135, pdu, len);
		got = drain(&r);
		ASSERT_EQ(got, 1 + want135, "135: rpc.connect (+ samr)");
		send_tcp(&r, C4, S4, cport, 49800, pdu, len);
		ASSERT_EQ(drain(&r), len == n, "high port: only the whole PDU");
	}
	test_subtest_end();
out:
	rpcx_close(&r);
}

static uint32_t rs = 0x9e3779b9;
static uint8_t rnd8(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 17;
	rs ^= rs << 5;
	return (uint8_t)rs;
}

/* Random payloads starting 05 00 on 135 and on high ports: no dcerpc hit. */
void test_dcerpc_random_payloads(void)
{
	uint8_t pdu[1400];
	struct rpcx r;
	int hits = 0;

	if (rpcx_open(&r))
		goto out;
	for (int i = 0; i < 3000; i++) {
		size_t len = 16 + rnd8() * 5;

		for (size_t k = 0; k < len; k++)
			pdu[k] = rnd8();
		pdu[0] = 5;
		pdu[1] = 0;
		if (i & 1) { /* a plausible header to go deeper */
			static const uint8_t types[] = {0, 2, 11, 12, 14};
			pdu[2] = types[rnd8() % 5];
			pdu[4] = 0x10;
			pdu[5] = pdu[6] = pdu[7] = 0;
		}
		send_tcp(&r, C4, S4, (uint16_t)(30000 + i), i % 3 ? 135 : 49000 + i, pdu, len);
		drain(&r);
		for (int e = 0; e < r.x.n_ev; e++)
			hits += r.x.ev[e].rule == XH_RULE_DCERPC_BIND ||
				r.x.ev[e].rule == XH_RULE_DCERPC_CALL;
	}
	ASSERT_EQ(hits, 0, "no dcerpc hit for garbage");
	ASSERT_GE(rpc_cnt(&r, XH_RPC_CNT_E_DREP) + rpc_cnt(&r, XH_RPC_CNT_E_TYPE), 1,
		  "rejects counted by reason");
out:
	rpcx_close(&r);
}

/* A client whose ephemeral port has the number of a dynamic endpoint marked
 * elsewhere (marks are kept by port number) binds to a dynamic port whose
 * handshake xdphunt did not see: the bind, a client's PDU, says who the
 * client is, and the flow's own server port is marked, not the client's. */
void test_dcerpc_dyn_mark_on_client_port(void)
{
	const struct rpc_ctx_desc svc[] = {{0, UUID_SVCCTL, 2, 0, 1}};
	const struct rpc_ctx_desc drs[] = {{0, UUID_DRSUAPI, 4, 0, 1}};
	uint8_t pdu[RPC_PDU_MAX];
	struct rpcx r;
	size_t n;

	if (rpcx_open(&r))
		goto out;
	/* Another host's endpoint on 49800 is marked by its bind. */
	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, svc, 1);
	send_tcp(&r, "192.0.2.30", "192.0.2.31", 50100, 49800, pdu, n);
	ASSERT_EQ(drain(&r), 1, "the first bind");
	ASSERT_EQ(port_service(&r, 49800), XH_SVC_RPC_DYN, "49800 marked");
	/* A client on 49800 binds drsuapi on 50200. */
	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, drs, 1);
	send_tcp(&r, C4, S4, 49800, 50200, pdu, n);
	if (ASSERT_EQ(drain(&r), 1, "the drsuapi bind"))
		check_bind(&r, &r.x.ev[0], "drsuapi", UUID_DRSUAPI, XH_RPC_TR_TCP, 49800, 50200);
	n = rpc_build_request(pdu, 0, 0x03, 2, 0, 3, 100);
	send_tcp(&r, C4, S4, 49800, 50200, pdu, n);
	if (ASSERT_EQ(drain(&r), 1, "DRSGetNCChanges")) {
		check_call(&r, &r.x.ev[0], "drsuapi", 3, XH_RPC_TR_TCP);
		ASSERT_EQ(r.x.ev[0].sport, htons(49800), "from the client");
		ASSERT_EQ(r.x.ev[0].dport, htons(50200), "to the server");
	}
	ASSERT_EQ(port_service(&r, 50200), XH_SVC_RPC_DYN, "the server's port marked");
out:
	rpcx_close(&r);
}

/* A request of 5078 bytes in one frame (a jumbo frame, or a TSO segment in a
 * capture: WMI's ExecMethod calls in the corpus) on a port not known to carry
 * RPC: past the frame's first buffer (3520 bytes under BPF_PROG_TEST_RUN) it
 * goes on in XDP fragments, and the strict test takes frag_length against
 * the whole segment. Its header and opnum are in the first buffer. */
void test_dcerpc_jumbo_request_strict_port(void)
{
	const struct rpc_ctx_desc svc[] = {{0, UUID_SVCCTL, 2, 0, 1}};
	static uint8_t buf[XHP_FRAME_MAX], big[8192];
	struct pkt_desc d = {.family = 4,
			     .src = C4,
			     .dst = S4,
			     .proto = IPPROTO_TCP,
			     .sport = 50030,
			     .dport = 49160,
			     .tcp_flags = 0x18};
	uint8_t pdu[RPC_PDU_MAX];
	struct pkt_layout lay;
	size_t n, len, stub_data_len = 5054; /* DCE/RPC stub data: frag_length 5078 */
	struct rpcx r;

	if (rpcx_open(&r))
		goto out;
	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, svc, 1);
	send_tcp(&r, C4, S4, 50030, 49160, pdu, n);
	ASSERT_EQ(drain(&r), 1, "the bind");
	/* RCreateServiceW (12) with 5054 bytes of stub data: frag_length 5078. */
	n = rpc_build_request(big, 0, 0x03, 2, 0, 12, stub_data_len);
	len = pkt_build(&d, buf, &lay);
	if (!ASSERT_EQ(len, lay.payload_off, "headers") ||
	    !ASSERT_TRUE(len + n <= sizeof(buf), "room"))
		goto out;
	memcpy(buf + len, big, n);
	len += n;
	pkt_set_ip_len(buf, &lay, 4, len - lay.l3_off);
	xhp_run(&r.x, buf, len);
	if (ASSERT_EQ(drain(&r), 1, "the call, past the first buffer"))
		check_call(&r, &r.x.ev[0], "svcctl", 12, XH_RPC_TR_TCP);
	/* Another call (RCreateServiceA, 24) claiming 100 bytes more than the
	 * segment holds: refused. */
	n = rpc_build_request(big, 0, 0x03, 3, 0, 24, stub_data_len);
	big[8] = (uint8_t)((n + 100) & 0xff);
	big[9] = (uint8_t)((n + 100) >> 8);
	memcpy(buf + lay.payload_off, big, n);
	xhp_run(&r.x, buf, len);
	ASSERT_EQ(drain(&r), 0, "frag_length past the segment");
out:
	rpcx_close(&r);
}

/* Zerologon (CVE-2020-1472): a netlogon call is flagged when its request
 * is unauthenticated, whole in its segment, and carries the exploit's zero
 * ClientCredential (NetrServerAuthenticate2/3, with and without the NDR pad
 * before NegotiateFlags) or zero Authenticator and password
 * (NetrServerPasswordSet2). A real client's call, a sealed one, one cut
 * short, one with a single non-zero byte, and opnum 15 of another interface
 * are not. Every attempt is counted; one event per flow and call. The 16th
 * authentication on one context, sealed or not, is one more finding. */
void test_dcerpc_zerologon(void)
{
	static const uint8_t zero[8], real[8] = {0xde, 0x67, 0xdf, 0x7e, 0xde, 0xcd, 0x87, 0xb1},
				      first[8] = {1}, last[8] = {0, 0, 0, 0, 0, 0, 0, 0x80};
	static uint8_t pw_byte[516];
	const struct rpc_ctx_desc nl[] = {{0, UUID_NETLOGON, 1, 0, 1}};
	const struct rpc_ctx_desc srv[] = {{0, UUID_SRVSVC, 3, 0, 1}};
	const struct {
		const char *what;
		uint16_t opnum;
		const char *dc;
		const uint8_t *cred, *pw;
		int auth, cut, smb, srvsvc, want;
	} c[] = {
		{"Authenticate3, no pad", 26, "DC1", zero, NULL, 0, 0, 0, 0, 1},
		{"Authenticate3, 2 bytes of pad", 26, "DC01", zero, NULL, 0, 0, 0, 0, 1},
		{"Authenticate2", 15, "DC01", zero, NULL, 0, 0, 0, 0, 1},
		{"Authenticate3 in an SMB2 WRITE", 26, "DC1", zero, NULL, 0, 0, 1, 0, 1},
		{"PasswordSet2", 30, "DC01", zero, NULL, 0, 0, 0, 0, 1},
		{"a real credential", 26, "DC1", real, NULL, 0, 0, 0, 0, 0},
		{"credential's first byte", 26, "DC1", first, NULL, 0, 0, 0, 0, 0},
		{"credential's last byte, pad", 26, "DC01", last, NULL, 0, 0, 0, 0, 0},
		{"sealed (auth_length 16)", 26, "DC1", zero, NULL, 1, 0, 0, 0, 0},
		{"cut by a byte", 26, "DC1", zero, NULL, 0, 1, 0, 0, 0},
		{"PasswordSet2, one password byte", 30, "DC01", zero, pw_byte, 0, 0, 0, 0, 0},
		{"PasswordSet2, authenticator", 30, "DC01", last, NULL, 0, 0, 0, 0, 0},
		{"PasswordSet2 sealed", 30, "DC01", zero, NULL, 1, 0, 0, 0, 0},
		{"opnum 15 of srvsvc", 15, "DC01", zero, NULL, 0, 0, 0, 1, 0},
	};
	uint8_t pdu[RPC_PDU_MAX], msg[RPC_PDU_MAX + 256], fid[16];
	uint64_t attempts = 0;
	struct rpcx r;
	size_t n, m;

	pw_byte[300] = 0x41;
	memset(fid, 0x33, sizeof(fid));
	if (rpcx_open(&r))
		goto out;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint16_t cport = (uint16_t)(50400 + i), sport = c[i].smb ? 445 : 135;

		test_subtest("%s", c[i].what);
		n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, c[i].srvsvc ? srv : nl, 1);
		m = c[i].smb ? smb2_wrap_write(msg, pdu, n, fid) : n;
		send_tcp(&r, C4, S4, cport, sport, c[i].smb ? msg : pdu, m);
		ASSERT_EQ(drain(&r), 2, "connect + bind");
		n = rpc_build_nrpc(pdu, 2, c[i].opnum, c[i].dc, c[i].cred, c[i].pw, c[i].auth);
		m = c[i].smb ? smb2_wrap_write(msg, pdu, n, fid) : n - (size_t)c[i].cut;
		for (int k = 0; k < 2; k++) {
			send_tcp(&r, C4, S4, cport, sport, c[i].smb ? msg : pdu, m);
			attempts += (uint64_t)c[i].want;
			ASSERT_EQ(rpc_cnt(&r, XH_RPC_CNT_ZEROLOGON), attempts, "attempts counted");
			if (k) {
				ASSERT_EQ(drain(&r), 0, "the call again: no event");
				continue;
			}
			if (!ASSERT_EQ(drain(&r), 1, "the call"))
				continue;
			check_call(&r, &r.x.ev[0], c[i].srvsvc ? "srvsvc" : "netlogon", c[i].opnum,
				   c[i].smb ? XH_RPC_TR_SMB2 : XH_RPC_TR_TCP);
			ASSERT_EQ(r.x.ev[0].d.dcerpc.flags & XH_DCERPC_F_ZERO_CRED,
				  c[i].want ? XH_DCERPC_F_ZERO_CRED : 0, "zero credential");
		}
	}
	test_subtest_end();

	/* mimikatz's lsadump::zerologon tries on one sealed connection: the
	 * 16th NetrServerAuthenticate2 of a context is a finding of its own. */
	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, nl, 1);
	send_tcp(&r, C4, S4, 50499, 135, pdu, n);
	ASSERT_EQ(drain(&r), 2, "connect + bind");
	n = rpc_build_nrpc(pdu, 2, 15, "DC01", real, NULL, 1);
	for (int k = 1; k <= XH_NRPC_AUTH_TRIES + 4; k++) {
		int got;

		send_tcp(&r, C4, S4, 50499, 135, pdu, n);
		got = drain(&r);
		if (k == 1 || k == XH_NRPC_AUTH_TRIES) {
			if (!ASSERT_EQ(got, 1, k == 1 ? "the first try" : "the 16th try"))
				continue;
			check_call(&r, &r.x.ev[0], "netlogon", 15, XH_RPC_TR_TCP);
			ASSERT_EQ(r.x.ev[0].d.dcerpc.flags, k == 1 ? 0 : XH_DCERPC_F_AUTH_TRIES,
				  "flags");
		} else {
			ASSERT_EQ(got, 0, "other tries: no event");
		}
	}
	ASSERT_EQ(rpc_cnt(&r, XH_RPC_CNT_ZEROLOGON), attempts, "sealed: no zero credential read");
	/* Fewer tries say nothing: a member that retries a few times. */
	n = rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 1, nl, 1);
	send_tcp(&r, C4, S4, 50498, 135, pdu, n);
	ASSERT_EQ(drain(&r), 2, "connect + bind");
	n = rpc_build_nrpc(pdu, 2, 26, "DC01", real, NULL, 0);
	for (int k = 1; k < XH_NRPC_AUTH_TRIES; k++) {
		send_tcp(&r, C4, S4, 50498, 135, pdu, n);
		ASSERT_EQ(drain(&r), k == 1, "15 tries: one call event");
	}
out:
	rpcx_close(&r);
}

/* Append an auth trailer (sec_trailer: NTLM, privacy; then @tok) to the PDU
 * of @len bytes in @pdu and set its frag_length and auth_length. */
static size_t rpc_add_auth(uint8_t *pdu, size_t len, const uint8_t *tok, size_t tok_len)
{
	static const uint8_t trailer[8] = {10, 6, 0, 0, 0, 0, 0, 0};

	memcpy(pdu + len, trailer, sizeof(trailer));
	memcpy(pdu + len + 8, tok, tok_len);
	len += 8 + tok_len;
	pdu[8] = (uint8_t)len;
	pdu[9] = (uint8_t)(len >> 8);
	pdu[10] = (uint8_t)tok_len;
	pdu[11] = (uint8_t)(tok_len >> 8);
	return len;
}

/* An AUTH3 (common header, 4 bytes of pad, the auth trailer) with @tok. */
static size_t rpc_auth3(uint8_t *pdu, const uint8_t *tok, size_t tok_len)
{
	static const uint8_t head[20] = {5, 0, XH_RPC_PT_AUTH3, 3, 0x10, 0, 0, 0, 0, 0, 0, 0, 2, 0,
					 0, 0};

	memcpy(pdu, head, sizeof(head));
	return rpc_add_auth(pdu, sizeof(head), tok, tok_len);
}

static const struct xh_event *logon_ev(struct rpcx *r)
{
	const struct xh_event *found = NULL;
	int n = 0;

	drain(r);
	for (int i = 0; i < r->x.n_ev; i++)
		if (r->x.ev[i].rule == XH_RULE_DCERPC_LOGON) {
			found = &r->x.ev[i];
			n++;
		}
	return n == 1 ? found : NULL;
}

/* dcerpc.logon: an NTLMSSP AUTHENTICATE in an AUTH3 over TCP (on 135, and
 * on a port not known to carry RPC, where it makes the flow) or in an
 * ALTER_CONTEXT's SPNEGO token names the account; once per flow and
 * account; a NEGOTIATE in a BIND names none. */
void test_dcerpc_logon(void)
{
	static const struct rpc_ctx_desc ctx[] = {{0, UUID_SVCCTL, 2, 0, 1}};
	uint8_t tok[512], pdu[2048];
	const struct xh_event *e;
	struct rpcx r;
	size_t n, len;

	if (rpcx_open(&r))
		goto out;
	/* a BIND with NTLM's NEGOTIATE: no account yet */
	n = ntlm_auth_blob(tok, sizeof(tok), "", "", "", 1, 0);
	tok[8] = 1;
	len = rpc_add_auth(pdu, rpc_build_bind(pdu, 0, XH_RPC_PT_BIND, 2, ctx, 1), tok, n);
	send_tcp(&r, C4, S4, 50400, 135, pdu, len);
	ASSERT_NULL(logon_ev(&r), "a NEGOTIATE names no one");

	n = ntlm_auth_blob(tok, sizeof(tok), "CORP", "administrator", "WS01", 1, 0);
	len = rpc_auth3(pdu, tok, n);
	send_tcp(&r, C4, S4, 50400, 135, pdu, len);
	e = logon_ev(&r);
	if (ASSERT_OK_PTR(e, "AUTH3 on 135")) {
		ASSERT_EQ(e->detail_kind, XH_DETAIL_DCERPC, "detail");
		ASSERT_EQ(e->d.dcerpc.transport, XH_RPC_TR_TCP, "over TCP");
		ASSERT_EQ(e->d.dcerpc.ptype, XH_RPC_PT_AUTH3, "the AUTH3's");
		ASSERT_EQ(e->d.dcerpc.name_enc, 1, "UTF-16LE");
		ASSERT_EQ(e->d.dcerpc.ntlm_len[XH_NTLM_USER], 26, "user bytes");
		ASSERT_EQ(e->d.dcerpc.ntlm_len[XH_NTLM_DOMAIN], 8, "domain bytes");
		ASSERT_EQ(e->name_len, XH_SMB_NTLM_SLOT_END, "the slots");
		ASSERT_EQ(memcmp(e->name + XH_SMB_NTLM_USER_SLOT, "a\0d\0m\0", 6), 0, "user");
		ASSERT_EQ(memcmp(e->name + XH_SMB_NTLM_HOST_SLOT, "W\0S\0", 4), 0, "host");
		ASSERT_FALSE(e->d.dcerpc.flags & XH_DCERPC_F_NTLM_CUT, "whole");
		ASSERT_EQ(ntohs(e->sport), 50400, "from the client");
		ASSERT_EQ(ntohs(e->dport), 135, "to 135");
		ASSERT_EQ(memcmp(e->d.dcerpc.ntlm_proof, "\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7", 8), 0,
			  "the NT response's first bytes");
	}
	ASSERT_EQ(rpc_cnt(&r, XH_RPC_CNT_NTLM_AUTH), 1, "counted");
	send_tcp(&r, C4, S4, 50400, 135, pdu, len);
	ASSERT_NULL(logon_ev(&r), "the same account again: once per flow");

	/* a dynamic endpoint no bind made known: the AUTH3 makes the flow */
	send_tcp(&r, C4, S4, 50401, 49160, pdu, len);
	e = logon_ev(&r);
	if (ASSERT_OK_PTR(e, "AUTH3 on a dynamic port"))
		ASSERT_EQ(ntohs(e->dport), 49160, "to the endpoint");

	/* SPNEGO in an ALTER_CONTEXT */
	n = ntlm_auth_blob(tok, sizeof(tok), "CORP", "svc_backup", "WS02", 1, 1);
	len = rpc_add_auth(pdu, rpc_build_bind(pdu, 0, XH_RPC_PT_ALTER_CONTEXT, 3, ctx, 1), tok, n);
	send_tcp(&r, C4, S4, 50402, 135, pdu, len);
	e = logon_ev(&r);
	if (ASSERT_OK_PTR(e, "ALTER_CONTEXT, SPNEGO")) {
		ASSERT_EQ(e->d.dcerpc.ptype, XH_RPC_PT_ALTER_CONTEXT, "the ALTER_CONTEXT's");
		ASSERT_EQ(e->d.dcerpc.ntlm_len[XH_NTLM_USER], 20, "user bytes");
	}

	/* the token cut by the segment's end: the names lie past it */
	n = ntlm_auth_blob(tok, sizeof(tok), "CORP", "carol", "WS03", 1, 0);
	len = rpc_auth3(pdu, tok, n);
	send_tcp(&r, C4, S4, 50403, 135, pdu, 20 + 8 + 64 + 2);
	e = logon_ev(&r);
	if (ASSERT_OK_PTR(e, "names past the segment")) {
		ASSERT_EQ(e->d.dcerpc.ntlm_len[XH_NTLM_USER], 0, "no user here");
		ASSERT_TRUE(e->d.dcerpc.flags & XH_DCERPC_F_NTLM_CUT, "said cut");
	}
out:
	rpcx_close(&r);
}
