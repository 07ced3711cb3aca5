/*
 * Every address family's NLRI, split into routes and keyed the way its RFC
 * says a withdrawal names a route (issue 17).  A route's key is what an
 * Adj-RIB indexes it by: two announcements with the same key replace each
 * other, and a withdrawal removes the route whose key it carries, whatever
 * else (labels, ESI, gateway) the announcement held.
 *
 *   family              key
 *   unicast, multicast  prefix length and prefix
 *   labeled (RFC 8277)  prefix length and prefix, without the labels
 *   VPN (RFC 4364/4659) RD and prefix, without the labels
 *   EVPN (RFC 7432)     route type, RD and the type's key fields: 1: ESI,
 *                       Ethernet Tag; 2: Ethernet Tag, MAC, IP; 3: Ethernet
 *                       Tag, IP; 4: ESI, IP; 5 (RFC 9136): Ethernet Tag, IP
 *                       prefix; other types: the whole route
 *   flowspec, VPN flowspec (RFC 8955/8956), MVPN (RFC 6514), RT constraint
 *   (RFC 4684), BGP-LS (RFC 9552): the whole NLRI
 *
 * With ADD-PATH (RFC 7911) the path identifier is part of the key in every
 * family; it is returned apart, as the RIBs index it apart.
 */
#ifndef BMPTAP_NLRI_H
#define BMPTAP_NLRI_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp.h"

#define BGP_AFI_L2VPN		25
#define BGP_AFI_LS		16388
#define BGP_SAFI_MULTICAST	2
#define BGP_SAFI_LABELED	4
#define BGP_SAFI_MVPN		5
#define BGP_SAFI_EVPN		70
#define BGP_SAFI_LS		71
#define BGP_SAFI_LS_VPN		72
#define BGP_SAFI_VPN		128
#define BGP_SAFI_RTC		132
#define BGP_SAFI_FLOWSPEC	133
#define BGP_SAFI_VPN_FLOWSPEC	134

/* How a family's NLRI is framed and keyed. */
enum nlri_kind {
	NLRI_PREFIX,	/* length in bits, prefix */
	NLRI_LABELED,	/* length in bits, labels, prefix */
	NLRI_VPN,	/* length in bits, labels, RD, prefix */
	NLRI_RTC,	/* length in bits, origin AS and route target */
	NLRI_TYPED8,	/* type and length octets, value (EVPN, MVPN) */
	NLRI_TYPED16,	/* type and length in two octets each, value (BGP-LS) */
	NLRI_FLOWSPEC,	/* length in one or two octets, components */
};

struct nlri_family {
	uint16_t afi;
	uint8_t safi;
	enum nlri_kind kind;
	uint8_t addr_len;	/* octets of an address; 0 for non-IP NLRI */
	const char *name;	/* as operators and collectors spell it */
};

/* The family of afi/safi, or NULL for one whose NLRI bmptapd cannot split. */
const struct nlri_family *nlri_family_find(uint16_t afi, uint8_t safi);

/* The families by index 0..NLRI_FAMILIES-1, for per-family arrays; IPv4 and
 * IPv6 unicast are 0 and 1 (rib.c keeps those). */
#define NLRI_FAMILIES 18
const struct nlri_family *nlri_family_at(unsigned i);
static inline unsigned nlri_family_index(const struct nlri_family *f)
{
	return (unsigned)(f - nlri_family_at(0));
}

/* Enough for the longest key copied out: an EVPN MAC/IP route. */
#define NLRI_KEY_COPY_MAX	40

struct nlri_route {
	uint32_t path_id;		/* 0 without ADD-PATH */
	struct bgp_span nlri;		/* the route as on the wire, path id excluded */
	struct bgp_span key;		/* into nlri, or into key_copy */
	uint8_t labels;			/* MPLS labels carried (labeled and VPN) */
	uint8_t key_copy[NLRI_KEY_COPY_MAX];
};

struct nlri_iter {
	const struct nlri_family *fam;
	const uint8_t *p, *end;
	bool addpath;		/* path identifiers precede each route */
	bool withdraw;		/* MP_UNREACH / withdrawn routes: RFC 8277 section 2.4 */
	uint8_t max_labels;	/* RFC 8277 Multiple Labels Capability count; 0 or 1: one label */
};

void nlri_iter_init(struct nlri_iter *it, const struct nlri_family *fam, struct bgp_span nlri,
		    bool addpath, bool withdraw, uint8_t max_labels);

/*
 * The next route of it into r: 1, 0 at the end, -1 when the NLRI is
 * malformed (RFC 7606 section 5.3: the caller treats the family as
 * withdrawn or disabled, as it does for unicast).  r's spans point into the
 * buffer it walks, or into r itself, and stay valid while both do.
 */
int nlri_next(struct nlri_iter *it, struct nlri_route *r);

#endif
