// SPDX-License-Identifier: GPL-2.0
/*
 * A session's UPDATEs: the post-policy verdict, the Adj-RIBs and the other
 * families' stores, the Loc-RIB's recomputation, and what goes to the sink.
 */
#include "peer_update.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "famloc.h"
#include "locrib.h"
#include "log.h"
#include "refresh.h"

enum pol_verdict peer_attr_verdict(struct peers *ps, const struct peer *p, uint32_t attr)
{
	struct pol_local l = { p->op[BMPTAP_DIR_TX].as, p->op[BMPTAP_DIR_TX].bgp_id };
	const struct attr_set *s = attr_get(&ps->attrs, attr);
	struct vmemo *m = &ps->vmemo[attr & (VMEMO_SIZE - 1)];
	enum pol_verdict v;

	if (!s)
		return policy_attr_verdict(&l, ps->filters, s);
	if (p->verdicts && attr < ps->verdict_ids && ps->attrs.frees == ps->verdict_frees) {
		uint8_t *c = &p->verdicts[attr];

		if (!*c)
			*c = (uint8_t)(policy_attr_verdict(&l, ps->filters, s) + 1);
		v = (enum pol_verdict)(*c - 1);
	} else if (m->id == attr && m->as == l.as && m->bgp_id == l.bgp_id &&
	    m->frees == ps->attrs.frees && m->filter_gen == ps->filter_gen) {
		v = (enum pol_verdict)m->verdict;
	} else {
		v = policy_attr_verdict(&l, ps->filters, s);
		*m = (struct vmemo){ attr, l.as, l.bgp_id, (uint8_t)v, ps->attrs.frees,
				     ps->filter_gen };
	}
	return v;
}

enum pol_verdict peer_verdict(struct peers *ps, const struct peer *p,
			      const struct bgp_prefix *pfx, uint32_t attr)
{
	enum pol_verdict v = peer_attr_verdict(ps, p, attr);

	return v != POL_ACCEPT ? v : policy_prefix_verdict(ps->filters, pfx,
							   attr_get(&ps->attrs, attr));
}

/*
 * Every RIB change of ps->cur's Adj-RIB-In (or, with ps->cur NULL, of a RIB
 * without a post-policy view) is collected with the post-policy verdicts on
 * the old and the new route: the post-policy feed and the Loc-RIB need
 * exactly those, and the old route is only valid during this call.
 */
void peer_on_rib_change(void *ctx, const struct bgp_prefix *pfx, uint32_t old, uint32_t new)
{
	struct peers *ps = ctx;
	struct peer *p = ps->cur;
	uint8_t ok = 0;

	if (ps->n_chg == ps->cap_chg) {
		size_t cap = ps->cap_chg ? ps->cap_chg * 2 : 1024;
		struct bgp_prefix *v = realloc(ps->chg, cap * sizeof(*v));
		uint8_t *o = realloc(ps->chg_ok, cap);

		if (v)
			ps->chg = v;
		if (o)
			ps->chg_ok = o;
		if (!v || !o) {
			ps->chg_nomem = true;
			return;
		}
		ps->cap_chg = cap;
	}
	if (p) {
		if (old) {
			enum pol_verdict v = peer_verdict(ps, p, pfx, old);

			if (v == POL_ACCEPT)
				ok |= CHG_OLD_OK;
			else if (v == POL_FILTER)
				p->filtered_count[pfx->fam]--;
		}
		if (new) {
			enum pol_verdict v = peer_verdict(ps, p, pfx, new);

			if (v == POL_ACCEPT) {
				ok |= CHG_NEW_OK;
			} else if (v == POL_FILTER) {
				p->cnt.rejected++;
				p->filtered_count[pfx->fam]++;
			} else {
				ps->loop_mask |= 1u << v;
			}
		}
		if (ok & CHG_OLD_OK)
			p->post_count[pfx->fam]--;
		if (ok & CHG_NEW_OK)
			p->post_count[pfx->fam]++;
	}
	ps->chg_ok[ps->n_chg] = ok;
	ps->chg[ps->n_chg++] = *pfx;
}

static size_t count_nlri(struct bgp_span s, int fam, bool addpath)
{
	struct bgp_nlri_iter it;
	struct bgp_prefix p;
	size_t n = 0;

	if (fam < 0 || !s.len)
		return 0;
	bgp_nlri_iter_init(&it, s, fam, addpath);
	while (bgp_nlri_next(&it, &p))
		n++;
	return n;
}

void peer_count_errors(struct peers *ps, struct peer *p, const struct bgp_update *u)
{
	if (!u->n_errors)
		return;
	p->cnt.errors++;
	if (u->action == BGP_ACT_RESET)
		p->cnt.session_reset++;
	else if (u->treat_as_withdraw)
		p->cnt.treat_as_withdraw++;
	else if (u->action == BGP_ACT_ATTR_DISCARD)
		p->cnt.attr_discard++;
	LOG_D(ps->log, "flow %" PRIu64 ": UPDATE with %u error(s), action %d", p->flow_id,
	      u->n_errors, u->action);
}

/* p's peer is incomplete now: the collectors are told once. */
void peer_short(struct peers *ps, struct peer *p, uint64_t ts, const char *why)
{
	peer_mark_incomplete(p);
	if (p->rib_short)
		return;
	p->rib_short = true;
	LOG_W(ps->log, "flow %" PRIu64 ": %s: RIB incomplete, collectors told", p->flow_id, why);
	if (p->state == PEER_ESTABLISHED && ps->sink.lost)
		ps->sink.lost(ps->sink.ctx, p, ts);
}

/*
 * rib_apply()'s (or famrib_apply()'s) result err for a RIB of p whose
 * refusal counter is r_refused: routes it refused
 * are counted, and never dropped silently (withdrawals were applied).
 */
static void rib_short(struct peers *ps, struct peer *p, uint64_t *r_refused, int err, uint64_t ts)
{
	uint64_t refused = *r_refused;

	p->cnt.mem_refused += refused;
	*r_refused = 0;
	if (err == -ENOMEM)
		p->cnt.rib_nomem++;
	if (err)
		peer_short(ps, p, ts, err == -ENOSPC ? "memory budget reached" : "out of memory");
	else if (refused)
		peer_short(ps, p, ts, "memory budget reached");
}

void peer_encode_failed(struct peers *ps, struct peer *p)
{
	/* The collector that failed tells itself (collector.c); new ones get
	 * "messages lost" with the Peer Up. */
	peer_mark_incomplete(p);
	if (!p->cnt.encode_failures++)
		LOG_W(ps->log, "flow %" PRIu64 ": a route too large to encode for a collector: withdrawn "
		      "there, RIB incomplete", p->flow_id);
}

/* Changes ps->chg (and ps->fchg) of p's Adj-RIB-In: the Loc-RIB follows,
 * counted. */
static void rx_account(struct peers *ps, struct peer *p, uint64_t ts)
{
	for (size_t i = 0; i < ps->n_chg; i++)
		if (ps->chg_ok[i])
			locrib_prefetch(ps, &ps->chg[i]);
	for (size_t i = 0; i < ps->n_chg; i++)
		if (ps->chg_ok[i])
			locrib_recompute(ps, &ps->chg[i], p);
	famloc_recompute_chg(ps, p);
	for (size_t i = 0; i < ps->n_chg; i++) {
		/* rib_apply withdraws before it announces, so an accepted new
		 * route is still there: only the others need the lookup. */
		if ((ps->chg_ok[i] & CHG_NEW_OK) || rib_lookup(&p->rib, &ps->chg[i]))
			p->cnt.announced++;
		else
			p->cnt.withdrawn++;
	}
	/* A collector catching up would miss some of these changes. */
	if (ps->chg_nomem)
		peer_short(ps, p, ts, "out of memory tracking RIB changes");
}

/* No famrib change for the sink yet (peers.fchg): a new event. */
static void fchg_reset(struct peers *ps)
{
	ps->n_fchg = 0;
	buf_reset(&ps->fchg);
	buf_reset(&ps->fchg_ok);
	ps->fr_eor = -1;
}

/*
 * A route of p's famrib changed (ps->cur is p), recorded with its
 * post-policy verdicts as peer_on_rib_change() takes them.  Prefix filters are
 * unicast ones (policy.h): these routes are judged by their attributes.
 */
static void on_fr_change(void *ctx, const struct famrib_entry *e, uint32_t old, uint32_t new)
{
	struct peers *ps = ctx;
	struct peer *p = ps->cur;
	uint8_t ok = 0;

	if (old && peer_attr_verdict(ps, p, old) == POL_ACCEPT)
		ok |= CHG_OLD_OK;
	if (new) {
		enum pol_verdict v = peer_attr_verdict(ps, p, new);

		if (v == POL_ACCEPT)
			ok |= CHG_NEW_OK;
		else if (v == POL_FILTER)
			p->cnt.rejected++;
		else
			ps->loop_mask |= 1u << v;
	}
	ps->n_fchg++;
	famrib_chg_add(&ps->fchg, e);
	buf_u8(&ps->fchg_ok, ok);
	if (new)
		p->cnt.announced++;
	else
		p->cnt.withdrawn++;
}

/* A route of an Adj-RIB-Out famrib changed: recorded, no verdict. */
static void on_fr_out_change(void *ctx, const struct famrib_entry *e, uint32_t old, uint32_t new)
{
	struct peers *ps = ctx;

	(void)old;
	(void)new;
	ps->n_fchg++;
	famrib_chg_add(&ps->fchg, e);
	buf_u8(&ps->fchg_ok, 0);
}

void peer_rx_update(struct peers *ps, struct peer *p, const uint8_t *msg, size_t len,
		      uint64_t ts)
{
	struct bgp_update u;
	int fr_eor;

	bgp_update_parse(msg, len, &p->sess.rx, &u);
	p->cnt.updates++;
	peer_count_errors(ps, p, &u);
	fr_eor = famrib_eor(&u);
	if (u.eor >= 0 || fr_eor >= 0)
		p->cnt.eor++;
	if (u.treat_as_withdraw && u.action != BGP_ACT_RESET)
		p->cnt.pfx_treat_as_withdraw +=
			count_nlri(u.nlri, BGP_FAM_IPV4, u.addpath[BGP_FAM_IPV4]) +
			(u.reach.present ? count_nlri(u.reach.nlri, u.reach.fam,
						      u.reach.fam >= 0 && u.addpath[u.reach.fam]) : 0) +
			famrib_reach_routes(&p->fr, &u, p->fr_addpath);
	ps->n_chg = 0;
	ps->n_lchg = 0;
	ps->chg_nomem = false;
	ps->loop_mask = 0;
	fchg_reset(ps);
	ps->cur = p;
	uint64_t dups = p->rib.dup_announce + p->rib.dup_withdraw + p->fr.dup_announce +
			p->fr.dup_withdraw;
	rib_short(ps, p, &p->rib.refused, rib_apply(&p->rib, &u, peer_on_rib_change, ps), ts);
	rib_short(ps, p, &p->fr.refused, famrib_apply(&p->fr, &u, p->fr_addpath, on_fr_change, ps),
		  ts);
	ps->fr_eor = fr_eor;
	if (ps->fchg.oom || ps->fchg_ok.oom)
		ps->chg_nomem = true;
	ps->cur = NULL;
	for (int v = POL_CLUSTER_LOOP; v <= POL_CONFED_LOOP; v++)
		if (ps->loop_mask & (1u << v))
			p->cnt.loops[v - POL_CLUSTER_LOOP]++;
	/* An UPDATE that only repeated what the RIB already held. */
	if (!ps->n_chg && !ps->n_fchg && !u.n_errors && u.eor < 0 && fr_eor < 0 &&
	    p->rib.dup_announce + p->rib.dup_withdraw + p->fr.dup_announce + p->fr.dup_withdraw != dups)
		p->cnt.dup_updates++;
	rx_account(ps, p, ts);
	/* Mirroring: an UPDATE treated as withdraw (RFC 7854 4.6), or one a
	 * speaker would reset the session for, is an Errored PDU. */
	if ((u.action == BGP_ACT_RESET || u.treat_as_withdraw) && ps->sink.errored) {
		p->cnt.errored++;
		ps->sink.errored(ps->sink.ctx, p, msg, len, ts);
	} else if (ps->sink.message) {
		ps->sink.message(ps->sink.ctx, p, msg, len, ts);
	}
	/* With errors, or routes of a family disabled by an earlier error,
	 * only the RIB's outcome may be monitored (no msg): the collector
	 * would take the routes the RIB (and the router) ignored. */
	if (ps->sink.update)
		ps->sink.update(ps->sink.ctx, p, u.n_errors || rib_ignores_part(&p->rib, &u) ||
				famrib_ignores_part(&p->fr, &u) ? NULL : msg, len, ts, ps->chg,
				ps->n_chg, u.eor);
	locrib_flush(ps, ts);
	if (u.eor >= 0)
		refresh_eor(ps, p, BMPTAP_DIR_RX, u.eor, ts);
}

/* An UPDATE the local daemon sent: the post-policy Adj-RIB-Out. */
void peer_tx_update(struct peers *ps, struct peer *p, const uint8_t *msg, size_t len,
		      uint64_t ts)
{
	struct bgp_update u;

	bgp_update_parse(msg, len, &p->sess.tx, &u);
	p->cnt.updates_out++;
	ps->n_chg = 0;
	ps->chg_nomem = false;
	fchg_reset(ps);
	ps->cur = NULL;
	rib_short(ps, p, &p->rib_out.refused, rib_apply(&p->rib_out, &u, peer_on_rib_change, ps), ts);
	rib_short(ps, p, &p->fr_out.refused,
		  famrib_apply(&p->fr_out, &u, p->fr_out_addpath, on_fr_out_change, ps), ts);
	ps->fr_eor = famrib_eor(&u);
	if (ps->fchg.oom || ps->fchg_ok.oom)
		ps->chg_nomem = true;
	if (ps->sink.update_out)
		ps->sink.update_out(ps->sink.ctx, p, msg, len, ts, ps->chg, ps->n_chg, u.eor);
	if (u.eor >= 0)
		refresh_eor(ps, p, BMPTAP_DIR_TX, u.eor, ts);
}

void peer_refresh_sweep(struct peers *ps, struct peer *p, int dir, int fam, uint64_t ts)
{
	struct rib *r = peer_rib(p, dir);

	ps->n_chg = 0;
	ps->n_lchg = 0;
	ps->chg_nomem = false;
	fchg_reset(ps);
	ps->cur = dir == BMPTAP_DIR_RX ? p : NULL;
	p->cnt.refresh_withdrawn += rib_refresh_end(r, fam, peer_on_rib_change, ps);
	ps->cur = NULL;
	if (dir != BMPTAP_DIR_RX) {
		if (ps->sink.update_out)
			ps->sink.update_out(ps->sink.ctx, p, NULL, 0, ts, ps->chg, ps->n_chg, fam);
		return;
	}
	rx_account(ps, p, ts);
	if (ps->sink.update)
		ps->sink.update(ps->sink.ctx, p, NULL, 0, ts, ps->chg, ps->n_chg, fam);
	locrib_flush(ps, ts);
}
