// SPDX-License-Identifier: GPL-2.0
/* Netlink attributes by policy into a table: see nla.h. */
#include <errno.h>
#include <string.h>

#include "nla.h"

struct nla_parse {
	const struct bt_nla_policy *pol;
	unsigned max;
	const struct nlattr **tb;
	unsigned bad;
};

static int take(const struct nlattr *a, void *data)
{
	struct nla_parse *np = data;
	unsigned t = mnl_attr_get_type(a);
	int r;

	if (t > np->max)
		return MNL_CB_OK;
	/* mnl_attr_validate() knows the integers' sizes; a length of our own
	 * is mnl_attr_validate2()'s. */
	r = np->pol[t].type == MNL_TYPE_BINARY ? mnl_attr_validate2(a, MNL_TYPE_BINARY, np->pol[t].len)
					      : mnl_attr_validate(a, np->pol[t].type);
	if (r < 0) {
		np->bad = t;
		return MNL_CB_ERROR;
	}
	np->tb[t] = a;
	return MNL_CB_OK;
}

int bt_nla_parse(const void *p, size_t len, const struct bt_nla_policy *pol, unsigned max,
		 const struct nlattr **tb, unsigned *bad)
{
	struct nla_parse np = { .pol = pol, .max = max, .tb = tb };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (mnl_attr_parse_payload(p, len, take, &np) == MNL_CB_ERROR) {
		*bad = np.bad;
		return -EPROTO;
	}
	return 0;
}

int bt_nla_parse_nested(const struct nlattr *nest, const struct bt_nla_policy *pol,
			unsigned max, const struct nlattr **tb, unsigned *bad)
{
	return bt_nla_parse(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest), pol, max,
			    tb, bad);
}
