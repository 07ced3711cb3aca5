// SPDX-License-Identifier: GPL-2.0
/*
 * Catch-up of a collector's view of each peer (struct cpeer): the full
 * table replay after Peer Up, and the coalesced changes (dirty sets)
 * sent from the RIB once the collector has room again (collector.h).
 */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

#include "famfeed.h"
#include "log.h"
#include "session.h"

/* ---- cpeers ------------------------------------------------------------ */

struct cpeer *collector_cpeer(const struct collector *c, uint64_t flow_id)
{
	if (!c->cph)
		return NULL;
	struct cpeer *cp = c->cph[flow_id & (c->n_cph - 1)];

	while (cp && cp->p->flow_id != flow_id)
		cp = cp->hnext;
	return cp;
}

static void cp_thaw(struct cpeer *cp)
{
	famfeed_stop(cp);
	if (!cp->frozen)
		return;
	for (int f = 0; f < BGP_FAM_MAX; f++) {
		rib_thaw(&cp->p->rib, f);
		rib_thaw(&cp->p->rib_out, f);
	}
	cp->frozen = false;
}

struct cpeer *cp_add(struct collector *c, struct peer *p)
{
	if (!c->cph) {
		c->n_cph = 1024;
		c->cph = calloc(c->n_cph, sizeof(*c->cph));
		if (!c->cph)
			return NULL;
	}
	struct cpeer *cp = calloc(1, sizeof(*cp));

	if (!cp)
		return NULL;
	cp->p = p;
	/* No famrib replay before cp_start_replay(). */
	cp->frep.fam = cp->frep_out.fam = NLRI_FAMILIES;
	uint32_t b = p->flow_id & (c->n_cph - 1);
	cp->hnext = c->cph[b];
	c->cph[b] = cp;
	cp->prev = c->cp_tail;
	if (c->cp_tail)
		c->cp_tail->next = cp;
	else
		c->cp_head = cp;
	c->cp_tail = cp;
	return cp;
}

void cp_del(struct collector *c, struct cpeer *cp)
{
	struct cpeer **pp = &c->cph[cp->p->flow_id & (c->n_cph - 1)];

	while (*pp && *pp != cp)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = cp->hnext;
	if (cp->prev)
		cp->prev->next = cp->next;
	else
		c->cp_head = cp->next;
	if (cp->next)
		cp->next->prev = cp->prev;
	else
		c->cp_tail = cp->prev;
	cp_thaw(cp);
	famfeed_free(cp);
	pset_free(&cp->dirty);
	pset_free(&cp->flushing);
	free(cp->order);
	free(cp);
}

void cp_del_all(struct collector *c)
{
	while (c->cp_head)
		cp_del(c, c->cp_head);
}

/* The replay cursor back to the start of a family. */
static void cp_new_walk(struct cpeer *cp)
{
	cp->pos = 0;
	free(cp->order);
	cp->order = NULL;
	cp->n_order = 0;
}

void cp_start_replay(struct cpeer *cp)
{
	cp->live = false;
	cp->replay = true;
	cp->fam = 0;
	cp_new_walk(cp);
	cp->gen = rib_gen(&cp->p->rib, 0);
	famfeed_start(cp);
	if (!cp->frozen) {
		for (int f = 0; f < BGP_FAM_MAX; f++) {
			rib_freeze(&cp->p->rib, f);
			rib_freeze(&cp->p->rib_out, f);
		}
		cp->frozen = true;
	}
}

/* Every cpeer stops going out live: the collector fell behind. */
void coll_start_lagging(struct collector *c)
{
	if (!c->lagging) {
		c->lagging = true;
		c->st.resyncs++;
		LOG_I(c->feed->log, "collector %s: falling behind (%zu bytes queued), "
		      "coalescing route changes", c->remote, collector_pending(c));
	}
	for (struct cpeer *cp = c->cp_head; cp; cp = cp->next)
		cp->live = false;
}

/* Routes the peer holds now, in every family and both directions. */
static size_t live_routes(const struct peer *p)
{
	size_t n = 0;

	for (int f = 0; f < BGP_FAM_MAX; f++)
		n += rib_count(&p->rib, f) + rib_count(&p->rib_out, f);
	return n;
}

/*
 * A change the collector has not seen goes into the peer's dirty set.  A
 * set that cannot take it means this collector can no longer be brought in
 * line incrementally; a new session (Peer Up and full replay) can.  That
 * is out of memory, or more entries than the most routes the peer held
 * since the collector fell behind plus dirty_max: a whole table pending,
 * or withdrawn, is fine, but a peer churning distinct prefixes faster than
 * the collector reads would grow the set without bound.
 */
void cp_mark_dirty(struct collector *c, struct cpeer *cp, const struct bgp_prefix *chg,
		       size_t n, uint8_t flag)
{
	size_t live = live_routes(cp->p);

	if (live > cp->peak_routes)
		cp->peak_routes = live;
	size_t max = cp->peak_routes + c->feed->dirty_max;

	for (size_t i = 0; i < n && !c->kick_why; i++) {
		struct bgp_prefix k = chg[i];

		k.fam |= flag;
		/* Not counting flushing: it holds an earlier dirty set (which
		 * was within the bound), and a prefix may be in both. */
		bool over = cp->dirty.count >= max && !pset_has(&cp->dirty, &k);

		cp_coalesced(c, over, !over && pset_add(&cp->dirty, &k), max, live);
	}
}

void cp_coalesced(struct collector *c, bool over, bool added, size_t max, size_t live)
{
	if (over) {
		LOG_W(c->feed->log, "collector %s: %zu route changes pending for %zu routes, "
		      "resynchronising with a new session", c->remote, max, live);
		c->st.dirty_overflows++;
		coll_disconnect(c, "resync: too many pending route changes");
	} else if (!added) {
		LOG_E(c->feed->log, "collector %s: out of memory coalescing, restarting the session",
		      c->remote);
		c->st.kicked++;
		coll_disconnect(c, "out of memory coalescing");
	} else {
		c->st.coalesced++;
	}
}

/* ---- route generation (replay and dirty flush) --------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Sends the RIB state of n entries of one view as Route Monitoring:
 * entries sharing an attribute set are packed into as few UPDATEs as fit
 * (encoded with the view's codec, so the A flag and ADD-PATH stay right);
 * attr 0 means "withdrawn".  ts 0 on replays: the receive time of a route
 * from the RIB is not kept (RFC 7854 4.2: zero means unavailable).
 */
void cp_emit_view(struct collector *c, struct cpeer *cp, int view,
		      const struct bgp_prefix *pfx, const uint32_t *ids, size_t n, uint64_t ts)
{
	struct feed *f = c->feed;
	struct peer *p = cp->p;
	const struct bgp_codec *codec = peer_view_codec(p, view);

	bool sorted = true;
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		if (!sel_fam(&c->cfg, pfx[i].fam))
			continue;	/* a family the collector does not take */
		f->keys[m] = (uint64_t)ids[i] << 32 | (uint64_t)(pfx[i].fam & ~PFX_OUT) << 24 | i;
		sorted = sorted && (!m || f->keys[m] > f->keys[m - 1]);
		m++;
	}
	if (!(n = m))
		return;
	/* A replay step comes in set order already (rib_walk_order). */
	if (!sorted)
		qsort(f->keys, n, sizeof(*f->keys), cmp_u64);
	for (size_t i = 0; i < n; i++) {
		f->sorted[i] = pfx[f->keys[i] & 0xffffff];
		f->sorted[i].fam &= (uint8_t)~PFX_OUT;
		f->sorted_ids[i] = (uint32_t)(f->keys[i] >> 32);
	}
	bool failed = false;

	for (size_t i = 0; i < n;) {
		uint32_t id = f->sorted_ids[i];
		size_t j = i, k;

		while (j < n && f->sorted_ids[j] == id && f->sorted[j].fam == f->sorted[i].fam)
			j++;
		const struct attr_set *s = id ? attr_get(&f->peers->attrs, id) : NULL;
		while (i < j) {
			buf_reset(&f->upd);
			if (id && s)
				k = bgp_encode_update(&f->upd, s, f->sorted + i, j - i, codec);
			else
				k = bgp_encode_withdraw(&f->upd, f->sorted + i, j - i, codec);
			if (!k || f->upd.oom || (id && !s)) {
				/*
				 * Too big for one UPDATE even alone (attributes
				 * past 4096 octets without extended messages, or
				 * past 65535): the collector must not keep an older
				 * version of the route, so it gets its withdrawal,
				 * and is told that the peer's RIB is incomplete.
				 */
				c->st.encode_errors++;
				peer_encode_failed(f->peers, p);
				failed = true;
				buf_reset(&f->upd);
				k = bgp_encode_withdraw(&f->upd, f->sorted + i, 1, codec);
				if (!k || f->upd.oom) {
					i++;
					continue;
				}
			}
			buf_reset(&f->scratch);
			peer_encode_rm_view(p, view, &f->scratch, f->upd.data, f->upd.len, ts);
			coll_put(c, f->scratch.data, f->scratch.len);
			i += k;
		}
	}
	if (failed) {
		buf_reset(&f->scratch);
		peer_encode_lost(p, &f->scratch, ts);
		coll_put(c, f->scratch.data, f->scratch.len);
	}
}

/*
 * The RIB state of n entries (from f->batch / f->ids, reordered here) in
 * every view the collector wants: entries flagged PFX_OUT are of the
 * Adj-RIB-Out.  The post-policy view sends the routes the verdict accepts;
 * the rejected ones are withdrawn (the collector may hold an older accepted
 * version) except on a first replay (withdraw false), where it holds none.
 */
static void emit_routes(struct collector *c, struct cpeer *cp, struct bgp_prefix *pfx,
			uint32_t *ids, size_t n, uint64_t ts, bool withdraw)
{
	struct feed *f = c->feed;
	struct peer *p = cp->p;
	size_t n_in = 0, n_post = 0;

	if (!n)
		return;
	if (p->locrib) {
		cp_emit_view(c, cp, VIEW_LOCRIB, pfx, ids, n, ts);
		return;
	}
	/* Adj-RIB-In entries first, Adj-RIB-Out ones after. */
	for (size_t i = 0; i < n; i++) {
		if (pfx[i].fam & PFX_OUT)
			continue;
		struct bgp_prefix tp = pfx[n_in];
		uint32_t ti = ids[n_in];

		pfx[n_in] = pfx[i];
		ids[n_in] = ids[i];
		pfx[i] = tp;
		ids[i] = ti;
		n_in++;
	}
	if (c->policy & BMPTAP_POLICY_PRE)
		cp_emit_view(c, cp, VIEW_PRE, pfx, ids, n_in, ts);
	if (c->policy & BMPTAP_POLICY_POST) {
		for (size_t i = 0; i < n_in; i++) {
			bool ok = ids[i] && peer_verdict(f->peers, p, &pfx[i], ids[i]) == POL_ACCEPT;

			if (!ok && !withdraw)
				continue;
			f->post_pfx[n_post] = pfx[i];
			f->post_ids[n_post++] = ok ? ids[i] : 0;
		}
		cp_emit_view(c, cp, VIEW_POST, f->post_pfx, f->post_ids, n_post, ts);
	}
	if (c->policy & BMPTAP_POLICY_ADJ_OUT)
		cp_emit_view(c, cp, VIEW_OUT, pfx + n_in, ids + n_in, n - n_in, ts);
}

void cp_emit_eor_view(struct collector *c, struct cpeer *cp, int view, int fam)
{
	struct feed *f = c->feed;

	if (!sel_fam(&c->cfg, fam))
		return;
	buf_reset(&f->upd);
	bgp_encode_eor(&f->upd, fam);
	buf_reset(&f->scratch);
	peer_encode_rm_view(cp->p, view, &f->scratch, f->upd.data, f->upd.len, 0);
	coll_put(c, f->scratch.data, f->scratch.len);
}

/* End-of-RIB of fam (PFX_OUT: of the Adj-RIB-Out) in every view that has it. */
static void emit_eor(struct collector *c, struct cpeer *cp, int fam)
{
	if (cp->p->locrib) {
		cp_emit_eor_view(c, cp, VIEW_LOCRIB, fam);
		return;
	}
	if (fam & PFX_OUT) {
		if (c->policy & BMPTAP_POLICY_ADJ_OUT)
			cp_emit_eor_view(c, cp, VIEW_OUT, fam & ~PFX_OUT);
		return;
	}
	if (c->policy & BMPTAP_POLICY_PRE)
		cp_emit_eor_view(c, cp, VIEW_PRE, fam);
	if (c->policy & BMPTAP_POLICY_POST)
		cp_emit_eor_view(c, cp, VIEW_POST, fam);
}

/*
 * Routes per generation step: what fits in the free half of the output at
 * a pessimistic 128 bytes per route (one Route Monitoring each), so that
 * the output exceeds its bound by no more than one route's message.
 */
static size_t step_budget(struct collector *c)
{
	size_t pend = collector_pending(c), room = c->limit / 2 > pend ? c->limit / 2 - pend : 0;
	size_t n = room / 128;

	n = sel_pace_routes(c, n);
	return n < 1 ? 1 : n > REPLAY_BATCH ? REPLAY_BATCH : n;
}

/*
 * The replay walks the Adj-RIB-In's families, then (adj-rib-out) the
 * Adj-RIB-Out's: cp->fam counts 0..2*BGP_FAM_MAX-1 over both.
 */
static struct rib *replay_rib(struct cpeer *cp, int idx, int *fam)
{
	*fam = idx % BGP_FAM_MAX;
	return idx >= BGP_FAM_MAX ? &cp->p->rib_out : &cp->p->rib;
}

static void replay_step(struct collector *c, struct cpeer *cp)
{
	struct feed *f = c->feed;
	int end = c->policy & BMPTAP_POLICY_ADJ_OUT && !cp->p->locrib ? 2 * BGP_FAM_MAX : BGP_FAM_MAX;
	int fam;

	while (cp->fam < end && !sel_fam(&c->cfg, cp->fam % BGP_FAM_MAX))
		cp->fam++;	/* not walked: the collector does not take it */
	if (cp->fam >= end) {
		/* Then the other families (famrib.h), both directions (the
		 * Loc-RIB instance's: famloc.h). */
		if (!famfeed_replay_step(c, cp, step_budget(c)))
			return;
		cp->replay = false;
		cp->replay_wd = false;
		cp_thaw(cp);
		return;
	}
	struct rib *r = replay_rib(cp, cp->fam, &fam);
	uint8_t flag = cp->fam >= BGP_FAM_MAX ? PFX_OUT : 0;
	/* A growth rehash moved every slot: walk this family again (the
	 * collector sees some routes twice, which is harmless). */
	if (rib_gen(r, fam) != cp->gen) {
		cp_new_walk(cp);
		cp->gen = rib_gen(r, fam);
	}
	/* By attribute set, so that the routes of one set share UPDATEs
	 * (slot order would give about one route per UPDATE); in slot order
	 * when the order could not be built. */
	if (!cp->pos && !cp->order)
		cp->order = rib_order_by_attr(r, fam, &cp->n_order);
	size_t n = cp->order ?
		rib_walk_order(r, fam, cp->order, cp->n_order, &cp->pos, f->batch, f->ids,
			       step_budget(c)) :
		rib_walk_slots(r, fam, &cp->pos, f->batch, f->ids, step_budget(c));
	for (size_t i = 0; i < n; i++)
		f->batch[i].fam |= flag;
	emit_routes(c, cp, f->batch, f->ids, n, 0, cp->replay_wd);
	if (cp->pos >= (cp->order ? cp->n_order : rib_cap(r, fam))) {
		if (cp->p->sess.af[fam] || rib_count(r, fam))
			emit_eor(c, cp, fam | flag);
		cp->fam++;
		cp_new_walk(cp);
		if (cp->fam < end)
			cp->gen = rib_gen(replay_rib(cp, cp->fam, &fam), fam);
	}
}

/* Returns false when there was nothing left to flush. */
static bool flush_step(struct collector *c, struct cpeer *cp)
{
	struct feed *f = c->feed;

	if (!cp->flushing.count) {
		if (!cp->dirty.count)
			return false;
		/* New changes keep going to dirty while this batch goes out. */
		struct pset t = cp->flushing;
		cp->flushing = cp->dirty;
		cp->dirty = t;
		cp->flush_pos = 0;
	}
	size_t n = 0, max = step_budget(c);
	while (cp->flush_pos < cp->flushing.cap && n < max) {
		const struct bgp_prefix *pfx = &cp->flushing.v[cp->flush_pos++];

		if (pfx->fam == 0xff)
			continue;
		struct bgp_prefix k = *pfx;

		k.fam &= (uint8_t)~PFX_OUT;
		f->batch[n] = *pfx;
		f->ids[n++] = rib_lookup(pfx->fam & PFX_OUT ? &cp->p->rib_out : &cp->p->rib, &k);
	}
	emit_routes(c, cp, f->batch, f->ids, n, 0, true);
	if (cp->flush_pos >= cp->flushing.cap)
		pset_free(&cp->flushing);	/* memory goes back as the lag ends */
	return true;
}

/* One unit of catch-up work for cp; true when cp became live. */
static bool cp_step(struct collector *c, struct cpeer *cp)
{
	if (cp->replay) {
		replay_step(c, cp);
		return false;
	}
	if (flush_step(c, cp) || famfeed_flush_step(c, cp, step_budget(c)))
		return false;
	famfeed_flush_eor(c, cp);
	for (int fam = 0; fam < BGP_FAM_MAX; fam++) {
		if (cp->eor_mask & (1u << fam))
			emit_eor(c, cp, fam);
		if (cp->eor_mask & (1u << (fam + 4)))
			emit_eor(c, cp, fam | PFX_OUT);
	}
	cp->eor_mask = 0;
	if (cp->mirror_lost) {
		struct feed *f = c->feed;

		buf_reset(&f->scratch);
		peer_encode_lost(cp->p, &f->scratch, 0);
		coll_put(c, f->scratch.data, f->scratch.len);
		cp->mirror_lost = false;
	}
	cp->live = true;
	cp->peak_routes = 0;
	return true;
}

void collector_pump(struct collector *c)
{
	if (c->state != COLL_UP)
		return;
	/* Work only while the output is below half the bound: the rest of
	 * the room is for live messages and peer events. */
	while (collector_pending(c) < c->limit / 2) {
		struct cpeer *cp = c->cp_head;

		while (cp && cp->live)
			cp = cp->next;
		if (!cp) {
			if (c->lagging)
				LOG_I(c->feed->log, "collector %s: caught up", c->remote);
			c->lagging = false;
			break;
		}
		if (sel_pace_hold(c))
			break;
		uint64_t msgs = c->st.msgs;
		cp_step(c, cp);
		sel_pace_spent(c, c->st.msgs - msgs);
		if (c->out.oom) {
			LOG_E(c->feed->log, "collector %s: out of memory", c->remote);
			break;
		}
	}
}

