// SPDX-License-Identifier: GPL-2.0
/* A collector's view of a peer's other families: see famfeed.h. */
#include "famfeed.h"

#include "replay.h"
#include "session.h"

#define FLUSH_KEYS 256		/* coalesced routes looked up at a time */

/* The views of them: pre- and post-policy, and no `families` selection. */
static bool takes(const struct collector *c)
{
	return (c->policy & (BMPTAP_POLICY_PRE | BMPTAP_POLICY_POST)) &&
	       !(c->cfg.have & BT_SRV_FAMILIES);
}

struct emit_ctx {
	struct collector *c;
	struct cpeer *cp;
	int view;
	uint64_t ts;
};

/* One rebuilt UPDATE as Route Monitoring of the context's view. */
static void emit(void *ctx, const uint8_t *update, size_t len)
{
	struct emit_ctx *e = ctx;
	struct feed *f = e->c->feed;

	buf_reset(&f->scratch);
	peer_encode_rm_view(e->cp->p, e->view, &f->scratch, update, len, e->ts);
	coll_put(e->c, f->scratch.data, f->scratch.len);
}

/* The post-policy verdict: the attribute checks (policy.h, prefix
 * filters being unicast ones). */
static bool accepted(void *ctx, uint32_t attr)
{
	struct emit_ctx *e = ctx;

	return peer_attr_verdict(e->c->feed->peers, e->cp->p, attr) == POL_ACCEPT;
}

static void view_out(struct collector *c, struct cpeer *cp, int view, uint64_t ts,
		     struct emit_ctx *e, struct fam_out *o)
{
	*e = (struct emit_ctx){ c, cp, view, ts };
	*o = (struct fam_out){ &cp->p->sess.rx, cp->p->fr_addpath, &c->feed->upd, emit,
			       view == VIEW_POST ? accepted : NULL, e, cp->replay_wd, 0 };
}

/* The views c takes of cp's other families into e and o (room for 2). */
static size_t views(struct collector *c, struct cpeer *cp, uint64_t ts, struct emit_ctx *e,
		    struct fam_out *o)
{
	size_t n = 0;

	if (!takes(c))
		return 0;
	if (c->policy & BMPTAP_POLICY_PRE)
		view_out(c, cp, VIEW_PRE, ts, &e[n], &o[n]), n++;
	if (c->policy & BMPTAP_POLICY_POST)
		view_out(c, cp, VIEW_POST, ts, &e[n], &o[n]), n++;
	return n;
}

/* Routes that could not be rebuilt: as emit_view() does for unicast. */
static void failed(struct collector *c, struct cpeer *cp, const struct fam_out *o, size_t n_o)
{
	struct feed *f = c->feed;
	size_t n = 0;

	for (size_t i = 0; i < n_o; i++)
		n += o[i].failed;
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
	struct emit_ctx e[2];
	struct fam_out o[2];
	size_t n = views(c, cp, 0, e, o);

	if (!n || fam_replay_done(&cp->frep)) {
		/* Families nothing of which could be kept: say so once. */
		if (n && famrib_has_live_only(&cp->p->fr))
			cp->mirror_lost = true;
		return true;
	}
	fam_replay_step(&cp->frep, &cp->p->fr, max, o, n);
	failed(c, cp, o, n);
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
	struct emit_ctx e[2];
	struct fam_out o[2];
	size_t n_o = views(c, cp, 0, e, o), n;

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
	for (size_t v = 0; v < n_o; v++)
		fam_catch_up(&cp->p->fr, keys, n, &o[v]);
	failed(c, cp, o, n_o);
	if (cp->fflush_pos >= cp->fflushing.cap)
		fam_dirty_free(&cp->fflushing);	/* memory goes back as the lag ends */
	return true;
}

void famfeed_flush_eor(struct collector *c, struct cpeer *cp)
{
	struct emit_ctx e[2];
	struct fam_out o[2];
	size_t n_o = views(c, cp, 0, e, o);
	struct buf *b = &c->feed->upd;

	for (unsigned fam = 0; cp->feor_mask; fam++) {
		if (!(cp->feor_mask & (1u << fam)))
			continue;
		cp->feor_mask &= ~(1u << fam);
		buf_reset(b);
		bgp_encode_mp_eor(b, nlri_family_at(fam)->afi, nlri_family_at(fam)->safi);
		for (size_t v = 0; v < n_o; v++)
			emit(&e[v], b->data, b->len);
	}
}

void famfeed_live(struct collector *c, struct cpeer *cp, int view, uint64_t ts)
{
	const struct peers *ps = c->feed->peers;
	struct famrib_entry keys[FLUSH_KEYS];
	struct emit_ctx e;
	struct fam_out o;
	size_t off = 0, n, i = 0;

	if (!takes(c))
		return;
	view_out(c, cp, view, ts, &e, &o);
	do {
		/* Post-policy: only the routes whose verdict was or is accept. */
		for (n = 0; n < FLUSH_KEYS && famrib_chg_next(&ps->fchg, &off, &keys[n]); i++)
			n += view != VIEW_POST || ps->fchg_ok.data[i];
		fam_catch_up(&cp->p->fr, keys, n, &o);
	} while (n == FLUSH_KEYS);
	failed(c, cp, &o, 1);
	if (ps->fr_eor >= 0) {
		const struct nlri_family *fam = nlri_family_at((unsigned)ps->fr_eor);

		buf_reset(o.scratch);
		bgp_encode_mp_eor(o.scratch, fam->afi, fam->safi);
		emit(&e, o.scratch->data, o.scratch->len);
	}
}
