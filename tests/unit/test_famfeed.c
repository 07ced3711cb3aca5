/*
 * A collector's view of the other families (famfeed.h, issue 17 item 1):
 * replay on connect with each carried family's End-of-RIB, coalesced
 * catch-up after a lag, an UPDATE with RFC 7606 errors as the RIB's
 * outcome, and live-only families reported as "messages lost".  The BMP
 * stream is decoded into the station's shadow famrib and compared with the
 * peer's.
 */
#include "collector_testutil.h"

#include "famrib.h"

#define RD "0000fde8 00000064 "

/* n VPNv4 routes 10.x.y.0/24 (i = from..) under RD, label (hex) as given. */
static void announce_vpn(struct fx *f, uint32_t flow, int from, int n, const char *label,
			 bool with_aspath)
{
	char nlri[200 * 40], attrs[9000];
	size_t o = 0;

	assert_true(n <= 200);
	for (int i = from; i < from + n; i++)
		o += (size_t)snprintf(nlri + o, sizeof(nlri) - o, "70 %s" RD "0a%02x%02x ", label,
				      i >> 8 & 0xff, i & 0xff);
	snprintf(attrs, sizeof(attrs), ORIGIN_IGP "%s 90 0e %04zx 0001 80 0c 0000000000000000 "
		 "0a000101 00 %s", with_aspath ? ASPATH4 : "", 17 + 15 * (size_t)n, nlri);
	send_update(&f->ps, &f->rb, flow, BMPTAP_DIR_RX, "", attrs, "", TS0);
}

static void withdraw_vpn(struct fx *f, uint32_t flow, int from, int n)
{
	char nlri[200 * 40], attrs[9000];
	size_t o = 0;

	for (int i = from; i < from + n; i++)
		o += (size_t)snprintf(nlri + o, sizeof(nlri) - o, "70 800000" RD "0a%02x%02x ",
				      i >> 8 & 0xff, i & 0xff);
	snprintf(attrs, sizeof(attrs), "90 0f %04zx 0001 80 %s", 3 + 15 * (size_t)n, nlri);
	send_update(&f->ps, &f->rb, flow, BMPTAP_DIR_RX, "", attrs, "", TS0);
}

/* EVPN type 3 (Inclusive Multicast) routes for originators 10.0.0.1..n. */
static void announce_evpn(struct fx *f, uint32_t flow, int n)
{
	char nlri[64 * 60], attrs[5000];
	size_t o = 0;

	for (int i = 1; i <= n; i++)
		o += (size_t)snprintf(nlri + o, sizeof(nlri) - o, "03 11" RD "00000000 20 0a0000%02x ",
				      i);
	snprintf(attrs, sizeof(attrs), ORIGIN_IGP ASPATH4 "90 0e %04zx 0019 46 04 0a000101 00 %s",
		 9 + 19 * (size_t)n, nlri);
	send_update(&f->ps, &f->rb, flow, BMPTAP_DIR_RX, "", attrs, "", TS0);
}

/* The station's famrib for p holds exactly p's routes: NLRI and attributes. */
static void sh_fr_equal(struct fx *f, const struct peer *p)
{
	struct bmp_peer h;

	peer_bmp_hdr(p, 0, &h);
	const struct famrib *sf = &f->sh.fr[sh_peer(&f->sh, h.addr) - f->sh.rib];

	for (unsigned fam = 0; fam < NLRI_FAMILIES; fam++) {
		struct famrib_entry e[256], cur;
		uint32_t n, pos = 0;
		struct fr_route **o = famrib_order(&p->fr, fam, &n);
		size_t k;

		assert_int_equal(sf->count[fam], p->fr.count[fam]);
		while ((k = famrib_walk(o, n, &pos, e, 256))) {
			for (size_t i = 0; i < k; i++) {
				assert_true(famrib_lookup(sf, &e[i], &cur));
				assert_int_equal(cur.nlri.len, e[i].nlri.len);
				assert_memory_equal(cur.nlri.p, e[i].nlri.p, cur.nlri.len);
				const struct attr_set *a = attr_get(&f->ps.attrs, e[i].attr);
				const struct attr_set *b = attr_get(&f->sh.at, cur.attr);

				assert_int_equal(a->len, b->len);
				assert_memory_equal(a->data, b->data, a->len);
			}
		}
		free(o);
	}
}

static void test_fam_replay_on_connect(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	announce_vpn(f, 1, 0, 150, "000641", true);
	announce_vpn(f, 1, 150, 150, "000c81", true);
	announce_evpn(f, 1, 3);
	struct peer *p = peers_find(&f->ps, 1);

	assert_int_equal(famrib_total(&p->fr), 303);
	struct collector *c = add_collector(f, 1);

	collector_start(c, -1);
	drain(f, c);
	assert_int_equal(f->sh.up, 1);
	assert_int_equal(f->sh.eor, 2);		/* IPv4 and IPv6 unicast */
	assert_int_equal(f->sh.fr_eor, 2);	/* VPNv4 and EVPN, each after its routes */
	assert_int_equal(f->sh.ev[f->sh.nev - 1], 'e');
	assert_true(f->sh.rm <= 4);		/* packed by set: 2 VPN sets, 1 EVPN */
	assert_int_equal(f->sh.lost, 0);
	sh_fr_equal(f, p);
	assert_int_equal(p->fr.frozen, 0);	/* the replay released the store */

	/* Live: the UPDATE as received, one message. */
	int rm = f->sh.rm;

	withdraw_vpn(f, 1, 0, 10);
	announce_vpn(f, 1, 300, 1, "000641", true);
	drain(f, c);
	assert_int_equal(f->sh.rm, rm + 2);
	sh_fr_equal(f, p);
}

/* A collector behind gets the coalesced current state, not every change,
 * and the End-of-RIB owed. */
static void test_fam_lag_coalesced(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	announce_vpn(f, 1, 0, 100, "000641", true);
	struct collector *c = add_collector(f, 1);

	collector_start(c, -1);
	drain(f, c);
	struct peer *p = peers_find(&f->ps, 1);
	int fr_eor = f->sh.fr_eor;

	/* It stops reading: changes past its 4096-octet output coalesce. */
	for (int i = 0; i < 4; i++)
		announce_vpn(f, 1, 0, 100, i & 1 ? "000641" : "000c81", true);
	assert_true(c->lagging);
	assert_true(collector_pending(c) <= c->limit);
	withdraw_vpn(f, 1, 0, 50);
	announce_vpn(f, 1, 40, 20, "000c81", true);	/* 40-49 back, 50-59 relabelled */
	announce_vpn(f, 1, 55, 10, "001901", true);
	announce_evpn(f, 1, 2);
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "", "80 0f 03 0001 80", "", TS0);
	assert_true(c->st.coalesced > 0);
	drain(f, c);
	sh_fr_equal(f, p);
	assert_int_equal(famrib_total(&p->fr), 62);
	assert_int_equal(f->sh.up, 1);		/* caught up, not resynchronised */
	assert_int_equal(c->st.dirty_overflows, 0);
	assert_int_equal(f->sh.fr_eor, fr_eor + 1);	/* the VPNv4 End-of-RIB owed */
}

/* Treat-as-withdraw (no AS_PATH): the collector gets the withdrawal the
 * RIB applied, not the UPDATE that would announce. */
static void test_fam_errors_as_outcome(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	announce_vpn(f, 1, 0, 5, "000641", true);
	struct collector *c = add_collector(f, 1);

	collector_start(c, -1);
	drain(f, c);
	struct peer *p = peers_find(&f->ps, 1);

	announce_vpn(f, 1, 0, 2, "000641", false);
	assert_int_equal(famrib_total(&p->fr), 3);
	drain(f, c);
	sh_fr_equal(f, p);
}

/* A family bmptapd cannot split is passed on live, and a collector that
 * connects later is told its feed misses something. */
static void test_fam_live_only_lost(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "",
		    ORIGIN_IGP ASPATH4 "90 0e 000d 0001 03 04 0a000101 00 18 0a0101", "", TS0);
	struct collector *c = add_collector(f, 1);

	collector_start(c, -1);
	drain(f, c);
	assert_int_equal(f->sh.lost, 1);
	assert_int_equal(f->sh.ev[f->sh.nev - 1], 'L');
	/* Live: passed on as received. */
	int rm = f->sh.rm;

	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "",
		    ORIGIN_IGP ASPATH4 "90 0e 000d 0001 03 04 0a000101 00 18 0a0102", "", TS0);
	drain(f, c);
	assert_int_equal(f->sh.rm, rm + 1);
}

/* A collector that selects families names unicast ones only: it gets
 * none of the others, in the replay or live. */
static void test_fam_families_selection(void **state)
{
	struct fx *f = *state;
	struct bt_server_cfg cfg = { .have = BT_SRV_PORT | BT_SRV_FAMILIES, .port = 1,
				     .families = BMPTAP_FAMILY_IPV4_UNICAST };

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	announce_vpn(f, 1, 0, 5, "000641", true);
	snprintf(cfg.address, sizeof(cfg.address), "127.0.0.1");
	struct collector *c = feed_add(&f->feed, &cfg);

	assert_non_null(c);
	collector_start(c, -1);
	drain(f, c);
	assert_int_equal(f->sh.up, 1);
	assert_int_equal(f->sh.eor, 1);		/* IPv4 unicast only */
	assert_int_equal(f->sh.fr_eor, 0);
	assert_int_equal(f->sh.rm, 0);
	announce_vpn(f, 1, 5, 1, "000641", true);
	drain(f, c);
	assert_int_equal(f->sh.rm, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fam_replay_on_connect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fam_lag_coalesced, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_fam_errors_as_outcome, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fam_live_only_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fam_families_selection, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
