/* SPDX-License-Identifier: GPL-2.0 */
/* loader.h: the BPF object's life: skeleton open -> sizes and rodata -> load
 * (directly, or through libxdp's attach) -> configure maps -> arm -> detach. */
#ifndef XH_LOADER_H
#define XH_LOADER_H

#include <stdint.h>
#include <linux/types.h>
#include <net/if.h>
#include <xdp/libxdp.h>

struct ioc_set;

#define LOADER_MAX_IFACES 16
#define LOADER_MAX_PORTS  32
/* scan.service_sweep's default ports: SSH, the RPC endpoint mapper (WMI,
 * DCOM, the services and task schedulers), RDP, VNC, WinRM over HTTP and
 * HTTPS: the remote administration an intruder moves laterally over. */
#define LOADER_SVCSWEEP_PORTS                                                                      \
	{                                                                                          \
		22, 135, 3389, 5900, 5985, 5986                                                    \
	}

struct loader_opts {
	uint32_t flows_max;	 /* xh_flows entries; 0 = XH_FLOWS_DEFAULT */
	uint32_t ringbuf_bytes;	 /* xh_events size; 0 = XH_RINGBUF_DEFAULT (power of two) */
	uint32_t rpc_dyn_idle_s; /* dynamic DCE/RPC mark lifetime; 0 = XH_RPC_DYN_IDLE_S */
	/* --smb-sweep, --smb-brute-force, --port-scan, --service-sweep and
	 * --kerberos-brute-force: a threshold of 0 turns the rule off;
	 * window_s 0 keeps the program's default (bpf/sweep.bpf.h,
	 * bpf/kerberos.bpf.h). */
	struct loader_window {
		uint32_t threshold;
		uint32_t window_s;
	} sweep, brute, portscan, svcsweep, krbbrute;
	/* scan.service_sweep's ports, host order; empty = LOADER_SVCSWEEP_PORTS */
	uint16_t svcsweep_ports[LOADER_MAX_PORTS];
	int n_svcsweep_ports;
	uint16_t smb_ports[LOADER_MAX_PORTS]; /* host order; empty = 445, 139 */
	int n_smb_ports;
	uint16_t rpc_ports[LOADER_MAX_PORTS]; /* host order; empty = 135 */
	int n_rpc_ports;
};

/* What loader_watch() last found on an interface. */
enum loader_iface_state {
	LOADER_IF_ATTACHED = 0,
	LOADER_IF_GONE, /* neither the name nor the device here: deleted or moved away */
	LOADER_IF_LOST, /* still there, but xdphunt's program was removed by someone else */
};

struct loader_iface {
	char name[IF_NAMESIZE];
	int ifindex;
	enum xdp_attach_mode mode; /* as attached */
	enum loader_iface_state state;
	int retry_said; /* a failed re-attach was reported (once) */
};

struct loader {
	struct xdphunt *skel;
	struct xdp_program *xdp_prog; /* libxdp handle, once attached */
	struct loader_iface ifaces[LOADER_MAX_IFACES];
	int n_ifaces;
	int loaded;
};

/* Open the embedded object and apply @opts (map sizes, rodata). The program
 * starts disarmed (passes every packet untouched) until loader_arm().
 * Returns NULL and sets errno. */
/* Set scan.service_sweep's bitmap @bits (XH_SVCSWEEP_PORT_WORDS words, the
 * program's xh_cfg_svcsweep_ports) to the @n @ports (none when @n is 0). */
void loader_svcsweep_bits(__u64 *bits, const uint16_t *ports, int n);
struct loader *loader__open(const struct loader_opts *opts);
/* Detaches every interface still attached, then frees. Accepts NULL. */
void loader__free(struct loader *l);

/* Load without attaching (replay, tests). Returns 0 or -errno. */
int loader_load(struct loader *l);
/* Attach to @ifname in @mode (XDP_MODE_UNSPEC = native, falling back to
 * skb). The first attach loads the object through libxdp, which uses its
 * multi-program dispatcher where the kernel allows and a single program
 * otherwise. Refuses, with a message, an interface that already runs
 * xdphunt or another XDP program that cannot be shared.
 * Returns 0 or -errno. */
int loader_attach(struct loader *l, const char *ifname, enum xdp_attach_mode mode);
/* The libxdp program of the object (made on first use, marked as taking XDP
 * frags), which loader_attach() attaches. NULL and errno on failure. */
struct xdp_program *loader_xdp_program(struct loader *l);
/* Detach from every attached interface; returns the first error or 0.
 * Interfaces that are gone, or lost their program, are skipped (said). */
int loader_detach_all(struct loader *l);
/* Look at every interface again (the run loop does, once a second): one
 * renamed is followed under its new name (the program stays on the device);
 * one that disappeared is reported once; when an interface of that name
 * appears again (a new ifindex: recreated, moved back) the program is
 * attached to it again, in the same mode; one whose program someone else
 * removed is reported once and left alone (an operator may have meant it).
 * Returns 1 when an interface was renamed (names cached elsewhere are stale). */
int loader_watch(struct loader *l);

/* Fill xh_ports from the options and install @iocs (may be NULL) as IoC
 * generation 0. Call after load, before loader_arm(). Returns 0 or -errno. */
int loader_configure(struct loader *l, const struct loader_opts *opts, struct ioc_set *iocs);
struct ioc_outer;
/* The outer IoC map fds, for ioc_maps_install() / hot reload. */
void loader_ioc_outer(struct loader *l, struct ioc_outer *out);
/* Start classifying. Returns 0 or -errno. */
int loader_arm(struct loader *l);

/* Publish in the program's .bss, for `xdphunt stats`, the flow entries
 * `run` removed after their record (xh_flows_removed) and of them those
 * forced out early (xh_flows_forced). Returns 0 or -errno. */
int loader_publish_flows(struct loader *l, uint64_t removed, uint64_t forced);

/* Forget the traffic seen (between replayed captures): every flow of
 * xh_flows with its SMB state and reported findings, and the SMB sweep
 * windows. Returns 0 or -errno. */
int loader_clear_flows(struct loader *l);

/* Mount bpffs on /sys/fs/bpf when it is missing (libxdp keeps its state
 * there). Returns 0 or -errno. */
int loader_ensure_bpffs(void);

const char *loader_mode_name(enum xdp_attach_mode mode);

/* Find a loaded xdphunt program attached to @ifindex: returns its id, 0 if
 * none, or -errno. */
int loader_find_attached(int ifindex, uint32_t *prog_id, enum xdp_attach_mode *mode);

/* Detach xdphunt (and only xdphunt) from @ifname, e.g. after a crash.
 * Returns 0, -ENOENT when none is attached, or -errno. */
int loader_detach_iface(const char *ifname);

/* The kernel memory of the map or program behind @fd (its fdinfo's
 * memlock), or -1. */
long long loader_fd_memlock(int fd);

#endif
