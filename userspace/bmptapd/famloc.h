/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Loc-RIB instance's routes of the other families (famrib.h: VPN,
 * EVPN, flowspec, labeled unicast, ...).  The daemons install none of them
 * in the namespace's routing table as routes of their family, so whatever
 * --loc-rib-source says, their Loc-RIB is always the decision process of
 * locrib.h (locrib_compare()) over the post-policy routes of the
 * established peers of the default VRF with the same family and key
 * (nlri.h: what a withdrawal names); as for unicast, of an ADD-PATH peer
 * only the path whose change triggered the computation (and path id 0)
 * is considered.  The winner is kept, with path id 0 and its NLRI as that
 * peer sent it, in the instance's famrib (ps->locrib->fr), from which the
 * collectors' replay, coalescing and live feed rebuild it (famfeed.h);
 * its changes are collected in ps->flchg for locrib_flush().
 */
#ifndef BMPTAP_FAMLOC_H
#define BMPTAP_FAMLOC_H

#include "peer.h"

/* Recomputes the Loc-RIB route of e's family and key (e->path_id: of hint). */
void famloc_recompute(struct peers *ps, const struct famrib_entry *e, const struct peer *hint);
/* The keys of the changes ps->fchg of hint's UPDATE whose old or new
 * route was accepted (ps->fchg_ok). */
void famloc_recompute_chg(struct peers *ps, const struct peer *hint);
/* A famrib_change_fn (ctx: the peers) for a store whose peer is no longer
 * established: each route it drops is recomputed without it. */
void famloc_on_drop(void *ctx, const struct famrib_entry *e, uint32_t old, uint32_t new);
/* Every key any established peer holds (filters changed, restore). */
void famloc_recompute_all(struct peers *ps);

#endif
