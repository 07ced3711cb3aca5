// SPDX-License-Identifier: GPL-2.0
/*
 * One BMP collector session: connect (or accepted by listener.c), the
 * output queue and its writes, stall and keepalive watch, loss and
 * backoff (see collector.h for the model).
 */
#include "session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "replay.h"
#include "resolve.h"
#include "stats.h"
#include "tls.h"

#define STABLE_MS	10000	/* a session this old resets the backoff */
#define INPUT_PER_EVENT	65536	/* bytes a station's input may cost per wake-up */
#define STALL_LATE_MS	1000	/* a stall check this late: we did not run either */
/* TCP keepalive on every collector socket: a dead station's session goes
 * away in about 2 minutes even when nothing is queued for it. */
#define KEEPALIVE_IDLE_S	60
#define KEEPALIVE_INTVL_S	10
#define KEEPALIVE_CNT		6

static void coll_timer(void *ctx);

/* ---- output ------------------------------------------------------------ */

size_t collector_pending(const struct collector *c)
{
	return c->out.len - c->head;
}

size_t collector_take(struct collector *c, void *dst, size_t max)
{
	size_t n = collector_pending(c);

	if (n > max)
		n = max;
	if (dst)
		memcpy(dst, c->out.data + c->head, n);
	c->head += n;
	c->st.bytes += n;
	if (c->head == c->out.len)
		c->head = c->out.len = 0;
	return n;
}

bool collector_busy(const struct collector *c)
{
	for (const struct cpeer *cp = c->cp_head; cp; cp = cp->next)
		if (!cp->live)
			return true;
	return false;
}

void coll_put(struct collector *c, const uint8_t *msg, size_t len)
{
	/* Move the unsent tail down rather than grow forever. */
	if (c->head && c->head >= c->out.len / 2) {
		memmove(c->out.data, c->out.data + c->head, c->out.len - c->head);
		c->out.len -= c->head;
		c->head = 0;
	}
	buf_put(&c->out, msg, len);
	c->st.msgs++;
}

/* Whether the collector gets this peer at all: the Loc-RIB instance only
 * with local-rib. */
bool coll_wants_peer(const struct collector *c, const struct peer *p)
{
	return !p->locrib || (c->policy & BMPTAP_POLICY_LOCAL_RIB);
}

/*
 * Ends the session from inside a peer event (the collector must stay
 * allocated until the loop sees the shutdown): the read side reports the
 * loss with why.  An active collector reconnects and gets a full table.
 */
void coll_disconnect(struct collector *c, const char *why)
{
	if (c->kick_why)
		return;
	c->kick_why = why;
	if (c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
}

/* ---- session ------------------------------------------------------------- */

const char *collector_state_name(enum coll_state s)
{
	switch (s) {
	case COLL_IDLE: return "idle";
	case COLL_CONNECTING: return "connecting";
	case COLL_UP: return "up";
	case COLL_BACKOFF: return "backoff";
	case COLL_RESOLVING: return "resolving";
	case COLL_LISTENING: return "listening";
	case COLL_CLOSING: return "closing";
	case COLL_TLS_HANDSHAKE: return "tls-handshake";
	}
	return "?";
}

static void initiation(struct collector *c)
{
	struct feed *f = c->feed;
	const char *name = c->cfg.sys_name[0] ? c->cfg.sys_name : f->hostname;
	const char *descr = c->cfg.sys_descr[0] ? c->cfg.sys_descr : "bmptap " BMPTAP_VERSION;
	struct bmp_tlv t[2] = {
		{ BMP_INFO_SYSDESCR, (uint16_t)strlen(descr), descr },
		{ BMP_INFO_SYSNAME, (uint16_t)strlen(name), name },
	};

	buf_reset(&f->scratch);
	bmp_initiation(&f->scratch, t, 2);
	coll_put(c, f->scratch.data, f->scratch.len);
}

/*
 * A Statistics Report per peer (and for the Loc-RIB instance), with every
 * counter peer_stats() defines (operator-guide.md).  Sent also for peers
 * still catching up: the counts describe the exporter's RIBs, which the
 * collector converges to.  Not queued while the collector is over its
 * bound: reports stacked behind a backlog are stale when read and would
 * push the peer events queued after them past the hard cap (a disconnect);
 * the first report after it catches up is current.
 */
void collector_stats(struct collector *c)
{
	struct feed *f = c->feed;
	struct timespec ts;

	if (collector_pending(c) > c->limit) {
		c->st.stats_skipped++;
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	for (struct cpeer *cp = c->cp_head; cp; cp = cp->next) {
		struct bmp_stat st[PEER_STATS_MAX];
		struct bmp_peer h;
		size_t n = sel_stats(&c->cfg, st, peer_stats(cp->p, c->policy & BMPTAP_POLICY_ADJ_OUT,
								 st, PEER_STATS_MAX));

		peer_bmp_hdr(cp->p, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec, &h);
		buf_reset(&f->scratch);
		bmp_statistics(&f->scratch, &h, st, n);
		coll_put(c, f->scratch.data, f->scratch.len);
	}
}

static void coll_stats_timer(void *ctx)
{
	struct collector *c = ctx;

	if (c->state != COLL_UP)
		return;
	collector_stats(c);
	loop_timer_arm(c->feed->loop, &c->stats_timer, (uint64_t)c->cfg.stats_timeout * 1000u);
	coll_kick(c);	/* may free c */
}

static void set_keepalive(struct collector *c)
{
	int on = 1, idle = KEEPALIVE_IDLE_S, intvl = KEEPALIVE_INTVL_S, cnt = KEEPALIVE_CNT;

	if (setsockopt(c->fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) ||
	    setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) ||
	    setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl)) ||
	    setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt)))
		LOG_W(c->feed->log, "collector %s: keepalive: %s", c->remote, strerror(errno));
}

void collector_start(struct collector *c, int fd)
{
	struct feed *f = c->feed;

	c->fd = fd;
	c->state = COLL_UP;
	c->up_since_ms = loop_now_ms();
	c->st.sessions++;
	c->lagging = false;
	c->kick_why = NULL;
	sel_pace_reset(c);
	if (fd >= 0)
		set_keepalive(c);
	buf_reset(&c->out);
	c->head = 0;
	cp_del_all(c);
	if (f->loop && fd >= 0 &&
	    loop_fd_add(f->loop, &c->lfd, fd, EPOLLIN | EPOLLOUT, coll_event, c))
		LOG_E(f->log, "collector %s: epoll: %s", c->remote, strerror(errno));
	LOG_I(f->log, "collector %s: session up", c->remote);
	/* Initiation, then every established peer's Peer Up and table. */
	initiation(c);
	for (struct peer *p = f->peers->head; p; p = p->next) {
		if (p->state != PEER_ESTABLISHED || !sel_peer(&c->cfg, p))
			continue;
		struct cpeer *cp = cp_add(c, p);
		if (!cp)
			break;
		coll_peer_up(c, p);
		cp_start_replay(cp);
	}
	/* The Loc-RIB instance after the peers, as a router lists it. */
	struct peer *lr = f->peers->locrib;
	if (lr && coll_wants_peer(c, lr)) {
		struct cpeer *cp = cp_add(c, lr);

		if (cp) {
			coll_peer_up(c, lr);
			cp_start_replay(cp);
		}
	}
	if (f->loop && c->cfg.stats_timeout)
		loop_timer_arm(f->loop, &c->stats_timer, (uint64_t)c->cfg.stats_timeout * 1000u);
	coll_kick(c);
}

static void close_fd(struct collector *c)
{
	tls_conn_free(c->tls);
	c->tls = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Session over: drop its state; active ones retry, accepted ones go away. */
static void session_lost(struct collector *c, const char *why)
{
	struct feed *f = c->feed;

	/* Shut down by us: whatever the socket reports, that is the cause. */
	if (c->kick_why)
		why = c->kick_why;
	LOG_W(f->log, "collector %s: session lost: %s", c->remote, why);
	snprintf(c->last_error, sizeof(c->last_error), "%s", why);
	if (f->loop) {
		loop_fd_del(f->loop, &c->lfd);
		loop_timer_cancel(f->loop, &c->stall_timer);
	}
	close_fd(c);
	c->kick_why = NULL;
	cp_del_all(c);
	sel_pace_reset(c);
	buf_reset(&c->out);
	c->head = 0;
	c->lagging = false;
	if (c->accepted || c->state == COLL_CLOSING) {
		coll_free(c);
		return;
	}
	c->st.reconnects++;
	if (loop_now_ms() - c->up_since_ms >= STABLE_MS)
		c->backoff_s = COLL_BACKOFF_MIN_S;
	c->state = COLL_BACKOFF;
	uint64_t ms = collector_backoff_ms(c);
	LOG_I(f->log, "collector %s: reconnecting in %llu ms", c->remote, (unsigned long long)ms);
	if (f->loop)
		loop_timer_arm(f->loop, &c->timer, ms);
}

uint64_t collector_backoff_ms(struct collector *c)
{
	struct feed *f = c->feed;
	unsigned s = c->backoff_s ? c->backoff_s : COLL_BACKOFF_MIN_S;

	/* xorshift64: jitter only, so that restarted collectors are not hit
	 * by every exporter in the same second. */
	f->rnd ^= f->rnd << 13;
	f->rnd ^= f->rnd >> 7;
	f->rnd ^= f->rnd << 17;
	uint64_t ms = (uint64_t)s * 1000u + f->rnd % ((uint64_t)s * 250u + 1);
	c->backoff_s = s * 2 > COLL_BACKOFF_MAX_S ? COLL_BACKOFF_MAX_S : s * 2;
	return ms;
}

void feed_batch_begin(struct feed *f)
{
	f->batching = true;
}

void feed_batch_end(struct feed *f)
{
	f->batching = false;
	for (struct collector *c = f->head, *n; c; c = n) {
		n = c->next;	/* coll_kick() may free c */
		if (c->kick_due) {
			c->kick_due = false;
			coll_kick(c);
		}
	}
}

/*
 * Bytes the station has taken: written to the socket and no longer in its
 * send queue (SIOCOUTQ: unsent and unacknowledged).  The kernel's buffer
 * alone can hold megabytes of a replay for a station that reads nothing.
 */
static uint64_t delivered(const struct collector *c)
{
	int outq = 0;

	/* Under TLS the queue holds ciphertext: more than the bytes it carries. */
	if (ioctl(c->fd, SIOCOUTQ, &outq) || outq < 0 || (uint64_t)outq > c->st.bytes)
		outq = 0;
	return c->st.bytes - (uint64_t)outq;
}

/*
 * The stall watch.  A station that takes nothing while output waits for it
 * (mid-replay, or live) holds its queue, its dirty sets and the frozen
 * RIBs of its replay: after stall_ms without a byte taken it is
 * disconnected (an active collector reconnects later and gets a full
 * table).  One that only stays silent is fine: BMP stations never send.
 * The timer polls, once per stall_ms at most, only while output is
 * outstanding.
 */
static void watch_stall(struct collector *c)
{
	if (c->stall_timer.armed || !c->feed->loop)
		return;
	c->stall_due_ms = loop_now_ms() + c->feed->stall_ms;
	c->delivered_mark = delivered(c);
	loop_timer_arm(c->feed->loop, &c->stall_timer, c->feed->stall_ms);
}

static void coll_stall_timer(void *ctx)
{
	struct collector *c = ctx;
	struct feed *f = c->feed;
	uint64_t now = loop_now_ms(), got;
	char why[96];

	if (c->state != COLL_UP)
		return;
	got = delivered(c);
	if (got == c->st.bytes && !collector_pending(c))
		return;		/* all taken: nothing outstanding */
	if (got != c->delivered_mark) {
		c->delivered_mark = got;
		c->stall_due_ms = now + f->stall_ms;
	} else if (now >= c->stall_due_ms + STALL_LATE_MS) {
		/* Checked this late, bmptapd itself was not running (an
		 * overloaded host, a paused VM), and the station probably
		 * neither: it gets some of our running time to show progress. */
		c->stall_due_ms = now + (f->stall_ms < STALL_LATE_MS ? f->stall_ms : STALL_LATE_MS);
	}
	if (now < c->stall_due_ms) {
		loop_timer_arm(f->loop, &c->stall_timer, c->stall_due_ms - now);
		return;
	}
	c->st.stalled++;
	snprintf(why, sizeof(why), "stalled: no byte taken in %u ms, %llu bytes outstanding",
		 f->stall_ms, (unsigned long long)(c->st.bytes - got + collector_pending(c)));
	session_lost(c, why);
}

/* Writes what the socket takes; false when the session was lost. */
static bool coll_write(struct collector *c)
{
	bool moved = false;

	while (collector_pending(c)) {
		ssize_t n = tr_send(c->tls, c->fd, c->out.data + c->head, collector_pending(c));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			session_lost(c, coll_tls_error(c, errno));
			return false;
		}
		collector_take(c, NULL, (size_t)n);
		moved = true;
	}
	if (moved || collector_pending(c))
		watch_stall(c);
	return true;
}

void coll_kick(struct collector *c)
{
	if (c->state != COLL_UP && c->state != COLL_CLOSING)
		return;
	if (c->feed->batching && c->state == COLL_UP) {
		c->kick_due = true;
		return;
	}
	if (c->fd < 0) {
		collector_pump(c);
		return;
	}
	/* A few rounds at most: a fast local collector must not keep the
	 * netlink reader waiting; EPOLLOUT brings us back. */
	for (int round = 0; round < 4; round++) {
		collector_pump(c);
		if (!coll_write(c))
			return;
		if (collector_pending(c) || !collector_busy(c))
			break;
	}
	if (c->state == COLL_CLOSING && !collector_pending(c)) {
		coll_free(c);
		return;
	}
	bool want_out = collector_pending(c) ||
			(c->state == COLL_UP && collector_busy(c) && !c->pace_timer.armed);
	/* While closing only writability matters (and EOF shows as HUP). */
	if (c->feed->loop)
		loop_fd_mod(c->feed->loop, &c->lfd,
			    (c->state == COLL_UP ? EPOLLIN : 0) | (want_out ? EPOLLOUT : 0));
}

void coll_connect_failed(struct collector *c, const char *why)
{
	snprintf(c->last_error, sizeof(c->last_error), "%s", why);
	loop_fd_del(c->feed->loop, &c->lfd);
	close_fd(c);
	c->state = COLL_BACKOFF;
	loop_timer_arm(c->feed->loop, &c->timer, collector_backoff_ms(c));
}

static void on_connected(struct collector *c)
{
	int err = 0;
	socklen_t l = sizeof(err);
	char why[96];

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l) || err) {
		snprintf(why, sizeof(why), "connect: %s", strerror(err));
		LOG_D(c->feed->log, "collector %s: %s", c->remote, why);
		coll_connect_failed(c, why);
	} else if (c->cfg.tls) {
		coll_tls_start(c);
	} else {
		loop_fd_del(c->feed->loop, &c->lfd);
		c->last_error[0] = 0;
		collector_start(c, c->fd);
	}
}

/* False when the session was lost (c may be freed then). */
static bool on_readable(struct collector *c)
{
	char tmp[4096];

	/* BMP is one-way; a station has nothing to say but EOF.  Whatever it
	 * sends anyway is dropped as read, and a flood costs at most
	 * INPUT_PER_EVENT per wake-up (the rest waits for the next turn). */
	for (size_t got = 0; got < INPUT_PER_EVENT;) {
		ssize_t n = tr_recv(c->tls, c->fd, tmp, sizeof(tmp));

		if (n > 0) {
			c->st.input_bytes += (uint64_t)n;
			got += (size_t)n;
			continue;
		}
		if (n == 0) {
			session_lost(c, "closed by the collector");
			return false;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			session_lost(c, coll_tls_error(c, errno));
			return false;
		}
		return true;
	}
	return true;
}

void coll_event(void *ctx, uint32_t events)
{
	struct collector *c = ctx;

	switch (c->state) {
	case COLL_CONNECTING:
		on_connected(c);
		return;
	case COLL_TLS_HANDSHAKE:
		coll_tls_step(c);
		return;
	case COLL_LISTENING:
		listener_accept(c);
		return;
	case COLL_UP:
		if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && !on_readable(c))
			return;
		coll_kick(c);
		return;
	case COLL_CLOSING:
		if (events & (EPOLLERR | EPOLLHUP)) {
			coll_free(c);
			return;
		}
		coll_kick(c);
		return;
	default:
		return;
	}
}

static void coll_timer(void *ctx)
{
	struct collector *c = ctx;

	if (c->state == COLL_BACKOFF || c->state == COLL_IDLE)
		coll_open(c);
	else if (c->state == COLL_LISTENING)
		listener_resume(c);
	else if (c->state == COLL_CLOSING)
		coll_free(c);	/* the Termination did not drain in time */
	else if (c->state == COLL_TLS_HANDSHAKE)
		coll_tls_timeout(c);
}

void coll_retry(struct collector *c)
{
	c->state = c->cfg.passive ? COLL_IDLE : COLL_BACKOFF;
	loop_timer_arm(c->feed->loop, &c->timer, collector_backoff_ms(c));
}

static void connect_addrs(struct collector *c, struct addrinfo *res)
{
	struct feed *f = c->feed;

	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (fd < 0)
			continue;
		if (sel_socket(&c->cfg, fd, ai->ai_family, c->last_error, sizeof(c->last_error))) {
			close(fd);
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) && errno != EINPROGRESS) {
			snprintf(c->last_error, sizeof(c->last_error), "connect: %s",
				 strerror(errno));
			close(fd);
			continue;
		}
		/* Completion (or failure) shows as writability either way. */
		c->fd = fd;
		c->state = COLL_CONNECTING;
		if (loop_fd_add(f->loop, &c->lfd, fd, EPOLLOUT, coll_event, c)) {
			close(fd);
			c->fd = -1;
			continue;
		}
		return;
	}
	LOG_D(f->log, "collector %s: %s", c->remote, c->last_error);
	coll_retry(c);
}

static void coll_resolved(void *ctx, struct addrinfo *res, const char *error)
{
	struct collector *c = ctx;

	c->rq = NULL;
	if (!res) {
		c->st.resolve_failures++;
		snprintf(c->last_error, sizeof(c->last_error), "resolve: %s", error);
		LOG_W(c->feed->log, "collector %s: %s", c->remote, c->last_error);
		coll_retry(c);
		return;
	}
	if (c->cfg.passive)
		listener_listen(c, res);
	else
		connect_addrs(c, res);
	freeaddrinfo(res);
}

/* Connects or listens: at once for a numeric address (that never blocks),
 * after a lookup off the loop for a host name. */
void coll_open(struct collector *c)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | (c->cfg.passive ? AI_PASSIVE : 0),
	};
	const char *host = c->cfg.address[0] ? c->cfg.address : NULL;
	struct addrinfo *res = NULL;
	char port[8];
	int err;

	snprintf(port, sizeof(port), "%u", c->cfg.port ? c->cfg.port : BT_BMP_PORT);
	err = getaddrinfo(host, port, &hints, &res);
	if (!err) {
		coll_resolved(c, res, NULL);
		return;
	}
	if (err == EAI_NONAME && host) {
		hints.ai_flags &= ~AI_NUMERICHOST;
		c->rq = resolve_start(c->feed->loop, host, port, &hints, RESOLVE_TIMEOUT_MS,
				      coll_resolved, c);
		if (c->rq) {
			c->state = COLL_RESOLVING;
			return;
		}
		coll_resolved(c, NULL, "too many lookups in flight");
		return;
	}
	coll_resolved(c, NULL, gai_strerror(err));
}

struct collector *coll_new(struct feed *f, const struct bt_server_cfg *cfg)
{
	struct collector *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->feed = f;
	c->cfg = *cfg;
	c->fd = -1;
	c->limit = f->limit;
	c->policy = cfg->have & BT_SRV_POLICY ? cfg->policy : BMPTAP_POLICY_PRE;
	c->backoff_s = COLL_BACKOFF_MIN_S;
	buf_init(&c->out);
	loop_timer_init(&c->timer, coll_timer, c);
	loop_timer_init(&c->stats_timer, coll_stats_timer, c);
	loop_timer_init(&c->stall_timer, coll_stall_timer, c);
	sel_pace_init(c);
	snprintf(c->remote, sizeof(c->remote), "%s%s%s port %u", cfg->passive ? "listener " : "",
		 cfg->address, "", cfg->port ? cfg->port : BT_BMP_PORT);
	/* Append: the order of Peer Up work does not depend on it, but the
	 * status lists servers in the order they were configured. */
	struct collector **pp = &f->head;
	while (*pp)
		pp = &(*pp)->next;
	*pp = c;
	return c;
}

void coll_free(struct collector *c)
{
	struct feed *f = c->feed;

	/* An accepted session's counters go with it: its listener's add
	 * them up, so that a stalled station is still counted afterwards. */
	if (c->accepted && c->parent) {
		c->parent->st.stalled += c->st.stalled;
		c->parent->st.dirty_overflows += c->st.dirty_overflows;
		c->parent->st.kicked += c->st.kicked;
		c->parent->st.input_bytes += c->st.input_bytes;
	}
	/* An accepted session must not outlive its listener's pointer. */
	for (struct collector *o = f->head; o; o = o->next)
		if (o->parent == c)
			o->parent = NULL;
	for (struct collector **pp = &f->head; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	resolve_cancel(c->rq);
	if (f->loop) {
		loop_fd_del(f->loop, &c->lfd);
		loop_timer_cancel(f->loop, &c->timer);
		loop_timer_cancel(f->loop, &c->stats_timer);
		loop_timer_cancel(f->loop, &c->stall_timer);
	}
	sel_pace_reset(c);
	close_fd(c);
	cp_del_all(c);
	free(c->cph);
	buf_free(&c->out);
	free(c);
}

