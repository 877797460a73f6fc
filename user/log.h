/* SPDX-License-Identifier: GPL-2.0 */
/* log.h: messages to stderr at three levels; owns libbpf's and libxdp's output. */
#ifndef XH_LOG_H
#define XH_LOG_H

enum log_level {
	LOG_WARN = 0,  /* always shown */
	LOG_INFO = 1,  /* -v */
	LOG_DEBUG = 2, /* -vv, also enables libbpf and libxdp debug output */
};

#include <stdio.h>

/* Set the level and route libbpf/libxdp messages through log.c. */
void log_setup(enum log_level level);
/* Where messages go: stderr by default (NULL); tests capture them. */
void log_set_output(FILE *f);
enum log_level log_get_level(void);

void log_printf(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define pr_warn(...)  log_printf(LOG_WARN, "xdphunt: " __VA_ARGS__)
#define pr_info(...)  log_printf(LOG_INFO, "xdphunt: " __VA_ARGS__)
#define pr_debug(...) log_printf(LOG_DEBUG, "xdphunt: " __VA_ARGS__)

#endif
