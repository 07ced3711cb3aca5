/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP reassembly of one direction of a tapped flow.
 *
 * Bytes are handed to the framer in sequence order, once each.  A gated
 * stream (received by the local host, or any forwarded direction) delivers
 * bytes only once the opposite direction's ACK covers them, so that data the
 * receiving TCP rejected never gets through; until then they are held,
 * within max_held bytes of memory.  Where two copies of the same sequence range carry
 * different bytes, a gated stream reports that range as a gap (the tap cannot
 * tell which copy the receiving TCP kept); an ungated one keeps the first.
 * A gated stream that saw no SYN starts at its first data only tentatively:
 * the receiver's first ACK (bmptap_stream_start) keeps that start if it lies
 * within the data seen, else starts over at the ACK, so remote input alone
 * never decides where the stream starts.
 */
#ifndef BMPTAP_CORE_REASM_H
#define BMPTAP_CORE_REASM_H

#include "shim.h"
#include "frame.h"

/* Segments further than this from the expected sequence are bogus. */
#define BMPTAP_SEQ_WINDOW	(1U << 30)

/* A run of contiguous held bytes; runs never overlap. */
struct bmptap_seg {
	struct rb_node node;	/* in bmptap_stream.segs, by seq */
	u32 seq;
	u32 len;
	u32 off;		/* data[off] is the byte at seq (front trimmed) */
	u32 cap;		/* bytes data[] has room for */
	u32 truesize;		/* the whole allocation, as charged */
	u64 ts_ns;		/* when its last bytes arrived */
	u8 data[];
};

struct bmptap_stream_stats {
	u64 segments;
	u64 bytes;		/* delivered to the framer */
	u64 retransmits;
	u64 out_of_order;
	u64 conflicts;
	u64 gaps;
	u64 gap_bytes;
	u64 nomem;		/* segments not held: budget or allocation */
	u64 pruned;		/* held runs dropped to make room for earlier data */
	u64 pruned_bytes;
	u64 bogus;		/* segments or acks outside BMPTAP_SEQ_WINDOW */
};

struct bmptap_stream {
	bool gated;
	bool synced;		/* next_seq is known */
	bool confirmed;		/* gated: the start was checked against the receiver's ACK */
	u32 start_seq;		/* gated, unconfirmed: the tentative start */
	bool acked;		/* ack is valid */
	bool fin;		/* FIN seen; fin_seq is its sequence number */
	u32 next_seq;		/* next byte to hand to the framer */
	u32 ack;		/* gated: bytes before ack may be delivered */
	u32 fin_seq;
	u32 seen_end;		/* end of the furthest data seen (synced) */
	bool conflict;		/* gated: [cf_start, cf_end) had differing copies */
	u32 cf_start;
	u32 cf_end;
	bool lost;		/* bytes up to lost_end were seen but not all held */
	u32 lost_end;
	u32 max_held;
	u32 held;		/* memory taken by segs (allocation sizes) */
	u32 max_segs;
	u32 nsegs;
	struct rb_root segs;
	struct bmptap_seg *head;	/* first and last of segs */
	struct bmptap_seg *tail;
	struct bmptap_framer framer;
	struct bmptap_stream_stats stats;
};

/*
 * max_held bounds the memory held in segs (0: hold nothing), counted in
 * whole allocations; it also sets max_segs (see reasm.c).  Over either
 * bound, the runs furthest ahead of the new data are dropped (pruned) to
 * make room, and what was dropped is reported as a MISSING gap once
 * acknowledged or at the end, as bytes never seen would be.
 */
void bmptap_stream_init(struct bmptap_stream *s, bool gated, u32 max_held);
void bmptap_stream_free(struct bmptap_stream *s, const struct bmptap_ops *ops, void *ctx);

/* A SYN with initial sequence number isn: data starts at isn + 1. */
void bmptap_stream_syn(struct bmptap_stream *s, u32 isn);

/*
 * The receiver's first ACK of a stream that saw no SYN, at seq: a gated
 * stream started tentatively at its first data keeps that start if seq lies
 * between it and the end of the data seen, else forgets what it holds and
 * starts at seq, as does a stream not started at all.  midstream: the
 * framer resyncs on the first whole BGP header.
 */
void bmptap_stream_start(struct bmptap_stream *s, u32 seq, bool midstream,
			 const struct bmptap_ops *ops,
			 void *ctx);

/*
 * A segment's payload at sequence seq.  The first data seen by a stream that
 * never saw its SYN starts it there, mid-stream (framer resyncs); for a
 * gated stream only tentatively (see bmptap_stream_start).  A FIN flag is passed as
 * fin: an ungated stream believes it at once, a gated one only through
 * bmptap_stream_fin().
 */
void bmptap_stream_data(struct bmptap_stream *s, u32 seq, const struct bmptap_payload *p,
			bool fin, u64 ts_ns, const struct bmptap_ops *ops, void *ctx);

/*
 * The receiver acknowledged a FIN at fin_seq: nothing lies beyond it.  The
 * first one acknowledged stays.
 */
void bmptap_stream_fin(struct bmptap_stream *s, u32 fin_seq, const struct bmptap_ops *ops,
		       void *ctx);

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
void bmptap_stream_ack(struct bmptap_stream *s, u32 ack, const struct bmptap_ops *ops,
		       void *ctx);

/*
 * The flow is ending: deliver what is held in order, report holes as gaps,
 * and emit any pending gap.  A gated stream delivers only what was
 * acknowledged: the bytes beyond are one gap, whatever the tap holds of them.
 */
void bmptap_stream_flush(struct bmptap_stream *s, u64 ts_ns, const struct bmptap_ops *ops,
			 void *ctx);

#endif /* BMPTAP_CORE_REASM_H */
