// SPDX-License-Identifier: GPL-2.0
/* cmd_common.c: what `run` and `replay` both load before classifying: the IoC
 * sources, the DCE/RPC table, the SMB rules, and the tables' maps. */
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "cmd.h"
#include "dcerpc_table.h"
#include "ioc.h"
#include "ioc_live.h"
#include "jsonl.h"
#include "loader.h"
#include "log.h"
#include "smb_user.h"
#include "xdphunt.skel.h"

struct ioc_set *cmd_load_iocs(const struct hunt_opts *o)
{
	return ioc_load_sources(o);
}

struct dcerpc_table *cmd_load_dcerpc(const struct hunt_opts *o)
{
	struct dcerpc_table *t = dcerpc_table__new();

	if (!t) {
		pr_warn("dcerpc: out of memory\n");
		return NULL;
	}
	if (dcerpc_table_load_builtin(t) < 0)
		goto fail;
	for (int i = 0; i < o->n_dcerpc_files; i++) {
		int n = dcerpc_table_load_file(t, o->dcerpc_files[i]);

		if (n < 0) {
			pr_warn("dcerpc: table %s not loaded; stopping\n", o->dcerpc_files[i]);
			goto fail;
		}
		pr_info("dcerpc: %s: %d lines\n", o->dcerpc_files[i], n);
	}
	return t;
fail:
	dcerpc_table__free(t);
	return NULL;
}

struct smb_rules *cmd_load_smb_rules(const struct hunt_opts *o)
{
	struct smb_rules *r;

	if (o->smb_rules) {
		r = smb_rules__load_file(o->smb_rules);
		if (!r)
			pr_warn("smb-rules: %s not loaded; stopping\n", o->smb_rules);
		return r;
	}
	r = smb_rules__new_default();
	if (!r)
		pr_warn("smb-rules: built-in rules failed: %s\n", strerror(errno));
	return r;
}

int cmd_smb_rules_to_map(struct loader *l, const struct smb_rules *r)
{
	int err = smb_rules_to_map(r, bpf_map__fd(l->skel->maps.xh_smb_names));

	if (err)
		pr_warn("smb-rules: cannot fill xh_smb_names: %s\n", strerror(-err));
	return err;
}

int cmd_tables_to_maps(struct loader *l, const struct smb_rules *smb,
		       const struct dcerpc_table *rpc)
{
	int err = cmd_smb_rules_to_map(l, smb);

	if (err)
		return err;
	err = dcerpc_table_to_maps(rpc, bpf_map__fd(l->skel->maps.xh_rpc_ifs),
				   bpf_map__fd(l->skel->maps.xh_rpc_ops));
	if (err)
		pr_warn("dcerpc: cannot fill xh_rpc_ifs/xh_rpc_ops: %s\n", strerror(-err));
	return err;
}

int cmd_load_inputs(const struct hunt_opts *o, struct ioc_set **iocs, struct dcerpc_table **rpc,
		    struct smb_rules **smb, struct jsonl_writer **out)
{
	*iocs = cmd_load_iocs(o);
	if (!*iocs)
		return -1;
	*rpc = cmd_load_dcerpc(o);
	if (!*rpc)
		return -1;
	*smb = cmd_load_smb_rules(o);
	if (!*smb)
		return -1;
	*out = jsonl_writer__open(o->output);
	if (!*out) {
		pr_warn("output: cannot open '%s': %s\n", o->output, strerror(errno));
		return -1;
	}
	return 0;
}
