/* Route refresh (refresh.h): routes a refresh did not re-send are withdrawn
 * at its end, and a peer made incomplete by a loss is complete again once
 * every family was re-sent in full after it. */
#include "peer_testutil.h"

#include <stdlib.h>

#include "refresh.h"

/* OPENs with IPv4 and IPv6, route refresh and enhanced route refresh. */
#define OPEN_RX_ERR "04 fde9 00b4 0a000101 18 02 16 0104 00010001 0104 00020001 4104 0000fde9 0200 4600"
#define OPEN_TX_ERR "04 fdea 00b4 0a000102 18 02 16 0104 00010001 0104 00020001 4104 0000fdea 0200 4600"
#define RR_V4(sub) "0001 " sub " 01"
#define RR_V6(sub) "0002 " sub " 01"
#define EOR_V6 "80 0f 03 0002 01"

struct cap {
	int updates, rib_only, losts, last_eor;
	size_t last_chg;
};

static void c_update(void *ctx, struct peer *p, const uint8_t *m, size_t len, uint64_t ts,
		     const struct bgp_prefix *chg, size_t n, int eor)
{
	struct cap *c = ctx;

	(void)p; (void)len; (void)ts; (void)chg;
	c->updates++;
	c->rib_only += !m;
	c->last_chg = n;
	c->last_eor = eor;
}

static void c_lost(void *ctx, struct peer *p, uint64_t ts)
{
	(void)p; (void)ts;
	((struct cap *)ctx)->losts++;
}

struct fx {
	struct peers ps;
	struct cap cap;
	struct recb rb;
	struct peer *p;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct peer_sink s = { .ctx = &f->cap, .update = c_update, .lost = c_lost };

	assert_int_equal(peers_init(&f->ps, &(struct peers_cfg){ .sink = s }, NULL), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	peers_free(&f->ps);
	free(f);
	return 0;
}

static struct peer *up(struct fx *f, const char *tx_open, const char *rx_open)
{
	flow_start4(&f->ps, &f->rb, 7, "10.0.1.2", "10.0.1.1", 0);
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_TX, BGP_OPEN, tx_open, TS0);
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_RX, BGP_OPEN, rx_open, TS0);
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_RX, BGP_KEEPALIVE, "", TS0);
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_TX, BGP_KEEPALIVE, "", TS0);
	f->p = peers_find(&f->ps, 7);
	assert_non_null(f->p);
	assert_int_equal(f->p->state, PEER_ESTABLISHED);
	return f->p;
}

static void rx(struct fx *f, const char *nlri)
{
	send_update(&f->ps, &f->rb, 7, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4 NH4, nlri, TS0);
}

static void rr(struct fx *f, int dir, const char *body)
{
	send_msg(&f->ps, &f->rb, 7, dir, BGP_ROUTE_REFRESH, body, TS0);
}

static void gap(struct fx *f)
{
	struct bmptap_gap g = { .bytes = 10, .reason = BMPTAP_GAP_MISSING };

	feed_rec(&f->ps, mkrec(&f->rb, BMPTAP_REC_GAP, 7, BMPTAP_DIR_RX, 0, &g, sizeof(g), TS0));
}

static void test_parse(void **state)
{
	uint8_t m[64];
	size_t n;
	int fam = -9;

	(void)state;
	n = mk_msg_hex(m, BGP_ROUTE_REFRESH, RR_V6("01"));
	assert_int_equal(bgp_refresh_parse(m, n, &fam), BGP_RR_BORR);
	assert_int_equal(fam, BGP_FAM_IPV6);
	n = mk_msg_hex(m, BGP_ROUTE_REFRESH, "0001 02 80");	/* VPNv4: no RIB of it */
	assert_int_equal(bgp_refresh_parse(m, n, &fam), BGP_RR_EORR);
	assert_int_equal(fam, -1);
	n = mk_msg_hex(m, BGP_ROUTE_REFRESH, RR_V4("03"));
	assert_int_equal(bgp_refresh_parse(m, n, &fam), -1);	/* RFC 7313 5: ignored */
	n = mk_msg_hex(m, BGP_ROUTE_REFRESH, RR_V4("02") " 00");
	assert_int_equal(bgp_refresh_parse(m, n, &fam), -1);	/* EoRR of 5 octets */
	n = mk_msg_hex(m, BGP_ROUTE_REFRESH, RR_V4("00") " 01 00 01 00000000");
	assert_int_equal(bgp_refresh_parse(m, n, &fam), BGP_RR_REQUEST);	/* with ORFs */
}

/* The peer drops a route silently during an enhanced refresh: it goes at EoRR. */
static void test_err_withdraws_routes_not_resent(void **state)
{
	struct fx *f = *state;
	struct peer *p = up(f, OPEN_TX_ERR, OPEN_RX_ERR);

	assert_true(p->sess.enhanced_refresh);
	rx(f, "18 0a0000 18 0a0001 18 0a0002");
	rr(f, BMPTAP_DIR_TX, RR_V4("00"));	/* the router asks */
	rr(f, BMPTAP_DIR_RX, RR_V4("01"));
	rx(f, "18 0a0000");
	rx(f, "18 0a0002");
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 3);
	int before = f->cap.updates;
	rr(f, BMPTAP_DIR_RX, RR_V4("02"));
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 2);
	struct bgp_prefix gone = { .fam = BGP_FAM_IPV4, .len = 24, .addr = { 10, 0, 1, 0 } };
	assert_int_equal(rib_lookup(&p->rib, &gone), 0);
	assert_int_equal(f->cap.updates, before + 1);
	assert_int_equal(f->cap.rib_only, 1);	/* the withdrawal, from the RIB */
	assert_int_equal(f->cap.last_chg, 1);
	assert_int_equal(f->cap.last_eor, BGP_FAM_IPV4);	/* told: the table is whole */
	assert_int_equal(p->cnt.refresh_withdrawn, 1);
	assert_int_equal(p->cnt.refreshes, 1);
	assert_false(p->incomplete);
	/* The marks were a copy: freed with the refresh. */
	assert_false(p->rib.refreshing[BGP_FAM_IPV4]);
	assert_int_equal(p->rib.stale[BGP_FAM_IPV4].cap, 0);
}

static void test_err_regains_completeness(void **state)
{
	struct fx *f = *state;
	struct peer *p = up(f, OPEN_TX_ERR, OPEN_RX_ERR);

	rx(f, "18 0a0000");
	gap(f);
	assert_true(p->incomplete);
	assert_true(peer_refresh_would_complete(p));
	assert_int_equal(f->cap.losts, 1);
	rr(f, BMPTAP_DIR_RX, RR_V4("01"));
	rx(f, "18 0a0000");
	rr(f, BMPTAP_DIR_RX, RR_V4("02"));
	assert_true(p->incomplete);		/* IPv6 not re-sent yet */
	rr(f, BMPTAP_DIR_RX, RR_V6("01"));
	rr(f, BMPTAP_DIR_RX, RR_V6("02"));	/* an empty IPv6 table */
	assert_false(p->incomplete);
	assert_false(peer_refresh_would_complete(p));
	assert_int_equal(p->cnt.refreshes, 2);
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 1);
}

/* Routes lost in a gap during the refresh may be ones it re-sent. */
static void test_loss_during_refresh_cancels_it(void **state)
{
	struct fx *f = *state;
	struct peer *p = up(f, OPEN_TX_ERR, OPEN_RX_ERR);

	rx(f, "18 0a0000 18 0a0001");
	rr(f, BMPTAP_DIR_RX, RR_V4("01"));
	rx(f, "18 0a0000");
	gap(f);
	rr(f, BMPTAP_DIR_RX, RR_V4("02"));
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 2);
	assert_int_equal(p->cnt.refresh_withdrawn, 0);
	assert_int_equal(p->cnt.refreshes, 0);
	assert_true(p->incomplete);
}

static void test_eorr_without_borr_ignored(void **state)
{
	struct fx *f = *state;
	struct peer *p = up(f, OPEN_TX_ERR, OPEN_RX_ERR);

	rx(f, "18 0a0000");
	rr(f, BMPTAP_DIR_RX, RR_V4("02"));
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 1);
	assert_int_equal(p->cnt.refreshes, 0);
}

/* Without the capability BoRR and EoRR mean nothing to the routers. */
static void test_no_err_demarcation_ignored(void **state)
{
	struct fx *f = *state;
	struct peer *p = up(f, OPEN_TX_AS4, OPEN_RX_AS4);

	assert_false(p->sess.enhanced_refresh);
	rx(f, "18 0a0000");
	rr(f, BMPTAP_DIR_RX, RR_V4("01"));
	rr(f, BMPTAP_DIR_RX, RR_V4("02"));
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 1);
	assert_int_equal(p->cnt.refresh_withdrawn, 0);
}

/* A plain refresh the router asked for, ended by the peer's End-of-RIB. */
static void test_plain_refresh_ended_by_eor(void **state)
{
	struct fx *f = *state;
	struct peer *p = up(f, OPEN_TX_AS4, OPEN_RX_AS4);

	rx(f, "18 0a0000 18 0a0001");
	gap(f);
	rr(f, BMPTAP_DIR_TX, RR_V4("00"));
	rr(f, BMPTAP_DIR_TX, RR_V6("00"));
	rx(f, "18 0a0001");
	send_update(&f->ps, &f->rb, 7, BMPTAP_DIR_RX, "", "", "", TS0);
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 1);
	assert_int_equal(p->cnt.refresh_withdrawn, 1);
	assert_true(p->incomplete);
	send_update(&f->ps, &f->rb, 7, BMPTAP_DIR_RX, "", EOR_V6, "", TS0);
	assert_false(p->incomplete);
	assert_int_equal(p->cnt.refreshes, 2);
}

/* What the router re-sends, framed, re-syncs the Adj-RIB-Out. */
static void test_err_adj_rib_out(void **state)
{
	struct fx *f = *state;
	struct peer *p = up(f, OPEN_TX_ERR, OPEN_RX_ERR);

	send_update(&f->ps, &f->rb, 7, BMPTAP_DIR_TX, "", ORIGIN_IGP ASPATH4 NH4,
		    "18 0b0000 18 0b0001", TS0);
	rr(f, BMPTAP_DIR_RX, RR_V4("00"));	/* the peer asks */
	rr(f, BMPTAP_DIR_TX, RR_V4("01"));
	send_update(&f->ps, &f->rb, 7, BMPTAP_DIR_TX, "", ORIGIN_IGP ASPATH4 NH4, "18 0b0001", TS0);
	rr(f, BMPTAP_DIR_TX, RR_V4("02"));
	assert_int_equal(rib_count(&p->rib_out, BGP_FAM_IPV4), 1);
	assert_int_equal(p->cnt.refresh_withdrawn, 1);
	assert_int_equal(p->cnt.refreshes, 0);	/* the Adj-RIB-In's only */
}

/* The marks are charged to the peer's budget; over it, nothing is tracked. */
static void test_marks_charged_and_refused(void **state)
{
	struct fx *f = *state;
	struct peer *p = up(f, OPEN_TX_ERR, OPEN_RX_ERR);

	rx(f, "18 0a0000 18 0a0001");
	uint64_t used = p->mem->used;
	rr(f, BMPTAP_DIR_RX, RR_V4("01"));
	assert_true(p->mem->used > used);
	rx(f, "18 0a0000 18 0a0001");
	rr(f, BMPTAP_DIR_RX, RR_V4("02"));
	assert_int_equal(p->mem->used, used);
	p->mem->max = used;	/* no room for a copy of the keys */
	rr(f, BMPTAP_DIR_RX, RR_V4("01"));
	assert_int_equal(p->cnt.refresh_untracked, 1);
	assert_false(p->rib.refreshing[BGP_FAM_IPV4]);
	rr(f, BMPTAP_DIR_RX, RR_V4("02"));
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 2);
}

/* bmptapd (or the module) started after the session: the peer's soft
 * refresh gives the whole table back (operator-guide.md). */
static void test_midstream_pickup_then_refresh(void **state)
{
	struct fx *f = *state;
	struct peer *p;

	flow_start4(&f->ps, &f->rb, 7, "10.0.1.2", "10.0.1.1", BMPTAP_FLOWF_MIDSTREAM);
	send_msg(&f->ps, &f->rb, 7, BMPTAP_DIR_RX, BGP_KEEPALIVE, "", TS0);
	rr(f, BMPTAP_DIR_TX, RR_V4("00"));
	rr(f, BMPTAP_DIR_RX, RR_V4("01"));
	rx(f, "18 0a0000");
	p = peers_find(&f->ps, 7);
	assert_int_equal(p->state, PEER_ESTABLISHED);
	assert_true(p->incomplete);
	assert_int_equal(f->cap.losts, 1);
	assert_true(p->sess.enhanced_refresh);	/* its BoRR proves it */
	assert_true(p->rib.refreshing[BGP_FAM_IPV4]);
	rx(f, "18 0a0001");
	rr(f, BMPTAP_DIR_RX, RR_V4("02"));
	assert_false(p->incomplete);
	assert_int_equal(rib_count(&p->rib, BGP_FAM_IPV4), 2);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test_setup_teardown(test_err_withdraws_routes_not_resent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_err_regains_completeness, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loss_during_refresh_cancels_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eorr_without_borr_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_err_demarcation_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_refresh_ended_by_eor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_err_adj_rib_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_marks_charged_and_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_midstream_pickup_then_refresh, setup, teardown),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
