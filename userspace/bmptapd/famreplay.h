/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A collector's replay of one peer's famrib (famrib.h): every family in
 * turn, its routes grouped by attribute set into as few UPDATEs as fit
 * (bmp.h, bgp_encode_mp_update), then its End-of-RIB, in steps a
 * collector paces like the unicast replay.  The store stays frozen from
 * start to stop, so the walk's pointers stay valid across steps; routes
 * that change meanwhile reach the collector through its live or coalesced
 * feed, like unicast ones.
 */
#ifndef BMPTAP_FAMREPLAY_H
#define BMPTAP_FAMREPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp.h"
#include "buf.h"
#include "famrib.h"

struct fam_replay {
	unsigned fam;			/* the family being walked; NLRI_FAMILIES: done */
	struct fr_route **order;	/* its routes by attribute set */
	uint32_t n, pos;
	bool frozen;			/* holds famrib_freeze() */
};

/* One whole BGP UPDATE (an announcement or an End-of-RIB) for the collector. */
typedef void (*fam_emit_fn)(void *ctx, const uint8_t *update, size_t len);

void fam_replay_start(struct fam_replay *r, struct famrib *fr);
/* Ends (or abandons) the replay: the walk freed, the store thawed. */
void fam_replay_stop(struct fam_replay *r, struct famrib *fr);
static inline bool fam_replay_done(const struct fam_replay *r)
{
	return r->fam >= NLRI_FAMILIES;
}

/*
 * Up to max routes (at least one step of progress), encoded with codec c
 * and path ids for the families of addpath (bits as famrib_apply()'s),
 * into emit; scratch is a work buffer.  A family's End-of-RIB follows its
 * last route when the session carried it.  Returns the routes emitted;
 * *failed counts routes too large to encode even alone (not emitted: the
 * caller tells the collector the peer's feed is incomplete).
 */
size_t fam_replay_step(struct fam_replay *r, const struct famrib *fr, const struct bgp_codec *c,
		       uint32_t addpath, size_t max, struct buf *scratch, fam_emit_fn emit,
		       void *ctx, size_t *failed);

/*
 * The current state of the routes keys[0..n) name (family, path id, NLRI,
 * as famrib_chg_next() gives them), for a collector that did not get
 * their changes as received (it lagged, or the UPDATE had RFC 7606
 * errors): the stored ones announced from the store, grouped by set, the
 * others withdrawn with the NLRI given.  Arguments as fam_replay_step().
 */
void fam_catch_up(const struct famrib *fr, const struct famrib_entry *keys, size_t n,
		  const struct bgp_codec *c, uint32_t addpath, struct buf *scratch,
		  fam_emit_fn emit, void *ctx, size_t *failed);

/*
 * A collector's set of famrib routes changed while it lagged (the
 * counterpart of its unicast coalescing set): each (family, path id, NLRI)
 * once.  fam_dirty_walk() copies up to max of them from slot *pos on
 * (NLRI pointing into the set) and advances *pos; the walk is over at
 * *pos >= d->cap.  seed keys the hash (peers choose the NLRI).
 */
struct fd_key;
struct fam_dirty {
	struct fd_key **v;
	uint32_t cap, count;
	uint64_t seed;
};
bool fam_dirty_add(struct fam_dirty *d, const struct famrib_entry *e);
void fam_dirty_free(struct fam_dirty *d);
size_t fam_dirty_walk(const struct fam_dirty *d, uint32_t *pos, struct famrib_entry *keys,
		      size_t max);

#endif
