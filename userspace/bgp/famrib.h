/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-peer Adj-RIB of every family rib.c does not keep (issue 17):
 * multicast, labeled unicast, VPN, EVPN, MVPN, RT constraint, flowspec,
 * BGP-LS (nlri.h lists them and their keys).
 *
 *   (family, path id, key) -> (the route's NLRI as received, attribute set)
 *
 * The key is what a withdrawal names the route by (nlri.h): a VPN route
 * announced again with another label replaces the old one, an EVPN MAC/IP
 * route with another ESI too.  The attribute set holds the family's next
 * hop in an MP_REACH_NLRI attribute (attr.h, ATTR_FAM_MP), so a replay
 * rebuilds the UPDATE the peer sent: its attributes, its next hop, the
 * NLRI byte for byte.
 *
 * Their NLRI vary in length (4 to over 4000 octets of flowspec): each route
 * is a 32-octet entry from chunks of them, its NLRI inside when it is 16
 * octets or less (a VPNv4 route), else in a heap block of its own; no key
 * is stored (it is derived from the NLRI again); one open-addressing index
 * of pointers finds them.  While frozen, entries do not move, so a replay's
 * walk holds pointers to them, and a withdrawal keeps its entry as a
 * tombstone until the last walk ends; unfrozen, a resize packs them into
 * fresh chunks.  The index, the chunks and the blocks are charged to the
 * peer's budget (budget.h) as allocated, as rib.c charges its tables: over
 * it, a route is refused and counted, an older version of it kept.
 *
 * RFC 7606 section 5.3 / RFC 4760 section 7: NLRI of a family that cannot
 * be split into routes, or an MP_REACH_NLRI whose next hop overruns it,
 * disable that family as rib.c does for unicast: its routes go, later
 * UPDATEs of it are ignored until the session ends.
 *
 * A family nlri.h cannot split at all (nlri_family_find() NULL) is "live
 * only": nothing of it is kept, its UPDATEs reach the collectors' live feed
 * as received, and the peer lists it with its UPDATE count (`bmptapctl
 * show peers`, "live_only").  Its routes cannot be replayed: a collector
 * that (re)connects gets "messages lost" for that peer after its replay.
 */
#ifndef BMPTAP_FAMRIB_H
#define BMPTAP_FAMRIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attr.h"
#include "bgp.h"
#include "budget.h"
#include "buf.h"
#include "nlri.h"

struct fr_route;
struct fr_chunk;

/* A family with no RIB: the first FAMRIB_LIVE_ONLY_MAX seen, by AFI/SAFI. */
#define FAMRIB_LIVE_ONLY_MAX 4
struct famrib_live_only {
	uint16_t afi;
	uint8_t safi;
	uint64_t updates;		/* UPDATEs that carried it */
};

struct famrib {
	struct attr_table *attrs;	/* shared, not owned */
	struct budget *bud;		/* not owned; NULL: unlimited */
	struct fr_route **slots;	/* NULL or a route (tombstone: attr 0) */
	uint32_t cap;			/* power of two, or 0 */
	uint32_t used;			/* slots taken, tombstones included */
	struct fr_chunk *chunks;	/* where the entries live (famrib.c) */
	struct fr_route *free_entries;	/* entries of chunks not in use */
	uint32_t count[NLRI_FAMILIES];	/* routes by nlri_family_index() */
	bool disabled[NLRI_FAMILIES];	/* RFC 7606 AFI/SAFI disable in effect */
	uint32_t seen;			/* bit per family the session's UPDATEs carried */
	/* RFC 8277 Multiple Labels: labels a route of the family may carry
	 * (0 or 1: one); part of how its NLRI splits, set by famrib_session(). */
	uint8_t max_labels[NLRI_FAMILIES];
	uint32_t frozen;		/* walks under way: withdrawals leave tombstones */
	/* As rib.h: statistics types 1 and 2, and routes over the budget. */
	uint64_t dup_announce, dup_withdraw;
	uint64_t refused;
	struct famrib_live_only live_only[FAMRIB_LIVE_ONLY_MAX];
	uint8_t n_live_only;
	uint64_t live_only_more;	/* UPDATEs of live-only families not listed */
};

/* One route as a walk hands it out; nlri points into the store. */
struct famrib_entry {
	uint8_t fam;			/* nlri_family_index() */
	uint32_t path_id;
	uint32_t attr;
	struct bgp_span nlri;		/* path id excluded */
};

/* A route whose attribute set changed; 0 is "no route".  nlri is valid
 * during the call only. */
typedef void (*famrib_change_fn)(void *ctx, const struct famrib_entry *e, uint32_t old_attr,
				 uint32_t new_attr);

void famrib_init(struct famrib *fr, struct attr_table *attrs, struct budget *bud);
void famrib_free(struct famrib *fr);
/* Drops every route and lifts the disables: session down, a new session. */
void famrib_reset(struct famrib *fr, famrib_change_fn cb, void *ctx);

/*
 * Applies the MP_REACH/MP_UNREACH_NLRI of u whose family rib.c does not
 * keep, as rib_apply() does (withdrawals first, treat-as-withdraw, nothing
 * on session reset).  addpath: bit nlri_family_index() for the families
 * whose NLRI carry path ids.  0, -ENOMEM, or -ENOSPC when a route was
 * refused by the budget (fr->refused counts them).
 */
int famrib_apply(struct famrib *fr, const struct bgp_update *u, uint32_t addpath,
		 famrib_change_fn cb, void *ctx);
/*
 * The addpath argument of famrib_apply() for the remote's UPDATEs of
 * session s (tx: the local speaker's, for its Adj-RIB-Out), RFC 7911 as
 * negotiated for each family, and the labels per route they may carry
 * (RFC 8277) into fr.  Families whose path
 * ids depend on how the routers read duplicate tuples (bgp.h, ambiguous)
 * are disabled in fr, as rib.c's are: their routes are not decoded.
 */
uint32_t famrib_session(struct famrib *fr, const struct bgp_session *s, bool tx);
/* The routes in u's MP_REACH_NLRI of a family famrib keeps (0 when it
 * is malformed): statistics type 12 counts them. */
size_t famrib_reach_routes(const struct famrib *fr, const struct bgp_update *u, uint32_t addpath);
/* Whether famrib_apply() ignored some route of u: its family is disabled
 * (now or earlier).  Live-only families are not ignored: they are carried. */
bool famrib_ignores_part(const struct famrib *fr, const struct bgp_update *u);
/* The family (nlri_family_index()) u is the End-of-RIB of (RFC 4724), or -1. */
int famrib_eor(const struct bgp_update *u);
/* Whether the peer sent UPDATEs of a live-only family. */
static inline bool famrib_has_live_only(const struct famrib *fr)
{
	return fr->n_live_only > 0;
}

/* Routes of every family it keeps. */
uint32_t famrib_total(const struct famrib *fr);
/* Bytes of the index and the routes (attribute sets not included). */
size_t famrib_mem(const struct famrib *fr);

/*
 * Stores route nlri (one route, path id apart) of family fam with set attr
 * (a reference is taken), as announced: a checkpoint restoring the store.
 * 0, -EINVAL when nlri is not one route of fam, -ENOMEM, -ENOSPC.
 */
int famrib_put(struct famrib *fr, unsigned fam, uint32_t path_id, struct bgp_span nlri,
	       uint32_t attr);

/*
 * Route changes as records (family, path id, NLRI) in a buffer, for a
 * collector to catch up on later: famrib_chg_add() appends e (NLRI
 * copied), famrib_chg_next() reads the record at *off into e (its NLRI
 * pointing into b) and advances; false at the end or on a bad record.
 */
void famrib_chg_add(struct buf *b, const struct famrib_entry *e);
bool famrib_chg_next(const struct buf *b, size_t *off, struct famrib_entry *e);
/* The route now stored under the key of e's NLRI and path id (e->attr
 * ignored) into cur: false when there is none. */
bool famrib_lookup(const struct famrib *fr, const struct famrib_entry *e,
		   struct famrib_entry *cur);

/*
 * Checkpoint section (checkpoint.c, famrib_ckpt.c): fr's routes and state
 * appended to b, each route's set as index(ctx, id).  famrib_ckpt_attrs()
 * calls fn for the set of every route first (numbering them).
 * famrib_ckpt_load() reads a section of len octets back into fr (NULL:
 * only checked, with set indexes below n_sets), each set as id(ctx,
 * index) (0: none); -EINVAL when malformed, else 0 with *refused the routes
 * the budget or memory refused.
 */
void famrib_ckpt_attrs(const struct famrib *fr, void (*fn)(void *ctx, uint32_t id), void *ctx);
void famrib_ckpt_save(const struct famrib *fr, uint32_t addpath, struct buf *b,
		      uint32_t (*index)(void *ctx, uint32_t id), void *ctx);
int famrib_ckpt_load(struct famrib *fr, uint32_t *addpath, const uint8_t *p, size_t len,
		     uint32_t n_sets, uint32_t (*id)(void *ctx, uint32_t index), void *ctx,
		     size_t *refused);

/*
 * Walks.  famrib_order() gives fam's routes ordered by attribute set (so a
 * replay packs one set's routes into few UPDATEs), malloc'd, *n of them;
 * NULL when there are none or memory is short.  The pointers stay valid
 * while the store is frozen (or not changed).  famrib_walk() copies up to
 * max routes still there from order[*pos..n) and advances *pos.
 */
void famrib_freeze(struct famrib *fr);
void famrib_thaw(struct famrib *fr);
struct fr_route **famrib_order(const struct famrib *fr, unsigned fam, uint32_t *n);
size_t famrib_walk(struct fr_route *const *order, uint32_t n, uint32_t *pos,
		   struct famrib_entry *e, size_t max);

#endif
