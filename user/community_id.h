/* SPDX-License-Identifier: GPL-2.0 */
/* community_id.h: Community ID v1 flow hashes (corelight/community-id-spec). */
#ifndef XH_COMMUNITY_ID_H
#define XH_COMMUNITY_ID_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "xh_abi.h"

/* "1:" + base64 of a SHA-1 digest (28 chars) + NUL */
#define COMMUNITY_ID_LEN	31
#define COMMUNITY_ID_DIGEST_LEN 20

/* SHA-1 digest of the Community ID v1 input for the tuple @k (addresses and
 * ports in network byte order, as the kernel gives them; for ICMP and ICMPv6
 * sport/dport hold type/code as the raw host values 0..255 stored in network
 * order, and the spec's type/code-to-port mapping is applied here). The
 * endpoint order of @k does not matter, except for one-way ICMP messages
 * (errors, redirects...), whose direction the spec keeps in the hash. Other IP
 * protocols hash addresses and protocol only (ports ignored). Returns 0,
 * -EINVAL (unknown family) or -EIO (libcrypto failure). */
int community_id_digest(const struct xh_flow_key *k, uint16_t seed,
			uint8_t digest[COMMUNITY_ID_DIGEST_LEN]);

/* Community ID v1 text ("1:" + base64) into @out. Returns 0 or -errno as above. */
int community_id_v1(const struct xh_flow_key *k, uint16_t seed, char out[COMMUNITY_ID_LEN]);

/* Stable flow id for the JSON "flow_id": the first 8 bytes of the seed-0
 * digest, masked to 53 bits so that JSON readers with doubles keep it exact.
 * Both directions of a flow give the same id (one-way ICMP: see above).
 * Returns 0 for an unknown family. */
uint64_t community_id_flow_id(const struct xh_flow_key *k);

/* Both of the above (seed 0) from one digest: the event path's call.
 * Returns 0 or -EINVAL/-EIO (then out is "" and *flow_id 0). */
int community_id_v1_flow(const struct xh_flow_key *k, char out[COMMUNITY_ID_LEN],
			 uint64_t *flow_id);

/* 1 when ICMP (@v6: ICMPv6) type @type is one of a request/reply pair (the
 * spec's table, from Zeek; bpf/parse.h has the same), with the other type
 * of the pair in *@peer; 0 for a one-way message. */
int community_id_icmp_peer(int v6, unsigned int type, unsigned int *peer);

#endif
