// SPDX-License-Identifier: GPL-2.0
#include "resolve.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct resolve {
	atomic_int refs;		/* the thread's and the loop side's */
	int efd;			/* written once by the thread when done */
	struct loop *loop;
	struct loop_fd lfd;
	struct loop_timer timer;
	resolve_cb cb;
	void *ctx;
	char host[NI_MAXHOST];
	char port[NI_MAXSERV];
	struct addrinfo hints;
	int err;			/* the thread's result, read after efd */
	struct addrinfo *res;
};

/* Process-wide on purpose: threads are a process-wide resource. */
static atomic_int in_flight;

int resolve_in_flight(void)
{
	return atomic_load(&in_flight);
}

static void put(struct resolve *r)
{
	if (atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	if (r->res)
		freeaddrinfo(r->res);
	close(r->efd);
	free(r);
}

static void *lookup(void *arg)
{
	struct resolve *r = arg;
	uint64_t one = 1;

	r->err = getaddrinfo(r->host, r->port, &r->hints, &r->res);
	/* The eventfd write orders the result before the loop's read; it
	 * cannot fail (8 bytes on a counter written once). */
	ssize_t w = write(r->efd, &one, sizeof(one));
	(void)w;
	atomic_fetch_sub(&in_flight, 1);
	put(r);
	return NULL;
}

static void detach(struct resolve *r)
{
	loop_fd_del(r->loop, &r->lfd);
	loop_timer_cancel(r->loop, &r->timer);
}

static void on_done(void *ctx, uint32_t events)
{
	struct resolve *r = ctx;
	struct addrinfo *res = r->res;
	resolve_cb cb = r->cb;
	void *cctx = r->ctx;
	const char *error = NULL;
	uint64_t v;

	(void)events;
	if (read(r->efd, &v, sizeof(v)) != sizeof(v))
		return;		/* spurious: the thread has not written yet */
	detach(r);
	if (r->err) {
		error = gai_strerror(r->err);
		res = NULL;
	}
	r->res = NULL;
	put(r);
	cb(cctx, res, error);
}

static void on_timeout(void *ctx)
{
	struct resolve *r = ctx;
	resolve_cb cb = r->cb;
	void *cctx = r->ctx;

	detach(r);
	put(r);
	cb(cctx, NULL, "timed out");
}

struct resolve *resolve_start(struct loop *loop, const char *host, const char *port,
			      const struct addrinfo *hints, unsigned timeout_ms,
			      resolve_cb cb, void *ctx)
{
	struct resolve *r;
	pthread_attr_t attr;
	pthread_t tid;
	int err;

	if (atomic_fetch_add(&in_flight, 1) >= RESOLVE_MAX_THREADS) {
		atomic_fetch_sub(&in_flight, 1);
		errno = EAGAIN;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		goto fail;
	atomic_init(&r->refs, 2);
	r->loop = loop;
	r->cb = cb;
	r->ctx = ctx;
	r->hints = *hints;
	snprintf(r->host, sizeof(r->host), "%s", host);
	snprintf(r->port, sizeof(r->port), "%s", port);
	loop_timer_init(&r->timer, on_timeout, r);
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->efd < 0)
		goto fail_free;
	if (loop_fd_add(loop, &r->lfd, r->efd, EPOLLIN, on_done, r))
		goto fail_close;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&tid, &attr, lookup, r);
	pthread_attr_destroy(&attr);
	if (err) {
		loop_fd_del(loop, &r->lfd);
		errno = err;
		goto fail_close;
	}
	loop_timer_arm(loop, &r->timer, timeout_ms);
	return r;
fail_close:
	err = errno;
	close(r->efd);
	errno = err;
fail_free:
	free(r);
fail:
	atomic_fetch_sub(&in_flight, 1);
	return NULL;
}

void resolve_cancel(struct resolve *r)
{
	if (!r)
		return;
	detach(r);
	put(r);
}
