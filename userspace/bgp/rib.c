#include "rib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum { W_ATTR, W_PATH_ID, W_LEN, W_ADDR };

#define RIB_AHEAD 8	/* routes whose slots are prefetched together */
#define RIB_HUGE_MIN (2u << 20)	/* tables this large get their own mapping */
/* Slot indexes are 32-bit: doubling stops here (1.5 G routes of one family,
 * 12-24 GB of slots) instead of wrapping to a zero-sized table. */
#define RIB_CAP_MAX (1u << 31)

static size_t table_bytes(const struct rib_table *t)
{
	return (size_t)t->cap * t->stride * 4u;
}

/*
 * A full table's slots span tens of MB: with 4 KiB pages nearly every
 * probe also misses the TLB.  Large tables are mapped on their own and
 * offered to transparent huge pages (where the system grants them on
 * request), which turns those misses into a handful of TLB entries; the
 * mapping also goes back to the system whole when the table is freed.
 */
static uint32_t *slots_alloc(size_t bytes)
{
	void *p;
	if (bytes < RIB_HUGE_MIN)
		return calloc(1, bytes);
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, bytes, MADV_HUGEPAGE);
	return p;
}

static void slots_free(struct rib *r, const struct rib_table *t)
{
	budget_sub(r->bud, table_bytes(t));
	if (table_bytes(t) < RIB_HUGE_MIN)
		free(t->slots);
	else
		munmap(t->slots, table_bytes(t));
}

void rib_init(struct rib *r, struct attr_table *attrs)
{
	memset(r, 0, sizeof(*r));
	r->attrs = attrs;
	r->t[BGP_FAM_IPV4].stride = W_ADDR + 1;
	r->t[BGP_FAM_IPV6].stride = W_ADDR + 4;
	for (int f = 0; f < BGP_FAM_MAX; f++)
		r->t[f].seed = attrs ? attrs->seed : 0;
}

void rib_free(struct rib *r)
{
	rib_reset(r, NULL, NULL);
	for (int f = 0; f < BGP_FAM_MAX; f++)
		slots_free(r, &r->t[f]);
	memset(r->t, 0, sizeof(r->t));
}

static void make_key(const struct rib_table *t, const struct bgp_prefix *p, uint32_t *k)
{
	k[W_ATTR] = 0;
	k[W_PATH_ID] = p->path_id;
	k[W_LEN] = p->len;
	memcpy(k + W_ADDR, p->addr, (t->stride - W_ADDR) * 4u);
}

static void key_prefix(const struct rib_table *t, int fam, const uint32_t *k, struct bgp_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->fam = (uint8_t)fam;
	p->path_id = k[W_PATH_ID];
	p->len = (uint8_t)k[W_LEN];
	memcpy(p->addr, k + W_ADDR, (t->stride - W_ADDR) * 4u);
}

static uint32_t key_hash(const struct rib_table *t, const uint32_t *k)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ t->seed;
	for (unsigned i = W_PATH_ID; i < t->stride; i++) {
		h = (h ^ k[i]) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return (uint32_t)h;
}

static bool key_eq(const struct rib_table *t, const uint32_t *a, const uint32_t *b)
{
	/* Words, not memcmp(): 3 or 6 of them, compared inline on the hot
	 * path; the address's first word first, as it tells most apart. */
	if (a[W_ADDR] != b[W_ADDR])
		return false;
	for (unsigned i = W_PATH_ID; i < t->stride; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static uint32_t *slot(const struct rib_table *t, uint32_t i) { return t->slots + (size_t)i * t->stride; }

/* Returns the slot holding k, or the empty slot where it would go. */
static uint32_t find(const struct rib_table *t, const uint32_t *k)
{
	uint32_t mask = t->cap - 1, i = key_hash(t, k) & mask;
	while (slot(t, i)[W_ATTR] && !key_eq(t, slot(t, i), k))
		i = (i + 1) & mask;
	return i;
}

static bool live(const uint32_t *s) { return s[W_ATTR] && s[W_ATTR] != RIB_TOMB; }

static int resize(struct rib *r, struct rib_table *t, uint32_t cap)
{
	struct rib_table n = *t;
	n.cap = cap;
	n.tombs = 0;
	n.gen = t->gen + 1;
	/* Steady-state cost: the old table goes right after the copy. */
	if (cap > t->cap && !budget_fits(r->bud, table_bytes(&n) - table_bytes(t)))
		return -ENOSPC;
	n.slots = slots_alloc(table_bytes(&n));
	if (!n.slots)
		return -ENOMEM;
	for (uint32_t i = 0; i < t->cap; i++) {
		uint32_t *s = slot(t, i);
		if (live(s))
			memcpy(slot(&n, find(&n, s)), s, t->stride * 4u);
	}
	slots_free(r, t);
	budget_add(r->bud, table_bytes(&n));
	*t = n;
	return 0;
}

static void erase(struct rib_table *t, uint32_t i)
{
	uint32_t mask = t->cap - 1;
	if (t->frozen) {
		/* Keep the key: find() still probes past it, a re-announce revives it. */
		slot(t, i)[W_ATTR] = RIB_TOMB;
		t->tombs++;
		t->count--;
		return;
	}
	for (uint32_t j = i;;) {
		j = (j + 1) & mask;
		uint32_t *sj = slot(t, j);
		if (!sj[W_ATTR])
			break;
		uint32_t k = key_hash(t, sj) & mask;
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		memcpy(slot(t, i), sj, t->stride * 4u);
		i = j;
	}
	slot(t, i)[W_ATTR] = 0;
	t->count--;
}

/* A refresh re-sent (or withdrew) the route with key k: no longer stale. */
static void unmark(struct rib *r, int fam, const uint32_t *k)
{
	struct rib_table *st = &r->stale[fam];
	uint32_t i;

	if (!st->count)
		return;
	i = find(st, k);
	if (slot(st, i)[W_ATTR])
		erase(st, i);
}

int rib_announce(struct rib *r, const struct bgp_prefix *p, uint32_t attr,
		 rib_change_fn cb, void *ctx)
{
	struct rib_table *t = &r->t[p->fam];
	uint32_t k[W_ADDR + 4];
	if (!attr)
		return -EINVAL;
	make_key(t, p, k);
	unmark(r, p->fam, k);
	if (((uint64_t)t->count + t->tombs + 1) * 4 > (uint64_t)t->cap * 3) {
		/* Frozen, churn fills the table with tombstones: rehash them
		 * away at the same size while the live routes fit in half of
		 * it, rather than double it each time (a long replay under
		 * churn would grow the table without bound).  So a frozen
		 * table stays under 4x its largest live count (or 1024). */
		uint64_t cap = t->tombs && ((uint64_t)t->count + 1) * 2 <= t->cap ? t->cap :
			       t->cap ? (uint64_t)t->cap * 2 : 1024;
		if (cap > RIB_CAP_MAX)
			return -ENOMEM;
		/* Below the cap only a new key needs the room: a replacement
		 * never fails. */
		uint32_t have = t->cap ? slot(t, find(t, k))[W_ATTR] : 0;

		if (!have || have == RIB_TOMB) {
			int err = resize(r, t, (uint32_t)cap);

			if (err == -ENOSPC)
				r->refused++;
			if (err)
				return err;
		}
	}
	uint32_t *s = slot(t, find(t, k));
	uint32_t old = s[W_ATTR];
	if (old == attr) {
		r->dup_announce++;
		return 0;
	}
	bool tomb = old == RIB_TOMB;
	if (tomb)
		old = 0;
	attr_ref(r->attrs, attr);
	if (cb)
		cb(ctx, p, old, attr);
	if (old) {
		attr_unref(r->attrs, old);
	} else {
		memcpy(s, k, t->stride * 4u);
		t->count++;
		if (tomb)
			t->tombs--;
	}
	s[W_ATTR] = attr;
	return 0;
}

void rib_withdraw(struct rib *r, const struct bgp_prefix *p, rib_change_fn cb, void *ctx)
{
	struct rib_table *t = &r->t[p->fam];
	uint32_t k[W_ADDR + 4];
	make_key(t, p, k);
	unmark(r, p->fam, k);
	if (!t->count) {
		r->dup_withdraw++;
		return;
	}
	uint32_t i = find(t, k), old = slot(t, i)[W_ATTR];
	if (!old || old == RIB_TOMB) {
		r->dup_withdraw++;
		return;
	}
	if (cb)
		cb(ctx, p, old, 0);
	erase(t, i);
	attr_unref(r->attrs, old);
	/* Shrink after mass withdrawals so a flapped full table is returned. */
	if (!t->frozen && t->cap > 1024 && (uint64_t)t->count * 4 < t->cap)
		resize(r, t, t->cap / 2);
}

void rib_clear(struct rib *r, int fam, rib_change_fn cb, void *ctx)
{
	struct rib_table *t = &r->t[fam];
	struct bgp_prefix p;
	for (uint32_t i = 0; i < t->cap; i++) {
		uint32_t *s = slot(t, i);
		if (!live(s)) {
			s[W_ATTR] = 0;
			continue;
		}
		if (cb) {
			key_prefix(t, fam, s, &p);
			cb(ctx, &p, s[W_ATTR], 0);
		}
		attr_unref(r->attrs, s[W_ATTR]);
		s[W_ATTR] = 0;
	}
	t->count = 0;
	t->tombs = 0;
	t->gen++;
	if (t->cap > 1024)
		resize(r, t, 1024);
	rib_refresh_abort(r, fam);
}

int rib_refresh_begin(struct rib *r, int fam)
{
	const struct rib_table *t = &r->t[fam];
	struct rib_table st = { .stride = t->stride, .seed = t->seed, .cap = t->cap };

	rib_refresh_abort(r, fam);
	if (t->count) {
		/* The table's own size keeps the marks' load under 3/4. */
		if (!budget_fits(r->bud, table_bytes(&st)))
			return -ENOSPC;
		st.slots = slots_alloc(table_bytes(&st));
		if (!st.slots)
			return -ENOMEM;
		budget_add(r->bud, table_bytes(&st));
		for (uint32_t i = 0; i < t->cap; i++) {
			const uint32_t *s = slot(t, i);
			uint32_t *d;

			if (!live(s))
				continue;
			d = slot(&st, find(&st, s));
			memcpy(d, s, t->stride * 4u);
			d[W_ATTR] = 1;
			st.count++;
		}
	} else {
		st.cap = 0;
	}
	r->stale[fam] = st;
	r->refreshing[fam] = true;
	return 0;
}

size_t rib_refresh_end(struct rib *r, int fam, rib_change_fn cb, void *ctx)
{
	struct rib_table st = r->stale[fam];
	struct bgp_prefix p;
	size_t n = 0;

	if (!r->refreshing[fam])
		return 0;
	/* Detached first: the withdrawals below would unmark into it. */
	memset(&r->stale[fam], 0, sizeof(st));
	r->refreshing[fam] = false;
	for (uint32_t i = 0; i < st.cap; i++) {
		if (!slot(&st, i)[W_ATTR])
			continue;
		key_prefix(&st, fam, slot(&st, i), &p);
		rib_withdraw(r, &p, cb, ctx);
		n++;
	}
	slots_free(r, &st);
	return n;
}

void rib_refresh_abort(struct rib *r, int fam)
{
	slots_free(r, &r->stale[fam]);
	memset(&r->stale[fam], 0, sizeof(r->stale[fam]));
	r->refreshing[fam] = false;
}

bool rib_is_stale(const struct rib *r, const struct bgp_prefix *p)
{
	const struct rib_table *st = &r->stale[p->fam];
	uint32_t k[W_ADDR + 4];

	if (!st->count)
		return false;
	make_key(st, p, k);
	return slot(st, find(st, k))[W_ATTR] != 0;
}

void rib_refresh_keep(struct rib *r, const struct bgp_prefix *p)
{
	uint32_t k[W_ADDR + 4];

	make_key(&r->t[p->fam], p, k);
	unmark(r, p->fam, k);
}

void rib_reset(struct rib *r, rib_change_fn cb, void *ctx)
{
	for (int f = 0; f < BGP_FAM_MAX; f++) {
		rib_clear(r, f, cb, ctx);
		r->disabled[f] = false;
	}
}

int rib_reserve(struct rib *r, int fam, uint32_t n)
{
	struct rib_table *t = &r->t[fam];
	uint64_t cap = t->cap ? t->cap : 1024;

	if (!n)
		return 0;
	while (((uint64_t)t->count + t->tombs + n) * 4 > cap * 3)
		cap *= 2;
	if (cap > RIB_CAP_MAX)
		return -ENOMEM;
	return cap == t->cap ? 0 : resize(r, t, (uint32_t)cap);
}

uint32_t rib_lookup(const struct rib *r, const struct bgp_prefix *p)
{
	const struct rib_table *t = &r->t[p->fam];
	uint32_t k[W_ADDR + 4];
	if (!t->count)
		return 0;
	make_key(t, p, k);
	uint32_t a = slot(t, find(t, k))[W_ATTR];
	return a == RIB_TOMB ? 0 : a;
}

void rib_prefetch(const struct rib *r, const struct bgp_prefix *p)
{
	const struct rib_table *t = &r->t[p->fam];
	uint32_t k[W_ADDR + 4];
	if (!t->cap)
		return;
	make_key(t, p, k);
	__builtin_prefetch(slot(t, key_hash(t, k) & (t->cap - 1)));
}

static void withdraw_span(struct rib *r, struct bgp_span s, int fam, bool addpath,
			  rib_change_fn cb, void *ctx)
{
	struct bgp_nlri_iter it;
	struct bgp_prefix p;
	bgp_nlri_iter_init(&it, s, fam, addpath);
	while (bgp_nlri_next(&it, &p))
		rib_withdraw(r, &p, cb, ctx);
}

static int announce_span(struct rib *r, const struct bgp_update *u, struct bgp_span s, int fam,
			 struct bgp_span nh, rib_change_fn cb, void *ctx)
{
	struct bgp_nlri_iter it;
	struct bgp_prefix p[RIB_AHEAD];
	size_t n;
	int err = 0;
	if (!s.len)
		return 0;
	if (u->treat_as_withdraw) {
		/* Not the peer withdrawing: keep these out of the duplicates. */
		uint64_t dups = r->dup_withdraw;
		withdraw_span(r, s, fam, u->addpath[fam], cb, ctx);
		r->dup_withdraw = dups;
		return 0;
	}
	uint32_t id = attr_intern_update(r->attrs, r->bud, u, fam, nh);
	bgp_nlri_iter_init(&it, s, fam, u->addpath[fam]);
	if (!id) {
		/* None of them stored: each counted as refused by the budget. */
		if (!r->attrs->refused)
			return -ENOMEM;
		while (bgp_nlri_next(&it, &p[0]))
			r->refused++;
		return -ENOSPC;
	}
	do {
		for (n = 0; n < RIB_AHEAD && bgp_nlri_next(&it, &p[n]); n++)
			rib_prefetch(r, &p[n]);
		for (size_t i = 0; i < n; i++) {
			int e = rib_announce(r, &p[i], id, cb, ctx);

			if (e && err != -ENOSPC)
				err = e;
		}
	} while (n == RIB_AHEAD);
	attr_unref(r->attrs, id);
	return err;
}

static bool usable(const struct rib *r, const struct bgp_update *u, int fam)
{
	return fam >= 0 && !r->disabled[fam] && !(u->disable_mask & (1u << fam));
}

bool rib_ignores_part(const struct rib *r, const struct bgp_update *u)
{
	/* The other families are famrib.h's: famrib_ignores_part(). */
	return ((u->withdrawn.len || u->nlri.len) && !usable(r, u, BGP_FAM_IPV4)) ||
	       (u->reach.present && u->reach.fam >= 0 && !usable(r, u, u->reach.fam)) ||
	       (u->unreach.present && u->unreach.fam >= 0 && !usable(r, u, u->unreach.fam));
}

int rib_apply(struct rib *r, const struct bgp_update *u, rib_change_fn cb, void *ctx)
{
	int err = 0;
	if (u->action == BGP_ACT_RESET)
		return 0;
	for (int f = 0; f < BGP_FAM_MAX; f++) {
		if ((u->disable_mask & (1u << f)) && !r->disabled[f]) {
			rib_clear(r, f, cb, ctx);
			r->disabled[f] = true;
		}
	}
	if (usable(r, u, BGP_FAM_IPV4))
		withdraw_span(r, u->withdrawn, BGP_FAM_IPV4, u->addpath[BGP_FAM_IPV4], cb, ctx);
	if (u->unreach.present && usable(r, u, u->unreach.fam))
		withdraw_span(r, u->unreach.nlri, u->unreach.fam, u->addpath[u->unreach.fam], cb, ctx);
	if (usable(r, u, BGP_FAM_IPV4)) {
		struct bgp_attr nh;
		struct bgp_span s = { NULL, 0 };
		if (bgp_update_attr(u, BGP_ATTR_NEXT_HOP, &nh))
			s = (struct bgp_span){ nh.val, nh.len };
		err = announce_span(r, u, u->nlri, BGP_FAM_IPV4, s, cb, ctx);
	}
	if (u->reach.present && usable(r, u, u->reach.fam)) {
		int e = announce_span(r, u, u->reach.nlri, u->reach.fam, u->reach.nh, cb, ctx);

		if (e && err != -ENOSPC)
			err = e;
	}
	return err;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int rib_walk_grouped(const struct rib *r, int fam, rib_group_fn cb, void *ctx)
{
	const struct rib_table *t = &r->t[fam];
	if (!t->count)
		return 0;
	/* Sort (attr id, slot) pairs: transient 8 bytes per route. */
	uint64_t *order = malloc((size_t)t->count * sizeof(*order));
	struct bgp_prefix *batch = malloc(RIB_GROUP_MAX * sizeof(*batch));
	int ret = 0;
	if (!order || !batch) {
		ret = -ENOMEM;
		goto out;
	}
	size_t n = 0;
	for (uint32_t i = 0; i < t->cap; i++)
		if (live(slot(t, i)))
			order[n++] = (uint64_t)slot(t, i)[W_ATTR] << 32 | i;
	qsort(order, n, sizeof(*order), cmp_u64);
	size_t nb = 0;
	for (size_t i = 0; i < n && !ret; i++) {
		uint32_t id = (uint32_t)(order[i] >> 32);
		key_prefix(t, fam, slot(t, (uint32_t)order[i]), &batch[nb++]);
		if (nb == RIB_GROUP_MAX || i + 1 == n || (uint32_t)(order[i + 1] >> 32) != id) {
			ret = cb(ctx, id, batch, nb);
			nb = 0;
		}
	}
out:
	free(order);
	free(batch);
	return ret;
}

void rib_freeze(struct rib *r, int fam)
{
	r->t[fam].frozen++;
}

void rib_thaw(struct rib *r, int fam)
{
	struct rib_table *t = &r->t[fam];
	if (!t->frozen || --t->frozen)
		return;
	/* Rehash away the tombstones (and shrink if withdrawals emptied it);
	 * on allocation failure they simply stay until the next resize. */
	if (t->tombs) {
		uint32_t cap = t->cap;
		while (cap > 1024 && (uint64_t)t->count * 4 < cap)
			cap /= 2;
		resize(r, t, cap);
	}
}

size_t rib_walk_slots(const struct rib *r, int fam, uint32_t *pos, struct bgp_prefix *p,
		      uint32_t *attr, size_t max)
{
	const struct rib_table *t = &r->t[fam];
	size_t n = 0;
	uint32_t i = *pos;
	for (; i < t->cap && n < max; i++) {
		const uint32_t *s = slot(t, i);
		if (!live(s))
			continue;
		key_prefix(t, fam, s, &p[n]);
		attr[n++] = s[W_ATTR];
	}
	*pos = i;
	return n;
}

uint32_t *rib_order_by_attr(const struct rib *r, int fam, uint32_t *n)
{
	const struct rib_table *t = &r->t[fam];
	uint32_t ids = r->attrs->n_ids, *start, *order;
	*n = 0;
	if (!t->count)
		return NULL;
	/* A counting sort by set id: two passes over the table, no compares. */
	start = calloc((size_t)ids + 1, sizeof(*start));
	order = malloc((size_t)t->count * sizeof(*order));
	if (!start || !order) {
		free(start);
		free(order);
		return NULL;
	}
	for (uint32_t i = 0; i < t->cap; i++)
		if (live(slot(t, i)))
			start[slot(t, i)[W_ATTR] + 1]++;
	for (uint32_t id = 1; id <= ids; id++)
		start[id] += start[id - 1];
	for (uint32_t i = 0; i < t->cap; i++)
		if (live(slot(t, i)))
			order[start[slot(t, i)[W_ATTR]]++] = i;
	free(start);
	*n = t->count;
	return order;
}

size_t rib_walk_order(const struct rib *r, int fam, const uint32_t *order, uint32_t n,
		      uint32_t *pos, struct bgp_prefix *p, uint32_t *attr, size_t max)
{
	const struct rib_table *t = &r->t[fam];
	size_t k = 0;
	uint32_t i = *pos;
	for (; i < n && k < max; i++) {
		const uint32_t *s = slot(t, order[i]);
		if (!live(s))
			continue;
		key_prefix(t, fam, s, &p[k]);
		attr[k++] = s[W_ATTR];
	}
	*pos = i;
	return k;
}

size_t rib_mem(const struct rib *r)
{
	size_t m = 0;
	for (int f = 0; f < BGP_FAM_MAX; f++)
		m += table_bytes(&r->t[f]) + table_bytes(&r->stale[f]);
	return m;
}

size_t rib_mem_mapped(const struct rib *r)
{
	size_t m = 0;
	for (int f = 0; f < BGP_FAM_MAX; f++) {
		if (table_bytes(&r->t[f]) >= RIB_HUGE_MIN)
			m += table_bytes(&r->t[f]);
		if (table_bytes(&r->stale[f]) >= RIB_HUGE_MIN)
			m += table_bytes(&r->stale[f]);
	}
	return m;
}
