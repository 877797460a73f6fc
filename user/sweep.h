/* SPDX-License-Identifier: GPL-2.0 */
/* sweep.h: the "scan" JSON object of a scan.smb_sweep, scan.port_scan or
 * scan.service_sweep hit and the "brute_force" object of an smb.brute_force
 * or kerberos.brute_force hit. */
#ifndef XH_SWEEP_H
#define XH_SWEEP_H

#include <stdint.h>
#include <linux/types.h>
#include "xh_abi.h"
#include "jsonl.h"

/* Append "scan":{"service":"smb","distinct_destinations":N,"threshold":T,
 * "window_s":W,"probe":P,"tcp_flags":"02"} for an event of detail kind
 * XH_DETAIL_SWEEP to @b (P: sweep_probe_name() of the probe's flags,
 * "tcp_flags" those flags in hex, as Suricata's flow records give them); for
 * scan.port_scan "scan":{"service":"tcp","distinct_ports":N,...}, or
 * {"service":"udp",...,"probe":"empty"} without "tcp_flags" for a UDP scan
 * (its probes are empty datagrams); for
 * scan.service_sweep "scan":{"service":sweep_service_name(dport),
 * "distinct_destinations":N,...}; for
 * smb.brute_force and kerberos.brute_force "brute_force":{...,
 * "accounts":A} (@accounts, left out when 0). */
/* The service scan.service_sweep names a TCP port (host order) by: "ssh",
 * "rdp", "winrm", "vnc", "rpc", else "tcp". */
const char *sweep_service_name(uint16_t port);
/* The kind of client probe TCP flags @flags make, as nmap names its scans:
 * "syn" (a SYN, with or without ECN's bits), "fin", "null" (no flag),
 * "xmas" (FIN, PSH and URG), else "other". */
const char *sweep_probe_name(uint8_t flags);
/* The name of Kerberos counter @cnt (enum xh_krb_cnt, `xdphunt stats`), or
 * NULL. */
const char *krb_counter_name(unsigned int cnt);
void sweep_format_json(const struct xh_event *e, unsigned int accounts, struct jbuf *b);

#endif /* XH_SWEEP_H */
