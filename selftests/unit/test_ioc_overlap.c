// SPDX-License-Identifier: GPL-2.0
/* test_ioc_overlap.c: the same traffic named by several feeds
 * (user/ioc_overlap.c): a block indicator wins over an alert one in either
 * load order, for the same key and for an alert prefix, address:port or
 * domain that a wider block prefix or parent domain covers, IPv4 and IPv6;
 * a key in two alert feeds is stored once, as the first loaded; and the hit
 * of a covered alert indicator says "blocked_by". */
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
