// SPDX-License-Identifier: GPL-2.0
/* The Adj-RIB of the families rib.c does not keep: see famrib.h. */
#include "famrib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * A route in 32 octets, no heap header of its own: entries come from
 * chunks of FR_CHUNK (struct fr_chunk), free ones threaded through next.
 * An NLRI of up to FR_INLINE octets (a VPNv4 route with one label) lives
 * in the entry; a longer one (VPNv6, EVPN, flowspec, BGP-LS) in a heap
 * block of its own.  The key is not stored: a probe whose hash, family
 * and path id match derives it from the stored NLRI again.
 */
#define FR_INLINE 16
struct fr_route {
	uint32_t attr;		/* 0: a tombstone (withdrawn while frozen) */
	uint32_t path_id;
	uint32_t hash;
	uint8_t fam;
	uint8_t pad;
	uint16_t nlri_len;
	union {
		uint8_t in[FR_INLINE];	/* nlri_len <= FR_INLINE */
		uint8_t *out;		/* longer */
		struct fr_route *next;	/* on the free list */
	} u;
};

_Static_assert(sizeof(struct fr_route) == 32, "an entry is 32 octets");

#define FR_CHUNK 63	/* entries per chunk: 2024 octets with the link */
struct fr_chunk {
	struct fr_chunk *next;
	struct fr_route e[FR_CHUNK];
};

#define FR_MIN_CAP 64

/* As attr_set_bytes(): the heap chunk glibc gives a request of n octets. */
static uint64_t chunk_bytes(uint64_t n)
{
	return (n + 8 + 15) & ~(uint64_t)15;
}

#define FR_CHUNK_BYTES chunk_bytes(sizeof(struct fr_chunk))

/* The heap block of an NLRI kept out of line, 0 for one inline. */
static uint64_t out_bytes(uint32_t nlri_len)
{
	return nlri_len > FR_INLINE ? chunk_bytes(nlri_len) : 0;
}

static const uint8_t *route_nlri(const struct fr_route *r)
{
	return r->nlri_len > FR_INLINE ? r->u.out : r->u.in;
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
 * entry further along the probe chain.  The stored NLRI was split with the
 * same label count when it was stored (famrib_session() runs before the
 * session's routes, a checkpoint restores the counts before its routes). */
static bool key_eq(const struct famrib *fr, const struct fr_route *r, unsigned fam,
		   uint32_t path_id, uint32_t h, struct bgp_span key)
{
	struct nlri_iter it;
	struct nlri_route nr;

	if (!r->attr || r->hash != h || r->fam != fam || r->path_id != path_id)
		return false;
	nlri_iter_init(&it, nlri_family_at(fam), (struct bgp_span){ route_nlri(r), r->nlri_len },
		       false, false, fr->max_labels[fam]);
	return nlri_next(&it, &nr) == 1 && nr.key.len == key.len &&
	       !memcmp(nr.key.p, key.p, key.len);
}

/* The slot holding the key, or the empty one where it would go. */
static uint32_t find(const struct famrib *fr, unsigned fam, uint32_t path_id, uint32_t h,
		     struct bgp_span key)
{
	uint32_t mask = fr->cap - 1, i = h & mask;

	while (fr->slots[i] && !key_eq(fr, fr->slots[i], fam, path_id, h, key))
		i = (i + 1) & mask;
	return i;
}

/* A chunk's entries onto the free list, charged to the budget (the
 * caller checked it); false when memory is short. */
static bool chunk_new(struct famrib *fr)
{
	struct fr_chunk *c = malloc(sizeof(*c));

	if (!c)
		return false;
	budget_add(fr->bud, FR_CHUNK_BYTES);
	c->next = fr->chunks;
	fr->chunks = c;
	for (unsigned i = 0; i < FR_CHUNK; i++)
		c->e[i].u.next = i + 1 < FR_CHUNK ? &c->e[i + 1] : fr->free_entries;
	fr->free_entries = c->e;
	return true;
}

/* An entry from the free list, or from a new chunk when the budget has
 * room for it; NULL when the budget or memory refuses the chunk. */
static struct fr_route *entry_alloc(struct famrib *fr)
{
	struct fr_route *r;

	if (!fr->free_entries && (!budget_fits(fr->bud, FR_CHUNK_BYTES) || !chunk_new(fr)))
		return NULL;
	r = fr->free_entries;
	fr->free_entries = r->u.next;
	return r;
}

/* The NLRI's own block, if it has one. */
static void nlri_free(struct famrib *fr, struct fr_route *r)
{
	if (r->nlri_len > FR_INLINE) {
		budget_sub(fr->bud, out_bytes(r->nlri_len));
		free(r->u.out);
	}
}

static void entry_put(struct famrib *fr, struct fr_route *r)
{
	r->u.next = fr->free_entries;
	fr->free_entries = r;
}

static void route_free(struct famrib *fr, struct fr_route *r)
{
	nlri_free(fr, r);
	entry_put(fr, r);
}

static void chunks_free(struct famrib *fr, struct fr_chunk *c)
{
	while (c) {
		struct fr_chunk *n = c->next;

		budget_sub(fr->bud, FR_CHUNK_BYTES);
		free(c);
		c = n;
	}
}

uint32_t famrib_total(const struct famrib *fr)
{
	uint32_t n = 0;

	for (unsigned f = 0; f < NLRI_FAMILIES; f++)
		n += fr->count[f];
	return n;
}

static void place(struct fr_route **slots, uint32_t cap, struct fr_route *r)
{
	uint32_t j;

	for (j = r->hash & (cap - 1); slots[j]; j = (j + 1) & (cap - 1))
		;
	slots[j] = r;
}

/*
 * Rehashes into cap slots.  Not frozen, no walk holds an entry: the routes
 * move into fresh chunks, packed, and the old chunks (with the tombstones
 * and the entries withdrawals freed) go.  Frozen, entries stay where they
 * are, tombstones included, until the thaw.
 */
static int resize(struct famrib *fr, uint32_t cap)
{
	uint64_t now = (uint64_t)fr->cap * sizeof(*fr->slots), want = (uint64_t)cap * sizeof(*fr->slots);
	uint64_t live = famrib_total(fr), ch_now = 0, ch_want = (live + FR_CHUNK - 1) / FR_CHUNK;
	struct fr_chunk *old = fr->chunks;
	struct fr_route **n;

	for (const struct fr_chunk *c = old; c; c = c->next)
		ch_now++;
	if (fr->frozen)
		ch_want = ch_now;
	/* Steady state: the old index and chunks go right after the copy. */
	if (want + ch_want * FR_CHUNK_BYTES > now + ch_now * FR_CHUNK_BYTES &&
	    !budget_fits(fr->bud, want + ch_want * FR_CHUNK_BYTES - now - ch_now * FR_CHUNK_BYTES))
		return -ENOSPC;
	n = calloc(cap, sizeof(*n));
	if (!n)
		return -ENOMEM;
	if (fr->frozen) {
		for (uint32_t i = 0; i < fr->cap; i++)
			if (fr->slots[i])
				place(n, cap, fr->slots[i]);
	} else {
		struct fr_route *free_old = fr->free_entries;

		fr->chunks = NULL;
		fr->free_entries = NULL;
		/* Fresh chunks only: the budget was checked for all of them. */
		for (uint32_t i = 0; i < fr->cap; i++) {
			struct fr_route *r = fr->slots[i], *m;

			if (!r || !r->attr)
				continue;
			if (!fr->free_entries && !chunk_new(fr)) {
				chunks_free(fr, fr->chunks);
				fr->chunks = old;
				fr->free_entries = free_old;
				free(n);
				return -ENOMEM;
			}
			m = fr->free_entries;
			fr->free_entries = m->u.next;
			*m = *r;
			place(n, cap, m);
		}
		for (uint32_t i = 0; i < fr->cap; i++)
			if (fr->slots[i] && !fr->slots[i]->attr)
				nlri_free(fr, fr->slots[i]);
		chunks_free(fr, old);
	}
	fr->used = 0;
	for (uint32_t i = 0; i < cap; i++)
		fr->used += n[i] != NULL;
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
	*e = (struct famrib_entry){ r->fam, r->path_id, r->attr, { route_nlri(r), r->nlri_len } };
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
		nlri_free(fr, r);
	}
	chunks_free(fr, fr->chunks);
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
	return r->attr == attr && r->nlri_len == nlri.len && !memcmp(route_nlri(r), nlri.p, nlri.len);
}

/* r holds the route nlri with set attr, its NLRI in block when longer
 * than FR_INLINE. */
static void fill(struct fr_route *r, unsigned fam, uint32_t path_id, uint32_t h,
		 struct bgp_span nlri, uint32_t attr, uint8_t *block)
{
	*r = (struct fr_route){ attr, path_id, h, (uint8_t)fam, 0, (uint16_t)nlri.len, { { 0 } } };
	if (block) {
		memcpy(block, nlri.p, nlri.len);
		r->u.out = block;
	} else {
		memcpy(r->u.in, nlri.p, nlri.len);
	}
}

/*
 * The block for an NLRI of len octets replacing r in place (NULL: a new
 * entry): r's own when the length is the same, else a new one charged to
 * the budget, which r's block, freed after, credits.  *ok false when
 * refused.
 */
static uint8_t *block_for(struct famrib *fr, const struct fr_route *r, uint32_t len, bool *ok)
{
	uint64_t freed = r ? out_bytes(r->nlri_len) : 0, need = out_bytes(len);
	uint8_t *b;

	*ok = true;
	if (len <= FR_INLINE)
		return NULL;
	if (r && r->nlri_len == len)
		return r->u.out;
	if ((need > freed && !budget_fits(fr->bud, need - freed)) || !(b = malloc(len))) {
		*ok = false;
		return NULL;
	}
	budget_add(fr->bud, need);
	return b;
}

static int announce(struct famrib *fr, unsigned fam, const struct nlri_route *nr, uint32_t attr,
		    famrib_change_fn cb, void *ctx)
{
	uint32_t h = key_hash(fr, fam, nr->path_id, nr->key), i, old;
	struct famrib_entry e;
	struct fr_route *r, *n;
	uint8_t *block;
	bool ok;
	int err;

	if (nr->nlri.len > UINT16_MAX)
		return -EINVAL;
	r = fr->cap ? fr->slots[find(fr, fam, nr->path_id, h, nr->key)] : NULL;
	if (r && same_route(r, attr, nr->nlri)) {
		fr->dup_announce++;
		return 0;
	}
	/* A replacement takes its route's slot and entry, unless walks hold
	 * that one: then it needs a new entry, the old one a tombstone. */
	if (!r || fr->frozen) {
		err = make_room(fr);
		if (err)
			return err;
	}
	i = find(fr, fam, nr->path_id, h, nr->key);
	r = fr->slots[i];
	old = r ? r->attr : 0;
	n = r && !fr->frozen ? r : entry_alloc(fr);
	block = n ? block_for(fr, n == r ? r : NULL, nr->nlri.len, &ok) : NULL;
	if (!n || !ok) {
		if (n && n != r)
			entry_put(fr, n);
		fr->refused++;
		return -ENOSPC;
	}
	if (n == r && block != r->u.out)
		nlri_free(fr, r);
	fill(n, fam, nr->path_id, h, nr->nlri, attr, block);
	attr_ref(fr->attrs, attr);
	entry_of(n, &e);
	if (cb)
		cb(ctx, &e, old, attr);
	if (old)
		attr_unref(fr->attrs, old);
	else
		fr->count[fam]++;
	if (n == r)
		return 0;
	if (r) {
		/* The walks may hold r: a tombstone until they end, the new
		 * entry past it in the probe chain. */
		r->attr = 0;
		i = find(fr, fam, nr->path_id, h, nr->key);
	}
	fr->used++;
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

uint32_t famrib_session(struct famrib *fr, const struct bgp_session *s, bool tx)
{
	const struct bgp_af *labels = tx ? s->labels_tx : s->labels_rx;
	unsigned n_labels = tx ? s->n_labels_tx : s->n_labels_rx;
	uint32_t mask = 0;

	for (unsigned k = 0; k < n_labels; k++) {
		const struct nlri_family *f = nlri_family_find(labels[k].afi, labels[k].safi);

		if (f && (f->kind == NLRI_LABELED || f->kind == NLRI_VPN))
			fr->max_labels[nlri_family_index(f)] = labels[k].flags;
	}

	for (unsigned k = 0; k < s->n_addpath_more; k++) {
		const struct nlri_family *f = nlri_family_find(s->addpath_more[k].afi,
							      s->addpath_more[k].safi);

		if (!f)
			continue;
		if (s->addpath_more[k].flags & BGP_ADDPATH_AMBIGUOUS)
			fr->disabled[nlri_family_index(f)] = true;
		else if (s->addpath_more[k].flags & (tx ? BGP_ADDPATH_TX : BGP_ADDPATH_RX))
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

	for (const struct fr_chunk *c = fr->chunks; c; c = c->next)
		m += FR_CHUNK_BYTES;
	for (uint32_t i = 0; i < fr->cap; i++)
		if (fr->slots[i])
			m += out_bytes(fr->slots[i]->nlri_len);
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
