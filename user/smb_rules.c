// SPDX-License-Identifier: GPL-2.0
/* smb_rules.c: SMB rules (file format in data/smb-rules.conf, which is also
 * the built-in set): parsing, loading into xh_smb_names, and the ATT&CK
 * technique of a hit by pipe or rule. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "smb_user.h"
#include "textfile.h"
#include "smb_default.h" /* generated from data/smb-rules.conf */
#include "log.h"
#include "smb_name.h" /* bpf/smb_name.h: the tables' hash; smb.h: command numbers */

#define SMB_NAME_MAX 64	 /* bytes of a table name */
#define SMB_GLOB_MAX 128 /* bytes of a file pattern */

struct smb_technique {
	struct attack_ref ref;
	char id[16];
	char tactic[32];
	char name[128];
	char *json; /* ref.json: rendered when read, as hits carry it */
	size_t json_len;
};

struct smb_entry {
	char name[SMB_NAME_MAX];
	int kind;	/* enum xh_smb_tbl */
	uint32_t value; /* share kind, or technique index + 1 (pipes), 0 none */
};

/* A file name pattern of smb.admin_read hits and its technique. */
struct smb_file_rule {
	char glob[SMB_GLOB_MAX];
	int tech; /* technique index */
};

struct smb_rules {
	struct smb_technique *tech;
	size_t ntech;
	struct smb_entry *ent;
	size_t nent;
	struct smb_file_rule *files;
	size_t nfiles;
	int rule_tech[XH_RULE__MAX]; /* technique index + 1, 0: none */
};

void smb_rules__free(struct smb_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ntech; i++)
		free(r->tech[i].json);
	free(r->tech);
	free(r->ent);
	free(r->files);
	free(r);
}

static int tech_find(const struct smb_rules *r, const char *id)
{
	for (size_t i = 0; i < r->ntech; i++)
		if (!strcmp(r->tech[i].id, id))
			return (int)i;
	return -1;
}

static int valid_tid(const char *s)
{
	size_t n = strlen(s);

	if (n != 5 && n != 9)
		return 0;
	if (s[0] != 'T' || !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]) ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return 0;
	return n == 5 || (s[5] == '.' && isdigit((unsigned char)s[6]) &&
			  isdigit((unsigned char)s[7]) && isdigit((unsigned char)s[8]));
}

/* A table name: printable ASCII, no blanks, no backslash, not empty. */
static int valid_name(const char *s)
{
	if (!*s || strlen(s) >= SMB_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (*s <= 0x20 || *s >= 0x7f || *s == '\\')
			return 0;
	return 1;
}

static int add_entry(struct smb_rules *r, const char *name, int kind, uint32_t value)
{
	struct smb_entry *e;

	for (size_t i = 0; i < r->nent; i++)
		if (r->ent[i].kind == kind && !strcasecmp(r->ent[i].name, name))
			return -EEXIST;
	e = realloc(r->ent, (r->nent + 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	r->ent = e;
	e = &r->ent[r->nent++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->kind = kind;
	e->value = value;
	return 0;
}

/* The rules a `rule` line may name: those of the SMB walk, whose hits
 * smb_attack() enriches (smb.connect is made by the flow, not the walk). */
static int rule_by_name(const char *s)
{
	static const int walk_rules[] = {XH_RULE_SMB_ADMIN_SHARE, XH_RULE_SMB_IPC_SHARE,
					 XH_RULE_SMB_NAMED_PIPE,  XH_RULE_SMB_TOOL_TRANSFER,
					 XH_RULE_SMB_V1,	  XH_RULE_SMB_ENCRYPTED,
					 XH_RULE_SMB_ADMIN_READ,  XH_RULE_SMB_ADMIN_LISTING,
					 XH_RULE_SMB_EXPLOIT};

	for (size_t i = 0; i < sizeof(walk_rules) / sizeof(walk_rules[0]); i++)
		if (!strcmp(enrich_rule_name((unsigned int)walk_rules[i]), s))
			return walk_rules[i];
	return -1;
}

/* The technique's JSON object, rendered (and escaped: the name is free
 * text) once here rather than for every hit. Returns 0 or -ENOMEM. */
static int tech_render(struct smb_technique *t)
{
	struct attack_ref ref = {.technique_id = t->id, .technique = t->name, .tactic = t->tactic};
	struct jbuf b;

	jbuf_init(&b);
	enrich_attack_obj(&b, NULL, &ref);
	if (b.err) {
		jbuf_free(&b);
		return -ENOMEM;
	}
	t->json = b.buf;
	t->json_len = b.len;
	return 0;
}

/* One line (modified in place). Returns 0 or -1 with @why set. */
static int parse_line(struct smb_rules *r, char *line, const char **why)
{
	char *save = NULL, *dir, *a, *b, *rest;
	int t, err;

	dir = strtok_r(line, " \t", &save);
	if (!dir)
		return 0;
	a = strtok_r(NULL, " \t", &save);
	if (!strcmp(dir, "technique")) {
		struct smb_technique *nt, *tp;

		b = strtok_r(NULL, " \t", &save);
		rest = strtok_r(NULL, "", &save);
		while (rest && (*rest == ' ' || *rest == '\t'))
			rest++;
		if (!a || !b || !rest || !*rest)
			return *why = "expected: technique ID TACTIC NAME...", -1;
		if (!valid_tid(a))
			return *why = "technique id is not Tnnnn or Tnnnn.nnn", -1;
		if (tech_find(r, a) >= 0)
			return *why = "technique defined twice", -1;
		if (strlen(b) >= sizeof(nt->tactic) || strlen(rest) >= sizeof(nt->name))
			return *why = "tactic or technique name too long", -1;
		for (const char *c = b; *c; c++)
			if (!islower((unsigned char)*c) && *c != '-')
				return *why = "tactic is not an ATT&CK short name (e.g. "
					      "lateral-movement)",
				       -1;
		nt = realloc(r->tech, (r->ntech + 1) * sizeof(*nt));
		if (!nt)
			return *why = "out of memory", -1;
		r->tech = nt;
		tp = &r->tech[r->ntech++];
		memset(tp, 0, sizeof(*tp));
		snprintf(tp->id, sizeof(tp->id), "%s", a);
		snprintf(tp->tactic, sizeof(tp->tactic), "%s", b);
		snprintf(tp->name, sizeof(tp->name), "%s", rest);
		if (tech_render(tp))
			return *why = "out of memory", -1;
		return 0;
	}
	b = strtok_r(NULL, " \t", &save);
	if (strtok_r(NULL, " \t", &save))
		return *why = "too many fields", -1;
	if (!a)
		return *why = "missing name", -1;
	if (!strcmp(dir, "rule")) {
		int rule = rule_by_name(a);

		if (rule < 0)
			return *why = "unknown rule (smb.admin_share, smb.ipc_share, "
				      "smb.named_pipe, smb.tool_transfer, smb.v1, smb.encrypted, "
				      "smb.admin_read, smb.admin_listing)",
			       -1;
		if (!b || (t = tech_find(r, b)) < 0)
			return *why = "rule needs a technique defined above", -1;
		r->rule_tech[rule] = t + 1;
		return 0;
	}
	if (!strcmp(dir, "file")) {
		struct smb_file_rule *f;

		if (!b || (t = tech_find(r, b)) < 0)
			return *why = "file needs a technique defined above", -1;
		if (strlen(a) >= SMB_GLOB_MAX)
			return *why = "file pattern longer than 127 characters", -1;
		for (const char *c = a; *c; c++)
			if (*c <= 0x20 || *c >= 0x7f)
				return *why = "file pattern must be printable ASCII without blanks",
				       -1;
		f = realloc(r->files, (r->nfiles + 1) * sizeof(*f));
		if (!f)
			return *why = "out of memory", -1;
		r->files = f;
		f = &r->files[r->nfiles++];
		snprintf(f->glob, sizeof(f->glob), "%s", a);
		f->tech = t;
		return 0;
	}
	if (!valid_name(a))
		return *why = "name must be 1-63 printable ASCII characters without blanks or '\\'",
		       -1;
	if (!strcmp(dir, "share")) {
		uint32_t kind;

		if (b && !strcmp(b, "admin"))
			kind = XH_SMB_SHARE_ADMIN;
		else if (b && !strcmp(b, "ipc"))
			kind = XH_SMB_SHARE_IPC;
		else
			return *why = "share kind must be admin or ipc", -1;
		err = add_entry(r, a, strcmp(a, "?$") ? XH_SMB_TBL_SHARE : XH_SMB_TBL_SHARE_DRIVE,
				kind);
	} else if (!strcmp(dir, "pipe")) {
		t = 0;
		if (b) {
			t = tech_find(r, b);
			if (t < 0)
				return *why = "pipe technique not defined above", -1;
			t++;
		}
		err = add_entry(r, a, XH_SMB_TBL_PIPE, (uint32_t)t);
	} else if (!strcmp(dir, "ext")) {
		if (b)
			return *why = "too many fields", -1;
		if (a[0] == '.')
			a++;
		if (!*a || strchr(a, '.'))
			return *why = "extension must be one component, e.g. exe", -1;
		err = add_entry(r, a, XH_SMB_TBL_EXT, 1);
	} else {
		return *why = "unknown directive (technique, rule, share, pipe, ext, file)", -1;
	}
	if (err == -EEXIST)
		return *why = "duplicate entry", -1;
	if (err)
		return *why = "out of memory", -1;
	return 0;
}

/* Does @r give any rule a technique? */
static int rules_named(const struct smb_rules *r)
{
	for (size_t i = 0; i < XH_RULE__MAX; i++)
		if (r->rule_tech[i])
			return 1;
	return 0;
}

struct smb_rules *smb_rules__parse(const char *text, const char *what)
{
	struct smb_rules *r = calloc(1, sizeof(*r));
	const char *p = text, *why = NULL;
	unsigned int lineno = 0;
	char line[512];

	if (!r)
		return NULL;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *hash;

		lineno++;
		if (n >= sizeof(line)) {
			why = "line too long";
			goto bad;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		if (parse_line(r, line, &why))
			goto bad;
		p += n + (nl ? 1 : 0);
	}
	if (!r->nent && !rules_named(r)) {
		/* Most likely a file cut short: it would turn off every share,
		 * pipe and extension rule. */
		pr_warn("smb-rules: %s: no share, pipe, ext or rule line; an empty rules file "
			"would turn off every SMB rule (start from data/smb-rules.conf)\n",
			what);
		smb_rules__free(r);
		errno = EINVAL;
		return NULL;
	}
	return r;
bad:
	pr_warn("smb-rules: %s:%u: %s\n", what, lineno, why);
	smb_rules__free(r);
	errno = EINVAL;
	return NULL;
}

struct smb_rules *smb_rules__new_default(void)
{
	return smb_rules__parse(smb_rules_default_text, "(built-in)");
}

struct smb_rules *smb_rules__load_file(const char *path)
{
	struct smb_rules *r;
	char *text;
	int err = textfile_read(path, 16u << 20, "smb-rules", &text);

	if (err) {
		errno = -err;
		return NULL;
	}
	r = smb_rules__parse(text, path);
	free(text);
	return r;
}

size_t smb_rules_count(const struct smb_rules *r, int kind)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nent; i++)
		n += r->ent[i].kind == kind;
	return n;
}

unsigned int smb_rules_pipe_id(const struct smb_rules *r, const char *name)
{
	for (size_t i = 0; i < r->nent; i++)
		if (r->ent[i].kind == XH_SMB_TBL_PIPE && !strcasecmp(r->ent[i].name, name))
			return (unsigned int)i + 1; /* as smb_rules_to_map() numbers them */
	return 0;
}

int smb_rules_to_map(const struct smb_rules *r, int map_fd)
{
	for (size_t i = 0; i < r->nent; i++) {
		const struct smb_entry *e = &r->ent[i];
		struct xh_smb_name_key k = {.kind = (__u32)e->kind};
		struct xh_smb_name_val v = {};

		k.hash = e->kind == XH_SMB_TBL_SHARE_DRIVE ? 0 : xh_smb_hash_ascii(e->name);
		if (e->kind == XH_SMB_TBL_PIPE)
			v.id = (__u32)i + 1;
		else if (e->kind == XH_SMB_TBL_EXT)
			v.id = 1;
		else
			v.share_kind = e->value;
		/* Two names of a kind with one 32-bit hash: the second would
		 * silently take the first's place. */
		for (size_t j = 0; j < i; j++)
			if (r->ent[j].kind == e->kind && e->kind != XH_SMB_TBL_SHARE_DRIVE &&
			    xh_smb_hash_ascii(r->ent[j].name) == k.hash) {
				pr_warn("smb-rules: '%s' and '%s' share a hash; '%s' not loaded\n",
					r->ent[j].name, e->name, e->name);
				goto next;
			}
		if (bpf_map_update_elem(map_fd, &k, &v, BPF_ANY))
			return -errno;
	next:;
	}
	return 0;
}

static const struct attack_ref *tech_ref(const struct smb_rules *r, int idx1)
{
	struct smb_technique *t;

	if (idx1 <= 0 || (size_t)idx1 > r->ntech)
		return NULL;
	t = &r->tech[idx1 - 1];
	t->ref.technique_id = t->id;
	t->ref.technique = t->name;
	t->ref.tactic = t->tactic;
	t->ref.json = t->json;
	t->ref.json_len = t->json_len;
	return &t->ref;
}

/* The pipe table entry of an event's pipe_id, if its name really matches
 * (a hash collision with an unknown pipe must not borrow a technique). */
static const struct smb_entry *pipe_entry(const struct smb_rules *r, const struct xh_event *e,
					  const char *utf8)
{
	const struct smb_entry *ent;
	unsigned int id = e->d.smb.pipe_id;

	if (!id || id > r->nent)
		return NULL;
	ent = &r->ent[id - 1];
	if (ent->kind != XH_SMB_TBL_PIPE)
		return NULL;
	while (*utf8 == '\\')
		utf8++;
	return strcasecmp(ent->name, utf8) ? NULL : ent;
}

/* An executable written into an NTFS alternate data stream of a file
 * (notes.txt:payload.exe): hidden from a directory listing and from tools
 * that read a file's default stream only. The name on the wire is the
 * evidence, as the kernel judged it (XH_SMB_F_STREAM_EXE); a Zone.Identifier
 * stream of an executable, or its unnamed ::$DATA stream, hides nothing. */
static const struct attack_ref attack_stream =
	ATTACK_REF("T1564.004", "Hide Artifacts: NTFS File Attributes", "defense-evasion");

/* A PE image written under a name that is not an executable's (tool.txt,
 * update.dat): the name hides what the file is. */
static const struct attack_ref attack_masquerade =
	ATTACK_REF("T1036.008", "Masquerading: Masquerade File Type", "defense-evasion");

/* The technique of the first `file` pattern that an smb.admin_read hit's
 * name (relative to the share, leading backslashes dropped) matches,
 * ASCII case-insensitively; `\` is a character, not an escape. */
static const struct attack_ref *file_technique(const struct smb_rules *r, const struct xh_event *e)
{
	char name[4 * XH_EVENT_NAME_MAX];
	const char *n = name;

	if (!r || !r->nfiles || (e->d.smb.flags & XH_SMB_F_NO_NAME) ||
	    e->name_len > XH_EVENT_NAME_MAX ||
	    smb_name_to_utf8(e->name, e->name_len, e->d.smb.name_enc, name, sizeof(name)) < 0)
		return NULL;
	while (*n == '\\')
		n++;
	for (size_t i = 0; i < r->nfiles; i++)
		if (!fnmatch(r->files[i].glob, n, FNM_NOESCAPE | FNM_CASEFOLD))
			return tech_ref(r, r->files[i].tech + 1);
	return NULL;
}

const struct attack_ref *smb_attack_extra(const struct smb_rules *r, const struct xh_event *e)
{
	if (e->detail_kind != XH_DETAIL_SMB)
		return NULL;
	if (e->rule == XH_RULE_SMB_ADMIN_READ)
		return file_technique(r, e);
	if (e->rule != XH_RULE_SMB_TOOL_TRANSFER)
		return NULL;
	if (e->d.smb.flags & XH_SMB_F_STREAM_EXE)
		return &attack_stream;
	if ((e->d.smb.flags & XH_SMB_F_EXE_CONTENT) && !(e->d.smb.flags & XH_SMB_F_NO_NAME))
		return &attack_masquerade;
	return NULL;
}

const struct attack_ref *smb_attack(const struct smb_rules *r, const struct xh_event *e,
				    const struct attack_ref *dflt)
{
	const struct attack_ref *a;
	char name[4 * XH_EVENT_NAME_MAX];

	if (e->rule >= XH_RULE__MAX)
		return dflt;
	if (!r)
		return dflt ? dflt : smb_attack_extra(r, e);
	if (e->rule == XH_RULE_SMB_NAMED_PIPE && e->detail_kind == XH_DETAIL_SMB &&
	    smb_name_to_utf8(e->name, e->name_len, e->d.smb.name_enc, name, sizeof(name)) >= 0) {
		const struct smb_entry *pe = pipe_entry(r, e, name);

		if (pe && (a = tech_ref(r, (int)pe->value)))
			return a;
	}
	/* The rules replace the built-in set as a whole: a rule without a
	 * `rule` line has no technique, whatever enrich.c would give it (a
	 * stream's T1564.004 is then the hit's only one). */
	a = tech_ref(r, r->rule_tech[e->rule]);
	return a ? a : smb_attack_extra(r, e);
}
