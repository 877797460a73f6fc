// SPDX-License-Identifier: GPL-2.0
/* dcerpc.c: what a DCE/RPC hit says: the ATT&CK catalogue the table may
 * name, the "dcerpc" JSON object, the dcerpc counter names, and clearing
 * the kernel's DCE/RPC state. The tables are in dcerpc_table.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include "dcerpc_table.h"
#include "xdphunt.skel.h"
#include "enrich.h"
#include "fmt.h"
#include "smb_user.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ATT&CK techniques the table may name (v18 names and tactics). */
static const struct attack_ref attack_catalogue[] = {
	ATTACK_REF("T1003.002", "OS Credential Dumping: Security Account Manager",
		   "credential-access"),
	ATTACK_REF("T1003.006", "OS Credential Dumping: DCSync", "credential-access"),
	ATTACK_REF("T1012", "Query Registry", "discovery"),
	ATTACK_REF("T1016", "System Network Configuration Discovery", "discovery"),
	ATTACK_REF("T1018", "Remote System Discovery", "discovery"),
	ATTACK_REF("T1021", "Remote Services", "lateral-movement"),
	ATTACK_REF("T1021.002", "Remote Services: SMB/Windows Admin Shares", "lateral-movement"),
	ATTACK_REF("T1021.003", "Remote Services: Distributed Component Object Model",
		   "lateral-movement"),
	ATTACK_REF("T1033", "System Owner/User Discovery", "discovery"),
	ATTACK_REF("T1046", "Network Service Discovery", "discovery"),
	ATTACK_REF("T1047", "Windows Management Instrumentation", "execution"),
	ATTACK_REF("T1049", "System Network Connections Discovery", "discovery"),
	ATTACK_REF("T1053.002", "Scheduled Task/Job: At", "execution"),
	ATTACK_REF("T1053.005", "Scheduled Task/Job: Scheduled Task", "execution"),
	ATTACK_REF("T1069", "Permission Groups Discovery", "discovery"),
	ATTACK_REF("T1069.002", "Permission Groups Discovery: Domain Groups", "discovery"),
	ATTACK_REF("T1070.001", "Indicator Removal: Clear Windows Event Logs", "defense-evasion"),
	ATTACK_REF("T1082", "System Information Discovery", "discovery"),
	ATTACK_REF("T1087", "Account Discovery", "discovery"),
	ATTACK_REF("T1087.002", "Account Discovery: Domain Account", "discovery"),
	ATTACK_REF("T1098", "Account Manipulation", "persistence"),
	ATTACK_REF("T1098.007", "Account Manipulation: Additional Local or Domain Groups",
		   "persistence"),
	ATTACK_REF("T1112", "Modify Registry", "defense-evasion"),
	ATTACK_REF("T1124", "System Time Discovery", "discovery"),
	ATTACK_REF("T1135", "Network Share Discovery", "discovery"),
	ATTACK_REF("T1136", "Create Account", "persistence"),
	ATTACK_REF("T1187", "Forced Authentication", "credential-access"),
	ATTACK_REF("T1207", "Rogue Domain Controller", "defense-evasion"),
	ATTACK_REF("T1210", "Exploitation of Remote Services", "lateral-movement"),
	ATTACK_REF("T1482", "Domain Trust Discovery", "discovery"),
	ATTACK_REF("T1529", "System Shutdown/Reboot", "impact"),
	ATTACK_REF("T1543.003", "Create or Modify System Process: Windows Service", "persistence"),
	ATTACK_REF("T1547.010", "Boot or Logon Autostart Execution: Port Monitors", "persistence"),
	ATTACK_REF("T1547.012", "Boot or Logon Autostart Execution: Print Processors",
		   "persistence"),
	ATTACK_REF("T1557.001", "Adversary-in-the-Middle: LLMNR/NBT-NS Poisoning and SMB Relay",
		   "credential-access"),
	ATTACK_REF("T1569.002", "System Services: Service Execution", "execution"),
	ATTACK_REF("T1649", "Steal or Forge Authentication Certificates", "credential-access"),
};

const struct attack_ref *dcerpc_attack_lookup(const char *id)
{
	for (size_t i = 0; i < ARRAY_SIZE(attack_catalogue); i++)
		if (!strcmp(attack_catalogue[i].technique_id, id))
			return &attack_catalogue[i];
	return NULL;
}

static const char *const cnt_names[] = {
	[XH_RPC_CNT_PDU] = "pdu",
	[XH_RPC_CNT_BIND] = "bind",
	[XH_RPC_CNT_ALTER] = "alter_context",
	[XH_RPC_CNT_BIND_ACK] = "bind_ack",
	[XH_RPC_CNT_REQUEST] = "request",
	[XH_RPC_CNT_REQ_FRAG] = "request_later_frag",
	[XH_RPC_CNT_RESPONSE] = "response",
	[XH_RPC_CNT_OTHER_TYPE] = "other_type",
	[XH_RPC_CNT_CTX] = "context",
	[XH_RPC_CNT_CTX_LISTED] = "context_listed",
	[XH_RPC_CNT_CALL_LISTED] = "call_listed",
	[XH_RPC_CNT_CALL_NOCTX] = "call_unknown_context",
	[XH_RPC_CNT_EPM_LEARNED] = "epm_learned",
	[XH_RPC_CNT_EP_HIT] = "learned_endpoint_pdu",
	[XH_RPC_CNT_SMB_PDU] = "smb_pdu",
	[XH_RPC_CNT_E_TRUNC] = "err_trunc",
	[XH_RPC_CNT_E_VERSION] = "err_version",
	[XH_RPC_CNT_E_DREP] = "err_drep",
	[XH_RPC_CNT_E_TYPE] = "err_type",
	[XH_RPC_CNT_E_FRAG_LEN] = "err_frag_len",
	[XH_RPC_CNT_E_AUTH_LEN] = "err_auth_len",
	[XH_RPC_CNT_E_STRICT] = "err_strict",
	[XH_RPC_CNT_E_CTX_ZERO] = "err_ctx_zero",
	[XH_RPC_CNT_E_CTX_OVERRUN] = "err_ctx_overrun",
	[XH_RPC_CNT_CTX_CUT] = "ctx_cut",
	[XH_RPC_CNT_CTX_MANY] = "ctx_many",
	[XH_RPC_CNT_E_XFER_ZERO] = "err_xfer_zero",
	[XH_RPC_CNT_E_XFER_HUGE] = "err_xfer_huge",
	[XH_RPC_CNT_E_EPM] = "err_epm",
	[XH_RPC_CNT_E_SMB] = "err_smb",
	[XH_RPC_CNT_MAP_ERR] = "map_err",
	[XH_RPC_CNT_PIPE_NAMED] = "pipe_named",
	[XH_RPC_CNT_PIPE_UNNAMED] = "pipe_unnamed",
	[XH_RPC_CNT_DYN_PORT] = "dynamic_port_marked",
	[XH_RPC_CNT_DYN_CLEARED] = "dynamic_port_idle",
	[XH_RPC_CNT_EPM_FLOW] = "epm_flows",
	[XH_RPC_CNT_ZEROLOGON] = "zerologon",
	[XH_RPC_CNT_NTLM_AUTH] = "ntlm_auth",
};
_Static_assert(ARRAY_SIZE(cnt_names) == XH_RPC_CNT__MAX, "a dcerpc counter without a name");

const char *dcerpc_cnt_name(unsigned int cnt)
{
	return cnt < ARRAY_SIZE(cnt_names) ? cnt_names[cnt] : NULL;
}

const char *dcerpc_pipe_name(const struct xh_event *e, char *out, size_t cap)
{
	const char *p = out;

	/* Events from before the encoding was carried hold UTF-16LE. */
	if (!e->name_len || e->name_len > XH_EVENT_NAME_MAX ||
	    smb_name_to_utf8(e->name, e->name_len,
			     e->d.dcerpc.name_enc ? e->d.dcerpc.name_enc : XH_SMB_ENC_UTF16LE, out,
			     cap) < 0)
		return NULL;
	/* SMB1 opens "\svcctl", SMB2 "svcctl": the pipe is the name. */
	while (*p == '\\')
		p++;
	return *p ? p : NULL;
}

/* Bytes of the "dcerpc" object besides the names and the attack array:
 * keys, the UUID and numbers take under 200, Zerologon's keys 44 more. */
#define DCERPC_JSON_FIXED_MAX 320

/* The UUID of @le (bytes_le form: the first three fields little-endian) as
 * printed, "367abb81-9844-35f1-ad32-98f038001003". */
static char *put_uuid(char *p, const uint8_t le[16])
{
	const uint8_t be[16] = {le[3], le[2], le[1],  le[0],  le[5],  le[4],  le[7],  le[6],
				le[8], le[9], le[10], le[11], le[12], le[13], le[14], le[15]};

	p = fmt_hex_bytes(p, be, 4);
	*p++ = '-';
	p = fmt_hex_bytes(p, be + 4, 2);
	*p++ = '-';
	p = fmt_hex_bytes(p, be + 6, 2);
	*p++ = '-';
	p = fmt_hex_bytes(p, be + 8, 2);
	*p++ = '-';
	return fmt_hex_bytes(p, be + 10, 6);
}

/* The "pdu" of a dcerpc hit: what the event's PDU type was (a request
 * unless bind, alter_context or auth3). */
static const char *pdu_name(uint8_t ptype)
{
	return ptype == 11   ? "bind"
	       : ptype == 14 ? "alter_context"
	       : ptype == 16 ? "auth3"
			     : "request";
}

void dcerpc_logon_format(const struct xh_event *e, struct jbuf *b)
{
	jbuf_key_obj_begin(b, "dcerpc");
	jbuf_key_str(b, "transport", "tcp");
	jbuf_key_str(b, "pdu", pdu_name(e->d.dcerpc.ptype));
	jbuf_obj_end(b);
}

/* Keys and numbers as pre-encoded text, the UUID by hand, names escaped,
 * attack objects from their JSON text: through snprintf() and
 * jbuf_key_*() it was about 8,300 instructions of a hit (callgrind,
 * xh_bench format --rule dcerpc.call). */
void dcerpc_event_format(const struct dcerpc_table *t, const struct xh_event *e, struct jbuf *b)
{
	const struct xh_dcerpc_detail *d = &e->d.dcerpc;
	const struct dcerpc_iface *ifc = dcerpc_table_iface(t, d->if_index);
	const struct dcerpc_op *op = NULL;
	const struct attack_ref *const *tech;
	char pipe[XH_EVENT_NAME_MAX * 2 + 1], *q;
	const struct attack_ref *attack_zerologon = NULL;
	const char *p, *pdu;
	int n_tech, zerologon;

	if (e->rule == XH_RULE_DCERPC_CALL)
		op = dcerpc_table_op(t, d->op_index);
	tech = op ? op->tech : ifc ? ifc->tech : NULL;
	n_tech = op ? op->n_tech : ifc ? ifc->n_tech : 0;
	zerologon = e->rule == XH_RULE_DCERPC_CALL &&
		    (d->flags & (XH_DCERPC_F_ZERO_CRED | XH_DCERPC_F_AUTH_TRIES));
	if (zerologon) {
		/* Looked up for these hits only: a walk of the catalogue. */
		attack_zerologon = dcerpc_attack_lookup("T1210");
		enrich_attack_obj(b, "attack", attack_zerologon);
	} else if (n_tech)
		enrich_attack_obj(b, "attack", tech[0]);

	q = jbuf_tail(b, DCERPC_JSON_FIXED_MAX);
	if (!q)
		return;
	q = fmt_lit(q, ",\"dcerpc\":{\"interface\":{\"uuid\":\"");
	q = put_uuid(q, d->uuid);
	*q++ = '"';
	if (ifc) {
		q = fmt_lit(q, ",\"name\":");
		q = jbuf_str_at(b, q, ifc->name, strlen(ifc->name), DCERPC_JSON_FIXED_MAX);
		if (!q)
			return;
	}
	q = fmt_lit(q, ",\"version\":\"");
	q = fmt_u64(q, d->ver_major);
	*q++ = '.';
	q = fmt_u64(q, d->ver_minor);
	q = fmt_lit(q, "\"},\"transport\":");
	if (d->transport == XH_RPC_TR_TCP) {
		q = fmt_lit(q, "\"tcp\"");
	} else if ((p = dcerpc_pipe_name(e, pipe, sizeof(pipe)))) {
		q = jbuf_str_at(b, q, p, strlen(p), DCERPC_JSON_FIXED_MAX);
		if (!q)
			return;
	} else {
		q = fmt_lit(q, "\"smb\"");
	}
	pdu = pdu_name(d->ptype);
	q = fmt_lit(q, ",\"pdu\":\"");
	q = fmt_put(q, pdu, strlen(pdu));
	q = fmt_lit(q, "\",\"ctx_id\":");
	q = fmt_u64(q, d->ctx_id);
	if (e->rule == XH_RULE_DCERPC_CALL) {
		q = fmt_lit(q, ",\"opnum\":");
		q = fmt_u64(q, d->opnum);
		if (op) {
			q = fmt_lit(q, ",\"operation\":");
			q = jbuf_str_at(b, q, op->name, strlen(op->name), DCERPC_JSON_FIXED_MAX);
			if (!q)
				return;
		}
		q = fmt_lit(q, ",\"call_id\":");
		q = fmt_u64(q, d->call_id);
	}
	if (d->drep_be)
		q = fmt_lit(q, ",\"big_endian\":true");
	if (zerologon && (d->flags & XH_DCERPC_F_ZERO_CRED))
		q = fmt_lit(q, ",\"zero_credential\":true");
	if (zerologon && (d->flags & XH_DCERPC_F_AUTH_TRIES)) {
		q = fmt_lit(q, ",\"auth_tries\":");
		q = fmt_u64(q, XH_NRPC_AUTH_TRIES);
	}
	if (zerologon)
		q = fmt_lit(q, ",\"cve\":\"CVE-2020-1472\"");
	jbuf_set_tail(b, q);
	if (n_tech || zerologon) {
		jbuf_key_arr_begin(b, "attack");
		if (zerologon)
			enrich_attack_obj(b, NULL, attack_zerologon);
		for (int i = 0; i < n_tech; i++)
			if (!zerologon || tech[i] != attack_zerologon)
				enrich_attack_obj(b, NULL, tech[i]);
		jbuf_arr_end(b);
	}
	jbuf_obj_end(b);
}

static int map_clear(int fd, size_t key_size)
{
	uint8_t key[128];
	long n = 0;

	if (key_size > sizeof(key))
		return -EINVAL;
	/* Deleting while walking restarts from the first key each time. */
	while (bpf_map_get_next_key(fd, NULL, key) == 0) {
		if (bpf_map_delete_elem(fd, key) && errno != ENOENT)
			return -errno;
		if (++n > 100000000)
			return -EOVERFLOW; /* bound: no map here holds this many */
	}
	return 0;
}

/* Unmark the dynamic endpoints (XH_SVC_RPC_DYN in xh_ports, the program's
 * marks beside the loader's services) and forget when they were last used.
 * One batch read of the 64 KiB table, then a write per marked port. */
static int dyn_ports_clear(struct xdphunt *skel)
{
	int ports = bpf_map__fd(skel->maps.xh_ports), last = bpf_map__fd(skel->maps.xh_rpc_dyn);
	__u32 *keys = calloc(XH_PORTS_MAX, sizeof(*keys)), out = 0, count = XH_PORTS_MAX, zero = 0;
	__u8 *svc = calloc(XH_PORTS_MAX, sizeof(*svc)), none = XH_SVC_NONE;
	int err = -ENOMEM;

	if (!keys || !svc)
		goto out;
	err = bpf_map_lookup_batch(ports, NULL, &out, keys, svc, &count, NULL);
	if (err && errno != ENOENT) {
		err = -errno;
		goto out;
	}
	err = 0;
	for (__u32 i = 0; i < count && !err; i++) {
		if (svc[i] != XH_SVC_RPC_DYN)
			continue;
		if (bpf_map_update_elem(ports, &keys[i], &none, BPF_ANY) ||
		    bpf_map_update_elem(last, &keys[i], &zero, BPF_ANY))
			err = -errno;
	}
out:
	free(keys);
	free(svc);
	return err;
}

int dcerpc_clear_state(struct xdphunt *skel)
{
	int err;

	err = dyn_ports_clear(skel);
	if (!err)
		err = map_clear(bpf_map__fd(skel->maps.xh_rpc_ctx),
				bpf_map__key_size(skel->maps.xh_rpc_ctx));
	if (!err)
		err = map_clear(bpf_map__fd(skel->maps.xh_rpc_eps),
				bpf_map__key_size(skel->maps.xh_rpc_eps));
	if (!err)
		err = map_clear(bpf_map__fd(skel->maps.xh_seen),
				bpf_map__key_size(skel->maps.xh_seen));
	return err;
}
