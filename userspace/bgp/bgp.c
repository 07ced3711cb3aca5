#include "bgp.h"

#include <string.h>

static const uint8_t marker[16] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

int bgp_fam_of(uint16_t afi, uint8_t safi)
{
	if (safi != BGP_SAFI_UNICAST)
		return -1;
	if (afi == BGP_AFI_IPV4)
		return BGP_FAM_IPV4;
	if (afi == BGP_AFI_IPV6)
		return BGP_FAM_IPV6;
	return -1;
}

const char *const bgp_fam_afi_name[BGP_FAM_MAX] = { "ipv4", "ipv6" };

uint16_t bgp_fam_afi(int fam)
{
	return fam == BGP_FAM_IPV6 ? BGP_AFI_IPV6 : BGP_AFI_IPV4;
}

int bgp_msg_check(const uint8_t *msg, size_t len, bool ext_msg)
{
	if (len < BGP_HDR_LEN)
		return 0;
	if (memcmp(msg, marker, 16))
		return -1;
	uint16_t mlen = get_u16(msg + 16);
	uint8_t type = msg[18];
	static const uint16_t min[] = { 0, 29, 23, 21, 19, 23 };
	if (type < BGP_OPEN || type > BGP_ROUTE_REFRESH)
		return -3;
	/* RFC 8654: only UPDATE (and ROUTE-REFRESH) may exceed 4096; OPEN and
	 * KEEPALIVE never do, and NOTIFICATION is capped before negotiation. */
	uint32_t max = ext_msg && (type == BGP_UPDATE || type == BGP_ROUTE_REFRESH ||
				   type == BGP_NOTIFICATION) ? BGP_EXT_MAX_LEN : BGP_MAX_LEN;
	if (mlen < min[type] || mlen > max || (type == BGP_KEEPALIVE && mlen != 19))
		return -2;
	return len < mlen ? 0 : mlen;
}

/* ------------------------------------------------------------- OPEN */

static void add_af(struct bgp_af *v, uint8_t *n, const uint8_t *p, uint8_t flags)
{
	if (*n >= BGP_MAX_AF)
		return;
	v[*n].afi = get_u16(p);
	v[*n].safi = p[2];
	v[*n].flags = flags;
	(*n)++;
}

/* RFC 7911: a send/receive value other than 1-3 makes the tuple not
 * understood; FRR skips it and carries on, and so do we. */
static void parse_addpath(const uint8_t *v, size_t clen, struct bgp_open *o)
{
	for (size_t i = 0; i + 4 <= clen; i += 4) {
		int f = bgp_fam_of(get_u16(v + i), v[i + 2]);
		uint8_t sr = v[i + 3];

		if (sr < 1 || sr > 3)
			continue;
		if (f >= 0) {
			o->addpath[f] = sr;
			o->addpath_or[f] |= sr;
			continue;
		}
		unsigned k;

		for (k = 0; k < o->n_addpath_more; k++)
			if (o->addpath_more[k].afi == get_u16(v + i) &&
			    o->addpath_more[k].safi == v[i + 2])
				break;
		if (k == o->n_addpath_more)
			add_af(o->addpath_more, &o->n_addpath_more, v + i, 0);
		if (k < o->n_addpath_more) {
			o->addpath_more[k].flags = sr;
			o->addpath_more_or[k] |= sr;
		}
	}
}

/* RFC 8277 section 2.1: AFI, SAFI and Count tuples; a family given twice
 * keeps its last count. */
static void parse_labels(const uint8_t *v, size_t clen, struct bgp_open *o)
{
	for (size_t i = 0; i + 4 <= clen; i += 4) {
		unsigned k;

		for (k = 0; k < o->n_labels; k++)
			if (o->labels[k].afi == get_u16(v + i) && o->labels[k].safi == v[i + 2])
				break;
		if (k < o->n_labels)
			o->labels[k].flags = v[i + 3];
		else
			add_af(o->labels, &o->n_labels, v + i, v[i + 3]);
	}
}

/* The ADD-PATH tuple (last, and OR of all) of afi/safi in o; 0 if none. */
static uint8_t addpath_more(const struct bgp_open *o, uint16_t afi, uint8_t safi, uint8_t *or)
{
	for (unsigned k = 0; k < o->n_addpath_more; k++) {
		if (o->addpath_more[k].afi == afi && o->addpath_more[k].safi == safi) {
			*or = o->addpath_more_or[k];
			return o->addpath_more[k].flags;
		}
	}
	*or = 0;
	return 0;
}

static void parse_caps(const uint8_t *p, size_t len, struct bgp_open *o)
{
	while (len >= 2) {
		uint8_t code = p[0], clen = p[1];
		const uint8_t *v = p + 2;
		if ((size_t)clen + 2 > len)
			return;
		switch (code) {
		case 1:
			if (clen == 4) {
				int f = bgp_fam_of(get_u16(v), v[3]);

				o->has_mp = true;
				if (f >= 0)
					o->mp[f] = true;
			}
			break;
		case 2:
			o->route_refresh = true;
			break;
		case 70:
			o->enhanced_refresh = true;
			break;
		case 6:
			o->ext_msg = true;
			break;
		case 64:
			if (clen >= 2) {
				o->gr = true;
				o->gr_flags_time = get_u16(v);
				for (unsigned i = 2; i + 4 <= clen; i += 4)
					add_af(o->gr_af, &o->n_gr, v + i, v[i + 3]);
			}
			break;
		case 65:
			if (clen == 4) {
				if (o->as4 && o->as != get_u32(v))
					o->as_conflict = true;
				o->as4 = true;
				o->as = get_u32(v);
			}
			break;
		case 69:
			parse_addpath(v, clen, o);
			break;
		case 8:
			parse_labels(v, clen, o);
			break;
		default:
			break;
		}
		p += clen + 2;
		len -= clen + 2;
	}
}

int bgp_open_parse(const uint8_t *msg, size_t len, struct bgp_open *o)
{
	memset(o, 0, sizeof(*o));
	if (bgp_msg_check(msg, len, false) <= 0 || msg[18] != BGP_OPEN)
		return BGP_ERR_HEADER << 8 | 2;
	len = get_u16(msg + 16);
	const uint8_t *p = msg + BGP_HDR_LEN;
	o->version = p[0];
	o->my_as = get_u16(p + 1);
	o->hold_time = get_u16(p + 3);
	o->bgp_id = get_u32(p + 5);
	o->as = o->my_as;

	size_t plen = p[9], off = 29, hdr = 2;
	/* RFC 9072: a first parameter of type 255 announces 2-octet lengths. */
	if (plen == 255 && len >= 32 && msg[29] == 255) {
		o->ext_opt_params = true;
		plen = get_u16(msg + 30);
		off = 32;
		hdr = 3;
	}
	if (off + plen != len)
		return BGP_ERR_OPEN << 8 | 0;
	p = msg + off;
	while (plen) {
		if (plen < hdr)
			return BGP_ERR_OPEN << 8 | 0;
		uint8_t type = p[0];
		size_t l = hdr == 3 ? get_u16(p + 1) : p[1];
		if (l + hdr > plen)
			return BGP_ERR_OPEN << 8 | 0;
		if (type != 2)
			return BGP_ERR_OPEN << 8 | 4;
		parse_caps(p + hdr, l, o);
		p += l + hdr;
		plen -= l + hdr;
	}
	if (o->version != 4)
		return BGP_ERR_OPEN << 8 | 1;
	if (o->hold_time == 1 || o->hold_time == 2)
		return BGP_ERR_OPEN << 8 | 6;
	if (o->bgp_id == 0)
		return BGP_ERR_OPEN << 8 | 3;
	if (o->as == 0)
		return BGP_ERR_OPEN << 8 | 2;
	return 0;
}

/* An OPEN without multiprotocol capabilities implies IPv4 unicast only. */
static bool open_has_af(const struct bgp_open *o, int fam)
{
	return o->has_mp ? o->mp[fam] : fam == BGP_FAM_IPV4;
}

/* RFC 7911 section 4: a sender includes path ids only if it advertised
 * "send" and its peer advertised "receive".  Bit 0: the remote speaker's
 * UPDATEs carry them; bit 1: the local one's. */
static unsigned addpath_dirs(uint8_t l, uint8_t r)
{
	return ((l & BGP_ADDPATH_RX) && (r & BGP_ADDPATH_TX)) |
	       ((l & BGP_ADDPATH_TX) && (r & BGP_ADDPATH_RX)) << 1;
}

void bgp_negotiate(const struct bgp_open *local, const struct bgp_open *remote,
		   struct bgp_session *s)
{
	memset(s, 0, sizeof(*s));
	s->rx.as4 = s->tx.as4 = local->as4 && remote->as4;
	s->rx.ext_msg = s->tx.ext_msg = local->ext_msg && remote->ext_msg;
	s->enhanced_refresh = local->enhanced_refresh && remote->enhanced_refresh;
	for (int f = 0; f < BGP_FAM_MAX; f++) {
		s->af[f] = open_has_af(local, f) && open_has_af(remote, f);
		unsigned dirs = addpath_dirs(local->addpath[f], remote->addpath[f]);

		s->rx.addpath[f] = dirs & 1;
		s->tx.addpath[f] = dirs >> 1;
		/* Each router may read either OPEN the other way. */
		s->ambiguous[f] =
			dirs != addpath_dirs(local->addpath_or[f], remote->addpath[f]) ||
			dirs != addpath_dirs(local->addpath[f], remote->addpath_or[f]) ||
			dirs != addpath_dirs(local->addpath_or[f], remote->addpath_or[f]);
	}
	s->n_labels_rx = local->n_labels;
	memcpy(s->labels_rx, local->labels, sizeof(s->labels_rx));
	for (unsigned k = 0; k < local->n_addpath_more; k++) {
		const struct bgp_af *a = &local->addpath_more[k];
		uint8_t lor = local->addpath_more_or[k], ror;
		uint8_t r = addpath_more(remote, a->afi, a->safi, &ror);
		unsigned dirs = addpath_dirs(a->flags, r);
		bool amb = dirs != addpath_dirs(lor, r) || dirs != addpath_dirs(a->flags, ror) ||
			   dirs != addpath_dirs(lor, ror);

		if (dirs || amb)
			s->addpath_more[s->n_addpath_more++] = (struct bgp_af){
				a->afi, a->safi, (uint8_t)((dirs & 1 ? BGP_ADDPATH_RX : 0) |
							   (dirs & 2 ? BGP_ADDPATH_TX : 0) |
							   (amb ? BGP_ADDPATH_AMBIGUOUS : 0)) };
	}
}

/* ---------------------------------------------------- ROUTE-REFRESH */

int bgp_refresh_parse(const uint8_t *msg, size_t len, int *fam)
{
	if (len < BGP_HDR_LEN + 4 || msg[18] != BGP_ROUTE_REFRESH)
		return -1;
	uint8_t subtype = msg[21];

	/* RFC 7313 5: BoRR and EoRR are exactly 4 octets; other subtypes
	 * are ignored.  A longer request carries ORF entries (RFC 5291). */
	if (subtype > BGP_RR_EORR || (subtype != BGP_RR_REQUEST && len != BGP_HDR_LEN + 4))
		return -1;
	*fam = bgp_fam_of(get_u16(msg + 19), msg[22]);
	return subtype;
}

/* ------------------------------------------------------------- NLRI */

bool bgp_nlri_valid(struct bgp_span s, int fam, bool addpath)
{
	const uint8_t *p = s.p, *end = s.p + s.len;
	unsigned maxbits = fam == BGP_FAM_IPV6 ? 128 : 32;
	while (p < end) {
		if (addpath) {
			if (end - p < 4)
				return false;
			p += 4;
		}
		if (p >= end || *p > maxbits)
			return false;
		size_t n = (*p + 7u) / 8;
		p++;
		if ((size_t)(end - p) < n)
			return false;
		p += n;
	}
	return true;
}

void bgp_nlri_iter_init(struct bgp_nlri_iter *it, struct bgp_span s, int fam, bool addpath)
{
	it->p = s.p;
	it->end = s.p + s.len;
	it->fam = (uint8_t)fam;
	it->addpath = addpath;
}

bool bgp_nlri_next(struct bgp_nlri_iter *it, struct bgp_prefix *pf)
{
	if (it->p >= it->end)
		return false;
	memset(pf, 0, sizeof(*pf));
	pf->fam = it->fam;
	if (it->addpath) {
		pf->path_id = get_u32(it->p);
		it->p += 4;
	}
	pf->len = *it->p++;
	size_t n = (pf->len + 7u) / 8;
	memcpy(pf->addr, it->p, n);
	/* RFC 4271 4.3: trailing bits are irrelevant; zero them so equal
	 * prefixes compare equal. */
	if (pf->len % 8)
		pf->addr[n - 1] &= (uint8_t)(0xff00 >> (pf->len % 8));
	it->p += n;
	return true;
}

/* ----------------------------------------------------------- UPDATE */

static void add_error(struct bgp_update *u, enum bgp_action a, uint8_t sub, uint8_t attr)
{
	if (u->n_errors < BGP_MAX_ERRORS)
		u->errors[u->n_errors] = (struct bgp_error){ a, BGP_ERR_UPDATE, sub, attr };
	if (u->n_errors < 255)
		u->n_errors++;
	if (a > u->action)
		u->action = a;
	if (a == BGP_ACT_WITHDRAW)
		u->treat_as_withdraw = true;
}

bool bgp_aspath_valid(const uint8_t *p, uint32_t len, unsigned asz, bool confed_ok)
{
	while (len) {
		if (len < 2 || p[0] < BGP_AS_SET || p[0] > BGP_AS_CONFED_SET || p[1] == 0)
			return false;
		if (!confed_ok && p[0] > BGP_AS_SEQUENCE)
			return false;
		uint32_t sl = 2 + p[1] * asz;
		if (sl > len)
			return false;
		p += sl;
		len -= sl;
	}
	return true;
}

/* Expected optional/transitive bits, or 0xff for types we do not check. */
static uint8_t expected_flags(uint8_t type)
{
	switch (type) {
	case BGP_ATTR_ORIGIN: case BGP_ATTR_AS_PATH: case BGP_ATTR_NEXT_HOP:
	case BGP_ATTR_LOCAL_PREF: case BGP_ATTR_ATOMIC_AGGREGATE:
		return BGP_AF_TRANSITIVE;
	case BGP_ATTR_MED: case BGP_ATTR_ORIGINATOR_ID: case BGP_ATTR_CLUSTER_LIST:
	case BGP_ATTR_MP_REACH: case BGP_ATTR_MP_UNREACH:
		return BGP_AF_OPTIONAL;
	case BGP_ATTR_AGGREGATOR: case BGP_ATTR_COMMUNITIES: case BGP_ATTR_EXT_COMMUNITIES:
	case BGP_ATTR_AS4_PATH: case BGP_ATTR_AS4_AGGREGATOR: case BGP_ATTR_LARGE_COMMUNITIES:
		return BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE;
	default:
		return 0xff;
	}
}

/* RFC 7606 section 7 (and RFC 6793 for the AS4 attributes): the approach
 * for a malformed attribute of each type. */
static enum bgp_action malformed_action(uint8_t type)
{
	switch (type) {
	case BGP_ATTR_ATOMIC_AGGREGATE: case BGP_ATTR_AGGREGATOR:
	case BGP_ATTR_AS4_PATH: case BGP_ATTR_AS4_AGGREGATOR:
		return BGP_ACT_ATTR_DISCARD;
	default:
		return BGP_ACT_WITHDRAW;
	}
}

static bool nonzero_multiple(uint32_t len, uint32_t m) { return len && len % m == 0; }

/* Returns 0 when well formed, else the UPDATE error subcode. */
static uint8_t check_attr(const struct bgp_update *u, const struct bgp_attr *a)
{
	switch (a->type) {
	case BGP_ATTR_ORIGIN:
		return a->len != 1 ? 5 : a->val[0] > 2 ? 6 : 0;
	case BGP_ATTR_AS_PATH:
		return bgp_aspath_valid(a->val, a->len, u->as4 ? 4 : 2, true) ? 0 : 11;
	case BGP_ATTR_NEXT_HOP:
		return a->len != 4 ? 5 : 0;
	case BGP_ATTR_MED: case BGP_ATTR_LOCAL_PREF: case BGP_ATTR_ORIGINATOR_ID:
		return a->len != 4 ? 5 : 0;
	case BGP_ATTR_ATOMIC_AGGREGATE:
		return a->len != 0 ? 5 : 0;
	case BGP_ATTR_AGGREGATOR:
		return a->len != (u->as4 ? 8 : 6) ? 5 : 0;
	case BGP_ATTR_COMMUNITIES: case BGP_ATTR_CLUSTER_LIST:
		return nonzero_multiple(a->len, 4) ? 0 : 5;
	case BGP_ATTR_EXT_COMMUNITIES:
		return nonzero_multiple(a->len, 8) ? 0 : 5;
	case BGP_ATTR_LARGE_COMMUNITIES:
		return nonzero_multiple(a->len, 12) ? 0 : 5;
	case BGP_ATTR_AS4_PATH:
		/* RFC 6793 section 6: confederation segments are malformed here. */
		return bgp_aspath_valid(a->val, a->len, 4, false) ? 0 : 9;
	case BGP_ATTR_AS4_AGGREGATOR:
		return a->len != 8 ? 9 : 0;
	default:
		return 0;
	}
}

/* Returns false when the attribute is too short to name its AFI/SAFI. */
static bool parse_mp(struct bgp_update *u, const struct bgp_attr *a, struct bgp_mp *mp)
{
	bool reach = a->type == BGP_ATTR_MP_REACH;
	if (a->len < 3)
		return false;
	mp->present = true;
	mp->afi = get_u16(a->val);
	mp->safi = a->val[2];
	mp->fam = (int8_t)bgp_fam_of(mp->afi, mp->safi);
	if (mp->fam < 0) {
		/* Not a unicast family: famrib.c frames and keeps it. */
		mp->rest = (struct bgp_span){ a->val + 3, a->len - 3u };
		return true;
	}
	uint32_t off = 3;
	if (reach) {
		uint32_t nhl = a->len > 3 ? a->val[3] : 0;
		bool nh_ok = mp->fam == BGP_FAM_IPV6 ? (nhl == 16 || nhl == 32)
						     : (nhl == 4 || nhl == 16 || nhl == 32);
		if (a->len < 5 + nhl || !nh_ok)
			goto bad;
		mp->nh = (struct bgp_span){ a->val + 4, nhl };
		off = 5 + nhl;	/* skips the reserved octet */
	}
	mp->nlri = (struct bgp_span){ a->val + off, a->len - off };
	if (!bgp_nlri_valid(mp->nlri, mp->fam, u->addpath[mp->fam]))
		goto bad;
	return true;
bad:
	/* RFC 7606 section 3 (j) / RFC 4760 section 7. */
	add_error(u, BGP_ACT_AFI_DISABLE, 9, a->type);
	u->disable_mask |= (uint8_t)(1u << mp->fam);
	mp->nh = mp->nlri = (struct bgp_span){ NULL, 0 };
	return true;
}

enum bgp_action bgp_update_parse(const uint8_t *msg, size_t len,
				 const struct bgp_codec *c, struct bgp_update *u)
{
	memset(u, 0, sizeof(*u));
	u->eor = -1;
	u->as4 = c->as4;
	memcpy(u->addpath, c->addpath, sizeof(u->addpath));
	u->reach.fam = u->unreach.fam = -1;

	int mlen = bgp_msg_check(msg, len, c->ext_msg);
	if (mlen <= 0 || msg[18] != BGP_UPDATE) {
		u->action = BGP_ACT_RESET;
		u->n_errors = 1;
		u->errors[0] = (struct bgp_error){ BGP_ACT_RESET, BGP_ERR_HEADER,
						   (uint8_t)(mlen < 0 ? -mlen : 2), 0 };
		return u->action;
	}
	const uint8_t *p = msg + BGP_HDR_LEN, *end = msg + mlen;
	uint32_t wlen = get_u16(p);
	p += 2;
	if (wlen + 2 > (size_t)(end - p)) {
		add_error(u, BGP_ACT_RESET, 1, 0);
		return u->action;
	}
	u->withdrawn = (struct bgp_span){ p, wlen };
	p += wlen;
	uint32_t alen = get_u16(p);
	p += 2;
	if (alen > (size_t)(end - p)) {
		add_error(u, BGP_ACT_RESET, 1, 0);
		return u->action;
	}
	u->attrs = (struct bgp_span){ p, alen };
	u->nlri = (struct bgp_span){ p + alen, (uint32_t)(end - p - alen) };
	/* Classic NLRI that cannot be parsed cannot be withdrawn either. */
	if (!bgp_nlri_valid(u->withdrawn, BGP_FAM_IPV4, u->addpath[BGP_FAM_IPV4]) ||
	    !bgp_nlri_valid(u->nlri, BGP_FAM_IPV4, u->addpath[BGP_FAM_IPV4])) {
		add_error(u, BGP_ACT_RESET, 10, 0);
		return u->action;
	}

	uint8_t seen[32] = { 0 };
	unsigned n_attrs = 0;
	uint32_t off = 0;
	while (off < alen) {
		const uint8_t *a0 = u->attrs.p + off;
		uint32_t rem = alen - off, hl;
		struct bgp_attr a;
		if (rem < 3 || (rem < 4 && (a0[0] & BGP_AF_EXTLEN))) {
			/* RFC 7606 section 4: rely on Total Attribute Length. */
			add_error(u, BGP_ACT_WITHDRAW, 5, 0);
			break;
		}
		a.flags = a0[0];
		a.type = a0[1];
		hl = a.flags & BGP_AF_EXTLEN ? 4 : 3;
		a.len = hl == 4 ? get_u16(a0 + 2) : a0[2];
		a.val = a0 + hl;
		if (hl + a.len > rem) {
			add_error(u, BGP_ACT_WITHDRAW, 5, a.type);
			break;
		}
		u->attrs_ok_len = off + hl + a.len;
		n_attrs++;
		uint32_t this_off = off;
		off += hl + a.len;

		bool mp = a.type == BGP_ATTR_MP_REACH || a.type == BGP_ATTR_MP_UNREACH;
		bool dup = seen[a.type / 8] & (1u << (a.type % 8));
		seen[a.type / 8] |= (uint8_t)(1u << (a.type % 8));
		if (dup) {
			/* RFC 7606 section 3 (g). */
			if (mp) {
				add_error(u, BGP_ACT_RESET, 1, a.type);
				return u->action;
			}
			add_error(u, BGP_ACT_ATTR_DISCARD, 1, a.type);
			continue;
		}
		uint8_t want = expected_flags(a.type);
		if (want == 0xff) {
			if (!(a.flags & BGP_AF_OPTIONAL)) {
				add_error(u, BGP_ACT_RESET, 2, a.type);
				return u->action;
			}
		} else if ((a.flags & (BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE)) != want) {
			add_error(u, malformed_action(a.type), 4, a.type);
			continue;
		}
		if (mp) {
			if (!parse_mp(u, &a, a.type == BGP_ATTR_MP_REACH ? &u->reach : &u->unreach)) {
				add_error(u, BGP_ACT_RESET, 9, a.type);
				return u->action;
			}
			continue;
		}
		/* RFC 6793 section 4.1: NEW speakers ignore the AS4 attributes. */
		if (u->as4 && (a.type == BGP_ATTR_AS4_PATH || a.type == BGP_ATTR_AS4_AGGREGATOR))
			continue;
		uint8_t sub = check_attr(u, &a);
		if (sub) {
			add_error(u, malformed_action(a.type), sub, a.type);
			continue;
		}
		u->attr_off[a.type] = (uint16_t)(this_off + 1);
	}

#define SEEN(t) (seen[(t) / 8] & (1u << ((t) % 8)))
	bool reach = u->nlri.len || u->reach.present;
	if (reach && (!SEEN(BGP_ATTR_ORIGIN) || !SEEN(BGP_ATTR_AS_PATH)))
		add_error(u, BGP_ACT_WITHDRAW, 3, !SEEN(BGP_ATTR_ORIGIN) ? BGP_ATTR_ORIGIN
									 : BGP_ATTR_AS_PATH);
	if (u->nlri.len && !SEEN(BGP_ATTR_NEXT_HOP))
		add_error(u, BGP_ACT_WITHDRAW, 3, BGP_ATTR_NEXT_HOP);
#undef SEEN

	if (mlen == 23)
		u->eor = BGP_FAM_IPV4;
	else if (!wlen && !u->nlri.len && n_attrs == 1 && u->unreach.present &&
		 u->unreach.fam >= 0 && !u->unreach.nlri.len && u->attrs_ok_len == alen &&
		 !(u->disable_mask & (1u << u->unreach.fam)))
		u->eor = u->unreach.fam;
	return u->action;
}

bool bgp_update_attr(const struct bgp_update *u, uint8_t type, struct bgp_attr *a)
{
	uint16_t o = u->attr_off[type];
	if (!o)
		return false;
	const uint8_t *p = u->attrs.p + o - 1;
	a->flags = p[0];
	a->type = p[1];
	a->len = p[0] & BGP_AF_EXTLEN ? get_u16(p + 2) : p[2];
	a->val = p + (p[0] & BGP_AF_EXTLEN ? 4 : 3);
	return true;
}

void bgp_attr_iter_init(struct bgp_attr_iter *it, const struct bgp_update *u)
{
	it->u = u;
	it->off = 0;
}

bool bgp_attr_next(struct bgp_attr_iter *it, struct bgp_attr *a)
{
	const struct bgp_update *u = it->u;
	while (it->off < u->attrs_ok_len) {
		const uint8_t *p = u->attrs.p + it->off;
		uint32_t at = it->off;
		uint32_t hl = p[0] & BGP_AF_EXTLEN ? 4 : 3;
		it->off += hl + (hl == 4 ? get_u16(p + 2) : p[2]);
		if (u->attr_off[p[1]] == at + 1)
			return bgp_update_attr(u, p[1], a);
	}
	return false;
}

/* ---------------------------------------------------- AS path merge */

struct seg_writer {
	struct buf *out;
	size_t last;		/* offset of the last segment header */
	bool have_last;
};

static void seg_add(struct seg_writer *w, uint8_t type, const uint8_t *as, unsigned asz,
		    unsigned n)
{
	while (n) {
		struct buf *b = w->out;
		uint8_t *h = w->have_last && !b->oom ? b->data + w->last : NULL;
		unsigned take;
		if (type == BGP_AS_SEQUENCE && h && h[0] == BGP_AS_SEQUENCE && h[1] < 255) {
			take = n < 255u - h[1] ? n : 255u - h[1];
			h[1] = (uint8_t)(h[1] + take);
		} else {
			take = n < 255 ? n : 255;
			w->last = b->len;
			w->have_last = true;
			buf_u8(b, type);
			buf_u8(b, (uint8_t)take);
		}
		for (unsigned i = 0; i < take; i++)
			buf_u32(b, asz == 4 ? get_u32(as + 4 * i) : get_u16(as + 2 * i));
		as += take * asz;
		n -= take;
	}
}

static unsigned aspath_count(const uint8_t *p, uint32_t len, unsigned asz)
{
	unsigned n = 0;
	for (uint32_t o = 0; o + 2 <= len; o += 2 + p[o + 1] * asz)
		n += p[o] == BGP_AS_SEQUENCE ? p[o + 1] : p[o] == BGP_AS_SET ? 1 : 0;
	return n;
}

static void aspath_copy(struct seg_writer *w, const uint8_t *p, uint32_t len, unsigned asz,
			unsigned limit)
{
	for (uint32_t o = 0; o + 2 <= len; o += 2 + p[o + 1] * asz) {
		uint8_t t = p[o], n = p[o + 1];
		bool counted = t == BGP_AS_SEQUENCE || t == BGP_AS_SET;
		if (counted && !limit)
			break;
		if (t == BGP_AS_SEQUENCE && n > limit)
			n = (uint8_t)limit;
		seg_add(w, t, p + o + 2, asz, n);
		if (counted)
			limit -= t == BGP_AS_SET ? 1 : n;
	}
}

bool bgp_update_aggregator(const struct bgp_update *u, uint32_t *as, uint32_t *addr)
{
	struct bgp_attr a, a4;
	if (!bgp_update_attr(u, BGP_ATTR_AGGREGATOR, &a))
		return false;
	if (u->as4) {
		*as = get_u32(a.val);
		*addr = get_u32(a.val + 4);
		return true;
	}
	*as = get_u16(a.val);
	*addr = get_u32(a.val + 2);
	if (*as == BGP_AS_TRANS && bgp_update_attr(u, BGP_ATTR_AS4_AGGREGATOR, &a4)) {
		*as = get_u32(a4.val);
		*addr = get_u32(a4.val + 4);
	}
	return true;
}

bool bgp_update_aspath(const struct bgp_update *u, struct buf *out)
{
	struct bgp_attr a, a4, ag;
	struct seg_writer w = { out, 0, false };
	if (!bgp_update_attr(u, BGP_ATTR_AS_PATH, &a))
		return false;
	unsigned asz = u->as4 ? 4 : 2;
	bool use4 = !u->as4 && bgp_update_attr(u, BGP_ATTR_AS4_PATH, &a4);
	/* RFC 6793 4.2.3: an AGGREGATOR from a NEW speaker that aggregated
	 * (AS other than AS_TRANS) makes AS4_PATH stale. */
	if (use4 && bgp_update_attr(u, BGP_ATTR_AGGREGATOR, &ag) && get_u16(ag.val) != BGP_AS_TRANS)
		use4 = false;
	unsigned n2 = aspath_count(a.val, a.len, asz);
	unsigned n4 = use4 ? aspath_count(a4.val, a4.len, 4) : 0;
	if (use4 && n2 < n4)
		use4 = false;
	aspath_copy(&w, a.val, a.len, asz, use4 ? n2 - n4 : ~0u);
	if (use4)
		aspath_copy(&w, a4.val, a4.len, 4, ~0u);
	return true;
}

/* ----------------------------------------------------- NOTIFICATION */

bool bgp_notification_parse(const uint8_t *msg, size_t len, struct bgp_notification *n)
{
	int mlen = bgp_msg_check(msg, len, true);
	if (mlen <= 0 || msg[18] != BGP_NOTIFICATION)
		return false;
	n->code = msg[19];
	n->subcode = msg[20];
	n->data = (struct bgp_span){ msg + 21, (uint32_t)mlen - 21 };
	return true;
}
