// SPDX-License-Identifier: GPL-2.0
/*
 * A collector's TLS handshake, between the TCP connect and the BMP session
 * (collector_start): driven by the same epoll loop, the socket watched for
 * what OpenSSL waits for, bounded by TLS_HANDSHAKE_MS.  A failure of any
 * kind (the files, the handshake, the certificate) is a connect failure:
 * counted, shown as the collector's last error, retried with backoff.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include "session.h"
#include "log.h"
#include "tls.h"

static void tls_failed(struct collector *c, const char *why)
{
	c->st.tls_failures++;
	/* Once per reason: a collector with a wrong certificate fails at
	 * every retry, its log line should not. */
	if (strcmp(why, c->last_error))
		LOG_W(c->feed->log, "collector %s: %s", c->remote, why);
	else
		LOG_D(c->feed->log, "collector %s: %s", c->remote, why);
	loop_timer_cancel(c->feed->loop, &c->timer);
	coll_connect_failed(c, why);
}

void coll_tls_start(struct collector *c)
{
	char why[sizeof(c->last_error)];

	c->tls = tls_conn_new(c->fd, &c->cfg, why, sizeof(why));
	if (!c->tls) {
		tls_failed(c, why);
		return;
	}
	c->state = COLL_TLS_HANDSHAKE;
	loop_timer_arm(c->feed->loop, &c->timer, TLS_HANDSHAKE_MS);
	coll_tls_step(c);
}

void coll_tls_step(struct collector *c)
{
	char why[sizeof(c->last_error)];
	uint32_t events = EPOLLOUT;

	switch (tls_handshake(c->tls, &events, why, sizeof(why))) {
	case 0:
		loop_fd_mod(c->feed->loop, &c->lfd, events);
		return;
	case 1:
		loop_timer_cancel(c->feed->loop, &c->timer);
		loop_fd_del(c->feed->loop, &c->lfd);
		c->last_error[0] = 0;
		collector_start(c, c->fd);
		return;
	default:
		tls_failed(c, why);
	}
}

void coll_tls_timeout(struct collector *c)
{
	tls_failed(c, "tls: handshake timed out");
}

/* After the handshake too: TLS 1.3 reports a refused client certificate
 * (or none) with the server's first flight, after the client finished. */
const char *coll_tls_error(struct collector *c, int err)
{
	if (c->tls && err == EPROTO)
		c->st.tls_failures++;
	return tr_strerror(c->tls, err);
}
