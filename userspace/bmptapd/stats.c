// SPDX-License-Identifier: GPL-2.0
/* Statistics Report contents: see stats.h. */
#include "stats.h"

#include "nlri.h"

/* Types 0-6, 7, 11-13, 15, 18, 20 once; 9, 17, 19, 21, 22, 23 per unicast
 * family, 9 and 19 per other family (famrib.h). */
_Static_assert(14 + 6 * BGP_FAM_MAX + 3 * (NLRI_FAMILIES - BGP_FAM_MAX) <= PEER_STATS_MAX,
	       "PEER_STATS_MAX too small");

static size_t put_stat_af(struct bmp_stat *st, size_t n, size_t max, uint16_t type, uint16_t afi,
			  uint8_t safi, uint64_t v)
{
	if (n >= max)
		return n;
	st[n].type = type;
	st[n].afi = afi;
	st[n].safi = safi;
	st[n].value = v;
	return n + 1;
}

static size_t put_stat(struct bmp_stat *st, size_t n, size_t max, uint16_t type, int fam,
		       uint64_t v)
{
	return put_stat_af(st, n, max, type, fam >= 0 ? bgp_fam_afi(fam) : 0,
			   fam >= 0 ? BGP_SAFI_UNICAST : 0, v);
}

/* Per-AFI/SAFI type of the famrib families the session carried: their
 * pre-policy Adj-RIB-In or their Adj-RIB-Out (post-policy counts and the
 * Loc-RIB do not hold them yet). */
static size_t put_famrib(const struct famrib *fr, struct bmp_stat *st, size_t n, size_t max,
			 uint16_t type)
{
	for (unsigned f = BGP_FAM_MAX; f < NLRI_FAMILIES; f++) {
		const struct nlri_family *nf = nlri_family_at(f);

		if (fr->seen & (1u << f))
			n = put_stat_af(st, n, max, type, nf->afi, nf->safi, fr->count[f]);
	}
	return n;
}

size_t peer_stats(const struct peer *p, bool adj_out, struct bmp_stat *st, size_t max)
{
	size_t n = 0;
	uint64_t in = 0, post = 0, out = 0, loc = 0;

	if (p->locrib) {
		/* The Loc-RIB instance: its size, whole and per AFI/SAFI (the
		 * other families' too, famloc.h). */
		loc = famrib_total(&p->fr);
		for (int f = 0; f < BGP_FAM_MAX; f++)
			loc += rib_count(&p->rib, f);
		n = put_stat(st, n, max, BMP_STAT_LOC_RIB, -1, loc);
		for (int f = 0; f < BGP_FAM_MAX; f++)
			n = put_stat(st, n, max, BMP_STAT_LOC_RIB_AF, f, rib_count(&p->rib, f));
		return put_famrib(&p->fr, st, n, max, BMP_STAT_LOC_RIB_AF);
	}
	in = famrib_total(&p->fr);
	out = famrib_total(&p->fr_out);
	for (int f = 0; f < BGP_FAM_MAX; f++) {
		in += rib_count(&p->rib, f);
		post += p->post_count[f];
		out += rib_count(&p->rib_out, f);
	}
	n = put_stat(st, n, max, BMP_STAT_REJECTED, -1, p->cnt.rejected);
	n = put_stat(st, n, max, BMP_STAT_DUP_PREFIX, -1, p->rib.dup_announce + p->fr.dup_announce);
	n = put_stat(st, n, max, BMP_STAT_DUP_WITHDRAW, -1, p->rib.dup_withdraw + p->fr.dup_withdraw);
	n = put_stat(st, n, max, BMP_STAT_CLUSTER_LOOP, -1, p->cnt.loops[0]);
	n = put_stat(st, n, max, BMP_STAT_AS_PATH_LOOP, -1, p->cnt.loops[1]);
	n = put_stat(st, n, max, BMP_STAT_ORIGINATOR_LOOP, -1, p->cnt.loops[2]);
	n = put_stat(st, n, max, BMP_STAT_CONFED_LOOP, -1, p->cnt.loops[3]);
	n = put_stat(st, n, max, BMP_STAT_ADJ_RIB_IN, -1, in);
	for (int f = 0; f < BGP_FAM_MAX; f++)
		n = put_stat(st, n, max, BMP_STAT_ADJ_RIB_IN_AF, f, rib_count(&p->rib, f));
	n = put_famrib(&p->fr, st, n, max, BMP_STAT_ADJ_RIB_IN_AF);
	n = put_stat(st, n, max, BMP_STAT_UPD_TREAT_AS_WITHDRAW, -1, p->cnt.treat_as_withdraw);
	n = put_stat(st, n, max, BMP_STAT_PFX_TREAT_AS_WITHDRAW, -1, p->cnt.pfx_treat_as_withdraw);
	n = put_stat(st, n, max, BMP_STAT_DUP_UPDATE, -1, p->cnt.dup_updates);
	if (adj_out) {
		/* Only the post-policy Adj-RIB-Out is observable (15, 17). */
		n = put_stat(st, n, max, BMP_STAT_ADJ_RIB_OUT_POST, -1, out);
		for (int f = 0; f < BGP_FAM_MAX; f++)
			n = put_stat(st, n, max, BMP_STAT_ADJ_RIB_OUT_POST_AF, f,
				     rib_count(&p->rib_out, f));
		n = put_famrib(&p->fr_out, st, n, max, BMP_STAT_ADJ_RIB_OUT_POST_AF);
	}
	/* RFC 9972: pre- and post-policy Adj-RIB-In, whole and per AFI/SAFI. */
	n = put_stat(st, n, max, BMP_STAT_ADJ_RIB_IN_PRE, -1, in);
	for (int f = 0; f < BGP_FAM_MAX; f++)
		n = put_stat(st, n, max, BMP_STAT_ADJ_RIB_IN_PRE_AF, f, rib_count(&p->rib, f));
	n = put_famrib(&p->fr, st, n, max, BMP_STAT_ADJ_RIB_IN_PRE_AF);
	n = put_stat(st, n, max, BMP_STAT_ADJ_RIB_IN_POST, -1, post);
	for (int f = 0; f < BGP_FAM_MAX; f++)
		n = put_stat(st, n, max, BMP_STAT_ADJ_RIB_IN_POST_AF, f, p->post_count[f]);
	/*
	 * The inbound policy is the operator's import filters plus the loop
	 * checks; 22 counts the filters' rejections only (loops have 3-6), so
	 * pre-policy = 23 + 22 + looped routes.  23 equals 21 here: every
	 * route of the post-policy view went through the same policy.
	 */
	for (int f = 0; f < BGP_FAM_MAX; f++)
		n = put_stat(st, n, max, BMP_STAT_ADJ_RIB_IN_REJECTED_AF, f,
			     p->filtered_count[f]);
	for (int f = 0; f < BGP_FAM_MAX; f++)
		n = put_stat(st, n, max, BMP_STAT_ADJ_RIB_IN_ACCEPTED_AF, f, p->post_count[f]);
	return n;
}
