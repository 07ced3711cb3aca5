// SPDX-License-Identifier: GPL-2.0
#include "loop.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int loop_init(struct loop *l)
{
	memset(l, 0, sizeof(*l));
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	return l->epfd < 0 ? -errno : 0;
}

void loop_free(struct loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
	l->timers = NULL;
}

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int loop_fd_add(struct loop *l, struct loop_fd *h, int fd, uint32_t events,
		loop_fd_cb cb, void *ctx)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };

	h->fd = fd;
	h->events = events;
	h->cb = cb;
	h->ctx = ctx;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	h->added = true;
	return 0;
}

int loop_fd_mod(struct loop *l, struct loop_fd *h, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };

	if (!h->added)
		return -EINVAL;
	if (h->events == events)
		return 0;
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, h->fd, &ev))
		return -errno;
	h->events = events;
	return 0;
}

void loop_fd_del(struct loop *l, struct loop_fd *h)
{
	if (!h->added)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, h->fd, NULL);
	h->added = false;
	for (int i = 0; i < l->n_ev; i++)
		if (l->ev[i].data.ptr == h)
			l->ev[i].data.ptr = NULL;
}

void loop_timer_init(struct loop_timer *t, loop_timer_cb cb, void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->cb = cb;
	t->ctx = ctx;
}

void loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	if (!t->armed)
		return;
	for (struct loop_timer **pp = &l->timers; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->armed = false;
	t->next = NULL;
}

void loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t in_ms)
{
	struct loop_timer **pp = &l->timers;

	loop_timer_cancel(l, t);
	t->due_ms = loop_now_ms() + in_ms;
	/* A handful of timers at most: a sorted list is plenty. */
	while (*pp && (*pp)->due_ms <= t->due_ms)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
	t->armed = true;
}

static void run_timers(struct loop *l)
{
	uint64_t now = loop_now_ms();

	while (l->timers && l->timers->due_ms <= now) {
		struct loop_timer *t = l->timers;

		l->timers = t->next;
		t->next = NULL;
		t->armed = false;
		t->cb(t->ctx);
	}
}

int loop_run_once(struct loop *l, int max_ms)
{
	int wait = max_ms;

	if (l->timers) {
		uint64_t now = loop_now_ms(), due = l->timers->due_ms;
		int until = due <= now ? 0 : (int)(due - now > 60000 ? 60000 : due - now);

		if (wait < 0 || until < wait)
			wait = until;
	}
	int n = epoll_wait(l->epfd, l->ev, LOOP_MAX_EVENTS, wait);
	if (n < 0) {
		l->n_ev = 0;
		return errno == EINTR ? 0 : -errno;
	}
	l->n_ev = n;
	for (int i = 0; i < n; i++) {
		struct loop_fd *h = l->ev[i].data.ptr;

		if (h)
			h->cb(h->ctx, l->ev[i].events);
	}
	l->n_ev = 0;
	run_timers(l);
	return 0;
}
