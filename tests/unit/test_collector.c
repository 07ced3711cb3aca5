/* Collector feed: replay on connect, coalescing for a stalled collector
 * (it converges to the RIB afterwards), Peer Down/Up ordering while behind,
 * real loopback TCP sessions with reconnect backoff.  The BMP stream each
 * collector receives is decoded into a shadow Adj-RIB-In per peer and
 * compared with the exporter's RIB. */
#include "peer_testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "collector.h"

/* ---- a minimal BMP station ---------------------------------------------- */

#define MAXP 4
struct shadow {
	struct attr_table at;
	struct rib rib[MAXP];
	uint8_t addr[MAXP][16];
	int n;
	int init, up, down, rm, eor, term, lost;
	char ev[65536];		/* event letters in order: I U D R E L T */
	size_t nev;
	uint8_t part[1 << 17];	/* partial message from a socket */
	size_t npart;
	char sysname[64];
	uint32_t stat_routes;
};

static void sh_init(struct shadow *s)
{
	memset(s, 0, sizeof(*s));
	attr_table_init(&s->at);
	for (int i = 0; i < MAXP; i++)
		rib_init(&s->rib[i], &s->at);
}

static void sh_free(struct shadow *s)
{
	for (int i = 0; i < MAXP; i++)
		rib_free(&s->rib[i]);
	attr_table_free(&s->at);
}

static struct rib *sh_peer(struct shadow *s, const uint8_t *addr)
{
	for (int i = 0; i < s->n; i++)
		if (!memcmp(s->addr[i], addr, 16))
			return &s->rib[i];
	assert_true(s->n < MAXP);
	memcpy(s->addr[s->n], addr, 16);
	return &s->rib[s->n++];
}

static void sh_ev(struct shadow *s, char c)
{
	if (s->nev + 1 < sizeof(s->ev))
		s->ev[s->nev++] = c;
}

static void sh_msg(struct shadow *s, const uint8_t *m, size_t len)
{
	assert_int_equal(m[0], 3);
	switch (m[5]) {
	case BMP_INITIATION:
		s->init++;
		sh_ev(s, 'I');
		for (size_t o = 6; o + 4 <= len; o += 4 + get_u16(m + o + 2))
			if (get_u16(m + o) == BMP_INFO_SYSNAME)
				snprintf(s->sysname, sizeof(s->sysname), "%.*s", get_u16(m + o + 2),
					 (const char *)m + o + 4);
		return;
	case BMP_TERMINATION:
		s->term++;
		sh_ev(s, 'T');
		return;
	case BMP_PEER_UP:
		s->up++;
		sh_ev(s, 'U');
		rib_reset(sh_peer(s, m + 16), NULL, NULL);
		return;
	case BMP_PEER_DOWN:
		s->down++;
		sh_ev(s, 'D');
		rib_reset(sh_peer(s, m + 16), NULL, NULL);
		return;
	case BMP_STATISTICS:
		sh_ev(s, 'S');
	{
		/* Walk the TLVs to the end of the message; keep type 7. */
		uint32_t n = get_u32(m + 48), o = 52, len = get_u32(m + 1);

		for (uint32_t i = 0; i < n; i++) {
			assert_true(o + 4 <= len);
			uint16_t t = get_u16(m + o), l = get_u16(m + o + 2);

			assert_true(o + 4 + l <= len);
			if (t == BMP_STAT_ADJ_RIB_IN) {
				assert_int_equal(l, 8);	/* 64-bit gauge */
				s->stat_routes = (uint32_t)get_u32(m + o + 8);
			}
			o += 4u + l;
		}
		assert_int_equal(o, len);
		return;
	}
	case BMP_ROUTE_MIRRORING:
		s->lost++;
		sh_ev(s, 'L');
		return;
	case BMP_ROUTE_MONITORING: {
		struct bgp_codec c = { .as4 = !(m[7] & BMP_PEER_F_A) };
		struct bgp_update u;
		const uint8_t *upd = m + 6 + 42;
		size_t ul = len - 48;

		assert_int_equal(get_u16(upd + 16), ul);
		assert_int_equal(bgp_update_parse(upd, ul, &c, &u), BGP_ACT_NONE);
		if (u.eor >= 0) {
			s->eor++;
			sh_ev(s, 'E');
			return;
		}
		s->rm++;
		sh_ev(s, 'R');
		assert_int_equal(rib_apply(sh_peer(s, m + 16), &u, NULL, NULL), 0);
		return;
	}
	default:
		fail_msg("unexpected BMP type %u", m[5]);
	}
}

static void sh_bytes(struct shadow *s, const uint8_t *d, size_t n)
{
	assert_true(s->npart + n <= sizeof(s->part));
	memcpy(s->part + s->npart, d, n);
	s->npart += n;
	size_t o = 0;
	while (s->npart - o >= 6 && s->npart - o >= get_u32(s->part + o + 1)) {
		uint32_t l = get_u32(s->part + o + 1);
		sh_msg(s, s->part + o, l);
		o += l;
	}
	memmove(s->part, s->part + o, s->npart - o);
	s->npart -= o;
}

/* The shadow holds exactly the exporter's Adj-RIB-In for peer p. */
static void sh_equal(struct shadow *s, const struct peer *p, const struct attr_table *at)
{
	struct bmp_peer h;
	peer_bmp_hdr(p, 0, &h);
	struct rib *sr = sh_peer(s, h.addr);
	for (int fam = 0; fam < BGP_FAM_MAX; fam++) {
		assert_int_equal(rib_count(sr, fam), rib_count(&p->rib, fam));
		struct bgp_prefix pfx[256];
		uint32_t ids[256], pos = 0;
		size_t n;
		while ((n = rib_walk_slots(&p->rib, fam, &pos, pfx, ids, 256))) {
			for (size_t i = 0; i < n; i++) {
				const struct attr_set *a = attr_get(at, ids[i]);
				const struct attr_set *b = attr_get(&s->at, rib_lookup(sr, &pfx[i]));
				assert_non_null(b);
				assert_int_equal(a->len, b->len);
				assert_memory_equal(a->data, b->data, a->len);
				assert_int_equal(a->nh_len, b->nh_len);
				assert_memory_equal(a->nh, b->nh, a->nh_len);
			}
		}
	}
}

/* ---- fixture ------------------------------------------------------------- */

struct fx {
	struct loop loop;
	bool use_loop;
	struct peers ps;
	struct feed feed;
	struct recb rb;
	struct shadow sh;
	int lfd;	/* test listener (TCP tests) */
	uint16_t port;
};

static int setup_common(void **state, bool use_loop, size_t limit)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->use_loop = use_loop;
	f->lfd = -1;
	if (use_loop)
		assert_int_equal(loop_init(&f->loop), 0);
	assert_int_equal(feed_init(&f->feed, use_loop ? &f->loop : NULL, NULL, &f->ps, limit), 0);
	struct peer_sink s = feed_sink(&f->feed);
	assert_int_equal(peers_init(&f->ps, &s, NULL), 0);
	sh_init(&f->sh);
	*state = f;
	return 0;
}

static int setup(void **state) { return setup_common(state, false, 8u << 20); }
static int setup_small(void **state) { return setup_common(state, false, 4096); }
static int setup_tcp(void **state) { return setup_common(state, true, 8u << 20); }
static int setup_tcp_small(void **state) { return setup_common(state, true, 16384); }

static int teardown(void **state)
{
	struct fx *f = *state;
	feed_free(&f->feed);
	peers_free(&f->ps);
	sh_free(&f->sh);
	if (f->lfd >= 0)
		close(f->lfd);
	if (f->use_loop)
		loop_free(&f->loop);
	free(f);
	return 0;
}

static struct collector *add_collector(struct fx *f, uint16_t port)
{
	struct bt_server_cfg cfg = { .have = BT_SRV_PORT | BT_SRV_SYS_NAME, .port = port };
	snprintf(cfg.address, sizeof(cfg.address), "127.0.0.1");
	snprintf(cfg.sys_name, sizeof(cfg.sys_name), "unit");
	struct collector *c = feed_add(&f->feed, &cfg);
	assert_non_null(c);
	return c;
}

/* Drains a socketless collector completely into the shadow. */
static void drain(struct fx *f, struct collector *c)
{
	uint8_t tmp[65536];
	for (int guard = 0; guard < 100000; guard++) {
		size_t n = collector_take(c, tmp, sizeof(tmp));
		if (n)
			sh_bytes(&f->sh, tmp, n);
		if (!n) {
			collector_pump(c);
			if (!collector_pending(c) && !collector_busy(c))
				return;
		}
	}
	fail_msg("collector never caught up");
}

/* n routes: 10.(i>>8).(i&255).0/24, MED i/4 so that sets are shared. */
static void announce_v4(struct fx *f, uint32_t flow, int from, int n, int med_salt)
{
	for (int i = from; i < from + n; i++) {
		char attrs[128], nlri[32];
		snprintf(attrs, sizeof(attrs), ORIGIN_IGP ASPATH4 NH4 "80 04 04 %08x",
			 (unsigned)(i / 4 + med_salt));
		snprintf(nlri, sizeof(nlri), "18 0a%02x%02x", (i >> 8) & 0xff, i & 0xff);
		send_update(&f->ps, &f->rb, flow, BMPTAP_DIR_RX, "", attrs, nlri, TS0);
	}
}

static void withdraw_v4(struct fx *f, uint32_t flow, int from, int n, int step)
{
	for (int i = from; i < from + n; i += step) {
		char wd[32];
		snprintf(wd, sizeof(wd), "18 0a%02x%02x", (i >> 8) & 0xff, i & 0xff);
		send_update(&f->ps, &f->rb, flow, BMPTAP_DIR_RX, wd, "", "", TS0);
	}
}

static void announce_v6(struct fx *f, uint32_t flow, int n)
{
	for (int i = 0; i < n; i++) {
		char attrs[256];
		/* MP_REACH_NLRI IPv6 unicast, next hop fd00:1::1, 2001:db8:i::/48 */
		snprintf(attrs, sizeof(attrs),
			 "80 0e 1c 0002 01 10 fd000001000000000000000000000001 00 30 20010db8%04x "
			 ORIGIN_IGP ASPATH4, (unsigned)i);
		send_update(&f->ps, &f->rb, flow, BMPTAP_DIR_RX, "", attrs, "", TS0);
	}
}

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

static void tcp_listen(struct fx *f)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int one = 1;

	f->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(f->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->lfd, 4), 0);
	getsockname(f->lfd, (struct sockaddr *)&sa, &sl);
	f->port = ntohs(sa.sin_port);
}

static int tcp_accept(struct fx *f, int max_ms)
{
	uint64_t end = loop_now_ms() + (uint64_t)max_ms;
	while (loop_now_ms() < end) {
		int fd = accept4(f->lfd, NULL, NULL, SOCK_NONBLOCK);
		if (fd >= 0)
			return fd;
		loop_run_once(&f->loop, 20);
	}
	return -1;
}

/* Runs the loop and reads fd until cond holds or time runs out. */
static bool tcp_read_until(struct fx *f, int fd, int max_ms, bool (*cond)(struct fx *))
{
	uint8_t tmp[65536];
	uint64_t end = loop_now_ms() + (uint64_t)max_ms;
	while (loop_now_ms() < end) {
		ssize_t n;
		while ((n = recv(fd, tmp, sizeof(tmp), MSG_DONTWAIT)) > 0)
			sh_bytes(&f->sh, tmp, (size_t)n);
		if (cond(f))
			return true;
		loop_run_once(&f->loop, 10);
	}
	return false;
}

static bool two_eors(struct fx *f) { return f->sh.eor >= 2; }
static bool four_eors(struct fx *f) { return f->sh.eor >= 4; }

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

static bool caught_up(struct fx *f)
{
	struct collector *c = f->feed.head;
	return c && !collector_pending(c) && !collector_busy(c) && f->sh.npart == 0 &&
	       rib_count(&f->sh.rib[0], BGP_FAM_IPV4) ==
		       rib_count(&peers_find(&f->ps, 1)->rib, BGP_FAM_IPV4);
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

static uint16_t free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	close(fd);
	return ntohs(sa.sin_port);
}

static int tcp_connect(uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static bool one_eor(struct fx *f) { return f->sh.eor >= 2 && f->sh.up >= 1; }

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
	int fd = tcp_connect(cfg.port);
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
		fd = tcp_connect(cfg.port);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replay_on_connect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_family_not_forwarded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_with_changes_midway, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_coalescing_converges, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_lagging_peer_down_up_order, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_gap_and_mirroring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_replay_and_reconnect, setup_tcp, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_stalled_reader_coalesces, setup_tcp_small, teardown),
		cmocka_unit_test_setup_teardown(test_passive_listener_allow, setup_tcp, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
