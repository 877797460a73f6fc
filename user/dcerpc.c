// SPDX-License-Identifier: GPL-2.0
/* dcerpc.c: the DCE/RPC interface and operation tables (text format, file:line
 * errors, all or nothing), loading them into xh_rpc_ifs / xh_rpc_ops, the
 * "dcerpc" JSON object, and the names of the dcerpc counters. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "dcerpc_table.h"
#include "xdphunt.skel.h"
#include "enrich.h"
#include "fmt.h"
#include "log.h"
#include "smb_user.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* data/dcerpc.tsv, compiled in (the Makefile makes this object depend on
 * it), so that the binary alone has the default table. */
__asm__(".section .rodata\n"
	".global dcerpc_builtin_text\n"
	"dcerpc_builtin_text:\n"
	".incbin \"data/dcerpc.tsv\"\n"
	".byte 0\n"
	".previous\n");
extern const char dcerpc_builtin_text[];

#define EPMAPPER_UUID "e1af8308-5d1f-11c9-91a4-08002b14a0fa"

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
	ATTACK_REF("T1112", "Modify Registry", "defense-evasion"),
	ATTACK_REF("T1124", "System Time Discovery", "discovery"),
	ATTACK_REF("T1135", "Network Share Discovery", "discovery"),
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
};
_Static_assert(ARRAY_SIZE(cnt_names) == XH_RPC_CNT__MAX, "a dcerpc counter without a name");

const char *dcerpc_cnt_name(unsigned int cnt)
{
	return cnt < ARRAY_SIZE(cnt_names) ? cnt_names[cnt] : NULL;
}

struct dcerpc_table *dcerpc_table__new(void)
{
	return calloc(1, sizeof(struct dcerpc_table));
}

static void table_clear(struct dcerpc_table *t)
{
	for (size_t i = 0; i < t->n_ifs; i++)
		free(t->ifs[i].name);
	for (size_t i = 0; i < t->n_ops; i++)
		free(t->ops[i].name);
	free(t->ifs);
	free(t->ops);
	memset(t, 0, sizeof(*t));
}

void dcerpc_table__free(struct dcerpc_table *t)
{
	if (!t)
		return;
	table_clear(t);
	free(t);
}

/* "367abb81-9844-35f1-ad32-98f038001003" -> bytes_le and canonical text. */
static int uuid_parse(const char *s, uint8_t le[16], char text[37])
{
	static const int dash[] = {8, 13, 18, 23};
	uint8_t b[16];
	int k = 0;

	if (strlen(s) != 36)
		return -1;
	for (int i = 0, d = 0; i < 36; i++) {
		if (d < 4 && i == dash[d]) {
			if (s[i] != '-')
				return -1;
			d++;
			continue;
		}
		if (!isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1]))
			return -1;
		sscanf(s + i, "%2hhx", &b[k++]);
		i++;
	}
	/* little-endian drep: the u32, u16, u16 fields are byte-swapped */
	le[0] = b[3];
	le[1] = b[2];
	le[2] = b[1];
	le[3] = b[0];
	le[4] = b[5];
	le[5] = b[4];
	le[6] = b[7];
	le[7] = b[6];
	memcpy(le + 8, b + 8, 8);
	for (int i = 0; i < 36; i++)
		text[i] = (char)tolower((unsigned char)s[i]);
	text[36] = '\0';
	return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

static int parse_techs(const char *s, const struct attack_ref **tech, int *n, char *why, size_t wl)
{
	char buf[256], *tok, *save = NULL;

	*n = 0;
	if (!strcmp(s, "-"))
		return 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct attack_ref *a = dcerpc_attack_lookup(tok);

		if (!a) {
			snprintf(why, wl, "unknown ATT&CK technique '%s'", tok);
			return -1;
		}
		if (*n >= DCERPC_MAX_TECH) {
			snprintf(why, wl, "more than %d techniques", DCERPC_MAX_TECH);
			return -1;
		}
		tech[(*n)++] = a;
	}
	if (!*n) {
		snprintf(why, wl, "empty technique list");
		return -1;
	}
	return 0;
}

static int name_ok(const char *s)
{
	if (!*s || strlen(s) > 63)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
			return 0;
	return 1;
}

int dcerpc_table_find(const struct dcerpc_table *t, const char *name_or_uuid)
{
	for (size_t i = 0; i < t->n_ifs; i++)
		if (!strcmp(t->ifs[i].name, name_or_uuid) ||
		    !strcasecmp(t->ifs[i].uuid, name_or_uuid))
			return (int)i;
	return -1;
}

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 64;
	p = realloc(*arr, nc * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = nc;
	return 0;
}

/* Apply one line to @t. Returns 0, 1 (blank/comment), -EINVAL (@why set) or
 * -ENOMEM. */
static int apply_line(struct dcerpc_table *t, char *line, char *why, size_t wl)
{
	char *f[6], *save = NULL, *p;
	int nf = 0;

	p = strchr(line, '#');
	if (p)
		*p = '\0';
	for (p = strtok_r(line, " \t\r\n", &save); p && nf < 6;
	     p = strtok_r(NULL, " \t\r\n", &save))
		f[nf++] = p;
	if (!nf)
		return 1;
	if (!strcmp(f[0], "iface")) {
		struct dcerpc_iface ni = {0};
		unsigned long maj, min;
		int idx;

		if (nf < 5) {
			snprintf(why, wl, "iface needs UUID VERSION NAME TECHNIQUES");
			return -EINVAL;
		}
		if (uuid_parse(f[1], ni.uuid_le, ni.uuid)) {
			snprintf(why, wl, "invalid UUID '%s'", f[1]);
			return -EINVAL;
		}
		if (!strcmp(f[2], "-")) {
			ni.ver_major = ni.ver_minor = -1;
		} else {
			char *dot = strchr(f[2], '.');

			if (!dot) {
				snprintf(why, wl, "invalid version '%s' (MAJOR.MINOR or -)", f[2]);
				return -EINVAL;
			}
			*dot = '\0';
			if (parse_uint(f[2], 65535, &maj) || parse_uint(dot + 1, 65535, &min)) {
				*dot = '.';
				snprintf(why, wl, "invalid version '%s' (MAJOR.MINOR or -)", f[2]);
				return -EINVAL;
			}
			ni.ver_major = (int)maj;
			ni.ver_minor = (int)min;
		}
		if (!name_ok(f[3])) {
			snprintf(why, wl, "invalid name '%s' (1-63 of A-Z a-z 0-9 _ . -)", f[3]);
			return -EINVAL;
		}
		if (parse_techs(f[4], ni.tech, &ni.n_tech, why, wl))
			return -EINVAL;
		ni.name = strdup(f[3]);
		if (!ni.name)
			return -ENOMEM;
		if (!strcmp(ni.uuid, EPMAPPER_UUID))
			ni.flags |= XH_RPC_IF_F_EPM;
		for (idx = 0; idx < (int)t->n_ifs; idx++)
			if (!memcmp(t->ifs[idx].uuid_le, ni.uuid_le, 16))
				break;
		if (idx < (int)t->n_ifs) { /* a later line replaces */
			free(t->ifs[idx].name);
			t->ifs[idx] = ni;
			return 0;
		}
		if (t->n_ifs >= XH_RPC_IFS_MAX - 1) {
			free(ni.name);
			snprintf(why, wl, "more than %d interfaces", XH_RPC_IFS_MAX - 1);
			return -EINVAL;
		}
		if (grow((void **)&t->ifs, &t->cap_ifs, t->n_ifs, sizeof(ni))) {
			free(ni.name);
			return -ENOMEM;
		}
		t->ifs[t->n_ifs++] = ni;
		return 0;
	}
	if (!strcmp(f[0], "op")) {
		struct dcerpc_op no = {0};
		unsigned long opnum;
		int idx = nf >= 2 ? dcerpc_table_find(t, f[1]) : -1;

		if (nf < 5) {
			snprintf(why, wl, "op needs INTERFACE OPNUM NAME TECHNIQUES");
			return -EINVAL;
		}
		if (idx < 0) {
			snprintf(why, wl, "unknown interface '%s' (define it on an earlier line)",
				 f[1]);
			return -EINVAL;
		}
		if (parse_uint(f[2], 65535, &opnum)) {
			snprintf(why, wl, "invalid opnum '%s' (0-65535)", f[2]);
			return -EINVAL;
		}
		if (!name_ok(f[3])) {
			snprintf(why, wl, "invalid name '%s' (1-63 of A-Z a-z 0-9 _ . -)", f[3]);
			return -EINVAL;
		}
		if (parse_techs(f[4], no.tech, &no.n_tech, why, wl))
			return -EINVAL;
		no.if_index = (uint16_t)idx;
		no.opnum = (uint16_t)opnum;
		no.name = strdup(f[3]);
		if (!no.name)
			return -ENOMEM;
		for (size_t i = 0; i < t->n_ops; i++) {
			if (t->ops[i].if_index == no.if_index && t->ops[i].opnum == no.opnum) {
				free(t->ops[i].name);
				t->ops[i] = no;
				return 0;
			}
		}
		if (t->n_ops >= XH_RPC_OPS_MAX) {
			free(no.name);
			snprintf(why, wl, "more than %d operations", XH_RPC_OPS_MAX);
			return -EINVAL;
		}
		if (grow((void **)&t->ops, &t->cap_ops, t->n_ops, sizeof(no))) {
			free(no.name);
			return -ENOMEM;
		}
		t->ops[t->n_ops++] = no;
		return 0;
	}
	snprintf(why, wl, "unknown record '%s' (expected iface or op)", f[0]);
	return -EINVAL;
}

/* Deep copy, so that a failed load leaves the table as it was. */
static int table_copy(struct dcerpc_table *dst, const struct dcerpc_table *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src->n_ifs) {
		dst->ifs = calloc(src->n_ifs, sizeof(*dst->ifs));
		if (!dst->ifs)
			goto nomem;
		dst->cap_ifs = src->n_ifs;
	}
	for (size_t i = 0; i < src->n_ifs; i++) {
		dst->ifs[i] = src->ifs[i];
		dst->ifs[i].name = strdup(src->ifs[i].name);
		dst->n_ifs = i + 1;
		if (!dst->ifs[i].name)
			goto nomem;
	}
	if (src->n_ops) {
		dst->ops = calloc(src->n_ops, sizeof(*dst->ops));
		if (!dst->ops)
			goto nomem;
		dst->cap_ops = src->n_ops;
	}
	for (size_t i = 0; i < src->n_ops; i++) {
		dst->ops[i] = src->ops[i];
		dst->ops[i].name = strdup(src->ops[i].name);
		dst->n_ops = i + 1;
		if (!dst->ops[i].name)
			goto nomem;
	}
	return 0;
nomem:
	table_clear(dst);
	return -ENOMEM;
}

int dcerpc_table_load_text(struct dcerpc_table *t, const char *text, const char *what)
{
	struct dcerpc_table work;
	const char *p = text;
	unsigned int lineno = 0;
	char line[1024], why[160];
	int n = 0, err;

	err = table_copy(&work, t);
	if (err)
		return err;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		lineno++;
		if (len >= sizeof(line)) {
			pr_warn("dcerpc: %s:%u: line longer than %zu bytes\n", what, lineno,
				sizeof(line) - 1);
			table_clear(&work);
			return -EINVAL;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		why[0] = '\0';
		err = apply_line(&work, line, why, sizeof(why));
		if (err < 0) {
			if (err == -EINVAL)
				pr_warn("dcerpc: %s:%u: %s\n", what, lineno, why);
			table_clear(&work);
			return err;
		}
		if (err == 0)
			n++;
		p += len + (nl ? 1 : 0);
	}
	table_clear(t);
	*t = work;
	return n;
}

int dcerpc_table_load_file(struct dcerpc_table *t, const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;
	int err;

	if (!f) {
		err = -errno;
		pr_warn("dcerpc: cannot open %s: %s\n", path, strerror(errno));
		return err;
	}
	if (getdelim(&text, &len, '\0', f) < 0 && ferror(f)) {
		err = -errno;
		pr_warn("dcerpc: cannot read %s: %s\n", path, strerror(errno));
		fclose(f);
		free(text);
		return err;
	}
	fclose(f);
	if (text && memchr(text, '\0', strlen(text) + 1) != text + strlen(text)) {
		free(text);
		return -EINVAL;
	}
	err = dcerpc_table_load_text(t, text ? text : "", path);
	free(text);
	return err;
}

int dcerpc_table_load_builtin(struct dcerpc_table *t)
{
	return dcerpc_table_load_text(t, dcerpc_builtin_text, "built-in data/dcerpc.tsv");
}

int dcerpc_table_to_maps(const struct dcerpc_table *t, int ifs_fd, int ops_fd)
{
	uint8_t epm[16];
	char text[37];
	int have_epm = 0;

	for (size_t i = 0; i < t->n_ifs; i++) {
		const struct dcerpc_iface *ifc = &t->ifs[i];
		struct xh_rpc_if_val v = {
			.index = (__u16)i,
			.ver_major = (__u16)(ifc->ver_major < 0 ? 0 : ifc->ver_major),
			.ver_minor = (__u16)(ifc->ver_minor < 0 ? 0 : ifc->ver_minor),
			.flags = ifc->flags,
		};

		have_epm |= !!(ifc->flags & XH_RPC_IF_F_EPM);
		if (bpf_map_update_elem(ifs_fd, ifc->uuid_le, &v, BPF_ANY))
			return -errno;
	}
	if (!have_epm) {
		/* tracked for ept_map answers only: index past the table */
		struct xh_rpc_if_val v = {.index = (__u16)t->n_ifs,
					  .ver_major = 3,
					  .flags = XH_RPC_IF_F_EPM | XH_RPC_IF_F_NOHIT};

		uuid_parse(EPMAPPER_UUID, epm, text);
		if (bpf_map_update_elem(ifs_fd, epm, &v, BPF_ANY))
			return -errno;
	}
	for (size_t i = 0; i < t->n_ops; i++) {
		struct xh_rpc_op_key k = {.if_index = t->ops[i].if_index, .opnum = t->ops[i].opnum};
		__u32 v = (__u32)i;

		if (bpf_map_update_elem(ops_fd, &k, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

const struct dcerpc_iface *dcerpc_table_iface(const struct dcerpc_table *t, unsigned int index)
{
	return t && index < t->n_ifs ? &t->ifs[index] : NULL;
}

const struct dcerpc_op *dcerpc_table_op(const struct dcerpc_table *t, unsigned int index)
{
	return t && index < t->n_ops ? &t->ops[index] : NULL;
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
 * keys, the UUID and numbers take under 200. */
#define DCERPC_JSON_FIXED_MAX 256

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
	const char *p, *pdu;
	int n_tech;

	if (e->rule == XH_RULE_DCERPC_CALL)
		op = dcerpc_table_op(t, d->op_index);
	tech = op ? op->tech : ifc ? ifc->tech : NULL;
	n_tech = op ? op->n_tech : ifc ? ifc->n_tech : 0;
	if (n_tech)
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
	pdu = d->ptype == 11 ? "bind" : d->ptype == 14 ? "alter_context" : "request";
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
	jbuf_set_tail(b, q);
	if (n_tech) {
		jbuf_key_arr_begin(b, "attack");
		for (int i = 0; i < n_tech; i++)
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

int dcerpc_clear_state(struct xdphunt *skel)
{
	int err;

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
