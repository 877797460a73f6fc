/* SPDX-License-Identifier: GPL-2.0 */
/* accounts.h: the account an NTLM logon named on a flow (smb.logon,
 * dcerpc.logon), as the
 * "ntlmssp" object of that hit and of the flow's later hits. */
#ifndef XH_ACCOUNTS_H
#define XH_ACCOUNTS_H

#include <stdint.h>
#include <linux/types.h>
#include "xh_abi.h"
#include "jsonl.h"

/* Flows whose last account is kept: a direct-mapped table (a flow's slot
 * by its Community ID hash), 2.2 MiB once the first logon is seen. */
#define ACCOUNTS_SLOTS 8192

struct accounts;

struct accounts *accounts__new(void);
void accounts__free(struct accounts *a);
/* Forget every flow (replay: each capture starts with an empty flow table). */
void accounts_clear(struct accounts *a);

/* For the hit @e on the flow @key (Community ID hash @flow_id): an
 * smb.logon or dcerpc.logon hit's account is kept for the flow (the slot's
 * earlier flow is forgotten) and appended as "ntlmssp":{"domain","user","host"[,
 * "truncated":true]}; another hit of a flow with a kept account gets that
 * account appended. Returns -EILSEQ, appending nothing, for a logon hit
 * whose names are not text; -ENOMEM when the table cannot be made (the hit
 * then goes without). */
int accounts_hit_json(struct accounts *a, const struct xh_event *e, const struct xh_flow_key *key,
		      uint64_t flow_id, struct jbuf *b);

#endif /* XH_ACCOUNTS_H */
