/* SPDX-License-Identifier: GPL-2.0 */
/*
 * peer_update.c, for peer.c only: the UPDATE path of a session, split from
 * the record handling and session state in peer.c.
 */
#ifndef BMPTAP_PEER_UPDATE_H
#define BMPTAP_PEER_UPDATE_H

#include "peer.h"

void peer_rx_update(struct peers *ps, struct peer *p, const uint8_t *msg, size_t len,
		    uint64_t ts);
void peer_tx_update(struct peers *ps, struct peer *p, const uint8_t *msg, size_t len,
		    uint64_t ts);
/* RFC 7606 outcomes of an UPDATE the RIBs did not take (peer counters). */
void peer_count_errors(struct peers *ps, struct peer *p, const struct bgp_update *u);
/* The peer's tables are short of what the router holds: incomplete, told. */
void peer_short(struct peers *ps, struct peer *p, uint64_t ts, const char *why);
/* rib.c's change callback of an Adj-RIB-In (ctx: the peers). */
void peer_on_rib_change(void *ctx, const struct bgp_prefix *pfx, uint32_t old, uint32_t new);

#endif
