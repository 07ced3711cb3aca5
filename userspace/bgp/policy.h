/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The post-policy verdict on one received route: what the tap can know of
 * the local daemon's import processing (Documentation/operator-guide.md,
 * "What post-policy means here").
 *
 * Checked in this order, the first hit deciding:
 *  1. CLUSTER_LIST contains the local BGP ID (RFC 4456 8; the cluster id
 *     is taken to be the BGP ID, the default of every implementation);
 *  2. AS_PATH (AS_SEQUENCE / AS_SET) contains the local AS (RFC 4271 9.1.2);
 *  3. ORIGINATOR_ID equals the local BGP ID (RFC 4456 8);
 *  4. AS_CONFED_SEQUENCE / AS_CONFED_SET contain the local AS (RFC 5065);
 *  5. an operator import filter matches (filter.h).
 * The local AS and BGP ID are those of the OPEN the local daemon SENT on
 * the session.  Treat-as-withdraw (RFC 7606) never reaches this point: such
 * routes are already out of the pre-policy Adj-RIB-In (rib_apply()).
 */
#ifndef BMPTAP_POLICY_H
#define BMPTAP_POLICY_H

#include <stdint.h>

#include "attr.h"
#include "bgp.h"
#include "filter.h"

enum pol_verdict {
	POL_ACCEPT = 0,
	POL_CLUSTER_LOOP,
	POL_AS_LOOP,
	POL_ORIGINATOR_LOOP,
	POL_CONFED_LOOP,
	POL_FILTER,
};

struct pol_local {
	uint32_t as;		/* 0: unknown, no AS loop check */
	uint32_t bgp_id;	/* 0: unknown, no ORIGINATOR/CLUSTER check */
};

/* Verdict on the attribute set alone (loops, as-path and community filters). */
enum pol_verdict policy_attr_verdict(const struct pol_local *l, const struct bt_filter_list *fl,
				     const struct attr_set *s);
/* Verdict of the prefix and max-length filters alone. */
enum pol_verdict policy_prefix_verdict(const struct bt_filter_list *fl, const struct bgp_prefix *p,
				       const struct attr_set *s);
/* Both: policy_attr_verdict(), then policy_prefix_verdict(). */
enum pol_verdict policy_verdict(const struct pol_local *l, const struct bt_filter_list *fl,
				const struct bgp_prefix *p, const struct attr_set *s);

#endif
