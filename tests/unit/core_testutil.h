/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the unit tests of the reassembly and framing core: a recorder
 * of what the core emits and charges, and random BGP streams.
 */
#ifndef BMPTAP_CORE_TESTUTIL_H
#define BMPTAP_CORE_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "reasm.h"

/* ---- recorder -------------------------------------------------------- */

#define MAX_GAPS 64

struct rec_gap {
	struct bmptap_gap gap;
	u8 data[BMPTAP_GAP_MAX_DATA];
	u32 data_len;
};

struct rec {
	u8 *bytes;		/* all messages back to back */
	size_t len, cap;
	u32 nmsgs;
	u32 *msg_lens;
	u32 msg_cap;
	u32 bad_msgs;		/* messages failing bmptap_bgp_header_valid or length */
	struct rec_gap gaps[MAX_GAPS];
	u32 ngaps;
	s64 charged;
	s64 budget;		/* < 0: unlimited */
	u32 charge_refusals;
};

static inline void rec_msg(void *ctx, const u8 *msg, u32 len, u64 ts_ns)
{
	struct rec *r = ctx;

	(void)ts_ns;
	if (!bmptap_bgp_header_valid(msg) || (((u32)msg[16] << 8) | msg[17]) != len)
		r->bad_msgs++;
	if (r->len + len > r->cap) {
		r->cap = (r->len + len) * 2;
		r->bytes = realloc(r->bytes, r->cap);
		assert_non_null(r->bytes);
	}
	memcpy(r->bytes + r->len, msg, len);
	r->len += len;
	if (r->nmsgs == r->msg_cap) {
		r->msg_cap = r->msg_cap ? r->msg_cap * 2 : 64;
		r->msg_lens = realloc(r->msg_lens, r->msg_cap * sizeof(u32));
		assert_non_null(r->msg_lens);
	}
	r->msg_lens[r->nmsgs] = len;
	r->nmsgs++;
}

static inline void rec_gap(void *ctx, const struct bmptap_gap *gap, const u8 *skipped,
			   u32 skipped_len, u64 ts_ns)
{
	struct rec *r = ctx;
	struct rec_gap *g;

	(void)ts_ns;
	assert_true(skipped_len <= BMPTAP_GAP_MAX_DATA);
	assert_true(skipped_len <= gap->bytes || gap->bytes == 0);
	if (r->ngaps == MAX_GAPS)
		return;
	g = &r->gaps[r->ngaps++];
	g->gap = *gap;
	g->data_len = skipped_len;
	if (skipped_len)
		memcpy(g->data, skipped, skipped_len);
}

static inline bool rec_charge(void *ctx, s32 delta)
{
	struct rec *r = ctx;

	if (delta > 0 && r->budget >= 0 && r->charged + delta > r->budget) {
		r->charge_refusals++;
		return false;
	}
	r->charged += delta;
	assert_true(r->charged >= 0);
	return true;
}

static const struct bmptap_ops ops = {
	.msg = rec_msg,
	.gap = rec_gap,
	.charge = rec_charge,
};

static inline struct rec *rec_new(void)
{
	struct rec *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->budget = -1;
	return r;
}

static inline void rec_free(struct rec *r)
{
	assert_int_equal(r->charged, 0);
	free(r->bytes);
	free(r->msg_lens);
	free(r);
}

/* ---- helpers --------------------------------------------------------- */

static inline int flat_copy(const void *src, u32 off, void *dst, u32 len)
{
	memcpy(dst, (const u8 *)src + off, len);
	return 0;
}

static inline struct bmptap_payload flat(const void *v, u32 len)
{
	struct bmptap_payload p = { .src = v, .len = len, .copy = flat_copy };

	return p;
}

static u32 rng_state = 12345;

static inline u32 rnd(void)
{
	/* xorshift32 */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static inline u32 rnd_range(u32 lo, u32 hi)	/* inclusive */
{
	return lo + rnd() % (hi - lo + 1);
}

/* Write a BGP message of type and len at v; body filled from seed. */
static inline u32 make_msg(u8 *v, u8 type, u32 len, u32 seed)
{
	u32 i;

	memset(v, 0xff, 16);
	v[16] = len >> 8;
	v[17] = len & 0xff;
	v[18] = type;
	for (i = BMPTAP_BGP_HEADER_LEN; i < len; i++)
		v[i] = (u8)(seed * 31 + i * 7 + (i >> 8));
	return len;
}

static inline u32 random_msg(u8 *v, u32 max_len)
{
	u8 type = (u8)rnd_range(1, 5);
	u32 len;

	switch (type) {
	case 4:
		len = 19;
		break;
	case 1:
		len = rnd_range(29, max_len < 200 ? max_len : 200);
		break;
	default:
		len = rnd_range(23, max_len);
		break;
	}
	return make_msg(v, type, len, rnd());
}

/* A stream of n random messages; returns its length, message count in *nmsgs. */
static inline u8 *random_stream(u32 n, u32 max_len, u32 *out_len)
{
	u8 *v = malloc((size_t)n * max_len + 1);
	u32 len = 0, i;

	assert_non_null(v);
	for (i = 0; i < n; i++)
		len += random_msg(v + len, max_len);
	*out_len = len;
	return v;
}

static inline void feed(struct bmptap_stream *s, u32 seq, const u8 *v, u32 len, struct rec *r)
{
	struct bmptap_payload p = flat(v, len);

	bmptap_stream_data(s, seq, &p, false, 0, &ops, r);
}

static inline void assert_stream_eq(const struct rec *r, const u8 *v, u32 len, u32 nmsgs)
{
	assert_int_equal(r->bad_msgs, 0);
	assert_int_equal(r->nmsgs, nmsgs);
	assert_int_equal(r->len, len);
	assert_memory_equal(r->bytes, v, len);
}

/* Payload bytes held (s->held counts their memory). */
static inline u32 held_bytes(const struct bmptap_stream *s)
{
	const struct rb_node *n;
	u32 sum = 0;

	for (n = rb_first(&s->segs); n; n = rb_next(n))
		sum += rb_entry(n, struct bmptap_seg, node)->len;
	return sum;
}

/* The memory charged for one run holding len bytes. */
static inline u32 seg_cost(u32 len)
{
	return (u32)bmptap_alloc_size(sizeof(struct bmptap_seg) + len);
}

static inline void free_stream(struct bmptap_stream *s, struct rec *r)
{
	bmptap_stream_free(s, &ops, r);
	assert_int_equal(s->held, 0);
	rec_free(r);
}

#endif /* BMPTAP_CORE_TESTUTIL_H */
