// SPDX-License-Identifier: GPL-2.0
/*
 * Per-flow BGP state from observed records.  See peer.h for the model; the
 * comments here say why each record is handled the way it is.
 */
#include "peer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <time.h>

#include "locrib.h"
#include "log.h"
#include "model.h"
#include "refresh.h"

/* ---- table -------------------------------------------------------------- */

static uint32_t bucket(const struct peers *ps, uint64_t id)
{
	return (((uint32_t)id ^ (uint32_t)(id >> 32)) * 2654435761u) & (ps->n_buckets - 1);
}

int peers_init(struct peers *ps, const struct peers_cfg *cfg, const struct bt_log *log)
{
	memset(ps, 0, sizeof(*ps));
	attr_table_init(&ps->attrs);
	buf_init(&ps->fchg);
	buf_init(&ps->fchg_ok);
	ps->fr_eor = -1;
	ps->n_buckets = 256;
	ps->buckets = calloc(ps->n_buckets, sizeof(*ps->buckets));
	if (!ps->buckets)
		return -ENOMEM;
	if (cfg) {
		ps->sink = cfg->sink;
		ps->locrib_src = cfg->locrib_src;
		ps->kroutes = cfg->kroutes;
		ps->vrf_rds = cfg->vrf_rds;
		peers_set_budgets(ps, cfg->peer_mem_max, cfg->mem_max);
	}
	ps->log = log;
	return 0;
}

static void peer_destroy(struct peer *p)
{
	rib_free(&p->rib);
	rib_free(&p->rib_out);
	famrib_free(&p->fr);
	famrib_free(&p->fr_out);
	budget_put(p->mem);
	free(p->open[0]);
	free(p->open[1]);
	free(p->notif);
	if (p->ms)
		ms_free(p->ms);
	free(p->ms);
	free(p);
}

void peers_free(struct peers *ps)
{
	struct peer *p = ps->head, *n;

	for (; p; p = n) {
		n = p->next;
		peer_destroy(p);
	}
	if (ps->locrib)
		peer_destroy(ps->locrib);
	free(ps->buckets);
	free(ps->chg);
	free(ps->chg_ok);
	free(ps->lchg);
	buf_free(&ps->fchg);
	buf_free(&ps->fchg_ok);
	attr_table_free(&ps->attrs);
	memset(ps, 0, sizeof(*ps));
}

void peers_set_budgets(struct peers *ps, uint64_t peer_max, uint64_t total_max)
{
	ps->peer_mem_max = peer_max;
	ps->mem_total.max = total_max;
}

struct peer *peers_find(const struct peers *ps, uint64_t flow_id)
{
	struct peer *p = ps->buckets[bucket(ps, flow_id)];

	while (p && p->flow_id != flow_id)
		p = p->hnext;
	return p;
}

static void rehash(struct peers *ps)
{
	uint32_t nb = ps->n_buckets * 2;
	struct peer **b = calloc(nb, sizeof(*b));

	if (!b)
		return;		/* longer chains, still correct */
	free(ps->buckets);
	ps->buckets = b;
	ps->n_buckets = nb;
	for (struct peer *p = ps->head; p; p = p->next) {
		uint32_t i = bucket(ps, p->flow_id);

		p->hnext = b[i];
		b[i] = p;
	}
}

struct peer *peer_new(struct peers *ps, uint64_t flow_id)
{
	struct peer *p = calloc(1, sizeof(*p));

	if (!p) {
		LOG_E(ps->log, "flow %" PRIu64 ": out of memory", flow_id);
		return NULL;
	}
	p->flow_id = flow_id;
	p->notif_dir = -1;
	p->mem = budget_new(&ps->mem_total, ps->peer_mem_max);
	if (!p->mem) {
		LOG_E(ps->log, "flow %" PRIu64 ": out of memory", flow_id);
		free(p);
		return NULL;
	}
	rib_init(&p->rib, &ps->attrs);
	rib_init(&p->rib_out, &ps->attrs);
	p->rib.bud = p->rib_out.bud = p->mem;
	famrib_init(&p->fr, &ps->attrs, p->mem);
	famrib_init(&p->fr_out, &ps->attrs, p->mem);
	if (ps->count + 1 > ps->n_buckets)
		rehash(ps);
	uint32_t i = bucket(ps, flow_id);
	p->hnext = ps->buckets[i];
	ps->buckets[i] = p;
	p->prev = ps->tail;
	if (ps->tail)
		ps->tail->next = p;
	else
		ps->head = p;
	ps->tail = p;
	ps->count++;
	return p;
}

void peer_counters_add(struct peer_counters *to, const struct peer_counters *from)
{
	/* Every member is a uint64_t counter (or an array of them). */
	_Static_assert(sizeof(*to) % sizeof(uint64_t) == 0, "peer_counters: uint64_t only");
	uint64_t *t = (uint64_t *)to;
	const uint64_t *f = (const uint64_t *)from;

	for (size_t i = 0; i < sizeof(*to) / sizeof(uint64_t); i++)
		t[i] += f[i];
}

static void peer_del(struct peers *ps, struct peer *p)
{
	struct peer **pp = &ps->buckets[bucket(ps, p->flow_id)];

	while (*pp && *pp != p)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = p->hnext;
	if (p->prev)
		p->prev->next = p->next;
	else
		ps->head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		ps->tail = p->prev;
	ps->count--;
	if (!p->locrib)
		peer_counters_add(&ps->ended, &p->cnt);
	peer_destroy(p);
}

/* ---- session state -------------------------------------------------------- */

static uint64_t mono_now(void);
static void on_change(void *ctx, const struct bgp_prefix *pfx, uint32_t old, uint32_t new);

const char *peer_state_name(enum peer_state s)
{
	switch (s) {
	case PEER_PENDING: return "pending";
	case PEER_OPENCONFIRM: return "openconfirm";
	case PEER_ESTABLISHED: return "established";
	case PEER_DOWN: return "down";
	}
	return "?";
}

/*
 * Routers disagree on duplicate capabilities (Documentation/interop.md,
 * "Decoding differential"): a family whose path ids depend on the reading
 * is not decoded at all, rather than maybe read as prefixes.  Its routes
 * stay out of every RIB view and the collectors are told the peer is
 * incomplete.  A disputed peer AS only labels the peer: the last one is
 * reported, as BIRD reads it, and the dispute shown.
 */
static void peer_short(struct peers *ps, struct peer *p, uint64_t ts, const char *why);

static void refuse_ambiguous(struct peers *ps, struct peer *p)
{
	for (int f = 0; f < BGP_FAM_MAX; f++) {
		if (!p->sess.ambiguous[f] || !p->sess.af[f])
			continue;
		p->rib.disabled[f] = p->rib_out.disabled[f] = true;
		p->cnt.ambiguous_families++;
		peer_short(ps, p, 0, "duplicate ADD-PATH tuples routers read differently: "
			   "the family is not decoded");
	}
	for (unsigned k = 0; k < p->sess.n_addpath_more; k++) {
		if (!(p->sess.addpath_more[k].flags & BGP_ADDPATH_AMBIGUOUS))
			continue;
		p->cnt.ambiguous_families++;
		peer_short(ps, p, 0, "duplicate ADD-PATH tuples routers read differently: "
			   "the family is not decoded");
	}
	if (p->op[BMPTAP_DIR_RX].as_conflict)
		LOG_W(ps->log, "flow %" PRIu64 ": the peer's OPEN has 4-octet AS capabilities with "
		      "different ASes: FRR takes the first, BIRD and bmptapd the last (%u)",
		      p->flow_id, p->op[BMPTAP_DIR_RX].as);
}

/* Both OPENs parsed and the addresses known: a Peer Up can be built. */
static void check_opens(struct peers *ps, struct peer *p)
{
	if (p->state != PEER_PENDING || !p->have_info ||
	    !p->open_ok[BMPTAP_DIR_RX] || !p->open_ok[BMPTAP_DIR_TX])
		return;
	bgp_negotiate(&p->op[BMPTAP_DIR_TX], &p->op[BMPTAP_DIR_RX], &p->sess);
	p->state = PEER_OPENCONFIRM;
	p->fr_addpath = famrib_session(&p->fr, &p->sess, false);
	p->fr_out_addpath = famrib_session(&p->fr_out, &p->sess, true);
	refuse_ambiguous(ps, p);
	/* Real OPENs after all: UPDATEs held for detection came before them. */
	if (p->ms) {
		if (p->ms->n_held)
			peer_mark_incomplete(p);
		p->cnt.ignored += p->ms->n_held;
		ms_free(p->ms);
		free(p->ms);
		p->ms = NULL;
	}
	LOG_D(ps->log, "flow %" PRIu64 ": both OPENs seen (peer AS %u, as4 %d)", p->flow_id,
	      p->op[BMPTAP_DIR_RX].as, p->sess.rx.as4);
}

static void set_open(struct peers *ps, struct peer *p, int dir, const uint8_t *msg, size_t len)
{
	/*
	 * One TCP flow carries one BGP session, so one OPEN per direction.
	 * The same OPEN can reach us twice (flow dump, then the still queued
	 * record): the first copy is kept.
	 */
	if (p->open[dir])
		return;
	p->open[dir] = malloc(len);
	if (!p->open[dir])
		return;
	memcpy(p->open[dir], msg, len);
	p->open_len[dir] = len;
	int err = bgp_open_parse(msg, len, &p->op[dir]);
	p->open_ok[dir] = err == 0;
	if (err)
		LOG_W(ps->log, "flow %" PRIu64 ": unusable %s OPEN (error %d/%d): no Peer Up", p->flow_id,
		      bt_dir_name((unsigned)dir), err >> 8, err & 0xff);
	check_opens(ps, p);
}

/* Sends the Loc-RIB changes collected in ps->lchg. */
static void flush_locrib(struct peers *ps, uint64_t ts)
{
	if (ps->n_lchg && ps->locrib && ps->sink.update_out)
		ps->sink.update_out(ps->sink.ctx, ps->locrib, NULL, 0, ts, ps->lchg, ps->n_lchg, -1);
	ps->n_lchg = 0;
}

/*
 * The Loc-RIB instance starts with the first established session: only
 * then are the local AS and BGP ID known (from the OPEN the daemon sent).
 */
static void locrib_start(struct peers *ps, const struct peer *first, uint64_t ts_ns)
{
	struct peer *lr = calloc(1, sizeof(*lr));
	uint8_t open[64];
	size_t len;

	if (!lr)
		return;
	lr->locrib = true;
	lr->notif_dir = -1;
	rib_init(&lr->rib, &ps->attrs);
	rib_init(&lr->rib_out, &ps->attrs);
	lr->op[BMPTAP_DIR_TX] = first->op[BMPTAP_DIR_TX];
	lr->op[BMPTAP_DIR_RX] = first->op[BMPTAP_DIR_TX];
	len = locrib_open(open, sizeof(open), first->op[BMPTAP_DIR_TX].as,
			  first->op[BMPTAP_DIR_TX].bgp_id);
	for (int d = 0; d < 2; d++) {
		lr->open[d] = malloc(len);
		if (lr->open[d]) {
			memcpy(lr->open[d], open, len);
			lr->open_len[d] = len;
			lr->open_ok[d] = true;
		}
	}
	/* Routes are encoded from the Loc-RIB: 4-octet ASes, no path ids,
	 * extended messages (its OPEN says so, locrib_open()). */
	lr->sess.rx.as4 = lr->sess.tx.as4 = true;
	lr->sess.rx.ext_msg = lr->sess.tx.ext_msg = true;
	for (int f = 0; f < BGP_FAM_MAX; f++)
		lr->sess.af[f] = true;
	lr->have_info = true;
	lr->state = PEER_ESTABLISHED;
	lr->up_ts_ns = ts_ns;
	lr->up_mono_ms = mono_now();
	/* No sink.up of its own: the collectors add it with the first peer's. */
	ps->locrib = lr;
}

static void go_up(struct peers *ps, struct peer *p, uint64_t ts_ns, uint64_t mono_ms)
{
	if (p->state != PEER_OPENCONFIRM)
		return;
	p->state = PEER_ESTABLISHED;
	p->up_ts_ns = ts_ns;
	p->up_mono_ms = mono_ms;
	LOG_I(ps->log, "flow %" PRIu64 ": session established (peer AS %u)", p->flow_id,
	      p->op[BMPTAP_DIR_RX].as);
	if (!ps->locrib)
		locrib_start(ps, p, ts_ns);
	if (ps->sink.up)
		ps->sink.up(ps->sink.ctx, p);
	/* Mirroring: the peer's OPEN came before there was a peer to mirror
	 * it for; it goes right after the Peer Up, with its own timestamp.
	 * A synthesized one was never received: not mirrored. */
	if (p->open[BMPTAP_DIR_RX] && !p->ms && ps->sink.message)
		ps->sink.message(ps->sink.ctx, p, p->open[BMPTAP_DIR_RX],
				 p->open_len[BMPTAP_DIR_RX], p->open_rx_ts);
	/* A session whose start was lost: say so right after its Peer Up. */
	if (p->incomplete && ps->sink.lost)
		ps->sink.lost(ps->sink.ctx, p, ts_ns);
}

static void go_down(struct peers *ps, struct peer *p, uint8_t reason, uint64_t ts_ns)
{
	if (p->state != PEER_ESTABLISHED) {
		/* Never announced: nothing to take back.  Dead all the same. */
		p->state = PEER_DOWN;
		return;
	}
	p->state = PEER_DOWN;
	p->down_reason = reason;
	p->down_ts_ns = ts_ns;
	LOG_I(ps->log, "flow %" PRIu64 ": session down (BMP reason %u)", p->flow_id, reason);
	if (ps->sink.down)
		ps->sink.down(ps->sink.ctx, p);
	/* The session's routes are gone with it, and from the Loc-RIB. */
	ps->cur = NULL;
	ps->n_chg = 0;
	rib_reset(&p->rib, on_change, ps);
	rib_reset(&p->rib_out, NULL, NULL);
	famrib_reset(&p->fr, NULL, NULL);
	famrib_reset(&p->fr_out, NULL, NULL);
	memset(p->post_count, 0, sizeof(p->post_count));
	memset(p->filtered_count, 0, sizeof(p->filtered_count));
	for (size_t i = 0; i < ps->n_chg; i++)
		locrib_recompute(ps, &ps->chg[i], NULL);
	ps->n_chg = 0;
	flush_locrib(ps, ts_ns);
}

static uint64_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

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
static void on_change(void *ctx, const struct bgp_prefix *pfx, uint32_t old, uint32_t new)
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

static void count_errors(struct peers *ps, struct peer *p, const struct bgp_update *u)
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
static void peer_short(struct peers *ps, struct peer *p, uint64_t ts, const char *why)
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

/* Changes ps->chg of p's Adj-RIB-In: the Loc-RIB follows, counted. */
static void rx_account(struct peers *ps, struct peer *p, uint64_t ts)
{
	for (size_t i = 0; i < ps->n_chg; i++)
		if (ps->chg_ok[i])
			locrib_prefetch(ps, &ps->chg[i]);
	for (size_t i = 0; i < ps->n_chg; i++)
		if (ps->chg_ok[i])
			locrib_recompute(ps, &ps->chg[i], p);
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
 * post-policy verdicts as on_change() takes them.  Prefix filters are
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

static void rx_update(struct peers *ps, struct peer *p, const uint8_t *msg, size_t len,
		      uint64_t ts)
{
	struct bgp_update u;
	int fr_eor;

	bgp_update_parse(msg, len, &p->sess.rx, &u);
	p->cnt.updates++;
	count_errors(ps, p, &u);
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
	rib_short(ps, p, &p->rib.refused, rib_apply(&p->rib, &u, on_change, ps), ts);
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
	flush_locrib(ps, ts);
	if (u.eor >= 0)
		refresh_eor(ps, p, BMPTAP_DIR_RX, u.eor, ts);
}

/* An UPDATE the local daemon sent: the post-policy Adj-RIB-Out. */
static void tx_update(struct peers *ps, struct peer *p, const uint8_t *msg, size_t len,
		      uint64_t ts)
{
	struct bgp_update u;

	bgp_update_parse(msg, len, &p->sess.tx, &u);
	p->cnt.updates_out++;
	ps->n_chg = 0;
	ps->chg_nomem = false;
	fchg_reset(ps);
	ps->cur = NULL;
	rib_short(ps, p, &p->rib_out.refused, rib_apply(&p->rib_out, &u, on_change, ps), ts);
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
	p->cnt.refresh_withdrawn += rib_refresh_end(r, fam, on_change, ps);
	ps->cur = NULL;
	if (dir != BMPTAP_DIR_RX) {
		if (ps->sink.update_out)
			ps->sink.update_out(ps->sink.ctx, p, NULL, 0, ts, ps->chg, ps->n_chg, fam);
		return;
	}
	rx_account(ps, p, ts);
	if (ps->sink.update)
		ps->sink.update(ps->sink.ctx, p, NULL, 0, ts, ps->chg, ps->n_chg, fam);
	flush_locrib(ps, ts);
}

static void on_msg(struct peers *ps, struct peer *p, const struct bt_rec *rec);

/* Peer Up from the detected encoding, then the held UPDATEs in order. */
static void midstream_up(struct peers *ps, struct peer *p, uint64_t ts)
{
	struct ms_msg *h, *next;
	uint32_t as[2];

	ms_session(p->ms, &p->sess);
	for (int d = 0; d < 2; d++) {
		as[d] = ms_sender_as(p->ms, d, d == BMPTAP_DIR_RX ? &p->sess.rx : &p->sess.tx);
		/* One real OPEN may have come since the pickup (the other
		 * never did): the synthesized pair replaces it. */
		free(p->open[d]);
		p->open[d] = NULL;
		p->open_len[d] = 0;
	}
	if (!ms_opens(p->ms, &p->sess, as[BMPTAP_DIR_RX], as[BMPTAP_DIR_TX], p->open,
		      p->open_len)) {
		LOG_E(ps->log, "flow %" PRIu64 ": out of memory", p->flow_id);
		return;
	}
	for (int d = 0; d < 2; d++) {
		memset(&p->op[d], 0, sizeof(p->op[d]));
		p->op[d].version = 4;
		p->op[d].as = as[d];
		p->op[d].as4 = p->sess.rx.as4;
		p->open_ok[d] = true;
	}
	p->state = PEER_OPENCONFIRM;
	peer_mark_incomplete(p);	/* routes announced before the pickup */
	LOG_I(ps->log, "flow %" PRIu64 ": mid-stream session decoded: %s-octet AS, peer AS %u, "
	      "ADD-PATH rx ipv4 %d ipv6 %d; OPENs synthesized", p->flow_id,
	      p->sess.rx.as4 ? "4" : "2", as[BMPTAP_DIR_RX], p->sess.rx.addpath[BGP_FAM_IPV4],
	      p->sess.rx.addpath[BGP_FAM_IPV6]);
	go_up(ps, p, ts, mono_now());
	for (h = ms_take(p->ms); h; h = next) {
		struct bt_rec r = { .kind = BT_RK_RECORD };

		next = h->next;
		r.hdr.type = BMPTAP_REC_MSG;
		r.hdr.dir = h->dir;
		r.hdr.flow_id = p->flow_id;
		r.hdr.ts_ns = h->ts_ns;
		r.payload = h->data;
		r.payload_len = h->len;
		on_msg(ps, p, &r);
		free(h);
	}
}

/*
 * A flow picked up mid-stream (midstream.h): its UPDATEs wait for the
 * encoding to be detected; afterwards those not decodable as announced
 * are left out and counted.  True when the message was taken here.
 */
static bool midstream_msg(struct peers *ps, struct peer *p, const struct bt_rec *rec)
{
	const uint8_t *msg = rec->payload;
	size_t len = rec->payload_len;
	int dir = rec->hdr.dir;

	if (len < BGP_HDR_LEN)
		return false;
	/* A refresh's demarcation (refresh.h) goes in order with its routes. */
	bool held_type = msg[18] == BGP_UPDATE || msg[18] == BGP_ROUTE_REFRESH;

	if (!p->ms) {
		if (p->state != PEER_PENDING || !held_type || !p->have_info ||
		    !(p->info.flags & BMPTAP_FLOWF_MIDSTREAM) || p->open[0] || p->open[1])
			return false;
		p->ms = malloc(sizeof(*p->ms));
		if (!p->ms)
			return false;
		ms_init(p->ms);
	}
	if (p->state == PEER_ESTABLISHED) {
		if (msg[18] != BGP_UPDATE || ms_deliverable(p->ms, dir, msg, len))
			return false;
		p->cnt.msgs[dir]++;
		p->cnt.ignored++;
		LOG_W(ps->log, "flow %" PRIu64 ": %s UPDATE of a family undecided at Peer Up not "
		      "decodable as announced: left out", p->flow_id, bt_dir_name((unsigned)dir));
		/* Only what the peer sent feeds the Adj-RIB-In. */
		if (dir == BMPTAP_DIR_RX) {
			peer_mark_incomplete(p);
			if (ps->sink.lost)
				ps->sink.lost(ps->sink.ctx, p, rec->hdr.ts_ns);
		}
		return true;
	}
	if (p->state != PEER_PENDING || !held_type)
		return false;
	if (msg[18] == BGP_UPDATE)
		ms_learn(p->ms, dir, msg, len);
	if (!ms_hold(p->ms, dir, msg, len, rec->hdr.ts_ns)) {
		p->cnt.msgs[dir]++;
		p->cnt.ignored++;
		if (dir == BMPTAP_DIR_RX)
			peer_mark_incomplete(p);
	}
	if (ms_ready(p->ms))
		midstream_up(ps, p, rec->hdr.ts_ns);
	return true;
}

static void on_msg(struct peers *ps, struct peer *p, const struct bt_rec *rec)
{
	const uint8_t *msg = rec->payload;
	size_t len = rec->payload_len;
	int dir = rec->hdr.dir;
	uint64_t ts = rec->hdr.ts_ns;

	/* The module frames one whole message per record.  One whose header
	 * says another length (a damaged --records file) would be copied
	 * into Peer Up and Route Monitoring messages collectors misparse. */
	if (len < BGP_HDR_LEN || ((size_t)msg[16] << 8 | msg[17]) != len) {
		p->cnt.msgs[dir]++;
		p->cnt.ignored++;
		return;
	}
	if ((p->ms || p->state == PEER_PENDING) && midstream_msg(ps, p, rec))
		return;
	p->cnt.msgs[dir]++;
	switch (msg[18]) {
	case BGP_OPEN:
		if (dir == BMPTAP_DIR_RX && !p->open[dir])
			p->open_rx_ts = ts;
		set_open(ps, p, dir, msg, len);
		return;
	case BGP_NOTIFICATION:
		if (p->notif_dir < 0) {
			p->notif = malloc(len);
			if (p->notif) {
				memcpy(p->notif, msg, len);
				p->notif_len = len;
				p->notif_dir = dir;
			}
		}
		if (p->state == PEER_ESTABLISHED && ps->sink.message && dir == BMPTAP_DIR_RX)
			ps->sink.message(ps->sink.ctx, p, msg, len, ts);
		/* A NOTIFICATION ends the BGP session; the TCP close follows. */
		go_down(ps, p, dir == BMPTAP_DIR_TX ? BMP_DOWN_LOCAL_NOTIFY :
			BMP_DOWN_REMOTE_NOTIFY, ts);
		return;
	case BGP_KEEPALIVE:
	case BGP_UPDATE:
		/*
		 * RFC 4271 8.2.2: a speaker sends a KEEPALIVE on accepting the
		 * other's OPEN and goes Established on the other's KEEPALIVE.
		 * So the monitored router is Established once KEEPALIVEs went
		 * both ways; one alone proves nothing, whichever side refuses
		 * the other's OPEN (NOTIFICATION Bad Peer AS, ...), and a peer
		 * sends its KEEPALIVE before it hears the router's verdict.
		 * An UPDATE from either side is sent only when Established,
		 * and so is any KEEPALIVE of a session picked up mid-stream.
		 */
		if (msg[18] == BGP_KEEPALIVE)
			p->keepalive[dir] = true;
		if ((p->keepalive[BMPTAP_DIR_RX] && p->keepalive[BMPTAP_DIR_TX]) ||
		    msg[18] == BGP_UPDATE || (p->info.flags & BMPTAP_FLOWF_MIDSTREAM))
			go_up(ps, p, ts, mono_now());
		break;
	default:
		break;
	}
	if (p->state != PEER_ESTABLISHED) {
		/* The handshake's own KEEPALIVEs are not ignored input. */
		if (msg[18] != BGP_KEEPALIVE || p->state != PEER_OPENCONFIRM)
			p->cnt.ignored++;
		/*
		 * A router may reset the session on an UPDATE's header alone
		 * (e.g. over 4096 bytes): the rest of it completes after the
		 * NOTIFICATION.  Counted; the Peer Down already went out.
		 */
		if (p->state == PEER_DOWN && dir == BMPTAP_DIR_RX && msg[18] == BGP_UPDATE) {
			struct bgp_update u;

			bgp_update_parse(msg, len, &p->sess.rx, &u);
			count_errors(ps, p, &u);
		}
		return;
	}
	if (msg[18] == BGP_ROUTE_REFRESH)
		refresh_msg(ps, p, dir, msg, len, ts);
	if (dir != BMPTAP_DIR_RX) {
		if (msg[18] == BGP_UPDATE)
			tx_update(ps, p, msg, len, ts);
		return;
	}
	if (msg[18] == BGP_UPDATE)
		rx_update(ps, p, msg, len, ts);
	else if (ps->sink.message)
		ps->sink.message(ps->sink.ctx, p, msg, len, ts);
}

/* Records were lost without knowing whose: every peer is suspect. */
static void lost_all(struct peers *ps, uint64_t ts)
{
	ps->holes++;
	ps->want_flow_dump = true;
	for (struct peer *p = ps->head; p; p = p->next) {
		peer_mark_incomplete(p);
		if (p->state == PEER_ESTABLISHED && ps->sink.lost)
			ps->sink.lost(ps->sink.ctx, p, ts);
	}
}

static void on_flow_end(struct peers *ps, struct peer *p, const struct bt_rec *rec)
{
	uint8_t reason;

	switch (rec->hdr.aux) {
	case BMPTAP_END_FIN_REMOTE:
	case BMPTAP_END_RST_REMOTE:
		reason = BMP_DOWN_REMOTE_NO_NOTIFY;
		break;
	default:
		/*
		 * Local FIN/RST, and also idle expiry, eviction and module
		 * shutdown: the monitoring side lost the session without a
		 * NOTIFICATION; reason 2 with FSM event 0 (none applicable).
		 */
		reason = BMP_DOWN_LOCAL_NO_NOTIFY;
		break;
	}
	p->ended = true;
	go_down(ps, p, reason, rec->hdr.ts_ns);
	LOG_D(ps->log, "flow %" PRIu64 ": ended (%s)", p->flow_id, bt_end_name(rec->hdr.aux));
	peer_del(ps, p);
}

int peers_record(void *ctx, const struct bt_rec *rec)
{
	struct peers *ps = ctx;
	struct bmptap_flow_info fi;
	struct peer *p;

	if (rec->kind == BT_RK_SEQ_HOLE) {
		LOG_W(ps->log, "records %llu..%llu lost", (unsigned long long)rec->expected,
		      (unsigned long long)rec->got - 1);
		lost_all(ps, 0);
		return 0;
	}
	if (rec->kind == BT_RK_MALFORMED) {
		LOG_W(ps->log, "malformed record stream: %s", bt_rec_strerror(rec->error));
		lost_all(ps, 0);
		return 0;
	}
	if (rec->hdr.type == BMPTAP_REC_LOST) {
		LOG_W(ps->log, "module lost %u records", rec->hdr.aux);
		lost_all(ps, rec->hdr.ts_ns);
		return 0;
	}
	p = peers_find(ps, rec->hdr.flow_id);
	switch (rec->hdr.type) {
	case BMPTAP_REC_FLOW_START:
		if (!p)
			p = peer_new(ps, rec->hdr.flow_id);
		if (!p)
			return 0;
		p->seen_start = true;
		if (!p->have_info && bt_rec_flow_info(rec, &fi)) {
			peer_set_info(ps, p, &fi);
			check_opens(ps, p);
		}
		return 0;
	case BMPTAP_REC_MSG:
		if (!p) {
			/* Its FLOW_START was lost: the flow dump can tell the rest. */
			p = peer_new(ps, rec->hdr.flow_id);
			ps->want_flow_dump = true;
		}
		if (p)
			on_msg(ps, p, rec);
		return 0;
	case BMPTAP_REC_GAP: {
		struct bmptap_gap g;
		const uint8_t *d;
		size_t dl;

		if (!p || !bt_rec_gap(rec, &g, &d, &dl))
			return 0;
		p->cnt.gaps[rec->hdr.dir]++;
		p->cnt.gap_bytes[rec->hdr.dir] += g.bytes;
		LOG_W(ps->log, "flow %" PRIu64 ": gap %s (%s, %llu bytes, %u messages)", p->flow_id,
		      bt_dir_name(rec->hdr.dir), bt_gap_reason_name(g.reason),
		      (unsigned long long)g.bytes, g.messages);
		/* Only what the peer sent feeds the Adj-RIB-In. */
		if (rec->hdr.dir == BMPTAP_DIR_RX) {
			peer_mark_incomplete(p);
			if (p->state == PEER_ESTABLISHED && ps->sink.lost)
				ps->sink.lost(ps->sink.ctx, p, rec->hdr.ts_ns);
			/* Bytes that framed as no BGP message: mirrored as is. */
			if (g.reason == BMPTAP_GAP_RESYNC && dl && p->state == PEER_ESTABLISHED &&
			    ps->sink.errored) {
				p->cnt.errored++;
				ps->sink.errored(ps->sink.ctx, p, d, dl, rec->hdr.ts_ns);
			}
		}
		return 0;
	}
	case BMPTAP_REC_FLOW_END:
		if (p)
			on_flow_end(ps, p, rec);
		return 0;
	}
	return 0;
}

void peers_learn_flow(struct peers *ps, const struct bt_flow *f, uint64_t now_ns)
{
	struct peer *p = peers_find(ps, f->id);
	bool fresh = !p;

	if (!p) {
		p = peer_new(ps, f->id);
		if (!p)
			return;
		/*
		 * Only a flow that queued records may have had some consumed
		 * before this helper started: FLOW_START goes with a flow's
		 * first record, so one without any has lost nothing.
		 */
		p->from_dump = f->have_last_seq;
	}
	if (f->have_info && !p->have_info)
		peer_set_info(ps, p, &f->info);
	for (int d = 0; d < 2; d++)
		if (f->open[d] && !p->open[d])
			set_open(ps, p, d, f->open[d], f->open_len[d]);
	check_opens(ps, p);
	/*
	 * A flow that already carried both OPENs when the helper started is
	 * taken as established now: waiting for its next KEEPALIVE could take
	 * a whole keepalive interval.
	 */
	if (fresh)
		go_up(ps, p, now_ns, mono_now());
}

void peers_first_read_done(struct peers *ps, uint64_t now_ns)
{
	for (struct peer *p = ps->head; p; p = p->next) {
		if (!p->from_dump || p->seen_start)
			continue;
		p->seen_start = true;	/* judged once */
		if (p->incomplete)
			continue;
		peer_mark_incomplete(p);
		LOG_W(ps->log, "flow %" PRIu64 ": its earlier messages were consumed before this helper "
		      "started: Adj-RIB-In incomplete", p->flow_id);
		if (p->state == PEER_ESTABLISHED && ps->sink.lost)
			ps->sink.lost(ps->sink.ctx, p, now_ns);
	}
}

/* ---- import filters ------------------------------------------------------- */

/*
 * Passes over whole tables ask for the verdict of every route in slot
 * order, random in set ids, where the memo of peer_verdict() nearly always
 * misses: they keep one verdict per set instead, for each local AS and BGP
 * ID (what the verdict depends on besides the set; usually one for all
 * peers): a byte per set id while the pass runs.  Without the memory,
 * peer_verdict() works as usual.
 */
static bool same_local(const struct peer *a, const struct peer *b)
{
	return a->op[BMPTAP_DIR_TX].as == b->op[BMPTAP_DIR_TX].as &&
	       a->op[BMPTAP_DIR_TX].bgp_id == b->op[BMPTAP_DIR_TX].bgp_id;
}

static void verdicts_begin(struct peers *ps)
{
	ps->verdict_ids = ps->attrs.n_ids;
	ps->verdict_frees = ps->attrs.frees;
	for (struct peer *p = ps->head; p; p = p->next) {
		if (p->state != PEER_ESTABLISHED)
			continue;
		for (const struct peer *q = ps->head; q != p && !p->verdicts; q = q->next)
			if (q->verdicts && same_local(p, q))
				p->verdicts = q->verdicts;
		if (!p->verdicts)
			p->verdicts = calloc(ps->verdict_ids, 1);
	}
}

static void verdicts_end(struct peers *ps)
{
	for (struct peer *p = ps->head; p; p = p->next) {
		uint8_t *v = p->verdicts;

		if (!v)
			continue;
		for (struct peer *q = p; q; q = q->next)
			if (q->verdicts == v)
				q->verdicts = NULL;
		free(v);
	}
}

static void recount_post(struct peers *ps, struct peer *p)
{
	struct bgp_prefix pfx[256];
	uint32_t ids[256];

	for (int f = 0; f < BGP_FAM_MAX; f++) {
		uint32_t pos = 0;
		size_t n;

		p->post_count[f] = 0;
		p->filtered_count[f] = 0;
		while ((n = rib_walk_slots(&p->rib, f, &pos, pfx, ids, 256)))
			for (size_t i = 0; i < n; i++) {
				enum pol_verdict v = peer_verdict(ps, p, &pfx[i], ids[i]);

				p->post_count[f] += v == POL_ACCEPT;
				p->filtered_count[f] += v == POL_FILTER;
			}
	}
}

/*
 * Every Loc-RIB entry came from some established peer's Adj-RIB-In (a peer
 * going down recomputes its prefixes), so going over all of those
 * recomputes every entry that may change.
 */
static void locrib_recompute_all(struct peers *ps, uint64_t ts)
{
	struct bgp_prefix pfx[256];
	uint32_t ids[256];

	for (struct peer *p = ps->head; p; p = p->next) {
		if (p->state != PEER_ESTABLISHED)
			continue;
		for (int f = 0; f < BGP_FAM_MAX; f++) {
			uint32_t pos = 0;
			size_t n;

			while ((n = rib_walk_slots(&p->rib, f, &pos, pfx, ids, 256))) {
				ps->n_lchg = 0;
				for (size_t i = 0; i < n; i++)
					locrib_prefetch(ps, &pfx[i]);
				for (size_t i = 0; i < n; i++)
					locrib_recompute(ps, &pfx[i], p);
				flush_locrib(ps, ts);
			}
		}
	}
}

void peers_set_filters(struct peers *ps, const struct bt_filter_list *fl)
{
	ps->filters = fl;
	ps->filter_gen++;
	verdicts_begin(ps);
	for (struct peer *p = ps->head; p; p = p->next)
		if (p->state == PEER_ESTABLISHED)
			recount_post(ps, p);
	if (ps->locrib)
		locrib_recompute_all(ps, 0);
	verdicts_end(ps);
}

void peer_set_info(const struct peers *ps, struct peer *p, const struct bmptap_flow_info *fi)
{
	p->info = *fi;
	p->have_info = true;
	bt_vrf_name(fi->l3_ifindex, p->vrf);
	bt_vrf_instance(ps->vrf_rds, fi->l3_ifindex, p->vrf, &p->inst_type, &p->inst_dist);
}

void peers_restored(struct peers *ps)
{
	verdicts_begin(ps);
	for (struct peer *p = ps->head; p; p = p->next) {
		if (p->have_info)
			peer_set_info(ps, p, &p->info);
		if (p->state != PEER_ESTABLISHED)
			continue;
		if (!ps->locrib) {
			locrib_start(ps, p, p->up_ts_ns);
			locrib_reserve(ps);
		}
		recount_post(ps, p);
	}
	if (ps->locrib)
		locrib_recompute_all(ps, 0);
	verdicts_end(ps);
}

void peers_locrib_refresh(struct peers *ps, const struct bgp_prefix *pfx)
{
	struct timespec t;
	uint64_t ts;

	if (!ps->locrib)
		return;
	/* The time of the installation as seen here (RFC 9069 4.1). */
	clock_gettime(CLOCK_REALTIME, &t);
	ts = (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
	if (!pfx) {
		verdicts_begin(ps);
		locrib_recompute_all(ps, ts);
		verdicts_end(ps);
		return;
	}
	ps->n_lchg = 0;
	locrib_recompute(ps, pfx, NULL);
	flush_locrib(ps, ts);
}

/* ---- BMP encoding ------------------------------------------------------- */

void peer_bmp_hdr(const struct peer *p, uint64_t ts_ns, struct bmp_peer *h)
{
	memset(h, 0, sizeof(*h));
	if (p->locrib) {
		/* RFC 9069 4.1: no peer address; the local AS and BGP ID. */
		h->type = BMP_PEER_LOC_RIB;
		h->as = p->op[BMPTAP_DIR_TX].as;
		h->bgp_id = p->op[BMPTAP_DIR_TX].bgp_id;
		h->ts_sec = (uint32_t)(ts_ns / 1000000000u);
		h->ts_usec = (uint32_t)(ts_ns % 1000000000u / 1000u);
		return;
	}
	h->type = p->inst_type;
	h->distinguisher = p->inst_dist;
	bmp_peer_set_addr(h, p->info.remote_addr, p->info.family == AF_INET6 ? 16 : 4);
	/* A: the encapsulated UPDATEs use 2-octet AS_PATHs (RFC 7854 4.2). */
	if (!p->sess.rx.as4)
		h->flags |= BMP_PEER_F_A;
	h->as = p->op[BMPTAP_DIR_RX].as;
	h->bgp_id = p->op[BMPTAP_DIR_RX].bgp_id;
	h->ts_sec = (uint32_t)(ts_ns / 1000000000u);
	h->ts_usec = (uint32_t)(ts_ns % 1000000000u / 1000u);
}

void peer_encode_up(const struct peer *p, struct buf *b)
{
	struct bmp_peer h;
	uint8_t local[16] = { 0 };

	peer_bmp_hdr(p, p->up_ts_ns, &h);
	if (p->locrib) {
		/* RFC 9069 5.3: no addresses or ports; the fabricated OPEN as
		 * both the sent and the received one; the table name TLV. */
		struct bmp_tlv t = { BMP_INFO_TABLE_NAME, sizeof(LOCRIB_TABLE_NAME) - 1,
				     LOCRIB_TABLE_NAME };

		bmp_peer_up(b, &h, local, 0, 0, p->open[BMPTAP_DIR_TX], p->open_len[BMPTAP_DIR_TX],
			    p->open[BMPTAP_DIR_RX], p->open_len[BMPTAP_DIR_RX], &t, 1);
		return;
	}
	/* RFC 7854 4.10: an IPv4 local address goes in the last 4 octets. */
	if (p->info.family == AF_INET6)
		memcpy(local, p->info.local_addr, 16);
	else
		memcpy(local + 12, p->info.local_addr, 4);
	struct bmp_tlv t = { BMP_INFO_STRING, sizeof(MS_PEER_UP_INFO) - 1, MS_PEER_UP_INFO };

	bmp_peer_up(b, &h, local, ntohs(p->info.local_port), ntohs(p->info.remote_port),
		    p->open[BMPTAP_DIR_TX], p->open_len[BMPTAP_DIR_TX],
		    p->open[BMPTAP_DIR_RX], p->open_len[BMPTAP_DIR_RX], p->ms ? &t : NULL,
		    p->ms ? 1 : 0);	/* only synthesized OPENs leave p->ms set */
}

void peer_encode_down(const struct peer *p, struct buf *b)
{
	struct bmp_peer h;

	if (p->locrib) {
		/* RFC 9069 5.4: reason 6, with the table name TLV of the Peer Up;
		 * the instance stays, only its monitoring ends now. */
		uint8_t tlv[4 + sizeof(LOCRIB_TABLE_NAME) - 1];
		struct timespec t;

		clock_gettime(CLOCK_REALTIME, &t);
		put_u16(tlv, BMP_INFO_TABLE_NAME);
		put_u16(tlv + 2, sizeof(LOCRIB_TABLE_NAME) - 1);
		memcpy(tlv + 4, LOCRIB_TABLE_NAME, sizeof(LOCRIB_TABLE_NAME) - 1);
		peer_bmp_hdr(p, (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec, &h);
		bmp_peer_down(b, &h, BMP_DOWN_LOCAL_TLV, tlv, sizeof(tlv));
		return;
	}
	peer_bmp_hdr(p, p->down_ts_ns, &h);
	switch (p->down_reason) {
	case BMP_DOWN_LOCAL_NOTIFY:
	case BMP_DOWN_REMOTE_NOTIFY:
		bmp_peer_down(b, &h, p->down_reason, p->notif, p->notif_len);
		break;
	case BMP_DOWN_LOCAL_NO_NOTIFY:
		bmp_peer_down_fsm(b, &h, 0);
		break;
	default:
		bmp_peer_down(b, &h, p->down_reason, NULL, 0);
		break;
	}
}

void peer_encode_rm(const struct peer *p, struct buf *b, const uint8_t *msg, size_t len,
		    uint64_t ts_ns)
{
	struct bmp_peer h;

	peer_bmp_hdr(p, ts_ns, &h);
	bmp_route_monitoring(b, &h, msg, len);
}

void peer_encode_lost(const struct peer *p, struct buf *b, uint64_t ts_ns)
{
	struct bmp_peer h;

	peer_bmp_hdr(p, ts_ns, &h);
	bmp_route_mirroring(b, &h, NULL, 0, BMP_MIRROR_MSGS_LOST);
}

void peer_view_hdr(const struct peer *p, int view, uint64_t ts_ns, struct bmp_peer *h)
{
	peer_bmp_hdr(p, ts_ns, h);
	switch (view) {
	case VIEW_POST:
		h->flags |= BMP_PEER_F_L;
		break;
	case VIEW_OUT:
		/* What the daemon sent is after its export policy: O and L. */
		h->flags |= BMP_PEER_F_O | BMP_PEER_F_L;
		if (p->sess.tx.as4)
			h->flags &= (uint8_t)~BMP_PEER_F_A;
		else
			h->flags |= BMP_PEER_F_A;
		break;
	default:
		break;
	}
}

const struct bgp_codec *peer_view_codec(const struct peer *p, int view)
{
	return view == VIEW_OUT ? &p->sess.tx : &p->sess.rx;
}

void peer_encode_rm_view(const struct peer *p, int view, struct buf *b, const uint8_t *msg,
			 size_t len, uint64_t ts_ns)
{
	struct bmp_peer h;

	peer_view_hdr(p, view, ts_ns, &h);
	bmp_route_monitoring(b, &h, msg, len);
}

void peer_encode_mirror_info(const struct peer *p, struct buf *b, const uint8_t *msg,
			     size_t len, uint64_t ts_ns, int info)
{
	struct bmp_peer h;

	peer_bmp_hdr(p, ts_ns, &h);
	bmp_route_mirroring(b, &h, msg, len, info);
}
