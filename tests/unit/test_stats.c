// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics Reports (stats.h): what peer_stats() derives from a session's
 * UPDATEs and the import filters, and the exact bytes of the report, for the
 * RFC 9972 types (22, 23 per AFI/SAFI) next to the RFC 7854 ones.
 */
#include "peer_testutil.h"

#include "bmp.h"
#include "filter.h"
#include "stats.h"

/* IPv6 unicast MP_REACH_NLRI, next hop fd00:1::1, 2001:db8::/48 and
 * 2001:db8:1::/48. */
#define MP6 "80 0e 23 0002 01 10 fd000001000000000000000000000001 00" \
	" 30 20010db80000 30 20010db80001 "
/* An AS_PATH with the local AS (65002): a loop, not a filter rejection. */
#define ASPATH_LOOP "40 02 0a 02 02 0000fde9 0000fdea "

static void add_filter(struct bt_filter_list *fl, int argc, char *argv[])
{
	struct bt_filter f = { 0 };
	char err[160];

	assert_int_equal(bt_filter_parse(argc, argv, &f, err, sizeof(err)), 0);
	bt_filter_list_add(fl, &f);
}

/* The report of p (no Adj-RIB-Out) after its 48-byte headers, in b. */
static void report(const struct peer *p, struct buf *b)
{
	struct bmp_stat st[PEER_STATS_MAX];
	struct bmp_peer h = { 0 };

	buf_reset(b);
	bmp_statistics(b, &h, st, peer_stats(p, false, st, PEER_STATS_MAX));
	assert_true(b->len > 48);
}

static void test_rfc9972_derived(void **state)
{
	struct peers ps;
	struct peer_sink sink = { 0 };
	struct recb rb;
	struct bt_filter_list fl = { 0 };
	struct buf b;
	char *f4[] = { "prefix", "10.1.0.0/16", "le", "32" };
	char *f6[] = { "prefix", "2001:db8:1::/48" };

	(void)state;
	buf_init(&b);
	assert_int_equal(peers_init(&ps, &(struct peers_cfg){ .sink = sink }, NULL), 0);
	add_filter(&fl, 4, f4);
	add_filter(&fl, 2, f6);
	peers_set_filters(&ps, &fl);
	establish(&ps, &rb, 1, "10.0.1.1");
	/* IPv4: 10.0/24 and 10.2/24 accepted, 10.1/24 filtered, 10.3/24 looped. */
	send_update(&ps, &rb, 1, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4 NH4,
		    "18 0a0000 18 0a0100 18 0a0200", TS0);
	send_update(&ps, &rb, 1, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH_LOOP NH4, "18 0a0300", TS0);
	/* IPv6: 2001:db8::/48 accepted, 2001:db8:1::/48 filtered. */
	send_update(&ps, &rb, 1, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4 MP6, "", TS0);
	struct peer *p = peers_find(&ps, 1);
	assert_non_null(p);

	report(p, &b);
	assert_hex(b.data + 48, b.len - 48, "00000017"
		   " 0000 0004 00000002"		/* 0: rejected announcements */
		   " 0001 0004 00000000 0002 0004 00000000 0003 0004 00000000"
		   " 0004 0004 00000001"		/* 4: AS_PATH loop */
		   " 0005 0004 00000000 0006 0004 00000000"
		   " 0007 0008 0000000000000006"
		   " 0009 000b 0001 01 0000000000000004 0009 000b 0002 01 0000000000000002"
		   " 000b 0004 00000000 000c 0004 00000000 000d 0004 00000000"
		   " 0012 0008 0000000000000006"
		   " 0013 000b 0001 01 0000000000000004 0013 000b 0002 01 0000000000000002"
		   " 0014 0008 0000000000000003"
		   " 0015 000b 0001 01 0000000000000002 0015 000b 0002 01 0000000000000001"
		   /* 22: filtered, not looped; 23: what the post-policy view has. */
		   " 0016 000b 0001 01 0000000000000001 0016 000b 0002 01 0000000000000001"
		   " 0017 000b 0001 01 0000000000000002 0017 000b 0002 01 0000000000000001");

	/* The peer withdraws its filtered IPv4 route: 22 IPv4 drops to 0. */
	send_update(&ps, &rb, 1, BMPTAP_DIR_RX, "18 0a0100", "", "", TS0);
	report(p, &b);
	assert_hex(b.data + b.len - 4 * 15, 4 * 15,
		   "0016 000b 0001 01 0000000000000000 0016 000b 0002 01 0000000000000001"
		   " 0017 000b 0001 01 0000000000000002 0017 000b 0002 01 0000000000000001");

	/* No filters any more: the IPv6 route moves from 22 to 23; the loop
	 * stays out of both. */
	fl.n = 0;
	peers_set_filters(&ps, &fl);
	report(p, &b);
	assert_hex(b.data + b.len - 4 * 15, 4 * 15,
		   "0016 000b 0001 01 0000000000000000 0016 000b 0002 01 0000000000000000"
		   " 0017 000b 0001 01 0000000000000002 0017 000b 0002 01 0000000000000002");

	/* Session down: nothing left to count. */
	end_flow(&ps, &rb, 1, 0);
	report(p, &b);
	assert_hex(b.data + b.len - 4 * 15, 4 * 15,
		   "0016 000b 0001 01 0000000000000000 0016 000b 0002 01 0000000000000000"
		   " 0017 000b 0001 01 0000000000000000 0017 000b 0002 01 0000000000000000");

	peers_free(&ps);
	bt_filter_list_free(&fl);
	buf_free(&b);
}

/* VPNv4 10.1.1.0/24 under RD 0:65000:100. */
#define VPN4 "90 0e 0020 0001 80 0c 0000000000000000 0a000101 00 70 000641 0000fde800000064 0a0101"

/* Issue 17: the other families' routes (famrib.h) are in types 7 and 18,
 * and in 9 and 19 per AFI/SAFI once the session carried the family; a
 * repeated route counts as a duplicate (type 1), their NLRI in a
 * treat-as-withdraw UPDATE in type 12. */
static void test_other_families(void **state)
{
	struct peers ps;
	struct peer_sink sink = { 0 };
	struct recb rb;
	struct buf b;
	uint8_t want[64];

	(void)state;
	buf_init(&b);
	assert_int_equal(peers_init(&ps, &(struct peers_cfg){ .sink = sink }, NULL), 0);
	establish(&ps, &rb, 1, "10.0.1.1");
	send_update(&ps, &rb, 1, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4 NH4, "18 0a0000", TS0);
	send_update(&ps, &rb, 1, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4 VPN4, "", TS0);
	send_update(&ps, &rb, 1, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4 VPN4, "", TS0);
	/* EVPN: its End-of-RIB only, 0 routes. */
	send_update(&ps, &rb, 1, BMPTAP_DIR_RX, "", "80 0f 03 0019 46", "", TS0);
	struct peer *p = peers_find(&ps, 1);

	report(p, &b);
	assert_non_null(memmem(b.data, b.len, want, hx(want, "0001 0004 00000001")));
	assert_non_null(memmem(b.data, b.len, want, hx(want, "0007 0008 0000000000000002")));
	assert_non_null(memmem(b.data, b.len, want, hx(want,
		"0009 000b 0002 01 0000000000000000"
		" 0009 000b 0001 80 0000000000000001 0009 000b 0019 46 0000000000000000"
		" 000b 0004")));
	assert_non_null(memmem(b.data, b.len, want, hx(want, "0012 0008 0000000000000002")));
	assert_non_null(memmem(b.data, b.len, want, hx(want,
		"0013 000b 0002 01 0000000000000000"
		" 0013 000b 0001 80 0000000000000001 0013 000b 0019 46 0000000000000000"
		" 0014 0008 0000000000000001")));
	/* Treat-as-withdraw (no AS_PATH) of two VPNv4 routes: 11 and 12. */
	send_update(&ps, &rb, 1, BMPTAP_DIR_RX, "", ORIGIN_IGP
		    "90 0e 002f 0001 80 0c 0000000000000000 0a000101 00 70 000641 0000fde800000064"
		    " 0a0101 70 000641 0000fde800000064 0a0102", "", TS0);
	report(p, &b);
	assert_non_null(memmem(b.data, b.len, want, hx(want,
		"000b 0004 00000001 000c 0004 00000002")));
	assert_non_null(memmem(b.data, b.len, want, hx(want, "0009 000b 0001 80 0000000000000000")));
	/* Post-policy has no other family yet: 20 counts the IPv4 route. */
	end_flow(&ps, &rb, 1, 0);
	report(p, &b);
	assert_null(memmem(b.data, b.len, want, hx(want, "0009 000b 0001 80")));
	peers_free(&ps);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc9972_derived),
		cmocka_unit_test(test_other_families),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
