// SPDX-License-Identifier: GPL-2.0
/*
 * TCP reassembly of one direction of a tapped flow.
 *
 * Held bytes sit in runs of contiguous data, kept in a red-black tree by
 * sequence number and never overlapping: finding where a segment goes is
 * O(log n) however an adversary cuts the stream, and head and tail pointers
 * make the common cases (delivering the first run, appending after the
 * last) O(1).  Contiguous bytes are appended to the run they extend.  Every
 * run is charged its whole allocation, and over budget the runs furthest
 * ahead are pruned.  In-order data that may be delivered at once goes from
 * the payload straight to the framer without being copied into a run.
 */
#include "reasm.h"

/* Largest run allocation: keeps kmalloc within an order-1 slab. */
#define BT_SEG_ALLOC_MAX	8192U
#define BT_SEG_MAX_DATA		(BT_SEG_ALLOC_MAX - (u32)sizeof(struct bt_seg))
/*
 * A run shorter than this that has no room left is moved to a larger
 * allocation to take the contiguous bytes that follow, so that tiny segments
 * end up in few runs; longer runs are only filled up to their allocation, so
 * that bytes are not copied twice on the common path (a received stream
 * holding MSS-sized segments until they are acknowledged).
 */
#define BT_SEG_GROW_BELOW	512U
/*
 * max_segs = max_held / BT_SEG_GROW_BELOW + BT_SEGS_SLACK: contiguous bytes
 * sit in runs of at least BT_SEG_GROW_BELOW bytes but for the last one
 * before each hole, so a legitimate stream reaches max_segs only with more
 * than BT_SEGS_SLACK holes pending at once (a SACK option reports at most
 * four).  Without the cap max_held alone would allow one run per 64 bytes
 * (a 1-byte run's allocation), eight times as many.
 */
#define BT_SEGS_SLACK		64U
#define BT_CMP_CHUNK		256U

static u32 bt_min_u32(u32 a, u32 b)
{
	return a < b ? a : b;
}

/* The earlier (in sequence space) of a and b. */
static u32 bt_seq_min(u32 a, u32 b)
{
	return bt_seq_before(a, b) ? a : b;
}

static bool bt_in_window(u32 seq, u32 ref)
{
	s32 d = (s32)(seq - ref);

	return d <= (s32)BT_SEQ_WINDOW && d >= -(s32)BT_SEQ_WINDOW;
}

static struct bt_seg *bt_seg_of(struct rb_node *n)
{
	return n ? rb_entry(n, struct bt_seg, node) : NULL;
}

static u32 bt_seg_end(const struct bt_seg *seg)
{
	return seg->seq + seg->len;
}

static u32 bt_seg_room(const struct bt_seg *seg)
{
	return seg->cap - seg->off - seg->len;
}

void bt_stream_init(struct bt_stream *s, bool gated, u32 max_held)
{
	memset(s, 0, sizeof(*s));
	s->gated = gated;
	s->max_held = max_held;
	s->max_segs = max_held / BT_SEG_GROW_BELOW + BT_SEGS_SLACK;
	s->segs = RB_ROOT;
	bt_framer_init(&s->framer);
}

static void bt_release(struct bt_stream *s, u32 n, const struct bt_ops *ops, void *ctx)
{
	s->held -= n;
	if (ops && ops->charge)
		ops->charge(ctx, -(s32)n);
}

/*
 * All held data lies within BT_SEQ_WINDOW of next_seq, so plain wrap-safe
 * comparisons order the tree however far the stream has wrapped.
 */
static void bt_seg_insert(struct bt_stream *s, struct bt_seg *seg)
{
	struct rb_node **link = &s->segs.rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		if (bt_seq_before(seg->seq, bt_seg_of(parent)->seq))
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&seg->node, parent, link);
	rb_insert_color(&seg->node, &s->segs);
	if (!s->head || bt_seq_before(seg->seq, s->head->seq))
		s->head = seg;
	if (!s->tail || bt_seq_after(seg->seq, s->tail->seq))
		s->tail = seg;
	s->nsegs++;
}

static void bt_seg_drop(struct bt_stream *s, struct bt_seg *seg, const struct bt_ops *ops,
			void *ctx)
{
	if (seg == s->head)
		s->head = bt_seg_of(rb_next(&seg->node));
	if (seg == s->tail)
		s->tail = bt_seg_of(rb_prev(&seg->node));
	rb_erase(&seg->node, &s->segs);
	s->nsegs--;
	bt_release(s, seg->truesize, ops, ctx);
	bt_free(seg);
}

void bt_stream_free(struct bt_stream *s, const struct bt_ops *ops, void *ctx)
{
	while (s->head)
		bt_seg_drop(s, s->head, ops, ctx);
	bt_framer_free(&s->framer, ops, ctx);
}

void bt_stream_syn(struct bt_stream *s, u32 isn)
{
	if (s->synced)
		return;
	s->synced = true;
	s->confirmed = true;
	s->next_seq = isn + 1;
	s->seen_end = s->next_seq;
}

static int bt_flat_copy(const void *src, u32 off, void *dst, u32 len)
{
	memcpy(dst, (const u8 *)src + off, len);
	return 0;
}

static void bt_feed(struct bt_stream *s, const struct bt_payload *p, u32 off, u32 len,
		    u64 ts_ns, const struct bt_ops *ops, void *ctx)
{
	bt_framer_feed(&s->framer, p, off, len, ts_ns, ops, ctx);
	s->stats.bytes += len;
	s->next_seq += len;
}

static void bt_hole(struct bt_stream *s, u32 bytes, const struct bt_ops *ops, void *ctx)
{
	bt_framer_hole(&s->framer, bytes, BMPTAP_GAP_MISSING, ops, ctx);
	s->stats.gaps++;
	s->stats.gap_bytes += bytes;
	s->next_seq += bytes;
}

/* Bytes up to end were seen and not (all) held: they are owed a gap. */
static void bt_lose(struct bt_stream *s, u32 end)
{
	if (!s->lost || bt_seq_after(end, s->lost_end)) {
		s->lost = true;
		s->lost_end = end;
	}
}

/* Forget held bytes before seq (skipped by a hole). */
static void bt_skip_held(struct bt_stream *s, u32 seq, const struct bt_ops *ops, void *ctx)
{
	struct bt_seg *seg;
	u32 n;

	while ((seg = s->head) && bt_seq_before(seg->seq, seq)) {
		if (!bt_seq_after(bt_seg_end(seg), seq)) {
			bt_seg_drop(s, seg, ops, ctx);
			continue;
		}
		n = seq - seg->seq;
		seg->seq += n;
		seg->off += n;
		seg->len -= n;
	}
}

/*
 * A gated stream at next_seq inside the conflict range, with data up to lim
 * to deliver: that part of the range becomes a gap.  Returns whether it did.
 */
static bool bt_conflict_hole(struct bt_stream *s, u32 lim, const struct bt_ops *ops, void *ctx)
{
	u32 end;

	if (!s->conflict)
		return false;
	if (!bt_seq_before(s->next_seq, s->cf_end)) {
		s->conflict = false;
		return false;
	}
	if (bt_seq_before(s->next_seq, s->cf_start))
		return false;
	end = bt_seq_min(lim, s->cf_end);
	if (!bt_seq_after(end, s->next_seq))
		return false;
	bt_hole(s, end - s->next_seq, ops, ctx);
	bt_skip_held(s, s->next_seq, ops, ctx);
	return true;
}

/*
 * Deliver held data at next_seq up to data_lim (all of it when !data_limited)
 * and report holes up to hole_lim (none when !holes), in order.  Only a
 * gated stream is data_limited; a conflict range in what it delivers becomes
 * a hole.
 */
static void bt_drain(struct bt_stream *s, bool data_limited, u32 data_lim, bool holes,
		     u32 hole_lim, const struct bt_ops *ops, void *ctx)
{
	struct bt_payload p = { .copy = bt_flat_copy };
	struct bt_seg *seg;
	u32 n;

	for (;;) {
		seg = s->head;
		if (seg && seg->seq == s->next_seq) {
			n = seg->len;
			if (data_limited) {
				if (!bt_seq_after(data_lim, s->next_seq))
					return;
				if (bt_conflict_hole(s, bt_seq_min(data_lim, bt_seg_end(seg)),
						     ops, ctx))
					continue;
				n = bt_min_u32(n, data_lim - s->next_seq);
				if (s->conflict && bt_seq_after(s->cf_start, s->next_seq))
					n = bt_min_u32(n, s->cf_start - s->next_seq);
			}
			p.src = seg->data + seg->off;
			p.flat = p.src;
			p.len = n;
			bt_feed(s, &p, 0, n, seg->ts_ns, ops, ctx);
			if (n == seg->len) {
				bt_seg_drop(s, seg, ops, ctx);
			} else {
				seg->seq += n;
				seg->off += n;
				seg->len -= n;
			}
			continue;
		}
		if (!holes || !bt_seq_after(hole_lim, s->next_seq))
			return;
		n = hole_lim - s->next_seq;
		if (seg)
			n = bt_min_u32(n, seg->seq - s->next_seq);
		bt_hole(s, n, ops, ctx);
	}
}

/*
 * Compare [seq, seq + len) of p (at off) with what seg holds there.  Returns
 * whether they differ; if so, [*from, *to) are the first and last differing
 * bytes (found only when want_range, else the whole piece).
 */
static bool bt_differ(const struct bt_seg *seg, const struct bt_payload *p, u32 off, u32 seq,
		      u32 len, bool want_range, u32 *from, u32 *to)
{
	const u8 *held = seg->data + seg->off + (seq - seg->seq);
	u8 chunk[BT_CMP_CHUNK];
	bool differ = false;
	u32 n, i;

	*from = seq;
	*to = seq + len;
	while (len) {
		n = bt_min_u32(len, BT_CMP_CHUNK);
		if (p->copy(p->src, off, chunk, n))
			return differ;
		for (i = 0; memcmp(chunk, held, n) && i < n; i++) {
			if (chunk[i] == held[i])
				continue;
			if (!differ)
				*from = seq + i;
			differ = true;
			if (!want_range)
				return true;
			*to = seq + i + 1;
		}
		held += n;
		off += n;
		seq += n;
		len -= n;
	}
	return differ;
}

/* The first run ending after seq: the one holding seq or the next one. */
static struct bt_seg *bt_seg_find(const struct bt_stream *s, u32 seq)
{
	struct rb_node *n = s->segs.rb_node;
	struct bt_seg *found = NULL, *seg;

	/* Appending after everything held is the common case. */
	if (!s->tail || !bt_seq_after(bt_seg_end(s->tail), seq))
		return NULL;
	while (n) {
		seg = bt_seg_of(n);
		if (bt_seq_after(bt_seg_end(seg), seq)) {
			found = seg;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return found;
}

static void bt_prune(struct bt_stream *s, struct bt_seg *seg, const struct bt_ops *ops,
		     void *ctx)
{
	s->stats.pruned++;
	s->stats.pruned_bytes += seg->len;
	bt_lose(s, bt_seg_end(seg));
	bt_seg_drop(s, seg, ops, ctx);
}

/*
 * Charge cost more bytes of memory (and one more run when new_seg) for data
 * at seq.  While that would go over max_held, max_segs or the environment's
 * budget, the run furthest ahead is dropped, as long as it starts after seq:
 * like tcp_prune_ofo_queue(), keep what is nearest to being delivered.
 */
static bool bt_charge(struct bt_stream *s, u32 seq, u32 cost, bool new_seg,
		      const struct bt_ops *ops, void *ctx)
{
	for (;;) {
		if (s->held + (u64)cost <= s->max_held &&
		    (!new_seg || s->nsegs < s->max_segs) &&
		    (!ops || !ops->charge || ops->charge(ctx, (s32)cost))) {
			s->held += cost;
			return true;
		}
		if (!s->tail || !bt_seq_after(s->tail->seq, seq))
			return false;
		bt_prune(s, s->tail, ops, ctx);
	}
}

/* An empty run at seq with room for up to n bytes. */
static struct bt_seg *bt_seg_new(struct bt_stream *s, u32 seq, u32 n, const struct bt_ops *ops,
				 void *ctx)
{
	u32 size = (u32)bt_alloc_size(sizeof(struct bt_seg) + bt_min_u32(n, BT_SEG_MAX_DATA));
	struct bt_seg *seg;

	if (!bt_charge(s, seq, size, true, ops, ctx))
		return NULL;
	seg = bt_alloc(size);
	if (!seg) {
		bt_release(s, size, ops, ctx);
		return NULL;
	}
	seg->seq = seq;
	seg->len = 0;
	seg->off = 0;
	seg->cap = size - (u32)sizeof(*seg);
	seg->truesize = size;
	bt_seg_insert(s, seg);
	return seg;
}

/*
 * Make room in seg, which is full and short, for up to n more bytes: move
 * its bytes to the front if it was partly delivered, else move it to a
 * larger allocation.
 */
static struct bt_seg *bt_seg_grow(struct bt_stream *s, struct bt_seg *seg, u32 n,
				  const struct bt_ops *ops, void *ctx)
{
	u32 want = bt_min_u32(seg->len + n, BT_SEG_MAX_DATA);
	u32 size = (u32)bt_alloc_size(sizeof(*seg) + want);
	struct bt_seg *big;

	if (seg->off) {
		memmove(seg->data, seg->data + seg->off, seg->len);
		seg->off = 0;
		return seg;
	}
	if (size <= seg->truesize ||
	    !bt_charge(s, bt_seg_end(seg), size - seg->truesize, false, ops, ctx))
		return NULL;
	big = bt_alloc(size);
	if (!big) {
		bt_release(s, size - seg->truesize, ops, ctx);
		return NULL;
	}
	*big = *seg;
	memcpy(big->data, seg->data + seg->off, seg->len);
	big->off = 0;
	big->cap = size - (u32)sizeof(*big);
	big->truesize = size;
	rb_replace_node(&seg->node, &big->node, &s->segs);
	if (s->head == seg)
		s->head = big;
	if (s->tail == seg)
		s->tail = big;
	bt_free(seg);
	return big;
}

/* Forget the bytes held in [from, to), all of them held by one bt_hold_piece(). */
static void bt_unhold(struct bt_stream *s, u32 from, u32 to, const struct bt_ops *ops,
		      void *ctx)
{
	struct bt_seg *seg;

	while ((seg = bt_seg_find(s, from)) && bt_seq_before(seg->seq, to)) {
		if (bt_seq_before(seg->seq, from))
			seg->len = from - seg->seq;
		else
			bt_seg_drop(s, seg, ops, ctx);
	}
}

/*
 * Hold [seq, seq + n) of p (at off), which nothing held overlaps: appended
 * to prev when prev ends at seq, else (or once prev is full) in new runs.
 * All or nothing, so that a segment refused is wholly missing and shows up
 * as one gap.  Returns false when it could not be held.
 */
/*
 * seg now ends where the next run starts: short next runs join it.  Without
 * this a burst of tiny segments ahead of the data leaves one run per segment
 * once the data fills the holes between them, below the next byte to
 * deliver where pruning cannot reach, and the stream's run cap then refuses
 * the real bytes TCP takes.
 */
static void bt_join_next(struct bt_stream *s, struct bt_seg *seg, const struct bt_ops *ops,
			 void *ctx)
{
	struct rb_node *n;
	struct bt_seg *next, *big;

	while (seg && (n = rb_next(&seg->node))) {
		next = bt_seg_of(n);
		if (next->seq != bt_seg_end(seg) || next->len >= BT_SEG_GROW_BELOW)
			return;
		if (bt_seg_room(seg) < next->len) {
			big = seg->len < BT_SEG_GROW_BELOW ?
			      bt_seg_grow(s, seg, next->len, ops, ctx) : NULL;
			if (!big || bt_seg_room(big) < next->len)
				return;
			seg = big;
		}
		memcpy(seg->data + seg->off + seg->len, next->data + next->off, next->len);
		seg->len += next->len;
		bt_seg_drop(s, next, ops, ctx);
	}
}

static bool bt_hold_piece(struct bt_stream *s, struct bt_seg *prev, const struct bt_payload *p,
			  u32 off, u32 seq, u32 n, u64 ts_ns, const struct bt_ops *ops,
			  void *ctx)
{
	struct bt_seg *seg = prev && bt_seg_end(prev) == seq ? prev : NULL;
	struct bt_seg *more;
	u32 k, from = seq;

	while (n) {
		if (!seg || !bt_seg_room(seg)) {
			more = NULL;
			if (seg && seg->len < BT_SEG_GROW_BELOW)
				more = bt_seg_grow(s, seg, n, ops, ctx);
			seg = more ? more : bt_seg_new(s, seq, n, ops, ctx);
			if (!seg)
				goto undo;
		}
		k = bt_min_u32(n, bt_seg_room(seg));
		if (p->copy(p->src, off, seg->data + seg->off + seg->len, k)) {
			if (!seg->len)
				bt_seg_drop(s, seg, ops, ctx);
			goto undo;
		}
		seg->len += k;
		seg->ts_ns = ts_ns;
		off += k;
		seq += k;
		n -= k;
	}
	bt_join_next(s, seg, ops, ctx);
	return true;

undo:
	bt_unhold(s, from, seq, ops, ctx);
	return false;
}

/*
 * [from, to) had two differing copies.  One range per stream: a second one
 * widens it to cover both (what lies between becomes a gap too), which only
 * an attack or a broken sender causes.
 */
static void bt_conflict_add(struct bt_stream *s, u32 from, u32 to)
{
	if (!s->conflict) {
		s->conflict = true;
		s->cf_start = from;
		s->cf_end = to;
		return;
	}
	s->cf_start = bt_seq_min(s->cf_start, from);
	if (bt_seq_after(to, s->cf_end))
		s->cf_end = to;
}

/*
 * Hold [seq, seq + len) of p (at off).  Held bytes are kept over new ones;
 * only the pieces not yet held are stored.  In a gated stream, a piece whose
 * copies differ is marked to become a gap when delivered.  An overlap counts
 * as a retransmit unless the caller already counted one.  Returns false if
 * some bytes could not be held.
 */
static bool bt_hold(struct bt_stream *s, const struct bt_payload *p, u32 off, u32 seq,
		    u32 len, bool counted, u64 ts_ns, const struct bt_ops *ops, void *ctx)
{
	struct bt_seg *cur, *prev;
	u32 end = seq + len;
	u32 piece_end, n, from, to;
	bool conflict = false, overlap = false, ok = true;

	while (bt_seq_before(seq, end)) {
		cur = bt_seg_find(s, seq);
		if (cur && !bt_seq_after(cur->seq, seq)) {
			/* cur holds seq: compare the overlap, keep cur's bytes. */
			piece_end = bt_seq_min(end, bt_seg_end(cur));
			n = piece_end - seq;
			overlap = true;
			if ((s->gated || !conflict) &&
			    bt_differ(cur, p, off, seq, n, s->gated, &from, &to)) {
				conflict = true;
				if (s->gated)
					bt_conflict_add(s, from, to);
			}
			off += n;
			seq = piece_end;
			continue;
		}
		piece_end = cur ? bt_seq_min(end, cur->seq) : end;
		n = piece_end - seq;
		prev = cur ? bt_seg_of(rb_prev(&cur->node)) : s->tail;
		if (!bt_hold_piece(s, prev, p, off, seq, n, ts_ns, ops, ctx)) {
			ok = false;
			bt_lose(s, piece_end);
		}
		off += n;
		seq = piece_end;
	}
	if (conflict)
		s->stats.conflicts++;
	if (overlap && !counted)
		s->stats.retransmits++;
	return ok;
}

/* Whether len bytes would fit in a new run without pruning. */
static bool bt_fits(const struct bt_stream *s, u32 len)
{
	return s->held + (u64)len + sizeof(struct bt_seg) <= s->max_held &&
	       s->nsegs < s->max_segs;
}

/*
 * Ungated and out of budget: give up on the hole at next_seq (up to the first
 * held segment, or up to seq when that comes first) and deliver what follows
 * it.  Returns whether anything moved.
 */
static bool bt_force_progress(struct bt_stream *s, u32 seq, const struct bt_ops *ops,
			      void *ctx)
{
	u32 from = s->next_seq;

	if (!s->head)
		return false;
	bt_drain(s, false, 0, true, bt_seq_min(s->head->seq, seq), ops, ctx);
	return s->next_seq != from;
}

void bt_stream_data(struct bt_stream *s, u32 seq, const struct bt_payload *p, bool fin,
		    u64 ts_ns, const struct bt_ops *ops, void *ctx)
{
	u32 len = p->len, off = 0, end, lim;
	bool retried = false, trimmed = false;

	s->stats.segments++;
	if (!s->synced) {
		if (!len)
			return;
		if (s->gated) {
			/* Tentative: the receiver's first ACK decides. */
			s->synced = true;
			s->next_seq = seq;
			s->seen_end = seq;
			s->start_seq = seq;
		} else {
			bt_stream_start(s, seq, true, ops, ctx);
		}
	}
	if (!bt_in_window(seq, s->next_seq)) {
		s->stats.bogus++;
		return;
	}
	end = seq + len;
	if (bt_seq_after(end, s->seen_end))
		s->seen_end = end;
	if (fin && !s->gated && !s->fin) {
		s->fin = true;
		s->fin_seq = end;
	}
	if (s->fin && bt_seq_after(end, s->fin_seq)) {
		if (!bt_seq_after(s->fin_seq, seq))
			return;
		end = s->fin_seq;
	}
	if (!len)
		return;
	if (!bt_seq_after(end, s->next_seq)) {
		s->stats.retransmits++;
		return;
	}
	if (bt_seq_before(seq, s->next_seq)) {
		off = s->next_seq - seq;
		seq = s->next_seq;
		s->stats.retransmits++;
		trimmed = true;
	}

again:
	/* In order and deliverable now: straight from the payload. */
	if (seq == s->next_seq) {
		lim = end;
		if (s->head)
			lim = bt_seq_min(lim, s->head->seq);
		if (s->gated)
			lim = s->acked ? bt_seq_min(lim, s->ack) : seq;
		if (bt_seq_after(lim, seq)) {
			bt_feed(s, p, off, lim - seq, ts_ns, ops, ctx);
			off += lim - seq;
			seq = lim;
		}
	} else if (!retried) {
		s->stats.out_of_order++;
	}
	if (bt_seq_before(seq, end)) {
		if (!s->gated && !bt_fits(s, end - seq) && bt_force_progress(s, seq, ops, ctx)) {
			/* The hole at next_seq is given up; retry with what is left. */
			if (!bt_seq_after(end, s->next_seq))
				return;
			if (bt_seq_before(seq, s->next_seq)) {
				off += s->next_seq - seq;
				seq = s->next_seq;
			}
			retried = true;
			goto again;
		}
		if (!bt_hold(s, p, off, seq, end - seq, trimmed, ts_ns, ops, ctx))
			s->stats.nomem++;
	}
	if (s->gated)
		bt_drain(s, true, s->acked ? s->ack : s->next_seq, false, 0, ops, ctx);
	else
		bt_drain(s, false, 0, false, 0, ops, ctx);
}

void bt_stream_ack(struct bt_stream *s, u32 ack, const struct bt_ops *ops, void *ctx)
{
	u32 hole_lim;

	if (!s->synced || (s->gated && !s->confirmed))
		return;
	if (!bt_in_window(ack, s->next_seq)) {
		s->stats.bogus++;
		return;
	}
	if (s->acked && !bt_seq_after(ack, s->ack))
		return;
	s->ack = ack;
	s->acked = true;
	/* An ACK covering the FIN acknowledges one sequence number past the data. */
	hole_lim = s->fin ? bt_seq_min(ack, s->fin_seq) : ack;
	if (!s->gated)
		hole_lim = bt_seq_min(hole_lim, s->seen_end);
	if (s->gated)
		bt_drain(s, true, ack, true, hole_lim, ops, ctx);
	else
		bt_drain(s, false, 0, true, hole_lim, ops, ctx);
	/* Forget lost_end before sequence numbers wrap back around to it. */
	if (s->lost && !bt_seq_before(s->next_seq, s->lost_end))
		s->lost = false;
}

void bt_stream_start(struct bt_stream *s, u32 seq, bool midstream, const struct bt_ops *ops,
		     void *ctx)
{
	if (s->synced && (s->confirmed || !s->gated))
		return;
	s->confirmed = true;
	if (s->synced && !bt_seq_before(seq, s->start_seq) && !bt_seq_after(seq, s->seen_end)) {
		/* Nothing was delivered yet: the framer learns of the pickup now. */
		if (midstream)
			bt_framer_hole(&s->framer, 0, BMPTAP_GAP_MIDSTREAM, ops, ctx);
		return;
	}
	/* Not what the receiver got: forget it (never delivered, never acked). */
	while (s->head)
		bt_seg_drop(s, s->head, ops, ctx);
	s->lost = false;
	s->conflict = false;
	s->synced = true;
	s->next_seq = seq;
	s->seen_end = seq;
	if (midstream)
		bt_framer_hole(&s->framer, 0, BMPTAP_GAP_MIDSTREAM, ops, ctx);
}

void bt_stream_fin(struct bt_stream *s, u32 fin_seq, const struct bt_ops *ops, void *ctx)
{
	struct bt_seg *seg;

	if (!s->synced || s->fin)
		return;
	s->fin = true;
	s->fin_seq = fin_seq;
	while ((seg = s->tail) && bt_seq_after(bt_seg_end(seg), fin_seq)) {
		if (bt_seq_before(seg->seq, fin_seq))
			seg->len = fin_seq - seg->seq;
		else
			bt_seg_drop(s, seg, ops, ctx);
	}
}

void bt_stream_flush(struct bt_stream *s, u64 ts_ns, const struct bt_ops *ops, void *ctx)
{
	u32 hole_lim;

	if (s->synced) {
		if (s->gated && s->acked)
			bt_drain(s, true, s->ack, false, 0, ops, ctx);
		hole_lim = s->next_seq;
		if (s->tail)
			hole_lim = bt_seg_end(s->tail);
		if (s->fin && bt_seq_after(s->fin_seq, hole_lim))
			hole_lim = s->fin_seq;
		if (s->lost && bt_seq_after(s->lost_end, hole_lim))
			hole_lim = s->lost_end;
		/* Never acknowledged: TCP may have refused any of it. */
		if (s->gated)
			bt_skip_held(s, hole_lim, ops, ctx);
		bt_drain(s, false, 0, true, hole_lim, ops, ctx);
	}
	bt_framer_flush(&s->framer, ts_ns, ops, ctx);
}
