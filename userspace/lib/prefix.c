// SPDX-License-Identifier: GPL-2.0
/*
 * IP prefixes: parsing and matching (prefix.h).
 */
#include "prefix.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

unsigned int bt_prefix_bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

/* Digits only (no sign, no blanks): lengths are typed by operators. */
static bool parse_len(const char *s, unsigned int max, unsigned int *out)
{
	unsigned int v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned int)(*s - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

enum bt_prefix_err bt_prefix_parse(const char *s, struct bt_prefix *p)
{
	char a[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned int max, len;

	memset(p, 0, sizeof(*p));
	if (alen == 0 || alen >= sizeof(a))
		return BT_PREFIX_BAD_ADDR;
	memcpy(a, s, alen);
	a[alen] = '\0';
	if (inet_pton(AF_INET, a, p->addr) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, a, p->addr) == 1)
		p->family = AF_INET6;
	else
		return BT_PREFIX_BAD_ADDR;
	max = bt_prefix_bits(p->family);
	len = max;
	if (slash && !parse_len(slash + 1, max, &len))
		return BT_PREFIX_BAD_LEN;
	p->len = (uint8_t)len;
	return BT_PREFIX_OK;
}

bool bt_prefix_host_bits(const struct bt_prefix *p)
{
	for (unsigned int i = p->len; i < bt_prefix_bits(p->family); i++)
		if (p->addr[i / 8] & (0x80 >> (i % 8)))
			return true;
	return false;
}

bool bt_prefix_bits_eq(const uint8_t *a, const uint8_t *b, unsigned int bits)
{
	for (unsigned int i = 0; i < bits; i++)
		if ((a[i / 8] ^ b[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

bool bt_prefix_has(const struct bt_prefix *p, const struct sockaddr_storage *ss)
{
	uint8_t have[16];

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		memcpy(have, &s6->sin6_addr, 16);
		/* IPv4-mapped sources of a dual-stack listener match IPv4 rules. */
		if (p->family == AF_INET && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			memmove(have, have + 12, 4);
		else if (p->family != AF_INET6)
			return false;
	} else if (ss->ss_family == AF_INET && p->family == AF_INET) {
		memcpy(have, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else {
		return false;
	}
	return bt_prefix_bits_eq(p->addr, have, p->len);
}

bool bt_prefix_str_has(const char *spec, const struct sockaddr_storage *ss)
{
	struct bt_prefix p;

	return bt_prefix_parse(spec, &p) == BT_PREFIX_OK && bt_prefix_has(&p, ss);
}
