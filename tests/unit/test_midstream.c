/* Unit tests: detection of the UPDATE encoding of mid-stream sessions. */
#include <stdlib.h>
#include <linux/bmptap.h>

#include "bgp_testutil.h"
#include "midstream.h"

#define ORIGIN		"40 01 01 00"
#define NH		"40 03 04 0a000001"
#define AS4_PATH2	"40 02 0a 02 02 0000fde9 0000fdea"	/* 65001 65002, 4-octet */
#define AS2_PATH2	"40 02 06 02 02 fde9 fdea"		/* 65001 65002, 2-octet */
#define V6_NH		"10 20010db8000000000000000000000001 00"

static struct ms_evidence ev(const char *wd, const char *attrs, const char *nlri)
{
	uint8_t m[4096];
	struct ms_evidence e;

	ms_evidence(m, mk_update(m, wd, attrs, nlri), &e);
	return e;
}

static void learn(struct midstream *m, int dir, const char *wd, const char *attrs,
		  const char *nlri)
{
	uint8_t b[4096];
	size_t n = mk_update(b, wd, attrs, nlri);

	ms_learn(m, dir, b, n);
	assert_true(ms_hold(m, dir, b, n, 1));
}

static void as4_vs_as2(void **state)
{
	(void)state;
	assert_int_equal(ev("", ORIGIN AS4_PATH2 NH, "18c63364").as4, MS_YES);
	assert_int_equal(ev("", ORIGIN AS2_PATH2 NH, "18c63364").as4, MS_NO);
	/* An 8-octet AGGREGATOR alone decides too; an empty AS_PATH does not. */
	assert_int_equal(ev("", ORIGIN "40 02 00 c0 07 08 0000fde9 0a000001" NH,
			    "18c63364").as4, MS_YES);
	assert_int_equal(ev("", ORIGIN "40 02 00" NH, "18c63364").as4, MS_UNKNOWN);
	/* eBGP: an AS_PATH without LOCAL_PREF; iBGP: LOCAL_PREF. */
	assert_int_equal(ev("", ORIGIN AS4_PATH2 NH, "18c63364").ebgp, MS_YES);
	assert_int_equal(ev("", ORIGIN "40 02 00" NH "40 05 04 00000064", "18c63364").ebgp,
			 MS_NO);
}

static void as4_path_means_as2(void **state)
{
	struct midstream m;
	struct bgp_session s;
	/* AS_PATH: AS_TRANS; AS4_PATH: 4200000004 (RFC 6793 4.2.2). */
	const char *attrs = ORIGIN "40 02 04 02 01 5ba0" NH "c0 11 06 02 01 fa56ea04";

	(void)state;
	/* Both AS_PATH readings are invalid or not, AS4_PATH settles it. */
	assert_int_equal(ev("", attrs, "18c63364").as4, MS_NO);
	ms_init(&m);
	learn(&m, BMPTAP_DIR_RX, "", attrs, "18c63364");
	assert_true(ms_ready(&m));
	ms_session(&m, &s);
	assert_false(s.rx.as4);
	assert_int_equal(ms_sender_as(&m, BMPTAP_DIR_RX, &s.rx), 4200000004u);
	ms_free(&m);
}

static void addpath_ipv4_unicast(void **state)
{
	struct midstream m;
	struct bgp_session s;
	uint8_t *open[2];
	size_t open_len[2];
	struct bgp_open o;

	(void)state;
	/* 198.51.100.0/24 with path id 1: only valid with path ids. */
	assert_int_equal(ev("", ORIGIN AS4_PATH2 NH, "00000001 18c63364").addpath[BGP_FAM_IPV4],
			 MS_YES);
	assert_int_equal(ev("", ORIGIN AS4_PATH2 NH, "18c63364").addpath[BGP_FAM_IPV4], MS_NO);
	/* Withdrawn routes count as well. */
	assert_int_equal(ev("00000001 18c63364", "", "").addpath[BGP_FAM_IPV4], MS_YES);

	ms_init(&m);
	learn(&m, BMPTAP_DIR_RX, "", ORIGIN AS4_PATH2 NH, "00000001 18c63364");
	assert_true(ms_ready(&m));
	ms_session(&m, &s);
	assert_true(s.rx.as4);
	assert_true(s.rx.addpath[BGP_FAM_IPV4]);
	assert_false(s.tx.addpath[BGP_FAM_IPV4]);
	assert_int_equal(ms_sender_as(&m, BMPTAP_DIR_RX, &s.rx), 65001);
	assert_true(ms_opens(&m, &s, 65001, 65010, open, open_len));
	/* The peer's OPEN: 4-octet AS 65001, ADD-PATH send for IPv4 unicast;
	 * BGP Identifier 0 is what bgp_open_parse() objects to (unknown). */
	assert_int_equal(bgp_open_parse(open[BMPTAP_DIR_RX], open_len[BMPTAP_DIR_RX], &o),
			 BGP_ERR_OPEN << 8 | 3);
	assert_true(o.as4);
	assert_int_equal(o.as, 65001);
	assert_int_equal(o.addpath[BGP_FAM_IPV4], BGP_ADDPATH_TX);
	bgp_open_parse(open[BMPTAP_DIR_TX], open_len[BMPTAP_DIR_TX], &o);
	assert_int_equal(o.as, 65010);
	assert_int_equal(o.addpath[BGP_FAM_IPV4], BGP_ADDPATH_RX);
	free(open[0]);
	free(open[1]);
	ms_free(&m);
}

static void mp_reach_ipv6(void **state)
{
	const char *reach_plain = "80 0e 1c 0002 01 " V6_NH " 30 20010db80001";
	const char *reach_pid = "80 0e 20 0002 01 " V6_NH " 00000002 30 20010db80001";
	const char *unreach_pid = "80 0f 0e 0002 01 00000002 30 20010db80001";
	struct ms_evidence e;

	(void)state;
	e = ev("", reach_plain, "");
	assert_true(e.fam[BGP_FAM_IPV6]);
	assert_false(e.fam[BGP_FAM_IPV4]);
	assert_int_equal(e.addpath[BGP_FAM_IPV6], MS_NO);
	e = ev("", reach_pid, "");
	assert_int_equal(e.addpath[BGP_FAM_IPV6], MS_YES);
	e = ev("", unreach_pid, "");
	assert_int_equal(e.addpath[BGP_FAM_IPV6], MS_YES);
	/* End-of-RIB: no NLRI, no evidence. */
	e = ev("", "80 0f 03 0002 01", "");
	assert_false(e.fam[BGP_FAM_IPV6]);
}

static void ambiguous_stays_undecided(void **state)
{
	struct midstream m;
	/* 0.0.0.0/0 x3, 0/1, 10.0.0.0/10 ... or path id 1 + 10.0.1.0/24. */
	const char *both = "00000001 18 0a0001";

	(void)state;
	assert_int_equal(ev("", ORIGIN AS4_PATH2 NH, both).addpath[BGP_FAM_IPV4], MS_UNKNOWN);
	ms_init(&m);
	/* Ambiguous NLRI, and an empty AS_PATH: nothing decided. */
	learn(&m, BMPTAP_DIR_RX, "", ORIGIN "40 02 00" NH, both);
	assert_false(ms_ready(&m));
	/* The AS size alone is not enough while IPv4 ADD-PATH is open. */
	learn(&m, BMPTAP_DIR_RX, "", ORIGIN AS4_PATH2 NH, both);
	assert_false(ms_ready(&m));
	assert_int_equal(m.as4, MS_YES);
	/* A TX UPDATE decides only the TX direction. */
	learn(&m, BMPTAP_DIR_TX, "", ORIGIN AS4_PATH2 NH, "18c63364");
	assert_false(ms_ready(&m));
	learn(&m, BMPTAP_DIR_RX, "", ORIGIN AS4_PATH2 NH, "00000001 18c63364");
	assert_true(ms_ready(&m));
	assert_int_equal(m.n_held, 4);
	ms_free(&m);

	/* Contradicting evidence: never decided. */
	ms_init(&m);
	learn(&m, BMPTAP_DIR_RX, "", ORIGIN AS4_PATH2 NH, "18c63364");
	learn(&m, BMPTAP_DIR_RX, "", ORIGIN AS2_PATH2 NH, "18c63364");
	assert_true(m.conflict);
	assert_false(ms_ready(&m));
	ms_free(&m);
}

static void after_up_undecided_family(void **state)
{
	struct midstream m;
	struct bgp_session s;
	uint8_t b[512];

	(void)state;
	ms_init(&m);
	learn(&m, BMPTAP_DIR_RX, "", ORIGIN AS4_PATH2 NH, "18c63364");
	assert_true(ms_ready(&m));
	ms_session(&m, &s);
	/* IPv6 was never seen before Peer Up: path ids in it cannot be
	 * announced any more; plain IPv6 NLRI agree with the OPENs. */
	assert_false(ms_deliverable(&m, BMPTAP_DIR_RX, b, mk_update(b, "",
		     "80 0e 20 0002 01 " V6_NH " 00000002 30 20010db80001", "")));
	assert_true(ms_deliverable(&m, BMPTAP_DIR_RX, b, mk_update(b, "",
		    "80 0e 1c 0002 01 " V6_NH " 30 20010db80001", "")));
	assert_true(ms_deliverable(&m, BMPTAP_DIR_RX, b, mk_update(b, "", ORIGIN AS4_PATH2 NH,
		    "18c63364")));
	/* A 2-octet AS_PATH contradicts the detected AS size. */
	assert_false(ms_deliverable(&m, BMPTAP_DIR_RX, b, mk_update(b, "", ORIGIN AS2_PATH2 NH,
		     "18c63364")));
	assert_int_equal(m.undecodable, 2);
	ms_free(&m);
}

static void hold_is_bounded(void **state)
{
	struct midstream m;
	uint8_t b[512];
	size_t n = mk_update(b, "", ORIGIN "40 02 00" NH, "00000001 18 0a0001");

	(void)state;
	ms_init(&m);
	for (unsigned i = 0; i < MS_HOLD_MSGS; i++)
		assert_true(ms_hold(&m, BMPTAP_DIR_RX, b, n, i));
	assert_false(ms_hold(&m, BMPTAP_DIR_RX, b, n, 0));
	assert_int_equal(m.dropped, 1);
	assert_int_equal(m.n_held, MS_HOLD_MSGS);
	ms_free(&m);
	assert_int_equal(m.n_held, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(as4_vs_as2),
		cmocka_unit_test(as4_path_means_as2),
		cmocka_unit_test(addpath_ipv4_unicast),
		cmocka_unit_test(mp_reach_ipv6),
		cmocka_unit_test(ambiguous_stays_undecided),
		cmocka_unit_test(after_up_undecided_family),
		cmocka_unit_test(hold_is_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
