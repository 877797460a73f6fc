/* SPDX-License-Identifier: GPL-2.0 */
/* relay.h: ntlm.relay, an NTLM logon relayed (ntlmrelayx, Responder's
 * relays: T1557.001). The relay forwards the victim's AUTHENTICATE to the
 * target unchanged, and its NT response (NTLMv2: NTProofStr, an HMAC of
 * the server's challenge and the victim's password hash) is then on two
 * flows at once, which no honest logon is: each answers its own challenge.
 * The kernel puts that response's first bytes in each smb.logon and
 * dcerpc.logon hit (ntlm_proof); this matches them. */
#ifndef XH_RELAY_H
#define XH_RELAY_H

#include <stdint.h>
#include "xh_abi.h"
#include "jsonl.h"

/* Logons kept: a direct-mapped table by response, 0.3 MiB once the first
 * logon with a response is seen */
#define RELAY_SLOTS 4096
/* How far apart the two sightings may be: a relay forwards at once */
#define RELAY_WINDOW_S 60

/* The first sighting of a relayed logon: the victim's flow to the relay. */
struct relay_match {
	struct xh_flow_key first; /* its client (the victim) as saddr/sport */
	uint64_t first_ts_ns;
	uint8_t first_rule; /* XH_RULE_SMB_LOGON or XH_RULE_DCERPC_LOGON */
};

struct relays;

struct relays *relays__new(void);
void relays__free(struct relays *r);
/* Forget every logon (replay: each capture starts afresh). */
void relays_clear(struct relays *r);

/* The logon hit @e (smb.logon, dcerpc.logon; any other is ignored) at
 * @ts_ns: returns 1 and fills @m when its NT response was seen on another
 * flow within RELAY_WINDOW_S before (once per response), 0 when not, and
 * keeps @e's flow and time for the logons after it; -ENOMEM when the table
 * cannot be made. */
int relays_check(struct relays *r, const struct xh_event *e, uint64_t ts_ns, struct relay_match *m);
/* "relay":{"victim_ip","victim_port","relay_ip","relay_port",
 * "victim_community_id","victim_rule","seconds"} of @m, for an ntlm.relay
 * hit made at @ts_ns. */
void relay_json(const struct relay_match *m, uint64_t ts_ns, struct jbuf *b);

#endif /* XH_RELAY_H */
