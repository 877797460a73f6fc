/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* clock.bpf.h: the time xdphunt's state runs on: the flows' first and last
 * packet, scan.smb_sweep's window. Live, the kernel's monotonic clock.
 * Under `xdphunt replay`, the capture's: a sweep spread over ten minutes of
 * a capture is not a sweep because the file is read in a second, and flow
 * records (--flow-timeout) time out by the capture's clock. */
#ifndef XH_CLOCK_BPF_H
#define XH_CLOCK_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* 1 under `xdphunt replay`: the packets come from a capture file. The
 * clock is then xh_capture_now_ns, and an IPv4 total length of 0 is a
 * TSO segment (bpf/parse.h). Set through the skeleton's rodata before
 * load; live it stays 0 and the verifier prunes the branches. */
const volatile __u8 xh_cfg_capture = 0;
/* The capture time (realtime ns) of the packet in hand, written by replay
 * before each run (user/cmd_replay.c); a capture may be stamped out of
 * order, so it can go back. */
__u64 xh_capture_now_ns = 0;
/* The packet in hand's length in its capture record, less the frame's:
 * what the capture's snap length cut off, and the link header's size
 * against the Ethernet header replay put in its place. Written by replay
 * with xh_capture_now_ns, so flows and counters count a frame as the
 * capture says the wire carried it, as tshark's conversations do. 64 bits,
 * as every .bss variable: `xdphunt stats` knows this build's .bss by its
 * size, which a 4-byte variable at the end would leave short of the
 * skeleton's padded struct. */
__s64 xh_capture_len_adj = 0;

/* What to add to the frame's length in hand for the record's: live,
 * nothing (the branch is pruned). */
static __always_inline __s64 xh_capture_extra(void)
{
	return xh_cfg_capture ? xh_capture_len_adj : 0;
}

/* Now, precise (scan windows). */
static __always_inline __u64 xh_now_ns(void)
{
	if (xh_cfg_capture)
		return xh_capture_now_ns;
	return bpf_ktime_get_ns();
}

/* Now, to a tick (flow bookkeeping, scan.port_scan's windows): make bench measured
 * bpf_ktime_get_ns() at about 25 ns of the ~100 ns a classified packet costs (kvm-clock in a VM,
 * kernel 6.18); the coarse clock is a load. */
static __always_inline __u64 xh_now_coarse_ns(void)
{
	if (xh_cfg_capture)
		return xh_capture_now_ns;
	return bpf_ktime_get_coarse_ns();
}

#endif /* XH_CLOCK_BPF_H */
