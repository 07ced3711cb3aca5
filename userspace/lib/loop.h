/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small epoll event loop: fd callbacks and one-shot monotonic timers.
 * Everything is single-threaded; callbacks may add, modify and delete any
 * fd or timer, including their own (a deleted fd's pending events from the
 * same epoll batch are dropped, so a freed handler is never called).
 */
#ifndef BMPTAP_LOOP_H
#define BMPTAP_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

struct loop_fd;
typedef void (*loop_fd_cb)(void *ctx, uint32_t events);
typedef void (*loop_timer_cb)(void *ctx);

struct loop_fd {
	int fd;
	uint32_t events;
	loop_fd_cb cb;
	void *ctx;
	bool added;
};

struct loop_timer {
	uint64_t due_ms;
	loop_timer_cb cb;
	void *ctx;
	bool armed;
	struct loop_timer *next;	/* sorted by due_ms */
};

#define LOOP_MAX_EVENTS 64
/* Reads or accepts per fd and wakeup: a busy fd (a flood of connections,
 * a chatty socket) cannot starve the others.  fds are level-triggered, so
 * what is left wakes the loop again on its next turn. */
#define LOOP_FD_BUDGET 64

struct loop {
	int epfd;
	struct loop_timer *timers;
	/* The batch being dispatched, so that loop_fd_del can void entries. */
	struct epoll_event ev[LOOP_MAX_EVENTS];
	int n_ev;
};

int loop_init(struct loop *l);		/* 0 or -errno */
void loop_free(struct loop *l);
uint64_t loop_now_ms(void);		/* CLOCK_MONOTONIC */

int loop_fd_add(struct loop *l, struct loop_fd *h, int fd, uint32_t events,
		loop_fd_cb cb, void *ctx);
int loop_fd_mod(struct loop *l, struct loop_fd *h, uint32_t events);
void loop_fd_del(struct loop *l, struct loop_fd *h);

void loop_timer_init(struct loop_timer *t, loop_timer_cb cb, void *ctx);
void loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t in_ms);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);

/* Waits at most max_ms (-1: until something happens), dispatches timers
 * that are due and fd events.  0, or -errno from epoll_wait (not EINTR). */
int loop_run_once(struct loop *l, int max_ms);

#endif
