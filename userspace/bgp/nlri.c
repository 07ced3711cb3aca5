#include "nlri.h"

#include <stddef.h>
#include <string.h>

#include "buf.h"

/* Names as GoBGP spells them: what operators type and read in the CLI. */
static const struct nlri_family families[] = {
	{ BGP_AFI_IPV4, BGP_SAFI_UNICAST, NLRI_PREFIX, 4, "ipv4-unicast" },
	{ BGP_AFI_IPV6, BGP_SAFI_UNICAST, NLRI_PREFIX, 16, "ipv6-unicast" },
	{ BGP_AFI_IPV4, BGP_SAFI_MULTICAST, NLRI_PREFIX, 4, "ipv4-multicast" },
	{ BGP_AFI_IPV6, BGP_SAFI_MULTICAST, NLRI_PREFIX, 16, "ipv6-multicast" },
	{ BGP_AFI_IPV4, BGP_SAFI_LABELED, NLRI_LABELED, 4, "ipv4-labelled-unicast" },
	{ BGP_AFI_IPV6, BGP_SAFI_LABELED, NLRI_LABELED, 16, "ipv6-labelled-unicast" },
	{ BGP_AFI_IPV4, BGP_SAFI_VPN, NLRI_VPN, 4, "l3vpn-ipv4-unicast" },
	{ BGP_AFI_IPV6, BGP_SAFI_VPN, NLRI_VPN, 16, "l3vpn-ipv6-unicast" },
	{ BGP_AFI_IPV4, BGP_SAFI_MVPN, NLRI_TYPED8, 0, "ipv4-mvpn" },
	{ BGP_AFI_IPV6, BGP_SAFI_MVPN, NLRI_TYPED8, 0, "ipv6-mvpn" },
	{ BGP_AFI_L2VPN, BGP_SAFI_EVPN, NLRI_TYPED8, 0, "l2vpn-evpn" },
	{ BGP_AFI_IPV4, BGP_SAFI_RTC, NLRI_RTC, 0, "rtc" },
	{ BGP_AFI_IPV4, BGP_SAFI_FLOWSPEC, NLRI_FLOWSPEC, 4, "ipv4-flowspec" },
	{ BGP_AFI_IPV6, BGP_SAFI_FLOWSPEC, NLRI_FLOWSPEC, 16, "ipv6-flowspec" },
	{ BGP_AFI_IPV4, BGP_SAFI_VPN_FLOWSPEC, NLRI_FLOWSPEC, 4, "l3vpn-ipv4-flowspec" },
	{ BGP_AFI_IPV6, BGP_SAFI_VPN_FLOWSPEC, NLRI_FLOWSPEC, 16, "l3vpn-ipv6-flowspec" },
	{ BGP_AFI_LS, BGP_SAFI_LS, NLRI_TYPED16, 0, "ls" },
	{ BGP_AFI_LS, BGP_SAFI_LS_VPN, NLRI_TYPED16, 0, "ls-vpn" },
};

#define RD_LEN		8
#define ESI_LEN		10
#define ETAG_LEN	4
#define LABEL_LEN	3

_Static_assert(sizeof(families) / sizeof(families[0]) == NLRI_FAMILIES, "NLRI_FAMILIES");

const struct nlri_family *nlri_family_at(unsigned i)
{
	return i < NLRI_FAMILIES ? &families[i] : NULL;
}

const struct nlri_family *nlri_family_find(uint16_t afi, uint8_t safi)
{
	for (size_t i = 0; i < NLRI_FAMILIES; i++)
		if (families[i].afi == afi && families[i].safi == safi)
			return &families[i];
	return NULL;
}

void nlri_iter_init(struct nlri_iter *it, const struct nlri_family *fam, struct bgp_span nlri,
		    bool addpath, bool withdraw, uint8_t max_labels)
{
	*it = (struct nlri_iter){
		.fam = fam,
		.p = nlri.p,
		.end = nlri.p + nlri.len,
		.addpath = addpath,
		.withdraw = withdraw,
		.max_labels = max_labels > 1 ? max_labels : 1,
	};
}

/* Appends bits of prefix at p to r's key copy, the bits past them zeroed:
 * RFC 4271 leaves them to the sender, and a withdrawal need not repeat them. */
static void key_put_prefix(struct nlri_route *r, uint8_t bits, const uint8_t *p)
{
	uint8_t *k = r->key_copy + r->key.len;
	uint32_t n = (bits + 7u) / 8;

	k[0] = bits;
	memcpy(k + 1, p, n);
	if (bits % 8)
		k[n] &= (uint8_t)(0xff << (8 - bits % 8));
	r->key.len += 1 + n;
}

static void key_put(struct nlri_route *r, const uint8_t *p, uint32_t n)
{
	memcpy(r->key_copy + r->key.len, p, n);
	r->key.len += n;
}

/* RFC 8277: one label, its bottom-of-stack bit ignored, unless the Multiple
 * Labels Capability allows more; a withdrawal carries one 3-octet field. */
static int take_labels(const struct nlri_iter *it, const uint8_t *p, uint32_t avail,
		       uint8_t *labels)
{
	uint8_t n = 0;

	for (;;) {
		if (avail < LABEL_LEN * (n + 1u))
			return -1;
		n++;
		if (it->withdraw || n == it->max_labels || (p[LABEL_LEN * n - 1] & 1))
			break;
	}
	*labels = n;
	return 0;
}

/* Prefix-length framed families: unicast, multicast, labeled, VPN, RTC. */
static int next_bits(struct nlri_iter *it, struct nlri_route *r, const uint8_t *p, uint32_t avail)
{
	const struct nlri_family *f = it->fam;
	uint32_t bits, off = 1, pbits;

	if (avail < 1)
		return -1;
	bits = p[0];
	if (avail < 1 + (bits + 7) / 8)
		return -1;
	r->nlri = (struct bgp_span){ p, 1 + (bits + 7) / 8 };
	r->key = (struct bgp_span){ r->key_copy, 0 };
	switch (f->kind) {
	case NLRI_LABELED:
	case NLRI_VPN:
		if (take_labels(it, p + 1, (bits / 8), &r->labels))
			return -1;
		off += LABEL_LEN * r->labels;
		pbits = bits - 24u * r->labels;
		if (f->kind == NLRI_VPN) {
			if (pbits < 8 * RD_LEN)
				return -1;
			key_put(r, p + off, RD_LEN);
			off += RD_LEN;
			pbits -= 8 * RD_LEN;
		}
		break;
	case NLRI_RTC:
		/* RFC 4684 section 4: the default route, or an origin AS and part of a route target. */
		if (bits != 0 && (bits < 32 || bits > 96))
			return -1;
		pbits = bits;
		break;
	default:
		pbits = bits;
		break;
	}
	if (f->addr_len && pbits > 8u * f->addr_len)
		return -1;
	key_put_prefix(r, (uint8_t)pbits, p + off);
	return 0;
}

/* RFC 7432 section 7 and RFC 9136 section 3: the fields of each EVPN route
 * type that make the route's key; -1 when the type's layout is wrong. */
static int evpn_key(struct nlri_route *r, uint8_t type, const uint8_t *v, uint32_t len)
{
	uint32_t iplen_off;

	switch (type) {
	case 1:	/* Ethernet Auto-discovery: RD, ESI, Ethernet Tag; not the label */
		if (len != RD_LEN + ESI_LEN + ETAG_LEN + LABEL_LEN)
			return -1;
		key_put(r, &type, 1);
		key_put(r, v, RD_LEN + ESI_LEN + ETAG_LEN);
		return 0;
	case 2:	/* MAC/IP Advertisement: RD, Ethernet Tag, MAC, IP; not ESI or labels */
		iplen_off = RD_LEN + ESI_LEN + ETAG_LEN + 1 + 6;
		if (len < iplen_off + 1 || v[RD_LEN + ESI_LEN + ETAG_LEN] != 48)
			return -1;
		if (v[iplen_off] != 0 && v[iplen_off] != 32 && v[iplen_off] != 128)
			return -1;
		{
			uint32_t ipb = v[iplen_off] / 8u, rest = len - iplen_off - 1;

			if (rest != ipb + LABEL_LEN && rest != ipb + 2 * LABEL_LEN)
				return -1;
			key_put(r, &type, 1);
			key_put(r, v, RD_LEN);
			key_put(r, v + RD_LEN + ESI_LEN, ETAG_LEN + 1 + 6 + 1 + ipb);
		}
		return 0;
	case 3:	/* Inclusive Multicast Ethernet Tag: every field */
		if (len != RD_LEN + ETAG_LEN + 1 + 4 && len != RD_LEN + ETAG_LEN + 1 + 16)
			return -1;
		break;
	case 4:	/* Ethernet Segment: every field */
		if (len != RD_LEN + ESI_LEN + 1 + 4 && len != RD_LEN + ESI_LEN + 1 + 16)
			return -1;
		break;
	case 5:	/* IP Prefix: RD, Ethernet Tag, prefix; not ESI, gateway or label */
		if (len != 34 && len != 58)
			return -1;
		{
			uint32_t alen = len == 34 ? 4 : 16;
			uint8_t bits = v[RD_LEN + ESI_LEN + ETAG_LEN];

			if (bits > 8 * alen)
				return -1;
			key_put(r, &type, 1);
			key_put(r, v, RD_LEN);
			key_put(r, v + RD_LEN + ESI_LEN, ETAG_LEN);
			key_put_prefix(r, bits, v + RD_LEN + ESI_LEN + ETAG_LEN + 1);
		}
		return 0;
	default:
		break;
	}
	r->key = r->nlri;
	return 0;
}

/* Type-length framed families: EVPN and MVPN (one octet each), BGP-LS (two). */
static int next_typed(struct nlri_iter *it, struct nlri_route *r, const uint8_t *p, uint32_t avail)
{
	uint32_t hdr = it->fam->kind == NLRI_TYPED16 ? 4 : 2, len;

	if (avail < hdr)
		return -1;
	len = hdr == 4 ? get_u16(p + 2) : p[1];
	if (avail < hdr + len)
		return -1;
	r->nlri = (struct bgp_span){ p, hdr + len };
	r->key = r->nlri;
	if (it->fam->safi != BGP_SAFI_EVPN)
		return 0;
	r->key = (struct bgp_span){ r->key_copy, 0 };
	return evpn_key(r, p[0], p + hdr, len);
}

/* RFC 8955 section 4: a length under 240 in one octet, else 0xfnnn in two. */
static int next_flowspec(struct nlri_iter *it, struct nlri_route *r, const uint8_t *p,
			 uint32_t avail)
{
	uint32_t hdr = 1, len, min = it->fam->safi == BGP_SAFI_VPN_FLOWSPEC ? RD_LEN + 1 : 1;

	if (avail < 1)
		return -1;
	len = p[0];
	if (len >= 0xf0) {
		if (avail < 2)
			return -1;
		hdr = 2;
		len = (p[0] & 0x0fu) << 8 | p[1];
	}
	if (len < min || avail < hdr + len)
		return -1;
	r->nlri = (struct bgp_span){ p, hdr + len };
	/* The components only: the same rule sent with a one- or two-octet length is one route. */
	r->key = (struct bgp_span){ p + hdr, len };
	return 0;
}

int nlri_next(struct nlri_iter *it, struct nlri_route *r)
{
	uint32_t avail = (uint32_t)(it->end - it->p);
	int rc;

	if (avail == 0)
		return 0;
	r->path_id = 0;
	r->labels = 0;
	if (it->addpath) {
		if (avail < 4)
			return -1;
		r->path_id = get_u32(it->p);
		it->p += 4;
		avail -= 4;
	}
	switch (it->fam->kind) {
	case NLRI_TYPED8:
	case NLRI_TYPED16:
		rc = next_typed(it, r, it->p, avail);
		break;
	case NLRI_FLOWSPEC:
		rc = next_flowspec(it, r, it->p, avail);
		break;
	default:
		rc = next_bits(it, r, it->p, avail);
		break;
	}
	if (rc)
		return -1;
	it->p += r->nlri.len;
	return 1;
}
