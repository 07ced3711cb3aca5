// SPDX-License-Identifier: GPL-2.0
/* Unit tests for the reassembly and framing core (kmod/core). */
#include "core_testutil.h"

/* ---- framing ----------------------------------------------------------- */

static void test_header_valid(void **state)
{
	u8 v[64];

	(void)state;
	make_msg(v, 4, 19, 0);
	assert_true(bmptap_bgp_header_valid(v));
	make_msg(v, 4, 20, 0);
	assert_false(bmptap_bgp_header_valid(v));
	make_msg(v, 1, 28, 0);
	assert_false(bmptap_bgp_header_valid(v));
	make_msg(v, 1, 29, 0);
	assert_true(bmptap_bgp_header_valid(v));
	make_msg(v, 2, 22, 0);
	assert_false(bmptap_bgp_header_valid(v));
	make_msg(v, 2, 23, 0);
	assert_true(bmptap_bgp_header_valid(v));
	make_msg(v, 3, 20, 0);
	assert_false(bmptap_bgp_header_valid(v));
	make_msg(v, 3, 21, 0);
	assert_true(bmptap_bgp_header_valid(v));
	make_msg(v, 5, 23, 0);
	assert_true(bmptap_bgp_header_valid(v));
	make_msg(v, 5, 22, 0);
	assert_false(bmptap_bgp_header_valid(v));
	make_msg(v, 6, 23, 0);
	assert_false(bmptap_bgp_header_valid(v));
	make_msg(v, 0, 23, 0);
	assert_false(bmptap_bgp_header_valid(v));
	make_msg(v, 2, 23, 0);
	v[5] = 0xfe;
	assert_false(bmptap_bgp_header_valid(v));
	make_msg(v, 2, 23, 0);
	v[16] = 0;
	v[17] = 18;
	assert_false(bmptap_bgp_header_valid(v));
	v[16] = 0xff;
	v[17] = 0xff;
	assert_true(bmptap_bgp_header_valid(v));
}

static void test_single_message(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[100];
	u32 len = make_msg(v, 2, 100, 1);

	(void)state;
	bmptap_stream_init(&s, false, 1 << 20);
	bmptap_stream_syn(&s, 1000);
	feed(&s, 1001, v, len, r);
	assert_stream_eq(r, v, len, 1);
	assert_int_equal(r->ngaps, 0);
	assert_int_equal(s.stats.bytes, 100);
	assert_int_equal(s.stats.segments, 1);
	assert_int_equal(s.framer.messages, 1);
	bmptap_stream_flush(&s, 0, &ops, r);
	assert_int_equal(r->ngaps, 0);
	free_stream(&s, r);
}

static void test_many_in_one_segment(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u32 len;
	u8 *v;

	(void)state;
	v = random_stream(500, 300, &len);
	bmptap_stream_init(&s, false, 1 << 20);
	bmptap_stream_syn(&s, 7);
	feed(&s, 8, v, len, r);
	assert_stream_eq(r, v, len, 500);
	assert_int_equal(r->ngaps, 0);
	free(v);
	free_stream(&s, r);
}

static void test_one_byte_segments(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u32 len, i;
	u8 *v;

	(void)state;
	v = random_stream(40, 500, &len);
	bmptap_stream_init(&s, false, 1 << 20);
	bmptap_stream_syn(&s, 0xfffffff0u);
	for (i = 0; i < len; i++)
		feed(&s, 0xfffffff1u + i, v + i, 1, r);
	assert_stream_eq(r, v, len, 40);
	assert_int_equal(r->ngaps, 0);
	assert_int_equal(s.stats.segments, len);
	free(v);
	free_stream(&s, r);
}

static void test_max_message(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 *v = malloc(65535 + 19);
	u32 off;

	(void)state;
	make_msg(v, 2, 65535, 9);
	make_msg(v + 65535, 4, 19, 0);
	bmptap_stream_init(&s, true, 1 << 20);
	bmptap_stream_syn(&s, 1);
	for (off = 0; off < 65535 + 19; off += 1448) {
		u32 n = 65535 + 19 - off < 1448 ? 65535 + 19 - off : 1448;

		feed(&s, 2 + off, v + off, n, r);
	}
	assert_int_equal(r->nmsgs, 0);
	bmptap_stream_ack(&s, 2 + 65535 + 19, &ops, r);
	assert_stream_eq(r, v, 65535 + 19, 2);
	assert_int_equal(r->msg_lens[0], 65535);
	assert_int_equal(s.held, 0);
	free(v);
	free_stream(&s, r);
}

static void test_wraparound(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u32 len, off, isn = 0xffffff00u;
	u8 *v;

	(void)state;
	v = random_stream(30, 200, &len);
	bmptap_stream_init(&s, true, 1 << 20);
	bmptap_stream_syn(&s, isn);
	for (off = 0; off < len; off += 100) {
		u32 n = len - off < 100 ? len - off : 100;

		feed(&s, isn + 1 + off, v + off, n, r);
		if (off % 300 == 0)
			bmptap_stream_ack(&s, isn + 1 + off, &ops, r);
	}
	bmptap_stream_ack(&s, isn + 1 + len, &ops, r);
	assert_stream_eq(r, v, len, 30);
	assert_int_equal(r->ngaps, 0);
	assert_true(s.next_seq < 0x10000u);
	free(v);
	free_stream(&s, r);
}

static void test_retransmit_dedup(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[200];

	(void)state;
	make_msg(v, 2, 100, 1);
	make_msg(v + 100, 2, 100, 2);
	bmptap_stream_init(&s, false, 1 << 20);
	bmptap_stream_syn(&s, 0);
	feed(&s, 1, v, 100, r);
	feed(&s, 1, v, 100, r);		/* exact retransmit */
	feed(&s, 51, v + 50, 50, r);	/* retransmit of the tail */
	feed(&s, 51, v + 50, 150, r);	/* partly old */
	feed(&s, 1, v, 200, r);		/* all old */
	assert_stream_eq(r, v, 200, 2);
	assert_int_equal(s.stats.retransmits, 4);
	assert_int_equal(r->ngaps, 0);
	free_stream(&s, r);
}

static void test_partial_overlap(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[300];

	(void)state;
	make_msg(v, 2, 150, 1);
	make_msg(v + 150, 2, 150, 2);
	bmptap_stream_init(&s, false, 1 << 20);
	bmptap_stream_syn(&s, 0);
	feed(&s, 101, v + 100, 100, r);	/* [100,200) held */
	feed(&s, 151, v + 150, 100, r);	/* [150,250): overlaps the held one */
	feed(&s, 221, v + 220, 80, r);	/* [220,300) */
	assert_int_equal(r->nmsgs, 0);
	assert_int_equal(held_bytes(&s), 200);
	assert_int_equal(s.stats.out_of_order, 3);
	feed(&s, 1, v, 120, r);		/* [0,120) overlaps [100,200) */
	assert_stream_eq(r, v, 300, 2);
	assert_int_equal(s.stats.conflicts, 0);
	assert_int_equal(s.held, 0);
	assert_int_equal(r->ngaps, 0);
	free_stream(&s, r);
}

static void test_overlap_conflict(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[200], bad[200];

	(void)state;
	make_msg(v, 2, 100, 1);
	make_msg(v + 100, 2, 100, 2);
	memcpy(bad, v, sizeof(bad));
	memset(bad + 120, 0x55, 30);
	bmptap_stream_init(&s, true, 1 << 20);
	bmptap_stream_syn(&s, 0);
	feed(&s, 1, v, 130, r);			/* first copy of [0,130) */
	feed(&s, 101, bad + 100, 100, r);	/* [100,200): [100,130) old, differs */
	assert_int_equal(s.stats.conflicts, 1);
	bmptap_stream_ack(&s, 201, &ops, r);
	/*
	 * Neither copy of the differing [120,130) is believed: it is a gap,
	 * which takes message 2 with it; message 1 before it is whole.
	 */
	assert_int_equal(r->nmsgs, 1);
	assert_memory_equal(r->bytes, v, 100);
	assert_int_equal(s.stats.gap_bytes, 10);
	assert_int_equal(s.next_seq, 201);
	assert_int_equal(s.held, 0);
	assert_false(s.conflict);
	feed(&s, 1, bad, 200, r);		/* old: nothing to compare with */
	assert_int_equal(s.stats.conflicts, 1);
	free_stream(&s, r);
}

/* Ungated (the local stack's own data): the first copy still wins. */
static void test_overlap_conflict_ungated(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[200], bad[200];

	(void)state;
	make_msg(v, 2, 100, 1);
	make_msg(v + 100, 2, 100, 2);
	memcpy(bad, v, sizeof(bad));
	memset(bad + 120, 0x55, 30);
	bmptap_stream_init(&s, false, 1 << 20);
	bmptap_stream_syn(&s, 0);
	feed(&s, 131, v + 130, 70, r);		/* [130,200) held ahead of a hole */
	feed(&s, 101, bad + 100, 100, r);	/* [100,130) new, [130,200) differs */
	assert_int_equal(s.stats.conflicts, 1);
	feed(&s, 1, v, 100, r);
	assert_int_equal(r->nmsgs, 2);
	assert_memory_equal(r->bytes, v, 120);
	assert_memory_equal(r->bytes + 120, bad + 120, 10);
	assert_memory_equal(r->bytes + 130, v + 130, 70);
	free_stream(&s, r);
}

/*
 * A forged copy arriving first, then the real one: whichever TCP kept, the
 * tap reports a gap for the differing range, and only once acknowledged.
 */
static void test_conflict_gap_spans(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[300], bad[300];

	(void)state;
	make_msg(v, 2, 100, 1);
	make_msg(v + 100, 2, 100, 2);
	make_msg(v + 200, 2, 100, 3);
	memcpy(bad, v, sizeof(bad));
	memset(bad + 110, 0x55, 10);
	memset(bad + 150, 0x66, 10);
	bmptap_stream_init(&s, true, 1 << 20);
	bmptap_stream_syn(&s, 0);
	feed(&s, 101, bad + 100, 200, r);	/* forged first */
	feed(&s, 101, v + 100, 200, r);		/* then the real bytes */
	assert_int_equal(s.stats.conflicts, 1);
	assert_true(s.conflict);
	assert_int_equal(s.cf_start, 111);
	assert_int_equal(s.cf_end, 161);	/* both differing pieces, and between */
	feed(&s, 1, v, 100, r);
	bmptap_stream_ack(&s, 131, &ops, r);	/* part of the range */
	assert_int_equal(r->nmsgs, 1);
	bmptap_stream_ack(&s, 301, &ops, r);
	assert_int_equal(r->nmsgs, 2);
	assert_memory_equal(r->bytes + 100, v + 200, 100);
	assert_int_equal(s.stats.gap_bytes, 50);
	bmptap_stream_flush(&s, 0, &ops, r);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].gap.reason, BMPTAP_GAP_MISSING);
	free_stream(&s, r);
}

static void test_reordering(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u32 len, nseg, i, j, *order;
	u8 *v;

	(void)state;
	v = random_stream(100, 300, &len);
	nseg = (len + 99) / 100;
	order = malloc(nseg * sizeof(*order));
	for (i = 0; i < nseg; i++)
		order[i] = i;
	for (i = nseg - 1; i > 0; i--) {
		u32 t;

		j = rnd() % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	bmptap_stream_init(&s, false, 1 << 24);
	bmptap_stream_syn(&s, 0x7ffffff0u);
	for (i = 0; i < nseg; i++) {
		u32 off = order[i] * 100;
		u32 n = len - off < 100 ? len - off : 100;

		feed(&s, 0x7ffffff1u + off, v + off, n, r);
	}
	assert_stream_eq(r, v, len, 100);
	assert_int_equal(r->ngaps, 0);
	assert_int_equal(s.held, 0);
	assert_true(s.stats.out_of_order > 0);
	free(order);
	free(v);
	free_stream(&s, r);
}

static void test_gated_ack(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[300];

	(void)state;
	make_msg(v, 2, 100, 1);
	make_msg(v + 100, 2, 100, 2);
	make_msg(v + 200, 2, 100, 3);
	bmptap_stream_init(&s, true, 1 << 20);
	bmptap_stream_syn(&s, 99);
	feed(&s, 100, v, 300, r);
	assert_int_equal(r->nmsgs, 0);
	assert_int_equal(held_bytes(&s), 300);
	assert_int_equal(r->charged, s.held);
	bmptap_stream_ack(&s, 100, &ops, r);	/* acks nothing new */
	assert_int_equal(r->nmsgs, 0);
	bmptap_stream_ack(&s, 150, &ops, r);	/* half a message */
	assert_int_equal(r->nmsgs, 0);
	assert_int_equal(held_bytes(&s), 250);
	/* The half message waits in the framer's buffer, charged too. */
	assert_int_equal(r->charged, s.held + bmptap_alloc_size(4096));
	bmptap_stream_ack(&s, 300, &ops, r);	/* two messages */
	assert_int_equal(r->nmsgs, 2);
	bmptap_stream_ack(&s, 250, &ops, r);	/* old ack */
	assert_int_equal(r->nmsgs, 2);
	bmptap_stream_ack(&s, 400, &ops, r);
	assert_stream_eq(r, v, 300, 3);
	assert_int_equal(r->ngaps, 0);
	assert_int_equal(s.held, 0);
	/* An ACK for bytes the tap never saw declares them missing. */
	bmptap_stream_ack(&s, 419, &ops, r);
	assert_int_equal(s.stats.gaps, 1);
	assert_int_equal(s.stats.gap_bytes, 19);
	make_msg(v, 4, 19, 0);
	feed(&s, 400, v, 19, r);		/* too late: old */
	assert_int_equal(s.stats.retransmits, 1);
	bmptap_stream_flush(&s, 0, &ops, r);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].gap.bytes, 19);
	free_stream(&s, r);
}

static void test_gated_acked_before_data(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[100];

	(void)state;
	make_msg(v, 2, 100, 1);
	bmptap_stream_init(&s, true, 0);	/* cannot hold anything */
	bmptap_stream_syn(&s, 0);
	feed(&s, 1, v, 100, r);
	assert_int_equal(s.stats.nomem, 1);
	bmptap_stream_ack(&s, 101, &ops, r);
	assert_int_equal(r->nmsgs, 0);
	assert_int_equal(s.stats.gaps, 1);
	/* Retransmission after its ack is old. */
	feed(&s, 1, v, 100, r);
	assert_int_equal(s.stats.retransmits, 1);
	bmptap_stream_flush(&s, 0, &ops, r);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].gap.reason, BMPTAP_GAP_MISSING);
	assert_int_equal(r->gaps[0].gap.bytes, 100);
	free_stream(&s, r);
}

/* A hole ending inside a message: that message is lost, the next is exact. */
static void test_hole_inside_message(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[300];

	(void)state;
	make_msg(v, 2, 100, 1);
	make_msg(v + 100, 2, 100, 2);
	make_msg(v + 200, 2, 100, 3);
	bmptap_stream_init(&s, true, 1 << 20);
	bmptap_stream_syn(&s, 0);
	feed(&s, 1, v, 120, r);
	feed(&s, 151, v + 150, 150, r);	/* [120,150) never seen */
	bmptap_stream_ack(&s, 301, &ops, r);
	assert_int_equal(r->nmsgs, 2);
	assert_memory_equal(r->bytes, v, 100);
	assert_memory_equal(r->bytes + 100, v + 200, 100);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].gap.reason, BMPTAP_GAP_MISSING);
	assert_int_equal(r->gaps[0].gap.bytes, 100);
	assert_int_equal(r->gaps[0].gap.messages, 1);
	assert_int_equal(s.stats.gaps, 1);
	assert_int_equal(s.stats.gap_bytes, 30);
	/* The gap came before the message after it. */
	free_stream(&s, r);
}

/* A hole ending exactly at a message end: next header exact. */
static void test_hole_exact_message_end(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[300];

	(void)state;
	make_msg(v, 2, 100, 1);
	make_msg(v + 100, 2, 100, 2);
	make_msg(v + 200, 2, 100, 3);
	bmptap_stream_init(&s, true, 1 << 20);
	bmptap_stream_syn(&s, 0);
	feed(&s, 1, v, 150, r);
	feed(&s, 201, v + 200, 100, r);	/* [150,200) never seen */
	bmptap_stream_ack(&s, 301, &ops, r);
	assert_int_equal(r->nmsgs, 2);
	assert_memory_equal(r->bytes + 100, v + 200, 100);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].gap.bytes, 100);
	assert_int_equal(r->gaps[0].gap.messages, 1);
	free_stream(&s, r);
}

/* A hole across a message boundary: resync, skipping the rest of message 3. */
static void test_hole_spanning_boundary(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[400];

	(void)state;
	make_msg(v, 2, 100, 1);
	make_msg(v + 100, 2, 100, 2);
	make_msg(v + 200, 2, 100, 3);
	make_msg(v + 300, 2, 100, 4);
	/* Message bodies never contain 0xff here, so the scan cannot lock early. */
	for (int i = 0; i < 400; i++)
		if (i % 100 >= 19 && v[i] == 0xff)
			v[i] = 0;
	bmptap_stream_init(&s, false, 1 << 20);
	bmptap_stream_syn(&s, 0);
	feed(&s, 1, v, 150, r);
	feed(&s, 231, v + 230, 170, r);	/* [150,230) missing */
	assert_int_equal(r->nmsgs, 1);
	bmptap_stream_ack(&s, 401, &ops, r);	/* ungated: the ack declares the hole */
	assert_int_equal(r->nmsgs, 2);
	assert_memory_equal(r->bytes + 100, v + 300, 100);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].gap.reason, BMPTAP_GAP_MISSING);
	/* 50 seen of message 2, 80 missing, 70 scanned over */
	assert_int_equal(r->gaps[0].gap.bytes, 200);
	assert_int_equal(r->gaps[0].gap.messages, 1);
	assert_int_equal(r->gaps[0].data_len, 70);
	assert_memory_equal(r->gaps[0].data, v + 230, 70);
	free_stream(&s, r);
}

static void test_garbage_between(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[300];
	u32 len = 0;

	(void)state;
	len += make_msg(v + len, 4, 19, 0);
	memcpy(v + len, "garbage\xff\xff\xff", 10);
	len += 10;
	len += make_msg(v + len, 2, 50, 1);
	bmptap_stream_init(&s, false, 1 << 20);
	bmptap_stream_syn(&s, 0);
	feed(&s, 1, v, len, r);
	assert_int_equal(r->nmsgs, 2);
	assert_memory_equal(r->bytes, v, 19);
	assert_memory_equal(r->bytes + 19, v + 29, 50);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].gap.reason, BMPTAP_GAP_RESYNC);
	assert_int_equal(r->gaps[0].gap.bytes, 10);
	assert_int_equal(r->gaps[0].gap.messages, 0);
	assert_int_equal(r->gaps[0].data_len, 10);
	assert_memory_equal(r->gaps[0].data, v + 19, 10);
	free_stream(&s, r);
}

/* Garbage fed one byte at a time, including a bad header of all 0xff. */
static void test_garbage_bytewise(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_framer f;
	struct bmptap_payload p;
	u8 v[200];
	u32 len = 0, i;

	(void)state;
	memset(v, 0xff, 40);		/* marker, length 0xffff, type 0xff: bad */
	len = 40;
	len += make_msg(v + len, 3, 21, 1);
	len += make_msg(v + len, 4, 19, 0);
	bmptap_framer_init(&f);
	for (i = 0; i < len; i++) {
		p = flat(v + i, 1);
		bmptap_framer_feed(&f, &p, 0, 1, 0, &ops, r);
	}
	bmptap_framer_flush(&f, 0, &ops, r);
	assert_int_equal(r->nmsgs, 2);
	assert_memory_equal(r->bytes, v + 40, 40);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].gap.bytes, 40);
	assert_int_equal(r->gaps[0].data_len, 40);
	bmptap_framer_free(&f, &ops, r);
	rec_free(r);
}

static void test_midstream(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[300];

	(void)state;
	make_msg(v, 2, 100, 1);
	make_msg(v + 100, 2, 100, 2);
	make_msg(v + 200, 4, 19, 0);
	for (int i = 0; i < 200; i++)
		if (i % 100 >= 19 && v[i] == 0xff)
			v[i] = 0;
	bmptap_stream_init(&s, true, 1 << 20);
	bmptap_stream_ack(&s, 5000, &ops, r);	/* ignored: not synced */
	feed(&s, 9000, v, 40, r);		/* forged: a tentative start only */
	assert_true(s.synced);
	assert_false(s.confirmed);
	bmptap_stream_ack(&s, 9040, &ops, r);	/* not the receiver's first ACK */
	assert_int_equal(r->nmsgs, 0);
	bmptap_stream_start(&s, 5040, true, &ops, r);	/* the receiver's: start over */
	assert_true(s.confirmed);
	assert_int_equal(s.next_seq, 5040);
	assert_int_equal(s.held, 0);
	feed(&s, 5000, v, 219, r);		/* picked up inside message 1 */
	bmptap_stream_ack(&s, 5040 + 179, &ops, r);
	assert_int_equal(r->nmsgs, 2);
	assert_memory_equal(r->bytes, v + 100, 119);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].gap.reason, BMPTAP_GAP_MIDSTREAM);
	assert_int_equal(r->gaps[0].gap.bytes, 60);
	assert_int_equal(r->gaps[0].gap.messages, 0);
	free_stream(&s, r);
}

/*
 * Picked up by its data before the receiver's first ACK, which lies within
 * that data: the start stands, and the first bytes are not lost.
 */
static void test_midstream_confirmed(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[300];

	(void)state;
	make_msg(v, 2, 100, 1);
	make_msg(v + 100, 2, 100, 2);
	make_msg(v + 200, 2, 100, 3);
	bmptap_stream_init(&s, true, 1 << 20);
	feed(&s, 7100, v + 100, 200, r);	/* an UPDATE burst, before any local ACK */
	bmptap_stream_start(&s, 7300, true, &ops, r);	/* the ACK of all of it */
	assert_int_equal(s.next_seq, 7100);
	bmptap_stream_ack(&s, 7300, &ops, r);
	assert_int_equal(r->nmsgs, 2);
	assert_memory_equal(r->bytes, v + 100, 200);
	bmptap_stream_flush(&s, 0, &ops, r);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].gap.reason, BMPTAP_GAP_MIDSTREAM);
	assert_int_equal(r->gaps[0].gap.bytes, 0);
	free_stream(&s, r);
}

static void test_midstream_aligned(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[100];

	(void)state;
	make_msg(v, 2, 100, 1);
	bmptap_stream_init(&s, false, 1 << 20);
	feed(&s, 77, v, 100, r);
	assert_int_equal(r->nmsgs, 1);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].gap.reason, BMPTAP_GAP_MIDSTREAM);
	assert_int_equal(r->gaps[0].gap.bytes, 0);
	free_stream(&s, r);
}

static void test_fin_flush_unacked(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	struct bmptap_payload p;
	u8 v[400];

	(void)state;
	make_msg(v, 2, 100, 1);
	make_msg(v + 100, 2, 100, 2);
	make_msg(v + 200, 2, 100, 3);
	make_msg(v + 300, 2, 100, 4);
	bmptap_stream_init(&s, true, 1 << 20);
	bmptap_stream_syn(&s, 0);
	feed(&s, 1, v, 100, r);
	feed(&s, 101, v + 100, 100, r);
	feed(&s, 301, v + 300, 50, r);		/* [200,300) never seen */
	p = flat(v + 350, 50);
	bmptap_stream_data(&s, 351, &p, true, 0, &ops, r);	/* FIN at 401, unacknowledged */
	assert_false(s.fin);
	p = flat(v, 50);
	bmptap_stream_data(&s, 201, &p, true, 0, &ops, r);	/* another FIN: believed no more */
	assert_false(s.fin);
	bmptap_stream_ack(&s, 101, &ops, r);
	assert_int_equal(r->nmsgs, 1);
	bmptap_stream_fin(&s, 401, &ops, r);	/* the receiver acknowledged it */
	assert_true(s.fin);
	assert_int_equal(s.fin_seq, 401);
	feed(&s, 401, v, 50, r);		/* after FIN: ignored */
	assert_int_equal(s.stats.bogus, 0);
	bmptap_stream_flush(&s, 0, &ops, r);
	/* Never acknowledged: one gap over [100,400), whatever the tap held. */
	assert_int_equal(r->nmsgs, 1);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].gap.reason, BMPTAP_GAP_MISSING);
	assert_int_equal(r->gaps[0].gap.bytes, 300);
	assert_int_equal(r->gaps[0].gap.messages, 0);
	assert_int_equal(s.held, 0);
	free_stream(&s, r);
}

/* An acknowledged FIN drops what is held beyond it. */
static void test_fin_trims_held(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[300];

	(void)state;
	make_msg(v, 2, 100, 1);
	make_msg(v + 100, 2, 200, 2);
	bmptap_stream_init(&s, true, 1 << 20);
	bmptap_stream_syn(&s, 0);
	feed(&s, 1, v, 300, r);
	bmptap_stream_fin(&s, 101, &ops, r);
	assert_int_equal(held_bytes(&s), 100);
	bmptap_stream_ack(&s, 102, &ops, r);
	bmptap_stream_flush(&s, 0, &ops, r);
	assert_stream_eq(r, v, 100, 1);
	assert_int_equal(s.stats.gaps, 0);
	free_stream(&s, r);
}

static void test_flush_truncated(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[200];

	(void)state;
	make_msg(v, 2, 100, 1);
	make_msg(v + 100, 2, 100, 2);
	bmptap_stream_init(&s, false, 1 << 20);
	bmptap_stream_syn(&s, 0);
	feed(&s, 1, v, 160, r);
	bmptap_stream_flush(&s, 0, &ops, r);
	assert_int_equal(r->nmsgs, 1);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].gap.reason, BMPTAP_GAP_MISSING);
	assert_int_equal(r->gaps[0].gap.bytes, 60);
	assert_int_equal(r->gaps[0].gap.messages, 1);
	free_stream(&s, r);
}

static void test_max_held_budget(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u32 room200 = seg_cost(200);	/* two segments, not three */
	u8 v[500];
	u32 i;

	(void)state;
	for (i = 0; i < 5; i++)
		make_msg(v + i * 100, 2, 100, i);
	bmptap_stream_init(&s, true, room200);
	bmptap_stream_syn(&s, 0);
	for (i = 0; i < 5; i++) {
		feed(&s, 1 + i * 100, v + i * 100, 100, r);
		assert_true(s.held <= room200);
	}
	assert_int_equal(s.stats.nomem, 3);
	bmptap_stream_ack(&s, 501, &ops, r);
	bmptap_stream_flush(&s, 0, &ops, r);
	assert_int_equal(r->bad_msgs, 0);
	assert_int_equal(r->nmsgs, 2);
	assert_memory_equal(r->bytes, v, 200);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].gap.reason, BMPTAP_GAP_MISSING);
	assert_int_equal(r->gaps[0].gap.bytes, 300);
	free_stream(&s, r);
}

static void test_charge_budget(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[300];

	(void)state;
	make_msg(v, 2, 100, 1);
	make_msg(v + 100, 2, 100, 2);
	make_msg(v + 200, 2, 100, 3);
	r->budget = (s64)seg_cost(100);	/* one segment */
	bmptap_stream_init(&s, true, 1 << 20);
	bmptap_stream_syn(&s, 0);
	feed(&s, 1, v, 100, r);
	feed(&s, 101, v + 100, 100, r);	/* refused */
	feed(&s, 201, v + 200, 100, r);	/* refused */
	/* The second one tried its neighbour's room, then a run of its own. */
	assert_int_equal(r->charge_refusals, 3);
	assert_int_equal(r->charged, seg_cost(100));
	assert_int_equal(held_bytes(&s), 100);
	bmptap_stream_ack(&s, 101, &ops, r);
	assert_int_equal(r->charged, 0);
	feed(&s, 101, v + 100, 100, r);	/* retransmit fits now */
	feed(&s, 201, v + 200, 100, r);	/* not this */
	bmptap_stream_ack(&s, 301, &ops, r);
	bmptap_stream_flush(&s, 0, &ops, r);
	assert_int_equal(r->nmsgs, 2);
	assert_memory_equal(r->bytes, v, 200);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].gap.bytes, 100);
	free_stream(&s, r);
}

/* Ungated out of budget: the oldest hole is given up, nothing is corrupted. */
static void test_ungated_budget(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[1000];
	u32 i;

	(void)state;
	for (i = 0; i < 10; i++)
		make_msg(v + i * 100, 2, 100, i);
	bmptap_stream_init(&s, false, 300);
	bmptap_stream_syn(&s, 0);
	feed(&s, 1, v, 100, r);
	for (i = 2; i < 10; i++) {		/* [100,200) never comes */
		feed(&s, 1 + i * 100, v + i * 100, 100, r);
		assert_true(s.held <= 300);
	}
	bmptap_stream_flush(&s, 0, &ops, r);
	assert_int_equal(r->bad_msgs, 0);
	assert_int_equal(r->nmsgs, 9);
	assert_memory_equal(r->bytes, v, 100);
	assert_memory_equal(r->bytes + 100, v + 200, 800);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].gap.bytes, 100);
	assert_int_equal(r->gaps[0].gap.messages, 0);
	free_stream(&s, r);
}

static int fail_after = -1;	/* allocations left before failing; < 0: never */

static void *failing_alloc(size_t size)
{
	if (fail_after == 0)
		return NULL;
	if (fail_after > 0)
		fail_after--;
	return malloc(size);
}

static void test_alloc_failure_segments(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[300];

	(void)state;
	make_msg(v, 2, 100, 1);
	make_msg(v + 100, 2, 100, 2);
	make_msg(v + 200, 2, 100, 3);
	bmptap_stream_init(&s, true, 1 << 20);
	bmptap_stream_syn(&s, 0);
	bmptap_alloc_hook = failing_alloc;
	fail_after = 0;
	feed(&s, 101, v + 100, 100, r);	/* cannot be held */
	fail_after = -1;
	feed(&s, 1, v, 100, r);
	feed(&s, 201, v + 200, 100, r);
	assert_int_equal(s.stats.nomem, 1);
	assert_int_equal(r->charged, 2 * seg_cost(100));	/* the failed charge was returned */
	assert_int_equal(held_bytes(&s), 200);
	bmptap_stream_ack(&s, 301, &ops, r);
	bmptap_alloc_hook = NULL;
	assert_int_equal(r->nmsgs, 2);
	assert_memory_equal(r->bytes, v, 100);
	assert_memory_equal(r->bytes + 100, v + 200, 100);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].gap.reason, BMPTAP_GAP_MISSING);
	free_stream(&s, r);
}

static void test_alloc_failure_message(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[300];

	(void)state;
	make_msg(v, 2, 100, 1);
	make_msg(v + 100, 4, 19, 0);
	make_msg(v + 119, 2, 100, 3);
	bmptap_stream_init(&s, false, 1 << 20);
	bmptap_stream_syn(&s, 0);
	bmptap_alloc_hook = failing_alloc;
	fail_after = 0;
	feed(&s, 1, v, 219, r);
	assert_int_equal(r->nmsgs, 1);	/* only the KEEPALIVE: no buffer needed */
	fail_after = -1;
	feed(&s, 220, v, 100, r);
	bmptap_alloc_hook = NULL;
	assert_int_equal(r->nmsgs, 2);
	/* One gap before the KEEPALIVE, one before the last message. */
	assert_int_equal(r->ngaps, 2);
	assert_int_equal(r->gaps[0].gap.reason, BMPTAP_GAP_NOMEM);
	assert_int_equal(r->gaps[0].gap.messages, 1);
	assert_int_equal(r->gaps[0].gap.bytes, 100);
	assert_int_equal(r->gaps[1].gap.reason, BMPTAP_GAP_NOMEM);
	assert_int_equal(r->gaps[1].gap.messages, 1);
	assert_int_equal(r->gaps[1].gap.bytes, 100);
	assert_memory_equal(r->bytes, v + 100, 19);
	assert_memory_equal(r->bytes + 19, v, 100);
	free_stream(&s, r);
}

/* Random allocation failures: never corruption, never leaks. */
static void test_alloc_failure_random(void **state)
{
	u32 round;

	(void)state;
	bmptap_alloc_hook = failing_alloc;
	for (round = 0; round < 50; round++) {
		struct rec *r = rec_new();
		struct bmptap_stream s;
		u32 len, off, n, isn = rnd();
		u8 *v = random_stream(50, 2000, &len);

		bmptap_stream_init(&s, round & 1, 1 << 20);
		bmptap_stream_syn(&s, isn);
		for (off = 0; off < len; off += n) {
			n = rnd_range(1, 3000);
			if (n > len - off)
				n = len - off;
			fail_after = rnd() % 4;
			/* Out of order now and then, so that segments get held. */
			if (rnd() % 2 && off + n < len) {
				u32 m = rnd_range(1, len - off - n);

				feed(&s, isn + 1 + off + n, v + off + n, m, r);
			}
			feed(&s, isn + 1 + off, v + off, n, r);
			if (rnd() % 3 == 0)
				bmptap_stream_ack(&s, isn + 1 + off + rnd() % (n + 1), &ops, r);
		}
		fail_after = -1;
		bmptap_stream_flush(&s, 0, &ops, r);
		assert_int_equal(r->bad_msgs, 0);
		free(v);
		free_stream(&s, r);
	}
	bmptap_alloc_hook = NULL;
}

static void test_bogus(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[100];

	(void)state;
	make_msg(v, 2, 100, 1);
	bmptap_stream_init(&s, true, 1 << 20);
	bmptap_stream_syn(&s, 0);
	feed(&s, 1 + 0x50000000u, v, 100, r);
	bmptap_stream_ack(&s, 0x60000000u, &ops, r);
	assert_int_equal(s.stats.bogus, 2);
	assert_int_equal(s.held, 0);
	feed(&s, 1, v, 100, r);
	bmptap_stream_ack(&s, 101, &ops, r);
	assert_stream_eq(r, v, 100, 1);
	free_stream(&s, r);
}

/*
 * A forged ACK beyond anything the local stack sent (TCP ignores it) must
 * not make the sent stream declare the bytes still to come missing.
 */
static void test_ungated_forged_ack(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[300];

	(void)state;
	make_msg(v, 2, 100, 1);
	make_msg(v + 100, 2, 100, 2);
	make_msg(v + 200, 2, 100, 3);
	bmptap_stream_init(&s, false, 1 << 20);
	bmptap_stream_syn(&s, 999);
	feed(&s, 1000, v, 100, r);
	bmptap_stream_ack(&s, 1000 + 100000, &ops, r);	/* forged, far ahead */
	assert_int_equal(s.stats.gaps, 0);
	feed(&s, 1100, v + 100, 200, r);
	bmptap_stream_ack(&s, 1300, &ops, r);
	assert_stream_eq(r, v, 300, 3);
	assert_int_equal(r->ngaps, 0);
	free_stream(&s, r);
}

/* ---- randomized differential ----------------------------------------- */

struct pkt {
	u32 off, len;
};

static void shuffle_near(struct pkt *p, u32 n, u32 dist)
{
	u32 i, j;
	struct pkt t;

	for (i = 0; i + 1 < n; i++) {
		if (rnd() % 3)
			continue;
		j = i + 1 + rnd() % dist;
		if (j >= n)
			j = n - 1;
		t = p[i];
		p[i] = p[j];
		p[j] = t;
	}
}

static void differential_round(bool gated, u32 nmsgs)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u32 len, nseg = 0, npk = 0, cap, off, i, isn, contig = 0, acked = 0;
	struct pkt *segs, *pk;
	u8 *v, *got;

	v = random_stream(nmsgs, rnd() % 2 ? 4096 : 300, &len);
	cap = len + 16;
	segs = malloc(cap * sizeof(*segs));
	pk = malloc(4 * cap * sizeof(*pk));
	got = calloc(len, 1);
	for (off = 0; off < len; off += segs[nseg++].len) {
		segs[nseg].off = off;
		segs[nseg].len = rnd() % 4 ? rnd_range(1, 1448) : rnd_range(1, 40);
		if (segs[nseg].len > len - off)
			segs[nseg].len = len - off;
	}
	for (i = 0; i < nseg; i++) {
		pk[npk++] = segs[i];
		if (rnd() % 8 == 0)
			pk[npk++] = segs[i];		/* duplicate */
		if (rnd() % 8 == 0) {			/* overlapping retransmit */
			u32 a = rnd() % len, b = a + rnd_range(1, 3000);

			pk[npk].off = a;
			pk[npk++].len = (b > len ? len : b) - a;
		}
	}
	shuffle_near(pk, npk, rnd() % 2 ? 4 : 40);

	isn = rnd() % 4 ? rnd() : 0xffffffffu - rnd() % 5000;
	bmptap_stream_init(&s, gated, 1 << 30);
	bmptap_stream_syn(&s, isn);
	for (i = 0; i < npk; i++) {
		feed(&s, isn + 1 + pk[i].off, v + pk[i].off, pk[i].len, r);
		memset(got + pk[i].off, 1, pk[i].len);
		while (contig < len && got[contig])
			contig++;
		if (rnd() % 3 == 0 && contig > acked) {
			acked = rnd_range(acked + 1, contig);
			bmptap_stream_ack(&s, isn + 1 + acked, &ops, r);
		}
	}
	assert_int_equal(contig, len);
	bmptap_stream_ack(&s, isn + 1 + len, &ops, r);
	assert_int_equal(s.held, 0);
	bmptap_stream_flush(&s, 0, &ops, r);
	assert_int_equal(r->ngaps, 0);
	assert_stream_eq(r, v, len, nmsgs);
	assert_int_equal(s.stats.conflicts, 0);
	assert_int_equal(s.stats.bytes, len);
	free(got);
	free(pk);
	free(segs);
	free(v);
	free_stream(&s, r);
}

static void test_differential(void **state)
{
	u32 round;

	(void)state;
	for (round = 0; round < 300; round++) {
		rng_state = 0x9e3779b9u * (round + 1);
		differential_round(round & 1, rnd_range(1, 200));
	}
}

/* Random feed sizes straight into the framer, with holes of known size. */
static void test_framer_random_holes(void **state)
{
	u32 round;

	(void)state;
	for (round = 0; round < 200; round++) {
		struct rec *r = rec_new();
		struct bmptap_framer f;
		struct bmptap_payload p;
		u32 len, off = 0, n, lost = 0;
		u8 *v;

		rng_state = 0x1234567u * (round + 1);
		v = random_stream(100, 1000, &len);
		bmptap_framer_init(&f);
		while (off < len) {
			n = rnd_range(1, 2000);
			if (n > len - off)
				n = len - off;
			if (rnd() % 10 == 0) {
				bmptap_framer_hole(&f, n, BMPTAP_GAP_MISSING, &ops, r);
				lost += n;
			} else {
				p = flat(v + off, n);
				bmptap_framer_feed(&f, &p, 0, n, 0, &ops, r);
			}
			off += n;
		}
		bmptap_framer_flush(&f, 0, &ops, r);
		assert_int_equal(r->bad_msgs, 0);
		/* Everything is accounted for: delivered + skipped = stream. */
		{
			u64 skipped = 0;
			u32 g;

			for (g = 0; g < r->ngaps; g++)
				skipped += r->gaps[g].gap.bytes;
			if (r->ngaps < MAX_GAPS)
				assert_int_equal(skipped + r->len, len);
		}
		(void)lost;
		bmptap_framer_free(&f, &ops, r);
		free(v);
		rec_free(r);
	}
}

/*
 * In-place framing (flat payloads) must emit exactly what the copying path
 * does: same messages, flags and gaps, for streams with garbage, holes and
 * random feed boundaries.
 */
static void framer_run(const u8 *v, u32 len, bool in_place, u32 seed, struct rec *r)
{
	struct bmptap_framer f;
	struct bmptap_payload p;
	u32 off = 0, n;

	rng_state = seed;
	bmptap_framer_init(&f);
	while (off < len) {
		n = rnd_range(1, 3000);
		if (n > len - off)
			n = len - off;
		if (rnd() % 16 == 0) {
			bmptap_framer_hole(&f, rnd() % 2 ? n : 0, BMPTAP_GAP_MISSING, &ops, r);
		} else {
			p = flat(v + off, n);
			if (in_place)
				p.flat = v + off;
			bmptap_framer_feed(&f, &p, 0, n, 0, &ops, r);
		}
		off += n;
	}
	bmptap_framer_flush(&f, 0, &ops, r);
	bmptap_framer_free(&f, &ops, r);
}

static void test_framer_in_place_equals_copy(void **state)
{
	u32 round, len, i, g;

	(void)state;
	for (round = 0; round < 200; round++) {
		struct rec *copied = rec_new(), *in_place = rec_new();
		u8 *v;

		rng_state = 0x51ed27u * (round + 1);
		v = random_stream(200, round % 2 ? 4096 : 300, &len);
		for (i = rnd() % 8; i; i--)	/* garbage the framer must resync over */
			v[rnd() % len] = (u8)rnd();
		framer_run(v, len, false, 0x9e3779b9u * (round + 1), copied);
		framer_run(v, len, true, 0x9e3779b9u * (round + 1), in_place);
		assert_int_equal(copied->nmsgs, in_place->nmsgs);
		assert_int_equal(copied->len, in_place->len);
		assert_memory_equal(copied->bytes, in_place->bytes, copied->len);
		if (copied->nmsgs) {
			assert_memory_equal(copied->msg_lens, in_place->msg_lens,
					    copied->nmsgs * sizeof(u32));
		}
		assert_int_equal(copied->ngaps, in_place->ngaps);
		for (g = 0; g < copied->ngaps; g++) {
			assert_memory_equal(&copied->gaps[g].gap, &in_place->gaps[g].gap,
					    sizeof(struct bmptap_gap));
			assert_int_equal(copied->gaps[g].data_len, in_place->gaps[g].data_len);
			assert_memory_equal(copied->gaps[g].data, in_place->gaps[g].data,
					    copied->gaps[g].data_len);
		}
		free(v);
		rec_free(copied);
		rec_free(in_place);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_valid),
		cmocka_unit_test(test_single_message),
		cmocka_unit_test(test_many_in_one_segment),
		cmocka_unit_test(test_one_byte_segments),
		cmocka_unit_test(test_max_message),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_retransmit_dedup),
		cmocka_unit_test(test_partial_overlap),
		cmocka_unit_test(test_overlap_conflict),
		cmocka_unit_test(test_overlap_conflict_ungated),
		cmocka_unit_test(test_conflict_gap_spans),
		cmocka_unit_test(test_reordering),
		cmocka_unit_test(test_gated_ack),
		cmocka_unit_test(test_gated_acked_before_data),
		cmocka_unit_test(test_hole_inside_message),
		cmocka_unit_test(test_hole_exact_message_end),
		cmocka_unit_test(test_hole_spanning_boundary),
		cmocka_unit_test(test_garbage_between),
		cmocka_unit_test(test_garbage_bytewise),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_midstream_confirmed),
		cmocka_unit_test(test_midstream_aligned),
		cmocka_unit_test(test_fin_flush_unacked),
		cmocka_unit_test(test_fin_trims_held),
		cmocka_unit_test(test_flush_truncated),
		cmocka_unit_test(test_max_held_budget),
		cmocka_unit_test(test_charge_budget),
		cmocka_unit_test(test_ungated_budget),
		cmocka_unit_test(test_alloc_failure_segments),
		cmocka_unit_test(test_alloc_failure_message),
		cmocka_unit_test(test_alloc_failure_random),
		cmocka_unit_test(test_bogus),
		cmocka_unit_test(test_ungated_forged_ack),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_framer_random_holes),
		cmocka_unit_test(test_framer_in_place_equals_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
