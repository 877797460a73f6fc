#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# zerologon_try.py DC_IP DC_NAME TRIES: traffic for the Zerologon
# (CVE-2020-1472) checks of selftests/e2e/test_dcerpc_dc.sh and of the
# coverage scenario zerologon, from Impacket's nrpc module as
# the public testers send it: per try, the netlogon endpoint from the
# endpoint mapper, a new connection, NetrServerReqChallenge, then
# NetrServerAuthenticate3 with an all-zero ClientCredential. One more try
# with a random credential is what a client that knows no secret sends, not
# the exploit. Detection traffic only: it never sets a password, and the
# lab's Samba (patched since 4.12.7) refuses every try. Prints one line per
# try; exits 0 when every request was sent (the answers do not matter).
import os
import sys

from impacket.dcerpc.v5 import epm, nrpc, transport


def attempt(ip, name, cred):
    binding = epm.hept_map(ip, nrpc.MSRPC_UUID_NRPC, protocol="ncacn_ip_tcp")
    dce = transport.DCERPCTransportFactory(binding).get_dce_rpc()
    dce.connect()
    try:
        dce.bind(nrpc.MSRPC_UUID_NRPC)
        nrpc.hNetrServerReqChallenge(dce, "\\\\" + name + "\x00", name + "\x00", b"\x00" * 8)
        try:
            nrpc.hNetrServerAuthenticate3(
                dce, "\\\\" + name + "\x00", name + "$\x00",
                nrpc.NETLOGON_SECURE_CHANNEL_TYPE.ServerSecureChannel, name + "\x00", cred,
                0x212fffff)
            return "accepted"
        except nrpc.DCERPCSessionError as e:
            return "refused: %s" % e.get_error_code()
    finally:
        dce.disconnect()


def main():
    ip, name, tries = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for i in range(tries):
        print("zero credential try %d: %s" % (i + 1, attempt(ip, name, b"\x00" * 8)), flush=True)
    print("random credential: %s" % attempt(ip, name, os.urandom(8)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
