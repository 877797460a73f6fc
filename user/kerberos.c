// SPDX-License-Identifier: GPL-2.0
/* kerberos.c: the AS-REP of a kerberos.no_preauth hit, read in userspace
 * from the bytes the kernel carries: a DER walk to its crealm and cname,
 * which the kernel leaves alone (each step of a walk costs verifier
 * instructions; here it is a few hundred cycles a hit). */
#include <errno.h>
#include <linux/types.h>
#include "kerberos.h"
#include "jsonl.h"
#include "xh_abi.h"

/* A DER reader over [p, end); @cut: its element goes on past end. */
struct der {
	const uint8_t *p, *end;
	int cut;
};

/* Enter the element at d->p if its tag is @tag: *@in is its content (cut
 * at d->end, in->cut then set) and d->p moves past the element. -EBADMSG on another tag or a
 * bad length; -ENODATA when the header itself runs past d->end. */
static int der_take(struct der *d, uint8_t tag, struct der *in)
{
	const uint8_t *p = d->p;
	size_t len, k;

	if (d->end - p < 2)
		return -ENODATA;
	if (p[0] != tag)
		return -EBADMSG;
	len = p[1];
	p += 2;
	if (len & 0x80) {
		k = len & 0x7f;
		if (k < 1 || k > 3)
			return -EBADMSG;
		if ((size_t)(d->end - p) < k)
			return -ENODATA;
		for (len = 0; k; k--)
			len = len << 8 | *p++;
	}
	in->p = p;
	in->cut = (size_t)(d->end - p) < len;
	in->end = in->cut ? d->end : p + len;
	d->p = in->end;
	return 0;
}

/* The content of the GeneralString (KerberosString) at d->p; *@cut when it
 * goes on past the bytes read. */
static int der_string(struct der *d, const uint8_t **s, size_t *n, int *cut)
{
	struct der in;
	int err = der_take(d, 0x1b, &in);

	if (err)
		return err;
	*s = in.p;
	*n = (size_t)(in.end - in.p);
	*cut |= in.cut;
	return 0;
}

int krb_as_rep_parse(const uint8_t *b, size_t n, struct krb_as_rep *r)
{
	struct der d = {b, b + n, 0}, rep, seq, f, name, strs;
	int err;

	*r = (struct krb_as_rep){0};
	/* [APPLICATION 11] SEQUENCE { [0] pvno, [1] msg-type, [2] padata
	 * OPTIONAL, [3] crealm, [4] cname, [5] ticket, [6] enc-part } */
	if ((err = der_take(&d, 0x6b, &rep)) || (err = der_take(&rep, 0x30, &seq)) ||
	    (err = der_take(&seq, 0xa0, &f)) || (err = der_take(&seq, 0xa1, &f)))
		return err;
	if (seq.end - seq.p >= 1 && seq.p[0] == 0xa2 && (err = der_take(&seq, 0xa2, &f)))
		return err;
	if ((err = der_take(&seq, 0xa3, &f)) ||
	    (err = der_string(&f, &r->realm, &r->realm_len, &r->cut)))
		return err;
	/* PrincipalName SEQUENCE { [0] name-type, [1] name-string SEQUENCE
	 * OF KerberosString } */
	if ((err = der_take(&seq, 0xa4, &f)) || (err = der_take(&f, 0x30, &name)) ||
	    (err = der_take(&name, 0xa0, &f)) || (err = der_take(&name, 0xa1, &f)) ||
	    (err = der_take(&f, 0x30, &strs)))
		return err;
	return der_string(&strs, &r->account, &r->account_len, &r->cut);
}

int kerberos_format_json(const struct xh_event *e, struct jbuf *b)
{
	size_t n = e->name_len < XH_EVENT_NAME_MAX ? e->name_len : XH_EVENT_NAME_MAX;
	struct krb_as_rep r;
	int err;

	if (e->detail_kind != XH_DETAIL_KRB)
		return 0;
	err = krb_as_rep_parse(e->name, n, &r);
	/* Suricata's EVE "krb5" names these cname and realm; the rule's
	 * object keeps xdphunt's "account" as the ntlmssp one does. */
	jbuf_key_obj_begin(b, "kerberos");
	jbuf_key_str(b, "msg_type", "AS-REP");
	if (r.realm)
		jbuf_key_strn(b, "realm", (const char *)r.realm, r.realm_len);
	if (r.account)
		jbuf_key_strn(b, "account", (const char *)r.account, r.account_len);
	if (err == -ENODATA || r.cut)
		jbuf_key_bool(b, "truncated", 1);
	else if (err)
		jbuf_key_bool(b, "malformed", 1);
	jbuf_obj_end(b);
	return err;
}
