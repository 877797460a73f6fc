/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* ioc_name.bpf.h: IoC domains in the datapath: the DNS query name (UDP/TCP
 * port 53) and the TLS ClientHello server_name, matched with their parent
 * domains by suffix hash (bpf/name.h) against the xh_iocdom inner map, and
 * reported once per (flow, name) with the name in the event. */
#ifndef XH_IOC_NAME_BPF_H
#define XH_IOC_NAME_BPF_H

#include "maps.bpf.h"
#include "parse.h"
#include "dns.h"
#include "tls.h"
#include "classify.bpf.h"
#include "flow.bpf.h"
#include "emit.bpf.h"
#include "compat61.bpf.h"

#define XH_DNS_PORT 53

/* What xh_ioc_inspect() looks at. */
enum xh_name_kind {
	XH_NAME_DNS_UDP = 1,
	XH_NAME_DNS_TCP = 2, /* 2-byte length prefix before the message */
	XH_NAME_TLS = 3,
};

/* bpf_loop() context: the walks keep their state in the scratch (map memory),
 * so each step is verified against unknown state. Kept on the stack in the
 * context instead, the state was known at the call, and the 6.1 verifier,
 * which checks a callback once with the state of the call, removed the
 * branches that state did not take: every DNS name was a bad label there
 * (selftests/verifier/test_kernel_61.sh runs names through the program). */
struct xh_name_loop {
	struct xh_name_scratch *s;
	const __u8 *buf; /* the DNS message or the server_name, in the packet */
	const void *end; /* data_end */
};

/* DNS labels per bpf_loop() step: a step costs a call (about 2 ns), and most
 * names have four labels or fewer (with the root). Each label reads and
 * writes the walk state in memory (the barrier keeps clang from carrying it
 * over in registers), so the verifier checks the labels of a step one after
 * the other, not their combinations. (Four text labels per step gained less
 * and doubled the instructions the verifier processes.) */
#define XH_DNS_STEP 4
_Static_assert(XH_DNS_LABELS_MAX % XH_DNS_STEP == 0, "whole steps");

static __always_inline int xh_dns_labels(struct xh_name_loop *c, __u32 first)
{
	struct xh_name_scratch *s = c->s;

	for (__u32 q = 0; q < XH_DNS_STEP; q++) {
		/* state from memory, not registers: see above */
		asm volatile("" ::: "memory");
		if (xh_dns_label(&s->dns, &s->lab, first + q, c->buf, c->end, s->name))
			return 1;
	}
	return 0;
}

static long xh_dns_cb(__u32 i, void *ctx)
{
	return xh_dns_labels(ctx, i * XH_DNS_STEP);
}

static long xh_text_cb(__u32 i, void *ctx)
{
	struct xh_name_loop *c = ctx;

	return xh_name_label(&c->s->lab, i, c->buf, c->end);
}

/* The DNS question name of the message at packet offset @off (@len bytes),
 * parsed in the packet: its text into s->name, its label hashes into s->lab,
 * XH_DNS_STEP labels at a time. A global function, verified once. Returns
 * the name length or -XH_IOC_CNT_DNS_*. */
__noinline int xh_ioc_dns(struct xdp_md *ctx, struct xh_name_scratch *s, __u32 off, __u32 len,
			  struct xh_stats *stats)
{
	struct xh_name_loop c = {};
	struct xh_dns_q q = {};
	int n;

	if (!ctx || !s || !stats)
		return 0;
	/* A no-op mask: a payload starts within the (at most page-sized)
	 * linear frame; 2 more for DNS over TCP stay far below it. */
	c.buf = (void *)(long)ctx->data + (off & XH_PARSE_MAX_OFF);
	c.end = (void *)(long)ctx->data_end;
	c.s = s;
	n = xh_dns_begin(c.buf, c.end, len, &q, &s->dns, &s->lab);
	if (!n) {
		bpf_loop(XH_DNS_LABELS_MAX / XH_DNS_STEP, xh_dns_cb, &c, 0);
		n = xh_dns_end(&s->dns, &s->lab, c.buf, c.end, &q);
	}
	if (n >= 0) {
		stats->ioc[XH_IOC_CNT_DNS_QUERY]++;
		if (q.qdcount > 1)
			stats->ioc[XH_IOC_CNT_DNS_MULTI_Q]++;
	}
	s->qtype = q.qtype;
	return n;
}

/* The ClientHello server_name at packet offset @off (@len payload bytes),
 * parsed and hashed in the packet: its label hashes into s->lab, a label per
 * bpf_loop() step, its offset in the payload to s->name_off
 * (it is copied only on a match). Global: verified once. Returns the name
 * length or -XH_IOC_CNT_TLS_*. */
__noinline int xh_ioc_tls(struct xdp_md *ctx, struct xh_name_scratch *s, __u32 off, __u32 len,
			  struct xh_stats *stats)
{
	struct xh_name_loop c = {};
	void *data, *data_end;
	__u32 name_off = 0;
	int n;

	if (!ctx || !s || !stats)
		return 0;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	stats->ioc[XH_IOC_CNT_TLS_HELLO]++;
	s->qtype = 0;
	n = xh_tls_sni(data + (off & XH_PARSE_MAX_OFF), data_end, len, &name_off);
	if (n < 1)
		return n;
	stats->ioc[XH_IOC_CNT_TLS_SNI]++;
	s->name_off = name_off;
	/* No-op masks (a payload offset, an offset in its first 2 KiB),
	 * each bounded for the verifier. */
	c.buf = data + (off & XH_PARSE_MAX_OFF) + (name_off & XH_TLS_OFF_MASK);
	c.end = data_end;
	c.s = s;
	xh_name_labels_begin(&s->lab, n);
	bpf_loop(XH_NAME_TEXT_MAX + 1, xh_text_cb, &c, 0);
	return n;
}

/* The ALPN list of the ClientHello at packet offset @off (@len bytes, as
 * cut to its first record), its body at @pos (@l bytes) of the hello:
 * xh_tls_alpn_list_http(). Global apart from the extension walk, so that the
 * verifier does not check the list once per way out of that walk. */
__noinline int xh_ioc_tls_alpn_list(struct xdp_md *ctx, __u32 off, __u32 len, __u32 pos, __u32 l)
{
	void *data, *data_end;

	if (!ctx)
		return 0;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (len > XH_TLS_LEN_MAX)
		len = XH_TLS_LEN_MAX;
	return xh_tls_alpn_list_http(data + (off & XH_PARSE_MAX_OFF), data_end, len,
				     pos & XH_TLS_OFF_MASK, l & XH_TLS_OFF_MASK);
}

/* xh_tls_alpn_http() on the ClientHello at packet offset @off (@len
 * payload bytes): asked only of a hello whose name matched, so the walk past
 * the server_name costs other hellos nothing. Global: verified once. */
__noinline int xh_ioc_tls_alpn(struct xdp_md *ctx, __u32 off, __u32 len)
{
	void *data, *data_end;
	__u32 pos = 0, l = 0;

	if (!ctx)
		return 0;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (!xh_tls_find_ext(data + (off & XH_PARSE_MAX_OFF), data_end, &len, XH_TLS_EXT_ALPN, &pos,
			     &l))
		return 0;
	return xh_ioc_tls_alpn_list(ctx, off, len, pos, l);
}

/* The suffix hashes of the name walked into s->lab (@n bytes of text) and
 * their lookups: the prefilter, then xh_iocdom. Global, so that the frames
 * of the deepest call chain stay within the 512-byte stack. Returns the IoC
 * reference of the longest matching suffix (index in s->matched), or 0. */
__noinline int xh_ioc_match(struct xh_name_scratch *s, struct xh_stats *stats)
{
	__u32 zero = 0, i, best = 0, *ref;
	void *inner, *pf;
	__u64 key;

	if (!s || !stats)
		return 0;
	s->n_hash = xh_name_combine(&s->lab, s->hash, s->off);
	s->matched = 0;
	/* The prefilter slot before the domain slot (user/ioc_maps.c). */
	pf = bpf_map_lookup_elem(&xh_iocpf, &zero);
	inner = bpf_map_lookup_elem(&xh_iocdom, &zero);
	if (!inner) {
		stats->ioc[XH_IOC_CNT_NO_SET]++;
		return 0;
	}
	/* Shortest suffix first: the last hit is the most specific domain.
	 * hash[0], the last label alone, is no IoC domain (they have two
	 * labels or more: user/ioc.c), so the walk starts at hash[1]. */
	for (i = 1; i < XH_NAME_SUFFIX_MAX; i++) {
		if (i >= s->n_hash)
			break;
		key = s->hash[i];
		if (!xh_ioc_dom_maybe(pf, key))
			continue;
		/* a stack key: 6.1 takes no key in a global function's
		 * argument memory */
		ref = bpf_map_lookup_elem(inner, &key);
		if (ref && (*ref & XH_IOC_ID_MASK)) {
			best = *ref;
			s->matched = i;
		}
	}
	return best;
}

/* Parse the DNS question or ClientHello at packet offset @off (@len bytes of
 * payload) and match its name. Global, like the parsers it calls, so that
 * the verifier checks each once (inlined into xh_hunt() the name loops
 * multiplied its paths past the 1M-instruction limit on 6.18). Leaves the
 * name and its hashes in xh_iocscr. Returns the IoC reference of the longest
 * matching suffix, or 0. */
__noinline int xh_ioc_inspect(struct xdp_md *ctx, __u32 off, __u32 len, __u32 kind,
			      struct xh_stats *stats)
{
	struct xh_name_scratch *s;
	__u32 zero = 0;
	int n, best;

	if (!ctx || !stats)
		return 0;
	s = bpf_map_lookup_elem(&xh_iocscr, &zero);
	if (!s) {
		stats->cnt[XH_CNT_MAP_ERR]++;
		return 0;
	}
	if (kind == XH_NAME_DNS_TCP) {
		if (len < 2)
			return 0;
		off += 2;
		len -= 2;
	}
	if (len > XH_TLS_LEN_MAX)
		len = XH_TLS_LEN_MAX;
	if (len < 1)
		return 0;
	if (kind == XH_NAME_TLS)
		n = xh_ioc_tls(ctx, s, off, len, stats);
	else
		n = xh_ioc_dns(ctx, s, off, len, stats);
	if (n < 0) {
		/* 64-bit on purpose: the 6.1 verifier drops every bound of a
		 * 32-bit negation (no zero extension), so a 32-bit check of
		 * reason left the 64-bit index unbounded and the program was
		 * rejected (selftests/verifier/test_kernel_61.sh, clang 14). */
		__u64 reason = -(__s64)n;

		if (reason < XH_IOC_CNT__MAX)
			stats->ioc[reason]++;
		return 0;
	}
	if (n == 0)
		return 0; /* the root: nothing to match */
	s->name_len = n;
	best = xh_ioc_match(s, stats);
	if (!best)
		return 0;
	/* The event carries the name: the DNS walk wrote it as text, the
	 * server_name is copied now (never fails: it lies in the frame). */
	if (kind == XH_NAME_TLS &&
	    bpf_xdp_load_bytes(ctx, off + s->name_off, s->name, XH_SIZE_NZ(n, XH_NAME_TEXT_MAX)))
		return 0;
	s->tls_flags = 0;
	if (kind == XH_NAME_TLS && xh_ioc_tls_alpn(ctx, off, len))
		s->tls_flags = XH_TLS_F_ALPN_HTTP;
	stats->ioc[XH_IOC_CNT_NAME_MATCH]++;
	return best;
}

/* Which name the packet may carry: a DNS query (UDP or TCP to port 53) or a
 * ClientHello (any TCP port, 53 included: three bytes are read, the walk
 * only follows a match). The ClientHello test comes first: a DNS/TCP
 * segment that starts 16 03 .. .. .. 01 would be a 5635-byte message with
 * RCODE 1 in a query, while TLS to port 53 is a known way around a port
 * 443 policy. enum xh_name_kind, or 0. */
static __always_inline __u32 xh_ioc_name_kind(struct xdp_md *ctx, const struct xh_pkt *pkt, int res)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 len = pkt->payload_len;
	__u8 *p;

	if (res != XH_PARSE_L4 || !len)
		return 0;
	if (pkt->proto == IPPROTO_UDP && pkt->dport == bpf_htons(XH_DNS_PORT))
		return XH_NAME_DNS_UDP;
	if (pkt->proto != IPPROTO_TCP)
		return 0;
	if (len >= 6) {
		p = data + (pkt->payload_off & XH_PARSE_MAX_OFF);
		if ((void *)(p + 6) <= data_end && xh_tls_looks_hello(p))
			return XH_NAME_TLS;
	}
	if (pkt->dport == bpf_htons(XH_DNS_PORT))
		return XH_NAME_DNS_TCP;
	return 0;
}

/* Match the name of a DNS query or ClientHello (xh_ioc_name_kind()). Sets
 * cls->name_ref / name_rule and the IoC class on a match. */
static __always_inline void xh_ioc_names(struct xdp_md *ctx, const struct xh_pkt *pkt, int res,
					 struct xh_stats *stats, struct xh_class_res *cls)
{
	__u32 kind = xh_ioc_name_kind(ctx, pkt, res);
	__u8 rule;
	int ref;

	if (!kind)
		return;
	rule = kind == XH_NAME_TLS ? XH_RULE_IOC_TLS_SNI : XH_RULE_IOC_DNS;
	ref = xh_ioc_inspect(ctx, pkt->payload_off & XH_PARSE_MAX_OFF, pkt->payload_len, kind,
			     stats);
	if (!ref)
		return;
	cls->name_ref = ref;
	cls->name_rule = rule;
	cls->classes |= 1 << XH_CLASS_IOC;
}

/* Report the name matched by xh_ioc_names() once per (flow, name): the flow
 * exists, xh_flow_handle() created it for the IoC class. */
static __always_inline void xh_ioc_name_report(struct xdp_md *ctx, const struct xh_pkt *pkt,
					       const struct xh_class_res *cls,
					       struct xh_stats *stats)
{
	struct xh_name_scratch *s;
	struct xh_flow_state *st;
	struct xh_flow_key key;
	struct xh_event *e;
	__u32 zero = 0, value, m;

	s = bpf_map_lookup_elem(&xh_iocscr, &zero);
	if (!s)
		return;
	xh_flow_key_make(pkt, &key);
	st = bpf_map_lookup_elem(&xh_flows, &key);
	if (!st)
		return;
	m = s->matched;
	if (m >= XH_NAME_SUFFIX_MAX)
		return;
	/* The finding's value: the whole name, every label (its longest
	 * hashed suffix has only the last XH_NAME_SUFFIX_MAX), never 0. */
	value = (__u32)(s->lab.all ^ (s->lab.all >> 32)) | 1;
	if (!xh_finding_claim(st, cls->name_rule, value))
		return;
	/* The flow record's "ioc" (user/flowlog.c): an address indicator the
	 * flow was made for stays; else the first name found. One store per
	 * finding, off the per-packet path. */
	if (!st->ioc_id)
		st->ioc_id = cls->name_ref;
	e = xh_event_reserve(ctx, pkt, &key, st, cls->name_rule, cls->name_ref, stats,
			     XH_EVENT_NAMED_SIZE);
	if (!e) {
		xh_finding_release(st, cls->name_rule, value);
		return;
	}
	e->detail_kind = XH_DETAIL_IOC_NAME;
	e->d.ioc.hash = s->hash[m];
	e->d.ioc.name_off = s->off[m];
	e->d.ioc.qtype = s->qtype;
	e->d.ioc.transport = pkt->proto;
	e->d.ioc.tls_flags = s->tls_flags;
	e->name_len = s->name_len > XH_NAME_TEXT_MAX ? XH_NAME_TEXT_MAX : s->name_len;
	__builtin_memcpy(e->name, s->name, XH_EVENT_NAME_MAX);
	xh_event_submit(e, XH_EVENT_NAMED_SIZE, stats);
}

#endif /* XH_IOC_NAME_BPF_H */
