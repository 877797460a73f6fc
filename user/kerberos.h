/* SPDX-License-Identifier: GPL-2.0 */
/* kerberos.h: what a kerberos.no_preauth hit says, read from the AS-REP's
 * first bytes the kernel carries (bpf/kerberos.bpf.h). */
#ifndef XH_KERBEROS_USER_H
#define XH_KERBEROS_USER_H

#include <stddef.h>
#include <stdint.h>

struct jbuf;
struct xh_event;

/* The client an AS-REP (RFC 4120 5.4.2) names: its crealm and the first
 * component of its cname (the account). */
struct krb_as_rep {
	const uint8_t *realm;
	size_t realm_len;
	const uint8_t *account;
	size_t account_len;
	int cut; /* a name goes on past the bytes read */
};

/* Read the AS-REP at the start of @b (@n bytes, possibly the first of a
 * longer message). Returns 0, -EBADMSG when it is no AS-REP or its DER is
 * malformed, -ENODATA when its cname lies past the @n bytes. */
int krb_as_rep_parse(const uint8_t *b, size_t n, struct krb_as_rep *r);

/* Append "kerberos":{"msg_type":"AS-REP","realm","account"} for a
 * kerberos.no_preauth event (XH_DETAIL_KRB) to @b, with "truncated":true
 * when the names lay past the bytes carried and "malformed":true when the
 * bytes are no AS-REP. Returns 0 or the parse error. */
int kerberos_format_json(const struct xh_event *e, struct jbuf *b);

#endif /* XH_KERBEROS_USER_H */
