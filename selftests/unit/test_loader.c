// SPDX-License-Identifier: GPL-2.0
/* test_loader.c: what the loader hands libxdp, checked without loading
 * anything: the program is marked as taking XDP frags before it is loaded,
 * which is when libxdp decides whether its dispatcher takes multi-buffer
 * frames (libbpf sets the flag from the xdp.frags section only at load). */
#include <xdp/libxdp.h>
#include "test.h"
#include "loader.h"

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
