// SPDX-License-Identifier: GPL-2.0
/*
 * Passes over every peer's whole table: new import filters, a restored
 * checkpoint, a change of the kernel's routes under the Loc-RIB.
 */
#include "peer.h"

#include <stdlib.h>
#include <time.h>

#include "famloc.h"
#include "locrib.h"
#include "vrf.h"

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
 * recomputes every entry that may change; the other families' too.
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
				locrib_flush(ps, ts);
			}
		}
	}
	famloc_recompute_all(ps);
	locrib_flush(ps, ts);
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
	locrib_flush(ps, ts);
}
