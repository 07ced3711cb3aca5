/* Collector feed: replay on connect, coalescing for a stalled collector
 * (it converges to the RIB afterwards), Peer Down/Up ordering while behind,
 * real loopback TCP sessions with reconnect backoff.  The BMP stream each
 * collector receives is decoded into a shadow Adj-RIB-In per peer and
 * compared with the exporter's RIB. */
#include "collector_testutil.h"

/* ---- tests ----------------------------------------------------------------- */

static void test_replay_on_connect(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	announce_v4(f, 1, 0, 1000, 0);
	announce_v6(f, 1, 50);
	withdraw_v4(f, 1, 0, 100, 10);
	struct peer *p = peers_find(&f->ps, 1);
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 990);
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV6), 50);

	struct collector *c = add_collector(f, 1);
	collector_start(c, -1);
	drain(f, c);
	assert_int_equal(f->sh.init, 1);
	assert_string_equal(f->sh.sysname, "unit");
	assert_int_equal(f->sh.up, 1);
	assert_int_equal(f->sh.eor, 2);	/* IPv4 and IPv6 negotiated */
	assert_int_equal(f->sh.ev[0], 'I');
	assert_int_equal(f->sh.ev[1], 'U');
	assert_int_equal(f->sh.ev[f->sh.nev - 1], 'E');
	/* Routes sharing attributes were packed: far fewer UPDATEs than routes. */
	assert_true(f->sh.rm < 400);
	sh_equal(&f->sh, p, &f->ps.attrs);
	assert_false(p->rib.t[BGP_FAM_IPV4].frozen);	/* replay released the RIB */

	/* Live now: one observed UPDATE is one Route Monitoring message. */
	int rm = f->sh.rm;
	announce_v4(f, 1, 2000, 1, 0);
	drain(f, c);
	assert_int_equal(f->sh.rm, rm + 1);
	sh_equal(&f->sh, p, &f->ps.attrs);
	assert_int_equal(c->st.resyncs, 0);
	collector_stats(c);
	drain(f, c);
	assert_int_equal(f->sh.ev[f->sh.nev - 1], 'S');
	assert_int_equal(f->sh.stat_routes, 991 + 50);
}

/* Found by fuzz_peer: after an MP_REACH_NLRI error disabled IPv6 (RFC 7606
 * AFI/SAFI disable), later IPv6 UPDATEs are ignored by the RIB; forwarded
 * as received, they made the collector install routes the router has not. */
static void test_disabled_family_not_forwarded(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	struct collector *c = add_collector(f, 1);
	collector_start(c, -1);
	announce_v6(f, 1, 3);
	drain(f, c);
	struct peer *p = peers_find(&f->ps, 1);
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV6), 3);
	/* NLRI 2001::/254: malformed, IPv6 disabled and flushed. */
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "",
		    "80 0e 18 0002 01 10 fd000001000000000000000000000001 00 fe 2001 "
		    ORIGIN_IGP ASPATH4, "", TS0);
	announce_v6(f, 1, 5);
	announce_v4(f, 1, 0, 2, 0);
	drain(f, c);
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV6), 0);
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 2);
	sh_equal(&f->sh, p, &f->ps.attrs);
}

static void test_replay_with_changes_midway(void **state)
{
	struct fx *f = *state;
	uint8_t tmp[65536];

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	announce_v4(f, 1, 0, 20000, 0);
	struct peer *p = peers_find(&f->ps, 1);
	struct collector *c = add_collector(f, 1);
	collector_start(c, -1);
	/* Take only part of the replay, then change the table under it. */
	sh_bytes(&f->sh, tmp, collector_take(c, tmp, sizeof(tmp)));
	assert_true(collector_busy(c));
	assert_true(p->rib.t[BGP_FAM_IPV4].frozen > 0);
	withdraw_v4(f, 1, 0, 20000, 3);		/* tombstones while frozen */
	announce_v4(f, 1, 0, 3000, 7);		/* new attributes */
	announce_v4(f, 1, 30000, 20000, 0);	/* growth: rehash under the walk */
	drain(f, c);
	sh_equal(&f->sh, p, &f->ps.attrs);
	assert_int_equal(p->rib.t[BGP_FAM_IPV4].frozen, 0);
	assert_int_equal(p->rib.t[BGP_FAM_IPV4].tombs, 0);
}

static void test_coalescing_converges(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	struct peer *p = peers_find(&f->ps, 1);
	struct collector *c = add_collector(f, 1);
	collector_start(c, -1);
	drain(f, c);
	/* The collector stops reading; far more changes than the limit. */
	announce_v4(f, 1, 0, 3000, 0);
	assert_true(c->lagging);
	assert_int_equal(c->st.resyncs, 1);
	assert_true(collector_pending(c) <= c->limit);
	withdraw_v4(f, 1, 0, 3000, 2);
	announce_v4(f, 1, 0, 500, 9);
	announce_v6(f, 1, 20);
	assert_true(collector_pending(c) <= c->limit);	/* memory stays bounded */
	assert_true(c->st.coalesced > 0);
	/* It reads again: it converges to the RIB as it is now. */
	drain(f, c);
	sh_equal(&f->sh, p, &f->ps.attrs);
	assert_false(c->lagging);
	assert_int_equal(c->st.resyncs, 1);
	/* And is live again. */
	int rm = f->sh.rm;
	announce_v4(f, 1, 5000, 1, 0);
	assert_int_equal(collector_pending(c), 6 + 42 + 19 + 4 + 4 + 9 + 7 + 7 + 4);
	drain(f, c);
	assert_int_equal(f->sh.rm, rm + 1);
}

/* Statistics Reports are not stacked behind a backlog: queued, they would be
 * stale when read and push the peer events after them past the hard cap. */
static void test_stats_skipped_while_behind(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	struct collector *c = add_collector(f, 1);
	collector_start(c, -1);
	drain(f, c);
	announce_v4(f, 1, 0, 3000, 0);	/* behind now, the output at its bound */
	assert_true(c->lagging);
	int i;

	for (i = 0; i < 100 && collector_pending(c) <= c->limit; i++)
		collector_stats(c);
	assert_true(collector_pending(c) > c->limit);
	size_t over = collector_pending(c);

	for (i = 0; i < 100; i++)
		collector_stats(c);
	assert_int_equal(collector_pending(c), over);
	assert_int_equal(c->st.stats_skipped, 100);
	assert_true(over <= c->limit + 1024);	/* past the bound by one report at the most */
	/* Caught up: reports are queued again, and the RIB state was kept. */
	drain(f, c);
	sh_equal(&f->sh, peers_find(&f->ps, 1), &f->ps.attrs);
	collector_stats(c);
	assert_int_equal(c->st.stats_skipped, 100);
	assert_true(collector_pending(c) > 0);
}

static void test_lagging_peer_down_up_order(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	announce_v4(f, 1, 0, 100, 0);
	struct collector *c = add_collector(f, 1);
	collector_start(c, -1);
	drain(f, c);
	size_t mark = f->sh.nev;
	announce_v4(f, 1, 100, 2000, 0);	/* behind now */
	assert_true(c->lagging);
	end_flow(&f->ps, &f->rb, 1, BMPTAP_END_RST_REMOTE);
	/* The same peer comes back on a new connection with other routes. */
	establish(&f->ps, &f->rb, 2, "10.0.1.1");
	announce_v4(f, 2, 5000, 300, 0);
	drain(f, c);
	struct peer *p2 = peers_find(&f->ps, 2);
	sh_equal(&f->sh, p2, &f->ps.attrs);	/* no stale route of flow 1 */
	/* After the lag: (some routes of flow 1), D, U, routes of flow 2. */
	const char *ev = f->sh.ev + mark;
	const char *d = strchr(ev, 'D'), *u = strrchr(ev, 'U');
	assert_non_null(d);
	assert_non_null(u);
	assert_true(d < u);
	for (const char *q = d + 1; q < u; q++)
		assert_int_not_equal(*q, 'R');	/* nothing of flow 1 after its Down */
	assert_int_equal(f->sh.down, 1);
	assert_int_equal(f->sh.up, 2);
}

static void test_gap_and_mirroring(void **state)
{
	struct fx *f = *state;
	struct bmptap_gap g = { .bytes = 10, .reason = BMPTAP_GAP_MISSING };

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	struct bt_server_cfg cfg = { .have = BT_SRV_PORT | BT_SRV_MIRRORING, .port = 1,
				     .mirroring = true };
	snprintf(cfg.address, sizeof(cfg.address), "::1");
	struct collector *c = feed_add(&f->feed, &cfg);
	collector_start(c, -1);
	drain(f, c);
	announce_v4(f, 1, 0, 1, 0);
	send_msg(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, BGP_KEEPALIVE, "", TS0);
	feed_rec(&f->ps, mkrec(&f->rb, BMPTAP_REC_GAP, 1, BMPTAP_DIR_RX, 0, &g, sizeof(g), TS0));
	drain(f, c);
	/* mirror + RM for the UPDATE, mirror for the KEEPALIVE, messages lost */
	assert_string_equal(f->sh.ev + f->sh.nev - 4, "LRLL");
	/* A collector connecting later hears at once that the RIB is suspect. */
	struct collector *c2 = add_collector(f, 2);
	collector_start(c2, -1);
	struct shadow *s = &f->sh;
	size_t mark = s->nev;
	drain(f, c2);
	assert_int_equal(s->ev[mark], 'I');
	assert_int_equal(s->ev[mark + 1], 'U');
	assert_int_equal(s->ev[mark + 2], 'L');
}

static void test_backoff(void **state)
{
	struct fx *f = *state;
	struct collector *c = add_collector(f, 1);
	const uint64_t lo[] = { 1000, 2000, 4000, 8000, 16000, 32000, 32000 };

	for (int i = 0; i < 7; i++) {
		uint64_t ms = collector_backoff_ms(c);
		assert_true(ms >= lo[i]);
		assert_true(ms <= lo[i] + lo[i] / 4);	/* jitter up to 25% */
	}
}

/* ---- over loopback TCP ------------------------------------------------------ */

static void test_tcp_replay_and_reconnect(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	announce_v4(f, 1, 0, 500, 0);
	announce_v6(f, 1, 10);
	struct peer *p = peers_find(&f->ps, 1);
	tcp_listen(f);
	struct collector *c = add_collector(f, f->port);
	int fd = tcp_accept(f, 2000);
	assert_true(fd >= 0);
	assert_true(tcp_read_until(f, fd, 10000, two_eors));
	assert_int_equal(c->state, COLL_UP);
	assert_int_equal(f->sh.init, 1);
	assert_int_equal(f->sh.up, 1);
	sh_equal(&f->sh, p, &f->ps.attrs);

	/* The collector goes away: the exporter retries after ~1 s. */
	close(fd);
	uint64_t t0 = loop_now_ms();
	for (int i = 0; i < 100 && c->state == COLL_UP; i++)
		loop_run_once(&f->loop, 10);
	assert_int_equal(c->state, COLL_BACKOFF);
	fd = tcp_accept(f, 5000);
	uint64_t dt = loop_now_ms() - t0;
	assert_true(fd >= 0);
	assert_true(dt >= 900);	/* not before the backoff; no upper bound under load */
	/* Everything again: Initiation, Peer Up, the table. */
	announce_v4(f, 1, 600, 5, 0);	/* while the replay is under way */
	assert_true(tcp_read_until(f, fd, 10000, four_eors));
	assert_int_equal(f->sh.init, 2);
	assert_int_equal(f->sh.up, 2);
	assert_int_equal(c->st.reconnects, 1);
	assert_int_equal(c->st.sessions, 2);
	for (int i = 0; i < 20; i++) {	/* the live tail */
		uint8_t tmp[65536];
		ssize_t n;
		loop_run_once(&f->loop, 10);
		while ((n = recv(fd, tmp, sizeof(tmp), MSG_DONTWAIT)) > 0)
			sh_bytes(&f->sh, tmp, (size_t)n);
	}
	sh_equal(&f->sh, p, &f->ps.attrs);

	/* Removing the server sends a Termination. */
	feed_remove(&f->feed, c, BMP_TERM_PERM_ADMIN_CLOSE);
	uint8_t tmp[4096];
	for (int i = 0; i < 50 && !f->sh.term; i++) {
		ssize_t n = recv(fd, tmp, sizeof(tmp), MSG_DONTWAIT);
		if (n > 0)
			sh_bytes(&f->sh, tmp, (size_t)n);
		loop_run_once(&f->loop, 10);
	}
	assert_int_equal(f->sh.term, 1);
	assert_null(f->feed.head);
	close(fd);
}

static void test_tcp_stalled_reader_coalesces(void **state)
{
	struct fx *f = *state;
	/* Small socket buffers so that the exporter's own bound is what
	 * fills up; not so small that loopback TCP falls back on its
	 * persist timer for window updates. */
	int rcv = 65536, snd = 8192;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	tcp_listen(f);
	struct collector *c = add_collector(f, f->port);
	int fd = tcp_accept(f, 2000);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	for (int i = 0; i < 50 && c->state != COLL_UP; i++)
		loop_run_once(&f->loop, 10);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	/* Lots of churn while nobody reads: returning at all proves the
	 * netlink side never blocks on the collector (its socket is
	 * non-blocking; no wall-clock bound, which load would break). */
	assert_true(fcntl(c->fd, F_GETFL) & O_NONBLOCK);
	announce_v4(f, 1, 0, 20000, 0);
	withdraw_v4(f, 1, 0, 20000, 2);
	announce_v4(f, 1, 0, 5000, 3);
	assert_true(c->lagging);
	assert_true(c->st.resyncs >= 1);
	assert_true(collector_pending(c) <= c->limit);
	/* Reading again: the collector converges. */
	bool ok = tcp_read_until(f, fd, 10000, caught_up);
	if (!ok)
		fprintf(stderr, "pending %zu busy %d npart %zu shadow %u rib %u lagging %d state %d ev %zu\n",
			collector_pending(c), collector_busy(c), f->sh.npart,
			rib_count(&f->sh.rib[0], 0), rib_count(&peers_find(&f->ps, 1)->rib, 0),
			c->lagging, c->state, f->sh.nev);
	assert_true(ok);
	sh_equal(&f->sh, peers_find(&f->ps, 1), &f->ps.attrs);
	assert_false(c->lagging);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replay_on_connect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_family_not_forwarded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_with_changes_midway, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_coalescing_converges, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_stats_skipped_while_behind, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_lagging_peer_down_up_order, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_gap_and_mirroring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_replay_and_reconnect, setup_tcp, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_stalled_reader_coalesces, setup_tcp_small, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
