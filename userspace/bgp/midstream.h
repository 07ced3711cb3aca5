/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sessions picked up mid-stream: no OPEN was seen, so the UPDATE encoding
 * (2- or 4-octet AS numbers, ADD-PATH path identifiers per AFI/SAFI and
 * direction) is detected from the UPDATEs themselves, never assumed.
 *
 * Evidence, per UPDATE:
 * - AS_PATH parses as 2-octet segments only, or 4-octet only; an AS4_PATH
 *   or AS4_AGGREGATOR, or a 6-octet AGGREGATOR, means a 2-octet session
 *   (RFC 6793 4.1: NEW speakers never send them to each other), an 8-octet
 *   AGGREGATOR a 4-octet one.  The AS size is one per session: evidence
 *   from either direction counts.
 * - IPv4 unicast NLRI and withdrawn routes, and the NLRI of MP_REACH and
 *   MP_UNREACH for IPv4/IPv6 unicast, parse only with path identifiers or
 *   only without (RFC 7911): ADD-PATH per family and direction.
 * - Both encodings valid (an empty AS_PATH, NLRI that happen to parse
 *   either way): no evidence.  An UPDATE no encoding parses proves
 *   nothing.  Evidence that contradicts earlier evidence leaves the
 *   session undecided for good.
 *
 * The UPDATEs wait (bounded) until the AS size and ADD-PATH of every
 * family the peer has sent are decided; then the OPENs are synthesized
 * from what was detected and the held UPDATEs are replayed in order.
 */
#ifndef BMPTAP_MIDSTREAM_H
#define BMPTAP_MIDSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp.h"

/* Peer Up Information TLV (type 0, string) of a synthesized Peer Up. */
#define MS_PEER_UP_INFO "bmptap: session picked up mid-stream; OPEN messages synthesized; " \
	"capabilities detected from UPDATEs"

/* Bounds on the UPDATEs held per session while undecided. */
#define MS_HOLD_MSGS	65536
#define MS_HOLD_BYTES	(32u << 20)

enum ms_tri { MS_UNKNOWN, MS_NO, MS_YES };

/* What one UPDATE proves; enum ms_tri values. */
struct ms_evidence {
	uint8_t as4;
	uint8_t addpath[BGP_FAM_MAX];
	bool fam[BGP_FAM_MAX];		/* carries NLRI or withdrawn routes of it */
	uint8_t ebgp;			/* AS_PATH without LOCAL_PREF: yes */
	bool conflict;			/* malformed whatever the encoding */
};

void ms_evidence(const uint8_t *msg, size_t len, struct ms_evidence *e);

struct ms_msg {
	struct ms_msg *next;
	uint64_t ts_ns;
	uint32_t len;
	uint8_t dir;
	uint8_t data[];
};

struct midstream {
	uint8_t as4;
	uint8_t addpath[2][BGP_FAM_MAX];	/* by enum bmptap_dir */
	bool fam[2][BGP_FAM_MAX];		/* families seen per direction */
	uint8_t ebgp[2];
	bool ext_msg;				/* a message over 4096 octets */
	bool conflict;
	bool up;				/* OPENs synthesized */
	bool assumed[2][BGP_FAM_MAX];		/* undecided at Peer Up: no path ids */
	struct ms_msg *head, *tail;
	size_t n_held, held_bytes;
	uint64_t dropped;			/* UPDATEs not held: bound reached */
	uint64_t malformed;			/* UPDATEs no encoding parses */
	uint64_t undecodable;			/* after Peer Up: not decodable as announced */
};

void ms_init(struct midstream *m);
void ms_free(struct midstream *m);

/* Adds the evidence of one UPDATE of direction dir. */
void ms_learn(struct midstream *m, int dir, const uint8_t *msg, size_t len);
/* Keeps a copy for the replay; false (counted in dropped) at the bound. */
bool ms_hold(struct midstream *m, int dir, const uint8_t *msg, size_t len, uint64_t ts_ns);
/* The AS size and the ADD-PATH of every family the peer sent are known. */
bool ms_ready(const struct midstream *m);

/*
 * Freezes the detection into s.  Families still undecided in some
 * direction are taken as without path ids, and checked by
 * ms_deliverable() from then on.
 */
void ms_session(struct midstream *m, struct bgp_session *s);
/*
 * The two OPENs as s says (by direction, malloc'd, *_len set): the peer's
 * (RX) with peer_as, the local one (TX) with local_as (0: unknown); hold
 * time and BGP Identifier 0 (unknown).  False when out of memory.
 */
bool ms_opens(const struct midstream *m, const struct bgp_session *s, uint32_t peer_as,
	      uint32_t local_as, uint8_t *open[2], size_t open_len[2]);
/*
 * The first AS of the AS_PATH of the held UPDATEs of direction dir, merged
 * with AS4_PATH per s: the sender's AS on an eBGP session; 0 when that is
 * not determinable (iBGP, confederation, no AS_PATH seen).
 */
uint32_t ms_sender_as(const struct midstream *m, int dir, const struct bgp_codec *c);
/* Detaches the held UPDATEs, oldest first; the caller frees each. */
struct ms_msg *ms_take(struct midstream *m);
/*
 * After Peer Up: can this UPDATE be decoded as the synthesized OPENs say?
 * False (counted in undecodable) when it carries a family that was
 * undecided at Peer Up with path ids, or ambiguously, or contradicts the
 * detected AS size.
 */
bool ms_deliverable(struct midstream *m, int dir, const uint8_t *msg, size_t len);

#endif
