// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the Adj-RIB of the other families (famrib.h): a
 * peer's UPDATEs, parsed and applied under a small budget, with walks
 * frozen across some of them.  Input: an octet whose low 2 bits are the
 * RFC 8277 Multiple Labels count of every family, then records of a
 * control octet (bit 0:
 * freeze / thaw around this UPDATE, bit 1: ADD-PATH in every family), a
 * 2-octet length, and that many octets of UPDATE body.
 *
 * Invariants (abort() otherwise): no crash or sanitizer report; the budget
 * is never passed; the per-family counts equal the routes a walk finds;
 * a walk across changes only yields routes still there; a replay of the
 * store (famreplay.h) parses without error into a store with the same
 * routes and sets; at the end every attribute set reference and every
 * charged byte is returned.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "famreplay.h"
#include "famrib.h"

static void check_counts(const struct famrib *fr)
{
	for (unsigned f = 0; f < NLRI_FAMILIES; f++) {
		struct famrib_entry e[16];
		uint32_t n, pos = 0, seen = 0;
		struct fr_route **o = famrib_order(fr, f, &n);
		size_t k;

		if (n != fr->count[f] && o)
			abort();
		while ((k = famrib_walk(o, n, &pos, e, 16)))
			for (size_t i = 0; i < k; i++, seen++)
				if (e[i].fam != f || !e[i].attr || !e[i].nlri.len)
					abort();
		if (o && seen != fr->count[f])
			abort();
		free(o);
	}
}

struct replay_ctx {
	struct famrib *dst;
	const struct bgp_codec *c;
};

static void apply_replayed(void *ctx, const uint8_t *m, size_t len)
{
	struct replay_ctx *r = ctx;
	struct bgp_update u;

	if (bgp_update_parse(m, len, r->c, &u) != BGP_ACT_NONE ||
	    famrib_apply(r->dst, &u, UINT32_MAX, NULL, NULL))
		abort();
}

/* The replay a collector gets rebuilds the store: route for route, set
 * for set (interned into the same table), bar routes too large to send. */
static void check_replay(struct famrib *fr)
{
	struct bgp_codec c = { .as4 = true, .ext_msg = true };
	struct famrib dst;
	struct replay_ctx r = { &dst, &c };
	struct fam_replay rep = { 0 };
	struct famrib_entry e[16], cur;
	struct buf b;

	for (unsigned f = 0; f < BGP_FAM_MAX; f++)
		c.addpath[f] = true;
	buf_init(&b);
	famrib_init(&dst, fr->attrs, NULL);
	memcpy(dst.max_labels, fr->max_labels, sizeof(dst.max_labels));
	struct fam_out o = { .codec = &c, .addpath = UINT32_MAX, .scratch = &b,
			     .emit = apply_replayed, .ctx = &r, .fams = UINT32_MAX };

	fam_replay_start(&rep, fr);
	while (!fam_replay_done(&rep))
		fam_replay_step(&rep, fr, 64, &o, 1);
	fam_replay_stop(&rep, fr);
	size_t failed = o.failed;

	if (famrib_total(&dst) + failed != famrib_total(fr))
		abort();
	for (unsigned f = 0; f < NLRI_FAMILIES && !failed; f++) {
		uint32_t n, pos = 0;
		struct fr_route **o = famrib_order(fr, f, &n);
		size_t k;

		while ((k = famrib_walk(o, n, &pos, e, 16)))
			for (size_t i = 0; i < k; i++)
				if (!famrib_lookup(&dst, &e[i], &cur) || cur.attr != e[i].attr ||
				    cur.nlri.len != e[i].nlri.len ||
				    memcmp(cur.nlri.p, e[i].nlri.p, cur.nlri.len))
					abort();
		free(o);
	}
	famrib_free(&dst);
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct attr_table at;
	struct famrib fr;
	struct budget *b = budget_new(NULL, 16384);
	struct bgp_codec c = { .as4 = true, .ext_msg = true };
	static uint8_t msg[BGP_EXT_MAX_LEN];

	if (!b)
		return 0;
	attr_table_init(&at);
	famrib_init(&fr, &at, b);
	if (size) {
		memset(fr.max_labels, data[0] & 3, sizeof(fr.max_labels));
		data++;
		size--;
	}
	while (size >= 3) {
		uint8_t ctl = data[0];
		size_t len = get_u16(data + 1);
		struct bgp_update u;
		struct fr_route **o = NULL;
		uint32_t n = 0, pos = 0;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		if (len + BGP_HDR_LEN > sizeof(msg))
			break;
		memset(msg, 0xff, 16);
		put_u16(msg + 16, (uint16_t)(len + BGP_HDR_LEN));
		msg[18] = BGP_UPDATE;
		memcpy(msg + BGP_HDR_LEN, data, len);
		data += len;
		size -= len;
		if (ctl & 1) {
			famrib_freeze(&fr);
			o = famrib_order(&fr, ctl >> 3 & 15, &n);
		}
		bgp_update_parse(msg, len + BGP_HDR_LEN, &c, &u);
		famrib_apply(&fr, &u, ctl & 2 ? UINT32_MAX : 0, NULL, NULL);
		famrib_eor(&u);
		famrib_ignores_part(&fr, &u);
		if (b->used > b->max)
			abort();
		if (o) {
			struct famrib_entry e[8];

			while (famrib_walk(o, n, &pos, e, 8))
				;
		}
		free(o);
		if (ctl & 1)
			famrib_thaw(&fr);
		check_counts(&fr);
	}
	check_replay(&fr);
	famrib_free(&fr);
	if (at.count || b->used)
		abort();
	attr_table_free(&at);
	budget_put(b);
	return 0;
}
