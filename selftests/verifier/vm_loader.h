/* SPDX-License-Identifier: GPL-2.0 */
/* vm_loader.h: what vm_loader.c (loading, verdicts, libbpf's log) and
 * vm_runs.c (the XH-RUN cases) share. */
#ifndef XH_VM_LOADER_H
#define XH_VM_LOADER_H

/* The file name of @path. */
const char *base_name(const char *path);
/* Forget libbpf's warnings so far (before a load). */
void warn_reset(void);
/* Print the verifier log of the failed load as XH-LOG lines. */
void print_failure_log(void);

/* The XH-RUN cases for xdphunt.bpf.o at @path; each returns its failures. */
int run_names(const char *path);
int run_findings(const char *path);
int run_jumbo(const char *path);
int run_remote(const char *path);
int run_port_scan(const char *path);
int run_port_scan_unreachable(const char *path);
int run_service_sweep(const char *path);
int run_kerberos(const char *path);

#endif
