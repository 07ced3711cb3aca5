// SPDX-License-Identifier: GPL-2.0
/*
 * The reassembly as it was before runs in a red-black tree (commit 522072d,
 * kmod/core/reasm.[ch]), frozen, identifiers renamed bmptap_ -> ref_: the
 * reference the differential test in test_reasm.c compares the core with.
 * Included by that test only; never built into anything else.
 */
#include "shim.h"
#include "frame.h"

/* Segments further than this from the expected sequence are bogus. */
#define REF_SEQ_WINDOW	(1U << 30)

struct ref_seg {
	struct ref_seg *next;	/* sorted by seq, never overlapping */
	u32 seq;
	u32 len;
	u32 off;		/* data[off] is the byte at seq (front trimmed) */
	u64 ts_ns;
	u8 data[];
};

struct ref_stream_stats {
	u64 segments;
	u64 bytes;		/* delivered to the framer */
	u64 retransmits;
	u64 out_of_order;
	u64 conflicts;
	u64 gaps;
	u64 gap_bytes;
	u64 nomem;		/* segments not held: budget or allocation */
	u64 bogus;		/* segments or acks outside REF_SEQ_WINDOW */
};

struct ref_stream {
	bool gated;
	bool synced;		/* next_seq is known */
	bool acked;		/* ack is valid */
	bool fin;		/* FIN seen; fin_seq is its sequence number */
	u32 next_seq;		/* next byte to hand to the framer */
	u32 ack;		/* gated: bytes before ack may be delivered */
	u32 fin_seq;
	u32 seen_end;		/* end of the furthest data seen (synced) */
	u32 max_held;
	u32 held;		/* bytes in segs */
	struct ref_seg *segs;
	struct ref_seg *tail;	/* last of segs, for O(1) appends */
	struct bmptap_framer framer;
	struct ref_stream_stats stats;
};

/* max_held bounds the bytes held in segs (0: hold nothing). */
static void ref_stream_init(struct ref_stream *s, bool gated, u32 max_held);
static void ref_stream_free(struct ref_stream *s, const struct bmptap_ops *ops, void *ctx);

/* A SYN with initial sequence number isn: data starts at isn + 1. */
static void ref_stream_syn(struct ref_stream *s, u32 isn);

/*
 * A segment's payload at sequence seq.  The first data seen by a stream that
 * never saw its SYN starts it there, mid-stream (framer resyncs).  A FIN
 * flag is passed as fin.
 */
static void ref_stream_data(struct ref_stream *s, u32 seq, const struct bmptap_payload *p,
			    bool fin, u64 ts_ns, const struct bmptap_ops *ops, void *ctx);

/*
 * The opposite direction acknowledged everything before ack.  Gated: held
 * bytes before ack are delivered.  Both kinds: bytes before ack that the tap
 * does not hold will never come again and are reported as a MISSING hole;
 * for an ungated stream (whose every byte the tap sees before any ACK of it
 * can exist) only up to the furthest byte seen, so that a forged ACK beyond
 * it, which TCP ignores, cannot make the tap skip real data to come.
 * An ungated stream that runs out of max_held gives up on its oldest hole
 * instead of waiting for an ACK.
 */
static void ref_stream_ack(struct ref_stream *s, u32 ack, const struct bmptap_ops *ops,
			   void *ctx);

/*
 * The flow is ending: deliver what is held in order (acknowledged or
 * not: the model predates issue 13), report holes as gaps, and emit any
 * pending gap.
 */
static void ref_stream_flush(struct ref_stream *s, u64 ts_ns, const struct bmptap_ops *ops,
			     void *ctx);


/* Largest segment allocation: keeps kmalloc within an order-1 slab. */
#define REF_SEG_MAX_DATA		(8192U - (u32)sizeof(struct ref_seg))
#define REF_CMP_CHUNK		256U

static u32 ref_min_u32(u32 a, u32 b)
{
	return a < b ? a : b;
}

/* The earlier (in sequence space) of a and b. */
static u32 ref_seq_min(u32 a, u32 b)
{
	return bmptap_seq_before(a, b) ? a : b;
}

static bool ref_in_window(u32 seq, u32 ref)
{
	s32 d = (s32)(seq - ref);

	return d <= (s32)REF_SEQ_WINDOW && d >= -(s32)REF_SEQ_WINDOW;
}

static void ref_stream_init(struct ref_stream *s, bool gated, u32 max_held)
{
	memset(s, 0, sizeof(*s));
	s->gated = gated;
	s->max_held = max_held;
	bmptap_framer_init(&s->framer);
}

static void ref_release(struct ref_stream *s, u32 n, const struct bmptap_ops *ops, void *ctx)
{
	if (!n)
		return;
	s->held -= n;
	if (ops && ops->charge)
		ops->charge(ctx, -(s32)n);
}

static void ref_seg_unlink_head(struct ref_stream *s)
{
	struct ref_seg *seg = s->segs;

	s->segs = seg->next;
	if (!s->segs)
		s->tail = NULL;
	bmptap_free(seg);
}

static void ref_stream_free(struct ref_stream *s, const struct bmptap_ops *ops, void *ctx)
{
	while (s->segs) {
		ref_release(s, s->segs->len, ops, ctx);
		ref_seg_unlink_head(s);
	}
	bmptap_framer_free(&s->framer, ops, ctx);
}

static void ref_stream_syn(struct ref_stream *s, u32 isn)
{
	if (s->synced)
		return;
	s->synced = true;
	s->next_seq = isn + 1;
	s->seen_end = s->next_seq;
}

static int ref_flat_copy(const void *src, u32 off, void *dst, u32 len)
{
	memcpy(dst, (const u8 *)src + off, len);
	return 0;
}

static void ref_feed(struct ref_stream *s, const struct bmptap_payload *p, u32 off, u32 len,
		     u64 ts_ns, const struct bmptap_ops *ops, void *ctx)
{
	bmptap_framer_feed(&s->framer, p, off, len, ts_ns, ops, ctx);
	s->stats.bytes += len;
	s->next_seq += len;
}

static void ref_hole(struct ref_stream *s, u32 bytes, const struct bmptap_ops *ops, void *ctx)
{
	bmptap_framer_hole(&s->framer, bytes, BMPTAP_GAP_MISSING, ops, ctx);
	s->stats.gaps++;
	s->stats.gap_bytes += bytes;
	s->next_seq += bytes;
}

/*
 * Deliver held data at next_seq up to data_lim (all of it when !data_limited)
 * and report holes up to hole_lim (none when !holes), in order.
 */
static void ref_drain(struct ref_stream *s, bool data_limited, u32 data_lim, bool holes,
		      u32 hole_lim, const struct bmptap_ops *ops, void *ctx)
{
	struct bmptap_payload p = { .copy = ref_flat_copy };
	struct ref_seg *seg;
	u32 n;

	for (;;) {
		seg = s->segs;
		if (seg && seg->seq == s->next_seq) {
			n = seg->len;
			if (data_limited) {
				if (!bmptap_seq_after(data_lim, s->next_seq))
					return;
				n = ref_min_u32(n, data_lim - s->next_seq);
			}
			p.src = seg->data + seg->off;
			p.flat = p.src;
			p.len = n;
			ref_feed(s, &p, 0, n, seg->ts_ns, ops, ctx);
			ref_release(s, n, ops, ctx);
			if (n == seg->len) {
				ref_seg_unlink_head(s);
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
			n = ref_min_u32(n, seg->seq - s->next_seq);
		ref_hole(s, n, ops, ctx);
	}
}

/* Compare [seq, seq + len) of p (at off) with what seg holds there. */
static bool ref_same_bytes(const struct ref_seg *seg, const struct bmptap_payload *p, u32 off,
			   u32 seq, u32 len)
{
	const u8 *held = seg->data + seg->off + (seq - seg->seq);
	u8 chunk[REF_CMP_CHUNK];
	u32 n;

	while (len) {
		n = ref_min_u32(len, REF_CMP_CHUNK);
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
static struct ref_seg *ref_hold_piece(struct ref_stream *s, struct ref_seg **link,
				      const struct bmptap_payload *p, u32 off, u32 seq, u32 len,
				      u64 ts_ns, const struct bmptap_ops *ops, void *ctx)
{
	struct ref_seg *seg;

	if (s->held + (u64)len > s->max_held)
		goto refused;
	if (ops && ops->charge && !ops->charge(ctx, (s32)len))
		goto refused;
	seg = bmptap_alloc(sizeof(*seg) + len);
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
	bmptap_free(seg);
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
static bool ref_hold(struct ref_stream *s, const struct bmptap_payload *p, u32 off, u32 seq,
		     u32 len, bool counted, u64 ts_ns, const struct bmptap_ops *ops, void *ctx)
{
	struct ref_seg **link = &s->segs;
	struct ref_seg *cur;
	u32 end = seq + len;
	u32 piece_end, n;
	bool conflict = false, overlap = false, ok = true;

	/* Appending after everything held is the common case. */
	if (s->tail && !bmptap_seq_before(seq, s->tail->seq + s->tail->len))
		link = &s->tail->next;

	while (bmptap_seq_before(seq, end)) {
		cur = *link;
		if (cur && !bmptap_seq_after(cur->seq + cur->len, seq)) {
			link = &cur->next;
			continue;
		}
		if (cur && !bmptap_seq_after(cur->seq, seq)) {
			/* cur holds seq: compare the overlap, keep cur's bytes. */
			piece_end = ref_seq_min(end, cur->seq + cur->len);
			n = piece_end - seq;
			overlap = true;
			if (!conflict && !ref_same_bytes(cur, p, off, seq, n))
				conflict = true;
			off += n;
			seq = piece_end;
			link = &cur->next;
			continue;
		}
		piece_end = cur ? ref_seq_min(end, cur->seq) : end;
		n = ref_min_u32(piece_end - seq, REF_SEG_MAX_DATA);
		cur = ref_hold_piece(s, link, p, off, seq, n, ts_ns, ops, ctx);
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
static bool ref_force_progress(struct ref_stream *s, u32 seq, const struct bmptap_ops *ops,
			       void *ctx)
{
	u32 from = s->next_seq;

	if (!s->segs)
		return false;
	ref_drain(s, false, 0, true, ref_seq_min(s->segs->seq, seq), ops, ctx);
	return s->next_seq != from;
}

static void ref_stream_data(struct ref_stream *s, u32 seq, const struct bmptap_payload *p, bool fin,
			    u64 ts_ns, const struct bmptap_ops *ops, void *ctx)
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
		bmptap_framer_hole(&s->framer, 0, BMPTAP_GAP_MIDSTREAM, ops, ctx);
	}
	if (!ref_in_window(seq, s->next_seq)) {
		s->stats.bogus++;
		return;
	}
	end = seq + len;
	if (bmptap_seq_after(end, s->seen_end))
		s->seen_end = end;
	if (fin && !s->fin) {
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
		if (s->segs)
			lim = ref_seq_min(lim, s->segs->seq);
		if (s->gated)
			lim = s->acked ? ref_seq_min(lim, s->ack) : seq;
		if (bmptap_seq_after(lim, seq)) {
			ref_feed(s, p, off, lim - seq, ts_ns, ops, ctx);
			off += lim - seq;
			seq = lim;
		}
	} else if (!retried) {
		s->stats.out_of_order++;
	}
	if (bmptap_seq_before(seq, end)) {
		if (!s->gated && s->held + (u64)(end - seq) > s->max_held &&
		    ref_force_progress(s, seq, ops, ctx)) {
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
		if (!ref_hold(s, p, off, seq, end - seq, trimmed, ts_ns, ops, ctx))
			s->stats.nomem++;
	}
	if (s->gated)
		ref_drain(s, true, s->acked ? s->ack : s->next_seq, false, 0, ops, ctx);
	else
		ref_drain(s, false, 0, false, 0, ops, ctx);
}

static void ref_stream_ack(struct ref_stream *s, u32 ack, const struct bmptap_ops *ops, void *ctx)
{
	u32 hole_lim;

	if (!s->synced)
		return;
	if (!ref_in_window(ack, s->next_seq)) {
		s->stats.bogus++;
		return;
	}
	if (s->acked && !bmptap_seq_after(ack, s->ack))
		return;
	s->ack = ack;
	s->acked = true;
	/* An ACK covering the FIN acknowledges one sequence number past the data. */
	hole_lim = s->fin ? ref_seq_min(ack, s->fin_seq) : ack;
	if (!s->gated)
		hole_lim = ref_seq_min(hole_lim, s->seen_end);
	if (s->gated)
		ref_drain(s, true, ack, true, hole_lim, ops, ctx);
	else
		ref_drain(s, false, 0, true, hole_lim, ops, ctx);
}

static void ref_stream_flush(struct ref_stream *s, u64 ts_ns, const struct bmptap_ops *ops,
			     void *ctx)
{
	u32 hole_lim;

	if (s->synced) {
		if (s->gated && s->acked)
			ref_drain(s, true, s->ack, false, 0, ops, ctx);
		hole_lim = s->next_seq;
		if (s->tail)
			hole_lim = s->tail->seq + s->tail->len;
		if (s->fin && bmptap_seq_after(s->fin_seq, hole_lim))
			hole_lim = s->fin_seq;
		ref_drain(s, false, 0, true, hole_lim, ops, ctx);
	}
	bmptap_framer_flush(&s->framer, ts_ns, ops, ctx);
}
