/* Every family's NLRI split into routes and keyed as its RFC names a withdrawal. */
#include "bgp_testutil.h"

#include "nlri.h"

struct walk {
	int n;
	struct nlri_route r[8];
	int rc;		/* the last nlri_next result */
	uint8_t buf[512];	/* the NLRI walked: keys may point into it */
};

static void walk(struct walk *w, uint16_t afi, uint8_t safi, const char *hex, bool addpath,
		 bool withdraw, uint8_t max_labels)
{
	struct nlri_iter it;
	const struct nlri_family *f = nlri_family_find(afi, safi);

	assert_non_null(f);
	memset(w, 0, sizeof(*w));
	nlri_iter_init(&it, f, (struct bgp_span){ w->buf, (uint32_t)hx(w->buf, hex) }, addpath,
		       withdraw, max_labels);
	while ((w->rc = nlri_next(&it, &w->r[w->n])) == 1)
		w->n++;
}

static bool same_key(const struct nlri_route *a, const struct nlri_route *b)
{
	return a->key.len == b->key.len && !memcmp(a->key.p, b->key.p, a->key.len);
}

static void test_families_named(void **state)
{
	(void)state;
	assert_string_equal(nlri_family_find(1, 128)->name, "l3vpn-ipv4-unicast");
	assert_string_equal(nlri_family_find(25, 70)->name, "l2vpn-evpn");
	assert_string_equal(nlri_family_find(16388, 71)->name, "ls");
	assert_null(nlri_family_find(1, 3));
	assert_null(nlri_family_find(3, 1));
}

/* The bits past the length are the sender's: 10.1.0.0/15 sent as 10.1.x.x keys as 10.0/15. */
static void test_prefix_host_bits_masked(void **state)
{
	struct walk w, x;

	(void)state;
	walk(&w, 1, 1, "0f 0a 01  18 c0 00 02", false, false, 0);
	assert_int_equal(w.rc, 0);
	assert_int_equal(w.n, 2);
	assert_hex(w.r[0].key.p, w.r[0].key.len, "0f 0a 00");
	assert_hex(w.r[0].nlri.p, w.r[0].nlri.len, "0f 0a 01");
	walk(&x, 1, 2, "0f 0a 00", false, false, 0);
	assert_true(same_key(&w.r[0], &x.r[0]));
	walk(&w, 1, 1, "21 0a 00 00 00 00", false, false, 0);	/* /33 */
	assert_int_equal(w.rc, -1);
	walk(&w, 2, 1, "40 20 01 0d b8", false, false, 0);	/* truncated /64 */
	assert_int_equal(w.rc, -1);
}

/* RFC 8277 section 2.2: without the capability one label, its S bit ignored. */
static void test_labeled_single(void **state)
{
	struct walk w, wd;

	(void)state;
	/* 24 + 24 bits: label 16000 without S, 10.1.2/24 */
	walk(&w, 1, 4, "30 003e80 0a0102", false, false, 0);
	assert_int_equal(w.rc, 0);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.r[0].labels, 1);
	assert_hex(w.r[0].key.p, w.r[0].key.len, "18 0a 01 02");
	/* Section 2.4: the withdrawal's compatibility field, whatever it holds. */
	walk(&wd, 1, 4, "30 800000 0a0102", false, true, 0);
	assert_int_equal(wd.n, 1);
	assert_true(same_key(&w.r[0], &wd.r[0]));
}

/* RFC 8277 section 2.3: with the capability, labels up to the one with S set. */
static void test_labeled_multiple(void **state)
{
	struct walk w, wd;

	(void)state;
	/* 2 labels (16000, 16001 with S) + 2001:db8::/32 */
	walk(&w, 2, 4, "50 003e80 003e91 20010db8", false, false, 3);
	assert_int_equal(w.rc, 0);
	assert_int_equal(w.r[0].labels, 2);
	assert_hex(w.r[0].key.p, w.r[0].key.len, "20 20 01 0d b8");
	walk(&wd, 2, 4, "38 800000 20010db8", false, true, 3);
	assert_true(same_key(&w.r[0], &wd.r[0]));
	/* A stack longer than the capability allows ends at the count. */
	walk(&w, 2, 4, "50 003e80 003e90 20010db8", false, false, 1);
	assert_int_equal(w.rc, 0);
	assert_int_equal(w.r[0].labels, 1);
	/* Labels past the length are malformed. */
	walk(&w, 1, 4, "10 003e80", false, false, 0);
	assert_int_equal(w.rc, -1);
}

/* RFC 4364: RD and prefix make the route; another label is the same route. */
static void test_vpn_key_without_labels(void **state)
{
	struct walk a, b, wd, other_rd;

	(void)state;
	/* label 100 (S), RD 0:65000:1, 192.0.2.0/24: 24 + 64 + 24 = 112 bits */
	walk(&a, 1, 128, "70 000641 0000fde800000001 c00002", false, false, 0);
	walk(&b, 1, 128, "70 000c81 0000fde800000001 c00002", false, false, 0);
	walk(&wd, 1, 128, "70 800000 0000fde800000001 c00002", false, true, 0);
	walk(&other_rd, 1, 128, "70 000641 0000fde800000002 c00002", false, false, 0);
	assert_int_equal(a.rc, 0);
	assert_int_equal(a.n, 1);
	assert_hex(a.r[0].key.p, a.r[0].key.len, "0000fde800000001 18 c00002");
	assert_true(same_key(&a.r[0], &b.r[0]));
	assert_true(same_key(&a.r[0], &wd.r[0]));
	assert_false(same_key(&a.r[0], &other_rd.r[0]));
	/* Shorter than a label and an RD. */
	walk(&a, 1, 128, "40 000641 0000fde8 0000", false, false, 0);
	assert_int_equal(a.rc, -1);
	/* VPNv6: 24 + 64 + 64 = 152 bits, 2001:db8:1::/64 */
	walk(&a, 2, 128, "98 000641 0000fde800000001 20010db800010000", false, false, 0);
	assert_int_equal(a.rc, 0);
	assert_hex(a.r[0].key.p, a.r[0].key.len, "0000fde800000001 40 20010db800010000");
}

#define EVPN_RD "0001c0000201 0001"
#define EVPN_ESI "00 112233445566778899"

/* RFC 7432 section 7.2: MAC/IP routes keyed by RD, tag, MAC and IP, not ESI or labels. */
static void test_evpn_mac_ip(void **state)
{
	struct walk a, b;

	(void)state;
	walk(&a, 25, 70,
	     "02 25 " EVPN_RD " " EVPN_ESI " 00000064 30 aabbccddeeff 20 c0000201 000641",
	     false, false, 0);
	assert_int_equal(a.rc, 0);
	assert_int_equal(a.n, 1);
	assert_hex(a.r[0].key.p, a.r[0].key.len,
		   "02 " EVPN_RD " 00000064 30 aabbccddeeff 20 c0000201");
	/* Another ESI, two labels: the same route. */
	walk(&b, 25, 70,
	     "02 28 " EVPN_RD " 00000000000000000000 00000064 30 aabbccddeeff 20 c0000201 000641 000c81",
	     false, false, 0);
	assert_int_equal(b.rc, 0);
	assert_true(same_key(&a.r[0], &b.r[0]));
	/* A MAC length other than 48 */
	walk(&a, 25, 70, "02 21 " EVPN_RD " " EVPN_ESI " 00000064 28 aabbccddeeff 00 000641", false,
	     false, 0);
	assert_int_equal(a.rc, -1);
}

/* RFC 9136 section 3.1: RD, tag and prefix; a new gateway replaces the route. */
static void test_evpn_ip_prefix(void **state)
{
	struct walk a, b;

	(void)state;
	walk(&a, 25, 70, "05 22 " EVPN_RD " " EVPN_ESI " 00000000 18 c6336400 0a000001 000641",
	     false, false, 0);
	walk(&b, 25, 70, "05 22 " EVPN_RD " " EVPN_ESI " 00000000 18 c6336400 0a000002 000641",
	     false, false, 0);
	assert_int_equal(a.rc, 0);
	assert_hex(a.r[0].key.p, a.r[0].key.len, "05 " EVPN_RD " 00000000 18 c63364");
	assert_true(same_key(&a.r[0], &b.r[0]));
	walk(&a, 25, 70, "05 22 " EVPN_RD " " EVPN_ESI " 00000000 21 c6336400 0a000001 000641",
	     false, false, 0);	/* /33 in an IPv4 route */
	assert_int_equal(a.rc, -1);
}

/* Types 1, 3, 4 and unknown ones, several routes in one attribute. */
static void test_evpn_other_types(void **state)
{
	struct walk w;

	(void)state;
	walk(&w, 25, 70,
	     "01 19 " EVPN_RD " " EVPN_ESI " 00000064 000641"
	     " 03 11 " EVPN_RD " 00000064 20 c0000201"
	     " 04 17 " EVPN_RD " " EVPN_ESI " 20 c0000201"
	     " 0b 02 abcd",
	     false, false, 0);
	assert_int_equal(w.rc, 0);
	assert_int_equal(w.n, 4);
	assert_hex(w.r[0].key.p, w.r[0].key.len, "01 " EVPN_RD " " EVPN_ESI " 00000064");
	assert_hex(w.r[1].key.p, w.r[1].key.len, "03 11 " EVPN_RD " 00000064 20 c0000201");
	assert_hex(w.r[2].key.p, w.r[2].key.len, "04 17 " EVPN_RD " " EVPN_ESI " 20 c0000201");
	assert_hex(w.r[3].key.p, w.r[3].key.len, "0b 02 abcd");
	walk(&w, 25, 70, "03 12 " EVPN_RD " 00000064 20 c0000201 00", false, false, 0);
	assert_int_equal(w.rc, -1);
	walk(&w, 25, 70, "0b 05 abcd", false, false, 0);	/* value past the attribute */
	assert_int_equal(w.rc, -1);
}

/* RFC 8955 section 4: the rule is the key, whatever length encoding carried it. */
static void test_flowspec(void **state)
{
	struct walk a, b;

	(void)state;
	/* destination 192.0.2.0/24, protocol = 6 */
	walk(&a, 1, 133, "08 01 18 c00002 03 81 06", false, false, 0);
	walk(&b, 1, 133, "f0 08 01 18 c00002 03 81 06", false, false, 0);
	assert_int_equal(a.rc, 0);
	assert_int_equal(b.rc, 0);
	assert_hex(a.r[0].key.p, a.r[0].key.len, "01 18 c00002 03 81 06");
	assert_true(same_key(&a.r[0], &b.r[0]));
	assert_int_equal(b.r[0].nlri.len, 10);
	walk(&a, 1, 133, "09 01 18 c00002 03 81 06", false, false, 0);
	assert_int_equal(a.rc, -1);
	walk(&a, 1, 133, "00", false, false, 0);
	assert_int_equal(a.rc, -1);
	/* VPN flowspec: an RD, then the rule */
	walk(&a, 1, 134, "10 0000fde800000001 01 18 c00002 03 81 06", false, false, 0);
	assert_int_equal(a.rc, 0);
	assert_int_equal(a.r[0].key.len, 16);
	walk(&a, 1, 134, "04 0000fde8", false, false, 0);
	assert_int_equal(a.rc, -1);
}

/* RFC 4684 section 4: the default, or 32 to 96 bits of origin AS and route target. */
static void test_rtc(void **state)
{
	struct walk w;

	(void)state;
	walk(&w, 1, 132, "00  60 0000fde8 0002fde800000064  30 0000fde8 0002", false, false, 0);
	assert_int_equal(w.rc, 0);
	assert_int_equal(w.n, 3);
	assert_hex(w.r[1].key.p, w.r[1].key.len, "60 0000fde8 0002fde800000064");
	walk(&w, 1, 132, "18 0000fd", false, false, 0);
	assert_int_equal(w.rc, -1);
}

/* RFC 9552: two-octet type and length; the whole NLRI is the key. */
static void test_bgp_ls(void **state)
{
	struct walk w;

	(void)state;
	walk(&w, 16388, 71, "0001 0005 0300000000  0002 0001 ff", false, false, 0);
	assert_int_equal(w.rc, 0);
	assert_int_equal(w.n, 2);
	assert_hex(w.r[0].key.p, w.r[0].key.len, "0001 0005 0300000000");
	walk(&w, 16388, 71, "0001 0006 0300000000", false, false, 0);
	assert_int_equal(w.rc, -1);
}

/* RFC 7911: a path identifier before every route of every family. */
static void test_addpath_every_family(void **state)
{
	struct walk w;

	(void)state;
	walk(&w, 1, 128, "00000007 70 000641 0000fde800000001 c00002", true, false, 0);
	assert_int_equal(w.rc, 0);
	assert_int_equal(w.r[0].path_id, 7);
	assert_hex(w.r[0].key.p, w.r[0].key.len, "0000fde800000001 18 c00002");
	walk(&w, 25, 70, "00000009 0b 02 abcd 0000000a 0b 02 abcd", true, false, 0);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.r[1].path_id, 10);
	assert_true(same_key(&w.r[0], &w.r[1]));
	walk(&w, 1, 133, "00000001 02 81 06 000000", true, false, 0);	/* a truncated path id */
	assert_int_equal(w.n, 1);
	assert_int_equal(w.rc, -1);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_families_named),
		cmocka_unit_test(test_prefix_host_bits_masked),
		cmocka_unit_test(test_labeled_single),
		cmocka_unit_test(test_labeled_multiple),
		cmocka_unit_test(test_vpn_key_without_labels),
		cmocka_unit_test(test_evpn_mac_ip),
		cmocka_unit_test(test_evpn_ip_prefix),
		cmocka_unit_test(test_evpn_other_types),
		cmocka_unit_test(test_flowspec),
		cmocka_unit_test(test_rtc),
		cmocka_unit_test(test_bgp_ls),
		cmocka_unit_test(test_addpath_every_family),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
