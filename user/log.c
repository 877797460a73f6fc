// SPDX-License-Identifier: GPL-2.0
/* log.c: leveled messages to stderr; libbpf and libxdp print through here so
 * that their output follows -v/-vv and never mixes with JSON on stdout. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "log.h"

static enum log_level cur_level = LOG_WARN;
static FILE *log_out; /* NULL: stderr */

static void log_vprintf(enum log_level level, const char *fmt, va_list ap)
{
	int saved = errno; /* callers often log, then return -errno */

	if (level <= cur_level)
		vfprintf(log_out ? log_out : stderr, fmt, ap);
	errno = saved;
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprintf(level, fmt, ap);
	va_end(ap);
}

/* libbpf warns at length when a feature probe fails (and falls back), so its
 * warnings need -v; its info and debug output (object and BTF details) -vv.
 * Our own pr_warn() is shown always: a real failure is reported by the caller. */
static int libbpf_print(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	log_vprintf(lvl == LIBBPF_WARN ? LOG_INFO : LOG_DEBUG, fmt, ap);
	return 0;
}

/* Same policy for libxdp, which warns when it falls back from the multi-prog
 * dispatcher to a plain attach. */
static int libxdp_print(enum libxdp_print_level lvl, const char *fmt, va_list ap)
{
	log_vprintf(lvl == LIBXDP_WARN ? LOG_INFO : LOG_DEBUG, fmt, ap);
	return 0;
}

void log_setup(enum log_level level)
{
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	cur_level = level;
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}

void log_set_output(FILE *f)
{
	log_out = f;
}

enum log_level log_get_level(void)
{
	return cur_level;
}
