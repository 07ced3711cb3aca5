// SPDX-License-Identifier: GPL-2.0
/*
 * BGP framing: cuts an in-order byte stream into whole BGP messages.
 *
 * Hot path: the 19-byte header is copied out of the payload and checked,
 * then the body is copied straight into the message buffer.  Only RESYNC
 * (scanning for the next valid header after garbage or a hole of unknown
 * extent) looks at bytes one at a time.
 */
#include "frame.h"

#define BMPTAP_MARKER_LEN	16
#define BMPTAP_BUF_MIN		4096U
#define BMPTAP_SCAN_CHUNK	256U

static const u8 bmptap_marker[BMPTAP_MARKER_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

static u32 bmptap_min_u32(u32 a, u32 b)
{
	return a < b ? a : b;
}

static u32 bmptap_hdr_len(const u8 *v)
{
	return ((u32)v[16] << 8) | v[17];
}

static bool bmptap_len_ok(u32 len)
{
	return len >= BMPTAP_BGP_HEADER_LEN && len <= BMPTAP_BGP_MAX_LEN;
}

/* Shortest valid length per type (RFC 4271 4.1-4.5, RFC 2918 3); 0: unknown. */
static const u8 bmptap_type_min_len[] = {
	[1] = 29,	/* OPEN */
	[2] = 23,	/* UPDATE */
	[3] = 21,	/* NOTIFICATION */
	[4] = BMPTAP_BGP_HEADER_LEN,	/* KEEPALIVE: exactly the header */
	[5] = 23,	/* ROUTE-REFRESH */
};

/* A table rather than a switch: this runs once per message on the hot path. */
static bool bmptap_type_ok(u8 type, u32 len)
{
	if (type >= sizeof(bmptap_type_min_len) || !bmptap_type_min_len[type])
		return false;
	if (type == 4)
		return len == BMPTAP_BGP_HEADER_LEN;
	return len >= bmptap_type_min_len[type];
}

/* The 16-byte all-ones marker, as two unaligned 64-bit loads. */
static inline bool bmptap_marker_ok(const u8 *v)
{
	u64 a, b;

	memcpy(&a, v, sizeof(a));
	memcpy(&b, v + 8, sizeof(b));
	return (a & b) == ~(u64)0;
}

static inline bool bmptap_hdr_ok(const u8 *v)
{
	u32 len;

	if (!bmptap_marker_ok(v))
		return false;
	len = bmptap_hdr_len(v);
	return bmptap_len_ok(len) && bmptap_type_ok(v[18], len);
}

bool bmptap_bgp_header_valid(const u8 *v)
{
	return bmptap_hdr_ok(v);
}

/* Whether the n bytes at v can begin a valid header. */
static bool bmptap_prefix_ok(const u8 *v, u32 n)
{
	if (memcmp(v, bmptap_marker, bmptap_min_u32(n, BMPTAP_MARKER_LEN)))
		return false;
	if (n >= 18 && !bmptap_len_ok(bmptap_hdr_len(v)))
		return false;
	if (n >= BMPTAP_BGP_HEADER_LEN && !bmptap_type_ok(v[18], bmptap_hdr_len(v)))
		return false;
	return true;
}

void bmptap_framer_init(struct bmptap_framer *f)
{
	memset(f, 0, sizeof(*f));
	f->state = BMPTAP_FRAME_HEADER;
}

/*
 * Charge (size > 0) or return (size < 0) an allocation of the framer's;
 * false when the environment's budget refuses it.
 */
static bool bmptap_framer_charge(struct bmptap_framer *f, s32 size, const struct bmptap_ops *ops,
				 void *ctx)
{
	if (ops && ops->charge && !ops->charge(ctx, size) && size > 0)
		return false;
	f->charged += size;
	return true;
}

static void bmptap_buf_release(struct bmptap_framer *f, const struct bmptap_ops *ops, void *ctx)
{
	if (!f->buf)
		return;
	bmptap_free(f->buf);
	bmptap_framer_charge(f, -(s32)bmptap_alloc_size(f->buf_cap), ops, ctx);
	f->buf = NULL;
	f->buf_cap = 0;
}

static void bmptap_skipped_release(struct bmptap_framer *f, const struct bmptap_ops *ops, void *ctx)
{
	f->skipped_len = 0;
	if (!f->skipped_data)
		return;
	bmptap_free(f->skipped_data);
	bmptap_framer_charge(f, -(s32)bmptap_alloc_size(BMPTAP_GAP_MAX_DATA), ops, ctx);
	f->skipped_data = NULL;
}

void bmptap_framer_free(struct bmptap_framer *f, const struct bmptap_ops *ops, void *ctx)
{
	bmptap_buf_release(f, ops, ctx);
	bmptap_skipped_release(f, ops, ctx);
}

static bool bmptap_gap_pending(const struct bmptap_framer *f)
{
	return f->resync_reason != 0;
}

/* A gap begins (or grows); a hole's reason beats a plain resync. */
static void bmptap_gap_begin(struct bmptap_framer *f, u32 reason)
{
	if (!f->resync_reason || f->resync_reason == BMPTAP_GAP_RESYNC)
		f->resync_reason = reason;
}

/*
 * Bytes seen but not framed: counted, and the first ones kept when the
 * budget allows (the gap goes out without them otherwise).
 */
static void bmptap_skip_seen(struct bmptap_framer *f, const u8 *v, u32 n,
			     const struct bmptap_ops *ops,
			     void *ctx)
{
	u32 room, size = (u32)bmptap_alloc_size(BMPTAP_GAP_MAX_DATA);

	if (!n)
		return;
	bmptap_gap_begin(f, BMPTAP_GAP_RESYNC);
	f->skipped += n;
	if (f->skipped_len >= BMPTAP_GAP_MAX_DATA)
		return;
	if (!f->skipped_data) {
		if (!bmptap_framer_charge(f, (s32)size, ops, ctx))
			return;
		f->skipped_data = bmptap_alloc(BMPTAP_GAP_MAX_DATA);
		if (!f->skipped_data) {
			bmptap_framer_charge(f, -(s32)size, ops, ctx);
			return;
		}
	}
	room = BMPTAP_GAP_MAX_DATA - f->skipped_len;
	n = bmptap_min_u32(n, room);
	memcpy(f->skipped_data + f->skipped_len, v, n);
	f->skipped_len += n;
}

static void bmptap_emit_gap(struct bmptap_framer *f, u64 ts_ns, const struct bmptap_ops *ops,
			    void *ctx)
{
	struct bmptap_gap gap;

	if (!bmptap_gap_pending(f))
		return;
	memset(&gap, 0, sizeof(gap));
	gap.bytes = f->skipped;
	gap.messages = f->lost_msgs;
	gap.reason = f->resync_reason;
	if (ops->gap)
		ops->gap(ctx, &gap, f->skipped_data, f->skipped_len, ts_ns);
	f->resync_reason = 0;
	f->skipped = 0;
	f->lost_msgs = 0;
	bmptap_skipped_release(f, ops, ctx);
}

/* Drop the first byte of the candidate header until what is left could be one. */
static void bmptap_resync_trim(struct bmptap_framer *f, const struct bmptap_ops *ops, void *ctx)
{
	while (f->have && !bmptap_prefix_ok(f->hdr, f->have)) {
		bmptap_skip_seen(f, f->hdr, 1, ops, ctx);
		f->have--;
		memmove(f->hdr, f->hdr + 1, f->have);
	}
}

/* Ensure buf holds len bytes; false when over budget or out of memory. */
static bool bmptap_buf_reserve(struct bmptap_framer *f, u32 len, const struct bmptap_ops *ops,
			       void *ctx)
{
	u32 cap = BMPTAP_BUF_MIN, size;
	u8 *nb;

	if (f->buf_cap >= len)
		return true;
	while (cap < len)
		cap <<= 1;
	size = (u32)bmptap_alloc_size(cap);
	if (!bmptap_framer_charge(f, (s32)size, ops, ctx))
		return false;
	nb = bmptap_alloc(cap);
	if (!nb) {
		bmptap_framer_charge(f, -(s32)size, ops, ctx);
		return false;
	}
	bmptap_buf_release(f, ops, ctx);
	f->buf = nb;
	f->buf_cap = cap;
	return true;
}

/* hdr holds a valid header: emit any pending gap and start the message. */
static void bmptap_start_msg(struct bmptap_framer *f, u64 ts_ns, const struct bmptap_ops *ops,
			     void *ctx)
{
	u32 len = bmptap_hdr_len(f->hdr);

	bmptap_emit_gap(f, ts_ns, ops, ctx);
	if (len == BMPTAP_BGP_HEADER_LEN) {
		ops->msg(ctx, f->hdr, len, ts_ns);
		f->messages++;
		f->have = 0;
		f->state = BMPTAP_FRAME_HEADER;
		return;
	}
	f->msg_len = len;
	if (!bmptap_buf_reserve(f, len, ops, ctx)) {
		bmptap_gap_begin(f, BMPTAP_GAP_NOMEM);
		f->skipped += BMPTAP_BGP_HEADER_LEN;
		f->lost_msgs++;
		f->skip_left = len - BMPTAP_BGP_HEADER_LEN;
		f->have = 0;
		f->state = BMPTAP_FRAME_SKIP;
		return;
	}
	memcpy(f->buf, f->hdr, BMPTAP_BGP_HEADER_LEN);
	f->have = BMPTAP_BGP_HEADER_LEN;
	f->state = BMPTAP_FRAME_BODY;
}

/*
 * RESYNC: scan up to BMPTAP_SCAN_CHUNK bytes at p[off]; returns the bytes
 * consumed (less than copied when a header was found), or 0 on copy error.
 */
static u32 bmptap_resync(struct bmptap_framer *f, const struct bmptap_payload *p, u32 off, u32 len,
			 u64 ts_ns, const struct bmptap_ops *ops, void *ctx)
{
	u8 chunk[BMPTAP_SCAN_CHUNK];
	u32 n = bmptap_min_u32(len, BMPTAP_SCAN_CHUNK);
	u32 i = 0;

	if (p->copy(p->src, off, chunk, n))
		return 0;
	while (i < n) {
		if (!f->have) {
			const u8 *ff = memchr(chunk + i, 0xff, n - i);
			u32 k = ff ? (u32)(ff - (chunk + i)) : n - i;

			bmptap_skip_seen(f, chunk + i, k, ops, ctx);
			i += k;
			if (!ff)
				break;
		}
		f->hdr[f->have++] = chunk[i++];
		bmptap_resync_trim(f, ops, ctx);
		if (f->have == BMPTAP_BGP_HEADER_LEN) {
			bmptap_start_msg(f, ts_ns, ops, ctx);
			break;
		}
	}
	return i;
}

/*
 * At a message boundary in flat memory: hand over the whole messages found
 * there in place, sparing the copy into buf.  Returns the bytes consumed;
 * what is left (a cut or damaged message) takes the copying path.
 */
static u32 bmptap_frame_in_place(struct bmptap_framer *f, const u8 *v, u32 len, u64 ts_ns,
				 const struct bmptap_ops *ops, void *ctx)
{
	u32 done = 0, msg_len;

	while (len - done >= BMPTAP_BGP_HEADER_LEN && bmptap_hdr_ok(v + done)) {
		msg_len = bmptap_hdr_len(v + done);
		if (msg_len > len - done)
			break;
		if (bmptap_gap_pending(f))
			bmptap_emit_gap(f, ts_ns, ops, ctx);
		ops->msg(ctx, v + done, msg_len, ts_ns);
		f->messages++;
		done += msg_len;
	}
	return done;
}

/*
 * At a message boundary: frame the whole messages at p[off] in place, from
 * the payload when it is flat, else from one bulk copy into buf (one copy
 * per segment instead of a header and a body copy per message).  The bulk
 * copy is only made when the first message is whole, so that a segment in
 * the middle of a long message is not copied twice.  Returns the bytes
 * consumed.
 */
static u32 bmptap_frame_whole(struct bmptap_framer *f, const struct bmptap_payload *p, u32 off,
			      u32 len,
			      u64 ts_ns, const struct bmptap_ops *ops, void *ctx)
{
	u32 n;

	if (p->flat)
		return bmptap_frame_in_place(f, p->flat + off, len, ts_ns, ops, ctx);
	n = bmptap_min_u32(len, f->buf_cap);
	if (n < 2 * BMPTAP_BGP_HEADER_LEN || p->copy(p->src, off, f->buf, BMPTAP_BGP_HEADER_LEN) ||
	    !bmptap_hdr_ok(f->buf) || bmptap_hdr_len(f->buf) > n ||
	    p->copy(p->src, off + BMPTAP_BGP_HEADER_LEN, f->buf + BMPTAP_BGP_HEADER_LEN,
		    n - BMPTAP_BGP_HEADER_LEN))
		return 0;
	return bmptap_frame_in_place(f, f->buf, n, ts_ns, ops, ctx);
}

void bmptap_framer_feed(struct bmptap_framer *f, const struct bmptap_payload *p, u32 off, u32 len,
			u64 ts_ns, const struct bmptap_ops *ops, void *ctx)
{
	u32 n;

	while (len) {
		switch (f->state) {
		case BMPTAP_FRAME_HEADER:
			if (!f->have) {
				n = bmptap_frame_whole(f, p, off, len, ts_ns, ops, ctx);
				off += n;
				len -= n;
				if (!len)
					break;
			}
			n = bmptap_min_u32(BMPTAP_BGP_HEADER_LEN - f->have, len);
			if (p->copy(p->src, off, f->hdr + f->have, n))
				goto bad_copy;
			f->have += n;
			off += n;
			len -= n;
			if (f->have < BMPTAP_BGP_HEADER_LEN)
				break;
			if (!bmptap_hdr_ok(f->hdr)) {
				f->state = BMPTAP_FRAME_RESYNC;
				bmptap_resync_trim(f, ops, ctx);
				break;
			}
			bmptap_start_msg(f, ts_ns, ops, ctx);
			break;
		case BMPTAP_FRAME_BODY:
			n = bmptap_min_u32(f->msg_len - f->have, len);
			if (p->copy(p->src, off, f->buf + f->have, n))
				goto bad_copy;
			f->have += n;
			off += n;
			len -= n;
			if (f->have < f->msg_len)
				break;
			ops->msg(ctx, f->buf, f->msg_len, ts_ns);
			f->messages++;
			f->have = 0;
			f->state = BMPTAP_FRAME_HEADER;
			/* Only the common size stays allocated (and charged) between messages. */
			if (f->buf_cap > BMPTAP_BUF_MIN)
				bmptap_buf_release(f, ops, ctx);
			break;
		case BMPTAP_FRAME_SKIP:
			n = bmptap_min_u32(f->skip_left, len);
			f->skip_left -= n;
			f->skipped += n;
			off += n;
			len -= n;
			if (!f->skip_left) {
				f->have = 0;
				f->state = BMPTAP_FRAME_HEADER;
			}
			break;
		case BMPTAP_FRAME_RESYNC:
			n = bmptap_resync(f, p, off, len, ts_ns, ops, ctx);
			if (!n)
				goto bad_copy;
			off += n;
			len -= n;
			break;
		}
	}
	return;

bad_copy:
	/* Cannot happen with a well-formed payload; treat the rest as missing. */
	bmptap_framer_hole(f, len, BMPTAP_GAP_MISSING, ops, ctx);
}

void bmptap_framer_hole(struct bmptap_framer *f, u64 bytes, u32 reason,
			const struct bmptap_ops *ops,
			void *ctx)
{
	u64 left;

	bmptap_gap_begin(f, reason);
	switch (f->state) {
	case BMPTAP_FRAME_BODY:
		left = f->msg_len - f->have;
		f->skipped += f->have;
		f->lost_msgs++;
		f->have = 0;
		if (bytes && bytes < left) {
			f->skipped += bytes;
			f->skip_left = (u32)(left - bytes);
			f->state = BMPTAP_FRAME_SKIP;
			return;
		}
		if (bytes == left) {
			f->skipped += bytes;
			f->state = BMPTAP_FRAME_HEADER;
			return;
		}
		break;
	case BMPTAP_FRAME_SKIP:
		left = f->skip_left;
		if (bytes && bytes < left) {
			f->skipped += bytes;
			f->skip_left -= (u32)bytes;
			return;
		}
		if (bytes == left) {
			f->skipped += bytes;
			f->skip_left = 0;
			f->have = 0;
			f->state = BMPTAP_FRAME_HEADER;
			return;
		}
		break;
	case BMPTAP_FRAME_HEADER:
	case BMPTAP_FRAME_RESYNC:
		/* A partial header is not contiguous with what follows. */
		bmptap_skip_seen(f, f->hdr, f->have, ops, ctx);
		bmptap_gap_begin(f, reason);
		break;
	}
	f->skipped += bytes;
	f->have = 0;
	f->state = BMPTAP_FRAME_RESYNC;
}

void bmptap_framer_flush(struct bmptap_framer *f, u64 ts_ns, const struct bmptap_ops *ops,
			 void *ctx)
{
	/* A message or header cut short by the end of the stream is lost. */
	switch (f->state) {
	case BMPTAP_FRAME_BODY:
		bmptap_gap_begin(f, BMPTAP_GAP_MISSING);
		f->skipped += f->have;
		f->lost_msgs++;
		f->have = 0;
		f->state = BMPTAP_FRAME_RESYNC;
		break;
	case BMPTAP_FRAME_SKIP:
		f->have = 0;
		f->state = BMPTAP_FRAME_RESYNC;
		break;
	case BMPTAP_FRAME_HEADER:
	case BMPTAP_FRAME_RESYNC:
		if (f->have) {
			bmptap_skip_seen(f, f->hdr, f->have, ops, ctx);
			bmptap_gap_begin(f, BMPTAP_GAP_MISSING);
			f->have = 0;
			f->state = BMPTAP_FRAME_RESYNC;
		}
		break;
	}
	bmptap_emit_gap(f, ts_ns, ops, ctx);
}
