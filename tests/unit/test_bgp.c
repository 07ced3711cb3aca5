/* BGP parsing: OPEN capabilities and negotiation, UPDATE layouts, RFC 7606. */
#include "bgp_testutil.h"

#include "attr.h"
#include "bgp.h"

static const struct bgp_codec c2 = { .as4 = false };
static const struct bgp_codec c4 = { .as4 = true };

#define ORIGIN_IGP "40 01 01 00 "
#define NH_V4 "40 03 04 c0 00 02 01 "

/* OPEN: AS_TRANS + AS 4200000001, hold 180, id 192.0.2.1, every capability. */
#define OPEN_FULL_BODY \
	"04 5ba0 00b4 c0000201 2a 02 28" \
	" 01 04 0001 00 01  01 04 0002 00 01  02 00  41 04 fa56ea01" \
	" 45 08 0001 01 03 0002 01 01  06 00  40 06 8078 0001 01 80"

/* An OPEN whose one capabilities parameter holds caps[0..n). */
static size_t open_with_caps(uint8_t *m, const uint8_t *caps, size_t n)
{
	uint8_t body[300];
	size_t k = hx(body, "04 fde9 00b4 c0000201");

	body[k++] = (uint8_t)(n + 2);
	body[k++] = 2;
	body[k++] = (uint8_t)n;
	memcpy(body + k, caps, n);
	return bgp_msg(m, BGP_OPEN, body, k + n);
}

/* ADD-PATH tuple afi/safi/send-receive appended to an ADD-PATH capability. */
static size_t tuple(uint8_t *p, uint16_t afi, uint8_t safi, uint8_t sr)
{
	p[0] = (uint8_t)(afi >> 8);
	p[1] = (uint8_t)afi;
	p[2] = safi;
	p[3] = sr;
	return 4;
}

/* Hostile OPENs are read as FRR reads them: every tuple, unknown families
 * ignored, the last tuple of a family wins. */
static void test_open_hostile_caps(void **state)
{
	(void)state;
	uint8_t c[250], m[350];
	struct bgp_open o;
	size_t n = 2;

	/* 20 junk tuples (IPv4 multicast, then unknown AFIs) before the real one. */
	c[0] = 69;
	for (int i = 0; i < 20; i++)
		n += tuple(c + n, i < 10 ? 1 : (uint16_t)(100 + i), i < 10 ? 2 : 1, 3);
	n += tuple(c + n, 1, 1, BGP_ADDPATH_TX);
	c[1] = (uint8_t)(n - 2);
	assert_int_equal(bgp_open_parse(m, open_with_caps(m, c, n), &o), 0);
	assert_int_equal(o.addpath[BGP_FAM_IPV4], BGP_ADDPATH_TX);
	assert_int_equal(o.addpath[BGP_FAM_IPV6], 0);

	/* A family given twice: the last tuple wins; send/receive 0 or 7 is
	 * a tuple not understood, skipped. */
	n = 2;
	n += tuple(c + n, 2, 1, BGP_ADDPATH_RX);
	n += tuple(c + n, 2, 1, BGP_ADDPATH_TX);
	n += tuple(c + n, 2, 1, 7);
	n += tuple(c + n, 2, 1, 0);
	c[1] = (uint8_t)(n - 2);
	/* ... and in a second ADD-PATH capability too. */
	c[n++] = 69;
	c[n++] = 4;
	n += tuple(c + n, 1, 1, BGP_ADDPATH_RX);
	c[n++] = 69;
	c[n++] = 4;
	n += tuple(c + n, 1, 1, BGP_ADDPATH_RX | BGP_ADDPATH_TX);
	assert_int_equal(bgp_open_parse(m, open_with_caps(m, c, n), &o), 0);
	assert_int_equal(o.addpath[BGP_FAM_IPV6], BGP_ADDPATH_TX);
	assert_int_equal(o.addpath[BGP_FAM_IPV4], BGP_ADDPATH_RX | BGP_ADDPATH_TX);

	/* A truncated tuple list: whole tuples count, the stub is ignored. */
	n = 2;
	c[0] = 69;
	n += tuple(c + n, 1, 1, BGP_ADDPATH_TX);
	c[n++] = 0;
	c[n++] = 2;
	c[1] = (uint8_t)(n - 2);
	assert_int_equal(bgp_open_parse(m, open_with_caps(m, c, n), &o), 0);
	assert_int_equal(o.addpath[BGP_FAM_IPV4], BGP_ADDPATH_TX);
	assert_int_equal(o.addpath[BGP_FAM_IPV6], 0);

	/* 20 multiprotocol capabilities for unknown families, then IPv6:
	 * IPv6 only (not the implied IPv4), and two 4-octet-AS capabilities:
	 * the last one counts. */
	n = 0;
	for (int i = 0; i < 20; i++) {
		c[n++] = 1;
		c[n++] = 4;
		n += tuple(c + n, (uint16_t)(50 + i), 1, 0);
	}
	c[n++] = 1;
	c[n++] = 4;
	n += tuple(c + n, 2, 0, 1);
	n += hx(c + n, "41 04 0000fde9  41 04 00010001");
	assert_int_equal(bgp_open_parse(m, open_with_caps(m, c, n), &o), 0);
	assert_true(o.mp[BGP_FAM_IPV6]);
	assert_false(o.mp[BGP_FAM_IPV4]);
	assert_int_equal(o.as, 65537);
}

static void test_msg_check(void **state)
{
	(void)state;
	uint8_t m[64], b[4] = { 0 };
	size_t n = bgp_msg(m, BGP_KEEPALIVE, b, 0);
	assert_int_equal(bgp_msg_check(m, n, false), 19);
	assert_int_equal(bgp_msg_check(m, 10, false), 0);
	m[3] = 0;
	assert_int_equal(bgp_msg_check(m, n, false), -1);
	m[3] = 0xff;
	m[18] = 9;
	assert_int_equal(bgp_msg_check(m, n, false), -3);
	n = bgp_msg(m, BGP_KEEPALIVE, b, 2);
	assert_int_equal(bgp_msg_check(m, n, false), -2);
	put_u16(m + 16, 5000);
	m[18] = BGP_UPDATE;
	assert_int_equal(bgp_msg_check(m, n, false), -2);
	assert_int_equal(bgp_msg_check(m, n, true), 0);	/* needs more bytes */
}

static void test_open_caps(void **state)
{
	(void)state;
	uint8_t body[128], m[160];
	struct bgp_open o;
	size_t n = bgp_msg(m, BGP_OPEN, body, hx(body, OPEN_FULL_BODY));
	assert_int_equal(n, 71);
	assert_int_equal(bgp_open_parse(m, n, &o), 0);
	assert_int_equal(o.version, 4);
	assert_int_equal(o.my_as, BGP_AS_TRANS);
	assert_int_equal(o.as, 4200000001u);
	assert_true(o.as4);
	assert_int_equal(o.hold_time, 180);
	assert_int_equal(o.bgp_id, 0xc0000201);
	assert_true(o.route_refresh);
	assert_true(o.ext_msg);
	assert_false(o.ext_opt_params);
	assert_true(o.has_mp);
	assert_true(o.mp[BGP_FAM_IPV4]);
	assert_true(o.mp[BGP_FAM_IPV6]);
	assert_int_equal(o.addpath[BGP_FAM_IPV4], 3);
	assert_int_equal(o.addpath[BGP_FAM_IPV6], 1);
	assert_true(o.gr);
	assert_int_equal(o.gr_flags_time, 0x8078);
	assert_int_equal(o.n_gr, 1);
	assert_int_equal(o.gr_af[0].flags, 0x80);

	/* Bad version, bad hold time, wrong optional parameter length. */
	m[19] = 3;
	assert_int_equal(bgp_open_parse(m, n, &o), 2 << 8 | 1);
	m[19] = 4;
	m[23] = 2;
	assert_int_equal(bgp_open_parse(m, n, &o), 2 << 8 | 6);
	m[23] = 180;
	m[28] = 0x29;
	assert_int_equal(bgp_open_parse(m, n, &o), 2 << 8 | 0);
	m[28] = 0x2a;
	m[29] = 1;	/* deprecated authentication parameter */
	assert_int_equal(bgp_open_parse(m, n, &o), 2 << 8 | 4);
}

static void test_open_rfc9072(void **state)
{
	(void)state;
	uint8_t body[64], m[96];
	struct bgp_open o;
	size_t n = bgp_msg(m, BGP_OPEN, body,
			   hx(body, "04 fde8 005a 0a000001 ff ff 0009 02 0006 41 04 0000fde8"));
	assert_int_equal(bgp_open_parse(m, n, &o), 0);
	assert_true(o.ext_opt_params);
	assert_true(o.as4);
	assert_int_equal(o.as, 65000);
	assert_false(o.has_mp);
}

static void parse_open(const char *hex, struct bgp_open *o)
{
	uint8_t body[128], m[160];
	size_t n = bgp_msg(m, BGP_OPEN, body, hx(body, hex));
	assert_int_equal(bgp_open_parse(m, n, o), 0);
}

/* Duplicates that FRR and BIRD read differently (interop.md, "Decoding
 * differential"): the ADD-PATH result is disputed, the AS conflict seen. */
static void test_negotiate_disputed(void **state)
{
	(void)state;
	struct bgp_open l, r;
	struct bgp_session s;

	parse_open("04 fde8 00b4 01010101 08 02 06 45 04 0001 01 03", &l);
	/* remote: "receive", then "send"; two different 4-octet ASes. */
	parse_open("04 5ba0 00b4 02020202 1a 02 18 45 04 0001 01 01 45 04 0001 01 02"
		   " 41 04 0000fde9 41 04 fa56ea0a", &r);
	assert_true(r.as_conflict);
	assert_int_equal(r.as, 0xfa56ea0a);
	bgp_negotiate(&l, &r, &s);
	assert_true(s.rx.addpath[BGP_FAM_IPV4]);
	assert_false(s.tx.addpath[BGP_FAM_IPV4]);	/* the OR would say true */
	assert_true(s.ambiguous[BGP_FAM_IPV4]);
	assert_false(s.ambiguous[BGP_FAM_IPV6]);

	/* The same tuple twice, and the same AS twice: nothing disputed. */
	parse_open("04 5ba0 00b4 02020202 1a 02 18 45 04 0001 01 03 45 04 0001 01 03"
		   " 41 04 0000fde9 41 04 0000fde9", &r);
	assert_false(r.as_conflict);
	bgp_negotiate(&l, &r, &s);
	assert_false(s.ambiguous[BGP_FAM_IPV4]);
	/* "send", then "send/receive": the last is the OR. */
	parse_open("04 5ba0 00b4 02020202 0e 02 0c 45 04 0001 01 02 45 04 0001 01 03", &r);
	bgp_negotiate(&l, &r, &s);
	assert_false(s.ambiguous[BGP_FAM_IPV4]);
}

static void test_negotiate(void **state)
{
	(void)state;
	struct bgp_open l, r;
	struct bgp_session s;
	/* local: v4 receive, v6 send; remote: v4 send, v6 send. */
	parse_open("04 fde8 00b4 01010101 1e 02 1c 01 04 0001 00 01 01 04 0002 00 01"
		   " 45 08 0001 01 01 0002 01 02 41 04 0000fde8", &l);
	parse_open("04 fde9 00b4 02020202 1c 02 1a 01 04 0001 00 01 01 04 0002 00 01"
		   " 45 08 0001 01 02 0002 01 02 06 00 02 00", &r);
	bgp_negotiate(&l, &r, &s);
	assert_true(s.af[BGP_FAM_IPV4]);
	assert_true(s.af[BGP_FAM_IPV6]);
	assert_false(s.rx.as4);		/* remote lacks capability 65 */
	assert_false(s.rx.ext_msg);	/* only one side */
	assert_true(s.rx.addpath[BGP_FAM_IPV4]);	/* local rx, remote tx */
	assert_false(s.rx.addpath[BGP_FAM_IPV6]);	/* local did not offer rx */
	assert_false(s.tx.addpath[BGP_FAM_IPV4]);	/* local did not offer tx */
	assert_false(s.tx.addpath[BGP_FAM_IPV6]);	/* remote did not offer rx */

	/* Both "send/receive"; remote without MP capabilities: IPv4 only. */
	parse_open("04 fde8 00b4 01010101 14 02 12 45 08 0001 01 03 0002 01 03"
		   " 41 04 0000fde8 06 00", &l);
	parse_open("04 fde9 00b4 02020202 12 02 10 45 04 0001 01 03 41 04 0000fde9 06 00 02 00", &r);
	bgp_negotiate(&l, &r, &s);
	assert_true(s.rx.as4 && s.tx.as4 && s.rx.ext_msg);
	assert_true(s.af[BGP_FAM_IPV4]);
	assert_false(s.af[BGP_FAM_IPV6]);
	assert_true(s.rx.addpath[BGP_FAM_IPV4] && s.tx.addpath[BGP_FAM_IPV4]);
	assert_false(s.rx.addpath[BGP_FAM_IPV6] || s.tx.addpath[BGP_FAM_IPV6]);
}

static void aspath_is(const struct bgp_update *u, const char *hex)
{
	struct buf b;
	buf_init(&b);
	assert_true(bgp_update_aspath(u, &b));
	assert_hex(b.data, b.len, hex);
	buf_free(&b);
}

static void test_update_as4_merge(void **state)
{
	(void)state;
	uint8_t m[512];
	struct bgp_update u;
	struct bgp_prefix p;
	struct bgp_nlri_iter it;
	uint32_t as, addr;
	size_t n = mk_update(m, "",
		ORIGIN_IGP "40 02 08 02 03 0064 5ba0 00c8" NH_V4
		"c0 07 06 5ba0 0a000001 c0 11 0a 02 02 fa56ea01 000000c8"
		"c0 12 08 fa56ea01 0a000001", "18 0a0102");
	assert_int_equal(bgp_update_parse(m, n, &c2, &u), BGP_ACT_NONE);
	aspath_is(&u, "02 03 00000064 fa56ea01 000000c8");
	assert_true(bgp_update_aggregator(&u, &as, &addr));
	assert_int_equal(as, 4200000001u);
	assert_int_equal(addr, 0x0a000001);
	bgp_nlri_iter_init(&it, u.nlri, BGP_FAM_IPV4, false);
	assert_true(bgp_nlri_next(&it, &p));
	assert_int_equal(p.len, 24);
	assert_memory_equal(p.addr, "\x0a\x01\x02\x00", 4);
	assert_false(bgp_nlri_next(&it, &p));

	/* The same route from a 4-octet session interns to the same set. */
	struct attr_table t;
	attr_table_init(&t);
	struct bgp_attr nh;
	assert_true(bgp_update_attr(&u, BGP_ATTR_NEXT_HOP, &nh));
	uint32_t id2 = attr_intern_update(&t, NULL, &u, BGP_FAM_IPV4, (struct bgp_span){ nh.val, 4 });
	n = mk_update(m, "", ORIGIN_IGP "40 02 0e 02 03 00000064 fa56ea01 000000c8" NH_V4
		      "c0 07 08 fa56ea01 0a000001", "18 0a0102");
	assert_int_equal(bgp_update_parse(m, n, &c4, &u), BGP_ACT_NONE);
	assert_true(bgp_update_attr(&u, BGP_ATTR_NEXT_HOP, &nh));
	uint32_t id4 = attr_intern_update(&t, NULL, &u, BGP_FAM_IPV4, (struct bgp_span){ nh.val, 4 });
	assert_int_not_equal(id2, 0);
	assert_int_equal(id2, id4);
	assert_int_equal(t.count, 1);
	assert_int_equal(attr_get(&t, id2)->refcnt, 2);
	attr_unref(&t, id2);
	attr_unref(&t, id4);
	assert_int_equal(t.count, 0);
	attr_table_free(&t);

	/* AS_SET counts as one; adjacent sequences coalesce. */
	n = mk_update(m, "", ORIGIN_IGP "40 02 0a 02 02 0064 5ba0 01 01 5ba0" NH_V4
		      "c0 11 0c 02 01 fa56ea01 01 01 fa56ea02", "");
	assert_int_equal(bgp_update_parse(m, n, &c2, &u), BGP_ACT_NONE);
	aspath_is(&u, "02 02 00000064 fa56ea01 01 01 fa56ea02");

	/* AS4_PATH longer than AS_PATH: ignored. */
	n = mk_update(m, "", ORIGIN_IGP "40 02 04 02 01 0064" NH_V4
		      "c0 11 0a 02 02 fa56ea01 000000c8", "");
	assert_int_equal(bgp_update_parse(m, n, &c2, &u), BGP_ACT_NONE);
	aspath_is(&u, "02 01 00000064");

	/* AGGREGATOR from a NEW speaker (not AS_TRANS): AS4 attributes stale. */
	n = mk_update(m, "", ORIGIN_IGP "40 02 06 02 02 0064 5ba0" NH_V4
		      "c0 07 06 0064 0a000001 c0 11 06 02 01 fa56ea01"
		      "c0 12 08 fa56ea01 0a000001", "");
	assert_int_equal(bgp_update_parse(m, n, &c2, &u), BGP_ACT_NONE);
	aspath_is(&u, "02 02 00000064 00005ba0");
	assert_true(bgp_update_aggregator(&u, &as, &addr));
	assert_int_equal(as, 100);

	/* On a 4-octet session AS4_PATH is ignored without complaint. */
	n = mk_update(m, "", ORIGIN_IGP "40 02 06 02 01 00000064" NH_V4
		      "c0 11 06 02 01 fa56ea01", "");
	assert_int_equal(bgp_update_parse(m, n, &c4, &u), BGP_ACT_NONE);
	aspath_is(&u, "02 01 00000064");
	assert_int_equal(u.n_errors, 0);
}

static void test_update_addpath(void **state)
{
	(void)state;
	uint8_t m[512];
	struct bgp_update u;
	struct bgp_prefix p;
	struct bgp_nlri_iter it;
	struct bgp_codec c = { .as4 = true, .addpath = { true, false } };
	size_t n = mk_update(m, "00000007 10 0b0b", ORIGIN_IGP "40 02 00" NH_V4,
			     "00000001 18 0a0102 00000002 18 0a0102");
	assert_int_equal(bgp_update_parse(m, n, &c, &u), BGP_ACT_NONE);
	bgp_nlri_iter_init(&it, u.withdrawn, BGP_FAM_IPV4, true);
	assert_true(bgp_nlri_next(&it, &p));
	assert_int_equal(p.path_id, 7);
	assert_int_equal(p.len, 16);
	bgp_nlri_iter_init(&it, u.nlri, BGP_FAM_IPV4, true);
	assert_true(bgp_nlri_next(&it, &p));
	assert_int_equal(p.path_id, 1);
	assert_true(bgp_nlri_next(&it, &p));
	assert_int_equal(p.path_id, 2);
	assert_false(bgp_nlri_next(&it, &p));
	/* Without ADD-PATH negotiated the same bytes are garbage. */
	assert_int_equal(bgp_update_parse(m, n, &c4, &u), BGP_ACT_RESET);
}

#define NH_V6_32 "20010db8000000000000000000000001 fe800000000000000000000000000001"

static void test_update_mp_v6(void **state)
{
	(void)state;
	uint8_t m[512];
	struct bgp_update u;
	struct bgp_prefix p;
	struct bgp_nlri_iter it;
	size_t n = mk_update(m, "", ORIGIN_IGP "40 02 06 02 01 0000fde8"
		"80 0e 33 0002 01 20 " NH_V6_32 " 00 20 20010db8 40 20010db800010000"
		"80 0f 08 0002 01 20 20010db9", "");
	assert_int_equal(bgp_update_parse(m, n, &c4, &u), BGP_ACT_NONE);
	assert_true(u.reach.present);
	assert_int_equal(u.reach.fam, BGP_FAM_IPV6);
	assert_int_equal(u.reach.nh.len, 32);
	assert_int_equal(u.reach.nh.p[0], 0x20);
	bgp_nlri_iter_init(&it, u.reach.nlri, BGP_FAM_IPV6, false);
	assert_true(bgp_nlri_next(&it, &p));
	assert_int_equal(p.len, 32);
	assert_true(bgp_nlri_next(&it, &p));
	assert_int_equal(p.len, 64);
	assert_memory_equal(p.addr, "\x20\x01\x0d\xb8\x00\x01\x00\x00\x00\x00", 10);
	assert_false(bgp_nlri_next(&it, &p));
	assert_true(u.unreach.present);
	assert_int_equal(u.unreach.nlri.len, 5);
	assert_int_equal(u.eor, -1);
	/* MP attributes are not plain attributes. */
	struct bgp_attr_iter ai;
	struct bgp_attr a;
	int count = 0;
	bgp_attr_iter_init(&ai, &u);
	while (bgp_attr_next(&ai, &a))
		count++;
	assert_int_equal(count, 2);
}

static void test_eor(void **state)
{
	(void)state;
	uint8_t m[128];
	struct bgp_update u;
	size_t n = mk_update(m, "", "", "");
	bgp_update_parse(m, n, &c4, &u);
	assert_int_equal(u.eor, BGP_FAM_IPV4);
	n = mk_update(m, "", "80 0f 03 0002 01", "");
	assert_int_equal(bgp_update_parse(m, n, &c4, &u), BGP_ACT_NONE);
	assert_int_equal(u.eor, BGP_FAM_IPV6);
	n = mk_update(m, "", "80 0f 04 0002 01 00", "");
	bgp_update_parse(m, n, &c4, &u);
	assert_int_equal(u.eor, -1);
	n = mk_update(m, "", "80 0f 03 0002 01 40 01 01 00", "");
	bgp_update_parse(m, n, &c4, &u);
	assert_int_equal(u.eor, -1);
}

struct bad_case {
	const char *name, *wd, *attrs, *nlri;
	enum bgp_action act;
	uint8_t subcode, attr;
};

static void test_rfc7606(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ "origin value", "", "40 01 01 03 40 02 00" NH_V4, "08 0a", BGP_ACT_WITHDRAW, 6, 1 },
		{ "origin length", "", "40 01 02 00 00 40 02 00" NH_V4, "08 0a", BGP_ACT_WITHDRAW, 5, 1 },
		{ "origin flags", "", "c0 01 01 00 40 02 00" NH_V4, "08 0a", BGP_ACT_WITHDRAW, 4, 1 },
		{ "as_path zero segment", "", ORIGIN_IGP "40 02 02 02 00" NH_V4, "08 0a", BGP_ACT_WITHDRAW, 11, 2 },
		{ "as_path overrun", "", ORIGIN_IGP "40 02 04 02 02 0001" NH_V4, "08 0a", BGP_ACT_WITHDRAW, 11, 2 },
		{ "as_path bad type", "", ORIGIN_IGP "40 02 04 07 01 0001" NH_V4, "08 0a", BGP_ACT_WITHDRAW, 11, 2 },
		{ "next_hop length", "", ORIGIN_IGP "40 02 00 40 03 03 0a0000", "08 0a", BGP_ACT_WITHDRAW, 5, 3 },
		{ "missing next_hop", "", ORIGIN_IGP "40 02 00", "08 0a", BGP_ACT_WITHDRAW, 3, 3 },
		{ "missing origin", "", "40 02 00" NH_V4, "08 0a", BGP_ACT_WITHDRAW, 3, 1 },
		{ "med length", "", ORIGIN_IGP "40 02 00" NH_V4 "80 04 02 0000", "08 0a", BGP_ACT_WITHDRAW, 5, 4 },
		{ "local_pref length", "", ORIGIN_IGP "40 02 00" NH_V4 "40 05 00", "08 0a", BGP_ACT_WITHDRAW, 5, 5 },
		{ "communities length", "", ORIGIN_IGP "40 02 00" NH_V4 "c0 08 03 000000", "08 0a", BGP_ACT_WITHDRAW, 5, 8 },
		{ "ext communities length", "", ORIGIN_IGP "40 02 00" NH_V4 "c0 10 04 00000000", "08 0a", BGP_ACT_WITHDRAW, 5, 16 },
		{ "large communities length", "", ORIGIN_IGP "40 02 00" NH_V4 "c0 20 08 0000000000000000", "08 0a", BGP_ACT_WITHDRAW, 5, 32 },
		{ "cluster_list length", "", ORIGIN_IGP "40 02 00" NH_V4 "80 0a 02 0000", "08 0a", BGP_ACT_WITHDRAW, 5, 10 },
		{ "originator length", "", ORIGIN_IGP "40 02 00" NH_V4 "80 09 02 0000", "08 0a", BGP_ACT_WITHDRAW, 5, 9 },
		{ "attribute overrun", "", ORIGIN_IGP "40 02 00" NH_V4 "c0 08 08 00000001", "08 0a", BGP_ACT_WITHDRAW, 5, 8 },
		{ "attribute header cut", "", ORIGIN_IGP "40 02 00" NH_V4 "c0 08", "08 0a", BGP_ACT_WITHDRAW, 5, 0 },
		{ "atomic_aggregate length", "", ORIGIN_IGP "40 02 00" NH_V4 "40 06 01 00", "08 0a", BGP_ACT_ATTR_DISCARD, 5, 6 },
		{ "aggregator length", "", ORIGIN_IGP "40 02 00" NH_V4 "c0 07 06 0001 0a000001", "08 0a", BGP_ACT_ATTR_DISCARD, 5, 7 },
		{ "duplicate med", "", ORIGIN_IGP "40 02 00" NH_V4 "80 04 04 00000001 80 04 04 00000002", "08 0a", BGP_ACT_ATTR_DISCARD, 1, 4 },
		{ "mp_reach bad next hop", "", ORIGIN_IGP "40 02 00 80 0e 0a 0002 01 05 0102030405 00", "", BGP_ACT_AFI_DISABLE, 9, 14 },
		{ "mp_reach prefix too long", "", ORIGIN_IGP "40 02 00 80 0e 16 0002 01 10 20010db8000000000000000000000001 00 81", "", BGP_ACT_AFI_DISABLE, 9, 14 },
		{ "mp_unreach overrun", "", "80 0f 05 0002 01 40 20", "", BGP_ACT_AFI_DISABLE, 9, 15 },
		{ "mp_reach too short", "", "80 0e 02 0002", "", BGP_ACT_RESET, 9, 14 },
		{ "duplicate mp_unreach", "", "80 0f 03 0002 01 80 0f 03 0002 01", "", BGP_ACT_RESET, 1, 15 },
		{ "unknown well-known", "", ORIGIN_IGP "40 02 00" NH_V4 "40 63 00", "08 0a", BGP_ACT_RESET, 2, 0x63 },
		{ "nlri prefix 33", "", ORIGIN_IGP "40 02 00" NH_V4, "21 0a000000 00", BGP_ACT_RESET, 10, 0 },
		{ "nlri overrun", "", ORIGIN_IGP "40 02 00" NH_V4, "18 0a00", BGP_ACT_RESET, 10, 0 },
		{ "withdrawn overrun", "18 0a", "", "", BGP_ACT_RESET, 10, 0 },
	};
	uint8_t m[512];
	struct bgp_update u;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		size_t n = mk_update(m, c->wd, c->attrs, c->nlri);
		enum bgp_action a = bgp_update_parse(m, n, &c4, &u);
		if (a != c->act || !u.n_errors || u.errors[0].subcode != c->subcode ||
		    u.errors[0].attr != c->attr)
			fail_msg("%s: action %d errors %d subcode %d attr %d", c->name, a, u.n_errors,
				 u.n_errors ? u.errors[0].subcode : -1, u.n_errors ? u.errors[0].attr : -1);
	}

	/* Length fields inconsistent with the message. */
	size_t n = mk_update(m, "", ORIGIN_IGP, "");
	put_u16(m + 19, 200);
	assert_int_equal(bgp_update_parse(m, n, &c4, &u), BGP_ACT_RESET);
	n = mk_update(m, "", ORIGIN_IGP, "");
	put_u16(m + 21, 200);
	assert_int_equal(bgp_update_parse(m, n, &c4, &u), BGP_ACT_RESET);

	/* Discarded and duplicate attributes vanish; the first copy stays. */
	struct bgp_attr a;
	n = mk_update(m, "", ORIGIN_IGP "40 02 00" NH_V4 "80 04 04 00000001 40 06 01 00 80 04 04 00000002",
		      "08 0a");
	assert_int_equal(bgp_update_parse(m, n, &c4, &u), BGP_ACT_ATTR_DISCARD);
	assert_int_equal(u.n_errors, 2);
	assert_false(bgp_update_attr(&u, BGP_ATTR_ATOMIC_AGGREGATE, &a));
	assert_true(bgp_update_attr(&u, BGP_ATTR_MED, &a));
	assert_int_equal(get_u32(a.val), 1);

	/* Malformed AS4_PATH is discarded; AS_PATH stands alone. */
	n = mk_update(m, "", ORIGIN_IGP "40 02 04 02 01 0064" NH_V4 "c0 11 06 03 01 fa56ea01", "08 0a");
	assert_int_equal(bgp_update_parse(m, n, &c2, &u), BGP_ACT_ATTR_DISCARD);
	aspath_is(&u, "02 01 00000064");

	/* AFI/SAFI disable on IPv6 leaves classic IPv4 NLRI intact. */
	n = mk_update(m, "", ORIGIN_IGP "40 02 00" NH_V4 "80 0e 0a 0002 01 05 0102030405 00", "08 0a");
	assert_int_equal(bgp_update_parse(m, n, &c4, &u), BGP_ACT_AFI_DISABLE);
	assert_int_equal(u.disable_mask, 1u << BGP_FAM_IPV6);
	assert_false(u.treat_as_withdraw);
	assert_int_equal(u.nlri.len, 2);

	/* More errors than kept: all counted, the worst still reported. */
	n = mk_update(m, "", ORIGIN_IGP "40 02 00" NH_V4
		      "80 04 04 00000001 80 04 04 00000001 80 04 04 00000001 80 04 04 00000001"
		      "80 04 04 00000001 80 04 04 00000001 80 04 04 00000001 80 04 04 00000001"
		      "80 04 04 00000001 80 04 04 00000001 40 01 01 00", "08 0a");
	assert_int_equal(bgp_update_parse(m, n, &c4, &u), BGP_ACT_ATTR_DISCARD);
	assert_int_equal(u.n_errors, 10);
}

static void test_trailing_bits(void **state)
{
	(void)state;
	uint8_t m[128];
	struct bgp_update u;
	struct bgp_prefix p;
	struct bgp_nlri_iter it;
	size_t n = mk_update(m, "", ORIGIN_IGP "40 02 00" NH_V4, "0f 0aff 00");
	assert_int_equal(bgp_update_parse(m, n, &c4, &u), BGP_ACT_NONE);
	bgp_nlri_iter_init(&it, u.nlri, BGP_FAM_IPV4, false);
	assert_true(bgp_nlri_next(&it, &p));
	assert_int_equal(p.len, 15);
	assert_memory_equal(p.addr, "\x0a\xfe\x00\x00", 4);
	assert_true(bgp_nlri_next(&it, &p));
	assert_int_equal(p.len, 0);
}

static void test_notification(void **state)
{
	(void)state;
	uint8_t body[16], m[64];
	struct bgp_notification nt;
	size_t n = bgp_msg(m, BGP_NOTIFICATION, body, hx(body, "06 02 03 616263"));
	assert_true(bgp_notification_parse(m, n, &nt));
	assert_int_equal(nt.code, 6);
	assert_int_equal(nt.subcode, 2);
	assert_int_equal(nt.data.len, 4);
	n = bgp_msg(m, BGP_NOTIFICATION, body, 1);
	assert_false(bgp_notification_parse(m, n, &nt));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msg_check),
		cmocka_unit_test(test_open_caps),
		cmocka_unit_test(test_open_rfc9072),
		cmocka_unit_test(test_negotiate),
		cmocka_unit_test(test_negotiate_disputed),
		cmocka_unit_test(test_update_as4_merge),
		cmocka_unit_test(test_update_addpath),
		cmocka_unit_test(test_update_mp_v6),
		cmocka_unit_test(test_eor),
		cmocka_unit_test(test_rfc7606),
		cmocka_unit_test(test_trailing_bits),
		cmocka_unit_test(test_notification),
		cmocka_unit_test(test_open_hostile_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
