// SPDX-License-Identifier: GPL-2.0
/* kerberos.c: the AS-REP of a kerberos.no_preauth hit, the TGS-REP of a
 * kerberos.weak_ticket one and the TGS-REQ of a kerberos.weak_request one,
 * read in userspace from the bytes the kernel carries: a DER walk to their
 * crealm, cname, service and (TGS-REQ) etype list, which the kernel leaves
 * alone (each step of a walk costs verifier
 * instructions; here it is a few hundred cycles a hit). */
#include <errno.h>
#include <string.h>
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

/* A non-negative DER INTEGER of at most 4 bytes at d->p into *@v. */
static int der_uint(struct der *d, int *v)
{
	struct der in;
	int err = der_take(d, 0x02, &in);

	if (err)
		return err;
	if (in.cut)
		return -ENODATA;
	if (in.end - in.p < 1 || in.end - in.p > 4 || (in.p[0] & 0x80))
		return -EBADMSG;
	for (*v = 0; in.p < in.end; in.p++)
		*v = *v << 8 | *in.p;
	return 0;
}

/* A DER INTEGER of 1 to 4 bytes, two's complement (an Int32), at d->p
 * into *@v. */
static int der_int32(struct der *d, int *v)
{
	struct der in;
	uint32_t u;
	size_t len;
	int err = der_take(d, 0x02, &in);

	if (err)
		return err;
	if (in.cut)
		return -ENODATA;
	len = (size_t)(in.end - in.p);
	if (len < 1 || len > 4)
		return -EBADMSG;
	u = (in.p[0] & 0x80) ? UINT32_MAX : 0;
	for (; in.p < in.end; in.p++)
		u = u << 8 | *in.p;
	*v = (int)u;
	return 0;
}

/* A reply's [3] crealm and [4] cname PrincipalName SEQUENCE { [0]
 * name-type, [1] name-string SEQUENCE OF KerberosString } at @seq. */
static int rep_client(struct der *seq, struct krb_rep *r)
{
	struct der f, name, strs;
	int err;

	if ((err = der_take(seq, 0xa3, &f)) ||
	    (err = der_string(&f, &r->realm, &r->realm_len, &r->cut)))
		return err;
	if ((err = der_take(seq, 0xa4, &f)) || (err = der_take(&f, 0x30, &name)) ||
	    (err = der_take(&name, 0xa0, &f)) || (err = der_take(&name, 0xa1, &f)) ||
	    (err = der_take(&f, 0x30, &strs)))
		return err;
	return der_string(&strs, &r->account, &r->account_len, &r->cut);
}

static void rep_init(struct krb_rep *r)
{
	*r = (struct krb_rep){0};
	r->etype = -1;
}

int krb_as_rep_parse(const uint8_t *b, size_t n, struct krb_rep *r)
{
	struct der d = {b, b + n, 0}, rep, seq, f;
	int err;

	rep_init(r);
	/* [APPLICATION 11] SEQUENCE { [0] pvno, [1] msg-type, [2] padata
	 * OPTIONAL, [3] crealm, [4] cname, [5] ticket, [6] enc-part } */
	if ((err = der_take(&d, 0x6b, &rep)) || (err = der_take(&rep, 0x30, &seq)) ||
	    (err = der_take(&seq, 0xa0, &f)) || (err = der_take(&seq, 0xa1, &f)))
		return err;
	if (seq.end - seq.p >= 1 && seq.p[0] == 0xa2 && (err = der_take(&seq, 0xa2, &f)))
		return err;
	return rep_client(&seq, r);
}

/* The components of the PrincipalName at @f into r->service, joined by
 * '/' (r->cut when one goes on past the bytes read or the buffer). */
static int rep_service(struct der *f, struct krb_rep *r)
{
	struct der name, g, strs;
	const uint8_t *s;
	size_t len;
	int err;

	if ((err = der_take(f, 0x30, &name)) || (err = der_take(&name, 0xa0, &g)) ||
	    (err = der_take(&name, 0xa1, &g)) || (err = der_take(&g, 0x30, &strs)))
		return err;
	while (strs.p < strs.end) {
		int cut = 0;

		if ((err = der_string(&strs, &s, &len, &cut)))
			return err;
		if (r->service_len && r->service_len < sizeof(r->service))
			r->service[r->service_len++] = '/';
		if (len > sizeof(r->service) - r->service_len) {
			len = sizeof(r->service) - r->service_len;
			cut = 1;
		}
		memcpy(r->service + r->service_len, s, len);
		r->service_len += len;
		r->cut |= cut;
		if (cut)
			return -ENODATA;
	}
	return strs.cut ? -ENODATA : 0;
}

int krb_tgs_rep_parse(const uint8_t *b, size_t n, struct krb_rep *r)
{
	struct der d = {b, b + n, 0}, f, tkt, seq, g, enc;
	int err;

	rep_init(r);
	/* From [3] crealm: [4] cname, [5] ticket [APPLICATION 1] SEQUENCE {
	 * [0] tkt-vno, [1] realm, [2] sname, [3] enc-part SEQUENCE { [0]
	 * etype, ... } } */
	if ((err = rep_client(&d, r)) || (err = der_take(&d, 0xa5, &f)) ||
	    (err = der_take(&f, 0x61, &tkt)) || (err = der_take(&tkt, 0x30, &seq)) ||
	    (err = der_take(&seq, 0xa0, &g)) || (err = der_take(&seq, 0xa1, &g)) ||
	    (err = der_take(&seq, 0xa2, &g)) || (err = rep_service(&g, r)) ||
	    (err = der_take(&seq, 0xa3, &g)) || (err = der_take(&g, 0x30, &enc)) ||
	    (err = der_take(&enc, 0xa0, &g)))
		return err;
	return der_uint(&g, &r->etype);
}

int krb_tgs_req_parse(const uint8_t *b, size_t n, struct krb_rep *r)
{
	struct der d = {b, b + n, 0}, body, seq, f, list;
	int err;

	rep_init(r);
	/* [4] req-body SEQUENCE { [0] kdc-options, [1] cname OPTIONAL, [2]
	 * realm, [3] sname OPTIONAL, [4] from OPTIONAL, [5] till, [6] rtime
	 * OPTIONAL, [7] nonce, [8] etype SEQUENCE OF Int32, ... } */
	if ((err = der_take(&d, 0xa4, &body)) || (err = der_take(&body, 0x30, &seq)) ||
	    (err = der_take(&seq, 0xa0, &f)))
		return err;
	if (seq.end - seq.p >= 1 && seq.p[0] == 0xa1) {
		struct der name, g, strs;

		if ((err = der_take(&seq, 0xa1, &f)) || (err = der_take(&f, 0x30, &name)) ||
		    (err = der_take(&name, 0xa0, &g)) || (err = der_take(&name, 0xa1, &g)) ||
		    (err = der_take(&g, 0x30, &strs)) ||
		    (err = der_string(&strs, &r->account, &r->account_len, &r->cut)))
			return err;
	}
	if ((err = der_take(&seq, 0xa2, &f)) ||
	    (err = der_string(&f, &r->realm, &r->realm_len, &r->cut)))
		return err;
	if (seq.end - seq.p >= 1 && seq.p[0] == 0xa3 &&
	    ((err = der_take(&seq, 0xa3, &f)) || (err = rep_service(&f, r))))
		return err;
	/* [4] from to [7] nonce, as they come */
	while (seq.end - seq.p >= 1 && seq.p[0] >= 0xa4 && seq.p[0] <= 0xa7)
		if ((err = der_take(&seq, seq.p[0], &f)))
			return err;
	if ((err = der_take(&seq, 0xa8, &f)) || (err = der_take(&f, 0x30, &list)))
		return err;
	while (list.p < list.end) {
		int v;

		if ((err = der_int32(&list, &v)))
			return err;
		if (r->n_etypes == KRB_ETYPES_MAX) {
			r->cut = 1;
			break;
		}
		r->etypes[r->n_etypes++] = v;
	}
	return list.cut ? -ENODATA : 0;
}

const char *krb_etype_name(int etype)
{
	switch (etype) {
	case 1:
		return "des-cbc-crc";
	case 2:
		return "des-cbc-md4";
	case 3:
		return "des-cbc-md5";
	case 16:
		return "des3-cbc-sha1";
	case 17:
		return "aes128-cts-hmac-sha1-96";
	case 18:
		return "aes256-cts-hmac-sha1-96";
	case 19:
		return "aes128-cts-hmac-sha256-128";
	case 20:
		return "aes256-cts-hmac-sha384-192";
	case 23:
		return "rc4-hmac";
	case 24:
		return "rc4-hmac-exp";
	default:
		return NULL;
	}
}

/* Whether the @n bytes at @s are text a KerberosString may hold (IA5, as
 * RFC 4120 restricts GeneralString): no NUL or other control character,
 * which a JSON reader that keeps C strings (jansson's default) refuses. */
static int krb_text(const void *s, size_t n)
{
	const uint8_t *p = s;

	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 0;
	return 1;
}

/* "@key":"@s" when @s is text, else nothing and *@bad set. */
static void krb_key_text(struct jbuf *b, const char *key, const void *s, size_t n, int *bad)
{
	if (krb_text(s, n))
		jbuf_key_strn(b, key, s, n);
	else
		*bad = 1;
}

int kerberos_format_json(const struct xh_event *e, struct jbuf *b)
{
	size_t n = e->name_len < XH_EVENT_NAME_MAX ? e->name_len : XH_EVENT_NAME_MAX;
	int tgs = e->d.krb.msg_type == 13, tgs_req = e->d.krb.msg_type == 12;
	const char *cipher;
	struct krb_rep r;
	int err, bad = 0;

	if (e->detail_kind != XH_DETAIL_KRB)
		return 0;
	if (tgs_req)
		err = krb_tgs_req_parse(e->name, n, &r);
	else if (tgs)
		err = krb_tgs_rep_parse(e->name, n, &r);
	else
		err = krb_as_rep_parse(e->name, n, &r);
	/* Suricata's EVE "krb5" names these cname and realm, Zeek's
	 * kerberos.log service and cipher; the rule's object keeps
	 * xdphunt's "account" as the ntlmssp one does. */
	jbuf_key_obj_begin(b, "kerberos");
	jbuf_key_str(b, "msg_type", tgs_req ? "TGS-REQ" : tgs ? "TGS-REP" : "AS-REP");
	if (r.realm)
		krb_key_text(b, "realm", r.realm, r.realm_len, &bad);
	if (r.account)
		krb_key_text(b, "account", r.account, r.account_len, &bad);
	if (tgs || tgs_req) {
		if (r.service_len)
			krb_key_text(b, "service", r.service, r.service_len, &bad);
		/* the kernel's reading, which made the hit: the ticket's, or
		 * the request's preferred */
		jbuf_key_u64(b, "etype", e->d.krb.etype);
		cipher = krb_etype_name(e->d.krb.etype);
		if (cipher)
			jbuf_key_str(b, "cipher", cipher);
	}
	/* what the flow's TGS-REQ preferred: AES, an honest client the KDC
	 * answered in RC4 (an account without AES keys, or a downgrade) */
	if (tgs && e->d.krb.req_seen) {
		jbuf_key_i64(b, "request_etype", e->d.krb.req_etype);
		cipher = krb_etype_name(e->d.krb.req_etype);
		if (cipher)
			jbuf_key_str(b, "request_cipher", cipher);
	}
	if (tgs_req && r.n_etypes) {
		jbuf_key_arr_begin(b, "etypes");
		for (size_t i = 0; i < r.n_etypes; i++)
			jbuf_arr_i64(b, r.etypes[i]);
		jbuf_arr_end(b);
	}
	if (err == -ENODATA || r.cut)
		jbuf_key_bool(b, "truncated", 1);
	else if (err || bad)
		jbuf_key_bool(b, "malformed", 1);
	jbuf_obj_end(b);
	return err ? err : bad ? -EILSEQ : 0;
}
