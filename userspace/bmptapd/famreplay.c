// SPDX-License-Identifier: GPL-2.0
/* A collector's replay of a peer's famrib: see famreplay.h. */
#include "famreplay.h"

#include <stdlib.h>
#include <string.h>

#include "bmp.h"

#define STEP_ROUTES 256		/* routes copied out of the walk at a time */

void fam_replay_start(struct fam_replay *r, struct famrib *fr)
{
	fam_replay_stop(r, fr);
	r->fam = BGP_FAM_MAX;	/* rib.c has the unicast ones */
	famrib_freeze(fr);
	r->frozen = true;
}

static void next_family(struct fam_replay *r)
{
	free(r->order);
	r->order = NULL;
	r->n = r->pos = 0;
	r->fam++;
}

void fam_replay_stop(struct fam_replay *r, struct famrib *fr)
{
	free(r->order);
	if (r->frozen)
		famrib_thaw(fr);
	*r = (struct fam_replay){ .fam = NLRI_FAMILIES };
}

/* The UPDATE in b holding *k routes goes out; one that could not be built
 * (*k 0) costs its first route, counted. */
static bool out(struct buf *b, size_t *k, fam_emit_fn emit, void *ctx, size_t *failed)
{
	if (!*k || b->oom) {
		(*failed)++;
		*k = 1;
		return false;
	}
	emit(ctx, b->data, b->len);
	return true;
}

/* The routes e[0..n), one attribute set (so one family) per run. */
static size_t emit_routes(const struct famrib *fr, const struct famrib_entry *e, size_t n,
			  const struct bgp_codec *c, uint32_t addpath, struct buf *b,
			  fam_emit_fn emit, void *ctx, size_t *failed)
{
	size_t sent = 0;

	for (size_t i = 0; i < n;) {
		size_t j = i, k;

		while (j < n && e[j].attr == e[i].attr)
			j++;
		for (; i < j; i += k) {
			buf_reset(b);
			k = bgp_encode_mp_update(b, attr_get(fr->attrs, e[i].attr), e + i, j - i, c,
						 addpath >> e[i].fam & 1);
			if (out(b, &k, emit, ctx, failed))
				sent += k;
		}
	}
	return sent;
}

size_t fam_replay_step(struct fam_replay *r, const struct famrib *fr, const struct bgp_codec *c,
		       uint32_t addpath, size_t max, struct buf *scratch, fam_emit_fn emit,
		       void *ctx, size_t *failed)
{
	struct famrib_entry e[STEP_ROUTES];
	size_t sent = 0;

	while (!fam_replay_done(r) && sent < max) {
		if (!r->order && !r->pos) {
			r->order = famrib_order(fr, r->fam, &r->n);
			/* No memory for the walk: the family's routes are missing. */
			if (!r->order)
				*failed += fr->count[r->fam];
		}
		size_t want = max - sent < STEP_ROUTES ? max - sent : STEP_ROUTES;
		size_t k = famrib_walk(r->order, r->n, &r->pos, e, want);

		sent += emit_routes(fr, e, k, c, addpath, scratch, emit, ctx, failed);
		if (r->pos < r->n)
			continue;
		if (fr->seen & (1u << r->fam)) {
			const struct nlri_family *f = nlri_family_at(r->fam);

			buf_reset(scratch);
			bgp_encode_mp_eor(scratch, f->afi, f->safi);
			emit(ctx, scratch->data, scratch->len);
		}
		next_family(r);
	}
	return sent;
}

static int cmp_fam_attr(const void *a, const void *b)
{
	const struct famrib_entry *x = a, *y = b;

	if (x->fam != y->fam)
		return x->fam < y->fam ? -1 : 1;
	return x->attr < y->attr ? -1 : x->attr > y->attr;
}

static void emit_withdrawals(const struct famrib_entry *e, size_t n, const struct bgp_codec *c,
			     uint32_t addpath, struct buf *b, fam_emit_fn emit, void *ctx,
			     size_t *failed)
{
	for (size_t i = 0, k; i < n; i += k) {
		const struct nlri_family *f = nlri_family_at(e[i].fam);

		buf_reset(b);
		k = bgp_encode_mp_withdraw(b, f->afi, f->safi, e + i, n - i, c,
					   addpath >> e[i].fam & 1);
		out(b, &k, emit, ctx, failed);
	}
}

/*
 * RFC 8277 section 2.4: a withdrawal carries one 3-octet label field
 * whatever the route had; routes of a family with Multiple Labels get it
 * (0x800000) in copies in *buf, the others go as stored.  False: no memory.
 */
static bool withdrawal_form(const struct famrib *fr, struct famrib_entry *e, size_t n,
			    uint8_t **buf)
{
	size_t room = 0, at = 0;

	for (size_t i = 0; i < n; i++)
		room += fr->max_labels[e[i].fam] > 1 ? e[i].nlri.len : 0;
	if (!room)
		return true;
	if (!(*buf = malloc(room)))
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct nlri_family *f = nlri_family_at(e[i].fam);
		struct nlri_iter it;
		struct nlri_route r;
		uint8_t *d = *buf + at;

		if (fr->max_labels[e[i].fam] <= 1)
			continue;
		nlri_iter_init(&it, f, e[i].nlri, false, false, fr->max_labels[e[i].fam]);
		if (nlri_next(&it, &r) != 1 || r.labels <= 1)
			continue;
		/* Length in bits less the extra labels, one label field, the rest. */
		d[0] = (uint8_t)(e[i].nlri.p[0] - 24 * (r.labels - 1));
		d[1] = 0x80;
		d[2] = d[3] = 0;
		memcpy(d + 4, e[i].nlri.p + 1 + 3u * r.labels, e[i].nlri.len - 1 - 3u * r.labels);
		e[i].nlri = (struct bgp_span){ d, e[i].nlri.len - 3u * (r.labels - 1) };
		at += e[i].nlri.len;
	}
	return true;
}

void fam_catch_up(const struct famrib *fr, const struct famrib_entry *keys, size_t n,
		  const struct bgp_codec *c, uint32_t addpath, struct buf *scratch,
		  fam_emit_fn emit, void *ctx, size_t *failed)
{
	struct famrib_entry *ann = malloc(n * sizeof(*ann)), *wd = malloc(n * sizeof(*wd));
	size_t na = 0, nw = 0;
	uint8_t *one = NULL;

	if (!ann || !wd) {
		*failed += n;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (famrib_lookup(fr, &keys[i], &ann[na]))
			na++;
		else
			wd[nw++] = keys[i];
	}
	qsort(ann, na, sizeof(*ann), cmp_fam_attr);
	qsort(wd, nw, sizeof(*wd), cmp_fam_attr);
	if (!withdrawal_form(fr, wd, nw, &one)) {
		*failed += n;
		goto out;
	}
	/* Withdrawals first: an NLRI may be withdrawn and announced again. */
	emit_withdrawals(wd, nw, c, addpath, scratch, emit, ctx, failed);
	emit_routes(fr, ann, na, c, addpath, scratch, emit, ctx, failed);
out:
	free(ann);
	free(wd);
	free(one);
}

struct fd_key {
	uint32_t hash, path_id;
	uint8_t fam;
	uint16_t len;
	uint8_t nlri[];
};

static uint32_t fd_hash(uint64_t seed, const struct famrib_entry *e)
{
	uint32_t h = 2166136261u ^ (uint32_t)seed ^ (uint32_t)(seed >> 32);
	uint8_t hdr[5] = { e->fam };

	put_u32(hdr + 1, e->path_id);
	for (size_t i = 0; i < sizeof(hdr); i++)
		h = (h ^ hdr[i]) * 16777619u;
	for (uint32_t i = 0; i < e->nlri.len; i++)
		h = (h ^ e->nlri.p[i]) * 16777619u;
	return h ^ (h >> 15);
}

static bool fd_grow(struct fam_dirty *d)
{
	uint32_t cap = d->cap ? d->cap * 2 : 64;
	struct fd_key **v = calloc(cap, sizeof(*v));

	if (!v)
		return false;
	for (uint32_t i = 0; i < d->cap; i++) {
		uint32_t j;

		if (!d->v[i])
			continue;
		for (j = d->v[i]->hash & (cap - 1); v[j]; j = (j + 1) & (cap - 1))
			;
		v[j] = d->v[i];
	}
	free(d->v);
	d->v = v;
	d->cap = cap;
	return true;
}

bool fam_dirty_add(struct fam_dirty *d, const struct famrib_entry *e)
{
	uint32_t h = fd_hash(d->seed, e), i;
	struct fd_key *k;

	if ((d->count + 1) * 4 > (uint64_t)d->cap * 3 && !fd_grow(d))
		return false;
	for (i = h & (d->cap - 1); (k = d->v[i]); i = (i + 1) & (d->cap - 1))
		if (k->hash == h && k->fam == e->fam && k->path_id == e->path_id &&
		    k->len == e->nlri.len && !memcmp(k->nlri, e->nlri.p, k->len))
			return true;
	k = malloc(sizeof(*k) + e->nlri.len);
	if (!k)
		return false;
	*k = (struct fd_key){ h, e->path_id, e->fam, (uint16_t)e->nlri.len };
	memcpy(k->nlri, e->nlri.p, e->nlri.len);
	d->v[i] = k;
	d->count++;
	return true;
}

void fam_dirty_free(struct fam_dirty *d)
{
	for (uint32_t i = 0; i < d->cap; i++)
		free(d->v[i]);
	free(d->v);
	*d = (struct fam_dirty){ .seed = d->seed };
}

size_t fam_dirty_walk(const struct fam_dirty *d, uint32_t *pos, struct famrib_entry *keys,
		      size_t max)
{
	size_t n = 0;
	uint32_t i = *pos;

	for (; i < d->cap && n < max; i++) {
		const struct fd_key *k = d->v[i];

		if (k)
			keys[n++] = (struct famrib_entry){ k->fam, k->path_id, 0, { k->nlri, k->len } };
	}
	*pos = i;
	return n;
}
