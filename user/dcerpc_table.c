// SPDX-License-Identifier: GPL-2.0
/* dcerpc_table.c: the DCE/RPC interface and operation tables (text format,
 * file:line errors, all or nothing) and their loading into xh_rpc_ifs /
 * xh_rpc_ops. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "dcerpc_table.h"
#include "grow.h"
#include "textfile.h"
#include "log.h"

/* data/dcerpc.tsv, compiled in (the Makefile makes this object depend on
 * it), so that the binary alone has the default table. */
__asm__(".section .rodata\n"
	".global dcerpc_builtin_text\n"
	"dcerpc_builtin_text:\n"
	".incbin \"data/dcerpc.tsv\"\n"
	".byte 0\n"
	".previous\n");
extern const char dcerpc_builtin_text[];

#define EPMAPPER_UUID "e1af8308-5d1f-11c9-91a4-08002b14a0fa"
/* MS-NRPC: its authentication calls are checked for Zerologon in the kernel. */
#define NETLOGON_UUID "12345678-1234-abcd-ef00-01234567cffb"

struct dcerpc_table *dcerpc_table__new(void)
{
	return calloc(1, sizeof(struct dcerpc_table));
}

static void table_clear(struct dcerpc_table *t)
{
	for (size_t i = 0; i < t->n_ifs; i++)
		free(t->ifs[i].name);
	for (size_t i = 0; i < t->n_ops; i++)
		free(t->ops[i].name);
	free(t->ifs);
	free(t->ops);
	memset(t, 0, sizeof(*t));
}

void dcerpc_table__free(struct dcerpc_table *t)
{
	if (!t)
		return;
	table_clear(t);
	free(t);
}

/* "367abb81-9844-35f1-ad32-98f038001003" -> bytes_le and canonical text. */
static int uuid_parse(const char *s, uint8_t le[16], char text[37])
{
	static const int dash[] = {8, 13, 18, 23};
	uint8_t b[16];
	int k = 0;

	if (strlen(s) != 36)
		return -1;
	for (int i = 0, d = 0; i < 36; i++) {
		if (d < 4 && i == dash[d]) {
			if (s[i] != '-')
				return -1;
			d++;
			continue;
		}
		if (!isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1]))
			return -1;
		sscanf(s + i, "%2hhx", &b[k++]);
		i++;
	}
	/* little-endian drep: the u32, u16, u16 fields are byte-swapped */
	le[0] = b[3];
	le[1] = b[2];
	le[2] = b[1];
	le[3] = b[0];
	le[4] = b[5];
	le[5] = b[4];
	le[6] = b[7];
	le[7] = b[6];
	memcpy(le + 8, b + 8, 8);
	for (int i = 0; i < 36; i++)
		text[i] = (char)tolower((unsigned char)s[i]);
	text[36] = '\0';
	return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

static int parse_techs(const char *s, const struct attack_ref **tech, int *n, char *why, size_t wl)
{
	char buf[256], *tok, *save = NULL;

	*n = 0;
	if (!strcmp(s, "-"))
		return 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct attack_ref *a = dcerpc_attack_lookup(tok);

		if (!a) {
			snprintf(why, wl, "unknown ATT&CK technique '%s'", tok);
			return -1;
		}
		if (*n >= DCERPC_MAX_TECH) {
			snprintf(why, wl, "more than %d techniques", DCERPC_MAX_TECH);
			return -1;
		}
		tech[(*n)++] = a;
	}
	if (!*n) {
		snprintf(why, wl, "empty technique list");
		return -1;
	}
	return 0;
}

static int name_ok(const char *s)
{
	if (!*s || strlen(s) > 63)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
			return 0;
	return 1;
}

int dcerpc_table_find(const struct dcerpc_table *t, const char *name_or_uuid)
{
	for (size_t i = 0; i < t->n_ifs; i++)
		if (!strcmp(t->ifs[i].name, name_or_uuid) ||
		    !strcasecmp(t->ifs[i].uuid, name_or_uuid))
			return (int)i;
	return -1;
}

/* Apply one line to @t. Returns 0, 1 (blank/comment), -EINVAL (@why set) or
 * -ENOMEM. */
static int apply_line(struct dcerpc_table *t, char *line, char *why, size_t wl)
{
	char *f[6], *save = NULL, *p;
	int nf = 0;

	p = strchr(line, '#');
	if (p)
		*p = '\0';
	for (p = strtok_r(line, " \t\r\n", &save); p && nf < 6;
	     p = strtok_r(NULL, " \t\r\n", &save))
		f[nf++] = p;
	if (!nf)
		return 1;
	if (!strcmp(f[0], "iface")) {
		struct dcerpc_iface ni = {0};
		unsigned long maj, min;
		int idx;

		if (nf < 5) {
			snprintf(why, wl, "iface needs UUID VERSION NAME TECHNIQUES");
			return -EINVAL;
		}
		if (uuid_parse(f[1], ni.uuid_le, ni.uuid)) {
			snprintf(why, wl, "invalid UUID '%s'", f[1]);
			return -EINVAL;
		}
		if (!strcmp(f[2], "-")) {
			ni.ver_major = ni.ver_minor = -1;
		} else {
			char *dot = strchr(f[2], '.');

			if (!dot) {
				snprintf(why, wl, "invalid version '%s' (MAJOR.MINOR or -)", f[2]);
				return -EINVAL;
			}
			*dot = '\0';
			if (parse_uint(f[2], 65535, &maj) || parse_uint(dot + 1, 65535, &min)) {
				*dot = '.';
				snprintf(why, wl, "invalid version '%s' (MAJOR.MINOR or -)", f[2]);
				return -EINVAL;
			}
			ni.ver_major = (int)maj;
			ni.ver_minor = (int)min;
		}
		if (!name_ok(f[3])) {
			snprintf(why, wl, "invalid name '%s' (1-63 of A-Z a-z 0-9 _ . -)", f[3]);
			return -EINVAL;
		}
		if (parse_techs(f[4], ni.tech, &ni.n_tech, why, wl))
			return -EINVAL;
		ni.name = strdup(f[3]);
		if (!ni.name)
			return -ENOMEM;
		if (!strcmp(ni.uuid, EPMAPPER_UUID))
			ni.flags |= XH_RPC_IF_F_EPM;
		if (!strcmp(ni.uuid, NETLOGON_UUID))
			ni.flags |= XH_RPC_IF_F_NETLOGON;
		for (idx = 0; idx < (int)t->n_ifs; idx++)
			if (!memcmp(t->ifs[idx].uuid_le, ni.uuid_le, 16))
				break;
		if (idx < (int)t->n_ifs) { /* a later line replaces */
			free(t->ifs[idx].name);
			t->ifs[idx] = ni;
			return 0;
		}
		if (t->n_ifs >= XH_RPC_IFS_MAX - 1) {
			free(ni.name);
			snprintf(why, wl, "more than %d interfaces", XH_RPC_IFS_MAX - 1);
			return -EINVAL;
		}
		if (xh_grow((void **)&t->ifs, &t->cap_ifs, t->n_ifs, sizeof(ni))) {
			free(ni.name);
			return -ENOMEM;
		}
		t->ifs[t->n_ifs++] = ni;
		return 0;
	}
	if (!strcmp(f[0], "op")) {
		struct dcerpc_op no = {0};
		unsigned long opnum;
		int idx = nf >= 2 ? dcerpc_table_find(t, f[1]) : -1;

		if (nf < 5) {
			snprintf(why, wl, "op needs INTERFACE OPNUM NAME TECHNIQUES");
			return -EINVAL;
		}
		if (idx < 0) {
			snprintf(why, wl, "unknown interface '%s' (define it on an earlier line)",
				 f[1]);
			return -EINVAL;
		}
		if (parse_uint(f[2], 65535, &opnum)) {
			snprintf(why, wl, "invalid opnum '%s' (0-65535)", f[2]);
			return -EINVAL;
		}
		if (!name_ok(f[3])) {
			snprintf(why, wl, "invalid name '%s' (1-63 of A-Z a-z 0-9 _ . -)", f[3]);
			return -EINVAL;
		}
		if (parse_techs(f[4], no.tech, &no.n_tech, why, wl))
			return -EINVAL;
		no.if_index = (uint16_t)idx;
		no.opnum = (uint16_t)opnum;
		no.name = strdup(f[3]);
		if (!no.name)
			return -ENOMEM;
		for (size_t i = 0; i < t->n_ops; i++) {
			if (t->ops[i].if_index == no.if_index && t->ops[i].opnum == no.opnum) {
				free(t->ops[i].name);
				t->ops[i] = no;
				return 0;
			}
		}
		if (t->n_ops >= XH_RPC_OPS_MAX) {
			free(no.name);
			snprintf(why, wl, "more than %d operations", XH_RPC_OPS_MAX);
			return -EINVAL;
		}
		if (xh_grow((void **)&t->ops, &t->cap_ops, t->n_ops, sizeof(no))) {
			free(no.name);
			return -ENOMEM;
		}
		t->ops[t->n_ops++] = no;
		return 0;
	}
	snprintf(why, wl, "unknown record '%s' (expected iface or op)", f[0]);
	return -EINVAL;
}

/* Deep copy, so that a failed load leaves the table as it was. */
static int table_copy(struct dcerpc_table *dst, const struct dcerpc_table *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src->n_ifs) {
		dst->ifs = calloc(src->n_ifs, sizeof(*dst->ifs));
		if (!dst->ifs)
			goto nomem;
		dst->cap_ifs = src->n_ifs;
	}
	for (size_t i = 0; i < src->n_ifs; i++) {
		dst->ifs[i] = src->ifs[i];
		dst->ifs[i].name = strdup(src->ifs[i].name);
		dst->n_ifs = i + 1;
		if (!dst->ifs[i].name)
			goto nomem;
	}
	if (src->n_ops) {
		dst->ops = calloc(src->n_ops, sizeof(*dst->ops));
		if (!dst->ops)
			goto nomem;
		dst->cap_ops = src->n_ops;
	}
	for (size_t i = 0; i < src->n_ops; i++) {
		dst->ops[i] = src->ops[i];
		dst->ops[i].name = strdup(src->ops[i].name);
		dst->n_ops = i + 1;
		if (!dst->ops[i].name)
			goto nomem;
	}
	return 0;
nomem:
	table_clear(dst);
	return -ENOMEM;
}

int dcerpc_table_load_text(struct dcerpc_table *t, const char *text, const char *what)
{
	struct dcerpc_table work;
	const char *p = text;
	unsigned int lineno = 0;
	char line[1024], why[160];
	int n = 0, err;

	err = table_copy(&work, t);
	if (err)
		return err;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		lineno++;
		if (len >= sizeof(line)) {
			pr_warn("dcerpc: %s:%u: line longer than %zu bytes\n", what, lineno,
				sizeof(line) - 1);
			table_clear(&work);
			return -EINVAL;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		why[0] = '\0';
		err = apply_line(&work, line, why, sizeof(why));
		if (err < 0) {
			if (err == -EINVAL)
				pr_warn("dcerpc: %s:%u: %s\n", what, lineno, why);
			table_clear(&work);
			return err;
		}
		if (err == 0)
			n++;
		p += len + (nl ? 1 : 0);
	}
	table_clear(t);
	*t = work;
	return n;
}

int dcerpc_table_load_file(struct dcerpc_table *t, const char *path)
{
	char *text;
	int err = textfile_read(path, 16u << 20, "dcerpc", &text);

	if (err)
		return err;
	err = dcerpc_table_load_text(t, text, path);
	free(text);
	return err;
}

int dcerpc_table_load_builtin(struct dcerpc_table *t)
{
	return dcerpc_table_load_text(t, dcerpc_builtin_text, "built-in data/dcerpc.tsv");
}

int dcerpc_table_to_maps(const struct dcerpc_table *t, int ifs_fd, int ops_fd)
{
	uint8_t epm[16];
	char text[37];
	int have_epm = 0;

	for (size_t i = 0; i < t->n_ifs; i++) {
		const struct dcerpc_iface *ifc = &t->ifs[i];
		struct xh_rpc_if_val v = {
			.index = (__u16)i,
			.ver_major = (__u16)(ifc->ver_major < 0 ? 0 : ifc->ver_major),
			.ver_minor = (__u16)(ifc->ver_minor < 0 ? 0 : ifc->ver_minor),
			.flags = ifc->flags,
		};

		have_epm |= !!(ifc->flags & XH_RPC_IF_F_EPM);
		if (bpf_map_update_elem(ifs_fd, ifc->uuid_le, &v, BPF_ANY))
			return -errno;
	}
	if (!have_epm) {
		/* tracked for ept_map answers only: index past the table */
		struct xh_rpc_if_val v = {.index = (__u16)t->n_ifs,
					  .ver_major = 3,
					  .flags = XH_RPC_IF_F_EPM | XH_RPC_IF_F_NOHIT};

		uuid_parse(EPMAPPER_UUID, epm, text);
		if (bpf_map_update_elem(ifs_fd, epm, &v, BPF_ANY))
			return -errno;
	}
	for (size_t i = 0; i < t->n_ops; i++) {
		struct xh_rpc_op_key k = {.if_index = t->ops[i].if_index, .opnum = t->ops[i].opnum};
		__u32 v = (__u32)i;

		if (bpf_map_update_elem(ops_fd, &k, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

const struct dcerpc_iface *dcerpc_table_iface(const struct dcerpc_table *t, unsigned int index)
{
	return t && index < t->n_ifs ? &t->ifs[index] : NULL;
}

const struct dcerpc_op *dcerpc_table_op(const struct dcerpc_table *t, unsigned int index)
{
	return t && index < t->n_ops ? &t->ops[index] : NULL;
}
