// SPDX-License-Identifier: GPL-2.0
#include "httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum conn_phase {
	PH_READ,	/* collecting the request */
	PH_WRITE,	/* answering */
	PH_DRAIN,	/* answered, write side shut: reading until the peer closes */
};

struct httpd_conn {
	struct httpd *h;
	struct httpd_conn *next;
	int fd;
	struct loop_fd lfd;
	struct loop_timer timer;
	enum conn_phase phase;
	struct buf out;
	size_t head;
	size_t req_len;
	char req[HTTPD_MAX_REQUEST];
};

const char *httpd_refusal_name(enum httpd_refusal r)
{
	static const char *const names[HTTPD_REF_MAX] = {
		[HTTPD_REF_CONNS] = "too_many_connections",
		[HTTPD_REF_TOO_LARGE] = "request_too_large",
		[HTTPD_REF_BAD_REQUEST] = "bad_request",
		[HTTPD_REF_METHOD] = "method_not_allowed",
		[HTTPD_REF_NOT_FOUND] = "not_found",
		[HTTPD_REF_TIMEOUT] = "timeout",
		[HTTPD_REF_NO_FD] = "no_descriptor",
	};

	return (unsigned)r < HTTPD_REF_MAX ? names[r] : "?";
}

/* The end of the header block, or NULL; bare LF line ends are tolerated. */
static const char *headers_end(const char *b, size_t len)
{
	for (size_t i = 1; i < len; i++) {
		if (b[i] != '\n')
			continue;
		if (b[i - 1] == '\n' || (i >= 2 && b[i - 1] == '\r' && b[i - 2] == '\n'))
			return b + i + 1;
	}
	return NULL;
}

int http_request_parse(const char *buf, size_t len, size_t max, const char *path)
{
	const char *end = headers_end(buf, len), *sp1, *sp2, *eol, *q;
	size_t plen = strlen(path), tlen;

	if (!end)
		return len >= max ? 431 : 0;
	if ((size_t)(end - buf) > max)
		return 431;
	eol = memchr(buf, '\n', len);
	sp1 = memchr(buf, ' ', (size_t)(eol - buf));
	if (!sp1 || sp1 == buf)
		return 400;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (!sp2 || sp2 == sp1 + 1 || (size_t)(eol - sp2) < 9 || strncmp(sp2 + 1, "HTTP/1.", 7))
		return 400;
	for (const char *m = buf; m < sp1; m++)
		if (*m < 'A' || *m > 'Z')
			return 400;
	if (sp1 - buf != 3 || strncmp(buf, "GET", 3))
		return 405;
	q = memchr(sp1 + 1, '?', (size_t)(sp2 - sp1 - 1));
	tlen = (size_t)((q ? q : sp2) - (sp1 + 1));
	if (tlen != plen || strncmp(sp1 + 1, path, plen))
		return 404;
	return 200;
}

int httpd_parse_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *sslen,
		     char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *h = spec;
	size_t hlen;
	char *end;
	unsigned long port;

	memset(ss, 0, sizeof(*ss));
	if (*spec == '[') {
		const char *rb = strchr(spec, ']');

		if (!rb || rb[1] != ':') {
			snprintf(err, errlen, "%s: expected [IPv6]:PORT", spec);
			return -1;
		}
		h = spec + 1;
		hlen = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon || strchr(spec, ':') != colon) {
			snprintf(err, errlen, "%s: expected ADDRESS:PORT or [IPv6]:PORT", spec);
			return -1;
		}
		hlen = (size_t)(colon - spec);
	}
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || port < 1 || port > 65535 || colon[1] == '-' ||
	    colon[1] == '+') {
		snprintf(err, errlen, "%s: port must be 1..65535", spec);
		return -1;
	}
	if (hlen >= sizeof(host)) {
		snprintf(err, errlen, "%s: not an IP address", spec);
		return -1;
	}
	memcpy(host, h, hlen);
	host[hlen] = 0;
	if (*spec == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1) {
			snprintf(err, errlen, "%s: not an IPv6 address", spec);
			return -1;
		}
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*sslen = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1) {
			snprintf(err, errlen, "%s: not an IPv4 address", spec);
			return -1;
		}
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*sslen = sizeof(*s4);
	}
	return 0;
}

static void conn_free(struct httpd_conn *c)
{
	struct httpd *h = c->h;

	for (struct httpd_conn **pp = &h->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	h->n_conns--;
	loop_fd_del(h->loop, &c->lfd);
	loop_timer_cancel(h->loop, &c->timer);
	close(c->fd);
	buf_free(&c->out);
	free(c);
}

static void conn_drain_start(struct httpd_conn *c)
{
	/* Closing with request bytes unread would reset the connection and
	 * could destroy the answer in flight: the client closes first. */
	shutdown(c->fd, SHUT_WR);
	c->phase = PH_DRAIN;
	if (loop_fd_mod(c->h->loop, &c->lfd, EPOLLIN))
		conn_free(c);
}

/* Writes what the socket takes; false when the connection was freed. */
static bool conn_write(struct httpd_conn *c)
{
	while (c->head < c->out.len) {
		ssize_t n = write(c->fd, c->out.data + c->head, c->out.len - c->head);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n <= 0) {
			conn_free(c);
			return false;
		}
		c->head += (size_t)n;
		loop_timer_arm(c->h->loop, &c->timer, HTTPD_TIMEOUT_MS);
	}
	conn_drain_start(c);
	return false;
}

static void conn_answer(struct httpd_conn *c, int status)
{
	static const struct {
		int status;
		const char *reason;
		enum httpd_refusal ref;
	} st[] = {
		{ 400, "Bad Request", HTTPD_REF_BAD_REQUEST },
		{ 404, "Not Found", HTTPD_REF_NOT_FOUND },
		{ 405, "Method Not Allowed", HTTPD_REF_METHOD },
		{ 408, "Request Timeout", HTTPD_REF_TIMEOUT },
		{ 431, "Request Header Fields Too Large", HTTPD_REF_TOO_LARGE },
		{ 503, "Service Unavailable", HTTPD_REF_CONNS },
	};
	struct httpd *h = c->h;
	struct buf body;
	char hdr[256];
	const char *reason = "OK";
	int n;

	buf_init(&body);
	if (status == 200) {
		h->requests++;
		h->render(h->ctx, &body);
	} else {
		for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++)
			if (st[i].status == status) {
				reason = st[i].reason;
				h->refused[st[i].ref]++;
			}
		buf_put(&body, reason, strlen(reason));
		buf_put(&body, "\n", 1);
	}
	if (body.oom) {
		status = 500;
		reason = "Internal Server Error";
		buf_reset(&body);
		body.oom = false;
	}
	n = snprintf(hdr, sizeof(hdr),
		     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
		     "Connection: close\r\n\r\n", status, reason,
		     status == 200 ? h->content_type : "text/plain; charset=utf-8", body.len,
		     status == 405 ? "Allow: GET\r\n" : "");
	buf_reset(&c->out);
	buf_put(&c->out, hdr, (size_t)n);
	buf_put(&c->out, body.data, body.len);
	buf_free(&body);
	if (c->out.oom) {
		conn_free(c);
		return;
	}
	c->phase = PH_WRITE;
	c->head = 0;
	loop_timer_arm(h->loop, &c->timer, HTTPD_TIMEOUT_MS);
	if (conn_write(c) && loop_fd_mod(h->loop, &c->lfd, EPOLLOUT))
		conn_free(c);
}

static void on_conn(void *ctx, uint32_t events)
{
	struct httpd_conn *c = ctx;
	char sink[4096];
	ssize_t n;
	int status;

	if (c->phase == PH_WRITE) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			conn_write(c);
		return;
	}
	if (c->phase == PH_DRAIN) {
		do
			n = read(c->fd, sink, sizeof(sink));
		while (n > 0 || (n < 0 && errno == EINTR));
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			conn_free(c);
		return;
	}
	n = read(c->fd, c->req + c->req_len, sizeof(c->req) - c->req_len);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		conn_free(c);
		return;
	}
	c->req_len += (size_t)n;
	status = http_request_parse(c->req, c->req_len, sizeof(c->req), c->h->path);
	if (status)
		conn_answer(c, status);
}

static void on_conn_timer(void *ctx)
{
	struct httpd_conn *c = ctx;

	if (c->phase == PH_READ) {
		conn_answer(c, 408);
		return;
	}
	if (c->phase == PH_WRITE)
		c->h->refused[HTTPD_REF_TIMEOUT]++;
	conn_free(c);
}

/* Over the cap: a best-effort answer on the socket, which is then closed. */
static void refuse_conn(struct httpd *h, int fd)
{
	static const char msg[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
				  "Connection: close\r\n\r\n";

	h->refused[HTTPD_REF_CONNS]++;
	(void)send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

static void on_resume(void *ctx)
{
	struct httpd *h = ctx;

	loop_fd_mod(h->loop, &h->lfd, EPOLLIN);
}

/*
 * Out of descriptors (or memory) the pending connection stays queued and the
 * level-triggered listener would wake the loop at once, forever: stop
 * listening for a while instead.
 */
static void pause_accept(struct httpd *h)
{
	h->refused[HTTPD_REF_NO_FD]++;
	loop_fd_mod(h->loop, &h->lfd, 0);
	loop_timer_arm(h->loop, &h->resume, HTTPD_PAUSE_MS);
}

static void on_accept(void *ctx, uint32_t events)
{
	struct httpd *h = ctx;
	unsigned budget = 2 * HTTPD_MAX_CONNS;	/* the rest waits for the next turn */
	int fd;

	(void)events;
	while (budget--) {
		struct httpd_conn *c;

		fd = accept4(h->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				pause_accept(h);
			return;
		}

		if (h->n_conns >= HTTPD_MAX_CONNS) {
			refuse_conn(h, fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->h = h;
		c->fd = fd;
		buf_init(&c->out);
		loop_timer_init(&c->timer, on_conn_timer, c);
		if (loop_fd_add(h->loop, &c->lfd, fd, EPOLLIN, on_conn, c)) {
			close(fd);
			free(c);
			continue;
		}
		c->next = h->conns;
		h->conns = c;
		h->n_conns++;
		loop_timer_arm(h->loop, &c->timer, HTTPD_TIMEOUT_MS);
	}
}

int httpd_open(struct httpd *h, struct loop *loop, const struct sockaddr *addr,
	       socklen_t addrlen, const char *path, const char *content_type,
	       httpd_render_cb render, void *ctx)
{
	int one = 1, err;

	memset(h, 0, sizeof(*h));
	h->loop = loop;
	h->path = path;
	h->content_type = content_type;
	h->render = render;
	h->ctx = ctx;
	h->fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->fd < 0)
		return -errno;
	setsockopt(h->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(h->fd, addr, addrlen) || listen(h->fd, HTTPD_MAX_CONNS)) {
		err = -errno;
		goto fail;
	}
	loop_timer_init(&h->resume, on_resume, h);
	err = loop_fd_add(loop, &h->lfd, h->fd, EPOLLIN, on_accept, h);
	if (!err)
		return 0;
fail:
	close(h->fd);
	h->fd = -1;
	return err;
}

void httpd_close(struct httpd *h)
{
	while (h->conns)
		conn_free(h->conns);
	if (h->fd >= 0) {
		loop_timer_cancel(h->loop, &h->resume);
		loop_fd_del(h->loop, &h->lfd);
		close(h->fd);
	}
	h->fd = -1;
}
