/* SPDX-License-Identifier: GPL-2.0 */
/* textfile.h: read a small text file (SMB rules, DCE/RPC tables) whole. */
#ifndef XH_TEXTFILE_H
#define XH_TEXTFILE_H

#include <stddef.h>

/* Read @path into a NUL-terminated buffer (*@out, to free()). Refuses, with
 * "@who: PATH: why" on stderr, a file it cannot open or read, one over @max
 * bytes, and one with a NUL byte (not text: the parsers stop at the first
 * NUL). A UTF-8 byte order mark at the start is dropped. An empty file
 * gives "". Returns 0 or -errno. */
int textfile_read(const char *path, size_t max, const char *who, char **out);

#endif
