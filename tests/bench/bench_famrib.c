// SPDX-License-Identifier: GPL-2.0
/*
 * Heap per route of the other families' store (famrib.c) against the
 * unicast RIB (rib.c), issue 17 item 6: N IPv4 unicast /24s, the same N
 * /24s as VPNv4 routes (RFC 4364: one label, RD, prefix) and N EVPN routes
 * (RFC 7432 type 2 MAC/IP with an IPv4 address and RFC 9136 type 5 IPv4
 * prefixes, half each), 5 routes per attribute set as in the synthetic
 * full table; every family's sets carry the same ORIGIN, AS_PATH and
 * COMMUNITIES, the unicast ones a NEXT_HOP, the others MP_REACH_NLRI's.
 *
 * Each family goes into two stores, as from a first and a further peer:
 * the first's heap includes the attribute sets, the further's is the
 * store alone (the sets are shared), which the 1.5 x target compares.
 *
 * Usage: bench_famrib [N]   (default 100000)
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famrib.h"
#include "rib.h"

enum kind { K_IPV4, K_VPN4, K_EVPN, K_MAX };
static const char *const kname[K_MAX] = { "ipv4_unicast", "vpnv4", "evpn" };

#define PER_SET 5

struct store {
	struct rib rib;
	struct famrib fr;
};

static size_t heap(const struct store *s, size_t n)
{
	struct mallinfo2 mi = mallinfo2();
	size_t m = mi.uordblks + mi.hblkhd;

	for (size_t i = 0; i < n; i++)
		m += rib_mem_mapped(&s[i].rib);
	return m;
}

static uint8_t *put16(uint8_t *p, unsigned v)
{
	*p++ = (uint8_t)(v >> 8);
	*p++ = (uint8_t)v;
	return p;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	return put16(put16(p, v >> 16), v & 0xffff);
}

/* Route i's NLRI of kind k at p; its end. */
static uint8_t *route(uint8_t *p, enum kind k, uint32_t i)
{
	static const uint8_t rd[8] = { 0, 0, 0xfd, 0xe8, 0, 0, 0, 100 };
	uint8_t pfx[3] = { (uint8_t)(1 + (i >> 16)), (uint8_t)(i >> 8), (uint8_t)i };

	switch (k) {
	case K_IPV4:
		*p++ = 24;
		break;
	case K_VPN4:
		*p++ = 24 + 64 + 24;
		p = put16(p, 0x0006);
		*p++ = 0x41;		/* label 100, bottom of stack */
		memcpy(p, rd, 8);
		p += 8;
		break;
	case K_EVPN:
		*p++ = i & 1 ? 5 : 2;
		*p++ = i & 1 ? 34 : 37;
		memcpy(p, rd, 8);
		memset(p + 8, 0, 14);	/* ESI, Ethernet Tag */
		p += 22;
		if (i & 1) {
			*p++ = 24;
			memcpy(p, pfx, 3);
			p[3] = 0;
			memset(p + 4, 0, 4);	/* gateway */
			p += 8;
		} else {
			static const uint8_t mac[6] = { 0x02, 0, 0x5e };

			*p++ = 48;
			memcpy(p, mac, 3);
			memcpy(p + 3, pfx, 3);
			p += 6;
			*p++ = 32;
			memcpy(p, pfx, 3);
			p[3] = 1;
			p += 4;
		}
		p = put16(p, 0x0006);
		*p++ = 0x41;
		return p;
	default:
		break;
	}
	memcpy(p, pfx, 3);
	return p + 3;
}

/* The UPDATE of set s (routes s*PER_SET.. below n) of kind k into msg. */
static size_t update(uint8_t *msg, enum kind k, uint32_t s, uint32_t n)
{
	uint8_t *p = msg + 23, *a, *mp = NULL;

	memset(msg, 0xff, 16);
	msg[18] = BGP_UPDATE;
	msg[19] = msg[20] = 0;		/* no withdrawn routes */
	a = p;
	memcpy(p, "\x40\x01\x01\x00\x40\x02\x0e\x02\x03", 9);
	p = put32(put32(put32(p + 9, 65001), 3356), 100000 + s);
	memcpy(p, "\xc0\x08\x08", 3);
	p = put32(put32(p + 3, 65001u << 16 | (s & 0xffff)), 65001u << 16 | 100);
	if (k == K_IPV4) {
		memcpy(p, "\x40\x03\x04\xc0\x00\x02\x01", 7);
		p += 7;
	} else {
		memcpy(p, "\x90\x0e", 2);
		mp = p + 2;
		p = put16(mp + 2, k == K_VPN4 ? 1 : 25);
		*p++ = k == K_VPN4 ? 128 : 70;
		if (k == K_VPN4) {
			*p++ = 12;
			memset(p, 0, 8);
			p += 8;
		} else {
			*p++ = 4;
		}
		p = put32(p, 0xc0000201);
		*p++ = 0;
	}
	put16(msg + 21, (unsigned)(p - a));
	for (uint32_t i = s * PER_SET; i < (s + 1) * PER_SET && i < n; i++)
		p = route(p, k, i);
	if (mp) {
		put16(mp, (unsigned)(p - mp - 2));
		put16(msg + 21, (unsigned)(p - a));
	}
	put16(msg + 16, (unsigned)(p - msg));
	return (size_t)(p - msg);
}

static int fill(struct store *st, enum kind k, uint32_t n)
{
	static uint8_t msg[4096];
	struct bgp_codec c = { .as4 = true };
	struct bgp_update u;

	for (uint32_t s = 0; s * PER_SET < n; s++) {
		size_t len = update(msg, k, s, n);

		bgp_update_parse(msg, len, &c, &u);
		if (k == K_IPV4 ? rib_apply(&st->rib, &u, NULL, NULL) :
		    famrib_apply(&st->fr, &u, 0, NULL, NULL))
			return -1;
	}
	return 0;
}

static uint32_t count(const struct store *st, enum kind k)
{
	return k == K_IPV4 ? rib_count(&st->rib, BGP_FAM_IPV4) : famrib_total(&st->fr);
}

int main(int argc, char **argv)
{
	uint32_t n = argc > 1 && atoi(argv[1]) > 0 ? (uint32_t)atoi(argv[1]) : 100000;
	double first[K_MAX], next[K_MAX];
	struct attr_table at;

	attr_table_init(&at);
	for (int k = 0; k < K_MAX; k++) {
		struct store st[2];
		size_t h0, h1, h2;

		for (int i = 0; i < 2; i++) {
			rib_init(&st[i].rib, &at);
			famrib_init(&st[i].fr, &at, NULL);
		}
		h0 = heap(st, 2);
		if (fill(&st[0], (enum kind)k, n))
			return 1;
		h1 = heap(st, 2);
		if (fill(&st[1], (enum kind)k, n))
			return 1;
		h2 = heap(st, 2);
		if (count(&st[0], (enum kind)k) != n || count(&st[1], (enum kind)k) != n) {
			fprintf(stderr, "bench_famrib: %s: %u and %u routes stored of %u\n", kname[k],
				count(&st[0], (enum kind)k), count(&st[1], (enum kind)k), n);
			return 1;
		}
		first[k] = (double)(h1 - h0) / n;
		next[k] = (double)(h2 - h1) / n;
		for (int i = 0; i < 2; i++) {
			rib_free(&st[i].rib);
			famrib_free(&st[i].fr);
		}
	}
	attr_table_free(&at);
	printf("bench_famrib: %u routes per family, %d per attribute set\n", n, PER_SET);
	for (int k = 0; k < K_MAX; k++)
		printf("%-13s first peer %.1f bytes/route (attribute sets included), further peer "
		       "%.1f bytes/route = %.3f x ipv4_unicast\n",
		       kname[k], first[k], next[k], next[k] / next[K_IPV4]);
	return 0;
}
