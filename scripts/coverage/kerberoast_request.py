#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# kerberoast_request.py KDC_IP REALM USER PASSWORD ACCOUNT...: the service
# ticket requests of Impacket's GetUserSPNs -request, made with the same
# Impacket calls it makes once its LDAP query has named the accounts: a TGT
# for USER got with the password's NT hash (RC4, as GetUserSPNs asks first,
# "to maximize the probability of getting session tickets with RC4"), then
# for each ACCOUNT a TGS-REQ naming it as DOMAIN\ACCOUNT (NT-MS-PRINCIPAL)
# through getKerberosTGS(), whose etype list puts rc4-hmac first (23, 16, 3,
# then the TGT's). GetUserSPNs itself stops here at its LDAP bind, which
# this Samba wants signed. Traffic for kerberos.weak_request in
# selftests/e2e/test_dcerpc_dc.sh and the coverage scenario
# kerberoast_request. Prints one line per account (the ticket's etype, or
# the KDC's error); exits 0 when every request was answered.
import argparse
import sys

from impacket.krb5 import constants
from impacket.krb5.asn1 import TGS_REP
from impacket.krb5.kerberosv5 import KerberosError, getKerberosTGS, getKerberosTGT
from impacket.krb5.types import Principal
from impacket.ntlm import compute_lmhash, compute_nthash
from pyasn1.codec.der import decoder


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kdc")
    ap.add_argument("realm")
    ap.add_argument("user")
    ap.add_argument("password")
    ap.add_argument("accounts", nargs="+")
    a = ap.parse_args()
    name = Principal(a.user, type=constants.PrincipalNameType.NT_PRINCIPAL.value)
    try:
        tgt, cipher, _, key = getKerberosTGT(name, "", a.realm, compute_lmhash(a.password),
                                             compute_nthash(a.password), "", kdcHost=a.kdc)
    except KerberosError:
        tgt, cipher, _, key = getKerberosTGT(name, a.password, a.realm, b"", b"", "",
                                             kdcHost=a.kdc)
    domain = a.realm.split(".")[0]
    unanswered = 0
    for acct in a.accounts:
        spn = Principal()
        spn.type = constants.PrincipalNameType.NT_MS_PRINCIPAL.value
        spn.components = ["%s\\%s" % (domain, acct)]
        try:
            tgs, _, _, _ = getKerberosTGS(spn, a.realm, a.kdc, tgt, cipher, key)
            rep = decoder.decode(tgs, asn1Spec=TGS_REP())[0]
            print("%s: ticket etype %d" % (acct, int(rep["ticket"]["enc-part"]["etype"])))
        except KerberosError as e:
            print("%s: %s" % (acct, e.getErrorString()[0]))
        except OSError as e:
            print("%s: no answer (%s)" % (acct, e))
            unanswered += 1
        except Exception as e:  # noqa: BLE001 (Impacket's own)
            print("%s: %s: %s" % (acct, type(e).__name__, e))
    return 1 if unanswered else 0


if __name__ == "__main__":
    sys.exit(main())
