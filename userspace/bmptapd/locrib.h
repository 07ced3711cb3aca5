/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Loc-RIB instance (RFC 9069): one path per prefix, from one of two
 * sources (Documentation/operator-guide.md, "What Loc-RIB means here").
 *
 * Kernel routes: when the routes the local daemon installed in the host's
 * routing table are observable (kroute.h), the Loc-RIB holds, for each of
 * them, the Adj-RIB-In path it came from: a route of the same prefix from
 * an established peer whose next hop (NEXT_HOP, or either next hop of
 * MP_REACH_NLRI) or address equals one of the route's gateways.  Of several
 * such paths (ECMP, or two peers announcing the same next hop) the one the
 * post-policy verdict accepts, then the one the decision process below
 * prefers, is reported.  An installed route with no such path is left out
 * and counted (struct kroute unjoined).  A prefix without an installed
 * route is not in the Loc-RIB.
 *
 * Decision process: otherwise, the path the RFC 4271 decision process
 * would select over the post-policy Adj-RIBs-In of the established peers
 * (9.1.2.2, in order): highest LOCAL_PREF (100 when absent), shortest
 * AS_PATH (an AS_SET counts 1, confederation segments 0), lowest ORIGIN,
 * lowest MED among routes from the same neighbor AS (absent: 0), eBGP over
 * iBGP, lowest BGP ID (ORIGINATOR_ID when present), shortest CLUSTER_LIST,
 * lowest peer address.  The IGP cost to the next hop (step e) is not
 * observable and skipped.  Keyed by prefix alone: one best path each.
 */
#ifndef BMPTAP_LOCRIB_H
#define BMPTAP_LOCRIB_H

#include "peer.h"

enum locrib_source {
	LOCRIB_SRC_AUTO,	/* kernel routes once one was seen, else decision */
	LOCRIB_SRC_KERNEL,
	LOCRIB_SRC_DECISION,
};

/* Whether the kernel-route source is in effect now. */
bool locrib_kernel(const struct peers *ps);
const char *locrib_source_name(const struct peers *ps);

/*
 * Recomputes the Loc-RIB entry of pfx (its path id only selects which path
 * of hint, an ADD-PATH peer, to consider; other peers are looked up with
 * path id 0).  Changes are appended to ps->lchg.
 */
void locrib_recompute(struct peers *ps, const struct bgp_prefix *pfx, const struct peer *hint);

/*
 * Sizes the Loc-RIB, before it is derived from tables loaded at once, for
 * the largest Adj-RIB-In of an established peer, family by family: each
 * prefix of that one has an entry or none.
 */
void locrib_reserve(struct peers *ps);

/*
 * The Loc-RIB instance, started with the first established session (only
 * then are the local AS and BGP ID known, from the OPEN the daemon sent).
 */
void locrib_start(struct peers *ps, const struct peer *first, uint64_t ts_ns);
/* Sends the Loc-RIB changes collected in ps->lchg. */
void locrib_flush(struct peers *ps, uint64_t ts);

/* rib_prefetch() for pfx's Loc-RIB entry, ahead of locrib_recompute(). */
void locrib_prefetch(const struct peers *ps, const struct bgp_prefix *pfx);

/* < 0 when route a (of peer pa) is preferred over b (of pb). */
int locrib_compare(const struct peers *ps, const struct peer *pa, const struct attr_set *a,
		   const struct peer *pb, const struct attr_set *b);

/* A fabricated OPEN for the Loc-RIB Peer Up (RFC 9069 5.3). */
size_t locrib_open(uint8_t *out, size_t max, uint32_t as, uint32_t bgp_id);

#endif
