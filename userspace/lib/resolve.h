/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host name lookups off the event loop.  getaddrinfo() blocks for as long
 * as the name servers take (resolv.conf timeout x attempts, easily 30 s
 * and more when a server drops packets), which would stop every other
 * collector and the module's reads.  Each lookup runs getaddrinfo() on a
 * detached thread of its own and hands the result back through an eventfd
 * the loop watches; the loop side gives up after RESOLVE_TIMEOUT_MS (the
 * thread then finishes on its own and frees what it got).  At most
 * RESOLVE_MAX_THREADS lookups run at once, so a dead DNS server cannot pile
 * up threads: past it, resolve_start() fails and the caller retries later.
 */
#ifndef BMPTAP_RESOLVE_H
#define BMPTAP_RESOLVE_H

#include <netdb.h>

#include "loop.h"

#define RESOLVE_TIMEOUT_MS	10000
#define RESOLVE_MAX_THREADS	16

struct resolve;

/* res (owned by the callee, freeaddrinfo) or NULL and why.  The handle is
 * gone when it is called. */
typedef void (*resolve_cb)(void *ctx, struct addrinfo *res, const char *error);

/* NULL (errno set) when the lookup could not be started. */
struct resolve *resolve_start(struct loop *loop, const char *host, const char *port,
			      const struct addrinfo *hints, unsigned timeout_ms,
			      resolve_cb cb, void *ctx);
/* The callback is not called any more; the thread's result is dropped. */
void resolve_cancel(struct resolve *r);
/* Lookups whose threads are still running (including abandoned ones). */
int resolve_in_flight(void);

#endif
