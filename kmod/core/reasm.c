// SPDX-License-Identifier: GPL-2.0
/*
 * TCP reassembly of one direction of a tapped flow.
 *
 * Held segments form a singly linked list sorted by sequence number and
 * never overlapping; the tail pointer makes the common case (appending in
 * order) O(1).  In-order data that may be delivered at once goes from the
 * payload straight to the framer without being copied into a segment.
 */
#include "reasm.h"

/* Largest segment allocation: keeps kmalloc within an order-1 slab. */
#define BT_SEG_MAX_DATA		(8192U - (u32)sizeof(struct bt_seg))
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

void bt_stream_init(struct bt_stream *s, bool gated, u32 max_held)
{
	memset(s, 0, sizeof(*s));
	s->gated = gated;
	s->max_held = max_held;
	bt_framer_init(&s->framer);
}

static void bt_release(struct bt_stream *s, u32 n, const struct bt_ops *ops, void *ctx)
{
	if (!n)
		return;
	s->held -= n;
	if (ops && ops->charge)
		ops->charge(ctx, -(s32)n);
}

static void bt_seg_unlink_head(struct bt_stream *s)
{
	struct bt_seg *seg = s->segs;

	s->segs = seg->next;
	if (!s->segs)
		s->tail = NULL;
	bt_free(seg);
}

void bt_stream_free(struct bt_stream *s, const struct bt_ops *ops, void *ctx)
{
	while (s->segs) {
		bt_release(s, s->segs->len, ops, ctx);
		bt_seg_unlink_head(s);
	}
	bt_framer_free(&s->framer);
}

void bt_stream_syn(struct bt_stream *s, u32 isn)
{
	if (s->synced)
		return;
	s->synced = true;
	s->next_seq = isn + 1;
	s->seen_end = s->next_seq;
}

static int bt_flat_copy(const void *src, u32 off, void *dst, u32 len)
{
	memcpy(dst, (const u8 *)src + off, len);
	return 0;
}

static void bt_feed(struct bt_stream *s, const struct bt_payload *p, u32 off, u32 len,
		    u64 ts_ns, u32 flags, const struct bt_ops *ops, void *ctx)
{
	bt_framer_feed(&s->framer, p, off, len, ts_ns, flags, ops, ctx);
	s->stats.bytes += len;
	s->next_seq += len;
}

static void bt_hole(struct bt_stream *s, u32 bytes)
{
	bt_framer_hole(&s->framer, bytes, BMPTAP_GAP_MISSING);
	s->stats.gaps++;
	s->stats.gap_bytes += bytes;
	s->next_seq += bytes;
}

/*
 * Deliver held data at next_seq up to data_lim (all of it when !data_limited)
 * and report holes up to hole_lim (none when !holes), in order.
 */
static void bt_drain(struct bt_stream *s, bool data_limited, u32 data_lim, bool holes,
		     u32 hole_lim, u32 flags, const struct bt_ops *ops, void *ctx)
{
	struct bt_payload p = { .copy = bt_flat_copy };
	struct bt_seg *seg;
	u32 n;

	for (;;) {
		seg = s->segs;
		if (seg && seg->seq == s->next_seq) {
			n = seg->len;
			if (data_limited) {
				if (!bt_seq_after(data_lim, s->next_seq))
					return;
				n = bt_min_u32(n, data_lim - s->next_seq);
			}
			p.src = seg->data + seg->off;
			p.flat = p.src;
			p.len = n;
			bt_feed(s, &p, 0, n, seg->ts_ns, flags, ops, ctx);
			bt_release(s, n, ops, ctx);
			if (n == seg->len) {
				bt_seg_unlink_head(s);
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
		bt_hole(s, n);
	}
}

/* Compare [seq, seq + len) of p (at off) with what seg holds there. */
static bool bt_same_bytes(const struct bt_seg *seg, const struct bt_payload *p, u32 off,
			  u32 seq, u32 len)
{
	const u8 *held = seg->data + seg->off + (seq - seg->seq);
	u8 chunk[BT_CMP_CHUNK];
	u32 n;

	while (len) {
		n = bt_min_u32(len, BT_CMP_CHUNK);
		if (p->copy(p->src, off, chunk, n))
			return true;
		if (memcmp(chunk, held, n))
			return false;
		held += n;
		off += n;
		len -= n;
	}
	return true;
}

/* Hold [seq, seq + len) of p (at off) in a new segment linked at *link. */
static struct bt_seg *bt_hold_piece(struct bt_stream *s, struct bt_seg **link,
				    const struct bt_payload *p, u32 off, u32 seq, u32 len,
				    u64 ts_ns, const struct bt_ops *ops, void *ctx)
{
	struct bt_seg *seg;

	if (s->held + (u64)len > s->max_held)
		goto refused;
	if (ops && ops->charge && !ops->charge(ctx, (s32)len))
		goto refused;
	seg = bt_alloc(sizeof(*seg) + len);
	if (!seg)
		goto uncharge;
	if (p->copy(p->src, off, seg->data, len))
		goto free_seg;
	seg->seq = seq;
	seg->len = len;
	seg->off = 0;
	seg->ts_ns = ts_ns;
	seg->next = *link;
	*link = seg;
	if (!seg->next)
		s->tail = seg;
	s->held += len;
	return seg;

free_seg:
	bt_free(seg);
uncharge:
	if (ops && ops->charge)
		ops->charge(ctx, -(s32)len);
refused:
	return NULL;
}

/*
 * Hold [seq, seq + len) of p (at off).  Held bytes win over new ones; only
 * the pieces not yet held are stored.  An overlap counts as a retransmit
 * unless the caller already counted one.  Returns false if some bytes could
 * not be held.
 */
static bool bt_hold(struct bt_stream *s, const struct bt_payload *p, u32 off, u32 seq,
		    u32 len, bool counted, u64 ts_ns, const struct bt_ops *ops, void *ctx)
{
	struct bt_seg **link = &s->segs;
	struct bt_seg *cur;
	u32 end = seq + len;
	u32 piece_end, n;
	bool conflict = false, overlap = false, ok = true;

	/* Appending after everything held is the common case. */
	if (s->tail && !bt_seq_before(seq, s->tail->seq + s->tail->len))
		link = &s->tail->next;

	while (bt_seq_before(seq, end)) {
		cur = *link;
		if (cur && !bt_seq_after(cur->seq + cur->len, seq)) {
			link = &cur->next;
			continue;
		}
		if (cur && !bt_seq_after(cur->seq, seq)) {
			/* cur holds seq: compare the overlap, keep cur's bytes. */
			piece_end = bt_seq_min(end, cur->seq + cur->len);
			n = piece_end - seq;
			overlap = true;
			if (!conflict && !bt_same_bytes(cur, p, off, seq, n))
				conflict = true;
			off += n;
			seq = piece_end;
			link = &cur->next;
			continue;
		}
		piece_end = cur ? bt_seq_min(end, cur->seq) : end;
		n = bt_min_u32(piece_end - seq, BT_SEG_MAX_DATA);
		cur = bt_hold_piece(s, link, p, off, seq, n, ts_ns, ops, ctx);
		if (cur)
			link = &cur->next;
		else
			ok = false;
		off += n;
		seq += n;
	}
	if (conflict)
		s->stats.conflicts++;
	if (overlap && !counted)
		s->stats.retransmits++;
	return ok;
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

	if (!s->segs)
		return false;
	bt_drain(s, false, 0, true, bt_seq_min(s->segs->seq, seq), 0, ops, ctx);
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
		s->synced = true;
		s->next_seq = seq;
		s->seen_end = seq;
		bt_framer_hole(&s->framer, 0, BMPTAP_GAP_MIDSTREAM);
	}
	if (!bt_in_window(seq, s->next_seq)) {
		s->stats.bogus++;
		return;
	}
	end = seq + len;
	if (bt_seq_after(end, s->seen_end))
		s->seen_end = end;
	if (fin && !s->fin) {
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
		if (s->segs)
			lim = bt_seq_min(lim, s->segs->seq);
		if (s->gated)
			lim = s->acked ? bt_seq_min(lim, s->ack) : seq;
		if (bt_seq_after(lim, seq)) {
			bt_feed(s, p, off, lim - seq, ts_ns, 0, ops, ctx);
			off += lim - seq;
			seq = lim;
		}
	} else if (!retried) {
		s->stats.out_of_order++;
	}
	if (bt_seq_before(seq, end)) {
		if (!s->gated && s->held + (u64)(end - seq) > s->max_held &&
		    bt_force_progress(s, seq, ops, ctx)) {
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
		bt_drain(s, true, s->acked ? s->ack : s->next_seq, false, 0, 0, ops, ctx);
	else
		bt_drain(s, false, 0, false, 0, 0, ops, ctx);
}

void bt_stream_ack(struct bt_stream *s, u32 ack, const struct bt_ops *ops, void *ctx)
{
	u32 hole_lim;

	if (!s->synced)
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
		bt_drain(s, true, ack, true, hole_lim, 0, ops, ctx);
	else
		bt_drain(s, false, 0, true, hole_lim, 0, ops, ctx);
}

void bt_stream_flush(struct bt_stream *s, u64 ts_ns, const struct bt_ops *ops, void *ctx)
{
	u32 hole_lim;

	if (s->synced) {
		if (s->gated && s->acked)
			bt_drain(s, true, s->ack, false, 0, 0, ops, ctx);
		hole_lim = s->next_seq;
		if (s->tail)
			hole_lim = s->tail->seq + s->tail->len;
		if (s->fin && bt_seq_after(s->fin_seq, hole_lim))
			hole_lim = s->fin_seq;
		bt_drain(s, false, 0, true, hole_lim, s->gated ? BMPTAP_RECF_UNACKED : 0,
			 ops, ctx);
	}
	bt_framer_flush(&s->framer, ts_ns, ops, ctx);
}
