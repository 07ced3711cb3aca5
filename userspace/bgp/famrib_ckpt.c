// SPDX-License-Identifier: GPL-2.0
/*
 * famrib's checkpoint section (famrib.h), big-endian:
 *   u32 addpath, u32 seen, u8 disabled[NLRI_FAMILIES],
 *   u8 max_labels[NLRI_FAMILIES] (how the NLRI below split),
 *   u64 dup_announce, dup_withdraw, refused,
 *   u8 live-only count, each: u16 AFI, u8 SAFI, u64 UPDATEs; u64 the rest,
 *   u32 routes, each: u8 family, u32 path id, u32 set index, u16 NLRI
 *   length, NLRI (one route, as received).
 * And the change records of famrib_chg_add() (famrib.h), another form of
 * the same routes.
 */
#include <errno.h>
#include <stdlib.h>

#include "famrib.h"

static void each_route(const struct famrib *fr,
		       void (*fn)(void *ctx, const struct famrib_entry *e), void *ctx)
{
	for (unsigned f = BGP_FAM_MAX; f < NLRI_FAMILIES; f++) {
		struct famrib_entry e[64];
		uint32_t n, pos = 0;
		struct fr_route **o = famrib_order(fr, f, &n);
		size_t k;

		while ((k = famrib_walk(o, n, &pos, e, 64)))
			for (size_t i = 0; i < k; i++)
				fn(ctx, &e[i]);
		free(o);
	}
}

struct attrs_ctx {
	void (*fn)(void *ctx, uint32_t id);
	void *ctx;
};

static void attr_of(void *ctx, const struct famrib_entry *e)
{
	struct attrs_ctx *a = ctx;

	a->fn(a->ctx, e->attr);
}

void famrib_ckpt_attrs(const struct famrib *fr, void (*fn)(void *ctx, uint32_t id), void *ctx)
{
	struct attrs_ctx a = { fn, ctx };

	each_route(fr, attr_of, &a);
}

struct save_ctx {
	struct buf *b;
	uint32_t (*index)(void *ctx, uint32_t id);
	void *ctx;
};

static void put_route(void *ctx, const struct famrib_entry *e)
{
	struct save_ctx *s = ctx;

	buf_u8(s->b, e->fam);
	buf_u32(s->b, e->path_id);
	buf_u32(s->b, s->index(s->ctx, e->attr));
	buf_u16(s->b, (uint16_t)e->nlri.len);
	buf_put(s->b, e->nlri.p, e->nlri.len);
}

void famrib_ckpt_save(const struct famrib *fr, uint32_t addpath, struct buf *b,
		      uint32_t (*index)(void *ctx, uint32_t id), void *ctx)
{
	struct save_ctx s = { b, index, ctx };

	buf_u32(b, addpath);
	buf_u32(b, fr->seen);
	for (unsigned f = 0; f < NLRI_FAMILIES; f++)
		buf_u8(b, fr->disabled[f]);
	for (unsigned f = 0; f < NLRI_FAMILIES; f++)
		buf_u8(b, fr->max_labels[f]);
	buf_u64(b, fr->dup_announce);
	buf_u64(b, fr->dup_withdraw);
	buf_u64(b, fr->refused);
	buf_u8(b, fr->n_live_only);
	for (unsigned i = 0; i < fr->n_live_only; i++) {
		buf_u16(b, fr->live_only[i].afi);
		buf_u8(b, fr->live_only[i].safi);
		buf_u64(b, fr->live_only[i].updates);
	}
	buf_u64(b, fr->live_only_more);
	buf_u32(b, famrib_total(fr));
	each_route(fr, put_route, &s);
}

struct rd {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t take(struct rd *r, unsigned width)
{
	uint64_t v = 0;

	if (r->bad || (size_t)(r->end - r->p) < width) {
		r->bad = true;
		return 0;
	}
	for (unsigned i = 0; i < width; i++)
		v = v << 8 | *r->p++;
	return v;
}

/* One route: false when it is not one route of a famrib family. */
static bool get_route(struct rd *r, const struct famrib *fr, uint32_t n_sets,
		      struct famrib_entry *e, uint32_t *idx)
{
	const struct nlri_family *f;
	struct nlri_iter it;
	struct nlri_route nr;

	e->fam = (uint8_t)take(r, 1);
	e->path_id = (uint32_t)take(r, 4);
	*idx = (uint32_t)take(r, 4);
	e->nlri.len = (uint32_t)take(r, 2);
	e->nlri.p = r->p;
	if (r->bad || (size_t)(r->end - r->p) < e->nlri.len || e->fam < BGP_FAM_MAX ||
	    !(f = nlri_family_at(e->fam)) || *idx >= n_sets)
		return false;
	r->p += e->nlri.len;
	nlri_iter_init(&it, f, e->nlri, false, false, fr->max_labels[e->fam]);
	return nlri_next(&it, &nr) == 1 && nlri_next(&it, &nr) == 0;
}

int famrib_ckpt_load(struct famrib *fr, uint32_t *addpath, const uint8_t *p, size_t len,
		     uint32_t n_sets, uint32_t (*id)(void *ctx, uint32_t index), void *ctx,
		     size_t *refused)
{
	struct rd r = { p, p ? p + len : NULL, !p };
	struct famrib tmp;
	uint32_t n, idx;
	uint8_t n_lo;

	*refused = 0;
	if (r.bad)
		return -EINVAL;	/* an empty section: not even its counters */
	if (!fr) {
		famrib_init(&tmp, NULL, NULL);
		fr = &tmp;
	}
	*addpath = (uint32_t)take(&r, 4);
	fr->seen = (uint32_t)take(&r, 4);
	for (unsigned f = 0; f < NLRI_FAMILIES; f++)
		fr->disabled[f] = take(&r, 1);
	for (unsigned f = 0; f < NLRI_FAMILIES; f++)
		fr->max_labels[f] = (uint8_t)take(&r, 1);
	fr->dup_announce = take(&r, 8);
	fr->dup_withdraw = take(&r, 8);
	fr->refused = take(&r, 8);
	n_lo = (uint8_t)take(&r, 1);
	if (n_lo > FAMRIB_LIVE_ONLY_MAX)
		return -EINVAL;
	fr->n_live_only = n_lo;
	for (unsigned i = 0; i < n_lo; i++)
		fr->live_only[i] = (struct famrib_live_only){ (uint16_t)take(&r, 2),
							      (uint8_t)take(&r, 1), take(&r, 8) };
	fr->live_only_more = take(&r, 8);
	n = (uint32_t)take(&r, 4);
	for (uint32_t i = 0; i < n; i++) {
		struct famrib_entry e;
		uint32_t set;

		if (!get_route(&r, fr, n_sets, &e, &idx))
			return -EINVAL;
		if (fr == &tmp)
			continue;
		/* Only a set with the family's next hop may carry its routes. */
		set = id(ctx, idx);
		if (!set || attr_get(fr->attrs, set)->fam != ATTR_FAM_MP ||
		    famrib_put(fr, e.fam, e.path_id, e.nlri, set))
			(*refused)++;
	}
	return r.bad || r.p != r.end ? -EINVAL : 0;
}

void famrib_chg_add(struct buf *b, const struct famrib_entry *e)
{
	buf_u8(b, e->fam);
	buf_u32(b, e->path_id);
	buf_u16(b, (uint16_t)e->nlri.len);
	buf_put(b, e->nlri.p, e->nlri.len);
}

bool famrib_chg_next(const struct buf *b, size_t *off, struct famrib_entry *e)
{
	size_t o = *off;
	uint16_t len;

	if (o + 7 > b->len)
		return false;
	len = get_u16(b->data + o + 5);
	if (o + 7 + len > b->len || b->data[o] >= NLRI_FAMILIES)
		return false;
	*e = (struct famrib_entry){ b->data[o], get_u32(b->data + o + 1), 0,
				    { b->data + o + 7, len } };
	*off = o + 7 + len;
	return true;
}
