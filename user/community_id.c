// SPDX-License-Identifier: GPL-2.0
/* community_id.c: Community ID v1 (corelight/community-id-spec) over a flow
 * key, with SHA-1's block function from OpenSSL's libcrypto. */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA1_Transform(): see sha1_block() */
#include <openssl/sha.h>
#include "community_id.h"
#include "fmt.h"

#define PROTO_ICMP  1
#define PROTO_TCP   6
#define PROTO_UDP   17
#define PROTO_ICMP6 58
#define PROTO_SCTP  132

/* The spec's ICMP type -> "port" mapping (from Zeek's ICMP4_counterpart and
 * ICMP6_counterpart, as in pycommunityid icmp.py/icmp6.py): a request/reply
 * type hashes as (type, counterpart type), so both directions of the exchange
 * share an id. Any other type is one-way and hashes as (type, code), in the
 * direction the message travelled. Returns 1 and sets *peer for two-way types. */
int community_id_icmp_peer(int v6, unsigned int type, unsigned int *peer)
{
	static const unsigned char v4[][2] = {
		{8, 0},	  /* echo request / echo reply */
		{13, 14}, /* timestamp / timestamp reply */
		{15, 16}, /* information request / reply */
		{10, 9},  /* router solicitation / advertisement */
		{17, 18}, /* address mask request / reply */
	};
	static const unsigned char v6t[][2] = {
		{128, 129}, /* echo request / reply */
		{133, 134}, /* router solicitation / advertisement */
		{135, 136}, /* neighbor solicitation / advertisement */
		{130, 131}, /* MLD listener query / report */
		{139, 140}, /* node information query / response ("who are you") */
		{144, 145}, /* home agent address discovery request / reply */
	};
	const unsigned char(*tab)[2] = v6 ? v6t : v4;
	size_t n = v6 ? sizeof(v6t) / sizeof(v6t[0]) : sizeof(v4) / sizeof(v4[0]);

	for (size_t i = 0; i < n; i++) {
		if (tab[i][0] == type) {
			*peer = tab[i][1];
			return 1;
		}
		if (tab[i][1] == type) {
			*peer = tab[i][0];
			return 1;
		}
	}
	return 0;
}

/* SHA-1 of a message of @len < 56 bytes (a Community ID input is at most
 * 40) laid out at the start of the 64-byte @block, whose other bytes are
 * zero: the message fits one block, so it is padded here (0x80, zeros, the
 * length in bits) and goes through one SHA1_Transform(). Through EVP a digest
 * cost about 2,500 instructions; SHA1_Update/Final still added about 180 to
 * the block function's 900 (Update copies into the context, Final cleanses
 * it), callgrind on xh_bench format. The low-level calls are deprecated in
 * OpenSSL 3.0 but remain in libcrypto 3; SHA_CTX's h0..h4 are the state
 * after the block. */
static int sha1_block(uint8_t block[64], size_t len, uint8_t digest[COMMUNITY_ID_DIGEST_LEN])
{
	SHA_CTX c;
	SHA_LONG h[5];

	block[len] = 0x80;
	block[62] = (uint8_t)(len >> 5); /* len * 8, big-endian, < 2^16 */
	block[63] = (uint8_t)(len << 3);
	if (!SHA1_Init(&c))
		return -1;
	SHA1_Transform(&c, block);
	h[0] = c.h0;
	h[1] = c.h1;
	h[2] = c.h2;
	h[3] = c.h3;
	h[4] = c.h4;
	for (int i = 0; i < 5; i++) {
		digest[4 * i] = (uint8_t)(h[i] >> 24);
		digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
		digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
		digest[4 * i + 3] = (uint8_t)h[i];
	}
	return 0;
}

int community_id_digest(const struct xh_flow_key *k, uint16_t seed,
			uint8_t digest[COMMUNITY_ID_DIGEST_LEN])
{
	/* seed(2) saddr(16) daddr(16) proto(1) pad(1) sport(2) dport(2), in
	 * the one SHA-1 block it fits */
	uint8_t buf[64] = {0};
	const uint8_t *a1 = (const uint8_t *)k->saddr, *a2 = (const uint8_t *)k->daddr;
	uint16_t p1 = 0, p2 = 0; /* host order */
	int has_ports = 1, one_way = 0, swap, c;
	unsigned int alen, peer;
	size_t len = 0;

	if (k->family == XH_AF_INET)
		alen = 4; /* saddr[0] / daddr[0] only */
	else if (k->family == XH_AF_INET6)
		alen = 16;
	else
		return -EINVAL;

	switch (k->proto) {
	case PROTO_TCP:
	case PROTO_UDP:
	case PROTO_SCTP:
		p1 = ntohs(k->sport);
		p2 = ntohs(k->dport);
		break;
	case PROTO_ICMP:
	case PROTO_ICMP6:
		/* sport = type, dport = code */
		if (community_id_icmp_peer(k->proto == PROTO_ICMP6, ntohs(k->sport), &peer)) {
			p1 = ntohs(k->sport);
			p2 = peer;
		} else {
			p1 = ntohs(k->sport);
			p2 = ntohs(k->dport);
			one_way = 1;
		}
		break;
	default:
		/* other IP protocols: addresses and protocol only, no ports */
		has_ports = 0;
		break;
	}

	/* Smaller (address, port) endpoint first; one-way ICMP keeps its direction. */
	c = memcmp(a1, a2, alen);
	swap = !one_way && !(c < 0 || (c == 0 && p1 < p2));
	if (swap) {
		const uint8_t *ta = a1;
		uint16_t tp = p1;

		a1 = a2;
		a2 = ta;
		p1 = p2;
		p2 = tp;
	}

	buf[len++] = seed >> 8;
	buf[len++] = seed & 0xff;
	memcpy(buf + len, a1, alen);
	len += alen;
	memcpy(buf + len, a2, alen);
	len += alen;
	buf[len++] = k->proto;
	buf[len++] = 0;
	if (has_ports) {
		buf[len++] = p1 >> 8;
		buf[len++] = p1 & 0xff;
		buf[len++] = p2 >> 8;
		buf[len++] = p2 & 0xff;
	}

	_Static_assert(2 + 16 + 16 + 1 + 1 + 2 + 2 < 56, "Community ID input in one SHA-1 block");
	if (sha1_block(buf, len, digest))
		return -EIO;
	return 0;
}

/* "1:" + base64 of the digest: 20 bytes -> 28 characters, then the NUL, which
 * exactly fills @out. */
static void id_text(const uint8_t digest[COMMUNITY_ID_DIGEST_LEN], char out[COMMUNITY_ID_LEN])
{
	char *p = fmt_base64(out + 2, digest, COMMUNITY_ID_DIGEST_LEN);

	out[0] = '1';
	out[1] = ':';
	*p = '\0';
}

int community_id_v1(const struct xh_flow_key *k, uint16_t seed, char out[COMMUNITY_ID_LEN])
{
	uint8_t digest[COMMUNITY_ID_DIGEST_LEN];
	int err;

	err = community_id_digest(k, seed, digest);
	if (err) {
		out[0] = '\0';
		return err;
	}
	id_text(digest, out);
	return 0;
}

static uint64_t flow_id_of(const uint8_t digest[COMMUNITY_ID_DIGEST_LEN])
{
	uint64_t id = 0;

	for (int i = 0; i < 8; i++)
		id = id << 8 | digest[i];
	return id & ((1ULL << 53) - 1);
}

uint64_t community_id_flow_id(const struct xh_flow_key *k)
{
	uint8_t digest[COMMUNITY_ID_DIGEST_LEN];

	if (community_id_digest(k, 0, digest))
		return 0;
	return flow_id_of(digest);
}

int community_id_v1_flow(const struct xh_flow_key *k, char out[COMMUNITY_ID_LEN], uint64_t *flow_id)
{
	uint8_t digest[COMMUNITY_ID_DIGEST_LEN];
	int err;

	err = community_id_digest(k, 0, digest);
	if (err) {
		out[0] = '\0';
		*flow_id = 0;
		return err;
	}
	id_text(digest, out);
	*flow_id = flow_id_of(digest);
	return 0;
}
