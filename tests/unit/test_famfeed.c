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
#include "filter.h"
#include "stats.h"

#define RD "0000fde8 00000064 "
/* An AS_PATH with the local AS (OPEN_TX_AS4: 65002): a loop. */
#define ASPATH_LOOP "40 02 0a 02 02 0000fde9 0000fdea "

/* n VPNv4 routes 10.x.y.0/24 (i = from..) under RD, label (hex) as given,
 * sent in direction dir. */
static void announce_vpn_dir(struct fx *f, uint32_t flow, int dir, int from, int n,
			     const char *label, const char *aspath)
{
	char nlri[200 * 40], attrs[9000];
	size_t o = 0;

	assert_true(n <= 200);
	for (int i = from; i < from + n; i++)
		o += (size_t)snprintf(nlri + o, sizeof(nlri) - o, "70 %s" RD "0a%02x%02x ", label,
				      i >> 8 & 0xff, i & 0xff);
	snprintf(attrs, sizeof(attrs), ORIGIN_IGP "%s 90 0e %04zx 0001 80 0c 0000000000000000 "
		 "0a000101 00 %s", aspath, 17 + 15 * (size_t)n, nlri);
	send_update(&f->ps, &f->rb, flow, dir, "", attrs, "", TS0);
}

static void announce_vpn(struct fx *f, uint32_t flow, int from, int n, const char *label,
			 const char *aspath)
{
	announce_vpn_dir(f, flow, BMPTAP_DIR_RX, from, n, label, aspath);
}

static void withdraw_vpn_dir(struct fx *f, uint32_t flow, int dir, int from, int n)
{
	char nlri[200 * 40], attrs[9000];
	size_t o = 0;

	for (int i = from; i < from + n; i++)
		o += (size_t)snprintf(nlri + o, sizeof(nlri) - o, "70 800000" RD "0a%02x%02x ",
				      i >> 8 & 0xff, i & 0xff);
	snprintf(attrs, sizeof(attrs), "90 0f %04zx 0001 80 %s", 3 + 15 * (size_t)n, nlri);
	send_update(&f->ps, &f->rb, flow, dir, "", attrs, "", TS0);
}

static void withdraw_vpn(struct fx *f, uint32_t flow, int from, int n)
{
	withdraw_vpn_dir(f, flow, BMPTAP_DIR_RX, from, n);
}

/* EVPN type 3 (Inclusive Multicast) routes for originators 10.0.0.1..n,
 * sent by the remote (BMPTAP_DIR_RX) or the local speaker (_TX). */
static void announce_evpn(struct fx *f, uint32_t flow, int dir, int n)
{
	char nlri[64 * 60], attrs[5000];
	size_t o = 0;

	for (int i = 1; i <= n; i++)
		o += (size_t)snprintf(nlri + o, sizeof(nlri) - o, "03 11" RD "00000000 20 0a0000%02x ",
				      i);
	snprintf(attrs, sizeof(attrs), ORIGIN_IGP ASPATH4 "90 0e %04zx 0019 46 04 0a000101 00 %s",
		 9 + 19 * (size_t)n, nlri);
	send_update(&f->ps, &f->rb, flow, dir, "", attrs, "", TS0);
}

/* The station's famrib for p holds exactly the routes of fr (p's
 * Adj-RIB-In or Adj-RIB-Out) of family only (NLRI_FAMILIES: of every
 * family): NLRI and attributes. */
static void sh_fr_equal_fam(struct fx *f, const struct peer *p, const struct famrib *fr,
			    unsigned only)
{
	struct bmp_peer h;

	peer_bmp_hdr(p, 0, &h);
	const struct famrib *sf = &f->sh.fr[sh_peer(&f->sh, h.addr) - f->sh.rib];

	for (unsigned fam = 0; fam < NLRI_FAMILIES; fam++) {
		if (only < NLRI_FAMILIES && fam != only)
			continue;
		struct famrib_entry e[256], cur;
		uint32_t n, pos = 0;
		struct fr_route **o = famrib_order(fr, fam, &n);
		size_t k;

		assert_int_equal(sf->count[fam], fr->count[fam]);
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

static void sh_fr_equal(struct fx *f, const struct peer *p, const struct famrib *fr)
{
	sh_fr_equal_fam(f, p, fr, NLRI_FAMILIES);
}

static unsigned fam_index(uint16_t afi, uint8_t safi)
{
	return nlri_family_index(nlri_family_find(afi, safi));
}

/* The station holds exactly the routes of p's famrib the post-policy
 * verdict accepts. */
static void sh_fr_post_equal(struct fx *f, struct peer *p)
{
	struct bmp_peer h;

	peer_bmp_hdr(p, 0, &h);
	const struct famrib *sf = &f->sh.fr[sh_peer(&f->sh, h.addr) - f->sh.rib];

	for (unsigned fam = 0; fam < NLRI_FAMILIES; fam++) {
		struct famrib_entry e[256], cur;
		uint32_t n, pos = 0, accepted = 0;
		struct fr_route **o = famrib_order(&p->fr, fam, &n);
		size_t k;

		while ((k = famrib_walk(o, n, &pos, e, 256))) {
			for (size_t i = 0; i < k; i++) {
				bool ok = peer_attr_verdict(&f->ps, p, e[i].attr) == POL_ACCEPT;

				accepted += ok;
				assert_int_equal(famrib_lookup(sf, &e[i], &cur), ok);
				if (ok)
					assert_memory_equal(cur.nlri.p, e[i].nlri.p, cur.nlri.len);
			}
		}
		assert_int_equal(sf->count[fam], accepted);
		free(o);
	}
}

static struct collector *add_view_collector(struct fx *f, uint32_t policy)
{
	struct bt_server_cfg cfg = { .have = BT_SRV_PORT | BT_SRV_POLICY, .port = 1,
				     .policy = policy };
	struct collector *c;

	snprintf(cfg.address, sizeof(cfg.address), "127.0.0.1");
	c = feed_add(&f->feed, &cfg);
	assert_non_null(c);
	return c;
}

/* A collector of one view connects and takes its replay: the routes of one
 * other family, its End-of-RIB last. */
static struct collector *connect_one_family(struct fx *f, uint32_t policy)
{
	struct collector *c = add_view_collector(f, policy);

	collector_start(c, -1);
	drain(f, c);
	assert_int_equal(f->sh.fr_eor, 1);
	assert_int_equal(f->sh.ev[f->sh.nev - 1], 'e');
	return c;
}

/*
 * Post-policy (L flag) of VPNv4 routes: the replay carries the accepted
 * routes and the family's End-of-RIB, not the ones whose AS_PATH holds the
 * local AS; live, a route replaced by a looping version is withdrawn and
 * one that stops looping announced.  An import prefix filter does not
 * touch them (prefix filters are unicast ones).
 */
static void test_fam_post_policy(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	announce_vpn(f, 1, 0, 5, "000641", ASPATH4);
	announce_vpn(f, 1, 5, 3, "000641", ASPATH_LOOP);
	struct peer *p = peers_find(&f->ps, 1);

	assert_int_equal(famrib_total(&p->fr), 8);
	assert_int_equal(p->cnt.loops[POL_AS_LOOP - POL_CLUSTER_LOOP], 1);
	struct collector *c = connect_one_family(f, BMPTAP_POLICY_POST);

	assert_int_equal(f->sh.flag_l, f->sh.rm + f->sh.eor + f->sh.fr_eor);
	assert_int_equal(f->sh.fr[0].count[fam_index(BGP_AFI_IPV4, BGP_SAFI_VPN)], 5);
	sh_fr_post_equal(f, p);

	/* Live: 10.0.0.0 loops now, 10.0.0.5 no longer. */
	announce_vpn(f, 1, 0, 1, "000641", ASPATH_LOOP);
	announce_vpn(f, 1, 5, 1, "000c81", ASPATH4);
	drain(f, c);
	assert_int_equal(f->sh.fr[0].count[fam_index(BGP_AFI_IPV4, BGP_SAFI_VPN)], 5);
	sh_fr_post_equal(f, p);
	/* A route rejected before and after: nothing goes out. */
	int rm = f->sh.rm;

	announce_vpn(f, 1, 6, 1, "000c81", ASPATH_LOOP);
	drain(f, c);
	assert_int_equal(f->sh.rm, rm);
	/* Withdrawn: the accepted one leaves the view. */
	withdraw_vpn(f, 1, 1, 1);
	drain(f, c);
	assert_int_equal(f->sh.rm, rm + 1);
	sh_fr_post_equal(f, p);
	assert_int_equal(f->sh.flag_l, f->sh.rm + f->sh.eor + f->sh.fr_eor);

	/* Import filters: a prefix one rejecting every IPv4 prefix leaves
	 * them; an AS-path one (65001, in every path) withdraws them all. */
	struct bt_filter_list fl = { 0 };
	static const struct {
		int argc;
		char *argv[5];
		uint32_t vpn_routes;	/* in the view after the filter is added */
	} add[] = {
		{ 4, { "prefix", "0.0.0.0/0", "le", "32" }, 4 },
		{ 2, { "as-path", "65001" }, 0 },
	};

	for (size_t i = 0; i < sizeof(add) / sizeof(add[0]); i++) {
		struct bt_filter flt;
		char err[128];

		assert_int_equal(bt_filter_parse(add[i].argc, add[i].argv, &flt, err, sizeof(err)), 0);
		assert_int_equal(bt_filter_list_add(&fl, &flt), 0);
		peers_set_filters(&f->ps, &fl);
		feed_filters_changed(&f->feed);
		drain(f, c);
		assert_int_equal(f->sh.fr[0].count[fam_index(BGP_AFI_IPV4, BGP_SAFI_VPN)],
				 add[i].vpn_routes);
		sh_fr_post_equal(f, p);
	}
	peers_set_filters(&f->ps, NULL);
	bt_filter_list_free(&fl);
}

/* A lagging post-policy collector catches up on the accepted state. */
static void test_fam_post_policy_lag(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	announce_vpn(f, 1, 0, 100, "000641", ASPATH4);
	struct collector *c = add_view_collector(f, BMPTAP_POLICY_POST);

	collector_start(c, -1);
	drain(f, c);
	struct peer *p = peers_find(&f->ps, 1);

	for (int i = 0; i < 4; i++)
		announce_vpn(f, 1, 0, 100, i & 1 ? "000641" : "000c81", ASPATH4);
	assert_true(c->lagging);
	announce_vpn(f, 1, 20, 30, "000c81", ASPATH_LOOP);	/* 20-49 rejected */
	withdraw_vpn(f, 1, 90, 10);
	drain(f, c);
	assert_true(c->st.coalesced > 0);
	assert_int_equal(f->sh.up, 1);
	assert_int_equal(f->sh.fr[0].count[fam_index(BGP_AFI_IPV4, BGP_SAFI_VPN)], 60);
	sh_fr_post_equal(f, p);
}

static void test_fam_replay_on_connect(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	announce_vpn(f, 1, 0, 150, "000641", ASPATH4);
	announce_vpn(f, 1, 150, 150, "000c81", ASPATH4);
	announce_evpn(f, 1, BMPTAP_DIR_RX, 3);
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
	sh_fr_equal(f, p, &p->fr);
	assert_int_equal(p->fr.frozen, 0);	/* the replay released the store */

	/* Live: the UPDATE as received, one message. */
	int rm = f->sh.rm;

	withdraw_vpn(f, 1, 0, 10);
	announce_vpn(f, 1, 300, 1, "000641", ASPATH4);
	drain(f, c);
	assert_int_equal(f->sh.rm, rm + 2);
	sh_fr_equal(f, p, &p->fr);
}

/* A collector behind gets the coalesced current state, not every change,
 * and the End-of-RIB owed. */
static void test_fam_lag_coalesced(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	announce_vpn(f, 1, 0, 100, "000641", ASPATH4);
	struct collector *c = add_collector(f, 1);

	collector_start(c, -1);
	drain(f, c);
	struct peer *p = peers_find(&f->ps, 1);
	int fr_eor = f->sh.fr_eor;

	/* It stops reading: changes past its 4096-octet output coalesce. */
	for (int i = 0; i < 4; i++)
		announce_vpn(f, 1, 0, 100, i & 1 ? "000641" : "000c81", ASPATH4);
	assert_true(c->lagging);
	assert_true(collector_pending(c) <= c->limit);
	withdraw_vpn(f, 1, 0, 50);
	announce_vpn(f, 1, 40, 20, "000c81", ASPATH4);	/* 40-49 back, 50-59 relabelled */
	announce_vpn(f, 1, 55, 10, "001901", ASPATH4);
	announce_evpn(f, 1, BMPTAP_DIR_RX, 2);
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "", "80 0f 03 0001 80", "", TS0);
	assert_true(c->st.coalesced > 0);
	drain(f, c);
	sh_fr_equal(f, p, &p->fr);
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
	announce_vpn(f, 1, 0, 5, "000641", ASPATH4);
	struct collector *c = add_collector(f, 1);

	collector_start(c, -1);
	drain(f, c);
	struct peer *p = peers_find(&f->ps, 1);

	announce_vpn(f, 1, 0, 2, "000641", "");
	assert_int_equal(famrib_total(&p->fr), 3);
	drain(f, c);
	sh_fr_equal(f, p, &p->fr);
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

/* A collector that selects ipv4-unicast gets none of the other families,
 * in the replay or live. */
static void test_fam_families_selection(void **state)
{
	struct fx *f = *state;
	struct bt_server_cfg cfg = { .have = BT_SRV_PORT | BT_SRV_FAMILIES, .port = 1,
				     .families = BMPTAP_FAMILY_IPV4_UNICAST };

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	announce_vpn(f, 1, 0, 5, "000641", ASPATH4);
	snprintf(cfg.address, sizeof(cfg.address), "127.0.0.1");
	struct collector *c = feed_add(&f->feed, &cfg);

	assert_non_null(c);
	collector_start(c, -1);
	drain(f, c);
	assert_int_equal(f->sh.up, 1);
	assert_int_equal(f->sh.eor, 1);		/* IPv4 unicast only */
	assert_int_equal(f->sh.fr_eor, 0);
	assert_int_equal(f->sh.rm, 0);
	announce_vpn(f, 1, 5, 1, "000641", ASPATH4);
	drain(f, c);
	assert_int_equal(f->sh.rm, 0);
}

/*
 * A collector selecting vpnv4 gets the VPNv4 routes and their End-of-RIB
 * only: not the IPv4 or EVPN ones, in the replay or live, and of an UPDATE
 * carrying both IPv4 and VPNv4 routes the VPNv4 part; its per-AFI/SAFI
 * statistics are VPNv4's.
 */
static void test_fam_selection_vpnv4(void **state)
{
	struct fx *f = *state;
	struct bt_server_cfg cfg = { .have = BT_SRV_PORT | BT_SRV_FAMILIES, .port = 1 };
	char err[256];

	assert_int_equal(bt_sel_parse(BT_SRV_FAMILIES, "families", "vpnv4", &cfg, err, sizeof(err)),
			 0);
	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4 NH4, "18 0a0000", TS0);
	announce_vpn(f, 1, 0, 5, "000641", ASPATH4);
	announce_evpn(f, 1, BMPTAP_DIR_RX, 3);
	snprintf(cfg.address, sizeof(cfg.address), "127.0.0.1");
	struct collector *c = feed_add(&f->feed, &cfg);
	struct peer *p = peers_find(&f->ps, 1);
	const unsigned vpn = fam_index(BGP_AFI_IPV4, BGP_SAFI_VPN);

	assert_non_null(c);
	collector_start(c, -1);
	drain(f, c);
	assert_int_equal(f->sh.up, 1);
	assert_int_equal(f->sh.eor, 0);		/* no unicast End-of-RIB */
	assert_int_equal(f->sh.fr_eor, 1);	/* VPNv4's, not EVPN's */
	assert_int_equal(f->sh.ev[f->sh.nev - 1], 'e');
	assert_int_equal(rib_count(&f->sh.rib[0], BGP_FAM_IPV4), 0);
	assert_int_equal(f->sh.fr[0].count[vpn], 5);
	assert_int_equal(famrib_total(&f->sh.fr[0]), 5);

	/* Live: EVPN and IPv4 not taken, VPNv4 as received, a mixed UPDATE
	 * re-encoded with its VPNv4 part only. */
	int rm = f->sh.rm;

	announce_evpn(f, 1, BMPTAP_DIR_RX, 4);
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4 NH4, "18 0a0001", TS0);
	drain(f, c);
	assert_int_equal(f->sh.rm, rm);
	announce_vpn(f, 1, 5, 1, "000641", ASPATH4);
	drain(f, c);
	assert_int_equal(f->sh.rm, rm + 1);
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4 NH4
		    "90 0e 0020 0001 80 0c 0000000000000000 0a000101 00 70 000641" RD "0a0107",
		    "18 0a0002", TS0);
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_RX, "", "80 0f 03 0001 80", "", TS0);
	drain(f, c);
	assert_int_equal(rib_count(&f->sh.rib[0], BGP_FAM_IPV4), 0);
	assert_int_equal(f->sh.fr[0].count[vpn], 7);
	assert_int_equal(famrib_total(&f->sh.fr[0]), 7);
	assert_int_equal(f->sh.fr_eor, 2);
	sh_fr_equal_fam(f, p, &p->fr, vpn);

	/* Statistics: per-AFI/SAFI ones of VPNv4 only. */
	struct bmp_stat st[PEER_STATS_MAX];
	size_t n = sel_stats(&cfg, st, peer_stats(p, false, st, PEER_STATS_MAX)), n_af = 0;

	for (size_t i = 0; i < n; i++) {
		if (!st[i].afi)
			continue;
		n_af++;
		assert_int_equal(st[i].afi, BGP_AFI_IPV4);
		assert_int_equal(st[i].safi, BGP_SAFI_VPN);
		if (st[i].type == BMP_STAT_ADJ_RIB_IN_AF)
			assert_int_equal(st[i].value, 7);
	}
	assert_int_equal(n_af, 2);	/* types 9 and 19 */
}

/* EVPN routes the local speaker sent: a collector taking adj-rib-out gets
 * them replayed on connect (O flag), with the End-of-RIB of EVPN. */
static void test_fam_adj_out_replay(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	announce_evpn(f, 1, BMPTAP_DIR_TX, 5);
	announce_evpn(f, 1, BMPTAP_DIR_RX, 2);	/* Adj-RIB-In: not this view's */
	struct peer *p = peers_find(&f->ps, 1);

	assert_int_equal(famrib_total(&p->fr_out), 5);
	struct collector *c = connect_one_family(f, BMPTAP_POLICY_ADJ_OUT);

	assert_int_equal(f->sh.flag_o, f->sh.rm + f->sh.eor + f->sh.fr_eor);
	sh_fr_equal(f, p, &p->fr_out);
	assert_int_equal(p->fr_out.frozen, 0);

	/* Live: the UPDATE as sent. */
	int rm = f->sh.rm;

	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_TX, "",
		    "90 0f 0016 0019 46 03 11" RD "00000000 20 0a000002", "", TS0);
	drain(f, c);
	assert_int_equal(f->sh.rm, rm + 1);
	assert_int_equal(famrib_total(&p->fr_out), 4);
	sh_fr_equal(f, p, &p->fr_out);
}

/* A lagging adj-rib-out collector catches up on the Adj-RIB-Out's state
 * of VPNv4 routes, with the End-of-RIB owed. */
static void test_fam_adj_out_lag(void **state)
{
	struct fx *f = *state;

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	struct collector *c = add_view_collector(f, BMPTAP_POLICY_ADJ_OUT);

	collector_start(c, -1);
	drain(f, c);
	struct peer *p = peers_find(&f->ps, 1);

	for (int i = 0; i < 4; i++)
		announce_vpn_dir(f, 1, BMPTAP_DIR_TX, 0, 100, i & 1 ? "000641" : "000c81",
				 ASPATH4);
	assert_true(c->lagging);
	withdraw_vpn_dir(f, 1, BMPTAP_DIR_TX, 0, 30);
	send_update(&f->ps, &f->rb, 1, BMPTAP_DIR_TX, "", "80 0f 03 0001 80", "", TS0);
	drain(f, c);
	assert_true(c->st.coalesced > 0);
	assert_int_equal(f->sh.up, 1);
	assert_int_equal(famrib_total(&p->fr_out), 70);
	assert_int_equal(f->sh.fr_eor, 1);
	sh_fr_equal(f, p, &p->fr_out);
}

/* ---- the Loc-RIB instance (famloc.h) ----------------------------------- */

#define LP200 "40 05 04 000000c8 "
/* 65001 65003: one AS longer than ASPATH4, no loop. */
#define ASPATH_LONG "40 02 0a 02 02 0000fde9 0000fdeb "

/* The station's Loc-RIB route 10.0.i.0/24 under RD: the NLRI with label
 * (hex) as the peer that won sent it; label NULL: none. */
static void sh_loc_route(struct fx *f, int i, const char *label)
{
	const struct peer *lr = f->ps.locrib;
	struct bmp_peer h;
	char hex[80];
	uint8_t nlri[40];
	struct famrib_entry cur;

	peer_bmp_hdr(lr, 0, &h);
	const struct famrib *sf = &f->sh.fr[sh_peer(&f->sh, h.addr) - f->sh.rib];

	snprintf(hex, sizeof(hex), "70 %s" RD "0a00%02x", label ? label : "800000", i);
	struct famrib_entry e = { fam_index(BGP_AFI_IPV4, BGP_SAFI_VPN), 0, 0,
				  { nlri, hx(nlri, hex) } };

	assert_int_equal(famrib_lookup(sf, &e, &cur), label != NULL);
	if (label) {
		assert_int_equal(cur.nlri.len, e.nlri.len);
		assert_memory_equal(cur.nlri.p, nlri, e.nlri.len);
	}
}

/*
 * Two peers' VPNv4 routes: the Loc-RIB holds the better one per RD and
 * prefix (LOCAL_PREF, then AS_PATH length, then the lower peer address),
 * with its label; replayed with each family's End-of-RIB; live, a withdrawn
 * or looping best falls back to the other peer's, and a peer going down
 * takes its routes out of the decision.
 */
static void test_fam_locrib_decision(void **state)
{
	struct fx *f = *state;
	const unsigned evpn = fam_index(BGP_AFI_L2VPN, BGP_SAFI_EVPN);

	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	establish(&f->ps, &f->rb, 2, "10.0.1.2");
	announce_vpn(f, 1, 0, 3, "000641", ASPATH4);
	announce_vpn(f, 1, 3, 1, "000641", ASPATH_LONG);
	announce_vpn(f, 2, 0, 2, "000c81", ASPATH4 LP200);
	announce_vpn(f, 2, 2, 2, "001901", ASPATH4);
	announce_evpn(f, 1, BMPTAP_DIR_RX, 2);
	struct peer *lr = f->ps.locrib;

	assert_non_null(lr);
	assert_int_equal(famrib_total(&lr->fr), 6);
	struct collector *c = add_view_collector(f, BMPTAP_POLICY_LOCAL_RIB);

	collector_start(c, -1);
	drain(f, c);
	assert_int_equal(f->sh.fr_eor, 2);		/* VPNv4 and EVPN */
	assert_int_equal(f->sh.eor, 2);			/* IPv4 and IPv6 unicast */
	sh_fr_equal(f, lr, &lr->fr);
	sh_loc_route(f, 0, "000c81");			/* LOCAL_PREF 200 */
	sh_loc_route(f, 1, "000c81");
	sh_loc_route(f, 2, "000641");			/* 10.0.1.1 < 10.0.1.2 */
	sh_loc_route(f, 3, "001901");			/* the shorter AS_PATH */
	assert_int_equal(lr->fr.count[evpn], 2);	/* one peer's EVPN routes */
	uint32_t total = 0;

	for (int i = 0; i < f->sh.n; i++)
		total += famrib_total(&f->sh.fr[i]);
	assert_int_equal(total, 6);			/* no peer's view was taken */
	assert_int_equal(lr->fr.frozen, 0);

	/* Live: the best withdrawn, the other peer's announced instead. */
	int rm = f->sh.rm;

	withdraw_vpn(f, 2, 0, 1);
	drain(f, c);
	assert_int_equal(f->sh.rm, rm + 1);
	sh_loc_route(f, 0, "000641");
	/* Peer 1's route 2 now loops (post-policy rejects it): peer 2's. */
	announce_vpn(f, 1, 2, 1, "000641", ASPATH_LOOP);
	drain(f, c);
	sh_loc_route(f, 2, "001901");
	/* An UPDATE that changes no best route sends nothing. */
	rm = f->sh.rm;
	announce_vpn(f, 1, 1, 1, "003201", ASPATH4);
	drain(f, c);
	assert_int_equal(f->sh.rm, rm);
	sh_fr_equal(f, lr, &lr->fr);

	/* Peer 2 goes: its routes fall back to peer 1's, route 2 has none. */
	end_flow(&f->ps, &f->rb, 2, BMPTAP_END_RST_REMOTE);
	drain(f, c);
	sh_loc_route(f, 1, "003201");
	sh_loc_route(f, 2, NULL);
	sh_loc_route(f, 3, "000641");
	assert_int_equal(famrib_total(&lr->fr), 5);
	sh_fr_equal(f, lr, &lr->fr);

	/* Statistics 8 and 10 count them: 3 VPNv4, 2 EVPN routes. */
	struct bmp_stat st[PEER_STATS_MAX];
	size_t n = peer_stats(lr, false, st, PEER_STATS_MAX), n_af = 0;

	for (size_t i = 0; i < n; i++) {
		if (st[i].type == BMP_STAT_LOC_RIB)
			assert_int_equal(st[i].value, 5);
		if (st[i].type != BMP_STAT_LOC_RIB_AF || st[i].safi == BGP_SAFI_UNICAST)
			continue;
		n_af++;
		assert_int_equal(st[i].value, st[i].safi == BGP_SAFI_VPN ? 3 : 2);
	}
	assert_int_equal(n_af, 2);

	/* An import filter on AS 65003 takes route 3 out; lifted, it is back. */
	struct bt_filter_list fl = { 0 };
	struct bt_filter flt;
	char err[128];
	char *argv[] = { "as-path", "65003" };

	assert_int_equal(bt_filter_parse(2, argv, &flt, err, sizeof(err)), 0);
	assert_int_equal(bt_filter_list_add(&fl, &flt), 0);
	peers_set_filters(&f->ps, &fl);
	drain(f, c);
	sh_loc_route(f, 3, NULL);
	assert_int_equal(famrib_total(&lr->fr), 4);
	peers_set_filters(&f->ps, NULL);
	bt_filter_list_free(&fl);
	drain(f, c);
	sh_loc_route(f, 3, "000641");
	sh_fr_equal(f, lr, &lr->fr);
}

/*
 * A Loc-RIB collector with the selection "vpnv4" gets VPNv4 routes and
 * End-of-RIB only; while it lags, the Loc-RIB's changes coalesce to their
 * current state.
 */
static void test_fam_locrib_selection_lag(void **state)
{
	struct fx *f = *state;
	struct bt_server_cfg cfg = { .have = BT_SRV_PORT | BT_SRV_POLICY | BT_SRV_FAMILIES,
				     .port = 1, .policy = BMPTAP_POLICY_LOCAL_RIB };
	const unsigned vpn = fam_index(BGP_AFI_IPV4, BGP_SAFI_VPN);
	char err[256];

	assert_int_equal(bt_sel_parse(BT_SRV_FAMILIES, "families", "vpnv4", &cfg, err, sizeof(err)),
			 0);
	establish(&f->ps, &f->rb, 1, "10.0.1.1");
	establish(&f->ps, &f->rb, 2, "10.0.1.2");
	announce_vpn(f, 1, 0, 100, "000641", ASPATH4);
	announce_evpn(f, 2, BMPTAP_DIR_RX, 3);
	snprintf(cfg.address, sizeof(cfg.address), "127.0.0.1");
	struct collector *c = feed_add(&f->feed, &cfg);
	struct peer *lr = f->ps.locrib;

	assert_non_null(c);
	collector_start(c, -1);
	drain(f, c);
	assert_int_equal(f->sh.eor, 0);
	assert_int_equal(f->sh.fr_eor, 1);		/* VPNv4's, not EVPN's */
	assert_int_equal(famrib_total(&lr->fr), 103);
	sh_fr_equal_fam(f, lr, &lr->fr, vpn);

	/* It stops reading: peer 2's better routes and back, coalesced. */
	for (int i = 0; i < 4; i++)
		announce_vpn(f, 2, 0, 100, "000c81", i & 1 ? ASPATH4 : ASPATH4 LP200);
	assert_true(c->lagging);
	withdraw_vpn(f, 1, 0, 50);
	announce_evpn(f, 1, BMPTAP_DIR_RX, 4);
	assert_true(c->st.coalesced > 0);
	drain(f, c);
	assert_false(c->lagging);
	sh_fr_equal_fam(f, lr, &lr->fr, vpn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fam_replay_on_connect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fam_lag_coalesced, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_fam_errors_as_outcome, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fam_live_only_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fam_families_selection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fam_post_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fam_post_policy_lag, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_fam_selection_vpnv4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fam_adj_out_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fam_adj_out_lag, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_fam_locrib_decision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fam_locrib_selection_lag, setup_small, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
