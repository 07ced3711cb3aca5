// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "records.h"

#define HDR_LEN sizeof(struct bmptap_rec)

/* A record's length with its pad; size_t arithmetic: BMPTAP_REC_ALIGN()
 * wraps for len near 4G. */
static size_t rec_step(uint32_t len)
{
	return ((size_t)len + 7) & ~(size_t)7;
}

static int check_payload(const struct bmptap_rec *h, size_t plen)
{
	switch (h->type) {
	case BMPTAP_REC_FLOW_START:
		/* Longer is tolerated: the struct may grow at its end. */
		return plen >= sizeof(struct bmptap_flow_info) ? 0 : BT_REC_EPAYLOAD;
	case BMPTAP_REC_MSG:
		return plen >= BT_REC_MSG_MIN && plen <= BT_REC_MSG_MAX ?
			0 : BT_REC_EPAYLOAD;
	case BMPTAP_REC_GAP:
		return plen >= sizeof(struct bmptap_gap) &&
			plen - sizeof(struct bmptap_gap) <= BMPTAP_GAP_MAX_DATA ?
			0 : BT_REC_EPAYLOAD;
	case BMPTAP_REC_FLOW_END:
	case BMPTAP_REC_LOST:
		return plen == 0 ? 0 : BT_REC_EPAYLOAD;
	default:
		return BT_REC_ETYPE;
	}
}

int bt_records_parse(const void *data, size_t len, uint64_t *next_seq,
		     bt_rec_cb cb, void *ctx)
{
	const uint8_t *p = data;
	size_t off = 0;
	int n = 0;

	while (off < len) {
		size_t left = len - off, step;
		struct bt_rec r = { .kind = BT_RK_RECORD };
		int err;

		if (left < HDR_LEN)
			return BT_REC_ETRUNC;
		memcpy(&r.hdr, p + off, HDR_LEN);
		if (r.hdr.len < HDR_LEN)
			return BT_REC_ESHORT;
		if (r.hdr.len > left)
			return BT_REC_EOVERSIZE;
		step = rec_step(r.hdr.len);
		if (step > left) {
			/* Only the last record may come without its pad. */
			if (r.hdr.len != left)
				return BT_REC_EALIGN;
			step = left;
		}
		r.payload = p + off + HDR_LEN;
		r.payload_len = r.hdr.len - HDR_LEN;
		err = check_payload(&r.hdr, r.payload_len);
		if (err)
			return err;
		if (r.hdr.dir != BMPTAP_DIR_RX && r.hdr.dir != BMPTAP_DIR_TX)
			return BT_REC_EDIR;
		if (r.hdr.type != BMPTAP_REC_LOST && r.hdr.flow_id == 0)
			return BT_REC_EFLOW;

		if (*next_seq != BT_SEQ_UNKNOWN && r.hdr.seq != *next_seq) {
			struct bt_rec hole = {
				.kind = BT_RK_SEQ_HOLE,
				.expected = *next_seq,
				.got = r.hdr.seq,
			};

			/* Resync first: a stopping callback must not see it twice. */
			*next_seq = r.hdr.seq;
			if (cb(ctx, &hole))
				return BT_REC_ESTOP;
		}
		*next_seq = r.hdr.seq + 1;
		n++;
		if (cb(ctx, &r))
			return BT_REC_ESTOP;
		off += step;
	}
	return n;
}

size_t bt_records_whole(const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t off = 0;

	while (len - off >= HDR_LEN) {
		struct bmptap_rec h;
		size_t step;

		memcpy(&h, p + off, HDR_LEN);
		step = rec_step(h.len);
		if (h.len < HDR_LEN || step > len - off)
			break;
		off += step;
	}
	return off;
}

const char *bt_rec_strerror(int err)
{
	switch (err) {
	case BT_REC_ETRUNC: return "truncated record header";
	case BT_REC_ESHORT: return "record length smaller than its header";
	case BT_REC_EOVERSIZE: return "record length past the end of the stream";
	case BT_REC_EALIGN: return "stray bytes after a record";
	case BT_REC_ETYPE: return "unknown record type";
	case BT_REC_EPAYLOAD: return "payload size invalid for the record type";
	case BT_REC_EDIR: return "invalid direction";
	case BT_REC_EFLOW: return "flow id 0 in a per-flow record";
	case BT_REC_ESTOP: return "stopped by the record handler";
	default: return err >= 0 ? "no error" : "unknown record error";
	}
}

bool bt_rec_flow_info(const struct bt_rec *rec, struct bmptap_flow_info *fi)
{
	if (rec->payload_len < sizeof(*fi))
		return false;
	memcpy(fi, rec->payload, sizeof(*fi));
	return true;
}

bool bt_rec_gap(const struct bt_rec *rec, struct bmptap_gap *gap,
		const uint8_t **data, size_t *data_len)
{
	if (rec->payload_len < sizeof(*gap))
		return false;
	memcpy(gap, rec->payload, sizeof(*gap));
	if (data)
		*data = rec->payload + sizeof(*gap);
	if (data_len)
		*data_len = rec->payload_len - sizeof(*gap);
	return true;
}

const char *bt_rec_type_name(unsigned int type)
{
	switch (type) {
	case BMPTAP_REC_FLOW_START: return "flow-start";
	case BMPTAP_REC_MSG: return "msg";
	case BMPTAP_REC_GAP: return "gap";
	case BMPTAP_REC_FLOW_END: return "flow-end";
	case BMPTAP_REC_LOST: return "lost";
	default: return "?";
	}
}

const char *bt_gap_reason_name(unsigned int reason)
{
	switch (reason) {
	case BMPTAP_GAP_MISSING: return "missing";
	case BMPTAP_GAP_RESYNC: return "resync";
	case BMPTAP_GAP_OVERFLOW: return "overflow";
	case BMPTAP_GAP_NOMEM: return "nomem";
	case BMPTAP_GAP_MIDSTREAM: return "midstream";
	default: return "?";
	}
}

const char *bt_end_name(unsigned int end)
{
	switch (end) {
	case BMPTAP_END_FIN_LOCAL: return "fin-local";
	case BMPTAP_END_FIN_REMOTE: return "fin-remote";
	case BMPTAP_END_RST_LOCAL: return "rst-local";
	case BMPTAP_END_RST_REMOTE: return "rst-remote";
	case BMPTAP_END_IDLE: return "idle";
	case BMPTAP_END_EVICTED: return "evicted";
	case BMPTAP_END_SHUTDOWN: return "shutdown";
	default: return "?";
	}
}

const char *bt_dir_name(unsigned int dir)
{
	switch (dir) {
	case BMPTAP_DIR_RX: return "rx";
	case BMPTAP_DIR_TX: return "tx";
	default: return "?";
	}
}
