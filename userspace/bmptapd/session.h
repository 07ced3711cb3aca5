/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A collector's session, as the feed's own files (replay.c, fanout.c,
 * feed.c, listener.c, collector_tls.c, select.c) drive it; users of the
 * feed have collector.h.
 */
#ifndef BMPTAP_SESSION_H
#define BMPTAP_SESSION_H

#include "collector.h"

struct addrinfo;
struct collector *coll_new(struct feed *f, const struct bt_server_cfg *cfg);
void coll_event(void *ctx, uint32_t events);
void coll_retry(struct collector *c);	/* backoff, then open again */
void listener_listen(struct collector *l, struct addrinfo *res);
void listener_accept(struct collector *l);
void listener_resume(struct collector *l);	/* after a pause for want of fds */
/* Connect or TLS set-up failed (why): close, back off, retry. */
void coll_connect_failed(struct collector *c, const char *why);
void coll_tls_start(struct collector *c);	/* collector_tls.c */
void coll_tls_step(struct collector *c);
void coll_tls_timeout(struct collector *c);
/* Why a send or receive failed with err; a TLS error is counted. */
const char *coll_tls_error(struct collector *c, int err);

/* Appends one BMP message to the output (bounded by the callers). */
void coll_put(struct collector *c, const uint8_t *msg, size_t len);
/*
 * Ends the session from inside a peer event (the collector must stay
 * allocated until the loop sees the shutdown): the read side reports the
 * loss with why.  An active collector reconnects and gets a full table.
 */
void coll_disconnect(struct collector *c, const char *why);
/* Whether the collector gets this peer at all (the Loc-RIB: with local-rib). */
bool coll_wants_peer(const struct collector *c, const struct peer *p);
/* Queues p's Peer Up (and "messages lost" for a peer seen mid-stream). */
void coll_peer_up(struct collector *c, struct peer *p);
/* Pumps and writes what it can; may free c. */
void coll_kick(struct collector *c);
void coll_open(struct collector *c);	/* connect or listen, after a lookup */
void coll_free(struct collector *c);

#endif
