/* Adj-RIB-In: UPDATE application under RFC 7606, ADD-PATH, replay round
 * trip through the encoder and the parser, and memory per route. */
#include "bgp_testutil.h"

#include <errno.h>
#include <malloc.h>
#include <time.h>

#include "attr.h"
#include "bmp.h"
#include "rib.h"

#define ORIGIN_IGP "40 01 01 00 "
#define NH_V4 "40 03 04 c0 00 02 01 "

struct changes {
	int announced, replaced, withdrawn;
};

static void on_change(void *ctx, const struct bgp_prefix *p, uint32_t old, uint32_t new)
{
	struct changes *c = ctx;
	(void)p;
	if (!old)
		c->announced++;
	else if (!new)
		c->withdrawn++;
	else
		c->replaced++;
}

struct fixture {
	struct attr_table at;
	struct rib rib;
	struct changes ch;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	attr_table_init(&f->at);
	rib_init(&f->rib, &f->at);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	rib_free(&f->rib);
	assert_int_equal(f->at.count, 0);	/* every reference returned */
	attr_table_free(&f->at);
	free(f);
	return 0;
}

static void apply(struct fixture *f, const struct bgp_codec *c, const char *wd,
		  const char *attrs, const char *nlri, enum bgp_action want)
{
	uint8_t m[1024];
	struct bgp_update u;
	size_t n = mk_update(m, wd, attrs, nlri);
	memset(&f->ch, 0, sizeof(f->ch));
	assert_int_equal(bgp_update_parse(m, n, c, &u), want);
	assert_int_equal(rib_apply(&f->rib, &u, on_change, &f->ch), 0);
}

static const struct bgp_codec c4 = { .as4 = true };

static void test_apply(void **state)
{
	struct fixture *f = *state;
	apply(f, &c4, "", ORIGIN_IGP "40 02 06 02 01 0000fde9" NH_V4, "18 0a0102 10 0a02",
	      BGP_ACT_NONE);
	assert_int_equal(f->ch.announced, 2);
	assert_int_equal(rib_count(&f->rib, BGP_FAM_IPV4), 2);
	assert_int_equal(f->at.count, 1);
	/* Same again: nothing changes. */
	apply(f, &c4, "", ORIGIN_IGP "40 02 06 02 01 0000fde9" NH_V4, "18 0a0102", BGP_ACT_NONE);
	assert_int_equal(f->ch.announced + f->ch.replaced, 0);
	/* New attributes for one prefix. */
	apply(f, &c4, "", ORIGIN_IGP "40 02 06 02 01 0000fde9" NH_V4 "80 04 04 00000001",
	      "18 0a0102", BGP_ACT_NONE);
	assert_int_equal(f->ch.replaced, 1);
	assert_int_equal(f->at.count, 2);
	/* Withdraw, including one that is not there. */
	apply(f, &c4, "10 0a02 08 0b", "", "", BGP_ACT_NONE);
	assert_int_equal(f->ch.withdrawn, 1);
	assert_int_equal(rib_count(&f->rib, BGP_FAM_IPV4), 1);
	assert_int_equal(f->at.count, 1);
	/* IPv6 via MP_REACH / MP_UNREACH. */
	apply(f, &c4, "", ORIGIN_IGP "40 02 00 80 0e 21 0002 01 10 20010db8000000000000000000000001 00"
	      " 20 20010db8 30 20010db80001", "", BGP_ACT_NONE);
	assert_int_equal(rib_count(&f->rib, BGP_FAM_IPV6), 2);
	apply(f, &c4, "", "80 0f 08 0002 01 20 20010db8", "", BGP_ACT_NONE);
	assert_int_equal(f->ch.withdrawn, 1);
	assert_int_equal(rib_count(&f->rib, BGP_FAM_IPV6), 1);
	struct bgp_prefix p = { .fam = BGP_FAM_IPV6, .len = 48, .addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 1 } };
	uint32_t id = rib_lookup(&f->rib, &p);
	assert_int_not_equal(id, 0);
	assert_int_equal(attr_get(&f->at, id)->nh_len, 16);
	assert_int_equal(attr_get(&f->at, id)->fam, BGP_FAM_IPV6);
}

static void test_treat_as_withdraw(void **state)
{
	struct fixture *f = *state;
	apply(f, &c4, "", ORIGIN_IGP "40 02 00" NH_V4, "18 0a0102 18 0a0103", BGP_ACT_NONE);
	/* Malformed ORIGIN: the announced prefixes are withdrawn instead. */
	apply(f, &c4, "", "40 01 01 07 40 02 00" NH_V4, "18 0a0102", BGP_ACT_WITHDRAW);
	assert_int_equal(f->ch.withdrawn, 1);
	assert_int_equal(rib_count(&f->rib, BGP_FAM_IPV4), 1);
	/* Session reset: the RIB is left for the caller to flush. */
	apply(f, &c4, "", ORIGIN_IGP "40 02 00" NH_V4, "21 0a010300 00", BGP_ACT_RESET);
	assert_int_equal(rib_count(&f->rib, BGP_FAM_IPV4), 1);
	/* Attribute discard: the route stands without the attribute. */
	apply(f, &c4, "", ORIGIN_IGP "40 02 00" NH_V4 "40 06 01 00", "18 0a0104", BGP_ACT_ATTR_DISCARD);
	assert_int_equal(f->ch.announced, 1);
	struct bgp_prefix p = { .fam = BGP_FAM_IPV4, .len = 24, .addr = { 10, 1, 4 } };
	struct bgp_attr a;
	assert_false(attr_find(attr_get(&f->at, rib_lookup(&f->rib, &p)), BGP_ATTR_ATOMIC_AGGREGATE, &a));
	assert_true(attr_find(attr_get(&f->at, rib_lookup(&f->rib, &p)), BGP_ATTR_ORIGIN, &a));
}

static void test_afi_disable(void **state)
{
	struct fixture *f = *state;
	apply(f, &c4, "", ORIGIN_IGP "40 02 00 80 0e 21 0002 01 10 20010db8000000000000000000000001 00"
	      " 20 20010db8 30 20010db80001", "", BGP_ACT_NONE);
	assert_int_equal(rib_count(&f->rib, BGP_FAM_IPV6), 2);
	apply(f, &c4, "", ORIGIN_IGP "40 02 00" NH_V4 "80 0e 0a 0002 01 05 0102030405 00", "18 0a0102",
	      BGP_ACT_AFI_DISABLE);
	assert_int_equal(f->ch.withdrawn, 2);
	assert_int_equal(f->ch.announced, 1);	/* IPv4 unaffected */
	assert_true(f->rib.disabled[BGP_FAM_IPV6]);
	/* Later IPv6 routes are ignored for the rest of the session. */
	apply(f, &c4, "", ORIGIN_IGP "40 02 00 80 0e 1a 0002 01 10 20010db8000000000000000000000001 00"
	      " 20 20010db8", "", BGP_ACT_NONE);
	assert_int_equal(rib_count(&f->rib, BGP_FAM_IPV6), 0);
	rib_reset(&f->rib, NULL, NULL);
	assert_false(f->rib.disabled[BGP_FAM_IPV6]);
	assert_int_equal(rib_count(&f->rib, BGP_FAM_IPV4), 0);
}

static void test_addpath(void **state)
{
	struct fixture *f = *state;
	struct bgp_codec c = { .as4 = true, .addpath = { true, false } };
	apply(f, &c, "", ORIGIN_IGP "40 02 00" NH_V4, "00000001 18 0a0102 00000002 18 0a0102",
	      BGP_ACT_NONE);
	assert_int_equal(rib_count(&f->rib, BGP_FAM_IPV4), 2);
	apply(f, &c, "00000001 18 0a0102", "", "", BGP_ACT_NONE);
	assert_int_equal(rib_count(&f->rib, BGP_FAM_IPV4), 1);
	struct bgp_prefix p = { .fam = BGP_FAM_IPV4, .len = 24, .path_id = 2, .addr = { 10, 1, 2 } };
	assert_int_not_equal(rib_lookup(&f->rib, &p), 0);
	p.path_id = 1;
	assert_int_equal(rib_lookup(&f->rib, &p), 0);
}

/* ---- replay round trip */

struct replay {
	const struct bgp_codec *c;
	struct rib *dst;
	const struct rib *src;
	int msgs, routes, mismatches;
	size_t max_len;
};

static int replay_group(void *ctx, uint32_t attr, const struct bgp_prefix *p, size_t n)
{
	struct replay *r = ctx;
	struct buf b;
	buf_init(&b);
	while (n) {
		buf_reset(&b);
		size_t k = bgp_encode_update(&b, attr_get(r->src->attrs, attr), p, n, r->c);
		assert_true(k > 0);
		assert_false(b.oom);
		if (b.len > r->max_len)
			r->max_len = b.len;
		struct bgp_update u;
		assert_int_equal(bgp_update_parse(b.data, b.len, r->c, &u), BGP_ACT_NONE);
		assert_int_equal(rib_apply(r->dst, &u, NULL, NULL), 0);
		r->msgs++;
		p += k;
		n -= k;
	}
	buf_free(&b);
	return 0;
}

static int compare_group(void *ctx, uint32_t attr, const struct bgp_prefix *p, size_t n)
{
	struct replay *r = ctx;
	for (size_t i = 0; i < n; i++) {
		r->routes++;
		if (rib_lookup(r->dst, &p[i]) != attr)
			r->mismatches++;
	}
	return 0;
}

static void fill(struct fixture *f, const struct bgp_codec *c)
{
	uint8_t m[4096], body[4096];
	struct bgp_update u;
	/* 40 attribute sets; some paths carry 4-octet ASes and aggregators. */
	for (unsigned s = 0; s < 40; s++) {
		char attrs[512], nlri[8192] = "", *q = nlri;
		snprintf(attrs, sizeof(attrs),
			 ORIGIN_IGP "40 02 0e 02 03 0000fde9 %08x 00000064" NH_V4 "80 04 04 %08x"
			 "%s c0 08 08 fde80001 fde8%04x",
			 s % 2 ? 4200000000u + s : 65100 + s, s,
			 s % 3 ? "" : " c0 07 08 fa56ea01 0a000001", s);
		for (unsigned i = 0; i < 150; i++)
			q += sprintf(q, "%s16 %02x%02x%02x", c->addpath[0] ? "00000003 " : "",
				     s, i, 0x40 | (i % 64));
		size_t n = mk_update(m, "", attrs, nlri);
		assert_int_equal(bgp_update_parse(m, n, &c4, &u), BGP_ACT_NONE);
		assert_int_equal(rib_apply(&f->rib, &u, NULL, NULL), 0);
		/* And some IPv6 with a link-local next hop. */
		snprintf(attrs, sizeof(attrs), ORIGIN_IGP "40 02 06 02 01 %08x", 4200000000u + s);
		size_t al = hx(body, attrs);
		size_t mp = al;
		al += hx(body + al, "80 0e 00 0002 01 20 20010db8000000000000000000000001"
			 " fe800000000000000000000000000001 00");
		for (unsigned i = 0; i < 20; i++) {
			if (c->addpath[1])
				al += hx(body + al, "00000009");
			char pfx[32];
			snprintf(pfx, sizeof(pfx), "30 20010db8 %02x%02x", s, i);
			al += hx(body + al, pfx);
		}
		body[mp + 2] = (uint8_t)(al - mp - 3);
		uint8_t wrapped[4096];
		memmove(wrapped + 4, body, al);
		put_u16(wrapped, 0);
		put_u16(wrapped + 2, (uint16_t)al);
		n = bgp_msg(m, BGP_UPDATE, wrapped, al + 4);
		assert_int_equal(bgp_update_parse(m, n, &c4, &u), BGP_ACT_NONE);
		assert_int_equal(rib_apply(&f->rib, &u, NULL, NULL), 0);
	}
}

static void roundtrip(struct fixture *f, const struct bgp_codec *c)
{
	struct rib dst;
	rib_init(&dst, &f->at);
	struct replay r = { .c = c, .dst = &dst, .src = &f->rib };
	for (int fam = 0; fam < BGP_FAM_MAX; fam++)
		assert_int_equal(rib_walk_grouped(&f->rib, fam, replay_group, &r), 0);
	for (int fam = 0; fam < BGP_FAM_MAX; fam++) {
		assert_int_equal(rib_count(&dst, fam), rib_count(&f->rib, fam));
		assert_int_equal(rib_walk_grouped(&f->rib, fam, compare_group, &r), 0);
	}
	assert_int_equal(r.mismatches, 0);
	assert_int_equal(r.routes, 40 * 150 * 1 + 40 * 20);
	assert_true(r.max_len <= (c->ext_msg ? BGP_EXT_MAX_LEN : BGP_MAX_LEN));
	/* Packing: 150 IPv4 /22s per set need one UPDATE each, not 150. */
	assert_true(r.msgs <= 80);
	print_message("replay: %d routes in %d UPDATEs (largest %zu bytes)\n", r.routes, r.msgs,
		      r.max_len);
	rib_free(&dst);
}

static void test_replay_roundtrip(void **state)
{
	struct fixture *f = *state;
	fill(f, &c4);
	assert_int_equal(rib_count(&f->rib, BGP_FAM_IPV4), 6000);
	assert_int_equal(rib_count(&f->rib, BGP_FAM_IPV6), 800);
	struct bgp_codec two = { .as4 = false };
	struct bgp_codec four_ap = { .as4 = true, .addpath = { true, true } };
	struct bgp_codec ext = { .as4 = true, .ext_msg = true };
	roundtrip(f, &two);
	roundtrip(f, &c4);
	roundtrip(f, &four_ap);
	roundtrip(f, &ext);
}

static void test_small_message_packing(void **state)
{
	struct fixture *f = *state;
	/* 3000 /32s with one set: a 4096-octet UPDATE holds at most ~800. */
	struct bgp_prefix p = { .fam = BGP_FAM_IPV4, .len = 32 };
	uint8_t data[16];
	size_t dl = hx(data, "40 01 01 00 40 02 00");
	uint32_t id = attr_intern(&f->at, BGP_FAM_IPV4, (const uint8_t *)"\x01\x02\x03\x04", 4, data,
				  (uint32_t)dl);
	for (uint32_t i = 0; i < 3000; i++) {
		put_u32(p.addr, 0x0a000000 + i);
		assert_int_equal(rib_announce(&f->rib, &p, id, NULL, NULL), 0);
	}
	attr_unref(&f->at, id);
	struct rib dst;
	rib_init(&dst, &f->at);
	struct replay r = { .c = &c4, .dst = &dst, .src = &f->rib };
	assert_int_equal(rib_walk_grouped(&f->rib, BGP_FAM_IPV4, replay_group, &r), 0);
	assert_int_equal(rib_count(&dst, BGP_FAM_IPV4), 3000);
	assert_int_equal(r.msgs, 4);	/* 4096-19-4-7-7 = 4059 octets: 811 /32s each */
	assert_true(r.max_len <= 4096 && r.max_len > 4090);
	rib_free(&dst);
}

/* The replay order: every route once, by attribute set, tombstones skipped. */
static void test_order_by_attr(void **state)
{
	struct fixture *f = *state;
	struct bgp_prefix p = { .fam = BGP_FAM_IPV4, .len = 24 }, out[100];
	uint32_t ids[7], attrs[100], n, pos = 0, prev = 0, seen = 0;
	uint8_t data[16];
	for (unsigned s = 0; s < 7; s++) {
		size_t dl = hx(data, "40 01 01 00 40 02 00 80 04 04 00000000");
		data[dl - 1] = (uint8_t)s;
		ids[s] = attr_intern(&f->at, BGP_FAM_IPV4, (const uint8_t *)"\x01\x02\x03\x04", 4,
				     data, (uint32_t)dl);
	}
	for (uint32_t i = 0; i < 3000; i++) {
		put_u32(p.addr, (0x0a0000u + i) << 8);
		assert_int_equal(rib_announce(&f->rib, &p, ids[i % 7], NULL, NULL), 0);
	}
	assert_null(rib_order_by_attr(&f->rib, BGP_FAM_IPV6, &n));	/* empty family */
	assert_int_equal(n, 0);
	rib_freeze(&f->rib, BGP_FAM_IPV4);
	uint32_t *order = rib_order_by_attr(&f->rib, BGP_FAM_IPV4, &n);
	assert_non_null(order);
	assert_int_equal(n, 3000);
	/* Withdrawn after the order was taken: a tombstone, skipped. */
	put_u32(p.addr, (0x0a0000u + 5) << 8);
	rib_withdraw(&f->rib, &p, NULL, NULL);
	size_t k;
	while ((k = rib_walk_order(&f->rib, BGP_FAM_IPV4, order, n, &pos, out, attrs, 100))) {
		for (size_t i = 0; i < k; i++) {
			assert_true(attrs[i] >= prev);	/* grouped by set */
			prev = attrs[i];
			assert_int_equal(rib_lookup(&f->rib, &out[i]), attrs[i]);
			assert_true(out[i].len == 24 && get_u32(out[i].addr) != (0x0a0000u + 5) << 8);
		}
		seen += (uint32_t)k;
	}
	assert_int_equal(pos, n);
	assert_int_equal(seen, 2999);
	free(order);
	rib_thaw(&f->rib, BGP_FAM_IPV4);
	for (unsigned s = 0; s < 7; s++)
		attr_unref(&f->at, ids[s]);
}

static size_t heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static void test_memory_1m(void **state)
{
	struct fixture *f = *state;
	uint8_t data[64];
	uint32_t ids[64];
	struct timespec t0, t1;
	for (unsigned s = 0; s < 64; s++) {
		size_t dl = hx(data, "40 01 01 00 40 02 0a 02 02 0000fde9 00000064 80 04 04 00000000");
		data[dl - 1] = (uint8_t)s;
		ids[s] = attr_intern(&f->at, BGP_FAM_IPV4, (const uint8_t *)"\x01\x02\x03\x04", 4, data,
				     (uint32_t)dl);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Large tables are mapped outside malloc: counted on their own. */
	size_t before = heap_used() + rib_mem_mapped(&f->rib);
	struct bgp_prefix p = { .fam = BGP_FAM_IPV4, .len = 24 };
	const uint32_t n = 1000000;
	for (uint32_t i = 0; i < n; i++) {
		put_u32(p.addr, (0x010000u + i) << 8);
		assert_int_equal(rib_announce(&f->rib, &p, ids[i % 64], NULL, NULL), 0);
	}
	size_t after = heap_used() + rib_mem_mapped(&f->rib);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(rib_mem_mapped(&f->rib) > 0);
	double bpp = (double)(after - before) / n;
	print_message("1M IPv4 routes: %.1f bytes/route (table %zu bytes), %.2f s\n", bpp,
		      rib_mem(&f->rib),
		      (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	assert_int_equal(rib_count(&f->rib, BGP_FAM_IPV4), n);
	assert_true(bpp <= 100.0);
	put_u32(p.addr, (0x010000u + 777) << 8);
	assert_int_equal(rib_lookup(&f->rib, &p), ids[777 % 64]);
	for (unsigned s = 0; s < 64; s++)
		attr_unref(&f->at, ids[s]);
	/* Withdraw everything: the table shrinks back. */
	for (uint32_t i = 0; i < n; i++) {
		put_u32(p.addr, (0x010000u + i) << 8);
		rib_withdraw(&f->rib, &p, NULL, NULL);
	}
	assert_int_equal(rib_count(&f->rib, BGP_FAM_IPV4), 0);
	assert_true(rib_mem(&f->rib) <= 64 * 1024);
	assert_int_equal(f->at.count, 0);
}

/*
 * A replay keeps the table frozen while the peer churns distinct prefixes
 * (announced, later withdrawn: tombstones).  The table stays within 4x
 * its live count instead of doubling at every fill, and every live route
 * is still found.
 */
static void test_frozen_churn_bounded(void **state)
{
	struct fixture *f = *state;
	struct bgp_prefix p = { .fam = BGP_FAM_IPV4, .len = 24 };
	uint8_t nh[4] = { 192, 0, 2, 1 };
	uint32_t id = attr_intern(&f->at, BGP_FAM_IPV4, nh, 4, (const uint8_t *)"\x40\x01\x01\x00", 4);
	const uint32_t live = 1000, churn = 200000;

	assert_true(id != 0);
	rib_freeze(&f->rib, BGP_FAM_IPV4);
	uint32_t gen = rib_gen(&f->rib, BGP_FAM_IPV4);
	for (uint32_t i = 0; i < churn; i++) {
		put_u32(p.addr, (0x010000u + i) << 8);
		assert_int_equal(rib_announce(&f->rib, &p, id, NULL, NULL), 0);
		if (i < live)
			continue;
		put_u32(p.addr, (0x010000u + i - live) << 8);
		rib_withdraw(&f->rib, &p, NULL, NULL);
	}
	assert_int_equal(rib_count(&f->rib, BGP_FAM_IPV4), live);
	assert_true(rib_cap(&f->rib, BGP_FAM_IPV4) <= 4 * 1024);
	assert_true(rib_gen(&f->rib, BGP_FAM_IPV4) != gen);	/* walkers are told */
	for (uint32_t i = churn - live; i < churn; i++) {
		put_u32(p.addr, (0x010000u + i) << 8);
		assert_int_equal(rib_lookup(&f->rib, &p), id);
	}
	rib_thaw(&f->rib, BGP_FAM_IPV4);
	for (uint32_t i = churn - live; i < churn; i++) {
		put_u32(p.addr, (0x010000u + i) << 8);
		rib_withdraw(&f->rib, &p, NULL, NULL);
	}
	attr_unref(&f->at, id);
}

/* A table at the largest capacity refuses to grow instead of doubling
 * into a 32-bit wrap (a zero-sized table); nothing is touched. */
static void test_growth_capped(void **state)
{
	struct fixture *f = *state;
	struct rib_table saved = f->rib.t[BGP_FAM_IPV4];
	struct bgp_prefix p = { .fam = BGP_FAM_IPV4, .len = 24, .addr = { 192, 0, 2 } };
	uint8_t nh[4] = { 192, 0, 2, 1 };
	uint32_t id = attr_intern(&f->at, BGP_FAM_IPV4, nh, 4, (const uint8_t *)"\x40\x01\x01\x00", 4);

	assert_true(id != 0);
	f->rib.t[BGP_FAM_IPV4].cap = 1u << 31;
	f->rib.t[BGP_FAM_IPV4].count = (1u << 31) - (1u << 28);
	f->rib.t[BGP_FAM_IPV4].slots = NULL;	/* any access crashes */
	assert_int_equal(rib_announce(&f->rib, &p, id, NULL, NULL), -ENOMEM);
	f->rib.t[BGP_FAM_IPV4] = saved;
	attr_unref(&f->at, id);
}

/*
 * rib_reserve() sizes the table as the announcements' doublings would end,
 * so that they rehash nothing; a reservation past the budget is refused and
 * the table stays as it was.
 */
static void test_reserve(void **state)
{
	struct fixture *f = *state;
	struct rib grown;
	struct bgp_prefix p = { .fam = BGP_FAM_IPV4, .len = 32 };
	uint8_t nh[4] = { 192, 0, 2, 1 };
	uint32_t id = attr_intern(&f->at, BGP_FAM_IPV4, nh, 4, (const uint8_t *)"\x40\x01\x01\x00", 4);
	const uint32_t n = 100000;

	rib_init(&grown, &f->at);
	assert_int_equal(rib_reserve(&f->rib, BGP_FAM_IPV4, 0), 0);
	assert_int_equal(rib_cap(&f->rib, BGP_FAM_IPV4), 0);
	assert_int_equal(rib_reserve(&f->rib, BGP_FAM_IPV4, n), 0);
	uint32_t gen = rib_gen(&f->rib, BGP_FAM_IPV4);

	for (uint32_t i = 0; i < n; i++) {
		put_u32(p.addr, i);
		assert_int_equal(rib_announce(&f->rib, &p, id, NULL, NULL), 0);
		assert_int_equal(rib_announce(&grown, &p, id, NULL, NULL), 0);
	}
	assert_int_equal(rib_gen(&f->rib, BGP_FAM_IPV4), gen);
	assert_int_equal(rib_cap(&f->rib, BGP_FAM_IPV4), rib_cap(&grown, BGP_FAM_IPV4));
	assert_int_equal(rib_count(&f->rib, BGP_FAM_IPV4), n);
	for (uint32_t i = 0; i < n; i += 997) {
		put_u32(p.addr, i);
		assert_int_equal(rib_lookup(&f->rib, &p), id);
	}
	rib_free(&grown);

	struct budget *b = budget_new(NULL, 64 * 1024);

	f->rib.bud = NULL;
	rib_free(&f->rib);
	rib_init(&f->rib, &f->at);
	f->rib.bud = b;
	assert_int_equal(rib_reserve(&f->rib, BGP_FAM_IPV4, 4096), -ENOSPC);
	assert_int_equal(rib_cap(&f->rib, BGP_FAM_IPV4), 0);
	assert_int_equal(rib_reserve(&f->rib, BGP_FAM_IPV4, 3072), 0);
	assert_int_equal(rib_cap(&f->rib, BGP_FAM_IPV4), 4096);
	rib_free(&f->rib);
	assert_int_equal(b->used, 0);
	f->rib.bud = NULL;
	budget_put(b);
	attr_unref(&f->at, id);
}

/*
 * Deferred references (attr_defer_begin()): counted aside, spent first by
 * attr_unref(), added at the end; a set is freed exactly when its last
 * reference goes, deferred or not.
 */
static void test_attr_defer(void **state)
{
	struct fixture *f = *state;
	uint8_t nh[4] = { 192, 0, 2, 1 };
	uint32_t a = attr_intern(&f->at, BGP_FAM_IPV4, nh, 4, (const uint8_t *)"\x40\x01\x01\x00", 4);
	uint32_t b;

	assert_int_equal(attr_defer_begin(&f->at, f->at.n_ids + 2), 0);
	attr_ref(&f->at, a);
	attr_ref(&f->at, a);
	assert_int_equal(attr_get(&f->at, a)->refcnt, 1);
	attr_unref(&f->at, a);
	attr_unref(&f->at, a);
	attr_unref(&f->at, a);		/* the last one: freed now */
	assert_null(attr_get(&f->at, a));
	b = attr_intern(&f->at, BGP_FAM_IPV4, nh, 4, (const uint8_t *)"\x40\x01\x01\x01", 4);
	attr_ref(&f->at, b);
	attr_ref(&f->at, b);
	attr_unref(&f->at, b);
	attr_defer_end(&f->at);
	assert_int_equal(attr_get(&f->at, b)->refcnt, 2);
	assert_null(f->at.defer);
	attr_ref(&f->at, b);
	assert_int_equal(attr_get(&f->at, b)->refcnt, 3);
	for (int i = 0; i < 3; i++)
		attr_unref(&f->at, b);
	assert_int_equal(f->at.count, 0);
}

/*
 * A RIB charged to a 64 KiB budget: the route table's growth past it is
 * refused (-ENOSPC, counted, nothing stored), also for ADD-PATH (2^20 path
 * ids of one prefix cost the budget, not memory); replacements and
 * withdrawals still apply; a new attribute set over the budget refuses
 * every prefix of its UPDATE; everything charged is returned.
 */
static void test_budget(void **state)
{
	struct fixture *f = *state;
	struct budget *b = budget_new(NULL, 64 * 1024);
	struct bgp_prefix p = { .fam = BGP_FAM_IPV4, .len = 24, .addr = { 192, 0, 2 } };
	uint8_t nh[4] = { 192, 0, 2, 1 };
	uint32_t id = attr_intern(&f->at, BGP_FAM_IPV4, nh, 4, (const uint8_t *)"\x40\x01\x01\x00", 4);
	uint32_t id2 = attr_intern(&f->at, BGP_FAM_IPV4, nh, 4, (const uint8_t *)"\x40\x01\x01\x01", 4);
	unsigned refused = 0;

	f->rib.bud = b;
	for (uint32_t i = 1; i <= 1u << 20; i++) {
		p.path_id = i;
		int err = rib_announce(&f->rib, &p, id, NULL, NULL);

		assert_true(err == 0 || err == -ENOSPC);
		refused += err == -ENOSPC;
	}
	/* 4096 slots of 16 bytes, three quarters full; the next doubling
	 * would take 128 KiB. */
	assert_int_equal(rib_count(&f->rib, BGP_FAM_IPV4), 3072);
	assert_int_equal(refused, (1u << 20) - 3072);
	assert_int_equal(f->rib.refused, refused);
	assert_int_equal(b->used, 64 * 1024);
	assert_int_equal(rib_mem(&f->rib), 64 * 1024);

	/* A replacement needs no room; a withdrawal makes some. */
	p.path_id = 7;
	assert_int_equal(rib_announce(&f->rib, &p, id2, NULL, NULL), 0);
	assert_int_equal(rib_lookup(&f->rib, &p), id2);
	p.path_id = 1u << 21;
	assert_int_equal(rib_announce(&f->rib, &p, id, NULL, NULL), -ENOSPC);
	p.path_id = 8;
	rib_withdraw(&f->rib, &p, NULL, NULL);
	p.path_id = 1u << 21;
	assert_int_equal(rib_announce(&f->rib, &p, id, NULL, NULL), 0);
	attr_unref(&f->at, id);
	attr_unref(&f->at, id2);

	/* An attribute set is charged when created: one over the budget
	 * refuses the UPDATE's prefixes. */
	uint8_t m[256];
	struct bgp_update u;
	size_t n = mk_update(m, "", ORIGIN_IGP "40 02 06 02 01 0000fde9" NH_V4, "18 0a0102 18 0a0103");
	uint32_t sets = f->at.count;

	bgp_update_parse(m, n, &c4, &u);
	f->rib.refused = 0;
	assert_int_equal(rib_apply(&f->rib, &u, NULL, NULL), -ENOSPC);
	assert_int_equal(f->rib.refused, 2);
	assert_int_equal(f->at.count, sets);
	b->max = 0;
	assert_int_equal(rib_apply(&f->rib, &u, NULL, NULL), 0);
	assert_int_equal(b->used, rib_mem(&f->rib) + attr_set_bytes(f->at.sets[
		rib_lookup(&f->rib, &(struct bgp_prefix){ .fam = BGP_FAM_IPV4, .len = 24,
							  .addr = { 10, 1, 2 } })]->len));
	/* 64-bit arithmetic: a charge near 2^64 is refused, never wrapped. */
	b->max = 1ull << 62;
	assert_false(budget_fits(b, UINT64_MAX));
	assert_false(budget_fits(b, (1ull << 62) - b->used + 1));
	assert_true(budget_fits(b, (1ull << 62) - b->used));
	rib_free(&f->rib);
	assert_int_equal(b->used, 0);
	f->rib.bud = NULL;
	budget_put(b);
}

/* Hashes are keyed per attribute table, and the RIB takes the seed: two
 * tables differ, and a RIB with any seed finds what it holds. */
static void test_seeded(void **state)
{
	struct fixture *f = *state;
	struct attr_table other;
	struct rib r;
	uint8_t nh[4] = { 192, 0, 2, 1 };

	attr_table_init(&other);
	assert_true(other.seed != f->at.seed);
	assert_true(f->rib.t[BGP_FAM_IPV6].seed == f->at.seed);
	other.seed = 0x0123456789abcdefull;
	rib_init(&r, &other);
	uint32_t id = attr_intern(&other, BGP_FAM_IPV4, nh, 4, (const uint8_t *)"\x40\x01\x01\x00", 4);
	for (unsigned i = 0; i < 5000; i++) {
		struct bgp_prefix p = { .fam = BGP_FAM_IPV4, .len = 32,
					.addr = { 10, (uint8_t)(i >> 8), (uint8_t)i, 1 } };
		assert_int_equal(rib_announce(&r, &p, id, NULL, NULL), 0);
	}
	for (unsigned i = 0; i < 5000; i++) {
		struct bgp_prefix p = { .fam = BGP_FAM_IPV4, .len = 32,
					.addr = { 10, (uint8_t)(i >> 8), (uint8_t)i, 1 } };
		assert_int_equal(rib_lookup(&r, &p), id);
	}
	rib_free(&r);
	attr_unref(&other, id);
	assert_int_equal(other.count, 0);
	attr_table_free(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_apply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_treat_as_withdraw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_afi_disable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_addpath, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_message_packing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_by_attr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_1m, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frozen_churn_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_growth_capped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seeded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attr_defer, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
