// SPDX-License-Identifier: GPL-2.0
/* A collector's replay of a peer's famrib: see famreplay.h. */
#include "famreplay.h"

#include <stdlib.h>

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

/* The routes e[0..n) of one family, one attribute set per run. */
static size_t emit_routes(const struct famrib *fr, const struct famrib_entry *e, size_t n,
			  const struct bgp_codec *c, bool addpath, struct buf *b, fam_emit_fn emit,
			  void *ctx, size_t *failed)
{
	size_t sent = 0;

	for (size_t i = 0; i < n;) {
		size_t j = i, k;

		while (j < n && e[j].attr == e[i].attr)
			j++;
		for (; i < j; i += k) {
			buf_reset(b);
			k = bgp_encode_mp_update(b, attr_get(fr->attrs, e[i].attr), e + i, j - i, c,
						 addpath);
			if (!k || b->oom) {
				(*failed)++;
				k = 1;
				continue;
			}
			emit(ctx, b->data, b->len);
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

		sent += emit_routes(fr, e, k, c, addpath >> r->fam & 1, scratch, emit, ctx, failed);
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
