/* SPDX-License-Identifier: GPL-2.0 */
/* enrich.h: pure lookups from what the kernel reports to what a hunter reads. */
#ifndef XH_ENRICH_H
#define XH_ENRICH_H

struct attack_ref {
	const char *technique_id; /* "T1021.002" */
	const char *technique;	  /* "Remote Services: SMB/Windows Admin Shares" */
	const char *tactic;	  /* "lateral-movement" (ATT&CK tactic short name) */
};

/* "smb.connect", ... for enum xh_rule; NULL when @rule has no name. */
const char *enrich_rule_name(unsigned int rule);
/* ATT&CK technique of @rule, or NULL when the rule maps to none. */
const struct attack_ref *enrich_rule_attack(unsigned int rule);
/* "pass" for enum xh_action; NULL when unknown. */
const char *enrich_action_name(unsigned int action);
/* "TCP", "UDP", "ICMP", "IPv6-ICMP" or NULL for other IP protocols. */
const char *enrich_proto_name(unsigned int proto);

#endif
