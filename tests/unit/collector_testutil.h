/*
 * The collector tests' station and fixture (test_collector.c, test_listener.c):
 * the BMP stream a collector receives is decoded into a shadow Adj-RIB-In
 * per peer and compared with the exporter's RIB.
 */
#ifndef BMPTAP_COLLECTOR_TESTUTIL_H
#define BMPTAP_COLLECTOR_TESTUTIL_H

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
	struct famrib fr[MAXP];		/* the other families (famrib.h) */
	uint8_t addr[MAXP][16];
	int n;
	int init, up, down, rm, eor, term, lost;
	int fr_eor;			/* End-of-RIB of the other families */
	char ev[65536];		/* event letters in order: I U D R E L T */
	size_t nev;
	uint8_t part[1 << 17];	/* partial message from a socket */
	size_t npart;
	char sysname[64];
	uint32_t stat_routes;
};

static inline void sh_init(struct shadow *s)
{
	memset(s, 0, sizeof(*s));
	attr_table_init(&s->at);
	for (int i = 0; i < MAXP; i++) {
		rib_init(&s->rib[i], &s->at);
		famrib_init(&s->fr[i], &s->at, NULL);
	}
}

static inline void sh_free(struct shadow *s)
{
	for (int i = 0; i < MAXP; i++) {
		rib_free(&s->rib[i]);
		famrib_free(&s->fr[i]);
	}
	attr_table_free(&s->at);
}

static inline struct rib *sh_peer(struct shadow *s, const uint8_t *addr)
{
	for (int i = 0; i < s->n; i++)
		if (!memcmp(s->addr[i], addr, 16))
			return &s->rib[i];
	assert_true(s->n < MAXP);
	memcpy(s->addr[s->n], addr, 16);
	return &s->rib[s->n++];
}

static inline void sh_ev(struct shadow *s, char c)
{
	if (s->nev + 1 < sizeof(s->ev))
		s->ev[s->nev++] = c;
}

static inline void sh_msg(struct shadow *s, const uint8_t *m, size_t len)
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
		famrib_reset(&s->fr[sh_peer(s, m + 16) - s->rib], NULL, NULL);
		return;
	case BMP_PEER_DOWN:
		s->down++;
		sh_ev(s, 'D');
		rib_reset(sh_peer(s, m + 16), NULL, NULL);
		famrib_reset(&s->fr[sh_peer(s, m + 16) - s->rib], NULL, NULL);
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
		if (famrib_eor(&u) >= 0) {
			s->fr_eor++;
			sh_ev(s, 'e');
			return;
		}
		s->rm++;
		sh_ev(s, 'R');
		assert_int_equal(rib_apply(sh_peer(s, m + 16), &u, NULL, NULL), 0);
		assert_int_equal(famrib_apply(&s->fr[sh_peer(s, m + 16) - s->rib], &u, 0, NULL,
					      NULL), 0);
		return;
	}
	default:
		fail_msg("unexpected BMP type %u", m[5]);
	}
}

static inline void sh_bytes(struct shadow *s, const uint8_t *d, size_t n)
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
static inline void sh_equal(struct shadow *s, const struct peer *p, const struct attr_table *at)
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

static inline int setup_common(void **state, bool use_loop, size_t limit)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->use_loop = use_loop;
	f->lfd = -1;
	if (use_loop)
		assert_int_equal(loop_init(&f->loop), 0);
	assert_int_equal(feed_init(&f->feed, use_loop ? &f->loop : NULL, NULL, &f->ps,
				   &(struct feed_cfg){ .limit = limit }), 0);
	struct peer_sink s = feed_sink(&f->feed);
	assert_int_equal(peers_init(&f->ps, &(struct peers_cfg){ .sink = s }, NULL), 0);
	sh_init(&f->sh);
	*state = f;
	return 0;
}

static inline int setup(void **state) { return setup_common(state, false, 8u << 20); }
static inline int setup_small(void **state) { return setup_common(state, false, 4096); }
static inline int setup_tcp(void **state) { return setup_common(state, true, 8u << 20); }
static inline int setup_tcp_small(void **state) { return setup_common(state, true, 16384); }

static inline int teardown(void **state)
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

static inline struct collector *add_collector(struct fx *f, uint16_t port)
{
	struct bt_server_cfg cfg = { .have = BT_SRV_PORT | BT_SRV_SYS_NAME, .port = port };
	snprintf(cfg.address, sizeof(cfg.address), "127.0.0.1");
	snprintf(cfg.sys_name, sizeof(cfg.sys_name), "unit");
	struct collector *c = feed_add(&f->feed, &cfg);
	assert_non_null(c);
	return c;
}

/* Drains a socketless collector completely into the shadow. */
static inline void drain(struct fx *f, struct collector *c)
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
static inline void announce_v4(struct fx *f, uint32_t flow, int from, int n, int med_salt)
{
	for (int i = from; i < from + n; i++) {
		char attrs[128], nlri[32];
		snprintf(attrs, sizeof(attrs), ORIGIN_IGP ASPATH4 NH4 "80 04 04 %08x",
			 (unsigned)(i / 4 + med_salt));
		snprintf(nlri, sizeof(nlri), "18 0a%02x%02x", (i >> 8) & 0xff, i & 0xff);
		send_update(&f->ps, &f->rb, flow, BMPTAP_DIR_RX, "", attrs, nlri, TS0);
	}
}

static inline void withdraw_v4(struct fx *f, uint32_t flow, int from, int n, int step)
{
	for (int i = from; i < from + n; i += step) {
		char wd[32];
		snprintf(wd, sizeof(wd), "18 0a%02x%02x", (i >> 8) & 0xff, i & 0xff);
		send_update(&f->ps, &f->rb, flow, BMPTAP_DIR_RX, wd, "", "", TS0);
	}
}

static inline void announce_v6(struct fx *f, uint32_t flow, int n)
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


/* ---- over loopback TCP ------------------------------------------------------ */

static inline void tcp_listen(struct fx *f)
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

static inline int tcp_accept(struct fx *f, int max_ms)
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
static inline bool tcp_read_until(struct fx *f, int fd, int max_ms, bool (*cond)(struct fx *))
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

static inline bool two_eors(struct fx *f) { return f->sh.eor >= 2; }
static inline bool four_eors(struct fx *f) { return f->sh.eor >= 4; }

static inline bool caught_up(struct fx *f)
{
	struct collector *c = f->feed.head;
	return c && !collector_pending(c) && !collector_busy(c) && f->sh.npart == 0 &&
	       rib_count(&f->sh.rib[0], BGP_FAM_IPV4) ==
		       rib_count(&peers_find(&f->ps, 1)->rib, BGP_FAM_IPV4);
}

static inline uint16_t free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	close(fd);
	return ntohs(sa.sin_port);
}

/* From loopback source address src (host order; 0: the kernel's choice). */
static inline int tcp_connect(uint16_t port, uint32_t src)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in from = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(src) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (src)
		assert_int_equal(bind(fd, (struct sockaddr *)&from, sizeof(from)), 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static inline bool one_eor(struct fx *f) { return f->sh.eor >= 2 && f->sh.up >= 1; }

#endif
