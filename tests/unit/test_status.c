// SPDX-License-Identifier: GPL-2.0
/*
 * bmptapd's status as the control socket serves it (status.c), rendered
 * from a real feed of 1000 collectors, and bmptapctl's views of it.
 */
#include "peer_testutil.h"

#include <stdio.h>
#include <stdlib.h>

#include "collector.h"
#include "jsonr.h"
#include "peer.h"
#include "ctlsrv.h"
#include "status.h"
#include "statusview.h"

struct fx {
	struct feed feed;
	struct peers ps;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_int_equal(feed_init(&f->feed, NULL, NULL, &f->ps, &(struct feed_cfg){ .limit = 8u << 20 }), 0);
	struct peer_sink s = feed_sink(&f->feed);
	assert_int_equal(peers_init(&f->ps, &(struct peers_cfg){ .sink = s }, NULL), 0);
	for (unsigned i = 0; i < 1000; i++) {
		struct bt_server_cfg cfg = { .have = BT_SRV_PORT, .port = (uint16_t)(20000 + i) };

		snprintf(cfg.address, sizeof(cfg.address), "192.0.2.%u", i % 250);
		assert_non_null(feed_add(&f->feed, &cfg));
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	feed_free(&f->feed);
	peers_free(&f->ps);
	free(f);
	return 0;
}

/* bmptapd's status has no size cap (the kernel's 64 KiB blob is gone):
 * 1000 collectors are all there, and bmptapctl lists every one. */
static void test_status_1000_servers(void **state)
{
	struct fx *f = *state;
	struct status_src src = { .feed = &f->feed, .peers = &f->ps };
	struct bt_jr r;
	size_t len, outlen, rows = 0;
	char *s = NULL, *out = NULL;
	FILE *m = open_memstream(&s, &len), *o, *e;

	status_render(&src, CTL_SHOW_ALL, m);
	fclose(m);
	assert_true(len > 65536);
	assert_int_equal(bt_jr_parse(&r, s, len), 0);
	assert_int_equal(bt_jr_len(&r, bt_jr_get(&r, 0, "servers")), 1000);
	assert_int_equal(bt_jr_get_u64(&r, 0, "server_count", 0), 1000);
	assert_int_equal(bt_jr_type(&r, bt_jr_get(&r, 0, "peers")), BT_JR_ARRAY);
	bt_jr_free(&r);

	o = open_memstream(&out, &outlen);
	e = fopen("/dev/null", "w");
	bt_view_servers(o, e, NULL, 0, s, len, false);
	fclose(o);
	fclose(e);
	for (const char *l = out; (l = strstr(l, "\n192.0.2.")); l++)
		rows++;
	assert_int_equal(rows, 1000);
	free(out);
	free(s);
}

/* The parts a show request asks for, and only those. */
static void test_status_parts(void **state)
{
	struct fx *f = *state;
	struct status_src src = { .feed = &f->feed, .peers = &f->ps };
	char *s = NULL;
	size_t len;
	FILE *m = open_memstream(&s, &len);

	status_render(&src, CTL_SHOW_PEERS, m);
	fclose(m);
	assert_null(strstr(s, "\"servers\""));
	assert_non_null(strstr(s, "\"peers\":[]"));
	assert_non_null(strstr(s, "\"peer_count\":0"));
	free(s);
}

/* show peers says why a peer is incomplete: memory budget, encoding. */
static void test_view_peers_budget(void **state)
{
	static const char blob[] = "{\"peers\": [{\"remote_address\": \"10.0.1.1\", "
		"\"state\": \"established\", \"incomplete\": true, \"memory_refused\": 58687, "
		"\"encode_failures\": 2}, {\"remote_address\": \"10.0.1.3\", "
		"\"incomplete\": false, \"memory_refused\": 0, \"encode_failures\": 0}], "
		"\"peer_count\": 2}";
	char *out = NULL;
	size_t outlen = 0;
	FILE *o = open_memstream(&out, &outlen), *e = fopen("/dev/null", "w");

	(void)state;
	bt_view_peers(o, e, blob, sizeof(blob) - 1, false);
	fclose(o);
	fclose(e);
	assert_non_null(strstr(out, "incomplete: memory budget reached, 58687 routes not stored\n"));
	assert_non_null(strstr(out, "incomplete: 2 routes too large to encode for a collector "
			       "(withdrawn there)\n"));
	/* Once each: nothing for the complete peer. */
	assert_null(strstr(strstr(out, "58687") + 1, "memory budget"));
	assert_null(strstr(strstr(out, "(withdrawn there)") + 1, "too large"));
	free(out);
}

/* Issue 17: routes of the other families by the family's name, and the
 * families passed on but not kept ("live only"), in the status and in
 * `show peers`. */
static void test_status_other_families(void **state)
{
	struct fx *f = *state;
	struct status_src src = { .feed = &f->feed, .peers = &f->ps };
	struct recb rb;
	struct bt_jr r;
	char *s = NULL, *out = NULL;
	size_t len, outlen;
	FILE *m, *o, *e;

	establish(&f->ps, &rb, 1, "10.0.1.1");
	send_update(&f->ps, &rb, 1, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4
		    "90 0e 0020 0001 80 0c 0000000000000000 0a000101 00"
		    " 70 000641 0000fde800000064 0a0101", "", TS0);
	send_update(&f->ps, &rb, 1, BMPTAP_DIR_RX, "", ORIGIN_IGP ASPATH4
		    "90 0e 000d 0001 03 04 0a000101 00 18 0a0101", "", TS0);
	m = open_memstream(&s, &len);
	status_render(&src, CTL_SHOW_PEERS, m);
	fclose(m);
	assert_int_equal(bt_jr_parse(&r, s, len), 0);
	int p = bt_jr_at(&r, bt_jr_get(&r, 0, "peers"), 0);
	int lo = bt_jr_at(&r, bt_jr_get(&r, p, "live_only"), 0);

	assert_int_equal(bt_jr_get_u64(&r, bt_jr_get(&r, p, "prefixes"), "l3vpn-ipv4-unicast", 9), 1);
	assert_int_equal(bt_jr_get_u64(&r, lo, "afi", 0), 1);
	assert_int_equal(bt_jr_get_u64(&r, lo, "safi", 0), 3);
	assert_int_equal(bt_jr_get_u64(&r, lo, "updates", 0), 1);
	assert_int_equal(bt_jr_len(&r, bt_jr_get(&r, p, "families_disabled")), 0);
	bt_jr_free(&r);
	o = open_memstream(&out, &outlen);
	e = fopen("/dev/null", "w");
	bt_view_peers(o, e, s, len, false);
	fclose(o);
	fclose(e);
	assert_non_null(strstr(out, "ipv4_unicast=0,ipv6_unicast=0,l3vpn-ipv4-unicast=1\n"));
	assert_non_null(strstr(out, "live only: AFI 1 SAFI 3, 1 UPDATEs passed on as received, "
			       "not kept, not replayed\n"));
	free(out);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status_1000_servers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_other_families, setup, teardown),
		cmocka_unit_test(test_view_peers_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
