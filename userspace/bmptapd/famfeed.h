/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A collector's view of a peer's other families (famrib.h), next to the
 * unicast one replay.c and fanout.c keep: the replay after Peer Up, the
 * changes coalesced while the collector lags, and the RIB's outcome of an
 * UPDATE with RFC 7606 errors, all rebuilt from the peer's famrib
 * (famreplay.h) in the pre- and post-policy views.  Post-policy, a route's
 * verdict is its attribute checks (policy_attr_verdict(): loops, AS path
 * and community filters); prefix filters are unicast ones.  A collector
 * with a `families` selection takes the families it names only.
 */
#ifndef BMPTAP_FAMFEED_H
#define BMPTAP_FAMFEED_H

#include "collector.h"

/* The replay starts: the peer's famrib frozen until famfeed_stop(). */
void famfeed_start(struct cpeer *cp);
void famfeed_stop(struct cpeer *cp);
/* Frees what cp holds (it is going away). */
void famfeed_free(struct cpeer *cp);
/* One step of at most max routes; true once every family went out. */
bool famfeed_replay_step(struct collector *c, struct cpeer *cp, size_t max);
/* The changes of the UPDATE just applied (peers.fchg) for later; out: the
 * local speaker's UPDATE (Adj-RIB-Out). */
void famfeed_mark_dirty(struct collector *c, struct cpeer *cp, bool out);
/* One step of the coalesced changes; false when there was none left. */
bool famfeed_flush_step(struct collector *c, struct cpeer *cp, size_t max);
/* End-of-RIB markers owed since the collector fell behind. */
void famfeed_flush_eor(struct collector *c, struct cpeer *cp);
/*
 * Live, the famrib changes of the UPDATE just applied in one view: the
 * pre-policy one when the UPDATE is passed on without its bytes, the
 * post-policy one always (routes now accepted announced, routes no longer
 * accepted withdrawn).  For the Loc-RIB instance (view VIEW_LOCRIB), the
 * changes famloc.h made (peers.flchg); it sends no Adj-RIB-Out.
 */
void famfeed_live(struct collector *c, struct cpeer *cp, int view, uint64_t ts);

#endif
