/* SPDX-License-Identifier: GPL-2.0 */
/* classify_pkt.h: the packet shorthands of the classify tests
 * (test_classify*.c): client and server addresses, TCP flags, and TCP4() for
 * the IPv4 TCP fields of a struct pkt_desc initializer. */
#ifndef CLASSIFY_PKT_H
#define CLASSIFY_PKT_H

#include <netinet/in.h>
#include "pkt.h"

#define C4     "192.0.2.10"
#define S4     "192.0.2.20"
#define SYN    0x02
#define SYNACK 0x12
#define ACK    0x10

#define TCP4(s, d, sp, dp, fl)                                                                     \
	.family = 4, .src = (s), .dst = (d), .proto = IPPROTO_TCP, .sport = (sp), .dport = (dp),   \
	.tcp_flags = (fl)

#endif
