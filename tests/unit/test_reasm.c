// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the reassembly's held data (kmod/core/reasm.c): the
 * userspace red-black tree behind it, coalescing, the bounds and pruning
 * under adversarial input, and a differential check that legitimate streams
 * come out exactly as they did from the sorted list the tree replaced
 * (reasm_reference.c).
 */
#include <time.h>

#include "core_testutil.h"
#include "reasm_reference.c"

/* ---- invariants ------------------------------------------------------ */

static struct rb_node *node_parent(const struct rb_node *n)
{
	return (struct rb_node *)(n->rb_parent_red & ~1UL);
}

static bool node_red(const struct rb_node *n)
{
	return n && (n->rb_parent_red & 1);
}

/* Red-black properties below n; returns the black height. */
static int check_rb(const struct rb_node *n)
{
	int l, r;

	if (!n)
		return 1;
	if (n->rb_left)
		assert_ptr_equal(node_parent(n->rb_left), n);
	if (n->rb_right)
		assert_ptr_equal(node_parent(n->rb_right), n);
	if (node_red(n)) {
		assert_false(node_red(n->rb_left));
		assert_false(node_red(n->rb_right));
	}
	l = check_rb(n->rb_left);
	r = check_rb(n->rb_right);
	assert_int_equal(l, r);
	return l + !node_red(n);
}

static struct bmptap_seg *seg_at(const struct rb_node *n)
{
	return n ? rb_entry(n, struct bmptap_seg, node) : NULL;
}

/* Runs sorted, disjoint, within their allocation, and accounted for. */
static void check_stream(const struct bmptap_stream *s)
{
	const struct rb_node *n;
	const struct bmptap_seg *seg, *prev = NULL;
	u32 count = 0, held = 0;

	assert_false(node_red(s->segs.rb_node));
	if (s->segs.rb_node)
		assert_null(node_parent(s->segs.rb_node));
	check_rb(s->segs.rb_node);
	for (n = rb_first(&s->segs); n; n = rb_next(n)) {
		seg = seg_at(n);
		assert_true(seg->len > 0);
		assert_true(seg->off + seg->len <= seg->cap);
		assert_int_equal(seg->cap + sizeof(*seg), seg->truesize);
		assert_int_equal(bmptap_alloc_size(seg->truesize), seg->truesize);
		if (prev)
			assert_false(bmptap_seq_before(seg->seq, prev->seq + prev->len));
		else
			assert_false(bmptap_seq_before(seg->seq, s->next_seq));
		held += seg->truesize;
		count++;
		prev = seg;
	}
	assert_ptr_equal(s->head, seg_at(rb_first(&s->segs)));
	assert_ptr_equal(s->tail, seg_at(rb_last(&s->segs)));
	assert_int_equal(count, s->nsegs);
	assert_int_equal(held, s->held);
	assert_true(s->held <= s->max_held);
	assert_true(s->nsegs <= s->max_segs);
}

/* ---- the tree itself ------------------------------------------------- */

struct tnode {
	struct rb_node node;
	u32 key;
	bool in;
};

static void tree_insert(struct rb_root *root, struct tnode *t)
{
	struct rb_node **link = &root->rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = t->key < rb_entry(parent, struct tnode, node)->key ?
			&parent->rb_left : &parent->rb_right;
	}
	rb_link_node(&t->node, parent, link);
	rb_insert_color(&t->node, root);
	t->in = true;
}

/* In order both ways, the same nodes, and balanced. */
static void tree_check(const struct rb_root *root, u32 expect)
{
	const struct rb_node *n;
	u32 count = 0, last = 0;

	assert_false(node_red(root->rb_node));
	check_rb(root->rb_node);
	for (n = rb_first(root); n; n = rb_next(n), count++) {
		assert_true(rb_entry(n, struct tnode, node)->key >= last);
		last = rb_entry(n, struct tnode, node)->key;
	}
	assert_int_equal(count, expect);
	for (n = rb_last(root); n; n = rb_prev(n))
		count--;
	assert_int_equal(count, 0);
}

static void test_rbtree(void **state)
{
	enum { N = 3000 };
	struct tnode *t = calloc(N, sizeof(*t)), spare;
	struct rb_root root = RB_ROOT;
	u32 i, k, live = 0;

	(void)state;
	assert_non_null(t);
	for (i = 0; i < N; i++)
		t[i].key = rnd() % (N / 2);	/* duplicates too */
	for (k = 0; k < 20 * N; k++) {
		i = rnd() % N;
		if (t[i].in) {
			rb_erase(&t[i].node, &root);
			t[i].in = false;
			live--;
		} else {
			tree_insert(&root, &t[i]);
			live++;
		}
		if (k % 997 == 0)
			tree_check(&root, live);
	}
	tree_check(&root, live);
	/* rb_replace_node: same position, same colour. */
	for (i = 0; !t[i].in; i++)
		;
	spare.key = t[i].key;
	rb_replace_node(&t[i].node, &spare.node, &root);
	tree_check(&root, live);
	rb_erase(&spare.node, &root);
	tree_check(&root, live - 1);
	free(t);
}

/* ---- bounds under adversarial input ----------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * 10,000 one-byte segments, each alone between two holes, in an order
 * chosen by mode: ascending (each the furthest: refused at the bounds),
 * descending (each the nearest: the furthest runs are pruned for it) or
 * random.  Memory and runs stay bounded, the time per segment does not grow
 * with what is held, and every byte is delivered or reported missing.
 */
static void tiny_segments(int mode)
{
	enum { N = 10000 };
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u32 *order = malloc(N * sizeof(*order)), i, j, t, isn = 0xfffff000u;
	u8 byte = 0xff;
	double t0;

	assert_non_null(order);
	for (i = 0; i < N; i++)
		order[i] = mode == 1 ? N - 1 - i : i;
	for (i = 0; mode == 2 && i < N; i++) {
		j = i + rnd() % (N - i);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	bmptap_stream_init(&s, true, 1 << 20);
	bmptap_stream_syn(&s, isn);
	t0 = now_s();
	for (i = 0; i < N; i++) {
		feed(&s, isn + 2 + 2 * order[i], &byte, 1, r);
		if (i % 500 == 0)
			check_stream(&s);
	}
	/* A sorted list took ~N/2 steps per segment here; the tree ~log N. */
	assert_true(now_s() - t0 < 1.0);
	check_stream(&s);
	assert_true(s.nsegs == s.max_segs);
	assert_int_equal(s.stats.out_of_order, N);
	assert_int_equal(s.nsegs + s.stats.pruned + s.stats.nomem, N);
	if (mode == 0)
		assert_int_equal(s.stats.pruned, 0);
	else
		assert_true(s.stats.pruned >= N - s.max_segs - s.stats.nomem);
	assert_int_equal(s.stats.pruned_bytes, s.stats.pruned);
	/* 1-byte runs: the run cap binds long before the memory does. */
	assert_true(s.held <= s.max_segs * seg_cost(1));
	bmptap_stream_flush(&s, 0, &ops, r);
	assert_int_equal(s.stats.bytes + s.stats.gap_bytes, 2 * N);
	assert_int_equal(s.held, 0);
	free(order);
	free_stream(&s, r);
}

static void test_tiny_segments(void **state)
{
	int mode;

	(void)state;
	for (mode = 0; mode < 3; mode++)
		tiny_segments(mode);
}

/*
 * Data nearer than what is held, over budget (the stream's or the
 * environment's): the run furthest ahead makes room, counted, and its bytes
 * are reported missing once acknowledged.  The first message, cut in two,
 * gives the framer its buffer, charged to the environment too.
 */
static void test_prune_reported(void **state)
{
	u8 v[3000];
	u32 i, env;

	(void)state;
	for (i = 0; i < 30; i++)
		make_msg(v + i * 100, 2, 100, i);
	for (env = 0; env < 2; env++) {
		struct rec *r = rec_new();
		struct bmptap_stream s;

		bmptap_stream_init(&s, true, env ? 1 << 20 : 2 * seg_cost(100));
		bmptap_stream_syn(&s, 0);
		feed(&s, 1, v, 50, r);			/* cut: the framer buffers it */
		bmptap_stream_ack(&s, 51, &ops, r);
		feed(&s, 51, v + 50, 50, r);
		bmptap_stream_ack(&s, 101, &ops, r);
		assert_int_equal(r->nmsgs, 1);
		assert_int_equal(r->charged, bmptap_alloc_size(4096));
		assert_int_equal(r->charged, s.framer.charged);
		if (env)
			r->budget = r->charged + 2 * seg_cost(100);
		feed(&s, 1001, v + 1000, 100, r);
		feed(&s, 2001, v + 2000, 100, r);
		feed(&s, 501, v + 500, 100, r);		/* [2000, 2100) goes */
		check_stream(&s);
		assert_int_equal(s.stats.pruned, 1);
		assert_int_equal(s.stats.pruned_bytes, 100);
		assert_int_equal(s.stats.nomem, 0);
		assert_int_equal(held_bytes(&s), 200);
		feed(&s, 2101, v + 2100, 100, r);	/* furthest: refused, not pruned */
		assert_int_equal(s.stats.pruned, 1);
		assert_int_equal(s.stats.nomem, 1);
		bmptap_stream_ack(&s, 3001, &ops, r);
		bmptap_stream_flush(&s, 0, &ops, r);
		assert_int_equal(r->nmsgs, 3);
		assert_memory_equal(r->bytes + 100, v + 500, 100);
		assert_memory_equal(r->bytes + 200, v + 1000, 100);
		assert_int_equal(s.stats.gap_bytes, 2700);
		for (i = 0; i < r->ngaps; i++)
			assert_int_equal(r->gaps[i].gap.reason, BMPTAP_GAP_MISSING);
		free_stream(&s, r);
	}
}

/* Feeds v in two pieces cut at cut, through the copying path. */
static void framer_feed2(struct bmptap_framer *f, const u8 *v, u32 len, u32 cut, struct rec *r)
{
	struct bmptap_payload p = flat(v, cut);

	bmptap_framer_feed(f, &p, 0, cut, 0, &ops, r);
	p = flat(v + cut, len - cut);
	bmptap_framer_feed(f, &p, 0, len - cut, 0, &ops, r);
}

/*
 * The framer's buffer for a message cut across segments and its copy of
 * skipped bytes (a header that is not one) are charged by their allocation size, a large buffer only
 * while its message is in flight, and everything is returned on free
 * (rec_free checks the balance).
 */
static void test_framer_charged(void **state)
{
	static u8 v[5000], junk[30];
	struct rec *r = rec_new();
	struct bmptap_framer f;
	struct bmptap_payload p;
	s64 small = (s64)bmptap_alloc_size(4096);

	(void)state;
	bmptap_framer_init(&f);
	make_msg(v, 2, 300, 1);
	p = flat(v, 100);
	bmptap_framer_feed(&f, &p, 0, 100, 0, &ops, r);
	assert_int_equal(r->charged, small);
	assert_int_equal(f.charged, small);
	p = flat(v + 100, 200);
	bmptap_framer_feed(&f, &p, 0, 200, 0, &ops, r);
	assert_int_equal(r->nmsgs, 1);
	assert_int_equal(r->charged, small);
	make_msg(v, 2, 5000, 2);
	p = flat(v, 1000);
	bmptap_framer_feed(&f, &p, 0, 1000, 0, &ops, r);
	assert_int_equal(r->charged, (s64)bmptap_alloc_size(8192));
	p = flat(v + 1000, 4000);
	bmptap_framer_feed(&f, &p, 0, 4000, 0, &ops, r);
	assert_int_equal(r->nmsgs, 2);
	assert_int_equal(r->charged, 0);	/* the large buffer went with its message */
	memset(junk, 0x42, sizeof(junk));
	p = flat(junk, sizeof(junk));
	bmptap_framer_feed(&f, &p, 0, sizeof(junk), 0, &ops, r);
	assert_int_equal(r->charged, small);	/* the copy of skipped bytes */
	make_msg(v, 4, 19, 0);
	p = flat(v, 19);
	bmptap_framer_feed(&f, &p, 0, 19, 0, &ops, r);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].data_len, sizeof(junk));
	assert_int_equal(r->charged, 0);	/* released with the gap */
	make_msg(v, 2, 300, 3);
	p = flat(v, 100);
	bmptap_framer_feed(&f, &p, 0, 100, 0, &ops, r);
	assert_int_equal(r->charged, small);
	bmptap_framer_free(&f, &ops, r);		/* flow end: the half message's buffer */
	assert_int_equal(f.charged, 0);
	rec_free(r);
}

/*
 * Over budget the framer holds nothing: a cut message becomes a NOMEM gap
 * (counted, the stream resumes at the next message) and skipped bytes are
 * reported by count without their copy.
 */
static void test_framer_refused(void **state)
{
	static u8 v[400], junk[30];
	struct rec *r = rec_new();
	struct bmptap_framer f;
	struct bmptap_payload p;

	(void)state;
	r->budget = 0;
	bmptap_framer_init(&f);
	make_msg(v, 2, 300, 1);
	make_msg(v + 300, 4, 19, 0);
	framer_feed2(&f, v, 319, 100, r);
	assert_int_equal(r->nmsgs, 1);		/* the KEEPALIVE needs no buffer */
	assert_int_equal(r->msg_lens[0], 19);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].gap.reason, BMPTAP_GAP_NOMEM);
	assert_int_equal(r->gaps[0].gap.messages, 1);
	assert_int_equal(r->gaps[0].gap.bytes, 300);
	memset(junk, 0x42, sizeof(junk));
	p = flat(junk, sizeof(junk));
	bmptap_framer_feed(&f, &p, 0, sizeof(junk), 0, &ops, r);
	p = flat(v + 300, 19);
	bmptap_framer_feed(&f, &p, 0, 19, 0, &ops, r);
	assert_int_equal(r->nmsgs, 2);
	assert_int_equal(r->ngaps, 2);
	assert_int_equal(r->gaps[1].gap.reason, BMPTAP_GAP_RESYNC);
	assert_int_equal(r->gaps[1].gap.bytes, sizeof(junk));
	assert_int_equal(r->gaps[1].data_len, 0);
	assert_true(r->charge_refusals >= 2);
	assert_int_equal(r->charged, 0);
	bmptap_framer_free(&f, &ops, r);
	rec_free(r);
}

/* Pruned bytes beyond everything held are still reported at the end. */
/*
 * tap-attack: 1-byte copies of the real bytes sent ahead of the data, every
 * other byte of the window.  When the data fills the holes the runs join,
 * so the stream's run cap never refuses the real bytes (it did: nomem, and
 * TCP's bytes became gaps).
 */
static void test_tiny_runs_join(void **state)
{
	enum { N = 40, LEN = 100 };	/* 2000 tiny runs: under the cap */
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[N * LEN];
	u32 i;

	(void)state;
	for (i = 0; i < N; i++)
		make_msg(v + i * LEN, 2, LEN, i);
	bmptap_stream_init(&s, true, 1 << 20);
	bmptap_stream_syn(&s, 0);
	for (i = 0; i < N * LEN; i += 2)
		feed(&s, 1 + i, v + i, 1, r);
	assert_int_equal(s.nsegs, N * LEN / 2);
	assert_int_equal(s.stats.nomem, 0);
	for (i = 0; i < N * LEN; i += LEN)
		feed(&s, 1 + i, v + i, LEN, r);
	check_stream(&s);
	assert_int_equal(s.stats.nomem, 0);
	assert_true(s.nsegs <= N * LEN / 512 + 1);	/* runs of 512 bytes or more */
	bmptap_stream_ack(&s, 1 + N * LEN, &ops, r);
	assert_int_equal(r->nmsgs, N);
	assert_int_equal(s.stats.gap_bytes, 0);
	assert_memory_equal(r->bytes, v, N * LEN);
	free_stream(&s, r);
}

static void test_prune_reported_at_flush(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[300];

	(void)state;
	make_msg(v, 2, 100, 1);
	make_msg(v + 100, 2, 100, 2);
	make_msg(v + 200, 2, 100, 3);
	bmptap_stream_init(&s, true, seg_cost(100));
	bmptap_stream_syn(&s, 0);
	feed(&s, 201, v + 200, 100, r);
	feed(&s, 101, v + 100, 100, r);		/* [200, 300) goes */
	assert_int_equal(s.stats.pruned, 1);
	feed(&s, 1, v, 100, r);
	bmptap_stream_ack(&s, 101, &ops, r);
	bmptap_stream_flush(&s, 0, &ops, r);
	assert_int_equal(s.stats.bytes, 100);
	assert_int_equal(s.stats.gap_bytes, 200);
	assert_int_equal(r->ngaps, 1);
	assert_int_equal(r->gaps[0].gap.bytes, 200);
	free_stream(&s, r);
}

/* ---- coalescing, wrap-around, overlaps -------------------------------- */

/* Contiguous 1-byte segments share runs instead of taking 64 bytes each. */
static void test_coalesce(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u32 len, i;
	u8 *v = random_stream(20, 300, &len);

	(void)state;
	bmptap_stream_init(&s, true, 1 << 20);
	bmptap_stream_syn(&s, 0);
	for (i = 1; i < len; i++)	/* byte 0 last: everything is held */
		feed(&s, 1 + i, v + i, 1, r);
	check_stream(&s);
	assert_true(s.nsegs <= (len - 1) / 512 + 1);
	assert_true(s.held <= 2 * len + seg_cost(1));
	assert_int_equal(held_bytes(&s), len - 1);
	feed(&s, 1, v, 1, r);
	bmptap_stream_ack(&s, 1 + len, &ops, r);
	assert_stream_eq(r, v, len, 20);
	assert_int_equal(r->ngaps, 0);
	free(v);
	free_stream(&s, r);
}

/* Runs held across the 2^32 wrap stay in order. */
static void test_wrap_runs(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u32 len, off, n, isn = 0xffffffffu - 3000;
	u8 *v = random_stream(60, 200, &len);

	(void)state;
	bmptap_stream_init(&s, true, 1 << 20);
	bmptap_stream_syn(&s, isn);
	/* Every other 100-byte block first, backwards, then the rest. */
	for (off = (len / 200) * 200; off + 1 > 0; off -= 200) {
		n = off + 100 > len ? len - off : 100;
		if (off < len)
			feed(&s, isn + 1 + off, v + off, n, r);
		check_stream(&s);
		if (!off)
			break;
	}
	assert_true(bmptap_seq_before(s.head->seq, s.tail->seq));
	for (off = 100; off < len; off += 200)
		feed(&s, isn + 1 + off, v + off, off + 100 > len ? len - off : 100, r);
	check_stream(&s);
	bmptap_stream_ack(&s, isn + 1 + len, &ops, r);
	assert_stream_eq(r, v, len, 60);
	assert_int_equal(s.held, 0);
	free(v);
	free_stream(&s, r);
}

/*
 * A segment overlapping held runs at both ends keeps the held bytes (ungated:
 * a gated stream turns the differing range into a gap, test_core.c).
 */
static void test_overlap_both_ends(void **state)
{
	struct rec *r = rec_new();
	struct bmptap_stream s;
	u8 v[600], w[600];

	(void)state;
	make_msg(v, 2, 300, 1);
	make_msg(v + 300, 2, 300, 2);
	memcpy(w, v, sizeof(w));
	w[150] ^= 1;				/* differs inside the first run */
	w[420] ^= 1;				/* and inside the second */
	bmptap_stream_init(&s, false, 1 << 20);
	bmptap_stream_syn(&s, 0);
	feed(&s, 101, v + 100, 100, r);		/* [100, 200) */
	feed(&s, 401, v + 400, 100, r);		/* [400, 500) */
	feed(&s, 151, w + 150, 10, r);		/* inside: nothing new */
	assert_int_equal(held_bytes(&s), 200);
	assert_int_equal(s.stats.conflicts, 1);
	feed(&s, 51, w + 50, 400, r);		/* [50, 450): trimmed at both ends */
	check_stream(&s);
	assert_int_equal(held_bytes(&s), 450);
	assert_int_equal(s.stats.conflicts, 2);
	feed(&s, 1, v, 600, r);
	bmptap_stream_ack(&s, 601, &ops, r);
	assert_stream_eq(r, v, 600, 2);
	assert_int_equal(s.stats.conflicts, 2);	/* held bytes were v's */
	free_stream(&s, r);
}

/* ---- differential against the list the tree replaced ------------------ */

static void assert_same_output(const struct rec *a, const struct rec *b)
{
	u32 i;

	assert_int_equal(a->nmsgs, b->nmsgs);
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->bytes, b->bytes, a->len);
	for (i = 0; i < a->nmsgs; i++)
		assert_int_equal(a->msg_lens[i], b->msg_lens[i]);
	assert_int_equal(a->ngaps, b->ngaps);
	for (i = 0; i < a->ngaps; i++) {
		assert_memory_equal(&a->gaps[i].gap, &b->gaps[i].gap, sizeof(a->gaps[i].gap));
		assert_int_equal(a->gaps[i].data_len, b->gaps[i].data_len);
		assert_memory_equal(a->gaps[i].data, b->gaps[i].data, a->gaps[i].data_len);
	}
}

static void assert_same_stats(const struct bmptap_stream_stats *a, const struct ref_stream_stats *b)
{
	assert_int_equal(a->segments, b->segments);
	assert_int_equal(a->bytes, b->bytes);
	assert_int_equal(a->retransmits, b->retransmits);
	assert_int_equal(a->out_of_order, b->out_of_order);
	assert_int_equal(a->conflicts, b->conflicts);
	assert_int_equal(a->gaps, b->gaps);
	assert_int_equal(a->gap_bytes, b->gap_bytes);
	assert_int_equal(a->bogus, b->bogus);
	assert_int_equal(a->nomem, 0);
	assert_int_equal(b->nomem, 0);
	assert_int_equal(a->pruned, 0);
}

/*
 * One legitimate flow seen by the tap: random segmentation, duplicates,
 * overlapping retransmits, reordering within a window, now and then a
 * segment the receiver got but the tap missed, ACKs of what the receiver
 * holds, a FIN; started with or without its SYN.  Fed to both.
 */
static void differential_flow(bool gated)
{
	struct rec *rn = rec_new(), *ro = rec_new();
	struct bmptap_stream sn;
	struct ref_stream so;
	u32 len, i, n, a, b, isn, npk = 0, contig = 0, acked = 0, window;
	u8 *v = random_stream(rnd_range(1, 150), rnd() % 2 ? 4096 : 300, &len);
	u8 *got = calloc(len + 1, 1);
	struct { u32 off, len; bool missed; } *pk = malloc(3 * (len + 1) * sizeof(*pk)), t;
	struct bmptap_payload p;
	/*
	 * The reference syncs a gated stream from its first data and delivers
	 * what is unacknowledged at the end: the core does neither (a gated
	 * stream syncs from its receiver's ACK, and flushes only what was
	 * acknowledged), so gated flows start with their SYN and end acknowledged.
	 */
	bool syn = gated || rnd() % 4, fin = rnd() % 2, fin_seen = false;

	assert_non_null(pk);
	assert_non_null(got);
	for (a = 0; a < len; a += n) {
		n = rnd() % 4 ? rnd_range(1, 1448) : rnd_range(1, 40);
		n = n > len - a ? len - a : n;
		pk[npk].off = a;
		pk[npk].len = n;
		pk[npk++].missed = syn && rnd() % 50 == 0;
		if (rnd() % 10 == 0) {				/* duplicate */
			pk[npk] = pk[npk - 1];
			npk++;
		}
		if (rnd() % 10 == 0) {				/* overlapping retransmit */
			b = rnd() % len;
			pk[npk].off = b;
			pk[npk].len = rnd_range(1, 3000);
			pk[npk].len = pk[npk].len > len - b ? len - b : pk[npk].len;
			pk[npk++].missed = false;
		}
	}
	window = rnd() % 2 ? 3 : 30;
	for (i = 0; i + 1 < npk; i++) {
		if (rnd() % 3)
			continue;
		n = i + 1 + rnd() % window;
		n = n >= npk ? npk - 1 : n;
		t = pk[i];
		pk[i] = pk[n];
		pk[n] = t;
	}
	isn = rnd() % 3 ? rnd() : 0xffffffffu - rnd() % 20000;
	bmptap_stream_init(&sn, gated, 1 << 20);
	ref_stream_init(&so, gated, 1 << 20);
	if (syn) {
		bmptap_stream_syn(&sn, isn);
		ref_stream_syn(&so, isn);
	}
	for (i = 0; i < npk; i++) {
		bool last = fin && pk[i].off + pk[i].len == len;

		memset(got + pk[i].off, 1, pk[i].len);
		while (contig < len && got[contig])
			contig++;
		if (!pk[i].missed) {
			fin_seen |= last;
			p = flat(v + pk[i].off, pk[i].len);
			p.flat = rnd() % 2 ? v + pk[i].off : NULL;
			bmptap_stream_data(&sn, isn + 1 + pk[i].off, &p, last, i, &ops, rn);
			ref_stream_data(&so, isn + 1 + pk[i].off, &p, last, i, &ops, ro);
		}
		if (rnd() % 3 == 0 && contig > acked) {
			acked = rnd_range(acked + 1, contig);
			bmptap_stream_ack(&sn, isn + 1 + acked, &ops, rn);
			ref_stream_ack(&so, isn + 1 + acked, &ops, ro);
		}
		check_stream(&sn);
		assert_same_output(rn, ro);
	}
	if (gated && fin_seen)	/* a gated stream believes the FIN once acknowledged */
		bmptap_stream_fin(&sn, isn + 1 + len, &ops, rn);
	if (gated || rnd() % 4) {
		bmptap_stream_ack(&sn, isn + 1 + len + fin, &ops, rn);
		ref_stream_ack(&so, isn + 1 + len + fin, &ops, ro);
	}
	bmptap_stream_flush(&sn, 0, &ops, rn);
	ref_stream_flush(&so, 0, &ops, ro);
	assert_same_output(rn, ro);
	assert_same_stats(&sn.stats, &so.stats);
	free(pk);
	free(got);
	free(v);
	bmptap_stream_free(&sn, &ops, rn);
	ref_stream_free(&so, &ops, ro);
	rec_free(rn);
	rec_free(ro);
}

static void test_differential_reference(void **state)
{
	u32 round;

	(void)state;
	for (round = 0; round < 600; round++) {
		rng_state = 0x85ebca6bu * (round + 1);
		differential_flow(round & 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rbtree),
		cmocka_unit_test(test_tiny_segments),
		cmocka_unit_test(test_prune_reported),
		cmocka_unit_test(test_tiny_runs_join),
		cmocka_unit_test(test_prune_reported_at_flush),
		cmocka_unit_test(test_framer_charged),
		cmocka_unit_test(test_framer_refused),
		cmocka_unit_test(test_coalesce),
		cmocka_unit_test(test_wrap_runs),
		cmocka_unit_test(test_overlap_both_ends),
		cmocka_unit_test(test_differential_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
