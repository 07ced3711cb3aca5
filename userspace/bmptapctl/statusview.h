/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `bmptapctl show servers|peers`: the configured servers and bmptapd's
 * live view, read from the JSON status bmptapd serves on its control
 * socket (ctlsock.h; written by status.c and feed_status.c).  Pure functions
 * of their inputs, so that every rendering is unit-tested.
 */
#ifndef BMPTAP_STATUSVIEW_H
#define BMPTAP_STATUSVIEW_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"

/*
 * v/n: servers stored in the module; blob/len: the status (NULL/0 when
 * bmptapd is not running).  Text: one row per server (passive servers add one
 * row per accepted collector session) with the helper's state, or
 * "no helper" / "pending" (configured, not yet taken up by the helper).
 * JSON: an array of the configs, each with "state" and "status" (the
 * helper's object for it, passed through, or null).  Problems with the
 * blob go to errf as one line.
 */
void bt_view_servers(FILE *out, FILE *errf, const struct bt_server_cfg *v,
		     size_t n, const char *blob, size_t len, bool json);

/*
 * Peers from the status.  Text: a table; JSON: the blob's "peers"
 * array passed through ([] without a status).  Without a status it says
 * so (text on out, JSON: a note on errf).
 */
void bt_view_peers(FILE *out, FILE *errf, const char *blob, size_t len,
		   bool json);

/* "3d04h", "2h05m", "4m07s", "12s". */
void bt_view_duration(uint64_t s, char *out, size_t outlen);

#endif /* BMPTAP_STATUSVIEW_H */
