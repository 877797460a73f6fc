// SPDX-License-Identifier: GPL-2.0
/* smb.c: the "smb" object of a hit: UTF-16LE names to UTF-8, command and
 * dialect names, share kinds, counter names. The rules are in smb_rules.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "smb_user.h"
#include "smb.h" /* bpf/smb.h: command numbers */
#include "fmt.h"

static void put_utf8(char **o, char *end, uint32_t c, int *err)
{
	int n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
	char *p = *o;

	if (end - p < n + 1) {
		*err = -ENOSPC;
		return;
	}
	if (n == 1) {
		*p++ = (char)c;
	} else if (n == 2) {
		*p++ = (char)(0xc0 | c >> 6);
		*p++ = (char)(0x80 | (c & 0x3f));
	} else if (n == 3) {
		*p++ = (char)(0xe0 | c >> 12);
		*p++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*p++ = (char)(0x80 | (c & 0x3f));
	} else {
		*p++ = (char)(0xf0 | c >> 18);
		*p++ = (char)(0x80 | ((c >> 12) & 0x3f));
		*p++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*p++ = (char)(0x80 | (c & 0x3f));
	}
	*o = p;
}

int smb_name_to_utf8(const uint8_t *raw, size_t len, int enc, char *out, size_t outsz)
{
	char *o = out, *end = out + outsz;
	int err = 0;

	if (!outsz)
		return -ENOSPC;
	if (enc == XH_SMB_ENC_ASCII) {
		/* OEM code page bytes: the code page is the client's, not
		 * sent, so a byte from 0x80 is U+FFFD, as Wireshark shows it. */
		for (size_t i = 0; i < len && !err; i++) {
			if (raw[i] < 0x20 || raw[i] == 0x7f)
				return -EILSEQ;
			put_utf8(&o, end, raw[i] < 0x80 ? raw[i] : 0xfffd, &err);
		}
	} else if (enc == XH_SMB_ENC_UTF16LE) {
		if (len & 1)
			return -EILSEQ;
		for (size_t i = 0; i < len && !err; i += 2) {
			uint32_t c = raw[i] | (uint32_t)raw[i + 1] << 8;

			/* Printable ASCII, most of every name: one byte out
			 * (with room for the NUL) without put_utf8(). */
			if (c - 0x20 < 0x5f && end - o > 1) {
				*o++ = (char)c;
				continue;
			}

			if (c >= 0xdc00 && c <= 0xdfff)
				return -EILSEQ;
			if (c >= 0xd800 && c <= 0xdbff) {
				uint32_t lo;

				if (i + 3 >= len)
					return -EILSEQ;
				lo = raw[i + 2] | (uint32_t)raw[i + 3] << 8;
				if (lo < 0xdc00 || lo > 0xdfff)
					return -EILSEQ;
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			}
			if (c < 0x20 || c == 0x7f)
				return -EILSEQ;
			put_utf8(&o, end, c, &err);
		}
	} else {
		return -EILSEQ;
	}
	if (err)
		return err;
	*o = '\0';
	return (int)(o - out);
}

static const char *const smb2_cmds[] = {
	"NEGOTIATE",	 "SESSION_SETUP", "LOGOFF",   "TREE_CONNECT", "TREE_DISCONNECT",
	"CREATE",	 "CLOSE",	  "FLUSH",    "READ",	      "WRITE",
	"LOCK",		 "IOCTL",	  "CANCEL",   "ECHO",	      "QUERY_DIRECTORY",
	"CHANGE_NOTIFY", "QUERY_INFO",	  "SET_INFO", "OPLOCK_BREAK",
};

const char *smb_command_name(unsigned int version, unsigned int cmd)
{
	if (version == 2)
		return cmd < sizeof(smb2_cmds) / sizeof(smb2_cmds[0]) ? smb2_cmds[cmd] : NULL;
	if (version != 1)
		return NULL;
	switch (cmd) {
	case XH_SMB1_LOCKING_ANDX:
		return "LOCKING_ANDX";
	case XH_SMB1_OPEN_ANDX:
		return "OPEN_ANDX";
	case XH_SMB1_READ_ANDX:
		return "READ_ANDX";
	case XH_SMB1_WRITE_ANDX:
		return "WRITE_ANDX";
	case 0x72:
		return "NEGOTIATE";
	case XH_SMB1_SESSION_SETUP_ANDX:
		return "SESSION_SETUP_ANDX";
	case XH_SMB1_LOGOFF_ANDX:
		return "LOGOFF_ANDX";
	case XH_SMB1_TREE_CONNECT_ANDX:
		return "TREE_CONNECT_ANDX";
	case XH_SMB1_NT_CREATE_ANDX:
		return "NT_CREATE_ANDX";
	case XH_SMB1_CLOSE:
		return "CLOSE";
	case 0x25:
		return "TRANSACTION";
	case 0x32:
		return "TRANSACTION2";
	case 0x71:
		return "TREE_DISCONNECT";
	default:
		return NULL;
	}
}

const char *smb_dialect_name(unsigned int dialect)
{
	switch (dialect) {
	case 0x0202:
		return "2.0.2";
	case 0x0210:
		return "2.1";
	case 0x02ff:
		return "2.???"; /* multi-protocol negotiate: SMB2 wildcard */
	case 0x0300:
		return "3.0";
	case 0x0302:
		return "3.0.2";
	case 0x0311:
		return "3.1.1";
	default:
		return NULL;
	}
}

static const char *share_kind_name(unsigned int k)
{
	switch (k) {
	case XH_SMB_SHARE_ADMIN:
		return "admin";
	case XH_SMB_SHARE_IPC:
		return "ipc";
	case XH_SMB_SHARE_DISK:
		return "disk";
	default:
		return NULL;
	}
}

/* Bytes of the "smb" object besides the name: keys, command and dialect
 * names and numbers take under 200. */
#define SMB_JSON_FIXED_MAX 256
/* 2^53: the integers every JSON reader keeps exactly. */
#define SMB_JSON_SAFE_INT (1ULL << 53)

/* Written as pre-encoded text (keys, the constant command, dialect and share
 * kind names, numbers by fmt_*()), the name escaped: through jbuf_key_*()
 * and snprintf() it was about 2,000 instructions of a hit (callgrind,
 * xh_bench format --rule smb.named_pipe). */
int smb_format_json(const struct smb_rules *r, const struct xh_event *e, struct jbuf *b)
{
	const struct xh_smb_detail *d = &e->d.smb;
	const struct attack_ref *extra = smb_attack_extra(r, e), *att;
	char name[4 * XH_EVENT_NAME_MAX], *p;
	const char *cmd = NULL, *key = NULL, *sk;
	int n = -EILSEQ, ret = 0;

	switch (e->rule) {
	case XH_RULE_SMB_ADMIN_SHARE:
	case XH_RULE_SMB_IPC_SHARE:
		key = "share";
		break;
	case XH_RULE_SMB_NAMED_PIPE:
		key = "pipe";
		break;
	case XH_RULE_SMB_TOOL_TRANSFER:
	case XH_RULE_SMB_ADMIN_READ:
		key = "filename";
		break;
	case XH_RULE_SMB_ADMIN_LISTING:
		key = "directory";
		break;
	default:
		break;
	}
	/* A read or listing whose open was not seen has no name to give. */
	if (d->flags & XH_SMB_F_NO_NAME)
		key = NULL;
	if (key && e->name_len <= XH_EVENT_NAME_MAX)
		n = smb_name_to_utf8(e->name, e->name_len, d->name_enc, name, sizeof(name));
	if (key && n < 0)
		ret = -EILSEQ;

	p = jbuf_tail(b, SMB_JSON_FIXED_MAX);
	if (!p)
		return ret;
	/* SMB 3.x speaks the SMB2 header: the negotiated dialect tells. */
	p = fmt_lit(p, ",\"smb\":{\"version\":\"");
	p = fmt_u64(p, d->version == 2 && d->dialect >= 0x0300 && d->dialect < 0x0400 ? 3
										      : d->version);
	*p++ = '"';
	if (d->dialect) {
		const char *dn = smb_dialect_name(d->dialect);

		p = fmt_lit(p, ",\"dialect\":\"");
		if (dn) {
			p = fmt_put(p, dn, strlen(dn));
		} else {
			p = fmt_lit(p, "0x");
			p = fmt_hex_fixed(p, d->dialect, 4);
		}
		*p++ = '"';
	}
	if (d->version != 3) {
		/* Always text, so that the key keeps one JSON type: a command
		 * without a name is its number in hex, as wide as the
		 * header's field (SMB1 "0x04", SMB2 "0x0013"). */
		cmd = smb_command_name(d->version, d->command);
		p = fmt_lit(p, ",\"command\":\"");
		if (cmd) {
			p = fmt_put(p, cmd, strlen(cmd));
		} else {
			p = fmt_lit(p, "0x");
			p = fmt_hex_fixed(p, d->command, d->version == 1 ? 2 : 4);
		}
		*p++ = '"';
	}
	if (key && n >= 0) {
		p = fmt_lit(p, ",\"");
		p = fmt_put(p, key, strlen(key));
		p = fmt_lit(p, "\":");
		jbuf_set_tail(b, p);
		jbuf_str_n(b, name, (size_t)n);
		p = jbuf_tail(b, SMB_JSON_FIXED_MAX);
		if (!p)
			return ret;
	}
	sk = share_kind_name(d->share_kind);
	if (sk && (e->rule == XH_RULE_SMB_NAMED_PIPE || e->rule == XH_RULE_SMB_TOOL_TRANSFER ||
		   e->rule == XH_RULE_SMB_ADMIN_READ || e->rule == XH_RULE_SMB_ADMIN_LISTING)) {
		p = fmt_lit(p, ",\"share_type\":\"");
		p = fmt_put(p, sk, strlen(sk));
		*p++ = '"';
	}
	if (e->rule == XH_RULE_SMB_TOOL_TRANSFER && !(d->flags & XH_SMB_F_NO_NAME)) {
		p = fmt_lit(p, ",\"access\":\"0x");
		p = fmt_hex_fixed(p, d->access, 8);
		*p++ = '"';
	}
	if (e->rule == XH_RULE_SMB_EXPLOIT) {
		static const char *const kinds[] = {
			[XH_SMB_EXPLOIT_MS17_010_CHECK] = "ms17_010_check",
			[XH_SMB_EXPLOIT_DOUBLEPULSAR] = "doublepulsar",
			[XH_SMB_EXPLOIT_MS17_010_VULNERABLE] = "ms17_010_vulnerable",
			[XH_SMB_EXPLOIT_DOUBLEPULSAR_IMPLANT] = "doublepulsar_implant",
			[XH_SMB_EXPLOIT_ETERNALBLUE] = "eternalblue",
		};
		const char *x = d->exploit < sizeof(kinds) / sizeof(kinds[0]) && kinds[d->exploit]
					? kinds[d->exploit]
					: "unknown";

		p = fmt_lit(p, ",\"exploit\":\"");
		p = fmt_put(p, x, strlen(x));
		*p++ = '"';
	}
	/* Found by its bytes, not its name: Zeek's files.log type for a PE. */
	if (e->rule == XH_RULE_SMB_TOOL_TRANSFER && (d->flags & XH_SMB_F_EXE_CONTENT))
		p = fmt_lit(p, ",\"mime_type\":\"application/x-dosexec\"");
	if ((d->flags & XH_SMB_F_TREE_KNOWN) && d->tree_id && d->version != 3 &&
	    e->rule != XH_RULE_SMB_ADMIN_SHARE && e->rule != XH_RULE_SMB_IPC_SHARE) {
		p = fmt_lit(p, ",\"tree_id\":");
		p = fmt_u64(p, d->tree_id);
	}
	/* 64-bit ids: a JSON number above 2^53 loses digits in JavaScript and
	 * jq, and one above 2^63 is rejected by jansson and by Elasticsearch's
	 * long, which would drop the whole hit. Session ids are random 64-bit
	 * values: hex text, as Wireshark shows smb2.sesid. A MessageId counts
	 * up from 0 per connection and never gets near 2^53 unless crafted;
	 * then it is left out (found by selftests/fuzz). */
	if ((d->flags & XH_SMB_F_SESSION_KNOWN) && d->session_id) {
		p = fmt_lit(p, ",\"session_id\":\"0x");
		p = fmt_hex_fixed(p, d->session_id, d->version == 1 ? 4 : 16);
		*p++ = '"';
	}
	if (d->version != 3 && d->message_id < SMB_JSON_SAFE_INT) {
		p = fmt_lit(p, ",\"message_id\":");
		p = fmt_u64(p, d->message_id);
	}
	jbuf_set_tail(b, p);
	/* An executable hidden in an NTFS stream, or a PE image under another
	 * name: every technique of the hit, as the dcerpc object lists them,
	 * the rule's first (the hit's "attack"), then T1564.004 or T1036.008.
	 * Other hits have the rule's alone, in the hit's "attack". */
	if (extra) {
		att = smb_attack(r, e, enrich_rule_attack(e->rule));
		jbuf_key_arr_begin(b, "attack");
		if (att && att != extra)
			enrich_attack_obj(b, NULL, att);
		enrich_attack_obj(b, NULL, extra);
		jbuf_arr_end(b);
	}
	jbuf_obj_end(b);
	return ret;
}

static const char *const smb_cnt_names[] = {
	[XH_SMB_CNT_SEGMENTS] = "segments",
	[XH_SMB_CNT_NB_SESSION_REQ] = "nb_session_req",
	[XH_SMB_CNT_NB_OTHER] = "nb_other",
	[XH_SMB_CNT_NO_MSG_START] = "no_msg_start",
	[XH_SMB_CNT_NB_NO_REQUEST] = "nb_no_request",
	[XH_SMB_CNT_NB_BAD_LEN] = "nb_bad_len",
	[XH_SMB_CNT_NB_MULTI] = "nb_multi",
	[XH_SMB_CNT_NB_LIMIT] = "nb_limit",
	[XH_SMB_CNT_SMB1] = "smb1",
	[XH_SMB_CNT_SMB2] = "smb2",
	[XH_SMB_CNT_TRANSFORM] = "transform",
	[XH_SMB_CNT_COMPRESSED] = "compressed",
	[XH_SMB_CNT_HDR_TRUNC] = "hdr_trunc",
	[XH_SMB_CNT_HDR_BAD] = "hdr_bad",
	[XH_SMB_CNT_CHAIN_BAD] = "chain_bad",
	[XH_SMB_CNT_CHAIN_LIMIT] = "chain_limit",
	[XH_SMB_CNT_NAME_OOB] = "name_oob",
	[XH_SMB_CNT_NAME_CUT] = "name_cut",
	[XH_SMB_CNT_NAME_ODD] = "name_odd",
	[XH_SMB_CNT_NAME_EMPTY] = "name_empty",
	[XH_SMB_CNT_NAME_LONG] = "name_long",
	[XH_SMB_CNT_NAME_BAD] = "name_bad",
	[XH_SMB_CNT_TC_EXTENSION] = "tc_extension",
	[XH_SMB_CNT_TREE_CONNECT] = "tree_connect",
	[XH_SMB_CNT_TREE_TRACKED] = "tree_tracked",
	[XH_SMB_CNT_TREE_EVICTED] = "tree_evicted",
	[XH_SMB_CNT_CREATE] = "create",
	[XH_SMB_CNT_CREATE_UNKNOWN_TREE] = "create_unknown_tree",
	[XH_SMB_CNT_WRITE_ADMIN] = "write_admin",
	[XH_SMB_CNT_STATE_ERR] = "state_err",
	[XH_SMB_CNT_LOAD_ERR] = "load_err",
	[XH_SMB_CNT_FILE_PENDING] = "file_pending",
	[XH_SMB_CNT_FILE_TRACKED] = "file_tracked",
	[XH_SMB_CNT_FILE_FAILED] = "file_failed",
	[XH_SMB_CNT_WRITE_TRACKED] = "write_tracked",
	[XH_SMB_CNT_WRONG_SIDE] = "wrong_side",
	[XH_SMB_CNT_READ_ADMIN] = "read_admin",
	[XH_SMB_CNT_QUERY_DIR_ADMIN] = "query_dir_admin",
	[XH_SMB_CNT_CLOSE_TRACKED] = "close_tracked",
	[XH_SMB_CNT_WRITE_PE] = "write_pe",
	[XH_SMB_CNT_EXPLOIT] = "exploit",
	[XH_SMB_CNT_LOGON_FAILED] = "logon_failed",
	[XH_SMB_CNT_NTLM_AUTH] = "ntlm_auth",
	[XH_SMB_CNT_LEGACY_LOGON] = "legacy_logon",
};
_Static_assert(sizeof(smb_cnt_names) / sizeof(smb_cnt_names[0]) == XH_SMB_CNT__MAX,
	       "an SMB counter without a name");

const char *smb_counter_name(unsigned int cnt)
{
	return cnt < XH_SMB_CNT__MAX ? smb_cnt_names[cnt] : NULL;
}
