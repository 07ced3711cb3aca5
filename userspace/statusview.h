/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `bmptapctl show servers|peers`: the configured servers and bmptapd's
 * live view, read from the JSON status blob the helper publishes
 * (BMPTAP_CMD_SET_STATUS; written by bmptapd.c and collector.c).  Pure
 * functions of their inputs, so that every rendering is unit-tested.
 */
#ifndef BMPTAP_STATUSVIEW_H
#define BMPTAP_STATUSVIEW_H

#include <stdbool.h>
#include <stdio.h>

#include "nl.h"

/*
 * v/n: servers stored in the module; blob/len: the status (NULL/0 when
 * none is published).  Text: one row per server (passive servers add one
 * row per accepted collector session) with the helper's state, or
 * "no helper" / "pending" (configured, not yet taken up by the helper).
 * JSON: an array of the configs, each with "state" and "status" (the
 * helper's object for it, passed through, or null).  Problems with the
 * blob go to errf as one line.
 */
void bt_view_servers(FILE *out, FILE *errf, const struct bt_server_cfg *v,
		     size_t n, const char *blob, size_t len, bool json);

/*
 * Peers from the status blob.  Text: a table; JSON: the blob's "peers"
 * array passed through ([] without a status).  Without a status it says
 * so (text on out, JSON: a note on errf).
 */
void bt_view_peers(FILE *out, FILE *errf, const char *blob, size_t len,
		   bool json);

/*
 * The helper's side: render(ctx, max_peers, max_servers, &len) returns a
 * malloc'd status with at most that many of each.  bt_status_fit() cuts
 * peers, then servers, by halves until the status fits in limit bytes:
 * at most about 2 * log2(n) renderings, and NULL (never a loop) when even
 * an empty list of both does not fit.
 */
typedef char *bt_status_render(void *ctx, size_t max_peers, size_t max_servers,
			       size_t *len);
char *bt_status_fit(bt_status_render *render, void *ctx, size_t n_peers,
		    size_t n_servers, size_t limit, size_t *len);

/* "3d04h", "2h05m", "4m07s", "12s". */
void bt_view_duration(uint64_t s, char *out, size_t outlen);

#endif /* BMPTAP_STATUSVIEW_H */
