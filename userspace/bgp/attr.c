#include "attr.h"
#include "hash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

void attr_table_init(struct attr_table *t)
{
	struct timespec ts;

	memset(t, 0, sizeof(*t));
	buf_init(&t->scratch);
	/* No entropy yet (early boot): the clock still beats a constant. */
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != sizeof(t->seed)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		t->seed = (uint64_t)ts.tv_nsec << 32 ^ (uint64_t)ts.tv_sec;
	}
}

static void set_free(struct attr_set *s)
{
	budget_sub(s->bud, attr_set_bytes(s->len));
	budget_put(s->bud);
	free(s);
}

void attr_table_free(struct attr_table *t)
{
	for (uint32_t i = 1; i < t->n_ids; i++)
		if (t->sets[i])
			set_free(t->sets[i]);
	free(t->sets);
	free(t->free_ids);
	free(t->index);
	free(t->defer);
	buf_free(&t->scratch);
	memset(t, 0, sizeof(*t));
}

static uint32_t set_hash(uint64_t seed, int fam, const uint8_t *nh, uint8_t nh_len,
			 const uint8_t *d, uint32_t len)
{
	uint8_t k[2] = { (uint8_t)fam, nh_len };
	uint32_t h = fnv1a(FNV1A_BASIS ^ (uint32_t)seed ^ (uint32_t)(seed >> 32), k, 2);
	h = fnv1a(h, nh, nh_len);
	h = fnv1a(h, d, len);
	return h ^ (h >> 15);
}

static bool index_grow(struct attr_table *t)
{
	uint32_t cap = t->index_cap ? t->index_cap * 2 : 256;
	uint64_t *idx = calloc(cap, sizeof(*idx));
	if (!idx)
		return false;
	for (uint32_t i = 0; i < t->index_cap; i++) {
		uint64_t e = t->index[i];
		if (!e)
			continue;
		uint32_t j = (uint32_t)(e >> 32) & (cap - 1);
		while (idx[j])
			j = (j + 1) & (cap - 1);
		idx[j] = e;
	}
	free(t->index);
	t->index = idx;
	t->index_cap = cap;
	return true;
}

static uint32_t alloc_id(struct attr_table *t)
{
	if (t->n_free)
		return t->free_ids[--t->n_free];
	if (!t->n_ids)
		t->n_ids = 1;
	if (t->n_ids >= t->cap_ids) {
		uint32_t cap = t->cap_ids ? t->cap_ids * 2 : 64;
		struct attr_set **s = realloc(t->sets, cap * sizeof(*s));
		if (!s)
			return 0;
		/* Grown alongside so that freeing an id can never fail. */
		uint32_t *f = realloc(t->free_ids, cap * sizeof(*f));
		if (!f) {
			t->sets = s;
			return 0;
		}
		t->sets = s;
		t->free_ids = f;
		t->cap_ids = cap;
	}
	return t->n_ids++;
}

uint32_t attr_intern(struct attr_table *t, int fam, const uint8_t *nh, uint8_t nh_len,
		     const uint8_t *data, uint32_t len)
{
	return attr_intern_budget(t, NULL, fam, nh, nh_len, data, len);
}

uint32_t attr_intern_budget(struct attr_table *t, struct budget *bud, int fam,
			    const uint8_t *nh, uint8_t nh_len, const uint8_t *data, uint32_t len)
{
	t->refused = false;
	if (nh_len > 32)
		return 0;
	uint32_t h = set_hash(t->seed, fam, nh, nh_len, data, len);
	if (t->index_cap) {
		for (uint32_t i = h & (t->index_cap - 1); t->index[i]; i = (i + 1) & (t->index_cap - 1)) {
			if ((uint32_t)(t->index[i] >> 32) != h)
				continue;
			uint32_t id = (uint32_t)t->index[i];
			struct attr_set *s = t->sets[id];
			if (s->fam == fam && s->nh_len == nh_len && s->len == len &&
			    !memcmp(s->nh, nh, nh_len) && !memcmp(s->data, data, len)) {
				s->refcnt++;
				return id;
			}
		}
	}
	if (!budget_fits(bud, attr_set_bytes(len))) {
		t->refused = true;
		return 0;
	}
	if ((t->count + 1) * 2 > t->index_cap && !index_grow(t))
		return 0;
	struct attr_set *s = malloc(sizeof(*s) + len);
	if (!s)
		return 0;
	uint32_t id = alloc_id(t);
	if (!id) {
		free(s);
		return 0;
	}
	memset(s, 0, sizeof(*s));
	s->refcnt = 1;
	s->hash = h;
	s->fam = (uint8_t)fam;
	s->nh_len = nh_len;
	memcpy(s->nh, nh, nh_len);
	s->len = len;
	if (len)
		memcpy(s->data, data, len);
	s->bud = bud;
	budget_get(bud);
	budget_add(bud, attr_set_bytes(len));
	t->sets[id] = s;
	uint32_t i = h & (t->index_cap - 1);
	while (t->index[i])
		i = (i + 1) & (t->index_cap - 1);
	t->index[i] = (uint64_t)h << 32 | id;
	t->count++;
	return id;
}

void attr_ref(struct attr_table *t, uint32_t id)
{
	if (id && id < t->n_defer)
		t->defer[id]++;
	else if (id && id < t->n_ids && t->sets[id])
		t->sets[id]->refcnt++;
}

void attr_unref(struct attr_table *t, uint32_t id)
{
	if (id < t->n_defer && t->defer[id]) {
		t->defer[id]--;
		return;
	}
	struct attr_set *s = (struct attr_set *)attr_get(t, id);
	if (!s || --s->refcnt)
		return;
	uint32_t mask = t->index_cap - 1, i = s->hash & mask;
	while ((uint32_t)t->index[i] != id)
		i = (i + 1) & mask;
	/* Backward-shift deletion keeps probe chains intact without tombstones. */
	for (uint32_t j = i;;) {
		j = (j + 1) & mask;
		if (!t->index[j])
			break;
		uint32_t k = (uint32_t)(t->index[j] >> 32) & mask;
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->index[i] = t->index[j];
		i = j;
	}
	t->index[i] = 0;
	set_free(s);
	t->sets[id] = NULL;
	t->free_ids[t->n_free++] = id;
	t->count--;
	t->frees++;
}

int attr_defer_begin(struct attr_table *t, uint32_t max_ids)
{
	t->defer = calloc(max_ids, sizeof(*t->defer));
	if (!t->defer)
		return -ENOMEM;
	t->n_defer = max_ids;
	return 0;
}

void attr_defer_end(struct attr_table *t)
{
	uint32_t n = t->n_defer < t->n_ids ? t->n_defer : t->n_ids;

	for (uint32_t id = 1; id < n; id++)
		if (t->defer[id] && t->sets[id])
			t->sets[id]->refcnt += t->defer[id];
	free(t->defer);
	t->defer = NULL;
	t->n_defer = 0;
}

static void put_attr(struct buf *b, uint8_t flags, uint8_t type, const void *v, uint32_t len)
{
	flags &= (uint8_t)~BGP_AF_EXTLEN;
	if (len > 255) {
		buf_u8(b, flags | BGP_AF_EXTLEN);
		buf_u8(b, type);
		buf_u16(b, (uint16_t)len);
	} else {
		buf_u8(b, flags);
		buf_u8(b, type);
		buf_u8(b, (uint8_t)len);
	}
	buf_put(b, v, len);
}

/* Appends attribute a in canonical form; false when it cannot be. */
static bool put_canonical(struct buf *b, const struct bgp_update *u, const struct bgp_attr *a)
{
	switch (a->type) {
	case BGP_ATTR_NEXT_HOP: case BGP_ATTR_AS4_PATH: case BGP_ATTR_AS4_AGGREGATOR:
		break;
	case BGP_ATTR_AS_PATH: {
		size_t at = b->len;
		buf_u8(b, a->flags | BGP_AF_EXTLEN);
		buf_u8(b, BGP_ATTR_AS_PATH);
		size_t lf = buf_mark(b, 2);
		bgp_update_aspath(u, b);
		if (b->oom)
			return false;
		uint32_t vlen = (uint32_t)(b->len - lf - 2);
		if (vlen > 0xffff)
			return false;
		if (vlen <= 255) {	/* canonical: short form when it fits */
			b->data[at] &= (uint8_t)~BGP_AF_EXTLEN;
			b->data[lf] = (uint8_t)vlen;
			memmove(b->data + lf + 1, b->data + lf + 2, vlen);
			b->len--;
		} else {
			buf_patch_len(b, lf, 2);
		}
		break;
	}
	case BGP_ATTR_AGGREGATOR: {
		uint8_t v[8];
		uint32_t as, addr;
		bgp_update_aggregator(u, &as, &addr);
		put_u32(v, as);
		put_u32(v + 4, addr);
		put_attr(b, a->flags, BGP_ATTR_AGGREGATOR, v, 8);
		break;
	}
	default:
		put_attr(b, a->flags, a->type, a->val, a->len);
	}
	return true;
}

/* The usable attributes of u in canonical form into b, with mp (NULL: none)
 * in its place as attribute 14; false when they cannot be. */
static bool canonicalize(struct buf *b, const struct bgp_update *u, const struct bgp_attr *mp)
{
	struct bgp_attr_iter it;
	struct bgp_attr a;
	uint64_t present[4] = { 0 };

	buf_reset(b);
	/* The usable attributes (wire order) give the types present; the
	 * bitmap yields them in ascending order without probing all 255. */
	bgp_attr_iter_init(&it, u);
	while (bgp_attr_next(&it, &a))
		present[a.type / 64] |= 1ull << (a.type % 64);
	present[0] &= ~1ull;	/* type 0 is not an attribute */
	if (mp)
		present[0] |= 1ull << BGP_ATTR_MP_REACH;
	for (unsigned w = 0; w < 4; w++)
		for (uint64_t m = present[w]; m; m &= m - 1) {
			uint8_t type = (uint8_t)(w * 64 + (unsigned)__builtin_ctzll(m));

			if (mp && type == BGP_ATTR_MP_REACH) {
				put_attr(b, mp->flags, type, mp->val, mp->len);
				continue;
			}
			bgp_update_attr(u, type, &a);
			if (!put_canonical(b, u, &a))
				return false;
		}
	return !b->oom;
}

uint32_t attr_intern_update(struct attr_table *t, struct budget *bud, const struct bgp_update *u,
			    int fam, struct bgp_span nh)
{
	struct buf *b = &t->scratch;

	t->refused = false;
	if (!canonicalize(b, u, NULL) || nh.len > 32)
		return 0;
	return attr_intern_budget(t, bud, fam, nh.p, (uint8_t)nh.len, b->data, (uint32_t)b->len);
}

uint32_t attr_intern_update_mp(struct attr_table *t, struct budget *bud,
			       const struct bgp_update *u, uint16_t afi, uint8_t safi,
			       struct bgp_span nh)
{
	struct buf *b = &t->scratch;
	uint8_t v[4 + 255 + 1];
	struct bgp_attr mp = { BGP_AF_OPTIONAL, BGP_ATTR_MP_REACH, (uint16_t)(5 + nh.len), v };

	t->refused = false;
	if (nh.len > 255)
		return 0;
	put_u16(v, afi);
	v[2] = safi;
	v[3] = (uint8_t)nh.len;
	if (nh.len)
		memcpy(v + 4, nh.p, nh.len);
	v[4 + nh.len] = 0;	/* RFC 4760 Reserved */
	if (!canonicalize(b, u, &mp))
		return 0;
	return attr_intern_budget(t, bud, ATTR_FAM_MP, v, 0, b->data, (uint32_t)b->len);
}

bool attr_find(const struct attr_set *s, uint8_t type, struct bgp_attr *a)
{
	for (uint32_t o = 0; o + 3 <= s->len;) {
		const uint8_t *p = s->data + o;
		uint32_t hl = p[0] & BGP_AF_EXTLEN ? 4 : 3;
		uint32_t l = hl == 4 ? get_u16(p + 2) : p[2];
		if (p[1] == type) {
			*a = (struct bgp_attr){ p[0], p[1], (uint16_t)l, p + hl };
			return true;
		}
		o += hl + l;
	}
	return false;
}
