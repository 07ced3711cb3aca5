// SPDX-License-Identifier: GPL-2.0
/* The post-policy verdict: see policy.h. */
#include "policy.h"

static bool list_has_u32(const struct bgp_attr *a, uint32_t v)
{
	for (uint32_t o = 0; o + 4 <= a->len; o += 4)
		if (get_u32(a->val + o) == v)
			return true;
	return false;
}

/* Bit 0: local AS in AS_SEQUENCE/AS_SET; bit 1: in a confederation segment. */
static unsigned path_loops(const struct attr_set *s, uint32_t as)
{
	struct bgp_attr a;
	unsigned r = 0;

	if (!as || !attr_find(s, BGP_ATTR_AS_PATH, &a))
		return 0;
	for (uint32_t o = 0; o + 2 <= a.len; o += 2 + a.val[o + 1] * 4u) {
		uint8_t type = a.val[o];

		for (unsigned i = 0; i < a.val[o + 1] && o + 6 + 4 * i <= a.len; i++)
			if (get_u32(a.val + o + 2 + 4 * i) == as)
				r |= type == BGP_AS_CONFED_SEQUENCE || type == BGP_AS_CONFED_SET ?
				     2u : 1u;
	}
	return r;
}

enum pol_verdict policy_attr_verdict(const struct pol_local *l, const struct bt_filter_list *fl,
				     const struct attr_set *s)
{
	struct bgp_attr a;
	unsigned loops;

	if (!s)
		return POL_ACCEPT;
	if (l->bgp_id && attr_find(s, BGP_ATTR_CLUSTER_LIST, &a) && list_has_u32(&a, l->bgp_id))
		return POL_CLUSTER_LOOP;
	loops = path_loops(s, l->as);
	if (loops & 1)
		return POL_AS_LOOP;
	if (l->bgp_id && attr_find(s, BGP_ATTR_ORIGINATOR_ID, &a) && a.len == 4 &&
	    get_u32(a.val) == l->bgp_id)
		return POL_ORIGINATOR_LOOP;
	if (loops & 2)
		return POL_CONFED_LOOP;
	for (size_t i = 0; fl && i < fl->n; i++) {
		const struct bt_filter *f = &fl->v[i];

		if ((f->kind == BMPTAP_FILTER_KIND_AS_PATH || f->kind == BMPTAP_FILTER_KIND_COMMUNITY) &&
		    bt_filter_match(f, NULL, s))
			return POL_FILTER;
	}
	return POL_ACCEPT;
}

enum pol_verdict policy_verdict(const struct pol_local *l, const struct bt_filter_list *fl,
				const struct bgp_prefix *p, const struct attr_set *s)
{
	enum pol_verdict v = policy_attr_verdict(l, fl, s);

	return v != POL_ACCEPT ? v : policy_prefix_verdict(fl, p, s);
}

enum pol_verdict policy_prefix_verdict(const struct bt_filter_list *fl, const struct bgp_prefix *p,
				       const struct attr_set *s)
{
	for (size_t i = 0; fl && i < fl->n; i++) {
		const struct bt_filter *f = &fl->v[i];

		if ((f->kind == BMPTAP_FILTER_KIND_PREFIX || f->kind == BMPTAP_FILTER_KIND_MAX_LEN) &&
		    bt_filter_match(f, p, s))
			return POL_FILTER;
	}
	return POL_ACCEPT;
}
