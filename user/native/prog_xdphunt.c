// SPDX-License-Identifier: GPL-2.0
/* prog_xdphunt.c: bpf/xdphunt.bpf.c compiled as ordinary C with the native
 * runtime (include/bpf/bpf_helpers.h, prelude.h), and the table the engine
 * binds it with. Everything here but nrt_prog_xdphunt is made local to the
 * object (Makefile: -fvisibility=hidden, objcopy --localize-hidden), so the
 * program's globals cannot clash with userspace symbols.
 * The engine checks these tables against the BPF object on every open: a map
 * or a global added to the program must be listed here, or the native engine
 * refuses to start (and the replay tests fail). */
#include "xdphunt.bpf.c"
#include "nrt_prog.h"

#define NRT_MAP(m)                                                                                 \
	{                                                                                          \
#m, &m, sizeof(m)                                                                  \
	}

static const struct nrt_prog_map maps[] = {
	NRT_MAP(xh_ports),	NRT_MAP(xh_ioc4),	 NRT_MAP(xh_ioc6),
	NRT_MAP(xh_iocdom),	NRT_MAP(xh_iocport),	 NRT_MAP(xh_iocscr),
	NRT_MAP(xh_flows),	NRT_MAP(xh_seen),	 NRT_MAP(xh_counters),
	NRT_MAP(xh_events),	NRT_MAP(xh_rpc_ifs),	 NRT_MAP(xh_rpc_ops),
	NRT_MAP(xh_rpc_ctx),	NRT_MAP(xh_rpc_eps),	 NRT_MAP(xh_rpc_scr),
	NRT_MAP(xh_smb),	NRT_MAP(xh_smb_trees),	 NRT_MAP(xh_smb_names),
	NRT_MAP(xh_smb_work),	NRT_MAP(xh_smb_pend),	 NRT_MAP(xh_smb_files),
	NRT_MAP(xh_sweep_src),	NRT_MAP(xh_sweep_pair),	 NRT_MAP(xh_iocpf),
	NRT_MAP(xh_pktscr),	NRT_MAP(xh_flowscr),	 NRT_MAP(xh_rpc_dyn),
	NRT_MAP(xh_ioc_cache),	NRT_MAP(xh_brute_src),	 NRT_MAP(xh_remscr),
	NRT_MAP(xh_scan_pairs), NRT_MAP(xh_scan_ports),	 NRT_MAP(xh_scan_first),
	NRT_MAP(xh_krbscr),	NRT_MAP(xh_sweep_first), NRT_MAP(xh_krb_req),
	NRT_MAP(xh_krb_accts),	NRT_MAP(xh_krb_pend),
};

static const struct nrt_prog_var vars[] = {
	{"xh_armed", &xh_armed, sizeof(xh_armed), NULL},
	{"xh_cfg_wakeup_bytes", (void *)&xh_cfg_wakeup_bytes, sizeof(xh_cfg_wakeup_bytes),
	 "ring buffer wake-ups: the native engine drains after every packet"},
	{"xh_rpc_scr_key", (void *)&xh_rpc_scr_key, sizeof(xh_rpc_scr_key),
	 "a constant 0 key, read-only in the native object: nothing to copy"},
	{"xh_cfg_sweep_threshold", (void *)&xh_cfg_sweep_threshold, sizeof(xh_cfg_sweep_threshold),
	 NULL},
	{"xh_cfg_sweep_window_ns", (void *)&xh_cfg_sweep_window_ns, sizeof(xh_cfg_sweep_window_ns),
	 NULL},
	{"xh_cfg_brute_threshold", (void *)&xh_cfg_brute_threshold, sizeof(xh_cfg_brute_threshold),
	 NULL},
	{"xh_cfg_brute_window_ns", (void *)&xh_cfg_brute_window_ns, sizeof(xh_cfg_brute_window_ns),
	 NULL},
	{"xh_cfg_portscan_threshold", (void *)&xh_cfg_portscan_threshold,
	 sizeof(xh_cfg_portscan_threshold), NULL},
	{"xh_cfg_portscan_window_ns", (void *)&xh_cfg_portscan_window_ns,
	 sizeof(xh_cfg_portscan_window_ns), NULL},
	{"xh_cfg_svcsweep_threshold", (void *)&xh_cfg_svcsweep_threshold,
	 sizeof(xh_cfg_svcsweep_threshold), NULL},
	{"xh_cfg_svcsweep_window_ns", (void *)&xh_cfg_svcsweep_window_ns,
	 sizeof(xh_cfg_svcsweep_window_ns), NULL},
	{"xh_cfg_svcsweep_ports", (void *)xh_cfg_svcsweep_ports, sizeof(xh_cfg_svcsweep_ports),
	 NULL},
	{"xh_cfg_krbbrute_threshold", (void *)&xh_cfg_krbbrute_threshold,
	 sizeof(xh_cfg_krbbrute_threshold), NULL},
	{"xh_cfg_krbbrute_window_ns", (void *)&xh_cfg_krbbrute_window_ns,
	 sizeof(xh_cfg_krbbrute_window_ns), NULL},
	{"xh_cfg_capture", (void *)&xh_cfg_capture, sizeof(xh_cfg_capture), NULL},
	{"xh_cfg_rpc_dyn_idle_s", (void *)&xh_cfg_rpc_dyn_idle_s, sizeof(xh_cfg_rpc_dyn_idle_s),
	 NULL},
	{"xh_capture_now_ns", &xh_capture_now_ns, sizeof(xh_capture_now_ns), NULL},
	{"xh_capture_len_adj", &xh_capture_len_adj, sizeof(xh_capture_len_adj), NULL},
	{"xh_flows_removed", &xh_flows_removed, sizeof(xh_flows_removed), NULL},
	{"xh_flows_forced", &xh_flows_forced, sizeof(xh_flows_forced), NULL},
};

__attribute__((visibility("default"))) const struct nrt_prog nrt_prog_xdphunt = {
	.entry = xdphunt,
	.maps = maps,
	.n_maps = sizeof(maps) / sizeof(maps[0]),
	.vars = vars,
	.n_vars = sizeof(vars) / sizeof(vars[0]),
};
