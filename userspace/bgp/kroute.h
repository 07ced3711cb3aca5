/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The routes the local BGP daemon installed in the host's main routing
 * table, read over rtnetlink: what the Loc-RIB instance reports when they
 * are observable (locrib.h, Documentation/operator-guide.md "What Loc-RIB
 * means here").
 *
 * Kept: IPv4 and IPv6 unicast routes (RTN_UNICAST) of table main whose
 * rtm_protocol is one of the configured routing protocol ids (BIRD installs
 * with 12, FRR's zebra with 186), keyed by prefix, with their gateways (one,
 * or each nexthop of an ECMP route).  A dump at start and after a lost
 * notification (ENOBUFS) resynchronizes; every change of a kept route is
 * passed to the changed callback.
 */
#ifndef BMPTAP_KROUTE_H
#define BMPTAP_KROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "bgp.h"

#define KR_MAX_NH	32	/* gateways kept per route (ECMP) */
#define KR_MAX_PROTO	16

/* One parsed RTM_NEWROUTE / RTM_DELROUTE. */
struct kr_msg {
	bool del;
	uint16_t nlflags;	/* NLM_F_REPLACE / NLM_F_APPEND of a notification */
	struct bgp_prefix pfx;	/* path_id 0 */
	uint8_t protocol, type;
	uint32_t table;
	bool cloned;		/* RTM_F_CLONED: a cache entry, not a route */
	uint8_t n_gw;
	uint8_t gw[KR_MAX_NH][16];	/* 4 or 16 octets by pfx.fam */
};

/*
 * Parses one rtnetlink message: 1 for a route message of an IPv4 or IPv6
 * route (m filled), 0 for any other message, -1 for a malformed one.
 */
int kroute_parse(const struct nlmsghdr *nh, struct kr_msg *m);

struct kr_route {
	struct kr_route *next;	/* hash chain */
	struct bgp_prefix pfx;
	bool joined;		/* set by the Loc-RIB join (locrib.c) */
	bool judged;		/* the join ran for it at least once */
	bool stale;		/* not seen (yet) in the running dump */
	uint8_t n_gw;
	uint8_t gw[][16];
};

typedef void (*kroute_changed_fn)(void *ctx, const struct bgp_prefix *pfx);

struct kroute {
	int fd;				/* -1: not opened (table fed by kroute_apply) */
	uint32_t seq, dump_seq;
	bool dumping, redump;
	uint8_t protos[KR_MAX_PROTO];	/* accepted rtm_protocol values */
	unsigned n_protos;
	struct kr_route **b;
	uint32_t n_b;			/* power of two */
	uint32_t count;
	uint32_t unjoined;		/* kept routes with no Adj-RIB-In path now */
	uint64_t unjoined_total;	/* times a route was found unjoinable (first
					 * join, or after it had been joined) */
	uint64_t events, overruns, dumps;
	bool seen;			/* a route of an accepted protocol was ever kept */
	kroute_changed_fn changed;
	void *ctx;
};

/* A table without a socket; protos: the accepted protocol ids. */
int kroute_init(struct kroute *k, const uint8_t *protos, unsigned n_protos,
		kroute_changed_fn changed, void *ctx);
void kroute_free(struct kroute *k);

/* Opens the rtnetlink socket (route groups joined) and starts the dump. */
int kroute_open(struct kroute *k);
/*
 * Reads what the socket has (non-blocking), applying it.  0, or -errno
 * for an error other than a lost notification (which starts a resync).
 */
int kroute_process(struct kroute *k);

/* Applies one parsed message; the changed callback runs for a change. */
void kroute_apply(struct kroute *k, const struct kr_msg *m);
/* Marks every route stale / drops the ones still stale: a dump's bounds. */
void kroute_mark_stale(struct kroute *k);
void kroute_sweep(struct kroute *k);

struct kr_route *kroute_lookup(const struct kroute *k, const struct bgp_prefix *pfx);
void kroute_set_joined(struct kroute *k, struct kr_route *r, bool joined);

bool kroute_proto_ok(const struct kroute *k, uint8_t proto);
/*
 * Parses a comma-separated list of protocol ids or names ("bird" 12, "bgp"
 * 186, "zebra" 11) into protos.  Returns the count, or -1.
 */
int kroute_protos_parse(const char *s, uint8_t *protos, unsigned max);

#endif
