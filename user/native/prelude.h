/* SPDX-License-Identifier: GPL-2.0 */
/* prelude.h: force-included (-include) before bpf/xdphunt.bpf.c when it is
 * compiled natively: the UAPI struct xdp_md (32-bit data/data_end) is
 * renamed away and the program's `struct xdp_md` becomes struct nrt_xdp_md
 * (nrt.h), with pointer-wide fields of the same names. */
#ifndef XH_NRT_PRELUDE_H
#define XH_NRT_PRELUDE_H

#define xdp_md xh_uapi_xdp_md
#include <linux/bpf.h>
#undef xdp_md
#define xdp_md nrt_xdp_md
#include "nrt.h"

#endif
