/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-collector selection, pacing and connection options of a BMP server
 * (bmptapctl `server add|set`, the TOML loader, bmptapd):
 *  - families: the AFI/SAFIs whose routes the collector gets (Route
 *    Monitoring, End-of-RIB, per-AFI/SAFI statistics); Peer Up/Down and
 *    the other statistics still go out for every selected peer;
 *  - peers: the peers (address prefixes, AS numbers) the collector gets at
 *    all: the others' Peer Up, routes, mirroring and statistics are not
 *    sent.  The Loc-RIB instance is not a peer and is not filtered;
 *  - replay-rate: BMP messages per second for the work the collector's
 *    pump generates (table replays, catching up after falling behind);
 *    live updates of a caught-up peer, Peer Up/Down and statistics are
 *    not paced, so that a paced collector is not made to lag for ever;
 *  - source address (bound before connecting) and DSCP of the session.
 */
#ifndef BMPTAP_SELECT_H
#define BMPTAP_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp.h"
#include "model.h"

struct peer;
struct bmp_stat;
struct collector;
struct cpeer;

/* ---- configuration (bmptapctl, TOML loader) ------------------------------ */

/*
 * Parses the value of one option (bit: BT_SRV_FAMILIES, _PEERS,
 * _REPLAY_RATE, _SOURCE or _DSCP) into s and sets its have bit; kw names
 * the option in the one-line error.  Integers come as decimal text.
 */
int bt_sel_parse(unsigned int bit, const char *kw, const char *v,
		 struct bt_server_cfg *s, char *err, size_t errlen);
/* What must hold between options: the source's family and the address's. */
int bt_sel_check(const struct bt_server_cfg *s, char *err, size_t errlen);
/* "ipv4-unicast,ipv6-unicast" */
void bt_sel_families_str(uint32_t families, char *out, size_t outlen);
#define BT_SRV_SEL_ALL	(BT_SRV_FAMILIES | BT_SRV_PEERS | BT_SRV_REPLAY_RATE | \
			 BT_SRV_SOURCE | BT_SRV_DSCP)
/* The options set, as `server set` takes them ("" if none). */
void bt_sel_describe(const struct bt_server_cfg *s, char *out, size_t outlen);
struct bt_json;
/* The options set as JSON keys of the open object. */
void bt_sel_json(struct bt_json *j, const struct bt_server_cfg *s);
/* Whether a and b have the same options of this file. */
bool bt_sel_cfg_equal(const struct bt_server_cfg *a, const struct bt_server_cfg *b);
/* Copies the options upd has into dst. */
void bt_sel_merge(struct bt_server_cfg *dst, const struct bt_server_cfg *upd);

/* ---- selection (bmptapd) ------------------------------------------------- */

static inline bool sel_fam(const struct bt_server_cfg *cfg, int fam)
{
	return !(cfg->have & BT_SRV_FAMILIES) || (cfg->families >> (fam & 0x0f) & 1);
}

bool sel_peer(const struct bt_server_cfg *cfg, const struct peer *p);

enum sel_cover { SEL_NONE, SEL_SOME, SEL_ALL };
/* How much of one UPDATE's changes (and End-of-RIB family, or -1) is selected. */
enum sel_cover sel_changes(const struct bt_server_cfg *cfg, const struct bgp_prefix *chg,
			   size_t n, int eor);
/*
 * Whether cp's collector takes anything of an UPDATE: a partly selected
 * one cannot go out as received, so cp stops being live and the pump
 * re-encodes the changes (for the selected families only).
 */
bool sel_take(struct collector *c, struct cpeer *cp, const struct bgp_prefix *chg,
	      size_t n, int eor);
/* Drops the per-AFI/SAFI counters of families not selected; the new count. */
size_t sel_stats(const struct bt_server_cfg *cfg, struct bmp_stat *st, size_t n);

/* ---- pacing ------------------------------------------------------------------ */

/*
 * A token bucket in thousandths of a message, refilled at the rate and
 * holding a twentieth of a second's worth, at least 64 messages; steps
 * wait for 64 messages' room and take at most as many routes as there is
 * room for (a route makes at most one message).
 */
struct sel_pace {
	int64_t milli;
	uint64_t last_ms;
};

/* Messages that may go out now (SIZE_MAX: unpaced, 0: wait for 64). */
size_t sel_pace_room(struct sel_pace *pc, uint32_t rate, uint64_t now_ms);
void sel_pace_spend(struct sel_pace *pc, uint32_t rate, uint64_t msgs);
/* How long until room for 64: at least 1 ms. */
uint64_t sel_pace_wait_ms(const struct sel_pace *pc, uint32_t rate);

/*
 * The collector's pump around one step: hold (true: stop, the pace timer
 * resumes it), the routes the step may take, the messages it produced.
 */
void sel_pace_init(struct collector *c);
bool sel_pace_hold(struct collector *c);
size_t sel_pace_routes(struct collector *c, size_t n);
void sel_pace_spent(struct collector *c, uint64_t msgs);
/* A new session, or none: a full bucket, no timer. */
void sel_pace_reset(struct collector *c);

/* ---- connection ----------------------------------------------------------------- */

/*
 * Before connect (or on an accepted session): DSCP, and the source address
 * of an active server.  -1 with err set when fd cannot be used (a socket of
 * the other family than the source: the caller tries the next address).
 */
int sel_socket(const struct bt_server_cfg *cfg, int fd, int family, char *err, size_t errlen);

#endif
