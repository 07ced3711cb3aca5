/* bmptapd trusts nothing on its collector sockets: a passive listener's
 * allow list (empty: loopback only), its caps per listener and per source,
 * accept without descriptors, TCP keepalive, a collector that stops reading
 * (disconnected after the stall timeout, even mid-replay, then a full
 * table), input from a station (read and dropped, counted) and a dirty set
 * past its bound (a new session).  Real loopback sockets throughout. */
#include "collector_testutil.h"
#include "fd_testutil.h"

#include <netinet/tcp.h>

#define LO(x) (0x7f000000u | (x))	/* 127.0.0.x */

static void test_passive_listener_allow(void **state)
{
	struct fx *f = *state;
	struct bt_server_cfg cfg = { .have = BT_SRV_PORT | BT_SRV_PASSIVE | BT_SRV_ALLOW,
				     .passive = true };

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	announce_v4(f, 1, 0, 50, 0);
	cfg.port = free_port();
	snprintf(cfg.address, sizeof(cfg.address), "127.0.0.1");
	snprintf(cfg.allow, sizeof(cfg.allow), "10.0.0.0/8, 127.0.0.0/8");
	struct collector *l = feed_add(&f->feed, &cfg);
	assert_int_equal(l->state, COLL_LISTENING);
	int fd = tcp_connect(cfg.port, 0);
	assert_true(tcp_read_until(f, fd, 10000, one_eor));
	assert_int_equal(f->sh.init, 1);
	sh_equal(&f->sh, peers_find(&f->ps, 1), &f->ps.attrs);
	close(fd);

	/* Not in the allow list: accepted by TCP, closed at once.  Malformed
	 * entries (the module stores what it is given) match nothing: never
	 * "/abc" read as /0. */
	static const char *const refuse[] = {
		"192.0.2.0/24", "127.0.0.1/abc", "192.0.2.0/24,127.0.0.0/", "127.0.0.0/33",
		"::/129, 127.0.0.0/8x", "x/abc", "127.0.0.1/-0",
	};
	struct bt_server_list list = { .v = &cfg, .n = 1 };
	for (size_t k = 0; k < sizeof(refuse) / sizeof(refuse[0]); k++) {
		snprintf(cfg.allow, sizeof(cfg.allow), "%s", refuse[k]);
		feed_apply(&f->feed, &list);	/* changed: the listener restarts */
		for (int i = 0; i < 10; i++)
			loop_run_once(&f->loop, 10);
		fd = tcp_connect(cfg.port, 0);
		uint8_t tmp[64];
		ssize_t n = -1;
		for (int i = 0; i < 100 && n < 0; i++) {
			loop_run_once(&f->loop, 10);
			n = recv(fd, tmp, sizeof(tmp), MSG_DONTWAIT);
		}
		if (n != 0)
			fail_msg("allow \"%s\": not refused", refuse[k]);
		close(fd);
	}
	/* Unchanged config: untouched. */
	struct collector *before = f->feed.head;
	feed_apply(&f->feed, &list);
	assert_ptr_equal(f->feed.head, before);
	/* Empty config: gone. */
	list.n = 0;
	feed_apply(&f->feed, &list);
	assert_null(f->feed.head);
}

/* No allow list: loopback sources only (IPv4, IPv6, IPv4-mapped). */
static void test_empty_allow_is_loopback(void **state)
{
	static const struct {
		int fam;
		const char *addr, *allow;
		bool ok;
	} t[] = {
		{ AF_INET, "127.0.0.1", "", true },
		{ AF_INET, "127.3.2.1", "", true },
		{ AF_INET6, "::1", "", true },
		{ AF_INET6, "::ffff:127.0.0.1", "", true },
		{ AF_INET, "192.0.2.1", "", false },
		{ AF_INET, "10.0.0.1", "", false },
		{ AF_INET6, "2001:db8::1", "", false },
		{ AF_INET6, "::ffff:192.0.2.1", "", false },
		{ AF_INET6, "::ffff:192.0.2.1", "192.0.2.0/24", true },
		{ AF_INET, "127.0.0.1", "192.0.2.0/24", false },	/* a list replaces it */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sockaddr_storage ss = { .ss_family = (sa_family_t)t[i].fam };
		void *a = t[i].fam == AF_INET ? (void *)&((struct sockaddr_in *)&ss)->sin_addr :
						(void *)&((struct sockaddr_in6 *)&ss)->sin6_addr;

		assert_int_equal(inet_pton(t[i].fam, t[i].addr, a), 1);
		if (listener_allowed(t[i].allow, &ss) != t[i].ok)
			fail_msg("%s with allow \"%s\": want %d", t[i].addr, t[i].allow, t[i].ok);
	}
}

static struct collector *passive(struct fx *f, const char *allow)
{
	struct bt_server_cfg cfg = { .have = BT_SRV_PORT | BT_SRV_PASSIVE, .passive = true };

	cfg.port = free_port();
	f->port = cfg.port;
	snprintf(cfg.address, sizeof(cfg.address), "127.0.0.1");
	snprintf(cfg.allow, sizeof(cfg.allow), "%s", allow);
	struct collector *l = feed_add(&f->feed, &cfg);
	assert_int_equal(l->state, COLL_LISTENING);
	return l;
}

static unsigned sessions_of(const struct fx *f, const struct collector *l)
{
	unsigned n = 0;

	for (const struct collector *c = f->feed.head; c; c = c->next)
		n += c->parent == l && c->state == COLL_UP;
	return n;
}

/* Runs the loop until fd sees EOF (true) or data / nothing for 1 s. */
static bool closed_by_peer(struct fx *f, int fd)
{
	uint8_t tmp[4096];

	for (int i = 0; i < 100; i++) {
		loop_run_once(&f->loop, 10);
		ssize_t n = recv(fd, tmp, sizeof(tmp), MSG_DONTWAIT);
		if (n == 0)
			return true;
		if (n > 0)
			return false;
	}
	return false;
}

/* Connects from 127.0.0.x and waits until the listener took the session. */
static int admitted(struct fx *f, struct collector *l, uint32_t x)
{
	unsigned before = sessions_of(f, l);
	int fd = tcp_connect(f->port, LO(x));

	for (int i = 0; i < 100 && sessions_of(f, l) == before; i++)
		loop_run_once(&f->loop, 10);
	assert_int_equal(sessions_of(f, l), before + 1);
	return fd;
}

static void test_listener_caps(void **state)
{
	struct fx *f = *state;
	int fd[4];

	f->feed.listen_max = 3;
	f->feed.listen_max_per_source = 2;
	struct collector *l = passive(f, "");
	fd[0] = admitted(f, l, 1);
	fd[1] = admitted(f, l, 1);
	/* A third from the same source: accepted by TCP, closed at once. */
	int x = tcp_connect(f->port, LO(1));
	assert_true(closed_by_peer(f, x));
	close(x);
	assert_int_equal(l->st.refused[LISTEN_REF_PER_SOURCE], 1);
	fd[2] = admitted(f, l, 2);
	/* The listener is full: any source is refused. */
	x = tcp_connect(f->port, LO(3));
	assert_true(closed_by_peer(f, x));
	close(x);
	assert_int_equal(l->st.refused[LISTEN_REF_CAP], 1);
	assert_int_equal(sessions_of(f, l), 3);
	/* A session that ends frees its place. */
	close(fd[0]);
	for (int i = 0; i < 100 && sessions_of(f, l) == 3; i++)
		loop_run_once(&f->loop, 10);
	fd[3] = admitted(f, l, 3);
	assert_int_equal(l->st.refused[LISTEN_REF_ALLOW], 0);
	for (int i = 1; i < 4; i++)
		close(fd[i]);
}

/*
 * Out of descriptors, the pending connection stays queued: the listener
 * pauses (counted once) instead of waking the loop for ever, and takes the
 * connection once descriptors are back.
 */
static void test_listener_out_of_fds(void **state)
{
	struct fx *f = *state;
	struct collector *l = passive(f, "");
	int fd = tcp_connect(f->port, 0);
	struct rlimit old = fd_limit_exhaust();

	assert_int_equal(loop_run_once(&f->loop, 100), 0);
	assert_int_equal(l->st.refused[LISTEN_REF_NO_FD], 1);
	for (int i = 0; i < 50; i++)
		assert_int_equal(loop_run_once(&f->loop, 0), 0);
	assert_int_equal(l->st.refused[LISTEN_REF_NO_FD], 1);
	assert_int_equal(sessions_of(f, l), 0);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	for (int i = 0; i < 300 && !sessions_of(f, l); i++)
		loop_run_once(&f->loop, 10);
	assert_int_equal(sessions_of(f, l), 1);
	assert_int_equal(l->st.refused[LISTEN_REF_NO_FD], 1);
	close(fd);
}

static int sockopt(int fd, int level, int name)
{
	int v = -1;
	socklen_t l = sizeof(v);

	assert_int_equal(getsockopt(fd, level, name, &v, &l), 0);
	return v;
}

/* Starts an active collector on the fixture's test listener; returns the
 * station's end.  Socket buffers: the station's rcv, the exporter's snd
 * (0: the kernel's, which can take a whole small table); rcv not too small
 * for a station that reads, or loopback TCP waits for its persist timer. */
static int station(struct fx *f, struct collector **c, int rcv, int snd)
{
	if (f->lfd < 0)
		tcp_listen(f);
	if (!*c)
		*c = add_collector(f, f->port);
	int fd = tcp_accept(f, 5000);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	for (int i = 0; i < 100 && (*c)->state != COLL_UP; i++)
		loop_run_once(&f->loop, 10);
	assert_int_equal((*c)->state, COLL_UP);
	if (snd)
		setsockopt((*c)->fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	return fd;
}

/* A new session: the station starts from nothing, as a real one does. */
static void shadow_reset(struct fx *f)
{
	sh_free(&f->sh);
	sh_init(&f->sh);
}

static void test_stalled_collector_disconnected(void **state)
{
	struct fx *f = *state;
	struct collector *c = NULL;
	static const char junk[1000] = "hello";

	f->feed.stall_ms = 300;
	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	announce_v4(f, 1, 0, 20000, 0);
	uint64_t t0 = loop_now_ms();
	int fd = station(f, &c, 4096, 0);
	/* Every collector socket has keepalive. */
	assert_int_equal(sockopt(c->fd, SOL_SOCKET, SO_KEEPALIVE), 1);
	assert_int_equal(sockopt(c->fd, IPPROTO_TCP, TCP_KEEPIDLE), 60);
	assert_int_equal(sockopt(c->fd, IPPROTO_TCP, TCP_KEEPINTVL), 10);
	assert_int_equal(sockopt(c->fd, IPPROTO_TCP, TCP_KEEPCNT), 6);
	/* What a station sends is read, counted and dropped. */
	assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	/* The station never reads: the replay stalls (in the kernel's send
	 * buffer, then in ours), the session ends. */
	for (int i = 0; i < 500 && c->state == COLL_UP; i++)
		loop_run_once(&f->loop, 10);
	assert_int_equal(c->state, COLL_BACKOFF);
	assert_true(loop_now_ms() - t0 >= 300);
	assert_int_equal(c->st.stalled, 1);
	assert_int_equal(c->st.input_bytes, sizeof(junk));
	assert_non_null(strstr(c->last_error, "stalled"));
	close(fd);

	/* It comes back (backoff) and gets the whole table, changed since. */
	withdraw_v4(f, 1, 0, 20000, 3);
	shadow_reset(f);
	fd = station(f, &c, 65536, 8192);
	assert_true(tcp_read_until(f, fd, 20000, caught_up));
	sh_equal(&f->sh, peers_find(&f->ps, 1), &f->ps.attrs);
	assert_int_equal(c->st.sessions, 2);
	/* Silent with nothing queued is not stalled. */
	for (int i = 0; i < 70; i++)
		loop_run_once(&f->loop, 10);
	assert_int_equal(c->state, COLL_UP);
	assert_int_equal(c->st.stalled, 1);
	close(fd);
}

/*
 * bmptapd itself stopped (an overloaded host, a paused VM) past the stall
 * timeout: when it runs again before the station does, that is no stall
 * of the station's; it gets time to read.  The grace is min(stall_ms, 1 s):
 * 300 ms of it failed 2 runs in 12 beside four TCG guests on 2 cores.
 */
static void test_stall_check_late_is_not_a_stall(void **state)
{
	struct fx *f = *state;
	struct collector *c = NULL;

	f->feed.stall_ms = 1000;
	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	announce_v4(f, 1, 0, 20000, 0);
	int fd = station(f, &c, 4096, 8192);
	for (int i = 0; i < 10; i++)
		loop_run_once(&f->loop, 10);
	assert_true(c->stall_timer.armed);
	usleep(2500 * 1000);
	loop_run_once(&f->loop, 0);	/* the stall check, late */
	assert_int_equal(c->state, COLL_UP);
	assert_true(tcp_read_until(f, fd, 20000, caught_up));
	sh_equal(&f->sh, peers_find(&f->ps, 1), &f->ps.attrs);
	assert_int_equal(c->st.stalled, 0);
	close(fd);
}

static void test_dirty_overflow_resyncs(void **state)
{
	struct fx *f = *state;
	struct collector *c = NULL;

	f->feed.dirty_max = 100;
	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	int fd = station(f, &c, 65536, 8192);
	assert_true(tcp_read_until(f, fd, 5000, caught_up));
	/* The station stops reading while the peer sends a table and
	 * withdraws half of it: all pending, within the bound (the most
	 * routes the peer had meanwhile + 100). */
	announce_v4(f, 1, 0, 20000, 0);
	withdraw_v4(f, 1, 0, 20000, 2);
	assert_true(c->lagging);
	assert_int_equal(c->st.dirty_overflows, 0);
	/* Then it churns distinct prefixes, each announced and withdrawn:
	 * past 100 more than its most routes the session restarts (the
	 * set being flushed holds an earlier part of the changes). */
	int i;
	for (i = 0; i < 40000 && !c->st.dirty_overflows; i++) {
		announce_v4(f, 1, 20000 + i, 1, 0);
		withdraw_v4(f, 1, 20000 + i, 1, 1);
	}
	assert_int_equal(c->st.dirty_overflows, 1);
	assert_true(i > 100);
	for (int i = 0; i < 100 && c->state == COLL_UP; i++)
		loop_run_once(&f->loop, 10);
	assert_int_equal(c->state, COLL_BACKOFF);
	assert_non_null(strstr(c->last_error, "resync"));
	close(fd);
	/* The new session brings the station in line. */
	shadow_reset(f);
	fd = station(f, &c, 65536, 8192);
	assert_true(tcp_read_until(f, fd, 20000, caught_up));
	sh_equal(&f->sh, peers_find(&f->ps, 1), &f->ps.attrs);
	assert_int_equal(c->st.dirty_overflows, 1);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_passive_listener_allow, setup_tcp, teardown),
		cmocka_unit_test(test_empty_allow_is_loopback),
		cmocka_unit_test_setup_teardown(test_listener_caps, setup_tcp, teardown),
		cmocka_unit_test_setup_teardown(test_listener_out_of_fds, setup_tcp, teardown),
		cmocka_unit_test_setup_teardown(test_stalled_collector_disconnected,
						setup_tcp_small, teardown),
		cmocka_unit_test_setup_teardown(test_stall_check_late_is_not_a_stall,
						setup_tcp_small, teardown),
		cmocka_unit_test_setup_teardown(test_dirty_overflow_resyncs, setup_tcp_small,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
