// SPDX-License-Identifier: GPL-2.0
/*
 * The status blob bmptapd publishes is cut to fit the kernel's limit:
 * peers first, then servers, and it gives up (never loops) when nothing
 * fits.  Rendered from a real feed of 1000 collectors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "json.h"
#include "jsonr.h"
#include "peer.h"
#include "statusview.h"

#define BLOB_MAX 65531u	/* bmptapd's STATUS_MAX */

struct fx {
	struct feed feed;
	struct peers ps;
	size_t n_peers, pad, renders;
};

/* Shaped like bmptapd's status_json(): fixed part, servers, peers. */
static char *render(void *ctx, size_t max_peers, size_t max_servers, size_t *len)
{
	struct fx *f = ctx;
	char *s = NULL, *pad = calloc(1, f->pad + 1);
	FILE *m = open_memstream(&s, len);
	struct bt_json j;
	size_t total;

	f->renders++;
	memset(pad, 'x', f->pad);
	bt_json_init(&j, m);
	bt_json_obj_open(&j);
	bt_json_kv_str(&j, "daemon", pad);
	bt_json_key(&j, "servers");
	if (feed_status_json(&f->feed, &j, max_servers, &total) < total)
		bt_json_kv_bool(&j, "servers_truncated", true);
	bt_json_kv_u64(&j, "server_count", total);
	bt_json_key(&j, "peers");
	bt_json_arr_open(&j);
	for (size_t i = 0; i < f->n_peers && i < max_peers; i++)
		bt_json_str(&j, "a peer of two hundred bytes ........................................"
			    ".......................................................................");
	bt_json_arr_close(&j);
	bt_json_obj_close(&j);
	fclose(m);
	free(pad);
	return s;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_int_equal(feed_init(&f->feed, NULL, NULL, &f->ps, 8u << 20), 0);
	struct peer_sink s = feed_sink(&f->feed);
	assert_int_equal(peers_init(&f->ps, &s, NULL), 0);
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

static void test_status_1000_servers(void **state)
{
	struct fx *f = *state;
	struct bt_jr r;
	size_t len, shown;
	char *s, *out = NULL;
	size_t outlen;
	FILE *o, *e;

	f->n_peers = 500;
	s = bt_status_fit(render, f, f->n_peers, 1000, BLOB_MAX, &len);
	assert_non_null(s);
	assert_true(len <= BLOB_MAX);
	assert_true(f->renders < 40);
	assert_int_equal(bt_jr_parse(&r, s, len), 0);
	shown = bt_jr_len(&r, bt_jr_get(&r, 0, "servers"));
	assert_true(shown > 0 && shown < 1000);
	assert_int_equal(bt_jr_get_u64(&r, 0, "server_count", 0), 1000);
	assert_int_equal(bt_jr_len(&r, bt_jr_get(&r, 0, "peers")), 0);
	bt_jr_free(&r);

	/* bmptapctl says the list was cut. */
	o = open_memstream(&out, &outlen);
	e = fopen("/dev/null", "w");
	bt_view_servers(o, e, NULL, 0, s, len, false);
	fclose(o);
	fclose(e);
	char want[80];
	snprintf(want, sizeof(want), "(%zu of 1000 servers: the status blob was cut", shown);
	assert_non_null(strstr(out, want));
	free(out);
	free(s);
}

/* The fixed part alone is over the limit: NULL after a bounded number of
 * renderings (this looped for ever). */
static void test_status_nothing_fits(void **state)
{
	struct fx *f = *state;
	size_t len;

	f->n_peers = 500;
	f->pad = BLOB_MAX;
	assert_null(bt_status_fit(render, f, f->n_peers, 1000, BLOB_MAX, &len));
	assert_true(f->renders < 40);
}

/* Small enough: nothing is cut and it is rendered once. */
static void test_status_fits(void **state)
{
	struct fx *f = *state;
	size_t len;
	char *s = bt_status_fit(render, f, 3, 1000, SIZE_MAX, &len);

	assert_non_null(s);
	assert_int_equal(f->renders, 1);
	assert_null(strstr(s, "servers_truncated"));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status_1000_servers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_nothing_fits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_fits, setup, teardown),
		cmocka_unit_test(test_view_peers_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
