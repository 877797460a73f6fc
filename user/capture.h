/* SPDX-License-Identifier: GPL-2.0 */
/* capture.h: turn capture records of the supported link types into the
 * Ethernet frames an XDP program sees. Pure; no libpcap calls. */
#ifndef XH_CAPTURE_H
#define XH_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

/* Replay hands frames whole to the program: BPF_PROG_TEST_RUN puts the
 * first 3520 bytes in one buffer and the rest in XDP fragments (the program
 * is xdp.frags), as on a jumbo-frame interface; the native engine splits
 * them the same way (NRT_XDP_LINEAR_MAX, user/native/engine.h). Every
 * header xdphunt reads is in the first buffer. Longer records are cut to
 * this: the largest IP packet behind an Ethernet header and two VLAN tags
 * (a TSO or GRO segment in a capture taken on a host), well under the 17
 * fragments BPF_PROG_TEST_RUN takes after the first buffer. */
#define CAPTURE_MAX_FRAME (65535 + 14 + 8)

/* The last second whose nanoseconds fit 64 bits (2554-07-21). */
#define CAPTURE_MAX_SECONDS 18446744072ULL

/* 1 when @dlt (a pcap DLT_ value) is supported: Ethernet, raw IPv4/IPv6,
 * Linux cooked v1 and v2, BSD loopback (NULL and LOOP). */
int capture_linktype_supported(int dlt);

/* Copy record @pkt (@caplen bytes) of link type @dlt to @out as an Ethernet
 * frame, prepending a zero-address Ethernet header where the link type has
 * none, and cutting at @outcap. Returns the frame length, -EPROTONOSUPPORT
 * for an unsupported link type, or -EINVAL when the record is too short for
 * its link-layer header or names no IP version it can map. */
int capture_to_ether(int dlt, const uint8_t *pkt, size_t caplen, uint8_t *out, size_t outcap);

/* A pcap or pcapng file being read (libpcap; kept out of files that
 * include libbpf, whose struct bpf_program clashes with libpcap's). */
struct capture;

/* Open @path. Returns NULL after writing the reason (naming the file) into
 * @err; an unsupported link type is such a failure. */
struct capture *capture__open(const char *path, char *err, size_t errlen);
void capture__free(struct capture *c); /* accepts NULL */

/* Next record as an Ethernet frame (capture_to_ether()) into @frame, its
 * time in @ts_ns (ns since the epoch). Records with no IP behind the link
 * header are skipped and counted. Returns 1 for a frame, 0 at the end, -1 on
 * a corrupt or truncated file (capture_error() names file and packet). */
int capture_next(struct capture *c, uint8_t *frame, size_t cap, int *len, uint64_t *ts_ns);
/* The last record's original length less its frame's: what the snap
 * length or CAPTURE_MAX_FRAME cut off, and the record's own link header
 * against the Ethernet header in its place. Flow records count a frame as
 * the capture says the wire carried it, as tshark's conversations do. */
int64_t capture_len_adj(const struct capture *c);
/* Number of the last record read (1-based). */
unsigned long long capture_packet_no(const struct capture *c);
/* Records skipped because their link header named no IP. */
unsigned long long capture_skipped(const struct capture *c);
const char *capture_error(const struct capture *c);

#endif
