/*
 * Per-peer Adj-RIB-In (or -Out) for IPv4 and IPv6 unicast:
 * (prefix, path id) -> interned attribute set id.
 *
 * Memory is the constraint (a full table is ~1M IPv4 + ~230k IPv6 routes
 * per peer), so each family is one flat open-addressing table of 32-bit
 * words, no per-route allocation: 16 bytes per IPv4 slot, 28 per IPv6
 * slot, load kept between 3/8 and 3/4.
 */
#ifndef BMPTAP_RIB_H
#define BMPTAP_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attr.h"
#include "bgp.h"

struct rib_table {
	uint32_t *slots;	/* stride words each: attr id (0 = empty), path id, len, address */
	uint32_t cap;		/* slots, power of two */
	uint32_t count;
	uint8_t stride;
	uint64_t seed;		/* the attribute table's: keys are the peer's */
	/*
	 * Resumable walks (rib_walk_slots) need slots that stay put: while
	 * frozen > 0 a withdrawal leaves a tombstone (RIB_TOMB, key kept)
	 * instead of shifting its cluster, and the table never shrinks.  A
	 * growth rehash still happens and bumps gen, which tells walkers
	 * that their cursor is meaningless now.
	 */
	uint32_t tombs;
	uint32_t frozen;
	uint32_t gen;
};

#define RIB_TOMB UINT32_MAX

struct rib {
	struct attr_table *attrs;	/* shared, not owned */
	struct rib_table t[BGP_FAM_MAX];
	bool disabled[BGP_FAM_MAX];	/* RFC 7606 AFI/SAFI disable in effect */
	/* Announcements of a route with the attributes it already has, and
	 * withdrawals of a route not there (BMP statistics types 1 and 2). */
	uint64_t dup_announce, dup_withdraw;
	/* Charged with the route tables and the attribute sets this RIB
	 * creates (budget.h); NULL: unlimited.  Not owned. */
	struct budget *bud;
	uint64_t refused;	/* announcements not stored: over the budget */
	/* Routes of a family a refresh has not re-sent yet (RFC 7313): a
	 * table of their keys, attr word 1. */
	struct rib_table stale[BGP_FAM_MAX];
	bool refreshing[BGP_FAM_MAX];
};

/*
 * Called for each route whose attribute set changed; 0 stands for "no
 * route".  old_attr is still referenced during the call.
 */
typedef void (*rib_change_fn)(void *ctx, const struct bgp_prefix *p, uint32_t old_attr,
			      uint32_t new_attr);

void rib_init(struct rib *r, struct attr_table *attrs);
void rib_free(struct rib *r);

/*
 * Announces p with set id attr (a reference is taken).  0, -ENOMEM, or
 * -ENOSPC when storing a new route would pass the budget (r->refused
 * counts it; the route is not stored, an old version of it is kept).
 */
int rib_announce(struct rib *r, const struct bgp_prefix *p, uint32_t attr,
		 rib_change_fn cb, void *ctx);
void rib_withdraw(struct rib *r, const struct bgp_prefix *p, rib_change_fn cb, void *ctx);
/* Drops every route of fam (AFI/SAFI disable, session down). */
void rib_clear(struct rib *r, int fam, rib_change_fn cb, void *ctx);
/* Drops everything and lifts AFI/SAFI disables: a new session. */
void rib_reset(struct rib *r, rib_change_fn cb, void *ctx);

/*
 * Applies a parsed UPDATE with the RFC 7606 approach it was classified
 * with: nothing for session reset, withdrawals for treat-as-withdraw, a
 * family flush for AFI/SAFI disable.  0, or -ENOMEM / -ENOSPC as for
 * rib_announce (-ENOSPC when any refusal was the budget's): the RIB then
 * misses some announcements, withdrawals still applied.
 */
int rib_apply(struct rib *r, const struct bgp_update *u, rib_change_fn cb, void *ctx);
/* Whether rib_apply() ignores routes of u: a unicast family of it disabled
 * (RFC 7606 AFI/SAFI disable) by this or an earlier UPDATE.  The UPDATE as
 * received then says more than the RIB took.  The other families are
 * famrib.h's (famrib_ignores_part()). */
bool rib_ignores_part(const struct rib *r, const struct bgp_update *u);

/*
 * A route refresh of fam (RFC 7313).  rib_refresh_begin() marks every route
 * of fam stale, rib_announce() and rib_withdraw() clear a route's mark, and
 * rib_refresh_end() withdraws the routes still marked (cb as for
 * rib_withdraw) and returns how many.  The marks are a copy of the keys,
 * charged to the budget like the tables: -ENOSPC or -ENOMEM, and nothing
 * is marked.  A new begin, rib_refresh_abort() and rib_clear() drop them.
 */
int rib_refresh_begin(struct rib *r, int fam);
size_t rib_refresh_end(struct rib *r, int fam, rib_change_fn cb, void *ctx);
void rib_refresh_abort(struct rib *r, int fam);

/* Whether a refresh has not re-sent route p yet; rib_refresh_keep() takes
 * its mark off as if it had (a checkpoint restoring a refresh). */
bool rib_is_stale(const struct rib *r, const struct bgp_prefix *p);
void rib_refresh_keep(struct rib *r, const struct bgp_prefix *p);

/*
 * Sizes fam's table for n more routes at once, as the doublings of their
 * announcements one by one would end (a checkpoint's load, which knows the
 * count): no rehash while they go in.  0, -ENOSPC (budget) or -ENOMEM;
 * after a failure the announcements grow the table as usual.
 */
int rib_reserve(struct rib *r, int fam, uint32_t n);

uint32_t rib_lookup(const struct rib *r, const struct bgp_prefix *p);
/*
 * Starts loading the slot where p's search begins: a full table is far
 * larger than the caches, so issuing the misses of several routes before
 * working on them overlaps their latency.
 */
void rib_prefetch(const struct rib *r, const struct bgp_prefix *p);
static inline uint32_t rib_count(const struct rib *r, int fam) { return r->t[fam].count; }

/*
 * Table replay: calls cb with runs of routes sharing one attribute set,
 * at most RIB_GROUP_MAX per call (one set may span several calls, always
 * consecutive).  Stops at and returns cb's first nonzero result; -ENOMEM.
 * The cap is large enough that even a 65535-octet UPDATE of /24s is never
 * cut short by a batch boundary.
 */
#define RIB_GROUP_MAX 16384
typedef int (*rib_group_fn)(void *ctx, uint32_t attr, const struct bgp_prefix *p, size_t n);
int rib_walk_grouped(const struct rib *r, int fam, rib_group_fn cb, void *ctx);

/*
 * Incremental walk for a table replay that must not build the whole feed
 * at once.  Between rib_freeze() and rib_thaw() (counted, per family) slot
 * positions only change when rib_gen() changes.  rib_walk_slots() copies up
 * to max routes from *pos on into p[] / attr[] and advances *pos; the walk
 * is over when *pos >= the table's cap.  Routes changed during the walk may
 * or may not be seen: callers track those changes themselves.
 */
void rib_freeze(struct rib *r, int fam);
void rib_thaw(struct rib *r, int fam);
static inline uint32_t rib_gen(const struct rib *r, int fam) { return r->t[fam].gen; }
static inline uint32_t rib_cap(const struct rib *r, int fam) { return r->t[fam].cap; }
size_t rib_walk_slots(const struct rib *r, int fam, uint32_t *pos, struct bgp_prefix *p,
		      uint32_t *attr, size_t max);

/*
 * For a replay that packs the routes of one attribute set into few
 * UPDATEs: the slots of fam's routes ordered by set, malloc'd (4 bytes per
 * route, transient), *n of them; NULL when the family is empty or memory is
 * short (walk the slots instead).  Valid while the family stays frozen and
 * rib_gen() unchanged.  rib_walk_order() is rib_walk_slots() over
 * order[*pos..n): it copies up to max routes still there.
 */
uint32_t *rib_order_by_attr(const struct rib *r, int fam, uint32_t *n);
size_t rib_walk_order(const struct rib *r, int fam, const uint32_t *order, uint32_t n,
		      uint32_t *pos, struct bgp_prefix *p, uint32_t *attr, size_t max);

/* Bytes held by the route tables (not the shared attribute sets). */
size_t rib_mem(const struct rib *r);
/* Of those, the bytes of large tables mapped on their own, outside malloc. */
size_t rib_mem_mapped(const struct rib *r);

#endif
