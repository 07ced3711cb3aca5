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

#define BT_MARKER_LEN		16
#define BT_BUF_MIN		4096U
#define BT_SCAN_CHUNK		256U

static const u8 bt_marker[BT_MARKER_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

static u32 bt_min_u32(u32 a, u32 b)
{
	return a < b ? a : b;
}

static u32 bt_hdr_len(const u8 *v)
{
	return ((u32)v[16] << 8) | v[17];
}

static bool bt_len_ok(u32 len)
{
	return len >= BT_BGP_HEADER_LEN && len <= BT_BGP_MAX_LEN;
}

/* Shortest valid length per type (RFC 4271 4.1-4.5, RFC 2918 3); 0: unknown. */
static const u8 bt_type_min_len[] = {
	[1] = 29,	/* OPEN */
	[2] = 23,	/* UPDATE */
	[3] = 21,	/* NOTIFICATION */
	[4] = BT_BGP_HEADER_LEN,	/* KEEPALIVE: exactly the header */
	[5] = 23,	/* ROUTE-REFRESH */
};

/* A table rather than a switch: this runs once per message on the hot path. */
static bool bt_type_ok(u8 type, u32 len)
{
	if (type >= sizeof(bt_type_min_len) || !bt_type_min_len[type])
		return false;
	if (type == 4)
		return len == BT_BGP_HEADER_LEN;
	return len >= bt_type_min_len[type];
}

/* The 16-byte all-ones marker, as two unaligned 64-bit loads. */
static inline bool bt_marker_ok(const u8 *v)
{
	u64 a, b;

	memcpy(&a, v, sizeof(a));
	memcpy(&b, v + 8, sizeof(b));
	return (a & b) == ~(u64)0;
}

static inline bool bt_hdr_ok(const u8 *v)
{
	u32 len;

	if (!bt_marker_ok(v))
		return false;
	len = bt_hdr_len(v);
	return bt_len_ok(len) && bt_type_ok(v[18], len);
}

bool bt_bgp_header_valid(const u8 *v)
{
	return bt_hdr_ok(v);
}

/* Whether the n bytes at v can begin a valid header. */
static bool bt_prefix_ok(const u8 *v, u32 n)
{
	if (memcmp(v, bt_marker, bt_min_u32(n, BT_MARKER_LEN)))
		return false;
	if (n >= 18 && !bt_len_ok(bt_hdr_len(v)))
		return false;
	if (n >= BT_BGP_HEADER_LEN && !bt_type_ok(v[18], bt_hdr_len(v)))
		return false;
	return true;
}

void bt_framer_init(struct bt_framer *f)
{
	memset(f, 0, sizeof(*f));
	f->state = BT_FRAME_HEADER;
}

/*
 * Charge (size > 0) or return (size < 0) an allocation of the framer's;
 * false when the environment's budget refuses it.
 */
static bool bt_framer_charge(struct bt_framer *f, s32 size, const struct bt_ops *ops,
			     void *ctx)
{
	if (ops && ops->charge && !ops->charge(ctx, size) && size > 0)
		return false;
	f->charged += size;
	return true;
}

static void bt_buf_release(struct bt_framer *f, const struct bt_ops *ops, void *ctx)
{
	if (!f->buf)
		return;
	bt_free(f->buf);
	bt_framer_charge(f, -(s32)bt_alloc_size(f->buf_cap), ops, ctx);
	f->buf = NULL;
	f->buf_cap = 0;
}

static void bt_skipped_release(struct bt_framer *f, const struct bt_ops *ops, void *ctx)
{
	f->skipped_len = 0;
	if (!f->skipped_data)
		return;
	bt_free(f->skipped_data);
	bt_framer_charge(f, -(s32)bt_alloc_size(BMPTAP_GAP_MAX_DATA), ops, ctx);
	f->skipped_data = NULL;
}

void bt_framer_free(struct bt_framer *f, const struct bt_ops *ops, void *ctx)
{
	bt_buf_release(f, ops, ctx);
	bt_skipped_release(f, ops, ctx);
}

static bool bt_gap_pending(const struct bt_framer *f)
{
	return f->resync_reason != 0;
}

/* A gap begins (or grows); a hole's reason beats a plain resync. */
static void bt_gap_reason(struct bt_framer *f, u32 reason)
{
	if (!f->resync_reason || f->resync_reason == BMPTAP_GAP_RESYNC)
		f->resync_reason = reason;
}

/*
 * Bytes seen but not framed: counted, and the first ones kept when the
 * budget allows (the gap goes out without them otherwise).
 */
static void bt_skip_seen(struct bt_framer *f, const u8 *v, u32 n, const struct bt_ops *ops,
			 void *ctx)
{
	u32 room, size = (u32)bt_alloc_size(BMPTAP_GAP_MAX_DATA);

	if (!n)
		return;
	bt_gap_reason(f, BMPTAP_GAP_RESYNC);
	f->skipped += n;
	if (f->skipped_len >= BMPTAP_GAP_MAX_DATA)
		return;
	if (!f->skipped_data) {
		if (!bt_framer_charge(f, (s32)size, ops, ctx))
			return;
		f->skipped_data = bt_alloc(BMPTAP_GAP_MAX_DATA);
		if (!f->skipped_data) {
			bt_framer_charge(f, -(s32)size, ops, ctx);
			return;
		}
	}
	room = BMPTAP_GAP_MAX_DATA - f->skipped_len;
	n = bt_min_u32(n, room);
	memcpy(f->skipped_data + f->skipped_len, v, n);
	f->skipped_len += n;
}

static void bt_emit_gap(struct bt_framer *f, u64 ts_ns, const struct bt_ops *ops, void *ctx)
{
	struct bmptap_gap gap;

	if (!bt_gap_pending(f))
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
	bt_skipped_release(f, ops, ctx);
}

/* Drop the first byte of the candidate header until what is left could be one. */
static void bt_resync_trim(struct bt_framer *f, const struct bt_ops *ops, void *ctx)
{
	while (f->have && !bt_prefix_ok(f->hdr, f->have)) {
		bt_skip_seen(f, f->hdr, 1, ops, ctx);
		f->have--;
		memmove(f->hdr, f->hdr + 1, f->have);
	}
}

/* Ensure buf holds len bytes; false when over budget or out of memory. */
static bool bt_buf_reserve(struct bt_framer *f, u32 len, const struct bt_ops *ops, void *ctx)
{
	u32 cap = BT_BUF_MIN, size;
	u8 *nb;

	if (f->buf_cap >= len)
		return true;
	while (cap < len)
		cap <<= 1;
	size = (u32)bt_alloc_size(cap);
	if (!bt_framer_charge(f, (s32)size, ops, ctx))
		return false;
	nb = bt_alloc(cap);
	if (!nb) {
		bt_framer_charge(f, -(s32)size, ops, ctx);
		return false;
	}
	bt_buf_release(f, ops, ctx);
	f->buf = nb;
	f->buf_cap = cap;
	return true;
}

/* hdr holds a valid header: emit any pending gap and start the message. */
static void bt_start_msg(struct bt_framer *f, u64 ts_ns, const struct bt_ops *ops, void *ctx)
{
	u32 len = bt_hdr_len(f->hdr);

	bt_emit_gap(f, ts_ns, ops, ctx);
	if (len == BT_BGP_HEADER_LEN) {
		ops->msg(ctx, f->hdr, len, ts_ns);
		f->messages++;
		f->have = 0;
		f->state = BT_FRAME_HEADER;
		return;
	}
	f->msg_len = len;
	if (!bt_buf_reserve(f, len, ops, ctx)) {
		bt_gap_reason(f, BMPTAP_GAP_NOMEM);
		f->skipped += BT_BGP_HEADER_LEN;
		f->lost_msgs++;
		f->skip_left = len - BT_BGP_HEADER_LEN;
		f->have = 0;
		f->state = BT_FRAME_SKIP;
		return;
	}
	memcpy(f->buf, f->hdr, BT_BGP_HEADER_LEN);
	f->have = BT_BGP_HEADER_LEN;
	f->state = BT_FRAME_BODY;
}

/*
 * RESYNC: scan up to BT_SCAN_CHUNK bytes at p[off]; returns the bytes
 * consumed (less than copied when a header was found), or 0 on copy error.
 */
static u32 bt_resync(struct bt_framer *f, const struct bt_payload *p, u32 off, u32 len,
		     u64 ts_ns, const struct bt_ops *ops, void *ctx)
{
	u8 chunk[BT_SCAN_CHUNK];
	u32 n = bt_min_u32(len, BT_SCAN_CHUNK);
	u32 i = 0;

	if (p->copy(p->src, off, chunk, n))
		return 0;
	while (i < n) {
		if (!f->have) {
			const u8 *ff = memchr(chunk + i, 0xff, n - i);
			u32 k = ff ? (u32)(ff - (chunk + i)) : n - i;

			bt_skip_seen(f, chunk + i, k, ops, ctx);
			i += k;
			if (!ff)
				break;
		}
		f->hdr[f->have++] = chunk[i++];
		bt_resync_trim(f, ops, ctx);
		if (f->have == BT_BGP_HEADER_LEN) {
			bt_start_msg(f, ts_ns, ops, ctx);
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
static u32 bt_frame_in_place(struct bt_framer *f, const u8 *v, u32 len, u64 ts_ns,
			     const struct bt_ops *ops, void *ctx)
{
	u32 done = 0, msg_len;

	while (len - done >= BT_BGP_HEADER_LEN && bt_hdr_ok(v + done)) {
		msg_len = bt_hdr_len(v + done);
		if (msg_len > len - done)
			break;
		if (bt_gap_pending(f))
			bt_emit_gap(f, ts_ns, ops, ctx);
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
static u32 bt_frame_whole(struct bt_framer *f, const struct bt_payload *p, u32 off, u32 len,
			  u64 ts_ns, const struct bt_ops *ops, void *ctx)
{
	u32 n;

	if (p->flat)
		return bt_frame_in_place(f, p->flat + off, len, ts_ns, ops, ctx);
	n = bt_min_u32(len, f->buf_cap);
	if (n < 2 * BT_BGP_HEADER_LEN || p->copy(p->src, off, f->buf, BT_BGP_HEADER_LEN) ||
	    !bt_hdr_ok(f->buf) || bt_hdr_len(f->buf) > n ||
	    p->copy(p->src, off + BT_BGP_HEADER_LEN, f->buf + BT_BGP_HEADER_LEN,
		    n - BT_BGP_HEADER_LEN))
		return 0;
	return bt_frame_in_place(f, f->buf, n, ts_ns, ops, ctx);
}

void bt_framer_feed(struct bt_framer *f, const struct bt_payload *p, u32 off, u32 len,
		    u64 ts_ns, const struct bt_ops *ops, void *ctx)
{
	u32 n;

	while (len) {
		switch (f->state) {
		case BT_FRAME_HEADER:
			if (!f->have) {
				n = bt_frame_whole(f, p, off, len, ts_ns, ops, ctx);
				off += n;
				len -= n;
				if (!len)
					break;
			}
			n = bt_min_u32(BT_BGP_HEADER_LEN - f->have, len);
			if (p->copy(p->src, off, f->hdr + f->have, n))
				goto bad_copy;
			f->have += n;
			off += n;
			len -= n;
			if (f->have < BT_BGP_HEADER_LEN)
				break;
			if (!bt_hdr_ok(f->hdr)) {
				f->state = BT_FRAME_RESYNC;
				bt_resync_trim(f, ops, ctx);
				break;
			}
			bt_start_msg(f, ts_ns, ops, ctx);
			break;
		case BT_FRAME_BODY:
			n = bt_min_u32(f->msg_len - f->have, len);
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
			f->state = BT_FRAME_HEADER;
			/* Only the common size stays allocated (and charged) between messages. */
			if (f->buf_cap > BT_BUF_MIN)
				bt_buf_release(f, ops, ctx);
			break;
		case BT_FRAME_SKIP:
			n = bt_min_u32(f->skip_left, len);
			f->skip_left -= n;
			f->skipped += n;
			off += n;
			len -= n;
			if (!f->skip_left) {
				f->have = 0;
				f->state = BT_FRAME_HEADER;
			}
			break;
		case BT_FRAME_RESYNC:
			n = bt_resync(f, p, off, len, ts_ns, ops, ctx);
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
	bt_framer_hole(f, len, BMPTAP_GAP_MISSING, ops, ctx);
}

void bt_framer_hole(struct bt_framer *f, u64 bytes, u32 reason, const struct bt_ops *ops,
		    void *ctx)
{
	u64 left;

	bt_gap_reason(f, reason);
	switch (f->state) {
	case BT_FRAME_BODY:
		left = f->msg_len - f->have;
		f->skipped += f->have;
		f->lost_msgs++;
		f->have = 0;
		if (bytes && bytes < left) {
			f->skipped += bytes;
			f->skip_left = (u32)(left - bytes);
			f->state = BT_FRAME_SKIP;
			return;
		}
		if (bytes == left) {
			f->skipped += bytes;
			f->state = BT_FRAME_HEADER;
			return;
		}
		break;
	case BT_FRAME_SKIP:
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
			f->state = BT_FRAME_HEADER;
			return;
		}
		break;
	case BT_FRAME_HEADER:
	case BT_FRAME_RESYNC:
		/* A partial header is not contiguous with what follows. */
		bt_skip_seen(f, f->hdr, f->have, ops, ctx);
		bt_gap_reason(f, reason);
		break;
	}
	f->skipped += bytes;
	f->have = 0;
	f->state = BT_FRAME_RESYNC;
}

void bt_framer_flush(struct bt_framer *f, u64 ts_ns, const struct bt_ops *ops, void *ctx)
{
	/* A message or header cut short by the end of the stream is lost. */
	switch (f->state) {
	case BT_FRAME_BODY:
		bt_gap_reason(f, BMPTAP_GAP_MISSING);
		f->skipped += f->have;
		f->lost_msgs++;
		f->have = 0;
		f->state = BT_FRAME_RESYNC;
		break;
	case BT_FRAME_SKIP:
		f->have = 0;
		f->state = BT_FRAME_RESYNC;
		break;
	case BT_FRAME_HEADER:
	case BT_FRAME_RESYNC:
		if (f->have) {
			bt_skip_seen(f, f->hdr, f->have, ops, ctx);
			bt_gap_reason(f, BMPTAP_GAP_MISSING);
			f->have = 0;
			f->state = BT_FRAME_RESYNC;
		}
		break;
	}
	bt_emit_gap(f, ts_ns, ops, ctx);
}
