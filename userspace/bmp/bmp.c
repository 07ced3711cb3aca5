#include "bmp.h"

#include <string.h>

void bmp_peer_set_addr(struct bmp_peer *p, const uint8_t *addr, size_t len)
{
	memset(p->addr, 0, sizeof(p->addr));
	if (len == 16) {
		memcpy(p->addr, addr, 16);
		p->flags |= BMP_PEER_F_V;
	} else {
		memcpy(p->addr + 12, addr, 4);
		p->flags &= (uint8_t)~BMP_PEER_F_V;
	}
}

static size_t common_hdr(struct buf *b, uint8_t type)
{
	size_t at = b->len;
	buf_u8(b, BMP_VERSION);
	buf_zero(b, 4);
	buf_u8(b, type);
	return at;
}

/* The BMP length covers the common header itself. */
static void finish(struct buf *b, size_t at) { buf_patch(b, at + 1, 4, b->len - at); }

static void peer_hdr(struct buf *b, const struct bmp_peer *p)
{
	buf_u8(b, p->type);
	buf_u8(b, p->flags);
	buf_u64(b, p->distinguisher);
	buf_put(b, p->addr, 16);
	buf_u32(b, p->as);
	buf_u32(b, p->bgp_id);
	buf_u32(b, p->ts_sec);
	buf_u32(b, p->ts_usec);
}

static void tlvs(struct buf *b, const struct bmp_tlv *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		buf_u16(b, t[i].type);
		buf_u16(b, t[i].len);
		buf_put(b, t[i].val, t[i].len);
	}
}

void bmp_initiation(struct buf *b, const struct bmp_tlv *tlv, size_t n)
{
	size_t at = common_hdr(b, BMP_INITIATION);
	tlvs(b, tlv, n);
	finish(b, at);
}

void bmp_termination(struct buf *b, uint16_t reason, const char *text)
{
	size_t at = common_hdr(b, BMP_TERMINATION);
	if (text) {
		size_t l = strlen(text);
		buf_u16(b, BMP_TERM_STRING);
		buf_u16(b, (uint16_t)(l > 0xffff ? 0xffff : l));
		buf_put(b, text, l > 0xffff ? 0xffff : l);
	}
	buf_u16(b, BMP_TERM_REASON);
	buf_u16(b, 2);
	buf_u16(b, reason);
	finish(b, at);
}

void bmp_peer_up(struct buf *b, const struct bmp_peer *p, const uint8_t local_addr[16],
		 uint16_t local_port, uint16_t remote_port,
		 const uint8_t *sent_open, size_t sent_len,
		 const uint8_t *recv_open, size_t recv_len,
		 const struct bmp_tlv *info, size_t n_info)
{
	size_t at = common_hdr(b, BMP_PEER_UP);
	peer_hdr(b, p);
	buf_put(b, local_addr, 16);
	buf_u16(b, local_port);
	buf_u16(b, remote_port);
	buf_put(b, sent_open, sent_len);
	buf_put(b, recv_open, recv_len);
	tlvs(b, info, n_info);
	finish(b, at);
}

void bmp_peer_down(struct buf *b, const struct bmp_peer *p, uint8_t reason,
		   const uint8_t *data, size_t len)
{
	size_t at = common_hdr(b, BMP_PEER_DOWN);
	peer_hdr(b, p);
	buf_u8(b, reason);
	buf_put(b, data, len);
	finish(b, at);
}

void bmp_peer_down_fsm(struct buf *b, const struct bmp_peer *p, uint16_t fsm_event)
{
	uint8_t v[2];
	put_u16(v, fsm_event);
	bmp_peer_down(b, p, BMP_DOWN_LOCAL_NO_NOTIFY, v, 2);
}

void bmp_route_monitoring(struct buf *b, const struct bmp_peer *p,
			  const uint8_t *update, size_t len)
{
	size_t at = common_hdr(b, BMP_ROUTE_MONITORING);
	peer_hdr(b, p);
	buf_put(b, update, len);
	finish(b, at);
}

void bmp_statistics(struct buf *b, const struct bmp_peer *p, const struct bmp_stat *s, size_t n)
{
	size_t at = common_hdr(b, BMP_STATISTICS);
	peer_hdr(b, p);
	buf_u32(b, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		buf_u16(b, s[i].type);
		switch (s[i].type) {
		case BMP_STAT_ADJ_RIB_IN: case BMP_STAT_LOC_RIB:
		case BMP_STAT_ADJ_RIB_OUT_PRE: case BMP_STAT_ADJ_RIB_OUT_POST:
		case BMP_STAT_ADJ_RIB_IN_PRE: case BMP_STAT_ADJ_RIB_IN_POST:
			buf_u16(b, 8);
			buf_u64(b, s[i].value);
			break;
		case BMP_STAT_ADJ_RIB_IN_AF: case BMP_STAT_LOC_RIB_AF:
		case BMP_STAT_ADJ_RIB_OUT_PRE_AF: case BMP_STAT_ADJ_RIB_OUT_POST_AF:
		case BMP_STAT_ADJ_RIB_IN_PRE_AF: case BMP_STAT_ADJ_RIB_IN_POST_AF:
		case BMP_STAT_ADJ_RIB_IN_REJECTED_AF: case BMP_STAT_ADJ_RIB_IN_ACCEPTED_AF:
			buf_u16(b, 11);
			buf_u16(b, s[i].afi);
			buf_u8(b, s[i].safi);
			buf_u64(b, s[i].value);
			break;
		default:
			buf_u16(b, 4);
			buf_u32(b, (uint32_t)s[i].value);
		}
	}
	finish(b, at);
}

void bmp_route_mirroring(struct buf *b, const struct bmp_peer *p, const uint8_t *msg,
			 size_t len, int info)
{
	size_t at = common_hdr(b, BMP_ROUTE_MIRRORING);
	peer_hdr(b, p);
	if (info >= 0) {
		buf_u16(b, BMP_MIRROR_INFO);
		buf_u16(b, 2);
		buf_u16(b, (uint16_t)info);
	}
	if (msg) {
		buf_u16(b, BMP_MIRROR_BGP_MSG);
		buf_u16(b, (uint16_t)len);
		buf_put(b, msg, len);
	}
	finish(b, at);
}

/* ------------------------------------------------- UPDATE encoding */

static size_t bgp_hdr(struct buf *b, uint8_t type)
{
	size_t at = b->len;
	buf_zero(b, 16);
	if (!b->oom)
		memset(b->data + at, 0xff, 16);
	buf_u16(b, 0);
	buf_u8(b, type);
	return at;
}

static void bgp_finish(struct buf *b, size_t at) { buf_patch(b, at + 16, 2, b->len - at); }

static void put_attr_hdr(struct buf *b, uint8_t flags, uint8_t type, size_t len)
{
	if (len > 255) {
		buf_u8(b, flags | BGP_AF_EXTLEN);
		buf_u8(b, type);
		buf_u16(b, (uint16_t)len);
	} else {
		buf_u8(b, flags & (uint8_t)~BGP_AF_EXTLEN);
		buf_u8(b, type);
		buf_u8(b, (uint8_t)len);
	}
}

static size_t pfx_size(const struct bgp_prefix *p, bool addpath)
{
	return (addpath ? 4u : 0u) + 1u + (p->len + 7u) / 8u;
}

static void put_pfx(struct buf *b, const struct bgp_prefix *p, bool addpath)
{
	if (addpath)
		buf_u32(b, p->path_id);
	buf_u8(b, p->len);
	buf_put(b, p->addr, (p->len + 7u) / 8u);
}

/* An AS path in canonical 4-octet form re-encoded for a 2-octet peer:
 * AS_TRANS stands in for big ASes, which then need AS4_PATH. */
static bool aspath_to_2(struct buf *b, const struct bgp_attr *a)
{
	bool big = false;
	size_t lf;
	put_attr_hdr(b, a->flags | BGP_AF_EXTLEN, BGP_ATTR_AS_PATH, 256);
	lf = b->len - 2;
	for (uint32_t o = 0; o + 2 <= a->len; o += 2 + a->val[o + 1] * 4u) {
		buf_u8(b, a->val[o]);
		buf_u8(b, a->val[o + 1]);
		for (unsigned i = 0; i < a->val[o + 1]; i++) {
			uint32_t as = get_u32(a->val + o + 2 + 4 * i);
			big |= as > 0xffff;
			buf_u16(b, as > 0xffff ? BGP_AS_TRANS : (uint16_t)as);
		}
	}
	size_t vlen = b->len - lf - 2;
	if (!b->oom && vlen <= 255) {
		b->data[lf - 2] &= (uint8_t)~BGP_AF_EXTLEN;
		b->data[lf] = (uint8_t)vlen;
		memmove(b->data + lf + 1, b->data + lf + 2, vlen);
		b->len--;
	} else {
		buf_patch_len(b, lf, 2);
	}
	return big;
}

static void as4_path(struct buf *b, const struct bgp_attr *a)
{
	/* RFC 6793 section 3: no confederation segments in AS4_PATH. */
	size_t len = 0;
	for (uint32_t o = 0; o + 2 <= a->len; o += 2 + a->val[o + 1] * 4u)
		if (a->val[o] <= BGP_AS_SEQUENCE)
			len += 2 + a->val[o + 1] * 4u;
	put_attr_hdr(b, BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE, BGP_ATTR_AS4_PATH, len);
	for (uint32_t o = 0; o + 2 <= a->len; o += 2 + a->val[o + 1] * 4u)
		if (a->val[o] <= BGP_AS_SEQUENCE)
			buf_put(b, a->val + o, 2 + a->val[o + 1] * 4u);
}

static void put_as4(struct buf *b, const struct bgp_attr *aspath, const uint8_t *agg)
{
	if (aspath)
		as4_path(b, aspath);
	if (agg) {
		put_attr_hdr(b, BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE, BGP_ATTR_AS4_AGGREGATOR, 8);
		buf_put(b, agg, 8);
	}
}

static void put_nh(struct buf *b, const struct attr_set *s)
{
	put_attr_hdr(b, BGP_AF_TRANSITIVE, BGP_ATTR_NEXT_HOP, 4);
	buf_put(b, s->nh, 4);
}

/* All attributes except MP_REACH_NLRI, in ascending type order. */
static void encode_attrs(struct buf *b, const struct attr_set *s, const struct bgp_codec *c,
			 bool classic_nh)
{
	bool nh_pending = classic_nh;
	struct bgp_attr path;
	const struct bgp_attr *as4p = NULL;
	const uint8_t *agg4 = NULL;
	for (uint32_t o = 0; o + 3 <= s->len;) {
		const uint8_t *p = s->data + o;
		uint32_t hl = p[0] & BGP_AF_EXTLEN ? 4 : 3;
		struct bgp_attr a = { p[0], p[1], (uint16_t)(hl == 4 ? get_u16(p + 2) : p[2]), p + hl };
		o += hl + a.len;
		/* A famrib set's next hop (attr.h): its encoder puts it first. */
		if (a.type == BGP_ATTR_MP_REACH)
			continue;
		if (nh_pending && a.type > BGP_ATTR_NEXT_HOP) {
			put_nh(b, s);
			nh_pending = false;
		}
		if ((as4p || agg4) && a.type > BGP_ATTR_AS4_AGGREGATOR) {
			put_as4(b, as4p, agg4);
			as4p = NULL;
			agg4 = NULL;
		}
		if (!c->as4 && a.type == BGP_ATTR_AS_PATH) {
			path = a;
			if (aspath_to_2(b, &a))
				as4p = &path;
		} else if (!c->as4 && a.type == BGP_ATTR_AGGREGATOR && a.len == 8) {
			uint32_t as = get_u32(a.val);
			put_attr_hdr(b, a.flags, a.type, 6);
			buf_u16(b, as > 0xffff ? BGP_AS_TRANS : (uint16_t)as);
			buf_put(b, a.val + 4, 4);
			if (as > 0xffff)
				agg4 = a.val;
		} else {
			put_attr_hdr(b, a.flags, a.type, a.len);
			buf_put(b, a.val, a.len);
		}
	}
	if (nh_pending)
		put_nh(b, s);
	put_as4(b, as4p, agg4);
}

size_t bgp_encode_update(struct buf *b, const struct attr_set *s, const struct bgp_prefix *p,
			 size_t n, const struct bgp_codec *c)
{
	if (!n)
		return 0;
	int fam = p[0].fam;
	bool ap = c->addpath[fam];
	/* RFC 8950 IPv4 routes with an IPv6 next hop need MP_REACH too. */
	bool classic = fam == BGP_FAM_IPV4 && s->nh_len == 4;
	size_t max = c->ext_msg ? BGP_EXT_MAX_LEN : BGP_MAX_LEN;
	struct buf attrs;
	buf_init(&attrs);
	encode_attrs(&attrs, s, c, classic);
	size_t base = BGP_HDR_LEN + 4 + attrs.len + (classic ? 0 : 4 + 5 + s->nh_len);
	size_t k = 0, used = 0;
	while (base <= max && k < n && p[k].fam == fam && used + pfx_size(&p[k], ap) <= max - base)
		used += pfx_size(&p[k++], ap);
	if (!k || attrs.oom) {
		buf_free(&attrs);
		return 0;
	}
	size_t at = bgp_hdr(b, BGP_UPDATE);
	buf_u16(b, 0);
	size_t alf = buf_mark(b, 2);
	if (!classic) {
		/* First, as FRR and GoBGP place it; always extended length so
		 * its size need not be known up front. */
		buf_u8(b, BGP_AF_OPTIONAL | BGP_AF_EXTLEN);
		buf_u8(b, BGP_ATTR_MP_REACH);
		buf_u16(b, (uint16_t)(5 + s->nh_len + used));
		buf_u16(b, bgp_fam_afi(fam));
		buf_u8(b, BGP_SAFI_UNICAST);
		buf_u8(b, s->nh_len);
		buf_put(b, s->nh, s->nh_len);
		buf_u8(b, 0);
		for (size_t i = 0; i < k; i++)
			put_pfx(b, &p[i], ap);
	}
	buf_put(b, attrs.data, attrs.len);
	buf_patch_len(b, alf, 2);
	if (classic)
		for (size_t i = 0; i < k; i++)
			put_pfx(b, &p[i], ap);
	bgp_finish(b, at);
	buf_free(&attrs);
	return k;
}

size_t bgp_encode_withdraw(struct buf *b, const struct bgp_prefix *p, size_t n,
			   const struct bgp_codec *c)
{
	if (!n)
		return 0;
	int fam = p[0].fam;
	bool ap = c->addpath[fam];
	size_t max = c->ext_msg ? BGP_EXT_MAX_LEN : BGP_MAX_LEN;
	size_t base = BGP_HDR_LEN + 4 + (fam == BGP_FAM_IPV4 ? 0 : 7);
	size_t k = 0, used = 0;
	while (k < n && p[k].fam == fam && used + pfx_size(&p[k], ap) <= max - base)
		used += pfx_size(&p[k++], ap);
	if (!k)
		return 0;
	size_t at = bgp_hdr(b, BGP_UPDATE);
	if (fam == BGP_FAM_IPV4) {
		buf_u16(b, (uint16_t)used);
		for (size_t i = 0; i < k; i++)
			put_pfx(b, &p[i], ap);
		buf_u16(b, 0);
	} else {
		buf_u16(b, 0);
		buf_u16(b, (uint16_t)(7 + used));
		buf_u8(b, BGP_AF_OPTIONAL | BGP_AF_EXTLEN);
		buf_u8(b, BGP_ATTR_MP_UNREACH);
		buf_u16(b, (uint16_t)(3 + used));
		buf_u16(b, bgp_fam_afi(fam));
		buf_u8(b, BGP_SAFI_UNICAST);
		for (size_t i = 0; i < k; i++)
			put_pfx(b, &p[i], ap);
	}
	bgp_finish(b, at);
	return k;
}

void bgp_encode_mp_eor(struct buf *b, uint16_t afi, uint8_t safi)
{
	size_t at = bgp_hdr(b, BGP_UPDATE);

	/* RFC 4724 section 2: an MP_UNREACH_NLRI with no withdrawn routes. */
	buf_u16(b, 0);
	buf_u16(b, 6);
	buf_u8(b, BGP_AF_OPTIONAL);
	buf_u8(b, BGP_ATTR_MP_UNREACH);
	buf_u8(b, 3);
	buf_u16(b, afi);
	buf_u8(b, safi);
	bgp_finish(b, at);
}

void bgp_encode_eor(struct buf *b, int fam)
{
	size_t at;

	if (fam != BGP_FAM_IPV4) {
		bgp_encode_mp_eor(b, bgp_fam_afi(fam), BGP_SAFI_UNICAST);
		return;
	}
	at = bgp_hdr(b, BGP_UPDATE);
	buf_u16(b, 0);
	buf_u16(b, 0);
	bgp_finish(b, at);
}

/* How many of e[0..n) fit in room octets of NLRI, and their octets. */
static size_t mp_fit(const struct famrib_entry *e, size_t n, bool addpath, size_t room,
		     size_t *used)
{
	size_t k = 0;

	*used = 0;
	while (k < n && e[k].fam == e[0].fam && *used + e[k].nlri.len + 4u * addpath <= room)
		*used += e[k++].nlri.len + 4u * addpath;
	return k;
}

static void put_mp_nlri(struct buf *b, const struct famrib_entry *e, size_t k, bool addpath)
{
	for (size_t i = 0; i < k; i++) {
		if (addpath)
			buf_u32(b, e[i].path_id);
		buf_put(b, e[i].nlri.p, e[i].nlri.len);
	}
}

size_t bgp_encode_mp_update(struct buf *b, const struct attr_set *s, const struct famrib_entry *e,
			    size_t n, const struct bgp_codec *c, bool addpath)
{
	size_t max = c->ext_msg ? BGP_EXT_MAX_LEN : BGP_MAX_LEN, base, used, k, at, alf;
	struct bgp_attr mp;
	struct buf attrs;

	if (!n || !attr_find(s, BGP_ATTR_MP_REACH, &mp))
		return 0;
	buf_init(&attrs);
	encode_attrs(&attrs, s, c, false);
	base = BGP_HDR_LEN + 4 + attrs.len + 4 + mp.len;
	/* The attribute's own length caps its NLRI too. */
	k = base < max ? mp_fit(e, n, addpath, max - base > 0xffffu - mp.len ? 0xffffu - mp.len :
				 max - base, &used) : 0;
	if (!k || attrs.oom) {
		buf_free(&attrs);
		return 0;
	}
	at = bgp_hdr(b, BGP_UPDATE);
	buf_u16(b, 0);
	alf = buf_mark(b, 2);
	/* First, as FRR and GoBGP place it (and bgp_encode_update). */
	buf_u8(b, BGP_AF_OPTIONAL | BGP_AF_EXTLEN);
	buf_u8(b, BGP_ATTR_MP_REACH);
	buf_u16(b, (uint16_t)(mp.len + used));
	buf_put(b, mp.val, mp.len);
	put_mp_nlri(b, e, k, addpath);
	buf_put(b, attrs.data, attrs.len);
	buf_patch_len(b, alf, 2);
	bgp_finish(b, at);
	buf_free(&attrs);
	return k;
}

size_t bgp_encode_mp_withdraw(struct buf *b, uint16_t afi, uint8_t safi,
			      const struct famrib_entry *e, size_t n, const struct bgp_codec *c,
			      bool addpath)
{
	size_t max = c->ext_msg ? BGP_EXT_MAX_LEN : BGP_MAX_LEN, used, k, at;

	k = mp_fit(e, n, addpath, max - (BGP_HDR_LEN + 4 + 4 + 3), &used);
	if (!k)
		return 0;
	at = bgp_hdr(b, BGP_UPDATE);
	buf_u16(b, 0);
	buf_u16(b, (uint16_t)(4 + 3 + used));
	buf_u8(b, BGP_AF_OPTIONAL | BGP_AF_EXTLEN);
	buf_u8(b, BGP_ATTR_MP_UNREACH);
	buf_u16(b, (uint16_t)(3 + used));
	buf_u16(b, afi);
	buf_u8(b, safi);
	put_mp_nlri(b, e, k, addpath);
	bgp_finish(b, at);
	return k;
}
