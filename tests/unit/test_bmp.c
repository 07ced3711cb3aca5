/* BMP encoders compared byte for byte with vectors built from RFC 7854,
 * RFC 8671 and RFC 9069 layouts; UPDATE re-encoding for both AS sizes. */
#include "bgp_testutil.h"

#include "attr.h"
#include "bmp.h"

#define MARKER "ffffffffffffffffffffffffffffffff"
/* Per-peer header: global peer 192.0.2.2, AS 65001, id 2.2.2.2, t=1600000000.5 */
#define PEER_HDR "00 00 0000000000000000 000000000000000000000000 c0000202" \
		 " 0000fde9 02020202 5f5e1000 0007a120"
#define EOR_V4 MARKER "0017 02 0000 0000"

static struct bmp_peer peer(void)
{
	struct bmp_peer p = { .type = BMP_PEER_GLOBAL, .as = 65001, .bgp_id = 0x02020202,
			      .ts_sec = 1600000000, .ts_usec = 500000 };
	bmp_peer_set_addr(&p, (const uint8_t *)"\xc0\x00\x02\x02", 4);
	return p;
}

static void test_initiation_termination(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	struct bmp_tlv t[] = { { BMP_INFO_SYSDESCR, 6, "bmptap" }, { BMP_INFO_SYSNAME, 2, "r1" } };
	bmp_initiation(&b, t, 2);
	assert_hex(b.data, b.len, "03 00000016 04 0001 0006 626d70746170 0002 0002 7231");
	buf_reset(&b);
	bmp_termination(&b, BMP_TERM_ADMIN_CLOSE, NULL);
	assert_hex(b.data, b.len, "03 0000000c 05 0001 0002 0000");
	buf_reset(&b);
	bmp_termination(&b, BMP_TERM_OUT_OF_RESOURCES, "bye");
	assert_hex(b.data, b.len, "03 00000013 05 0000 0003 627965 0001 0002 0002");
	assert_false(b.oom);
	buf_free(&b);
}

static void test_peer_up(void **state)
{
	(void)state;
	uint8_t sent[64], recv[64], local[16] = { 0 };
	size_t sl = hx(sent, MARKER "001d 01 04 fde8 00b4 01010101 00");
	size_t rl = hx(recv, MARKER "001d 01 04 fde9 00b4 02020202 00");
	memcpy(local + 12, "\xc0\x00\x02\x01", 4);
	struct bmp_peer p = peer();
	struct bmp_tlv info = { BMP_INFO_STRING, 2, "hi" };
	struct buf b;
	buf_init(&b);
	bmp_peer_up(&b, &p, local, 179, 50000, sent, sl, recv, rl, &info, 1);
	assert_hex(b.data, b.len, "03 00000084 03 " PEER_HDR
		   " 000000000000000000000000 c0000201 00b3 c350"
		   MARKER "001d 01 04 fde8 00b4 01010101 00"
		   MARKER "001d 01 04 fde9 00b4 02020202 00"
		   " 0000 0002 6869");
	buf_free(&b);
}

static void test_loc_rib_peer_up(void **state)
{
	(void)state;
	/* RFC 9069: Loc-RIB instance, zero address/ports, table name TLV. */
	struct bmp_peer p = { .type = BMP_PEER_LOC_RIB, .flags = BMP_LOCRIB_F_F, .as = 65000,
			      .bgp_id = 0x01010101 };
	uint8_t open[64], zero[16] = { 0 };
	size_t ol = hx(open, MARKER "001d 01 04 fde8 00b4 01010101 00");
	struct bmp_tlv info = { BMP_INFO_TABLE_NAME, 6, "global" };
	struct buf b;
	buf_init(&b);
	bmp_peer_up(&b, &p, zero, 0, 0, open, ol, open, ol, &info, 1);
	assert_hex(b.data, b.len, "03 00000088 03"
		   " 03 80 0000000000000000 00000000000000000000000000000000"
		   " 0000fde8 01010101 00000000 00000000"
		   " 00000000000000000000000000000000 0000 0000"
		   MARKER "001d 01 04 fde8 00b4 01010101 00"
		   MARKER "001d 01 04 fde8 00b4 01010101 00"
		   " 0003 0006 676c6f62616c");
	buf_free(&b);
}

static void test_peer_flags(void **state)
{
	(void)state;
	struct bmp_peer p = peer();
	uint8_t v6[16];
	hx(v6, "20010db8000000000000000000000002");
	p.flags = BMP_PEER_F_L | BMP_PEER_F_A | BMP_PEER_F_O;
	bmp_peer_set_addr(&p, v6, 16);
	p.distinguisher = 0x0001fde900000064ull;
	struct buf b;
	buf_init(&b);
	uint8_t upd[32];
	size_t ul = hx(upd, EOR_V4);
	bmp_route_monitoring(&b, &p, upd, ul);
	assert_hex(b.data, b.len, "03 00000047 00 00 f0 0001fde900000064"
		   " 20010db8000000000000000000000002 0000fde9 02020202 5f5e1000 0007a120"
		   EOR_V4);
	buf_free(&b);
}

static void test_route_monitoring(void **state)
{
	(void)state;
	struct bmp_peer p = peer();
	uint8_t upd[64];
	size_t ul = hx(upd, MARKER "002f 02 0000 0014 40 01 01 00 40 02 06 02 01 0000fde9"
			    " 40 03 04 c0000202 18 0a0102");
	struct buf b;
	buf_init(&b);
	bmp_route_monitoring(&b, &p, upd, ul);
	assert_hex(b.data, b.len, "03 0000005f 00 " PEER_HDR
		   MARKER "002f 02 0000 0014 40 01 01 00 40 02 06 02 01 0000fde9"
		   " 40 03 04 c0000202 18 0a0102");
	buf_free(&b);
}

static void test_peer_down(void **state)
{
	(void)state;
	struct bmp_peer p = peer();
	uint8_t nt[32];
	size_t nl = hx(nt, MARKER "0015 03 06 02");
	struct buf b;
	buf_init(&b);
	bmp_peer_down(&b, &p, BMP_DOWN_REMOTE_NOTIFY, nt, nl);
	assert_hex(b.data, b.len, "03 00000046 02 " PEER_HDR " 03" MARKER "0015 03 06 02");
	buf_reset(&b);
	bmp_peer_down_fsm(&b, &p, 18);
	assert_hex(b.data, b.len, "03 00000033 02 " PEER_HDR " 02 0012");
	buf_reset(&b);
	bmp_peer_down(&b, &p, BMP_DOWN_REMOTE_NO_NOTIFY, NULL, 0);
	assert_hex(b.data, b.len, "03 00000031 02 " PEER_HDR " 04");
	buf_free(&b);
}

static void test_statistics(void **state)
{
	(void)state;
	struct bmp_peer p = peer();
	struct bmp_stat s[] = {
		{ .type = BMP_STAT_REJECTED, .value = 5 },
		{ .type = BMP_STAT_ADJ_RIB_IN, .value = 1000 },
		{ .type = BMP_STAT_ADJ_RIB_IN_AF, .afi = 2, .safi = 1, .value = 7 },
		{ .type = BMP_STAT_UPD_TREAT_AS_WITHDRAW, .value = 2 },
		{ .type = BMP_STAT_ADJ_RIB_OUT_POST_AF, .afi = 1, .safi = 1, .value = 9 },
		/* RFC 9972: 64-bit gauges, AFI/SAFI ones as RFC 7854 types 9/10. */
		{ .type = BMP_STAT_ADJ_RIB_IN_POST, .value = 0x100000001ull },
		{ .type = BMP_STAT_ADJ_RIB_IN_REJECTED_AF, .afi = 1, .safi = 1, .value = 3 },
		{ .type = BMP_STAT_ADJ_RIB_IN_ACCEPTED_AF, .afi = 2, .safi = 1, .value = 0x1234 },
	};
	struct buf b;
	buf_init(&b);
	bmp_statistics(&b, &p, s, 8);
	assert_hex(b.data, b.len, "03 00000098 01 " PEER_HDR " 00000008"
		   " 0000 0004 00000005"
		   " 0007 0008 00000000000003e8"
		   " 0009 000b 0002 01 0000000000000007"
		   " 000b 0004 00000002"
		   " 0011 000b 0001 01 0000000000000009"
		   " 0014 0008 0000000100000001"
		   " 0016 000b 0001 01 0000000000000003"
		   " 0017 000b 0002 01 0000000000001234");
	buf_free(&b);
}

static void test_route_mirroring(void **state)
{
	(void)state;
	struct bmp_peer p = peer();
	uint8_t m[32];
	size_t ml = hx(m, EOR_V4);
	struct buf b;
	buf_init(&b);
	bmp_route_mirroring(&b, &p, m, ml, BMP_MIRROR_ERRORED_PDU);
	assert_hex(b.data, b.len, "03 00000051 06 " PEER_HDR " 0001 0002 0000 0000 0017" EOR_V4);
	buf_reset(&b);
	bmp_route_mirroring(&b, &p, NULL, 0, BMP_MIRROR_MSGS_LOST);
	assert_hex(b.data, b.len, "03 00000036 06 " PEER_HDR " 0001 0002 0001");
	buf_free(&b);
}

static const char CANON_V4[] =
	"40 01 01 00  40 02 0a 02 02 0000fde8 fa56ea01  80 04 04 00000064"
	" c0 07 08 fa56ea01 0a000001  c0 08 04 fde80001";

static void test_encode_update_as_size(void **state)
{
	(void)state;
	struct attr_table t;
	attr_table_init(&t);
	uint8_t data[128];
	size_t dl = hx(data, CANON_V4);
	uint32_t id = attr_intern(&t, BGP_FAM_IPV4, (const uint8_t *)"\xc0\x00\x02\x01", 4, data,
				  (uint32_t)dl);
	struct bgp_prefix p[2] = {
		{ .fam = BGP_FAM_IPV4, .len = 24, .addr = { 10, 1, 2 } },
		{ .fam = BGP_FAM_IPV4, .len = 16, .addr = { 10, 2 } },
	};
	struct bgp_codec c2 = { .as4 = false }, c4 = { .as4 = true };
	struct buf b;
	buf_init(&b);
	assert_int_equal(bgp_encode_update(&b, attr_get(&t, id), p, 2, &c2), 2);
	assert_hex(b.data, b.len, MARKER "0061 02 0000 0043"
		   " 40 01 01 00  40 02 06 02 02 fde8 5ba0  40 03 04 c0000201  80 04 04 00000064"
		   " c0 07 06 5ba0 0a000001  c0 08 04 fde80001"
		   " c0 11 0a 02 02 0000fde8 fa56ea01  c0 12 08 fa56ea01 0a000001"
		   " 18 0a0102 10 0a02");
	buf_reset(&b);
	assert_int_equal(bgp_encode_update(&b, attr_get(&t, id), p, 2, &c4), 2);
	assert_hex(b.data, b.len, MARKER "004f 02 0000 0031"
		   " 40 01 01 00  40 02 0a 02 02 0000fde8 fa56ea01  40 03 04 c0000201"
		   " 80 04 04 00000064  c0 07 08 fa56ea01 0a000001  c0 08 04 fde80001"
		   " 18 0a0102 10 0a02");
	buf_free(&b);
	attr_unref(&t, id);
	attr_table_free(&t);
}

static void test_encode_v6_addpath_eor(void **state)
{
	(void)state;
	struct attr_table t;
	attr_table_init(&t);
	uint8_t data[64], nh[16];
	size_t dl = hx(data, "40 01 01 00 40 02 06 02 01 0000fde8");
	hx(nh, "20010db8000000000000000000000001");
	uint32_t id = attr_intern(&t, BGP_FAM_IPV6, nh, 16, data, (uint32_t)dl);
	struct bgp_prefix p = { .fam = BGP_FAM_IPV6, .len = 32, .path_id = 5,
				.addr = { 0x20, 0x01, 0x0d, 0xb8 } };
	struct bgp_codec c = { .as4 = true, .addpath = { false, true } };
	struct buf b;
	buf_init(&b);
	assert_int_equal(bgp_encode_update(&b, attr_get(&t, id), &p, 1, &c), 1);
	assert_hex(b.data, b.len, MARKER "0046 02 0000 002f"
		   " 90 0e 001e 0002 01 10 20010db8000000000000000000000001 00 00000005 20 20010db8"
		   " 40 01 01 00 40 02 06 02 01 0000fde8");
	buf_reset(&b);
	assert_int_equal(bgp_encode_withdraw(&b, &p, 1, &c), 1);
	assert_hex(b.data, b.len, MARKER "0027 02 0000 0010 90 0f 000c 0002 01 00000005 20 20010db8");
	buf_reset(&b);
	bgp_encode_eor(&b, BGP_FAM_IPV6);
	assert_hex(b.data, b.len, MARKER "001d 02 0000 0006 80 0f 03 0002 01");
	buf_reset(&b);
	bgp_encode_eor(&b, BGP_FAM_IPV4);
	assert_hex(b.data, b.len, EOR_V4);
	buf_free(&b);
	attr_unref(&t, id);
	attr_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initiation_termination),
		cmocka_unit_test(test_peer_up),
		cmocka_unit_test(test_loc_rib_peer_up),
		cmocka_unit_test(test_peer_flags),
		cmocka_unit_test(test_route_monitoring),
		cmocka_unit_test(test_peer_down),
		cmocka_unit_test(test_statistics),
		cmocka_unit_test(test_route_mirroring),
		cmocka_unit_test(test_encode_update_as_size),
		cmocka_unit_test(test_encode_v6_addpath_eor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
