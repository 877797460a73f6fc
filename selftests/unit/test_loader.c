// SPDX-License-Identifier: GPL-2.0
/* test_loader.c: what the loader hands libxdp, checked without loading
 * anything: the program is marked as taking XDP frags before it is loaded,
 * which is when libxdp decides whether its dispatcher takes multi-buffer
 * frames (libbpf sets the flag from the xdp.frags section only at load). */
#include <string.h>
#include <xdp/libxdp.h>
#include "test.h"
#include "loader.h"
#include "xh_abi.h"
#include "xdphunt.skel.h"

void test_loader_xdp_frags(void)
{
	struct loader_opts lo = {};
	struct xdp_program *p;
	struct loader *l;

	l = loader__open(&lo);
	if (!ASSERT_OK_PTR(l, "loader__open"))
		return;
	p = loader_xdp_program(l);
	if (ASSERT_OK_PTR(p, "loader_xdp_program")) {
		ASSERT_TRUE(xdp_program__xdp_frags_support(p), "libxdp sees frags support");
		ASSERT_TRUE(loader_xdp_program(l) == p, "made once");
	}
	loader__free(l);
}

/* scan.service_sweep's default ports are written twice: in the program's
 * rodata (bpf/sweep.bpf.h), which the prog harness and the bench's live
 * path load as they are, and in LOADER_SVCSWEEP_PORTS, which the loader
 * sets them from. They must be the same list. */
void test_loader_svcsweep_defaults(void)
{
	static const uint16_t def[] = LOADER_SVCSWEEP_PORTS;
	static __u64 want[XH_SVCSWEEP_PORT_WORDS];
	struct xdphunt *skel = xdphunt__open();

	if (!ASSERT_OK_PTR(skel, "xdphunt__open"))
		return;
	loader_svcsweep_bits(want, def, (int)(sizeof(def) / sizeof(def[0])));
	ASSERT_TRUE(!memcmp(want, (const void *)skel->rodata->xh_cfg_svcsweep_ports, sizeof(want)),
		    "the program's default ports are the loader's");
	ASSERT_TRUE(want[22 / 64] >> (22 % 64) & 1, "22 among them");
	ASSERT_FALSE(want[445 / 64] >> (445 % 64) & 1, "445 not");
	xdphunt__destroy(skel);
}
