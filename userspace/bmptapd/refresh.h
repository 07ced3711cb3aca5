/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Route refresh as observed on a session (RFC 2918, RFC 7313), and the
 * completeness it gives back to an Adj-RIB-In.
 *
 * A peer is incomplete when messages from it were lost: a gap, a pickup
 * mid-stream, a helper started after the session.  A full refresh re-sends
 * a family's whole table.  With enhanced route refresh negotiated, the
 * routes between the peer's BoRR and EoRR are that table: those not re-sent
 * are withdrawn at EoRR, as the router itself does.  Without it, a refresh
 * the router asked for (its ROUTE-REFRESH) ends with the peer's End-of-RIB
 * for the family, where the peer sends one (RFC 7313 leaves plain refreshes
 * unframed: without that marker the stale routes stay, and so does
 * "incomplete").  Once every family of the session was refreshed after the
 * last loss, the peer is complete again; the collectors get the family's
 * End-of-RIB after each refresh.  The same framing on what the router sends
 * re-syncs the Adj-RIB-Out.
 *
 * A loss during a refresh cancels it: the routes missing from it may be
 * ones the peer re-sent, so nothing is withdrawn on their account.
 */
#ifndef BMPTAP_REFRESH_H
#define BMPTAP_REFRESH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct peers;
struct peer;

/* A ROUTE-REFRESH message of an established session, either direction. */
void refresh_msg(struct peers *ps, struct peer *p, int dir, const uint8_t *msg, size_t len,
		 uint64_t ts);
/* An End-of-RIB of fam in direction dir: the end of a plain refresh? */
void refresh_eor(struct peers *ps, struct peer *p, int dir, int fam, uint64_t ts);
/* Messages from the peer were lost: its Adj-RIB-In is incomplete. */
void peer_mark_incomplete(struct peer *p);
/* Whether a refresh of the router's (RFC 2918) would make p complete. */
bool peer_refresh_would_complete(const struct peer *p);

#endif
