// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "bmp.h"
#include "decimal.h"
#include "vrf.h"

int bt_rd_parse(const char *s, uint64_t *rd)
{
	char admin[INET_ADDRSTRLEN];
	const char *colon = strrchr(s, ':');
	struct in_addr ip;
	uint64_t a, n;
	size_t alen;

	if (!colon)
		return -1;
	alen = (size_t)(colon - s);
	if (!alen || alen >= sizeof(admin))
		return -1;
	memcpy(admin, s, alen);
	admin[alen] = 0;
	if (strchr(admin, '.')) {
		if (inet_pton(AF_INET, admin, &ip) != 1 || !bt_decimal(colon + 1, 0xffff, &n))
			return -1;
		*rd = (1ull << 48) | ((uint64_t)ntohl(ip.s_addr) << 16) | n;
		return 0;
	}
	if (!bt_decimal(admin, 0xffffffffu, &a))
		return -1;
	if (a <= 0xffff) {
		if (!bt_decimal(colon + 1, 0xffffffffu, &n))
			return -1;
		*rd = (a << 32) | n;
		return 0;
	}
	if (!bt_decimal(colon + 1, 0xffff, &n))
		return -1;
	*rd = (2ull << 48) | (a << 16) | n;
	return 0;
}

void bt_rd_format(uint64_t rd, char *out, size_t len)
{
	uint32_t ip;

	switch (rd >> 48) {
	case 0:
		snprintf(out, len, "%" PRIu64 ":%" PRIu64, rd >> 32 & 0xffff, rd & 0xffffffffu);
		break;
	case 1:
		ip = (uint32_t)(rd >> 16);
		snprintf(out, len, "%u.%u.%u.%u:%" PRIu64, ip >> 24, ip >> 16 & 0xff,
			 ip >> 8 & 0xff, ip & 0xff, rd & 0xffff);
		break;
	case 2:
		snprintf(out, len, "%" PRIu64 ":%" PRIu64, rd >> 16 & 0xffffffffu, rd & 0xffff);
		break;
	default:
		snprintf(out, len, "%" PRIu64 ":%012" PRIx64, rd >> 48, rd & (uint64_t)0xffffffffffff);
		break;
	}
}

static struct bt_vrf_rd *rd_find(const struct bt_vrf_rds *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

int bt_vrf_rd_add(struct bt_vrf_rds *l, const char *spec, char *err, size_t errlen)
{
	const char *eq = strchr(spec, '=');
	char name[BT_VRF_NAME_LEN];
	struct bt_vrf_rd *e;
	size_t nlen;
	uint64_t rd;

	nlen = eq ? (size_t)(eq - spec) : 0;
	if (!nlen || nlen >= sizeof(name)) {
		snprintf(err, errlen, "\"%s\": NAME=RD, NAME a VRF device name", spec);
		return -1;
	}
	memcpy(name, spec, nlen);
	name[nlen] = 0;
	if (bt_rd_parse(eq + 1, &rd)) {
		snprintf(err, errlen, "\"%s\": the RD is ASN:NN or IPV4:NN", eq + 1);
		return -1;
	}
	e = rd_find(l, name);
	if (!e) {
		e = array_grow(l->v, &l->cap, l->n, sizeof(*e), 4);
		if (!e) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		l->v = e;
		e = &l->v[l->n++];
		memcpy(e->name, name, nlen + 1);
	}
	e->rd = rd;
	return 0;
}

void bt_vrf_rds_free(struct bt_vrf_rds *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void bt_vrf_instance(const struct bt_vrf_rds *l, int ifindex, const char *name,
		     uint8_t *type, uint64_t *dist)
{
	const struct bt_vrf_rd *e;

	if (!ifindex) {
		*type = BMP_PEER_GLOBAL;
		*dist = 0;
	} else if (l && (e = rd_find(l, name))) {
		*type = BMP_PEER_RD;
		*dist = e->rd;
	} else {
		*type = BMP_PEER_LOCAL;
		*dist = (uint32_t)ifindex;
	}
}

void bt_vrf_name(int ifindex, char out[BT_VRF_NAME_LEN])
{
	out[0] = 0;
	if (ifindex && !if_indextoname((unsigned)ifindex, out))
		snprintf(out, BT_VRF_NAME_LEN, "#%d", ifindex);
}
