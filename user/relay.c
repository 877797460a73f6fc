// SPDX-License-Identifier: GPL-2.0
/* relay.c: see relay.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "community_id.h"
#include "enrich.h"
#include "events.h"
#include "relay.h"

struct relay_seen {
	uint64_t proof; /* the response's first 8 bytes; 0: empty slot */
	uint64_t ts_ns;
	struct xh_flow_key key; /* the logon's client as saddr/sport */
	uint8_t rule;
	uint8_t reported; /* an ntlm.relay hit was made of it */
};

struct relays {
	struct relay_seen *slot; /* RELAY_SLOTS, made on the first response */
};

struct relays *relays__new(void)
{
	return calloc(1, sizeof(struct relays));
}

void relays__free(struct relays *r)
{
	if (!r)
		return;
	free(r->slot);
	free(r);
}

void relays_clear(struct relays *r)
{
	if (r && r->slot)
		memset(r->slot, 0, RELAY_SLOTS * sizeof(*r->slot));
}

/* @e's NT response (its first XH_NTLM_PROOF_LEN bytes), 0 when it has none. */
static uint64_t event_proof(const struct xh_event *e)
{
	const uint8_t *p;
	uint64_t v;

	if (e->rule == XH_RULE_SMB_LOGON && e->detail_kind == XH_DETAIL_SMB)
		p = e->d.smb.ntlm_proof;
	else if (e->rule == XH_RULE_DCERPC_LOGON && e->detail_kind == XH_DETAIL_DCERPC)
		p = e->d.dcerpc.ntlm_proof;
	else
		return 0;
	_Static_assert(XH_NTLM_PROOF_LEN == sizeof(v), "a proof is one word");
	memcpy(&v, p, sizeof(v));
	return v;
}

int relays_check(struct relays *r, const struct xh_event *e, uint64_t ts_ns, struct relay_match *m)
{
	uint64_t proof = event_proof(e), dt;
	struct xh_flow_key k;
	struct relay_seen *s;

	if (!proof || !r)
		return 0;
	if (!r->slot) {
		r->slot = calloc(RELAY_SLOTS, sizeof(*r->slot));
		if (!r->slot)
			return -ENOMEM;
	}
	event_flow_key(e, &k);
	/* An HMAC's bytes: any 12 of them pick the slot as well as a hash */
	s = &r->slot[(proof >> 20) % RELAY_SLOTS];
	/* Either way round: hits of two CPUs can reach the ring buffer a
	 * little out of order. */
	dt = ts_ns > s->ts_ns ? ts_ns - s->ts_ns : s->ts_ns - ts_ns;
	if (s->proof == proof && memcmp(&s->key, &k, sizeof(k)) &&
	    dt <= (uint64_t)RELAY_WINDOW_S * 1000000000ULL) {
		if (s->reported)
			return 0;
		m->first = s->key;
		m->first_ts_ns = s->ts_ns;
		m->first_rule = s->rule;
		s->reported = 1;
		return 1;
	}
	/* A retransmission, or a later sighting on the same flow, keeps the
	 * first one's time. */
	if (s->proof == proof && !memcmp(&s->key, &k, sizeof(k)))
		return 0;
	s->proof = proof;
	s->ts_ns = ts_ns;
	s->key = k;
	s->rule = e->rule;
	s->reported = 0;
	return 0;
}

void relay_json(const struct relay_match *m, uint64_t ts_ns, struct jbuf *b)
{
	char ip[INET6_ADDRSTRLEN], cid[COMMUNITY_ID_LEN];
	int af = m->first.family == XH_AF_INET ? AF_INET : AF_INET6;
	const char *rule = enrich_rule_name(m->first_rule);
	uint64_t fid, dt = ts_ns > m->first_ts_ns ? ts_ns - m->first_ts_ns : 0;

	jbuf_key_obj_begin(b, "relay");
	jbuf_key_str(b, "victim_ip", inet_ntop(af, m->first.saddr, ip, sizeof(ip)) ? ip : "");
	jbuf_key_u64(b, "victim_port", ntohs(m->first.sport));
	jbuf_key_str(b, "relay_ip", inet_ntop(af, m->first.daddr, ip, sizeof(ip)) ? ip : "");
	jbuf_key_u64(b, "relay_port", ntohs(m->first.dport));
	if (!community_id_v1_flow(&m->first, cid, &fid))
		jbuf_key_str(b, "victim_community_id", cid);
	if (rule)
		jbuf_key_str(b, "victim_rule", rule);
	jbuf_key_double(b, "seconds", (double)(dt / 1000) / 1e6);
	jbuf_obj_end(b);
}
