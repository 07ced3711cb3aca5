// SPDX-License-Identifier: GPL-2.0
/* A collector's view of a peer's other families: see famfeed.h. */
#include "famfeed.h"

#include "replay.h"
#include "session.h"

#define FLUSH_KEYS 256		/* coalesced routes looked up at a time */

/* In dirty sets: the entry is of the Adj-RIB-Out (famrib_entry.fam bit). */
#define FAM_OUT 0x40

/* The policies of the Adj-RIB-In's views, and of the Adj-RIB-Out's. */
#define POLICY_IN (BMPTAP_POLICY_PRE | BMPTAP_POLICY_POST)

/* Whether c takes views of cp's in one direction (the Loc-RIB instance's
 * routes count as received: it sends none). */
static bool takes(const struct collector *c, const struct cpeer *cp, bool out)
{
	if (cp->p->locrib)
		return !out && (c->policy & BMPTAP_POLICY_LOCAL_RIB);
	return c->policy & (out ? BMPTAP_POLICY_ADJ_OUT : POLICY_IN);
}

/* The famrib changes just made for cp's peer, and their End-of-RIB family. */
static const struct buf *changes(const struct peers *ps, const struct cpeer *cp, int *eor)
{
	*eor = cp->p->locrib ? -1 : ps->fr_eor;
	return cp->p->locrib ? &ps->flchg : &ps->fchg;
}

/* The families c takes (its `families` selection), bit nlri_family_index(). */
static uint32_t fams(const struct collector *c)
{
	return c->cfg.have & BT_SRV_FAMILIES ? c->cfg.families : UINT32_MAX;
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
	const struct peer *p = cp->p;

	*e = (struct emit_ctx){ c, cp, view, ts };
	*o = (struct fam_out){ peer_view_codec(p, view),
			       view == VIEW_OUT ? p->fr_out_addpath : p->fr_addpath,
			       &c->feed->upd, emit, view == VIEW_POST ? accepted : NULL, e,
			       cp->replay_wd, 0, fams(c) };
}

/* The views c takes of cp's other families in one direction into e and o
 * (room for 2). */
static size_t views(struct collector *c, struct cpeer *cp, bool out, uint64_t ts,
		    struct emit_ctx *e, struct fam_out *o)
{
	size_t n = 0;

	if (!takes(c, cp, out))
		return 0;
	if (cp->p->locrib)
		view_out(c, cp, VIEW_LOCRIB, ts, &e[n], &o[n]), n++;
	else if (out)
		view_out(c, cp, VIEW_OUT, ts, &e[n], &o[n]), n++;
	if (!out && (c->policy & BMPTAP_POLICY_PRE))
		view_out(c, cp, VIEW_PRE, ts, &e[n], &o[n]), n++;
	if (!out && (c->policy & BMPTAP_POLICY_POST))
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
	fam_replay_start(&cp->frep_out, &cp->p->fr_out);
}

void famfeed_stop(struct cpeer *cp)
{
	fam_replay_stop(&cp->frep, &cp->p->fr);
	fam_replay_stop(&cp->frep_out, &cp->p->fr_out);
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
	size_t n = views(c, cp, false, 0, e, o);

	if (n && !fam_replay_done(&cp->frep)) {
		fam_replay_step(&cp->frep, &cp->p->fr, max, o, n);
		failed(c, cp, o, n);
		return false;
	}
	/* Families nothing of which could be kept: say so once (a selection
	 * cannot name them). */
	if (n && famrib_has_live_only(&cp->p->fr) && fam_replay_done(&cp->frep) &&
	    !(c->cfg.have & BT_SRV_FAMILIES))
		cp->mirror_lost = true;
	/* Then the Adj-RIB-Out's. */
	n = views(c, cp, true, 0, e, o);
	if (n && !fam_replay_done(&cp->frep_out)) {
		fam_replay_step(&cp->frep_out, &cp->p->fr_out, max, o, n);
		failed(c, cp, o, n);
		return false;
	}
	return true;
}

/*
 * As cp_mark_dirty(): more pending changes than the peer's most routes of
 * these families since the lag began plus dirty_max, or no memory for
 * them, and the collector gets a new session (Peer Up and full replay).
 */
void famfeed_mark_dirty(struct collector *c, struct cpeer *cp, bool out)
{
	const struct peers *ps = c->feed->peers;
	size_t max = (size_t)famrib_total(&cp->p->fr) + famrib_total(&cp->p->fr_out) +
		     c->feed->dirty_max, off = 0;
	struct famrib_entry e;
	int eor;
	const struct buf *chg = changes(ps, cp, &eor);

	if (!takes(c, cp, out))
		return;
	if (eor >= 0)
		*(out ? &cp->feor_out_mask : &cp->feor_mask) |= 1u << eor;
	if (cp->fdirty.seed != ps->attrs.seed)
		cp->fdirty.seed = cp->fflushing.seed = ps->attrs.seed;
	while (!c->kick_why && famrib_chg_next(chg, &off, &e)) {
		bool over = cp->fdirty.count >= max;

		e.fam |= out ? FAM_OUT : 0;
		cp_coalesced(c, over, !over && fam_dirty_add(&cp->fdirty, &e), max,
			     famrib_total(&cp->p->fr) + famrib_total(&cp->p->fr_out));
	}
}

bool famfeed_flush_step(struct collector *c, struct cpeer *cp, size_t max)
{
	struct famrib_entry keys[FLUSH_KEYS];
	struct emit_ctx e[2];
	struct fam_out o[2];
	size_t n, n_in = 0, n_o;

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
	/* Adj-RIB-In entries first, Adj-RIB-Out ones after. */
	for (size_t i = 0; i < n; i++) {
		if (keys[i].fam & FAM_OUT)
			continue;
		struct famrib_entry t = keys[n_in];

		keys[n_in++] = keys[i];
		keys[i] = t;
	}
	for (size_t i = n_in; i < n; i++)
		keys[i].fam &= (uint8_t)~FAM_OUT;
	n_o = views(c, cp, false, 0, e, o);
	for (size_t v = 0; v < n_o; v++)
		fam_catch_up(&cp->p->fr, keys, n_in, &o[v]);
	failed(c, cp, o, n_o);
	n_o = views(c, cp, true, 0, e, o);
	for (size_t v = 0; v < n_o; v++)
		fam_catch_up(&cp->p->fr_out, keys + n_in, n - n_in, &o[v]);
	failed(c, cp, o, n_o);
	if (cp->fflush_pos >= cp->fflushing.cap)
		fam_dirty_free(&cp->fflushing);	/* memory goes back as the lag ends */
	return true;
}

/* The End-of-RIB markers of *mask in each view of o. */
static void flush_eor(struct buf *b, uint32_t *mask, struct emit_ctx *e, size_t n_o)
{
	for (unsigned fam = 0; *mask; fam++) {
		if (!(*mask & (1u << fam)))
			continue;
		*mask &= ~(1u << fam);
		if (!n_o || !(fams(e->c) >> fam & 1))
			continue;
		buf_reset(b);
		bgp_encode_mp_eor(b, nlri_family_at(fam)->afi, nlri_family_at(fam)->safi);
		for (size_t v = 0; v < n_o; v++)
			emit(&e[v], b->data, b->len);
	}
}

void famfeed_flush_eor(struct collector *c, struct cpeer *cp)
{
	struct emit_ctx e[2];
	struct fam_out o[2];

	flush_eor(&c->feed->upd, &cp->feor_mask, e, views(c, cp, false, 0, e, o));
	flush_eor(&c->feed->upd, &cp->feor_out_mask, e, views(c, cp, true, 0, e, o));
}

void famfeed_live(struct collector *c, struct cpeer *cp, int view, uint64_t ts)
{
	const struct peers *ps = c->feed->peers;
	struct famrib_entry keys[FLUSH_KEYS];
	struct emit_ctx e;
	struct fam_out o;
	size_t off = 0, n, i = 0;
	int eor;
	const struct buf *chg = changes(ps, cp, &eor);

	if (!takes(c, cp, false))
		return;
	view_out(c, cp, view, ts, &e, &o);
	do {
		/* Post-policy: only the routes whose verdict was or is accept. */
		for (n = 0; n < FLUSH_KEYS && famrib_chg_next(chg, &off, &keys[n]); i++)
			n += view != VIEW_POST || ps->fchg_ok.data[i];
		fam_catch_up(&cp->p->fr, keys, n, &o);
	} while (n == FLUSH_KEYS);
	failed(c, cp, &o, 1);
	if (eor >= 0) {
		uint32_t mask = 1u << eor;

		flush_eor(o.scratch, &mask, &e, 1);
	}
}
