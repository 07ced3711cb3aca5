/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Catch-up of a collector's view of each peer (struct cpeer, collector.h):
 * the full table replay and the coalesced dirty sets, generated from the
 * RIB while the collector has room.  For the feed's own files.
 */
#ifndef BMPTAP_REPLAY_H
#define BMPTAP_REPLAY_H

#include "collector.h"

#define REPLAY_BATCH	4096	/* routes taken from a RIB per pump step */

struct cpeer *cp_add(struct collector *c, struct peer *p);
void cp_del(struct collector *c, struct cpeer *cp);
void cp_del_all(struct collector *c);
void pset_free(struct pset *s);
/* Not live: the peer's whole table goes out again (RIBs frozen meanwhile). */
void cp_start_replay(struct cpeer *cp);
/* Every cpeer stops going out live: the collector fell behind. */
void coll_start_lagging(struct collector *c);
/* Changes the collector has not seen; flag PFX_OUT for the Adj-RIB-Out. */
void cp_mark_dirty(struct collector *c, struct cpeer *cp, const struct bgp_prefix *chg,
		   size_t n, uint8_t flag);
/* One change for a coalescing set: counted if added, else (over: past
 * max pending changes for live routes; or no memory) the collector gets a
 * new session. */
void cp_coalesced(struct collector *c, bool over, bool added, size_t max, size_t live);
/* The RIB state of n entries of one view as Route Monitoring (ids 0: withdrawn). */
void cp_emit_view(struct collector *c, struct cpeer *cp, int view,
		  const struct bgp_prefix *pfx, const uint32_t *ids, size_t n, uint64_t ts);
void cp_emit_eor_view(struct collector *c, struct cpeer *cp, int view, int fam);

#endif
