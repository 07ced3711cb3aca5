// SPDX-License-Identifier: GPL-2.0
/* Import filters: see filter.h. */
#include "filter.h"

#include "array.h"
#include "attr.h"
#include "bgp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

bool bt_filter_name_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
		      (s[n] >= '0' && s[n] <= '9') || s[n] == '_' || s[n] == '-' || s[n] == '.'))
			return false;
	return n >= 1 && n <= BMPTAP_FILTER_NAME_MAX;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return !errno && !*end && *v <= max;
}

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_prefix(int argc, char *const argv[], struct bt_filter *f, char *err,
			size_t errlen)
{
	const char *slash;
	unsigned long v, maxbits;
	bool have_ge = false, have_le = false;

	if (argc < 1)
		return fail(err, errlen, "prefix: missing PREFIX/LENGTH");
	slash = strchr(argv[0], '/');
	if (!slash || (size_t)(slash - argv[0]) > INET6_ADDRSTRLEN)
		return fail(err, errlen, "prefix: '%s' is not PREFIX/LENGTH", argv[0]);
	switch (bt_prefix_parse(argv[0], &f->pfx)) {
	case BT_PREFIX_BAD_ADDR:
		return fail(err, errlen, "prefix: '%.*s' is not an IPv4 or IPv6 address",
			    (int)(slash - argv[0]), argv[0]);
	case BT_PREFIX_BAD_LEN:
		return fail(err, errlen, "prefix: length '%s' not in 0..%u", slash + 1,
			    bt_prefix_bits(f->pfx.family));
	case BT_PREFIX_OK:
		break;
	}
	maxbits = bt_prefix_bits(f->pfx.family);
	if (bt_prefix_host_bits(&f->pfx))
		return fail(err, errlen, "prefix: '%s' has bits set past /%u", argv[0],
			    f->pfx.len);
	f->ge = f->le = f->pfx.len;
	for (int i = 1; i < argc; i += 2) {
		bool ge = !strcmp(argv[i], "ge");

		if (!ge && strcmp(argv[i], "le"))
			return fail(err, errlen, "prefix: unexpected '%s' (ge N, le N)", argv[i]);
		if ((ge && have_ge) || (!ge && have_le))
			return fail(err, errlen, "prefix: '%s' given twice", argv[i]);
		if (i + 1 >= argc)
			return fail(err, errlen, "prefix: '%s' needs a length", argv[i]);
		if (!parse_uint(argv[i + 1], maxbits, &v))
			return fail(err, errlen, "prefix: %s '%s' not in 0..%lu", argv[i],
				    argv[i + 1], maxbits);
		if (ge) {
			f->ge = (uint8_t)v;
			have_ge = true;
		} else {
			f->le = (uint8_t)v;
			have_le = true;
		}
	}
	/* As in router prefix lists: "ge N" alone means up to the family's bits. */
	if (have_ge && !have_le)
		f->le = (uint8_t)maxbits;
	if (f->ge < f->pfx.len || f->le < f->ge)
		return fail(err, errlen, "prefix: need /%u <= ge (%u) <= le (%u)", f->pfx.len, f->ge,
			    f->le);
	return 0;
}

int bt_filter_parse(int argc, char *const argv[], struct bt_filter *f, char *err, size_t errlen)
{
	unsigned long v, w;
	char *colon;

	memset(&f->pfx, 0, sizeof(f->pfx));
	if (argc < 1)
		return fail(err, errlen, "filter: missing match (prefix, max-length, as-path, community)");
	if (!strcmp(argv[0], "prefix")) {
		f->kind = BMPTAP_FILTER_KIND_PREFIX;
		return parse_prefix(argc - 1, argv + 1, f, err, errlen);
	}
	if (!strcmp(argv[0], "max-length")) {
		f->kind = BMPTAP_FILTER_KIND_MAX_LEN;
		if (argc != 3)
			return fail(err, errlen, "max-length: expected 'max-length ipv4|ipv6 N'");
		if (!strcmp(argv[1], "ipv4"))
			f->pfx.family = AF_INET;
		else if (!strcmp(argv[1], "ipv6"))
			f->pfx.family = AF_INET6;
		else
			return fail(err, errlen, "max-length: family '%s' is not ipv4 or ipv6", argv[1]);
		if (!parse_uint(argv[2], bt_prefix_bits(f->pfx.family), &v))
			return fail(err, errlen, "max-length: '%s' not in 0..%u", argv[2],
				    bt_prefix_bits(f->pfx.family));
		f->max_len = (uint8_t)v;
		return 0;
	}
	if (!strcmp(argv[0], "as-path")) {
		f->kind = BMPTAP_FILTER_KIND_AS_PATH;
		if (argc != 2)
			return fail(err, errlen, "as-path: expected 'as-path ASN'");
		if (!parse_uint(argv[1], UINT32_MAX, &v))
			return fail(err, errlen, "as-path: '%s' is not an AS number", argv[1]);
		f->asn = (uint32_t)v;
		return 0;
	}
	if (!strcmp(argv[0], "community")) {
		f->kind = BMPTAP_FILTER_KIND_COMMUNITY;
		if (argc != 2)
			return fail(err, errlen, "community: expected 'community ASN:VALUE'");
		colon = strchr(argv[1], ':');
		char as[8];
		size_t al = colon ? (size_t)(colon - argv[1]) : 0;
		if (!colon || al >= sizeof(as))
			return fail(err, errlen, "community: '%s' is not ASN:VALUE", argv[1]);
		memcpy(as, argv[1], al);
		as[al] = 0;
		if (!parse_uint(as, 65535, &v) || !parse_uint(colon + 1, 65535, &w))
			return fail(err, errlen, "community: '%s' is not ASN:VALUE (0..65535 each)",
				    argv[1]);
		f->community = (uint32_t)(v << 16 | w);
		return 0;
	}
	return fail(err, errlen, "filter: unknown match '%s' (prefix, max-length, as-path, community)",
		    argv[0]);
}

void bt_filter_format(const struct bt_filter *f, char *out, size_t outlen)
{
	char a[INET6_ADDRSTRLEN] = "?";

	switch (f->kind) {
	case BMPTAP_FILTER_KIND_PREFIX:
		inet_ntop(f->pfx.family, f->pfx.addr, a, sizeof(a));
		if (f->ge == f->pfx.len && f->le == f->pfx.len)
			snprintf(out, outlen, "prefix %s/%u", a, f->pfx.len);
		else
			snprintf(out, outlen, "prefix %s/%u ge %u le %u", a, f->pfx.len, f->ge, f->le);
		break;
	case BMPTAP_FILTER_KIND_MAX_LEN:
		snprintf(out, outlen, "max-length %s %u", f->pfx.family == AF_INET ? "ipv4" : "ipv6",
			 f->max_len);
		break;
	case BMPTAP_FILTER_KIND_AS_PATH:
		snprintf(out, outlen, "as-path %u", f->asn);
		break;
	case BMPTAP_FILTER_KIND_COMMUNITY:
		snprintf(out, outlen, "community %u:%u", f->community >> 16, f->community & 0xffff);
		break;
	default:
		snprintf(out, outlen, "unknown kind %u", f->kind);
	}
}

int bt_filter_list_add(struct bt_filter_list *l, const struct bt_filter *f)
{
	struct bt_filter *v = array_grow(l->v, &l->cap, l->n, sizeof(*v), 8);

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *f;
	return 0;
}

void bt_filter_list_free(struct bt_filter_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static bool path_has_as(const struct attr_set *s, uint32_t asn)
{
	struct bgp_attr a;

	/* Canonical sets hold the AS path in 4-octet form (attr.h). */
	if (!s || !attr_find(s, BGP_ATTR_AS_PATH, &a))
		return false;
	for (uint32_t o = 0; o + 2 <= a.len; o += 2 + a.val[o + 1] * 4u)
		for (unsigned i = 0; i < a.val[o + 1] && o + 2 + 4 * i + 4 <= a.len; i++)
			if (get_u32(a.val + o + 2 + 4 * i) == asn)
				return true;
	return false;
}

static bool has_community(const struct attr_set *s, uint32_t c)
{
	struct bgp_attr a;

	if (!s || !attr_find(s, BGP_ATTR_COMMUNITIES, &a))
		return false;
	for (uint32_t o = 0; o + 4 <= a.len; o += 4)
		if (get_u32(a.val + o) == c)
			return true;
	return false;
}

bool bt_filter_valid(const struct bt_filter *f)
{
	unsigned int bits = bt_prefix_bits(f->pfx.family);

	switch (f->kind) {
	case BMPTAP_FILTER_KIND_PREFIX:
		return bits && f->pfx.len <= f->ge && f->ge <= f->le && f->le <= bits;
	case BMPTAP_FILTER_KIND_MAX_LEN:
		return bits && f->max_len <= bits;
	case BMPTAP_FILTER_KIND_AS_PATH:
	case BMPTAP_FILTER_KIND_COMMUNITY:
		return true;
	}
	return false;
}

bool bt_filter_match(const struct bt_filter *f, const struct bgp_prefix *p,
		     const struct attr_set *s)
{
	int fam = f->pfx.family == AF_INET6 ? BGP_FAM_IPV6 : BGP_FAM_IPV4;

	switch (f->kind) {
	case BMPTAP_FILTER_KIND_PREFIX:
		if (p->fam != fam || p->len < f->ge || p->len > f->le)
			return false;
		return bt_prefix_bits_eq(p->addr, f->pfx.addr, f->pfx.len);
	case BMPTAP_FILTER_KIND_MAX_LEN:
		return p->fam == fam && p->len > f->max_len;
	case BMPTAP_FILTER_KIND_AS_PATH:
		return path_has_as(s, f->asn);
	case BMPTAP_FILTER_KIND_COMMUNITY:
		return has_community(s, f->community);
	}
	return false;
}
