/* The synthetic full-table generator (tests/bench/fulltable.c): every
 * message is a valid UPDATE for bgp_update_parse on a 4-octet AS session,
 * with no RFC 7606 error; the prefixes decoded per family equal the counts
 * it reports, each prefix once; End-of-RIB markers parse as such; the same
 * seed and scale give the same bytes, another seed other bytes; the
 * distributions stay near the published figures it documents. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bgp.h"
#include "peer.h"
#include "rib.h"
#include "../bench/fulltable.c"

struct seen {
	uint64_t *v;
	size_t n, cap;
};

static void seen_add(struct seen *s, const struct bgp_prefix *p)
{
	uint64_t k = 0;
	int i;

	/* IPv4: 32 address bits; IPv6: the generator's prefixes are /48 or
	 * shorter, so 56 bits of address and the length identify them. */
	for (i = 0; i < (p->fam == BGP_FAM_IPV4 ? 4 : 7); i++)
		k = k << 8 | p->addr[i];
	k = k << 8 | p->len;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4096;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		assert_non_null(s->v);
	}
	s->v[s->n++] = k;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static size_t n_dups(struct seen *s)
{
	size_t i, d = 0;

	qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
	for (i = 1; i < s->n; i++)
		d += s->v[i] == s->v[i - 1];
	return d;
}

/* Parses every UPDATE of t; counts prefixes per family. */
static void check_table(const struct ft_table *t, uint64_t got[2], uint64_t msgs[2])
{
	const struct bgp_codec c = { .as4 = true };
	struct bgp_update *u = malloc(sizeof(*u));
	struct seen seen[2] = { { 0 }, { 0 } };
	size_t off = 0;
	int fam;

	assert_non_null(u);
	got[0] = got[1] = msgs[0] = msgs[1] = 0;
	while (off < t->len) {
		int len = bgp_msg_check(t->data + off, t->len - off, false);
		struct bgp_nlri_iter it;
		struct bgp_prefix p;
		struct bgp_attr a;

		assert_true(len >= 19);
		assert_int_equal(t->data[off + 18], BGP_UPDATE);
		assert_int_equal(bgp_update_parse(t->data + off, (size_t)len, &c, u), BGP_ACT_NONE);
		assert_int_equal(u->n_errors, 0);
		assert_int_equal(u->eor, -1);
		assert_int_equal(u->withdrawn.len, 0);
		assert_true(bgp_update_attr(u, BGP_ATTR_ORIGIN, &a));
		assert_true(bgp_update_attr(u, BGP_ATTR_AS_PATH, &a));
		assert_true(a.len >= 6 && (a.len - 2) % 4 == 0);
		if (u->reach.present) {
			assert_int_equal(u->reach.afi, BGP_AFI_IPV6);
			assert_int_equal(u->reach.nh.len, 16);
			assert_int_equal(u->nlri.len, 0);
			assert_false(bgp_update_attr(u, BGP_ATTR_NEXT_HOP, &a));
			fam = BGP_FAM_IPV6;
			bgp_nlri_iter_init(&it, u->reach.nlri, fam, false);
		} else {
			assert_true(bgp_update_attr(u, BGP_ATTR_NEXT_HOP, &a));
			assert_int_equal(a.len, 4);
			fam = BGP_FAM_IPV4;
			bgp_nlri_iter_init(&it, u->nlri, fam, false);
		}
		assert_true(off >= t->fam_off[fam] && off < t->fam_off[fam] + t->fam_len[fam]);
		msgs[fam]++;
		while (bgp_nlri_next(&it, &p)) {
			got[fam]++;
			seen_add(&seen[fam], &p);
		}
		off += (size_t)len;
	}
	assert_int_equal(off, t->len);
	for (fam = 0; fam < 2; fam++) {
		assert_int_equal(n_dups(&seen[fam]), 0);
		free(seen[fam].v);
	}
	free(u);
}

static void test_parses_and_counts(void **state)
{
	struct ft_opts o;
	struct ft_table t;
	uint64_t got[2], msgs[2];

	(void)state;
	ft_opts_default(&o);
	o.scale = 0.05;
	assert_int_equal(ft_generate(&o, &t), 0);
	check_table(&t, got, msgs);
	assert_int_equal(got[0], t.prefixes[0]);
	assert_int_equal(got[1], t.prefixes[1]);
	assert_int_equal(msgs[0], t.updates[0]);
	assert_int_equal(msgs[1], t.updates[1]);
	/* 5 % of ~1.04 M and ~233 k */
	assert_true(t.prefixes[0] > 50000 && t.prefixes[0] < 54000);
	assert_true(t.prefixes[1] > 11000 && t.prefixes[1] < 12500);
	ft_free(&t);
}

static void test_deterministic(void **state)
{
	struct ft_opts o;
	struct ft_table a, b;

	(void)state;
	ft_opts_default(&o);
	o.scale = 0.01;
	o.seed = 42;
	assert_int_equal(ft_generate(&o, &a), 0);
	assert_int_equal(ft_generate(&o, &b), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	ft_free(&b);
	o.seed = 43;
	assert_int_equal(ft_generate(&o, &b), 0);
	assert_true(a.len != b.len || memcmp(a.data, b.data, a.len) != 0);
	ft_free(&b);
	/* One family alone is the same bytes as in the two-family table. */
	o.seed = 42;
	o.fam[FT_FAM_IPV4] = false;
	assert_int_equal(ft_generate(&o, &b), 0);
	assert_int_equal(b.fam_len[1], a.fam_len[1]);
	assert_memory_equal(b.data, a.data + a.fam_off[1], a.fam_len[1]);
	ft_free(&b);
	ft_free(&a);
}

static void test_eor(void **state)
{
	const struct bgp_codec c = { .as4 = true };
	struct bgp_update u;
	uint8_t m[64];
	size_t n;

	(void)state;
	n = ft_eor(FT_FAM_IPV4, m);
	assert_int_equal(bgp_msg_check(m, n, false), (int)n);
	bgp_update_parse(m, n, &c, &u);
	assert_int_equal(u.eor, BGP_FAM_IPV4);
	n = ft_eor(FT_FAM_IPV6, m);
	assert_int_equal(bgp_msg_check(m, n, false), (int)n);
	bgp_update_parse(m, n, &c, &u);
	assert_int_equal(u.eor, BGP_FAM_IPV6);
}

/* The full table: sizes and distribution summaries near the documented
 * figures (this is what the benchmark sends). */
static void test_full_table_shape(void **state)
{
	struct ft_opts o;
	struct ft_table t;

	(void)state;
	ft_opts_default(&o);
	assert_int_equal(ft_generate(&o, &t), 0);
	ft_print_stats(&t, "fulltable: ", stdout);
	assert_true(t.prefixes[0] > 1000000 && t.prefixes[0] < 1080000);
	assert_true(t.prefixes[1] > 220000 && t.prefixes[1] < 240000);
	assert_true(t.updates[0] + t.updates[1] > 300000 && t.updates[0] + t.updates[1] < 360000);
	assert_true(t.len > 25000000 && t.len < 35000000);
	assert_true(t.mean_plen[0] > 22.7 && t.mean_plen[0] < 23.1);
	assert_true(t.mean_plen[1] > 42.5 && t.mean_plen[1] < 43.3);
	assert_true(t.mean_path > 4.0 && t.mean_path < 4.8);
	assert_true(t.origins[0] > 60000 && t.origins[0] < 100000);
	ft_free(&t);
}

/* Feeds every UPDATE of t into r; the number of -ENOSPC results. */
static unsigned apply_table(const struct ft_table *t, struct rib *r)
{
	const struct bgp_codec c = { .as4 = true };
	struct bgp_update *u = malloc(sizeof(*u));
	unsigned refusals = 0;

	assert_non_null(u);
	for (size_t off = 0; off < t->len;) {
		int len = bgp_msg_check(t->data + off, t->len - off, false);
		int err;

		assert_true(len >= 19);
		bgp_update_parse(t->data + off, (size_t)len, &c, u);
		err = rib_apply(r, u, NULL, NULL);
		assert_true(err == 0 || err == -ENOSPC);
		refusals += err == -ENOSPC;
		off += (size_t)len;
	}
	free(u);
	return refusals;
}

/*
 * What a full table costs a memory budget (route tables and attribute
 * sets, from their allocation sizes): the default per-peer budget holds
 * at least four (operator-guide.md, "Memory budgets").  A budget of half
 * a table stores routes up to it, refuses and counts the rest, and its
 * charge never passes the budget; a withdrawal of everything frees it.
 */
static void test_full_table_budget(void **state)
{
	struct ft_opts o;
	struct ft_table t;
	struct attr_table at;
	struct rib r;
	struct budget *b = budget_new(NULL, 0);

	(void)state;
	ft_opts_default(&o);
	assert_int_equal(ft_generate(&o, &t), 0);
	attr_table_init(&at);
	rib_init(&r, &at);
	r.bud = b;
	assert_int_equal(apply_table(&t, &r), 0);
	uint64_t routes = t.prefixes[0] + t.prefixes[1], full = b->used;
	assert_int_equal(rib_count(&r, 0) + rib_count(&r, 1), routes);
	print_message("full table: %llu routes, %llu attribute sets, %llu bytes charged "
		      "(%.1f bytes/route)\n", (unsigned long long)routes,
		      (unsigned long long)at.count, (unsigned long long)full,
		      (double)full / (double)routes);
	assert_true(4 * full <= PEER_MEM_MAX_DEFAULT);
	assert_true(full <= MEM_MAX_DEFAULT / 16);
	rib_free(&r);
	assert_int_equal(b->used, 0);

	/* Half a table's budget. */
	b->max = full / 2;
	rib_init(&r, &at);
	r.bud = b;
	assert_true(apply_table(&t, &r) > 0);
	assert_true(r.refused > 0);
	assert_true(b->used <= b->max);
	uint64_t stored = rib_count(&r, 0) + rib_count(&r, 1);
	assert_true(stored > 0 && stored < routes);
	assert_int_equal(stored + r.refused, routes);
	rib_free(&r);
	assert_int_equal(b->used, 0);
	budget_put(b);
	attr_table_free(&at);
	ft_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parses_and_counts),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_eor),
		cmocka_unit_test(test_full_table_shape),
		cmocka_unit_test(test_full_table_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
