// SPDX-License-Identifier: GPL-2.0
/* ioc_event.c: enrich ioc.* hits from the set's metadata: what matched,
 * which feed said so and why, and the ATT&CK techniques the channel fits.
 * Names from the kernel are checked against the indicator here: the kernel
 * matched a 64-bit hash, so a collision must never become a hit. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include "enrich.h"
#include "fmt.h"
#include "ioc.h"
#include "ioc_event.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const counter_names[] = {
	[XH_IOC_CNT_DNS_QUERY] = "dns_query",
	[XH_IOC_CNT_DNS_NOT_QUERY] = "dns_not_query",
	[XH_IOC_CNT_DNS_NO_QUESTION] = "dns_no_question",
	[XH_IOC_CNT_DNS_MULTI_Q] = "dns_multi_question",
	[XH_IOC_CNT_DNS_COMPRESSED] = "dns_compressed_name",
	[XH_IOC_CNT_DNS_BAD_LABEL] = "dns_bad_label",
	[XH_IOC_CNT_DNS_TRUNC] = "dns_truncated",
	[XH_IOC_CNT_TLS_HELLO] = "tls_client_hello",
	[XH_IOC_CNT_TLS_SNI] = "tls_sni",
	[XH_IOC_CNT_TLS_NO_SNI] = "tls_no_sni",
	[XH_IOC_CNT_TLS_TRUNC] = "tls_truncated",
	[XH_IOC_CNT_TLS_BAD] = "tls_malformed",
	[XH_IOC_CNT_NAME_MATCH] = "name_match",
	[XH_IOC_CNT_DROP] = "dropped",
	[XH_IOC_CNT_NO_SET] = "no_set",
	[XH_IOC_CNT_ADDR_CACHED] = "addr_cached",
	[XH_IOC_CNT_ADDR_WALKED] = "addr_walked",
};
_Static_assert(ARRAY_SIZE(counter_names) == XH_IOC_CNT__MAX, "an IoC counter without a name");

const char *ioc_counter_name(unsigned int c)
{
	return c < XH_IOC_CNT__MAX ? counter_names[c] : NULL;
}

int ioc_name_covers(const char *name, size_t n, const char *dom)
{
	size_t d = strlen(dom);

	if (n && name[n - 1] == '.')
		n--; /* a fully qualified SNI */
	if (n < d || strncasecmp(name + n - d, dom, d))
		return 0;
	return n == d || name[n - d - 1] == '.';
}

/* Web ports an implant's HTTP(S) C2 uses, for T1071.001. */
static int web_port(unsigned int port)
{
	return port == 80 || port == 443 || port == 8080 || port == 8443 || port == 8000 ||
	       port == 8008 || port == 8888;
}

/* Ports where TLS from the first byte is the registered service (IANA's
 * "...s" services, 8443 by use): a ClientHello elsewhere is T1571. */
static int tls_port(unsigned int port)
{
	static const unsigned short ports[] = {443, 465, 563, 636,  853,  989,	990,  992,
					       993, 994, 995, 3269, 5061, 5986, 6697, 8443};

	for (size_t i = 0; i < ARRAY_SIZE(ports); i++)
		if (port == ports[i])
			return 1;
	return 0;
}

/* The "attack" array of the ioc object, as text (constant ids): what the
 * packet shows of the C2 channel. */
static char *put_attack_array(char *p, const struct xh_event *e)
{
	unsigned int dport = ntohs(e->dport);

	if (e->rule == XH_RULE_IOC_DNS || (dport == 53 && (e->proto == 6 || e->proto == 17))) {
		p = fmt_lit(p, ",\"attack\":[\"T1071\",\"T1071.004\""); /* DNS */
	} else if (e->rule != XH_RULE_IOC_TLS_SNI && enrich_c2_is_raw(e->proto, dport)) {
		/* Non-Application Layer Protocol: UDP off 53 and 443, ICMP... */
		p = fmt_lit(p, ",\"attack\":[\"T1095\"");
	} else {
		p = fmt_lit(p, ",\"attack\":[\"T1071\""); /* Application Layer Protocol */
		/* Web Protocols: a web port (QUIC on 443), or a ClientHello
		 * whose ALPN offers HTTP, on any port. */
		if ((e->proto == 6 && web_port(dport)) || (e->proto == 17 && dport == 443) ||
		    (e->rule == XH_RULE_IOC_TLS_SNI && (e->d.ioc.tls_flags & XH_TLS_F_ALPN_HTTP)))
			p = fmt_lit(p, ",\"T1071.001\"");
	}
	if (e->rule == XH_RULE_IOC_TLS_SNI) {
		p = fmt_lit(p, ",\"T1573\""); /* Encrypted Channel */
		if (!tls_port(dport))
			p = fmt_lit(p, ",\"T1571\""); /* Non-Standard Port */
	}
	*p++ = ']';
	return p;
}

static const char *qtype_name(unsigned int t)
{
	switch (t) {
	case 1:
		return "A";
	case 2:
		return "NS";
	case 5:
		return "CNAME";
	case 6:
		return "SOA";
	case 12:
		return "PTR";
	case 15:
		return "MX";
	case 16:
		return "TXT";
	case 28:
		return "AAAA";
	case 33:
		return "SRV";
	case 64:
		return "SVCB";
	case 65:
		return "HTTPS";
	case 255:
		return "ANY";
	default:
		return NULL;
	}
}

/* ,"key":"value" for a pooled metadata string, when the feed gave one. */
static void key_meta(struct jbuf *b, const struct ioc_set *set, const char *member, size_t mlen,
		     uint32_t off)
{
	const char *s = ioc_str(set, off);

	if (!s)
		return;
	jbuf_raw(b, member, mlen);
	jbuf_str_n(b, s, strlen(s));
}

#define KEY_META(b, set, key, off) key_meta(b, set, ",\"" key "\":", sizeof(key) + 3, off)

/* ,"also_in":[{"feed":...,"actor":...,"confidence":...,"feed_action":...}]
 * for the other feeds that list the stored entry @ie's indicator (its
 * key), in load order, the first IOC_ALSO_IN_MAX; ,"also_in_more":N for the
 * rest. Nothing when it is in no other feed. */
static void put_also_in(struct jbuf *b, const struct ioc_set *set, const struct ioc_entry *ie)
{
	size_t n, shown;
	const uint32_t *also = ioc_set_also(set, ie, &n);

	if (!also)
		return;
	shown = n < IOC_ALSO_IN_MAX ? n : IOC_ALSO_IN_MAX;
	jbuf_lit(b, ",\"also_in\":[");
	for (size_t i = 0; i < shown; i++) {
		const struct ioc_entry *o = ioc_set_at(set, also[i]);
		const struct ioc_meta *m = ioc_set_meta(set, o);
		const char *feed = ioc_entry_feed(set, o);

		if (i)
			jbuf_lit(b, ",");
		jbuf_lit(b, "{\"feed\":");
		jbuf_str_n(b, feed, strlen(feed));
		if (m) {
			KEY_META(b, set, "actor", m->actor);
			KEY_META(b, set, "confidence", m->confidence);
		}
		if (o->action == IOC_ACTION_BLOCK)
			jbuf_lit(b, ",\"feed_action\":\"block\"}");
		else
			jbuf_lit(b, ",\"feed_action\":\"alert\"}");
	}
	jbuf_lit(b, "]");
	if (n > shown) {
		jbuf_lit(b, ",\"also_in_more\":");
		jbuf_u64(b, n - shown);
	}
}

/* Bytes of the ioc object besides the indicator, the metadata and the feed
 * file: keys, the type and matched names, a port, the attack array. */
#define IOC_JSON_FIXED_MAX 256

int ioc_event_format(const struct ioc_set *set, const struct xh_event *e, struct jbuf *b,
		     struct ioc_event_stats *st)
{
	const struct ioc_set *owner = NULL;
	const struct ioc_entry *ie = set ? ioc_set_resolve(set, e->ioc_id, &owner) : NULL, *blk;
	const struct ioc_meta *m;
	int is_name = e->rule == XH_RULE_IOC_DNS || e->rule == XH_RULE_IOC_TLS_SNI;
	char text[IOC_TEXT_MAX], name[XH_EVENT_NAME_MAX * 4 + 1], *p;
	size_t n = e->name_len, w = 0;
	const char *matched, *type;

	if (!set) {
		/* No feed metadata at hand (tests, tools): the reference only. */
		jbuf_key_obj_begin(b, "ioc");
		jbuf_key_u64(b, "id", e->ioc_id & XH_IOC_ID_MASK);
		jbuf_obj_end(b);
		return 0;
	}
	if (!ie) {
		st->stale++;
		return -ESTALE;
	}
	if (is_name) {
		if (e->detail_kind != XH_DETAIL_IOC_NAME || n == 0 || n > XH_EVENT_NAME_MAX ||
		    ie->kind != IOC_KIND_DOMAIN ||
		    !ioc_name_covers((const char *)e->name, n, ioc_str(owner, ie->domain))) {
			st->collisions++;
			return -EBADMSG;
		}
		/* A name is printable ASCII on the wire in practice; anything
		 * else is shown as \xNN so the text stays what was sent. */
		for (size_t i = 0; i < n; i++) {
			unsigned char c = e->name[i];

			if (c > 0x20 && c < 0x7f && c != '\\')
				name[w++] = (char)c;
			else
				w += (size_t)snprintf(name + w, sizeof(name) - w, "\\x%02x", c);
		}
		name[w] = '\0';
	}
	matched = e->rule == XH_RULE_IOC_DNS	   ? "dns.query"
		  : e->rule == XH_RULE_IOC_TLS_SNI ? "tls.sni"
		  : e->rule == XH_RULE_IOC_SRC	   ? "src_ip"
						   : "dest_ip";
	type = ioc_entry_type(ie);
	m = ioc_set_meta(owner, ie);
	/* Keys, constant names and numbers as pre-encoded text; the feed's
	 * strings escaped. Through jbuf_key_*() per member this object cost
	 * about 1,100 instructions more a hit (callgrind, xh_bench format). */
	jbuf_lit(b, ",\"ioc\":{\"indicator\":");
	n = ioc_entry_text_n(owner, ie, text);
	jbuf_str_n(b, text, n);
	p = jbuf_tail(b, IOC_JSON_FIXED_MAX);
	if (!p)
		return 0;
	p = fmt_lit(p, ",\"type\":\"");
	p = fmt_put(p, type, strlen(type));
	p = fmt_lit(p, "\",\"matched\":\"");
	p = fmt_put(p, matched, strlen(matched));
	*p++ = '"';
	if (ie->port) {
		p = fmt_lit(p, ",\"port\":");
		p = fmt_u64(p, ie->port);
	}
	jbuf_set_tail(b, p);
	if (m) {
		KEY_META(b, owner, "feed", m->feed);
		KEY_META(b, owner, "actor", m->actor);
		KEY_META(b, owner, "confidence", m->confidence);
		KEY_META(b, owner, "first_seen", m->first_seen);
		KEY_META(b, owner, "reference", m->reference);
		KEY_META(b, owner, "comment", m->comment);
		if (m->extra) {
			/* Members encoded when the feed was read (ioc_csv.c). */
			const char *x = ioc_str(owner, m->extra);

			jbuf_lit(b, ",\"extra\":{");
			jbuf_raw(b, x, strlen(x));
			jbuf_lit(b, "}");
		}
	}
	if (!m || !m->feed)
		jbuf_key_str(b, "feed", ioc_set_file(owner, ie->feed_no));
	p = jbuf_tail(b, IOC_JSON_FIXED_MAX);
	if (!p)
		return 0;
	if (ie->action == IOC_ACTION_BLOCK)
		p = fmt_lit(p, ",\"feed_action\":\"block\"");
	else
		p = fmt_lit(p, ",\"feed_action\":\"alert\"");
	jbuf_set_tail(b, p);
	blk = ioc_set_blocked_by(owner, ie);
	if (blk) {
		/* An alert indicator a block feed covers: dropped for that. */
		const struct ioc_meta *bm = ioc_set_meta(owner, blk);
		const char *feed = bm ? ioc_str(owner, bm->feed) : NULL;

		jbuf_lit(b, ",\"blocked_by\":{\"indicator\":");
		n = ioc_entry_text_n(owner, blk, text);
		jbuf_str_n(b, text, n);
		jbuf_key_str(b, "feed", feed ? feed : ioc_set_file(owner, blk->feed_no));
		jbuf_lit(b, "}");
	}
	put_also_in(b, owner, ie);
	p = jbuf_tail(b, IOC_JSON_FIXED_MAX);
	if (!p)
		return 0;
	p = put_attack_array(p, e);
	*p++ = '}';
	jbuf_set_tail(b, p);
	if (e->rule == XH_RULE_IOC_DNS) {
		const char *qt = qtype_name(e->d.ioc.qtype);

		jbuf_lit(b, ",\"dns\":{\"query\":");
		jbuf_str_n(b, name, w);
		p = jbuf_tail(b, IOC_JSON_FIXED_MAX);
		if (!p)
			return 0;
		/* Always text, so that the key keeps one JSON type: a type
		 * without a name as RFC 3597 writes it, "TYPE99". */
		p = fmt_lit(p, ",\"qtype\":\"");
		if (qt) {
			p = fmt_put(p, qt, strlen(qt));
		} else {
			p = fmt_lit(p, "TYPE");
			p = fmt_u64(p, e->d.ioc.qtype);
		}
		p = fmt_lit(p, "\"}");
		jbuf_set_tail(b, p);
	} else if (e->rule == XH_RULE_IOC_TLS_SNI) {
		jbuf_lit(b, ",\"tls\":{\"sni\":");
		jbuf_str_n(b, name, w);
		jbuf_lit(b, "}");
	}
	return 0;
}
