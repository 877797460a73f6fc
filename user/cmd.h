/* SPDX-License-Identifier: GPL-2.0 */
/* cmd.h: the subcommands; each returns an enum xh_exit code. */
#ifndef XH_CMD_H
#define XH_CMD_H

int cmd_run(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_reload(int argc, char **argv);

struct ioc_set;
struct hunt_opts;
/* Load every --ioc file of @o into a new set (all-or-nothing per file; any
 * failing file fails the whole command). Returns NULL on failure. */
struct ioc_set *cmd_load_iocs(const struct hunt_opts *o);
/* The built-in DCE/RPC table plus --dcerpc-table files; NULL on error
 * (message printed). */
struct dcerpc_table *cmd_load_dcerpc(const struct hunt_opts *o);

#endif
