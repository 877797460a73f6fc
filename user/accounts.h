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
/* Clients whose last ACCOUNTS_PER_CLIENT logon hits are kept (direct-mapped
 * by address), for smb.brute_force's guessing or spraying: 0.4 MiB. */
#define ACCOUNTS_CLIENTS    1024
#define ACCOUNTS_PER_CLIENT 32

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
		      uint64_t flow_id, uint64_t ts_ns, struct jbuf *b);
/* The distinct accounts the client (source) of hit @e named in logon hits
 * of the @window_s seconds up to @ts_ns, counting its last
 * ACCOUNTS_PER_CLIENT logon hits (so at most that many). */
unsigned int accounts_tried(const struct accounts *a, const struct xh_event *e, uint64_t ts_ns,
			    uint32_t window_s);

#endif /* XH_ACCOUNTS_H */
