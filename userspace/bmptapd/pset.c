// SPDX-License-Identifier: GPL-2.0
/*
 * The coalescing sets of replay.c: (prefix, path id) entries, open
 * addressing with linear probing, fam 0xff marking a free slot.
 */
#include <stdlib.h>
#include <string.h>

#include "replay.h"

static uint32_t pfx_hash(const struct bgp_prefix *p)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)p->fam << 40 | (uint64_t)p->len << 32 |
					       p->path_id);
	for (int i = 0; i < 16; i += 4) {
		uint32_t w;

		memcpy(&w, p->addr + i, 4);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return (uint32_t)h;
}

static bool pfx_eq(const struct bgp_prefix *a, const struct bgp_prefix *b)
{
	return a->fam == b->fam && a->len == b->len && a->path_id == b->path_id &&
	       !memcmp(a->addr, b->addr, 16);
}

static bool pset_grow(struct pset *s)
{
	uint32_t cap = s->cap ? s->cap * 2 : 256;
	struct bgp_prefix *v = malloc((size_t)cap * sizeof(*v));

	if (!v)
		return false;
	for (uint32_t i = 0; i < cap; i++)
		v[i].fam = 0xff;
	for (uint32_t i = 0; i < s->cap; i++) {
		if (s->v[i].fam == 0xff)
			continue;
		uint32_t j = pfx_hash(&s->v[i]) & (cap - 1);
		while (v[j].fam != 0xff)
			j = (j + 1) & (cap - 1);
		v[j] = s->v[i];
	}
	free(s->v);
	s->v = v;
	s->cap = cap;
	return true;
}

bool pset_has(const struct pset *s, const struct bgp_prefix *p)
{
	if (!s->cap)
		return false;
	for (uint32_t j = pfx_hash(p) & (s->cap - 1); s->v[j].fam != 0xff; j = (j + 1) & (s->cap - 1))
		if (pfx_eq(&s->v[j], p))
			return true;
	return false;
}

bool pset_add(struct pset *s, const struct bgp_prefix *p)
{
	if ((s->count + 1) * 4 > s->cap * 3 && !pset_grow(s))
		return false;
	uint32_t j = pfx_hash(p) & (s->cap - 1);
	while (s->v[j].fam != 0xff) {
		if (pfx_eq(&s->v[j], p))
			return true;
		j = (j + 1) & (s->cap - 1);
	}
	s->v[j] = *p;
	s->count++;
	return true;
}

void pset_free(struct pset *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}
