/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BGP framing: cuts an in-order byte stream into whole BGP messages
 * (RFC 4271 header, up to 65535 bytes per RFC 8654) and resynchronises on
 * the next valid header after bytes that are missing or not BGP.
 */
#ifndef BMPTAP_CORE_FRAME_H
#define BMPTAP_CORE_FRAME_H

#include "shim.h"
#include "../../include/uapi/linux/bmptap.h"

#define BMPTAP_BGP_HEADER_LEN	19
#define BMPTAP_BGP_MAX_LEN	65535

/* What the core hands to its environment (kernel queue, test recorder). */
struct bmptap_ops {
	/* One whole BGP message. */
	void (*msg)(void *ctx, const u8 *msg, u32 len, u64 ts_ns);
	/* Bytes or messages that will never be delivered. */
	void (*gap)(void *ctx, const struct bmptap_gap *gap,
		    const u8 *skipped, u32 skipped_len, u64 ts_ns);
	/*
	 * Charge (delta > 0) or release (delta < 0) memory the core holds:
	 * held out-of-order runs, the framer's message buffer and its copy of
	 * skipped bytes, each by its whole allocation (bmptap_alloc_size).
	 * Returns false when a charge would exceed the environment's budget;
	 * the core then does not hold them (a counted gap instead).  May be
	 * NULL (unlimited).
	 */
	bool (*charge)(void *ctx, s32 delta);
};

enum bmptap_frame_state {
	BMPTAP_FRAME_HEADER,	/* collecting the 19-byte header */
	BMPTAP_FRAME_BODY,		/* collecting the rest of a valid message */
	BMPTAP_FRAME_SKIP,		/* discarding the rest of a damaged message */
	BMPTAP_FRAME_RESYNC,	/* scanning for the next valid header */
};

struct bmptap_framer {
	enum bmptap_frame_state state;
	u8 hdr[BMPTAP_BGP_HEADER_LEN];
	u32 have;		/* bytes of the current header or message */
	u32 msg_len;		/* length from the header, in BODY and SKIP */
	u8 *buf;		/* current message, grown up to BMPTAP_BGP_MAX_LEN */
	u32 buf_cap;
	u32 skip_left;		/* SKIP: bytes until the next header */
	u32 resync_reason;	/* enum bmptap_gap_reason of the pending gap */
	u64 skipped;		/* bytes skipped since the gap began */
	u32 lost_msgs;		/* messages known lost since the gap began */
	u8 *skipped_data;	/* first BMPTAP_GAP_MAX_DATA skipped bytes */
	u32 skipped_len;
	u32 charged;		/* allocation bytes of buf and skipped_data */
	u64 messages;		/* messages delivered */
};

void bmptap_framer_init(struct bmptap_framer *f);
/* Frees the buffers and returns their charge. */
void bmptap_framer_free(struct bmptap_framer *f, const struct bmptap_ops *ops, void *ctx);

/* Stream bytes [off, off + len) of p, in order. */
void bmptap_framer_feed(struct bmptap_framer *f, const struct bmptap_payload *p, u32 off,
			u32 len, u64 ts_ns, const struct bmptap_ops *ops, void *ctx);

/*
 * bytes stream bytes are missing here (0: an unknown number, e.g. a flow
 * picked up mid-stream).  When the hole ends inside the current message,
 * the next header position is still known and no scan is needed.
 */
void bmptap_framer_hole(struct bmptap_framer *f, u64 bytes, u32 reason,
			const struct bmptap_ops *ops,
			void *ctx);

/*
 * The stream ends: a message or header cut short counts as lost (MISSING),
 * then the gap pending since the last hole or resync, if any, is emitted.
 * Bytes fed afterwards are scanned for a header (RESYNC).
 */
void bmptap_framer_flush(struct bmptap_framer *f, u64 ts_ns, const struct bmptap_ops *ops,
			 void *ctx);

/* Whether v points at a plausible BGP header (marker, length, type). */
bool bmptap_bgp_header_valid(const u8 *v);

#endif /* BMPTAP_CORE_FRAME_H */
