/* SPDX-License-Identifier: GPL-2.0 */
/* grow.h: room for one more element in a growing array (doubling), for the
 * tables built while reading (dcerpc_table.c) and the per-sweep key lists
 * of flow records (flowlog.c). */
#ifndef XH_GROW_H
#define XH_GROW_H

#include <errno.h>
#include <stdlib.h>

/* Room in *@arr, @n elements of @size bytes used of *@cap allocated, for
 * one more: doubles it (64 at first). Returns 0 or -ENOMEM (the array left
 * as it was). */
static inline int xh_grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t nc;
	void *p;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 64;
	p = realloc(*arr, nc * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = nc;
	return 0;
}

#endif
