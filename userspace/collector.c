// SPDX-License-Identifier: GPL-2.0
/*
 * BMP collector sessions: connect/listen, per-collector feed with bounded
 * output, table replay and coalescing (see collector.h for the model).
 */
#include "collector.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "json.h"
#include "log.h"
#include "resolve.h"
#include "stats.h"
#include "tls.h"

#define REPLAY_BATCH	4096	/* routes taken from a RIB per pump step */
#define HARD_CAP_FACTOR	4	/* peer events beyond limit*4: disconnect */
#define CLOSE_WAIT_MS	2000	/* flushing a Termination */
#define STABLE_MS	10000	/* a session this old resets the backoff */
#define INPUT_PER_EVENT	65536	/* bytes a station's input may cost per wake-up */
#define STALL_LATE_MS	1000	/* a stall check this late: we did not run either */
/* TCP keepalive on every collector socket: a dead station's session goes
 * away in about 2 minutes even when nothing is queued for it. */
#define KEEPALIVE_IDLE_S	60
#define KEEPALIVE_INTVL_S	10
#define KEEPALIVE_CNT		6

static void coll_timer(void *ctx);
static void coll_kick(struct collector *c);
static void coll_open(struct collector *c);
static void coll_free(struct collector *c);

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
	if (!cp->frozen)
		return;
	for (int f = 0; f < BGP_FAM_MAX; f++) {
		rib_thaw(&cp->p->rib, f);
		rib_thaw(&cp->p->rib_out, f);
	}
	cp->frozen = false;
}

static struct cpeer *cp_add(struct collector *c, struct peer *p)
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

static void cp_del(struct collector *c, struct cpeer *cp)
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
	pset_free(&cp->dirty);
	pset_free(&cp->flushing);
	free(cp->order);
	free(cp);
}

static void cp_del_all(struct collector *c)
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

static void cp_start_replay(struct cpeer *cp)
{
	cp->live = false;
	cp->replay = true;
	cp->fam = 0;
	cp_new_walk(cp);
	cp->gen = rib_gen(&cp->p->rib, 0);
	if (!cp->frozen) {
		for (int f = 0; f < BGP_FAM_MAX; f++) {
			rib_freeze(&cp->p->rib, f);
			rib_freeze(&cp->p->rib_out, f);
		}
		cp->frozen = true;
	}
}

/* ---- output ------------------------------------------------------------ */

size_t collector_pending(const struct collector *c)
{
	return c->out.len - c->head;
}

size_t collector_take(struct collector *c, void *dst, size_t max)
{
	size_t n = collector_pending(c);

	if (n > max)
		n = max;
	if (dst)
		memcpy(dst, c->out.data + c->head, n);
	c->head += n;
	c->st.bytes += n;
	if (c->head == c->out.len)
		c->head = c->out.len = 0;
	return n;
}

bool collector_busy(const struct collector *c)
{
	for (const struct cpeer *cp = c->cp_head; cp; cp = cp->next)
		if (!cp->live)
			return true;
	return false;
}

static void out_put(struct collector *c, const uint8_t *msg, size_t len)
{
	/* Move the unsent tail down rather than grow forever. */
	if (c->head && c->head >= c->out.len / 2) {
		memmove(c->out.data, c->out.data + c->head, c->out.len - c->head);
		c->out.len -= c->head;
		c->head = 0;
	}
	buf_put(&c->out, msg, len);
	c->st.msgs++;
}

/* Whether the collector gets this peer at all: the Loc-RIB instance only
 * with local-rib. */
static bool wants_peer(const struct collector *c, const struct peer *p)
{
	return !p->locrib || (c->policy & BMPTAP_POLICY_LOCAL_RIB);
}

/*
 * Ends the session from inside a peer event (the collector must stay
 * allocated until the loop sees the shutdown): the read side reports the
 * loss with why.  An active collector reconnects and gets a full table.
 */
static void kick(struct collector *c, const char *why)
{
	if (c->kick_why)
		return;
	c->kick_why = why;
	if (c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
}

/* Every cpeer stops going out live: the collector fell behind. */
static void start_lagging(struct collector *c)
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
static void mark_dirty(struct collector *c, struct cpeer *cp, const struct bgp_prefix *chg,
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
		if (cp->dirty.count >= max && !pset_has(&cp->dirty, &k)) {
			LOG_W(c->feed->log, "collector %s: %zu route changes pending for "
			      "%zu routes, resynchronising with a new session", c->remote,
			      max, live);
			c->st.dirty_overflows++;
			kick(c, "resync: too many pending route changes");
		} else if (!pset_add(&cp->dirty, &k)) {
			LOG_E(c->feed->log, "collector %s: out of memory coalescing, "
			      "restarting the session", c->remote);
			c->st.kicked++;
			kick(c, "out of memory coalescing");
		} else {
			c->st.coalesced++;
		}
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
static void emit_view(struct collector *c, struct cpeer *cp, int view,
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
			out_put(c, f->scratch.data, f->scratch.len);
			i += k;
		}
	}
	if (failed) {
		buf_reset(&f->scratch);
		peer_encode_lost(p, &f->scratch, ts);
		out_put(c, f->scratch.data, f->scratch.len);
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
		emit_view(c, cp, VIEW_LOCRIB, pfx, ids, n, ts);
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
		emit_view(c, cp, VIEW_PRE, pfx, ids, n_in, ts);
	if (c->policy & BMPTAP_POLICY_POST) {
		for (size_t i = 0; i < n_in; i++) {
			bool ok = ids[i] && peer_verdict(f->peers, p, &pfx[i], ids[i]) == POL_ACCEPT;

			if (!ok && !withdraw)
				continue;
			f->post_pfx[n_post] = pfx[i];
			f->post_ids[n_post++] = ok ? ids[i] : 0;
		}
		emit_view(c, cp, VIEW_POST, f->post_pfx, f->post_ids, n_post, ts);
	}
	if (c->policy & BMPTAP_POLICY_ADJ_OUT)
		emit_view(c, cp, VIEW_OUT, pfx + n_in, ids + n_in, n - n_in, ts);
}

static void emit_eor_view(struct collector *c, struct cpeer *cp, int view, int fam)
{
	struct feed *f = c->feed;

	if (!sel_fam(&c->cfg, fam))
		return;
	buf_reset(&f->upd);
	bgp_encode_eor(&f->upd, fam);
	buf_reset(&f->scratch);
	peer_encode_rm_view(cp->p, view, &f->scratch, f->upd.data, f->upd.len, 0);
	out_put(c, f->scratch.data, f->scratch.len);
}

/* End-of-RIB of fam (PFX_OUT: of the Adj-RIB-Out) in every view that has it. */
static void emit_eor(struct collector *c, struct cpeer *cp, int fam)
{
	if (cp->p->locrib) {
		emit_eor_view(c, cp, VIEW_LOCRIB, fam);
		return;
	}
	if (fam & PFX_OUT) {
		if (c->policy & BMPTAP_POLICY_ADJ_OUT)
			emit_eor_view(c, cp, VIEW_OUT, fam & ~PFX_OUT);
		return;
	}
	if (c->policy & BMPTAP_POLICY_PRE)
		emit_eor_view(c, cp, VIEW_PRE, fam);
	if (c->policy & BMPTAP_POLICY_POST)
		emit_eor_view(c, cp, VIEW_POST, fam);
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
	if (flush_step(c, cp))
		return false;
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
		out_put(c, f->scratch.data, f->scratch.len);
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

/* ---- peer sink --------------------------------------------------------- */

static void append_peer_up(struct collector *c, struct peer *p)
{
	struct feed *f = c->feed;

	buf_reset(&f->scratch);
	peer_encode_up(p, &f->scratch);
	if (p->incomplete)
		peer_encode_lost(p, &f->scratch, p->up_ts_ns);
	out_put(c, f->scratch.data, f->scratch.len);
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
	kick(c, "stuck past the hard memory cap");
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
		if (lr && wants_peer(c, lr) && !collector_cpeer(c, lr->flow_id)) {
			struct cpeer *lcp = cp_add(c, lr);

			if (lcp) {
				append_peer_up(c, lr);
				lcp->live = collector_pending(c) <= c->limit && !c->lagging;
			}
		}
		if (!sel_peer(&c->cfg, p)) {
			coll_kick(c);
			continue;
		}
		append_peer_up(c, p);
		struct cpeer *cp = cp_add(c, p);
		if (!cp) {
			kick(c, "out of memory");
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
		out_put(c, f->scratch.data, f->scratch.len);
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
		out_put(c, f->scratch.data, f->scratch.len);
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
			emit_view(c, cp, VIEW_POST, f->post_pfx, f->post_ids, k, ts);
			k = 0;
		}
	}
	emit_view(c, cp, VIEW_POST, f->post_pfx, f->post_ids, k, ts);
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
			emit_view(c, cp, view, f->post_pfx, f->post_ids, k, ts);
			k = 0;
		}
	}
	emit_view(c, cp, view, f->post_pfx, f->post_ids, k, ts);
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
			size_t pre = msg ? f->live.len : 64 * n;
			size_t need = (c->policy & BMPTAP_POLICY_PRE ? pre : 0) +
				      (c->policy & BMPTAP_POLICY_POST ? pre + 64 * n : 0);
			if (collector_pending(c) + need <= c->limit) {
				if ((c->policy & BMPTAP_POLICY_PRE) && msg) {
					out_put(c, f->live.data, f->live.len);
				} else if (c->policy & BMPTAP_POLICY_PRE) {
					live_rib(c, cp, VIEW_PRE, chg, n, ts);
					/* The end of a refresh (refresh.h). */
					if (eor >= 0)
						emit_eor_view(c, cp, VIEW_PRE, eor);
				}
				if (c->policy & BMPTAP_POLICY_POST) {
					live_post(c, cp, chg, f->peers->chg_ok, n, ts);
					if (eor >= 0)
						emit_eor_view(c, cp, VIEW_POST, eor);
				}
				coll_kick(c);
				continue;
			}
			start_lagging(c);
		}
		mark_dirty(c, cp, chg, n, 0);
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
			size_t need = msg ? len + 64 : 64 * n;

			if (collector_pending(c) + need <= c->limit) {
				if (p->locrib || !msg) {
					live_rib(c, cp, p->locrib ? VIEW_LOCRIB : VIEW_OUT, chg, n, ts);
					if (!p->locrib && eor >= 0)
						emit_eor_view(c, cp, VIEW_OUT, eor);
				} else {
					buf_reset(&f->scratch);
					peer_encode_rm_view(p, VIEW_OUT, &f->scratch, msg, len, ts);
					out_put(c, f->scratch.data, f->scratch.len);
				}
				coll_kick(c);
				continue;
			}
			start_lagging(c);
		}
		mark_dirty(c, cp, chg, n, p->locrib ? 0 : PFX_OUT);
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
		out_put(c, f->scratch.data, f->scratch.len);
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

/* ---- session ------------------------------------------------------------- */

const char *collector_state_name(enum coll_state s)
{
	switch (s) {
	case COLL_IDLE: return "idle";
	case COLL_CONNECTING: return "connecting";
	case COLL_UP: return "up";
	case COLL_BACKOFF: return "backoff";
	case COLL_RESOLVING: return "resolving";
	case COLL_LISTENING: return "listening";
	case COLL_CLOSING: return "closing";
	case COLL_TLS_HANDSHAKE: return "tls-handshake";
	}
	return "?";
}

static void initiation(struct collector *c)
{
	struct feed *f = c->feed;
	const char *name = c->cfg.sys_name[0] ? c->cfg.sys_name : f->hostname;
	const char *descr = c->cfg.sys_descr[0] ? c->cfg.sys_descr : "bmptap " BMPTAP_VERSION;
	struct bmp_tlv t[2] = {
		{ BMP_INFO_SYSDESCR, (uint16_t)strlen(descr), descr },
		{ BMP_INFO_SYSNAME, (uint16_t)strlen(name), name },
	};

	buf_reset(&f->scratch);
	bmp_initiation(&f->scratch, t, 2);
	out_put(c, f->scratch.data, f->scratch.len);
}

/*
 * A Statistics Report per peer (and for the Loc-RIB instance), with every
 * counter peer_stats() defines (operator-guide.md).  Sent also for peers
 * still catching up: the counts describe the exporter's RIBs, which the
 * collector converges to.
 */
void collector_stats(struct collector *c)
{
	struct feed *f = c->feed;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	for (struct cpeer *cp = c->cp_head; cp; cp = cp->next) {
		struct bmp_stat st[PEER_STATS_MAX];
		struct bmp_peer h;
		size_t n = sel_stats(&c->cfg, st, peer_stats(cp->p, c->policy & BMPTAP_POLICY_ADJ_OUT,
								 st, PEER_STATS_MAX));

		peer_bmp_hdr(cp->p, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec, &h);
		buf_reset(&f->scratch);
		bmp_statistics(&f->scratch, &h, st, n);
		out_put(c, f->scratch.data, f->scratch.len);
	}
}

static void coll_stats_timer(void *ctx)
{
	struct collector *c = ctx;

	if (c->state != COLL_UP)
		return;
	collector_stats(c);
	loop_timer_arm(c->feed->loop, &c->stats_timer, (uint64_t)c->cfg.stats_timeout * 1000u);
	coll_kick(c);	/* may free c */
}

static void set_keepalive(struct collector *c)
{
	int on = 1, idle = KEEPALIVE_IDLE_S, intvl = KEEPALIVE_INTVL_S, cnt = KEEPALIVE_CNT;

	if (setsockopt(c->fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) ||
	    setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) ||
	    setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl)) ||
	    setsockopt(c->fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt)))
		LOG_W(c->feed->log, "collector %s: keepalive: %s", c->remote, strerror(errno));
}

void collector_start(struct collector *c, int fd)
{
	struct feed *f = c->feed;

	c->fd = fd;
	c->state = COLL_UP;
	c->up_since_ms = loop_now_ms();
	c->st.sessions++;
	c->lagging = false;
	c->kick_why = NULL;
	sel_pace_reset(c);
	if (fd >= 0)
		set_keepalive(c);
	buf_reset(&c->out);
	c->head = 0;
	cp_del_all(c);
	if (f->loop && fd >= 0 &&
	    loop_fd_add(f->loop, &c->lfd, fd, EPOLLIN | EPOLLOUT, coll_event, c))
		LOG_E(f->log, "collector %s: epoll: %s", c->remote, strerror(errno));
	LOG_I(f->log, "collector %s: session up", c->remote);
	/* Initiation, then every established peer's Peer Up and table. */
	initiation(c);
	for (struct peer *p = f->peers->head; p; p = p->next) {
		if (p->state != PEER_ESTABLISHED || !sel_peer(&c->cfg, p))
			continue;
		struct cpeer *cp = cp_add(c, p);
		if (!cp)
			break;
		append_peer_up(c, p);
		cp_start_replay(cp);
	}
	/* The Loc-RIB instance after the peers, as a router lists it. */
	struct peer *lr = f->peers->locrib;
	if (lr && wants_peer(c, lr)) {
		struct cpeer *cp = cp_add(c, lr);

		if (cp) {
			append_peer_up(c, lr);
			cp_start_replay(cp);
		}
	}
	if (f->loop && c->cfg.stats_timeout)
		loop_timer_arm(f->loop, &c->stats_timer, (uint64_t)c->cfg.stats_timeout * 1000u);
	coll_kick(c);
}

static void close_fd(struct collector *c)
{
	tls_conn_free(c->tls);
	c->tls = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Session over: drop its state; active ones retry, accepted ones go away. */
static void session_lost(struct collector *c, const char *why)
{
	struct feed *f = c->feed;

	/* Shut down by us: whatever the socket reports, that is the cause. */
	if (c->kick_why)
		why = c->kick_why;
	LOG_W(f->log, "collector %s: session lost: %s", c->remote, why);
	snprintf(c->last_error, sizeof(c->last_error), "%s", why);
	if (f->loop) {
		loop_fd_del(f->loop, &c->lfd);
		loop_timer_cancel(f->loop, &c->stall_timer);
	}
	close_fd(c);
	c->kick_why = NULL;
	cp_del_all(c);
	sel_pace_reset(c);
	buf_reset(&c->out);
	c->head = 0;
	c->lagging = false;
	if (c->accepted || c->state == COLL_CLOSING) {
		coll_free(c);
		return;
	}
	c->st.reconnects++;
	if (loop_now_ms() - c->up_since_ms >= STABLE_MS)
		c->backoff_s = COLL_BACKOFF_MIN_S;
	c->state = COLL_BACKOFF;
	uint64_t ms = collector_backoff_ms(c);
	LOG_I(f->log, "collector %s: reconnecting in %llu ms", c->remote, (unsigned long long)ms);
	if (f->loop)
		loop_timer_arm(f->loop, &c->timer, ms);
}

uint64_t collector_backoff_ms(struct collector *c)
{
	struct feed *f = c->feed;
	unsigned s = c->backoff_s ? c->backoff_s : COLL_BACKOFF_MIN_S;

	/* xorshift64: jitter only, so that restarted collectors are not hit
	 * by every exporter in the same second. */
	f->rnd ^= f->rnd << 13;
	f->rnd ^= f->rnd >> 7;
	f->rnd ^= f->rnd << 17;
	uint64_t ms = (uint64_t)s * 1000u + f->rnd % ((uint64_t)s * 250u + 1);
	c->backoff_s = s * 2 > COLL_BACKOFF_MAX_S ? COLL_BACKOFF_MAX_S : s * 2;
	return ms;
}

void feed_batch_begin(struct feed *f)
{
	f->batching = true;
}

void feed_batch_end(struct feed *f)
{
	f->batching = false;
	for (struct collector *c = f->head, *n; c; c = n) {
		n = c->next;	/* coll_kick() may free c */
		if (c->kick_due) {
			c->kick_due = false;
			coll_kick(c);
		}
	}
}

/*
 * Bytes the station has taken: written to the socket and no longer in its
 * send queue (SIOCOUTQ: unsent and unacknowledged).  The kernel's buffer
 * alone can hold megabytes of a replay for a station that reads nothing.
 */
static uint64_t delivered(const struct collector *c)
{
	int outq = 0;

	/* Under TLS the queue holds ciphertext: more than the bytes it carries. */
	if (ioctl(c->fd, SIOCOUTQ, &outq) || outq < 0 || (uint64_t)outq > c->st.bytes)
		outq = 0;
	return c->st.bytes - (uint64_t)outq;
}

/*
 * The stall watch.  A station that takes nothing while output waits for it
 * (mid-replay, or live) holds its queue, its dirty sets and the frozen
 * RIBs of its replay: after stall_ms without a byte taken it is
 * disconnected (an active collector reconnects later and gets a full
 * table).  One that only stays silent is fine: BMP stations never send.
 * The timer polls, once per stall_ms at most, only while output is
 * outstanding.
 */
static void watch_stall(struct collector *c)
{
	if (c->stall_timer.armed || !c->feed->loop)
		return;
	c->stall_due_ms = loop_now_ms() + c->feed->stall_ms;
	c->delivered_mark = delivered(c);
	loop_timer_arm(c->feed->loop, &c->stall_timer, c->feed->stall_ms);
}

static void coll_stall_timer(void *ctx)
{
	struct collector *c = ctx;
	struct feed *f = c->feed;
	uint64_t now = loop_now_ms(), got;
	char why[96];

	if (c->state != COLL_UP)
		return;
	got = delivered(c);
	if (got == c->st.bytes && !collector_pending(c))
		return;		/* all taken: nothing outstanding */
	if (got != c->delivered_mark) {
		c->delivered_mark = got;
		c->stall_due_ms = now + f->stall_ms;
	} else if (now >= c->stall_due_ms + STALL_LATE_MS) {
		/* Checked this late, bmptapd itself was not running (an
		 * overloaded host, a paused VM), and the station probably
		 * neither: it gets some of our running time to show progress. */
		c->stall_due_ms = now + (f->stall_ms < STALL_LATE_MS ? f->stall_ms : STALL_LATE_MS);
	}
	if (now < c->stall_due_ms) {
		loop_timer_arm(f->loop, &c->stall_timer, c->stall_due_ms - now);
		return;
	}
	c->st.stalled++;
	snprintf(why, sizeof(why), "stalled: no byte taken in %u ms, %llu bytes outstanding",
		 f->stall_ms, (unsigned long long)(c->st.bytes - got + collector_pending(c)));
	session_lost(c, why);
}

/* Writes what the socket takes; false when the session was lost. */
static bool coll_write(struct collector *c)
{
	bool moved = false;

	while (collector_pending(c)) {
		ssize_t n = tr_send(c->tls, c->fd, c->out.data + c->head, collector_pending(c));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			session_lost(c, coll_tls_error(c, errno));
			return false;
		}
		collector_take(c, NULL, (size_t)n);
		moved = true;
	}
	if (moved || collector_pending(c))
		watch_stall(c);
	return true;
}

static void coll_kick(struct collector *c)
{
	if (c->state != COLL_UP && c->state != COLL_CLOSING)
		return;
	if (c->feed->batching && c->state == COLL_UP) {
		c->kick_due = true;
		return;
	}
	if (c->fd < 0) {
		collector_pump(c);
		return;
	}
	/* A few rounds at most: a fast local collector must not keep the
	 * netlink reader waiting; EPOLLOUT brings us back. */
	for (int round = 0; round < 4; round++) {
		collector_pump(c);
		if (!coll_write(c))
			return;
		if (collector_pending(c) || !collector_busy(c))
			break;
	}
	if (c->state == COLL_CLOSING && !collector_pending(c)) {
		coll_free(c);
		return;
	}
	bool want_out = collector_pending(c) ||
			(c->state == COLL_UP && collector_busy(c) && !c->pace_timer.armed);
	/* While closing only writability matters (and EOF shows as HUP). */
	if (c->feed->loop)
		loop_fd_mod(c->feed->loop, &c->lfd,
			    (c->state == COLL_UP ? EPOLLIN : 0) | (want_out ? EPOLLOUT : 0));
}

void coll_connect_failed(struct collector *c, const char *why)
{
	snprintf(c->last_error, sizeof(c->last_error), "%s", why);
	loop_fd_del(c->feed->loop, &c->lfd);
	close_fd(c);
	c->state = COLL_BACKOFF;
	loop_timer_arm(c->feed->loop, &c->timer, collector_backoff_ms(c));
}

static void on_connected(struct collector *c)
{
	int err = 0;
	socklen_t l = sizeof(err);
	char why[96];

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l) || err) {
		snprintf(why, sizeof(why), "connect: %s", strerror(err));
		LOG_D(c->feed->log, "collector %s: %s", c->remote, why);
		coll_connect_failed(c, why);
	} else if (c->cfg.tls) {
		coll_tls_start(c);
	} else {
		loop_fd_del(c->feed->loop, &c->lfd);
		c->last_error[0] = 0;
		collector_start(c, c->fd);
	}
}

/* False when the session was lost (c may be freed then). */
static bool on_readable(struct collector *c)
{
	char tmp[4096];

	/* BMP is one-way; a station has nothing to say but EOF.  Whatever it
	 * sends anyway is dropped as read, and a flood costs at most
	 * INPUT_PER_EVENT per wake-up (the rest waits for the next turn). */
	for (size_t got = 0; got < INPUT_PER_EVENT;) {
		ssize_t n = tr_recv(c->tls, c->fd, tmp, sizeof(tmp));

		if (n > 0) {
			c->st.input_bytes += (uint64_t)n;
			got += (size_t)n;
			continue;
		}
		if (n == 0) {
			session_lost(c, "closed by the collector");
			return false;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			session_lost(c, coll_tls_error(c, errno));
			return false;
		}
		return true;
	}
	return true;
}

void coll_event(void *ctx, uint32_t events)
{
	struct collector *c = ctx;

	switch (c->state) {
	case COLL_CONNECTING:
		on_connected(c);
		return;
	case COLL_TLS_HANDSHAKE:
		coll_tls_step(c);
		return;
	case COLL_LISTENING:
		listener_accept(c);
		return;
	case COLL_UP:
		if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && !on_readable(c))
			return;
		coll_kick(c);
		return;
	case COLL_CLOSING:
		if (events & (EPOLLERR | EPOLLHUP)) {
			coll_free(c);
			return;
		}
		coll_kick(c);
		return;
	default:
		return;
	}
}

static void coll_timer(void *ctx)
{
	struct collector *c = ctx;

	if (c->state == COLL_BACKOFF || c->state == COLL_IDLE)
		coll_open(c);
	else if (c->state == COLL_LISTENING)
		listener_resume(c);
	else if (c->state == COLL_CLOSING)
		coll_free(c);	/* the Termination did not drain in time */
	else if (c->state == COLL_TLS_HANDSHAKE)
		coll_tls_timeout(c);
}

void coll_retry(struct collector *c)
{
	c->state = c->cfg.passive ? COLL_IDLE : COLL_BACKOFF;
	loop_timer_arm(c->feed->loop, &c->timer, collector_backoff_ms(c));
}

static void connect_addrs(struct collector *c, struct addrinfo *res)
{
	struct feed *f = c->feed;

	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (fd < 0)
			continue;
		if (sel_socket(&c->cfg, fd, ai->ai_family, c->last_error, sizeof(c->last_error))) {
			close(fd);
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) && errno != EINPROGRESS) {
			snprintf(c->last_error, sizeof(c->last_error), "connect: %s",
				 strerror(errno));
			close(fd);
			continue;
		}
		/* Completion (or failure) shows as writability either way. */
		c->fd = fd;
		c->state = COLL_CONNECTING;
		if (loop_fd_add(f->loop, &c->lfd, fd, EPOLLOUT, coll_event, c)) {
			close(fd);
			c->fd = -1;
			continue;
		}
		return;
	}
	LOG_D(f->log, "collector %s: %s", c->remote, c->last_error);
	coll_retry(c);
}

static void coll_resolved(void *ctx, struct addrinfo *res, const char *error)
{
	struct collector *c = ctx;

	c->rq = NULL;
	if (!res) {
		c->st.resolve_failures++;
		snprintf(c->last_error, sizeof(c->last_error), "resolve: %s", error);
		LOG_W(c->feed->log, "collector %s: %s", c->remote, c->last_error);
		coll_retry(c);
		return;
	}
	if (c->cfg.passive)
		listener_listen(c, res);
	else
		connect_addrs(c, res);
	freeaddrinfo(res);
}

/* Connects or listens: at once for a numeric address (that never blocks),
 * after a lookup off the loop for a host name. */
static void coll_open(struct collector *c)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | (c->cfg.passive ? AI_PASSIVE : 0),
	};
	const char *host = c->cfg.address[0] ? c->cfg.address : NULL;
	struct addrinfo *res = NULL;
	char port[8];
	int err;

	snprintf(port, sizeof(port), "%u", c->cfg.port ? c->cfg.port : BT_BMP_PORT);
	err = getaddrinfo(host, port, &hints, &res);
	if (!err) {
		coll_resolved(c, res, NULL);
		return;
	}
	if (err == EAI_NONAME && host) {
		hints.ai_flags &= ~AI_NUMERICHOST;
		c->rq = resolve_start(c->feed->loop, host, port, &hints, RESOLVE_TIMEOUT_MS,
				      coll_resolved, c);
		if (c->rq) {
			c->state = COLL_RESOLVING;
			return;
		}
		coll_resolved(c, NULL, "too many lookups in flight");
		return;
	}
	coll_resolved(c, NULL, gai_strerror(err));
}

struct collector *coll_new(struct feed *f, const struct bt_server_cfg *cfg)
{
	struct collector *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->feed = f;
	c->cfg = *cfg;
	c->fd = -1;
	c->limit = f->limit;
	c->policy = cfg->have & BT_SRV_POLICY ? cfg->policy : BMPTAP_POLICY_PRE;
	c->backoff_s = COLL_BACKOFF_MIN_S;
	buf_init(&c->out);
	loop_timer_init(&c->timer, coll_timer, c);
	loop_timer_init(&c->stats_timer, coll_stats_timer, c);
	loop_timer_init(&c->stall_timer, coll_stall_timer, c);
	sel_pace_init(c);
	snprintf(c->remote, sizeof(c->remote), "%s%s%s port %u", cfg->passive ? "listener " : "",
		 cfg->address, "", cfg->port ? cfg->port : BT_BMP_PORT);
	/* Append: the order of Peer Up work does not depend on it, but the
	 * status lists servers in the order they were configured. */
	struct collector **pp = &f->head;
	while (*pp)
		pp = &(*pp)->next;
	*pp = c;
	return c;
}

/* ---- feed ------------------------------------------------------------------ */

int feed_init(struct feed *f, struct loop *loop, const struct bt_log *log,
	      struct peers *peers, size_t limit)
{
	struct timespec ts;

	memset(f, 0, sizeof(*f));
	f->loop = loop;
	f->log = log;
	f->peers = peers;
	f->limit = limit ? limit : FEED_DEFAULT_LIMIT;
	f->listen_max = FEED_DEFAULT_LISTEN_MAX;
	f->listen_max_per_source = FEED_DEFAULT_LISTEN_PER_SOURCE;
	f->stall_ms = FEED_DEFAULT_STALL_MS;
	f->dirty_max = FEED_DEFAULT_DIRTY_MAX;
	clock_gettime(CLOCK_REALTIME, &ts);
	f->rnd = (uint64_t)ts.tv_nsec ^ (uint64_t)getpid() << 32 ^ 0x9e3779b97f4a7c15ull;
	if (gethostname(f->hostname, sizeof(f->hostname) - 1))
		snprintf(f->hostname, sizeof(f->hostname), "bmptap");
	buf_init(&f->scratch);
	buf_init(&f->upd);
	buf_init(&f->live);
	f->batch = malloc(REPLAY_BATCH * sizeof(*f->batch));
	f->sorted = malloc(REPLAY_BATCH * sizeof(*f->sorted));
	f->ids = malloc(REPLAY_BATCH * sizeof(*f->ids));
	f->sorted_ids = malloc(REPLAY_BATCH * sizeof(*f->sorted_ids));
	f->keys = malloc(REPLAY_BATCH * sizeof(*f->keys));
	f->post_pfx = malloc(REPLAY_BATCH * sizeof(*f->post_pfx));
	f->post_ids = malloc(REPLAY_BATCH * sizeof(*f->post_ids));
	if (!f->batch || !f->sorted || !f->ids || !f->sorted_ids || !f->keys || !f->post_pfx ||
	    !f->post_ids)
		return -ENOMEM;
	return 0;
}

static void coll_free(struct collector *c)
{
	struct feed *f = c->feed;

	/* An accepted session's counters go with it: its listener's add
	 * them up, so that a stalled station is still counted afterwards. */
	if (c->accepted && c->parent) {
		c->parent->st.stalled += c->st.stalled;
		c->parent->st.dirty_overflows += c->st.dirty_overflows;
		c->parent->st.kicked += c->st.kicked;
		c->parent->st.input_bytes += c->st.input_bytes;
	}
	/* An accepted session must not outlive its listener's pointer. */
	for (struct collector *o = f->head; o; o = o->next)
		if (o->parent == c)
			o->parent = NULL;
	for (struct collector **pp = &f->head; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	resolve_cancel(c->rq);
	if (f->loop) {
		loop_fd_del(f->loop, &c->lfd);
		loop_timer_cancel(f->loop, &c->timer);
		loop_timer_cancel(f->loop, &c->stats_timer);
		loop_timer_cancel(f->loop, &c->stall_timer);
	}
	sel_pace_reset(c);
	close_fd(c);
	cp_del_all(c);
	free(c->cph);
	buf_free(&c->out);
	free(c);
}

void feed_free(struct feed *f)
{
	while (f->head)
		coll_free(f->head);
	buf_free(&f->scratch);
	buf_free(&f->upd);
	buf_free(&f->live);
	free(f->batch);
	free(f->sorted);
	free(f->ids);
	free(f->sorted_ids);
	free(f->keys);
	free(f->post_pfx);
	free(f->post_ids);
}

void feed_filters_changed(struct feed *f)
{
	for (struct collector *c = f->head, *n; c; c = n) {
		n = c->next;
		if (c->state != COLL_UP || !(c->policy & BMPTAP_POLICY_POST))
			continue;
		/* Every route's post-policy verdict may have changed: replay,
		 * withdrawing what is rejected now. */
		for (struct cpeer *cp = c->cp_head; cp; cp = cp->next) {
			if (cp->p->locrib)
				continue;
			cp_start_replay(cp);
			cp->replay_wd = true;
		}
		coll_kick(c);
	}
}

struct collector *feed_add(struct feed *f, const struct bt_server_cfg *cfg)
{
	struct collector *c = coll_new(f, cfg);

	if (!c)
		return NULL;
	LOG_I(f->log, "collector %s: added", c->remote);
	if (!f->loop)
		return c;
	coll_open(c);
	return c;
}

static void terminate(struct collector *c, uint16_t reason)
{
	struct feed *f = c->feed;

	if (c->state != COLL_UP) {
		coll_free(c);
		return;
	}
	/* The Loc-RIB instance is no longer monitored by it: RFC 9069 5.4
	 * wants its Peer Down (the peers' end with the session, RFC 7854 4.5). */
	struct peer *lr = f->peers ? f->peers->locrib : NULL;
	if (lr && collector_cpeer(c, lr->flow_id)) {
		buf_reset(&f->scratch);
		peer_encode_down(lr, &f->scratch);
		out_put(c, f->scratch.data, f->scratch.len);
	}
	/* Nothing more for it but the Termination. */
	cp_del_all(c);
	buf_reset(&f->scratch);
	bmp_termination(&f->scratch, reason, NULL);
	out_put(c, f->scratch.data, f->scratch.len);
	c->state = COLL_CLOSING;
	if (f->loop)
		loop_timer_arm(f->loop, &c->timer, CLOSE_WAIT_MS);
	coll_kick(c);	/* may free c */
}

void feed_remove(struct feed *f, struct collector *c, uint16_t reason)
{
	LOG_I(f->log, "collector %s: removed", c->remote);
	/* A listener takes its accepted sessions with it. */
	for (struct collector *o = f->head, *n; o; o = n) {
		n = o->next;
		if (o->parent == c) {
			o->parent = NULL;
			terminate(o, reason);
			n = f->head;	/* the list changed under us; restart */
		}
	}
	terminate(c, reason);
}

static bool same_server(const struct bt_server_cfg *a, const struct bt_server_cfg *b)
{
	uint16_t pa = a->port ? a->port : BT_BMP_PORT, pb = b->port ? b->port : BT_BMP_PORT;

	return !strcmp(a->address, b->address) && pa == pb;
}

void feed_apply(struct feed *f, const struct bt_server_list *l)
{
	bool keep[BMPTAP_MAX_SERVERS * 2] = { false };
	size_t n = l->n < BMPTAP_MAX_SERVERS * 2 ? l->n : BMPTAP_MAX_SERVERS * 2;

	/* Removed or changed servers go first (Termination, close). */
restart:
	for (struct collector *c = f->head; c; c = c->next) {
		if (c->accepted || c->state == COLL_CLOSING)
			continue;
		size_t i;
		for (i = 0; i < n; i++)
			if (same_server(&c->cfg, &l->v[i]))
				break;
		if (i < n && bt_config_server_equal(&c->cfg, &l->v[i])) {
			keep[i] = true;
			continue;
		}
		LOG_I(f->log, "collector %s: %s", c->remote, i < n ? "config changed" : "deleted");
		feed_remove(f, c, BMP_TERM_PERM_ADMIN_CLOSE);
		goto restart;
	}
	for (size_t i = 0; i < n; i++)
		if (!keep[i])
			feed_add(f, &l->v[i]);
}

bool feed_shutdown(struct feed *f, uint16_t reason, int wait_ms)
{
	for (struct collector *c = f->head, *n; c; c = n) {
		n = c->next;
		if (c->state == COLL_UP) {
			terminate(c, reason);
			n = f->head;
		} else if (c->state != COLL_CLOSING) {
			coll_free(c);
			n = f->head;
		}
	}
	uint64_t end = loop_now_ms() + (uint64_t)wait_ms;
	while (f->head && f->loop && loop_now_ms() < end)
		loop_run_once(f->loop, 50);
	return !f->head;
}

static void collector_status_json(const struct collector *c, struct bt_json *j)
{
	size_t dirty = 0;
	unsigned live = 0, peers = 0;

	for (const struct cpeer *cp = c->cp_head; cp; cp = cp->next) {
		dirty += cp->dirty.count + cp->flushing.count;
		live += cp->live;
		peers++;
	}
	bt_json_obj_open(j);
	bt_json_kv_str(j, "address", c->cfg.address);
	bt_json_kv_u64(j, "port", c->cfg.port ? c->cfg.port : BT_BMP_PORT);
	bt_json_kv_bool(j, "passive", c->cfg.passive);
	if (c->accepted)
		bt_json_kv_str(j, "session", c->remote);
	bt_json_key(j, "policy");
	bt_json_arr_open(j);
	if (c->policy & BMPTAP_POLICY_PRE)
		bt_json_str(j, "pre");
	if (c->policy & BMPTAP_POLICY_POST)
		bt_json_str(j, "post");
	if (c->policy & BMPTAP_POLICY_LOCAL_RIB)
		bt_json_str(j, "local-rib");
	if (c->policy & BMPTAP_POLICY_ADJ_OUT)
		bt_json_str(j, "adj-rib-out");
	bt_json_arr_close(j);
	bt_json_kv_bool(j, "mirroring", c->cfg.mirroring);
	bt_json_kv_str(j, "state", collector_state_name(c->state));
	bt_json_kv_bool(j, "lagging", c->lagging);
	bt_json_kv_u64(j, "peers", peers);
	bt_json_kv_u64(j, "peers_live", live);
	bt_json_kv_u64(j, "messages", c->st.msgs);
	bt_json_kv_u64(j, "bytes", c->st.bytes);
	bt_json_kv_u64(j, "sessions", c->st.sessions);
	bt_json_kv_u64(j, "reconnects", c->st.reconnects);
	bt_json_kv_u64(j, "resolve_failures", c->st.resolve_failures);
	bt_json_kv_u64(j, "resyncs", c->st.resyncs);
	bt_json_kv_u64(j, "coalesced", c->st.coalesced);
	bt_json_kv_u64(j, "dirty", dirty);
	bt_json_kv_u64(j, "lost_mirrors", c->st.lost_mirrors);
	bt_json_kv_u64(j, "encode_errors", c->st.encode_errors);
	bt_json_kv_u64(j, "disconnected_stuck", c->st.kicked);
	bt_json_kv_u64(j, "disconnected_stalled", c->st.stalled);
	bt_json_kv_u64(j, "dirty_overflows", c->st.dirty_overflows);
	bt_json_kv_u64(j, "input_bytes", c->st.input_bytes);
	bt_json_kv_bool(j, "tls", c->cfg.tls);
	bt_json_kv_u64(j, "tls_failures", c->st.tls_failures);
	if (c->cfg.passive && !c->accepted) {
		bt_json_key(j, "refused");
		bt_json_obj_open(j);
		for (int r = 0; r < LISTEN_REF_MAX; r++)
			bt_json_kv_u64(j, listen_refusal_name(r), c->st.refused[r]);
		bt_json_obj_close(j);
	}
	bt_json_kv_u64(j, "queue_bytes", collector_pending(c));
	bt_json_kv_u64(j, "queue_limit", c->limit);
	if (c->last_error[0])
		bt_json_kv_str(j, "last_error", c->last_error);
	bt_json_obj_close(j);
}

size_t feed_status_json(const struct feed *f, struct bt_json *j)
{
	size_t n = 0;

	bt_json_arr_open(j);
	/* Configured servers first, then the sessions accepted on them. */
	for (int accepted = 0; accepted < 2; accepted++)
		for (const struct collector *c = f->head; c; c = c->next) {
			if (c->accepted != accepted)
				continue;
			collector_status_json(c, j);
			n++;
		}
	bt_json_arr_close(j);
	return n;
}
