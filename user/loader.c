// SPDX-License-Identifier: GPL-2.0
/* loader.c: skeleton open -> sizes/rodata -> load or libxdp attach ->
 * configure maps -> arm -> detach; bpffs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xh_abi.h"
#include "xdphunt.skel.h"
#include "ioc.h"
#include "instance.h"
#include "ioc_maps.h"
#include "loader.h"
#include "log.h"

#define BPFFS_PATH "/sys/fs/bpf"

const char *loader_mode_name(enum xdp_attach_mode mode)
{
	switch (mode) {
	case XDP_MODE_NATIVE:
		return "native";
	case XDP_MODE_SKB:
		return "skb";
	case XDP_MODE_HW:
		return "hw";
	default:
		return "unspec";
	}
}

int loader_ensure_bpffs(void)
{
	struct statfs st;

	if (statfs(BPFFS_PATH, &st) == 0 && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mkdir(BPFFS_PATH, 0700) && errno != EEXIST) {
		pr_warn("bpffs: cannot create %s: %s\n", BPFFS_PATH, strerror(errno));
		return -errno;
	}
	if (mount("bpf", BPFFS_PATH, "bpf", 0, "mode=0700")) {
		pr_warn("bpffs: cannot mount on %s: %s\n", BPFFS_PATH, strerror(errno));
		return -errno;
	}
	pr_info("bpffs: mounted on %s\n", BPFFS_PATH);
	return 0;
}

static int is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* The SMB server ports without --smb-ports (loader_configure()). */
static const uint16_t smb_default[] = {445, 139};

void loader_svcsweep_bits(__u64 *bits, const uint16_t *ports, int n)
{
	for (int i = 0; i < XH_SVCSWEEP_PORT_WORDS; i++)
		bits[i] = 0;
	for (int i = 0; i < n; i++)
		bits[ports[i] / 64] |= 1ULL << (ports[i] % 64);
}

/* scan.service_sweep's ports into the program's bitmap, without SMB's:
 * their SYNs are scan.smb_sweep's. -1 (message printed) when the user named
 * one in --service-sweep-ports; a default port made SMB's by --smb-ports is
 * left out. */
static int set_svcsweep_ports(struct loader *l, const struct loader_opts *opts)
{
	static const uint16_t def[] = LOADER_SVCSWEEP_PORTS;
	const uint16_t *smb = opts->n_smb_ports ? opts->smb_ports : smb_default;
	int n_smb = opts->n_smb_ports ? opts->n_smb_ports
				      : (int)(sizeof(smb_default) / sizeof(smb_default[0]));
	const uint16_t *want = opts->n_svcsweep_ports ? opts->svcsweep_ports : def;
	int n_want = opts->n_svcsweep_ports ? opts->n_svcsweep_ports
					    : (int)(sizeof(def) / sizeof(def[0]));
	uint16_t ports[LOADER_MAX_PORTS];
	int n = 0;

	for (int i = 0; i < n_want; i++) {
		int is_smb = 0;

		for (int j = 0; j < n_smb; j++)
			is_smb |= want[i] == smb[j];
		if (is_smb && opts->n_svcsweep_ports) {
			pr_warn("--service-sweep-ports: %u is an SMB port, whose sweeps "
				"scan.smb_sweep reports (--smb-sweep)\n",
				want[i]);
			return -1;
		}
		if (!is_smb && n < LOADER_MAX_PORTS)
			ports[n++] = want[i];
	}
	loader_svcsweep_bits(l->skel->rodata->xh_cfg_svcsweep_ports, ports, n);
	return 0;
}

struct loader *loader__open(const struct loader_opts *opts)
{
	struct loader *l;
	uint32_t rb;
	int err;

	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->skel = xdphunt__open();
	if (!l->skel) {
		err = -errno;
		pr_warn("loader: cannot open the BPF object: %s\n", strerror(-err));
		free(l);
		errno = -err;
		return NULL;
	}
	rb = opts->ringbuf_bytes ? opts->ringbuf_bytes : XH_RINGBUF_DEFAULT;
	if (!is_pow2(rb) || rb < 4096) {
		pr_warn("loader: ring buffer size %u is not a power of two >= 4096\n", rb);
		loader__free(l);
		errno = EINVAL;
		return NULL;
	}
	bpf_map__set_max_entries(l->skel->maps.xh_events, rb);
	if (opts->flows_max) {
		/* The flows' other state as many as the flows (XH_FLOWS_DEFAULT). */
		struct bpf_map *per_flow[] = {l->skel->maps.xh_flows, l->skel->maps.xh_seen,
					      l->skel->maps.xh_smb, l->skel->maps.xh_smb_trees,
					      l->skel->maps.xh_rpc_ctx};

		for (size_t i = 0; i < sizeof(per_flow) / sizeof(per_flow[0]); i++)
			bpf_map__set_max_entries(per_flow[i], opts->flows_max);
	}
	/* Wake the consumer early only when a quarter of the buffer is waiting;
	 * otherwise it drains on its timer. */
	l->skel->rodata->xh_cfg_wakeup_bytes = rb / 4;
	if (opts->rpc_dyn_idle_s)
		l->skel->rodata->xh_cfg_rpc_dyn_idle_s = opts->rpc_dyn_idle_s;
	if (opts->sweep.window_s) {
		l->skel->rodata->xh_cfg_sweep_threshold = opts->sweep.threshold;
		l->skel->rodata->xh_cfg_sweep_window_ns = opts->sweep.window_s * 1000000000ULL;
	}
	if (opts->brute.window_s) {
		l->skel->rodata->xh_cfg_brute_threshold = opts->brute.threshold;
		l->skel->rodata->xh_cfg_brute_window_ns = opts->brute.window_s * 1000000000ULL;
	}
	if (opts->portscan.window_s) {
		l->skel->rodata->xh_cfg_portscan_threshold = opts->portscan.threshold;
		l->skel->rodata->xh_cfg_portscan_window_ns =
			opts->portscan.window_s * 1000000000ULL;
	}
	if (opts->krbbrute.window_s) {
		l->skel->rodata->xh_cfg_krbbrute_threshold = opts->krbbrute.threshold;
		l->skel->rodata->xh_cfg_krbbrute_window_ns =
			opts->krbbrute.window_s * 1000000000ULL;
	}
	if (opts->svcsweep.window_s) {
		l->skel->rodata->xh_cfg_svcsweep_threshold = opts->svcsweep.threshold;
		l->skel->rodata->xh_cfg_svcsweep_window_ns =
			opts->svcsweep.window_s * 1000000000ULL;
	}
	if (set_svcsweep_ports(l, opts)) {
		loader__free(l);
		errno = EINVAL;
		return NULL;
	}
	/* Disarmed until the maps are filled, so no packet is judged against
	 * an empty port table or IoC set. */
	l->skel->data->xh_armed = 0;
	return l;
}

/* What to do about a load that failed with @err (-errno). */
static const char *load_hint(int err)
{
	switch (-err) {
	case EPERM:
		return "loading BPF needs root, or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON";
	case E2BIG:
	case ENOMEM:
		return "the maps are too large: a smaller --flows or --ringbuf";
	default:
		return "-v shows libbpf's reason and the verifier's log";
	}
}

int loader_load(struct loader *l)
{
	int err;

	err = xdphunt__load(l->skel);
	if (err) {
		pr_warn("loader: the BPF program did not load: %s (%s)\n", strerror(-err),
			load_hint(err));
		return err;
	}
	l->loaded = 1;
	return 0;
}

/* The xdphunt program attached to @ifindex, through libxdp's view (legacy
 * single program or dispatcher components). */
int loader_find_attached(int ifindex, uint32_t *prog_id, enum xdp_attach_mode *mode)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	int found = 0;

	mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (libxdp_get_error(mp))
		return 0; /* nothing attached, or nothing libxdp understands */
	if (!mp)
		return 0;
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		if (p && !strcmp(xdp_program__name(p), XH_PROG_NAME)) {
			*prog_id = xdp_program__id(p);
			found = 1;
		}
	} else {
		for (p = xdp_multiprog__next_prog(NULL, mp); p;
		     p = xdp_multiprog__next_prog(p, mp)) {
			if (!strcmp(xdp_program__name(p), XH_PROG_NAME)) {
				*prog_id = xdp_program__id(p);
				found = 1;
				break;
			}
		}
	}
	if (found && mode)
		*mode = xdp_multiprog__attach_mode(mp);
	xdp_multiprog__close(mp);
	return found;
}

/* Name and id of a non-xdphunt program in legacy mode on @ifindex, which
 * libxdp cannot share: 1 when there is one. */
static int foreign_legacy_prog(int ifindex, char *name, size_t len, uint32_t *id)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	int found = 0;

	mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (!mp || libxdp_get_error(mp))
		return 0;
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		if (p) {
			snprintf(name, len, "%s", xdp_program__name(p));
			*id = xdp_program__id(p);
			found = 1;
		}
	}
	xdp_multiprog__close(mp);
	return found;
}

struct xdp_program *loader_xdp_program(struct loader *l)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, xopts, .obj = l->skel->obj,
			    .prog_name = XH_PROG_NAME);
	struct xdp_program *p;
	int err;

	if (l->xdp_prog)
		return l->xdp_prog;
	p = xdp_program__create(&xopts);
	err = libxdp_get_error(p);
	if (err) {
		pr_warn("attach: libxdp cannot use the BPF object: %s\n", strerror(-err));
		errno = -err;
		return NULL;
	}
	/* libbpf turns SEC("xdp.frags") into BPF_F_XDP_HAS_FRAGS only when it
	 * loads the program, and libxdp reads the flag before that to decide
	 * whether its dispatcher takes multi-buffer frames: set it here, as
	 * xdp-tools do, or the dispatcher would refuse jumbo-MTU links. */
	err = xdp_program__set_xdp_frags_support(p, true);
	if (err)
		pr_info("attach: cannot mark the program for XDP frags (%s): jumbo-MTU links may "
			"need skb mode\n",
			strerror(-err));
	l->xdp_prog = p;
	return p;
}

int loader_attach(struct loader *l, const char *ifname, enum xdp_attach_mode mode)
{
	struct loader_iface *li;
	enum xdp_attach_mode cur_mode;
	char other[BPF_OBJ_NAME_LEN] = "";
	uint32_t id = 0;
	int ifindex, err;

	if (l->n_ifaces >= LOADER_MAX_IFACES) {
		pr_warn("attach: at most %d interfaces\n", LOADER_MAX_IFACES);
		return -E2BIG;
	}
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		pr_warn("attach: no interface '%s' here: %s\n", ifname, strerror(errno));
		return -ENODEV;
	}
	for (int i = 0; i < l->n_ifaces; i++) {
		if (l->ifaces[i].ifindex == ifindex) {
			pr_warn("attach: interface %s given twice\n", ifname);
			return -EEXIST;
		}
	}
	if (loader_find_attached(ifindex, &id, &cur_mode) > 0) {
		pid_t owner = instance_owner(ifname);

		if (owner > 0)
			pr_warn("attach: %s already runs xdphunt (program id %u, %s mode) for "
				"instance pid %d; stop that instance first\n",
				ifname, id, loader_mode_name(cur_mode), (int)owner);
		else
			pr_warn("attach: %s already runs xdphunt (program id %u, %s mode), and no "
				"running instance has it (one that crashed or was killed left it): "
				"remove it with 'xdphunt detach -i %s'\n",
				ifname, id, loader_mode_name(cur_mode), ifname);
		return -EEXIST;
	}
	if (foreign_legacy_prog(ifindex, other, sizeof(other), &id)) {
		pr_warn("attach: %s already has XDP program '%s' (id %u) attached without "
			"libxdp's dispatcher; xdphunt will not replace it\n",
			ifname, other, id);
		return -EBUSY;
	}

	if (!loader_xdp_program(l))
		return -errno;
	err = xdp_program__attach(l->xdp_prog, ifindex,
				  mode == XDP_MODE_UNSPEC ? XDP_MODE_NATIVE : mode, 0);
	/* Not loaded at all (a map the kernel would not make, for one): the
	 * mode is not the problem, and libbpf will not load the object again. */
	if (err && xdp_program__fd(l->xdp_prog) < 0) {
		pr_warn("attach: the BPF program did not load: %s (%s)\n", strerror(-err),
			load_hint(err));
		return err;
	}
	/* Another run that started at the same moment got there first: no
	 * skb-mode attempt, whose "busy" would hide that. */
	if (err && loader_find_attached(ifindex, &id, &cur_mode) > 0) {
		pr_warn("attach: %s: another xdphunt instance attached just now (program id %u, "
			"%s mode); this one stops\n",
			ifname, id, loader_mode_name(cur_mode));
		return -EEXIST;
	}
	if (err && mode == XDP_MODE_UNSPEC) {
		pr_info("attach: native mode on %s failed (%s), trying skb mode\n", ifname,
			strerror(-err));
		mode = XDP_MODE_SKB;
		err = xdp_program__attach(l->xdp_prog, ifindex, mode, 0);
	} else if (mode == XDP_MODE_UNSPEC) {
		mode = XDP_MODE_NATIVE;
	}
	if (err) {
		pr_warn("attach: cannot attach to %s in %s mode: %s\n", ifname,
			loader_mode_name(mode), strerror(-err));
		return err;
	}
	l->loaded = 1;
	li = &l->ifaces[l->n_ifaces++];
	snprintf(li->name, sizeof(li->name), "%s", ifname);
	li->ifindex = ifindex;
	li->mode = mode;
	li->state = LOADER_IF_ATTACHED;
	li->retry_said = 0;
	return 0;
}

int loader_detach_all(struct loader *l)
{
	int ret = 0, err;

	while (l->n_ifaces > 0) {
		struct loader_iface *li = &l->ifaces[l->n_ifaces - 1];

		l->n_ifaces--;
		if (li->state == LOADER_IF_GONE) {
			/* Deleted, nothing is left; moved to another namespace,
			 * the program stays there, out of this one's reach. */
			pr_warn("detach: %s is not in this namespace: if it was moved to another "
				"one, xdphunt is still attached there: run 'xdphunt detach -i %s' "
				"in that namespace\n",
				li->name, li->name);
			continue;
		}
		if (li->state == LOADER_IF_LOST) {
			pr_info("detach: %s no longer runs xdphunt, nothing to detach\n", li->name);
			continue;
		}
		err = xdp_program__detach(l->xdp_prog, li->ifindex, li->mode, 0);
		if (err) {
			pr_warn("detach: %s: %s\n", li->name, strerror(-err));
			if (!ret)
				ret = err;
		} else {
			pr_info("detached from %s\n", li->name);
		}
	}
	return ret;
}

/* loader_watch() for an interface of that name that is back (a new ifindex,
 * or the same one moved back): attach again, unless it still runs this
 * program (@ours). */
static void watch_reattach(struct loader *l, struct loader_iface *li, int ifindex, uint32_t ours)
{
	uint32_t id = 0;
	int err;

	if (loader_find_attached(ifindex, &id, NULL) > 0)
		err = id == ours ? 0 : -EEXIST; /* -EEXIST: another instance got there first */
	else
		err = xdp_program__attach(l->xdp_prog, ifindex, li->mode, 0);
	if (err) {
		if (!li->retry_said)
			pr_warn("watch: %s is back (ifindex %d) but attaching failed: %s; "
				"trying again every second\n",
				li->name, ifindex, strerror(-err));
		li->retry_said = 1;
		return;
	}
	pr_warn("watch: %s is back (ifindex %d): attached again (%s mode)\n", li->name, ifindex,
		loader_mode_name(li->mode));
	li->ifindex = ifindex;
	li->state = LOADER_IF_ATTACHED;
	li->retry_said = 0;
}

/* 1 when @ifindex no longer runs program @ours in @mode. A netlink query first
 * (one program: ours, or none); libxdp's view, which also reads the
 * program's BTF from the kernel, only when another program is there (its
 * dispatcher, with ours inside). */
static int watch_lost(int ifindex, enum xdp_attach_mode mode, uint32_t ours)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	uint32_t id, found = 0;

	if (bpf_xdp_query(ifindex, 0, &q))
		return 0; /* cannot tell: assume nothing changed */
	id = mode == XDP_MODE_SKB ? q.skb_prog_id : q.drv_prog_id;
	if (!id)
		return 1;
	if (id == ours)
		return 0;
	return loader_find_attached(ifindex, &found, NULL) <= 0 || found != ours;
}

int loader_watch(struct loader *l)
{
	uint32_t ours = l->xdp_prog ? xdp_program__id(l->xdp_prog) : 0;
	char now[IF_NAMESIZE];
	int renamed = 0;

	for (int i = 0; i < l->n_ifaces; i++) {
		struct loader_iface *li = &l->ifaces[i];
		int ifindex = (int)if_nametoindex(li->name);

		/* Renamed: the kernel keeps the program on the device, so
		 * xdphunt follows the device (its hits, its detach at exit)
		 * rather than the name. */
		if (!ifindex && li->state != LOADER_IF_GONE && if_indextoname(li->ifindex, now)) {
			pr_warn("watch: %s is now %s (ifindex %d): still attached, watched under "
				"its new name\n",
				li->name, now, li->ifindex);
			snprintf(li->name, sizeof(li->name), "%s", now);
			renamed = 1;
			ifindex = li->ifindex;
		}
		if (!ifindex) {
			if (li->state != LOADER_IF_GONE) {
				pr_warn("watch: %s is gone (deleted, or moved to another "
					"namespace, "
					"where the program stays attached); not watched until it "
					"returns\n",
					li->name);
				li->state = LOADER_IF_GONE;
			}
			continue;
		}
		if (ifindex != li->ifindex || li->state == LOADER_IF_GONE) {
			watch_reattach(l, li, ifindex, ours);
			continue;
		}
		if (li->state != LOADER_IF_ATTACHED)
			continue; /* lost: left alone */
		if (watch_lost(ifindex, li->mode, ours)) {
			pr_warn("watch: xdphunt's program is no longer attached to %s (removed by "
				"another tool?); left as it is: restart xdphunt to watch it "
				"again\n",
				li->name);
			li->state = LOADER_IF_LOST;
		}
	}
	return renamed;
}

int loader_detach_iface(const char *ifname)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p, *target = NULL;
	enum xdp_attach_mode mode;
	int ifindex, err;

	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		pr_warn("detach: no interface '%s' here\n", ifname);
		return -ENODEV;
	}
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (!mp || libxdp_get_error(mp))
		return -ENOENT;
	mode = xdp_multiprog__attach_mode(mp);
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		if (p && !strcmp(xdp_program__name(p), XH_PROG_NAME))
			target = p;
	} else {
		for (p = xdp_multiprog__next_prog(NULL, mp); p; p = xdp_multiprog__next_prog(p, mp))
			if (!strcmp(xdp_program__name(p), XH_PROG_NAME))
				target = p;
	}
	if (!target) {
		xdp_multiprog__close(mp);
		return -ENOENT;
	}
	err = xdp_program__detach(target, ifindex, mode, 0);
	xdp_multiprog__close(mp);
	return err;
}

static int set_port(int fd, uint16_t port, uint8_t svc)
{
	uint32_t key = port;

	return bpf_map_update_elem(fd, &key, &svc, BPF_ANY) ? -errno : 0;
}

void loader_ioc_outer(struct loader *l, struct ioc_outer *out)
{
	out->ioc4 = bpf_map__fd(l->skel->maps.xh_ioc4);
	out->ioc6 = bpf_map__fd(l->skel->maps.xh_ioc6);
	out->iocdom = bpf_map__fd(l->skel->maps.xh_iocdom);
	out->iocport = bpf_map__fd(l->skel->maps.xh_iocport);
	out->iocpf = bpf_map__fd(l->skel->maps.xh_iocpf);
}

int loader_configure(struct loader *l, const struct loader_opts *opts, struct ioc_set *iocs)
{
	static const uint16_t rpc_default[] = {135};
	int fd = bpf_map__fd(l->skel->maps.xh_ports);
	int err = 0;

	if (opts->n_smb_ports) {
		for (int i = 0; i < opts->n_smb_ports && !err; i++)
			err = set_port(fd, opts->smb_ports[i], XH_SVC_SMB);
	} else {
		for (size_t i = 0; i < sizeof(smb_default) / sizeof(smb_default[0]) && !err; i++)
			err = set_port(fd, smb_default[i], XH_SVC_SMB);
	}
	if (opts->n_rpc_ports) {
		for (int i = 0; i < opts->n_rpc_ports && !err; i++)
			err = set_port(fd, opts->rpc_ports[i], XH_SVC_RPC);
	} else {
		for (size_t i = 0; i < sizeof(rpc_default) / sizeof(rpc_default[0]) && !err; i++)
			err = set_port(fd, rpc_default[i], XH_SVC_RPC);
	}
	if (err) {
		pr_warn("loader: cannot fill xh_ports: %s\n", strerror(-err));
		return err;
	}
	if (iocs) {
		struct ioc_outer outer;

		loader_ioc_outer(l, &outer);
		err = ioc_maps_install(iocs, &outer, 0, NULL);
		if (err) {
			pr_warn("loader: cannot load the IoC set into the maps: %s\n",
				strerror(-err));
			return err;
		}
	}
	return 0;
}

int loader_arm(struct loader *l)
{
	struct xdphunt__data data;
	int fd = bpf_map__fd(l->skel->maps.data);
	__u32 zero = 0;

	/* Through the map, not skel->data: when libxdp loads the object it
	 * calls bpf_object__load(), which does not mmap the skeleton's
	 * sections, so skel->data still points at the pre-load image. */
	if (bpf_map_lookup_elem(fd, &zero, &data))
		goto err;
	data.xh_armed = 1;
	if (bpf_map_update_elem(fd, &zero, &data, BPF_ANY))
		goto err;
	return 0;
err:
	pr_warn("loader: cannot arm the program: %s\n", strerror(errno));
	return -errno;
}

int loader_publish_flows(struct loader *l, uint64_t removed, uint64_t forced)
{
	struct xdphunt__bss bss;
	int fd = bpf_map__fd(l->skel->maps.bss);
	__u32 zero = 0;

	/* Through the map, as loader_arm(): skel->bss may be the pre-load
	 * image. The program never writes .bss, so nothing is lost between
	 * the read and the write. */
	if (bpf_map_lookup_elem(fd, &zero, &bss))
		return -errno;
	bss.xh_flows_removed = removed;
	bss.xh_flows_forced = forced;
	if (bpf_map_update_elem(fd, &zero, &bss, BPF_ANY))
		return -errno;
	return 0;
}

static int clear_map(int fd, size_t key_size);
static int clear_array(int fd, size_t value_size, __u32 n);

int loader_clear_flows(struct loader *l)
{
	int fd = bpf_map__fd(l->skel->maps.xh_flows);
	struct xh_flow_key key, next;
	int n = 0, err;

	/* Per-flow SMB state and reported findings go with their flows. */
	err = clear_map(bpf_map__fd(l->skel->maps.xh_smb), sizeof(__u64));
	if (!err)
		err = clear_map(bpf_map__fd(l->skel->maps.xh_smb_trees), 48);
	if (!err)
		err = clear_map(bpf_map__fd(l->skel->maps.xh_seen), sizeof(struct xh_seen_key));
	/* SMB opens followed by FileId (bpf/smb_files.bpf.h). */
	if (!err)
		err = clear_map(bpf_map__fd(l->skel->maps.xh_smb_pend), 48);
	if (!err)
		err = clear_map(bpf_map__fd(l->skel->maps.xh_smb_files), 64);
	/* scan.smb_sweep's windows: a sweep is counted within one capture. */
	if (!err)
		err = clear_map(bpf_map__fd(l->skel->maps.xh_sweep_src),
				sizeof(struct xh_sweep_src_key));
	if (!err)
		err = clear_map(bpf_map__fd(l->skel->maps.xh_sweep_pair),
				sizeof(struct xh_sweep_pair_key));
	/* smb.brute_force's and scan.port_scan's, likewise. */
	if (!err)
		err = clear_map(bpf_map__fd(l->skel->maps.xh_brute_src),
				sizeof(struct xh_sweep_src_key));
	if (!err)
		err = clear_map(bpf_map__fd(l->skel->maps.xh_scan_pairs),
				sizeof(struct xh_sweep_pair_key));
	if (!err)
		err = clear_map(bpf_map__fd(l->skel->maps.xh_scan_ports),
				sizeof(struct xh_scan_port_key));
	if (!err)
		err = clear_array(bpf_map__fd(l->skel->maps.xh_scan_first),
				  sizeof(struct xh_scan_first), XH_SCAN_FIRST_SLOTS);
	if (!err)
		err = clear_array(bpf_map__fd(l->skel->maps.xh_sweep_first),
				  sizeof(struct xh_scan_first), XH_SCAN_FIRST_SLOTS);
	if (err)
		return err;

	/* Deleting while walking restarts from the first key each time. */
	while (bpf_map_get_next_key(fd, NULL, &next) == 0) {
		key = next;
		if (bpf_map_delete_elem(fd, &key) && errno != ENOENT)
			return -errno;
		if (++n > 100000000)
			return -EOVERFLOW; /* bound: the map can never hold this many */
	}
	return 0;
}

static int clear_map(int fd, size_t key_size)
{
	char key[64];
	long n = 0;

	if (key_size > sizeof(key))
		return -E2BIG;
	while (bpf_map_get_next_key(fd, NULL, key) == 0) {
		if (bpf_map_delete_elem(fd, key) && errno != ENOENT)
			return -errno;
		if (++n > 100000000)
			return -EOVERFLOW;
	}
	return 0;
}

/* Zero the @n values of the array map @fd in one batch. */
static int clear_array(int fd, size_t value_size, __u32 n)
{
	void *zeros = calloc(n, value_size);
	__u32 *keys = calloc(n, sizeof(*keys)), count = n;
	int err = 0;

	if (!zeros || !keys) {
		err = -ENOMEM;
		goto out;
	}
	for (__u32 i = 0; i < n; i++)
		keys[i] = i;
	if (bpf_map_update_batch(fd, keys, zeros, &count, NULL))
		err = -errno;
out:
	free(zeros);
	free(keys);
	return err;
}

void loader__free(struct loader *l)
{
	if (!l)
		return;
	loader_detach_all(l);
	xdp_program__close(l->xdp_prog);
	xdphunt__destroy(l->skel);
	free(l);
}

long long loader_fd_memlock(int fd)
{
	char path[64], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}
