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
#define BMPTAP_SEG_ALLOC_MAX	8192U
#define BMPTAP_SEG_MAX_DATA	(BMPTAP_SEG_ALLOC_MAX - (u32)sizeof(struct bmptap_seg))
/*
 * A run shorter than this that has no room left is moved to a larger
 * allocation to take the contiguous bytes that follow, so that tiny segments
 * end up in few runs; longer runs are only filled up to their allocation, so
 * that bytes are not copied twice on the common path (a received stream
 * holding MSS-sized segments until they are acknowledged).
 */
#define BMPTAP_SEG_GROW_BELOW	512U
/*
 * max_segs = max_held / BMPTAP_SEG_GROW_BELOW + BMPTAP_SEGS_SLACK: contiguous bytes
 * sit in runs of at least BMPTAP_SEG_GROW_BELOW bytes but for the last one
 * before each hole, so a legitimate stream reaches max_segs only with more
 * than BMPTAP_SEGS_SLACK holes pending at once (a SACK option reports at most
 * four).  Without the cap max_held alone would allow one run per 64 bytes
 * (a 1-byte run's allocation), eight times as many.
 */
#define BMPTAP_SEGS_SLACK	64U
#define BMPTAP_CMP_CHUNK	256U

static u32 bmptap_min_u32(u32 a, u32 b)
{
	return a < b ? a : b;
}

/* The earlier (in sequence space) of a and b. */
static u32 bmptap_seq_min(u32 a, u32 b)
{
	return bmptap_seq_before(a, b) ? a : b;
}

static bool bmptap_in_window(u32 seq, u32 ref)
{
	s32 d = (s32)(seq - ref);

	return d <= (s32)BMPTAP_SEQ_WINDOW && d >= -(s32)BMPTAP_SEQ_WINDOW;
}

static struct bmptap_seg *bmptap_seg_of(struct rb_node *n)
{
	return n ? rb_entry(n, struct bmptap_seg, node) : NULL;
}

static u32 bmptap_seg_end(const struct bmptap_seg *seg)
{
	return seg->seq + seg->len;
}

static u32 bmptap_seg_room(const struct bmptap_seg *seg)
{
	return seg->cap - seg->off - seg->len;
}

void bmptap_stream_init(struct bmptap_stream *s, bool gated, u32 max_held)
{
	memset(s, 0, sizeof(*s));
	s->gated = gated;
	s->max_held = max_held;
	s->max_segs = max_held / BMPTAP_SEG_GROW_BELOW + BMPTAP_SEGS_SLACK;
	s->segs = RB_ROOT;
	bmptap_framer_init(&s->framer);
}

static void bmptap_release(struct bmptap_stream *s, u32 n, const struct bmptap_ops *ops, void *ctx)
{
	s->held -= n;
	if (ops && ops->charge)
		ops->charge(ctx, -(s32)n);
}

/*
 * All held data lies within BMPTAP_SEQ_WINDOW of next_seq, so plain wrap-safe
 * comparisons order the tree however far the stream has wrapped.
 */
static void bmptap_seg_insert(struct bmptap_stream *s, struct bmptap_seg *seg)
{
	struct rb_node **link = &s->segs.rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		if (bmptap_seq_before(seg->seq, bmptap_seg_of(parent)->seq))
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&seg->node, parent, link);
	rb_insert_color(&seg->node, &s->segs);
	if (!s->head || bmptap_seq_before(seg->seq, s->head->seq))
		s->head = seg;
	if (!s->tail || bmptap_seq_after(seg->seq, s->tail->seq))
		s->tail = seg;
	s->nsegs++;
}

static void bmptap_seg_drop(struct bmptap_stream *s, struct bmptap_seg *seg,
			    const struct bmptap_ops *ops,
			    void *ctx)
{
	if (seg == s->head)
		s->head = bmptap_seg_of(rb_next(&seg->node));
	if (seg == s->tail)
		s->tail = bmptap_seg_of(rb_prev(&seg->node));
	rb_erase(&seg->node, &s->segs);
	s->nsegs--;
	bmptap_release(s, seg->truesize, ops, ctx);
	bmptap_free(seg);
}

void bmptap_stream_free(struct bmptap_stream *s, const struct bmptap_ops *ops, void *ctx)
{
	while (s->head)
		bmptap_seg_drop(s, s->head, ops, ctx);
	bmptap_framer_free(&s->framer, ops, ctx);
}

void bmptap_stream_syn(struct bmptap_stream *s, u32 isn)
{
	if (s->synced)
		return;
	s->synced = true;
	s->confirmed = true;
	s->next_seq = isn + 1;
	s->seen_end = s->next_seq;
}

static int bmptap_flat_copy(const void *src, u32 off, void *dst, u32 len)
{
	memcpy(dst, (const u8 *)src + off, len);
	return 0;
}

static void bmptap_feed(struct bmptap_stream *s, const struct bmptap_payload *p, u32 off, u32 len,
			u64 ts_ns, const struct bmptap_ops *ops, void *ctx)
{
	bmptap_framer_feed(&s->framer, p, off, len, ts_ns, ops, ctx);
	s->stats.bytes += len;
	s->next_seq += len;
}

static void bmptap_hole(struct bmptap_stream *s, u32 bytes, const struct bmptap_ops *ops, void *ctx)
{
	bmptap_framer_hole(&s->framer, bytes, BMPTAP_GAP_MISSING, ops, ctx);
	s->stats.gaps++;
	s->stats.gap_bytes += bytes;
	s->next_seq += bytes;
}

/* Bytes up to end were seen and not (all) held: they are owed a gap. */
static void bmptap_lose(struct bmptap_stream *s, u32 end)
{
	if (!s->lost || bmptap_seq_after(end, s->lost_end)) {
		s->lost = true;
		s->lost_end = end;
	}
}

/* Forget held bytes before seq (skipped by a hole). */
static void bmptap_skip_held(struct bmptap_stream *s, u32 seq, const struct bmptap_ops *ops,
			     void *ctx)
{
	struct bmptap_seg *seg;
	u32 n;

	while ((seg = s->head) && bmptap_seq_before(seg->seq, seq)) {
		if (!bmptap_seq_after(bmptap_seg_end(seg), seq)) {
			bmptap_seg_drop(s, seg, ops, ctx);
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
static bool bmptap_conflict_hole(struct bmptap_stream *s, u32 lim, const struct bmptap_ops *ops,
				 void *ctx)
{
	u32 end;

	if (!s->conflict)
		return false;
	if (!bmptap_seq_before(s->next_seq, s->cf_end)) {
		s->conflict = false;
		return false;
	}
	if (bmptap_seq_before(s->next_seq, s->cf_start))
		return false;
	end = bmptap_seq_min(lim, s->cf_end);
	if (!bmptap_seq_after(end, s->next_seq))
		return false;
	bmptap_hole(s, end - s->next_seq, ops, ctx);
	bmptap_skip_held(s, s->next_seq, ops, ctx);
	return true;
}

/*
 * Deliver held data at next_seq up to data_lim (all of it when !data_limited)
 * and report holes up to hole_lim (none when !holes), in order.  Only a
 * gated stream is data_limited; a conflict range in what it delivers becomes
 * a hole.
 */
static void bmptap_drain(struct bmptap_stream *s, bool data_limited, u32 data_lim, bool holes,
			 u32 hole_lim, const struct bmptap_ops *ops, void *ctx)
{
	struct bmptap_payload p = { .copy = bmptap_flat_copy };
	struct bmptap_seg *seg;
	u32 n;

	for (;;) {
		seg = s->head;
		if (seg && seg->seq == s->next_seq) {
			n = seg->len;
			if (data_limited) {
				if (!bmptap_seq_after(data_lim, s->next_seq))
					return;
				if (bmptap_conflict_hole(s, bmptap_seq_min(data_lim,
									   bmptap_seg_end(seg)),
							 ops, ctx))
					continue;
				n = bmptap_min_u32(n, data_lim - s->next_seq);
				if (s->conflict && bmptap_seq_after(s->cf_start, s->next_seq))
					n = bmptap_min_u32(n, s->cf_start - s->next_seq);
			}
			p.src = seg->data + seg->off;
			p.flat = p.src;
			p.len = n;
			bmptap_feed(s, &p, 0, n, seg->ts_ns, ops, ctx);
			if (n == seg->len) {
				bmptap_seg_drop(s, seg, ops, ctx);
			} else {
				seg->seq += n;
				seg->off += n;
				seg->len -= n;
			}
			continue;
		}
		if (!holes || !bmptap_seq_after(hole_lim, s->next_seq))
			return;
		n = hole_lim - s->next_seq;
		if (seg)
			n = bmptap_min_u32(n, seg->seq - s->next_seq);
		bmptap_hole(s, n, ops, ctx);
	}
}

/*
 * Compare [seq, seq + len) of p (at off) with what seg holds there.  Returns
 * whether they differ; if so, [*from, *to) are the first and last differing
 * bytes (found only when want_range, else the whole piece).
 */
static bool bmptap_differ(const struct bmptap_seg *seg, const struct bmptap_payload *p, u32 off,
			  u32 seq,
			  u32 len, bool want_range, u32 *from, u32 *to)
{
	const u8 *held = seg->data + seg->off + (seq - seg->seq);
	u8 chunk[BMPTAP_CMP_CHUNK];
	bool differ = false;
	u32 n, i;

	*from = seq;
	*to = seq + len;
	while (len) {
		n = bmptap_min_u32(len, BMPTAP_CMP_CHUNK);
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
static struct bmptap_seg *bmptap_seg_find(const struct bmptap_stream *s, u32 seq)
{
	struct rb_node *n = s->segs.rb_node;
	struct bmptap_seg *found = NULL, *seg;

	/* Appending after everything held is the common case. */
	if (!s->tail || !bmptap_seq_after(bmptap_seg_end(s->tail), seq))
		return NULL;
	while (n) {
		seg = bmptap_seg_of(n);
		if (bmptap_seq_after(bmptap_seg_end(seg), seq)) {
			found = seg;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return found;
}

static void bmptap_prune(struct bmptap_stream *s, struct bmptap_seg *seg,
			 const struct bmptap_ops *ops,
			 void *ctx)
{
	s->stats.pruned++;
	s->stats.pruned_bytes += seg->len;
	bmptap_lose(s, bmptap_seg_end(seg));
	bmptap_seg_drop(s, seg, ops, ctx);
}

/*
 * Charge cost more bytes of memory (and one more run when new_seg) for data
 * at seq.  While that would go over max_held, max_segs or the environment's
 * budget, the run furthest ahead is dropped, as long as it starts after seq:
 * like tcp_prune_ofo_queue(), keep what is nearest to being delivered.
 */
static bool bmptap_charge(struct bmptap_stream *s, u32 seq, u32 cost, bool new_seg,
			  const struct bmptap_ops *ops, void *ctx)
{
	for (;;) {
		if (s->held + (u64)cost <= s->max_held &&
		    (!new_seg || s->nsegs < s->max_segs) &&
		    (!ops || !ops->charge || ops->charge(ctx, (s32)cost))) {
			s->held += cost;
			return true;
		}
		if (!s->tail || !bmptap_seq_after(s->tail->seq, seq))
			return false;
		bmptap_prune(s, s->tail, ops, ctx);
	}
}

/* An empty run at seq with room for up to n bytes. */
static struct bmptap_seg *bmptap_seg_new(struct bmptap_stream *s, u32 seq, u32 n,
					 const struct bmptap_ops *ops,
					 void *ctx)
{
	u32 size = (u32)bmptap_alloc_size(sizeof(struct bmptap_seg) +
					   bmptap_min_u32(n, BMPTAP_SEG_MAX_DATA));
	struct bmptap_seg *seg;

	if (!bmptap_charge(s, seq, size, true, ops, ctx))
		return NULL;
	seg = bmptap_alloc(size);
	if (!seg) {
		bmptap_release(s, size, ops, ctx);
		return NULL;
	}
	seg->seq = seq;
	seg->len = 0;
	seg->off = 0;
	seg->cap = size - (u32)sizeof(*seg);
	seg->truesize = size;
	bmptap_seg_insert(s, seg);
	return seg;
}

/*
 * Make room in seg, which is full and short, for up to n more bytes: move
 * its bytes to the front if it was partly delivered, else move it to a
 * larger allocation.
 */
static struct bmptap_seg *bmptap_seg_grow(struct bmptap_stream *s, struct bmptap_seg *seg, u32 n,
					  const struct bmptap_ops *ops, void *ctx)
{
	u32 want = bmptap_min_u32(seg->len + n, BMPTAP_SEG_MAX_DATA);
	u32 size = (u32)bmptap_alloc_size(sizeof(*seg) + want);
	struct bmptap_seg *big;

	if (seg->off) {
		memmove(seg->data, seg->data + seg->off, seg->len);
		seg->off = 0;
		return seg;
	}
	if (size <= seg->truesize ||
	    !bmptap_charge(s, bmptap_seg_end(seg), size - seg->truesize, false, ops, ctx))
		return NULL;
	big = bmptap_alloc(size);
	if (!big) {
		bmptap_release(s, size - seg->truesize, ops, ctx);
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
	bmptap_free(seg);
	return big;
}

/* Forget the bytes held in [from, to), all of them held by one bmptap_hold_piece(). */
static void bmptap_unhold(struct bmptap_stream *s, u32 from, u32 to, const struct bmptap_ops *ops,
			  void *ctx)
{
	struct bmptap_seg *seg;

	while ((seg = bmptap_seg_find(s, from)) && bmptap_seq_before(seg->seq, to)) {
		if (bmptap_seq_before(seg->seq, from))
			seg->len = from - seg->seq;
		else
			bmptap_seg_drop(s, seg, ops, ctx);
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
static void bmptap_join_next(struct bmptap_stream *s, struct bmptap_seg *seg,
			     const struct bmptap_ops *ops,
			     void *ctx)
{
	struct rb_node *n;
	struct bmptap_seg *next, *big;

	while (seg && (n = rb_next(&seg->node))) {
		next = bmptap_seg_of(n);
		if (next->seq != bmptap_seg_end(seg) || next->len >= BMPTAP_SEG_GROW_BELOW)
			return;
		if (bmptap_seg_room(seg) < next->len) {
			big = seg->len < BMPTAP_SEG_GROW_BELOW ?
			      bmptap_seg_grow(s, seg, next->len, ops, ctx) : NULL;
			if (!big || bmptap_seg_room(big) < next->len)
				return;
			seg = big;
		}
		memcpy(seg->data + seg->off + seg->len, next->data + next->off, next->len);
		seg->len += next->len;
		bmptap_seg_drop(s, next, ops, ctx);
	}
}

static bool bmptap_hold_piece(struct bmptap_stream *s, struct bmptap_seg *prev,
			      const struct bmptap_payload *p,
			      u32 off, u32 seq, u32 n, u64 ts_ns, const struct bmptap_ops *ops,
			      void *ctx)
{
	struct bmptap_seg *seg = prev && bmptap_seg_end(prev) == seq ? prev : NULL;
	struct bmptap_seg *more;
	u32 k, from = seq;

	while (n) {
		if (!seg || !bmptap_seg_room(seg)) {
			more = NULL;
			if (seg && seg->len < BMPTAP_SEG_GROW_BELOW)
				more = bmptap_seg_grow(s, seg, n, ops, ctx);
			seg = more ? more : bmptap_seg_new(s, seq, n, ops, ctx);
			if (!seg)
				goto undo;
		}
		k = bmptap_min_u32(n, bmptap_seg_room(seg));
		if (p->copy(p->src, off, seg->data + seg->off + seg->len, k)) {
			if (!seg->len)
				bmptap_seg_drop(s, seg, ops, ctx);
			goto undo;
		}
		seg->len += k;
		seg->ts_ns = ts_ns;
		off += k;
		seq += k;
		n -= k;
	}
	bmptap_join_next(s, seg, ops, ctx);
	return true;

undo:
	bmptap_unhold(s, from, seq, ops, ctx);
	return false;
}

/*
 * [from, to) had two differing copies.  One range per stream: a second one
 * widens it to cover both (what lies between becomes a gap too), which only
 * an attack or a broken sender causes.
 */
static void bmptap_conflict_add(struct bmptap_stream *s, u32 from, u32 to)
{
	if (!s->conflict) {
		s->conflict = true;
		s->cf_start = from;
		s->cf_end = to;
		return;
	}
	s->cf_start = bmptap_seq_min(s->cf_start, from);
	if (bmptap_seq_after(to, s->cf_end))
		s->cf_end = to;
}

/*
 * Hold [seq, seq + len) of p (at off).  Held bytes are kept over new ones;
 * only the pieces not yet held are stored.  In a gated stream, a piece whose
 * copies differ is marked to become a gap when delivered.  An overlap counts
 * as a retransmit unless the caller already counted one.  Returns false if
 * some bytes could not be held.
 */
static bool bmptap_hold(struct bmptap_stream *s, const struct bmptap_payload *p, u32 off, u32 seq,
			u32 len, bool counted, u64 ts_ns, const struct bmptap_ops *ops, void *ctx)
{
	struct bmptap_seg *cur, *prev;
	u32 end = seq + len;
	u32 piece_end, n, from, to;
	bool conflict = false, overlap = false, ok = true;

	while (bmptap_seq_before(seq, end)) {
		cur = bmptap_seg_find(s, seq);
		if (cur && !bmptap_seq_after(cur->seq, seq)) {
			/* cur holds seq: compare the overlap, keep cur's bytes. */
			piece_end = bmptap_seq_min(end, bmptap_seg_end(cur));
			n = piece_end - seq;
			overlap = true;
			if ((s->gated || !conflict) &&
			    bmptap_differ(cur, p, off, seq, n, s->gated, &from, &to)) {
				conflict = true;
				if (s->gated)
					bmptap_conflict_add(s, from, to);
			}
			off += n;
			seq = piece_end;
			continue;
		}
		piece_end = cur ? bmptap_seq_min(end, cur->seq) : end;
		n = piece_end - seq;
		prev = cur ? bmptap_seg_of(rb_prev(&cur->node)) : s->tail;
		if (!bmptap_hold_piece(s, prev, p, off, seq, n, ts_ns, ops, ctx)) {
			ok = false;
			bmptap_lose(s, piece_end);
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
static bool bmptap_fits(const struct bmptap_stream *s, u32 len)
{
	return s->held + (u64)len + sizeof(struct bmptap_seg) <= s->max_held &&
	       s->nsegs < s->max_segs;
}

/*
 * Ungated and out of budget: give up on the hole at next_seq (up to the first
 * held segment, or up to seq when that comes first) and deliver what follows
 * it.  Returns whether anything moved.
 */
static bool bmptap_force_progress(struct bmptap_stream *s, u32 seq, const struct bmptap_ops *ops,
				  void *ctx)
{
	u32 from = s->next_seq;

	if (!s->head)
		return false;
	bmptap_drain(s, false, 0, true, bmptap_seq_min(s->head->seq, seq), ops, ctx);
	return s->next_seq != from;
}

void bmptap_stream_data(struct bmptap_stream *s, u32 seq, const struct bmptap_payload *p, bool fin,
			u64 ts_ns, const struct bmptap_ops *ops, void *ctx)
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
			bmptap_stream_start(s, seq, true, ops, ctx);
		}
	}
	if (!bmptap_in_window(seq, s->next_seq)) {
		s->stats.bogus++;
		return;
	}
	end = seq + len;
	if (bmptap_seq_after(end, s->seen_end))
		s->seen_end = end;
	if (fin && !s->gated && !s->fin) {
		s->fin = true;
		s->fin_seq = end;
	}
	if (s->fin && bmptap_seq_after(end, s->fin_seq)) {
		if (!bmptap_seq_after(s->fin_seq, seq))
			return;
		end = s->fin_seq;
	}
	if (!len)
		return;
	if (!bmptap_seq_after(end, s->next_seq)) {
		s->stats.retransmits++;
		return;
	}
	if (bmptap_seq_before(seq, s->next_seq)) {
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
			lim = bmptap_seq_min(lim, s->head->seq);
		if (s->gated)
			lim = s->acked ? bmptap_seq_min(lim, s->ack) : seq;
		if (bmptap_seq_after(lim, seq)) {
			bmptap_feed(s, p, off, lim - seq, ts_ns, ops, ctx);
			off += lim - seq;
			seq = lim;
		}
	} else if (!retried) {
		s->stats.out_of_order++;
	}
	if (bmptap_seq_before(seq, end)) {
		if (!s->gated && !bmptap_fits(s, end - seq) && bmptap_force_progress(s, seq, ops,
										     ctx)) {
			/* The hole at next_seq is given up; retry with what is left. */
			if (!bmptap_seq_after(end, s->next_seq))
				return;
			if (bmptap_seq_before(seq, s->next_seq)) {
				off += s->next_seq - seq;
				seq = s->next_seq;
			}
			retried = true;
			goto again;
		}
		if (!bmptap_hold(s, p, off, seq, end - seq, trimmed, ts_ns, ops, ctx))
			s->stats.nomem++;
	}
	if (s->gated)
		bmptap_drain(s, true, s->acked ? s->ack : s->next_seq, false, 0, ops, ctx);
	else
		bmptap_drain(s, false, 0, false, 0, ops, ctx);
}

void bmptap_stream_ack(struct bmptap_stream *s, u32 ack, const struct bmptap_ops *ops, void *ctx)
{
	u32 hole_lim;

	if (!s->synced || (s->gated && !s->confirmed))
		return;
	if (!bmptap_in_window(ack, s->next_seq)) {
		s->stats.bogus++;
		return;
	}
	if (s->acked && !bmptap_seq_after(ack, s->ack))
		return;
	s->ack = ack;
	s->acked = true;
	/* An ACK covering the FIN acknowledges one sequence number past the data. */
	hole_lim = s->fin ? bmptap_seq_min(ack, s->fin_seq) : ack;
	if (!s->gated)
		hole_lim = bmptap_seq_min(hole_lim, s->seen_end);
	if (s->gated)
		bmptap_drain(s, true, ack, true, hole_lim, ops, ctx);
	else
		bmptap_drain(s, false, 0, true, hole_lim, ops, ctx);
	/* Forget lost_end before sequence numbers wrap back around to it. */
	if (s->lost && !bmptap_seq_before(s->next_seq, s->lost_end))
		s->lost = false;
}

void bmptap_stream_start(struct bmptap_stream *s, u32 seq, bool midstream,
			 const struct bmptap_ops *ops,
			 void *ctx)
{
	if (s->synced && (s->confirmed || !s->gated))
		return;
	s->confirmed = true;
	if (s->synced && !bmptap_seq_before(seq, s->start_seq) && !bmptap_seq_after(seq,
										    s->seen_end)) {
		/* Nothing was delivered yet: the framer learns of the pickup now. */
		if (midstream)
			bmptap_framer_hole(&s->framer, 0, BMPTAP_GAP_MIDSTREAM, ops, ctx);
		return;
	}
	/* Not what the receiver got: forget it (never delivered, never acked). */
	while (s->head)
		bmptap_seg_drop(s, s->head, ops, ctx);
	s->lost = false;
	s->conflict = false;
	s->synced = true;
	s->next_seq = seq;
	s->seen_end = seq;
	if (midstream)
		bmptap_framer_hole(&s->framer, 0, BMPTAP_GAP_MIDSTREAM, ops, ctx);
}

void bmptap_stream_fin(struct bmptap_stream *s, u32 fin_seq, const struct bmptap_ops *ops,
		       void *ctx)
{
	struct bmptap_seg *seg;

	if (!s->synced || s->fin)
		return;
	s->fin = true;
	s->fin_seq = fin_seq;
	while ((seg = s->tail) && bmptap_seq_after(bmptap_seg_end(seg), fin_seq)) {
		if (bmptap_seq_before(seg->seq, fin_seq))
			seg->len = fin_seq - seg->seq;
		else
			bmptap_seg_drop(s, seg, ops, ctx);
	}
}

void bmptap_stream_flush(struct bmptap_stream *s, u64 ts_ns, const struct bmptap_ops *ops,
			 void *ctx)
{
	u32 hole_lim;

	if (s->synced) {
		if (s->gated && s->acked)
			bmptap_drain(s, true, s->ack, false, 0, ops, ctx);
		hole_lim = s->next_seq;
		if (s->tail)
			hole_lim = bmptap_seg_end(s->tail);
		if (s->fin && bmptap_seq_after(s->fin_seq, hole_lim))
			hole_lim = s->fin_seq;
		if (s->lost && bmptap_seq_after(s->lost_end, hole_lim))
			hole_lim = s->lost_end;
		/* Never acknowledged: TCP may have refused any of it. */
		if (s->gated)
			bmptap_skip_held(s, hole_lim, ops, ctx);
		bmptap_drain(s, false, 0, true, hole_lim, ops, ctx);
	}
	bmptap_framer_flush(&s->framer, ts_ns, ops, ctx);
}
