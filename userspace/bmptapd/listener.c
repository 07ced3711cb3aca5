// SPDX-License-Identifier: GPL-2.0
/*
 * Passive mode: a listener that BMP stations connect to.  Whoever reaches
 * the port is a stranger until admitted: the allow list (empty: loopback
 * only), a cap on sessions per listener and per source address, and an
 * accept that backs off instead of spinning when descriptors run out.
 * Every refusal is counted by reason (operator-guide.md, Metrics).
 */
#include "session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "prefix.h"

#define LISTEN_BACKLOG	16
#define LISTEN_PAUSE_MS	1000	/* rest after running out of descriptors */
#define REFUSE_LOG_MS	1000	/* at most one refusal logged per listener per second */

const char *listen_refusal_name(int r)
{
	static const char *const names[LISTEN_REF_MAX] = {
		[LISTEN_REF_ALLOW] = "allow", [LISTEN_REF_CAP] = "cap",
		[LISTEN_REF_PER_SOURCE] = "per_source", [LISTEN_REF_NO_FD] = "no_fd",
	};

	return r >= 0 && r < LISTEN_REF_MAX ? names[r] : "?";
}

/*
 * An empty allow list admits loopback only: a BMP feed is the whole
 * routing table, and a listener bound to a wildcard address must not hand
 * it to anyone who can reach the port.
 */
bool listener_allowed(const char *allow, const struct sockaddr_storage *ss)
{
	char list[sizeof(((struct bt_server_cfg *)0)->allow)], *save = NULL;

	/* A malformed entry (bmptapctl refuses them; the module stores what it
	 * is given) matches nothing: an allow list fails closed. */
	if (!allow[0])
		return bt_prefix_str_has("127.0.0.0/8", ss) || bt_prefix_str_has("::1/128", ss);
	snprintf(list, sizeof(list), "%s", allow);
	for (char *t = strtok_r(list, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
		if (bt_prefix_str_has(t, ss))
			return true;
	return false;
}

static void fmt_sa(const struct sockaddr_storage *ss, char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;

		inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a));
		snprintf(out, len, "%s:%u", a, ntohs(s->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)ss;

		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a));
		snprintf(out, len, "[%s]:%u", a, ntohs(s->sin6_port));
	} else {
		snprintf(out, len, "?");
	}
}

/* The source address, ports aside. */
static bool same_source(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return a->ss_family == AF_INET6 &&
	       !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		       &((const struct sockaddr_in6 *)b)->sin6_addr, 16);
}

/* LISTEN_REF_MAX when ss may have a session, else why not. */
static int admit(const struct collector *l, const struct sockaddr_storage *ss)
{
	const struct feed *f = l->feed;
	unsigned total = 0, same = 0;

	if (!listener_allowed(l->cfg.allow, ss))
		return LISTEN_REF_ALLOW;
	for (const struct collector *c = f->head; c; c = c->next) {
		if (c->parent != l)
			continue;
		total++;
		same += same_source(&c->sa, ss);
	}
	if (same >= f->listen_max_per_source)
		return LISTEN_REF_PER_SOURCE;
	if (total >= f->listen_max)
		return LISTEN_REF_CAP;
	return LISTEN_REF_MAX;
}

static void refused(struct collector *l, int why, const char *name)
{
	uint64_t now = loop_now_ms();

	l->st.refused[why]++;
	if (l->refuse_log_ms && now - l->refuse_log_ms < REFUSE_LOG_MS)
		return;
	l->refuse_log_ms = now;
	LOG_W(l->feed->log, "%s: refused collector %s (%s; %llu refused for this reason)",
	      l->remote, name, listen_refusal_name(why), (unsigned long long)l->st.refused[why]);
}

void listener_accept(struct collector *l)
{
	struct feed *f = l->feed;

	for (unsigned budget = LOOP_FD_BUDGET; budget; budget--) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		char name[80];

		if (fd < 0) {
			/* The connection stays queued and the level-triggered
			 * listener would wake the loop at once, for ever. */
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				refused(l, LISTEN_REF_NO_FD, "(not accepted)");
				loop_fd_mod(f->loop, &l->lfd, 0);
				loop_timer_arm(f->loop, &l->timer, LISTEN_PAUSE_MS);
			}
			return;
		}
		fmt_sa(&ss, name, sizeof(name));
		int why = admit(l, &ss);
		if (why != LISTEN_REF_MAX) {
			refused(l, why, name);
			close(fd);
			continue;
		}
		struct collector *c = coll_new(f, &l->cfg);
		if (c && sel_socket(&c->cfg, fd, ss.ss_family, c->last_error, sizeof(c->last_error)))
			LOG_W(f->log, "collector %s: %s", name, c->last_error);
		if (!c) {
			close(fd);
			continue;
		}
		c->parent = l;
		c->accepted = true;
		c->sa = ss;
		snprintf(c->remote, sizeof(c->remote), "%s", name);
		l->st.sessions++;
		collector_start(c, fd);
	}
}

void listener_resume(struct collector *l)
{
	loop_fd_mod(l->feed->loop, &l->lfd, EPOLLIN);
}

void listener_listen(struct collector *c, struct addrinfo *res)
{
	struct feed *f = c->feed;
	int one = 1;

	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, LISTEN_BACKLOG) ||
		    loop_fd_add(f->loop, &c->lfd, fd, EPOLLIN, coll_event, c)) {
			snprintf(c->last_error, sizeof(c->last_error), "listen: %s",
				 strerror(errno));
			close(fd);
			continue;
		}
		c->fd = fd;
		c->state = COLL_LISTENING;
		LOG_I(f->log, "%s: waiting for collectors (at most %u, %u per source)", c->remote,
		      f->listen_max, f->listen_max_per_source);
		if (!c->cfg.allow[0])
			LOG_W(f->log, "%s: no allow list: only loopback collectors are admitted",
			      c->remote);
		return;
	}
	LOG_W(f->log, "%s: %s; retrying", c->remote, c->last_error);
	coll_retry(c);
}
