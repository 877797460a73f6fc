/* SPDX-License-Identifier: GPL-2.0 */
/* dcerpc_table.h: the DCE/RPC interface and operation tables (data/dcerpc.tsv,
 * built in, extendable with --dcerpc-table), their loading into the kernel
 * maps, the "dcerpc" JSON object of dcerpc.* hits and the dcerpc counters. */
#ifndef XH_DCERPC_TABLE_H
#define XH_DCERPC_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "xh_abi.h"
#include "jsonl.h"

#define DCERPC_MAX_TECH 4

struct attack_ref;

struct dcerpc_iface {
	uint8_t uuid_le[16]; /* the xh_rpc_ifs key */
	char uuid[37];	     /* as printed, lower case */
	int ver_major;	     /* -1: not given ("-") */
	int ver_minor;
	char *name;
	const struct attack_ref *tech[DCERPC_MAX_TECH]; /* of a bind */
	int n_tech;
	uint16_t flags; /* XH_RPC_IF_F_* */
};

struct dcerpc_op {
	uint16_t if_index;
	uint16_t opnum;
	char *name;
	const struct attack_ref *tech[DCERPC_MAX_TECH]; /* of a call */
	int n_tech;
};

struct dcerpc_table {
	struct dcerpc_iface *ifs;
	size_t n_ifs, cap_ifs;
	struct dcerpc_op *ops;
	size_t n_ops, cap_ops;
};

/* An empty table; NULL and errno on failure. */
struct dcerpc_table *dcerpc_table__new(void);
/* Accepts NULL. */
void dcerpc_table__free(struct dcerpc_table *t);

/* Parse table text (format in data/dcerpc.tsv and README.md) named @what in
 * messages. All or nothing: a bad line is reported as "what:line: why" and
 * leaves @t unchanged. Returns the number of lines applied or -EINVAL/-ENOMEM. */
int dcerpc_table_load_text(struct dcerpc_table *t, const char *text, const char *what);
/* The same from a file. -errno when it cannot be read. */
int dcerpc_table_load_file(struct dcerpc_table *t, const char *path);
/* The built-in table (data/dcerpc.tsv as compiled in). */
int dcerpc_table_load_builtin(struct dcerpc_table *t);

/* Fill xh_rpc_ifs / xh_rpc_ops. The endpoint mapper is always put in (as
 * XH_RPC_IF_F_NOHIT when the table lacks it), so ept_map answers are
 * learned. Returns 0 or -errno. */
int dcerpc_table_to_maps(const struct dcerpc_table *t, int ifs_fd, int ops_fd);

const struct dcerpc_iface *dcerpc_table_iface(const struct dcerpc_table *t, unsigned int index);
const struct dcerpc_op *dcerpc_table_op(const struct dcerpc_table *t, unsigned int index);
/* Index of the interface with this name or UUID text, or -1. */
int dcerpc_table_find(const struct dcerpc_table *t, const char *name_or_uuid);

/* An ATT&CK technique this build knows ("T1047"), or NULL. */
const struct attack_ref *dcerpc_attack_lookup(const char *id);

/* Add the "dcerpc" object (and the hit's "attack", from the operation or
 * interface) of a dcerpc.* event to the open JSON object @b. @t may be
 * NULL (indices are then printed without names). */
/* The pipe name of a dcerpc event over SMB as UTF-8 in @out (@cap bytes),
 * leading backslashes left out: a pointer into @out, or NULL when the event
 * has none (the open was not seen) or it is not valid text. */
const char *dcerpc_pipe_name(const struct xh_event *e, char *out, size_t cap);
void dcerpc_event_format(const struct dcerpc_table *t, const struct xh_event *e, struct jbuf *b);
/* "dcerpc":{"transport":"tcp","pdu":"auth3"} of a dcerpc.logon event: the
 * PDU that carried the AUTHENTICATE (its account: user/accounts.c). */
void dcerpc_logon_format(const struct xh_event *e, struct jbuf *b);

struct xdphunt;
/* Empty the per-flow DCE/RPC state (contexts, learned endpoints, dynamic
 * endpoint marks) and the reported findings (xh_seen), between replayed
 * captures. 0 or -errno. */
int dcerpc_clear_state(struct xdphunt *skel);

/* Stable names of enum xh_rpc_cnt (`xdphunt stats`: "dcerpc_" + name). */
const char *dcerpc_cnt_name(unsigned int cnt);

#endif
