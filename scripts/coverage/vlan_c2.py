#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""vlan_c2.py: 802.1Q-tagged C2 frames into the gateway (the kernel here has
no 802.1Q module, so no VLAN sub-interface can carry them): a TCP SYN and a
TLS ClientHello with SNI to the IPv4 C2 on 443, a DNS query for the name at
the resolver, a TCP SYN to the IPv6 C2 on 80, all tagged --vlan, sent with
scapy on --iface. The gateway's XDP hook sees them as they are on the wire;
the kernel then drops them (no VLAN device). A coverage scenario client."""
import argparse
import logging
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import DNS, DNSQR, Dot1Q, Ether, IP, IPv6, TCP, UDP, conf, sendp  # noqa: E402
from scapy.layers.tls.all import (  # noqa: E402
    TLS, TLSClientHello, TLS_Ext_ServerName, ServerName)

conf.verb = 0


def main():
    ap = argparse.ArgumentParser()
    for k in ("iface", "dst-mac", "src4", "src6", "c2-4", "c2-6", "dns", "name"):
        ap.add_argument("--" + k, required=True)
    ap.add_argument("--vlan", type=int, default=42)
    a = ap.parse_args()
    eth = Ether(dst=a.dst_mac) / Dot1Q(vlan=a.vlan)
    ch = TLS(msg=[TLSClientHello(ext=[TLS_Ext_ServerName(servernames=[
        ServerName(servername=a.name.encode())])])])
    frames = [
        eth / IP(src=a.src4, dst=a.c2_4) / TCP(sport=41443, dport=443, flags="S", seq=1000),
        eth / IP(src=a.src4, dst=a.c2_4) / TCP(sport=41443, dport=443, flags="PA", seq=1001,
                                               ack=1) / ch,
        eth / IP(src=a.src4, dst=a.dns) / UDP(sport=41053, dport=53) /
        DNS(id=0x4242, rd=1, qd=DNSQR(qname="vl." + a.name)),
        eth / IPv6(src=a.src6, dst=a.c2_6) / TCP(sport=41080, dport=80, flags="S", seq=2000),
    ]
    sendp(frames, iface=a.iface)
    print("sent", len(frames), "frames tagged", a.vlan)
    return 0


if __name__ == "__main__":
    sys.exit(main())
