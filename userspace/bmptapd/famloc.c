// SPDX-License-Identifier: GPL-2.0
/* The Loc-RIB of the other families: see famloc.h. */
#include "famloc.h"

#include <stdlib.h>
#include <string.h>

#include "locrib.h"

/* A change of the Loc-RIB's famrib, for locrib_flush(). */
static void on_change(void *ctx, const struct famrib_entry *e, uint32_t old, uint32_t new)
{
	struct peers *ps = ctx;

	(void)old;
	(void)new;
	famrib_chg_add(&ps->flchg, e);
	ps->n_flchg++;
	if (ps->flchg.oom)
		ps->chg_nomem = true;
}

/*
 * Withdraws the Loc-RIB route under the key of e.  famrib's one way to
 * withdraw is an UPDATE: e's NLRI (in its announced form, which the labels
 * of RFC 8277 make differ from a withdrawal's) goes in as a reach whose
 * UPDATE is treated as withdraw.
 */
static void withdraw(struct peers *ps, struct famrib *lf, const struct famrib_entry *e)
{
	const struct nlri_family *f = nlri_family_at(e->fam);
	struct bgp_update u = { .action = BGP_ACT_WITHDRAW, .treat_as_withdraw = true };
	uint8_t *rest = malloc(2 + e->nlri.len);

	if (!rest) {
		ps->chg_nomem = true;
		return;
	}
	rest[0] = 0;		/* next hop length: none */
	rest[1] = 0;		/* reserved */
	memcpy(rest + 2, e->nlri.p, e->nlri.len);
	u.reach = (struct bgp_mp){ .present = true, .afi = f->afi, .safi = f->safi, .fam = -1,
				   .rest = { rest, 2 + e->nlri.len } };
	famrib_apply(lf, &u, 0, on_change, ps);
	free(rest);
}

void famloc_recompute(struct peers *ps, const struct famrib_entry *e, const struct peer *hint)
{
	struct peer *lr = ps->locrib;
	const struct peer *best_p = NULL;
	const struct attr_set *best = NULL;
	struct famrib_entry best_e = { 0 }, cur;

	if (!lr)
		return;
	for (const struct peer *q = ps->head; q; q = q->next) {
		/* The one Loc-RIB instance is the default VRF's. */
		if (q->state != PEER_ESTABLISHED || q->info.l3_ifindex)
			continue;
		struct famrib_entry k = *e;

		/* Its NLRI split the way the peers' are (the most labels any
		 * one may carry). */
		if (q->fr.max_labels[e->fam] > lr->fr.max_labels[e->fam])
			lr->fr.max_labels[e->fam] = q->fr.max_labels[e->fam];
		k.path_id = q == hint ? e->path_id : 0;
		if (!famrib_lookup(&q->fr, &k, &cur))
			continue;
		const struct attr_set *s = attr_get(&ps->attrs, cur.attr);

		if (!s || peer_attr_verdict(ps, q, cur.attr) != POL_ACCEPT ||
		    (best && locrib_compare(ps, q, s, best_p, best) >= 0))
			continue;
		best = s;
		best_p = q;
		best_e = cur;
	}
	struct famrib_entry key = *e;

	key.path_id = 0;
	if (!best) {
		if (famrib_lookup(&lr->fr, &key, &cur))
			withdraw(ps, &lr->fr, e);
		return;
	}
	best_e.path_id = 0;
	bool had = famrib_lookup(&lr->fr, &best_e, &cur);

	if (had && cur.attr == best_e.attr && cur.nlri.len == best_e.nlri.len &&
	    !memcmp(cur.nlri.p, best_e.nlri.p, cur.nlri.len))
		return;
	/* Not charged to a budget (the Loc-RIB's references are not). */
	if (famrib_put(&lr->fr, best_e.fam, 0, best_e.nlri, best_e.attr))
		ps->chg_nomem = true;
	else
		on_change(ps, &best_e, had ? cur.attr : 0, best_e.attr);
}

void famloc_recompute_chg(struct peers *ps, const struct peer *hint)
{
	struct famrib_entry e;
	size_t off = 0;

	/* A replay sends the End-of-RIB of every family the peers carried. */
	if (ps->locrib)
		ps->locrib->fr.seen |= hint->fr.seen;
	for (size_t i = 0; ps->locrib && famrib_chg_next(&ps->fchg, &off, &e); i++)
		if (ps->fchg_ok.data[i])
			famloc_recompute(ps, &e, hint);
}

void famloc_on_drop(void *ctx, const struct famrib_entry *e, uint32_t old, uint32_t new)
{
	(void)old;
	(void)new;
	famloc_recompute(ctx, e, NULL);
}

void famloc_recompute_all(struct peers *ps)
{
	struct famrib_entry e[256];

	for (const struct peer *p = ps->head; ps->locrib && p; p = p->next) {
		if (p->state != PEER_ESTABLISHED)
			continue;
		ps->locrib->fr.seen |= p->fr.seen;
		for (unsigned f = 0; f < NLRI_FAMILIES; f++) {
			uint32_t n = 0, pos = 0;
			struct fr_route **order = famrib_order(&p->fr, f, &n);
			size_t k;

			if (n && !order)
				ps->chg_nomem = true;
			while (order && (k = famrib_walk(order, n, &pos, e, 256)))
				for (size_t i = 0; i < k; i++)
					famloc_recompute(ps, &e[i], p);
			free(order);
		}
	}
}
