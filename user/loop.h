/* SPDX-License-Identifier: GPL-2.0 */
/* loop.h: the live event loop: epoll over the ring buffer, a signalfd and a
 * drain timer, which also runs the interface watch. */
#ifndef XH_LOOP_H
#define XH_LOOP_H

struct ring_reader;
struct event_sink;

#define LOOP_DRAIN_MS	10   /* events are submitted without wakeup: drain this often */
#define LOOP_WATCH_MS	1000 /* event_sink.on_watch (the interfaces) this often */
#define LOOP_CATCHUP_MS 100  /* event_sink.on_catchup (flow records) this often */

/* Run until SIGINT or SIGTERM (or an output error), then drain what is left.
 * Signals must already be blocked (loop_block_signals()). Returns 0 on a
 * signal, or -errno. */
int loop_run(struct ring_reader *rb, struct event_sink *sink);

/* Block SIGINT, SIGTERM and SIGHUP in this thread so that signalfd gets them;
 * ignore SIGPIPE (output errors are reported as EPIPE). Returns 0 or -errno. */
int loop_block_signals(void);

#endif
