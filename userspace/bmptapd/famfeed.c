// SPDX-License-Identifier: GPL-2.0
/* A collector's view of a peer's other families: see famfeed.h. */
#include "famfeed.h"

#include "replay.h"
#include "session.h"

#define FLUSH_KEYS 256		/* coalesced routes looked up at a time */

/* Only the pre-policy view holds them, and no `families` selection. */
static bool takes(const struct collector *c)
{
	return (c->policy & BMPTAP_POLICY_PRE) && !(c->cfg.have & BT_SRV_FAMILIES);
}

struct emit_ctx {
	struct collector *c;
	struct cpeer *cp;
	uint64_t ts;
};

/* One rebuilt UPDATE as pre-policy Route Monitoring. */
static void emit(void *ctx, const uint8_t *update, size_t len)
{
	struct emit_ctx *e = ctx;
	struct feed *f = e->c->feed;

	buf_reset(&f->scratch);
	peer_encode_rm_view(e->cp->p, VIEW_PRE, &f->scratch, update, len, e->ts);
	coll_put(e->c, f->scratch.data, f->scratch.len);
}

/* Routes that could not be rebuilt: as emit_view() does for unicast. */
static void failed(struct collector *c, struct cpeer *cp, size_t n)
{
	struct feed *f = c->feed;

	if (!n)
		return;
	c->st.encode_errors += n;
	peer_encode_failed(f->peers, cp->p);
	buf_reset(&f->scratch);
	peer_encode_lost(cp->p, &f->scratch, 0);
	coll_put(c, f->scratch.data, f->scratch.len);
}

void famfeed_start(struct cpeer *cp)
{
	fam_replay_start(&cp->frep, &cp->p->fr);
}

void famfeed_stop(struct cpeer *cp)
{
	fam_replay_stop(&cp->frep, &cp->p->fr);
}

void famfeed_free(struct cpeer *cp)
{
	famfeed_stop(cp);
	fam_dirty_free(&cp->fdirty);
	fam_dirty_free(&cp->fflushing);
}

bool famfeed_replay_step(struct collector *c, struct cpeer *cp, size_t max)
{
	struct emit_ctx e = { c, cp, 0 };
	size_t bad = 0;

	if (!takes(c) || fam_replay_done(&cp->frep)) {
		/* Families nothing of which could be kept: say so once. */
		if (takes(c) && famrib_has_live_only(&cp->p->fr))
			cp->mirror_lost = true;
		return true;
	}
	fam_replay_step(&cp->frep, &cp->p->fr, &cp->p->sess.rx, cp->p->fr_addpath, max,
			&c->feed->upd, emit, &e, &bad);
	failed(c, cp, bad);
	return false;
}

/*
 * As cp_mark_dirty(): more pending changes than the peer's most routes of
 * these families since the lag began plus dirty_max, or no memory for
 * them, and the collector gets a new session (Peer Up and full replay).
 */
void famfeed_mark_dirty(struct collector *c, struct cpeer *cp)
{
	const struct peers *ps = c->feed->peers;
	size_t max = (size_t)famrib_total(&cp->p->fr) + c->feed->dirty_max, off = 0;
	struct famrib_entry e;

	if (!takes(c))
		return;
	if (ps->fr_eor >= 0)
		cp->feor_mask |= 1u << ps->fr_eor;
	if (cp->fdirty.seed != ps->attrs.seed)
		cp->fdirty.seed = cp->fflushing.seed = ps->attrs.seed;
	while (!c->kick_why && famrib_chg_next(&ps->fchg, &off, &e)) {
		bool over = cp->fdirty.count >= max;

		cp_coalesced(c, over, !over && fam_dirty_add(&cp->fdirty, &e), max,
			     famrib_total(&cp->p->fr));
	}
}

bool famfeed_flush_step(struct collector *c, struct cpeer *cp, size_t max)
{
	struct famrib_entry keys[FLUSH_KEYS];
	struct emit_ctx e = { c, cp, 0 };
	size_t bad = 0, n;

	if (!cp->fflushing.count) {
		if (!cp->fdirty.count)
			return false;
		/* New changes keep going to fdirty while this batch goes out. */
		struct fam_dirty t = cp->fflushing;

		cp->fflushing = cp->fdirty;
		cp->fdirty = t;
		cp->fflush_pos = 0;
	}
	n = fam_dirty_walk(&cp->fflushing, &cp->fflush_pos, keys,
			   max < FLUSH_KEYS ? max : FLUSH_KEYS);
	fam_catch_up(&cp->p->fr, keys, n, &cp->p->sess.rx, cp->p->fr_addpath, &c->feed->upd,
		     emit, &e, &bad);
	failed(c, cp, bad);
	if (cp->fflush_pos >= cp->fflushing.cap)
		fam_dirty_free(&cp->fflushing);	/* memory goes back as the lag ends */
	return true;
}

void famfeed_flush_eor(struct collector *c, struct cpeer *cp)
{
	struct emit_ctx e = { c, cp, 0 };
	struct buf *b = &c->feed->upd;

	for (unsigned fam = 0; cp->feor_mask; fam++) {
		if (!(cp->feor_mask & (1u << fam)))
			continue;
		cp->feor_mask &= ~(1u << fam);
		buf_reset(b);
		bgp_encode_mp_eor(b, nlri_family_at(fam)->afi, nlri_family_at(fam)->safi);
		emit(&e, b->data, b->len);
	}
}

void famfeed_live(struct collector *c, struct cpeer *cp, uint64_t ts)
{
	const struct peers *ps = c->feed->peers;
	struct famrib_entry keys[FLUSH_KEYS];
	struct emit_ctx e = { c, cp, ts };
	size_t off = 0, n, bad = 0;

	if (!takes(c))
		return;
	do {
		for (n = 0; n < FLUSH_KEYS && famrib_chg_next(&ps->fchg, &off, &keys[n]); n++)
			;
		fam_catch_up(&cp->p->fr, keys, n, &cp->p->sess.rx, cp->p->fr_addpath,
			     &c->feed->upd, emit, &e, &bad);
	} while (n == FLUSH_KEYS);
	failed(c, cp, bad);
}
