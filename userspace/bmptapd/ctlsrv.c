// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "buf.h"
#include "ctlsrv.h"
#include "json.h"

#define PAUSE_MS	1000	/* accepting rests after running out of descriptors */

enum ctl_state { CL_REQUEST, CL_REPLY, CL_MONITOR };

struct ctl_client {
	struct ctlsrv *s;
	struct ctl_client *next;
	int fd;
	struct loop_fd h;
	struct loop_timer t;
	enum ctl_state state;
	bool eof;			/* the client will send nothing more */
	bool done;			/* reply sent: waiting for the client to close */
	char req[CTL_REQUEST_MAX];
	size_t req_len;
	struct buf out;
	size_t sent;			/* of out */
};

static void client_free(struct ctl_client *c)
{
	struct ctlsrv *s = c->s;
	struct ctl_client **pp;

	for (pp = &s->clients; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	loop_fd_del(s->loop, &c->h);
	loop_timer_cancel(s->loop, &c->t);
	close(c->fd);
	buf_free(&c->out);
	s->n_clients--;
	if (c->state == CL_MONITOR)
		s->n_monitors--;
	free(c);
}

/* What the client should wake us for, now. */
static uint32_t client_events(const struct ctl_client *c)
{
	uint32_t ev = c->eof ? 0 : EPOLLIN;

	return c->sent < c->out.len ? ev | EPOLLOUT : ev;
}

/* Writes what the client takes; false when the client is gone (freed). */
static bool client_flush(struct ctl_client *c)
{
	size_t before = c->sent;

	while (c->sent < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->sent, c->out.len - c->sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			client_free(c);
			return false;
		}
		c->sent += (size_t)n;
	}
	if (c->sent == c->out.len) {
		if (c->state == CL_REPLY && c->eof) {
			client_free(c);		/* the end of the reply */
			return false;
		}
		/* Closing now, with input unread, would reset the connection
		 * and could destroy the reply before the client reads it: the
		 * end is said with a shutdown, and the client closes. */
		if (c->state == CL_REPLY && !c->done) {
			shutdown(c->fd, SHUT_WR);
			c->done = true;
		}
		buf_reset(&c->out);
		c->sent = 0;
	}
	if (c->state == CL_REPLY && c->sent != before)
		loop_timer_arm(c->s->loop, &c->t, CTL_TIMEOUT_MS);
	if (c->out.oom || loop_fd_mod(c->s->loop, &c->h, client_events(c))) {
		client_free(c);
		return false;
	}
	return true;
}

static bool reply_error(struct ctl_client *c, const char *why)
{
	c->s->bad_requests++;
	c->state = CL_REPLY;
	buf_put(&c->out, CTL_ERROR_PREFIX, strlen(CTL_ERROR_PREFIX));
	buf_put(&c->out, why, strlen(why));
	buf_put(&c->out, "\n", 1);
	return client_flush(c);
}

static bool serve(struct ctl_client *c, char *line)
{
	static const struct { const char *req; unsigned parts; } shows[] = {
		{ "show status", CTL_SHOW_ALL },
		{ "show peers", CTL_SHOW_PEERS },
		{ "show servers", CTL_SHOW_SERVERS },
	};
	struct ctlsrv *s = c->s;
	size_t n = strlen(line);

	if (n && line[n - 1] == '\r')
		line[n - 1] = '\0';
	if (!strcmp(line, "monitor")) {
		c->state = CL_MONITOR;
		s->n_monitors++;
		loop_timer_cancel(s->loop, &c->t);
		buf_put(&c->out, CTL_MONITOR_OK, strlen(CTL_MONITOR_OK));
		return client_flush(c);
	}
	for (size_t i = 0; i < sizeof(shows) / sizeof(shows[0]); i++) {
		char *doc = NULL;
		size_t len = 0;
		FILE *f;

		if (strcmp(line, shows[i].req))
			continue;
		c->state = CL_REPLY;
		f = open_memstream(&doc, &len);
		if (!f)
			return reply_error(c, "out of memory");
		s->render(s->ctx, shows[i].parts, f);
		if (fclose(f)) {
			free(doc);
			return reply_error(c, "out of memory");
		}
		buf_put(&c->out, doc, len);
		free(doc);
		return client_flush(c);
	}
	return reply_error(c, "unknown request (show status|peers|servers, monitor)");
}

static void on_client(void *ctx, uint32_t events)
{
	struct ctl_client *c = ctx;

	if ((events & EPOLLOUT) && !client_flush(c))
		return;
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)) || c->eof)
		return;
	for (;;) {
		char scratch[256];
		bool want = c->state == CL_REQUEST;
		char *dst = want ? c->req + c->req_len : scratch;
		size_t room = want ? sizeof(c->req) - c->req_len : sizeof(scratch);
		ssize_t n = recv(c->fd, dst, room, MSG_DONTWAIT);
		char *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		/* Closed by the client: a monitor or unfinished request ends,
		 * a reply still goes to a client that only shut down writing. */
		if (n < 0 || (n == 0 && (c->state != CL_REPLY || c->done))) {
			client_free(c);
			return;
		}
		if (n <= 0) {
			c->eof = true;
			if (loop_fd_mod(c->s->loop, &c->h, client_events(c)))
				client_free(c);
			return;
		}
		if (!want)
			continue;	/* nothing more is asked of a client */
		c->req_len += (size_t)n;
		nl = memchr(c->req, '\n', c->req_len);
		if (nl) {
			bool alive;

			*nl = '\0';
			alive = memchr(c->req, '\0', (size_t)(nl - c->req)) ?
				reply_error(c, "bad request") : serve(c, c->req);
			if (!alive)
				return;
		} else if (c->req_len == sizeof(c->req)) {
			if (!reply_error(c, "request too long"))
				return;
		}
	}
}

static void on_timeout(void *ctx)
{
	struct ctl_client *c = ctx;

	c->s->timeouts++;
	client_free(c);
}

static void on_resume(void *ctx)
{
	struct ctlsrv *s = ctx;

	loop_fd_mod(s->loop, &s->h, EPOLLIN);
}

static void on_accept(void *ctx, uint32_t events)
{
	static const char busy[] = CTL_ERROR_PREFIX "too many clients\n";
	struct ctlsrv *s = ctx;

	(void)events;
	for (int i = 0; i < LOOP_FD_BUDGET; i++) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ctl_client *c;

		if (fd < 0 && errno == EINTR)
			continue;
		if (fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (fd < 0) {
			/* Out of descriptors: level-triggered, it would spin. */
			s->refused++;
			LOG_W(s->log, "control socket: accept: %s", strerror(errno));
			loop_fd_mod(s->loop, &s->h, 0);
			loop_timer_arm(s->loop, &s->resume, PAUSE_MS);
			return;
		}
		c = s->n_clients < CTL_MAX_CLIENTS ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			s->refused++;
			(void)send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			continue;
		}
		c->s = s;
		c->fd = fd;
		buf_init(&c->out);
		loop_timer_init(&c->t, on_timeout, c);
		if (loop_fd_add(s->loop, &c->h, fd, EPOLLIN, on_client, c)) {
			s->refused++;
			close(fd);
			free(c);
			continue;
		}
		c->next = s->clients;
		s->clients = c;
		s->n_clients++;
		s->accepted++;
		loop_timer_arm(s->loop, &c->t, CTL_TIMEOUT_MS);
	}
}

void ctlsrv_eventf(struct ctlsrv *s, const char *fmt, ...)
{
	char line[CTL_EVENT_MAX];
	struct ctl_client *c, *next;
	va_list ap;
	size_t n;

	if (!s->n_monitors)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	/* Peer-supplied text must not break the line. */
	for (n = 0; line[n]; n++)
		if ((unsigned char)line[n] < 0x20 || line[n] == 0x7f)
			line[n] = '?';
	line[n++] = '\n';
	for (c = s->clients; c; c = next) {
		next = c->next;
		if (c->state != CL_MONITOR)
			continue;
		if (c->out.len - c->sent + n > CTL_OUT_MAX) {
			s->dropped_slow++;
			LOG_W(s->log, "control socket: a monitor client fell %u bytes behind: dropped",
			      CTL_OUT_MAX);
			client_free(c);
			continue;
		}
		buf_put(&c->out, line, n);
		client_flush(c);
	}
}

void ctlsrv_status_json(const struct ctlsrv *s, struct bt_json *j)
{
	bt_json_key(j, "control");
	bt_json_obj_open(j);
	bt_json_kv_str(j, "path", s->path);
	bt_json_kv_u64(j, "clients", s->n_clients);
	bt_json_kv_u64(j, "monitors", s->n_monitors);
	bt_json_kv_u64(j, "accepted", s->accepted);
	bt_json_kv_u64(j, "refused", s->refused);
	bt_json_kv_u64(j, "dropped_slow", s->dropped_slow);
	bt_json_kv_u64(j, "bad_requests", s->bad_requests);
	bt_json_kv_u64(j, "timeouts", s->timeouts);
	bt_json_obj_close(j);
}

/* 0: nothing answers at sa (a stale file is removed); else -1 and why. */
static int claim(const struct sockaddr_un *sa, char *err, size_t errlen)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct stat st;
	int e;

	if (fd < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		return -1;
	}
	e = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) ? errno : 0;
	close(fd);
	if (!e) {
		snprintf(err, errlen, "another bmptapd answers on %s: one per namespace",
			 sa->sun_path);
		return -1;
	}
	if (e == ENOENT)
		return 0;
	if (e == ECONNREFUSED && !lstat(sa->sun_path, &st) && S_ISSOCK(st.st_mode) &&
	    !unlink(sa->sun_path))
		return 0;
	snprintf(err, errlen, "control socket %s: %s", sa->sun_path,
		 e == ECONNREFUSED ? "exists and is no stale socket" : strerror(e));
	return -1;
}

int ctlsrv_open(struct ctlsrv *s, const char *path, const char *group,
		char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *gname = group ? group : CTL_GROUP_DEFAULT;
	struct group *g = getgrnam(gname);
	struct stat st;
	mode_t old;
	int rc;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	err[0] = 0;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control socket path too long: %s", path);
		return -1;
	}
	if (group && !g) {
		snprintf(err, errlen, "control socket group %s: no such group", group);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path));
	snprintf(s->path, sizeof(s->path), "%s", path);
	if (!strncmp(path, CTL_DIR "/", sizeof(CTL_DIR)) && mkdir(CTL_DIR, 0755) &&
	    errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", CTL_DIR, strerror(errno));
		return -1;
	}
	if (claim(&sa, err, errlen))
		return -1;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		return -1;
	}
	/* Created 0660 from the start: no moment with wider access. */
	old = umask(0117);
	rc = bind(s->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc || listen(s->fd, CTL_MAX_CLIENTS) || stat(path, &st)) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	if (g && st.st_gid != g->gr_gid && chown(path, (uid_t)-1, g->gr_gid)) {
		snprintf(err, errlen, "control socket %s: group %s: %s", path, gname,
			 strerror(errno));
		if (!group)
			return 0;
		ctlsrv_close(s);
		return -1;
	}
	return 0;
}

int ctlsrv_start(struct ctlsrv *s, struct loop *loop, struct bt_log *log,
		 ctl_render_cb render, void *ctx)
{
	s->loop = loop;
	s->log = log;
	s->render = render;
	s->ctx = ctx;
	loop_timer_init(&s->resume, on_resume, s);
	return loop_fd_add(loop, &s->h, s->fd, EPOLLIN, on_accept, s);
}

void ctlsrv_close(struct ctlsrv *s)
{
	struct stat st;

	while (s->clients)
		client_free(s->clients);
	if (s->fd < 0)
		return;
	if (s->loop) {
		loop_fd_del(s->loop, &s->h);
		loop_timer_cancel(s->loop, &s->resume);
	}
	close(s->fd);
	s->fd = -1;
	/* A successor may already have replaced a file we left stale. */
	if (!stat(s->path, &st) && st.st_dev == s->dev && st.st_ino == s->ino)
		unlink(s->path);
}
