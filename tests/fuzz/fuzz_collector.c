// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the collector feed under replay and coalescing:
 * the input is a program of route changes, peer sessions going down and
 * up, lost records, Statistics Reports and a collector that reads at its
 * own pace (a small output bound, so it falls behind and changes are
 * coalesced into the RIB state).  A second collector joins midway and
 * gets a table replay while changes keep coming.
 *
 * Each input octet is an operation; some take operand octets:
 *   0 A B M  announce 10.A.B.0/24 (MED M) from peer M&1
 *   1 A B P  withdraw 10.A.B.0/24 at peer P&1
 *   2 A P    announce 2001:db8:A::/48 from peer P&1
 *   3 K      the first collector reads K*97 octets
 *   4        pump both collectors (queued work into their output)
 *   5 P      peer P&1: NOTIFICATION, FLOW_END, a new session, same address
 *   6 P      a sequence hole (records lost) then a route of peer P&1
 *   7        Statistics Reports to the collectors
 *   8        the second collector joins (once)
 *
 * Invariant (abort() otherwise): once both collectors were read to the
 * end, each one's station holds exactly every established peer's
 * Adj-RIB-In.
 */
#include <stddef.h>
#include <stdint.h>

#include "station.h"

#define LIMIT 4096

struct run {
	struct st_feed f;
	struct collector *c2;
	struct station st2;
	uint32_t flow[2];
	uint32_t next_flow;
};

static const char *const remote[2] = { "10.0.1.1", "10.0.1.3" };

static void update(struct run *r, int peer, const uint8_t *wd, size_t wl, const uint8_t *at,
		   size_t al, const uint8_t *nlri, size_t nl)
{
	uint8_t b[512] = { 0, (uint8_t)wl };
	size_t n = 2;

	if (wl)
		memcpy(b + n, wd, wl);
	n += wl;
	b[n++] = 0;
	b[n++] = (uint8_t)al;
	if (al)
		memcpy(b + n, at, al);
	n += al;
	if (nl)
		memcpy(b + n, nlri, nl);
	n += nl;
	st_bgp(&r->f.ps, &r->f.rb, r->flow[peer], BMPTAP_DIR_RX, BGP_UPDATE, b, n);
}

static void announce4(struct run *r, uint8_t a, uint8_t b, uint8_t med)
{
	const uint8_t at[] = { 0x40, 1, 1, 0, 0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xe9,
		0x40, 3, 4, 10, 0, 1, 1, 0x80, 4, 4, 0, 0, 0, med };
	const uint8_t nlri[] = { 24, 10, a, b };

	update(r, med & 1, NULL, 0, at, sizeof(at), nlri, sizeof(nlri));
}

static void withdraw4(struct run *r, uint8_t a, uint8_t b, int peer)
{
	const uint8_t wd[] = { 24, 10, a, b };

	update(r, peer, wd, sizeof(wd), NULL, 0, NULL, 0);
}

static void announce6(struct run *r, uint8_t a, int peer)
{
	/* MP_REACH_NLRI IPv6 unicast, next hop fd00:1::1, 2001:db8:a::/48 */
	const uint8_t at[] = { 0x80, 14, 28, 0, 2, 1, 16, 0xfd, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 1, 0, 48, 0x20, 0x01, 0x0d, 0xb8, 0, a, 0x40, 1, 1, 0,
		0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xe9 };

	update(r, peer, NULL, 0, at, sizeof(at), NULL, 0);
}

static void bounce(struct run *r, int peer)
{
	static const uint8_t cease[] = { 6, 2 };
	uint32_t old = r->flow[peer];

	st_bgp(&r->f.ps, &r->f.rb, old, BMPTAP_DIR_RX, BGP_NOTIFICATION, cease, sizeof(cease));
	st_record(&r->f.ps, &r->f.rb, BMPTAP_REC_FLOW_END, old, BMPTAP_DIR_RX, 0, NULL, 0);
	r->flow[peer] = r->next_flow++;
	st_establish(&r->f.ps, &r->f.rb, r->flow[peer], remote[peer], true);
}

static void hole(struct run *r)
{
	struct bt_rec h = { .kind = BT_RK_SEQ_HOLE, .expected = r->f.rb.seq,
			    .got = r->f.rb.seq + 5 };

	peers_record(&r->f.ps, &h);
	r->f.rb.seq += 5;
}

static void check(struct station *st, struct run *r)
{
	for (int i = 0; i < 2; i++) {
		struct peer *p = peers_find(&r->f.ps, r->flow[i]);

		if (p && p->state == PEER_ESTABLISHED)
			st_equal(st, p, &r->f.ps.attrs);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run r;
	struct collector *c;
	size_t i = 0;

#define ARG() (i < size ? data[i++] : 0)
	memset(&r, 0, sizeof(r));
	st_feed_init(&r.f, LIMIT);
	r.flow[0] = 1;
	r.flow[1] = 2;
	r.next_flow = 3;
	st_establish(&r.f.ps, &r.f.rb, 1, remote[0], true);
	st_establish(&r.f.ps, &r.f.rb, 2, remote[1], true);
	c = st_collector(&r.f);
	while (i < size) {
		uint8_t op = data[i++] % 9, a, b;

		switch (op) {
		case 0:
			a = ARG();
			b = ARG();
			announce4(&r, a, b, ARG());
			break;
		case 1:
			a = ARG();
			b = ARG();
			withdraw4(&r, a, b, ARG() & 1);
			break;
		case 2:
			a = ARG();
			announce6(&r, a, ARG() & 1);
			break;
		case 3:
			st_take(&r.f.st, c, (size_t)ARG() * 97 + 1);
			break;
		case 4:
			collector_pump(c);
			if (r.c2)
				collector_pump(r.c2);
			break;
		case 5:
			bounce(&r, ARG() & 1);
			break;
		case 6:
			a = ARG();
			hole(&r);
			announce4(&r, a, 0, a);
			break;
		case 7:
			collector_stats(c);
			if (r.c2)
				collector_stats(r.c2);
			break;
		case 8:
			if (!r.c2) {
				st_init(&r.st2);
				r.c2 = st_collector(&r.f);
			}
			break;
		}
	}
#undef ARG
	st_take(&r.f.st, c, 0);
	check(&r.f.st, &r);
	if (r.c2) {
		st_take(&r.st2, r.c2, 0);
		check(&r.st2, &r);
		st_free(&r.st2);
	}
	st_feed_free(&r.f);
	return 0;
}
