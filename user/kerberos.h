/* SPDX-License-Identifier: GPL-2.0 */
/* kerberos.h: what a kerberos.no_preauth, kerberos.weak_ticket or
 * kerberos.weak_request hit says, read from the AS-REP's, TGS-REP's or
 * TGS-REQ's bytes the kernel carries (bpf/kerberos.bpf.h). */
#ifndef XH_KERBEROS_USER_H
#define XH_KERBEROS_USER_H

#include <stddef.h>
#include <stdint.h>

struct jbuf;
struct xh_event;

/* The sname components kept, joined by '/' (MSSQLSvc/db1.example.com:1433). */
#define KRB_SERVICE_MAX 256
/* The etypes of a request's list kept (Windows lists 5, MIT up to 10). */
#define KRB_ETYPES_MAX 16

/* What a KDC's reply (RFC 4120 5.4.2) names: its client's crealm and the
 * first component of its cname (the account); of a TGS-REP also its
 * ticket's service (sname) and encryption type. */
struct krb_rep {
	const uint8_t *realm;
	size_t realm_len;
	const uint8_t *account;
	size_t account_len;
	char service[KRB_SERVICE_MAX];
	size_t service_len; /* 0: not read */
	int etype;	    /* the ticket's, -1 when not read */
	int cut;	    /* a name goes on past the bytes read */
	/* a TGS-REQ's etype list, the client's preferred first */
	int etypes[KRB_ETYPES_MAX];
	size_t n_etypes;
};

/* Read the AS-REP at the start of @b (@n bytes, possibly the first of a
 * longer message). Returns 0, -EBADMSG when it is no AS-REP or its DER is
 * malformed, -ENODATA when its cname lies past the @n bytes. */
int krb_as_rep_parse(const uint8_t *b, size_t n, struct krb_rep *r);

/* Read a TGS-REP's fields from its crealm on, at the start of @b (@n
 * bytes, as the kernel carries them past the padata): crealm, cname and the
 * ticket's sname and enc-part etype. Returns 0, -EBADMSG when they are
 * malformed, -ENODATA when they go on past the @n bytes (the names read
 * until then are set). */
int krb_tgs_rep_parse(const uint8_t *b, size_t n, struct krb_rep *r);

/* Read a TGS-REQ's req-body (RFC 4120 5.4.1) at the start of @b (@n bytes,
 * from its [4] tag, as the kernel carries it past the padata): its realm,
 * sname (into service), cname if any (account) and etype list, the first
 * KRB_ETYPES_MAX of it (r->cut when it is longer). Returns 0, -EBADMSG when
 * they are malformed, -ENODATA when they go on past the @n bytes (what was
 * read until then is set). */
int krb_tgs_req_parse(const uint8_t *b, size_t n, struct krb_rep *r);

/* The name of encryption type @etype (RFC 3961, 3962, 4757, 8009), as
 * Zeek's kerberos.log "cipher" and MIT's krb5.conf spell it; NULL when
 * unknown. */
const char *krb_etype_name(int etype);

/* Append "kerberos":{"msg_type":"AS-REP","realm","account"} for a
 * kerberos.no_preauth event, {"msg_type":"TGS-REP","realm","account",
 * "service","etype","cipher"[,"request_etype","request_cipher"]} for a
 * kerberos.weak_ticket one (the request's when its flow's TGS-REQ was
 * read), or
 * {"msg_type":"TGS-REQ","realm","service","etype","cipher","etypes"} for a
 * kerberos.weak_request one (XH_DETAIL_KRB; etype is the ticket's or the
 * request's first), to @b, with "truncated":true when the names lay past the
 * bytes carried and "malformed":true when the bytes are no such message
 * or a name is no text (a NUL or control character: the name is left out).
 * Returns 0, the parse error, or -EILSEQ for a name left out. */
int kerberos_format_json(const struct xh_event *e, struct jbuf *b);

#endif /* XH_KERBEROS_USER_H */
