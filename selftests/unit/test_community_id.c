// SPDX-License-Identifier: GPL-2.0
/* test_community_id.c: Community ID v1 against the spec's baseline vectors
 * (read at run time), plus direction, ICMP mapping and flow_id properties. */
#include <errno.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <linux/types.h>
#include <jansson.h>
#include "test.h"
#include "community_id.h"

/* <shared>/reference/community-id: $XH_SHARED_DIR, or the shared directory
 * beside the repository (-d <repo>/selftests/fixtures, or run from <repo>). */
static int vectors_dir(char *out, size_t n)
{
	const char *env_dir = getenv("XH_SHARED_DIR");
	char cand[3][4096];
	int nc = 0;

	if (env_dir && *env_dir)
		snprintf(cand[nc++], sizeof(cand[0]), "%s/reference/community-id", env_dir);
	snprintf(cand[nc++], sizeof(cand[0]), "%s/../../../shared/reference/community-id",
		 test_data_dir());
	snprintf(cand[nc++], sizeof(cand[0]), "../shared/reference/community-id");
	for (int i = 0; i < nc; i++) {
		char probe[4200];
		FILE *f;

		snprintf(probe, sizeof(probe), "%s/baseline_deflt.json", cand[i]);
		f = fopen(probe, "r");
		if (f) {
			fclose(f);
			snprintf(out, n, "%s", cand[i]);
			return 0;
		}
	}
	return -ENOENT;
}

static int key_from_json(json_t *v, struct xh_flow_key *k)
{
	const char *sa = json_string_value(json_object_get(v, "saddr"));
	const char *da = json_string_value(json_object_get(v, "daddr"));
	json_t *sp = json_object_get(v, "sport"), *dp = json_object_get(v, "dport");
	int af;

	memset(k, 0, sizeof(*k));
	if (!sa || !da)
		return -EINVAL;
	af = strchr(sa, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(af, sa, k->saddr) != 1 || inet_pton(af, da, k->daddr) != 1)
		return -EINVAL;
	k->family = af == AF_INET6 ? XH_AF_INET6 : XH_AF_INET;
	k->proto = json_integer_value(json_object_get(v, "proto"));
	k->sport = htons(json_is_integer(sp) ? json_integer_value(sp) : 0);
	k->dport = htons(json_is_integer(dp) ? json_integer_value(dp) : 0);
	return 0;
}

static void hex(const uint8_t *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* Runs every vector of one baseline file; returns the number checked. */
static int run_baseline(const char *dir, const char *file, uint16_t seed, int b64)
{
	char path[4200], got[64];
	json_error_t jerr;
	json_t *root, *v;
	size_t i;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	root = json_load_file(path, 0, &jerr);
	if (!ASSERT_OK_PTR(root, path))
		return 0;
	if (!ASSERT_TRUE(json_is_array(root) && json_array_size(root) > 0, "vector array"))
		goto out;
	json_array_foreach(root, i, v)
	{
		const char *want = json_string_value(json_object_get(v, "communityid"));
		struct xh_flow_key k, kr;
		uint8_t d[COMMUNITY_ID_DIGEST_LEN];

		test_subtest("%s#%zu", file, i);
		if (!ASSERT_OK(key_from_json(v, &k), "vector key") || !ASSERT_OK_PTR(want, "id"))
			continue;
		if (b64) {
			ASSERT_OK(community_id_v1(&k, seed, got), "community_id_v1");
		} else {
			ASSERT_OK(community_id_digest(&k, seed, d), "community_id_digest");
			memcpy(got, "1:", 2);
			hex(d, sizeof(d), got + 2);
		}
		ASSERT_STREQ(got, want, "community id");
		/* IPv4 uses word 0 only: junk in the rest must not matter */
		if (k.family == XH_AF_INET && b64) {
			kr = k;
			kr.saddr[1] = kr.daddr[3] = 0xdeadbeef;
			ASSERT_OK(community_id_v1(&kr, seed, got), "v4 junk");
			ASSERT_STREQ(got, want, "v4 ignores saddr[1..3]/daddr[1..3]");
		}
		n++;
	}
	test_subtest_end();
out:
	json_decref(root);
	return n;
}

void test_community_id_baseline(void)
{
	char dir[4096];

	if (vectors_dir(dir, sizeof(dir))) {
		test_skip("Community ID vectors not found (set XH_SHARED_DIR, or -d "
			  "<repo>/selftests/fixtures with ../shared beside the repo)");
		return;
	}
	ASSERT_EQ(run_baseline(dir, "baseline_deflt.json", 0, 1), 23, "deflt vectors");
	ASSERT_EQ(run_baseline(dir, "baseline_seed1.json", 1, 1), 23, "seed1 vectors");
	ASSERT_EQ(run_baseline(dir, "baseline_nob64.json", 0, 0), 23, "nob64 vectors");
}

static struct xh_flow_key v4key(const char *s, const char *d, uint8_t proto, uint16_t sp,
				uint16_t dp)
{
	struct xh_flow_key k = {};

	inet_pton(AF_INET, s, &k.saddr[0]);
	inet_pton(AF_INET, d, &k.daddr[0]);
	k.family = XH_AF_INET;
	k.proto = proto;
	k.sport = htons(sp);
	k.dport = htons(dp);
	return k;
}

static struct xh_flow_key v6key(const char *s, const char *d, uint8_t proto, uint16_t sp,
				uint16_t dp)
{
	struct xh_flow_key k = {};

	inet_pton(AF_INET6, s, k.saddr);
	inet_pton(AF_INET6, d, k.daddr);
	k.family = XH_AF_INET6;
	k.proto = proto;
	k.sport = htons(sp);
	k.dport = htons(dp);
	return k;
}

static void id_of(const struct xh_flow_key *k, char out[COMMUNITY_ID_LEN])
{
	ASSERT_OK(community_id_v1(k, 0, out), "community_id_v1");
}

/* Spec example: both directions give the same id; the text has the v1 shape. */
void test_community_id_properties(void)
{
	struct xh_flow_key a = v4key("10.0.0.1", "127.0.0.1", 6, 1234, 80);
	struct xh_flow_key b = v4key("127.0.0.1", "10.0.0.1", 6, 80, 1234);
	char ia[COMMUNITY_ID_LEN], ib[COMMUNITY_ID_LEN];
	uint8_t d[COMMUNITY_ID_DIGEST_LEN];

	id_of(&a, ia);
	id_of(&b, ib);
	ASSERT_STREQ(ia, ib, "tcp both directions");
	ASSERT_EQ(strlen(ia), COMMUNITY_ID_LEN - 1, "length");
	ASSERT_TRUE(strncmp(ia, "1:", 2) == 0 && ia[COMMUNITY_ID_LEN - 2] == '=', "shape");
	ASSERT_EQ(community_id_flow_id(&a), community_id_flow_id(&b), "flow_id both directions");
	ASSERT_LT(community_id_flow_id(&a), 1ULL << 53, "flow_id within 53 bits");
	ASSERT_NEQ(community_id_flow_id(&a), 0, "flow_id non-zero");

	/* flow_id is the first 8 bytes of the seed-0 digest, masked */
	ASSERT_OK(community_id_digest(&a, 0, d), "digest");
	{
		uint64_t want = 0;

		for (int i = 0; i < 8; i++)
			want = want << 8 | d[i];
		ASSERT_EQ(community_id_flow_id(&a), want & ((1ULL << 53) - 1), "flow_id bits");
	}

	/* a seed changes the id */
	ASSERT_OK(community_id_v1(&a, 1, ib), "seed 1");
	ASSERT_FALSE(strcmp(ia, ib) == 0, "seed changes id");

	/* unknown family */
	a.family = 7;
	ASSERT_EQ(community_id_v1(&a, 0, ia), -EINVAL, "unknown family");
	ASSERT_EQ(ia[0], '\0', "empty text on error");
	ASSERT_EQ(community_id_digest(&a, 0, d), -EINVAL, "digest unknown family");
	ASSERT_EQ(community_id_flow_id(&a), 0, "flow_id unknown family");

	/* other protocols: ports are not part of the hash */
	a = v4key("10.1.12.1", "10.1.12.2", 46, 0, 0);
	b = v4key("10.1.12.2", "10.1.12.1", 46, 777, 9);
	id_of(&a, ia);
	id_of(&b, ib);
	ASSERT_STREQ(ia, ib, "rsvp ignores ports and direction");
	ASSERT_STREQ(ia, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=", "rsvp spec value");
}

/* Request/reply types hash alike from both ends; one-way messages keep direction. */
void test_community_id_icmp_mapping(void)
{
	static const struct {
		int v6;
		uint8_t req, rep;
	} pairs[] = {
		{0, 8, 0},     {0, 13, 14},   {0, 15, 16},   {0, 10, 9},
		{0, 17, 18},   {1, 128, 129}, {1, 133, 134}, {1, 135, 136},
		{1, 130, 131}, {1, 139, 140}, {1, 144, 145},
	};
	char ia[COMMUNITY_ID_LEN], ib[COMMUNITY_ID_LEN];
	struct xh_flow_key a, b;

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		test_subtest("icmp%s %u<->%u", pairs[i].v6 ? "6" : "", pairs[i].req, pairs[i].rep);
		if (pairs[i].v6) {
			a = v6key("2001:db8::1", "2001:db8::2", 58, pairs[i].req, 0);
			b = v6key("2001:db8::2", "2001:db8::1", 58, pairs[i].rep, 0);
		} else {
			a = v4key("192.0.2.1", "192.0.2.2", 1, pairs[i].req, 0);
			b = v4key("192.0.2.2", "192.0.2.1", 1, pairs[i].rep, 0);
		}
		id_of(&a, ia);
		id_of(&b, ib);
		ASSERT_STREQ(ia, ib, "request and reply share an id");
		/* the code does not matter for two-way types */
		a.dport = htons(5);
		id_of(&a, ib);
		ASSERT_STREQ(ia, ib, "code ignored");
	}
	test_subtest_end();

	/* one-way: time exceeded and unreachable are hashed as (type, code), unswapped */
	a = v4key("10.0.0.2", "10.0.0.1", 1, 11, 0);
	b = v4key("10.0.0.1", "10.0.0.2", 1, 11, 0);
	id_of(&a, ia);
	id_of(&b, ib);
	ASSERT_FALSE(strcmp(ia, ib) == 0, "one-way keeps direction");
	a = v4key("10.0.0.1", "10.0.0.2", 1, 11, 0);
	id_of(&a, ia);
	ASSERT_STREQ(ia, "1:YHxtAirCG//0OzkcVAukqKQN9xM=", "time exceeded spec value");
	a = v4key("10.0.0.1", "10.0.0.2", 1, 3, 1);
	b = v4key("10.0.0.1", "10.0.0.2", 1, 3, 3);
	id_of(&a, ia);
	id_of(&b, ib);
	ASSERT_FALSE(strcmp(ia, ib) == 0, "one-way code matters");
	/* ICMPv6 mapping does not apply to ICMPv4 and vice versa */
	a = v4key("10.0.0.1", "10.0.0.2", 1, 128, 0);
	b = v4key("10.0.0.2", "10.0.0.1", 1, 129, 0);
	id_of(&a, ia);
	id_of(&b, ib);
	ASSERT_FALSE(strcmp(ia, ib) == 0, "128/129 is not a pair in ICMPv4");
}

/* The event path's one-digest call gives what the two separate calls give. */
void test_community_id_v1_flow_matches(void)
{
	struct xh_flow_key k = {};
	char a[COMMUNITY_ID_LEN], b[COMMUNITY_ID_LEN];
	uint64_t id = 1;

	k.family = XH_AF_INET6;
	k.proto = 17;
	k.saddr[0] = htonl(0x20010db8);
	k.saddr[3] = htonl(1);
	k.daddr[0] = htonl(0x20010db8);
	k.daddr[3] = htonl(2);
	k.sport = htons(5353);
	k.dport = htons(53);
	ASSERT_OK(community_id_v1_flow(&k, a, &id), "v1_flow");
	ASSERT_OK(community_id_v1(&k, 0, b), "v1");
	ASSERT_STREQ(a, b, "same text");
	ASSERT_EQ(id, community_id_flow_id(&k), "same flow id");
	ASSERT_LT(id, 1ULL << 53, "53 bits");
	k.family = 3;
	ASSERT_ERR(community_id_v1_flow(&k, a, &id), "unknown family");
	ASSERT_EQ(id, 0, "flow id 0 on error");
	ASSERT_STREQ(a, "", "empty text on error");
}
