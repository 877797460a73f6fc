// SPDX-License-Identifier: GPL-2.0
/* ioc_stix.c: STIX 2.1 bundles (read with jansson). Indicator objects whose
 * pattern compares ipv4-addr:value, ipv6-addr:value or domain-name:value with
 * '=' (or ISSUBSET for a CIDR), alone or joined by OR inside or between
 * observation expressions, give one indicator per comparison. Anything else
 * (AND, qualifiers, other object paths, other pattern languages) is skipped
 * and counted, naming the JSON path. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <linux/types.h>
#include "xh_abi.h"
#include "ioc_int.h"
#include "log.h"

#define STIX_MAX_CMP 256 /* comparisons in one pattern */

struct stix_cmp {
	const char *path; /* "ipv4-addr" ... */
	char value[256];
};

struct lex {
	const char *p;
};

static void skip_ws(struct lex *l)
{
	while (isspace((unsigned char)*l->p))
		l->p++;
}

static int accept(struct lex *l, const char *tok)
{
	size_t n = strlen(tok);

	skip_ws(l);
	if (strncmp(l->p, tok, n))
		return 0;
	/* keywords end at a non-identifier character */
	if (isalpha((unsigned char)tok[0]) && (isalnum((unsigned char)l->p[n]) || l->p[n] == '_'))
		return 0;
	l->p += n;
	return 1;
}

/* One comparison: path ('=' | ISSUBSET) 'string'. */
static int parse_cmp(struct lex *l, struct stix_cmp *c, const char **why)
{
	static const char *const paths[] = {"ipv4-addr:value", "ipv6-addr:value",
					    "domain-name:value"};
	size_t n = 0;
	int i;

	skip_ws(l);
	for (i = 0; i < 3; i++) {
		size_t m = strlen(paths[i]);

		if (!strncmp(l->p, paths[i], m) && !isalnum((unsigned char)l->p[m]) &&
		    l->p[m] != '_' && l->p[m] != '.' && l->p[m] != '[') {
			l->p += m;
			c->path = paths[i];
			break;
		}
	}
	if (i == 3) {
		*why = "object path other than ipv4-addr:value, ipv6-addr:value, domain-name:value";
		return -1;
	}
	if (!accept(l, "=") && !accept(l, "ISSUBSET")) {
		*why = "operator other than = or ISSUBSET";
		return -1;
	}
	skip_ws(l);
	if (*l->p != '\'') {
		*why = "value is not a string literal";
		return -1;
	}
	l->p++;
	for (;;) {
		char ch = *l->p;

		if (!ch) {
			*why = "unterminated string literal";
			return -1;
		}
		l->p++;
		if (ch == '\'')
			break;
		if (ch == '\\') {
			ch = *l->p;
			if (ch != '\\' && ch != '\'') {
				*why = "bad escape in string literal";
				return -1;
			}
			l->p++;
		}
		if (n + 1 >= sizeof(c->value)) {
			*why = "value too long";
			return -1;
		}
		c->value[n++] = ch;
	}
	c->value[n] = '\0';
	return 0;
}

/* pattern := '[' cmp (OR cmp)* ']' (OR '[' ... ']')*. Returns the number of
 * comparisons or -1 with *why. */
static int parse_pattern(const char *pat, struct stix_cmp *cmp, int max, const char **why)
{
	struct lex l = {.p = pat};
	int n = 0;

	do {
		if (!accept(&l, "[")) {
			*why = "expected '[' (only OR of comparisons is used)";
			return -1;
		}
		do {
			if (n == max) {
				*why = "too many comparisons";
				return -1;
			}
			if (parse_cmp(&l, &cmp[n++], why))
				return -1;
		} while (accept(&l, "OR"));
		if (!accept(&l, "]")) {
			*why = "expected ']' (AND and other operators are not used)";
			return -1;
		}
	} while (accept(&l, "OR"));
	skip_ws(&l);
	if (*l.p) {
		*why = "text after the pattern (qualifiers, AND, FOLLOWEDBY are not used)";
		return -1;
	}
	return n;
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* STIX 2.1 Appendix A "None/Low/Med/High" scale. */
static const char *confidence_word(json_t *v)
{
	json_int_t c;

	if (!json_is_integer(v))
		return NULL;
	c = json_integer_value(v);
	if (c < 0 || c > 100)
		return NULL;
	return c == 0 ? "none" : c < 30 ? "low" : c < 70 ? "medium" : "high";
}

static uint32_t pool(struct ioc_load *ld, const char *s, int *err)
{
	return s && !*err ? ioc_pool_add(ld->set, s, strlen(s), err) : 0;
}

/* Names of the intrusion sets / threat actors / campaigns an indicator
 * "indicates", by relationship objects: indicator id -> "a; b". */
static json_t *actor_index(json_t *objs)
{
	json_t *names = json_object(), *idx = json_object(), *o;
	size_t i;

	if (!names || !idx)
		goto fail;
	json_array_foreach(objs, i, o)
	{
		const char *t = jstr(o, "type"), *id = jstr(o, "id"), *nm = jstr(o, "name");

		if (t && id && nm &&
		    (!strcmp(t, "intrusion-set") || !strcmp(t, "threat-actor") ||
		     !strcmp(t, "campaign")))
			json_object_set_new(names, id, json_string(nm));
	}
	json_array_foreach(objs, i, o)
	{
		const char *t = jstr(o, "type"), *rt = jstr(o, "relationship_type");
		const char *src = jstr(o, "source_ref"), *dst = jstr(o, "target_ref"), *nm, *old;
		char buf[1024];

		if (!t || strcmp(t, "relationship") || !rt || strcmp(rt, "indicates") || !src ||
		    !dst)
			continue;
		nm = jstr(names, dst);
		if (!nm)
			continue;
		old = jstr(idx, src);
		snprintf(buf, sizeof(buf), "%s%s%s", old ? old : "", old ? "; " : "", nm);
		json_object_set_new(idx, src, json_string(buf));
	}
	json_decref(names);
	return idx;
fail:
	json_decref(names);
	json_decref(idx);
	return NULL;
}

/* Replace every NUL (JSON's \u0000, RFC 8259 allows it) in the string values
 * under @j by U+FFFD, in place: the reader and the pool take C strings, where
 * a NUL would cut a description short and a pattern or an id too (a cut
 * pattern could even read as another indicator). Returns how many strings
 * held one, or -ENOMEM. Depth: jansson's parser stops at 2048. */
static long nul_to_fffd(json_t *j)
{
	long n = 0, r;
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_string(j)) {
		const char *s = json_string_value(j);
		size_t len = json_string_length(j), w = 0;
		char *t;

		if (strlen(s) == len)
			return 0;
		t = malloc(len * 3 + 1);
		if (!t)
			return -ENOMEM;
		for (i = 0; i < len; i++) {
			if (s[i]) {
				t[w++] = s[i];
				continue;
			}
			memcpy(t + w, "\xef\xbf\xbd", 3);
			w += 3;
		}
		r = json_string_setn_nocheck(j, t, w);
		free(t);
		return r ? -ENOMEM : 1;
	}
	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
		{
			r = nul_to_fffd(v);
			if (r < 0)
				return r;
			n += r;
		}
	} else if (json_is_object(j)) {
		json_object_foreach(j, k, v)
		{
			r = nul_to_fffd(v);
			if (r < 0)
				return r;
			n += r;
		}
	}
	return n;
}

int ioc_read_stix(struct ioc_load *ld, const char *buf, size_t len)
{
	json_t *root, *objs, *o, *actors = NULL, *idents;
	struct stix_cmp *cmp = NULL;
	json_error_t jerr;
	const char *t, *why;
	int added = 0, err = 0;
	size_t i;

	long nuls;

	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (!root) {
		ioc_bad(ld, IOC_ERR_JSON, (unsigned int)(jerr.line > 0 ? jerr.line : 0),
			"invalid JSON (column %d): %s", jerr.column, jerr.text);
		return -EINVAL;
	}
	nuls = nul_to_fffd(root);
	if (nuls < 0) {
		json_decref(root);
		return (int)nuls;
	}
	if (nuls)
		pr_info("ioc: %s: %ld strings hold a NUL (\\u0000), read with U+FFFD in its "
			"place\n",
			ld->path, nuls);
	t = json_is_object(root) ? jstr(root, "type") : NULL;
	objs = json_is_object(root) ? json_object_get(root, "objects") : NULL;
	if (!t || strcmp(t, "bundle") || !json_is_array(objs)) {
		ioc_bad(ld, IOC_ERR_JSON, 0,
			"$: not a STIX 2.1 bundle (needs \"type\": \"bundle\" and an \"objects\" "
			"array)");
		json_decref(root);
		return -EINVAL;
	}
	cmp = calloc(STIX_MAX_CMP, sizeof(*cmp));
	actors = actor_index(objs);
	idents = json_object();
	if (!cmp || !actors || !idents) {
		err = -ENOMEM;
		goto out;
	}
	json_array_foreach(objs, i, o)
	{
		const char *id = jstr(o, "id"), *nm = jstr(o, "name");

		t = jstr(o, "type");
		if (t && !strcmp(t, "identity") && id && nm)
			json_object_set_new(idents, id, json_string(nm));
	}
	json_array_foreach(objs, i, o)
	{
		const char *pat, *ptype, *feed, *ref = NULL;
		json_t *refs, *r0;
		struct ioc_meta m = {};
		uint32_t meta;
		int n;

		t = jstr(o, "type");
		if (!t) {
			ioc_skip(ld, IOC_ERR_STIX_SKIPPED,
				 "$.objects[%zu]: object without a type, skipped", i);
			continue;
		}
		if (strcmp(t, "indicator"))
			continue;
		if (json_is_true(json_object_get(o, "revoked"))) {
			ioc_skip(ld, IOC_ERR_STIX_SKIPPED,
				 "$.objects[%zu]: revoked indicator, skipped", i);
			continue;
		}
		ptype = jstr(o, "pattern_type");
		pat = jstr(o, "pattern");
		if (ptype && strcmp(ptype, "stix")) {
			ioc_skip(ld, IOC_ERR_STIX_SKIPPED,
				 "$.objects[%zu].pattern_type: '%s' patterns are not used, skipped",
				 i, ptype);
			continue;
		}
		if (!pat) {
			ioc_skip(ld, IOC_ERR_STIX_SKIPPED,
				 "$.objects[%zu].pattern: missing, skipped", i);
			continue;
		}
		n = parse_pattern(pat, cmp, STIX_MAX_CMP, &why);
		if (n < 0) {
			ioc_skip(ld, IOC_ERR_STIX_SKIPPED,
				 "$.objects[%zu].pattern: cannot use '%.200s': %s, skipped", i, pat,
				 why);
			continue;
		}
		feed = jstr(idents, jstr(o, "created_by_ref") ? jstr(o, "created_by_ref") : "");
		refs = json_object_get(o, "external_references");
		r0 = json_is_array(refs) ? json_array_get(refs, 0) : NULL;
		if (r0) {
			if (!feed)
				feed = jstr(r0, "source_name");
			ref = jstr(r0, "description") ? jstr(r0, "description") : jstr(r0, "url");
		}
		m.feed = pool(ld, feed, &err);
		m.actor = pool(ld, jstr(actors, jstr(o, "id") ? jstr(o, "id") : ""), &err);
		m.confidence = pool(ld, confidence_word(json_object_get(o, "confidence")), &err);
		m.reference = pool(ld, ref, &err);
		m.comment = pool(ld, jstr(o, "description"), &err);
		meta = err ? 0 : ioc_meta_add(ld->set, &m, &err);
		for (int k = 0; k < n && !err; k++) {
			struct ioc_entry e;
			char dom[256];
			int masked, want_dom = !strcmp(cmp[k].path, "domain-name:value");
			int want6 = !strcmp(cmp[k].path, "ipv6-addr:value");

			if (ioc_parse_indicator(cmp[k].value, &e, dom, &why, &masked) ||
			    (want_dom != (e.kind == IOC_KIND_DOMAIN)) ||
			    (!want_dom && (e.port || want6 != (e.family == XH_AF_INET6)))) {
				ioc_skip(
					ld, IOC_ERR_STIX_SKIPPED,
					"$.objects[%zu].pattern: '%.*s%s' is not a valid %s value, "
					"skipped",
					i, IOC_QUOTE(cmp[k].value), cmp[k].path);
				continue;
			}
			err = ioc_add(ld, &e, dom, meta, IOC_LINE_STIX | (unsigned int)i);
			if (!err)
				added++;
		}
		if (err)
			break;
	}
out:
	free(cmp);
	json_decref(actors);
	json_decref(idents);
	json_decref(root);
	return err ? err : added;
}
