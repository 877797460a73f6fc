// SPDX-License-Identifier: GPL-2.0
/* accounts.c: see accounts.h. A hunter's next question about an admin-share
 * hit, a service created or a burst of failed logons is which account did
 * it; NTLM names it in the clear (Kerberos does not). The kernel reports the
 * logon (smb.logon, dcerpc.logon) once per flow and account; the later hits
 * of that flow are joined to it here, as Zeek joins ntlm.log and smb logs
 * by uid. SMB can carry
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

/* The accounts one client named lately (its last ACCOUNTS_PER_CLIENT logon
 * hits), for smb.brute_force: guessing or spraying. */
struct client_accounts {
	__be32 addr[4];
	uint8_t family; /* 0: empty slot */
	uint32_t next;
	struct {
		uint32_t hash; /* of the names, as the kernel's finding value */
		uint64_t ts_ns;
	} e[ACCOUNTS_PER_CLIENT];
};

struct accounts {
	struct account *slot;		 /* ACCOUNTS_SLOTS, made on the first logon */
	struct client_accounts *clients; /* ACCOUNTS_CLIENTS, made with them */
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
	free(a->clients);
	free(a);
}

void accounts_clear(struct accounts *a)
{
	if (a && a->slot)
		memset(a->slot, 0, ACCOUNTS_SLOTS * sizeof(*a->slot));
	if (a && a->clients)
		memset(a->clients, 0, ACCOUNTS_CLIENTS * sizeof(*a->clients));
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

/* The slot of client @addr (@family) in a->clients. */
static struct client_accounts *client_slot(const struct accounts *a, const __be32 addr[4],
					   uint8_t family)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 4; i++) {
		h ^= (uint32_t)addr[i];
		h *= 16777619u;
	}
	return &a->clients[(h ^ family) % ACCOUNTS_CLIENTS];
}

/* FNV-1a of an account's names and lengths. */
static uint32_t account_hash(const struct account *acc)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < sizeof(acc->name); i++) {
		h ^= acc->name[i];
		h *= 16777619u;
	}
	for (int i = 0; i < 3; i++) {
		h ^= acc->len[i];
		h *= 16777619u;
	}
	return h;
}

/* Remember that the client of logon hit @e named @acc at @ts_ns. */
static void client_add(struct accounts *a, const struct xh_event *e, const struct account *acc,
		       uint64_t ts_ns)
{
	struct client_accounts *c = client_slot(a, e->saddr, e->family);

	if (c->family != e->family || memcmp(c->addr, e->saddr, sizeof(c->addr))) {
		memset(c, 0, sizeof(*c));
		memcpy(c->addr, e->saddr, sizeof(c->addr));
		c->family = e->family;
	}
	c->e[c->next % ACCOUNTS_PER_CLIENT].hash = account_hash(acc);
	c->e[c->next % ACCOUNTS_PER_CLIENT].ts_ns = ts_ns;
	c->next++;
}

unsigned int accounts_tried(const struct accounts *a, const struct xh_event *e, uint64_t ts_ns,
			    uint32_t window_s)
{
	const struct client_accounts *c;
	uint32_t seen[ACCOUNTS_PER_CLIENT];
	uint64_t window_ns = (uint64_t)window_s * 1000000000ULL;
	unsigned int n = 0, k;

	if (!a || !a->clients)
		return 0;
	c = client_slot(a, e->saddr, e->family);
	if (c->family != e->family || memcmp(c->addr, e->saddr, sizeof(c->addr)))
		return 0;
	for (uint32_t i = 0; i < ACCOUNTS_PER_CLIENT && i < c->next; i++) {
		/* within the window as the kernel's: less than window_s ago */
		if (c->e[i].ts_ns > ts_ns || ts_ns - c->e[i].ts_ns >= window_ns)
			continue;
		for (k = 0; k < n && seen[k] != c->e[i].hash; k++)
			;
		if (k == n)
			seen[n++] = c->e[i].hash;
	}
	return n;
}

int accounts_hit_json(struct accounts *a, const struct xh_event *e, const struct xh_flow_key *key,
		      uint64_t flow_id, uint64_t ts_ns, struct jbuf *b)
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
		a->clients = calloc(ACCOUNTS_CLIENTS, sizeof(*a->clients));
		if (!a->slot || !a->clients) {
			free(a->slot);
			free(a->clients);
			a->slot = NULL;
			a->clients = NULL;
			return -ENOMEM;
		}
	}
	a->slot[flow_id % ACCOUNTS_SLOTS] = acc;
	client_add(a, e, &acc, ts_ns);
	return 0;
}
