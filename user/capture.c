// SPDX-License-Identifier: GPL-2.0
/* capture.c: link-layer shims for replay: Ethernet passes through; raw IP,
 * Linux cooked (SLL, SLL2) and BSD loopback get an Ethernet header. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>
#include <linux/if_ether.h>
#include "capture.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

int capture_linktype_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_NULL:
	case DLT_LOOP:
		return 1;
	default:
		return 0;
	}
}

static int emit(uint16_t ethertype, const uint8_t *l3, size_t len, uint8_t *out, size_t outcap)
{
	size_t n;

	if (outcap < ETH_HLEN)
		return -EINVAL;
	memset(out, 0, 12);
	out[12] = ethertype >> 8;
	out[13] = ethertype & 0xff;
	n = len < outcap - ETH_HLEN ? len : outcap - ETH_HLEN;
	memcpy(out + ETH_HLEN, l3, n);
	return (int)(ETH_HLEN + n);
}

/* Ethertype from the IP version nibble (raw IP link types). */
static int ip_ethertype(const uint8_t *p, size_t len)
{
	if (len < 1)
		return -EINVAL;
	switch (p[0] >> 4) {
	case 4:
		return ETH_P_IP;
	case 6:
		return ETH_P_IPV6;
	default:
		return -EINVAL;
	}
}

/* BSD loopback address family values for IPv6 differ by OS. */
static int loopback_ethertype(uint32_t family)
{
	switch (family) {
	case 2:
		return ETH_P_IP;
	case 10: /* Linux */
	case 24: /* NetBSD, OpenBSD */
	case 28: /* FreeBSD */
	case 30: /* Darwin */
		return ETH_P_IPV6;
	default:
		return -EINVAL;
	}
}

int capture_to_ether(int dlt, const uint8_t *pkt, size_t caplen, uint8_t *out, size_t outcap)
{
	uint32_t fam;
	int et;

	switch (dlt) {
	case DLT_EN10MB: {
		size_t n = caplen < outcap ? caplen : outcap;

		memcpy(out, pkt, n);
		return (int)n;
	}
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		et = ip_ethertype(pkt, caplen);
		if (et < 0)
			return et;
		return emit((uint16_t)et, pkt, caplen, out, outcap);
	case DLT_LINUX_SLL: /* 16 bytes; protocol (ethertype) at 14 */
		if (caplen < 16)
			return -EINVAL;
		return emit((uint16_t)(pkt[14] << 8 | pkt[15]), pkt + 16, caplen - 16, out, outcap);
	case DLT_LINUX_SLL2: /* 20 bytes; protocol at 0 */
		if (caplen < 20)
			return -EINVAL;
		return emit((uint16_t)(pkt[0] << 8 | pkt[1]), pkt + 20, caplen - 20, out, outcap);
	case DLT_NULL: /* 4-byte family in the capturing host's byte order */
	case DLT_LOOP: /* 4-byte family in network byte order */
		if (caplen < 4)
			return -EINVAL;
		if (dlt == DLT_LOOP)
			fam = (uint32_t)pkt[0] << 24 | pkt[1] << 16 | pkt[2] << 8 | pkt[3];
		else if (pkt[0] == 0 && pkt[1] == 0) /* written big-endian */
			fam = (uint32_t)pkt[2] << 8 | pkt[3];
		else
			fam = (uint32_t)pkt[1] << 8 | pkt[0];
		et = loopback_ethertype(fam);
		if (et < 0)
			return et;
		return emit((uint16_t)et, pkt + 4, caplen - 4, out, outcap);
	default:
		return -EPROTONOSUPPORT;
	}
}

/* libpcap reads a file through stdio, two fread() calls a packet, and the
 * FILE's buffer defaults to the file system's block (4 KiB): a read() system
 * call per 4 KiB of capture. With 1 MiB, 256 times fewer: on this VM a system
 * call is dear enough that they were a sixth of `replay --engine native`
 * (perf, make bench's 1M-packet mix). */
#define CAPTURE_READ_BUF (1u << 20)

struct capture {
	pcap_t *p;
	char *buf; /* the FILE's buffer, freed after pcap_close() */
	char *path;
	int dlt;
	unsigned long long pkt_no;
	unsigned long long skipped;
	int64_t len_adj; /* capture_len_adj() */
	char err[PCAP_ERRBUF_SIZE + 512];
};

struct capture *capture__open(const char *path, char *err, size_t errlen)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct capture *c;
	const char *name;
	FILE *f;

	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	/* "-" is standard input, as pcap_open_offline() has it. */
	f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(c);
		return NULL;
	}
	/* Not standard input's: it outlives the capture, and the buffer. */
	c->buf = f != stdin ? malloc(CAPTURE_READ_BUF) : NULL;
	if (c->buf)
		setvbuf(f, c->buf, _IOFBF, CAPTURE_READ_BUF);
	c->p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!c->p) {
		/* libpcap's "unknown file format": say which formats it is not. */
		snprintf(err, errlen, "%s: %s%s", path, errbuf,
			 strstr(errbuf, "unknown file format")
				 ? " (not a pcap or pcapng capture; a compressed one needs "
				   "unpacking first)"
				 : "");
		/* libpcap leaves the FILE to its caller when it fails. */
		if (f != stdin)
			fclose(f);
		free(c->buf);
		free(c);
		return NULL;
	}
	c->dlt = pcap_datalink(c->p);
	if (!capture_linktype_supported(c->dlt)) {
		name = pcap_datalink_val_to_name(c->dlt);
		snprintf(err, errlen,
			 "%s: link type %d (%s) is not supported; supported: Ethernet, raw IP, "
			 "Linux cooked (SLL, SLL2), BSD loopback",
			 path, c->dlt, name ? name : "unknown");
		pcap_close(c->p);
		free(c);
		return NULL;
	}
	c->path = strdup(path);
	if (!c->path) {
		snprintf(err, errlen, "%s: out of memory", path);
		capture__free(c);
		return NULL;
	}
	return c;
}

void capture__free(struct capture *c)
{
	if (!c)
		return;
	if (c->p)
		pcap_close(c->p);
	free(c->buf);
	free(c->path);
	free(c);
}

int capture_next(struct capture *c, uint8_t *frame, size_t cap, int *len, uint64_t *ts_ns)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	uint32_t orig;
	int rc, n;

	for (;;) {
		rc = pcap_next_ex(c->p, &hdr, &data);
		if (rc == PCAP_ERROR_BREAK)
			return 0;
		if (rc != 1) {
			const char *why = pcap_geterr(c->p);

			/* libpcap reads one link type per file: a pcapng
			 * interface block of another type ends it. */
			if (strstr(why, "different from the type of the first interface"))
				snprintf(c->err, sizeof(c->err),
					 "%s: after %llu packets: %s; libpcap reads one link type "
					 "per file: split it by interface first (tshark -r FILE -Y "
					 "'frame.interface_id == N' -w PART.pcapng)",
					 c->path, c->pkt_no, why);
			else
				snprintf(c->err, sizeof(c->err), "%s: packet %llu: %s", c->path,
					 c->pkt_no + 1, why);
			return -1;
		}
		c->pkt_no++;
		/* Times are ns since the epoch in 64 bits: up to July 2554. A
		 * pcapng time past that is a corrupt block, not a wrapped date. */
		if (hdr->ts.tv_sec < 0 || (uint64_t)hdr->ts.tv_sec > CAPTURE_MAX_SECONDS) {
			snprintf(c->err, sizeof(c->err),
				 "%s: packet %llu: time stamp %lld s is outside 1970-2554, "
				 "the times xdphunt keeps (ns since 1970 in 64 bits)",
				 c->path, c->pkt_no, (long long)hdr->ts.tv_sec);
			return -1;
		}
		n = capture_to_ether(c->dlt, data, hdr->caplen, frame, cap);
		if (n < 0) {
			c->skipped++;
			continue;
		}
		*len = n;
		/* The record's original length: a file may say less than
		 * it holds. */
		orig = hdr->len > hdr->caplen ? hdr->len : hdr->caplen;
		c->len_adj = (int64_t)orig - n;
		/* Opened with nanosecond precision: tv_usec holds nanoseconds. */
		*ts_ns = (uint64_t)hdr->ts.tv_sec * 1000000000ULL + (uint64_t)hdr->ts.tv_usec;
		return 1;
	}
}

int64_t capture_len_adj(const struct capture *c)
{
	return c->len_adj;
}

unsigned long long capture_packet_no(const struct capture *c)
{
	return c->pkt_no;
}

unsigned long long capture_skipped(const struct capture *c)
{
	return c->skipped;
}

const char *capture_error(const struct capture *c)
{
	return c->err;
}
