// SPDX-License-Identifier: GPL-2.0
/* test_ioc_overlap.c: the same traffic named by several feeds
 * (user/ioc_overlap.c): a block indicator wins over an alert one in either
 * load order, for the same key and for an alert prefix, address:port or
 * domain that a wider block prefix or parent domain covers, IPv4 and IPv6;
 * a key in two alert feeds is stored once, as the first loaded; the hit of
 * a covered alert indicator says "blocked_by"; and the hit of a key in
 * several feeds names the others in "also_in". */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/types.h>
#include <jansson.h>
#include "test.h"
#include "testio.h"
#include "xh_abi.h"
#include "ioc.h"
#include "ioc_maps.h"
#include "ioc_event.h"
#include "events.h"
#include "log.h"

static char dir[64];

static const char alert_csv[] = "indicator,feed,actor\n"
				"203.0.113.5,alertfeed,Lazarus\n" /* = a block indicator */
				"198.51.100.7,alertfeed,\n"	  /* in a block /24 */
				"2001:db8:bad::5,alertfeed,\n"	  /* in a block /48 */
				"192.0.2.9:8443,alertfeed,\n"	  /* in a block /28 */
				"a.evil.example,alertfeed,\n"	  /* below a block domain */
				"evil.example.net,alertfeed,\n"	  /* not below it */
				"192.0.2.88,alertfeed,\n"	  /* block has only :443 */
				"2001:db8:bac::/47,alertfeed,\n"  /* wider than the block */
				"203.0.113.6,alertfeed,first\n";  /* also in alert2 */
static const char alert2_csv[] = "indicator,feed,actor\n"
				 "203.0.113.6,alertfeed2,second\n";
static const char block_txt[] = "203.0.113.5\n198.51.100.0/24\n2001:db8:bad::/48\n"
				"192.0.2.0/28\nevil.example\n192.0.2.88:443\n";

static int load_quiet(struct ioc_set *set, const char *path, uint8_t action)
{
	struct ioc_file_opts o = {.action = action};
	struct test_stderr c;
	int ret;

	test_stderr_begin(&c);
	ret = ioc_set_load_file_opts(set, path, &o);
	test_stderr_end(&c, NULL, 0);
	return ret;
}

static void mkfeed(const char *name, const char *text, char *path, size_t n)
{
	test_write_file(dir, name, text, path, n);
}

/* The entry stored for the indicator @ind (normalised text), or NULL. */
static const struct ioc_entry *stored(const struct ioc_set *set, const char *ind)
{
	char buf[IOC_TEXT_MAX];

	for (size_t i = 0; i < ioc_set_count(set); i++) {
		const struct ioc_entry *e = ioc_set_at(set, i);

		if (ioc_set_stored(set, e) &&
		    !strcmp(ioc_entry_text(set, e, buf, sizeof(buf)), ind))
			return e;
	}
	return NULL;
}

/* What the maps hold for @ind: block (1) or not (0); -1 when not stored. */
static int blocks(const struct ioc_set *set, const char *ind)
{
	const struct ioc_entry *e = stored(set, ind);

	return e ? !!(ioc_maps_ref(set, e->id, 0) & XH_IOC_F_BLOCK) : -1;
}

static const char *blocker(const struct ioc_set *set, const char *ind)
{
	static char buf[IOC_TEXT_MAX];
	const struct ioc_entry *e = stored(set, ind), *b = e ? ioc_set_blocked_by(set, e) : NULL;

	return b ? ioc_entry_text(set, b, buf, sizeof(buf)) : "(none)";
}

static const char *actor(const struct ioc_set *set, const char *ind)
{
	const struct ioc_entry *e = stored(set, ind);
	const struct ioc_meta *m = e ? ioc_set_meta(set, e) : NULL;

	return m && ioc_str(set, m->actor) ? ioc_str(set, m->actor) : "(none)";
}

void test_ioc_block_wins(void)
{
	char alert[128], alert2[128], block[128];

	if (!ASSERT_OK_PTR(mkdtemp(strcpy(dir, "/tmp/xh_ovl_XXXXXX")), "dir"))
		return;
	mkfeed("alert.csv", alert_csv, alert, sizeof(alert));
	mkfeed("alert2.csv", alert2_csv, alert2, sizeof(alert2));
	mkfeed("block.txt", block_txt, block, sizeof(block));
	for (int order = 0; order < 2; order++) {
		struct ioc_set *set = ioc_set__new();
		int ok = ASSERT_OK_PTR(set, "set");

		if (ok && order == 0)
			ok = load_quiet(set, alert, IOC_ACTION_ALERT) > 0 &&
			     load_quiet(set, alert2, IOC_ACTION_ALERT) > 0 &&
			     load_quiet(set, block, IOC_ACTION_BLOCK) > 0;
		else if (ok)
			ok = load_quiet(set, block, IOC_ACTION_BLOCK) > 0 &&
			     load_quiet(set, alert2, IOC_ACTION_ALERT) > 0 &&
			     load_quiet(set, alert, IOC_ACTION_ALERT) > 0;
		if (!ASSERT_TRUE(ok, "feeds load") || !ASSERT_OK(ioc_set_settle(set), "settle")) {
			ioc_set__free(set);
			break;
		}
		printf("  order %s\n", order ? "block, alert2, alert" : "alert, alert2, block");
		/* the same address in an alert and a block feed: one entry, block */
		ASSERT_EQ(blocks(set, "203.0.113.5"), 1, "same address: block");
		ASSERT_STREQ(actor(set, "203.0.113.5"), order ? "(none)" : "Lazarus",
			     "same address: the first loaded entry's metadata");
		/* alert host prefixes inside block prefixes: the LPM gives the host */
		ASSERT_EQ(blocks(set, "198.51.100.7"), 1, "alert /32 in a block /24");
		ASSERT_STREQ(blocker(set, "198.51.100.7"), "198.51.100.0/24", "blocked_by the /24");
		ASSERT_EQ(blocks(set, "2001:db8:bad::5"), 1, "alert /128 in a block /48");
		ASSERT_STREQ(blocker(set, "2001:db8:bad::5"), "2001:db8:bad::/48",
			     "blocked_by the /48");
		ASSERT_EQ(blocks(set, "192.0.2.9:8443"), 1, "alert address:port in a block /28");
		ASSERT_EQ(blocks(set, "a.evil.example"), 1, "alert name below a block domain");
		ASSERT_STREQ(blocker(set, "a.evil.example"), "evil.example",
			     "blocked_by the domain");
		/* what no block indicator covers stays alert */
		ASSERT_EQ(blocks(set, "evil.example.net"), 0, "another domain: alert");
		ASSERT_EQ(blocks(set, "192.0.2.88"), 0, "a block address:port does not cover it");
		ASSERT_EQ(blocks(set, "192.0.2.88:443"), 1, "the block address:port itself");
		ASSERT_EQ(blocks(set, "2001:db8:bac::/47"), 0, "wider than the block: alert");
		ASSERT_EQ(blocks(set, "192.0.2.0/28"), 1, "block prefix");
		/* a key in two alert feeds: stored once, the first loaded */
		ASSERT_STREQ(actor(set, "203.0.113.6"), order ? "second" : "first",
			     "two alert feeds: the first loaded");
		ASSERT_EQ(blocks(set, "203.0.113.6"), 0, "two alert feeds: alert");
		ioc_set__free(set);
	}
	unlink(alert);
	unlink(alert2);
	unlink(block);
	rmdir(dir);
}

/* The hit of an alert indicator that a block prefix covers. */
void test_ioc_blocked_by_json(void)
{
	struct ioc_set *set = ioc_set__new();
	char alert[128], block[128];
	struct event_sink s;
	struct xh_event e = {};
	json_t *j = NULL, *ioc;
	int err;

	if (!ASSERT_OK_PTR(set, "set") ||
	    !ASSERT_OK_PTR(mkdtemp(strcpy(dir, "/tmp/xh_ovl_XXXXXX")), "dir"))
		goto out;
	mkfeed("alert.csv", alert_csv, alert, sizeof(alert));
	mkfeed("block.txt", block_txt, block, sizeof(block));
	if (!ASSERT_GE(load_quiet(set, alert, IOC_ACTION_ALERT), 1, "alert") ||
	    !ASSERT_GE(load_quiet(set, block, IOC_ACTION_BLOCK), 1, "block") ||
	    !ASSERT_OK(ioc_set_settle(set), "settle"))
		goto out;
	event_sink_init(&s, NULL, set, "h");
	e.family = XH_AF_INET;
	e.proto = 6;
	inet_pton(AF_INET, "192.0.2.10", e.saddr);
	inet_pton(AF_INET, "198.51.100.7", e.daddr);
	e.sport = htons(40000);
	e.dport = htons(443);
	e.rule = XH_RULE_IOC_DEST;
	e.action = XH_ACTION_DROP;
	e.ioc_id = ioc_maps_ref(set, stored(set, "198.51.100.7")->id, 0);
	err = events_format(&s, &e, &s.jb);
	if (ASSERT_OK(err, "format"))
		j = json_loadb(s.jb.buf, s.jb.len, 0, NULL);
	if (ASSERT_OK_PTR(j, "json")) {
		ioc = json_object_get(j, "ioc");
		ASSERT_STREQ(json_string_value(json_object_get(ioc, "indicator")), "198.51.100.7",
			     "the alert indicator");
		ASSERT_STREQ(json_string_value(json_object_get(ioc, "feed")), "alertfeed",
			     "its feed");
		ASSERT_STREQ(json_string_value(json_object_get(ioc, "feed_action")), "alert",
			     "its feed's action");
		ASSERT_STREQ(json_string_value(json_object_get(json_object_get(ioc, "blocked_by"),
							       "indicator")),
			     "198.51.100.0/24", "blocked_by.indicator");
		ASSERT_STREQ(json_string_value(
				     json_object_get(json_object_get(ioc, "blocked_by"), "feed")),
			     block, "blocked_by.feed: the block file");
		ASSERT_STREQ(json_string_value(json_object_get(j, "action")), "drop", "action");
		json_decref(j);
	}
	event_sink_fini(&s);
out:
	ioc_set__free(set);
	unlink(alert);
	unlink(block);
	rmdir(dir);
}

/* The ioc object of a hit on the stored entry of @ind (to its address, or a
 * DNS query of it for a domain), as JSON; NULL on failure. */
static json_t *hit_ioc(const struct ioc_set *set, const char *ind)
{
	const struct ioc_entry *ie = stored(set, ind);
	struct event_sink s;
	struct xh_event e = {};
	json_t *j = NULL, *ioc = NULL;

	if (!ie)
		return NULL;
	event_sink_init(&s, NULL, set, "h");
	e.family = ie->kind == IOC_KIND_DOMAIN ? XH_AF_INET : ie->family;
	e.proto = ie->kind == IOC_KIND_DOMAIN ? 17 : 6;
	if (ie->kind == IOC_KIND_DOMAIN) {
		inet_pton(AF_INET, "192.0.2.10", e.saddr);
		inet_pton(AF_INET, "192.0.2.53", e.daddr);
		e.dport = htons(53);
		e.rule = XH_RULE_IOC_DNS;
		e.detail_kind = XH_DETAIL_IOC_NAME;
		e.name_len = (uint16_t)snprintf((char *)e.name, sizeof(e.name), "www.%s", ind);
		e.d.ioc.qtype = 1;
	} else {
		inet_pton(e.family == XH_AF_INET ? AF_INET : AF_INET6,
			  e.family == XH_AF_INET ? "192.0.2.10" : "2001:db8::10", e.saddr);
		memcpy(e.daddr, ie->addr, sizeof(e.daddr));
		e.dport = htons(ie->port ? ie->port : 443);
		e.rule = XH_RULE_IOC_DEST;
	}
	e.sport = htons(40000);
	e.ioc_id = ioc_maps_ref(set, ie->id, 0);
	if (!events_format(&s, &e, &s.jb))
		j = json_loadb(s.jb.buf, s.jb.len, 0, NULL);
	if (j)
		ioc = json_incref(json_object_get(j, "ioc"));
	json_decref(j);
	event_sink_fini(&s);
	return ioc;
}

/* "feed=action" of each also_in element, joined by spaces, in @buf. */
static const char *also_feeds(json_t *ioc, char *buf, size_t len)
{
	json_t *also = json_object_get(ioc, "also_in"), *el;
	size_t i, w = 0;

	buf[0] = '\0';
	json_array_foreach(also, i, el) w +=
		(size_t)snprintf(buf + w, len - w, "%s%s=%s", i ? " " : "",
				 json_string_value(json_object_get(el, "feed")),
				 json_string_value(json_object_get(el, "feed_action")));
	return buf;
}

/* The same indicator in several feeds: the hit keeps the first loaded
 * entry and names the other feeds, each once, in load order, at most
 * IOC_ALSO_IN_MAX of them and the count of the rest. */
void test_ioc_also_in_json(void)
{
	static const char a_csv[] = "indicator,feed,actor,confidence\n"
				    "203.0.113.6,feedA,Actor A,high\n"
				    "Evil.Example.,feedA,,\n"
				    "2001:db8:c2::6,feedA,,\n"
				    "192.0.2.9:8443,feedA,,\n"
				    "198.51.100.0/24,feedA,,\n"
				    "192.0.2.200,feedA,,\n";
	static const char b_txt[] = "203.0.113.6/32\nevil.example\n[2001:db8:c2::6]:443\n"
				    "2001:db8:c2:0::6\n192.0.2.9:8443\n198.51.100.7\n";
	static const char c_csv[] = "indicator,feed,actor,confidence\n"
				    "203.0.113.6,feedC,Actor C,medium\n"
				    "203.0.113.6,feedC,Actor C2,low\n" /* feedC again: once */
				    "203.0.113.6,feedA,,\n"	       /* the hit's own feed */
				    "198.51.100.9/24,feedC,,\n";       /* = 198.51.100.0/24 */
	static const char d_txt[] = "203.0.113.6\n";
	char a[128], b[128], c[128], d[128], many[128], want[1024], got[1024];
	struct ioc_set *set = ioc_set__new();
	json_t *ioc = NULL, *el;
	char *big = NULL;
	size_t w = 0, n;

	if (!ASSERT_OK_PTR(set, "set") ||
	    !ASSERT_OK_PTR(mkdtemp(strcpy(dir, "/tmp/xh_ovl_XXXXXX")), "dir"))
		goto out;
	mkfeed("a.csv", a_csv, a, sizeof(a));
	mkfeed("b.txt", b_txt, b, sizeof(b));
	mkfeed("c.csv", c_csv, c, sizeof(c));
	mkfeed("d.txt", d_txt, d, sizeof(d));
	/* 192.0.2.77 in twelve feeds; 192.0.2.88 in 40 rows of one file, 6
	 * feed names (more than a short scan: sorted by feed name) */
	big = malloc(4096);
	if (!ASSERT_OK_PTR(big, "buffer"))
		goto out;
	w = (size_t)snprintf(big, 4096, "indicator,feed\n");
	for (int i = 0; i < 40; i++)
		w += (size_t)snprintf(big + w, 4096 - w, "192.0.2.88,f%d\n",
				      i < 30	? (7 * i) % 5
				      : i == 39 ? 5
						: 0);
	for (int i = 0; i < 12; i++)
		w += (size_t)snprintf(big + w, 4096 - w, "192.0.2.77,feed%02d\n", i);
	mkfeed("many.csv", big, many, sizeof(many));
	if (!ASSERT_GE(load_quiet(set, a, IOC_ACTION_ALERT), 1, "a") ||
	    !ASSERT_GE(load_quiet(set, b, IOC_ACTION_ALERT), 1, "b") ||
	    !ASSERT_GE(load_quiet(set, c, IOC_ACTION_ALERT), 1, "c") ||
	    !ASSERT_GE(load_quiet(set, d, IOC_ACTION_BLOCK), 1, "d") ||
	    !ASSERT_GE(load_quiet(set, many, IOC_ACTION_ALERT), 1, "many") ||
	    !ASSERT_OK(ioc_set_settle(set), "settle"))
		goto out;

	/* four feeds: the first loaded is the hit's, the others in order */
	ioc = hit_ioc(set, "203.0.113.6");
	if (ASSERT_OK_PTR(ioc, "hit 203.0.113.6")) {
		ASSERT_STREQ(json_string_value(json_object_get(ioc, "feed")), "feedA",
			     "the first loaded entry's feed");
		ASSERT_STREQ(json_string_value(json_object_get(ioc, "actor")), "Actor A",
			     "and metadata");
		snprintf(want, sizeof(want), "%s=alert feedC=alert %s=block", b, d);
		ASSERT_STREQ(also_feeds(ioc, got, sizeof(got)), want,
			     "also_in: the other feeds, each once, in load order");
		el = json_array_get(json_object_get(ioc, "also_in"), 1);
		ASSERT_STREQ(json_string_value(json_object_get(el, "actor")), "Actor C",
			     "a feed's first entry: its actor");
		ASSERT_STREQ(json_string_value(json_object_get(el, "confidence")), "medium",
			     "and confidence");
		ASSERT_NULL(json_object_get(json_array_get(json_object_get(ioc, "also_in"), 0),
					    "actor"),
			    "no actor where the feed gives none");
		ASSERT_NULL(json_object_get(ioc, "also_in_more"), "all shown: no also_in_more");
		ASSERT_STREQ(json_string_value(json_object_get(ioc, "feed_action")), "alert",
			     "the hit's own feed action");
		ASSERT_STREQ(json_string_value(
				     json_object_get(json_object_get(ioc, "blocked_by"), "feed")),
			     d, "blocked_by the block feed listing it");
	}
	json_decref(ioc);
	/* the same domain, prefix, address:port and IPv6 address as normalised */
	ioc = hit_ioc(set, "evil.example");
	snprintf(want, sizeof(want), "%s=alert", b);
	ASSERT_STREQ(ioc ? also_feeds(ioc, got, sizeof(got)) : "(no hit)", want, "a domain");
	json_decref(ioc);
	ioc = hit_ioc(set, "198.51.100.0/24");
	ASSERT_STREQ(ioc ? also_feeds(ioc, got, sizeof(got)) : "(no hit)", "feedC=alert",
		     "a prefix (host bits cleared), not an address inside it");
	json_decref(ioc);
	ioc = hit_ioc(set, "192.0.2.9:8443");
	ASSERT_STREQ(ioc ? also_feeds(ioc, got, sizeof(got)) : "(no hit)", want, "address:port");
	json_decref(ioc);
	ioc = hit_ioc(set, "2001:db8:c2::6");
	ASSERT_STREQ(ioc ? also_feeds(ioc, got, sizeof(got)) : "(no hit)", want,
		     "IPv6 address, not its address:port");
	json_decref(ioc);
	/* in one feed only: no also_in */
	ioc = hit_ioc(set, "192.0.2.200");
	if (ASSERT_OK_PTR(ioc, "hit 192.0.2.200"))
		ASSERT_NULL(json_object_get(ioc, "also_in"), "one feed: no also_in");
	json_decref(ioc);
	ioc = hit_ioc(set, "198.51.100.7");
	if (ASSERT_OK_PTR(ioc, "hit 198.51.100.7"))
		ASSERT_NULL(json_object_get(ioc, "also_in"), "an address in a listed prefix: none");
	json_decref(ioc);
	/* twelve feeds: the hit's, IOC_ALSO_IN_MAX named, the rest counted */
	ioc = hit_ioc(set, "192.0.2.77");
	w = 0;
	for (int i = 1; i <= IOC_ALSO_IN_MAX; i++)
		w += (size_t)snprintf(want + w, sizeof(want) - w, "%sfeed%02d=alert",
				      i > 1 ? " " : "", i);
	ASSERT_STREQ(ioc ? also_feeds(ioc, got, sizeof(got)) : "(no hit)", want,
		     "the first IOC_ALSO_IN_MAX other feeds");
	ASSERT_EQ(json_integer_value(json_object_get(ioc, "also_in_more")), 11 - IOC_ALSO_IN_MAX,
		  "also_in_more: the rest");
	json_decref(ioc);
	/* 40 entries of one key in one file, six feed names */
	ioc = hit_ioc(set, "192.0.2.88");
	ASSERT_STREQ(ioc ? json_string_value(json_object_get(ioc, "feed")) : "(no hit)", "f0",
		     "40 entries: the first's feed");
	ASSERT_STREQ(ioc ? also_feeds(ioc, got, sizeof(got)) : "(no hit)",
		     "f2=alert f4=alert f1=alert f3=alert f5=alert",
		     "40 entries: each other feed once, by first appearance");
	json_decref(ioc);
	ASSERT_NULL(ioc_set_also(set, stored(set, "192.0.2.200"), &n), "ioc_set_also: none");
	ASSERT_EQ(n, 0, "ioc_set_also: 0");
	ASSERT_OK_PTR(ioc_set_also(set, stored(set, "203.0.113.6"), &n), "ioc_set_also: some");
	ASSERT_EQ(n, 3, "ioc_set_also: three other feeds");
out:
	free(big);
	ioc_set__free(set);
	unlink(a);
	unlink(b);
	unlink(c);
	unlink(d);
	unlink(many);
	rmdir(dir);
}
