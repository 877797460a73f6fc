// SPDX-License-Identifier: GPL-2.0
/* test_dcerpc_json.c: the "dcerpc" object and ATT&CK of dcerpc.* hits as
 * users read them: techniques by call where an interface serves benign
 * clients too, and Zerologon's calls named by what the kernel saw. */
#include <string.h>
#include <jansson.h>
#include <linux/types.h>
#include "test.h"
#include "xh_abi.h"
#include "dcerpc_table.h"
#include "events.h"

struct djx {
	struct dcerpc_table *t;
	struct event_sink s;
	struct xh_event e;
};

static int djx_open(struct djx *x)
{
	memset(x, 0, sizeof(*x));
	x->t = dcerpc_table__new();
	if (!ASSERT_OK_PTR(x->t, "table") ||
	    !ASSERT_GE(dcerpc_table_load_builtin(x->t), 1, "built-in table"))
		return -1;
	event_sink_init(&x->s, NULL, NULL, "t");
	x->s.dcerpc = x->t;
	x->e.family = XH_AF_INET;
	x->e.proto = 6;
	x->e.detail_kind = XH_DETAIL_DCERPC;
	x->e.d.dcerpc.transport = XH_RPC_TR_TCP;
	return 0;
}

static void djx_close(struct djx *x)
{
	event_sink_fini(&x->s);
	dcerpc_table__free(x->t);
}

/* A dcerpc.call of @ifname's @opnum (a bind when @opnum < 0), formatted. */
static json_t *hit(struct djx *x, const char *ifname, int opnum, __u8 flags)
{
	int i = dcerpc_table_find(x->t, ifname);
	json_error_t err;

	x->e.rule = opnum < 0 ? XH_RULE_DCERPC_BIND : XH_RULE_DCERPC_CALL;
	x->e.d.dcerpc.ptype = opnum < 0 ? 11 : 0;
	x->e.d.dcerpc.if_index = (__u16)i;
	x->e.d.dcerpc.opnum = (__u16)(opnum < 0 ? 0 : opnum);
	x->e.d.dcerpc.flags = flags;
	x->e.d.dcerpc.op_index = 0xffff;
	for (size_t k = 0; opnum >= 0 && k < x->t->n_ops; k++)
		if (x->t->ops[k].if_index == i && x->t->ops[k].opnum == opnum)
			x->e.d.dcerpc.op_index = (__u16)k;
	if (!ASSERT_GE(i, 0, ifname) ||
	    !ASSERT_OK(events_format(&x->s, &x->e, &x->s.jb), "events_format"))
		return NULL;
	return json_loadb(x->s.jb.buf, x->s.jb.len, 0, &err);
}

static const char *top_technique(json_t *j)
{
	return json_string_value(json_object_get(json_object_get(j, "attack"), "technique_id"));
}

/* The ids of the "dcerpc" object's attack array, joined by ','. */
static const char *all_techniques(json_t *j, char *out, size_t cap)
{
	json_t *a = json_object_get(json_object_get(j, "dcerpc"), "attack"), *v;
	size_t i, n = 0;

	out[0] = 0;
	json_array_foreach(a, i, v)
	{
		const char *id = json_string_value(json_object_get(v, "technique_id"));

		n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? "," : "", id ? id : "?");
		if (n >= cap)
			break;
	}
	return out;
}

/* A bind to svcctl, srvsvc or samr names no technique: reg.py starts
 * RemoteRegistry through svcctl, `net view` lists sessions through srvsvc.
 * Their calls do; atsvc's bind still does (every use schedules a job). */
void test_dcerpc_json_techniques_by_call(void)
{
	static const char *const quiet_binds[] = {"svcctl", "srvsvc", "samr", "netlogon"};
	char ids[128];
	struct djx x;
	json_t *j;

	if (djx_open(&x))
		goto out;
	for (size_t k = 0; k < sizeof(quiet_binds) / sizeof(quiet_binds[0]); k++) {
		j = hit(&x, quiet_binds[k], -1, 0);
		if (ASSERT_OK_PTR(j, quiet_binds[k]))
			ASSERT_NULL(json_object_get(j, "attack"), quiet_binds[k]);
		json_decref(j);
	}
	j = hit(&x, "atsvc", -1, 0);
	ASSERT_STREQ(top_technique(j), "T1053.002", "atsvc bind");
	json_decref(j);
	j = hit(&x, "svcctl", 12, 0);
	ASSERT_STREQ(all_techniques(j, ids, sizeof(ids)), "T1569.002,T1543.003", "RCreateServiceW");
	json_decref(j);
	j = hit(&x, "svcctl", 15, 0);
	ASSERT_NULL(json_object_get(j, "attack"), "ROpenSCManagerW: none");
	json_decref(j);
	j = hit(&x, "srvsvc", 15, 0);
	ASSERT_STREQ(top_technique(j), "T1135", "NetrShareEnum");
	json_decref(j);
	j = hit(&x, "srvsvc", 12, 0);
	ASSERT_STREQ(top_technique(j), "T1049", "NetrSessionEnum (net view)");
	json_decref(j);
out:
	djx_close(&x);
}

/* Netlogon's authentication calls are every domain member's: T1210 only
 * when the kernel saw Zerologon's zero credential (XH_DCERPC_F_ZERO_CRED). */
void test_dcerpc_json_zerologon(void)
{
	static const int ops[] = {15, 26, 30};
	char ids[128];
	struct djx x;
	json_t *j, *d;

	if (djx_open(&x))
		goto out;
	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		test_subtest("opnum %d", ops[k]);
		j = hit(&x, "netlogon", ops[k], 0);
		d = json_object_get(j, "dcerpc");
		if (ASSERT_OK_PTR(d, "dcerpc object")) {
			ASSERT_NULL(json_object_get(j, "attack"), "a real client's call: none");
			ASSERT_NULL(json_object_get(d, "zero_credential"), "no zero_credential");
			ASSERT_NULL(json_object_get(d, "cve"), "no cve");
		}
		json_decref(j);
		j = hit(&x, "netlogon", ops[k], XH_DCERPC_F_ZERO_CRED);
		d = json_object_get(j, "dcerpc");
		if (ASSERT_OK_PTR(d, "dcerpc object")) {
			ASSERT_STREQ(top_technique(j), "T1210", "Exploitation of Remote Services");
			ASSERT_STREQ(all_techniques(j, ids, sizeof(ids)), "T1210", "dcerpc.attack");
			ASSERT_TRUE(json_is_true(json_object_get(d, "zero_credential")),
				    "zero_credential");
			ASSERT_STREQ(json_string_value(json_object_get(d, "cve")), "CVE-2020-1472",
				     "cve");
			ASSERT_EQ(json_integer_value(json_object_get(d, "opnum")), ops[k], "opnum");
		}
		json_decref(j);
	}
	test_subtest_end();
	/* Tries repeated on one connection (sealed: the credential unread). */
	j = hit(&x, "netlogon", 15, XH_DCERPC_F_AUTH_TRIES);
	d = json_object_get(j, "dcerpc");
	if (ASSERT_OK_PTR(d, "dcerpc object")) {
		ASSERT_STREQ(top_technique(j), "T1210", "repeated tries: T1210");
		ASSERT_EQ(json_integer_value(json_object_get(d, "auth_tries")), XH_NRPC_AUTH_TRIES,
			  "auth_tries");
		ASSERT_NULL(json_object_get(d, "zero_credential"), "not read: no zero_credential");
		ASSERT_STREQ(json_string_value(json_object_get(d, "cve")), "CVE-2020-1472", "cve");
	}
	json_decref(j);
	/* The flag means nothing on a bind. */
	j = hit(&x, "netlogon", -1, XH_DCERPC_F_ZERO_CRED);
	ASSERT_NULL(json_object_get(j, "attack"), "bind: no technique");
	ASSERT_NULL(json_object_get(json_object_get(j, "dcerpc"), "cve"), "bind: no cve");
	json_decref(j);
	/* A table that gives the call T1210 itself lists it once. */
	if (ASSERT_EQ(dcerpc_table_load_text(x.t,
					     "op netlogon 26 NetrServerAuthenticate3 "
					     "T1210,T1557.001 mine\n",
					     "t"),
		      1, "table line")) {
		j = hit(&x, "netlogon", 26, XH_DCERPC_F_ZERO_CRED);
		ASSERT_STREQ(all_techniques(j, ids, sizeof(ids)), "T1210,T1557.001", "no repeat");
		json_decref(j);
	}
out:
	djx_close(&x);
}
