/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A BMP station for the fuzz targets that drive the feed (fuzz_peer,
 * fuzz_reencode, fuzz_collector): it decodes what a socketless collector
 * queued into one Adj-RIB-In per peer address, the way a collector would
 * (the UPDATE encoding negotiated from the OPENs in the Peer Up, the AS
 * size from the A flag), and compares it with the exporter's RIB.  Every invariant breach is an
 * abort(), which libFuzzer reports as a crash.
 */
#ifndef BMPTAP_FUZZ_STATION_H
#define BMPTAP_FUZZ_STATION_H

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "attr.h"
#include "bgp.h"
#include "bmp.h"
#include "collector.h"
#include "peer.h"
#include "records.h"
#include "rib.h"
#include "../unit/rec_testutil.h"

#define ST_MAXP 8

struct station {
	struct attr_table at;
	struct rib rib[ST_MAXP];
	struct bgp_codec codec[ST_MAXP];	/* from the last Peer Up */
	uint8_t addr[ST_MAXP][16];
	int n;
	uint8_t part[1 << 17];	/* a message cut by collector_take() */
	size_t npart;
};

static inline uint32_t st_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void st_init(struct station *s)
{
	memset(s, 0, sizeof(*s));
	attr_table_init(&s->at);
	for (int i = 0; i < ST_MAXP; i++)
		rib_init(&s->rib[i], &s->at);
}

static inline void st_free(struct station *s)
{
	for (int i = 0; i < ST_MAXP; i++)
		rib_free(&s->rib[i]);
	attr_table_free(&s->at);
}

static inline int st_index(struct station *s, const uint8_t *addr)
{
	for (int i = 0; i < s->n; i++)
		if (!memcmp(s->addr[i], addr, 16))
			return i;
	if (s->n == ST_MAXP)
		abort();
	memcpy(s->addr[s->n], addr, 16);
	memset(&s->codec[s->n], 0, sizeof(s->codec[s->n]));
	return s->n++;
}

static inline struct rib *st_peer(struct station *s, const uint8_t *addr)
{
	return &s->rib[st_index(s, addr)];
}

/* The OPENs after the Peer Up's addresses and ports: sent, then received. */
static inline void st_peer_up(struct station *s, const uint8_t *m, size_t len)
{
	struct bgp_open o[2];
	struct bgp_session sess;
	size_t off = 48 + 20;

	memset(&sess, 0, sizeof(sess));
	for (int i = 0; i < 2; i++) {
		size_t l = off + 19 <= len ? (size_t)m[off + 16] << 8 | m[off + 17] : 0;
		int rc;

		if (l < 19 || l > len - off)
			abort();
		/* OPENs synthesized for a mid-stream pickup carry AS, hold
		 * time and identifier 0: refused after the capabilities were
		 * read.  Anything else bmptapd sends is an OPEN it decoded. */
		rc = bgp_open_parse(m + off, l, &o[i]);
		if (rc && rc != (BGP_ERR_OPEN << 8 | 2) && rc != (BGP_ERR_OPEN << 8 | 3) &&
		    rc != (BGP_ERR_OPEN << 8 | 6))
			abort();
		off += l;
	}
	bgp_negotiate(&o[0], &o[1], &sess);
	s->codec[st_index(s, m + 16)] = sess.rx;
}

static inline void st_msg(struct station *s, const uint8_t *m, size_t len)
{
	if (len < 6 || m[0] != 3)
		abort();
	switch (m[5]) {
	case BMP_PEER_UP:
		st_peer_up(s, m, len);
		rib_reset(st_peer(s, m + 16), NULL, NULL);
		return;
	case BMP_PEER_DOWN:
		if (len < 48)
			abort();
		rib_reset(st_peer(s, m + 16), NULL, NULL);
		return;
	case BMP_ROUTE_MONITORING: {
		struct bgp_codec c;
		struct bgp_update u;

		if (len < 48 + 19)
			abort();
		c = s->codec[st_index(s, m + 16)];
		c.as4 = !(m[7] & BMP_PEER_F_A);
		/* The peer's own parse and apply, as the exporter did. */
		bgp_update_parse(m + 48, len - 48, &c, &u);
		if (rib_apply(st_peer(s, m + 16), &u, NULL, NULL))
			abort();
		return;
	}
	default:
		return;
	}
}

static inline void st_bytes(struct station *s, const uint8_t *d, size_t n)
{
	size_t o = 0;

	if (s->npart + n > sizeof(s->part))
		abort();
	memcpy(s->part + s->npart, d, n);
	s->npart += n;
	while (s->npart - o >= 6 && s->npart - o >= st_u32(s->part + o + 1)) {
		uint32_t l = st_u32(s->part + o + 1);

		if (l < 6)
			abort();
		st_msg(s, s->part + o, l);
		o += l;
	}
	memmove(s->part, s->part + o, s->npart - o);
	s->npart -= o;
}

/* Takes at most max bytes of what c queued (0: until it is idle). */
static inline void st_take(struct station *s, struct collector *c, size_t max)
{
	uint8_t tmp[65536];

	for (int guard = 0; guard < 100000; guard++) {
		size_t want = max && max < sizeof(tmp) ? max : sizeof(tmp);
		size_t n = collector_take(c, tmp, want);

		if (n) {
			st_bytes(s, tmp, n);
			if (max && (max -= n) == 0)
				return;
			continue;
		}
		collector_pump(c);
		if (!collector_pending(c) && !collector_busy(c))
			return;
	}
	abort();	/* the collector never caught up */
}

/* The station holds exactly the exporter's Adj-RIB-In of peer p. */
static inline void st_equal(struct station *s, const struct peer *p, const struct attr_table *at)
{
	struct bmp_peer h;
	struct rib *sr;

	peer_bmp_hdr(p, 0, &h);
	sr = st_peer(s, h.addr);
	for (int fam = 0; fam < BGP_FAM_MAX; fam++) {
		struct bgp_prefix pfx[256];
		uint32_t ids[256], pos = 0;
		size_t n;

		if (rib_count(sr, fam) != rib_count(&p->rib, fam))
			abort();
		while ((n = rib_walk_slots(&p->rib, fam, &pos, pfx, ids, 256))) {
			for (size_t i = 0; i < n; i++) {
				const struct attr_set *a = attr_get(at, ids[i]);
				const struct attr_set *b = attr_get(&s->at, rib_lookup(sr, &pfx[i]));

				if (!a || !b || a->len != b->len || memcmp(a->data, b->data, a->len) ||
				    a->nh_len != b->nh_len || memcmp(a->nh, b->nh, a->nh_len))
					abort();
			}
		}
	}
}

/* ---- a session to feed: records as bmptapd reads them ------------------------ */

#define ST_TS 1700000000123456789ull

/* One record through the peer table. */
static inline void st_record(struct peers *ps, struct recb *b, uint16_t type, uint32_t flow,
			     int dir, uint32_t aux, const void *pl, size_t len)
{
	peers_record(ps, mkrec(b, type, flow, dir, aux, pl, len, ST_TS));
}

/* A BGP message of the given type around body. */
static inline void st_bgp(struct peers *ps, struct recb *b, uint32_t flow, int dir,
			  uint8_t type, const uint8_t *body, size_t len)
{
	uint8_t msg[19 + 4096];

	if (len > sizeof(msg) - 19)
		abort();
	memset(msg, 0xff, 16);
	msg[16] = (uint8_t)((len + 19) >> 8);
	msg[17] = (uint8_t)(len + 19);
	msg[18] = type;
	if (len)
		memcpy(msg + 19, body, len);
	st_record(ps, b, BMPTAP_REC_MSG, flow, dir, 0, msg, len + 19);
}

/* FLOW_START 10.0.1.2 <- remote, both OPENs (AS 65002 local, 65001
 * remote; as4: 4-octet AS capability on both), a KEEPALIVE: established. */
static inline void st_establish(struct peers *ps, struct recb *b, uint32_t flow,
				const char *remote, bool as4)
{
	static const uint8_t open_rx4[] = { 4, 0xfd, 0xe9, 0, 0xb4, 10, 0, 1, 1, 20, 2, 18,
		1, 4, 0, 1, 0, 1, 1, 4, 0, 2, 0, 1, 0x41, 4, 0, 0, 0xfd, 0xe9 };
	static const uint8_t open_tx4[] = { 4, 0xfd, 0xea, 0, 0xb4, 10, 0, 1, 2, 20, 2, 18,
		1, 4, 0, 1, 0, 1, 1, 4, 0, 2, 0, 1, 0x41, 4, 0, 0, 0xfd, 0xea };
	/* Without the capability (and its 6 octets). */
	static const uint8_t open_rx2[] = { 4, 0xfd, 0xe9, 0, 0xb4, 10, 0, 1, 1, 14, 2, 12,
		1, 4, 0, 1, 0, 1, 1, 4, 0, 2, 0, 1 };
	struct bmptap_flow_info fi = { .family = AF_INET };

	fi.local_port = htons(179);
	fi.remote_port = htons(50000);
	inet_pton(AF_INET, "10.0.1.2", fi.local_addr);
	inet_pton(AF_INET, remote, fi.remote_addr);
	st_record(ps, b, BMPTAP_REC_FLOW_START, flow, BMPTAP_DIR_RX, 0, &fi, sizeof(fi));
	st_bgp(ps, b, flow, BMPTAP_DIR_TX, BGP_OPEN, open_tx4, sizeof(open_tx4));
	if (as4)
		st_bgp(ps, b, flow, BMPTAP_DIR_RX, BGP_OPEN, open_rx4, sizeof(open_rx4));
	else
		st_bgp(ps, b, flow, BMPTAP_DIR_RX, BGP_OPEN, open_rx2, sizeof(open_rx2));
	st_bgp(ps, b, flow, BMPTAP_DIR_RX, BGP_KEEPALIVE, NULL, 0);
}

/* A socketless feed, its peer table and collector c (NULL: none yet). */
struct st_feed {
	struct feed feed;
	struct peers ps;
	struct recb rb;
	struct station st;
};

static inline void st_feed_init(struct st_feed *f, size_t limit)
{
	struct peer_sink s;

	memset(&f->rb, 0, sizeof(f->rb));
	if (feed_init(&f->feed, NULL, NULL, &f->ps, &(struct feed_cfg){ .limit = limit }))
		abort();
	s = feed_sink(&f->feed);
	if (peers_init(&f->ps, &(struct peers_cfg){ .sink = s }, NULL))
		abort();
	st_init(&f->st);
}

static inline struct collector *st_collector(struct st_feed *f)
{
	struct bt_server_cfg cfg = { .have = BT_SRV_PORT, .port = 1 };
	struct collector *c;

	snprintf(cfg.address, sizeof(cfg.address), "127.0.0.1");
	c = feed_add(&f->feed, &cfg);
	if (!c)
		abort();
	collector_start(c, -1);
	return c;
}

static inline void st_feed_free(struct st_feed *f)
{
	feed_free(&f->feed);
	peers_free(&f->ps);
	st_free(&f->st);
}

#endif
