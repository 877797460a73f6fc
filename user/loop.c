// SPDX-License-Identifier: GPL-2.0
/* loop.c: epoll over the ring buffer fd, signalfd and a timerfd. The kernel
 * submits events without waking us (a wakeup per event cost 4x throughput),
 * so the timer drains the buffer; the program forces a wakeup only when the
 * buffer passes its watermark. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include "events.h"
#include "jsonl.h"
#include "log.h"
#include "loop.h"
#include "ring_reader.h"

int loop_block_signals(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	return 0;
}

static int drain(struct ring_reader *rb, struct event_sink *sink)
{
	int n = ring_reader__consume(rb);

	if (n < 0 && sink->write_err)
		return sink->write_err;
	if (n < 0)
		pr_warn("events: ring buffer consume failed: %s\n", strerror(-n));
	return jsonl_flush(sink->out);
}

/* SIGHUP after logrotate moved the output away: write to a new file of the
 * same name. A failure keeps the old one (nothing is lost) and is said. */
static void reopen_output(struct event_sink *sink)
{
	const char *path = jsonl_writer_path(sink->out);
	int err;

	if (!path)
		return;
	err = jsonl_writer_reopen(sink->out);
	if (err)
		pr_warn("SIGHUP: cannot reopen %s: %s; still writing to the file open before\n",
			path, strerror(-err));
	else
		pr_info("SIGHUP: reopened %s\n", path);
}

int loop_run(struct ring_reader *rb, struct event_sink *sink)
{
	struct itimerspec its = {
		.it_interval = {.tv_nsec = LOOP_DRAIN_MS * 1000000L},
		.it_value = {.tv_nsec = LOOP_DRAIN_MS * 1000000L},
	};
	struct epoll_event ev, evs[4];
	int epfd = -1, sfd = -1, tfd = -1, ret = 0, ticks = 0;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || tfd < 0 || epfd < 0) {
		ret = -errno;
		pr_warn("loop: setup failed: %s\n", strerror(errno));
		goto out;
	}
	if (timerfd_settime(tfd, 0, &its, NULL)) {
		ret = -errno;
		goto out;
	}
	ev.events = EPOLLIN;
	ev.data.fd = sfd;
	epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev);
	ev.data.fd = tfd;
	epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &ev);
	ev.data.fd = ring_reader__fd(rb);
	epoll_ctl(epfd, EPOLL_CTL_ADD, ev.data.fd, &ev);

	for (;;) {
		int n = epoll_wait(epfd, evs, 4, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == sfd) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGHUP) {
					/* Drain first: a reload frees the IoC
					 * generation before the previous one. */
					ret = drain(rb, sink);
					if (ret)
						goto out;
					reopen_output(sink);
					if (sink->on_hup)
						sink->on_hup(sink->on_hup_ctx);
					else
						pr_info("SIGHUP: nothing to reload\n");
					continue;
				}
				pr_info("%s: draining and detaching\n", strsignal(si.ssi_signo));
				ret = drain(rb, sink);
				goto out;
			} else if (evs[i].data.fd == tfd) {
				uint64_t exp;

				if (read(tfd, &exp, sizeof(exp)) < 0)
					continue;
				/* Re-read the clock offset about once a minute. */
				if (++ticks % (60000 / LOOP_DRAIN_MS) == 0)
					event_sink_sync_clock(sink);
				if (ticks % (LOOP_WATCH_MS / LOOP_DRAIN_MS) == 0 && sink->on_watch)
					sink->on_watch(sink->on_watch_ctx);
				else if (ticks % (LOOP_CATCHUP_MS / LOOP_DRAIN_MS) == 0 &&
					 sink->on_catchup)
					sink->on_catchup(sink->on_catchup_ctx);
			}
		}
		/* Timer tick or watermark wakeup: either way, drain. */
		ret = drain(rb, sink);
		if (ret)
			break;
	}
out:
	if (epfd >= 0)
		close(epfd);
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	return ret;
}
