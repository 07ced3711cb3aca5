// SPDX-License-Identifier: GPL-2.0
/*
 * Detection of the UPDATE encoding of sessions picked up mid-stream (see
 * midstream.h).
 */
#include <stdlib.h>
#include <string.h>
#include <linux/bmptap.h>

#include "buf.h"
#include "midstream.h"

/* Merges one piece of evidence; a contradiction is remembered. */
static void tri_merge(uint8_t *x, uint8_t v, bool *conflict)
{
	if (v == MS_UNKNOWN)
		return;
	if (*x == MS_UNKNOWN)
		*x = v;
	else if (*x != v)
		*conflict = true;
}

static uint8_t tri_of(bool no, bool yes, bool *conflict)
{
	if (no && yes)
		return MS_UNKNOWN;
	if (!no && !yes) {
		*conflict = true;
		return MS_UNKNOWN;
	}
	return yes ? MS_YES : MS_NO;
}

static void nlri_evidence(struct ms_evidence *e, int fam, const uint8_t *p, uint32_t len)
{
	struct bgp_span s = { p, len };

	if (fam < 0 || !len)
		return;
	e->fam[fam] = true;
	tri_merge(&e->addpath[fam], tri_of(bgp_nlri_valid(s, fam, false),
					   bgp_nlri_valid(s, fam, true), &e->conflict),
		  &e->conflict);
}

static void mp_evidence(struct ms_evidence *e, bool reach, const uint8_t *v, uint32_t len)
{
	uint32_t off = 3;
	int fam;

	if (len < 3) {
		e->conflict = true;
		return;
	}
	fam = bgp_fam_of(get_u16(v), v[2]);
	if (fam < 0)
		return;		/* not decoded by bmptapd: no encoding to detect */
	if (reach) {
		if (len < 5 || len < 5u + v[3]) {
			e->conflict = true;
			return;
		}
		off = 5u + v[3];
	}
	nlri_evidence(e, fam, v + off, len - off);
}

void ms_evidence(const uint8_t *msg, size_t len, struct ms_evidence *e)
{
	bool as_path = false, local_pref = false;
	const uint8_t *p, *end;
	uint32_t wlen, alen;

	memset(e, 0, sizeof(*e));
	if (len < BGP_HDR_LEN + 4 || msg[18] != BGP_UPDATE || get_u16(msg + 16) != len) {
		e->conflict = true;
		return;
	}
	p = msg + BGP_HDR_LEN;
	end = msg + len;
	wlen = get_u16(p);
	if (2u + wlen + 2u > (size_t)(end - p)) {
		e->conflict = true;
		return;
	}
	nlri_evidence(e, BGP_FAM_IPV4, p + 2, wlen);
	p += 2 + wlen;
	alen = get_u16(p);
	p += 2;
	if (alen > (size_t)(end - p)) {
		e->conflict = true;
		return;
	}
	nlri_evidence(e, BGP_FAM_IPV4, p + alen, (uint32_t)(end - p - alen));
	for (const uint8_t *a = p, *aend = p + alen; a < aend;) {
		uint32_t hl, vl;

		if (aend - a < 3) {
			e->conflict = true;
			return;
		}
		hl = a[0] & BGP_AF_EXTLEN ? 4 : 3;
		if ((uint32_t)(aend - a) < hl) {
			e->conflict = true;
			return;
		}
		vl = hl == 4 ? get_u16(a + 2) : a[2];
		if (hl + vl > (uint32_t)(aend - a)) {
			e->conflict = true;
			return;
		}
		const uint8_t *v = a + hl;

		switch (a[1]) {
		case BGP_ATTR_AS_PATH:
			as_path = vl > 0;
			tri_merge(&e->as4, tri_of(bgp_aspath_valid(v, vl, 2, true),
						  bgp_aspath_valid(v, vl, 4, true), &e->conflict),
				  &e->conflict);
			break;
		case BGP_ATTR_AGGREGATOR:
			tri_merge(&e->as4, vl == 6 ? MS_NO : vl == 8 ? MS_YES : MS_UNKNOWN,
				  &e->conflict);
			break;
		case BGP_ATTR_AS4_PATH:
		case BGP_ATTR_AS4_AGGREGATOR:
			tri_merge(&e->as4, MS_NO, &e->conflict);
			break;
		case BGP_ATTR_LOCAL_PREF:
			local_pref = true;
			break;
		case BGP_ATTR_MP_REACH:
		case BGP_ATTR_MP_UNREACH:
			mp_evidence(e, a[1] == BGP_ATTR_MP_REACH, v, vl);
			break;
		default:
			break;
		}
		a += hl + vl;
	}
	/* RFC 4271 5.1.5: LOCAL_PREF only goes to internal peers. */
	if (local_pref)
		e->ebgp = MS_NO;
	else if (as_path)
		e->ebgp = MS_YES;
}

void ms_init(struct midstream *m)
{
	memset(m, 0, sizeof(*m));
}

void ms_free(struct midstream *m)
{
	struct ms_msg *n;

	for (struct ms_msg *h = m->head; h; h = n) {
		n = h->next;
		free(h);
	}
	m->head = m->tail = NULL;
	m->n_held = m->held_bytes = 0;
}

void ms_learn(struct midstream *m, int dir, const uint8_t *msg, size_t len)
{
	struct ms_evidence e;

	ms_evidence(msg, len, &e);
	if (len > BGP_MAX_LEN)
		m->ext_msg = true;
	/* Malformed whatever the encoding: it proves nothing. */
	if (e.conflict) {
		m->malformed++;
		return;
	}
	tri_merge(&m->as4, e.as4, &m->conflict);
	tri_merge(&m->ebgp[dir], e.ebgp, &m->conflict);
	for (int f = 0; f < BGP_FAM_MAX; f++) {
		if (!e.fam[f])
			continue;
		m->fam[dir][f] = true;
		tri_merge(&m->addpath[dir][f], e.addpath[f], &m->conflict);
	}
}

bool ms_hold(struct midstream *m, int dir, const uint8_t *msg, size_t len, uint64_t ts_ns)
{
	struct ms_msg *h;

	if (m->n_held >= MS_HOLD_MSGS || m->held_bytes + len > MS_HOLD_BYTES ||
	    !(h = malloc(sizeof(*h) + len))) {
		m->dropped++;
		return false;
	}
	h->next = NULL;
	h->ts_ns = ts_ns;
	h->len = (uint32_t)len;
	h->dir = (uint8_t)dir;
	memcpy(h->data, msg, len);
	if (m->tail)
		m->tail->next = h;
	else
		m->head = h;
	m->tail = h;
	m->n_held++;
	m->held_bytes += len;
	return true;
}

bool ms_ready(const struct midstream *m)
{
	bool any = false;

	if (m->conflict || m->as4 == MS_UNKNOWN)
		return false;
	for (int f = 0; f < BGP_FAM_MAX; f++) {
		if (!m->fam[BMPTAP_DIR_RX][f])
			continue;
		if (m->addpath[BMPTAP_DIR_RX][f] == MS_UNKNOWN)
			return false;
		any = true;
	}
	return any;
}

/* Capability 2-tuple helpers for the synthesized OPEN. */
static uint8_t *cap(uint8_t *c, uint8_t code, uint8_t len)
{
	c[0] = 2;		/* optional parameter: capabilities */
	c[1] = (uint8_t)(len + 2);
	c[2] = code;
	c[3] = len;
	return c + 4;
}

static uint8_t *build_open(const struct midstream *m, const struct bgp_session *s, int dir,
			   uint32_t as, size_t *out_len)
{
	/* version..opt len, then at most 2 MP + AS4 + ADD-PATH + ext msg */
	uint8_t *o = malloc(BGP_HDR_LEN + 10 + 2 * 10 + 10 + (4 + 4 * BGP_FAM_MAX) + 4);
	uint8_t *c, *ap, *end;
	uint8_t n_ap = 0;

	if (!o)
		return NULL;
	memset(o, 0xff, 16);
	o[18] = BGP_OPEN;
	o[19] = 4;
	put_u16(o + 20, as > 0xffff ? BGP_AS_TRANS : (uint16_t)as);
	put_u16(o + 22, 0);		/* hold time: unknown */
	put_u32(o + 24, 0);		/* BGP Identifier: unknown */
	c = o + 29;
	for (int f = 0; f < BGP_FAM_MAX; f++) {
		if (!s->af[f])
			continue;
		c = cap(c, 1, 4);
		put_u16(c, bgp_fam_afi(f));
		c[2] = 0;
		c[3] = BGP_SAFI_UNICAST;
		c += 4;
	}
	if (m->as4 == MS_YES) {
		c = cap(c, 65, 4);
		put_u32(c, as);
		c += 4;
	}
	/* RFC 7911 4: path ids flow from a "send" speaker to a "receive" one. */
	ap = c;
	c += 4;
	for (int f = 0; f < BGP_FAM_MAX; f++) {
		bool own = dir == BMPTAP_DIR_RX ? s->rx.addpath[f] : s->tx.addpath[f];
		bool other = dir == BMPTAP_DIR_RX ? s->tx.addpath[f] : s->rx.addpath[f];

		if (!own && !other)
			continue;
		put_u16(c, bgp_fam_afi(f));
		c[2] = BGP_SAFI_UNICAST;
		c[3] = (uint8_t)((own ? BGP_ADDPATH_TX : 0) | (other ? BGP_ADDPATH_RX : 0));
		c += 4;
		n_ap++;
	}
	if (n_ap)
		cap(ap, 69, (uint8_t)(4 * n_ap));
	else
		c = ap;
	if (m->ext_msg)
		c = cap(c, 6, 0);
	end = c;
	o[28] = (uint8_t)(end - (o + 29));
	*out_len = (size_t)(end - o);
	put_u16(o + 16, (uint16_t)*out_len);
	return o;
}

void ms_session(struct midstream *m, struct bgp_session *s)
{
	memset(s, 0, sizeof(*s));
	s->rx.as4 = s->tx.as4 = m->as4 == MS_YES;
	/* The tap framed every message already: their lengths are proven. */
	s->rx.ext_msg = s->tx.ext_msg = true;
	for (int f = 0; f < BGP_FAM_MAX; f++) {
		s->af[f] = m->fam[BMPTAP_DIR_RX][f] || m->fam[BMPTAP_DIR_TX][f];
		s->rx.addpath[f] = m->addpath[BMPTAP_DIR_RX][f] == MS_YES;
		s->tx.addpath[f] = m->addpath[BMPTAP_DIR_TX][f] == MS_YES;
		for (int d = 0; d < 2; d++)
			m->assumed[d][f] = m->addpath[d][f] == MS_UNKNOWN;
	}
	m->up = true;
}

bool ms_opens(const struct midstream *m, const struct bgp_session *s, uint32_t peer_as,
	      uint32_t local_as, uint8_t *open[2], size_t open_len[2])
{
	open[BMPTAP_DIR_RX] = build_open(m, s, BMPTAP_DIR_RX, peer_as, &open_len[BMPTAP_DIR_RX]);
	open[BMPTAP_DIR_TX] = build_open(m, s, BMPTAP_DIR_TX, local_as, &open_len[BMPTAP_DIR_TX]);
	if (!open[0] || !open[1]) {
		free(open[0]);
		free(open[1]);
		open[0] = open[1] = NULL;
		return false;
	}
	return true;
}

uint32_t ms_sender_as(const struct midstream *m, int dir, const struct bgp_codec *c)
{
	struct bgp_update u;
	struct buf b;
	uint32_t as = 0;

	if (m->ebgp[dir] != MS_YES)
		return 0;
	buf_init(&b);
	for (const struct ms_msg *h = m->head; h && !as; h = h->next) {
		if (h->dir != dir)
			continue;
		bgp_update_parse(h->data, h->len, c, &u);
		b.len = 0;
		if (u.action == BGP_ACT_RESET || !bgp_update_aspath(&u, &b) || b.len < 6)
			continue;
		/* A confederation or a set first: the neighbour AS is not there. */
		if (b.data[0] == BGP_AS_SEQUENCE)
			as = get_u32(b.data + 2);
		else
			break;
	}
	buf_free(&b);
	return as;
}

struct ms_msg *ms_take(struct midstream *m)
{
	struct ms_msg *h = m->head;

	m->head = m->tail = NULL;
	m->n_held = m->held_bytes = 0;
	return h;
}

bool ms_deliverable(struct midstream *m, int dir, const uint8_t *msg, size_t len)
{
	struct ms_evidence e;
	bool ok = true;

	ms_evidence(msg, len, &e);
	/* Malformed for every encoding: the normal error handling applies. */
	if (e.conflict)
		return true;
	if (e.as4 != MS_UNKNOWN && e.as4 != m->as4)
		ok = false;
	for (int f = 0; f < BGP_FAM_MAX; f++)
		if (e.fam[f] && m->assumed[dir][f] && e.addpath[f] != MS_NO)
			ok = false;
	if (!ok)
		m->undecodable++;
	return ok;
}
