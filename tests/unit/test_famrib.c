/* The Adj-RIB of every family rib.c does not keep (famrib.h): keys as each
 * RFC names a withdrawal, RFC 7606 disable, budget, End-of-RIB, walks. */
#include "bgp_testutil.h"

#include <errno.h>

#include "bmp.h"
#include "famrib.h"
#include "famreplay.h"

/* ORIGIN IGP, AS_PATH 65001 (4-octet), then the MP attribute. */
#define BASE_ATTRS "40 01 01 00  40 02 06 02 01 0000fde9 "
#define VPN4 1, 128
#define EVPN 25, 70
#define FLOW4 1, 133
/* RD 0:65000:100, and 10.1.1.0/24 under it. */
#define RD "0000fde8 00000064 "

struct fixture {
	struct attr_table at;
	struct famrib fr;
	int announced, replaced, withdrawn;
	struct buf *rec;	/* records the changes when set, as peer.c does */
	uint8_t msg[4096];
	struct bgp_update u;
};

static void on_change(void *ctx, const struct famrib_entry *e, uint32_t old, uint32_t new)
{
	struct fixture *f = ctx;

	assert_true(e->nlri.len > 0);
	if (f->rec)
		famrib_chg_add(f->rec, e);
	if (!old)
		f->announced++;
	else if (!new)
		f->withdrawn++;
	else
		f->replaced++;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	attr_table_init(&f->at);
	famrib_init(&f->fr, &f->at, NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	famrib_free(&f->fr);
	assert_int_equal(f->at.count, 0);	/* every reference returned */
	attr_table_free(&f->at);
	free(f);
	return 0;
}

/* An attribute of type 14 or 15 from its value in hex, extended length. */
static size_t mp_attr(char *out, size_t max, uint8_t type, uint16_t afi, uint8_t safi,
		      const char *rest)
{
	uint8_t v[8192];
	size_t n = hx(v, rest), k;

	k = (size_t)snprintf(out, max, "90 %02x %04zx %04x %02x ", type, n + 3, afi, safi);
	for (size_t i = 0; i < n; i++)
		k += (size_t)snprintf(out + k, max - k, "%02x", v[i]);
	return k;
}

static void parse(struct fixture *f, const char *attrs)
{
	struct bgp_codec c = { .as4 = true };
	size_t len = mk_update(f->msg, "", attrs, "");

	bgp_update_parse(f->msg, len, &c, &f->u);
}

static int apply(struct fixture *f, uint32_t addpath)
{
	return famrib_apply(&f->fr, &f->u, addpath, on_change, f);
}

/* An UPDATE announcing nlri of afi/safi with next hop nh (hex). */
static int reach(struct fixture *f, uint16_t afi, uint8_t safi, const char *nh, const char *nlri)
{
	char rest[16384], attrs[16384];
	uint8_t tmp[256];
	size_t nhl = hx(tmp, nh);

	snprintf(rest, sizeof(rest), "%02zx %s 00 %s", nhl, nh, nlri);
	snprintf(attrs, sizeof(attrs), BASE_ATTRS);
	mp_attr(attrs + strlen(attrs), sizeof(attrs) - strlen(attrs), 14, afi, safi, rest);
	parse(f, attrs);
	return apply(f, 0);
}

static int unreach(struct fixture *f, uint16_t afi, uint8_t safi, const char *nlri)
{
	char attrs[8192];

	mp_attr(attrs, sizeof(attrs), 15, afi, safi, nlri);
	parse(f, attrs);
	return apply(f, 0);
}

/* The one route of fam the store holds: its NLRI and attribute set. */
static struct famrib_entry only(struct fixture *f, unsigned fam)
{
	struct famrib_entry e[2];
	uint32_t n, pos = 0;
	struct fr_route **o = famrib_order(&f->fr, fam, &n);

	assert_int_equal(n, 1);
	assert_int_equal(famrib_walk(o, n, &pos, e, 2), 1);
	free(o);
	return e[0];
}

static unsigned fam_of(uint16_t afi, uint8_t safi)
{
	return nlri_family_index(nlri_family_find(afi, safi));
}

/* RFC 4364: a VPN route is its RD and prefix; another label replaces it, a
 * withdrawal with the RFC 8277 compatibility label removes it. */
static void test_vpn_label_replace_withdraw(void **state)
{
	struct fixture *f = *state;
	unsigned fam = fam_of(VPN4);
	struct bgp_attr a;

	assert_int_equal(reach(f, VPN4, "0000000000000000 c0000201", "70 000641" RD "0a0101"), 0);
	assert_int_equal(f->announced, 1);
	assert_int_equal(f->fr.count[fam], 1);
	/* The set carries the family's next hop, whole. */
	struct famrib_entry e = only(f, fam);
	const struct attr_set *s = attr_get(&f->at, e.attr);

	assert_int_equal(s->fam, ATTR_FAM_MP);
	assert_true(attr_find(s, BGP_ATTR_MP_REACH, &a));
	assert_hex(a.val, a.len, "0001 80 0c 0000000000000000 c0000201 00");
	assert_true(attr_find(s, BGP_ATTR_AS_PATH, &a));

	assert_int_equal(reach(f, VPN4, "0000000000000000 c0000201", "70 000c81" RD "0a0101"), 0);
	assert_int_equal(f->replaced, 1);
	assert_int_equal(f->fr.count[fam], 1);
	e = only(f, fam);
	assert_hex(e.nlri.p, e.nlri.len, "70 000c81" RD "0a0101");
	/* Another RD is another route. */
	assert_int_equal(reach(f, VPN4, "0000000000000000 c0000201",
			       "70 000c81 0000fde8 00000065 0a0101"), 0);
	assert_int_equal(f->fr.count[fam], 2);

	assert_int_equal(unreach(f, VPN4, "70 800000" RD "0a0101"), 0);
	assert_int_equal(f->withdrawn, 1);
	assert_int_equal(f->fr.count[fam], 1);
	assert_int_equal(unreach(f, VPN4, "70 800000" RD "0a0101"), 0);
	assert_int_equal(f->fr.dup_withdraw, 1);
	/* The same route again: a duplicate, not a change. */
	assert_int_equal(reach(f, VPN4, "0000000000000000 c0000201",
			       "70 000c81 0000fde8 00000065 0a0101"), 0);
	assert_int_equal(f->fr.dup_announce, 1);
	assert_int_equal(f->announced, 2);
}

/* RFC 7432 section 7.2: the ESI is not part of a MAC/IP route's key. */
static void test_evpn_mac_ip_other_esi(void **state)
{
	struct fixture *f = *state;
	unsigned fam = fam_of(EVPN);
	const char *a = "02 25" RD "00112233445566778899 00000000 30 aabbccddeeff 20 c0000205 000641";
	const char *b = "02 25" RD "0a0a0a0a0a0a0a0a0a0a 00000000 30 aabbccddeeff 20 c0000205 000641";

	assert_int_equal(reach(f, EVPN, "c0000201", a), 0);
	assert_int_equal(reach(f, EVPN, "c0000201", b), 0);
	assert_int_equal(f->announced, 1);
	assert_int_equal(f->replaced, 1);
	assert_int_equal(f->fr.count[fam], 1);
	struct famrib_entry e = only(f, fam);

	assert_hex(e.nlri.p, e.nlri.len, b);
	/* The withdrawal may carry yet another ESI and label. */
	assert_int_equal(unreach(f, EVPN, "02 25" RD "ffffffffffffffffffff 00000000 30 aabbccddeeff "
				 "20 c0000205 000000"), 0);
	assert_int_equal(f->fr.count[fam], 0);
}

/* RFC 8955: the rule is the key, in either length encoding; no next hop. */
static void test_flowspec_withdraw(void **state)
{
	struct fixture *f = *state;
	unsigned fam = fam_of(FLOW4);

	assert_int_equal(reach(f, FLOW4, "", "05 01 18 0a0000  08 01 18 0a0001 03 81 06"), 0);
	assert_int_equal(f->fr.count[fam], 2);
	assert_int_equal(unreach(f, FLOW4, "f0 05 01 18 0a0000"), 0);
	assert_int_equal(f->fr.count[fam], 1);
	struct famrib_entry e = only(f, fam);

	assert_hex(e.nlri.p, e.nlri.len, "08 01 18 0a0001 03 81 06");
	assert_int_equal(unreach(f, FLOW4, "08 01 18 0a0001 03 81 06"), 0);
	assert_int_equal(f->fr.count[fam], 0);
}

/* RFC 7606 section 5.3: NLRI that cannot be split disable the family alone. */
static void test_malformed_disables_family(void **state)
{
	struct fixture *f = *state;
	unsigned vpn = fam_of(VPN4), evpn = fam_of(EVPN);

	reach(f, VPN4, "0000000000000000 c0000201", "70 000641" RD "0a0101");
	reach(f, EVPN, "c0000201", "03 11" RD "00000000 20 c0000201");
	assert_int_equal(f->fr.count[evpn], 1);
	/* A /200 VPN route: nothing of this UPDATE is taken, the family goes. */
	reach(f, VPN4, "0000000000000000 c0000201", "70 000641" RD "0a0201 c8 000641");
	assert_true(f->fr.disabled[vpn]);
	assert_true(famrib_ignores_part(&f->fr, &f->u));
	assert_int_equal(f->fr.count[vpn], 0);
	assert_int_equal(f->withdrawn, 1);
	assert_int_equal(f->fr.count[evpn], 1);
	/* Later announcements of it are ignored, the other family is kept. */
	reach(f, VPN4, "0000000000000000 c0000201", "70 000641" RD "0a0101");
	assert_int_equal(f->fr.count[vpn], 0);
	reach(f, EVPN, "c0000201", "03 11 0000fde8 00000065 00000000 20 c0000201");
	assert_int_equal(f->fr.count[evpn], 2);
	assert_false(famrib_ignores_part(&f->fr, &f->u));
	/* A next hop overrunning MP_REACH_NLRI disables EVPN too. */
	parse(f, BASE_ATTRS "90 0e 0004 0019 46 20");
	apply(f, 0);
	assert_true(f->fr.disabled[evpn]);
	assert_int_equal(f->fr.count[evpn], 0);
	/* A new session starts over. */
	famrib_reset(&f->fr, on_change, f);
	assert_false(f->fr.disabled[vpn]);
	reach(f, VPN4, "0000000000000000 c0000201", "70 000641" RD "0a0101");
	assert_int_equal(f->fr.count[vpn], 1);
}

/* Treat-as-withdraw (no AS_PATH) removes the routes without counting them
 * as the peer's duplicate withdrawals. */
static void test_treat_as_withdraw(void **state)
{
	struct fixture *f = *state;
	char attrs[512];

	reach(f, VPN4, "0000000000000000 c0000201", "70 000641" RD "0a0101");
	snprintf(attrs, sizeof(attrs), "40 01 01 00 ");
	mp_attr(attrs + strlen(attrs), sizeof(attrs) - strlen(attrs), 14, VPN4,
		"0c 0000000000000000 c0000201 00 70 000641" RD "0a0101 70 000641" RD "0a0102");
	parse(f, attrs);
	assert_true(f->u.treat_as_withdraw);
	assert_int_equal(apply(f, 0), 0);
	assert_int_equal(famrib_total(&f->fr), 0);
	assert_int_equal(f->fr.dup_withdraw, 0);
}

/* One EVPN type 3 route under path ids a and b (hex), ADD-PATH on. */
static void evpn_two_paths(struct fixture *f, const char *a, const char *b)
{
	char attrs[512], rest[256];

	snprintf(rest, sizeof(rest), "04 c0000201 00 %s 03 11" RD "00000000 20 c0000201"
		 "%s 03 11" RD "00000000 20 c0000201", a, b);
	snprintf(attrs, sizeof(attrs), BASE_ATTRS);
	mp_attr(attrs + strlen(attrs), sizeof(attrs) - strlen(attrs), 14, EVPN, rest);
	parse(f, attrs);
	assert_int_equal(apply(f, 1u << fam_of(EVPN)), 0);
}

/* ADD-PATH: the path id is part of every family's key. */
static void test_addpath(void **state)
{
	struct fixture *f = *state;
	char attrs[512];
	unsigned fam = fam_of(EVPN);

	evpn_two_paths(f, "00000001", "00000002");
	assert_int_equal(f->fr.count[fam], 2);
	mp_attr(attrs, sizeof(attrs), 15, EVPN, "00000002 03 11" RD "00000000 20 c0000201");
	parse(f, attrs);
	assert_int_equal(apply(f, 1u << fam), 0);
	assert_int_equal(f->fr.count[fam], 1);
	assert_int_equal(only(f, fam).path_id, 1);
}

/* RFC 4724: End-of-RIB of a family is an MP_UNREACH_NLRI with no NLRI. */
static void test_eor(void **state)
{
	struct fixture *f = *state;

	parse(f, "80 0f 03 0019 46");
	assert_int_equal(famrib_eor(&f->u), (int)fam_of(EVPN));
	parse(f, "90 0f 0003 0001 85");
	assert_int_equal(famrib_eor(&f->u), (int)fam_of(FLOW4));
	parse(f, "80 0f 03 0001 01");	/* unicast: bgp.c's */
	assert_int_equal(famrib_eor(&f->u), -1);
	parse(f, "80 0f 08 0019 46 03 05 00000000");
	assert_int_equal(famrib_eor(&f->u), -1);
	parse(f, "40 01 01 00 80 0f 03 0019 46");
	assert_int_equal(famrib_eor(&f->u), -1);
}

/* A family nlri.h cannot split is live only: counted per UPDATE, not kept. */
static void test_live_only(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(reach(f, 1, 3, "c0000201", "18 0a0101"), 0);
	assert_int_equal(unreach(f, 1, 3, "18 0a0101"), 0);
	assert_int_equal(reach(f, 3, 1, "c0000201", "18 0a0101"), 0);
	assert_int_equal(famrib_total(&f->fr), 0);
	assert_true(famrib_has_live_only(&f->fr));
	assert_int_equal(f->fr.n_live_only, 2);
	assert_int_equal(f->fr.live_only[0].afi, 1);
	assert_int_equal(f->fr.live_only[0].safi, 3);
	assert_int_equal(f->fr.live_only[0].updates, 2);
	assert_false(famrib_ignores_part(&f->fr, &f->u));
	famrib_reset(&f->fr, NULL, NULL);
	assert_false(famrib_has_live_only(&f->fr));
}

/* Routes over the peer's budget are refused and counted; withdrawals and
 * replacements still apply; the budget returns to zero. */
static void test_budget(void **state)
{
	struct fixture *f = *state;
	struct budget *b = budget_new(NULL, 4096);
	char nlri[64];
	int refused = 0;
	unsigned fam = fam_of(VPN4);

	famrib_free(&f->fr);
	famrib_init(&f->fr, &f->at, b);
	for (int i = 0; i < 200; i++) {
		snprintf(nlri, sizeof(nlri), "70 000641" RD "0a%02x%02x", i >> 8 & 0xff, i & 0xff);
		if (reach(f, VPN4, "0000000000000000 c0000201", nlri) == -ENOSPC)
			refused++;
	}
	assert_true(refused > 0);
	assert_int_equal(f->fr.refused, refused);
	assert_int_equal(f->fr.count[fam] + (uint32_t)refused, 200);
	assert_true(b->used <= b->max);
	/* Replacing a stored route with another label needs no more room. */
	assert_int_equal(reach(f, VPN4, "0000000000000000 c0000201", "70 000c81" RD "0a0000"), 0);
	assert_int_equal(unreach(f, VPN4, "70 800000" RD "0a0000"), 0);
	famrib_free(&f->fr);
	famrib_init(&f->fr, &f->at, NULL);
	assert_int_equal(b->used, 0);
	budget_put(b);
}

/* A walk holds entries across changes: withdrawn and replaced ones stay
 * readable (skipped) until the store thaws. */
static void test_frozen_walk(void **state)
{
	struct fixture *f = *state;
	unsigned fam = fam_of(VPN4);
	struct famrib_entry e[8];
	uint32_t n, pos = 0;

	reach(f, VPN4, "0000000000000000 c0000201", "70 000641" RD "0a0101 70 000641" RD "0a0102");
	reach(f, VPN4, "0000000000000000 c0000202", "70 000641" RD "0a0103");
	famrib_freeze(&f->fr);
	struct fr_route **o = famrib_order(&f->fr, fam, &n);

	assert_int_equal(n, 3);
	unreach(f, VPN4, "70 800000" RD "0a0101");
	reach(f, VPN4, "0000000000000000 c0000202", "70 000c81" RD "0a0102");
	reach(f, VPN4, "0000000000000000 c0000202", "70 000641" RD "0a0101");
	assert_int_equal(f->fr.count[fam], 3);
	assert_int_equal(famrib_walk(o, n, &pos, e, 8), 1);	/* 0a0103 only */
	assert_hex(e[0].nlri.p, e[0].nlri.len, "70 000641" RD "0a0103");
	free(o);
	famrib_thaw(&f->fr);
	assert_int_equal(f->fr.used, 3);
	o = famrib_order(&f->fr, fam, &n);
	pos = 0;
	assert_int_equal(famrib_walk(o, n, &pos, e, 8), 3);
	free(o);
	/* Withdrawn while frozen, announced again: one route. */
	famrib_freeze(&f->fr);
	unreach(f, VPN4, "70 800000" RD "0a0103");
	reach(f, VPN4, "0000000000000000 c0000202", "70 000641" RD "0a0103");
	unreach(f, VPN4, "70 800000" RD "0a0103");
	famrib_thaw(&f->fr);
	assert_int_equal(f->fr.count[fam], 2);
	assert_int_equal(f->fr.used, 2);
}

/* The index grows under a walk: the walk's entries, the tombstone among
 * them, stay where they are (valgrind and the fuzzer's ASan see a read of a
 * freed one); after the thaw the routes are packed into fresh chunks. */
static void test_frozen_growth(void **state)
{
	struct fixture *f = *state;
	unsigned fam = fam_of(VPN4);
	struct famrib_entry e[8];
	char nlri[64];
	uint32_t n, pos = 0;

	reach(f, VPN4, "0000000000000000 c0000201", "70 000641" RD "0a0101 70 000641" RD "0a0102");
	famrib_freeze(&f->fr);
	struct fr_route **o = famrib_order(&f->fr, fam, &n);

	unreach(f, VPN4, "70 800000" RD "0a0101");
	for (int i = 0; i < 100; i++) {
		snprintf(nlri, sizeof(nlri), "70 000641" RD "0b%02x%02x", i >> 8 & 0xff, i & 0xff);
		assert_int_equal(reach(f, VPN4, "0000000000000000 c0000202", nlri), 0);
	}
	assert_true(f->fr.cap > 64);
	assert_int_equal(famrib_walk(o, n, &pos, e, 8), 1);
	assert_hex(e[0].nlri.p, e[0].nlri.len, "70 000641" RD "0a0102");
	free(o);
	famrib_thaw(&f->fr);
	assert_int_equal(f->fr.count[fam], 101);
	assert_int_equal(f->fr.used, 101);
	assert_int_equal(famrib_mem(&f->fr), (size_t)f->fr.cap * 8 + 2 * 2032);
}

/* A checkpoint's route back in: the key derived again from the NLRI. */
static void test_put(void **state)
{
	struct fixture *f = *state;
	unsigned fam = fam_of(VPN4);
	uint8_t nlri[64];
	struct bgp_span s = { nlri, (uint32_t)hx(nlri, "70 000641" RD "0a0101") };

	reach(f, VPN4, "0000000000000000 c0000201", "70 000c81" RD "0a0101");
	uint32_t id = only(f, fam).attr;

	assert_int_equal(famrib_put(&f->fr, fam, 0, s, id), 0);
	assert_int_equal(f->fr.count[fam], 1);
	assert_int_equal(famrib_put(&f->fr, fam, 9, s, id), 0);
	assert_int_equal(f->fr.count[fam], 2);
	s.len--;
	assert_int_equal(famrib_put(&f->fr, fam, 0, s, id), -EINVAL);
	assert_int_equal(famrib_put(&f->fr, NLRI_FAMILIES, 0, s, id), -EINVAL);
}

/* Replays fam of src as a collector gets it: UPDATEs grouped by attribute
 * set for codec c, then the End-of-RIB; each parsed and applied to dst. */
static int replay(struct famrib *src, struct famrib *dst, unsigned fam, const struct bgp_codec *c)
{
	const struct nlri_family *nf = nlri_family_at(fam);
	bool ap = c->addpath[0];
	struct famrib_entry e[512];
	struct bgp_update u;
	uint32_t n, pos = 0;
	struct fr_route **o = famrib_order(src, fam, &n);
	size_t k, msgs = 0;
	struct buf b;

	buf_init(&b);
	while ((k = famrib_walk(o, n, &pos, e, 512))) {
		for (size_t i = 0; i < k;) {
			size_t j = i, sent;

			while (j < k && e[j].attr == e[i].attr)
				j++;
			for (; i < j; i += sent, msgs++) {
				buf_reset(&b);
				sent = bgp_encode_mp_update(&b, attr_get(src->attrs, e[i].attr), e + i,
							    j - i, c, ap);
				assert_true(sent > 0);
				assert_true(b.len <= (c->ext_msg ? 65535u : 4096u));
				assert_int_equal(bgp_update_parse(b.data, b.len, c, &u), BGP_ACT_NONE);
				assert_int_equal(famrib_apply(dst, &u, ap ? 1u << fam : 0, NULL, NULL), 0);
			}
		}
	}
	free(o);
	buf_reset(&b);
	bgp_encode_mp_eor(&b, nf->afi, nf->safi);
	assert_int_equal(bgp_update_parse(b.data, b.len, c, &u), BGP_ACT_NONE);
	assert_int_equal(famrib_eor(&u), (int)fam);
	buf_free(&b);
	return (int)msgs;
}

/* Every route of dst is in src with the same NLRI and attribute set. */
static void assert_same(struct famrib *src, struct famrib *dst, unsigned fam)
{
	struct famrib_entry a[512], b[512];
	uint32_t na, nb, pa = 0, pb = 0;
	struct fr_route **oa = famrib_order(src, fam, &na), **ob = famrib_order(dst, fam, &nb);
	size_t ka = famrib_walk(oa, na, &pa, a, 512), kb = famrib_walk(ob, nb, &pb, b, 512);

	assert_int_equal(ka, kb);
	for (size_t i = 0; i < ka; i++) {
		size_t j;

		for (j = 0; j < kb; j++)
			if (b[j].path_id == a[i].path_id && b[j].nlri.len == a[i].nlri.len &&
			    !memcmp(b[j].nlri.p, a[i].nlri.p, a[i].nlri.len))
				break;
		assert_true(j < kb);
		assert_int_equal(b[j].attr, a[i].attr);	/* the same set, interned once */
	}
	free(oa);
	free(ob);
}

/* Replay (issue 17 item 1 part 3): MP_REACH UPDATEs rebuilt from the store
 * parse back to the same routes and sets, for 4- and 2-octet AS sessions,
 * split where a 4096-octet message is full, then the End-of-RIB. */
static void test_replay_round_trip(void **state)
{
	struct fixture *f = *state;
	unsigned vpn = fam_of(VPN4), evpn = fam_of(EVPN), flow = fam_of(FLOW4);
	struct bgp_codec c4 = { .as4 = true }, c2 = { .as4 = false }, cap = { .as4 = true };
	char nlri[300 * 40];
	struct famrib dst;
	size_t o = 0;

	/* Two UPDATEs of 150 routes (each fits in 4096 octets), one set. */
	for (int half = 0; half < 2; half++) {
		o = 0;
		for (int i = half * 150; i < half * 150 + 150; i++)
			o += (size_t)snprintf(nlri + o, sizeof(nlri) - o, "70 000641" RD "0a%02x%02x ",
					      i >> 8, i & 0xff);
		assert_int_equal(reach(f, VPN4, "0000000000000000 c0000201", nlri), 0);
	}
	reach(f, VPN4, "0000000000000000 c0000202 0000000000000000 c0000203", "70 000641" RD "0b0000");
	reach(f, EVPN, "c0000201", "02 25" RD "00112233445566778899 00000000 30 aabbccddeeff 20 "
	      "c0000205 000641  03 11" RD "00000000 20 c0000201");
	reach(f, FLOW4, "", "05 01 18 0a0000  08 01 18 0a0001 03 81 06");
	assert_int_equal(famrib_total(&f->fr), 305);
	for (int as4 = 1; as4 >= 0; as4--) {
		const struct bgp_codec *c = as4 ? &c4 : &c2;

		famrib_init(&dst, &f->at, NULL);
		/* 300 routes of 15 octets in one set: 2 UPDATEs of at most 4096
		 * octets; the route of the other set: 1. */
		assert_int_equal(replay(&f->fr, &dst, vpn, c), 3);
		assert_int_equal(replay(&f->fr, &dst, evpn, c), 1);
		assert_int_equal(replay(&f->fr, &dst, flow, c), 1);
		assert_int_equal(famrib_total(&dst), 305);
		assert_same(&f->fr, &dst, vpn);
		assert_same(&f->fr, &dst, evpn);
		assert_same(&f->fr, &dst, flow);
		famrib_free(&dst);
	}
	/* ADD-PATH: the path ids go out and come back. */
	famrib_free(&f->fr);
	famrib_init(&f->fr, &f->at, NULL);
	evpn_two_paths(f, "00000007", "00000009");
	cap.addpath[0] = true;
	famrib_init(&dst, &f->at, NULL);
	assert_int_equal(replay(&f->fr, &dst, evpn, &cap), 1);
	assert_int_equal(dst.count[evpn], 2);
	assert_same(&f->fr, &dst, evpn);
	famrib_free(&dst);
}

struct sink {
	struct famrib *dst;
	const struct bgp_codec *c;
	int updates, eors, last_eor;
};

static void sink_emit(void *ctx, const uint8_t *m, size_t len)
{
	struct sink *k = ctx;
	struct bgp_update u;

	assert_int_equal(bgp_update_parse(m, len, k->c, &u), BGP_ACT_NONE);
	if (famrib_eor(&u) >= 0) {
		/* Families in order, each once, after its routes. */
		assert_true(famrib_eor(&u) > k->last_eor);
		k->last_eor = famrib_eor(&u);
		k->eors++;
		return;
	}
	k->updates++;
	assert_int_equal(famrib_apply(k->dst, &u, 0, NULL, NULL), 0);
}

/* famreplay.h: the store frozen across steps of one route; a route
 * withdrawn meanwhile is not sent; every family the session carried ends
 * with its End-of-RIB, an empty one too. */
static void test_replay_steps(void **state)
{
	struct fixture *f = *state;
	struct bgp_codec c = { .as4 = true };
	struct famrib dst;
	struct sink k = { &dst, &c, 0, 0, -1 };
	struct fam_replay r = { 0 };
	struct buf b;
	size_t steps = 0;

	buf_init(&b);
	famrib_init(&dst, &f->at, NULL);
	reach(f, VPN4, "0000000000000000 c0000201", "70 000641" RD "0a0101 70 000641" RD "0a0102");
	reach(f, EVPN, "c0000201", "03 11" RD "00000000 20 c0000201");
	unreach(f, FLOW4, "");	/* End-of-RIB: carried, empty */
	fam_replay_start(&r, &f->fr);
	assert_true(f->fr.frozen);
	struct fam_out o = { &c, 0, &b, sink_emit, NULL, &k, false, 0, UINT32_MAX };

	assert_int_equal(fam_replay_step(&r, &f->fr, 1, &o, 1), 1);
	assert_int_equal(k.updates, 1);
	/* The other VPN route goes before the walk reaches it. */
	unreach(f, VPN4, "70 800000" RD "0a0102");
	unreach(f, VPN4, "70 800000" RD "0a0101");
	while (!fam_replay_done(&r)) {
		fam_replay_step(&r, &f->fr, 1, &o, 1);
		assert_true(++steps < 20);
	}
	fam_replay_stop(&r, &f->fr);
	assert_int_equal(f->fr.frozen, 0);
	assert_int_equal(o.failed, 0);
	assert_int_equal(k.eors, 3);
	assert_int_equal(k.last_eor, (int)fam_of(FLOW4));
	assert_int_equal(dst.count[fam_of(VPN4)], 1);	/* the first, sent before */
	assert_int_equal(dst.count[fam_of(EVPN)], 1);
	assert_same(&f->fr, &dst, fam_of(EVPN));
	famrib_free(&dst);
	buf_free(&b);
}

/* A lagging collector's catch-up (famreplay.h): changes recorded as the
 * peer made them, coalesced per route, then sent as the store's current
 * state: a withdrawn route withdrawn, a relabelled one announced anew. */
static void test_catch_up(void **state)
{
	struct fixture *f = *state;
	struct bgp_codec c = { .as4 = true };
	struct famrib dst;
	struct sink k = { &dst, &c, 0, 0, -1 };
	struct fam_dirty d = { .seed = 7 };
	struct famrib_entry e, keys[8];
	struct buf chg, b;
	size_t off = 0, n;
	uint32_t pos = 0;
	struct fam_out o = { &c, 0, &b, sink_emit, NULL, &k, false, 0, UINT32_MAX };

	buf_init(&chg);
	buf_init(&b);
	famrib_init(&dst, &f->at, NULL);
	reach(f, VPN4, "0000000000000000 c0000201",
	      "70 000641" RD "0a0101 70 000641" RD "0a0102 70 000641" RD "0a0103");
	/* What the collector got before it fell behind. */
	struct fr_route **order = famrib_order(&f->fr, fam_of(VPN4), &pos);

	n = famrib_walk(order, pos, &(uint32_t){ 0 }, keys, 8);
	free(order);
	assert_int_equal(n, 3);
	fam_catch_up(&f->fr, keys, n, &o);
	assert_int_equal(dst.count[fam_of(VPN4)], 3);
	/* Changes while it lags: 0a0101 withdrawn, 0a0102 relabelled twice,
	 * recorded as the peer makes them (the NLRI copied). */
	f->rec = &chg;
	unreach(f, VPN4, "70 800000" RD "0a0101");
	reach(f, VPN4, "0000000000000000 c0000201", "70 000c81" RD "0a0102");
	reach(f, VPN4, "0000000000000000 c0000201", "70 000c81" RD "0a0102");	/* no change */
	reach(f, VPN4, "0000000000000000 c0000201", "70 001901" RD "0a0102");
	f->rec = NULL;
	pos = 0;
	while (famrib_chg_next(&chg, &off, &e))
		assert_true(fam_dirty_add(&d, &e));
	assert_int_equal(d.count, 3);	/* one NLRI each: 0a0101, 0a0102 labels 0c8 and 190 */
	n = fam_dirty_walk(&d, &pos, keys, 8);
	assert_int_equal(n, 3);
	assert_true(pos >= d.cap);
	fam_catch_up(&f->fr, keys, n, &o);
	assert_int_equal(o.failed, 0);
	assert_int_equal(dst.count[fam_of(VPN4)], 2);
	assert_same(&f->fr, &dst, fam_of(VPN4));
	fam_dirty_free(&d);
	famrib_free(&dst);
	buf_free(&chg);
	buf_free(&b);
}

static void capture(void *ctx, const uint8_t *m, size_t len)
{
	struct buf *b = ctx;

	buf_put(b, m, len);
}

/* RFC 8277 Multiple Labels: a two-label VPN route is its RD and prefix,
 * withdrawn by the one-label form, and a catch-up withdraws it in that
 * form (a receiver reads one label field in a withdrawal). */
static void test_multiple_labels(void **state)
{
	struct fixture *f = *state;
	unsigned vpn = fam_of(VPN4);
	struct bgp_codec c = { .as4 = true };
	struct famrib_entry e;
	struct buf out, b;

	buf_init(&out);
	buf_init(&b);
	f->fr.max_labels[vpn] = 2;
	assert_int_equal(reach(f, VPN4, "0000000000000000 c0000201", "88 000640 000c81" RD "0a0101"),
			 0);
	assert_int_equal(f->fr.count[vpn], 1);
	e = only(f, vpn);
	assert_int_equal(e.nlri.len, 18);
	assert_int_equal(unreach(f, VPN4, "70 800000" RD "0a0101"), 0);
	assert_int_equal(f->fr.count[vpn], 0);
	/* The catch-up of a withdrawn two-label route. */
	struct buf rec;

	buf_init(&rec);
	reach(f, VPN4, "0000000000000000 c0000201", "88 000640 000c81" RD "0a0101");
	f->rec = &rec;
	unreach(f, VPN4, "70 800000" RD "0a0101");
	f->rec = NULL;
	size_t off = 0;

	assert_true(famrib_chg_next(&rec, &off, &e));
	assert_int_equal(e.nlri.len, 18);
	struct fam_out o = { &c, 0, &b, capture, NULL, &out, false, 0, UINT32_MAX };

	fam_catch_up(&f->fr, &e, 1, &o);
	assert_int_equal(o.failed, 0);
	/* UPDATE: no withdrawn routes, MP_UNREACH with the one-label form. */
	assert_hex(out.data + 19, out.len - 19, "0000 0016 90 0f 0012 0001 80 70 800000" RD "0a0101");
	buf_free(&rec);
	buf_free(&out);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test_setup_teardown(test_vpn_label_replace_withdraw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evpn_mac_ip_other_esi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flowspec_withdraw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_disables_family, setup, teardown),
		cmocka_unit_test_setup_teardown(test_treat_as_withdraw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_addpath, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frozen_growth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frozen_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_catch_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multiple_labels, setup, teardown),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
