/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny HTTP/1.x server in the daemon's event loop, for one read-only
 * document (the Prometheus metrics): one request per connection, answered
 * and closed.  Everything is bounded: request size, connections, time.
 * Refusals are counted by reason, so that they can be exported too.
 */
#ifndef BMPTAP_HTTPD_H
#define BMPTAP_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "buf.h"
#include "loop.h"

#define HTTPD_MAX_CONNS		16
#define HTTPD_MAX_REQUEST	8192	/* request line and headers */
#define HTTPD_TIMEOUT_MS	10000	/* whole request; then idle while answering */
#define HTTPD_PAUSE_MS		1000	/* listener rest after running out of descriptors */

enum httpd_refusal {
	HTTPD_REF_CONNS,	/* connection cap reached */
	HTTPD_REF_TOO_LARGE,	/* request headers over HTTPD_MAX_REQUEST */
	HTTPD_REF_BAD_REQUEST,	/* not an HTTP/1.x request */
	HTTPD_REF_METHOD,	/* not GET */
	HTTPD_REF_NOT_FOUND,	/* not the document's path */
	HTTPD_REF_TIMEOUT,	/* request or answer too slow */
	HTTPD_REF_NO_FD,	/* accept failed for want of descriptors or memory */
	HTTPD_REF_MAX,
};

const char *httpd_refusal_name(enum httpd_refusal r);

/*
 * Judges the request in buf[0..len): 0 while it is incomplete (and below
 * max bytes), else the HTTP status to answer: 200 for GET of path (a query
 * string is ignored), 400, 404, 405 or 431.
 */
int http_request_parse(const char *buf, size_t len, size_t max, const char *path);

/* "A.B.C.D:PORT" or "[IPv6]:PORT"; on error -1 and a one-line reason. */
int httpd_parse_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *sslen,
		     char *err, size_t errlen);

/* Appends the document (the body only) to out. */
typedef void (*httpd_render_cb)(void *ctx, struct buf *out);

struct httpd_conn;

struct httpd {
	struct loop *loop;
	int fd;
	struct loop_fd lfd;
	struct loop_timer resume;	/* listener paused after running out of fds */
	const char *path;
	const char *content_type;
	httpd_render_cb render;
	void *ctx;
	struct httpd_conn *conns;
	unsigned n_conns;
	uint64_t requests;		/* answered with the document */
	uint64_t refused[HTTPD_REF_MAX];
};

/* Listens on addr; 0 or -errno. */
int httpd_open(struct httpd *h, struct loop *loop, const struct sockaddr *addr,
	       socklen_t addrlen, const char *path, const char *content_type,
	       httpd_render_cb render, void *ctx);
void httpd_close(struct httpd *h);

#endif
