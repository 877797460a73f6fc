// SPDX-License-Identifier: GPL-2.0
/* enrich.c: pure tables from kernel enums to what a hunter reads: rule names,
 * MITRE ATT&CK (v18 names), action and protocol names. */
#include <stddef.h>
#include <linux/types.h>
#include "xh_abi.h"
#include "enrich.h"
#include "jsonl.h"

static const char *const rule_names[XH_RULE__MAX] = {
	[XH_RULE_SMB_CONNECT] = "smb.connect",
	[XH_RULE_RPC_CONNECT] = "rpc.connect",
	[XH_RULE_IOC_DEST] = "ioc.dest",
	[XH_RULE_IOC_SRC] = "ioc.src",
	[XH_RULE_SMB_ADMIN_SHARE] = "smb.admin_share",
	[XH_RULE_SMB_IPC_SHARE] = "smb.ipc_share",
	[XH_RULE_SMB_NAMED_PIPE] = "smb.named_pipe",
	[XH_RULE_SMB_TOOL_TRANSFER] = "smb.tool_transfer",
	[XH_RULE_SMB_V1] = "smb.v1",
	[XH_RULE_SMB_ENCRYPTED] = "smb.encrypted",
	[XH_RULE_DCERPC_BIND] = "dcerpc.bind",
	[XH_RULE_DCERPC_CALL] = "dcerpc.call",
	[XH_RULE_IOC_DNS] = "ioc.dns",
	[XH_RULE_IOC_TLS_SNI] = "ioc.tls_sni",
	[XH_RULE_SCAN_SMB_SWEEP] = "scan.smb_sweep",
	[XH_RULE_SMB_ADMIN_READ] = "smb.admin_read",
	[XH_RULE_SMB_ADMIN_LISTING] = "smb.admin_listing",
	[XH_RULE_SMB_EXPLOIT] = "smb.exploit",
	[XH_RULE_SMB_BRUTE_FORCE] = "smb.brute_force",
	[XH_RULE_SMB_LOGON] = "smb.logon",
	[XH_RULE_DCERPC_LOGON] = "dcerpc.logon",
	[XH_RULE_RDP_CONNECT] = "rdp.connect",
	[XH_RULE_SSH_CONNECT] = "ssh.connect",
	[XH_RULE_SCAN_PORT_SCAN] = "scan.port_scan",
	[XH_RULE_SCAN_SERVICE_SWEEP] = "scan.service_sweep",
	[XH_RULE_KRB_BRUTE_FORCE] = "kerberos.brute_force",
	[XH_RULE_KRB_NO_PREAUTH] = "kerberos.no_preauth",
	[XH_RULE_KRB_WEAK_TICKET] = "kerberos.weak_ticket",
	[XH_RULE_KRB_WEAK_REQUEST] = "kerberos.weak_request",
	[XH_RULE_NTLM_RELAY] = "ntlm.relay",
};

/* Only what a finding proves. A connection to 445/139 or 135, an IPC$ tree
 * (every SMB client opens one), a pipe the pipe table does not list, or an
 * encrypted session is context, not a technique: mapping them to T1021 made
 * every file-share user a lateral-movement hit (make coverage counted them as
 * false hits on benign browsing). The techniques come from the deep rules:
 * an admin share, a tool transfer, the pipe table (user/smb.c) and the
 * DCE/RPC interface and operation table (user/dcerpc.c). Traffic to or from
 * a feed address is C2 over whatever protocol it used. */
static const struct attack_ref attack_admin_share =
	ATTACK_REF("T1021.002", "Remote Services: SMB/Windows Admin Shares", "lateral-movement");

static const struct attack_ref attack_c2 =
	ATTACK_REF("T1071", "Application Layer Protocol", "command-and-control");

static const struct attack_ref attack_c2_dns =
	ATTACK_REF("T1071.004", "Application Layer Protocol: DNS", "command-and-control");

static const struct attack_ref attack_c2_tls =
	ATTACK_REF("T1573", "Encrypted Channel", "command-and-control");

static const struct attack_ref attack_c2_raw =
	ATTACK_REF("T1095", "Non-Application Layer Protocol", "command-and-control");

/* SMB deep inspection (the SMB rules file may override these per rule, and
 * the pipe table per pipe; see user/smb.c). */
static const struct attack_ref attack_transfer =
	ATTACK_REF("T1570", "Lateral Tool Transfer", "lateral-movement");

/* Files read from, and directories listed on, a host's disks through its
 * admin shares: collection and discovery, where a file server's users
 * read and list their own shares. */
static const struct attack_ref attack_admin_read =
	ATTACK_REF("T1039", "Data from Network Shared Drive", "collection");

static const struct attack_ref attack_admin_listing =
	ATTACK_REF("T1083", "File and Directory Discovery", "discovery");

/* MS17-010 (EternalBlue) tooling: its check and DoublePulsar's channel.
 * WannaCry, which ATT&CK attributes to Lazarus, spread this way. */
static const struct attack_ref attack_smb_exploit =
	ATTACK_REF("T1210", "Exploitation of Remote Services", "lateral-movement");

/* One client whose SMB logons fail in bulk: password guessing or spraying,
 * as Lazarus's Brambul worm did over SMB. */
static const struct attack_ref attack_brute =
	ATTACK_REF("T1110", "Brute Force", "credential-access");
/* The same by the accounts its client named (enrich_brute_attack()). */
static const struct attack_ref attack_brute_guess =
	ATTACK_REF("T1110.001", "Brute Force: Password Guessing", "credential-access");
static const struct attack_ref attack_brute_spray =
	ATTACK_REF("T1110.003", "Brute Force: Password Spraying", "credential-access");

/* A TGT issued to a client that did not prove its key: its AS-REP can be
 * cracked offline (AS-REP roasting). */
static const struct attack_ref attack_asrep_roast = ATTACK_REF(
	"T1558.004", "Steal or Forge Kerberos Tickets: AS-REP Roasting", "credential-access");
/* A service ticket in RC4 or DES: encrypted with its account's password's
 * key, cracked offline (Kerberoasting); or a request that asks for one. */
static const struct attack_ref attack_kerberoast = ATTACK_REF(
	"T1558.003", "Steal or Forge Kerberos Tickets: Kerberoasting", "credential-access");

/* One NTLM logon answered on two flows: relayed by an adversary in the
 * middle (ntlmrelayx), which ATT&CK files with the name poisoning that
 * brings victims to it. */
static const struct attack_ref attack_relay =
	ATTACK_REF("T1557.001", "Adversary-in-the-Middle: LLMNR/NBT-NS Poisoning and SMB Relay",
		   "credential-access");

/* One source opening SMB to many hosts (a port-445 sweep), or many ports of
 * one host (a port scan). */
static const struct attack_ref attack_scan =
	ATTACK_REF("T1046", "Network Service Discovery", "discovery");

/* RDP or SSH on a port other than its own (3389, 22): what ATT&CK calls
 * Non-Standard Port, which Lazarus used for its C2 and proxies. On its own
 * port the connection is context, as smb.connect is. */
static const struct attack_ref attack_nonstd_port =
	ATTACK_REF("T1571", "Non-Standard Port", "command-and-control");

static const struct attack_ref *const rule_attack[XH_RULE__MAX] = {
	[XH_RULE_IOC_DEST] = &attack_c2,
	[XH_RULE_IOC_SRC] = &attack_c2,
	/* SMB deep inspection */
	[XH_RULE_SMB_ADMIN_SHARE] = &attack_admin_share,
	[XH_RULE_SMB_TOOL_TRANSFER] = &attack_transfer,
	[XH_RULE_IOC_DNS] = &attack_c2_dns,
	[XH_RULE_IOC_TLS_SNI] = &attack_c2_tls,
	[XH_RULE_SCAN_SMB_SWEEP] = &attack_scan,
	[XH_RULE_SCAN_PORT_SCAN] = &attack_scan,
	[XH_RULE_SCAN_SERVICE_SWEEP] = &attack_scan,
	[XH_RULE_SMB_ADMIN_READ] = &attack_admin_read,
	[XH_RULE_SMB_ADMIN_LISTING] = &attack_admin_listing,
	[XH_RULE_SMB_EXPLOIT] = &attack_smb_exploit,
	[XH_RULE_SMB_BRUTE_FORCE] = &attack_brute,
	[XH_RULE_KRB_BRUTE_FORCE] = &attack_brute,
	[XH_RULE_KRB_NO_PREAUTH] = &attack_asrep_roast,
	[XH_RULE_KRB_WEAK_TICKET] = &attack_kerberoast,
	[XH_RULE_KRB_WEAK_REQUEST] = &attack_kerberoast,
	[XH_RULE_NTLM_RELAY] = &attack_relay,
};

static const char *const action_names[XH_ACTION__MAX] = {
	[XH_ACTION_PASS] = "pass",
	[XH_ACTION_DROP] = "drop",
};

const char *enrich_rule_name(unsigned int rule)
{
	return rule < XH_RULE__MAX ? rule_names[rule] : NULL;
}

const struct attack_ref *enrich_rule_attack(unsigned int rule)
{
	return rule < XH_RULE__MAX ? rule_attack[rule] : NULL;
}

int enrich_c2_is_raw(unsigned int proto, unsigned int dport)
{
	if (proto == 6)
		return 0;
	if (proto == 17)
		return dport != 53 && dport != 443;
	return 1;
}

const struct attack_ref *enrich_event_attack(unsigned int rule, unsigned int proto,
					     unsigned int dport)
{
	if ((rule == XH_RULE_IOC_DEST || rule == XH_RULE_IOC_SRC) && enrich_c2_is_raw(proto, dport))
		return &attack_c2_raw;
	if ((rule == XH_RULE_RDP_CONNECT && dport != 3389) ||
	    (rule == XH_RULE_SSH_CONNECT && dport != 22))
		return &attack_nonstd_port;
	return enrich_rule_attack(rule);
}

const struct attack_ref *enrich_brute_attack(unsigned int failed, unsigned int accounts)
{
	if (accounts == 1)
		return &attack_brute_guess;
	if (accounts >= 2 && failed <= 2 * accounts)
		return &attack_brute_spray;
	return &attack_brute;
}

const char *enrich_action_name(unsigned int action)
{
	return action < XH_ACTION__MAX ? action_names[action] : NULL;
}

/* Spelled as Suricata's EVE "proto" (the IANA keyword, as in /etc/protocols). */
const char *enrich_proto_name(unsigned int proto)
{
	switch (proto) {
	case 1:
		return "ICMP";
	case 6:
		return "TCP";
	case 17:
		return "UDP";
	case 58:
		return "IPv6-ICMP";
	case 132:
		return "SCTP";
	default:
		return NULL;
	}
}

void enrich_attack_obj(struct jbuf *b, const char *key, const struct attack_ref *a)
{
	if (key)
		jbuf_key_obj_begin(b, key);
	else
		jbuf_obj_begin(b);
	if (a->json) {
		/* its members: the text between the braces */
		jbuf_raw(b, a->json + 1, a->json_len - 2);
	} else {
		jbuf_key_str(b, "technique_id", a->technique_id);
		jbuf_key_str(b, "technique", a->technique);
		jbuf_key_str(b, "tactic", a->tactic);
	}
	jbuf_obj_end(b);
}
