// SPDX-License-Identifier: GPL-2.0
/*
 * The feed as the peer table's sink: every peer event goes to each
 * collector, live while it keeps up, coalesced (replay.h) when it does not.
 */
#include "collector.h"

#include <string.h>

#include "famfeed.h"
#include "log.h"
#include "replay.h"
#include "session.h"

#define HARD_CAP_FACTOR	4	/* peer events beyond limit*4: disconnect */

/* ---- peer sink --------------------------------------------------------- */

void coll_peer_up(struct collector *c, struct peer *p)
{
	struct feed *f = c->feed;

	buf_reset(&f->scratch);
	peer_encode_up(p, &f->scratch);
	if (p->incomplete)
		peer_encode_lost(p, &f->scratch, p->up_ts_ns);
	coll_put(c, f->scratch.data, f->scratch.len);
	if (p->incomplete)
		c->st.msgs++;
}

static bool over_hard_cap(struct collector *c)
{
	if (collector_pending(c) <= c->limit * HARD_CAP_FACTOR)
		return false;
	LOG_W(c->feed->log, "collector %s: %zu bytes stuck, disconnecting", c->remote,
	      collector_pending(c));
	c->st.kicked++;
	coll_disconnect(c, "stuck past the hard memory cap");
	return true;
}

static void sink_up(void *ctx, struct peer *p)
{
	struct feed *f = ctx;

	for (struct collector *c = f->head, *n; c; c = n) {
		n = c->next;	/* coll_kick() may free c */
		if (c->state != COLL_UP)
			continue;
		/* The Loc-RIB instance comes up with the first peer. */
		struct peer *lr = f->peers->locrib;
		if (lr && coll_wants_peer(c, lr) && !collector_cpeer(c, lr->flow_id)) {
			struct cpeer *lcp = cp_add(c, lr);

			if (lcp) {
				coll_peer_up(c, lr);
				lcp->live = collector_pending(c) <= c->limit && !c->lagging;
			}
		}
		if (!sel_peer(&c->cfg, p)) {
			coll_kick(c);
			continue;
		}
		coll_peer_up(c, p);
		struct cpeer *cp = cp_add(c, p);
		if (!cp) {
			coll_disconnect(c, "out of memory");
			continue;
		}
		/* The RIB is empty now; a lagging collector gets the routes
		 * through the dirty set like any other change. */
		cp->live = collector_pending(c) <= c->limit && !c->lagging;
		over_hard_cap(c);
		coll_kick(c);
	}
}

static void sink_down(void *ctx, struct peer *p)
{
	struct feed *f = ctx;

	for (struct collector *c = f->head, *n; c; c = n) {
		n = c->next;	/* coll_kick() may free c */
		struct cpeer *cp = c->state == COLL_UP ? collector_cpeer(c, p->flow_id) : NULL;

		if (!cp)
			continue;	/* it never got this peer's Peer Up */
		/* Its pending route changes die with it: the collector drops
		 * the peer's routes on Peer Down anyway. */
		cp_del(c, cp);
		buf_reset(&f->scratch);
		peer_encode_down(p, &f->scratch);
		coll_put(c, f->scratch.data, f->scratch.len);
		over_hard_cap(c);
		coll_kick(c);
	}
}

static void live_or_mirror_lost(struct collector *c, struct cpeer *cp, const uint8_t *msg,
				size_t len, uint64_t ts, int info)
{
	struct feed *f = c->feed;

	if (!c->cfg.mirroring)
		return;
	/* The mirror queue is the output, bounded like the rest. */
	if (cp->live && collector_pending(c) + len + 64 <= c->limit) {
		buf_reset(&f->scratch);
		peer_encode_mirror_info(cp->p, &f->scratch, msg, len, ts, info);
		coll_put(c, f->scratch.data, f->scratch.len);
	} else {
		/* Mirroring cannot be coalesced: tell the collector instead. */
		cp->mirror_lost = true;
		c->st.lost_mirrors++;
	}
}

/*
 * The post-policy view of one UPDATE's changes, re-encoded: routes now
 * accepted are announced, routes no longer accepted (withdrawn, replaced
 * by a rejected version) are withdrawn, the rest is not the collector's
 * business.  chg_ok holds the verdicts taken when the RIB changed.
 */
static void live_post(struct collector *c, struct cpeer *cp, const struct bgp_prefix *chg,
		      const uint8_t *chg_ok, size_t n, uint64_t ts)
{
	struct feed *f = c->feed;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (!chg_ok[i])
			continue;
		f->post_pfx[k] = chg[i];
		f->post_ids[k++] = chg_ok[i] & CHG_NEW_OK ? rib_lookup(&cp->p->rib, &chg[i]) : 0;
		if (k == REPLAY_BATCH) {
			cp_emit_view(c, cp, VIEW_POST, f->post_pfx, f->post_ids, k, ts);
			k = 0;
		}
	}
	cp_emit_view(c, cp, VIEW_POST, f->post_pfx, f->post_ids, k, ts);
}

/*
 * Changes re-encoded from the peer's RIB in one view: the Loc-RIB instance,
 * and pre-policy UPDATEs with RFC 7606 errors (what the collector must
 * apply is the RIB's outcome, e.g. treat-as-withdraw, not the bad bytes).
 */
static void live_rib(struct collector *c, struct cpeer *cp, int view,
		     const struct bgp_prefix *chg, size_t n, uint64_t ts)
{
	struct feed *f = c->feed;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		f->post_pfx[k] = chg[i];
		f->post_ids[k++] = rib_lookup(view == VIEW_OUT ? &cp->p->rib_out : &cp->p->rib,
					      &chg[i]);
		if (k == REPLAY_BATCH) {
			cp_emit_view(c, cp, view, f->post_pfx, f->post_ids, k, ts);
			k = 0;
		}
	}
	cp_emit_view(c, cp, view, f->post_pfx, f->post_ids, k, ts);
}

static void sink_update(void *ctx, struct peer *p, const uint8_t *msg, size_t len,
			uint64_t ts, const struct bgp_prefix *chg, size_t n, int eor)
{
	struct feed *f = ctx;
	bool encoded = false;

	for (struct collector *c = f->head, *nx; c; c = nx) {
		nx = c->next;	/* coll_kick() may free c */
		struct cpeer *cp = c->state == COLL_UP ? collector_cpeer(c, p->flow_id) : NULL;

		if (!cp || !(c->policy & (BMPTAP_POLICY_PRE | BMPTAP_POLICY_POST)) ||
		    !sel_take(c, cp, chg, n, eor))
			continue;
		if (cp->live) {
			/* Pre-policy: the UPDATE as received, encoded once for
			 * all collectors; f->live is not touched by the pump
			 * (unlike scratch and upd).  Without msg (an UPDATE
			 * with errors) and post-policy: re-encoded. */
			if (!encoded && msg) {
				buf_reset(&f->live);
				peer_encode_rm(p, &f->live, msg, len, ts);
				encoded = true;
			}
			size_t pre = msg ? f->live.len : 64 * (n + f->peers->n_fchg);
			size_t need = (c->policy & BMPTAP_POLICY_PRE ? pre : 0) +
				      (c->policy & BMPTAP_POLICY_POST ? pre + 64 * n : 0);
			if (collector_pending(c) + need <= c->limit) {
				if ((c->policy & BMPTAP_POLICY_PRE) && msg) {
					coll_put(c, f->live.data, f->live.len);
				} else if (c->policy & BMPTAP_POLICY_PRE) {
					live_rib(c, cp, VIEW_PRE, chg, n, ts);
					famfeed_live(c, cp, VIEW_PRE, ts);
					/* The end of a refresh (refresh.h). */
					if (eor >= 0)
						cp_emit_eor_view(c, cp, VIEW_PRE, eor);
				}
				if (c->policy & BMPTAP_POLICY_POST) {
					live_post(c, cp, chg, f->peers->chg_ok, n, ts);
					famfeed_live(c, cp, VIEW_POST, ts);
					if (eor >= 0)
						cp_emit_eor_view(c, cp, VIEW_POST, eor);
				}
				coll_kick(c);
				continue;
			}
			coll_start_lagging(c);
		}
		cp_mark_dirty(c, cp, chg, n, 0);
		famfeed_mark_dirty(c, cp, false);
		if (eor >= 0)
			cp->eor_mask |= (uint8_t)(1u << eor);
		coll_kick(c);
	}
}

/*
 * What the daemon sent (Adj-RIB-Out, O flag: the UPDATE as sent), or, with
 * msg NULL, changes of the Loc-RIB instance or the end of a refresh.
 */
static void sink_update_out(void *ctx, struct peer *p, const uint8_t *msg, size_t len,
			    uint64_t ts, const struct bgp_prefix *chg, size_t n, int eor)
{
	struct feed *f = ctx;
	uint32_t want = p->locrib ? BMPTAP_POLICY_LOCAL_RIB : BMPTAP_POLICY_ADJ_OUT;

	for (struct collector *c = f->head, *nx; c; c = nx) {
		nx = c->next;	/* coll_kick() may free c */
		struct cpeer *cp = c->state == COLL_UP ? collector_cpeer(c, p->flow_id) : NULL;

		if (!cp || !(c->policy & want) || !sel_take(c, cp, chg, n, eor))
			continue;
		if (cp->live) {
			size_t need = msg ? len + 64 : 64 * (n + f->peers->n_flchg);

			if (collector_pending(c) + need <= c->limit) {
				if (p->locrib || !msg) {
					live_rib(c, cp, p->locrib ? VIEW_LOCRIB : VIEW_OUT, chg, n, ts);
					if (p->locrib)
						famfeed_live(c, cp, VIEW_LOCRIB, ts);
					if (!p->locrib && eor >= 0)
						cp_emit_eor_view(c, cp, VIEW_OUT, eor);
				} else {
					buf_reset(&f->scratch);
					peer_encode_rm_view(p, VIEW_OUT, &f->scratch, msg, len, ts);
					coll_put(c, f->scratch.data, f->scratch.len);
				}
				coll_kick(c);
				continue;
			}
			coll_start_lagging(c);
		}
		cp_mark_dirty(c, cp, chg, n, p->locrib ? 0 : PFX_OUT);
		famfeed_mark_dirty(c, cp, !p->locrib);
		if (eor >= 0)
			cp->eor_mask |= (uint8_t)(1u << (eor + (p->locrib ? 0 : 4)));
		coll_kick(c);
	}
}

/* Route Mirroring to every collector following the peer; info -1: a plain message. */
static void feed_mirror(struct feed *f, struct peer *p, const uint8_t *msg, size_t len,
			uint64_t ts, int info)
{
	for (struct collector *c = f->head, *n; c; c = n) {
		n = c->next;	/* coll_kick() may free c */
		struct cpeer *cp = c->state == COLL_UP ? collector_cpeer(c, p->flow_id) : NULL;

		if (cp) {
			live_or_mirror_lost(c, cp, msg, len, ts, info);
			coll_kick(c);
		}
	}
}

static void sink_errored(void *ctx, struct peer *p, const uint8_t *msg, size_t len,
			 uint64_t ts)
{
	feed_mirror(ctx, p, msg, len, ts, BMP_MIRROR_ERRORED_PDU);
}

static void sink_message(void *ctx, struct peer *p, const uint8_t *msg, size_t len,
			 uint64_t ts)
{
	feed_mirror(ctx, p, msg, len, ts, -1);
}

static void sink_lost(void *ctx, struct peer *p, uint64_t ts)
{
	struct feed *f = ctx;

	for (struct collector *c = f->head, *n; c; c = n) {
		n = c->next;	/* coll_kick() may free c */
		if (c->state != COLL_UP || !collector_cpeer(c, p->flow_id))
			continue;
		buf_reset(&f->scratch);
		peer_encode_lost(p, &f->scratch, ts);
		coll_put(c, f->scratch.data, f->scratch.len);
		over_hard_cap(c);
		coll_kick(c);
	}
}

struct peer_sink feed_sink(struct feed *f)
{
	return (struct peer_sink){
		.ctx = f, .up = sink_up, .down = sink_down, .update = sink_update,
		.message = sink_message, .lost = sink_lost, .update_out = sink_update_out,
		.errored = sink_errored,
	};
}

