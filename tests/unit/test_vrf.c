// SPDX-License-Identifier: GPL-2.0
/*
 * VRFs (vrf.h): route distinguisher parsing and formatting, the operator's
 * VRF RD list, and the peer type and distinguisher of the per-peer header
 * a peer gets from its flow's L3 domain, in the bytes of its Peer Up.
 */
#include "peer_testutil.h"

#include <stdlib.h>

#include "bmp.h"
#include "vrf.h"

static void rd_ok(const char *s, uint64_t want, const char *back)
{
	char out[BT_RD_STRLEN];
	uint64_t rd = 0;

	assert_int_equal(bt_rd_parse(s, &rd), 0);
	assert_true(rd == want);
	bt_rd_format(rd, out, sizeof(out));
	assert_string_equal(out, back);
}

/* RFC 4364 4.2: type 0 (2-octet ASN, 4-octet number), 1 (IPv4, 2-octet), 2 (4-octet ASN). */
static void test_rd_parse(void **state)
{
	uint64_t rd;

	(void)state;
	rd_ok("65000:100", 0x0000fde800000064ull, "65000:100");
	rd_ok("0:0", 0, "0:0");
	rd_ok("65535:4294967295", 0x0000ffffffffffffull, "65535:4294967295");
	rd_ok("192.0.2.1:7", 0x0001c00002010007ull, "192.0.2.1:7");
	rd_ok("4200000000:65535", 0x0002fa56ea00ffffull, "4200000000:65535");
	rd_ok("65536:1", 0x0002000100000001ull, "65536:1");
	/* The number does not fit the type the administrator field picks. */
	assert_int_equal(bt_rd_parse("65536:65536", &rd), -1);
	assert_int_equal(bt_rd_parse("192.0.2.1:65536", &rd), -1);
	assert_int_equal(bt_rd_parse("65000:4294967296", &rd), -1);
	assert_int_equal(bt_rd_parse("4294967296:1", &rd), -1);
	const char *bad[] = { "", "65000", ":1", "65000:", "a:1", "65000:-1", "65000: 1",
			      "+1:1", "192.0.2:1", "192.0.2.256:1", "1:2:3x", NULL };
	for (int i = 0; bad[i]; i++)
		assert_int_equal(bt_rd_parse(bad[i], &rd), -1);
	char out[BT_RD_STRLEN];
	bt_rd_format(0x0003000000000abcull, out, sizeof(out));
	assert_string_equal(out, "3:000000000abc");
}

static void test_vrf_rd_list(void **state)
{
	struct bt_vrf_rds l = { 0 };
	char err[128];
	uint8_t type;
	uint64_t dist;

	(void)state;
	assert_int_equal(bt_vrf_rd_add(&l, "vrf-a=65000:1", err, sizeof(err)), 0);
	assert_int_equal(bt_vrf_rd_add(&l, "vrf-b=10.0.0.1:2", err, sizeof(err)), 0);
	/* The last setting of a VRF wins. */
	assert_int_equal(bt_vrf_rd_add(&l, "vrf-a=65000:3", err, sizeof(err)), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(bt_vrf_rd_add(&l, "vrf-a", err, sizeof(err)), -1);
	assert_int_equal(bt_vrf_rd_add(&l, "=65000:1", err, sizeof(err)), -1);
	assert_int_equal(bt_vrf_rd_add(&l, "a-name-longer-than-ifnamsiz=1:1", err, sizeof(err)), -1);
	assert_int_equal(bt_vrf_rd_add(&l, "vrf-c=65000", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ASN:NN"));
	assert_int_equal(l.n, 2);

	bt_vrf_instance(&l, 0, "", &type, &dist);
	assert_int_equal(type, BMP_PEER_GLOBAL);
	assert_true(dist == 0);
	bt_vrf_instance(&l, 12, "vrf-a", &type, &dist);
	assert_int_equal(type, BMP_PEER_RD);
	assert_true(dist == 0x0000fde800000003ull);
	bt_vrf_instance(&l, 13, "vrf-c", &type, &dist);
	assert_int_equal(type, BMP_PEER_LOCAL);
	assert_true(dist == 13);
	bt_vrf_instance(NULL, 13, "vrf-a", &type, &dist);
	assert_int_equal(type, BMP_PEER_LOCAL);
	bt_vrf_rds_free(&l);
}

/* Peer Up per-peer headers, one per flow, in the order the peers came up. */
struct cap {
	struct buf out;
	int ups;
};

static void c_up(void *ctx, struct peer *p)
{
	struct cap *c = ctx;

	c->ups++;
	peer_encode_up(p, &c->out);
}

static void start_in(struct peers *ps, struct recb *b, uint32_t flow, int l3)
{
	struct bmptap_flow_info fi = { .family = AF_INET, .l3_ifindex = l3 };

	fi.local_port = htons(179);
	fi.remote_port = htons(50000);
	inet_pton(AF_INET, "10.0.1.2", fi.local_addr);
	inet_pton(AF_INET, "10.0.1.1", fi.remote_addr);
	feed_rec(ps, mkrec(b, BMPTAP_REC_FLOW_START, flow, BMPTAP_DIR_RX, 0, &fi, sizeof(fi), TS0));
	send_msg(ps, b, flow, BMPTAP_DIR_TX, BGP_OPEN, OPEN_TX_AS4, TS0);
	send_msg(ps, b, flow, BMPTAP_DIR_RX, BGP_OPEN, OPEN_RX_AS4, TS0);
	send_msg(ps, b, flow, BMPTAP_DIR_RX, BGP_KEEPALIVE, "", TS0);
	send_msg(ps, b, flow, BMPTAP_DIR_TX, BGP_KEEPALIVE, "", TS0);
}

/*
 * The same addresses in the default VRF, in a VRF with a configured RD
 * (lo, ifindex 1 in every namespace, stands for a VRF device: the name is
 * what the setting matches) and in a VRF without one (an ifindex no device
 * has: its name is "#IFINDEX"): three peers, types 0, 1 and 2.
 */
static void test_peer_types(void **state)
{
	struct peer_sink s = { .up = c_up };
	struct bt_vrf_rds rds = { 0 };
	struct cap c = { 0 };
	struct peers ps;
	struct recb rb;
	char err[64];
	const int gone = 0x7ffffff0;

	(void)state;
	buf_init(&c.out);
	s.ctx = &c;
	assert_int_equal(bt_vrf_rd_add(&rds, "lo=192.0.2.1:7", err, sizeof(err)), 0);
	assert_int_equal(peers_init(&ps, &(struct peers_cfg){ .sink = s, .vrf_rds = &rds }, NULL),
			 0);
	start_in(&ps, &rb, 1, 0);
	start_in(&ps, &rb, 2, 1);
	start_in(&ps, &rb, 3, gone);
	assert_int_equal(c.ups, 3);
	assert_string_equal(peers_find(&ps, 2)->vrf, "lo");
	assert_string_equal(peers_find(&ps, 3)->vrf, "#2147483632");

	/* Each Peer Up: common header (6), then type, flags, distinguisher. */
	static const char *const want[] = {
		"00 00 0000000000000000",
		"01 00 0001c00002010007",
		"02 00 000000007ffffff0",
	};
	size_t off = 0;
	for (int i = 0; i < 3; i++) {
		uint32_t len = (uint32_t)c.out.data[off + 1] << 24 | c.out.data[off + 2] << 16 |
			       c.out.data[off + 3] << 8 | c.out.data[off + 4];

		assert_int_equal(c.out.data[off + 5], BMP_PEER_UP);
		assert_hex(c.out.data + off + 6, 10, want[i]);
		off += len;
	}
	assert_int_equal(off, c.out.len);
	peers_free(&ps);
	bt_vrf_rds_free(&rds);
	buf_free(&c.out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rd_parse),
		cmocka_unit_test(test_vrf_rd_list),
		cmocka_unit_test(test_peer_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
