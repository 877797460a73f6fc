#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""lab-inet.py: the "internet" of the hunt lab (scripts/lab.sh, LAB_TOPO=hunt).

One process, stdlib only: HTTP on port 80 and HTTPS on 443 (any SNI; one
self-signed certificate) on every --web and --c2 address, HTTPS on 7443 too
on the --c2 addresses, a DNS resolver on
--dns:53 that answers every A/AAAA query (names under a C2 domain with the
first --c2 address of the family, others with the first --web address), and a
UDP echo on every --udp ADDR:PORT. Logs one line per request on stdout.
"""
import argparse
import http.server
import ipaddress
import socket
import socketserver
import ssl
import struct
import sys
import threading

C2_SUFFIXES = ("evil.example",)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"lab " + self.server.kind + b"\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, fmt, *args):
        print("http", self.server.kind.decode(), self.client_address[0], fmt % args, flush=True)


def family(addr):
    return socket.AF_INET6 if ipaddress.ip_address(addr).version == 6 else socket.AF_INET


def http_server(addr, port, kind, ctx=None):
    class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
        address_family = family(addr)
        daemon_threads = True
        allow_reuse_address = True

        def get_request(self):
            sock, peer = self.socket.accept()
            sock.settimeout(5)
            if ctx:
                try:
                    sock = ctx.wrap_socket(sock, server_side=True)
                except (ssl.SSLError, OSError) as e:
                    print("tls handshake failed from", peer[0], type(e).__name__, flush=True)
                    sock.close()
                    raise OSError("handshake") from e
            return sock, peer

    s = S((addr, port), Handler)
    s.kind = kind.encode()
    threading.Thread(target=s.serve_forever, daemon=True).start()


def dns_answer(q, web, c2):
    """A response to query @q (one question), or None when malformed."""
    if len(q) < 12:
        return None
    qid, flags, qd = struct.unpack(">HHH", q[:6])
    if qd != 1 or flags & 0x8000:
        return None
    pos, labels = 12, []
    while pos < len(q) and q[pos]:
        n = q[pos]
        if n > 63 or pos + 1 + n > len(q):
            return None
        labels.append(q[pos + 1:pos + 1 + n].decode("ascii", "replace"))
        pos += 1 + n
    if pos + 5 > len(q):
        return None
    qtype, qclass = struct.unpack(">HH", q[pos + 1:pos + 5])
    question = q[12:pos + 5]
    name = ".".join(labels).lower()
    evil = any(name == d or name.endswith("." + d) for d in C2_SUFFIXES)
    want = 4 if qtype == 1 else 6 if qtype == 28 else 0
    pool = [a for a in (c2 if evil else web) if ipaddress.ip_address(a).version == want]
    hdr = struct.pack(">HHHHHH", qid, 0x8180, 1, 1 if pool else 0, 0, 0)
    ans = b""
    if pool:
        rdata = ipaddress.ip_address(pool[0]).packed
        ans = struct.pack(">HHHIH", 0xC00C, qtype, qclass, 60, len(rdata)) + rdata
    print("dns", name, qtype, "c2" if evil else "web", flush=True)
    return hdr + question + ans


def udp_loop(sock, fn):
    while True:
        data, peer = sock.recvfrom(4096)
        out = fn(data, peer)
        if out:
            sock.sendto(out, peer)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--web", action="append", default=[])
    ap.add_argument("--c2", action="append", default=[])
    ap.add_argument("--dns", action="append", default=[])
    ap.add_argument("--udp", action="append", default=[])
    a = ap.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    for addr in a.web:
        http_server(addr, 80, "web")
        http_server(addr, 443, "web", ctx)
    for addr in a.c2:
        http_server(addr, 80, "c2")
        http_server(addr, 443, "c2", ctx)
        http_server(addr, 7443, "c2", ctx)  # TLS off its port (T1571)
    for addr in a.dns:
        s = socket.socket(family(addr), socket.SOCK_DGRAM)
        s.bind((addr, 53))
        threading.Thread(target=udp_loop, daemon=True,
                         args=(s, lambda d, p: dns_answer(d, a.web, a.c2))).start()
    for spec in a.udp:
        addr, port = spec.rsplit(":", 1)
        s = socket.socket(family(addr), socket.SOCK_DGRAM)
        s.bind((addr, int(port)))
        threading.Thread(target=udp_loop, daemon=True,
                         args=(s, lambda d, p: b"ack " + d[:64])).start()
    print("listening", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    sys.exit(main())
