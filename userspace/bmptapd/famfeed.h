/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A collector's view of a peer's other families (famrib.h), next to the
 * unicast one replay.c and fanout.c keep: the replay after Peer Up, the
 * changes coalesced while the collector lags, and the RIB's outcome of an
 * UPDATE with RFC 7606 errors, all rebuilt from the peer's famrib
 * (famreplay.h) in the pre-policy view.  A collector with a `families`
 * selection takes none of them (it names unicast families only).
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
/* The changes of the UPDATE just applied (peers.fchg) for later. */
void famfeed_mark_dirty(struct collector *c, struct cpeer *cp);
/* One step of the coalesced changes; false when there was none left. */
bool famfeed_flush_step(struct collector *c, struct cpeer *cp, size_t max);
/* End-of-RIB markers owed since the collector fell behind. */
void famfeed_flush_eor(struct collector *c, struct cpeer *cp);
/* Live, for an UPDATE passed on without its bytes: its famrib changes. */
void famfeed_live(struct collector *c, struct cpeer *cp, uint64_t ts);

#endif
