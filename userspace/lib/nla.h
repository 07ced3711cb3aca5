/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netlink attributes taken one way for every family bmptap reads (generic
 * netlink, rtnetlink): mnl_attr_parse_payload() with a callback that checks
 * each attribute against a policy (mnl_attr_validate2) and keeps it in a
 * table by type, which the caller then reads.  The bounds are the caller's
 * exact length, never the message's padded one.
 */
#ifndef BMPTAP_NLA_H
#define BMPTAP_NLA_H

#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

/* One attribute type's rule.  MNL_TYPE_U8..U64: exactly that size;
 * MNL_TYPE_BINARY: exactly len bytes, or any with len 0; MNL_TYPE_UNSPEC
 * (an entry left zero): any payload. */
struct bt_nla_policy {
	enum mnl_attr_data_type type;
	uint16_t len;
};

/*
 * The attributes in [p, p + len) into tb[0..max] (cleared first).  Types
 * past max are skipped (a newer kernel's additions); of a type given
 * twice the last is kept.  0, or -EPROTO with *bad the type whose payload
 * broke its rule (nothing after it is taken).
 */
int bt_nla_parse(const void *p, size_t len, const struct bt_nla_policy *pol, unsigned max,
		 const struct nlattr **tb, unsigned *bad);

/* The same for a nested attribute's members. */
int bt_nla_parse_nested(const struct nlattr *nest, const struct bt_nla_policy *pol,
			unsigned max, const struct nlattr **tb, unsigned *bad);

#endif /* BMPTAP_NLA_H */
