// SPDX-License-Identifier: GPL-2.0
/*
 * fulltable: a deterministic synthetic full Internet table as BGP UPDATEs.
 *
 * Model (what a transit peer of a default-free router sends), per family:
 *
 *  - Prefix lengths: counts per length scaled from today's table.  IPv4
 *    follows the shape of the per-length breakdown that bgp.potaroo.net
 *    (AS65000/AS131072 "BGP Routing Table Analysis Report", IPv4 and IPv6
 *    reports, 2025) and the CIDR report publish: ~1.04 M IPv4 entries, /24
 *    about 61 %, /22 12 %, /23 10 %, /21 5 %, /20 4 %, /16 1.3 %, mean
 *    prefix length 22.93 (potaroo, Nov 2025: 22.93).  IPv6 ~233 k entries:
 *    /48 about half, /32 11 %, /44 9 %, /40 7 %, /36 4 %, /29 3 %, mean
 *    length ~42.9 (potaroo, 2025: 42.87).  The generator reports the means
 *    it produced so they can be compared with those figures.
 *  - Addresses: for each length a bijection i -> (i * odd + c) mod 2^len
 *    picks distinct prefixes (so every (address, length) pair is unique and
 *    more-specifics overlap their covering prefixes at random); IPv4 stays
 *    in 1.0.0.0 - 223.255.255.255 without 10/8 and 127/8; IPv6 in 2000::/3.
 *  - Origin ASes: the shuffled prefixes are dealt to origins whose prefix
 *    counts follow a Pareto law, floor(xm * U^(-1/alpha)) capped at 3000
 *    (IPv4 xm 1.45, alpha 0.98; IPv6 1.0, 1.05).  That gives the published
 *    shape: ~80 k IPv4 origins with ~13 prefixes each on average (CIDR
 *    report "Prefixes per ASN", 10.8 in 2014 and ~13 today), a quarter of
 *    them announcing a single prefix, a few thousand for the largest;
 *    ~30 k IPv6 origins.  About 45 % of origins use 4-octet AS numbers
 *    (131072..399999), the others 1..64495 (never AS_TRANS, never the
 *    private ranges, so a receiver with a private AS sees no loop).
 *  - AS_PATH: peer AS, a tier-1 transit, 0..6 regional transits, origin.
 *    Distinct ASes per path: 1 0.5 %, 2 8 %, 3 30 %, 4 31 %, 5 18 %, 6 8 %,
 *    7 3 %, 8 1 %, 9 0.5 % (mean 4.0); 12 % of attribute sets prepend the
 *    origin 1..8 times, so the path as sent averages ~4.5 (the weekly
 *    routing table report gives "average AS path length visible" 4.5).
 *  - Attributes: ORIGIN (IGP 87 %, INCOMPLETE 12 %, EGP 1 %); COMMUNITIES
 *    on ~68 % of prefixes, 1..20 values, ~2.7 per prefix on average (route
 *    collector views carry a few communities per route, tagged by the
 *    transits); LARGE_COMMUNITY on 10 %; MED on 25 %; ATOMIC_AGGREGATE +
 *    AGGREGATOR on 4 %.
 *  - Grouping: an origin's prefixes share one attribute set, except that
 *    each further prefix starts a new set (another path 40 %, a prepend
 *    15 %, else only another tagging) with probability 0.19; each set is
 *    sent as UPDATEs packed up to 4096 bytes.  That gives ~3.85 prefixes
 *    per UPDATE: ~330 k UPDATEs and ~31 MB for the whole table (the field
 *    notes measured ~330 k UPDATEs, ~28 MB, for a real full-table feed).
 *
 * Encoding: 4-octet AS session (AS_PATH with 4-octet ASes, AGGREGATOR with
 * a 4-octet AS), IPv4 NLRI in the UPDATE's NLRI field with NEXT_HOP, IPv6
 * in MP_REACH_NLRI (first attribute, extended length, 16-octet next hop).
 * Everything is derived from one splitmix64 stream: same seed and scale,
 * same bytes, on every machine.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fulltable.h"

#define FT_MAX_MSG	4096
#define FT_MAX_PATH	64
#define FT_MAX_COMMS	24

/* ---- random numbers ------------------------------------------------------ */

struct ft_rng {
	uint64_t s;
};

static uint64_t ft_rnd(struct ft_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t ft_below(struct ft_rng *r, uint32_t n)
{
	return (uint32_t)(((ft_rnd(r) >> 32) * n) >> 32);
}

static double ft_unit(struct ft_rng *r)
{
	return (double)(ft_rnd(r) >> 11) * 0x1p-53;
}

struct ft_w {
	int v;
	double w;
};

static int ft_pick(struct ft_rng *r, const struct ft_w *d, size_t n)
{
	double tot = 0, x;
	size_t i;

	for (i = 0; i < n; i++)
		tot += d[i].w;
	x = ft_unit(r) * tot;
	for (i = 0; i < n - 1; i++) {
		if (x < d[i].w)
			return d[i].v;
		x -= d[i].w;
	}
	return d[n - 1].v;
}

#define PICK(r, d) ft_pick(r, d, sizeof(d) / sizeof(d[0]))

/* ---- distributions (see the comment at the top) -------------------------- */

struct ft_len {
	uint8_t len;
	uint32_t count;
};

static const struct ft_len v4_lens[] = {
	{ 8, 16 },	{ 9, 13 },	{ 10, 38 },	{ 11, 105 },	{ 12, 300 },
	{ 13, 580 },	{ 14, 1200 },	{ 15, 2100 },	{ 16, 13800 },	{ 17, 8800 },
	{ 18, 14500 },	{ 19, 26500 },	{ 20, 45000 },	{ 21, 53000 },	{ 22, 128000 },
	{ 23, 105000 }, { 24, 637000 },
};

static const struct ft_len v6_lens[] = {
	{ 16, 10 },	{ 19, 5 },	{ 20, 30 },	{ 24, 400 },	{ 28, 1500 },
	{ 29, 7500 },	{ 30, 1200 },	{ 31, 700 },	{ 32, 26000 },	{ 33, 2500 },
	{ 34, 2500 },	{ 35, 1500 },	{ 36, 10000 },	{ 37, 800 },	{ 38, 2500 },
	{ 39, 800 },	{ 40, 17000 },	{ 41, 1200 },	{ 42, 4000 },	{ 43, 1000 },
	{ 44, 20000 },	{ 45, 2500 },	{ 46, 8000 },	{ 47, 6500 },	{ 48, 115000 },
};

/* Distinct ASes in the path, the peer's included. */
static const struct ft_w path_len_w[] = {
	{ 1, 0.5 }, { 2, 8 }, { 3, 30 }, { 4, 31 }, { 5, 18 },
	{ 6, 8 },   { 7, 3 }, { 8, 1 },  { 9, 0.5 },
};

static const struct ft_w prepend_w[] = {
	{ 1, 40 }, { 2, 30 }, { 3, 18 }, { 4, 6 }, { 5, 3 }, { 8, 3 },
};

static const struct ft_w comms_w[] = {
	{ 0, 32 }, { 1, 12 }, { 2, 14 }, { 3, 12 }, { 4, 9 }, { 5, 7 },
	{ 6, 5 },  { 8, 4 },  { 10, 3 }, { 15, 1.5 }, { 20, 0.5 },
};

static const uint32_t tier1[] = {
	174, 701, 1299, 2914, 3257, 3320, 3356, 3491,
	5511, 6453, 6461, 6762, 6830, 6939, 7018, 12956,
};

#define FT_N_TRANSIT	2000
/* Prefixes per origin: floor(xm * U^(-1/alpha)), capped. */
static const double pareto_xm[2] = { 1.45, 1.0 }, pareto_alpha[2] = { 0.98, 1.05 };
#define FT_PARETO_CAP	3000
#define FT_SPLIT_P	0.19

/* ---- state --------------------------------------------------------------- */

struct ft_group {
	uint8_t origin;
	uint8_t path_len;
	uint8_t n_comms, n_large;
	bool med, agg;
	uint32_t med_v, agg_as, agg_addr;
	uint32_t path[FT_MAX_PATH];
	uint32_t comms[FT_MAX_COMMS];
	uint32_t large[3][3];
	uint32_t uniq;			/* distinct ASes */
};

struct ft_gen {
	const struct ft_opts *o;
	struct ft_table *t;
	struct ft_rng r;
	uint32_t transit[FT_N_TRANSIT];
	size_t cap;
	bool oom;
	/* per-prefix sums */
	double sum_path, sum_uniq, sum_comms, n_comms_pfx, n_large_pfx, n_pfx;
};

static uint32_t ft_rand_as(struct ft_rng *r)
{
	uint32_t a;

	if (ft_below(r, 100) < 45)
		return 131072 + ft_below(r, 399999 - 131072 + 1);
	do
		a = 1 + ft_below(r, 64495);
	while (a == 23456);
	return a;
}

static bool ft_reserve(struct ft_gen *g, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (g->t->len + n <= g->cap)
		return true;
	cap = g->cap ? g->cap * 2 : 1 << 20;
	while (cap < g->t->len + n)
		cap *= 2;
	p = realloc(g->t->data, cap);
	if (!p) {
		g->oom = true;
		return false;
	}
	g->t->data = p;
	g->cap = cap;
	return true;
}

/* ---- prefixes ------------------------------------------------------------- */

/*
 * A prefix as one u64: IPv4 address << 32 | len; IPv6 the top 64 address
 * bits (lengths are at most 48, so the low byte is free) | len.
 */
static inline uint8_t pfx_len(uint64_t p)
{
	return (uint8_t)p;
}

static bool v4_ok(uint32_t a)
{
	uint32_t o = a >> 24;

	return o >= 1 && o <= 223 && o != 10 && o != 127;
}

static uint64_t *ft_prefixes(struct ft_gen *g, int fam, size_t *np)
{
	const struct ft_len *lens = fam == FT_FAM_IPV4 ? v4_lens : v6_lens;
	size_t nl = fam == FT_FAM_IPV4 ? sizeof(v4_lens) / sizeof(v4_lens[0])
				       : sizeof(v6_lens) / sizeof(v6_lens[0]);
	size_t total = 0, n = 0, i;
	uint64_t *v;

	for (i = 0; i < nl; i++)
		total += (size_t)llround(lens[i].count * g->o->scale);
	v = malloc((total ? total : 1) * sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < nl; i++) {
		size_t want = (size_t)llround(lens[i].count * g->o->scale), got = 0;
		unsigned bits = fam == FT_FAM_IPV4 ? lens[i].len : lens[i].len - 3u;
		uint64_t mask = (1ULL << bits) - 1, mul = ft_rnd(&g->r) | 1, add = ft_rnd(&g->r);
		uint64_t k;

		for (k = 0; got < want && k <= mask; k++) {
			uint64_t x = (k * mul + add) & mask;

			if (fam == FT_FAM_IPV4) {
				uint32_t a = (uint32_t)(x << (32 - bits));

				if (!v4_ok(a))
					continue;
				v[n++] = (uint64_t)a << 32 | lens[i].len;
			} else {
				v[n++] = 1ULL << 61 | x << (61 - bits) | lens[i].len;
			}
			got++;
		}
	}
	/* Fisher-Yates: origins get a realistic mix of lengths and places. */
	for (i = n; i > 1; i--) {
		size_t j = ft_below(&g->r, (uint32_t)i);
		uint64_t tmp = v[i - 1];

		v[i - 1] = v[j];
		v[j] = tmp;
	}
	*np = n;
	return v;
}

static size_t put_prefix(uint8_t *p, int fam, uint64_t pf)
{
	uint8_t len = pfx_len(pf), nb = (uint8_t)((len + 7) / 8), i;
	uint64_t a = fam == FT_FAM_IPV4 ? pf : pf & ~0xffULL;

	p[0] = len;
	for (i = 0; i < nb; i++)
		p[1 + i] = (uint8_t)(a >> (56 - 8 * i));
	return 1u + nb;
}

/* ---- attribute sets ------------------------------------------------------- */

static void ft_make_path(struct ft_gen *g, struct ft_group *s, uint32_t origin, int uniq)
{
	int i;

	s->path_len = 0;
	s->path[s->path_len++] = g->o->peer_as;
	if (uniq >= 3)
		s->path[s->path_len++] = tier1[ft_below(&g->r, sizeof(tier1) / sizeof(tier1[0]))];
	for (i = 3; i < uniq; i++)
		s->path[s->path_len++] = g->transit[ft_below(&g->r, FT_N_TRANSIT)];
	if (uniq >= 2)
		s->path[s->path_len++] = origin;
	s->uniq = (uint32_t)uniq;
}

static void ft_prepend(struct ft_gen *g, struct ft_group *s)
{
	int k = PICK(&g->r, prepend_w);
	uint32_t last = s->path[s->path_len - 1];

	while (k-- > 0 && s->path_len < FT_MAX_PATH)
		s->path[s->path_len++] = last;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void ft_tag(struct ft_gen *g, struct ft_group *s)
{
	int n = PICK(&g->r, comms_w), i, j;
	uint32_t hi[4];
	int nhi = 0;

	/* Communities are set by ASes on the path that have 16-bit numbers. */
	for (i = 0; i < s->path_len && nhi < 4; i++)
		if (s->path[i] <= 0xffff && (nhi == 0 || hi[nhi - 1] != s->path[i]))
			hi[nhi++] = s->path[i];
	if (!nhi)
		hi[nhi++] = 65535;
	for (i = 0; i < n && i < FT_MAX_COMMS; i++)
		s->comms[i] = hi[ft_below(&g->r, (uint32_t)nhi)] << 16 |
			      (1 + ft_below(&g->r, 4000));
	qsort(s->comms, (size_t)i, sizeof(s->comms[0]), cmp_u32);
	for (j = 0, n = i, i = 0; i < n; i++)
		if (!j || s->comms[j - 1] != s->comms[i])
			s->comms[j++] = s->comms[i];
	s->n_comms = (uint8_t)j;
	s->n_large = 0;
	if (ft_below(&g->r, 100) < 10) {
		s->n_large = (uint8_t)(1 + ft_below(&g->r, 3));
		for (i = 0; i < s->n_large; i++) {
			s->large[i][0] = g->o->peer_as;
			s->large[i][1] = 1 + (uint32_t)i;
			s->large[i][2] = 1 + ft_below(&g->r, 100000);
		}
	}
	s->med = ft_below(&g->r, 100) < 25;
	s->med_v = ft_below(&g->r, 1000);
}

static void ft_new_set(struct ft_gen *g, struct ft_group *s, uint32_t origin, bool first,
		       const struct ft_group *base)
{
	uint32_t x = ft_below(&g->r, 100);

	if (first) {
		int uniq = PICK(&g->r, path_len_w);

		memset(s, 0, sizeof(*s));
		ft_make_path(g, s, origin, uniq);
		x = ft_below(&g->r, 1000);
		s->origin = x < 870 ? 0 : x < 990 ? 2 : 1;
		s->agg = ft_below(&g->r, 100) < 4;
		s->agg_as = origin;
		s->agg_addr = (uint32_t)ft_rnd(&g->r);
		if (ft_below(&g->r, 100) < 12 && s->path_len > 1)
			ft_prepend(g, s);
	} else {
		/* Another set for the same origin: a different path (40 %),
		 * a prepend (30 %), or only another tagging. */
		*s = *base;
		if (x < 40 && base->uniq >= 3) {
			ft_make_path(g, s, origin, (int)base->uniq);
		} else if (x < 55 && s->path_len > 1) {
			ft_make_path(g, s, origin, (int)base->uniq);
			memcpy(s->path, base->path, sizeof(s->path[0]) * base->uniq);
			ft_prepend(g, s);
		}
	}
	ft_tag(g, s);
}

/* Writes attr header; extended length when needed (or forced). */
static size_t put_ahdr(uint8_t *p, uint8_t flags, uint8_t type, size_t len, bool ext)
{
	if (len > 255 || ext) {
		p[0] = flags | 0x10;
		p[1] = type;
		p[2] = (uint8_t)(len >> 8);
		p[3] = (uint8_t)len;
		return 4;
	}
	p[0] = flags;
	p[1] = type;
	p[2] = (uint8_t)len;
	return 3;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The attributes of a set except MP_REACH_NLRI, in type order. */
static size_t ft_attrs(const struct ft_gen *g, const struct ft_group *s, int fam, uint8_t *p)
{
	size_t n = 0, i;

	n += put_ahdr(p + n, 0x40, 1, 1, false);
	p[n++] = s->origin;
	n += put_ahdr(p + n, 0x40, 2, 2 + 4u * s->path_len, false);
	p[n++] = 2;		/* AS_SEQUENCE */
	p[n++] = s->path_len;
	for (i = 0; i < s->path_len; i++, n += 4)
		put32(p + n, s->path[i]);
	if (fam == FT_FAM_IPV4) {
		n += put_ahdr(p + n, 0x40, 3, 4, false);
		put32(p + n, g->o->nh4);
		n += 4;
	}
	if (s->med) {
		n += put_ahdr(p + n, 0x80, 4, 4, false);
		put32(p + n, s->med_v);
		n += 4;
	}
	if (s->agg) {
		n += put_ahdr(p + n, 0x40, 6, 0, false);
		n += put_ahdr(p + n, 0xc0, 7, 8, false);
		put32(p + n, s->agg_as);
		put32(p + n + 4, s->agg_addr);
		n += 8;
	}
	if (s->n_comms) {
		n += put_ahdr(p + n, 0xc0, 8, 4u * s->n_comms, false);
		for (i = 0; i < s->n_comms; i++, n += 4)
			put32(p + n, s->comms[i]);
	}
	if (s->n_large) {
		n += put_ahdr(p + n, 0xc0, 32, 12u * s->n_large, false);
		for (i = 0; i < s->n_large; i++, n += 12) {
			put32(p + n, s->large[i][0]);
			put32(p + n + 4, s->large[i][1]);
			put32(p + n + 8, s->large[i][2]);
		}
	}
	return n;
}

/* Emits the UPDATEs for one set: pf[0..n) all share its attributes. */
static void ft_emit(struct ft_gen *g, const struct ft_group *s, int fam, const uint64_t *pf,
		    size_t n)
{
	uint8_t attrs[1024];
	size_t alen = ft_attrs(g, s, fam, attrs), i = 0, k;
	/* Fixed part: header, withdrawn length, attribute length, attributes,
	 * and for IPv6 the MP_REACH_NLRI header (4) + AFI/SAFI/nhlen/nh/res. */
	size_t fixed = 19 + 2 + 2 + alen + (fam == FT_FAM_IPV6 ? 4 + 3 + 1 + 16 + 1 : 0);

	while (i < n) {
		uint8_t *m, *q;
		size_t body = 0, start;

		if (!ft_reserve(g, FT_MAX_MSG))
			return;
		start = g->t->len;
		m = g->t->data + start;
		q = m + fixed;
		for (k = i; k < n; k++) {
			size_t need = 1 + (pfx_len(pf[k]) + 7) / 8;

			if (fixed + body + need > FT_MAX_MSG)
				break;
			body += put_prefix(q + body, fam, pf[k]);
			g->sum_path += s->path_len;
			g->sum_uniq += s->uniq;
			g->sum_comms += s->n_comms;
			g->n_comms_pfx += s->n_comms > 0;
			g->n_large_pfx += s->n_large > 0;
			g->n_pfx++;
			g->t->mean_plen[fam] += pfx_len(pf[k]);
		}
		memset(m, 0xff, 16);
		m[16] = (uint8_t)((fixed + body) >> 8);
		m[17] = (uint8_t)(fixed + body);
		m[18] = 2;
		m[19] = m[20] = 0;
		if (fam == FT_FAM_IPV4) {
			m[21] = (uint8_t)(alen >> 8);
			m[22] = (uint8_t)alen;
			memcpy(m + 23, attrs, alen);
		} else {
			size_t mp = 3 + 1 + 16 + 1 + body, tl = 4 + mp + alen;
			uint8_t *a = m + 23;

			m[21] = (uint8_t)(tl >> 8);
			m[22] = (uint8_t)tl;
			a += put_ahdr(a, 0x80, 14, mp, true);
			*a++ = 0;
			*a++ = 2;	/* AFI IPv6 */
			*a++ = 1;	/* SAFI unicast */
			*a++ = 16;
			memcpy(a, g->o->nh6, 16);
			a += 16;
			*a++ = 0;	/* reserved */
			/* The NLRI were written after the fixed part: move the
			 * other attributes behind them. */
			memmove(a, q, body);
			memcpy(a + body, attrs, alen);
		}
		g->t->len = start + fixed + body;
		g->t->updates[fam]++;
		g->t->prefixes[fam] += k - i;
		i = k;
	}
}

static int ft_family(struct ft_gen *g, int fam)
{
	size_t n, i = 0;
	uint64_t *pf = ft_prefixes(g, fam, &n);
	struct ft_group *base, *cur;

	if (!pf)
		return -1;
	base = malloc(2 * sizeof(*base));
	if (!base) {
		free(pf);
		return -1;
	}
	cur = base + 1;
	g->t->fam_off[fam] = g->t->len;
	while (i < n && !g->oom) {
		double u = 1.0 - ft_unit(&g->r);
		size_t c = (size_t)floor(pareto_xm[fam] * pow(u, -1.0 / pareto_alpha[fam])), j, run;
		uint32_t origin = ft_rand_as(&g->r);

		if (c > FT_PARETO_CAP)
			c = FT_PARETO_CAP;
		if (c > n - i)
			c = n - i;
		g->t->origins[fam]++;
		ft_new_set(g, base, origin, true, NULL);
		if (base->uniq == 1)	/* the peer's own routes */
			origin = g->o->peer_as;
		/* Runs of prefixes sharing one set. */
		for (j = 0; j < c; j += run) {
			const struct ft_group *s = base;

			for (run = 1; j + run < c && ft_unit(&g->r) >= FT_SPLIT_P; run++)
				;
			if (j) {
				ft_new_set(g, cur, origin, false, base);
				s = cur;
			}
			g->t->attr_sets[fam]++;
			ft_emit(g, s, fam, pf + i + j, run);
		}
		i += c;
	}
	g->t->fam_len[fam] = g->t->len - g->t->fam_off[fam];
	if (g->t->prefixes[fam])
		g->t->mean_plen[fam] /= (double)g->t->prefixes[fam];
	free(base);
	free(pf);
	return g->oom ? -1 : 0;
}

/* ---- API ----------------------------------------------------------------- */

void ft_opts_default(struct ft_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->scale = 1.0;
	o->seed = 1;
	o->peer_as = 4200000100u;
	o->nh4 = 0x0a000101;		/* 10.0.1.1 */
	o->nh6[0] = 0xfd;		/* fd00:1::1 */
	o->nh6[3] = 1;
	o->nh6[15] = 1;
	o->fam[0] = o->fam[1] = true;
}

int ft_generate(const struct ft_opts *o, struct ft_table *t)
{
	struct ft_gen g;
	int fam, i;

	memset(t, 0, sizeof(*t));
	if (!(o->scale > 0 && o->scale <= 16))
		return -1;
	memset(&g, 0, sizeof(g));
	g.o = o;
	g.t = t;
	g.r.s = o->seed * 0x2545f4914f6cdd1dULL + 0x1234567;
	for (i = 0; i < FT_N_TRANSIT; i++)
		g.transit[i] = ft_rand_as(&g.r);
	for (fam = 0; fam < 2; fam++) {
		/* Each family has its own stream so that one does not change
		 * when the other is left out. */
		struct ft_rng keep = g.r;

		g.r.s ^= 0x5851f42d4c957f2dULL * (uint64_t)(fam + 1);
		if (o->fam[fam] && ft_family(&g, fam)) {
			ft_free(t);
			return -1;
		}
		g.r = keep;
	}
	if (g.n_pfx) {
		t->mean_path = g.sum_path / g.n_pfx;
		t->mean_path_uniq = g.sum_uniq / g.n_pfx;
		t->mean_comms = g.sum_comms / g.n_pfx;
		t->with_comms = g.n_comms_pfx / g.n_pfx;
		t->with_large = g.n_large_pfx / g.n_pfx;
	}
	return 0;
}

void ft_free(struct ft_table *t)
{
	free(t->data);
	memset(t, 0, sizeof(*t));
}

size_t ft_eor(int fam, uint8_t *out)
{
	size_t len = fam == FT_FAM_IPV4 ? 23 : 29;

	memset(out, 0, len);
	memset(out, 0xff, 16);
	out[17] = (uint8_t)len;
	out[18] = 2;
	if (fam == FT_FAM_IPV6) {
		out[22] = 6;
		out[23] = 0x80;	/* MP_UNREACH_NLRI, optional */
		out[24] = 15;
		out[25] = 3;
		out[27] = 2;	/* AFI IPv6 */
		out[28] = 1;	/* SAFI unicast */
	}
	return len;
}

void ft_print_stats(const struct ft_table *t, const char *prefix, void *file)
{
	FILE *f = file;
	static const char *const name[2] = { "ipv4", "ipv6" };
	int fam;

	for (fam = 0; fam < 2; fam++) {
		fprintf(f, "%s%s_prefixes %llu\n", prefix, name[fam],
			(unsigned long long)t->prefixes[fam]);
		fprintf(f, "%s%s_updates %llu\n", prefix, name[fam],
			(unsigned long long)t->updates[fam]);
		fprintf(f, "%s%s_bytes %zu\n", prefix, name[fam], t->fam_len[fam]);
		fprintf(f, "%s%s_origins %llu\n", prefix, name[fam],
			(unsigned long long)t->origins[fam]);
		fprintf(f, "%s%s_attr_sets %llu\n", prefix, name[fam],
			(unsigned long long)t->attr_sets[fam]);
		fprintf(f, "%s%s_mean_prefix_len %.2f\n", prefix, name[fam], t->mean_plen[fam]);
	}
	fprintf(f, "%supdates %llu\n", prefix,
		(unsigned long long)(t->updates[0] + t->updates[1]));
	fprintf(f, "%sbytes %zu\n", prefix, t->len);
	fprintf(f, "%smean_as_path_len %.2f\n", prefix, t->mean_path);
	fprintf(f, "%smean_distinct_ases %.2f\n", prefix, t->mean_path_uniq);
	fprintf(f, "%smean_communities %.2f\n", prefix, t->mean_comms);
	fprintf(f, "%swith_communities %.2f\n", prefix, t->with_comms);
	fprintf(f, "%swith_large_communities %.2f\n", prefix, t->with_large);
}
