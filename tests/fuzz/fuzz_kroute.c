// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the rtnetlink side of the Loc-RIB (kroute.c): the
 * input is a stream of netlink messages, as a socket read returns them;
 * every route message is parsed and applied to one installed-route table
 * (its stale mark-and-sweep run every few messages, as a resync does).
 *
 * Invariants: no crash or sanitizer report; a parsed route has at most
 * KR_MAX_NH gateways, a length within its family and no host bits; the
 * table's count and unjoined gauge match what it holds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kroute.h"

static void changed(void *ctx, const struct bgp_prefix *pfx)
{
	struct kroute *k = ctx;
	struct kr_route *r = kroute_lookup(k, pfx);

	/* Judge it now and then, as the join does. */
	if (r)
		kroute_set_joined(k, r, (pfx->addr[0] ^ pfx->len) & 1);
}

static void check_table(const struct kroute *k)
{
	uint32_t n = 0, unjoined = 0;

	for (uint32_t i = 0; i < k->n_b; i++)
		for (const struct kr_route *r = k->b[i]; r; r = r->next) {
			n++;
			unjoined += !r->joined;
			if (r->n_gw > KR_MAX_NH || kroute_lookup(k, &r->pfx) != r)
				abort();
		}
	if (n != k->count || unjoined != k->unjoined)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t protos[] = { 12, 186 };
	uint8_t *buf = malloc(size + 4);
	struct kroute k;
	int left = (int)size;	/* NLMSG_NEXT may take it below 0 */
	unsigned n = 0;

	if (!buf || kroute_init(&k, protos, 2, changed, &k)) {
		free(buf);
		return 0;
	}
	k.ctx = &k;
	memcpy(buf, data, size);	/* aligned, as a recv() buffer is */
	for (const struct nlmsghdr *nh = (const void *)buf; NLMSG_OK(nh, left);
	     nh = NLMSG_NEXT(nh, left)) {
		struct kr_msg m;
		int r = kroute_parse(nh, &m);

		if (r < -1 || r > 1)
			abort();
		if (r != 1)
			continue;
		unsigned bits = m.pfx.fam == BGP_FAM_IPV4 ? 32 : 128;
		if (m.n_gw > KR_MAX_NH || m.pfx.len > bits)
			abort();
		for (unsigned i = m.pfx.len; i < bits; i++)
			if (m.pfx.addr[i / 8] & (0x80u >> (i % 8)))
				abort();
		if (++n % 4 == 0)
			kroute_mark_stale(&k);
		kroute_apply(&k, &m);
		if (n % 4 == 2)
			kroute_sweep(&k);
	}
	check_table(&k);
	kroute_free(&k);
	free(buf);
	return 0;
}
