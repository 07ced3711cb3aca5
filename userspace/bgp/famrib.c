// SPDX-License-Identifier: GPL-2.0
/* The Adj-RIB of the families rib.c does not keep: see famrib.h. */
#include "famrib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct fr_route {
	uint32_t attr;		/* 0: a tombstone (withdrawn while frozen) */
	uint32_t path_id;
	uint32_t hash;
	uint8_t fam;
	uint16_t nlri_len;
	uint16_t key_off;	/* into data: within the NLRI, or past it (a copy) */
	uint16_t key_len;
	uint8_t data[];		/* the NLRI, then the key when it is a copy */
};

#define FR_MIN_CAP 64

/* As attr_set_bytes(): the heap chunk glibc gives a request of n octets. */
static uint64_t chunk_bytes(uint64_t n)
{
	return (n + 8 + 15) & ~(uint64_t)15;
}

static uint64_t route_bytes(const struct fr_route *r)
{
	uint32_t extra = r->key_off >= r->nlri_len ? r->key_len : 0;

	return chunk_bytes(sizeof(*r) + r->nlri_len + extra);
}

static const uint8_t *route_key(const struct fr_route *r)
{
	return r->data + r->key_off;
}

static uint32_t key_hash(const struct famrib *fr, unsigned fam, uint32_t path_id,
			 struct bgp_span key)
{
	/* Keyed by the attribute table's seed: peers choose the keys. */
	uint64_t seed = fr->attrs ? fr->attrs->seed : 0;
	uint32_t h = 2166136261u ^ (uint32_t)seed ^ (uint32_t)(seed >> 32);
	uint8_t hdr[5] = { (uint8_t)fam };

	put_u32(hdr + 1, path_id);
	for (size_t i = 0; i < sizeof(hdr); i++)
		h = (h ^ hdr[i]) * 16777619u;
	for (uint32_t i = 0; i < key.len; i++)
		h = (h ^ key.p[i]) * 16777619u;
	return h ^ (h >> 15);
}

/* Tombstones never match: a route announced again while frozen gets a new
 * entry further along the probe chain. */
static bool key_eq(const struct fr_route *r, unsigned fam, uint32_t path_id, uint32_t h,
		   struct bgp_span key)
{
	return r->attr && r->hash == h && r->fam == fam && r->path_id == path_id &&
	       r->key_len == key.len && !memcmp(route_key(r), key.p, key.len);
}

/* The slot holding the key, or the empty one where it would go. */
static uint32_t find(const struct famrib *fr, unsigned fam, uint32_t path_id, uint32_t h,
		     struct bgp_span key)
{
	uint32_t mask = fr->cap - 1, i = h & mask;

	while (fr->slots[i] && !key_eq(fr->slots[i], fam, path_id, h, key))
		i = (i + 1) & mask;
	return i;
}

static void route_free(struct famrib *fr, struct fr_route *r)
{
	budget_sub(fr->bud, route_bytes(r));
	free(r);
}

uint32_t famrib_total(const struct famrib *fr)
{
	uint32_t n = 0;

	for (unsigned f = 0; f < NLRI_FAMILIES; f++)
		n += fr->count[f];
	return n;
}

/* Rehashes into cap slots, freeing the tombstones. */
static int resize(struct famrib *fr, uint32_t cap)
{
	uint64_t now = (uint64_t)fr->cap * sizeof(*fr->slots), want = (uint64_t)cap * sizeof(*fr->slots);
	struct fr_route **n;

	if (want > now && !budget_fits(fr->bud, want - now))
		return -ENOSPC;
	n = calloc(cap, sizeof(*n));
	if (!n)
		return -ENOMEM;
	fr->used = 0;
	for (uint32_t i = 0; i < fr->cap; i++) {
		struct fr_route *r = fr->slots[i];
		uint32_t j;

		if (!r)
			continue;
		if (!r->attr) {
			route_free(fr, r);
			continue;
		}
		for (j = r->hash & (cap - 1); n[j]; j = (j + 1) & (cap - 1))
			;
		n[j] = r;
		fr->used++;
	}
	free(fr->slots);
	budget_sub(fr->bud, now);
	budget_add(fr->bud, want);
	fr->slots = n;
	fr->cap = cap;
	return 0;
}

/* Tombstones freed, the index shrunk to fit the routes left; on allocation
 * failure they stay until the next resize. */
static void compact(struct famrib *fr)
{
	uint32_t cap = fr->cap, live = famrib_total(fr);

	if (!cap || fr->used == live)
		return;
	while (cap > FR_MIN_CAP && (uint64_t)live * 4 < cap)
		cap /= 2;
	resize(fr, cap);
}

/* Backward-shift deletion: probe chains stay intact. */
static void erase(struct famrib *fr, uint32_t i)
{
	uint32_t mask = fr->cap - 1;

	for (uint32_t j = i;;) {
		j = (j + 1) & mask;
		if (!fr->slots[j])
			break;
		uint32_t k = fr->slots[j]->hash & mask;

		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		fr->slots[i] = fr->slots[j];
		i = j;
	}
	fr->slots[i] = NULL;
	fr->used--;
}

void famrib_init(struct famrib *fr, struct attr_table *attrs, struct budget *bud)
{
	memset(fr, 0, sizeof(*fr));
	fr->attrs = attrs;
	fr->bud = bud;
}

static void entry_of(const struct fr_route *r, struct famrib_entry *e)
{
	*e = (struct famrib_entry){ r->fam, r->path_id, r->attr, { r->data, r->nlri_len } };
}

/* Drops the routes of fam (every family: fam < 0). */
static void clear(struct famrib *fr, int fam, famrib_change_fn cb, void *ctx)
{
	struct famrib_entry e;

	for (uint32_t i = 0; i < fr->cap; i++) {
		struct fr_route *r = fr->slots[i];

		if (!r || !r->attr || (fam >= 0 && r->fam != fam))
			continue;
		entry_of(r, &e);
		if (cb)
			cb(ctx, &e, r->attr, 0);
		attr_unref(fr->attrs, r->attr);
		fr->count[r->fam]--;
		r->attr = 0;
	}
	if (!fr->frozen)
		compact(fr);
}

void famrib_reset(struct famrib *fr, famrib_change_fn cb, void *ctx)
{
	clear(fr, -1, cb, ctx);
	memset(fr->disabled, 0, sizeof(fr->disabled));
	fr->seen = 0;
	fr->n_live_only = 0;
	fr->live_only_more = 0;
}

void famrib_free(struct famrib *fr)
{
	for (uint32_t i = 0; i < fr->cap; i++) {
		struct fr_route *r = fr->slots[i];

		if (!r)
			continue;
		if (r->attr)
			attr_unref(fr->attrs, r->attr);
		route_free(fr, r);
	}
	free(fr->slots);
	budget_sub(fr->bud, (uint64_t)fr->cap * sizeof(*fr->slots));
	famrib_init(fr, fr->attrs, fr->bud);
}

static int make_room(struct famrib *fr)
{
	uint32_t live = famrib_total(fr);
	uint64_t cap;
	int err;

	if (((uint64_t)fr->used + 1) * 4 <= (uint64_t)fr->cap * 3)
		return 0;
	/* Tombstones filling it while the routes fit in half: rehash at the
	 * same size, except while frozen, where they must stay. */
	cap = !fr->cap ? FR_MIN_CAP :
	      !fr->frozen && ((uint64_t)live + 1) * 2 <= fr->cap ? fr->cap : (uint64_t)fr->cap * 2;
	if (cap > (1u << 30))
		return -ENOMEM;
	err = resize(fr, (uint32_t)cap);
	if (err == -ENOSPC)
		fr->refused++;
	return err;
}

static bool same_route(const struct fr_route *r, uint32_t attr, struct bgp_span nlri)
{
	return r->attr == attr && r->nlri_len == nlri.len && !memcmp(r->data, nlri.p, nlri.len);
}

static int announce(struct famrib *fr, unsigned fam, const struct nlri_route *nr, uint32_t attr,
		    famrib_change_fn cb, void *ctx)
{
	uint32_t h = key_hash(fr, fam, nr->path_id, nr->key), i, old;
	bool inside = nr->key.p >= nr->nlri.p && nr->key.p + nr->key.len <= nr->nlri.p + nr->nlri.len;
	uint32_t extra = inside ? 0 : nr->key.len;
	struct famrib_entry e;
	struct fr_route *r, *n;
	int err;

	if (nr->nlri.len > UINT16_MAX || nr->key.len > UINT16_MAX)
		return -EINVAL;
	r = fr->cap ? fr->slots[find(fr, fam, nr->path_id, h, nr->key)] : NULL;
	if (r && same_route(r, attr, nr->nlri)) {
		fr->dup_announce++;
		return 0;
	}
	/* A replacement takes its route's slot, unless walks hold that one. */
	if (!r || fr->frozen) {
		err = make_room(fr);
		if (err)
			return err;
	}
	i = find(fr, fam, nr->path_id, h, nr->key);
	r = fr->slots[i];
	uint64_t size = chunk_bytes(sizeof(*n) + nr->nlri.len + extra);

	/* A replacement no larger than the route it frees always fits. */
	if (!budget_fits(fr->bud, size) && !(r && !fr->frozen && size <= route_bytes(r))) {
		fr->refused++;
		return -ENOSPC;
	}
	n = malloc(sizeof(*n) + nr->nlri.len + extra);
	if (!n)
		return -ENOMEM;
	*n = (struct fr_route){ attr, nr->path_id, h, (uint8_t)fam, (uint16_t)nr->nlri.len,
				(uint16_t)(inside ? nr->key.p - nr->nlri.p : nr->nlri.len),
				(uint16_t)nr->key.len };
	memcpy(n->data, nr->nlri.p, nr->nlri.len);
	memcpy(n->data + nr->nlri.len, nr->key.p, extra);
	budget_add(fr->bud, size);
	attr_ref(fr->attrs, attr);
	old = r ? r->attr : 0;
	entry_of(n, &e);
	if (cb)
		cb(ctx, &e, old, attr);
	if (old)
		attr_unref(fr->attrs, old);
	else
		fr->count[fam]++;
	if (r && fr->frozen) {
		/* The walks may hold r: a tombstone until they end, the new
		 * entry past it in the probe chain. */
		r->attr = 0;
		i = find(fr, fam, nr->path_id, h, nr->key);
		fr->used++;
	} else if (r) {
		route_free(fr, r);
	} else {
		fr->used++;
	}
	fr->slots[i] = n;
	return 0;
}

static void withdraw(struct famrib *fr, unsigned fam, const struct nlri_route *nr,
		     famrib_change_fn cb, void *ctx)
{
	uint32_t h = key_hash(fr, fam, nr->path_id, nr->key), i;
	struct famrib_entry e;
	struct fr_route *r;

	if (!fr->cap || !(r = fr->slots[i = find(fr, fam, nr->path_id, h, nr->key)])) {
		fr->dup_withdraw++;
		return;
	}
	entry_of(r, &e);
	if (cb)
		cb(ctx, &e, r->attr, 0);
	attr_unref(fr->attrs, r->attr);
	fr->count[fam]--;
	if (fr->frozen) {
		r->attr = 0;
		return;
	}
	erase(fr, i);
	route_free(fr, r);
	if (fr->cap > FR_MIN_CAP && (uint64_t)famrib_total(fr) * 4 < fr->cap)
		resize(fr, fr->cap / 2);
}

/* RFC 7606 section 5.3: the family's routes go, later UPDATEs of it too. */
static void disable(struct famrib *fr, unsigned fam, famrib_change_fn cb, void *ctx)
{
	if (fr->disabled[fam])
		return;
	clear(fr, (int)fam, cb, ctx);
	fr->disabled[fam] = true;
}

static void note_live_only(struct famrib *fr, uint16_t afi, uint8_t safi)
{
	for (unsigned i = 0; i < fr->n_live_only; i++) {
		if (fr->live_only[i].afi == afi && fr->live_only[i].safi == safi) {
			fr->live_only[i].updates++;
			return;
		}
	}
	if (fr->n_live_only == FAMRIB_LIVE_ONLY_MAX) {
		fr->live_only_more++;
		return;
	}
	fr->live_only[fr->n_live_only++] = (struct famrib_live_only){ afi, safi, 1 };
}

/* The family of mp if famrib keeps it and it is not disabled, else NULL. */
static const struct nlri_family *kept(struct famrib *fr, const struct bgp_mp *mp)
{
	const struct nlri_family *f;

	if (!mp->present || mp->fam >= 0)
		return NULL;
	f = nlri_family_find(mp->afi, mp->safi);
	if (!f) {
		note_live_only(fr, mp->afi, mp->safi);
		return NULL;
	}
	fr->seen |= 1u << nlri_family_index(f);
	return fr->disabled[nlri_family_index(f)] ? NULL : f;
}

/* Withdraws the routes of nlri; false when it is malformed. */
static bool withdraw_nlri(struct famrib *fr, const struct nlri_family *f, struct bgp_span nlri,
			  bool addpath, bool as_withdrawal, famrib_change_fn cb, void *ctx)
{
	struct nlri_iter it;
	struct nlri_route nr;
	int rc;

	nlri_iter_init(&it, f, nlri, addpath, as_withdrawal,
		       fr->max_labels[nlri_family_index(f)]);
	while ((rc = nlri_next(&it, &nr)) == 1)
		withdraw(fr, nlri_family_index(f), &nr, cb, ctx);
	return rc == 0;
}

/* MP_REACH_NLRI past AFI/SAFI: next hop length, next hop, reserved, NLRI. */
static bool reach_split(struct bgp_span rest, struct bgp_span *nh, struct bgp_span *nlri)
{
	if (rest.len < 2 || rest.len < 2u + rest.p[0])
		return false;
	*nh = (struct bgp_span){ rest.p + 1, rest.p[0] };
	*nlri = (struct bgp_span){ rest.p + 2 + rest.p[0], rest.len - 2u - rest.p[0] };
	return true;
}

static int announce_nlri(struct famrib *fr, const struct nlri_family *f, const struct bgp_update *u,
			 struct bgp_span nh, struct bgp_span nlri, bool addpath, famrib_change_fn cb,
			 void *ctx)
{
	unsigned fam = nlri_family_index(f);
	struct nlri_iter it;
	struct nlri_route nr;
	int rc, err = 0;
	uint32_t id;

	if (!nlri.len)
		return 0;
	/* Checked whole first: a malformed one changes nothing but the disable. */
	nlri_iter_init(&it, f, nlri, addpath, false, fr->max_labels[fam]);
	while ((rc = nlri_next(&it, &nr)) == 1)
		;
	if (rc < 0) {
		disable(fr, fam, cb, ctx);
		return 0;
	}
	if (u->treat_as_withdraw) {
		/* Not the peer withdrawing: keep these out of the duplicates. */
		uint64_t dups = fr->dup_withdraw;

		withdraw_nlri(fr, f, nlri, addpath, false, cb, ctx);
		fr->dup_withdraw = dups;
		return 0;
	}
	id = attr_intern_update_mp(fr->attrs, fr->bud, u, f->afi, f->safi, nh);
	nlri_iter_init(&it, f, nlri, addpath, false, fr->max_labels[fam]);
	if (!id) {
		if (!fr->attrs->refused)
			return -ENOMEM;
		while (nlri_next(&it, &nr) == 1)
			fr->refused++;
		return -ENOSPC;
	}
	while (nlri_next(&it, &nr) == 1) {
		int e = announce(fr, fam, &nr, id, cb, ctx);

		if (e && err != -ENOSPC)
			err = e;
	}
	attr_unref(fr->attrs, id);
	return err;
}

int famrib_apply(struct famrib *fr, const struct bgp_update *u, uint32_t addpath,
		 famrib_change_fn cb, void *ctx)
{
	const struct nlri_family *f;
	struct bgp_span nh, nlri;

	if (u->action == BGP_ACT_RESET)
		return 0;
	f = kept(fr, &u->unreach);
	if (f && !withdraw_nlri(fr, f, u->unreach.rest, addpath >> nlri_family_index(f) & 1, true,
				cb, ctx))
		disable(fr, nlri_family_index(f), cb, ctx);
	/* One UPDATE of a live-only family counts once. */
	if (u->unreach.present && u->reach.present && u->unreach.afi == u->reach.afi &&
	    u->unreach.safi == u->reach.safi && !nlri_family_find(u->reach.afi, u->reach.safi))
		return 0;
	f = kept(fr, &u->reach);
	if (!f)
		return 0;
	if (!reach_split(u->reach.rest, &nh, &nlri)) {
		disable(fr, nlri_family_index(f), cb, ctx);
		return 0;
	}
	return announce_nlri(fr, f, u, nh, nlri, addpath >> nlri_family_index(f) & 1, cb, ctx);
}

uint32_t famrib_session(struct famrib *fr, const struct bgp_session *s)
{
	uint32_t mask = 0;

	for (unsigned k = 0; k < s->n_labels_rx; k++) {
		const struct nlri_family *f = nlri_family_find(s->labels_rx[k].afi,
							      s->labels_rx[k].safi);

		if (f && (f->kind == NLRI_LABELED || f->kind == NLRI_VPN))
			fr->max_labels[nlri_family_index(f)] = s->labels_rx[k].flags;
	}

	for (unsigned k = 0; k < s->n_addpath_more; k++) {
		const struct nlri_family *f = nlri_family_find(s->addpath_more[k].afi,
							      s->addpath_more[k].safi);

		if (!f)
			continue;
		if (s->addpath_more[k].flags & BGP_ADDPATH_AMBIGUOUS)
			fr->disabled[nlri_family_index(f)] = true;
		else if (s->addpath_more[k].flags & BGP_ADDPATH_RX)
			mask |= 1u << nlri_family_index(f);
	}
	return mask;
}

size_t famrib_reach_routes(const struct famrib *fr, const struct bgp_update *u, uint32_t addpath)
{
	const struct nlri_family *f;
	struct bgp_span nh, nlri;
	struct nlri_iter it;
	struct nlri_route nr;
	size_t n = 0;
	int rc;

	if (!u->reach.present || u->reach.fam >= 0 ||
	    !(f = nlri_family_find(u->reach.afi, u->reach.safi)) ||
	    !reach_split(u->reach.rest, &nh, &nlri))
		return 0;
	nlri_iter_init(&it, f, nlri, addpath >> nlri_family_index(f) & 1, false,
		       fr->max_labels[nlri_family_index(f)]);
	while ((rc = nlri_next(&it, &nr)) == 1)
		n++;
	return rc ? 0 : n;
}

static bool ignored(const struct famrib *fr, const struct bgp_mp *mp)
{
	const struct nlri_family *f;

	if (!mp->present || mp->fam >= 0 || !(f = nlri_family_find(mp->afi, mp->safi)))
		return false;
	return fr->disabled[nlri_family_index(f)];
}

bool famrib_ignores_part(const struct famrib *fr, const struct bgp_update *u)
{
	return ignored(fr, &u->reach) || ignored(fr, &u->unreach);
}

int famrib_eor(const struct bgp_update *u)
{
	const struct nlri_family *f;

	/* RFC 4724 section 2: nothing but an MP_UNREACH_NLRI with no NLRI
	 * (3 octets of value, the header in either length form). */
	if (u->action != BGP_ACT_NONE || u->withdrawn.len || u->nlri.len || u->reach.present ||
	    !u->unreach.present || u->unreach.fam >= 0 || u->unreach.rest.len ||
	    (u->attrs.len != 6 && u->attrs.len != 7))
		return -1;
	f = nlri_family_find(u->unreach.afi, u->unreach.safi);
	return f ? (int)nlri_family_index(f) : -1;
}

size_t famrib_mem(const struct famrib *fr)
{
	size_t m = (size_t)fr->cap * sizeof(*fr->slots);

	for (uint32_t i = 0; i < fr->cap; i++)
		if (fr->slots[i])
			m += route_bytes(fr->slots[i]);
	return m;
}

int famrib_put(struct famrib *fr, unsigned fam, uint32_t path_id, struct bgp_span nlri,
	       uint32_t attr)
{
	const struct nlri_family *f = nlri_family_at(fam);
	struct nlri_iter it;
	struct nlri_route nr;

	if (!f || !attr || !nlri.len)
		return -EINVAL;
	nlri_iter_init(&it, f, nlri, false, false, fr->max_labels[fam]);
	if (nlri_next(&it, &nr) != 1 || nlri_next(&it, &nr) != 0)
		return -EINVAL;
	nlri_iter_init(&it, f, nlri, false, false, fr->max_labels[fam]);
	nlri_next(&it, &nr);
	nr.path_id = path_id;
	return announce(fr, fam, &nr, attr, NULL, NULL);
}

void famrib_freeze(struct famrib *fr)
{
	fr->frozen++;
}

void famrib_thaw(struct famrib *fr)
{
	if (fr->frozen && !--fr->frozen)
		compact(fr);
}

static int cmp_by_attr(const void *a, const void *b)
{
	const struct fr_route *x = *(struct fr_route *const *)a, *y = *(struct fr_route *const *)b;

	return x->attr < y->attr ? -1 : x->attr > y->attr;
}

struct fr_route **famrib_order(const struct famrib *fr, unsigned fam, uint32_t *n)
{
	struct fr_route **order;
	uint32_t k = 0;

	*n = 0;
	if (fam >= NLRI_FAMILIES || !fr->count[fam])
		return NULL;
	order = malloc((size_t)fr->count[fam] * sizeof(*order));
	if (!order)
		return NULL;
	for (uint32_t i = 0; i < fr->cap && k < fr->count[fam]; i++)
		if (fr->slots[i] && fr->slots[i]->attr && fr->slots[i]->fam == fam)
			order[k++] = fr->slots[i];
	qsort(order, k, sizeof(*order), cmp_by_attr);
	*n = k;
	return order;
}

size_t famrib_walk(struct fr_route *const *order, uint32_t n, uint32_t *pos,
		   struct famrib_entry *e, size_t max)
{
	size_t k = 0;
	uint32_t i = *pos;

	for (; i < n && k < max; i++)
		if (order[i]->attr)
			entry_of(order[i], &e[k++]);
	*pos = i;
	return k;
}

void famrib_chg_add(struct buf *b, const struct famrib_entry *e)
{
	buf_u8(b, e->fam);
	buf_u32(b, e->path_id);
	buf_u16(b, (uint16_t)e->nlri.len);
	buf_put(b, e->nlri.p, e->nlri.len);
}

bool famrib_chg_next(const struct buf *b, size_t *off, struct famrib_entry *e)
{
	size_t o = *off;
	uint16_t len;

	if (o + 7 > b->len)
		return false;
	len = get_u16(b->data + o + 5);
	if (o + 7 + len > b->len || b->data[o] >= NLRI_FAMILIES)
		return false;
	*e = (struct famrib_entry){ b->data[o], get_u32(b->data + o + 1), 0,
				    { b->data + o + 7, len } };
	*off = o + 7 + len;
	return true;
}

bool famrib_lookup(const struct famrib *fr, const struct famrib_entry *e,
		   struct famrib_entry *cur)
{
	const struct nlri_family *f = nlri_family_at(e->fam);
	struct nlri_iter it;
	struct nlri_route nr;
	const struct fr_route *r;

	if (!f || !fr->cap)
		return false;
	nlri_iter_init(&it, f, e->nlri, false, false, fr->max_labels[e->fam]);
	if (nlri_next(&it, &nr) != 1)
		return false;
	r = fr->slots[find(fr, e->fam, e->path_id, key_hash(fr, e->fam, e->path_id, nr.key), nr.key)];
	if (!r)
		return false;
	entry_of(r, cur);
	return true;
}
