// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the reassembly and framing core.  The input is a
 * sequence of operations (syn, data, ack, hole, flush, allocation failures)
 * applied to a gated and an ungated stream, plus a bare framer.
 *
 * Invariants: no crash or sanitizer report, every emitted message has a
 * valid header whose length is the emitted length, held memory never
 * exceeds max_held and always matches the charges, the held runs are
 * sorted, disjoint and no more than max_segs, gap records are sane, and
 * everything is freed at the end (LeakSanitizer).
 */
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "frame.h"
#include "reasm.h"

#define REF_LEN		(256U * 1024U)

static u8 ref[REF_LEN];		/* a valid BGP stream the data ops cut from */
static u32 ref_len;

struct ctx {
	s64 charged;
	s64 budget;
	u64 msgs;
	u64 gaps;
};

static void die(const char *why)
{
	fprintf(stderr, "fuzz_core: invariant violated: %s\n", why);
	abort();
}

static void on_msg(void *c, const u8 *msg, u32 len, u64 ts_ns)
{
	struct ctx *x = c;

	(void)ts_ns;
	if (len < BMPTAP_BGP_HEADER_LEN || len > BMPTAP_BGP_MAX_LEN)
		die("message length out of range");
	if (!bmptap_bgp_header_valid(msg))
		die("message with an invalid header");
	if ((((u32)msg[16] << 8) | msg[17]) != len)
		die("message length differs from its header");
	x->msgs++;
}

static void on_gap(void *c, const struct bmptap_gap *gap, const u8 *skipped, u32 skipped_len,
		   u64 ts_ns)
{
	struct ctx *x = c;
	volatile u8 sink = 0;
	u32 i;

	(void)ts_ns;
	if (gap->reason < BMPTAP_GAP_MISSING || gap->reason > BMPTAP_GAP_MIDSTREAM)
		die("gap with a bad reason");
	if (skipped_len > BMPTAP_GAP_MAX_DATA || skipped_len > gap->bytes)
		die("gap data longer than the gap");
	for (i = 0; i < skipped_len; i++)	/* ASan checks the buffer */
		sink ^= skipped[i];
	(void)sink;
	x->gaps++;
}

static bool on_charge(void *c, s32 delta)
{
	struct ctx *x = c;

	if (delta > 0 && x->charged + delta > x->budget)
		return false;
	x->charged += delta;
	if (x->charged < 0)
		die("more released than charged");
	return true;
}

static const struct bmptap_ops fops = {
	.msg = on_msg,
	.gap = on_gap,
	.charge = on_charge,
};

static int flat_copy(const void *src, u32 off, void *dst, u32 len)
{
	memcpy(dst, (const u8 *)src + off, len);
	return 0;
}

static int fail_countdown = -1;

static void *fuzz_alloc(size_t size)
{
	if (fail_countdown == 0)
		return NULL;
	if (fail_countdown > 0)
		fail_countdown--;
	return malloc(size);
}

static u32 lcg(u32 *st)
{
	*st = *st * 1103515245u + 12345u;
	return *st >> 8;
}

static void build_ref(void)
{
	static const u8 types[] = { 2, 2, 2, 2, 4, 1, 3, 5 };
	u32 st = 1, len, i;
	u8 type;

	while (ref_len + 6000 < REF_LEN) {
		type = types[lcg(&st) % sizeof(types)];
		switch (type) {
		case 4:
			len = 19;
			break;
		case 1:
			len = 29 + lcg(&st) % 40;
			break;
		default:
			len = 23 + lcg(&st) % (lcg(&st) % 16 ? 200 : 5000);
			break;
		}
		memset(ref + ref_len, 0xff, 16);
		ref[ref_len + 16] = len >> 8;
		ref[ref_len + 17] = len & 0xff;
		ref[ref_len + 18] = type;
		for (i = 19; i < len; i++)
			ref[ref_len + i] = (u8)lcg(&st);
		ref_len += len;
	}
}

struct in {
	const u8 *p;
	size_t n;
};

static u32 take(struct in *in, u32 bytes)
{
	u32 v = 0;

	while (bytes--) {
		v <<= 8;
		if (in->n) {
			v |= *in->p++;
			in->n--;
		}
	}
	return v;
}

struct side {
	struct bmptap_stream s;
	struct ctx ctx;
};

/* The runs: sorted, disjoint, within their allocations, accounted for. */
static void check_runs(const struct bmptap_stream *s)
{
	const struct rb_node *n;
	const struct bmptap_seg *seg, *prev = NULL;
	u32 count = 0, held = 0;

	for (n = rb_first(&s->segs); n; n = rb_next(n)) {
		seg = rb_entry(n, struct bmptap_seg, node);
		if (!seg->len || seg->off + seg->len > seg->cap ||
		    seg->cap + sizeof(*seg) != seg->truesize)
			die("run with a bad length");
		if (bmptap_seq_before(seg->seq, prev ? prev->seq + prev->len : s->next_seq))
			die("runs out of order or overlapping");
		held += seg->truesize;
		count++;
		prev = seg;
	}
	if (count != s->nsegs || count > s->max_segs)
		die("run count wrong or over max_segs");
	if (held != s->held)
		die("held differs from the runs' allocations");
	if (s->head != (count ? rb_entry(rb_first(&s->segs), struct bmptap_seg, node) : NULL) ||
	    s->tail != prev)
		die("head or tail is not the first or last run");
}

static void check(const struct side *sd)
{
	if (sd->s.held > sd->s.max_held)
		die("held bytes exceed max_held");
	if ((s64)sd->s.held + sd->s.framer.charged != sd->ctx.charged)
		die("held bytes differ from the charges");
	check_runs(&sd->s);
}

static void side_init(struct side *sd, bool gated, u32 max_held)
{
	memset(sd, 0, sizeof(*sd));
	sd->ctx.budget = max_held / 2 + 1;	/* the environment can refuse first */
	bmptap_stream_init(&sd->s, gated, max_held);
}

static void side_end(struct side *sd)
{
	bmptap_stream_flush(&sd->s, 0, &fops, &sd->ctx);
	check(sd);
	bmptap_stream_free(&sd->s, &fops, &sd->ctx);
	if (sd->ctx.charged)
		die("charges left after free");
}

/*
 * Many tiny reference segments ahead of the cursor, each between two holes,
 * ascending or descending: the run cap, the budget and pruning.
 */
static void burst(struct side *sides, struct in *in, u8 op, u32 isn, u32 cursor)
{
	u32 count = 1 + take(in, 2) % 4096, stride = 2 + take(in, 1) % 64, k, off, len, i;
	struct bmptap_payload p = { .copy = flat_copy };

	for (k = 0; k < count; k++) {
		off = cursor + stride * (op & 0x40 ? count - 1 - k : k);
		len = 1 + k % (stride - 1);
		if (off >= ref_len || len > ref_len - off)
			continue;
		p.src = ref + off;
		p.len = len;
		p.flat = op & 0x20 ? (const u8 *)p.src : NULL;
		for (i = 0; i < 2; i++)
			bmptap_stream_data(&sides[i].s, isn + 1 + off, &p, false, off, &fops,
					   &sides[i].ctx);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct side sides[2];
	struct bmptap_framer fr;
	struct ctx frctx = { .budget = 1 << 30 };
	u32 isn, cursor = 0, max_held;
	int i;

	if (!ref_len)
		build_ref();
	bmptap_alloc_hook = fuzz_alloc;
	fail_countdown = -1;
	max_held = 64 + take(&in, 2) * 4;
	isn = take(&in, 4);
	side_init(&sides[0], true, max_held);
	side_init(&sides[1], false, max_held);
	bmptap_framer_init(&fr);

	while (in.n) {
		u8 op = (u8)take(&in, 1);
		u32 a, len, off;
		struct bmptap_payload p = { .copy = flat_copy };

		switch (op % 9) {
		case 0:		/* SYN */
			for (i = 0; i < 2; i++)
				bmptap_stream_syn(&sides[i].s, isn);
			break;
		case 1:		/* data cut from the reference stream */
		case 2:
			a = take(&in, 2);
			len = 1 + take(&in, 2) % 3000;
			off = cursor + (u32)(s32)(int16_t)a;
			if (off >= ref_len)
				off = cursor;
			if (len > ref_len - off)
				len = ref_len - off;
			if (!len)
				break;
			p.src = ref + off;
			p.len = len;
			p.flat = op & 0x20 ? (const u8 *)p.src : NULL;
			for (i = 0; i < 2; i++)
				bmptap_stream_data(&sides[i].s, isn + 1 + off, &p, op & 0x80, off,
						   &fops, &sides[i].ctx);
			if (off + len > cursor)
				cursor = off + len;
			break;
		case 3:		/* data from the input (garbage, conflicts) */
			a = take(&in, 2);
			len = take(&in, 1) % 64;
			if (len > in.n)
				len = (u32)in.n;
			p.src = in.p;
			p.len = len;
			p.flat = op & 0x20 ? (const u8 *)p.src : NULL;
			for (i = 0; i < 2; i++)
				bmptap_stream_data(&sides[i].s,
						   isn + 1 + cursor + (u32)(s32)(int16_t)a,
						   &p, false, 0, &fops, &sides[i].ctx);
			in.p += len;
			in.n -= len;
			break;
		case 4:		/* ACK relative to the cursor */
			a = take(&in, 2);
			a = isn + 1 + cursor - (a % 4096) + (op & 0x80 ? 4096 : 0);
			for (i = 0; i < 2; i++) {
				/* As flow.c: a gated stream's start is checked first. */
				if (sides[i].s.gated)
					bmptap_stream_start(&sides[i].s, a, op & 0x40, &fops,
							    &sides[i].ctx);
				bmptap_stream_ack(&sides[i].s, a, &fops, &sides[i].ctx);
			}
			break;
		case 5:
			if (op & 0x80) {
				burst(sides, &in, op, isn, cursor);
				break;
			}
			/* skip reference bytes: the tap never sees them */
			cursor += take(&in, 2) % 2000;
			if (cursor > ref_len)
				cursor = ref_len;
			break;
		case 6:		/* allocation failures */
			a = take(&in, 1);
			fail_countdown = a & 0x80 ? -1 : (int)(a & 7);
			break;
		case 7:		/* the bare framer: feed or a hole */
			a = take(&in, 2);
			len = 1 + take(&in, 2) % 3000;
			if (op & 0x80) {
				bmptap_framer_hole(&fr, op & 0x40 ? 0 : len, 1 + a % 5, &fops,
						   &frctx);
				break;
			}
			off = a % ref_len;
			if (len > ref_len - off)
				len = ref_len - off;
			p.src = ref + off;
			p.len = len;
			p.flat = op & 0x20 ? (const u8 *)p.src : NULL;
			bmptap_framer_feed(&fr, &p, 0, len, 0, &fops, &frctx);
			break;
		case 8:		/* the flow ends; a new one starts */
			for (i = 0; i < 2; i++) {
				bool gated = sides[i].s.gated;

				side_end(&sides[i]);
				side_init(&sides[i], gated, max_held);
			}
			bmptap_framer_flush(&fr, 0, &fops, &frctx);
			isn = take(&in, 4);
			cursor = take(&in, 2);
			break;
		}
		for (i = 0; i < 2; i++)
			check(&sides[i]);
	}
	fail_countdown = -1;
	for (i = 0; i < 2; i++)
		side_end(&sides[i]);
	bmptap_framer_flush(&fr, 0, &fops, &frctx);
	bmptap_framer_free(&fr, &fops, &frctx);
	if (frctx.charged)
		die("framer charges left after free");
	bmptap_alloc_hook = NULL;
	return 0;
}
