/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Operator import filters (`bmptapctl filter ...`), stored per netns by the
 * module (BMPTAP_CMD_*_FILTER) and applied by bmptapd to build the
 * post-policy view.  Every filter rejects what it matches; there is no
 * "permit": the tap cannot add routes, only explain why the daemon would
 * not have kept some.  Pure code: parsing, formatting and matching.
 */
#ifndef BMPTAP_FILTER_H
#define BMPTAP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bmptap.h>

#include "prefix.h"

/* Declared only: the CLI and the netlink layer include this without the BGP code. */
struct attr_set;
struct bgp_prefix;

struct bt_filter {
	char name[BMPTAP_FILTER_NAME_MAX + 1];
	uint8_t kind;		/* enum bmptap_filter_kind */
	struct bt_prefix pfx;	/* PREFIX; MAX_LEN: its family only */
	uint8_t ge, le;		/* PREFIX: always filled in (defaults applied) */
	uint8_t max_len;	/* MAX_LEN */
	uint32_t asn;		/* AS_PATH */
	uint32_t community;	/* COMMUNITY: asn << 16 | value */
};

struct bt_filter_list {
	struct bt_filter *v;
	size_t n, cap;
	size_t refused;		/* entries from the module that failed bt_filter_valid() */
};

bool bt_filter_name_ok(const char *s);
/*
 * Parses the words after `filter add NAME`:
 *   prefix P/LEN [ge N] [le N] | max-length ipv4|ipv6 N | as-path ASN |
 *   community ASN:VALUE
 * Returns 0, or -1 with one line in err naming the offending word.
 */
int bt_filter_parse(int argc, char *const argv[], struct bt_filter *f, char *err, size_t errlen);
/* The match part as the CLI takes it ("prefix 10.0.0.0/8 ge 16 le 24"). */
void bt_filter_format(const struct bt_filter *f, char *out, size_t outlen);

/* A filter read from the module is used only if it could have been
 * configured: known kind and family, lengths within the family's bits and
 * plen <= ge <= le.  (A length past 128 would also read past the address.) */
bool bt_filter_valid(const struct bt_filter *f);

int bt_filter_list_add(struct bt_filter_list *l, const struct bt_filter *f);
void bt_filter_list_free(struct bt_filter_list *l);

/* Whether f rejects the route (prefix p, attribute set s; s may be NULL). */
bool bt_filter_match(const struct bt_filter *f, const struct bgp_prefix *p,
		     const struct attr_set *s);

#endif
