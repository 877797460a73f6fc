// SPDX-License-Identifier: GPL-2.0
/* accounts.c: see accounts.h. A hunter's next question about an admin-share
 * hit, a service created or a burst of failed logons is which account did
 * it; NTLM names it in the clear (Kerberos does not). The kernel reports the
 * logon (smb.logon, dcerpc.logon) once per flow and account; the later hits of that flow are joined
 * to it here, as Zeek joins ntlm.log and smb logs by uid. SMB can carry
 * several sessions on one connection: the flow's last logon is the one
 * given. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "accounts.h"
#include "smb_user.h"

struct account {
	struct xh_flow_key key; /* family 0: empty slot */
	uint8_t name[XH_SMB_NTLM_SLOT_END];
	uint8_t len[3];
	uint8_t enc;
	uint8_t cut;
};

struct accounts {
	struct account *slot; /* ACCOUNTS_SLOTS, made on the first logon */
};

struct accounts *accounts__new(void)
{
	return calloc(1, sizeof(struct accounts));
}

void accounts__free(struct accounts *a)
{
	if (!a)
		return;
	free(a->slot);
	free(a);
}

void accounts_clear(struct accounts *a)
{
	if (a && a->slot)
		memset(a->slot, 0, ACCOUNTS_SLOTS * sizeof(*a->slot));
}

static const unsigned int slot_off[3] = {XH_SMB_NTLM_DOMAIN_SLOT, XH_SMB_NTLM_USER_SLOT,
					 XH_SMB_NTLM_HOST_SLOT};
static const unsigned int slot_end[3] = {XH_SMB_NTLM_USER_SLOT, XH_SMB_NTLM_HOST_SLOT,
					 XH_SMB_NTLM_SLOT_END};

/* @acc as "ntlmssp":{...}; -EILSEQ (nothing written) when a name is not text. */
static int account_json(const struct account *acc, struct jbuf *b)
{
	static const char *const keys[3] = {"domain", "user", "host"};
	char text[3][4 * 128];
	int n[3];

	for (int i = 0; i < 3; i++) {
		n[i] = 0;
		if (acc->len[i])
			n[i] = smb_name_to_utf8(acc->name + slot_off[i], acc->len[i], acc->enc,
						text[i], sizeof(text[i]));
		if (n[i] < 0)
			return -EILSEQ;
	}
	jbuf_key_obj_begin(b, "ntlmssp");
	for (int i = 0; i < 3; i++)
		jbuf_key_strn(b, keys[i], text[i], (size_t)n[i]);
	if (acc->cut)
		jbuf_key_bool(b, "truncated", 1);
	jbuf_obj_end(b);
	return 0;
}

int accounts_hit_json(struct accounts *a, const struct xh_event *e, const struct xh_flow_key *key,
		      uint64_t flow_id, struct jbuf *b)
{
	struct account acc = {.key = *key}, *s;
	const struct xh_smb_detail *d = &e->d.smb;
	uint8_t len[3];
	int err;

	if (e->rule != XH_RULE_SMB_LOGON && e->rule != XH_RULE_DCERPC_LOGON) {
		s = a && a->slot ? &a->slot[flow_id % ACCOUNTS_SLOTS] : NULL;
		if (s && s->key.family && !memcmp(&s->key, key, sizeof(*key)))
			return account_json(s, b);
		return 0;
	}
	if (e->rule == XH_RULE_SMB_LOGON && e->detail_kind == XH_DETAIL_SMB) {
		memcpy(len, d->ntlm_len, sizeof(len));
		acc.enc = d->name_enc;
		acc.cut = !!(d->flags & XH_SMB_F_NTLM_CUT);
	} else if (e->rule == XH_RULE_DCERPC_LOGON && e->detail_kind == XH_DETAIL_DCERPC) {
		memcpy(len, e->d.dcerpc.ntlm_len, sizeof(len));
		acc.enc = e->d.dcerpc.name_enc;
		acc.cut = !!(e->d.dcerpc.flags & XH_DCERPC_F_NTLM_CUT);
	} else {
		return -EILSEQ;
	}
	for (int i = 0; i < 3; i++) {
		if (slot_off[i] + len[i] > slot_end[i] || slot_off[i] + len[i] > e->name_len)
			return -EILSEQ;
		acc.len[i] = len[i];
		memcpy(acc.name + slot_off[i], e->name + slot_off[i], len[i]);
	}
	err = account_json(&acc, b);
	if (err || !a)
		return err;
	if (!a->slot) {
		a->slot = calloc(ACCOUNTS_SLOTS, sizeof(*a->slot));
		if (!a->slot)
			return -ENOMEM;
	}
	a->slot[flow_id % ACCOUNTS_SLOTS] = acc;
	return 0;
}
