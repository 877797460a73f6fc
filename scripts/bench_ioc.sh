#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench_ioc.sh [BUILD_DIR]: IoC benchmarks (not a test; root). Prints
#  - parse + map load time of a feed of 1,000,000 IPv4 and 100,000 IPv6
#    prefixes, at start and on a SIGHUP reload;
#  - ns/packet through BPF_PROG_TEST_RUN (bpftool prog run, repeat 1e6) of a
#    DNS query and a ClientHello (a feed domain and a miss) against plain UDP
#    and TCP packets, with that big feed and the domain evil.example loaded.
# Runs in a private network namespace with a veth pair; removes what it made.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(cd "${1:-$ROOT/build}" && pwd)
XH=$OUT/xdphunt
REPEAT=${REPEAT:-1000000}
if [ -z "${XH_BENCH_UNSHARED:-}" ]; then
	XH_BENCH_UNSHARED=1 exec unshare -n -m --propagation private bash "$0" "$OUT"
fi
W=$(mktemp -d /tmp/xh-bench-ioc.XXXXXX)
XH_PID=
cleanup() { [ -n "$XH_PID" ] && kill -TERM "$XH_PID" 2>/dev/null && wait "$XH_PID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true
ip link add xhb0 type veth peer name xhb1
ip link set xhb0 up
ip link set xhb1 up

/usr/bin/python3 - "$W" <<'PY'
import ipaddress, random, sys
from scapy.all import DNS, DNSQR, Ether, IP, TCP, UDP, Raw
w = sys.argv[1]
rnd = random.Random(1)
with open(f"{w}/big.txt", "w") as f:
    seen = set()
    while len(seen) < 1000000:
        a = rnd.getrandbits(32)
        plen = rnd.choice((32, 32, 32, 24, 28))
        net = ipaddress.IPv4Network((a & ~((1 << (32 - plen)) - 1), plen))
        if net not in seen:
            seen.add(net)
            f.write(f"{net}\n")
    for i in range(100000):
        f.write(f"2001:db8:{i >> 8:x}:{i & 0xff:x}::/64\n")
    f.write("evil.example\n")
e = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
def hello(sni):
    s = sni.encode()
    ext = (len(s) + 3).to_bytes(2, "big") + b"\0" + len(s).to_bytes(2, "big") + s
    other = b"".join(t.to_bytes(2, "big") + b"\0\x02\0\0" for t in (0x0a0a, 10, 11, 13, 16, 23, 43, 45))
    ks = (51).to_bytes(2, "big") + (36).to_bytes(2, "big") + b"\0\x22\0\x1d\0\x20" + b"\x55" * 30
    exts = other + ks + b"\0\0" + len(ext).to_bytes(2, "big") + ext
    body = b"\x03\x03" + b"\xab" * 32 + b"\x20" + b"\xcd" * 32 + b"\0\x20" + bytes(range(32)) + b"\x01\0" + len(exts).to_bytes(2, "big") + exts
    return b"\x16\x03\x01" + (len(body) + 4).to_bytes(2, "big") + b"\x01" + len(body).to_bytes(3, "big") + body
pk = {
    "udp_plain": e / IP(src="192.0.2.10", dst="192.0.2.20") / UDP(sport=40000, dport=4500) / Raw(b"x" * 40),
    "dns_query_miss": e / IP(src="192.0.2.10", dst="192.0.2.53") / UDP(sport=40000, dport=53) / DNS(rd=1, qd=DNSQR(qname="www.benign-site.example")),
    "dns_query_hit": e / IP(src="192.0.2.10", dst="192.0.2.53") / UDP(sport=40000, dport=53) / DNS(rd=1, qd=DNSQR(qname="www.evil.example")),
    "tcp_plain": e / IP(src="192.0.2.10", dst="192.0.2.20") / TCP(sport=40000, dport=443, flags="PA") / Raw(b"\x17\x03\x03" + b"x" * 200),
    "tls_hello_miss": e / IP(src="192.0.2.10", dst="192.0.2.20") / TCP(sport=40000, dport=443, flags="PA") / Raw(hello("www.benign-site.example")),
    "tls_hello_hit": e / IP(src="192.0.2.10", dst="192.0.2.20") / TCP(sport=40000, dport=443, flags="PA") / Raw(hello("api.evil.example")),
}
for k, p in pk.items():
    open(f"{w}/{k}.bin", "wb").write(bytes(p))
PY
echo "# machine: $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)"
echo "# feed: $(wc -l <"$W/big.txt") lines, $(du -h "$W/big.txt" | cut -f1)"
t0=$(date +%s.%N)
"$XH" run -i xhb0 --mode native -v --ioc "$W/big.txt" >"$W/hits" 2>"$W/err" &
XH_PID=$!
for ((i = 0; i < 1200; i++)); do grep -q 'ready:' "$W/err" && break; sleep 0.1; done
t1=$(date +%s.%N)
grep -q 'ready:' "$W/err" || { cat "$W/err"; exit 1; }
echo "load: start to ready $(echo "$t1 - $t0" | bc) s; $(grep -m1 'parsed in' "$W/err" | sed 's/^xdphunt: //')"
kill -HUP "$XH_PID"
for ((i = 0; i < 1200; i++)); do grep -q 'reload: generation' "$W/err" && break; sleep 0.1; done
echo "reload: $(grep -m1 'reload: generation' "$W/err" | sed 's/^xdphunt: //')"
ID=$(bpftool -j net show dev xhb0 | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[0]["xdp"][0]["id"])')
for k in udp_plain dns_query_miss dns_query_hit tcp_plain tls_hello_miss tls_hello_hit; do
	d=$(bpftool prog run id "$ID" data_in "$W/$k.bin" repeat "$REPEAT" 2>&1 | sed -n 's/.*duration (average): \([0-9]*\)ns.*/\1/p')
	printf '%-16s %5s ns/packet (%s bytes, repeat %s)\n' "$k" "$d" "$(stat -c %s "$W/$k.bin")" "$REPEAT"
done
