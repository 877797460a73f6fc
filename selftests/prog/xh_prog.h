/* SPDX-License-Identifier: GPL-2.0 */
/* xh_prog.h: helpers shared by the BPF_PROG_TEST_RUN tests: load the real
 * skeleton with test maps, run one frame, read counters and events. */
#ifndef XH_PROG_H
#define XH_PROG_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "xh_abi.h"

struct xdphunt;
struct ring_reader;

#define XHP_MAX_EVENTS 256
#define XHP_FRAME_MAX  16384 /* the largest frame xhp_run() takes (a jumbo frame) */

/* IoC ids the test maps hold. */
#define IOC_V4_NET24	 7  /* 203.0.113.0/24 */
#define IOC_V4_HOST32	 8  /* 198.51.100.77/32 */
#define IOC_V6_NET48	 9  /* 2001:db8:bad::/48 */
#define IOC_DOM		 10 /* evil.example (and below) */
#define IOC_V4_BLOCK	 11 /* 192.0.2.66/32, block */
#define IOC_V4_PORT	 12 /* 198.51.100.80:8443 */
#define IOC_DOM_BLOCK	 13 /* blocked.example, block */
#define IOC_DOMAIN	 "evil.example"
#define IOC_DOMAIN_BLOCK "blocked.example"
#define IOC_BLOCK_ADDR	 "192.0.2.66"
#define IOC_PORT_ADDR	 "198.51.100.80"
#define IOC_PORT_PORT	 8443

struct xhp {
	struct xdphunt *skel;
	struct ring_reader *rb;
	struct xh_event ev[XHP_MAX_EVENTS];
	int n_ev;
	uint32_t retval; /* verdict of the last xhp_run*() */
};

/* Open, set @wakeup_bytes (rodata) and @rb_bytes (0: default), load, fill
 * xh_ports (445, 139 SMB; 135 RPC) and the IoC tries. 0 or -errno. Skips the
 * test (and returns -EPERM) when not root. */
int xhp_open(struct xhp *x, uint64_t wakeup_bytes, uint32_t rb_bytes);
/* The same as `replay` loads it (xh_cfg_capture: capture clock, TSO lengths). */
int xhp_open_capture(struct xhp *x);
void xhp_close(struct xhp *x);
/* Run @buf once; checks XDP_PASS and an unchanged frame. 0 or -errno. */
int xhp_run(struct xhp *x, const uint8_t *buf, size_t len);
/* Run @buf once and return the verdict (-errno on failure); checks only that
 * the frame comes back unchanged (block mode may drop). */
int xhp_run_verdict(struct xhp *x, const uint8_t *buf, size_t len);
/* Build one TCP segment from @src:@sport to @dst:@dport (IPv@family
 * addresses) with the TCP @flags (pkt_desc's: 0 is ACK, PKT_TCP_NULL none),
 * carrying @len bytes of @payload, and run it (xhp_run()). 0 or -errno. */
int xhp_send_tcp(struct xhp *x, int family, const char *src, const char *dst, uint16_t sport,
		 uint16_t dport, uint16_t flags, const void *payload, size_t len);
/* bpf/name.h hash of a whole domain, as userspace stores it. */
uint64_t xhp_domain_hash(const char *dom);
/* Sum the per-CPU counters. */
int xhp_stats(struct xhp *x, struct xh_stats *s);
/* Drain the ring buffer into x->ev (appending). Returns the number read. */
int xhp_drain(struct xhp *x);
/* Drain, then count the collected events of @rule; *@last gets the last of
 * them (left as it was when there is none). */
int xhp_count_rule(struct xhp *x, unsigned int rule, const struct xh_event **last);
/* The @k-th collected event from the last (1: the last), or, when fewer
 * than @k were collected, a failed check and an all-zero event, so that a
 * test reads no memory past what it collected. */
const struct xh_event *xhp_ev_back(const struct xhp *x, int k);
/* Empty xh_flows, the SMB maps and xh_seen, and forget collected events. */
void xhp_reset(struct xhp *x);
/* The xh_flows entry of IPv4 @proto between @a:@aport and @b:@bport, given
 * in the canonical key's order (the lower address first); @key gets the key.
 * 0 or -errno. */
int xhp_flow4(struct xhp *x, uint8_t proto, const char *a, uint16_t aport, const char *b,
	      uint16_t bport, struct xh_flow_key *key, struct xh_flow_state *st);
/* Entries of the map @fd (keys of at most 64 bytes); stops at 2M. */
int xhp_map_count(int fd);

#endif
