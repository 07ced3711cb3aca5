/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a Statistics Report says of a peer (RFC 7854 4.8, RFC 8671 6.2,
 * RFC 9972): the types bmptapd derives from what the tap observes.  Types
 * it cannot derive (the router's damping, thresholds, licences, RPKI,
 * pre-policy Adj-RIB-Out) are never sent; operator-guide.md lists both.
 */
#ifndef BMPTAP_STATS_H
#define BMPTAP_STATS_H

#include "bmp.h"
#include "peer.h"

/* Room for every statistic peer_stats() fills in. */
#define PEER_STATS_MAX 64

/* p's statistics into st (adj_out: the collector gets the Adj-RIB-Out). */
size_t peer_stats(const struct peer *p, bool adj_out, struct bmp_stat *st, size_t max);

#endif
