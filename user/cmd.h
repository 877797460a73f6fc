/* SPDX-License-Identifier: GPL-2.0 */
/* cmd.h: the subcommands, each returning an enum xh_exit code, and what run
 * and replay share (user/cmd_common.c). */
#ifndef XH_CMD_H
#define XH_CMD_H

int cmd_run(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_reload(int argc, char **argv);
int cmd_check(int argc, char **argv);

struct ioc_set;
struct hunt_opts;
struct smb_rules;
struct loader;
/* Load every --ioc file of @o into a new set (all-or-nothing per file; any
 * failing file fails the whole command). Returns NULL on failure. */
struct ioc_set *cmd_load_iocs(const struct hunt_opts *o);
/* The built-in DCE/RPC table plus --dcerpc-table files; NULL on error
 * (message printed). */
struct dcerpc_table *cmd_load_dcerpc(const struct hunt_opts *o);
/* The SMB rules of --smb-rules, or the built-in ones (user/smb.c); NULL
 * after a message on error. */
struct smb_rules *cmd_load_smb_rules(const struct hunt_opts *o);
/* Fill xh_smb_names from @r. Returns 0 or -errno (message printed). */
int cmd_smb_rules_to_map(struct loader *l, const struct smb_rules *r);
struct dcerpc_table;
/* Fill the SMB and DCE/RPC table maps (xh_smb_names, xh_rpc_ifs,
 * xh_rpc_ops) of a loaded object. Returns 0 or -errno (message printed). */
int cmd_tables_to_maps(struct loader *l, const struct smb_rules *smb,
		       const struct dcerpc_table *rpc);

struct jsonl_writer;
/* Everything run and replay read from the command line before touching an
 * interface or the kernel, in this order: IoC feeds, DCE/RPC table, SMB
 * rules, the output. Returns 0, or -1 after a message; what was loaded
 * before the failure is left in the out-parameters for the caller to free. */
int cmd_load_inputs(const struct hunt_opts *o, struct ioc_set **iocs, struct dcerpc_table **rpc,
		    struct smb_rules **smb, struct jsonl_writer **out);

#endif
