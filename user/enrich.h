/* SPDX-License-Identifier: GPL-2.0 */
/* enrich.h: pure lookups from what the kernel reports to what a hunter reads. */
#ifndef XH_ENRICH_H
#define XH_ENRICH_H

#include <stddef.h>
#include "community_id.h"

struct jbuf;

struct attack_ref {
	const char *technique_id; /* "T1021.002" */
	const char *technique;	  /* "Remote Services: SMB/Windows Admin Shares" */
	const char *tactic;	  /* "lateral-movement" (ATT&CK tactic short name) */
	/* The three as the JSON object hits carry, {"technique_id":...}, made
	 * once with the reference (ATTACK_REF(), or the SMB rules when read),
	 * so that a hit copies it; NULL: rendered per hit. */
	const char *json;
	size_t json_len;
};

/* The JSON text of a constant reference, built when compiling: the three
 * literals must need no escaping (no '"', '\\' or control character;
 * test_enrich.c renders every one through jbuf and compares). */
#define ATTACK_JSON(id, name, tactic)                                                              \
	"{\"technique_id\":\"" id "\",\"technique\":\"" name "\",\"tactic\":\"" tactic "\"}"
#define ATTACK_REF(id, name, tac)                                                                  \
	{                                                                                          \
		.technique_id = id, .technique = name, .tactic = tac,                              \
		.json = ATTACK_JSON(id, name, tac),                                                \
		.json_len = sizeof(ATTACK_JSON(id, name, tac)) - 1,                                \
	}

/* Append "@key":{"technique_id":...,"technique":...,"tactic":...} to @b, or
 * the object alone (an array element) when @key is NULL: a->json when
 * there is one, else rendered and escaped. */
void enrich_attack_obj(struct jbuf *b, const char *key, const struct attack_ref *a);

/* "smb.connect", ... for enum xh_rule; NULL when @rule has no name. */
const char *enrich_rule_name(unsigned int rule);
/* ATT&CK technique of @rule, or NULL when the rule maps to none. */
const struct attack_ref *enrich_rule_attack(unsigned int rule);
/* Is C2 traffic of @proto to server port @dport (host order) outside any
 * application protocol xdphunt can name? UDP off DNS's 53 and QUIC's 443,
 * ICMP and IP protocols without ports: ATT&CK's T1095 (Non-Application
 * Layer Protocol). TCP is not: C2 over TCP is mostly HTTP(S), on any port,
 * and stays T1071. */
int enrich_c2_is_raw(unsigned int proto, unsigned int dport);
/* The technique of an smb.brute_force hit of @failed failed logons whose
 * client named @accounts distinct accounts in the window (user/accounts.c):
 * one account is T1110.001 Password Guessing; two or more, each tried about
 * twice at most (failed <= 2 x accounts), T1110.003 Password Spraying;
 * otherwise (none known, or several each tried many times) T1110. */
const struct attack_ref *enrich_brute_attack(unsigned int failed, unsigned int accounts);
/* The technique of a hit: enrich_rule_attack(@rule), except an address
 * hit (ioc.dest, ioc.src) over a raw protocol (enrich_c2_is_raw()), T1095,
 * and rdp.connect or ssh.connect to a server port other than 3389 or 22,
 * T1571 Non-Standard Port. */
const struct attack_ref *enrich_event_attack(unsigned int rule, unsigned int proto,
					     unsigned int dport);
/* "pass" for enum xh_action; NULL when unknown. */
const char *enrich_action_name(unsigned int action);
/* "TCP", "UDP", "SCTP", "ICMP", "IPv6-ICMP" or NULL for other IP protocols. */
const char *enrich_proto_name(unsigned int proto);

/* ICMP or ICMPv6: type and code stand in the port fields. */
static inline int enrich_proto_is_icmp(unsigned int proto)
{
	return proto == 1 || proto == 58;
}

/* Does the destination port field of an ICMP (@proto 1) or ICMPv6 (58)
 * message of @type hold its code? Not for a request/reply pair, where the
 * datapath puts the other type of the pair there (bpf/parse.h), so the code
 * is given for one-way messages only. */
static inline int enrich_icmp_has_code(unsigned int proto, unsigned int type)
{
	unsigned int peer;

	return !community_id_icmp_peer(proto == 58, type, &peer);
}

/* TCP, UDP and SCTP have ports; hits and flow records give them for these
 * alone. */
static inline int enrich_proto_has_ports(unsigned int proto)
{
	return proto == 6 || proto == 17 || proto == 132;
}

#endif
